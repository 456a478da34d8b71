/*
 * test_plan_chunks.c - planning in bounded chunks plans exactly what
 * planning everything at once does.
 *
 * A store holding the sample month (examples/, every kind: ~2,000 records)
 * and one record of each kind (tests/integration/lib/kinds.jsonl) is
 * planned for a fake Xero target once with an unbounded chunk and again
 * with chunks of a few candidates, each run on its own copy of the store.
 * What planning leaves behind -- outbox, sync states, history, errors,
 * links and serials, counters -- must be the same, and the small runs must
 * never have held more candidates than their chunk.  A dry run planned in
 * small chunks must show the very documents the real run wrote, in the
 * same order (so it saw its own earlier chunks: serials, contacts and
 * dependencies queued) and leave the store as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "sync/plan.h"

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TARGET    "xero:00000000-0000-4000-8000-0000000000aa"
#define NOW_MS    1790000000000
#define UNBOUNDED SIZE_MAX
#define DUMP_MAX  ((size_t)256 << 20)

struct fx {
	char dir[64];
	char tmpl[128]; /* the store every run starts from */
	char path[128]; /* this run's copy */
	struct plan_ref refs[200];
	size_t nrefs;
	int64_t pending; /* candidates of --everything */
};

static const char *const inputs[] = {
    "examples/customers.csv", "examples/suppliers.jsonl",
    "examples/products.csv",  "examples/sales.jsonl",
    "examples/purchases.csv", "examples/payments.jsonl",
    "examples/other.jsonl",   "tests/integration/lib/kinds.jsonl",
};

/* What `booksync connect` stores for the sandbox's organisation, and one
 * customer already in the ledger (its documents' Contact is an update). */
static int add_target(struct store *st, struct bs_error *err)
{
	static const char chart[] =
	    "[{\"code\":\"090\",\"name\":\"Bank\",\"archived\":false},"
	    "{\"code\":\"200\",\"name\":\"Sales\",\"archived\":false},"
	    "{\"code\":\"260\",\"name\":\"Other Revenue\",\"archived\":false},"
	    "{\"code\":\"310\",\"name\":\"Cost of Goods Sold\",\"archived\":false},"
	    "{\"code\":\"429\",\"name\":\"General Expenses\",\"archived\":false},"
	    "{\"code\":\"630\",\"name\":\"Inventory\",\"archived\":false},"
	    "{\"code\":\"825\",\"name\":\"Gift Voucher Liability\",\"archived\":false},"
	    "{\"code\":\"860\",\"name\":\"Rounding\",\"archived\":false}]";
	static const char taxrates[] =
	    "[{\"code\":\"OUTPUT2\",\"name\":\"GST on Income\",\"rate\":\"15.0000\","
	    "\"sales\":true,\"purchases\":false,\"active\":true},"
	    "{\"code\":\"INPUT2\",\"name\":\"GST on Expenses\",\"rate\":\"15.0000\","
	    "\"sales\":false,\"purchases\":true,\"active\":true},"
	    "{\"code\":\"NONE\",\"name\":\"No GST\",\"rate\":\"0.0000\","
	    "\"sales\":true,\"purchases\":true,\"active\":true}]";
	struct store_actor who = {"test", NOW_MS - 1000};
	int rc = store_target_add(st, TARGET, "Test Ltd", &who, err);

	if (rc == BS_OK)
		rc = store_setting_set(st, "base_currency", "NZD", err);
	if (rc == BS_OK)
		rc = store_setting_set(st, "chart:" TARGET, chart, err);
	if (rc == BS_OK)
		rc = store_setting_set(st, "taxrates:" TARGET, taxrates, err);
	if (rc == BS_OK)
		rc = store_setting_set(st, "account.gift_voucher", "825", err);
	if (rc == BS_OK)
		rc = store_link_set(st, TARGET, RECORD_CUSTOMER, "C-1001", "Contact",
		                    "00000000-0000-4000-8000-000000000001", "", NOW_MS - 1000, err);
	return rc;
}

static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char b[65536];
	size_t n;
	int rc = in != NULL && out != NULL ? 0 : -1;

	while (rc == 0 && (n = fread(b, 1, sizeof(b), in)) > 0)
		rc = fwrite(b, 1, n, out) == n ? 0 : -1;
	if (in != NULL)
		fclose(in);
	if (out != NULL && fclose(out) != 0)
		rc = -1;
	return rc;
}

/* The template store, and the refs of an Upload Selected: every 11th
 * record, one of them listed twice. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *src = getenv("BS_SOURCE_DIR");
	struct store *st = NULL;
	struct store_actor who = {"import", NOW_MS - 2000};
	struct ingest_opts io = {0};
	struct ingest_stats is = {0};
	struct bs_error err;
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	int rc = BS_EIO;

	bs_error_clear(&err);
	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/bs-test-plan-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		goto fail;
	snprintf(f->tmpl, sizeof(f->tmpl), "%s/template.db", f->dir);
	snprintf(f->path, sizeof(f->path), "%s/run.db", f->dir);
	rc = store_open(f->tmpl, STORE_OPEN_CREATE, &st, &err);
	io.format = SOURCE_AUTO;
	io.who = &who;
	for (size_t i = 0; rc == BS_OK && i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		char path[1024];

		snprintf(path, sizeof(path), "%s/%s", src != NULL ? src : ".", inputs[i]);
		rc = ingest_path(st, path, &io, &is, &err);
	}
	if (rc == BS_OK && is.rejected != 0)
		rc = bs_error_set(&err, BS_EINVAL, "%llu records rejected",
		                  (unsigned long long)is.rejected);
	if (rc == BS_OK)
		rc = add_target(st, &err);
	store_close(st);
	if (rc != BS_OK)
		goto fail;
	if (sqlite3_open(f->tmpl, &db) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
	                       "SELECT kind, id FROM records WHERE rowid % 11 = 0 ORDER BY rowid",
	                       -1, &q, NULL) != SQLITE_OK)
		goto fail;
	while (sqlite3_step(q) == SQLITE_ROW &&
	       f->nrefs + 1 < sizeof(f->refs) / sizeof(f->refs[0])) {
		f->refs[f->nrefs].kind = (enum record_kind)sqlite3_column_int(q, 0);
		snprintf(f->refs[f->nrefs].id, sizeof(f->refs[0].id), "%s",
		         sqlite3_column_text(q, 1));
		f->nrefs++;
	}
	sqlite3_finalize(q);
	q = NULL;
	if (f->nrefs < 4)
		goto fail;
	f->refs[f->nrefs++] = f->refs[3];
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sync_state", -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_ROW)
		goto fail;
	f->pending = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	*state = f;
	return 0;
fail:
	fprintf(stderr, "test_plan_chunks: setup failed: %s\n", err.msg);
	sqlite3_finalize(q);
	sqlite3_close(db);
	if (f->dir[0] != '\0' && strchr(f->dir, 'X') == NULL) {
		char cmd[160];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
		(void)!system(cmd);
	}
	free(f);
	return -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	if (f == NULL) /* the setup failed, and said why */
		return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* Every row of `sql`, columns separated by '|', rows by '\n'. */
static void dump_query(sqlite3 *db, const char *sql, struct buf *out)
{
	sqlite3_stmt *q = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(buf_printf(out, "-- %s\n", sql), BS_OK);
	while (sqlite3_step(q) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(q); c++) {
			const unsigned char *v = sqlite3_column_text(q, c);

			assert_int_equal(
			    buf_printf(out, "%s%s", c ? "|" : "", v ? (const char *)v : "~"),
			    BS_OK);
		}
		assert_int_equal(buf_addc(out, '\n'), BS_OK);
	}
	assert_int_equal(sqlite3_finalize(q), SQLITE_OK);
}

/*
 * Everything planning writes.  by_record: the outbox and history grouped
 * by record (each record's own rows in the order written) rather than in
 * the order of the whole run.
 */
static void dump(const char *path, bool by_record, struct buf *out)
{
	sqlite3 *db = NULL;
	char sql[512];

	buf_reset(out);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql),
	         "SELECT r.kind, r.id, o.doc_type, o.op, o.body, o.deps, o.status, o.created_ms,"
	         " o.serial, o.hist_from, o.hist_actor, o.hist_reason"
	         " FROM outbox o JOIN records r ON r.rowid = o.record ORDER BY %s o.id",
	         by_record ? "r.kind, r.id," : "");
	dump_query(db, sql, out);
	snprintf(sql, sizeof(sql),
	         "SELECT r.kind, r.id, h.target, h.at_ms, h.actor, h.from_state, h.to_state,"
	         " h.reason FROM history h JOIN records r ON r.rowid = h.record ORDER BY %s h.seq",
	         by_record ? "r.kind, r.id," : "");
	dump_query(db, sql, out);
	dump_query(
	    db,
	    "SELECT r.kind, r.id, s.target, s.state, s.pending_change, s.reason, s.updated_ms"
	    " FROM sync_state s JOIN records r ON r.rowid = s.record ORDER BY r.kind, r.id",
	    out);
	dump_query(db,
	           "SELECT r.kind, r.id, e.target, e.at_ms, e.message FROM errors e"
	           " JOIN records r ON r.rowid = e.record ORDER BY r.kind, r.id, e.seq",
	           out);
	dump_query(db,
	           "SELECT target, kind, source_id, ledger_type, ledger_id, ledger_number, serial"
	           " FROM links ORDER BY target, kind, source_id, ledger_type",
	           out);
	dump_query(db, "SELECT name, value FROM counters ORDER BY name", out);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* What a dry run shows: every document and every verdict, in order. */
static void on_doc(void *arg, enum record_kind kind, const char *id, const char *doc_type,
                   const char *op, const char *body)
{
	assert_int_equal(buf_printf(arg, "doc %d|%s|%s|%s|%s\n", (int)kind, id, doc_type, op, body),
	                 BS_OK);
}

static void on_verdict(void *arg, enum record_kind kind, const char *id, enum sync_state state,
                       const char *reason)
{
	assert_int_equal(
	    buf_printf(arg, "verdict %d|%s|%d|%s\n", (int)kind, id, (int)state, reason), BS_OK);
}

/* Plan a fresh copy of the store; `shown` collects the callbacks. */
static void run(struct fx *f, const struct plan_opts *base, size_t chunk, bool dry_run,
                struct buf *shown, struct plan_stats *ps)
{
	struct plan_opts o = *base;
	struct store *st = NULL;
	struct bs_error err;
	int rc;

	o.target = TARGET;
	o.now_ms = NOW_MS;
	o.ledger_round = MONEY_HALF_AWAY;
	o.chunk = chunk;
	o.dry_run = dry_run;
	o.on_doc = on_doc;
	o.on_verdict = on_verdict;
	o.arg = shown;
	buf_reset(shown);
	memset(ps, 0, sizeof(*ps));
	assert_int_equal(copy_file(f->tmpl, f->path), 0);
	assert_int_equal(store_open(f->path, 0, &st, &err), BS_OK);
	rc = plan_run(st, &o, ps, &err);
	if (rc != BS_OK)
		fail_msg("plan_run (chunk %zu): %s", chunk, err.msg);
	store_close(st);
}

/* The unbounded run, then each chunk size: the same store afterwards, and
 * never more than `chunk` candidates held. */
static void same_as_unbounded(struct fx *f, const struct plan_opts *o, bool by_record,
                              const size_t *chunks, size_t nchunks)
{
	struct buf want, got, shown;
	struct plan_stats ps;
	uint64_t planned;

	buf_init(&want, DUMP_MAX);
	buf_init(&got, DUMP_MAX);
	buf_init(&shown, DUMP_MAX);
	run(f, o, UNBOUNDED, false, &shown, &ps);
	dump(f->path, by_record, &want);
	planned = ps.planned;
	assert_true(ps.documents > 0);
	assert_int_equal(ps.chunks, 1);
	for (size_t i = 0; i < nchunks; i++) {
		run(f, o, chunks[i], false, &shown, &ps);
		dump(f->path, by_record, &got);
		assert_int_equal(ps.planned, planned);
		assert_true(ps.held_max <= chunks[i]);
		assert_true(ps.chunks > 1);
		if (strcmp(buf_cstr(&want), buf_cstr(&got)) != 0)
			fail_msg("chunk %zu: the store differs from unbounded planning", chunks[i]);
	}
	buf_free(&want);
	buf_free(&got);
	buf_free(&shown);
}

static void test_everything(void **state)
{
	struct fx *f = *state;
	struct plan_opts o = {0};
	static const size_t chunks[] = {PLAN_CHUNK_MIN, 37};
	struct buf shown;
	struct plan_stats ps;

	o.everything = true;
	/* the unbounded run holds every pending record: what the chunks must not */
	buf_init(&shown, DUMP_MAX);
	run(f, &o, UNBOUNDED, true, &shown, &ps);
	assert_int_equal(ps.held_max, f->pending);
	assert_true(ps.held_max > 1000);
	buf_free(&shown);
	same_as_unbounded(f, &o, false, chunks, sizeof(chunks) / sizeof(chunks[0]));
}

static void test_sync_all(void **state)
{
	struct fx *f = *state;
	struct plan_opts o = {0};
	static const size_t chunks[] = {7};

	same_as_unbounded(f, &o, false, chunks, 1);
}

/*
 * A tab that does not hold the contacts: each chunk's documents pull in
 * their pending contacts, planned first.  Every record is planned as in
 * one chunk; only where the contacts' operations fall in the outbox's
 * order differs, and each still comes before the documents naming it.
 */
static void test_tab_pulls_contacts(void **state)
{
	struct fx *f = *state;
	struct plan_opts o = {0};
	static const size_t chunks[] = {PLAN_CHUNK_MIN, 23};
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	static const char pairs[] =
	    "SELECT sum(c.id < d.id), sum(c.id > d.id) FROM outbox d JOIN outbox c"
	    " ON c.doc_type = 'Contact'"
	    " AND instr(' ' || d.deps || ' ', ' ' || json_extract(c.body, '$.self') || ' ') > 0";

	o.tab = "sales/invoices";
	same_as_unbounded(f, &o, true, chunks, sizeof(chunks) / sizeof(chunks[0]));
	/* the last run (chunk 23) left its store: contacts before documents */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, pairs, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_true(sqlite3_column_int(q, 0) > 10);
	assert_int_equal(sqlite3_column_int(q, 1), 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
}

static void test_selected(void **state)
{
	struct fx *f = *state;
	struct plan_opts o = {0};
	static const size_t chunks[] = {PLAN_CHUNK_MIN, 64};

	o.refs = f->refs;
	o.nrefs = f->nrefs;
	assert_true(f->nrefs > 64);
	same_as_unbounded(f, &o, true, chunks, sizeof(chunks) / sizeof(chunks[0]));
}

/*
 * A dry run in chunks of PLAN_CHUNK_MIN shows the documents the real run
 * wrote, one for one and in order, and the same verdicts as a dry run in
 * one chunk; the store is left exactly as it was.
 */
static void test_dry_run(void **state)
{
	struct fx *f = *state;
	struct plan_opts o = {0};
	struct buf before, after, real, small, whole;
	struct plan_stats ps;
	uint64_t documents;

	o.everything = true;
	buf_init(&before, DUMP_MAX);
	buf_init(&after, DUMP_MAX);
	buf_init(&real, DUMP_MAX);
	buf_init(&small, DUMP_MAX);
	buf_init(&whole, DUMP_MAX);

	run(f, &o, UNBOUNDED, true, &whole, &ps);
	run(f, &o, PLAN_CHUNK_MIN, true, &small, &ps);
	assert_true(ps.held_max <= PLAN_CHUNK_MIN);
	assert_true(ps.chunks > 100);
	documents = ps.documents;
	assert_string_equal(buf_cstr(&small), buf_cstr(&whole));
	/* nothing saved: the copy is the template, table for table */
	dump(f->tmpl, false, &before);
	dump(f->path, false, &after);
	assert_string_equal(buf_cstr(&after), buf_cstr(&before));

	/* the real run's outbox, as the dry run shows documents */
	run(f, &o, UNBOUNDED, false, &real, &ps);
	assert_int_equal(ps.documents, documents);
	{
		sqlite3 *db = NULL;
		sqlite3_stmt *q = NULL;
		struct buf docs;
		const char *sm = buf_cstr(&small);
		size_t w = 0;

		buf_init(&docs, DUMP_MAX);
		assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db,
		                                    "SELECT r.kind, r.id, o.doc_type, o.op, o.body"
		                                    " FROM outbox o JOIN records r"
		                                    " ON r.rowid = o.record ORDER BY o.id",
		                                    -1, &q, NULL),
		                 SQLITE_OK);
		while (sqlite3_step(q) == SQLITE_ROW)
			assert_int_equal(
			    buf_printf(&docs, "doc %d|%s|%s|%s|%s\n", sqlite3_column_int(q, 0),
			               sqlite3_column_text(q, 1), sqlite3_column_text(q, 2),
			               sqlite3_column_text(q, 3), sqlite3_column_text(q, 4)),
			    BS_OK);
		sqlite3_finalize(q);
		sqlite3_close(db);
		/* the dry run's lines without its verdicts */
		buf_reset(&after);
		while (*sm != '\0') {
			const char *nl = strchr(sm, '\n');
			size_t len = nl != NULL ? (size_t)(nl - sm) + 1 : strlen(sm);

			if (strncmp(sm, "doc ", 4) == 0) {
				assert_int_equal(buf_add(&after, sm, len), BS_OK);
				w++;
			}
			sm += len;
		}
		assert_int_equal(w, documents);
		assert_string_equal(buf_cstr(&after), buf_cstr(&docs));
		buf_free(&docs);
	}
	buf_free(&before);
	buf_free(&after);
	buf_free(&real);
	buf_free(&small);
	buf_free(&whole);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_everything),
	    cmocka_unit_test(test_sync_all),
	    cmocka_unit_test(test_tab_pulls_contacts),
	    cmocka_unit_test(test_selected),
	    cmocka_unit_test(test_dry_run),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
