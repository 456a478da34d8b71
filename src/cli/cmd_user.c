/*
 * cmd_user.c - `booksync user add|list|remove`: who may log in to the
 * dashboard of `booksync serve` (docs/serve.md).
 *
 * The password comes from stdin when stdin is not a terminal (one line,
 * for scripts: `printf '%s\n' "$PW" | booksync user add ann`), else it is
 * asked for twice on the terminal without echo.  It is never an argument:
 * arguments show in `ps` and in shell history.
 */
#include "api/api_auth.h"
#include "cli/cli.h"
#include "store/store.h"
#include "store/store_auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int cmd_user_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_user_entry = {
    "user",
    "add, list or remove the dashboard's users",
    "usage: booksync [--db PATH] user add NAME\n"
    "       booksync [--db PATH] user list\n"
    "       booksync [--db PATH] user remove NAME\n"
    "\n"
    "Users log in to the dashboard of 'booksync serve' with a name and a password.\n"
    "'add' reads the password from stdin when stdin is not a terminal (one line),\n"
    "else asks for it twice without echo; it needs at least 8 characters and is\n"
    "stored only as an Argon2id hash.  'remove' also ends the user's sessions.\n"
    "A name is 1 to 63 of A-Z a-z 0-9 . _ @ -.\n"
    "\n"
    "Exit: 0 done, 1 no such user or it exists already, 2 usage, 4 store error.\n",
    cmd_user_exec,
};

/* One line from f into buf[n] without its newline; false at EOF. */
static bool read_line(FILE *f, char *buf, size_t n)
{
	size_t len;

	if (fgets(buf, (int)n, f) == NULL)
		return false;
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	return true;
}

/* Ask on the terminal without echo. */
static bool ask(const char *prompt, char *buf, size_t n)
{
	FILE *tty = fopen("/dev/tty", "r+");
	struct termios old, quiet;
	bool ok;

	if (tty == NULL)
		return false;
	fputs(prompt, tty);
	fflush(tty);
	tcgetattr(fileno(tty), &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	ok = read_line(tty, buf, n);
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputs("\n", tty);
	fclose(tty);
	return ok;
}

/* The new user's password into pw[n]: stdin or asked twice.  CLI_OK or an exit code. */
static int get_password(char *pw, size_t n)
{
	char again[API_PASSWORD_MAX + 2];
	int rc = CLI_OK;

	if (!isatty(STDIN_FILENO)) {
		if (!read_line(stdin, pw, n))
			return cli_usage_error(&cmd_user_entry, "no password on stdin");
		return CLI_OK;
	}
	if (!ask("Password: ", pw, n) || !ask("Again: ", again, sizeof(again)))
		rc = cli_usage_error(&cmd_user_entry, "cannot read the password");
	else if (strcmp(pw, again) != 0)
		rc = cli_usage_error(&cmd_user_entry, "the two passwords differ");
	sodium_memzero(again, sizeof(again));
	return rc;
}

static int list_one(void *arg, const char *name, int64_t created_ms)
{
	time_t t = (time_t)(created_ms / 1000);
	struct tm tm;
	char when[32];

	(void)arg;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%-32s created %s\n", name, when);
	return 0;
}

static int cmd_user_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	char pw[API_PASSWORD_MAX + 2];
	struct store *st = NULL;
	struct bs_error err;
	const char *verb;
	int rc;

	if (cli_wants_help(&cmd_user_entry, argc, argv))
		return CLI_OK;
	if (argc < 2)
		return cli_usage_error(&cmd_user_entry, "add, list or remove?");
	verb = argv[1];
	if (strcmp(verb, "list") == 0                                 ? argc != 2
	    : strcmp(verb, "add") == 0 || strcmp(verb, "remove") == 0 ? argc != 3
	                                                              : true)
		return cli_usage_error(&cmd_user_entry,
		                       "expected 'add NAME', 'list' or 'remove NAME'");
	if (strcmp(verb, "list") != 0 && !store_auth_name_ok(argv[2]))
		return cli_usage_error(&cmd_user_entry,
		                       "'%s' is not a valid name (1 to 63 of A-Z a-z 0-9 . _ @ -)",
		                       argv[2]);
	bs_error_clear(&err);
	pw[0] = '\0';
	if (strcmp(verb, "add") == 0 && (rc = get_password(pw, sizeof(pw))) != CLI_OK)
		return rc;
	rc = cli_store_open(ctx, &cmd_user_entry, strcmp(verb, "list") ? STORE_OPEN_CHECK : 0, &st);
	if (rc != CLI_OK)
		goto out;
	if (strcmp(verb, "add") == 0) {
		rc = api_user_add(st, argv[2], pw, cli_now_ms(), &err);
		if (rc == BS_EINVAL)
			rc = cli_usage_error(&cmd_user_entry, "%s", err.msg);
		else if (rc != BS_OK)
			rc = cli_fail(&cmd_user_entry, rc, err.msg);
		else
			printf("user %s added\n", argv[2]);
	} else if (strcmp(verb, "remove") == 0) {
		rc = store_user_remove(st, argv[2], &err);
		if (rc != BS_OK)
			rc = cli_fail(&cmd_user_entry, rc, err.msg);
		else
			printf("user %s removed\n", argv[2]);
	} else {
		rc = store_users_each(st, list_one, NULL, &err);
		if (rc != BS_OK)
			rc = cli_fail(&cmd_user_entry, rc, err.msg);
	}
out:
	sodium_memzero(pw, sizeof(pw));
	store_close(st);
	return rc;
}
