/* The cart being built: line edits on the draft (ids kept 0..n-1), save (create or update)
 * and checkout with one MS-RequestId per intent, reload and open, the request body the preview
 * shows, and draft files. */
#define _GNU_SOURCE /* timegm */
#include "app/app_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Cart files are small; anything bigger than this is not one. */
#define DRAFT_MAX_BYTES (8L * 1024 * 1024)

static void say(char *why, size_t why_size, const char *text) {
  if (why && why_size) {
    snprintf(why, why_size, "%s", text);
  }
}

void cart_state_free(CartState *cart) {
  free(cart->customer_id);
  free(cart->customer_name);
  cart_free(cart->draft);
  checkout_result_free(cart->checkout);
  free(cart->last_response);
  *cart = (CartState){0};
}

bool cart_state_reset(AppState *state) {
  Cart *fresh = cart_new();
  if (!fresh) {
    return false;
  }
  CartState *cart = &state->cart;
  cart_free(cart->draft);
  checkout_result_free(cart->checkout);
  free(cart->last_response);
  char *customer_id = cart->customer_id;
  char *customer_name = cart->customer_name;
  *cart = (CartState){.customer_id = customer_id, .customer_name = customer_name, .draft = fresh};
  app_outbox_drop(state, SLOT_SAVE);
  app_outbox_drop(state, SLOT_CHECKOUT);
  app_outbox_drop(state, SLOT_RELOAD);
  state->internal->edit_generation++;
  state->changes |= APP_CHANGED_CART | APP_CHANGED_PREVIEW | APP_CHANGED_RESULTS;
  return true;
}

static bool save_in_flight(const AppState *state) {
  return state->cart.save_job || app_outbox_has(state, SLOT_SAVE);
}
static bool checkout_in_flight(const AppState *state) {
  return state->cart.checkout_job || app_outbox_has(state, SLOT_CHECKOUT);
}
static bool reload_in_flight(const AppState *state) {
  return state->cart.reload_job || app_outbox_has(state, SLOT_RELOAD);
}

static size_t lines_with_errors(const Cart *cart) {
  size_t n = 0;
  for (size_t i = 0; i < cart->line_items.count; i++) {
    n += cart->line_items.items[i].error != NULL;
  }
  return n;
}

static void renumber(Cart *cart) {
  for (size_t i = 0; i < cart->line_items.count; i++) {
    cart->line_items.items[i].id = opt_int((long)i);
  }
}

/* ----- editing ----- */

static bool can_edit(const AppState *state, char *why, size_t why_size) {
  if (!state->cart.customer_id) {
    say(why, why_size, "Pick a customer first.");
    return false;
  }
  if (state->cart.status == APP_CART_ORDERED) {
    say(why, why_size,
        "This cart has been ordered and cannot change; pick the customer again "
        "to start a new cart.");
    return false;
  }
  if (checkout_in_flight(state)) {
    say(why, why_size, "The cart is being checked out; wait for the checkout to finish.");
    return false;
  }
  return true;
}

static void edited(AppState *state) {
  CartState *cart = &state->cart;
  renumber(cart->draft);
  cart->dirty = true;
  state->internal->edit_generation++;
  /* Changed lines are a new intent: an outcome-unknown save of the old lines must not be
   * replayed for them. A save in flight keeps its id until its reply. */
  if (!save_in_flight(state)) {
    cart->save_request_id[0] = '\0';
  }
  state->changes |= APP_CHANGED_CART | APP_CHANGED_PREVIEW;
}

/* A copy of line for the draft: the server's verdict on the old line no longer applies. */
static bool line_copy_fresh(CartLineItem *dst, const CartLineItem *src) {
  if (!cart_line_item_copy(dst, src)) {
    return false;
  }
  cart_error_free(dst->error);
  dst->error = NULL;
  free(dst->order_group);
  dst->order_group = NULL;
  return true;
}

bool app_cart_add_line(AppState *state, const CartLineItem *line, char *why, size_t why_size) {
  if (!can_edit(state, why, why_size)) {
    return false;
  }
  if (!line) {
    say(why, why_size, "There is no line to add.");
    return false;
  }
  CartLineItem copy = {0};
  if (!line_copy_fresh(&copy, line)) {
    cart_line_item_clear(&copy);
    say(why, why_size, "Out of memory.");
    return false;
  }
  CartLineItem *slot = cart_line_list_append(&state->cart.draft->line_items);
  if (!slot) {
    cart_line_item_clear(&copy);
    say(why, why_size, "Out of memory.");
    return false;
  }
  *slot = copy;
  edited(state);
  return true;
}

static bool check_index(const AppState *state, size_t index, char *why, size_t why_size) {
  size_t count = state->cart.draft->line_items.count;
  if (index >= count) {
    if (why && why_size) {
      snprintf(why, why_size, "There is no line %zu; the cart has %zu line%s.", index + 1, count,
               count == 1 ? "" : "s");
    }
    return false;
  }
  return true;
}

bool app_cart_replace_line(AppState *state, size_t index, const CartLineItem *line, char *why,
                           size_t why_size) {
  if (!can_edit(state, why, why_size) || !check_index(state, index, why, why_size)) {
    return false;
  }
  CartLineItem copy = {0};
  if (!line || !line_copy_fresh(&copy, line)) {
    cart_line_item_clear(&copy);
    say(why, why_size, line ? "Out of memory." : "There is no line to put there.");
    return false;
  }
  CartLineItem *old = &state->cart.draft->line_items.items[index];
  cart_line_item_clear(old);
  *old = copy;
  edited(state);
  return true;
}

bool app_cart_duplicate_line(AppState *state, size_t index, char *why, size_t why_size) {
  if (!can_edit(state, why, why_size) || !check_index(state, index, why, why_size)) {
    return false;
  }
  CartLineItemList *list = &state->cart.draft->line_items;
  CartLineItem copy = {0};
  if (!line_copy_fresh(&copy, &list->items[index])) {
    cart_line_item_clear(&copy);
    say(why, why_size, "Out of memory.");
    return false;
  }
  CartLineItem *slot = cart_line_list_append(list); /* may move the array */
  if (!slot) {
    cart_line_item_clear(&copy);
    say(why, why_size, "Out of memory.");
    return false;
  }
  /* The copy goes right after its original. */
  size_t at = index + 1;
  memmove(&list->items[at + 1], &list->items[at], (list->count - 1 - at) * sizeof *list->items);
  list->items[at] = copy;
  edited(state);
  return true;
}

bool app_cart_delete_line(AppState *state, size_t index, char *why, size_t why_size) {
  if (!can_edit(state, why, why_size) || !check_index(state, index, why, why_size)) {
    return false;
  }
  if (!cart_line_list_remove(&state->cart.draft->line_items, index)) {
    say(why, why_size, "The line could not be removed.");
    return false;
  }
  edited(state);
  return true;
}

bool app_cart_clear(AppState *state, char *why, size_t why_size) {
  if (!can_edit(state, why, why_size)) {
    return false;
  }
  if (state->cart.draft->line_items.count == 0) {
    say(why, why_size, "The cart is already empty.");
    return false;
  }
  cart_line_list_clear(&state->cart.draft->line_items);
  edited(state);
  return true;
}

/* ----- save, checkout, reload, open ----- */

static Job *cart_job(const AppState *state, JobKind kind, const char *cart_id) {
  Job *job = job_new(kind);
  if (!job) {
    return NULL;
  }
  job->customer_id = app_strdup(state->cart.customer_id);
  if (!job->customer_id || (cart_id && !(job->cart_id = app_strdup(cart_id)))) {
    job_free(job);
    return NULL;
  }
  /* The company name goes into the history with the submission. */
  if (job_kind_is_mutating(kind) && state->cart.customer_name &&
      !(job->customer_name = app_strdup(state->cart.customer_name))) {
    job_free(job);
    return NULL;
  }
  return job;
}

bool app_cart_save(AppState *state, char *why, size_t why_size) {
  CartState *cart = &state->cart;
  if (!cart->customer_id) {
    say(why, why_size, "Pick a customer first.");
    return false;
  }
  if (cart->status == APP_CART_ORDERED) {
    say(why, why_size, "This cart has been ordered; there is nothing more to save.");
    return false;
  }
  if (save_in_flight(state)) {
    say(why, why_size, "The cart is already being saved.");
    return false;
  }
  if (state->internal->reconcile_job) {
    say(why, why_size,
        "What an earlier run left unsettled is being checked first; save again in a moment.");
    return false;
  }
  if (checkout_in_flight(state)) {
    say(why, why_size, "The cart is being checked out; wait for the checkout to finish.");
    return false;
  }
  if (cart->draft->line_items.count == 0) {
    say(why, why_size, "The cart has no lines to save; add a line first.");
    return false;
  }
  if (cart->draft->id && !cart->dirty) {
    say(why, why_size, "The cart has no unsaved changes.");
    return false;
  }
  const char *id = cart->draft->id;
  Job *job = cart_job(state, id ? JOB_CART_UPDATE : JOB_CART_CREATE, id);
  if (job && !(job->cart = cart_clone(cart->draft))) {
    job_free(job);
    job = NULL;
  }
  if (!job) {
    say(why, why_size, "Out of memory.");
    return false;
  }
  /* One intent, one MS-RequestId: a save whose outcome was unknown is sent again with the id
   * it had, so Partner Center can recognise the repeat. */
  if (!cart->save_request_id[0]) {
    pc_new_request_id(cart->save_request_id);
  }
  memcpy(job->request_id, cart->save_request_id, sizeof job->request_id);
  if (!app_outbox_push(state, job, SLOT_SAVE)) {
    say(why, why_size, "Out of memory.");
    return false;
  }
  state->internal->saved_generation = state->internal->edit_generation;
  state->changes |= APP_CHANGED_CART;
  return true;
}

bool app_cart_reload(AppState *state, char *why, size_t why_size) {
  CartState *cart = &state->cart;
  if (!cart->customer_id) {
    say(why, why_size, "Pick a customer first.");
    return false;
  }
  if (!cart->draft->id) {
    say(why, why_size, "The cart has not been saved yet; there is nothing to reload.");
    return false;
  }
  if (save_in_flight(state) || checkout_in_flight(state)) {
    say(why, why_size, "Wait for the save or checkout in progress to finish.");
    return false;
  }
  if (reload_in_flight(state)) {
    say(why, why_size, "The cart is already being reloaded.");
    return false;
  }
  Job *job = cart_job(state, JOB_CART_GET, cart->draft->id);
  if (!job || !app_outbox_push(state, job, SLOT_RELOAD)) {
    say(why, why_size, "Out of memory.");
    return false;
  }
  state->changes |= APP_CHANGED_CART;
  return true;
}

bool app_cart_open(AppState *state, const char *cart_id, char *why, size_t why_size) {
  CartState *cart = &state->cart;
  if (!cart->customer_id) {
    say(why, why_size, "Pick a customer first.");
    return false;
  }
  char id[128];
  const char *start = cart_id ? cart_id : "";
  start += strspn(start, " \t");
  size_t len = strcspn(start, " \t\r\n");
  if (len == 0 || start[len + strspn(start + len, " \t\r\n")] != '\0') {
    say(why, why_size, "Type a cart id (one word, such as a GUID) to open.");
    return false;
  }
  if (len >= sizeof id) {
    say(why, why_size, "That cart id is too long; a cart id is a GUID.");
    return false;
  }
  memcpy(id, start, len);
  id[len] = '\0';
  if (save_in_flight(state) || checkout_in_flight(state)) {
    say(why, why_size, "Wait for the save or checkout in progress to finish.");
    return false;
  }
  app_outbox_drop(state, SLOT_RELOAD);
  cart->reload_job = 0; /* a reload of another cart in flight is superseded */
  Job *job = cart_job(state, JOB_CART_GET, id);
  if (!job || !app_outbox_push(state, job, SLOT_RELOAD)) {
    say(why, why_size, "Out of memory.");
    return false;
  }
  state->changes |= APP_CHANGED_CART;
  return true;
}

bool app_cart_can_checkout(const AppState *state, char *why, size_t why_size) {
  const CartState *cart = &state->cart;
  if (!cart->customer_id) {
    say(why, why_size, "Pick a customer first.");
    return false;
  }
  if (cart->status == APP_CART_ORDERED) {
    say(why, why_size, "This cart has already been ordered.");
    return false;
  }
  if (checkout_in_flight(state)) {
    say(why, why_size, "A checkout of this cart is already in progress.");
    return false;
  }
  if (state->internal->reconcile_job) {
    say(why, why_size,
        "What an earlier run left unsettled is being checked first; check out in a moment.");
    return false;
  }
  if (save_in_flight(state)) {
    say(why, why_size, "The cart is being saved; check out once the save has finished.");
    return false;
  }
  /* A reload or an open replaces the draft when it answers, possibly with another cart: the
   * confirmation would then show one cart and the yes order another. */
  if (reload_in_flight(state)) {
    say(why, why_size,
        "The cart is being loaded from Partner Center; check out once it has loaded.");
    return false;
  }
  if (!cart->draft->id) {
    say(why, why_size, "The cart has not been saved; save it (s) before checking out.");
    return false;
  }
  if (cart->dirty) {
    say(why, why_size, "The cart has unsaved changes; save it (s) before checking out.");
    return false;
  }
  size_t errors = lines_with_errors(cart->draft);
  if (errors) {
    if (why && why_size) {
      snprintf(why, why_size,
               "%zu line%s of the cart %s errors; fix %s and save before checking out.", errors,
               errors == 1 ? "" : "s", errors == 1 ? "has" : "have", errors == 1 ? "it" : "them");
    }
    return false;
  }
  return true;
}

bool app_cart_checkout(AppState *state, char *why, size_t why_size) {
  CartState *cart = &state->cart;
  if (!app_cart_can_checkout(state, why, why_size)) {
    return false;
  }
  Job *job = cart_job(state, JOB_CART_CHECKOUT, cart->draft->id);
  if (!job) {
    say(why, why_size, "Out of memory.");
    return false;
  }
  if (!cart->checkout_request_id[0]) {
    pc_new_request_id(cart->checkout_request_id);
  }
  memcpy(job->request_id, cart->checkout_request_id, sizeof job->request_id);
  if (!app_outbox_push(state, job, SLOT_CHECKOUT)) {
    say(why, why_size, "Out of memory.");
    return false;
  }
  state->changes |= APP_CHANGED_CART;
  return true;
}

void cart_state_refused(AppState *state, AppSlot slot) {
  (void)slot; /* nothing was sent: the request ids stay for the next try of the same intent */
  state->changes |= APP_CHANGED_CART;
}

/* ----- results ----- */

static void keep_response(AppState *state, JobResult *result) {
  if (result->info.response_body) {
    free(state->cart.last_response);
    state->cart.last_response = result->info.response_body;
    result->info.response_body = NULL;
    state->changes |= APP_CHANGED_PREVIEW;
  }
}

static AppCartStatus status_of(const Cart *cart) {
  if (cart->status == CART_STATUS_ORDERED) {
    return APP_CART_ORDERED;
  }
  return cart->id ? APP_CART_SAVED : APP_CART_DRAFT;
}

/* The server's cart becomes the draft. */
static void take_server_cart(AppState *state, JobResult *result) {
  CartState *cart = &state->cart;
  cart_free(cart->draft);
  cart->draft = result->cart;
  result->cart = NULL;
  renumber(cart->draft);
  cart->dirty = false;
  cart->status = status_of(cart->draft);
  cart->save_request_id[0] = '\0';
  cart->save_outcome_unknown = false;
  if (cart->status == APP_CART_ORDERED)
    cart->checkout_outcome_unknown = false;
  state->internal->saved_generation = ++state->internal->edit_generation;
  state->changes |= APP_CHANGED_CART | APP_CHANGED_PREVIEW;
}

/* Lines were edited while the save was in flight: keep them (still unsaved) and take only
 * what identifies the server's cart. */
static void take_server_identity(AppState *state, const Cart *server) {
  Cart *draft = state->cart.draft;
  char *id = app_strdup(server->id);
  char *expires = app_strdup(server->expiration_timestamp);
  if ((server->id && !id) || (server->expiration_timestamp && !expires)) {
    free(id);
    free(expires);
    app_message(state, APP_MESSAGE_ERROR, "Out of memory while reading the saved cart.");
    return;
  }
  free(draft->id);
  draft->id = id;
  free(draft->expiration_timestamp);
  draft->expiration_timestamp = expires;
  draft->status = server->status;
  state->cart.status = status_of(draft);
  state->changes |= APP_CHANGED_CART;
}

static void apply_save(AppState *state, JobResult *result) {
  CartState *cart = &state->cart;
  bool create = result->kind == JOB_CART_CREATE;
  const char *request_id = result->info.request_id;
  if (!result->ok) {
    /* Outcome unknown: the same lines are the same intent, so the id is kept for the next
     * save; a definite answer (or changed lines) ends the intent. */
    bool same_lines = state->internal->edit_generation == state->internal->saved_generation;
    if (result->error.outcome_unknown && same_lines) {
      memcpy(cart->save_request_id, result->job->request_id, sizeof cart->save_request_id);
    } else {
      cart->save_request_id[0] = '\0';
    }
    cart->save_outcome_unknown = result->error.outcome_unknown;
    app_post_failure(state, result);
    return;
  }
  if (!result->cart) {
    cart->save_request_id[0] = '\0';
    app_message(state, APP_MESSAGE_ERROR, "Partner Center saved the cart but sent no cart back.");
    return;
  }
  if (state->internal->edit_generation == state->internal->saved_generation) {
    take_server_cart(state, result);
  } else {
    cart->save_request_id[0] = '\0';
    take_server_identity(state, result->cart);
  }
  size_t errors = lines_with_errors(result->cart ? result->cart : cart->draft);
  size_t lines = (result->cart ? result->cart : cart->draft)->line_items.count;
  if (errors) {
    app_post(state, APP_MESSAGE_WARNING, 0, result->info.status, request_id,
             "The cart was saved, but %zu of its %zu line%s %s errors; fix %s and save again "
             "before checking out.",
             errors, lines, lines == 1 ? "" : "s", errors == 1 ? "has" : "have",
             errors == 1 ? "it" : "them");
  } else {
    app_post(state, APP_MESSAGE_SUCCESS, 0, result->info.status, request_id, "Cart %s: %s.",
             create ? "created" : "updated", cart->draft->id ? cart->draft->id : "");
  }
}

static void apply_reload(AppState *state, JobResult *result) {
  CartState *cart = &state->cart;
  if (!result->ok) {
    app_post_failure(state, result);
    return;
  }
  if (!result->cart) {
    app_message(state, APP_MESSAGE_ERROR, "Partner Center sent no cart back.");
    return;
  }
  bool other = !cart->draft->id || !result->cart->id || strcmp(cart->draft->id, result->cart->id);
  if (other) {
    /* Another cart opened: its intents and checkout result are not this one's. */
    cart->checkout_request_id[0] = '\0';
    cart->checkout_outcome_unknown = false;
    checkout_result_free(cart->checkout);
    cart->checkout = NULL;
    state->changes |= APP_CHANGED_RESULTS;
  }
  take_server_cart(state, result);
  size_t errors = lines_with_errors(cart->draft);
  if (cart->status == APP_CART_ORDERED) {
    app_message(state, APP_MESSAGE_INFO, "Cart %s has been ordered%s.", cart->draft->id,
                errors ? "; some of its lines have errors" : "");
  } else if (errors) {
    app_post(state, APP_MESSAGE_WARNING, 0, result->info.status, result->info.request_id,
             "Cart %s loaded; %zu line%s %s errors.", cart->draft->id, errors,
             errors == 1 ? "" : "s", errors == 1 ? "has" : "have");
  } else {
    app_message(state, APP_MESSAGE_INFO, "Cart %s loaded.", cart->draft->id);
  }
}

static void apply_checkout(AppState *state, JobResult *result) {
  CartState *cart = &state->cart;
  const char *request_id = result->info.request_id;
  if (!result->ok) {
    if (result->error.outcome_unknown) {
      memcpy(cart->checkout_request_id, result->job->request_id, sizeof cart->checkout_request_id);
    } else {
      cart->checkout_request_id[0] = '\0';
    }
    cart->checkout_outcome_unknown = result->error.outcome_unknown;
    app_post_failure(state, result);
    return;
  }
  cart->checkout_request_id[0] = '\0';
  cart->checkout_outcome_unknown = false;
  checkout_result_free(cart->checkout);
  cart->checkout = result->checkout;
  result->checkout = NULL;
  cart->status = APP_CART_ORDERED;
  cart->draft->status = CART_STATUS_ORDERED;
  state->changes |= APP_CHANGED_RESULTS | APP_CHANGED_CART;
  size_t orders = cart->checkout ? cart->checkout->order_count : 0;
  size_t failed = cart->checkout ? cart->checkout->order_error_count : 0;
  if (failed == 0) {
    app_post(state, APP_MESSAGE_SUCCESS, 0, result->info.status, request_id,
             "Ordered: %zu order%s.", orders, orders == 1 ? "" : "s");
  } else {
    const OrderError *first = &cart->checkout->order_errors[0];
    app_post(state, orders ? APP_MESSAGE_WARNING : APP_MESSAGE_ERROR, first->code,
             result->info.status, request_id,
             "Ordered: %zu order%s; %zu order group%s failed (group %s: %s).", orders,
             orders == 1 ? "" : "s", failed, failed == 1 ? "" : "s",
             first->order_group_id ? first->order_group_id : "?",
             first->description ? first->description : "no description");
  }
  /* The cart as Partner Center now has it: Ordered, with any line errors. */
  Job *job = cart_job(state, JOB_CART_GET, cart->draft->id);
  if (job) {
    app_outbox_drop(state, SLOT_RELOAD);
    cart->reload_job = 0;
    app_outbox_push(state, job, SLOT_RELOAD);
  }
}

void cart_state_apply(AppState *state, JobResult *result) {
  CartState *cart = &state->cart;
  long id = result->job_id;
  if (!result->job || !result->job->customer_id || !cart->customer_id ||
      strcmp(result->job->customer_id, cart->customer_id) != 0) {
    return; /* for a customer picked before this one */
  }
  switch (result->kind) {
  case JOB_CART_CREATE:
  case JOB_CART_UPDATE:
    if (id != cart->save_job || !result->job) {
      return;
    }
    cart->save_job = 0;
    keep_response(state, result);
    apply_save(state, result);
    break;
  case JOB_CART_GET:
    if (id != cart->reload_job || !result->job) {
      return;
    }
    cart->reload_job = 0;
    keep_response(state, result);
    apply_reload(state, result);
    break;
  case JOB_CART_CHECKOUT:
    if (id != cart->checkout_job || !result->job) {
      return;
    }
    cart->checkout_job = 0;
    keep_response(state, result);
    apply_checkout(state, result);
    break;
  default:
    return;
  }
  state->changes |= APP_CHANGED_CART;
}

/* ----- the body, the expiry, draft files ----- */

char *app_cart_request_body(const AppState *state) {
  cJSON *json = cart_to_request_json(state->cart.draft);
  char *text = model_json_print(json);
  cJSON_Delete(json);
  return text;
}

/* "2019-01-16T00:45:41.6062996Z" (fraction and zone optional; "+hh:mm" honoured). */
static bool parse_timestamp(const char *text, time_t *out) {
  int year, month, day, hour, minute, second, used = 0;
  if (!text ||
      sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second,
             &used) != 6 ||
      used == 0) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return false;
  }
  const char *p = text + used;
  if (*p == '.') {
    p++;
    while (*p >= '0' && *p <= '9') {
      p++;
    }
  }
  long offset = 0;
  if (*p == '+' || *p == '-') {
    int zone_hour, zone_minute;
    if (sscanf(p + 1, "%2d:%2d", &zone_hour, &zone_minute) != 2) {
      return false;
    }
    offset = (zone_hour * 3600L + zone_minute * 60L) * (*p == '-' ? -1 : 1);
  }
  struct tm tm = {.tm_year = year - 1900,
                  .tm_mon = month - 1,
                  .tm_mday = day,
                  .tm_hour = hour,
                  .tm_min = minute,
                  .tm_sec = second};
  time_t when = timegm(&tm);
  if (when == (time_t)-1) {
    return false;
  }
  *out = when - offset;
  return true;
}

bool app_cart_expires_at(const AppState *state, time_t *when) {
  time_t t;
  if (!parse_timestamp(state->cart.draft->expiration_timestamp, &t)) {
    return false;
  }
  if (when) {
    *when = t;
  }
  return true;
}

static bool write_all(int fd, const char *data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    data += n;
    size -= (size_t)n;
  }
  return true;
}

bool app_cart_write_draft(const AppState *state, const char *path, char *err, size_t err_size) {
  if (!path || !*path) {
    say(err, err_size, "No file name was given for the draft.");
    return false;
  }
  char *body = app_cart_request_body(state);
  size_t path_len = strlen(path);
  char *temp = malloc(path_len + sizeof ".tmp-XXXXXX");
  if (!body || !temp) {
    free(body);
    free(temp);
    snprintf(err, err_size, "Could not write %s: out of memory.", path);
    return false;
  }
  memcpy(temp, path, path_len);
  memcpy(temp + path_len, ".tmp-XXXXXX", sizeof ".tmp-XXXXXX");
  /* Written beside the target and renamed over it, so a crash never leaves half a draft. */
  int fd = mkstemp(temp);
  bool ok = fd >= 0;
  int saved = errno;
  if (ok) {
    ok = fchmod(fd, 0600) == 0 && write_all(fd, body, strlen(body)) && fsync(fd) == 0;
    saved = errno;
    ok = (close(fd) == 0) && ok;
    if (ok && rename(temp, path) != 0) {
      saved = errno;
      ok = false;
    }
    if (!ok) {
      unlink(temp);
    }
  }
  if (!ok) {
    snprintf(err, err_size, "Could not write %s: %s.", path, strerror(saved));
  }
  free(body);
  free(temp);
  return ok;
}

static char *read_file(const char *path, char *err, size_t err_size) {
  /* Non-blocking: opening a named pipe waits for a writer, and this runs on the UI thread
   * (a regular file, the only kind read, reads the same either way). */
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    snprintf(err, err_size, "Could not open %s: %s.", path, strerror(errno));
    return NULL;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    snprintf(err, err_size, "Could not read %s: it is not a regular file.", path);
    close(fd);
    return NULL;
  }
  if (st.st_size > DRAFT_MAX_BYTES) {
    snprintf(err, err_size, "Could not read %s: it is %lld bytes; a cart file is at most %ld.",
             path, (long long)st.st_size, DRAFT_MAX_BYTES);
    close(fd);
    return NULL;
  }
  size_t size = (size_t)st.st_size;
  char *text = malloc(size + 1);
  size_t got = 0;
  while (text && got < size) {
    ssize_t n = read(fd, text + got, size - got);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      snprintf(err, err_size, "Could not read %s: %s.", path,
               n < 0 ? strerror(errno) : "it shrank");
      free(text);
      close(fd);
      return NULL;
    }
    got += (size_t)n;
  }
  close(fd);
  if (!text) {
    snprintf(err, err_size, "Could not read %s: out of memory.", path);
    return NULL;
  }
  text[size] = '\0';
  if (strlen(text) != size) {
    snprintf(err, err_size, "Could not read %s: it contains NUL bytes; it is not a JSON file.",
             path);
    free(text);
    return NULL;
  }
  return text;
}

bool app_cart_read_draft(AppState *state, const char *path, char *err, size_t err_size) {
  if (!path || !*path) {
    say(err, err_size, "No file name was given for the draft.");
    return false;
  }
  char why[256];
  if (!can_edit(state, why, sizeof why)) {
    snprintf(err, err_size, "Cannot open %s: %s", path, why);
    return false;
  }
  char *text = read_file(path, err, err_size);
  if (!text) {
    return false;
  }
  char *clean = json_strip_annotations(text);
  free(text);
  if (!clean) {
    snprintf(err, err_size, "Could not read %s: out of memory.", path);
    return false;
  }
  cJSON *json = cJSON_Parse(clean);
  free(clean);
  if (!json) {
    snprintf(err, err_size, "%s is not JSON; a cart file holds {\"lineItems\": [...]}.", path);
    return false;
  }
  char parse_err[256] = "";
  Cart *read = NULL;
  if (!cJSON_IsObject(json) || !json_get(json, "lineItems")) {
    snprintf(err, err_size, "%s has no lineItems; a cart file holds {\"lineItems\": [...]}.", path);
  } else if (!cJSON_IsArray(json_get(json, "lineItems"))) {
    snprintf(err, err_size, "%s: lineItems is not an array of line items.", path);
  } else if (!(read = cart_from_json(json, parse_err, sizeof parse_err))) {
    snprintf(err, err_size, "%s: %s", path, parse_err[0] ? parse_err : "not a cart.");
  }
  cJSON_Delete(json);
  if (!read) {
    return false;
  }
  /* The file's lines replace the draft's, unsaved; the draft keeps its cart id so that saving
   * updates the cart already on the server. */
  CartLineItemList lines = {0};
  bool ok = true;
  for (size_t i = 0; ok && i < read->line_items.count; i++) {
    CartLineItem *line = cart_line_list_append(&lines);
    ok = line && line_copy_fresh(line, &read->line_items.items[i]);
  }
  cart_free(read);
  if (!ok) {
    cart_line_list_clear(&lines);
    snprintf(err, err_size, "Could not read %s: out of memory.", path);
    return false;
  }
  cart_line_list_clear(&state->cart.draft->line_items);
  state->cart.draft->line_items = lines;
  edited(state);
  return true;
}
