// jobs.js - a sync job's progress bar: polls GET /api/v1/jobs/{id} until the
// job is done or failed, says each change through an aria-live region, then
// tells the page to reload (rows that were synced leave their tab).

import * as api from "./api.js";
import { $, h, clear, announce } from "./dom.js";

const POLL_MS = 400;
const watching = new Map(); // job id -> [callbacks to run when it ends]
let shown = null; // the id of the job the bar shows

const PHASES = {
	target: "choosing the ledger",
	lock: "waiting for the ledger's sync lock",
	session: "connecting to the ledger",
	plan: "planning",
	send: "sending",
	done: "finishing",
};

// describe(job) -> one sentence for the bar and for screen readers.
export function describe(job) {
	const p = job.progress || {};
	const s = job.summary;
	const what = `Sync job ${job.id}`;
	if (job.state === "queued") return `${what} is queued.`;
	if (job.state === "running") {
		const phase = PHASES[job.phase] || job.phase || "running";
		const n = (Number(p.posted) || 0) + (Number(p.failed) || 0);
		const tail = p.total ? `: ${n} of ${p.total} documents (${p.posted || 0} posted, ${p.failed || 0} failed)` : "";
		return `${what} is ${phase}${tail}.`;
	}
	if (job.state === "done" || job.state === "failed") {
		const parts = s
			? [`${s.posted} posted`, `${s.failed} failed`, `${s.skipped} skipped`, `${s.waiting} waiting`, `${s.calls} API calls`]
			: [];
		const head = job.state === "done" ? `${what} finished` : `${what} failed`;
		const msg = job.message ? ` ${job.message}` : s && Number(s.failed) > 0 ? " See Errors for the ledger's message." : "";
		return `${head}${parts.length ? ": " + parts.join(", ") : ""}.${msg}`;
	}
	return `${what}: ${job.state}`;
}

function show(job) {
	const box = $("job");
	box.hidden = false;
	const failedSome = job.summary && Number(job.summary.failed) > 0;
	box.className = "job" + (job.state === "failed" ? " failed" : job.state === "done" ? (failedSome ? " partial" : " done") : "");
	box.setAttribute("data-job", String(job.id));
	box.setAttribute("data-state", job.state);
	// a failure is a notification with the way to it (seeds: "you'll receive
	// a notification if any sales order fails to sync")
	clear($("job-text"), describe(job), failedSome ? [" ", h("a", { href: "#errors", id: "job-errors" }, "Open Errors")] : null);
	const bar = $("job-progress");
	const p = job.progress || {};
	const total = Number(p.total) || 0;
	if (job.state === "done" || job.state === "failed") {
		bar.max = 1;
		bar.value = 1;
	} else if (total > 0) {
		bar.max = total;
		bar.value = Math.min(total, (Number(p.posted) || 0) + (Number(p.failed) || 0));
	} else {
		bar.removeAttribute("value"); // indeterminate while planning
	}
}

// track(job, onEnd): show `job` on the bar and poll it; onEnd(job) runs once
// it is done or failed (also when polling fails: onEnd(null, error)).
export function track(job, onEnd) {
	shown = job.id;
	show(job);
	announce(describe(job));
	if (!watching.has(job.id)) {
		watching.set(job.id, []);
		poll(job.id, job.state);
	}
	if (onEnd) watching.get(job.id).push(onEnd);
}

async function poll(id, lastState) {
	let job;
	try {
		job = await api.get(`/jobs/${api.seg(id)}`);
	} catch (e) {
		finish(id, null, e);
		if (shown === id) clear($("job-text"), `Sync job ${id}: ${e.message}`);
		return;
	}
	if (shown === id) show(job);
	if (job.state !== lastState) announce(describe(job));
	if (job.state === "done" || job.state === "failed") {
		finish(id, job, null);
		return;
	}
	setTimeout(() => poll(id, job.state), POLL_MS);
}

function finish(id, job, err) {
	const fns = watching.get(id) || [];
	watching.delete(id);
	for (const fn of fns) fn(job, err);
}

// startSync(body, onEnd): POST /sync; a job already queued or running for
// the same request (409 carrying its id) is followed instead of failing.
// Returns the job, or throws ApiError for anything else.
export async function startSync(body, onEnd) {
	let job;
	try {
		job = await api.post("/sync", body);
	} catch (e) {
		if (e.status === 409 && e.body && e.body.job) {
			job = await api.get(`/jobs/${api.seg(e.body.job)}`);
			announce(`That sync is already running as job ${job.id}.`);
		} else {
			throw e;
		}
	}
	track(job, onEnd);
	return job;
}
