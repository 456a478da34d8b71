/*
 * test_contacts_store.c - the contact import's decisions as the store
 * keeps them (store_contacts.h) and a person's decisions on a listed
 * contact (contacts_decide_*, contacts.h): rows written, replaced and
 * listed; bad rows refused; link, create and dismiss applied once each,
 * in one transaction with their event, and refused when they do not
 * apply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tstore.h"

#include "core/error.h"
#include "inbound/contacts.h"
#include "model/sync_state.h"
#include "store/store.h"
#include "store/store_contacts.h"

#include <json-c/json.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW    1700000000000LL
#define TARGET "xero:tenant-1"

struct fx {
	struct tstore t;
};

static void put_record(struct store *st, const char *json)
{
	struct json_object *o = json_tokener_parse(json);
	struct record_ctx ctx = {NULL};
	struct store_actor who = {"test", NOW};
	enum store_put_result res;
	struct bs_error err;
	struct record r;

	record_init(&r);
	assert_non_null(o);
	assert_int_equal(record_from_json(o, &ctx, &r, &err), BS_OK);
	assert_int_equal(store_record_put(st, &r, &who, &res, &err), BS_OK);
	record_release(&r);
	json_object_put(o);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct store_actor who = {"test", NOW};
	struct bs_error err;

	if (f == NULL)
		return -1;
	if (tstore_open(&f->t, "contacts") != 0) {
		free(f);
		return -1;
	}
	if (store_target_add(f->t.st, TARGET, "Demo", &who, &err) != BS_OK)
		return -1;
	/* events are kept only for a receiver (docs/events.md) */
	if (store_setting_set(f->t.st, "events.url", "http://127.0.0.1:9/events", &err) != BS_OK)
		return -1;
	put_record(f->t.st, "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"Delta Foods\"}");
	put_record(f->t.st, "{\"kind\":\"supplier\",\"id\":\"S-1\",\"name\":\"Echo Supplies\"}");
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

static void listed(struct store *st, const char *ledger_id, const char *name, const char *kind,
                   const char *cand)
{
	struct store_contact c;
	struct bs_error err;

	memset(&c, 0, sizeof(c));
	snprintf(c.target, sizeof(c.target), "%s", TARGET);
	snprintf(c.ledger_id, sizeof(c.ledger_id), "%s", ledger_id);
	snprintf(c.side, sizeof(c.side), "both");
	snprintf(c.name, sizeof(c.name), "%s", name);
	snprintf(c.status, sizeof(c.status), STORE_CONTACT_LISTED);
	snprintf(c.record_kind, sizeof(c.record_kind), "%s", kind);
	snprintf(c.record_id, sizeof(c.record_id), "%s", cand);
	snprintf(c.reason, sizeof(c.reason), "near-identical name");
	snprintf(c.decided_by, sizeof(c.decided_by), "inbound");
	assert_int_equal(store_contact_put(st, &c, NOW, &err), BS_OK);
}

struct collect {
	char text[1024];
	size_t n;
};

static int collect_cb(void *arg, const struct store_contact *c)
{
	struct collect *k = arg;
	size_t used = strlen(k->text);

	snprintf(k->text + used, sizeof(k->text) - used, "%s=%s:%s:%s|", c->ledger_id, c->status,
	         c->record_kind, c->record_id);
	k->n++;
	return 0;
}

/* contact.imported events, as another connection sees them */
static int events(struct fx *f)
{
	struct db *db = tstore_side(f->t.path);
	struct db_stmt *q = NULL;
	int n = -1;

	assert_non_null(db);
	assert_int_equal(db_prepare(db,
	                            "SELECT count(*) FROM events"
	                            " WHERE type = 'contact.imported'",
	                            &q),
	                 DB_OK);
	if (db_step(q) == DB_ROW)
		n = db_col_int(q, 0);
	db_finalize(q);
	db_close(db);
	return n;
}

static void test_rows(void **state)
{
	struct fx *f = *state;
	struct store_contact c, got;
	struct collect k = {{0}, 0};
	struct bs_error err;

	listed(f->t.st, "L-2", "Delta Food", "customer", "C-1");
	listed(f->t.st, "L-1", "Echo Suplies", "supplier", "S-1");
	assert_int_equal(store_contact_get(f->t.st, TARGET, "L-2", &got, &err), BS_OK);
	assert_string_equal(got.name, "Delta Food");
	assert_string_equal(got.status, "listed");
	assert_int_equal(got.created_ms, NOW);
	assert_int_equal(store_contact_get(f->t.st, TARGET, "L-9", &got, &err), BS_ENOTFOUND);
	assert_int_equal(store_contact_get(f->t.st, "xero:other", "L-2", &got, &err), BS_ENOTFOUND);

	/* replaced in place; the first created_ms kept */
	c = got;
	snprintf(c.status, sizeof(c.status), STORE_CONTACT_DISMISSED);
	assert_int_equal(store_contact_put(f->t.st, &c, NOW + 5, &err), BS_OK);
	assert_int_equal(store_contact_get(f->t.st, TARGET, "L-2", &got, &err), BS_OK);
	assert_string_equal(got.status, "dismissed");
	assert_int_equal(got.created_ms, NOW);
	assert_int_equal(got.updated_ms, NOW + 5);

	/* listing: by ledger id, filtered by status */
	assert_int_equal(store_contacts_each(f->t.st, TARGET, NULL, collect_cb, &k, &err), BS_OK);
	assert_string_equal(k.text, "L-1=listed:supplier:S-1|L-2=dismissed:customer:C-1|");
	memset(&k, 0, sizeof(k));
	assert_int_equal(store_contacts_each(f->t.st, NULL, "listed", collect_cb, &k, &err), BS_OK);
	assert_int_equal(k.n, 1);

	/* refused before anything is written */
	c.status[0] = '\0';
	assert_int_equal(store_contact_put(f->t.st, &c, NOW, &err), BS_EINVAL);
	snprintf(c.status, sizeof(c.status), "bogus");
	assert_int_equal(store_contact_put(f->t.st, &c, NOW, &err), BS_EINVAL);
	snprintf(c.status, sizeof(c.status), "listed");
	snprintf(c.side, sizeof(c.side), "vendor");
	assert_int_equal(store_contact_put(f->t.st, &c, NOW, &err), BS_EINVAL);
	snprintf(c.side, sizeof(c.side), "both");
	c.ledger_id[0] = '\0';
	assert_int_equal(store_contact_put(f->t.st, &c, NOW, &err), BS_EINVAL);
	assert_int_equal(events(f), 0);
}

static void test_decisions(void **state)
{
	struct fx *f = *state;
	struct store_contact got;
	struct store_link l;
	enum sync_state s;
	struct bs_error err;

	listed(f->t.st, "L-1", "Delta Food", "customer", "C-1");
	listed(f->t.st, "L-2", "Jonathon Smith", "customer", "C-1");
	listed(f->t.st, "L-3", "Echo Suplies", "supplier", "S-1");

	/* link: the record linked and posted, no new record */
	assert_int_equal(
	    contacts_decide_link(f->t.st, TARGET, "L-1", RECORD_CUSTOMER, "C-1", NOW, &err), BS_OK);
	assert_int_equal(
	    store_link_get(f->t.st, TARGET, RECORD_CUSTOMER, "C-1", "Contact", &l, &err), BS_OK);
	assert_string_equal(l.ledger_id, "L-1");
	assert_int_equal(events(f), 1);
	assert_int_equal(store_state_get(f->t.st, RECORD_CUSTOMER, "C-1", TARGET, &s, NULL, &err),
	                 BS_OK);
	assert_int_equal(s, SYNC_IMPORTED);
	assert_int_equal(store_contact_get(f->t.st, TARGET, "L-1", &got, &err), BS_OK);
	assert_string_equal(got.status, "linked");
	assert_string_equal(got.decided_by, "cli");

	/* a record linked already cannot take a second contact; nothing changes */
	assert_int_equal(
	    contacts_decide_link(f->t.st, TARGET, "L-2", RECORD_CUSTOMER, "C-1", NOW, &err),
	    BS_ECONFLICT);
	assert_int_equal(store_contact_get(f->t.st, TARGET, "L-2", &got, &err), BS_OK);
	assert_string_equal(got.status, "listed");
	/* a record that is not there, or not a contact */
	assert_int_equal(
	    contacts_decide_link(f->t.st, TARGET, "L-2", RECORD_CUSTOMER, "C-9", NOW, &err),
	    BS_ENOTFOUND);
	assert_int_equal(
	    contacts_decide_link(f->t.st, TARGET, "L-2", RECORD_SALE, "C-1", NOW, &err), BS_EINVAL);

	/* create: a new customer xero-L-2, linked and posted */
	assert_int_equal(contacts_decide_create(f->t.st, TARGET, "L-2", NOW, &err), BS_OK);
	assert_int_equal(
	    store_link_get(f->t.st, TARGET, RECORD_CUSTOMER, "xero-L-2", "Contact", &l, &err),
	    BS_OK);
	assert_string_equal(l.ledger_id, "L-2");
	assert_int_equal(
	    store_state_get(f->t.st, RECORD_CUSTOMER, "xero-L-2", TARGET, &s, NULL, &err), BS_OK);
	assert_int_equal(s, SYNC_IMPORTED);
	assert_int_equal(store_contact_get(f->t.st, TARGET, "L-2", &got, &err), BS_OK);
	assert_string_equal(got.status, "created");
	assert_string_equal(got.record_id, "xero-L-2");
	assert_int_equal(events(f), 2);

	/* dismiss: kept, nothing made */
	assert_int_equal(contacts_decide_dismiss(f->t.st, TARGET, "L-3", NOW, &err), BS_OK);
	assert_int_equal(store_contact_get(f->t.st, TARGET, "L-3", &got, &err), BS_OK);
	assert_string_equal(got.status, "dismissed");
	assert_int_equal(
	    store_link_get(f->t.st, TARGET, RECORD_SUPPLIER, "S-1", "Contact", &l, &err),
	    BS_ENOTFOUND);

	/* each once */
	assert_int_equal(contacts_decide_dismiss(f->t.st, TARGET, "L-3", NOW, &err), BS_ESTATE);
	assert_non_null(strstr(err.msg, "decided already"));
	assert_int_equal(contacts_decide_create(f->t.st, TARGET, "L-1", NOW, &err), BS_ESTATE);
	assert_int_equal(contacts_decide_create(f->t.st, TARGET, "L-404", NOW, &err), BS_ENOTFOUND);
	assert_int_equal(events(f), 2); /* a dismissal and a refusal have none */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_rows, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_decisions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
