/* Several sandboxes on one --state file, as pccart runs them (an app open in one terminal, CLI
 * commands in another, each with its own in-process sandbox): each sees the others' carts,
 * updates, replayed creates and orders; a checkout is single-flight across them; a busy mark
 * left by a process that died is stale; sandbox_state_reset empties the state for all of them;
 * and a state file damaged while they run is answered with 500 naming it, and left as it is.
 * Nothing here waits on time: holds are awaited with /_sandbox/wait-held, processes with pipes
 * and waitpid. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sandbox_http.h"
#include "scratch.h"

#define THREAD_CREATES 50
#define PROCESS_CREATES 25

static char *state_path;

static int setup(void **state) {
  (void)state;
  if (!scratch_setup("shared"))
    return -1;
  state_path = scratch_path("state.json");
  return 0;
}

static int teardown(void **state) {
  (void)state;
  free(state_path);
  state_path = NULL;
  return scratch_teardown() == 0 ? 0 : -1;
}

/* ----- helpers ----- */

static HttpCtx *start_on(const char *path) {
  char err[1024] = "";
  HttpCtxOptions options = {.state_file = path};
  HttpCtx *ctx = http_ctx_start(&options, err, sizeof err);
  if (!ctx)
    fail_msg("a sandbox on the state file %s did not start: %s", path, err);
  return ctx;
}

static char *cart_path(const char *cart_id) {
  char *path = str_format("/v1/customers/%s/carts/%s", DOC_CUSTOMER_ID, cart_id);
  assert_non_null(path);
  return path;
}

static void get_cart(HttpCtx *ctx, const char *cart_id, HttpResponse *response) {
  char *path = cart_path(cart_id);
  http_request(ctx, "GET", path, NULL, NULL, response);
  free(path);
}

static void assert_cart_status(HttpCtx *ctx, const char *cart_id, const char *status) {
  HttpResponse response;
  get_cart(ctx, cart_id, &response);
  assert_status(&response, 200);
  assert_string_equal(json_str_at(response.json, "status"), status);
  http_response_clear(&response);
}

static char *create_cart(HttpCtx *ctx) {
  char *id = docs_cart_create(ctx, NULL);
  if (!id)
    fail_msg("no cart was created on %s", http_ctx_url(ctx));
  return id;
}

static void checkout(HttpCtx *ctx, const char *cart_id, HttpResponse *response) {
  assert_true(docs_cart_checkout(ctx, DOC_CUSTOMER_ID, cart_id, NULL, response));
}

static void assert_same_body(const HttpResponse *first, const HttpResponse *second) {
  if (first->body_len != second->body_len ||
      memcmp(first->body, second->body, first->body_len) != 0)
    fail_msg("the replies differ:\n%s\n----\n%s", first->body ? first->body : "(none)",
             second->body ? second->body : "(none)");
}

static long carts_count(HttpCtx *ctx) {
  return sandbox_control_number(ctx, "status", "carts");
}

/* The cart's orders in the ctx's ledger, failing when any order group was ordered twice. */
static int ledger_orders_of(HttpCtx *ctx, const char *cart_id) {
  HttpResponse ledger;
  assert_true(sandbox_control(ctx, "GET", "ledger", NULL, &ledger));
  assert_status(&ledger, 200);
  const cJSON *item;
  const char *groups[64];
  int count = 0;
  cJSON_ArrayForEach(item, json_items(ledger.json)) {
    const char *cart = json_str_at(item, "cartId");
    if (!cart || strcmp(cart, cart_id) != 0)
      continue;
    const char *group = json_str_at(item, "orderGroup");
    assert_non_null(group);
    for (int g = 0; g < count; g++)
      if (strcmp(groups[g], group) == 0)
        fail_msg("order group %s of cart %s was ordered twice:\n%s", group, cart_id, ledger.body);
    assert_true(count < 64);
    groups[count++] = group;
  }
  http_response_clear(&ledger);
  return count;
}

static long arm_checkout_hold(HttpCtx *ctx) {
  long id = sandbox_fault_arm(ctx, "{\"match\":\"carts.checkout\",\"kind\":\"hold\"}");
  assert_true(id > 0);
  return id;
}

/* Starts a checkout of cart_id on ctx on its own thread; *path must outlive the join. */
static HttpAsync *checkout_async(HttpCtx *ctx, const char *cart_id, char **path) {
  *path = str_format("/v1/customers/%s/carts/%s/checkout", DOC_CUSTOMER_ID, cart_id);
  assert_non_null(*path);
  HttpRequest request = {.method = "POST", .path = *path};
  HttpAsync *async = http_async_start(ctx, &request, 1);
  assert_non_null(async);
  return async;
}

/* The documents' cart body with its first line's quantity changed. */
static char *cart_body_with_quantity(long quantity) {
  char *text = docs_create_cart_body();
  assert_non_null(text);
  cJSON *json = cJSON_Parse(text);
  free(text);
  assert_non_null(json);
  cJSON *line = cJSON_GetArrayItem(cJSON_GetObjectItem(json, "lineItems"), 0);
  assert_non_null(line);
  assert_true(cJSON_ReplaceItemInObject(line, "quantity", cJSON_CreateNumber((double)quantity)));
  char *body = cJSON_PrintUnformatted(json);
  cJSON_Delete(json);
  assert_non_null(body);
  return body;
}

static void put_cart(HttpCtx *ctx, const char *cart_id, long quantity, HttpResponse *response) {
  char *path = cart_path(cart_id);
  char *body = cart_body_with_quantity(quantity);
  const char *headers[] = {"Content-Type: application/json", NULL};
  http_request(ctx, "PUT", path, headers, body, response);
  free(body);
  free(path);
}

static char *file_bytes(const char *path, size_t *length) {
  FILE *file = fopen(path, "rb");
  assert_non_null(file);
  char *bytes = malloc(1 << 20);
  assert_non_null(bytes);
  *length = fread(bytes, 1, 1 << 20, file);
  assert_int_equal(fclose(file), 0);
  return bytes;
}

static void write_bytes(const char *path, const char *bytes, size_t length) {
  FILE *file = fopen(path, "wb");
  assert_non_null(file);
  assert_int_equal(fwrite(bytes, 1, length, file), length);
  assert_int_equal(fclose(file), 0);
}

static bool path_exists(const char *path) {
  struct stat info;
  return stat(path, &info) == 0;
}

/* ----- one process, two sandboxes ----- */

static void test_carts_of_each_are_seen_by_both(void **state) {
  (void)state;
  HttpCtx *a = start_on(state_path);
  HttpCtx *b = start_on(state_path);
  char *on_a = create_cart(a);
  HttpResponse from_a, from_b;
  get_cart(a, on_a, &from_a);
  get_cart(b, on_a, &from_b);
  assert_status(&from_a, 200);
  assert_status(&from_b, 200);
  assert_same_body(&from_a, &from_b);
  http_response_clear(&from_a);
  http_response_clear(&from_b);

  /* B's create does not drop A's cart, on either side. */
  char *on_b = create_cart(b);
  assert_cart_status(a, on_b, "Active");
  assert_cart_status(a, on_a, "Active");
  assert_cart_status(b, on_a, "Active");
  assert_int_equal(carts_count(a), 2);
  assert_int_equal(carts_count(b), 2);
  http_ctx_stop(a);
  http_ctx_stop(b);

  /* The lock file goes with the sandboxes; the state file keeps both carts. */
  char *lock = str_format("%s.lock", state_path);
  assert_non_null(lock);
  assert_false(path_exists(lock));
  assert_true(path_exists(state_path));
  HttpCtx *later = start_on(state_path);
  assert_int_equal(carts_count(later), 2);
  http_ctx_stop(later);
  free(lock);
  free(on_a);
  free(on_b);
}

static void test_updates_are_seen_by_the_other(void **state) {
  (void)state;
  HttpCtx *a = start_on(state_path);
  HttpCtx *b = start_on(state_path);
  char *cart = create_cart(a);
  HttpResponse put, got;
  put_cart(a, cart, 7, &put);
  assert_status(&put, 201);
  get_cart(b, cart, &got);
  assert_status(&got, 200);
  assert_int_equal((long)json_num_at(got.json, "lineItems.0.quantity", -1), 7);
  assert_same_body(&put, &got);
  http_response_clear(&put);
  http_response_clear(&got);

  put_cart(b, cart, 3, &put);
  assert_status(&put, 201);
  get_cart(a, cart, &got);
  assert_status(&got, 200);
  assert_int_equal((long)json_num_at(got.json, "lineItems.0.quantity", -1), 3);
  assert_same_body(&put, &got);
  http_response_clear(&put);
  http_response_clear(&got);
  http_ctx_stop(a);
  http_ctx_stop(b);
  free(cart);
}

static void test_a_create_is_replayed_by_the_other(void **state) {
  (void)state;
  HttpCtx *a = start_on(state_path);
  HttpCtx *b = start_on(state_path);
  char request_id[37];
  guid_random(request_id);
  char *first = docs_cart_create(a, request_id);
  char *again = docs_cart_create(b, request_id);
  assert_non_null(first);
  assert_non_null(again);
  assert_string_equal(first, again);
  assert_int_equal(carts_count(a), 1);
  assert_int_equal(carts_count(b), 1);
  http_ctx_stop(a);
  http_ctx_stop(b);
  free(first);
  free(again);
}

static void test_an_order_is_seen_and_replayed_by_the_other(void **state) {
  (void)state;
  HttpCtx *a = start_on(state_path);
  HttpCtx *b = start_on(state_path);
  char *cart = create_cart(a);
  HttpResponse on_b, on_a;
  checkout(b, cart, &on_b);
  assert_status(&on_b, 201);
  assert_int_equal(json_count_at(on_b.json, "orders"), 4);
  assert_cart_status(a, cart, "Ordered");

  /* A's checkout does not order again: it replays B's result byte for byte. */
  checkout(a, cart, &on_a);
  assert_status(&on_a, 201);
  assert_same_body(&on_b, &on_a);
  assert_int_equal(ledger_orders_of(a, cart), 4);
  assert_int_equal(ledger_orders_of(b, cart), 4);

  /* An ordered cart cannot be updated from either side. */
  HttpResponse put;
  put_cart(a, cart, 2, &put);
  assert_api_error(&put, 400, 800065);
  http_response_clear(&put);
  http_response_clear(&on_a);
  http_response_clear(&on_b);
  http_ctx_stop(a);
  http_ctx_stop(b);
  free(cart);
}

static void test_a_held_checkout_is_single_flight_across_sandboxes(void **state) {
  (void)state;
  HttpCtx *a = start_on(state_path);
  HttpCtx *b = start_on(state_path);
  char *cart = create_cart(b);
  arm_checkout_hold(a);
  char *path = NULL;
  HttpAsync *held = checkout_async(a, cart, &path);
  assert_true(sandbox_wait_held(a, 1));

  /* A's checkout is past marking the cart busy: B refuses both a checkout and an update. */
  HttpResponse refused;
  checkout(b, cart, &refused);
  assert_api_error(&refused, 409, 800064);
  http_response_clear(&refused);
  put_cart(b, cart, 5, &refused);
  assert_api_error(&refused, 409, 800064);
  http_response_clear(&refused);
  assert_int_equal(ledger_orders_of(b, cart), 0);

  assert_int_equal(sandbox_release(a), 1);
  HttpResponse result;
  assert_true(http_async_join(held, &result));
  assert_status(&result, 201);
  HttpResponse replay;
  checkout(b, cart, &replay);
  assert_status(&replay, 201);
  assert_same_body(&result, &replay);
  assert_int_equal(ledger_orders_of(a, cart), 4);
  assert_int_equal(ledger_orders_of(b, cart), 4);
  http_response_clear(&replay);
  http_response_clear(&result);
  http_ctx_stop(a);
  http_ctx_stop(b);
  free(path);
  free(cart);
}

typedef struct CreateRun {
  HttpCtx *ctx;
  char *ids[THREAD_CREATES];
  int created;
} CreateRun;

static void *create_many(void *arg) {
  CreateRun *run = arg;
  for (int i = 0; i < THREAD_CREATES; i++) {
    run->ids[i] = docs_cart_create(run->ctx, NULL);
    if (run->ids[i])
      run->created++;
  }
  return NULL;
}

static void test_creates_from_two_threads_all_stay(void **state) {
  (void)state;
  CreateRun runs[2] = {{.ctx = start_on(state_path)}, {.ctx = start_on(state_path)}};
  /* Each context (its client handle) belongs to one thread. */
  pthread_t threads[2];
  for (int t = 0; t < 2; t++)
    assert_int_equal(pthread_create(&threads[t], NULL, create_many, &runs[t]), 0);
  for (int t = 0; t < 2; t++)
    assert_int_equal(pthread_join(threads[t], NULL), 0);
  for (int t = 0; t < 2; t++)
    assert_int_equal(runs[t].created, THREAD_CREATES);
  for (int t = 0; t < 2; t++) {
    assert_int_equal(carts_count(runs[t].ctx), 2 * THREAD_CREATES);
    for (int r = 0; r < 2; r++)
      for (int i = 0; i < THREAD_CREATES; i++)
        assert_cart_status(runs[t].ctx, runs[r].ids[i], "Active");
  }
  for (int t = 0; t < 2; t++) {
    http_ctx_stop(runs[t].ctx);
    for (int i = 0; i < THREAD_CREATES; i++)
      free(runs[t].ids[i]);
  }
}

/* ----- busy marks of processes that are gone ----- */

/* A pid that no process has any more: a child that exited and was reaped. */
static pid_t dead_pid(void) {
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0)
    _exit(0);
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  return pid;
}

/* Rewrites the state file with every cart marked busy by pid (and, when version_one, as a
 * version 1 file: no generation, no busy marks). */
static void rewrite_state(long pid, bool version_one) {
  size_t length;
  char *bytes = file_bytes(state_path, &length);
  cJSON *root = cJSON_ParseWithLength(bytes, length);
  free(bytes);
  assert_non_null(root);
  const cJSON *item;
  cJSON_ArrayForEach(item, cJSON_GetObjectItem(root, "carts")) {
    if (version_one)
      continue;
    cJSON *busy = cJSON_CreateObject();
    assert_non_null(busy);
    cJSON_AddNumberToObject(busy, "pid", (double)pid);
    cJSON_AddStringToObject(busy, "token", "0123456789abcdef");
    cJSON_DeleteItemFromObject((cJSON *)item, "checkoutBusy");
    cJSON_AddItemToObject((cJSON *)item, "checkoutBusy", busy);
  }
  if (version_one) {
    cJSON_DeleteItemFromObject(root, "generation");
    cJSON_ReplaceItemInObject(root, "version", cJSON_CreateNumber(1));
  }
  char *text = cJSON_Print(root);
  cJSON_Delete(root);
  assert_non_null(text);
  write_bytes(state_path, text, strlen(text));
  free(text);
}

static void test_a_version_one_file_still_loads(void **state) {
  (void)state;
  HttpCtx *ctx = start_on(state_path);
  char *cart = create_cart(ctx);
  http_ctx_stop(ctx);
  rewrite_state(0, true);
  ctx = start_on(state_path);
  assert_cart_status(ctx, cart, "Active");
  HttpResponse result;
  checkout(ctx, cart, &result);
  assert_status(&result, 201);
  http_response_clear(&result);
  http_ctx_stop(ctx);
  /* Written back as the current version. */
  size_t length;
  char *bytes = file_bytes(state_path, &length);
  cJSON *root = cJSON_ParseWithLength(bytes, length);
  assert_non_null(root);
  assert_int_equal((int)json_num_at(root, "version", -1), 2);
  assert_non_null(json_str_at(root, "generation"));
  cJSON_Delete(root);
  free(bytes);
  free(cart);
}

static void test_a_busy_mark_is_kept_while_its_process_lives(void **state) {
  (void)state;
  HttpCtx *ctx = start_on(state_path);
  char *cart = create_cart(ctx);
  http_ctx_stop(ctx);

  /* Our parent (ctest, a shell) runs as long as we do. */
  rewrite_state((long)getppid(), false);
  ctx = start_on(state_path);
  HttpResponse response;
  checkout(ctx, cart, &response);
  assert_api_error(&response, 409, 800064);
  http_response_clear(&response);
  http_ctx_stop(ctx);

  rewrite_state((long)dead_pid(), false);
  ctx = start_on(state_path);
  checkout(ctx, cart, &response);
  assert_status(&response, 201);
  assert_int_equal(ledger_orders_of(ctx, cart), 4);
  http_response_clear(&response);
  http_ctx_stop(ctx);
  free(cart);
}

/* The child of test_a_killed_process_leaves_a_stale_busy_mark: starts a sandbox on the state
 * file, holds a checkout of a new cart, writes the cart id to `out` and waits to be killed.
 * No cmocka here: a failure exits with a status the parent sees. */
static void child_hold_a_checkout(int out, int never) {
  char err[1024] = "";
  HttpCtxOptions options = {.state_file = state_path};
  HttpCtx *ctx = http_ctx_start(&options, err, sizeof err);
  if (!ctx)
    _exit(2);
  char *cart = docs_cart_create(ctx, NULL);
  if (!cart || sandbox_fault_arm(ctx, "{\"match\":\"carts.checkout\",\"kind\":\"hold\"}") <= 0)
    _exit(3);
  char *path = str_format("/v1/customers/%s/carts/%s/checkout", DOC_CUSTOMER_ID, cart);
  HttpRequest request = {.method = "POST", .path = path};
  if (!path || !http_async_start(ctx, &request, 1) || !sandbox_wait_held(ctx, 1))
    _exit(4);
  size_t length = strlen(cart) + 1;
  if (write(out, cart, length) != (ssize_t)length)
    _exit(5);
  char byte;
  while (read(never, &byte, 1) != 0) /* blocks until SIGKILL */
    continue;
  _exit(6);
}

static void test_a_killed_process_leaves_a_stale_busy_mark(void **state) {
  (void)state;
  int ids[2], never[2];
  assert_int_equal(pipe(ids), 0);
  assert_int_equal(pipe(never), 0);
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    close(ids[0]);
    close(never[1]);
    child_hold_a_checkout(ids[1], never[0]);
  }
  close(ids[1]);
  close(never[0]);
  char cart[64] = "";
  size_t used = 0;
  ssize_t n;
  /* Up to the id's NUL: the child keeps its end open while it waits to be killed. */
  while ((used == 0 || cart[used - 1] != '\0') && used < sizeof cart - 1 &&
         (n = read(ids[0], cart + used, sizeof cart - 1 - used)) > 0)
    used += (size_t)n;
  close(ids[0]);
  if (used == 0 || cart[used - 1] != '\0') {
    int status = 0;
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    fail_msg("the child did not hold a checkout (exit status %d)",
             WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  }

  /* While the child lives its checkout holds the cart, here too. */
  HttpCtx *ctx = start_on(state_path);
  HttpResponse response;
  checkout(ctx, cart, &response);
  assert_api_error(&response, 409, 800064);
  http_response_clear(&response);

  assert_int_equal(kill(child, SIGKILL), 0);
  int status = 0;
  assert_int_equal(waitpid(child, &status, 0), child);
  assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  close(never[1]);

  /* Its process is gone, so its busy mark is stale: the cart can be checked out, once. */
  HttpResponse result;
  checkout(ctx, cart, &result);
  assert_status(&result, 201);
  assert_cart_status(ctx, cart, "Ordered");
  checkout(ctx, cart, &response);
  assert_status(&response, 201);
  assert_same_body(&result, &response);
  assert_int_equal(ledger_orders_of(ctx, cart), 4);
  http_response_clear(&response);
  http_response_clear(&result);
  http_ctx_stop(ctx);
}

/* ----- reset and damage ----- */

static void test_state_reset_empties_every_sandbox(void **state) {
  (void)state;
  char err[1024] = "";
  /* Nothing kept yet: nothing to do, and no lock file left behind. */
  assert_true(sandbox_state_reset(state_path, err, sizeof err));
  assert_false(path_exists(state_path));

  HttpCtx *a = start_on(state_path);
  HttpCtx *b = start_on(state_path);
  char *on_a = create_cart(a);
  char *on_b = create_cart(b);
  HttpResponse response;
  checkout(a, on_a, &response);
  assert_status(&response, 201);
  http_response_clear(&response);
  assert_true(sandbox_advance_clock(b, 3600));

  assert_true(sandbox_state_reset(state_path, err, sizeof err));
  for (int i = 0; i < 2; i++) {
    HttpCtx *ctx = i ? b : a;
    assert_int_equal(carts_count(ctx), 0);
    assert_int_equal(sandbox_control_number(ctx, "ledger", "totalCount"), 0);
    assert_int_equal(sandbox_control_number(ctx, "clock", "offsetSeconds"), 0);
    get_cart(ctx, on_a, &response);
    assert_api_error(&response, 404, 800008);
    http_response_clear(&response);
    get_cart(ctx, on_b, &response);
    assert_api_error(&response, 404, 800008);
    http_response_clear(&response);
  }
  /* And they go on from the empty state together. */
  char *after = create_cart(b);
  assert_cart_status(a, after, "Active");
  http_ctx_stop(a);
  http_ctx_stop(b);

  /* A file that cannot be reached is named in the error. */
  const char *unreachable = "/proc/self/status/state.json";
  err[0] = '\0';
  assert_false(sandbox_state_reset(unreachable, err, sizeof err));
  if (!strstr(err, unreachable))
    fail_msg("the reset error does not name %s: \"%s\"", unreachable, err);
  free(after);
  free(on_a);
  free(on_b);
}

static void assert_names_the_file(const HttpResponse *response) {
  assert_api_error(response, 500, -1);
  const char *description = json_str_at(response->json, "description");
  if (!description || !strstr(description, state_path))
    fail_msg("the 500 does not name %s: %s", state_path, response->body);
}

static void test_a_file_damaged_while_running_is_answered_and_kept(void **state) {
  (void)state;
  HttpCtx *a = start_on(state_path);
  HttpCtx *b = start_on(state_path);
  char *cart = create_cart(a);
  assert_cart_status(b, cart, "Active");

  static const char garbage[] = "{\"carts\": [ this is not a state file";
  write_bytes(state_path, garbage, sizeof garbage - 1);
  char *body = docs_create_cart_body();
  assert_non_null(body);
  const char *json_headers[] = {"Content-Type: application/json", NULL};
  HttpResponse response;
  for (int i = 0; i < 2; i++) {
    HttpCtx *ctx = i ? b : a;
    get_cart(ctx, cart, &response);
    assert_names_the_file(&response);
    http_response_clear(&response);
    assert_true(http_request(ctx, "POST", DOC_CARTS_PATH, json_headers, body, &response));
    assert_names_the_file(&response);
    http_response_clear(&response);
    put_cart(ctx, cart, 4, &response);
    assert_names_the_file(&response);
    http_response_clear(&response);
    checkout(ctx, cart, &response);
    assert_names_the_file(&response);
    http_response_clear(&response);
    assert_true(sandbox_control(ctx, "GET", "ledger", NULL, &response));
    assert_names_the_file(&response);
    http_response_clear(&response);
    assert_true(sandbox_control(ctx, "POST", "clock", "{\"advanceSeconds\":60}", &response));
    assert_names_the_file(&response);
    http_response_clear(&response);
  }
  /* Nothing was written over it. */
  size_t length;
  char *bytes = file_bytes(state_path, &length);
  assert_int_equal(length, sizeof garbage - 1);
  assert_memory_equal(bytes, garbage, length);
  free(bytes);

  /* A reset is the way out, for every sandbox on the file. */
  char err[1024] = "";
  assert_true(sandbox_state_reset(state_path, err, sizeof err));
  get_cart(b, cart, &response);
  assert_api_error(&response, 404, 800008);
  http_response_clear(&response);
  char *fresh = create_cart(a);
  assert_cart_status(b, fresh, "Active");
  http_ctx_stop(a);
  http_ctx_stop(b);
  free(fresh);
  free(body);
  free(cart);
}

/* ----- two processes ----- */

/* A child of test_two_processes_keep_all_their_carts: starts a sandbox, says so on `ready`,
 * waits for the go on `go`, makes PROCESS_CREATES carts and writes their ids to `out`. */
static void child_create_carts(int ready, int go, int out) {
  char err[1024] = "";
  HttpCtxOptions options = {.state_file = state_path};
  HttpCtx *ctx = http_ctx_start(&options, err, sizeof err);
  if (!ctx || !http_ctx_token(ctx) || write(ready, "r", 1) != 1)
    _exit(2);
  char byte;
  if (read(go, &byte, 1) != 1)
    _exit(3);
  for (int i = 0; i < PROCESS_CREATES; i++) {
    char *id = docs_cart_create(ctx, NULL);
    if (!id)
      _exit(4);
    size_t length = strlen(id) + 1;
    if (write(out, id, length) != (ssize_t)length)
      _exit(5);
    free(id);
  }
  http_ctx_stop(ctx);
  _exit(0);
}

static void test_two_processes_keep_all_their_carts(void **state) {
  (void)state;
  int ready[2], go[2], out[2];
  assert_int_equal(pipe(ready), 0);
  assert_int_equal(pipe(go), 0);
  assert_int_equal(pipe(out), 0);
  pid_t children[2];
  for (int c = 0; c < 2; c++) {
    children[c] = fork();
    assert_true(children[c] >= 0);
    if (children[c] == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      close(ready[0]);
      close(go[1]);
      close(out[0]);
      child_create_carts(ready[1], go[0], out[1]);
    }
  }
  close(ready[1]);
  close(go[0]);
  close(out[1]);
  /* Both sandboxes are up before either creates, so that their writes interleave. */
  char byte;
  for (int c = 0; c < 2; c++)
    assert_int_equal(read(ready[0], &byte, 1), 1);
  assert_int_equal(write(go[1], "gg", 2), 2);
  close(go[1]);
  close(ready[0]);

  /* The ids, NUL-terminated, until both children have closed the pipe. */
  size_t capacity = 2 * PROCESS_CREATES * 64, used = 0;
  char *ids = malloc(capacity);
  assert_non_null(ids);
  ssize_t n;
  while (used < capacity && (n = read(out[0], ids + used, capacity - used)) > 0)
    used += (size_t)n;
  close(out[0]);
  for (int c = 0; c < 2; c++) {
    int status = 0;
    assert_int_equal(waitpid(children[c], &status, 0), children[c]);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      fail_msg("child %d failed (status %d)", c, status);
  }

  HttpCtx *ctx = start_on(state_path);
  assert_int_equal(carts_count(ctx), 2 * PROCESS_CREATES);
  int found = 0;
  for (size_t at = 0; at < used; at += strlen(ids + at) + 1) {
    assert_cart_status(ctx, ids + at, "Active");
    found++;
  }
  assert_int_equal(found, 2 * PROCESS_CREATES);
  http_ctx_stop(ctx);
  free(ids);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_carts_of_each_are_seen_by_both, setup, teardown),
      cmocka_unit_test_setup_teardown(test_updates_are_seen_by_the_other, setup, teardown),
      cmocka_unit_test_setup_teardown(test_a_create_is_replayed_by_the_other, setup, teardown),
      cmocka_unit_test_setup_teardown(test_an_order_is_seen_and_replayed_by_the_other, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_a_held_checkout_is_single_flight_across_sandboxes, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_creates_from_two_threads_all_stay, setup, teardown),
      cmocka_unit_test_setup_teardown(test_a_version_one_file_still_loads, setup, teardown),
      cmocka_unit_test_setup_teardown(test_a_busy_mark_is_kept_while_its_process_lives, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_a_killed_process_leaves_a_stale_busy_mark, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_state_reset_empties_every_sandbox, setup, teardown),
      cmocka_unit_test_setup_teardown(test_a_file_damaged_while_running_is_answered_and_kept, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_two_processes_keep_all_their_carts, setup, teardown),
  };
  return cmocka_run_group_tests_name("sandbox shared state", tests, NULL, NULL);
}
