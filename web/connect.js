// connect.js - the Connect page: each ledger's status, Connect / Reconnect
// (POST /api/v1/connections/{ledger} gives the ledger's authorize URL; the
// browser goes there and comes back through the callback to "#connect"),
// and Disconnect.

import * as api from "./api.js";
import { h, clear, announce } from "./dom.js";

const LEDGERS = [
	{ id: "xero", name: "Xero" },
	{ id: "qbo", name: "QuickBooks Online" },
];

// render(view, ctx, note): note is what the callback said, if anything.
export async function render(view, ctx, note) {
	const err = h("p", { class: "error", role: "alert", id: "connect-error" });
	const cards = h("div", { class: "cards" });
	clear(
		view,
		h("h1", { id: "view-title" }, "Connect"),
		h("p", { class: "hint" }, "booksync posts to the ledger organisations connected here. Connecting opens the ledger's own sign-in page; you come back here once you approve."),
		note ? h("p", { class: note.ok ? "ok" : "error", role: "status" }, note.text) : null,
		err,
		cards
	);
	let items = [];
	try {
		items = (await api.get("/connections")).items || [];
	} catch (e) {
		err.textContent = e.message;
	}
	for (const l of LEDGERS) cards.appendChild(card(l, items.filter((c) => c.ledger === l.id), ctx, err));
}

function card(ledger, conns, ctx, err) {
	const connected = conns.filter((c) => c.connected);
	const base = h("input", { id: `base-${ledger.id}`, type: "url", placeholder: "empty: the real service", "aria-describedby": `base-${ledger.id}-hint` });
	const go = h(
		"button",
		{ type: "button", class: "primary", id: `connect-${ledger.id}` },
		connected.length ? `Reconnect ${ledger.name}` : `Connect ${ledger.name}`
	);
	go.addEventListener("click", async () => {
		err.textContent = "";
		go.disabled = true;
		try {
			const body = base.value.trim() ? { base_url: base.value.trim() } : {};
			const r = await api.post(`/connections/${api.seg(ledger.id)}`, body);
			announce(`Opening ${ledger.name}'s sign-in page.`);
			window.location.assign(r.authorize_url);
		} catch (e) {
			err.textContent = `${ledger.name}: ${e.message}`;
			go.disabled = false;
		}
	});
	const list = conns.length
		? h(
				"ul",
				{},
				conns.map((c) =>
					h(
						"li",
						{ "data-target": c.target },
						h("span", { class: c.connected ? "status-ok" : "status-off" }, c.connected ? "Connected" : "Not connected"),
						c.name || c.target ? " — " + (c.name || c.target) : null,
						// the status when it says more than connected / not connected
						c.status && !/^(not )?connected$/i.test(c.status) ? h("span", { class: "hint" }, ` (${c.status})`) : null,
						" ",
						c.connected
							? h("button", { type: "button", class: "danger", "aria-label": `Disconnect ${c.name || c.target}`, onclick: () => disconnect(ledger, c, ctx, err) }, "Disconnect")
							: null
					)
				)
		  )
		: h("p", { class: "status-off" }, "Not connected");
	return h(
		"section",
		{ class: "card", "aria-labelledby": `card-${ledger.id}`, id: `ledger-${ledger.id}` },
		h("h2", { id: `card-${ledger.id}` }, ledger.name),
		list,
		h(
			"div",
			{ class: "field" },
			h("label", { for: `base-${ledger.id}` }, "Ledger address (optional)"),
			base,
			h("span", { class: "hint", id: `base-${ledger.id}-hint` }, "Only for a sandbox or test ledger, e.g. http://127.0.0.1:8081.")
		),
		go
	);
}

async function disconnect(ledger, c, ctx, err) {
	if (!window.confirm(`Disconnect ${c.name || c.target}? Nothing is deleted from ${ledger.name}.`)) return;
	try {
		const r = await api.del(`/connections/${api.seg(ledger.id)}` + api.query({ target: c.target }));
		if (r && r.revoked === false) {
			err.textContent = `${c.name || c.target} is disconnected here, but ${ledger.name} could not be told (${r.detail}): remove booksync from the organisation's connected apps in ${ledger.name}.`;
			announce(`${c.name || c.target} disconnected here only.`);
		} else {
			announce(`${c.name || c.target} disconnected; its access is revoked at ${ledger.name}.`);
		}
	} catch (e) {
		err.textContent = e.message;
	}
	ctx.reloadAll();
}
