// history.js - the History tab: find a record by its ref (kind:id), see it,
// its state on each ledger with the link to its document, and every
// transition it went through (GET /api/v1/records/{kind}/{id} and
// /api/v1/history/{kind}/{id}).  Errors link here.

import * as api from "./api.js";
import { h, clear, fmtTime } from "./dom.js";
import { objectTable, cell, headerText } from "./table.js";
import { stateLabel } from "./records.js";

// render(view, ctx, kind, id): kind and id may be empty (just the search form).
export async function render(view, ctx, kind, id) {
	const input = h("input", { id: "history-ref", name: "ref", value: kind ? `${kind}:${id}` : "", placeholder: "sale:SO-1001", "aria-describedby": "history-hint" });
	const err = h("p", { class: "error", role: "alert", id: "history-error" });
	const out = h("div", { id: "history-out" });
	const form = h(
		"form",
		{ class: "toolbar", role: "search" },
		h("label", { for: "history-ref" }, "Record"),
		input,
		h("button", { type: "submit", class: "primary" }, "Show"),
		h("span", { class: "hint", id: "history-hint" }, "kind:id, e.g. sale:SO-1001 or purchase:PO-7")
	);
	form.addEventListener("submit", (ev) => {
		ev.preventDefault();
		const v = input.value.trim();
		const i = v.indexOf(":");
		if (i <= 0 || i === v.length - 1) {
			err.textContent = "Name the record as kind:id, e.g. sale:SO-1001.";
			input.setAttribute("aria-invalid", "true");
			input.focus();
			return;
		}
		window.location.hash = `#history/${encodeURIComponent(v.slice(0, i))}/${encodeURIComponent(v.slice(i + 1))}`;
	});
	clear(view, h("h2", { id: "view-title" }, "History"), form, err, out);
	if (!kind) return;

	const path = `${api.seg(kind)}/${api.seg(id)}`;
	let rec = null;
	let hist = null;
	try {
		[rec, hist] = await Promise.all([api.get(`/records/${path}`), api.get(`/history/${path}`)]);
	} catch (e) {
		err.textContent = `${kind}:${id}: ${e.message}`;
		return;
	}
	out.appendChild(h("h3", {}, `${kind}:${id}`));
	out.appendChild(summary({ ...rec, tab: ctx.tabLabel(rec.tab) }));
	const states = Array.isArray(rec.targets) ? rec.targets : [];
	out.appendChild(h("h3", {}, "On each ledger"));
	out.appendChild(
		states.length
			? objectTable(
					states.map((s) => ({
						ledger: s.name ? `${s.name} (${s.target})` : s.target,
						state: stateLabel(s.state),
						accounting_status: s.accounting_status,
						reason: s.reason,
						document: (s.links || []).map((l) => [l.type, l.number, l.ledger_id].filter(Boolean).join(" ")).join("; "),
					})),
					"State and ledger document per connected ledger"
			  )
			: h("p", { class: "hint" }, "No ledger is connected yet: the record is not imported anywhere.")
	);
	const entries = hist && Array.isArray(hist.items) ? hist.items : [];
	out.appendChild(h("h3", {}, "History"));
	out.appendChild(
		entries.length
			? objectTable(
					entries.map((e) => ({ at: fmtTime(e.at), ledger: e.target || "", who: e.actor, from: e.from ? stateLabel(e.from) : "", to: stateLabel(e.to), why: e.reason })),
					"Every change of state, oldest first"
			  )
			: h("p", { class: "hint" }, "No history yet: the record has not changed since it arrived.")
	);
}

// The record's place (tab, date, total, version), then the record itself as
// booksync keeps it (its canonical JSON) behind a disclosure.
function summary(rec) {
	const dl = h("dl", { class: "kv" });
	for (const k of ["ref", "tab", "date", "total", "currency", "version"]) {
		if (rec[k] === undefined || rec[k] === null || rec[k] === "") continue;
		dl.appendChild(h("dt", {}, headerText(k)));
		dl.appendChild(h("dd", {}, cell(rec[k])));
	}
	const body = rec.record ? h("details", {}, h("summary", {}, "The record as received"), h("pre", { class: "json" }, JSON.stringify(rec.record, null, 2))) : null;
	return h("div", {}, dl, body);
}
