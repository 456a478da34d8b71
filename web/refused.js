// refused.js - on the Errors view, the re-imports the store refused: new
// content for a member of a consolidated document already posted, which
// the ledger cannot take (GET /api/v1/refused; docs/consolidation.md
// "Locking").  The member keeps the posted version; once someone has seen
// the refusal, Dismiss (DELETE /api/v1/refused/{kind}/{id}) takes it off
// Errors.  Importing the posted version again withdraws it by itself.

import * as api from "./api.js";
import { h, clear, announce } from "./dom.js";
import { money, recordLink, refParts } from "./records.js";

// refusedSection(ctx, tab, changed): a section, hidden while there is
// nothing refused; changed() runs after a dismissal (to recount the tabs).
export function refusedSection(ctx, tab, changed) {
	const err = h("p", { class: "error", role: "alert", id: "refused-error" });
	const tbody = h("tbody");
	const section = h(
		"section",
		{ id: "refused", hidden: true, "aria-labelledby": "refused-title" },
		h("h3", { id: "refused-title" }, "Refused re-imports"),
		h("p", { class: "hint" }, "These records are members of a consolidated document already posted, so their new content was not taken: the ledger keeps the posted version. Post the difference as its own record (a credit note or a new sale), or import the posted version again, then dismiss."),
		err,
		h(
			"table",
			{ id: "refused-rows" },
			h("caption", {}, "Re-imports refused because the document is locked"),
			h("thead", {}, h("tr", {}, ["Reference", "Tab", "Date", "Total", "Why it was refused", "When", "Actions"].map((c) => h("th", { scope: "col", class: c === "Total" ? "num" : null }, c)))),
			tbody
		)
	);

	async function dismiss(r) {
		const [kind, id] = refParts(r);
		const label = r.reference || r.ref;
		try {
			await api.del(`/refused/${api.seg(kind)}/${api.seg(id)}` + api.query({ target: ctx.target() }));
			announce(`${label}: refusal dismissed; the posted version stands.`);
			load();
			if (changed) changed();
		} catch (e) {
			err.textContent = `${label}: ${e.message}`;
		}
	}

	async function load() {
		err.textContent = "";
		let page;
		try {
			page = await api.get("/refused" + api.query({ tab, target: ctx.target() }));
		} catch (e) {
			err.textContent = e.message;
			section.hidden = false;
			return;
		}
		const items = page.items || [];
		clear(
			tbody,
			items.map((r) => {
				const label = r.reference || r.ref;
				return h(
					"tr",
					{ "data-ref": r.ref },
					h("td", {}, recordLink(r, label)),
					h("td", {}, ctx.tabLabel(r.tab)),
					h("td", {}, r.date || ""),
					h("td", { class: "num" }, money(r)),
					h("td", { class: "message" }, r.reason || ""),
					h("td", {}, (r.refused_at || "").replace("T", " ").replace("Z", " UTC")),
					h("td", { class: "actions" }, h("button", { type: "button", "aria-label": `Dismiss the refusal of ${label}`, onclick: () => dismiss(r) }, "Dismiss"))
				);
			})
		);
		section.hidden = items.length === 0;
	}

	load();
	return section;
}
