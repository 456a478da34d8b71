/*
 * cmd_settings.c - `booksync settings`: show and change settings.
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "store/settings.h"
#include "store/store.h"

#include <string.h>

static int cmd_settings_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_settings_entry = {
    "settings",
    "show or change settings",
    "usage: booksync [--db PATH] settings [--json]\n"
    "       booksync [--db PATH] settings KEY\n"
    "       booksync [--db PATH] settings KEY VALUE\n"
    "       booksync [--db PATH] settings --unset KEY\n"
    "\n"
    "Without arguments lists every setting with its value, marking defaults.  With\n"
    "KEY prints its value; with KEY VALUE checks and saves it; --unset returns it to\n"
    "its default.\n",
    cmd_settings_exec,
};

struct fam {
	const struct settings_def *def;
	bool json;
	bool *first;
};

/* Print the stored members of a settings family (tax.sales.*,
 * consolidation.channel.*.cogs), not its '*' key itself. */
static int fam_cb(void *arg, const char *key, const char *value)
{
	struct fam *f = arg;

	if (settings_find(key) != f->def || strcmp(key, f->def->key) == 0)
		return 0;
	if (f->json) {
		fputs(!*f->first ? ",\n  " : "\n  ", stdout);
		*f->first = false;
		cli_json_str(stdout, key);
		fputs(": ", stdout);
		cli_json_str(stdout, value);
	} else {
		printf("  %-20s %s\n", key, value);
	}
	return 0;
}

/* A secret (a key ending in "secret", as the API's settings) is shown as
 * set or not, never its text: terminals and CI logs keep what they print. */
static const char *shown(const char *key, const char *value)
{
	size_t n = strlen(key);

	if (n >= 6 && strcmp(key + n - 6, "secret") == 0 && value[0] != '\0')
		return "********";
	return value;
}

static int list(struct store *st, bool json)
{
	bool first;
	const struct settings_def *defs;
	struct bs_error err;
	struct buf v;
	size_t n;
	int rc = CLI_OK;

	defs = settings_all(&n);
	first = true;
	buf_init(&v, 4096);
	if (json)
		fputs("{", stdout);
	for (size_t i = 0; i < n; i++) {
		bool is_default;

		if (defs[i].key[strlen(defs[i].key) - 1] == '*') {
			/* a family: its help line, then the members that are set */
			struct fam f = {&defs[i], json, &first};

			if (!json)
				printf("%-22s %-24s %s\n", defs[i].key, "", defs[i].help);
			store_settings_each(st, fam_cb, &f, NULL);
			continue;
		}
		bs_error_clear(&err);
		int src = store_setting_get(st, defs[i].key, &v, &err);
		if (src != BS_OK && src != BS_ENOTFOUND) {
			rc = cli_fail(&cmd_settings_entry, src, err.msg);
			break;
		}
		is_default = src == BS_ENOTFOUND;
		if (is_default) {
			buf_reset(&v);
			buf_addstr(&v, defs[i].def);
		}
		if (json) {
			fputs(!first ? ",\n  " : "\n  ", stdout);
			first = false;
			cli_json_str(stdout, defs[i].key);
			fputs(": ", stdout);
			cli_json_str(stdout, shown(defs[i].key, buf_cstr(&v)));
		} else {
			printf("%-22s %-24s %s%s\n", defs[i].key, shown(defs[i].key, buf_cstr(&v)),
			       is_default ? "(default) " : "", defs[i].help);
		}
		if (settings_is_family(&defs[i])) {
			/* a '*' key inside a family: the default, then each
			 * channel's own */
			struct fam f = {&defs[i], json, &first};

			store_settings_each(st, fam_cb, &f, NULL);
		}
	}
	if (json)
		fputs("\n}\n", stdout);
	buf_free(&v);
	return rc;
}

static int cmd_settings_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	struct store *st = NULL;
	struct bs_error err;
	struct buf v;
	bool json = false, unset = false;
	const char *args[2];
	int nargs = 0, rc;

	if (cli_wants_help(&cmd_settings_entry, argc, argv))
		return CLI_OK;
	for (int i = 1; i < argc; i++) {
		bool opt = argv[i][0] == '-' && argv[i][1] != '\0';

		if (opt && strcmp(argv[i], "--json") == 0)
			json = true;
		else if (opt && strcmp(argv[i], "--unset") == 0)
			unset = true;
		/* after KEY comes its VALUE, which may begin with '-' ("-5"): the
		 * catalogue says what is wrong with it, not the option parser */
		else if (opt && (nargs != 1 || unset))
			return cli_usage_error(&cmd_settings_entry, "unknown option '%s'", argv[i]);
		else if (nargs < 2)
			args[nargs++] = argv[i];
		else
			return cli_usage_error(&cmd_settings_entry, "too many arguments");
	}
	if (unset && nargs != 1)
		return cli_usage_error(&cmd_settings_entry, "--unset takes one KEY");
	bs_error_clear(&err);
	if (nargs >= 1 && settings_find(args[0]) == NULL) {
		settings_check(args[0], "", &err);
		return cli_usage_error(&cmd_settings_entry, "%s", err.msg);
	}
	if (nargs == 2 && settings_check(args[0], args[1], &err) != BS_OK)
		return cli_usage_error(&cmd_settings_entry, "%s", err.msg);
	/* only a change is checked first: reading settings reads no more */
	rc = cli_store_open(ctx, &cmd_settings_entry, nargs == 2 || unset ? STORE_OPEN_CHECK : 0,
	                    &st);
	if (rc != CLI_OK)
		return rc;
	buf_init(&v, 4096);
	if (nargs == 0) {
		rc = list(st, json);
	} else if (unset) {
		/* back to the default: checked as a change to it (a channel's
		 * invoices falling back to a '*' shorter than its payments) */
		const struct settings_def *d = settings_find(args[0]);
		struct buf dv;

		buf_init(&dv, 4096);
		rc = BS_OK;
		if (strcmp(d->key, args[0]) != 0 && strchr(d->key, '*')[1] != '\0' &&
		    settings_get(st, d->key, &dv, &err) == BS_OK)
			rc = settings_check_with(st, args[0], buf_cstr(&dv), &err);
		buf_free(&dv);
		if (rc != BS_OK) {
			rc = cli_usage_error(&cmd_settings_entry, "%s", err.msg);
			buf_free(&v);
			store_close(st);
			return rc;
		}
		rc = store_setting_unset(st, args[0], &err);
		rc = rc == BS_OK ? CLI_OK : cli_fail(&cmd_settings_entry, rc, err.msg);
	} else if (nargs == 1) {
		rc = settings_get(st, args[0], &v, &err);
		if (rc == BS_OK)
			printf("%s\n", shown(args[0], buf_cstr(&v)));
		rc = rc == BS_OK ? CLI_OK : cli_fail(&cmd_settings_entry, rc, err.msg);
	} else {
		/* what one key cannot say alone (a channel's payment period
		 * against its invoices') needs the others */
		rc = settings_check_with(st, args[0], args[1], &err);
		if (rc != BS_OK) {
			rc = cli_usage_error(&cmd_settings_entry, "%s", err.msg);
		} else {
			rc = store_setting_set(st, args[0], args[1], &err);
			rc = rc == BS_OK ? CLI_OK : cli_fail(&cmd_settings_entry, rc, err.msg);
		}
	}
	buf_free(&v);
	store_close(st);
	return rc;
}
