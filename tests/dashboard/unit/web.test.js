// web.test.js - the dashboard's pure logic and its static rules, without a
// browser or a server (node:test, no npm packages): the web/ modules are
// copied as .mjs into a temp dir (web/ has no package.json saying they are
// ES modules) and imported; the rules of the CSP and of building the page
// without innerHTML are read from the files.
"use strict";

const { test, before } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const WEB = path.resolve(__dirname, "../../../web");
let m = {}; // module name -> its exports

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bs-web-"));
	for (const f of fs.readdirSync(WEB).filter((f) => f.endsWith(".js"))) {
		const src = fs.readFileSync(path.join(WEB, f), "utf8").replace(/from "\.\/([a-z]+)\.js"/g, 'from "./$1.mjs"');
		fs.writeFileSync(path.join(dir, f.replace(/\.js$/, ".mjs")), src);
	}
	for (const name of ["api", "chart", "home", "tabs", "settings", "jobs", "records", "table", "reconcile"])
		m[name] = await import(path.join(dir, name + ".mjs"));
});

test("every module parses (app.js too)", async () => {
	const { execFileSync } = require("node:child_process");
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bs-web-check-"));
	for (const f of fs.readdirSync(WEB).filter((f) => f.endsWith(".js"))) {
		const file = path.join(dir, f.replace(/\.js$/, ".mjs"));
		fs.copyFileSync(path.join(WEB, f), file);
		execFileSync(process.execPath, ["--check", file]); // throws with the syntax error
	}
});

test("index.html: no inline script or style, every script a module from the same origin", () => {
	const html = fs.readFileSync(path.join(WEB, "index.html"), "utf8");
	const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
	assert.ok(scripts.length >= 1);
	for (const [, attrs, body] of scripts) {
		assert.equal(body.trim(), "", "no inline script");
		assert.match(attrs, /type="module"/);
		assert.match(attrs, /src="[a-z]+\.js"/);
	}
	assert.doesNotMatch(html, /<style\b/i, "no <style> element");
	assert.doesNotMatch(html, /\sstyle=/i, "no style attribute");
	assert.doesNotMatch(html, /\son[a-z]+=/i, "no inline event handler");
	assert.doesNotMatch(html, /javascript:/i);
});

test("web/*.js: text goes in as text (no innerHTML, outerHTML, insertAdjacentHTML, document.write, eval)", () => {
	for (const f of fs.readdirSync(WEB).filter((f) => f.endsWith(".js"))) {
		const src = fs.readFileSync(path.join(WEB, f), "utf8");
		for (const bad of [/\.innerHTML\b/, /\.outerHTML\b/, /insertAdjacentHTML/, /document\.write/, /\beval\(/, /new Function\(/, /\.style\.cssText/])
			assert.doesNotMatch(src, bad, `${f} uses ${bad}`);
	}
});

test("api.query leaves out empty values and encodes the rest", () => {
	const cases = [
		[{}, ""],
		[{ a: null, b: undefined, c: "" }, ""],
		[{ tab: "sales/invoices", limit: 100 }, "?tab=sales%2Finvoices&limit=100"],
		[{ search: "a b&c" }, "?search=a+b%26c"],
		[{ target: "xero:1", cursor: null }, "?target=xero%3A1"],
	];
	for (const [inp, want] of cases) assert.equal(m.api.query(inp), want, JSON.stringify(inp));
	assert.equal(m.api.seg("SO/1 x"), "SO%2F1%20x");
});

test("chart.scale: whole steps, top at or above the largest value", () => {
	const cases = [
		[0, 1, 1], [0.5, 1, 1], [1, 1, 1], [3, 3, 1], [4, 4, 1], [7, 8, 2], [10, 10, 5],
		[22, 30, 10], [37, 40, 10], [99, 100, 25], [100, 100, 25], [615, 800, 200], [5000, 6000, 2000],
	];
	for (const [v, top, step] of cases) {
		const s = m.chart.scale(v);
		assert.deepEqual(s, { top, step }, `scale(${v})`);
		assert.ok(s.top >= v && Number.isInteger(s.step) && s.top % s.step === 0);
	}
});

test("home.lastDays and fillDays: a 30-day window, quiet days at 0 under the latest allowance", () => {
	const days = m.home.lastDays(3, new Date(Date.UTC(2026, 2, 1, 23, 59)));
	assert.deepEqual(days, ["2026-02-27", "2026-02-28", "2026-03-01"]);
	assert.equal(m.home.lastDays(30, new Date(Date.UTC(2026, 11, 5))).length, 30);
	assert.deepEqual(m.home.lastDays(2, new Date(Date.UTC(2027, 0, 1))), ["2026-12-31", "2027-01-01"]);
	const rows = [
		{ target: "xero:t", day: "2026-02-28", posted: 4, calls: 2, allowance: 5000 },
		{ target: "xero:t", day: "2026-02-27", posted: 1, calls: 1, allowance: 4000 },
	];
	const filled = m.home.fillDays(days, rows);
	assert.deepEqual(filled.map((r) => [r.day, r.posted, r.calls, r.allowance]), [
		["2026-02-27", 1, 1, 4000],
		["2026-02-28", 4, 2, 5000],
		["2026-03-01", 0, 0, 5000],
	]);
	// no allowance known (QuickBooks Online has no daily limit): null
	assert.equal(m.home.fillDays(["2026-01-01"], [{ target: "qbo:1", day: "2026-01-02", posted: 1, calls: 1, allowance: null }])[0].allowance, null);
	// a day past the window (the browser's clock behind the server's) is kept, in order
	assert.deepEqual(m.home.fillDays(["2026-01-01"], [{ target: "x", day: "2026-01-02", posted: 1, calls: 1 }]).map((r) => r.day), ["2026-01-01", "2026-01-02"]);
});

test("tabs: labels, groups and the first row's counts", () => {
	const tabs = [
		{ tab: "sales/customers", group: "sales", label: "Customers", pending: 2, errors: 0 },
		{ tab: "sales/invoices", group: "sales", label: "Invoices", pending: 8, errors: 1 },
		{ tab: "purchases/payments", group: "purchases", label: "Payments", pending: 1, errors: 2 },
		{ tab: "other/journals", group: "other", label: "Journals", pending: 3, errors: 0 },
	];
	assert.equal(m.tabs.shortLabel({ tab: "sales/invoices", label: "Sales > Invoices" }), "Invoices");
	assert.equal(m.tabs.shortLabel({ tab: "sales/credit-notes" }), "credit-notes");
	assert.equal(m.tabs.fullLabel(tabs[1]), "Sales > Invoices");
	assert.equal(m.tabs.fullLabel({ tab: "adjustments/cogs", label: "COGS" }), "Adjustments & COGS > COGS");
	assert.equal(m.tabs.fullLabel({ tab: "other/journals", label: "Other > Journals" }), "Other > Journals");
	assert.equal(m.tabs.groupLabel("retail"), "Retail");
	assert.equal(m.tabs.groupLabel("other"), "Other");
	const row = m.tabs.firstRow(tabs);
	assert.deepEqual(row.map((e) => e.label), ["Sales", "Purchases", "Adjustments & COGS", "Retail", "Other", "Errors", "Consolidated", "History", "Settings"]);
	const by = Object.fromEntries(row.map((e) => [e.id, e]));
	assert.equal(by.sales.pending, 10);
	assert.equal(by.purchases.pending, 1);
	assert.equal(by.retail.pending, 0);
	assert.equal(by.other.pending, 3);
	assert.equal(by.errors.errors, 3);
	assert.deepEqual(m.tabs.SYNC_ALL_TABS, ["sales/customers", "sales/invoices", "purchases/suppliers", "purchases/supplier-invoices", "adjustments/cogs"]);
	assert.equal(m.tabs.tabId("t2-", "sales/credit-notes"), "t2-sales-credit-notes");
});

test("settings.normalise reads the API's items and a plain object alike", () => {
	const got = m.settings.normalise({
		items: [
			{ key: "invoice_status", value: "AUTHORISED", default: "AUTHORISED", help: "h", choices: ["DRAFT", "AUTHORISED"], secret: false, set: true, pattern: false },
			{ key: "tax.sales.*", value: null, default: "", help: "f", choices: null, pattern: true },
			{ key: "qbo.client_secret", value: null, default: "", help: "s", choices: null, secret: true, set: true },
		],
	});
	assert.deepEqual(got.map((s) => [s.key, s.value, s.family, s.secret, s.set, s.choices]), [
		["invoice_status", "AUTHORISED", false, false, true, ["DRAFT", "AUTHORISED"]],
		["tax.sales.*", "", true, false, false, null],
		["qbo.client_secret", "", false, true, true, null],
	]);
	assert.deepEqual(m.settings.normalise({ "account.sales": "200" }).map((s) => [s.key, s.value]), [["account.sales", "200"]]);
	assert.deepEqual(m.settings.normalise({ items: [{ key: "x", value: 1, choices: "a|b" }] })[0].choices, ["a", "b"]);
});

test("jobs.describe: each state in words", () => {
	const base = { id: 7, progress: { posted: 0, failed: 0, calls: 0, total: 0 }, summary: null, message: "" };
	const cases = [
		[{ state: "queued" }, "Sync job 7 is queued."],
		[{ state: "running", phase: "plan" }, "Sync job 7 is planning."],
		[{ state: "running", phase: "send", progress: { posted: 3, failed: 1, total: 10 } }, "Sync job 7 is sending: 4 of 10 documents (3 posted, 1 failed)."],
		[{ state: "running", phase: "lock" }, "Sync job 7 is waiting for the ledger's sync lock."],
		[{ state: "done", summary: { posted: 5, failed: 0, skipped: 1, waiting: 2, calls: 3 } }, "Sync job 7 finished: 5 posted, 0 failed, 1 skipped, 2 waiting, 3 API calls."],
		[{ state: "done", summary: { posted: 0, failed: 1, skipped: 0, waiting: 0, calls: 0 } }, "Sync job 7 finished: 0 posted, 1 failed, 0 skipped, 0 waiting, 0 API calls. See Errors for the ledger's message."],
		[{ state: "failed", message: "serve stopped" }, "Sync job 7 failed. serve stopped"],
	];
	for (const [j, want] of cases) assert.equal(m.jobs.describe({ ...base, ...j }), want);
});

test("records: state names as the user knows them, refs split once", () => {
	const cases = [
		["not_imported", "Not Imported Yet Or Reset For Re-import"],
		["changed", "Has changes"],
		["waiting", "Waiting"],
		["error", "Error"],
		["imported", "Imported"],
		["consolidated", "Consolidated"],
		["something_new", "something_new"],
	];
	for (const [s, want] of cases) assert.equal(m.records.stateLabel(s), want);
	assert.deepEqual(m.records.refParts({ ref: "sale:SO:1" }), ["sale", "SO:1"]);
	assert.deepEqual(m.records.refParts({ ref: "x:y", kind: "sale", id: "SO-1" }), ["sale", "SO-1"]);
});

test("table: columns in first-seen order, cells as text", () => {
	assert.deepEqual(m.table.columnsOf([{ a: 1, b: 2 }, { c: 3, a: 4 }]), ["a", "b", "c"]);
	assert.equal(m.table.cell(null), "");
	assert.equal(m.table.cell({ x: 1 }), '{"x":1}');
	assert.equal(m.table.cell(0), "0");
	assert.equal(m.table.headerText("ledger_number"), "Ledger number");
});

test("reconcile: the 24-hour flag, the counts and a row's cells in words", () => {
	assert.equal(m.reconcile.flagText({ applied: 3, skipped: 1, failed: 0, overdue: 0 }), "");
	assert.equal(m.reconcile.flagText(undefined), "");
	assert.equal(m.reconcile.flagText({ overdue: 1 }), "1 payment unapplied for over 24 hours");
	assert.equal(m.reconcile.flagText({ overdue: 12 }), "12 payments unapplied for over 24 hours");
	assert.equal(m.reconcile.summary({ applied: 3, skipped: 1, failed: 2, overdue: 1 }), "3 applied, 1 skipped, 2 failed");
	assert.equal(m.reconcile.summary(null), "0 applied, 0 skipped, 0 failed");
	assert.equal(m.reconcile.summary({ applied: 0, skipped: 1, failed: 0, reversed: 2, overdue: 0 }), "0 applied, 1 skipped, 0 failed, 2 reversed");
	const row = { ledger_payment_id: "pay-9", state: "skipped", reason: "partial payment", amount: "69.00", currency: "NZD", customer: "C-1", date: "2026-11-10", overdue: true };
	assert.deepEqual(m.reconcile.cells(row), ["2026-11-10", "C-1", "69.00 NZD", "pay-9", "skipped", "partial payment", "over 24 h"]);
	assert.deepEqual(m.reconcile.cells({ ...row, customer: null, reason: "unknown customer", overdue: false, date: null }), ["", "not linked", "69.00 NZD", "pay-9", "skipped", "unknown customer", ""]);
});
