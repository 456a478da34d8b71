// settings.js - the Settings tab: every setting `booksync settings` covers
// (GET /api/v1/settings), each saved on its own (PUT /api/v1/settings) with
// the catalogue's validation message shown beside the field when refused.

import * as api from "./api.js";
import { h, clear, announce } from "./dom.js";
import * as events from "./events.js";

// normalise(answer) -> [{key, value, default, help, choices:[..]|null, family}]
// The API answers {"items":[{key,value,default,help,choices}]}; a plain
// {key: value} object (as `booksync settings --json`) is read too.
export function normalise(data) {
	let items;
	if (data && Array.isArray(data.items)) items = data.items;
	else if (data && Array.isArray(data.settings)) items = data.settings;
	else items = Object.entries(data || {}).map(([key, value]) => ({ key, value }));
	return items.map((s) => ({
		key: s.key,
		value: s.value === null || s.value === undefined ? "" : String(s.value),
		default: s.default === null || s.default === undefined ? "" : String(s.default),
		help: s.help || "",
		choices: Array.isArray(s.choices) ? s.choices : typeof s.choices === "string" && s.choices ? s.choices.split("|") : null,
		family: s.pattern === true || String(s.key).includes("*"),
		secret: s.secret === true,
		set: s.set === true,
	}));
}

function secretKey(key) {
	return /secret$/.test(key);
}

function fieldId(key) {
	return "set-" + key.replace(/[^A-Za-z0-9_-]/g, "_");
}

export async function render(view, ctx) {
	const err = h("p", { class: "error", role: "alert" });
	const list = h("div", { class: "settings-list" });
	clear(
		view,
		h("h2", { id: "view-title" }, "Settings"),
		h("p", { class: "hint" }, "Each setting is saved on its own; a value booksync cannot use is refused with the reason."),
		err,
		list
	);
	let items;
	try {
		items = normalise(await api.get("/settings"));
	} catch (e) {
		err.textContent = e.message;
		return;
	}
	for (const s of items) {
		// a family whose '*' key is a setting too (consolidation.channel.*.cogs:
		// every channel's default) gets its own row, then one to name a member
		if (s.family && !s.key.endsWith("*")) list.appendChild(settingRow(s));
		list.appendChild(s.family ? familyRow(s) : settingRow(s));
	}
	view.appendChild(events.panel());
}

async function save(key, value, input, msg, saved) {
	msg.textContent = "";
	saved.textContent = "";
	input.removeAttribute("aria-invalid");
	try {
		// an empty field returns the setting to its default (null)
		await api.put("/settings", { [key]: value === "" ? null : value });
		saved.textContent = secretKey(key) ? `Saved ${key}.` : `Saved ${key} = ${value === "" ? "(default)" : value}.`;
		announce(saved.textContent);
	} catch (e) {
		msg.textContent = e.message;
		input.setAttribute("aria-invalid", "true");
		input.focus();
	}
}

function settingRow(s) {
	const id = fieldId(s.key);
	const input = s.choices
		? h("select", { id, name: s.key, "aria-describedby": `${id}-help ${id}-err` }, s.choices.map((c) => h("option", { value: c, selected: c === s.value }, c)))
		: s.secret
		? h("input", { id, name: s.key, type: "password", autocomplete: "off", placeholder: s.set ? "set (type to replace)" : "not set", "aria-describedby": `${id}-help ${id}-err` })
		: h("input", { id, name: s.key, value: s.value, placeholder: s.default, "aria-describedby": `${id}-help ${id}-err` });
	const msg = h("p", { class: "error", id: `${id}-err`, role: "alert" });
	const saved = h("p", { class: "saved ok", "aria-live": "polite" });
	const btn = h("button", { type: "submit" }, "Save");
	const form = h(
		"form",
		{ class: "setting", "data-key": s.key, novalidate: true },
		h("label", { for: id }, s.key),
		input,
		h("div", {}, btn),
		h("p", { class: "help hint", id: `${id}-help` }, s.help, s.default ? ` (default ${s.default})` : ""),
		msg,
		saved
	);
	form.addEventListener("submit", (ev) => {
		ev.preventDefault();
		if (s.secret && input.value === "") {
			// an empty secret field means "keep it", never "erase it"
			msg.textContent = `Type the new ${s.key} to replace it.`;
			return;
		}
		save(s.key, input.value, input, msg, saved);
	});
	return form;
}

// A family ("tax.sales.*"): one member at a time, named by its '*' part.
function familyRow(s) {
	const id = fieldId(s.key) + "-member";
	const [pre, post] = s.key.split("*");
	const what = pre.startsWith("tax.") ? "rate" : "channel";
	const name = h("input", { id: `${id}-name`, "aria-describedby": `${id}-help`, placeholder: what === "rate" ? "rate, e.g. 15" : "channel, e.g. Shopify(MyShop)" });
	const value = s.choices
		? h("select", { id: `${id}-value`, "aria-describedby": `${id}-help ${id}-err` }, s.choices.map((c) => h("option", { value: c, selected: c === s.default }, c)))
		: h("input", { id: `${id}-value`, "aria-describedby": `${id}-help ${id}-err`, placeholder: "value" });
	const msg = h("p", { class: "error", id: `${id}-err`, role: "alert" });
	const saved = h("p", { class: "saved ok", "aria-live": "polite" });
	const form = h(
		"form",
		{ class: "setting family", "data-key": s.key + " member", novalidate: true },
		h("label", { for: `${id}-name` }, `${pre}<${what}>${post || ""}`),
		h("div", { class: "row" }, name, h("label", { for: `${id}-value`, class: "sr-only" }, `value of ${pre}<${what}>${post || ""}`), value),
		h("div", {}, h("button", { type: "submit" }, "Save")),
		h("p", { class: "help hint", id: `${id}-help` }, s.help, ` — name one ${what} to set it for that ${what} alone.`),
		msg,
		saved
	);
	form.addEventListener("submit", (ev) => {
		ev.preventDefault();
		if (!name.value.trim()) {
			msg.textContent = `Name the ${what} first.`;
			name.setAttribute("aria-invalid", "true");
			name.focus();
			return;
		}
		name.removeAttribute("aria-invalid");
		save(pre + name.value.trim() + (post || ""), value.value, value, msg, saved);
	});
	return form;
}
