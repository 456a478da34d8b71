/*
 * consview.c - the Consolidated view (see consview.h).
 *
 * A consolidated record (a sale, credit note, payment, COGS, journal or
 * money task standing for many) keeps its members in its body's
 * "consolidation" object; only one the ledger holds (state imported on
 * the target) is shown, with the number the ledger gave it.
 */
#include "sync/consview.h"

#include "core/jsonr.h"
#include "core/money.h"
#include "store/store.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct load {
	struct consview *out;
	struct store *st;
	const struct consview_filter *f;
	enum record_kind kind;
};

int consview_col_parse(const char *name, enum consview_col *out)
{
	static const char *const cols[] = {"number", "type", "consolidated", "date", "amount"};

	for (int i = 0; i < 5; i++) {
		if (strcmp(name, cols[i]) == 0) {
			*out = (enum consview_col)i;
			return BS_OK;
		}
	}
	return BS_EINVAL;
}

static const char *member_type(const char *kind, const char *doc_type)
{
	if (strcmp(kind, "sale") == 0)
		return "sale invoice";
	if (strcmp(kind, "credit_note") == 0)
		return "sale credit note";
	return doc_type; /* payments, refunds and COGS: the document's own type */
}

static bool matches(const struct consview_filter *f, const char *number, const char *type,
                    const char *cons, const char *ledger)
{
	if (f->type != NULL && strcmp(f->type, type) != 0)
		return false;
	return f->search == NULL || strstr(number, f->search) != NULL ||
	       strstr(cons, f->search) != NULL || strstr(ledger, f->search) != NULL;
}

static void row_free(struct consview_row *w)
{
	free(w->number);
	free(w->type);
	free(w->cons);
	free(w->ledger);
	free(w->date);
	free(w->amount);
}

static int add_row(struct consview *r, const char *number, const char *type, const char *cons,
                   const char *ledger, const char *date, const char *amount)
{
	struct consview_row *w;

	if (r->n == r->cap) {
		size_t nc = r->cap == 0 ? 256 : r->cap * 2;
		struct consview_row *v = realloc(r->v, nc * sizeof(*v));

		if (v == NULL)
			return BS_ENOMEM;
		r->v = v;
		r->cap = nc;
	}
	w = &r->v[r->n];
	w->number = strdup(number);
	w->type = strdup(type);
	w->cons = strdup(cons);
	w->ledger = strdup(ledger);
	w->date = strdup(date);
	w->amount = strdup(amount);
	if (w->number == NULL || w->type == NULL || w->cons == NULL || w->ledger == NULL ||
	    w->date == NULL || w->amount == NULL) {
		row_free(w);
		return BS_ENOMEM;
	}
	if (money_parse(amount, strlen(amount), 6, &w->micros) != BS_OK)
		w->micros = 0;
	r->n++;
	return BS_OK;
}

/* One consolidated record: its members, when the ledger has it. */
static int record_cb(void *arg, const char *id, const char *body)
{
	static const char *const types[] = {"Invoice", "CreditNote", "Payment", "ManualJournal",
	                                    "BankTransaction"};
	struct load *r = arg;
	struct json_object *o = json_tokener_parse(body), *c, *mem;
	struct store_link l;
	enum sync_state s;
	char ledger[256] = "";
	int rc = 0;

	if (o == NULL || !json_object_object_get_ex(o, "consolidation", &c) ||
	    store_state_get(r->st, r->kind, id, r->f->target, &s, NULL, NULL) != BS_OK ||
	    s != SYNC_IMPORTED)
		goto out;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]) && ledger[0] == '\0'; i++) {
		if (store_link_get(r->st, r->f->target, r->kind, id, types[i], &l, NULL) == BS_OK)
			snprintf(ledger, sizeof(ledger), "%s", l.number);
	}
	if (!json_object_object_get_ex(c, "members", &mem) ||
	    !json_object_is_type(mem, json_type_array))
		goto out;
	for (size_t i = 0; rc == 0 && i < json_object_array_length(mem); i++) {
		struct json_object *m = json_object_array_get_idx(mem, i);
		const char *kind = jsonr_str(m, "kind"), *mid = jsonr_str(m, "id");
		const char *type, *name = jsonr_str(c, "name");

		if (kind == NULL || mid == NULL || name == NULL)
			continue;
		type = member_type(kind, jsonr_str(c, "type") ? jsonr_str(c, "type") : "");
		if (matches(r->f, mid, type, name, ledger))
			rc = add_row(r->out, mid, type, name, ledger,
			             jsonr_str(m, "date") ? jsonr_str(m, "date") : "",
			             jsonr_str(m, "amount") ? jsonr_str(m, "amount") : "0");
	}
out:
	json_object_put(o);
	return rc;
}

int consview_cmp(const struct consview_row *x, const struct consview_row *y, enum consview_col col,
                 bool desc)
{
	int c;

	switch (col) {
	case CONSVIEW_NUMBER:
		c = strcmp(x->number, y->number);
		break;
	case CONSVIEW_TYPE:
		c = strcmp(x->type, y->type);
		break;
	case CONSVIEW_CONSOLIDATED:
		c = strcmp(x->cons, y->cons);
		break;
	case CONSVIEW_AMOUNT:
		c = x->micros < y->micros ? -1 : x->micros > y->micros;
		break;
	default:
		c = strcmp(x->date, y->date);
		break;
	}
	if (c == 0)
		c = strcmp(x->number, y->number);
	return desc ? -c : c;
}

/* qsort has no argument for the column: one comparator per column, and a
 * descending view is the ascending one reversed (the number breaks ties
 * both ways alike). */
#define CMP_FN(name, col)                                                                          \
	static int name(const void *a, const void *b)                                              \
	{                                                                                          \
		return consview_cmp(a, b, col, false);                                             \
	}
CMP_FN(cmp_number, CONSVIEW_NUMBER)
CMP_FN(cmp_type, CONSVIEW_TYPE)
CMP_FN(cmp_cons, CONSVIEW_CONSOLIDATED)
CMP_FN(cmp_date, CONSVIEW_DATE)
CMP_FN(cmp_amount, CONSVIEW_AMOUNT)

int consview_load(struct store *st, const struct consview_filter *f, struct consview *out,
                  struct bs_error *err)
{
	static const enum record_kind kinds[] = {RECORD_SALE,    RECORD_CREDIT_NOTE,
	                                         RECORD_PAYMENT, RECORD_COGS,
	                                         RECORD_JOURNAL, RECORD_MONEY_TASK};
	static int (*const cmps[])(const void *, const void *) = {cmp_number, cmp_type, cmp_cons,
	                                                          cmp_date, cmp_amount};
	struct load r = {out, st, f, RECORD_SALE};

	memset(out, 0, sizeof(*out));
	if (f->target == NULL)
		return BS_OK; /* nothing reached a ledger yet */
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		int rc;

		r.kind = kinds[k];
		rc = store_records_each(st, kinds[k], record_cb, &r, err);
		if (rc == BS_ENOMEM)
			return bs_error_set(err, BS_ENOMEM, "out of memory");
		if (rc != BS_OK)
			return rc;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v),
		      cmps[f->sort <= CONSVIEW_AMOUNT ? f->sort : 3]);
	for (size_t i = 0; f->desc && i < out->n / 2; i++) {
		struct consview_row t = out->v[i];

		out->v[i] = out->v[out->n - 1 - i];
		out->v[out->n - 1 - i] = t;
	}
	return BS_OK;
}

void consview_free(struct consview *v)
{
	for (size_t i = 0; i < v->n; i++)
		row_free(&v->v[i]);
	free(v->v);
	memset(v, 0, sizeof(*v));
}

int consview_csv_header(struct buf *out)
{
	return buf_addstr(out, "number,type,consolidated,ledger_number,date,amount\n");
}

static int csv_cell(struct buf *b, const char *s, bool last)
{
	int rc = BS_OK;

	if (strpbrk(s, ",\"\r\n") != NULL) {
		rc = buf_addc(b, '"');
		for (; rc == BS_OK && *s != '\0'; s++) {
			if (*s == '"')
				rc = buf_addc(b, '"');
			if (rc == BS_OK)
				rc = buf_addc(b, *s);
		}
		if (rc == BS_OK)
			rc = buf_addc(b, '"');
	} else {
		rc = buf_addstr(b, s);
	}
	return rc == BS_OK ? buf_addc(b, last ? '\n' : ',') : rc;
}

int consview_csv_row(const struct consview_row *w, struct buf *out)
{
	int rc = csv_cell(out, w->number, false);

	if (rc == BS_OK)
		rc = csv_cell(out, w->type, false);
	if (rc == BS_OK)
		rc = csv_cell(out, w->cons, false);
	if (rc == BS_OK)
		rc = csv_cell(out, w->ledger, false);
	if (rc == BS_OK)
		rc = csv_cell(out, w->date, false);
	if (rc == BS_OK)
		rc = csv_cell(out, w->amount, true);
	return rc;
}
