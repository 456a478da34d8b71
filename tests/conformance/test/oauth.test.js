'use strict';
// OAuth 2.0 and tenant-header conformance (FACTS §4), over raw HTTP like a
// real client's token plumbing, then through xero-node for the API calls.
const { describe, it, before, after } = require('node:test');
const assert = require('assert/strict');
const crypto = require('crypto');
const h = require('../lib/harness');

let sb;

// One top-level suite: node 18's runner is safest with hooks inside a describe.
describe('Xero OAuth 2.0 conformance', () => {
	before(async () => {
		sb = await h.startSandbox();
	});

	after(async () => {
		if (sb) await sb.stop();
	});

	function apiGet(base, path, headers) {
		return h.request('GET', `${base}/api.xro/2.0/${path}`, { headers });
	}

	describe('authorisation-code flow', () => {
		it('authorize auto-approves: 302 to redirect_uri with code and the same state', async () => {
			const { r, state } = await h.authorize(sb.base);
			assert.equal(r.status, 302);
			const loc = new URL(r.headers.location);
			assert.equal(`${loc.origin}${loc.pathname}`, h.REDIRECT_URI);
			assert.equal(loc.searchParams.get('state'), state);
			assert.ok(loc.searchParams.get('code'));
		});

		it('code exchange: Bearer token set with 30-minute access token (FACTS §4)', async () => {
			const s = await h.login(sb.base);
			const t = s.tokenReply;
			assert.equal(t.token_type, 'Bearer');
			assert.equal(t.expires_in, 1800);
			for (const k of ['access_token', 'refresh_token', 'id_token'])
				assert.ok(typeof t[k] === 'string' && t[k].length >= 16, `${k} missing`);
			assert.notEqual(t.access_token, t.refresh_token);
		});

		it('an authorisation code is single-use: second exchange is 400 invalid_grant (RFC 6749 §4.1.2)', async () => {
			const s = await h.login(sb.base);
			const r = await h.tokenRequest(sb.base, {
				grant_type: 'authorization_code',
				code: s.code,
				redirect_uri: h.REDIRECT_URI,
			});
			assert.equal(r.status, 400);
			assert.equal(r.json && r.json.error, 'invalid_grant');
		});

		it('no refresh token without offline_access (FACTS §4)', async () => {
			const { r } = await h.authorize(sb.base, { scope: 'openid accounting.invoices accounting.settings' });
			assert.equal(r.status, 302);
			const code = new URL(r.headers.location).searchParams.get('code');
			const t = await h.tokenRequest(sb.base, { grant_type: 'authorization_code', code, redirect_uri: h.REDIRECT_URI });
			assert.equal(t.status, 200, t.text);
			assert.ok(!t.json.refresh_token, 'refresh_token issued without offline_access');
		});

		it('GET /connections lists the tenant (identity spec: Connection)', async () => {
			const s = await h.login(sb.base);
			const c = s.connections[0];
			assert.match(c.tenantId, /^[0-9a-f-]{36}$/i);
			assert.match(c.id, /^[0-9a-f-]{36}$/i);
			assert.equal(c.tenantType, 'ORGANISATION');
			assert.equal(typeof c.tenantName, 'string');
			assert.ok(c.createdDateUtc);
		});
	});

	describe('refresh rotation (FACTS §4)', () => {
		it('refresh returns a new token pair; old refresh token still valid within the grace period', async () => {
			const s = await h.login(sb.base);
			const r1 = await h.tokenRequest(sb.base, { grant_type: 'refresh_token', refresh_token: s.refresh });
			assert.equal(r1.status, 200, r1.text);
			assert.notEqual(r1.json.refresh_token, s.refresh, 'refresh token not rotated');
			assert.notEqual(r1.json.access_token, s.access);
			assert.equal(r1.json.token_type, 'Bearer');
			// New access token works through the SDK.
			const api = h.sdk(sb.base, r1.json.access_token);
			const org = await h.call(api, 'getOrganisations', s.tenantId);
			assert.equal(org.status, 200);
			// Lost-response case: the previous refresh token is still accepted.
			const r2 = await h.tokenRequest(sb.base, { grant_type: 'refresh_token', refresh_token: s.refresh });
			assert.equal(r2.status, 200, `old refresh token rejected inside grace: ${r2.text}`);
			const org2 = await h.call(h.sdk(sb.base, r2.json.access_token), 'getOrganisations', s.tenantId);
			assert.equal(org2.status, 200);
			// And the rotated one works too.
			const r3 = await h.tokenRequest(sb.base, { grant_type: 'refresh_token', refresh_token: r1.json.refresh_token });
			assert.equal(r3.status, 200, r3.text);
		});

		it('unknown refresh token: 400 {"error":"invalid_grant"}', async () => {
			const r = await h.tokenRequest(sb.base, { grant_type: 'refresh_token', refresh_token: crypto.randomBytes(24).toString('hex') });
			assert.equal(r.status, 400);
			assert.equal(r.json && r.json.error, 'invalid_grant');
		});
	});

	describe('authentication and tenant header (FACTS §4)', () => {
		let s;
		before(async () => {
			s = await h.login(sb.base);
		});

		it('valid token + tenant: 200 through the SDK', async () => {
			const res = await h.call(h.sdk(sb.base, s.access), 'getOrganisations', s.tenantId);
			assert.equal(res.status, 200);
			assert.equal(res.body.organisations[0].baseCurrency, 'NZD');
		});

		it('missing xero-tenant-id: 403', async () => {
			const r = await apiGet(sb.base, 'Organisation', { Authorization: `Bearer ${s.access}` });
			assert.equal(r.status, 403, r.text.slice(0, 200));
		});

		it('unknown tenant id: 403', async () => {
			const r = await apiGet(sb.base, 'Organisation', { Authorization: `Bearer ${s.access}`, 'xero-tenant-id': crypto.randomUUID() });
			assert.equal(r.status, 403, r.text.slice(0, 200));
		});

		it('garbage bearer token: 401 (raw and through the SDK)', async () => {
			const r = await apiGet(sb.base, 'Organisation', { Authorization: 'Bearer not-a-token', 'xero-tenant-id': s.tenantId });
			assert.equal(r.status, 401);
			const res = await h.call(h.sdk(sb.base, 'not-a-token'), 'getInvoices', s.tenantId);
			assert.equal(res.status, 401);
		});

		it('no Authorization header: 401', async () => {
			const r = await apiGet(sb.base, 'Organisation', { 'xero-tenant-id': s.tenantId });
			assert.equal(r.status, 401);
		});

		it('a refresh token is not an access token: 401', async () => {
			const r = await apiGet(sb.base, 'Organisation', { Authorization: `Bearer ${s.refresh}`, 'xero-tenant-id': s.tenantId });
			assert.equal(r.status, 401);
		});

		it('/connections needs a valid token: 401', async () => {
			const r = await h.request('GET', `${sb.base}/connections`, { headers: { Authorization: 'Bearer nope' } });
			assert.equal(r.status, 401);
		});
	});

	describe('scopes (FACTS §4)', () => {
		it('a read-only scope can GET invoices but not create them', async () => {
			const { r } = await h.authorize(sb.base, { scope: 'offline_access accounting.invoices.read accounting.settings.read' });
			assert.equal(r.status, 302);
			const code = new URL(r.headers.location).searchParams.get('code');
			const t = await h.tokenRequest(sb.base, { grant_type: 'authorization_code', code, redirect_uri: h.REDIRECT_URI });
			assert.equal(t.status, 200, t.text);
			const c = await h.request('GET', `${sb.base}/connections`, { headers: { Authorization: `Bearer ${t.json.access_token}` } });
			const tenant = c.json[0].tenantId;
			const api = h.sdk(sb.base, t.json.access_token);
			const g = await h.call(api, 'getInvoices', tenant);
			assert.equal(g.status, 200);
			const p = await h.call(api, 'createInvoices', tenant, {
				invoices: [{ type: 'ACCREC', contact: { name: 'Scope test' }, lineItems: [{ description: 'x', quantity: 1, unitAmount: 1, accountCode: '200' }] }],
			});
			// Xero answers a missing scope with 401 or 403 depending on the
			// endpoint; both are refusals (FACTS §4: 403 = no permission).
			assert.ok(p.status === 401 || p.status === 403, `write with read-only scope answered ${p.status}`);
		});
	});

	describe('token expiry and disconnect (time-scaled sandbox)', () => {
		// time-scale=900: the 30-minute access token lives 2 s of real time.
		let fast;
		let s;
		before(async () => {
			fast = await h.startSandbox(['--limits', 'minute=60,day=5000,concurrent=5,app-minute=10000,time-scale=900']);
			s = await h.login(fast.base);
		});
		after(async () => {
			if (fast) await fast.stop();
		});

		it('an expired access token is 401; refreshing yields a working one', async () => {
			let r = await apiGet(fast.base, 'Organisation', { Authorization: `Bearer ${s.access}`, 'xero-tenant-id': s.tenantId });
			assert.equal(r.status, 200, r.text.slice(0, 200));
			await h.sleep(2600);
			r = await apiGet(fast.base, 'Organisation', { Authorization: `Bearer ${s.access}`, 'xero-tenant-id': s.tenantId });
			assert.equal(r.status, 401, 'access token still valid after 30 scaled minutes');
			const t = await h.tokenRequest(fast.base, { grant_type: 'refresh_token', refresh_token: s.refresh });
			assert.equal(t.status, 200, t.text);
			r = await apiGet(fast.base, 'Organisation', { Authorization: `Bearer ${t.json.access_token}`, 'xero-tenant-id': s.tenantId });
			assert.equal(r.status, 200);
			s.access = t.json.access_token;
			s.refresh = t.json.refresh_token;
		});

		it('a rotated refresh token stops working after the 30-minute grace period (FACTS §4)', async () => {
			const first = await h.tokenRequest(fast.base, { grant_type: 'refresh_token', refresh_token: s.refresh });
			assert.equal(first.status, 200, first.text);
			await h.sleep(2600); // > 30 scaled minutes
			const stale = await h.tokenRequest(fast.base, { grant_type: 'refresh_token', refresh_token: s.refresh });
			assert.equal(stale.status, 400, 'old refresh token still accepted after the grace period');
			assert.equal(stale.json && stale.json.error, 'invalid_grant');
			s.refresh = first.json.refresh_token;
		});

		it('DELETE /connections/{id}: 204, then the tenant is 403 and an unknown id is 404 (identity spec)', async () => {
			const t = await h.tokenRequest(fast.base, { grant_type: 'refresh_token', refresh_token: s.refresh });
			assert.equal(t.status, 200, t.text);
			const bearer = { Authorization: `Bearer ${t.json.access_token}` };
			const c = await h.request('GET', `${fast.base}/connections`, { headers: bearer });
			const conn = c.json[0];
			const d = await h.request('DELETE', `${fast.base}/connections/${conn.id}`, { headers: bearer });
			assert.equal(d.status, 204);
			const r = await apiGet(fast.base, 'Organisation', { ...bearer, 'xero-tenant-id': conn.tenantId });
			assert.ok(r.status === 403 || r.status === 401, `disconnected tenant answered ${r.status}`);
			const c2 = await h.request('GET', `${fast.base}/connections`, { headers: bearer });
			if (c2.status === 200) assert.ok(!c2.json.some((x) => x.id === conn.id), 'connection still listed');
			const n = await h.request('DELETE', `${fast.base}/connections/${crypto.randomUUID()}`, { headers: bearer });
			assert.equal(n.status, 404);
		});
	});
});
