/*
 * dispatch_int.h - what the dispatcher's two files share: dispatch.c
 * (batches: gather, freeze, send, record) and dispatch_recover.c (requests
 * found frozen at start).  Not a contract for anyone else.
 */
#ifndef BS_SYNC_DISPATCH_INT_H
#define BS_SYNC_DISPATCH_INT_H

#include "sync/dispatch.h"
#include "sync/paced.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;
struct json_tokener;

struct bop { /* one operation of a batch */
	int64_t op_id;
	enum record_kind kind;
	char id[RECORD_ID_MAX + 1];
	char op[16]; /* "create", "update", "void", "status"; "" once found by lookup */
	char *body;
	struct json_object *doc;
	char self_id[LEDGER_ID_MAX];
	char blocker[LEDGER_SYMBOL_MAX]; /* the dependency that is not posted */
};

struct dsp {
	struct store *st;
	const struct dispatch_opts *o;
	struct dispatch_stats *stats;
	struct bs_error *err;
	enum ledger_doc_type type;
	size_t batch_max, bytes_max;
	struct bop *ops;
	size_t nops, bytes;
	struct bop *blocked;
	size_t nblocked, capblocked;
	char alloc_cn[LEDGER_SYMBOL_MAX]; /* allocations: the credit note of this call */
	struct paced pc; /* every call: paced by the governor, retried the one way */
	/* one tokener for every body: json_tokener_parse makes and frees one
	 * per call, a third of the cost of a parse */
	struct json_tokener *tok;
};

/* A symbol ("Invoice/sale:SO-1") to its linked ledger id, out[LEDGER_ID_MAX];
 * BS_ENOTFOUND when not posted.  A ledger_resolve_fn over a struct dsp. */
int dsp_resolve(void *dsp, const char *symbol, char *out);

/* Free the operations of the current batch (and the set-aside ones). */
void dsp_batch_clear(struct dsp *d);

/* Copy an outbox operation into b (its body duplicated). */
int dsp_op_fill(struct dsp *d, struct bop *b, const struct store_op *op);

/* Parse b's body and find the linked id an update / void / status needs. */
int dsp_op_prepare(struct dsp *d, struct bop *b);

/* Record the ledger's verdict on one element (inside the caller's
 * transaction): link, state, outbox.  `why` is scratch. */
int dsp_record_elem(struct dsp *d, struct bop *b, struct ledger_elem *e, struct buf *why);

/* Close request rid inside the caller's transaction: when rc is BS_OK mark
 * it done and commit; on rc or any failure there, roll back.  Returns rc or
 * that failure. */
int dsp_request_close(struct dsp *d, int64_t rid, int rc);

/* Send the batch d->ops as request rid with its key, record every answer
 * and close the request. */
int dsp_run_batch(struct dsp *d, int64_t rid, const char *key);

/* Look elems[0..n) up by natural key in one paced call: found[i]. */
int dsp_lookup(struct dsp *d, struct ledger_elem *elems, size_t n, bool *found);

/* Resume every request an earlier run left frozen (dispatch_recover.c). */
int dsp_recover(struct dsp *d);

#endif
