'use strict';
// Webhook conformance (FACTS §8): the sandbox delivers signed events to a
// receiver written here the way Xero's docs ask receivers to be written
// (verify the HMAC over the raw body before parsing, 200 or 401), and every
// delivery is validated against xero-webhooks.yaml.
const { describe, it, before, after } = require('node:test');
const assert = require('assert/strict');
const http = require('http');
const crypto = require('crypto');
const h = require('../lib/harness');
const schema = require('../lib/schema');

const KEY = 'conformance-webhook-key-0123456789abcdef';

function startReceiver() {
	const got = []; // { valid, raw, json }
	let failNext = 0;
	const srv = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks);
			const want = crypto.createHmac('sha256', KEY).update(raw).digest();
			const sig = Buffer.from(String(req.headers['x-xero-signature'] || ''), 'base64');
			const valid = sig.length === want.length && crypto.timingSafeEqual(sig, want);
			if (valid && failNext > 0) {
				failNext--;
				got.push({ valid, raw: raw.toString('utf8'), json: JSON.parse(raw), refused: true });
				res.writeHead(500);
				res.end();
				return;
			}
			got.push({ valid, raw: raw.toString('utf8'), json: valid ? JSON.parse(raw) : null });
			// Xero: 200 with an empty body for a valid signature, 401 otherwise.
			res.writeHead(valid ? 200 : 401);
			res.end();
		});
	});
	return new Promise((resolve) =>
		srv.listen(0, '127.0.0.1', () =>
			resolve({
				url: `http://127.0.0.1:${srv.address().port}/hook`,
				got,
				failNext: (n) => {
					failNext = n;
				},
				close: () => new Promise((r) => srv.close(r)),
			})
		)
	);
}

// All events delivered so far, flattened, with their delivery.
function events(rx) {
	return rx.got
		.filter((d) => d.valid && !d.refused && d.json.events.length > 0)
		.flatMap((d) => d.json.events.map((e) => ({ ...e, delivery: d })));
}

async function waitFor(pred, ms = 6000) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		const v = pred();
		if (v) return v;
		await h.sleep(50);
	}
	return pred();
}

describe('Xero webhooks conformance', () => {
	let rx;
	let sb;
	let s;
	let api;

	before(async () => {
		rx = await startReceiver();
		sb = await h.startSandbox(['--limits', 'off', '--webhook-url', rx.url, '--webhook-key', KEY]);
		s = await h.login(sb.base);
		api = h.sdk(sb.base, s.access);
	});

	after(async () => {
		if (sb) await sb.stop();
		if (rx) await rx.close();
	});

	it('intent to receive: signed and unsigned probes, the FACTS §8 body, answered 200/401', async () => {
		const before = rx.got.length;
		const r = await h.request('POST', `${sb.base}/sandbox/webhooks/intent`, { noSchema: true });
		assert.equal(r.status, 200, r.text.slice(0, 200));
		const probes = rx.got.slice(before);
		assert.ok(probes.some((p) => p.valid) && probes.some((p) => !p.valid), 'needs both valid and invalid probes');
		for (const p of probes) {
			const b = JSON.parse(p.raw);
			assert.deepEqual(Object.keys(b).sort(), ['entropy', 'events', 'firstEventSequence', 'lastEventSequence']);
			assert.deepEqual(b.events, []);
			assert.equal(b.firstEventSequence, 0);
			assert.equal(b.lastEventSequence, 0);
			assert.ok(typeof b.entropy === 'string' && b.entropy.length >= 10);
		}
		assert.equal(r.json.ok, true, `sandbox says our receiver answered wrongly: ${r.text}`);
	});

	it('contact, invoice and credit-note events: signed, schema-valid, pointing at the resource', async () => {
		const c = (await h.call(api, 'createContacts', s.tenantId, { contacts: [{ name: h.uniq('Hook') }] })).data.Contacts[0];
		const line = { description: 'x', quantity: 1, unitAmount: 10, accountCode: '200', taxType: 'OUTPUT2' };
		const inv = (
			await h.call(api, 'createInvoices', s.tenantId, {
				invoices: [{ type: 'ACCREC', contact: { contactID: c.ContactID }, date: '2026-11-02', dueDate: '2026-12-02', status: 'DRAFT', lineItems: [line] }],
			})
		).data.Invoices[0];
		const upd = await h.call(api, 'updateInvoice', s.tenantId, inv.InvoiceID, { invoices: [{ status: 'AUTHORISED' }] });
		assert.equal(upd.status, 200);
		const cn = (
			await h.call(api, 'createCreditNotes', s.tenantId, {
				creditNotes: [{ type: 'ACCRECCREDIT', contact: { contactID: c.ContactID }, date: '2026-11-02', status: 'AUTHORISED', lineItems: [line] }],
			})
		).data.CreditNotes[0];

		const find = (cat, type, id) => events(rx).find((e) => e.eventCategory === cat && e.eventType === type && e.resourceId === id);
		const want = [
			['CONTACT', 'CREATE', c.ContactID, 'Contacts'],
			['INVOICE', 'CREATE', inv.InvoiceID, 'Invoices'],
			['INVOICE', 'UPDATE', inv.InvoiceID, 'Invoices'],
			['CREDITNOTE', 'CREATE', cn.CreditNoteID, 'CreditNotes'],
		];
		await waitFor(() => want.every(([cat, type, id]) => find(cat, type, id)));
		for (const [cat, type, id, coll] of want) {
			const e = find(cat, type, id);
			assert.ok(e, `no ${cat} ${type} event for ${id}; got ${JSON.stringify(events(rx).map((x) => [x.eventCategory, x.eventType]))}`);
			assert.equal(e.tenantId, s.tenantId);
			assert.equal(e.tenantType, 'ORGANISATION');
			assert.match(e.resourceUrl, new RegExp(`/api\\.xro/2\\.0/${coll}/${id}$`));
			if (cat === 'CREDITNOTE') assert.deepEqual(e.data, { Type: 'ACCRECCREDIT', Status: 'AUTHORISED' });
		}
		// Every delivery: schema-valid and sequence numbers in order.
		let last = 0;
		for (const d of rx.got.filter((x) => x.valid && !x.refused && x.json.events.length)) {
			let errs = schema.validateWebhook('WebhookEvent', d.json);
			assert.deepEqual(errs, [], `delivery violates xero-webhooks.yaml WebhookEvent: ${errs.join('; ')}`);
			// CreditNoteWebhookEvent constrains every event of its envelope,
			// so credit-note events are checked one by one.
			for (const e of d.json.events.filter((x) => x.eventCategory === 'CREDITNOTE')) {
				errs = schema.validateWebhook('CreditNoteWebhookEvent', { ...d.json, events: [e] });
				assert.deepEqual(errs, [], `credit-note event violates CreditNoteWebhookEvent: ${errs.join('; ')}`);
			}
			assert.ok(d.json.firstEventSequence <= d.json.lastEventSequence);
			assert.ok(d.json.firstEventSequence > last, 'event sequence went backwards');
			last = d.json.lastEventSequence;
		}
	});

	it('a failed delivery is retried with the same events (FACTS §8)', async () => {
		rx.failNext(1);
		const c = (await h.call(api, 'createContacts', s.tenantId, { contacts: [{ name: h.uniq('Retry') }] })).data.Contacts[0];
		const refused = await waitFor(() => rx.got.find((d) => d.refused && d.json.events.some((e) => e.resourceId === c.ContactID)));
		assert.ok(refused, 'no delivery for the new contact');
		const redelivered = await waitFor(() =>
			rx.got.find((d) => d.valid && !d.refused && d.json.events.some((e) => e.resourceId === c.ContactID))
		);
		assert.ok(redelivered, 'refused delivery was not retried');
		assert.equal(redelivered.json.firstEventSequence, refused.json.firstEventSequence);
	});
});
