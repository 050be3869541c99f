/* The schema, its migrations, and the checks that come before any write: a file is written only
 * once it is known to be a pccart database of a version this build reads (or an empty file).
 * Every statement's SQL is here too, beside the tables it must match. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/internal.h"

/* PRAGMA application_id: marks the file as pccart's ("pcca"), so that a database of another
 * program is told apart from ours even when both use user_version. */
#define STATE_APPLICATION_ID 0x70636361

/* migrations[i] takes the schema from version i to i + 1. Append only: a released migration is
 * never edited, since files in the field already ran it. */
static const char *const migrations[] = {
    /* 1: the initial schema. */
    /* The journal and the history are the same rows: one per intent (profile + request id). */
    "CREATE TABLE submissions ("
    "  id INTEGER PRIMARY KEY,"
    "  profile TEXT NOT NULL,"
    "  operation TEXT NOT NULL CHECK (operation IN ('create', 'update', 'checkout')),"
    "  customer_id TEXT NOT NULL,"
    "  customer_name TEXT,"
    "  cart_id TEXT,"
    "  request_id TEXT NOT NULL,"
    "  body_hash TEXT NOT NULL,"
    "  body TEXT,"
    "  customer_user_upn TEXT,"
    "  created_ms INTEGER NOT NULL,"
    "  updated_ms INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('pending', 'unknown', 'done', 'refused')),"
    "  http_status INTEGER NOT NULL DEFAULT 0,"
    "  error_code INTEGER NOT NULL DEFAULT 0,"
    "  error TEXT,"
    "  result TEXT,"
    "  resolution TEXT,"
    "  UNIQUE (profile, request_id)"
    ");"
    /* The history, newest first: of every profile, of a profile, of a customer. */
    "CREATE INDEX submissions_created ON submissions (created_ms);"
    "CREATE INDEX submissions_profile ON submissions (profile, created_ms);"
    "CREATE INDEX submissions_customer ON submissions (profile, customer_id, created_ms);"
    /* The journal: the few unresolved rows of a profile, however long the history grows. */
    "CREATE INDEX submissions_unresolved ON submissions (profile, created_ms)"
    "  WHERE state IN ('pending', 'unknown');"
    "CREATE TABLE autosave ("
    "  profile TEXT PRIMARY KEY,"
    "  customer_id TEXT,"
    "  customer_name TEXT,"
    "  cart_id TEXT,"
    "  base_version TEXT,"
    "  cart_json TEXT NOT NULL,"
    "  dirty INTEGER NOT NULL,"
    "  line_count INTEGER NOT NULL,"
    "  saved_ms INTEGER NOT NULL"
    ");"
    "CREATE TABLE recent_carts ("
    "  profile TEXT NOT NULL,"
    "  customer_id TEXT NOT NULL,"
    "  cart_id TEXT NOT NULL,"
    "  status TEXT,"
    "  line_count INTEGER NOT NULL,"
    "  seen_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (profile, customer_id, cart_id)"
    ");"
    "CREATE INDEX recent_carts_seen ON recent_carts (profile, customer_id, seen_ms);",
    /* 2: who is sending an intent (process id and start time): another process's
     * reconciliation leaves alone what a live pccart is still sending. */
    "ALTER TABLE submissions ADD COLUMN owner_pid INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE submissions ADD COLUMN owner_start INTEGER NOT NULL DEFAULT 0;",
};

_Static_assert(sizeof migrations / sizeof migrations[0] == STATE_SCHEMA_VERSION,
               "one migration per schema version");

#define UNRESOLVED "state IN ('pending', 'unknown')" /* the partial index's WHERE, verbatim */

static const char *const statements[STMT_COUNT] = {
    [STMT_BEGIN] = "BEGIN IMMEDIATE",
    [STMT_COMMIT] = "COMMIT",
    [STMT_ROLLBACK] = "ROLLBACK",
    [STMT_SUBMISSION_BY_REQUEST] =
        "SELECT id, operation, customer_id, cart_id, body_hash, created_ms, attempts, state"
        " FROM submissions WHERE profile = ?1 AND request_id = ?2",
    [STMT_SUBMISSION_INSERT] =
        "INSERT INTO submissions (profile, operation, customer_id, customer_name, cart_id,"
        " request_id, body_hash, body, customer_user_upn, created_ms, updated_ms, attempts, state,"
        " owner_pid, owner_start)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, 1, 'pending', ?11, ?12)",
    /* The same intent again: the outcome of the last run no longer holds. */
    [STMT_SUBMISSION_REPEAT] =
        "UPDATE submissions SET attempts = ?2, state = 'pending', updated_ms = ?3,"
        " customer_name = coalesce(?4, customer_name), cart_id = coalesce(?5, cart_id),"
        " customer_user_upn = coalesce(?6, customer_user_upn), http_status = 0, error_code = 0,"
        " error = NULL, result = NULL, resolution = NULL, owner_pid = ?7, owner_start = ?8"
        " WHERE id = ?1",
    [STMT_SUBMISSION_FINISH] =
        "UPDATE submissions SET state = ?2, http_status = ?3, error_code = ?4,"
        " cart_id = coalesce(?5, cart_id), error = ?6, result = ?7, resolution = ?8,"
        " updated_ms = ?9 WHERE id = ?1",
    [STMT_SUBMISSIONS_UNRESOLVED] =
        "SELECT " STATE_SUBMISSION_COLUMNS " FROM submissions WHERE profile = ?1 AND " UNRESOLVED
        " ORDER BY created_ms, id",
    [STMT_SUBMISSION_LIKE_CREATE] =
        "SELECT " STATE_SUBMISSION_COLUMNS " FROM submissions WHERE profile = ?1 AND " UNRESOLVED
        " AND operation = ?2 AND customer_id = ?3 AND body_hash = ?4 AND id != ?5"
        " ORDER BY created_ms DESC, id DESC LIMIT 1",
    [STMT_SUBMISSION_LIKE_CART] =
        "SELECT " STATE_SUBMISSION_COLUMNS " FROM submissions WHERE profile = ?1 AND " UNRESOLVED
        " AND operation = ?2 AND customer_id = ?3 AND cart_id = ?4 AND id != ?5 AND body_hash = ?6"
        " ORDER BY created_ms DESC, id DESC LIMIT 1",
    [STMT_AUTOSAVE_PUT] =
        "INSERT OR REPLACE INTO autosave (profile, customer_id, customer_name, cart_id,"
        " base_version, cart_json, dirty, line_count, saved_ms)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [STMT_AUTOSAVE_GET] =
        "SELECT profile, customer_id, customer_name, cart_id, base_version,"
        " cart_json, dirty, line_count, saved_ms FROM autosave WHERE profile = ?1",
    [STMT_AUTOSAVE_LIST] = "SELECT profile, customer_id, customer_name, cart_id, base_version,"
                           " cart_json, dirty, line_count, saved_ms FROM autosave"
                           " ORDER BY saved_ms DESC, profile",
    [STMT_AUTOSAVE_DROP] = "DELETE FROM autosave WHERE profile = ?1",
    [STMT_RECENT_PUT] =
        "INSERT INTO recent_carts (profile, customer_id, cart_id, status, line_count, seen_ms)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (profile, customer_id, cart_id) DO UPDATE"
        " SET status = excluded.status, line_count = excluded.line_count,"
        " seen_ms = excluded.seen_ms",
    /* cart_id breaks ties so that carts seen in the same millisecond keep one order. */
    [STMT_RECENT_LIST] = "SELECT cart_id, status, line_count, seen_ms FROM recent_carts"
                         " WHERE profile = ?1 AND customer_id = ?2"
                         " ORDER BY seen_ms DESC, cart_id LIMIT ?3",
};

/* The single integer a query returns (a PRAGMA, a count); the SQLite result code. */
static int query_int(sqlite3 *db, const char *sql, int64_t *out) {
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      *out = sqlite3_column_int64(stmt, 0);
      rc = SQLITE_OK;
    }
  }
  sqlite3_finalize(stmt);
  return rc;
}

static bool refuse_foreign(const char *path, char *err, size_t err_size) {
  return state_err(err, err_size,
                   "%s is not a pccart state database (it holds another program's data): move it "
                   "away (e.g. mv %s %s.other) or choose another state file, and pccart starts a "
                   "new one; until then recovery and history are off.",
                   path, path, path);
}

static bool refuse_newer(const char *path, int64_t version, char *err, size_t err_size) {
  return state_err(err, err_size,
                   "%s was written by a newer pccart (schema %lld, this one reads up to %d); "
                   "upgrade pccart or move the file away (e.g. mv %s %s.new) and pccart starts a "
                   "new one; until then recovery and history are off.",
                   path, (long long)version, STATE_SCHEMA_VERSION, path, path);
}

/* What the file is, read without writing a byte: its version in *version. */
static bool check_file(StateStore *store, int64_t *version, char *err, size_t err_size) {
  /* One statement, so one snapshot: read piecemeal, the version could come from before another
   * process's migration and the tables from after it. The first read also parses the header:
   * a file that is not a database fails here. */
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2(store->db,
                              "SELECT (SELECT user_version FROM pragma_user_version),"
                              " (SELECT application_id FROM pragma_application_id),"
                              " (SELECT count(*) FROM sqlite_master)",
                              -1, &stmt, NULL);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(stmt);
  }
  int64_t application_id = 0, objects = 0;
  if (rc == SQLITE_ROW) {
    *version = sqlite3_column_int64(stmt, 0);
    application_id = sqlite3_column_int64(stmt, 1);
    objects = sqlite3_column_int64(stmt, 2);
    rc = SQLITE_OK;
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_OK) {
    return state_fail(store, rc, err, err_size);
  }
  if (*version < 0) { /* user_version is signed; pccart never writes a negative one */
    return state_err_damaged(store->path, err, err_size);
  }
  if (application_id != 0 && application_id != STATE_APPLICATION_ID) {
    return refuse_foreign(store->path, err, err_size);
  }
  if (*version > STATE_SCHEMA_VERSION) {
    return refuse_newer(store->path, *version, err, err_size);
  }
  /* Version 0 is an empty file, to be made ours; anything in it belongs to someone else. A
   * file of ours of any version carries our application id. */
  if (*version == 0 ? objects != 0 : application_id != STATE_APPLICATION_ID) {
    return refuse_foreign(store->path, err, err_size);
  }
  return true;
}

/* Prepares every statement: on a file of the current version this also checks, still without
 * writing, that its tables and columns are the ones this build expects. */
static bool prepare_all(StateStore *store, char *err, size_t err_size) {
  for (size_t i = 0; i < STMT_COUNT; i++) {
    int rc = sqlite3_prepare_v3(store->db, statements[i], -1, SQLITE_PREPARE_PERSISTENT,
                                &store->stmts[i], NULL);
    if (rc == SQLITE_ERROR) { /* no such table or column: a file of ours, damaged by hand */
      return state_err_damaged(store->path, err, err_size);
    }
    if (rc != SQLITE_OK) {
      return state_fail(store, rc, err, err_size);
    }
  }
  return true;
}

/* Runs the migrations the file lacks, all in one transaction: a file is at one version or the
 * next, never in between. Another process may be migrating the same file: the version is read
 * again once the write lock is held. */
static bool migrate(StateStore *store, char *err, size_t err_size) {
  sqlite3 *db = store->db;
  int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    return state_fail(store, rc, err, err_size);
  }
  int64_t version = 0;
  bool ok = check_file(store, &version, err, err_size);
  for (int64_t v = version; ok && v < STATE_SCHEMA_VERSION; v++) {
    rc = sqlite3_exec(db, migrations[v], NULL, NULL, NULL);
    ok = rc == SQLITE_OK || state_fail(store, rc, err, err_size);
  }
  if (ok && version < STATE_SCHEMA_VERSION) {
    char sql[128];
    snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d",
             STATE_APPLICATION_ID, STATE_SCHEMA_VERSION);
    rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    ok = rc == SQLITE_OK || state_fail(store, rc, err, err_size);
  }
  if (ok) {
    rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    ok = rc == SQLITE_OK || state_fail(store, rc, err, err_size);
  }
  if (!ok && !sqlite3_get_autocommit(db)) {
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  }
  return ok;
}

/* WAL: readers never wait for the writer, and a commit is one append. On a file system without
 * shared memory SQLite keeps its rollback journal, which is as safe, only slower: the mode it
 * answers is not checked.
 *
 * Switching to WAL upgrades a read of the file to a write, and SQLite does not wait for such an
 * upgrade (waiting could deadlock): it answers SQLITE_BUSY at once while another connection
 * writes, e.g. another pccart switching the same new file. BEGIN IMMEDIATE does wait (up to the
 * busy timeout), so waiting for that writer with it and trying again settles the race without a
 * sleep of our own. Already in WAL, the PRAGMA writes nothing. */
static int set_wal(sqlite3 *db) {
  int rc = SQLITE_BUSY;
  for (int tries = 0; tries < 100 && (rc & 0xff) == SQLITE_BUSY; tries++) {
    int64_t ignored = 0;
    rc = query_int(db, "PRAGMA journal_mode = WAL", &ignored);
    if ((rc & 0xff) == SQLITE_BUSY) {
      int wait = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
      if (wait != SQLITE_OK) {
        return wait; /* still held after the busy timeout */
      }
      sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
  }
  return rc;
}

bool state_schema_open(StateStore *store, char *err, size_t err_size) {
  int64_t version = 0;
  if (!check_file(store, &version, err, err_size)) {
    return false;
  }
  bool current = version == STATE_SCHEMA_VERSION;
  if (current && !prepare_all(store, err, err_size)) {
    return false;
  }
  /* The first write, and only now. */
  int rc = set_wal(store->db);
  if (rc == SQLITE_OK) {
    /* FULL: a commit is on the disk (WAL synced) before the call returns; set per connection. */
    rc = sqlite3_exec(store->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
  }
  if (rc != SQLITE_OK) {
    return state_fail(store, rc, err, err_size);
  }
  if (!current && !migrate(store, err, err_size)) {
    return false;
  }
  return current || prepare_all(store, err, err_size);
}
