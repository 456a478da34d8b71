/*
 * schema.c - SQL of the store's migrations (see schema.h).
 *
 * Why the shape: records hold the canonical JSON and its hash (content
 * identity) with the version beside it; the columns the dashboard sorts
 * and filters on are copied out at ingest so no query parses JSON in bulk.
 * State is per (record, target); history is append-only; the outbox and
 * requests tables are the sync engine's write-ahead log (docs/exactly-once.md),
 * created now so the schema's first version already has them.
 */
#include "store/schema.h"

/* clang-format off */
const char *const store_sqlite_migrations[] = {
	/* 0 -> 1: the first schema. */
	"CREATE TABLE settings(\n"
	"  key TEXT PRIMARY KEY,\n"
	"  value TEXT NOT NULL\n"
	");\n"
	"CREATE TABLE records(\n"
	"  rowid INTEGER PRIMARY KEY,\n"
	"  kind INTEGER NOT NULL,            -- enum record_kind\n"
	"  id TEXT NOT NULL,\n"
	"  version INTEGER NOT NULL DEFAULT 0,\n"
	"  hash BLOB NOT NULL,               -- SHA-256 of body\n"
	"  body TEXT NOT NULL,               -- canonical JSON, without version\n"
	"  tab TEXT NOT NULL,\n"
	"  date TEXT NOT NULL DEFAULT '',\n"
	"  currency TEXT NOT NULL DEFAULT '',\n"
	"  has_total INTEGER NOT NULL DEFAULT 0,\n"
	"  total INTEGER NOT NULL DEFAULT 0, -- micros\n"
	"  created_ms INTEGER NOT NULL,\n"
	"  updated_ms INTEGER NOT NULL,\n"
	"  UNIQUE(id, kind)                  -- also serves lookups by id alone\n"
	");\n"

	"CREATE TABLE record_refs(\n"
	"  record INTEGER NOT NULL REFERENCES records(rowid) ON DELETE CASCADE,\n"
	"  field TEXT NOT NULL,\n"
	"  kinds INTEGER NOT NULL,           -- bitmask of enum record_kind\n"
	"  ref_id TEXT NOT NULL,\n"
	"  PRIMARY KEY(record, field)\n"
	") WITHOUT ROWID;\n"

	"CREATE TABLE targets(\n"
	"  id TEXT PRIMARY KEY,              -- 'xero:<tenant>', 'qbo:<realm>'\n"
	"  name TEXT NOT NULL DEFAULT '',\n"
	"  created_ms INTEGER NOT NULL\n"
	");\n"
	"CREATE TABLE sync_state(\n"
	"  record INTEGER NOT NULL REFERENCES records(rowid) ON DELETE CASCADE,\n"
	"  target TEXT NOT NULL REFERENCES targets(id) ON DELETE CASCADE,\n"
	"  state TEXT NOT NULL CHECK(state IN ('not_imported','queued','imported','error',\n"
	"                                      'changed','skipped','waiting','consolidated')),\n"
	"  pending_change INTEGER NOT NULL DEFAULT 0,\n"
	"  reason TEXT NOT NULL DEFAULT '',\n"
	"  updated_ms INTEGER NOT NULL,\n"
	"  PRIMARY KEY(record, target)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX sync_state_by_state ON sync_state(target, state);\n"
	"CREATE TABLE history(\n"
	"  seq INTEGER PRIMARY KEY,\n"
	"  record INTEGER NOT NULL REFERENCES records(rowid) ON DELETE CASCADE,\n"
	"  target TEXT NOT NULL DEFAULT '',  -- '' for record events (ingest)\n"
	"  at_ms INTEGER NOT NULL,\n"
	"  actor TEXT NOT NULL,\n"
	"  from_state TEXT NOT NULL DEFAULT '',\n"
	"  to_state TEXT NOT NULL,\n"
	"  reason TEXT NOT NULL DEFAULT ''\n"
	");\n"
	"CREATE INDEX history_record ON history(record, seq);\n"
	"CREATE TABLE errors(\n"
	"  seq INTEGER PRIMARY KEY,\n"
	"  record INTEGER NOT NULL REFERENCES records(rowid) ON DELETE CASCADE,\n"
	"  target TEXT NOT NULL,\n"
	"  at_ms INTEGER NOT NULL,\n"
	"  message TEXT NOT NULL,\n"
	"  detail TEXT NOT NULL DEFAULT ''   -- the ledger's own words\n"
	");\n"
	"CREATE INDEX errors_record ON errors(record, target);\n"
	"CREATE TABLE links(\n"
	"  target TEXT NOT NULL REFERENCES targets(id) ON DELETE CASCADE,\n"
	"  kind INTEGER NOT NULL,\n"
	"  source_id TEXT NOT NULL,\n"
	"  ledger_type TEXT NOT NULL,        -- 'Invoice', 'Contact', ...\n"
	"  ledger_id TEXT NOT NULL DEFAULT '',\n"
	"  ledger_number TEXT NOT NULL DEFAULT '',\n"
	"  serial INTEGER,                   -- allocated once per record and target\n"
	"  updated_ms INTEGER NOT NULL,\n"
	"  PRIMARY KEY(target, kind, source_id, ledger_type)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE outbox(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  target TEXT NOT NULL REFERENCES targets(id),\n"
	"  record INTEGER REFERENCES records(rowid),\n"
	"  doc_type TEXT NOT NULL,\n"
	"  op TEXT NOT NULL,                 -- 'create', 'update', 'void', ...\n"
	"  body TEXT NOT NULL,               -- ledger-neutral document, final amounts\n"
	"  deps TEXT NOT NULL DEFAULT '',    -- symbolic references it needs posted first\n"
	"  status TEXT NOT NULL DEFAULT 'ready',\n"
	"  request INTEGER REFERENCES requests(id),\n"
	"  created_ms INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX outbox_status ON outbox(target, status, doc_type, id);\n"
	"CREATE INDEX outbox_record ON outbox(record);\n"
	"CREATE TABLE counters(\n"
	"  name TEXT PRIMARY KEY,            -- 'serial:<target>'\n"
	"  value INTEGER NOT NULL\n"
	");\n"
	"CREATE TABLE requests(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  target TEXT NOT NULL REFERENCES targets(id),\n"
	"  idempotency_key TEXT NOT NULL UNIQUE,\n"
	"  doc_type TEXT NOT NULL,\n"
	"  status TEXT NOT NULL DEFAULT 'frozen',\n"
	"  created_ms INTEGER NOT NULL,\n"
	"  sent_ms INTEGER,\n"
	"  done_ms INTEGER,\n"
	"  response TEXT\n"
	");\n",

	/* 1 -> 2: sync_state's state check as a chain of comparisons.  An IN
	 * list in a CHECK builds an ephemeral index on every insert and update
	 * of the row (two per upsert), which was most of the cost of a state
	 * change; the comparisons accept exactly the same values. */
	"CREATE TABLE sync_state_v2(\n"
	"  record INTEGER NOT NULL REFERENCES records(rowid) ON DELETE CASCADE,\n"
	"  target TEXT NOT NULL REFERENCES targets(id) ON DELETE CASCADE,\n"
	"  state TEXT NOT NULL CHECK(state = 'not_imported' OR state = 'queued'\n"
	"                            OR state = 'imported' OR state = 'error'\n"
	"                            OR state = 'changed' OR state = 'skipped'\n"
	"                            OR state = 'waiting' OR state = 'consolidated'),\n"
	"  pending_change INTEGER NOT NULL DEFAULT 0,\n"
	"  reason TEXT NOT NULL DEFAULT '',\n"
	"  updated_ms INTEGER NOT NULL,\n"
	"  PRIMARY KEY(record, target)\n"
	") WITHOUT ROWID;\n"
	"INSERT INTO sync_state_v2 SELECT record, target, state, pending_change, reason,"
	" updated_ms FROM sync_state;\n"
	"DROP TABLE sync_state;\n"
	"ALTER TABLE sync_state_v2 RENAME TO sync_state;\n"
	"CREATE INDEX sync_state_by_state ON sync_state(target, state);\n",

	/* 2 -> 3: locks, one row per lock held (store.h "locks"): one sync
	 * of a target at a time, so two processes never plan and send the
	 * same records.  The holder is named (a random id per process, its
	 * host and pid) so a dead one can be told from a live one, and its
	 * lease ends unless it renews it. */
	"CREATE TABLE locks(\n"
	"  name TEXT PRIMARY KEY,            -- 'sync:<target>'\n"
	"  owner TEXT NOT NULL,              -- random id of the holding process\n"
	"  host TEXT NOT NULL,\n"
	"  pid INTEGER NOT NULL,\n"
	"  acquired_ms INTEGER NOT NULL,\n"
	"  expires_ms INTEGER NOT NULL       -- the lease's end, moved on as the holder works\n"
	");\n",

	/* 3 -> 4: a contact's documents by their reference to it
	 * (store_records_referencing): the planner reads a supplier's other
	 * purchases when a bill's number is at the ledger's limit, to find
	 * one the cut makes the same (docs/states-and-tabs.md "Purchase
	 * orders and bills"); without it each read scanned every reference. */
	"CREATE INDEX record_refs_by_ref ON record_refs(ref_id, field);\n",

	/* 4 -> 5: who may use `booksync serve` (store_auth.h): dashboard
	 * users with their libsodium password hash, API tokens and session
	 * ids kept only as SHA-256 hashes (the secrets themselves are shown
	 * once and never stored), and failed logins per user name for the
	 * lockout (docs/serve.md). */
	"CREATE TABLE users(\n"
	"  name TEXT PRIMARY KEY,\n"
	"  pwhash TEXT NOT NULL,             -- crypto_pwhash_str\n"
	"  created_ms INTEGER NOT NULL\n"
	");\n"
	"CREATE TABLE api_tokens(\n"
	"  name TEXT PRIMARY KEY,\n"
	"  hash BLOB NOT NULL UNIQUE,        -- SHA-256 of the token text\n"
	"  scopes INTEGER NOT NULL,          -- enum api_scope bits\n"
	"  created_ms INTEGER NOT NULL,\n"
	"  used_ms INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE TABLE sessions(\n"
	"  hash BLOB PRIMARY KEY,            -- SHA-256 of the cookie's id\n"
	"  user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,\n"
	"  csrf TEXT NOT NULL,\n"
	"  created_ms INTEGER NOT NULL,\n"
	"  expires_ms INTEGER NOT NULL\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX sessions_by_user ON sessions(user);\n"
	"CREATE TABLE login_failures(\n"
	"  name TEXT NOT NULL,\n"
	"  at_ms INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX login_failures_by_name ON login_failures(name, at_ms);\n",

	/* 5 -> 6: `booksync serve`'s sync jobs (src/api/api_jobs.c), kept so
	 * GET /api/v1/jobs/{id} answers after a restart.  Progress and summary
	 * are columns, not JSON: the metrics read them without parsing. */
	"CREATE TABLE jobs(\n"
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a client's id stays its job\n"
	"  target TEXT NOT NULL,\n"
	"  origin TEXT NOT NULL,             -- 'api', 'dashboard', 'schedule'\n"
	"  request TEXT NOT NULL,            -- JSON, as submitted\n"
	"  state TEXT NOT NULL CHECK(state = 'queued' OR state = 'running'\n"
	"                            OR state = 'done' OR state = 'failed'),\n"
	"  phase TEXT NOT NULL,\n"
	"  posted INTEGER NOT NULL DEFAULT 0,\n"
	"  failed INTEGER NOT NULL DEFAULT 0,\n"
	"  calls INTEGER NOT NULL DEFAULT 0,\n"
	"  total INTEGER NOT NULL DEFAULT 0,\n"
	"  has_summary INTEGER NOT NULL DEFAULT 0,\n"
	"  s_posted INTEGER NOT NULL DEFAULT 0,\n"
	"  s_failed INTEGER NOT NULL DEFAULT 0,\n"
	"  s_skipped INTEGER NOT NULL DEFAULT 0,\n"
	"  s_waiting INTEGER NOT NULL DEFAULT 0,\n"
	"  s_calls INTEGER NOT NULL DEFAULT 0,\n"
	"  rate_limited INTEGER NOT NULL DEFAULT 0, -- 429 answers met (GET /metrics)\n"
	"  message TEXT NOT NULL DEFAULT '',\n"
	"  created_ms INTEGER NOT NULL,\n"
	"  started_ms INTEGER NOT NULL DEFAULT 0,\n"
	"  finished_ms INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE INDEX jobs_by_state ON jobs(state);\n"
	"CREATE INDEX jobs_by_target ON jobs(target, state, id);\n",

	/* 6 -> 7: the listing order (tab, date, kind, id) as an index, so the
	 * REST API's pending and errors lists page by key down it
	 * (store_rows_page): a page costs its own rows, not a sort of every
	 * pending record. */
	"CREATE INDEX records_by_listing ON records(tab, date, kind, id);\n",

	/* 7 -> 8: events for the source system (docs/events.md), written in
	 * the transaction of what they tell (a payment applied, a document
	 * posted) and delivered after, at least once: `id` is what the
	 * receiver drops a repeat by. */
	"CREATE TABLE events(\n"
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT, -- delivery order\n"
	"  id TEXT NOT NULL UNIQUE,             -- evt_ + 32 hex, random\n"
	"  type TEXT NOT NULL,                  -- payment.applied, document.posted, ...\n"
	"  target TEXT NOT NULL DEFAULT '',\n"
	"  data TEXT NOT NULL,                  -- a JSON object\n"
	"  created_ms INTEGER NOT NULL,\n"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK(state = 'pending' OR state = 'delivered'\n"
	"                                            OR state = 'dead'),\n"
	"  attempts INTEGER NOT NULL DEFAULT 0,\n"
	"  next_ms INTEGER NOT NULL,            -- when the next attempt is due\n"
	"  last_error TEXT NOT NULL DEFAULT '',\n"
	"  delivered_ms INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE INDEX events_due ON events(state, next_ms, seq);\n",

	/* 8 -> 9: payments imported from the ledger (docs/inbound.md).  One
	 * row per ledger payment booksync decided about, whatever the decision
	 * (applied, skipped for a person, failed): the primary key is what
	 * stops a payment being applied twice or a failed one retried.  The
	 * high-water mark of each target's reads is a row of inbound_marks,
	 * written in the transaction of the page it follows.  Reverse lookups
	 * of links by ledger id (is it booksync's own payment, whose contact
	 * is it) get their index. */
	"CREATE TABLE inbound_payments(\n"
	"  target TEXT NOT NULL,\n"
	"  ledger_id TEXT NOT NULL,             -- the ledger's payment id\n"
	"  state TEXT NOT NULL CHECK(state = 'applied' OR state = 'skipped'\n"
	"                            OR state = 'failed'),\n"
	"  reason TEXT NOT NULL DEFAULT '',     -- why skipped or failed\n"
	"  contact TEXT NOT NULL DEFAULT '',    -- the ledger's contact id\n"
	"  customer TEXT NOT NULL DEFAULT '',   -- booksync's customer id, '' unknown\n"
	"  invoice TEXT NOT NULL DEFAULT '',    -- the ledger invoice it names or was applied to\n"
	"  sale TEXT NOT NULL DEFAULT '',       -- booksync's sale it was applied to\n"
	"  currency TEXT NOT NULL DEFAULT '',\n"
	"  amount INTEGER NOT NULL,             -- micros\n"
	"  date TEXT NOT NULL DEFAULT '',\n"
	"  updated_ms INTEGER NOT NULL,         -- the ledger's change time\n"
	"  event TEXT NOT NULL DEFAULT '',      -- the payment.applied event's id\n"
	"  decided_ms INTEGER NOT NULL,\n"
	"  PRIMARY KEY(target, ledger_id)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX inbound_by_sale ON inbound_payments(target, sale, state);\n"
	"CREATE INDEX inbound_by_state ON inbound_payments(target, state, decided_ms);\n"
	"CREATE TABLE inbound_marks(\n"
	"  target TEXT PRIMARY KEY,\n"
	"  since_ms INTEGER NOT NULL,           -- read what changed after this\n"
	"  page INTEGER NOT NULL,               -- the next page of the pass from since_ms\n"
	"  updated_ms INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX links_by_ledger ON links(target, ledger_type, ledger_id);\n",

	/* 9 -> 10: contacts read from the ledger (docs/inbound-contacts.md):
	 * one row per ledger contact the import decided on, so a re-run
	 * neither imports nor lists it again. */
	"CREATE TABLE inbound_contacts (\n"
	"  target TEXT NOT NULL,\n"
	"  ledger_id TEXT NOT NULL,\n"
	"  side TEXT NOT NULL CHECK(side IN ('customer', 'supplier', 'both')),\n"
	"  name TEXT NOT NULL,\n"
	"  email TEXT NOT NULL DEFAULT '',\n"
	"  tax_number TEXT NOT NULL DEFAULT '',\n"
	"  status TEXT NOT NULL CHECK(status IN ('imported', 'linked', 'listed', 'created',\n"
	"                                        'dismissed')),\n"
	"  record_kind TEXT NOT NULL DEFAULT '', -- the record made or linked; listed: the candidate\n"
	"  record_id TEXT NOT NULL DEFAULT '',\n"
	"  reason TEXT NOT NULL DEFAULT '',\n"
	"  decided_by TEXT NOT NULL DEFAULT '',  -- 'inbound' (the run) or 'cli' (a person)\n"
	"  created_ms INTEGER NOT NULL,\n"
	"  updated_ms INTEGER NOT NULL,\n"
	"  PRIMARY KEY (target, ledger_id)\n"
	");\n"
	"CREATE INDEX inbound_contacts_status ON inbound_contacts(target, status, ledger_id);\n",

	/* 10 -> 11: the webhook inbox (docs/events.md "Webhooks in"): each
	 * event a ledger sent, kept before the answer so a crash after the
	 * 200 loses nothing; `key` (source + SHA-256 of the event's identity)
	 * is unique, so a replayed or repeated event adds no row and asks for
	 * nothing again.  And the events outbox's retry window: `since_ms` is
	 * when the current round of attempts began (0 = created_ms); a manual
	 * re-delivery starts a new 24-hour round. */
	"CREATE TABLE webhook_inbox(\n"
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	"  source TEXT NOT NULL,                -- 'xero' or 'qbo'\n"
	"  key TEXT NOT NULL UNIQUE,            -- source:hex SHA-256 of the identity\n"
	"  target TEXT NOT NULL,                -- xero:<tenant> or qbo:<realm>\n"
	"  category TEXT NOT NULL,              -- INVOICE, CONTACT, Payment, ...\n"
	"  resource TEXT NOT NULL,              -- the ledger's id of the record\n"
	"  body TEXT NOT NULL,                  -- the event object as sent\n"
	"  received_ms INTEGER NOT NULL\n"
	");\n"
	"ALTER TABLE events ADD COLUMN since_ms INTEGER NOT NULL DEFAULT 0;\n",

	/* 11 -> 12: refused re-imports (docs/consolidation.md "Locking"): the
	 * import refused new content for a member of a posted consolidated
	 * document on `target`; the record keeps what was posted.  One row per
	 * record and target, the latest refusal's words; gone when a version
	 * the lock allows arrives (the posted one again, or a memo change) or
	 * a person dismisses it.  Listed on Errors beside what the ledger
	 * refused. */
	"CREATE TABLE refusals(\n"
	"  record INTEGER NOT NULL REFERENCES records(rowid) ON DELETE CASCADE,\n"
	"  target TEXT NOT NULL REFERENCES targets(id) ON DELETE CASCADE,\n"
	"  at_ms INTEGER NOT NULL,\n"
	"  message TEXT NOT NULL,\n"
	"  PRIMARY KEY(record, target)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX refusals_target ON refusals(target);\n",

	/* 12 -> 13: two more states of an inbound payment: `reversed`, an
	 * applied one the ledger later deletes (docs/inbound.md "Deleted after
	 * it was applied"), and `reconciled`, a skipped or failed one a person
	 * has reconciled by hand ("Reconciled by hand").  The state's CHECK
	 * takes the new words, which SQLite can only do by building the table
	 * again (same columns, same rows, same indexes). */
	"CREATE TABLE inbound_payments_13(\n"
	"  target TEXT NOT NULL,\n"
	"  ledger_id TEXT NOT NULL,\n"
	"  state TEXT NOT NULL CHECK(state IN ('applied', 'skipped', 'failed', 'reversed',\n"
	"                                      'reconciled')),\n"
	"  reason TEXT NOT NULL DEFAULT '',\n"
	"  contact TEXT NOT NULL DEFAULT '',\n"
	"  customer TEXT NOT NULL DEFAULT '',\n"
	"  invoice TEXT NOT NULL DEFAULT '',\n"
	"  sale TEXT NOT NULL DEFAULT '',\n"
	"  currency TEXT NOT NULL DEFAULT '',\n"
	"  amount INTEGER NOT NULL,\n"
	"  date TEXT NOT NULL DEFAULT '',\n"
	"  updated_ms INTEGER NOT NULL,\n"
	"  event TEXT NOT NULL DEFAULT '',      -- the last event's id (applied, then reversed)\n"
	"  decided_ms INTEGER NOT NULL,\n"
	"  PRIMARY KEY(target, ledger_id)\n"
	") WITHOUT ROWID;\n"
	"INSERT INTO inbound_payments_13 SELECT target, ledger_id, state, reason, contact,"
	" customer, invoice, sale, currency, amount, date, updated_ms, event, decided_ms"
	" FROM inbound_payments;\n"
	"DROP TABLE inbound_payments;\n"
	"ALTER TABLE inbound_payments_13 RENAME TO inbound_payments;\n"
	"CREATE INDEX inbound_by_sale ON inbound_payments(target, sale, state);\n"
	"CREATE INDEX inbound_by_state ON inbound_payments(target, state, decided_ms);\n",

	/* 13 -> 14: a sync job a serve hands to the fleet (docs/scale-out.md
	 * "Jobs go to the fleet"): `runner` says who runs it ('' the serve
	 * that was asked, 'fleet' any worker), `worker` which worker took it
	 * last, so a worker's writes stop once another has taken it over. */
	"ALTER TABLE jobs ADD COLUMN runner TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE jobs ADD COLUMN worker TEXT NOT NULL DEFAULT '';\n",

	/* 14 -> 15: what planning wrote beside a document, held by its
	 * outbox row instead (docs/exactly-once.md "Held by the outbox"): the
	 * history row of the record's move to `queued` (its from-state, actor
	 * and reason; its time is the row's created_ms) and the serial of the
	 * document's number, which was a links row.  One row less in each of
	 * two tables (and their indexes) a planned document.  Both are moved
	 * to history and links when the record moves on from `queued`, or
	 * when the row is deleted; until then the history readers show the
	 * held row from the outbox. */
	"ALTER TABLE outbox ADD COLUMN hist_from TEXT;\n"
	"ALTER TABLE outbox ADD COLUMN hist_actor TEXT;\n"
	"ALTER TABLE outbox ADD COLUMN hist_reason TEXT;\n"
	"ALTER TABLE outbox ADD COLUMN serial INTEGER;\n"
	/* and a fleet job's key (sync_job_spec.key: what makes two jobs the
	 * same sync), unique among open jobs: two serves handing the same
	 * sync to the fleet at once make one job, and the second is told
	 * which (docs/scale-out.md "Jobs go to the fleet") */
	"ALTER TABLE jobs ADD COLUMN same TEXT;\n"
	"CREATE UNIQUE INDEX jobs_same_open ON jobs(same)"
	" WHERE state = 'queued' OR state = 'running';\n",
};
/* clang-format on */

const int store_sqlite_migration_count =
    (int)(sizeof(store_sqlite_migrations) / sizeof(store_sqlite_migrations[0]));
