/* The log file and its redactor: no header, form field, JSON member or registered secret
 * that carries a credential ever reaches the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "pc/log.h"

static char *redact(const PcLog *log, const char *text) {
  char *out = pc_redact(log, text, strlen(text));
  assert_non_null(out);
  return out;
}

static void expect_redacted(const PcLog *log, const char *text, const char *expected) {
  char *out = redact(log, text);
  assert_string_equal(out, expected);
  free(out);
}

static void test_headers(void **state) {
  expect_redacted(NULL, "Authorization: Bearer abc.def-123\r\nAccept: application/json\r\n",
                  "Authorization: [REDACTED]\r\nAccept: application/json\r\n");
  expect_redacted(NULL, "GET /v1/customers\nauthorization:Bearer x\ncookie: a=b; c=d\n",
                  "GET /v1/customers\nauthorization: [REDACTED]\ncookie: [REDACTED]\n");
  expect_redacted(NULL, "Proxy-Authorization: Basic dXNlcjpwYXNz",
                  "Proxy-Authorization: [REDACTED]");
  /* A bearer token quoted in a message, not at a line start. */
  expect_redacted(NULL, "sent header 'Bearer eyJ0eXAi.x_y' to the API",
                  "sent header 'Bearer [REDACTED]' to the API");
  /* Ordinary text that merely mentions the words stays. */
  expect_redacted(NULL, "The authorization failed: no bearer",
                  "The authorization failed: no bearer");
}

static void test_form_fields(void **state) {
  expect_redacted(
      NULL, "grant_type=client_credentials&client_id=abc&client_secret=s3cr%2Bt&resource=x",
      "grant_type=client_credentials&client_id=abc&client_secret=[REDACTED]&resource=x");
  expect_redacted(NULL, "refresh_token=0.AAA-bbb&scope=openid",
                  "refresh_token=[REDACTED]&scope=openid");
  /* Only a whole field name counts: "my_refresh_token=" is someone else's field. */
  expect_redacted(NULL, "x=1&my_refresh_token=keep", "x=1&my_refresh_token=keep");
}

static void test_json_members(void **state) {
  expect_redacted(NULL, "{\"token_type\":\"Bearer\",\"access_token\": \"sbx.123\\\"q\",\"x\":1}",
                  "{\"token_type\":\"Bearer\",\"access_token\": \"[REDACTED]\",\"x\":1}");
  expect_redacted(NULL, "{\"Refresh_Token\" : \"abc\"}", "{\"Refresh_Token\" : \"[REDACTED]\"}");
  /* A member that is not a string is left alone (nothing secret in a number). */
  expect_redacted(NULL, "{\"access_token\": 5}", "{\"access_token\": 5}");
}

static void test_registered_secrets(void **state) {
  char dir[] = "/tmp/pccart-log-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[128];
  snprintf(path, sizeof path, "%s/sub/dir/pccart.log", dir);
  char err[256];
  PcLog *log = pc_log_open(path, PC_LOG_INFO, err, sizeof err);
  assert_non_null(log);
  assert_true(pc_log_add_secret(log, "canary-7f3a9"));
  assert_true(pc_log_add_secret(log, "canary-7f3a9")); /* twice is fine */
  assert_true(pc_log_add_secret(log, "abc"));          /* too short to mask: ignored */
  expect_redacted(log, "secret canary-7f3a9 inside, and again:canary-7f3a9.",
                  "secret [REDACTED] inside, and again:[REDACTED].");
  expect_redacted(log, "abc stays", "abc stays");

  assert_true(pc_log_enabled(log, PC_LOG_WARN));
  assert_false(pc_log_enabled(log, PC_LOG_DEBUG));
  pc_log_write(log, PC_LOG_INFO, "token %s for %s", "canary-7f3a9", "contoso");
  pc_log_write(log, PC_LOG_DEBUG, "not written: %s", "debug line");
  pc_log_write(log, PC_LOG_ERROR, "headers:\nAuthorization: Bearer zzz\nAccept: */*\n");
  pc_log_close(log);

  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  char text[2048];
  size_t n = fread(text, 1, sizeof text - 1, f);
  text[n] = '\0';
  fclose(f);
  assert_null(strstr(text, "canary-7f3a9"));
  assert_null(strstr(text, "zzz"));
  assert_null(strstr(text, "debug line"));
  assert_non_null(strstr(text, " info  token [REDACTED] for contoso\n"));
  assert_non_null(
      strstr(text, " error headers:\n    Authorization: [REDACTED]\n    Accept: */*\n"));
  unlink(path);
  snprintf(path, sizeof path, "%s/sub/dir", dir);
  rmdir(path);
  snprintf(path, sizeof path, "%s/sub", dir);
  rmdir(path);
  rmdir(dir);
}

static void test_levels_and_open_errors(void **state) {
  PcLogLevel level;
  assert_true(pc_log_level_parse("DEBUG", &level));
  assert_int_equal(level, PC_LOG_DEBUG);
  assert_true(pc_log_level_parse("warn", &level));
  assert_int_equal(level, PC_LOG_WARN);
  assert_false(pc_log_level_parse("verbose", &level));
  assert_false(pc_log_level_parse(NULL, &level));
  assert_string_equal(pc_log_level_name(PC_LOG_INFO), "info");

  char err[256];
  assert_null(pc_log_open("/proc/no/such/dir/x.log", PC_LOG_INFO, err, sizeof err));
  assert_non_null(strstr(err, "/proc/no/such/dir/x.log"));
  assert_null(pc_log_open("", PC_LOG_INFO, err, sizeof err));
  /* A NULL log is silent, not a crash. */
  pc_log_write(NULL, PC_LOG_ERROR, "nothing");
  assert_false(pc_log_enabled(NULL, PC_LOG_ERROR));
  assert_true(pc_log_add_secret(NULL, "whatever"));
  pc_log_close(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_headers),
      cmocka_unit_test(test_form_fields),
      cmocka_unit_test(test_json_members),
      cmocka_unit_test(test_registered_secrets),
      cmocka_unit_test(test_levels_and_open_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
