'use strict';
// Test harness: starts `booksync sandbox qbo` on a free loopback port, points
// Intuit's own OAuth client (intuit-oauth) and npm's node-quickbooks at it
// (both hard-code Intuit's hosts in reassignable constants), runs the
// authorisation-code flow, and wraps node-quickbooks' callbacks as promises.
// No network beyond 127.0.0.1.
const { spawn } = require('child_process');
const http = require('http');
const fs = require('fs');
const path = require('path');
const OAuthClient = require('intuit-oauth');
const QuickBooks = require('node-quickbooks');

const BOOKSYNC =
	process.env.BOOKSYNC || path.resolve(__dirname, '..', '..', '..', 'build', 'booksync');
const CLIENT_ID = 'qbo-conformance-client';
const CLIENT_SECRET = 'qbo-conformance-secret';
const REDIRECT_URI = 'http://localhost:8765/callback';
const SCOPE = OAuthClient.scopes.Accounting; // com.intuit.quickbooks.accounting

// ---- sandbox process ------------------------------------------------------

// Resolves to { base, proc, stop() } once the sandbox printed its base URL.
// PIDs go to $BS_CONFORMANCE_PIDFILE so the CTest wrapper can kill leftovers.
function startSandbox(extraArgs = [], { timeoutMs = 10000 } = {}) {
	if (!fs.existsSync(BOOKSYNC))
		throw new Error(`booksync binary not found at ${BOOKSYNC} (set $BOOKSYNC)`);
	const args = ['sandbox', 'qbo', '--listen', '127.0.0.1:0', ...extraArgs];
	const proc = spawn(BOOKSYNC, args, { stdio: ['ignore', 'pipe', 'pipe'] });
	if (process.env.BS_CONFORMANCE_PIDFILE && proc.pid)
		fs.appendFileSync(process.env.BS_CONFORMANCE_PIDFILE, `${proc.pid}\n`);
	let stderr = '';
	proc.stderr.on('data', (d) => {
		stderr += d;
	});
	const killer = () => proc.kill('SIGKILL');
	process.on('exit', killer);
	return new Promise((resolve, reject) => {
		let out = '';
		const timer = setTimeout(() => {
			proc.kill('SIGKILL');
			reject(new Error(`sandbox did not print its URL in ${timeoutMs} ms: ${stderr}`));
		}, timeoutMs);
		proc.on('exit', (code, sig) => {
			clearTimeout(timer);
			reject(new Error(`sandbox exited (${code ?? sig}) before ready: ${stderr}`));
		});
		proc.stdout.on('data', (d) => {
			out += d;
			const nl = out.indexOf('\n');
			if (nl < 0) return;
			clearTimeout(timer);
			proc.removeAllListeners('exit');
			const base = out.slice(0, nl).trim();
			if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(base)) {
				proc.kill('SIGKILL');
				reject(new Error(`first stdout line is not a base URL: ${JSON.stringify(base)}`));
				return;
			}
			proc.stdout.resume();
			resolve({
				base,
				proc,
				stop: () =>
					new Promise((res) => {
						process.removeListener('exit', killer);
						if (proc.exitCode !== null || proc.signalCode !== null) return res(proc.exitCode);
						const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
						proc.on('exit', (c, s) => {
							clearTimeout(t);
							// a sanitizer build (BOOKSYNC=build-asan/booksync) reports here
							if (/Sanitizer/.test(stderr)) console.error(`sandbox stderr:\n${stderr}`);
							res(c ?? s);
						});
						proc.kill('SIGTERM');
					}),
			});
		});
	});
}

// ---- raw HTTP (the browser leg, and what the SDKs cannot send) ------------

function request(method, url, { headers = {}, body } = {}) {
	const u = new URL(url);
	const payload = body === undefined ? null : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
	if (payload) {
		headers['Content-Length'] = payload.length;
		if (!headers['Content-Type']) headers['Content-Type'] = 'application/json';
	}
	headers.Accept = headers.Accept || 'application/json';
	return new Promise((resolve, reject) => {
		const req = http.request(
			{ method, hostname: u.hostname, port: u.port, path: u.pathname + u.search, headers },
			(res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					let json;
					try {
						json = text ? JSON.parse(text) : undefined;
					} catch (_) {
						json = undefined;
					}
					resolve({ status: res.statusCode, headers: res.headers, text, json });
				});
			}
		);
		req.on('error', reject);
		if (payload) req.write(payload);
		req.end();
	});
}

// ---- OAuth through intuit-oauth --------------------------------------------

// intuit-oauth keeps Intuit's endpoints in static fields: point them here.
function oauthClient(base) {
	OAuthClient.authorizeEndpoint = `${base}/connect/oauth2`;
	OAuthClient.tokenEndpoint = `${base}/oauth2/v1/tokens/bearer`;
	OAuthClient.revokeEndpoint = `${base}/oauth2/v1/tokens/revoke`;
	return new OAuthClient({
		clientId: CLIENT_ID,
		clientSecret: CLIENT_SECRET,
		environment: 'sandbox',
		redirectUri: REDIRECT_URI,
	});
}

// The browser leg (authorize auto-approves) and the code exchange.
// Resolves to { oauth, token, realmId, location }.
async function login(base) {
	const oauth = oauthClient(base);
	const uri = oauth.authorizeUri({ scope: [SCOPE], state: 'conformance-state' });
	const r = await request('GET', uri);
	if (r.status !== 302) throw new Error(`authorize answered ${r.status}: ${r.text}`);
	const location = r.headers.location;
	const resp = await oauth.createToken(location);
	const token = resp.getJson ? resp.getJson() : resp.json;
	return { oauth, token, realmId: oauth.getToken().realmId, location };
}

// ---- node-quickbooks --------------------------------------------------------

// A node-quickbooks client on the sandbox, with promise-returning calls:
// qb.call('createInvoice', {...}) resolves to the entity or rejects with the
// Fault body (as node-quickbooks passes it).
function qbClient(base, session) {
	QuickBooks.V3_ENDPOINT_BASE_URL = `${base}/v3/company/`;
	const qb = new QuickBooks(CLIENT_ID, CLIENT_SECRET, session.token.access_token, false,
		session.realmId, true, false, 75, '2.0', session.token.refresh_token);
	qb.call = (name, ...args) =>
		new Promise((resolve, reject) => {
			qb[name](...args, (err, data) => (err ? reject(err) : resolve(data)));
		});
	return qb;
}

// Assert that p rejects with a Fault whose first Error has `code`.
async function fault(p, code) {
	let err = null;
	try {
		await p;
	} catch (e) {
		err = e;
	}
	if (!err) throw new Error(`expected Fault ${code}, the call succeeded`);
	// node-quickbooks hands over the Fault body, or (through its unwrap) the
	// axios error whose response carries it
	const body = err.Fault ? err : err.response && err.response.data;
	const f = body && body.Fault;
	if (!f || !f.Error || !f.Error.length)
		throw new Error(`expected Fault ${code}, got ${JSON.stringify(err).slice(0, 300)}`);
	if (String(f.Error[0].code) !== String(code))
		throw new Error(`expected Fault ${code}, got ${JSON.stringify(f)}`);
	for (const k of ['Message', 'Detail', 'code'])
		if (typeof f.Error[0][k] !== 'string') throw new Error(`Fault Error lacks ${k}: ${JSON.stringify(f)}`);
	if (typeof f.type !== 'string') throw new Error(`Fault lacks type: ${JSON.stringify(f)}`);
	return f;
}

module.exports = {
	BOOKSYNC, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, SCOPE,
	startSandbox, request, oauthClient, login, qbClient, fault,
};
