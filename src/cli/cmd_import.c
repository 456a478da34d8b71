/*
 * cmd_import.c - `booksync import`: ingest source records from files.
 *
 * Every bad record is listed on stderr with its file, line and field; the
 * good ones are kept.  Exit 1 when any record was rejected, 2 when an input
 * could not be read at all, 4 on a store error (the worst wins).
 */
#include "cli/cli.h"
#include "ingest/ingest.h"
#include "store/store.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static int cmd_import_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_import_entry = {
    "import",
    "ingest records from JSON Lines, JSON or CSV files",
    "usage: booksync [--db PATH] import [--kind KIND] [--format jsonl|json|csv]\n"
    "                                  [--max-line BYTES] [--quiet] FILE...|-\n"
    "\n"
    "Reads source records (docs/records.md) and stores them.  The format comes from\n"
    "the file name (.jsonl/.ndjson, .json, .csv), else from the first byte.  A CSV\n"
    "file holds one kind: its `kind` column, else --kind, else the file name\n"
    "(sales.csv).  '-' reads standard input.\n"
    "\n"
    "Re-importing an identical record changes nothing; a changed one becomes\n"
    "pending again.  Bad records are listed (file, line, field, what is wrong) and\n"
    "skipped; the rest are kept.\n"
    "\n"
    "Options:\n"
    "  --kind KIND        kind of the records in CSV input (sale, customer, ...)\n"
    "  --format F         jsonl, json or csv instead of detecting it\n"
    "  --max-line BYTES   longest line / CSV record / JSON array (default 16777216)\n"
    "  --quiet            no summary on stdout\n"
    "\n"
    "Exit: 0 all stored, 1 some records rejected, 2 an input could not be read,\n"
    "4 store error.\n",
    cmd_import_exec,
};

struct progress {
	const char *file;
	bool tty;
	int64_t last_ms;
	bool drawn;
};

static void on_reject(void *arg, const char *msg)
{
	struct progress *p = arg;

	if (p->drawn) {
		fputs("\r\033[K", stderr);
		p->drawn = false;
	}
	fprintf(stderr, "rejected: %s\n", msg);
}

static void on_progress(void *arg, uint64_t done, uint64_t total)
{
	struct progress *p = arg;
	int64_t now;

	if (!p->tty)
		return;
	now = cli_now_ms();
	if (now - p->last_ms < 100)
		return;
	p->last_ms = now;
	p->drawn = true;
	/* sizes in MB with one decimal, in integers like everything else here */
	if (total > 0) {
		unsigned pct = (unsigned)(done * 100 / total);
		int bar = (int)(pct / 4);

		fprintf(stderr, "\r%-24.24s [%.*s%*s] %3u%% %llu.%llu/%llu.%llu MB", p->file, bar,
		        "#########################", 25 - bar, "", pct,
		        (unsigned long long)(done / 1000000),
		        (unsigned long long)(done / 100000 % 10),
		        (unsigned long long)(total / 1000000),
		        (unsigned long long)(total / 100000 % 10));
	} else {
		fprintf(stderr, "\r%-24.24s %llu.%llu MB", p->file,
		        (unsigned long long)(done / 1000000),
		        (unsigned long long)(done / 100000 % 10));
	}
	fflush(stderr);
}

static int parse_size(const char *s, size_t *out)
{
	char *end = NULL;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		return BS_EINVAL;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || v < 64 || v > ((unsigned long long)1 << 32))
		return BS_EINVAL;
	*out = (size_t)v;
	return BS_OK;
}

static int cmd_import_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"kind", required_argument, NULL, 'k'},
	    {"format", required_argument, NULL, 'f'},
	    {"max-line", required_argument, NULL, 'm'},
	    {"quiet", no_argument, NULL, 'q'},
	    {NULL, 0, NULL, 0},
	};
	struct ingest_opts o = {0};
	struct ingest_stats total = {0};
	struct store_actor who = {"import", 0};
	struct progress prog = {NULL, ctx->stderr_tty, 0, false};
	struct store *st = NULL;
	bool quiet = false;
	int c, rc = CLI_OK, worst = CLI_OK;

	if (cli_wants_help(&cmd_import_entry, argc, argv))
		return CLI_OK;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+k:f:m:q", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			o.kind = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "jsonl") == 0 || strcmp(optarg, "ndjson") == 0)
				o.format = SOURCE_JSONL;
			else if (strcmp(optarg, "json") == 0)
				o.format = SOURCE_JSON_ARRAY;
			else if (strcmp(optarg, "csv") == 0)
				o.format = SOURCE_CSV;
			else
				return cli_usage_error(&cmd_import_entry,
				                       "--format must be jsonl, json or csv");
			break;
		case 'm':
			if (parse_size(optarg, &o.max_line) != BS_OK)
				return cli_usage_error(
				    &cmd_import_entry,
				    "--max-line needs a byte count (64 .. 4 GiB)");
			break;
		case 'q':
			quiet = true;
			break;
		default:
			return cli_usage_error(&cmd_import_entry, "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage_error(&cmd_import_entry,
		                       "name at least one FILE (or - for stdin)");
	if (o.kind != NULL && source_kind_from_word(o.kind, strlen(o.kind)) == NULL)
		return cli_usage_error(&cmd_import_entry, "--kind: unknown kind '%s'", o.kind);
	rc = cli_store_open(ctx, &cmd_import_entry, STORE_OPEN_CHECK, &st);
	if (rc != CLI_OK)
		return rc;
	o.who = &who;
	o.on_reject = on_reject;
	o.on_progress = on_progress;
	o.arg = &prog;
	for (int i = optind; i < argc; i++) {
		struct ingest_stats s = {0};
		struct bs_error err;

		bs_error_clear(&err);
		who.now_ms = cli_now_ms();
		prog.file = argv[i];
		rc = ingest_path(st, argv[i], &o, &s, &err);
		if (prog.drawn) {
			fputs("\r\033[K", stderr);
			prog.drawn = false;
		}
		if (rc != BS_OK) {
			int code = cli_exit_for(rc);

			if (rc == BS_EINVAL || rc == BS_ETOOBIG)
				code = CLI_USAGE;
			fprintf(stderr, "booksync import: %s\n", err.msg);
			if (code > worst)
				worst = code;
			if (code == CLI_STORE)
				break;
			continue;
		}
		if (!quiet)
			printf("%s: %llu records: %llu new, %llu changed, %llu unchanged, "
			       "%llu stale, %llu rejected\n",
			       argv[i], (unsigned long long)s.items, (unsigned long long)s.added,
			       (unsigned long long)s.changed, (unsigned long long)s.unchanged,
			       (unsigned long long)s.stale, (unsigned long long)s.rejected);
		total.rejected += s.rejected;
	}
	if (total.rejected > 0) {
		fprintf(stderr, "booksync import: %llu record%s rejected (listed above)\n",
		        (unsigned long long)total.rejected, total.rejected == 1 ? "" : "s");
		if (worst < CLI_REJECTED)
			worst = CLI_REJECTED;
	}
	store_close(st);
	return worst;
}
