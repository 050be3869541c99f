/* The pty + libvterm harness (see tui_harness.h). */
#define _GNU_SOURCE
#include "tui_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vterm.h>

#define TUI_DEFAULT_TIMEOUT_MS 20000
#define TUI_IDLE_PREFIX "pccart-idle:"

struct Tui {
  pid_t pid;
  int pidfd; /* readable once the program has exited (poll, never sleep) */
  int master;
  bool exited; /* reaped */
  int status;  /* exit status once reaped */
  bool hangup; /* the pty's slave side is closed */
  VTerm *vt;
  VTermScreen *screen;
  int rows, cols;
  char home[256];
  bool keep_home; /* the caller's (TuiOptions.home): not removed */
  char config_path[600];
  char title[256];
  unsigned long idle_count;
  bool idle_last; /* the last thing the program wrote was an idle title (nothing drawn since) */
  unsigned long idle_count_at_input; /* idle titles seen when input was last sent */
  bool input_sent;
  long idle_frame;
  unsigned long long bytes_read;
  int64_t started_ns;
  int64_t last_idle_ns;
  int64_t last_read_ns;
  int timeout_ms;
  char *row_buffer;
  size_t row_buffer_size;
  char error[512];
};

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void tui_set_error(Tui *tui, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(tui->error, sizeof tui->error, format, args);
  va_end(args);
}

/* ----- libvterm callbacks ----- */

static int on_settermprop(VTermProp prop, VTermValue *value, void *user) {
  Tui *tui = user;
  if (prop != VTERM_PROP_TITLE || !value->string)
    return 1;
  snprintf(tui->title, sizeof tui->title, "%s", value->string);
  if (strncmp(tui->title, TUI_IDLE_PREFIX, strlen(TUI_IDLE_PREFIX)) == 0) {
    tui->idle_count++;
    tui->idle_last = true;
    tui->idle_frame = strtol(tui->title + strlen(TUI_IDLE_PREFIX), NULL, 10);
    tui->last_idle_ns = now_ns();
  }
  return 1;
}

/* The terminal's answers to the program's queries (device attributes, cursor position) go
 * back to the program, as a real terminal's would. */
static void on_output(const char *bytes, size_t length, void *user) {
  Tui *tui = user;
  while (length > 0) {
    ssize_t n = write(tui->master, bytes, length);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    bytes += n;
    length -= (size_t)n;
  }
}

/* Anything drawn after an idle title means the program is painting again. */
static int on_damage(VTermRect rect, void *user) {
  (void)rect;
  ((Tui *)user)->idle_last = false;
  return 1;
}

static int on_moverect(VTermRect dest, VTermRect src, void *user) {
  (void)dest;
  (void)src;
  ((Tui *)user)->idle_last = false;
  return 1;
}

static const VTermScreenCallbacks screen_callbacks = {
    .settermprop = on_settermprop, .damage = on_damage, .moverect = on_moverect};

/* ----- the temporary HOME ----- */

static bool make_dir(const char *path) {
  return mkdir(path, 0700) == 0 || errno == EEXIST;
}

static bool write_file(const char *path, const char *text, mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return false;
  size_t length = strlen(text);
  bool ok = true;
  while (length > 0) {
    ssize_t n = write(fd, text, length);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    text += n;
    length -= (size_t)n;
  }
  /* open's mode is masked by the umask; the configuration must be exactly 0600. */
  if (fchmod(fd, mode) != 0)
    ok = false;
  return close(fd) == 0 && ok;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

static void remove_tree(const char *path) {
  if (path[0])
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ----- the child's environment ----- */

typedef struct EnvList {
  char *items[96];
  size_t count;
} EnvList;

static bool env_name_matches(const char *entry, const char *name, size_t name_length) {
  return strncmp(entry, name, name_length) == 0 &&
         (entry[name_length] == '=' || entry[name_length] == '\0');
}

/* Sets "NAME=value" (replacing an earlier NAME), or removes NAME when entry has no '='. */
static bool env_put(EnvList *env, const char *entry) {
  const char *equals = strchr(entry, '=');
  size_t name_length = equals ? (size_t)(equals - entry) : strlen(entry);
  for (size_t i = 0; i < env->count; i++) {
    if (env_name_matches(env->items[i], entry, name_length)) {
      free(env->items[i]);
      env->items[i] = env->items[--env->count];
      break;
    }
  }
  if (!equals)
    return true;
  if (env->count + 1 >= sizeof env->items / sizeof env->items[0])
    return false;
  char *copy = strdup(entry);
  if (!copy)
    return false;
  env->items[env->count++] = copy;
  env->items[env->count] = NULL;
  return true;
}

static bool env_putf(EnvList *env, const char *format, ...) __attribute__((format(printf, 2, 3)));
static bool env_putf(EnvList *env, const char *format, ...) {
  char buf[1024];
  va_list args;
  va_start(args, format);
  int n = vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return n > 0 && (size_t)n < sizeof buf && env_put(env, buf);
}

static void env_free(EnvList *env) {
  for (size_t i = 0; i < env->count; i++)
    free(env->items[i]);
  env->count = 0;
}

static bool env_build(EnvList *env, const char *home, const char *const *extra) {
  /* Passed through: how to find programs, and the sanitizers' settings (so a leak or UB in
   * the child fails the test the same way it fails in the test process). */
  static const char *const inherited[] = {"PATH",           "ASAN_OPTIONS", "UBSAN_OPTIONS",
                                          "LSAN_OPTIONS",   "TSAN_OPTIONS", "MSAN_OPTIONS",
                                          "LD_LIBRARY_PATH"};
  bool ok = true;
  for (size_t i = 0; i < sizeof inherited / sizeof inherited[0]; i++) {
    const char *value = getenv(inherited[i]);
    if (value)
      ok = ok && env_putf(env, "%s=%s", inherited[i], value);
  }
  ok = ok && env_putf(env, "HOME=%s", home) && env_putf(env, "XDG_CONFIG_HOME=%s/.config", home) &&
       env_putf(env, "XDG_DATA_HOME=%s/.local/share", home) &&
       env_putf(env, "XDG_STATE_HOME=%s/.local/state", home) &&
       env_putf(env, "XDG_CACHE_HOME=%s/.cache", home) && env_put(env, "TERM=xterm-256color") &&
       env_put(env, "LANG=C.UTF-8") && env_put(env, "LC_ALL=C.UTF-8") && env_put(env, "TZ=UTC") &&
       env_put(env, "PCCART_TEST_HOOKS=1");
  for (size_t i = 0; ok && extra && extra[i]; i++)
    ok = env_put(env, extra[i]);
  return ok;
}

/* ----- start ----- */

static void tui_free(Tui *tui) {
  if (!tui)
    return;
  if (tui->vt)
    vterm_free(tui->vt);
  if (tui->master >= 0)
    close(tui->master);
  if (tui->pidfd >= 0)
    close(tui->pidfd);
  if (!tui->keep_home)
    remove_tree(tui->home);
  free(tui->row_buffer);
  free(tui);
}

Tui *tui_start_with(const char *const *args, const TuiOptions *options, char *err,
                    size_t err_size) {
  static const TuiOptions defaults = {0};
  if (!options)
    options = &defaults;
  if (!args || !args[0]) {
    snprintf(err, err_size, "tui_start: no program to run");
    return NULL;
  }
  Tui *tui = calloc(1, sizeof *tui);
  if (!tui) {
    snprintf(err, err_size, "tui_start: out of memory");
    return NULL;
  }
  tui->master = -1;
  tui->pidfd = -1;
  tui->pid = -1;
  tui->status = -1;
  tui->idle_frame = -1;
  tui->rows = options->rows > 0 ? options->rows : 24;
  tui->cols = options->cols > 0 ? options->cols : 80;
  const char *timeout = getenv("TUI_TIMEOUT_MS");
  tui->timeout_ms = timeout && atoi(timeout) > 0 ? atoi(timeout) : TUI_DEFAULT_TIMEOUT_MS;

  const char *tmp = getenv("TMPDIR");
  snprintf(tui->home, sizeof tui->home, "%s/pccart-tui-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
  if (options->home) {
    snprintf(tui->home, sizeof tui->home, "%s", options->home);
    tui->keep_home = true;
  } else if (!mkdtemp(tui->home)) {
    snprintf(err, err_size, "tui_start: cannot create a temporary HOME in %s: %s",
             tmp && tmp[0] ? tmp : "/tmp", strerror(errno));
    tui->home[0] = '\0';
    tui_free(tui);
    return NULL;
  }
  char path[512];
  static const char *const subdirs[] = {"/.config", "/.local", "/.local/share", "/.local/state",
                                        "/.cache"};
  for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
    snprintf(path, sizeof path, "%s%s", tui->home, subdirs[i]);
    if (!make_dir(path)) {
      snprintf(err, err_size, "tui_start: mkdir %s: %s", path, strerror(errno));
      tui_free(tui);
      return NULL;
    }
  }
  if (options->config_text) {
    snprintf(path, sizeof path, "%s/.config/pccart", tui->home);
    snprintf(tui->config_path, sizeof tui->config_path, "%s/config", path);
    if (!make_dir(path) || !write_file(tui->config_path, options->config_text, 0600)) {
      snprintf(err, err_size, "tui_start: cannot write %s: %s", tui->config_path, strerror(errno));
      tui_free(tui);
      return NULL;
    }
  }

  tui->vt = vterm_new(tui->rows, tui->cols);
  if (!tui->vt) {
    snprintf(err, err_size, "tui_start: vterm_new failed");
    tui_free(tui);
    return NULL;
  }
  vterm_set_utf8(tui->vt, 1);
  vterm_output_set_callback(tui->vt, on_output, tui);
  tui->screen = vterm_obtain_screen(tui->vt);
  vterm_screen_set_callbacks(tui->screen, &screen_callbacks, tui);
  vterm_screen_enable_altscreen(tui->screen, 1);
  vterm_screen_reset(tui->screen, 1);

  EnvList env = {{0}, 0};
  if (!env_build(&env, tui->home, options->env)) {
    env_free(&env);
    snprintf(err, err_size, "tui_start: environment too large or out of memory");
    tui_free(tui);
    return NULL;
  }
  const char *cwd = options->cwd ? options->cwd : tui->home;

  struct winsize size = {.ws_row = (unsigned short)tui->rows, .ws_col = (unsigned short)tui->cols};
  tui->started_ns = now_ns();
  pid_t pid = forkpty(&tui->master, NULL, NULL, &size);
  if (pid < 0) {
    snprintf(err, err_size, "tui_start: forkpty: %s", strerror(errno));
    env_free(&env);
    tui_free(tui);
    return NULL;
  }
  if (pid == 0) {
    /* The child: only async-signal-safe calls until exec. The test's own descriptors (the
     * sandbox's listening socket, curl's connections) stay with the test. */
    close_range(3, ~0u, 0);
    if (chdir(cwd) != 0)
      _exit(126);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    execve(args[0], (char *const *)args, env.items);
    static const char message[] = "tui_harness: exec failed\r\n";
    ssize_t ignored = write(2, message, sizeof message - 1);
    (void)ignored;
    _exit(127);
  }
  env_free(&env);
  tui->pid = pid;
  tui->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  int flags = fcntl(tui->master, F_GETFL);
  fcntl(tui->master, F_SETFL, flags | O_NONBLOCK);
  fcntl(tui->master, F_SETFD, FD_CLOEXEC);
  return tui;
}

Tui *tui_start(const char *const *args, const char *const *env, int rows, int cols) {
  TuiOptions options = {.rows = rows, .cols = cols, .env = env};
  char err[512];
  Tui *tui = tui_start_with(args, &options, err, sizeof err);
  if (!tui)
    fprintf(stderr, "%s\n", err);
  return tui;
}

const char *tui_home(const Tui *tui) {
  return tui->home;
}
const char *tui_config_path(const Tui *tui) {
  return tui->config_path;
}
pid_t tui_pid(const Tui *tui) {
  return tui->pid;
}
const char *tui_title(const Tui *tui) {
  return tui->title;
}
unsigned long tui_idle_count(const Tui *tui) {
  return tui->idle_count;
}
long tui_idle_frame(const Tui *tui) {
  return tui->idle_frame;
}
unsigned long long tui_bytes_read(const Tui *tui) {
  return tui->bytes_read;
}
int64_t tui_started_ns(const Tui *tui) {
  return tui->started_ns;
}
int64_t tui_last_idle_ns(const Tui *tui) {
  return tui->last_idle_ns;
}
int64_t tui_last_read_ns(const Tui *tui) {
  return tui->last_read_ns;
}
int64_t tui_now_ns(void) {
  return now_ns();
}
const char *tui_error(const Tui *tui) {
  return tui ? tui->error : "no harness";
}
void tui_size(const Tui *tui, int *rows, int *cols) {
  *rows = tui->rows;
  *cols = tui->cols;
}

/* ----- reading the pty ----- */

/* Reads what is waiting (without blocking) into libvterm. */
static bool read_available(Tui *tui) {
  char buf[65536];
  for (;;) {
    ssize_t n = read(tui->master, buf, sizeof buf);
    if (n > 0) {
      tui->bytes_read += (unsigned long long)n;
      tui->last_read_ns = now_ns();
      vterm_input_write(tui->vt, buf, (size_t)n);
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return true;
    /* EOF, or EIO: Linux reports the slave side closed (the program exited) as EIO. */
    tui->hangup = true;
    return false;
  }
}

static bool reap(Tui *tui, int options);

bool tui_pump(Tui *tui, int timeout_ms) {
  struct pollfd pfds[2] = {{.fd = tui->hangup ? -1 : tui->master, .events = POLLIN},
                           {.fd = tui->exited ? -1 : tui->pidfd, .events = POLLIN}};
  if (pfds[0].fd < 0 && pfds[1].fd < 0)
    return false;
  int n = poll(pfds, 2, timeout_ms);
  if (n < 0)
    return errno == EINTR;
  if (pfds[1].revents)
    reap(tui, WNOHANG);
  if (n == 0 || pfds[0].fd < 0)
    return !tui->hangup;
  return read_available(tui);
}

/* Pumps until done(tui, arg) holds or the safety timeout passes. */
bool tui_wait_for(Tui *tui, bool (*done)(Tui *, const void *), const void *arg, const char *what) {
  int64_t deadline = now_ns() + (int64_t)tui->timeout_ms * 1000000;
  if (!tui->hangup)
    read_available(tui);
  for (;;) {
    if (done(tui, arg))
      return true;
    if (tui->hangup && (tui->exited || tui->pidfd < 0)) {
      tui_set_error(tui, "the program closed the terminal while waiting for %s", what);
      return false;
    }
    int64_t left = deadline - now_ns();
    if (left <= 0) {
      tui_set_error(tui, "no %s within the safety timeout (%d ms)", what, tui->timeout_ms);
      return false;
    }
    tui_pump(tui, (int)(left / 1000000) + 1);
  }
}

static bool idle_after_input(Tui *tui, const void *arg) {
  (void)arg;
  return tui->idle_count > tui->idle_count_at_input && tui->idle_last;
}

bool tui_wait_idle(Tui *tui) {
  return tui_wait_for(tui, idle_after_input, NULL,
                      "idle signal (pccart-idle title) after the last input");
}

static bool text_shown(Tui *tui, const void *arg) {
  return tui_screen_contains(tui, arg);
}
static bool text_not_shown(Tui *tui, const void *arg) {
  return !tui_screen_contains(tui, arg);
}

bool tui_wait_text(Tui *tui, const char *text) {
  char what[200];
  snprintf(what, sizeof what, "\"%s\" on the screen", text);
  return tui_wait_for(tui, text_shown, text, what);
}

bool tui_wait_text_gone(Tui *tui, const char *text) {
  char what[200];
  snprintf(what, sizeof what, "\"%s\" gone from the screen", text);
  return tui_wait_for(tui, text_not_shown, text, what);
}

bool tui_wait_quiet(Tui *tui, int quiet_ms) {
  int64_t deadline = now_ns() + (int64_t)tui->timeout_ms * 1000000;
  while (now_ns() < deadline) {
    struct pollfd pfd = {.fd = tui->master, .events = POLLIN};
    int n = poll(&pfd, 1, quiet_ms);
    if (n == 0)
      return true;
    if (n < 0 && errno != EINTR)
      return false;
    if (n > 0 && !read_available(tui))
      return true; /* closed: nothing more will come */
  }
  tui_set_error(tui, "output never went quiet for %d ms", quiet_ms);
  return false;
}

static bool reap(Tui *tui, int options) {
  if (tui->exited)
    return true;
  int status;
  pid_t r;
  do
    r = waitpid(tui->pid, &status, options);
  while (r < 0 && errno == EINTR);
  if (r != tui->pid)
    return false;
  tui->exited = true;
  tui->status = WIFEXITED(status)     ? WEXITSTATUS(status)
                : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                      : -1;
  return true;
}

static bool program_gone(Tui *tui, const void *arg) {
  (void)arg;
  /* Without a pidfd (old kernels) the pty's hang-up is the sign: it closes as the program
   * exits, and the blocking waitpid below is then short. */
  return reap(tui, WNOHANG) || (tui->pidfd < 0 && tui->hangup);
}

bool tui_wait_exit(Tui *tui, int *status) {
  if (!tui_wait_for(tui, program_gone, NULL, "the program's exit"))
    return false;
  reap(tui, 0);
  /* Whatever it wrote last (an error message) is on the screen too. */
  if (!tui->hangup)
    read_available(tui);
  if (status)
    *status = tui->status;
  return true;
}

/* ----- input ----- */

typedef struct KeyName {
  const char *name;
  const char *bytes;
} KeyName;

/* What xterm sends (normal cursor mode; ncurses' keypad mode switches the arrows to SS3). */
static const KeyName key_names[] = {
    {"Enter", "\r"},       {"Esc", "\033"},       {"Tab", "\t"},         {"S-Tab", "\033[Z"},
    {"Up", "\033OA"},      {"Down", "\033OB"},    {"Right", "\033OC"},   {"Left", "\033OD"},
    {"Home", "\033OH"},    {"End", "\033OF"},     {"PageUp", "\033[5~"}, {"PageDown", "\033[6~"},
    {"Backspace", "\177"}, {"Delete", "\033[3~"}, {"Insert", "\033[2~"}, {"Space", " "},
    {"F1", "\033OP"},      {"F2", "\033OQ"},      {"F3", "\033OR"},      {"F4", "\033OS"},
    {"F5", "\033[15~"},    {"F6", "\033[17~"},    {"F7", "\033[18~"},    {"F8", "\033[19~"},
    {"F9", "\033[20~"},    {"F10", "\033[21~"},   {"F11", "\033[23~"},   {"F12", "\033[24~"},
    {"lt", "<"},
};

static bool write_all(Tui *tui, const char *bytes, size_t length) {
  int64_t deadline = now_ns() + (int64_t)tui->timeout_ms * 1000000;
  while (length > 0) {
    ssize_t n = write(tui->master, bytes, length);
    if (n > 0) {
      bytes += n;
      length -= (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && now_ns() < deadline) {
      /* The program is not reading: keep reading its output so it is not stuck writing. */
      if (!tui_pump(tui, 10) && tui->hangup)
        break;
      continue;
    }
    tui_set_error(tui, "cannot write to the terminal: %s", n < 0 ? strerror(errno) : "closed");
    return false;
  }
  return length == 0;
}

bool tui_send_raw(Tui *tui, const char *bytes, size_t length) {
  /* What the program wrote before this input must not count as its answer to it. */
  if (!tui->hangup)
    read_available(tui);
  tui->idle_count_at_input = tui->idle_count;
  tui->input_sent = true;
  return write_all(tui, bytes, length);
}

bool tui_send(Tui *tui, const char *keys) {
  char out[4096];
  size_t length = 0;
  for (const char *p = keys; *p;) {
    const char *bytes = p;
    size_t count = 1;
    if (*p == '<' && strchr(p, '>')) {
      const char *end = strchr(p, '>');
      size_t name_length = (size_t)(end - p - 1);
      char name[16];
      if (name_length == 0 || name_length >= sizeof name) {
        tui_set_error(tui, "tui_send: bad key name in \"%s\"", keys);
        return false;
      }
      memcpy(name, p + 1, name_length);
      name[name_length] = '\0';
      static char ctrl[2];
      bytes = NULL;
      if (name_length == 3 && name[0] == 'C' && name[1] == '-' && name[2] >= 'a' &&
          name[2] <= 'z') {
        ctrl[0] = (char)(name[2] - 'a' + 1);
        bytes = ctrl;
      }
      for (size_t i = 0; !bytes && i < sizeof key_names / sizeof key_names[0]; i++)
        if (strcmp(key_names[i].name, name) == 0)
          bytes = key_names[i].bytes;
      if (!bytes) {
        tui_set_error(tui, "tui_send: unknown key <%s> in \"%s\"", name, keys);
        return false;
      }
      if (strcmp(name, "Esc") == 0 && end[1] != '\0') {
        tui_set_error(tui, "tui_send: <Esc> must end the keys (wait for idle, then send \"%s\")",
                      end + 1);
        return false;
      }
      count = strlen(bytes);
      p = end + 1;
    } else {
      p++;
    }
    if (length + count > sizeof out) {
      tui_set_error(tui, "tui_send: too many keys");
      return false;
    }
    memcpy(out + length, bytes, count);
    length += count;
  }
  return tui_send_raw(tui, out, length);
}

/* SGR reports are "ESC [ < button ; column ; row M" for a press and "... m" for a release,
 * with 1-based cells; the wheel is buttons 64 (up) and 65 (down), pressed only. */
bool tui_click(Tui *tui, int y, int x) {
  char report[64];
  int n =
      snprintf(report, sizeof report, "\033[<0;%d;%dM\033[<0;%d;%dm", x + 1, y + 1, x + 1, y + 1);
  return tui_send_raw(tui, report, (size_t)n);
}

bool tui_wheel(Tui *tui, int y, int x, bool up) {
  char report[32];
  int n = snprintf(report, sizeof report, "\033[<%d;%d;%dM", up ? 64 : 65, x + 1, y + 1);
  return tui_send_raw(tui, report, (size_t)n);
}

bool tui_resize(Tui *tui, int rows, int cols) {
  if (!tui->hangup)
    read_available(tui);
  /* The screen first, so that what the program paints for the new size lands on it. */
  vterm_set_size(tui->vt, rows, cols);
  tui->rows = rows;
  tui->cols = cols;
  tui->idle_count_at_input = tui->idle_count;
  tui->input_sent = true;
  struct winsize size = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
  if (ioctl(tui->master, TIOCSWINSZ, &size) != 0) {
    tui_set_error(tui, "TIOCSWINSZ: %s", strerror(errno));
    return false;
  }
  return true;
}

/* ----- reading the screen ----- */

static size_t utf8_encode(uint32_t c, char *out) {
  if (c < 0x80) {
    out[0] = (char)c;
    return 1;
  }
  if (c < 0x800) {
    out[0] = (char)(0xC0 | (c >> 6));
    out[1] = (char)(0x80 | (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    out[0] = (char)(0xE0 | (c >> 12));
    out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[2] = (char)(0x80 | (c & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (c >> 18));
  out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
  out[3] = (char)(0x80 | (c & 0x3F));
  return 4;
}

/* Appends row y to out (room for cols * 4 * VTERM_MAX_CHARS_PER_CELL bytes); returns the
 * length with trailing blanks trimmed. */
static size_t row_text_from(Tui *tui, int y, int from, char *out) {
  size_t length = 0, trimmed = 0;
  for (int x = from; x < tui->cols; x++) {
    VTermScreenCell cell;
    if (!vterm_screen_get_cell(tui->screen, (VTermPos){.row = y, .col = x}, &cell))
      continue;
    if (cell.chars[0] == (uint32_t)-1) /* the right half of a wide character */
      continue;
    if (cell.chars[0] == 0) {
      out[length++] = ' ';
      continue;
    }
    for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell.chars[i]; i++)
      length += utf8_encode(cell.chars[i], out + length);
    trimmed = length;
  }
  return trimmed;
}

static size_t row_text(Tui *tui, int y, char *out) {
  return row_text_from(tui, y, 0, out);
}

static size_t row_capacity(const Tui *tui) {
  return (size_t)tui->cols * 4 * VTERM_MAX_CHARS_PER_CELL + 2;
}

char *tui_screen_text(Tui *tui) {
  size_t capacity = row_capacity(tui) * (size_t)tui->rows + 1;
  char *text = malloc(capacity);
  if (!text)
    return NULL;
  size_t length = 0;
  for (int y = 0; y < tui->rows; y++) {
    length += row_text(tui, y, text + length);
    if (y + 1 < tui->rows)
      text[length++] = '\n';
  }
  text[length] = '\0';
  return text;
}

const char *tui_row(Tui *tui, int y) {
  return tui_row_from(tui, y, 0);
}

const char *tui_row_from(Tui *tui, int y, int x) {
  size_t capacity = row_capacity(tui);
  if (tui->row_buffer_size < capacity) {
    char *buffer = realloc(tui->row_buffer, capacity);
    if (!buffer)
      return "";
    tui->row_buffer = buffer;
    tui->row_buffer_size = capacity;
  }
  if (y < 0 || y >= tui->rows || x < 0 || x >= tui->cols) {
    tui->row_buffer[0] = '\0';
    return tui->row_buffer;
  }
  tui->row_buffer[row_text_from(tui, y, x, tui->row_buffer)] = '\0';
  return tui->row_buffer;
}

int tui_find_row(Tui *tui, const char *text) {
  for (int y = 0; y < tui->rows; y++)
    if (strstr(tui_row(tui, y), text))
      return y;
  return -1;
}

bool tui_screen_contains(Tui *tui, const char *text) {
  return tui_find_row(tui, text) >= 0;
}

static void colour_fields(VTermScreen *screen, VTermColor colour, bool is_fg, bool *is_default,
                          int *index, uint8_t rgb[3]) {
  *is_default = is_fg ? VTERM_COLOR_IS_DEFAULT_FG(&colour) : VTERM_COLOR_IS_DEFAULT_BG(&colour);
  *index = VTERM_COLOR_IS_INDEXED(&colour) ? colour.indexed.idx : -1;
  vterm_screen_convert_color_to_rgb(screen, &colour);
  rgb[0] = colour.rgb.red;
  rgb[1] = colour.rgb.green;
  rgb[2] = colour.rgb.blue;
}

TuiAttrs tui_cell_attrs(Tui *tui, int y, int x) {
  TuiAttrs attrs = {.fg_default = true, .bg_default = true, .fg_index = -1, .bg_index = -1};
  VTermScreenCell cell;
  if (y < 0 || y >= tui->rows || x < 0 || x >= tui->cols ||
      !vterm_screen_get_cell(tui->screen, (VTermPos){.row = y, .col = x}, &cell))
    return attrs;
  attrs.bold = cell.attrs.bold;
  attrs.underline = cell.attrs.underline != 0;
  attrs.italic = cell.attrs.italic;
  attrs.blink = cell.attrs.blink;
  attrs.reverse = cell.attrs.reverse;
  colour_fields(tui->screen, cell.fg, true, &attrs.fg_default, &attrs.fg_index, attrs.fg_rgb);
  colour_fields(tui->screen, cell.bg, false, &attrs.bg_default, &attrs.bg_index, attrs.bg_rgb);
  if (cell.chars[0] != 0 && cell.chars[0] != (uint32_t)-1)
    attrs.text[utf8_encode(cell.chars[0], attrs.text)] = '\0';
  return attrs;
}

long tui_count_coloured_cells(Tui *tui, int *first_y, int *first_x) {
  long count = 0;
  for (int y = 0; y < tui->rows; y++) {
    for (int x = 0; x < tui->cols; x++) {
      TuiAttrs attrs = tui_cell_attrs(tui, y, x);
      if (attrs.fg_default && attrs.bg_default)
        continue;
      if (count++ == 0) {
        if (first_y)
          *first_y = y;
        if (first_x)
          *first_x = x;
      }
    }
  }
  return count;
}

void tui_dump(Tui *tui, const char *why) {
  if (!tui) {
    fprintf(stderr, "tui_dump: no harness (%s)\n", why ? why : "");
    return;
  }
  fprintf(stderr, "---- screen %dx%d (%s) title \"%s\" idle %lu frame %ld ----\n", tui->rows,
          tui->cols, why ? why : "", tui->title, tui->idle_count, tui->idle_frame);
  for (int y = 0; y < tui->rows; y++)
    fprintf(stderr, "|%s\n", tui_row(tui, y));
  fprintf(stderr, "---- %s%s ----\n", tui->error[0] ? "error: " : "", tui->error);
}

/* ----- stop ----- */

int tui_stop(Tui *tui) {
  if (!tui)
    return -1;
  if (tui->pid > 0 && !tui->exited && !reap(tui, WNOHANG)) {
    kill(tui->pid, SIGTERM);
    int64_t deadline = now_ns() + (int64_t)tui->timeout_ms * 1000000;
    /* Keep reading so that a program writing its last frame is not blocked on a full pty;
     * the pidfd wakes the poll when it exits. */
    while (!reap(tui, WNOHANG) && now_ns() < deadline)
      if (!tui_pump(tui, 100) && tui->pidfd < 0)
        break;
    if (!tui->exited) {
      kill(tui->pid, SIGKILL);
      reap(tui, 0);
    }
  }
  int status = tui->status;
  tui_free(tui);
  return status;
}
