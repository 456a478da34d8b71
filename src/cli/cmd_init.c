/*
 * cmd_init.c - `booksync init`: create the store, or bring it up to date.
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/secret.h"
#include "fleet/fleet.h"
#include "store/store.h"
#include "sync/session.h"

#include <string.h>

static int cmd_init_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_init_entry = {
    "init",
    "create the store, or migrate it to this version's schema",
    "usage: booksync [--db PATH] init\n"
    "\n"
    "Creates the store (a SQLite file: --db, $BOOKSYNC_DB or ./booksync.db) when it\n"
    "is missing or empty and applies any schema migrations it lacks.  Safe to run\n"
    "again.  A file that is not a booksync store, or a corrupt store, is refused\n"
    "(exit 4) and left as it is.\n"
    "\n"
    "--db postgresql://HOST/DB?schema=NAME makes the store the schema NAME of a\n"
    "PostgreSQL database instead (one schema per organisation) and registers it for\n"
    "'booksync worker'; its credentials' key file is $BOOKSYNC_KEY_FILE.\n",
    cmd_init_exec,
};

/* A PostgreSQL store joins the fleet its workers sync (fleet/fleet.h). */
static int register_store(const char *url, struct bs_error *err)
{
	struct fleet *f = NULL;
	struct buf conninfo;
	char schema[64];
	int rc;

	buf_init(&conninfo, 4096);
	rc = store_pg_split(url, &conninfo, schema, sizeof(schema), err);
	if (rc == BS_OK)
		rc = fleet_open(url, &f, err);
	if (rc == BS_OK)
		rc = fleet_store_add(f, schema, err);
	fleet_close(f);
	buf_free(&conninfo);
	return rc;
}

static int cmd_init_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	unsigned char key[SECRET_KEY_BYTES];
	struct store *st = NULL;
	struct bs_error err;
	struct buf kp;
	int version = 0, rc;

	if (cli_wants_help(&cmd_init_entry, argc, argv))
		return CLI_OK;
	if (argc > 1)
		return cli_usage_error(&cmd_init_entry, "unexpected argument '%s'", argv[1]);
	rc = cli_store_open(ctx, &cmd_init_entry, STORE_OPEN_CREATE | STORE_OPEN_CHECK, &st);
	if (rc != CLI_OK)
		return rc;
	bs_error_clear(&err);
	buf_init(&kp, 4096);
	if (store_schema_version(st, &version, &err) != BS_OK)
		rc = cli_fail(&cmd_init_entry, err.code, err.msg);
	else if (session_key_path(ctx->db_path, &kp, &err) != BS_OK ||
	         secret_key_load_or_create(buf_cstr(&kp), key, &err) != BS_OK)
		/* no key file named (a PostgreSQL store) is the caller's to fix */
		rc = err.code == BS_EINVAL
		         ? (cli_fail(&cmd_init_entry, err.code, err.msg), CLI_USAGE)
		         : cli_fail(&cmd_init_entry, err.code, err.msg);
	else if (store_path_is_pg(ctx->db_path) && register_store(ctx->db_path, &err) != BS_OK)
		rc = cli_fail(&cmd_init_entry, err.code, err.msg);
	else
		printf("store ready: %s (schema version %d), key file %s\n", ctx->db_path, version,
		       buf_cstr(&kp));
	memset(key, 0, sizeof(key));
	buf_free(&kp);
	store_close(st);
	return rc;
}
