'use strict';
// OAuth 2.0 through Intuit's own intuit-oauth client (FACTS §4): authorize
// redirects with code, state and realmId; tokens/bearer for both grants
// (1-hour access tokens, refresh tokens that rotate); revoke.
const { describe, it, before, after } = require('node:test');
const assert = require('assert/strict');
const h = require('../lib/harness');

describe('QBO OAuth 2.0 conformance', () => {
	let sb;
	before(async () => {
		sb = await h.startSandbox();
	});
	after(async () => {
		if (sb) await sb.stop();
	});

	it('authorize redirects with code, state and realmId', async () => {
		const s = await h.login(sb.base);
		const loc = new URL(s.location);
		assert.equal(`${loc.origin}${loc.pathname}`, h.REDIRECT_URI);
		assert.equal(loc.searchParams.get('state'), 'conformance-state');
		assert.ok(loc.searchParams.get('code'));
		assert.match(s.realmId, /^\d+$/);
	});

	it('code exchange: bearer, 3600 s, refresh token with x_refresh_token_expires_in', async () => {
		const s = await h.login(sb.base);
		assert.equal(s.token.token_type, 'bearer');
		assert.equal(s.token.expires_in, 3600);
		assert.ok(s.token.access_token);
		assert.ok(s.token.refresh_token);
		assert.equal(s.token.x_refresh_token_expires_in, 100 * 86400);
		assert.ok(s.oauth.isAccessTokenValid());
	});

	it('refresh rotates the refresh token; the new access token works', async () => {
		const s = await h.login(sb.base);
		const before = s.token.refresh_token;
		const r = await s.oauth.refresh();
		const t = r.getJson();
		assert.notEqual(t.refresh_token, before);
		const qb = h.qbClient(sb.base, { token: t, realmId: s.realmId });
		const info = await qb.call('getCompanyInfo', s.realmId);
		assert.equal(info.CompanyName, 'Booksync Sandbox Ltd');
	});

	it('revoke ends the grant: the refresh token is refused, the access token too', async () => {
		const s = await h.login(sb.base);
		const t = s.token;
		await s.oauth.revoke({ refresh_token: t.refresh_token });
		const qb = h.qbClient(sb.base, { token: t, realmId: s.realmId });
		const f = await h.fault(qb.call('getPreferences'), '3200');
		assert.equal(f.type, 'AuthenticationFault');
		await assert.rejects(s.oauth.refreshUsingToken(t.refresh_token));
	});

	it('a bad code is invalid_grant', async () => {
		const oauth = h.oauthClient(sb.base);
		await assert.rejects(oauth.createToken(`${h.REDIRECT_URI}?code=nope&state=x&realmId=1`), (e) => {
			return /invalid_grant/.test(JSON.stringify(e.authResponse ? e.authResponse.json : e.message || e));
		});
	});
});
