/*
 * sb_doc_contact.c - Contacts: a unique Name (case-insensitively, archived
 * included), field lengths, ContactStatus; other fields pass through as
 * sent, less the read-only ones.
 */
#include "sandbox/sb_doc_int.h"

#include <stdio.h>
#include <string.h>

static const char *const readonly_fields[] = {
    "UpdatedDateUTC", "HasValidationErrors", "ValidationErrors", "StatusAttributeString",
    "Warnings",       "HasErrors",           "HasAttachments",
};

int sb_build_contact(struct sb_txn *t, json_object *in, const struct sb_doc *old, json_object **out,
                     struct sb_errs *errs)
{
	const char *name = sb_jstr(in, "Name"), *st = sb_jstr(in, "ContactStatus");
	json_object *o;
	struct sb_doc *dup;
	char id[40];
	static const struct {
		const char *f;
		size_t max;
	} lens[] = {{"Name", 255},         {"ContactNumber", 50}, {"AccountNumber", 50},
	            {"EmailAddress", 255}, {"FirstName", 255},    {"LastName", 255}};

	if (name == NULL || !*name) {
		sb_err(errs, "The contact name must be specified");
		return BS_EINVAL;
	}
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		const char *s = sb_jstr(in, lens[i].f);

		if (s != NULL && strlen(s) > lens[i].max) {
			sb_err(errs, "%s must be %zu characters or less", lens[i].f, lens[i].max);
			return BS_EINVAL;
		}
	}
	if (st == NULL)
		st = "ACTIVE";
	if (strcmp(st, "ACTIVE") != 0 && strcmp(st, "ARCHIVED") != 0 &&
	    strcmp(st, "GDPRREQUEST") != 0) {
		sb_err(errs, "ContactStatus must be ACTIVE, ARCHIVED or GDPRREQUEST");
		return BS_EINVAL;
	}
	dup = sb_find_num(t->tn, SBK_CONTACTS, name);
	if (dup != NULL && dup != old) {
		sb_err(errs,
		       "The contact name %s is already assigned to another contact. The contact "
		       "name must be unique across all active contacts.",
		       name);
		return BS_EINVAL;
	}
	o = json_object_new_object();
	sb_doc_id(old, id);
	sb_jset_str(o, "ContactID", id);
	json_object_object_foreach(in, key, val)
	{
		bool ro = strcmp(key, "ContactID") == 0;

		for (size_t i = 0; i < sizeof(readonly_fields) / sizeof(readonly_fields[0]); i++)
			if (strcmp(key, readonly_fields[i]) == 0)
				ro = true;
		if (!ro)
			json_object_object_add(o, key, json_object_get(val));
	}
	sb_jset_str(o, "ContactStatus", st);
	if (json_object_object_get(o, "Addresses") == NULL)
		json_object_object_add(o, "Addresses", json_object_new_array());
	if (json_object_object_get(o, "Phones") == NULL)
		json_object_object_add(o, "Phones", json_object_new_array());
	if (json_object_object_get(o, "ContactGroups") == NULL)
		json_object_object_add(o, "ContactGroups", json_object_new_array());
	if (json_object_object_get(o, "ContactPersons") == NULL)
		json_object_object_add(o, "ContactPersons", json_object_new_array());
	json_object_object_add(o, "IsSupplier",
	                       json_object_new_boolean(sb_jbool(in, "IsSupplier", false)));
	json_object_object_add(o, "IsCustomer",
	                       json_object_new_boolean(sb_jbool(in, "IsCustomer", false)));
	json_object_object_add(o, "HasAttachments", json_object_new_boolean(0));
	json_object_object_add(o, "HasValidationErrors", json_object_new_boolean(0));
	sb_jset_date(o, "UpdatedDateUTC", NULL, t->now);
	*out = o;
	return BS_OK;
}
