/*
 * contacts.h - importing the ledger's contacts (docs/inbound-contacts.md):
 * `booksync inbound --contacts`.
 *
 * Two halves.  contacts_match is pure: one ledger contact and booksync's
 * customers and suppliers in, a decision out (import it, link it to a
 * record booksync has, or list it as a likely duplicate for a person).
 * contacts_run reads the ledger's contacts through a session and applies
 * each decision in its own store transaction, with its event; the
 * contacts_decide_* functions apply a person's decision on a listed one.
 */
#ifndef BS_INBOUND_CONTACTS_H
#define BS_INBOUND_CONTACTS_H

#include "core/buf.h"
#include "core/error.h"
#include "model/record.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct session;

/* The longest normalised name compared (longer names are cut there). */
#define CONTACTS_NAME_MAX 256

/* A contact as the matcher sees it: a ledger contact, or one of booksync's
 * customers or suppliers.  Strings are borrowed; NULL or "" = absent. */
struct contacts_party {
	const char *id;
	enum record_kind kind; /* RECORD_CUSTOMER or RECORD_SUPPLIER; for a
	                          ledger contact the side it may match (below) */
	bool both;             /* ledger contact only: it serves both sides (Xero) */
	const char *name, *email, *tax_number;
	/* optional, for speed over many contacts: name and tax number already
	 * normalised (contacts_norm_name, contacts_norm_tax); NULL = computed */
	const char *norm_name, *norm_tax;
};

enum contacts_action {
	CONTACTS_NEW,       /* nothing like it: import it */
	CONTACTS_LINK,      /* the same contact: link it, create nothing */
	CONTACTS_DUPLICATE, /* likely the same: list it for a person */
};

enum contacts_why {
	CONTACTS_WHY_NONE,
	CONTACTS_WHY_TAX_NUMBER,   /* link: the same tax number */
	CONTACTS_WHY_EMAIL,        /* link: the same e-mail, one candidate */
	CONTACTS_WHY_NAME,         /* link: the same normalised name, one candidate */
	CONTACTS_WHY_SHARED_TAX,   /* duplicate: several have that tax number */
	CONTACTS_WHY_SHARED_EMAIL, /* duplicate: several have that e-mail */
	CONTACTS_WHY_SHARED_NAME,  /* duplicate: several have that name */
	CONTACTS_WHY_TAX_CONFLICT, /* duplicate: same e-mail or name, other tax number */
	CONTACTS_WHY_NEAR_NAME,    /* duplicate: names one edit apart */
};

struct contacts_decision {
	enum contacts_action action;
	enum contacts_why why;
	size_t candidate; /* index into the parties for LINK and DUPLICATE */
};

/* The reason as text ("same tax number", "near-identical name"). */
const char *contacts_why_text(enum contacts_why why);

/*
 * The normalised form of a name into out[cap] (always terminated):
 * lowercase ASCII, "&" read as "and", every run of other characters but
 * letters and digits one space, leading "the" and trailing company
 * suffixes dropped (ltd, limited, inc, incorporated, llc, plc, co,
 * company, corp, corporation, pty, gmbh, nz, llp, lp, sa, ag, bv),
 * repeatedly ("Acme Pty Ltd" -> "acme").  A name that would become empty
 * keeps its suffix words.  Bytes >= 0x80 are kept as they are.
 */
void contacts_norm_name(const char *name, char *out, size_t cap);

/* A tax number's normalised form into out[cap] (always terminated):
 * spaces, tabs, dashes and dots dropped, ASCII letters uppercased. */
void contacts_norm_tax(const char *tax_number, char *out, size_t cap);

/* Whether two normalised names are near-identical: equal length within
 * one, one edit (insert, delete, substitute, or swap of neighbours) apart,
 * both at least 5 characters, and the edit touches no digit and no space
 * ("Store 1" and "Store 2" differ; "Acme Widgets" and "Acme Widget" do not). */
bool contacts_near_name(const char *a, const char *b);

/*
 * Decide for ledger contact c against booksync's parties v[n] (only those
 * not linked on the target yet; the caller filters).  A party is a
 * candidate when its kind is c's side, or c serves both.  In order: a
 * tax number (spaces, dashes, dots and case ignored) held by one candidate
 * links; by several lists.  Then an e-mail (case ignored), then the
 * normalised name: one candidate links, several list, and one whose tax
 * number differs from c's (both given) lists.  Else a near-identical name
 * lists; else new.  Pure.
 */
void contacts_match(const struct contacts_party *c, const struct contacts_party *v, size_t n,
                    struct contacts_decision *out);

/* --- the import ---------------------------------------------------------- */

struct contacts_stats {
	size_t seen;      /* ledger contacts read */
	size_t known;     /* already linked, or decided before: skipped */
	size_t imported;  /* new records */
	size_t linked;    /* linked to a record booksync had */
	size_t listed;    /* new likely duplicates listed */
	size_t failed;    /* could not be applied (err has the last) */
	uint64_t calls;   /* ledger calls */
	int64_t since_ms; /* the high-water mark read from; 0 = a full read */
};

/* How far before a run's start its high-water mark is set: the ledger's
 * clock may lag ours, and a contact read twice is only skipped. */
#define CONTACTS_SINCE_OVERLAP_MS (INT64_C(5) * 60 * 1000)

/*
 * Read the contacts of the session's target -- those changed since the
 * target's high-water mark (setting `contacts_since:<target>`, Unix ms)
 * when the connector can filter so (ledger_ops.read_contacts_since) and
 * `full` is false, else all -- and apply contacts_match to each one that
 * is neither linked to a record nor decided before (the store's inbound
 * contacts, store_contacts.h): import it as a new customer (supplier for a
 * ledger vendor) whose id is "<ledger>-<ledger id>", linked to the ledger
 * id and posted, so the outbound sync never sends it; link the matching
 * record (posted, no new record); or list it.  Each contact is one
 * transaction with its decision row and, for an import or a link, its
 * EVENTS_CONTACT_IMPORTED event.  When every contact read was applied,
 * the mark moves to now_ms - CONTACTS_SINCE_OVERLAP_MS in the transaction
 * that records the run; after a failure it stays, so the next run reads
 * the failed ones again.  Counts into *st.  Errors: the session's reads
 * (BS_EAUTH, BS_ENET, ...) and the store's; a contact that cannot be
 * applied (an invalid name, an id taken) is counted failed and the run
 * goes on.
 */
int contacts_run(struct session *s, int64_t now_ms, bool full, struct contacts_stats *st,
                 struct bs_error *err);

/*
 * A person's decision on contact ledger_id, listed on target: link it to
 * record kind:record_id (which must be a customer or supplier not linked
 * on target yet), create it anyway, or dismiss it (nothing done, never
 * listed again).  One transaction each, with the event for a link or a
 * create.  BS_ENOTFOUND: no such listed contact or record; BS_ESTATE: it
 * was decided already; BS_ECONFLICT: the record is linked already.
 */
int contacts_decide_link(struct store *st, const char *target, const char *ledger_id,
                         enum record_kind kind, const char *record_id, int64_t now_ms,
                         struct bs_error *err);
int contacts_decide_create(struct store *st, const char *target, const char *ledger_id,
                           int64_t now_ms, struct bs_error *err);
int contacts_decide_dismiss(struct store *st, const char *target, const char *ledger_id,
                            int64_t now_ms, struct bs_error *err);

#endif
