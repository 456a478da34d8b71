/*
 * events.c - adding events for the source system (see events.h).
 */
#include "events/events.h"

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
