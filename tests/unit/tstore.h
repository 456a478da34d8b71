/*
 * tstore.h - a store in a fresh temporary directory, for the unit tests
 * that need a real one, and its removal afterwards.
 *
 * Header-only (static functions): each unit test is one program of one
 * translation unit, built by a glob in CMakeLists.txt.
 */
#ifndef BS_TESTS_TSTORE_H
#define BS_TESTS_TSTORE_H

#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
#include "store/store.h"

struct tstore {
	char dir[64];   /* /tmp/bs-test-<tag>-XXXXXX */
	char path[128]; /* <dir>/t.db */
	struct store *st;
};

/* Creates the directory and the store in it.  0, or -1 with nothing left
 * behind but perhaps the empty directory. */
static inline int tstore_open(struct tstore *t, const char *tag)
{
	struct bs_error err;

	snprintf(t->dir, sizeof(t->dir), "/tmp/bs-test-%s-XXXXXX", tag);
	if (mkdtemp(t->dir) == NULL)
		return -1;
	snprintf(t->path, sizeof(t->path), "%s/t.db", t->dir);
	return store_open(t->path, STORE_OPEN_CREATE, &t->st, &err) == BS_OK ? 0 : -1;
}

/* Closes the store and removes the directory.  0, or -1 if removal failed. */
static inline int tstore_close(struct tstore *t)
{
	char cmd[160];

	store_close(t->st);
	t->st = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
