// read_qbo.js URL OUT [ENTITY...]: every entity of those kinds (default: all a booksync
// mapping uses) the QuickBooks Online sandbox at URL holds, read as a second app would:
// Intuit's OAuth code flow through intuit-oauth, then node-quickbooks' find* with fetchAll
// (STARTPOSITION / MAXRESULTS paging), as the conformance suite (tests/conformance-qbo) does.
// Writes OUT as {"invoice": [...], "customer": [...], ...} (keys lower-cased entity names)
// plus "realmId".  A 429 or 5xx is waited out and the read retried (bounded), so a sandbox
// with tight limits or faults can be read.  Needs tests/conformance-qbo/node_modules
// (tests/integration/lib/qbo_lib.sh installs it).
'use strict';
const path = require('path');
const fs = require('fs');
const h = require(path.resolve(__dirname, '..', '..', 'conformance-qbo', 'lib', 'harness.js'));

const ALL = ['Account', 'TaxCode', 'Customer', 'Vendor', 'Item', 'Invoice', 'CreditMemo', 'Payment',
	'Bill', 'BillPayment', 'PurchaseOrder', 'VendorCredit', 'JournalEntry', 'Deposit',
	'Purchase'];
// node-quickbooks' plural method names
const FIND = { Account: 'findAccounts', TaxCode: 'findTaxCodes', Customer: 'findCustomers',
	Vendor: 'findVendors', Item: 'findItems', Invoice: 'findInvoices',
	CreditMemo: 'findCreditMemos', Payment: 'findPayments', Bill: 'findBills',
	BillPayment: 'findBillPayments', PurchaseOrder: 'findPurchaseOrders',
	VendorCredit: 'findVendorCredits', JournalEntry: 'findJournalEntries',
	Deposit: 'findDeposits', Purchase: 'findPurchases' };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function transient(e) {
	const s = (e && (e.statusCode || (e.response && e.response.status))) || 0;
	const text = JSON.stringify(e || {});
	return s === 429 || s >= 500 || /ThrottleExceeded|"code":"3001"|ECONNRESET|socket hang up/.test(text) ||
		(e && e.code && /^E/.test(e.code));
}

async function retry(what, f) {
	for (let i = 0; ; i++) {
		try {
			return await f();
		} catch (e) {
			if (i >= 60 || !transient(e))
				throw new Error(`${what}: ${typeof e === 'object' ? JSON.stringify(e).slice(0, 400) : e}`);
			await sleep(Math.min(200 * (i + 1), 2000));
		}
	}
}

(async () => {
	const [base, out, ...wanted] = process.argv.slice(2);
	if (!base || !out) throw new Error('usage: read_qbo.js URL OUT [ENTITY...]');
	const ents = wanted.length ? wanted : ALL;
	const session = await retry('login', () => h.login(base));
	const qb = h.qbClient(base, session);
	const got = { realmId: session.realmId };
	for (const ent of ents) {
		if (!FIND[ent]) throw new Error(`unknown entity ${ent}`);
		// lists: the active entries (what QBO's query answers without a WHERE on Active)
		const r = await retry(ent, () => qb.call(FIND[ent], { fetchAll: true }));
		got[ent.toLowerCase()] = (r.QueryResponse && r.QueryResponse[ent]) || [];
	}
	fs.writeFileSync(out, JSON.stringify(got));
})().catch((e) => {
	console.error('read_qbo: ' + e.message);
	process.exit(1);
});
