/*
 * cmd_sandbox.c - `booksync sandbox xero|qbo`: run the Xero- or QuickBooks
 * Online-compatible sandbox (src/sandbox/sandbox.h) until SIGTERM or SIGINT.
 *
 * The first line on stdout is the base URL, printed and flushed once the
 * server accepts connections, so a parent process can read it and go.
 * The admin token comes from --admin-token or $BOOKSYNC_SANDBOX_ADMIN_TOKEN.
 */
#include "cli/cli.h"
#include "sandbox/sandbox.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sandbox_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_sandbox_entry = {
    "sandbox",
    "run an embedded Xero- or QuickBooks Online-compatible ledger (demo, tests)",
    "usage: booksync sandbox xero|qbo [OPTIONS]\n"
    "\n"
    "Serves a Xero-compatible (xero) or QuickBooks Online-compatible (qbo)\n"
    "Accounting API, OAuth2 server and admin endpoints on one host.  Prints its base URL "
    "(http://127.0.0.1:PORT) as the first line on\n"
    "stdout once ready; serves until SIGTERM or SIGINT, then exits 0 with the state\n"
    "file consistent.  See docs/sandbox.md.\n"
    "\n"
    "Options:\n"
    "  --listen ADDR:PORT   listen address (default 127.0.0.1:0 = a free port); an\n"
    "                       address outside 127.0.0.0/8 needs an admin token\n"
    "  --admin-token T      require 'Authorization: Bearer T' on every /sandbox/\n"
    "                       admin endpoint (default: $BOOKSYNC_SANDBOX_ADMIN_TOKEN,\n"
    "                       which keeps T out of the process list; unset = open,\n"
    "                       loopback only)\n"
    "  --state FILE         keep state in this SQLite file, reloaded on restart\n"
    "                       (default: in memory, gone on exit)\n"
    "  --limits SPEC        rate limits, or 'off'.  SPEC is comma-separated KEY=N\n"
    "                       (qbo: minute=500,concurrent=10,batch-minute=40 per\n"
    "                       realm, and time-scale; xero below):\n"
    "                         minute=60       calls per tenant per rolling minute\n"
    "                         day=5000        calls per tenant per rolling day\n"
    "                         concurrent=5    calls in flight per tenant\n"
    "                         app-minute=10000 calls per minute, all tenants\n"
    "                         time-scale=1    time runs N times faster for the windows,\n"
    "                                         Retry-After and Idempotency-Key retention\n"
    "                       default: minute=60,day=5000,concurrent=5,app-minute=10000\n"
    "  --faults SPEC        inject faults into API calls (/api.xro/2.0, /v3/company).\n"
    "                       SPEC:\n"
    "                         rate=R          probability 0..1 per request (6 dp)\n"
    "                         seed=N          PRNG seed: the n-th request's fault is a\n"
    "                                         function of (seed, n) only\n"
    "                         kinds=K+K...    500, 503, slow (delay, then answer),\n"
    "                                         drop (close, change nothing),\n"
    "                                         lost (commit, then close unanswered)\n"
    "                         slow-ms=N       delay of 'slow' (default 2000)\n"
    "                       e.g. rate=0.1,seed=42,kinds=500+503+slow+drop+lost\n"
    "  --rounding MODE      midpoint rule: half-away (default) or half-even (xero)\n"
    "  --clients FILE       allowed OAuth clients, one 'id:secret' per line\n"
    "                       (default: any client id and secret)\n"
    "  --webhook-url URL    deliver signed webhook events to URL\n"
    "  --webhook-key KEY    the signing key (required with --webhook-url)\n"
    "  --tenants N          (xero) N organisations, 1 to 10000 (default 1), at start\n"
    "                       and after POST /sandbox/reset: the default tenant, then\n"
    "                       'Booksync Demo 2'..'Booksync Demo N' with ids\n"
    "                       b5000000-0000-4000-8000-<index as 12 digits>; a grant\n"
    "                       (and GET /connections) covers them all\n"
    "  --companies N        (qbo) N companies, 1 to 10000 (default 1): the default\n"
    "                       realm, then 'Booksync Demo 2'.. with realmIds\n"
    "                       93414530501<index as 5 digits>; the authorize page\n"
    "                       picks the one named by realmId=ID (connect --tenant ID),\n"
    "                       else the default.  Limits apply per realm\n"
    "  -h, --help           this text\n",
    sandbox_exec,
};

/* --tenants / --companies N: 1 to SANDBOX_TENANTS_MAX, digits only. */
static int parse_orgs(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	if (s == NULL || *s < '1' || *s > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v > SANDBOX_TENANTS_MAX)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int sandbox_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"state", required_argument, NULL, 's'},
	    {"limits", required_argument, NULL, 'L'},
	    {"faults", required_argument, NULL, 'f'},
	    {"rounding", required_argument, NULL, 'r'},
	    {"clients", required_argument, NULL, 'c'},
	    {"webhook-url", required_argument, NULL, 'u'},
	    {"webhook-key", required_argument, NULL, 'k'},
	    {"admin-token", required_argument, NULL, 'a'},
	    {"tenants", required_argument, NULL, 'T'},
	    {"companies", required_argument, NULL, 'C'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct sandbox_config cfg;
	struct sandbox *sb = NULL;
	struct bs_error err;
	sigset_t set;
	int c, orgs_opt = 0; /* 'T' or 'C' once given */
	bool rounding_set = false;

	(void)ctx;
	if (cli_wants_help(&cmd_sandbox_entry, argc, argv))
		return CLI_OK;
	memset(&cfg, 0, sizeof(cfg));
	cfg.rounding = MONEY_HALF_AWAY;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			cfg.listen = optarg;
			break;
		case 's':
			cfg.state_path = optarg;
			break;
		case 'L':
			cfg.limits = optarg;
			break;
		case 'f':
			cfg.faults = optarg;
			break;
		case 'r':
			rounding_set = true;
			if (strcmp(optarg, "half-away") == 0)
				cfg.rounding = MONEY_HALF_AWAY;
			else if (strcmp(optarg, "half-even") == 0)
				cfg.rounding = MONEY_HALF_EVEN;
			else
				return cli_usage_error(&cmd_sandbox_entry,
				                       "--rounding must be half-away or half-even");
			break;
		case 'c':
			cfg.clients_path = optarg;
			break;
		case 'u':
			cfg.webhook_url = optarg;
			break;
		case 'k':
			cfg.webhook_key = optarg;
			break;
		case 'a':
			if (optarg[0] == '\0')
				return cli_usage_error(&cmd_sandbox_entry,
				                       "--admin-token is empty");
			cfg.admin_token = optarg;
			break;
		case 'T':
		case 'C':
			if (parse_orgs(optarg, &cfg.tenants) != 0)
				return cli_usage_error(
				    &cmd_sandbox_entry, "--%s needs a number from 1 to %d",
				    c == 'T' ? "tenants" : "companies", SANDBOX_TENANTS_MAX);
			orgs_opt = c;
			break;
		default:
			return cli_usage_error(&cmd_sandbox_entry, "unknown option");
		}
	}
	if (cfg.admin_token == NULL)
		cfg.admin_token = getenv("BOOKSYNC_SANDBOX_ADMIN_TOKEN"); /* "" = unset */
	if (optind >= argc)
		return cli_usage_error(&cmd_sandbox_entry, "which ledger? ('xero' or 'qbo')");
	if (strcmp(argv[optind], "qbo") == 0)
		cfg.ledger = SANDBOX_QBO;
	else if (strcmp(argv[optind], "xero") != 0)
		return cli_usage_error(&cmd_sandbox_entry,
		                       "'%s' is not supported ('xero' or 'qbo')", argv[optind]);
	/* QBO's midpoint rule is fixed (half away from zero): no silent no-op */
	if (cfg.ledger == SANDBOX_QBO && rounding_set)
		return cli_usage_error(&cmd_sandbox_entry, "--rounding is for 'xero' only");
	/* Xero has tenants, QBO companies: the other's word is a usage error */
	if (orgs_opt == (cfg.ledger == SANDBOX_QBO ? 'T' : 'C'))
		return cli_usage_error(&cmd_sandbox_entry, "--%s is for '%s' only",
		                       orgs_opt == 'T' ? "tenants" : "companies",
		                       orgs_opt == 'T' ? "xero" : "qbo");
	if (optind + 1 < argc)
		return cli_usage_error(&cmd_sandbox_entry, "unexpected argument '%s'",
		                       argv[optind + 1]);
	cli_stop_signals_block(&set);
	bs_error_clear(&err);
	if (sandbox_start(&cfg, &sb, &err) != BS_OK) {
		fprintf(stderr, "booksync sandbox: %s\n",
		        err.msg[0] ? err.msg : bs_strerror(err.code));
		return err.code == BS_EINVAL   ? CLI_USAGE
		       : err.code == BS_ESTORE ? CLI_STORE
		                               : CLI_UNREACHABLE;
	}
	printf("%s\n", sandbox_url(sb));
	fflush(stdout);
	fprintf(stderr, "booksync sandbox: serving on %s, default %s %s", sandbox_url(sb),
	        cfg.ledger == SANDBOX_QBO ? "realm" : "tenant", sandbox_default_tenant(sb));
	if (cfg.tenants > 1)
		fprintf(stderr, " (of %u)", cfg.tenants);
	fprintf(stderr, "\n");
	cli_stop_signals_wait(&set);
	sandbox_stop(sb);
	return CLI_OK;
}
