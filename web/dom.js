// dom.js - building the page without innerHTML: every piece of text from
// the server goes in as a text node, so a record named "<script>" stays text.

// h(tag, attrs, ...children): an element.  attrs: "class", "text", "on<event>"
// (a listener), boolean true/false (present/absent), anything else setAttribute.
// Children: nodes, strings (text nodes), arrays (flattened), null/false (skipped).
export function h(tag, attrs, ...children) {
	const ns = tag.startsWith("svg:") ? "http://www.w3.org/2000/svg" : null;
	const el = ns ? document.createElementNS(ns, tag.slice(4)) : document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false) continue;
		if (k === "text") el.textContent = String(v);
		else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
		else if (v === true) el.setAttribute(k, "");
		else el.setAttribute(k, String(v));
	}
	append(el, children);
	return el;
}

function append(el, children) {
	for (const c of children) {
		if (c === null || c === undefined || c === false) continue;
		if (Array.isArray(c)) append(el, c);
		else if (c instanceof Node) el.appendChild(c);
		else el.appendChild(document.createTextNode(String(c)));
	}
}

// svg(tag, attrs, ...children): h() in the SVG namespace.
export function svg(tag, attrs, ...children) {
	return h("svg:" + tag, attrs, ...children);
}

// clear(el, ...children): replace el's children.
export function clear(el, ...children) {
	while (el.firstChild) el.removeChild(el.firstChild);
	append(el, children);
	return el;
}

// $(id): document.getElementById, which must exist (a missing id is a bug).
export function $(id) {
	const el = document.getElementById(id);
	if (!el) throw new Error("no element #" + id);
	return el;
}

// announce(text): said by screen readers through the polite live region.
export function announce(text) {
	const el = document.getElementById("announce");
	if (el) el.textContent = text;
}

// fmtDate("2026-10-01T09:00:00Z") -> "2026-10-01 09:00 UTC"; other strings as given.
export function fmtTime(iso) {
	if (!iso) return "";
	const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
	return m ? `${m[1]} ${m[2]} UTC` : String(iso);
}
