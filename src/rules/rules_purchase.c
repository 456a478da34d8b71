/*
 * rules_purchase.c - purchase orders and bills (docs/states-and-tabs.md
 * "Purchase orders and bills"): a purchase's Accounting Status, whether it
 * is unbilled, its reference whole and as the ledger's number, and two
 * numbers that a ledger's limit makes equal.
 *
 * What differs between ledgers (how long a number may be, its name for
 * people) comes in as arguments; the eligibility of a purchase is in
 * rules_eligibility.c with the other kinds.
 */
#include "rules/rules.h"

#include <stdint.h>
#include <string.h>

const char *rules_accounting_status(enum sync_state s)
{
	switch (s) {
	case SYNC_IMPORTED:
	case SYNC_CONSOLIDATED:
		return RULES_ACCOUNTING_IMPORTED;
	case SYNC_NOT_IMPORTED:
	case SYNC_QUEUED:
	case SYNC_ERROR:
	case SYNC_CHANGED:
	case SYNC_SKIPPED:
	case SYNC_WAITING:
	case SYNC_STATE_COUNT:
		break;
	}
	return RULES_ACCOUNTING_NOT_IMPORTED;
}

bool rules_purchase_unbilled(const struct rules_facts *f)
{
	return f != NULL && !f->has_invoice_date && !f->has_supplier_invoice_no &&
	       !f->has_dispatch_date;
}

int rules_purchase_reference(bool bill, const char *supplier_invoice_no, const char *purchase_ref,
                             size_t max_chars, struct buf *whole, struct buf *number, bool *cut,
                             struct bs_error *err)
{
	size_t max = max_chars == 0 ? SIZE_MAX : max_chars;
	size_t wstart = whole != NULL ? whole->len : 0, nstart = number != NULL ? number->len : 0;
	bool wcut = false, ncut = false;
	int rc = BS_OK;

	if (cut == NULL)
		return bs_error_set(err, BS_EINVAL, "purchase reference: bad argument");
	if (bill) {
		/* rules_bill_number checks the invoice number and UTF-8 */
		if (whole != NULL)
			rc = rules_bill_number(whole, supplier_invoice_no, purchase_ref, SIZE_MAX,
			                       &wcut, err);
		if (rc == BS_OK && number != NULL)
			rc = rules_bill_number(number, supplier_invoice_no, purchase_ref, max,
			                       &ncut, err);
		if (rc == BS_OK && number == NULL) {
			struct buf tmp;

			/* *cut is still wanted: measure on a scratch buffer */
			buf_init(&tmp, 1024);
			rc = rules_bill_number(&tmp, supplier_invoice_no, purchase_ref, max, &ncut,
			                       err);
			buf_free(&tmp);
		}
	} else {
		size_t len = purchase_ref != NULL ? strlen(purchase_ref) : 0, keep = 0;

		if (len == 0)
			return bs_error_set(err, BS_EINVAL, "purchase order: no reference");
		if (rules_utf8_prefix(purchase_ref, len, max, &keep, &ncut) != BS_OK)
			return bs_error_set(err, BS_EINVAL,
			                    "purchase reference is not valid UTF-8");
		if (whole != NULL && (rc = buf_add(whole, purchase_ref, len)) != BS_OK)
			rc = bs_error_set(err, rc, "purchase reference: %s", bs_strerror(rc));
		if (rc == BS_OK && number != NULL &&
		    (rc = buf_add(number, purchase_ref, keep)) != BS_OK)
			rc = bs_error_set(err, rc, "purchase reference: %s", bs_strerror(rc));
	}
	if (rc != BS_OK) {
		if (whole != NULL)
			buf_truncate(whole, wstart);
		if (number != NULL)
			buf_truncate(number, nstart);
		return rc;
	}
	(void)wcut; /* the whole reference is never cut: SIZE_MAX */
	*cut = ncut;
	return BS_OK;
}

/* Does `o` take the number before `self`? */
static bool goes_first(const struct rules_numbered *self, const struct rules_numbered *o)
{
	if (o->id == NULL || o->number == NULL || strcmp(o->id, self->id) == 0)
		return false;
	if (strcmp(o->number, self->number) != 0)
		return false;
	return o->ahead || strcmp(o->id, self->id) < 0;
}

/*
 * s for a message: whole up to RULES_SHOW_MAX characters, else its first
 * and last RULES_SHOW_END characters around "…", so that three references
 * and the advice fit in one error message and the ends that differ show.
 */
#define RULES_SHOW_MAX 64
#define RULES_SHOW_END 30

static int show(struct buf *out, const char *s)
{
	size_t len = strlen(s), head = 0, n = 0, tail;
	bool cut = false;

	if (rules_utf8_prefix(s, len, RULES_SHOW_MAX, &head, &cut) != BS_OK || !cut)
		return buf_add(out, s, len);
	(void)rules_utf8_prefix(s, len, RULES_SHOW_END, &head, &cut);
	/* the start of the last RULES_SHOW_END characters */
	for (tail = len; tail > 0 && n < RULES_SHOW_END; tail--) {
		if (((unsigned char)s[tail - 1] & 0xC0) != 0x80)
			n++;
	}
	if (buf_add(out, s, head) != BS_OK || buf_addstr(out, "\xe2\x80\xa6") != BS_OK)
		return BS_ENOMEM;
	return buf_add(out, s + tail, len - tail);
}

int rules_number_clash(const struct rules_numbered *self, const struct rules_numbered *others,
                       size_t n, size_t max_chars, const char *what, const char *ledger_name,
                       size_t *clash, struct buf *why, struct bs_error *err)
{
	const struct rules_numbered *o;
	const char *lname =
	    ledger_name != NULL && ledger_name[0] != '\0' ? ledger_name : "the ledger";
	struct buf a, num, b;
	size_t i, start;
	int rc;

	if (self == NULL || clash == NULL || what == NULL || (others == NULL && n > 0) ||
	    self->id == NULL || self->whole == NULL || self->number == NULL)
		return bs_error_set(err, BS_EINVAL, "number clash: bad argument");
	*clash = n;
	if (self->ahead)
		return BS_OK; /* its document has the number: it updates itself */
	for (i = 0; i < n && !goes_first(self, &others[i]); i++)
		;
	if (i == n)
		return BS_OK;
	*clash = i;
	if (why == NULL)
		return BS_OK;
	o = &others[i];
	start = why->len;
	buf_init(&a, 1024);
	buf_init(&num, 1024);
	buf_init(&b, 1024);
	rc = show(&a, self->whole);
	if (rc == BS_OK)
		rc = show(&num, self->number);
	if (rc == BS_OK)
		rc = show(&b, o->whole != NULL ? o->whole : o->number);
	if (rc == BS_OK && o->whole != NULL && strcmp(o->whole, self->whole) == 0)
		rc = buf_printf(why,
		                "reference \"%s\" is also purchase %s's for this supplier: a %s "
		                "in %s would be taken for the other; change the supplier "
		                "invoice number or reference of one of them, then re-upload",
		                buf_cstr(&a), o->id, what, lname);
	else if (rc == BS_OK)
		rc = buf_printf(why,
		                "reference \"%s\" becomes \"%s\" in %s (%zu characters), as "
		                "purchase %s's \"%s\" does for this supplier: the %s would post "
		                "under a number not its own; change the supplier invoice number "
		                "or reference of one so their first %zu characters differ, then "
		                "re-upload",
		                buf_cstr(&a), buf_cstr(&num), lname, max_chars, o->id, buf_cstr(&b),
		                what, max_chars);
	buf_free(&a);
	buf_free(&num);
	buf_free(&b);
	if (rc != BS_OK) {
		buf_truncate(why, start);
		return bs_error_set(err, rc, "number clash: %s", bs_strerror(rc));
	}
	return BS_OK;
}
