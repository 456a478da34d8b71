// cons_month_gen.js N: a month of N invoiced sales over October 2026 on the
// channels Web(A), Web(B) and Market(C) (stores Main and Mall), each with a
// payment of its whole total and a COGS record, after one customer and one
// product (JSON Lines on stdout).  sync_consolidation_month.sh and
// bench/consolidation_month generate the same month with it.
const n = Number(process.argv[2]);
const w = process.stdout;
w.write(JSON.stringify({kind: "customer", id: "C-1", name: "Aroha Ltd"}) + "\n");
w.write(JSON.stringify({kind: "product", id: "P-1", sku: "W-1", name: "Widget"}) + "\n");
const chans = [["Web", "A"], ["Web", "B"], ["Market", "C"]];
let s = "";
for (let i = 1; i <= n; i++) {
  const day = "2026-10-" + String(1 + (i % 31)).padStart(2, "0"), ch = chans[i % 3];
  const q = 1 + (i % 4), price = (4.99 + (i % 11) * 0.77).toFixed(2), id = "M" + i;
  const a = Math.round(q * Number(price) * 100), tot = ((a + Math.round(a * 0.15)) / 100).toFixed(2);
  s += JSON.stringify({kind: "sale", id, reference: id, customer_id: "C-1", date: day, invoiced: true,
    channel: {type: ch[0], name: ch[1]}, store: i % 5 ? "Main" : "Mall",
    lines: [{sku: "W-1", qty: String(q), unit_price: price, tax_rate: "15"}]}) + "\n";
  s += JSON.stringify({kind: "payment", id: id + "-P", sale_id: id, date: day, amount: tot, account: "090"}) + "\n";
  s += JSON.stringify({kind: "cogs", id: id + "-C", sale_id: id, date: day, lines: [{sku: "W-1", cost: (q * 2.05).toFixed(2)}]}) + "\n";
  if (s.length > 1 << 20) { w.write(s); s = ""; }
}
w.write(s);
