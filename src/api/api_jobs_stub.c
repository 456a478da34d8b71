/*
 * api_jobs_stub.c - TEMPORARY stand-ins for the job runner (api_int.h
 * "sync jobs"), so `booksync serve` links before src/api/api_jobs.c is
 * merged.  CMakeLists.txt leaves this file out as soon as api_jobs.c
 * exists; delete it then.
 */
#include "api/api_int.h"

#include <stddef.h>

int api_jobs_start(struct api_server *srv, struct api_jobs **jobs, struct bs_error *err)
{
	(void)srv;
	(void)err;
	*jobs = NULL;
	return BS_OK;
}

void api_jobs_stop(struct api_jobs *jobs)
{
	(void)jobs;
}

struct api_jobs *api_jobs_of(struct api_server *srv)
{
	(void)srv;
	return NULL;
}

int api_jobs_submit(struct api_server *srv, const struct api_job_req *r, int64_t *job_id,
                    struct bs_error *err)
{
	(void)srv;
	(void)r;
	*job_id = 0;
	return bs_error_set(err, BS_EUNSUPPORTED, "sync jobs are not built in yet");
}
