/* The pccart-sandbox program's contract, which other tools depend on: the exact first line
 * once it accepts connections, a clean exit on SIGINT and SIGTERM, the options' errors, the
 * scenario list, and a --state file that survives a restart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "sandbox/sandbox.h"

#ifndef PCC_SANDBOX_BIN
#error "PCC_SANDBOX_BIN must name the pccart-sandbox executable"
#endif

typedef struct Child {
  pid_t pid;
  FILE *out; /* the child's stdout */
  char url[128];
} Child;

/* Starts the program with args (NULL-terminated) and reads its first stdout line. */
static bool child_start(Child *child, char *const args[], char *first_line, size_t size) {
  int fds[2];
  if (pipe(fds) != 0)
    return false;
  child->pid = fork();
  if (child->pid == 0) {
    /* A failed assertion leaves the test without stopping the child: it must not outlive us
     * and keep ctest waiting on its inherited stderr. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(PCC_SANDBOX_BIN, args);
    _exit(127);
  }
  close(fds[1]);
  child->out = fdopen(fds[0], "r");
  first_line[0] = '\0';
  /* Blocks until the program has written its first line (or exited): no timing involved. */
  if (!child->out || !fgets(first_line, (int)size, child->out))
    return false;
  first_line[strcspn(first_line, "\n")] = '\0';
  return true;
}

static int child_stop(Child *child, int signal_number) {
  if (signal_number)
    kill(child->pid, signal_number);
  int status = 0;
  waitpid(child->pid, &status, 0);
  if (child->out)
    fclose(child->out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int run_to_end(char *const args[], char *output, size_t size) {
  Child child = {0};
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  child.pid = fork();
  if (child.pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(PCC_SANDBOX_BIN, args);
    _exit(127);
  }
  close(fds[1]);
  size_t used = 0;
  ssize_t n;
  while (used + 1 < size && (n = read(fds[0], output + used, size - used - 1)) > 0)
    used += (size_t)n;
  output[used] = '\0';
  close(fds[0]);
  int status = 0;
  waitpid(child.pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static size_t sink(char *data, size_t size, size_t count, void *user) {
  size_t total = size * count;
  char *buffer = user;
  size_t used = strlen(buffer);
  size_t room = 4095 - used;
  memcpy(buffer + used, data, total < room ? total : room);
  buffer[used + (total < room ? total : room)] = '\0';
  return total;
}

/* Status of a request to the child, and its body in body (4 KiB). */
static long http(const char *url, const char *method, const char *post, char *body) {
  CURL *curl = curl_easy_init();
  body[0] = '\0';
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sink);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
  if (post)
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post);
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  return status;
}

static void check_first_line(const char *line, Child *child) {
  const char *prefix = "pccart-sandbox listening on http://127.0.0.1:";
  assert_int_equal(strncmp(line, prefix, strlen(prefix)), 0);
  char *end;
  long port = strtol(line + strlen(prefix), &end, 10);
  assert_true(port > 0 && port < 65536);
  assert_int_equal(*end, '\0'); /* exactly the line, nothing after the port */
  snprintf(child->url, sizeof child->url, "http://127.0.0.1:%ld", port);
}

static void test_first_line_and_clean_exit_on_signals(void **state) {
  int signals[] = {SIGTERM, SIGINT};
  for (size_t i = 0; i < 2; i++) {
    char *args[] = {"pccart-sandbox", "--listen", "127.0.0.1:0", NULL};
    Child child = {0};
    char line[256];
    assert_true(child_start(&child, args, line, sizeof line));
    check_first_line(line, &child);
    /* It accepts connections as soon as the line is out. */
    char body[4096], url[256];
    snprintf(url, sizeof url, "%s/_sandbox/status", child.url);
    assert_int_equal(http(url, "GET", NULL, body), 200);
    assert_non_null(strstr(body, "\"scenario\": \"default\""));
    assert_int_equal(child_stop(&child, signals[i]), 0);
  }
}

static void test_options_are_checked(void **state) {
  char output[8192];
  char *bad_listen[] = {"pccart-sandbox", "--listen", "nowhere", NULL};
  assert_int_equal(run_to_end(bad_listen, output, sizeof output), 2);
  assert_non_null(strstr(output, "--listen wants HOST:PORT"));
  char *bad_count[] = {"pccart-sandbox", "--customers", "lots", NULL};
  assert_int_equal(run_to_end(bad_count, output, sizeof output), 2);
  assert_non_null(strstr(output, "--customers"));
  char *too_many[] = {"pccart-sandbox", "--listen", "127.0.0.1:0", "--customers", "100001", NULL};
  assert_int_equal(run_to_end(too_many, output, sizeof output), 1);
  assert_non_null(strstr(output, "100000"));
  char *unknown[] = {"pccart-sandbox", "--frobnicate", NULL};
  assert_int_equal(run_to_end(unknown, output, sizeof output), 2);
  assert_non_null(strstr(output, "unknown option"));
  char *missing[] = {"pccart-sandbox", "--scenario", NULL};
  assert_int_equal(run_to_end(missing, output, sizeof output), 2);
  char *scenario[] = {"pccart-sandbox", "--listen", "127.0.0.1:0", "--scenario", "nope", NULL};
  assert_int_equal(run_to_end(scenario, output, sizeof output), 1);
  assert_non_null(strstr(output, "unknown scenario \"nope\""));
  assert_non_null(strstr(output, "partial-failure")); /* the message lists the real ones */
  char *help[] = {"pccart-sandbox", "--help", NULL};
  assert_int_equal(run_to_end(help, output, sizeof output), 0);
  assert_non_null(strstr(output, SANDBOX_CLIENT_SECRET));
}

static void test_list_scenarios(void **state) {
  char output[8192];
  char *args[] = {"pccart-sandbox", "--list-scenarios", NULL};
  assert_int_equal(run_to_end(args, output, sizeof output), 0);
  for (size_t i = 0; i < sandbox_scenario_count(); i++) {
    const SandboxScenario *s = sandbox_scenario_at(i);
    assert_non_null(strstr(output, s->name));
    assert_non_null(strstr(output, s->summary));
  }
}

static void test_state_survives_a_restart(void **state) {
  char dir[] = "/tmp/pccart-program-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[128];
  snprintf(path, sizeof path, "%s/class.json", dir);
  char *args[] = {"pccart-sandbox", "--listen", "127.0.0.1:0", "--state", path, NULL};
  char line[256], body[4096], url[256];
  Child first = {0};
  assert_true(child_start(&first, args, line, sizeof line));
  check_first_line(line, &first);
  snprintf(url, sizeof url, "%s/_sandbox/clock", first.url);
  assert_int_equal(http(url, "POST", "{\"advanceSeconds\":3600}", body), 200);
  assert_int_equal(child_stop(&first, SIGTERM), 0);

  Child second = {0};
  assert_true(child_start(&second, args, line, sizeof line));
  check_first_line(line, &second);
  snprintf(url, sizeof url, "%s/_sandbox/clock", second.url);
  assert_int_equal(http(url, "GET", NULL, body), 200);
  assert_non_null(strstr(body, "\"offsetSeconds\": 3600"));
  assert_int_equal(child_stop(&second, SIGINT), 0);
  unlink(path);
  rmdir(dir);
}

int main(void) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_first_line_and_clean_exit_on_signals),
      cmocka_unit_test(test_options_are_checked),
      cmocka_unit_test(test_list_scenarios),
      cmocka_unit_test(test_state_survives_a_restart),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  curl_global_cleanup();
  return failed;
}
