// api.test.js - every endpoint of `booksync serve`, each answer validated
// against docs/openapi.yaml (lib/openapi.js): successes, and the errors a
// client meets (no token, a bad one, the wrong scope, a bad cursor, limit,
// tab or setting, malformed bodies, unknown records).
//
// Started by tests/integration/serve_api_conformance.sh, which runs a real
// `booksync serve` on a store connected to `booksync sandbox xero`, with
// the example records imported and synced once.  Env: BS_API_URL,
// BS_TOKEN_ALL (every scope), BS_TOKEN_READ (read only), BS_USER,
// BS_PASSWORD.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("fs");
const path = require("path");
const { load } = require("../lib/openapi");

const api = load();
const URL_ = process.env.BS_API_URL;
const ALL = process.env.BS_TOKEN_ALL;
const READ = process.env.BS_TOKEN_READ;
const problems = [];
const skipped = new Set(); // operations this build does not have yet

// One request; its answer is validated and returned as {status, headers, text, json}.
async function call(method, p, { token = ALL, body, type, headers = {}, cookie } = {}) {
  const h = Object.assign({}, headers);
  if (token) h.Authorization = `Bearer ${token}`;
  if (cookie) h.Cookie = cookie;
  if (body !== undefined) {
    h["Content-Type"] = type || "application/json";
    if (typeof body !== "string") body = JSON.stringify(body);
  }
  const res = await fetch(URL_ + p, { method, headers: h, body, redirect: "manual" });
  const text = await res.text();
  const urlPath = new URL(URL_ + p).pathname;
  const found = api.check(method, urlPath, res.status, res.headers.get("content-type"), text);
  problems.push(...found);
  assert.deepEqual(found, [], found.join("\n"));
  let json = null;
  if ((res.headers.get("content-type") || "").startsWith("application/json")) json = JSON.parse(text);
  return { status: res.status, headers: res.headers, text, json };
}

function isError(r, status, param) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.error.status, status);
  if (param !== undefined) assert.equal(r.json.error.param, param, r.text);
}

test("env", () => {
  assert.ok(URL_ && ALL && READ, "BS_API_URL, BS_TOKEN_ALL and BS_TOKEN_READ are set");
});

test("the document: every schema compiles, every route of the server is described", () => {
  for (const name of Object.keys(api.doc.components.schemas)) {
    assert.doesNotThrow(() => api.ajv.compile({ $ref: `${api.docId}#/components/schemas/${name}` }), name);
  }
  // the route table (src/api/api_routes.c) against the document's operations
  const root = process.env.BS_SOURCE_DIR || path.resolve(__dirname, "../../..");
  const table = fs.readFileSync(path.join(root, "src/api/api_routes.c"), "utf8");
  const routes = [...table.matchAll(/\{"(GET|POST|PUT|DELETE)", "(?:\/api\/v1)?(\/[^"]*)"/g)].map((m) => `${m[1]} ${m[2]}`);
  assert.ok(routes.length > 20, "routes read from api_routes.c");
  const ops = new Set(api.operations());
  assert.deepEqual(routes.filter((r) => !ops.has(r)), [], "routes missing from docs/openapi.yaml");
  assert.deepEqual(api.operations().filter((o) => !routes.includes(o)), [], "operations the server does not route");
});

test("health and credentials", async () => {
  assert.equal((await call("GET", "/api/v1/healthz", { token: null })).json.status, "ok");
  isError(await call("GET", "/api/v1/pending", { token: null }), 401);
  isError(await call("GET", "/api/v1/pending", { token: "bst_" + "A".repeat(43) }), 401);
  isError(await call("POST", "/api/v1/records", { token: READ, body: {} }), 403);
  isError(await call("GET", "/api/v1/settings", { token: READ }), 403);
});

test("session", async () => {
  const r = await call("POST", "/api/v1/session", {
    token: null,
    body: { name: process.env.BS_USER, password: process.env.BS_PASSWORD },
  });
  assert.equal(r.status, 200);
  const cookie = r.headers.get("set-cookie").split(";")[0];
  assert.equal((await call("GET", "/api/v1/session", { token: null, cookie })).status, 200);
  isError(await call("DELETE", "/api/v1/session", { token: null, cookie }), 403); // no CSRF
  const out = await call("DELETE", "/api/v1/session", {
    token: null,
    cookie,
    headers: { "X-CSRF-Token": r.json.csrf },
  });
  assert.equal(out.status, 204);
  isError(await call("GET", "/api/v1/session", { token: null, cookie }), 401);
  isError(
    await call("POST", "/api/v1/session", { token: null, body: { name: process.env.BS_USER, password: "wrong password" } }),
    401,
  );
  isError(await call("POST", "/api/v1/session", { token: null, body: "{not json" }), 400);
});

test("users", async () => {
  const r = await call("GET", "/api/v1/users");
  assert.ok(r.json.items.some((u) => u.name === process.env.BS_USER));
  const add = await call("POST", "/api/v1/users", { body: { name: "conformance", password: "a long password" } });
  assert.equal(add.status, 201);
  assert.equal((await call("DELETE", "/api/v1/users/conformance")).status, 204);
  isError(await call("DELETE", "/api/v1/users/conformance"), 404);
});

test("POST /records: one, an array, JSON Lines, refusals", async () => {
  const c = { kind: "customer", id: "API-C1", name: "API Customer" };
  let r = await call("POST", "/api/v1/records", { body: c });
  assert.equal(r.json.items[0].ref, "customer:API-C1");
  r = await call("POST", "/api/v1/records", { body: [c, { kind: "customer", id: "API-C2", name: "Two" }] });
  assert.deepEqual(r.json.items.map((i) => i.result), ["unchanged", "new"]);
  r = await call("POST", "/api/v1/records", {
    type: "application/x-ndjson",
    body:
      JSON.stringify({ kind: "customer", id: "API-C3", name: "Three" }) +
      "\n{oops\n" +
      JSON.stringify({ kind: "customer", id: "API-C4" }) +
      "\n",
  });
  assert.equal(r.json.summary.rejected, 2);
  assert.match(r.json.items[1].message, /^body: line 2: /);
  assert.match(r.json.items[2].message, /^body: line 3: /);
  isError(await call("POST", "/api/v1/records", { body: "[{" }), 400);
  isError(await call("POST", "/api/v1/records", { body: "" }), 400);
  isError(await call("POST", "/api/v1/records", { body: "<x/>", type: "application/xml" }), 415);
});

test("GET /records/{kind}/{id} and history", async () => {
  const r = await call("GET", "/api/v1/records/sale/SO-1001");
  assert.equal(r.json.ref, "sale:SO-1001");
  assert.equal(r.json.targets.length, 1);
  isError(await call("GET", "/api/v1/records/sale/NOPE"), 404);
  isError(await call("GET", "/api/v1/records/spaceship/1"), 404, "kind");
  const h = await call("GET", "/api/v1/history/sale/SO-1001");
  assert.ok(h.json.items.length >= 1);
  isError(await call("GET", "/api/v1/history/sale/NOPE"), 404);
  isError(await call("GET", "/api/v1/history/sale/SO-1001?limit=0"), 400, "limit");
});

async function walk(list, query) {
  const refs = [];
  let cursor = null;
  for (let pages = 0; pages < 1000; pages++) {
    const q = new URLSearchParams(query);
    if (cursor) q.set("cursor", cursor);
    const r = await call("GET", `/api/v1/${list}?${q}`);
    refs.push(...r.json.items.map((i) => i.ref));
    cursor = r.json.next;
    if (!cursor) break;
  }
  return refs;
}

test("pending and errors, paged by key", async () => {
  const all = await walk("pending", { limit: "500" });
  const paged = await walk("pending", { limit: "7" });
  assert.deepEqual(paged, all);
  assert.ok(all.includes("customer:API-C2"));
  await walk("pending", { tab: "customers", limit: "3" });
  await walk("errors", { limit: "2" });
  await walk("errors", { tab: "sales" });
  for (const list of ["pending", "errors"]) {
    isError(await call("GET", `/api/v1/${list}?cursor=garbage!`), 400, "cursor");
    isError(await call("GET", `/api/v1/${list}?limit=501`), 400, "limit");
    isError(await call("GET", `/api/v1/${list}?tab=nosuch`), 400, "tab");
    isError(await call("GET", `/api/v1/${list}?target=xero:nosuch`), 400, "target");
  }
});

test("tabs, daily stats", async () => {
  const t = await call("GET", "/api/v1/tabs");
  assert.equal(t.json.items[0].tab, "sales");
  const d = await call("GET", "/api/v1/stats/daily?days=7");
  assert.ok(d.json.items.length >= 1, "the first sync made calls today");
  isError(await call("GET", "/api/v1/stats/daily?days=0"), 400, "days");
});

test("consolidated: JSON pages and CSV", async () => {
  const r = await call("GET", "/api/v1/consolidated?limit=2&sort=amount&desc=true");
  if (r.json.next) await call("GET", `/api/v1/consolidated?limit=2&sort=amount&desc=true&cursor=${r.json.next}`);
  const csv = await call("GET", "/api/v1/consolidated", { headers: { Accept: "text/csv" } });
  assert.match(csv.text, /^number,type,consolidated,ledger_number,date,amount\n/);
  isError(await call("GET", "/api/v1/consolidated?sort=colour"), 400, "sort");
  isError(await call("GET", "/api/v1/consolidated?sort=date&cursor=" + (r.json.next || "x")), 400, "cursor");
});

test("settings: read, change, refuse", async () => {
  const r = await call("GET", "/api/v1/settings");
  const sales = r.json.items.find((s) => s.key === "account.sales");
  assert.ok(sales);
  await call("PUT", "/api/v1/settings", { body: { "account.sales": sales.value } });
  isError(await call("PUT", "/api/v1/settings", { body: { "invoice_status": "MAYBE" } }), 400, "invoice_status");
  isError(await call("PUT", "/api/v1/settings", { body: { "no.such.key": "1" } }), 400, "no.such.key");
  isError(await call("PUT", "/api/v1/settings", { body: "[1]" }), 400);
});

test("sync, jobs, resync and reset", async () => {
  // a tab's Upload All, then everything (each queued, or said to be running)
  const tab = await call("POST", "/api/v1/sync", { body: { tab: "customers", all: true } });
  assert.ok([202, 409].includes(tab.status), tab.text);
  const s = await call("POST", "/api/v1/sync", { body: { everything: true } });
  assert.ok([202, 409].includes(s.status), s.text);
  const id = s.status === 202 ? s.json.id : s.json.error.job;
  const again = await call("POST", "/api/v1/sync", { body: { everything: true } });
  assert.ok([202, 409].includes(again.status), again.text);
  for (let i = 0; i < 100; i++) {
    const j = await call("GET", `/api/v1/jobs/${id}`);
    if (j.json.state === "done" || j.json.state === "failed") break;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  const list = await call("GET", "/api/v1/jobs?limit=1");
  if (list.json.next) await call("GET", `/api/v1/jobs?limit=1&cursor=${encodeURIComponent(list.json.next)}`);
  isError(await call("GET", "/api/v1/jobs/999999"), 404);
  isError(await call("POST", "/api/v1/sync", { body: { tab: 5 } }), 400);
  const rs = await call("POST", "/api/v1/records/customer/API-C1/resync");
  assert.ok([202, 409].includes(rs.status), rs.text);
  isError(await call("POST", "/api/v1/records/customer/NOPE/resync"), 404);
  const reset = await call("POST", "/api/v1/records/sale/SO-1001/reset");
  assert.ok([200, 409].includes(reset.status), reset.text);
  isError(await call("POST", "/api/v1/records/sale/NOPE/reset"), 404);
});

test("connections and metrics", async (t) => {
  const c = await fetch(URL_ + "/api/v1/connections", { headers: { Authorization: `Bearer ${ALL}` } });
  if (c.status === 404) {
    ["GET /connections", "POST /connections/{ledger}", "DELETE /connections/{ledger}", "GET /connections/{ledger}/callback"].forEach((o) =>
      skipped.add(o),
    );
    t.diagnostic("connections: not on this build");
  } else {
    await call("GET", "/api/v1/connections");
    isError(await call("POST", "/api/v1/connections/nosuch"), 404);
    await call("GET", "/api/v1/connections/xero/callback?code=x&state=forged", { token: null });
    isError(await call("DELETE", "/api/v1/connections/xero?target=xero:nosuch"), 404);
    await call("POST", "/api/v1/connections/xero");
  }
  const m = await fetch(URL_ + "/api/v1/metrics", { headers: { Authorization: `Bearer ${ALL}` } });
  if (m.status === 404) {
    skipped.add("GET /metrics");
    t.diagnostic("metrics: not on this build");
  } else {
    const r = await call("GET", "/api/v1/metrics");
    assert.match(r.text, /^# (HELP|TYPE) /m);
  }
});

test("events and webhooks", async () => {
  const r = await call("GET", "/api/v1/events?state=dead&limit=10");
  assert.equal(r.status, 200);
  assert.ok(Array.isArray(r.json.events));
  await call("GET", "/api/v1/events");
  isError(await call("GET", "/api/v1/events?state=lost"), 400, "state");
  isError(await call("GET", "/api/v1/events?limit=0"), 400, "limit");
  isError(await call("GET", "/api/v1/events", { token: READ.slice(0, -2) + "xx" }), 401);
  isError(await call("POST", "/api/v1/events/evt_nope/redeliver"), 404);
  isError(await call("POST", "/api/v1/events/evt_nope/redeliver", { token: READ }), 403);
  // no key set in this store: every webhook is refused, 401 with no body
  const x = await call("POST", "/webhooks/xero", {
    token: null,
    body: { events: [], firstEventSequence: 0, lastEventSequence: 0, entropy: "E" },
    headers: { "x-xero-signature": "UfxkNn73j70W23Rq2kD5Orl0SxkmHVQJ6sbcOyOvui0=" },
  });
  assert.equal(x.status, 401);
  assert.equal(x.text, "");
  const q = await call("POST", "/webhooks/qbo", { token: null, body: { eventNotifications: [] } });
  assert.equal(q.status, 401);
});

test("inbound payments", async () => {
  const r = await call("GET", "/api/v1/inbound", { token: READ });
  assert.equal(r.status, 200);
  assert.equal(r.json.items.length, 2);
  assert.deepEqual(r.json.counts, { applied: 1, skipped: 1, failed: 0, reversed: 0, reconciled: 0, overdue: 1 });
  assert.equal(r.json.items[0].ledger_payment_id, "pay-2"); // oldest decision first
  assert.equal(r.json.items[0].overdue, true);
  assert.equal(r.json.items[0].reason, "partial payment");
  assert.equal(r.json.items[1].sale, "SO-1");
  const p = await call("GET", "/api/v1/inbound?limit=1");
  assert.equal(p.json.items.length, 1);
  const q = await call("GET", "/api/v1/inbound?limit=1&cursor=" + encodeURIComponent(p.json.next));
  assert.equal(q.json.items[0].ledger_payment_id, "pay-1");
  assert.equal(q.json.next, null);
  assert.equal((await call("GET", "/api/v1/inbound?state=applied")).json.items.length, 1);
  isError(await call("GET", "/api/v1/inbound?state=lost"), 400, "state");
  isError(await call("GET", "/api/v1/inbound?cursor=nope"), 400, "cursor");
  isError(await call("GET", "/api/v1/inbound?target=xero:nosuch"), 400, "target");
  isError(await call("GET", "/api/v1/inbound", { token: null }), 401);
  // the skipped one, reconciled by hand: off the list, counted
  isError(await call("POST", "/api/v1/inbound/pay-2/reconciled", { token: READ, body: {} }), 403);
  const d = await call("POST", "/api/v1/inbound/pay-2/reconciled", { body: {} });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.json.state, "reconciled");
  isError(await call("POST", "/api/v1/inbound/pay-2/reconciled", { body: {} }), 404);
  isError(await call("POST", "/api/v1/inbound/pay-1/reconciled", { body: {} }), 404); // applied
  const after = await call("GET", "/api/v1/inbound?state=unapplied");
  assert.equal(after.json.items.length, 0);
  assert.equal(after.json.counts.reconciled, 1);
  assert.equal(after.json.counts.overdue, 0);
  assert.equal((await call("GET", "/api/v1/inbound?state=reconciled")).json.items[0].ledger_payment_id, "pay-2");
});

test("refused re-imports", async () => {
  const r = await call("GET", "/api/v1/refused", { token: READ });
  assert.equal(r.json.count, 1);
  assert.equal(r.json.items[0].ref, "sale:SO-1001");
  assert.match(r.json.items[0].reason, /consolidated document/);
  assert.equal((await call("GET", "/api/v1/refused?tab=customers")).json.count, 0);
  isError(await call("GET", "/api/v1/refused?tab=nowhere"), 400, "tab");
  isError(await call("DELETE", "/api/v1/refused/sale/SO-1001", { token: READ }), 403);
  const d = await call("DELETE", "/api/v1/refused/sale/SO-1001");
  assert.equal(d.status, 200, d.text);
  assert.equal(d.json.dismissed, true);
  isError(await call("DELETE", "/api/v1/refused/sale/SO-1001"), 404);
  assert.equal((await call("GET", "/api/v1/refused")).json.count, 0);
});

test("every operation of the document was exercised", () => {
  const missing = api
    .operations()
    .filter((o) => !api.seen.has(o) && !skipped.has(o));
  assert.deepEqual(missing, [], "not exercised: " + missing.join(", "));
  assert.deepEqual(problems, []);
});
