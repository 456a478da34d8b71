/*
 * cli.c - helpers shared by the subcommands.
 */
#include "cli/cli.h"

#include "core/buf.h"
#include "core/error.h"
#include "core/money.h"
#include "store/store.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool cli_wants_help(const struct cli_cmd *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(cmd->usage, stdout);
			return true;
		}
	}
	return false;
}

int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "booksync %s: ", cmd->name);
	va_start(ap, fmt);
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): started just above
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'booksync %s --help'.\n", cmd->name);
	return CLI_USAGE;
}

int cli_exit_for(int status)
{
	switch (status) {
	case BS_OK:
		return CLI_OK;
	case BS_ESTORE:
	case BS_EREADONLY:
	case BS_EBUSY:
		return CLI_STORE;
	case BS_ENET:
	case BS_EAUTH:
		return CLI_UNREACHABLE;
	case BS_EIO:
	case BS_EPARSE:
	case BS_EUNSUPPORTED:
		return CLI_USAGE;
	default:
		return CLI_REJECTED;
	}
}

int cli_fail(const struct cli_cmd *cmd, int status, const char *msg)
{
	fprintf(stderr, "booksync %s: %s\n", cmd->name, msg);
	return cli_exit_for(status);
}

int cli_store_open(const struct cli_ctx *ctx, const struct cli_cmd *cmd, unsigned flags,
                   struct store **st)
{
	struct bs_error err;
	int rc;

	bs_error_clear(&err);
	rc = store_open(ctx->db_path, flags, st, &err);
	if (rc == BS_OK)
		return CLI_OK;
	fprintf(stderr, "booksync %s: %s\n", cmd->name, err.msg);
	/* a --db that names no store (an empty one, a bad schema name) */
	return rc == BS_EINVAL ? CLI_USAGE : CLI_STORE;
}

int64_t cli_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool cli_whole(const char *text, long lo, long hi, int64_t *v)
{
	char *end = NULL;
	long n;

	if (text == NULL || !(isdigit((unsigned char)text[0]) ||
	                      (text[0] == '-' && isdigit((unsigned char)text[1]))))
		return false;
	n = strtol(text, &end, 10);
	if (end == text || *end != '\0' || n < lo || n > hi)
		return false;
	*v = n;
	return true;
}

void cli_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

int cli_money(struct buf *b, int64_t micros, const char *currency)
{
	int dp = currency != NULL && currency[0] != '\0' ? money_currency_exponent(currency) : 2;

	if (dp < 0)
		dp = 2;
	return money_format(b, micros, MONEY_DP, dp);
}

void cli_stop_signals_block(sigset_t *set)
{
	/* a shell may start us with SIGINT ignored; an ignored signal never
	 * becomes pending, so sigwait would not see it */
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void cli_stop_signals_wait(const sigset_t *set)
{
	int sig;

	while (sigwait(set, &sig) != 0 || (sig != SIGTERM && sig != SIGINT))
		;
}
