// cons_gen.js OUT PREFIX DAY N TYPE NAME [pay]: N invoiced sales of one channel on DAY,
// each with a COGS record and (pay) a payment of its whole total (JSON Lines).
const [out, pre, day, n, ct, cn, pay] = process.argv.slice(2);
const fs = require("fs");
let s = "";
// a sale's total as booksync computes it: each line's tax rounded on its own
const total = (q, price) => {
  const a = Math.round(q * Number(price) * 100);
  return ((a + Math.round(a * 0.15) + 333 + Math.round(333 * 0.15)) / 100).toFixed(2);
};
for (let i = 1; i <= +n; i++) {
  const id = `${pre}-${i}`;
  const q = 1 + (i % 3), price = (9.99 + (i % 7) * 1.37).toFixed(2);
  s += JSON.stringify({kind: "sale", id, reference: id, customer_id: "C-1", date: day, invoiced: true,
    channel: {type: ct, name: cn}, store: "Main", tax_mode: "exclusive",
    lines: [{sku: "W-1", qty: String(q), unit_price: price, tax_rate: "15"},
            {description: "Shipping", qty: "1", unit_price: "3.33", tax_rate: "15"}]}) + "\n";
  if (pay) s += JSON.stringify({kind: "payment", id: `${id}-P`, sale_id: id, date: day,
    amount: total(q, price), account: "090"}) + "\n";
  s += JSON.stringify({kind: "cogs", id: `${id}-C`, sale_id: id, date: day, lines: [{sku: "W-1", cost: (q * 4.11).toFixed(2)}]}) + "\n";
}
fs.writeFileSync(out, s);
