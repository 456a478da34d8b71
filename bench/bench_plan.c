/*
 * bench_plan.c - planning and serialising throughput, no network.
 *
 * Builds a store of N invoiced sales (2 lines each, N/5 customers) through
 * the ingest API, connects a fake Xero target the way `booksync connect`
 * leaves one (target row, base currency, chart and tax rates settings) and
 * links every customer as if it had been posted, so every sale is eligible.
 * Then it times the two CPU-bound steps of a sync:
 *
 *   plan       plan_run over everything (rules, references, rounding,
 *              outbox rows written in per-record transactions);
 *   serialise  every planned outbox body parsed and turned into the Xero
 *              request body by xero_build_request, 50 documents a batch, with
 *              a resolver that answers fake ids;
 *
 * and prints documents/s for each and both together, and peak RSS.  The
 * store lives in a temporary directory (--dir, default $TMPDIR or /tmp),
 * removed at exit unless --keep.  Not a test: figures go to bench/plan.md.
 * With --setup-only it stops after building the store (and keeps it), for
 * timing the real `booksync sync --dry-run` on it (bench/dry_run).  With
 * --db postgresql://...?schema=NAME the store is that PostgreSQL schema
 * instead (it must not exist yet; dropped by the caller).
 *
 * usage: bench_plan [N] [--lines L] [--customers C] [--dir DIR] [--db URL] [--keep]
 *                   [--setup-only]
 */
#include "core/buf.h"
#include "core/error.h"
#include "core/jsonr.h"
#include "ingest/ingest.h"
#include "ledger/ledger.h"
#include "ledger/xero/xero.h"
#include "store/store.h"
#include "sync/plan.h"

#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TARGET   "xero:00000000-0000-4000-8000-00000000bench"
#define BATCH    50
#define BODY_MAX ((size_t)8 << 20)
#define FAKE_ID  "00000000-0000-4000-8000-0000000000ff"

struct opts {
	uint64_t n, lines, customers;
	const char *dir;
	const char *db; /* a PostgreSQL store's address, or NULL: a file in dir */
	int keep, setup_only;
};

/* The serialiser's state: one batch of parsed documents at a time. */
struct ser {
	struct json_object *docs[BATCH];
	struct ledger_elem elems[BATCH];
	size_t n;
	enum ledger_doc_type type;
	uint64_t documents, requests, bytes, resolved;
	struct buf path, body;
	struct bs_error *err;
	struct json_tokener *tok; /* reused, as the dispatcher does */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v == 0)
		return -1;
	*out = v;
	return 0;
}

/* Customers, then invoiced sales, as JSON Lines (the shape gen_records writes). */
static int write_records(const struct opts *o, const char *file, struct bs_error *err)
{
	FILE *f = fopen(file, "w");
	uint64_t s = 20261125;
	struct buf line;
	int rc = BS_OK;

	if (f == NULL)
		return bs_error_set(err, BS_EIO, "%s: %s", file, strerror(errno));
	buf_init(&line, 1 << 16);
	for (uint64_t c = 1; rc == BS_OK && c <= o->customers; c++) {
		buf_reset(&line);
		rc = buf_printf(&line,
		                "{\"kind\":\"customer\",\"id\":\"C-%" PRIu64
		                "\",\"name\":\"Customer %" PRIu64 "\",\"email\":\"c%" PRIu64
		                "@example.co.nz\",\"currency\":\"NZD\"}\n",
		                c, c, c);
		if (rc == BS_OK && fputs(buf_cstr(&line), f) == EOF)
			rc = bs_error_set(err, BS_EIO, "%s: write failed", file);
	}
	for (uint64_t i = 1; rc == BS_OK && i <= o->n; i++) {
		uint64_t day = 1 + (i - 1) * 28 / o->n;

		buf_reset(&line);
		rc = buf_printf(
		    &line,
		    "{\"kind\":\"sale\",\"id\":\"SO-%" PRIu64 "\",\"date\":\"2026-10-%02" PRIu64
		    "\",\"reference\":\"SO-%" PRIu64 "\",\"customer_id\":\"C-%" PRIu64
		    "\",\"invoiced\":true,\"invoice_date\":\"2026-10-%02" PRIu64
		    "\",\"due_date\":\"2026-10-%02" PRIu64 "\",\"status\":\"invoiced\","
		    "\"currency\":\"NZD\",\"tax_mode\":\"exclusive\",\"lines\":[",
		    i, day, i, 1 + rng_next(&s) % (o->customers ? o->customers : 1), day, day);
		for (uint64_t l = 0; rc == BS_OK && l < o->lines; l++) {
			uint64_t cents = 100 + rng_next(&s) % 19900;

			rc = buf_printf(&line,
			                "%s{\"description\":\"Item %" PRIu64 "\",\"qty\":%" PRIu64
			                ",\"unit_price\":\"%" PRIu64 ".%02" PRIu64
			                "\",\"tax_rate\":15}",
			                l ? "," : "", 1 + rng_next(&s) % 500, 1 + rng_next(&s) % 9,
			                cents / 100, cents % 100);
		}
		if (rc == BS_OK)
			rc = buf_addstr(&line, "]}\n");
		if (rc == BS_OK && fputs(buf_cstr(&line), f) == EOF)
			rc = bs_error_set(err, BS_EIO, "%s: write failed", file);
		if (rc != BS_OK && err->code == 0)
			bs_error_set(err, rc, "record too long");
	}
	if (fclose(f) != 0 && rc == BS_OK)
		rc = bs_error_set(err, BS_EIO, "%s: %s", file, strerror(errno));
	buf_free(&line);
	return rc;
}

/* What `booksync connect` stores for a Xero target (the sandbox's default org). */
static int add_target(struct store *st, const struct opts *o, struct bs_error *err)
{
	static const char chart[] =
	    "[{\"code\":\"090\",\"name\":\"Business Bank Account\",\"archived\":false},"
	    "{\"code\":\"091\",\"name\":\"Business Savings Account\",\"archived\":false},"
	    "{\"code\":\"200\",\"name\":\"Sales\",\"archived\":false},"
	    "{\"code\":\"260\",\"name\":\"Other Revenue\",\"archived\":false},"
	    "{\"code\":\"270\",\"name\":\"Interest Income\",\"archived\":false},"
	    "{\"code\":\"310\",\"name\":\"Cost of Goods Sold\",\"archived\":false},"
	    "{\"code\":\"400\",\"name\":\"Advertising\",\"archived\":false},"
	    "{\"code\":\"404\",\"name\":\"Bank Fees\",\"archived\":false},"
	    "{\"code\":\"429\",\"name\":\"General Expenses\",\"archived\":false},"
	    "{\"code\":\"610\",\"name\":\"Accounts Receivable\",\"archived\":false},"
	    "{\"code\":\"630\",\"name\":\"Inventory\",\"archived\":false},"
	    "{\"code\":\"800\",\"name\":\"Accounts Payable\",\"archived\":false},"
	    "{\"code\":\"820\",\"name\":\"GST\",\"archived\":false},"
	    "{\"code\":\"825\",\"name\":\"Gift Voucher Liability\",\"archived\":false},"
	    "{\"code\":\"860\",\"name\":\"Rounding\",\"archived\":false},"
	    "{\"code\":\"880\",\"name\":\"Owner A Drawings\",\"archived\":false},"
	    "{\"code\":\"960\",\"name\":\"Retained Earnings\",\"archived\":false}]";
	static const char taxrates[] =
	    "[{\"code\":\"OUTPUT2\",\"name\":\"GST on Income\",\"rate\":\"15.0000\","
	    "\"sales\":true,\"purchases\":false,\"active\":true},"
	    "{\"code\":\"INPUT2\",\"name\":\"GST on Expenses\",\"rate\":\"15.0000\","
	    "\"sales\":false,\"purchases\":true,\"active\":true},"
	    "{\"code\":\"NONE\",\"name\":\"No GST\",\"rate\":\"0.0000\","
	    "\"sales\":true,\"purchases\":true,\"active\":true},"
	    "{\"code\":\"ZERORATED\",\"name\":\"Zero Rated\",\"rate\":\"0.0000\","
	    "\"sales\":true,\"purchases\":false,\"active\":true}]";
	struct store_actor who = {"bench", wall_ms()};
	struct buf id;
	int rc = store_target_add(st, TARGET, "Bench Ltd", &who, err);

	if (rc == BS_OK)
		rc = store_setting_set(st, "base_currency", "NZD", err);
	if (rc == BS_OK)
		rc = store_setting_set(st, "chart:" TARGET, chart, err);
	if (rc == BS_OK)
		rc = store_setting_set(st, "taxrates:" TARGET, taxrates, err);
	if (rc == BS_OK)
		rc = store_setting_set(st, "lockdate:" TARGET, "", err);
	if (rc != BS_OK)
		return rc;
	/* every customer already in the ledger: its sales are eligible */
	buf_init(&id, 64);
	rc = store_begin(st, err);
	for (uint64_t c = 1; rc == BS_OK && c <= o->customers; c++) {
		char cid[32], lid[48];

		snprintf(cid, sizeof(cid), "C-%" PRIu64, c);
		snprintf(lid, sizeof(lid), "00000000-0000-4000-8000-%012" PRIu64, c);
		rc = store_link_set(st, TARGET, RECORD_CUSTOMER, cid,
		                    ledger_doc_type_name(LEDGER_CONTACT), lid, "", who.now_ms, err);
	}
	if (rc == BS_OK)
		rc = store_commit(st, err);
	else
		store_rollback(st);
	buf_free(&id);
	return rc;
}

/* Every symbol is "posted": a fake GUID derived from its length and first bytes. */
static int fake_resolve(void *arg, const char *symbol, char *id)
{
	struct ser *s = arg;
	size_t n = strlen(symbol);

	s->resolved++;
	snprintf(id, LEDGER_ID_MAX, "%08zx-0000-4000-8000-%012x", n,
	         (unsigned)(unsigned char)symbol[n ? n - 1 : 0]);
	return BS_OK;
}

static int ser_flush(struct ser *s)
{
	const char *method = NULL;
	int rc = BS_OK;

	if (s->n == 0)
		return BS_OK;
	for (size_t i = 0; i < s->n; i++)
		s->elems[i].doc = s->docs[i];
	buf_reset(&s->path);
	buf_reset(&s->body);
	rc = xero_build_request(s->type, s->elems, s->n, fake_resolve, s, &method, &s->path,
	                        &s->body, s->err);
	if (rc == BS_OK) {
		s->requests++;
		s->documents += s->n;
		s->bytes += s->body.len;
	}
	for (size_t i = 0; i < s->n; i++) {
		ledger_elem_release(&s->elems[i]);
		ledger_elem_init(&s->elems[i]);
		json_object_put(s->docs[i]);
	}
	s->n = 0;
	return rc;
}

static int ser_op(void *arg, const struct store_op *op)
{
	struct ser *s = arg;
	struct json_object *doc;

	doc = jsonr_parse(s->tok, op->body, strlen(op->body));

	if (doc == NULL)
		return bs_error_set(s->err, BS_EPARSE, "outbox op %" PRId64 ": body is not JSON",
		                    op->id);
	/* an update names the linked document (the dispatcher reads it from the link) */
	s->elems[s->n].ledger_id = strcmp(op->op, "create") != 0 ? FAKE_ID : NULL;
	s->docs[s->n++] = doc;
	return s->n == BATCH ? ser_flush(s) : BS_OK;
}

/* Every ready operation, type by type in dependency order, 50 a request. */
static int serialise_all(struct store *st, struct ser *s, struct bs_error *err)
{
	for (int t = 0; t < LEDGER_DOC_TYPE_COUNT; t++) {
		int rc;

		s->type = (enum ledger_doc_type)t;
		rc = store_outbox_each(st, TARGET, STORE_OP_READY, ledger_doc_type_name(s->type), 0,
		                       ser_op, s, err);
		if (rc == BS_OK)
			rc = ser_flush(s);
		if (rc != BS_OK)
			return rc;
	}
	return BS_OK;
}

/* Planned operations by type and op, e.g. "Invoice create". */
struct tally {
	char key[16][48];
	uint64_t n[16];
	size_t used;
};

static int tally_op(void *arg, const struct store_op *op)
{
	struct tally *t = arg;
	char key[48];
	size_t i;

	snprintf(key, sizeof(key), "%s %s", op->doc_type, op->op);
	for (i = 0; i < t->used && strcmp(t->key[i], key) != 0; i++)
		;
	if (i == t->used) {
		if (t->used == 16)
			return 0;
		memcpy(t->key[t->used++], key, sizeof(key));
	}
	t->n[i]++;
	return 0;
}

static void usage(void)
{
	fputs("usage: bench_plan [N] [--lines L] [--customers C] [--dir DIR] [--db URL] [--keep] "
	      "[--setup-only]\n"
	      "Plans N invoiced sales (default 100000, 2 lines, N/5 customers) for a fake\n"
	      "Xero target and serialises every planned document into Xero request bodies\n"
	      "(50 a batch); prints documents/s and peak RSS.  No network.\n",
	      stderr);
}

int main(int argc, char **argv)
{
	struct opts o = {100000, 2, 0, NULL, 0, 0};
	struct bs_error err;
	struct store *st = NULL;
	struct ingest_stats is = {0};
	struct ingest_opts io = {0};
	struct plan_opts po = {0};
	struct plan_stats ps = {0};
	struct ser s;
	struct store_actor who = {"import", 0};
	struct buf dir, db, file;
	struct rusage ru;
	double t0, t1, t2, ts, t3;
	struct tally tl;
	int rc = BS_OK, made = 0, status = 0;
	pid_t child;

	memset(&s, 0, sizeof(s));
	memset(&tl, 0, sizeof(tl));
	for (size_t i = 0; i < BATCH; i++)
		ledger_elem_init(&s.elems[i]);
	bs_error_clear(&err);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--keep") == 0) {
			o.keep = 1;
		} else if (strcmp(argv[i], "--setup-only") == 0) {
			o.setup_only = o.keep = 1;
		} else if (i + 1 < argc && strcmp(argv[i], "--lines") == 0) {
			if (parse_u64(argv[++i], &o.lines) != 0 || o.lines > 100)
				goto bad;
		} else if (i + 1 < argc && strcmp(argv[i], "--customers") == 0) {
			if (parse_u64(argv[++i], &o.customers) != 0)
				goto bad;
		} else if (i + 1 < argc && strcmp(argv[i], "--dir") == 0) {
			o.dir = argv[++i];
		} else if (i + 1 < argc && strcmp(argv[i], "--db") == 0) {
			o.db = argv[++i];
		} else if (argv[i][0] != '-' && parse_u64(argv[i], &o.n) == 0) {
			continue;
		} else {
			goto bad;
		}
	}
	if (o.customers == 0)
		o.customers = o.n / 5 ? o.n / 5 : 1;
	if (o.dir == NULL)
		o.dir = getenv("TMPDIR") && getenv("TMPDIR")[0] ? getenv("TMPDIR") : "/tmp";

	buf_init(&dir, 4096);
	buf_init(&db, 4096);
	buf_init(&file, 4096);
	s.err = &err;
	s.tok = json_tokener_new();
	if (s.tok == NULL) {
		fputs("bench_plan: out of memory\n", stderr);
		return 1;
	}
	buf_init(&s.path, 4096);
	buf_init(&s.body, BODY_MAX);
	if (buf_printf(&dir, "%s/bench-plan.XXXXXX", o.dir) != BS_OK ||
	    mkdtemp((char *)(uintptr_t)buf_cstr(&dir)) == NULL) {
		rc = bs_error_set(&err, BS_EIO, "mkdtemp in %s: %s", o.dir, strerror(errno));
		goto out;
	}
	made = 1;
	if ((o.db != NULL ? buf_addstr(&db, o.db)
	                  : buf_printf(&db, "%s/bench.db", buf_cstr(&dir))) != BS_OK ||
	    buf_printf(&file, "%s/sales.jsonl", buf_cstr(&dir)) != BS_OK) {
		rc = bs_error_set(&err, BS_ETOOBIG, "path too long");
		goto out;
	}

	/* 1. records, through the ingest API (not timed), in a child process so
	 * the peak RSS below is planning and serialising alone */
	rc = write_records(&o, buf_cstr(&file), &err);
	if (rc != BS_OK)
		goto out;
	fflush(stdout);
	child = fork();
	if (child < 0) {
		rc = bs_error_set(&err, BS_EIO, "fork: %s", strerror(errno));
		goto out;
	}
	if (child == 0) {
		rc = store_open(buf_cstr(&db), STORE_OPEN_CREATE, &st, &err);
		t0 = now_s();
		who.now_ms = wall_ms();
		io.format = SOURCE_AUTO;
		io.who = &who;
		if (rc == BS_OK)
			rc = ingest_path(st, buf_cstr(&file), &io, &is, &err);
		if (rc == BS_OK && is.rejected != 0)
			rc = bs_error_set(&err, BS_EINVAL, "%" PRIu64 " records rejected",
			                  is.rejected);
		if (rc == BS_OK)
			rc = add_target(st, &o, &err);
		store_close(st);
		if (rc != BS_OK)
			fprintf(stderr, "bench_plan: setup: %s\n", err.msg);
		else
			printf("setup: %" PRIu64 " records imported, %" PRIu64
			       " customers linked in %.2f s (child process)\n",
			       is.added, o.customers, now_s() - t0);
		fflush(stdout);
		_exit(rc == BS_OK ? 0 : 1);
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		rc = bs_error_set(&err, BS_EIO, "the setup process failed");
		goto out;
	}
	if (o.setup_only) {
		unlink(buf_cstr(&file)); /* the store is what is kept */
		goto out;
	}
	if ((rc = store_open(buf_cstr(&db), 0, &st, &err)) != BS_OK)
		goto out;

	/* 2. plan */
	po.target = TARGET;
	po.everything = true;
	po.now_ms = wall_ms();
	po.ledger_round = MONEY_HALF_AWAY;
	t1 = now_s();
	rc = plan_run(st, &po, &ps, &err);
	t2 = now_s();
	if (rc != BS_OK)
		goto out;
	printf("plan: considered %" PRIu64 ", planned %" PRIu64 ", documents %" PRIu64
	       ", skipped %" PRIu64 ", waiting %" PRIu64 ", failed %" PRIu64 "\n",
	       ps.considered, ps.planned, ps.documents, ps.skipped, ps.waiting, ps.failed);
	if (ps.documents < o.n) {
		rc = bs_error_set(&err, BS_EINVAL,
		                  "only %" PRIu64 " of %" PRIu64
		                  " sales were planned: not a fair run",
		                  ps.documents, o.n);
		goto out;
	}

	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS after planning: %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
	/* type by type, as the dispatcher reads it: on the index, no sort of
	 * every body in memory (which alone would double the peak RSS) */
	for (int t = 0; rc == BS_OK && t < LEDGER_DOC_TYPE_COUNT; t++)
		rc = store_outbox_each(st, TARGET, STORE_OP_READY,
		                       ledger_doc_type_name((enum ledger_doc_type)t), 0, tally_op,
		                       &tl, &err);
	if (rc != BS_OK)
		goto out;
	printf("outbox:");
	for (size_t i = 0; i < tl.used; i++)
		printf("%s %" PRIu64 " %s", i ? "," : "", tl.n[i], tl.key[i]);
	printf("\n");

	/* 3. serialise every planned body into Xero requests of 50 */
	ts = now_s();
	rc = serialise_all(st, &s, &err);
	t3 = now_s();
	if (rc != BS_OK)
		goto out;
	getrusage(RUSAGE_SELF, &ru);

	printf("serialise: %" PRIu64 " documents in %" PRIu64 " requests, %.1f MiB of JSON, "
	       "%" PRIu64 " symbols resolved\n",
	       s.documents, s.requests, (double)s.bytes / (1024.0 * 1024.0), s.resolved);
	printf("plan:          %8.3f s  %10.0f documents/s\n", t2 - t1,
	       (double)ps.documents / (t2 - t1));
	printf("serialise:     %8.3f s  %10.0f documents/s\n", t3 - ts,
	       (double)s.documents / (t3 - ts));
	printf("plan+serialise:%8.3f s  %10.0f documents/s  (target >= 100000)\n",
	       (t2 - t1) + (t3 - ts), (double)s.documents / ((t2 - t1) + (t3 - ts)));
	printf("peak RSS:      %8.1f MiB  planning + serialising  (target <= 64)\n",
	       (double)ru.ru_maxrss / 1024.0);
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("peak RSS:      %8.1f MiB  the setup's import (not timed)\n",
	       (double)ru.ru_maxrss / 1024.0);
	/* the checkpoint SQLite leaves to the last close: the part of the
	 * writes' cost the figures above may not have paid yet */
	t1 = now_s();
	store_close(st);
	st = NULL;
	printf("close:         %8.3f s  the store's last checkpoint (not in the figures above)\n",
	       now_s() - t1);
out:
	if (rc != BS_OK)
		fprintf(stderr, "bench_plan: %s\n", err.msg);
	for (size_t i = 0; i < s.n; i++)
		json_object_put(s.docs[i]);
	for (size_t i = 0; i < BATCH; i++)
		ledger_elem_release(&s.elems[i]);
	store_close(st);
	if (made && !o.keep) {
		struct buf p;

		buf_init(&p, 4096);
		const char *const tails[] = {"/sales.jsonl", "/bench.db", "/bench.db-wal",
		                             "/bench.db-shm", "/bench.db-journal"};
		for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
			buf_reset(&p);
			if (buf_printf(&p, "%s%s", buf_cstr(&dir), tails[i]) == BS_OK)
				unlink(buf_cstr(&p));
		}
		buf_free(&p);
		rmdir(buf_cstr(&dir));
	} else if (made) {
		printf("kept: %s\n", buf_cstr(&dir));
	}
	buf_free(&s.path);
	buf_free(&s.body);
	json_tokener_free(s.tok);
	buf_free(&dir);
	buf_free(&db);
	buf_free(&file);
	return rc == BS_OK ? 0 : 1;
bad:
	usage();
	return 2;
}
