/* The Partner Center client (libcurl): clouds and tokens, one function per API operation,
 * errors as values, retries that keep one MS-RequestId per intent, timeouts, TLS, and
 * cancellation from another thread. One PcClient is used by one thread at a time (the
 * worker, or the CLI's main thread); only pc_client_cancel may be called from elsewhere. */
#ifndef PCCART_PC_CLIENT_H
#define PCCART_PC_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/cart.h"
#include "model/catalog.h"
#include "model/customer.h"
#include "model/order.h"
#include "pc/log.h"

#ifndef PCCART_VERSION
#define PCCART_VERSION "0.0.0"
#endif

/* ----- errors as values ----- */

typedef enum PcErrorKind {
  PC_ERROR_NONE = 0,
  PC_ERROR_HTTP,      /* Partner Center answered with an error status (4xx/5xx) */
  PC_ERROR_AUTH,      /* the token endpoint refused (wrong secret, unknown client, bad grant) */
  PC_ERROR_CONNECT,   /* DNS or TCP connect failed: nothing was sent */
  PC_ERROR_TLS,       /* the TLS handshake or certificate check failed: nothing was sent */
  PC_ERROR_TIMEOUT,   /* no complete reply in time: the server may have acted */
  PC_ERROR_NETWORK,   /* the connection broke after sending: the server may have acted */
  PC_ERROR_CANCELLED, /* pc_client_cancel() */
  PC_ERROR_BAD_REPLY, /* a reply that is not what the API documents */
  PC_ERROR_INVALID,   /* the caller's arguments or settings are wrong (names which) */
  PC_ERROR_NO_MEMORY,
} PcErrorKind;

typedef struct PcError {
  PcErrorKind kind;
  long http_status;  /* 0 when no HTTP reply arrived */
  long code;         /* Partner Center code (integer or numeric string on the wire); 0 if none */
  char *code_text;   /* the code as sent when it was a non-numeric string; else NULL */
  char *description; /* the service's description (or the 429 message); NULL if none */
  char request_id[40];
  char correlation_id[40];
  long retry_after_s;   /* Retry-After of the last reply, 0 if none */
  bool outcome_unknown; /* a create/update/checkout whose effect on the server is unknown */
  int curl_code;        /* the CURLcode behind a transport error, 0 otherwise */
  /* One plain sentence a sales person understands ("Partner Center is busy; try again in 57
   * seconds.", "Could not reach login.microsoftonline.com: the name does not resolve."). */
  char message[512];
} PcError;

void pc_error_clear(PcError *error); /* frees members and zeroes */
/* Sets error to kind with a formatted message (members freed first): for the callers' own
 * errors about a call (nothing from the service). */
void pc_error_set(PcError *error, PcErrorKind kind, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
const char *pc_error_kind_name(PcErrorKind kind); /* "http", "timeout", ... */

/* ----- settings ----- */

typedef enum PcCloud {
  PC_CLOUD_PUBLIC = 0,
  PC_CLOUD_CHINA, /* 21Vianet */
  PC_CLOUD_USGOV,
  PC_CLOUD_GERMANY, /* closed to new customers */
} PcCloud;

/* "public", "china" (also "21vianet"), "usgov", "germany"; false otherwise. */
bool pc_cloud_parse(const char *text, PcCloud *cloud);
const char *pc_cloud_name(PcCloud cloud);
/* The cloud's API base, AAD authority (with trailing '/') and Partner Center resource. */
const char *pc_cloud_api_base(PcCloud cloud);
const char *pc_cloud_authority(PcCloud cloud);
const char *pc_cloud_resource(PcCloud cloud);

typedef enum PcAuthMode {
  PC_AUTH_APP_ONLY = 0, /* client credentials */
  PC_AUTH_APP_USER,     /* refresh-token exchange (secure application model) */
} PcAuthMode;

typedef enum PcTokenEndpoint {
  PC_TOKEN_V1 = 0, /* /oauth2/token with resource= */
  PC_TOKEN_V2,     /* /oauth2/v2.0/token with scope= */
} PcTokenEndpoint;

/* Told before each retry wait: attempt (1-based) that failed, how long the client will wait,
 * and why. Called on the client's thread. */
typedef void (*PcRetryObserver)(void *user, int attempt, long wait_ms, const PcError *why);

/* Every string is copied by pc_client_new; secrets are wiped from the client's copies when it
 * is freed. Zero / NULL members take the defaults in brackets. */
typedef struct PcSettings {
  PcCloud cloud;                  /* [public] */
  const char *api_base;           /* overrides the cloud's, e.g. "http://127.0.0.1:8470" */
  const char *authority;          /* overrides the cloud's, e.g. "http://127.0.0.1:8470/" */
  const char *resource;           /* overrides the cloud's audience */
  const char *tenant;             /* the partner tenant (id or domain); required */
  const char *client_id;          /* required */
  const char *client_secret;      /* required */
  const char *refresh_token;      /* required for PC_AUTH_APP_USER */
  PcAuthMode auth_mode;           /* [app-only] */
  PcTokenEndpoint token_endpoint; /* [v1] */
  const char *locale;             /* X-Locale [en-US] */
  const char *country;            /* the catalog's country [US] */
  const char *ca_file;            /* PEM bundle to verify servers with [the system's] */
  long connect_timeout_ms;        /* [10000] */
  long request_timeout_ms;        /* total per attempt for reads and cart writes [30000] */
  long checkout_timeout_ms;       /* total per attempt for a checkout [120000] */
  int max_attempts;               /* attempts per call, first included [4] */
  long backoff_base_ms;           /* full-jitter backoff: rand(0, min(max, base * 2^n)) [800] */
  long backoff_max_ms;            /* [10000] */
  long retry_after_max_ms;        /* Retry-After is honoured up to this [60000] */
  PcLog *log;                     /* borrowed; NULL for none */
  PcRetryObserver on_retry;       /* NULL for none */
  void *on_retry_user;
} PcSettings;

/* Plain http:// is accepted only for loopback hosts (the sandbox); anything else must be
 * https:// and is always verified. */

typedef struct PcClient PcClient;

/* Checks the settings (the error names the wrong one) and prepares the connection. No network
 * traffic until the first call. curl_global_init must have been called. */
PcClient *pc_client_new(const PcSettings *settings, PcError *error);
void pc_client_free(PcClient *client);

/* From any thread: the call in progress (or its retry wait) ends within 100 ms with
 * PC_ERROR_CANCELLED, and so does every later call until pc_client_clear_cancel. */
void pc_client_cancel(PcClient *client);
void pc_client_clear_cancel(PcClient *client);
/* Whether pc_client_cancel was called since the last pc_client_clear_cancel. */
bool pc_client_is_cancelled(PcClient *client);

/* Waits ms on the client's thread; false as soon as the client is cancelled. */
bool pc_client_wait(PcClient *client, long ms);
/* The full-jitter backoff the client waits after its attempt-th failure (1-based), from the
 * settings' backoff_base_ms and backoff_max_ms. */
long pc_client_backoff_ms(PcClient *client, int attempt);

/* Drops the cached access token (the next call fetches one). */
void pc_client_forget_token(PcClient *client);

/* A new MS-RequestId (lower-case GUID) for one intent: pass the same one to every attempt of
 * that intent, even across separate calls (a checkout retried by the user after a timeout). */
void pc_new_request_id(char out[37]);

/* What one call did on the wire: kept for the UI's "last server response" view and for logs. */
typedef struct PcCallInfo {
  long status; /* of the last reply; 0 if none */
  char request_id[40];
  char correlation_id[40];
  int attempts;
  char *request_body;  /* exactly the bytes sent (NULL for a GET) */
  char *response_body; /* the last reply's body (NULL if none) */
} PcCallInfo;

void pc_call_info_clear(PcCallInfo *info);

/* Every operation below returns true on success; on failure false with error filled (error
 * must be zeroed or cleared before the call). info may be NULL. Outputs are set only on
 * success and are owned by the caller. */

/* ----- customers ----- */

typedef enum PcCustomerField {
  PC_CUSTOMER_ALL = 0,         /* no filter */
  PC_CUSTOMER_BY_COMPANY_NAME, /* starts_with, case-insensitive */
  PC_CUSTOMER_BY_DOMAIN,
} PcCustomerField;

typedef struct PcCustomerQuery {
  long size; /* page size, 1..500 [0: 100] */
  PcCustomerField field;
  const char *prefix;             /* with field */
  const char *continuation_token; /* the previous page's; the query then comes from the token */
} PcCustomerQuery;

bool pc_customers_list(PcClient *client, const PcCustomerQuery *query, CustomerPage **out,
                       PcCallInfo *info, PcError *error);
bool pc_customer_get(PcClient *client, const char *customer_id, Customer *out, PcCallInfo *info,
                     PcError *error);
/* GET /v1/customers/{id}/subscriptions. */
bool pc_subscriptions_list(PcClient *client, const char *customer_id, SubscriptionList *out,
                           PcCallInfo *info, PcError *error);

/* ----- catalog: each adds what it read to `into` (caller-owned) ----- */

/* customer_id NULL: the global catalog in the settings' country; otherwise customer-scoped.
 * target_view / target_segment NULL: not sent. */
bool pc_products_list(PcClient *client, const char *customer_id, const char *target_view,
                      const char *target_segment, Catalog *into, PcCallInfo *info, PcError *error);
bool pc_product_get(PcClient *client, const char *customer_id, const char *product_id,
                    Catalog *into, PcCallInfo *info, PcError *error);
bool pc_skus_list(PcClient *client, const char *customer_id, const char *product_id, Catalog *into,
                  PcCallInfo *info, PcError *error);
bool pc_sku_get(PcClient *client, const char *customer_id, const char *product_id,
                const char *sku_id, Catalog *into, PcCallInfo *info, PcError *error);
bool pc_availabilities_list(PcClient *client, const char *customer_id, const char *product_id,
                            const char *sku_id, Catalog *into, PcCallInfo *info, PcError *error);
bool pc_availability_get(PcClient *client, const char *customer_id, const char *product_id,
                         const char *sku_id, const char *availability_id, Catalog *into,
                         PcCallInfo *info, PcError *error);
/* The legacy offers (GET /v1/offers?country=..). */
bool pc_offers_list(PcClient *client, Catalog *into, PcCallInfo *info, PcError *error);
/* The new-commerce promotions of the commercial segment in the settings' country
 * (GET /v1/productPromotions?country=..&segment=commercial): what a line's promotionId names. */
bool pc_promotions_list(PcClient *client, Catalog *into, PcCallInfo *info, PcError *error);
/* Everything a cart can be checked against: every product (each target view the catalog
 * has), their SKUs and availabilities, the legacy offers and the promotions (a partner whose
 * Partner Center refuses the promotion list with 403 or 404 gets a catalog without them). */
bool pc_catalog_fetch(PcClient *client, const char *customer_id, Catalog *into, PcError *error);

/* ----- carts ----- */

/* request_id: the intent's MS-RequestId (pc_new_request_id); NULL makes one for this call.
 * Every retry inside the call reuses it. The body sent is cart_to_request_json printed by
 * model_json_print, byte for byte what a preview shows. */
bool pc_cart_create(PcClient *client, const char *customer_id, const Cart *cart,
                    const char *request_id, Cart **out, PcCallInfo *info, PcError *error);
bool pc_cart_get(PcClient *client, const char *customer_id, const char *cart_id, Cart **out,
                 PcCallInfo *info, PcError *error);
/* PUT: replaces every line of cart->id with cart's. */
bool pc_cart_update(PcClient *client, const char *customer_id, const Cart *cart,
                    const char *request_id, Cart **out, PcCallInfo *info, PcError *error);
/* customer_user_upn: sent as x-ms-customeruser-upn when non-NULL. A checkout whose reply was
 * lost is retried with the same MS-RequestId on the same cart; Partner Center replays an
 * ordered cart's result, so a retry never orders twice. */
bool pc_cart_checkout(PcClient *client, const char *customer_id, const char *cart_id,
                      const char *customer_user_upn, const char *request_id,
                      CartCheckoutResult **out, PcCallInfo *info, PcError *error);

#endif
