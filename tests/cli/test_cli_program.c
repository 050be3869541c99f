/* The pccart program end to end: without a configuration it runs against its in-process
 * sandbox and says so; --json reads back with the model readers; exit codes; and the canary:
 * a client secret planted in a live profile never appears in any output, log or file. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifdef PCC_PCCART_BIN

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "fixtures.h"
#include "model/cart.h"
#include "model/customer.h"
#include "model/order.h"
#include "sandbox_http.h"

extern char **environ;

#define MAX_ARGS 40

typedef struct Program {
  char dir[64]; /* HOME, and every file the runs write */
  char *out;    /* the last run's stdout and stderr */
  char *err;
  const char *secret_env; /* PCCART_CLIENT_SECRET for the runs, or NULL */
} Program;

static Program program;

static char *read_all(const char *path) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    return NULL;
  }
  size_t length = 0, capacity = 4096;
  char *data = malloc(capacity);
  size_t got;
  while (data && (got = fread(data + length, 1, capacity - length - 1, file)) > 0) {
    length += got;
    if (length + 1 == capacity) {
      char *grown = realloc(data, capacity * 2);
      if (!grown) {
        free(data);
        data = NULL;
        break;
      }
      data = grown;
      capacity *= 2;
    }
  }
  fclose(file);
  if (data) {
    data[length] = '\0';
  }
  return data;
}

static char *in_dir(const char *name) {
  char *path = str_format("%s/%s", program.dir, name);
  assert_non_null(path);
  return path;
}

static char *write_file(const char *name, const char *text, mode_t mode) {
  char *path = in_dir(name);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
  assert_true(fd >= 0);
  size_t length = strlen(text);
  assert_int_equal(write(fd, text, length), (ssize_t)length);
  assert_int_equal(close(fd), 0);
  return path;
}

/* Starts pccart with argv (NULL-terminated) in a clean environment: HOME is the test's
 * directory (so no user configuration is read, and the state store and the in-process
 * sandbox's carts live there), stdin is `input` (a file, never a terminal). */
static pid_t spawn_programv(const char *input, va_list args) {
  char *argv[MAX_ARGS];
  int argc = 0;
  argv[argc++] = (char *)PCC_PCCART_BIN;
  for (const char *arg; argc < MAX_ARGS - 1 && (arg = va_arg(args, const char *)) != NULL;) {
    argv[argc++] = (char *)arg;
  }
  argv[argc] = NULL;

  char *in_path = write_file("stdin.txt", input ? input : "", 0600);
  char *out_path = in_dir("stdout.txt");
  char *err_path = in_dir("stderr.txt");
  char *home = str_format("HOME=%s", program.dir);
  char *xdg = str_format("XDG_CONFIG_HOME=%s/xdg", program.dir);
  char *secret =
      program.secret_env ? str_format("PCCART_CLIENT_SECRET=%s", program.secret_env) : NULL;
  const char *asan = getenv("ASAN_OPTIONS");
  char *asan_env = asan ? str_format("ASAN_OPTIONS=%s", asan) : NULL;
  char *envp[8];
  size_t envc = 0;
  envp[envc++] = home;
  envp[envc++] = xdg;
  envp[envc++] = "PATH=/usr/bin:/bin";
  envp[envc++] = "LANG=C.UTF-8";
  if (secret) {
    envp[envc++] = secret;
  }
  if (asan_env) { /* the sanitizers' settings reach the program under test */
    envp[envc++] = asan_env;
  }
  envp[envc] = NULL;

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in_path, O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid;
  int spawned = posix_spawn(&pid, PCC_PCCART_BIN, &actions, NULL, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  assert_int_equal(spawned, 0);
  free(asan_env);
  free(secret);
  free(xdg);
  free(home);
  free(err_path);
  free(out_path);
  free(in_path);
  return pid;
}

static pid_t spawn_program(const char *input, ...) {
  va_list args;
  va_start(args, input);
  pid_t pid = spawn_programv(input, args);
  va_end(args);
  return pid;
}

/* Waits for the program; its exit status (-signal when a signal ended it); reads its output. */
static int finish_program(pid_t pid) {
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  free(program.out);
  free(program.err);
  char *out_path = in_dir("stdout.txt");
  char *err_path = in_dir("stderr.txt");
  program.out = read_all(out_path);
  program.err = read_all(err_path);
  assert_non_null(program.out);
  assert_non_null(program.err);
  free(err_path);
  free(out_path);
  if (WIFSIGNALED(status)) {
    return -WTERMSIG(status);
  }
  if (!WIFEXITED(status)) {
    fail_msg("pccart did not exit normally (status %d)", status);
  }
  return WEXITSTATUS(status);
}

static int run_program(const char *input, ...) {
  va_list args;
  va_start(args, input);
  pid_t pid = spawn_programv(input, args);
  va_end(args);
  int code = finish_program(pid);
  if (code < 0) {
    fail_msg("pccart was ended by signal %d\n%s", -code, program.err);
  }
  return code;
}

#define pccart(...) run_program(NULL, __VA_ARGS__, NULL)

static void assert_exit(int actual, int expected) {
  if (actual != expected) {
    fail_msg("exit %d, expected %d\nstdout:\n%s\nstderr:\n%s", actual, expected, program.out,
             program.err);
  }
}

static void assert_contains(const char *text, const char *part) {
  if (!text || !strstr(text, part)) {
    fail_msg("\"%s\" does not contain \"%s\"", text ? text : "(null)", part);
  }
}

static int setup(void **state) {
  (void)state;
  snprintf(program.dir, sizeof program.dir, "/tmp/pccart-e2e-XXXXXX");
  return mkdtemp(program.dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  free(program.out);
  free(program.err);
  program.out = program.err = NULL;
  char command[128];
  snprintf(command, sizeof command, "rm -rf '%s'", program.dir);
  return system(command) == 0 ? 0 : -1;
}

static char *docs_cart_path(void) {
  char *text = fixture_seed_json_block("004", 0);
  if (!text) {
    text = fixture_read("docs-create-cart-request.json");
  }
  assert_non_null(text);
  char *path = write_file("docs-cart.json", text, 0600);
  free(text);
  return path;
}

/* ----- without a configuration: the in-process sandbox ----- */

static void test_no_config_uses_in_process_sandbox(void **state) {
  (void)state;
  assert_exit(pccart("customers", "list", "--limit", "3", "--json"), 0);
  assert_contains(program.err, "in-process sandbox");
  char err[256] = "";
  cJSON *json = cJSON_Parse(program.out);
  CustomerPage *page = customer_page_from_json(json, err, sizeof err);
  assert_non_null(page);
  assert_int_equal(page->count, 3);
  assert_string_equal(page->items[0].id, DOC_CUSTOMER_ID);
  customer_page_free(page);
  cJSON_Delete(json);
}

static void test_program_cart_flow(void **state) {
  (void)state;
  char *path = docs_cart_path();
  assert_exit(pccart("cart", "create", "--customer", DOC_CUSTOMER_ID, path, "--json"), 0);
  char err[256] = "";
  Cart *cart = cart_parse(program.out, err, sizeof err);
  assert_non_null(cart);
  assert_int_equal(cart->line_items.count, 6);
  assert_string_equal(cart->line_items.items[0].order_group, "OMS-0");
  cart_free(cart);
  /* An unknown cart is a service failure. */
  assert_exit(
      pccart("cart", "show", "--customer", DOC_CUSTOMER_ID, "11111111-2222-3333-4444-555555555555"),
      CLI_EXIT_FAILURE);
  assert_contains(program.err, "800008");
  free(path);
}

/* Each run starts its own in-process sandbox, on one state file: create, show and checkout in
 * separate processes see the same cart; the history tells all of it; `sandbox reset` forgets. */
static void test_program_runs_share_the_sandbox(void **state) {
  (void)state;
  char *path = docs_cart_path();
  assert_exit(pccart("cart", "create", "--customer", DOC_CUSTOMER_ID, path, "--json"), 0);
  char err[256] = "";
  Cart *cart = cart_parse(program.out, err, sizeof err);
  assert_non_null(cart);
  char *cart_id = strdup(cart->id);
  cart_free(cart);
  assert_exit(pccart("cart", "show", "--customer", DOC_CUSTOMER_ID, cart_id), 0);
  assert_contains(program.out, cart_id);
  assert_exit(pccart("cart", "checkout", "--customer", DOC_CUSTOMER_ID, cart_id, "--yes"), 0);
  assert_contains(program.out, "4 orders");
  assert_exit(pccart("cart", "show", "--customer", DOC_CUSTOMER_ID, cart_id, "--json"), 0);
  cart = cart_parse(program.out, err, sizeof err);
  assert_non_null(cart);
  assert_int_equal(cart->status, CART_STATUS_ORDERED);
  cart_free(cart);

  /* The audit trail, newest first: the checkout with its orders, then the create. */
  assert_exit(pccart("history", "--json"), 0);
  cJSON *history = cJSON_Parse(program.out);
  assert_non_null(history);
  assert_int_equal(cJSON_GetArraySize(history), 2);
  assert_string_equal(json_str_at(history, "0.operation"), "checkout");
  assert_string_equal(json_str_at(history, "0.state"), "done");
  assert_string_equal(json_str_at(history, "0.cartId"), cart_id);
  assert_string_equal(json_str_at(history, "0.customerName"), "Contoso, Ltd.");
  assert_string_equal(json_str_at(history, "0.customerId"), DOC_CUSTOMER_ID);
  assert_int_equal(json_count_at(history, "0.result.orders"), 4);
  assert_string_equal(json_str_at(history, "1.operation"), "create");
  assert_int_equal(json_count_at(history, "1.request.lineItems"), 6);
  cJSON_Delete(history);
  assert_exit(pccart("history", "--customer", DOC_CUSTOMER_ID), 0);
  assert_contains(program.out, "checkout");
  /* The history is local: no sandbox is started for it. */
  assert_null(strstr(program.err, "in-process sandbox at"));
  assert_contains(program.out, "done: order ");
  assert_exit(pccart("history", "--since", "not-a-date"), CLI_EXIT_USAGE);
  assert_exit(pccart("recover"), 0);
  assert_contains(program.out, "No interrupted submissions");

  assert_exit(pccart("sandbox", "reset"), 0);
  assert_null(strstr(program.err, "in-process sandbox at"));
  /* A live profile whose secret is not at hand can still read the history (it needs none). */
  char *live = write_file("live.cfg",
                          "default_profile = \"contoso\";\nprofiles = { contoso = { kind = "
                          "\"live\"; tenant = \"contoso.onmicrosoft.com\"; client_id = "
                          "\"00000000-0000-0000-0000-000000000000\"; }; };\n",
                          0600);
  assert_exit(pccart("--config", live, "history"), 0);
  assert_exit(pccart("--config", live, "customers", "list"), CLI_EXIT_CONFIG);
  free(live);
  assert_exit(pccart("cart", "show", "--customer", DOC_CUSTOMER_ID, cart_id), CLI_EXIT_FAILURE);
  assert_contains(program.err, "800008");
  free(cart_id);
  free(path);
}

/* A damaged state store is named, with what to do; the commands still run (without recovery)
 * and the file is left exactly as it was. */
static void test_program_damaged_state_store(void **state) {
  (void)state;
  char *dir = in_dir(".local/state/pccart");
  char *local = in_dir(".local");
  assert_true(mkdir(local, 0700) == 0 || errno == EEXIST);
  free(local);
  char *local_state = in_dir(".local/state");
  assert_true(mkdir(local_state, 0700) == 0 || errno == EEXIST);
  assert_true(mkdir(dir, 0700) == 0 || errno == EEXIST);
  const char *garbage = "this is not a database, it is a note\n";
  char *db = write_file(".local/state/pccart/state.db", garbage, 0600);
  assert_exit(pccart("customers", "list", "--limit", "1"), 0);
  assert_contains(program.err, db);
  assert_contains(program.err, "damaged");
  assert_contains(program.err, "recovery and history are off");
  char *path = docs_cart_path();
  assert_exit(pccart("cart", "create", "--customer", DOC_CUSTOMER_ID, path), 0);
  assert_exit(pccart("history"), CLI_EXIT_CONFIG);
  assert_contains(program.err, db);
  char *after = read_all(db);
  assert_string_equal(after, garbage);
  free(after);

  /* The in-process sandbox's shared state damaged too: the commands still run (in memory) and
   * say how to start afresh; `sandbox reset` does. */
  char *sandbox_state = write_file(".local/state/pccart/sandbox-state.json", garbage, 0600);
  assert_exit(pccart("customers", "list", "--limit", "1"), 0);
  assert_contains(program.err, "cannot use its saved carts");
  assert_contains(program.err, "pccart sandbox reset");
  after = read_all(sandbox_state);
  assert_string_equal(after, garbage);
  free(after);
  assert_exit(pccart("sandbox", "reset"), 0);
  assert_exit(pccart("customers", "list", "--limit", "1"), 0);
  assert_null(strstr(program.err, "cannot use its saved carts"));
  free(sandbox_state);
  free(path);
  free(db);
  free(local_state);
  free(dir);
}

/* ----- kill -9 in the middle of a submission, then the same command again ----- */

/* A profile for the test's own sandbox (an external one to pccart), so that the test can hold a
 * request there while it kills pccart. */
static char *external_config(HttpCtx *ctx, const char *timeouts) {
  char *text = str_format("default_profile = \"class\";\n"
                          "profiles = { class = { kind = \"sandbox\"; url = \"%s\";\n"
                          "  %s }; };\n",
                          http_ctx_url(ctx), timeouts);
  char *path = write_file("config", text, 0600);
  free(text);
  return path;
}

/* A running pccart writes no core dump: it may hold the client secret and the tokens. */
static void assert_no_core_dumps(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/limits", (int)pid);
  char *limits = read_all(path);
  assert_non_null(limits);
  const char *line = strstr(limits, "Max core file size");
  assert_non_null(line);
  char soft[32] = "", hard[32] = "";
  assert_int_equal(sscanf(line + strlen("Max core file size"), "%31s %31s", soft, hard), 2);
  assert_string_equal(soft, "0");
  assert_string_equal(hard, "0");
  free(limits);
}

/* Once the request is held at the service, pccart is killed. */
static void kill_while_held(HttpCtx *ctx, pid_t pid) {
  assert_true(sandbox_wait_held(ctx, 1));
  assert_no_core_dumps(pid);
  assert_int_equal(kill(pid, SIGKILL), 0);
  assert_int_equal(finish_program(pid), -SIGKILL);
}

static void test_program_killed_mid_create_makes_one_cart(void **state) {
  (void)state;
  char err[256] = "";
  HttpCtx *ctx = http_ctx_start(&(HttpCtxOptions){0}, err, sizeof err);
  assert_non_null(ctx);
  char *config = external_config(ctx, "request_timeout = 600; checkout_timeout = 600;");
  char *path = docs_cart_path();
  /* The moments: journaled but not yet sent (the sign-in held), and at the service before it
   * committed the cart (the create held). Each ends in exactly one cart. */
  static const char *const moments[] = {"token", "carts.create"};
  for (size_t m = 0; m < sizeof moments / sizeof *moments; m++) {
    assert_true(sandbox_reset(ctx));
    char *fault = str_format("{\"match\":\"%s\",\"kind\":\"hold\",\"times\":1}", moments[m]);
    assert_true(sandbox_fault_arm(ctx, fault) > 0);
    free(fault);
    pid_t pid = spawn_program(NULL, "--config", config, "cart", "create", "--customer",
                              DOC_CUSTOMER_ID, path, "--json", NULL);
    kill_while_held(ctx, pid);
    assert_true(sandbox_release(ctx) >= 1);
    /* The same command again: the journal's id is reused; one cart. */
    assert_exit(run_program(NULL, "--config", config, "cart", "create", "--customer",
                            DOC_CUSTOMER_ID, path, "--json", NULL),
                0);
    Cart *cart = cart_parse(strstr(program.out, "{"), err, sizeof err);
    assert_non_null(cart);
    assert_int_equal(sandbox_control_number(ctx, "status", "carts"), 1);
    cart_free(cart);
    /* Nothing is left to settle, and the history says what happened. */
    assert_exit(run_program(NULL, "--config", config, "recover", "--json", NULL), 0);
    cJSON *recovered = cJSON_Parse(program.out);
    assert_non_null(recovered);
    assert_int_equal(json_count_at(recovered, "submissions"), 0);
    cJSON_Delete(recovered);
  }
  assert_exit(run_program(NULL, "--config", config, "history", "--json", NULL), 0);
  cJSON *history = cJSON_Parse(program.out);
  assert_non_null(history);
  for (int i = 0; i < cJSON_GetArraySize(history); i++) {
    const cJSON *item = cJSON_GetArrayItem(history, i);
    assert_string_equal(json_str_at(item, "state"), "done");
  }
  cJSON_Delete(history);
  free(path);
  free(config);
  http_ctx_stop(ctx);
}

static void test_program_killed_mid_checkout_orders_once(void **state) {
  (void)state;
  char err[256] = "";
  HttpCtx *ctx = http_ctx_start(&(HttpCtxOptions){0}, err, sizeof err);
  assert_non_null(ctx);
  char *config = external_config(ctx, "request_timeout = 600; checkout_timeout = 600;");
  char *cart_id = docs_cart_create(ctx, NULL);
  assert_non_null(cart_id);
  assert_true(sandbox_fault_arm(ctx, "{\"match\":\"carts.checkout\",\"kind\":\"hold\","
                                     "\"times\":1}") > 0);
  pid_t pid = spawn_program(NULL, "--config", config, "cart", "checkout", "--customer",
                            DOC_CUSTOMER_ID, cart_id, "--yes", NULL);
  kill_while_held(ctx, pid);
  assert_true(sandbox_release(ctx) >= 1);
  /* The released checkout places its orders (the test waits for that, not for a time). */
  assert_int_equal(sandbox_wait_count(ctx, "orders", 4), 4);
  /* The next run of any command settles the checkout first and says so. */
  assert_exit(run_program(NULL, "--config", config, "recover", NULL), 0);
  assert_contains(program.out, "went through: 4 orders");
  /* Checking out again shows the orders (replayed), and orders nothing new. */
  assert_exit(run_program(NULL, "--config", config, "cart", "checkout", "--customer",
                          DOC_CUSTOMER_ID, cart_id, "--yes", NULL),
              0);
  assert_contains(program.out, "4 orders");
  assert_int_equal(sandbox_control_number(ctx, "status", "orders"), 4);
  free(cart_id);
  free(config);
  http_ctx_stop(ctx);
}

static void test_program_exit_codes(void **state) {
  (void)state;
  assert_exit(pccart("cart"), CLI_EXIT_USAGE);
  assert_exit(pccart("customers", "list", "--bogus"), CLI_EXIT_USAGE);
  assert_contains(program.err, "--bogus");
  assert_exit(pccart("cart", "checkout", "--customer", DOC_CUSTOMER_ID,
                     "11111111-2222-3333-4444-555555555555"),
              CLI_EXIT_DECLINED);
  assert_contains(program.err, "--yes");
  assert_exit(pccart("cart", "create", "--help"), 0);
  assert_contains(program.out, "Usage: pccart cart create");
  char *bad = write_file("bad.json", "{ \"lineItems\": [ }", 0600);
  assert_exit(pccart("cart", "validate", bad), CLI_EXIT_USAGE);
  assert_contains(program.err, bad);
  free(bad);
}

/* ----- the canary ----- */

/* Byte for byte, NULs included: the state store's database and its WAL are binary files. */
static bool file_contains(const char *path, const char *needle) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    return false;
  }
  size_t length = 0, capacity = 1 << 16;
  char *data = malloc(capacity);
  size_t got;
  while (data && (got = fread(data + length, 1, capacity - length, file)) > 0) {
    length += got;
    if (length == capacity) {
      char *grown = realloc(data, capacity * 2);
      if (!grown) {
        free(data);
      }
      data = grown;
      capacity *= 2;
    }
  }
  fclose(file);
  assert_non_null(data);
  bool found = memmem(data, length, needle, strlen(needle)) != NULL;
  free(data);
  return found;
}

/* Every regular file under dir. */
static void assert_no_file_contains(const char *dir, const char *needle) {
  DIR *d = opendir(dir);
  assert_non_null(d);
  struct dirent *entry;
  while ((entry = readdir(d)) != NULL) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) {
      continue;
    }
    char *path = str_format("%s/%s", dir, entry->d_name);
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    if (S_ISDIR(st.st_mode)) {
      assert_no_file_contains(path, needle);
    } else if (S_ISREG(st.st_mode)) {
      if (file_contains(path, needle)) {
        fail_msg("the canary secret is in %s", path);
      }
    }
    free(path);
  }
  closedir(d);
}

static void assert_no_canary(const char *canary, const char *what) {
  if (strstr(program.out, canary)) {
    fail_msg("the canary secret is on stdout of %s:\n%s", what, program.out);
  }
  if (strstr(program.err, canary)) {
    fail_msg("the canary secret is on stderr of %s:\n%s", what, program.err);
  }
}

static void test_canary_secret_never_leaks(void **state) {
  (void)state;
  char canary[64];
  char guid[37];
  guid_random(guid);
  snprintf(canary, sizeof canary, "canary-%s", guid);
  HttpCtxOptions options = {.client_secret = canary};
  char err[256] = "";
  HttpCtx *ctx = http_ctx_start(&options, err, sizeof err);
  assert_non_null(ctx);

  char *config_text =
      str_format("default_profile = \"live\";\n"
                 "profiles = {\n"
                 "  live = {\n"
                 "    kind = \"live\";\n"
                 "    api_base = \"%s\";\n"
                 "    authority = \"%s/\";\n"
                 "    tenant = \"%s\";\n"
                 "    client_id = \"%s\";\n"
                 "  };\n"
                 "};\n",
                 http_ctx_url(ctx), http_ctx_url(ctx), TEST_TENANT, SANDBOX_CLIENT_ID);
  char *config = write_file("config", config_text, 0600);
  char *log = in_dir("pccart.log");
  char *catalog = in_dir("catalog.json");
  char *cart_file = docs_cart_path();
  program.secret_env = canary;

  /* Create first: the later commands need the cart's id. */
  assert_exit(run_program(NULL, "--config", config, "--log", log, "--log-level", "debug", "cart",
                          "create", "--customer", DOC_CUSTOMER_ID, cart_file, "--json", NULL),
              0);
  assert_no_canary(canary, "cart create");
  char perr[256] = "";
  Cart *cart = cart_parse(program.out, perr, sizeof perr);
  assert_non_null(cart);
  char *cart_id = strdup(cart->id);
  cart_free(cart);

  const char *commands[][10] = {
      {"customers", "list", "--limit", "5"},
      {"customers", "list", "--json", "--limit", "2"},
      {"customers", "search", "Con"},
      {"customers", "search", "--domain", "contoso"},
      {"customers", "show", DOC_CUSTOMER_ID},
      {"customers", "show", DOC_CUSTOMER_ID, "--json"},
      {"customers", "show", "00000000-0000-0000-0000-000000000000"},
      {"catalog", "products"},
      {"catalog", "products", "--json", "--customer", DOC_CUSTOMER_ID},
      {"catalog", "skus", "DZH318Z0BQ36"},
      {"catalog", "availabilities", "DZH318Z0BQ36", "004G", "--json"},
      {"catalog", "offers"},
      {"catalog", "export", catalog},
      {"cart", "show", "--customer", DOC_CUSTOMER_ID, cart_id},
      {"cart", "show", "--customer", DOC_CUSTOMER_ID, cart_id, "--json"},
      {"cart", "update", "--customer", DOC_CUSTOMER_ID, cart_id, cart_file},
      {"cart", "validate", cart_file, "--customer", DOC_CUSTOMER_ID},
      {"cart", "validate", cart_file, "--catalog", catalog, "--json"},
      {"cart", "show", "--customer", DOC_CUSTOMER_ID, "11111111-2222-3333-4444-555555555555"},
      {"cart", "checkout", "--customer", DOC_CUSTOMER_ID, cart_id},
      {"cart", "checkout", "--customer", DOC_CUSTOMER_ID, cart_id, "--yes", "--json"},
      {"cart", "checkout", "--customer", DOC_CUSTOMER_ID, cart_id, "--yes"},
      {"help"},
  };
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
    const char *const *c = commands[i];
    int code = run_program(NULL, "--config", config, "--log", log, "--log-level", "debug", c[0],
                           c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], NULL);
    char *what = str_format("%s %s", c[0], c[1] ? c[1] : "");
    assert_no_canary(canary, what);
    /* Each of them really ran against the live profile (not refused at the door). */
    if (code == CLI_EXIT_CONFIG || code == CLI_EXIT_USAGE) {
      fail_msg("%s exited %d:\n%s", what, code, program.err);
    }
    free(what);
  }
  /* The checkout went through: the profile really authenticated with the canary. */
  char perr2[256] = "";
  CartCheckoutResult *result = NULL;
  assert_exit(run_program(NULL, "--config", config, "--log", log, "--log-level", "debug", "cart",
                          "checkout", "--customer", DOC_CUSTOMER_ID, cart_id, "--yes", "--json",
                          NULL),
              0);
  result = checkout_result_parse(program.out, perr2, sizeof perr2);
  assert_non_null(result);
  assert_int_equal(result->order_count, 4);
  checkout_result_free(result);

  /* The log holds debug lines (requests and replies), but not the secret. */
  char *log_text = read_all(log);
  assert_non_null(log_text);
  assert_contains(log_text, " debug ");
  assert_contains(log_text, "checkout of cart");
  assert_true(strlen(log_text) > 1000);
  free(log_text);
  /* The cart written by `cart show --json` through a shell would be stdout: covered above. */
  assert_no_file_contains(program.dir, canary);
  /* ...and that includes the state store, which holds the journal of these very runs. */
  char *db = in_dir(".local/state/pccart/state.db");
  struct stat db_stat;
  assert_int_equal(stat(db, &db_stat), 0);
  assert_int_equal(db_stat.st_mode & 0777, 0600);
  assert_true(file_contains(db, cart_id));
  free(db);

  program.secret_env = NULL;
  free(cart_id);
  free(cart_file);
  free(catalog);
  free(log);
  free(config);
  free(config_text);
  http_ctx_stop(ctx);
}

/* A checkout that outlives its timeout: the retry meets 409 800064 (the first attempt still at
 * work). Reported before as "refused" (exit 1) although the cart was ordered; now the client
 * asks again until the cart is ordered and shows its orders: exit 0, one order per group. The
 * sandbox holds the first attempt and the 409 until the test releases both. */
static void test_program_checkout_outliving_its_timeout_ends_ordered(void **state) {
  (void)state;
  char err[256] = "";
  HttpCtx *ctx = http_ctx_start(&(HttpCtxOptions){0}, err, sizeof err);
  assert_non_null(ctx);
  char *config = external_config(ctx, "checkout_timeout = 1;");
  char *cart_id = docs_cart_create(ctx, NULL);
  assert_non_null(cart_id);
  assert_true(sandbox_fault_arm(ctx, "{\"match\":\"carts.checkout\",\"kind\":\"hold\","
                                     "\"times\":1}") > 0);
  assert_true(sandbox_fault_arm(ctx, "{\"match\":\"carts.checkout\",\"kind\":\"hold-busy\","
                                     "\"times\":1}") > 0);
  pid_t pid = spawn_program(NULL, "--config", config, "cart", "checkout", "--customer",
                            DOC_CUSTOMER_ID, cart_id, "--yes", "--json", NULL);
  /* The first attempt at work, and the retry after its timeout about to hear 409. */
  assert_true(sandbox_wait_held(ctx, 2));
  assert_int_equal(sandbox_release(ctx), 2);
  int code = finish_program(pid);
  if (code != 0) {
    fail_msg("exit %d\nstdout:\n%s\nstderr:\n%s", code, program.out, program.err);
  }
  CartCheckoutResult *result = checkout_result_parse(program.out, err, sizeof err);
  assert_non_null(result);
  assert_int_equal(result->order_count, 4);
  checkout_result_free(result);
  assert_int_equal(sandbox_control_number(ctx, "status", "orders"), 4);
  assert_exit(run_program(NULL, "--config", config, "history", "--json", NULL), 0);
  cJSON *history = cJSON_Parse(program.out);
  assert_non_null(history);
  assert_string_equal(json_str_at(history, "0.state"), "done");
  assert_non_null(json_str_at(history, "0.resolution"));
  cJSON_Delete(history);
  free(cart_id);
  free(config);
  http_ctx_stop(ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_program_checkout_outliving_its_timeout_ends_ordered,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_config_uses_in_process_sandbox, setup, teardown),
      cmocka_unit_test_setup_teardown(test_program_cart_flow, setup, teardown),
      cmocka_unit_test_setup_teardown(test_program_runs_share_the_sandbox, setup, teardown),
      cmocka_unit_test_setup_teardown(test_program_damaged_state_store, setup, teardown),
      cmocka_unit_test_setup_teardown(test_program_killed_mid_create_makes_one_cart, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_program_killed_mid_checkout_orders_once, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_program_exit_codes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_canary_secret_never_leaks, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

#else /* the pccart program is not built yet */

static void test_pccart_not_built(void **state) {
  (void)state;
  skip();
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_pccart_not_built)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
