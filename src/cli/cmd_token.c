/*
 * cmd_token.c - `booksync token add|list|remove`: API tokens for the
 * source system's developers (docs/serve.md).
 *
 * A token is printed once, by `add`, and stored only as its SHA-256: a
 * lost token is removed and replaced, never shown again.
 */
#include "api/api_auth.h"
#include "cli/cli.h"
#include "store/store.h"
#include "store/store_auth.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int cmd_token_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_token_entry = {
    "token",
    "add, list or remove API tokens",
    "usage: booksync [--db PATH] token add NAME --scope SCOPE[,SCOPE...]\n"
    "       booksync [--db PATH] token list\n"
    "       booksync [--db PATH] token remove NAME\n"
    "\n"
    "API clients of 'booksync serve' send 'Authorization: Bearer <token>'.  'add'\n"
    "prints the new token once, on stdout; only its hash is stored, so keep it\n"
    "safe (a lost token is removed and replaced).  Scopes:\n"
    "  records:write  POST /api/v1/records\n"
    "  read           every GET\n"
    "  sync           start syncs, re-sync and reset records\n"
    "  admin          settings and ledger connections\n"
    "A name is 1 to 63 of A-Z a-z 0-9 . _ @ -.\n"
    "\n"
    "Exit: 0 done, 1 no such token or it exists already, 2 usage, 4 store error.\n",
    cmd_token_exec,
};

static void when(int64_t ms, char *out, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms == 0) {
		snprintf(out, n, "never");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int list_one(void *arg, const struct store_token *t)
{
	char created[32], used[32];
	struct buf scopes;

	(void)arg;
	buf_init(&scopes, 128);
	api_scopes_format(t->scopes, &scopes);
	when(t->created_ms, created, sizeof(created));
	when(t->used_ms, used, sizeof(used));
	printf("%-24s %-32s created %s  last used %s\n", t->name, buf_cstr(&scopes), created, used);
	buf_free(&scopes);
	return 0;
}

static int token_add(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"scope", required_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	const char *scope = NULL, *name;
	struct store *st = NULL;
	struct bs_error err;
	struct buf token;
	unsigned scopes = 0;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c != 's')
			return cli_usage_error(&cmd_token_entry, "unknown option");
		scope = optarg;
	}
	if (optind + 1 != argc)
		return cli_usage_error(&cmd_token_entry, "expected 'add NAME --scope SCOPE'");
	name = argv[optind];
	bs_error_clear(&err);
	if (scope == NULL)
		return cli_usage_error(&cmd_token_entry,
		                       "--scope is required (records:write, read, sync, admin)");
	if (api_scopes_parse(scope, &scopes, &err) != BS_OK)
		return cli_usage_error(&cmd_token_entry, "--scope: %s", err.msg);
	if (!store_auth_name_ok(name))
		return cli_usage_error(&cmd_token_entry,
		                       "'%s' is not a valid name (1 to 63 of A-Z a-z 0-9 . _ @ -)",
		                       name);
	rc = cli_store_open(ctx, &cmd_token_entry, STORE_OPEN_CHECK, &st);
	if (rc != CLI_OK)
		return rc;
	buf_init(&token, 128);
	rc = api_token_create(st, name, scopes, cli_now_ms(), &token, &err);
	if (rc != BS_OK) {
		rc = cli_fail(&cmd_token_entry, rc, err.msg);
	} else {
		printf("%s\n", buf_cstr(&token));
		fflush(stdout);
		fprintf(stderr,
		        "booksync token: token %s made; it is shown only this once, keep it safe\n",
		        name);
		sodium_memzero(token.ptr, token.len);
	}
	buf_free(&token);
	store_close(st);
	return rc;
}

static int cmd_token_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	struct store *st = NULL;
	struct bs_error err;
	int rc;

	if (cli_wants_help(&cmd_token_entry, argc, argv))
		return CLI_OK;
	if (argc < 2)
		return cli_usage_error(&cmd_token_entry, "add, list or remove?");
	if (strcmp(argv[1], "add") == 0)
		return token_add(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0 ? argc != 2 : strcmp(argv[1], "remove") != 0 || argc != 3)
		return cli_usage_error(&cmd_token_entry,
		                       "expected 'add NAME --scope S', 'list' or 'remove NAME'");
	bs_error_clear(&err);
	rc = cli_store_open(ctx, &cmd_token_entry, argc == 3 ? STORE_OPEN_CHECK : 0, &st);
	if (rc != CLI_OK)
		return rc;
	if (argc == 3) {
		rc = store_token_remove(st, argv[2], &err);
		if (rc == BS_OK)
			printf("token %s removed\n", argv[2]);
	} else {
		rc = store_tokens_each(st, list_one, NULL, &err);
	}
	if (rc != BS_OK)
		rc = cli_fail(&cmd_token_entry, rc, err.msg);
	store_close(st);
	return rc;
}
