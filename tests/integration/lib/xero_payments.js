// xero_payments.js URL TOKEN TENANT N FILE [AMOUNT] - N payments of AMOUNT
// (default 0.01) made in the Xero sandbox as a second app, spread over the
// invoices named in FILE (one id a line, used in turn), 1,000 a PUT.  For
// inbound_crash.sh and bench/inbound_pay.
const [url, tok, ten, nStr, file, amt] = process.argv.slice(2);
const ids = require("fs").readFileSync(file, "utf8").split("\n").filter(Boolean);
const n = Number(nStr);
(async () => {
	for (let done = 0; done < n; ) {
		const k = Math.min(1000, n - done), ps = [];
		for (let i = 0; i < k; i++)
			ps.push({ Invoice: { InvoiceID: ids[(done + i) % ids.length] }, Account: { Code: "090" },
				Date: "2026-11-10", Amount: Number(amt || "0.01") });
		const r = await fetch(url + "/api.xro/2.0/Payments", { method: "PUT",
			headers: { Authorization: "Bearer " + tok, "xero-tenant-id": ten,
				"Content-Type": "application/json", Accept: "application/json" },
			body: JSON.stringify({ Payments: ps }) });
		if (r.status !== 200) { console.error("PUT Payments:", r.status, (await r.text()).slice(0, 300)); process.exit(1); }
		done += k;
	}
})();
