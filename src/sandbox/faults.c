/* Armed faults: what the next matching requests suffer, and the hold/release gate. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sandbox/internal.h"

static const struct {
  FaultKind kind;
  const char *name;
} fault_kinds[] = {
    {FAULT_THROTTLE, "throttle"},
    {FAULT_STATUS, "status"},
    {FAULT_DELAY, "delay"},
    {FAULT_HOLD, "hold"},
    {FAULT_DROP, "drop"},
    {FAULT_DROP_AFTER_COMMIT, "drop-after-commit"},
    {FAULT_FAIL_ORDER_GROUP, "fail-order-group"},
    {FAULT_HOLD_BUSY, "hold-busy"},
};

const char *fault_kind_name(FaultKind kind) {
  for (size_t i = 0; i < sizeof fault_kinds / sizeof fault_kinds[0]; i++)
    if (fault_kinds[i].kind == kind)
      return fault_kinds[i].name;
  return "unknown";
}

static bool fault_kind_parse(const char *name, FaultKind *kind) {
  for (size_t i = 0; name && i < sizeof fault_kinds / sizeof fault_kinds[0]; i++)
    if (strcmp(fault_kinds[i].name, name) == 0) {
      *kind = fault_kinds[i].kind;
      return true;
    }
  return false;
}

/* The operations a fault may name; "*" matches them all. */
static const char *const known_ops[] = {
    "token",
    "customers.list",
    "customers.get",
    "customers.subscriptions",
    "catalog.products",
    "catalog.product",
    "catalog.skus",
    "catalog.sku",
    "catalog.availabilities",
    "catalog.availability",
    "catalog.promotions",
    "offers.list",
    "offers.get",
    "carts.create",
    "carts.get",
    "carts.update",
    "carts.checkout",
};

static bool op_known(const char *op) {
  if (strcmp(op, "*") == 0)
    return true;
  for (size_t i = 0; i < sizeof known_ops / sizeof known_ops[0]; i++)
    if (strcmp(known_ops[i], op) == 0)
      return true;
  return false;
}

bool faults_init(FaultSet *faults) {
  memset(faults, 0, sizeof *faults);
  faults->next_id = 1;
  if (pthread_mutex_init(&faults->lock, NULL) != 0)
    return false;
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  bool ok = pthread_cond_init(&faults->changed, &attr) == 0;
  pthread_condattr_destroy(&attr);
  if (!ok)
    pthread_mutex_destroy(&faults->lock);
  return ok;
}

void faults_destroy(FaultSet *faults) {
  free(faults->items);
  pthread_cond_destroy(&faults->changed);
  pthread_mutex_destroy(&faults->lock);
}

bool faults_arm(FaultSet *faults, const Fault *fault, long *id) {
  pthread_mutex_lock(&faults->lock);
  Fault *bigger = realloc(faults->items, (faults->count + 1) * sizeof *bigger);
  if (!bigger) {
    pthread_mutex_unlock(&faults->lock);
    return false;
  }
  faults->items = bigger;
  Fault *f = &faults->items[faults->count++];
  *f = *fault;
  f->id = faults->next_id++;
  f->seen = 0;
  if (f->every < 1)
    f->every = 1;
  if (id)
    *id = f->id;
  pthread_mutex_unlock(&faults->lock);
  return true;
}

static bool read_long(const cJSON *json, const char *name, long min, long max, long *out, char *err,
                      size_t err_size) {
  const cJSON *item = json_get(json, name);
  if (!item)
    return true;
  if (!cJSON_IsNumber(item) || item->valuedouble < (double)min || item->valuedouble > (double)max ||
      item->valuedouble != (double)(long)item->valuedouble) {
    snprintf(err, err_size, "\"%s\" must be a whole number from %ld to %ld", name, min, max);
    return false;
  }
  *out = (long)item->valuedouble;
  return true;
}

bool faults_arm_json(FaultSet *faults, const cJSON *json, long *id, char *err, size_t err_size) {
  if (!cJSON_IsObject(json)) {
    snprintf(err, err_size,
             "a fault is a JSON object like {\"match\":\"carts.checkout\",\"kind\":\"throttle\"}");
    return false;
  }
  Fault f = {.times = 1, .every = 1, .status = 500, .retry_after = -1, .code = -1};
  const cJSON *match = json_get(json, "match");
  const cJSON *kind = json_get(json, "kind");
  if (!cJSON_IsString(match) || !op_known(match->valuestring) ||
      strlen(match->valuestring) >= sizeof f.match) {
    snprintf(err, err_size,
             "\"match\" must be \"*\" or an operation name such as carts.create, carts.checkout, "
             "customers.list (see docs/sandbox.md)");
    return false;
  }
  snprintf(f.match, sizeof f.match, "%s", match->valuestring);
  if (!cJSON_IsString(kind) || !fault_kind_parse(kind->valuestring, &f.kind)) {
    snprintf(err, err_size,
             "\"kind\" must be one of throttle, status, delay, hold, hold-busy, drop, "
             "drop-after-commit, fail-order-group");
    return false;
  }
  long status = f.status;
  if (!read_long(json, "times", 0, 1000000, &f.times, err, err_size) ||
      !read_long(json, "every", 1, 1000000, &f.every, err, err_size) ||
      !read_long(json, "status", 400, 599, &status, err, err_size) ||
      !read_long(json, "retryAfter", 0, 86400, &f.retry_after, err, err_size) ||
      !read_long(json, "delayMs", 0, 600000, &f.delay_ms, err, err_size) ||
      !read_long(json, "code", 0, 99999999, &f.code, err, err_size))
    return false;
  f.status = (int)status;
  const cJSON *description = json_get(json, "description");
  if (cJSON_IsString(description))
    snprintf(f.description, sizeof f.description, "%s", description->valuestring);
  const cJSON *group = json_get(json, "orderGroup");
  if (f.kind == FAULT_FAIL_ORDER_GROUP) {
    if (!cJSON_IsString(group) || !group->valuestring[0] ||
        strlen(group->valuestring) >= sizeof f.order_group) {
      snprintf(err, err_size,
               "a fail-order-group fault needs \"orderGroup\", e.g. \"0\" or \"OMS-0\"");
      return false;
    }
    snprintf(f.order_group, sizeof f.order_group, "%s", group->valuestring);
  }
  if (f.kind == FAULT_THROTTLE && f.retry_after < 0)
    f.retry_after = 2;
  if (f.kind == FAULT_DELAY && !json_get(json, "delayMs")) {
    snprintf(err, err_size, "a delay fault needs \"delayMs\"");
    return false;
  }
  if (!faults_arm(faults, &f, id)) {
    snprintf(err, err_size, "out of memory");
    return false;
  }
  return true;
}

void faults_clear(FaultSet *faults) {
  pthread_mutex_lock(&faults->lock);
  free(faults->items);
  faults->items = NULL;
  faults->count = 0;
  pthread_mutex_unlock(&faults->lock);
}

cJSON *faults_to_json(FaultSet *faults) {
  cJSON *items = cJSON_CreateArray();
  if (!items)
    return NULL;
  pthread_mutex_lock(&faults->lock);
  bool ok = true;
  for (size_t i = 0; ok && i < faults->count; i++) {
    const Fault *f = &faults->items[i];
    cJSON *item = cJSON_CreateObject();
    ok = item != NULL;
    if (!ok)
      break;
    cJSON_AddItemToArray(items, item);
    ok = json_put_int(item, "id", opt_int(f->id)) && json_put_string(item, "match", f->match) &&
         json_put_string(item, "kind", fault_kind_name(f->kind)) &&
         json_put_int(item, "times", opt_int(f->times)) &&
         json_put_int(item, "every", opt_int(f->every));
    if (ok && f->kind == FAULT_STATUS)
      ok = json_put_int(item, "status", opt_int(f->status));
    if (ok && f->retry_after >= 0)
      ok = json_put_int(item, "retryAfter", opt_int(f->retry_after));
    if (ok && f->kind == FAULT_DELAY)
      ok = json_put_int(item, "delayMs", opt_int(f->delay_ms));
    if (ok && f->order_group[0])
      ok = json_put_string(item, "orderGroup", f->order_group);
  }
  pthread_mutex_unlock(&faults->lock);
  if (!ok) {
    cJSON_Delete(items);
    return NULL;
  }
  return items;
}

bool faults_take(FaultSet *faults, const char *op, const FaultKind *kinds, size_t kind_count,
                 Fault *out) {
  bool taken = false;
  pthread_mutex_lock(&faults->lock);
  for (size_t i = 0; i < faults->count && !taken; i++) {
    Fault *f = &faults->items[i];
    bool kind_matches = false;
    for (size_t k = 0; k < kind_count; k++)
      kind_matches = kind_matches || f->kind == kinds[k];
    if (!kind_matches || (strcmp(f->match, "*") != 0 && strcmp(f->match, op) != 0))
      continue;
    f->seen++;
    if (f->seen % f->every != 0)
      continue;
    *out = *f;
    taken = true;
    if (f->times > 0 && --f->times == 0) {
      memmove(f, f + 1, (faults->count - i - 1) * sizeof *f);
      faults->count--;
    }
  }
  pthread_mutex_unlock(&faults->lock);
  return taken;
}

static struct timespec deadline_after(long ms) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  ts.tv_sec += ms / 1000;
  ts.tv_nsec += (ms % 1000) * 1000000L;
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  return ts;
}

void faults_pause(FaultSet *faults, const Fault *fault) {
  pthread_mutex_lock(&faults->lock);
  if (fault->kind == FAULT_DELAY) {
    struct timespec deadline = deadline_after(fault->delay_ms);
    while (!faults->stopping &&
           pthread_cond_timedwait(&faults->changed, &faults->lock, &deadline) != ETIMEDOUT) {
    }
  } else if (fault->kind == FAULT_HOLD || fault->kind == FAULT_HOLD_BUSY) {
    unsigned long generation = faults->release_generation;
    faults->held++;
    pthread_cond_broadcast(&faults->changed);
    while (!faults->stopping && generation == faults->release_generation)
      pthread_cond_wait(&faults->changed, &faults->lock);
    faults->held--;
  }
  pthread_mutex_unlock(&faults->lock);
}

long faults_release(FaultSet *faults) {
  pthread_mutex_lock(&faults->lock);
  long released = faults->held;
  faults->release_generation++;
  pthread_cond_broadcast(&faults->changed);
  pthread_mutex_unlock(&faults->lock);
  return released;
}

bool faults_wait_held(FaultSet *faults, long count, long timeout_ms) {
  struct timespec deadline = deadline_after(timeout_ms);
  pthread_mutex_lock(&faults->lock);
  bool reached = true;
  while (faults->held < count && !faults->stopping) {
    if (pthread_cond_timedwait(&faults->changed, &faults->lock, &deadline) == ETIMEDOUT) {
      reached = faults->held >= count;
      break;
    }
  }
  if (faults->stopping)
    reached = false;
  pthread_mutex_unlock(&faults->lock);
  return reached;
}

void faults_stop(FaultSet *faults) {
  pthread_mutex_lock(&faults->lock);
  faults->stopping = true;
  pthread_cond_broadcast(&faults->changed);
  pthread_mutex_unlock(&faults->lock);
}

void sandbox_pause_point(Sandbox *sandbox, SandboxRequest *request) {
  if (request->paused)
    return;
  request->paused = true;
  static const FaultKind pause_kinds[] = {FAULT_DELAY, FAULT_HOLD};
  Fault fault;
  if (faults_take(&sandbox->faults, request->op, pause_kinds, 2, &fault))
    faults_pause(&sandbox->faults, &fault);
}
