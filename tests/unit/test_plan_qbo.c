/*
 * test_plan_qbo.c - the planner's purchase rules on a QuickBooks-like ledger
 * (docs/states-and-tabs.md "Purchase orders and bills").
 *
 * A store of purchases planned three ways: with the caps of a ledger whose
 * document numbers hold 21 characters, that cannot bill a posted purchase
 * order and uploads purchase orders only when asked (built here, as the QBO
 * connector declares them); the same with upload_po_as_qbo_po on; and with
 * Xero's caps, whose behaviour must stay as it was.  Each record's state,
 * reason and outbox document are checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "ingest/ingest.h"
#include "ledger/ledger.h"
#include "rules/rules.h"
#include "store/store.h"
#include "sync/plan.h"
#include "tstore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TARGET "qbo:9130"
#define NOW    1790000000000 /* 2026-09-21 */

/* QuickBooks Online as the rules see it (its connector's caps). */
static const struct ledger_caps qbo_caps = {
    .unit_price_dp = 6, /* QBO keeps 7; amounts here are micros (6) */
    .amount_dp = 2,
    .tax_sales = "TAX",
    .tax_purchases = "TAX",
    .tax_none = "NON",
    .doc_number_max = 21,
    .po_billable = false,
    .po_upload_default = false,
    .display_name = "QuickBooks Online",
};

#define BILL(id, sup, inv, ref, extra)                                                             \
	"{\"kind\":\"purchase\",\"id\":\"" id "\",\"reference\":\"" ref                            \
	"\",\"supplier_id\":\"" sup                                                                \
	"\",\"date\":\"2026-10-01\",\"status\":\"billed\",\"supplier_invoice_no\":\"" inv          \
	"\"" extra                                                                                 \
	",\"tax_mode\":\"exclusive\",\"lines\":[{\"description\":\"Stock\",\"qty\":\"2\","         \
	"\"unit_cost\":\"10.00\",\"tax_rate\":\"15\",\"account\":\"630\"}]}\n"
#define DATED ",\"invoice_date\":\"2026-10-02\""
#define OPEN(id, ref, extra)                                                                       \
	"{\"kind\":\"purchase\",\"id\":\"" id "\",\"reference\":\"" ref                            \
	"\",\"supplier_id\":\"S-1\","                                                              \
	"\"date\":\"2026-10-01\",\"status\":\"open\"" extra                                        \
	",\"tax_mode\":\"exclusive\",\"lines\":"                                                   \
	"[{\"description\":\"Stock\",\"qty\":\"1\",\"unit_cost\":\"5.00\",\"tax_rate\":\"15\","    \
	"\"account\":\"630\"}]}\n"

static const char input[] = "{\"kind\":\"supplier\",\"id\":\"S-1\",\"name\":\"Kauri Supplies\"}\n"
                            "{\"kind\":\"supplier\",\"id\":\"S-2\",\"name\":\"Rimu Traders\"}\n"
    /* PA-1 and PA-2 differ after 21 characters, for one supplier */
    BILL("PA-1", "S-1", "INV-2024-0001", "PO-1234", DATED)
        BILL("PA-2", "S-1", "INV-2024-0001", "PO-1299", DATED)
    /* the same as PA-2 for another supplier: no clash */
    BILL("PA-3", "S-2", "INV-2024-0001", "PO-1299", DATED)
    /* unbilled, and dispatched */
    OPEN("PA-4", "PURCHASE-ORDER-2024-000123", "")
        OPEN("PA-5", "PO-5", ",\"dispatch_date\":\"2026-10-03\"")
    /* billed without an invoice date */
    BILL("PA-6", "S-1", "INV-6", "PO-6", "")
    /* billed after it went up as a purchase order (linked below) */
    BILL("PA-7", "S-1", "INV-77", "PO-7", DATED)
    /* a 7% rate the company lacks */
    "{\"kind\":\"purchase\",\"id\":\"PA-8\",\"reference\":\"PO-8\",\"supplier_id\":\"S-1\","
    "\"date\":\"2026-10-01\",\"status\":\"billed\",\"supplier_invoice_no\":\"INV-8\","
    "\"invoice_date\":\"2026-10-02\",\"tax_mode\":\"exclusive\",\"lines\":[{\"description\":"
    "\"Stock\",\"qty\":\"1\",\"unit_cost\":\"10.00\",\"tax_rate\":\"7\",\"account\":\"630\"}]}\n";

#define NRECORDS 10

struct fx {
	char dir[64];
	char db[512];
	struct store *st;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct store_actor who = {"test", NOW};
	struct ingest_opts io = {0};
	struct ingest_stats is = {0};
	struct bs_error err;
	char path[160];
	FILE *fp;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/bs-test-planqbo-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		goto fail;
	tstore_db_path(f->db, sizeof(f->db), f->dir, "t");
	snprintf(path, sizeof(path), "%s/in.jsonl", f->dir);
	if ((fp = fopen(path, "w")) == NULL)
		goto fail;
	fputs(input, fp);
	fclose(fp);
	io.who = &who;
	if (store_open(f->db, STORE_OPEN_CREATE, &f->st, &err) != BS_OK ||
	    ingest_path(f->st, path, &io, &is, &err) != BS_OK || is.added != NRECORDS ||
	    store_target_add(f->st, TARGET, "Company", &who, &err) != BS_OK ||
	    /* the company's tax codes as connect saves them: 15% only */
	    store_setting_set(f->st, "taxrates:" TARGET,
	                      "[{\"code\":\"TAX\",\"name\":\"GST\",\"rate\":\"15\",\"sales\":true,"
	                      "\"purchases\":true,\"active\":true}]",
	                      &err) != BS_OK ||
	    /* PA-7 went up as a purchase order before it was billed */
	    store_link_set(f->st, TARGET, RECORD_PURCHASE, "PA-7", "PurchaseOrder", "101", "PO-7",
	                   NOW, &err) != BS_OK)
		goto fail;
	*state = f;
	return 0;
fail:
	store_close(f->st);
	free(f);
	return -1;
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

static void plan(struct fx *f, const struct ledger_caps *caps, struct plan_stats *s)
{
	struct plan_opts o = {0};
	struct rules_ledger rl;
	struct bs_error err;

	o.target = TARGET;
	o.everything = true;
	o.now_ms = NOW;
	o.ledger_round = MONEY_HALF_AWAY;
	if (caps != NULL) {
		plan_ledger_of(caps, &rl);
		o.ledger = &rl;
	}
	memset(s, 0, sizeof(*s));
	bs_error_clear(&err);
	if (plan_run(f->st, &o, s, &err) != BS_OK)
		fail_msg("plan: %s", err.msg);
}

/* kind:id's state and reason, checked: the reason must hold every part. */
static void expect(struct fx *f, const char *id, enum sync_state want, const char *const *parts)
{
	enum sync_state st;
	struct buf reason;
	struct bs_error err;

	buf_init(&reason, 4096);
	if (store_state_get(f->st, RECORD_PURCHASE, id, TARGET, &st, &reason, &err) != BS_OK)
		fail_msg("%s: %s", id, err.msg);
	if (st != want)
		fail_msg("%s: state %s (%s), want %s", id, sync_state_name(st), buf_cstr(&reason),
		         sync_state_name(want));
	for (size_t i = 0; parts != NULL && parts[i] != NULL; i++) {
		if (strstr(buf_cstr(&reason), parts[i]) == NULL)
			fail_msg("%s: reason \"%s\" lacks \"%s\"", id, buf_cstr(&reason), parts[i]);
	}
	buf_free(&reason);
}

struct find {
	const char *id, *type;
	char op[16];
	char body[4096];
	int n;
};

static int find_cb(void *arg, const struct store_op *op)
{
	struct find *w = arg;

	if (strcmp(op->record_id, w->id) != 0 || strcmp(op->doc_type, w->type) != 0)
		return 0;
	w->n++;
	snprintf(w->op, sizeof(w->op), "%s", op->op);
	snprintf(w->body, sizeof(w->body), "%s", op->body);
	return 0;
}

/* The one outbox document of id of type, holding each part. */
static void expect_doc(struct fx *f, const char *id, const char *type, const char *op,
                       const char *const *parts)
{
	struct find w = {id, type, "", "", 0};
	struct bs_error err;

	assert_int_equal(store_outbox_each(f->st, TARGET, STORE_OP_ANY, NULL, 0, find_cb, &w, &err),
	                 BS_OK);
	if (w.n != 1)
		fail_msg("%s: %d %s documents", id, w.n, type);
	if (strcmp(w.op, op) != 0)
		fail_msg("%s: op %s, want %s", id, w.op, op);
	for (size_t i = 0; parts != NULL && parts[i] != NULL; i++) {
		if (strstr(w.body, parts[i]) == NULL)
			fail_msg("%s: body %s lacks %s", id, w.body, parts[i]);
	}
}

static void expect_no_doc(struct fx *f, const char *id, const char *type)
{
	struct find w = {id, type, "", "", 0};
	struct bs_error err;

	assert_int_equal(store_outbox_each(f->st, TARGET, STORE_OP_ANY, NULL, 0, find_cb, &w, &err),
	                 BS_OK);
	if (w.n != 0)
		fail_msg("%s: a %s document: %s", id, type, w.body);
}

#define P(...) ((const char *const[]){__VA_ARGS__, NULL})

static const char *const manual[] = {
    "uploaded to QuickBooks Online as a purchase order, so it cannot sync as a bill",
    "create the bill by hand in QuickBooks Online and add the purchase order to it", NULL};
static const char *const not_billed[] = {"not billed yet", "upload_po_as_qbo_po", NULL};

static void test_qbo_defaults(void **state)
{
	struct fx *f = *state;
	struct plan_stats s;

	plan(f, &qbo_caps, &s);
	/* PA-1, PA-3, both suppliers */
	assert_int_equal(s.planned, 4);
	assert_int_equal(s.failed, 3); /* PA-2 clash, PA-7 manual, PA-8 tax */
	assert_int_equal(s.waiting, 3);
	/* the number cut to 21, the reference whole */
	expect(f, "PA-1", SYNC_QUEUED, NULL);
	expect_doc(
	    f, "PA-1", "Invoice", "create",
	    P("\"number\":\"INV-2024-0001 / PO-12\"", "\"reference\":\"INV-2024-0001 / PO-1234\""));
	/* the second of a clash fails, naming both, and posts nothing */
	expect(f, "PA-2", SYNC_ERROR,
	       P("\"INV-2024-0001 / PO-1299\"", "\"INV-2024-0001 / PO-12\"", "PA-1",
	         "\"INV-2024-0001 / PO-1234\"", "QuickBooks Online (21 characters)"));
	expect_no_doc(f, "PA-2", "Invoice");
	/* another supplier's bill may have that number */
	expect(f, "PA-3", SYNC_QUEUED, NULL);
	expect_doc(f, "PA-3", "Invoice", "create",
	           P("\"number\":\"INV-2024-0001 / PO-12\"",
	             "\"reference\":\"INV-2024-0001 / PO-1299\"",
	             "\"contact\":\"Contact/supplier:S-2\""));
	/* unbilled orders wait to be billed while the setting is off */
	expect(f, "PA-4", SYNC_WAITING, not_billed);
	expect(f, "PA-5", SYNC_WAITING, not_billed);
	expect_no_doc(f, "PA-4", "PurchaseOrder");
	expect(f, "PA-6", SYNC_WAITING, P("needs an invoice date"));
	/* a purchase order, billed since: by hand, on Errors */
	expect(f, "PA-7", SYNC_ERROR, manual);
	expect_no_doc(f, "PA-7", "Invoice");
	expect_no_doc(f, "PA-7", "PurchaseOrder");
	/* the rate the company lacks: what to do */
	expect(f, "PA-8", SYNC_ERROR,
	       P("no active 7% tax rate usable on purchases", "tax.purchases.7",
	         "add the rate in QuickBooks Online", "booksync connect"));
}

static void test_qbo_po_setting(void **state)
{
	struct fx *f = *state;
	struct plan_stats s;
	struct bs_error err;

	assert_int_equal(store_setting_set(f->st, "upload_po_as_qbo_po", "true", &err), BS_OK);
	plan(f, &qbo_caps, &s);
	/* an unbilled order goes up as a purchase order, its number cut too */
	expect(f, "PA-4", SYNC_QUEUED, NULL);
	expect_doc(f, "PA-4", "PurchaseOrder", "create",
	           P("\"number\":\"PURCHASE-ORDER-2024-0\"",
	             "\"reference\":\"PURCHASE-ORDER-2024-000123\""));
	/* dispatched: no longer unbilled */
	expect(f, "PA-5", SYNC_WAITING,
	       P("no longer uploadable as a purchase order",
	         "invoice date, invoice number and dispatch date must be empty"));
	expect_no_doc(f, "PA-5", "PurchaseOrder");
	/* the setting changes nothing for a billed one */
	expect(f, "PA-7", SYNC_ERROR, manual);
}

/* The clash's first is the one already in the ledger, whatever its id. */
static void test_qbo_clash_ahead(void **state)
{
	struct fx *f = *state;
	struct plan_stats s;
	struct bs_error err;

	assert_int_equal(store_link_set(f->st, TARGET, RECORD_PURCHASE, "PA-2", "Invoice", "202",
	                                "INV-2024-0001 / PO-12", NOW, &err),
	                 BS_OK);
	plan(f, &qbo_caps, &s);
	expect(f, "PA-1", SYNC_ERROR,
	       P("PA-2", "\"INV-2024-0001 / PO-1299\"", "\"INV-2024-0001 / PO-1234\""));
	expect_no_doc(f, "PA-1", "Invoice");
	/* PA-2 updates its own bill */
	expect(f, "PA-2", SYNC_QUEUED, NULL);
	expect_doc(f, "PA-2", "Invoice", "update", P("\"number\":\"INV-2024-0001 / PO-12\""));
}

/* Xero's caps: 255 characters, purchase orders by default and billed from. */
static void test_xero_unchanged(void **state)
{
	struct fx *f = *state;
	struct plan_stats s;
	struct bs_error err;

	/* the setting is QuickBooks Online's: it changes nothing on Xero */
	assert_int_equal(store_setting_set(f->st, "upload_po_as_qbo_po", "false", &err), BS_OK);
	plan(f, ledger_find("xero")->caps, &s);
	expect(f, "PA-1", SYNC_QUEUED, NULL);
	expect_doc(f, "PA-1", "Invoice", "create", P("\"number\":\"INV-2024-0001 / PO-1234\""));
	expect(f, "PA-2", SYNC_QUEUED, NULL);
	expect_doc(f, "PA-2", "Invoice", "create", P("\"number\":\"INV-2024-0001 / PO-1299\""));
	expect(f, "PA-4", SYNC_QUEUED, NULL);
	expect_doc(f, "PA-4", "PurchaseOrder", "create",
	           P("\"number\":\"PURCHASE-ORDER-2024-000123\""));
	expect(f, "PA-5", SYNC_QUEUED, NULL);
	/* the bill, then its purchase order marked billed */
	expect(f, "PA-7", SYNC_QUEUED, NULL);
	expect_doc(f, "PA-7", "Invoice", "create", P("\"number\":\"INV-77 / PO-7\""));
	expect_doc(f, "PA-7", "PurchaseOrder", "status", P("\"status\":\"BILLED\""));
	expect(f, "PA-8", SYNC_ERROR, P("add the rate in Xero"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_qbo_defaults, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_qbo_po_setting, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_qbo_clash_ahead, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_xero_unchanged, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
