/*
 * cli.h - the command table and what every subcommand shares.
 *
 * Each subcommand lives in its own file, src/cli/cmd_<name>.c, and exports
 * one `const struct cli_cmd cmd_<name>_entry`; main.c lists them.  A command
 * gets argv starting at its own name (argv[0] = "import"), parses its own
 * options with getopt_long, and returns one of the exit codes below; those
 * are the stable contract of docs/architecture.md ("Command line").
 */
#ifndef BS_CLI_CLI_H
#define BS_CLI_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum cli_exit {
	CLI_OK = 0,
	CLI_REJECTED = 1,    /* some records rejected or failed; the rest kept */
	CLI_USAGE = 2,       /* usage error, or input that cannot be read at all */
	CLI_UNREACHABLE = 3, /* target unreachable or not authorised */
	CLI_STORE = 4,       /* store error: read-only, locked, corrupt */
};

/* What main() resolved before dispatching: global options. */
struct cli_ctx {
	const char *db_path; /* --db, else $BOOKSYNC_DB, else ./booksync.db */
	bool stderr_tty;     /* progress bars only when stderr is a terminal */
};

struct cli_cmd {
	const char *name;
	const char *summary; /* one line for `booksync --help` */
	const char *usage;   /* full text for `booksync CMD --help` */
	int (*exec)(const struct cli_ctx *ctx, int argc, char **argv);
};

/*
 * True when argv holds -h or --help (before any "--"); prints cmd->usage to
 * stdout.  Commands call it first so every one answers --help the same way.
 */
bool cli_wants_help(const struct cli_cmd *cmd, int argc, char **argv);

/* Print "booksync CMD: <message>" and the usage hint to stderr; return CLI_USAGE. */
int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Map a bs_status from the store to an exit code (4 for store errors, ...). */
int cli_exit_for(int status);

struct buf;
struct store;

/*
 * Open the store named by ctx->db_path (flags: store.h).  A command that
 * writes passes STORE_OPEN_CHECK on its one open that writes, so a process
 * checks the file at most once; commands that only read do not pay for it.
 * On failure prints
 * "booksync CMD: <message>" to stderr and returns the exit code to use
 * (4, or 4 with a hint to run init; 2 for an address that names no store:
 * empty, a bad schema name); CLI_OK on success.
 */
int cli_store_open(const struct cli_ctx *ctx, const struct cli_cmd *cmd, unsigned flags,
                   struct store **st);

/* Wall-clock milliseconds: the CLI is where time enters booksync. */
int64_t cli_now_ms(void);

/*
 * For a command that serves until stopped (serve, sandbox): call
 * cli_stop_signals_block before any thread starts, so only the main
 * thread's cli_stop_signals_wait sees SIGTERM and SIGINT; SIGPIPE is
 * ignored (a client that hangs up is the server's business).
 */
void cli_stop_signals_block(sigset_t *set);
/* Wait for SIGTERM or SIGINT (blocked by cli_stop_signals_block). */
void cli_stop_signals_wait(const sigset_t *set);

/* Print "booksync CMD: MSG" to stderr and return the exit code for status. */
int cli_fail(const struct cli_cmd *cmd, int status, const char *msg);

/* A whole number in [lo, hi] from all of text (digits, a '-' before them),
 * into *v; false, *v untouched, for anything else. */
bool cli_whole(const char *text, long lo, long hi, int64_t *v);

/* Write s as a JSON string literal (quotes, escapes) to f. */
void cli_json_str(FILE *f, const char *s);

/* Append micros as text at the currency's exponent ("1234.50"); "" = 2 dp. */
int cli_money(struct buf *b, int64_t micros, const char *currency);
#endif
