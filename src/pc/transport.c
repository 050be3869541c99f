/* The wire: one attempt on the client's long-lived easy handle driven by its multi handle
 * (so every wait can be cut short by pc_client_cancel), the token cache, and the one retry
 * loop every operation goes through. Failures become PcError values with one plain
 * sentence; nothing here prints. */
#define _GNU_SOURCE /* explicit_bzero */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "model/api_error.h"
#include "pc/internal.h"

#define USER_AGENT "pccart/" PCCART_VERSION
/* A reply bigger than this is not a Partner Center reply (its largest, a catalog page, is a
 * few hundred KiB); refusing it keeps a broken proxy from eating memory. */
#define MAX_REPLY_BYTES (32L * 1024 * 1024)
/* DEBUG logs show at most this much of one body chunk. */
#define MAX_LOGGED_BODY 8192
#define LOW_SPEED_TIME_S 30L
/* Retry-After values are capped here (a year) before any arithmetic: a server's
 * "Retry-After: 9999999999999999" must not overflow the milliseconds (found by tests/fuzz). */
#define RETRY_AFTER_MAX_S (366L * 24 * 3600)
/* A token's lifetime is capped here (the sign-in service issues them for an hour or so) before
 * any arithmetic: "expires_in": 9223372036854775807 must not overflow the milliseconds. */
#define TOKEN_LIFETIME_MAX_S (24L * 3600)

/* ----- one attempt ----- */

typedef struct Attempt {
  long status; /* 0: no reply */
  char *body;
  size_t length;
  size_t capacity;
  bool too_large;
  bool no_memory;
  char request_id[40]; /* of the reply */
  char correlation_id[40];
  char retry_after[64];
  CURLcode code;
  bool sent;      /* request bytes went out: the server may have acted */
  bool cancelled; /* pc_client_cancel ended it */
  long elapsed_ms;
  char curl_error[CURL_ERROR_SIZE];
} Attempt;

static void attempt_reset(Attempt *a) {
  free(a->body);
  memset(a, 0, sizeof *a);
}

static size_t on_body(char *data, size_t size, size_t count, void *user) {
  Attempt *a = user;
  size_t n = size * count;
  if (a->length + n > (size_t)MAX_REPLY_BYTES) {
    a->too_large = true;
    return 0; /* CURLE_WRITE_ERROR ends the transfer */
  }
  if (a->length + n + 1 > a->capacity) {
    size_t capacity = a->capacity ? a->capacity : 4096;
    while (capacity < a->length + n + 1)
      capacity *= 2;
    char *grown = realloc(a->body, capacity);
    if (!grown) {
      a->no_memory = true;
      return 0;
    }
    a->body = grown;
    a->capacity = capacity;
  }
  memcpy(a->body + a->length, data, n);
  a->length += n;
  a->body[a->length] = '\0';
  return n;
}

static void copy_header_value(char *dst, size_t dst_size, const char *value, size_t n) {
  if (n >= dst_size)
    n = dst_size - 1;
  memcpy(dst, value, n);
  dst[n] = '\0';
}

static size_t on_header(char *data, size_t size, size_t count, void *user) {
  Attempt *a = user;
  size_t n = size * count;
  if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
    /* A new status line (after an interim 100 Continue): only the final reply's count. */
    a->request_id[0] = a->correlation_id[0] = a->retry_after[0] = '\0';
    return n;
  }
  const char *colon = memchr(data, ':', n);
  if (!colon)
    return n;
  size_t name_length = (size_t)(colon - data);
  const char *value = colon + 1;
  const char *end = data + n;
  while (value < end && (*value == ' ' || *value == '\t'))
    value++;
  while (end > value && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
    end--;
  size_t value_length = (size_t)(end - value);
  struct {
    const char *name;
    char *dst;
    size_t size;
  } wanted[] = {{"MS-RequestId", a->request_id, sizeof a->request_id},
                {"MS-CorrelationId", a->correlation_id, sizeof a->correlation_id},
                {"Retry-After", a->retry_after, sizeof a->retry_after}};
  for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
    if (strlen(wanted[i].name) == name_length &&
        strncasecmp(data, wanted[i].name, name_length) == 0)
      copy_header_value(wanted[i].dst, wanted[i].size, value, value_length);
  }
  return n;
}

/* DEBUG: headers and bodies, line by line; pc_log_write redacts every line (Authorization,
 * secret form fields, token members, registered secrets). TLS records are never logged. */
static int on_debug(CURL *handle, curl_infotype type, char *data, size_t size, void *user) {
  (void)handle;
  PcLog *log = user;
  const char *mark;
  switch (type) {
  case CURLINFO_TEXT:
    mark = "*";
    break;
  case CURLINFO_HEADER_OUT:
    mark = ">";
    break;
  case CURLINFO_HEADER_IN:
    mark = "<";
    break;
  case CURLINFO_DATA_OUT:
    pc_log_write(log, PC_LOG_DEBUG, "> body (%zu bytes): %.*s", size,
                 (int)(size < MAX_LOGGED_BODY ? size : MAX_LOGGED_BODY), data);
    return 0;
  case CURLINFO_DATA_IN:
    pc_log_write(log, PC_LOG_DEBUG, "< body (%zu bytes): %.*s", size,
                 (int)(size < MAX_LOGGED_BODY ? size : MAX_LOGGED_BODY), data);
    return 0;
  default:
    return 0;
  }
  const char *p = data, *end = data + size;
  while (p < end) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    const char *line_end = eol ? eol : end;
    const char *trim = line_end;
    while (trim > p && (trim[-1] == '\r' || trim[-1] == '\n'))
      trim--;
    if (trim > p)
      pc_log_write(log, PC_LOG_DEBUG, "%s %.*s", mark, (int)(trim - p), p);
    p = eol ? eol + 1 : end;
  }
  return 0;
}

static bool cancelled(PcClient *c) {
  return atomic_load(&c->cancelled);
}

/* Sets up the easy handle for one attempt. Every option is set again after a reset, so an
 * attempt never inherits another's method, body or headers. */
static CURLcode attempt_setup(PcClient *c, const char *method, const char *url, const char *body,
                              const struct curl_slist *headers, long timeout_ms, Attempt *a) {
  CURL *e = c->easy;
  curl_easy_reset(e);
  bool https = false;
  bool loopback = pc_url_is_loopback(url, &https);
  CURLcode rc = CURLE_OK;
#define SET(option, value)                                                                         \
  do {                                                                                             \
    if (rc == CURLE_OK)                                                                            \
      rc = curl_easy_setopt(e, option, value);                                                     \
  } while (0)
  SET(CURLOPT_URL, url);
  SET(CURLOPT_NOSIGNAL, 1L);
  SET(CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
  SET(CURLOPT_TIMEOUT_MS, timeout_ms);
  SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
  SET(CURLOPT_LOW_SPEED_TIME, LOW_SPEED_TIME_S);
  SET(CURLOPT_SSL_VERIFYPEER, 1L);
  SET(CURLOPT_SSL_VERIFYHOST, 2L);
  if (c->ca_file)
    SET(CURLOPT_CAINFO, c->ca_file);
  SET(CURLOPT_FOLLOWLOCATION, 0L);
  /* Plain http only to this machine (the sandbox); pc_client_new refused it elsewhere. */
  SET(CURLOPT_PROTOCOLS_STR, loopback ? "http,https" : "https");
  SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
  if (loopback)
    SET(CURLOPT_NOPROXY, "*"); /* this request's host is loopback: never through a proxy */
  SET(CURLOPT_USERAGENT, USER_AGENT);
  SET(CURLOPT_HTTPHEADER, headers);
  SET(CURLOPT_WRITEFUNCTION, on_body);
  SET(CURLOPT_WRITEDATA, a);
  SET(CURLOPT_HEADERFUNCTION, on_header);
  SET(CURLOPT_HEADERDATA, a);
  SET(CURLOPT_ERRORBUFFER, a->curl_error);
  if (strcmp(method, "GET") == 0) {
    SET(CURLOPT_HTTPGET, 1L);
  } else {
    if (strcmp(method, "POST") == 0)
      SET(CURLOPT_POST, 1L);
    else
      SET(CURLOPT_CUSTOMREQUEST, method);
    /* No body: Content-Length: 0, as the checkout document sends. */
    SET(CURLOPT_POSTFIELDS, body ? body : "");
    SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? strlen(body) : 0));
  }
  /* VERBOSE only ever together with the redacting debug callback at DEBUG level: libcurl
   * calls a DEBUGFUNCTION only when VERBOSE is on, and with one set nothing goes to stderr. */
  if (pc_log_enabled(c->log, PC_LOG_DEBUG)) {
    SET(CURLOPT_DEBUGFUNCTION, on_debug);
    SET(CURLOPT_DEBUGDATA, c->log);
    SET(CURLOPT_VERBOSE, 1L);
  }
#undef SET
  return rc;
}

/* Drives the transfer with curl_multi_perform/curl_multi_poll until it ends or the client is
 * cancelled; curl_multi_wakeup (pc_client_cancel) ends a poll at once. */
static void attempt_run(PcClient *c, Attempt *a) {
  int64_t start = pc_now_ms();
  if (curl_multi_add_handle(c->multi, c->easy) != CURLM_OK) {
    a->code = CURLE_FAILED_INIT;
    return;
  }
  bool done = false;
  while (!done) {
    if (cancelled(c)) {
      a->cancelled = true;
      break;
    }
    int running = 0;
    if (curl_multi_perform(c->multi, &running) != CURLM_OK) {
      a->code = CURLE_FAILED_INIT;
      break;
    }
    int left = 0;
    CURLMsg *message;
    while ((message = curl_multi_info_read(c->multi, &left))) {
      if (message->msg == CURLMSG_DONE && message->easy_handle == c->easy) {
        a->code = message->data.result;
        done = true;
      }
    }
    if (done)
      break;
    if (!running) { /* cannot happen without a DONE message; never spin */
      a->code = CURLE_GOT_NOTHING;
      break;
    }
    /* The timeout is only a backstop: transfers and the wakeup both end the poll. */
    if (curl_multi_poll(c->multi, NULL, 0, 1000, NULL) != CURLM_OK) {
      a->code = CURLE_FAILED_INIT;
      break;
    }
  }
  long request_size = 0;
  curl_easy_getinfo(c->easy, CURLINFO_REQUEST_SIZE, &request_size);
  a->sent = request_size > 0;
  if (done && a->code == CURLE_OK)
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &a->status);
  /* Removing a transfer in progress closes its connection; the handle is reusable after. */
  curl_multi_remove_handle(c->multi, c->easy);
  a->elapsed_ms = (long)(pc_now_ms() - start);
}

/* Waits ms unless cancelled first; false when cancelled. */
static bool wait_ms(PcClient *c, long ms) {
  int64_t deadline = pc_now_ms() + ms;
  for (;;) {
    if (cancelled(c))
      return false;
    int64_t left = deadline - pc_now_ms();
    if (left <= 0)
      return true;
    curl_multi_poll(c->multi, NULL, 0, left > 1000 ? 1000 : (int)left, NULL);
  }
}

/* ----- what an exchange is ----- */

typedef struct Exchange {
  bool api; /* a Partner Center call (token, MS- headers); false: the token endpoint */
  const char *method;
  const char *url;
  const char *display; /* path for logs and info */
  const char *body;
  const char *content_type;
  const char *const *headers;
  bool mutating;
  const char *request_id; /* fixed for every attempt of the exchange */
  long timeout_ms;
  const char *not_found;
  const char *effect;
  char host[256];
} Exchange;

static void url_host(const char *url, char *out, size_t size) {
  snprintf(out, size, "the server");
  CURLU *u = curl_url();
  char *host = NULL;
  if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
    snprintf(out, size, "%s", host);
  curl_free(host);
  curl_url_cleanup(u);
}

static struct curl_slist *add_header(struct curl_slist *list, bool *ok, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static struct curl_slist *add_header(struct curl_slist *list, bool *ok, const char *format, ...) {
  if (!*ok)
    return list;
  char line[4096];
  va_list args;
  va_start(args, format);
  int n = vsnprintf(line, sizeof line, format, args);
  va_end(args);
  struct curl_slist *grown =
      n >= 0 && (size_t)n < sizeof line ? curl_slist_append(list, line) : NULL;
  explicit_bzero(line, sizeof line); /* it may have held the bearer token */
  if (!grown) {
    *ok = false;
    return list;
  }
  return grown;
}

static struct curl_slist *exchange_headers(PcClient *c, const Exchange *x, const char *token,
                                           const char *correlation_id) {
  bool ok = true;
  struct curl_slist *h = NULL;
  h = add_header(h, &ok, "Accept: application/json");
  /* Without a body a POST must not claim a form content type (libcurl's default). */
  h = x->body ? add_header(h, &ok, "Content-Type: %s", x->content_type)
              : add_header(h, &ok, "Content-Type:");
  h = add_header(h, &ok, "Expect:"); /* no 100-continue round trip */
  if (x->api) {
    h = add_header(h, &ok, "Authorization: Bearer %s", token);
    h = add_header(h, &ok, "MS-RequestId: %s", x->request_id);
    h = add_header(h, &ok, "MS-CorrelationId: %s", correlation_id);
    h = add_header(h, &ok, "X-Locale: %s", c->locale);
    h = add_header(h, &ok, "MS-PartnerCenter-Client: %s", USER_AGENT);
    for (size_t i = 0; x->headers && x->headers[i]; i++)
      h = add_header(h, &ok, "%s", x->headers[i]);
  }
  if (!ok) {
    curl_slist_free_all(h);
    return NULL;
  }
  return h;
}

/* ----- errors ----- */

/* Seconds to wait from a Retry-After value (delta-seconds or an HTTP date); -1 if none. */
static long retry_after_seconds(const char *text) {
  if (!text || !text[0])
    return -1;
  char *end;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (end != text && *end == '\0' && errno == 0)
    return value < 0 ? 0 : value > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S : value;
  time_t when = curl_getdate(text, NULL);
  if (when == -1)
    return -1;
  double delta = difftime(when, time(NULL));
  /* A date centuries ahead would not fit a long; no wait is that long anyway. */
  return delta <= 0 ? 0 : delta > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S : (long)delta;
}

static void fill_ids(PcError *error, const Exchange *x, const Attempt *a,
                     const char *correlation_id) {
  snprintf(error->request_id, sizeof error->request_id, "%s",
           a->request_id[0] ? a->request_id : (x->request_id ? x->request_id : ""));
  snprintf(error->correlation_id, sizeof error->correlation_id, "%s",
           a->correlation_id[0] ? a->correlation_id : correlation_id);
}

static char *dup_text(const char *text) {
  return text ? strdup(text) : NULL;
}

/* The AAD refusal {"error":..,"error_description":..} as one sentence, never quoting what
 * was sent (the secret). */
static void fill_token_refusal(PcClient *c, const Attempt *a, PcError *error) {
  cJSON *json = a->body ? cJSON_Parse(a->body) : NULL;
  const cJSON *code = json_get(json, "error");
  const cJSON *text = json_get(json, "error_description");
  const char *aad = cJSON_IsString(code) ? code->valuestring : "";
  const char *description = cJSON_IsString(text) ? text->valuestring : "";
  error->kind = PC_ERROR_AUTH;
  error->code_text = aad[0] ? strdup(aad) : NULL;
  error->description = description[0] ? strdup(description) : NULL;
  const char *m;
  if (strstr(description, "AADSTS7000215") || strstr(description, "AADSTS7000222") ||
      strcmp(aad, "invalid_client") == 0)
    m = "Sign-in to Partner Center failed: the client secret is wrong or has expired.";
  else if (strstr(description, "AADSTS700016") || strcmp(aad, "unauthorized_client") == 0)
    m = "Sign-in to Partner Center failed: the client id is not known in tenant %s.";
  else if (strstr(description, "AADSTS90002") || strstr(description, "AADSTS900023"))
    m = "Sign-in to Partner Center failed: tenant %s was not found.";
  else if (strcmp(aad, "invalid_grant") == 0)
    m = c->auth_mode == PC_AUTH_APP_USER
            ? "Sign-in to Partner Center failed: the refresh token is invalid or has expired; "
              "sign in again with MFA to get a new one."
            : "Sign-in to Partner Center failed: the sign-in service refused the grant.";
  else
    m = NULL;
  if (m)
    snprintf(error->message, sizeof error->message, m, c->tenant);
  else
    snprintf(error->message, sizeof error->message,
             "Sign-in to Partner Center was refused (HTTP %ld%s%s).", a->status, aad[0] ? ", " : "",
             aad);
  cJSON_Delete(json);
}

static void fill_api_refusal(PcClient *c, const Exchange *x, const Attempt *a, PcError *error) {
  (void)c;
  ApiError body = {0};
  if (a->body)
    api_error_parse(&body, a->body);
  error->kind = PC_ERROR_HTTP;
  if (body.shape == API_ERROR_SHAPE_STANDARD) {
    error->code = body.code;
    error->code_text = dup_text(body.code_text);
  }
  error->description = dup_text(body.description);
  const char *d = body.description && body.description[0] ? body.description : NULL;
  char *m = error->message;
  size_t ms = sizeof error->message;
  long s = a->status;
  if (s == 400)
    snprintf(m, ms,
             d ? "Partner Center refused the request: %.400s"
               : "Partner Center refused the request as invalid (HTTP 400%.0s).",
             d ? d : "");
  else if (s == 401)
    snprintf(m, ms,
             "Partner Center did not accept the sign-in (HTTP 401%s%.200s); check that the "
             "application has access to Partner Center.",
             d ? ": " : "", d ? d : "");
  else if (s == 403)
    snprintf(m, ms, "Partner Center does not allow this account to do that%s%.400s.", d ? ": " : "",
             d ? d : "");
  else if (s == 404 && error->code == PC_CODE_CART_NOT_FOUND)
    snprintf(m, ms,
             "The cart was not found on Partner Center; it may have expired (carts last 7 "
             "days) or belong to another customer.");
  else if (s == 404 && error->code == PC_CODE_AVAILABILITY_NOT_FOUND)
    snprintf(m, ms,
             "Partner Center no longer has that availability (code 400019): availabilities are "
             "reissued, so a line's catalog item is out of date. Read the product's "
             "availabilities again, put the current catalogItemId on the line, save, and try "
             "again.");
  else if (s == 404 && x->not_found) /* the operation knows what it asked for */
    snprintf(m, ms, "%s", x->not_found);
  else if (s == 404 && error->code == PC_CODE_SKU_NOT_FOUND)
    snprintf(m, ms,
             "Partner Center has no such SKU (code 400018): the catalog item is out of date or "
             "wrong; pick the product and SKU again in the catalog.");
  else if (s == 404 && error->code == PC_CODE_PRODUCT_NOT_FOUND)
    snprintf(m, ms,
             "Partner Center has no such product (code 400013) for this customer or country; "
             "pick it again in the catalog.");
  else if (s == 404)
    snprintf(m, ms, "Partner Center could not find that%s%.400s.", d ? ": " : "", d ? d : "");
  else if (s == 409 && error->code == PC_CODE_CART_BEING_PROCESSED)
    snprintf(m, ms,
             "This cart is already being checked out by another request; wait a moment, "
             "then look at the cart again.");
  else if (s == 409)
    snprintf(m, ms, "Partner Center reports a conflict%s%.400s.", d ? ": " : "", d ? d : "");
  else if (s == 429 && error->retry_after_s > 0)
    snprintf(m, ms, "Partner Center is busy; try again in %ld seconds.", error->retry_after_s);
  else if (s == 429)
    snprintf(m, ms, "Partner Center is busy; try again in a minute.");
  else if (s == 408)
    snprintf(m, ms, "Partner Center gave up waiting for the request (HTTP 408); try again.");
  else if (s == 503)
    snprintf(m, ms,
             "Partner Center is temporarily unavailable (HTTP 503); try again in a few "
             "minutes.");
  else if (s >= 500)
    snprintf(m, ms, "Partner Center failed on its side (HTTP %ld%s%.300s); try again later.", s,
             d ? ": " : "", d ? d : "");
  else
    snprintf(m, ms, "Partner Center answered HTTP %ld%s%.400s.", s, d ? ": " : "", d ? d : "");
  api_error_clear(&body);
}

static bool is_tls_error(CURLcode code) {
  switch (code) {
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ENGINE_NOTFOUND:
  case CURLE_SSL_ENGINE_SETFAILED:
  case CURLE_SSL_ENGINE_INITFAILED:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS:
  case CURLE_SSL_CRL_BADFILE:
  case CURLE_SSL_SHUTDOWN_FAILED:
  case CURLE_USE_SSL_FAILED:
    return true;
  default:
    return false;
  }
}

/* "30 seconds", "1 second", "0.2 seconds". */
static const char *duration_text(long ms, char *out, size_t size) {
  if (ms % 1000 == 0)
    snprintf(out, size, "%ld second%s", ms / 1000, ms == 1000 ? "" : "s");
  else
    snprintf(out, size, "%.1f seconds", (double)ms / 1000.0);
  return out;
}

/* Sentence and kind for a transfer that got no complete reply. */
static void fill_transport_error(PcClient *c, const Exchange *x, const Attempt *a, bool maybe_acted,
                                 PcError *error) {
  char *m = error->message;
  size_t ms = sizeof error->message;
  const char *who = x->api ? "Partner Center" : "the sign-in service";
  error->curl_code = (int)a->code;
  if (a->cancelled) {
    error->kind = PC_ERROR_CANCELLED;
    if (x->mutating && maybe_acted)
      snprintf(m, ms, "Cancelled; %s, so check before trying again.", x->effect);
    else
      snprintf(m, ms, "Cancelled.");
    return;
  }
  if (a->too_large) {
    error->kind = PC_ERROR_BAD_REPLY;
    snprintf(m, ms, "The reply from %s was larger than %ld MiB; it cannot be a %s reply.", x->host,
             MAX_REPLY_BYTES >> 20, who);
    return;
  }
  if (a->no_memory || a->code == CURLE_OUT_OF_MEMORY) {
    error->kind = PC_ERROR_NO_MEMORY;
    snprintf(m, ms, "Out of memory while talking to %s.", who);
    return;
  }
  switch (a->code) {
  case CURLE_COULDNT_RESOLVE_HOST:
    error->kind = PC_ERROR_CONNECT;
    snprintf(m, ms, "Could not find the server %s: the name does not resolve.", x->host);
    return;
  case CURLE_COULDNT_RESOLVE_PROXY:
    error->kind = PC_ERROR_CONNECT;
    snprintf(m, ms, "Could not find the proxy server: its name does not resolve.");
    return;
  case CURLE_COULDNT_CONNECT:
    error->kind = PC_ERROR_CONNECT;
    snprintf(m, ms, "Could not connect to %s: the connection was refused or the server is down.",
             x->host);
    return;
  case CURLE_UNSUPPORTED_PROTOCOL:
    error->kind = PC_ERROR_INVALID;
    snprintf(m, ms, "Refused to talk to %s without TLS: only https:// is allowed there.", x->host);
    return;
  case CURLE_OPERATION_TIMEDOUT: {
    char span[32];
    if (!a->sent) {
      error->kind = PC_ERROR_CONNECT;
      snprintf(m, ms, "Could not connect to %.200s within %s.", x->host,
               duration_text(c->connect_timeout_ms, span, sizeof span));
    } else {
      error->kind = PC_ERROR_TIMEOUT;
      duration_text(x->timeout_ms, span, sizeof span);
      if (x->mutating)
        snprintf(m, ms, "No answer from %s within %s; %s, so check before trying again.", who, span,
                 x->effect);
      else
        snprintf(m, ms, "No answer from %s within %s; try again later.", who, span);
    }
  }
    return;
  default:
    break;
  }
  if (is_tls_error(a->code)) {
    error->kind = PC_ERROR_TLS;
    snprintf(m, ms, "Could not open a secure connection to %s: %s.", x->host,
             a->code == CURLE_PEER_FAILED_VERIFICATION || a->code == CURLE_SSL_CACERT_BADFILE ||
                     a->code == CURLE_SSL_ISSUER_ERROR
                 ? "its certificate could not be verified"
                 : "the TLS handshake failed");
    return;
  }
  error->kind = PC_ERROR_NETWORK;
  if (x->mutating && maybe_acted)
    snprintf(m, ms,
             "The connection to %s broke before the reply arrived; %s, so check before "
             "trying again.",
             x->host, x->effect);
  else
    snprintf(m, ms, "The connection to %.200s broke before the reply arrived (%.200s).", x->host,
             a->curl_error[0] ? a->curl_error : curl_easy_strerror(a->code));
}

/* error for the attempt a (an HTTP refusal or a transport failure). */
static void fill_error(PcClient *c, const Exchange *x, const Attempt *a, bool maybe_acted,
                       const char *correlation_id, PcError *error) {
  pc_error_clear(error);
  error->http_status = a->status;
  long seconds = retry_after_seconds(a->retry_after);
  error->retry_after_s = seconds > 0 ? seconds : 0;
  if (a->status > 0 && !a->cancelled) {
    if (x->api)
      fill_api_refusal(c, x, a, error);
    else if (a->status == 400 || a->status == 401 || a->status == 403)
      fill_token_refusal(c, a, error);
    else {
      fill_api_refusal(c, x, a, error); /* 429 / 5xx from the sign-in service: same sentences */
      char sentence[sizeof error->message];
      snprintf(sentence, sizeof sentence, "Sign-in: %.500s", error->message);
      memcpy(error->message, sentence, sizeof sentence);
      error->code = 0;
    }
  } else {
    fill_transport_error(c, x, a, maybe_acted, error);
  }
  if (x->mutating && maybe_acted && error->kind != PC_ERROR_HTTP)
    error->outcome_unknown = true;
  if (x->mutating && maybe_acted && error->kind == PC_ERROR_HTTP && a->status >= 500)
    error->outcome_unknown = true;
  fill_ids(error, x, a, correlation_id);
}

/* ----- retries ----- */

static bool status_retryable(long status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

/* Reads and writes alike: connection failures before sending, timeouts and dropped
 * connections are retried. A write is safe to repeat because every attempt carries the
 * same MS-RequestId, which Partner Center (and the sandbox) replay. */
static bool transport_retryable(const Attempt *a) {
  if (a->cancelled || a->too_large || a->no_memory)
    return false;
  switch (a->code) {
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
  case CURLE_UNSUPPORTED_PROTOCOL:
  case CURLE_OUT_OF_MEMORY:
  case CURLE_FAILED_INIT:
  case CURLE_URL_MALFORMAT:
  case CURLE_ABORTED_BY_CALLBACK:
    return false; /* a wrong name or setting does not heal by waiting */
  default:
    return !is_tls_error(a->code);
  }
}

static uint64_t random_u64(void) {
  uint64_t value = 0;
  if (getrandom(&value, sizeof value, 0) != (ssize_t)sizeof value)
    value = (uint64_t)pc_now_ms() * 6364136223846793005ULL + 1442695040888963407ULL;
  return value;
}

/* Full jitter: rand(0, min(max, base * 2^(n-1))) after the n-th attempt; 429 and 503 wait
 * what Retry-After asks, up to retry_after_max_ms. */
static long retry_wait(PcClient *c, const Attempt *a, int attempt) {
  if (a->status == 429 || a->status == 503) {
    long seconds = retry_after_seconds(a->retry_after);
    if (seconds >= 0) {
      /* seconds is at most RETRY_AFTER_MAX_S: the product fits. */
      long long ms = (long long)seconds * 1000;
      return ms > c->retry_after_max_ms ? c->retry_after_max_ms : (long)ms;
    }
  }
  long long cap = c->backoff_base_ms;
  for (int i = 1; i < attempt && cap < c->backoff_max_ms; i++)
    cap *= 2;
  if (cap > c->backoff_max_ms)
    cap = c->backoff_max_ms;
  return cap <= 0 ? 0 : (long)(random_u64() % (uint64_t)(cap + 1));
}

static void log_outcome(PcClient *c, const Exchange *x, const Attempt *a, const PcError *error,
                        int attempts, int64_t start, const char *request_id) {
  if (!pc_log_enabled(c->log, PC_LOG_INFO))
    return;
  long ms = (long)(pc_now_ms() - start);
  char outcome[64];
  if (!error || error->kind == PC_ERROR_NONE || error->kind == PC_ERROR_HTTP ||
      (error->kind == PC_ERROR_AUTH && a->status))
    snprintf(outcome, sizeof outcome, "%ld", a->status);
  else
    snprintf(outcome, sizeof outcome, "%s", pc_error_kind_name(error->kind));
  pc_log_write(c->log, error && error->kind ? PC_LOG_WARN : PC_LOG_INFO,
               "%s %s -> %s in %ld ms (MS-RequestId %s, attempts %d)", x->method, x->display,
               outcome, ms, request_id && request_id[0] ? request_id : "-", attempts);
}

static bool token_ensure(PcClient *c, PcError *error);

/* A failure that ends the loop before an attempt (the sign-in, out of memory) after an earlier
 * attempt of a create, update or checkout may have been carried out: the outcome stays
 * unknown, and the sentence says so. */
static void keep_outcome_unknown(const Exchange *x, bool maybe_acted, PcError *error) {
  if (!x->mutating || !maybe_acted || error->outcome_unknown)
    return;
  error->outcome_unknown = true;
  char sentence[sizeof error->message];
  snprintf(sentence, sizeof sentence,
           "%.300s Also, %s by an earlier attempt, so check before trying again.", error->message,
           x->effect);
  memcpy(error->message, sentence, sizeof sentence);
}

/* The loop every call goes through. On success *out holds the final attempt. */
static bool exchange_run(PcClient *c, Exchange *x, Attempt *out, PcCallInfo *info, PcError *error) {
  url_host(x->url, x->host, sizeof x->host);
  int64_t start = pc_now_ms();
  int attempts = 0; /* on the wire */
  int counted = 0;  /* against max_attempts (a refresh after a 401 is not counted) */
  bool refreshed = false;
  bool maybe_acted = false;
  bool ok = false;
  char correlation_id[37] = "";
  Attempt a = {0};
  PcError local = {0};
  PcError *e = error ? error : &local;
  for (;;) {
    attempt_reset(&a);
    if (cancelled(c)) {
      a.cancelled = true;
      fill_error(c, x, &a, maybe_acted, correlation_id, e);
      break;
    }
    if (x->api && !token_ensure(c, e)) {
      keep_outcome_unknown(x, maybe_acted, e);
      break;
    }
    pc_new_request_id(correlation_id);
    struct curl_slist *headers =
        exchange_headers(c, x, x->api ? c->access_token : NULL, correlation_id);
    if (!headers || attempt_setup(c, x->method, x->url, x->body, headers, x->timeout_ms, &a)) {
      curl_slist_free_all(headers);
      pc_error_set(e, PC_ERROR_NO_MEMORY, "Out of memory while preparing the request.");
      keep_outcome_unknown(x, maybe_acted, e);
      break;
    }
    attempts++;
    counted++;
    attempt_run(c, &a);
    /* Nothing on the handle may point at this attempt's stack or lists afterwards. */
    curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(headers);
    /* A 503 is the front door turning the request away; any other failure after sending
     * may have been carried out. */
    if (a.sent && (a.cancelled || a.status == 0 || (a.status >= 500 && a.status != 503)))
      maybe_acted = true;
    if (info) {
      info->status = a.status;
      info->attempts = attempts;
      snprintf(info->request_id, sizeof info->request_id, "%s",
               a.request_id[0] ? a.request_id : (x->request_id ? x->request_id : ""));
      snprintf(info->correlation_id, sizeof info->correlation_id, "%s",
               a.correlation_id[0] ? a.correlation_id : correlation_id);
      free(info->response_body);
      info->response_body = a.body ? strdup(a.body) : NULL;
    }
    if (!a.cancelled && a.code == CURLE_OK && a.status >= 200 && a.status < 300) {
      ok = true;
      break;
    }
    if (x->api && a.status == 401 && !refreshed && !a.cancelled) {
      /* The token expired or was revoked early: fetch another once and try again. */
      refreshed = true;
      counted--;
      pc_token_drop(c);
      continue;
    }
    fill_error(c, x, &a, maybe_acted, correlation_id, e);
    bool retryable = a.status > 0 ? status_retryable(a.status) : transport_retryable(&a);
    if (!retryable || counted >= c->max_attempts)
      break;
    long wait = retry_wait(c, &a, counted);
    if (c->on_retry)
      c->on_retry(c->on_retry_user, attempts, wait, e);
    if (!wait_ms(c, wait)) {
      attempt_reset(&a);
      a.cancelled = true;
      fill_error(c, x, &a, maybe_acted, correlation_id, e);
      break;
    }
    pc_error_clear(e);
  }
  log_outcome(c, x, &a, ok ? NULL : e, attempts, start, x->request_id);
  pc_error_clear(&local);
  if (ok)
    *out = a;
  else
    attempt_reset(&a);
  return ok;
}

/* ----- tokens ----- */

static bool form_add(char **form, size_t *length, const char *name, const char *value) {
  char *encoded = pc_url_encode(value);
  if (!encoded)
    return false;
  size_t add = strlen(name) + strlen(encoded) + 2;
  char *grown = realloc(*form, *length + add + 1);
  if (!grown) {
    explicit_bzero(encoded, strlen(encoded));
    free(encoded);
    return false;
  }
  *form = grown;
  *length +=
      (size_t)snprintf(grown + *length, add + 1, "%s%s=%s", *length ? "&" : "", name, encoded);
  explicit_bzero(encoded, strlen(encoded));
  free(encoded);
  return true;
}

static char *token_form(PcClient *c) {
  char *form = calloc(1, 1);
  size_t length = 0;
  if (!form)
    return NULL;
  bool user = c->auth_mode == PC_AUTH_APP_USER;
  bool ok = form_add(&form, &length, "grant_type", user ? "refresh_token" : "client_credentials") &&
            form_add(&form, &length, "client_id", c->client_id) &&
            form_add(&form, &length, "client_secret", c->client_secret) &&
            (!user || form_add(&form, &length, "refresh_token", c->refresh_token));
  if (ok && c->token_endpoint == PC_TOKEN_V1) {
    ok = form_add(&form, &length, "resource", c->resource);
  } else if (ok) {
    size_t n = strlen(c->resource) + 32;
    char *scope = malloc(n);
    ok = scope != NULL;
    if (ok) {
      snprintf(scope, n, "%s/%s", c->resource, user ? "user_impersonation" : ".default");
      ok = form_add(&form, &length, "scope", scope);
      free(scope);
    }
  }
  if (!ok) {
    explicit_bzero(form, length);
    free(form);
    return NULL;
  }
  return form;
}

static bool token_accept(PcClient *c, const Attempt *a, PcError *error) {
  cJSON *json = a->body ? cJSON_Parse(a->body) : NULL;
  TokenResponse token = {0};
  bool parsed = token_response_from_json(&token, json);
  cJSON_Delete(json);
  const char *problem = NULL;
  if (!parsed)
    problem = "is not JSON";
  else if (!token.access_token || !token.access_token[0])
    problem = "has no access_token";
  else if (token.token_type && strcasecmp(token.token_type, "Bearer") != 0)
    problem = "is not a bearer token";
  else {
    for (const unsigned char *p = (const unsigned char *)token.access_token; *p && !problem; p++)
      if (*p < 0x21 || *p > 0x7e)
        problem = "has an access_token with characters a header cannot carry";
  }
  if (problem) {
    pc_error_set(error, PC_ERROR_BAD_REPLY, "The sign-in service's reply %s.", problem);
    error->http_status = a->status;
    token_response_clear(&token);
    return false;
  }
  /* Never logged from here on, including by the DEBUG dump of later requests. */
  pc_log_add_secret(c->log, token.access_token);
  if (token.refresh_token)
    pc_log_add_secret(c->log, token.refresh_token);
  long lifetime = token.expires_in.set ? token.expires_in.value : 600;
  if (!token.expires_in.set && token.expires_on.set) {
    /* Compared before subtracting: a date far in the past must not overflow either. */
    long now = (long)time(NULL);
    lifetime = token.expires_on.value > now ? token.expires_on.value - now : 0;
  }
  if (lifetime < 0)
    lifetime = 0;
  if (lifetime > TOKEN_LIFETIME_MAX_S)
    lifetime = TOKEN_LIFETIME_MAX_S;
  /* Fetch again 5 minutes before expiry, or at half the lifetime of a short-lived token. */
  long margin = lifetime >= 600 ? 300 : lifetime / 2;
  pc_token_drop(c);
  c->access_token = token.access_token;
  token.access_token = NULL;
  c->token_refresh_ms = pc_now_ms() + (int64_t)(lifetime - margin) * 1000;
  token_response_clear(&token);
  return true;
}

static bool token_ensure(PcClient *c, PcError *error) {
  if (c->access_token && pc_now_ms() < c->token_refresh_ms)
    return true;
  pc_token_drop(c);
  char *tenant = pc_url_encode(c->tenant);
  char *form = token_form(c);
  const char *tail = c->token_endpoint == PC_TOKEN_V1 ? "/oauth2/token" : "/oauth2/v2.0/token";
  size_t n = tenant ? strlen(c->authority) + strlen(tenant) + strlen(tail) + 1 : 0;
  char *url = n ? malloc(n) : NULL;
  if (!tenant || !form || !url) {
    free(tenant);
    if (form)
      explicit_bzero(form, strlen(form));
    free(form);
    free(url);
    pc_error_set(error, PC_ERROR_NO_MEMORY, "Out of memory while signing in.");
    return false;
  }
  snprintf(url, n, "%s%s%s", c->authority, tenant, tail);
  Exchange x = {.api = false,
                .method = "POST",
                .url = url,
                .display = url + strlen(c->authority) - 1,
                .body = form,
                .content_type = "application/x-www-form-urlencoded",
                .timeout_ms = c->request_timeout_ms};
  Attempt a = {0};
  bool ok = exchange_run(c, &x, &a, NULL, error) && token_accept(c, &a, error);
  attempt_reset(&a);
  explicit_bzero(form, strlen(form));
  free(form);
  free(tenant);
  free(url);
  return ok;
}

/* ----- the entry point for operations ----- */

void pc_reply_clear(PcReply *reply) {
  if (!reply)
    return;
  free(reply->body);
  memset(reply, 0, sizeof *reply);
}

bool pc_call(PcClient *c, const PcRequest *request, PcReply *reply, PcCallInfo *info,
             PcError *error) {
  pc_call_info_clear(info);
  memset(reply, 0, sizeof *reply);
  char request_id[37];
  if (request->request_id && request->request_id[0]) {
    snprintf(request_id, sizeof request_id, "%s", request->request_id);
  } else {
    pc_new_request_id(request_id);
  }
  size_t n = strlen(c->api_base) + strlen(request->path) + 1;
  char *url = malloc(n);
  if (!url || (request->body && info && !(info->request_body = strdup(request->body)))) {
    free(url);
    pc_error_set(error, PC_ERROR_NO_MEMORY, "Out of memory while preparing the request.");
    return false;
  }
  snprintf(url, n, "%s%s", c->api_base, request->path);
  Exchange x = {.api = true,
                .method = request->method,
                .url = url,
                .display = request->path,
                .body = request->body,
                .content_type = "application/json",
                .headers = request->headers,
                .mutating = request->mutating,
                .request_id = request_id,
                .timeout_ms = request->timeout_ms ? request->timeout_ms : c->request_timeout_ms,
                .not_found = request->not_found,
                .effect =
                    request->effect ? request->effect : "the request may have been carried out"};
  Attempt a = {0};
  bool ok = exchange_run(c, &x, &a, info, error);
  if (info && !info->request_id[0])
    snprintf(info->request_id, sizeof info->request_id, "%s", request_id);
  if (ok) {
    reply->status = a.status;
    reply->body = a.body;
    reply->length = a.length;
    a.body = NULL;
  }
  attempt_reset(&a);
  free(url);
  return ok;
}

bool pc_client_wait(PcClient *client, long ms) {
  return wait_ms(client, ms < 0 ? 0 : ms);
}

long pc_client_backoff_ms(PcClient *client, int attempt) {
  Attempt none = {0};
  return retry_wait(client, &none, attempt < 1 ? 1 : attempt);
}

/* ----- for tests (internal.h) ----- */

long pc_retry_after_seconds(const char *text) {
  return retry_after_seconds(text);
}

void pc_reply_classify(PcClient *c, bool api, bool mutating, long status, const char *headers,
                       size_t headers_length, const char *body, size_t body_length, int attempt,
                       PcError *error, bool *retryable, long *wait_ms) {
  Attempt a = {0};
  a.status = status;
  a.sent = true;
  /* curl hands the header callback one line at a time; the callbacks never write to data. */
  for (size_t i = 0; i < headers_length;) {
    const char *line = headers + i;
    const char *newline = memchr(line, '\n', headers_length - i);
    size_t n = newline ? (size_t)(newline - line) + 1 : headers_length - i;
    on_header((char *)line, 1, n, &a);
    i += n;
  }
  if (body_length)
    on_body((char *)body, 1, body_length, &a);
  Exchange x = {.api = api,
                .method = mutating ? "POST" : "GET",
                .url = c->api_base,
                .display = "/v1/customers",
                .mutating = mutating,
                .effect = mutating ? "the cart may have been created" : NULL};
  url_host(x.url, x.host, sizeof x.host);
  fill_error(c, &x, &a, true, "", error);
  *retryable = status_retryable(status) && !a.too_large && !a.no_memory;
  *wait_ms = retry_wait(c, &a, attempt);
  attempt_reset(&a);
}
