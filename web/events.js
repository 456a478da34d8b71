// events.js - the Failed events panel (under Settings): the events for the
// source system that were not accepted within 24 hours (GET
// /api/v1/events?state=dead, docs/events.md), each with a Re-deliver
// button (POST /api/v1/events/{id}/redeliver).

import * as api from "./api.js";
import { h, clear, announce } from "./dom.js";

export function panel() {
	const box = h("section", { class: "events-failed", "aria-labelledby": "events-failed-title" });
	const err = h("p", { class: "error", role: "alert" });
	const out = h("div", {});

	async function load() {
		err.textContent = "";
		let page;
		try {
			page = await api.get("/events" + api.query({ state: "dead", limit: 100 }));
		} catch (e) {
			err.textContent = e.message;
			return;
		}
		const rows = page.events || [];
		if (!rows.length) {
			clear(out, h("p", { class: "hint" }, "No failed events."));
			return;
		}
		clear(
			out,
			h(
				"table",
				{},
				h("caption", {}, "Failed events"),
				h("thead", {}, h("tr", {}, ["Id", "Type", "Ledger", "Attempts", "Last error", ""].map((c) => h("th", { scope: "col" }, c)))),
				h(
					"tbody",
					{},
					rows.map((e) =>
						h(
							"tr",
							{},
							h("td", {}, e.id),
							h("td", {}, e.type),
							h("td", {}, e.target),
							h("td", {}, String(e.attempts)),
							h("td", {}, e.last_error),
							h("td", {}, h("button", { type: "button", "aria-label": `Re-deliver ${e.id}`, onclick: () => redeliver(e.id) }, "Re-deliver"))
						)
					)
				)
			)
		);
	}

	async function redeliver(id) {
		err.textContent = "";
		try {
			await api.post("/events/" + api.seg(id) + "/redeliver");
		} catch (e) {
			err.textContent = e.message;
			return;
		}
		announce(`${id} will be delivered again.`);
		load();
	}

	clear(
		box,
		h("h2", { id: "events-failed-title" }, "Failed events"),
		h("p", { class: "hint" }, "Events for the source system that events.url did not accept within 24 hours. Re-deliver sends one again, with a new 24 hours."),
		err,
		out
	);
	load();
	return box;
}
