/*
 * api_data_int.h - the handlers of the record, list and settings endpoints (see api_int.h for the
 * handler contract and api_routes.c for their paths).
 */
#ifndef BS_API_API_DATA_INT_H
#define BS_API_API_DATA_INT_H

#include "api/api_int.h"
#include "model/record.h"

/* api_h_records.c */
void api_h_records_post(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
void api_h_record_get(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
void api_h_record_reset(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
void api_h_refused_dismiss(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
void api_h_history(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);

/* api_h_resync.c */
void api_h_record_resync(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);

/* api_h_lists.c */
void api_h_pending(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
void api_h_errors(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
void api_h_refused(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
void api_h_tabs(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
void api_h_stats_daily(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);

/* api_h_consolidated.c */
void api_h_consolidated(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);

/* api_h_inbound.c: payments imported from the ledger (docs/inbound.md) */
void api_h_inbound(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
void api_h_inbound_reconciled(struct api_ctx *c, const struct http_req *req,
                              struct http_resp *resp);

/* api_h_settings.c */
/* api_h_events.c: the events outbox (docs/events.md) */
void api_h_events(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
void api_h_event_redeliver(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
/* api_h_webhooks.c: the ledgers' webhooks, signed, no token (docs/serve.md) */
void api_h_webhook_xero(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
void api_h_webhook_qbo(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
void api_h_settings_get(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
void api_h_settings_put(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);

/* ---- helpers the area's files share (api_h_lists.c) ---- */

/*
 * ?limit= into *out (dflt when absent): a whole number 1..500, else a 400
 * naming "limit" is answered and BS_EINVAL returned.
 */
int api_data_limit(const struct http_req *req, struct http_resp *resp, size_t dflt, size_t *out);

/*
 * The target the request means (store_target_pick of `want`, NULL or ""
 * for the only one connected; *target NULL when none is).  An unknown
 * target, or none named while several are connected, is answered 400
 * naming "target"; a store error by its status.  *target points into tbuf.
 */
int api_data_target(struct api_ctx *c, const char *want, struct http_resp *resp, struct buf *tbuf,
                    const char **target);

/* An amount as the currency writes it ("123.45"; base currency: 2 dp). */
int api_data_money(struct buf *b, int64_t micros, const char *currency);

/* A JSON string, or null for NULL or "". */
int api_data_str_or_null(struct buf *b, const char *s);

/* Open a record's JSON object with its identity:
 * {"ref":"KIND:ID","kind":"KIND","id":"ID" (the caller goes on and closes it). */
void api_data_record_open(struct buf *b, const char *kind, const char *id);

/* The actor of a state change made through the API: "api:<name>". */
void api_data_actor(const struct api_ctx *c, char *out, size_t n);

/*
 * The path's {kind} and {id} (param[0], param[1]) as a stored record:
 * an unknown kind is a 404 naming "kind", a record that is not there a 404.
 * Returns BS_OK or the error already answered.
 */
int api_data_record(struct api_ctx *c, struct http_resp *resp, enum record_kind *kind,
                    char id[RECORD_ID_MAX + 1]);

#endif
