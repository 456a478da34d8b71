/*
 * cli.c - helpers shared by the subcommands.
 */
#include "cli/cli.h"

#include "core/error.h"

#include <stdarg.h>
#include <string.h>

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
