/*
 * cmd_inbound.c - `booksync inbound`: what comes back from the ledger
 * (docs/inbound.md).  Payments by default; `--contacts` for contacts.  Each
 * half parses its own options (cmd_inbound_int.h).
 */
#include "cli/cmd_inbound_int.h"

#include <string.h>

static int cmd_inbound_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_inbound_entry = {
    "inbound",
    "import payments and contacts from the ledger",
    "usage: booksync [--db PATH] inbound --once [--target T] [--max-pages N]\n"
    "       booksync [--db PATH] inbound --status [--target T] [--json]\n"
    "       booksync [--db PATH] inbound --reconciled LEDGER_PAYMENT_ID [--target T]\n"
    "       booksync [--db PATH] inbound --contacts [--target T] [options]\n"
    "\n"
    "Payments: with the setting import_payments on, --once reads the payments\n"
    "the ledger changed since the last run and applies each one that exactly\n"
    "pays the open balance of one open invoice of its customer; every other\n"
    "one is listed by --status for a person to reconcile, with the reason.\n"
    "--reconciled takes one off that list once it is reconciled by hand in the\n"
    "ledger.  An applied payment the ledger deletes later is reversed.\n"
    "Contacts: --contacts brings in the ledger's customers and suppliers that\n"
    "booksync does not have (booksync inbound --contacts --help).\n"
    "\n"
    "Exit: 0 done, 1 some payments or contacts failed, 2 usage, 3 ledger\n"
    "unreachable or not authorised, 4 store error.\n",
    cmd_inbound_exec,
};

static int cmd_inbound_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--contacts") == 0)
			return cmd_inbound_contacts(ctx, &cmd_inbound_entry, argc, argv);
	return cmd_inbound_payments(ctx, &cmd_inbound_entry, argc, argv);
}
