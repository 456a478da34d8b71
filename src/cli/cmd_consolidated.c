/*
 * cmd_consolidated.c - `booksync consolidated`: every member of a posted
 * consolidated document, with the document it went into
 * (docs/consolidation.md "Viewing").
 *
 * The consolidated documents are source records the planner wrote (their
 * `consolidation` field lists their members), so the listing reads them
 * and shows those the ledger has: failed, skipped and pending ones are not
 * shown, nor are records that posted on their own (see `history`).
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/jsonr.h"
#include "store/store.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static int cmd_consolidated_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_consolidated_entry = {
    "consolidated",
    "list the members of posted consolidated documents",
    "usage: booksync [--db PATH] consolidated [--target T] [--search TEXT] [--type TYPE]\n"
    "                                        [--sort COLUMN] [--desc] [--page N]\n"
    "                                        [--per-page N] [--csv | --json]\n"
    "\n"
    "Every member document of a consolidated document the ledger holds: its booksync\n"
    "number, its type (sale invoice, sale credit note, sale invoice payment, sale\n"
    "credit note refund, COGS (invoice), COGS (credit note), ...), the consolidated\n"
    "document's name and its number in the ledger, its date and amount.  Failed,\n"
    "skipped and pending items are not shown; records synced on their own are in\n"
    "'booksync history'.\n"
    "\n"
    "Options:\n"
    "  --search TEXT   rows whose document number or consolidated number holds TEXT\n"
    "  --type TYPE     rows of that type (as listed)\n"
    "  --sort COLUMN   number, type, consolidated, date or amount (default: date)\n"
    "  --desc          descending\n"
    "  --page N        page N (from 1) of --per-page rows (default 50)\n"
    "  --csv           the filtered view as CSV, all pages\n"
    "  --json          the page as one JSON document\n",
    cmd_consolidated_exec,
};

struct row {
	char *number, *type, *cons, *ledger, *date, *amount;
	int64_t micros;
};

struct rows {
	struct row *v;
	size_t n, cap;
	struct store *st;
	const char *target;
	const char *search, *type;
	enum record_kind kind;
	int rc;
};

static const char *member_type(const char *kind, const char *doc_type)
{
	if (strcmp(kind, "sale") == 0)
		return "sale invoice";
	if (strcmp(kind, "credit_note") == 0)
		return "sale credit note";
	return doc_type; /* payments, refunds and COGS: the document's own type */
}

static bool matches(const struct rows *r, const char *number, const char *type, const char *cons,
                    const char *ledger)
{
	if (r->type != NULL && strcmp(r->type, type) != 0)
		return false;
	return r->search == NULL || strstr(number, r->search) != NULL ||
	       strstr(cons, r->search) != NULL || strstr(ledger, r->search) != NULL;
}

static int add_row(struct rows *r, const char *number, const char *type, const char *cons,
                   const char *ledger, const char *date, const char *amount)
{
	struct row *w;

	if (r->n == r->cap) {
		size_t nc = r->cap == 0 ? 256 : r->cap * 2;
		struct row *v = realloc(r->v, nc * sizeof(*v));

		if (v == NULL)
			return BS_ENOMEM;
		r->v = v;
		r->cap = nc;
	}
	w = &r->v[r->n];
	w->number = strdup(number);
	w->type = strdup(type);
	w->cons = strdup(cons);
	w->ledger = strdup(ledger);
	w->date = strdup(date);
	w->amount = strdup(amount);
	if (w->number == NULL || w->type == NULL || w->cons == NULL || w->ledger == NULL ||
	    w->date == NULL || w->amount == NULL) {
		free(w->number);
		free(w->type);
		free(w->cons);
		free(w->ledger);
		free(w->date);
		free(w->amount);
		return BS_ENOMEM;
	}
	if (money_parse(amount, strlen(amount), 6, &w->micros) != BS_OK)
		w->micros = 0;
	r->n++;
	return BS_OK;
}

/* One consolidated record: its members, when the ledger has it. */
static int record_cb(void *arg, const char *id, const char *body)
{
	static const char *const types[] = {"Invoice", "CreditNote", "Payment", "ManualJournal"};
	struct rows *r = arg;
	struct json_object *o = json_tokener_parse(body), *c, *mem;
	struct store_link l;
	enum sync_state s;
	char ledger[256] = "";
	int rc = 0;

	if (o == NULL || !json_object_object_get_ex(o, "consolidation", &c) ||
	    store_state_get(r->st, r->kind, id, r->target, &s, NULL, NULL) != BS_OK ||
	    s != SYNC_IMPORTED)
		goto out;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]) && ledger[0] == '\0'; i++) {
		if (store_link_get(r->st, r->target, r->kind, id, types[i], &l, NULL) == BS_OK)
			snprintf(ledger, sizeof(ledger), "%s", l.number);
	}
	if (!json_object_object_get_ex(c, "members", &mem) ||
	    !json_object_is_type(mem, json_type_array))
		goto out;
	for (size_t i = 0; rc == 0 && i < json_object_array_length(mem); i++) {
		struct json_object *m = json_object_array_get_idx(mem, i);
		const char *kind = jsonr_str(m, "kind"), *mid = jsonr_str(m, "id");
		const char *type, *name = jsonr_str(c, "name");

		if (kind == NULL || mid == NULL || name == NULL)
			continue;
		type = member_type(kind, jsonr_str(c, "type") ? jsonr_str(c, "type") : "");
		if (matches(r, mid, type, name, ledger))
			rc = add_row(r, mid, type, name, ledger,
			             jsonr_str(m, "date") ? jsonr_str(m, "date") : "",
			             jsonr_str(m, "amount") ? jsonr_str(m, "amount") : "0");
	}
out:
	json_object_put(o);
	return rc;
}

static int sort_col;
static bool sort_desc;

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c;

	switch (sort_col) {
	case 0:
		c = strcmp(x->number, y->number);
		break;
	case 1:
		c = strcmp(x->type, y->type);
		break;
	case 2:
		c = strcmp(x->cons, y->cons);
		break;
	case 4:
		c = x->micros < y->micros ? -1 : x->micros > y->micros;
		break;
	default:
		c = strcmp(x->date, y->date);
		break;
	}
	if (c == 0)
		c = strcmp(x->number, y->number);
	return sort_desc ? -c : c;
}

static void csv_cell(const char *s, bool last)
{
	if (strpbrk(s, ",\"\n") != NULL) {
		fputc('"', stdout);
		for (; *s != '\0'; s++) {
			if (*s == '"')
				fputc('"', stdout);
			fputc(*s, stdout);
		}
		fputc('"', stdout);
	} else {
		fputs(s, stdout);
	}
	fputc(last ? '\n' : ',', stdout);
}

static long parse_count(const char *s)
{
	char *end;
	long v;

	if (s == NULL || *s < '1' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	return *end == '\0' && v > 0 && v < 1000000 ? v : -1;
}

static void print(const struct rows *r, bool csv, bool json, long page, long per)
{
	size_t from = csv ? 0 : (size_t)((page - 1) * per);
	size_t to = csv ? r->n : from + (size_t)per;

	if (to > r->n)
		to = r->n;
	if (csv)
		fputs("number,type,consolidated,ledger_number,date,amount\n", stdout);
	else if (json)
		printf("{\n  \"total\": %zu, \"page\": %ld, \"per_page\": %ld,\n  \"rows\": [",
		       r->n, page, per);
	else
		printf("%-20s %-24s %-36s %-10s %12s\n", "NUMBER", "TYPE", "CONSOLIDATED", "DATE",
		       "AMOUNT");
	for (size_t i = from; i < to; i++) {
		const struct row *w = &r->v[i];

		if (csv) {
			csv_cell(w->number, false);
			csv_cell(w->type, false);
			csv_cell(w->cons, false);
			csv_cell(w->ledger, false);
			csv_cell(w->date, false);
			csv_cell(w->amount, true);
		} else if (json) {
			fputs(i > from ? ",\n    {\"number\": " : "\n    {\"number\": ", stdout);
			cli_json_str(stdout, w->number);
			fputs(", \"type\": ", stdout);
			cli_json_str(stdout, w->type);
			fputs(", \"consolidated\": ", stdout);
			cli_json_str(stdout, w->cons);
			fputs(", \"ledger_number\": ", stdout);
			cli_json_str(stdout, w->ledger);
			fputs(", \"date\": ", stdout);
			cli_json_str(stdout, w->date);
			fputs(", \"amount\": ", stdout);
			cli_json_str(stdout, w->amount);
			fputs("}", stdout);
		} else {
			printf("%-20s %-24s %-36s %-10s %12s\n", w->number, w->type, w->cons,
			       w->date, w->amount);
		}
	}
	if (json)
		fputs("\n  ]\n}\n", stdout);
	else if (!csv)
		printf("-- rows %zu-%zu of %zu (page %ld)\n", r->n > 0 ? from + 1 : 0, to, r->n,
		       page);
}

static int cmd_consolidated_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"target", required_argument, NULL, 't'},   {"search", required_argument, NULL, 's'},
	    {"type", required_argument, NULL, 'y'},     {"sort", required_argument, NULL, 'o'},
	    {"desc", no_argument, NULL, 'd'},           {"page", required_argument, NULL, 'p'},
	    {"per-page", required_argument, NULL, 'n'}, {"csv", no_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'},           {NULL, 0, NULL, 0},
	};
	static const enum record_kind kinds[] = {RECORD_SALE, RECORD_CREDIT_NOTE, RECORD_PAYMENT,
	                                         RECORD_COGS};
	static const char *const cols[] = {"number", "type", "consolidated", "date", "amount"};
	struct rows r;
	struct store *st = NULL;
	struct bs_error err;
	struct buf tb;
	const char *target_arg = NULL;
	bool csv = false, json = false;
	long page = 1, per = 50;
	int c, code;

	if (cli_wants_help(&cmd_consolidated_entry, argc, argv))
		return CLI_OK;
	memset(&r, 0, sizeof(r));
	sort_col = 3;
	sort_desc = false;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			target_arg = optarg;
			break;
		case 's':
			r.search = optarg;
			break;
		case 'y':
			r.type = optarg;
			break;
		case 'o':
			sort_col = -1;
			for (int i = 0; i < 5; i++) {
				if (strcmp(optarg, cols[i]) == 0)
					sort_col = i;
			}
			if (sort_col < 0)
				return cli_usage_error(&cmd_consolidated_entry,
				                       "--sort: one of number, type, consolidated, "
				                       "date, amount");
			break;
		case 'd':
			sort_desc = true;
			break;
		case 'p':
			if ((page = parse_count(optarg)) < 0)
				return cli_usage_error(&cmd_consolidated_entry,
				                       "--page: a whole number from 1");
			break;
		case 'n':
			if ((per = parse_count(optarg)) < 0)
				return cli_usage_error(&cmd_consolidated_entry,
				                       "--per-page: a whole number from 1");
			break;
		case 'c':
			csv = true;
			break;
		case 'j':
			json = true;
			break;
		default:
			return cli_usage_error(&cmd_consolidated_entry, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error(&cmd_consolidated_entry, "unexpected argument '%s'",
		                       argv[optind]);
	if (csv && json)
		return cli_usage_error(&cmd_consolidated_entry,
		                       "--csv and --json exclude each other");
	code = cli_store_open(ctx, &cmd_consolidated_entry, 0, &st);
	if (code != CLI_OK)
		return code;
	buf_init(&tb, 1024);
	bs_error_clear(&err);
	if (store_target_pick(st, target_arg, &tb, &r.target, &err) != BS_OK) {
		code = cli_usage_error(&cmd_consolidated_entry, "%s", err.msg);
		goto out;
	}
	r.st = st;
	for (size_t k = 0; r.target != NULL && k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		int rc;

		r.kind = kinds[k];
		rc = store_records_each(st, kinds[k], record_cb, &r, &err);
		if (rc != BS_OK) {
			code = cli_fail(&cmd_consolidated_entry, rc,
			                rc == BS_ENOMEM ? "out of memory" : err.msg);
			goto out;
		}
	}
	if (r.n > 1)
		qsort(r.v, r.n, sizeof(*r.v), row_cmp);
	print(&r, csv, json, page, per);
out:
	for (size_t i = 0; i < r.n; i++) {
		free(r.v[i].number);
		free(r.v[i].type);
		free(r.v[i].cons);
		free(r.v[i].ledger);
		free(r.v[i].date);
		free(r.v[i].amount);
	}
	free(r.v);
	buf_free(&tb);
	store_close(st);
	return code;
}
