/*
 * cmd_inbound_payments.c - `booksync inbound`, its payments half
 * (cmd_inbound_int.h).  Not built yet: it says so and exits 2.
 */
#include "cli/cmd_inbound_int.h"

int cmd_inbound_payments(const struct cli_ctx *ctx, const struct cli_cmd *cmd, int argc,
                         char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	return cli_usage_error(cmd, "importing payments is not built yet");
}
