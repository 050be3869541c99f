/* The autosave of the cart being edited (one per profile) and the recent carts of each
 * customer. */
#include <stdlib.h>
#include <string.h>

#include "state/internal.h"

static bool out_of_memory(const StateStore *store, char *err, size_t err_size) {
  return state_err(err, err_size,
                   "out of memory while using %s: close other programs and try again.",
                   store->path);
}

/* Runs one write statement, already bound, as one committed transaction. */
static bool write_one(StateStore *store, sqlite3_stmt *stmt, char *err, size_t err_size) {
  if (!state_tx_begin(store, err, err_size)) {
    state_stmt_done(stmt);
    return false;
  }
  int rc = state_step_done(stmt);
  if (rc != SQLITE_DONE) {
    state_tx_rollback(store);
    return state_fail(store, rc, err, err_size);
  }
  return state_tx_commit(store, err, err_size);
}

/* ----- autosave ----- */

void autosave_clear(Autosave *autosave) {
  if (!autosave) {
    return;
  }
  free(autosave->profile);
  free(autosave->customer_id);
  free(autosave->customer_name);
  free(autosave->cart_id);
  free(autosave->base_version);
  free(autosave->cart_json);
  memset(autosave, 0, sizeof *autosave);
}

void autosave_list_clear(AutosaveList *list) {
  if (!list) {
    return;
  }
  for (size_t i = 0; i < list->count; i++) {
    autosave_clear(&list->items[i]);
  }
  free(list->items);
  list->items = NULL;
  list->count = 0;
}

bool state_autosave_put(StateStore *store, const Autosave *autosave, char *err, size_t err_size) {
  if (!autosave->profile || !autosave->profile[0] || !autosave->cart_json) {
    return state_err(err, err_size,
                     "cannot autosave a cart in %s without a profile and the cart's JSON: this is "
                     "a bug in pccart.",
                     store->path);
  }
  sqlite3_stmt *stmt = state_stmt(store, STMT_AUTOSAVE_PUT);
  state_bind_text(stmt, 1, autosave->profile);
  state_bind_text(stmt, 2, autosave->customer_id);
  state_bind_text(stmt, 3, autosave->customer_name);
  state_bind_text(stmt, 4, autosave->cart_id);
  state_bind_text(stmt, 5, autosave->base_version);
  state_bind_text(stmt, 6, autosave->cart_json);
  sqlite3_bind_int(stmt, 7, autosave->dirty ? 1 : 0);
  sqlite3_bind_int64(stmt, 8, autosave->line_count);
  sqlite3_bind_int64(stmt, 9, state_now(store));
  return write_one(store, stmt, err, err_size);
}

/* The columns of STMT_AUTOSAVE_GET and STMT_AUTOSAVE_LIST. */
static bool autosave_read(StateStore *store, sqlite3_stmt *stmt, Autosave *out, char *err,
                          size_t err_size) {
  memset(out, 0, sizeof *out);
  out->dirty = sqlite3_column_int(stmt, 6) != 0;
  out->line_count = (long)sqlite3_column_int64(stmt, 7);
  out->saved_ms = sqlite3_column_int64(stmt, 8);
  bool ok =
      state_column_text(stmt, 0, &out->profile) && state_column_text(stmt, 1, &out->customer_id) &&
      state_column_text(stmt, 2, &out->customer_name) &&
      state_column_text(stmt, 3, &out->cart_id) && state_column_text(stmt, 4, &out->base_version) &&
      state_column_text(stmt, 5, &out->cart_json);
  if (!ok) {
    autosave_clear(out);
    return out_of_memory(store, err, err_size);
  }
  return true;
}

bool state_autosave_get(StateStore *store, const char *profile, Autosave *out, bool *found,
                        char *err, size_t err_size) {
  *found = false;
  memset(out, 0, sizeof *out);
  sqlite3_stmt *stmt = state_stmt(store, STMT_AUTOSAVE_GET);
  state_bind_text(stmt, 1, profile);
  int rc = sqlite3_step(stmt);
  bool ok;
  if (rc == SQLITE_ROW) {
    ok = autosave_read(store, stmt, out, err, err_size);
    *found = ok;
  } else {
    ok = rc == SQLITE_DONE || state_fail(store, rc, err, err_size);
  }
  state_stmt_done(stmt);
  return ok;
}

bool state_autosaves(StateStore *store, AutosaveList *out, char *err, size_t err_size) {
  *out = (AutosaveList){0};
  sqlite3_stmt *stmt = state_stmt(store, STMT_AUTOSAVE_LIST);
  size_t capacity = 0;
  bool ok = true;
  int rc = SQLITE_DONE;
  while (ok && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (out->count == capacity) {
      capacity = capacity ? capacity * 2 : 4;
      Autosave *items = realloc(out->items, capacity * sizeof *items);
      if (!items) {
        ok = out_of_memory(store, err, err_size);
        break;
      }
      out->items = items;
    }
    ok = autosave_read(store, stmt, &out->items[out->count], err, err_size);
    out->count += ok ? 1 : 0;
  }
  if (ok && rc != SQLITE_DONE) {
    ok = state_fail(store, rc, err, err_size);
  }
  state_stmt_done(stmt);
  if (!ok) {
    autosave_list_clear(out);
  }
  return ok;
}

bool state_autosave_drop(StateStore *store, const char *profile, char *err, size_t err_size) {
  sqlite3_stmt *stmt = state_stmt(store, STMT_AUTOSAVE_DROP);
  state_bind_text(stmt, 1, profile);
  return write_one(store, stmt, err, err_size);
}

/* ----- recent carts ----- */

void recent_cart_list_clear(RecentCartList *list) {
  if (!list) {
    return;
  }
  for (size_t i = 0; i < list->count; i++) {
    free(list->items[i].cart_id);
    free(list->items[i].status);
  }
  free(list->items);
  list->items = NULL;
  list->count = 0;
}

bool state_recent_cart_put(StateStore *store, const char *profile, const char *customer_id,
                           const char *cart_id, const char *status, long line_count, char *err,
                           size_t err_size) {
  if (!profile || !profile[0] || !customer_id || !customer_id[0] || !cart_id || !cart_id[0]) {
    return state_err(err, err_size,
                     "cannot record a recent cart in %s without a profile, a customer and a cart "
                     "id: this is a bug in pccart.",
                     store->path);
  }
  sqlite3_stmt *stmt = state_stmt(store, STMT_RECENT_PUT);
  state_bind_text(stmt, 1, profile);
  state_bind_text(stmt, 2, customer_id);
  state_bind_text(stmt, 3, cart_id);
  state_bind_text(stmt, 4, status);
  sqlite3_bind_int64(stmt, 5, line_count);
  sqlite3_bind_int64(stmt, 6, state_now(store));
  return write_one(store, stmt, err, err_size);
}

bool state_recent_carts(StateStore *store, const char *profile, const char *customer_id,
                        size_t limit, RecentCartList *out, char *err, size_t err_size) {
  *out = (RecentCartList){0};
  sqlite3_stmt *stmt = state_stmt(store, STMT_RECENT_LIST);
  state_bind_text(stmt, 1, profile);
  state_bind_text(stmt, 2, customer_id);
  /* LIMIT -1 is SQLite's "no limit". */
  sqlite3_bind_int64(stmt, 3, limit == 0 || limit > (size_t)INT64_MAX ? -1 : (int64_t)limit);
  size_t capacity = 0;
  bool ok = true;
  int rc = SQLITE_DONE;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (out->count == capacity) {
      capacity = capacity ? capacity * 2 : 8;
      RecentCart *items = realloc(out->items, capacity * sizeof *items);
      if (!items) {
        ok = out_of_memory(store, err, err_size);
        break;
      }
      out->items = items;
    }
    RecentCart *cart = &out->items[out->count];
    memset(cart, 0, sizeof *cart);
    out->count++; /* counted before its strings, so that a failure below frees what it got */
    cart->line_count = (long)sqlite3_column_int64(stmt, 2);
    cart->seen_ms = sqlite3_column_int64(stmt, 3);
    if (!state_column_text(stmt, 0, &cart->cart_id) || !state_column_text(stmt, 1, &cart->status)) {
      ok = out_of_memory(store, err, err_size);
      break;
    }
  }
  if (ok && rc != SQLITE_DONE) {
    ok = state_fail(store, rc, err, err_size);
  }
  state_stmt_done(stmt);
  if (!ok) {
    recent_cart_list_clear(out);
  }
  return ok;
}
