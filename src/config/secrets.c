/* A profile's secrets: from the environment (live profiles) or from a file that only the user
 * can read. The file is opened without following a symbolic link and checked on the open
 * descriptor, so what is checked is what is read. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"

/* Client secrets are tens of bytes and refresh tokens a few kilobytes. */
#define SECRET_MAX_BYTES (64 * 1024)

typedef struct SecretSource {
  const char *what;    /* "client secret" */
  const char *env;     /* NULL: not read from the environment */
  const char *file;    /* NULL: no file configured */
  const char *setting; /* "client_secret_file" */
} SecretSource;

__attribute__((format(printf, 4, 5))) static bool secret_fail(ConfigError *err,
                                                              const Profile *profile,
                                                              const SecretSource *source,
                                                              const char *format, ...) {
  char text[700];
  va_list args;
  va_start(args, format);
  vsnprintf(text, sizeof text, format, args);
  va_end(args);
  snprintf(err->message, sizeof err->message, "%s: the %s file of profile \"%s\" (%s) %s",
           source->file, source->what, profile->name, source->setting, text);
  return false;
}

static bool secret_read_file(const Profile *profile, const SecretSource *source, char **out,
                             ConfigError *err) {
  const char *path = source->file;
  /* O_NONBLOCK: a FIFO planted at the path must not hang the open; it is refused below. */
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ELOOP) {
      return secret_fail(err, profile, source,
                         "is a symbolic link; pccart reads a secret only from a regular file: "
                         "replace the link with the file itself (and chmod 600 %s)",
                         path);
    }
    return secret_fail(err, profile, source, "cannot be opened: %s", strerror(errno));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int saved = errno;
    close(fd);
    return secret_fail(err, profile, source, "cannot be checked: %s", strerror(saved));
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return secret_fail(err, profile, source, "is %s, not a regular file holding the secret",
                       S_ISDIR(st.st_mode) ? "a directory" : "a device, FIFO or socket");
  }
  if (st.st_uid != geteuid()) {
    close(fd);
    return secret_fail(err, profile, source,
                       "is owned by user id %u, not by you (%u): make it yours with "
                       "chown \"$(id -un)\" %s, then chmod 600 %s",
                       (unsigned)st.st_uid, (unsigned)geteuid(), path, path);
  }
  if (st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) {
    close(fd);
    return secret_fail(err, profile, source,
                       "can be read or written by group or others (mode %04o); make it private "
                       "with: chmod 600 %s",
                       (unsigned)(st.st_mode & 07777), path);
  }
  char *buffer = malloc(SECRET_MAX_BYTES + 1);
  if (!buffer) {
    close(fd);
    return secret_fail(err, profile, source, "cannot be read: out of memory");
  }
  size_t len = 0;
  bool read_ok = true;
  int read_errno = 0;
  while (len <= SECRET_MAX_BYTES) {
    ssize_t n = read(fd, buffer + len, SECRET_MAX_BYTES + 1 - len);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      read_ok = false;
      read_errno = errno;
      break;
    }
    if (n == 0) {
      break;
    }
    len += (size_t)n;
  }
  close(fd);
  char *secret = NULL;
  bool ok = false;
  /* Everything below wipes the buffer before freeing it. */
  if (!read_ok) {
    secret_fail(err, profile, source, "cannot be read: %s", strerror(read_errno));
  } else if (len > SECRET_MAX_BYTES) {
    secret_fail(err, profile, source, "is larger than %d KiB; it should hold only the secret",
                SECRET_MAX_BYTES / 1024);
  } else {
    if (len > 0 && buffer[len - 1] == '\n') {
      len--;
      if (len > 0 && buffer[len - 1] == '\r') {
        len--;
      }
    }
    if (len == 0) {
      secret_fail(err, profile, source, "is empty; write the %s in it, on one line", source->what);
    } else if (memchr(buffer, '\0', len)) {
      secret_fail(err, profile, source, "contains a NUL byte; it should hold only the %s",
                  source->what);
    } else if (memchr(buffer, '\n', len) || memchr(buffer, '\r', len)) {
      secret_fail(err, profile, source, "has more than one line; it should hold only the %s",
                  source->what);
    } else if (!(secret = malloc(len + 1))) {
      secret_fail(err, profile, source, "cannot be read: out of memory");
    } else {
      memcpy(secret, buffer, len);
      secret[len] = '\0';
      ok = true;
    }
  }
  explicit_bzero(buffer, SECRET_MAX_BYTES + 1);
  free(buffer);
  *out = secret;
  return ok;
}

/* *out stays NULL when neither source is configured and the secret is not required. */
static bool secret_load(const Profile *profile, const SecretSource *source, bool required,
                        char **out, ConfigError *err) {
  *out = NULL;
  const char *value = source->env ? getenv(source->env) : NULL;
  if (value && value[0]) {
    *out = strdup(value);
    if (!*out) {
      snprintf(err->message, sizeof err->message, "out of memory");
      return false;
    }
    return true;
  }
  if (source->file) {
    return secret_read_file(profile, source, out, err);
  }
  if (required) {
    snprintf(err->message, sizeof err->message,
             "%s:%d: profiles.%s: no %s: set $%s%s, or put it in a file only you can read "
             "(chmod 600 FILE) and add %s = \"FILE\" to the profile",
             profile->file ? profile->file : "(built-in)", profile->line, profile->name,
             source->what, source->env ? source->env : "", value ? " (it is set but empty)" : "",
             source->setting);
    return false;
  }
  return true;
}

bool profile_load_secrets(const Profile *profile, ProfileSecrets *out, ConfigError *err) {
  memset(out, 0, sizeof *out);
  err->message[0] = '\0';
  bool live = profile->kind == PROFILE_LIVE;
  /* Sandbox profiles never read the environment: the variables hold live secrets, which must
   * not be sent to a sandbox. */
  SecretSource client = {"client secret", live ? CONFIG_ENV_CLIENT_SECRET : NULL,
                         profile->client_secret_file, "client_secret_file"};
  if (!secret_load(profile, &client, live, &out->client_secret, err)) {
    return false;
  }
  if (profile->auth_mode == PC_AUTH_APP_USER) {
    SecretSource refresh = {"refresh token", live ? CONFIG_ENV_REFRESH_TOKEN : NULL,
                            profile->refresh_token_file, "refresh_token_file"};
    if (!secret_load(profile, &refresh, live, &out->refresh_token, err)) {
      profile_secrets_clear(out);
      return false;
    }
  }
  return true;
}

static void secret_free(char *secret) {
  if (secret) {
    explicit_bzero(secret, strlen(secret));
    free(secret);
  }
}

void profile_secrets_clear(ProfileSecrets *secrets) {
  if (!secrets) {
    return;
  }
  secret_free(secrets->client_secret);
  secret_free(secrets->refresh_token);
  secrets->client_secret = NULL;
  secrets->refresh_token = NULL;
}
