/*
 * bench_sandbox.c - throughput of the Xero sandbox on loopback, limits off.
 *
 *   bench_sandbox [--seconds S] [--threads T] [--lines N]
 *
 * 1. small GETs: T keep-alive clients GET /api.xro/2.0/Invoices/{id} for S
 *    seconds; prints requests/s (target: >= 5,000).
 * 2. batched PUTs: T clients PUT 50 invoices x N lines per call for S
 *    seconds; prints invoice lines/s (target: >= 20,000).
 * The server runs in-process (sandbox_start) on 127.0.0.1:0, so client and
 * server share the machine's cores: the figures are a lower bound.
 */
#include "core/buf.h"
#include "sandbox/sandbox.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct bench {
	struct sandbox *sb;
	char auth[4200];
	char tenant[128];
	char get_url[512];
	char put_url[512];
	char *put_body;
	double seconds;
	bool put;
};

struct worker {
	struct bench *b;
	pthread_t th;
	unsigned long ok, failed;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t sink(char *p, size_t sz, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return sz * n;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct bench *b = w->b;
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	double end = now_s() + b->seconds;

	h = curl_slist_append(h, b->auth);
	h = curl_slist_append(h, b->tenant);
	h = curl_slist_append(h, "Accept: application/json");
	if (b->put)
		h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
	if (b->put) {
		curl_easy_setopt(c, CURLOPT_URL, b->put_url);
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, b->put_body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(b->put_body));
	} else {
		curl_easy_setopt(c, CURLOPT_URL, b->get_url);
	}
	while (now_s() < end) {
		long code = 0;

		if (curl_easy_perform(c) == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		if (code == 200)
			w->ok++;
		else
			w->failed++;
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

static double run(struct bench *b, int threads, unsigned long *ok, unsigned long *failed)
{
	struct worker *w = calloc((size_t)threads, sizeof(*w));
	double t0 = now_s(), dt;

	if (w == NULL)
		exit(1);
	for (int i = 0; i < threads; i++) {
		w[i].b = b;
		pthread_create(&w[i].th, NULL, work, &w[i]);
	}
	*ok = *failed = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(w[i].th, NULL);
		*ok += w[i].ok;
		*failed += w[i].failed;
	}
	dt = now_s() - t0;
	free(w);
	return dt;
}

/* One PUT body: 50 invoices x `lines` lines, no numbers (auto-numbered). */
static char *make_body(int lines)
{
	struct buf b;

	buf_init(&b, 0);
	buf_addstr(&b, "{\"Invoices\":[");
	for (int i = 0; i < 50; i++) {
		buf_printf(&b,
		           "%s{\"Type\":\"ACCREC\",\"Contact\":{\"Name\":\"Bench Customer %d\"},"
		           "\"Date\":\"2026-01-15\",\"Status\":\"AUTHORISED\",\"LineItems\":[",
		           i ? "," : "", i % 7);
		for (int l = 0; l < lines; l++)
			buf_printf(
			    &b,
			    "%s{\"Description\":\"Item %d\",\"Quantity\":%d,\"UnitAmount\":%d.%02d,"
			    "\"AccountCode\":\"200\",\"TaxType\":\"OUTPUT2\"}",
			    l ? "," : "", l, 1 + l % 3, 3 + l, (l * 37) % 100);
		buf_addstr(&b, "]}");
	}
	buf_addstr(&b, "]}");
	return buf_take(&b);
}

int main(int argc, char **argv)
{
	struct sandbox_config cfg;
	struct bench b;
	struct bs_error err;
	char tok[4096];
	int threads = 4, lines = 10;
	unsigned long ok, failed;
	double dt;

	memset(&b, 0, sizeof(b));
	b.seconds = 5;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--seconds") == 0)
			b.seconds = strtod(argv[i + 1], NULL);
		else if (strcmp(argv[i], "--threads") == 0)
			threads = (int)strtol(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--lines") == 0)
			lines = (int)strtol(argv[i + 1], NULL, 10);
	}
	if (threads < 1 || lines < 1 || b.seconds <= 0) {
		fprintf(stderr, "usage: bench_sandbox [--seconds S] [--threads T] [--lines N]\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	memset(&cfg, 0, sizeof(cfg));
	cfg.limits = "off";
	if (sandbox_start(&cfg, &b.sb, &err) != 0) {
		fprintf(stderr, "bench_sandbox: %s\n", err.msg);
		return 1;
	}
	if (sandbox_issue_token(b.sb, "accounting.transactions accounting.settings", tok,
	                        sizeof(tok)) != 0)
		return 1;
	snprintf(b.auth, sizeof(b.auth), "Authorization: Bearer %s", tok);
	snprintf(b.tenant, sizeof(b.tenant), "xero-tenant-id: %s", sandbox_default_tenant(b.sb));
	snprintf(b.put_url, sizeof(b.put_url), "%s/api.xro/2.0/Invoices?summarizeErrors=false",
	         sandbox_url(b.sb));

	/* one invoice to GET */
	{
		char *body = make_body(1);
		CURL *c = curl_easy_init();
		struct curl_slist *h = NULL;

		h = curl_slist_append(h, b.auth);
		h = curl_slist_append(h, b.tenant);
		curl_easy_setopt(c, CURLOPT_URL, b.put_url);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
		curl_easy_perform(c);
		curl_slist_free_all(h);
		curl_easy_cleanup(c);
		free(body);
	}
	snprintf(b.get_url, sizeof(b.get_url), "%s/api.xro/2.0/Invoices/INV-0001",
	         sandbox_url(b.sb));

	b.put = false;
	dt = run(&b, threads, &ok, &failed);
	printf(
	    "small GETs:   %lu requests in %.2f s with %d clients = %.0f requests/s (%lu failed)\n",
	    ok, dt, threads, (double)ok / dt, failed);

	b.put = true;
	b.put_body = make_body(lines);
	dt = run(&b, threads, &ok, &failed);
	printf("batched PUTs: %lu calls x 50 invoices x %d lines in %.2f s = %.0f lines/s, "
	       "%.0f invoices/s (%lu failed)\n",
	       ok, lines, dt, (double)ok * 50 * lines / dt, (double)ok * 50 / dt, failed);
	free(b.put_body);
	sandbox_stop(b.sb);
	curl_global_cleanup();
	return failed ? 1 : 0;
}
