/* The test client for the in-process sandbox (see sandbox_http.h). */
#include "sandbox_http.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <setjmp.h>
#include <cmocka.h>

#include "model/common.h"

/* Safety nets only: nothing is sequenced by these. */
#define HTTP_TIMEOUT_SECONDS 60L
#define HTTP_CONNECT_TIMEOUT_SECONDS 10L

struct HttpCtx {
  Sandbox *sandbox;
  char *url;
  CURL *curl; /* one handle, so its connection is kept alive between requests */
  char *token;
  char *client_secret;
  char *authority; /* url + "/" */
};

/* ----- strings ----- */

char *str_format(const char *format, ...) {
  va_list args;
  va_start(args, format);
  int length = vsnprintf(NULL, 0, format, args);
  va_end(args);
  if (length < 0)
    return NULL;
  char *text = malloc((size_t)length + 1);
  if (!text)
    return NULL;
  va_start(args, format);
  vsnprintf(text, (size_t)length + 1, format, args);
  va_end(args);
  return text;
}

static char *str_dup(const char *text) {
  size_t length = strlen(text);
  char *copy = malloc(length + 1);
  if (copy)
    memcpy(copy, text, length + 1);
  return copy;
}

char *url_encode(const char *text) {
  static const char hex[] = "0123456789ABCDEF";
  size_t length = strlen(text);
  char *out = malloc(length * 3 + 1);
  if (!out)
    return NULL;
  char *p = out;
  for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
    if (isalnum(*s) || *s == '-' || *s == '_' || *s == '.' || *s == '~') {
      *p++ = (char)*s;
    } else {
      *p++ = '%';
      *p++ = hex[*s >> 4];
      *p++ = hex[*s & 15];
    }
  }
  *p = '\0';
  return out;
}

char *customers_filter_param(const char *field, const char *value) {
  cJSON *filter = cJSON_CreateObject();
  if (!filter)
    return NULL;
  char *result = NULL;
  if (cJSON_AddStringToObject(filter, "Field", field) &&
      cJSON_AddStringToObject(filter, "Value", value) &&
      cJSON_AddStringToObject(filter, "Operator", "starts_with")) {
    char *text = cJSON_PrintUnformatted(filter);
    char *encoded = text ? url_encode(text) : NULL;
    result = encoded ? str_format("filter=%s", encoded) : NULL;
    free(encoded);
    free(text);
  }
  cJSON_Delete(filter);
  return result;
}

/* ----- responses ----- */

void http_response_clear(HttpResponse *response) {
  free(response->body);
  cJSON_Delete(response->json);
  for (size_t i = 0; i < response->header_count; i++) {
    free(response->headers[i].name);
    free(response->headers[i].value);
  }
  free(response->headers);
  memset(response, 0, sizeof *response);
}

const char *http_response_header(const HttpResponse *response, const char *name) {
  const char *found = NULL;
  for (size_t i = 0; i < response->header_count; i++) {
    if (strcasecmp(response->headers[i].name, name) == 0)
      found = response->headers[i].value;
  }
  return found;
}

static void headers_drop(HttpResponse *response) {
  for (size_t i = 0; i < response->header_count; i++) {
    free(response->headers[i].name);
    free(response->headers[i].value);
  }
  response->header_count = 0;
}

typedef struct Receiver {
  HttpResponse *response;
  size_t capacity;
  bool out_of_memory;
} Receiver;

static size_t receive_body(char *data, size_t size, size_t count, void *user) {
  Receiver *receiver = user;
  HttpResponse *response = receiver->response;
  size_t length = size * count;
  if (response->body_len + length + 1 > receiver->capacity) {
    size_t capacity = receiver->capacity ? receiver->capacity : 4096;
    while (capacity < response->body_len + length + 1)
      capacity *= 2;
    char *body = realloc(response->body, capacity);
    if (!body) {
      receiver->out_of_memory = true;
      return 0;
    }
    response->body = body;
    receiver->capacity = capacity;
  }
  memcpy(response->body + response->body_len, data, length);
  response->body_len += length;
  response->body[response->body_len] = '\0';
  return length;
}

static size_t receive_header(char *data, size_t size, size_t count, void *user) {
  Receiver *receiver = user;
  HttpResponse *response = receiver->response;
  size_t length = size * count;
  /* A new status line starts a new reply: forget an interim 100 Continue's headers. */
  if (length >= 5 && memcmp(data, "HTTP/", 5) == 0) {
    headers_drop(response);
    return length;
  }
  const char *colon = memchr(data, ':', length);
  if (!colon)
    return length;
  size_t name_len = (size_t)(colon - data);
  const char *value = colon + 1;
  const char *end = data + length;
  while (value < end && (*value == ' ' || *value == '\t'))
    value++;
  while (end > value && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
    end--;
  HttpHeader *headers =
      realloc(response->headers, (response->header_count + 1) * sizeof *response->headers);
  if (!headers) {
    receiver->out_of_memory = true;
    return 0;
  }
  response->headers = headers;
  HttpHeader *header = &headers[response->header_count];
  header->name = malloc(name_len + 1);
  header->value = malloc((size_t)(end - value) + 1);
  if (!header->name || !header->value) {
    free(header->name);
    free(header->value);
    receiver->out_of_memory = true;
    return 0;
  }
  memcpy(header->name, data, name_len);
  header->name[name_len] = '\0';
  memcpy(header->value, value, (size_t)(end - value));
  header->value[end - value] = '\0';
  response->header_count++;
  return length;
}

static bool headers_have(const char *const *headers, const char *name) {
  size_t name_len = strlen(name);
  for (size_t i = 0; headers && headers[i]; i++) {
    if (strncasecmp(headers[i], name, name_len) == 0 && headers[i][name_len] == ':')
      return true;
  }
  return false;
}

static bool path_needs_token(const char *path) {
  return strncmp(path, "/v1/", 4) == 0 || strcmp(path, "/v1") == 0;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* One request on `curl`; token is the bearer to add (NULL: none). */
static bool perform(CURL *curl, const char *base_url, const char *token, const HttpRequest *request,
                    HttpResponse *response) {
  memset(response, 0, sizeof *response);
  Receiver receiver = {.response = response};
  struct curl_slist *list = NULL;
  char *url = str_format("%s%s", base_url, request->path);
  char *authorization = NULL;
  bool ok = url != NULL;
  for (size_t i = 0; ok && request->headers && request->headers[i]; i++) {
    struct curl_slist *grown = curl_slist_append(list, request->headers[i]);
    ok = grown != NULL;
    if (grown)
      list = grown;
  }
  if (ok && token && !headers_have(request->headers, "Authorization")) {
    authorization = str_format("Authorization: Bearer %s", token);
    struct curl_slist *grown = authorization ? curl_slist_append(list, authorization) : NULL;
    ok = grown != NULL;
    if (grown)
      list = grown;
  }
  if (ok && request->body && !headers_have(request->headers, "Content-Type")) {
    struct curl_slist *grown = curl_slist_append(list, "Content-Type: application/json");
    ok = grown != NULL;
    if (grown)
      list = grown;
  }
  if (!ok) {
    snprintf(response->error, sizeof response->error, "out of memory building the request");
    curl_slist_free_all(list);
    free(authorization);
    free(url);
    return false;
  }

  char curl_error[CURL_ERROR_SIZE] = "";
  curl_easy_reset(curl); /* keeps the live connection */
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, HTTP_TIMEOUT_SECONDS);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, HTTP_CONNECT_TIMEOUT_SECONDS);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, receive_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &receiver);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, receive_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &receiver);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");
  if (request->flags & HTTP_FRESH_CONNECTION) {
    curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
  }
  const char *method = request->method ? request->method : "GET";
  size_t body_len =
      request->body ? (request->body_len ? request->body_len : strlen(request->body)) : 0;
  if (strcmp(method, "GET") == 0 && !request->body) {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (strcmp(method, "HEAD") == 0) {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 || request->body) {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request->body ? request->body : "");
    if (strcmp(method, "POST") != 0)
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  }

  double start = now_ms();
  CURLcode code = curl_easy_perform(curl);
  response->elapsed_ms = now_ms() - start;
  response->curl_code = code;
  if (code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response->status);
  } else {
    response->status = 0;
    snprintf(response->error, sizeof response->error, "%s %s: curl %d %s%s%s", method,
             request->path, (int)code, curl_easy_strerror(code), curl_error[0] ? ": " : "",
             curl_error);
  }
  if (receiver.out_of_memory) {
    snprintf(response->error, sizeof response->error, "out of memory receiving the reply");
    response->status = 0;
  }
  if (response->body && response->body_len > 0)
    response->json = cJSON_ParseWithLength(response->body, response->body_len);
  /* Nothing dangling into the next request on this handle. */
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
  curl_slist_free_all(list);
  free(authorization);
  free(url);
  return response->status > 0;
}

/* ----- contexts ----- */

HttpCtx *http_ctx_start(const HttpCtxOptions *options, char *err, size_t err_size) {
  HttpCtxOptions defaults = {0};
  if (!options)
    options = &defaults;
  if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
    snprintf(err, err_size, "curl_global_init failed");
    return NULL;
  }
  HttpCtx *ctx = calloc(1, sizeof *ctx);
  if (!ctx) {
    snprintf(err, err_size, "out of memory");
    curl_global_cleanup();
    return NULL;
  }
  SandboxOptions sandbox_options = {
      .host = NULL,
      .port = 0,
      .customers = options->customers,
      .scenario = options->scenario,
      .state_file = options->state_file,
      .log = NULL,
      .client_secret = options->client_secret,
  };
  ctx->sandbox = sandbox_start(&sandbox_options, err, err_size);
  if (!ctx->sandbox) {
    free(ctx);
    curl_global_cleanup();
    return NULL;
  }
  ctx->url = str_dup(sandbox_url(ctx->sandbox));
  ctx->authority = str_format("%s/", sandbox_url(ctx->sandbox));
  ctx->curl = curl_easy_init();
  ctx->client_secret = options->client_secret ? str_dup(options->client_secret) : NULL;
  if (!ctx->url || !ctx->authority || !ctx->curl ||
      (options->client_secret && !ctx->client_secret)) {
    snprintf(err, err_size, "out of memory");
    http_ctx_stop(ctx);
    return NULL;
  }
  return ctx;
}

void http_ctx_stop(HttpCtx *ctx) {
  if (!ctx)
    return;
  if (ctx->curl)
    curl_easy_cleanup(ctx->curl);
  if (ctx->sandbox)
    sandbox_stop(ctx->sandbox);
  free(ctx->url);
  free(ctx->token);
  free(ctx->client_secret);
  free(ctx->authority);
  free(ctx);
  curl_global_cleanup();
}

const char *http_ctx_url(const HttpCtx *ctx) {
  return ctx->url;
}

const char *http_ctx_authority(const HttpCtx *ctx) {
  return ctx->authority;
}

const char *http_ctx_client_secret(const HttpCtx *ctx) {
  return ctx->client_secret ? ctx->client_secret : SANDBOX_CLIENT_SECRET;
}
Sandbox *http_ctx_sandbox(HttpCtx *ctx) {
  return ctx->sandbox;
}

void http_ctx_forget_token(HttpCtx *ctx) {
  free(ctx->token);
  ctx->token = NULL;
}

const char *http_ctx_token(HttpCtx *ctx) {
  if (ctx->token)
    return ctx->token;
  char *form =
      str_format("grant_type=client_credentials&client_id=" SANDBOX_CLIENT_ID "&client_secret=%s"
                 "&resource=https%%3A%%2F%%2Fapi.partnercenter.microsoft.com",
                 ctx->client_secret ? ctx->client_secret : SANDBOX_CLIENT_SECRET);
  if (!form)
    return NULL;
  const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
  HttpRequest request = {.method = "POST",
                         .path = "/" TEST_TENANT "/oauth2/token",
                         .headers = headers,
                         .body = form,
                         .flags = HTTP_NO_AUTH};
  HttpResponse response;
  if (perform(ctx->curl, ctx->url, NULL, &request, &response) && response.status == 200) {
    const char *token = json_str_at(response.json, "access_token");
    if (token)
      ctx->token = str_dup(token);
  }
  http_response_clear(&response);
  free(form);
  return ctx->token;
}

bool http_send(HttpCtx *ctx, const HttpRequest *request, HttpResponse *response) {
  const char *token = NULL;
  if (!(request->flags & HTTP_NO_AUTH) && path_needs_token(request->path) &&
      !headers_have(request->headers, "Authorization")) {
    token = http_ctx_token(ctx);
    if (!token) {
      memset(response, 0, sizeof *response);
      snprintf(response->error, sizeof response->error,
               "could not get a token from POST /%s/oauth2/token", TEST_TENANT);
      return false;
    }
  }
  return perform(ctx->curl, ctx->url, token, request, response);
}

bool http_request(HttpCtx *ctx, const char *method, const char *path, const char *const *headers,
                  const char *body, HttpResponse *response) {
  HttpRequest request = {.method = method, .path = path, .headers = headers, .body = body};
  return http_send(ctx, &request, response);
}

/* ----- concurrent requests ----- */

typedef struct AsyncJob {
  const char *url;
  const char *token;
  HttpRequest request;
  HttpResponse response;
  pthread_t thread;
  bool running;
} AsyncJob;

struct HttpAsync {
  AsyncJob *jobs;
  size_t count;
  char *url;
  char *token;
};

static void *async_run(void *arg) {
  AsyncJob *job = arg;
  CURL *curl = curl_easy_init();
  if (!curl) {
    memset(&job->response, 0, sizeof job->response);
    snprintf(job->response.error, sizeof job->response.error, "curl_easy_init failed");
    return NULL;
  }
  perform(curl, job->url, job->token, &job->request, &job->response);
  curl_easy_cleanup(curl);
  return NULL;
}

HttpAsync *http_async_start(HttpCtx *ctx, const HttpRequest *requests, size_t count) {
  bool need_token = false;
  for (size_t i = 0; i < count; i++) {
    if (!(requests[i].flags & HTTP_NO_AUTH) && path_needs_token(requests[i].path) &&
        !headers_have(requests[i].headers, "Authorization"))
      need_token = true;
  }
  /* Fetched here, on the caller's thread: the context's handle is not shared. */
  if (need_token && !http_ctx_token(ctx))
    return NULL;
  HttpAsync *async = calloc(1, sizeof *async);
  if (!async)
    return NULL;
  async->jobs = calloc(count ? count : 1, sizeof *async->jobs);
  async->url = str_dup(ctx->url);
  async->token = ctx->token ? str_dup(ctx->token) : NULL;
  async->count = count;
  if (!async->jobs || !async->url || (ctx->token && !async->token)) {
    free(async->jobs);
    free(async->url);
    free(async->token);
    free(async);
    return NULL;
  }
  for (size_t i = 0; i < count; i++) {
    AsyncJob *job = &async->jobs[i];
    job->url = async->url;
    job->request = requests[i];
    bool wants_token = !(requests[i].flags & HTTP_NO_AUTH) && path_needs_token(requests[i].path);
    job->token = wants_token ? async->token : NULL;
    job->running = pthread_create(&job->thread, NULL, async_run, job) == 0;
    if (!job->running)
      snprintf(job->response.error, sizeof job->response.error, "pthread_create failed");
  }
  return async;
}

bool http_async_join(HttpAsync *async, HttpResponse *responses) {
  if (!async)
    return false;
  bool all = true;
  for (size_t i = 0; i < async->count; i++) {
    AsyncJob *job = &async->jobs[i];
    if (job->running)
      pthread_join(job->thread, NULL);
    else
      all = false;
    responses[i] = job->response;
    if (responses[i].status == 0)
      all = false;
  }
  free(async->jobs);
  free(async->url);
  free(async->token);
  free(async);
  return all;
}

bool http_request_all(HttpCtx *ctx, const HttpRequest *requests, size_t count,
                      HttpResponse *responses) {
  HttpAsync *async = http_async_start(ctx, requests, count);
  if (!async) {
    memset(responses, 0, count * sizeof *responses);
    return false;
  }
  return http_async_join(async, responses);
}

/* ----- control API ----- */

bool sandbox_control(HttpCtx *ctx, const char *method, const char *path, const char *body,
                     HttpResponse *response) {
  char *full =
      strncmp(path, "/_sandbox/", 10) == 0 ? str_dup(path) : str_format("/_sandbox/%s", path);
  if (!full) {
    memset(response, 0, sizeof *response);
    return false;
  }
  HttpRequest request = {.method = method, .path = full, .body = body, .flags = HTTP_NO_AUTH};
  bool ok = http_send(ctx, &request, response);
  free(full);
  return ok;
}

long sandbox_control_number(HttpCtx *ctx, const char *path, const char *field) {
  HttpResponse response;
  long value = -1;
  if (sandbox_control(ctx, "GET", path, NULL, &response) && response.status == 200) {
    const cJSON *item = json_at(response.json, field);
    if (cJSON_IsNumber(item))
      value = (long)item->valuedouble;
  }
  http_response_clear(&response);
  return value;
}

long sandbox_wait_count(HttpCtx *ctx, const char *field, long at_least) {
  /* A released request finishes on its own thread: asking again until it has is waiting on
   * what it did, not on a time (bounded, so a bug cannot hang the test). */
  long value = -1;
  for (int i = 0; i < 100000 && value < at_least; i++)
    value = sandbox_control_number(ctx, "status", field);
  return value;
}

long sandbox_fault_arm(HttpCtx *ctx, const char *fault_json) {
  HttpResponse response;
  long id = -1;
  if (sandbox_control(ctx, "POST", "faults", fault_json, &response) && response.status == 201) {
    const cJSON *item = json_at(response.json, "id");
    if (cJSON_IsNumber(item))
      id = (long)item->valuedouble;
  }
  http_response_clear(&response);
  return id;
}

bool sandbox_reset(HttpCtx *ctx) {
  HttpResponse response;
  bool ok = sandbox_control(ctx, "POST", "reset", NULL, &response) && response.status == 200;
  http_response_clear(&response);
  http_ctx_forget_token(ctx);
  return ok;
}

bool sandbox_advance_clock(HttpCtx *ctx, long seconds) {
  char body[64];
  snprintf(body, sizeof body, "{\"advanceSeconds\":%ld}", seconds);
  HttpResponse response;
  bool ok = sandbox_control(ctx, "POST", "clock", body, &response) && response.status == 200;
  http_response_clear(&response);
  return ok;
}

bool sandbox_wait_held(HttpCtx *ctx, long count) {
  char body[64];
  snprintf(body, sizeof body, "{\"count\":%ld}", count);
  HttpResponse response;
  bool ok = sandbox_control(ctx, "POST", "wait-held", body, &response) && response.status == 200;
  http_response_clear(&response);
  return ok;
}

long sandbox_release(HttpCtx *ctx) {
  HttpResponse response;
  long released = -1;
  if (sandbox_control(ctx, "POST", "release", NULL, &response) && response.status == 200) {
    const cJSON *item = json_at(response.json, "released");
    if (cJSON_IsNumber(item))
      released = (long)item->valuedouble;
  }
  http_response_clear(&response);
  return released;
}

/* ----- bodies ----- */

char *cart_body_build(const CartLineSpec *lines, size_t count) {
  cJSON *cart = cJSON_CreateObject();
  cJSON *items = cart ? cJSON_AddArrayToObject(cart, "lineItems") : NULL;
  bool ok = items != NULL;
  for (size_t i = 0; ok && i < count; i++) {
    const CartLineSpec *spec = &lines[i];
    cJSON *line = cJSON_CreateObject();
    ok = line && cJSON_AddItemToArray(items, line);
    if (!ok) {
      cJSON_Delete(line);
      break;
    }
    ok = cJSON_AddNumberToObject(line, "id", (double)i) &&
         cJSON_AddStringToObject(line, "catalogItemId", spec->catalog_item_id) &&
         cJSON_AddNumberToObject(line, "quantity", (double)spec->quantity) &&
         cJSON_AddStringToObject(line, "billingCycle", spec->billing_cycle);
    if (ok && spec->term_duration)
      ok = cJSON_AddStringToObject(line, "termDuration", spec->term_duration) != NULL;
    if (ok && (spec->subscription_id || spec->scope)) {
      cJSON *context = cJSON_AddObjectToObject(line, "provisioningContext");
      ok = context != NULL;
      if (ok && spec->subscription_id)
        ok = cJSON_AddStringToObject(context, "subscriptionId", spec->subscription_id) != NULL;
      if (ok && spec->scope)
        ok = cJSON_AddStringToObject(context, "scope", spec->scope) != NULL;
    }
    if (ok && spec->renews_to) {
      cJSON *renews = cJSON_AddObjectToObject(line, "renewsTo");
      ok = renews && cJSON_AddStringToObject(renews, "termDuration", spec->renews_to);
    }
  }
  char *text = ok ? cJSON_PrintUnformatted(cart) : NULL;
  cJSON_Delete(cart);
  return text;
}

static char *file_read(const char *path) {
  FILE *file = fopen(path, "rb");
  if (!file)
    return NULL;
  char *text = NULL;
  size_t length = 0;
  size_t capacity = 0;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, file)) > 0) {
    if (length + n + 1 > capacity) {
      capacity = (length + n + 1) * 2;
      char *grown = realloc(text, capacity);
      if (!grown) {
        free(text);
        fclose(file);
        return NULL;
      }
      text = grown;
    }
    memcpy(text + length, chunk, n);
    length += n;
  }
  fclose(file);
  if (!text)
    text = calloc(1, 1);
  else
    text[length] = '\0';
  return text;
}

/* The JSON after the request line of the create-a-cart example, up to the closing fence. */
static char *seed_create_cart_json(void) {
  static const char *const names[] = {"004_72835ed166067956.txt"};
  char *document = NULL;
  for (size_t i = 0; !document && i < sizeof names / sizeof *names; i++) {
    char *path = str_format("%s/%s", PCC_SEEDS_DIR, names[i]);
    document = path ? file_read(path) : NULL;
    free(path);
  }
  if (!document)
    return NULL;
  char *result = NULL;
  const char *request = strstr(document, "POST /v1/customers/" DOC_CUSTOMER_ID "/carts HTTP/1.1");
  const char *open = request ? strstr(request, "\n{") : NULL;
  const char *close = open ? strstr(open, "\n```") : NULL;
  if (open && close) {
    size_t length = (size_t)(close - open);
    result = malloc(length + 1);
    if (result) {
      memcpy(result, open + 1, length - 1);
      result[length - 1] = '\0';
    }
  }
  free(document);
  return result;
}

char *docs_create_cart_body(void) {
  char *raw = file_read(PCC_FIXTURES_DIR "/docs-create-cart-request.json");
  if (!raw || !strchr(raw, '{')) {
    free(raw);
    raw = seed_create_cart_json();
  }
  if (!raw)
    return NULL;
  char *stripped = json_strip_annotations(raw);
  free(raw);
  return stripped;
}

char *docs_cart_create(HttpCtx *ctx, const char *request_id) {
  char fresh[37];
  if (!request_id) {
    guid_random(fresh);
    request_id = fresh;
  }
  char *body = docs_create_cart_body();
  char *rid_header = str_format("MS-RequestId: %s", request_id);
  if (!body || !rid_header) {
    free(body);
    free(rid_header);
    return NULL;
  }
  const char *headers[] = {"Accept: application/json",
                           rid_header,
                           "MS-CorrelationId: " DOC_CORRELATION_ID,
                           "X-Locale: en-US",
                           "MS-PartnerCenter-Client: Partner Center .NET SDK",
                           "Content-Type: application/json",
                           "Expect: 100-continue",
                           NULL};
  HttpResponse response;
  char *id = NULL;
  if (http_request(ctx, "POST", DOC_CARTS_PATH, headers, body, &response) &&
      response.status == 201) {
    const char *text = json_str_at(response.json, "id");
    id = text ? str_dup(text) : NULL;
  }
  http_response_clear(&response);
  free(rid_header);
  free(body);
  return id;
}

bool docs_cart_checkout(HttpCtx *ctx, const char *customer_id, const char *cart_id,
                        const char *request_id, HttpResponse *response) {
  char fresh[37];
  if (!request_id) {
    guid_random(fresh);
    request_id = fresh;
  }
  char *path = str_format("/v1/customers/%s/carts/%s/checkout", customer_id, cart_id);
  char *rid_header = str_format("MS-RequestId: %s", request_id);
  if (!path || !rid_header) {
    free(path);
    free(rid_header);
    memset(response, 0, sizeof *response);
    return false;
  }
  const char *headers[] = {"Accept: application/json",
                           rid_header,
                           "MS-CorrelationId: " DOC_CORRELATION_ID,
                           "X-Locale: en-US",
                           "MS-PartnerCenter-Client: Partner Center .NET SDK",
                           "Content-Type: application/json",
                           "Expect: 100-continue",
                           NULL};
  bool ok = http_request(ctx, "POST", path, headers, NULL, response);
  free(path);
  free(rid_header);
  return ok;
}

/* ----- small checks ----- */

void guid_random(char buf[37]) {
  unsigned char bytes[16];
  FILE *random = fopen("/dev/urandom", "rb");
  size_t got = random ? fread(bytes, 1, sizeof bytes, random) : 0;
  if (random)
    fclose(random);
  if (got != sizeof bytes) {
    /* Unique enough within one test run. */
    static unsigned long counter;
    unsigned long value = ++counter ^ (unsigned long)time(NULL);
    for (size_t i = 0; i < sizeof bytes; i++)
      bytes[i] = (unsigned char)(value >> ((i % 8) * 8)) ^ (unsigned char)(i * 37);
  }
  bytes[6] = (unsigned char)((bytes[6] & 0x0f) | 0x40);
  bytes[8] = (unsigned char)((bytes[8] & 0x3f) | 0x80);
  snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
           bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
           bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
}

bool is_guid(const char *text) {
  if (!text || strlen(text) != 36)
    return false;
  for (size_t i = 0; i < 36; i++) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !isxdigit((unsigned char)text[i]))
      return false;
  }
  return true;
}

bool timestamp7_ticks(const char *text, long long *ticks) {
  /* 2019-01-16T00:45:41.6062996Z */
  static const char pattern[] = "dddd-dd-ddTdd:dd:dd.dddddddZ";
  if (!text || strlen(text) != sizeof pattern - 1)
    return false;
  for (size_t i = 0; pattern[i]; i++) {
    if (pattern[i] == 'd' ? !isdigit((unsigned char)text[i]) : text[i] != pattern[i])
      return false;
  }
  struct tm tm = {0};
  tm.tm_year = atoi(text) - 1900;
  tm.tm_mon = atoi(text + 5) - 1;
  tm.tm_mday = atoi(text + 8);
  tm.tm_hour = atoi(text + 11);
  tm.tm_min = atoi(text + 14);
  tm.tm_sec = atoi(text + 17);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60)
    return false;
  time_t seconds = timegm(&tm);
  if (ticks)
    *ticks = (long long)seconds * 10000000LL + atoll(text + 20);
  return true;
}

bool is_timestamp7(const char *text) {
  return timestamp7_ticks(text, NULL);
}

bool is_utf8(const char *text, size_t length) {
  const unsigned char *s = (const unsigned char *)text;
  size_t i = 0;
  while (i < length) {
    unsigned char c = s[i];
    size_t extra;
    uint32_t code;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1;
      code = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2;
      code = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= length)
      return false;
    for (size_t k = 1; k <= extra; k++) {
      if ((s[i + k] & 0xc0) != 0x80)
        return false;
      code = (code << 6) | (s[i + k] & 0x3f);
    }
    static const uint32_t minimum[] = {0, 0x80, 0x800, 0x10000};
    if (code < minimum[extra] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
      return false;
    i += extra + 1;
  }
  return true;
}

/* ----- JSON access ----- */

const cJSON *json_at(const cJSON *root, const char *path) {
  const cJSON *node = root;
  const char *segment = path;
  while (node && segment && *segment) {
    const char *dot = strchr(segment, '.');
    size_t length = dot ? (size_t)(dot - segment) : strlen(segment);
    char name[128];
    if (length >= sizeof name)
      return NULL;
    memcpy(name, segment, length);
    name[length] = '\0';
    if (cJSON_IsArray(node)) {
      char *end;
      long index = strtol(name, &end, 10);
      if (*end || end == name)
        return NULL;
      node = cJSON_GetArrayItem(node, (int)index);
    } else if (cJSON_IsObject(node)) {
      node = cJSON_GetObjectItemCaseSensitive(node, name);
    } else {
      return NULL;
    }
    segment = dot ? dot + 1 : NULL;
  }
  return node;
}

const char *json_str_at(const cJSON *root, const char *path) {
  const cJSON *item = json_at(root, path);
  return cJSON_IsString(item) ? item->valuestring : NULL;
}

double json_num_at(const cJSON *root, const char *path, double missing) {
  const cJSON *item = json_at(root, path);
  return cJSON_IsNumber(item) ? item->valuedouble : missing;
}

int json_count_at(const cJSON *root, const char *path) {
  const cJSON *item = json_at(root, path);
  return cJSON_IsArray(item) ? cJSON_GetArraySize(item) : -1;
}

const cJSON *json_items(const cJSON *root) {
  if (cJSON_IsArray(root))
    return root;
  const cJSON *items = json_at(root, "items");
  return cJSON_IsArray(items) ? items : NULL;
}

/* ----- assertions ----- */

#define FAIL_AT(file, line, ...)                                                                   \
  do {                                                                                             \
    print_error(__VA_ARGS__);                                                                      \
    print_error("\n");                                                                             \
    _fail(file, line);                                                                             \
  } while (0)

void assert_json_reply_at(const HttpResponse *response, const char *file, int line) {
  const char *type = http_response_header(response, "Content-Type");
  if (!type || strncasecmp(type, "application/json", 16) != 0) {
    FAIL_AT(file, line, "status %ld: Content-Type is %s, expected application/json; body: %.400s",
            response->status, type ? type : "(none)", response->body ? response->body : "");
  }
}

void assert_api_error_at(const HttpResponse *response, long status, long code, const char *file,
                         int line) {
  if (response->status != status) {
    FAIL_AT(file, line, "expected HTTP %ld, got %ld (%s); body: %.600s", status, response->status,
            response->error, response->body ? response->body : "");
  }
  assert_json_reply_at(response, file, line);
  const cJSON *json_code = json_at(response->json, "code");
  const char *description = json_str_at(response->json, "description");
  if (!cJSON_IsNumber(json_code) || !description || !description[0]) {
    FAIL_AT(file, line, "HTTP %ld: body is not {code:<number>,description:<text>}: %.600s", status,
            response->body ? response->body : "");
  }
  if (code >= 0 && (long)json_code->valuedouble != code) {
    FAIL_AT(file, line, "HTTP %ld: expected code %ld, got %ld (%s)", status, code,
            (long)json_code->valuedouble, description);
  }
}

void assert_status_at(const HttpResponse *response, long status, const char *file, int line) {
  if (response->status != status) {
    FAIL_AT(file, line, "expected HTTP %ld, got %ld (%s); body: %.800s", status, response->status,
            response->error, response->body ? response->body : "");
  }
}

/* ----- cmocka setup and teardown ----- */

int sandbox_setup(void **state) {
  char err[512] = "";
  HttpCtx *ctx = http_ctx_start(NULL, err, sizeof err);
  if (!ctx) {
    print_error("sandbox did not start: %s\n", err);
    return -1;
  }
  *state = ctx;
  return 0;
}

int sandbox_teardown(void **state) {
  http_ctx_stop(*state);
  *state = NULL;
  return 0;
}
