/*
 * cmd_inbound_int.h - the two halves of `booksync inbound` (cmd_inbound.c
 * picks one): payments from the ledger (cmd_inbound_payments.c) and
 * contacts from the ledger (cmd_inbound_contacts.c, `--contacts`).
 *
 * Each gets argv as the command does (argv[0] = "inbound", options
 * unparsed, `--contacts` among them for the contacts half) and returns a
 * CLI exit code (cli.h).
 */
#ifndef BS_CLI_CMD_INBOUND_INT_H
#define BS_CLI_CMD_INBOUND_INT_H

#include "cli/cli.h"

int cmd_inbound_payments(const struct cli_ctx *ctx, const struct cli_cmd *cmd, int argc,
                         char **argv);
int cmd_inbound_contacts(const struct cli_ctx *ctx, const struct cli_cmd *cmd, int argc,
                         char **argv);

#endif
