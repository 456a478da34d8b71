/*
 * test_rules_credit.c - which issued store credits a use or refund draws
 * on (rules_store_credit_fifo, src/rules/rules.h).
 *
 * A table of cases, each a customer's events, the draw asked about and
 * the pieces and shortfall expected; then the same function against a
 * plain restatement of the rule (every draw in turn takes from the oldest
 * credits dated on or before it; written the slow, obvious way as the
 * oracle) on thousands of random event lists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rules/rules.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define C(c) ((int64_t)(c)*10000) /* cents to micros */

/* issued (I) or drawn (D: used or refunded), id, date, cents */
#define I(id, date, c)                                                                             \
	{                                                                                          \
		id, date, true, C(c)                                                               \
	}
#define D(id, date, c)                                                                             \
	{                                                                                          \
		id, date, false, C(c)                                                              \
	}

struct piece {
	const char *issued;
	int64_t amount;
};

struct fifo_case {
	const char *name;
	struct rules_credit_event ev[8];
	size_t n;
	const char *id;
	size_t cap;
	size_t ndraws;
	struct piece want[4];
	int64_t shortfall;
};

static const struct fifo_case cases[] = {
    {"one credit, a smaller use",
     {I("A", "2026-10-01", 2500), D("B", "2026-10-02", 1500)},
     2,
     "B",
     4,
     1,
     {{"A", C(1500)}},
     0},
    {"a use of the whole credit",
     {I("A", "2026-10-01", 2500), D("B", "2026-10-02", 2500)},
     2,
     "B",
     4,
     1,
     {{"A", C(2500)}},
     0},
    {"a use beyond the credit",
     {I("A", "2026-10-01", 2500), D("B", "2026-10-02", 4000)},
     2,
     "B",
     4,
     1,
     {{"A", C(2500)}},
     C(1500)},
    {"no credit at all", {D("B", "2026-10-02", 4000)}, 1, "B", 4, 0, {{0}}, C(4000)},
    {"a use split over two credits",
     {I("A", "2026-10-01", 1000), I("B", "2026-10-02", 3000), D("U", "2026-10-03", 2500)},
     3,
     "U",
     4,
     2,
     {{"A", C(1000)}, {"B", C(1500)}},
     0},
    {"the second use takes what the first left",
     {I("A", "2026-10-01", 1000), I("B", "2026-10-02", 3000), D("U1", "2026-10-03", 600),
      D("U2", "2026-10-04", 1000)},
     4,
     "U2",
     4,
     2,
     {{"A", C(400)}, {"B", C(600)}},
     0},
    {"the first use is not moved by the second",
     {I("A", "2026-10-01", 1000), I("B", "2026-10-02", 3000), D("U1", "2026-10-03", 600),
      D("U2", "2026-10-04", 1000)},
     4,
     "U1",
     4,
     1,
     {{"A", C(600)}},
     0},
    {"a refund draws like a use",
     {I("A", "2026-10-01", 5000), D("U", "2026-10-02", 2000), D("R", "2026-10-03", 3000)},
     3,
     "R",
     4,
     1,
     {{"A", C(3000)}},
     0},
    {"events in any order: sorted by date",
     {D("U", "2026-10-05", 2000), I("B", "2026-10-03", 1000), I("A", "2026-10-01", 1500)},
     3,
     "U",
     4,
     2,
     {{"A", C(1500)}, {"B", C(500)}},
     0},
    {"the same date: ids decide, credit first",
     {D("SC-2", "2026-10-01", 500), I("SC-1", "2026-10-01", 1000)},
     2,
     "SC-2",
     4,
     1,
     {{"SC-1", C(500)}},
     0},
    {"the same date: the credit counts first, whatever the ids",
     {I("SC-2", "2026-10-01", 1000), D("SC-1", "2026-10-01", 500)},
     2,
     "SC-1",
     4,
     1,
     {{"SC-2", C(500)}},
     0},
    {"draws of one date go by id, bytewise: SC-10 before SC-9",
     {I("A", "2026-10-01", 1000), D("SC-9", "2026-10-01", 500), D("SC-10", "2026-10-01", 800)},
     3,
     "SC-9",
     4,
     1,
     {{"A", C(200)}},
     C(300)},
    {"a use before any credit is short",
     {D("U", "2026-10-01", 700), I("A", "2026-10-02", 1000)},
     2,
     "U",
     4,
     0,
     {{0}},
     C(700)},
    {"a short draw does not stop a later credit covering a later use",
     {D("U1", "2026-10-01", 700), I("A", "2026-10-02", 1000), D("U2", "2026-10-03", 300)},
     3,
     "U2",
     4,
     1,
     {{"A", C(300)}},
     0},
    {"after a partly covered draw a later credit covers a later use",
     {I("A", "2026-10-01", 1000), D("U1", "2026-10-02", 1500), I("B", "2026-10-03", 2000),
      D("U2", "2026-10-04", 1000)},
     4,
     "U2",
     4,
     1,
     {{"B", C(1000)}},
     0},
    {"a short draw takes nothing from a credit issued after it",
     {I("A", "2026-10-01", 100), D("U1", "2026-10-02", 300), I("B", "2026-10-03", 500),
      D("U2", "2026-10-04", 600)},
     4,
     "U2",
     4,
     1,
     {{"B", C(500)}},
     C(100)},
    {"the partly covered draw itself",
     {I("A", "2026-10-01", 1000), D("U1", "2026-10-02", 1500), I("B", "2026-10-03", 2000),
      D("U2", "2026-10-04", 1000)},
     4,
     "U1",
     4,
     1,
     {{"A", C(1000)}},
     C(500)},
    {"a credit spent exactly, then the next",
     {I("A", "2026-10-01", 1000), D("U1", "2026-10-02", 1000), I("B", "2026-10-03", 2000),
      D("U2", "2026-10-04", 1500)},
     4,
     "U2",
     4,
     1,
     {{"B", C(1500)}},
     0},
    {"an issued credit is no draw",
     {I("A", "2026-10-01", 1000), D("U", "2026-10-02", 500)},
     2,
     "A",
     4,
     0,
     {{0}},
     0},
    {"an id not among the events",
     {I("A", "2026-10-01", 1000), D("U", "2026-10-02", 500)},
     2,
     "X",
     4,
     0,
     {{0}},
     0},
    {"no events", {{0}}, 0, "U", 4, 0, {{0}}, 0},
    {"more pieces than room: counted, not listed",
     {I("A", "2026-10-01", 100), I("B", "2026-10-02", 100), I("C", "2026-10-03", 100),
      D("U", "2026-10-04", 250)},
     4,
     "U",
     2,
     3,
     {{"A", C(100)}, {"B", C(100)}},
     0},
    {"no room at all",
     {I("A", "2026-10-01", 100), D("U", "2026-10-04", 50)},
     2,
     "U",
     0,
     1,
     {{0}},
     0},
    {"a credit of zero is passed",
     {I("A", "2026-10-01", 0), I("B", "2026-10-02", 500), D("U", "2026-10-03", 300)},
     3,
     "U",
     4,
     1,
     {{"B", C(300)}},
     0},
    {"a use of zero takes nothing",
     {I("A", "2026-10-01", 500), D("U", "2026-10-03", 0)},
     2,
     "U",
     4,
     0,
     {{0}},
     0},
    {"no date sorts first",
     {I("A", "2026-10-01", 500), I("B", "", 300), D("U", "2026-10-03", 400)},
     3,
     "U",
     4,
     2,
     {{"B", C(300)}, {"A", C(100)}},
     0},
    {"three uses share one credit",
     {I("A", "2026-10-01", 900), D("U1", "2026-10-02", 300), D("U2", "2026-10-03", 300),
      D("U3", "2026-10-04", 300)},
     4,
     "U3",
     4,
     1,
     {{"A", C(300)}},
     0},
    {"a fourth use finds the credit spent",
     {I("A", "2026-10-01", 900), D("U1", "2026-10-02", 300), D("U2", "2026-10-03", 300),
      D("U3", "2026-10-04", 300), D("U4", "2026-10-05", 1)},
     5,
     "U4",
     4,
     0,
     {{0}},
     C(1)},
    {"a refund of what the uses left",
     {I("A", "2026-10-01", 2000), D("U", "2026-10-02", 1250), D("R", "2026-10-30", 750)},
     3,
     "R",
     4,
     1,
     {{"A", C(750)}},
     0},
    {"a use across three credits",
     {I("A", "2026-10-01", 100), I("B", "2026-10-02", 200), I("C", "2026-10-03", 300),
      D("U", "2026-10-04", 600)},
     4,
     "U",
     4,
     3,
     {{"A", C(100)}, {"B", C(200)}, {"C", C(300)}},
     0},
    {"a credit of the same day counts, though its id sorts after the use",
     {I("B", "2026-10-02", 500), D("A", "2026-10-02", 200)},
     2,
     "A",
     4,
     1,
     {{"B", C(200)}},
     0},
    {"a credit of the next day does not",
     {I("B", "2026-10-03", 500), D("A", "2026-10-02", 200)},
     2,
     "A",
     4,
     0,
     {{0}},
     C(200)},
    {"cents are exact",
     {I("A", "2026-10-01", 1), D("U", "2026-10-02", 3), I("B", "2026-10-01", 1)},
     3,
     "U",
     4,
     2,
     {{"A", C(1)}, {"B", C(1)}},
     C(1)},
    {"the draw asked about comes before others",
     {I("A", "2026-10-01", 1000), D("U1", "2026-10-02", 400), D("U0", "2026-10-02", 800)},
     3,
     "U0",
     4,
     1,
     {{"A", C(800)}},
     0},
    {"and the one after it",
     {I("A", "2026-10-01", 1000), D("U1", "2026-10-02", 400), D("U0", "2026-10-02", 800)},
     3,
     "U1",
     4,
     1,
     {{"A", C(200)}},
     C(200)},
};

static void test_fifo_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		const struct fifo_case *c = &cases[i];
		struct rules_credit_event ev[8];
		struct rules_credit_draw d[4];
		size_t nd = 99;
		int64_t sf = -1;
		struct bs_error err;
		int rc;

		memcpy(ev, c->ev, sizeof(ev));
		memset(d, 0, sizeof(d));
		bs_error_clear(&err);
		rc = rules_store_credit_fifo(c->n ? ev : NULL, c->n, c->id, c->cap ? d : NULL,
		                             c->cap, &nd, &sf, &err);
		if (rc != BS_OK)
			fail_msg("%zu \"%s\": rc %d (%s)", i, c->name, rc, err.msg);
		if (nd != c->ndraws || sf != c->shortfall)
			fail_msg("%zu \"%s\": %zu pieces short %lld, want %zu short %lld", i,
			         c->name, nd, (long long)sf, c->ndraws, (long long)c->shortfall);
		for (size_t k = 0; k < nd && k < c->cap; k++) {
			const char *got = d[k].issued != NULL ? d[k].issued : "(none)";

			if (strcmp(got, c->want[k].issued) != 0 || d[k].amount != c->want[k].amount)
				fail_msg("%zu \"%s\": piece %zu is %s %lld, want %s %lld", i,
				         c->name, k, got, (long long)d[k].amount, c->want[k].issued,
				         (long long)c->want[k].amount);
		}
	}
}

/* Pieces point at the caller's ids; the events end up in (date, id) order. */
static void test_fifo_pointers_and_order(void **state)
{
	struct rules_credit_event ev[] = {D("U", "2026-10-03", 300), I("B", "2026-10-02", 200),
	                                  I("A", "2026-10-02", 200)};
	const char *b = ev[1].id;
	struct rules_credit_draw d[2];
	size_t nd = 0;
	int64_t sf = 0;

	(void)state;
	assert_int_equal(rules_store_credit_fifo(ev, N(ev), "U", d, N(d), &nd, &sf, NULL), BS_OK);
	assert_int_equal(nd, 2);
	assert_ptr_equal(d[1].issued, b);
	assert_string_equal(ev[0].id, "A");
	assert_string_equal(ev[1].id, "B");
	assert_string_equal(ev[2].id, "U");
}

static void test_fifo_bad_arguments(void **state)
{
	struct rules_credit_event ev[] = {I("A", "2026-10-01", 100), D("U", "2026-10-02", 50)};
	struct rules_credit_event noid[] = {{NULL, "2026-10-01", true, 1}};
	struct rules_credit_event nodate[] = {{"A", NULL, true, 1}};
	struct rules_credit_draw d[1];
	size_t nd = 7;
	int64_t sf = 7;
	struct bs_error err;

	(void)state;
	assert_int_equal(rules_store_credit_fifo(NULL, 2, "U", d, 1, &nd, &sf, &err), BS_EINVAL);
	assert_int_equal(rules_store_credit_fifo(ev, 2, NULL, d, 1, &nd, &sf, &err), BS_EINVAL);
	assert_int_equal(rules_store_credit_fifo(ev, 2, "U", NULL, 1, &nd, &sf, &err), BS_EINVAL);
	assert_int_equal(rules_store_credit_fifo(ev, 2, "U", d, 1, NULL, &sf, &err), BS_EINVAL);
	assert_int_equal(rules_store_credit_fifo(ev, 2, "U", d, 1, &nd, NULL, &err), BS_EINVAL);
	assert_int_equal(rules_store_credit_fifo(noid, 1, "U", d, 1, &nd, &sf, &err), BS_EINVAL);
	assert_int_equal(rules_store_credit_fifo(nodate, 1, "U", d, 1, &nd, &sf, &err), BS_EINVAL);
	assert_string_equal(err.msg, "store credit: an event without id or date");
	assert_int_equal(nd, 7);
	assert_int_equal(sf, 7);
}

/* ---- the oracle: the rule restated, quadratic and obvious ---- */

struct ref_event {
	char id[8];
	char date[11];
	bool issued;
	int64_t amount;
};

/* a comes before b: by date, then id (credits and draws apart) */
static bool ref_before(const struct ref_event *a, const struct ref_event *b)
{
	int c = strcmp(a->date, b->date);

	return c != 0 ? c < 0 : strcmp(a->id, b->id) < 0;
}

/* The draws in (date, id) order; each takes from the credits dated on or
 * before it in (date, id) order, what they still hold. */
static void ref_fifo(struct ref_event *v, size_t n, const char *id, struct piece *sc, size_t *nsc,
                     int64_t *sc_short)
{
	int64_t left[16] = {0};
	bool done[16] = {false};

	*nsc = 0;
	*sc_short = 0;
	for (size_t i = 0; i < n; i++)
		left[i] = v[i].issued ? v[i].amount : 0;
	for (;;) {
		size_t d = n;
		int64_t need;

		for (size_t i = 0; i < n; i++)
			if (!v[i].issued && !done[i] && (d == n || ref_before(&v[i], &v[d])))
				d = i;
		if (d == n)
			return;
		done[d] = true;
		need = v[d].amount;
		for (;;) {
			size_t c = n;

			for (size_t i = 0; i < n; i++)
				if (v[i].issued && left[i] > 0 &&
				    strcmp(v[i].date, v[d].date) <= 0 &&
				    (c == n || ref_before(&v[i], &v[c])))
					c = i;
			if (c == n || need == 0)
				break;
			int64_t take = left[c] < need ? left[c] : need;

			left[c] -= take;
			need -= take;
			if (strcmp(v[d].id, id) == 0 && *nsc < 8) {
				sc[*nsc].issued = v[c].id;
				sc[*nsc].amount = take;
				(*nsc)++;
			}
		}
		if (strcmp(v[d].id, id) == 0) {
			*sc_short = need;
			return;
		}
	}
}

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random customers' events (few dates, so ties are common; small amounts,
 * zero among them), every event asked about, and an id that is none. */
static void test_fifo_against_the_rule_restated(void **state)
{
	uint64_t s = 20261204;
	size_t compared = 0;

	(void)state;
	for (int round = 0; round < 4000; round++) {
		struct ref_event base[12];
		size_t n = next(&s) % 13;

		memset(base, 0, sizeof(base));
		for (size_t i = 0; i < n; i++) {
			snprintf(base[i].id, sizeof(base[i].id), "E%zu", (i * 7) % 13);
			snprintf(base[i].date, sizeof(base[i].date), "2026-10-0%d",
			         (int)(next(&s) % 4) + 1);
			base[i].issued = next(&s) % 2 == 0;
			base[i].amount = C((int64_t)(next(&s) % 6) * 50);
		}
		for (size_t q = 0; q <= n; q++) {
			struct ref_event rv[12];
			struct rules_credit_event ev[12];
			struct piece want[8];
			struct rules_credit_draw got[8];
			const char *id = q < n ? base[q].id : "none";
			size_t nw = 0, ng = 0;
			int64_t sw = 0, sg = 0;

			memcpy(rv, base, sizeof(rv));
			for (size_t i = 0; i < n; i++)
				ev[i] = (struct rules_credit_event){base[i].id, base[i].date,
				                                    base[i].issued, base[i].amount};
			ref_fifo(rv, n, id, want, &nw, &sw);
			assert_int_equal(rules_store_credit_fifo(ev, n, id, got, 8, &ng, &sg, NULL),
			                 BS_OK);
			if (ng > 8)
				ng = 8;
			assert_int_equal(ng, nw);
			assert_int_equal(sg, sw);
			for (size_t k = 0; k < nw; k++) {
				assert_string_equal(got[k].issued, want[k].issued);
				assert_int_equal(got[k].amount, want[k].amount);
			}
			compared++;
		}
	}
	assert_true(compared > 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fifo_table),
	    cmocka_unit_test(test_fifo_pointers_and_order),
	    cmocka_unit_test(test_fifo_bad_arguments),
	    cmocka_unit_test(test_fifo_against_the_rule_restated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
