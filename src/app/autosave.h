/* The autosave of the cart being edited: the UI thread hands over a snapshot, a thread of
 * its own writes it to the state store (one transaction), so no keystroke ever waits for the
 * disk. A snapshot not yet written is replaced by a newer one. A descriptor becomes readable
 * when a write has finished (the UI's poll() loop may watch it). */
#ifndef PCCART_APP_AUTOSAVE_H
#define PCCART_APP_AUTOSAVE_H

#include <stdbool.h>
#include <stddef.h>

#include "app/app.h"
#include "state/state.h"

typedef struct Autosaver Autosaver;

/* Starts the thread, which opens its own connection to the store at state_path (never the
 * caller's thread: a locked file may wait seconds). NULL with err only when the thread cannot
 * start; a store that cannot be used is said by autosaver_usable, and its snapshots dropped. */
Autosaver *autosaver_start(const char *state_path, const char *profile, char *err, size_t err_size);
/* Waits for the thread to have opened the store (not for the UI thread); false with the
 * store's sentence when it cannot be used. */
bool autosaver_usable(Autosaver *autosaver, char *err, size_t err_size);
/* Writes what is pending, then stops and frees; NULL is fine. */
void autosaver_stop(Autosaver *autosaver);

/* The profile's autosave as it stands, read on the caller's thread once the autosave thread is
 * idle (it may wait for a write: not for the UI thread, which uses the requests below); found
 * false when there is none. */
bool autosaver_load(Autosaver *autosaver, Autosave *out, bool *found, char *err, size_t err_size);

/* For the UI thread: a read done by the autosave thread, answered through the descriptor. The
 * answer is taken with autosaver_take_loaded / autosaver_take_recent (false while none). */
void autosaver_request_load(Autosaver *autosaver);
bool autosaver_take_loaded(Autosaver *autosaver, Autosave *out, bool *found);
void autosaver_request_recent(Autosaver *autosaver, const char *customer_id);
/* *customer_id: whose carts these are (caller frees). */
bool autosaver_take_recent(Autosaver *autosaver, char **customer_id, RecentCartList *out);

/* Hands over a snapshot (taken; its profile is set here). */
void autosaver_put(Autosaver *autosaver, Autosave *snapshot);
/* Forgets the profile's autosave (the user chose not to restore it). */
void autosaver_drop(Autosaver *autosaver);
/* Blocks until everything handed over is written (SIGTERM, quit); false with err when the last
 * write failed. */
bool autosaver_flush(Autosaver *autosaver, char *err, size_t err_size);
/* Snapshots handed over and not yet written, and reads asked for and not yet taken. */
size_t autosaver_pending(Autosaver *autosaver);
/* Readable after a write finished, until autosaver_take_wake. */
int autosaver_wake_fd(const Autosaver *autosaver);
/* Clears the descriptor; the last failed write's sentence into err (true when there was one). */
bool autosaver_take_wake(Autosaver *autosaver, char *err, size_t err_size);

/* The draft as a snapshot: customer, cart id, base version, the cart's JSON, unsaved or not.
 * False when out of memory, or when there is no customer (nothing to save). */
bool app_autosave_snapshot(const AppState *state, Autosave *out);
/* Puts an autosaved cart back as the draft for its customer (the catalog and subscriptions
 * are loaded as when the customer is picked); false with why. */
bool app_cart_restore(AppState *state, const Autosave *autosave, char *why, size_t why_size);
/* Changes to the draft since the state was made: a new value means a new snapshot is due. */
unsigned long app_cart_generation(const AppState *state);

#endif
