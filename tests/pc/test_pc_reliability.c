/* Retries, timeouts, cancellation and idempotency of the Partner Center client, against an
 * in-process sandbox with faults (throttle, status, drop, drop-after-commit, hold) and, for
 * replies the sandbox never sends, a tiny canned HTTP server. Nothing sleeps: stuck servers
 * are `hold` faults, waited for with /_sandbox/wait-held and released; waits are asserted
 * through the on_retry observer, not clocks. */
#define _GNU_SOURCE /* strcasestr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "pc/client.h"
#include "sandbox_http.h"

static HttpCtx *ctx;

typedef struct Retries {
  int count;
  int attempts[16];
  long waits[16];
  PcErrorKind kinds[16];
  long statuses[16];
  char messages[16][512];
  long retry_after[16];
  PcClient *cancel_client; /* non-NULL: cancel it from another thread on the first retry */
} Retries;

static void *cancel_thread(void *arg) {
  pc_client_cancel(arg);
  return NULL;
}

static void on_retry(void *user, int attempt, long wait_ms, const PcError *why) {
  Retries *r = user;
  if (r->count < 16) {
    r->attempts[r->count] = attempt;
    r->waits[r->count] = wait_ms;
    r->kinds[r->count] = why->kind;
    r->statuses[r->count] = why->http_status;
    r->retry_after[r->count] = why->retry_after_s;
    snprintf(r->messages[r->count], sizeof r->messages[0], "%s", why->message);
  }
  r->count++;
  if (r->cancel_client) {
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, cancel_thread, r->cancel_client), 0);
    pthread_join(thread, NULL);
  }
}

static int setup(void **state) {
  if (sandbox_setup(state) != 0) {
    return -1;
  }
  ctx = *state;
  return 0;
}

static int teardown(void **state) {
  sandbox_release(ctx); /* a test that failed while a request was held */
  ctx = NULL;
  return sandbox_teardown(state);
}

static PcSettings settings_for(const char *base, Retries *retries) {
  static char auth[160];
  snprintf(auth, sizeof auth, "%s/", base);
  PcSettings s = {.api_base = base,
                  .authority = auth,
                  .tenant = TEST_TENANT,
                  .client_id = SANDBOX_CLIENT_ID,
                  .client_secret = SANDBOX_CLIENT_SECRET,
                  .backoff_base_ms = 1,
                  .backoff_max_ms = 4,
                  .retry_after_max_ms = 5,
                  .on_retry = retries ? on_retry : NULL,
                  .on_retry_user = retries};
  return s;
}

static PcClient *client_new(const PcSettings *s) {
  PcError error = {0};
  PcClient *client = pc_client_new(s, &error);
  if (!client)
    fail_msg("pc_client_new: %s", error.message);
  return client;
}

static void arm(const char *fault) {
  if (sandbox_fault_arm(ctx, fault) < 0)
    fail_msg("fault not armed: %s", fault);
}

static cJSON *requests_log(const char *op) {
  char path[128];
  snprintf(path, sizeof path, "requests?op=%s", op);
  HttpResponse response;
  assert_true(sandbox_control(ctx, "GET", path, NULL, &response));
  cJSON *json = cJSON_Duplicate(response.json, true);
  http_response_clear(&response);
  assert_non_null(json);
  return json;
}

static int count_requests(const char *op) {
  cJSON *json = requests_log(op);
  int n = cJSON_GetArraySize(json_items(json));
  cJSON_Delete(json);
  return n;
}

/* Every logged request of op carries request_id; returns how many there were. */
static int all_with_request_id(const char *op, const char *request_id) {
  cJSON *log = requests_log(op);
  const cJSON *entry;
  int n = 0;
  cJSON_ArrayForEach(entry, json_items(log)) {
    assert_string_equal(json_str_at(entry, "requestId"), request_id);
    n++;
  }
  cJSON_Delete(log);
  return n;
}

static Cart *docs_cart(void) {
  char *text = docs_create_cart_body();
  assert_non_null(text);
  char err[256] = "";
  Cart *cart = cart_parse(text, err, sizeof err);
  free(text);
  assert_non_null(cart);
  return cart;
}

static char *create_docs_cart(PcClient *client) {
  Cart *cart = docs_cart(), *created = NULL;
  PcError error = {0};
  if (!pc_cart_create(client, DOC_CUSTOMER_ID, cart, NULL, &created, NULL, &error))
    fail_msg("create: %s", error.message);
  char *id = strdup(created->id);
  cart_free(created);
  cart_free(cart);
  return id;
}

static bool get_customer(PcClient *client, PcCallInfo *info, PcError *error) {
  Customer customer = {0};
  bool ok = pc_customer_get(client, DOC_CUSTOMER_ID, &customer, info, error);
  customer_clear(&customer);
  return ok;
}

/* ----- throttling and server errors ----- */

static void test_429_retry_after_capped(void **state) {
  (void)state;
  Retries retries = {0};
  PcSettings s = settings_for(http_ctx_url(ctx), &retries);
  s.retry_after_max_ms = 7;
  PcClient *client = client_new(&s);
  arm("{\"match\":\"customers.get\",\"kind\":\"throttle\",\"retryAfter\":30,\"times\":1}");
  PcCallInfo info = {0};
  PcError error = {0};
  assert_true(get_customer(client, &info, &error));
  assert_int_equal(info.attempts, 2);
  assert_int_equal(retries.count, 1);
  assert_int_equal(retries.attempts[0], 1);
  assert_int_equal(retries.waits[0], 7); /* Retry-After 30 s, capped at retry_after_max_ms */
  assert_int_equal(retries.statuses[0], 429);
  assert_int_equal(retries.retry_after[0], 30);
  assert_string_equal(retries.messages[0], "Partner Center is busy; try again in 30 seconds.");
  pc_call_info_clear(&info);
  pc_client_free(client);
}

static void test_429_body_read(void **state) {
  (void)state;
  PcSettings s = settings_for(http_ctx_url(ctx), NULL);
  s.max_attempts = 1;
  PcClient *client = client_new(&s);
  arm("{\"match\":\"customers.get\",\"kind\":\"throttle\",\"retryAfter\":57,\"times\":1}");
  PcError error = {0};
  assert_false(get_customer(client, NULL, &error));
  assert_int_equal(error.kind, PC_ERROR_HTTP);
  assert_int_equal(error.http_status, 429);
  assert_int_equal(error.retry_after_s, 57);
  assert_string_equal(error.description, "Rate limit is exceeded. Try again in 57 seconds.");
  assert_string_equal(error.message, "Partner Center is busy; try again in 57 seconds.");
  assert_true(is_guid(error.request_id));
  assert_true(is_guid(error.correlation_id));
  pc_error_clear(&error);
  pc_client_free(client);
}

static void test_503_retried(void **state) {
  (void)state;
  Retries retries = {0};
  PcSettings s = settings_for(http_ctx_url(ctx), &retries);
  PcClient *client = client_new(&s);
  arm("{\"match\":\"customers.get\",\"kind\":\"status\",\"status\":503,\"retryAfter\":1,"
      "\"times\":2}");
  PcCallInfo info = {0};
  PcError error = {0};
  assert_true(get_customer(client, &info, &error));
  assert_int_equal(info.attempts, 3);
  assert_int_equal(info.status, 200);
  assert_int_equal(retries.count, 2);
  assert_int_equal(retries.waits[0], 5); /* Retry-After 1 s, capped at 5 ms */
  assert_int_equal(retries.waits[1], 5);
  assert_int_equal(retries.statuses[1], 503);
  assert_int_equal(retries.attempts[1], 2);
  pc_call_info_clear(&info);
  pc_client_free(client);
}

static void test_500_on_create_keeps_request_id(void **state) {
  (void)state;
  Retries retries = {0};
  PcSettings s = settings_for(http_ctx_url(ctx), &retries);
  PcClient *client = client_new(&s);
  arm("{\"match\":\"carts.create\",\"kind\":\"status\",\"status\":500,\"times\":1}");
  Cart *cart = docs_cart(), *created = NULL;
  PcCallInfo info = {0};
  PcError error = {0};
  assert_true(pc_cart_create(client, DOC_CUSTOMER_ID, cart, NULL, &created, &info, &error));
  assert_int_equal(info.attempts, 2);
  assert_int_equal(retries.count, 1);
  assert_int_equal(retries.statuses[0], 500);
  assert_true(retries.waits[0] >= 0 && retries.waits[0] <= 1); /* jitter within base * 2^0 */
  assert_int_equal(all_with_request_id("carts.create", info.request_id), 2);
  assert_int_equal(sandbox_control_number(ctx, "status", "carts"), 1);
  cart_free(created);
  cart_free(cart);
  pc_call_info_clear(&info);
  pc_client_free(client);
}

static void test_backoff_is_capped_full_jitter(void **state) {
  (void)state;
  Retries retries = {0};
  PcSettings s = settings_for(http_ctx_url(ctx), &retries);
  s.max_attempts = 6;
  PcClient *client = client_new(&s);
  arm("{\"match\":\"customers.get\",\"kind\":\"status\",\"status\":500,\"times\":0}");
  PcError error = {0};
  PcCallInfo info = {0};
  assert_false(get_customer(client, &info, &error));
  assert_int_equal(error.kind, PC_ERROR_HTTP);
  assert_int_equal(error.http_status, 500);
  assert_non_null(strstr(error.message, "Partner Center failed on its side (HTTP 500"));
  assert_false(error.outcome_unknown); /* a read */
  assert_int_equal(info.attempts, 6);
  assert_int_equal(retries.count, 5);
  long caps[] = {1, 2, 4, 4, 4}; /* base 1 ms doubling, capped at backoff_max_ms 4 */
  for (int i = 0; i < 5; i++)
    assert_true(retries.waits[i] >= 0 && retries.waits[i] <= caps[i]);
  pc_error_clear(&error);
  pc_call_info_clear(&info);
  pc_client_free(client);
}

static void test_400_not_retried(void **state) {
  (void)state;
  Retries retries = {0};
  PcSettings s = settings_for(http_ctx_url(ctx), &retries);
  PcClient *client = client_new(&s);
  Cart *empty = cart_new(), *created = NULL;
  PcCallInfo info = {0};
  PcError error = {0};
  assert_false(pc_cart_create(client, DOC_CUSTOMER_ID, empty, NULL, &created, &info, &error));
  assert_int_equal(error.kind, PC_ERROR_HTTP);
  assert_int_equal(error.http_status, 400);
  assert_int_equal(error.code, 800002);
  assert_non_null(error.description);
  char expected[600];
  snprintf(expected, sizeof expected, "Partner Center refused the request: %s", error.description);
  assert_string_equal(error.message, expected);
  assert_false(error.outcome_unknown);
  assert_int_equal(info.attempts, 1);
  assert_int_equal(retries.count, 0);
  cJSON *json = cart_to_request_json(empty);
  char *body = model_json_print(json);
  assert_string_equal(info.request_body, body); /* what a preview would show */
  free(body);
  cJSON_Delete(json);
  assert_non_null(info.response_body);
  assert_null(created);
  pc_error_clear(&error);
  pc_call_info_clear(&info);
  cart_free(empty);
  pc_client_free(client);
}

static void test_dropped_read_retried(void **state) {
  (void)state;
  Retries retries = {0};
  PcSettings s = settings_for(http_ctx_url(ctx), &retries);
  PcClient *client = client_new(&s);
  arm("{\"match\":\"customers.get\",\"kind\":\"drop\",\"times\":2}");
  PcError error = {0};
  assert_true(get_customer(client, NULL, &error));
  assert_int_equal(count_requests("customers.get"), 3);
  pc_client_free(client);
}

/* ----- lost replies: one intent, one MS-RequestId, one effect ----- */

static void test_drop_after_commit_checkout_orders_once(void **state) {
  (void)state;
  PcSettings s = settings_for(http_ctx_url(ctx), NULL);
  PcClient *client = client_new(&s);
  char *cart_id = create_docs_cart(client);
  arm("{\"match\":\"carts.checkout\",\"kind\":\"drop-after-commit\",\"times\":1}");
  CartCheckoutResult *result = NULL;
  PcCallInfo info = {0};
  PcError error = {0};
  if (!pc_cart_checkout(client, DOC_CUSTOMER_ID, cart_id, NULL, NULL, &result, &info, &error))
    fail_msg("checkout: %s", error.message);
  assert_true(result->order_count >= 2);
  /* The lost reply was asked for again with the same MS-RequestId... */
  assert_true(all_with_request_id("carts.checkout", info.request_id) >= 2);
  /* ...and exactly one checkout's orders exist. */
  HttpResponse ledger;
  assert_true(sandbox_control(ctx, "GET", "ledger", NULL, &ledger));
  assert_int_equal((long)json_num_at(ledger.json, "totalCount", -1), (long)result->order_count);
  const cJSON *entry;
  cJSON_ArrayForEach(entry, json_items(ledger.json)) {
    assert_string_equal(json_str_at(entry, "cartId"), cart_id);
    assert_string_equal(json_str_at(entry, "requestId"), info.request_id);
  }
  http_response_clear(&ledger);
  checkout_result_free(result);
  pc_call_info_clear(&info);
  free(cart_id);
  pc_client_free(client);
}

static void test_drop_after_commit_create_makes_one_cart(void **state) {
  (void)state;
  PcSettings s = settings_for(http_ctx_url(ctx), NULL);
  PcClient *client = client_new(&s);
  arm("{\"match\":\"carts.create\",\"kind\":\"drop-after-commit\",\"times\":1}");
  char request_id[37];
  pc_new_request_id(request_id);
  Cart *cart = docs_cart(), *created = NULL;
  PcCallInfo info = {0};
  PcError error = {0};
  assert_true(pc_cart_create(client, DOC_CUSTOMER_ID, cart, request_id, &created, &info, &error));
  assert_string_equal(info.request_id, request_id);
  assert_true(all_with_request_id("carts.create", request_id) >= 2);
  assert_int_equal(sandbox_control_number(ctx, "status", "carts"), 1);
  /* The same intent again, in a later call: the same cart, still one. */
  Cart *again = NULL;
  assert_true(pc_cart_create(client, DOC_CUSTOMER_ID, cart, request_id, &again, NULL, &error));
  assert_string_equal(again->id, created->id);
  assert_int_equal(sandbox_control_number(ctx, "status", "carts"), 1);
  cart_free(again);
  cart_free(created);
  cart_free(cart);
  pc_call_info_clear(&info);
  pc_client_free(client);
}

/* ----- timeouts ----- */

static void test_read_timeout(void **state) {
  (void)state;
  PcSettings s = settings_for(http_ctx_url(ctx), NULL);
  s.request_timeout_ms = 200;
  s.max_attempts = 1;
  PcClient *client = client_new(&s);
  PcError error = {0};
  assert_true(get_customer(client, NULL, &error)); /* the token first, outside the hold */
  arm("{\"match\":\"customers.get\",\"kind\":\"hold\",\"times\":1}");
  assert_false(get_customer(client, NULL, &error));
  assert_int_equal(error.kind, PC_ERROR_TIMEOUT);
  assert_int_equal(error.http_status, 0);
  assert_false(error.outcome_unknown);
  assert_string_equal(error.message,
                      "No answer from Partner Center within 0.2 seconds; try again later.");
  assert_true(sandbox_wait_held(ctx, 1));
  assert_int_equal(sandbox_release(ctx), 1);
  pc_error_clear(&error);
  /* The client is fine afterwards. */
  assert_true(get_customer(client, NULL, &error));
  pc_client_free(client);
}

static void test_checkout_timeout_outcome_unknown(void **state) {
  (void)state;
  PcSettings s = settings_for(http_ctx_url(ctx), NULL);
  s.checkout_timeout_ms = 300;
  s.max_attempts = 1;
  PcClient *client = client_new(&s);
  char *cart_id = create_docs_cart(client);
  arm("{\"match\":\"carts.checkout\",\"kind\":\"hold\",\"times\":1}");
  CartCheckoutResult *result = NULL;
  PcError error = {0};
  assert_false(
      pc_cart_checkout(client, DOC_CUSTOMER_ID, cart_id, NULL, NULL, &result, NULL, &error));
  assert_int_equal(error.kind, PC_ERROR_TIMEOUT);
  assert_true(error.outcome_unknown);
  assert_string_equal(error.message, "No answer from Partner Center within 0.3 seconds; the order "
                                     "may have been placed, so check before trying again.");
  assert_true(is_guid(error.request_id));
  assert_null(result);
  assert_true(sandbox_wait_held(ctx, 1));
  assert_int_equal(sandbox_release(ctx), 1);
  pc_error_clear(&error);
  free(cart_id);
  pc_client_free(client);
}

static void test_create_timeout_retried_with_same_request_id(void **state) {
  (void)state;
  Retries retries = {0};
  PcSettings s = settings_for(http_ctx_url(ctx), &retries);
  s.request_timeout_ms = 300;
  s.max_attempts = 2;
  PcClient *client = client_new(&s);
  PcError error = {0};
  assert_true(get_customer(client, NULL, &error)); /* the token first */
  arm("{\"match\":\"carts.create\",\"kind\":\"hold\",\"times\":1}");
  Cart *cart = docs_cart(), *created = NULL;
  PcCallInfo info = {0};
  if (!pc_cart_create(client, DOC_CUSTOMER_ID, cart, NULL, &created, &info, &error))
    fail_msg("create: %s", error.message);
  assert_int_equal(retries.count, 1);
  assert_int_equal(retries.kinds[0], PC_ERROR_TIMEOUT);
  assert_int_equal(info.attempts, 2);
  /* Every create the sandbox finished carried the intent's one MS-RequestId (the held one
   * is logged when it finishes, after the release). */
  assert_true(all_with_request_id("carts.create", info.request_id) >= 1);
  assert_true(sandbox_wait_held(ctx, 1));
  assert_int_equal(sandbox_release(ctx), 1);
  assert_int_equal(sandbox_control_number(ctx, "status", "carts"), 1);
  cart_free(created);
  cart_free(cart);
  pc_call_info_clear(&info);
  pc_client_free(client);
}

/* ----- cancellation ----- */

typedef struct Call {
  PcClient *client;
  const char *cart_id; /* NULL: read the customer; else check this cart out */
  bool ok;
  PcError error;
} Call;

static void *call_thread(void *arg) {
  Call *call = arg;
  if (call->cart_id) {
    CartCheckoutResult *result = NULL;
    call->ok = pc_cart_checkout(call->client, DOC_CUSTOMER_ID, call->cart_id, NULL, NULL, &result,
                                NULL, &call->error);
    checkout_result_free(result);
  } else {
    call->ok = get_customer(call->client, NULL, &call->error);
  }
  return NULL;
}

static void test_cancel_held_read_then_reuse(void **state) {
  (void)state;
  PcSettings s = settings_for(http_ctx_url(ctx), NULL);
  PcClient *client = client_new(&s);
  PcError error = {0};
  assert_true(get_customer(client, NULL, &error));
  arm("{\"match\":\"customers.get\",\"kind\":\"hold\",\"times\":1}");
  Call call = {.client = client};
  pthread_t thread;
  assert_int_equal(pthread_create(&thread, NULL, call_thread, &call), 0);
  assert_true(sandbox_wait_held(ctx, 1));
  pc_client_cancel(client);
  pthread_join(thread, NULL);
  assert_false(call.ok);
  assert_int_equal(call.error.kind, PC_ERROR_CANCELLED);
  assert_string_equal(call.error.message, "Cancelled.");
  assert_false(call.error.outcome_unknown);
  pc_error_clear(&call.error);
  /* The flag stays set: later calls end at once, sending nothing. */
  int before = count_requests("customers.get");
  assert_false(get_customer(client, NULL, &error));
  assert_int_equal(error.kind, PC_ERROR_CANCELLED);
  pc_error_clear(&error);
  assert_int_equal(count_requests("customers.get"), before);
  /* Cleared, the same client works again. */
  assert_int_equal(sandbox_release(ctx), 1);
  pc_client_clear_cancel(client);
  PcCallInfo info = {0};
  assert_true(get_customer(client, &info, &error));
  assert_int_equal(info.status, 200);
  pc_call_info_clear(&info);
  pc_client_free(client);
}

static void test_cancel_during_retry_wait(void **state) {
  (void)state;
  Retries retries = {0};
  PcSettings s = settings_for(http_ctx_url(ctx), &retries);
  /* An hour's wait: only an interruptible wait lets this test end within ctest's timeout. */
  s.retry_after_max_ms = 3600L * 1000;
  PcClient *client = client_new(&s);
  retries.cancel_client = client;
  arm("{\"match\":\"customers.get\",\"kind\":\"status\",\"status\":503,\"retryAfter\":3600,"
      "\"times\":1}");
  PcError error = {0};
  assert_false(get_customer(client, NULL, &error));
  assert_int_equal(error.kind, PC_ERROR_CANCELLED);
  assert_int_equal(retries.count, 1);
  assert_int_equal(retries.waits[0], 3600L * 1000);
  assert_int_equal(count_requests("customers.get"), 1);
  pc_error_clear(&error);
  pc_client_free(client);
}

static void test_cancel_checkout_in_flight(void **state) {
  (void)state;
  PcSettings s = settings_for(http_ctx_url(ctx), NULL);
  PcClient *client = client_new(&s);
  char *cart_id = create_docs_cart(client);
  arm("{\"match\":\"carts.checkout\",\"kind\":\"hold\",\"times\":1}");
  Call call = {.client = client, .cart_id = cart_id};
  pthread_t thread;
  assert_int_equal(pthread_create(&thread, NULL, call_thread, &call), 0);
  assert_true(sandbox_wait_held(ctx, 1));
  pc_client_cancel(client);
  pthread_join(thread, NULL);
  assert_int_equal(call.error.kind, PC_ERROR_CANCELLED);
  assert_true(call.error.outcome_unknown); /* it had been sent */
  assert_non_null(strstr(call.error.message, "the order may have been placed"));
  pc_error_clear(&call.error);
  assert_int_equal(sandbox_release(ctx), 1);
  free(cart_id);
  pc_client_free(client);
}

/* ----- replies the sandbox never sends: a canned server ----- */

typedef struct Canned {
  int fd;
  int port;
  const char *const *replies; /* raw HTTP replies, one per connection */
  size_t count;
  size_t served;
  pthread_t thread;
} Canned;

static bool read_request(int fd) {
  char buffer[16384];
  size_t used = 0;
  char *end = NULL;
  while (!end) {
    if (used + 1 >= sizeof buffer)
      return false;
    ssize_t n = recv(fd, buffer + used, sizeof buffer - used - 1, 0);
    if (n <= 0)
      return false;
    used += (size_t)n;
    buffer[used] = '\0';
    end = strstr(buffer, "\r\n\r\n");
  }
  long length = 0;
  const char *cl = strcasestr(buffer, "\r\nContent-Length:");
  if (cl && cl < end)
    length = strtol(cl + 17, NULL, 10);
  long have = (long)(used - (size_t)(end + 4 - buffer));
  while (have < length) {
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0)
      return false;
    have += n;
  }
  return true;
}

static void *canned_run(void *arg) {
  Canned *canned = arg;
  while (canned->served < canned->count) {
    int fd = accept(canned->fd, NULL, NULL);
    if (fd < 0)
      break; /* shut down */
    if (read_request(fd)) {
      const char *reply = canned->replies[canned->served++];
      size_t n = strlen(reply);
      ssize_t sent = send(fd, reply, n, MSG_NOSIGNAL);
      (void)sent;
    }
    close(fd);
  }
  return NULL;
}

static void canned_start(Canned *canned, const char *const *replies, size_t count) {
  *canned = (Canned){.replies = replies, .count = count};
  canned->fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(canned->fd >= 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  assert_int_equal(bind(canned->fd, (struct sockaddr *)&addr, sizeof addr), 0);
  assert_int_equal(listen(canned->fd, 8), 0);
  socklen_t len = sizeof addr;
  assert_int_equal(getsockname(canned->fd, (struct sockaddr *)&addr, &len), 0);
  canned->port = ntohs(addr.sin_port);
  assert_int_equal(pthread_create(&canned->thread, NULL, canned_run, canned), 0);
}

static size_t canned_stop(Canned *canned) {
  shutdown(canned->fd, SHUT_RDWR); /* wakes a pending accept */
  pthread_join(canned->thread, NULL);
  close(canned->fd);
  return canned->served;
}

/* Content-Length is computed at run time: build a reply from status line parts and a body. */
static char *reply_new(const char *status, const char *extra, const char *body) {
  return str_format("HTTP/1.1 %s\r\nContent-Type: application/json\r\nConnection: close\r\n%s"
                    "Content-Length: %zu\r\n\r\n%s",
                    status, extra, strlen(body), body);
}

#define TOKEN_BODY                                                                                 \
  "{\"token_type\":\"Bearer\",\"expires_in\":\"3600\",\"access_token\":\"canned-tok\"}"

typedef enum Op { OP_CUSTOMER, OP_CUSTOMERS, OP_CREATE, OP_CHECKOUT } Op;

/* Runs op `calls` times on one client against a canned server that answers `replies` in turn
 * (one per connection, the sign-in's included; the client must not ask for more). The error is
 * the first failing call's; the replies are freed. */
static void run_canned_calls(Op op, char **replies, size_t count, int max_attempts, int calls,
                             Retries *retries, PcError *error, size_t *served) {
  Canned canned;
  canned_start(&canned, (const char *const *)replies, count);
  char base[64];
  snprintf(base, sizeof base, "http://127.0.0.1:%d", canned.port);
  PcSettings s = settings_for(base, retries);
  s.max_attempts = max_attempts;
  PcClient *client = client_new(&s);
  bool ok = true;
  for (int call = 0; call < calls && ok; call++) {
    if (op == OP_CUSTOMER) {
      ok = get_customer(client, NULL, error);
    } else if (op == OP_CUSTOMERS) {
      CustomerPage *page = NULL;
      ok = pc_customers_list(client, NULL, &page, NULL, error);
      customer_page_free(page);
    } else if (op == OP_CREATE) {
      Cart *cart = docs_cart(), *created = NULL;
      ok = pc_cart_create(client, DOC_CUSTOMER_ID, cart, NULL, &created, NULL, error);
      cart_free(created);
      cart_free(cart);
    } else {
      CartCheckoutResult *result = NULL;
      ok = pc_cart_checkout(client, DOC_CUSTOMER_ID, "cart-1", NULL, NULL, &result, NULL, error);
      checkout_result_free(result);
    }
  }
  pc_client_free(client);
  *served = canned_stop(&canned);
  for (size_t i = 0; i < count; i++)
    free(replies[i]);
  if (ok)
    error->kind = PC_ERROR_NONE;
}

static void run_canned_attempts(Op op, char **replies, size_t count, int max_attempts,
                                Retries *retries, PcError *error, size_t *served) {
  run_canned_calls(op, replies, count, max_attempts, 1, retries, error, served);
}

static void run_canned(Op op, char **replies, size_t count, Retries *retries, PcError *error,
                       size_t *served) {
  run_canned_attempts(op, replies, count, 4, retries, error, served);
}

static void expect_bad_reply(Op op, const char *status, const char *body, const char *words) {
  char *replies[] = {reply_new("200 OK", "", TOKEN_BODY), reply_new(status, "", body)};
  PcError error = {0};
  size_t served = 0;
  run_canned(op, replies, 2, NULL, &error, &served);
  assert_int_equal(served, 2);
  assert_int_equal(error.kind, PC_ERROR_BAD_REPLY);
  if (!strstr(error.message, words))
    fail_msg("\"%s\" does not say \"%s\"", error.message, words);
  pc_error_clear(&error);
}

static void test_bad_replies(void **state) {
  (void)state;
  expect_bad_reply(OP_CUSTOMER, "200 OK", "<html>oops</html>", "is not valid JSON");
  expect_bad_reply(OP_CUSTOMER, "200 OK", "[1,2]", "customer reply is not a JSON object");
  expect_bad_reply(OP_CUSTOMER, "200 OK", "{\"companyProfile\":{}}", "customer reply has no id");
  expect_bad_reply(OP_CUSTOMER, "200 OK", "", "is empty");
  expect_bad_reply(OP_CUSTOMERS, "200 OK", "{}", "customer list could not be read");
  expect_bad_reply(OP_CREATE, "201 Created", "{\"lineItems\":[]}", "a cart without an id");
  expect_bad_reply(OP_CREATE, "201 Created", "\"success\"", "is not a cart");
  expect_bad_reply(OP_CHECKOUT, "201 Created", "{\"orders\":5}",
                   "checkout result could not be read");

  /* A token reply without a token. */
  char *replies[] = {reply_new("200 OK", "", "{\"token_type\":\"Bearer\"}")};
  PcError error = {0};
  size_t served = 0;
  run_canned(OP_CUSTOMER, replies, 1, NULL, &error, &served);
  assert_int_equal(error.kind, PC_ERROR_BAD_REPLY);
  assert_string_equal(error.message, "The sign-in service's reply has no access_token.");
  pc_error_clear(&error);
}

static void test_retry_after_http_date(void **state) {
  (void)state;
  char date[64];
  time_t later = time(NULL) + 3600;
  struct tm tm;
  gmtime_r(&later, &tm);
  strftime(date, sizeof date, "Retry-After: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
  char *replies[] = {reply_new("200 OK", "", TOKEN_BODY),
                     reply_new("503 Service Unavailable", date, "{\"code\":800003}"),
                     reply_new("200 OK", "", "{\"id\":\"" DOC_CUSTOMER_ID "\"}")};
  Retries retries = {0};
  PcError error = {0};
  size_t served = 0;
  run_canned(OP_CUSTOMER, replies, 3, &retries, &error, &served);
  assert_int_equal(error.kind, PC_ERROR_NONE);
  assert_int_equal(served, 3);
  assert_int_equal(retries.count, 1);
  assert_int_equal(retries.waits[0], 5); /* an hour from now, capped */
  assert_true(retries.retry_after[0] > 3500 && retries.retry_after[0] <= 3600);
}

static void test_429_without_retry_after(void **state) {
  (void)state;
  const char *busy = "{\"statusCode\":429,\"message\":\"Rate limit is exceeded.\"}";
  char *replies[] = {reply_new("200 OK", "", TOKEN_BODY),
                     reply_new("429 Too Many Requests", "", busy),
                     reply_new("429 Too Many Requests", "", busy)};
  Retries retries = {0};
  PcError error = {0};
  size_t served = 0;
  run_canned_attempts(OP_CUSTOMER, replies, 3, 2, &retries, &error, &served);
  assert_int_equal(served, 3);
  assert_int_equal(retries.count, 1);
  assert_true(retries.waits[0] >= 0 && retries.waits[0] <= 1); /* backoff: no Retry-After */
  assert_int_equal(error.kind, PC_ERROR_HTTP);
  assert_int_equal(error.http_status, 429);
  assert_int_equal(error.retry_after_s, 0);
  assert_string_equal(error.message, "Partner Center is busy; try again in a minute.");
  assert_string_equal(error.description, "Rate limit is exceeded.");
  pc_error_clear(&error);
}

/* A token reply's lifetime is capped before any arithmetic: "expires_in" beyond what
 * milliseconds hold must neither overflow (UBSan) nor make every call sign in again. */
static void test_token_lifetime_capped(void **state) {
  (void)state;
  const char *customer = "{\"id\":\"" DOC_CUSTOMER_ID "\"}";
  char *replies[] = {reply_new("200 OK", "",
                               "{\"token_type\":\"Bearer\",\"expires_in\":\"9223372036854775806\","
                               "\"access_token\":\"canned-tok\"}"),
                     reply_new("200 OK", "", customer), reply_new("200 OK", "", customer)};
  PcError error = {0};
  size_t served = 0;
  run_canned_calls(OP_CUSTOMER, replies, 3, 4, 2, NULL, &error, &served);
  if (error.kind != PC_ERROR_NONE)
    fail_msg("a call failed: %s", error.message);
  assert_int_equal(served, 3); /* one sign-in for both calls */
  pc_error_clear(&error);
}

/* An "expires_on" far in the past is an expired token (used once, then fetched again), not
 * an overflowing subtraction. */
static void test_token_expires_on_in_the_past(void **state) {
  (void)state;
  const char *token = "{\"token_type\":\"Bearer\",\"expires_on\":\"-9223372036854775806\","
                      "\"access_token\":\"canned-tok\"}";
  const char *customer = "{\"id\":\"" DOC_CUSTOMER_ID "\"}";
  char *replies[] = {reply_new("200 OK", "", token), reply_new("200 OK", "", customer),
                     reply_new("200 OK", "", token), reply_new("200 OK", "", customer)};
  PcError error = {0};
  size_t served = 0;
  run_canned_calls(OP_CUSTOMER, replies, 4, 4, 2, NULL, &error, &served);
  if (error.kind != PC_ERROR_NONE)
    fail_msg("a call failed: %s", error.message);
  assert_int_equal(served, 4);
  pc_error_clear(&error);
}

/* A create whose first attempt may have been carried out (a 500 after sending), then whose
 * retry cannot sign in (the token was refused after a 401): the outcome is still unknown, and
 * the sentence says what may have happened. Without that the CLI would not offer the
 * --request-id that keeps a repeat from making a second cart. */
static void test_sign_in_failure_after_maybe_acted_keeps_outcome_unknown(void **state) {
  (void)state;
  char *replies[] = {
      reply_new("200 OK", "", TOKEN_BODY),
      reply_new("500 Internal Server Error", "", "{\"code\":800003,\"description\":\"boom\"}"),
      reply_new("401 Unauthorized", "", "{\"code\":900001,\"description\":\"expired\"}"),
      reply_new("401 Unauthorized", "",
                "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215\"}")};
  PcError error = {0};
  size_t served = 0;
  run_canned(OP_CREATE, replies, 4, NULL, &error, &served);
  assert_int_equal(served, 4);
  assert_int_equal(error.kind, PC_ERROR_AUTH);
  assert_true(error.outcome_unknown);
  if (!strstr(error.message, "client secret is wrong") ||
      !strstr(error.message, "the cart may have been created"))
    fail_msg("\"%s\" does not say both what failed and what may have happened", error.message);
  pc_error_clear(&error);
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_429_retry_after_capped),
      T(test_429_body_read),
      T(test_503_retried),
      T(test_500_on_create_keeps_request_id),
      T(test_backoff_is_capped_full_jitter),
      T(test_400_not_retried),
      T(test_dropped_read_retried),
      T(test_drop_after_commit_checkout_orders_once),
      T(test_drop_after_commit_create_makes_one_cart),
      T(test_read_timeout),
      T(test_checkout_timeout_outcome_unknown),
      T(test_create_timeout_retried_with_same_request_id),
      T(test_cancel_held_read_then_reuse),
      T(test_cancel_during_retry_wait),
      T(test_cancel_checkout_in_flight),
      T(test_bad_replies),
      T(test_retry_after_http_date),
      T(test_429_without_retry_after),
      T(test_token_lifetime_capped),
      T(test_token_expires_on_in_the_past),
      T(test_sign_in_failure_after_maybe_acted_keeps_outcome_unknown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
