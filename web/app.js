// app.js - the dashboard's entry point: the session (log in / out), the
// ledger picker, the two rows of tabs, the Sync All button and its menu,
// and the hash router that draws each view into #view.
//
// Routes: #home, #connect, #tab/<group>[/<tab>], #errors[/<group>/<tab>],
// #consolidated, #history[/<kind>/<id>], #settings.

import * as api from "./api.js";
import * as jobs from "./jobs.js";
import { $, h, clear, announce } from "./dom.js";
import { SECTIONS, SYNC_ALL_TABS, firstRow, renderTablist, shortLabel, fullLabel, groupLabel, tabId } from "./tabs.js";
import { renderList } from "./records.js";
import * as home from "./home.js";
import * as connect from "./connect.js";
import * as settings from "./settings.js";
import * as consolidated from "./consolidated.js";
import * as history from "./history.js";

const state = {
	session: null, // {user, csrf, scopes}
	connections: [], // GET /connections items
	tabs: [], // GET /tabs items
	target: "", // the ledger picked ("" = the only one, or none yet)
	focusTab: null, // a tab element id to focus after drawing (arrow keys)
};

// What the views may ask of the shell.
const ctx = {
	target: () => state.target,
	tabs: () => state.tabs,
	connections: () => state.connections,
	errorTotal: () => state.tabs.reduce((s, t) => s + (Number(t.errors) || 0), 0),
	tabLabel: (name) => {
		const t = state.tabs.find((x) => x.tab === name);
		return t ? fullLabel(t) : name || "";
	},
	targetName: (t) => {
		const c = state.connections.find((x) => x.target === t);
		return c && c.name ? `${c.name} (${t})` : t;
	},
	reload: () => refresh(false),
	reloadAll: () => refresh(true),
};

// ---- session -------------------------------------------------------------

function showLogin(message) {
	state.session = null;
	api.setCsrf("");
	$("app-view").hidden = true;
	$("topnav").hidden = true;
	$("top-tools").hidden = true;
	$("login-view").hidden = false;
	$("login-error").textContent = message || "";
	$("login-name").focus();
}

async function startSession(s) {
	state.session = s;
	api.setCsrf(s.csrf);
	$("login-view").hidden = true;
	$("app-view").hidden = false;
	$("topnav").hidden = false;
	$("top-tools").hidden = false;
	clear($("who"), s.user || "");
	await refresh(true);
}

async function login(ev) {
	ev.preventDefault();
	const name = $("login-name").value.trim();
	const password = $("login-password").value;
	const out = $("login-error");
	out.textContent = "";
	if (!name || !password) {
		out.textContent = "Enter your user name and password.";
		return;
	}
	try {
		const s = await api.post("/session", { name, password }, { quiet401: true });
		$("login-password").value = "";
		await startSession(s);
		$("main").focus();
	} catch (e) {
		out.textContent = e.status === 401 ? "That user name and password do not match." : e.message;
		$("login-password").select();
	}
}

async function logout() {
	try {
		await api.del("/session");
	} catch (e) {
		/* the session may be gone already: log in again either way */
	}
	showLogin("You are logged out.");
}

// ---- data the shell keeps -------------------------------------------------

async function loadConnections() {
	try {
		state.connections = (await api.get("/connections")).items || [];
	} catch (e) {
		if (e.status === 401) throw e;
		state.connections = [];
	}
	const connected = state.connections.filter((c) => c.connected);
	const pick = $("target");
	const saved = sessionStorage.getItem("bs-target") || "";
	state.target = connected.some((c) => c.target === state.target)
		? state.target
		: connected.some((c) => c.target === saved)
		? saved
		: connected.length
		? connected[0].target
		: "";
	clear(pick, connected.map((c) => h("option", { value: c.target, selected: c.target === state.target }, c.name ? `${c.name} (${c.ledger})` : c.target)));
	$("target-pick").hidden = connected.length < 2;
}

async function loadTabs() {
	try {
		// the answer holds each group (first row) then its tabs (second
		// row); the shell keeps the tabs and sums the groups itself
		const items = (await api.get("/tabs" + api.query({ target: state.target }))).items || [];
		state.tabs = items.filter((t) => String(t.tab).includes("/"));
	} catch (e) {
		if (e.status === 401) throw e;
		state.tabs = [];
		announce("Could not read the tab counts: " + e.message);
	}
	drawSyncAllMenu();
}

// refresh(all): read the counts again (and the connections when all), then draw.
// Focus stays where it was when the element is drawn again (same id), so a
// keyboard user is not thrown back to the top when a job ends.
async function refresh(all) {
	const had = document.activeElement && document.activeElement.id;
	try {
		if (all) await loadConnections();
		await loadTabs();
	} catch (e) {
		return; // 401: the login form is showing
	}
	route();
	if (had && (!document.activeElement || document.activeElement === document.body)) {
		const el = document.getElementById(had);
		if (el) el.focus();
	}
}

// ---- Sync All --------------------------------------------------------------

function drawSyncAllMenu() {
	clear(
		$("sync-all-list"),
		SYNC_ALL_TABS.map((name) => {
			const t = state.tabs.find((x) => x.tab === name) || { tab: name };
			const n = Number(t.pending) || 0;
			return h("li", { "data-tab": name }, fullLabel(t), h("span", { class: "count" }, String(n)));
		})
	);
}

function menuOpen(open) {
	$("sync-all-menu").hidden = !open;
	$("sync-all-toggle").setAttribute("aria-expanded", open ? "true" : "false");
}

async function syncAll(body) {
	menuOpen(false);
	try {
		await jobs.startSync({ target: state.target || undefined, ...body }, () => refresh(false));
	} catch (e) {
		announce(e.message);
		clear($("job-text"), e.message);
		$("job").hidden = false;
		$("job").className = "job failed";
	}
}

// ---- routing ---------------------------------------------------------------

function parseHash() {
	const raw = window.location.hash.replace(/^#/, "");
	const q = raw.indexOf("?");
	const path = q >= 0 ? raw.slice(0, q) : raw;
	const params = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : "");
	const parts = path
		.split("/")
		.filter(Boolean)
		.map((x) => {
			try {
				return decodeURIComponent(x);
			} catch (e) {
				return x; // a stray '%' in a hand-typed address
			}
		});
	return { parts, params };
}

// A tab's short name, or its full one where the short one is ambiguous
// (Sales > Payments and Purchases > Payments).
function uniqueLabel(t) {
	const short = shortLabel(t);
	return state.tabs.filter((x) => shortLabel(x) === short).length > 1 ? fullLabel(t) : short;
}

function groupTabs(gid) {
	return state.tabs.filter((t) => (t.group || t.tab.split("/")[0]) === gid);
}

function route() {
	if (!state.session) return;
	const { parts, params } = parseHash();
	const first = parts[0] || "home";
	const view = $("view");
	let sel1 = null; // first-row tab selected
	let row2 = null; // {entries, selected, prefix, label}

	for (const a of document.querySelectorAll("#topnav a")) a.removeAttribute("aria-current");
	menuOpen(false);

	if (first === "tab" && parts[1]) {
		const gid = parts[1];
		const tabs = groupTabs(gid);
		const name = parts[2] ? `${gid}/${parts[2]}` : tabs.length ? tabs[0].tab : null;
		const info = tabs.find((t) => t.tab === name);
		sel1 = gid;
		row2 = {
			entries: tabs.map((t) => ({ id: t.tab, label: shortLabel(t), count: Number(t.pending) || 0, countLabel: `${t.pending || 0} pending` })),
			selected: name,
			label: `${groupLabel(gid)} tabs`,
			pick: (id) => `#tab/${id}`,
		};
		if (info) renderList(view, ctx, "pending", info);
		else clear(view, h("h2", { id: "view-title" }, "No such tab"), h("p", {}, "booksync has no tab named ", name || gid, "."));
	} else if (first === "errors") {
		const name = parts[1] && parts[2] ? `${parts[1]}/${parts[2]}` : "";
		sel1 = "errors";
		row2 = {
			// All, then the tabs that hold errors (and the one asked for)
			entries: [{ id: "", label: "All", count: ctx.errorTotal(), countClass: "errors", countLabel: `${ctx.errorTotal()} in error` }].concat(
				state.tabs
					.filter((t) => Number(t.errors) > 0 || t.tab === name)
					.map((t) => ({ id: t.tab, label: uniqueLabel(t), count: Number(t.errors) || 0, countClass: Number(t.errors) ? "errors" : "", countLabel: `${t.errors || 0} in error` }))
			),
			selected: name,
			label: "Errors by tab",
			pick: (id) => (id ? `#errors/${id}` : "#errors"),
		};
		renderList(view, ctx, "errors", name ? state.tabs.find((t) => t.tab === name) || { tab: name } : null);
	} else if (first === "consolidated") {
		sel1 = "consolidated";
		consolidated.render(view, ctx);
	} else if (first === "history") {
		sel1 = "history";
		history.render(view, ctx, parts[1] || "", parts[2] || "");
	} else if (first === "settings") {
		sel1 = "settings";
		settings.render(view, ctx);
	} else if (first === "connect") {
		$("nav-connect").setAttribute("aria-current", "page");
		const e = params.get("error");
		const note = e ? { ok: false, text: e } : params.get("connected") ? { ok: true, text: `Connected: ${params.get("connected")}` } : null;
		connect.render(view, ctx, note);
	} else {
		$("nav-home").setAttribute("aria-current", "page");
		home.render(view, ctx);
	}

	// first row
	const entries1 = firstRow(state.tabs).map((e) => ({
		id: e.id,
		label: e.label,
		count: e.kind === "group" ? e.pending : e.errors,
		countClass: e.id === "errors" && e.errors ? "errors" : "",
		countLabel: e.kind === "group" ? `${e.pending} pending` : `${e.errors} in error`,
	}));
	const isSection = (id) => SECTIONS.some((s) => s.id === id);
	renderTablist($("tabs1"), entries1, sel1, (id, o) => go(isSection(id) ? `#${id}` : `#tab/${id}`, tabId("t1-", id), o), { idPrefix: "t1-" });

	// second row
	const t2 = $("tabs2");
	if (row2) {
		t2.hidden = false;
		t2.setAttribute("aria-label", row2.label);
		renderTablist(t2, row2.entries, row2.selected, (id, o) => go(row2.pick(id), tabId("t2-", id || "all"), o), { idPrefix: "t2-" });
		for (const b of t2.querySelectorAll('[role="tab"]')) if (b.getAttribute("data-tab") === "") b.id = "t2-all";
	} else {
		t2.hidden = true;
		clear(t2);
	}

	// the panel belongs to the innermost selected tab
	const labelled = (row2 && t2.querySelector('[aria-selected="true"]')) || (sel1 && $("tabs1").querySelector('[aria-selected="true"]'));
	if (labelled) {
		view.setAttribute("role", "tabpanel");
		view.setAttribute("aria-labelledby", labelled.id);
	} else {
		view.removeAttribute("role");
		view.removeAttribute("aria-labelledby");
	}
	const heading = document.getElementById("view-title");
	document.title = heading ? `${heading.textContent} — booksync` : "booksync";
	if (state.focusTab) {
		const el = document.getElementById(state.focusTab);
		state.focusTab = null;
		if (el) el.focus();
	}
}

// go(hash, tabElementId, opts): navigate; with opts.focus the tab keeps focus.
function go(hash, tabElId, opts) {
	if (opts && opts.focus) state.focusTab = tabElId;
	if (window.location.hash === hash) refresh(false);
	else window.location.hash = hash;
}

// ---- start -----------------------------------------------------------------

function wire() {
	$("login-form").addEventListener("submit", login);
	$("logout").addEventListener("click", logout);
	$("target").addEventListener("change", (ev) => {
		state.target = ev.target.value;
		sessionStorage.setItem("bs-target", state.target);
		refresh(false);
	});
	$("sync-all").addEventListener("click", () => syncAll({}));
	$("sync-everything").addEventListener("click", () => syncAll({ everything: true }));
	$("sync-all-toggle").addEventListener("click", () => {
		const open = $("sync-all-menu").hidden;
		menuOpen(open);
		if (open) $("sync-everything").focus();
	});
	$("sync-all-menu").addEventListener("keydown", (ev) => {
		if (ev.key === "Escape") {
			menuOpen(false);
			$("sync-all-toggle").focus();
		}
	});
	document.addEventListener("click", (ev) => {
		if (!ev.target.closest(".syncall")) menuOpen(false);
	});
	// every move reads the counts again: another user or the scheduler may
	// have synced meanwhile
	window.addEventListener("hashchange", () => refresh(false));
	api.whenUnauthorized(() => showLogin("Your session has ended: log in again."));
}

async function boot() {
	wire();
	try {
		const s = await api.get("/session", { quiet401: true });
		await startSession(s);
	} catch (e) {
		showLogin(e.status === 401 ? "" : e.message);
	}
}

boot();
