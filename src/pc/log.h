/* The optional log file, with levels, and the redactor every line passes through: no
 * Authorization header, token, client secret or refresh token ever reaches the file. */
#ifndef PCCART_PC_LOG_H
#define PCCART_PC_LOG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum PcLogLevel {
  PC_LOG_ERROR = 0,
  PC_LOG_WARN,
  PC_LOG_INFO,
  PC_LOG_DEBUG, /* request and response headers and bodies, redacted */
} PcLogLevel;

typedef struct PcLog PcLog;

/* "error", "warn", "info", "debug" (any case); false when text is none of them. */
bool pc_log_level_parse(const char *text, PcLogLevel *level);
const char *pc_log_level_name(PcLogLevel level);

/* Opens (appends to) path, created with mode 0600; "-" is stderr. NULL with a sentence in
 * err (naming the file and the reason) when it cannot be opened. */
PcLog *pc_log_open(const char *path, PcLogLevel level, char *err, size_t err_size);
void pc_log_close(PcLog *log);                           /* NULL is fine */
bool pc_log_enabled(const PcLog *log, PcLogLevel level); /* false for a NULL log */

/* Registers an exact string (a client secret, refresh token or access token) that must never
 * be written: every later line has it replaced by "[REDACTED]". Strings shorter than 4
 * characters are ignored (they would mask ordinary text). Thread-safe. */
bool pc_log_add_secret(PcLog *log, const char *secret);

/* Writes one line "2026-11-30T09:41:02.123Z info  message" (the level in lower case, padded to
 * five) when level is enabled, after redaction; line breaks in message become indented lines.
 * Thread-safe; a NULL log writes nothing. */
void pc_log_write(PcLog *log, PcLogLevel level, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* The redactor, on its own (tests, and anything printed to the screen or a file): a new string
 * in which the values of Authorization / Proxy-Authorization / Cookie headers, the form fields
 * client_secret=, refresh_token=, access_token=, client_assertion=, the JSON members
 * "access_token", "refresh_token", "client_secret", "id_token", and any registered secret are
 * replaced by [REDACTED]. NULL when out of memory. log may be NULL (patterns only). */
char *pc_redact(const PcLog *log, const char *text, size_t length);

#endif
