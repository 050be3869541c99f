/* The autosave thread and the app's side of it: snapshot and restore (autosave.h). */
#include "app/autosave.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "app/app_internal.h"
#include "model/common.h"

typedef enum AutosaveOrder {
  ORDER_NONE = 0,
  ORDER_PUT,
  ORDER_DROP,
} AutosaveOrder;

struct Autosaver {
  char *path;
  StateStore *store; /* opened by the thread (never the caller's: it may wait on a lock) */
  char *profile;
  pthread_t thread;
  pthread_mutex_t mutex;
  pthread_cond_t cond; /* the thread waits for an order; flush waits for it to be done */
  /* Guarded by mutex: */
  bool opened;          /* the thread has tried to open the store */
  bool broken;          /* ...and could not: orders are dropped, reads answer "nothing" */
  char open_error[400]; /* why */
  AutosaveOrder order;
  Autosave snapshot; /* with ORDER_PUT */
  bool writing;
  bool stopping;
  char failure[320]; /* the last failed write's sentence, "" after a success */
  /* Reads asked for by the UI (autosaver_request_*), answered by the thread: */
  bool load_wanted, load_done, load_found;
  Autosave loaded;
  char *recent_wanted; /* the customer id asked for; NULL when none */
  char *recent_for;    /* the customer id of the answer in recent */
  bool recent_done;
  RecentCartList recent;
  int wake_fd;
};

static void wake(Autosaver *a) {
  uint64_t one = 1;
  if (write(a->wake_fd, &one, sizeof one) < 0) {
    /* the counter is full: the descriptor is readable all the same */
  }
}

/* The reads asked for, answered on this thread (called with the mutex held; released while
 * reading). */
static void answer_reads(Autosaver *a) {
  if (a->load_wanted) {
    a->load_wanted = false;
    a->writing = true;
    pthread_mutex_unlock(&a->mutex);
    Autosave loaded = {0};
    bool found = false;
    char err[300] = "";
    bool ok =
        !a->store || state_autosave_get(a->store, a->profile, &loaded, &found, err, sizeof err);
    pthread_mutex_lock(&a->mutex);
    a->writing = false;
    autosave_clear(&a->loaded);
    a->loaded = loaded;
    a->load_found = ok && found;
    a->load_done = true;
    if (!ok)
      snprintf(a->failure, sizeof a->failure, "The autosaved cart could not be read: %.280s", err);
    wake(a);
  }
  if (a->recent_wanted) {
    char *customer = a->recent_wanted;
    a->recent_wanted = NULL;
    a->writing = true;
    pthread_mutex_unlock(&a->mutex);
    RecentCartList list = {0};
    char err[300] = "";
    bool ok =
        !a->store || state_recent_carts(a->store, a->profile, customer, 20, &list, err, sizeof err);
    pthread_mutex_lock(&a->mutex);
    a->writing = false;
    recent_cart_list_clear(&a->recent);
    free(a->recent_for);
    a->recent = list;
    a->recent_for = customer;
    a->recent_done = true;
    if (!ok)
      snprintf(a->failure, sizeof a->failure, "The recent carts could not be read: %.280s", err);
    wake(a);
  }
}

static void *autosaver_main(void *arg) {
  Autosaver *a = arg;
  char err[400] = "";
  StateStore *store = state_open(a->path, err, sizeof err);
  pthread_mutex_lock(&a->mutex);
  a->store = store;
  a->opened = true;
  if (!store) {
    a->broken = true;
    snprintf(a->open_error, sizeof a->open_error, "%s", err);
  }
  pthread_cond_broadcast(&a->cond);
  for (;;) {
    while (!a->stopping && a->order == ORDER_NONE && !a->load_wanted && !a->recent_wanted)
      pthread_cond_wait(&a->cond, &a->mutex);
    if (a->load_wanted || a->recent_wanted) {
      answer_reads(a);
      pthread_cond_broadcast(&a->cond);
      continue;
    }
    if (a->order == ORDER_NONE)
      break; /* stopping, nothing left to write */
    AutosaveOrder order = a->order;
    Autosave snapshot = a->snapshot;
    memset(&a->snapshot, 0, sizeof a->snapshot);
    a->order = ORDER_NONE;
    a->writing = true;
    pthread_mutex_unlock(&a->mutex);

    char write_err[300] = "";
    bool ok =
        !a->store || (order == ORDER_PUT
                          ? state_autosave_put(a->store, &snapshot, write_err, sizeof write_err)
                          : state_autosave_drop(a->store, a->profile, write_err, sizeof write_err));
    autosave_clear(&snapshot);

    pthread_mutex_lock(&a->mutex);
    a->writing = false;
    if (ok)
      a->failure[0] = '\0';
    else
      snprintf(a->failure, sizeof a->failure, "The cart could not be autosaved: %.280s", write_err);
    wake(a);
    pthread_cond_broadcast(&a->cond);
  }
  pthread_mutex_unlock(&a->mutex);
  return NULL;
}

Autosaver *autosaver_start(const char *state_path, const char *profile, char *err,
                           size_t err_size) {
  Autosaver *a = calloc(1, sizeof *a);
  if (!a || !(a->profile = strdup(profile ? profile : ""))) {
    free(a);
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  a->wake_fd = -1;
  a->path = strdup(state_path ? state_path : "");
  if (!a->path) {
    snprintf(err, err_size, "out of memory");
    goto fail;
  }
  a->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (a->wake_fd < 0 || pthread_mutex_init(&a->mutex, NULL) != 0) {
    snprintf(err, err_size, "could not start the autosave");
    goto fail;
  }
  if (pthread_cond_init(&a->cond, NULL) != 0) {
    pthread_mutex_destroy(&a->mutex);
    snprintf(err, err_size, "could not start the autosave");
    goto fail;
  }
  /* Signals belong to the UI thread. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int rc = pthread_create(&a->thread, NULL, autosaver_main, a);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc != 0) {
    pthread_cond_destroy(&a->cond);
    pthread_mutex_destroy(&a->mutex);
    snprintf(err, err_size, "could not start the autosave thread");
    goto fail;
  }
  return a;
fail:
  if (a->wake_fd >= 0)
    close(a->wake_fd);
  free(a->path);
  free(a->profile);
  free(a);
  return NULL;
}

void autosaver_stop(Autosaver *a) {
  if (!a)
    return;
  pthread_mutex_lock(&a->mutex);
  a->stopping = true;
  pthread_cond_broadcast(&a->cond);
  pthread_mutex_unlock(&a->mutex);
  pthread_join(a->thread, NULL);
  autosave_clear(&a->snapshot);
  autosave_clear(&a->loaded);
  free(a->recent_wanted);
  free(a->recent_for);
  recent_cart_list_clear(&a->recent);
  pthread_cond_destroy(&a->cond);
  pthread_mutex_destroy(&a->mutex);
  close(a->wake_fd);
  state_close(a->store);
  free(a->path);
  free(a->profile);
  free(a);
}

bool autosaver_usable(Autosaver *a, char *err, size_t err_size) {
  pthread_mutex_lock(&a->mutex);
  while (!a->opened)
    pthread_cond_wait(&a->cond, &a->mutex);
  bool usable = !a->broken;
  if (!usable)
    snprintf(err, err_size, "%s", a->open_error);
  pthread_mutex_unlock(&a->mutex);
  return usable;
}

bool autosaver_load(Autosaver *a, Autosave *out, bool *found, char *err, size_t err_size) {
  pthread_mutex_lock(&a->mutex);
  /* The thread touches the store only while writing; wait for it to be open and idle. */
  while (!a->opened || a->writing || a->order != ORDER_NONE)
    pthread_cond_wait(&a->cond, &a->mutex);
  bool ok = a->store ? state_autosave_get(a->store, a->profile, out, found, err, err_size)
                     : (snprintf(err, err_size, "%s", a->open_error), false);
  pthread_mutex_unlock(&a->mutex);
  return ok;
}

void autosaver_put(Autosaver *a, Autosave *snapshot) {
  if (!a) {
    autosave_clear(snapshot);
    return;
  }
  pthread_mutex_lock(&a->mutex);
  autosave_clear(&a->snapshot);
  a->snapshot = *snapshot;
  memset(snapshot, 0, sizeof *snapshot);
  free(a->snapshot.profile);
  a->snapshot.profile = strdup(a->profile);
  a->order = a->snapshot.profile ? ORDER_PUT : ORDER_NONE;
  pthread_cond_broadcast(&a->cond);
  pthread_mutex_unlock(&a->mutex);
}

void autosaver_drop(Autosaver *a) {
  if (!a)
    return;
  pthread_mutex_lock(&a->mutex);
  autosave_clear(&a->snapshot);
  a->order = ORDER_DROP;
  pthread_cond_broadcast(&a->cond);
  pthread_mutex_unlock(&a->mutex);
}

bool autosaver_flush(Autosaver *a, char *err, size_t err_size) {
  if (!a)
    return true;
  pthread_mutex_lock(&a->mutex);
  while (!a->opened || a->writing || a->order != ORDER_NONE)
    pthread_cond_wait(&a->cond, &a->mutex);
  bool ok = a->failure[0] == '\0' && !a->broken;
  if (!ok)
    snprintf(err, err_size, "%s", a->broken ? a->open_error : a->failure);
  pthread_mutex_unlock(&a->mutex);
  return ok;
}

void autosaver_request_load(Autosaver *a) {
  pthread_mutex_lock(&a->mutex);
  a->load_wanted = true;
  pthread_cond_broadcast(&a->cond);
  pthread_mutex_unlock(&a->mutex);
}

bool autosaver_take_loaded(Autosaver *a, Autosave *out, bool *found) {
  pthread_mutex_lock(&a->mutex);
  bool done = a->load_done;
  if (done) {
    *out = a->loaded;
    *found = a->load_found;
    memset(&a->loaded, 0, sizeof a->loaded);
    a->load_done = false;
  }
  pthread_mutex_unlock(&a->mutex);
  return done;
}

void autosaver_request_recent(Autosaver *a, const char *customer_id) {
  char *copy = strdup(customer_id ? customer_id : "");
  pthread_mutex_lock(&a->mutex);
  free(a->recent_wanted);
  a->recent_wanted = copy;
  pthread_cond_broadcast(&a->cond);
  pthread_mutex_unlock(&a->mutex);
}

bool autosaver_take_recent(Autosaver *a, char **customer_id, RecentCartList *out) {
  pthread_mutex_lock(&a->mutex);
  bool done = a->recent_done;
  if (done) {
    *out = a->recent;
    *customer_id = a->recent_for;
    memset(&a->recent, 0, sizeof a->recent);
    a->recent_for = NULL;
    a->recent_done = false;
  }
  pthread_mutex_unlock(&a->mutex);
  return done;
}

size_t autosaver_pending(Autosaver *a) {
  if (!a)
    return 0;
  pthread_mutex_lock(&a->mutex);
  size_t pending = (a->order != ORDER_NONE) + a->writing + a->load_wanted +
                   (a->recent_wanted != NULL) + a->load_done + a->recent_done;
  pthread_mutex_unlock(&a->mutex);
  return pending;
}

int autosaver_wake_fd(const Autosaver *a) {
  return a ? a->wake_fd : -1;
}

bool autosaver_take_wake(Autosaver *a, char *err, size_t err_size) {
  uint64_t count;
  if (read(a->wake_fd, &count, sizeof count) < 0) {
    /* nothing to take: EAGAIN */
  }
  pthread_mutex_lock(&a->mutex);
  bool failed = a->failure[0] != '\0';
  if (failed)
    snprintf(err, err_size, "%s", a->failure);
  pthread_mutex_unlock(&a->mutex);
  return failed;
}

/* ----- the app's side ----- */

unsigned long app_cart_generation(const AppState *state) {
  /* Edits, saves and loads all move the draft; a save's answer changes its status too. */
  return state->internal->edit_generation * 8 + (unsigned long)state->cart.status * 2 +
         (state->cart.dirty ? 1 : 0);
}

bool app_autosave_snapshot(const AppState *state, Autosave *out) {
  memset(out, 0, sizeof *out);
  const CartState *cart = &state->cart;
  if (!cart->customer_id)
    return false;
  cJSON *json = cart_to_json(cart->draft);
  out->cart_json = json ? model_json_print(json) : NULL;
  cJSON_Delete(json);
  out->customer_id = model_strdup(cart->customer_id);
  out->customer_name = cart->customer_name ? model_strdup(cart->customer_name) : NULL;
  out->cart_id = cart->draft->id ? model_strdup(cart->draft->id) : NULL;
  out->base_version = cart->draft->last_modified_timestamp
                          ? model_strdup(cart->draft->last_modified_timestamp)
                          : NULL;
  out->dirty = cart->dirty;
  out->line_count = (long)cart->draft->line_items.count;
  bool ok = out->cart_json && out->customer_id && (!cart->customer_name || out->customer_name) &&
            (!cart->draft->id || out->cart_id) &&
            (!cart->draft->last_modified_timestamp || out->base_version);
  if (!ok)
    autosave_clear(out);
  return ok;
}

bool app_cart_restore(AppState *state, const Autosave *autosave, char *why, size_t why_size) {
  char err[256] = "";
  Cart *draft = autosave->cart_json ? cart_parse(autosave->cart_json, err, sizeof err) : NULL;
  if (!draft || !autosave->customer_id) {
    snprintf(why, why_size, "The autosaved cart could not be read%s%s.", err[0] ? ": " : "", err);
    cart_free(draft);
    return false;
  }
  char *id = app_strdup(autosave->customer_id);
  char *name =
      app_strdup(autosave->customer_name ? autosave->customer_name : autosave->customer_id);
  if (!app_customer_begin(state, id, name)) { /* it frees id and name */
    snprintf(why, why_size, "Out of memory while restoring the autosaved cart.");
    cart_free(draft);
    return false;
  }
  cart_free(state->cart.draft);
  state->cart.draft = draft;
  state->cart.dirty = autosave->dirty;
  state->cart.status = draft->status == CART_STATUS_ORDERED ? APP_CART_ORDERED
                       : draft->id                          ? APP_CART_SAVED
                                                            : APP_CART_DRAFT;
  state->internal->edit_generation++;
  state->internal->saved_generation = autosave->dirty ? 0 : state->internal->edit_generation;
  return true;
}
