/*
 * api_routes.c - every endpoint of /api/v1/ and the scope it needs.
 *
 * The first row whose method and pattern match wins; a path that matches
 * a pattern under another method answers 405.  docs/openapi.yaml describes
 * each of these; keep the two in step.
 */
#include "api/api_auth_int.h"
#include "api/api_data_int.h"
#include "api/api_jobs_int.h"

const struct api_route api_routes[] = {
    /* ---- session, users, health (api_auth.c, api_h_session.c) ---- */
    {"POST", "/api/v1/session", 0, api_h_session_post},
    {"GET", "/api/v1/session", 0, api_h_session_get},
    {"DELETE", "/api/v1/session", 0, api_h_session_delete},
    {"GET", "/api/v1/healthz", 0, api_h_healthz},
    {"GET", "/api/v1/users", API_SCOPE_ADMIN, api_h_users_list},
    {"POST", "/api/v1/users", API_SCOPE_ADMIN, api_h_users_add},
    {"DELETE", "/api/v1/users/{name}", API_SCOPE_ADMIN, api_h_users_remove},

    /* ---- sync, jobs, connections, metrics (api_jobs.c, api_h_*.c) ---- */
    {"POST", "/api/v1/sync", API_SCOPE_SYNC, api_h_sync},
    {"GET", "/api/v1/jobs/{id}", API_SCOPE_READ, api_h_job},
    {"GET", "/api/v1/jobs", API_SCOPE_READ, api_h_jobs},
    {"GET", "/api/v1/connections", API_SCOPE_ADMIN, api_h_connections},
    {"POST", "/api/v1/connections/{ledger}", API_SCOPE_ADMIN, api_h_connect},
    {"DELETE", "/api/v1/connections/{ledger}", API_SCOPE_ADMIN, api_h_disconnect},
    {"GET", "/api/v1/connections/{ledger}/callback", 0, api_h_connect_callback},
    {"GET", "/api/v1/metrics", API_SCOPE_READ, api_h_metrics},

    /* ---- records, lists, settings (api_h_*.c) ---- */
    {"POST", "/api/v1/records", API_SCOPE_RECORDS_WRITE, api_h_records_post},
    {"GET", "/api/v1/records/{kind}/{id}", API_SCOPE_READ, api_h_record_get},
    {"POST", "/api/v1/records/{kind}/{id}/resync", API_SCOPE_SYNC, api_h_record_resync},
    {"POST", "/api/v1/records/{kind}/{id}/reset", API_SCOPE_SYNC, api_h_record_reset},
    {"GET", "/api/v1/history/{kind}/{id}", API_SCOPE_READ, api_h_history},
    {"GET", "/api/v1/pending", API_SCOPE_READ, api_h_pending},
    {"GET", "/api/v1/errors", API_SCOPE_READ, api_h_errors},
    {"GET", "/api/v1/refused", API_SCOPE_READ, api_h_refused},
    {"DELETE", "/api/v1/refused/{kind}/{id}", API_SCOPE_SYNC, api_h_refused_dismiss},
    {"GET", "/api/v1/tabs", API_SCOPE_READ, api_h_tabs},
    {"GET", "/api/v1/stats/daily", API_SCOPE_READ, api_h_stats_daily},
    {"GET", "/api/v1/consolidated", API_SCOPE_READ, api_h_consolidated},
    {"GET", "/api/v1/settings", API_SCOPE_ADMIN, api_h_settings_get},
    {"PUT", "/api/v1/settings", API_SCOPE_ADMIN, api_h_settings_put},

    /* ---- events out, inbound payments, webhooks in (api_h_events.c, ...) ---- */
    {"GET", "/api/v1/events", API_SCOPE_READ, api_h_events},
    {"POST", "/api/v1/events/{id}/redeliver", API_SCOPE_SYNC, api_h_event_redeliver},
    /* payments imported from the ledger (api_h_inbound.c) */
    {"GET", "/api/v1/inbound", API_SCOPE_READ, api_h_inbound},
    {"POST", "/api/v1/inbound/{id}/reconciled", API_SCOPE_SYNC, api_h_inbound_reconciled},
    /* scope 0: the ledger's signature is the authentication (api_dispatch) */
    {"POST", "/webhooks/xero", 0, api_h_webhook_xero},
    {"POST", "/webhooks/qbo", 0, api_h_webhook_qbo},

    {NULL, NULL, 0, NULL},
};
