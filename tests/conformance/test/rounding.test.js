'use strict';
// The sandbox's --rounding option (Xero's midpoint rule is unconfirmed,
// FACTS §5): a half-cent tax tie must follow the chosen rule, per line.
const { describe, it } = require('node:test');
const assert = require('assert/strict');
const h = require('../lib/harness');

// 0.30 x 15% = 0.045 and 0.70 x 15% = 0.105: half-away gives 0.05 and 0.11,
// half-even 0.04 and 0.10.
const CASES = [
	['half-away', [5, 11]],
	['half-even', [4, 10]],
];

describe('--rounding (sandbox option; Xero midpoint rule unconfirmed)', () => {
	for (const [mode, want] of CASES) {
		it(`${mode}: half-cent tax ties`, async () => {
			const sb = await h.startSandbox(['--limits', 'off', '--rounding', mode]);
			try {
				const s = await h.login(sb.base);
				const api = h.sdk(sb.base, s.access);
				const res = await h.call(api, 'createInvoices', s.tenantId, {
					invoices: [
						{
							type: 'ACCREC',
							contact: { name: `Rounding ${mode}` },
							date: '2026-11-02',
							dueDate: '2026-12-02',
							status: 'AUTHORISED',
							lineItems: [
								{ description: 'a', quantity: 1, unitAmount: 0.3, accountCode: '200', taxType: 'OUTPUT2' },
								{ description: 'b', quantity: 1, unitAmount: 0.7, accountCode: '200', taxType: 'OUTPUT2' },
							],
						},
					],
				});
				assert.equal(res.status, 200, JSON.stringify(res.data).slice(0, 300));
				const inv = res.data.Invoices[0];
				assert.deepEqual(inv.LineItems.map((l) => h.cents(l.TaxAmount)), want);
				assert.equal(h.cents(inv.TotalTax), want[0] + want[1]);
				assert.equal(h.cents(inv.Total), 100 + want[0] + want[1]);
			} finally {
				await sb.stop();
			}
		});
	}
});
