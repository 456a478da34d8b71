/*
 * test_inbound_match.c - the pure matcher of inbound payments
 * (src/inbound/inbound.h): one table row per case, a failing row names its
 * index.  Invoices are shared fixtures; each row picks its candidates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "inbound/inbound.h"

#define N(a)  (sizeof(a) / sizeof((a)[0]))
#define M(x)  ((int64_t)(x)*10000) /* cents to micros */
#define APPLY INBOUND_APPLY
#define SKIP  INBOUND_SKIP
#define IGN   INBOUND_IGNORE

/* Invoice fixtures: C1 has INV-A 100.00 and INV-B 250.00 in NZD, INV-U
 * 100.00 in USD, INV-Z (paid: 0 open); C2 has INV-C 100.00; C3 has two
 * at 80.00 (INV-D, INV-E). */
static const struct inbound_invoice inv[] = {
    {"S-A", "INV-A", "C1", "NZD", M(10000)}, /* 0 */
    {"S-B", "INV-B", "C1", "NZD", M(25000)}, /* 1 */
    {"S-U", "INV-U", "C1", "USD", M(10000)}, /* 2 */
    {"S-Z", "INV-Z", "C1", "NZD", 0},        /* 3 */
    {"S-C", "INV-C", "C2", "NZD", M(10000)}, /* 4 */
    {"S-D", "INV-D", "C3", "NZD", M(8000)},  /* 5 */
    {"S-E", "INV-E", "C3", "NZD", M(8000)},  /* 6 */
    {"S-F", "INV-F", "C4", "NZD", M(-500)},  /* 7: overpaid, not open */
    {"S-G", "INV-G", "C5", "NZD", 1},        /* 8: one micro open */
};

struct match_case {
	const char *what;
	const char *customer, *currency, *invoice;
	int64_t amount;
	bool ours, imported, failed, deleted;
	enum inbound_verdict v;
	enum inbound_reason r;
	size_t idx;   /* with APPLY */
	bool applied; /* with imported: it was applied (not skipped) */
};

static const struct match_case cases[] = {
    /* QBO: unapplied, matched by amount */
    {"exact, one of two", "C1", "NZD", "", M(10000), 0, 0, 0, 0, APPLY, INBOUND_R_NONE, 0},
    {"exact, the other", "C1", "NZD", "", M(25000), 0, 0, 0, 0, APPLY, INBOUND_R_NONE, 1},
    {"cent under the only", "C2", "NZD", "", M(9999), 0, 0, 0, 0, SKIP, INBOUND_R_PARTIAL, 0},
    {"cent over the only", "C2", "NZD", "", M(10001), 0, 0, 0, 0, SKIP, INBOUND_R_OVERPAYMENT, 0},
    {"micro under", "C2", "NZD", "", M(10000) - 1, 0, 0, 0, 0, SKIP, INBOUND_R_PARTIAL, 0},
    {"micro over", "C2", "NZD", "", M(10000) + 1, 0, 0, 0, 0, SKIP, INBOUND_R_OVERPAYMENT, 0},
    {"between two balances", "C1", "NZD", "", M(15000), 0, 0, 0, 0, SKIP, INBOUND_R_NO_MATCH, 0},
    {"under both", "C1", "NZD", "", M(5000), 0, 0, 0, 0, SKIP, INBOUND_R_PARTIAL, 0},
    {"over both", "C1", "NZD", "", M(30000), 0, 0, 0, 0, SKIP, INBOUND_R_OVERPAYMENT, 0},
    {"sum of two is not a match", "C1", "NZD", "", M(35000), 0, 0, 0, 0, SKIP,
     INBOUND_R_OVERPAYMENT, 0},
    {"two equal candidates", "C3", "NZD", "", M(8000), 0, 0, 0, 0, SKIP, INBOUND_R_AMBIGUOUS, 0},
    {"two equal, cent off", "C3", "NZD", "", M(7999), 0, 0, 0, 0, SKIP, INBOUND_R_PARTIAL, 0},
    {"other customer's invoice", "C9", "NZD", "", M(10000), 0, 0, 0, 0, SKIP,
     INBOUND_R_NO_OPEN_INVOICE, 0},
    {"unknown customer", "", "NZD", "", M(10000), 0, 0, 0, 0, SKIP, INBOUND_R_UNKNOWN_CUSTOMER, 0},
    {"currency differs, same amount", "C2", "USD", "", M(10000), 0, 0, 0, 0, SKIP,
     INBOUND_R_CURRENCY, 0},
    {"currency picks the USD one", "C1", "USD", "", M(10000), 0, 0, 0, 0, APPLY, INBOUND_R_NONE, 2},
    {"zero, customer with open invoices", "C1", "NZD", "", 0, 0, 0, 0, 0, SKIP,
     INBOUND_R_BAD_AMOUNT, 0},
    {"only an overpaid invoice", "C4", "NZD", "", M(500), 0, 0, 0, 0, SKIP,
     INBOUND_R_NO_OPEN_INVOICE, 0},
    {"one micro open, one micro paid", "C5", "NZD", "", 1, 0, 0, 0, 0, APPLY, INBOUND_R_NONE, 8},
    {"zero amount", "C2", "NZD", "", 0, 0, 0, 0, 0, SKIP, INBOUND_R_BAD_AMOUNT, 0},
    {"negative amount", "C2", "NZD", "", -M(10000), 0, 0, 0, 0, SKIP, INBOUND_R_BAD_AMOUNT, 0},
    {"posted by booksync", "C2", "NZD", "", M(10000), 1, 0, 0, 0, IGN, INBOUND_R_OURS, 0},
    {"already imported", "C2", "NZD", "", M(10000), 0, 1, 0, 0, IGN, INBOUND_R_ALREADY, 0},
    {"failed before: not retried", "C2", "NZD", "", M(10000), 0, 0, 1, 0, IGN,
     INBOUND_R_FAILED_BEFORE, 0},
    {"deleted in the ledger", "C2", "NZD", "", M(10000), 0, 0, 0, 1, IGN, INBOUND_R_DELETED, 0},
    {"ours wins over failed", "C2", "NZD", "", M(10000), 1, 0, 1, 0, IGN, INBOUND_R_OURS, 0},
    {"imported wins over deleted", "C2", "NZD", "", M(10000), 0, 1, 0, 1, IGN, INBOUND_R_ALREADY,
     0},
    {"ours with a bad amount", "C2", "NZD", "", 0, 1, 0, 0, 0, IGN, INBOUND_R_OURS, 0},
    /* applied before: reversed once the ledger deletes it, never otherwise */
    {"applied, then deleted: reverse", "C2", "NZD", "", M(10000), 0, 1, 0, 1, INBOUND_REVERSE,
     INBOUND_R_DELETED, 0, 1},
    {"applied, still there", "C2", "NZD", "", M(10000), 0, 1, 0, 0, IGN, INBOUND_R_ALREADY, 0, 1},
    {"skipped or reversed, then deleted", "C2", "NZD", "", M(10000), 0, 1, 0, 1, IGN,
     INBOUND_R_ALREADY, 0, 0},
    {"ours, applied and deleted", "C2", "NZD", "", M(10000), 1, 1, 0, 1, IGN, INBOUND_R_OURS, 0, 1},
    {"applied, deleted, unknown customer now", "", "NZD", "", M(10000), 0, 1, 0, 1, INBOUND_REVERSE,
     INBOUND_R_DELETED, 0, 1},
    {"unknown customer, bad amount", "", "NZD", "", -1, 0, 0, 0, 0, SKIP, INBOUND_R_BAD_AMOUNT, 0},
    /* Xero: the payment names its invoice */
    {"named, exact", "C1", "NZD", "INV-A", M(10000), 0, 0, 0, 0, APPLY, INBOUND_R_NONE, 0},
    {"named other, exact", "C1", "NZD", "INV-B", M(25000), 0, 0, 0, 0, APPLY, INBOUND_R_NONE, 1},
    {"named, cent under", "C1", "NZD", "INV-A", M(9999), 0, 0, 0, 0, SKIP, INBOUND_R_PARTIAL, 0},
    {"named, cent over", "C1", "NZD", "INV-A", M(10001), 0, 0, 0, 0, SKIP, INBOUND_R_OVERPAYMENT,
     0},
    {"named, but matches the other", "C1", "NZD", "INV-B", M(10000), 0, 0, 0, 0, SKIP,
     INBOUND_R_PARTIAL, 0},
    {"named, over the named", "C1", "NZD", "INV-A", M(25000), 0, 0, 0, 0, SKIP,
     INBOUND_R_OVERPAYMENT, 0},
    {"named one of two equal", "C3", "NZD", "INV-D", M(8000), 0, 0, 0, 0, SKIP, INBOUND_R_AMBIGUOUS,
     0},
    {"named, not booksync's", "C1", "NZD", "INV-X", M(10000), 0, 0, 0, 0, SKIP,
     INBOUND_R_NOT_OURS_INVOICE, 0},
    {"named, already paid", "C1", "NZD", "INV-Z", M(10000), 0, 0, 0, 0, SKIP,
     INBOUND_R_NOT_OURS_INVOICE, 0},
    {"named, another customer's", "C1", "NZD", "INV-C", M(10000), 0, 0, 0, 0, SKIP,
     INBOUND_R_NOT_OURS_INVOICE, 0},
    {"named, no open invoice at all", "C9", "NZD", "INV-A", M(10000), 0, 0, 0, 0, SKIP,
     INBOUND_R_NOT_OURS_INVOICE, 0},
    {"named, its currency differs", "C1", "NZD", "INV-U", M(10000), 0, 0, 0, 0, SKIP,
     INBOUND_R_CURRENCY, 0},
    {"named USD, exact", "C1", "USD", "INV-U", M(10000), 0, 0, 0, 0, APPLY, INBOUND_R_NONE, 2},
    {"named, unknown customer", "", "NZD", "INV-A", M(10000), 0, 0, 0, 0, SKIP,
     INBOUND_R_UNKNOWN_CUSTOMER, 0},
    {"named, ours", "C1", "NZD", "INV-A", M(10000), 1, 0, 0, 0, IGN, INBOUND_R_OURS, 0},
    {"named, imported", "C1", "NZD", "INV-A", M(10000), 0, 1, 0, 0, IGN, INBOUND_R_ALREADY, 0},
    {"named, failed before", "C1", "NZD", "INV-A", M(10000), 0, 0, 1, 0, IGN,
     INBOUND_R_FAILED_BEFORE, 0},
    {"named, zero", "C1", "NZD", "INV-A", 0, 0, 0, 0, 0, SKIP, INBOUND_R_BAD_AMOUNT, 0},
    {"named, micro open", "C5", "NZD", "INV-G", 1, 0, 0, 0, 0, APPLY, INBOUND_R_NONE, 8},
};

static void test_match_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		const struct match_case *c = &cases[i];
		struct inbound_payment p = {
		    .ledger_id = "P-1",
		    .customer = c->customer,
		    .currency = c->currency,
		    .amount = c->amount,
		    .invoice_id = c->invoice,
		    .ours = c->ours,
		    .imported = c->imported,
		    .failed_before = c->failed,
		    .deleted = c->deleted,
		    .applied_before = c->applied,
		};
		struct inbound_decision d = {IGN, INBOUND_R_COUNT, 99};

		inbound_match(&p, inv, N(inv), &d);
		if (d.verdict != c->v || d.reason != c->r || (c->v == APPLY && d.invoice != c->idx))
			fail_msg(
			    "case %zu (%s): got verdict %d reason '%s' invoice %zu; want %d '%s' "
			    "%zu",
			    i, c->what, (int)d.verdict, inbound_reason_name(d.reason), d.invoice,
			    (int)c->v, inbound_reason_name(c->r), c->idx);
	}
}

/* No candidates at all, and the names of the reasons. */
static void test_match_edges(void **state)
{
	struct inbound_payment p = {"P", "C1", "NZD", M(1), "", false, false, false, false};
	struct inbound_decision d;

	(void)state;
	inbound_match(&p, NULL, 0, &d);
	assert_int_equal(d.verdict, SKIP);
	assert_int_equal(d.reason, INBOUND_R_NO_OPEN_INVOICE);
	for (int r = INBOUND_R_OURS; r < INBOUND_R_COUNT; r++)
		assert_true(inbound_reason_name((enum inbound_reason)r)[0] != '\0');
	assert_string_equal(inbound_reason_name(INBOUND_R_COUNT), "?");
	assert_string_equal(inbound_reason_name(INBOUND_R_AMBIGUOUS), "ambiguous");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_match_table),
	    cmocka_unit_test(test_match_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
