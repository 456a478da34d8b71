/*
 * api_h_resync.c - POST /api/v1/records/{kind}/{id}/resync: Re-Sync one
 * record now (as `booksync resync REF`), as a sync job of the job runner
 * (api_jobs_int.h): 202 with the job, or 409 with the job already doing
 * it (docs/openapi.yaml).
 *
 * Kept apart from api_h_records.c so the record handlers' unit tests link
 * without the job runner.
 */
#include "api/api_data_int.h"
#include "api/api_jobs_int.h"

#include <stdio.h>

void api_h_record_resync(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	struct api_job_req r = {0};
	struct buf tbuf;
	enum record_kind kind;
	const char *target = NULL, *refs[1];
	char id[RECORD_ID_MAX + 1], ref[RECORD_ID_MAX + 32];

	buf_init(&tbuf, 1024);
	if (api_data_record(c, resp, &kind, id) != BS_OK)
		goto out;
	if (api_data_target(c, http_req_query(req, "target"), resp, &tbuf, &target) != BS_OK)
		goto out;
	if (target == NULL) {
		api_error(resp, 409, NULL, "no ledger is connected yet: connect one first");
		goto out;
	}
	snprintf(ref, sizeof(ref), "%s:%s", record_kind_name(kind), id);
	refs[0] = ref;
	r.sync.target = target;
	r.sync.refs = refs;
	r.sync.nrefs = 1;
	r.sync.resync = true;
	r.origin = c->who != NULL && c->who->session ? "dashboard" : "api";
	api_jobs_answer(c, &r, resp);
out:
	buf_free(&tbuf);
}
