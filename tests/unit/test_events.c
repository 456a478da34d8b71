/*
 * test_events.c - adding events for the source system (events_emit,
 * store_event_add): an event lives and dies with the transaction it was
 * added in, gets a fresh random id of the documented shape, is due at
 * once, and bad input is refused before anything is written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tstore.h"

#include "core/error.h"
#include "events/events.h"
#include "store/store.h"
#include "store/store_events.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW 1700000000000LL

struct fx {
	struct tstore t;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct bs_error err;

	if (f == NULL)
		return -1;
	if (tstore_open(&f->t, "events") != 0 ||
	    store_setting_set(f->t.st, "events.url", "http://127.0.0.1:9/e", &err) != BS_OK) {
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

/* The events table as another connection sees it: "id type target state next data|...". */
static void rows(struct fx *f, char *out, size_t cap)
{
	struct db *db = tstore_side(f->t.path);
	struct db_stmt *q = NULL;
	size_t n = 0;

	out[0] = '\0';
	assert_non_null(db);
	assert_int_equal(db_prepare(db,
	                            "SELECT id, type, target, state, next_ms - created_ms,"
	                            " data FROM events ORDER BY seq",
	                            &q),
	                 DB_OK);
	while (db_step(q) == DB_ROW && n < cap)
		n += (size_t)snprintf(out + n, cap - n, "%s %s %s %s %lld %s|", db_col_text(q, 0),
		                      db_col_text(q, 1), db_col_text(q, 2), db_col_text(q, 3),
		                      (long long)db_col_int64(q, 4), db_col_text(q, 5));
	db_finalize(q);
	db_close(db);
}

static void test_emit_commits(void **state)
{
	struct fx *f = *state;
	struct bs_error err;
	char id[STORE_EVENT_ID_MAX], id2[STORE_EVENT_ID_MAX], got[1024], want[1024];

	assert_int_equal(events_emit(f->t.st, EVENTS_PAYMENT_APPLIED, "xero:t-1",
	                             "{\"payment\":\"P-1\"}", NOW, id, &err),
	                 BS_OK);
	assert_int_equal(strlen(id), 36);
	assert_memory_equal(id, "evt_", 4);
	for (size_t i = 4; i < 36; i++)
		assert_non_null(strchr("0123456789abcdef", id[i]));
	assert_int_equal(
	    events_emit(f->t.st, EVENTS_CONTACT_IMPORTED, NULL, NULL, NOW + 1, id2, &err), BS_OK);
	assert_string_not_equal(id, id2);
	rows(f, got, sizeof(got));
	snprintf(want, sizeof(want),
	         "%s payment.applied xero:t-1 pending 0 {\"payment\":\"P-1\"}|"
	         "%s contact.imported  pending 0 {}|",
	         id, id2);
	assert_string_equal(got, want);
}

static void test_emit_rolls_back_with_its_transaction(void **state)
{
	struct fx *f = *state;
	struct bs_error err;
	char got[256];

	assert_int_equal(store_begin(f->t.st, &err), BS_OK);
	assert_int_equal(events_emit(f->t.st, EVENTS_DOCUMENT_POSTED, "t", "{}", NOW, NULL, &err),
	                 BS_OK);
	store_rollback(f->t.st);
	rows(f, got, sizeof(got));
	assert_string_equal(got, "");

	assert_int_equal(store_begin(f->t.st, &err), BS_OK);
	assert_int_equal(events_emit(f->t.st, EVENTS_DOCUMENT_FAILED, "t", "{}", NOW, NULL, &err),
	                 BS_OK);
	assert_int_equal(store_commit(f->t.st, &err), BS_OK);
	rows(f, got, sizeof(got));
	assert_non_null(strstr(got, " document.failed t pending 0 {}|"));
}

static void test_refused(void **state)
{
	struct fx *f = *state;
	struct bs_error err;
	char got[64], longtype[64];
	static const char *const bad_data[] = {"[]", "1", "\"x\"", "{", "nul", ""};

	for (size_t i = 0; i < sizeof(bad_data) / sizeof(bad_data[0]); i++)
		assert_int_equal(events_emit(f->t.st, "t.x", "", bad_data[i], NOW, NULL, &err),
		                 BS_EINVAL);
	assert_int_equal(events_emit(f->t.st, "", "", "{}", NOW, NULL, &err), BS_EINVAL);
	memset(longtype, 'a', sizeof(longtype) - 1);
	longtype[sizeof(longtype) - 1] = '\0';
	assert_int_equal(events_emit(f->t.st, longtype, "", "{}", NOW, NULL, &err), BS_EINVAL);
	assert_int_equal(store_event_add(f->t.st, "", "t.x", "", "{}", NOW, NULL, &err), BS_EINVAL);
	assert_int_equal(store_event_add(f->t.st, "evt_1", "t.x", "", "{}", NOW, NULL, &err),
	                 BS_OK);
	assert_int_equal(store_event_add(f->t.st, "evt_1", "t.x", "", "{}", NOW, NULL, &err),
	                 BS_ECONFLICT);
	rows(f, got, sizeof(got));
	assert_string_equal(got, "evt_1 t.x  pending 0 {}|");
}

/* Without events.url nothing is kept, whoever emits: no outbox grows for
 * a user who takes no events. */
static void test_no_url_no_event(void **state)
{
	struct fx *f = *state;
	struct bs_error err;
	char id[STORE_EVENT_ID_MAX] = "x", got[64];

	assert_int_equal(store_setting_set(f->t.st, "events.url", "", &err), BS_OK);
	assert_int_equal(events_emit(f->t.st, EVENTS_DOCUMENT_POSTED, "t", "{}", NOW, id, &err),
	                 BS_OK);
	assert_string_equal(id, "");
	rows(f, got, sizeof(got));
	assert_string_equal(got, "");
	/* bad data is still refused: the caller's bug shows either way */
	assert_int_equal(events_emit(f->t.st, EVENTS_DOCUMENT_POSTED, "t", "[]", NOW, id, &err),
	                 BS_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_emit_commits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_emit_rolls_back_with_its_transaction, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_url_no_event, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
