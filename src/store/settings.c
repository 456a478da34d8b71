/*
 * settings.c - the settings catalogue (see settings.h).
 *
 * Account defaults are the codes of Xero's default chart that the sandbox's
 * default organisation has (docs/sandbox.md); connecting to a real organisation
 * fills or overrides them from its chart.
 */
#include "store/settings.h"

#include "consolidate/consolidate.h"
#include "core/buf.h"
#include "core/money.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int check_choice(const struct settings_def *d, const char *value, struct bs_error *err)
{
	const char *p = d->choices;
	size_t n = strlen(value);

	while (p != NULL && *p != '\0') {
		const char *bar = strchr(p, '|');
		size_t len = bar != NULL ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, value, n) == 0)
			return BS_OK;
		p = bar != NULL ? bar + 1 : NULL;
	}
	return bs_error_set(err, BS_EINVAL, "%s must be one of %s, not '%s'", d->key, d->choices,
	                    value);
}

static int check_currency(const struct settings_def *d, const char *value, struct bs_error *err)
{
	if (value[0] == '\0' || money_currency_exponent(value) >= 0)
		return BS_OK;
	return bs_error_set(err, BS_EINVAL, "%s: '%s' is not an ISO 4217 currency code", d->key,
	                    value);
}

static int check_text(const struct settings_def *d, const char *value, struct bs_error *err)
{
	size_t n = strlen(value);

	if (n > 255)
		return bs_error_set(err, BS_EINVAL, "%s: at most 255 bytes", d->key);
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)value[i] < 0x20)
			return bs_error_set(err, BS_EINVAL, "%s: control characters not allowed",
			                    d->key);
	}
	return BS_OK;
}

static int check_account(const struct settings_def *d, const char *value, struct bs_error *err)
{
	size_t n = strlen(value);

	if (n == 0 || n > 10)
		return bs_error_set(err, BS_EINVAL, "%s: an account code is 1 to 10 characters",
		                    d->key);
	for (size_t i = 0; i < n; i++) {
		char c = value[i];

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      c == '-' || c == '.' || c == '_'))
			return bs_error_set(err, BS_EINVAL,
			                    "%s: '%s' is not an account code (letters, digits, "
			                    "- . _)",
			                    d->key, value);
	}
	return BS_OK;
}

static int check_count(const struct settings_def *d, const char *value, struct bs_error *err)
{
	size_t n = strlen(value);

	/* "-5", "0", "1.5", "": the same answer, since a sign or a point is
	 * never part of a count */
	if (n == 0 || strspn(value, "0123456789") != n || strspn(value, "0") == n)
		return bs_error_set(err, BS_EINVAL, "%s: '%s' is not a positive whole number",
		                    d->key, value);
	if (n > 9)
		return bs_error_set(err, BS_EINVAL, "%s: a whole number from 1 to 999999999",
		                    d->key);
	return BS_OK;
}

/* A ledger tax code: letters, digits, '_' and '-', at most 32 (OUTPUT2, NONE). */
static int check_tax_code(const struct settings_def *d, const char *value, struct bs_error *err)
{
	size_t n = strlen(value);

	(void)d;
	if (n == 0 || n > 32)
		return bs_error_set(err, BS_EINVAL, "a tax code is 1 to 32 characters");
	for (size_t i = 0; i < n; i++) {
		char c = value[i];

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      c == '_' || c == '-'))
			return bs_error_set(err, BS_EINVAL, "'%s' is not a tax code", value);
	}
	return BS_OK;
}

/* Minutes between scheduled syncs: 0 (off) to a week. */
static int check_minutes(const struct settings_def *d, const char *value, struct bs_error *err)
{
	size_t n = strlen(value);
	long v = 0;

	if (n == 0 || n > 5 || strspn(value, "0123456789") != n)
		return bs_error_set(err, BS_EINVAL,
		                    "%s: '%s' is not a whole number of minutes (0 = off)", d->key,
		                    value);
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (value[i] - '0');
	if (v > 10080)
		return bs_error_set(err, BS_EINVAL, "%s: at most 10080 (a week)", d->key);
	return BS_OK;
}

/* An IANA zone ("Pacific/Auckland"), "UTC", or an offset "+13:00" / "-05:30";
 * "" means the organisation's. */
static int check_timezone(const struct settings_def *d, const char *value, struct bs_error *err)
{
	size_t n = strlen(value);

	if (n == 0 || cons_tz_offset(value, NULL) == BS_OK)
		return BS_OK;
	if (n > 64 ||
	    strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                  "0123456789/_+-") != n ||
	    value[0] == '/' || strstr(value, "..") != NULL)
		return bs_error_set(err, BS_EINVAL,
		                    "%s: '%s' is not a time zone (Area/City, UTC or +HH:MM)",
		                    d->key, value);
	return BS_OK;
}

static const struct settings_def defs[] = {
    {"base_currency", "", "organisation's base currency (filled on connect)", check_currency, NULL},
    {"reference_prefix", "", "prefix of invoice unique references", check_text, NULL},
    {"invoice_status", "AUTHORISED", "status of created invoices and bills", check_choice,
     "AUTHORISED|DRAFT"},
    {"disable_payment_sync", "false", "do not send payments to the ledger", check_choice,
     "true|false"},
    /* inbound payments (docs/inbound.md) */
    {"import_payments", "false",
     "Attempt to import payments from the ledger: apply each that exactly pays one open invoice",
     check_choice, "true|false"},
    {"inbound.every_minutes", "180",
     "serve: import payments from the ledger every N minutes while import_payments is on (0 = "
     "off)",
     check_minutes, NULL},
    {"disable_po_sync", "false", "do not upload open purchases as purchase orders", check_choice,
     "true|false"},
    /* QuickBooks Online only (docs/states-and-tabs.md "Purchase orders and bills") */
    {"upload_po_as_qbo_po", "false",
     "Upload purchase orders as QuickBooks purchase orders: unbilled ones go to QuickBooks "
     "Online as purchase orders (they cannot then sync as bills)",
     check_choice, "true|false"},
    {"account.sales", "200", "default sales account", check_account, NULL},
    {"account.purchases", "429", "default purchases / expense account", check_account, NULL},
    {"account.cogs", "310", "cost of goods sold", check_account, NULL},
    {"account.inventory", "630", "inventory asset", check_account, NULL},
    {"account.adjustment", "310", "stock adjustment contra account", check_account, NULL},
    {"account.rounding", "860", "rounding corrections", check_account, NULL},
    {"account.bank", "090", "default bank / clearing account for payments", check_account, NULL},
    {"account.gift_voucher", "", "gift voucher liability (payments enabled)", check_account, NULL},
    {"account.breakage", "260", "gift voucher breakage income", check_account, NULL},
    {"money_task_contact", "booksync money tasks",
     "contact used for money tasks without contact_id", check_text, NULL},
    {"ledger_rounding", "half-away", "the ledger's midpoint rule for 2-dp amounts", check_choice,
     "half-away|half-even"},
    /* limits.*: "" = the ledger's own (struct ledger_caps), a number overrides it */
    {"limits.per_minute", "", "calls a minute per tenant (default the ledger's: Xero 60, QBO 500)",
     check_count, NULL},
    {"limits.per_day", "", "calls a day per tenant (default the ledger's: Xero 5000, QBO none)",
     check_count, NULL},
    {"limits.concurrent", "", "calls at once per tenant (default the ledger's: Xero 5, QBO 10)",
     check_count, NULL},
    {"limits.app_per_minute", "",
     "calls a minute for the app (default the ledger's: Xero 10000, QBO none)", check_count, NULL},
    {"limits.batch_minute", "",
     "batch calls a minute per tenant (default the ledger's: QBO 40, Xero none)", check_count,
     NULL},
    {"limits.time_scale", "1", "time runs N times faster (tests against a scaled sandbox)",
     check_count, NULL},
    {"qbo.client_id", "", "QuickBooks app's client id (else $BOOKSYNC_QBO_CLIENT_ID)", check_text,
     NULL},
    {"qbo.client_secret", "", "QuickBooks app's client secret (else $BOOKSYNC_QBO_CLIENT_SECRET)",
     check_text, NULL},
    {"tax.zero_code", "", "tax code for 0% lines (default NONE; e.g. ZERORATED for exports)",
     check_tax_code, NULL},
    /* a key ending in '*' names a family: tax.sales.15 = OUTPUT2 */
    {"tax.sales.*", "", "tax code for sales lines at that rate, e.g. tax.sales.15", check_tax_code,
     NULL},
    {"tax.purchases.*", "", "tax code for purchase lines at that rate, e.g. tax.purchases.15",
     check_tax_code, NULL},
    {"timezone", "", "the organisation's time zone for 'today' (Area/City, UTC, +HH:MM)",
     check_timezone, NULL},
    /* consolidation (docs/consolidation.md): none of the others counts while
     * consolidation.enabled is false */
    {"consolidation.enabled", "false", "consolidate sales, COGS and payments per channel",
     check_choice, "true|false"},
    /* a '*' inside a key names a channel family: the '*' key itself is the
     * default of every channel, consolidation.channel.Shopify(MyShop).cogs
     * one channel's own */
    {"consolidation.channel.*.invoices", "individual",
     "sales and credit notes of a channel <type>(<name>)", check_choice,
     "no-sync|individual|daily|monthly"},
    {"consolidation.channel.*.cogs", "individual", "COGS of a channel <type>(<name>)", check_choice,
     "no-sync|individual|daily|monthly"},
    {"consolidation.channel.*.payments", "individual",
     "payments of a channel <type>(<name>) (not longer than its invoices)", check_choice,
     "no-sync|individual|daily|monthly"},
    {"consolidation.grouping", "account", "lines of a consolidated sale", check_choice,
     "account|sku|category|tracking"},
    {"consolidation.sync_customer_contacts", "true",
     "false: one contact 'booksync sales consolidation' for consolidated documents", check_choice,
     "true|false"},
    {"consolidation.credit_account", "",
     "customer credit account of consolidated credits (payments enabled; default "
     "account.gift_voucher)",
     check_account, NULL},
    {"consolidation.journals", "none", "other journals, by currency and period", check_choice,
     "none|daily|monthly"},
    {"consolidation.money_tasks", "none", "money tasks, by bank account, date and tax mode",
     check_choice, "none|daily|monthly"},
    {"consolidation.money_task_type", "both", "which money tasks consolidate", check_choice,
     "receive|spend|both"},
    /* booksync serve (docs/serve.md "Jobs and the scheduler") */
    {"schedule.sync_minutes", "0",
     "serve: Sync All of every connected ledger every N minutes (0 = off)", check_minutes, NULL},
    /* events out, webhooks in (docs/events.md); keys ending in "secret"
     * are never shown in full */
    {"events.url", "", "POST events for the source system here (unset = no events kept)",
     check_text, NULL},
    {"events.secret", "", "key of the events' Booksync-Signature HMAC", check_text, NULL},
    {"webhooks.xero_secret", "", "Xero webhook signing key (serve: POST /webhooks/xero)",
     check_text, NULL},
    {"webhooks.qbo_secret", "", "QuickBooks webhook verifier token (serve: POST /webhooks/qbo)",
     check_text, NULL},
};

const struct settings_def *settings_all(size_t *n)
{
	*n = sizeof(defs) / sizeof(defs[0]);
	return defs;
}

/*
 * A family's member.  A trailing '*': the prefix, then a percentage ("15",
 * "12.5").  A '*' inside: prefix, a channel "<type>(<name>)", suffix.
 */
static bool family_member(const char *pattern, const char *key)
{
	const char *star = strchr(pattern, '*');
	size_t pl, sl, kl = strlen(key);
	int64_t pct;

	if (star == NULL)
		return false;
	pl = (size_t)(star - pattern);
	sl = strlen(star + 1);
	if (strncmp(pattern, key, pl) != 0 || kl <= pl + sl)
		return false;
	if (sl == 0)
		return money_parse_pct(key + pl, kl - pl, &pct) == BS_OK && pct >= 0;
	return strcmp(key + kl - sl, star + 1) == 0 &&
	       cons_channel_check(key + pl, kl - pl - sl) == BS_OK;
}

bool settings_is_family(const struct settings_def *d)
{
	return strchr(d->key, '*') != NULL;
}

const struct settings_def *settings_find(const char *key)
{
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		if (strcmp(defs[i].key, key) == 0 || family_member(defs[i].key, key))
			return &defs[i];
	}
	return NULL;
}

int settings_check(const char *key, const char *value, struct bs_error *err)
{
	const struct settings_def *d = settings_find(key);

	if (d == NULL)
		return bs_error_set(err, BS_ENOTFOUND,
		                    "unknown setting '%s' (see 'booksync settings' for the list)",
		                    key);
	return d->check(d, value, err);
}

/* The effective value of `key`, "" when unreadable (checks then pass). */
static void get_or(struct store *st, const char *key, struct buf *out)
{
	struct bs_error e;

	if (settings_get(st, key, out, &e) != BS_OK)
		buf_reset(out);
}

/* The channel and transaction of a consolidation.channel key. */
static bool channel_key(const char *key, struct buf *chan, const char **txn)
{
	static const char pre[] = "consolidation.channel.";
	const char *dot;

	if (strncmp(key, pre, sizeof(pre) - 1) != 0)
		return false;
	key += sizeof(pre) - 1;
	dot = strrchr(key, '.');
	if (dot == NULL)
		return false;
	buf_reset(chan);
	buf_add(chan, key, (size_t)(dot - key));
	*txn = dot + 1;
	return true;
}

/* One channel's invoices/payments pair, with `key` about to hold `value`. */
static int check_pair(struct store *st, const char *chan, const char *key, const char *value,
                      struct bs_error *err)
{
	struct buf k, inv, pay;
	int rc = BS_OK;

	buf_init(&k, 128);
	buf_init(&inv, 32);
	buf_init(&pay, 32);
	buf_printf(&k, "consolidation.channel.%s.invoices", chan);
	if (strcmp(buf_cstr(&k), key) == 0)
		buf_addstr(&inv, value);
	else if (store_setting_get(st, buf_cstr(&k), &inv, NULL) != BS_OK)
		get_or(st, "consolidation.channel.*.invoices", &inv);
	buf_reset(&k);
	buf_printf(&k, "consolidation.channel.%s.payments", chan);
	if (strcmp(buf_cstr(&k), key) == 0)
		buf_addstr(&pay, value);
	else if (store_setting_get(st, buf_cstr(&k), &pay, NULL) != BS_OK)
		get_or(st, "consolidation.channel.*.payments", &pay);
	rc = cons_check_periods(chan, buf_cstr(&inv), buf_cstr(&pay), err);
	buf_free(&k);
	buf_free(&inv);
	buf_free(&pay);
	return rc;
}

struct each_chan {
	struct store *st;
	const char *key, *value;
	struct bs_error *err;
	struct buf chan;
	int rc;
};

/* Every channel that has a key of its own is checked against a new default. */
static int each_chan_cb(void *arg, const char *key, const char *value)
{
	struct each_chan *e = arg;
	const char *txn;

	(void)value;
	if (e->rc != BS_OK || !channel_key(key, &e->chan, &txn) ||
	    strcmp(buf_cstr(&e->chan), "*") == 0)
		return 0;
	e->rc = check_pair(e->st, buf_cstr(&e->chan), e->key, e->value, e->err);
	return 0;
}

int settings_check_with(struct store *st, const char *key, const char *value, struct bs_error *err)
{
	struct buf chan;
	const char *txn;
	int rc;

	rc = settings_check(key, value, err);
	if (rc != BS_OK)
		return rc;
	buf_init(&chan, 64);
	if (channel_key(key, &chan, &txn) &&
	    (strcmp(txn, "invoices") == 0 || strcmp(txn, "payments") == 0)) {
		rc = check_pair(st, buf_cstr(&chan), key, value, err);
		if (rc == BS_OK && strcmp(buf_cstr(&chan), "*") == 0) {
			struct each_chan e = {st, key, value, err, {0}, BS_OK};

			buf_init(&e.chan, 64);
			store_settings_each(st, each_chan_cb, &e, NULL);
			rc = e.rc;
			buf_free(&e.chan);
		}
	}
	buf_free(&chan);
	return rc;
}

int settings_get(struct store *st, const char *key, struct buf *out, struct bs_error *err)
{
	const struct settings_def *d = settings_find(key);
	int rc;

	if (d == NULL)
		return bs_error_set(err, BS_ENOTFOUND, "unknown setting '%s'", key);
	rc = store_setting_get(st, key, out, err);
	if (rc == BS_ENOTFOUND && strcmp(key, d->key) != 0 && strchr(d->key, '*')[1] != '\0') {
		/* a channel without its own value has the '*' key's */
		bs_error_clear(err);
		return settings_get(st, d->key, out, err);
	}
	if (rc == BS_ENOTFOUND) {
		buf_reset(out);
		bs_error_clear(err);
		rc = buf_addstr(out, d->def);
	}
	return rc;
}

int64_t settings_minutes(struct store *st, const char *key)
{
	struct buf v;
	int64_t m = 0;

	buf_init(&v, 64);
	if (settings_get(st, key, &v, NULL) == BS_OK &&
	    settings_check(key, buf_cstr(&v), NULL) == BS_OK)
		for (const char *p = buf_cstr(&v); *p != '\0'; p++)
			m = m * 10 + (*p - '0');
	buf_free(&v);
	return m;
}

int64_t settings_minute_ms(void)
{
	const char *v = getenv("BOOKSYNC_SCHEDULE_UNIT_MS");
	int64_t ms = 0;

	if (v == NULL || v[0] == '\0' || strspn(v, "0123456789") != strlen(v) || strlen(v) > 9)
		return 60 * 1000;
	for (; *v != '\0'; v++)
		ms = ms * 10 + (*v - '0');
	return ms > 0 ? ms : 60 * 1000;
}
