/*
 * hooks.c - the ledgers' webhook signature and envelope (hooks.h).
 *
 * An event's identity is the fields that say what happened to which record
 * when (tenant, category, id, type, time): the same change sent twice, or a
 * body replayed, has the same identity, so the inbox keeps it once.
 */
#include "events/hooks.h"

#include "core/jsonr.h"

#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

bool hooks_verify(const char *key, const char *body, size_t len, const char *sig)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES], got[crypto_auth_hmacsha256_BYTES + 4];
	crypto_auth_hmacsha256_state h;
	size_t glen = 0;
	bool ok;

	if (key == NULL || key[0] == '\0' || sig == NULL || (body == NULL && len > 0))
		return false;
	if (sodium_init() < 0)
		return false;
	/* decoding first: a header of another length fails without a compare */
	if (sodium_base642bin(got, sizeof(got), sig, strlen(sig), NULL, &glen, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    glen != sizeof(mac))
		return false;
	crypto_auth_hmacsha256_init(&h, (const unsigned char *)key, strlen(key));
	if (len > 0)
		crypto_auth_hmacsha256_update(&h, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&h, mac);
	ok = sodium_memcmp(mac, got, sizeof(mac)) == 0;
	sodium_memzero(&h, sizeof(h));
	return ok;
}

static const char *str_or(json_object *o, const char *key, const char *dflt)
{
	const char *v = jsonr_str(o, key);

	return v != NULL ? v : dflt;
}

static int xero_events(json_object *root, hooks_event_cb cb, void *arg, struct bs_error *err)
{
	json_object *evs = NULL;
	int rc = BS_OK;

	if (!json_object_object_get_ex(root, "events", &evs) ||
	    !json_object_is_type(evs, json_type_array))
		return bs_error_set(err, BS_EINVAL, "not a Xero webhook body (no events array)");
	for (size_t i = 0; rc == BS_OK && i < json_object_array_length(evs); i++) {
		json_object *e = json_object_array_get_idx(evs, i);
		char target[96], identity[512];
		struct hooks_event ev;
		const char *tenant = str_or(e, "tenantId", NULL);

		if (tenant == NULL || jsonr_str(e, "resourceId") == NULL)
			return bs_error_set(err, BS_EINVAL,
			                    "a Xero event without tenantId or resourceId");
		snprintf(target, sizeof(target), "xero:%s", tenant);
		ev.target = target;
		ev.category = str_or(e, "eventCategory", "");
		ev.resource = str_or(e, "resourceId", "");
		snprintf(identity, sizeof(identity), "%s|%s|%s|%s|%s", tenant, ev.category,
		         ev.resource, str_or(e, "eventType", ""), str_or(e, "eventDateUtc", ""));
		ev.identity = identity;
		ev.json = json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN);
		ev.contact = strcmp(ev.category, "CONTACT") == 0;
		rc = cb(arg, &ev);
	}
	return rc;
}

static int qbo_events(json_object *root, hooks_event_cb cb, void *arg, struct bs_error *err)
{
	json_object *notes = NULL;
	int rc = BS_OK;

	if (!json_object_object_get_ex(root, "eventNotifications", &notes) ||
	    !json_object_is_type(notes, json_type_array))
		return bs_error_set(err, BS_EINVAL,
		                    "not a QBO webhook body (no eventNotifications)");
	for (size_t i = 0; rc == BS_OK && i < json_object_array_length(notes); i++) {
		json_object *n = json_object_array_get_idx(notes, i), *dce = NULL, *ents = NULL;
		const char *realm = str_or(n, "realmId", NULL);

		if (realm == NULL || !json_object_object_get_ex(n, "dataChangeEvent", &dce) ||
		    !json_object_object_get_ex(dce, "entities", &ents) ||
		    !json_object_is_type(ents, json_type_array))
			return bs_error_set(err, BS_EINVAL,
			                    "a QBO notification without realmId or entities");
		for (size_t j = 0; rc == BS_OK && j < json_object_array_length(ents); j++) {
			json_object *e = json_object_array_get_idx(ents, j);
			char target[96], identity[512];
			struct hooks_event ev;

			if (jsonr_str(e, "id") == NULL || jsonr_str(e, "name") == NULL)
				return bs_error_set(err, BS_EINVAL,
				                    "a QBO entity without name or id");
			snprintf(target, sizeof(target), "qbo:%s", realm);
			ev.target = target;
			ev.category = str_or(e, "name", "");
			ev.resource = str_or(e, "id", "");
			snprintf(identity, sizeof(identity), "%s|%s|%s|%s|%s", realm, ev.category,
			         ev.resource, str_or(e, "operation", ""),
			         str_or(e, "lastUpdated", ""));
			ev.identity = identity;
			ev.json = json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN);
			ev.contact = strcmp(ev.category, "Customer") == 0 ||
			             strcmp(ev.category, "Vendor") == 0;
			rc = cb(arg, &ev);
		}
	}
	return rc;
}

int hooks_parse(const char *source, const char *body, hooks_event_cb cb, void *arg,
                struct bs_error *err)
{
	json_object *root;
	int rc;

	if (source == NULL || body == NULL || cb == NULL)
		return bs_error_set(err, BS_EINVAL, "hooks_parse: missing argument");
	root = json_tokener_parse(body);
	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		rc = bs_error_set(err, BS_EINVAL, "the webhook body is not a JSON object");
		goto out;
	}
	if (strcmp(source, "xero") == 0)
		rc = xero_events(root, cb, arg, err);
	else if (strcmp(source, "qbo") == 0)
		rc = qbo_events(root, cb, arg, err);
	else
		rc = bs_error_set(err, BS_EINVAL, "no webhook source '%s'", source);
out:
	json_object_put(root);
	return rc;
}
