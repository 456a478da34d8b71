// inbound_contacts_qbo.js URL ENTITY NAME [EMAIL [TAX]]: create one Customer or Vendor in
// the QuickBooks Online sandbox at URL as another app would (intuit-oauth + node-quickbooks,
// tests/conformance-qbo's harness) and print its Id.  TAX goes into BusinessNumber, which
// booksync's QBO reader takes as the tax number.  For inbound_contacts_qbo.sh.
'use strict';
const path = require('path');
const h = require(path.resolve(__dirname, '..', '..', 'conformance-qbo', 'lib', 'harness.js'));

(async () => {
	const [base, ent, name, email, tax] = process.argv.slice(2);
	if (!base || (ent !== 'Customer' && ent !== 'Vendor') || !name)
		throw new Error('usage: inbound_contacts_qbo.js URL Customer|Vendor NAME [EMAIL [TAX]]');
	const session = await h.login(base);
	const qb = h.qbClient(base, session);
	const body = { DisplayName: name };
	if (email) body.PrimaryEmailAddr = { Address: email };
	if (tax) body.BusinessNumber = tax;
	const r = await qb.call(`create${ent}`, body);
	console.log(r.Id);
})().catch((e) => {
	console.error(typeof e === 'object' ? JSON.stringify(e).slice(0, 400) : String(e));
	process.exit(1);
});
