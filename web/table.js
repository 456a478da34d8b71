// table.js - a plain table of objects whose fields the page does not know in
// advance (consolidated members, history entries): one column per field, in
// the order the first rows give them; nested values shown as JSON.

import { h } from "./dom.js";

export function columnsOf(rows) {
	const cols = [];
	for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
	return cols;
}

export function cell(v) {
	if (v === null || v === undefined) return "";
	if (typeof v === "object") return JSON.stringify(v);
	return String(v);
}

// headerText("document_name") -> "Document name"
export function headerText(k) {
	const s = k.replace(/_/g, " ");
	return s.charAt(0).toUpperCase() + s.slice(1);
}

export function objectTable(rows, caption, cols, linkFor) {
	cols = cols || columnsOf(rows);
	return h(
		"table",
		{},
		caption ? h("caption", {}, caption) : null,
		h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col" }, headerText(c))))),
		h(
			"tbody",
			{},
			rows.map((r) => h("tr", {}, cols.map((c) => h("td", {}, linkFor && linkFor(c, r) ? linkFor(c, r) : cell(r[c])))))
		)
	);
}
