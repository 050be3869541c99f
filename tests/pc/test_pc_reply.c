/* What the call loop makes of a server's reply without a server (pc_reply_classify and
 * pc_retry_after_seconds, pc/internal.h): the Retry-After values the fuzzer (tests/fuzz, target
 * reply) found overflowing, and the sentences and waits of ordinary refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pc/internal.h"

/* Partner Center's defaults: Retry-After is honoured up to 60 s (client.h). */
#define RETRY_AFTER_MAX_MS 60000L
#define YEAR_S (366L * 24 * 3600)

static int setup(void **state) {
  PcSettings settings = {.api_base = "https://api.partnercenter.microsoft.com",
                         .tenant = "contoso.onmicrosoft.com",
                         .client_id = "00000000-0000-0000-0000-000000000001",
                         .client_secret = "a-client-secret"};
  PcError error = {0};
  *state = pc_client_new(&settings, &error);
  pc_error_clear(&error);
  return *state ? 0 : -1;
}

static int teardown(void **state) {
  pc_client_free(*state);
  return 0;
}

static void test_retry_after_values(void **state) {
  (void)state;
  assert_int_equal(pc_retry_after_seconds("23"), 23);
  assert_int_equal(pc_retry_after_seconds("0"), 0);
  assert_int_equal(pc_retry_after_seconds("-5"), 0);
  assert_int_equal(pc_retry_after_seconds(""), -1);
  assert_int_equal(pc_retry_after_seconds(NULL), -1);
  assert_int_equal(pc_retry_after_seconds("soon"), -1);
  /* Found by the fuzzer: these multiplied into milliseconds overflowed a long long. */
  assert_int_equal(pc_retry_after_seconds("9999999999999999"), YEAR_S);
  assert_int_equal(pc_retry_after_seconds("9223372036854775807"), YEAR_S);
  /* A date long past waits nothing; one far ahead is capped like a number. */
  assert_int_equal(pc_retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT"), 0);
  assert_int_equal(pc_retry_after_seconds("Fri, 31 Dec 9999 23:59:59 GMT"), YEAR_S);
}

static void classify(PcClient *client, long status, const char *headers, const char *body,
                     PcError *error, bool *retryable, long *wait_ms) {
  memset(error, 0, sizeof *error);
  pc_reply_classify(client, true, false, status, headers, strlen(headers), body, strlen(body), 1,
                    error, retryable, wait_ms);
}

static void test_huge_retry_after_waits_the_maximum(void **state) {
  PcError error;
  bool retryable = false;
  long wait_ms = -1;
  classify(*state, 429, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 9999999999999999\r\n",
           "{\"statusCode\":429,\"message\":\"Rate limit is exceeded.\"}", &error, &retryable,
           &wait_ms);
  assert_true(retryable);
  assert_int_equal(wait_ms, RETRY_AFTER_MAX_MS);
  assert_int_equal(error.kind, PC_ERROR_HTTP);
  assert_int_equal(error.http_status, 429);
  assert_int_equal(error.retry_after_s, YEAR_S);
  pc_error_clear(&error);
}

static void test_refusals(void **state) {
  PcError error;
  bool retryable = true;
  long wait_ms = -1;
  classify(*state, 429,
           "HTTP/1.1 429 Too Many Requests\r\nretry-after: 23\r\nMS-RequestId: r-1\r\n",
           "{\"statusCode\":429,\"message\":\"Rate limit is exceeded. Try again in 23 seconds.\"}",
           &error, &retryable, &wait_ms);
  assert_true(retryable);
  assert_int_equal(wait_ms, 23000);
  assert_string_equal(error.message, "Partner Center is busy; try again in 23 seconds.");
  assert_string_equal(error.request_id, "r-1");
  pc_error_clear(&error);

  classify(*state, 400, "HTTP/1.1 400 Bad Request\r\n",
           "{\"code\":800002,\"description\":\"Invalid request input.\",\"data\":[],"
           "\"source\":\"PartnerFD\"}",
           &error, &retryable, &wait_ms);
  assert_false(retryable);
  assert_int_equal(error.code, 800002);
  assert_string_equal(error.message, "Partner Center refused the request: Invalid request input.");
  pc_error_clear(&error);

  /* A status line after an interim reply starts the headers afresh. */
  classify(*state, 503,
           "HTTP/1.1 100 Continue\r\nRetry-After: 40\r\n\r\nHTTP/1.1 503 Service Unavailable\r\n",
           "<html>down</html>", &error, &retryable, &wait_ms);
  assert_true(retryable);
  assert_int_equal(error.retry_after_s, 0);
  assert_in_range(wait_ms, 0, 800);
  assert_non_null(strstr(error.message, "HTTP 503"));
  pc_error_clear(&error);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_retry_after_values),
      cmocka_unit_test_setup_teardown(test_huge_retry_after_waits_the_maximum, setup, teardown),
      cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
