// tabs.js - the two rows of tabs (docs/states-and-tabs.md, "Tabs") and the
// WAI-ARIA tabs pattern: role=tablist/tab, aria-selected, one tab in the
// focus order (roving tabindex), arrow keys, Home and End move between tabs.

import { h, clear } from "./dom.js";

// The first row: the groups of pending tabs, then the other sections.  A
// group the server reports that is not listed here (e.g. "other") goes in
// after Retail, so no tab of records is ever out of reach.
export const GROUPS = [
	{ id: "sales", label: "Sales" },
	{ id: "purchases", label: "Purchases" },
	{ id: "adjustments", label: "Adjustments & COGS" },
	{ id: "retail", label: "Retail" },
];
export const SECTIONS = [
	{ id: "errors", label: "Errors" },
	{ id: "consolidated", label: "Consolidated" },
	{ id: "history", label: "History" },
	{ id: "settings", label: "Settings" },
];

// The tabs Sync All covers (docs/states-and-tabs.md, "Which records a sync covers").
export const SYNC_ALL_TABS = [
	"sales/customers",
	"sales/invoices",
	"purchases/suppliers",
	"purchases/supplier-invoices",
	"adjustments/cogs",
];

const GROUP_LABEL = { other: "Other" };

// groupLabel("adjustments") -> "Adjustments & COGS"
export function groupLabel(id) {
	const g = GROUPS.find((x) => x.id === id);
	return g ? g.label : GROUP_LABEL[id] || id.charAt(0).toUpperCase() + id.slice(1);
}

// shortLabel({tab:"sales/invoices", label:"Sales > Invoices"}) -> "Invoices"
export function shortLabel(t) {
	const label = t.label || t.tab;
	const i = label.lastIndexOf(">");
	if (i >= 0) return label.slice(i + 1).trim();
	const j = label.lastIndexOf("/");
	return j >= 0 ? label.slice(j + 1) : label;
}

// fullLabel(t) -> "Sales > Invoices"
export function fullLabel(t) {
	if (t.label && t.label.includes(">")) return t.label;
	return groupLabel(t.group || t.tab.split("/")[0]) + " > " + shortLabel(t);
}

// firstRow(tabs): the first row's entries {id, label, pending, errors} given
// GET /tabs's items.
export function firstRow(tabs) {
	const groups = GROUPS.map((g) => ({ ...g, kind: "group" }));
	for (const t of tabs) {
		const gid = t.group || t.tab.split("/")[0];
		if (!groups.some((g) => g.id === gid)) groups.push({ id: gid, label: groupLabel(gid), kind: "group" });
	}
	for (const g of groups) {
		const mine = tabs.filter((t) => (t.group || t.tab.split("/")[0]) === g.id);
		g.pending = mine.reduce((s, t) => s + (Number(t.pending) || 0), 0);
	}
	const errors = tabs.reduce((s, t) => s + (Number(t.errors) || 0), 0);
	return [...groups, ...SECTIONS.map((s) => ({ ...s, kind: "section", errors: s.id === "errors" ? errors : undefined }))];
}

// renderTablist(el, entries, selectedId, onPick, opts): fill a role=tablist
// element.  entries: [{id, label, count, countClass}]; onPick(id) runs when a
// tab is chosen by click, Enter/Space or arrow keys.  opts.idPrefix makes each
// tab's element id (`${idPrefix}${id}` with "/" as "-").
export function renderTablist(el, entries, selectedId, onPick, opts) {
	const prefix = opts.idPrefix;
	const tabs = entries.map((e) => {
		const selected = e.id === selectedId;
		const count =
			e.count === undefined || e.count === null
				? null
				: h("span", { class: "count" + (e.countClass ? " " + e.countClass : ""), "aria-label": e.countLabel }, String(e.count));
		return h(
			"button",
			{
				type: "button",
				role: "tab",
				id: tabId(prefix, e.id),
				"aria-selected": selected ? "true" : "false",
				"aria-controls": "view",
				tabindex: selected ? "0" : "-1",
				"data-tab": e.id,
				onclick: () => onPick(e.id),
			},
			e.label,
			count
		);
	});
	if (!tabs.some((t) => t.getAttribute("tabindex") === "0") && tabs.length) tabs[0].setAttribute("tabindex", "0");
	clear(el, tabs);
	el.onkeydown = (ev) => {
		const i = tabs.indexOf(document.activeElement);
		if (i < 0) return;
		let j = -1;
		if (ev.key === "ArrowRight") j = (i + 1) % tabs.length;
		else if (ev.key === "ArrowLeft") j = (i - 1 + tabs.length) % tabs.length;
		else if (ev.key === "Home") j = 0;
		else if (ev.key === "End") j = tabs.length - 1;
		if (j < 0) return;
		ev.preventDefault();
		onPick(tabs[j].getAttribute("data-tab"), { focus: true });
	};
}

export function tabId(prefix, id) {
	return prefix + String(id).replace(/[^A-Za-z0-9_-]/g, "-");
}
