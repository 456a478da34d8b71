/*
 * cmd_inbound_contacts.c - `booksync inbound`, its contacts half
 * (cmd_inbound_int.h).  Not built yet: it says so and exits 2.
 */
#include "cli/cmd_inbound_int.h"

int cmd_inbound_contacts(const struct cli_ctx *ctx, const struct cli_cmd *cmd, int argc,
                         char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	return cli_usage_error(cmd, "importing contacts is not built yet");
}
