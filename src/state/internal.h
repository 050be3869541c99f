/* What the state layer's files share: the store itself, its prepared statements, messages and
 * transactions. */
#ifndef PCCART_STATE_INTERNAL_H
#define PCCART_STATE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/state.h"

/* How long a call waits for another writer before it gives up (sqlite3_busy_timeout). A write
 * takes milliseconds, so only a program that keeps a transaction open waits this long. */
#define STATE_BUSY_TIMEOUT_MS 5000

/* Every statement but the history's (whose WHERE depends on the query), prepared once at open.
 * The SQL is in schema.c beside the schema it must match. */
typedef enum StateStmt {
  STMT_BEGIN, /* BEGIN IMMEDIATE: a write takes the lock up front, so it waits, never deadlocks */
  STMT_COMMIT,
  STMT_ROLLBACK,
  STMT_SUBMISSION_BY_REQUEST,
  STMT_SUBMISSION_INSERT,
  STMT_SUBMISSION_REPEAT,
  STMT_SUBMISSION_FINISH,
  STMT_SUBMISSIONS_UNRESOLVED,
  STMT_SUBMISSION_LIKE_CREATE,
  STMT_SUBMISSION_LIKE_CART,
  STMT_AUTOSAVE_PUT,
  STMT_AUTOSAVE_GET,
  STMT_AUTOSAVE_LIST,
  STMT_AUTOSAVE_DROP,
  STMT_RECENT_PUT,
  STMT_RECENT_LIST,
  STMT_COUNT
} StateStmt;

/* The columns every submission query selects, in the order submission_read() expects. */
#define STATE_SUBMISSION_COLUMNS                                                                   \
  "id, profile, operation, customer_id, customer_name, cart_id, request_id, body_hash, body, "     \
  "customer_user_upn, created_ms, updated_ms, attempts, state, http_status, error_code, error, "   \
  "result, resolution, owner_pid, owner_start"

struct StateStore {
  sqlite3 *db;
  char *path;
  StateClock clock;
  void *clock_user;
  int busy_ms;
  sqlite3_stmt *stmts[STMT_COUNT];
};

/* ----- messages (state.c) ----- */

/* Formats one sentence into err (which may be NULL); always returns false so that callers can
 * `return state_err(...)`. */
__attribute__((format(printf, 3, 4))) bool state_err(char *err, size_t err_size, const char *format,
                                                     ...);
/* The sentence for an SQLite result code rc met while working on the store's file. */
bool state_fail(const StateStore *store, int rc, char *err, size_t err_size);
/* The same for a file that has no store yet (state_open). */
bool state_fail_file(sqlite3 *db, const char *path, int rc, int busy_ms, char *err,
                     size_t err_size);
/* The refusal of a file that is not a pccart database, or is one whose tables are missing. */
bool state_err_damaged(const char *path, char *err, size_t err_size);

/* ----- statements and transactions (state.c) ----- */

int64_t state_now(const StateStore *store);
/* The prepared statement, ready to bind. Every user ends with state_stmt_done(). */
sqlite3_stmt *state_stmt(StateStore *store, StateStmt which);
/* Resets the statement (ending its read, if any) and forgets the bound pointers. */
void state_stmt_done(sqlite3_stmt *stmt);
/* Binds text, or NULL as SQL NULL; the text must live until state_stmt_done(). */
int state_bind_text(sqlite3_stmt *stmt, int index, const char *text);
/* A copy of a text column (NULL for SQL NULL) in *out; false only when out of memory. */
bool state_column_text(sqlite3_stmt *stmt, int column, char **out);
/* Runs a statement that returns no rows (SQLITE_DONE) and resets it; the SQLite result code. */
int state_step_done(sqlite3_stmt *stmt);

bool state_tx_begin(StateStore *store, char *err, size_t err_size);
bool state_tx_commit(StateStore *store, char *err, size_t err_size);
void state_tx_rollback(StateStore *store);

/* ----- files (paths.c) ----- */

/* Makes the directory of path (0700, with missing parents) and the file itself (0600), or
 * checks the existing one without changing it: a regular file, not a link, writable. */
bool state_file_prepare(const char *path, char *err, size_t err_size);
/* Once the file is known to be ours: removes group and other bits from it and its -wal and
 * -shm when they are ours (a file made under an older umask, or copied in). */
bool state_file_make_private(const char *path, char *err, size_t err_size);

/* ----- schema (schema.c) ----- */

/* Checks that the open file is a pccart database this build can read, then (and only then)
 * switches it to WAL, migrates it to STATE_SCHEMA_VERSION and prepares the statements. */
bool state_schema_open(StateStore *store, char *err, size_t err_size);

/* ----- rows (submissions.c) ----- */

/* Reads the STATE_SUBMISSION_COLUMNS of the current row into out (cleared first). */
bool state_submission_read(StateStore *store, sqlite3_stmt *stmt, Submission *out, char *err,
                           size_t err_size);
/* Steps stmt to the end, appending every row to out; the statement is left for the caller to
 * finish with state_stmt_done() or sqlite3_finalize(). */
bool state_submission_collect(StateStore *store, sqlite3_stmt *stmt, SubmissionList *out, char *err,
                              size_t err_size);

#endif
