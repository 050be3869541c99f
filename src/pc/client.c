/* The client's settings, clouds, errors and identifiers: everything in client.h that is not
 * an HTTP call. pc_client_new checks every setting here so that a wrong one is named before
 * anything is sent. */
#define _GNU_SOURCE /* explicit_bzero */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "pc/internal.h"

/* ----- errors ----- */

void pc_error_clear(PcError *error) {
  if (!error)
    return;
  free(error->code_text);
  free(error->description);
  memset(error, 0, sizeof *error);
}

const char *pc_error_kind_name(PcErrorKind kind) {
  switch (kind) {
  case PC_ERROR_NONE:
    return "none";
  case PC_ERROR_HTTP:
    return "http";
  case PC_ERROR_AUTH:
    return "auth";
  case PC_ERROR_CONNECT:
    return "connect";
  case PC_ERROR_TLS:
    return "tls";
  case PC_ERROR_TIMEOUT:
    return "timeout";
  case PC_ERROR_NETWORK:
    return "network";
  case PC_ERROR_CANCELLED:
    return "cancelled";
  case PC_ERROR_BAD_REPLY:
    return "bad-reply";
  case PC_ERROR_INVALID:
    return "invalid";
  case PC_ERROR_NO_MEMORY:
    return "no-memory";
  }
  return "unknown";
}

void pc_error_set(PcError *error, PcErrorKind kind, const char *format, ...) {
  if (!error)
    return;
  pc_error_clear(error);
  error->kind = kind;
  va_list args;
  va_start(args, format);
  vsnprintf(error->message, sizeof error->message, format, args);
  va_end(args);
}

/* ----- clouds ----- */

typedef struct CloudPreset {
  const char *name;
  const char *api_base;
  const char *authority;
  const char *resource;
} CloudPreset;

/* partner-center-api.md §1: Germany and US Gov share the public API, with their own AAD. */
static const CloudPreset clouds[] = {
    [PC_CLOUD_PUBLIC] = {"public", "https://api.partnercenter.microsoft.com",
                         "https://login.microsoftonline.com/",
                         "https://api.partnercenter.microsoft.com"},
    [PC_CLOUD_CHINA] = {"china", "https://partner.partnercenterapi.microsoftonline.cn",
                        "https://login.chinacloudapi.cn/",
                        "https://partner.partnercenterapi.microsoftonline.cn"},
    [PC_CLOUD_USGOV] = {"usgov", "https://api.partnercenter.microsoft.com",
                        "https://login.microsoftonline.us/",
                        "https://api.partnercenter.microsoft.com"},
    [PC_CLOUD_GERMANY] = {"germany", "https://api.partnercenter.microsoft.com",
                          "https://login.microsoftonline.de/",
                          "https://api.partnercenter.microsoft.com"},
};

static bool cloud_valid(PcCloud cloud) {
  return cloud >= PC_CLOUD_PUBLIC && cloud <= PC_CLOUD_GERMANY;
}

bool pc_cloud_parse(const char *text, PcCloud *cloud) {
  if (!text || !cloud)
    return false;
  for (size_t i = 0; i < sizeof clouds / sizeof clouds[0]; i++) {
    if (strcasecmp(text, clouds[i].name) == 0) {
      *cloud = (PcCloud)i;
      return true;
    }
  }
  if (strcasecmp(text, "21vianet") == 0) {
    *cloud = PC_CLOUD_CHINA;
    return true;
  }
  return false;
}

const char *pc_cloud_name(PcCloud cloud) {
  return cloud_valid(cloud) ? clouds[cloud].name : NULL;
}
const char *pc_cloud_api_base(PcCloud cloud) {
  return cloud_valid(cloud) ? clouds[cloud].api_base : NULL;
}
const char *pc_cloud_authority(PcCloud cloud) {
  return cloud_valid(cloud) ? clouds[cloud].authority : NULL;
}
const char *pc_cloud_resource(PcCloud cloud) {
  return cloud_valid(cloud) ? clouds[cloud].resource : NULL;
}

/* ----- small helpers shared by the client's files ----- */

int64_t pc_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *pc_url_encode(const char *text) {
  static const char hex[] = "0123456789ABCDEF";
  size_t n = strlen(text);
  char *out = malloc(3 * n + 1);
  if (!out)
    return NULL;
  char *o = out;
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
      *o++ = (char)*p;
    } else {
      *o++ = '%';
      *o++ = hex[*p >> 4];
      *o++ = hex[*p & 15];
    }
  }
  *o = '\0';
  return out;
}

static bool host_is_loopback(const char *host) {
  if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0 ||
      strcmp(host, "[::1]") == 0 || strcmp(host, "::1") == 0)
    return true;
  struct in_addr addr;
  if (inet_pton(AF_INET, host, &addr) == 1)
    return (ntohl(addr.s_addr) >> 24) == 127;
  return false;
}

/* Parses scheme and host with libcurl's own URL parser, the one that will use the URL. */
static bool url_parts(const char *url, char **scheme, char **host) {
  *scheme = *host = NULL;
  CURLU *u = curl_url();
  if (!u)
    return false;
  bool ok = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_SCHEME, scheme, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_HOST, host, 0) == CURLUE_OK;
  curl_url_cleanup(u);
  if (!ok) {
    curl_free(*scheme);
    curl_free(*host);
    *scheme = *host = NULL;
  }
  return ok;
}

bool pc_url_is_loopback(const char *url, bool *https) {
  char *scheme, *host;
  if (!url_parts(url, &scheme, &host))
    return false;
  bool loopback = host_is_loopback(host);
  if (https)
    *https = strcasecmp(scheme, "https") == 0;
  curl_free(scheme);
  curl_free(host);
  return loopback;
}

/* NULL when the URL is acceptable: https anywhere, http only on loopback. */
static const char *url_problem(const char *url) {
  char *scheme, *host;
  if (!url_parts(url, &scheme, &host))
    return "is not a URL (expected https://host/...)";
  const char *problem = NULL;
  if (strcasecmp(scheme, "https") == 0)
    problem = NULL;
  else if (strcasecmp(scheme, "http") == 0)
    problem = host_is_loopback(host) ? NULL
                                     : "uses plain http:// for a host that is not this machine; "
                                       "only https:// is allowed there";
  else
    problem = "must start with https://";
  curl_free(scheme);
  curl_free(host);
  return problem;
}

/* ----- identifiers ----- */

void pc_new_request_id(char out[37]) {
  unsigned char b[16];
  if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
    /* getrandom cannot fail for 16 bytes once the pool is ready; a weaker fallback still
     * gives distinct ids within this process. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    static atomic_uint counter;
    unsigned seed = (unsigned)ts.tv_nsec ^ (unsigned)ts.tv_sec ^ atomic_fetch_add(&counter, 1);
    for (size_t i = 0; i < sizeof b; i++)
      b[i] = (unsigned char)(rand_r(&seed) >> 7);
  }
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
  snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
           b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
           b[15]);
}

void pc_call_info_clear(PcCallInfo *info) {
  if (!info)
    return;
  free(info->request_body);
  free(info->response_body);
  memset(info, 0, sizeof *info);
}

/* ----- the client ----- */

static void free_secret(char *secret) {
  if (secret) {
    explicit_bzero(secret, strlen(secret));
    free(secret);
  }
}

void pc_token_drop(PcClient *client) {
  free_secret(client->access_token);
  client->access_token = NULL;
  client->token_refresh_ms = 0;
}

void pc_client_free(PcClient *client) {
  if (!client)
    return;
  pc_token_drop(client);
  if (client->multi && client->easy)
    curl_multi_remove_handle(client->multi, client->easy); /* harmless when not added */
  if (client->easy)
    curl_easy_cleanup(client->easy);
  if (client->multi)
    curl_multi_cleanup(client->multi);
  free(client->api_base);
  free(client->authority);
  free(client->resource);
  free(client->tenant);
  free(client->client_id);
  free_secret(client->client_secret);
  free_secret(client->refresh_token);
  free(client->locale);
  free(client->country);
  free(client->ca_file);
  free(client);
}

/* A copy of text with up to `trim` trailing '/' removed and `append` added. */
static char *copy_url(const char *text, const char *append) {
  size_t n = strlen(text);
  while (n > 0 && text[n - 1] == '/')
    n--;
  size_t extra = append ? strlen(append) : 0;
  char *out = malloc(n + extra + 1);
  if (!out)
    return NULL;
  memcpy(out, text, n);
  memcpy(out + n, append ? append : "", extra);
  out[n + extra] = '\0';
  return out;
}

static bool has_control_chars(const char *text) {
  for (const unsigned char *p = (const unsigned char *)text; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return true;
  return false;
}

/* Checks one string setting: NULL/empty allowed only when !required; no control characters
 * (they would end a header or a form field early). */
static bool check_text(const char *value, const char *name, bool required, PcError *error) {
  if (!value || !value[0]) {
    if (required)
      pc_error_set(error, PC_ERROR_INVALID, "The setting %s is missing; it is required.", name);
    return !required;
  }
  if (has_control_chars(value)) {
    pc_error_set(error, PC_ERROR_INVALID,
                 "The setting %s contains a line break or another control character.", name);
    return false;
  }
  return true;
}

static bool check_number(long value, long max, const char *name, PcError *error) {
  if (value < 0 || value > max) {
    pc_error_set(error, PC_ERROR_INVALID, "The setting %s must be between 0 and %ld (it is %ld).",
                 name, max, value);
    return false;
  }
  return true;
}

static bool check_settings(const PcSettings *s, PcError *error) {
  if (!cloud_valid(s->cloud)) {
    pc_error_set(error, PC_ERROR_INVALID,
                 "The setting cloud is not one of public, china, usgov or germany.");
    return false;
  }
  if (s->auth_mode != PC_AUTH_APP_ONLY && s->auth_mode != PC_AUTH_APP_USER) {
    pc_error_set(error, PC_ERROR_INVALID,
                 "The setting auth_mode is neither app-only nor app+user.");
    return false;
  }
  if (s->token_endpoint != PC_TOKEN_V1 && s->token_endpoint != PC_TOKEN_V2) {
    pc_error_set(error, PC_ERROR_INVALID, "The setting token_endpoint is neither v1 nor v2.");
    return false;
  }
  if (!check_text(s->api_base, "api_base", false, error) ||
      !check_text(s->authority, "authority", false, error) ||
      !check_text(s->resource, "resource", false, error) ||
      !check_text(s->tenant, "tenant", true, error) ||
      !check_text(s->client_id, "client_id", true, error) ||
      !check_text(s->client_secret, "client_secret", true, error) ||
      !check_text(s->refresh_token, "refresh_token", s->auth_mode == PC_AUTH_APP_USER, error) ||
      !check_text(s->locale, "locale", false, error) ||
      !check_text(s->country, "country", false, error) ||
      !check_text(s->ca_file, "ca_file", false, error))
    return false;
  const char *urls[][2] = {{"api_base", s->api_base}, {"authority", s->authority}};
  for (size_t i = 0; i < 2; i++) {
    const char *problem = urls[i][1] && urls[i][1][0] ? url_problem(urls[i][1]) : NULL;
    if (problem) {
      pc_error_set(error, PC_ERROR_INVALID, "The setting %s (%.200s) %s.", urls[i][0], urls[i][1],
                   problem);
      return false;
    }
  }
  const long day = 24L * 3600 * 1000;
  return check_number(s->connect_timeout_ms, day, "connect_timeout_ms", error) &&
         check_number(s->request_timeout_ms, day, "request_timeout_ms", error) &&
         check_number(s->checkout_timeout_ms, day, "checkout_timeout_ms", error) &&
         check_number(s->max_attempts, 100, "max_attempts", error) &&
         check_number(s->backoff_base_ms, day, "backoff_base_ms", error) &&
         check_number(s->backoff_max_ms, day, "backoff_max_ms", error) &&
         check_number(s->retry_after_max_ms, day, "retry_after_max_ms", error);
}

static char *dup_or(const char *value, const char *fallback) {
  return strdup(value && value[0] ? value : fallback);
}

PcClient *pc_client_new(const PcSettings *settings, PcError *error) {
  if (!settings) {
    pc_error_set(error, PC_ERROR_INVALID, "No settings were given to the Partner Center client.");
    return NULL;
  }
  if (!check_settings(settings, error))
    return NULL;
  PcClient *c = calloc(1, sizeof *c);
  if (!c) {
    pc_error_set(error, PC_ERROR_NO_MEMORY, "Out of memory while preparing the connection.");
    return NULL;
  }
  const PcSettings *s = settings;
  const char *api_base = s->api_base && s->api_base[0] ? s->api_base : pc_cloud_api_base(s->cloud);
  const char *authority =
      s->authority && s->authority[0] ? s->authority : pc_cloud_authority(s->cloud);
  const char *resource = s->resource && s->resource[0] ? s->resource : pc_cloud_resource(s->cloud);
  c->api_base = copy_url(api_base, NULL);
  c->authority = copy_url(authority, "/");
  c->resource = copy_url(resource, NULL);
  c->tenant = strdup(s->tenant);
  c->client_id = strdup(s->client_id);
  c->client_secret = strdup(s->client_secret);
  c->refresh_token = s->refresh_token && s->refresh_token[0] ? strdup(s->refresh_token) : NULL;
  c->locale = dup_or(s->locale, "en-US");
  c->country = dup_or(s->country, "US");
  c->ca_file = s->ca_file && s->ca_file[0] ? strdup(s->ca_file) : NULL;
  c->auth_mode = s->auth_mode;
  c->token_endpoint = s->token_endpoint;
  c->connect_timeout_ms = s->connect_timeout_ms ? s->connect_timeout_ms : 10000;
  c->request_timeout_ms = s->request_timeout_ms ? s->request_timeout_ms : 30000;
  c->checkout_timeout_ms = s->checkout_timeout_ms ? s->checkout_timeout_ms : 120000;
  c->max_attempts = s->max_attempts ? s->max_attempts : 4;
  c->backoff_base_ms = s->backoff_base_ms ? s->backoff_base_ms : 800;
  c->backoff_max_ms = s->backoff_max_ms ? s->backoff_max_ms : 10000;
  c->retry_after_max_ms = s->retry_after_max_ms ? s->retry_after_max_ms : 60000;
  c->log = s->log;
  c->on_retry = s->on_retry;
  c->on_retry_user = s->on_retry_user;
  atomic_init(&c->cancelled, false);
  c->easy = curl_easy_init();
  c->multi = curl_multi_init();
  bool ok = c->api_base && c->authority && c->resource && c->tenant && c->client_id &&
            c->client_secret && (c->refresh_token || s->auth_mode == PC_AUTH_APP_ONLY) &&
            c->locale && c->country && (c->ca_file || !(s->ca_file && s->ca_file[0])) && c->easy &&
            c->multi;
  if (!ok) {
    pc_client_free(c);
    pc_error_set(error, PC_ERROR_NO_MEMORY, "Out of memory while preparing the connection.");
    return NULL;
  }
  /* Registered now, so no later line (a DEBUG dump of the token request) can carry them. */
  pc_log_add_secret(c->log, c->client_secret);
  if (c->refresh_token)
    pc_log_add_secret(c->log, c->refresh_token);
  return c;
}

void pc_client_cancel(PcClient *client) {
  if (!client)
    return;
  atomic_store(&client->cancelled, true);
  curl_multi_wakeup(client->multi);
}

bool pc_client_is_cancelled(PcClient *client) {
  return client && atomic_load(&client->cancelled);
}

void pc_client_clear_cancel(PcClient *client) {
  if (client)
    atomic_store(&client->cancelled, false);
}

void pc_client_forget_token(PcClient *client) {
  if (client)
    pc_token_drop(client);
}
