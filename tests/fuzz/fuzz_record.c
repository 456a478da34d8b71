/*
 * fuzz_record.c - libFuzzer target: bytes -> json-c -> record_from_json.
 *
 * The first byte picks the organisation's base currency (none, NZD, JPY,
 * KWD) so every exponent path is reached; the rest is the JSON text.
 * Oracles beyond "no crash, no leak": a valid record's canonical text is
 * JSON, validating that text again gives the same canonical bytes, hash,
 * total and tab (the canonical form is a fixed point), the document view of
 * that text agrees on the total and its line amounts add up to it, and a
 * failure always comes with a message.
 */
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/money.h"
#include "model/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const bases[4] = {NULL, "NZD", "JPY", "KWD"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record_ctx ctx;
	struct record r, again;
	struct record_doc doc;
	struct bs_error err;
	struct json_object *obj, *back;
	struct json_tokener *tok;
	int rc;

	if (size < 1 || size > (1u << 20))
		return 0;
	ctx.base_currency = bases[data[0] & 3];
	tok = json_tokener_new();
	if (tok == NULL)
		return 0;
	obj = json_tokener_parse_ex(tok, (const char *)data + 1, (int)(size - 1));
	json_tokener_free(tok);
	if (obj == NULL)
		return 0;
	record_init(&r);
	record_init(&again);
	rc = record_from_json(obj, &ctx, &r, &err);
	if (rc != BS_OK) {
		if (rc > 0 || err.msg[0] == '\0' || err.code != rc)
			abort();
		goto out;
	}
	if (r.tab == NULL || r.id[0] == '\0' || (unsigned)r.kind >= RECORD_KIND_COUNT)
		abort();
	back = json_tokener_parse(buf_cstr(&r.canonical));
	if (back == NULL)
		abort();
	rc = record_from_json(back, &ctx, &again, &err);
	json_object_put(back);
	if (rc != BS_OK || again.canonical.len != r.canonical.len ||
	    memcmp(buf_cstr(&again.canonical), buf_cstr(&r.canonical), r.canonical.len) != 0 ||
	    memcmp(again.hash, r.hash, RECORD_HASH_LEN) != 0 || again.total != r.total ||
	    again.has_total != r.has_total || strcmp(again.tab, r.tab) != 0 ||
	    again.nrefs != r.nrefs || strcmp(again.currency, r.currency) != 0)
		abort();
	if (record_doc_parse(buf_cstr(&r.canonical), r.canonical.len, &ctx, &doc, &err) != BS_OK)
		abort();
	if (doc.kind != r.kind || doc.total != r.total || doc.has_total != r.has_total)
		abort();
	if (doc.nlines > 0) {
		/* Σ amounts (+ Σ tax when exclusive; lines without tax carry 0) is
		 * the total, or within one minor unit per line of a given `total`;
		 * a journal's total is its debits (the positive amounts) */
		__int128 sum = 0, diff;

		for (size_t i = 0; i < doc.nlines; i++) {
			const struct record_doc_line *l = &doc.lines[i];

			if (r.kind == RECORD_JOURNAL)
				sum += l->amount > 0 ? l->amount : 0;
			else
				sum +=
				    l->amount + (doc.tax_mode == MONEY_TAX_EXCLUSIVE ? l->tax : 0);
		}
		diff = sum - r.total;
		if (diff < 0)
			diff = -diff;
		if (diff > (__int128)money_unit(doc.exp) * (__int128)doc.nlines)
			abort();
	}
	record_doc_release(&doc);
out:
	record_release(&r);
	record_release(&again);
	json_object_put(obj);
	return 0;
}
