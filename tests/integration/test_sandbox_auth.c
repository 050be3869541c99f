/* The sandbox's token endpoints and bearer checks over real loopback HTTP:
 * the v1 and v2 reply shapes, refusals, token expiry on the sandbox clock, and the
 * request/correlation id headers every reply carries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>

#include "sandbox_http.h"

#define V1_TOKEN_PATH "/" TEST_TENANT "/oauth2/token"
#define V2_TOKEN_PATH "/" TEST_TENANT "/oauth2/v2.0/token"
#define CLIENT "client_id=" SANDBOX_CLIENT_ID "&client_secret=" SANDBOX_CLIENT_SECRET
#define RESOURCE_PARAM "resource=https%3A%2F%2Fapi.partnercenter.microsoft.com"
#define V1_CLIENT_CREDENTIALS "grant_type=client_credentials&" CLIENT "&" RESOURCE_PARAM
#define V1_REFRESH                                                                                 \
  "grant_type=refresh_token&refresh_token=" SANDBOX_REFRESH_TOKEN "&" CLIENT "&" RESOURCE_PARAM    \
  "&scope=openid"
#define V2_CLIENT_CREDENTIALS                                                                      \
  "grant_type=client_credentials&" CLIENT                                                          \
  "&scope=https%3A%2F%2Fapi.partnercenter.microsoft.com%2F.default"
#define V2_REFRESH                                                                                 \
  "grant_type=refresh_token&refresh_token=" SANDBOX_REFRESH_TOKEN "&" CLIENT                       \
  "&scope=https%3A%2F%2Fapi.partnercenter.microsoft.com%2Fuser_impersonation"
#define CUSTOMER_PATH "/v1/customers/" DOC_CUSTOMER_ID

static HttpCtx *ctx;

/* Each test: the group's sandbox (sandbox_setup), reset. */
static int reset(void **state) {
  ctx = *state;
  return sandbox_reset(ctx) ? 0 : -1;
}

static void post_form(const char *path, const char *form, HttpResponse *response) {
  const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
  HttpRequest request = {
      .method = "POST", .path = path, .headers = headers, .body = form, .flags = HTTP_NO_AUTH};
  http_send(ctx, &request, response);
}

/* GET one customer with exactly this Authorization header value. */
static void get_with_authorization(const char *authorization, HttpResponse *response) {
  char *header = str_format("Authorization: %s", authorization);
  assert_non_null(header);
  const char *headers[] = {header, NULL};
  http_request(ctx, "GET", CUSTOMER_PATH, headers, NULL, response);
  free(header);
}

static void assert_token_works(const char *token) {
  char *value = str_format("Bearer %s", token);
  assert_non_null(value);
  HttpResponse response;
  get_with_authorization(value, &response);
  assert_status(&response, 200);
  assert_string_equal(json_str_at(response.json, "id"), DOC_CUSTOMER_ID);
  http_response_clear(&response);
  free(value);
}

static bool is_decimal(const char *text) {
  if (!text || !*text)
    return false;
  for (const char *p = text; *p; p++)
    if (*p < '0' || *p > '9')
      return false;
  return true;
}

static void assert_content_type_exact(const HttpResponse *response) {
  const char *type = http_response_header(response, "Content-Type");
  assert_non_null(type);
  assert_true(strcasecmp(type, "application/json; charset=utf-8") == 0);
}

/* The 401 every /v1/ call without a valid token gets. */
static void assert_access_denied(const HttpResponse *response, const char *description) {
  assert_api_error(response, 401, 400);
  const char *challenge = http_response_header(response, "WWW-Authenticate");
  assert_non_null(challenge);
  assert_true(strncasecmp(challenge, "Bearer", 6) == 0);
  assert_non_null(strstr(challenge, "realm=\"PartnerCenter\""));
  assert_string_equal(json_str_at(response->json, "description"), description);
  assert_int_equal(json_count_at(response->json, "data"), 0);
  assert_string_equal(json_str_at(response->json, "source"), "PartnerFD");
}

static void test_v1_client_credentials(void **state) {
  (void)state;
  HttpResponse response;
  post_form(V1_TOKEN_PATH, V1_CLIENT_CREDENTIALS, &response);
  assert_status(&response, 200);
  assert_content_type_exact(&response);
  const cJSON *json = response.json;
  assert_string_equal(json_str_at(json, "token_type"), "Bearer");
  /* Azure AD v1 sends its numbers as JSON strings. */
  assert_string_equal(json_str_at(json, "expires_in"), "3600");
  assert_string_equal(json_str_at(json, "ext_expires_in"), "3600");
  const char *expires_on = json_str_at(json, "expires_on");
  const char *not_before = json_str_at(json, "not_before");
  assert_true(is_decimal(expires_on));
  assert_true(is_decimal(not_before));
  assert_int_equal(atoll(expires_on) - atoll(not_before), 3600);
  /* The sandbox clock starts at the real one after a reset; a day's slack is no timing. */
  long long now = (long long)time(NULL);
  assert_in_range(atoll(not_before), now - 86400, now + 86400);
  assert_string_equal(json_str_at(json, "resource"), PC_RESOURCE);
  const char *token = json_str_at(json, "access_token");
  assert_non_null(token);
  assert_true(strlen(token) > 0);
  assert_token_works(token);
  http_response_clear(&response);
}

static void test_v1_refresh_token(void **state) {
  (void)state;
  HttpResponse response;
  post_form(V1_TOKEN_PATH, V1_REFRESH, &response);
  assert_status(&response, 200);
  const cJSON *json = response.json;
  assert_string_equal(json_str_at(json, "token_type"), "Bearer");
  assert_string_equal(json_str_at(json, "scope"), "user_impersonation");
  assert_string_equal(json_str_at(json, "expires_in"), "3600");
  assert_true(is_decimal(json_str_at(json, "expires_on")));
  assert_string_equal(json_str_at(json, "resource"), PC_RESOURCE);
  assert_non_null(json_str_at(json, "refresh_token"));
  const char *token = json_str_at(json, "access_token");
  assert_non_null(token);
  assert_token_works(token);
  http_response_clear(&response);
}

static void assert_v2_reply(const HttpResponse *response) {
  assert_status(response, 200);
  assert_content_type_exact(response);
  const cJSON *json = response->json;
  assert_string_equal(json_str_at(json, "token_type"), "Bearer");
  /* v2 sends real numbers. */
  assert_true(cJSON_IsNumber(json_at(json, "expires_in")));
  assert_true(cJSON_IsNumber(json_at(json, "ext_expires_in")));
  assert_int_equal((long)json_num_at(json, "expires_in", -1), 3599);
  assert_int_equal((long)json_num_at(json, "ext_expires_in", -1), 3599);
  const char *token = json_str_at(json, "access_token");
  assert_non_null(token);
  assert_token_works(token);
}

static void test_v2_client_credentials(void **state) {
  (void)state;
  HttpResponse response;
  post_form(V2_TOKEN_PATH, V2_CLIENT_CREDENTIALS, &response);
  assert_v2_reply(&response);
  http_response_clear(&response);
}

static void test_v2_refresh_token(void **state) {
  (void)state;
  HttpResponse response;
  post_form(V2_TOKEN_PATH, V2_REFRESH, &response);
  assert_v2_reply(&response);
  http_response_clear(&response);
}

static void assert_invalid_client(const char *path, const char *form) {
  HttpResponse response;
  post_form(path, form, &response);
  /* Checked, then freed, then asserted: a failure leaves nothing allocated behind. */
  const char *type = http_response_header(&response, "Content-Type");
  const char *error = json_str_at(response.json, "error");
  const char *description = json_str_at(response.json, "error_description");
  bool ok = response.status == 401 && type && strncasecmp(type, "application/json", 16) == 0 &&
            error && strcmp(error, "invalid_client") == 0 && description &&
            strncmp(description, "AADSTS7000215", 13) == 0 &&
            !json_at(response.json, "access_token");
  if (!ok)
    print_error("POST %s %s\nexpected 401 {\"error\":\"invalid_client\",\"error_description\":"
                "\"AADSTS7000215: ...\"}, got HTTP %ld: %s\n",
                path, form, response.status, response.body ? response.body : "");
  http_response_clear(&response);
  assert_true(ok);
}

static void test_wrong_secret_is_invalid_client(void **state) {
  (void)state;
  assert_invalid_client(V1_TOKEN_PATH, "grant_type=client_credentials&client_id=" SANDBOX_CLIENT_ID
                                       "&client_secret=wrong-secret&" RESOURCE_PARAM);
  assert_invalid_client(V2_TOKEN_PATH,
                        "grant_type=client_credentials&client_id=" SANDBOX_CLIENT_ID
                        "&client_secret=wrong-secret"
                        "&scope=https%3A%2F%2Fapi.partnercenter.microsoft.com%2F.default");
  assert_invalid_client(V1_TOKEN_PATH,
                        "grant_type=refresh_token&refresh_token=" SANDBOX_REFRESH_TOKEN
                        "&client_id=" SANDBOX_CLIENT_ID "&client_secret=nope&" RESOURCE_PARAM);
}

/* docs/sandbox.md: "Wrong client id or secret: 401 invalid_client". */
/* Azure AD answers an unknown application with 400 unauthorized_client (AADSTS700016). */
static void test_wrong_client_id_is_unauthorized_client(void **state) {
  (void)state;
  HttpResponse response;
  post_form(
      V1_TOKEN_PATH,
      "grant_type=client_credentials&client_id=someone-else&client_secret=" SANDBOX_CLIENT_SECRET
      "&" RESOURCE_PARAM,
      &response);
  assert_status(&response, 400);
  assert_json_reply(&response);
  assert_string_equal(json_str_at(response.json, "error"), "unauthorized_client");
  const char *description = json_str_at(response.json, "error_description");
  assert_non_null(description);
  assert_true(strncmp(description, "AADSTS700016", 12) == 0);
  assert_null(json_str_at(response.json, "access_token"));
  http_response_clear(&response);
}

static void assert_bad_grant(const char *form) {
  HttpResponse response;
  post_form(V1_TOKEN_PATH, form, &response);
  assert_status(&response, 400);
  assert_json_reply(&response);
  const char *error = json_str_at(response.json, "error");
  assert_non_null(error);
  assert_true(strcmp(error, "invalid_grant") == 0 || strcmp(error, "unsupported_grant_type") == 0 ||
              strcmp(error, "invalid_request") == 0);
  assert_null(json_str_at(response.json, "access_token"));
  http_response_clear(&response);
}

static void test_bad_grants_are_400(void **state) {
  (void)state;
  assert_bad_grant("grant_type=password&" CLIENT "&" RESOURCE_PARAM);
  assert_bad_grant(CLIENT "&" RESOURCE_PARAM);
  assert_bad_grant("grant_type=refresh_token&refresh_token=not-the-refresh-token&" CLIENT
                   "&" RESOURCE_PARAM);
  assert_bad_grant("grant_type=refresh_token&" CLIENT "&" RESOURCE_PARAM);
}

static void test_missing_bearer_is_401(void **state) {
  (void)state;
  HttpResponse response;
  HttpRequest request = {.method = "GET", .path = CUSTOMER_PATH, .flags = HTTP_NO_AUTH};
  http_send(ctx, &request, &response);
  assert_access_denied(&response, "Access denied");
  /* Refusals carry the tracing headers too. */
  assert_true(is_guid(http_response_header(&response, "MS-RequestId")));
  http_response_clear(&response);

  request.path = "/v1/customers?size=5";
  http_send(ctx, &request, &response);
  assert_access_denied(&response, "Access denied");
  http_response_clear(&response);
}

static void test_garbage_bearer_is_401(void **state) {
  (void)state;
  const char *token = http_ctx_token(ctx);
  assert_non_null(token);
  /* The real token with its last character changed. */
  char *altered = str_format("Bearer %s", token);
  assert_non_null(altered);
  char *last = altered + strlen(altered) - 1;
  *last = *last == 'A' ? 'B' : 'A';
  const char *values[] = {"Bearer garbage",
                          "Bearer ",
                          "Bearer",
                          "Basic cGNjYXJ0LXNhbmRib3g6c2FuZGJveC1zZWNyZXQ=",
                          "eyJhbGciOiJub25lIn0.e30.",
                          altered};
  for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
    HttpResponse response;
    get_with_authorization(values[i], &response);
    if (response.status != 401)
      print_error("Authorization: %s\n", values[i]);
    assert_access_denied(&response, "Access denied");
    http_response_clear(&response);
  }
  free(altered);
}

static void test_token_expires_after_an_hour_of_sandbox_clock(void **state) {
  (void)state;
  HttpResponse response;
  post_form(V1_TOKEN_PATH, V1_CLIENT_CREDENTIALS, &response);
  assert_status(&response, 200);
  char *token = str_format("%s", json_str_at(response.json, "access_token"));
  long long expires_on = atoll(json_str_at(response.json, "expires_on"));
  http_response_clear(&response);
  assert_non_null(token);
  assert_token_works(token);

  /* Well inside the hour: still good. */
  assert_true(sandbox_advance_clock(ctx, 3500));
  assert_token_works(token);

  assert_true(sandbox_advance_clock(ctx, 101)); /* 3601 s in all */
  char *value = str_format("Bearer %s", token);
  get_with_authorization(value, &response);
  assert_access_denied(&response, "Access token has expired");
  http_response_clear(&response);

  /* A new token is issued on the moved clock and works. */
  post_form(V1_TOKEN_PATH, V1_CLIENT_CREDENTIALS, &response);
  assert_status(&response, 200);
  assert_true(atoll(json_str_at(response.json, "expires_on")) >= expires_on + 3601);
  assert_token_works(json_str_at(response.json, "access_token"));
  http_response_clear(&response);
  free(value);
  free(token);
}

static void test_contract_version_is_not_required(void **state) {
  (void)state;
  HttpResponse response;
  http_request(ctx, "GET", CUSTOMER_PATH, NULL, NULL, &response);
  assert_status(&response, 200);
  http_response_clear(&response);
  const char *headers[] = {"MS-Contract-Version: v1", NULL};
  http_request(ctx, "GET", CUSTOMER_PATH, headers, NULL, &response);
  assert_status(&response, 200);
  assert_string_equal(json_str_at(response.json, "id"), DOC_CUSTOMER_ID);
  http_response_clear(&response);
}

static void assert_tracing_headers(const HttpResponse *response, const char *request_id,
                                   const char *correlation_id, const char *locale) {
  assert_string_equal(http_response_header(response, "MS-RequestId"), request_id);
  assert_string_equal(http_response_header(response, "MS-CorrelationId"), correlation_id);
  assert_string_equal(http_response_header(response, "X-Locale"), locale);
  const char *cv = http_response_header(response, "MS-CV");
  const char *server = http_response_header(response, "MS-ServerId");
  assert_non_null(cv);
  assert_non_null(server);
  assert_true(cv[0] != '\0');
  assert_true(server[0] != '\0');
}

static void test_request_ids_are_echoed(void **state) {
  (void)state;
  char request_id[37];
  char correlation_id[37];
  guid_random(request_id);
  guid_random(correlation_id);
  char *rid = str_format("MS-RequestId: %s", request_id);
  char *cid = str_format("MS-CorrelationId: %s", correlation_id);
  const char *headers[] = {rid, cid, NULL};
  const char *paths[] = {CUSTOMER_PATH, "/v1/customers/00000000-0000-0000-0000-000000000001",
                         "/v1/customers?size=3"};
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
    HttpResponse response;
    http_request(ctx, "GET", paths[i], headers, NULL, &response);
    assert_true(response.status == 200 || response.status == 404);
    assert_content_type_exact(&response);
    assert_tracing_headers(&response, request_id, correlation_id, "en-US,en-US");
    http_response_clear(&response);
  }
  /* A refusal before authentication, and the token endpoint, echo them as well. */
  HttpResponse response;
  HttpRequest request = {
      .method = "GET", .path = CUSTOMER_PATH, .headers = headers, .flags = HTTP_NO_AUTH};
  http_send(ctx, &request, &response);
  assert_status(&response, 401);
  assert_tracing_headers(&response, request_id, correlation_id, "en-US,en-US");
  http_response_clear(&response);
  const char *form_headers[] = {rid, cid, "Content-Type: application/x-www-form-urlencoded", NULL};
  request = (HttpRequest){.method = "POST",
                          .path = V1_TOKEN_PATH,
                          .headers = form_headers,
                          .body = V1_CLIENT_CREDENTIALS,
                          .flags = HTTP_NO_AUTH};
  http_send(ctx, &request, &response);
  assert_status(&response, 200);
  assert_string_equal(http_response_header(&response, "MS-RequestId"), request_id);
  assert_string_equal(http_response_header(&response, "MS-CorrelationId"), correlation_id);
  http_response_clear(&response);
  free(rid);
  free(cid);
}

static void test_request_ids_are_generated(void **state) {
  (void)state;
  HttpResponse first;
  HttpResponse second;
  http_request(ctx, "GET", CUSTOMER_PATH, NULL, NULL, &first);
  http_request(ctx, "GET", CUSTOMER_PATH, NULL, NULL, &second);
  assert_status(&first, 200);
  assert_status(&second, 200);
  const char *rid1 = http_response_header(&first, "MS-RequestId");
  const char *rid2 = http_response_header(&second, "MS-RequestId");
  assert_true(is_guid(rid1));
  assert_true(is_guid(rid2));
  assert_true(strcmp(rid1, rid2) != 0);
  assert_true(is_guid(http_response_header(&first, "MS-CorrelationId")));
  assert_string_equal(http_response_header(&first, "X-Locale"), "en-US,en-US");
  assert_non_null(http_response_header(&first, "MS-CV"));
  assert_non_null(http_response_header(&first, "MS-ServerId"));
  http_response_clear(&first);
  http_response_clear(&second);
}

static void test_locale_is_echoed_twice(void **state) {
  (void)state;
  const char *headers[] = {"X-Locale: fr-FR", NULL};
  HttpResponse response;
  http_request(ctx, "GET", CUSTOMER_PATH, headers, NULL, &response);
  assert_status(&response, 200);
  assert_string_equal(http_response_header(&response, "X-Locale"), "fr-FR,fr-FR");
  http_response_clear(&response);
}

static void test_control_api_needs_no_token(void **state) {
  (void)state;
  HttpResponse response;
  sandbox_control(ctx, "GET", "status", NULL, &response);
  assert_status(&response, 200);
  assert_json_reply(&response);
  assert_string_equal(json_str_at(response.json, "scenario"), "default");
  assert_int_equal((long)json_num_at(response.json, "customers", -1), SANDBOX_DEFAULT_CUSTOMERS);
  assert_int_equal((long)json_num_at(response.json, "carts", -1), 0);
  assert_int_equal((long)json_num_at(response.json, "orders", -1), 0);
  assert_int_equal((long)json_num_at(response.json, "faults", -1), 0);
  assert_int_equal((long)json_num_at(response.json, "held", -1), 0);
  assert_non_null(json_at(response.json, "now"));
  http_response_clear(&response);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_v1_client_credentials, reset),
      cmocka_unit_test_setup(test_v1_refresh_token, reset),
      cmocka_unit_test_setup(test_v2_client_credentials, reset),
      cmocka_unit_test_setup(test_v2_refresh_token, reset),
      cmocka_unit_test_setup(test_wrong_secret_is_invalid_client, reset),
      cmocka_unit_test_setup(test_wrong_client_id_is_unauthorized_client, reset),
      cmocka_unit_test_setup(test_bad_grants_are_400, reset),
      cmocka_unit_test_setup(test_missing_bearer_is_401, reset),
      cmocka_unit_test_setup(test_garbage_bearer_is_401, reset),
      cmocka_unit_test_setup(test_token_expires_after_an_hour_of_sandbox_clock, reset),
      cmocka_unit_test_setup(test_contract_version_is_not_required, reset),
      cmocka_unit_test_setup(test_request_ids_are_echoed, reset),
      cmocka_unit_test_setup(test_request_ids_are_generated, reset),
      cmocka_unit_test_setup(test_locale_is_echoed_twice, reset),
      cmocka_unit_test_setup(test_control_api_needs_no_token, reset),
  };
  return cmocka_run_group_tests_name("sandbox auth", tests, sandbox_setup, sandbox_teardown);
}
