'use strict';
// Throttling per realm (FACTS §2: 500 a minute, 10 in flight, 40 batch calls
// a minute, 429 ThrottleExceeded), injected faults, and webhooks signed in
// intuit-signature = base64(HMAC-SHA256(verifier token, body)) (FACTS §8).
const { describe, it, after } = require('node:test');
const assert = require('assert/strict');
const crypto = require('crypto');
const http = require('http');
const h = require('../lib/harness');

describe('QBO limits, faults and webhooks conformance', () => {
	const started = [];
	after(async () => {
		for (const sb of started) await sb.stop();
	});
	async function start(args) {
		const sb = await h.startSandbox(args);
		started.push(sb);
		const s = await h.login(sb.base);
		return { sb, s, qb: h.qbClient(sb.base, s) };
	}

	it('the minute limit answers 429 with the ThrottleExceeded Fault', async () => {
		const { qb } = await start(['--limits', 'minute=4,batch-minute=2']);
		for (let i = 0; i < 4; i++) await qb.call('getPreferences');
		const f = await h.fault(qb.call('getPreferences'), '3001');
		assert.equal(f.type, 'SERVICE');
		assert.match(f.Error[0].Message, /ThrottleExceeded/);
	});

	it('batch calls have their own minute', async () => {
		const { qb } = await start(['--limits', 'minute=100,batch-minute=2']);
		const items = [{ bId: '1', Query: 'select * from TaxCode' }];
		await qb.call('batch', items);
		await qb.call('batch', items);
		await h.fault(qb.call('batch', items), '3001');
		await qb.call('getPreferences');
	});

	it('time-scale shortens the minute', async () => {
		const { qb } = await start(['--limits', 'minute=2,time-scale=60']);
		await qb.call('getPreferences');
		await qb.call('getPreferences');
		await h.fault(qb.call('getPreferences'), '3001');
		await new Promise((r) => setTimeout(r, 1100));
		await qb.call('getPreferences');
	});

	it('a 500 fault is a SystemFault', async () => {
		const { sb, s } = await start(['--faults', 'rate=1,seed=1,kinds=500']);
		const r = await h.request('GET', `${sb.base}/v3/company/${s.realmId}/preferences`, {
			headers: { Authorization: `Bearer ${s.token.access_token}` },
		});
		assert.equal(r.status, 500);
		assert.equal(r.json.Fault.type, 'SystemFault');
	});

	it('webhooks: signed with intuit-signature, eventNotifications per realm', async () => {
		const key = 'conformance-verifier-token';
		const got = [];
		let bad = 0;
		const srv = http.createServer((req, res) => {
			const chunks = [];
			req.on('data', (c) => chunks.push(c));
			req.on('end', () => {
				const body = Buffer.concat(chunks);
				const want = crypto.createHmac('sha256', key).update(body).digest('base64');
				if (req.headers['intuit-signature'] === want) got.push(JSON.parse(body.toString()));
				else bad++;
				res.writeHead(200);
				res.end();
			});
		});
		await new Promise((r) => srv.listen(0, '127.0.0.1', r));
		const url = `http://127.0.0.1:${srv.address().port}/hook`;
		try {
			const { s, qb } = await start(['--limits', 'off', '--webhook-url', url, '--webhook-key', key]);
			const c = await qb.call('createCustomer', { DisplayName: 'Webhook Ltd' });
			for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
			assert.equal(bad, 0);
			assert.ok(got.length > 0, 'no signed delivery');
			const n = got[0].eventNotifications[0];
			assert.equal(n.realmId, s.realmId);
			const e = n.dataChangeEvent.entities.find((x) => x.id === c.Id);
			assert.equal(e.name, 'Customer');
			assert.equal(e.operation, 'Create');
			assert.ok(e.lastUpdated);
		} finally {
			srv.close();
		}
	});
});
