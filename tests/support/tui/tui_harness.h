/* A test harness for full-screen programs: the program runs on a pseudo-terminal (forkpty) and
 * its output is read into libvterm, so tests see the screen a person would see, cell by cell.
 *
 * Nothing here sleeps. The TUI under test (PCCART_TEST_HOOKS=1) sets the terminal title to
 * "pccart-idle:<frame>" (OSC 2) after each repaint with no job in flight; libvterm reports the
 * title and tui_wait_idle waits for one that arrived after the last input. tui_wait_text polls
 * the pty until the screen shows a text. Both have a generous safety timeout (20 s, or
 * $TUI_TIMEOUT_MS) that only turns a hang into a failure; it never paces a test.
 *
 * The child gets a fresh temporary HOME (and XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_STATE_HOME,
 * XDG_CACHE_HOME inside it), TERM=xterm-256color, LANG=LC_ALL=C.UTF-8, TZ=UTC,
 * PCCART_TEST_HOOKS=1, PATH and the sanitizers' *_OPTIONS from the test's environment, and
 * nothing else unless the options add it. */
#ifndef PCCART_TESTS_TUI_HARNESS_H
#define PCCART_TESTS_TUI_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct Tui Tui;

typedef struct TuiOptions {
  int rows, cols;         /* 0: 24 x 80 */
  const char *const *env; /* extra "NAME=value" (overrides the defaults), "NAME" unsets;
                             NULL-terminated, or NULL */
  /* When non-NULL, written to $XDG_CONFIG_HOME/pccart/config (mode 0600, directories 0700)
   * before the program starts: pccart's default configuration path. */
  const char *config_text;
  /* Working directory of the child; NULL: the temporary HOME. */
  const char *cwd;
  /* An existing directory to be HOME instead of a new temporary one, left in place by
   * tui_stop: a second run finds what the first left there (its state store). */
  const char *home;
} TuiOptions;

/* Starts args[0] (a path) with args (NULL-terminated) on a rows x cols pty. On failure returns
 * NULL and explains in err. */
Tui *tui_start_with(const char *const *args, const TuiOptions *options, char *err, size_t err_size);
/* The short form: extra env and a size (0, 0: 24 x 80); failures are printed on stderr. */
Tui *tui_start(const char *const *args, const char *const *env, int rows, int cols);

/* The temporary HOME (removed by tui_stop) and the path of the configuration written there
 * ("" when options.config_text was NULL). */
const char *tui_home(const Tui *tui);
const char *tui_config_path(const Tui *tui);
pid_t tui_pid(const Tui *tui);

/* Sends keys: literal text, with special keys in angle brackets: <Enter> <Esc> <Tab> <S-Tab>
 * <Up> <Down> <Left> <Right> <Home> <End> <PageUp> <PageDown> <Backspace> <Delete> <Space>
 * <F1>..<F12> <C-a>..<C-z> <lt> (a literal '<'). Example: tui_send(t, "/con<Enter>").
 * Esc must be the last key of a call (wait for idle before the next keys), else the program
 * would read Esc and the next key as one Alt combination; that is refused as an error.
 * Output already waiting on the pty is read first, so a later idle signal answers these keys. */
bool tui_send(Tui *tui, const char *keys);
/* Sends raw bytes as they are. */
bool tui_send_raw(Tui *tui, const char *bytes, size_t length);
/* xterm SGR (1006) mouse reports, as a terminal sends them with mouse tracking on: a left
 * button press and its release on cell (y, x) (0-based screen coordinates), and one wheel step
 * there (up: towards the top of a list). */
bool tui_click(Tui *tui, int y, int x);
bool tui_wheel(Tui *tui, int y, int x, bool up);

/* Waits for an idle title newer than the last input (with no input yet: any) after which the
 * program has drawn nothing: the screen is the complete frame the title announced. */
bool tui_wait_idle(Tui *tui);
/* Waits until the screen contains text (UTF-8, exact). */
bool tui_wait_text(Tui *tui, const char *text);
/* Waits until the screen no longer contains text. */
bool tui_wait_text_gone(Tui *tui, const char *text);
/* Waits until done(tui, arg) holds, reading the pty meanwhile; `what` names it in the error. */
bool tui_wait_for(Tui *tui, bool (*done)(Tui *, const void *), const void *arg, const char *what);
/* Waits until the program exits; *status gets the exit status (128 + signal when killed). */
bool tui_wait_exit(Tui *tui, int *status);

/* Resizes the pty (the kernel sends SIGWINCH to the program) and the virtual screen. */
bool tui_resize(Tui *tui, int rows, int cols);

/* The screen as text: rows joined with '\n', trailing blanks trimmed (a new string). */
char *tui_screen_text(Tui *tui);
/* One row (trailing blanks trimmed) into a buffer kept by the harness until the next call. */
const char *tui_row(Tui *tui, int y);
/* Row y from column x (a cell column, wide characters taking two) to the end. */
const char *tui_row_from(Tui *tui, int y, int x);
/* The first row containing text, or -1. */
int tui_find_row(Tui *tui, const char *text);
bool tui_screen_contains(Tui *tui, const char *text);
void tui_size(const Tui *tui, int *rows, int *cols);

typedef struct TuiAttrs {
  bool bold, underline, italic, blink, reverse;
  bool fg_default, bg_default; /* the terminal's default colours */
  int fg_index, bg_index;      /* the palette index of an indexed colour, else -1 */
  uint8_t fg_rgb[3], bg_rgb[3];
  char text[8]; /* the cell's character as UTF-8 ("" for an empty cell) */
} TuiAttrs;
TuiAttrs tui_cell_attrs(Tui *tui, int y, int x);
/* The number of cells whose foreground or background is not the default; the first one's
 * position in *y, *x when non-NULL. NO_COLOR means 0. */
long tui_count_coloured_cells(Tui *tui, int *y, int *x);

/* The terminal title last set by the program. */
const char *tui_title(const Tui *tui);
/* Idle titles seen so far, and the frame number of the last one (-1 before any). */
unsigned long tui_idle_count(const Tui *tui);
long tui_idle_frame(const Tui *tui);
/* Bytes read from the pty so far (the program's output, including the idle titles). */
unsigned long long tui_bytes_read(const Tui *tui);
/* CLOCK_MONOTONIC nanoseconds: when the program was started (just before the fork), and when
 * the last idle title was read. */
int64_t tui_started_ns(const Tui *tui);
int64_t tui_last_idle_ns(const Tui *tui);
/* When output was last read, and the clock itself. */
int64_t tui_last_read_ns(const Tui *tui);
int64_t tui_now_ns(void);

/* Reads whatever the program writes for up to timeout_ms (0: only what is waiting); returns
 * false on a read error or when the program has closed the pty. */
bool tui_pump(Tui *tui, int timeout_ms);
/* Benchmarks only (timing-based on purpose, never in tests): reads until no byte arrives for
 * quiet_ms; returns false when the safety timeout passed first. */
bool tui_wait_quiet(Tui *tui, int quiet_ms);

/* The last harness error (timeouts say what they waited for); helpers built on the harness
 * set their own. */
const char *tui_error(const Tui *tui);
void tui_set_error(Tui *tui, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* Prints the screen with a frame, the title and the last error to stderr, for failures. */
void tui_dump(Tui *tui, const char *why);

/* Ends the program if it is still running (SIGTERM, then SIGKILL when the safety timeout
 * passes), reaps it, removes the temporary HOME and frees everything. Returns the exit status
 * (128 + signal when killed by one, -1 when unknown). NULL is fine (returns -1). */
int tui_stop(Tui *tui);

/* ----- cmocka assertions (include cmocka.h before this header to use them) ----- */
#ifdef cmocka_unit_test
#define TUI_ASSERT(tui, call)                                                                      \
  do {                                                                                             \
    if (!(call)) {                                                                                 \
      tui_dump((tui), #call);                                                                      \
      fail_msg("%s: %s", #call, tui_error(tui));                                                   \
    }                                                                                              \
  } while (0)
#define tui_assert_idle(tui) TUI_ASSERT((tui), tui_wait_idle(tui))
#define tui_assert_text(tui, text) TUI_ASSERT((tui), tui_wait_text((tui), (text)))
#define tui_assert_send(tui, keys) TUI_ASSERT((tui), tui_send((tui), (keys)))
#endif

#endif
