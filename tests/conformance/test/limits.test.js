'use strict';
// Rate-limit conformance (FACTS §1) against sandboxes started with tiny,
// time-scaled limits so the suite stays fast.
const { describe, it, before, after } = require('node:test');
const assert = require('assert/strict');
const h = require('../lib/harness');

const SCALE = 20; // the 60 s minute window lasts 3 s of real time
const MINUTE = 5;

function remaining(r, name) {
	const v = r.headers[name.toLowerCase()];
	assert.ok(v !== undefined, `${name} missing on a ${r.status} reply`);
	assert.match(String(v), /^\d+$/, `${name}: ${v}`);
	return Number(v);
}

describe('minute limit', () => {
	let sb;
	let s;
	before(async () => {
		sb = await h.startSandbox(['--limits', `minute=${MINUTE},day=5000,concurrent=5,app-minute=10000,time-scale=${SCALE}`]);
		s = await h.login(sb.base);
	});
	after(async () => {
		if (sb) await sb.stop();
	});

	const get = () =>
		h.request('GET', `${sb.base}/api.xro/2.0/Organisation`, {
			headers: { Authorization: `Bearer ${s.access}`, 'xero-tenant-id': s.tenantId },
		});

	it('every reply carries X-DayLimit/X-MinLimit/X-AppMinLimit-Remaining; over the limit is 429 + Retry-After + X-Rate-Limit-Problem', async () => {
		const first = await get();
		assert.equal(first.status, 200, first.text.slice(0, 200));
		let min = remaining(first, 'X-MinLimit-Remaining');
		let day = remaining(first, 'X-DayLimit-Remaining');
		let app = remaining(first, 'X-AppMinLimit-Remaining');
		assert.ok(min <= MINUTE - 1, `X-MinLimit-Remaining ${min} after a call with minute=${MINUTE}`);
		assert.ok(day <= 5000 - 1 && day >= 5000 - 10, `X-DayLimit-Remaining ${day}`);
		assert.ok(app <= 10000 - 1 && app >= 10000 - 10, `X-AppMinLimit-Remaining ${app}`);
		while (min > 0) {
			const r = await get();
			assert.equal(r.status, 200, r.text.slice(0, 200));
			assert.equal(remaining(r, 'X-MinLimit-Remaining'), min - 1);
			assert.equal(remaining(r, 'X-DayLimit-Remaining'), day - 1);
			assert.equal(remaining(r, 'X-AppMinLimit-Remaining'), app - 1);
			min--;
			day--;
			app--;
		}
		const over = await get();
		assert.equal(over.status, 429);
		const ra = over.headers['retry-after'];
		assert.match(String(ra), /^\d+$/, `Retry-After: ${ra}`);
		assert.ok(Number(ra) >= 1 && Number(ra) <= 60, `Retry-After ${ra} outside a minute window`);
		assert.equal(over.headers['x-rate-limit-problem'], 'Minute');
		assert.equal(remaining(over, 'X-MinLimit-Remaining'), 0);
		// Through the SDK: a 429 surfaces with its status and Retry-After.
		const res = await h.call(h.sdk(sb.base, s.access), 'getInvoices', s.tenantId);
		assert.equal(res.status, 429);
		assert.ok(res.headers['retry-after'], 'SDK error lacks Retry-After');
		// The window rolls over: after one (scaled) minute calls succeed again.
		await h.sleep((60 / SCALE) * 1000 + 400);
		const again = await get();
		assert.equal(again.status, 200, `still limited after the window: ${again.status}`);
	});
});

describe('limits are per connection (FACTS §1)', () => {
	let sb;
	let s;
	before(async () => {
		sb = await h.startSandbox(['--limits', `minute=3,day=5000,concurrent=5,app-minute=10000,time-scale=1`]);
		s = await h.login(sb.base);
	});
	after(async () => {
		if (sb) await sb.stop();
	});

	it('a second organisation keeps its own minute allowance when the first is exhausted', async () => {
		// Second tenant through the sandbox admin API (not part of Xero).
		const t = await h.request('POST', `${sb.base}/sandbox/tenants`, { json: { Name: 'Second Org' }, noSchema: true });
		assert.ok(t.status === 200 || t.status === 201, `create tenant: ${t.status} ${t.text.slice(0, 200)}`);
		const second = t.json.tenantId;
		assert.notEqual(second, s.tenantId);
		const get = (tenant) =>
			h.request('GET', `${sb.base}/api.xro/2.0/Organisation`, {
				headers: { Authorization: `Bearer ${s.access}`, 'xero-tenant-id': tenant },
			});
		let r;
		for (let i = 0; i < 6 && (r = await get(s.tenantId)).status === 200; i++);
		assert.equal(r.status, 429);
		const other = await get(second);
		assert.equal(other.status, 200, `second tenant limited too: ${other.status}`);
		assert.equal(remaining(other, 'X-MinLimit-Remaining'), 2);
	});
});

describe('concurrent limit (FACTS §1: 5 concurrent calls per tenant)', () => {
	let sb;
	let s;
	before(async () => {
		// Every call held ~400 ms by the sandbox's "slow" fault so calls overlap.
		sb = await h.startSandbox([
			'--limits',
			'minute=1000,day=5000,concurrent=2,app-minute=10000,time-scale=1',
			'--faults',
			'rate=1,kinds=slow,slow-ms=400',
		]);
		s = await h.login(sb.base);
	});
	after(async () => {
		if (sb) await sb.stop();
	});

	it('more overlapping calls than allowed: the excess gets 429 with Retry-After', async () => {
		const rs = await Promise.all(
			Array.from({ length: 6 }, () =>
				h.request('GET', `${sb.base}/api.xro/2.0/Organisation`, {
					headers: { Authorization: `Bearer ${s.access}`, 'xero-tenant-id': s.tenantId },
				})
			)
		);
		const okN = rs.filter((r) => r.status === 200).length;
		const limited = rs.filter((r) => r.status === 429);
		assert.ok(okN >= 1 && okN <= 2, `${okN} calls ran concurrently with concurrent=2`);
		assert.equal(okN + limited.length, 6, `statuses ${rs.map((r) => r.status)}`);
		for (const r of limited) {
			assert.match(String(r.headers['retry-after']), /^\d+$/);
			// The header's value for this limit is unconfirmed (FACTS §1).
			assert.ok(r.headers['x-rate-limit-problem'], 'X-Rate-Limit-Problem missing');
		}
	});
});

describe('day limit', () => {
	let sb;
	let s;
	before(async () => {
		sb = await h.startSandbox(['--limits', 'minute=1000,day=3,concurrent=5,app-minute=10000,time-scale=1']);
		s = await h.login(sb.base);
	});
	after(async () => {
		if (sb) await sb.stop();
	});

	it('past the daily cap: 429 with X-Rate-Limit-Problem Daily and a long Retry-After (FACTS §1)', async () => {
		let r;
		for (let i = 0; i < 10; i++) {
			r = await h.request('GET', `${sb.base}/api.xro/2.0/Accounts`, {
				headers: { Authorization: `Bearer ${s.access}`, 'xero-tenant-id': s.tenantId },
			});
			if (r.status !== 200) break;
			assert.ok(i < 3, 'more than 3 calls allowed with day=3');
		}
		assert.equal(r.status, 429);
		assert.equal(r.headers['x-rate-limit-problem'], 'Daily');
		assert.equal(remaining(r, 'X-DayLimit-Remaining'), 0);
		assert.ok(Number(r.headers['retry-after']) > 60, `Retry-After ${r.headers['retry-after']} for a daily cap`);
	});
});

describe('limits off', () => {
	it('--limits off: many calls, never a 429', async () => {
		const sb = await h.startSandbox(['--limits', 'off']);
		try {
			const s = await h.login(sb.base);
			const rs = await Promise.all(
				Array.from({ length: 80 }, () =>
					h.request('GET', `${sb.base}/api.xro/2.0/Organisation`, {
						headers: { Authorization: `Bearer ${s.access}`, 'xero-tenant-id': s.tenantId },
					})
				)
			);
			assert.deepEqual([...new Set(rs.map((r) => r.status))], [200]);
		} finally {
			await sb.stop();
		}
	});
});
