// chart.js - a hand-written SVG bar chart: one bar per day, an optional
// dashed line (the day's allowance).  Values are counts, never money.

import { svg, h } from "./dom.js";

const W = 880;
const H = 220;
const M = { l: 48, r: 12, t: 12, b: 34 };

// niceMax(37) -> 40: the axis top, a round number at or above v.
export function niceMax(v) {
	if (!(v > 0)) return 1;
	const p = Math.pow(10, Math.floor(Math.log10(v)));
	for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
	return 10 * p;
}

// barChart({id, title, days:[..], values:[..], line:[..]|null, barClass}):
// a <figure> holding the SVG (role=img, named by its title).
export function barChart(o) {
	const n = o.days.length;
	const lineMax = o.line ? Math.max(0, ...o.line.filter((x) => x !== null && x !== undefined)) : 0;
	const top = niceMax(Math.max(1, ...o.values, lineMax));
	const iw = W - M.l - M.r;
	const ih = H - M.t - M.b;
	const slot = iw / Math.max(1, n);
	const bw = Math.max(2, slot * 0.7);
	const y = (v) => M.t + ih - (v / top) * ih;
	const parts = [];
	for (let k = 0; k <= 4; k++) {
		const v = (top * k) / 4;
		parts.push(svg("line", { class: "grid", x1: M.l, x2: W - M.r, y1: y(v), y2: y(v) }));
		parts.push(svg("text", { x: M.l - 6, y: y(v) + 4, "text-anchor": "end" }, fmt(v)));
	}
	o.days.forEach((d, i) => {
		const v = o.values[i] || 0;
		const x = M.l + i * slot + (slot - bw) / 2;
		parts.push(
			svg("rect", { class: o.barClass, x, y: y(v), width: bw, height: Math.max(0, M.t + ih - y(v)) }, svg("title", {}, `${d}: ${v}`))
		);
		if (n <= 12 || i % Math.ceil(n / 10) === 0 || i === n - 1)
			parts.push(svg("text", { x: M.l + i * slot + slot / 2, y: H - M.b + 16, "text-anchor": "middle" }, d.slice(5)));
	});
	if (o.line) {
		const pts = [];
		o.line.forEach((v, i) => {
			if (v === null || v === undefined) return;
			pts.push(`${M.l + i * slot},${y(v)}`, `${M.l + (i + 1) * slot},${y(v)}`);
		});
		if (pts.length) parts.push(svg("polyline", { class: "allowance", points: pts.join(" ") }));
	}
	parts.push(svg("line", { class: "axis", x1: M.l, x2: W - M.r, y1: M.t + ih, y2: M.t + ih }));
	const titleId = o.id + "-title";
	return h(
		"figure",
		{ class: "chart", id: o.id },
		h("figcaption", { id: titleId }, o.title),
		svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": titleId, preserveAspectRatio: "xMinYMin meet" }, parts)
	);
}

function fmt(v) {
	return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
