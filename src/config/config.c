/* Reading the configuration file: libconfig parses, this file checks every setting (type,
 * range, allowed values, unknown names) and builds the Config, with file:line:setting in
 * every message. */
#include "config/config.h"

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/internal.h"

/* A configuration is a few kilobytes; anything this large is not one. */
#define CONFIG_MAX_BYTES (1024 * 1024)

#define TIMEOUT_MIN_S 1
#define TIMEOUT_MAX_S 600
#define CUSTOMERS_MIN 2
#define CUSTOMERS_MAX 100000

typedef struct Loader {
  const char *path; /* the main file: settings without a source file come from it */
  const char *dir;  /* relative paths are relative to it */
  const char *text; /* the main file's text, to catch integers libconfig 1.5 wraps silently */
  ConfigError *err;
} Loader;

/* ----- messages ----- */

/* Messages are cut at the buffer's size on purpose (a very long path), hence vsnprintf. */
__attribute__((format(printf, 2, 3))) static void error_set(ConfigError *err, const char *format,
                                                            ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(err->message, sizeof err->message, format, args);
  va_end(args);
}

/* An @included file is named as written, relative to the include directory. */
static const char *source_name(const Loader *loader, const char *file, char *buf, size_t size) {
  if (!file) {
    return loader->path;
  }
  if (file[0] == '/' || strcmp(loader->dir, ".") == 0) {
    return file;
  }
  snprintf(buf, size, "%s/%s", loader->dir, file);
  return buf;
}

static const char *setting_file(const Loader *loader, const config_setting_t *setting, char *buf,
                                size_t size) {
  return source_name(loader, setting ? config_setting_source_file(setting) : NULL, buf, size);
}

/* "profiles.contoso.auth", "ui.keys.checkout[1]". */
static void setting_path(const config_setting_t *setting, char *out, size_t size) {
  if (!setting || !setting->parent) { /* the root has no name */
    out[0] = '\0';
    return;
  }
  setting_path(setting->parent, out, size);
  size_t used = strlen(out);
  const char *name = config_setting_name(setting);
  if (name) {
    snprintf(out + used, size - used, "%s%s", used ? "." : "", name);
  } else {
    snprintf(out + used, size - used, "[%d]", config_setting_index(setting));
  }
}

/* "FILE:LINE: SETTING: message"; always returns false so callers can `return fail(...)`. */
__attribute__((format(printf, 3, 4))) static bool
fail(Loader *loader, const config_setting_t *setting, const char *format, ...) {
  char where[256];
  setting_path(setting, where, sizeof where);
  char text[700];
  va_list args;
  va_start(args, format);
  vsnprintf(text, sizeof text, format, args);
  va_end(args);
  unsigned line = setting ? config_setting_source_line(setting) : 0;
  char buf[PATH_MAX];
  const char *file = setting_file(loader, setting, buf, sizeof buf);
  if (line > 0 && where[0]) {
    error_set(loader->err, "%s:%u: %s: %s", file, line, where, text);
  } else if (where[0]) {
    error_set(loader->err, "%s: %s: %s", file, where, text);
  } else {
    error_set(loader->err, "%s: %s", file, text);
  }
  return false;
}

static bool fail_no_memory(Loader *loader) {
  error_set(loader->err, "%s: out of memory", loader->path);
  return false;
}

/* A value quoted for a message, control characters shown as '?' and long ones cut. */
static const char *quote(const char *value, char *out, size_t size) {
  size_t n = 0;
  const char *c = value;
  out[n++] = '"';
  for (; *c && n + 6 < size; c++) {
    out[n++] = ((unsigned char)*c < 0x20 || *c == 0x7f) ? '?' : *c;
  }
  if (*c) {
    memcpy(out + n, "...", 3);
    n += 3;
  }
  out[n++] = '"';
  out[n] = '\0';
  return out;
}

static const char *type_name(const config_setting_t *setting) {
  switch (config_setting_type(setting)) {
  case CONFIG_TYPE_GROUP:
    return "a group { ... }";
  case CONFIG_TYPE_INT:
  case CONFIG_TYPE_INT64:
    return "a whole number";
  case CONFIG_TYPE_FLOAT:
    return "a decimal number";
  case CONFIG_TYPE_STRING:
    return "a string";
  case CONFIG_TYPE_BOOL:
    return "true or false";
  case CONFIG_TYPE_ARRAY:
    return "an array [ ... ]";
  case CONFIG_TYPE_LIST:
    return "a list ( ... )";
  default:
    return "nothing";
  }
}

/* ----- typed values ----- */

/* A string with no control characters (they would end up in headers and messages). */
static bool get_string(Loader *loader, const config_setting_t *setting, const char *expected,
                       const char **out) {
  if (config_setting_type(setting) != CONFIG_TYPE_STRING) {
    return fail(loader, setting, "expected %s, got %s", expected, type_name(setting));
  }
  const char *value = config_setting_get_string(setting);
  if (!value || !value[0]) {
    return fail(loader, setting, "expected %s, got an empty string", expected);
  }
  for (const char *c = value; *c; c++) {
    if ((unsigned char)*c < 0x20 || *c == 0x7f) {
      return fail(loader, setting, "expected %s, got a string with a control character", expected);
    }
  }
  *out = value;
  return true;
}

static bool get_string_dup(Loader *loader, const config_setting_t *setting, const char *expected,
                           char **out) {
  const char *value = NULL;
  if (!get_string(loader, setting, expected, &value)) {
    return false;
  }
  char *copy = strdup(value);
  if (!copy) {
    return fail_no_memory(loader);
  }
  free(*out);
  *out = copy;
  return true;
}

/* libconfig 1.5 stores a decimal literal beyond int's range wrapped (4294967297 reads as 1)
 * with no error. For a setting of the main file, read the literal on its line again and say
 * so when it is not the value libconfig kept. */
static bool literal_wrapped(const Loader *loader, const config_setting_t *setting, long long value,
                            char *literal, size_t size) {
  if (config_setting_source_file(setting) || !loader->text || !config_setting_name(setting)) {
    return false;
  }
  const char *line = loader->text;
  for (unsigned n = 1; n < config_setting_source_line(setting) && line; n++) {
    line = strchr(line, '\n');
    line = line ? line + 1 : NULL;
  }
  if (!line) {
    return false;
  }
  const char *end = strchr(line, '\n');
  size_t line_len = end ? (size_t)(end - line) : strlen(line);
  const char *name = config_setting_name(setting);
  size_t name_len = strlen(name);
  bool wrapped = false;
  for (const char *at = line; at + name_len <= line + line_len; at++) {
    if (strncmp(at, name, name_len) != 0) {
      continue;
    }
    if (at > line &&
        (at[-1] == '_' || at[-1] == '-' || at[-1] == '*' || (at[-1] >= '0' && at[-1] <= '9') ||
         ((at[-1] | 0x20) >= 'a' && (at[-1] | 0x20) <= 'z'))) {
      continue;
    }
    const char *p = at + name_len;
    while (*p == ' ' || *p == '\t') {
      p++;
    }
    if (*p != '=' && *p != ':') {
      continue;
    }
    p++;
    while (*p == ' ' || *p == '\t') {
      p++;
    }
    /* libconfig reads 010 as ten and 0x10 as sixteen */
    const char *digits = p + (*p == '-' || *p == '+');
    int base = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X') ? 16 : 10;
    errno = 0;
    char *stop;
    long long parsed = strtoll(p, &stop, base);
    if (stop == p) {
      continue; /* e.g. the name inside a string on the same line */
    }
    if (errno != ERANGE && parsed == value) {
      return false;
    }
    size_t len = (size_t)(stop - p) < size - 1 ? (size_t)(stop - p) : size - 1;
    memcpy(literal, p, len);
    literal[len] = '\0';
    wrapped = true; /* unless a later match on the line is the real one */
  }
  return wrapped;
}

static bool get_whole(Loader *loader, const config_setting_t *setting, const char *expected,
                      long min, long max, long *out) {
  int type = config_setting_type(setting);
  if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
    return fail(loader, setting, "expected %s (%ld..%ld), got %s", expected, min, max,
                type_name(setting));
  }
  long long value = config_setting_get_int64(setting);
  char literal[64];
  if (literal_wrapped(loader, setting, value, literal, sizeof literal)) {
    return fail(loader, setting, "expected %s (%ld..%ld), got %s", expected, min, max, literal);
  }
  if (value < min || value > max) {
    return fail(loader, setting, "expected %s (%ld..%ld), got %lld", expected, min, max, value);
  }
  *out = (long)value;
  return true;
}

static bool get_bool(Loader *loader, const config_setting_t *setting, bool *out) {
  if (config_setting_type(setting) != CONFIG_TYPE_BOOL) {
    return fail(loader, setting, "expected true or false, got %s", type_name(setting));
  }
  *out = config_setting_get_bool(setting) != 0;
  return true;
}

/* ~ and ~/... are $HOME; a relative path is relative to the configuration's directory. */
static bool get_path(Loader *loader, const config_setting_t *setting, bool dash_ok, char **out) {
  const char *value = NULL;
  if (!get_string(loader, setting, "a file path", &value)) {
    return false;
  }
  char *path = NULL;
  if (dash_ok && strcmp(value, "-") == 0) {
    path = strdup(value);
  } else if (value[0] == '~') {
    if (value[1] != '\0' && value[1] != '/') {
      return fail(loader, setting, "~user is not supported; write the full path (got %s)",
                  quote(value, (char[96]){0}, 96));
    }
    const char *home = getenv("HOME");
    if (!home || home[0] != '/') {
      return fail(loader, setting, "\"~\" stands for $HOME, which is not set to a directory");
    }
    path = config_path_join(home, value[1] ? value + 2 : "");
  } else if (value[0] == '/') {
    path = strdup(value);
  } else {
    path = config_path_join(loader->dir, value);
  }
  if (!path) {
    return fail_no_memory(loader);
  }
  free(*out);
  *out = path;
  return true;
}

/* An http(s) URL: kept without trailing '/' in *base and, when authority is non-NULL, with
 * exactly one in *authority. */
static bool get_url(Loader *loader, const config_setting_t *setting, char **base,
                    char **authority) {
  const char *value;
  const char *expected = "an http:// or https:// URL";
  if (!get_string(loader, setting, expected, &value)) {
    return false;
  }
  const char *host = NULL;
  if (strncmp(value, "https://", 8) == 0) {
    host = value + 8;
  } else if (strncmp(value, "http://", 7) == 0) {
    host = value + 7;
  }
  if (!host || !host[0] || host[0] == '/' || strpbrk(value, " \"<>\\^`{|}")) {
    return fail(loader, setting, "expected %s, got %s", expected, quote(value, (char[96]){0}, 96));
  }
  size_t len = strlen(value);
  while (len > 0 && value[len - 1] == '/') {
    len--;
  }
  char *trimmed = strndup(value, len);
  char *with_slash = NULL;
  if (trimmed && authority) {
    with_slash = malloc(len + 2);
    if (with_slash) {
      memcpy(with_slash, value, len);
      memcpy(with_slash + len, "/", 2);
    }
  }
  if (!trimmed || (authority && !with_slash)) {
    free(trimmed);
    free(with_slash);
    return fail_no_memory(loader);
  }
  free(*base);
  *base = trimmed;
  if (authority) {
    free(*authority);
    *authority = with_slash;
  }
  return true;
}

/* A string made only of the characters accept allows. */
static bool get_word(Loader *loader, const config_setting_t *setting, const char *expected,
                     const char *extra_chars, size_t max_len, char **out) {
  const char *value;
  if (!get_string(loader, setting, expected, &value)) {
    return false;
  }
  bool ok = strlen(value) <= max_len;
  for (const char *c = value; ok && *c; c++) {
    ok = ((*c | 0x20) >= 'a' && (*c | 0x20) <= 'z') || (*c >= '0' && *c <= '9') ||
         strchr(extra_chars, *c) != NULL;
  }
  if (!ok) {
    return fail(loader, setting, "expected %s, got %s", expected, quote(value, (char[96]){0}, 96));
  }
  return get_string_dup(loader, setting, expected, out);
}

/* ----- profiles ----- */

enum { K_SANDBOX = 1, K_EXTERNAL = 2, K_LIVE = 4, K_ANY = 7 };

typedef enum ProfileField {
  F_KIND,
  F_SCENARIO,
  F_CUSTOMERS,
  F_STATE_FILE,
  F_URL,
  F_CLOUD,
  F_API_BASE,
  F_AUTHORITY,
  F_RESOURCE,
  F_TENANT,
  F_CLIENT_ID,
  F_AUTH,
  F_TOKEN_ENDPOINT,
  F_CLIENT_SECRET_FILE,
  F_REFRESH_TOKEN_FILE,
  F_CA_FILE,
  F_LOCALE,
  F_COUNTRY,
  F_CONNECT_TIMEOUT,
  F_REQUEST_TIMEOUT,
  F_CHECKOUT_TIMEOUT,
} ProfileField;

static const struct {
  const char *name;
  ProfileField field;
  unsigned kinds;
} profile_settings[] = {
    {"kind", F_KIND, K_ANY},
    {"scenario", F_SCENARIO, K_SANDBOX},
    {"customers", F_CUSTOMERS, K_SANDBOX},
    {"state_file", F_STATE_FILE, K_SANDBOX},
    {"url", F_URL, K_EXTERNAL},
    {"cloud", F_CLOUD, K_LIVE},
    {"api_base", F_API_BASE, K_LIVE},
    {"authority", F_AUTHORITY, K_LIVE},
    {"resource", F_RESOURCE, K_LIVE},
    {"tenant", F_TENANT, K_EXTERNAL | K_LIVE},
    {"client_id", F_CLIENT_ID, K_EXTERNAL | K_LIVE},
    {"auth", F_AUTH, K_EXTERNAL | K_LIVE},
    {"token_endpoint", F_TOKEN_ENDPOINT, K_EXTERNAL | K_LIVE},
    {"client_secret_file", F_CLIENT_SECRET_FILE, K_EXTERNAL | K_LIVE},
    {"refresh_token_file", F_REFRESH_TOKEN_FILE, K_EXTERNAL | K_LIVE},
    {"ca_file", F_CA_FILE, K_EXTERNAL | K_LIVE},
    {"locale", F_LOCALE, K_ANY},
    {"country", F_COUNTRY, K_ANY},
    {"connect_timeout", F_CONNECT_TIMEOUT, K_ANY},
    {"request_timeout", F_REQUEST_TIMEOUT, K_ANY},
    {"checkout_timeout", F_CHECKOUT_TIMEOUT, K_ANY},
};
#define PROFILE_SETTING_COUNT (sizeof profile_settings / sizeof profile_settings[0])

const char *profile_kind_name(ProfileKind kind) {
  switch (kind) {
  case PROFILE_SANDBOX:
    return "sandbox";
  case PROFILE_SANDBOX_EXTERNAL:
    return "external sandbox";
  case PROFILE_LIVE:
    return "live";
  }
  return "unknown";
}

static unsigned kind_bit(ProfileKind kind) {
  return kind == PROFILE_LIVE ? K_LIVE : kind == PROFILE_SANDBOX_EXTERNAL ? K_EXTERNAL : K_SANDBOX;
}

/* "kind, scenario, customers, ..." for the kind. */
static void allowed_settings(ProfileKind kind, char *out, size_t size) {
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < PROFILE_SETTING_COUNT; i++) {
    if (profile_settings[i].kinds & kind_bit(kind)) {
      int n = snprintf(out + used, size - used, "%s%s", used ? ", " : "", profile_settings[i].name);
      if (n < 0 || (size_t)n >= size - used) {
        return;
      }
      used += (size_t)n;
    }
  }
}

static const char *secret_help(const char *name) {
  return strcmp(name, "client_secret") == 0
             ? "the client secret is never written in the configuration; put it in a file only "
               "you can read (chmod 600 FILE) and set client_secret_file = \"FILE\", or set "
               "$" CONFIG_ENV_CLIENT_SECRET
             : "the refresh token is never written in the configuration; put it in a file only "
               "you can read (chmod 600 FILE) and set refresh_token_file = \"FILE\", or set "
               "$" CONFIG_ENV_REFRESH_TOKEN;
}

static bool is_secret_name(const char *name) {
  return strcmp(name, "client_secret") == 0 || strcmp(name, "refresh_token") == 0;
}

static bool profile_setting(Loader *loader, const config_setting_t *s, ProfileField field,
                            Profile *p) {
  char q[96];
  const char *text;
  switch (field) {
  case F_KIND:
    return true; /* read before the others */
  case F_SCENARIO:
    p->scenario_line = (int)config_setting_source_line(s);
    return get_word(loader, s, "a scenario name", "-_.", 64, &p->scenario);
  case F_CUSTOMERS:
    return get_whole(loader, s, "a number of customers", CUSTOMERS_MIN, CUSTOMERS_MAX,
                     &p->customers);
  case F_STATE_FILE:
    return get_path(loader, s, false, &p->state_file);
  case F_URL:
    return get_url(loader, s, &p->url, &p->authority);
  case F_CLOUD:
    if (!get_string(loader, s, "a cloud name", &text)) {
      return false;
    }
    if (!pc_cloud_parse(text, &p->cloud)) {
      return fail(loader, s, "expected \"public\", \"china\", \"usgov\" or \"germany\", got %s",
                  quote(text, q, sizeof q));
    }
    return true;
  case F_API_BASE:
    return get_url(loader, s, &p->api_base, NULL);
  case F_AUTHORITY: {
    char *base = NULL;
    bool ok = get_url(loader, s, &base, &p->authority);
    free(base);
    return ok;
  }
  case F_RESOURCE:
    return get_url(loader, s, &p->resource, NULL);
  case F_TENANT:
    return get_word(loader, s, "a tenant id or domain (letters, digits, '.', '-')", ".-_", 253,
                    &p->tenant);
  case F_CLIENT_ID:
    return get_word(loader, s, "an application (client) id", ".-_", 128, &p->client_id);
  case F_AUTH:
    if (!get_string(loader, s, "\"app\" or \"app+user\"", &text)) {
      return false;
    }
    if (strcmp(text, "app") == 0) {
      p->auth_mode = PC_AUTH_APP_ONLY;
    } else if (strcmp(text, "app+user") == 0) {
      p->auth_mode = PC_AUTH_APP_USER;
    } else {
      return fail(loader, s, "expected \"app\" or \"app+user\", got %s", quote(text, q, sizeof q));
    }
    return true;
  case F_TOKEN_ENDPOINT:
    if (!get_string(loader, s, "\"v1\" or \"v2\"", &text)) {
      return false;
    }
    if (strcmp(text, "v1") == 0) {
      p->token_endpoint = PC_TOKEN_V1;
    } else if (strcmp(text, "v2") == 0) {
      p->token_endpoint = PC_TOKEN_V2;
    } else {
      return fail(loader, s, "expected \"v1\" or \"v2\", got %s", quote(text, q, sizeof q));
    }
    return true;
  case F_CLIENT_SECRET_FILE:
    return get_path(loader, s, false, &p->client_secret_file);
  case F_REFRESH_TOKEN_FILE:
    return get_path(loader, s, false, &p->refresh_token_file);
  case F_CA_FILE:
    return get_path(loader, s, false, &p->ca_file);
  case F_LOCALE:
    return get_word(loader, s, "a locale such as \"en-US\"", "-", 35, &p->locale);
  case F_COUNTRY:
    if (!get_string(loader, s, "a two-letter country code such as \"US\"", &text)) {
      return false;
    }
    if (strlen(text) != 2 || ((text[0] | 0x20) < 'a' || (text[0] | 0x20) > 'z') ||
        ((text[1] | 0x20) < 'a' || (text[1] | 0x20) > 'z')) {
      return fail(loader, s, "expected a two-letter country code such as \"US\", got %s",
                  quote(text, q, sizeof q));
    }
    if (!get_string_dup(loader, s, "a country code", &p->country)) {
      return false;
    }
    p->country[0] = (char)(p->country[0] & ~0x20);
    p->country[1] = (char)(p->country[1] & ~0x20);
    return true;
  case F_CONNECT_TIMEOUT:
    return get_whole(loader, s, "a number of seconds", TIMEOUT_MIN_S, TIMEOUT_MAX_S,
                     &p->connect_timeout_s);
  case F_REQUEST_TIMEOUT:
    return get_whole(loader, s, "a number of seconds", TIMEOUT_MIN_S, TIMEOUT_MAX_S,
                     &p->request_timeout_s);
  case F_CHECKOUT_TIMEOUT:
    return get_whole(loader, s, "a number of seconds", TIMEOUT_MIN_S, TIMEOUT_MAX_S,
                     &p->checkout_timeout_s);
  }
  return true;
}

/* The member `name` of group, for "missing" messages: a fake path built on the group's. */
static bool fail_missing(Loader *loader, const config_setting_t *group, const char *name,
                         const char *why) {
  char where[256];
  setting_path(group, where, sizeof where);
  char buf[PATH_MAX];
  error_set(loader->err, "%s:%u: %s.%s: missing; %s", setting_file(loader, group, buf, sizeof buf),
            config_setting_source_line(group), where, name, why);
  return false;
}

static bool profile_parse(Loader *loader, const config_setting_t *group, Profile *p) {
  char q[96];
  if (config_setting_type(group) != CONFIG_TYPE_GROUP) {
    return fail(loader, group, "expected a group { ... } of settings, got %s", type_name(group));
  }
  const char *name = config_setting_name(group);
  bool builtin = strcmp(name, CONFIG_SANDBOX_PROFILE) == 0;
  p->name = strdup(name);
  char buf[PATH_MAX];
  p->file = strdup(setting_file(loader, group, buf, sizeof buf));
  if (!p->name || !p->file) {
    return fail_no_memory(loader);
  }
  p->line = (int)config_setting_source_line(group);

  const config_setting_t *kind_setting = config_setting_get_member(group, "kind");
  const config_setting_t *url_setting = config_setting_get_member(group, "url");
  bool live = false;
  if (kind_setting) {
    const char *kind;
    if (!get_string(loader, kind_setting, "\"live\" or \"sandbox\"", &kind)) {
      return false;
    }
    if (strcmp(kind, "live") == 0) {
      live = true;
    } else if (strcmp(kind, "sandbox") != 0) {
      return fail(loader, kind_setting, "expected \"live\" or \"sandbox\", got %s",
                  quote(kind, q, sizeof q));
    }
  } else if (!builtin) {
    return fail_missing(loader, group, "kind",
                        "expected kind = \"live\" or kind = \"sandbox\" (an external sandbox, "
                        "with url)");
  }
  if (builtin && live) {
    return fail(loader, kind_setting,
                "the sandbox profile is always the in-process sandbox; give a live profile "
                "another name");
  }
  if (builtin && url_setting) {
    return fail(loader, url_setting,
                "the sandbox profile is always the in-process sandbox; define another profile "
                "with kind = \"sandbox\" and this url for an external one");
  }
  p->kind = live ? PROFILE_LIVE : url_setting ? PROFILE_SANDBOX_EXTERNAL : PROFILE_SANDBOX;

  for (int i = 0; i < config_setting_length(group); i++) {
    const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
    const char *member = config_setting_name(s);
    if (is_secret_name(member)) {
      return fail(loader, s, "%s", secret_help(member));
    }
    size_t k = 0;
    while (k < PROFILE_SETTING_COUNT && strcmp(profile_settings[k].name, member) != 0) {
      k++;
    }
    char allowed[512];
    allowed_settings(p->kind, allowed, sizeof allowed);
    if (k == PROFILE_SETTING_COUNT) {
      return fail(loader, s, "unknown setting; a %s profile has: %s", profile_kind_name(p->kind),
                  allowed);
    }
    if (!(profile_settings[k].kinds & kind_bit(p->kind))) {
      return fail(loader, s, "not a setting of a%s %s profile, which has: %s",
                  p->kind == PROFILE_SANDBOX_EXTERNAL ? "n" : "", profile_kind_name(p->kind),
                  allowed);
    }
    if (!profile_setting(loader, s, profile_settings[k].field, p)) {
      return false;
    }
  }

  if (p->kind == PROFILE_LIVE) {
    if (!p->tenant) {
      return fail_missing(loader, group, "tenant",
                          "a live profile needs the partner tenant's id or domain");
    }
    if (!p->client_id) {
      return fail_missing(loader, group, "client_id",
                          "a live profile needs the application (client) id");
    }
  }
  return true;
}

static void profile_clear(Profile *p) {
  free(p->name);
  free(p->file);
  free(p->scenario);
  free(p->state_file);
  free(p->url);
  free(p->api_base);
  free(p->authority);
  free(p->resource);
  free(p->tenant);
  free(p->client_id);
  free(p->client_secret_file);
  free(p->refresh_token_file);
  free(p->ca_file);
  free(p->locale);
  free(p->country);
  memset(p, 0, sizeof *p);
}

static bool profiles_parse(Loader *loader, const config_setting_t *group, Config *config) {
  if (config_setting_type(group) != CONFIG_TYPE_GROUP) {
    return fail(loader, group, "expected a group { name = { ... }; ... } of profiles, got %s",
                type_name(group));
  }
  int count = config_setting_length(group);
  Profile *grown = realloc(config->profiles, (1 + (size_t)count) * sizeof *grown);
  if (!grown) {
    return fail_no_memory(loader);
  }
  config->profiles = grown;
  for (int i = 0; i < count; i++) {
    const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
    Profile parsed = {0};
    if (!profile_parse(loader, s, &parsed)) {
      profile_clear(&parsed);
      return false;
    }
    if (strcmp(parsed.name, CONFIG_SANDBOX_PROFILE) == 0) {
      profile_clear(&config->profiles[0]);
      config->profiles[0] = parsed;
    } else {
      config->profiles[config->profile_count++] = parsed;
    }
  }
  return true;
}

/* ----- log and ui ----- */

static bool log_parse(Loader *loader, const config_setting_t *group, Config *config) {
  char q[96];
  if (config_setting_type(group) != CONFIG_TYPE_GROUP) {
    return fail(loader, group, "expected a group { file = ...; level = ...; }, got %s",
                type_name(group));
  }
  for (int i = 0; i < config_setting_length(group); i++) {
    const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
    const char *name = config_setting_name(s);
    if (strcmp(name, "file") == 0) {
      if (!get_path(loader, s, true, &config->log_file)) {
        return false;
      }
    } else if (strcmp(name, "level") == 0) {
      const char *text;
      if (!get_string(loader, s, "\"error\", \"warn\", \"info\" or \"debug\"", &text)) {
        return false;
      }
      if (!pc_log_level_parse(text, &config->log_level)) {
        return fail(loader, s, "expected \"error\", \"warn\", \"info\" or \"debug\", got %s",
                    quote(text, q, sizeof q));
      }
    } else {
      return fail(loader, s, "unknown setting; log has: file, level");
    }
  }
  return true;
}

static void key_binding_clear(ConfigKeyBinding *binding) {
  free(binding->action);
  for (size_t i = 0; i < binding->key_count; i++) {
    free(binding->keys[i]);
  }
  free(binding->keys);
  memset(binding, 0, sizeof *binding);
}

static bool key_binding_parse(Loader *loader, const config_setting_t *s,
                              ConfigKeyBinding *binding) {
  const char *expected = "a key or a list of keys such as [\"C\", \"F5\"]";
  binding->line = (int)config_setting_source_line(s);
  binding->action = strdup(config_setting_name(s));
  if (!binding->action) {
    return fail_no_memory(loader);
  }
  int type = config_setting_type(s);
  if (type == CONFIG_TYPE_STRING) {
    binding->keys = calloc(1, sizeof *binding->keys);
    if (!binding->keys) {
      return fail_no_memory(loader);
    }
    binding->key_count = 1;
    return get_string_dup(loader, s, expected, &binding->keys[0]);
  }
  if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) {
    return fail(loader, s, "expected %s, got %s", expected, type_name(s));
  }
  int count = config_setting_length(s);
  if (count == 0) {
    return fail(loader, s, "expected %s, got an empty list", expected);
  }
  binding->keys = calloc((size_t)count, sizeof *binding->keys);
  if (!binding->keys) {
    return fail_no_memory(loader);
  }
  for (int i = 0; i < count; i++) {
    binding->key_count++;
    if (!get_string_dup(loader, config_setting_get_elem(s, (unsigned)i), "a key name",
                        &binding->keys[i])) {
      return false;
    }
  }
  return true;
}

static bool ui_parse(Loader *loader, const config_setting_t *group, Config *config) {
  if (config_setting_type(group) != CONFIG_TYPE_GROUP) {
    return fail(loader, group, "expected a group { theme = ...; mouse = ...; keys = ...; }, got %s",
                type_name(group));
  }
  for (int i = 0; i < config_setting_length(group); i++) {
    const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
    const char *name = config_setting_name(s);
    if (strcmp(name, "theme") == 0) {
      config->ui_theme_line = (int)config_setting_source_line(s);
      if (!get_string_dup(loader, s, "a theme name", &config->ui_theme)) {
        return false;
      }
    } else if (strcmp(name, "mouse") == 0) {
      if (!get_bool(loader, s, &config->ui_mouse)) {
        return false;
      }
    } else if (strcmp(name, "keys") == 0) {
      if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
        return fail(loader, s, "expected a group { action = \"key\"; ... }, got %s", type_name(s));
      }
      int count = config_setting_length(s);
      if (count > 0) {
        config->keys = calloc((size_t)count, sizeof *config->keys);
        if (!config->keys) {
          return fail_no_memory(loader);
        }
      }
      for (int k = 0; k < count; k++) {
        config->key_count++;
        if (!key_binding_parse(loader, config_setting_get_elem(s, (unsigned)k), &config->keys[k])) {
          return false;
        }
      }
    } else {
      return fail(loader, s, "unknown setting; ui has: theme, mouse, keys");
    }
  }
  return true;
}

/* ----- the file ----- */

static bool defaults_set(Config *config) {
  config->profiles = calloc(1, sizeof *config->profiles);
  config->default_profile = strdup(CONFIG_SANDBOX_PROFILE);
  if (!config->profiles || !config->default_profile) {
    return false;
  }
  config->profiles[0].name = strdup(CONFIG_SANDBOX_PROFILE);
  if (!config->profiles[0].name) {
    return false;
  }
  config->profiles[0].kind = PROFILE_SANDBOX;
  config->profile_count = 1;
  config->log_level = PC_LOG_INFO;
  return true;
}

static bool root_parse(Loader *loader, const config_t *cfg, Config *config) {
  const config_setting_t *root = config_root_setting(cfg);
  const config_setting_t *default_setting = NULL;
  for (int i = 0; i < config_setting_length(root); i++) {
    const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
    const char *name = config_setting_name(s);
    bool ok;
    if (strcmp(name, "default_profile") == 0) {
      default_setting = s;
      ok = get_string_dup(loader, s, "a profile name", &config->default_profile);
    } else if (strcmp(name, "log") == 0) {
      ok = log_parse(loader, s, config);
    } else if (strcmp(name, "profiles") == 0) {
      ok = profiles_parse(loader, s, config);
    } else if (strcmp(name, "ui") == 0) {
      ok = ui_parse(loader, s, config);
    } else if (is_secret_name(name)) {
      ok = fail(loader, s, "%s", secret_help(name));
    } else {
      ok = fail(loader, s, "unknown setting; the file has: default_profile, log, profiles, ui");
    }
    if (!ok) {
      return false;
    }
  }
  if (default_setting && !config_find_profile(config, config->default_profile)) {
    char names[512] = "";
    size_t used = 0;
    for (size_t i = 0; i < config->profile_count && used < sizeof names; i++) {
      int n = snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
                       config->profiles[i].name);
      used += n > 0 ? (size_t)n : 0;
    }
    char q[96];
    return fail(loader, default_setting, "no profile is called %s; the profiles are: %s",
                quote(config->default_profile, q, sizeof q), names);
  }
  return true;
}

/* Reads the whole file, refusing what is not a regular file. errno is kept for the caller on
 * an open failure (*text NULL, false). */
static bool file_read(const char *path, char **text, ConfigError *err, int *open_errno) {
  *text = NULL;
  *open_errno = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    *open_errno = errno;
    error_set(err, "%s: cannot read the configuration file: %s", path, strerror(errno));
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    error_set(err, "%s: the configuration is not a regular file%s", path,
              S_ISDIR(st.st_mode) ? " (it is a directory)" : "");
    close(fd);
    return false;
  }
  /* The file decides where a live secret is sent (api_base, authority), so, as ssh does with
   * its config, nobody else may be able to change it. */
  if (st.st_uid != 0 && st.st_uid != geteuid()) {
    error_set(err,
              "%s: the configuration is owned by user id %u, not by you (%u); it decides where "
              "secrets are sent: make it yours with chown \"$(id -un)\" %s",
              path, (unsigned)st.st_uid, (unsigned)geteuid(), path);
    close(fd);
    return false;
  }
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    error_set(err,
              "%s: the configuration can be changed by group or others (mode %04o); it decides "
              "where secrets are sent: chmod go-w %s",
              path, (unsigned)(st.st_mode & 07777), path);
    close(fd);
    return false;
  }
  if (st.st_size > CONFIG_MAX_BYTES) {
    error_set(err, "%s: the configuration is larger than %d bytes; is it the right file?", path,
              CONFIG_MAX_BYTES);
    close(fd);
    return false;
  }
  char *buffer = malloc(CONFIG_MAX_BYTES + 1);
  if (!buffer) {
    error_set(err, "%s: out of memory", path);
    close(fd);
    return false;
  }
  size_t len = 0;
  while (len <= CONFIG_MAX_BYTES) {
    ssize_t n = read(fd, buffer + len, CONFIG_MAX_BYTES + 1 - len);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      error_set(err, "%s: cannot read the configuration file: %s", path, strerror(errno));
      free(buffer);
      close(fd);
      return false;
    }
    if (n == 0) {
      break;
    }
    len += (size_t)n;
  }
  close(fd);
  if (len > CONFIG_MAX_BYTES) {
    error_set(err, "%s: the configuration is larger than %d bytes; is it the right file?", path,
              CONFIG_MAX_BYTES);
    free(buffer);
    return false;
  }
  if (memchr(buffer, '\0', len)) {
    error_set(err, "%s: the configuration contains a NUL byte; it must be a text file", path);
    free(buffer);
    return false;
  }
  buffer[len] = '\0';
  *text = buffer;
  return true;
}

static bool config_parse_text(const char *path, const char *text, Config *out, ConfigError *err) {
  char *dir = config_path_dirname(path);
  if (!dir) {
    error_set(err, "%s: out of memory", path);
    return false;
  }
  Loader loader = {.path = path, .dir = dir, .text = text, .err = err};
  config_t cfg;
  config_init(&cfg);
  config_set_include_dir(&cfg, dir); /* @include "x" is next to the file */
  bool ok;
  if (!config_read_string(&cfg, text)) {
    char buf[PATH_MAX];
    const char *file = source_name(&loader, config_error_file(&cfg), buf, sizeof buf);
    const char *what = config_error_text(&cfg) ? config_error_text(&cfg) : "cannot be read";
    if (config_error_line(&cfg) > 0) {
      error_set(err, "%s:%d: %s", file, config_error_line(&cfg), what);
    } else {
      error_set(err, "%s: %s", file, what);
    }
    ok = false;
  } else {
    ok = root_parse(&loader, &cfg, out);
  }
  config_destroy(&cfg);
  free(dir);
  return ok;
}

bool config_load_text(const char *path, const char *text, Config *out, ConfigError *err) {
  memset(out, 0, sizeof *out);
  err->message[0] = '\0';
  if (!defaults_set(out) || !(out->path = strdup(path))) {
    error_set(err, "out of memory");
    config_clear(out);
    return false;
  }
  if (!config_parse_text(path, text, out, err)) {
    config_clear(out);
    return false;
  }
  return true;
}

bool config_load(const char *path, Config *out, ConfigError *err) {
  memset(out, 0, sizeof *out);
  err->message[0] = '\0';
  char *default_path = NULL;
  if (!path) {
    if (!config_default_path_get(&default_path)) {
      error_set(err, "out of memory");
      return false;
    }
  }
  const char *file = path ? path : default_path;
  if (!defaults_set(out)) {
    error_set(err, "out of memory");
    goto fail;
  }
  if (!file) { /* no HOME: the built-in defaults */
    return true;
  }
  char *text;
  int open_errno;
  if (!file_read(file, &text, err, &open_errno)) {
    if (!path && (open_errno == ENOENT || open_errno == ENOTDIR)) {
      err->message[0] = '\0';
      free(default_path);
      return true; /* no default file: the built-in defaults */
    }
    goto fail;
  }
  out->path = strdup(file);
  bool ok = out->path && config_parse_text(file, text, out, err);
  if (!out->path) {
    error_set(err, "out of memory");
  }
  free(text);
  if (!ok) {
    goto fail;
  }
  free(default_path);
  return true;
fail:
  free(default_path);
  config_clear(out);
  return false;
}

void config_clear(Config *config) {
  if (!config) {
    return;
  }
  for (size_t i = 0; i < config->profile_count; i++) {
    profile_clear(&config->profiles[i]);
  }
  /* a profile parse that failed half-way may have left profiles[0] alone with no count */
  if (config->profile_count == 0 && config->profiles) {
    profile_clear(&config->profiles[0]);
  }
  free(config->profiles);
  for (size_t i = 0; i < config->key_count; i++) {
    key_binding_clear(&config->keys[i]);
  }
  free(config->keys);
  free(config->path);
  free(config->default_profile);
  free(config->log_file);
  free(config->ui_theme);
  memset(config, 0, sizeof *config);
}

const Profile *config_find_profile(const Config *config, const char *name) {
  if (!name) {
    name = config->default_profile;
  }
  for (size_t i = 0; name && i < config->profile_count; i++) {
    if (strcmp(config->profiles[i].name, name) == 0) {
      return &config->profiles[i];
    }
  }
  return NULL;
}

void profile_to_settings(const Profile *profile, const ProfileSecrets *secrets, PcSettings *out) {
  memset(out, 0, sizeof *out);
  out->cloud = profile->cloud;
  out->api_base = profile->kind == PROFILE_SANDBOX_EXTERNAL ? profile->url : profile->api_base;
  out->authority = profile->authority;
  out->resource = profile->resource;
  out->tenant = profile->tenant;
  out->client_id = profile->client_id;
  out->auth_mode = profile->auth_mode;
  out->token_endpoint = profile->token_endpoint;
  out->locale = profile->locale;
  out->country = profile->country;
  out->ca_file = profile->ca_file;
  out->connect_timeout_ms = profile->connect_timeout_s * 1000;
  out->request_timeout_ms = profile->request_timeout_s * 1000;
  out->checkout_timeout_ms = profile->checkout_timeout_s * 1000;
  if (secrets) {
    out->client_secret = secrets->client_secret;
    out->refresh_token = secrets->refresh_token;
  }
}
