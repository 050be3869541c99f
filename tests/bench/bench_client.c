/* Benchmark of the client (issue: client, worker, config, CLI), run by hand (docs/performance.md):
 *
 *  1. The client's own CPU for a create + checkout of the documents' six-line cart, against a
 *     pccart-sandbox in another process, so that every CPU microsecond of this process is the
 *     client's (libcurl, JSON, retries bookkeeping). Target: under 2 ms per create + checkout.
 *  2. Cancellation: how long pc_client_cancel takes to end a call the server is holding (a `hold`
 *     fault), from the cancel to the call's return. Target: within 100 ms.
 *  3. End to end: `pccart cart create` then `pccart cart checkout` (two processes, each
 *     fetching its token) against the same sandbox, side by side with the curl command-line tool
 *     making the same requests (token, create, checkout: three processes). Target: pccart faster.
 *
 * Usage: bench_client [--pairs N] [--rounds N]   (defaults 500 and 30) */
#include <curl/curl.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "model/cart.h"
#include "model/common.h"
#include "model/order.h"
#include "pc/client.h"

#define DOC_CUSTOMER "d6bf25b7-e0a8-4f2d-a31b-97b55cfc774d"
#define TENANT "bench.onmicrosoft.com"

extern char **environ;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double self_cpu_ms(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* utime + stime of another process, in ms, from /proc/PID/stat. */
static double pid_cpu_ms(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  char text[1024];
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  const char *p = strrchr(text, ')');
  unsigned long utime = 0, stime = 0;
  if (!p ||
      sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
    return -1;
  return (double)(utime + stime) * 1e3 / (double)sysconf(_SC_CLK_TCK);
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *values, size_t n) {
  qsort(values, n, sizeof *values, compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = malloc((size_t)size + 1);
  if (text && fread(text, 1, (size_t)size, f) != (size_t)size) {
    free(text);
    text = NULL;
  }
  if (text)
    text[size] = '\0';
  fclose(f);
  return text;
}

static bool write_file(const char *path, const char *text, mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0)
    return false;
  size_t n = strlen(text);
  bool ok = write(fd, text, n) == (ssize_t)n;
  return close(fd) == 0 && ok;
}

/* ----- the sandbox in its own process ----- */

typedef struct Server {
  pid_t pid;
  char url[256];
} Server;

static bool server_start(Server *server) {
  int fds[2];
  if (pipe(fds) != 0)
    return false;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  char *argv[] = {"pccart-sandbox", "--listen", "127.0.0.1:0", NULL};
  int rc = posix_spawn(&server->pid, PCC_SANDBOX_EXE, &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0)
    return false;
  FILE *out = fdopen(fds[0], "r");
  char line[256] = "";
  bool ok = out && fgets(line, sizeof line, out);
  if (out)
    fclose(out);
  const char *prefix = "pccart-sandbox listening on ";
  if (!ok || strncmp(line, prefix, strlen(prefix)) != 0)
    return false;
  snprintf(server->url, sizeof server->url, "%s", line + strlen(prefix));
  server->url[strcspn(server->url, "\n")] = '\0';
  return true;
}

static void server_stop(Server *server) {
  kill(server->pid, SIGTERM);
  waitpid(server->pid, NULL, 0);
}

/* ----- 1. the client's CPU per create + checkout ----- */

static bool create_and_checkout(PcClient *client, const Cart *cart) {
  PcError error = {0};
  Cart *created = NULL;
  CartCheckoutResult *result = NULL;
  bool ok =
      pc_cart_create(client, DOC_CUSTOMER, cart, NULL, &created, NULL, &error) &&
      pc_cart_checkout(client, DOC_CUSTOMER, created->id, NULL, NULL, &result, NULL, &error) &&
      result->order_count > 0 && result->order_error_count == 0;
  if (!ok)
    fprintf(stderr, "bench_client: create + checkout failed: %s\n",
            error.message[0] ? error.message : "unexpected result");
  pc_error_clear(&error);
  cart_free(created);
  checkout_result_free(result);
  return ok;
}

static bool measure_cancel(const Server *server, PcClient *client, int rounds);

static bool measure_client(const Server *server, const Cart *cart, long pairs) {
  char authority[300];
  snprintf(authority, sizeof authority, "%s/", server->url);
  PcSettings settings = {.api_base = server->url,
                         .authority = authority,
                         .tenant = TENANT,
                         .client_id = "pccart-sandbox",
                         .client_secret = "sandbox-secret"};
  PcError error = {0};
  PcClient *client = pc_client_new(&settings, &error);
  if (!client) {
    fprintf(stderr, "bench_client: %s\n", error.message);
    return false;
  }
  bool ok = true;
  for (int i = 0; i < 20 && ok; i++) /* warm-up: token, connection, caches */
    ok = create_and_checkout(client, cart);
  double cpu0 = self_cpu_ms(), server0 = pid_cpu_ms(server->pid), wall0 = now_ms();
  for (long i = 0; i < pairs && ok; i++)
    ok = create_and_checkout(client, cart);
  double cpu = self_cpu_ms() - cpu0, server_cpu = pid_cpu_ms(server->pid) - server0;
  double wall = now_ms() - wall0;
  if (!ok) {
    pc_client_free(client);
    return false;
  }
  printf("| client CPU per create + checkout | %.3f ms | under 2 ms | **%s** |\n", cpu / pairs,
         cpu / pairs < 2.0 ? "met" : "missed");
  printf("| server CPU per create + checkout (for scale) | %.3f ms | | |\n", server_cpu / pairs);
  printf("| wall time per create + checkout | %.3f ms | | |\n", wall / pairs);
  ok = measure_cancel(server, client, 20);
  pc_client_free(client);
  return ok;
}

/* ----- 2. cancellation latency ----- */

static size_t discard(char *data, size_t size, size_t count, void *user) {
  (void)data;
  (void)user;
  return size * count;
}

/* POST to the sandbox's control API; true on a 2xx. */
static bool control_post(const Server *server, const char *path, const char *body) {
  char url[512];
  snprintf(url, sizeof url, "%s/_sandbox/%s", server->url, path);
  CURL *curl = curl_easy_init();
  if (!curl)
    return false;
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  long status = 0;
  bool ok = curl_easy_perform(curl) == CURLE_OK &&
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK && status >= 200 &&
            status < 300;
  curl_easy_cleanup(curl);
  return ok;
}

typedef struct HeldCall {
  PcClient *client;
  PcErrorKind kind;
  double returned_ms;
} HeldCall;

static void *held_call(void *arg) {
  HeldCall *call = arg;
  PcError error = {0};
  Cart *cart = NULL;
  pc_cart_get(call->client, DOC_CUSTOMER, "00000000-0000-4000-8000-000000000000", &cart, NULL,
              &error);
  call->returned_ms = now_ms();
  call->kind = error.kind;
  pc_error_clear(&error);
  cart_free(cart);
  return NULL;
}

static bool measure_cancel(const Server *server, PcClient *client, int rounds) {
  double *ms = calloc((size_t)rounds, sizeof *ms);
  bool ok = ms != NULL;
  for (int i = 0; i < rounds && ok; i++) {
    pc_client_clear_cancel(client);
    ok = control_post(server, "faults", "{\"match\":\"carts.get\",\"kind\":\"hold\",\"times\":1}");
    HeldCall call = {.client = client};
    pthread_t thread;
    ok = ok && pthread_create(&thread, NULL, held_call, &call) == 0;
    if (!ok)
      break;
    /* Returns once the call is held by the server: the cancel then interrupts a call in flight. */
    ok = control_post(server, "wait-held", "{\"count\":1}");
    double t0 = now_ms();
    pc_client_cancel(client);
    pthread_join(thread, NULL);
    ms[i] = call.returned_ms - t0;
    ok = ok && call.kind == PC_ERROR_CANCELLED && control_post(server, "release", "{}");
  }
  pc_client_clear_cancel(client);
  if (ok) {
    double worst = 0;
    for (int i = 0; i < rounds; i++)
      worst = ms[i] > worst ? ms[i] : worst;
    double med = median(ms, (size_t)rounds);
    printf("| cancel of a held request, median (worst) of %d | %.3f ms (%.3f ms) | within 100 ms | "
           "**%s** |\n",
           rounds, med, worst, worst < 100.0 ? "met" : "missed");
  } else {
    fprintf(stderr, "bench_client: the cancellation measurement failed\n");
  }
  free(ms);
  return ok;
}

/* ----- 3. end to end: pccart against curl ----- */

/* Runs argv with stdout into out (up to size), stderr discarded; returns the exit status. */
static int run(char *const argv[], char *out, size_t size) {
  int fds[2];
  if (pipe(fds) != 0)
    return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return -1;
  }
  size_t used = 0;
  ssize_t n;
  char sink[4096];
  while ((n = read(fds[0], used + 1 < size ? out + used : sink,
                   used + 1 < size ? size - used - 1 : sizeof sink)) > 0)
    if (used + 1 < size)
      used += (size_t)n;
  out[used] = '\0';
  close(fds[0]);
  int status;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The value of the first "id" member in a JSON text. */
static bool json_first_id(const char *text, const char *member, char *out, size_t size) {
  cJSON *json = cJSON_Parse(text);
  const cJSON *id = json_get(json, member);
  bool ok = cJSON_IsString(id) && strlen(id->valuestring) < size;
  if (ok)
    strcpy(out, id->valuestring);
  cJSON_Delete(json);
  return ok;
}

static bool pccart_round(const char *config, const char *cart_file, double *ms) {
  static char out[1 << 16];
  char *create[] = {PCC_PCCART_EXE, "--config", (char *)config, "--profile",  "bench",
                    "cart",         "create",   "--customer",   DOC_CUSTOMER, (char *)cart_file,
                    "--json",       NULL};
  double t0 = now_ms();
  if (run(create, out, sizeof out) != 0)
    return false;
  char id[64];
  if (!json_first_id(out, "id", id, sizeof id))
    return false;
  char *checkout[] = {PCC_PCCART_EXE,
                      "--config",
                      (char *)config,
                      "--profile",
                      "bench",
                      "cart",
                      "checkout",
                      "--customer",
                      DOC_CUSTOMER,
                      id,
                      "--yes",
                      "--json",
                      NULL};
  if (run(checkout, out, sizeof out) != 0)
    return false;
  *ms = now_ms() - t0;
  return strstr(out, "\"orders\"") != NULL;
}

static bool curl_round(const char *url, const char *cart_file, double *ms) {
  static char out[1 << 16];
  char token_url[512], carts_url[512], checkout_url[640], data[256], auth[512], body[300];
  snprintf(token_url, sizeof token_url, "%s/%s/oauth2/token", url, TENANT);
  snprintf(carts_url, sizeof carts_url, "%s/v1/customers/%s/carts", url, DOC_CUSTOMER);
  snprintf(body, sizeof body, "@%s", cart_file);
  snprintf(data, sizeof data,
           "grant_type=client_credentials&client_id=pccart-sandbox&client_secret=sandbox-secret"
           "&resource=https%%3A%%2F%%2Fapi.partnercenter.microsoft.com");
  double t0 = now_ms();
  char *token[] = {"curl", "-sS", "--fail", token_url, "-d", data, NULL};
  if (run(token, out, sizeof out) != 0)
    return false;
  char access[256];
  if (!json_first_id(out, "access_token", access, sizeof access))
    return false;
  snprintf(auth, sizeof auth, "Authorization: Bearer %s", access);
  char *create[] = {"curl",
                    "-sS",
                    "--fail",
                    carts_url,
                    "-H",
                    auth,
                    "-H",
                    "Content-Type: application/json",
                    "--data-binary",
                    body,
                    NULL};
  if (run(create, out, sizeof out) != 0)
    return false;
  char id[64];
  if (!json_first_id(out, "id", id, sizeof id))
    return false;
  snprintf(checkout_url, sizeof checkout_url, "%s/%s/checkout", carts_url, id);
  char *checkout[] = {"curl", "-sS", "--fail", "-X", "POST", checkout_url, "-H", auth, NULL};
  if (run(checkout, out, sizeof out) != 0)
    return false;
  *ms = now_ms() - t0;
  return strstr(out, "\"orders\"") != NULL;
}

static bool measure_end_to_end(const Server *server, const char *cart_text, long rounds) {
  char dir[] = "/tmp/pccart-bench-XXXXXX";
  if (!mkdtemp(dir))
    return false;
  char config[128], cart_file[128];
  snprintf(config, sizeof config, "%s/config", dir);
  snprintf(cart_file, sizeof cart_file, "%s/cart.json", dir);
  char config_text[640];
  snprintf(config_text, sizeof config_text,
           "profiles = { bench = { kind = \"sandbox\"; url = \"%s\"; }; };\n", server->url);
  double *pccart_ms = calloc((size_t)rounds, sizeof *pccart_ms);
  double *curl_ms = calloc((size_t)rounds, sizeof *curl_ms);
  bool ok = pccart_ms && curl_ms && write_file(config, config_text, 0600) &&
            write_file(cart_file, cart_text, 0600);
  /* Alternate the two so that any drift in the machine's speed affects both alike. */
  for (long i = 0; i < rounds && ok; i++) {
    ok = pccart_round(config, cart_file, &pccart_ms[i]) &&
         curl_round(server->url, cart_file, &curl_ms[i]);
    if (!ok)
      fprintf(stderr, "bench_client: round %ld failed\n", i);
  }
  if (ok) {
    double p = median(pccart_ms, (size_t)rounds), c = median(curl_ms, (size_t)rounds);
    printf("| pccart: `cart create` + `cart checkout` (2 processes, 2 tokens), median | %.2f ms "
           "| faster than curl | **%s** |\n",
           p, p < c ? "met" : "missed");
    printf("| curl: token + create + checkout (3 processes), median | %.2f ms | | |\n", c);
  }
  unlink(config);
  unlink(cart_file);
  rmdir(dir);
  free(pccart_ms);
  free(curl_ms);
  return ok;
}

int main(int argc, char **argv) {
  long pairs = 500, rounds = 30;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--pairs") == 0 && i + 1 < argc)
      pairs = atol(argv[++i]);
    else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
      rounds = atol(argv[++i]);
    else {
      fprintf(stderr, "usage: bench_client [--pairs N] [--rounds N]\n");
      return 2;
    }
  }
  if (pairs < 1 || rounds < 1) {
    fprintf(stderr, "bench_client: --pairs and --rounds must be at least 1\n");
    return 2;
  }
  char *annotated = read_file(PCC_FIXTURES_DIR "/docs-create-cart-request.json");
  char *text = annotated ? json_strip_annotations(annotated) : NULL;
  char err[256] = "";
  Cart *cart = text ? cart_parse(text, err, sizeof err) : NULL;
  if (!cart) {
    fprintf(stderr, "bench_client: cannot read the documents' cart: %s\n", err);
    return 1;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  Server server;
  if (!server_start(&server)) {
    fprintf(stderr, "bench_client: cannot start %s\n", PCC_SANDBOX_EXE);
    return 1;
  }
  printf("| measure | result | target | verdict |\n|---|---|---|---|\n");
  bool ok = measure_client(&server, cart, pairs) && measure_end_to_end(&server, text, rounds);
  server_stop(&server);
  curl_global_cleanup();
  cart_free(cart);
  free(text);
  free(annotated);
  return ok ? 0 : 1;
}
