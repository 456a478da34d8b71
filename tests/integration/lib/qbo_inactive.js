// qbo_inactive.js URL ENTITY NAME: create a Customer, Vendor or Item named NAME in the
// QuickBooks Online sandbox at URL as another app would (intuit-oauth + node-quickbooks,
// tests/conformance-qbo's harness), then make it inactive as a person "deleting" it in QBO
// does (a sparse update of Active), and print its Id.  For sync_qbo_inactive.sh.
'use strict';
const path = require('path');
const h = require(path.resolve(__dirname, '..', '..', 'conformance-qbo', 'lib', 'harness.js'));

(async () => {
	const [base, ent, name] = process.argv.slice(2);
	if (!base || !['Customer', 'Vendor', 'Item'].includes(ent) || !name)
		throw new Error('usage: qbo_inactive.js URL Customer|Vendor|Item NAME');
	const session = await h.login(base);
	const qb = h.qbClient(base, session);
	let body = { DisplayName: name };
	if (ent === 'Item') {
		// a service item needs an income account: the company's first
		const found = await qb.call('findAccounts', { AccountType: 'Income' });
		const acct = (found.QueryResponse.Account || [])[0];
		if (!acct) throw new Error('no income account in the company');
		body = { Name: name, Type: 'Service', IncomeAccountRef: { value: acct.Id } };
	}
	const made = await qb.call(`create${ent}`, body);
	const off = await qb.call(`update${ent}`, { Id: made.Id, SyncToken: made.SyncToken, sparse: true, Active: false });
	if (off.Active !== false) throw new Error(`${ent} ${made.Id} is still active`);
	console.log(made.Id);
})().catch((e) => {
	const fault = e && e.response && e.response.data ? e.response.data : e;
	console.error(typeof fault === 'object' ? JSON.stringify(fault).slice(0, 400) : String(fault));
	process.exit(1);
});
