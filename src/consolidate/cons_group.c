/*
 * cons_group.c - the lines of a consolidated sale or credit note (see
 * consolidate.h, cons_group): member lines summed by the grouping mode.
 */
#include "consolidate/consolidate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALL_PRODUCTS "All sales - Products"
#define ALL_SERVICES "All sales - Services"
#define CHARGES      "Additional charges"

static const char *nz(const char *s)
{
	return s != NULL ? s : "";
}

/* The group a line falls in, and the description its consolidated line shows. */
static void group_of(enum cons_grouping g, const struct cons_line_in *l, struct cons_line_out *o)
{
	bool charge = l->sku == NULL || l->sku[0] == '\0';
	const char *desc =
	    l->description != NULL && l->description[0] != '\0' ? l->description : "charge";

	switch (g) {
	case CONS_BY_ACCOUNT:
		snprintf(o->group, sizeof(o->group), "%s", nz(l->account));
		snprintf(o->description, sizeof(o->description), "All sales - account %s",
		         nz(l->account));
		break;
	case CONS_BY_SKU:
		/* a charge has no SKU: its description stands for one, so
		 * "Shipping" and "Gift wrap" keep lines of their own */
		if (charge) {
			snprintf(o->group, sizeof(o->group), "charge:%s", desc);
			snprintf(o->description, sizeof(o->description), "%s", desc);
		} else {
			snprintf(o->group, sizeof(o->group), "sku:%s", l->sku);
			snprintf(o->sku, sizeof(o->sku), "%s", l->sku);
			snprintf(o->description, sizeof(o->description), "All sales - %s", l->sku);
		}
		break;
	case CONS_BY_CATEGORY:
		if (charge) {
			snprintf(o->group, sizeof(o->group), "charges");
			snprintf(o->description, sizeof(o->description), CHARGES);
		} else {
			snprintf(o->group, sizeof(o->group), "category:%s",
			         l->category != NULL && l->category[0] != '\0' ? l->category
			                                                       : "Uncategorised");
			snprintf(o->description, sizeof(o->description), "All sales - %s",
			         l->category != NULL && l->category[0] != '\0' ? l->category
			                                                       : "Uncategorised");
		}
		break;
	case CONS_BY_TRACKING:
		if (l->tracking != NULL && l->tracking[0] != '\0') {
			snprintf(o->group, sizeof(o->group), "tracking:%s", l->tracking);
			snprintf(o->tracking, sizeof(o->tracking), "%s", l->tracking);
			snprintf(o->description, sizeof(o->description), "All sales - %s",
			         l->tracking);
		} else {
			const char *all = l->service ? ALL_SERVICES : ALL_PRODUCTS;

			snprintf(o->group, sizeof(o->group), "%s", all);
			snprintf(o->description, sizeof(o->description), "%s", all);
		}
		break;
	}
	snprintf(o->account, sizeof(o->account), "%s", nz(l->account));
	o->tax_rate = l->tax_rate;
}

static int out_cmp(const void *a, const void *b)
{
	const struct cons_line_out *x = a, *y = b;
	int c;

	if ((c = strcmp(x->group, y->group)) != 0 || (c = strcmp(x->account, y->account)) != 0)
		return c;
	return x->tax_rate < y->tax_rate ? -1 : x->tax_rate > y->tax_rate;
}

int cons_group(enum cons_grouping g, const struct cons_line_in *in, size_t n,
               struct cons_line_out **out, size_t *nout, struct bs_error *err)
{
	struct cons_line_out *v = NULL, *w;
	size_t m = 0;
	int rc = BS_OK;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return BS_OK;
	v = calloc(n, sizeof(*v));
	if (v == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		group_of(g, &in[i], &v[i]);
		v[i].amount = in[i].amount;
		v[i].tax = in[i].tax;
		v[i].members = 1;
	}
	/* sort, then fold runs of the same group, account and rate */
	qsort(v, n, sizeof(*v), out_cmp);
	for (size_t i = 0; i < n; i++) {
		if (m > 0 && out_cmp(&v[m - 1], &v[i]) == 0) {
			w = &v[m - 1];
			if (money_add(w->amount, v[i].amount, &w->amount) != BS_OK ||
			    money_add(w->tax, v[i].tax, &w->tax) != BS_OK) {
				rc =
				    bs_error_set(err, BS_ERANGE, "consolidated line '%s' overflows",
				                 w->description);
				goto out;
			}
			w->members++;
		} else {
			if (m != i)
				v[m] = v[i];
			m++;
		}
	}
	*out = v;
	*nout = m;
	v = NULL;
out:
	free(v);
	return rc;
}

int cons_merge(struct cons_line_out **acc, size_t *n, size_t *cap, const struct cons_line_out *add,
               size_t nadd, struct bs_error *err)
{
	for (size_t i = 0; i < nadd; i++) {
		struct cons_line_out *w = NULL;

		for (size_t j = 0; j < *n && w == NULL; j++) {
			if (out_cmp(&(*acc)[j], &add[i]) == 0)
				w = &(*acc)[j];
		}
		if (w != NULL) {
			int64_t a, t;

			if (money_add(w->amount, add[i].amount, &a) != BS_OK ||
			    money_add(w->tax, add[i].tax, &t) != BS_OK)
				return bs_error_set(err, BS_ERANGE,
				                    "consolidated line '%s' overflows",
				                    w->description);
			w->amount = a;
			w->tax = t;
			w->members += add[i].members;
			continue;
		}
		if (*n == *cap) {
			size_t nc = *cap == 0 ? 16 : *cap * 2;
			struct cons_line_out *v = realloc(*acc, nc * sizeof(*v));

			if (v == NULL)
				return bs_error_set(err, BS_ENOMEM, "out of memory");
			*acc = v;
			*cap = nc;
		}
		(*acc)[(*n)++] = add[i];
	}
	return BS_OK;
}
