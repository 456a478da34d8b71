/*
 * bench_serve.c - load on a running `booksync serve`: C clients, each a
 * thread with one keep-alive connection, GET the same path in a loop for S
 * seconds with an API token, and count answers that are not 200 (errors)
 * and the latency of each (p50, p99, max).  Not a test: the driver
 * bench/serve_load starts the server, samples its memory, and writes the
 * figures to bench/RESULTS.md by hand.
 *
 * usage: bench_serve URL TOKEN [--clients C] [--seconds S] [--path P]
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LAT_MAX 4000000 /* latencies kept (per run) */

struct shared {
	const char *url;
	const char *auth;
	int64_t end_ns;
	pthread_mutex_t mu;
	uint32_t *lat_us; /* every request's latency */
	size_t nlat;
	long ok, errors;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static size_t sink(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static void *client(void *arg)
{
	struct shared *s = arg;
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, s->auth);
	long ok = 0, errors = 0;

	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	while (now_ns() < s->end_ns) {
		int64_t t0 = now_ns();
		long code = 0;
		CURLcode rc = curl_easy_perform(c);
		uint32_t us = (uint32_t)((now_ns() - t0) / 1000);

		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		if (rc == CURLE_OK && code == 200)
			ok++;
		else
			errors++;
		pthread_mutex_lock(&s->mu);
		if (s->nlat < LAT_MAX)
			s->lat_us[s->nlat++] = us;
		pthread_mutex_unlock(&s->mu);
	}
	pthread_mutex_lock(&s->mu);
	s->ok += ok;
	s->errors += errors;
	pthread_mutex_unlock(&s->mu);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct shared s;
	const char *path = "/api/v1/session";
	char url[512], auth[256];
	int clients = 200, seconds = 60;
	pthread_t *th;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_serve URL TOKEN [--clients C] [--seconds S] "
		                "[--path P]\n");
		return 2;
	}
	for (int i = 3; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--clients") == 0)
			clients = (int)strtol(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--seconds") == 0)
			seconds = (int)strtol(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--path") == 0)
			path = argv[i + 1];
	}
	if (clients < 1 || clients > 2000 || seconds < 1) {
		fprintf(stderr, "bench_serve: bad --clients or --seconds\n");
		return 2;
	}
	snprintf(url, sizeof(url), "%s%s", argv[1], path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", argv[2]);
	memset(&s, 0, sizeof(s));
	s.url = url;
	s.auth = auth;
	s.lat_us = malloc(LAT_MAX * sizeof(*s.lat_us));
	th = calloc((size_t)clients, sizeof(*th));
	if (s.lat_us == NULL || th == NULL)
		return 1;
	pthread_mutex_init(&s.mu, NULL);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	s.end_ns = now_ns() + (int64_t)seconds * 1000000000;
	for (int i = 0; i < clients; i++)
		pthread_create(&th[i], NULL, client, &s);
	for (int i = 0; i < clients; i++)
		pthread_join(th[i], NULL);
	qsort(s.lat_us, s.nlat, sizeof(*s.lat_us), cmp_u32);
	printf("clients %d seconds %d requests %ld errors %ld rps %ld", clients, seconds,
	       s.ok + s.errors, s.errors, (s.ok + s.errors) / seconds);
	if (s.nlat > 0)
		printf(" p50_ms %.1f p99_ms %.1f max_ms %.1f", s.lat_us[s.nlat / 2] / 1000.0,
		       s.lat_us[s.nlat * 99 / 100] / 1000.0, s.lat_us[s.nlat - 1] / 1000.0);
	printf("\n");
	curl_global_cleanup();
	free(s.lat_us);
	free(th);
	return s.errors == 0 ? 0 : 1;
}
