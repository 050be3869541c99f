/* The Partner Center client against an in-process sandbox over real HTTP: clouds and
 * settings, v1/v2 tokens for app-only and App+User, the token cache and its refresh after a
 * 401, refusals of the token endpoint as plain sentences without the secret, the headers
 * every call carries, the redacted log, and transport failures (refused, DNS, TLS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "pc/client.h"
#include "sandbox_http.h"
#include "sandbox_settings.h"

#define CANARY_SECRET "canary-Secret-7f3a91"

static HttpCtx *ctx;

typedef struct Retries {
  int count;
  int attempts[16];
  long waits[16];
  PcErrorKind kinds[16];
} Retries;

static void on_retry(void *user, int attempt, long wait_ms, const PcError *why) {
  Retries *r = user;
  if (r->count < 16) {
    r->attempts[r->count] = attempt;
    r->waits[r->count] = wait_ms;
    r->kinds[r->count] = why->kind;
  }
  r->count++;
}

/* A fresh sandbox per test: its request log (the last 200 requests) then holds only the
 * test's own requests. */
static int setup(void **state) {
  (void)state;
  char err[512] = "";
  HttpCtxOptions options = {.client_secret = CANARY_SECRET};
  ctx = http_ctx_start(&options, err, sizeof err);
  if (!ctx) {
    print_error("sandbox did not start: %s\n", err);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  http_ctx_stop(ctx);
  ctx = NULL;
  return 0;
}

static PcSettings settings_for_sandbox(Retries *retries) {
  PcSettings s = sandbox_pc_settings(ctx); /* its client secret is the canary */
  s.resource = PC_RESOURCE;
  s.backoff_base_ms = 1;
  s.backoff_max_ms = 4;
  s.retry_after_max_ms = 5;
  s.on_retry = retries ? on_retry : NULL;
  s.on_retry_user = retries;
  return s;
}

static PcClient *client_new(const PcSettings *s) {
  PcError error = {0};
  PcClient *client = pc_client_new(s, &error);
  if (!client)
    fail_msg("pc_client_new: %s", error.message);
  return client;
}

/* The sandbox's request log, optionally for one operation. */
static cJSON *requests_log(const char *op) {
  char path[128];
  snprintf(path, sizeof path, "requests%s%s", op ? "?op=" : "", op ? op : "");
  HttpResponse response;
  assert_true(sandbox_control(ctx, "GET", path, NULL, &response));
  assert_int_equal(response.status, 200);
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

static const char *header_of(const cJSON *entry, const char *name) {
  const cJSON *value = json_get(json_get(entry, "headers"), name);
  return cJSON_IsString(value) ? value->valuestring : NULL;
}

static void get_doc_customer(PcClient *client, PcCallInfo *info) {
  Customer customer = {0};
  PcError error = {0};
  if (!pc_customer_get(client, DOC_CUSTOMER_ID, &customer, info, &error))
    fail_msg("GET customer: %s (%s)", error.message, pc_error_kind_name(error.kind));
  assert_string_equal(customer.id, DOC_CUSTOMER_ID);
  customer_clear(&customer);
}

/* ----- clouds and settings ----- */

static void test_clouds(void **state) {
  (void)state;
  PcCloud cloud = PC_CLOUD_PUBLIC;
  assert_true(pc_cloud_parse("china", &cloud));
  assert_int_equal(cloud, PC_CLOUD_CHINA);
  assert_true(pc_cloud_parse("21Vianet", &cloud));
  assert_int_equal(cloud, PC_CLOUD_CHINA);
  assert_true(pc_cloud_parse("USGov", &cloud));
  assert_int_equal(cloud, PC_CLOUD_USGOV);
  assert_true(pc_cloud_parse("germany", &cloud));
  assert_int_equal(cloud, PC_CLOUD_GERMANY);
  assert_true(pc_cloud_parse("PUBLIC", &cloud));
  assert_int_equal(cloud, PC_CLOUD_PUBLIC);
  cloud = PC_CLOUD_USGOV;
  assert_false(pc_cloud_parse("azure", &cloud));
  assert_false(pc_cloud_parse("", &cloud));
  assert_false(pc_cloud_parse(NULL, &cloud));
  assert_int_equal(cloud, PC_CLOUD_USGOV); /* untouched on failure */

  assert_string_equal(pc_cloud_name(PC_CLOUD_CHINA), "china");
  assert_string_equal(pc_cloud_api_base(PC_CLOUD_PUBLIC),
                      "https://api.partnercenter.microsoft.com");
  assert_string_equal(pc_cloud_authority(PC_CLOUD_PUBLIC), "https://login.microsoftonline.com/");
  assert_string_equal(pc_cloud_resource(PC_CLOUD_PUBLIC),
                      "https://api.partnercenter.microsoft.com");
  assert_string_equal(pc_cloud_api_base(PC_CLOUD_CHINA),
                      "https://partner.partnercenterapi.microsoftonline.cn");
  assert_string_equal(pc_cloud_authority(PC_CLOUD_CHINA), "https://login.chinacloudapi.cn/");
  assert_string_equal(pc_cloud_resource(PC_CLOUD_CHINA),
                      "https://partner.partnercenterapi.microsoftonline.cn");
  assert_string_equal(pc_cloud_authority(PC_CLOUD_USGOV), "https://login.microsoftonline.us/");
  assert_string_equal(pc_cloud_api_base(PC_CLOUD_USGOV), "https://api.partnercenter.microsoft.com");
  assert_string_equal(pc_cloud_authority(PC_CLOUD_GERMANY), "https://login.microsoftonline.de/");
  assert_string_equal(pc_cloud_resource(PC_CLOUD_GERMANY),
                      "https://api.partnercenter.microsoft.com");
  assert_null(pc_cloud_name((PcCloud)42));
  assert_null(pc_cloud_api_base((PcCloud)-1));
}

static void expect_refused(const PcSettings *s, const char *named) {
  PcError error = {0};
  PcClient *client = pc_client_new(s, &error);
  if (client)
    fail_msg("settings naming %s were accepted", named);
  assert_int_equal(error.kind, PC_ERROR_INVALID);
  if (!strstr(error.message, named))
    fail_msg("\"%s\" does not name %s", error.message, named);
  pc_error_clear(&error);
}

static void test_settings_refused(void **state) {
  (void)state;
  PcSettings s = settings_for_sandbox(NULL);
  s.api_base = "http://api.partnercenter.microsoft.com";
  expect_refused(&s, "api_base");
  s.api_base = "http://10.1.2.3:8470";
  expect_refused(&s, "api_base");
  s.api_base = "ftp://127.0.0.1/";
  expect_refused(&s, "api_base");
  s.api_base = "not a url";
  expect_refused(&s, "api_base");
  s = settings_for_sandbox(NULL);
  s.authority = "http://login.microsoftonline.com/";
  expect_refused(&s, "authority");
  s = settings_for_sandbox(NULL);
  s.tenant = NULL;
  expect_refused(&s, "tenant");
  s = settings_for_sandbox(NULL);
  s.client_id = "";
  expect_refused(&s, "client_id");
  s = settings_for_sandbox(NULL);
  s.client_secret = NULL;
  expect_refused(&s, "client_secret");
  s = settings_for_sandbox(NULL);
  s.auth_mode = PC_AUTH_APP_USER;
  expect_refused(&s, "refresh_token");
  s = settings_for_sandbox(NULL);
  s.cloud = (PcCloud)9;
  expect_refused(&s, "cloud");
  s = settings_for_sandbox(NULL);
  s.request_timeout_ms = -5;
  expect_refused(&s, "request_timeout_ms");
  s = settings_for_sandbox(NULL);
  s.locale = "en-US\r\nX-Evil: 1";
  expect_refused(&s, "locale");
  PcError error = {0};
  assert_null(pc_client_new(NULL, &error));
  assert_int_equal(error.kind, PC_ERROR_INVALID);
}

static void test_settings_accepted(void **state) {
  (void)state;
  const char *bases[] = {"http://localhost:8470", "http://[::1]:8470", "http://127.9.8.7:1",
                         "https://api.partnercenter.microsoft.com/", NULL};
  for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
    PcSettings s = settings_for_sandbox(NULL);
    s.api_base = bases[i];
    s.authority = NULL; /* the public cloud's */
    PcClient *client = client_new(&s);
    pc_client_free(client);
  }
  PcSettings s = {.cloud = PC_CLOUD_CHINA, .tenant = "t", .client_id = "c", .client_secret = "s"};
  pc_client_free(client_new(&s));
}

/* ----- tokens ----- */

static void assert_token_request(const char *path_suffix, const char *grant, const char *field) {
  cJSON *log = requests_log("token");
  const cJSON *items = json_items(log);
  assert_int_equal(cJSON_GetArraySize(items), 1);
  const cJSON *entry = cJSON_GetArrayItem(items, 0);
  const char *path = json_str_at(entry, "path");
  assert_non_null(path);
  size_t n = strlen(path), m = strlen(path_suffix);
  if (n < m || strcmp(path + n - m, path_suffix) != 0)
    fail_msg("token path %s does not end with %s", path, path_suffix);
  assert_non_null(strstr(path, TEST_TENANT));
  const char *body = json_str_at(entry, "body");
  assert_non_null(body);
  if (!strstr(body, grant) || !strstr(body, field))
    fail_msg("token body %s lacks %s or %s", body, grant, field);
  assert_null(strstr(body, CANARY_SECRET));
  assert_int_equal((long)json_num_at(entry, "status", 0), 200);
  cJSON_Delete(log);
}

static void token_case(PcAuthMode mode, PcTokenEndpoint endpoint, const char *suffix,
                       const char *grant, const char *field) {
  PcSettings s = settings_for_sandbox(NULL);
  s.auth_mode = mode;
  s.token_endpoint = endpoint;
  s.refresh_token = mode == PC_AUTH_APP_USER ? SANDBOX_REFRESH_TOKEN : NULL;
  PcClient *client = client_new(&s);
  get_doc_customer(client, NULL);
  assert_token_request(suffix, grant, field);
  pc_client_free(client);
}

static void test_token_v1_app_only(void **state) {
  (void)state;
  token_case(PC_AUTH_APP_ONLY, PC_TOKEN_V1, "/oauth2/token", "grant_type=client_credentials",
             "resource=https%3A%2F%2Fapi.partnercenter.microsoft.com");
}

static void test_token_v2_app_only(void **state) {
  (void)state;
  token_case(PC_AUTH_APP_ONLY, PC_TOKEN_V2, "/oauth2/v2.0/token", "grant_type=client_credentials",
             "scope=https%3A%2F%2Fapi.partnercenter.microsoft.com%2F.default");
}

static void test_token_v1_app_user(void **state) {
  (void)state;
  token_case(PC_AUTH_APP_USER, PC_TOKEN_V1, "/oauth2/token", "grant_type=refresh_token",
             "resource=https%3A%2F%2Fapi.partnercenter.microsoft.com");
}

static void test_token_v2_app_user(void **state) {
  (void)state;
  token_case(PC_AUTH_APP_USER, PC_TOKEN_V2, "/oauth2/v2.0/token", "grant_type=refresh_token",
             "scope=https%3A%2F%2Fapi.partnercenter.microsoft.com%2Fuser_impersonation");
}

static void test_token_is_cached(void **state) {
  (void)state;
  PcSettings s = settings_for_sandbox(NULL);
  PcClient *client = client_new(&s);
  for (int i = 0; i < 5; i++)
    get_doc_customer(client, NULL);
  assert_int_equal(count_requests("token"), 1);
  assert_int_equal(count_requests("customers.get"), 5);
  pc_client_forget_token(client);
  get_doc_customer(client, NULL);
  assert_int_equal(count_requests("token"), 2);
  pc_client_free(client);
}

static void test_expired_token_refreshed_once(void **state) {
  (void)state;
  Retries retries = {0};
  PcSettings s = settings_for_sandbox(&retries);
  PcClient *client = client_new(&s);
  get_doc_customer(client, NULL);
  assert_true(sandbox_advance_clock(ctx, 2 * 3600));
  PcCallInfo info = {0};
  get_doc_customer(client, &info);
  assert_int_equal(info.status, 200);
  assert_int_equal(info.attempts, 2); /* the 401, then the retry with a new token */
  assert_int_equal(retries.count, 0); /* a refresh is not a retry wait */
  assert_int_equal(count_requests("token"), 2);
  cJSON *log = requests_log("customers.get");
  const cJSON *items = json_items(log);
  assert_int_equal(cJSON_GetArraySize(items), 3);
  assert_int_equal((long)json_num_at(cJSON_GetArrayItem(items, 1), "status", 0), 401);
  assert_int_equal((long)json_num_at(cJSON_GetArrayItem(items, 2), "status", 0), 200);
  /* One intent: the retry after the refresh keeps its MS-RequestId. */
  assert_string_equal(json_str_at(cJSON_GetArrayItem(items, 1), "requestId"),
                      json_str_at(cJSON_GetArrayItem(items, 2), "requestId"));
  cJSON_Delete(log);
  pc_call_info_clear(&info);
  pc_client_free(client);
}

static void expect_auth_failure(PcSettings *s, const char *sentence_part, long status) {
  Retries retries = {0};
  s->on_retry = on_retry;
  s->on_retry_user = &retries;
  PcClient *client = client_new(s);
  Customer customer = {0};
  PcError error = {0};
  assert_false(pc_customer_get(client, DOC_CUSTOMER_ID, &customer, NULL, &error));
  assert_int_equal(error.kind, PC_ERROR_AUTH);
  assert_int_equal(error.http_status, status);
  if (!strstr(error.message, sentence_part))
    fail_msg("\"%s\" does not say \"%s\"", error.message, sentence_part);
  /* Neither secret appears in anything the error carries. */
  const char *texts[] = {error.message, error.description, error.code_text};
  for (size_t i = 0; i < 3; i++) {
    assert_true(!texts[i] || !strstr(texts[i], s->client_secret));
    assert_true(!texts[i] || !s->refresh_token || !strstr(texts[i], s->refresh_token));
  }
  assert_int_equal(retries.count, 0); /* a refusal is not retried */
  assert_int_equal(count_requests("customers.get"), 0);
  pc_error_clear(&error);
  pc_client_free(client);
}

static void test_wrong_secret(void **state) {
  (void)state;
  PcSettings s = settings_for_sandbox(NULL);
  s.client_secret = "Wrong-Secret-0042";
  expect_auth_failure(&s, "client secret is wrong", 401);
}

static void test_unknown_client_id(void **state) {
  (void)state;
  PcSettings s = settings_for_sandbox(NULL);
  s.client_id = "00000000-dead-beef-0000-000000000000";
  expect_auth_failure(&s, "client id is not known", 400);
}

static void test_bad_refresh_token(void **state) {
  (void)state;
  PcSettings s = settings_for_sandbox(NULL);
  s.auth_mode = PC_AUTH_APP_USER;
  s.refresh_token = "Expired-Refresh-Token-31337";
  expect_auth_failure(&s, "refresh token is invalid", 400);
}

/* ----- headers ----- */

static void test_headers_sent(void **state) {
  (void)state;
  PcSettings s = settings_for_sandbox(NULL);
  s.locale = "hu-HU";
  PcClient *client = client_new(&s);
  PcCallInfo first = {0}, second = {0};
  get_doc_customer(client, &first);
  get_doc_customer(client, &second);
  cJSON *log = requests_log("customers.get");
  const cJSON *items = json_items(log);
  assert_int_equal(cJSON_GetArraySize(items), 2);
  const cJSON *entry = cJSON_GetArrayItem(items, 0);
  assert_non_null(header_of(entry, "Authorization")); /* redacted by the sandbox's log */
  assert_string_equal(header_of(entry, "Accept"), "application/json");
  assert_string_equal(header_of(entry, "X-Locale"), "hu-HU");
  assert_string_equal(header_of(entry, "MS-PartnerCenter-Client"), "pccart/" PCCART_VERSION);
  assert_null(header_of(entry, "Content-Type")); /* no body, no content type */
  const char *request_id = header_of(entry, "MS-RequestId");
  const char *correlation_id = header_of(entry, "MS-CorrelationId");
  assert_true(is_guid(request_id));
  assert_true(is_guid(correlation_id));
  assert_string_equal(request_id, first.request_id);
  assert_string_equal(correlation_id, first.correlation_id);
  /* Each call is its own intent with its own correlation. */
  const cJSON *next = cJSON_GetArrayItem(items, 1);
  assert_string_not_equal(header_of(next, "MS-RequestId"), request_id);
  assert_string_not_equal(header_of(next, "MS-CorrelationId"), correlation_id);
  assert_string_equal(header_of(next, "MS-RequestId"), second.request_id);
  cJSON_Delete(log);
  pc_call_info_clear(&first);
  pc_call_info_clear(&second);
  pc_client_free(client);
}

/* ----- the log ----- */

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = calloc(1, (size_t)n + 1);
  if (text && fread(text, 1, (size_t)n, f) != (size_t)n) {
    free(text);
    text = NULL;
  }
  fclose(f);
  return text;
}

static void test_log_is_redacted(void **state) {
  (void)state;
  char dir[] = "/tmp/pc-log-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[256];
  snprintf(path, sizeof path, "%s/pccart.log", dir);
  char err[256] = "";
  PcLog *log = pc_log_open(path, PC_LOG_DEBUG, err, sizeof err);
  assert_non_null(log);
  PcSettings s = settings_for_sandbox(NULL);
  s.auth_mode = PC_AUTH_APP_USER;
  s.refresh_token = SANDBOX_REFRESH_TOKEN;
  s.log = log;
  PcClient *client = client_new(&s);
  PcCallInfo info = {0};
  get_doc_customer(client, &info);
  pc_client_free(client);
  pc_log_close(log);
  char *text = read_file(path);
  assert_non_null(text);
  /* One INFO line for the call, with status and MS-RequestId. */
  char expected[256];
  snprintf(expected, sizeof expected, "info  GET /v1/customers/" DOC_CUSTOMER_ID " -> 200 in ");
  if (!strstr(text, expected))
    fail_msg("the log has no line with \"%s\":\n%s", expected, text);
  assert_non_null(strstr(text, info.request_id));
  assert_non_null(strstr(text, "attempts 1"));
  /* DEBUG: headers and bodies went through, redacted. */
  assert_non_null(strstr(text, "MS-CorrelationId"));
  assert_non_null(strstr(text, "[REDACTED]"));
  assert_null(strstr(text, CANARY_SECRET));
  assert_null(strstr(text, SANDBOX_REFRESH_TOKEN));
  assert_null(strstr(text, "sbx.")); /* every sandbox access token starts so */
  free(text);
  pc_call_info_clear(&info);
  unlink(path);
  rmdir(dir);
}

/* ----- transport failures ----- */

/* A loopback port nothing listens on: bound, never listened to, closed. */
static int dead_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
  socklen_t len = sizeof addr;
  assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
  close(fd);
  return ntohs(addr.sin_port);
}

static void test_connection_refused(void **state) {
  (void)state;
  char base[64];
  snprintf(base, sizeof base, "http://127.0.0.1:%d", dead_port());
  Retries retries = {0};
  PcSettings s = settings_for_sandbox(&retries);
  s.api_base = base;
  s.authority = base;
  s.max_attempts = 3;
  PcClient *client = client_new(&s);
  Customer customer = {0};
  PcError error = {0};
  assert_false(pc_customer_get(client, DOC_CUSTOMER_ID, &customer, NULL, &error));
  assert_int_equal(error.kind, PC_ERROR_CONNECT);
  assert_int_equal(error.http_status, 0);
  assert_int_not_equal(error.curl_code, 0);
  assert_non_null(strstr(error.message, "Could not connect to 127.0.0.1"));
  assert_false(error.outcome_unknown);
  /* Nothing was sent, so it was retried until max_attempts. */
  assert_int_equal(retries.count, 2);
  assert_int_equal(retries.attempts[0], 1);
  assert_int_equal(retries.attempts[1], 2);
  assert_int_equal(retries.kinds[0], PC_ERROR_CONNECT);
  assert_true(retries.waits[0] >= 0 && retries.waits[0] <= 1);
  assert_true(retries.waits[1] >= 0 && retries.waits[1] <= 2);
  pc_error_clear(&error);
  pc_client_free(client);
}

static void test_dns_failure(void **state) {
  (void)state;
  Retries retries = {0};
  PcSettings s = settings_for_sandbox(&retries);
  s.api_base = "https://pccart-test.invalid";
  s.authority = "https://pccart-test.invalid/";
  PcClient *client = client_new(&s);
  Customer customer = {0};
  PcError error = {0};
  assert_false(pc_customer_get(client, DOC_CUSTOMER_ID, &customer, NULL, &error));
  assert_int_equal(error.kind, PC_ERROR_CONNECT);
  assert_string_equal(error.message,
                      "Could not find the server pccart-test.invalid: the name does not resolve.");
  assert_int_equal(retries.count, 0); /* a name that does not resolve does not heal by waiting */
  pc_error_clear(&error);
  pc_client_free(client);
}

static void test_tls_failure(void **state) {
  (void)state;
  /* The sandbox speaks plain HTTP: a TLS handshake with it fails. */
  char base[128];
  snprintf(base, sizeof base, "https://%s", http_ctx_url(ctx) + strlen("http://"));
  Retries retries = {0};
  PcSettings s = settings_for_sandbox(&retries);
  s.api_base = base;
  s.authority = base;
  PcClient *client = client_new(&s);
  Customer customer = {0};
  PcError error = {0};
  assert_false(pc_customer_get(client, DOC_CUSTOMER_ID, &customer, NULL, &error));
  assert_int_equal(error.kind, PC_ERROR_TLS);
  assert_non_null(strstr(error.message, "Could not open a secure connection to 127.0.0.1"));
  assert_int_equal(retries.count, 0);
  pc_error_clear(&error);
  pc_client_free(client);
}

static void test_error_kind_names(void **state) {
  (void)state;
  assert_string_equal(pc_error_kind_name(PC_ERROR_HTTP), "http");
  assert_string_equal(pc_error_kind_name(PC_ERROR_TIMEOUT), "timeout");
  assert_string_equal(pc_error_kind_name(PC_ERROR_CANCELLED), "cancelled");
  assert_string_equal(pc_error_kind_name(PC_ERROR_BAD_REPLY), "bad-reply");
  char a[37], b[37];
  pc_new_request_id(a);
  pc_new_request_id(b);
  assert_true(is_guid(a));
  assert_string_not_equal(a, b);
  assert_int_equal(a[14], '4'); /* version 4 */
  PcError error = {0};
  error.description = strdup("x");
  error.kind = PC_ERROR_HTTP;
  pc_error_clear(&error);
  assert_int_equal(error.kind, PC_ERROR_NONE);
  assert_null(error.description);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_clouds, setup, teardown),
      cmocka_unit_test_setup_teardown(test_settings_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_settings_accepted, setup, teardown),
      cmocka_unit_test_setup_teardown(test_error_kind_names, setup, teardown),
      cmocka_unit_test_setup_teardown(test_token_v1_app_only, setup, teardown),
      cmocka_unit_test_setup_teardown(test_token_v2_app_only, setup, teardown),
      cmocka_unit_test_setup_teardown(test_token_v1_app_user, setup, teardown),
      cmocka_unit_test_setup_teardown(test_token_v2_app_user, setup, teardown),
      cmocka_unit_test_setup_teardown(test_token_is_cached, setup, teardown),
      cmocka_unit_test_setup_teardown(test_expired_token_refreshed_once, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wrong_secret, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unknown_client_id, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_refresh_token, setup, teardown),
      cmocka_unit_test_setup_teardown(test_headers_sent, setup, teardown),
      cmocka_unit_test_setup_teardown(test_log_is_redacted, setup, teardown),
      cmocka_unit_test_setup_teardown(test_connection_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_dns_failure, setup, teardown),
      cmocka_unit_test_setup_teardown(test_tls_failure, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
