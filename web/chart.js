// chart.js - a hand-written SVG bar chart: one bar per day, an optional
// dashed line (the day's allowance).  Values are counts, never money.

import { svg, h } from "./dom.js";

const W = 880;
const H = 220;
const M = { l: 48, r: 12, t: 12, b: 34 };

// scale(37) -> {top: 40, step: 10}: a round axis top at or above v, split
// into whole steps (counts are whole numbers, so are the ticks).
export function scale(v) {
	if (!(v > 0)) return { top: 1, step: 1 };
	const raw = v / 4;
	const p = Math.pow(10, Math.floor(Math.log10(raw)));
	let step = p;
	for (const m of [1, 2, 2.5, 5, 10]) {
		if (!Number.isInteger(m * p) && m * p > 1) continue; // no 2.5 between whole ticks
		step = m * p;
		if (step >= raw) break;
	}
	step = Math.max(1, step);
	return { top: Math.ceil(v / step) * step, step };
}

// barChart({id, title, days:[..], values:[..], line:[..]|null, barClass}):
// a <figure> holding the SVG (role=img, named by its title).
export function barChart(o) {
	const n = o.days.length;
	// The allowance is drawn when it is on the scale of the bars (at most
	// twice the busiest day); far above them, the caption says how far, so
	// the bars stay readable.
	const lineVals = o.line ? o.line.filter((x) => x !== null && x !== undefined) : [];
	const lineMax = lineVals.length ? Math.max(...lineVals) : 0;
	const valMax = Math.max(1, ...o.values);
	const drawLine = lineVals.length > 0 && lineMax <= 2 * valMax;
	const { top, step } = scale(Math.max(valMax, drawLine ? lineMax : 0));
	const iw = W - M.l - M.r;
	const ih = H - M.t - M.b;
	const slot = iw / Math.max(1, n);
	const bw = Math.max(2, slot * 0.7);
	const y = (v) => M.t + ih - (v / top) * ih;
	const parts = [];
	for (let v = 0; v <= top; v += step) {
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
	if (drawLine) {
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
		h("figcaption", { id: titleId }, o.title, note(!!o.line, lineVals, lineMax, valMax, drawLine)),
		svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": titleId, preserveAspectRatio: "xMinYMin meet" }, parts)
	);
}

// The caption's tail about the allowance line, when it is not drawn.
function note(hasLine, lineVals, lineMax, valMax, drawLine) {
	if (!hasLine || drawLine) return null;
	if (!lineVals.length) return h("span", { class: "chart-note" }, " — no daily allowance");
	const pct = ((valMax / lineMax) * 100).toFixed(valMax / lineMax < 0.01 ? 2 : 1);
	return h("span", { class: "chart-note" }, ` — the allowance, ${lineMax} a day, is off the scale: the busiest day used ${valMax} (${pct}%)`);
}

function fmt(v) {
	return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
