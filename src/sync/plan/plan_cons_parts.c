/*
 * plan_cons_parts.c - a payment of a consolidated document that went to
 * the ledger in parts (over CONS_MAX_LINES lines): it is spread over the
 * parts, each paid what is still due on it, so every part ends up paid
 * correctly (docs/consolidation.md "Payments of a split document").
 */
#include "sync/plan/plan_cons_int.h"

#include "core/jsonr.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What payments already stored book against each part (each payment is
 * handed over by the walk for the part it names). */
struct paid_walk {
	const char *field; /* "sale_id" or "credit_note_id" */
	char (*ids)[RECORD_ID_MAX + 1];
	int64_t *paid;
	size_t n;
	int rc;
};

static int paid_cb(void *arg, const char *id, const char *body)
{
	struct paid_walk *w = arg;
	struct json_object *o;
	const char *to;

	(void)id;
	o = json_tokener_parse(body);
	to = jsonr_str(o, w->field);
	for (size_t i = 0; to != NULL && i < w->n; i++) {
		if (strcmp(to, w->ids[i]) == 0 &&
		    money_add(w->paid[i], plan_jfixed(o, "amount", MONEY_DP), &w->paid[i]) != BS_OK)
			w->rc = BS_ERANGE;
	}
	json_object_put(o);
	return 0;
}

int plan_cons_pay_parts(struct planner *p, const struct cons_grp *g, struct cons_pay_part **out,
                        size_t *n)
{
	struct buf body;
	struct json_object *o = NULL, *info, *pi, *pt;
	struct paid_walk w = {g->target_kind == RECORD_CREDIT_NOTE ? "credit_note_id" : "sale_id",
	                      NULL, NULL, 0, BS_OK};
	int64_t *due = NULL, *alloc = NULL;
	size_t np = 0;
	int rc = BS_OK;

	*out = NULL;
	*n = 0;
	buf_init(&body, (size_t)16 << 20);
	if (store_record_get(p->st, g->target_kind, g->target, NULL, &body, NULL) == BS_OK &&
	    (o = json_tokener_parse(buf_cstr(&body))) != NULL &&
	    json_object_object_get_ex(o, "consolidation", &info) &&
	    json_object_object_get_ex(info, "part_ids", &pi) &&
	    json_object_object_get_ex(info, "part_totals", &pt) &&
	    json_object_is_type(pi, json_type_array) && json_object_is_type(pt, json_type_array) &&
	    json_object_array_length(pi) == json_object_array_length(pt))
		np = json_object_array_length(pi);
	if (np <= 1) {
		/* one document: all of it there */
		*out = calloc(1, sizeof(**out));
		if (*out == NULL) {
			rc = bs_error_set(p->err, BS_ENOMEM, "out of memory");
			goto out;
		}
		buf_copy((*out)[0].target, sizeof((*out)[0].target), g->target);
		(*out)[0].amount = g->total;
		*n = 1;
		goto out;
	}
	w.ids = calloc(np, sizeof(*w.ids));
	w.paid = calloc(np, sizeof(*w.paid));
	due = calloc(np, sizeof(*due));
	alloc = calloc(np, sizeof(*alloc));
	*out = calloc(np, sizeof(**out));
	if (w.ids == NULL || w.paid == NULL || due == NULL || alloc == NULL || *out == NULL) {
		rc = bs_error_set(p->err, BS_ENOMEM, "out of memory");
		goto out;
	}
	w.n = np;
	for (size_t i = 0; i < np; i++) {
		const char *id = json_object_get_string(json_object_array_get_idx(pi, i));
		const char *tot = json_object_get_string(json_object_array_get_idx(pt, i));

		buf_copy(w.ids[i], sizeof(w.ids[i]), id != NULL ? id : "");
		if (tot == NULL || money_parse(tot, strlen(tot), MONEY_DP, &due[i]) != BS_OK)
			due[i] = 0;
	}
	/* the payments naming each part, off the references' index: not
	 * every payment of the store, for every split document */
	for (size_t i = 0; rc == BS_OK && i < np; i++) {
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(w.ids[j], w.ids[i]) == 0;
		if (!seen && w.ids[i][0] != '\0')
			rc = store_records_referencing(p->st, RECORD_PAYMENT, w.field, w.ids[i],
			                               paid_cb, &w, p->err);
	}
	if (rc == BS_OK && w.rc != BS_OK)
		rc = bs_error_set(p->err, w.rc, "payments of %s out of range", g->target);
	for (size_t i = 0; rc == BS_OK && i < np; i++)
		due[i] -= w.paid[i];
	if (rc == BS_OK && (rc = cons_alloc_parts(g->total, due, np, alloc)) != BS_OK)
		rc = bs_error_set(p->err, rc, "a payment of %s can't be spread over its parts",
		                  g->target);
	for (size_t i = 0; rc == BS_OK && i < np; i++) {
		if (alloc[i] == 0)
			continue; /* a part paid already: nothing on it */
		buf_copy((*out)[*n].target, sizeof((*out)[0].target), w.ids[i]);
		(*out)[*n].amount = alloc[i];
		(*n)++;
	}
	if (rc == BS_OK && *n == 0) {
		/* nothing to pay (a zero total): the first part, as one document */
		buf_copy((*out)[0].target, sizeof((*out)[0].target), w.ids[0]);
		(*out)[0].amount = g->total;
		*n = 1;
	}
out:
	if (rc != BS_OK) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	json_object_put(o);
	buf_free(&body);
	free(w.ids);
	free(w.paid);
	free(due);
	free(alloc);
	return rc;
}
