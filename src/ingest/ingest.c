/*
 * ingest.c - the import loop (see ingest.h).
 *
 * Batching is what makes a million records a few seconds of work: SQLite
 * pays a sync per transaction, so records go in groups (default 20000),
 * each inside a savepoint so that one record's failure undoes only itself.
 */
#include "ingest/ingest.h"

#include "core/buf.h"
#include "model/record.h"
#include "store/settings.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#define INGEST_BATCH_DEFAULT 20000
#define PROGRESS_EVERY       4096

struct run {
	struct store *st;
	const struct ingest_opts *o;
	struct ingest_stats *stats;
	struct record rec;
	struct buf msg;
	bool in_tx;
	size_t in_batch;
};

static void reject(struct run *r, const struct source_pos *pos, bool source_msg,
                   const struct bs_error *e)
{
	r->stats->rejected++;
	if (r->o->on_reject == NULL)
		return;
	buf_reset(&r->msg);
	if (source_msg)
		buf_printf(&r->msg, "%s: %s", pos->file, e->msg);
	else if (pos->index >= 0)
		buf_printf(&r->msg, "%s: element %lld: %s", pos->file, (long long)pos->index,
		           e->msg);
	else
		buf_printf(&r->msg, "%s: line %llu: %s", pos->file, (unsigned long long)pos->line,
		           e->msg);
	r->o->on_reject(r->o->arg, buf_cstr(&r->msg));
}

static int batch_end(struct run *r, struct bs_error *err)
{
	int rc = BS_OK;

	if (r->in_tx)
		rc = store_commit(r->st, err);
	r->in_tx = false;
	r->in_batch = 0;
	return rc;
}

/* Store one validated record; a store-level refusal of this record
 * (conflicting version) is a rejection, anything else is fatal. */
static int put_one(struct run *r, const struct source_pos *pos, struct bs_error *err)
{
	enum store_put_result res;
	struct bs_error e;
	size_t batch = r->o->batch ? r->o->batch : INGEST_BATCH_DEFAULT;
	int rc;

	if (!r->in_tx) {
		if ((rc = store_begin(r->st, err)) != BS_OK)
			return rc;
		r->in_tx = true;
	}
	bs_error_clear(&e);
	rc = store_record_put(r->st, &r->rec, r->o->who, &res, &e);
	if (rc == BS_ECONFLICT) {
		reject(r, pos, false, &e);
		return BS_OK;
	}
	if (rc != BS_OK) {
		if (err != NULL)
			*err = e;
		return rc;
	}
	switch (res) {
	case STORE_PUT_NEW:
		r->stats->added++;
		break;
	case STORE_PUT_CHANGED:
		r->stats->changed++;
		break;
	case STORE_PUT_UNCHANGED:
		r->stats->unchanged++;
		break;
	case STORE_PUT_STALE:
		r->stats->stale++;
		break;
	}
	if (++r->in_batch >= batch)
		return batch_end(r, err);
	return BS_OK;
}

int ingest_path(struct store *st, const char *path, const struct ingest_opts *o,
                struct ingest_stats *stats, struct bs_error *err)
{
	struct source_opts so = {o->format, o->kind, o->max_line, 0};
	struct record_ctx ctx = {NULL};
	struct source *src = NULL;
	struct buf base;
	struct run r = {st, o, stats, {0}, {0}, false, 0};
	uint64_t since_progress = 0;
	int rc;

	buf_init(&base, 64);
	buf_init(&r.msg, 4096);
	record_init(&r.rec);
	rc = settings_get(st, "base_currency", &base, err);
	if (rc != BS_OK)
		goto out;
	if (base.len > 0)
		ctx.base_currency = buf_cstr(&base);
	rc = source_open(path, &so, &src, err);
	if (rc != BS_OK)
		goto out;
	for (;;) {
		struct json_object *obj = NULL;
		struct source_pos pos;
		struct bs_error e;

		bs_error_clear(&e);
		rc = source_next(src, &obj, &pos, &e);
		if (rc == 0)
			break;
		if (rc == BS_EIO || rc == BS_ENOMEM) { /* fatal: every later call says the same */
			if (err != NULL)
				*err = e;
			goto out;
		}
		stats->items++;
		if (rc < 0) {
			reject(&r, &pos, true, &e);
		} else {
			rc = record_from_json(obj, &ctx, &r.rec, &e);
			json_object_put(obj);
			if (rc == BS_ENOMEM) {
				if (err != NULL)
					*err = e;
				goto out;
			}
			if (rc != BS_OK)
				reject(&r, &pos, false, &e);
			else if ((rc = put_one(&r, &pos, err)) != BS_OK)
				goto out;
		}
		if (o->on_progress != NULL && ++since_progress >= PROGRESS_EVERY) {
			uint64_t done, total;

			since_progress = 0;
			source_progress(src, &done, &total);
			o->on_progress(o->arg, done, total);
		}
	}
	rc = batch_end(&r, err);
	if (rc == BS_OK && o->on_progress != NULL) {
		uint64_t done, total;

		source_progress(src, &done, &total);
		o->on_progress(o->arg, done, total);
	}
out:
	if (r.in_tx)
		store_rollback(st);
	source_close(src);
	record_release(&r.rec);
	buf_free(&r.msg);
	buf_free(&base);
	return rc;
}
