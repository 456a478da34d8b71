// crash_qbo.js IN OUT: a read_qbo.js dump (Invoice, Customer, CreditMemo, Payment) put in
// the shape crash_exactly_once.sh's checks read (Xero's field names), so one set of checks
// serves both ledgers.  QBO's forms, as docs/mapping-qbo.md books them:
//   invoice      DocNumber -> InvoiceNumber; PrivateNote (the whole reference) -> Reference;
//                a void is TotalAmt 0 with PrivateNote "Voided - <note>" -> Status VOIDED;
//                Balance -> AmountDue; AmountPaid / AmountCredited summed from the Payments
//                linking it
//   payment      a Payment whose PrivateNote marker "[booksync <Type>/<kind>:<id> ...]" names
//                the source record -> Reference <id>; its Invoice is the one it links
//   allocation   a Payment of TotalAmt 0 linking an Invoice and a CreditMemo for one amount
//                -> an Allocation on that credit memo
//   credit memo  DocNumber -> CreditNoteNumber, Balance -> RemainingCredit
// Amounts stay decimal text (the checks compare integer cents).
'use strict';
const fs = require('fs');
const [inf, outf] = process.argv.slice(2);
const q = JSON.parse(fs.readFileSync(inf, 'utf8'));

// cents of a QBO amount (a JSON number at 2 dp) as BigInt, and back to text
const cents = (v) => {
	const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(v));
	if (!m) throw new Error(`not an amount: ${v}`);
	const c = BigInt(m[2]) * 100n + BigInt((m[3] || '').padEnd(2, '0'));
	return m[1] ? -c : c;
};
const text = (c) => {
	const neg = c < 0n, a = neg ? -c : c;
	return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
};
const voided = (d) => /^Voided/.test(d.PrivateNote || '') && cents(d.TotalAmt) === 0n;
const noteRef = (d) => (d.PrivateNote || '').replace(/^(Voided( - )?)+/, '');
// "[booksync Payment/payment:PAY-7 Invoice/sale:SO-7]" -> "PAY-7"
const markerId = (d) => {
	const m = /\[booksync ([^\s\]]+)/.exec(d.PrivateNote || '');
	return m ? m[1].replace(/^.*:/, '') : undefined;
};
const links = (p, type) => {
	const out = [];
	for (const l of p.Line || [])
		for (const t of l.LinkedTxn || [])
			if (t.TxnType === type) out.push({ id: t.TxnId, amount: cents(l.Amount) });
	return out;
};

const inv = new Map((q.invoice || []).map((i) => [i.Id, i]));
const cms = new Map((q.creditmemo || []).map((c) => [c.Id, c]));
const paid = new Map(), credited = new Map(), allocs = new Map();
const payments = [];
for (const p of q.payment || []) {
	const toInv = links(p, 'Invoice'), toCm = links(p, 'CreditMemo');
	if (toCm.length > 0) {
		// an allocation: the credit memo's amount moved onto the invoice
		for (const c of toCm) {
			const i = toInv[0];
			const a = allocs.get(c.id) || [];
			a.push({ Invoice: { InvoiceNumber: i && inv.get(i.id) ? inv.get(i.id).DocNumber : null },
				Amount: text(c.amount) });
			allocs.set(c.id, a);
		}
		for (const i of toInv) credited.set(i.id, (credited.get(i.id) || 0n) + i.amount);
		continue;
	}
	for (const i of toInv) paid.set(i.id, (paid.get(i.id) || 0n) + i.amount);
	payments.push({
		Reference: markerId(p),
		Status: voided(p) ? 'VOIDED' : 'AUTHORISED',
		Invoice: toInv.length === 1 && inv.get(toInv[0].id) ?
			{ InvoiceNumber: inv.get(toInv[0].id).DocNumber } : undefined,
		Amount: text(cents(p.TotalAmt)),
	});
}
const out = {
	invoices: [...inv.values()].map((i) => ({
		InvoiceNumber: i.DocNumber,
		Reference: noteRef(i),
		Contact: { Name: i.CustomerRef && i.CustomerRef.name },
		Status: voided(i) ? 'VOIDED' : cents(i.Balance) === 0n ? 'PAID' : 'AUTHORISED',
		Total: text(cents(i.TotalAmt)),
		AmountDue: text(cents(i.Balance)),
		AmountPaid: text(paid.get(i.Id) || 0n),
		AmountCredited: text(credited.get(i.Id) || 0n),
	})),
	creditnotes: [...cms.values()].map((c) => ({
		CreditNoteNumber: c.DocNumber,
		Contact: { Name: c.CustomerRef && c.CustomerRef.name },
		Status: voided(c) ? 'VOIDED' : 'AUTHORISED',
		Total: text(cents(c.TotalAmt)),
		RemainingCredit: text(cents(c.Balance)),
		Allocations: allocs.get(c.Id) || [],
	})),
	payments: payments.filter((p) => p.Status !== 'VOIDED'),
	contacts: (q.customer || []).map((c) => ({ Name: c.DisplayName })),
};
fs.writeFileSync(outf, JSON.stringify(out));
