#include "sandbox/store.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/catalog.h"
#include "model/order.h"

/* Version 2 added "generation" and each busy cart's "checkoutBusy"; version 1 files (which
 * have neither) still load. */
#define STATE_VERSION 2
#define STATE_OLDEST_VERSION 1

Store *store_new(void) {
  return calloc(1, sizeof(Store));
}

void stored_cart_free(StoredCart *cart) {
  if (!cart)
    return;
  cart_free(cart->cart);
  free(cart->body);
  free(cart->checkout_body);
  free(cart);
}

static void stored_cart_free_void(void *p) {
  stored_cart_free(p);
}

static void stored_reply_free(void *p) {
  StoredReply *reply = p;
  free(reply->body);
  free(reply);
}

static void subscription_list_free(void *p) {
  subscription_list_clear(p);
  free(p);
}

static void ledger_entry_clear(LedgerEntry *e) {
  free(e->order_id);
  free(e->customer_id);
  free(e->cart_id);
  free(e->order_group);
  free(e->billing_cycle);
  free(e->status);
  free(e->request_id);
  free(e->correlation_id);
  free(e->creation_date);
  memset(e, 0, sizeof *e);
}

void store_reset(Store *store) {
  strmap_clear(&store->carts, stored_cart_free_void);
  strmap_clear(&store->replies, stored_reply_free);
  strmap_clear(&store->subscriptions, subscription_list_free);
  for (size_t i = 0; i < store->ledger_count; i++)
    ledger_entry_clear(&store->ledger[i]);
  store->ledger_count = 0;
}

void store_take_state(Store *dst, Store *src) {
  store_reset(dst);
  free(dst->ledger);
  dst->carts = src->carts;
  dst->replies = src->replies;
  dst->subscriptions = src->subscriptions;
  dst->ledger = src->ledger;
  dst->ledger_count = src->ledger_count;
  dst->ledger_capacity = src->ledger_capacity;
  src->carts = (StrMap){0};
  src->replies = (StrMap){0};
  src->subscriptions = (StrMap){0};
  src->ledger = NULL;
  src->ledger_count = src->ledger_capacity = 0;
}

void store_free(Store *store) {
  if (!store)
    return;
  store_reset(store);
  strmap_clear(&store->tokens, free);
  free(store->ledger);
  free(store);
}

StoredCart *store_cart_get(Store *store, const char *cart_id) {
  char key[40];
  size_t n = strlen(cart_id);
  if (n >= sizeof key)
    return NULL;
  for (size_t i = 0; i <= n; i++)
    key[i] = (char)(cart_id[i] >= 'A' && cart_id[i] <= 'Z' ? cart_id[i] + 32 : cart_id[i]);
  return strmap_get(&store->carts, key);
}

bool store_cart_put(Store *store, StoredCart *cart) {
  StoredCart *old = strmap_get(&store->carts, cart->id);
  if (old == cart)
    return true;
  if (!strmap_put(&store->carts, cart->id, cart)) {
    stored_cart_free(cart);
    return false;
  }
  stored_cart_free(old);
  return true;
}

const StoredReply *store_reply_get(Store *store, const char *key) {
  return strmap_get(&store->replies, key);
}

bool store_reply_put(Store *store, const char *key, int status, const char *body) {
  StoredReply *reply = calloc(1, sizeof *reply);
  if (!reply)
    return false;
  reply->status = status;
  reply->body = strdup(body ? body : "");
  StoredReply *old = strmap_get(&store->replies, key);
  if (!reply->body || !strmap_put(&store->replies, key, reply)) {
    stored_reply_free(reply);
    return false;
  }
  if (old)
    stored_reply_free(old);
  return true;
}

bool store_token_put(Store *store, const char *token, int64_t expires_us, const char *object_id) {
  StoredToken *entry = calloc(1, sizeof *entry);
  if (!entry)
    return false;
  entry->expires_us = expires_us;
  snprintf(entry->object_id, sizeof entry->object_id, "%s", object_id);
  if (!strmap_put(&store->tokens, token, entry)) {
    free(entry);
    return false;
  }
  return true;
}

const StoredToken *store_token_get(Store *store, const char *token) {
  return strmap_get(&store->tokens, token);
}

SubscriptionList *store_subscriptions(Store *store, const char *customer_id, bool create) {
  SubscriptionList *list = strmap_get(&store->subscriptions, customer_id);
  if (list || !create)
    return list;
  list = calloc(1, sizeof *list);
  if (!list || !strmap_put(&store->subscriptions, customer_id, list)) {
    free(list);
    return NULL;
  }
  return list;
}

static bool dup_into(char **dst, const char *src) {
  *dst = NULL;
  if (!src)
    return true;
  *dst = strdup(src);
  return *dst != NULL;
}

bool store_ledger_add(Store *store, const LedgerEntry *entry) {
  if (store->ledger_count == store->ledger_capacity) {
    size_t capacity = store->ledger_capacity ? store->ledger_capacity * 2 : 64;
    LedgerEntry *bigger = realloc(store->ledger, capacity * sizeof *bigger);
    if (!bigger)
      return false;
    store->ledger = bigger;
    store->ledger_capacity = capacity;
  }
  LedgerEntry *e = &store->ledger[store->ledger_count];
  memset(e, 0, sizeof *e);
  bool ok =
      dup_into(&e->order_id, entry->order_id) && dup_into(&e->customer_id, entry->customer_id) &&
      dup_into(&e->cart_id, entry->cart_id) && dup_into(&e->order_group, entry->order_group) &&
      dup_into(&e->billing_cycle, entry->billing_cycle) && dup_into(&e->status, entry->status) &&
      dup_into(&e->request_id, entry->request_id) &&
      dup_into(&e->correlation_id, entry->correlation_id) &&
      dup_into(&e->creation_date, entry->creation_date);
  if (!ok) {
    ledger_entry_clear(e);
    return false;
  }
  e->line_count = entry->line_count;
  store->ledger_count++;
  return true;
}

static cJSON *ledger_entry_to_json(const LedgerEntry *e) {
  cJSON *item = cJSON_CreateObject();
  if (!item)
    return NULL;
  bool ok = json_put_string(item, "orderId", e->order_id) &&
            json_put_string(item, "customerId", e->customer_id) &&
            json_put_string(item, "cartId", e->cart_id) &&
            json_put_string(item, "orderGroup", e->order_group) &&
            json_put_string(item, "billingCycle", e->billing_cycle) &&
            json_put_string(item, "status", e->status) &&
            json_put_string(item, "requestId", e->request_id) &&
            json_put_string(item, "correlationId", e->correlation_id) &&
            json_put_string(item, "creationDate", e->creation_date) &&
            json_put_int(item, "lineCount", opt_int(e->line_count));
  if (!ok) {
    cJSON_Delete(item);
    return NULL;
  }
  return item;
}

static void ledger_entry_from_json(LedgerEntry *e, const cJSON *item) {
  e->order_id = json_dup_string(item, "orderId");
  e->customer_id = json_dup_string(item, "customerId");
  e->cart_id = json_dup_string(item, "cartId");
  e->order_group = json_dup_string(item, "orderGroup");
  e->billing_cycle = json_dup_string(item, "billingCycle");
  e->status = json_dup_string(item, "status");
  e->request_id = json_dup_string(item, "requestId");
  e->correlation_id = json_dup_string(item, "correlationId");
  e->creation_date = json_dup_string(item, "creationDate");
  OptInt lines = json_get_int(item, "lineCount");
  e->line_count = lines.set ? lines.value : 0;
}

cJSON *store_ledger_to_json(const Store *store) {
  cJSON *items = cJSON_CreateArray();
  if (!items)
    return NULL;
  for (size_t i = 0; i < store->ledger_count; i++) {
    cJSON *item = ledger_entry_to_json(&store->ledger[i]);
    if (!item) {
      cJSON_Delete(items);
      return NULL;
    }
    cJSON_AddItemToArray(items, item);
  }
  return json_collection_take(items, NULL);
}

/* ----- the state file ----- */

static cJSON *stored_cart_to_json(const StoredCart *c) {
  cJSON *item = cJSON_CreateObject();
  cJSON *cart = cart_to_json(c->cart);
  if (!item || !cart) {
    cJSON_Delete(item);
    cJSON_Delete(cart);
    return NULL;
  }
  cJSON_AddItemToObject(item, "cart", cart);
  bool ok = json_put_string(item, "customerId", c->customer_id) &&
            cJSON_AddNumberToObject(item, "createdMicros", (double)c->created_us) &&
            cJSON_AddNumberToObject(item, "expiresMicros", (double)c->expires_us) &&
            json_put_string(item, "checkoutResult", c->checkout_body);
  if (ok && c->checkout_busy) {
    /* Other sandboxes on the same file must see the cart as busy (single-flight checkout
     * across processes), and be able to tell when its owner has died. */
    cJSON *busy = cJSON_AddObjectToObject(item, "checkoutBusy");
    ok = busy && cJSON_AddNumberToObject(busy, "pid", (double)c->busy_pid) &&
         cJSON_AddNumberToObject(busy, "processStart", (double)c->busy_start) &&
         json_put_string(busy, "token", c->busy_token);
  }
  if (!ok) {
    cJSON_Delete(item);
    return NULL;
  }
  return item;
}

static cJSON *state_to_json(const Store *store, int64_t clock_offset_us, const char *generation) {
  cJSON *root = cJSON_CreateObject();
  cJSON *carts = cJSON_AddArrayToObject(root, "carts");
  cJSON *replies = cJSON_AddObjectToObject(root, "createReplies");
  cJSON *subs = cJSON_AddObjectToObject(root, "subscriptions");
  cJSON *ledger = store_ledger_to_json(store);
  if (!root || !carts || !replies || !subs || !ledger)
    goto fail;
  cJSON_AddItemToObject(root, "ledger", ledger);
  ledger = NULL;
  if (!cJSON_AddNumberToObject(root, "version", STATE_VERSION) ||
      !json_put_string(root, "generation", generation) ||
      !cJSON_AddNumberToObject(root, "clockOffsetMicros", (double)clock_offset_us))
    goto fail;
  for (size_t i = 0; i < store->carts.capacity; i++) {
    if (!strmap_live(&store->carts, i))
      continue;
    cJSON *item = stored_cart_to_json(store->carts.slots[i].value);
    if (!item)
      goto fail;
    cJSON_AddItemToArray(carts, item);
  }
  for (size_t i = 0; i < store->replies.capacity; i++) {
    if (!strmap_live(&store->replies, i))
      continue;
    const StoredReply *reply = store->replies.slots[i].value;
    cJSON *item = cJSON_CreateObject();
    if (!item)
      goto fail;
    cJSON_AddItemToObject(replies, store->replies.slots[i].key, item);
    if (!cJSON_AddNumberToObject(item, "status", reply->status) ||
        !json_put_string(item, "body", reply->body))
      goto fail;
  }
  for (size_t i = 0; i < store->subscriptions.capacity; i++) {
    if (!strmap_live(&store->subscriptions, i))
      continue;
    cJSON *list = subscription_list_to_json(store->subscriptions.slots[i].value);
    if (!list)
      goto fail;
    cJSON_AddItemToObject(subs, store->subscriptions.slots[i].key, list);
  }
  return root;
fail:
  cJSON_Delete(ledger);
  cJSON_Delete(root);
  return NULL;
}

bool store_save_file(const Store *store, int64_t clock_offset_us, const char *path, char *err,
                     size_t err_size) {
  return store_write_file(store, clock_offset_us, NULL, path, NULL, err, err_size);
}

bool store_write_file(const Store *store, int64_t clock_offset_us, const char *generation,
                      const char *path, struct stat *written, char *err, size_t err_size) {
  cJSON *root = state_to_json(store, clock_offset_us, generation);
  char *text = root ? cJSON_PrintUnformatted(root) : NULL;
  cJSON_Delete(root);
  if (!text) {
    snprintf(err, err_size, "out of memory while saving the state to %s", path);
    return false;
  }
  size_t len = strlen(text);
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp) {
    free(text);
    snprintf(err, err_size, "the state file path %s is too long", path);
    return false;
  }
  int fd = mkstemp(tmp);
  if (fd < 0) {
    snprintf(err, err_size, "cannot write the state file next to %s: %s", path, strerror(errno));
    free(text);
    return false;
  }
  size_t done = 0;
  while (done < len) {
    ssize_t n = write(fd, text + done, len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    done += (size_t)n;
  }
  free(text);
  bool ok = done == len && fsync(fd) == 0;
  int saved_errno = errno;
  /* The identity of what was written, taken from the file itself: a stat of the path after
   * the rename could already see someone else's file. Rename keeps inode, size and mtime. */
  if (ok && written && fstat(fd, written) != 0) {
    saved_errno = errno;
    ok = false;
  }
  ok = close(fd) == 0 && ok;
  if (ok && rename(tmp, path) != 0) {
    saved_errno = errno;
    ok = false;
  }
  if (!ok) {
    unlink(tmp);
    snprintf(err, err_size, "cannot write the state file %s: %s", path, strerror(saved_errno));
    return false;
  }
  /* Make the rename itself durable. */
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (slash)
    *(slash == dir ? slash + 1 : slash) = '\0';
  else
    snprintf(dir, sizeof dir, ".");
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return true;
}

static char *read_file(const char *path, bool *missing, char *err, size_t err_size) {
  *missing = false;
  FILE *f = fopen(path, "rb");
  if (!f) {
    if (errno == ENOENT) {
      *missing = true;
      return NULL;
    }
    snprintf(err, err_size, "cannot read the state file %s: %s", path, strerror(errno));
    return NULL;
  }
  char *text = NULL;
  size_t size = 0, capacity = 0;
  for (;;) {
    if (size + 65536 + 1 > capacity) {
      capacity = capacity ? capacity * 2 : 131072;
      char *bigger = realloc(text, capacity);
      if (!bigger) {
        free(text);
        fclose(f);
        snprintf(err, err_size, "out of memory reading the state file %s", path);
        return NULL;
      }
      text = bigger;
    }
    size_t n = fread(text + size, 1, 65536, f);
    size += n;
    if (n < 65536)
      break;
  }
  bool failed = ferror(f);
  fclose(f);
  if (failed) {
    free(text);
    snprintf(err, err_size, "cannot read the state file %s", path);
    return NULL;
  }
  text[size] = '\0';
  return text;
}

static bool load_carts(Store *store, const cJSON *carts, const char *path, char *err,
                       size_t err_size) {
  int index = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, carts) {
    char why[256] = "";
    const cJSON *cart_json = json_get(item, "cart");
    char *customer = json_dup_string(item, "customerId");
    StoredCart *c = calloc(1, sizeof *c);
    Cart *cart = cart_json ? cart_from_json(cart_json, why, sizeof why) : NULL;
    if (!c || !cart || !customer || !cart->id || strlen(cart->id) >= sizeof c->id ||
        strlen(customer) >= sizeof c->customer_id) {
      snprintf(err, err_size, "the state file %s has a damaged cart (carts[%d]%s%s)", path, index,
               why[0] ? ": " : "", why);
      free(customer);
      free(c);
      cart_free(cart);
      return false;
    }
    /* Keys are lower case whatever the file says (hand-edited files happen in class). */
    for (size_t i = 0; cart->id[i]; i++)
      c->id[i] = (char)tolower((unsigned char)cart->id[i]);
    for (size_t i = 0; customer[i]; i++)
      c->customer_id[i] = (char)tolower((unsigned char)customer[i]);
    free(customer);
    c->cart = cart;
    c->created_us = (int64_t)cJSON_GetNumberValue(json_get(item, "createdMicros"));
    c->expires_us = (int64_t)cJSON_GetNumberValue(json_get(item, "expiresMicros"));
    c->checkout_body = json_dup_string(item, "checkoutResult");
    const cJSON *busy = json_get(item, "checkoutBusy");
    if (cJSON_IsObject(busy)) {
      char *token = json_dup_string(busy, "token");
      c->checkout_busy = true;
      /* Absent or not numbers (a hand-edited file): 0, an owner that is never alive. */
      const cJSON *pid = json_get(busy, "pid"), *start = json_get(busy, "processStart");
      c->busy_pid = cJSON_IsNumber(pid) && pid->valuedouble > 0 ? (long)pid->valuedouble : 0;
      c->busy_start = cJSON_IsNumber(start) && start->valuedouble > 0
                          ? (unsigned long long)start->valuedouble
                          : 0;
      snprintf(c->busy_token, sizeof c->busy_token, "%s", token ? token : "");
      free(token);
    }
    for (size_t i = 0; i < cart->line_items.count; i++)
      if (cart->line_items.items[i].error)
        c->has_line_errors = true;
    cJSON *json = cart_to_json(cart);
    c->body = json ? model_json_print(json) : NULL;
    cJSON_Delete(json);
    /* store_cart_put frees the cart when it fails, so c must not be read after it. */
    bool stored = c->body ? store_cart_put(store, c) : (stored_cart_free(c), false);
    if (!stored) {
      snprintf(err, err_size, "out of memory loading the state file %s", path);
      return false;
    }
    index++;
  }
  return true;
}

bool store_load_file(Store *store, int64_t *clock_offset_us, const char *path, char *err,
                     size_t err_size) {
  return store_read_file(store, clock_offset_us, NULL, path, err, err_size);
}

bool store_read_file(Store *store, int64_t *clock_offset_us, char *generation, const char *path,
                     char *err, size_t err_size) {
  if (generation)
    generation[0] = '\0';
  bool missing;
  char *text = read_file(path, &missing, err, err_size);
  if (missing)
    return true; /* a new class starts with an empty state */
  if (!text)
    return false;
  cJSON *root = cJSON_Parse(text);
  free(text);
  const cJSON *version = root ? json_get(root, "version") : NULL;
  if (!root || !cJSON_IsObject(root) || !cJSON_IsNumber(version)) {
    snprintf(err, err_size,
             "the state file %s is not a pccart-sandbox state file (not JSON with a version); "
             "move it away or give another --state file",
             path);
    cJSON_Delete(root);
    return false;
  }
  if (version->valueint < STATE_OLDEST_VERSION || version->valueint > STATE_VERSION) {
    snprintf(err, err_size,
             "the state file %s has version %d; this sandbox reads versions %d to %d", path,
             version->valueint, STATE_OLDEST_VERSION, STATE_VERSION);
    cJSON_Delete(root);
    return false;
  }
  const cJSON *stamp = json_get(root, "generation");
  if (generation && cJSON_IsString(stamp) && strlen(stamp->valuestring) < STORE_GENERATION_SIZE)
    snprintf(generation, STORE_GENERATION_SIZE, "%s", stamp->valuestring);
  store_reset(store);
  *clock_offset_us = (int64_t)cJSON_GetNumberValue(json_get(root, "clockOffsetMicros"));
  bool ok = load_carts(store, json_get(root, "carts"), path, err, err_size);
  const cJSON *item;
  cJSON_ArrayForEach(item, json_get(json_get(root, "ledger"), "items")) {
    if (!ok)
      break;
    LedgerEntry e = {0};
    ledger_entry_from_json(&e, item);
    ok = store_ledger_add(store, &e);
    ledger_entry_clear(&e);
  }
  cJSON_ArrayForEach(item, json_get(root, "createReplies")) {
    if (!ok)
      break;
    const cJSON *body = json_get(item, "body");
    ok = store_reply_put(store, item->string, (int)cJSON_GetNumberValue(json_get(item, "status")),
                         cJSON_IsString(body) ? body->valuestring : "");
  }
  cJSON_ArrayForEach(item, json_get(root, "subscriptions")) {
    if (!ok)
      break;
    SubscriptionList *list = store_subscriptions(store, item->string, true);
    ok = list && subscription_list_from_json(list, item, err, err_size);
  }
  cJSON_Delete(root);
  if (!ok && !err[0])
    snprintf(err, err_size, "the state file %s is damaged or memory ran out loading it", path);
  return ok;
}
