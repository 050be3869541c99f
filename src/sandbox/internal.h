/* What the sandbox's own files share: the Sandbox itself, a request and its reply as
 * the routes see them, and the store, clock, fault and scenario interfaces. */
#ifndef PCCART_SANDBOX_INTERNAL_H
#define PCCART_SANDBOX_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "model/api_error.h"
#include "model/cart.h"
#include "model/catalog.h"
#include "model/customer.h"
#include "model/order.h"
#include "sandbox/sandbox.h"
#include "sandbox/store.h"

#define SANDBOX_MAX_BODY (1024 * 1024)
#define SANDBOX_REQUEST_LOG_SIZE 200
#define SANDBOX_TOKEN_LIFETIME_S 3600
#define SANDBOX_CART_LIFETIME_S (7 * 24 * 3600)
#define SANDBOX_MAX_PAGE 500

struct MHD_Connection;

/* ----- the clock: real time plus an offset trainers can move forward ----- */

/* Microseconds since the epoch on the sandbox clock (takes the lock: with a shared state file
 * another process may have moved the clock). */
int64_t sandbox_clock_now(Sandbox *sandbox);
/* Moves the clock forward and saves it with the state file, if there is one; false (with err)
 * when the state file could not be written (the clock has moved all the same). */
bool sandbox_clock_advance(Sandbox *sandbox, int64_t seconds, char *err, size_t err_size);
/* "2019-01-16T00:45:41.6062996Z" (7 fraction digits) into buf (at least 29 bytes). */
void sandbox_format_time(int64_t micros, char *buf, size_t size);

/* ----- a request as the routes see it, and what they answer ----- */

typedef struct SandboxRequest {
  const char *method;
  const char *path; /* decoded path without the query */
  struct MHD_Connection *connection;
  const char *body; /* NUL-terminated; may contain other NULs (body_size says) */
  size_t body_size;
  const char *op; /* fault match name, set by routing ("carts.create") */
  char request_id[64];
  char correlation_id[64];
  char locale[32];
  const char *caller_object_id; /* from the bearer token; NULL before auth */
  bool paused;                  /* a delay/hold fault has already been served */
} SandboxRequest;

typedef struct SandboxResponse {
  int status;
  char *body; /* owned; JSON text */
  KeyValueList headers;
  bool drop; /* close the connection without answering */
} SandboxResponse;

/* Query string argument (decoded), or NULL. */
const char *request_arg(const SandboxRequest *request, const char *name);
/* Request header (case-insensitive), or NULL. */
const char *request_header(const SandboxRequest *request, const char *name);

/* Offset of the first byte that is not valid UTF-8, or SIZE_MAX when all of it is. */
size_t sandbox_utf8_invalid_at(const char *text, size_t size);
/* Sets status and takes json as the body (printed with the model printer); false if OOM. */
bool response_json_take(SandboxResponse *response, int status, cJSON *json);
/* The Partner Center error shape {code, description, data, source}. */
bool response_error(SandboxResponse *response, int status, long code, const char *description);
void response_clear(SandboxResponse *response);

/* Routes a request to its handler; fills response. The op is set on request. */
void routes_dispatch(Sandbox *sandbox, SandboxRequest *request, SandboxResponse *response);
/* The control API under /_sandbox/. */
void control_dispatch(Sandbox *sandbox, SandboxRequest *request, SandboxResponse *response);

/* ----- faults ----- */

typedef enum FaultKind {
  FAULT_THROTTLE = 1,
  FAULT_STATUS,
  FAULT_DELAY,
  FAULT_HOLD,
  FAULT_DROP,
  FAULT_DROP_AFTER_COMMIT,
  FAULT_FAIL_ORDER_GROUP,
  FAULT_HOLD_BUSY, /* a checkout that finds its cart being checked out waits, then gets 409 */
} FaultKind;

typedef struct Fault {
  long id;
  char match[48]; /* an op name or "*" */
  FaultKind kind;
  long times; /* how many more matching requests; 0 = until disarmed */
  long every; /* applies to every Nth matching request (1 = each) */
  long seen;  /* matching requests seen so far (for every) */
  int status;
  long retry_after;
  long delay_ms;
  long code;
  char description[256];
  char order_group[32];
} Fault;

typedef struct FaultSet {
  pthread_mutex_t lock;
  pthread_cond_t changed; /* signalled on release, new holds and stop */
  Fault *items;
  size_t count;
  long next_id;
  long held; /* requests waiting in a hold fault now */
  unsigned long release_generation;
  bool stopping;
} FaultSet;

bool faults_init(FaultSet *faults);
void faults_destroy(FaultSet *faults);
/* Arms a fault from its JSON; false with a sentence in err when the JSON is wrong. */
bool faults_arm_json(FaultSet *faults, const cJSON *json, long *id, char *err, size_t err_size);
bool faults_arm(FaultSet *faults, const Fault *fault, long *id);
void faults_clear(FaultSet *faults);
cJSON *faults_to_json(FaultSet *faults);
/* Takes (consumes one use of) the first armed fault of these kinds matching op. */
bool faults_take(FaultSet *faults, const char *op, const FaultKind *kinds, size_t kind_count,
                 Fault *out);
/* Waits out a delay or hold (returns early when the sandbox stops). */
void faults_pause(FaultSet *faults, const Fault *fault);
long faults_release(FaultSet *faults);
/* Waits until at least count requests are held; false after timeout_ms. */
bool faults_wait_held(FaultSet *faults, long count, long timeout_ms);
void faults_stop(FaultSet *faults);
const char *fault_kind_name(FaultKind kind);

/* Applies the pause faults (delay, hold) for this request once; routes call it at the
 * point where a real server would be busy (for checkout: after marking the cart busy). */
void sandbox_pause_point(Sandbox *sandbox, SandboxRequest *request);

/* ----- scenarios ----- */

typedef struct ScenarioSettings {
  int64_t cart_lifetime_s;
  bool enforce_sandbox_limits;
  bool partner_is_direct;
  long max_customers; /* 0 = no cap */
} ScenarioSettings;

/* Applies a scenario: settings and its standing faults. False if the name is unknown. */
bool scenario_apply(const char *name, ScenarioSettings *settings, FaultSet *faults);

/* ----- customers: the seed plus search indexes ----- */

typedef struct CustomerIndex CustomerIndex;

CustomerIndex *customer_index_new(long count);
void customer_index_free(CustomerIndex *index);
long customer_index_count(const CustomerIndex *index);
/* The seed index of a customer id (case-insensitive), or -1. */
long customer_index_find(const CustomerIndex *index, const char *customer_id);
typedef enum CustomerField {
  CUSTOMER_FIELD_ALL,
  CUSTOMER_FIELD_NAME,
  CUSTOMER_FIELD_DOMAIN
} CustomerField;
/* The range [first, first+count) of a search, in that field's sorted order; position p of the
 * range maps to a seed index via customer_index_at. CUSTOMER_FIELD_ALL ignores prefix. */
void customer_index_range(const CustomerIndex *index, CustomerField field, const char *prefix,
                          long *first, long *count);
long customer_index_at(const CustomerIndex *index, CustomerField field, long position);

/* ----- the sandbox ----- */

typedef struct RequestLogEntry {
  char *method;
  char *path;
  char *query;
  char *op;
  char *request_id;
  char *correlation_id;
  KeyValueList headers; /* Authorization redacted */
  char *body;           /* secrets in token forms redacted */
  int status;
} RequestLogEntry;

struct Sandbox {
  SandboxOptions options;
  char scenario[64];
  char url[80];
  unsigned short port;
  struct MHD_Daemon *daemon;
  Catalog *catalog;
  CustomerIndex *customers;
  Store *store;
  FaultSet faults;
  ScenarioSettings settings;
  /* Guards clock_offset_us, store and the state file fields below; taken only through
   * sandbox_lock, which adds the lock file when there is a state file. */
  pthread_mutex_t lock;
  int64_t clock_offset_us;
  /* The request log is this process's own, never in the state file: it has its own mutex so
   * that logging takes no file lock and works while the state file is damaged. */
  pthread_mutex_t log_lock;
  RequestLogEntry log[SANDBOX_REQUEST_LOG_SIZE];
  size_t log_next;
  size_t log_count;
  char *state_file;
  /* ----- sharing the state file with other sandboxes (shared.c) ----- */
  char *lock_path;  /* state_file + ".lock" */
  int lock_fd;      /* -1 until first locked (and without a state file) */
  bool file_locked; /* the flock is held (between sandbox_lock and sandbox_unlock) */
  /* The memory does not hold the file's state (its reload failed): nothing may be saved over
   * the file until a reload succeeds or a reset deliberately replaces it. */
  bool state_unread;
  bool seen_valid; /* seen_* describe the file as last read or written */
  char seen_generation[STORE_GENERATION_SIZE]; /* the lock file's mark at that time */
  bool seen_missing;
  struct stat seen_file;  /* device, inode, size, mtime of the state file then */
  char state_error[1024]; /* why the last sandbox_lock failed (names the file) */
  char *client_secret;    /* what the token endpoint accepts */
  FILE *log_file;
  pthread_mutex_t log_file_lock;
};

/* ----- the shared state (shared.c) ----- */

/* Every access to the state (store, clock offset) goes between these two. Without a state file
 * the lock is the mutex. With one, sandbox_lock also takes an exclusive flock() on FILE.lock
 * (so that several sandboxes, in one process or many, can share FILE) and reloads the store
 * when another sandbox changed FILE since this one last read or wrote it. It returns false,
 * still holding the lock, when that reload failed: sandbox->state_error says why (naming the
 * file), the memory keeps the last good state, and nothing is saved until a reload succeeds. */
bool sandbox_lock(Sandbox *sandbox);
void sandbox_unlock(Sandbox *sandbox);
/* sandbox_lock for a request: on failure answers 500 with the sentence naming the file,
 * releases the lock and returns false. */
bool sandbox_lock_or_answer(Sandbox *sandbox, SandboxResponse *response);
/* Saves the state file (when there is one) after a change; the caller holds the lock. Refused
 * (false, err) while the memory does not hold the file's state. */
bool sandbox_persist_locked(Sandbox *sandbox, char *err, size_t err_size);
/* For a reset: the memory is being replaced on purpose, so a damaged file may be overwritten. */
void sandbox_state_replaced_locked(Sandbox *sandbox);
/* Drops the memory's unsaved changes by reading the file again (after a failure half-way
 * through a change); false when that reload failed. Without a state file it does nothing. */
bool sandbox_reload_locked(Sandbox *sandbox);
/* Opens the state at start (sandbox->state_file set): false with err naming the file. */
bool sandbox_shared_open(Sandbox *sandbox, char *err, size_t err_size);
/* At stop: removes the lock file (safely: lockers check they locked the file at the path). */
void sandbox_shared_close(Sandbox *sandbox);

/* Marks a stored cart busy with a checkout of this process; token is the checkout's own. */
void sandbox_cart_mark_busy(StoredCart *cart, char token[17]);
/* Busy with a checkout whose process still runs (a mark left by a dead process is stale). */
bool sandbox_cart_busy(const StoredCart *cart);

/* Random GUID (lower case) and opaque ids; thread-safe. */
void sandbox_guid(char out[37]);
void sandbox_random_hex(char *out, size_t hex_digits);
/* base64url-style id of n characters, like the modern order ids. */
void sandbox_random_id(char *out, size_t n);

#endif
