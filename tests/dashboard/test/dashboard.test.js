// dashboard.test.js - the dashboard in a real browser (Debian's chromium,
// headless, driven by npm's playwright-core): the seven steps of issue 12's
// "Done when", each a subtest, then Sync All, a screenshot of each tab, an
// axe-core accessibility check of each page and logging out, against a
// `booksync serve` and a `booksync
// sandbox xero` that tests/integration/dashboard.sh started and described
// in the environment:
//   BS_URL      the dashboard (serve's URL)        BS_SB_URL  the sandbox
//   BS_USER     a user made with `booksync user add`, BS_PASS its password
//   BS_OUT      where screenshots and the CSV go
//   BOOKSYNC    the binary, BOOKSYNC_DB its store (for the record that
//               arrives during the run, as the source system would send it)
//   BS_CHROMIUM the browser (default /usr/bin/chromium)
// Every check reads what the page shows; a missing endpoint fails the step
// that needs it with the API's answer.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { chromium } = require("playwright-core");

const env = (k) => {
	const v = process.env[k];
	if (!v) throw new Error(`${k} is not set (run tests/integration/dashboard.sh)`);
	return v;
};
const URL0 = env("BS_URL");
const SB = env("BS_SB_URL");
const OUT = env("BS_OUT");
const WAIT = 30000; // a sync job against the sandbox takes a few seconds at most

let browser, context, page;
const consoleErrors = [];
let shot = 0;

async function snap(name) {
	shot++;
	const file = path.join(OUT, `${String(shot).padStart(2, "0")}-${name}.png`);
	await page.screenshot({ path: file, fullPage: true });
	return file;
}

// The rows of the table on the current tab, as {ref, text}.
async function rows() {
	return page.$$eval("#rows tbody tr[data-ref]", (trs) => trs.map((tr) => ({ ref: tr.getAttribute("data-ref"), text: tr.textContent })));
}

// runJob(action): do action (a click that starts a sync), then wait until
// the job bar shows a new job finished (done or failed); its state.  A sync
// the API refused shows its message on the page instead: that message
// fails the step.
async function runJob(action) {
	const prev = await page.getAttribute("#job", "data-job");
	await action();
	const h = await page.waitForFunction(
		(prev) => {
			const err = document.getElementById("list-error");
			if (err && err.textContent) return "refused: " + err.textContent;
			const j = document.getElementById("job");
			if (j && !j.hidden && j.dataset.job !== prev && (j.dataset.state === "done" || j.dataset.state === "failed"))
				return j.dataset.state;
			return false;
		},
		prev,
		{ timeout: WAIT }
	);
	const state = await h.jsonValue();
	if (state.startsWith("refused: ")) assert.fail("the sync was " + state);
	return state;
}

// waitRows(refs): the table shows exactly these rows (in this order): a tab
// is drawn again after each job, so its rows arrive a moment after it clears.
async function waitRows(refs) {
	try {
		await page.waitForFunction(
			(want) => JSON.stringify([...document.querySelectorAll("#rows tbody tr[data-ref]")].map((tr) => tr.getAttribute("data-ref"))) === want,
			JSON.stringify(refs),
			{ timeout: WAIT }
		);
	} catch (e) {
		assert.deepEqual((await rows()).map((r) => r.ref), refs); // says what is there instead
		throw e;
	}
	return rows();
}

// waitSelected(list, name): the tab of list ("#tabs1"/"#tabs2") whose text
// starts with name is selected and the view belongs to it (a view is drawn
// once the counts are read again, a moment after the click).
async function waitSelected(list, name) {
	await page.waitForFunction(
		([list, name]) => {
			const t = [...document.querySelectorAll(`${list} [role=tab]`)].find((x) => x.textContent.startsWith(name));
			return t && t.getAttribute("aria-selected") === "true" && document.getElementById("view").getAttribute("aria-labelledby") === (list === "#tabs1" && !document.getElementById("tabs2").hidden ? document.querySelector("#tabs2 [aria-selected=true]").id : t.id);
		},
		[list, name]
	);
	await page.waitForSelector("#view-title");
}

async function openTab(first, second) {
	await page.getByRole("tablist", { name: "Sections" }).getByRole("tab", { name: new RegExp("^" + first) }).click();
	await waitSelected("#tabs1", first);
	if (second) {
		await page.locator("#tabs2").getByRole("tab", { name: new RegExp("^" + second) }).click();
		await waitSelected("#tabs2", second);
	}
}

async function countOn(tablist, name) {
	const t = page.locator(tablist).getByRole("tab", { name: new RegExp("^" + name) });
	const c = await t.locator(".count").textContent();
	return Number(c);
}

before(async () => {
	fs.mkdirSync(OUT, { recursive: true });
	browser = await chromium.launch({
		executablePath: process.env.BS_CHROMIUM || "/usr/bin/chromium",
		headless: true,
		// root in a container has no user namespace for chromium's sandbox
		args: process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : [],
	});
	context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 860 } });
	page = await context.newPage();
	page.setDefaultTimeout(WAIT);
	page.on("console", (m) => {
		// an answer's 4xx is logged by the browser too: those the steps expect
		// (the 401 before logging in, a refused setting) are not script errors
		if (m.type() === "error" && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()))
			consoleErrors.push(m.text());
	});
	page.on("pageerror", (e) => consoleErrors.push("page error: " + e.message));
});

after(async () => {
	if (browser) await browser.close();
});

test("dashboard", async (t) => {
	await t.test("1 log in", async () => {
		await page.goto(URL0 + "/");
		await page.waitForSelector("#login-form");
		// a wrong password is refused with a message, and the form stays
		await page.getByLabel("User name").fill(env("BS_USER"));
		await page.getByLabel("Password").fill("not the password");
		await page.getByRole("button", { name: "Log in" }).click();
		await page.waitForFunction(() => document.getElementById("login-error").textContent !== "");
		assert.match(await page.textContent("#login-error"), /do not match|password|locked|denied/i);
		await page.getByLabel("Password").fill(env("BS_PASS"));
		await page.getByRole("button", { name: "Log in" }).click();
		await page.waitForSelector("#app-view:not([hidden])");
		assert.equal(await page.textContent("#who"), env("BS_USER"));
		const cookies = await context.cookies();
		const sess = cookies.find((c) => c.name === "bs_session");
		assert.ok(sess, "the bs_session cookie is set");
		assert.equal(sess.httpOnly, true, "the session cookie is HttpOnly");
		assert.equal(sess.sameSite, "Strict");
		await snap("home-before-connect");
	});

	await t.test("2 connect to the Xero sandbox", async () => {
		await page.click("#nav-connect");
		await page.waitForSelector("#connect-xero");
		await page.getByLabel("Ledger address (optional)").first().fill(SB);
		await page.click("#connect-xero");
		// the sandbox approves at once and the callback brings us back; an
		// API that refuses (or lacks) the endpoint shows why on the page
		await page.waitForSelector("#ledger-xero .status-ok, #connect-error:not(:empty)", { timeout: WAIT });
		const refused = await page.$("#connect-error:not(:empty)");
		if (refused) assert.fail("connecting was refused: " + (await refused.textContent()));
		assert.match(await page.textContent("#ledger-xero"), /Connected/);
		assert.match(await page.textContent("#connect-xero"), /Reconnect Xero/);
		await snap("connect");
	});

	await t.test("3 see the pending counts", async () => {
		await page.click("#nav-home");
		await openTab("Sales", "Invoices");
		// second row: Customers, Invoices, Credit Notes, Payments with counts
		const names = await page.locator("#tabs2 [role=tab]").allTextContents();
		assert.deepEqual(
			names.map((n) => n.replace(/\d+$/, "")),
			["Customers", "Invoices", "Credit Notes", "Payments"]
		);
		assert.equal(await page.title(), "Sales > Invoices — booksync");
		assert.equal(await countOn("#tabs2", "Invoices"), 8, "8 sales wait on Sales > Invoices");
		assert.equal(await countOn("#tabs2", "Customers"), 2);
		assert.equal(await countOn("#tabs1", "Sales"), 10);
		const r = await waitRows(["sale:SH-1", "sale:SH-2", "sale:SO-1", "sale:SO-2", "sale:SO-3", "sale:SO-4", "sale:SO-5", "sale:SO-W"]);
		assert.ok(r.find((x) => x.ref === "sale:SO-W"), "SO-W is listed (not invoiced: it will wait)");
		assert.match(r.find((x) => x.ref === "sale:SO-1").text, /Aroha Ltd.*2026-10-01.*115\.00/);
		// the tabs answer the keyboard: ArrowRight moves to the next tab and selects it
		await page.locator("#tabs2 [role=tab][aria-selected=true]").focus();
		await page.keyboard.press("ArrowRight");
		await page.waitForFunction(() => document.activeElement && document.activeElement.textContent.startsWith("Credit Notes"));
		assert.equal(await page.getAttribute("#tabs2 [role=tab]:focus", "aria-selected"), "true");
		assert.equal(await page.getAttribute("#view", "role"), "tabpanel");
		await page.keyboard.press("ArrowLeft");
		await page.waitForSelector("#rows tbody tr[data-ref='sale:SO-1']");
		// the Sync All menu lists what it covers
		await page.getByRole("button", { name: "What Sync All covers" }).click();
		const covers = await page.locator("#sync-all-list li").allTextContents();
		assert.deepEqual(
			covers.map((c) => c.replace(/\d+$/, "")),
			["Sales > Customers", "Sales > Invoices", "Purchases > Suppliers", "Purchases > Supplier Invoices", "Adjustments & COGS > COGS"]
		);
		await snap("sync-all-menu");
		await page.keyboard.press("Escape");
		assert.equal(await page.getAttribute("#sync-all-toggle", "aria-expanded"), "false");
		assert.equal(await page.evaluate(() => document.activeElement.id), "sync-all-toggle", "Escape gives focus back to the toggle");
	});

	await t.test("4 tick three invoices, Upload Selected, watch them leave", async () => {
		for (const ref of ["SO-1", "SO-2", "SO-3"]) await page.getByRole("checkbox", { name: `Select ${ref}`, exact: true }).check();
		assert.match(await page.textContent("#list-counts"), /3 selected/);
		await page.screenshot({ path: path.join(OUT, "invoices.png") });
		await snap("sales-invoices-selected");
		assert.equal(await runJob(() => page.click("#upload-selected")), "done", await page.textContent("#job-text"));
		assert.match(await page.textContent("#job-text"), /finished: [1-9]\d* posted, 0 failed/);
		// the listing order: date, then kind and id
		await waitRows(["sale:SH-1", "sale:SH-2", "sale:SO-4", "sale:SO-5", "sale:SO-W"]);
		assert.equal(await countOn("#tabs2", "Invoices"), 5);
	});

	await t.test("5 Upload All", async () => {
		assert.equal(await runJob(() => page.click("#upload-all")), "done", await page.textContent("#job-text"));
		// what may not post yet stays, with its reason
		const left = await waitRows(["sale:SO-W"]);
		assert.match(left[0].text, /not invoiced yet/);
		assert.equal(await countOn("#tabs2", "Customers"), 0, "the customers went with their invoices");
		await snap("sales-invoices-after-upload-all");
	});

	await t.test("6 an unknown account: Errors with the ledger's message, fix the setting, re-sync", async () => {
		// a new order arrives from the source system
		const rec = path.join(OUT, "so6.jsonl");
		fs.writeFileSync(
			rec,
			JSON.stringify({ kind: "sale", id: "SO-6", reference: "SO-6", customer_id: "C-1", date: "2026-10-06", invoiced: true, tax_mode: "exclusive", lines: [{ description: "Widget", qty: "2", unit_price: "30.00", tax_rate: "15" }] }) + "\n"
		);
		execFileSync(env("BOOKSYNC"), ["import", rec], { env: process.env });

		// Settings: a bad value is refused with the catalogue's message
		await openTab("Settings");
		const field = page.getByLabel("account.sales", { exact: true });
		await field.fill("no such!");
		await page.locator('form[data-key="account.sales"] button[type=submit]').click();
		const msg = page.locator('form[data-key="account.sales"] .error');
		await page.waitForFunction(() => document.querySelector('form[data-key="account.sales"] .error').textContent !== "");
		assert.match(await msg.textContent(), /account/);
		assert.equal(await field.getAttribute("aria-invalid"), "true");
		await snap("settings-validation");
		// the Failed events panel (GET /api/v1/events?state=dead): none here
		await page.waitForSelector('.events-failed p.hint:text("No failed events.")');
		// an account code the ledger does not have is valid as text
		await field.fill("999");
		await page.locator('form[data-key="account.sales"] button[type=submit]').click();
		await page.waitForSelector('form[data-key="account.sales"] .saved:text("Saved")');

		await openTab("Sales", "Invoices");
		await page.getByRole("checkbox", { name: "Select SO-6", exact: true }).check();
		await runJob(() => page.click("#upload-selected"));
		assert.match(await page.textContent("#job-text"), /1 failed/);
		assert.equal(await page.getAttribute("#job-errors", "href"), "#errors", "the failure links to Errors");
		await waitRows(["sale:SO-W"]);
		assert.equal(await countOn("#tabs1", "Errors"), 1);

		await openTab("Errors", "Invoices");
		const r = await waitRows(["sale:SO-6"]);
		assert.match(r[0].text, /999/, "the message names the account");
		const link = page.locator("#rows tr[data-ref='sale:SO-6'] a");
		assert.equal(await link.getAttribute("href"), "#history/sale/SO-6");
		await snap("errors-invoices");

		// the record's page, from its link
		await link.click();
		await page.waitForSelector("#history-out h3");
		assert.match(await page.textContent("#history-out"), /error/i);
		await snap("history-so6");

		// fix the setting, then Re-sync from Errors
		await openTab("Settings");
		await page.getByLabel("account.sales", { exact: true }).fill("200");
		await page.locator('form[data-key="account.sales"] button[type=submit]').click();
		await page.waitForSelector('form[data-key="account.sales"] .saved:text("Saved")');
		await openTab("Errors", "Invoices");
		assert.equal(await runJob(() => page.getByRole("button", { name: "Re-sync SO-6" }).click()), "done", await page.textContent("#job-text"));
		await waitRows([]);
		assert.equal(await countOn("#tabs1", "Errors"), 0);
		await page.goto(URL0 + "/#history/sale/SO-6");
		await page.waitForSelector("#history-out h3");
		assert.match(await page.textContent("#history-out"), /imported/i);
	});

	await t.test("7 export the consolidated view as CSV", async () => {
		await openTab("Consolidated");
		await page.waitForSelector("#cons-rows table");
		const all = await page.textContent("#cons-rows");
		assert.match(all, /SH-1/);
		assert.match(all, /SH-2/);
		await page.getByLabel("Search").fill("SH-1");
		await page.getByRole("button", { name: "Search", exact: true }).click();
		await page.waitForFunction(() => !document.getElementById("cons-rows").textContent.includes("SH-2"));
		await snap("consolidated");
		const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
		const file = path.join(OUT, "consolidated.csv");
		await dl.saveAs(file);
		assert.equal(dl.suggestedFilename(), "consolidated.csv");
		const csv = fs.readFileSync(file, "utf8").trim().split(/\r?\n/);
		assert.ok(csv.length >= 2, "a header and at least one row");
		assert.match(csv[0], /,/);
		assert.ok(csv.slice(1).some((l) => l.includes("SH-1")), "the filtered view: SH-1 is in the CSV");
		assert.ok(!csv.slice(1).some((l) => l.includes("SH-2")), "the filtered view: SH-2 is not");
	});

	await t.test("a changed consolidated member: refused, on Errors, dismissed", async () => {
		// the source sends SH-1 again with another quantity; its day's
		// document is posted, so the import refuses it (exit 1)
		const rec = path.join(OUT, "sh1-changed.jsonl");
		fs.writeFileSync(
			rec,
			JSON.stringify({ kind: "sale", id: "SH-1", reference: "SH-1", customer_id: "C-1", date: "2026-10-01", invoiced: true, channel: { type: "Shopify", name: "MyShop" }, tax_mode: "exclusive", lines: [{ description: "Widget", qty: "3", unit_price: "25.00", tax_rate: "15" }] }) + "\n"
		);
		assert.throws(() => execFileSync(env("BOOKSYNC"), ["import", rec], { env: process.env, stdio: "pipe" }), /consolidated document/);
		await page.goto(URL0 + "/#home");
		await openTab("Errors");
		await page.waitForSelector("#refused:not([hidden]) tr[data-ref='sale:SH-1']");
		assert.match(await page.textContent("#refused"), /SO-2026\/10\/01-Shopify\(MyShop\)-1/, "the refusal names the document");
		assert.equal(await countOn("#tabs1", "Errors"), 1, "counted among the errors");
		await snap("errors-refused");
		await page.getByRole("button", { name: "Dismiss the refusal of SH-1" }).click();
		await page.waitForSelector("#refused", { state: "hidden" });
		await page.waitForFunction(() => {
			const t = [...document.querySelectorAll("#tabs1 [role=tab]")].find((x) => x.textContent.startsWith("Errors"));
			return t && t.querySelector(".count").textContent === "0";
		});
	});

	await t.test("Sync All uploads the tabs its menu lists, and only those", async () => {
		// left: Purchases > Suppliers (S-1, covered) and Other > Products (P-1, not)
		assert.equal(await countOn("#tabs1", "Purchases"), 1);
		assert.equal(await countOn("#tabs1", "Other"), 1);
		assert.equal(await runJob(() => page.click("#sync-all")), "done", await page.textContent("#job-text"));
		await page.waitForFunction(() => {
			const t = [...document.querySelectorAll("#tabs1 [role=tab]")].find((x) => x.textContent.startsWith("Purchases"));
			return t && t.querySelector(".count").textContent === "0";
		});
		assert.equal(await countOn("#tabs1", "Other"), 1, "Products is not a Sync All tab");
	});

	await t.test("payments to reconcile: skipped and failed ones with their reason, the 24-hour flag", async () => {
		// three payments as the inbound import records them (docs/inbound.md):
		// applied, skipped two days ago (overdue), failed an hour ago
		const now = Date.now();
		const row = (id, state, reason, sale, amount, ago) =>
			`SELECT id, '${id}', '${state}', '${reason}', 'ct-1', 'C-1', '', '${sale}', 'NZD', ${amount}, '2026-10-20', ${now}, '', ${now - ago} FROM targets`;
		execFileSync("sqlite3", [
			env("BOOKSYNC_DB"),
			"INSERT INTO inbound_payments(target, ledger_id, state, reason, contact, customer, invoice, sale, currency, amount, date, updated_ms, event, decided_ms) " +
				[row("pay-a", "applied", "", "SO-1", 115000000, 3 * 3600e3), row("pay-s", "skipped", "partial payment", "", 69000000, 48 * 3600e3), row("pay-f", "failed", "<b>event refused</b>", "", 5000000, 3600e3)].join(" UNION ALL "),
		]);
		await page.click("#nav-home");
		await page.waitForSelector("#reconcile-table");
		assert.match(await page.textContent("#reconcile-flag"), /1 payment unapplied for over 24 hours/);
		assert.equal(await page.isVisible("#reconcile-flag"), true);
		assert.match(await page.textContent("#reconcile-counts"), /1 applied, 1 skipped, 1 failed/);
		const rows = await page.$$eval("#reconcile-table tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
		assert.deepEqual(rows, [
			["2026-10-20", "C-1", "69.00 NZD", "pay-s", "skipped", "partial payment", "over 24 h", "Reconciled"],
			["2026-10-20", "C-1", "5.00 NZD", "pay-f", "failed", "<b>event refused</b>", "", "Reconciled"],
		]);
		assert.equal(await page.$("#reconcile-table b"), null, "a reason is text, never markup");
		const section = page.getByRole("region", { name: "Payments to reconcile" });
		assert.equal(await section.count(), 1);
		// reconciled by hand in the ledger: marked, off the list, the flag gone
		await page.getByRole("button", { name: "Mark payment pay-s reconciled" }).click();
		await page.waitForFunction(() => document.querySelectorAll("#reconcile-table tbody tr").length === 1);
		assert.equal(await page.isVisible("#reconcile-flag"), false);
		assert.match(await page.textContent("#reconcile-counts"), /1 applied, 0 skipped, 1 failed/);
		const state = execFileSync("sqlite3", [env("BOOKSYNC_DB"), "SELECT state || ' ' || reason FROM inbound_payments WHERE ledger_id = 'pay-s'"]).toString().trim();
		assert.match(state, /^reconciled reconciled by hand \(/);
	});

	await t.test("a screenshot of each tab; no script or CSP error", async () => {
		await page.click("#nav-home");
		// today's bar of documents posted is up (30 days shown, the quiet ones at 0)
		await page.waitForSelector("#charts figure svg");
		const bars = await page.$$eval("#t1-posted svg rect", (rs) => rs.map((r) => Number(r.getAttribute("height"))));
		assert.equal(bars.length, 30);
		assert.ok(bars[bars.length - 1] > 0, "today's documents posted show");
		assert.match(await page.textContent("#charts"), /documents posted with \d+ API calls/);
		await snap("home");
		const first = await page.locator("#tabs1 [role=tab]").allTextContents();
		assert.deepEqual(
			first.map((n) => n.replace(/\d+$/, "")),
			["Sales", "Purchases", "Adjustments & COGS", "Retail", "Other", "Errors", "Consolidated", "History", "Settings"]
		);
		const n = first.length;
		for (let i = 0; i < n; i++) {
			const tab = page.locator("#tabs1 [role=tab]").nth(i);
			const name = (await tab.textContent()).replace(/\d+$/, "");
			await tab.click();
			await waitSelected("#tabs1", name);
			await snap("tab-" + name.toLowerCase().replace(/[^a-z]+/g, "-"));
		}
		assert.deepEqual(consoleErrors, [], "no console errors (a CSP violation would be one)");
	});

	await t.test("accessibility: axe finds no serious or critical WCAG 2 A/AA violation on any page", async () => {
		// axe is injected as a script, which the CSP rightly refuses: a second
		// context, with the same session, bypasses the CSP for this check only
		const a11y = await browser.newContext({ bypassCSP: true, storageState: await context.storageState(), viewport: { width: 1280, height: 860 } });
		const p = await a11y.newPage();
		p.setDefaultTimeout(WAIT);
		const axe = require.resolve("axe-core/axe.min.js");
		const found = [];
		try {
			for (const route of ["#home", "#connect", "#tab/sales/invoices", "#tab/purchases", "#errors", "#consolidated", "#history/sale/SO-6", "#settings"]) {
				await p.goto(URL0 + "/" + route);
				await p.waitForSelector("#view-title");
				await p.waitForLoadState("networkidle");
				await p.addScriptTag({ path: axe });
				const v = await p.evaluate(async () => {
					const r = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
					return {
						passes: r.passes.length,
						other: r.violations.map((x) => `${x.impact} ${x.id}`),
						bad: r.violations.filter((x) => x.impact === "serious" || x.impact === "critical").map((x) => `${x.id}: ${x.help} (${x.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`),
					};
				});
				assert.ok(v.passes > 10, `axe ran its rules on ${route}`);
				if (v.other.length) console.log(`# axe on ${route}: ${v.other.join(", ")}`);
				for (const line of v.bad) found.push(`${route} ${line}`);
			}
		} finally {
			await a11y.close();
		}
		assert.deepEqual(found, []);
	});

	await t.test("log out", async () => {
		await page.getByRole("button", { name: "Log out" }).click();
		await page.waitForSelector("#login-view:not([hidden])");
		await page.reload();
		await page.waitForSelector("#login-view:not([hidden])");
	});
});
