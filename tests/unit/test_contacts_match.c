/*
 * test_contacts_match.c - the contact import's matcher (src/inbound/
 * contacts.h): name normalisation, "near-identical" names (with the false
 * friends that must not match) and the decision for one ledger contact
 * against booksync's customers and suppliers, as tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "inbound/contacts.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *in, *want;
} norm_cases[] = {
    {"Acme Ltd", "acme"},
    {"ACME LIMITED", "acme"},
    {"Acme Pty Ltd", "acme"},
    {"Acme Pty. Ltd.", "acme"},
    {"  Acme   Widgets  ", "acme widgets"},
    {"The Acme Company", "acme"},
    {"Smith & Sons", "smith and sons"},
    {"Smith and Sons Inc.", "smith and sons"},
    {"O'Brien Plumbing", "o brien plumbing"},
    {"Ltd", "ltd"},
    {"The", "the"},
    {"Limited Editions Ltd", "limited editions"},
    {"Co-op Foods Co", "co op foods"},
    {"Müller GmbH", "müller"},
    {"", ""},
    {"---", ""},
    {"Store 1", "store 1"},
    {"Widgets (NZ) Limited", "widgets"},
    {"Inc Corp LLC", "inc corp llc"},
    {"Theatre Supplies", "theatre supplies"},
};

static void test_norm(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
		char out[CONTACTS_NAME_MAX];

		contacts_norm_name(norm_cases[i].in, out, sizeof(out));
		if (strcmp(out, norm_cases[i].want) != 0)
			fail_msg("norm(\"%s\") = \"%s\", want \"%s\"", norm_cases[i].in, out,
			         norm_cases[i].want);
	}
}

static void test_norm_small_buffer(void **state)
{
	char out[5];

	(void)state;
	contacts_norm_name("Acme Widgets", out, sizeof(out));
	assert_true(strlen(out) < sizeof(out));
}

static const struct {
	const char *a, *b;
	bool near;
} near_cases[] = {
    {"acme widgets", "acme widget", true},      /* a deleted letter */
    {"acme widget", "acme widgets", true},      /* an inserted letter */
    {"jonathan smith", "jonathon smith", true}, /* a substitution */
    {"acme widgets", "acme wdigets", true},     /* neighbours swapped */
    {"northwind", "nortwind", true},
    {"acme widgets", "acme widgets", false}, /* equal: a link, not near */
    {"store 1", "store 2", false},           /* false friend: a digit */
    {"store 12", "store 1", false},          /* a digit dropped */
    {"unit 10a", "unit 100a", false},
    {"acme", "acne", false}, /* too short to judge */
    {"abcd", "abce", false},
    {"acme widgets", "acme gadgets", false}, /* several edits */
    {"smith", "smyth", true},
    {"john smith", "jane smith", false},
    {"acme widgets", "acmewidgets", false}, /* a space is a word boundary */
    {"blue sky", "blue skies", false},
    {"alpha trading", "alpha tradings", true},
    {"alpha trading", "beta trading", false},
    {"aaaaa", "aaaaaaa", false}, /* two apart */
    {"", "", false},
    {"acme widgets", "", false},
    {"2020 vision", "2021 vision", false},
    {"müller foods", "muller foods", false}, /* two bytes apart in UTF-8 */
    {"acme widgets", "acme widgetz", true},
};

static void test_near(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(near_cases) / sizeof(near_cases[0]); i++) {
		bool got = contacts_near_name(near_cases[i].a, near_cases[i].b);

		if (got != near_cases[i].near)
			fail_msg("near(\"%s\", \"%s\") = %d, want %d", near_cases[i].a,
			         near_cases[i].b, got, near_cases[i].near);
		if (contacts_near_name(near_cases[i].b, near_cases[i].a) != got)
			fail_msg("near is not symmetric for \"%s\", \"%s\"", near_cases[i].a,
			         near_cases[i].b);
	}
}

#define C RECORD_CUSTOMER
#define S RECORD_SUPPLIER

/* booksync's side for the decision table */
static const struct contacts_party ours[] = {
    /* 0 */ {"C-1", C, false, "Acme Widgets Ltd", "accounts@acme.test", "12-345-678"},
    /* 1 */ {"C-2", C, false, "Brown & Co", "orders@brown.test", NULL},
    /* 2 */ {"C-3", C, false, "Shared Mail One", "office@shared.test", NULL},
    /* 3 */ {"C-4", C, false, "Shared Mail Two", "office@shared.test", NULL},
    /* 4 */ {"S-1", S, false, "Northwind Traders", "ap@northwind.test", "GB123"},
    /* 5 */ {"C-5", C, false, "Twin Name", NULL, NULL},
    /* 6 */ {"C-6", C, false, "Twin Name Ltd", NULL, NULL},
    /* 7 */ {"C-7", C, false, "Store 1", NULL, NULL},
    /* 8 */ {"C-8", C, false, "Taxed Co Ltd", NULL, "999"},
    /* 9 */ {"S-2", S, false, "Supplier Only", "so@sup.test", NULL},
    /* 10 */ {"C-9", C, false, "Jonathan Smith", NULL, NULL},
    /* 11 */ {"C-10", C, false, "Dup Tax A", NULL, "777"},
    /* 12 */ {"C-11", C, false, "Dup Tax B", NULL, "7-7-7"},
};

static const struct {
	const char *what;
	struct contacts_party c;
	enum contacts_action action;
	enum contacts_why why;
	size_t candidate;
} match_cases[] = {
    {"nothing like it",
     {"L1", C, true, "Brand New Shop", "new@shop.test", NULL},
     CONTACTS_NEW,
     CONTACTS_WHY_NONE,
     0},
    {"tax number, other formatting",
     {"L2", C, true, "Totally Different", NULL, "12 345 678"},
     CONTACTS_LINK,
     CONTACTS_WHY_TAX_NUMBER,
     0},
    {"tax number wins over name",
     {"L3", C, true, "Brown & Co", NULL, "12345678"},
     CONTACTS_LINK,
     CONTACTS_WHY_TAX_NUMBER,
     0},
    {"e-mail, other case",
     {"L4", C, true, "Brown Trading", "ORDERS@Brown.test ", NULL},
     CONTACTS_LINK,
     CONTACTS_WHY_EMAIL,
     1},
    {"name with suffix",
     {"L5", C, true, "ACME WIDGETS LIMITED", NULL, NULL},
     CONTACTS_LINK,
     CONTACTS_WHY_NAME,
     0},
    {"name and with ampersand",
     {"L6", C, true, "Brown and Company", NULL, NULL},
     CONTACTS_LINK,
     CONTACTS_WHY_NAME,
     1},
    {"shared e-mail lists",
     {"L7", C, true, "Someone", "office@shared.test", NULL},
     CONTACTS_DUPLICATE,
     CONTACTS_WHY_SHARED_EMAIL,
     2},
    {"supplier side, Xero contact",
     {"L8", C, true, "Northwind Traders", NULL, NULL},
     CONTACTS_LINK,
     CONTACTS_WHY_NAME,
     4},
    {"vendor matches suppliers only",
     {"L9", S, false, "Acme Widgets", NULL, NULL},
     CONTACTS_NEW,
     CONTACTS_WHY_NONE,
     0},
    {"customer does not match a supplier",
     {"L10", C, false, "Northwind Traders", NULL, NULL},
     CONTACTS_NEW,
     CONTACTS_WHY_NONE,
     0},
    {"vendor by e-mail",
     {"L11", S, false, "SO", "so@sup.test", NULL},
     CONTACTS_LINK,
     CONTACTS_WHY_EMAIL,
     9},
    {"same normalised name twice lists",
     {"L12", C, true, "Twin Name Inc", NULL, NULL},
     CONTACTS_DUPLICATE,
     CONTACTS_WHY_SHARED_NAME,
     5},
    {"near-identical name lists",
     {"L13", C, true, "Acme Widget", NULL, NULL},
     CONTACTS_DUPLICATE,
     CONTACTS_WHY_NEAR_NAME,
     0},
    {"near name, swapped letters",
     {"L14", C, true, "Nortwhind Traders", NULL, NULL},
     CONTACTS_DUPLICATE,
     CONTACTS_WHY_NEAR_NAME,
     4},
    {"false friend: Store 2",
     {"L15", C, true, "Store 2", NULL, NULL},
     CONTACTS_NEW,
     CONTACTS_WHY_NONE,
     0},
    {"same name, other tax number",
     {"L16", C, true, "Taxed Co", NULL, "111"},
     CONTACTS_DUPLICATE,
     CONTACTS_WHY_TAX_CONFLICT,
     8},
    {"same name, same tax number",
     {"L17", C, true, "Taxed Co", NULL, "9 9 9"},
     CONTACTS_LINK,
     CONTACTS_WHY_TAX_NUMBER,
     8},
    {"same name, no tax number",
     {"L18", C, true, "Taxed", NULL, NULL},
     CONTACTS_LINK,
     CONTACTS_WHY_NAME,
     8},
    {"same e-mail, other tax number",
     {"L19", C, true, "Acme Again", "accounts@acme.test", "55"},
     CONTACTS_DUPLICATE,
     CONTACTS_WHY_TAX_CONFLICT,
     0},
    {"tax number held twice",
     {"L20", C, true, "Whoever", NULL, "777"},
     CONTACTS_DUPLICATE,
     CONTACTS_WHY_SHARED_TAX,
     11},
    {"near name, one letter",
     {"L21", C, true, "Jonathon Smith", NULL, NULL},
     CONTACTS_DUPLICATE,
     CONTACTS_WHY_NEAR_NAME,
     10},
    {"false friend: other first name",
     {"L22", C, true, "Jane Smith", NULL, NULL},
     CONTACTS_NEW,
     CONTACTS_WHY_NONE,
     0},
    {"empty name, no keys", {"L23", C, true, "", NULL, NULL}, CONTACTS_NEW, CONTACTS_WHY_NONE, 0},
    {"empty e-mail is no key",
     {"L24", C, true, "Another One", "", NULL},
     CONTACTS_NEW,
     CONTACTS_WHY_NONE,
     0},
    {"other tax number, other name",
     {"L25", C, true, "Fresh Ltd", NULL, "12-345-679"},
     CONTACTS_NEW,
     CONTACTS_WHY_NONE,
     0},
    {"false friend: different domain",
     {"L26", C, true, "Zed", "orders@brown.example", NULL},
     CONTACTS_NEW,
     CONTACTS_WHY_NONE,
     0},
    {"false friend: store 12",
     {"L27", C, true, "Store 12", NULL, NULL},
     CONTACTS_NEW,
     CONTACTS_WHY_NONE,
     0},
};

static void test_match(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		struct contacts_decision d;

		contacts_match(&match_cases[i].c, ours, sizeof(ours) / sizeof(ours[0]), &d);
		if (d.action != match_cases[i].action || d.why != match_cases[i].why ||
		    (d.action != CONTACTS_NEW && d.candidate != match_cases[i].candidate))
			fail_msg("%s: got action %d why %d (%s) candidate %zu; want %d %d %zu",
			         match_cases[i].what, d.action, d.why, contacts_why_text(d.why),
			         d.candidate, match_cases[i].action, match_cases[i].why,
			         match_cases[i].candidate);
	}
}

/* The same table with booksync's names and tax numbers normalised once,
 * as the run passes them: the same decisions. */
static void test_match_precomputed(void **state)
{
	enum { N = sizeof(ours) / sizeof(ours[0]) };
	struct contacts_party pre[N];
	char names[N][CONTACTS_NAME_MAX], taxes[N][64];

	(void)state;
	for (size_t i = 0; i < N; i++) {
		pre[i] = ours[i];
		contacts_norm_name(ours[i].name, names[i], sizeof(names[i]));
		contacts_norm_tax(ours[i].tax_number, taxes[i], sizeof(taxes[i]));
		pre[i].norm_name = names[i];
		pre[i].norm_tax = taxes[i];
	}
	for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		struct contacts_decision a, b;

		contacts_match(&match_cases[i].c, ours, N, &a);
		contacts_match(&match_cases[i].c, pre, N, &b);
		if (a.action != b.action || a.why != b.why || a.candidate != b.candidate)
			fail_msg("%s: precomputed decides otherwise", match_cases[i].what);
	}
}

static const struct {
	const char *in, *want;
} tax_cases[] = {
    {"12-345-678", "12345678"}, {"gb 123.456", "GB123456"}, {"", ""}, {NULL, ""}, {" \t-.", ""},
    {"ab-CD", "ABCD"},
};

static void test_norm_tax(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(tax_cases) / sizeof(tax_cases[0]); i++) {
		char out[64];

		contacts_norm_tax(tax_cases[i].in, out, sizeof(out));
		assert_string_equal(out, tax_cases[i].want);
	}
}

static void test_match_no_parties(void **state)
{
	struct contacts_party c = {"L", C, true, "Acme", "a@b.test", "1"};
	struct contacts_decision d;

	(void)state;
	contacts_match(&c, NULL, 0, &d);
	assert_int_equal(d.action, CONTACTS_NEW);
}

static void test_why_text(void **state)
{
	(void)state;
	assert_string_equal(contacts_why_text(CONTACTS_WHY_NEAR_NAME), "near-identical name");
	assert_string_equal(contacts_why_text(CONTACTS_WHY_NONE), "");
	for (int w = CONTACTS_WHY_TAX_NUMBER; w <= CONTACTS_WHY_NEAR_NAME; w++)
		assert_true(contacts_why_text((enum contacts_why)w)[0] != '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_norm),
	    cmocka_unit_test(test_norm_small_buffer),
	    cmocka_unit_test(test_near),
	    cmocka_unit_test(test_match),
	    cmocka_unit_test(test_match_no_parties),
	    cmocka_unit_test(test_why_text),
	    cmocka_unit_test(test_match_precomputed),
	    cmocka_unit_test(test_norm_tax),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
