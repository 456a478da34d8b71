// api.js - the dashboard's one door to /api/v1/: JSON in and out, the
// session's CSRF token on every state change, and the API's error object
// ({"error":{"status","message","param"}}) turned into an ApiError.

let csrf = "";
let onUnauthorized = null;

// setCsrf(token): the token GET/POST /api/v1/session handed out.
export function setCsrf(token) {
	csrf = token || "";
}

// whenUnauthorized(fn): fn() runs when any call answers 401 (session gone).
export function whenUnauthorized(fn) {
	onUnauthorized = fn;
}

export class ApiError extends Error {
	constructor(status, message, param, body) {
		super(message);
		this.status = status;
		this.param = param || null;
		this.body = body || null; // the error object as sent (e.g. its "job")
	}
}

// query({a: 1, b: null}) -> "?a=1" (null, undefined and "" are left out).
export function query(params) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params || {})) {
		if (v === null || v === undefined || v === "") continue;
		q.set(k, String(v));
	}
	const s = q.toString();
	return s ? "?" + s : "";
}

// seg(x): one path segment, encoded ("SO/1" stays one segment).
export function seg(x) {
	return encodeURIComponent(String(x));
}

// call(method, path, body, opts): the parsed JSON answer (null for 204), or
// throws ApiError.  opts.accept: another Accept type; the answer is then
// the response text.  opts.quiet401: do not call the unauthorized hook.
export async function call(method, path, body, opts = {}) {
	const headers = { Accept: opts.accept || "application/json" };
	const init = { method, headers, credentials: "same-origin", cache: "no-store" };
	if (body !== undefined) {
		headers["Content-Type"] = "application/json";
		init.body = JSON.stringify(body);
	}
	if (method !== "GET" && method !== "HEAD" && csrf) headers["X-CSRF-Token"] = csrf;
	let resp;
	try {
		resp = await fetch("/api/v1" + path, init);
	} catch (e) {
		throw new ApiError(0, "booksync is not answering (" + e.message + ")", null, null);
	}
	if (resp.status === 204) return null;
	const type = resp.headers.get("Content-Type") || "";
	if (resp.ok && opts.accept && !type.includes("json")) return await resp.text();
	let data = null;
	const text = await resp.text();
	if (text) {
		try {
			data = JSON.parse(text);
		} catch (e) {
			if (resp.ok) throw new ApiError(resp.status, "the answer was not JSON", null, null);
		}
	}
	if (!resp.ok) {
		const err = data && data.error ? data.error : {};
		const msg = err.message || `${resp.status} ${resp.statusText}`;
		if (resp.status === 401 && !opts.quiet401 && onUnauthorized) onUnauthorized();
		throw new ApiError(resp.status, msg, err.param, err);
	}
	return data;
}

export const get = (path, opts) => call("GET", path, undefined, opts);
export const post = (path, body, opts) => call("POST", path, body === undefined ? {} : body, opts);
export const put = (path, body, opts) => call("PUT", path, body, opts);
export const del = (path, opts) => call("DELETE", path, undefined, opts);
