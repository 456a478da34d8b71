/*
 * lists_probe.c - how long a page of GET /api/v1/pending and /errors takes
 * at scale, measured on the handlers themselves (no sockets): the store's
 * keyed page (store_rows_page) plus the JSON.  Driven by bench/serve_lists.
 *
 *   lists_probe DB [--pages N] [--limit L]
 *   lists_probe DB --cursor     (prints a cursor after a random record)
 *
 * For each list and each filter (no tab, one tab, one group) it times the
 * first page and N pages that start after a record picked at random (a
 * deep cursor, as a client walking far into the list sends), and prints
 * p50 / p99 / max in milliseconds.  The records are picked with a private
 * PRNG from a fixed seed, so runs are comparable.
 */
#include "api/api_data_int.h"
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct key {
	char tab[64], date[16], kind[24], id[72];
};

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t epoch_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* N random records' listing keys, read with SQLite directly (setup only). */
static int pick_keys(const char *db, struct key *keys, int n)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *q = NULL;
	int64_t max = 0;
	int got = 0;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(h, "SELECT max(rowid) FROM records", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		max = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (max <= 0 || sqlite3_prepare_v2(h,
	                                   "SELECT tab, date, kind, id FROM records"
	                                   " WHERE rowid >= ?1 ORDER BY rowid LIMIT 1",
	                                   -1, &q, NULL) != SQLITE_OK) {
		sqlite3_close(h);
		return -1;
	}
	while (got < n) {
		enum record_kind k;

		sqlite3_reset(q);
		sqlite3_bind_int64(q, 1, (int64_t)(rng() % (uint64_t)max) + 1);
		if (sqlite3_step(q) != SQLITE_ROW)
			continue;
		k = (enum record_kind)sqlite3_column_int(q, 2);
		snprintf(keys[got].tab, sizeof(keys[got].tab), "%s", sqlite3_column_text(q, 0));
		snprintf(keys[got].date, sizeof(keys[got].date), "%s", sqlite3_column_text(q, 1));
		snprintf(keys[got].kind, sizeof(keys[got].kind), "%s", record_kind_name(k));
		snprintf(keys[got].id, sizeof(keys[got].id), "%s", sqlite3_column_text(q, 3));
		got++;
	}
	sqlite3_finalize(q);
	sqlite3_close(h);
	return got;
}

/* One GET through the handler; the time in microseconds, -1 on a non-200. */
static int64_t one(struct api_ctx *c, api_fn fn, const char *tab, const char *cursor,
                   const char *limit, size_t *bytes)
{
	struct http_kv q[3];
	size_t nq = 0;
	struct http_resp resp;
	int64_t t0, t1;

	q[nq].key = "limit";
	q[nq++].value = limit;
	if (tab != NULL) {
		q[nq].key = "tab";
		q[nq++].value = tab;
	}
	if (cursor != NULL) {
		q[nq].key = "cursor";
		q[nq++].value = cursor;
	}
	struct http_req req = {
	    .method = "GET", .path = "/api/v1/pending", .query = q, .nquery = nq};

	http_resp_init(&resp, BUF_MAX_DEFAULT);
	t0 = now_us();
	fn(c, &req, &resp);
	t1 = now_us();
	*bytes = resp.body.len;
	if (resp.status != 200)
		fprintf(stderr, "lists_probe: %d %s\n", resp.status, buf_cstr(&resp.body));
	http_resp_free(&resp);
	return resp.status == 200 ? t1 - t0 : -1;
}

static void report(const char *what, int64_t *us, int n, size_t bytes)
{
	qsort(us, (size_t)n, sizeof(*us), cmp_i64);
	printf("%-34s n=%-4d p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  (%zu bytes/page)\n", what, n,
	       (double)us[n / 2] / 1000.0,
	       (double)us[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] / 1000.0,
	       (double)us[n - 1] / 1000.0, bytes);
}

int main(int argc, char **argv)
{
	static const char *const tabs[] = {NULL, "sales/invoices", "sales"};
	static const struct {
		const char *name;
		api_fn fn;
	} lists[] = {{"pending", api_h_pending}, {"errors", api_h_errors}};
	struct api_principal who = {"bench", ~0u, false};
	struct api_ctx c;
	struct store *st = NULL;
	struct bs_error err;
	struct key *keys;
	struct buf cur;
	int pages = 500, rc = 1;
	const char *limit = "50";
	int64_t *us;

	if (argc < 2) {
		fprintf(stderr, "usage: lists_probe DB [--pages N] [--limit L]\n");
		return 2;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--pages") == 0)
			pages = atoi(argv[i + 1]) > 0 ? atoi(argv[i + 1]) : pages;
		else if (strcmp(argv[i], "--limit") == 0)
			limit = argv[i + 1];
	}
	if (argc == 3 && strcmp(argv[2], "--cursor") == 0) {
		struct key k;
		const char *f[4] = {k.tab, k.date, k.kind, k.id};

		buf_init(&cur, 4096);
		if (pick_keys(argv[1], &k, 1) != 1 || api_cursor_encode(f, 4, &cur) != BS_OK)
			return 1;
		puts(buf_cstr(&cur));
		buf_free(&cur);
		return 0;
	}
	keys = calloc((size_t)pages, sizeof(*keys));
	us = calloc((size_t)pages, sizeof(*us));
	buf_init(&cur, 4096);
	if (keys == NULL || us == NULL || pick_keys(argv[1], keys, pages) != pages) {
		fprintf(stderr, "lists_probe: cannot read records of %s\n", argv[1]);
		goto out;
	}
	if (store_open(argv[1], 0, &st, &err) != BS_OK) {
		fprintf(stderr, "lists_probe: %s\n", err.msg);
		goto out;
	}
	memset(&c, 0, sizeof(c));
	c.st = st;
	c.who = &who;
	c.now_ms = epoch_ms();
	for (size_t l = 0; l < 2; l++) {
		for (size_t t = 0; t < 3; t++) {
			char what[96];
			size_t bytes = 0;
			int n = 0;

			/* the first page, 20 times (warm) */
			for (int i = 0; i < 20; i++) {
				int64_t v = one(&c, lists[l].fn, tabs[t], NULL, limit, &bytes);

				if (v < 0)
					goto out;
				us[n++] = v;
			}
			snprintf(what, sizeof(what), "%s%s%s first page", lists[l].name,
			         tabs[t] ? " tab=" : "", tabs[t] ? tabs[t] : "");
			report(what, us, n, bytes);
			/* pages after random records */
			n = 0;
			for (int i = 0; i < pages; i++) {
				const char *f[4] = {keys[i].tab, keys[i].date, keys[i].kind,
				                    keys[i].id};
				int64_t v;

				if (api_cursor_encode(f, 4, &cur) != BS_OK)
					goto out;
				v = one(&c, lists[l].fn, tabs[t], buf_cstr(&cur), limit, &bytes);
				if (v < 0)
					goto out;
				us[n++] = v;
			}
			snprintf(what, sizeof(what), "%s%s%s deep page", lists[l].name,
			         tabs[t] ? " tab=" : "", tabs[t] ? tabs[t] : "");
			report(what, us, n, bytes);
		}
	}
	{
		int64_t t[5];
		size_t bytes = 0;

		for (int i = 0; i < 5; i++)
			if ((t[i] = one(&c, api_h_tabs, NULL, NULL, "1", &bytes)) < 0)
				goto out;
		report("tabs (counts of every row)", t, 5, bytes);
	}
	rc = 0;
out:
	store_close(st);
	buf_free(&cur);
	free(keys);
	free(us);
	return rc;
}
