/* The TUI's speed on a pseudo-terminal, side by side with tig in the same run and on the same
 * harness (tests/support/tui): the first complete frame after start, a one-row list move (time
 * and bytes written to the terminal), cart changes with the autosave on, filtering 100,000
 * loaded customers per keystroke, and the resident memory with them loaded. Run by hand
 * (docs/performance.md has the figures):
 *
 *   build/release/tests/bench/bench_tui [--runs N] [--moves N] [--changes N] [--pace-ms MS]
 *                                       [--customers N] [--no-tig] [--pccart PATH]
 *                                       [--baseline PATH] [--only start,moves,autosave,filter]
 *
 * --baseline PATH adds another pccart (an older build) to the first-frame series, measured in
 * the same runs, taking turns with the one under test.
 *
 * pccart says when it is idle (PCCART_TEST_HOOKS=1: the title "pccart-idle:<frame>" after each
 * repaint with no job in flight and no autosave due or being written), so its times end at that
 * signal. tig has no such signal: its times end at the last byte it wrote before staying quiet
 * for --quiet-ms (default 30 ms); the quiet wait itself is not counted.
 *
 * The autosave measure runs pccart twice with a state store in its temporary HOME: with
 * PCCART_AUTOSAVE_DELAY_MS=300 (the real delay: a change is written 300 ms later by the
 * autosave thread, and the idle title does not wait for a write not yet due) and with 0 (each
 * change's write before the idle title: what the write would cost if it were on the key's
 * path). A customer is picked, two lines are added through the forms and duplicated to 20;
 * then --moves j/k in the cart, and --changes D (duplicate the selected line) in rounds of 40,
 * each round followed by as many d + y (delete, confirmed) back to 20 lines. One key every
 * --pace-ms (default 30 ms, a fast typist), so that the autosave timer runs between keys. Each
 * change is timed to the frame that shows the cart's new line count and to the idle title. */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui_harness.h"

/* ----- options ----- */

typedef struct BenchOptions {
  int runs;
  int moves;
  int changes; /* cart-changing keys (D) per autosave variant */
  int pace_ms; /* one key every pace_ms in the autosave measure */
  long customers;
  int quiet_ms;
  bool tig;
  const char *only; /* NULL: every measure; else some of start,moves,autosave,filter */
  const char *pccart;
  const char *baseline; /* another pccart (an older build) for the first frame, or NULL */
} BenchOptions;

/* ----- statistics ----- */

typedef struct Samples {
  double *values;
  size_t count, capacity;
} Samples;

static void samples_add(Samples *s, double value) {
  if (s->count == s->capacity) {
    size_t capacity = s->capacity ? s->capacity * 2 : 64;
    double *values = realloc(s->values, capacity * sizeof *values);
    if (!values) {
      fprintf(stderr, "bench_tui: out of memory\n");
      exit(1);
    }
    s->values = values;
    s->capacity = capacity;
  }
  s->values[s->count++] = value;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double samples_quantile(Samples *s, double q) {
  if (s->count == 0)
    return NAN;
  qsort(s->values, s->count, sizeof *s->values, compare_doubles);
  size_t index = (size_t)(q * (double)(s->count - 1) + 0.5);
  return s->values[index];
}

static void samples_print(const char *what, Samples *s, const char *unit) {
  printf("  %-44s median %9.3f  p90 %9.3f  min %9.3f  max %9.3f %s  (n=%zu)\n", what,
         samples_quantile(s, 0.5), samples_quantile(s, 0.9), samples_quantile(s, 0.0),
         samples_quantile(s, 1.0), unit, s->count);
}

static void samples_clear(Samples *s) {
  free(s->values);
  memset(s, 0, sizeof *s);
}

static double ms_between(int64_t from, int64_t to) {
  return (double)(to - from) / 1e6;
}

static long vm_rss_kb(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  FILE *file = fopen(path, "r");
  if (!file)
    return -1;
  char line[256];
  long kb = -1;
  while (fgets(line, sizeof line, file))
    if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
      break;
  fclose(file);
  return kb;
}

static Tui *start_or_die(const char *const *args, const TuiOptions *options) {
  char err[512];
  Tui *tui = tui_start_with(args, options, err, sizeof err);
  if (!tui) {
    fprintf(stderr, "bench_tui: %s\n", err);
    exit(1);
  }
  return tui;
}

static void fail(Tui *tui, const char *what) {
  tui_dump(tui, what);
  fprintf(stderr, "bench_tui: %s: %s\n", what, tui_error(tui));
  exit(1);
}

/* ----- a git repository for tig ----- */

/* count commits, made with git fast-import (seconds even for 100,000); returns the directory. */
static char *make_repo(long count) {
  char *dir = strdup("/tmp/bench-tui-repo-XXXXXX");
  if (!dir || !mkdtemp(dir)) {
    fprintf(stderr, "bench_tui: mkdtemp: %s\n", strerror(errno));
    exit(1);
  }
  char command[512];
  snprintf(
      command, sizeof command,
      "cd '%s' && git init -q -b main . && git fast-import --quiet && git reset -q --hard main",
      dir);
  FILE *pipe = popen(command, "w");
  if (!pipe) {
    fprintf(stderr, "bench_tui: cannot run git\n");
    exit(1);
  }
  for (long i = 1; i <= count; i++) {
    char message[128];
    int length = snprintf(message, sizeof message, "Commit %ld: adjust the customer list", i);
    fprintf(pipe, "commit refs/heads/main\nmark :%ld\n", i);
    fprintf(pipe, "committer Bench <bench@example.com> %ld +0000\n", 1700000000L + i);
    fprintf(pipe, "data %d\n%s\n", length, message);
    if (i > 1)
      fprintf(pipe, "from :%ld\n", i - 1);
    fprintf(pipe, "M 644 inline file.txt\ndata %d\n%s\n\n", length, message);
  }
  if (pclose(pipe) != 0) {
    fprintf(stderr, "bench_tui: git fast-import failed\n");
    exit(1);
  }
  return dir;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
  (void)st;
  (void)type;
  (void)ftw;
  remove(path); /* best effort: go on with the rest */
  return 0;
}

static void remove_dir(char *dir) {
  nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  free(dir);
}

/* ----- 1. the first complete frame ----- */

static double pccart_first_frame(const char *pccart, const char *home) {
  /* No configuration: pccart starts its in-process sandbox, as a first-time user sees. */
  const char *args[] = {pccart, NULL};
  Tui *tui = start_or_die(args, &(TuiOptions){.rows = 24, .cols = 80, .home = home});
  /* The first idle frame says "Loading…"; the complete one lists the customers. */
  if (!tui_wait_text(tui, "Contoso, Ltd.") || !tui_wait_idle(tui))
    fail(tui, "pccart's first frame");
  double ms = ms_between(tui_started_ns(tui), tui_last_idle_ns(tui));
  /* q with no cart: pccart exits at once, closing its state store as a user's quit does. */
  int status = -1;
  if (!tui_send(tui, "q") || !tui_wait_exit(tui, &status) || status != 0)
    fail(tui, "pccart's quit");
  tui_stop(tui);
  return ms;
}

static void bench_start(const BenchOptions *options, const char *repo) {
  printf("First complete frame after start (24 x 80), %d runs each\n", options->runs);
  Samples fresh = {0}, kept = {0}, baseline = {0}, tig = {0};
  /* A HOME kept across the runs of the second series: its state store exists already. */
  char *home = strdup("/tmp/bench-tui-home-XXXXXX");
  if (!home || !mkdtemp(home)) {
    fprintf(stderr, "bench_tui: mkdtemp: %s\n", strerror(errno));
    exit(1);
  }
  pccart_first_frame(options->pccart, home); /* makes the store; not counted */
  for (int run = 0; run < options->runs; run++) {
    samples_add(&fresh, pccart_first_frame(options->pccart, NULL));
    samples_add(&kept, pccart_first_frame(options->pccart, home));
    if (options->baseline)
      samples_add(&baseline, pccart_first_frame(options->baseline, NULL));
    if (options->tig) {
      const char *tig_args[] = {"/usr/bin/tig", NULL};
      const char *env[] = {"GIT_CONFIG_NOSYSTEM=1", NULL};
      Tui *tui =
          start_or_die(tig_args, &(TuiOptions){.rows = 24, .cols = 80, .cwd = repo, .env = env});
      /* tig's frame is complete when its view shows the newest commit and its status line. */
      char newest[64];
      snprintf(newest, sizeof newest, "Commit %d:", 1000);
      if (!tui_wait_text(tui, newest) || !tui_wait_text(tui, "[main]"))
        fail(tui, "tig's first frame");
      samples_add(&tig, ms_between(tui_started_ns(tui), tui_last_read_ns(tui)));
      tui_stop(tui);
    }
  }
  samples_print("pccart (new HOME: state store created)", &fresh, "ms");
  samples_print("pccart (HOME kept: state store opened)", &kept, "ms");
  if (options->baseline)
    samples_print("--baseline pccart (new HOME)", &baseline, "ms");
  if (options->tig)
    samples_print("tig (1,000 commits)", &tig, "ms");
  remove_dir(home);
  samples_clear(&fresh);
  samples_clear(&kept);
  samples_clear(&baseline);
  samples_clear(&tig);
}

/* ----- 2. a list move ----- */

static const char *move_key(int i, const char *down, const char *up) {
  /* Ten rows down, ten up: the list moves without scrolling. */
  return (i / 10) % 2 == 0 ? down : up;
}

static void bench_moves(const BenchOptions *options, const char *repo) {
  printf("One-row list move (j/k), 24 x 80, %d moves each\n", options->moves);
  Samples time = {0}, bytes = {0};
  const char *args[] = {options->pccart, NULL};
  Tui *tui = start_or_die(args, &(TuiOptions){.rows = 24, .cols = 80});
  if (!tui_wait_text(tui, "Contoso, Ltd.") || !tui_wait_idle(tui))
    fail(tui, "pccart's first frame");
  for (int i = 0; i < options->moves; i++) {
    unsigned long long before = tui_bytes_read(tui);
    int64_t sent = tui_now_ns();
    if (!tui_send(tui, move_key(i, "j", "k")) || !tui_wait_idle(tui))
      fail(tui, "pccart's list move");
    samples_add(&time, ms_between(sent, tui_last_idle_ns(tui)));
    samples_add(&bytes, (double)(tui_bytes_read(tui) - before));
  }
  samples_print("pccart: key to idle signal", &time, "ms");
  samples_print("pccart: bytes written (idle title included)", &bytes, "B");
  tui_stop(tui);
  samples_clear(&time);
  samples_clear(&bytes);
  if (!options->tig)
    return;
  const char *tig_args[] = {"/usr/bin/tig", NULL};
  const char *env[] = {"GIT_CONFIG_NOSYSTEM=1", NULL};
  tui = start_or_die(tig_args, &(TuiOptions){.rows = 24, .cols = 80, .cwd = repo, .env = env});
  if (!tui_wait_text(tui, "[main]") || !tui_wait_quiet(tui, options->quiet_ms))
    fail(tui, "tig's first frame");
  for (int i = 0; i < options->moves; i++) {
    unsigned long long before = tui_bytes_read(tui);
    int64_t sent = tui_now_ns();
    if (!tui_send(tui, move_key(i, "j", "k")) || !tui_wait_quiet(tui, options->quiet_ms))
      fail(tui, "tig's list move");
    if (tui_bytes_read(tui) == before)
      fail(tui, "tig wrote nothing for a move");
    samples_add(&time, ms_between(sent, tui_last_read_ns(tui)));
    samples_add(&bytes, (double)(tui_bytes_read(tui) - before));
  }
  samples_print("tig: key to last byte before quiet", &time, "ms");
  samples_print("tig: bytes written", &bytes, "B");
  tui_stop(tui);
  samples_clear(&time);
  samples_clear(&bytes);
}

/* ----- 3. cart changes with the autosave on ----- */

static long file_kb(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)(st.st_size / 1024) : -1;
}

/* The status bar (row 0) names the customer. */
static bool status_names(Tui *tui, const void *name) {
  return strstr(tui_row(tui, 0), name) != NULL;
}

static void keys_idle(Tui *tui, const char *keys, const char *what) {
  if (!tui_send(tui, keys) || !tui_wait_idle(tui))
    fail(tui, what);
}

static void text_idle(Tui *tui, const char *text, const char *what) {
  if (!tui_wait_text(tui, text) || !tui_wait_idle(tui))
    fail(tui, what);
}

/* The cart pane's title for that many lines. */
static const char *cart_title(long lines) {
  static char title[48];
  snprintf(title, sizeof title, "Cart (%ld line%s)", lines, lines == 1 ? "" : "s");
  return title;
}

/* Reads the terminal until `until` (CLOCK_MONOTONIC ns), as a terminal would: the keys are
 * paced like a person's, so that the autosave's timer runs between them. */
static void pump_until(Tui *tui, int64_t until) {
  for (int64_t left; (left = until - tui_now_ns()) > 0;)
    if (!tui_pump(tui, (int)(left / 1000000) + 1))
      fail(tui, "reading the terminal between keys");
}

/* One line through the catalog browser and the line form (as tests/support/tui/tui_pccart.c
 * does), with the form's defaults. */
static void add_line(Tui *tui, const char *product, const char *sku) {
  keys_idle(tui, "a", "opening the catalog browser");
  text_idle(tui, "Search products:", "the catalog browser");
  keys_idle(tui, product, "searching the products");
  keys_idle(tui, "<Enter>", "picking the product");
  text_idle(tui, "Search SKUs:", "the SKU list");
  keys_idle(tui, sku, "searching the SKUs");
  keys_idle(tui, "<Enter>", "picking the SKU");
  text_idle(tui, "Search terms:", "the term list");
  keys_idle(tui, "<Enter>", "picking the first term");
  text_idle(tui, "New line:", "the line form");
  keys_idle(tui, "<C-s>", "submitting the line form");
  if (!tui_wait_text_gone(tui, "New line:"))
    fail(tui, "the line form closing");
}

/* A key that changes the cart to `lines` lines: sent, then timed to the frame showing the new
 * count (the read that brought it) and to the idle title after it. */
static void timed_change(Tui *tui, const char *key, long lines, Samples *frame, Samples *idle,
                         const char *what) {
  int64_t sent = tui_now_ns();
  if (!tui_send(tui, key) || !tui_wait_text(tui, cart_title(lines)))
    fail(tui, what);
  int64_t shown = tui_last_read_ns(tui);
  /* An idle title from an autosave finishing may have come between the key and its frame;
   * the one that counts comes after the frame. */
  if (!tui_wait_idle(tui))
    fail(tui, what);
  samples_add(frame, ms_between(sent, shown));
  samples_add(idle, ms_between(sent, tui_last_idle_ns(tui)));
}

static void bench_autosave(const BenchOptions *options, int delay_ms) {
  printf(
      "Cart changes with the autosave on (PCCART_AUTOSAVE_DELAY_MS=%d), 24 x 80: %d D (duplicate "
      "line) and %d j/k, one key every %d ms\n",
      delay_ms, options->changes, options->moves, options->pace_ms);
  char delay[64];
  snprintf(delay, sizeof delay, "PCCART_AUTOSAVE_DELAY_MS=%d", delay_ms);
  const char *env[] = {delay, NULL};
  const char *args[] = {options->pccart, NULL};
  /* No configuration: the in-process sandbox; the state store is made in the harness's
   * temporary HOME ($XDG_STATE_HOME/pccart/state.db). */
  Tui *tui = start_or_die(args, &(TuiOptions){.rows = 24, .cols = 80, .env = env});
  text_idle(tui, "Contoso, Ltd.", "pccart's first frame");
  char state_db[600];
  snprintf(state_db, sizeof state_db, "%s/.local/state/pccart/state.db", tui_home(tui));

  /* Contoso picked, two lines through the forms, then duplicated to the base size. */
  keys_idle(tui, "/", "opening the filter");
  keys_idle(tui, "Contoso", "filtering");
  keys_idle(tui, "<Enter>", "picking Contoso");
  if (!tui_wait_for(tui, status_names, "Contoso, Ltd.", "the status bar naming Contoso"))
    fail(tui, "picking Contoso");
  add_line(tui, "Business Basic", "Business Basic");
  add_line(tui, "Exchange Online", "Plan 1");
  text_idle(tui, cart_title(2), "two lines in the cart");
  const long base = 20, grow = 40;
  for (long lines = 3; lines <= base; lines++) {
    if (!tui_send(tui, "D") || !tui_wait_text(tui, cart_title(lines)) || !tui_wait_idle(tui))
      fail(tui, "duplicating up to the base size");
  }

  /* j/k in the cart, ten down, ten up (the cart does not change: nothing to autosave). */
  Samples move = {0}, move_bytes = {0};
  keys_idle(tui, "g", "the first line");
  pump_until(tui, tui_now_ns() + (int64_t)(delay_ms + 50) * 1000000); /* the last write done */
  for (int i = 0; i < options->moves; i++) {
    unsigned long long before = tui_bytes_read(tui);
    int64_t sent = tui_now_ns();
    if (!tui_send(tui, move_key(i, "j", "k")) || !tui_wait_idle(tui))
      fail(tui, "the cart's list move");
    samples_add(&move, ms_between(sent, tui_last_idle_ns(tui)));
    samples_add(&move_bytes, (double)(tui_bytes_read(tui) - before));
    pump_until(tui, sent + (int64_t)options->pace_ms * 1000000);
  }

  /* Cart changes: D (the copy comes after the selected line and is selected) grow times, then
   * d + y (delete, confirmed) as many times back to the base size, and again. */
  Samples dup_frame = {0}, dup_idle = {0}, del_frame = {0}, del_idle = {0};
  long lines = base;
  unsigned long idle_before = tui_idle_count(tui);
  int64_t started = tui_now_ns();
  int keys = 0;
  while ((long)dup_idle.count < options->changes) {
    for (long i = 0; i < grow && (long)dup_idle.count < options->changes; i++) {
      int64_t sent = tui_now_ns();
      timed_change(tui, "D", ++lines, &dup_frame, &dup_idle, "duplicating a line");
      keys++;
      pump_until(tui, sent + (int64_t)options->pace_ms * 1000000);
    }
    while (lines > base) {
      keys_idle(tui, "d", "asking to delete a line");
      if (!tui_screen_contains(tui, "[y]es"))
        fail(tui, "the delete question");
      int64_t sent = tui_now_ns();
      timed_change(tui, "y", --lines, &del_frame, &del_idle, "deleting a line");
      keys += 2;
      pump_until(tui, sent + (int64_t)options->pace_ms * 1000000);
    }
  }
  double seconds = ms_between(started, tui_now_ns()) / 1000.0;
  unsigned long titles = tui_idle_count(tui) - idle_before;

  /* Keys whose idle title came more than 1 ms after their frame: the test hook holds the title
   * while an autosave is being written (before the quantiles sort the samples). */
  size_t held = 0;
  for (size_t i = 0; i < dup_idle.count; i++)
    if (dup_idle.values[i] - dup_frame.values[i] > 1.0)
      held++;
  for (size_t i = 0; i < del_idle.count; i++)
    if (del_idle.values[i] - del_frame.values[i] > 1.0)
      held++;
  long db_kb = file_kb(state_db);
  char wal[620];
  snprintf(wal, sizeof wal, "%s-wal", state_db);
  long wal_kb = file_kb(wal);
  /* With a delay, a key meets a write only while one is running: a few in a hundred at this
   * pace. Nearly all of them means the delay was not applied (every change written at once). */
  if (delay_ms > 0 && held * 2 > dup_idle.count + del_idle.count)
    printf("  WARNING: %zu of %zu changes waited for a write: this pccart does not seem to honour "
           "PCCART_AUTOSAVE_DELAY_MS=%d (each change written at once?)\n",
           held, dup_idle.count + del_idle.count, delay_ms);
  samples_print("pccart: j/k in the cart, key to idle signal", &move, "ms");
  samples_print("pccart: j/k in the cart, bytes written", &move_bytes, "B");
  samples_print("pccart: D, key to frame on screen", &dup_frame, "ms");
  samples_print("pccart: D, key to idle signal", &dup_idle, "ms");
  samples_print("pccart: y (delete), key to frame on screen", &del_frame, "ms");
  samples_print("pccart: y (delete), key to idle signal", &del_idle, "ms");
  printf("  %d cart keys (D, d, y) in %.1f s; %lu idle titles beyond one per key (an autosave "
         "written after its frame); %zu of %zu changes had their idle title held > 1 ms by a "
         "write; state.db %ld KiB, state.db-wal %ld KiB\n",
         keys, seconds, titles > (unsigned long)keys ? titles - (unsigned long)keys : 0, held,
         dup_idle.count + del_idle.count, db_kb, wal_kb);
  tui_stop(tui);
  samples_clear(&move);
  samples_clear(&move_bytes);
  samples_clear(&dup_frame);
  samples_clear(&dup_idle);
  samples_clear(&del_frame);
  samples_clear(&del_idle);
}

/* ----- 4 and 5. 100,000 customers: filtering, memory ----- */

static void bench_filter(const BenchOptions *options, const char *big_repo) {
  printf("%ld customers loaded: filter per keystroke, resident memory (30 x 120)\n",
         options->customers);
  char config[256];
  snprintf(config, sizeof config, "profiles = { sandbox = { customers = %ld; }; };\n",
           options->customers);
  const char *args[] = {options->pccart, NULL};
  Tui *tui = start_or_die(args, &(TuiOptions){.rows = 30, .cols = 120, .config_text = config});
  if (!tui_wait_text(tui, "Contoso, Ltd.") || !tui_wait_idle(tui))
    fail(tui, "pccart's first frame");
  long rss_first = vm_rss_kb(tui_pid(tui));

  /* Load every page: End moves to the last loaded customer, which loads the next page; Home
   * in between makes each round repaint, so that the idle signal always comes. Done when the
   * screen after End no longer changes. */
  int64_t load_start = tui_now_ns();
  char *previous = NULL;
  long rounds = 0;
  for (;;) {
    if (!tui_send(tui, "g") || !tui_wait_idle(tui) || !tui_send(tui, "G") || !tui_wait_idle(tui))
      fail(tui, "loading every customer");
    char *screen = tui_screen_text(tui);
    if (!screen)
      fail(tui, "out of memory");
    rounds++;
    bool same = previous && strcmp(previous, screen) == 0;
    free(previous);
    previous = screen;
    if (same)
      break;
  }
  free(previous);
  double load_ms = ms_between(load_start, tui_now_ns());
  long rss_loaded = vm_rss_kb(tui_pid(tui));
  printf("  loaded every page in %.0f ms (%ld rounds of g, G)\n", load_ms, rounds);

  Samples narrow = {0}, widen = {0};
  if (!tui_send(tui, "g") || !tui_wait_idle(tui) || !tui_send(tui, "/") || !tui_wait_idle(tui))
    fail(tui, "opening the filter");
  static const char needle[] = "adventure";
  for (size_t i = 0; i < strlen(needle); i++) {
    char key[2] = {needle[i], '\0'};
    int64_t sent = tui_now_ns();
    if (!tui_send(tui, key) || !tui_wait_idle(tui))
      fail(tui, "filtering");
    samples_add(&narrow, ms_between(sent, tui_last_idle_ns(tui)));
  }
  if (!tui_screen_contains(tui, "Adventure"))
    fail(tui, "the filter shows no Adventure Works customer");
  for (size_t i = 0; i < strlen(needle); i++) {
    int64_t sent = tui_now_ns();
    if (!tui_send(tui, "<Backspace>") || !tui_wait_idle(tui))
      fail(tui, "widening the filter");
    samples_add(&widen, ms_between(sent, tui_last_idle_ns(tui)));
  }
  samples_print("pccart: typing \"adventure\", key to idle", &narrow, "ms");
  samples_print("pccart: Backspace x 9, key to idle", &widen, "ms");
  long rss_filtered = vm_rss_kb(tui_pid(tui));
  printf("  pccart VmRSS: %.1f MB at the first frame, %.1f MB with every customer loaded, "
         "%.1f MB after filtering\n",
         rss_first / 1024.0, rss_loaded / 1024.0, rss_filtered / 1024.0);
  tui_stop(tui);
  samples_clear(&narrow);
  samples_clear(&widen);

  if (!options->tig)
    return;
  /* tig with as many commits: everything loaded (:N jumps to the last line), then a search,
   * and its memory. */
  const char *tig_args[] = {"/usr/bin/tig", NULL};
  const char *env[] = {"GIT_CONFIG_NOSYSTEM=1", NULL};
  tui = start_or_die(tig_args, &(TuiOptions){.rows = 30, .cols = 120, .cwd = big_repo, .env = env});
  char oldest[64], big_jump[64];
  snprintf(oldest, sizeof oldest, "Commit 1:");
  snprintf(big_jump, sizeof big_jump, ":%ld<Enter>", options->customers);
  if (!tui_wait_text(tui, "[main]") || !tui_send(tui, big_jump) || !tui_wait_text(tui, oldest) ||
      !tui_wait_quiet(tui, options->quiet_ms)) {
    /* Reported, not fatal: the pccart figures above stand on their own. */
    printf("  tig: could not load every commit: %s\n", tui_error(tui));
    tui_stop(tui);
    return;
  }
  long tig_rss = vm_rss_kb(tui_pid(tui));
  Samples search = {0};
  for (int i = 0; i < 5; i++) {
    if (!tui_send(tui, "<Home>") || !tui_wait_quiet(tui, options->quiet_ms))
      fail(tui, "tig Home");
    int64_t sent = tui_now_ns();
    if (!tui_send(tui, "/Commit 50000:<Enter>") || !tui_wait_quiet(tui, options->quiet_ms))
      fail(tui, "tig search");
    samples_add(&search, ms_between(sent, tui_last_read_ns(tui)));
  }
  samples_print("tig: search \"Commit 50000:\" over all commits", &search, "ms");
  printf("  tig VmRSS with %ld commits loaded: %.1f MB\n", options->customers, tig_rss / 1024.0);
  tui_stop(tui);
  samples_clear(&search);
}

/* --only takes one measure or several separated by commas ("moves,autosave"). */
static bool wanted(const BenchOptions *options, const char *measure) {
  if (!options->only)
    return true;
  size_t length = strlen(measure);
  for (const char *p = options->only; *p;) {
    size_t token = strcspn(p, ",");
    if (token == length && strncmp(p, measure, length) == 0)
      return true;
    p += token;
    if (*p == ',')
      p++;
  }
  return false;
}

int main(int argc, char **argv) {
  BenchOptions options = {.runs = 20,
                          .moves = 200,
                          .changes = 200,
                          .pace_ms = 30,
                          .customers = 100000,
                          .quiet_ms = 30,
                          .tig = true};
#ifdef PCC_PCCART_EXE
  options.pccart = PCC_PCCART_EXE;
#endif
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
      options.runs = atoi(argv[++i]);
    else if (strcmp(argv[i], "--moves") == 0 && i + 1 < argc)
      options.moves = atoi(argv[++i]);
    else if (strcmp(argv[i], "--changes") == 0 && i + 1 < argc)
      options.changes = atoi(argv[++i]);
    else if (strcmp(argv[i], "--pace-ms") == 0 && i + 1 < argc)
      options.pace_ms = atoi(argv[++i]);
    else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
      options.only = argv[++i];
    else if (strcmp(argv[i], "--customers") == 0 && i + 1 < argc)
      options.customers = atol(argv[++i]);
    else if (strcmp(argv[i], "--quiet-ms") == 0 && i + 1 < argc)
      options.quiet_ms = atoi(argv[++i]);
    else if (strcmp(argv[i], "--pccart") == 0 && i + 1 < argc)
      options.pccart = argv[++i];
    else if (strcmp(argv[i], "--baseline") == 0 && i + 1 < argc)
      options.baseline = argv[++i];
    else if (strcmp(argv[i], "--no-tig") == 0)
      options.tig = false;
    else {
      fprintf(stderr,
              "usage: bench_tui [--runs N] [--moves N] [--changes N] [--pace-ms MS] "
              "[--customers N] [--quiet-ms MS] [--pccart PATH] [--baseline PATH] [--no-tig] "
              "[--only start,moves,autosave,filter]\n");
      return 2;
    }
  }
  if (!options.pccart) {
    fprintf(stderr, "bench_tui: pccart was not built; give --pccart PATH\n");
    return 2;
  }
  if (options.runs < 1 || options.moves < 1 || options.changes < 1 || options.pace_ms < 0 ||
      options.customers < 2 || options.quiet_ms < 1) {
    fprintf(stderr, "bench_tui: --runs, --moves, --changes, --quiet-ms must be positive, "
                    "--pace-ms not negative, --customers >= 2\n");
    return 2;
  }
  if (options.only && !wanted(&options, "start") && !wanted(&options, "moves") &&
      !wanted(&options, "autosave") && !wanted(&options, "filter")) {
    fprintf(stderr, "bench_tui: --only takes start, moves, autosave or filter (or several, "
                    "separated by commas)\n");
    return 2;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (options.tig && access("/usr/bin/tig", X_OK) != 0) {
    fprintf(stderr, "bench_tui: tig is not installed (scripts/setup.sh installs it); "
                    "running without it\n");
    options.tig = false;
  }
  printf("command:");
  for (int i = 0; i < argc; i++)
    printf(" %s", argv[i]);
  printf("\npccart: %s\n", options.pccart);
  if (options.baseline)
    printf("baseline (first frame only): %s\n", options.baseline);
  bool small = wanted(&options, "start") || wanted(&options, "moves");
  char *repo = options.tig && small ? make_repo(1000) : NULL;
  char *big_repo = options.tig && wanted(&options, "filter") ? make_repo(options.customers) : NULL;
  if (wanted(&options, "start"))
    bench_start(&options, repo);
  if (wanted(&options, "moves"))
    bench_moves(&options, repo);
  if (wanted(&options, "autosave")) {
    /* The real delay (a change written 300 ms later, off the key's path), then none (the write
     * on the path of the idle signal: what it would cost a key if it were on the key's path). */
    bench_autosave(&options, 300);
    bench_autosave(&options, 0);
  }
  if (wanted(&options, "filter"))
    bench_filter(&options, big_repo);
  if (repo)
    remove_dir(repo);
  if (big_repo)
    remove_dir(big_repo);
  return 0;
}
