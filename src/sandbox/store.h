/* The sandbox's memory: carts with their cached replies, stored checkout results, the
 * order ledger, idempotent replies, bearer tokens, subscriptions bought here, and the
 * state file that keeps them across restarts. The caller holds the sandbox lock. */
#ifndef PCCART_SANDBOX_STORE_H
#define PCCART_SANDBOX_STORE_H

#include <stdint.h>
#include <sys/stat.h>

#include "model/cart.h"
#include "model/customer.h"
#include "sandbox/strmap.h"

typedef struct StoredCart {
  char id[40];          /* lower case */
  char customer_id[40]; /* lower case */
  Cart *cart;
  char *body; /* the GET reply, kept so reads cost a copy */
  int64_t created_us;
  int64_t expires_us;
  bool has_line_errors;
  bool checkout_busy;
  /* Who is checking the cart out. With a shared state file that may be another process, and
   * an in-process sandbox dies with its pccart: a busy mark whose process is gone is stale.
   * The token tells a checkout, after the state was reloaded, that the mark is still its own. */
  long busy_pid;
  unsigned long long busy_start; /* the owner's start time (/proc/PID/stat), 0 when unknown */
  char busy_token[17];
  char *checkout_body; /* the stored CartCheckoutResult once Ordered */
} StoredCart;

typedef struct LedgerEntry {
  char *order_id;
  char *customer_id;
  char *cart_id;
  char *order_group;
  char *billing_cycle;
  char *status;
  char *request_id;
  char *correlation_id;
  char *creation_date;
  long line_count;
} LedgerEntry;

typedef struct StoredReply {
  int status;
  char *body;
} StoredReply;

typedef struct StoredToken {
  int64_t expires_us;
  char object_id[40];
} StoredToken;

typedef struct Store {
  StrMap carts;         /* cart id -> StoredCart */
  StrMap replies;       /* "create:" + MS-RequestId -> StoredReply */
  StrMap tokens;        /* access token -> StoredToken */
  StrMap subscriptions; /* customer id -> SubscriptionList bought in the sandbox */
  LedgerEntry *ledger;
  size_t ledger_count;
  size_t ledger_capacity;
} Store;

Store *store_new(void);
void store_free(Store *store);
/* Forgets everything (carts, replies, ledger, bought subscriptions); tokens stay valid. */
void store_reset(Store *store);
/* Replaces dst's carts, replies, ledger and bought subscriptions with src's, leaving src
 * without them; dst's tokens stay (they are never in the state file). */
void store_take_state(Store *dst, Store *src);

StoredCart *store_cart_get(Store *store, const char *cart_id);
/* Takes the cart; false when out of memory (the cart is then freed). */
bool store_cart_put(Store *store, StoredCart *cart);
void stored_cart_free(StoredCart *cart);

const StoredReply *store_reply_get(Store *store, const char *key);
bool store_reply_put(Store *store, const char *key, int status, const char *body);

bool store_token_put(Store *store, const char *token, int64_t expires_us, const char *object_id);
const StoredToken *store_token_get(Store *store, const char *token);

/* Subscriptions the customer bought in the sandbox (NULL when none and !create). */
SubscriptionList *store_subscriptions(Store *store, const char *customer_id, bool create);

/* Copies the entry's strings; false when out of memory. */
bool store_ledger_add(Store *store, const LedgerEntry *entry);
cJSON *store_ledger_to_json(const Store *store);

/* The state file: carts, replies, ledger, subscriptions and the clock offset, written
 * atomically (temporary file, fsync, rename). Load fails with a sentence naming the file. */
bool store_save_file(const Store *store, int64_t clock_offset_us, const char *path, char *err,
                     size_t err_size);
bool store_load_file(Store *store, int64_t *clock_offset_us, const char *path, char *err,
                     size_t err_size);

#define STORE_GENERATION_SIZE 17 /* 16 hex digits and the NUL */

/* store_save_file that also records generation (NULL: none), the mark of this write that
 * several sandboxes sharing the file compare, and (written non-NULL) the file's identity as
 * written: device, inode, size and modification time. */
bool store_write_file(const Store *store, int64_t clock_offset_us, const char *generation,
                      const char *path, struct stat *written, char *err, size_t err_size);
/* store_load_file that also gives the generation recorded in the file ("" when it has none:
 * version 1 files, hand-written ones). generation may be NULL. */
bool store_read_file(Store *store, int64_t *clock_offset_us, char *generation, const char *path,
                     char *err, size_t err_size);

#endif
