/* What the client's own files share: the PcClient struct, one HTTP request as the transport
 * sees it, and the call loop (token, retries, cancellation, errors as values). Not part of
 * the contract in client.h. */
#ifndef PCCART_PC_INTERNAL_H
#define PCCART_PC_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>

#include <curl/curl.h>

#include "pc/client.h"

struct PcClient {
  char *api_base;  /* no trailing '/' */
  char *authority; /* with trailing '/' */
  char *resource;  /* no trailing '/' */
  char *tenant;
  char *client_id;
  char *client_secret; /* wiped on free */
  char *refresh_token; /* wiped on free */
  PcAuthMode auth_mode;
  PcTokenEndpoint token_endpoint;
  char *locale;
  char *country;
  char *ca_file;
  long connect_timeout_ms;
  long request_timeout_ms;
  long checkout_timeout_ms;
  int max_attempts;
  long backoff_base_ms;
  long backoff_max_ms;
  long retry_after_max_ms;
  PcLog *log;
  PcRetryObserver on_retry;
  void *on_retry_user;

  /* One long-lived easy handle on one multi handle: the multi handle keeps the connections
   * alive between calls, and curl_multi_poll/curl_multi_wakeup make every wait cancellable. */
  CURL *easy;
  CURLM *multi;
  atomic_bool cancelled;

  char *access_token;       /* wiped when dropped */
  int64_t token_refresh_ms; /* monotonic time after which the token is fetched again */
};

/* One call as the call loop sees it. */
typedef struct PcRequest {
  const char *method; /* "GET", "POST", "PUT" */
  const char *path;   /* encoded path and query after the API base ("/v1/customers?size=5") */
  const char *body;   /* NULL: none (a POST then sends Content-Length: 0) */
  /* Extra "Name: value" headers (MS-ContinuationToken, x-ms-customeruser-upn); NULL-ended. */
  const char *const *headers;
  bool mutating;          /* create, update, checkout: the effect may be unknown */
  const char *request_id; /* the intent's MS-RequestId; NULL: one for this call */
  long timeout_ms;        /* 0: the settings' request timeout */
  /* The sentence for a 404 that is not a cart's 800008 ("Partner Center does not know
   * customer X."); NULL for a generic one. */
  const char *not_found;
  /* What the call does, for sentences about an unknown outcome ("the cart may have been
   * created"); NULL for reads. */
  const char *effect;
} PcRequest;

/* The last reply of a successful call: the caller parses body. */
typedef struct PcReply {
  long status;
  char *body; /* NUL-terminated, NULL when empty */
  size_t length;
} PcReply;

/* Runs request with the token, MS- headers, retries and cancellation; true on a 2xx reply
 * (reply filled, owned by the caller: pc_reply_clear). Fills info (cleared first) and, on
 * failure, error. */
bool pc_call(PcClient *client, const PcRequest *request, PcReply *reply, PcCallInfo *info,
             PcError *error);
void pc_reply_clear(PcReply *reply);

/* Percent-encodes everything but unreserved characters (path segments, query values).
 * NULL when out of memory. */
char *pc_url_encode(const char *text);

/* Monotonic milliseconds. */
int64_t pc_now_ms(void);

/* True when url is http:// or https:// on a loopback host (127.0.0.0/8, localhost, [::1]);
 * *https tells which. False for anything unparseable. */
bool pc_url_is_loopback(const char *url, bool *https);

/* Drops and wipes the cached access token. */
void pc_token_drop(PcClient *client);

/* ----- for tests: what the call loop makes of a server's reply (tests/fuzz) ----- */

/* Seconds to wait from a Retry-After value (delta-seconds or an HTTP date); -1 if none. */
long pc_retry_after_seconds(const char *text);

/* The reply of one attempt as the call loop sees it: header lines (as curl hands them, each
 * ended by "\n"; a status line starts a new header block), then the body; api says whether it
 * came from Partner Center (else the sign-in service), mutating whether the call was a create,
 * update or checkout. Fills error (cleared first) as a refused call would, *retryable with
 * whether the loop would try again, and *wait_ms with how long it would wait first before
 * attempt `attempt` (1-based). */
void pc_reply_classify(PcClient *client, bool api, bool mutating, long status, const char *headers,
                       size_t headers_length, const char *body, size_t body_length, int attempt,
                       PcError *error, bool *retryable, long *wait_ms);

#endif
