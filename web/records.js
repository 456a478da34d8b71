// records.js - the pending tabs and the Errors tabs: a table of rows
// (GET /api/v1/pending or /errors, paged by cursor) with a checkbox column
// and a select-all header box, Upload Selected and Upload All (pending), or
// the ledger's message with Re-sync and Reset (errors).

import * as api from "./api.js";
import * as jobs from "./jobs.js";
import { h, clear, announce } from "./dom.js";
import { fullLabel } from "./tabs.js";
import { refusedSection } from "./refused.js";

const STATE_LABEL = {
	not_imported: "Not Imported Yet Or Reset For Re-import",
	queued: "Queued",
	imported: "Imported",
	error: "Error",
	changed: "Has changes",
	skipped: "Skipped",
	waiting: "Waiting",
	consolidated: "Consolidated",
};

export function stateLabel(s) {
	return STATE_LABEL[s] || s || "";
}

// refParts("sale:SO-1") -> ["sale", "SO-1"]
export function refParts(row) {
	if (row.kind && row.id) return [row.kind, row.id];
	const i = String(row.ref).indexOf(":");
	return [row.ref.slice(0, i), row.ref.slice(i + 1)];
}

// recordLink(row): a link to the record's page (History tab).
export function recordLink(row, text) {
	const [kind, id] = refParts(row);
	return h("a", { href: `#history/${encodeURIComponent(kind)}/${encodeURIComponent(id)}` }, text || row.reference || row.ref);
}

export function money(row) {
	if (row.total === undefined || row.total === null || row.total === "") return "";
	return (row.currency ? row.currency + " " : "") + row.total;
}

// renderList(view, ctx, which, tab): which is "pending" or "errors"; tab the
// tab name ("sales/invoices") or "" for every tab (errors only).
export function renderList(view, ctx, which, tabInfo) {
	const tab = tabInfo ? tabInfo.tab : "";
	const title = which === "pending" ? fullLabel(tabInfo) : tabInfo ? "Errors > " + fullLabel(tabInfo) : "Errors";
	const total = tabInfo ? Number(which === "pending" ? tabInfo.pending : tabInfo.errors) || 0 : ctx.errorTotal();
	const rows = []; // the rows loaded so far
	const picked = new Set(); // refs ticked
	let next = null;

	const counts = h("span", { class: "counts", id: "list-counts", "aria-live": "polite" });
	const err = h("p", { class: "error", role: "alert", id: "list-error" });
	const selectAll = h("input", {
		type: "checkbox",
		id: "select-all",
		"aria-label": which === "pending" ? "Select all rows" : "Select all errors",
		onchange: () => {
			for (const r of rows) selectAll.checked ? picked.add(r.ref) : picked.delete(r.ref);
			paint();
		},
	});
	const tbody = h("tbody");
	const more = h("button", { type: "button", class: "more", hidden: true, onclick: () => load(next) }, "Show more");
	const uploadSel = h("button", { type: "button", id: "upload-selected", class: "primary", disabled: true, onclick: () => sync({ select: [...picked] }) }, which === "pending" ? "Upload Selected" : "Re-sync Selected");
	const uploadAll = which === "pending" ? h("button", { type: "button", id: "upload-all", onclick: () => sync({ all: true }) }, "Upload All") : null;

	const head =
		which === "pending"
			? ["Reference", "Contact", "Date", "Total", "Status", "Why it waits"]
			: ["Reference", "Tab", "Contact", "Date", "Total", "Ledger's message", "Actions"];
	const table = h(
		"table",
		{ id: "rows", "aria-describedby": "list-counts" },
		h("caption", {}, which === "pending" ? `Records waiting on ${title}` : `Records the ledger refused${tab ? " on " + title : ""}`),
		h("thead", {}, h("tr", {}, h("th", { class: "check", scope: "col" }, selectAll), head.map((c) => h("th", { scope: "col", class: c === "Total" ? "num" : null }, c)))),
		tbody
	);

	clear(
		view,
		h("h2", { id: "view-title" }, title),
		h("div", { class: "toolbar" }, counts, uploadSel, uploadAll),
		err,
		table,
		more,
		which === "errors" ? refusedSection(ctx, tab, () => ctx.reload()) : null
	);

	function paint() {
		const shown = rows.length;
		const n = picked.size;
		const noun = which === "pending" ? "pending" : "in error";
		clear(counts, `${Math.max(total, shown)} ${noun} · ${shown} shown · ${n} selected`);
		uploadSel.disabled = n === 0;
		selectAll.checked = shown > 0 && rows.every((r) => picked.has(r.ref));
		selectAll.indeterminate = n > 0 && !selectAll.checked;
		for (const tr of tbody.querySelectorAll("tr[data-ref]")) {
			const on = picked.has(tr.getAttribute("data-ref"));
			tr.classList.toggle("selected", on);
			tr.querySelector("input[type=checkbox]").checked = on;
		}
	}

	function rowEl(r) {
		const label = r.reference || r.ref;
		const box = h("input", {
			type: "checkbox",
			"aria-label": `Select ${label}`,
			onchange: (ev) => {
				ev.target.checked ? picked.add(r.ref) : picked.delete(r.ref);
				paint();
			},
		});
		const cells =
			which === "pending"
				? [
						h("td", {}, recordLink(r, label)),
						h("td", {}, r.contact || ""),
						h("td", {}, r.date || ""),
						h("td", { class: "num" }, money(r)),
						h("td", {}, stateLabel(r.state)),
						h("td", { class: "reason" }, r.reason || ""),
				  ]
				: [
						h("td", {}, recordLink(r, label)),
						h("td", {}, ctx.tabLabel(r.tab)),
						h("td", {}, r.contact || ""),
						h("td", {}, r.date || ""),
						h("td", { class: "num" }, money(r)),
						h("td", { class: "message" }, r.reason || r.message || ""),
						h(
							"td",
							{ class: "actions" },
							h("div", { class: "row" },
								h("button", { type: "button", class: "primary", "aria-label": `Re-sync ${label}`, onclick: () => resync(r) }, "Re-sync"),
								h("button", { type: "button", "aria-label": `Reset ${label} for re-import`, onclick: () => reset(r) }, "Reset")
							)
						),
				  ];
		return h("tr", { "data-ref": r.ref }, h("td", { class: "check" }, box), cells);
	}

	async function load(cursor) {
		err.textContent = "";
		let page;
		try {
			page = await api.get(`/${which}` + api.query({ tab, target: ctx.target(), limit: 100, cursor }));
		} catch (e) {
			err.textContent = e.message;
			return;
		}
		for (const r of page.items || []) {
			rows.push(r);
			tbody.appendChild(rowEl(r));
		}
		next = page.next || null;
		more.hidden = !next;
		if (!rows.length)
			tbody.appendChild(h("tr", {}, h("td", { colspan: String(head.length + 1), class: "hint" }, which === "pending" ? "Nothing is waiting on this tab." : "No errors here.")));
		paint();
	}

	async function sync(extra) {
		err.textContent = "";
		const body = { target: ctx.target() || undefined, tab: tab || undefined, ...extra };
		if (which === "errors") {
			// Re-sync Selected: one resync per record, the last one's job shown
			for (const ref of extra.select || []) await resync(rows.find((r) => r.ref === ref), true);
			return;
		}
		try {
			uploadSel.disabled = true;
			if (uploadAll) uploadAll.disabled = true;
			await jobs.startSync(body, () => ctx.reload());
		} catch (e) {
			err.textContent = e.message;
			if (uploadAll) uploadAll.disabled = false;
			paint();
		}
	}

	async function resync(r, quiet) {
		const [kind, id] = refParts(r);
		try {
			const job = await api.post(`/records/${api.seg(kind)}/${api.seg(id)}/resync` + api.query({ target: ctx.target() }), {});
			jobs.track(job, () => ctx.reload());
		} catch (e) {
			err.textContent = `${r.reference || r.ref}: ${e.message}`;
			if (!quiet) announce(err.textContent);
		}
	}

	async function reset(r) {
		const [kind, id] = refParts(r);
		try {
			await api.post(`/records/${api.seg(kind)}/${api.seg(id)}/reset` + api.query({ target: ctx.target() }), {});
			announce(`${r.reference || r.ref} reset for re-import.`);
			ctx.reload();
		} catch (e) {
			err.textContent = `${r.reference || r.ref}: ${e.message}`;
		}
	}

	load(null);
}
