// event_receiver.js - a receiver of booksync's events for tests
// (docs/events.md "Delivery"): checks Booksync-Signature the way a source
// system would (v1= hex HMAC-SHA256 of secret over timestamp "." raw body,
// compared in constant time; the id header equal to the body's id) and
// appends one JSON line per request to OUT: {"id","type","ok"}.  A bad
// signature gets 400 (and ok:false), a good one 200.
// usage: node event_receiver.js PORT SECRET OUT   (PORT 0 = a free one;
// the port listened on is printed on stdout's first line)
"use strict";
const http = require("node:http");
const crypto = require("node:crypto");
const fs = require("node:fs");
const [port, secret, out] = process.argv.slice(2);

const server = http.createServer((req, res) => {
	const parts = [];
	req.on("data", (c) => parts.push(c));
	req.on("end", () => {
		const raw = Buffer.concat(parts);
		const ts = req.headers["booksync-timestamp"] || "";
		const sig = req.headers["booksync-signature"] || "";
		const want = "v1=" + crypto.createHmac("sha256", secret).update(ts + "." + raw).digest("hex");
		let body = {};
		try { body = JSON.parse(raw.toString("utf8")); } catch (e) { body = {}; }
		const ok = sig.length === want.length &&
			crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(want)) &&
			req.headers["booksync-event-id"] === body.id && /^\d+$/.test(ts);
		fs.appendFileSync(out, JSON.stringify({ id: body.id, type: body.type, ok }) + "\n");
		res.writeHead(ok ? 200 : 400, { "Content-Type": "text/plain" });
		res.end(ok ? "ok" : "bad signature");
	});
});
server.listen(Number(port), "127.0.0.1", () => {
	process.stdout.write(server.address().port + "\n");
});
process.on("SIGTERM", () => process.exit(0)); // "down" at once, kept-alive sockets too
