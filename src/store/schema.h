/*
 * schema.h - the numbered migrations of the SQLite store.
 *
 * migration[i] takes a store from schema version i to i + 1 (PRAGMA
 * user_version).  Never edit a released migration: append a new one and
 * raise STORE_SCHEMA_VERSION.  Internal to the sqlite backend.
 */
#ifndef BS_STORE_SCHEMA_H
#define BS_STORE_SCHEMA_H

/*
 * PRAGMA application_id of a booksync store ("bksy"): what tells it from
 * another program's SQLite file.  Set when a store is created, and on the
 * first writable open of one made before booksync set it.
 */
#define STORE_SQLITE_APPLICATION_ID 0x626b7379

extern const char *const store_sqlite_migrations[];
extern const int store_sqlite_migration_count;

#endif
