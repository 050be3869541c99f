/* The TUI's speed on a pseudo-terminal, side by side with tig in the same run and on the same
 * harness (tests/support/tui): the first complete frame after start, a one-row list move (time
 * and bytes written to the terminal), filtering 100,000 loaded customers per keystroke, and the
 * resident memory with them loaded. Run by hand (docs/performance.md has the figures):
 *
 *   build/release/tests/bench/bench_tui [--runs N] [--moves N] [--customers N] [--no-tig]
 *
 * pccart says when it is idle (PCCART_TEST_HOOKS=1: the title "pccart-idle:<frame>" after each
 * repaint with no job in flight), so its times end at that signal. tig has no such signal: its
 * times end at the last byte it wrote before staying quiet for --quiet-ms (default 30 ms);
 * the quiet wait itself is not counted. */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui_harness.h"

/* ----- options ----- */

typedef struct BenchOptions {
  int runs;
  int moves;
  long customers;
  int quiet_ms;
  bool tig;
  const char *pccart;
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

static void remove_repo(char *dir) {
  nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  free(dir);
}

/* ----- 1. the first complete frame ----- */

static void bench_start(const BenchOptions *options, const char *repo) {
  printf("First complete frame after start (24 x 80), %d runs each\n", options->runs);
  Samples pccart = {0}, tig = {0};
  for (int run = 0; run < options->runs; run++) {
    /* No configuration: pccart starts its in-process sandbox, as a first-time user sees. */
    const char *args[] = {options->pccart, NULL};
    Tui *tui = start_or_die(args, &(TuiOptions){.rows = 24, .cols = 80});
    /* The first idle frame says "Loading…"; the complete one lists the customers. */
    if (!tui_wait_text(tui, "Contoso, Ltd.") || !tui_wait_idle(tui))
      fail(tui, "pccart's first frame");
    samples_add(&pccart, ms_between(tui_started_ns(tui), tui_last_idle_ns(tui)));
    tui_stop(tui);
    if (options->tig) {
      const char *tig_args[] = {"/usr/bin/tig", NULL};
      const char *env[] = {"GIT_CONFIG_NOSYSTEM=1", NULL};
      tui = start_or_die(tig_args, &(TuiOptions){.rows = 24, .cols = 80, .cwd = repo, .env = env});
      /* tig's frame is complete when its view shows the newest commit and its status line. */
      char newest[64];
      snprintf(newest, sizeof newest, "Commit %d:", 1000);
      if (!tui_wait_text(tui, newest) || !tui_wait_text(tui, "[main]"))
        fail(tui, "tig's first frame");
      samples_add(&tig, ms_between(tui_started_ns(tui), tui_last_read_ns(tui)));
      tui_stop(tui);
    }
  }
  samples_print("pccart (in-process sandbox, 80 customers)", &pccart, "ms");
  if (options->tig)
    samples_print("tig (1,000 commits)", &tig, "ms");
  samples_clear(&pccart);
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

/* ----- 3 and 4. 100,000 customers: filtering, memory ----- */

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

int main(int argc, char **argv) {
  BenchOptions options = {
      .runs = 20, .moves = 200, .customers = 100000, .quiet_ms = 30, .tig = true};
#ifdef PCC_PCCART_EXE
  options.pccart = PCC_PCCART_EXE;
#endif
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
      options.runs = atoi(argv[++i]);
    else if (strcmp(argv[i], "--moves") == 0 && i + 1 < argc)
      options.moves = atoi(argv[++i]);
    else if (strcmp(argv[i], "--customers") == 0 && i + 1 < argc)
      options.customers = atol(argv[++i]);
    else if (strcmp(argv[i], "--quiet-ms") == 0 && i + 1 < argc)
      options.quiet_ms = atoi(argv[++i]);
    else if (strcmp(argv[i], "--pccart") == 0 && i + 1 < argc)
      options.pccart = argv[++i];
    else if (strcmp(argv[i], "--no-tig") == 0)
      options.tig = false;
    else {
      fprintf(stderr, "usage: bench_tui [--runs N] [--moves N] [--customers N] [--quiet-ms MS] "
                      "[--pccart PATH] [--no-tig]\n");
      return 2;
    }
  }
  if (!options.pccart) {
    fprintf(stderr, "bench_tui: pccart was not built; give --pccart PATH\n");
    return 2;
  }
  if (options.runs < 1 || options.moves < 1 || options.customers < 2 || options.quiet_ms < 1) {
    fprintf(stderr, "bench_tui: --runs, --moves, --quiet-ms must be positive, --customers >= 2\n");
    return 2;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (options.tig && access("/usr/bin/tig", X_OK) != 0) {
    fprintf(stderr, "bench_tui: tig is not installed (scripts/setup.sh installs it); "
                    "running without it\n");
    options.tig = false;
  }
  char *repo = options.tig ? make_repo(1000) : NULL;
  char *big_repo = options.tig ? make_repo(options.customers) : NULL;
  bench_start(&options, repo);
  bench_moves(&options, repo);
  bench_filter(&options, big_repo);
  if (repo)
    remove_repo(repo);
  if (big_repo)
    remove_repo(big_repo);
  return 0;
}
