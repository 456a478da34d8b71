// read_ledger.js URL OUT [COLLECTION...]: every document of those collections (default
// Invoices Contacts) of the sandbox's tenant, via the OAuth code flow, into OUT as
// {invoices: [...], contacts: [...], ...} (keys lower-cased); reads again on a 5xx or closed
// connection (bounded), waits out a 429.
const [base, out, ...wanted] = process.argv.slice(2);
const colls = wanted.length ? wanted : ['Invoices', 'Contacts'];
const fs = require('fs');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function req(url, opts) {
	for (let i = 0; ; i++) {
		try {
			const r = await fetch(url, opts);
			if (r.status === 429)
				await sleep(Math.min(Number(r.headers.get('retry-after') || '1'), 2) * 1000);
			else if (r.status < 500)
				return r;
		} catch (e) { /* dropped connection: read again */ }
		if (i >= 30) throw new Error('giving up on ' + url);
		await sleep(50);
	}
}
(async () => {
	const redirect = 'http://127.0.0.1:1/cb';
	const scope = 'openid offline_access accounting.transactions accounting.contacts accounting.settings';
	const auth = await req(base + '/identity/connect/authorize?response_type=code&client_id=t' +
		'&redirect_uri=' + encodeURIComponent(redirect) + '&scope=' + encodeURIComponent(scope) +
		'&state=s1', { redirect: 'manual' });
	const loc = auth.headers.get('location');
	if (auth.status !== 302 || !loc) throw new Error('authorize answered ' + auth.status);
	const code = new URL(loc).searchParams.get('code');
	const tok = await req(base + '/connect/token', {
		method: 'POST',
		headers: { authorization: 'Basic ' + Buffer.from('t:s').toString('base64'),
			'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ grant_type: 'authorization_code', code,
			redirect_uri: redirect }).toString(),
	});
	const access = (await tok.json()).access_token;
	if (!access) throw new Error('no access token');
	const conns = await (await req(base + '/connections',
		{ headers: { authorization: 'Bearer ' + access } })).json();
	const h = { authorization: 'Bearer ' + access, 'xero-tenant-id': conns[0].tenantId,
		accept: 'application/json' };
	const all = async (coll) => {
		const items = [];
		for (let page = 1; ; page++) {
			const r = await req(`${base}/api.xro/2.0/${coll}?page=${page}&pageSize=1000`,
				{ headers: h });
			if (r.status !== 200) throw new Error(`${coll} page ${page}: ${r.status}`);
			const j = await r.json();
			const got = j[coll] || [];
			items.push(...got);
			if (got.length === 0 || (j.pagination && page >= j.pagination.pageCount)) break;
		}
		return items;
	};
	const got = {};
	for (const coll of colls) got[coll.toLowerCase()] = await all(coll);
	fs.writeFileSync(out, JSON.stringify(got));
})().catch((e) => { console.error('read_ledger: ' + e.message); process.exit(1); });
