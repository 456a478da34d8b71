/*
 * rules_reference.c - document numbers: the unique invoice reference
 * (docs/mapping-xero.md) and the bill number (docs/mapping-xero.md), cut to a ledger's length
 * limit at a character boundary.
 *
 * Ledgers count characters, not bytes, so every limit here is in code
 * points, and a cut never lands inside a multi-byte character (a broken
 * sequence would be refused by the ledger, or worse, stored mangled).
 */
#include "rules/rules.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when invalid
 * (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).  A NUL
 * byte counts as invalid: these strings end up in C strings. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (c == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;
	if (c < 0xe0) {
		len = 2;
	} else if (c < 0xf0) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else {
		len = 4;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* > U+10FFFF */
	}
	if (n < len)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

int rules_utf8_prefix(const char *s, size_t n, size_t max_chars, size_t *nbytes, bool *truncated)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, chars = 0, cut = 0;
	bool cutting = false;

	if ((s == NULL && n > 0) || nbytes == NULL || truncated == NULL)
		return BS_EINVAL;
	while (i < n) {
		size_t len = utf8_seq(u + i, n - i);

		if (len == 0)
			return BS_EINVAL;
		if (chars == max_chars && !cutting) {
			cutting = true;
			cut = i;
		}
		chars++;
		i += len;
	}
	*nbytes = cutting ? cut : n;
	*truncated = cutting;
	return BS_OK;
}

static size_t utf8_chars(const char *s, size_t n)
{
	size_t chars = 0;

	/* Only called on validated text: count the non-continuation bytes. */
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			chars++;
	return chars;
}

int rules_unique_reference(struct buf *out, const char *prefix, uint64_t serial,
                           const char *source_ref, size_t max_chars, bool *truncated,
                           struct bs_error *err)
{
	char num[24];
	size_t plen, rlen, head_chars, keep = 0;
	size_t start;
	bool cut = false, dummy;
	int rc;

	if (out == NULL || truncated == NULL)
		return bs_error_set(err, BS_EINVAL, "unique reference: NULL argument");
	if (prefix == NULL)
		prefix = "";
	if (source_ref == NULL)
		source_ref = "";
	plen = strlen(prefix);
	rlen = strlen(source_ref);
	if (rules_utf8_prefix(prefix, plen, SIZE_MAX, &keep, &dummy) != BS_OK)
		return bs_error_set(err, BS_EINVAL, "reference prefix is not valid UTF-8");
	if (rules_utf8_prefix(source_ref, rlen, SIZE_MAX, &keep, &dummy) != BS_OK)
		return bs_error_set(err, BS_EINVAL, "source reference is not valid UTF-8");
	(void)snprintf(num, sizeof(num), "%" PRIu64, serial);
	head_chars = utf8_chars(prefix, plen) + strlen(num);
	if (head_chars > max_chars)
		return bs_error_set(err, BS_ETOOBIG,
		                    "reference prefix \"%s\" and serial %s exceed %zu characters",
		                    prefix, num, max_chars);
	/* The dash and at least one character of the source reference, or
	 * the serial alone: "WEB-42-" would only look broken. */
	if (rlen > 0 && head_chars + 1 < max_chars) {
		(void)rules_utf8_prefix(source_ref, rlen, max_chars - head_chars - 1, &keep, &cut);
	} else {
		keep = 0;
		cut = rlen > 0;
	}

	start = out->len;
	if ((rc = buf_add(out, prefix, plen)) != BS_OK || (rc = buf_addstr(out, num)) != BS_OK ||
	    (keep > 0 && ((rc = buf_addc(out, '-')) != BS_OK ||
	                  (rc = buf_add(out, source_ref, keep)) != BS_OK))) {
		buf_truncate(out, start);
		return bs_error_set(err, rc, "unique reference: %s", bs_strerror(rc));
	}
	*truncated = cut;
	return BS_OK;
}

int rules_bill_number(struct buf *out, const char *supplier_invoice_no, const char *purchase_ref,
                      size_t max_chars, bool *truncated, struct bs_error *err)
{
	static const char sep[] = " / ";
	size_t ilen, rlen, ikeep, rkeep = 0, ichars, start;
	bool icut, rcut = false;
	int rc;

	if (out == NULL || truncated == NULL || max_chars == 0)
		return bs_error_set(err, BS_EINVAL, "bill number: bad argument");
	if (supplier_invoice_no == NULL || supplier_invoice_no[0] == '\0')
		return bs_error_set(err, BS_EINVAL, "bill number: no supplier invoice number");
	if (purchase_ref == NULL)
		purchase_ref = "";
	ilen = strlen(supplier_invoice_no);
	rlen = strlen(purchase_ref);
	if (rules_utf8_prefix(supplier_invoice_no, ilen, max_chars, &ikeep, &icut) != BS_OK)
		return bs_error_set(err, BS_EINVAL, "supplier invoice number is not valid UTF-8");
	if (rules_utf8_prefix(purchase_ref, rlen, SIZE_MAX, &rkeep, &rcut) != BS_OK)
		return bs_error_set(err, BS_EINVAL, "purchase reference is not valid UTF-8");
	ichars = utf8_chars(supplier_invoice_no, ikeep);
	/* A cut inside or right after " / " would leave a dangling separator:
	 * the number is then the supplier's invoice number alone. */
	if (!icut && rlen > 0 && ichars + 3 < max_chars) {
		(void)rules_utf8_prefix(purchase_ref, rlen, max_chars - ichars - 3, &rkeep, &rcut);
	} else {
		rcut = rlen > 0;
		rkeep = 0;
	}

	start = out->len;
	if ((rc = buf_add(out, supplier_invoice_no, ikeep)) != BS_OK ||
	    (rkeep > 0 && ((rc = buf_addstr(out, sep)) != BS_OK ||
	                   (rc = buf_add(out, purchase_ref, rkeep)) != BS_OK))) {
		buf_truncate(out, start);
		return bs_error_set(err, rc, "bill number: %s", bs_strerror(rc));
	}
	*truncated = icut || rcut;
	return BS_OK;
}
