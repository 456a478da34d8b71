/*
 * record_doc.c - a stored record's document view for the sync planner
 * (see record.h, struct record_doc).
 *
 * The view is built by the same validating walk as record_from_json, with
 * a hook that copies each line item and its computed amount and tax, so
 * the planner can never disagree with import about a line's amount.
 */
#include "model/record.h"

#include "core/error.h"
#include "model/record_int.h"

#include <json-c/json.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void record_doc_init(struct record_doc *d)
{
	memset(d, 0, sizeof(*d));
	d->kind = RECORD_KIND_COUNT;
}

static void free_line(struct record_doc_line *l)
{
	free((char *)(uintptr_t)l->sku);
	free((char *)(uintptr_t)l->description);
	free((char *)(uintptr_t)l->account);
}

void record_doc_release(struct record_doc *d)
{
	for (size_t i = 0; i < d->nlines; i++)
		free_line(&d->lines[i]);
	free(d->lines);
	if (d->root != NULL)
		json_object_put(d->root);
	record_doc_init(d);
}

/* A copy of a line's text field, or NULL when absent (*ok false on ENOMEM). */
static const char *dup_val(const struct rf_val *v, bool *ok)
{
	char *p;

	if (!v->set || v->s == NULL)
		return NULL;
	if ((p = malloc(v->n + 1)) == NULL) {
		*ok = false;
		return NULL;
	}
	memcpy(p, v->s, v->n);
	p[v->n] = '\0';
	return p;
}

int rf_doc_add_line(struct rf_state *st)
{
	struct record_doc *d = st->doc;
	struct record_doc_line *l;
	const struct rf_val *v = st->ln;
	bool ok = true;

	if ((d->nlines & (d->nlines - 1)) == 0) {
		/* grow at powers of two: 1, 2, 4, ... */
		size_t cap = d->nlines ? d->nlines * 2 : 1;
		struct record_doc_line *p;

		if (cap > SIZE_MAX / sizeof(*p) ||
		    (p = realloc(d->lines, cap * sizeof(*p))) == NULL)
			return bs_error_set(st->err, BS_ENOMEM, "out of memory");
		d->lines = p;
	}
	l = &d->lines[d->nlines];
	memset(l, 0, sizeof(*l));
	l->sku = dup_val(&v[S_SKU], &ok);
	l->description = dup_val(&v[S_DESCRIPTION], &ok);
	l->account = dup_val(&v[S_ACCOUNT], &ok);
	if (!ok) {
		free_line(l);
		return bs_error_set(st->err, BS_ENOMEM, "out of memory");
	}
	l->qty = v[S_QTY].set ? v[S_QTY].v : 0;
	l->price = v[S_PRICE].set ? v[S_PRICE].v : v[S_COST].set ? v[S_COST].v : 0;
	l->discount_pct = v[S_DISCOUNT].set ? v[S_DISCOUNT].v : 0;
	l->has_tax_rate = v[S_TAX_RATE].set;
	l->tax_rate = v[S_TAX_RATE].set ? v[S_TAX_RATE].v : 0;
	l->amount = st->ln_amount;
	l->tax = st->ln_tax;
	d->nlines++;
	return BS_OK;
}

int record_doc_parse(const char *canonical, size_t len, const struct record_ctx *ctx,
                     struct record_doc *out, struct bs_error *err)
{
	struct json_tokener *tok = NULL;
	struct record rec;
	int rc;

	record_doc_init(out);
	record_init(&rec);
	if (len > INT32_MAX) {
		rc = bs_error_set(err, BS_ETOOBIG, "record: text too long");
		goto out;
	}
	if ((tok = json_tokener_new()) == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		goto out;
	}
	out->root = json_tokener_parse_ex(tok, canonical, (int)len);
	if (out->root == NULL || (size_t)tok->char_offset != len ||
	    json_object_get_type(out->root) != json_type_object) {
		rc = bs_error_set(err, BS_EPARSE, "record: not one JSON object");
		goto out;
	}
	if ((rc = rf_run(out->root, ctx, &rec, out, err)) != BS_OK)
		goto out;
	if (rec.canonical.len != len || memcmp(buf_cstr(&rec.canonical), canonical, len) != 0) {
		/* not canonical text (a channel as JSON text in a string, an
		 * enumeration in capitals): read fields from the canonical form,
		 * so they have one shape whatever the source's was */
		json_object_put(out->root);
		json_tokener_reset(tok);
		out->root =
		    json_tokener_parse_ex(tok, buf_cstr(&rec.canonical), (int)rec.canonical.len);
		if (out->root == NULL) {
			rc = bs_error_set(err, BS_EINTERNAL,
			                  "record: canonical text does not parse");
			goto out;
		}
	}
	out->kind = rec.kind;
	memcpy(out->id, rec.id, sizeof(out->id));
	memcpy(out->date, rec.date, sizeof(out->date));
	memcpy(out->currency, rec.currency, sizeof(out->currency));
	out->has_total = rec.has_total;
	out->total = rec.total;
	out->tab = rec.tab;
out:
	if (tok != NULL)
		json_tokener_free(tok);
	record_release(&rec);
	if (rc != BS_OK)
		record_doc_release(out);
	return rc;
}

const char *record_doc_str(const struct record_doc *d, const char *field)
{
	struct json_object *v;

	if (d->root == NULL || !json_object_object_get_ex(d->root, field, &v) ||
	    json_object_get_type(v) != json_type_string)
		return NULL;
	return json_object_get_string(v);
}

const char *record_doc_sub_str(const struct record_doc *d, const char *field, const char *sub)
{
	struct json_object *o, *v;

	if (d->root == NULL || !json_object_object_get_ex(d->root, field, &o) ||
	    json_object_get_type(o) != json_type_object || !json_object_object_get_ex(o, sub, &v) ||
	    json_object_get_type(v) != json_type_string)
		return NULL;
	return json_object_get_string(v);
}
