// home.js - the home page: what waits and what failed, which ledgers are
// connected, the payments to reconcile (reconcile.js), and per target a chart of documents posted per day and API
// calls used against the day's allowance (GET /api/v1/stats/daily) -- the
// figures that tell a merchant when consolidation would pay off.

import * as api from "./api.js";
import { h, clear } from "./dom.js";
import { barChart } from "./chart.js";
import * as reconcile from "./reconcile.js";

const DAYS = 30;

// lastDays(30, now) -> the 30 UTC days ending with now's, oldest first.
export function lastDays(n, now) {
	const out = [];
	const t = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
	for (let i = n - 1; i >= 0; i--) out.push(new Date(t - i * 86400000).toISOString().slice(0, 10));
	return out;
}

// fillDays(days, rows): one row per day of the window (the API reports only
// days with activity); a quiet day counts 0 under the latest allowance known.
export function fillDays(days, rows) {
	const by = new Map(rows.map((r) => [r.day, r]));
	const known = rows.filter((r) => r.allowance !== null && r.allowance !== undefined).sort((a, b) => (a.day < b.day ? 1 : -1));
	const allowance = known.length ? known[0].allowance : null;
	const extra = rows.filter((r) => !days.includes(r.day)); // a day past the window's end (clock skew) is kept
	return days
		.map((d) => by.get(d) || { target: rows[0] && rows[0].target, day: d, posted: 0, calls: 0, allowance })
		.concat(extra)
		.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

export async function render(view, ctx) {
	const err = h("p", { class: "error", role: "alert" });
	const charts = h("div", { id: "charts" });
	const tabs = ctx.tabs();
	const pending = tabs.reduce((s, t) => s + (Number(t.pending) || 0), 0);
	const errors = tabs.reduce((s, t) => s + (Number(t.errors) || 0), 0);
	const conns = ctx.connections().filter((c) => c.connected);
	clear(
		view,
		h("h1", { id: "view-title" }, "Overview"),
		h(
			"div",
			{ class: "stat-grid" },
			h("div", { class: "stat" }, h("strong", { id: "stat-pending" }, String(pending)), "records pending"),
			h("div", { class: "stat" }, h("strong", { id: "stat-errors" }, String(errors)), h("a", { href: "#errors" }, "records in error")),
			h("div", { class: "stat" }, h("strong", {}, String(conns.length)), h("a", { href: "#connect" }, conns.length === 1 ? "ledger connected" : "ledgers connected"))
		),
		conns.length ? null : h("p", {}, "No ledger is connected yet: ", h("a", { href: "#connect" }, "connect Xero or QuickBooks Online"), " to start syncing."),
		conns.length ? reconcile.panel(ctx) : null,
		h("h2", {}, "Last 30 days"),
		err,
		charts
	);
	let items;
	try {
		items = (await api.get("/stats/daily" + api.query({ days: DAYS }) /* every target: one chart each */)).items || [];
	} catch (e) {
		err.textContent = e.message;
		return;
	}
	const byTarget = new Map();
	for (const it of items) {
		if (!byTarget.has(it.target)) byTarget.set(it.target, []);
		byTarget.get(it.target).push(it);
	}
	if (!byTarget.size) {
		charts.appendChild(h("p", { class: "hint" }, "Nothing posted yet."));
		return;
	}
	let n = 0;
	const span = lastDays(DAYS, new Date());
	for (const [target, got] of byTarget) {
		const rows = fillDays(span, got);
		const days = rows.map((r) => r.day);
		const name = ctx.targetName(target);
		const allowance = rows.map((r) => (r.allowance === null || r.allowance === undefined ? null : Number(r.allowance)));
		const used = rows.reduce((s, r) => s + (Number(r.calls) || 0), 0);
		const docs = rows.reduce((s, r) => s + (Number(r.posted) || 0), 0);
		n++;
		charts.appendChild(
			h(
				"section",
				{ class: "target-stats", "aria-labelledby": `t${n}-h` },
				h("h3", { id: `t${n}-h` }, name),
				h("p", { class: "hint" }, `${docs} documents posted with ${used} API calls${docs ? ` (${(used / docs).toFixed(2)} calls a document)` : ""}.`),
				barChart({ id: `t${n}-posted`, title: `Documents posted per day — ${name}`, days, values: rows.map((r) => Number(r.posted) || 0), line: null, barClass: "bar-posted" }),
				barChart({ id: `t${n}-calls`, title: `API calls used per day against the day's allowance — ${name}`, days, values: rows.map((r) => Number(r.calls) || 0), line: allowance, barClass: "bar-calls" }),
				h(
					"p",
					{ class: "legend" },
					h("span", {}, h("span", { class: "swatch posted" }), "documents posted"),
					h("span", {}, h("span", { class: "swatch calls" }), "API calls used"),
					h("span", {}, h("span", { class: "swatch allowance" }), "the day's allowance")
				),
				h(
					"details",
					{},
					h("summary", {}, "The figures"),
					h(
						"table",
						{},
						h("caption", {}, `Per day, ${name}`),
						h("thead", {}, h("tr", {}, ["Day", "Documents posted", "API calls", "Allowance"].map((c) => h("th", { scope: "col" }, c)))),
						h(
							"tbody",
							{},
							rows.map((r) => h("tr", {}, h("td", {}, r.day), h("td", { class: "num" }, String(r.posted)), h("td", { class: "num" }, String(r.calls)), h("td", { class: "num" }, r.allowance === null || r.allowance === undefined ? "no daily limit" : String(r.allowance))))
						)
					)
				)
			)
		);
	}
}
