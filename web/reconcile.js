// reconcile.js - the Payments to reconcile panel (on Home): payments made
// in the ledger that the inbound import did not apply (skipped or failed,
// docs/inbound.md), each with its reason and a Reconciled button (POST
// /api/v1/inbound/{id}/reconciled), and a flag with the count of those
// unapplied for over 24 hours (GET /api/v1/inbound?state=unapplied).

import * as api from "./api.js";
import { h, clear, announce } from "./dom.js";

const PAGE = 100;

// plural(1, "payment") -> "1 payment"; plural(2, "payment") -> "2 payments".
function plural(n, word) {
	return `${n} ${word}${n === 1 ? "" : "s"}`;
}

// flagText({overdue: 2}) -> "2 payments unapplied for over 24 hours"; "" for none.
export function flagText(counts) {
	const n = Number((counts || {}).overdue) || 0;
	return n > 0 ? `${plural(n, "payment")} unapplied for over 24 hours` : "";
}

// summary({applied, skipped, failed, reversed}) -> "3 applied, 1 skipped, 0 failed"
// (", 1 reversed" when there are: applied, then deleted in the ledger).
export function summary(counts) {
	const c = counts || {};
	const reversed = Number(c.reversed) || 0;
	return `${Number(c.applied) || 0} applied, ${Number(c.skipped) || 0} skipped, ${Number(c.failed) || 0} failed` + (reversed ? `, ${reversed} reversed` : "");
}

// cells(item) -> the row's texts: date, customer, amount, ledger payment, state, reason, waiting.
export function cells(p) {
	return [
		p.date || "",
		p.customer || "not linked",
		`${p.amount} ${p.currency || ""}`.trim(),
		p.ledger_payment_id,
		p.state,
		p.reason || "",
		p.overdue ? "over 24 h" : "",
	];
}

export function panel(ctx) {
	const box = h("section", { class: "reconcile", "aria-labelledby": "reconcile-title" });
	const err = h("p", { class: "error", role: "alert" });
	const flag = h("p", { id: "reconcile-flag", class: "flag", hidden: true });
	const counts = h("p", { class: "hint", id: "reconcile-counts" });
	const out = h("div", {});
	const more = h("button", { type: "button", class: "more", hidden: true }, "Show more");
	let next = null;
	let body = null;

	// Reconciled: the person has matched it by hand in the ledger
	async function reconciled(p) {
		err.textContent = "";
		try {
			await api.post(`/inbound/${api.seg(p.ledger_payment_id)}/reconciled` + api.query({ target: ctx.target() }), {});
			announce(`Payment ${p.ledger_payment_id} marked reconciled.`);
			load(true);
		} catch (e) {
			err.textContent = `${p.ledger_payment_id}: ${e.message}`;
		}
	}

	function row(p) {
		const t = cells(p);
		return h(
			"tr",
			{ class: p.overdue ? "overdue" : null, "data-payment": p.ledger_payment_id },
			h("td", {}, t[0]),
			h("td", {}, t[1]),
			h("td", { class: "num" }, t[2]),
			h("td", {}, t[3]),
			h("td", {}, t[4]),
			h("td", { class: "reason" }, t[5]),
			h("td", {}, p.overdue ? h("span", { class: "flag small" }, t[6]) : ""),
			h("td", { class: "actions" }, h("button", { type: "button", "aria-label": `Mark payment ${p.ledger_payment_id} reconciled`, onclick: () => reconciled(p) }, "Reconciled"))
		);
	}

	async function load(first) {
		err.textContent = "";
		let page;
		try {
			page = await api.get("/inbound" + api.query({ target: ctx.target(), state: "unapplied", limit: PAGE, cursor: first ? null : next }));
		} catch (e) {
			if (e.param === "target") clear(out, h("p", { class: "hint" }, "Pick a ledger above to see its payments."));
			else err.textContent = e.message;
			return;
		}
		next = page.next;
		more.hidden = !next;
		const text = flagText(page.counts);
		flag.hidden = !text;
		clear(flag, text ? [h("span", { "aria-hidden": "true" }, "⚠ "), text] : []);
		clear(counts, `Imported from the ledger: ${summary(page.counts)}.`);
		const items = page.items || [];
		if (first) {
			if (!items.length) {
				body = null;
				clear(out, h("p", { class: "hint" }, "No payments to reconcile."));
				return;
			}
			body = h("tbody", {});
			const head = ["Date", "Customer", "Amount", "Ledger payment", "State", "Reason", "Waiting", "Actions"];
			clear(
				out,
				h(
					"table",
					{ id: "reconcile-table" },
					h("caption", {}, "Payments the import skipped or failed, oldest first"),
					h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col", class: c === "Amount" ? "num" : null }, c)))),
					body
				)
			);
		}
		if (body) for (const p of items) body.appendChild(row(p));
	}

	more.addEventListener("click", () => load(false));
	clear(
		box,
		h("h2", { id: "reconcile-title" }, "Payments to reconcile"),
		h("p", { class: "hint" }, "Payments made in the ledger that booksync did not apply to an invoice, with the reason: reconcile each by hand in the ledger, then mark it Reconciled."),
		flag,
		counts,
		err,
		out,
		more
	);
	load(true);
	return box;
}
