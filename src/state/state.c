/* The store's lifetime, its clock, the sentences for what can go wrong with the file, and the
 * statement and transaction helpers the other files share. */
#include "state/state.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "state/internal.h"

/* ----- messages ----- */

bool state_err(char *err, size_t err_size, const char *format, ...) {
  if (err && err_size > 0) {
    va_list args;
    va_start(args, format);
    /* A very long path cuts the sentence short rather than overflowing, hence vsnprintf. */
    vsnprintf(err, err_size, format, args);
    va_end(args);
  }
  return false;
}

bool state_err_damaged(const char *path, char *err, size_t err_size) {
  return state_err(err, err_size,
                   "%s is damaged (not a pccart state database): move it away (e.g. mv %s "
                   "%s.broken) and pccart starts a new one; until then recovery and history are "
                   "off.",
                   path, path, path);
}

/* The directory part of path, for the sentences that must name it. */
static void dir_of(const char *path, char *out, size_t size) {
  const char *slash = strrchr(path, '/');
  if (!slash) {
    snprintf(out, size, ".");
  } else if (slash == path) {
    snprintf(out, size, "/");
  } else {
    snprintf(out, size, "%.*s", (int)(slash - path), path);
  }
}

bool state_fail_file(sqlite3 *db, const char *path, int rc, int busy_ms, char *err,
                     size_t err_size) {
  /* errno of the failed system call, when the failure was one (I/O, cannot open). */
  int sys = db ? sqlite3_system_errno(db) : 0;
  const char *why = sys ? strerror(sys) : "no reason given";
  char dir[4096];
  switch (rc & 0xff) {
  case SQLITE_NOTADB:
  case SQLITE_CORRUPT:
    return state_err_damaged(path, err, err_size);
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    return state_err(err, err_size,
                     "another program holds %s locked (waited %d ms): close it (another pccart, "
                     "or an sqlite3 shell on the file) and try again.",
                     path, busy_ms);
  case SQLITE_READONLY:
    if (rc == SQLITE_READONLY_DIRECTORY) {
      dir_of(path, dir, sizeof dir);
      return state_err(err, err_size,
                       "cannot write beside %s: its directory %s is read-only (SQLite keeps its "
                       "journal there); make it writable or choose another state file.",
                       path, dir);
    }
    return state_err(err, err_size,
                     "%s is read-only: make it writable (chmod u+w %s) or choose another state "
                     "file; until then recovery and history are off.",
                     path, path);
  case SQLITE_CANTOPEN:
    dir_of(path, dir, sizeof dir);
    return state_err(err, err_size,
                     "cannot open %s (%s): make sure it and its directory %s are writable (SQLite "
                     "keeps %s-wal and %s-shm beside it), or choose another state file.",
                     path, why, dir, path, path);
  case SQLITE_FULL:
    return state_err(err, err_size,
                     "cannot write %s: the disk is full; free some space and try again.", path);
  case SQLITE_IOERR:
    return state_err(err, err_size,
                     "cannot read or write %s (%s): check the disk and the file, then try again.",
                     path, why);
  case SQLITE_NOMEM:
    return state_err(err, err_size,
                     "out of memory while using %s: close other programs and try again.", path);
  default:
    return state_err(err, err_size,
                     "unexpected SQLite error on %s: %s (code %d); if it repeats, move the file "
                     "away (e.g. mv %s %s.broken) and pccart starts a new one.",
                     path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), rc, path, path);
  }
}

bool state_fail(const StateStore *store, int rc, char *err, size_t err_size) {
  return state_fail_file(store->db, store->path, rc, store->busy_ms, err, err_size);
}

/* ----- statements and transactions ----- */

static int64_t real_clock(void *user) {
  (void)user;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t state_now(const StateStore *store) {
  return store->clock(store->clock_user);
}

sqlite3_stmt *state_stmt(StateStore *store, StateStmt which) {
  return store->stmts[which];
}

void state_stmt_done(sqlite3_stmt *stmt) {
  /* The result of the last step was already handled by the caller. */
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
}

int state_bind_text(sqlite3_stmt *stmt, int index, const char *text) {
  return text ? sqlite3_bind_text(stmt, index, text, -1, SQLITE_STATIC)
              : sqlite3_bind_null(stmt, index);
}

bool state_column_text(sqlite3_stmt *stmt, int column, char **out) {
  *out = NULL;
  if (sqlite3_column_type(stmt, column) == SQLITE_NULL) {
    return true;
  }
  const unsigned char *text = sqlite3_column_text(stmt, column);
  if (!text) { /* SQLite could not make the text: out of memory */
    return false;
  }
  *out = strdup((const char *)text);
  return *out != NULL;
}

int state_step_done(sqlite3_stmt *stmt) {
  int rc = sqlite3_step(stmt);
  state_stmt_done(stmt);
  return rc;
}

bool state_tx_begin(StateStore *store, char *err, size_t err_size) {
  int rc = state_step_done(state_stmt(store, STMT_BEGIN));
  return rc == SQLITE_DONE || state_fail(store, rc, err, err_size);
}

bool state_tx_commit(StateStore *store, char *err, size_t err_size) {
  int rc = state_step_done(state_stmt(store, STMT_COMMIT));
  if (rc == SQLITE_DONE) {
    return true;
  }
  state_fail(store, rc, err, err_size); /* before the rollback changes SQLite's errno */
  state_tx_rollback(store);
  return false;
}

void state_tx_rollback(StateStore *store) {
  /* SQLite may have rolled back already (some errors end the transaction themselves). */
  if (!sqlite3_get_autocommit(store->db)) {
    state_step_done(state_stmt(store, STMT_ROLLBACK));
  }
}

/* ----- lifetime ----- */

StateStore *state_open(const char *path, char *err, size_t err_size) {
  if (!path || !path[0]) {
    state_err(err, err_size, "no state file was given: this is a bug in pccart.");
    return NULL;
  }
  if (!state_file_prepare(path, err, err_size)) {
    return NULL;
  }
  StateStore *store = calloc(1, sizeof *store);
  if (!store || !(store->path = strdup(path))) {
    free(store);
    state_err(err, err_size, "out of memory while opening %s: close other programs and try again.",
              path);
    return NULL;
  }
  store->clock = real_clock;
  store->busy_ms = STATE_BUSY_TIMEOUT_MS;
  /* No SQLITE_OPEN_CREATE: state_file_prepare made the file with the right mode, and a file
   * that vanished since must not come back with SQLite's default mode. NOFOLLOW: the file must
   * not be swapped for a link in between. NOMUTEX: one thread per store (state.h). */
  int rc = sqlite3_open_v2(
      path, &store->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    state_fail(store, rc, err, err_size);
    state_close(store);
    return NULL;
  }
  sqlite3_extended_result_codes(store->db, 1);
  sqlite3_busy_timeout(store->db, store->busy_ms);
  /* The file could have been edited by hand: no schema tricks (triggers calling functions,
   * writable sqlite_schema) run with our connection. */
  sqlite3_db_config(store->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
  sqlite3_db_config(store->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
  if (sqlite3_db_readonly(store->db, "main") == 1) {
    state_fail(store, SQLITE_READONLY, err, err_size);
    state_close(store);
    return NULL;
  }
  /* Modes are fixed only now: a file that is not ours (named by mistake) keeps its own. */
  if (!state_schema_open(store, err, err_size) || !state_file_make_private(path, err, err_size)) {
    state_close(store);
    return NULL;
  }
  return store;
}

void state_close(StateStore *store) {
  if (!store) {
    return;
  }
  for (size_t i = 0; i < STMT_COUNT; i++) {
    sqlite3_finalize(store->stmts[i]);
  }
  /* Every statement is finalized, so the close cannot be refused; the last connection to close
   * checkpoints the WAL into the file. */
  sqlite3_close(store->db);
  free(store->path);
  free(store);
}

const char *state_path(const StateStore *store) {
  return store ? store->path : NULL;
}

void state_set_clock(StateStore *store, StateClock clock, void *user) {
  if (!store) {
    return;
  }
  store->clock = clock ? clock : real_clock;
  store->clock_user = clock ? user : NULL;
}

void state_set_busy_timeout(StateStore *store, int ms) {
  if (!store) {
    return;
  }
  store->busy_ms = ms > 0 ? ms : 0;
  sqlite3_busy_timeout(store->db, store->busy_ms);
}
