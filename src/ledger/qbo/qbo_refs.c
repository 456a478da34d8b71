/*
 * qbo_refs.c - the code -> id maps of a QBO connection (see qbo_int.h).
 *
 * The engine names an account by code and a tax code by name; QBO wants
 * Ids.  Connect saved both lists with their ids (settings chart:<target>,
 * taxrates:<target>, written by src/sync/onboard.c from qbo_read's
 * entities): an account's code is its AcctNum, or its Name when it has no
 * AcctNum; a tax code's code is its Name.  An account may also be named by
 * its Name when its code is a number, as people write either.  Sorted
 * arrays and bsearch: a chart has hundreds of entries, looked up per line.
 */
#include "ledger/qbo/qbo_int.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ref {
	char *key;
	int prio; /* 0 a code, 1 a name: a code wins over another entry's name */
	char id[LEDGER_ID_MAX];
};

struct refmap {
	struct ref *v;
	size_t n;
};

struct qbo_refs {
	struct refmap accounts, taxes;
};

static int ref_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ref *)a)->key, ((const struct ref *)b)->key);
}

static int ref_sort_cmp(const void *a, const void *b)
{
	int c = ref_cmp(a, b);

	return c != 0 ? c : ((const struct ref *)a)->prio - ((const struct ref *)b)->prio;
}

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return json_object_get_string(v);
}

/* Each entry's code (and, for accounts, name) -> id; entries without an id
 * (a ledger that does not need them) are skipped. */
static int map_build(const char *json, bool names_too, const char *what, struct refmap *m,
                     struct bs_error *err)
{
	struct json_object *a;
	size_t n, k = 0;
	int rc = BS_OK;

	if (json == NULL || json[0] == '\0')
		return BS_OK;
	a = json_tokener_parse(json);
	if (a == NULL || !json_object_is_type(a, json_type_array)) {
		json_object_put(a);
		return bs_error_set(err, BS_EINVAL, "the saved %s is not a JSON array: reconnect",
		                    what);
	}
	n = json_object_array_length(a);
	m->v = n > 0 ? calloc(n * 2, sizeof(*m->v)) : NULL;
	if (n > 0 && m->v == NULL) {
		json_object_put(a);
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n && rc == BS_OK; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		const char *keys[2] = {str_of(e, "code"), names_too ? str_of(e, "name") : NULL};
		const char *id = str_of(e, "id");

		if (id == NULL || id[0] == '\0' || strlen(id) >= LEDGER_ID_MAX)
			continue;
		for (int j = 0; j < 2 && rc == BS_OK; j++) {
			if (keys[j] == NULL || keys[j][0] == '\0' ||
			    (j == 1 && keys[0] != NULL && strcmp(keys[0], keys[1]) == 0))
				continue;
			m->v[k].key = strdup(keys[j]);
			if (m->v[k].key == NULL)
				rc = bs_error_set(err, BS_ENOMEM, "out of memory");
			else {
				m->v[k].prio = j;
				snprintf(m->v[k++].id, LEDGER_ID_MAX, "%s", id);
			}
		}
	}
	m->n = k;
	if (k > 1)
		qsort(m->v, k, sizeof(*m->v), ref_sort_cmp);
	json_object_put(a);
	return rc;
}

static void map_free(struct refmap *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].key);
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

int qbo_refs_new(const char *chart_json, const char *tax_json, struct qbo_refs **out,
                 struct bs_error *err)
{
	struct qbo_refs *r = calloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	if (r == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	rc = map_build(chart_json, true, "chart of accounts", &r->accounts, err);
	if (rc == BS_OK)
		rc = map_build(tax_json, false, "list of tax codes", &r->taxes, err);
	if (rc != BS_OK) {
		qbo_refs_free(r);
		return rc;
	}
	*out = r;
	return BS_OK;
}

void qbo_refs_free(struct qbo_refs *r)
{
	if (r == NULL)
		return;
	map_free(&r->accounts);
	map_free(&r->taxes);
	free(r);
}

int qbo_refs_resolve(const struct qbo_refs *r, const char *symbol, char *id)
{
	const struct refmap *m;
	struct ref probe = {0}, *hit;
	size_t la = strlen(QBO_SYM_ACCOUNT), lt = strlen(QBO_SYM_TAXCODE);

	if (strncmp(symbol, QBO_SYM_ACCOUNT, la) == 0) {
		m = &r->accounts;
		probe.key = (char *)(uintptr_t)(symbol + la);
	} else if (strncmp(symbol, QBO_SYM_TAXCODE, lt) == 0) {
		m = &r->taxes;
		probe.key = (char *)(uintptr_t)(symbol + lt);
	} else {
		return BS_EINVAL;
	}
	if (m->n == 0 || probe.key[0] == '\0')
		return BS_ENOTFOUND;
	hit = bsearch(&probe, m->v, m->n, sizeof(*m->v), ref_cmp);
	if (hit == NULL)
		return BS_ENOTFOUND;
	while (hit > m->v && ref_cmp(hit - 1, &probe) == 0)
		hit--; /* the first of equal keys: a code before a name */
	memcpy(id, hit->id, LEDGER_ID_MAX);
	return BS_OK;
}
