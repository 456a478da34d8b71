'use strict';
// The accounting API through node-quickbooks: every entity booksync maps to
// (create, read, sparse update with SyncToken, delete / void), /query,
// /batch, /cdc, requestid replay, and each documented Fault (FACTS §5-§7).
// Expected values come from the facts (QBO's arithmetic), not the sandbox.
const { describe, it, before, after } = require('node:test');
const assert = require('assert/strict');
const h = require('../lib/harness');

describe('QBO accounting conformance', () => {
	let sb, qb, s, acct, tax, cust, vend, item;

	before(async () => {
		sb = await h.startSandbox(['--limits', 'off']);
		s = await h.login(sb.base);
		qb = h.qbClient(sb.base, s);
		const accounts = await qb.call('findAccounts', { fetchAll: true });
		acct = Object.fromEntries(accounts.QueryResponse.Account.map((a) => [a.Name, a.Id]));
		const codes = await qb.call('findTaxCodes', {});
		tax = Object.fromEntries(codes.QueryResponse.TaxCode.map((t) => [t.Name, t.Id]));
		cust = await qb.call('createCustomer', { DisplayName: 'Conformance Customer' });
		vend = await qb.call('createVendor', { DisplayName: 'Conformance Vendor' });
		item = await qb.call('createItem', {
			Name: 'Widget', Type: 'NonInventory', IncomeAccountRef: { value: acct.Sales },
			ExpenseAccountRef: { value: acct.Purchases }, UnitPrice: 12.5,
		});
	});

	after(async () => {
		if (sb) await sb.stop();
	});

	const saleLine = (amount, qty, price, code) => ({
		DetailType: 'SalesItemLineDetail', Amount: amount,
		SalesItemLineDetail: { ItemRef: { value: item.Id }, Qty: qty, UnitPrice: price, TaxCodeRef: { value: code } },
	});
	const expLine = (amount, account, code) => ({
		DetailType: 'AccountBasedExpenseLineDetail', Amount: amount,
		AccountBasedExpenseLineDetail: { AccountRef: { value: account }, TaxCodeRef: { value: code } },
	});

	it('the default company: CompanyInfo, Preferences, accounts and tax codes', async () => {
		const info = await qb.call('getCompanyInfo', s.realmId);
		assert.equal(info.Country, 'NZ');
		const prefs = await qb.call('getPreferences');
		assert.equal(prefs.CurrencyPrefs.HomeCurrency.value, 'NZD');
		for (const n of ['Sales', 'Cost of Goods Sold', 'Inventory Asset', 'Accounts Receivable (A/R)',
			'Accounts Payable (A/P)', 'Business Bank Account', 'Undeposited Funds', 'GST Payable',
			'Gift Vouchers', 'Customer Store Credit', 'Rounding'])
			assert.ok(acct[n], `account ${n}`);
		assert.ok(tax.GST && tax['Out of Scope']);
		const code = await qb.call('getTaxCode', tax.GST);
		assert.equal(code.SalesTaxRateList.TaxRateDetail.length, 1);
		const rate = await qb.call('getTaxRate', code.SalesTaxRateList.TaxRateDetail[0].TaxRateRef.value);
		assert.equal(rate.RateValue, 15);
	});

	it('customer and vendor: create, read, sparse update, stale SyncToken (5010)', async () => {
		const c = await qb.call('createCustomer', { DisplayName: 'Sparse Ltd', CompanyName: 'Sparse' });
		assert.equal(c.SyncToken, '0');
		const u = await qb.call('updateCustomer', { Id: c.Id, SyncToken: c.SyncToken, sparse: true, Notes: 'n' });
		assert.equal(u.SyncToken, '1');
		assert.equal(u.CompanyName, 'Sparse');
		await h.fault(qb.call('updateCustomer', { Id: c.Id, SyncToken: '0', sparse: true, Notes: 'x' }), '5010');
		const r = await qb.call('getVendor', vend.Id);
		assert.equal(r.DisplayName, 'Conformance Vendor');
	});

	it('duplicate DisplayName across customers and vendors (6240)', async () => {
		await h.fault(qb.call('createVendor', { DisplayName: 'Conformance Customer' }), '6240');
		await h.fault(qb.call('createCustomer', { DisplayName: 'conformance vendor' }), '6240');
	});

	it('invoice: QBO arithmetic, tax in TxnTaxDetail, TotalAmt at 2 dp', async () => {
		const inv = await qb.call('createInvoice', {
			CustomerRef: { value: cust.Id }, DocNumber: 'CONF-1',
			Line: [saleLine(10.01, 3, 3.3366667, tax.GST), saleLine(12.5, 1, 12.5, tax.GST)],
		});
		// 22.51 × 15 % = 3.3765 -> 3.38
		assert.equal(inv.TxnTaxDetail.TotalTax, 3.38);
		assert.equal(inv.TotalAmt, 25.89);
		assert.equal(inv.Balance, 25.89);
		const read = await qb.call('getInvoice', inv.Id);
		assert.equal(read.DocNumber, 'CONF-1');
	});

	it('Amount not Qty × UnitPrice (6070), duplicate DocNumber (6140), lengths', async () => {
		await h.fault(qb.call('createInvoice', { CustomerRef: { value: cust.Id }, Line: [saleLine(10.02, 3, 3.3366667, tax.GST)] }), '6070');
		await h.fault(qb.call('createInvoice', { CustomerRef: { value: cust.Id }, DocNumber: 'CONF-1', Line: [saleLine(1, 1, 1, tax.GST)] }), '6140');
		await h.fault(qb.call('createInvoice', { CustomerRef: { value: cust.Id }, DocNumber: 'X'.repeat(22), Line: [saleLine(1, 1, 1, tax.GST)] }), '2050');
		await h.fault(qb.call('createInvoice', { CustomerRef: { value: cust.Id }, PrivateNote: 'n'.repeat(4001), Line: [saleLine(1, 1, 1, tax.GST)] }), '2050');
		await h.fault(qb.call('createCustomer', { DisplayName: 'd'.repeat(501) }), '2050');
	});

	it('invalid reference (2500), object not found (610), required field (2020)', async () => {
		await h.fault(qb.call('createInvoice', { CustomerRef: { value: '99999' }, Line: [saleLine(1, 1, 1, tax.GST)] }), '2500');
		await h.fault(qb.call('getInvoice', '99999'), '610');
		await h.fault(qb.call('createBill', { Line: [expLine(1, acct.Purchases, tax.GST)] }), '2020');
	});

	it('credit memo, payment against invoice, void', async () => {
		const inv = await qb.call('createInvoice', { CustomerRef: { value: cust.Id }, DocNumber: 'CONF-2', Line: [saleLine(100, 1, 100, tax['Out of Scope'])] });
		const cm = await qb.call('createCreditMemo', { CustomerRef: { value: cust.Id }, DocNumber: 'CM-1', Line: [saleLine(20, 1, 20, tax['Out of Scope'])] });
		assert.equal(cm.TotalAmt, 20);
		const pay = await qb.call('createPayment', {
			CustomerRef: { value: cust.Id }, TotalAmt: 80,
			Line: [
				{ Amount: 100, LinkedTxn: [{ TxnId: inv.Id, TxnType: 'Invoice' }] },
				{ Amount: 20, LinkedTxn: [{ TxnId: cm.Id, TxnType: 'CreditMemo' }] },
			],
		});
		assert.equal(pay.UnappliedAmt, 0);
		assert.equal((await qb.call('getInvoice', inv.Id)).Balance, 0);
		const voided = await qb.call('voidPayment', { Id: pay.Id, SyncToken: pay.SyncToken });
		assert.equal(voided.TotalAmt, 0);
		assert.equal((await qb.call('getInvoice', inv.Id)).Balance, 100);
	});

	it('bill, purchase order, vendor credit, bill payment, delete', async () => {
		const po = await qb.call('createPurchaseOrder', { VendorRef: { value: vend.Id }, DocNumber: 'PO-1', Line: [expLine(50, acct.Purchases, tax.GST)] });
		assert.equal(po.POStatus, 'Open');
		assert.equal(po.TotalAmt, 57.5);
		const bill = await qb.call('createBill', {
			VendorRef: { value: vend.Id }, DocNumber: 'B-1',
			Line: [{ DetailType: 'ItemBasedExpenseLineDetail', Amount: 25, ItemBasedExpenseLineDetail: { ItemRef: { value: item.Id }, Qty: 2, UnitPrice: 12.5, TaxCodeRef: { value: tax.GST } } }],
		});
		assert.equal(bill.TotalAmt, 28.75);
		const vc = await qb.call('createVendorCredit', { VendorRef: { value: vend.Id }, DocNumber: 'VC-1', Line: [expLine(8.75, acct.Purchases, tax['Out of Scope'])] });
		const bp = await qb.call('createBillPayment', {
			VendorRef: { value: vend.Id }, PayType: 'Check', TotalAmt: 20,
			CheckPayment: { BankAccountRef: { value: acct['Business Bank Account'] } },
			Line: [
				{ Amount: 28.75, LinkedTxn: [{ TxnId: bill.Id, TxnType: 'Bill' }] },
				{ Amount: 8.75, LinkedTxn: [{ TxnId: vc.Id, TxnType: 'VendorCredit' }] },
			],
		});
		assert.equal(bp.TotalAmt, 20);
		assert.equal((await qb.call('getBill', bill.Id)).Balance, 0);
		const del = await qb.call('deleteBillPayment', bp.Id);
		assert.equal(del.BillPayment.status, 'Deleted');
		assert.equal((await qb.call('getBill', bill.Id)).Balance, 28.75);
		const gone = await qb.call('deletePurchaseOrder', po.Id);
		assert.equal(gone.PurchaseOrder.status, 'Deleted');
		await h.fault(qb.call('getPurchaseOrder', po.Id), '610');
	});

	it('journal entry (balanced, else 6000), deposit, purchase', async () => {
		const je = await qb.call('createJournalEntry', {
			DocNumber: 'JE-1', PrivateNote: 'booksync:journal:J1',
			Line: [
				{ DetailType: 'JournalEntryLineDetail', Amount: 12.34, JournalEntryLineDetail: { PostingType: 'Debit', AccountRef: { value: acct['Cost of Goods Sold'] } } },
				{ DetailType: 'JournalEntryLineDetail', Amount: 12.34, JournalEntryLineDetail: { PostingType: 'Credit', AccountRef: { value: acct['Inventory Asset'] } } },
			],
		});
		assert.equal(je.Line.length, 2);
		await h.fault(qb.call('createJournalEntry', {
			Line: [{ DetailType: 'JournalEntryLineDetail', Amount: 1, JournalEntryLineDetail: { PostingType: 'Debit', AccountRef: { value: acct.Sales } } }],
		}), '6000');
		const dep = await qb.call('createDeposit', {
			DepositToAccountRef: { value: acct['Business Bank Account'] },
			Line: [{ Amount: 30, DetailType: 'DepositLineDetail', DepositLineDetail: { AccountRef: { value: acct['Gift Vouchers'] } } }],
		});
		assert.equal(dep.TotalAmt, 30);
		const pur = await qb.call('createPurchase', {
			AccountRef: { value: acct['Business Bank Account'] }, PaymentType: 'Cash',
			Line: [expLine(4.35, acct['Bank Fees'], tax['Out of Scope'])],
		});
		assert.equal(pur.TotalAmt, 4.35);
	});

	it('closed period (6210)', async () => {
		const prefs = await qb.call('getPreferences');
		await qb.call('updatePreferences', { Id: prefs.Id, SyncToken: prefs.SyncToken, sparse: true, AccountingInfoPrefs: { BookCloseDate: '2020-12-31' } });
		await h.fault(qb.call('createInvoice', { CustomerRef: { value: cust.Id }, TxnDate: '2020-06-30', Line: [saleLine(1, 1, 1, tax.GST)] }), '6210');
		await qb.call('createInvoice', { CustomerRef: { value: cust.Id }, TxnDate: '2021-01-01', Line: [saleLine(1, 1, 1, tax.GST)] });
	});

	it('query: WHERE DocNumber / DisplayName, paging', async () => {
		const r = await qb.call('findInvoices', { DocNumber: 'CONF-1' });
		assert.equal(r.QueryResponse.Invoice.length, 1);
		const c = await qb.call('findCustomers', [{ field: 'DisplayName', value: 'Conformance Customer', operator: '=' }]);
		assert.equal(c.QueryResponse.Customer[0].Id, cust.Id);
		const page = await qb.call('findAccounts', [{ field: 'limit', value: 5 }, { field: 'offset', value: 6 }]);
		assert.equal(page.QueryResponse.Account.length, 5);
		assert.equal(page.QueryResponse.startPosition, 6);
		const n = await qb.call('findInvoices', { count: true });
		assert.ok(n.QueryResponse.totalCount >= 3);
	});

	it('batch: a BatchItemResponse per bId, a failing item has its own Fault', async () => {
		const r = await qb.call('batch', [
			{ bId: 'a', operation: 'create', Customer: { DisplayName: 'Batch One' } },
			{ bId: 'b', operation: 'create', Customer: { DisplayName: 'Conformance Customer' } },
			{ bId: 'c', Query: "select * from Customer where DisplayName = 'Conformance Customer'" },
		]);
		const by = Object.fromEntries(r.BatchItemResponse.map((x) => [x.bId, x]));
		assert.equal(by.a.Customer.DisplayName, 'Batch One');
		assert.equal(by.b.Fault.Error[0].code, '6240');
		assert.equal(by.c.QueryResponse.Customer[0].Id, cust.Id);
		const many = Array.from({ length: 31 }, (_, i) => ({ bId: `q${i}`, Query: 'select * from Item' }));
		await h.fault(qb.call('batch', many), '6000');
	});

	it('cdc: changed entities since a time, deleted ones marked Deleted', async () => {
		const since = new Date(Date.now() - 60000);
		const inv = await qb.call('createInvoice', { CustomerRef: { value: cust.Id }, Line: [saleLine(3, 1, 3, tax.GST)] });
		await qb.call('deleteInvoice', inv.Id);
		const r = await qb.call('changeDataCapture', ['Invoice', 'Customer'], since);
		const qr = r.CDCResponse[0].QueryResponse;
		const invs = qr.find((x) => x.Invoice).Invoice;
		assert.ok(invs.some((x) => x.Id === inv.Id && x.status === 'Deleted'));
		assert.ok(qr.find((x) => x.Customer).Customer.some((x) => x.Id === cust.Id));
	});

	it('requestid: the same id replays the first answer and creates nothing', async () => {
		const body = { CustomerRef: { value: cust.Id }, DocNumber: 'RID-1', Line: [saleLine(5, 1, 5, tax.GST)] };
		const a = await qb.call('createInvoice', { ...body, requestId: 'conformance-rid-1' });
		const b = await qb.call('createInvoice', { ...body, requestId: 'conformance-rid-1' });
		assert.equal(b.Id, a.Id);
		const r = await qb.call('findInvoices', { DocNumber: 'RID-1' });
		assert.equal(r.QueryResponse.Invoice.length, 1);
	});

	it('minorversion is accepted', async () => {
		const r = await h.request('GET', `${sb.base}/v3/company/${s.realmId}/companyinfo/${s.realmId}?minorversion=75`, {
			headers: { Authorization: `Bearer ${s.token.access_token}` },
		});
		assert.equal(r.status, 200);
		assert.ok(r.json.time);
	});
});
