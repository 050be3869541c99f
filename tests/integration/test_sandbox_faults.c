/* Fault injection and the control API over real loopback HTTP: every fault kind, times
 * and "*" matching, listing and disarming, reset, the request log, and scenarios. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "sandbox_http.h"

#define CUSTOMER_PATH "/v1/customers/" DOC_CUSTOMER_ID

static HttpCtx *ctx;

/* Each test: the group's sandbox (sandbox_setup), reset. */
static int reset(void **state) {
  ctx = *state;
  return sandbox_reset(ctx) ? 0 : -1;
}

static long arm(const char *fault) {
  long id = sandbox_fault_arm(ctx, fault);
  if (id < 0)
    fail_msg("POST /_sandbox/faults %s was not armed with 201 {\"id\":n}", fault);
  return id;
}

static long get_customer_status(void) {
  HttpResponse response;
  http_request(ctx, "GET", CUSTOMER_PATH, NULL, NULL, &response);
  long status = response.status;
  http_response_clear(&response);
  return status;
}

static long status_number(const char *field) {
  return sandbox_control_number(ctx, "status", field);
}

static long ledger_count(void) {
  return sandbox_control_number(ctx, "ledger", "totalCount");
}

static char *checkout_path(const char *cart_id) {
  char *path = str_format("/v1/customers/%s/carts/%s/checkout", DOC_CUSTOMER_ID, cart_id);
  assert_non_null(path);
  return path;
}

static char *create_docs_cart(void) {
  char *id = docs_cart_create(ctx, NULL);
  if (!id)
    fail_msg("the create-a-cart document's request did not give 201");
  return id;
}

/* No reply at all: the connection was closed before a status line. */
static void assert_dropped(const HttpResponse *response) {
  if (response->status != 0 ||
      (response->curl_code != CURLE_GOT_NOTHING && response->curl_code != CURLE_RECV_ERROR))
    fail_msg("expected a dropped connection, got HTTP %ld / curl %d (%s)", response->status,
             (int)response->curl_code, response->error);
}

static void test_throttle(void **state) {
  (void)state;
  arm("{\"match\":\"customers.get\",\"kind\":\"throttle\",\"retryAfter\":7}");
  HttpResponse response;
  http_request(ctx, "GET", CUSTOMER_PATH, NULL, NULL, &response);
  assert_status(&response, 429);
  assert_json_reply(&response);
  assert_string_equal(http_response_header(&response, "Retry-After"), "7");
  /* Not the error shape: {statusCode, message}. */
  assert_int_equal((long)json_num_at(response.json, "statusCode", -1), 429);
  assert_string_equal(json_str_at(response.json, "message"),
                      "Rate limit is exceeded. Try again in 7 seconds.");
  assert_null(json_at(response.json, "code"));
  http_response_clear(&response);
  /* times defaults to 1. */
  assert_int_equal(get_customer_status(), 200);

  arm("{\"match\":\"customers.get\",\"kind\":\"throttle\"}");
  http_request(ctx, "GET", CUSTOMER_PATH, NULL, NULL, &response);
  assert_status(&response, 429);
  assert_string_equal(http_response_header(&response, "Retry-After"), "2");
  assert_string_equal(json_str_at(response.json, "message"),
                      "Rate limit is exceeded. Try again in 2 seconds.");
  http_response_clear(&response);
}

static void test_status_500_and_503(void **state) {
  (void)state;
  arm("{\"match\":\"customers.get\",\"kind\":\"status\",\"status\":500}");
  HttpResponse response;
  http_request(ctx, "GET", CUSTOMER_PATH, NULL, NULL, &response);
  assert_api_error(&response, 500, 800003);
  http_response_clear(&response);

  arm("{\"match\":\"customers.get\",\"kind\":\"status\",\"status\":503,\"retryAfter\":5,"
      "\"code\":800099,\"description\":\"Down for maintenance\"}");
  http_request(ctx, "GET", CUSTOMER_PATH, NULL, NULL, &response);
  assert_api_error(&response, 503, 800099);
  assert_string_equal(json_str_at(response.json, "description"), "Down for maintenance");
  assert_string_equal(http_response_header(&response, "Retry-After"), "5");
  http_response_clear(&response);
  assert_int_equal(get_customer_status(), 200);
}

static void test_delay(void **state) {
  (void)state;
  arm("{\"match\":\"customers.get\",\"kind\":\"delay\",\"delayMs\":300}");
  HttpResponse response;
  http_request(ctx, "GET", CUSTOMER_PATH, NULL, NULL, &response);
  assert_status(&response, 200);
  assert_string_equal(json_str_at(response.json, "id"), DOC_CUSTOMER_ID);
  /* A lower bound only: the request was handled no sooner than the delay. */
  if (response.elapsed_ms < 300.0)
    fail_msg("a 300 ms delay answered after %.1f ms", response.elapsed_ms);
  http_response_clear(&response);
}

#define HELD 4

static void test_hold_and_release(void **state) {
  (void)state;
  arm("{\"match\":\"customers.get\",\"kind\":\"hold\",\"times\":4}");
  HttpRequest requests[HELD];
  for (int i = 0; i < HELD; i++)
    requests[i] = (HttpRequest){.method = "GET", .path = CUSTOMER_PATH};
  HttpAsync *async = http_async_start(ctx, requests, HELD);
  assert_non_null(async);
  assert_true(sandbox_wait_held(ctx, HELD));
  assert_int_equal(status_number("held"), HELD);
  /* Other operations are not held meanwhile. */
  HttpResponse other;
  http_request(ctx, "GET", "/v1/customers?size=1", NULL, NULL, &other);
  assert_status(&other, 200);
  http_response_clear(&other);

  assert_int_equal(sandbox_release(ctx), HELD);
  HttpResponse responses[HELD];
  assert_true(http_async_join(async, responses));
  for (int i = 0; i < HELD; i++) {
    assert_status(&responses[i], 200);
    assert_string_equal(json_str_at(responses[i].json, "id"), DOC_CUSTOMER_ID);
    http_response_clear(&responses[i]);
  }
  assert_int_equal(status_number("held"), 0);
  /* Nothing is held any more: releasing again releases nobody. */
  assert_int_equal(sandbox_release(ctx), 0);
}

static void test_drop(void **state) {
  (void)state;
  arm("{\"match\":\"customers.get\",\"kind\":\"drop\"}");
  HttpRequest request = {.method = "GET", .path = CUSTOMER_PATH, .flags = HTTP_FRESH_CONNECTION};
  HttpResponse response;
  http_send(ctx, &request, &response);
  assert_dropped(&response);
  http_response_clear(&response);
  assert_int_equal(get_customer_status(), 200);

  /* A dropped create creates nothing. */
  arm("{\"match\":\"carts.create\",\"kind\":\"drop\"}");
  char *body = docs_create_cart_body();
  request = (HttpRequest){
      .method = "POST", .path = DOC_CARTS_PATH, .body = body, .flags = HTTP_FRESH_CONNECTION};
  http_send(ctx, &request, &response);
  assert_dropped(&response);
  http_response_clear(&response);
  assert_int_equal(status_number("carts"), 0);
  free(body);
}

static void test_drop_after_commit_on_checkout(void **state) {
  (void)state;
  char *cart_id = create_docs_cart();
  char *path = checkout_path(cart_id);
  arm("{\"match\":\"carts.checkout\",\"kind\":\"drop-after-commit\"}");
  char request_id[37];
  guid_random(request_id);
  char *header = str_format("MS-RequestId: %s", request_id);
  const char *headers[] = {header, NULL};
  HttpRequest request = {
      .method = "POST", .path = path, .headers = headers, .flags = HTTP_FRESH_CONNECTION};
  HttpResponse response;
  http_send(ctx, &request, &response);
  assert_dropped(&response);
  http_response_clear(&response);

  /* The orders were placed although the client heard nothing. */
  assert_int_equal(ledger_count(), 4);
  /* The retry (same MS-RequestId, as the SDK does) gets the stored result. */
  request.flags = 0;
  http_send(ctx, &request, &response);
  assert_status(&response, 201);
  assert_int_equal(json_count_at(response.json, "orders"), 4);
  HttpResponse book;
  sandbox_control(ctx, "GET", "ledger", NULL, &book);
  assert_status(&book, 200);
  assert_int_equal((long)json_num_at(book.json, "totalCount", -1), 4);
  const cJSON *entry;
  cJSON_ArrayForEach(entry, json_at(book.json, "items")) {
    bool found = false;
    const cJSON *order;
    cJSON_ArrayForEach(order, json_at(response.json, "orders")) {
      found = found || strcmp(json_str_at(order, "id"), json_str_at(entry, "orderId")) == 0;
    }
    assert_true(found);
  }
  http_response_clear(&book);
  http_response_clear(&response);
  assert_int_equal(ledger_count(), 4);
  free(header);
  free(path);
  free(cart_id);
}

static void test_drop_after_commit_on_create(void **state) {
  (void)state;
  arm("{\"match\":\"carts.create\",\"kind\":\"drop-after-commit\"}");
  char request_id[37];
  guid_random(request_id);
  char *header = str_format("MS-RequestId: %s", request_id);
  const char *headers[] = {header, NULL};
  char *body = docs_create_cart_body();
  HttpRequest request = {.method = "POST",
                         .path = DOC_CARTS_PATH,
                         .headers = headers,
                         .body = body,
                         .flags = HTTP_FRESH_CONNECTION};
  HttpResponse response;
  http_send(ctx, &request, &response);
  assert_dropped(&response);
  http_response_clear(&response);
  assert_int_equal(status_number("carts"), 1);
  /* Retrying with the same MS-RequestId replays the lost reply instead of a second cart. */
  http_send(ctx, &request, &response);
  assert_status(&response, 201);
  assert_true(is_guid(json_str_at(response.json, "id")));
  assert_int_equal(status_number("carts"), 1);
  http_response_clear(&response);
  free(body);
  free(header);
}

static void test_fail_order_group(void **state) {
  (void)state;
  char *cart_id = create_docs_cart();
  char *path = checkout_path(cart_id);
  arm("{\"match\":\"carts.checkout\",\"kind\":\"fail-order-group\",\"orderGroup\":\"1\"}");
  HttpResponse response;
  http_request(ctx, "POST", path, NULL, NULL, &response);
  assert_status(&response, 201);
  /* Partial success: the other three groups were ordered. */
  assert_int_equal(json_count_at(response.json, "orders"), 3);
  assert_int_equal(json_count_at(response.json, "orderErrors"), 1);
  assert_string_equal(json_str_at(response.json, "orderErrors.0.orderGroupId"), "1");
  assert_int_equal((long)json_num_at(response.json, "orderErrors.0.code", -1), 800005);
  assert_non_null(json_str_at(response.json, "orderErrors.0.description"));
  const cJSON *order;
  cJSON_ArrayForEach(order, json_at(response.json, "orders")) {
    assert_true(
        strcmp(json_str_at(order, "lineItems.0.offerId"), "DZH318Z0BXWC:0002:DZH318Z0BMRV") != 0);
  }
  assert_int_equal(ledger_count(), 3);
  http_response_clear(&response);
  free(path);
  free(cart_id);

  /* With its own code and description. */
  cart_id = create_docs_cart();
  path = checkout_path(cart_id);
  arm("{\"match\":\"carts.checkout\",\"kind\":\"fail-order-group\",\"orderGroup\":\"OMS-0\","
      "\"code\":800010,\"description\":\"Inventory not available\"}");
  http_request(ctx, "POST", path, NULL, NULL, &response);
  assert_status(&response, 201);
  assert_int_equal(json_count_at(response.json, "orders"), 3);
  assert_string_equal(json_str_at(response.json, "orderErrors.0.orderGroupId"), "OMS-0");
  assert_int_equal((long)json_num_at(response.json, "orderErrors.0.code", -1), 800010);
  assert_string_equal(json_str_at(response.json, "orderErrors.0.description"),
                      "Inventory not available");
  assert_int_equal(ledger_count(), 6);
  http_response_clear(&response);
  free(path);
  free(cart_id);
}

static void test_times_counts_matching_requests(void **state) {
  (void)state;
  arm("{\"match\":\"customers.get\",\"kind\":\"throttle\",\"times\":2}");
  /* Requests of other operations do not use it up. */
  HttpResponse response;
  http_request(ctx, "GET", "/v1/customers?size=1", NULL, NULL, &response);
  assert_status(&response, 200);
  http_response_clear(&response);
  assert_int_equal(get_customer_status(), 429);
  assert_int_equal(get_customer_status(), 429);
  assert_int_equal(get_customer_status(), 200);

  /* times 0: until disarmed. */
  arm("{\"match\":\"customers.get\",\"kind\":\"status\",\"status\":503,\"times\":0}");
  for (int i = 0; i < 5; i++)
    assert_int_equal(get_customer_status(), 503);
  sandbox_control(ctx, "DELETE", "faults", NULL, &response);
  assert_status(&response, 200);
  http_response_clear(&response);
  assert_int_equal(get_customer_status(), 200);
}

static void test_match_star(void **state) {
  (void)state;
  /* "*" matches the token endpoint too: have the token before arming. */
  assert_non_null(http_ctx_token(ctx));
  arm("{\"match\":\"*\",\"kind\":\"status\",\"status\":503,\"times\":2}");
  HttpResponse response;
  http_request(ctx, "GET", "/v1/products?country=US", NULL, NULL, &response);
  assert_api_error(&response, 503, 800003);
  http_response_clear(&response);
  http_request(ctx, "GET", "/v1/customers?size=3", NULL, NULL, &response);
  assert_api_error(&response, 503, 800003);
  http_response_clear(&response);
  http_request(ctx, "GET", "/v1/customers?size=3", NULL, NULL, &response);
  assert_status(&response, 200);
  http_response_clear(&response);
}

static void test_faults_listing_and_disarming(void **state) {
  (void)state;
  long first = arm("{\"match\":\"customers.get\",\"kind\":\"throttle\",\"times\":0}");
  long second = arm("{\"match\":\"carts.checkout\",\"kind\":\"delay\",\"delayMs\":10}");
  assert_true(first != second);
  assert_int_equal(status_number("faults"), 2);
  HttpResponse response;
  sandbox_control(ctx, "GET", "faults", NULL, &response);
  assert_status(&response, 200);
  assert_json_reply(&response);
  const cJSON *items = json_items(response.json);
  if (!items)
    fail_msg("GET /_sandbox/faults is neither an array nor {items}: %s", response.body);
  assert_int_equal(cJSON_GetArraySize(items), 2);
  bool seen_first = false;
  bool seen_second = false;
  const cJSON *fault;
  cJSON_ArrayForEach(fault, items) {
    long id = (long)json_num_at(fault, "id", -1);
    if (id == first) {
      seen_first = true;
      assert_string_equal(json_str_at(fault, "match"), "customers.get");
      assert_string_equal(json_str_at(fault, "kind"), "throttle");
    } else if (id == second) {
      seen_second = true;
      assert_string_equal(json_str_at(fault, "match"), "carts.checkout");
      assert_string_equal(json_str_at(fault, "kind"), "delay");
    }
  }
  assert_true(seen_first);
  assert_true(seen_second);
  http_response_clear(&response);

  sandbox_control(ctx, "DELETE", "faults", NULL, &response);
  assert_status(&response, 200);
  http_response_clear(&response);
  assert_int_equal(status_number("faults"), 0);
  sandbox_control(ctx, "GET", "faults", NULL, &response);
  assert_status(&response, 200);
  assert_int_equal(cJSON_GetArraySize(json_items(response.json)), 0);
  http_response_clear(&response);
  assert_int_equal(get_customer_status(), 200);
}

static void test_bad_fault_is_refused(void **state) {
  (void)state;
  const char *bodies[] = {"{\"match\":\"customers.get\",\"kind\":\"explode\"}", "{", "[]",
                          "{\"kind\":\"throttle\"}"};
  for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
    HttpResponse response;
    sandbox_control(ctx, "POST", "faults", bodies[i], &response);
    if (response.status != 400)
      print_error("fault %s\n", bodies[i]);
    assert_api_error(&response, 400, -1);
    http_response_clear(&response);
  }
  assert_int_equal(status_number("faults"), 0);
}

static void test_reset_forgets_everything(void **state) {
  (void)state;
  char *cart_id = create_docs_cart();
  char *path = checkout_path(cart_id);
  HttpResponse response;
  http_request(ctx, "POST", path, NULL, NULL, &response);
  assert_status(&response, 201);
  http_response_clear(&response);
  char *other = create_docs_cart();
  arm("{\"match\":\"customers.get\",\"kind\":\"throttle\",\"times\":0}");
  assert_true(sandbox_advance_clock(ctx, 86400));
  assert_int_equal(status_number("carts"), 2);
  assert_int_equal(status_number("orders"), 4);
  assert_int_equal(status_number("faults"), 1);

  assert_true(sandbox_reset(ctx));
  assert_int_equal(status_number("carts"), 0);
  assert_int_equal(status_number("orders"), 0);
  assert_int_equal(status_number("faults"), 0);
  assert_int_equal(status_number("held"), 0);
  assert_int_equal(ledger_count(), 0);
  assert_int_equal(get_customer_status(), 200);
  char *get_path = str_format("/v1/customers/%s/carts/%s", DOC_CUSTOMER_ID, other);
  http_request(ctx, "GET", get_path, NULL, NULL, &response);
  assert_api_error(&response, 404, 800008);
  http_response_clear(&response);
  free(get_path);
  free(other);
  free(path);
  free(cart_id);
}

static long long clock_now_ticks(void) {
  HttpResponse response;
  sandbox_control(ctx, "GET", "clock", NULL, &response);
  assert_status(&response, 200);
  long long ticks = 0;
  const char *now = json_str_at(response.json, "now");
  if (!timestamp7_ticks(now, &ticks))
    fail_msg("GET /_sandbox/clock: now is not an ISO-8601 UTC timestamp: %s", response.body);
  http_response_clear(&response);
  return ticks;
}

static void test_clock_moves_forward_only(void **state) {
  (void)state;
  const long long second = 10000000LL;
  long long before = clock_now_ticks();
  assert_true(sandbox_advance_clock(ctx, 7200));
  long long after = clock_now_ticks();
  assert_true(after >= before + 7200 * second);
  /* The status reports the same clock. */
  HttpResponse response;
  sandbox_control(ctx, "GET", "status", NULL, &response);
  long long status_now = 0;
  assert_true(timestamp7_ticks(json_str_at(response.json, "now"), &status_now));
  assert_true(status_now >= after);
  http_response_clear(&response);

  sandbox_control(ctx, "POST", "clock", "{\"advanceSeconds\":-5}", &response);
  assert_api_error(&response, 400, -1);
  http_response_clear(&response);
  sandbox_control(ctx, "POST", "clock", "{\"advanceSeconds\":\"soon\"}", &response);
  assert_api_error(&response, 400, -1);
  http_response_clear(&response);

  /* A reset forgets clock moves. */
  assert_true(sandbox_reset(ctx));
  assert_true(clock_now_ticks() < before + 7200 * second);
}

static void test_requests_log_redacts_authorization(void **state) {
  (void)state;
  const char *token = http_ctx_token(ctx);
  assert_non_null(token);
  char *token_copy = str_format("%s", token);
  char request_id[37];
  guid_random(request_id);
  char *header = str_format("MS-RequestId: %s", request_id);
  const char *headers[] = {header, NULL};
  HttpResponse response;
  http_request(ctx, "GET", CUSTOMER_PATH, headers, NULL, &response);
  assert_status(&response, 200);
  http_response_clear(&response);

  sandbox_control(ctx, "GET", "requests?op=customers.get", NULL, &response);
  assert_status(&response, 200);
  assert_json_reply(&response);
  const cJSON *items = json_items(response.json);
  if (!items)
    fail_msg("GET /_sandbox/requests is neither an array nor {items}: %.300s", response.body);
  const cJSON *mine = NULL;
  const cJSON *entry;
  cJSON_ArrayForEach(entry, items) {
    const char *op = json_str_at(entry, "op");
    assert_non_null(op);
    assert_string_equal(op, "customers.get");
    const char *path = json_str_at(entry, "path");
    if (path && strcmp(path, CUSTOMER_PATH) == 0)
      mine = entry;
  }
  assert_non_null(mine);
  assert_string_equal(json_str_at(mine, "method"), "GET");
  assert_int_equal((long)json_num_at(mine, "status", -1), 200);
  /* The header is logged, its secret is not. */
  const cJSON *logged = json_at(mine, "headers");
  assert_non_null(logged);
  bool saw_authorization = false;
  const cJSON *item;
  cJSON_ArrayForEach(item, logged) {
    const char *name = cJSON_IsObject(item) ? json_str_at(item, "key") : item->string;
    const char *value = cJSON_IsObject(item) ? json_str_at(item, "value") : item->valuestring;
    if (name && strcasecmp(name, "Authorization") == 0) {
      saw_authorization = true;
      assert_non_null(value);
      assert_null(strstr(value, token_copy));
    }
  }
  assert_true(saw_authorization);
  /* Nowhere in the whole log: neither the token nor the client secret of token requests. */
  http_response_clear(&response);
  sandbox_control(ctx, "GET", "requests", NULL, &response);
  assert_status(&response, 200);
  assert_non_null(strstr(response.body, "oauth2/token"));
  assert_null(strstr(response.body, token_copy));
  assert_null(strstr(response.body, SANDBOX_CLIENT_SECRET));
  http_response_clear(&response);
  free(header);
  free(token_copy);
}

static void test_scenarios_are_listed(void **state) {
  (void)state;
  size_t count = sandbox_scenario_count();
  assert_true(count >= 1);
  bool has_default = false;
  for (size_t i = 0; i < count; i++) {
    const SandboxScenario *scenario = sandbox_scenario_at(i);
    assert_non_null(scenario);
    assert_non_null(scenario->name);
    assert_non_null(scenario->summary);
    assert_true(scenario->summary[0] != '\0');
    assert_ptr_equal(sandbox_scenario_find(scenario->name), scenario);
    has_default = has_default || strcmp(scenario->name, "default") == 0;
  }
  assert_true(has_default);
  assert_null(sandbox_scenario_at(count));
  assert_null(sandbox_scenario_find("no-such-scenario"));

  char err[512] = "";
  HttpCtxOptions options = {.scenario = "no-such-scenario"};
  HttpCtx *bad = http_ctx_start(&options, err, sizeof err);
  assert_null(bad);
  assert_true(err[0] != '\0');
}

/* A sandbox on the named scenario in *state, stopped by teardown even on failure. (Not a
 * cmocka prestate: the group's state, the shared sandbox, would take its place.) */
static int scenario_start(void **state, const char *name) {
  if (!sandbox_scenario_find(name)) {
    print_error("scenario %s is not listed\n", name);
    return -1;
  }
  char err[512] = "";
  HttpCtxOptions options = {.scenario = name};
  HttpCtx *scenario = http_ctx_start(&options, err, sizeof err);
  if (!scenario) {
    print_error("scenario %s did not start: %s\n", name, err);
    return -1;
  }
  *state = scenario;
  return 0;
}

static int partial_failure_setup(void **state) {
  return scenario_start(state, "partial-failure");
}

static int quick_expiry_setup(void **state) {
  return scenario_start(state, "quick-expiry");
}

static int scenario_teardown(void **state) {
  http_ctx_stop(*state);
  return 0;
}

static void test_partial_failure_scenario(void **state) {
  HttpCtx *scenario = *state;
  HttpResponse response;
  sandbox_control(scenario, "GET", "status", NULL, &response);
  assert_status(&response, 200);
  assert_string_equal(json_str_at(response.json, "scenario"), "partial-failure");
  http_response_clear(&response);

  /* Each checkout fails order group 1, even after a reset re-applies the scenario. */
  for (int round = 0; round < 2; round++) {
    char *cart_id = docs_cart_create(scenario, NULL);
    assert_non_null(cart_id);
    char *path = checkout_path(cart_id);
    http_request(scenario, "POST", path, NULL, NULL, &response);
    assert_status(&response, 201);
    assert_int_equal(json_count_at(response.json, "orders"), 3);
    assert_string_equal(json_str_at(response.json, "orderErrors.0.orderGroupId"), "1");
    assert_int_equal((long)json_num_at(response.json, "orderErrors.0.code", -1), 800005);
    http_response_clear(&response);
    free(path);
    free(cart_id);
    assert_true(sandbox_reset(scenario));
  }
}

static void test_quick_expiry_scenario(void **state) {
  HttpCtx *scenario = *state;
  char *cart_id = docs_cart_create(scenario, NULL);
  assert_non_null(cart_id);
  char *path = str_format("/v1/customers/%s/carts/%s", DOC_CUSTOMER_ID, cart_id);
  HttpResponse response;
  http_request(scenario, "GET", path, NULL, NULL, &response);
  assert_status(&response, 200);
  /* 15 minutes, as in the 2019 examples. */
  long long created;
  long long expires;
  assert_true(timestamp7_ticks(json_str_at(response.json, "creationTimestamp"), &created));
  assert_true(timestamp7_ticks(json_str_at(response.json, "expirationTimestamp"), &expires));
  assert_int_equal(expires - created, 15LL * 60 * 10000000LL);
  http_response_clear(&response);
  assert_true(sandbox_advance_clock(scenario, 15 * 60 + 1));
  http_request(scenario, "GET", path, NULL, NULL, &response);
  assert_api_error(&response, 404, 800008);
  http_response_clear(&response);
  free(path);
  free(cart_id);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_throttle, reset),
      cmocka_unit_test_setup(test_status_500_and_503, reset),
      cmocka_unit_test_setup(test_delay, reset),
      cmocka_unit_test_setup(test_hold_and_release, reset),
      cmocka_unit_test_setup(test_drop, reset),
      cmocka_unit_test_setup(test_drop_after_commit_on_checkout, reset),
      cmocka_unit_test_setup(test_drop_after_commit_on_create, reset),
      cmocka_unit_test_setup(test_fail_order_group, reset),
      cmocka_unit_test_setup(test_times_counts_matching_requests, reset),
      cmocka_unit_test_setup(test_match_star, reset),
      cmocka_unit_test_setup(test_faults_listing_and_disarming, reset),
      cmocka_unit_test_setup(test_bad_fault_is_refused, reset),
      cmocka_unit_test_setup(test_reset_forgets_everything, reset),
      cmocka_unit_test_setup(test_clock_moves_forward_only, reset),
      cmocka_unit_test_setup(test_requests_log_redacts_authorization, reset),
      cmocka_unit_test(test_scenarios_are_listed),
      cmocka_unit_test_setup_teardown(test_partial_failure_scenario, partial_failure_setup,
                                      scenario_teardown),
      cmocka_unit_test_setup_teardown(test_quick_expiry_scenario, quick_expiry_setup,
                                      scenario_teardown),
  };
  return cmocka_run_group_tests_name("sandbox faults", tests, sandbox_setup, sandbox_teardown);
}
