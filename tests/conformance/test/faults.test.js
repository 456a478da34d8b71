'use strict';
// Failure modes a sync client must survive, produced with the sandbox's
// --faults option, checked against what Xero promises: a 503 outage is
// plain text (FACTS §6) and a request retried with the same Idempotency-Key
// is not processed twice even when the first response was lost (FACTS §3).
const { describe, it, after } = require('node:test');
const assert = require('assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const h = require('../lib/harness');

const DATE = '2026-11-02';

function bill(supplierName, number) {
	return {
		Invoices: [
			{
				Type: 'ACCPAY',
				Contact: { Name: supplierName },
				Date: DATE,
				DueDate: DATE,
				InvoiceNumber: number,
				Status: 'AUTHORISED',
				LineItems: [{ Description: 'x', Quantity: 1, UnitAmount: 10, AccountCode: '310', TaxType: 'INPUT2' }],
			},
		],
	};
}

describe('fault injection', () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bs-conf-'));
	after(() => fs.rmSync(dir, { recursive: true, force: true }));

	it('503: plain-text maintenance body (FACTS §6), surfaced by the SDK as 503', async () => {
		const sb = await h.startSandbox(['--limits', 'off', '--faults', 'rate=1,kinds=503']);
		try {
			const s = await h.login(sb.base);
			const r = await h.request('GET', `${sb.base}/api.xro/2.0/Organisation`, {
				headers: { Authorization: `Bearer ${s.access}`, 'xero-tenant-id': s.tenantId },
			});
			assert.equal(r.status, 503);
			assert.match(r.text, /The Xero API is currently offline for maintenance/);
			const res = await h.call(h.sdk(sb.base, s.access), 'getInvoices', s.tenantId);
			assert.equal(res.status, 503);
		} finally {
			await sb.stop();
		}
	});

	it('lost responses: retries with the same Idempotency-Key create exactly one bill', async () => {
		const state = path.join(dir, 'lost.db');
		const number = h.uniq('LOST');
		const supplier = h.uniq('Supplier');
		const key = h.uniq('key');
		// Every response is lost after the request was processed.
		let sb = await h.startSandbox(['--limits', 'off', '--state', state, '--faults', 'rate=1,kinds=lost']);
		let s;
		let replayed = null;
		try {
			s = await h.login(sb.base);
			const put = () =>
				h.request('PUT', `${sb.base}/api.xro/2.0/Invoices`, {
					headers: { Authorization: `Bearer ${s.access}`, 'xero-tenant-id': s.tenantId, 'Idempotency-Key': key },
					json: bill(supplier, number),
				});
			// The first attempt is processed, then its response is lost.
			await assert.rejects(put(), /socket hang up|ECONNRESET|Parse Error|timeout/i);
			// Retries with the same key: either lost again or the stored reply.
			for (let i = 0; i < 2; i++) {
				try {
					const r = await put();
					assert.equal(r.status, 200, r.text.slice(0, 200));
					replayed = r.json.Invoices[0].InvoiceID;
				} catch (e) {
					if (!/socket hang up|ECONNRESET|Parse Error|timeout/i.test(e.message)) throw e;
				}
			}
		} finally {
			await sb.stop();
		}
		// Same state, no faults: look at what the ledger holds.
		sb = await h.startSandbox(['--limits', 'off', '--state', state]);
		try {
			s = await h.login(sb.base);
			const r = await h.request('GET', `${sb.base}/api.xro/2.0/Invoices?InvoiceNumbers=${encodeURIComponent(number)}`, {
				headers: { Authorization: `Bearer ${s.access}`, 'xero-tenant-id': s.tenantId },
			});
			assert.equal(r.status, 200, r.text.slice(0, 200));
			const held = r.json.Invoices.filter((i) => i.InvoiceNumber === number);
			assert.equal(held.length, 1, `${held.length} bills after lost responses and retries`);
			if (replayed) assert.equal(replayed, held[0].InvoiceID, 'replayed reply names another bill');
		} finally {
			await sb.stop();
		}
	});
});
