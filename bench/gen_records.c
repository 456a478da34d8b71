/*
 * gen_records.c - deterministic source-record generator (docs/records.md).
 *
 *   gen_records sample DIR [--seed S]
 *	writes one realistic month (2026-10) of a small New Zealand tea and
 *	coffee shop (base currency NZD) into DIR: the files of examples/ that
 *	`make demo` imports, plus DIR/bad/ (files full of deliberate mistakes).
 *   gen_records sales N [--lines L] [--seed S] [--customers C] [--products P]
 *	streams C customers (default N/5, at least 1), optionally P products,
 *	then N invoiced sales of L lines each to stdout as JSON Lines: the
 *	input of the ingest benchmark.  Constant memory, large fwrite chunks.
 *
 * Everything is a pure function of the seed: a private xoshiro256** PRNG
 * (seeded through splitmix64), never rand().  Money is integer minor units
 * (or millionths for prices); every `total` written is computed with
 * docs/rounding.md's rule (line amount and line tax each rounded half away from
 * zero to the currency exponent), so it is exactly what booksync recomputes.
 * The arithmetic is deliberately independent of src/core/money.c, so the
 * sample data is a cross-check of it rather than a copy.
 */
#include "core/buf.h"
#include "core/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------------------ PRNG */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman & Vigna). */
static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl64(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return result;
}

/* Uniform in [0, n) by multiply-shift (bias < n / 2^32: irrelevant here). */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static int rng_range(struct rng *r, int lo, int hi)
{
	return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

static bool rng_pct(struct rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

/* ----------------------------------------------------- exact arithmetic */

enum tax_mode { TAX_EXCLUSIVE, TAX_INCLUSIVE, TAX_NONE };

static const char *const tax_mode_name[] = {"exclusive", "inclusive", "none"};

static int64_t pow10i(int n)
{
	int64_t p = 1;

	while (n-- > 0)
		p *= 10;
	return p;
}

/* n / d rounded half away from zero; d > 0. */
static __int128 div_half_away(__int128 n, __int128 d)
{
	__int128 q = n / d, rem = n % d;

	if (rem < 0)
		rem = -rem;
	if (2 * rem >= d)
		q += n < 0 ? -1 : 1;
	return q;
}

/*
 * docs/rounding.md "The source's rule": qty (10^-4) × unit price (10^-6) ×
 * (1 − discount/100) (discount in 10^-4 percent), rounded once to `exp`
 * decimals.  Result in minor units of the currency.
 */
static int64_t line_amount(int64_t qty4, int64_t price6, int64_t disc4, int exp)
{
	__int128 n = (__int128)qty4 * price6 * (1000000 - disc4) * pow10i(exp);

	return (int64_t)div_half_away(n, (__int128)10000 * 1000000 * 1000000);
}

/* Tax on a line amount (minor units) at rate (10^-4 percent), rounded to the
 * same minor unit. */
static int64_t line_tax(int64_t amount, int64_t rate4, enum tax_mode m)
{
	if (m == TAX_EXCLUSIVE)
		return (int64_t)div_half_away((__int128)amount * rate4, 1000000);
	if (m == TAX_INCLUSIVE)
		return (int64_t)div_half_away((__int128)amount * rate4, 1000000 + rate4);
	return 0;
}

/* A value at scale 10^-from rounded half away to 10^-to (to < from), kept at
 * scale 10^-from. */
static int64_t round_to(int64_t v, int from, int to)
{
	int64_t u = pow10i(from - to);

	return (int64_t)div_half_away(v, u) * u;
}

/* --------------------------------------------------------- text helpers */

/* Append v / 10^scale with at least min_dp decimals, trailing zeros beyond
 * that dropped: (123450, 4, 2) -> "12.345", (1200, 2, 2) -> "12.00". */
static int add_fixed(struct buf *b, int64_t v, int scale, int min_dp)
{
	char tmp[64];
	size_t n = sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	int dp = scale;

	/* drop trailing zeros down to min_dp */
	while (dp > min_dp && u % 10 == 0) {
		u /= 10;
		dp--;
	}
	for (int i = 0; i < dp; i++) {
		tmp[--n] = (char)('0' + u % 10);
		u /= 10;
	}
	if (dp > 0)
		tmp[--n] = '.';
	do {
		tmp[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		tmp[--n] = '-';
	return buf_add(b, tmp + n, sizeof(tmp) - n);
}

/* Append s as a JSON string (quotes, escapes; UTF-8 passes through). */
static int add_json_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	int rc = buf_addc(b, '"');

	for (; rc == BS_OK && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			rc = buf_add(b, e, 2);
		} else if (c < 0x20) {
			char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			rc = buf_add(b, e, 6);
		} else {
			rc = buf_addc(b, (char)c);
		}
	}
	return rc == BS_OK ? buf_addc(b, '"') : rc;
}

/* Append s as one CSV field (RFC 4180: quoted when it holds , " or a newline). */
static int add_csv_field(struct buf *b, const char *s)
{
	int rc;

	if (strpbrk(s, ",\"\r\n") == NULL)
		return buf_addstr(b, s);
	rc = buf_addc(b, '"');
	for (; rc == BS_OK && *s != '\0'; s++)
		rc = *s == '"' ? buf_add(b, "\"\"", 2) : buf_addc(b, *s);
	return rc == BS_OK ? buf_addc(b, '"') : rc;
}

/* Day numbers count from 2026-10-01 = 1; 32.. are November. */
static void day_text(int day, char out[11])
{
	int month = 10, d = day;

	if (d > 31) {
		d -= 31;
		month = 11;
	}
	if (month == 11 && d > 30) {
		d -= 30;
		month = 12;
	}
	out[0] = '2';
	out[1] = '0';
	out[2] = '2';
	out[3] = '6';
	out[4] = '-';
	out[5] = (char)('0' + month / 10);
	out[6] = (char)('0' + month % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

static int write_file(const char *path, const struct buf *b)
{
	FILE *f = fopen(path, "wb");
	int rc = BS_OK;

	if (f == NULL)
		return BS_EIO;
	if (b->len > 0 && fwrite(b->ptr, 1, b->len, f) != b->len)
		rc = BS_EIO;
	if (fclose(f) != 0)
		rc = BS_EIO;
	return rc;
}

/* ======================================================== sample month */

enum cur { NZD, AUD, USD, GBP, JPY, NCUR };

static const struct currency {
	const char *code;
	int exp;
	int64_t fx10; /* NZD per unit, 10^-10 */
} currencies[NCUR] = {
    {"NZD", 2, INT64_C(10000000000)}, {"AUD", 2, INT64_C(10912000000)},
    {"USD", 2, INT64_C(16843000000)}, {"GBP", 2, INT64_C(22417000000)},
    {"JPY", 0, INT64_C(112340000)},
};

enum chan { CH_POS, CH_SHOPIFY, CH_AMAZON, CH_WHOLESALE, NCHAN };

static const struct channel {
	const char *type, *name, *store;
	bool money_as_strings; /* how this source writes decimals */
} channels[NCHAN] = {
    {"POS", "Main Street", "Main Street", true},
    {"Shopify", "MyShop", "Online", false},
    {"Amazon", "AU", "Amazon AU", true},
    {NULL, NULL, "Wholesale", false}, /* direct B2B orders: no channel */
};

enum seg { SEG_WALKIN, SEG_RETAIL, SEG_B2B };

struct party {
	char id[16];
	char name[80];
	char email[80];
	char phone[24];
	char tax_number[16];
	char line1[64], line2[32], city[32], region[32], postcode[8], country[4];
	enum cur cur;
	enum seg seg;
};

enum pkind { PK_BEANS, PK_BULK, PK_TEA, PK_EQUIP, PK_MERCH, PK_SERVICE };

struct product {
	char id[12];
	char sku[32];
	char name[80];
	enum pkind pk;
	const char *category;
	const char *brand; /* tracking {"Brand": ...} or NULL */
	int64_t price6;    /* retail price incl. GST, NZD, 10^-6 */
	int64_t cost6;     /* unit cost, NZD, at most 4 dp */
};

#define MAX_LINES 8

struct line {
	int prod;         /* product index, or -1 for a description-only line */
	const char *desc; /* description (always for prod < 0) */
	int64_t qty4, price6, disc4, rate4;
	const char *account;
	const char *tracking; /* value for {"Store": ...} or NULL */
	int64_t amount, tax;  /* minor units */
};

enum doc_kind { DOC_SALE, DOC_CN, DOC_SCN, DOC_PO };
enum status { ST_OPEN, ST_INVOICED, ST_PAID, ST_VOID, ST_BILLED, ST_FINISHED };

static const char *const status_name[] = {"open", "invoiced", "paid", "void", "billed", "finished"};

struct doc {
	enum doc_kind kind;
	char id[24];
	char ref[32];
	int day, inv_day, due_day, dispatch_day;
	enum chan chan;
	char party_id[16];
	int party; /* index, -1 for a forward reference */
	enum cur cur;
	int64_t fx10;
	enum tax_mode tax_mode;
	enum status status;
	int nlines;
	struct line l[MAX_LINES];
	int64_t total;   /* minor units */
	int64_t settled; /* paid + redeemed + credited (or refunded, for a CN) */
	bool show_total;
	bool omit_currency;
	bool strings;
	int version;
	int link; /* sale (CN) or purchase (SCN) index, -1 */
	char supplier_inv[24];
};

enum file_id {
	F_CUSTOMERS,
	F_PRODUCTS,
	F_SUPPLIERS,
	F_SALES,
	F_PURCHASES,
	F_PAYMENTS,
	F_OTHER,
	NFILE
};

static const char *const file_name[NFILE] = {
    "customers.csv", "products.csv",   "suppliers.jsonl", "sales.jsonl",
    "purchases.csv", "payments.jsonl", "other.jsonl",
};

/* One rendered record (or a CSV record's rows), kept until the files are sorted by day. */
struct rec {
	enum file_id file;
	int day, seq;
	char *text;
};

#define N_CUSTOMERS  50
#define N_SUPPLIERS  15
#define N_SALES      600
#define N_PURCHASES  40
#define MAX_PRODUCTS 96
#define MAX_DOCS     1024
#define MAX_PAYMENTS 2048
#define MAX_RECS     8192

struct payment {
	char id[16];
	int day;
	const char *target_field; /* "sale_id", "credit_note_id", "purchase_id" */
	char target[24];
	int64_t amount; /* minor units */
	enum cur cur;
	int64_t fx10;
	const char *method;
	bool is_refund;
	bool strings;
};

struct sample {
	struct rng rng;
	int rc; /* sticky: the first failure */
	struct party cust[N_CUSTOMERS + 1];
	int ncust;
	struct party supp[N_SUPPLIERS + 1];
	int nsupp;
	struct product prod[MAX_PRODUCTS];
	int nprod;
	struct doc *sales; /* N_SALES */
	int nsales;
	struct doc *cns; /* customer and supplier credit notes */
	int ncns;
	struct doc *pos; /* purchases */
	int npos;
	struct payment *pay;
	int npay;
	struct rec *recs;
	int nrecs;
	int seq;
	int64_t fx_day[NCUR][32]; /* daily rates, day 1..31 */
	struct buf tmp;           /* record being rendered */
	/* counts per kind, for the summary */
	int n_cogs, n_gv, n_sc, n_mt, n_jnl, n_adj;
};

/* ---- rendering into s->tmp with a sticky error ---- */

static void out_s(struct sample *s, const char *str)
{
	if (s->rc == BS_OK)
		s->rc = buf_addstr(&s->tmp, str);
}

/* ,"key":"value" */
static void kv_str(struct sample *s, const char *key, const char *val)
{
	out_s(s, ",\"");
	out_s(s, key);
	out_s(s, "\":");
	if (s->rc == BS_OK)
		s->rc = add_json_str(&s->tmp, val);
}

/* ,"key":raw */
static void kv_raw(struct sample *s, const char *key, const char *raw)
{
	out_s(s, ",\"");
	out_s(s, key);
	out_s(s, "\":");
	out_s(s, raw);
}

/* ,"key":<decimal>, as a JSON string or a JSON number. */
static void kv_fixed(struct sample *s, const char *key, int64_t v, int scale, int min_dp,
                     bool as_string)
{
	out_s(s, ",\"");
	out_s(s, key);
	out_s(s, "\":");
	if (as_string)
		out_s(s, "\"");
	if (s->rc == BS_OK)
		s->rc = add_fixed(&s->tmp, v, scale, min_dp);
	if (as_string)
		out_s(s, "\"");
}

static void kv_int(struct sample *s, const char *key, int64_t v)
{
	kv_fixed(s, key, v, 0, 0, false);
}

static void kv_day(struct sample *s, const char *key, int day)
{
	char d[11];

	day_text(day, d);
	kv_str(s, key, d);
}

static void out_csv(struct sample *s, const char *field, bool last)
{
	if (s->rc == BS_OK)
		s->rc = add_csv_field(&s->tmp, field);
	out_s(s, last ? "\n" : ",");
}

static void out_csv_fixed(struct sample *s, int64_t v, int scale, int min_dp, bool last)
{
	if (s->rc == BS_OK)
		s->rc = add_fixed(&s->tmp, v, scale, min_dp);
	out_s(s, last ? "\n" : ",");
}

/* Begin a JSON record: {"kind":K,"id":ID[,"version":V][,"date":D] */
static void rec_begin(struct sample *s, const char *kind, const char *id, int version, int day)
{
	buf_reset(&s->tmp);
	out_s(s, "{\"kind\":\"");
	out_s(s, kind);
	out_s(s, "\"");
	kv_str(s, "id", id);
	if (version > 0)
		kv_int(s, "version", version);
	if (day > 0)
		kv_day(s, "date", day);
}

/* Detach s->tmp as one record of `file`, sorted by `day` later. */
static void rec_end(struct sample *s, enum file_id file, int day, bool json)
{
	char *text;

	if (json)
		out_s(s, "}\n");
	if (s->rc != BS_OK)
		return;
	if (s->nrecs >= MAX_RECS) {
		s->rc = BS_ETOOBIG;
		return;
	}
	text = buf_take(&s->tmp);
	if (text == NULL) {
		s->rc = BS_ENOMEM;
		return;
	}
	s->recs[s->nrecs++] = (struct rec){file, day, s->seq++, text};
}

/* ---- reference data ---- */

static const char *const first_names[] = {
    "Aroha",   "Liam", "Olivia", "Noah",  "Charlotte", "Tama",   "Isla",   "Oliver",
    "Amelia",  "Jack", "Mia",    "Leo",   "Ava",       "Nikau",  "Harper", "Wiremu",
    "Sophie",  "Hugo", "Grace",  "Mason", "Ruby",      "Ari",    "Zoe",    "Finn",
    "Mereana", "Eli",  "Ella",   "Theo",  "Lucy",      "Manaia",
};

/* Surname and its ASCII form for the e-mail address. */
static const char *const last_names[][2] = {
    {"Smith", "smith"},    {"Williams", "williams"}, {"Ngata", "ngata"},
    {"Brown", "brown"},    {"Wilson", "wilson"},     {"Tāwhiri", "tawhiri"},
    {"Taylor", "taylor"},  {"Anderson", "anderson"}, {"Thompson", "thompson"},
    {"Walker", "walker"},  {"Te Rangi", "terangi"},  {"Harris", "harris"},
    {"Clarke", "clarke"},  {"Robinson", "robinson"}, {"Mākoare", "makoare"},
    {"O'Brien", "obrien"}, {"Patel", "patel"},       {"Singh", "singh"},
    {"Nguyen", "nguyen"},  {"Chen", "chen"},         {"Kim", "kim"},
    {"Müller", "mueller"}, {"García", "garcia"},     {"Parata", "parata"},
};

static const char *const nz_cities[][3] = {
    /* city, region, postcode */
    {"Wellington", "Wellington", "6011"},
    {"Auckland", "Auckland", "1010"},
    {"Christchurch", "Canterbury", "8011"},
    {"Lower Hutt", "Wellington", "5010"},
    {"Dunedin", "Otago", "9016"},
    {"Hamilton", "Waikato", "3204"},
    {"Nelson", "Nelson", "7010"},
    {"Napier", "Hawke's Bay", "4110"},
    {"Whanganui", "Manawatū-Whanganui", "4500"},
};

static const char *const streets[] = {
    "Cuba Street",     "Lambton Quay", "Queen Street",     "Colombo Street",   "George Street",
    "Victoria Street", "Tory Street",  "Karangahape Road", "Trafalgar Street", "Emerson Street",
};

static void set_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Format into a fixed field (truncating; the generator's own strings fit). */
static void fmt_into(char *dst, size_t cap, const char *f, ...)
    __attribute__((format(printf, 3, 4)));

static void fmt_into(char *dst, size_t cap, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(dst, cap, f, ap);
	va_end(ap);
}

#define FMT(dst, ...) fmt_into((dst), sizeof(dst), __VA_ARGS__)

static void nz_address(struct sample *s, struct party *p)
{
	const char *const *c =
	    nz_cities[rng_below(&s->rng, sizeof(nz_cities) / sizeof(nz_cities[0]))];

	FMT(p->line1, "%d %s", rng_range(&s->rng, 1, 240),
	    streets[rng_below(&s->rng, sizeof(streets) / sizeof(streets[0]))]);
	if (rng_pct(&s->rng, 25))
		FMT(p->line2, "Level %d", rng_range(&s->rng, 1, 9));
	set_str(p->city, sizeof(p->city), c[0]);
	set_str(p->region, sizeof(p->region), c[1]);
	set_str(p->postcode, sizeof(p->postcode), c[2]);
	set_str(p->country, sizeof(p->country), "NZ");
}

struct foreign_party {
	const char *name, *email, *line1, *city, *region, *postcode, *country;
	enum cur cur;
	enum seg seg;
};

static const struct foreign_party foreign_customers[] = {
    {"Chloe Martin", "chloe.martin@example.com.au", "18 Oxford Street", "Sydney", "NSW", "2010",
     "AU", AUD, SEG_RETAIL},
    {"Jack O'Neill", "jack.oneill@example.com.au", "5 Brunswick Street", "Melbourne", "VIC", "3065",
     "AU", AUD, SEG_RETAIL},
    {"Priya Raman", "priya.raman@example.com.au", "77 Adelaide Street", "Brisbane", "QLD", "4000",
     "AU", AUD, SEG_RETAIL},
    {"Emily Johnson", "emily.j@example.com", "410 Pine Street", "Seattle", "WA", "98101", "US", USD,
     SEG_RETAIL},
    {"Daniel Brooks", "dbrooks@example.com", "22 Elm Avenue", "Austin", "TX", "78701", "US", USD,
     SEG_RETAIL},
    {"Harriet Ellis", "harriet.ellis@example.co.uk", "9 Camden High Street", "London", "",
     "NW1 7JE", "GB", GBP, SEG_RETAIL},
    {"Owen Price", "owen.price@example.co.uk", "3 Castle Street", "Cardiff", "Wales", "CF10 1BS",
     "GB", GBP, SEG_RETAIL},
};

static const struct foreign_party foreign_b2b[] = {
    {"Bondi Beans Pty Ltd", "accounts@bondibeans.example.com.au", "2 Campbell Parade", "Bondi",
     "NSW", "2026", "AU", AUD, SEG_B2B},
    {"Portland Pour LLC", "ap@portlandpour.example.com", "1200 SE Division St", "Portland", "OR",
     "97202", "US", USD, SEG_B2B},
    {"Camden Cups Ltd", "finance@camdencups.example.co.uk", "40 Parkway", "London", "", "NW1 7AH",
     "GB", GBP, SEG_B2B},
    {"Kyoto Kissa KK", "keiri@kyotokissa.example.jp", "Shijo-dori 123", "Kyoto", "Kyoto",
     "600-8001", "JP", JPY, SEG_B2B},
};

static const char *const cafes[] = {
    "Smith, Jones & Co Ltd",    /* a comma: the CSV field is quoted */
    "The \"Daily Grind\" Café", /* a quote: doubled inside the CSV field */
    "Kōwhai Café",
    "Harbourside Espresso Ltd",
    "Tūī Bakery",
    "Cuba Street Kitchen",
    "Mount Vic Deli",
    "Southern Cross Catering Ltd",
    "Aro Valley Co-op",
    "Petone Provisions",
};

static void make_customers(struct sample *s)
{
	struct party *p;
	int n = 0;

	/* C-1001: the POS walk-in customer */
	p = &s->cust[n++];
	set_str(p->name, sizeof(p->name), "Walk-in Customer");
	set_str(p->line1, sizeof(p->line1), "88 Main Street");
	set_str(p->city, sizeof(p->city), "Greytown");
	set_str(p->region, sizeof(p->region), "Wellington");
	set_str(p->postcode, sizeof(p->postcode), "5712");
	set_str(p->country, sizeof(p->country), "NZ");
	p->seg = SEG_WALKIN;
	/* NZ retail customers */
	while (n < 29) {
		const char *first = first_names[(n * 7) % 30];
		const char *const *last = last_names[(n * 5 + 3) % 24];

		p = &s->cust[n++];
		FMT(p->name, "%s %s", first, last[0]);
		FMT(p->email, "%c%s.%s%d@example.co.nz", first[0] | 0x20, first + 1, last[1], n);
		FMT(p->phone, "+64 21 %03d %04d", rng_range(&s->rng, 100, 999),
		    rng_range(&s->rng, 0, 9999));
		nz_address(s, p);
		p->seg = SEG_RETAIL;
	}
	/* overseas retail (Shopify, Amazon AU) */
	for (size_t i = 0; i < sizeof(foreign_customers) / sizeof(foreign_customers[0]); i++) {
		const struct foreign_party *f = &foreign_customers[i];

		p = &s->cust[n++];
		set_str(p->name, sizeof(p->name), f->name);
		set_str(p->email, sizeof(p->email), f->email);
		set_str(p->line1, sizeof(p->line1), f->line1);
		set_str(p->city, sizeof(p->city), f->city);
		set_str(p->region, sizeof(p->region), f->region);
		set_str(p->postcode, sizeof(p->postcode), f->postcode);
		set_str(p->country, sizeof(p->country), f->country);
		p->cur = f->cur;
		p->seg = f->seg;
	}
	/* NZ cafés (B2B, GST registered) */
	for (size_t i = 0; i < sizeof(cafes) / sizeof(cafes[0]); i++) {
		p = &s->cust[n++];
		set_str(p->name, sizeof(p->name), cafes[i]);
		FMT(p->email, "accounts%zu@cafe.example.co.nz", i + 1);
		FMT(p->phone, "+64 4 %03d %04d", rng_range(&s->rng, 200, 999),
		    rng_range(&s->rng, 0, 9999));
		FMT(p->tax_number, "%03d-%03d-%03d", rng_range(&s->rng, 100, 139),
		    rng_range(&s->rng, 0, 999), rng_range(&s->rng, 0, 999));
		nz_address(s, p);
		p->seg = SEG_B2B;
	}
	/* overseas B2B */
	for (size_t i = 0; i < sizeof(foreign_b2b) / sizeof(foreign_b2b[0]); i++) {
		const struct foreign_party *f = &foreign_b2b[i];

		p = &s->cust[n++];
		set_str(p->name, sizeof(p->name), f->name);
		set_str(p->email, sizeof(p->email), f->email);
		set_str(p->line1, sizeof(p->line1), f->line1);
		set_str(p->city, sizeof(p->city), f->city);
		set_str(p->region, sizeof(p->region), f->region);
		set_str(p->postcode, sizeof(p->postcode), f->postcode);
		set_str(p->country, sizeof(p->country), f->country);
		p->cur = f->cur;
		p->seg = f->seg;
	}
	for (int i = 0; i < n; i++)
		FMT(s->cust[i].id, "C-%d", 1001 + i);
	s->ncust = n;
	/* C-1051: defined only in other.jsonl, after a sale that names it */
	p = &s->cust[s->ncust];
	FMT(p->id, "C-%d", 1001 + s->ncust);
	set_str(p->name, sizeof(p->name), "Hana Whitehead");
	set_str(p->email, sizeof(p->email), "hana.whitehead@example.co.nz");
	nz_address(s, p);
	p->seg = SEG_RETAIL;
}

static const struct foreign_party suppliers[] = {
    {"Green Bean Traders Ltd", "orders@greenbean.example.co.nz", "14 Port Road", "Seaview",
     "Wellington", "5010", "NZ", NZD, SEG_B2B},
    {"Pacific Tea Imports Ltd", "sales@pacifictea.example.co.nz", "3 Fanshawe Street", "Auckland",
     "Auckland", "1010", "NZ", NZD, SEG_B2B},
    {"Auckland Packaging Ltd", "ar@aklpack.example.co.nz", "55 Great South Road", "Penrose",
     "Auckland", "1061", "NZ", NZD, SEG_B2B},
    {"NZ Post", "business@nzpost.example.co.nz", "7 Waterloo Quay", "Wellington", "Wellington",
     "6011", "NZ", NZD, SEG_B2B},
    {"Ceramics Aotearoa", "kia.ora@ceramics.example.co.nz", "21 Rata Street", "Nelson", "Nelson",
     "7010", "NZ", NZD, SEG_B2B},
    {"Southern Milk Co", "accounts@smilk.example.co.nz", "180 Main South Road", "Christchurch",
     "Canterbury", "8042", "NZ", NZD, SEG_B2B},
    {"Espresso Parts NZ", "parts@espressoparts.example.co.nz", "9 Tory Street", "Wellington",
     "Wellington", "6011", "NZ", NZD, SEG_B2B},
    {"Brew Gear Wholesale Ltd", "sales@brewgear.example.co.nz", "60 Ti Rakau Drive", "Botany",
     "Auckland", "2013", "NZ", NZD, SEG_B2B},
    {"Printworks Ltd", "hello@printworks.example.co.nz", "2 Marion Street", "Wellington",
     "Wellington", "6011", "NZ", NZD, SEG_B2B},
    {"Clean & Green Supplies", "ap@cleangreen.example.co.nz", "41 Jackson Street", "Petone",
     "Wellington", "5012", "NZ", NZD, SEG_B2B},
    {"NZ Customs Service", "", "1 Hinemoa Street", "Wellington", "Wellington", "6011", "NZ", NZD,
     SEG_B2B},
    {"Melbourne Espresso Supplies Pty Ltd", "accounts@mes.example.com.au", "120 Smith Street",
     "Collingwood", "VIC", "3066", "AU", AUD, SEG_B2B},
    {"Chicago Grind Co", "billing@chicagogrind.example.com", "800 W Fulton Market", "Chicago", "IL",
     "60607", "US", USD, SEG_B2B},
    {"London Leaf Ltd", "ledger@londonleaf.example.co.uk", "15 Borough High Street", "London", "",
     "SE1 9SE", "GB", GBP, SEG_B2B},
    {"Highland Roasters", "info@highland.example.co.nz", "4 Ruapehu Street", "Taupō", "Waikato",
     "3330", "NZ", NZD, SEG_B2B},
    /* S-016: defined only in other.jsonl, after a purchase that names it */
    {"Ōtaki Honey Co", "orders@otakihoney.example.co.nz", "12 Mill Road", "Ōtaki", "Wellington",
     "5512", "NZ", NZD, SEG_B2B},
};

static void make_suppliers(struct sample *s)
{
	for (int i = 0; i < N_SUPPLIERS + 1; i++) {
		const struct foreign_party *f = &suppliers[i];
		struct party *p = &s->supp[i];

		FMT(p->id, "S-%03d", i + 1);
		set_str(p->name, sizeof(p->name), f->name);
		set_str(p->email, sizeof(p->email), f->email);
		set_str(p->line1, sizeof(p->line1), f->line1);
		set_str(p->city, sizeof(p->city), f->city);
		set_str(p->region, sizeof(p->region), f->region);
		set_str(p->postcode, sizeof(p->postcode), f->postcode);
		set_str(p->country, sizeof(p->country), f->country);
		p->cur = f->cur;
		p->seg = SEG_B2B;
		if (f->cur == NZD && i != 3 && i != 10)
			FMT(p->tax_number, "%03d-%03d-%03d", 60 + i, 100 + 37 * i, 999 - 41 * i);
	}
	s->nsupp = N_SUPPLIERS;
}

/* ---- products ---- */

static const struct {
	const char *code, *name;
	int cents_250g; /* retail price incl. GST of a 250 g bag */
} origins[] = {
    {"ETH", "Ethiopia Yirgacheffe", 2450},
    {"COL", "Colombia Huila", 2190},
    {"GUA", "Guatemala Antigua", 2290},
    {"PNG", "Papua New Guinea Sigri", 2090},
    {"KEN", "Kenya AA", 2690},
    {"BRA", "Brazil Cerrado", 1890},
    {"HSE", "Kōwhai House Blend", 1850},
    {"DEC", "Swiss Water Decaf", 2350},
};

static const struct {
	const char *code, *name;
	int cents_100g;
} teas[] = {
    {"EGR", "Earl Grey", 1490},       {"EBR", "English Breakfast", 1290},
    {"SEN", "Sencha", 1790},          {"GEN", "Genmaicha", 1590},
    {"CHA", "Masala Chai", 1390},     {"PEP", "Peppermint", 1190},
    {"CHM", "Chamomile", 1290},       {"OOL", "Tieguanyin Oolong", 1990},
    {"ROO", "Rooibos Vanilla", 1390}, {"KAW", "Kawakawa & Lemon", 1690},
};

static const struct {
	const char *sku, *name, *category;
	enum pkind pk;
	int cents;
	int cost_bp; /* cost in 10^-4 NZD, 0: 40% of the ex-GST price */
} others[] = {
    {"EQ-GRIND-01", "Burr grinder, conical", "Equipment", PK_EQUIP, 34900, 0},
    {"EQ-GRIND-02", "Hand grinder", "Equipment", PK_EQUIP, 12900, 0},
    {"EQ-AERO", "AeroPress", "Equipment", PK_EQUIP, 7990, 0},
    {"EQ-V60", "V60 dripper", "Equipment", PK_EQUIP, 3990, 0},
    {"EQ-FILTER-100", "Filter papers, size 02 (100 pack)", "Equipment", PK_EQUIP, 1290, 0},
    {"EQ-FILTER-EA", "Filter paper (each)", "Equipment", PK_EQUIP, 15, 123},
    {"EQ-SCALE", "Brew scale 0.1 g", "Equipment", PK_EQUIP, 6490, 0},
    {"EQ-KETTLE", "Gooseneck kettle", "Equipment", PK_EQUIP, 11900, 0},
    {"EQ-TAMP", "Tamper 58 mm", "Equipment", PK_EQUIP, 4990, 0},
    {"EQ-PRESS", "French press 1 L", "Equipment", PK_EQUIP, 5490, 0},
    {"EQ-MILKJUG", "Milk jug 600 ml", "Equipment", PK_EQUIP, 2990, 0},
    {"EQ-ESPRESSO", "Espresso machine, single group", "Equipment", PK_EQUIP, 64900, 2604350},
    {"MER-MUG-350", "Mug \"Flat White\" 350ml", "Merchandise", PK_MERCH, 2490, 0},
    {"MER-MUG-250", "Mug, stoneware 250ml", "Merchandise", PK_MERCH, 2290, 0},
    {"MER-KEEPCUP", "KeepCup 12oz", "Merchandise", PK_MERCH, 3490, 0},
    {"MER-TOTE", "Tote bag", "Merchandise", PK_MERCH, 1990, 0},
    {"MER-TEE-M", "T-shirt \"Kōwhai\" M", "Merchandise", PK_MERCH, 3900, 0},
    {"MER-TEE-L", "T-shirt \"Kōwhai\" L", "Merchandise", PK_MERCH, 3900, 0},
    {"MER-TIN", "Tea tin 100 g", "Merchandise", PK_MERCH, 1290, 0},
    {"MER-INFUSER", "Tea infuser", "Merchandise", PK_MERCH, 990, 0},
    {"MER-TEAPOT", "Cast iron teapot 600ml", "Merchandise", PK_MERCH, 8900, 0},
    {"MER-CARD", "Greeting card", "Merchandise", PK_MERCH, 650, 0},
    {"MER-HONEY", "Mānuka honey 250 g", "Merchandise", PK_MERCH, 2850, 0},
    {"MER-CHOC", "Dark chocolate 100 g", "Merchandise", PK_MERCH, 690, 0},
    {"MER-BISCOTTI", "Almond biscotti", "Merchandise", PK_MERCH, 450, 0},
    {"MER-SYRUP", "Vanilla syrup 750ml", "Merchandise", PK_MERCH, 1890, 0},
    {"SVC-SHIP-NZ", "Shipping NZ", "Services", PK_SERVICE, 850, 0},
    {"SVC-SHIP-RURAL", "Shipping NZ rural", "Services", PK_SERVICE, 1450, 0},
    {"SVC-SHIP-INT", "Shipping international", "Services", PK_SERVICE, 3900, 0},
    {"SVC-WRAP", "Gift wrapping", "Services", PK_SERVICE, 500, 0},
    {"SVC-CLASS", "Home barista class", "Services", PK_SERVICE, 14900, 0},
    {"SVC-CUPPING", "Cupping session", "Services", PK_SERVICE, 6500, 0},
    {"SVC-REPAIR", "Machine service", "Services", PK_SERVICE, 18900, 0},
    {"SVC-SUB", "Coffee subscription, monthly", "Services", PK_SERVICE, 4200, 0},
    {"SVC-TASTING", "Corporate tasting event", "Services", PK_SERVICE, 45000, 0},
    {"SVC-CONSULT", "Café consulting, per hour", "Services", PK_SERVICE, 12000, 0},
};

/* GST-exclusive price of a GST-inclusive one, at 6 dp: 44.50 -> 38.695652. */
static int64_t ex_gst(int64_t incl6)
{
	return (int64_t)div_half_away((__int128)incl6 * 100, 115);
}

static void add_product(struct sample *s, const char *sku, const char *name, enum pkind pk,
                        const char *category, const char *brand, int64_t cents, int64_t cost_bp)
{
	struct product *p = &s->prod[s->nprod];

	FMT(p->id, "P-%04d", 1 + s->nprod);
	set_str(p->sku, sizeof(p->sku), sku);
	set_str(p->name, sizeof(p->name), name);
	p->pk = pk;
	p->category = category;
	p->brand = brand;
	p->price6 = cents * 10000;
	/* cost: 40% of the ex-GST price, kept to 4 dp */
	p->cost6 = cost_bp > 0 ? cost_bp * 100 : round_to(ex_gst(p->price6) * 2 / 5, 6, 4);
	s->nprod++;
}

static void make_products(struct sample *s)
{
	char sku[32], name[80];

	for (size_t i = 0; i < sizeof(origins) / sizeof(origins[0]); i++) {
		const char *brand = i == 6 ? "House" : "Single origin";
		int c = origins[i].cents_250g;

		FMT(sku, "COF-%s-250", origins[i].code);
		FMT(name, "%s 250 g", origins[i].name);
		add_product(s, sku, name, PK_BEANS, "Coffee", brand, c, 0);
		FMT(sku, "COF-%s-1KG", origins[i].code);
		FMT(name, "%s 1 kg", origins[i].name);
		add_product(s, sku, name, PK_BEANS, "Coffee", brand, c * 3 + 90, 0);
		FMT(sku, "COF-%s-BULK", origins[i].code);
		FMT(name, "%s, bulk (per kg)", origins[i].name);
		add_product(s, sku, name, PK_BULK, "Coffee", brand, c * 2 - 450, 0);
	}
	for (size_t i = 0; i < sizeof(teas) / sizeof(teas[0]); i++) {
		int c = teas[i].cents_100g;

		FMT(sku, "TEA-%s-100", teas[i].code);
		FMT(name, "%s tea 100 g", teas[i].name);
		add_product(s, sku, name, PK_TEA, "Tea", i % 3 == 0 ? "Imported" : NULL, c, 0);
		FMT(sku, "TEA-%s-BULK", teas[i].code);
		FMT(name, "%s tea, loose (per kg)", teas[i].name);
		add_product(s, sku, name, PK_BULK, "Tea", NULL, c * 8, 0);
	}
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		add_product(s, others[i].sku, others[i].name, others[i].pk, others[i].category,
		            others[i].pk == PK_MERCH && i % 2 ? "House" : NULL, others[i].cents,
		            others[i].cost_bp);
}

static int find_sku(const struct sample *s, const char *sku)
{
	for (int i = 0; i < s->nprod; i++)
		if (strcmp(s->prod[i].sku, sku) == 0)
			return i;
	return -1;
}

/* A random product of one of the kinds in `mask` (bit per enum pkind). */
static int pick_product(struct sample *s, unsigned mask)
{
	for (;;) {
		int i = (int)rng_below(&s->rng, (uint32_t)s->nprod);

		if (mask & (1u << s->prod[i].pk))
			return i;
	}
}

/* ---- daily exchange rates ---- */

static void make_rates(struct sample *s)
{
	for (int c = 0; c < NCUR; c++) {
		int64_t base = currencies[c].fx10;

		for (int d = 1; d <= 31; d++) {
			/* ±0.6% around the month's level, 6 significant decimals
			 * for AUD/USD/GBP (…, e.g. 1.091734), 8 for JPY */
			int64_t wiggle = (int64_t)rng_below(&s->rng, 1201) - 600;
			int64_t r = base + base / 100000 * wiggle;

			s->fx_day[c][d] = c == JPY ? round_to(r, 10, 8) : round_to(r, 10, 6);
		}
	}
}

/* ---- documents ---- */

static void doc_compute(struct doc *d)
{
	int exp = currencies[d->cur].exp;
	int64_t sum = 0, tax = 0;

	for (int i = 0; i < d->nlines; i++) {
		struct line *l = &d->l[i];

		l->amount = line_amount(l->qty4, l->price6, l->disc4, exp);
		l->tax = line_tax(l->amount, l->rate4, d->tax_mode);
		sum += l->amount;
		tax += l->tax;
	}
	d->total = d->tax_mode == TAX_EXCLUSIVE ? sum + tax : sum;
}

/* Price of a product in the document's currency and tax mode. */
static int64_t doc_price(const struct sample *s, const struct doc *d, const struct product *p)
{
	int64_t ex = ex_gst(p->price6);

	if (d->cur == NZD)
		return d->tax_mode == TAX_INCLUSIVE ? p->price6 : ex;
	/* zero-rated export: the ex-GST price converted at the month's level,
	 * retail at 2 dp (price lists), wholesale at 4 dp, yen whole */
	int64_t conv = (int64_t)div_half_away((__int128)ex * 10000000000, s->fx_day[d->cur][1]);

	if (d->cur == JPY)
		return round_to(conv, 6, 0);
	return round_to(conv, 6, d->chan == CH_WHOLESALE ? 4 : 2);
}

static void add_line(struct doc *d, int prod, const char *desc, int64_t qty4, int64_t price6,
                     int64_t disc4, int64_t rate4)
{
	struct line *l = &d->l[d->nlines++];

	*l = (struct line){prod, desc, qty4, price6, disc4, rate4, NULL, NULL, 0, 0};
}

static const int64_t bulk_qty_wholesale[] = {25000,  50000,  72500, 100000,
                                             127500, 200000, 5000,  11250};
static const int64_t bulk_qty_retail[] = {1000, 1250, 2500, 3500, 5000, 2350};

static void sale_lines(struct sample *s, struct doc *d)
{
	int n;
	unsigned mask;
	int64_t rate4 = d->cur == NZD ? 150000 : 0;

	switch (d->chan) {
	case CH_POS:
		n = rng_range(&s->rng, 1, 3);
		mask =
		    1u << PK_BEANS | 1u << PK_TEA | 1u << PK_EQUIP | 1u << PK_MERCH | 1u << PK_BULK;
		break;
	case CH_SHOPIFY:
		n = rng_range(&s->rng, 1, 4);
		mask = 1u << PK_BEANS | 1u << PK_TEA | 1u << PK_EQUIP | 1u << PK_MERCH;
		break;
	case CH_AMAZON:
		n = rng_range(&s->rng, 1, 2);
		mask = 1u << PK_BEANS | 1u << PK_TEA | 1u << PK_MERCH;
		break;
	default:
		n = rng_range(&s->rng, 2, 6);
		mask = 1u << PK_BULK | 1u << PK_BEANS | 1u << PK_EQUIP;
		break;
	}
	for (int i = 0; i < n; i++) {
		int p = pick_product(s, mask);
		const struct product *pr = &s->prod[p];
		int64_t qty4, disc4 = 0;
		struct line *l;

		if (pr->pk == PK_BULK)
			qty4 = d->chan == CH_WHOLESALE ? bulk_qty_wholesale[rng_below(&s->rng, 8)]
			                               : bulk_qty_retail[rng_below(&s->rng, 6)];
		else if (d->chan == CH_WHOLESALE)
			qty4 = (int64_t)rng_range(&s->rng, 2, 24) * 10000;
		else
			qty4 =
			    (int64_t)(rng_pct(&s->rng, 80) ? 1 : rng_range(&s->rng, 2, 3)) * 10000;
		if (d->chan == CH_WHOLESALE && rng_pct(&s->rng, 30))
			disc4 = 50000 + 25000 * (int64_t)rng_below(&s->rng, 3);
		else if (d->chan == CH_SHOPIFY && rng_pct(&s->rng, 10))
			disc4 = rng_pct(&s->rng, 50) ? 150000 : 125000;
		else if (d->chan == CH_POS && rng_pct(&s->rng, 6))
			disc4 = 100000;
		add_line(d, p, NULL, qty4, doc_price(s, d, pr), disc4, rate4);
		l = &d->l[d->nlines - 1];
		if (d->chan == CH_POS || d->chan == CH_SHOPIFY)
			l->tracking = channels[d->chan].store;
		if (d->chan == CH_WHOLESALE)
			l->account = "200";
	}
	/* Shopify and Amazon orders ship */
	if (d->chan == CH_SHOPIFY || (d->chan == CH_WHOLESALE && d->cur != NZD)) {
		int p = find_sku(s, d->cur == NZD
		                        ? (rng_pct(&s->rng, 15) ? "SVC-SHIP-RURAL" : "SVC-SHIP-NZ")
		                        : "SVC-SHIP-INT");
		add_line(d, p, NULL, 10000, doc_price(s, d, &s->prod[p]), 0, rate4);
	}
}

static struct doc *new_sale(struct sample *s, int idx, int day, enum chan chan, int cust)
{
	struct doc *d = &s->sales[idx];

	memset(d, 0, sizeof(*d));
	d->kind = DOC_SALE;
	FMT(d->id, "SO-%d", 1001 + idx);
	if (chan == CH_AMAZON)
		FMT(d->ref, "503-%07u-%07u", rng_below(&s->rng, 10000000),
		    rng_below(&s->rng, 10000000));
	else
		set_str(d->ref, sizeof(d->ref), d->id);
	d->day = d->inv_day = d->due_day = day;
	d->chan = chan;
	d->party = cust;
	set_str(d->party_id, sizeof(d->party_id), s->cust[cust].id);
	d->cur = s->cust[cust].cur;
	d->fx10 = d->cur == NZD ? 0 : s->fx_day[d->cur][day];
	d->tax_mode = chan == CH_WHOLESALE ? TAX_EXCLUSIVE : TAX_INCLUSIVE;
	d->status = ST_INVOICED;
	d->strings = channels[chan].money_as_strings;
	d->omit_currency = d->cur == NZD && chan == CH_POS;
	d->link = -1;
	d->show_total = rng_pct(&s->rng, 33);
	if (rng_pct(&s->rng, 12))
		d->version = rng_pct(&s->rng, 70) ? 1 : rng_range(&s->rng, 2, 4);
	if (chan == CH_WHOLESALE) {
		d->inv_day = day + (rng_pct(&s->rng, 30) ? 1 : 0);
		if (d->inv_day > 31)
			d->inv_day = 31;
		d->due_day = 31 + 20; /* the 20th of the following month */
	}
	return d;
}

/* ---- payments ---- */

static void add_payment(struct sample *s, int day, const char *field, const struct doc *d,
                        int64_t amount, const char *method, bool refund)
{
	struct payment *p;

	if (s->npay >= MAX_PAYMENTS) {
		s->rc = BS_ETOOBIG;
		return;
	}
	p = &s->pay[s->npay++];
	FMT(p->id, "PAY-%d", 50001 + s->npay - 1);
	p->day = day;
	p->target_field = field;
	set_str(p->target, sizeof(p->target), d->id);
	p->amount = amount;
	p->cur = d->cur;
	p->fx10 = d->cur == NZD ? 0 : s->fx_day[d->cur][day > 31 ? 31 : day];
	p->method = method;
	p->is_refund = refund;
	p->strings = d->strings;
}

static const char *const pay_method[NCHAN] = {"EFTPOS", "Shopify Payments", "Amazon",
                                              "Bank transfer"};

/* Pay what is left of a sale (after vouchers and store credit) per channel habits. */
static void pay_sale(struct sample *s, struct doc *d)
{
	int64_t due = d->total - d->settled;
	int unit = (int)pow10i(currencies[d->cur].exp);

	if (d->status != ST_INVOICED || d->total <= 0)
		return;
	if (due <= 0) {
		d->status = ST_PAID; /* a voucher or store credit covered it all */
		return;
	}
	if (d->chan == CH_WHOLESALE) {
		int r = rng_range(&s->rng, 0, 99);
		int pday = d->inv_day + rng_range(&s->rng, 2, 14);

		if (pday > 31 || r < 35)
			return; /* not yet paid */
		if (r < 55) {
			/* part payment, a round sum */
			int64_t part = due / 2 / (10 * unit) * (10 * unit);

			if (part > 0) {
				add_payment(s, pday, "sale_id", d, part, "Bank transfer", false);
				d->settled += part;
			}
			return;
		}
		if (r < 70 && due > 2 * unit && pday < 31) {
			/* two instalments that add up exactly */
			int64_t first = due / 3;

			add_payment(s, pday, "sale_id", d, first, "Bank transfer", false);
			add_payment(s, pday + 1 > 31 ? 31 : pday + 1, "sale_id", d, due - first,
			            "Bank transfer", false);
		} else {
			add_payment(s, pday, "sale_id", d, due, "Bank transfer", false);
		}
		d->settled += due;
		d->status = ST_PAID;
		return;
	}
	if (rng_pct(&s->rng, 5))
		return; /* e.g. a Shopify bank-transfer order not paid yet */
	if (d->chan == CH_POS && rng_pct(&s->rng, 4) && due > 40 * unit && d->day < 25) {
		/* lay-by: a deposit now, the rest later */
		int64_t dep = due / 4;

		add_payment(s, d->day, "sale_id", d, dep, "Cash", false);
		add_payment(s, d->day + 6, "sale_id", d, due - dep, "EFTPOS", false);
	} else {
		add_payment(s, d->day, "sale_id", d, due,
		            d->chan == CH_POS && rng_pct(&s->rng, 20) ? "Cash"
		                                                      : pay_method[d->chan],
		            false);
	}
	d->settled += due;
	d->status = ST_PAID;
}

/* ---- gift vouchers and store credits (events decided during the sales loop) ---- */

struct voucher {
	char code[24];
	int sold_day;
	int64_t amount, balance;
};

struct credit {
	int cust;
	int day;
	const char *origin;
	int64_t amount, balance;
};

#define N_VOUCHERS 8
#define N_CREDITS  4

struct retail {
	struct voucher v[N_VOUCHERS];
	int redeemed;
	struct credit c[N_CREDITS];
	int used;
};

static void rec_voucher(struct sample *s, int day, const char *code, const char *event,
                        int64_t amount, const char *sale_id)
{
	char id[24];

	FMT(id, "GVE-%03d", ++s->n_gv);
	rec_begin(s, "gift_voucher", id, 0, day);
	kv_str(s, "code", code);
	kv_str(s, "event", event);
	kv_fixed(s, "amount", amount, 2, 2, true);
	if (sale_id != NULL)
		kv_str(s, "sale_id", sale_id);
	kv_str(s, "currency", "NZD");
	rec_end(s, F_OTHER, day, true);
}

static void rec_credit(struct sample *s, int day, const struct credit *c, const char *event,
                       int64_t amount, const char *sale_id)
{
	char id[24];

	FMT(id, "SCE-%03d", ++s->n_sc);
	rec_begin(s, "store_credit", id, 0, day);
	kv_str(s, "customer_id", s->cust[c->cust].id);
	kv_str(s, "event", event);
	kv_fixed(s, "amount", amount, 2, 2, true);
	if (sale_id != NULL)
		kv_str(s, "sale_id", sale_id);
	kv_str(s, "currency", "NZD");
	kv_str(s, "origin", c->origin);
	rec_end(s, F_OTHER, day, true);
}

static void make_retail(struct sample *s, struct retail *rt)
{
	static const int sold_days[N_VOUCHERS] = {2, 3, 5, 8, 10, 12, 15, 20};
	static const int amounts[N_VOUCHERS] = {50, 100, 25, 50, 75, 100, 50, 30};
	static const char *const origins_sc[N_CREDITS] = {"refund", "prepayment", "other",
	                                                  "refund"};
	static const char alnum[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

	for (int i = 0; i < N_VOUCHERS; i++) {
		struct voucher *v = &rt->v[i];

		FMT(v->code, "GV-%c%c%c%c-%04u", alnum[rng_below(&s->rng, 32)],
		    alnum[rng_below(&s->rng, 32)], alnum[rng_below(&s->rng, 32)],
		    alnum[rng_below(&s->rng, 32)], rng_below(&s->rng, 10000));
		v->sold_day = sold_days[i];
		v->amount = v->balance = amounts[i] * 100;
		rec_voucher(s, v->sold_day, v->code, "sold", v->amount, NULL);
	}
	for (int i = 0; i < N_CREDITS; i++) {
		struct credit *c = &rt->c[i];

		c->cust = 1 + (int)rng_below(&s->rng, 28); /* an NZ retail customer */
		c->day = 1 + 3 * i;
		c->origin = origins_sc[i];
		c->amount = c->balance = (int64_t)rng_range(&s->rng, 2, 8) * 1000 + 450 * i;
		rec_credit(s, c->day, c, "issued", c->amount, NULL);
	}
}

/* ---- the month's sales ---- */

static void special_zero_discount(struct sample *s, struct doc *d)
{
	/* 100% discount: a $0 invoice (a staff giveaway at the till) */
	int p = find_sku(s, "MER-KEEPCUP");

	add_line(d, p, NULL, 10000, s->prod[p].price6, 1000000, 150000);
	d->show_total = true;
}

static void special_zero_paid(struct sample *s, struct doc *d)
{
	/* a free sample sent out: priced 0, marked paid with no payment */
	int p = find_sku(s, "COF-HSE-250");

	add_line(d, p, NULL, 10000, 0, 0, 150000);
	d->status = ST_PAID;
	d->show_total = true;
}

static void special_negative(struct sample *s, struct doc *d)
{
	/* an exchange at the till: one mug out, two grinders back */
	int mug = find_sku(s, "MER-MUG-250"), gr = find_sku(s, "EQ-GRIND-02");

	add_line(d, mug, NULL, 10000, s->prod[mug].price6, 0, 150000);
	add_line(d, gr, NULL, -20000, s->prod[gr].price6, 0, 150000);
	d->show_total = true;
}

static void special_jpy(struct sample *s, struct doc *d)
{
	/* yen: 0-dp amounts; one unit price with decimals so the line rounds */
	int a = find_sku(s, "TEA-SEN-BULK"), b = find_sku(s, "TEA-GEN-BULK");

	d->tax_mode = TAX_EXCLUSIVE;
	add_line(d, a, NULL, 52500, 1234500000, 0, 0);    /* 5.25 kg × ¥1234.5 */
	add_line(d, b, NULL, 30000, 987654321, 50000, 0); /* 3 kg × ¥987.654321 − 5% */
	add_line(d, find_sku(s, "SVC-SHIP-INT"), NULL, 10000, 3500000000, 0, 0);
	d->show_total = true;
}

static void special_rounding(struct sample *s, struct doc *d, int big)
{
	/*
	 * Rounding correction (docs/rounding.md) cases, tax exclusive at 15%.  Xero
	 * keeps unit prices at 4 dp: 25 × 1.234567 = 30.864175 -> 30.86 here,
	 * 25 × 1.2346 = 30.865 -> 30.87 there (1 cent: a correction line);
	 * 1000 × 0.123456 = 123.46 here, 1000 × 0.1235 = 123.50 there
	 * (4 cents: the line goes as quantity 1).
	 */
	int p = find_sku(s, "EQ-FILTER-EA");

	if (big == 2) {
		/* 12 × 8.765432 = 105.185184 -> 105.19, GST 15.78; Xero:
		 * 12 × 8.7654 = 105.1848 -> 105.18, GST 15.78: one cent under */
		add_line(d, find_sku(s, "MER-INFUSER"), NULL, 120000, 8765432, 0, 150000);
	} else if (big) {
		add_line(d, p, NULL, 10000000, 123456, 0, 150000);
		add_line(d, find_sku(s, "COF-BRA-BULK"), NULL, 127500, 38695652, 0, 150000);
	} else {
		add_line(d, p, NULL, 250000, 1234567, 0, 150000);
	}
	d->l[0].account = "200";
	d->show_total = true;
}

static void special_six_dp(struct sample *s, struct doc *d)
{
	/* ex-GST prices at 6 dp, fractional kilos, a 12.5% discount */
	int a = find_sku(s, "COF-KEN-BULK"), b = find_sku(s, "TEA-OOL-BULK");

	add_line(d, a, NULL, 72500, ex_gst(s->prod[a].price6), 125000, 150000);
	add_line(d, b, NULL, 11250, ex_gst(s->prod[b].price6), 125000, 150000);
	add_line(d, find_sku(s, "EQ-FILTER-100"), NULL, 30000, 11217391, 0, 150000);
	d->show_total = true;
}

static void special_none(struct sample *s, struct doc *d)
{
	/* tax_mode none: a cupping session invoiced to a UK customer, no tax at all */
	d->tax_mode = TAX_NONE;
	add_line(d, find_sku(s, "SVC-CUPPING"), NULL, 10000, 65000000, 0, 0);
	d->show_total = true;
}

static void make_sales(struct sample *s, struct retail *rt)
{
	static const int walkin_pct = 65;

	for (int i = 0; i < N_SALES; i++) {
		int day = 1 + i * 31 / N_SALES;
		int r = rng_range(&s->rng, 0, 99);
		enum chan ch = r < 45   ? CH_POS
		               : r < 80 ? CH_SHOPIFY
		               : r < 88 ? CH_AMAZON
		                        : CH_WHOLESALE;
		int cust;
		struct doc *d;
		bool special = true;

		/* fixed slots for the deliberate odd cases */
		switch (i) {
		case 17:
		case 77:
			ch = CH_POS;
			break;
		case 42:
		case 300:
			ch = CH_SHOPIFY;
			break;
		case 120:
		case 150:
		case 151:
		case 152:
		case 200:
		case 260:
		case 333:
		case 410:
			ch = CH_WHOLESALE;
			break;
		default:
			special = false;
		}
		if (ch == CH_POS)
			cust = rng_pct(&s->rng, walkin_pct) ? 0 : 1 + (int)rng_below(&s->rng, 28);
		else if (ch == CH_SHOPIFY)
			cust = rng_pct(&s->rng, 85) ? 1 + (int)rng_below(&s->rng, 28)
			                            : 29 + (int)rng_below(&s->rng, 7);
		else if (ch == CH_AMAZON)
			cust = 29 + (int)rng_below(&s->rng, 3);
		else
			cust = rng_pct(&s->rng, 85) ? 36 + (int)rng_below(&s->rng, 10)
			                            : 46 + (int)rng_below(&s->rng, 3);
		/* a store credit waiting to be used: its customer shops online */
		if (!special && ch == CH_SHOPIFY && rt->used < N_CREDITS &&
		    rt->c[rt->used].day < day)
			cust = rt->c[rt->used].cust;
		switch (i) {
		case 120:
			cust = 49; /* Kyoto Kissa KK, JPY */
			break;
		case 150:
		case 151:
		case 152:
		case 333:
			cust = 36 + i % 10;
			break;
		case 260:
			cust = 48; /* Camden Cups, GBP */
			break;
		case 200:
			cust = 46; /* Bondi Beans, AUD */
			break;
		case 42:
		case 300:
			cust = 1 + i % 28; /* an NZ retail customer: NZD, GST */
			break;
		case 410:
			cust = 47; /* Portland Pour, USD */
			break;
		default:
			break;
		}
		d = new_sale(s, i, day, ch, cust);
		if (i == 300) {
			/* forward reference: C-1051 arrives in other.jsonl */
			d->party = -1;
			set_str(d->party_id, sizeof(d->party_id), s->cust[N_CUSTOMERS].id);
		}
		switch (i) {
		case 17:
			special_zero_discount(s, d);
			break;
		case 42:
			special_zero_paid(s, d);
			break;
		case 77:
			special_negative(s, d);
			break;
		case 120:
			special_jpy(s, d);
			break;
		case 150:
		case 151:
		case 152:
			special_rounding(s, d, i - 150);
			break;
		case 200:
			/* an exchange rate with all 10 significant digits */
			d->fx10 = INT64_C(10912345670);
			sale_lines(s, d);
			d->show_total = true;
			break;
		case 260:
			special_none(s, d);
			break;
		case 333:
			special_six_dp(s, d);
			break;
		default:
			sale_lines(s, d);
			break;
		}
		doc_compute(d);
		/* some orders are not invoiced yet, a few are voided */
		if (!special && (ch == CH_SHOPIFY || ch == CH_WHOLESALE) && rng_pct(&s->rng, 8)) {
			d->status = ST_OPEN;
			continue;
		}
		if (i == 95 || i == 233 || i == 377 || i == 501 || i == 588) {
			d->status = ST_VOID;
			continue;
		}
		if (special && i != 120 && i != 410)
			continue; /* left unpaid: their invoices are the point */
		/* gift voucher redeemed at the till */
		if (ch == CH_POS && d->cur == NZD && d->total >= 2000 && rt->redeemed < 4 &&
		    rng_pct(&s->rng, 8)) {
			for (int v = 0; v < N_VOUCHERS; v++) {
				struct voucher *gv = &rt->v[(v + rt->redeemed * 3) % N_VOUCHERS];
				int64_t use;

				if (gv->sold_day >= day || gv->balance == 0)
					continue;
				use = gv->balance < d->total ? gv->balance : d->total;
				gv->balance -= use;
				d->settled += use;
				rec_voucher(s, day, gv->code, "redeemed", use, d->id);
				rt->redeemed++;
				break;
			}
		}
		/* store credit used online */
		if (ch == CH_SHOPIFY && rt->used < N_CREDITS && cust == rt->c[rt->used].cust &&
		    d->cur == NZD && d->total > 0) {
			struct credit *c = &rt->c[rt->used++];
			int64_t use = c->balance < d->total ? c->balance : d->total;

			/* the second credit is only partly used, then refunded below */
			if (rt->used == 2 && use > 1000)
				use = use / 2;
			c->balance -= use;
			d->settled += use;
			rec_credit(s, day, c, "used", use, d->id);
		}
		if (i == 120) {
			/* the yen invoice: a round part payment, in yen */
			add_payment(s, day + 5, "sale_id", d, 10000, "Bank transfer", false);
			d->settled += 10000;
			continue;
		}
		pay_sale(s, d);
	}
	s->nsales = N_SALES;
	/* the rest of credit #2 is refunded at month end */
	if (rt->c[1].balance > 0)
		rec_credit(s, 30, &rt->c[1], "refunded", rt->c[1].balance, NULL);
	/* an old voucher (sold last year) expires */
	rec_voucher(s, 31, "GV-2025-0042", "expired", 4000, NULL);
}

/* ---- credit notes ---- */

static void make_credit_notes(struct sample *s)
{
	int linked = 0, tries = 0;

	/* returns: one line of an invoiced sale, same prices and currency */
	while (linked < 20 && tries++ < 10000) {
		int si = (int)rng_below(&s->rng, N_SALES);
		struct doc *sd = &s->sales[si], *d;
		const struct line *sl;
		int day = sd->day + rng_range(&s->rng, 1, 6);
		bool dup = false;

		if ((sd->status != ST_INVOICED && sd->status != ST_PAID) || sd->total <= 0 ||
		    day > 31 || sd->party < 0 || sd->l[0].prod < 0 || sd->l[0].qty4 <= 0 ||
		    sd->l[0].amount == 0)
			continue;
		for (int c = 0; c < s->ncns; c++)
			if (s->cns[c].link == si)
				dup = true;
		if (dup)
			continue;
		d = &s->cns[s->ncns++];
		*d = *sd;
		d->kind = DOC_CN;
		FMT(d->id, "CN-%d", 3001 + s->ncns - 1);
		set_str(d->ref, sizeof(d->ref), d->id);
		d->day = d->inv_day = d->due_day = day;
		d->status = ST_INVOICED;
		d->link = si;
		d->version = 0;
		d->settled = 0;
		d->show_total = rng_pct(&s->rng, 33);
		sl = &sd->l[0];
		d->nlines = 0;
		add_line(d, sl->prod, NULL, sl->qty4 > 10000 ? 10000 : sl->qty4, sl->price6,
		         sl->disc4, sl->rate4);
		d->l[0].account = sl->account;
		d->l[0].tracking = sl->tracking;
		doc_compute(d);
		linked++;
		/* most returns are refunded to the card; one only in part */
		if (rng_pct(&s->rng, 60))
			add_payment(
			    s, day, "credit_note_id", d, linked == 3 ? d->total / 2 : d->total,
			    sd->chan == CH_WHOLESALE ? "Bank transfer" : pay_method[sd->chan],
			    true);
	}
	/* goodwill credits, not linked to a sale */
	for (int i = 0; i < 10; i++) {
		struct doc *d = &s->cns[s->ncns++];
		int cust = 1 + (int)rng_below(&s->rng, 28);

		memset(d, 0, sizeof(*d));
		d->kind = DOC_CN;
		FMT(d->id, "CN-%d", 3001 + s->ncns - 1);
		set_str(d->ref, sizeof(d->ref), d->id);
		d->day = d->inv_day = d->due_day = 3 + 3 * i;
		d->chan = CH_SHOPIFY;
		d->party = cust;
		set_str(d->party_id, sizeof(d->party_id), s->cust[cust].id);
		d->cur = NZD;
		d->tax_mode = TAX_INCLUSIVE;
		d->status = ST_INVOICED;
		d->link = -1;
		d->show_total = i % 3 == 0;
		add_line(d, -1,
		         i % 2 ? "Goodwill credit: parcel delayed"
		               : "Goodwill credit: damaged in transit",
		         10000, (int64_t)(5 + 5 * (i % 3)) * 1000000, 0, 150000);
		d->l[0].account = "200";
		doc_compute(d);
		if (i == 4)
			add_payment(s, d->day + 1, "credit_note_id", d, d->total,
			            "Shopify Payments", true);
	}
}

/* ---- purchases ---- */

static void make_purchases(struct sample *s)
{
	for (int i = 0; i < N_PURCHASES; i++) {
		struct doc *d = &s->pos[i];
		int sup = (int)rng_below(&s->rng, N_SUPPLIERS);
		int n = rng_range(&s->rng, 1, 4);
		int day = 1 + i * 30 / N_PURCHASES;

		if (sup == 10)
			sup = 0; /* Customs sends no purchase orders */
		if (i == 38)
			sup = N_SUPPLIERS; /* forward reference: S-016 is in other.jsonl */
		memset(d, 0, sizeof(*d));
		d->kind = DOC_PO;
		FMT(d->id, "PO-%d", 2001 + i);
		set_str(d->ref, sizeof(d->ref), d->id);
		d->day = day;
		d->party = i == 38 ? -1 : sup;
		set_str(d->party_id, sizeof(d->party_id), s->supp[sup].id);
		d->cur = s->supp[sup].cur;
		d->fx10 = d->cur == NZD ? 0 : s->fx_day[d->cur][day];
		d->tax_mode = TAX_EXCLUSIVE;
		d->link = -1;
		d->strings = i % 2 == 0;
		/* status: open ones are recent, finished ones old */
		if (i % 10 == 3 || i % 10 == 7 || i >= 34)
			d->status = ST_OPEN;
		else if (i < 24 && i % 3 == 0)
			d->status = ST_FINISHED;
		else
			d->status = ST_BILLED;
		if (i == 38)
			d->status = ST_BILLED;
		if (d->status != ST_OPEN) {
			d->inv_day = day + rng_range(&s->rng, 0, 3);
			d->dispatch_day = day + rng_range(&s->rng, 0, 2);
			d->due_day = d->inv_day + 30;
			if (i != 22) /* billed, but the supplier's invoice number is missing */
				FMT(d->supplier_inv, "INV-%05u", 10000 + rng_below(&s->rng, 90000));
		}
		for (int k = 0; k < n; k++) {
			int p = pick_product(s, 1u << PK_BULK | 1u << PK_BEANS | 1u << PK_TEA |
			                            1u << PK_EQUIP | 1u << PK_MERCH);
			int64_t qty4 = s->prod[p].pk == PK_BULK
			                   ? bulk_qty_wholesale[rng_below(&s->rng, 8)] * 4
			                   : (int64_t)rng_range(&s->rng, 6, 48) * 10000;
			int64_t cost = s->prod[p].cost6;

			if (d->cur != NZD) /* the supplier's price, 6 dp */
				cost = (int64_t)div_half_away((__int128)cost * 10000000000,
				                              currencies[d->cur].fx10);
			add_line(d, p, NULL, qty4, cost, 0, d->cur == NZD ? 150000 : 0);
			d->l[k].account = "630";
		}
		if (rng_pct(&s->rng, 40) || d->cur != NZD)
			add_line(d, -1, "Freight", 10000,
			         d->cur == NZD ? 45000000
			                       : (int64_t)rng_range(&s->rng, 60, 180) * 1000000,
			         0, d->cur == NZD ? 150000 : 0);
		if (d->l[d->nlines - 1].prod < 0)
			d->l[d->nlines - 1].account = "429";
		doc_compute(d);
	}
	s->npos = N_PURCHASES;
	/* bill payments: finished ones in full, some billed ones in part */
	for (int i = 0; i < N_PURCHASES; i++) {
		struct doc *d = &s->pos[i];
		int pday = d->inv_day + rng_range(&s->rng, 3, 20);

		if (d->status == ST_OPEN || d->supplier_inv[0] == '\0' || d->party < 0)
			continue;
		if (pday > 31)
			pday = 31;
		if (d->status == ST_FINISHED)
			add_payment(s, pday, "purchase_id", d, d->total, "Bank transfer", false);
		else if (rng_pct(&s->rng, 35))
			add_payment(s, pday, "purchase_id", d, d->total / 2, "Bank transfer",
			            false);
	}
}

static void make_supplier_credits(struct sample *s)
{
	/* two linked to bills (goods returned), one not */
	int found = 0;

	for (int i = 0; i < N_PURCHASES && found < 3; i++) {
		struct doc *po = &s->pos[i], *d;

		if (po->status == ST_OPEN || po->party < 0 || po->supplier_inv[0] == '\0' ||
		    po->l[0].prod < 0 || i % 4 != 1)
			continue;
		d = &s->cns[s->ncns++];
		*d = *po;
		d->kind = DOC_SCN;
		FMT(d->id, "SCN-%03d", found + 1);
		FMT(d->ref, "RTN-%d", 701 + found);
		d->day = d->inv_day = d->due_day = po->inv_day + 5 > 31 ? 31 : po->inv_day + 5;
		d->status = ST_INVOICED;
		d->link = found < 2 ? i : -1;
		d->show_total = found == 0;
		d->nlines = 0;
		add_line(d, po->l[0].prod, NULL, 20000, po->l[0].price6, 0, po->l[0].rate4);
		d->l[0].account = "630";
		doc_compute(d);
		/* forward reference: this refund in payments.jsonl names a credit
		 * note that only arrives in other.jsonl */
		if (found == 1)
			add_payment(s, d->day, "credit_note_id", d, d->total, "Bank transfer",
			            true);
		found++;
	}
}

/* ---- rendering ---- */

static void render_party(struct sample *s, const struct party *p, bool csv, const char *kind,
                         enum file_id file, int version)
{
	if (csv) {
		buf_reset(&s->tmp);
		out_csv(s, p->id, false);
		out_csv(s, p->name, false);
		out_csv(s, p->email, false);
		out_csv(s, p->phone, false);
		out_csv(s, p->tax_number, false);
		out_csv(s, p->line1, false);
		out_csv(s, p->line2, false);
		out_csv(s, p->city, false);
		out_csv(s, p->region, false);
		out_csv(s, p->postcode, false);
		out_csv(s, p->country, false);
		out_csv(s, currencies[p->cur].code, true);
		rec_end(s, file, 0, false);
		return;
	}
	rec_begin(s, kind, p->id, version, 0);
	kv_str(s, "name", p->name);
	if (p->email[0] != '\0')
		kv_str(s, "email", p->email);
	if (p->phone[0] != '\0')
		kv_str(s, "phone", p->phone);
	if (p->tax_number[0] != '\0')
		kv_str(s, "tax_number", p->tax_number);
	out_s(s, ",\"address\":{\"line1\":");
	if (s->rc == BS_OK)
		s->rc = add_json_str(&s->tmp, p->line1);
	if (p->line2[0] != '\0')
		kv_str(s, "line2", p->line2);
	kv_str(s, "city", p->city);
	if (p->region[0] != '\0')
		kv_str(s, "region", p->region);
	kv_str(s, "postcode", p->postcode);
	kv_str(s, "country", p->country);
	out_s(s, "}");
	kv_str(s, "currency", currencies[p->cur].code);
	rec_end(s, file, 0, true);
}

static void render_products(struct sample *s)
{
	for (int i = 0; i < s->nprod; i++) {
		const struct product *p = &s->prod[i];
		bool svc = p->pk == PK_SERVICE;

		buf_reset(&s->tmp);
		out_csv(s, "product", false);
		out_csv(s, p->id, false);
		out_csv(s, p->sku, false);
		out_csv(s, p->name, false);
		out_csv(s, svc ? "service" : "product", false);
		out_csv(s, p->category, false);
		out_csv(s, svc ? "260" : "200", false);
		out_csv(s, svc ? "429" : "630", false);
		out_csv(s, p->brand != NULL ? p->brand : "", true);
		rec_end(s, F_PRODUCTS, 0, false);
	}
}

static void render_lines(struct sample *s, const struct doc *d, const char *price_key)
{
	bool str = d->strings;

	out_s(s, ",\"lines\":[");
	for (int i = 0; i < d->nlines; i++) {
		const struct line *l = &d->l[i];

		out_s(s, i ? ",{" : "{");
		if (l->prod >= 0) {
			out_s(s, "\"sku\":");
			if (s->rc == BS_OK)
				s->rc = add_json_str(&s->tmp, s->prod[l->prod].sku);
		} else {
			out_s(s, "\"description\":");
			if (s->rc == BS_OK)
				s->rc = add_json_str(&s->tmp, l->desc);
		}
		kv_fixed(s, "qty", l->qty4, 4, 0, str);
		kv_fixed(s, price_key, l->price6, 6, currencies[d->cur].exp, str);
		if (l->disc4 != 0)
			kv_fixed(s, "discount_pct", l->disc4, 4, 0, str);
		kv_fixed(s, "tax_rate", l->rate4, 4, 0, str);
		if (l->account != NULL)
			kv_str(s, "account", l->account);
		if (l->tracking != NULL) {
			out_s(s, ",\"tracking\":{\"Store\":");
			if (s->rc == BS_OK)
				s->rc = add_json_str(&s->tmp, l->tracking);
			out_s(s, "}");
		}
		out_s(s, "}");
	}
	out_s(s, "]");
}

static void render_fx(struct sample *s, enum cur cur, int64_t fx10, bool str)
{
	if (cur != NZD)
		kv_fixed(s, "fx_rate", fx10, 10, 1, str);
}

static void render_doc(struct sample *s, const struct doc *d)
{
	const char *kind = d->kind == DOC_SALE ? "sale" : "credit_note";
	int exp = currencies[d->cur].exp;

	rec_begin(s, kind, d->id, d->version, d->day);
	kv_str(s, "reference", d->ref);
	if (d->kind == DOC_SCN) {
		kv_str(s, "supplier_id", d->party_id);
		if (d->link >= 0)
			kv_str(s, "purchase_id", s->pos[d->link].id);
	} else {
		kv_str(s, "customer_id", d->party_id);
		if (d->kind == DOC_CN && d->link >= 0)
			kv_str(s, "sale_id", s->sales[d->link].id);
		if (channels[d->chan].type != NULL && d->kind == DOC_SALE) {
			out_s(s, ",\"channel\":{\"type\":");
			if (s->rc == BS_OK)
				s->rc = add_json_str(&s->tmp, channels[d->chan].type);
			kv_str(s, "name", channels[d->chan].name);
			out_s(s, "}");
		}
		kv_str(s, "store", channels[d->chan].store);
	}
	kv_raw(s, "invoiced", d->status == ST_OPEN ? "false" : "true");
	if (d->status != ST_OPEN) {
		kv_day(s, "invoice_date", d->inv_day);
		kv_day(s, "due_date", d->due_day);
	}
	kv_str(s, "status", status_name[d->status]);
	if (!d->omit_currency)
		kv_str(s, "currency", currencies[d->cur].code);
	render_fx(s, d->cur, d->fx10, d->strings);
	kv_str(s, "tax_mode", tax_mode_name[d->tax_mode]);
	render_lines(s, d, "unit_price");
	if (d->show_total)
		kv_fixed(s, "total", d->total, exp, exp, d->strings);
	rec_end(s, d->kind == DOC_SCN ? F_OTHER : F_SALES, d->day, true);
}

static const char *const po_columns =
    "kind,id,date,reference,supplier_id,status,supplier_invoice_no,invoice_date,due_date,"
    "dispatch_date,currency,fx_rate,tax_mode,lines.sku,lines.description,lines.qty,"
    "lines.unit_cost,lines.tax_rate,lines.account\n";

/* One CSV row per line; the document's own columns repeated on each. */
static void render_purchase(struct sample *s, const struct doc *d)
{
	char day[11];

	buf_reset(&s->tmp);
	for (int i = 0; i < d->nlines; i++) {
		const struct line *l = &d->l[i];

		out_csv(s, "purchase", false);
		out_csv(s, d->id, false);
		day_text(d->day, day);
		out_csv(s, day, false);
		out_csv(s, d->ref, false);
		out_csv(s, d->party_id, false);
		out_csv(s, status_name[d->status], false);
		out_csv(s, d->supplier_inv, false);
		day_text(d->inv_day, day);
		out_csv(s, d->status == ST_OPEN ? "" : day, false);
		day_text(d->due_day, day);
		out_csv(s, d->status == ST_OPEN ? "" : day, false);
		day_text(d->dispatch_day, day);
		out_csv(s, d->status == ST_OPEN ? "" : day, false);
		out_csv(s, currencies[d->cur].code, false);
		if (d->cur != NZD)
			out_csv_fixed(s, d->fx10, 10, 1, false);
		else
			out_csv(s, "", false);
		out_csv(s, tax_mode_name[d->tax_mode], false);
		out_csv(s, l->prod >= 0 ? s->prod[l->prod].sku : "", false);
		out_csv(s, l->prod >= 0 ? "" : l->desc, false);
		out_csv_fixed(s, l->qty4, 4, 0, false);
		out_csv_fixed(s, l->price6, 6, currencies[d->cur].exp, false);
		out_csv_fixed(s, l->rate4, 4, 0, false);
		out_csv(s, l->account, true);
	}
	rec_end(s, F_PURCHASES, d->day, false);
}

static void render_payment(struct sample *s, const struct payment *p)
{
	int exp = currencies[p->cur].exp;

	rec_begin(s, "payment", p->id, 0, p->day);
	kv_str(s, p->target_field, p->target);
	kv_fixed(s, "amount", p->amount, exp, exp, p->strings);
	kv_str(s, "currency", currencies[p->cur].code);
	render_fx(s, p->cur, p->fx10, p->strings);
	kv_str(s, "account", "090");
	kv_str(s, "method", p->method);
	if (p->is_refund || p->target_field[0] == 'p')
		kv_raw(s, "is_refund", p->is_refund ? "true" : "false");
	rec_end(s, F_PAYMENTS, p->day, true);
}

static void render_cogs(struct sample *s, const struct doc *d, const char *field)
{
	char id[32];
	int n = 0;

	for (int i = 0; i < d->nlines; i++)
		if (d->l[i].prod >= 0 && s->prod[d->l[i].prod].pk != PK_SERVICE)
			n++;
	if (n == 0)
		return;
	FMT(id, "COGS-%s", d->id);
	rec_begin(s, "cogs", id, 0, d->inv_day);
	kv_str(s, field, d->id);
	out_s(s, ",\"lines\":[");
	n = 0;
	for (int i = 0; i < d->nlines; i++) {
		const struct line *l = &d->l[i];
		const struct product *p;

		if (l->prod < 0 || s->prod[l->prod].pk == PK_SERVICE)
			continue;
		p = &s->prod[l->prod];
		out_s(s, n++ ? ",{\"sku\":" : "{\"sku\":");
		if (s->rc == BS_OK)
			s->rc = add_json_str(&s->tmp, p->sku);
		/* qty (4 dp) × unit cost (4 dp), kept to the source's 6 dp */
		kv_fixed(s, "cost", (int64_t)div_half_away((__int128)l->qty4 * p->cost6, 10000), 6,
		         2, true);
		out_s(s, "}");
	}
	out_s(s, "]");
	rec_end(s, F_OTHER, d->inv_day, true);
	s->n_cogs++;
}

struct adj_line {
	const char *sku;
	int64_t qty4;
	int64_t cost6; /* 0: the product's cost */
	const char *account;
};

static void render_adjustments(struct sample *s)
{
	static const struct {
		int day;
		const char *why;
		struct adj_line l[3];
	} adj[] = {
	    {4, "Breakage", {{"MER-MUG-350", -20000, 0, "310"}, {"MER-TEAPOT", -10000, 0, "310"}}},
	    {9, "Green beans spoiled", {{"COF-BRA-BULK", -35000, 12345678, "310"}}},
	    {15,
	     "Stocktake",
	     {{"TEA-EGR-100", 30000, 0, "310"},
	      {"TEA-CHA-100", -20000, 0, "310"},
	      {"MER-TOTE", 10000, 0, "310"}}},
	    {22, "Samples for cupping", {{"COF-ETH-250", -40000, 0, "429"}}},
	    {27, "Found in back room", {{"EQ-V60", 20000, 0, "310"}}},
	    {31,
	     "Month-end stocktake",
	     {{"COF-KEN-BULK", -12500, 0, "310"}, {"TEA-SEN-BULK", 2350, 0, "310"}}},
	};

	for (size_t i = 0; i < sizeof(adj) / sizeof(adj[0]); i++) {
		char id[16], ref[40];

		FMT(id, "ADJ-%04zu", i + 1);
		FMT(ref, "ADJ-%04zu %s", i + 1, adj[i].why);
		rec_begin(s, "adjustment", id, 0, adj[i].day);
		kv_str(s, "reference", ref);
		out_s(s, ",\"lines\":[");
		for (int k = 0; k < 3 && adj[i].l[k].sku != NULL; k++) {
			const struct adj_line *a = &adj[i].l[k];
			int p = find_sku(s, a->sku);

			out_s(s, k ? ",{\"sku\":" : "{\"sku\":");
			if (s->rc == BS_OK)
				s->rc = add_json_str(&s->tmp, a->sku);
			kv_fixed(s, "qty", a->qty4, 4, 0, false);
			kv_fixed(s, "unit_cost", a->cost6 ? a->cost6 : s->prod[p].cost6, 6, 2,
			         false);
			kv_str(s, "account", a->account);
			out_s(s, "}");
		}
		out_s(s, "]");
		rec_end(s, F_OTHER, adj[i].day, true);
		s->n_adj++;
	}
}

static void render_money_tasks(struct sample *s)
{
	static const struct {
		int day;
		const char *dir;
		int contact; /* 0 none, >0 supplier index + 1, <0 customer -index - 1 */
		enum tax_mode tm;
		const char *lines[3][3]; /* account, amount, description */
		int rate;                /* percent, all lines */
	} mt[] = {
	    {2, "spend", 10, TAX_INCLUSIVE, {{"429", "86.25", "Cleaning supplies"}}, 15},
	    {5, "spend", 4, TAX_INCLUSIVE, {{"429", "143.70", "Courier tickets"}}, 15},
	    {7, "receive", 0, TAX_INCLUSIVE, {{"260", "120.00", "Sold old grinder (cash)"}}, 15},
	    {9, "spend", 11, TAX_NONE, {{"820", "412.37", "GST on imported tea"}}, 0},
	    {12,
	     "spend",
	     0,
	     TAX_EXCLUSIVE,
	     {{"429", "24.35", "Stationery"}, {"429", "9.99", "Printer paper"}},
	     15},
	    {14, "receive", 2, TAX_INCLUSIVE, {{"260", "57.50", "Volume rebate"}}, 15},
	    {16, "spend", 9, TAX_INCLUSIVE, {{"429", "230.00", "Flyers"}}, 15},
	    {19, "receive", -8, TAX_INCLUSIVE, {{"260", "45.00", "Venue hire, tasting room"}}, 15},
	    {21, "spend", 0, TAX_NONE, {{"429", "15.00", "Bank fees"}}, 0},
	    {24,
	     "spend",
	     6,
	     TAX_EXCLUSIVE,
	     {{"429", "310.00", "Milk, October"}, {"429", "12.50", "Delivery surcharge"}},
	     0},
	    {28, "receive", 0, TAX_NONE, {{"260", "3.17", "Interest"}}, 0},
	    {31,
	     "spend",
	     0,
	     TAX_INCLUSIVE,
	     {{"429", "59.80", "Staff morning tea"},
	      {"429", "18.40", "Dishwashing liquid"},
	      {"429", "7.35", "Sponges"}},
	     15},
	};

	for (size_t i = 0; i < sizeof(mt) / sizeof(mt[0]); i++) {
		char id[16];

		FMT(id, "MT-%04zu", i + 1);
		rec_begin(s, "money_task", id, 0, mt[i].day);
		kv_str(s, "direction", mt[i].dir);
		kv_str(s, "bank_account", "090");
		if (mt[i].contact > 0)
			kv_str(s, "contact_id", s->supp[mt[i].contact - 1].id);
		else if (mt[i].contact < 0)
			kv_str(s, "contact_id", s->cust[-mt[i].contact - 1].id);
		kv_str(s, "tax_mode", tax_mode_name[mt[i].tm]);
		out_s(s, ",\"lines\":[");
		for (int k = 0; k < 3 && mt[i].lines[k][0] != NULL; k++) {
			out_s(s, k ? ",{\"account\":" : "{\"account\":");
			if (s->rc == BS_OK)
				s->rc = add_json_str(&s->tmp, mt[i].lines[k][0]);
			kv_str(s, "amount", mt[i].lines[k][1]);
			kv_int(s, "tax_rate", mt[i].rate);
			kv_str(s, "description", mt[i].lines[k][2]);
			out_s(s, "}");
		}
		out_s(s, "]");
		rec_end(s, F_OTHER, mt[i].day, true);
		s->n_mt++;
	}
}

static void render_journals(struct sample *s)
{
	static const struct {
		int day, version;
		const char *ref, *cur, *fx;
		const char *lines[4][4]; /* account, debit, credit, description */
	} jn[] = {
	    {6,
	     0,
	     "Tasting stock used",
	     NULL,
	     NULL,
	     {{"310", "42.50", NULL, "Beans used at tastings"},
	      {"630", NULL, "42.50", "Inventory"}}},
	    {13,
	     0,
	     "Bank fee reclass",
	     NULL,
	     NULL,
	     {{"429", "12.34", NULL, "Merchant fees"}, {"090", NULL, "12.34", "Bank"}}},
	    {20,
	     2,
	     "Accrued cleaning",
	     NULL,
	     NULL,
	     {{"429", "100.00", NULL, "Cleaning, October"},
	      {"310", "23.45", NULL, "Packaging"},
	      {"260", NULL, "123.45", "Reversal next month"}}},
	    {25,
	     0,
	     "Amazon AU fees",
	     "AUD",
	     "1.0927815",
	     {{"429", "87.65", NULL, "Amazon referral fees"},
	      {"429", "12.34", NULL, "FBA fees"},
	      {"200", NULL, "99.99", "Netted from Amazon sales"}}},
	    {31,
	     1,
	     "Reclass tasting income",
	     NULL,
	     NULL,
	     {{"200", "45.00", NULL, "Sales"}, {"260", NULL, "45.00", "Other revenue: tastings"}}},
	};

	for (size_t i = 0; i < sizeof(jn) / sizeof(jn[0]); i++) {
		char id[16];

		FMT(id, "JNL-%04zu", i + 1);
		rec_begin(s, "journal", id, jn[i].version, jn[i].day);
		kv_str(s, "reference", jn[i].ref);
		if (jn[i].cur != NULL) {
			kv_str(s, "currency", jn[i].cur);
			kv_str(s, "fx_rate", jn[i].fx);
		}
		out_s(s, ",\"lines\":[");
		for (int k = 0; k < 4 && jn[i].lines[k][0] != NULL; k++) {
			out_s(s, k ? ",{\"account\":" : "{\"account\":");
			if (s->rc == BS_OK)
				s->rc = add_json_str(&s->tmp, jn[i].lines[k][0]);
			if (jn[i].lines[k][1] != NULL)
				kv_str(s, "debit", jn[i].lines[k][1]);
			if (jn[i].lines[k][2] != NULL)
				kv_str(s, "credit", jn[i].lines[k][2]);
			kv_str(s, "description", jn[i].lines[k][3]);
			out_s(s, "}");
		}
		out_s(s, "]");
		rec_end(s, F_OTHER, jn[i].day, true);
		s->n_jnl++;
	}
}

/* ---- examples/bad ---- */

static const struct {
	const char *name;
	const char *text;
} bad_files[] = {
    {"malformed.jsonl", "{\"kind\":\"customer\",\"id\":\"BAD-C-1\",\"name\":\"Fine Customer\"}\n"
                        "{\"kind\":\"customer\",\"id\":\"BAD-C-2\",\"name\":\"Missing brace\"\n"
                        "{\"kind\":\"customer\",\"id\":\"BAD-C-3\",\"name\":\"Trailing comma\",}\n"
                        "{\"kind\":\"customer\",\"id\":\"BAD-C-4\",\"name\":'single quotes'}\n"
                        "[\"an array, not an object\"]\n"
                        "{\"kind\":\"customer\",\"id\":\"BAD-C-5\",\"name\":\"Also fine\"}\n"},
    {"wrong_types.jsonl",
     "{\"kind\":\"customer\",\"id\":\"BAD-C-10\",\"name\":[\"Ann\",\"Lee\"]}\n"
     "{\"kind\":\"customer\",\"id\":\"BAD-C-11\"}\n"
     "{\"kind\":\"sale\",\"id\":\"BAD-SO-1\",\"date\":\"2026-10-05\",\"customer_id\":\"C-1001\","
     "\"invoiced\":\"yes\",\"tax_mode\":\"inclusive\",\"lines\":[{\"sku\":\"COF-ETH-250\","
     "\"qty\":\"two\",\"unit_price\":\"24.50\",\"tax_rate\":15}]}\n"
     "{\"kind\":\"sale\",\"id\":\"BAD-SO-2\",\"date\":\"2026-13-01\",\"customer_id\":\"C-1001\","
     "\"invoiced\":true,\"tax_mode\":\"sideways\",\"lines\":{\"sku\":\"COF-ETH-250\"}}\n"
     "{\"kind\":\"sale\",\"id\":\"BAD-SO-3\",\"version\":0,\"date\":\"2026-10-05\","
     "\"customer_id\":\"C-1001\",\"invoiced\":true,\"lines\":[{\"sku\":\"COF-ETH-250\","
     "\"qty\":1,\"unit_price\":\"12.3x\",\"tax_rate\":15}]}\n"
     "{\"kind\":\"payment\",\"id\":\"BAD-PAY-1\",\"date\":\"2026-10-05\",\"sale_id\":\"SO-1001\","
     "\"amount\":true,\"account\":\"090\"}\n"
     "{\"kind\":\"product\",\"id\":\"BAD-P-1\",\"sku\":\"THIS-SKU-IS-LONGER-THAN-30-CHARS\","
     "\"name\":\"Too long a SKU\",\"type\":\"gadget\"}\n"},
    {"money_digits.jsonl",
     "{\"kind\":\"sale\",\"id\":\"BAD-SO-10\",\"date\":\"2026-10-06\",\"customer_id\":\"C-1001\","
     "\"invoiced\":true,\"tax_mode\":\"inclusive\",\"lines\":[{\"sku\":\"COF-ETH-250\","
     "\"qty\":1,\"unit_price\":\"24.5000001\",\"tax_rate\":15}]}\n"
     "{\"kind\":\"payment\",\"id\":\"BAD-PAY-10\",\"date\":\"2026-10-06\","
     "\"sale_id\":\"SO-1001\",\"amount\":\"10.005\",\"currency\":\"NZD\",\"account\":\"090\"}\n"
     "{\"kind\":\"payment\",\"id\":\"BAD-PAY-11\",\"date\":\"2026-10-06\","
     "\"sale_id\":\"SO-1121\",\"amount\":\"1500.5\",\"currency\":\"JPY\","
     "\"fx_rate\":\"0.01123\",\"account\":\"090\"}\n"
     "{\"kind\":\"sale\",\"id\":\"BAD-SO-11\",\"date\":\"2026-10-06\",\"customer_id\":\"C-1001\","
     "\"invoiced\":true,\"tax_mode\":\"inclusive\",\"lines\":[{\"sku\":\"COF-ETH-250\","
     "\"qty\":\"1.23456\",\"unit_price\":\"24.50\",\"tax_rate\":\"15.00001\"}]}\n"
     "{\"kind\":\"sale\",\"id\":\"BAD-SO-12\",\"date\":\"2026-10-06\",\"customer_id\":\"C-1030\","
     "\"invoiced\":true,\"currency\":\"AUD\",\"fx_rate\":\"1.09123456789\",\"tax_mode\":"
     "\"inclusive\",\"lines\":[{\"sku\":\"COF-ETH-250\",\"qty\":1,\"unit_price\":\"20.00\","
     "\"tax_rate\":0}]}\n"},
    {"unknown_kind.jsonl", "{\"kind\":\"invoice\",\"id\":\"BAD-INV-1\",\"date\":\"2026-10-07\"}\n"
                           "{\"kind\":\"Sale\",\"id\":\"BAD-SO-20\",\"date\":\"2026-10-07\"}\n"
                           "{\"id\":\"BAD-NOKIND-1\",\"name\":\"No kind at all\"}\n"},
    {"total_mismatch.jsonl",
     /* 2 × 24.50 incl. = 49.00; 49.10 is off by more than one cent per line */
     "{\"kind\":\"sale\",\"id\":\"BAD-SO-30\",\"date\":\"2026-10-08\",\"customer_id\":\"C-1001\","
     "\"invoiced\":true,\"tax_mode\":\"inclusive\",\"lines\":[{\"sku\":\"COF-ETH-250\","
     "\"qty\":2,\"unit_price\":\"24.50\",\"tax_rate\":15}],\"total\":\"49.10\"}\n"
     /* exclusive: 10 × 3.3333 = 33.33 + 5.00 GST = 38.33, not 33.33 */
     "{\"kind\":\"sale\",\"id\":\"BAD-SO-31\",\"date\":\"2026-10-08\",\"customer_id\":\"C-1037\","
     "\"invoiced\":true,\"tax_mode\":\"exclusive\",\"lines\":[{\"sku\":\"EQ-FILTER-100\","
     "\"qty\":10,\"unit_price\":\"3.3333\",\"tax_rate\":15}],\"total\":\"33.33\"}\n"
     /* a journal whose debits do not equal its credits */
     "{\"kind\":\"journal\",\"id\":\"BAD-JNL-1\",\"date\":\"2026-10-08\",\"reference\":"
     "\"Unbalanced\",\"lines\":[{\"account\":\"429\",\"debit\":\"10.00\"},{\"account\":\"090\","
     "\"credit\":\"9.99\"}]}\n"},
    {"references.jsonl",
     "{\"kind\":\"payment\",\"id\":\"BAD-PAY-40\",\"date\":\"2026-10-09\",\"sale_id\":\"\","
     "\"amount\":\"10.00\",\"account\":\"090\"}\n"
     "{\"kind\":\"sale\",\"id\":\"BAD-SO-40\",\"date\":\"2026-10-09\",\"customer_id\":"
     "\"C-000000000000000000000000000000000000000000000000000000000000001\",\"invoiced\":true,"
     "\"tax_mode\":\"inclusive\",\"lines\":[{\"sku\":\"COF-ETH-250\",\"qty\":1,"
     "\"unit_price\":\"24.50\",\"tax_rate\":15}]}\n"
     "{\"kind\":\"customer\",\"id\":"
     "\"C-000000000000000000000000000000000000000000000000000000000000002\",\"name\":"
     "\"An id of 65 characters\"}\n"
     "{\"kind\":\"customer\",\"id\":\"\",\"name\":\"An empty id\"}\n"},
    {"invalid_utf8.jsonl",
     "{\"kind\":\"customer\",\"id\":\"BAD-C-50\",\"name\":\"Caf\xe9 Latin-1\"}\n"
     "{\"kind\":\"customer\",\"id\":\"BAD-C-51\",\"name\":\"Truncated \xc3\"}\n"
     "{\"kind\":\"customer\",\"id\":\"BAD-C-52\",\"name\":\"Valid Kōwhai\"}\n"},
    {"unbalanced_quotes.csv", "kind,id,name,email,address.city\n"
                              "customer,BAD-C-60,Fine Ltd,fine@example.co.nz,Wellington\n"
                              "customer,BAD-C-61,\"Open quote Ltd,open@example.co.nz,Auckland\n"
                              "customer,BAD-C-62,Another Ltd,another@example.co.nz,Nelson\n"},
    {"no_id_column.csv", "name,email\n"
                         "No Id Ltd,noid@example.co.nz\n"},
    /* a record's rows must be consecutive: BAD-PO-1's last row comes after
     * BAD-PO-2 and is refused, naming both runs (BAD-PO-1 keeps 2 lines) */
    {"rows_apart.csv", "kind,id,date,supplier_id,status,tax_mode,lines.sku,lines.qty,"
                       "lines.unit_cost,lines.tax_rate\n"
                       "purchase,BAD-PO-1,2026-10-12,S-001,open,exclusive,COF-ETH-250,10,7.50,15\n"
                       "purchase,BAD-PO-1,2026-10-12,S-001,open,exclusive,COF-ETH-1KG,2,26.00,15\n"
                       "purchase,BAD-PO-2,2026-10-12,S-001,open,exclusive,COF-ETH-250,5,7.50,15\n"
                       "purchase,BAD-PO-1,2026-10-12,S-001,open,exclusive,COF-COL-250,4,7.80,15\n"},
    /* both columns filled, as exports write them: a zero side is empty
     * (BAD-JNL-10 is fine); two non-zero sides or two zeros are refused */
    {"journal_sides.csv",
     "kind,id,date,reference,lines.account,lines.debit,lines.credit,lines.description\n"
     "journal,BAD-JNL-10,2026-10-13,Both columns,429,25.00,0,Courier\n"
     "journal,BAD-JNL-10,2026-10-13,Both columns,090,0.00,25.00,Courier\n"
     "journal,BAD-JNL-11,2026-10-13,Two sides,429,25.00,25.00,Courier\n"
     "journal,BAD-JNL-11,2026-10-13,Two sides,090,0,25.00,Courier\n"
     "journal,BAD-JNL-12,2026-10-13,No side,429,0,0,Nothing\n"
     "journal,BAD-JNL-12,2026-10-13,No side,090,0,0,Nothing\n"},
    /* decimal text only: no exponent, no '+', a digit on both sides of '.' */
    {"money_text.jsonl", "{\"kind\":\"payment\",\"id\":\"BAD-PAY-60\",\"date\":\"2026-10-14\","
                         "\"sale_id\":\"SO-1001\",\"amount\":\"1e1\",\"account\":\"090\"}\n"
                         "{\"kind\":\"payment\",\"id\":\"BAD-PAY-61\",\"date\":\"2026-10-14\","
                         "\"sale_id\":\"SO-1001\",\"amount\":\"+1.00\",\"account\":\"090\"}\n"
                         "{\"kind\":\"payment\",\"id\":\"BAD-PAY-62\",\"date\":\"2026-10-14\","
                         "\"sale_id\":\"SO-1001\",\"amount\":\".50\",\"account\":\"090\"}\n"
                         "{\"kind\":\"payment\",\"id\":\"BAD-PAY-63\",\"date\":\"2026-10-14\","
                         "\"sale_id\":\"SO-1001\",\"amount\":\"1.\",\"account\":\"090\"}\n"
                         "{\"kind\":\"payment\",\"id\":\"BAD-PAY-64\",\"date\":\"2026-10-14\","
                         "\"sale_id\":\"SO-1001\",\"amount\":\"0.50\",\"account\":\"090\"}\n"},
};

static int write_bad(const char *dir)
{
	struct buf path, body;
	int rc = BS_OK;

	buf_init(&path, 4096);
	buf_init(&body, 0);
	for (size_t i = 0; rc == BS_OK && i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		buf_reset(&path);
		buf_reset(&body);
		rc = buf_printf(&path, "%s/bad/%s", dir, bad_files[i].name);
		if (rc == BS_OK)
			rc = buf_addstr(&body, bad_files[i].text);
		if (rc == BS_OK)
			rc = write_file(buf_cstr(&path), &body);
	}
	buf_free(&path);
	buf_free(&body);
	return rc;
}

/* ---- assembling the month ---- */

static int rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int write_month(struct sample *s, const char *dir)
{
	struct buf path, body;
	int rc = BS_OK, i = 0;

	qsort(s->recs, (size_t)s->nrecs, sizeof(s->recs[0]), rec_cmp);
	buf_init(&path, 4096);
	buf_init(&body, 0);
	for (int f = 0; rc == BS_OK && f < NFILE; f++) {
		buf_reset(&body);
		if (f == F_CUSTOMERS)
			rc = buf_addstr(&body, "id,name,email,phone,tax_number,address.line1,"
			                       "address.line2,address.city,address.region,"
			                       "address.postcode,address.country,currency\n");
		else if (f == F_PRODUCTS)
			rc = buf_addstr(&body, "kind,id,sku,name,type,category,sales_account,"
			                       "purchase_account,tracking.Brand\n");
		else if (f == F_PURCHASES)
			rc = buf_addstr(&body, po_columns);
		for (; rc == BS_OK && i < s->nrecs && s->recs[i].file == (enum file_id)f; i++)
			rc = buf_addstr(&body, s->recs[i].text);
		buf_reset(&path);
		if (rc == BS_OK)
			rc = buf_printf(&path, "%s/%s", dir, file_name[f]);
		if (rc == BS_OK)
			rc = write_file(buf_cstr(&path), &body);
	}
	buf_free(&path);
	buf_free(&body);
	return rc;
}

static int count_kind(const struct sample *s, enum file_id f)
{
	int n = 0;

	for (int i = 0; i < s->nrecs; i++)
		n += s->recs[i].file == f;
	return n;
}

static int run_sample(const char *dir, uint64_t seed)
{
	struct sample *s = calloc(1, sizeof(*s));
	struct retail rt;
	struct buf sub;
	int rc, n_open = 0, n_void = 0, n_paid = 0;

	if (s == NULL)
		return BS_ENOMEM;
	rng_seed(&s->rng, seed);
	buf_init(&s->tmp, 0);
	buf_init(&sub, 4096);
	s->sales = calloc(N_SALES, sizeof(*s->sales));
	s->cns = calloc(64, sizeof(*s->cns));
	s->pos = calloc(N_PURCHASES, sizeof(*s->pos));
	s->pay = calloc(MAX_PAYMENTS, sizeof(*s->pay));
	s->recs = calloc(MAX_RECS, sizeof(*s->recs));
	if (s->sales == NULL || s->cns == NULL || s->pos == NULL || s->pay == NULL ||
	    s->recs == NULL) {
		rc = BS_ENOMEM;
		goto out;
	}
	memset(&rt, 0, sizeof(rt));
	make_rates(s);
	make_customers(s);
	make_suppliers(s);
	make_products(s);
	make_retail(s, &rt);
	make_sales(s, &rt);
	make_credit_notes(s);
	make_purchases(s);
	make_supplier_credits(s);

	for (int i = 0; i < s->ncust; i++)
		render_party(s, &s->cust[i], true, "customer", F_CUSTOMERS, 0);
	render_party(s, &s->cust[N_CUSTOMERS], false, "customer", F_OTHER, 1);
	for (int i = 0; i < s->nsupp; i++)
		render_party(s, &s->supp[i], false, "supplier", F_SUPPLIERS, i % 5 == 0 ? 1 : 0);
	render_party(s, &s->supp[N_SUPPLIERS], false, "supplier", F_OTHER, 0);
	render_products(s);
	for (int i = 0; i < s->nsales; i++) {
		const struct doc *d = &s->sales[i];

		render_doc(s, d);
		n_open += d->status == ST_OPEN;
		n_void += d->status == ST_VOID;
		n_paid += d->status == ST_PAID;
		if (d->status == ST_INVOICED || d->status == ST_PAID)
			render_cogs(s, d, "sale_id");
	}
	for (int i = 0; i < s->ncns; i++) {
		render_doc(s, &s->cns[i]);
		if (s->cns[i].kind == DOC_CN && s->cns[i].link >= 0 && i % 4 == 0)
			render_cogs(s, &s->cns[i], "credit_note_id");
	}
	for (int i = 0; i < s->npos; i++)
		render_purchase(s, &s->pos[i]);
	for (int i = 0; i < s->npay; i++)
		render_payment(s, &s->pay[i]);
	render_adjustments(s);
	render_money_tasks(s);
	render_journals(s);
	rc = s->rc;
	if (rc != BS_OK)
		goto out;
	rc = buf_printf(&sub, "%s/bad", dir);
	if (rc != BS_OK)
		goto out;
	if ((mkdir(dir, 0777) != 0 && errno != EEXIST) ||
	    (mkdir(buf_cstr(&sub), 0777) != 0 && errno != EEXIST)) {
		rc = BS_EIO;
		goto out;
	}
	rc = write_month(s, dir);
	if (rc == BS_OK)
		rc = write_bad(dir);
	if (rc == BS_OK)
		fprintf(stderr,
		        "gen_records: %s: %d customers, %d suppliers, %d products, %d sales "
		        "(%d open, %d void, %d paid), %d credit notes, %d purchases, %d payments, "
		        "%d cogs, %d adjustments, %d gift voucher events, %d store credit events, "
		        "%d money tasks, %d journals; records per file: customers %d, products "
		        "%d, suppliers %d, sales %d, purchases %d, payments %d, other %d\n",
		        dir, s->ncust + 1, s->nsupp + 1, s->nprod, s->nsales, n_open, n_void,
		        n_paid, s->ncns, s->npos, s->npay, s->n_cogs, s->n_adj, s->n_gv, s->n_sc,
		        s->n_mt, s->n_jnl, count_kind(s, F_CUSTOMERS), count_kind(s, F_PRODUCTS),
		        count_kind(s, F_SUPPLIERS), count_kind(s, F_SALES),
		        count_kind(s, F_PURCHASES), count_kind(s, F_PAYMENTS),
		        count_kind(s, F_OTHER));
out:
	if (s->recs != NULL)
		for (int i = 0; i < s->nrecs; i++)
			free(s->recs[i].text);
	free(s->recs);
	free(s->pay);
	free(s->pos);
	free(s->cns);
	free(s->sales);
	buf_free(&s->tmp);
	buf_free(&sub);
	free(s);
	return rc;
}

/* ====================================================== benchmark stream */

#define OUT_CHUNK ((size_t)1 << 20)

/* A fixed output chunk flushed with one fwrite: the hot path is memcpy and
 * digit loops, no printf. */
struct out {
	FILE *f;
	char *p;
	size_t len;
	int rc;
};

static void out_flush(struct out *o)
{
	if (o->len > 0 && o->rc == BS_OK && fwrite(o->p, 1, o->len, o->f) != o->len)
		o->rc = BS_EIO;
	o->len = 0;
}

/* Room for `n` more bytes (n < OUT_CHUNK). */
static inline void out_need(struct out *o, size_t n)
{
	if (o->len + n > OUT_CHUNK)
		out_flush(o);
}

#define OUT_LIT(o, lit) out_mem((o), (lit), sizeof(lit) - 1)

static inline void out_mem(struct out *o, const char *s, size_t n)
{
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static inline void out_u64(struct out *o, uint64_t v)
{
	char tmp[20];
	size_t n = sizeof(tmp);

	do {
		tmp[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	out_mem(o, tmp + n, sizeof(tmp) - n);
}

/* Cents as "12.34". */
static inline void out_cents(struct out *o, int64_t c)
{
	if (c < 0) {
		o->p[o->len++] = '-';
		c = -c;
	}
	out_u64(o, (uint64_t)(c / 100));
	o->p[o->len++] = '.';
	o->p[o->len++] = (char)('0' + c / 10 % 10);
	o->p[o->len++] = (char)('0' + c % 10);
}

struct stream_opts {
	uint64_t n, lines, seed, customers, products;
};

static int run_sales(const struct stream_opts *opt)
{
	struct out o = {stdout, malloc(OUT_CHUNK), 0, BS_OK};
	struct rng r;
	char day[11];

	if (o.p == NULL)
		return BS_ENOMEM;
	rng_seed(&r, opt->seed);
	for (uint64_t i = 1; i <= opt->customers && o.rc == BS_OK; i++) {
		out_need(&o, 256);
		OUT_LIT(&o, "{\"kind\":\"customer\",\"id\":\"C-");
		out_u64(&o, i);
		OUT_LIT(&o, "\",\"name\":\"Customer ");
		out_u64(&o, i);
		OUT_LIT(&o, "\",\"email\":\"c");
		out_u64(&o, i);
		OUT_LIT(&o, "@example.co.nz\",\"currency\":\"NZD\"}\n");
	}
	for (uint64_t i = 1; i <= opt->products && o.rc == BS_OK; i++) {
		out_need(&o, 256);
		OUT_LIT(&o, "{\"kind\":\"product\",\"id\":\"P-");
		out_u64(&o, i);
		OUT_LIT(&o, "\",\"sku\":\"SKU-");
		out_u64(&o, i);
		OUT_LIT(&o, "\",\"name\":\"Product ");
		out_u64(&o, i);
		OUT_LIT(&o, "\",\"type\":\"product\",\"sales_account\":\"200\"}\n");
	}
	for (uint64_t i = 1; i <= opt->n && o.rc == BS_OK; i++) {
		uint64_t cust =
		    1 + (uint64_t)(((unsigned __int128)rng_next(&r) * opt->customers) >> 64);
		int64_t sum = 0, tax = 0;

		day_text(1 + (int)((i - 1) * 31 / opt->n), day);
		out_need(&o, 512);
		OUT_LIT(&o, "{\"kind\":\"sale\",\"id\":\"SO-");
		out_u64(&o, i);
		OUT_LIT(&o, "\",\"date\":\"");
		out_mem(&o, day, 10);
		OUT_LIT(&o, "\",\"reference\":\"SO-");
		out_u64(&o, i);
		OUT_LIT(&o, "\",\"customer_id\":\"C-");
		out_u64(&o, cust);
		OUT_LIT(&o, "\",\"channel\":{\"type\":\"Shopify\",\"name\":\"MyShop\"},"
		            "\"invoiced\":true,\"invoice_date\":\"");
		out_mem(&o, day, 10);
		OUT_LIT(&o, "\",\"due_date\":\"");
		out_mem(&o, day, 10);
		OUT_LIT(&o, "\",\"status\":\"invoiced\",\"currency\":\"NZD\","
		            "\"tax_mode\":\"exclusive\",\"lines\":[");
		for (uint64_t k = 0; k < opt->lines; k++) {
			uint64_t x = rng_next(&r);
			int64_t qty = 1 + (int64_t)(x & 7);
			int64_t cents = 100 + (int64_t)((x >> 8) % 19900);
			int64_t amount = qty * cents;

			sum += amount;
			/* 15% GST on the line, half away from zero (amount >= 0) */
			tax += (amount * 15 + 50) / 100;
			out_need(&o, 128);
			if (k > 0)
				o.p[o.len++] = ',';
			if (opt->products > 0) {
				OUT_LIT(&o, "{\"sku\":\"SKU-");
				out_u64(&o, 1 + (x >> 40) % opt->products);
			} else {
				OUT_LIT(&o, "{\"description\":\"Item ");
				out_u64(&o, (x >> 40) % 1000);
			}
			OUT_LIT(&o, "\",\"qty\":");
			out_u64(&o, (uint64_t)qty);
			OUT_LIT(&o, ",\"unit_price\":\"");
			out_cents(&o, cents);
			OUT_LIT(&o, "\",\"tax_rate\":15}");
		}
		out_need(&o, 64);
		OUT_LIT(&o, "],\"total\":\"");
		out_cents(&o, sum + tax);
		OUT_LIT(&o, "\"}\n");
	}
	out_flush(&o);
	if (o.rc == BS_OK && fflush(stdout) != 0)
		o.rc = BS_EIO;
	free(o.p);
	return o.rc;
}

/* Suppliers "S-1".."S-<suppliers>" (names "Vendor <i>", unique and unlike any
 * customer's) and N billed purchase orders of L lines, exclusive 15 % GST,
 * each on a random supplier with its own supplier invoice number: the
 * records a "bills and vendors" bench syncs (bench/qbo_batches).  The
 * ledger's bill number, supplier invoice number + reference, stays within
 * QBO's 21 characters (docs/mapping-qbo.md). */
static int run_bills(const struct stream_opts *opt)
{
	struct out o = {stdout, malloc(OUT_CHUNK), 0, BS_OK};
	struct rng r;
	char day[11], due[11];

	if (o.p == NULL)
		return BS_ENOMEM;
	rng_seed(&r, opt->seed);
	for (uint64_t i = 1; i <= opt->customers && o.rc == BS_OK; i++) {
		out_need(&o, 256);
		OUT_LIT(&o, "{\"kind\":\"supplier\",\"id\":\"S-");
		out_u64(&o, i);
		OUT_LIT(&o, "\",\"name\":\"Vendor ");
		out_u64(&o, i);
		OUT_LIT(&o, "\",\"email\":\"ap");
		out_u64(&o, i);
		OUT_LIT(&o, "@vendor.example.co.nz\",\"currency\":\"NZD\"}\n");
	}
	for (uint64_t i = 1; i <= opt->n && o.rc == BS_OK; i++) {
		uint64_t sup =
		    1 + (uint64_t)(((unsigned __int128)rng_next(&r) * opt->customers) >> 64);
		int d = 1 + (int)((i - 1) * 28 / (opt->n > 0 ? opt->n : 1));
		int64_t sum = 0, tax = 0;

		day_text(d, day);
		day_text(d + 3, due);
		out_need(&o, 512);
		OUT_LIT(&o, "{\"kind\":\"purchase\",\"id\":\"PO-");
		out_u64(&o, i);
		OUT_LIT(&o, "\",\"date\":\"");
		out_mem(&o, day, 10);
		OUT_LIT(&o, "\",\"reference\":\"PO-");
		out_u64(&o, i);
		OUT_LIT(&o, "\",\"supplier_id\":\"S-");
		out_u64(&o, sup);
		OUT_LIT(&o, "\",\"status\":\"billed\",\"supplier_invoice_no\":\"SI-");
		out_u64(&o, i);
		OUT_LIT(&o, "\",\"invoice_date\":\"");
		out_mem(&o, day, 10);
		OUT_LIT(&o, "\",\"due_date\":\"");
		out_mem(&o, due, 10);
		OUT_LIT(&o, "\",\"dispatch_date\":\"");
		out_mem(&o, day, 10);
		OUT_LIT(&o, "\",\"currency\":\"NZD\",\"tax_mode\":\"exclusive\",\"lines\":[");
		for (uint64_t k = 0; k < opt->lines; k++) {
			uint64_t x = rng_next(&r);
			int64_t qty = 1 + (int64_t)(x & 15);
			int64_t cents = 50 + (int64_t)((x >> 8) % 9950);
			int64_t amount = qty * cents;

			sum += amount;
			tax += (amount * 15 + 50) / 100; /* per line, half away (amount >= 0) */
			out_need(&o, 160);
			if (k > 0)
				o.p[o.len++] = ',';
			OUT_LIT(&o, "{\"description\":\"Supply ");
			out_u64(&o, (x >> 40) % 1000);
			OUT_LIT(&o, "\",\"qty\":");
			out_u64(&o, (uint64_t)qty);
			OUT_LIT(&o, ",\"unit_cost\":\"");
			out_cents(&o, cents);
			OUT_LIT(&o, "\",\"tax_rate\":15,\"account\":\"429\"}");
		}
		out_need(&o, 64);
		OUT_LIT(&o, "],\"total\":\"");
		out_cents(&o, sum + tax);
		OUT_LIT(&o, "\"}\n");
	}
	out_flush(&o);
	if (o.rc == BS_OK && fflush(stdout) != 0)
		o.rc = BS_EIO;
	free(o.p);
	return o.rc;
}

/* ================================================================= main */

static void usage(FILE *f)
{
	fputs("usage: gen_records sample DIR [--seed S]\n"
	      "       gen_records sales N [--lines L] [--seed S] [--customers C] [--products P]\n"
	      "       gen_records bills N [--lines L] [--seed S] [--suppliers V]\n"
	      "\n"
	      "sample   write the 2026-10 month of a small NZ shop (base NZD) into DIR:\n"
	      "         customers.csv products.csv suppliers.jsonl sales.jsonl purchases.csv\n"
	      "         payments.jsonl other.jsonl, and DIR/bad/ (files of deliberate mistakes)\n"
	      "sales    stream C customers (default N/5, at least 1), P products (default 0),\n"
	      "         then N invoiced sales of L lines (default 5) to stdout as JSON Lines;\n"
	      "         lines name a SKU-<n> when P > 0, else carry a description\n"
	      "bills    stream V suppliers (default N/5, at least 1), then N billed purchase\n"
	      "         orders of L lines (default 5, exclusive 15% GST, account 429) to stdout\n"
	      "\n"
	      "Output is a pure function of the seed (default 20261031).\n",
	      f);
}

/* Parse a decimal unsigned integer (the whole string, no sign). */
static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return BS_EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return BS_EINVAL;
	*out = v;
	return BS_OK;
}

int main(int argc, char **argv)
{
	struct stream_opts opt = {0, 5, 20261031, 0, 0};
	bool have_customers = false;
	int rc;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
	if (argc < 3) {
		usage(stderr);
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		uint64_t *dst = NULL;

		if (strcmp(argv[i], "--seed") == 0) {
			dst = &opt.seed;
		} else if (strcmp(argv[i], "--lines") == 0) {
			dst = &opt.lines;
		} else if (strcmp(argv[i], "--customers") == 0 ||
		           strcmp(argv[i], "--suppliers") == 0) {
			dst = &opt.customers; /* bills: the suppliers */
			have_customers = true;
		} else if (strcmp(argv[i], "--products") == 0) {
			dst = &opt.products;
		}
		if (dst == NULL || i + 1 >= argc || parse_u64(argv[i + 1], dst) != BS_OK) {
			fprintf(stderr, "gen_records: bad option or value: %s\n", argv[i]);
			usage(stderr);
			return 2;
		}
		i++;
	}
	if (strcmp(argv[1], "sample") == 0) {
		rc = run_sample(argv[2], opt.seed);
	} else if (strcmp(argv[1], "sales") == 0) {
		if (parse_u64(argv[2], &opt.n) != BS_OK || opt.lines == 0 || opt.lines > 10000 ||
		    (have_customers && opt.customers == 0)) {
			fprintf(stderr,
			        "gen_records: sales needs N >= 0, 1 <= L <= 10000, C >= 1\n");
			return 2;
		}
		if (!have_customers)
			opt.customers = opt.n / 5 > 0 ? opt.n / 5 : 1;
		rc = run_sales(&opt);
	} else if (strcmp(argv[1], "bills") == 0) {
		if (parse_u64(argv[2], &opt.n) != BS_OK || opt.lines == 0 || opt.lines > 10000 ||
		    (have_customers && opt.customers == 0)) {
			fprintf(stderr,
			        "gen_records: bills needs N >= 0, 1 <= L <= 10000, V >= 1\n");
			return 2;
		}
		if (!have_customers)
			opt.customers = opt.n / 5 > 0 ? opt.n / 5 : 1;
		rc = run_bills(&opt);
	} else {
		usage(stderr);
		return 2;
	}
	if (rc != BS_OK) {
		if (rc == BS_EIO)
			fprintf(stderr, "gen_records: cannot write %s: %s\n",
			        strcmp(argv[1], "sample") != 0 ? "standard output" : argv[2],
			        bs_strerror(rc));
		else
			fprintf(stderr, "gen_records: %s\n", bs_strerror(rc));
		return 1;
	}
	return 0;
}
