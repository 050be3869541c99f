/* Hostile and malformed input over real loopback HTTP: unknown routes, wrong methods,
 * oversized bodies and headers, wrong JSON types, binary bytes, deep nesting. Every
 * refusal is JSON with code and description, and the server keeps serving. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "sandbox_http.h"

#define CUSTOMER_PATH "/v1/customers/" DOC_CUSTOMER_ID
#define MIB (1024 * 1024)
#define SAAS_LINE                                                                                  \
  "{\"id\":0,\"catalogItemId\":\"DZH318Z0BXWC:0002:DZH318Z0BMRV\",\"quantity\":1,"                 \
  "\"billingCycle\":\"monthly\",\"termDuration\":\"P1M\"}"

static HttpCtx *ctx;

/* Each test: the group's sandbox (sandbox_setup), reset. */
static int reset(void **state) {
  ctx = *state;
  return sandbox_reset(ctx) ? 0 : -1;
}

/* The server still answers a plain call correctly. */
static void assert_still_serving(void) {
  HttpResponse response;
  http_request(ctx, "GET", CUSTOMER_PATH, NULL, NULL, &response);
  assert_status(&response, 200);
  assert_string_equal(json_str_at(response.json, "id"), DOC_CUSTOMER_ID);
  http_response_clear(&response);
}

/* Either served (200/201) or refused with a JSON error of the documented shape. */
static void assert_served_or_json_refusal(const HttpResponse *response, const char *what) {
  if (response->status == 200 || response->status == 201)
    return;
  if (response->status < 400)
    fail_msg("%s: no reply or an odd one: HTTP %ld (%s)", what, response->status, response->error);
  assert_api_error(response, response->status, -1);
}

static bool contains_ci(const char *text, const char *needle) {
  size_t length = strlen(needle);
  for (const char *p = text; p && *p; p++)
    if (strncasecmp(p, needle, length) == 0)
      return true;
  return false;
}

static char *create_cart_id(void) {
  char *id = docs_cart_create(ctx, NULL);
  if (!id)
    fail_msg("the create-a-cart document's request did not give 201");
  return id;
}

static void test_unknown_routes_are_404_json(void **state) {
  (void)state;
  const char *paths[] = {
      "/v1/nothing-here", "/v1/customers/" DOC_CUSTOMER_ID "/nothing",
      "/v1/products/DZH318Z0BQ36/skus/004G/availabilities/DZH318Z08C0S/x?country=US"};
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
    HttpResponse response;
    http_request(ctx, "GET", paths[i], NULL, NULL, &response);
    if (response.status != 404)
      print_error("GET %s\n", paths[i]);
    assert_api_error(&response, 404, 1000);
    assert_true(contains_ci(json_str_at(response.json, "description"), "not found"));
    http_response_clear(&response);
  }
  const char *untokened[] = {"/", "/favicon.ico", "/v2/customers", "/_sandbox/nothing"};
  for (size_t i = 0; i < sizeof untokened / sizeof *untokened; i++) {
    HttpRequest request = {.method = "GET", .path = untokened[i], .flags = HTTP_NO_AUTH};
    HttpResponse response;
    http_send(ctx, &request, &response);
    if (response.status != 404)
      print_error("GET %s\n", untokened[i]);
    assert_api_error(&response, 404, -1);
    http_response_clear(&response);
  }
  assert_still_serving();
}

static void assert_allow_has(const HttpResponse *response, const char *method) {
  const char *allow = http_response_header(response, "Allow");
  if (!allow)
    fail_msg("405 without Allow");
  /* A comma-separated list of tokens. */
  size_t length = strlen(method);
  for (const char *p = allow; (p = strstr(p, method)) != NULL; p += length) {
    bool start = p == allow || p[-1] == ' ' || p[-1] == ',';
    bool end = p[length] == '\0' || p[length] == ',' || p[length] == ' ';
    if (start && end)
      return;
  }
  fail_msg("Allow: %s lacks %s", allow, method);
}

static void test_wrong_method_is_405_with_allow(void **state) {
  (void)state;
  char *cart_id = create_cart_id();
  char *cart = str_format("/v1/customers/%s/carts/%s", DOC_CUSTOMER_ID, cart_id);
  char *cart_checkout = str_format("%s/checkout", cart);
  struct {
    const char *method;
    const char *path;
    const char *allowed[2];
  } cases[] = {
      {"DELETE", "/v1/customers", {"GET", NULL}},
      {"POST", CUSTOMER_PATH, {"GET", NULL}},
      {"PATCH", cart, {"GET", "PUT"}},
      {"DELETE", cart, {"GET", "PUT"}},
      {"GET", cart_checkout, {"POST", NULL}},
      {"PUT", DOC_CARTS_PATH, {"POST", NULL}},
      {"POST", "/v1/products?country=US", {"GET", NULL}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    HttpResponse response;
    http_request(ctx, cases[i].method, cases[i].path, NULL, NULL, &response);
    if (response.status != 405)
      print_error("%s %s\n", cases[i].method, cases[i].path);
    assert_api_error(&response, 405, -1);
    for (size_t k = 0; k < 2 && cases[i].allowed[k]; k++)
      assert_allow_has(&response, cases[i].allowed[k]);
    http_response_clear(&response);
  }
  free(cart_checkout);
  free(cart);
  free(cart_id);
  assert_still_serving();
}

/* A cart body padded with blanks to exactly `size` bytes. */
static char *padded_cart(size_t size) {
  const char *head = "{\"lineItems\":[" SAAS_LINE "]";
  size_t head_len = strlen(head);
  char *body = malloc(size + 1);
  assert_non_null(body);
  memcpy(body, head, head_len);
  memset(body + head_len, ' ', size - head_len - 1);
  body[size - 1] = '}';
  body[size] = '\0';
  return body;
}

static void test_body_over_one_mib_is_413(void **state) {
  (void)state;
  char *body = padded_cart(MIB + 1);
  HttpResponse response;
  http_request(ctx, "POST", DOC_CARTS_PATH, NULL, body, &response);
  assert_api_error(&response, 413, -1);
  http_response_clear(&response);
  free(body);

  body = padded_cart(4 * MIB);
  http_request(ctx, "POST", DOC_CARTS_PATH, NULL, body, &response);
  assert_api_error(&response, 413, -1);
  http_response_clear(&response);
  free(body);
  assert_int_equal(sandbox_control_number(ctx, "status", "carts"), 0);

  /* Exactly 1 MiB is not over the limit. */
  body = padded_cart(MIB);
  http_request(ctx, "POST", DOC_CARTS_PATH, NULL, body, &response);
  assert_status(&response, 201);
  http_response_clear(&response);
  free(body);
  assert_still_serving();
}

static void test_wrong_json_types_are_400(void **state) {
  (void)state;
  const char *bodies[] = {
      "{\"lineItems\":[{\"id\":0,\"catalogItemId\":\"DZH318Z0BXWC:0002:DZH318Z0BMRV\","
      "\"quantity\":\"ten\",\"billingCycle\":\"monthly\",\"termDuration\":\"P1M\"}]}",
      "{\"lineItems\":{\"id\":0,\"catalogItemId\":\"DZH318Z0BXWC:0002:DZH318Z0BMRV\","
      "\"quantity\":1}}",
      "{\"lineItems\":\"DZH318Z0BXWC:0002:DZH318Z0BMRV\"}",
      "{\"lineItems\":[[1,2,3]]}",
      "{\"lineItems\":[42]}",
      "{\"lineItems\":[{\"id\":\"zero\",\"catalogItemId\":\"DZH318Z0BXWC:0002:DZH318Z0BMRV\","
      "\"quantity\":1,\"billingCycle\":\"monthly\",\"termDuration\":\"P1M\"}]}",
      "{\"lineItems\":[{\"id\":0,\"catalogItemId\":5,\"quantity\":1,\"billingCycle\":\"monthly\"}]"
      "}",
      "{\"lineItems\":[{\"id\":0,\"catalogItemId\":\"DZH318Z0BXWC:0002:DZH318Z0BMRV\","
      "\"quantity\":true,\"billingCycle\":\"monthly\",\"termDuration\":\"P1M\"}]}",
      "[]",
      "null",
      "\"success\"",
      "42",
  };
  for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
    HttpResponse response;
    http_request(ctx, "POST", DOC_CARTS_PATH, NULL, bodies[i], &response);
    if (response.status != 400)
      print_error("body: %s\n", bodies[i]);
    assert_api_error(&response, 400, 800002);
    http_response_clear(&response);
  }
  assert_int_equal(sandbox_control_number(ctx, "status", "carts"), 0);
  assert_still_serving();
}

static void test_bad_query_values(void **state) {
  (void)state;
  const char *paths[] = {"/v1/customers?size=abc", "/v1/customers?size=-5"};
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
    HttpResponse response;
    http_request(ctx, "GET", paths[i], NULL, NULL, &response);
    if (response.status != 400)
      print_error("GET %s\n", paths[i]);
    assert_api_error(&response, 400, -1);
    http_response_clear(&response);
  }
  /* Escapes that decode to junk name nothing. */
  const char *junk[] = {"/v1/customers/%ff%fe%80", "/v1/customers/%00", "/v1/customers/..%2f..%2f"};
  for (size_t i = 0; i < sizeof junk / sizeof *junk; i++) {
    HttpResponse response;
    http_request(ctx, "GET", junk[i], NULL, NULL, &response);
    if (response.status != 404 && response.status != 400)
      fail_msg("GET %s: HTTP %ld (%s)", junk[i], response.status, response.error);
    assert_api_error(&response, response.status, -1);
    http_response_clear(&response);
  }
  assert_still_serving();
}

static void test_garbage_headers(void **state) {
  (void)state;
  /* A large header (16 KiB) is an ordinary request. */
  size_t sizes[] = {16 * 1024, 100 * 1024};
  for (size_t i = 0; i < 2; i++) {
    char *header = malloc(sizes[i] + 16);
    assert_non_null(header);
    strcpy(header, "X-Junk: ");
    memset(header + 8, 'a', sizes[i]);
    header[8 + sizes[i]] = '\0';
    const char *headers[] = {header, NULL};
    HttpResponse response;
    http_request(ctx, "GET", CUSTOMER_PATH, headers, NULL, &response);
    if (i == 0)
      assert_status(&response, 200);
    else
      assert_served_or_json_refusal(&response, "100 KiB header");
    http_response_clear(&response);
    free(header);
  }
  /* Bytes that are not text in header values. */
  const char *binary[] = {"X-Binary: \x80\xff\xfe\xc3\x28", "MS-RequestId: \xff\xfe\x80not-a-guid",
                          "MS-CorrelationId: <script>alert(1)</script>",
                          "X-Locale: \xe2\x82\xac\xe2\x82", "MS-ContinuationToken: \xff\xff"};
  for (size_t i = 0; i < sizeof binary / sizeof *binary; i++) {
    const char *headers[] = {binary[i], NULL};
    HttpResponse response;
    http_request(ctx, "GET", CUSTOMER_PATH, headers, NULL, &response);
    assert_served_or_json_refusal(&response, binary[i]);
    http_response_clear(&response);
  }
  /* Many headers. */
  const char *many[201];
  char storage[200][32];
  for (int i = 0; i < 200; i++) {
    snprintf(storage[i], sizeof storage[i], "X-Many-%d: %d", i, i);
    many[i] = storage[i];
  }
  many[200] = NULL;
  HttpResponse response;
  http_request(ctx, "GET", CUSTOMER_PATH, many, NULL, &response);
  assert_served_or_json_refusal(&response, "200 headers");
  http_response_clear(&response);
  assert_still_serving();
}

static void test_non_utf8_body(void **state) {
  (void)state;
  const char *body = "{\"lineItems\":[{\"id\":0,\"catalogItemId\":\"\xff\xfe\xc0\xaf\","
                     "\"friendlyName\":\"caf\xe9\",\"quantity\":1,\"billingCycle\":\"monthly\","
                     "\"termDuration\":\"P1M\"}]}";
  HttpResponse response;
  http_request(ctx, "POST", DOC_CARTS_PATH, NULL, body, &response);
  if (response.status == 201) {
    /* Accepted: then the line is in error and the reply is still valid UTF-8 JSON. */
    assert_true(is_utf8(response.body, response.body_len));
    assert_non_null(response.json);
    assert_int_equal((long)json_num_at(response.json, "lineItems.0.error.errorCode", -1), 10001);
  } else {
    assert_api_error(&response, 400, 800002);
    assert_true(is_utf8(response.body, response.body_len));
  }
  http_response_clear(&response);

  /* Binary noise with NULs. */
  char noise[512];
  for (size_t i = 0; i < sizeof noise; i++)
    noise[i] = (char)((i * 131 + 7) & 0xff);
  HttpRequest request = {
      .method = "POST", .path = DOC_CARTS_PATH, .body = noise, .body_len = sizeof noise};
  http_send(ctx, &request, &response);
  assert_api_error(&response, 400, 800002);
  http_response_clear(&response);
  assert_still_serving();
}

static char *nested(const char *prefix, const char *open, size_t depth, const char *suffix) {
  size_t open_len = strlen(open);
  char *text = malloc(strlen(prefix) + open_len * depth + strlen(suffix) + 1);
  assert_non_null(text);
  char *p = text;
  p += sprintf(p, "%s", prefix);
  for (size_t i = 0; i < depth; i++) {
    memcpy(p, open, open_len);
    p += open_len;
  }
  strcpy(p, suffix);
  return text;
}

static void test_deeply_nested_json(void **state) {
  (void)state;
  char *bodies[] = {
      nested("", "[", 10000, ""),
      nested("{\"lineItems\":", "[", 10000, ""),
      nested("", "{\"a\":", 10000, "1"),
      nested("{\"lineItems\":[{\"id\":0,\"catalogItemId\":\"DZH318Z0BXWC:0002:DZH318Z0BMRV\","
             "\"quantity\":1,\"billingCycle\":\"monthly\",\"provisioningContext\":",
             "{\"x\":", 10000, "1"),
  };
  for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
    HttpResponse response;
    http_request(ctx, "POST", DOC_CARTS_PATH, NULL, bodies[i], &response);
    assert_api_error(&response, 400, 800002);
    http_response_clear(&response);
    free(bodies[i]);
  }
  assert_still_serving();
}

/* Sends raw bytes on a new connection and returns what came back (NUL-terminated). */
static char *raw_exchange(const char *bytes, size_t length) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  struct timeval timeout = {.tv_sec = 30}; /* a safety net, not a sequencer */
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  struct sockaddr_in address = {.sin_family = AF_INET,
                                .sin_port = htons(sandbox_port(http_ctx_sandbox(ctx)))};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(connect(fd, (struct sockaddr *)&address, sizeof address), 0);
  size_t sent = 0;
  while (sent < length) {
    ssize_t n = send(fd, bytes + sent, length - sent, MSG_NOSIGNAL);
    if (n <= 0)
      break;
    sent += (size_t)n;
  }
  shutdown(fd, SHUT_WR);
  size_t capacity = 65536;
  size_t used = 0;
  char *reply = malloc(capacity + 1);
  assert_non_null(reply);
  for (;;) {
    ssize_t n = recv(fd, reply + used, capacity - used, 0);
    if (n <= 0)
      break;
    used += (size_t)n;
    if (used == capacity)
      break;
  }
  reply[used] = '\0';
  close(fd);
  return reply;
}

static void test_raw_garbage_on_the_wire(void **state) {
  (void)state;
  const char *garbage[] = {
      "GARBAGE\r\n\r\n",
      "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", /* a TLS ClientHello's first bytes */
      "GET /v1/customers HTTP/9.9\r\nHost: x\r\n\r\n",
      "GET\r\n\r\n",
      "POST /v1/customers/" DOC_CUSTOMER_ID "/carts HTTP/1.1\r\nHost: x\r\n"
      "Content-Length: 500\r\n\r\n{\"lineItems\":",
      "POST /v1/customers/" DOC_CUSTOMER_ID "/carts HTTP/1.1\r\nHost: x\r\n"
      "Transfer-Encoding: chunked\r\n\r\nzz\r\nnot a chunk\r\n",
  };
  for (size_t i = 0; i < sizeof garbage / sizeof *garbage; i++) {
    char *reply = raw_exchange(garbage[i], strlen(garbage[i]));
    free(reply);
    assert_still_serving();
  }

  /* A declared body over the limit is refused with JSON before it is sent. */
  const char *declared = "POST /v1/customers/" DOC_CUSTOMER_ID "/carts HTTP/1.1\r\n"
                         "Host: x\r\nContent-Type: application/json\r\n"
                         "Content-Length: 10000000\r\nConnection: close\r\n\r\n";
  char *reply = raw_exchange(declared, strlen(declared));
  if (strncmp(reply, "HTTP/1.1 413", 12) != 0)
    fail_msg("declared 10 MB body: expected 413, got: %.200s", reply);
  assert_true(contains_ci(reply, "application/json"));
  free(reply);
  assert_still_serving();
}

static void test_every_refusal_is_json(void **state) {
  (void)state;
  /* One of each refusal, each checked for the error shape and the JSON content type. */
  struct {
    const char *method;
    const char *path;
    const char *body;
    int flags;
    long status;
  } cases[] = {
      {"GET", "/v1/nope", NULL, 0, 404},
      {"DELETE", "/v1/customers", NULL, 0, 405},
      {"POST", DOC_CARTS_PATH, "{", 0, 400},
      {"GET", CUSTOMER_PATH, NULL, HTTP_NO_AUTH, 401},
      {"GET", "/v1/customers/00000000-0000-0000-0000-000000000000", NULL, 0, 404},
      {"GET", "/v1/products", NULL, 0, 400},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    HttpRequest request = {.method = cases[i].method,
                           .path = cases[i].path,
                           .body = cases[i].body,
                           .flags = cases[i].flags};
    HttpResponse response;
    http_send(ctx, &request, &response);
    assert_api_error(&response, cases[i].status, -1);
    const char *type = http_response_header(&response, "Content-Type");
    assert_true(strcasecmp(type, "application/json; charset=utf-8") == 0);
    assert_true(cJSON_IsArray(json_at(response.json, "data")));
    assert_string_equal(json_str_at(response.json, "source"), "PartnerFD");
    http_response_clear(&response);
  }
  assert_still_serving();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_unknown_routes_are_404_json, reset),
      cmocka_unit_test_setup(test_wrong_method_is_405_with_allow, reset),
      cmocka_unit_test_setup(test_body_over_one_mib_is_413, reset),
      cmocka_unit_test_setup(test_wrong_json_types_are_400, reset),
      cmocka_unit_test_setup(test_bad_query_values, reset),
      cmocka_unit_test_setup(test_garbage_headers, reset),
      cmocka_unit_test_setup(test_non_utf8_body, reset),
      cmocka_unit_test_setup(test_deeply_nested_json, reset),
      cmocka_unit_test_setup(test_raw_garbage_on_the_wire, reset),
      cmocka_unit_test_setup(test_every_refusal_is_json, reset),
  };
  return cmocka_run_group_tests_name("sandbox robustness", tests, sandbox_setup, sandbox_teardown);
}
