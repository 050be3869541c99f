/* The submissions journal, which is also the history: one row per intent, written before the
 * request is sent and completed with its outcome. */
#include <errno.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "state/internal.h"

/* ----- names ----- */

static const char *const operation_names[] = {
    [SUBMISSION_CREATE] = "create",
    [SUBMISSION_UPDATE] = "update",
    [SUBMISSION_CHECKOUT] = "checkout",
};

static const char *const state_names[] = {
    [SUBMISSION_PENDING] = "pending",
    [SUBMISSION_UNKNOWN] = "unknown",
    [SUBMISSION_DONE] = "done",
    [SUBMISSION_REFUSED] = "refused",
};

#define COUNT(array) (sizeof(array) / sizeof(array)[0])

const char *submission_operation_name(SubmissionOperation op) {
  return op >= SUBMISSION_CREATE && (size_t)op < COUNT(operation_names) ? operation_names[op]
                                                                        : NULL;
}

bool submission_operation_parse(const char *text, SubmissionOperation *out) {
  for (size_t i = SUBMISSION_CREATE; text && i < COUNT(operation_names); i++) {
    if (strcmp(text, operation_names[i]) == 0) {
      *out = (SubmissionOperation)i;
      return true;
    }
  }
  return false;
}

const char *submission_state_name(SubmissionState state) {
  return state >= SUBMISSION_PENDING && (size_t)state < COUNT(state_names) ? state_names[state]
                                                                           : NULL;
}

bool submission_state_parse(const char *text, SubmissionState *out) {
  for (size_t i = SUBMISSION_PENDING; text && i < COUNT(state_names); i++) {
    if (strcmp(text, state_names[i]) == 0) {
      *out = (SubmissionState)i;
      return true;
    }
  }
  return false;
}

bool submission_state_unresolved(SubmissionState state) {
  return state == SUBMISSION_PENDING || state == SUBMISSION_UNKNOWN;
}

/* ----- memory ----- */

void submission_clear(Submission *submission) {
  if (!submission) {
    return;
  }
  free(submission->profile);
  free(submission->customer_id);
  free(submission->customer_name);
  free(submission->cart_id);
  free(submission->body);
  free(submission->customer_user_upn);
  free(submission->error);
  free(submission->result);
  free(submission->resolution);
  memset(submission, 0, sizeof *submission);
}

void submission_list_clear(SubmissionList *list) {
  if (!list) {
    return;
  }
  for (size_t i = 0; i < list->count; i++) {
    submission_clear(&list->items[i]);
  }
  free(list->items);
  list->items = NULL;
  list->count = 0;
}

void state_hash_text(const char *text, char out[65]) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  out[0] = '\0'; /* what a failure leaves: no hash matches "" by accident of content */
  if (!text || !EVP_Digest(text, strlen(text), digest, &size, EVP_sha256(), NULL) || size != 32) {
    return;
  }
  static const char hex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < size; i++) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 0xf];
  }
  out[64] = '\0';
}

/* ----- rows ----- */

static bool out_of_memory(const StateStore *store, char *err, size_t err_size) {
  return state_err(err, err_size,
                   "out of memory while using %s: close other programs and try again.",
                   store->path);
}

/* A value the schema's CHECK should have kept out: the file was edited by hand. */
static bool bad_value(const StateStore *store, const char *what, const char *value, char *err,
                      size_t err_size) {
  return state_err(err, err_size,
                   "%s holds a submission with an unknown %s \"%s\": it was edited by hand; move "
                   "it away (e.g. mv %s %s.broken) and pccart starts a new one.",
                   store->path, what, value ? value : "", store->path, store->path);
}

/* Copies a text column into a fixed buffer (request id, body hash). */
static void copy_fixed(sqlite3_stmt *stmt, int column, char *out, size_t size) {
  const unsigned char *text = sqlite3_column_text(stmt, column);
  snprintf(out, size, "%s", text ? (const char *)text : "");
}

bool state_submission_read(StateStore *store, sqlite3_stmt *stmt, Submission *out, char *err,
                           size_t err_size) {
  memset(out, 0, sizeof *out);
  out->id = sqlite3_column_int64(stmt, 0);
  const char *operation = (const char *)sqlite3_column_text(stmt, 2);
  const char *state = (const char *)sqlite3_column_text(stmt, 13);
  if (!submission_operation_parse(operation, &out->operation)) {
    return bad_value(store, "operation", operation, err, err_size);
  }
  if (!submission_state_parse(state, &out->state)) {
    return bad_value(store, "state", state, err, err_size);
  }
  copy_fixed(stmt, 6, out->request_id, sizeof out->request_id);
  copy_fixed(stmt, 7, out->body_hash, sizeof out->body_hash);
  out->created_ms = sqlite3_column_int64(stmt, 10);
  out->updated_ms = sqlite3_column_int64(stmt, 11);
  out->attempts = sqlite3_column_int(stmt, 12);
  out->http_status = (long)sqlite3_column_int64(stmt, 14);
  out->error_code = (long)sqlite3_column_int64(stmt, 15);
  out->owner_pid = (long)sqlite3_column_int64(stmt, 19);
  out->owner_start = (long long)sqlite3_column_int64(stmt, 20);
  bool ok = state_column_text(stmt, 1, &out->profile) &&
            state_column_text(stmt, 3, &out->customer_id) &&
            state_column_text(stmt, 4, &out->customer_name) &&
            state_column_text(stmt, 5, &out->cart_id) && state_column_text(stmt, 8, &out->body) &&
            state_column_text(stmt, 9, &out->customer_user_upn) &&
            state_column_text(stmt, 16, &out->error) && state_column_text(stmt, 17, &out->result) &&
            state_column_text(stmt, 18, &out->resolution);
  if (!ok) {
    submission_clear(out);
    return out_of_memory(store, err, err_size);
  }
  return true;
}

bool state_submission_collect(StateStore *store, sqlite3_stmt *stmt, SubmissionList *out, char *err,
                              size_t err_size) {
  size_t capacity = 0;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (out->count == capacity) {
      capacity = capacity ? capacity * 2 : 8;
      Submission *items = realloc(out->items, capacity * sizeof *items);
      if (!items) {
        submission_list_clear(out);
        return out_of_memory(store, err, err_size);
      }
      out->items = items;
    }
    if (!state_submission_read(store, stmt, &out->items[out->count], err, err_size)) {
      submission_list_clear(out);
      return false;
    }
    out->count++;
  }
  if (rc != SQLITE_DONE) {
    submission_list_clear(out);
    return state_fail(store, rc, err, err_size);
  }
  return true;
}

/* ----- the journal ----- */

/* Why a begin is refused before SQLite is asked: these are bugs of the caller. */
static bool check_intent(const StateStore *store, const Submission *s, char *err, size_t err_size) {
  if (!s->profile || !s->profile[0] || !s->customer_id || !s->customer_id[0] || !s->request_id[0] ||
      !submission_operation_name(s->operation)) {
    return state_err(err, err_size,
                     "cannot journal a submission in %s without a profile, an operation, a "
                     "customer and a request id: this is a bug in pccart.",
                     store->path);
  }
  return true;
}

static bool same_text(const char *a, const char *b) {
  return a && b && strcmp(a, b) == 0;
}

/* Reuses the existing row of this request id; the statement holds that row. */
static bool repeat_intent(StateStore *store, sqlite3_stmt *found, Submission *s, int64_t now,
                          char *err, size_t err_size) {
  int64_t id = sqlite3_column_int64(found, 0);
  const char *operation = (const char *)sqlite3_column_text(found, 1);
  const char *customer_id = (const char *)sqlite3_column_text(found, 2);
  const char *cart_id = (const char *)sqlite3_column_text(found, 3);
  const char *body_hash = (const char *)sqlite3_column_text(found, 4);
  /* One request id is one intent: a row that would describe two different requests would make
   * reconciliation guess, so a request id reused for another operation, customer, cart or body
   * is refused (the caller must make a new one). */
  bool same =
      same_text(operation, submission_operation_name(s->operation)) &&
      same_text(customer_id, s->customer_id) &&
      (s->operation == SUBMISSION_CREATE || !cart_id || !s->cart_id ||
       strcmp(cart_id, s->cart_id) == 0) &&
      (!body_hash || !body_hash[0] || !s->body_hash[0] || strcmp(body_hash, s->body_hash) == 0);
  if (!same) {
    return state_err(err, err_size,
                     "request id %s is already journaled in %s for another request (operation, "
                     "customer, cart or body differ): a new intent needs a new request id; this "
                     "is a bug in pccart.",
                     s->request_id, store->path);
  }
  int attempts = sqlite3_column_int(found, 6) + 1;
  int64_t created_ms = sqlite3_column_int64(found, 5);
  const char *previous = (const char *)sqlite3_column_text(found, 7);
  if (!submission_state_parse(previous, &s->previous_state)) {
    s->previous_state = SUBMISSION_UNKNOWN; /* unreadable: assume it may have acted */
  }
  sqlite3_stmt *update = state_stmt(store, STMT_SUBMISSION_REPEAT);
  sqlite3_bind_int64(update, 1, id);
  sqlite3_bind_int(update, 2, attempts);
  sqlite3_bind_int64(update, 3, now);
  state_bind_text(update, 4, s->customer_name);
  state_bind_text(update, 5, s->cart_id);
  state_bind_text(update, 6, s->customer_user_upn);
  sqlite3_bind_int64(update, 7, (sqlite3_int64)getpid());
  sqlite3_bind_int64(update, 8, (sqlite3_int64)state_process_start((long)getpid()));
  int rc = state_step_done(update);
  if (rc != SQLITE_DONE) {
    return state_fail(store, rc, err, err_size);
  }
  s->id = id;
  s->attempts = attempts;
  s->created_ms = created_ms;
  return true;
}

static bool insert_intent(StateStore *store, Submission *s, int64_t now, char *err,
                          size_t err_size) {
  sqlite3_stmt *insert = state_stmt(store, STMT_SUBMISSION_INSERT);
  state_bind_text(insert, 1, s->profile);
  state_bind_text(insert, 2, submission_operation_name(s->operation));
  state_bind_text(insert, 3, s->customer_id);
  state_bind_text(insert, 4, s->customer_name);
  state_bind_text(insert, 5, s->cart_id);
  state_bind_text(insert, 6, s->request_id);
  state_bind_text(insert, 7, s->body_hash);
  state_bind_text(insert, 8, s->body);
  state_bind_text(insert, 9, s->customer_user_upn);
  sqlite3_bind_int64(insert, 10, now);
  sqlite3_bind_int64(insert, 11, (sqlite3_int64)getpid());
  sqlite3_bind_int64(insert, 12, (sqlite3_int64)state_process_start((long)getpid()));
  int rc = state_step_done(insert);
  if (rc != SQLITE_DONE) {
    return state_fail(store, rc, err, err_size);
  }
  s->id = sqlite3_last_insert_rowid(store->db);
  s->attempts = 1;
  s->created_ms = now;
  s->previous_state = 0;
  return true;
}

long long state_process_start(long pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  FILE *file = fopen(path, "r");
  if (!file) {
    return 0;
  }
  char line[1024];
  long long start = 0;
  if (fgets(line, sizeof line, file)) {
    /* Field 22 (starttime), counted after the command name, which may hold spaces: from the
     * last ')' on. */
    char *p = strrchr(line, ')');
    for (int field = 2; p && *p && field < 22; field++) {
      p = strchr(p + 1, ' ');
    }
    if (p) {
      start = strtoll(p + 1, NULL, 10);
    }
  }
  fclose(file);
  return start;
}

bool submission_owner_alive(const Submission *s) {
  if (s->owner_pid <= 0 || s->owner_pid == (long)getpid()) {
    return false;
  }
  if (kill((pid_t)s->owner_pid, 0) != 0 && errno != EPERM) {
    return false;
  }
  /* The same pid may since belong to another program: the start time tells. */
  long long start = state_process_start(s->owner_pid);
  return start != 0 && (s->owner_start == 0 || start == s->owner_start);
}

bool state_submission_begin(StateStore *store, Submission *submission, char *err, size_t err_size) {
  if (!check_intent(store, submission, err, err_size)) {
    return false;
  }
  if (!submission->body_hash[0] && submission->body) {
    state_hash_text(submission->body, submission->body_hash);
    if (!submission->body_hash[0]) {
      return state_err(err, err_size,
                       "cannot journal the submission in %s: OpenSSL could not compute SHA-256 "
                       "(check the OpenSSL installation).",
                       store->path);
    }
  }
  if (!state_tx_begin(store, err, err_size)) {
    return false;
  }
  int64_t now = state_now(store);
  sqlite3_stmt *find = state_stmt(store, STMT_SUBMISSION_BY_REQUEST);
  state_bind_text(find, 1, submission->profile);
  state_bind_text(find, 2, submission->request_id);
  int rc = sqlite3_step(find);
  bool ok;
  if (rc == SQLITE_ROW) {
    ok = repeat_intent(store, find, submission, now, err, err_size);
  } else if (rc == SQLITE_DONE) {
    ok = insert_intent(store, submission, now, err, err_size);
  } else {
    ok = state_fail(store, rc, err, err_size);
  }
  state_stmt_done(find);
  if (!ok || !state_tx_commit(store, err, err_size)) {
    state_tx_rollback(store);
    submission->id = 0;
    return false;
  }
  submission->updated_ms = now;
  submission->state = SUBMISSION_PENDING;
  return true;
}

bool state_submission_finish(StateStore *store, int64_t id, const SubmissionOutcome *outcome,
                             char *err, size_t err_size) {
  const char *state = submission_state_name(outcome->state);
  if (!state) {
    return state_err(err, err_size,
                     "cannot record an outcome with no valid state in %s: this is a bug in pccart.",
                     store->path);
  }
  if (!state_tx_begin(store, err, err_size)) {
    return false;
  }
  sqlite3_stmt *update = state_stmt(store, STMT_SUBMISSION_FINISH);
  sqlite3_bind_int64(update, 1, id);
  state_bind_text(update, 2, state);
  sqlite3_bind_int64(update, 3, outcome->http_status);
  sqlite3_bind_int64(update, 4, outcome->error_code);
  state_bind_text(update, 5, outcome->cart_id);
  state_bind_text(update, 6, outcome->error);
  state_bind_text(update, 7, outcome->result);
  state_bind_text(update, 8, outcome->resolution);
  sqlite3_bind_int64(update, 9, state_now(store));
  int rc = state_step_done(update);
  bool ok = rc == SQLITE_DONE || state_fail(store, rc, err, err_size);
  if (ok && sqlite3_changes(store->db) == 0) {
    ok = state_err(err, err_size,
                   "%s has no submission %lld to record the outcome of: this is a bug in pccart.",
                   store->path, (long long)id);
  }
  if (!ok || !state_tx_commit(store, err, err_size)) {
    state_tx_rollback(store);
    return false;
  }
  return true;
}

bool state_submissions_unresolved(StateStore *store, const char *profile, SubmissionList *out,
                                  char *err, size_t err_size) {
  *out = (SubmissionList){0};
  sqlite3_stmt *stmt = state_stmt(store, STMT_SUBMISSIONS_UNRESOLVED);
  state_bind_text(stmt, 1, profile);
  bool ok = state_submission_collect(store, stmt, out, err, err_size);
  state_stmt_done(stmt);
  /* What a live pccart is sending right now is its to settle. */
  size_t kept = 0;
  for (size_t i = 0; ok && i < out->count; i++) {
    if (submission_owner_alive(&out->items[i])) {
      submission_clear(&out->items[i]);
    } else {
      out->items[kept++] = out->items[i];
    }
  }
  if (ok) {
    out->count = kept;
  }
  return ok;
}

bool state_submission_get(StateStore *store, const char *profile, const char *request_id,
                          Submission *out, bool *found, char *err, size_t err_size) {
  *found = false;
  memset(out, 0, sizeof *out);
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2(store->db,
                              "SELECT " STATE_SUBMISSION_COLUMNS
                              " FROM submissions WHERE profile = ?1 AND request_id = ?2",
                              -1, &stmt, NULL);
  if (rc != SQLITE_OK) {
    return state_fail(store, rc, err, err_size);
  }
  state_bind_text(stmt, 1, profile);
  state_bind_text(stmt, 2, request_id);
  SubmissionList list = {0};
  bool ok = state_submission_collect(store, stmt, &list, err, err_size);
  sqlite3_finalize(stmt);
  if (ok && list.count > 0) {
    *out = list.items[0];
    memset(&list.items[0], 0, sizeof list.items[0]);
    *found = true;
  }
  submission_list_clear(&list);
  return ok;
}

bool state_submission_find_unresolved(StateStore *store, const Submission *like, Submission *out,
                                      bool *found, char *err, size_t err_size) {
  *found = false;
  memset(out, 0, sizeof *out);
  const char *operation = submission_operation_name(like->operation);
  bool create = like->operation == SUBMISSION_CREATE;
  char hash[65];
  snprintf(hash, sizeof hash, "%s", like->body_hash);
  if (!hash[0] && like->body) {
    state_hash_text(like->body, hash);
  }
  /* Without these nothing can be the same intent: an update of no cart repeats nothing. */
  if (!like->profile || !like->customer_id || !operation || (!create && !like->cart_id)) {
    return true;
  }
  sqlite3_stmt *stmt =
      state_stmt(store, create ? STMT_SUBMISSION_LIKE_CREATE : STMT_SUBMISSION_LIKE_CART);
  state_bind_text(stmt, 1, like->profile);
  state_bind_text(stmt, 2, operation);
  state_bind_text(stmt, 3, like->customer_id);
  state_bind_text(stmt, 4, create ? hash : like->cart_id);
  sqlite3_bind_int64(stmt, 5, like->id); /* not itself, once journaled */
  if (!create) {
    state_bind_text(stmt, 6, hash); /* an update with other lines is another intent */
  }
  int rc = sqlite3_step(stmt);
  bool ok;
  if (rc == SQLITE_ROW) {
    ok = state_submission_read(store, stmt, out, err, err_size);
    *found = ok;
  } else {
    ok = rc == SQLITE_DONE || state_fail(store, rc, err, err_size);
  }
  state_stmt_done(stmt);
  return ok;
}

bool state_history(StateStore *store, const HistoryQuery *query, SubmissionList *out, char *err,
                   size_t err_size) {
  *out = (SubmissionList){0};
  /* The WHERE names only the filters given, so that SQLite picks the index that fits. */
  char sql[1024];
  snprintf(sql, sizeof sql,
           "SELECT %s FROM submissions WHERE 1%s%s%s ORDER BY created_ms DESC, id DESC%s",
           STATE_SUBMISSION_COLUMNS, query->profile ? " AND profile = ?" : "",
           query->customer_id ? " AND customer_id = ?" : "",
           query->since_ms ? " AND created_ms >= ?" : "", query->limit ? " LIMIT ?" : "");
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2(store->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return state_fail(store, rc, err, err_size);
  }
  int index = 1;
  if (query->profile) {
    state_bind_text(stmt, index++, query->profile);
  }
  if (query->customer_id) {
    state_bind_text(stmt, index++, query->customer_id);
  }
  if (query->since_ms) {
    sqlite3_bind_int64(stmt, index++, query->since_ms);
  }
  if (query->limit) {
    sqlite3_bind_int64(stmt, index++,
                       query->limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)query->limit);
  }
  bool ok = state_submission_collect(store, stmt, out, err, err_size);
  sqlite3_finalize(stmt);
  return ok;
}
