/* The log file and its redactor. Every line is redacted before it is written, so a caller
 * that logs a header block or a body by mistake still leaks nothing. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pc/log.h"

#define REDACTED "[REDACTED]"

struct PcLog {
  FILE *file;
  bool owns_file; /* false for stderr */
  PcLogLevel level;
  pthread_mutex_t lock; /* guards the secrets and the file */
  char **secrets;
  size_t secret_count;
};

static const char *const level_names[] = {"error", "warn", "info", "debug"};

bool pc_log_level_parse(const char *text, PcLogLevel *level) {
  for (size_t i = 0; text && i < sizeof level_names / sizeof level_names[0]; i++) {
    if (strcasecmp(text, level_names[i]) == 0) {
      *level = (PcLogLevel)i;
      return true;
    }
  }
  return false;
}

const char *pc_log_level_name(PcLogLevel level) {
  return level >= PC_LOG_ERROR && level <= PC_LOG_DEBUG ? level_names[level] : "?";
}

/* Creates the directories above path (mode 0700), as a log under ~/.local/state needs. */
static void make_parents(const char *path) {
  char *copy = strdup(path);
  if (!copy)
    return;
  for (char *p = copy + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    mkdir(copy, 0700); /* an existing directory is fine; a real failure shows at open */
    *p = '/';
  }
  free(copy);
}

PcLog *pc_log_open(const char *path, PcLogLevel level, char *err, size_t err_size) {
  if (!path || !path[0]) {
    snprintf(err, err_size, "no log file was named");
    return NULL;
  }
  PcLog *log = calloc(1, sizeof *log);
  if (!log) {
    snprintf(err, err_size, "out of memory opening the log");
    return NULL;
  }
  log->level = level;
  if (strcmp(path, "-") == 0) {
    log->file = stderr;
  } else {
    make_parents(path);
    /* 0600: the log names customers and carts, which are nobody else's business. */
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
      snprintf(err, err_size, "cannot open the log file %s: %s", path, strerror(errno));
      free(log);
      return NULL;
    }
    log->file = fdopen(fd, "a");
    if (!log->file) {
      snprintf(err, err_size, "cannot open the log file %s: %s", path, strerror(errno));
      close(fd);
      free(log);
      return NULL;
    }
    log->owns_file = true;
  }
  pthread_mutex_init(&log->lock, NULL);
  return log;
}

void pc_log_close(PcLog *log) {
  if (!log)
    return;
  if (log->owns_file)
    fclose(log->file);
  else
    fflush(log->file);
  for (size_t i = 0; i < log->secret_count; i++) {
    explicit_bzero(log->secrets[i], strlen(log->secrets[i]));
    free(log->secrets[i]);
  }
  free(log->secrets);
  pthread_mutex_destroy(&log->lock);
  free(log);
}

bool pc_log_enabled(const PcLog *log, PcLogLevel level) {
  return log && level <= log->level;
}

bool pc_log_add_secret(PcLog *log, const char *secret) {
  if (!log || !secret || strlen(secret) < 4)
    return true;
  pthread_mutex_lock(&log->lock);
  bool ok = true;
  bool known = false;
  for (size_t i = 0; i < log->secret_count && !known; i++)
    known = strcmp(log->secrets[i], secret) == 0;
  if (!known) {
    char **grown = realloc(log->secrets, (log->secret_count + 1) * sizeof *grown);
    char *copy = grown ? strdup(secret) : NULL;
    if (grown)
      log->secrets = grown;
    if (copy)
      log->secrets[log->secret_count++] = copy;
    else
      ok = false;
  }
  pthread_mutex_unlock(&log->lock);
  return ok;
}

/* ----- the redactor ----- */

typedef struct Buffer {
  char *data;
  size_t length;
  size_t capacity;
  bool failed;
} Buffer;

static void buffer_add(Buffer *b, const char *text, size_t n) {
  if (b->failed)
    return;
  if (b->length + n + 1 > b->capacity) {
    size_t capacity = (b->length + n + 1) * 2;
    char *grown = realloc(b->data, capacity);
    if (!grown) {
      b->failed = true;
      return;
    }
    b->data = grown;
    b->capacity = capacity;
  }
  memcpy(b->data + b->length, text, n);
  b->length += n;
  b->data[b->length] = '\0';
}

static bool prefix_ci(const char *text, size_t available, const char *prefix) {
  size_t n = strlen(prefix);
  return n <= available && strncasecmp(text, prefix, n) == 0;
}

static const char *const secret_headers[] = {
    "authorization:", "proxy-authorization:", "cookie:", "set-cookie:"};
static const char *const secret_fields[] = {"client_secret",    "refresh_token", "access_token",
                                            "client_assertion", "id_token",      "password"};

/* A header line whose value is secret: copies the name and a marker, returns what it consumed. */
static size_t redact_header(Buffer *out, const char *text, size_t available) {
  for (size_t h = 0; h < sizeof secret_headers / sizeof secret_headers[0]; h++) {
    if (!prefix_ci(text, available, secret_headers[h]))
      continue;
    size_t name = strlen(secret_headers[h]);
    size_t end = name;
    while (end < available && text[end] != '\r' && text[end] != '\n')
      end++;
    buffer_add(out, text, name);
    buffer_add(out, " " REDACTED, strlen(" " REDACTED));
    return end;
  }
  return 0;
}

/* "Bearer <token>" anywhere (an Authorization value quoted inside a message). */
static size_t redact_bearer(Buffer *out, const char *text, size_t available) {
  if (!prefix_ci(text, available, "bearer "))
    return 0;
  size_t end = 7;
  while (end < available && text[end] == ' ')
    end++;
  size_t start = end;
  while (end < available &&
         (strchr("-._~+/=", text[end]) || (text[end] >= '0' && text[end] <= '9') ||
          ((text[end] | 0x20) >= 'a' && (text[end] | 0x20) <= 'z')))
    end++;
  if (end == start)
    return 0;
  buffer_add(out, text, 7);
  buffer_add(out, REDACTED, strlen(REDACTED));
  return end;
}

/* name=value in a form body or query (the value runs to '&', a blank, a quote or the end). */
static size_t redact_form_field(Buffer *out, const char *text, size_t available, bool at_boundary) {
  if (!at_boundary)
    return 0;
  for (size_t f = 0; f < sizeof secret_fields / sizeof secret_fields[0]; f++) {
    size_t n = strlen(secret_fields[f]);
    if (!prefix_ci(text, available, secret_fields[f]) || n >= available || text[n] != '=')
      continue;
    size_t end = n + 1;
    while (end < available && !strchr("& \t\r\n\"'", text[end]))
      end++;
    buffer_add(out, text, n + 1);
    buffer_add(out, REDACTED, strlen(REDACTED));
    return end;
  }
  return 0;
}

/* "name": "value" in JSON: keeps the member, replaces the string's contents. */
static size_t redact_json_member(Buffer *out, const char *text, size_t available) {
  if (text[0] != '"')
    return 0;
  for (size_t f = 0; f < sizeof secret_fields / sizeof secret_fields[0]; f++) {
    size_t n = strlen(secret_fields[f]);
    if (!prefix_ci(text + 1, available - 1, secret_fields[f]) || 1 + n >= available ||
        text[1 + n] != '"')
      continue;
    size_t i = n + 2;
    while (i < available && (text[i] == ' ' || text[i] == '\t'))
      i++;
    if (i >= available || text[i] != ':')
      continue;
    i++;
    while (i < available && (text[i] == ' ' || text[i] == '\t'))
      i++;
    if (i >= available || text[i] != '"')
      continue;
    size_t end = i + 1;
    while (end < available && text[end] != '"') {
      if (text[end] == '\\' && end + 1 < available)
        end++;
      end++;
    }
    buffer_add(out, text, i + 1);
    buffer_add(out, REDACTED, strlen(REDACTED));
    return end; /* the closing quote is copied as ordinary text */
  }
  return 0;
}

static bool is_boundary(char c) {
  return strchr("&?; \t\r\n,{(", c) != NULL;
}

/* Replaces each occurrence of each registered secret in b (they may also be embedded in
 * text the patterns did not recognise). Called with the log's lock held. */
static void redact_secrets(Buffer *b, char *const *secrets, size_t count) {
  for (size_t s = 0; s < count && !b->failed; s++) {
    const char *secret = secrets[s];
    size_t n = strlen(secret);
    if (!b->data || !strstr(b->data, secret))
      continue;
    Buffer replaced = {0};
    const char *p = b->data;
    const char *hit;
    while ((hit = strstr(p, secret))) {
      buffer_add(&replaced, p, (size_t)(hit - p));
      buffer_add(&replaced, REDACTED, strlen(REDACTED));
      p = hit + n;
    }
    buffer_add(&replaced, p, strlen(p));
    explicit_bzero(b->data, b->length);
    free(b->data);
    *b = replaced;
    if (!b->data && !b->failed)
      buffer_add(b, "", 0);
  }
}

char *pc_redact(const PcLog *log, const char *text, size_t length) {
  Buffer out = {0};
  buffer_add(&out, "", 0);
  for (size_t i = 0; i < length && !out.failed;) {
    const char *at = text + i;
    size_t available = length - i;
    bool line_start = i == 0 || text[i - 1] == '\n';
    size_t used = line_start ? redact_header(&out, at, available) : 0;
    if (!used)
      used = redact_bearer(&out, at, available);
    if (!used)
      used = redact_form_field(&out, at, available, i == 0 || is_boundary(text[i - 1]));
    if (!used)
      used = redact_json_member(&out, at, available);
    if (!used) {
      buffer_add(&out, at, 1);
      used = 1;
    }
    i += used;
  }
  if (log && !out.failed) {
    PcLog *mutable_log = (PcLog *)log;
    pthread_mutex_lock(&mutable_log->lock);
    redact_secrets(&out, log->secrets, log->secret_count);
    pthread_mutex_unlock(&mutable_log->lock);
  }
  if (out.failed) {
    free(out.data);
    return NULL;
  }
  return out.data;
}

void pc_log_write(PcLog *log, PcLogLevel level, const char *format, ...) {
  if (!pc_log_enabled(log, level))
    return;
  va_list args;
  va_start(args, format);
  char *message = NULL;
  int n = vsnprintf(NULL, 0, format, args);
  va_end(args);
  if (n < 0)
    return;
  message = malloc((size_t)n + 1);
  if (!message)
    return;
  va_start(args, format);
  vsnprintf(message, (size_t)n + 1, format, args);
  va_end(args);
  char *clean = pc_redact(log, message, (size_t)n);
  explicit_bzero(message, (size_t)n);
  free(message);
  if (!clean)
    return;

  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  struct tm tm;
  gmtime_r(&now.tv_sec, &tm);
  char stamp[80];
  snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000);
  /* A message is one line: embedded line breaks (a header block) are indented continuations. */
  pthread_mutex_lock(&log->lock);
  fprintf(log->file, "%s %-5s ", stamp, pc_log_level_name(level));
  for (const char *p = clean; *p; p++) {
    if (*p == '\r')
      continue;
    if (*p == '\n') {
      if (p[1])
        fputs("\n    ", log->file);
      continue;
    }
    fputc(*p, log->file);
  }
  fputc('\n', log->file);
  fflush(log->file);
  pthread_mutex_unlock(&log->lock);
  free(clean);
}
