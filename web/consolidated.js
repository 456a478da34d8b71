// consolidated.js - the Consolidated tab: members of consolidated documents
// (GET /api/v1/consolidated, the CLI's filters), a search box, paging, and
// Export CSV of the filtered view (the same query with Accept: text/csv).

import * as api from "./api.js";
import { h, clear, announce } from "./dom.js";
import { objectTable, columnsOf } from "./table.js";

export function render(view, ctx) {
	const search = h("input", { id: "cons-search", type: "search", name: "search" });
	const err = h("p", { class: "error", role: "alert", id: "cons-error" });
	const out = h("div", { id: "cons-rows" });
	const status = h("p", { class: "hint", "aria-live": "polite", id: "cons-count" });
	const more = h("button", { type: "button", hidden: true }, "Show more");
	const exportBtn = h("button", { type: "button", id: "export-csv" }, "Export CSV");
	let rows = [];
	let next = null;

	const form = h(
		"form",
		{ class: "toolbar", role: "search" },
		h("label", { for: "cons-search" }, "Search"),
		search,
		h("button", { type: "submit", class: "primary" }, "Search"),
		exportBtn
	);
	clear(
		view,
		h("h2", { id: "view-title" }, "Consolidated"),
		h("p", { class: "hint" }, "Records posted as part of a daily or monthly consolidated document, and the document each went into."),
		form,
		err,
		status,
		out,
		more
	);

	function filters() {
		return { search: search.value.trim(), target: ctx.target() };
	}

	async function load(cursor) {
		err.textContent = "";
		let page;
		try {
			page = await api.get("/consolidated" + api.query({ ...filters(), limit: 100, cursor }));
		} catch (e) {
			err.textContent = e.message;
			if (e.param) search.setAttribute("aria-invalid", "true");
			return;
		}
		search.removeAttribute("aria-invalid");
		rows = cursor ? rows.concat(page.items || []) : page.items || [];
		next = page.next || null;
		more.hidden = !next;
		clear(out, rows.length ? objectTable(rows, "Consolidated records", columnsOf(rows)) : h("p", { class: "hint" }, "No consolidated records match."));
		clear(status, `${rows.length} shown${next ? " (more below)" : ""}`);
	}

	form.addEventListener("submit", (ev) => {
		ev.preventDefault();
		load(null);
	});
	more.addEventListener("click", () => load(next));
	exportBtn.addEventListener("click", async () => {
		err.textContent = "";
		try {
			const csv = await api.get("/consolidated" + api.query(filters()), { accept: "text/csv" });
			const url = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
			const a = h("a", { href: url, download: "consolidated.csv", hidden: true });
			document.body.appendChild(a);
			a.click();
			a.remove();
			setTimeout(() => URL.revokeObjectURL(url), 10000);
			announce("consolidated.csv downloaded.");
		} catch (e) {
			err.textContent = e.message;
		}
	});
	load(null);
}
