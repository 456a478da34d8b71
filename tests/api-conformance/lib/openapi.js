// openapi.js - hold every answer of the REST API to docs/openapi.yaml.
//
// The document is loaded once (npm `yaml`) and handed whole to ajv's JSON
// Schema 2020-12 validator (OpenAPI 3.1's dialect) under one $id, so a
// response's schema is compiled by its JSON pointer inside the document and
// its "#/components/schemas/..." references resolve as they are written.
// The walker goes from an answer's method, path and status to that schema:
// the path is matched against the document's templates segment by segment
// ({x} matches one segment), the status must be listed for the operation,
// and the Content-Type must be one the answer declares.
"use strict";

const fs = require("fs");
const path = require("path");
const YAML = require("yaml");
const Ajv2020 = require("ajv/dist/2020");

const DOC_ID = "https://booksync.invalid/openapi.json";

function esc(seg) {
  return seg.replace(/~/g, "~0").replace(/\//g, "~1");
}

class OpenApi {
  constructor(file) {
    this.doc = YAML.parse(fs.readFileSync(file, "utf8"));
    this.base = new URL(this.doc.servers[0].url).pathname.replace(/\/$/, "");
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    this.ajv.addSchema(Object.assign({ $id: DOC_ID }, this.doc));
    this.docId = DOC_ID;
    this.cache = new Map();
    this.seen = new Set(); // "METHOD template" exercised
  }

  // Every operation of the document as "METHOD /template".
  operations() {
    const ops = [];
    for (const [p, item] of Object.entries(this.doc.paths)) {
      for (const m of ["get", "put", "post", "delete", "patch"]) {
        if (item[m]) ops.push(`${m.toUpperCase()} ${p}`);
      }
    }
    return ops;
  }

  // The template of the document matching a request path, or null.
  template(urlPath) {
    for (const t of Object.keys(this.doc.paths)) {
      // a path may name its own server (the webhooks, outside /api/v1)
      const srv = this.doc.paths[t].servers;
      const base = srv ? new URL(srv[0].url).pathname.replace(/\/$/, "") : this.base;
      if (!urlPath.startsWith(base + "/")) continue;
      const segs = urlPath.slice(base.length).split("/");
      const ts = t.split("/");
      if (ts.length !== segs.length) continue;
      if (ts.every((s, i) => (s.startsWith("{") && s.endsWith("}") && segs[i] !== "") || s === segs[i])) {
        return t;
      }
    }
    return null;
  }

  // Follow a local $ref to its object and JSON pointer.
  deref(obj, pointer) {
    while (obj && obj.$ref) {
      if (!obj.$ref.startsWith("#/")) throw new Error(`non-local $ref ${obj.$ref}`);
      pointer = obj.$ref.slice(1);
      obj = pointer
        .split("/")
        .slice(1)
        .reduce((o, k) => o[k.replace(/~1/g, "/").replace(/~0/g, "~")], this.doc);
    }
    return [obj, pointer];
  }

  // Check one answer; returns a list of problems ([] when it conforms).
  check(method, urlPath, status, contentType, bodyText) {
    const problems = [];
    const t = this.template(urlPath);
    if (t === null) return [`${method} ${urlPath}: no path of the document matches`];
    const op = this.doc.paths[t][method.toLowerCase()];
    if (!op) return [`${method} ${t}: the document has no such operation`];
    this.seen.add(`${method} ${t}`);
    const basePtr = `/paths/${esc(t)}/${method.toLowerCase()}/responses/${status}`;
    const [resp, respPtr] = this.deref(op.responses[String(status)], basePtr);
    if (!resp) return [`${method} ${t}: status ${status} is not documented`];
    if (!resp.content) {
      if (bodyText.length > 0 && status !== 302) problems.push(`${method} ${t} ${status}: a body where none is documented`);
      return problems;
    }
    const mediaType = (contentType || "").split(";")[0].trim().toLowerCase();
    const media = resp.content[mediaType];
    if (!media) {
      return [`${method} ${t} ${status}: Content-Type "${contentType}" is not one of ${Object.keys(resp.content).join(", ")}`];
    }
    if (mediaType !== "application/json") return problems; // text: the type is the check
    let body;
    try {
      body = JSON.parse(bodyText);
    } catch (e) {
      return [`${method} ${t} ${status}: not JSON: ${e.message}`];
    }
    const ptr = `${respPtr}/content/${esc(mediaType)}/schema`;
    let validate = this.cache.get(ptr);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOC_ID}#${ptr}` });
      this.cache.set(ptr, validate);
    }
    if (!validate(body)) {
      for (const e of validate.errors) problems.push(`${method} ${urlPath} ${status}: ${e.instancePath || "/"} ${e.message} (${e.schemaPath})`);
    }
    return problems;
  }
}

function load() {
  const root = process.env.BS_SOURCE_DIR || path.resolve(__dirname, "../../..");
  return new OpenApi(path.join(root, "docs", "openapi.yaml"));
}

module.exports = { OpenApi, load };
