/*
 * events.c - adding events for the source system (see events.h).
 */
#include "events/events.h"

#include "core/buf.h"
#include "core/jsonw.h"
#include "store/store.h"
#include "store/store_events.h"

#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

int events_emit(struct store *st, const char *type, const char *target, const char *data_json,
                int64_t now_ms, char *id_out, struct bs_error *err)
{
	unsigned char raw[16];
	char id[STORE_EVENT_ID_MAX], hex[sizeof(raw) * 2 + 1];
	json_object *o = NULL;
	struct buf url;
	int rc;

	buf_init(&url, 4096);
	if (id_out != NULL)
		id_out[0] = '\0';
	if (data_json == NULL)
		data_json = "{}";
	o = json_tokener_parse(data_json);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		rc = bs_error_set(err, BS_EINVAL, "event data must be a JSON object");
		goto out;
	}
	/* no receiver, no outbox: checked here so every producer obeys it */
	rc = store_setting_get(st, "events.url", &url, err);
	if (rc == BS_ENOTFOUND || (rc == BS_OK && buf_cstr(&url)[0] == '\0')) {
		bs_error_clear(err);
		rc = BS_OK;
		goto out;
	}
	if (rc != BS_OK)
		goto out;
	if (sodium_init() < 0) {
		rc = bs_error_set(err, BS_EIO, "libsodium cannot start");
		goto out;
	}
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	snprintf(id, sizeof(id), "evt_%s", hex);
	rc = store_event_add(st, id, type, target, data_json, now_ms, NULL, err);
	if (rc == BS_OK && id_out != NULL)
		memcpy(id_out, id, strlen(id) + 1);
out:
	buf_free(&url);
	json_object_put(o);
	return rc;
}

int events_emit_document(struct store *st, bool posted, const char *target, const char *kind,
                         const char *id, const char *doc_type, const char *reason, int64_t now_ms,
                         struct bs_error *err)
{
	struct buf data;
	int rc;

	buf_init(&data, 0);
	rc = buf_addstr(&data, "{");
	if (rc == BS_OK)
		rc = jsonw_kv_str(&data, 0, "kind", kind != NULL ? kind : "");
	if (rc == BS_OK)
		rc = jsonw_kv_str(&data, 1, "id", id != NULL ? id : "");
	if (rc == BS_OK && doc_type != NULL && doc_type[0] != '\0')
		rc = jsonw_kv_str(&data, 1, "doc_type", doc_type);
	if (rc == BS_OK && reason != NULL && reason[0] != '\0')
		rc = jsonw_kv_str(&data, 1, "reason", reason);
	if (rc == BS_OK)
		rc = buf_addstr(&data, "}");
	if (rc == BS_OK)
		rc = events_emit(st, posted ? EVENTS_DOCUMENT_POSTED : EVENTS_DOCUMENT_FAILED,
		                 target, buf_cstr(&data), now_ms, NULL, err);
	else
		rc = bs_error_set(err, rc, "the event's data does not fit");
	buf_free(&data);
	return rc;
}
