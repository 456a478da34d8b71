/*
 * plan_cons_tasks.c - consolidated journals and money tasks, written as
 * records (docs/consolidation.md "Journals and money tasks"): one line
 * per account (and tax rate); a journal over CONS_MAX_LINES lines in
 * balanced parts (cons_split_journal).
 */
#include "sync/plan/plan_cons_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void jset(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static void jstr(struct json_object *o, const char *k, const char *v)
{
	if (v != NULL && v[0] != '\0')
		json_object_object_add(o, k, json_object_new_string(v));
}

/* A journal's line: debit positive, credit negative. */
static struct json_object *jline_json(const char *account, int64_t a, const char *desc)
{
	struct json_object *l = json_object_new_object();

	jstr(l, "account", account);
	jstr(l, "description", desc);
	jset(l, a > 0 ? "debit" : "credit", plan_cons_jdec(a > 0 ? a : -a, MONEY_DP, 0));
	return l;
}

/*
 * One record of a journal or money task group: the group's lines
 * [from, to) (journal lines of zero are left out) and, for a part of a
 * split journal, its carry lines on the rounding account.  part and parts
 * count from 1; the first part's name is in first_name ("" for part 1).
 */
static int write_task_part(struct planner *p, struct cons_grp *g, const struct cons_fx_out *fx,
                           size_t from, size_t to, const struct cons_jpart *jp, size_t part,
                           size_t parts, const char *first_name, struct buf *first)
{
	struct json_object *o = json_object_new_object(), *lines = json_object_new_array();
	enum record_kind k = plan_cons_kind(g->key.doc);
	enum money_tax_mode tm = g->key.tax_mode;
	struct buf name, id, sn;
	char date[11], carry[300];
	unsigned n;
	int64_t diff = 0;
	int rc;

	buf_init(&name, 1024);
	buf_init(&id, 1024);
	buf_init(&sn, 64);
	plan_cons_period_end(g->key.period, date);
	rc = plan_cons_next_name(p, &g->key, &name, &id);
	n = rc == BS_OK ? (unsigned)strtoul(strrchr(buf_cstr(&name), '-') + 1, NULL, 10) : 1;
	if (rc == BS_OK)
		rc = cons_short_name(&g->key, n, &sn);
	snprintf(carry, sizeof(carry), "balance carried between the parts of %s",
	         part == 1 ? buf_cstr(&name) : first_name);
	jstr(o, "kind", record_kind_name(k));
	jstr(o, "id", buf_cstr(&id));
	jstr(o, "date", date);
	jstr(o, "reference", buf_cstr(&name));
	if (jp != NULL && jp->carry_in != 0)
		json_object_array_add(lines,
		                      jline_json(plan_sv(p, PLAN_S_ROUNDING), jp->carry_in, carry));
	for (size_t i = from; i < to; i++) {
		struct json_object *l;
		int64_t a = g->lines[i].amount;

		if (k == RECORD_JOURNAL) {
			if (a != 0)
				json_object_array_add(lines,
				                      jline_json(g->lines[i].account, a, NULL));
			continue;
		}
		l = json_object_new_object();
		jstr(l, "account", g->lines[i].account);
		jset(l, "amount", plan_cons_jdec(a, MONEY_DP, 0));
		if (tm != MONEY_TAX_NONE)
			jset(l, "tax_rate", plan_cons_jdec(g->lines[i].tax_rate, PCT_DP, 0));
		json_object_array_add(lines, l);
	}
	if (jp != NULL && jp->carry_out != 0)
		json_object_array_add(
		    lines, jline_json(plan_sv(p, PLAN_S_ROUNDING), jp->carry_out, carry));
	if (k == RECORD_JOURNAL) {
		if (strcmp(g->key.currency, plan_sv(p, PLAN_S_BASE)) != 0) {
			jstr(o, "currency", g->key.currency);
			if (fx != NULL)
				jset(o, "fx_rate", plan_cons_jdec(fx->rate, FX_DP, 0));
		}
	} else {
		jstr(o, "direction", g->key.doc == CONS_DOC_RECEIVE ? "receive" : "spend");
		jstr(o, "bank_account", g->key.account);
		jstr(o, "tax_mode",
		     tm == MONEY_TAX_INCLUSIVE ? "inclusive"
		     : tm == MONEY_TAX_NONE    ? "none"
		                               : "exclusive");
		if (plan_cons_rounding_diff(g, tm, &diff) == BS_OK && diff != 0) {
			struct json_object *r = json_object_new_object();

			jstr(r, "account", plan_sv(p, PLAN_S_ROUNDING));
			jstr(r, "description",
			     "Rounding: tax of the members, each rounded on its own");
			jset(r, "amount", plan_cons_jdec(diff, MONEY_DP, 0));
			if (tm != MONEY_TAX_NONE)
				jset(r, "tax_rate", json_object_new_string("0"));
			json_object_array_add(lines, r);
		}
	}
	jset(o, "lines", lines);
	jset(o, "consolidation",
	     plan_cons_info(g, buf_cstr(&name), buf_cstr(&sn), part, parts, fx));
	if (rc == BS_OK)
		rc = plan_cons_put(p, o);
	if (rc == BS_OK && part == 1) {
		buf_reset(first);
		buf_printf(first, "%s\n%s", buf_cstr(&id), buf_cstr(&name));
	}
	json_object_put(o);
	buf_free(&name);
	buf_free(&id);
	buf_free(&sn);
	return rc;
}

/*
 * A journal or money task of a group: one line per account (and tax rate),
 * no reference data (no contact: a money task takes the
 * money_task_contact setting's).  Journals net each account: the members
 * balance, so the sum does; over CONS_MAX_LINES lines a journal goes in
 * balanced parts (cons_split_journal), each carrying the balance to the
 * next on the rounding account.
 */
int plan_cons_write_task(struct planner *p, struct cons_grp *g, const struct cons_fx_out *fx,
                         struct buf *first)
{
	struct cons_jpart *parts = NULL;
	int64_t *amounts = NULL;
	struct cons_line_out *kept = NULL;
	size_t nk = 0, np;
	int st = BS_OK, rc = BS_OK;
	char first_name[300] = "";

	if (plan_cons_kind(g->key.doc) != RECORD_JOURNAL || g->nlines <= CONS_MAX_LINES)
		return write_task_part(p, g, fx, 0, g->nlines, NULL, 1, 1, "", first);
	/* the journal's lines of zero are left out before splitting */
	amounts = calloc(g->nlines, sizeof(*amounts));
	kept = calloc(g->nlines, sizeof(*kept));
	if (amounts == NULL || kept == NULL) {
		rc = bs_error_set(p->err, BS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < g->nlines; i++) {
		if (g->lines[i].amount != 0) {
			kept[nk] = g->lines[i];
			amounts[nk++] = g->lines[i].amount;
		}
	}
	np = cons_split_journal(amounts, nk, 0, NULL, 0, &st);
	if (st == BS_OK && np > 0 && (parts = calloc(np, sizeof(*parts))) == NULL)
		st = BS_ENOMEM;
	if (st == BS_OK)
		cons_split_journal(amounts, nk, 0, parts, np, &st);
	if (st != BS_OK) {
		rc = bs_error_set(p->err, st, "consolidated journal %s: its lines do not balance",
		                  g->key.period);
		goto out;
	}
	{
		/* the parts are written over the kept lines */
		struct cons_line_out *all = g->lines;
		size_t nall = g->nlines;

		g->lines = kept;
		g->nlines = nk;
		for (size_t k = 0; rc == BS_OK && k < np; k++) {
			rc = write_task_part(p, g, fx, parts[k].first,
			                     parts[k].first + parts[k].count, &parts[k], k + 1, np,
			                     first_name, first);
			if (rc == BS_OK && k == 0)
				snprintf(first_name, sizeof(first_name), "%s",
				         strchr(first->ptr, '\n') + 1);
		}
		g->lines = all;
		g->nlines = nall;
	}
out:
	free(parts);
	free(amounts);
	free(kept);
	return rc;
}
