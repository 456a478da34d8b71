/*
 * ingest.c - the import loop (see ingest.h).
 *
 * Two stages on two threads, joined by a bounded ring of slots:
 *
 *   reader thread:  source_next -> record_from_json -> slot (record or reject)
 *   caller thread:  slot -> store_record_put, in batched transactions
 *
 * Parsing and validating a record costs about as much as storing it, so on
 * two cores the stages overlap instead of adding up.  Each slot owns a
 * struct record that is reused, so the steady state allocates nothing; the
 * ring bounds memory whatever the input's size.  Order is kept: one
 * producer, one consumer, first in first out.
 *
 * Batching is what makes a million records a few seconds of work: SQLite
 * pays a sync per transaction, so records go in groups (default 20000).
 */
#include "ingest/ingest.h"

#include "core/buf.h"
#include "core/jsonr.h"
#include "model/record.h"
#include "store/settings.h"

#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INGEST_BATCH_DEFAULT 20000
#define RING_SLOTS           4096
#define PROGRESS_EVERY       4096

enum slot_what {
	SLOT_RECORD, /* rec holds a validated record */
	SLOT_REJECT, /* msg holds "FILE: line N: what" */
	SLOT_END,    /* the input is read to its end */
	SLOT_FATAL,  /* the reader stopped: err says why */
};

struct slot {
	enum slot_what what;
	struct record rec;
	struct source_pos pos;
	struct bs_error err;
	uint64_t done, total; /* source_progress when the slot was filled */
	/* what the item said it was, for on_result (a reject's too) */
	char kind[24];
	char id[RECORD_ID_MAX + 1];
};

struct ring {
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	struct slot slots[RING_SLOTS];
	size_t head, count;
	bool stop; /* the consumer gave up: the reader must end */
	/* who sleeps: a wake-up (a futex call) is made only for a sleeper */
	bool reader_waits, consumer_waits;
};

struct reader {
	struct ring *ring;
	struct source *src;
	struct record_ctx ctx;
};

/* Reader side: wait for a free slot; NULL when the consumer stopped. */
static struct slot *ring_claim(struct ring *r)
{
	struct slot *s = NULL;

	pthread_mutex_lock(&r->mu);
	while (r->count == RING_SLOTS && !r->stop) {
		r->reader_waits = true;
		pthread_cond_wait(&r->not_full, &r->mu);
		r->reader_waits = false;
	}
	if (!r->stop)
		s = &r->slots[(r->head + r->count) % RING_SLOTS];
	pthread_mutex_unlock(&r->mu);
	return s;
}

static void ring_publish(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->count++;
	if (r->consumer_waits)
		pthread_cond_signal(&r->not_empty);
	pthread_mutex_unlock(&r->mu);
}

/* Consumer side: the oldest filled slot (waits for one). */
static struct slot *ring_take(struct ring *r)
{
	struct slot *s;

	pthread_mutex_lock(&r->mu);
	while (r->count == 0) {
		r->consumer_waits = true;
		pthread_cond_wait(&r->not_empty, &r->mu);
		r->consumer_waits = false;
	}
	s = &r->slots[r->head];
	pthread_mutex_unlock(&r->mu);
	return s;
}

static void ring_release(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->head = (r->head + 1) % RING_SLOTS;
	r->count--;
	if (r->reader_waits)
		pthread_cond_signal(&r->not_full);
	pthread_mutex_unlock(&r->mu);
}

static void ring_stop(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_broadcast(&r->not_full);
	pthread_mutex_unlock(&r->mu);
}

/* Format a bad item's message: "FILE: line N: ..." (the source's own
 * messages already start with where). */
static void reject_msg(struct slot *s, bool source_msg)
{
	char msg[BS_ERROR_MSG_MAX];

	snprintf(msg, sizeof(msg), "%s", s->err.msg);
	if (source_msg)
		bs_error_set(&s->err, s->err.code, "%s: %s", s->pos.file, msg);
	else if (s->pos.index >= 0)
		bs_error_set(&s->err, s->err.code, "%s: element %lld: %s", s->pos.file,
		             (long long)s->pos.index, msg);
	else
		bs_error_set(&s->err, s->err.code, "%s: line %llu: %s", s->pos.file,
		             (unsigned long long)s->pos.line, msg);
}

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	struct ring *ring = rd->ring;

	for (;;) {
		struct slot *s = ring_claim(ring);
		struct json_object *obj = NULL;
		int rc;

		if (s == NULL)
			break; /* the consumer stopped */
		bs_error_clear(&s->err);
		s->kind[0] = s->id[0] = '\0';
		rc = source_next(rd->src, &obj, &s->pos, &s->err);
		source_progress(rd->src, &s->done, &s->total);
		if (rc == 0) {
			s->what = SLOT_END;
		} else if (rc == BS_EIO || rc == BS_ENOMEM) {
			s->what = SLOT_FATAL; /* every later call would say the same */
		} else if (rc < 0) {
			s->what = SLOT_REJECT;
			reject_msg(s, true);
		} else {
			const char *k = jsonr_str(obj, "kind"), *id = jsonr_str(obj, "id");

			snprintf(s->kind, sizeof(s->kind), "%s", k != NULL ? k : "");
			snprintf(s->id, sizeof(s->id), "%s", id != NULL ? id : "");
			rc = record_from_json(obj, &rd->ctx, &s->rec, &s->err);
			json_object_put(obj);
			if (rc == BS_ENOMEM) {
				s->what = SLOT_FATAL;
			} else if (rc != BS_OK) {
				s->what = SLOT_REJECT;
				reject_msg(s, false);
			} else {
				s->what = SLOT_RECORD;
				/* the kind's own name, whatever spelling the item used */
				snprintf(s->kind, sizeof(s->kind), "%s",
				         record_kind_name(s->rec.kind));
			}
		}
		ring_publish(ring);
		if (s->what == SLOT_END || s->what == SLOT_FATAL)
			break;
	}
	return NULL;
}

struct run {
	struct store *st;
	const struct ingest_opts *o;
	struct ingest_stats *stats;
	bool in_tx;
	size_t in_batch;
	uint64_t index; /* of the item in hand */
};

static void result(struct run *r, const struct slot *s, enum ingest_outcome outcome)
{
	struct ingest_result res = {r->index, outcome, s->kind, s->id, ""};

	if (r->o->on_result == NULL)
		return;
	if (outcome == INGEST_REJECTED)
		res.msg = s->err.msg;
	r->o->on_result(r->o->arg, &res);
}

static void reject(struct run *r, const struct slot *s)
{
	r->stats->rejected++;
	if (r->o->on_reject != NULL)
		r->o->on_reject(r->o->arg, s->err.msg);
	result(r, s, INGEST_REJECTED);
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
static int put_one(struct run *r, struct slot *s, struct bs_error *err)
{
	enum store_put_result res;
	size_t batch = r->o->batch ? r->o->batch : INGEST_BATCH_DEFAULT;
	struct bs_error e;
	int rc;

	if (!r->in_tx) {
		if ((rc = store_begin(r->st, err)) != BS_OK)
			return rc;
		r->in_tx = true;
	}
	bs_error_clear(&e);
	rc = store_record_put(r->st, &s->rec, r->o->who, &res, &e);
	if (rc == BS_ECONFLICT) {
		s->err = e;
		reject_msg(s, false);
		reject(r, s);
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
		result(r, s, INGEST_NEW);
		break;
	case STORE_PUT_CHANGED:
		r->stats->changed++;
		result(r, s, INGEST_CHANGED);
		break;
	case STORE_PUT_UNCHANGED:
		r->stats->unchanged++;
		result(r, s, INGEST_UNCHANGED);
		break;
	case STORE_PUT_STALE:
		r->stats->stale++;
		result(r, s, INGEST_STALE);
		break;
	}
	if (++r->in_batch >= batch)
		return batch_end(r, err);
	return BS_OK;
}

/* The consumer: drain the ring until the end, a fatal read or a store error. */
static int consume(struct run *r, struct ring *ring, struct bs_error *err)
{
	uint64_t since_progress = 0;
	int rc = BS_OK;

	for (;;) {
		struct slot *s = ring_take(ring);
		enum slot_what what = s->what;

		if (what == SLOT_END) {
			if (r->o->on_progress != NULL)
				r->o->on_progress(r->o->arg, s->done, s->total);
			ring_release(ring);
			return batch_end(r, err);
		}
		if (what == SLOT_FATAL) {
			if (err != NULL)
				*err = s->err;
			rc = s->err.code != BS_OK ? s->err.code : BS_EIO;
			ring_release(ring);
			return rc;
		}
		r->stats->items++;
		r->index = r->stats->items - 1;
		if (what == SLOT_REJECT)
			reject(r, s);
		else
			rc = put_one(r, s, err);
		if (rc == BS_OK && r->o->on_progress != NULL &&
		    ++since_progress >= PROGRESS_EVERY) {
			since_progress = 0;
			r->o->on_progress(r->o->arg, s->done, s->total);
		}
		ring_release(ring);
		if (rc != BS_OK)
			return rc;
	}
}

/* Where the items come from: a file (path) or memory (data, len, name). */
struct input {
	const char *path;
	const void *data;
	size_t len;
	const char *name;
};

/*
 * The page cache an import runs with, in KiB (the store opens with 4):
 * a batch writes the records' indexes at random keys, and with less than
 * 16 MiB a million-record import re-reads and re-writes the same index
 * pages thousands of times (bench/RESULTS.md "Ingest").  Inside the
 * 64 MiB budget, with the ring.
 */
#define INGEST_CACHE_KIB 16384

static int ingest_run(struct store *st, const struct input *in, const struct ingest_opts *o,
                      struct ingest_stats *stats, struct bs_error *err)
{
	struct source_opts so = {o->format, o->kind, o->max_line, 0};
	struct run r = {st, o, stats, false, 0, 0};
	struct reader rd;
	struct ring *ring;
	struct buf base;
	struct bs_error e;
	pthread_t th;
	int cache = 0; /* the store's page cache before, to put back */
	int rc;

	ring = calloc(1, sizeof(*ring));
	if (ring == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	/* a cache left as it was only costs time */
	bs_error_clear(&e);
	(void)store_cache_set(st, INGEST_CACHE_KIB, &cache, &e);
	pthread_mutex_init(&ring->mu, NULL);
	pthread_cond_init(&ring->not_empty, NULL);
	pthread_cond_init(&ring->not_full, NULL);
	for (size_t i = 0; i < RING_SLOTS; i++)
		record_init(&ring->slots[i].rec);
	memset(&rd, 0, sizeof(rd));
	rd.ring = ring;
	buf_init(&base, 64);
	rc = settings_get(st, "base_currency", &base, err);
	if (rc == BS_OK && base.len > 0)
		rd.ctx.base_currency = buf_cstr(&base);
	if (rc == BS_OK && in->path != NULL)
		rc = source_open(in->path, &so, &rd.src, err);
	else if (rc == BS_OK)
		rc = source_open_mem(in->data, in->len, in->name, &so, &rd.src, err);
	if (rc != BS_OK)
		goto out;
	if (pthread_create(&th, NULL, reader_main, &rd) != 0) {
		rc = bs_error_set(err, BS_ENOMEM, "cannot start the reader thread");
		goto out;
	}
	rc = consume(&r, ring, err);
	ring_stop(ring); /* a reader still running (store error) ends at its next claim */
	pthread_join(th, NULL);
out:
	if (r.in_tx)
		store_rollback(st);
	if (cache > 0)
		(void)store_cache_set(st, cache, NULL, &e);
	source_close(rd.src);
	for (size_t i = 0; i < RING_SLOTS; i++)
		record_release(&ring->slots[i].rec);
	pthread_cond_destroy(&ring->not_full);
	pthread_cond_destroy(&ring->not_empty);
	pthread_mutex_destroy(&ring->mu);
	free(ring);
	buf_free(&base);
	return rc;
}

int ingest_path(struct store *st, const char *path, const struct ingest_opts *o,
                struct ingest_stats *stats, struct bs_error *err)
{
	struct input in = {path, NULL, 0, NULL};

	return ingest_run(st, &in, o, stats, err);
}

int ingest_mem(struct store *st, const void *data, size_t len, const char *name,
               const struct ingest_opts *o, struct ingest_stats *stats, struct bs_error *err)
{
	struct input in = {NULL, data, len, name};

	return ingest_run(st, &in, o, stats, err);
}
