/* --state FILE over real loopback HTTP: carts, stored checkout results and the ledger
 * survive a restart, the file is replaced atomically, and a damaged file stops the start
 * with a sentence naming it. Each test starts its own sandboxes on a private directory. */
#include <dirent.h>
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

#include "sandbox_http.h"

static char directory[64];
static char *state_path;

static void directory_empty(void) {
  DIR *dir = opendir(directory);
  if (!dir)
    return;
  struct dirent *entry;
  while ((entry = readdir(dir)) != NULL) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
      continue;
    char *path = str_format("%s/%s", directory, entry->d_name);
    if (path)
      unlink(path);
    free(path);
  }
  closedir(dir);
}

static int group_setup(void **state) {
  (void)state;
  snprintf(directory, sizeof directory, "/tmp/pccart-state-XXXXXX");
  if (!mkdtemp(directory))
    return -1;
  state_path = str_format("%s/state.json", directory);
  return state_path ? 0 : -1;
}

static int group_teardown(void **state) {
  (void)state;
  directory_empty();
  rmdir(directory);
  free(state_path);
  state_path = NULL;
  return 0;
}

static int clean(void **state) {
  (void)state;
  directory_empty();
  return 0;
}

static HttpCtx *start_on(const char *path) {
  char err[512] = "";
  HttpCtxOptions options = {.state_file = path};
  HttpCtx *ctx = http_ctx_start(&options, err, sizeof err);
  if (!ctx)
    fail_msg("sandbox with --state %s did not start: %s", path, err);
  return ctx;
}

/* The names in the directory, asserting it holds exactly `expected`. */
static void assert_only_file(const char *expected) {
  DIR *dir = opendir(directory);
  assert_non_null(dir);
  int count = 0;
  struct dirent *entry;
  while ((entry = readdir(dir)) != NULL) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
      continue;
    count++;
    if (strcmp(entry->d_name, expected) != 0) {
      closedir(dir);
      fail_msg("%s holds %s besides %s: a temporary file was left behind", directory, entry->d_name,
               expected);
    }
  }
  closedir(dir);
  assert_int_equal(count, 1);
}

static long file_size(const char *path) {
  struct stat info;
  return stat(path, &info) == 0 ? (long)info.st_size : -1;
}

static void get_cart(HttpCtx *ctx, const char *cart_id, HttpResponse *response) {
  char *path = str_format("/v1/customers/%s/carts/%s", DOC_CUSTOMER_ID, cart_id);
  http_request(ctx, "GET", path, NULL, NULL, response);
  free(path);
}

static void test_carts_and_ledger_survive_a_restart(void **state) {
  (void)state;
  HttpCtx *first = start_on(state_path);
  char *ordered = docs_cart_create(first, NULL);
  char *active = docs_cart_create(first, NULL);
  assert_non_null(ordered);
  assert_non_null(active);
  HttpResponse result;
  assert_true(docs_cart_checkout(first, DOC_CUSTOMER_ID, ordered, NULL, &result));
  assert_status(&result, 201);
  assert_int_equal(json_count_at(result.json, "orders"), 4);
  HttpResponse ordered_before;
  HttpResponse active_before;
  HttpResponse ledger_before;
  get_cart(first, ordered, &ordered_before);
  get_cart(first, active, &active_before);
  assert_status(&ordered_before, 200);
  assert_status(&active_before, 200);
  sandbox_control(first, "GET", "ledger", NULL, &ledger_before);
  assert_status(&ledger_before, 200);
  assert_int_equal((long)json_num_at(ledger_before.json, "totalCount", -1), 4);
  http_ctx_stop(first);

  /* Written whole, by rename: only the state file is there. */
  assert_only_file("state.json");
  assert_true(file_size(state_path) > 0);

  HttpCtx *second = start_on(state_path);
  assert_int_equal(sandbox_control_number(second, "status", "carts"), 2);
  assert_int_equal(sandbox_control_number(second, "status", "orders"), 4);
  HttpResponse response;
  get_cart(second, ordered, &response);
  assert_status(&response, 200);
  assert_string_equal(json_str_at(response.json, "status"), "Ordered");
  if (!cJSON_Compare(response.json, ordered_before.json, true))
    fail_msg("the ordered cart changed across the restart:\n%s\n%s", ordered_before.body,
             response.body);
  http_response_clear(&response);
  get_cart(second, active, &response);
  assert_status(&response, 200);
  assert_string_equal(json_str_at(response.json, "status"), "Active");
  assert_true(cJSON_Compare(response.json, active_before.json, true));
  http_response_clear(&response);
  sandbox_control(second, "GET", "ledger", NULL, &response);
  assert_status(&response, 200);
  if (!cJSON_Compare(response.json, ledger_before.json, true))
    fail_msg("the ledger changed across the restart:\n%s\n%s", ledger_before.body, response.body);
  http_response_clear(&response);

  /* The stored checkout result is replayed byte for byte by the new process. */
  assert_true(docs_cart_checkout(second, DOC_CUSTOMER_ID, ordered, NULL, &response));
  assert_status(&response, 201);
  assert_int_equal(response.body_len, result.body_len);
  assert_memory_equal(response.body, result.body, result.body_len);
  http_response_clear(&response);

  /* The active cart can still be checked out, and that is kept too. */
  assert_true(docs_cart_checkout(second, DOC_CUSTOMER_ID, active, NULL, &response));
  assert_status(&response, 201);
  http_response_clear(&response);
  assert_int_equal(sandbox_control_number(second, "ledger", "totalCount"), 8);
  http_ctx_stop(second);
  assert_only_file("state.json");

  HttpCtx *third = start_on(state_path);
  assert_int_equal(sandbox_control_number(third, "ledger", "totalCount"), 8);
  get_cart(third, active, &response);
  assert_status(&response, 200);
  assert_string_equal(json_str_at(response.json, "status"), "Ordered");
  http_response_clear(&response);
  http_ctx_stop(third);

  http_response_clear(&ledger_before);
  http_response_clear(&active_before);
  http_response_clear(&ordered_before);
  http_response_clear(&result);
  free(active);
  free(ordered);
}

static void test_reset_is_kept(void **state) {
  (void)state;
  HttpCtx *first = start_on(state_path);
  char *cart = docs_cart_create(first, NULL);
  assert_non_null(cart);
  assert_true(sandbox_reset(first));
  http_ctx_stop(first);
  HttpCtx *second = start_on(state_path);
  assert_int_equal(sandbox_control_number(second, "status", "carts"), 0);
  HttpResponse response;
  get_cart(second, cart, &response);
  assert_api_error(&response, 404, 800008);
  http_response_clear(&response);
  http_ctx_stop(second);
  free(cart);
}

static void write_file(const char *path, const char *bytes, size_t length) {
  FILE *file = fopen(path, "wb");
  assert_non_null(file);
  assert_int_equal(fwrite(bytes, 1, length, file), length);
  assert_int_equal(fclose(file), 0);
}

static void assert_start_refused(const char *path) {
  char err[1024] = "";
  HttpCtxOptions options = {.state_file = path};
  HttpCtx *ctx = http_ctx_start(&options, err, sizeof err);
  if (ctx) {
    http_ctx_stop(ctx);
    fail_msg("a sandbox started on the damaged state file %s", path);
  }
  if (!strstr(err, path))
    fail_msg("the start error does not name %s: \"%s\"", path, err);
}

static void test_corrupt_state_file_stops_the_start(void **state) {
  (void)state;
  char *path = str_format("%s/corrupt.json", directory);
  const char *texts[] = {"{not json at all", "[1,2,3]", "\"carts\""};
  for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
    write_file(path, texts[i], strlen(texts[i]));
    assert_start_refused(path);
  }
  char noise[300];
  for (size_t i = 0; i < sizeof noise; i++)
    noise[i] = (char)((i * 97 + 13) & 0xff);
  write_file(path, noise, sizeof noise);
  assert_start_refused(path);

  /* A real state file cut in half. */
  HttpCtx *ctx = start_on(state_path);
  char *cart = docs_cart_create(ctx, NULL);
  assert_non_null(cart);
  http_ctx_stop(ctx);
  long size = file_size(state_path);
  assert_true(size > 2);
  assert_int_equal(truncate(state_path, size / 2), 0);
  assert_start_refused(state_path);
  free(cart);
  free(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_carts_and_ledger_survive_a_restart, clean),
      cmocka_unit_test_setup(test_reset_is_kept, clean),
      cmocka_unit_test_setup(test_corrupt_state_file_stops_the_start, clean),
  };
  return cmocka_run_group_tests_name("sandbox state", tests, group_setup, group_teardown);
}
