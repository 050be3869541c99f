/* A small libcurl client for tests that talk to an in-process sandbox over real
 * loopback HTTP: one keep-alive connection per context, an automatic bearer token,
 * the control API, concurrent requests on threads, and assertions on the wire shapes. */
#ifndef PCCART_TESTS_SANDBOX_HTTP_H
#define PCCART_TESTS_SANDBOX_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "sandbox/sandbox.h"

/* The customer, subscription and request headers of the two original documents. */
#define DOC_CUSTOMER_ID "d6bf25b7-e0a8-4f2d-a31b-97b55cfc774d"
#define DOC_SUBSCRIPTION_ID "1C461A25-F729-4FA5-AADB-280947DD05E8"
#define DOC_REQUEST_ID "4fa6dad6-a89f-4875-8247-8294a10ae1cf"
#define DOC_CORRELATION_ID "0e93c70c-977a-4a88-9580-7cf084c73286"
#define DOC_CARTS_PATH "/v1/customers/" DOC_CUSTOMER_ID "/carts"
#define PC_RESOURCE "https://api.partnercenter.microsoft.com"
#define TEST_TENANT "contoso-partner.onmicrosoft.com"

typedef struct HttpCtxOptions {
  long customers;            /* 0: the sandbox default */
  const char *scenario;      /* NULL: "default" */
  const char *state_file;    /* NULL: in memory */
  const char *client_secret; /* NULL: SANDBOX_CLIENT_SECRET (letters, digits, '-' only) */
} HttpCtxOptions;

typedef struct HttpCtx HttpCtx;

typedef struct HttpHeader {
  char *name;
  char *value; /* trailing CR/LF and surrounding blanks removed */
} HttpHeader;

typedef struct HttpResponse {
  long status; /* 0 when no HTTP reply arrived */
  char *body;  /* always NUL-terminated when non-NULL */
  size_t body_len;
  cJSON *json;         /* the body parsed, NULL if it is not JSON */
  HttpHeader *headers; /* of the final reply (interim 100 Continue dropped) */
  size_t header_count;
  CURLcode curl_code;
  char error[CURL_ERROR_SIZE + 64]; /* curl's or the helper's explanation */
  double elapsed_ms;
} HttpResponse;

enum {
  HTTP_NO_AUTH = 1 << 0,          /* never add the automatic bearer token */
  HTTP_FRESH_CONNECTION = 1 << 1, /* new connection, closed afterwards (no silent curl retry) */
};

typedef struct HttpRequest {
  const char *method;         /* "GET", "POST", ... */
  const char *path;           /* "/v1/customers?size=5"; appended to the sandbox URL */
  const char *const *headers; /* NULL-terminated "Name: value" strings, or NULL */
  const char *body;           /* NULL: none (a POST then sends Content-Length: 0) */
  size_t body_len;            /* 0: strlen(body) */
  int flags;
} HttpRequest;

/* Starts an in-process sandbox on a free loopback port and a client for it. */
HttpCtx *http_ctx_start(const HttpCtxOptions *options, char *err, size_t err_size);
/* Stops the sandbox and frees the client; NULL is fine. */
void http_ctx_stop(HttpCtx *ctx);
const char *http_ctx_url(const HttpCtx *ctx);
/* The URL with a trailing '/': the authority a client's token endpoint is built from. */
const char *http_ctx_authority(const HttpCtx *ctx);
/* The client secret the sandbox accepts (HttpCtxOptions.client_secret, or the default). */
const char *http_ctx_client_secret(const HttpCtx *ctx);
Sandbox *http_ctx_sandbox(HttpCtx *ctx);
/* The cached bearer token, fetched from POST /{tenant}/oauth2/token on first use; NULL on failure.
 */
const char *http_ctx_token(HttpCtx *ctx);
/* Drops the cached token so that the next /v1/ call fetches a new one. */
void http_ctx_forget_token(HttpCtx *ctx);

/* Sends one request on the context's keep-alive handle. /v1/ paths get
 * "Authorization: Bearer <token>" unless the headers carry an Authorization of their own
 * or HTTP_NO_AUTH is set. Returns true when an HTTP reply arrived; response is cleared first
 * and always needs http_response_clear. */
bool http_send(HttpCtx *ctx, const HttpRequest *request, HttpResponse *response);
bool http_request(HttpCtx *ctx, const char *method, const char *path, const char *const *headers,
                  const char *body, HttpResponse *response);
void http_response_clear(HttpResponse *response);
/* Case-insensitive; the last value when repeated; NULL if absent. */
const char *http_response_header(const HttpResponse *response, const char *name);

/* Requests run concurrently, one thread and one connection each. Start them, then
 * (typically) wait for them to be held by a `hold` fault, release, and join. */
typedef struct HttpAsync HttpAsync;
HttpAsync *http_async_start(HttpCtx *ctx, const HttpRequest *requests, size_t count);
/* Waits for every request; responses[count] receive the replies. Frees async. */
bool http_async_join(HttpAsync *async, HttpResponse *responses);
/* Start and join in one. */
bool http_request_all(HttpCtx *ctx, const HttpRequest *requests, size_t count,
                      HttpResponse *responses);

/* ----- cmocka setup and teardown ----- */

/* A setup (group or test) that starts a sandbox with the default options and stores its
 * HttpCtx in *state; it fails, saying why, when the sandbox does not start. Tests of a group
 * get the group's state: `HttpCtx *ctx = *state` (it also takes the place of any test's
 * cmocka prestate). Tests that need other options start their own with http_ctx_start. */
int sandbox_setup(void **state);
/* Stops the sandbox sandbox_setup stored in *state. */
int sandbox_teardown(void **state);

/* ----- the control API (/_sandbox/...) ----- */

/* path is "status" or "/_sandbox/status"; body NULL for none. */
bool sandbox_control(HttpCtx *ctx, const char *method, const char *path, const char *body,
                     HttpResponse *response);
/* A number member of a GET control reply (e.g. "status", "carts"); -1 on any failure. */
long sandbox_control_number(HttpCtx *ctx, const char *path, const char *field);
/* Asks GET /_sandbox/status until its number `field` ("carts", "orders") is at least
 * at_least (a released request finishing on its own thread); returns the last value. */
long sandbox_wait_count(HttpCtx *ctx, const char *field, long at_least);
/* POST /_sandbox/faults; the fault id, or -1 when not armed with 201. */
long sandbox_fault_arm(HttpCtx *ctx, const char *fault_json);
/* POST /_sandbox/reset and forget the cached token. */
bool sandbox_reset(HttpCtx *ctx);
bool sandbox_advance_clock(HttpCtx *ctx, long seconds);
/* POST /_sandbox/wait-held {"count":n}: true once n requests are held (200). */
bool sandbox_wait_held(HttpCtx *ctx, long count);
/* POST /_sandbox/release: the number released, or -1. */
long sandbox_release(HttpCtx *ctx);

/* ----- bodies ----- */

/* printf into a new string; NULL when out of memory. */
char *str_format(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* Percent-encodes everything but unreserved characters. */
char *url_encode(const char *text);
/* "filter=<urlencoded {"Field":field,"Value":value,"Operator":"starts_with"}>" */
char *customers_filter_param(const char *field, const char *value);

typedef struct CartLineSpec {
  const char *catalog_item_id;
  long quantity;
  const char *billing_cycle;
  const char *term_duration;   /* NULL: omitted */
  const char *subscription_id; /* provisioningContext.subscriptionId; NULL: omitted */
  const char *scope;           /* provisioningContext.scope; NULL: omitted */
  const char *renews_to;       /* renewsTo.termDuration; NULL: omitted */
} CartLineSpec;

/* {"lineItems":[..]} with ids 0..count-1. */
char *cart_body_build(const CartLineSpec *lines, size_t count);

/* The create-a-cart document's request body, annotations stripped: read from
 * tests/fixtures/docs-create-cart-request.json, or extracted from the seed document. */
char *docs_create_cart_body(void);
/* The document's cart (its headers, the given MS-RequestId or a fresh one when NULL)
 * created for DOC_CUSTOMER_ID; returns the new cart id, NULL unless 201. */
char *docs_cart_create(HttpCtx *ctx, const char *request_id);
/* POST .../carts/{id}/checkout as the checkout document does (no body). */
bool docs_cart_checkout(HttpCtx *ctx, const char *customer_id, const char *cart_id,
                        const char *request_id, HttpResponse *response);

/* A random GUID in lower case into buf[37]. */
void guid_random(char buf[37]);
bool is_guid(const char *text);
/* "2019-01-16T00:45:41.6062996Z"; ticks are 100 ns units since the epoch. */
bool is_timestamp7(const char *text);
bool timestamp7_ticks(const char *text, long long *ticks);
bool is_utf8(const char *text, size_t length);

/* "a.b.0.c": members by exact name, array elements by index; NULL if absent. */
const cJSON *json_at(const cJSON *root, const char *path);
/* The string at path, or NULL when absent or not a string. */
const char *json_str_at(const cJSON *root, const char *path);
/* The number at path; `missing` when absent or not a number. */
double json_num_at(const cJSON *root, const char *path, double missing);
/* Array size at path; -1 if not an array. */
int json_count_at(const cJSON *root, const char *path);
/* The items array of a control reply that is either an array or {"items":[..]}. */
const cJSON *json_items(const cJSON *root);

/* ----- cmocka assertions (call from tests only; failures name the caller's line) ----- */

/* Content-Type is application/json (charset utf-8). */
#define assert_json_reply(response) assert_json_reply_at((response), __FILE__, __LINE__)
/* status, JSON content type and {"code":<number>,"description":<non-empty>};
 * code < 0 accepts any code. */
#define assert_api_error(response, status, code)                                                   \
  assert_api_error_at((response), (status), (code), __FILE__, __LINE__)
/* Fails showing the body and curl's error when the status differs (0: no reply). */
#define assert_status(response, status) assert_status_at((response), (status), __FILE__, __LINE__)

void assert_json_reply_at(const HttpResponse *response, const char *file, int line);
void assert_api_error_at(const HttpResponse *response, long status, long code, const char *file,
                         int line);
void assert_status_at(const HttpResponse *response, long status, const char *file, int line);

#endif
