/*
 * events.c - adding events for the source system (see events.h).
 */
#include "events/events.h"

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
	int rc;

	if (data_json == NULL)
		data_json = "{}";
	o = json_tokener_parse(data_json);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		rc = bs_error_set(err, BS_EINVAL, "event data must be a JSON object");
		goto out;
	}
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
	json_object_put(o);
	return rc;
}
