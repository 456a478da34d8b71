/*
 * test_ingest.c - the import driver: two threads and a ring between them.
 *
 * Runs in the ASan/UBSan build too, so the hand-over between the reader
 * thread and the storing thread, the early stop on a store error and the
 * clean-up are checked for races, leaks and overflows, not just results.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "ingest/ingest.h"
#include "tstore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fx {
	char dir[64], db[128], in[128];
	struct store *st;
	struct store_actor who;
	int rejects;
	char last[512];
};

static void on_reject(void *arg, const char *msg)
{
	struct fx *f = arg;

	f->rejects++;
	snprintf(f->last, sizeof(f->last), "%s", msg);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct bs_error err;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/bs-test-ingest-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	tstore_db_path(f->db, sizeof(f->db), f->dir, "t");
	snprintf(f->in, sizeof(f->in), "%s/in.jsonl", f->dir);
	f->who.name = "test";
	f->who.now_ms = 1700000000000;
	if (store_open(f->db, STORE_OPEN_CREATE, &f->st, &err) != BS_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	store_close(f->st);
	tstore_db_drop(f->db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* n customers, every k-th one bad (no name), as JSON Lines. */
static void write_input(const char *path, int n, int k)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	for (int i = 0; i < n; i++) {
		if (k > 0 && i % k == k - 1)
			fprintf(fp, "{\"kind\":\"customer\",\"id\":\"C-%d\"}\n", i);
		else
			fprintf(fp, "{\"kind\":\"customer\",\"id\":\"C-%d\",\"name\":\"N %d\"}\n",
			        i, i);
	}
	fclose(fp);
}

static int run(struct fx *f, const char *path, size_t batch, struct ingest_stats *st,
               struct bs_error *err)
{
	struct ingest_opts o = {0};
	struct bs_error e;
	int rc, cache = 0;

	o.who = &f->who;
	o.batch = batch;
	o.on_reject = on_reject;
	o.arg = f;
	memset(st, 0, sizeof(*st));
	/* an import sizes the page cache for itself and puts it back */
	assert_int_equal(store_cache_set(f->st, 2048, NULL, &e), BS_OK);
	rc = ingest_path(f->st, path, &o, st, err);
	assert_int_equal(store_cache_set(f->st, 2048, &cache, &e), BS_OK);
	assert_int_equal(cache, tstore_pg() != NULL ? 0 : 2048);
	return rc;
}

/* More items than ring slots and several batches: every one accounted for,
 * in order (the last rejection is the last bad line). */
static void test_many_through_the_ring(void **state)
{
	struct fx *f = *state;
	struct ingest_stats st;
	struct bs_error err;
	int64_t n = 0;

	write_input(f->in, 10000, 7);
	assert_int_equal(run(f, f->in, 1000, &st, &err), BS_OK);
	assert_int_equal(st.items, 10000);
	assert_int_equal(st.rejected, 10000 / 7);
	assert_int_equal(st.added, 10000 - 10000 / 7);
	assert_int_equal(f->rejects, 10000 / 7);
	assert_non_null(strstr(f->last, "line 9996: customer C-9995"));
	assert_int_equal(store_record_count(f->st, &n, &err), BS_OK);
	assert_int_equal(n, 10000 - 10000 / 7);
	/* again: nothing changes */
	f->rejects = 0;
	assert_int_equal(run(f, f->in, 0, &st, &err), BS_OK);
	assert_int_equal(st.unchanged, 10000 - 10000 / 7);
	assert_int_equal(st.added, 0);
}

static void test_empty_and_missing(void **state)
{
	struct fx *f = *state;
	struct ingest_stats st;
	struct bs_error err;
	char missing[160];
	FILE *fp = fopen(f->in, "w");

	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(run(f, f->in, 0, &st, &err), BS_OK);
	assert_int_equal(st.items, 0);
	snprintf(missing, sizeof(missing), "%s/nope.jsonl", f->dir);
	assert_int_equal(run(f, missing, 0, &st, &err), BS_EIO);
	assert_non_null(strstr(err.msg, "nope.jsonl"));
}

/* A store error stops the import: the reader thread must end and be
 * joined, the open batch rolled back, nothing half-written. */
static void test_store_error_stops_reader(void **state)
{
	struct fx *f = *state;
	struct store *ro = NULL;
	struct store *keep = f->st;
	struct ingest_stats st;
	struct bs_error err;
	char uri[600];
	int64_t n = -1;

	TSTORE_SQLITE_ONLY(); /* a read-only file */
	write_input(f->in, 20000, 0);
	snprintf(uri, sizeof(uri), "file:%s?mode=ro", f->db);
	assert_int_equal(store_open(uri, 0, &ro, &err), BS_OK);
	f->st = ro;
	assert_int_equal(run(f, f->in, 0, &st, &err), BS_EREADONLY);
	assert_true(st.items < 20000); /* it stopped early */
	f->st = keep;
	store_close(ro);
	assert_int_equal(store_record_count(f->st, &n, &err), BS_OK);
	assert_int_equal(n, 0);
}

/*
 * Issue 15 item 2: CSV rows S1, S1, S2, S1.  The third run of S1 used to
 * replace the first (lines a and b gone, "1 new, 1 changed"); it is now
 * rejected naming both runs, and S1 keeps the lines of its first run.
 */
static void test_csv_rows_apart(void **state)
{
	struct fx *f = *state;
	struct ingest_stats st;
	struct bs_error err;
	struct store_record_info info;
	struct buf body;
	char csv[160];
	FILE *fp;

	snprintf(csv, sizeof(csv), "%s/sales.csv", f->dir);
	fp = fopen(csv, "w");
	assert_non_null(fp);
	fputs("id,customer_id,lines.sku,lines.qty,lines.unit_price\n"
	      "S1,C1,a,1,1.00\n"
	      "S1,C1,b,1,2.00\n"
	      "S2,C1,x,1,3.00\n"
	      "S1,C1,c,1,4.00\n",
	      fp);
	fclose(fp);
	assert_int_equal(run(f, csv, 0, &st, &err), BS_OK);
	assert_int_equal(st.items, 3);
	assert_int_equal(st.added, 2);
	assert_int_equal(st.changed, 0);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(f->rejects, 1);
	assert_non_null(strstr(f->last, "sales.csv: line 5: the row of id S1 at line 5 is apart "
	                                "from its rows from line 2"));
	buf_init(&body, 0);
	assert_int_equal(store_record_get(f->st, RECORD_SALE, "S1", &info, &body, &err), BS_OK);
	assert_non_null(strstr(buf_cstr(&body), "\"sku\":\"a\""));
	assert_non_null(strstr(buf_cstr(&body), "\"sku\":\"b\""));
	assert_null(strstr(buf_cstr(&body), "\"sku\":\"c\""));
	buf_free(&body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_many_through_the_ring, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_and_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_error_stops_reader, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_csv_rows_apart, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
