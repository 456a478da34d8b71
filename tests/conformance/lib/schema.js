'use strict';
// Response-schema oracle: Xero's own OpenAPI documents (vendored in ../spec,
// see spec/SOURCE.txt) compiled with ajv.  Every reply the suite receives is
// matched to its operation by method + path template and validated against
// the schema the spec declares for that status code.  Replies with no
// declared schema (401/403/404/429...) are reported as such, never passed
// silently as "valid".
//
// Spec quirks handled here, deliberately narrowly:
// - OpenAPI 3.0 extension keywords (x-is-msdate, x-is-money, example,
//   externalDocs, readOnly...) are not JSON Schema; ajv runs with
//   strict:false so it ignores the ones we do not give meaning to.
// - Dates: the spec types Invoice.Date etc. as plain `type: string` with
//   `x-is-msdate: true` (e.g. xero_accounting.yaml, Invoice.Date) and
//   UpdatedDateUTC as `x-is-msdate-time: true`, while Xero sends
//   "/Date(1539993600000+0000)/".  We turn both extensions into real
//   checks of that MS-JSON form instead of ignoring them.
// - Booleans declared with a string default/example (Invoice.HasErrors:
//   `default: "false"`): harmless because ajv does not apply defaults here.
// - Numeric formats double/int32/int64/float and byte/binary are OpenAPI
//   names, not ajv-formats ones: registered as no-op formats (the `type`
//   still applies).
const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

const SPEC_DIR = path.join(__dirname, '..', 'spec');
const MSDATE = /^\/Date\(-?\d+([+-]\d{4})?\)\/$/;

function loadDoc(file) {
	return yaml.load(fs.readFileSync(path.join(SPEC_DIR, file), 'utf8'));
}

function makeAjv(lenientDateTime) {
	const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, verbose: true });
	addFormats(ajv);
	if (lenientDateTime) {
		// xero-identity.yaml types Connection.createdDateUtc as
		// `format: date-time`, yet its own /Connections example (line 46)
		// is "2019-12-07T18:46:19.5165400": no UTC offset, 7 fraction
		// digits, which is what Xero really sends.  RFC 3339 date-time
		// would reject Xero itself, so for the identity API only the offset
		// is optional.
		ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$/i);
	}
	for (const f of ['double', 'float', 'int32', 'int64', 'byte', 'binary'])
		ajv.addFormat(f, true);
	for (const kw of ['x-is-msdate', 'x-is-msdate-time']) {
		ajv.addKeyword({
			keyword: kw,
			type: 'string',
			schemaType: 'boolean',
			errors: false,
			validate: (on, data) => !on || MSDATE.test(data),
		});
	}
	return ajv;
}

// One compiled API description: operations indexed for path matching.
class Spec {
	constructor(file, id, basePath, lenientDateTime) {
		this.doc = loadDoc(file);
		this.id = id;
		this.basePath = basePath;
		this.ajv = makeAjv(lenientDateTime);
		this.ajv.addSchema({ $id: id, components: this.doc.components }, id);
		this.ops = [];
		for (const [tmpl, item] of Object.entries(this.doc.paths)) {
			for (const [method, op] of Object.entries(item)) {
				if (!op || !op.responses) continue;
				// Literal segments first so /Contacts/{ContactID}/History
				// never matches a shorter template.
				const re = new RegExp(
					'^' +
						tmpl
							.split('/')
							.map((s) => (/^\{.*\}$/.test(s) ? '[^/]+' : escapeRe(s)))
							.join('/') +
						'$',
					'i'
				);
				this.ops.push({ method: method.toUpperCase(), tmpl, re, op });
			}
		}
		this.cache = new Map();
	}

	findOp(method, urlPath) {
		method = method.toUpperCase();
		let p = urlPath.split('?')[0];
		if (this.basePath && p.toLowerCase().startsWith(this.basePath.toLowerCase()))
			p = p.slice(this.basePath.length);
		const hits = this.ops.filter((o) => o.method === method && o.re.test(p));
		// Prefer templates with fewer parameters (more literal).
		hits.sort((a, b) => countParams(a.tmpl) - countParams(b.tmpl));
		return hits[0] || null;
	}

	// Returns { op, schemaRef, validated, errors }.  `validated` is false when
	// the spec declares no JSON schema for that status.
	validate(method, urlPath, status, body) {
		const hit = this.findOp(method, urlPath);
		if (!hit) return { op: null, validated: false, errors: [`no operation for ${method} ${urlPath}`] };
		let resp = hit.op.responses[String(status)];
		if (resp && resp.$ref) resp = resolve(this.doc, resp.$ref);
		const media = resp && resp.content && resp.content['application/json'];
		if (!media || !media.schema)
			return { op: hit.op.operationId, validated: false, errors: [] };
		const key = JSON.stringify(media.schema);
		let fn = this.cache.get(key);
		if (!fn) {
			fn = this.ajv.compile(rebase(media.schema, this.id));
			this.cache.set(key, fn);
		}
		const ok = fn(body);
		return {
			op: hit.op.operationId,
			validated: true,
			schemaRef: media.schema.$ref || '(inline)',
			errors: ok ? [] : fn.errors.map(fmtError),
		};
	}

	// Validate against a named component schema.
	validateComponent(name, body) {
		const fn = this.ajv.getSchema(`${this.id}#/components/schemas/${name}`);
		const ok = fn(body);
		return ok ? [] : fn.errors.map(fmtError);
	}
}

function fmtError(e) {
	let got = e.data === undefined ? '' : JSON.stringify(e.data);
	if (got.length > 60) got = got.slice(0, 57) + '...';
	return `${e.instancePath || '/'} ${e.message}${got ? ` (got ${got})` : ''}`;
}

function countParams(t) {
	return (t.match(/\{/g) || []).length;
}

function escapeRe(s) {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function resolve(doc, ref) {
	return ref
		.replace(/^#\//, '')
		.split('/')
		.reduce((o, k) => o[k], doc);
}

// Inline response schemas use local refs; point them at the registered doc.
function rebase(schema, id) {
	return JSON.parse(
		JSON.stringify(schema).replace(/"\$ref":"#\//g, `"$ref":"${id}#/`)
	);
}

let accounting = null;
let identity = null;
let webhooks = null;

// xero-webhooks.yaml is OpenAPI 3.1 with `webhooks:` instead of `paths:`;
// only its component schemas are used.  Its own examples give eventDateUtc
// without an offset ("2024-06-21T01:15:39.902", lines 90 and 271) although
// the schema says `format: date-time`, so the lenient date-time applies.
// The intent-to-receive body (FACTS §8: first/lastEventSequence 0) breaks
// the schema's `minimum: 1`; callers validate event deliveries only.
function webhookSchemas() {
	if (!webhooks) {
		const doc = loadDoc('xero-webhooks.yaml');
		const ajv = makeAjv(true);
		ajv.addSchema({ $id: 'xero-webhooks', components: doc.components }, 'xero-webhooks');
		webhooks = ajv;
	}
	return webhooks;
}

module.exports = {
	MSDATE,
	accounting() {
		if (!accounting) accounting = new Spec('xero_accounting.yaml', 'xero-accounting', '/api.xro/2.0', false);
		return accounting;
	},
	// Validate a webhook body against a component schema of xero-webhooks.yaml.
	validateWebhook(name, body) {
		const fn = webhookSchemas().getSchema(`xero-webhooks#/components/schemas/${name}`);
		return fn(body) ? [] : fn.errors.map(fmtError);
	},
	identity() {
		if (!identity) identity = new Spec('xero-identity.yaml', 'xero-identity', '', true);
		return identity;
	},
};
