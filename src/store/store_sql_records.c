/*
 * store_sql_records.c - the SQLite store's records and what hangs on
 * them: references, targets, per-target sync state moved through the state
 * machine (model/sync_state.h), and the history rows of every transition.
 */
#include "store/store_sql_int.h"

#include "consolidate/consolidate.h"

#include <stdio.h>
#include <string.h>

/* Run one of the held-row statements on record's rows on target; how many
 * rows it wrote into *n when n is not NULL. */
static int held_run(struct sq_store *s, enum stmt_id id, int64_t record, const char *target,
                    int64_t *n, struct bs_error *err)
{
	struct db_stmt *q = NULL;
	int rc = sq_stmt(s, id, &q, err);

	if (rc != BS_OK)
		return rc;
	db_bind_int64(q, 1, record);
	db_bind_text(q, 2, target);
	if ((rc = sq_done(s, q, err, "settling the outbox's held rows")) == BS_OK && n != NULL)
		*n = db_changes(s->db);
	return rc;
}

int sq_held_settle(struct sq_store *s, int64_t record, const char *target, bool write,
                   struct bs_error *err)
{
	int64_t moved = 0, serials = 0;
	int rc;

	if (!write)
		return held_run(s, Q_HELD_CLEAR, record, target, NULL, err);
	if ((rc = held_run(s, Q_HELD_WRITE, record, target, &moved, err)) != BS_OK ||
	    (rc = held_run(s, Q_HELD_SERIALS, record, target, &serials, err)) != BS_OK)
		return rc;
	if (moved == 0 && serials == 0)
		return BS_OK; /* none held: nothing to clear */
	return held_run(s, Q_HELD_CLEAR_ALL, record, target, NULL, err);
}

static int history_add(struct sq_store *s, int64_t record, const char *target,
                       const struct store_actor *who, const char *from, const char *to,
                       const char *reason, struct bs_error *err)
{
	struct db_stmt *q = NULL;
	int rc;

	/* a move on from queued: the move into it first, if an outbox row
	 * still holds it, so history keeps its order */
	if (target != NULL && *target != '\0' && strcmp(from, sync_state_name(SYNC_QUEUED)) == 0 &&
	    (rc = sq_held_settle(s, record, target, true, err)) != BS_OK)
		return rc;
	if ((rc = sq_stmt(s, Q_HISTORY_ADD, &q, err)) != BS_OK)
		return rc;
	db_bind_int64(q, 1, record);
	db_bind_text(q, 2, target != NULL ? target : "");
	db_bind_int64(q, 3, who->now_ms);
	db_bind_text(q, 4, who->name);
	db_bind_text(q, 5, from);
	db_bind_text(q, 6, to);
	db_bind_text(q, 7, reason != NULL ? reason : "");
	return sq_done(s, q, err, "writing history");
}

static int refs_write(struct sq_store *s, int64_t record, const struct record *r, bool replace,
                      struct bs_error *err)
{
	struct db_stmt *q = NULL;
	int rc;

	if (replace) {
		if ((rc = sq_stmt(s, Q_REFS_DEL, &q, err)) != BS_OK)
			return rc;
		db_bind_int64(q, 1, record);
		if ((rc = sq_done(s, q, err, "writing references")) != BS_OK)
			return rc;
	}
	for (size_t i = 0; i < r->nrefs; i++) {
		if ((rc = sq_stmt(s, Q_REFS_INSERT, &q, err)) != BS_OK)
			return rc;
		db_bind_int64(q, 1, record);
		db_bind_text(q, 2, r->refs[i].field);
		db_bind_int64(q, 3, (int64_t)r->refs[i].kinds);
		db_bind_text(q, 4, r->refs[i].id);
		if ((rc = sq_done(s, q, err, "writing references")) != BS_OK)
			return rc;
	}
	return BS_OK;
}

/* Bind the content columns shared by insert and update, from `first`. */
static void bind_content(struct db_stmt *q, int first, const struct record *r)
{
	db_bind_blob(q, first, r->hash, RECORD_HASH_LEN);
	db_bind_text_copy(q, first + 1, buf_cstr(&r->canonical), (int)r->canonical.len);
	db_bind_text(q, first + 2, r->tab);
	db_bind_text(q, first + 3, r->date);
	db_bind_text(q, first + 4, r->currency);
	db_bind_int64(q, first + 5, r->has_total);
	db_bind_int64(q, first + 6, r->total);
}

/*
 * New content on an existing record: its own history row ("changed",
 * reason `version`), then every target's state moved by
 * SYNC_EV_NEW_VERSION, each with a row of its own.
 */
static int states_new_version(struct sq_store *s, int64_t record, const struct store_actor *who,
                              const char *version, struct bs_error *err)
{
	struct change {
		char target[128];
		enum sync_state from, to;
		bool pending;
	} changes[16];
	size_t n = 0;
	struct db_stmt *q = NULL;
	int rc;

	if ((rc = sq_stmt(s, Q_STATES_OF, &q, err)) != BS_OK)
		return rc;
	db_bind_int64(q, 1, record);
	while ((rc = db_step(q)) == DB_ROW && n < sizeof(changes) / sizeof(changes[0])) {
		struct change *c = &changes[n];
		const char *why = NULL;

		buf_copy(c->target, sizeof(c->target), db_col_text(q, 0));
		if (sync_state_from_name((const char *)db_col_text(q, 1), &c->from) != BS_OK)
			continue;
		if (sync_transition(c->from, db_col_int(q, 2) != 0, SYNC_EV_NEW_VERSION, &c->to,
		                    &c->pending, &why) != BS_OK) {
			/* Consolidated: the ledger document is locked; keep the
			 * state and say so in history. */
			c->to = c->from;
			c->pending = false;
		}
		n++;
	}
	db_reset(q);
	if (rc != DB_DONE && rc != DB_ROW)
		return sq_fail(s, rc, err, "reading sync state");
	/* a move to queued an outbox row still holds came before this version */
	for (size_t i = 0; i < n; i++)
		if (changes[i].from == SYNC_QUEUED &&
		    (rc = sq_held_settle(s, record, changes[i].target, true, err)) != BS_OK)
			return rc;
	if ((rc = history_add(s, record, NULL, who, "", "changed", version, err)) != BS_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const char *reason = changes[i].from == SYNC_CONSOLIDATED
		                         ? "new version arrived; the consolidated document "
		                           "is locked and keeps the old content"
		                         : "new version arrived";
		if ((rc = sq_stmt(s, Q_STATE_SET, &q, err)) != BS_OK)
			return rc;
		db_bind_int64(q, 1, record);
		db_bind_text(q, 2, changes[i].target);
		db_bind_text(q, 3, sync_state_name(changes[i].to));
		db_bind_int64(q, 4, changes[i].pending);
		db_bind_text(q, 5, "");
		db_bind_int64(q, 6, who->now_ms);
		if ((rc = sq_done(s, q, err, "writing sync state")) != BS_OK)
			return rc;
		rc =
		    history_add(s, record, changes[i].target, who, sync_state_name(changes[i].from),
		                sync_state_name(changes[i].to), reason, err);
		if (rc != BS_OK)
			return rc;
	}
	return BS_OK;
}

/* How many targets exist: new records need a state row on each. Cached;
 * target_add forgets it. */
static int count_targets(struct sq_store *s, struct bs_error *err)
{
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, "SELECT count(*) FROM targets", &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "counting targets");
	rc = db_step(q);
	s->ntargets = rc == DB_ROW ? db_col_int(q, 0) : -1;
	db_finalize(q);
	return rc == DB_ROW ? BS_OK : sq_fail(s, rc, err, "counting targets");
}

/* A refusal to keep (store.h "Refused re-imports"): record 0 = none. */
struct refusal {
	int64_t record;
	char target[128];
};

/*
 * New content for a record that is a member of a consolidated document on
 * some target: the document is locked in the ledger, so only a change the
 * lock allows (its memo; docs/consolidation.md "Locking") is taken.
 * BS_ECONFLICT with the reason otherwise, before anything is written, so
 * the import rejects the record; rf then names the record and the target
 * for sq_record_put to keep the refusal.
 */
static int consolidated_change(struct sq_store *s, int64_t rowid, const struct record *r,
                               struct refusal *rf, struct bs_error *err)
{
	struct record_doc old, cur;
	struct bs_error e;
	struct db_stmt *q = NULL;
	char *target = rf->target, name[256] = "";
	bool locked = false;
	int rc;

	if ((rc = sq_stmt(s, Q_STATES_OF, &q, err)) != BS_OK)
		return rc;
	db_bind_int64(q, 1, rowid);
	while (!locked && db_step(q) == DB_ROW) {
		if (strcmp((const char *)db_col_text(q, 1), "consolidated") == 0) {
			locked = true;
			buf_copy(target, sizeof(rf->target), db_col_text(q, 0));
		}
	}
	db_reset(q);
	if (!locked)
		return BS_OK;
	if ((rc = sq_stmt(s, Q_LINK_GET, &q, err)) != BS_OK)
		return rc;
	db_bind_text(q, 1, target);
	db_bind_int64(q, 2, (int)r->kind);
	db_bind_text(q, 3, r->id);
	db_bind_text(q, 4, "Consolidation");
	if (db_step(q) == DB_ROW && db_col_text(q, 1) != NULL)
		buf_copy(name, sizeof(name), db_col_text(q, 1));
	db_reset(q);
	if ((rc = sq_stmt(s, Q_REC_GET, &q, err)) != BS_OK)
		return rc;
	db_bind_int64(q, 1, (int)r->kind);
	db_bind_text(q, 2, r->id);
	record_doc_init(&old);
	record_doc_init(&cur);
	/* both read with the same context; a record that does not parse back
	 * counts as changed */
	if (db_step(q) == DB_ROW &&
	    record_doc_parse((const char *)db_col_text(q, 7), (size_t)db_col_bytes(q, 7),
	                     &(struct record_ctx){NULL}, &old, &e) == BS_OK &&
	    record_doc_parse(buf_cstr(&r->canonical), r->canonical.len, &(struct record_ctx){NULL},
	                     &cur, &e) == BS_OK)
		rc = cons_lock_check(&old, &cur, name[0] != '\0' ? name : "(consolidated)", err);
	else
		rc = bs_error_set(err, BS_ECONFLICT,
		                  "%s %s is in consolidated document %s, already posted: it can't "
		                  "change (only its memo, and new payments, are accepted)",
		                  record_kind_name(r->kind), r->id, name);
	db_reset(q);
	record_doc_release(&old);
	record_doc_release(&cur);
	if (rc == BS_ESTATE && err != NULL)
		err->code = BS_ECONFLICT; /* the import's "rejected, nothing written" */
	if (rc == BS_ESTATE || rc == BS_ECONFLICT) {
		rf->record = rowid;
		rc = BS_ECONFLICT;
	}
	return rc;
}

static int record_put_locked(struct sq_store *s, const struct record *r,
                             const struct store_actor *who, enum store_put_result *result,
                             struct refusal *rf, struct bs_error *err)
{
	struct db_stmt *q = NULL;
	int64_t rowid, old_version;
	bool same;
	char reason[64];
	int rc;

	/*
	 * Insert first: in a bulk import almost every record is new, and the
	 * unique key then answers "is it there?" in the same B-tree descent.
	 */
	if (s->readonly)
		goto existing; /* re-reading what is there needs no write */
	if ((rc = sq_stmt(s, Q_REC_INSERT, &q, err)) != BS_OK)
		return rc;
	db_bind_int64(q, 1, (int)r->kind);
	db_bind_text(q, 2, r->id);
	db_bind_int64(q, 3, r->version);
	bind_content(q, 4, r);
	db_bind_int64(q, 11, who->now_ms);
	if ((rc = sq_done(s, q, err, "storing a record")) != BS_OK)
		return rc;
	if (db_changes(s->db) == 1) {
		rowid = db_last_insert_id(s->db);
		if ((rc = refs_write(s, rowid, r, false, err)) != BS_OK)
			return rc;
		if (s->ntargets < 0 && (rc = count_targets(s, err)) != BS_OK)
			return rc;
		if (s->ntargets > 0) {
			if ((rc = sq_stmt(s, Q_STATE_INSERT_NEW, &q, err)) != BS_OK)
				return rc;
			db_bind_int64(q, 1, rowid);
			db_bind_int64(q, 2, who->now_ms);
			if ((rc = sq_done(s, q, err, "writing sync state")) != BS_OK)
				return rc;
		}
		/*
		 * A first arrival is no transition: the row's created_ms says when,
		 * and the history command shows it from there.  Writing a history
		 * row for it too cost a sixth of a million-record import.
		 */
		*result = STORE_PUT_NEW;
		return BS_OK;
	}
existing:
	if ((rc = sq_stmt(s, Q_REC_FIND, &q, err)) != BS_OK)
		return rc;
	db_bind_int64(q, 1, (int)r->kind);
	db_bind_text(q, 2, r->id);
	rc = db_step(q);
	if (rc != DB_ROW) {
		db_reset(q);
		/* not there on a read-only store: the write it needs is refused */
		return sq_fail(s, rc == DB_DONE ? DB_READONLY : rc, err, "storing a record");
	}
	rowid = db_col_int64(q, 0);
	old_version = db_col_int64(q, 1);
	same = db_col_bytes(q, 2) == RECORD_HASH_LEN &&
	       memcmp(db_col_blob(q, 2), r->hash, RECORD_HASH_LEN) == 0;
	db_reset(q);

	if (r->version != 0 && old_version != 0) {
		if (r->version < old_version) {
			*result = STORE_PUT_STALE;
			return BS_OK;
		}
		if (r->version == old_version && !same)
			return bs_error_set(err, BS_ECONFLICT,
			                    "%s %s: version %lld is already stored with other "
			                    "content; send a higher version",
			                    record_kind_name(r->kind), r->id,
			                    (long long)r->version);
	}
	if (same) {
		*result = STORE_PUT_UNCHANGED;
		/* the posted content again: whatever was refused is withdrawn */
		if ((rc = sq_refusals_clear(s, rowid, err)) != BS_OK)
			return rc;
		if (r->version == old_version)
			return BS_OK;
		if ((rc = sq_stmt(s, Q_REC_VERSION, &q, err)) != BS_OK)
			return rc;
		db_bind_int64(q, 1, rowid);
		db_bind_int64(q, 2, r->version);
		db_bind_int64(q, 3, who->now_ms);
		return sq_done(s, q, err, "storing a record");
	}
	if ((rc = consolidated_change(s, rowid, r, rf, err)) != BS_OK)
		return rc;
	if ((rc = sq_refusals_clear(s, rowid, err)) != BS_OK)
		return rc;
	if ((rc = sq_stmt(s, Q_REC_UPDATE, &q, err)) != BS_OK)
		return rc;
	db_bind_int64(q, 1, rowid);
	db_bind_int64(q, 2, r->version);
	bind_content(q, 3, r);
	db_bind_int64(q, 10, who->now_ms);
	if ((rc = sq_done(s, q, err, "storing a record")) != BS_OK)
		return rc;
	if ((rc = refs_write(s, rowid, r, true, err)) != BS_OK)
		return rc;
	*result = STORE_PUT_CHANGED;
	snprintf(reason, sizeof(reason), "version %lld", (long long)r->version);
	return states_new_version(s, rowid, who, r->version ? reason : "", err);
}

int sq_record_put(struct store *st, const struct record *r, const struct store_actor *who,
                  enum store_put_result *result, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct refusal rf = {0, ""};
	int rc;

	if ((rc = tx_enter(s, err)) != BS_OK)
		return rc;
	rc = record_put_locked(s, r, who, result, &rf, err);
	rc = tx_leave(s, rc, err);
	if (rc == BS_ECONFLICT && rf.record != 0) {
		struct bs_error e;
		int k = sq_refusal_put(s, rf.record, rf.target, err != NULL ? err->msg : "refused",
		                       who->now_ms, &e);

		if (k != BS_OK) { /* not kept for Errors: a failure, not a rejection */
			if (err != NULL)
				*err = e;
			rc = k;
		}
	}
	return rc;
}

/* Keep record rowid's sync_state row on target as this transaction sees it
 * now (struct sq_seen); a target too long to keep is simply not kept. */
static void seen_note(struct sq_store *s, int64_t rowid, const char *target, enum sync_state state,
                      bool pending, bool row)
{
	size_t n = strlen(target);

	s->seen.valid = s->tx_depth > 0 && n < sizeof(s->seen.target);
	if (!s->seen.valid)
		return;
	s->seen.rowid = rowid;
	s->seen.state = state;
	s->seen.pending = pending;
	s->seen.row = row;
	memcpy(s->seen.target, target, n + 1);
}

/* The statement of a record read: by rowid only when x has one. */
static int record_stmt(struct sq_store *s, enum record_kind kind, const char *id,
                       const char *target, const struct store_record_extra *x, bool by_row,
                       struct db_stmt **q, struct bs_error *err)
{
	int rc = sq_stmt(s,
	                 x != NULL        ? (by_row ? Q_REC_GET_EXTRA_ROW : Q_REC_GET_EXTRA)
	                 : target != NULL ? Q_REC_GET_ON
	                                  : Q_REC_GET,
	                 q, err);

	if (rc != BS_OK)
		return rc;
	db_bind_int64(*q, 1, (int)kind);
	db_bind_text(*q, 2, id);
	if (target != NULL)
		db_bind_text(*q, 3, target);
	if (x != NULL)
		db_bind_text(*q, 4, x->link_type); /* NULL: no link matches */
	if (by_row)
		db_bind_int64(*q, 5, x->rowid);
	return BS_OK;
}

int sq_record_get(struct store *st, enum record_kind kind, const char *id, const char *target,
                  enum sync_state *state, struct store_record_info *info, struct buf *body,
                  struct store_record_extra *x, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	bool by_row = x != NULL && x->rowid > 0;
	int rc = record_stmt(s, kind, id, target, x, by_row, &q, err);

	if (rc != BS_OK)
		return rc;
	rc = db_step(q);
	if (rc == DB_DONE && by_row) {
		/* the hint's row is no longer kind:id (deleted since the page,
		 * its rowid taken): look kind:id up */
		db_reset(q);
		if ((rc = record_stmt(s, kind, id, target, x, false, &q, err)) != BS_OK)
			return rc;
		rc = db_step(q);
	}
	if (rc != DB_ROW) {
		db_reset(q);
		if (rc == DB_DONE)
			return bs_error_set(err, BS_ENOTFOUND, "no record %s:%s",
			                    record_kind_name(kind), id);
		return sq_fail(s, rc, err, "reading a record");
	}
	if (info != NULL) {
		memset(info, 0, sizeof(*info));
		info->rowid = db_col_int64(q, 0);
		info->kind = kind;
		buf_copy(info->id, sizeof(info->id), id);
		info->version = db_col_int64(q, 1);
		sq_col_copy(q, 2, info->tab, sizeof(info->tab));
		sq_col_copy(q, 3, info->date, sizeof(info->date));
		sq_col_copy(q, 4, info->currency, sizeof(info->currency));
		info->has_total = db_col_int(q, 5) != 0;
		info->total = db_col_int64(q, 6);
	}
	if (target != NULL) {
		enum sync_state st_on;

		if (sync_state_from_name((const char *)db_col_text(q, 8), &st_on) != BS_OK)
			st_on = SYNC_NOT_IMPORTED;
		if (state != NULL)
			*state = st_on;
		/* inside a transaction, the row stays as read until a writer of
		 * sync_state runs (struct sq_seen) */
		seen_note(s, db_col_int64(q, 0), target, st_on, db_col_int(q, 9) != 0,
		          db_col_int(q, 10) != 0);
	}
	if (x != NULL) {
		x->linked = x->link_type != NULL && db_col_int(q, 11) != 0;
		memset(&x->link, 0, sizeof(x->link));
		if (x->linked) {
			buf_copy(x->link.ledger_id, sizeof(x->link.ledger_id), db_col_text(q, 12));
			buf_copy(x->link.number, sizeof(x->link.number), db_col_text(q, 13));
			x->link.serial = db_col_int64(q, 14);
		}
	}
	rc = BS_OK;
	if (body != NULL) {
		buf_reset(body);
		rc = buf_add(body, db_col_text(q, 7), (size_t)db_col_bytes(q, 7));
	}
	db_reset(q);
	return rc;
}

int sq_record_kinds_of(struct store *st, const char *id, unsigned *kinds, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = sq_stmt(s, Q_REC_KINDS, &q, err);

	if (rc != BS_OK)
		return rc;
	*kinds = 0;
	db_bind_text(q, 1, id);
	while ((rc = db_step(q)) == DB_ROW) {
		int k = db_col_int(q, 0);

		if (k >= 0 && k < RECORD_KIND_COUNT)
			*kinds |= 1u << k;
	}
	db_reset(q);
	return rc == DB_DONE ? BS_OK : sq_fail(s, rc, err, "looking up a record");
}

int sq_record_count(struct store *st, int64_t *count, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = sq_stmt(s, Q_REC_COUNT, &q, err);

	if (rc != BS_OK)
		return rc;
	rc = db_step(q);
	*count = rc == DB_ROW ? db_col_int64(q, 0) : 0;
	db_reset(q);
	return rc == DB_ROW ? BS_OK : sq_fail(s, rc, err, "counting records");
}

int sq_records_each(struct store *st, enum record_kind kind, store_record_cb cb, void *arg,
                    struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, "SELECT id, body FROM records WHERE kind = ?1 ORDER BY id", &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "listing records");
	db_bind_int64(q, 1, (int)kind);
	rc = sq_rows_pairs(s, q, cb, arg, err, "listing records");
	db_finalize(q);
	return rc;
}

int sq_records_referencing(struct store *st, enum record_kind kind, const char *field,
                           const char *ref_id, store_record_cb cb, void *arg, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db,
	                    "SELECT r.id, r.body FROM record_refs rr"
	                    " JOIN records r ON r.rowid = rr.record"
	                    " WHERE rr.field = ?1 AND rr.ref_id = ?2 AND r.kind = ?3"
	                    " ORDER BY r.id",
	                    &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "listing records");
	db_bind_text(q, 1, field);
	db_bind_text(q, 2, ref_id);
	db_bind_int64(q, 3, (int)kind);
	rc = sq_rows_pairs(s, q, cb, arg, err, "listing records");
	db_finalize(q);
	return rc;
}

int sq_target_add(struct store *st, const char *target, const char *name,
                  const struct store_actor *who, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = tx_enter(s, err);

	if (rc != BS_OK)
		return rc;
	s->ntargets = -1;
	if ((rc = sq_stmt(s, Q_TARGET_INSERT, &q, err)) != BS_OK)
		goto out;
	db_bind_text(q, 1, target);
	db_bind_text(q, 2, name != NULL ? name : "");
	db_bind_int64(q, 3, who->now_ms);
	if ((rc = sq_done(s, q, err, "adding a target")) != BS_OK)
		goto out;
	if ((rc = sq_stmt(s, Q_TARGET_FILL, &q, err)) != BS_OK)
		goto out;
	db_bind_text(q, 1, target);
	db_bind_int64(q, 2, who->now_ms);
	rc = sq_done(s, q, err, "adding a target");
out:
	return tx_leave(s, rc, err);
}

int sq_targets_each(struct store *st, store_target_cb cb, void *arg, struct bs_error *err)
{
	return sq_walk_pairs(sq(st), Q_TARGETS_ALL, cb, arg, err, "listing targets");
}

/* kind:id's rowid; only that column: not the body, not the others. */
static int record_rowid(struct sq_store *s, enum record_kind kind, const char *id, int64_t *rowid,
                        struct bs_error *err)
{
	struct db_stmt *q = NULL;
	int rc = sq_stmt(s, Q_REC_ROWID, &q, err);

	if (rc != BS_OK)
		return rc;
	db_bind_int64(q, 1, (int)kind);
	db_bind_text(q, 2, id);
	rc = db_step(q);
	if (rc == DB_ROW)
		*rowid = db_col_int64(q, 0);
	db_reset(q);
	if (rc != DB_ROW)
		return rc == DB_DONE ? bs_error_set(err, BS_ENOTFOUND, "no record %s:%s",
		                                    record_kind_name(kind), id)
		                     : sq_fail(s, rc, err, "reading a record");
	return BS_OK;
}

/* rowid: kind:id's when the caller knows it, else 0 (found here). */
static int state_apply_locked(struct sq_store *s, enum record_kind kind, const char *id,
                              int64_t rowid, const char *target, enum sync_event ev,
                              const char *reason, const struct store_actor *who,
                              enum sync_state *new_state, struct bs_error *err)
{
	enum sync_state from = SYNC_NOT_IMPORTED, to;
	bool pending = false, pending_out, has_row = false, held;
	const char *why = NULL;
	struct db_stmt *q = NULL;
	int rc;

	if (rowid <= 0 && (rc = record_rowid(s, kind, id, &rowid, err)) != BS_OK)
		return rc;
	held = s->held.valid && s->held.rowid == rowid && strcmp(s->held.target, target) == 0;
	if (s->seen.valid && s->seen.rowid == rowid && strcmp(s->seen.target, target) == 0) {
		from = s->seen.state; /* read or written in this transaction */
		pending = s->seen.pending;
		has_row = s->seen.row;
	} else {
		if ((rc = sq_stmt(s, Q_STATE_GET, &q, err)) != BS_OK)
			return rc;
		db_bind_int64(q, 1, rowid);
		db_bind_text(q, 2, target);
		rc = db_step(q);
		if (rc == DB_ROW) {
			if (sync_state_from_name((const char *)db_col_text(q, 0), &from) != BS_OK)
				from = SYNC_NOT_IMPORTED;
			pending = db_col_int(q, 1) != 0;
			has_row = true;
		} else if (rc != DB_DONE) {
			db_reset(q);
			return sq_fail(s, rc, err, "reading sync state");
		}
		db_reset(q);
	}
	rc = sync_transition(from, pending, ev, &to, &pending_out, &why);
	if (rc == BS_ESTATE)
		return bs_error_set(err, rc, "%s %s: cannot %s: %s", record_kind_name(kind), id,
		                    ev == SYNC_EV_RESET ? "reset" : sync_event_name(ev), why);
	if (rc != BS_OK)
		return bs_error_set(err, rc, "%s %s: bad transition", record_kind_name(kind), id);
	/* an existing row is updated in place: the upsert would try an insert first */
	if ((rc = sq_stmt(s, has_row ? Q_STATE_UPDATE : Q_STATE_SET, &q, err)) != BS_OK)
		return rc;
	db_bind_int64(q, 1, rowid);
	db_bind_text(q, 2, target);
	db_bind_text(q, 3, sync_state_name(to));
	db_bind_int64(q, 4, pending_out);
	db_bind_text(q, 5, reason != NULL ? reason : "");
	db_bind_int64(q, 6, who->now_ms);
	if ((rc = sq_done(s, q, err, "writing sync state")) != BS_OK)
		return rc;
	/* the row as now written, for the record's next transition here */
	seen_note(s, rowid, target, to, pending_out, true);
	if (ev == SYNC_EV_FAILED && reason != NULL) {
		if ((rc = sq_stmt(s, Q_ERROR_ADD, &q, err)) != BS_OK)
			return rc;
		db_bind_int64(q, 1, rowid);
		db_bind_text(q, 2, target);
		db_bind_int64(q, 3, who->now_ms);
		db_bind_text(q, 4, reason);
		if ((rc = sq_done(s, q, err, "writing an error")) != BS_OK)
			return rc;
	}
	if (held) {
		s->held.valid = false; /* one move per offer */
		/* the outbox row written for this move holds its history row */
		if (to == SYNC_QUEUED && from == s->held.from)
			goto done;
		/* another move: it writes its own row, and the offer goes */
		if ((rc = sq_held_settle(s, rowid, target, false, err)) != BS_OK)
			return rc;
	}
	rc = history_add(s, rowid, target, who, sync_state_name(from), sync_state_name(to),
	                 reason != NULL ? reason : sync_event_name(ev), err);
done:
	if (rc == BS_OK && new_state != NULL)
		*new_state = to;
	return rc;
}

int sq_state_apply(struct store *st, enum record_kind kind, const char *id, int64_t rowid,
                   const char *target, enum sync_event ev, const char *reason,
                   const struct store_actor *who, enum sync_state *new_state, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	int rc = tx_enter(s, err);

	if (rc != BS_OK)
		return rc;
	rc = state_apply_locked(s, kind, id, rowid, target, ev, reason, who, new_state, err);
	return tx_leave(s, rc, err);
}

int sq_state_get(struct store *st, enum record_kind kind, const char *id, const char *target,
                 enum sync_state *state, struct buf *reason, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = sq_stmt(s, Q_STATE_OF, &q, err);

	if (rc != BS_OK)
		return rc;
	db_bind_int64(q, 1, (int)kind);
	db_bind_text(q, 2, id);
	db_bind_text(q, 3, target);
	rc = db_step(q);
	if (rc == DB_ROW) {
		if (sync_state_from_name((const char *)db_col_text(q, 0), state) != BS_OK)
			*state = SYNC_NOT_IMPORTED;
		rc = BS_OK;
		if (reason != NULL) {
			buf_reset(reason);
			rc = buf_addstr(reason, (const char *)db_col_text(q, 1));
		}
		db_reset(q);
		return rc;
	}
	db_reset(q);
	if (rc == DB_DONE)
		return BS_ENOTFOUND;
	return sq_fail(s, rc, err, "reading sync state");
}
