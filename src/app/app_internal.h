/* What the app-state model's files share and nothing above src/app sees: the private part of
 * AppState, the outbox slots, messages and the text folding used by the customer filter. */
#ifndef PCCART_APP_INTERNAL_H
#define PCCART_APP_INTERNAL_H

#include <stdarg.h>

#include "app/app.h"

/* What an outbox job is for: app_job_submitted records its id in the matching field. */
typedef enum AppSlot {
  SLOT_CUSTOMERS = 1,
  SLOT_SAVE,
  SLOT_CHECKOUT,
  SLOT_RELOAD,
  SLOT_PRODUCTS,
  SLOT_SKUS,
  SLOT_AVAILABILITIES,
  SLOT_SUBSCRIPTIONS,
  SLOT_CATALOG_ALL,
} AppSlot;

/* Customer strings live in chunks so 100,000 summaries cost one allocation per ~64 KB, not four
 * per customer; a list replaced by a new search frees its chunks at once. */
typedef struct ArenaChunk {
  struct ArenaChunk *next;
  size_t used;
  size_t size;
  char data[];
} ArenaChunk;

typedef struct AppInternal {
  ArenaChunk *arena;
  size_t outbox_capacity;
  size_t message_capacity;
  /* The folded filter the visible list answers (to filter only the visible items when the new
   * one contains it). */
  char *folded_filter;
  bool pages_loaded; /* a page of the current query arrived (continuation NULL then = complete) */
  /* The query of the page request queued or in flight: its prefix (NULL: unfiltered). */
  bool customers_pending;
  char *pending_prefix;
  /* The field the pending and the loaded prefix searched: a filter that looks like a domain
   * ("contoso.onmi") is searched by domain, any other by company name. */
  PcCustomerField pending_field;
  PcCustomerField loaded_field;
  /* Edits since the state was made; a save remembers the count it sent so that a reply to it
   * does not overwrite lines edited while it was in flight. */
  unsigned long edit_generation;
  unsigned long saved_generation;
  long catalog_all_job;
  bool catalog_all_loaded;
  long reconcile_job; /* the check of earlier runs' unsettled submissions, 0 when none */
} AppInternal;

/* ----- app.c ----- */
void app_post(AppState *state, AppMessageLevel level, long code, long http_status,
              const char *request_id, const char *format, ...)
    __attribute__((format(printf, 6, 7)));
void app_vpost(AppState *state, AppMessageLevel level, long code, long http_status,
               const char *request_id, const char *format, va_list args)
    __attribute__((format(printf, 6, 0)));
/* Appends job (taking it; freed on failure) for slot; false when out of memory (a message is
 * posted then). */
bool app_outbox_push(AppState *state, Job *job, AppSlot slot);
/* True when a job for slot waits in the outbox (not yet handed out). */
bool app_outbox_has(const AppState *state, AppSlot slot);
/* Frees the queued (not handed out) jobs of slot. */
void app_outbox_drop(AppState *state, AppSlot slot);
char *app_strdup(const char *s);
/* The failure of a finished job as a message (cancelled ones as INFO). */
void app_post_failure(AppState *state, const JobResult *result);

/* ----- customers.c ----- */
void customers_init(CustomerList *list);
void customers_free(AppState *state);
void customers_apply(AppState *state, JobResult *result);
void customers_refused(AppState *state);
/* Folds text for matching into out (at most out_size bytes, terminated): ASCII case and the
 * common Latin-1 letters (é -> e); other bytes as they are. Returns the folded length. */
size_t app_fold(const char *text, char *out, size_t out_size);

/* ----- cart.c ----- */
void cart_state_apply(AppState *state, JobResult *result);
void cart_state_refused(AppState *state, AppSlot slot);
/* Forgets the cart for a new customer (a fresh draft). */
bool cart_state_reset(AppState *state);
/* The cart starts afresh for this customer (id and name taken, freed on failure); their
 * catalog and subscriptions are loaded. False when out of memory. */
bool app_customer_begin(AppState *state, char *id, char *name);
void cart_state_free(CartState *cart);

/* ----- catalog (app.c) ----- */
void catalog_state_apply(AppState *state, JobResult *result);
void catalog_state_refused(AppState *state, AppSlot slot);

#endif
