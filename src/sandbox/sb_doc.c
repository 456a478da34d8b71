/*
 * sb_doc.c - what the sandbox's document builders have in common: amounts
 * and currencies, account and contact references (a new contact Name
 * creates the contact, as Xero does), lock dates, date fields, and applying
 * a payment or allocation to the invoice or credit note it settles.
 */
#include "sandbox/sb_doc_int.h"

#include "core/civil.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Amount field at most `dp` decimals after rounding with the sandbox's rule. */
int sb_parse_amount(struct sb_txn *t, json_object *v, int dp, int64_t *out)
{
	int64_t raw;
	int rc = sb_jdec(v, MONEY_DP, MONEY_DP, &raw);

	if (rc != BS_OK)
		return rc;
	return money_round(raw, MONEY_DP, dp, t->sb->rounding, out);
}

int sb_cur_dp(const char *code)
{
	int e = code ? money_currency_exponent(code) : 2;

	return e < 0 ? 2 : e > 2 ? 2 : e;
}

const char *sb_base_currency(struct sb_txn *t)
{
	const char *c = sb_jstr(t->tn->org, "BaseCurrency");

	return c ? c : "NZD";
}

struct sb_doc *sb_find_account(struct sb_txn *t, json_object *ref)
{
	const char *id, *code;

	if (ref == NULL)
		return NULL;
	if (json_object_is_type(ref, json_type_string))
		return sb_find_num(t->tn, SBK_ACCOUNTS, json_object_get_string(ref));
	if ((id = sb_jstr(ref, "AccountID")) != NULL)
		return sb_find(t->tn, SBK_ACCOUNTS, id);
	if ((code = sb_jstr(ref, "Code")) != NULL)
		return sb_find_num(t->tn, SBK_ACCOUNTS, code);
	return NULL;
}

static json_object *contact_ref(json_object *c)
{
	json_object *o = json_object_new_object();

	sb_jcopy(o, c, "ContactID");
	sb_jcopy(o, c, "ContactNumber");
	sb_jcopy(o, c, "Name");
	sb_jcopy(o, c, "ContactStatus");
	json_object_object_add(o, "HasValidationErrors", json_object_new_boolean(0));
	return o;
}

/* Resolve a document's Contact: by ContactID, ContactNumber or Name; a new
 * Name creates the contact, as Xero does. */
json_object *sb_resolve_contact(struct sb_txn *t, json_object *ref, struct sb_errs *errs)
{
	const char *id = sb_jstr(ref, "ContactID"), *num = sb_jstr(ref, "ContactNumber"),
	           *name = sb_jstr(ref, "Name");
	struct sb_doc *d = NULL;

	if (ref == NULL || !json_object_is_type(ref, json_type_object) ||
	    ((id == NULL || !*id) && (num == NULL || !*num) && (name == NULL || !*name))) {
		sb_err(errs, "The Contact must contain at least 1 of the following elements to "
		             "identify the contact: Name, ContactID, ContactNumber");
		return NULL;
	}
	if (id != NULL && *id) {
		d = sb_find(t->tn, SBK_CONTACTS, id);
		if (d == NULL) {
			sb_err(errs, "Contact with ContactID %s could not be found", id);
			return NULL;
		}
		return contact_ref(d->obj);
	}
	if (num != NULL && *num) {
		struct sb_coll *c = &t->tn->coll[SBK_CONTACTS];

		for (size_t i = 0; i < c->n; i++) {
			const char *cn = sb_jstr(c->docs[i]->obj, "ContactNumber");

			if (cn && strcmp(cn, num) == 0)
				return contact_ref(c->docs[i]->obj);
		}
		if (name == NULL || !*name) {
			sb_err(errs, "Contact with ContactNumber %s could not be found", num);
			return NULL;
		}
	}
	d = sb_find_num(t->tn, SBK_CONTACTS, name);
	if (d != NULL)
		return contact_ref(d->obj);
	{
		json_object *nc = json_object_new_object(), *built = NULL;

		sb_jset_str(nc, "Name", name);
		if (num != NULL && *num)
			sb_jset_str(nc, "ContactNumber", num);
		if (sb_build_contact(t, nc, NULL, &built, errs) != BS_OK ||
		    sb_put(t, SBK_CONTACTS, NULL, built, &d) != BS_OK) {
			json_object_put(nc);
			if (errs->n == 0)
				sb_err(errs, "Contact could not be created");
			return NULL;
		}
		json_object_put(nc);
		return contact_ref(d->obj);
	}
}

int sb_lock_check(struct sb_txn *t, int64_t date_ms, struct sb_errs *errs)
{
	char d[48];

	if (t->tn->eoy_lock_ms != INT64_MIN && date_ms <= t->tn->eoy_lock_ms) {
		sb_isodate(d, sizeof(d), t->tn->eoy_lock_ms, false);
		d[10] = '\0';
		sb_err(
		    errs,
		    "The document date cannot be before the end of year lock date, currently set "
		    "at %s",
		    d);
		return BS_EINVAL;
	}
	if (t->tn->period_lock_ms != INT64_MIN && date_ms <= t->tn->period_lock_ms) {
		sb_isodate(d, sizeof(d), t->tn->period_lock_ms, false);
		d[10] = '\0';
		sb_err(
		    errs,
		    "The document date cannot be before the period lock date, currently set at %s",
		    d);
		return BS_EINVAL;
	}
	return BS_OK;
}

int64_t sb_today_ms(struct sb_txn *t)
{
	return t->now - ((t->now % 86400000) + 86400000) % 86400000;
}

/* A date field: absent -> dflt (returns BS_ENOTFOUND when dflt is INT64_MIN). */
int sb_get_date(json_object *in, const char *key, int64_t dflt, int64_t *out, struct sb_errs *errs)
{
	json_object *v;

	if (!json_object_object_get_ex(in, key, &v) || v == NULL ||
	    (json_object_is_type(v, json_type_string) && json_object_get_string_len(v) == 0)) {
		*out = dflt;
		return dflt == INT64_MIN ? BS_ENOTFOUND : BS_OK;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    civil_parse(json_object_get_string(v), out) != BS_OK) {
		sb_err(errs, "%s is not a valid date", key);
		return BS_EINVAL;
	}
	*out -= ((*out % 86400000) + 86400000) % 86400000;
	return BS_OK;
}

void sb_doc_id(const struct sb_doc *old, char id[40])
{
	if (old != NULL)
		snprintf(id, 40, "%s", old->id);
	else
		sb_uuid(id);
}

json_object *sb_doc_ref(const struct sb_doc *d, const char *idf, const char *numf)
{
	json_object *o = json_object_new_object();

	sb_jcopy(o, d->obj, idf);
	sb_jcopy(o, d->obj, numf);
	return o;
}

struct sb_doc *sb_find_doc_ref(struct sb_txn *t, json_object *ref, int kind, const char *idf,
                               const char *numf)
{
	const char *id = sb_jstr(ref, idf), *num = sb_jstr(ref, numf);

	if (ref == NULL)
		return NULL;
	if (id != NULL)
		return sb_find(t->tn, kind, id);
	if (num == NULL)
		return NULL;
	return sb_find_number(t->tn, kind, num);
}

/* Apply `amount` (may be negative: a reversal) to an invoice or credit note. */
int sb_apply_to_doc(struct sb_txn *t, int kind, struct sb_doc *d, int64_t amount, const char *list,
                    json_object *entry, const char *field, int64_t date)
{
	json_object *o = NULL, *arr;
	int64_t due, done;
	const char *due_f = kind == SBK_INVOICES ? "AmountDue" : "RemainingCredit";
	int rc;

	if (json_object_deep_copy(d->obj, &o, NULL) != 0)
		return BS_ENOMEM;
	due = sb_jamount(o, due_f) - amount;
	sb_jset_amount(o, due_f, due, 2);
	if (kind == SBK_INVOICES) {
		done = sb_jamount(o, field) + amount;
		sb_jset_amount(o, field, done, 2);
	}
	if (entry != NULL) {
		arr = json_object_object_get(o, list);
		if (arr == NULL || !json_object_is_type(arr, json_type_array)) {
			arr = json_object_new_array();
			json_object_object_add(o, list, arr);
		}
		json_object_array_add(arr, entry);
	}
	if (due == 0 && amount > 0) {
		sb_jset_str(o, "Status", "PAID");
		sb_jset_date(o, "FullyPaidOnDate", NULL, date);
	} else if (due != 0 && strcmp(sb_jstr(o, "Status"), "PAID") == 0) {
		sb_jset_str(o, "Status", "AUTHORISED");
		json_object_object_del(o, "FullyPaidOnDate");
	}
	sb_jset_date(o, "UpdatedDateUTC", NULL, t->now);
	rc = sb_put(t, kind, d, o, NULL);
	return rc;
}

/* Drop the entry whose `idf` is `id` from the array `list` of doc, if there. */
static void remove_entry(json_object *doc, const char *list, const char *idf, const char *id)
{
	json_object *arr = json_object_object_get(doc, list);

	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		const char *x = sb_jstr(json_object_array_get_idx(arr, i), idf);

		if (x && strcasecmp(x, id) == 0) {
			json_object_array_del_idx(arr, i, 1);
			break;
		}
	}
}

int sb_unapply(struct sb_txn *t, int kind, struct sb_doc *d, int64_t amount, const char *field,
               const char *list, const char *idf, const char *id)
{
	json_object *copy = NULL;

	/* sb_put keeps the struct sb_doc of an update: d stays valid */
	if (sb_apply_to_doc(t, kind, d, -amount, NULL, NULL, field, t->now) != BS_OK)
		return BS_ENOMEM;
	if (json_object_deep_copy(d->obj, &copy, NULL) != 0)
		return BS_ENOMEM;
	remove_entry(copy, list, idf, id);
	return sb_put(t, kind, d, copy, NULL);
}
