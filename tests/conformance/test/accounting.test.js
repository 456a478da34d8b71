'use strict';
// Accounting API conformance: drives the sandbox through xero-node's
// AccountingApi exactly as a real integration would, and checks behaviour
// against the Xero facts of docs/mapping-xero.md (cited as FACTS §n) and the
// vendored OpenAPI spec (every reply body is schema-validated by
// lib/harness.js).  Expected values are Xero's, never the sandbox's.
const { describe, it, before, after } = require('node:test');
const assert = require('assert/strict');
const h = require('../lib/harness');
const { call, cents, uniq } = h;
const { MSDATE } = require('../lib/schema');

const DATE = '2026-11-02';
const DUE = '2026-12-02';
const DATE_MS = Date.UTC(2026, 10, 2);

let sb; // sandbox
let api; // xero-node AccountingApi
let auth; // { access, refresh, tenantId }
let T; // tenant id
let customer; // ContactID of an ACCREC customer
let supplier; // ContactID of an ACCPAY supplier

function msdate(s) {
	assert.match(s, MSDATE);
	return Number(/-?\d+/.exec(s)[0]);
}

function ok(res, what) {
	assert.equal(
		res.status,
		200,
		`${what}: expected 200, got ${res.status}: ${JSON.stringify(res.data).slice(0, 600)}`
	);
	return res.data;
}

// The envelope every success reply carries (FACTS §0).
function envelope(d) {
	assert.equal(d.Status, 'OK');
	assert.match(String(d.Id), /^[0-9a-f-]{36}$/i);
	assert.equal(typeof d.ProviderName, 'string');
	assert.match(String(d.DateTimeUTC), MSDATE);
}

function validationException(res, what) {
	assert.equal(res.status, 400, `${what}: expected 400, got ${res.status}: ${JSON.stringify(res.data).slice(0, 400)}`);
	assert.equal(res.data.ErrorNumber, 10); // FACTS §6
	assert.equal(res.data.Type, 'ValidationException');
	assert.equal(res.data.Message, 'A validation exception occurred');
	assert.ok(Array.isArray(res.data.Elements) && res.data.Elements.length >= 1);
	return res.data.Elements.flatMap((e) => [
		...(e.ValidationErrors || []).map((v) => v.Message),
		...(e.LineItems || []).flatMap((l) => (l.ValidationErrors || []).map((v) => v.Message)),
	]);
}

function line(description, quantity, unitAmount, extra = {}) {
	return Object.assign(
		{ description, quantity, unitAmount, accountCode: '200', taxType: 'OUTPUT2' },
		extra
	);
}

function accrec(lines, extra = {}) {
	return Object.assign(
		{
			type: 'ACCREC',
			contact: { contactID: customer },
			date: DATE,
			dueDate: DUE,
			lineAmountTypes: 'Exclusive',
			status: 'AUTHORISED',
			lineItems: lines,
		},
		extra
	);
}

async function createInvoice(inv, { unitdp, summarize } = {}) {
	const res = await call(api, 'createInvoices', T, { invoices: [inv] }, summarize, unitdp);
	const d = ok(res, 'createInvoices');
	assert.equal(d.Invoices.length, 1);
	return d.Invoices[0];
}

// One top-level suite: node 18's runner is safest with hooks inside a describe.
describe('Xero accounting API conformance', () => {
	before(async () => {
		// Limits off: this file makes far more than Xero's 60 calls/minute
		// (limits have their own file).
		sb = await h.startSandbox(['--limits', 'off']);
		auth = await h.login(sb.base);
		T = auth.tenantId;
		api = h.sdk(sb.base, auth.access);
		const res = await call(api, 'createContacts', T, {
			contacts: [
				{ name: uniq('Customer'), emailAddress: 'ap@example.com' },
				{ name: uniq('Supplier') },
			],
		});
		const d = ok(res, 'createContacts');
		customer = d.Contacts[0].ContactID;
		supplier = d.Contacts[1].ContactID;
	});

	after(async () => {
		if (sb) await sb.stop();
		// Visible proof that replies were validated rather than skipped.
		console.log(`schema-validated replies: ${h.stats.validated}, replies with no declared schema: ${h.stats.undeclared}`);
	});

	describe('organisation and settings', () => {
		it('GET /Organisation: NZ organisation in NZD (FACTS §9)', async () => {
			const d = ok(await call(api, 'getOrganisations', T), 'getOrganisations');
			envelope(d);
			assert.equal(d.Organisations.length, 1);
			assert.equal(d.Organisations[0].BaseCurrency, 'NZD');
			assert.equal(d.Organisations[0].CountryCode, 'NZ');
		});

		it('GET /Accounts: default chart has the codes the sync client relies on', async () => {
			const d = ok(await call(api, 'getAccounts', T), 'getAccounts');
			const codes = new Map(d.Accounts.map((a) => [a.Code, a]));
			for (const c of ['090', '200', '260', '310', '429', '610', '630', '800', '820', '860'])
				assert.ok(codes.has(c), `account ${c} missing`);
			assert.equal(codes.get('090').Type, 'BANK');
			assert.equal(codes.get('200').Type, 'REVENUE');
			assert.equal(codes.get('860').SystemAccount, 'ROUNDING'); // FACTS §5: system ROUNDING account
			for (const a of d.Accounts) assert.match(a.AccountID, /^[0-9a-f-]{36}$/);
		});

		it('GET /Accounts with where filter (FACTS §2: Status=="ACTIVE" AND Type=="BANK")', async () => {
			const d = ok(await call(api, 'getAccounts', T, undefined, 'Status=="ACTIVE" AND Type=="BANK"'), 'getAccounts where');
			assert.ok(d.Accounts.length >= 1);
			for (const a of d.Accounts) assert.equal(a.Type, 'BANK');
		});

		it('GET /TaxRates: GST 15% OUTPUT2/INPUT2, NONE, ZERORATED', async () => {
			const d = ok(await call(api, 'getTaxRates', T), 'getTaxRates');
			const by = new Map(d.TaxRates.map((t) => [t.TaxType, t]));
			assert.equal(by.get('OUTPUT2').EffectiveRate, 15);
			assert.equal(by.get('INPUT2').EffectiveRate, 15);
			assert.equal(by.get('NONE').EffectiveRate, 0);
			assert.equal(by.get('ZERORATED').EffectiveRate, 0);
		});
	});

	describe('contacts', () => {
		it('create returns ACTIVE contact with ContactID, readable by id through the SDK model', async () => {
			const name = uniq('Contact');
			const d = ok(await call(api, 'createContacts', T, { contacts: [{ name, contactNumber: uniq('CN') }] }), 'create');
			envelope(d);
			const c = d.Contacts[0];
			assert.equal(c.Name, name);
			assert.equal(c.ContactStatus, 'ACTIVE');
			const g = await call(api, 'getContact', T, c.ContactID);
			ok(g, 'getContact');
			assert.equal(g.body.contacts[0].name, name); // SDK model deserialises the reply
			assert.match(g.data.Contacts[0].UpdatedDateUTC, MSDATE);
		});

		it('duplicate name is a ValidationException with Xero\'s message (FACTS §6)', async () => {
			const name = uniq('Dup');
			ok(await call(api, 'createContacts', T, { contacts: [{ name }] }), 'first');
			const msgs = validationException(await call(api, 'createContacts', T, { contacts: [{ name }] }), 'duplicate');
			assert.ok(
				msgs.includes(
					`The contact name ${name} is already assigned to another contact. The contact name must be unique across all active contacts.`
				),
				`messages: ${JSON.stringify(msgs)}`
			);
		});

		it('summarizeErrors=false: duplicate reported per element with HasValidationErrors (FACTS §2)', async () => {
			const name = uniq('Dup2');
			ok(await call(api, 'createContacts', T, { contacts: [{ name }] }), 'first');
			const fresh = uniq('Fresh');
			const d = ok(
				await call(api, 'createContacts', T, { contacts: [{ name: fresh }, { name }] }, false),
				'batch'
			);
			assert.equal(d.Contacts.length, 2);
			assert.equal(d.Contacts[0].StatusAttributeString, 'OK');
			assert.equal(d.Contacts[1].StatusAttributeString, 'ERROR');
			assert.equal(d.Contacts[1].HasValidationErrors, true);
			assert.ok(d.Contacts[1].ValidationErrors.length >= 1);
			const g = ok(await call(api, 'getContact', T, d.Contacts[0].ContactID), 'sibling saved');
			assert.equal(g.Contacts[0].Name, fresh);
		});

		it('an ARCHIVED contact still holds its name (FACTS §6)', async () => {
			const name = uniq('Archived');
			const c = ok(await call(api, 'createContacts', T, { contacts: [{ name }] }), 'create').Contacts[0];
			const a = ok(
				await call(api, 'updateContact', T, c.ContactID, { contacts: [{ contactID: c.ContactID, contactStatus: 'ARCHIVED' }] }),
				'archive'
			).Contacts[0];
			assert.equal(a.ContactStatus, 'ARCHIVED');
			validationException(await call(api, 'createContacts', T, { contacts: [{ name }] }), 'name of archived contact');
		});

		it('Contact.Name over 255 characters is rejected (FACTS §6 field lengths)', async () => {
			const res = await call(api, 'createContacts', T, { contacts: [{ name: 'x'.repeat(256) }] });
			validationException(res, 'long name');
		});
	});

	describe('items', () => {
		it('create item with 4-dp unit price when unitdp=4 (FACTS §5)', async () => {
			const code = uniq('IT').slice(0, 30);
			const d = ok(
				await call(
					api,
					'createItems',
					T,
					{
						items: [
							{
								code,
								name: 'Widget',
								salesDetails: { unitPrice: 12.3456, accountCode: '200', taxType: 'OUTPUT2' },
								purchaseDetails: { unitPrice: 7.5, accountCode: '310', taxType: 'INPUT2' },
							},
						],
					},
					undefined,
					4
				),
				'createItems'
			);
			const it0 = d.Items[0];
			assert.equal(it0.Code, code);
			assert.match(it0.ItemID, /^[0-9a-f-]{36}$/);
			assert.equal(it0.SalesDetails.UnitPrice, 12.3456);
			const all = ok(await call(api, 'getItems', T, undefined, undefined, undefined, 4), 'getItems');
			assert.ok(all.Items.some((i) => i.ItemID === it0.ItemID));
		});

		it('DELETE /Items/{id} removes the item (FACTS §7)', async () => {
			const code = uniq('DEL').slice(0, 30);
			const it0 = ok(await call(api, 'createItems', T, { items: [{ code, name: 'Doomed' }] }), 'create').Items[0];
			const del = await call(api, 'deleteItem', T, it0.ItemID);
			assert.ok(del.status === 200 || del.status === 204, `delete item: ${del.status}`);
			const all = ok(await call(api, 'getItems', T), 'getItems');
			assert.ok(!all.Items.some((i) => i.ItemID === it0.ItemID), 'deleted item still listed');
		});

		it('Item.Code over 30 characters is rejected (FACTS §6)', async () => {
			validationException(
				await call(api, 'createItems', T, { items: [{ code: 'C'.repeat(31), name: 'Too long code' }] }),
				'long code'
			);
		});
	});

	describe('invoices: arithmetic (FACTS §5)', () => {
		it('three 15% lines: per-line rounded tax sums to 11.44 (not 11.45), 4-dp UnitAmount kept', async () => {
			// 3 x 8.4767 = 25.4301 -> 25.43, tax 3.8145 -> 3.81
			// 1 x 25.43           -> 25.43, tax 3.81
			// 2 x 12.735 = 25.47  -> 25.47, tax 3.8205 -> 3.82
			// per line: 11.44; on the subtotal 76.33 x 0.15 = 11.4495 -> 11.45
			const number = uniq('INV');
			const inv = await createInvoice(
				accrec([line('A', 3, 8.4767), line('B', 1, 25.43), line('C', 2, 12.735)], { invoiceNumber: number }),
				{ unitdp: 4 }
			);
			assert.equal(inv.Type, 'ACCREC');
			assert.equal(inv.Status, 'AUTHORISED');
			assert.equal(inv.InvoiceNumber, number);
			assert.equal(inv.CurrencyCode, 'NZD');
			assert.equal(inv.LineAmountTypes, 'Exclusive');
			assert.equal(msdate(inv.Date), DATE_MS);
			assert.equal(msdate(inv.DueDate), Date.UTC(2026, 11, 2));
			assert.deepEqual(
				inv.LineItems.map((l) => [l.UnitAmount, cents(l.LineAmount), cents(l.TaxAmount)]),
				[
					[8.4767, 2543, 381],
					[25.43, 2543, 381],
					[12.735, 2547, 382],
				]
			);
			assert.equal(cents(inv.SubTotal), 7633);
			assert.equal(cents(inv.TotalTax), 1144);
			assert.equal(cents(inv.Total), 8777);
			assert.equal(cents(inv.AmountDue), 8777);
			assert.equal(cents(inv.AmountPaid), 0);
			for (const l of inv.LineItems) assert.match(l.LineItemID, /^[0-9a-f-]{36}$/);
			// Read back with unitdp=4: same figures.
			const g = ok(await call(api, 'getInvoice', T, inv.InvoiceID, 4), 'getInvoice');
			assert.equal(g.Invoices[0].LineItems[0].UnitAmount, 8.4767);
			assert.equal(cents(g.Invoices[0].TotalTax), 1144);
		});

		it('without unitdp, UnitAmount is 2 dp (FACTS §5: default accepted to 2 dp)', async () => {
			const inv = await createInvoice(accrec([line('A', 3, 8.4767)]));
			assert.equal(inv.LineItems[0].UnitAmount, 8.48);
			assert.equal(cents(inv.LineItems[0].LineAmount), 2544);
			assert.equal(cents(inv.Total), cents(inv.SubTotal) + cents(inv.TotalTax));
		});

		it('DiscountRate on ACCREC: LineAmount = Q x U x (100 - rate)/100 (FACTS §5)', async () => {
			const inv = await createInvoice(accrec([line('Disc', 2, 100, { discountRate: 10 })]));
			assert.equal(cents(inv.LineItems[0].LineAmount), 18000);
			assert.equal(cents(inv.TotalTax), 2700);
			assert.equal(cents(inv.Total), 20700);
		});

		it('Inclusive: Total equals the line amount and SubTotal + TotalTax = Total (FACTS §5)', async () => {
			const inv = await createInvoice(
				accrec([line('Incl', 1, 20, { lineAmount: 20 })], { lineAmountTypes: 'Inclusive' })
			);
			assert.equal(inv.LineAmountTypes, 'Inclusive');
			assert.equal(cents(inv.Total), 2000);
			// 20 x 0.15/1.15 = 2.6087 -> 2.61 (formula "≈ r/(1+r)", FACTS §5)
			assert.equal(cents(inv.TotalTax), 261);
			assert.equal(cents(inv.SubTotal), 1739);
		});

		it('NoTax: TotalTax is 0 (FACTS §5)', async () => {
			const inv = await createInvoice(
				accrec([line('NoTax', 1, 50, { taxType: 'NONE' })], { lineAmountTypes: 'NoTax' })
			);
			assert.equal(cents(inv.TotalTax), 0);
			assert.equal(cents(inv.Total), 5000);
		});

		it('a LineAmount that disagrees with Q x U is rejected with Xero\'s line-total message (FACTS §5)', async () => {
			const res = await call(api, 'createInvoices', T, {
				invoices: [accrec([line('Bad', 3, 499.9767, { lineAmount: 1500 })])],
			}, undefined, 4);
			const msgs = validationException(res, 'line total mismatch');
			assert.ok(
				msgs.some((m) => /^The line total 1500\.00 does not match the expected line total 1499\.93/.test(m)),
				JSON.stringify(msgs)
			);
		});

		it('explicit rounding line on account 860 is accepted (FACTS §5)', async () => {
			const inv = await createInvoice(
				accrec([line('Goods', 1, 10), line('Rounding', 1, -0.01, { accountCode: '860', taxType: 'NONE' })])
			);
			assert.equal(cents(inv.SubTotal), 999);
			assert.equal(cents(inv.TotalTax), 150);
			assert.equal(cents(inv.Total), 1149);
		});

		it('a supplied Total that disagrees with the lines is ignored (FACTS §5)', async () => {
			const inv = await createInvoice(accrec([line('T', 1, 10)], { total: 999 }));
			assert.equal(cents(inv.Total), 1150);
		});

		it('ACCREC InvoiceNumber must be unique; ACCPAY numbers need not be (FACTS §3, §6)', async () => {
			const number = uniq('UNQ');
			await createInvoice(accrec([line('x', 1, 1)], { invoiceNumber: number }));
			const msgs = validationException(
				await call(api, 'createInvoices', T, { invoices: [accrec([line('x', 1, 1)], { invoiceNumber: number })] }),
				'dup number'
			);
			assert.ok(msgs.includes('Invoice # must be unique.'), JSON.stringify(msgs));
			const bill = {
				type: 'ACCPAY',
				contact: { contactID: supplier },
				date: DATE,
				dueDate: DUE,
				invoiceNumber: number,
				status: 'AUTHORISED',
				lineItems: [line('cost', 1, 5, { accountCode: '310', taxType: 'INPUT2' })],
			};
			const a = await createInvoice(bill);
			const b = await createInvoice(bill);
			assert.notEqual(a.InvoiceID, b.InvoiceID);
		});

		it('an invoice without a contact is rejected with Xero\'s message (FACTS §6)', async () => {
			const inv = accrec([line('x', 1, 1)]);
			inv.contact = {};
			const msgs = validationException(await call(api, 'createInvoices', T, { invoices: [inv] }), 'no contact');
			assert.ok(
				msgs.includes(
					'The Contact must contain at least 1 of the following elements to identify the contact: Name, ContactID, ContactNumber'
				),
				JSON.stringify(msgs)
			);
		});

		it('an unknown account code on an invoice line is rejected (FACTS §6: "Account must be valid.")', async () => {
			const msgs = validationException(
				await call(api, 'createInvoices', T, { invoices: [accrec([line('x', 1, 1, { accountCode: '999' })])] }),
				'bad account'
			);
			assert.ok(msgs.some((m) => /Account/.test(m)), JSON.stringify(msgs));
		});

		it('ACCPAY bill with INPUT2 tax', async () => {
			const inv = await createInvoice({
				type: 'ACCPAY',
				contact: { contactID: supplier },
				date: DATE,
				dueDate: DUE,
				invoiceNumber: uniq('BILL'),
				status: 'AUTHORISED',
				lineItems: [
					line('stock', 10, 4.2, { accountCode: '630', taxType: 'INPUT2' }),
					line('freight', 1, 12, { accountCode: '310', taxType: 'INPUT2' }),
				],
			});
			assert.equal(inv.Type, 'ACCPAY');
			// 42.00 x 0.15 = 6.30, 12.00 x 0.15 = 1.80 (no half-cent ties: the
			// rounding mode is a sandbox option and unconfirmed for Xero)
			assert.equal(cents(inv.SubTotal), 5400);
			assert.equal(cents(inv.TotalTax), 810);
			assert.equal(cents(inv.Total), 6210);
		});
	});

	describe('invoices: wire form', () => {
		it('unitdp=4 reply: Quantity echoed with 4 dp, UnitAmount 4 dp, totals 2 dp (FACTS §5)', async () => {
			const r = await h.request('PUT', `${sb.base}/api.xro/2.0/Invoices?unitdp=4`, {
				headers: { Authorization: `Bearer ${auth.access}`, 'xero-tenant-id': T },
				json: {
					Invoices: [
						{
							Type: 'ACCREC',
							Contact: { ContactID: customer },
							Date: DATE,
							DueDate: DUE,
							Status: 'DRAFT',
							LineItems: [{ Description: 'A', Quantity: 3, UnitAmount: 8.4767, AccountCode: '200', TaxType: 'OUTPUT2' }],
						},
					],
				},
			});
			assert.equal(r.status, 200, r.text.slice(0, 300));
			assert.match(r.text, /"Quantity":\s*3\.0000[,}\s]/);
			assert.match(r.text, /"UnitAmount":\s*8\.4767[,}\s]/);
			assert.match(r.text, /"LineAmount":\s*25\.43[,}\s]/);
			assert.match(r.text, /"TaxAmount":\s*3\.81[,}\s]/);
			// Request dates are YYYY-MM-DD; replies carry MS-JSON dates and ISO twins.
			const inv = r.json.Invoices[0];
			assert.equal(msdate(inv.Date), DATE_MS);
			assert.equal(inv.DateString, `${DATE}T00:00:00`);
			assert.match(inv.UpdatedDateUTC, MSDATE);
			// InvoiceNumber is generated for ACCREC when missing (FACTS §7).
			assert.ok(inv.InvoiceNumber && inv.InvoiceNumber.length > 0, 'no generated InvoiceNumber');
		});

		it('POST /Invoices updates where the InvoiceNumber matches; PUT only creates (FACTS §2)', async () => {
			const number = uniq('UPS');
			const d = await createInvoice(accrec([line('v1', 1, 10)], { invoiceNumber: number, status: 'DRAFT' }));
			const up = ok(
				await call(api, 'updateOrCreateInvoices', T, {
					invoices: [accrec([line('v2', 2, 10)], { invoiceNumber: number, status: 'DRAFT' })],
				}),
				'updateOrCreateInvoices'
			).Invoices[0];
			assert.equal(up.InvoiceID, d.InvoiceID);
			assert.equal(cents(up.SubTotal), 2000);
			const byId = ok(
				await call(api, 'updateOrCreateInvoices', T, {
					invoices: [{ invoiceID: d.InvoiceID, reference: 'by id' }],
				}),
				'update by id'
			).Invoices[0];
			assert.equal(byId.InvoiceID, d.InvoiceID);
			assert.equal(byId.Reference, 'by id');
			assert.equal(cents(byId.SubTotal), 2000);
			const list = ok(
				await call(api, 'getInvoices', T, undefined, undefined, undefined, undefined, [number]),
				'by number'
			);
			assert.equal(list.Invoices.length, 1);
		});
	});

	describe('invoices: line rules (FACTS §5)', () => {
		it('Quantity or UnitAmount left out is worked out from LineAmount', async () => {
			const inv = await createInvoice(
				accrec([
					{ description: 'no qty', unitAmount: 25, lineAmount: 50, accountCode: '200', taxType: 'OUTPUT2' },
					{ description: 'no unit', quantity: 4, lineAmount: 10, accountCode: '200', taxType: 'OUTPUT2' },
				])
			);
			assert.equal(inv.LineItems[0].Quantity, 2);
			assert.equal(inv.LineItems[1].UnitAmount, 2.5);
			assert.equal(cents(inv.SubTotal), 6000);
			assert.equal(cents(inv.TotalTax), 900);
		});

		it('a supplied TaxAmount overrides the computed one', async () => {
			const inv = await createInvoice(accrec([line('override', 1, 20, { taxAmount: 3 })]));
			assert.equal(cents(inv.LineItems[0].TaxAmount), 300);
			assert.equal(cents(inv.TotalTax), 300);
			assert.equal(cents(inv.Total), 2300);
		});

		it('a description-only line is allowed and adds nothing', async () => {
			const inv = await createInvoice(accrec([line('goods', 1, 10), { description: 'Thanks for your business' }]));
			assert.equal(inv.LineItems.length, 2);
			assert.equal(cents(inv.Total), 1150);
		});

		it('a line without a Description is rejected (needs at least 1 character)', async () => {
			const res = await call(api, 'createInvoices', T, {
				invoices: [accrec([{ quantity: 1, unitAmount: 10, accountCode: '200', taxType: 'OUTPUT2' }])],
			});
			validationException(res, 'no description');
		});

		it('an unknown TaxType is rejected (FACTS §6: "Tax rate must be valid.")', async () => {
			const msgs = validationException(
				await call(api, 'createInvoices', T, { invoices: [accrec([line('x', 1, 1, { taxType: 'NOSUCHTAX' })])] }),
				'bad tax type'
			);
			assert.ok(msgs.some((m) => /Tax/i.test(m)), JSON.stringify(msgs));
		});
	});

	describe('invoices: filters (FACTS §2)', () => {
		it('where, Statuses, ContactIDs and IDs select the right invoices', async () => {
			const c = ok(await call(api, 'createContacts', T, { contacts: [{ name: uniq('Filter') }] }), 'contact').Contacts[0];
			const mk = (status) =>
				createInvoice(
					Object.assign(accrec([line('f', 1, 1)], { status }), { contact: { contactID: c.ContactID } })
				);
			const d1 = await mk('DRAFT');
			const a1 = await mk('AUTHORISED');
			const byContact = ok(
				await call(api, 'getInvoices', T, undefined, undefined, undefined, undefined, undefined, [c.ContactID]),
				'ContactIDs'
			);
			assert.deepEqual(byContact.Invoices.map((i) => i.InvoiceID).sort(), [d1.InvoiceID, a1.InvoiceID].sort());
			const drafts = ok(
				await call(api, 'getInvoices', T, undefined, undefined, undefined, undefined, undefined, [c.ContactID], ['DRAFT']),
				'Statuses'
			);
			assert.deepEqual(drafts.Invoices.map((i) => i.InvoiceID), [d1.InvoiceID]);
			const where = ok(
				await call(api, 'getInvoices', T, undefined, `Status=="AUTHORISED" AND Contact.ContactID==guid("${c.ContactID}")`),
				'where'
			);
			assert.deepEqual(where.Invoices.map((i) => i.InvoiceID), [a1.InvoiceID]);
			const ids = ok(await call(api, 'getInvoices', T, undefined, undefined, undefined, [a1.InvoiceID]), 'IDs');
			assert.deepEqual(ids.Invoices.map((i) => i.InvoiceID), [a1.InvoiceID]);
		});
	});

	describe('multi-currency (FACTS §9)', () => {
		it('base-currency invoices report CurrencyRate 1; an enabled foreign currency keeps the given rate', async () => {
			const base = await createInvoice(accrec([line('nzd', 1, 10)]));
			assert.equal(base.CurrencyCode, 'NZD');
			assert.equal(base.CurrencyRate, 1);
			const cur = ok(await call(api, 'getCurrencies', T), 'getCurrencies').Currencies.map((c) => c.Code);
			assert.ok(cur.includes('NZD'), `currencies: ${cur}`);
			const foreign = cur.find((c) => c !== 'NZD');
			if (foreign) {
				const inv = await createInvoice(accrec([line('fx', 2, 50)], { currencyCode: foreign, currencyRate: 0.61 }));
				assert.equal(inv.CurrencyCode, foreign);
				assert.equal(inv.CurrencyRate, 0.61);
				assert.equal(cents(inv.Total), 11500); // document currency
			}
			// A currency the organisation has not enabled is refused.
			const absent = ['XPF', 'ISK', 'HUF'].find((c) => !cur.includes(c));
			validationException(
				await call(api, 'createInvoices', T, { invoices: [accrec([line('x', 1, 1)], { currencyCode: absent, currencyRate: 2 })] }),
				`currency ${absent}`
			);
		});
	});

	describe('invoices: status and editability (FACTS §7)', () => {
		it('AUTHORISED without payments: lines may change; after a credit allocation the total may not', async () => {
			const inv = await createInvoice(accrec([line('v1', 1, 10)]));
			const e = ok(
				await call(api, 'updateInvoice', T, inv.InvoiceID, { invoices: [{ lineItems: [line('v2', 2, 10)] }] }),
				'edit authorised'
			).Invoices[0];
			assert.equal(e.Status, 'AUTHORISED');
			assert.equal(cents(e.Total), 2300);
			assert.equal(cents(e.AmountDue), 2300);
			const cn = ok(
				await call(api, 'createCreditNotes', T, {
					creditNotes: [{ type: 'ACCRECCREDIT', contact: { contactID: customer }, date: DATE, status: 'AUTHORISED', lineItems: [line('r', 1, 1)] }],
				}),
				'cn'
			).CreditNotes[0];
			ok(
				await call(api, 'createCreditNoteAllocation', T, cn.CreditNoteID, {
					allocations: [{ amount: 1.15, date: DATE, invoice: { invoiceID: inv.InvoiceID } }],
				}),
				'allocate'
			);
			validationException(
				await call(api, 'updateInvoice', T, inv.InvoiceID, { invoices: [{ lineItems: [line('v3', 3, 10)] }] }),
				'edit total after allocation'
			);
		});

		it('a deleted DRAFT frees its InvoiceNumber for reuse', async () => {
			const number = uniq('REUSE');
			const d = await createInvoice(accrec([line('d', 1, 1)], { status: 'DRAFT', invoiceNumber: number }));
			ok(await call(api, 'updateInvoice', T, d.InvoiceID, { invoices: [{ status: 'DELETED' }] }), 'delete');
			const again = await createInvoice(accrec([line('d', 1, 1)], { invoiceNumber: number }));
			assert.notEqual(again.InvoiceID, d.InvoiceID);
		});

		it('an AUTHORISED invoice with a payment cannot be voided until the payment is deleted', async () => {
			const inv = await createInvoice(accrec([line('p', 1, 10)]));
			const p = ok(
				await call(api, 'createPayment', T, { invoice: { invoiceID: inv.InvoiceID }, account: { code: '090' }, date: DATE, amount: 5 }),
				'pay'
			).Payments[0];
			validationException(
				await call(api, 'updateInvoice', T, inv.InvoiceID, { invoices: [{ status: 'VOIDED' }] }),
				'void with payment'
			);
			ok(await call(api, 'deletePayment', T, p.PaymentID, { status: 'DELETED' }), 'delete payment');
			const v = ok(await call(api, 'updateInvoice', T, inv.InvoiceID, { invoices: [{ status: 'VOIDED' }] }), 'void');
			assert.equal(v.Invoices[0].Status, 'VOIDED');
		});

		it('a payment against a DRAFT invoice is refused', async () => {
			const inv = await createInvoice(accrec([line('p', 1, 10)], { status: 'DRAFT' }));
			validationException(
				await call(api, 'createPayment', T, { invoice: { invoiceID: inv.InvoiceID }, account: { code: '090' }, date: DATE, amount: 5 }),
				'pay draft'
			);
		});

		it('DRAFT can be deleted; AUTHORISED cannot be deleted but can be voided', async () => {
			const draft = await createInvoice(accrec([line('d', 1, 1)], { status: 'DRAFT' }));
			const del = ok(
				await call(api, 'updateInvoice', T, draft.InvoiceID, { invoices: [{ status: 'DELETED' }] }),
				'delete draft'
			);
			assert.equal(del.Invoices[0].Status, 'DELETED');

			const auth1 = await createInvoice(accrec([line('a', 1, 1)]));
			const res = await call(api, 'updateInvoice', T, auth1.InvoiceID, { invoices: [{ status: 'DELETED' }] });
			validationException(res, 'delete authorised');
			const v = ok(
				await call(api, 'updateInvoice', T, auth1.InvoiceID, { invoices: [{ status: 'VOIDED' }] }),
				'void'
			);
			assert.equal(v.Invoices[0].Status, 'VOIDED');
			const again = await call(api, 'updateInvoice', T, auth1.InvoiceID, {
				invoices: [{ reference: 'edit after void' }],
			});
			validationException(again, 'edit voided');
		});
	});

	describe('credit notes and allocation', () => {
		it('ACCRECCREDIT allocated to an invoice reduces AmountDue; credit fully used (FACTS §7)', async () => {
			const inv = await createInvoice(accrec([line('goods', 1, 100)]));
			assert.equal(cents(inv.AmountDue), 11500);
			const cnRes = await call(api, 'createCreditNotes', T, {
				creditNotes: [
					{
						type: 'ACCRECCREDIT',
						contact: { contactID: customer },
						date: DATE,
						status: 'AUTHORISED',
						lineAmountTypes: 'Exclusive',
						lineItems: [line('return', 1, 20)],
					},
				],
			});
			const cn = ok(cnRes, 'createCreditNotes').CreditNotes[0];
			assert.equal(cn.Type, 'ACCRECCREDIT');
			assert.equal(cents(cn.Total), 2300);
			assert.equal(cents(cn.RemainingCredit), 2300);
			const al = ok(
				await call(api, 'createCreditNoteAllocation', T, cn.CreditNoteID, {
					allocations: [{ amount: 23, date: DATE, invoice: { invoiceID: inv.InvoiceID } }],
				}),
				'allocate'
			);
			assert.equal(cents(al.Allocations[0].Amount), 2300);
			const after = ok(await call(api, 'getInvoice', T, inv.InvoiceID), 'getInvoice').Invoices[0];
			assert.equal(cents(after.AmountCredited), 2300);
			assert.equal(cents(after.AmountDue), 9200);
			const cn2 = ok(await call(api, 'getCreditNote', T, cn.CreditNoteID), 'getCreditNote').CreditNotes[0];
			assert.equal(cents(cn2.RemainingCredit), 0);
			assert.equal(cn2.Status, 'PAID');
		});

		it('DELETE of an allocation restores credit and amount due', async () => {
			const inv = await createInvoice(accrec([line('goods', 1, 100)]));
			const cn = ok(
				await call(api, 'createCreditNotes', T, {
					creditNotes: [
						{ type: 'ACCRECCREDIT', contact: { contactID: customer }, date: DATE, status: 'AUTHORISED', lineItems: [line('r', 1, 10)] },
					],
				}),
				'cn'
			).CreditNotes[0];
			const al = ok(
				await call(api, 'createCreditNoteAllocation', T, cn.CreditNoteID, {
					allocations: [{ amount: 11.5, date: DATE, invoice: { invoiceID: inv.InvoiceID } }],
				}),
				'allocate'
			).Allocations[0];
			assert.match(al.AllocationID, /^[0-9a-f-]{36}$/);
			const del = await call(api, 'deleteCreditNoteAllocations', T, cn.CreditNoteID, al.AllocationID);
			assert.equal(del.status, 200, JSON.stringify(del.data).slice(0, 300));
			const after = ok(await call(api, 'getInvoice', T, inv.InvoiceID), 'get').Invoices[0];
			assert.equal(cents(after.AmountDue), 11500);
			const cn2 = ok(await call(api, 'getCreditNote', T, cn.CreditNoteID), 'get cn').CreditNotes[0];
			assert.equal(cents(cn2.RemainingCredit), 1150);
			assert.equal(cn2.Status, 'AUTHORISED');
		});

		it('credit notes take no discount (FACTS §5: DiscountRate is ACCREC invoices only)', async () => {
			const res = await call(api, 'createCreditNotes', T, {
				creditNotes: [
					{ type: 'ACCRECCREDIT', contact: { contactID: customer }, date: DATE, lineItems: [line('r', 1, 100, { discountRate: 10 })] },
				],
			});
			// Either refused or the discount ignored; never a discounted total.
			if (res.status === 200) assert.equal(cents(res.data.CreditNotes[0].SubTotal), 10000);
			else validationException(res, 'discount on credit note');
		});

		it('credit-note refunds: RemainingCredit starts at Total; a refund payment is APCREDITPAYMENT/ARCREDITPAYMENT (FACTS §7)', async () => {
			for (const [type, contact, acct, tax, ptype] of [
				['ACCPAYCREDIT', supplier, '310', 'INPUT2', 'APCREDITPAYMENT'],
				['ACCRECCREDIT', customer, '200', 'OUTPUT2', 'ARCREDITPAYMENT'],
			]) {
				// 2 x 4.4870 = 8.974 -> 8.97, tax 1.3455 -> 1.35, total 10.32
				const cn = ok(
					await call(api, 'createCreditNotes', T, {
						creditNotes: [
							{ type, contact: { contactID: contact }, date: DATE, status: 'AUTHORISED', lineItems: [line('ret', 2, 4.487, { accountCode: acct, taxType: tax })] },
						],
					}, undefined, 4),
					`${type} create`
				).CreditNotes[0];
				assert.equal(cents(cn.Total), 1032, type);
				assert.equal(cents(cn.RemainingCredit), 1032, `${type}: RemainingCredit of a new AUTHORISED credit note`);
				const p = ok(
					await call(api, 'createPayment', T, { creditNote: { creditNoteID: cn.CreditNoteID }, account: { code: '090' }, date: DATE, amount: 10.32 }),
					`${type} refund`
				).Payments[0];
				assert.equal(p.PaymentType, ptype);
				const after = ok(await call(api, 'getCreditNote', T, cn.CreditNoteID), 'get').CreditNotes[0];
				assert.equal(cents(after.RemainingCredit), 0);
				assert.equal(after.Status, 'PAID');
			}
		});

		it('allocating more than the remaining credit is rejected', async () => {
			const inv = await createInvoice(accrec([line('goods', 1, 100)]));
			const cn = ok(
				await call(api, 'createCreditNotes', T, {
					creditNotes: [
						{
							type: 'ACCRECCREDIT',
							contact: { contactID: customer },
							date: DATE,
							status: 'AUTHORISED',
							lineItems: [line('return', 1, 10)],
						},
					],
				}),
				'cn'
			).CreditNotes[0];
			const res = await call(api, 'createCreditNoteAllocation', T, cn.CreditNoteID, {
				allocations: [{ amount: 50, date: DATE, invoice: { invoiceID: inv.InvoiceID } }],
			});
			validationException(res, 'over-allocation');
		});
	});

	describe('payments', () => {
		it('part then full payment: AmountPaid/AmountDue move, PAID at zero; overpayment rejected (FACTS §7)', async () => {
			const inv = await createInvoice(accrec([line('goods', 2, 50)]));
			assert.equal(cents(inv.Total), 11500);
			const p1 = ok(
				await call(api, 'createPayment', T, {
					invoice: { invoiceID: inv.InvoiceID },
					account: { code: '090' },
					date: DATE,
					amount: 15,
					reference: 'part',
				}),
				'createPayment'
			).Payments[0];
			assert.equal(p1.Status, 'AUTHORISED');
			assert.equal(p1.PaymentType, 'ACCRECPAYMENT');
			assert.equal(cents(p1.Amount), 1500);
			let cur = ok(await call(api, 'getInvoice', T, inv.InvoiceID), 'get').Invoices[0];
			assert.equal(cents(cur.AmountPaid), 1500);
			assert.equal(cents(cur.AmountDue), 10000);
			assert.equal(cur.Status, 'AUTHORISED');

			const over = await call(api, 'createPayment', T, {
				invoice: { invoiceID: inv.InvoiceID },
				account: { code: '090' },
				date: DATE,
				amount: 100.01,
			});
			validationException(over, 'overpayment');

			const p2 = ok(
				await call(api, 'createPayments', T, {
					payments: [{ invoice: { invoiceID: inv.InvoiceID }, account: { code: '090' }, date: DATE, amount: 100 }],
				}),
				'createPayments'
			).Payments[0];
			cur = ok(await call(api, 'getInvoice', T, inv.InvoiceID), 'get').Invoices[0];
			assert.equal(cur.Status, 'PAID');
			assert.equal(cents(cur.AmountDue), 0);
			assert.match(cur.FullyPaidOnDate, MSDATE);

			// Paid invoices cannot change their total (FACTS §6/§7).
			const edit = await call(api, 'updateInvoice', T, inv.InvoiceID, {
				invoices: [{ lineItems: [line('goods', 3, 50)] }],
			});
			const msgs = validationException(edit, 'edit paid');
			assert.ok(msgs.some((m) => /not of valid status for modification/.test(m)), JSON.stringify(msgs));

			// Deleting a payment: POST /Payments/{id} Status DELETED (FACTS §7).
			const del = ok(
				await call(api, 'deletePayment', T, p2.PaymentID, { status: 'DELETED' }),
				'deletePayment'
			);
			assert.equal(del.Payments[0].Status, 'DELETED');
			cur = ok(await call(api, 'getInvoice', T, inv.InvoiceID), 'get').Invoices[0];
			assert.equal(cur.Status, 'AUTHORISED');
			assert.equal(cents(cur.AmountDue), 10000);
		});

		it('ACCPAY bill payment is ACCPAYPAYMENT', async () => {
			const bill = await createInvoice({
				type: 'ACCPAY',
				contact: { contactID: supplier },
				date: DATE,
				dueDate: DUE,
				status: 'AUTHORISED',
				lineItems: [line('c', 1, 10, { accountCode: '310', taxType: 'INPUT2' })],
			});
			const p = ok(
				await call(api, 'createPayment', T, {
					invoice: { invoiceID: bill.InvoiceID },
					account: { code: '090' },
					date: DATE,
					amount: 11.5,
				}),
				'pay bill'
			).Payments[0];
			assert.equal(p.PaymentType, 'ACCPAYPAYMENT');
			const g = ok(await call(api, 'getPayment', T, p.PaymentID), 'getPayment').Payments[0];
			assert.equal(cents(g.Amount), 1150);
		});
	});

	describe('purchase orders', () => {
		it('create PO with totals; duplicate PurchaseOrderNumber rejected (FACTS §6)', async () => {
			const number = uniq('PO');
			const po = {
				contact: { contactID: supplier },
				date: DATE,
				deliveryDate: DUE,
				purchaseOrderNumber: number,
				status: 'AUTHORISED',
				lineAmountTypes: 'Exclusive',
				lineItems: [line('stock', 4, 2.5, { accountCode: '630', taxType: 'INPUT2' })],
			};
			const d = ok(await call(api, 'createPurchaseOrders', T, { purchaseOrders: [po] }), 'createPurchaseOrders');
			const p = d.PurchaseOrders[0];
			assert.equal(p.PurchaseOrderNumber, number);
			assert.equal(p.Status, 'AUTHORISED');
			assert.equal(cents(p.SubTotal), 1000);
			assert.equal(cents(p.TotalTax), 150);
			assert.equal(cents(p.Total), 1150);
			ok(await call(api, 'getPurchaseOrder', T, p.PurchaseOrderID), 'getPurchaseOrder');
			const dup = ok(await call(api, 'createPurchaseOrders', T, { purchaseOrders: [po] }, false), 'dup');
			assert.equal(dup.PurchaseOrders[0].StatusAttributeString, 'ERROR');
			assert.ok(
				dup.PurchaseOrders[0].ValidationErrors.some((v) => v.Message === 'Order number must be unique'),
				JSON.stringify(dup.PurchaseOrders[0].ValidationErrors)
			);
		});
	});

	describe('manual journals (FACTS §6, §7)', () => {
		it('balanced journal is POSTED, ShowOnCashBasisReports defaults to true', async () => {
			const d = ok(
				await call(api, 'createManualJournals', T, {
					manualJournals: [
						{
							narration: 'Stock write-down',
							date: DATE,
							status: 'POSTED',
							journalLines: [
								{ lineAmount: 42.1, accountCode: '310', description: 'dr' },
								{ lineAmount: -42.1, accountCode: '630', description: 'cr' },
							],
						},
					],
				}),
				'createManualJournals'
			);
			const mj = d.ManualJournals[0];
			assert.equal(mj.Status, 'POSTED');
			assert.equal(mj.ShowOnCashBasisReports, true);
			assert.deepEqual(mj.JournalLines.map((l) => cents(l.LineAmount)), [4210, -4210]);
			ok(await call(api, 'getManualJournal', T, mj.ManualJournalID), 'getManualJournal');
		});

		it('unbalanced journal: ValidationException with the debits/credits message', async () => {
			const res = await call(api, 'createManualJournals', T, {
				manualJournals: [
					{
						narration: 'Unbalanced',
						date: DATE,
						journalLines: [
							{ lineAmount: 100, accountCode: '610' },
							{ lineAmount: -10, accountCode: '200' },
						],
					},
				],
			});
			const msgs = validationException(res, 'unbalanced');
			assert.ok(msgs.includes('The total debits (100.00) must equal total credits (-10.00)'), JSON.stringify(msgs));
		});

		it('unknown account: line removed with a Warning, which then unbalances the journal (spec example ~line 10184)', async () => {
			const d = ok(
				await call(
					api,
					'createManualJournals',
					T,
					{
						manualJournals: [
							{
								narration: 'Has bad account',
								date: DATE,
								journalLines: [
									{ lineAmount: 100, accountCode: '610' },
									{ lineAmount: -90, accountCode: '200' },
									{ lineAmount: -10, accountCode: '999' },
								],
							},
						],
					},
					false
				),
				'bad account'
			);
			const mj = d.ManualJournals[0];
			assert.ok(
				(mj.Warnings || []).some((w) => /^Account code '+999'+ has been removed as it does not match a recognised account\.$/.test(w.Message)),
				JSON.stringify(mj.Warnings)
			);
			assert.ok(
				(mj.ValidationErrors || []).some((v) => v.Message === 'The total debits (100.00) must equal total credits (-90.00)'),
				JSON.stringify(mj.ValidationErrors)
			);
			assert.equal(mj.StatusAttributeString, 'ERROR');
		});

		it('Narration is required (FACTS §7)', async () => {
			const res = await call(api, 'createManualJournals', T, {
				manualJournals: [{ date: DATE, journalLines: [{ lineAmount: 1, accountCode: '610' }, { lineAmount: -1, accountCode: '200' }] }],
			});
			validationException(res, 'no narration');
		});
	});

	describe('bank transactions (FACTS §7)', () => {
		it('RECEIVE and SPEND on bank account 090', async () => {
			const d = ok(
				await call(
					api,
					'createBankTransactions',
					T,
					{
						bankTransactions: [
							{
								type: 'RECEIVE',
								contact: { contactID: customer },
								bankAccount: { code: '090' },
								date: DATE,
								reference: 'cash sale',
								lineAmountTypes: 'Inclusive',
								lineItems: [line('cash sale', 1, 23, { lineAmount: 23 })],
							},
							{
								type: 'SPEND',
								contact: { contactID: supplier },
								bankAccount: { code: '090' },
								date: DATE,
								lineItems: [line('fees', 1, 10, { accountCode: '429', taxType: 'INPUT2' })],
							},
						],
					},
					false
				),
				'createBankTransactions'
			);
			const [rcv, spd] = d.BankTransactions;
			assert.equal(rcv.StatusAttributeString, 'OK');
			assert.equal(rcv.Type, 'RECEIVE');
			assert.equal(rcv.Status, 'AUTHORISED');
			assert.equal(cents(rcv.Total), 2300);
			assert.equal(cents(rcv.TotalTax), 300);
			assert.equal(rcv.BankAccount.Code, '090');
			assert.equal(spd.Type, 'SPEND');
			assert.equal(cents(spd.Total), 1150);
			ok(await call(api, 'getBankTransaction', T, rcv.BankTransactionID), 'getBankTransaction');
		});

		it('RECEIVE-PREPAYMENT creates a prepayment that carries PrepaymentID (FACTS §7)', async () => {
			const d = ok(
				await call(api, 'createBankTransactions', T, {
					bankTransactions: [
						{
							type: 'RECEIVE-PREPAYMENT',
							contact: { contactID: customer },
							bankAccount: { code: '090' },
							date: DATE,
							lineAmountTypes: 'Exclusive',
							lineItems: [line('deposit', 1, 40)],
						},
					],
				}),
				'prepayment'
			);
			const bt = d.BankTransactions[0];
			assert.match(bt.PrepaymentID || '', /^[0-9a-f-]{36}$/, 'no PrepaymentID');
			const p = ok(await call(api, 'getPrepayment', T, bt.PrepaymentID), 'getPrepayment').Prepayments[0];
			assert.equal(cents(p.Total), 4600);
			assert.equal(p.Status, 'AUTHORISED');
		});

		it('SPEND-OVERPAYMENT creates an overpayment that carries OverpaymentID (FACTS §7)', async () => {
			const d = ok(
				await call(api, 'createBankTransactions', T, {
					bankTransactions: [
						{
							type: 'SPEND-OVERPAYMENT',
							contact: { contactID: supplier },
							bankAccount: { code: '090' },
							date: DATE,
							lineAmountTypes: 'NoTax',
							lineItems: [{ description: 'paid twice', lineAmount: 12.5, accountCode: '800' }],
						},
					],
				}),
				'overpayment'
			);
			const bt = d.BankTransactions[0];
			assert.match(bt.OverpaymentID || '', /^[0-9a-f-]{36}$/, 'no OverpaymentID');
			const o = ok(await call(api, 'getOverpayment', T, bt.OverpaymentID), 'getOverpayment').Overpayments[0];
			assert.equal(cents(o.Total), 1250);
			assert.equal(o.Status, 'AUTHORISED');
		});

		it('BankAccount is required', async () => {
			const res = await call(api, 'createBankTransactions', T, {
				bankTransactions: [{ type: 'SPEND', contact: { contactID: supplier }, date: DATE, lineItems: [line('x', 1, 1)] }],
			});
			validationException(res, 'no bank account');
		});
	});

	describe('batching with summarizeErrors=false (FACTS §2)', () => {
		it('one bad element: HTTP 200, per-element StatusAttributeString, siblings saved, bad one not', async () => {
			const ref = uniq('BATCH');
			const good1 = accrec([line('g1', 1, 10)], { invoiceNumber: `${ref}-1` });
			const bad = accrec([line('bad', 1, 10)], { invoiceNumber: `${ref}-2` });
			bad.contact = {};
			const good2 = accrec([line('g2', 1, 20)], { invoiceNumber: `${ref}-3` });
			const res = await call(api, 'createInvoices', T, { invoices: [good1, bad, good2] }, false);
			const d = ok(res, 'batch');
			assert.equal(d.Invoices.length, 3);
			assert.deepEqual(d.Invoices.map((i) => i.StatusAttributeString), ['OK', 'ERROR', 'OK']);
			assert.equal(d.Invoices[1].HasErrors, true);
			assert.ok(d.Invoices[1].ValidationErrors.length >= 1);
			assert.notEqual(d.Invoices[0].HasErrors, true);
			const ids = [d.Invoices[0].InvoiceID, d.Invoices[2].InvoiceID];
			for (const id of ids) assert.match(id, /^[0-9a-f-]{36}$/);
			const got = ok(
				await call(api, 'getInvoices', T, undefined, undefined, undefined, undefined, [`${ref}-1`, `${ref}-2`, `${ref}-3`]),
				'getInvoices by number'
			);
			assert.deepEqual(got.Invoices.map((i) => i.InvoiceNumber).sort(), [`${ref}-1`, `${ref}-3`]);
		});

		it('default (summarised) mode: same batch is a 400 ValidationException naming the bad element', async () => {
			const bad = accrec([line('bad', 1, 10)]);
			bad.contact = {};
			const res = await call(api, 'createInvoices', T, { invoices: [accrec([line('g', 1, 1)]), bad] });
			validationException(res, 'summarised batch');
		});
	});

	describe('natural-key lookups with where/order (FACTS §2)', () => {
		it('Contacts by Name, Payments by Reference, ManualJournals by Narration, BankTransactions by Reference', async () => {
			const name = uniq('Lookup');
			const c = ok(await call(api, 'createContacts', T, { contacts: [{ name }] }), 'contact').Contacts[0];
			let d = ok(await call(api, 'getContacts', T, undefined, `Name=="${name}"`), 'contacts where');
			assert.deepEqual(d.Contacts.map((x) => x.ContactID), [c.ContactID]);

			const inv = await createInvoice(accrec([line('l', 1, 10)]));
			const ref = uniq('PAYREF');
			const p = ok(
				await call(api, 'createPayment', T, { invoice: { invoiceID: inv.InvoiceID }, account: { code: '090' }, date: DATE, amount: 1, reference: ref }),
				'pay'
			).Payments[0];
			d = ok(await call(api, 'getPayments', T, undefined, `Reference=="${ref}"`), 'payments where');
			assert.deepEqual(d.Payments.map((x) => x.PaymentID), [p.PaymentID]);
			assert.equal(d.Payments[0].Invoice.InvoiceID, inv.InvoiceID);

			const narration = uniq('Narr');
			const mj = ok(
				await call(api, 'createManualJournals', T, {
					manualJournals: [{ narration, date: DATE, journalLines: [{ lineAmount: 5, accountCode: '610' }, { lineAmount: -5, accountCode: '200' }] }],
				}),
				'mj'
			).ManualJournals[0];
			d = ok(await call(api, 'getManualJournals', T, undefined, `Narration=="${narration}"`), 'mj where');
			assert.deepEqual(d.ManualJournals.map((x) => x.ManualJournalID), [mj.ManualJournalID]);

			const bref = uniq('BTREF');
			const bt = ok(
				await call(api, 'createBankTransactions', T, {
					bankTransactions: [{ type: 'SPEND', contact: { contactID: supplier }, bankAccount: { code: '090' }, date: DATE, reference: bref, lineItems: [line('fee', 1, 2, { accountCode: '429', taxType: 'INPUT2' })] }],
				}),
				'bt'
			).BankTransactions[0];
			d = ok(await call(api, 'getBankTransactions', T, undefined, `Reference=="${bref}"`), 'bt where');
			assert.deepEqual(d.BankTransactions.map((x) => x.BankTransactionID), [bt.BankTransactionID]);
		});

		it('order=InvoiceNumber DESC sorts', async () => {
			const c = ok(await call(api, 'createContacts', T, { contacts: [{ name: uniq('Order') }] }), 'contact').Contacts[0];
			const base = uniq('ORD');
			for (const n of ['2', '3', '1'])
				await createInvoice(Object.assign(accrec([line('o', 1, 1)], { invoiceNumber: `${base}-${n}` }), { contact: { contactID: c.ContactID } }));
			const d = ok(
				await call(api, 'getInvoices', T, undefined, undefined, 'InvoiceNumber DESC', undefined, undefined, [c.ContactID]),
				'ordered'
			);
			assert.deepEqual(d.Invoices.map((i) => i.InvoiceNumber), [`${base}-3`, `${base}-2`, `${base}-1`]);
		});
	});

	describe('Idempotency-Key (FACTS §3)', () => {
		// ACCPAY: no natural de-duplication by number, so only the key prevents a
		// second bill.
		function bill(ref, amount) {
			return {
				Invoices: [
					{
						Type: 'ACCPAY',
						Contact: { ContactID: supplier },
						Date: DATE,
						DueDate: DUE,
						InvoiceNumber: ref,
						Status: 'AUTHORISED',
						LineItems: [{ Description: 'x', Quantity: 1, UnitAmount: amount, AccountCode: '310', TaxType: 'INPUT2' }],
					},
				],
			};
		}

		async function countBills(number) {
			const d = ok(
				await call(api, 'getInvoices', T, undefined, undefined, undefined, undefined, [number]),
				'count'
			);
			return d.Invoices.filter((i) => i.InvoiceNumber === number && i.Status !== 'DELETED').length;
		}

		it('replay with the same key returns the same body and creates nothing twice', async () => {
			const key = uniq('idem');
			const number = uniq('IDEM');
			const url = `${sb.base}/api.xro/2.0/Invoices?summarizeErrors=false`;
			const headers = { Authorization: `Bearer ${auth.access}`, 'xero-tenant-id': T, 'Idempotency-Key': key };
			const a = await h.request('PUT', url, { headers, json: bill(number, 10) });
			assert.equal(a.status, 200, a.text.slice(0, 300));
			const b = await h.request('PUT', url, { headers, json: bill(number, 10) });
			assert.equal(b.status, 200, b.text.slice(0, 300));
			assert.deepEqual(b.json, a.json);
			assert.equal(await countBills(number), 1);
			// The SDK path passes the key too.
			const key2 = uniq('idem-sdk');
			const n2 = uniq('IDEM');
			const inv = {
				type: 'ACCPAY',
				contact: { contactID: supplier },
				date: DATE,
				invoiceNumber: n2,
				status: 'AUTHORISED',
				lineItems: [line('x', 1, 5, { accountCode: '310', taxType: 'INPUT2' })],
			};
			const s1 = ok(await call(api, 'createInvoices', T, { invoices: [inv] }, false, undefined, key2), 'sdk 1');
			const s2 = ok(await call(api, 'createInvoices', T, { invoices: [inv] }, false, undefined, key2), 'sdk 2');
			assert.equal(s2.Invoices[0].InvoiceID, s1.Invoices[0].InvoiceID);
			assert.equal(await countBills(n2), 1);
		});

		it('same key with a different body is 409 Conflict and creates nothing', async () => {
			const key = uniq('idem');
			const number = uniq('IDEM');
			const url = `${sb.base}/api.xro/2.0/Invoices`;
			const headers = { Authorization: `Bearer ${auth.access}`, 'xero-tenant-id': T, 'Idempotency-Key': key };
			const a = await h.request('PUT', url, { headers, json: bill(number, 10) });
			assert.equal(a.status, 200, a.text.slice(0, 300));
			const b = await h.request('PUT', url, { headers, json: bill(number, 11) });
			assert.equal(b.status, 409, b.text.slice(0, 300));
			assert.equal(await countBills(number), 1);
		});

		it('without a key, a repeated ACCPAY PUT creates a duplicate (FACTS §3)', async () => {
			const number = uniq('NOKEY');
			const url = `${sb.base}/api.xro/2.0/Invoices`;
			const headers = { Authorization: `Bearer ${auth.access}`, 'xero-tenant-id': T };
			assert.equal((await h.request('PUT', url, { headers, json: bill(number, 10) })).status, 200);
			assert.equal((await h.request('PUT', url, { headers, json: bill(number, 10) })).status, 200);
			assert.equal(await countBills(number), 2);
		});

		it('a key longer than 128 characters is refused, nothing created (FACTS §3: 128 max)', async () => {
			const number = uniq('LONGKEY');
			const r = await h.request('PUT', `${sb.base}/api.xro/2.0/Invoices`, {
				headers: { Authorization: `Bearer ${auth.access}`, 'xero-tenant-id': T, 'Idempotency-Key': 'k'.repeat(129) },
				json: bill(number, 10),
			});
			assert.equal(r.status, 400, r.text.slice(0, 300));
			assert.equal(await countBills(number), 0);
		});
	});

	describe('paging and If-Modified-Since (FACTS §2)', () => {
		it('page/pageSize: pagination object, pages partition the collection', async () => {
			const all = ok(
				await call(api, 'getInvoices', T, undefined, undefined, undefined, undefined, undefined, undefined, undefined, 1, undefined, undefined, undefined, undefined, 1000),
				'all'
			);
			const n = all.pagination.itemCount;
			assert.ok(n >= 10, `expected at least 10 invoices by now, got ${n}`);
			assert.equal(all.Invoices.length, n);
			const size = 4;
			const pages = Math.ceil(n / size);
			const seen = [];
			for (let p = 1; p <= pages; p++) {
				const d = ok(
					await call(api, 'getInvoices', T, undefined, undefined, undefined, undefined, undefined, undefined, undefined, p, undefined, undefined, undefined, undefined, size),
					`page ${p}`
				);
				assert.deepEqual(d.pagination, { page: p, pageSize: size, pageCount: pages, itemCount: n });
				assert.equal(d.Invoices.length, p < pages ? size : n - size * (pages - 1));
				seen.push(...d.Invoices.map((i) => i.InvoiceID));
			}
			// Default order is unspecified, so compare as sets: no record lost
			// or repeated across pages.
			assert.equal(new Set(seen).size, n);
			assert.deepEqual([...seen].sort(), all.Invoices.map((i) => i.InvoiceID).sort());
			const beyond = ok(
				await call(api, 'getInvoices', T, undefined, undefined, undefined, undefined, undefined, undefined, undefined, pages + 1, undefined, undefined, undefined, undefined, size),
				'beyond'
			);
			assert.equal(beyond.Invoices.length, 0);
		});

		it('page without pageSize: pages of 100 (FACTS §2)', async () => {
			const d = ok(
				await call(api, 'getInvoices', T, undefined, undefined, undefined, undefined, undefined, undefined, undefined, 1),
				'page=1'
			);
			assert.equal(d.pagination.pageSize, 100);
			assert.equal(d.Invoices.length, Math.min(100, d.pagination.itemCount));
			assert.ok(d.Invoices.every((i) => Array.isArray(i.LineItems) && i.LineItems.length >= 1), 'paged invoices carry line items');
		});

		it('Contacts paging carries pagination too', async () => {
			const d = ok(
				await call(api, 'getContacts', T, undefined, undefined, undefined, undefined, 1, undefined, undefined, undefined, 2),
				'contacts page'
			);
			assert.equal(d.pagination.page, 1);
			assert.equal(d.pagination.pageSize, 2);
			assert.ok(d.Contacts.length <= 2);
			assert.equal(d.pagination.pageCount, Math.ceil(d.pagination.itemCount / 2));
		});

		it('every endpoint that declares page returns a pagination object', async () => {
			// [operation, collection key, index of `page` and `pageSize` args after the tenant id]
			const ops = [
				['getPayments', 'Payments', 3, 4],
				['getCreditNotes', 'CreditNotes', 3, 5],
				['getManualJournals', 'ManualJournals', 3, 4],
				['getBankTransactions', 'BankTransactions', 3, 5],
				['getPurchaseOrders', 'PurchaseOrders', 5, 6],
			];
			for (const [op, key, pi, si] of ops) {
				const args = new Array(8).fill(undefined);
				args[pi] = 1;
				args[si] = 1;
				const d = ok(await call(api, op, T, ...args), op);
				assert.ok(d.pagination, `${op}: no pagination object`);
				assert.equal(d.pagination.page, 1, op);
				assert.equal(d.pagination.pageSize, 1, op);
				assert.ok(d.pagination.itemCount >= 1, `${op}: itemCount ${d.pagination.itemCount}`);
				assert.equal(d.pagination.pageCount, d.pagination.itemCount, op);
				assert.equal(d[key].length, 1, op);
			}
		});

		it('If-Modified-Since returns only records created or changed since that instant', async () => {
			const oldName = uniq('Old');
			const old = ok(await call(api, 'createContacts', T, { contacts: [{ name: oldName }] }), 'old').Contacts[0];
			await h.sleep(1100);
			const since = new Date();
			await h.sleep(1100);
			const fresh = ok(await call(api, 'createContacts', T, { contacts: [{ name: uniq('New') }] }), 'new').Contacts[0];
			let d = ok(await call(api, 'getContacts', T, since), 'ims');
			let ids = d.Contacts.map((c) => c.ContactID);
			assert.ok(ids.includes(fresh.ContactID), 'new contact missing');
			assert.ok(!ids.includes(old.ContactID), 'old contact returned');
			for (const c of d.Contacts) assert.ok(Number(/\d+/.exec(c.UpdatedDateUTC)[0]) >= since.getTime() - 1000);
			// Changing the old record brings it into the window.
			ok(
				await call(api, 'updateOrCreateContacts', T, { contacts: [{ contactID: old.ContactID, name: oldName, emailAddress: 'x@example.com' }] }),
				'update old'
			);
			d = ok(await call(api, 'getContacts', T, since), 'ims 2');
			ids = d.Contacts.map((c) => c.ContactID);
			assert.ok(ids.includes(old.ContactID), 'updated contact missing');
			// Raw header in RFC 1123 form as well (HTTP-date is what proxies send).
			const r = await h.request('GET', `${sb.base}/api.xro/2.0/Contacts`, {
				headers: { Authorization: `Bearer ${auth.access}`, 'xero-tenant-id': T, 'If-Modified-Since': new Date(Date.now() + 3600e3).toUTCString() },
			});
			// Nothing changed since then: an empty collection, or 304 Not
			// Modified as plain HTTP would have it (Xero's choice between
			// the two is not documented; neither FACTS nor the spec says).
			assert.ok(r.status === 200 || r.status === 304, `future If-Modified-Since answered ${r.status}`);
			if (r.status === 200) assert.equal(r.json.Contacts.length, 0);
			else assert.equal(r.text, '');
		});
	});

	describe('errors', () => {
		it('GET of an unknown invoice id is 404', async () => {
			const res = await call(api, 'getInvoice', T, '00000000-0000-4000-8000-000000000000');
			assert.equal(res.status, 404);
		});
	});

	describe('lock dates (FACTS §7; sandbox admin API to set them)', () => {
		it('a document dated on or before the period lock date is refused with Xero\'s message', async () => {
			const r = await h.request('POST', `${sb.base}/sandbox/tenants/${T}/settings`, {
				json: { PeriodLockDate: '2026-06-30' },
				noSchema: true,
			});
			assert.ok(r.status >= 200 && r.status < 300, `settings: ${r.status} ${r.text.slice(0, 200)}`);
			for (const date of ['2026-06-15', '2026-06-30']) {
				const res = await call(api, 'createInvoices', T, { invoices: [accrec([line('locked', 1, 1)], { date, dueDate: DUE })] });
				const msgs = validationException(res, `dated ${date}`);
				assert.ok(
					msgs.some((m) => /^The document date cannot be before the period lock date, currently set at /.test(m)),
					JSON.stringify(msgs)
				);
			}
			await createInvoice(accrec([line('open', 1, 1)], { date: '2026-07-01' }));
		});

		it('changing a document dated in the locked period is refused too', async () => {
			// Created while its date is open, then the lock moves past it.
			const inv = await createInvoice(accrec([line('pre', 1, 1)], { date: '2026-08-01', status: 'DRAFT' }));
			const r = await h.request('POST', `${sb.base}/sandbox/tenants/${T}/settings`, {
				json: { PeriodLockDate: '2026-08-31' },
				noSchema: true,
			});
			assert.ok(r.status >= 200 && r.status < 300, `settings: ${r.status}`);
			const msgs = validationException(
				await call(api, 'updateInvoice', T, inv.InvoiceID, { invoices: [{ reference: 'late edit' }] }),
				'edit in locked period'
			);
			assert.ok(msgs.some((m) => /period lock date/.test(m)), JSON.stringify(msgs));
		});

		it('the end-of-year lock date blocks with its own message (FACTS §6)', async () => {
			const r = await h.request('POST', `${sb.base}/sandbox/tenants/${T}/settings`, {
				json: { PeriodLockDate: '', EndOfYearLockDate: '2026-03-31' },
				noSchema: true,
			});
			assert.ok(r.status >= 200 && r.status < 300, `settings: ${r.status}`);
			const msgs = validationException(
				await call(api, 'createInvoices', T, { invoices: [accrec([line('eoy', 1, 1)], { date: '2026-03-15', dueDate: DUE })] }),
				'eoy lock'
			);
			assert.ok(msgs.some((m) => /end of year lock date/.test(m)), JSON.stringify(msgs));
			await createInvoice(accrec([line('after eoy', 1, 1)], { date: '2026-04-01' }));
		});
	});
});
