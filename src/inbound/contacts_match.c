/*
 * contacts_match.c - the pure half of the contact import (contacts.h):
 * names normalised, "near-identical" decided, and one ledger contact
 * matched against booksync's customers and suppliers.
 */
#include "inbound/contacts.h"

#include <string.h>

static const char *const suffixes[] = {
    "ltd",         "limited", "inc",  "incorporated", "llc", "plc", "co", "company", "corp",
    "corporation", "pty",     "gmbh", "nz",           "llp", "lp",  "sa", "ag",      "bv",
};

static bool is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c >= 0x80;
}

static bool is_suffix(const char *w, size_t len)
{
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (strlen(suffixes[i]) == len && memcmp(suffixes[i], w, len) == 0)
			return true;
	return false;
}

/* Append word w[len] to out with a separating space; false when full. */
static bool put_word(char *out, size_t cap, size_t *at, const char *w, size_t len)
{
	if (*at + len + (*at > 0 ? 1 : 0) + 1 > cap)
		return false;
	if (*at > 0)
		out[(*at)++] = ' ';
	memcpy(out + *at, w, len);
	*at += len;
	out[*at] = '\0';
	return true;
}

void contacts_norm_name(const char *name, char *out, size_t cap)
{
	char words[CONTACTS_NAME_MAX];
	size_t at = 0, n = 0, start, end;
	const char *p = name != NULL ? name : "";

	if (cap == 0)
		return;
	out[0] = '\0';
	/* lowercase words separated by single spaces; "&" is "and" */
	words[0] = '\0';
	while (*p != '\0') {
		char w[CONTACTS_NAME_MAX];
		size_t wl = 0;

		if (*p == '&') {
			if (!put_word(words, sizeof(words), &n, "and", 3))
				break;
			p++;
			continue;
		}
		if (!is_alnum((unsigned char)*p)) {
			p++;
			continue;
		}
		while (is_alnum((unsigned char)*p) && wl < sizeof(w) - 1) {
			unsigned char c = (unsigned char)*p++;
			w[wl++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		}
		while (is_alnum((unsigned char)*p))
			p++;
		if (!put_word(words, sizeof(words), &n, w, wl))
			break;
	}
	/* drop a leading "the" and trailing suffixes, keeping at least a word */
	start = 0;
	end = n;
	if (n > 4 && memcmp(words, "the ", 4) == 0)
		start = 4;
	for (;;) {
		size_t ws = end;

		while (ws > start && words[ws - 1] != ' ')
			ws--;
		if (!is_suffix(words + ws, end - ws))
			break;
		if (ws == start) { /* every word a suffix: keep them all */
			end = start;
			break;
		}
		end = ws - 1; /* the space before it */
	}
	if (end > start)
		put_word(out, cap, &at, words + start, end - start);
	else
		put_word(out, cap, &at, words, n);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool contacts_near_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i = 0;

	if (la < 5 || lb < 5 || strcmp(a, b) == 0)
		return false;
	if (la > lb + 1 || lb > la + 1)
		return false;
	while (i < la && i < lb && a[i] == b[i])
		i++;
	if (la == lb) {
		/* a swap of neighbours, or one substitution */
		if (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		    strcmp(a + i + 2, b + i + 2) == 0)
			return !is_digit(a[i]) && !is_digit(a[i + 1]) && a[i] != ' ' &&
			       a[i + 1] != ' ';
		if (strcmp(a + i + 1, b + i + 1) != 0)
			return false;
		return !is_digit(a[i]) && !is_digit(b[i]) && a[i] != ' ' && b[i] != ' ';
	}
	/* one inserted or deleted character */
	if (la > lb) {
		if (strcmp(a + i + 1, b + i) != 0)
			return false;
		return !is_digit(a[i]) && a[i] != ' ';
	}
	if (strcmp(a + i, b + i + 1) != 0)
		return false;
	return !is_digit(b[i]) && b[i] != ' ';
}

void contacts_norm_tax(const char *t, char *out, size_t cap)
{
	size_t at = 0;

	for (; t != NULL && *t != '\0' && at + 1 < cap; t++) {
		unsigned char c = (unsigned char)*t;

		if (c == ' ' || c == '-' || c == '.' || c == '\t')
			continue;
		out[at++] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
	}
	out[at] = '\0';
}

static bool email_eq(const char *a, const char *b)
{
	size_t la, lb;

	if (a == NULL || b == NULL)
		return false;
	while (*a == ' ')
		a++;
	while (*b == ' ')
		b++;
	la = strlen(a);
	lb = strlen(b);
	while (la > 0 && a[la - 1] == ' ')
		la--;
	while (lb > 0 && b[lb - 1] == ' ')
		lb--;
	if (la == 0 || la != lb)
		return false;
	for (size_t i = 0; i < la; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

static bool is_candidate(const struct contacts_party *c, const struct contacts_party *p)
{
	return c->both || p->kind == c->kind;
}

/* Whether both have a tax number and they differ. */
static bool tax_conflict(const char *ct, const struct contacts_party *p)
{
	char buf[64];
	const char *pt = p->norm_tax;

	if (pt == NULL) {
		contacts_norm_tax(p->tax_number, buf, sizeof(buf));
		pt = buf;
	}
	return ct[0] != '\0' && pt[0] != '\0' && strcmp(ct, pt) != 0;
}

enum key { KEY_TAX, KEY_EMAIL, KEY_NAME };

/* Decide on one key: the candidates that share it, how many, the first. */
static bool match_key(const struct contacts_party *c, const char *ct, const char *cn,
                      const struct contacts_party *v, size_t n, enum key k,
                      struct contacts_decision *out)
{
	size_t hits = 0, first = 0, conflict = n;
	static const enum contacts_why link[] = {CONTACTS_WHY_TAX_NUMBER, CONTACTS_WHY_EMAIL,
	                                         CONTACTS_WHY_NAME};
	static const enum contacts_why shared[] = {
	    CONTACTS_WHY_SHARED_TAX, CONTACTS_WHY_SHARED_EMAIL, CONTACTS_WHY_SHARED_NAME};

	for (size_t i = 0; i < n; i++) {
		char buf[CONTACTS_NAME_MAX];
		bool same = false;

		if (!is_candidate(c, &v[i]))
			continue;
		if (k == KEY_TAX) {
			const char *t = v[i].norm_tax;

			if (t == NULL) {
				contacts_norm_tax(v[i].tax_number, buf, 64);
				t = buf;
			}
			same = ct[0] != '\0' && strcmp(ct, t) == 0;
		} else if (k == KEY_EMAIL) {
			same = email_eq(c->email, v[i].email);
		} else {
			const char *nm = v[i].norm_name;

			if (nm == NULL) {
				contacts_norm_name(v[i].name, buf, sizeof(buf));
				nm = buf;
			}
			same = cn[0] != '\0' && strcmp(cn, nm) == 0;
		}
		if (!same)
			continue;
		if (hits++ == 0)
			first = i;
		if (k != KEY_TAX && conflict == n && tax_conflict(ct, &v[i]))
			conflict = i;
	}
	if (hits == 0)
		return false;
	out->candidate = first;
	if (hits > 1) {
		out->action = CONTACTS_DUPLICATE;
		out->why = shared[k];
	} else if (conflict != n) {
		out->action = CONTACTS_DUPLICATE;
		out->why = CONTACTS_WHY_TAX_CONFLICT;
	} else {
		out->action = CONTACTS_LINK;
		out->why = link[k];
	}
	return true;
}

void contacts_match(const struct contacts_party *c, const struct contacts_party *v, size_t n,
                    struct contacts_decision *out)
{
	char ct[64], cn[CONTACTS_NAME_MAX];

	out->action = CONTACTS_NEW;
	out->why = CONTACTS_WHY_NONE;
	out->candidate = 0;
	contacts_norm_tax(c->tax_number, ct, sizeof(ct));
	contacts_norm_name(c->name, cn, sizeof(cn));
	if (match_key(c, ct, cn, v, n, KEY_TAX, out) ||
	    match_key(c, ct, cn, v, n, KEY_EMAIL, out) || match_key(c, ct, cn, v, n, KEY_NAME, out))
		return;
	for (size_t i = 0; i < n; i++) {
		char buf[CONTACTS_NAME_MAX];
		const char *pn = v[i].norm_name;

		if (!is_candidate(c, &v[i]))
			continue;
		if (pn == NULL) {
			contacts_norm_name(v[i].name, buf, sizeof(buf));
			pn = buf;
		}
		if (contacts_near_name(cn, pn)) {
			out->action = CONTACTS_DUPLICATE;
			out->why = CONTACTS_WHY_NEAR_NAME;
			out->candidate = i;
			return;
		}
	}
}

const char *contacts_why_text(enum contacts_why why)
{
	switch (why) {
	case CONTACTS_WHY_TAX_NUMBER:
		return "same tax number";
	case CONTACTS_WHY_EMAIL:
		return "same e-mail";
	case CONTACTS_WHY_NAME:
		return "same name";
	case CONTACTS_WHY_SHARED_TAX:
		return "several have that tax number";
	case CONTACTS_WHY_SHARED_EMAIL:
		return "same e-mail as several";
	case CONTACTS_WHY_SHARED_NAME:
		return "same name as several";
	case CONTACTS_WHY_TAX_CONFLICT:
		return "same e-mail or name, another tax number";
	case CONTACTS_WHY_NEAR_NAME:
		return "near-identical name";
	case CONTACTS_WHY_NONE:
		break;
	}
	return "";
}
