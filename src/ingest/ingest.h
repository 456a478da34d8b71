/*
 * ingest.h - import source records into the store.
 *
 * The one path every way in shares (`booksync import`, later the REST API):
 * read items with src/ingest/source.h, validate each with src/model, store
 * it with src/store.  Bad records are reported one by one through a
 * callback and never stop the import; the good ones of the same input are
 * kept.  Records are written in batches, one transaction each, and each
 * record in its own savepoint: a record is stored whole or not at all.
 * Memory stays bounded whatever the input's size.
 */
#ifndef BS_INGEST_INGEST_H
#define BS_INGEST_INGEST_H

#include "core/error.h"
#include "ingest/source.h"
#include "store/store.h"

#include <stdint.h>

struct ingest_stats {
	uint64_t items;     /* items read, good and bad */
	uint64_t added;     /* new records */
	uint64_t changed;   /* new content for a known record: pending again */
	uint64_t unchanged; /* identical to what is stored */
	uint64_t stale;     /* lower version than stored: ignored */
	uint64_t rejected;  /* bad records, each reported through on_reject */
};

/* One item's outcome, for a caller that answers record by record (the REST
 * API).  Reported in input order, once per item read. */
enum ingest_outcome {
	INGEST_NEW,
	INGEST_CHANGED,
	INGEST_UNCHANGED,
	INGEST_STALE,
	INGEST_REJECTED,
};

struct ingest_result {
	uint64_t index; /* 0-based, in input order */
	enum ingest_outcome outcome;
	const char *kind; /* as the item named it ("sale"), "" when it named none */
	const char *id;   /* "" when the item had none */
	const char *msg;  /* INGEST_REJECTED: as on_reject's; else "" */
};

struct ingest_opts {
	enum source_format format; /* SOURCE_AUTO to detect */
	const char *kind;          /* --kind for CSV, or NULL */
	size_t max_line;           /* 0 = 16 MiB */
	size_t batch;              /* records per transaction; 0 = 20000 */
	const struct store_actor *who;
	/* A rejected record: `msg` is "FILE: line N: what is wrong". */
	void (*on_reject)(void *arg, const char *msg);
	/* Called now and then with bytes read and the input size (0 unknown). */
	void (*on_progress)(void *arg, uint64_t done, uint64_t total);
	/* Every item's outcome (may be NULL); strings valid during the call. */
	void (*on_result)(void *arg, const struct ingest_result *r);
	void *arg;
};

/*
 * Import everything in `path` ("-" = stdin), adding to *stats.  Returns
 * BS_OK when the input was read to its end, rejected records or not.
 * Fatal: the input cannot be read at all (BS_EIO, BS_EPARSE, BS_ETOOBIG,
 * BS_EINVAL from source_open: nothing stored), a read error midway, or a
 * store error (the open batch is rolled back; earlier batches stay, each
 * record whole).
 */
int ingest_path(struct store *st, const char *path, const struct ingest_opts *opts,
                struct ingest_stats *stats, struct bs_error *err);

/*
 * ingest_path over `len` bytes at `data` (a request body), called `name`
 * in messages ("body: line 3: ...").  The same validation, messages and
 * transactions; `data` is only read.
 */
int ingest_mem(struct store *st, const void *data, size_t len, const char *name,
               const struct ingest_opts *opts, struct ingest_stats *stats, struct bs_error *err);

#endif
