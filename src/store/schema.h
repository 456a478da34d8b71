/*
 * schema.h - the numbered migrations of the SQLite store.
 *
 * migration[i] takes a store from schema version i to i + 1 (PRAGMA
 * user_version).  Never edit a released migration: append a new one and
 * raise STORE_SCHEMA_VERSION.  Internal to the sqlite backend.
 */
#ifndef BS_STORE_SCHEMA_H
#define BS_STORE_SCHEMA_H

extern const char *const store_sqlite_migrations[];
extern const int store_sqlite_migration_count;

#endif
