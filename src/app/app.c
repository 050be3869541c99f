/* The app-state model's core: the state's life, the outbox the UI drains into the worker, the
 * results it feeds back (dispatched to the customers, cart and catalog parts), messages, and
 * the catalog loads. */
#include "app/app_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Messages not yet taken are kept up to this many (the oldest dropped): a UI that stops taking
 * them must not make the state grow without bound. */
#define MESSAGES_MAX 64

char *app_strdup(const char *s) {
  return model_strdup(s);
}

AppState *app_new(const AppOptions *options) {
  AppState *state = calloc(1, sizeof *state);
  if (!state) {
    return NULL;
  }
  state->internal = calloc(1, sizeof *state->internal);
  state->profile_name = app_strdup(options && options->profile_name ? options->profile_name : "");
  state->cart.draft = cart_new();
  state->catalog.catalog = catalog_new();
  if (!state->internal || !state->profile_name || !state->cart.draft || !state->catalog.catalog) {
    app_free(state);
    return NULL;
  }
  state->is_live = options && options->is_live;
  long size = options ? options->page_size : 0;
  state->page_size = size >= 1 && size <= 500 ? size : 100;
  customers_init(&state->customers);
  state->changes = APP_CHANGED_ALL;
  return state;
}

void app_free(AppState *state) {
  if (!state) {
    return;
  }
  for (size_t i = 0; i < state->outbox_count; i++) {
    job_free(state->outbox[i]);
  }
  free(state->outbox);
  free(state->outbox_slots);
  free(state->messages);
  if (state->internal) {
    customers_free(state);
    free(state->internal->folded_filter);
    free(state->internal->pending_prefix);
    free(state->internal);
  }
  cart_state_free(&state->cart);
  catalog_free(state->catalog.catalog);
  subscription_list_clear(&state->catalog.subscriptions);
  free(state->profile_name);
  free(state);
}

unsigned app_take_changes(AppState *state) {
  unsigned changes = state->changes;
  state->changes = 0;
  return changes;
}

/* ----- messages ----- */

void app_vpost(AppState *state, AppMessageLevel level, long code, long http_status,
               const char *request_id, const char *format, va_list args) {
  AppMessage message = {.level = level, .code = code, .http_status = http_status};
  vsnprintf(message.text, sizeof message.text, format, args);
  snprintf(message.request_id, sizeof message.request_id, "%s", request_id ? request_id : "");
  state->last_message = message;
  state->changes |= APP_CHANGED_STATUS;
  AppInternal *in = state->internal;
  if (state->message_count == MESSAGES_MAX) {
    memmove(state->messages, state->messages + 1, (MESSAGES_MAX - 1) * sizeof *state->messages);
    state->message_count--;
  }
  if (state->message_count == in->message_capacity) {
    size_t capacity = in->message_capacity ? in->message_capacity * 2 : 8;
    AppMessage *grown = realloc(state->messages, capacity * sizeof *grown);
    if (!grown) {
      return; /* the status bar still shows it through last_message */
    }
    state->messages = grown;
    in->message_capacity = capacity;
  }
  state->messages[state->message_count++] = message;
}

void app_post(AppState *state, AppMessageLevel level, long code, long http_status,
              const char *request_id, const char *format, ...) {
  va_list args;
  va_start(args, format);
  app_vpost(state, level, code, http_status, request_id, format, args);
  va_end(args);
}

void app_message(AppState *state, AppMessageLevel level, const char *format, ...) {
  va_list args;
  va_start(args, format);
  app_vpost(state, level, 0, 0, NULL, format, args);
  va_end(args);
}

bool app_take_message(AppState *state, AppMessage *out) {
  if (state->message_count == 0) {
    return false;
  }
  *out = state->messages[0];
  state->message_count--;
  memmove(state->messages, state->messages + 1, state->message_count * sizeof *state->messages);
  return true;
}

void app_post_failure(AppState *state, const JobResult *result) {
  const PcError *e = &result->error;
  const char *request_id = e->request_id[0] ? e->request_id : result->info.request_id;
  const char *what = job_kind_name(result->kind);
  if (e->outcome_unknown) {
    /* Never "cancelled" or "failed" for what the service may have carried out. */
    app_post(state, APP_MESSAGE_WARNING, e->code, e->http_status, request_id, "%s", e->message);
    return;
  }
  if (e->kind == PC_ERROR_CANCELLED) {
    app_post(state, APP_MESSAGE_INFO, 0, 0, request_id, "The %s was cancelled.", what);
    return;
  }
  long status = e->http_status ? e->http_status : result->info.status;
  if (e->message[0]) {
    app_post(state, APP_MESSAGE_ERROR, e->code, status, request_id, "%s", e->message);
  } else {
    app_post(state, APP_MESSAGE_ERROR, e->code, status, request_id, "The %s failed.", what);
  }
}

/* ----- the outbox ----- */

bool app_outbox_push(AppState *state, Job *job, AppSlot slot) {
  AppInternal *in = state->internal;
  if (!job) {
    app_message(state, APP_MESSAGE_ERROR, "Out of memory: the request was not queued.");
    return false;
  }
  if (state->outbox_count == in->outbox_capacity) {
    size_t capacity = in->outbox_capacity ? in->outbox_capacity * 2 : 8;
    Job **jobs = realloc(state->outbox, capacity * sizeof *jobs);
    if (jobs) {
      state->outbox = jobs;
    }
    long *slots = jobs ? realloc(state->outbox_slots, capacity * sizeof *slots) : NULL;
    if (slots) {
      state->outbox_slots = slots;
    }
    if (!jobs || !slots) {
      job_free(job);
      app_message(state, APP_MESSAGE_ERROR, "Out of memory: the request was not queued.");
      return false;
    }
    in->outbox_capacity = capacity;
  }
  state->outbox[state->outbox_count] = job;
  state->outbox_slots[state->outbox_count] = slot;
  state->outbox_count++;
  state->changes |= APP_CHANGED_STATUS;
  return true;
}

bool app_outbox_has(const AppState *state, AppSlot slot) {
  for (size_t i = 0; i < state->outbox_count; i++) {
    if (state->outbox[i] && state->outbox_slots[i] == slot) {
      return true;
    }
  }
  return false;
}

void app_outbox_drop(AppState *state, AppSlot slot) {
  size_t kept = 0;
  for (size_t i = 0; i < state->outbox_count; i++) {
    /* A job already handed out (NULL) keeps its place until app_job_submitted. */
    if (state->outbox[i] && state->outbox_slots[i] == slot) {
      job_free(state->outbox[i]);
      continue;
    }
    state->outbox[kept] = state->outbox[i];
    state->outbox_slots[kept] = state->outbox_slots[i];
    kept++;
  }
  state->outbox_count = kept;
}

/* The job handed out is the outbox's first entry, set to NULL until app_job_submitted says
 * what became of it (its slot is still needed then). */
Job *app_next_job(AppState *state) {
  if (state->outbox_count == 0 || !state->outbox[0]) {
    return NULL;
  }
  Job *job = state->outbox[0];
  state->outbox[0] = NULL;
  return job;
}

static long *slot_field(AppState *state, AppSlot slot) {
  switch (slot) {
  case SLOT_CUSTOMERS:
    return &state->customers.job_id;
  case SLOT_SAVE:
    return &state->cart.save_job;
  case SLOT_CHECKOUT:
    return &state->cart.checkout_job;
  case SLOT_RELOAD:
    return &state->cart.reload_job;
  case SLOT_PRODUCTS:
    return &state->catalog.products_job;
  case SLOT_SKUS:
    return &state->catalog.skus_job;
  case SLOT_AVAILABILITIES:
    return &state->catalog.availabilities_job;
  case SLOT_SUBSCRIPTIONS:
    return &state->catalog.subscriptions_job;
  case SLOT_CATALOG_ALL:
    return &state->internal->catalog_all_job;
  }
  return NULL;
}

void app_job_submitted(AppState *state, long job_id, const char *why) {
  if (state->outbox_count == 0 || state->outbox[0]) {
    return; /* nothing was handed out */
  }
  AppSlot slot = (AppSlot)state->outbox_slots[0];
  state->outbox_count--;
  memmove(state->outbox, state->outbox + 1, state->outbox_count * sizeof *state->outbox);
  memmove(state->outbox_slots, state->outbox_slots + 1,
          state->outbox_count * sizeof *state->outbox_slots);
  state->changes |= APP_CHANGED_STATUS;
  if (job_id > 0) {
    long *field = slot_field(state, slot);
    if (field) {
      *field = job_id;
    }
    state->jobs_in_flight++;
    return;
  }
  app_post(state, APP_MESSAGE_ERROR, 0, 0, NULL, "%s",
           why && *why ? why : "The request could not be started.");
  switch (slot) {
  case SLOT_CUSTOMERS:
    customers_refused(state);
    break;
  case SLOT_SAVE:
  case SLOT_CHECKOUT:
  case SLOT_RELOAD:
    cart_state_refused(state, slot);
    break;
  default:
    catalog_state_refused(state, slot);
    break;
  }
}

static void reconcile_apply(AppState *state, JobResult *result);

void app_apply_result(AppState *state, JobResult *result) {
  if (!result) {
    return;
  }
  if (result->event == JOB_RETRYING) {
    long seconds = (result->retry_wait_ms + 999) / 1000;
    const PcError *e = &result->error;
    const char *request_id = e->request_id[0] ? e->request_id : result->info.request_id;
    if (e->http_status == 429 || e->http_status == 503 || !e->message[0]) {
      app_post(state, APP_MESSAGE_WARNING, e->code, e->http_status, request_id,
               "Partner Center is busy; retrying in %ld s (attempt %d).", seconds, result->attempt);
    } else {
      app_post(state, APP_MESSAGE_WARNING, e->code, e->http_status, request_id,
               "%s Retrying in %ld s (attempt %d).", e->message, seconds, result->attempt);
    }
    job_result_free(result);
    return;
  }
  if (state->jobs_in_flight > 0) {
    state->jobs_in_flight--;
  }
  state->changes |= APP_CHANGED_STATUS;
  switch (result->kind) {
  case JOB_CUSTOMERS_LIST:
    customers_apply(state, result);
    break;
  case JOB_CART_CREATE:
  case JOB_CART_UPDATE:
  case JOB_CART_GET:
  case JOB_CART_CHECKOUT:
    cart_state_apply(state, result);
    break;
  case JOB_SUBSCRIPTIONS_LIST:
  case JOB_PRODUCTS_LIST:
  case JOB_SKUS_LIST:
  case JOB_AVAILABILITIES_LIST:
  case JOB_CATALOG_FETCH:
    catalog_state_apply(state, result);
    break;
  case JOB_CUSTOMER_GET:
    break; /* the state never asks for one */
  case JOB_RECONCILE:
    reconcile_apply(state, result);
    break;
  }
  job_result_free(result);
}

Job *app_reconcile_job(AppState *state) {
  (void)state;
  return job_new(JOB_RECONCILE);
}

void app_reconcile_submitted(AppState *state, long job_id, const char *why) {
  state->changes |= APP_CHANGED_STATUS;
  if (job_id <= 0) {
    app_post(state, APP_MESSAGE_WARNING, 0, 0, NULL, "Earlier submissions were not checked: %s",
             why && *why ? why : "the check could not start.");
    return;
  }
  state->internal->reconcile_job = job_id;
  state->jobs_in_flight++;
}

/* Tells what became of each submission an earlier run left unsettled. */
static void reconcile_apply(AppState *state, JobResult *result) {
  state->internal->reconcile_job = 0;
  if (!result->ok) {
    /* The store's own sentence names the file and what to do. */
    const char *m = result->error.message;
    app_post(state, APP_MESSAGE_WARNING, 0, 0, NULL, "%s%s", m,
             strstr(m, "are off") ? " The cart is not autosaved either."
                                  : " Recovery, history and the autosave are off.");
    return;
  }
  for (size_t i = 0; i < result->reconcile.count; i++) {
    const ReconcileItem *item = &result->reconcile.items[i];
    SubmissionState s = item->submission.state;
    app_post(state,
             s == SUBMISSION_DONE      ? APP_MESSAGE_SUCCESS
             : s == SUBMISSION_REFUSED ? APP_MESSAGE_INFO
                                       : APP_MESSAGE_WARNING,
             0, 0, item->submission.request_id, "Earlier run: %s", item->summary);
  }
}

long app_cancel_target(const AppState *state) {
  /* Job ids grow, so the newest in flight is the largest recorded. */
  long ids[] = {state->customers.job_id,           state->cart.save_job,
                state->cart.checkout_job,          state->cart.reload_job,
                state->catalog.products_job,       state->catalog.skus_job,
                state->catalog.availabilities_job, state->catalog.subscriptions_job,
                state->internal->catalog_all_job};
  long newest = 0;
  for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
    if (ids[i] > newest) {
      newest = ids[i];
    }
  }
  return newest;
}

bool app_busy(const AppState *state) {
  return state->jobs_in_flight > 0 || state->outbox_count > 0;
}

/* ----- the catalog ----- */

static bool same_text(const char *a, const char *b) {
  return a && b && strcmp(a, b) == 0;
}

/* Adds what src holds and dst lacks (the browser may ask twice; items already there stay). */
static bool catalog_merge(Catalog *dst, const Catalog *src) {
  bool ok = true;
  for (size_t i = 0; ok && i < src->product_count; i++) {
    if (!catalog_find_product(dst, src->products[i].id)) {
      ok = catalog_add_product(dst, &src->products[i]) != NULL;
    }
  }
  for (size_t i = 0; ok && i < src->sku_count; i++) {
    if (!catalog_find_sku(dst, src->skus[i].product_id, src->skus[i].id)) {
      ok = catalog_add_sku(dst, &src->skus[i]) != NULL;
    }
  }
  for (size_t i = 0; ok && i < src->availability_count; i++) {
    const Availability *a = &src->availabilities[i];
    if (!catalog_find_availability(dst, a->product_id, a->sku_id, a->id)) {
      ok = catalog_add_availability(dst, a) != NULL;
    }
  }
  for (size_t i = 0; ok && i < src->offer_count; i++) {
    if (!catalog_find_offer(dst, src->offers[i].id)) {
      ok = catalog_add_offer(dst, &src->offers[i]) != NULL;
    }
  }
  for (size_t i = 0; ok && i < src->promotion_count; i++) {
    if (!catalog_find_promotion(dst, src->promotions[i].id)) {
      ok = catalog_add_promotion(dst, &src->promotions[i]) != NULL;
    }
  }
  return ok;
}

static Job *catalog_job(AppState *state, JobKind kind) {
  Job *job = job_new(kind);
  if (job) {
    job->customer_id = app_strdup(state->cart.customer_id);
    if (!job->customer_id) {
      job_free(job);
      job = NULL;
    }
  }
  return job;
}

void app_catalog_load_products(AppState *state) {
  CatalogState *c = &state->catalog;
  if (!state->cart.customer_id || c->products_loaded || c->products_job ||
      app_outbox_has(state, SLOT_PRODUCTS)) {
    return;
  }
  app_outbox_push(state, catalog_job(state, JOB_PRODUCTS_LIST), SLOT_PRODUCTS);
  state->changes |= APP_CHANGED_CATALOG;
}

void app_catalog_load_skus(AppState *state, const char *product_id) {
  CatalogState *c = &state->catalog;
  if (!state->cart.customer_id || !product_id || !*product_id ||
      strlen(product_id) >= sizeof c->skus_loaded_for ||
      same_text(c->skus_loaded_for, product_id)) {
    return; /* loaded or loading */
  }
  app_outbox_drop(state, SLOT_SKUS); /* the browser moved on before it was sent */
  Job *job = catalog_job(state, JOB_SKUS_LIST);
  if (job && !(job->product_id = app_strdup(product_id))) {
    job_free(job);
    job = NULL;
  }
  if (app_outbox_push(state, job, SLOT_SKUS)) {
    snprintf(c->skus_loaded_for, sizeof c->skus_loaded_for, "%s", product_id);
    state->changes |= APP_CHANGED_CATALOG;
  }
}

void app_catalog_load_availabilities(AppState *state, const char *product_id, const char *sku_id) {
  CatalogState *c = &state->catalog;
  if (!state->cart.customer_id || !product_id || !*product_id || !sku_id || !*sku_id) {
    return;
  }
  char key[sizeof c->availabilities_loaded_for];
  int n = snprintf(key, sizeof key, "%s:%s", product_id, sku_id);
  if (n < 0 || (size_t)n >= sizeof key || same_text(c->availabilities_loaded_for, key)) {
    return;
  }
  app_outbox_drop(state, SLOT_AVAILABILITIES);
  Job *job = catalog_job(state, JOB_AVAILABILITIES_LIST);
  if (job && (!(job->product_id = app_strdup(product_id)) || !(job->sku_id = app_strdup(sku_id)))) {
    job_free(job);
    job = NULL;
  }
  if (app_outbox_push(state, job, SLOT_AVAILABILITIES)) {
    memcpy(c->availabilities_loaded_for, key, sizeof key);
    state->changes |= APP_CHANGED_CATALOG;
  }
}

void app_catalog_load_all(AppState *state) {
  AppInternal *in = state->internal;
  if (!state->cart.customer_id || in->catalog_all_loaded || in->catalog_all_job ||
      app_outbox_has(state, SLOT_CATALOG_ALL)) {
    return;
  }
  app_outbox_push(state, catalog_job(state, JOB_CATALOG_FETCH), SLOT_CATALOG_ALL);
  state->changes |= APP_CHANGED_CATALOG;
}

/* Queues the loads a newly picked customer needs. */
static void catalog_state_start(AppState *state) {
  app_outbox_push(state, catalog_job(state, JOB_SUBSCRIPTIONS_LIST), SLOT_SUBSCRIPTIONS);
  app_catalog_load_products(state);
}

/* Forgets the previous customer's catalog: results still in flight for them are dropped
 * because their ids are no longer recorded and their customer differs. */
static bool catalog_state_reset(AppState *state) {
  CatalogState *c = &state->catalog;
  Catalog *fresh = catalog_new();
  if (!fresh) {
    return false;
  }
  catalog_free(c->catalog);
  subscription_list_clear(&c->subscriptions);
  *c = (CatalogState){.catalog = fresh};
  state->internal->catalog_all_job = 0;
  state->internal->catalog_all_loaded = false;
  static const AppSlot slots[] = {SLOT_PRODUCTS, SLOT_SKUS, SLOT_AVAILABILITIES, SLOT_SUBSCRIPTIONS,
                                  SLOT_CATALOG_ALL};
  for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
    app_outbox_drop(state, slots[i]);
  }
  state->changes |= APP_CHANGED_CATALOG;
  return true;
}

void catalog_state_refused(AppState *state, AppSlot slot) {
  CatalogState *c = &state->catalog;
  switch (slot) {
  case SLOT_SKUS:
    c->skus_loaded_for[0] = '\0'; /* asking again must queue again */
    break;
  case SLOT_AVAILABILITIES:
    c->availabilities_loaded_for[0] = '\0';
    break;
  default:
    break;
  }
  state->changes |= APP_CHANGED_CATALOG;
}

void catalog_state_apply(AppState *state, JobResult *result) {
  CatalogState *c = &state->catalog;
  const Job *job = result->job;
  long id = result->job_id;
  bool current = job && same_text(job->customer_id, state->cart.customer_id);
  long *field = NULL;
  switch (result->kind) {
  case JOB_SUBSCRIPTIONS_LIST:
    field = &c->subscriptions_job;
    break;
  case JOB_PRODUCTS_LIST:
    field = &c->products_job;
    break;
  case JOB_SKUS_LIST:
    field = &c->skus_job;
    break;
  case JOB_AVAILABILITIES_LIST:
    field = &c->availabilities_job;
    break;
  default:
    field = &state->internal->catalog_all_job;
    break;
  }
  bool awaited = *field == id;
  if (awaited) {
    *field = 0;
  }
  if (!current) {
    return; /* another customer's: dropped */
  }
  state->changes |= APP_CHANGED_CATALOG;
  if (!result->ok) {
    if (result->kind == JOB_SKUS_LIST && same_text(c->skus_loaded_for, job->product_id)) {
      c->skus_loaded_for[0] = '\0';
    }
    if (result->kind == JOB_AVAILABILITIES_LIST) {
      c->availabilities_loaded_for[0] = '\0';
    }
    app_post_failure(state, result);
    return;
  }
  if (result->kind == JOB_SUBSCRIPTIONS_LIST) {
    subscription_list_clear(&c->subscriptions);
    c->subscriptions = result->subscriptions;
    result->subscriptions = (SubscriptionList){0};
    c->subscriptions_loaded = true;
    return;
  }
  if (result->catalog && !catalog_merge(c->catalog, result->catalog)) {
    app_message(state, APP_MESSAGE_ERROR, "Out of memory while adding to the catalog.");
    return;
  }
  if (result->kind == JOB_PRODUCTS_LIST) {
    c->products_loaded = true;
    if (result->warning.kind) {
      const PcError *w = &result->warning;
      app_post(state, APP_MESSAGE_WARNING, w->code, w->http_status, w->request_id,
               "The legacy offers (such as MS-AZR-0145P) were not loaded: %s",
               w->message[0] ? w->message : "the request failed.");
    }
  } else if (result->kind == JOB_CATALOG_FETCH) {
    c->products_loaded = true;
    state->internal->catalog_all_loaded = true;
  }
}

/* ----- picking a customer ----- */

bool app_customer_begin(AppState *state, char *id, char *name) {
  if (!id || !name || !cart_state_reset(state) || !catalog_state_reset(state)) {
    free(id);
    free(name);
    return false;
  }
  free(state->cart.customer_id);
  free(state->cart.customer_name);
  state->cart.customer_id = id;
  state->cart.customer_name = name;
  catalog_state_start(state);
  state->changes |= APP_CHANGED_CART | APP_CHANGED_PREVIEW | APP_CHANGED_RESULTS |
                    APP_CHANGED_CATALOG | APP_CHANGED_STATUS;
  return true;
}

bool app_customer_pick(AppState *state, char *why, size_t why_size) {
  const CustomerSummary *customer = app_customer_visible(state, state->customers.selected);
  if (!customer) {
    snprintf(why, why_size, "%s", "No customer is selected; load or filter the list first.");
    return false;
  }
  if (!app_customer_begin(state, app_strdup(customer->id), app_strdup(customer->company_name))) {
    snprintf(why, why_size, "%s", "Out of memory.");
    return false;
  }
  return true;
}
