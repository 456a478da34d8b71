/*
 * api_load.c - many API clients at once against a running `booksync
 * serve`: each client is a thread with its own libcurl handle (keep-alive)
 * that GETs the given paths in turn for the duration.  Driven by
 * bench/serve_lists.
 *
 *   api_load URL TOKEN CLIENTS SECONDS PID PATH...
 *
 * Prints requests, errors (transport failures and non-2xx answers),
 * latency p50 / p99 / max over every request, and the server's resident
 * memory (VmRSS of PID) sampled once a second: first, lowest, highest and
 * last, so "flat memory" can be read off.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 4000000

struct shared {
	const char *base, *token;
	const char *const *paths;
	int npaths;
	int64_t end_us;
	pthread_mutex_t mu;
	int64_t *lat; /* microseconds, every request */
	size_t nlat;
	long requests, errors;
	char first_error[2400];
};

struct client {
	struct shared *sh;
	int index;
};

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static size_t sink(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static void *client_main(void *arg)
{
	struct client *cl = arg;
	struct shared *sh = cl->sh;
	CURL *h = curl_easy_init();
	struct curl_slist *hdr = NULL;
	char auth[512], url[2048];
	int i = cl->index;

	if (h == NULL)
		return NULL;
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", sh->token);
	hdr = curl_slist_append(hdr, auth);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	while (now_us() < sh->end_us) {
		long code = 0;
		int64_t t0, t1;
		CURLcode rc;

		snprintf(url, sizeof(url), "%s%s", sh->base, sh->paths[i++ % sh->npaths]);
		curl_easy_setopt(h, CURLOPT_URL, url);
		t0 = now_us();
		rc = curl_easy_perform(h);
		t1 = now_us();
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		pthread_mutex_lock(&sh->mu);
		sh->requests++;
		if (rc != CURLE_OK || code < 200 || code > 299) {
			if (sh->errors++ == 0)
				snprintf(sh->first_error, sizeof(sh->first_error),
				         "%s: %s (HTTP %ld)", url, curl_easy_strerror(rc), code);
		}
		if (sh->nlat < MAX_SAMPLES)
			sh->lat[sh->nlat++] = t1 - t0;
		pthread_mutex_unlock(&sh->mu);
	}
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	return NULL;
}

static long rss_kb(long pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct shared sh;
	struct client *cl;
	pthread_t *th;
	int clients, seconds;
	long pid, first = -1, low = -1, high = -1, last = -1;

	if (argc < 7) {
		fprintf(stderr, "usage: api_load URL TOKEN CLIENTS SECONDS PID PATH...\n");
		return 2;
	}
	memset(&sh, 0, sizeof(sh));
	sh.base = argv[1];
	sh.token = argv[2];
	clients = atoi(argv[3]);
	seconds = atoi(argv[4]);
	pid = atol(argv[5]);
	sh.paths = (const char *const *)(argv + 6);
	sh.npaths = argc - 6;
	if (clients < 1 || seconds < 1)
		return 2;
	sh.lat = malloc(MAX_SAMPLES * sizeof(*sh.lat));
	cl = calloc((size_t)clients, sizeof(*cl));
	th = calloc((size_t)clients, sizeof(*th));
	if (sh.lat == NULL || cl == NULL || th == NULL)
		return 1;
	pthread_mutex_init(&sh.mu, NULL);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	sh.end_us = now_us() + (int64_t)seconds * 1000000;
	for (int i = 0; i < clients; i++) {
		cl[i].sh = &sh;
		cl[i].index = i;
		if (pthread_create(&th[i], NULL, client_main, &cl[i]) != 0) {
			fprintf(stderr, "api_load: cannot start client %d\n", i);
			return 1;
		}
	}
	for (int s = 0; s <= seconds; s++) {
		long kb = rss_kb(pid);

		if (kb >= 0) {
			if (first < 0)
				first = kb;
			if (low < 0 || kb < low)
				low = kb;
			if (kb > high)
				high = kb;
			last = kb;
			if (s % 10 == 0)
				printf("  t=%3d s  server RSS %.1f MiB\n", s, kb / 1024.0);
		}
		if (s < seconds)
			sleep(1);
	}
	for (int i = 0; i < clients; i++)
		pthread_join(th[i], NULL);
	qsort(sh.lat, sh.nlat, sizeof(*sh.lat), cmp_i64);
	printf("clients %d, %d s: %ld requests (%.0f/s), %ld errors\n", clients, seconds,
	       sh.requests, (double)sh.requests / seconds, sh.errors);
	if (sh.nlat > 0)
		printf("latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		       (double)sh.lat[sh.nlat / 2] / 1000.0,
		       (double)sh.lat[sh.nlat * 99 / 100] / 1000.0,
		       (double)sh.lat[sh.nlat - 1] / 1000.0);
	printf("server RSS MiB: first %.1f, low %.1f, high %.1f, last %.1f\n", first / 1024.0,
	       low / 1024.0, high / 1024.0, last / 1024.0);
	if (sh.errors > 0)
		printf("first error: %s\n", sh.first_error);
	curl_global_cleanup();
	free(sh.lat);
	free(cl);
	free(th);
	return sh.errors > 0 ? 1 : 0;
}
