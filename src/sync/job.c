/*
 * job.c - a sync job's request resolved, and its row kept (see job.h).
 *
 * The request is stored as JSON written here (sync_job_spec.request), so
 * the parser below reads back only what the writer writes; the key that
 * makes two jobs the same is built from the resolved request, records
 * sorted, so "Upload All" with or without "all" and the same records in
 * another order are one sync.
 */
#include "sync/job.h"

#include "core/buf.h"
#include "core/jsonw.h"
#include "sync/tabs.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ref_cmp(const void *a, const void *b)
{
	const struct plan_ref *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c != 0 ? c : (int)x->kind - (int)y->kind;
}

void sync_job_spec_free(struct sync_job_spec *s)
{
	if (s == NULL)
		return;
	free(s->refs);
	free(s->request);
	free(s->key);
	memset(s, 0, sizeof(*s));
}

/* Target, tab and records of r into s (the store is read, not written). */
static int resolve(struct store *st, const struct sync_job_req *r, struct sync_job_spec *s,
                   struct bs_error *err)
{
	struct buf tbuf;
	const char *target = NULL;
	int rc = BS_OK;

	buf_init(&tbuf, 256);
	if (r->tab != NULL && r->tab[0] != '\0' && tabs_resolve(r->tab, &s->tab, err) != BS_OK) {
		/* an unknown tab is the request's mistake: 400, not 404 */
		rc = BS_EINVAL;
		if (err != NULL)
			err->code = rc;
		goto out;
	}
	if (r->everything && s->tab != NULL) {
		rc = bs_error_set(err, BS_EINVAL, "tab and everything exclude each other");
		goto out;
	}
	if (r->nrefs > 0 && s->tab == NULL && !r->resync) {
		rc = bs_error_set(err, BS_EINVAL, "select goes with a tab");
		goto out;
	}
	if (r->nrefs > SYNC_JOB_MAX_REFS) {
		rc = bs_error_set(err, BS_EINVAL, "at most %d records per job", SYNC_JOB_MAX_REFS);
		goto out;
	}
	s->everything = r->everything;
	s->resync = r->resync;
	if ((rc = store_target_pick(st, r->target, &tbuf, &target, err)) != BS_OK)
		goto out;
	if (target == NULL) {
		rc = bs_error_set(err, BS_ESTATE, "no ledger is connected");
		goto out;
	}
	if (buf_copy(s->target, sizeof(s->target), target) >= sizeof(s->target)) {
		rc = bs_error_set(err, BS_EINVAL, "target name too long");
		goto out;
	}
	if (r->nrefs > 0 && (s->refs = calloc(r->nrefs, sizeof(*s->refs))) == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < r->nrefs; i++) {
		struct plan_ref *p = &s->refs[s->nrefs];
		struct store_record_info info;

		rc = store_ref_resolve(st, r->refs[i], &p->kind, p->id, err);
		if (rc == BS_OK)
			rc = store_record_get(st, p->kind, p->id, &info, NULL, err);
		if (rc == BS_OK && s->tab != NULL && !tabs_holds(s->tab, info.tab))
			rc =
			    bs_error_set(err, BS_EINVAL, "%s:%s is not on the %s tab (it is on %s)",
			                 record_kind_name(p->kind), p->id, s->tab, info.tab);
		if (rc != BS_OK)
			goto out;
		s->nrefs++;
	}
	if (s->nrefs > 1)
		qsort(s->refs, s->nrefs, sizeof(*s->refs), ref_cmp);
out:
	buf_free(&tbuf);
	return rc;
}

/* The request as JSON, and the key two identical jobs share. */
static int texts(const struct sync_job_req *r, struct sync_job_spec *s)
{
	struct buf req, key;
	int bad = 0, rc = BS_OK;

	buf_init(&req, 0);
	buf_init(&key, 0);
	bad |= buf_addc(&req, '{');
	bad |= jsonw_kv_str(&req, 0, "target", s->target);
	if (s->tab != NULL)
		bad |= jsonw_kv_str(&req, 1, "tab", s->tab);
	if (r->all)
		bad |= buf_addstr(&req, ",\"all\":true");
	if (r->everything)
		bad |= buf_addstr(&req, ",\"everything\":true");
	if (r->resync)
		bad |= buf_addstr(&req, ",\"resync\":true");
	if (r->nrefs > 0) {
		bad |= buf_addstr(&req, ",\"select\":[");
		for (size_t i = 0; i < r->nrefs; i++) {
			if (i > 0)
				bad |= buf_addc(&req, ',');
			bad |= jsonw_str(&req, r->refs[i]);
		}
		bad |= buf_addc(&req, ']');
	}
	bad |= buf_addc(&req, '}');
	/* Upload All of a tab with or without "all" is the same sync; the
	 * records named are compared resolved and sorted */
	bad |= buf_printf(&key, "%s\x1f%s\x1f%d%d", s->target, s->tab != NULL ? s->tab : "",
	                  s->everything, s->resync);
	for (size_t i = 0; i < s->nrefs; i++)
		bad |=
		    buf_printf(&key, "\x1f%s:%s", record_kind_name(s->refs[i].kind), s->refs[i].id);
	if (bad != 0) {
		rc = BS_ENOMEM;
		goto out;
	}
	s->request = buf_take(&req);
	s->key = buf_take(&key);
	if (s->request == NULL || s->key == NULL)
		rc = BS_ENOMEM;
out:
	buf_free(&req);
	buf_free(&key);
	return rc;
}

int sync_job_resolve(struct store *st, const struct sync_job_req *r, struct sync_job_spec *out,
                     struct bs_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = resolve(st, r, out, err);
	if (rc == BS_OK && texts(r, out) != BS_OK)
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
	if (rc != BS_OK)
		sync_job_spec_free(out);
	return rc;
}

/* A boolean member k of o (absent: false); -1 when it is not a boolean. */
static int member_bool(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v))
		return 0;
	return json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) != 0 : -1;
}

int sync_job_parse(struct store *st, const char *request, struct sync_job_spec *out,
                   struct bs_error *err)
{
	struct json_object *o = json_tokener_parse(request != NULL ? request : ""), *v, *sel;
	struct sync_job_req r = {0};
	const char **refs = NULL;
	int all, everything, resync, rc;

	memset(out, 0, sizeof(*out));
	if (!json_object_is_type(o, json_type_object)) {
		rc = bs_error_set(err, BS_EINVAL, "a job's request is not a JSON object");
		goto out;
	}
	if (json_object_object_get_ex(o, "target", &v) && json_object_is_type(v, json_type_string))
		r.target = json_object_get_string(v);
	if (json_object_object_get_ex(o, "tab", &v) && json_object_is_type(v, json_type_string))
		r.tab = json_object_get_string(v);
	all = member_bool(o, "all");
	everything = member_bool(o, "everything");
	resync = member_bool(o, "resync");
	if (r.target == NULL || all < 0 || everything < 0 || resync < 0) {
		rc = bs_error_set(err, BS_EINVAL, "a job's request names no target, or is not one");
		goto out;
	}
	r.all = all != 0;
	r.everything = everything != 0;
	r.resync = resync != 0;
	if (json_object_object_get_ex(o, "select", &sel)) {
		size_t n =
		    json_object_is_type(sel, json_type_array) ? json_object_array_length(sel) : 0;

		if (n == 0 || (refs = calloc(n, sizeof(*refs))) == NULL) {
			rc = bs_error_set(err, n == 0 ? BS_EINVAL : BS_ENOMEM,
			                  n == 0 ? "a job's select is not a list of records"
			                         : "out of memory");
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			v = json_object_array_get_idx(sel, i);
			if (!json_object_is_type(v, json_type_string)) {
				rc = bs_error_set(err, BS_EINVAL,
				                  "a job's select holds a non-string");
				goto out;
			}
			refs[i] = json_object_get_string(v);
		}
		r.refs = refs;
		r.nrefs = n;
	}
	rc = sync_job_resolve(st, &r, out, err);
out:
	free(refs);
	json_object_put(o);
	return rc;
}

void sync_job_opts(const struct sync_job_spec *s, struct sync_run_opts *o)
{
	o->target = s->target;
	o->tab = s->tab;
	o->everything = s->everything;
	o->refs = s->refs;
	o->nrefs = s->nrefs;
	o->resync = s->resync;
}

bool sync_job_is_all(const struct sync_job_spec *s)
{
	return s->tab == NULL && s->nrefs == 0 && !s->resync;
}

const char *sync_job_phase_name(enum sync_run_phase p)
{
	static const char *const names[] = {"target", "lock", "session", "plan", "send", "done"};

	return (unsigned)p < 6 ? names[p] : "done";
}

void sync_job_progress(struct store_job *j, const struct sync_progress *p)
{
	buf_copy(j->phase, sizeof(j->phase), sync_job_phase_name(p->phase));
	j->posted = (int64_t)p->posted;
	j->failed = (int64_t)p->failed;
	j->calls = (int64_t)p->calls;
	if (p->phase != SYNC_PHASE_LOCK)
		j->message[0] = '\0'; /* no longer waiting for another sync */
	if (j->total < j->posted + j->failed)
		j->total = j->posted + j->failed;
}

void sync_job_end(struct store_job *j, int status, const struct sync_summary *sum, const char *msg,
                  int64_t now_ms)
{
	buf_copy(j->state, sizeof(j->state), status == BS_OK ? "done" : "failed");
	buf_copy(j->phase, sizeof(j->phase), sync_job_phase_name(sum->phase));
	j->finished_ms = now_ms;
	j->has_summary = true;
	j->s_posted = (int64_t)sum->sent.posted;
	j->s_failed = (int64_t)(sum->plan.failed + sum->sent.failed);
	j->s_skipped = (int64_t)sum->plan.skipped;
	j->s_waiting = (int64_t)(sum->plan.waiting + sum->sent.waiting);
	j->s_calls = (int64_t)sum->sent.calls;
	j->rate_limited = (int64_t)sum->sent.rate_limited;
	j->posted = (int64_t)sum->sent.posted;
	j->failed = (int64_t)sum->sent.failed;
	j->calls = (int64_t)sum->sent.calls;
	if (j->total < j->posted + j->failed)
		j->total = j->posted + j->failed;
	if (status != BS_OK)
		snprintf(j->message, sizeof(j->message), "%s",
		         msg != NULL && msg[0] != '\0' ? msg : bs_strerror(status));
	else
		j->message[0] = '\0';
}
