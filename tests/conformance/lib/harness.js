'use strict';
// Test harness: starts `booksync sandbox xero` on a free loopback port, does
// the OAuth 2.0 authorisation-code flow over plain HTTP (xero-node's
// XeroClient hard-codes login.xero.com / identity.xero.com), and wraps both
// raw HTTP and xero-node AccountingApi calls so that every reply body is
// checked against Xero's OpenAPI schema for its operation and status.
const { spawn } = require('child_process');
const http = require('http');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const assert = require('assert/strict');
const { AccountingApi } = require('xero-node');
const schema = require('./schema');

// The axios instance xero-node itself uses: an interceptor keeps the last
// raw reply so a body the SDK cannot even deserialise is still reported
// precisely (schema errors) instead of as xero-node's "statusCode 0".
const sdkAxios = require(require.resolve('axios', { paths: [path.dirname(require.resolve('xero-node'))] }));
let lastRaw = null;
sdkAxios.interceptors.response.use(
	(r) => {
		lastRaw = r;
		return r;
	},
	(e) => {
		lastRaw = e && e.response ? e.response : null;
		return Promise.reject(e);
	}
);

const BOOKSYNC =
	process.env.BOOKSYNC || path.resolve(__dirname, '..', '..', '..', 'build', 'booksync');
const CLIENT_ID = process.env.XERO_CLIENT_ID || 'conformance-client';
const CLIENT_SECRET = process.env.XERO_CLIENT_SECRET || 'conformance-secret';
const REDIRECT_URI = 'http://localhost:8765/callback';
// offline_access for a refresh token; granular accounting scopes (FACTS §4:
// mandatory for apps created on/after 2 Mar 2026) plus settings/contacts.
const SCOPES = [
	'openid',
	'profile',
	'email',
	'offline_access',
	'accounting.invoices',
	'accounting.payments',
	'accounting.banktransactions',
	'accounting.manualjournals',
	'accounting.contacts',
	'accounting.settings',
].join(' ');

// ---- sandbox process ------------------------------------------------------

// Starts the sandbox; resolves to { base, proc, stop() } once it printed its
// base URL.  PIDs are appended to $BS_CONFORMANCE_PIDFILE so the CTest
// wrapper can kill survivors if node itself dies.
function startSandbox(extraArgs = [], { timeoutMs = 10000 } = {}) {
	if (!fs.existsSync(BOOKSYNC))
		throw new Error(`booksync binary not found at ${BOOKSYNC} (set $BOOKSYNC)`);
	const args = ['sandbox', 'xero', '--listen', '127.0.0.1:0', ...extraArgs];
	const proc = spawn(BOOKSYNC, args, { stdio: ['ignore', 'pipe', 'pipe'] });
	if (process.env.BS_CONFORMANCE_PIDFILE && proc.pid)
		fs.appendFileSync(process.env.BS_CONFORMANCE_PIDFILE, `${proc.pid}\n`);
	let stderr = '';
	proc.stderr.on('data', (d) => {
		stderr += d;
		if (stderr.length > 20000) stderr = stderr.slice(-10000);
	});
	const killer = () => proc.kill('SIGKILL');
	process.on('exit', killer);
	return new Promise((resolve, reject) => {
		let out = '';
		const timer = setTimeout(() => {
			proc.kill('SIGKILL');
			reject(new Error(`sandbox did not print its URL within ${timeoutMs} ms; stderr: ${stderr}`));
		}, timeoutMs);
		proc.on('exit', (code, sig) => {
			clearTimeout(timer);
			reject(new Error(`sandbox exited (${code ?? sig}) before ready: ${args.join(' ')}\n${stderr}`));
		});
		proc.stdout.on('data', (d) => {
			out += d;
			const nl = out.indexOf('\n');
			if (nl < 0) return;
			clearTimeout(timer);
			proc.removeAllListeners('exit');
			const base = out.slice(0, nl).trim().replace(/\/$/, '');
			if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(base)) {
				proc.kill('SIGKILL');
				reject(new Error(`sandbox's first stdout line is not a base URL: ${JSON.stringify(base)}`));
				return;
			}
			proc.stdout.resume();
			resolve({
				base,
				proc,
				stderr: () => stderr,
				stop: () =>
					new Promise((res) => {
						process.removeListener('exit', killer);
						if (proc.exitCode !== null || proc.signalCode !== null) return res(proc.exitCode);
						const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
						proc.on('exit', (c, s) => {
							clearTimeout(t);
							res(c ?? s);
						});
						proc.kill('SIGTERM');
					}),
			});
		});
	});
}

// ---- raw HTTP ---------------------------------------------------------------

const agent = new http.Agent({ keepAlive: false });

// request(method, url, { headers, body, form, json }) -> { status, headers, text, json }
// Never follows redirects.  Every JSON reply from the accounting or identity
// API is schema-checked (see checkSchema) unless opts.noSchema.
function request(method, url, opts = {}) {
	const u = new URL(url);
	const headers = Object.assign({}, opts.headers || {});
	let payload = null;
	if (opts.json !== undefined) {
		payload = Buffer.from(JSON.stringify(opts.json));
		headers['Content-Type'] = 'application/json';
	} else if (opts.form) {
		payload = Buffer.from(new URLSearchParams(opts.form).toString());
		headers['Content-Type'] = 'application/x-www-form-urlencoded';
	} else if (opts.body !== undefined) {
		payload = Buffer.from(opts.body);
	}
	if (payload) headers['Content-Length'] = payload.length;
	if (!Object.keys(headers).some((h) => h.toLowerCase() === 'accept'))
		headers.Accept = 'application/json';
	return new Promise((resolve, reject) => {
		const req = http.request(
			{ method, hostname: u.hostname, port: u.port, path: u.pathname + u.search, headers, agent },
			(res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					let json;
					try {
						json = text.length ? JSON.parse(text) : undefined;
					} catch (_) {
						json = undefined;
					}
					const r = { status: res.statusCode, headers: res.headers, text, json };
					try {
						if (!opts.noSchema) checkSchema(method, u.pathname, r);
					} catch (e) {
						reject(e); // a schema violation fails the awaiting test
						return;
					}
					resolve(r);
				});
			}
		);
		req.on('error', reject);
		req.setTimeout(opts.timeoutMs || 10000, () => req.destroy(new Error(`timeout ${method} ${url}`)));
		if (payload) req.write(payload);
		req.end();
	});
}

// Count of replies checked against a declared schema (reported at the end
// so "every body validated" is visible, not assumed).
const stats = { validated: 0, undeclared: 0 };

function checkSchema(method, pathname, r) {
	let spec = null;
	let p = pathname;
	if (/^\/api\.xro\/2\.0\//i.test(pathname)) spec = schema.accounting();
	else if (/^\/connections(\/|$)/i.test(pathname)) {
		spec = schema.identity();
		p = pathname.replace(/^\/connections/i, '/Connections');
	} else if (pathname === '/connect/token' && r.status === 200) {
		assert.ok(r.json, `token endpoint returned non-JSON: ${r.text.slice(0, 200)}`);
		const errs = schema.identity().validateComponent('AccessToken', r.json);
		if (errs.length) assert.fail(`token reply violates xero-identity.yaml AccessToken: ${errs.join('; ')}`);
		stats.validated++;
		return;
	}
	if (!spec) return;
	const ct = String(r.headers['content-type'] || '');
	const v = spec.validate(method, p, r.status, r.json);
	if (!v.validated) {
		assert.ok(v.op, v.errors.join('; '));
		stats.undeclared++;
		return;
	}
	assert.ok(
		/application\/json/i.test(ct),
		`${method} ${pathname} -> ${r.status}: spec declares JSON, got Content-Type ${ct}: ${r.text.slice(0, 200)}`
	);
	assert.ok(r.json !== undefined, `${method} ${pathname} -> ${r.status}: body is not JSON: ${r.text.slice(0, 200)}`);
	if (v.errors.length)
		assert.fail(
			`${method.toUpperCase()} ${pathname} -> ${r.status} violates ${v.op} ${v.schemaRef}:\n  ${v.errors
				.slice(0, 15)
				.join('\n  ')}`
		);
	stats.validated++;
}

// ---- OAuth 2.0 ----------------------------------------------------------------

function basicAuth(id = CLIENT_ID, secret = CLIENT_SECRET) {
	return 'Basic ' + Buffer.from(`${id}:${secret}`).toString('base64');
}

async function authorize(base, { scope = SCOPES, state = crypto.randomUUID() } = {}) {
	const q = new URLSearchParams({
		response_type: 'code',
		client_id: CLIENT_ID,
		redirect_uri: REDIRECT_URI,
		scope,
		state,
	});
	const r = await request('GET', `${base}/identity/connect/authorize?${q}`);
	return { r, state };
}

async function tokenRequest(base, form, auth = basicAuth()) {
	return request('POST', `${base}/connect/token`, { form, headers: { Authorization: auth } });
}

// Full code flow; returns { access, refresh, tenantId, tokenReply }.
async function login(base) {
	const { r, state } = await authorize(base);
	assert.equal(r.status, 302, `authorize: expected 302, got ${r.status} ${r.text.slice(0, 200)}`);
	const loc = new URL(r.headers.location);
	assert.equal(`${loc.origin}${loc.pathname}`, REDIRECT_URI);
	assert.equal(loc.searchParams.get('state'), state);
	const code = loc.searchParams.get('code');
	assert.ok(code, 'authorize redirect carries no code');
	const t = await tokenRequest(base, {
		grant_type: 'authorization_code',
		code,
		redirect_uri: REDIRECT_URI,
	});
	assert.equal(t.status, 200, `token: ${t.status} ${t.text.slice(0, 300)}`);
	const c = await request('GET', `${base}/connections`, {
		headers: { Authorization: `Bearer ${t.json.access_token}` },
	});
	assert.equal(c.status, 200, `connections: ${c.status} ${c.text.slice(0, 200)}`);
	assert.ok(Array.isArray(c.json) && c.json.length >= 1, 'no connected tenant');
	return {
		access: t.json.access_token,
		refresh: t.json.refresh_token,
		tenantId: c.json[0].tenantId,
		tokenReply: t.json,
		code,
		connections: c.json,
	};
}

// ---- xero-node SDK --------------------------------------------------------------

function sdk(base, accessToken) {
	const api = new AccountingApi();
	api.basePath = `${base}/api.xro/2.0`;
	api.accessToken = accessToken;
	return api;
}

// Calls api[op](...args) and normalises success and failure into
// { status, headers, data (raw JSON), body (SDK model) }.  The raw body is
// validated against the spec for (method, path, status).
async function call(api, op, ...args) {
	assert.equal(typeof api[op], 'function', `xero-node AccountingApi has no ${op}`);
	let res;
	lastRaw = null;
	try {
		const ok = await api[op](...args);
		res = {
			status: ok.response.status,
			headers: ok.response.headers,
			data: ok.response.data,
			body: ok.body,
			method: ok.response.config.method,
			url: ok.response.config.url,
		};
	} catch (e) {
		// xero-node rejects with JSON.stringify(ApiError.generateError()).
		let parsed;
		try {
			parsed = typeof e === 'string' ? JSON.parse(e) : null;
		} catch (_) {
			parsed = null;
		}
		if (!parsed || !parsed.response || !parsed.response.statusCode) {
			const why = typeof e === 'string' ? e : e && e.stack;
			if (lastRaw) {
				// HTTP worked, xero-node choked on the body: say why.
				const u = new URL(lastRaw.config.url, 'http://x');
				checkSchema(lastRaw.config.method, u.pathname, {
					status: lastRaw.status,
					headers: lastRaw.headers,
					json: lastRaw.data,
					text: JSON.stringify(lastRaw.data),
				});
				throw new Error(
					`${op}: xero-node could not deserialise the ${lastRaw.status} reply (${why}): ${JSON.stringify(lastRaw.data).slice(0, 400)}`
				);
			}
			throw new Error(`${op}: transport failure: ${why}`);
		}
		const req = parsed.response.request || {};
		res = {
			status: parsed.response.statusCode,
			headers: parsed.response.headers || {},
			data: parsed.response.body,
			body: null,
			method: req.method,
			url: req.url && req.url.path,
		};
	}
	if (res.method && res.url) {
		const u = new URL(res.url, 'http://x');
		checkSchema(res.method, u.pathname, {
			status: res.status,
			headers: res.headers,
			json: typeof res.data === 'string' ? tryJson(res.data) : res.data,
			text: typeof res.data === 'string' ? res.data : JSON.stringify(res.data),
		});
	}
	return res;
}

function tryJson(s) {
	try {
		return JSON.parse(s);
	} catch (_) {
		return undefined;
	}
}

// ---- money --------------------------------------------------------------------
// Integer cents; tests never compare money as floats.
function cents(x) {
	assert.equal(typeof x, 'number', `money value ${JSON.stringify(x)} is not a number`);
	const c = Math.round(x * 100);
	assert.ok(Math.abs(x * 100 - c) < 1e-6, `money value ${x} has more than 2 dp`);
	return c;
}

function uniq(prefix) {
	return `${prefix}-${crypto.randomBytes(4).toString('hex')}`;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

module.exports = {
	BOOKSYNC,
	CLIENT_ID,
	CLIENT_SECRET,
	REDIRECT_URI,
	SCOPES,
	startSandbox,
	request,
	authorize,
	tokenRequest,
	basicAuth,
	login,
	sdk,
	call,
	cents,
	uniq,
	sleep,
	stats,
};
