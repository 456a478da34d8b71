// verify_qbo.js EXAMPLES LINKS QBO: every document booksync says it posted to QuickBooks
// Online is there, and its amount is the source's to the cent.  One line "name|ok|detail"
// per assertion.
//   EXAMPLES  the directory of the sample month (examples/: JSON Lines and CSV)
//   LINKS     `sqlite3 -separator '|'` rows: kind|source_id|ledger_type|ledger_id|state of
//             the store's links for the QBO target (what booksync says it posted)
//   QBO       a read_qbo.js dump of the sandbox
// The source amounts are computed here from the records, independently of booksync
// (docs/rounding.md "The source's rule": line amount qty x price x (1 - discount/100)
// rounded once half away from zero to the currency's exponent, tax per line from it,
// exclusive adds it), in integer arithmetic on decimal text.  The ledger's amount of a
// document is its TotalAmt; of a journal, the sum of its debits; of a Payment of 0 (an
// allocation), the amount it moves.  Ids are one sequence per company in the sandbox, so a
// link's id names one entity whatever its type.
'use strict';
const fs = require('fs');
const path = require('path');
const [dir, linksf, qf] = process.argv.slice(2);

// ---- decimals: BigInt scaled by 10^k ------------------------------------------------
function dec(s, k) {
	const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(String(s).trim());
	if (!m || (m[2] === '' && !m[3])) throw new Error(`not a decimal: ${s}`);
	const frac = (m[3] || '').padEnd(k, '0');
	if (frac.length > k && /[1-9]/.test(frac.slice(k))) throw new Error(`${s}: more than ${k} decimals`);
	const v = BigInt(m[2] || '0') * 10n ** BigInt(k) + BigInt(frac.slice(0, k) || '0');
	return m[1] ? -v : v;
}
// round v / d half away from zero
function rdiv(v, d) {
	const neg = (v < 0n) !== (d < 0n);
	const a = v < 0n ? -v : v, b = d < 0n ? -d : d;
	const q = (2n * a + b) / (2n * b);
	return neg ? -q : q;
}
const EXP = { JPY: 0 };
const expOf = (cur) => (cur in EXP ? EXP[cur] : 2);
// minor units of currency cur -> cents text of that currency
const units = (v, e) => {
	const neg = v < 0n, a = neg ? -v : v, p = 10n ** BigInt(e);
	return `${neg ? '-' : ''}${a / p}${e ? '.' + String(a % p).padStart(e, '0') : ''}`;
};

// ---- the records ----------------------------------------------------------------------
function csv(text) {
	const rows = [];
	let row = [], f = '', q = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (q) {
			if (c === '"' && text[i + 1] === '"') { f += '"'; i++; }
			else if (c === '"') q = false;
			else f += c;
		} else if (c === '"') q = true;
		else if (c === ',') { row.push(f); f = ''; }
		else if (c === '\n') { row.push(f); rows.push(row); row = []; f = ''; }
		else if (c !== '\r') f += c;
	}
	if (f !== '' || row.length) { row.push(f); rows.push(row); }
	const [head, ...body] = rows;
	return body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}
const recs = new Map(); // "kind:id" -> record
for (const f of fs.readdirSync(dir)) {
	const p = path.join(dir, f);
	if (f.endsWith('.jsonl'))
		for (const l of fs.readFileSync(p, 'utf8').split('\n').filter(Boolean)) {
			const r = JSON.parse(l);
			recs.set(`${r.kind}:${r.id}`, r);
		}
	else if (f === 'customers.csv' || f === 'products.csv') {
		for (const row of csv(fs.readFileSync(p, 'utf8')))
			recs.set(`${row.kind || 'customer'}:${row.id}`, { kind: row.kind || 'customer', ...row });
	} else if (f === 'purchases.csv') {
		for (const row of csv(fs.readFileSync(p, 'utf8'))) {
			const key = `purchase:${row.id}`;
			if (!recs.has(key)) {
				const r = { kind: 'purchase', lines: [] };
				for (const [k, v] of Object.entries(row))
					if (!k.startsWith('lines.') && v !== '') r[k] = v;
				recs.set(key, r);
			}
			const l = {};
			for (const [k, v] of Object.entries(row))
				if (k.startsWith('lines.') && v !== '') l[k.slice(6)] = v;
			recs.get(key).lines.push(l);
		}
	}
}

// the source amount of a record, in minor units of its currency (and that currency)
function sourceAmount(r) {
	const cur = r.currency || 'NZD', e = expOf(cur), p = 10n ** BigInt(e);
	switch (r.kind) {
	case 'sale': case 'credit_note': case 'purchase': {
		let sum = 0n, tax = 0n;
		const mode = r.tax_mode || 'exclusive';
		for (const l of r.lines) {
			const q = dec(l.qty, 6), price = dec(l.unit_price !== undefined ? l.unit_price : l.unit_cost, 6);
			const d = dec(l.discount_pct || '0', 6);
			// q * price * (100 - d) / 100, scales 1e6 * 1e6 * 1e6 (d) * 100 -> minor units
			const a = rdiv(q * price * (100000000n - d) * p, 10n ** 18n * 100n);
			const rate = dec(l.tax_rate || '0', 6);
			sum += a;
			if (mode === 'exclusive') tax += rdiv(a * rate, 100000000n);
		}
		return { v: sum + tax, cur };
	}
	case 'money_task': {
		let sum = 0n, tax = 0n;
		for (const l of r.lines) {
			const a = rdiv(dec(l.amount, 6) * p, 1000000n);
			sum += a;
			if ((r.tax_mode || 'exclusive') === 'exclusive')
				tax += rdiv(a * dec(l.tax_rate || '0', 6), 100000000n);
		}
		return { v: sum + tax, cur };
	}
	case 'journal':
		return { v: r.lines.reduce((s, l) => s + rdiv(dec(l.debit || '0', 6) * p, 1000000n), 0n), cur };
	case 'cogs':
		return { v: r.lines.reduce((s, l) => s + rdiv(dec(l.cost, 6) * 100n, 1000000n), 0n), cur: 'NZD' };
	case 'adjustment':
		return { v: r.lines.reduce((s, l) => {
			const a = rdiv(dec(l.qty, 6) * dec(l.unit_cost, 6) * 100n, 10n ** 12n);
			return s + (a < 0n ? -a : a);
		}, 0n), cur: 'NZD' };
	default: // payment, gift_voucher, store_credit
		return { v: rdiv(dec(r.amount, 6) * p, 1000000n), cur };
	}
}

// ---- the ledger -------------------------------------------------------------------------
const q = JSON.parse(fs.readFileSync(qf, 'utf8'));
const byId = new Map();
for (const [k, list] of Object.entries(q))
	if (Array.isArray(list)) for (const d of list) byId.set(d.Id, { ent: k, d });
const cents = (x) => dec(x, 2);
function ledgerAmount(ent, d) {
	if (ent === 'journalentry')
		return d.Line.filter((l) => l.JournalEntryLineDetail &&
			l.JournalEntryLineDetail.PostingType === 'Debit').reduce((s, l) => s + cents(l.Amount), 0n);
	if (ent === 'payment' && cents(d.TotalAmt) === 0n && d.Line && d.Line.length)
		return d.Line.reduce((m, l) => (cents(l.Amount) > m ? cents(l.Amount) : m), 0n);
	return cents(d.TotalAmt);
}

const say = (n, ok, d) => console.log(`${n}|${ok ? 1 : 0}|${d}`);
const links = fs.readFileSync(linksf, 'utf8').split('\n').filter(Boolean).map((l) => {
	const [kind, id, type, lid, state] = l.split('|');
	return { kind, id, type, lid, state };
});
const perKind = new Map(), missing = [], wrong = [], converted = [];
let checked = 0;
for (const l of links) {
	if (l.state !== 'imported') continue;
	const got = byId.get(l.lid);
	const k = perKind.get(l.kind) || { n: 0, ents: new Set() };
	perKind.set(l.kind, k);
	if (!got) { missing.push(`${l.kind}:${l.id} ${l.type} ${l.lid}`); continue; }
	k.n++;
	k.ents.add(got.ent);
	if (['customer', 'vendor', 'item'].includes(got.ent)) continue;
	const r = recs.get(`${l.kind}:${l.id}`);
	if (!r) { missing.push(`${l.kind}:${l.id}: not in the examples`); continue; }
	const src = sourceAmount(r);
	const lcur = (got.d.CurrencyRef && got.d.CurrencyRef.value) || 'NZD';
	if (lcur !== src.cur && l.kind === 'journal') {
		converted.push(`${l.kind}:${l.id} ${src.cur}->${lcur}`);
		continue; // a foreign journal booked in home currency: its debits are converted
	}
	// amounts in the ledger are at 2 dp; a JPY source is in whole yen
	const want = expOf(src.cur) === 2 ? src.v : src.v * 100n;
	const have = ledgerAmount(got.ent, got.d);
	checked++;
	if (want !== have)
		wrong.push(`${l.kind}:${l.id} (${got.ent} ${l.lid}): ledger ${units(have, 2)}, source ${units(src.v, expOf(src.cur))} ${src.cur}`);
}
say('every linked document is in QBO', missing.length === 0,
	`${missing.length} missing: ${missing.slice(0, 4).join('; ')}`);
say('every document\'s amount is the source\'s to the cent', wrong.length === 0 && checked > 0,
	`${checked} checked, ${wrong.length} differ: ${wrong.slice(0, 5).join('; ')}`);
const kinds = [...new Set([...recs.values()].map((r) => r.kind))].sort();
const absent = kinds.filter((k) => !perKind.has(k) || perKind.get(k).n === 0);
say('every record kind of the examples is in QBO', absent.length === 0,
	`${kinds.length} kinds; none of: ${absent.join(', ')}; ` +
	[...perKind].map(([k, v]) => `${k}=${v.n}(${[...v.ents].join('+')})`).join(' ') +
	(converted.length ? `; converted: ${converted.join(', ')}` : ''));
