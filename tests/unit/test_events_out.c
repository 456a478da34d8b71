/*
 * test_events_out.c - events out and webhooks in, the parts without a
 * network: the retry schedule (table), the signature both ways (vectors
 * from an independent HMAC), the ledgers' envelopes (table), and the
 * store's outbox and inbox operations (due, attempt, dead, re-deliver,
 * a repeated webhook event kept once).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tstore.h"

#include "core/buf.h"
#include "core/error.h"
#include "events/events.h"
#include "events/hooks.h"
#include "store/store.h"
#include "store/store_events.h"
#include "store/store_hooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW 1700000000000LL
#define DAY 86400000LL

/* ---- the retry schedule ------------------------------------------------ */

static void test_backoff_table(void **state)
{
	static const struct {
		int64_t attempts, since, now, unit;
		bool dead;
		int64_t next;
	} cases[] = {
	    /* doubling from 30 s */
	    {1, 0, 0, 60000, false, 30000},
	    {2, 0, 0, 60000, false, 60000},
	    {3, 0, 0, 60000, false, 120000},
	    {4, 0, 0, 60000, false, 240000},
	    {5, 0, 0, 60000, false, 480000},
	    {6, 0, 0, 60000, false, 960000},
	    {7, 0, 0, 60000, false, 1920000},
	    /* capped at an hour */
	    {8, 0, 0, 60000, false, 3600000},
	    {9, 0, 0, 60000, false, 3600000},
	    {20, 0, 0, 60000, false, 3600000},
	    {63, 0, 0, 60000, false, 3600000},
	    {100000, 0, 0, 60000, false, 3600000},
	    /* nonsense attempt counts read as the first */
	    {0, 0, 0, 60000, false, 30000},
	    {-5, 0, 0, 60000, false, 30000},
	    /* from now, not from the round's start */
	    {1, 0, 5000, 60000, false, 35000},
	    {3, 1000, 7000, 60000, false, 127000},
	    {1, NOW, NOW, 60000, false, NOW + 30000},
	    {8, NOW, NOW + 3600000, 60000, false, NOW + 7200000},
	    /* the last retry is at the 24-hour mark, not after it */
	    {8, 0, DAY - 1000, 60000, false, DAY},
	    {1, 0, DAY - 10000, 60000, false, DAY},
	    {1, 0, DAY - 30000, 60000, false, DAY},
	    {1, 0, DAY - 30001, 60000, false, DAY - 1},
	    {1, 0, DAY - 1, 60000, false, DAY},
	    /* a failure at or after the mark: dead */
	    {1, 0, DAY, 60000, true, 0},
	    {30, 0, DAY, 60000, true, 0},
	    {30, 0, DAY + 1, 60000, true, 0},
	    {1, NOW, NOW + DAY, 60000, true, 0},
	    {1, NOW, NOW + 2 * DAY, 60000, true, 0},
	    /* a re-delivered event's round starts at its re-delivery */
	    {1, NOW + DAY, NOW + DAY, 60000, false, NOW + DAY + 30000},
	    /* scaled time (tests): a schedule minute lasts unit ms */
	    {1, 0, 0, 600, false, 300},
	    {2, 0, 0, 600, false, 600},
	    {8, 0, 0, 600, false, 36000},
	    {8, 0, 860000, 600, false, 864000},
	    {1, 0, 864000, 600, true, 0},
	    {1, 0, 0, 60, false, 30},
	    {1, 0, 86400, 60, true, 0},
	    {1, 0, 0, 500, false, 250},
	    {5, 0, 3750, 500, false, 7750},
	    {1, 0, 719999, 500, false, 720000},
	    {1, 0, 720000, 500, true, 0},
	    /* a unit of 0 or less is a real minute */
	    {1, 0, 0, 0, false, 30000},
	    {1, 0, 0, -3, false, 30000},
	    {1, 0, DAY, 0, true, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct events_backoff_in in = {cases[i].attempts, cases[i].since, cases[i].now,
		                               cases[i].unit};
		struct events_backoff_out out = events_backoff(&in);

		if (out.dead != cases[i].dead || (!out.dead && out.next_ms != cases[i].next)) {
			print_error("case %zu: dead %d next %lld, want dead %d next %lld\n", i,
			            out.dead, (long long)out.next_ms, cases[i].dead,
			            (long long)cases[i].next);
			fail();
		}
		/* never earlier than now, never past the round's end */
		if (!out.dead) {
			int64_t unit = cases[i].unit > 0 ? cases[i].unit : 60000;

			assert_true(out.next_ms > cases[i].now);
			assert_true(out.next_ms <= cases[i].since + 1440 * unit);
		}
	}
}

/* ---- signatures ------------------------------------------------------- */

static void test_sign_vectors(void **state)
{
	char sig[EVENTS_SIG_MAX];
	struct bs_error err;
	static const char body[] = "{\"id\":\"evt_1\"}";

	(void)state;
	/* expected values from Python's hmac module */
	assert_int_equal(events_sign("whsec", "1700000000", body, strlen(body), sig, &err), BS_OK);
	assert_string_equal(sig,
	                    "v1=e7e846cdb96220c3674ade89e534304fc91f6f15064facee1e7a7096f5f57f62");
	assert_int_equal(events_sign("whsec", "1700000000", "", 0, sig, &err), BS_OK);
	assert_string_equal(sig,
	                    "v1=ab5fdf6f7cdf5f7abf2f4d61c6b0376dc6bf75beafc17135e5fd06513ee7afd8");
	/* the timestamp is signed: another one, another signature */
	assert_int_equal(events_sign("whsec", "1700000001", body, strlen(body), sig, &err), BS_OK);
	assert_string_not_equal(
	    sig, "v1=e7e846cdb96220c3674ade89e534304fc91f6f15064facee1e7a7096f5f57f62");
	assert_int_equal(events_sign(NULL, "1", body, 1, sig, &err), BS_EINVAL);
	assert_int_equal(events_sign("k", NULL, body, 1, sig, &err), BS_EINVAL);
}

static void test_verify_table(void **state)
{
	static const char intent[] =
	    "{\"events\":[],\"lastEventSequence\":0,\"firstEventSequence\":0,\"entropy\":\"ABC\"}";
	static const char good[] = "UfxkNn73j70W23Rq2kD5Orl0SxkmHVQJ6sbcOyOvui0=";
	static const struct {
		const char *key, *body, *sig;
		bool ok;
	} cases[] = {
	    {"xero-key", intent, good, true},
	    {"xero-key", intent, "UfxkNn73j70W23Rq2kD5Orl0SxkmHVQJ6sbcOyOvui1=", false},
	    {"xero-key", intent, "VfxkNn73j70W23Rq2kD5Orl0SxkmHVQJ6sbcOyOvui0=", false},
	    {"xero-kez", intent, good, false},
	    {"", intent, good, false},
	    {NULL, intent, good, false},
	    {"xero-key", intent, NULL, false},
	    {"xero-key", intent, "", false},
	    {"xero-key", intent, "UfxkNn73j70W23Rq2kD5Orl0SxkmHVQJ6sbcOyOvui0", false},
	    {"xero-key", intent, "UfxkNn73j70W23Rq2kD5Orl0Sxkm", false},
	    {"xero-key", intent, "not base64 at all!", false},
	    {"xero-key", intent, "UfxkNn73j70W23Rq2kD5Orl0SxkmHVQJ6sbcOyOvui0=AAAA", false},
	    {"xero-key",
	     "{\"events\":[],\"lastEventSequence\":0,\"firstEventSequence\":0,"
	     "\"entropy\":\"ABD\"}",
	     good, false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool ok =
		    hooks_verify(cases[i].key, cases[i].body, strlen(cases[i].body), cases[i].sig);

		if (ok != cases[i].ok) {
			print_error("case %zu: %d\n", i, ok);
			fail();
		}
	}
}

/* ---- envelopes -------------------------------------------------------- */

static int collect(void *arg, const struct hooks_event *ev)
{
	struct buf *b = arg;

	buf_addstr(b, ev->target);
	buf_addstr(b, " ");
	buf_addstr(b, ev->category);
	buf_addstr(b, " ");
	buf_addstr(b, ev->resource);
	buf_addstr(b, ev->contact ? " contact [" : " doc [");
	buf_addstr(b, ev->identity);
	buf_addstr(b, "]|");
	return 0;
}

static void test_parse_table(void **state)
{
	static const struct {
		const char *source, *body;
		int rc;
		const char *want;
	} cases[] = {
	    {"xero",
	     "{\"events\":[],\"lastEventSequence\":0,\"firstEventSequence\":0,"
	     "\"entropy\":\"X\"}",
	     BS_OK, ""},
	    {"xero",
	     "{\"events\":[{\"resourceUrl\":\"u\",\"resourceId\":\"inv-1\",\"eventDateUtc\":"
	     "\"2026-01-01T00:00:00\",\"eventType\":\"UPDATE\",\"eventCategory\":\"INVOICE\","
	     "\"tenantId\":\"T1\",\"tenantType\":\"ORGANISATION\"},{\"resourceId\":\"c-1\","
	     "\"eventType\":\"CREATE\",\"eventCategory\":\"CONTACT\",\"tenantId\":\"T2\"}],"
	     "\"firstEventSequence\":1,\"lastEventSequence\":2,\"entropy\":\"E\"}",
	     BS_OK,
	     "xero:T1 INVOICE inv-1 doc [T1|INVOICE|inv-1|UPDATE|2026-01-01T00:00:00]|"
	     "xero:T2 CONTACT c-1 contact [T2|CONTACT|c-1|CREATE|]|"},
	    {"xero", "{\"events\":[{\"resourceId\":\"x\"}]}", BS_EINVAL, ""},
	    {"xero", "{\"events\":[{\"tenantId\":\"x\"}]}", BS_EINVAL, ""},
	    {"xero", "{\"events\":{}}", BS_EINVAL, ""},
	    {"xero", "{}", BS_EINVAL, ""},
	    {"xero", "[]", BS_EINVAL, ""},
	    {"xero", "not json", BS_EINVAL, ""},
	    {"xero", "", BS_EINVAL, ""},
	    {"qbo",
	     "{\"eventNotifications\":[{\"realmId\":\"R1\",\"dataChangeEvent\":{\"entities\":["
	     "{\"name\":\"Payment\",\"id\":\"7\",\"operation\":\"Create\",\"lastUpdated\":\"t1\"},"
	     "{\"name\":\"Customer\",\"id\":\"8\",\"operation\":\"Update\",\"lastUpdated\":\"t2\"}]"
	     "}},"
	     "{\"realmId\":\"R2\",\"dataChangeEvent\":{\"entities\":[{\"name\":\"Vendor\",\"id\":"
	     "\"9\"}]}}]}",
	     BS_OK,
	     "qbo:R1 Payment 7 doc [R1|Payment|7|Create|t1]|"
	     "qbo:R1 Customer 8 contact [R1|Customer|8|Update|t2]|"
	     "qbo:R2 Vendor 9 contact [R2|Vendor|9||]|"},
	    {"qbo", "{\"eventNotifications\":[]}", BS_OK, ""},
	    {"qbo", "{\"eventNotifications\":[{\"dataChangeEvent\":{\"entities\":[]}}]}", BS_EINVAL,
	     ""},
	    {"qbo", "{\"eventNotifications\":[{\"realmId\":\"R\"}]}", BS_EINVAL, ""},
	    {"qbo",
	     "{\"eventNotifications\":[{\"realmId\":\"R\",\"dataChangeEvent\":{\"entities\":[{"
	     "\"id\":\"1\"}]}}]}",
	     BS_EINVAL, ""},
	    {"qbo", "{\"events\":[]}", BS_EINVAL, ""},
	    {"sage", "{\"events\":[]}", BS_EINVAL, ""},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bs_error err;
		struct buf b;
		int rc;

		buf_init(&b, 0);
		buf_addstr(&b, "");
		rc = hooks_parse(cases[i].source, cases[i].body, collect, &b, &err);
		if (rc != cases[i].rc ||
		    (rc == BS_OK && strcmp(buf_cstr(&b), cases[i].want) != 0)) {
			print_error("case %zu: rc %d got '%s'\n", i, rc, buf_cstr(&b));
			fail();
		}
		buf_free(&b);
	}
}

/* ---- the store: outbox and inbox -------------------------------------- */

struct fx {
	struct tstore t;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	if (tstore_open(&f->t, "evout") != 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (tstore_close(&f->t) != 0)
		return -1;
	free(f);
	return 0;
}

/* "id:state:attempts|..." of a walk */
static int ids(void *arg, const struct store_event *e, const char *data)
{
	struct buf *b = arg;
	char line[128];

	(void)data;
	snprintf(line, sizeof(line), "%s:%s:%lld|", e->id, e->state, (long long)e->attempts);
	return buf_addstr(b, line);
}

static const char *due(struct fx *f, int64_t now, struct buf *b)
{
	struct bs_error err;

	buf_reset(b);
	buf_addstr(b, "");
	assert_int_equal(store_events_due(f->t.st, now, 0, ids, b, &err), BS_OK);
	return buf_cstr(b);
}

static void test_outbox_life(void **state)
{
	struct fx *f = *state;
	struct store_event e;
	struct bs_error err;
	struct buf b, data;
	int64_t n = 0;

	buf_init(&b, 0);
	buf_init(&data, 0);
	assert_int_equal(store_event_add(f->t.st, "evt_a", "t.x", "", "{\"a\":1}", NOW, NULL, &err),
	                 BS_OK);
	assert_int_equal(store_event_add(f->t.st, "evt_b", "t.x", "", "{}", NOW + 1, NULL, &err),
	                 BS_OK);
	assert_int_equal(store_event_add(f->t.st, "evt_c", "t.x", "", "{}", NOW + 2, NULL, &err),
	                 BS_OK);
	assert_string_equal(due(f, NOW - 1, &b), "");
	assert_string_equal(due(f, NOW + 2, &b),
	                    "evt_a:pending:0|evt_b:pending:0|evt_c:pending:0|");
	/* a delivered, b to retry later, c dead */
	assert_int_equal(store_event_attempt(f->t.st, "evt_a", "delivered", NOW + 5, 0, "", &err),
	                 BS_OK);
	assert_int_equal(store_event_attempt(f->t.st, "evt_b", "pending", NOW + 5, NOW + 30005,
	                                     "answered 503", &err),
	                 BS_OK);
	assert_int_equal(store_event_attempt(f->t.st, "evt_c", "dead", NOW + 5, 0, "refused", &err),
	                 BS_OK);
	assert_string_equal(due(f, NOW + 30004, &b), "");
	assert_string_equal(due(f, NOW + 30005, &b), "evt_b:pending:1|");
	/* only a pending event takes an attempt */
	assert_int_equal(store_event_attempt(f->t.st, "evt_a", "delivered", NOW, 0, "", &err),
	                 BS_ENOTFOUND);
	assert_int_equal(store_event_attempt(f->t.st, "evt_c", "pending", NOW, 0, "", &err),
	                 BS_ENOTFOUND);
	assert_int_equal(store_event_attempt(f->t.st, "evt_z", "pending", NOW, 0, "", &err),
	                 BS_ENOTFOUND);
	assert_int_equal(store_event_attempt(f->t.st, "evt_b", "lost", NOW, 0, "", &err),
	                 BS_EINVAL);
	assert_int_equal(store_event_get(f->t.st, "evt_a", &e, &data, &err), BS_OK);
	assert_string_equal(e.state, "delivered");
	assert_int_equal(e.delivered_ms, NOW + 5);
	assert_int_equal(e.since_ms, NOW);
	assert_string_equal(buf_cstr(&data), "{\"a\":1}");
	assert_int_equal(store_event_get(f->t.st, "evt_b", &e, NULL, &err), BS_OK);
	assert_string_equal(e.last_error, "answered 503");
	assert_int_equal(store_event_get(f->t.st, "evt_z", &e, NULL, &err), BS_ENOTFOUND);

	/* the lists */
	buf_reset(&b);
	assert_int_equal(store_events_list(f->t.st, "dead", 0, ids, &b, &err), BS_OK);
	assert_string_equal(buf_cstr(&b), "evt_c:dead:1|");
	buf_reset(&b);
	assert_int_equal(store_events_list(f->t.st, NULL, 2, ids, &b, &err), BS_OK);
	assert_string_equal(buf_cstr(&b), "evt_c:dead:1|evt_b:pending:1|");
	assert_int_equal(store_events_list(f->t.st, "gone", 0, ids, &b, &err), BS_EINVAL);

	/* re-delivery: dead only, a new round from now */
	assert_int_equal(store_event_redeliver(f->t.st, "evt_a", NOW + DAY, &n, &err),
	                 BS_ENOTFOUND);
	assert_int_equal(store_event_redeliver(f->t.st, "evt_b", NOW + DAY, &n, &err),
	                 BS_ENOTFOUND);
	assert_int_equal(store_event_redeliver(f->t.st, "evt_c", NOW + DAY, &n, &err), BS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_event_get(f->t.st, "evt_c", &e, NULL, &err), BS_OK);
	assert_string_equal(e.state, "pending");
	assert_int_equal(e.attempts, 0);
	assert_int_equal(e.since_ms, NOW + DAY);
	assert_int_equal(e.next_ms, NOW + DAY);
	assert_string_equal(e.last_error, "");
	/* --all-failed */
	assert_int_equal(store_event_attempt(f->t.st, "evt_b", "dead", NOW, 0, "x", &err), BS_OK);
	assert_int_equal(store_event_attempt(f->t.st, "evt_c", "dead", NOW, 0, "x", &err), BS_OK);
	assert_int_equal(store_event_redeliver(f->t.st, NULL, NOW + 2 * DAY, &n, &err), BS_OK);
	assert_int_equal(n, 2);
	assert_string_equal(due(f, NOW + 2 * DAY, &b), "evt_b:pending:0|evt_c:pending:0|");
	assert_int_equal(store_event_redeliver(f->t.st, NULL, NOW, &n, &err), BS_OK);
	assert_int_equal(n, 0);
	buf_free(&b);
	buf_free(&data);
}

static void test_inbox_keeps_once(void **state)
{
	struct fx *f = *state;
	struct store_hook h = {"xero", "xero:abc", "xero:T1", "INVOICE", "inv-1", "{}"};
	struct bs_error err;
	bool added = false;
	int64_t n = -1;

	assert_int_equal(store_hook_add(f->t.st, &h, NOW, &added, &err), BS_OK);
	assert_true(added);
	assert_int_equal(store_hook_add(f->t.st, &h, NOW + 1, &added, &err), BS_OK);
	assert_false(added);
	h.key = "xero:abd";
	assert_int_equal(store_hook_add(f->t.st, &h, NOW + 2, &added, &err), BS_OK);
	assert_true(added);
	assert_int_equal(store_hooks_count(f->t.st, &n, &err), BS_OK);
	assert_int_equal(n, 2);
	h.key = "";
	assert_int_equal(store_hook_add(f->t.st, &h, NOW, &added, &err), BS_EINVAL);
	h.key = "k";
	h.body = NULL;
	assert_int_equal(store_hook_add(f->t.st, &h, NOW, &added, &err), BS_EINVAL);
	/* a rolled back transaction keeps nothing: the 200 is sent after commit */
	h.body = "{}";
	h.key = "xero:rolled";
	assert_int_equal(store_begin(f->t.st, &err), BS_OK);
	assert_int_equal(store_hook_add(f->t.st, &h, NOW, &added, &err), BS_OK);
	store_rollback(f->t.st);
	assert_int_equal(store_hooks_count(f->t.st, &n, &err), BS_OK);
	assert_int_equal(n, 2);
}

/* The inbox keeps 30 days: an add drops what is older, a few at a time,
 * and an event past the retention is kept again (one more import). */
static void test_inbox_retention(void **state)
{
	struct fx *f = *state;
	struct store_hook h = {"xero", "", "xero:T1", "INVOICE", "inv-1", "{}"};
	struct bs_error err;
	char key[32];
	bool added = false;
	int64_t n = -1;

	for (int i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "xero:old%d", i);
		h.key = key;
		assert_int_equal(store_hook_add(f->t.st, &h, NOW + i, &added, &err), BS_OK);
	}
	h.key = "xero:recent";
	assert_int_equal(store_hook_add(f->t.st, &h, NOW + DAY, &added, &err), BS_OK);
	assert_int_equal(store_hooks_count(f->t.st, &n, &err), BS_OK);
	assert_int_equal(n, 41); /* nothing is 30 days old yet */
	/* 30 days and a bit later: each add drops up to 16 of the old ones */
	h.key = "xero:new1";
	assert_int_equal(store_hook_add(f->t.st, &h, NOW + STORE_HOOK_KEEP_MS + 100, &added, &err),
	                 BS_OK);
	assert_int_equal(store_hooks_count(f->t.st, &n, &err), BS_OK);
	assert_int_equal(n, 42 - 16);
	h.key = "xero:new2";
	assert_int_equal(store_hook_add(f->t.st, &h, NOW + STORE_HOOK_KEEP_MS + 200, &added, &err),
	                 BS_OK);
	h.key = "xero:new3";
	assert_int_equal(store_hook_add(f->t.st, &h, NOW + STORE_HOOK_KEEP_MS + 300, &added, &err),
	                 BS_OK);
	/* the 40 old ones are gone; the recent one (1 day later) and the new stay */
	assert_int_equal(store_hooks_count(f->t.st, &n, &err), BS_OK);
	assert_int_equal(n, 4);
	/* a replay of a dropped event is kept again */
	h.key = "xero:old0";
	assert_int_equal(store_hook_add(f->t.st, &h, NOW + STORE_HOOK_KEEP_MS + 400, &added, &err),
	                 BS_OK);
	assert_true(added);
	/* and one inside the 30 days is still known */
	h.key = "xero:recent";
	assert_int_equal(store_hook_add(f->t.st, &h, NOW + STORE_HOOK_KEEP_MS + 500, &added, &err),
	                 BS_OK);
	assert_false(added);
}

/* No delivery without a secret, and none at all without a url. */
static void test_deliver_needs_secret(void **state)
{
	struct fx *f = *state;
	struct events_run run = {0, 0, 0};
	struct bs_error err;

	assert_int_equal(store_event_add(f->t.st, "evt_a", "t.x", "", "{}", NOW, NULL, &err),
	                 BS_OK);
	/* no url: nothing happens, the event stays pending */
	assert_int_equal(events_deliver_due(f->t.st, NULL, NOW, 60000, 0, &run, &err), BS_OK);
	assert_int_equal(run.delivered + run.retried + run.dead, 0);
	assert_int_equal(store_setting_set(f->t.st, "events.url", "http://127.0.0.1:9/x", &err),
	                 BS_OK);
	assert_int_equal(events_deliver_due(f->t.st, NULL, NOW, 60000, 0, &run, &err), BS_EINVAL);
	assert_non_null(strstr(err.msg, "events.secret"));
	assert_int_equal(run.delivered + run.retried + run.dead, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_backoff_table),
	    cmocka_unit_test(test_sign_vectors),
	    cmocka_unit_test(test_verify_table),
	    cmocka_unit_test(test_parse_table),
	    cmocka_unit_test_setup_teardown(test_outbox_life, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_inbox_keeps_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_inbox_retention, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deliver_needs_secret, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
