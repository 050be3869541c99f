/* The local state store (SQLite, one file per user): the submissions journal (every create,
 * update and checkout, written before it is sent and completed with its outcome, which is also
 * the history a reviewer reads), the autosave of the cart being edited, and recent carts per
 * customer. Everything is kept per profile. One StateStore is used by one thread at a time;
 * two threads (or two processes) each open their own on the same file.
 *
 * Nothing secret is ever stored here: request bodies, ids, names and outcomes only. */
#ifndef PCCART_STATE_STATE_H
#define PCCART_STATE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct StateStore StateStore;

/* The schema version this build reads and writes (PRAGMA user_version). */
#define STATE_SCHEMA_VERSION 2

/* $XDG_STATE_HOME/pccart (when XDG_STATE_HOME is an absolute path), else
 * $HOME/.local/state/pccart; caller frees. NULL when neither variable helps. */
char *state_default_dir(void);
/* Creates dir and its missing parents, each new one mode 0700 (an existing one is left as it
 * is); false with err naming the directory that could not be made. */
bool state_make_dir(const char *dir, char *err, size_t err_size);
/* state_default_dir() + "/state.db"; caller frees. */
char *state_default_path(void);

/* Opens path, creating it (and its directory, 0700) when missing; the file is 0600. WAL
 * journal; each change is one transaction, committed with synchronous=FULL before the call
 * returns. NULL with one sentence in err that names the file and what to do when the file is
 * damaged (not a database), locked by another program past the busy timeout, read-only, in a
 * directory that cannot be written, or of a newer schema than this build knows. A file that
 * could not be read is never written to. */
StateStore *state_open(const char *path, char *err, size_t err_size);
void state_close(StateStore *store); /* NULL is fine */
const char *state_path(const StateStore *store);

/* Milliseconds since the epoch for every timestamp the store writes; tests inject their own.
 * NULL restores the real clock. */
typedef int64_t (*StateClock)(void *user);
void state_set_clock(StateStore *store, StateClock clock, void *user);
/* How long a call waits for another connection's write before it fails with the "locked"
 * sentence; 5000 ms unless set. Tests set 0 to see that sentence without waiting. */
void state_set_busy_timeout(StateStore *store, int ms);

/* ----- submissions: the journal and the history ----- */

typedef enum SubmissionOperation {
  SUBMISSION_CREATE = 1,
  SUBMISSION_UPDATE,
  SUBMISSION_CHECKOUT,
} SubmissionOperation;

const char *submission_operation_name(SubmissionOperation op); /* "create", ... */
bool submission_operation_parse(const char *text, SubmissionOperation *out);

typedef enum SubmissionState {
  SUBMISSION_PENDING = 1, /* journaled; no outcome recorded yet (the process may have died) */
  SUBMISSION_UNKNOWN,     /* may have acted; the outcome could not be told yet */
  SUBMISSION_DONE,        /* the service acted: created, updated, or checked out */
  SUBMISSION_REFUSED,     /* the service definitely did not act (a refusal, nothing sent) */
} SubmissionState;

const char *submission_state_name(SubmissionState state); /* "pending", "unknown", ... */
bool submission_state_parse(const char *text, SubmissionState *out);
/* PENDING and UNKNOWN: the ones to reconcile. */
bool submission_state_unresolved(SubmissionState state);

/* One intent: one MS-RequestId, one row, however many attempts and runs it takes. Strings are
 * owned by the struct (submission_clear frees them); NULL where unknown. */
typedef struct Submission {
  int64_t id; /* the row; 0 before it is journaled */
  char *profile;
  SubmissionOperation operation;
  char *customer_id;
  char *customer_name;     /* the company name when known */
  char *cart_id;           /* update and checkout: the cart; create: filled in by the outcome */
  char request_id[37];     /* the MS-RequestId of every attempt */
  char body_hash[65];      /* SHA-256 of body, lower-case hex; "" for a checkout */
  char *body;              /* create and update: the request body exactly as sent */
  char *customer_user_upn; /* checkout: x-ms-customeruser-upn, NULL when none */
  int64_t created_ms;      /* journaled */
  int64_t updated_ms;      /* the last change of state */
  int attempts;            /* runs of this intent that sent it (1 for the first) */
  SubmissionState state;
  long http_status; /* of the outcome; 0 when none */
  long error_code;  /* Partner Center code of a refusal; 0 when none */
  char *error;      /* the sentence the user was shown; NULL when none */
  char *result;     /* the outcome as the model's JSON: the cart, or the checkout result */
  char *resolution; /* how an unresolved outcome was settled, e.g. "reconciled at start" */
  /* The process that journaled it (last begin): its id and start time (clock ticks since
   * boot, from /proc), so that another process can tell it is still at work. */
  long owner_pid;
  long long owner_start;
  /* Set by state_submission_begin: the row's state before (0 for a new row). PENDING or
   * UNKNOWN means an earlier attempt may have been carried out. */
  SubmissionState previous_state;
} Submission;

void submission_clear(Submission *submission);

typedef struct SubmissionList {
  Submission *items;
  size_t count;
} SubmissionList;

void submission_list_clear(SubmissionList *list);

/* SHA-256 of text as 64 lower-case hex digits and a NUL. */
void state_hash_text(const char *text, char out[65]);

/* Journals an intent before it is sent: one committed transaction. When a row with the same
 * profile and request id exists (the same intent again: a retry by the user, or after a
 * crash) that row is reused: attempts is incremented and the state goes back to PENDING.
 * Sets submission->id, created_ms, updated_ms and attempts. body_hash is computed from body
 * when it is "" and body is not NULL. */
bool state_submission_begin(StateStore *store, Submission *submission, char *err, size_t err_size);

/* Records what became of an intent. cart_id (NULL: unchanged) is for a create's new cart. */
typedef struct SubmissionOutcome {
  SubmissionState state;
  long http_status;
  long error_code;
  const char *cart_id;
  const char *error;
  const char *result;
  const char *resolution;
} SubmissionOutcome;

bool state_submission_finish(StateStore *store, int64_t id, const SubmissionOutcome *outcome,
                             char *err, size_t err_size);

/* The start time of process pid (clock ticks since boot); 0 when it does not exist. */
long long state_process_start(long pid);
/* True when the row's owner is a process still running (not this one). */
bool submission_owner_alive(const Submission *submission);

/* The row of a profile's request id; found false when there is none. */
bool state_submission_get(StateStore *store, const char *profile, const char *request_id,
                          Submission *out, bool *found, char *err, size_t err_size);

/* The unresolved intents (PENDING, UNKNOWN) of a profile, oldest first; rows that a process
 * still running is sending are left out. */
bool state_submissions_unresolved(StateStore *store, const char *profile, SubmissionList *out,
                                  char *err, size_t err_size);

/* The unresolved intent that this one repeats, if any: same profile, operation and customer;
 * for a create the same body hash; for a checkout the same cart; for an update both. found
 * false when there is none. */
bool state_submission_find_unresolved(StateStore *store, const Submission *like, Submission *out,
                                      bool *found, char *err, size_t err_size);

/* The history: submissions newest first. profile NULL: every profile; customer_id NULL: every
 * customer; since_ms 0: all time; limit 0: no limit. */
typedef struct HistoryQuery {
  const char *profile;
  const char *customer_id;
  int64_t since_ms;
  size_t limit;
} HistoryQuery;

bool state_history(StateStore *store, const HistoryQuery *query, SubmissionList *out, char *err,
                   size_t err_size);

/* ----- autosave: the cart being edited, one per profile ----- */

typedef struct Autosave {
  char *profile;
  char *customer_id;
  char *customer_name;
  char *cart_id;      /* NULL for a cart never saved */
  char *base_version; /* the server's lastModifiedTimestamp the edit started from; NULL */
  char *cart_json;    /* the draft as the model's JSON (cart_to_json) */
  bool dirty;         /* it has changes not saved to Partner Center */
  long line_count;
  int64_t saved_ms;
} Autosave;

void autosave_clear(Autosave *autosave);

/* Replaces the profile's autosave; one committed transaction. */
bool state_autosave_put(StateStore *store, const Autosave *autosave, char *err, size_t err_size);
/* found false when the profile has none. */
bool state_autosave_get(StateStore *store, const char *profile, Autosave *out, bool *found,
                        char *err, size_t err_size);
/* Every profile's autosave, newest first (for `pccart recover`). */
typedef struct AutosaveList {
  Autosave *items;
  size_t count;
} AutosaveList;
void autosave_list_clear(AutosaveList *list);
bool state_autosaves(StateStore *store, AutosaveList *out, char *err, size_t err_size);
bool state_autosave_drop(StateStore *store, const char *profile, char *err, size_t err_size);

/* ----- recent carts per customer ----- */

typedef struct RecentCart {
  char *cart_id;
  char *status; /* "Active", "Ordered", ... as last seen */
  long line_count;
  int64_t seen_ms;
} RecentCart;

typedef struct RecentCartList {
  RecentCart *items;
  size_t count;
} RecentCartList;

void recent_cart_list_clear(RecentCartList *list);

/* Records (or refreshes) that cart_id of customer_id was seen with this status and count. */
bool state_recent_cart_put(StateStore *store, const char *profile, const char *customer_id,
                           const char *cart_id, const char *status, long line_count, char *err,
                           size_t err_size);
/* A customer's carts, most recently seen first; limit 0: no limit. */
bool state_recent_carts(StateStore *store, const char *profile, const char *customer_id,
                        size_t limit, RecentCartList *out, char *err, size_t err_size);

#endif
