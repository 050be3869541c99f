/* libmicrohttpd glue: starting and stopping, reading bodies within limits, answering in
 * JSON, the request log, and the in-process start used by the app and the tests. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "sandbox/internal.h"
#include "sandbox/seed.h"

typedef struct Upload {
  char *data;
  size_t size;
  size_t capacity;
  bool too_large;
  bool answered; /* a reply is queued (413 before the body) */
} Upload;

const char *request_arg(const SandboxRequest *request, const char *name) {
  return MHD_lookup_connection_value(request->connection, MHD_GET_ARGUMENT_KIND, name);
}

const char *request_header(const SandboxRequest *request, const char *name) {
  return MHD_lookup_connection_value(request->connection, MHD_HEADER_KIND, name);
}

bool response_json_take(SandboxResponse *response, int status, cJSON *json) {
  if (!json)
    return false;
  char *text = model_json_print(json);
  cJSON_Delete(json);
  if (!text)
    return false;
  free(response->body);
  response->body = text;
  response->status = status;
  return true;
}

/* Length of the valid UTF-8 sequence at p, or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *p) {
  if (p[0] < 0x80)
    return 1;
  size_t n = p[0] >= 0xF0 && p[0] <= 0xF4  ? 4
             : p[0] >= 0xE0                ? 3
             : p[0] >= 0xC2 && p[0] < 0xE0 ? 2
                                           : 0;
  for (size_t i = 1; i < n; i++)
    if ((p[i] & 0xC0) != 0x80)
      return 0;
  return n;
}

size_t sandbox_utf8_invalid_at(const char *text, size_t size) {
  const unsigned char *p = (const unsigned char *)text;
  for (size_t i = 0; i < size;) {
    size_t n = p[i] ? utf8_sequence(p + i) : 1;
    if (n == 0 || i + n > size)
      return i;
    i += n;
  }
  return SIZE_MAX;
}

bool response_error(SandboxResponse *response, int status, long code, const char *description) {
  /* Descriptions quote what the client sent; a reply must stay valid UTF-8 JSON. */
  char clean[1024];
  size_t o = 0;
  const unsigned char *p = (const unsigned char *)(description ? description : "");
  while (*p && o + 5 < sizeof clean) {
    size_t n = utf8_sequence(p);
    if (n == 0 || n > strlen((const char *)p)) {
      clean[o++] = '?';
      p++;
      continue;
    }
    memcpy(clean + o, p, n);
    o += n;
    p += n;
  }
  clean[o] = '\0';
  return response_json_take(response, status, api_error_body(code, clean));
}

void response_clear(SandboxResponse *response) {
  free(response->body);
  kv_list_clear(&response->headers);
  memset(response, 0, sizeof *response);
}

static bool upload_append(Upload *upload, const char *data, size_t size) {
  if (upload->too_large)
    return true;
  if (upload->size + size > SANDBOX_MAX_BODY) {
    upload->too_large = true;
    free(upload->data);
    upload->data = NULL;
    upload->size = upload->capacity = 0;
    return true;
  }
  if (upload->size + size + 1 > upload->capacity) {
    size_t capacity = upload->capacity ? upload->capacity : 4096;
    while (capacity < upload->size + size + 1)
      capacity *= 2;
    char *bigger = realloc(upload->data, capacity);
    if (!bigger)
      return false;
    upload->data = bigger;
    upload->capacity = capacity;
  }
  memcpy(upload->data + upload->size, data, size);
  upload->size += size;
  upload->data[upload->size] = '\0';
  return true;
}

static bool client_is_loopback(struct MHD_Connection *connection) {
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!info || !info->client_addr)
    return false;
  const struct sockaddr *addr = info->client_addr;
  if (addr->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (addr->sa_family == AF_INET6) {
    const struct in6_addr *a = &((const struct sockaddr_in6 *)addr)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(a))
      return true;
    return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
  }
  return false;
}

/* ----- the request log (for /_sandbox/requests and --log) ----- */

static void log_entry_clear(RequestLogEntry *e) {
  free(e->method);
  free(e->path);
  free(e->query);
  free(e->op);
  free(e->request_id);
  free(e->correlation_id);
  free(e->body);
  kv_list_clear(&e->headers);
  memset(e, 0, sizeof *e);
}

static bool is_secret_header(const char *name) {
  return strcasecmp(name, "Authorization") == 0 || strcasecmp(name, "Cookie") == 0 ||
         strcasecmp(name, "Proxy-Authorization") == 0;
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value) {
  KeyValueList *headers = cls;
  kv_list_add(headers, key, is_secret_header(key) ? "[redacted]" : (value ? value : ""));
  return MHD_YES;
}

typedef struct QueryBuilder {
  char *text;
  size_t size;
} QueryBuilder;

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value) {
  QueryBuilder *q = cls;
  size_t add = strlen(key) + (value ? strlen(value) : 0) + 2;
  char *bigger = realloc(q->text, q->size + add + 1);
  if (!bigger)
    return MHD_NO;
  q->text = bigger;
  q->size += (size_t)sprintf(q->text + q->size, "%s%s%s%s", q->size ? "&" : "", key,
                             value ? "=" : "", value ? value : "");
  return MHD_YES;
}

/* Token requests carry secrets in their form body: keep the field names, drop the values. */
static char *redact_form(const char *body) {
  static const char *const secret_fields[] = {
      "client_secret=", "refresh_token=", "assertion=", "password=", "code="};
  char *copy = strdup(body);
  if (!copy)
    return NULL;
  char *out = malloc(strlen(body) + 64 * 8 + 1);
  if (!out) {
    free(copy);
    return NULL;
  }
  out[0] = '\0';
  char *save = NULL;
  for (char *field = strtok_r(copy, "&", &save); field; field = strtok_r(NULL, "&", &save)) {
    if (out[0])
      strcat(out, "&");
    bool secret = false;
    for (size_t i = 0; i < sizeof secret_fields / sizeof secret_fields[0]; i++)
      if (strncmp(field, secret_fields[i], strlen(secret_fields[i])) == 0) {
        strncat(out, field, strlen(secret_fields[i]));
        strcat(out, "[redacted]");
        secret = true;
      }
    if (!secret)
      strcat(out, field);
  }
  free(copy);
  return out;
}

static void log_request(Sandbox *sandbox, const SandboxRequest *request,
                        const SandboxResponse *response) {
  RequestLogEntry e = {0};
  QueryBuilder query = {0};
  MHD_get_connection_values(request->connection, MHD_HEADER_KIND, collect_header, &e.headers);
  MHD_get_connection_values(request->connection, MHD_GET_ARGUMENT_KIND, collect_arg, &query);
  bool is_token = request->op && strcmp(request->op, "token") == 0;
  e.method = strdup(request->method);
  e.path = strdup(request->path);
  e.query = query.text ? query.text : strdup("");
  e.op = strdup(request->op ? request->op : "");
  e.request_id = strdup(request->request_id);
  e.correlation_id = strdup(request->correlation_id);
  e.body = is_token ? redact_form(request->body ? request->body : "")
                    : strdup(request->body ? request->body : "");
  e.status = response->drop ? 0 : response->status;

  if (sandbox->log_file) {
    char when[40];
    sandbox_format_time(sandbox_clock_now(sandbox), when, sizeof when);
    pthread_mutex_lock(&sandbox->log_file_lock);
    fprintf(sandbox->log_file, "%s %s %s%s%s %d op=%s request-id=%s correlation-id=%s\n", when,
            request->method, request->path, e.query && e.query[0] ? "?" : "",
            e.query ? e.query : "", e.status, request->op ? request->op : "-", request->request_id,
            request->correlation_id);
    fflush(sandbox->log_file);
    pthread_mutex_unlock(&sandbox->log_file_lock);
  }

  pthread_mutex_lock(&sandbox->log_lock);
  RequestLogEntry *slot = &sandbox->log[sandbox->log_next];
  log_entry_clear(slot);
  *slot = e;
  sandbox->log_next = (sandbox->log_next + 1) % SANDBOX_REQUEST_LOG_SIZE;
  if (sandbox->log_count < SANDBOX_REQUEST_LOG_SIZE)
    sandbox->log_count++;
  pthread_mutex_unlock(&sandbox->log_lock);
}

/* ----- answering ----- */

static void copy_id_header(const SandboxRequest *request, const char *name, char *out,
                           size_t size) {
  const char *value = request_header(request, name);
  if (value && value[0] && strlen(value) < size)
    snprintf(out, size, "%s", value);
  else
    sandbox_guid(out);
}

static enum MHD_Result send_response(SandboxRequest *request, SandboxResponse *response) {
  if (!response->body) {
    response->status = 500;
    response->body = strdup(
        "{\n  \"code\": 800003,\n  \"description\": \"Unexpected service error.\",\n  \"data\": "
        "[],\n  \"source\": \"PartnerFD\"\n}\n");
    if (!response->body)
      return MHD_NO;
  }
  size_t length = strlen(response->body);
  struct MHD_Response *reply =
      MHD_create_response_from_buffer(length, response->body, MHD_RESPMEM_MUST_FREE);
  if (!reply)
    return MHD_NO;
  response->body = NULL; /* MHD frees it */
  char cv[32], locale[80];
  sandbox_random_id(cv, 16);
  strcat(cv, ".0");
  snprintf(locale, sizeof locale, "%s,%s", request->locale, request->locale);
  MHD_add_response_header(reply, "Content-Type", "application/json; charset=utf-8");
  MHD_add_response_header(reply, "MS-RequestId", request->request_id);
  MHD_add_response_header(reply, "MS-CorrelationId", request->correlation_id);
  MHD_add_response_header(reply, "MS-CV", cv);
  MHD_add_response_header(reply, "MS-ServerId", "000001");
  MHD_add_response_header(reply, "X-Locale", locale);
  for (size_t i = 0; i < response->headers.count; i++)
    MHD_add_response_header(reply, response->headers.items[i].key,
                            response->headers.items[i].value);
  enum MHD_Result result =
      MHD_queue_response(request->connection, (unsigned)response->status, reply);
  MHD_destroy_response(reply);
  return result;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **state) {
  Sandbox *sandbox = cls;
  Upload *upload = *state;
  if (!upload) {
    upload = calloc(1, sizeof *upload);
    if (!upload)
      return MHD_NO;
    *state = upload;
    /* A body declared too large is refused before it is sent, as a front door would. */
    const char *declared =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!declared || strtoull(declared, NULL, 10) <= SANDBOX_MAX_BODY)
      return MHD_YES;
    upload->too_large = true;
  }
  if (*upload_data_size > 0 && upload->too_large && upload->answered) {
    *upload_data_size = 0; /* discard what arrives after the 413 */
    return MHD_YES;
  }
  if (*upload_data_size > 0 && !upload->too_large) {
    bool ok = upload_append(upload, upload_data, *upload_data_size);
    *upload_data_size = 0;
    return ok ? MHD_YES : MHD_NO;
  }

  SandboxRequest request = {
      .method = method,
      .path = url,
      .connection = connection,
      .body = upload->data ? upload->data : "",
      .body_size = upload->size,
  };
  copy_id_header(&request, "MS-RequestId", request.request_id, sizeof request.request_id);
  copy_id_header(&request, "MS-CorrelationId", request.correlation_id,
                 sizeof request.correlation_id);
  const char *locale = request_header(&request, "X-Locale");
  snprintf(request.locale, sizeof request.locale, "%s",
           locale && locale[0] && strlen(locale) < sizeof request.locale ? locale : "en-US");

  SandboxResponse response = {0};
  upload->answered = true;
  if (upload->too_large) {
    response_error(&response, 413, PC_CODE_INVALID_REQUEST_INPUT,
                   "The request body is larger than the 1 MiB the sandbox accepts.");
  } else if (strncmp(url, "/_sandbox/", 10) == 0 || strcmp(url, "/_sandbox") == 0) {
    request.op = "control";
    if (client_is_loopback(connection))
      control_dispatch(sandbox, &request, &response);
    else
      response_error(&response, 403, PC_CODE_ACCESS_DENIED,
                     "The sandbox control API answers loopback clients only.");
  } else {
    routes_dispatch(sandbox, &request, &response);
  }
  log_request(sandbox, &request, &response);
  if (response.drop) {
    response_clear(&response);
    return MHD_NO; /* closes the connection with no reply */
  }
  enum MHD_Result result = send_response(&request, &response);
  response_clear(&response);
  return result;
}

/* Decodes %XX in the path and query in place, but keeps "%00" as it is: a NUL would
 * silently cut the path short ("/v1/customers/%00" is not the customer list). */
static size_t unescape(void *cls, struct MHD_Connection *connection, char *text) {
  char *out = text;
  for (const char *in = text; *in;) {
    if (in[0] == '%' && isxdigit((unsigned char)in[1]) && isxdigit((unsigned char)in[2]) &&
        !(in[1] == '0' && in[2] == '0')) {
      char hex[3] = {in[1], in[2], 0};
      *out++ = (char)strtol(hex, NULL, 16);
      in += 3;
    } else {
      *out++ = *in++;
    }
  }
  *out = '\0';
  return (size_t)(out - text);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **state,
                         enum MHD_RequestTerminationCode code) {
  Upload *upload = *state;
  if (upload) {
    free(upload->data);
    free(upload);
    *state = NULL;
  }
}

/* ----- start and stop ----- */

static void set_err(char *err, size_t size, const char *fmt, ...) {
  if (!err || !size)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, size, fmt, ap);
  va_end(ap);
}

static bool resolve_listen(const char *host, unsigned short port, struct sockaddr_storage *addr,
                           socklen_t *len, char *err, size_t err_size) {
  struct addrinfo hints = {
      .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV | AI_PASSIVE};
  struct addrinfo *found = NULL;
  char service[8];
  snprintf(service, sizeof service, "%u", port);
  int rc = getaddrinfo(host, service, &hints, &found);
  if (rc != 0 || !found) {
    set_err(err, err_size, "cannot listen on %s: %s", host, gai_strerror(rc));
    return false;
  }
  memcpy(addr, found->ai_addr, found->ai_addrlen);
  *len = found->ai_addrlen;
  freeaddrinfo(found);
  return true;
}

static void sandbox_free(Sandbox *sandbox) {
  if (!sandbox)
    return;
  sandbox_shared_close(sandbox);
  for (size_t i = 0; i < SANDBOX_REQUEST_LOG_SIZE; i++)
    log_entry_clear(&sandbox->log[i]);
  store_free(sandbox->store);
  customer_index_free(sandbox->customers);
  catalog_free(sandbox->catalog);
  faults_destroy(&sandbox->faults);
  pthread_mutex_destroy(&sandbox->lock);
  pthread_mutex_destroy(&sandbox->log_lock);
  pthread_mutex_destroy(&sandbox->log_file_lock);
  free(sandbox->state_file);
  free(sandbox->lock_path);
  free(sandbox->client_secret);
  free(sandbox);
}

Sandbox *sandbox_start(const SandboxOptions *options, char *err, size_t err_size) {
  SandboxOptions defaults = {0};
  if (!options)
    options = &defaults;
  long customers = options->customers ? options->customers : SANDBOX_DEFAULT_CUSTOMERS;
  if (customers < 2 || customers > SANDBOX_MAX_CUSTOMERS) {
    set_err(err, err_size, "--customers must be from 2 to %d (got %ld)", SANDBOX_MAX_CUSTOMERS,
            customers);
    return NULL;
  }
  const char *scenario = options->scenario ? options->scenario : "default";
  if (!sandbox_scenario_find(scenario)) {
    char names[512] = "";
    for (size_t i = 0; i < sandbox_scenario_count(); i++) {
      strncat(names, i ? ", " : "", sizeof names - strlen(names) - 1);
      strncat(names, sandbox_scenario_at(i)->name, sizeof names - strlen(names) - 1);
    }
    set_err(err, err_size, "unknown scenario \"%s\"; the scenarios are: %s", scenario, names);
    return NULL;
  }

  Sandbox *sandbox = calloc(1, sizeof *sandbox);
  if (!sandbox) {
    set_err(err, err_size, "out of memory");
    return NULL;
  }
  sandbox->lock_fd = -1;
  pthread_mutex_init(&sandbox->lock, NULL);
  pthread_mutex_init(&sandbox->log_lock, NULL);
  pthread_mutex_init(&sandbox->log_file_lock, NULL);
  if (!faults_init(&sandbox->faults)) {
    free(sandbox);
    set_err(err, err_size, "cannot initialise the sandbox's locks");
    return NULL;
  }
  sandbox->options = *options;
  sandbox->options.host = NULL;
  sandbox->options.scenario = NULL;
  sandbox->options.state_file = NULL;
  sandbox->options.client_secret = NULL;
  sandbox->log_file = options->log;
  sandbox->client_secret =
      strdup(options->client_secret ? options->client_secret : SANDBOX_CLIENT_SECRET);
  if (!sandbox->client_secret) {
    set_err(err, err_size, "out of memory");
    sandbox_free(sandbox);
    return NULL;
  }
  snprintf(sandbox->scenario, sizeof sandbox->scenario, "%s", scenario);
  if (!scenario_apply(scenario, &sandbox->settings, &sandbox->faults)) {
    set_err(err, err_size, "out of memory applying scenario %s", scenario);
    sandbox_free(sandbox);
    return NULL;
  }
  if (sandbox->settings.max_customers && customers > sandbox->settings.max_customers)
    customers = sandbox->settings.max_customers;
  sandbox->options.customers = customers;
  sandbox->catalog = seed_catalog_new();
  sandbox->customers = customer_index_new(customers);
  sandbox->store = store_new();
  if (!sandbox->catalog || !sandbox->customers || !sandbox->store) {
    set_err(err, err_size, "out of memory building the seed data");
    sandbox_free(sandbox);
    return NULL;
  }
  if (options->state_file) {
    sandbox->state_file = strdup(options->state_file);
    if (!sandbox->state_file) {
      set_err(err, err_size, "out of memory");
      sandbox_free(sandbox);
      return NULL;
    }
    /* Read under the lock other sandboxes on the same file take (see shared.c). */
    if (!sandbox_shared_open(sandbox, err, err_size)) {
      sandbox_free(sandbox);
      return NULL;
    }
  }

  const char *host = options->host ? options->host : SANDBOX_DEFAULT_HOST;
  struct sockaddr_storage addr;
  socklen_t addr_len;
  if (!resolve_listen(host, options->port, &addr, &addr_len, err, err_size)) {
    sandbox_free(sandbox);
    return NULL;
  }
  unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
  if (addr.ss_family == AF_INET6)
    flags |= MHD_USE_IPv6;
  sandbox->daemon = MHD_start_daemon(
      flags, options->port, NULL, NULL, on_request, sandbox, MHD_OPTION_SOCK_ADDR,
      (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, on_completed, sandbox,
      MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      (size_t)(256 * 1024), MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
      MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)256, MHD_OPTION_END);
  if (!sandbox->daemon) {
    set_err(err, err_size, "cannot listen on %s:%u (is the port in use?)", host, options->port);
    sandbox_free(sandbox);
    return NULL;
  }
  const union MHD_DaemonInfo *info =
      MHD_get_daemon_info(sandbox->daemon, MHD_DAEMON_INFO_BIND_PORT);
  sandbox->port = info ? info->port : options->port;
  bool v6 = addr.ss_family == AF_INET6;
  snprintf(sandbox->url, sizeof sandbox->url, "http://%s%s%s:%u", v6 ? "[" : "", host,
           v6 ? "]" : "", sandbox->port);
  return sandbox;
}

unsigned short sandbox_port(const Sandbox *sandbox) {
  return sandbox->port;
}

const char *sandbox_url(const Sandbox *sandbox) {
  return sandbox->url;
}

void sandbox_stop(Sandbox *sandbox) {
  if (!sandbox)
    return;
  faults_stop(&sandbox->faults); /* wakes held and delayed requests so their threads end */
  if (sandbox->daemon)
    MHD_stop_daemon(sandbox->daemon);
  sandbox_free(sandbox);
}
