/* bench_sandbox: load generator for pccart-sandbox (docs/performance.md).
 *
 * The client is deliberately cheap so that the server gets the CPU: one thread, epoll,
 * non-blocking sockets, HTTP/1.1 keep-alive, one request in flight per connection (no
 * pipelining), request bytes built before the clock starts, and a response parser that reads
 * the status line and Content-Length and skips the body. libcurl is used for setup only
 * (the token, and a check that the cart we send is valid).
 *
 * Every phase is a fixed number of requests after a warm-up, so a run is bounded and stops
 * by itself; a phase that sees no progress for STALL_SECONDS is abandoned as a failure.
 * Exit status: 0 when every reply had the expected status, 1 otherwise (and, with --strict,
 * when a target is missed), 2 for a usage error. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "sandbox/sandbox.h"

#ifndef PCC_SANDBOX_EXE
#define PCC_SANDBOX_EXE "pccart-sandbox"
#endif

#define DOC_CUSTOMER "d6bf25b7-e0a8-4f2d-a31b-97b55cfc774d"
#define TENANT "bench.onmicrosoft.com"
#define CART_BODY                                                                                  \
  "{\"lineItems\":[{\"id\":0,\"catalogItemId\":\"DZH318Z0BXWC:0002:DZH318Z0BMRV\","                \
  "\"quantity\":1,\"billingCycle\":\"monthly\",\"termDuration\":\"P1M\"},"                         \
  "{\"id\":1,\"catalogItemId\":\"DG7GMGF0DWM3:0002:DG7GMGF0DT1M\",\"quantity\":1,"                 \
  "\"billingCycle\":\"one_time\"}]}"
/* {"Field":"CompanyName","Value":"Con","Operator":"starts_with"}, URL-encoded. */
#define FILTER_CON                                                                                 \
  "%7B%22Field%22%3A%22CompanyName%22%2C%22Value%22%3A%22Con%22%2C%22Operator%22%3A%22starts_"     \
  "with%22%7D"
#define NAME_CREATE "cart create (POST, 2 lines)"
#define NAME_GET "cart get (GET by id)"
#define REQUEST_ID_PREFIX "MS-RequestId: "
#define CONN_BUFFER (64 * 1024)
#define STALL_SECONDS 15
#define MAX_CONNECTIONS 1024
#define MAX_RESULTS 16
#define MAX_STATUS_KINDS 8

/* Above this share of the machine's CPU going elsewhere, a run is called disturbed. */
#define NOISY_OTHERS_PCT 10.0
#define TARGET_CREATES_PER_S 5000.0
#define TARGET_GETS_PER_S 20000.0
/* "Costs the same": the large sandbox may spend at most this much more server CPU per page. */
#define TARGET_PAGE_COST_RATIO 1.25

typedef enum ServerMode { MODE_SPAWN, MODE_URL, MODE_IN_PROCESS } ServerMode;

typedef struct Options {
  ServerMode mode;
  const char *server_exe;
  const char *url;
  pid_t url_pid;
  int connections;
  long requests;
  long page_requests;
  long warmup;
  long customers_small;
  long customers_large;
  int rounds;
  bool strict;
} Options;

/* ----- small utilities ----- */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double thread_cpu_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double process_cpu_us(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
         (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* utime + stime of every thread, living or gone, of another process (clock-tick resolution,
 * which is why phases are tens of thousands of requests long). NAN if unreadable. */
static double pid_cpu_us(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
  FILE *f = fopen(path, "r");
  if (!f)
    return NAN;
  char line[1024];
  bool ok = fgets(line, sizeof line, f) != NULL;
  fclose(f);
  /* The command name may hold spaces and parentheses: fields are counted after the last ')'. */
  char *p = ok ? strrchr(line, ')') : NULL;
  if (!p)
    return NAN;
  unsigned long long utime = 0, stime = 0;
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
    return NAN;
  return (double)(utime + stime) * 1e6 / (double)sysconf(_SC_CLK_TCK);
}

static long pid_rss_kib(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  char line[256];
  long kib = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
      break;
  fclose(f);
  return kib;
}

static void cpu_model(char *out, size_t size) {
  snprintf(out, size, "unknown");
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f)
    return;
  char line[512];
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "model name", 10) == 0) {
      char *colon = strchr(line, ':');
      if (colon) {
        colon += 1 + strspn(colon + 1, " \t");
        colon[strcspn(colon, "\n")] = '\0';
        snprintf(out, size, "%s", colon);
      }
      break;
    }
  }
  fclose(f);
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double percentile(const double *sorted, size_t n, double p) {
  if (n == 0)
    return NAN;
  size_t i = (size_t)ceil(p * (double)n);
  return sorted[i == 0 ? 0 : i - 1];
}

/* ----- setup over libcurl ----- */

typedef struct Buffer {
  char *data;
  size_t size;
} Buffer;

static size_t buffer_write(char *ptr, size_t size, size_t nmemb, void *userdata) {
  Buffer *b = userdata;
  size_t n = size * nmemb;
  char *bigger = realloc(b->data, b->size + n + 1);
  if (!bigger)
    return 0;
  memcpy(bigger + b->size, ptr, n);
  b->data = bigger;
  b->size += n;
  b->data[b->size] = '\0';
  return n;
}

/* One request; the reply body lands in out (caller frees out->data). */
static bool curl_call(const char *method, const char *url, const char *token, const char *body,
                      const char *content_type, long *status, Buffer *out) {
  CURL *curl = curl_easy_init();
  if (!curl)
    return false;
  struct curl_slist *headers = NULL;
  char line[4096];
  bool ok = true;
  if (token) {
    snprintf(line, sizeof line, "Authorization: Bearer %s", token);
    ok = ok && (headers = curl_slist_append(headers, line)) != NULL;
  }
  if (content_type) {
    snprintf(line, sizeof line, "Content-Type: %s", content_type);
    struct curl_slist *more = curl_slist_append(headers, line);
    ok = ok && more;
    headers = more ? more : headers;
  }
  *out = (Buffer){0};
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, buffer_write);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  if (body)
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
  CURLcode rc = ok ? curl_easy_perform(curl) : CURLE_OUT_OF_MEMORY;
  if (rc != CURLE_OK)
    fprintf(stderr, "bench_sandbox: %s %s: %s\n", method, url, curl_easy_strerror(rc));
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return rc == CURLE_OK;
}

static char *token_fetch(const char *base_url) {
  char url[512];
  snprintf(url, sizeof url, "%s/%s/oauth2/token", base_url, TENANT);
  const char *form =
      "grant_type=client_credentials&client_id=" SANDBOX_CLIENT_ID
      "&client_secret=" SANDBOX_CLIENT_SECRET "&resource=https://api.partnercenter.microsoft.com";
  long status = 0;
  Buffer reply;
  if (!curl_call("POST", url, NULL, form, "application/x-www-form-urlencoded", &status, &reply))
    return NULL;
  char *token = NULL;
  cJSON *json = cJSON_Parse(reply.data ? reply.data : "");
  const cJSON *access = cJSON_GetObjectItemCaseSensitive(json, "access_token");
  if (status == 200 && cJSON_IsString(access))
    token = strdup(access->valuestring);
  else
    fprintf(stderr, "bench_sandbox: token request answered %ld: %s\n", status,
            reply.data ? reply.data : "");
  cJSON_Delete(json);
  free(reply.data);
  return token;
}

/* The load assumes the cart is valid (a 201 with line errors would still count as success),
 * so check once, slowly and properly, that it really is; and that the GET finds it. */
static bool cart_check(const char *base_url, const char *token) {
  char url[512];
  snprintf(url, sizeof url, "%s/v1/customers/%s/carts", base_url, DOC_CUSTOMER);
  long status = 0;
  Buffer reply;
  if (!curl_call("POST", url, token, CART_BODY, "application/json", &status, &reply))
    return false;
  bool ok = status == 201;
  cJSON *json = cJSON_Parse(reply.data ? reply.data : "");
  const cJSON *lines = cJSON_GetObjectItemCaseSensitive(json, "lineItems");
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(json, "id");
  ok = ok && cJSON_IsArray(lines) && cJSON_GetArraySize(lines) == 2 && cJSON_IsString(id);
  const cJSON *line;
  cJSON_ArrayForEach(line, lines) {
    if (cJSON_GetObjectItemCaseSensitive(line, "error"))
      ok = false;
  }
  if (!ok)
    fprintf(stderr, "bench_sandbox: the benchmark cart is not accepted cleanly (%ld): %s\n", status,
            reply.data ? reply.data : "");
  char get_url[640];
  if (ok)
    snprintf(get_url, sizeof get_url, "%s/%s", url, id->valuestring);
  cJSON_Delete(json);
  free(reply.data);
  if (!ok)
    return false;
  if (!curl_call("GET", get_url, token, NULL, NULL, &status, &reply))
    return false;
  free(reply.data);
  if (status != 200) {
    fprintf(stderr, "bench_sandbox: GET of a new cart answered %ld\n", status);
    return false;
  }
  return true;
}

/* The running sandbox's customer count, from the control API; -1 if unknown. */
static long customers_fetch(const char *base_url) {
  char url[512];
  snprintf(url, sizeof url, "%s/_sandbox/status", base_url);
  long status = 0, count = -1;
  Buffer reply;
  if (!curl_call("GET", url, NULL, NULL, NULL, &status, &reply))
    return -1;
  cJSON *json = cJSON_Parse(reply.data ? reply.data : "");
  const cJSON *n = cJSON_GetObjectItemCaseSensitive(json, "customers");
  if (status == 200 && cJSON_IsNumber(n))
    count = (long)n->valuedouble;
  cJSON_Delete(json);
  free(reply.data);
  return count;
}

/* ----- the server under test ----- */

typedef struct Server {
  ServerMode mode;
  pid_t pid; /* spawned, or --pid; 0 if unknown */
  FILE *stdout_pipe;
  Sandbox *in_process;
  char url[256];
  char host[128];
  char port[16];
  long customers;
  double startup_s;
} Server;

static bool url_split(Server *server) {
  const char *p = strncmp(server->url, "http://", 7) == 0 ? server->url + 7 : NULL;
  if (!p)
    return false;
  const char *end = p + strcspn(p, "/");
  const char *colon = NULL;
  for (const char *q = p; q < end; q++)
    if (*q == ':')
      colon = q;
  if (!colon || colon == p || (size_t)(end - colon) >= sizeof server->port)
    return false;
  const char *h = p;
  size_t len = (size_t)(colon - p);
  if (len >= 2 && h[0] == '[' && h[len - 1] == ']') {
    h++;
    len -= 2;
  }
  if (len >= sizeof server->host)
    return false;
  memcpy(server->host, h, len);
  server->host[len] = '\0';
  memcpy(server->port, colon + 1, (size_t)(end - colon - 1));
  server->port[end - colon - 1] = '\0';
  return true;
}

static bool server_spawn(Server *server, const char *exe, long customers) {
  int fds[2];
  if (pipe(fds) != 0) {
    perror("bench_sandbox: pipe");
    return false;
  }
  char count[32];
  snprintf(count, sizeof count, "%ld", customers);
  double started = now_s();
  pid_t pid = fork();
  if (pid < 0) {
    perror("bench_sandbox: fork");
    close(fds[0]);
    close(fds[1]);
    return false;
  }
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl(exe, exe, "--listen", "127.0.0.1:0", "--customers", count, (char *)NULL);
    fprintf(stderr, "bench_sandbox: cannot run %s: %s\n", exe, strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  server->mode = MODE_SPAWN;
  server->pid = pid;
  server->stdout_pipe = fdopen(fds[0], "r");
  char line[512];
  const char *prefix = "pccart-sandbox listening on ";
  if (!server->stdout_pipe || !fgets(line, sizeof line, server->stdout_pipe) ||
      strncmp(line, prefix, strlen(prefix)) != 0) {
    fprintf(stderr, "bench_sandbox: %s did not say where it listens\n", exe);
    return false;
  }
  server->startup_s = now_s() - started;
  line[strcspn(line, "\r\n")] = '\0';
  const char *url = line + strlen(prefix);
  if (strlen(url) >= sizeof server->url)
    return false;
  memcpy(server->url, url, strlen(url) + 1);
  server->customers = customers;
  return true;
}

static bool server_start(Server *server, const Options *options, long customers) {
  *server = (Server){.mode = options->mode};
  bool ok = false;
  if (options->mode == MODE_SPAWN) {
    ok = server_spawn(server, options->server_exe, customers);
  } else if (options->mode == MODE_URL) {
    snprintf(server->url, sizeof server->url, "%s", options->url);
    size_t len = strlen(server->url);
    while (len > 0 && server->url[len - 1] == '/')
      server->url[--len] = '\0';
    server->pid = options->url_pid;
    server->customers = customers_fetch(server->url);
    ok = true;
  } else {
    char err[256] = "";
    double started = now_s();
    SandboxOptions sandbox_options = {.port = 0, .customers = customers};
    server->in_process = sandbox_start(&sandbox_options, err, sizeof err);
    server->startup_s = now_s() - started;
    if (!server->in_process)
      fprintf(stderr, "bench_sandbox: sandbox_start: %s\n", err);
    ok = server->in_process != NULL;
    if (ok)
      snprintf(server->url, sizeof server->url, "%s", sandbox_url(server->in_process));
    server->customers = customers;
  }
  if (ok && !url_split(server)) {
    fprintf(stderr, "bench_sandbox: cannot use the URL \"%s\"\n", server->url);
    ok = false;
  }
  return ok;
}

static long server_rss_kib(const Server *server) {
  if (server->mode == MODE_IN_PROCESS)
    return pid_rss_kib(getpid());
  return server->pid > 0 ? pid_rss_kib(server->pid) : -1;
}

static void server_stop(Server *server) {
  if (server->mode == MODE_SPAWN && server->pid > 0) {
    kill(server->pid, SIGTERM);
    int status = 0;
    waitpid(server->pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      fprintf(stderr, "bench_sandbox: the sandbox did not stop cleanly (status %d)\n", status);
  }
  if (server->stdout_pipe)
    fclose(server->stdout_pipe);
  sandbox_stop(server->in_process);
  *server = (Server){0};
}

/* ----- the load generator ----- */

typedef enum RequestSource {
  SOURCE_ONE,         /* the same bytes every time */
  SOURCE_ROUND_ROBIN, /* requests[seq % count] */
  SOURCE_STAMPED      /* a per-connection copy of requests[0] with a fresh MS-RequestId */
} RequestSource;

typedef struct Workload {
  const char *name;
  int expect;
  RequestSource source;
  char **requests;
  size_t *lengths;
  size_t count;
  size_t stamp_at; /* SOURCE_STAMPED: offset of the request id's last 12 hex digits */
  /* Collects the "id" of each reply (carts created) into ids, up to ids_capacity. */
  bool capture_ids;
  char (*ids)[40];
  size_t ids_count;
  size_t ids_capacity;
} Workload;

typedef struct Conn {
  int fd;
  char *own; /* SOURCE_STAMPED: this connection's copy of the request */
  const char *request;
  size_t request_len;
  size_t sent;
  bool want_write;
  char *buf;
  size_t filled;
  size_t header_len; /* 0 until the header block is complete */
  size_t body_len;
  size_t body_seen;
  bool keep_body; /* the body is still whole in buf */
  bool close_after;
  int status;
  double started;
} Conn;

typedef struct StatusCount {
  int status;
  long count;
} StatusCount;

typedef struct Load {
  const Server *server;
  int epoll_fd;
  Conn *conns;
  int conn_count;
  uint64_t stamp_counter;
  uint32_t run_nonce;
  /* the phase in progress */
  Workload *work;
  long target;
  long issued;
  long completed;
  long errors;
  long protocol_errors;
  long reconnects;
  double bytes;
  double *latencies_us; /* NULL during warm-up */
  long samples;         /* latencies recorded (failed exchanges have none) */
  StatusCount statuses[MAX_STATUS_KINDS];
  bool shown_unexpected;
} Load;

typedef struct Result {
  char name[96];
  long customers;
  long requests;
  long errors;
  double per_s;
  double p50_ms;
  double p99_ms;
  double client_us;
  double server_us; /* NAN: not measurable */
  double bytes;
  bool informational; /* a page whose item count differs between the sandboxes */
  double others_pct;  /* of the machine's CPU, used by neither the client nor the server */
} Result;

static bool conn_open(Load *load, Conn *c) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  struct addrinfo *res = NULL;
  int rc = getaddrinfo(load->server->host, load->server->port, &hints, &res);
  if (rc != 0) {
    fprintf(stderr, "bench_sandbox: %s: %s\n", load->server->host, gai_strerror(rc));
    return false;
  }
  c->fd = socket(res->ai_family, SOCK_STREAM, 0);
  bool ok = c->fd >= 0 && connect(c->fd, res->ai_addr, res->ai_addrlen) == 0;
  freeaddrinfo(res);
  if (!ok) {
    perror("bench_sandbox: connect");
    if (c->fd >= 0)
      close(c->fd);
    c->fd = -1;
    return false;
  }
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
  if (epoll_ctl(load->epoll_fd, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
    perror("bench_sandbox: epoll_ctl");
    return false;
  }
  c->want_write = false;
  return true;
}

static void conn_close(Conn *c) {
  if (c->fd >= 0)
    close(c->fd); /* closing removes it from the epoll set */
  c->fd = -1;
}

static bool load_open(Load *load, const Server *server, int connections) {
  *load = (Load){.server = server, .conn_count = connections};
  load->run_nonce = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
  load->epoll_fd = epoll_create1(0);
  load->conns = calloc((size_t)connections, sizeof *load->conns);
  if (load->epoll_fd < 0 || !load->conns)
    return false;
  for (int i = 0; i < connections; i++)
    load->conns[i].fd = -1;
  for (int i = 0; i < connections; i++) {
    Conn *c = &load->conns[i];
    c->buf = malloc(CONN_BUFFER);
    if (!c->buf || !conn_open(load, c))
      return false;
  }
  return true;
}

static void load_close(Load *load) {
  for (int i = 0; load->conns && i < load->conn_count; i++) {
    conn_close(&load->conns[i]);
    free(load->conns[i].buf);
    free(load->conns[i].own);
  }
  free(load->conns);
  if (load->epoll_fd >= 0)
    close(load->epoll_fd);
}

static void interest_set(Load *load, Conn *c, bool want_write) {
  if (c->want_write == want_write)
    return;
  struct epoll_event ev = {.events = EPOLLIN | (want_write ? EPOLLOUT : 0u), .data.ptr = c};
  epoll_ctl(load->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev);
  c->want_write = want_write;
}

static const char HEX[] = "0123456789abcdef";

static void request_pick(Load *load, Conn *c, long seq) {
  Workload *w = load->work;
  if (w->source == SOURCE_ONE) {
    c->request = w->requests[0];
    c->request_len = w->lengths[0];
  } else if (w->source == SOURCE_ROUND_ROBIN) {
    size_t i = (size_t)seq % w->count;
    c->request = w->requests[i];
    c->request_len = w->lengths[i];
  } else {
    uint64_t n = ++load->stamp_counter;
    for (int i = 11; i >= 0; i--, n >>= 4)
      c->own[w->stamp_at + (size_t)i] = HEX[n & 0xF];
    c->request = c->own;
    c->request_len = w->lengths[0];
  }
}

/* False if the connection broke (the caller counts the error and reconnects). */
static bool conn_flush(Load *load, Conn *c) {
  while (c->sent < c->request_len) {
    ssize_t n = write(c->fd, c->request + c->sent, c->request_len - c->sent);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        interest_set(load, c, true);
        return true;
      }
      if (errno == EINTR)
        continue;
      return false;
    }
    c->sent += (size_t)n;
  }
  interest_set(load, c, false);
  return true;
}

static void status_count(Load *load, int status) {
  for (int i = 0; i < MAX_STATUS_KINDS; i++) {
    if (load->statuses[i].status == status || load->statuses[i].status == 0) {
      load->statuses[i].status = status;
      load->statuses[i].count++;
      return;
    }
  }
}

static bool conn_send_next(Load *load, Conn *c);

/* Counts a broken exchange as an error and starts over on a new connection. */
static bool conn_fail(Load *load, Conn *c, const char *why) {
  load->errors++;
  load->protocol_errors++;
  load->completed++;
  if (load->protocol_errors <= 3)
    fprintf(stderr, "bench_sandbox: %s: %s\n", load->work->name, why);
  conn_close(c);
  load->reconnects++;
  if (!conn_open(load, c))
    return false;
  return conn_send_next(load, c);
}

static bool conn_send_next(Load *load, Conn *c) {
  if (load->issued >= load->target)
    return true;
  request_pick(load, c, load->issued++);
  c->sent = 0;
  c->filled = c->header_len = c->body_len = c->body_seen = 0;
  c->keep_body = load->work->capture_ids;
  c->close_after = false;
  c->started = now_s();
  if (!conn_flush(load, c))
    return conn_fail(load, c, "the connection broke while sending");
  return true;
}

/* The first string value of an "id" key: the cart's (line ids are numbers). */
static bool body_find_id(const char *body, size_t len, char out[40]) {
  const char *end = body + len;
  for (const char *p = body; p + 4 < end; p++) {
    if (memcmp(p, "\"id\"", 4) != 0)
      continue;
    const char *q = p + 4;
    while (q < end && isspace((unsigned char)*q))
      q++;
    if (q >= end || *q != ':')
      continue;
    q++;
    while (q < end && isspace((unsigned char)*q))
      q++;
    if (q >= end || *q != '"')
      continue;
    const char *start = ++q;
    while (q < end && *q != '"')
      q++;
    size_t n = (size_t)(q - start);
    if (q >= end || n == 0 || n >= 40)
      return false;
    memcpy(out, start, n);
    out[n] = '\0';
    return true;
  }
  return false;
}

static bool header_block_parse(Conn *c, size_t header_len) {
  const char *h = c->buf;
  if (header_len < 12 || strncmp(h, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)h[9]))
    return false;
  c->status = (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
  bool have_length = false;
  const char *end = h + header_len;
  for (const char *line = memchr(h, '\n', header_len); line && line + 1 < end;
       line = memchr(line + 1, '\n', (size_t)(end - line - 1))) {
    const char *name = line + 1;
    if ((size_t)(end - name) > 15 && strncasecmp(name, "Content-Length:", 15) == 0) {
      c->body_len = strtoul(name + 15, NULL, 10);
      have_length = true;
    } else if ((size_t)(end - name) > 11 && strncasecmp(name, "Connection:", 11) == 0) {
      const char *v = name + 11 + strspn(name + 11, " ");
      c->close_after = strncasecmp(v, "close", 5) == 0;
    } else if ((size_t)(end - name) > 18 && strncasecmp(name, "Transfer-Encoding:", 18) == 0) {
      return false; /* chunked replies are not expected from the sandbox */
    }
  }
  return have_length;
}

static bool conn_complete(Load *load, Conn *c) {
  double latency_us = (now_s() - c->started) * 1e6;
  Workload *w = load->work;
  if (load->latencies_us && load->samples < load->target)
    load->latencies_us[load->samples++] = latency_us;
  load->completed++;
  load->bytes += (double)c->body_len;
  /* The body is whole in buf when it came with the headers, or was kept while it arrived. */
  bool whole = c->header_len + c->body_len <= c->filled;
  const char *body = c->buf + c->header_len;
  if (c->status != w->expect) {
    load->errors++;
    status_count(load, c->status);
    if (!load->shown_unexpected) {
      load->shown_unexpected = true;
      int shown = whole ? (int)(c->body_len < 300 ? c->body_len : 300) : 0;
      fprintf(stderr, "bench_sandbox: %s: unexpected %d (wanted %d) %.*s\n", w->name, c->status,
              w->expect, shown, body);
    }
  } else if (w->capture_ids && w->ids_count < w->ids_capacity) {
    if (whole && body_find_id(body, c->body_len, w->ids[w->ids_count])) {
      w->ids_count++;
    } else {
      load->errors++;
      load->protocol_errors++;
      fprintf(stderr, "bench_sandbox: %s: a created cart's id was not found in the reply\n",
              w->name);
    }
  }
  if (c->close_after) {
    conn_close(c);
    load->reconnects++;
    if (!conn_open(load, c))
      return false;
  }
  return conn_send_next(load, c);
}

static bool conn_readable(Load *load, Conn *c) {
  if (c->sent < c->request_len)
    return conn_fail(load, c, "a reply came before the request was sent");
  size_t at = c->header_len && !c->keep_body ? 0 : c->filled;
  if (at >= CONN_BUFFER) {
    if (!c->header_len)
      return conn_fail(load, c, "the reply's headers do not fit in 64 KiB");
    c->keep_body = false; /* too big to keep: skip the rest */
    at = 0;
  }
  ssize_t n = read(c->fd, c->buf + at, CONN_BUFFER - at);
  if (n < 0)
    return errno == EAGAIN || errno == EINTR ? true : conn_fail(load, c, strerror(errno));
  if (n == 0)
    return conn_fail(load, c, "the server closed the connection");
  if (!c->header_len) {
    size_t from = c->filled >= 3 ? c->filled - 3 : 0;
    c->filled += (size_t)n;
    for (size_t i = from; i + 3 < c->filled; i++) {
      if (memcmp(c->buf + i, "\r\n\r\n", 4) == 0) {
        c->header_len = i + 4;
        break;
      }
    }
    if (!c->header_len)
      return true;
    if (!header_block_parse(c, c->header_len))
      return conn_fail(load, c, "a reply without a status line or Content-Length");
    c->body_seen = c->filled - c->header_len;
  } else {
    c->body_seen += (size_t)n;
    if (c->keep_body)
      c->filled += (size_t)n;
  }
  if (c->body_seen > c->body_len)
    return conn_fail(load, c, "more bytes than Content-Length");
  return c->body_seen == c->body_len ? conn_complete(load, c) : true;
}

static bool workload_attach(Load *load, Workload *w) {
  load->work = w;
  if (w->source != SOURCE_STAMPED)
    return true;
  for (int i = 0; i < load->conn_count; i++) {
    Conn *c = &load->conns[i];
    free(c->own);
    c->own = malloc(w->lengths[0]);
    if (!c->own)
      return false;
    memcpy(c->own, w->requests[0], w->lengths[0]);
  }
  return true;
}

/* Runs count requests of w over every connection; latencies_us (count entries) may be NULL. */
static bool load_run(Load *load, Workload *w, long count, double *latencies_us) {
  if (!workload_attach(load, w))
    return false;
  load->target = count;
  load->issued = load->completed = load->errors = load->protocol_errors = load->reconnects = 0;
  load->bytes = 0;
  load->latencies_us = latencies_us;
  load->samples = 0;
  memset(load->statuses, 0, sizeof load->statuses);
  load->shown_unexpected = false;
  for (int i = 0; i < load->conn_count; i++)
    if (!conn_send_next(load, &load->conns[i]))
      return false;
  struct epoll_event events[MAX_CONNECTIONS];
  while (load->completed < load->target) {
    int n = epoll_wait(load->epoll_fd, events, load->conn_count, STALL_SECONDS * 1000);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      fprintf(stderr, "bench_sandbox: %s: no progress for %d s (%ld of %ld done); giving up\n",
              w->name, STALL_SECONDS, load->completed, load->target);
      return false;
    }
    for (int i = 0; i < n; i++) {
      Conn *c = events[i].data.ptr;
      bool ok = true;
      if (events[i].events & (EPOLLERR | EPOLLHUP) && !(events[i].events & EPOLLIN))
        ok = conn_fail(load, c, "the connection failed");
      else if (events[i].events & EPOLLOUT)
        ok = conn_flush(load, c) || conn_fail(load, c, "the connection broke while sending");
      if (ok && events[i].events & EPOLLIN && c->fd >= 0)
        ok = conn_readable(load, c);
      if (!ok)
        return false;
    }
  }
  return true;
}

typedef struct CpuMark {
  double wall;
  double client_us;
  double server_us;
  double machine_us; /* busy time of every CPU, everyone's */
} CpuMark;

/* Busy time of the whole machine (all CPUs, all processes and the kernel), from /proc/stat:
 * whatever is not ours shows that something else was competing for the CPUs. */
static double machine_busy_us(void) {
  FILE *f = fopen("/proc/stat", "r");
  if (!f)
    return NAN;
  unsigned long long v[8] = {0};
  int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                 &v[4], &v[5], &v[6], &v[7]);
  fclose(f);
  if (n != 8)
    return NAN;
  unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]; /* not idle, iowait */
  return (double)busy * 1e6 / (double)sysconf(_SC_CLK_TCK);
}

static CpuMark cpu_mark(const Server *server) {
  CpuMark m = {.wall = now_s(), .machine_us = machine_busy_us()};
  if (server->mode == MODE_IN_PROCESS) {
    m.client_us = thread_cpu_us();
    m.server_us = process_cpu_us() - m.client_us;
  } else {
    m.client_us = process_cpu_us();
    m.server_us = server->pid > 0 ? pid_cpu_us(server->pid) : NAN;
  }
  return m;
}

typedef struct Accum {
  double wall;
  double client_us;
  double server_us;
  double machine_us;
  double bytes;
  long requests;
  long errors;
  double *latencies_us;
  long samples;
} Accum;

static void load_report_trouble(const Load *load, const char *name) {
  for (int i = 0; i < MAX_STATUS_KINDS && load->statuses[i].status; i++)
    fprintf(stderr, "bench_sandbox: %s: %ld replies with status %d\n", name,
            load->statuses[i].count, load->statuses[i].status);
  if (load->protocol_errors)
    fprintf(stderr, "bench_sandbox: %s: %ld broken exchanges\n", name, load->protocol_errors);
  if (load->reconnects)
    fprintf(stderr, "bench_sandbox: %s: %ld reconnections\n", name, load->reconnects);
}

/* One measured run of count requests, added to acc (whose latency array has room). */
static bool measure(Load *load, Workload *w, long count, Accum *acc) {
  CpuMark before = cpu_mark(load->server);
  bool ok = load_run(load, w, count, acc->latencies_us + acc->samples);
  CpuMark after = cpu_mark(load->server);
  if (!ok)
    return false;
  acc->wall += after.wall - before.wall;
  acc->client_us += after.client_us - before.client_us;
  acc->server_us += after.server_us - before.server_us;
  acc->machine_us += after.machine_us - before.machine_us;
  acc->bytes += load->bytes;
  acc->requests += count;
  acc->errors += load->errors;
  acc->samples += load->samples;
  load_report_trouble(load, w->name);
  return true;
}

static void result_finish(Result *r, Accum *acc) {
  size_t samples = (size_t)acc->samples;
  double count = (double)acc->requests;
  qsort(acc->latencies_us, samples, sizeof *acc->latencies_us, compare_doubles);
  r->requests = acc->requests;
  r->errors += acc->errors;
  r->per_s = count / acc->wall;
  r->p50_ms = percentile(acc->latencies_us, samples, 0.50) / 1e3;
  r->p99_ms = percentile(acc->latencies_us, samples, 0.99) / 1e3;
  r->client_us = acc->client_us / count;
  r->server_us = acc->server_us / count;
  r->bytes = acc->bytes / count;
  /* Kernel work for loopback (softirqs) is partly charged to no process, so a few per cent
   * show up here even on an idle machine. */
  double others = acc->machine_us - acc->client_us - acc->server_us;
  r->others_pct = 100.0 * others / (acc->wall * 1e6 * (double)sysconf(_SC_NPROCESSORS_ONLN));
}

/* The same phase on n sandboxes: a warm-up on each, then `rounds` turns in which each
 * sandbox gets count / rounds requests in turn, so that a machine that drifts (frequency,
 * neighbours) drifts for all of them alike. One result per sandbox. */
static bool phase_run(Load **loads, Workload **works, int n, const Options *options, long count,
                      int rounds, Result *results, int *result_count) {
  if (*result_count + n > MAX_RESULTS)
    return false;
  Accum acc[2] = {{0}};
  Result *out = &results[*result_count];
  bool ok = n <= 2;
  for (int i = 0; ok && i < n; i++) {
    out[i] = (Result){.customers = loads[i]->server->customers};
    snprintf(out[i].name, sizeof out[i].name, "%s", works[i]->name);
    fprintf(stderr, "bench_sandbox: %s (%ld customers): %ld warm-up + %ld requests...\n",
            works[i]->name, loads[i]->server->customers, options->warmup, count);
    acc[i].latencies_us = malloc((size_t)count * sizeof *acc[i].latencies_us);
    ok = acc[i].latencies_us != NULL;
    if (ok && options->warmup > 0) {
      ok = load_run(loads[i], works[i], options->warmup, NULL);
      if (ok && loads[i]->errors) {
        fprintf(stderr, "bench_sandbox: %s: %ld errors during the warm-up\n", works[i]->name,
                loads[i]->errors);
        out[i].errors += loads[i]->errors;
      }
    }
  }
  for (int round = 0; ok && round < rounds; round++) {
    long share = count / rounds + (round < count % rounds ? 1 : 0);
    for (int i = 0; ok && i < n && share > 0; i++)
      ok = measure(loads[i], works[i], share, &acc[i]);
  }
  for (int i = 0; i < n; i++) {
    if (ok)
      result_finish(&out[i], &acc[i]);
    free(acc[i].latencies_us);
  }
  if (ok)
    *result_count += n;
  return ok;
}

/* ----- building requests ----- */

/* extra: more header lines, each ending in CRLF, or "". */
static char *request_build(const Server *server, const char *token, const char *method,
                           const char *target, const char *extra, const char *body,
                           size_t *length) {
  char body_headers[1024] = "";
  if (body)
    snprintf(body_headers, sizeof body_headers,
             "%sContent-Type: application/json\r\nContent-Length: %zu\r\n", extra, strlen(body));
  else
    snprintf(body_headers, sizeof body_headers, "%s", extra);
  const char *format = "%s %s HTTP/1.1\r\n"
                       "Host: %s:%s\r\n"
                       "Authorization: Bearer %s\r\n"
                       "Accept: application/json\r\n"
                       "MS-Contract-Version: v1\r\n"
                       "MS-CorrelationId: 6c2f7a4e-3d1b-4f7a-9a5e-2b8c0d1e4f60\r\n"
                       "%s\r\n%s";
  int n = snprintf(NULL, 0, format, method, target, server->host, server->port, token, body_headers,
                   body ? body : "");
  char *text = n > 0 ? malloc((size_t)n + 1) : NULL;
  if (!text)
    return NULL;
  snprintf(text, (size_t)n + 1, format, method, target, server->host, server->port, token,
           body_headers, body ? body : "");
  *length = (size_t)n;
  return text;
}

static void workload_free(Workload *w) {
  for (size_t i = 0; i < w->count; i++)
    free(w->requests[i]);
  free(w->requests);
  free(w->lengths);
  w->requests = NULL;
  w->lengths = NULL;
  w->count = 0;
}

static bool workload_one(Workload *w, const Server *server, const char *token, const char *method,
                         const char *target, const char *extra, const char *body) {
  w->requests = calloc(1, sizeof *w->requests);
  w->lengths = calloc(1, sizeof *w->lengths);
  if (!w->requests || !w->lengths)
    return false;
  w->count = 1;
  w->requests[0] = request_build(server, token, method, target, extra, body, &w->lengths[0]);
  return w->requests[0] != NULL;
}

static bool workload_create(Workload *w, const Server *server, const char *token, uint32_t nonce,
                            long capacity) {
  char target[256];
  snprintf(target, sizeof target, "/v1/customers/%s/carts", DOC_CUSTOMER);
  *w = (Workload){.name = NAME_CREATE, .expect = 201, .source = SOURCE_STAMPED};
  /* Each create carries its own MS-RequestId (stamped into this placeholder per request). */
  if (!workload_one(w, server, token, "POST", target,
                    REQUEST_ID_PREFIX "00000000-0000-4000-8000-000000000000\r\n", CART_BODY))
    return false;
  char *id = strstr(w->requests[0], REQUEST_ID_PREFIX);
  if (!id)
    return false;
  id += strlen(REQUEST_ID_PREFIX);
  /* A per-run prefix keeps ids distinct when a --url sandbox is measured twice. */
  for (int i = 7; i >= 0; i--, nonce >>= 4)
    id[i] = HEX[nonce & 0xF];
  w->stamp_at = (size_t)(id - w->requests[0]) + 24;
  w->capture_ids = true;
  w->ids_capacity = (size_t)capacity;
  w->ids = malloc((size_t)capacity * sizeof *w->ids);
  return w->ids != NULL;
}

static bool workload_gets(Workload *w, const Server *server, const char *token,
                          const Workload *created) {
  *w = (Workload){.name = NAME_GET, .expect = 200, .source = SOURCE_ROUND_ROBIN};
  if (created->ids_count == 0)
    return false;
  w->requests = calloc(created->ids_count, sizeof *w->requests);
  w->lengths = calloc(created->ids_count, sizeof *w->lengths);
  if (!w->requests || !w->lengths)
    return false;
  for (size_t i = 0; i < created->ids_count; i++) {
    char target[256];
    snprintf(target, sizeof target, "/v1/customers/%s/carts/%s", DOC_CUSTOMER, created->ids[i]);
    w->requests[i] = request_build(server, token, "GET", target, "", NULL, &w->lengths[i]);
    if (!w->requests[i])
      return false;
    w->count = i + 1;
  }
  return true;
}

/* ----- the run ----- */

static cJSON *curl_get_json(const char *base_url, const char *target, const char *token) {
  char url[1024];
  snprintf(url, sizeof url, "%s%s", base_url, target);
  long status = 0;
  Buffer reply;
  if (!curl_call("GET", url, token, NULL, NULL, &status, &reply))
    return NULL;
  cJSON *json = status == 200 ? cJSON_Parse(reply.data ? reply.data : "") : NULL;
  if (!json)
    fprintf(stderr, "bench_sandbox: GET %s answered %ld\n", target, status);
  free(reply.data);
  return json;
}

/* How many customers match "Con" (the size of a page that sandbox fills); 0 if unknown. */
static long filter_matches_fetch(const char *base_url, const char *token) {
  cJSON *page = curl_get_json(base_url, "/v1/customers?size=500&filter=" FILTER_CON, token);
  const cJSON *items = cJSON_GetObjectItemCaseSensitive(page, "items");
  long count = cJSON_IsArray(items) ? cJSON_GetArraySize(items) : 0;
  cJSON_Delete(page);
  return count;
}

/* The MS-ContinuationToken of the first page of 25 (NULL if none). */
static char *next_token_fetch(const char *base_url, const char *token) {
  cJSON *page = curl_get_json(base_url, "/v1/customers?size=25", token);
  const cJSON *links = cJSON_GetObjectItemCaseSensitive(page, "links");
  const cJSON *next = cJSON_GetObjectItemCaseSensitive(links, "next");
  const cJSON *headers = cJSON_GetObjectItemCaseSensitive(next, "headers");
  const cJSON *header;
  char *found = NULL;
  cJSON_ArrayForEach(header, headers) {
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(header, "key");
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(header, "value");
    if (!found && cJSON_IsString(key) && cJSON_IsString(value) &&
        strcasecmp(key->valuestring, "MS-ContinuationToken") == 0)
      found = strdup(value->valuestring);
  }
  cJSON_Delete(page);
  if (!found)
    fprintf(stderr, "bench_sandbox: the first page of 25 customers has no next link\n");
  return found;
}

/* One sandbox under test and the client's side of it. */
typedef struct Side {
  Server server;
  char *token;
  char *next_token;
  Load load;
} Side;

static void side_close(Side *side) {
  long rss = server_rss_kib(&side->server);
  if (rss >= 0)
    fprintf(stderr, "bench_sandbox: sandbox (%ld customers) RSS at the end: %.1f MiB\n",
            side->server.customers, (double)rss / 1024.0);
  load_close(&side->load);
  free(side->token);
  free(side->next_token);
  server_stop(&side->server);
}

static bool side_open(Side *side, const Options *options, long customers) {
  *side = (Side){.load = {.epoll_fd = -1}};
  if (!server_start(&side->server, options, customers))
    return false;
  fprintf(stderr, "bench_sandbox: sandbox at %s (%ld customers, ready in %.2f s)\n",
          side->server.url, side->server.customers, side->server.startup_s);
  side->token = token_fetch(side->server.url);
  side->next_token = side->token ? next_token_fetch(side->server.url, side->token) : NULL;
  return side->next_token && load_open(&side->load, &side->server, options->connections);
}

/* Cart creates, then GETs of the carts created. */
static bool carts_run(Side *side, const Options *options, Result *results, int *result_count) {
  if (!cart_check(side->server.url, side->token))
    return false;
  Workload create, gets = {0};
  Load *load = &side->load;
  Workload *work = &create;
  bool ok = workload_create(&create, &side->server, side->token, load->run_nonce,
                            options->warmup + options->requests) &&
            phase_run(&load, &work, 1, options, options->requests, 1, results, result_count) &&
            workload_gets(&gets, &side->server, side->token, &create);
  work = &gets;
  ok = ok && phase_run(&load, &work, 1, options, options->requests, 1, results, result_count);
  workload_free(&create);
  free(create.ids);
  workload_free(&gets);
  return ok;
}

typedef struct PageSpec {
  char name[96];
  char target[256];
  bool continuation;
} PageSpec;

/* Customer pages on every side, interleaved: a full page; the filter as asked (its page holds
 * as many items as match); the filter with a page size the smallest sandbox fills; and a
 * second page through MS-ContinuationToken, so that every size serves the same items. */
static bool pages_run(Side *sides, int n, const Options *options, long filter_size, Result *results,
                      int *result_count) {
  PageSpec specs[4] = {
      {"customer page (size=50)", "/v1/customers?size=50", false},
      {"customer page (size=50, starts_with Con)", "/v1/customers?size=50&filter=" FILTER_CON,
       false},
      {"", "", false},
      {"customer next page (size=25, continuation token)",
       "/v1/customers?size=25&seekOperation=Next", true},
  };
  snprintf(specs[2].name, sizeof specs[2].name, "customer page (size=%ld, starts_with Con)",
           filter_size);
  snprintf(specs[2].target, sizeof specs[2].target, "/v1/customers?size=%ld&filter=%s", filter_size,
           FILTER_CON);
  bool ok = true;
  for (int k = 0; ok && k < 4; k++) {
    Workload works[2] = {{0}};
    Workload *work_ptrs[2];
    Load *loads[2];
    for (int i = 0; ok && i < n; i++) {
      char extra[256] = "";
      if (specs[k].continuation)
        snprintf(extra, sizeof extra, "MS-ContinuationToken: %s\r\n", sides[i].next_token);
      works[i] = (Workload){.name = specs[k].name, .expect = 200, .source = SOURCE_ONE};
      ok = workload_one(&works[i], &sides[i].server, sides[i].token, "GET", specs[k].target, extra,
                        NULL);
      work_ptrs[i] = &works[i];
      loads[i] = &sides[i].load;
    }
    int first = *result_count;
    ok = ok && phase_run(loads, work_ptrs, n, options, options->page_requests, options->rounds,
                         results, result_count);
    /* Where the filter matches fewer than 50, its page is not the one the others serve. */
    for (int i = first; ok && k == 1 && i < *result_count; i++)
      results[i].informational = filter_size < 50;
    for (int i = 0; i < n; i++)
      workload_free(&works[i]);
  }
  return ok;
}

/* Carts against the small sandbox; customer pages against both sizes, side by side. */
static bool bench(const Options *options, Result *results, int *result_count) {
  Side sides[2];
  int n = 0;
  bool ok = side_open(&sides[n++], options, options->customers_small);
  ok = ok && carts_run(&sides[0], options, results, result_count);
  long filter_size = 0;
  if (ok) {
    long matches = filter_matches_fetch(sides[0].server.url, sides[0].token);
    ok = matches > 0; /* "Contoso, Ltd." is always customer 0 */
    /* One fewer than the matches, so that on every size the page has a next link, as the large
     * sandbox's page does: the same work apart from the number of customers behind it. */
    filter_size = matches > 51 ? 50 : matches > 1 ? matches - 1 : 1;
  }
  if (ok && options->mode != MODE_URL)
    ok = side_open(&sides[n++], options, options->customers_large);
  ok = ok && pages_run(sides, n, options, filter_size, results, result_count);
  for (int i = 0; i < n; i++)
    side_close(&sides[i]);
  return ok;
}

static void format_cpu(char *out, size_t size, double us) {
  if (isnan(us))
    snprintf(out, size, "n/a");
  else
    snprintf(out, size, "%.1f", us);
}

static const Result *result_find(const Result *results, int count, const char *name,
                                 long customers) {
  for (int i = 0; i < count; i++)
    if (strcmp(results[i].name, name) == 0 && (customers < 0 || results[i].customers == customers))
      return &results[i];
  return NULL;
}

static bool report(const Options *options, const Result *results, int count) {
  char model[256];
  cpu_model(model, sizeof model);
  printf("\nMachine: %ld online CPUs, %s\n", sysconf(_SC_NPROCESSORS_ONLN), model);
  printf("Mode: %s; %d connections, keep-alive, one request in flight each; warm-up %ld\n\n",
         options->mode == MODE_SPAWN        ? "sandbox as a separate process"
         : options->mode == MODE_IN_PROCESS ? "sandbox in-process"
                                            : "sandbox at --url",
         options->connections, options->warmup);
  printf("| phase | customers | requests | errors | req/s | p50 ms | p99 ms | client CPU µs/req "
         "| server CPU µs/req | reply bytes | other CPU %% |\n");
  printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  long errors = 0;
  for (int i = 0; i < count; i++) {
    const Result *r = &results[i];
    char client[32], server[32];
    format_cpu(client, sizeof client, r->client_us);
    format_cpu(server, sizeof server, r->server_us);
    char others[32];
    format_cpu(others, sizeof others, r->others_pct);
    printf("| %s | %ld | %ld | %ld | %.0f | %.2f | %.2f | %s | %s | %.0f | %s |\n", r->name,
           r->customers, r->requests, r->errors, r->per_s, r->p50_ms, r->p99_ms, client, server,
           r->bytes, others);
    errors += r->errors;
  }

  double worst = 0;
  for (int i = 0; i < count; i++)
    if (!isnan(results[i].others_pct) && results[i].others_pct > worst)
      worst = results[i].others_pct;
  if (worst > NOISY_OTHERS_PCT)
    printf("\nWarning: up to %.0f%% of the machine's CPU went to other work during a phase; "
           "these figures are disturbed (rerun on an idle machine).\n",
           worst);
  bool met = true;
  printf("\nTargets:\n");
  const Result *create = result_find(results, count, NAME_CREATE, -1);
  const Result *get = result_find(results, count, NAME_GET, -1);
  if (create) {
    bool ok = create->per_s >= TARGET_CREATES_PER_S;
    met = met && ok;
    printf("- cart creates >= %.0f/s: %s (%.0f/s)\n", TARGET_CREATES_PER_S, ok ? "met" : "NOT MET",
           create->per_s);
  }
  if (get) {
    bool ok = get->per_s >= TARGET_GETS_PER_S;
    met = met && ok;
    printf("- cart GETs >= %.0f/s: %s (%.0f/s)\n", TARGET_GETS_PER_S, ok ? "met" : "NOT MET",
           get->per_s);
  }
  if (options->mode != MODE_URL) {
    printf("\nCustomer pages, %ld customers vs %ld:\n\n", options->customers_small,
           options->customers_large);
    printf("| page | req/s @%ld | req/s @%ld | server CPU µs/req @%ld | @%ld | ratio | "
           "reply bytes @%ld | @%ld | same cost? |\n",
           options->customers_small, options->customers_large, options->customers_small,
           options->customers_large, options->customers_small, options->customers_large);
    printf("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
  }
  bool pages_met = true;
  for (int i = 0; i < count && options->mode != MODE_URL; i++) {
    const Result *small = &results[i];
    const Result *large = result_find(results, count, small->name, options->customers_large);
    if (small->customers != options->customers_small || !large ||
        strncmp(small->name, "customer", 8) != 0)
      continue;
    double ratio = large->server_us / small->server_us;
    bool ok = !isnan(ratio) && ratio <= TARGET_PAGE_COST_RATIO;
    if (!small->informational)
      pages_met = pages_met && ok;
    printf("| %s | %.0f | %.0f | %.1f | %.1f | %.2f | %.0f | %.0f | %s |\n", small->name,
           small->per_s, large->per_s, small->server_us, large->server_us, ratio, small->bytes,
           large->bytes,
           small->informational ? "n/a (different item counts)"
           : ok                 ? "yes"
                                : "NO");
  }
  if (options->mode != MODE_URL)
    printf("\n- customer pages cost the same at %ld as at %ld customers (server CPU within "
           "%.2fx for pages with the same items): %s\n",
           options->customers_large, options->customers_small, TARGET_PAGE_COST_RATIO,
           pages_met ? "met" : "NOT MET");
  met = met && pages_met;
  printf("- errors: %ld\n", errors);
  if (errors)
    return false;
  return met || !options->strict;
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: bench_sandbox [--server PATH | --url URL [--pid PID] | --in-process]\n"
          "                     [--connections N] [--requests N] [--page-requests N]\n"
          "                     [--warmup N] [--rounds N] [--customers-small N]\n"
          "                     [--customers-large N] [--strict]\n"
          "\n"
          "Load generator for pccart-sandbox (see docs/performance.md).\n"
          "  --server PATH         run PATH as the sandbox, a separate process (default %s)\n"
          "  --url URL             measure a sandbox that is already running (one size only)\n"
          "  --pid PID             with --url: the sandbox's pid, to report its CPU\n"
          "  --in-process          start the sandbox inside this process (sandbox_start)\n"
          "  --connections N       keep-alive connections, one request in flight each (8)\n"
          "  --requests N          measured cart creates, and cart GETs (50000)\n"
          "  --page-requests N     measured requests per customer-page phase (50000)\n"
          "  --warmup N            unmeasured requests before each phase (2000)\n"
          "  --rounds N            customer pages: turns taken by the two sandboxes (5)\n"
          "  --customers-small N   the small sandbox (75)\n"
          "  --customers-large N   the large sandbox (100000)\n"
          "  --strict              exit 1 when a target is missed, too\n",
          PCC_SANDBOX_EXE);
}

static bool parse_long(const char *text, long min, long max, long *out) {
  char *end;
  errno = 0;
  long v = text ? strtol(text, &end, 10) : 0;
  if (!text || errno || end == text || *end || v < min || v > max)
    return false;
  *out = v;
  return true;
}

static bool options_parse(int argc, char **argv, Options *o) {
  *o = (Options){.mode = MODE_SPAWN,
                 .server_exe = PCC_SANDBOX_EXE,
                 .connections = 8,
                 .requests = 50000,
                 .page_requests = 50000,
                 .warmup = 2000,
                 .customers_small = 75,
                 .customers_large = 100000,
                 .rounds = 5};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    long n = 0;
    if (strcmp(a, "--in-process") == 0) {
      o->mode = MODE_IN_PROCESS;
      continue;
    }
    if (strcmp(a, "--strict") == 0) {
      o->strict = true;
      continue;
    }
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      exit(0);
    }
    if (!v) {
      fprintf(stderr, "bench_sandbox: unknown option or missing value: %s\n", a);
      return false;
    }
    i++;
    if (strcmp(a, "--server") == 0) {
      o->mode = MODE_SPAWN;
      o->server_exe = v;
    } else if (strcmp(a, "--url") == 0) {
      o->mode = MODE_URL;
      o->url = v;
    } else if (strcmp(a, "--pid") == 0 && parse_long(v, 1, INT32_MAX, &n)) {
      o->url_pid = (pid_t)n;
    } else if (strcmp(a, "--connections") == 0 && parse_long(v, 1, MAX_CONNECTIONS, &n)) {
      o->connections = (int)n;
    } else if (strcmp(a, "--requests") == 0 && parse_long(v, 1, 100000000, &n)) {
      o->requests = n;
    } else if (strcmp(a, "--page-requests") == 0 && parse_long(v, 1, 100000000, &n)) {
      o->page_requests = n;
    } else if (strcmp(a, "--rounds") == 0 && parse_long(v, 1, 1000, &n)) {
      o->rounds = (int)n;
    } else if (strcmp(a, "--warmup") == 0 && parse_long(v, 0, 100000000, &n)) {
      o->warmup = n;
    } else if (strcmp(a, "--customers-small") == 0 && parse_long(v, 2, SANDBOX_MAX_CUSTOMERS, &n)) {
      o->customers_small = n;
    } else if (strcmp(a, "--customers-large") == 0 && parse_long(v, 2, SANDBOX_MAX_CUSTOMERS, &n)) {
      o->customers_large = n;
    } else {
      fprintf(stderr, "bench_sandbox: bad option or value: %s %s\n", a, v);
      return false;
    }
  }
  return true;
}

int main(int argc, char **argv) {
  Options options;
  if (!options_parse(argc, argv, &options)) {
    usage(stderr);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return 1;
  Result results[MAX_RESULTS];
  int count = 0;
  bool ok = bench(&options, results, &count);
  curl_global_cleanup();
  if (!ok) {
    fprintf(stderr, "bench_sandbox: the run did not complete\n");
    return 1;
  }
  return report(&options, results, count) ? 0 : 1;
}
