/* The app-state model: what the user is doing, without curses. Transitions are plain functions
 * (tested without a terminal); requests to Partner Center leave as Jobs through an outbox that
 * the UI hands to the worker, and come back as JobResults the UI feeds in. Each transition
 * records which parts of the screen it changed, so only those are repainted.
 *
 * The path of a keystroke: UI action -> app_* transition -> app_next_job -> worker_submit ->
 * app_job_submitted ... worker result -> app_apply_result -> app_take_changes -> repaint. */
#ifndef PCCART_APP_H
#define PCCART_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "app/worker.h"
#include "model/cart.h"
#include "model/catalog.h"
#include "model/customer.h"
#include "model/order.h"

/* What changed since app_take_changes was last called: the UI repaints those parts. */
enum {
  APP_CHANGED_CUSTOMERS = 1u << 0, /* the list, its filter, selection or loading state */
  APP_CHANGED_CART = 1u << 1,      /* header or lines */
  APP_CHANGED_PREVIEW = 1u << 2,   /* the request body or the last response */
  APP_CHANGED_RESULTS = 1u << 3,   /* the checkout result */
  APP_CHANGED_CATALOG = 1u << 4,   /* products, SKUs, availabilities, subscriptions */
  APP_CHANGED_STATUS = 1u << 5,    /* busy state, messages */
  APP_CHANGED_ALL = 0xffu,
};

/* ----- messages (toasts and the status bar's last message) ----- */

typedef enum AppMessageLevel {
  APP_MESSAGE_INFO = 0,
  APP_MESSAGE_SUCCESS,
  APP_MESSAGE_WARNING,
  APP_MESSAGE_ERROR,
} AppMessageLevel;

typedef struct AppMessage {
  AppMessageLevel level;
  char text[512];      /* one plain sentence */
  long code;           /* Partner Center code, 0 if none */
  long http_status;    /* 0 if none */
  char request_id[40]; /* "" if none */
} AppMessage;

/* ----- customers ----- */

/* The slice of a customer the list needs; 100,000 of them must fit in a few tens of MB. */
typedef struct CustomerSummary {
  char *id;
  char *company_name;
  char *domain;
  char *search_key; /* folded "company\tdomain\tid" for local filtering */
} CustomerSummary;

typedef struct CustomerList {
  CustomerSummary *items; /* loaded, in server order */
  size_t count;
  size_t capacity;
  size_t *visible; /* indexes into items matching `filter`, in order */
  size_t visible_count;
  size_t selected;     /* index into visible */
  char filter[128];    /* what the user typed (UTF-8) */
  char *loaded_prefix; /* the server search the loaded items answer; NULL: unfiltered */
  char *continuation;  /* the next page's token; NULL when everything is loaded */
  long job_id;         /* the page request in flight, 0 if none */
} CustomerList;

/* ----- the cart ----- */

typedef enum AppCartStatus {
  APP_CART_DRAFT = 0, /* never saved: no id */
  APP_CART_SAVED,     /* has an id on the server (Active) */
  APP_CART_ORDERED,   /* checked out */
} AppCartStatus;

typedef struct CartState {
  char *customer_id; /* NULL until a customer is picked */
  char *customer_name;
  Cart *draft; /* what the user edits (never NULL); line ids are 0..n-1 */
  bool dirty;  /* the draft has changes not saved to Partner Center */
  AppCartStatus status;
  /* The MS-RequestId of the save or checkout intent in progress, kept when its outcome was
   * unknown so that trying again reuses it (one intent, one id); "" otherwise. */
  char save_request_id[37];
  char checkout_request_id[37];
  /* The last save or checkout may have been carried out and its outcome could not be told:
   * the cart says so, and the next s or C sends the same request id again (safe). */
  bool save_outcome_unknown;
  bool checkout_outcome_unknown;
  CartCheckoutResult *checkout; /* NULL until checked out */
  char *last_response;          /* the body of the last server reply, for the preview toggle */
  long save_job;                /* create/update in flight, 0 if none */
  long checkout_job;
  long reload_job;
} CartState;

/* ----- the catalog and the customer's subscriptions ----- */

typedef struct CatalogState {
  Catalog *catalog; /* what has been loaded for the current customer (never NULL) */
  bool products_loaded;
  SubscriptionList subscriptions; /* the current customer's, for reservation subscriptionIds */
  bool subscriptions_loaded;
  long products_job;
  long skus_job;
  long availabilities_job;
  long subscriptions_job;
  /* The product / SKU whose SKUs / availabilities were last asked for (to know what "loaded"
   * means for the catalog browser). */
  char skus_loaded_for[64];
  char availabilities_loaded_for[128]; /* "product:sku" */
} CatalogState;

/* ----- the whole state ----- */

typedef struct AppOptions {
  const char *profile_name; /* shown in the status bar */
  bool is_live;             /* LIVE Partner Center (else a sandbox) */
  long page_size;           /* customers per page [100] */
} AppOptions;

typedef struct AppState {
  char *profile_name;
  bool is_live;
  long page_size;
  CustomerList customers;
  CartState cart;
  CatalogState catalog;
  bool show_last_response; /* the preview shows the last server reply instead of the body */
  unsigned changes;        /* APP_CHANGED_* since the last app_take_changes */
  /* The outbox: jobs waiting to be handed to the worker, oldest first. */
  Job **outbox;
  size_t outbox_count;
  /* What each outbox job is for, so app_job_submitted can record its id. */
  long *outbox_slots;
  /* Messages not yet shown, oldest first. */
  AppMessage *messages;
  size_t message_count;
  AppMessage last_message;      /* for the status bar; level INFO and "" before the first */
  long jobs_in_flight;          /* submitted and not finished: the spinner turns while > 0 */
  struct AppInternal *internal; /* private to src/app (filter state, string arena, ...) */
} AppState;

AppState *app_new(const AppOptions *options);
void app_free(AppState *state);

/* The changes since the last call (APP_CHANGED_*), then none. */
unsigned app_take_changes(AppState *state);

/* The next job for the worker (ownership passes to the caller), or NULL. The caller must then
 * call app_job_submitted with worker_submit's answer before taking another. */
Job *app_next_job(AppState *state);
/* job_id > 0: the job runs; 0: the worker refused it, with why (a sentence for the user). */
void app_job_submitted(AppState *state, long job_id, const char *why);
/* A result from the worker; the state takes what it needs and frees result. Results of jobs it
 * no longer waits for (a customer page for an old filter) are dropped. */
void app_apply_result(AppState *state, JobResult *result);
/* The job Esc should cancel: the newest in flight, 0 when none. */
long app_cancel_target(const AppState *state);
bool app_busy(const AppState *state); /* any job in flight or queued */

/* The oldest message not yet taken (false when none); the status bar keeps last_message. */
bool app_take_message(AppState *state, AppMessage *out);
/* Adds a message (used by the UI for its own notices, e.g. "Draft written to FILE."). */
void app_message(AppState *state, AppMessageLevel level, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* The check of the submissions earlier runs left unsettled (JOB_RECONCILE), for a worker of
 * its own (so that a slow service does not hold up the customer list); what became of each is
 * told in messages when its result is applied. NULL when out of memory. Until then a save or
 * checkout waits (it could repeat one of them). */
Job *app_reconcile_job(AppState *state);
/* worker_submit's answer for that job (0: refused, with why). */
void app_reconcile_submitted(AppState *state, long job_id, const char *why);

/* ----- customers ----- */

/* Loads the first page (at start) or the next one (when the list is scrolled to its end and
 * more exist). False when nothing was queued (all loaded, or a page already loading). */
bool app_customers_load_more(AppState *state);
/* The user typed the filter: the visible list is filtered locally at once (case-insensitive
 * substring of company name, domain or id); when the loaded items cannot contain every match (the
 * list is not complete and the filter does not start with the loaded prefix), a server prefix
 * search is queued too and its results replace the loaded items: on the domain when the filter
 * looks like one (a '.' and no space: "contoso.onmi"), else on company name. */
void app_customers_set_filter(AppState *state, const char *filter);
void app_customers_select(AppState *state, size_t visible_index); /* clamped */
/* The customer at a visible index, or NULL. */
const CustomerSummary *app_customer_visible(const AppState *state, size_t visible_index);
/* Picks the selected customer for the cart: the cart starts empty for them (the UI asks first
 * when the current cart has unsaved changes); their subscriptions and the catalog's products
 * are loaded. False with why when nothing is selected. */
bool app_customer_pick(AppState *state, char *why, size_t why_size);

/* ----- catalog ----- */

/* Queue the loads the catalog browser and the line form need (no-ops when loaded or loading). */
void app_catalog_load_products(AppState *state);
void app_catalog_load_skus(AppState *state, const char *product_id);
void app_catalog_load_availabilities(AppState *state, const char *product_id, const char *sku_id);
/* Everything at once (JOB_CATALOG_FETCH: every product, SKU and availability, and the legacy
 * offers such as MS-AZR-0145P, which no other job lists); slow on Partner Center proper. */
void app_catalog_load_all(AppState *state);

/* ----- cart editing (each marks the cart dirty and the preview changed) ----- */

/* Copies line into the draft (its id is set to the new index); false with why when there is no
 * customer, the cart is ordered, or out of memory. */
bool app_cart_add_line(AppState *state, const CartLineItem *line, char *why, size_t why_size);
bool app_cart_replace_line(AppState *state, size_t index, const CartLineItem *line, char *why,
                           size_t why_size);
bool app_cart_duplicate_line(AppState *state, size_t index, char *why, size_t why_size);
bool app_cart_delete_line(AppState *state, size_t index, char *why, size_t why_size);
bool app_cart_clear(AppState *state, char *why, size_t why_size);

/* Save: create (no id yet) or update (PUT) the cart; false with why when there is nothing to
 * save, no customer, the cart is ordered, or a save is already in flight. */
bool app_cart_save(AppState *state, char *why, size_t why_size);
/* Reload the cart from the server (discarding unsaved changes: the UI asks first). */
bool app_cart_reload(AppState *state, char *why, size_t why_size);
/* Open an existing cart of the current customer by id. */
bool app_cart_open(AppState *state, const char *cart_id, char *why, size_t why_size);
/* Check out: only a saved cart with no unsaved changes and no line errors (why says which). */
bool app_cart_checkout(AppState *state, char *why, size_t why_size);
/* Whether app_cart_checkout would queue the checkout now (the same rules; why says what stands
 * in the way): the UI asks before showing the confirmation, so no one answers yes to a refusal. */
bool app_cart_can_checkout(const AppState *state, char *why, size_t why_size);

/* The body the next create or update sends, byte for byte (model_json_print of
 * cart_to_request_json); caller frees. NULL when out of memory. */
char *app_cart_request_body(const AppState *state);
/* The expiration timestamp as time_t; false when the cart has none. */
bool app_cart_expires_at(const AppState *state, time_t *when);
/* Writes the request body to path (0600, atomically); false with err naming the file. */
bool app_cart_write_draft(const AppState *state, const char *path, char *err, size_t err_size);
/* Reads a draft (or any cart file: annotations, PascalCase) into the draft as unsaved lines for
 * the current customer; false with err naming the file and the problem. */
bool app_cart_read_draft(AppState *state, const char *path, char *err, size_t err_size);

/* ----- the line item form (pure: no curses) ----- */

typedef enum FormFieldKind {
  FORM_FIELD_TEXT = 0, /* free text */
  FORM_FIELD_NUMBER,   /* an integer within [min, max] */
  FORM_FIELD_CHOICE,   /* one of choices */
  FORM_FIELD_GUID,     /* a GUID, typed or picked from choices */
  FORM_FIELD_READONLY, /* shown, not editable (the catalog item) */
} FormFieldKind;

typedef struct FormField {
  char *label;     /* "Quantity", "Scope" */
  char *wire_name; /* "quantity", "provisioningContext.scope" (matches CartProblem.field) */
  FormFieldKind kind;
  char *value;              /* as typed or chosen; "" when empty */
  StringList choices;       /* CHOICE and GUID: the values offered */
  StringList choice_labels; /* the same length as choices: what to show ("Shared", "Contoso –
                             * Production": a subscription's name, without its GUID) */
  long min, max;            /* NUMBER */
  bool required;
  char *hint;  /* one line under the field ("1 to 300 seats", "as the availability offers") */
  char *error; /* the validation problem of this field, NULL when fine */
} FormField;

typedef struct LineForm {
  FormField *fields;
  size_t count;
  char *catalog_item_id;
  long line_index;                   /* the line being edited, -1 for a new line */
  bool changed;                      /* anything edited since the form opened (Esc then asks) */
  struct LineFormInternal *internal; /* private to src/app: the line as it was, the item's terms */
} LineForm;

/* A form for a new line of catalog_item_id (must be in the state's catalog) or for editing the
 * draft's line at line_index (catalog_item_id NULL). The fields follow the SKU: quantity bounded
 * by min/max, billing cycle and term from what the availability offers, renews-to for trials,
 * friendly name, promotion id, participants, and one field per provisioning variable (Scope:
 * shared / single; SubscriptionId: a GUID picked from the customer's Azure subscriptions;
 * Duration: 1Year / 3Years). NULL with why when the item or line is unknown. */
LineForm *line_form_new(const AppState *state, const char *catalog_item_id, long line_index,
                        char *why, size_t why_size);
void line_form_free(LineForm *form);
/* Sets a field's value; for choices the value must be one of them. Dependent fields follow
 * (changing the billing cycle narrows the terms). False when the value is not allowed. */
bool line_form_set(LineForm *form, size_t field, const char *value);
/* Checks the form with the shared validator (cart_line_validate) and the field rules; sets each
 * field's error; true when there is none. */
bool line_form_validate(LineForm *form, const AppState *state);
/* The line the form describes (out cleared first); false when out of memory. */
bool line_form_to_line(const LineForm *form, CartLineItem *out);
/* The index of the field with this wire name, or -1. */
long line_form_find(const LineForm *form, const char *wire_name);

#endif
