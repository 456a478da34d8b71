/*
 * test_plan_cons.c - consolidation in the planner, on a small store
 * (docs/consolidation.md): a journal over 500 lines written as balanced
 * parts; customer records held back while consolidated documents use one
 * contact; customer credits consolidated as payments and money tasks.
 * Each case builds a store, plans it with a given "today", and reads the
 * records the planner wrote and the states it left.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/jsonr.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "sync/plan.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TARGET "xero:t-1"
#define NOW    1790000000000 /* 2026-09-21 */

struct fx {
	char dir[64];
	struct store *st;
};

/* A store holding `jsonl`, with `settings` ("key=value" pairs, NULL-ended). */
static struct fx *fx_open(const char *jsonl, const char *const *settings)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct store_actor who = {"test", NOW};
	struct ingest_opts io = {0};
	struct ingest_stats is = {0};
	struct bs_error err;
	char path[160], db[160];
	FILE *fp;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/bs-test-plancons-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(db, sizeof(db), "%s/t.db", f->dir);
	snprintf(path, sizeof(path), "%s/in.jsonl", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(jsonl, fp);
	fclose(fp);
	io.who = &who;
	assert_int_equal(store_open(db, STORE_OPEN_CREATE, &f->st, &err), BS_OK);
	if (ingest_path(f->st, path, &io, &is, &err) != BS_OK || is.rejected != 0)
		fail_msg("ingest: %s (%zu rejected)", err.msg, (size_t)is.rejected);
	assert_int_equal(store_target_add(f->st, TARGET, "Org", &who, &err), BS_OK);
	assert_int_equal(store_setting_set(f->st, "consolidation.enabled", "true", &err), BS_OK);
	assert_int_equal(store_setting_set(f->st, "base_currency", "NZD", &err), BS_OK);
	for (size_t i = 0; settings != NULL && settings[i] != NULL; i += 2)
		assert_int_equal(store_setting_set(f->st, settings[i], settings[i + 1], &err),
		                 BS_OK);
	return f;
}

static void fx_close(struct fx *f)
{
	char cmd[160];

	store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
}

static void plan(struct fx *f, const char *today, struct plan_stats *s)
{
	struct plan_opts o = {0};
	struct bs_error err;

	o.target = TARGET;
	o.everything = true;
	o.now_ms = NOW;
	o.today = today;
	o.ledger_round = MONEY_HALF_AWAY;
	memset(s, 0, sizeof(*s));
	if (plan_run(f->st, &o, s, &err) != BS_OK)
		fail_msg("plan: %s", err.msg);
}

/* A record's body as JSON (the caller puts it), NULL when there is none. */
static struct json_object *rec(struct fx *f, enum record_kind k, const char *id)
{
	struct buf b;
	struct json_object *o = NULL;

	buf_init(&b, (size_t)16 << 20);
	if (store_record_get(f->st, k, id, NULL, &b, NULL) == BS_OK)
		o = json_tokener_parse(buf_cstr(&b));
	buf_free(&b);
	return o;
}

static enum sync_state state_of(struct fx *f, enum record_kind k, const char *id)
{
	enum sync_state s = SYNC_NOT_IMPORTED;
	struct bs_error err;

	assert_int_equal(store_state_get(f->st, k, id, TARGET, &s, NULL, &err), BS_OK);
	return s;
}

/* Micros of a decimal field. */
static int64_t dec(struct json_object *o, const char *key)
{
	const char *s = jsonr_str(o, key);
	int64_t v = 0;

	if (s != NULL && money_parse(s, strlen(s), MONEY_DP, &v) != BS_OK)
		fail_msg("%s: '%s' is not a decimal", key, s);
	return v;
}

/* ---- journals over 500 lines ------------------------------------------------- */

/* 520 journals of one day, each between its own account and the bank:
 * 521 accounts, so the consolidated journal goes in two balanced parts. */
static void test_journal_split(void **state)
{
	static const char *const set[] = {"consolidation.journals", "daily", NULL};
	struct buf in;
	struct fx *f;
	struct plan_stats s;
	struct json_object *p1, *p2;
	int64_t clearing = 0, total = 0;
	const char *rounding = "860";

	(void)state;
	buf_init(&in, (size_t)1 << 20);
	for (int i = 1; i <= 520; i++)
		buf_printf(
		    &in,
		    "{\"kind\":\"journal\",\"id\":\"J-%d\",\"date\":\"2026-10-02\",\"lines\":"
		    "[{\"account\":\"A%03d\",\"debit\":\"%d.%02d\"},{\"account\":\"090\","
		    "\"credit\":\"%d.%02d\"}]}\n",
		    i, i, i, i % 100, i, i % 100);
	f = fx_open(buf_cstr(&in), set);
	buf_free(&in);
	plan(f, "2026-10-02", &s);
	assert_int_equal(s.consolidated, 520);
	p1 = rec(f, RECORD_JOURNAL, "JN-2026/10/02-NZD-1");
	p2 = rec(f, RECORD_JOURNAL, "JN-2026/10/02-NZD-2");
	assert_non_null(p1);
	assert_non_null(p2);
	assert_null(rec(f, RECORD_JOURNAL, "JN-2026/10/02-NZD-3"));
	for (int k = 0; k < 2; k++) {
		struct json_object *j = k == 0 ? p1 : p2, *lines, *c;
		int64_t dr = 0, cr = 0;
		size_t n;

		assert_true(json_object_object_get_ex(j, "lines", &lines));
		n = json_object_array_length(lines);
		assert_true(n <= 500);
		assert_int_equal(n, k == 0 ? 500 : 23); /* 499 + carry | carry + 21 + bank */
		for (size_t i = 0; i < n; i++) {
			struct json_object *l = json_object_array_get_idx(lines, i);
			int64_t d = dec(l, "debit"), c2 = dec(l, "credit");

			dr += d;
			cr += c2;
			if (strcmp(jsonr_str(l, "account"), rounding) == 0)
				clearing += d - c2;
			else if (strcmp(jsonr_str(l, "account"), "090") != 0)
				total += d;
		}
		assert_int_equal(dr, cr); /* each part balances */
		assert_true(json_object_object_get_ex(j, "consolidation", &c));
		assert_int_equal(json_object_get_int(json_object_object_get(c, "part")), k + 1);
		assert_int_equal(json_object_get_int(json_object_object_get(c, "parts")), 2);
		assert_int_equal(json_object_object_get_ex(c, "members", NULL), k == 0);
	}
	assert_int_equal(clearing, 0); /* the carries net to zero */
	/* Σ i.ii for i = 1..520: every member's debit is there once */
	{
		int64_t want = 0;

		for (int i = 1; i <= 520; i++)
			want += (int64_t)i * 1000000 + (int64_t)(i % 100) * 10000;
		assert_int_equal(total, want);
	}
	assert_int_equal(state_of(f, RECORD_JOURNAL, "J-1"), SYNC_CONSOLIDATED);
	assert_int_equal(state_of(f, RECORD_JOURNAL, "JN-2026/10/02-NZD-1"), SYNC_QUEUED);
	assert_int_equal(state_of(f, RECORD_JOURNAL, "JN-2026/10/02-NZD-2"), SYNC_QUEUED);
	json_object_put(p1);
	json_object_put(p2);
	fx_close(f);
}

/* ---- customer contacts off --------------------------------------------------- */

/* A table: with sync_customer_contacts false, which customers are planned
 * (queued) and which are held (waiting), by what needs them. */
static void test_customers_held(void **state)
{
	static const char input[] =
	    "{\"kind\":\"customer\",\"id\":\"C-CONS\",\"name\":\"Only consolidated\"}\n"
	    "{\"kind\":\"customer\",\"id\":\"C-IND\",\"name\":\"Has an own sale\"}\n"
	    "{\"kind\":\"customer\",\"id\":\"C-NONE\",\"name\":\"No document\"}\n"
	    "{\"kind\":\"customer\",\"id\":\"C-OFF\",\"name\":\"No-sync channel\"}\n"
	    "{\"kind\":\"supplier\",\"id\":\"S-1\",\"name\":\"Supplier\"}\n"
	    "{\"kind\":\"product\",\"id\":\"P-1\",\"sku\":\"W-1\",\"name\":\"Widget\"}\n"
	    "{\"kind\":\"sale\",\"id\":\"S-C\",\"customer_id\":\"C-CONS\",\"date\":"
	    "\"2026-10-02\",\"invoiced\":true,\"channel\":{\"type\":\"Web\",\"name\":\"A\"},"
	    "\"lines\":[{\"sku\":\"W-1\",\"qty\":\"1\",\"unit_price\":\"10.00\","
	    "\"tax_rate\":\"15\"}]}\n"
	    "{\"kind\":\"sale\",\"id\":\"S-I\",\"customer_id\":\"C-IND\",\"date\":"
	    "\"2026-10-02\",\"invoiced\":true,\"channel\":{\"type\":\"Phone\",\"name\":\"B\"},"
	    "\"lines\":[{\"sku\":\"W-1\",\"qty\":\"1\",\"unit_price\":\"10.00\","
	    "\"tax_rate\":\"15\"}]}\n"
	    "{\"kind\":\"sale\",\"id\":\"S-O\",\"customer_id\":\"C-OFF\",\"date\":"
	    "\"2026-10-02\",\"invoiced\":true,\"channel\":{\"type\":\"POS\",\"name\":\"C\"},"
	    "\"lines\":[{\"sku\":\"W-1\",\"qty\":\"1\",\"unit_price\":\"10.00\","
	    "\"tax_rate\":\"15\"}]}\n";
	static const char *const set[] = {"consolidation.sync_customer_contacts",
	                                  "false",
	                                  "consolidation.channel.*.invoices",
	                                  "daily",
	                                  "consolidation.channel.Phone(B).invoices",
	                                  "individual",
	                                  "consolidation.channel.POS(C).invoices",
	                                  "no-sync",
	                                  NULL};
	static const struct {
		enum record_kind kind;
		const char *id;
		enum sync_state want;
	} t[] = {
	    {RECORD_CUSTOMER, "C-CONS", SYNC_WAITING}, /* its sale consolidated */
	    {RECORD_CUSTOMER, "C-IND", SYNC_QUEUED},   /* its sale posts alone */
	    {RECORD_CUSTOMER, "C-NONE", SYNC_WAITING}, /* nothing needs it */
	    {RECORD_CUSTOMER, "C-OFF", SYNC_WAITING},  /* its sale is skipped */
	    {RECORD_CUSTOMER, "booksync-consolidation", SYNC_QUEUED},
	    {RECORD_SUPPLIER, "S-1", SYNC_QUEUED}, /* supplier contacts always sync */
	    {RECORD_PRODUCT, "P-1", SYNC_QUEUED},  /* and products */
	    {RECORD_SALE, "S-C", SYNC_CONSOLIDATED},
	    {RECORD_SALE, "S-I", SYNC_QUEUED},
	    {RECORD_SALE, "S-O", SYNC_SKIPPED},
	};
	/* by tab as well as everything: the customers tab alone plans none */
	for (int run = 0; run < 2; run++) {
		struct fx *f = fx_open(input, set);
		struct plan_stats s;

		if (run == 1) {
			struct plan_opts o = {0};
			struct bs_error err;

			o.target = TARGET;
			o.tab = "sales/customers";
			o.now_ms = NOW;
			o.today = "2026-10-02";
			o.ledger_round = MONEY_HALF_AWAY;
			memset(&s, 0, sizeof(s));
			assert_int_equal(plan_run(f->st, &o, &s, &err), BS_OK);
			assert_int_equal(s.planned, 0);
			assert_int_equal(state_of(f, RECORD_CUSTOMER, "C-IND"), SYNC_WAITING);
		}
		plan(f, "2026-10-02", &s);
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			enum sync_state got = state_of(f, t[i].kind, t[i].id);

			if (got != t[i].want)
				fail_msg("run %d: %s: state %d, want %d", run, t[i].id, (int)got,
				         (int)t[i].want);
		}
		fx_close(f);
	}
	(void)state;
}

/* ---- customer credits -------------------------------------------------------- */

static void test_credits(void **state)
{
	static const char input[] =
	    "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"Aroha\"}\n"
	    "{\"kind\":\"sale\",\"id\":\"V-1\",\"customer_id\":\"C-1\",\"date\":"
	    "\"2026-10-08\",\"invoiced\":true,\"channel\":{\"type\":\"Web\",\"name\":\"V\"},"
	    "\"lines\":[{\"description\":\"W\",\"qty\":\"1\",\"unit_price\":\"40.00\","
	    "\"tax_rate\":\"15\"}]}\n"
	    "{\"kind\":\"store_credit\",\"id\":\"SC-1\",\"customer_id\":\"C-1\",\"event\":"
	    "\"issued\",\"origin\":\"refund\",\"amount\":\"30.00\",\"date\":\"2026-10-08\"}\n"
	    "{\"kind\":\"store_credit\",\"id\":\"SC-2\",\"customer_id\":\"C-1\",\"event\":"
	    "\"issued\",\"origin\":\"prepayment\",\"amount\":\"20.05\",\"date\":\"2026-10-08\"}\n"
	    "{\"kind\":\"store_credit\",\"id\":\"SC-3\",\"customer_id\":\"C-1\",\"event\":"
	    "\"used\",\"sale_id\":\"V-1\",\"amount\":\"25.00\",\"date\":\"2026-10-08\"}\n"
	    "{\"kind\":\"store_credit\",\"id\":\"SC-5\",\"customer_id\":\"C-1\",\"event\":"
	    "\"issued\",\"origin\":\"other\",\"amount\":\"9.00\",\"date\":\"2026-10-09\"}\n";
	static const char *const set[] = {"consolidation.channel.*.invoices",
	                                  "daily",
	                                  "consolidation.channel.*.payments",
	                                  "daily",
	                                  "consolidation.money_tasks",
	                                  "daily",
	                                  "consolidation.credit_account",
	                                  "825",
	                                  "account.bank",
	                                  "090",
	                                  NULL};
	static const struct {
		const char *id;
		enum sync_state want;
	} t[] = {
	    {"SC-1", SYNC_CONSOLIDATED}, /* into the receive money task */
	    {"SC-2", SYNC_CONSOLIDATED},
	    {"SC-3", SYNC_WAITING}, /* its credits are consolidated in this very run */
	    {"SC-5", SYNC_QUEUED},  /* another origin: a credit note of its own */
	    {"MT-2026/10/08-090-1", SYNC_QUEUED},
	};
	struct fx *f = fx_open(input, set);
	struct plan_stats s;
	struct json_object *mt, *lines, *l;

	(void)state;
	plan(f, "2026-10-09", &s);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum sync_state got = state_of(
		    f, strncmp(t[i].id, "MT-", 3) == 0 ? RECORD_MONEY_TASK : RECORD_STORE_CREDIT,
		    t[i].id);

		if (got != t[i].want)
			fail_msg("%s: state %d, want %d", t[i].id, (int)got, (int)t[i].want);
	}
	mt = rec(f, RECORD_MONEY_TASK, "MT-2026/10/08-090-1");
	assert_non_null(mt);
	assert_string_equal(jsonr_str(mt, "direction"), "receive");
	assert_string_equal(jsonr_str(mt, "bank_account"), "090");
	assert_string_equal(jsonr_str(mt, "tax_mode"), "none");
	assert_true(json_object_object_get_ex(mt, "lines", &lines));
	assert_int_equal(json_object_array_length(lines), 1);
	l = json_object_array_get_idx(lines, 0);
	assert_string_equal(jsonr_str(l, "account"), "825");
	assert_int_equal(dec(l, "amount"), 50050000);
	json_object_put(mt);
	fx_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_journal_split),
	    cmocka_unit_test(test_customers_held),
	    cmocka_unit_test(test_credits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
