/* Benchmark of the state store (src/state), run by hand:
 *
 *  One state_submission_begin: the journal row written before a request is sent, one committed
 *  transaction (WAL, synchronous=FULL) on a file in a temporary directory: median and p95 of
 *  --runs calls, with the documents' create-cart request as the body.
 *
 *  Side by side, the reference: the sqlite3 command-line shell doing the same insert into the
 *  same table (a file made by state_open) with PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
 *  one BEGIN IMMEDIATE ... COMMIT per row, --runs rows in one script. The shell gives no time
 *  per row, so its figure is (time of the run with the rows - time of the same run without
 *  them) / rows: the mean per committed row, without the process start (the checkpoint when
 *  the shell closes the file is in it; the store's checkpoints are in its figures too).
 *
 * The two are measured in alternating rounds so that drift in the machine's speed (or the
 * disk's) affects both alike. Commits wait for fsync, so the figures are the disk's: run it on
 * the file system pccart's state lives on (--dir; default $TMPDIR or /tmp).
 *
 * Usage: bench_state [--runs N] [--rounds N] [--dir DIR]   (defaults 200, 3) */
#include <fcntl.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "state/state.h"

#define CUSTOMER "d6bf25b7-e0a8-4f2d-a31b-97b55cfc774d"

extern char **environ;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The value at fraction q of the sorted values (nearest rank). */
static double quantile(double *values, size_t n, double q) {
  qsort(values, n, sizeof *values, compare_doubles);
  size_t rank = (size_t)(q * (double)n + 0.999999);
  return values[rank == 0 ? 0 : (rank > n ? n - 1 : rank - 1)];
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = size >= 0 ? malloc((size_t)size + 1) : NULL;
  if (text && fread(text, 1, (size_t)size, f) != (size_t)size) {
    free(text);
    text = NULL;
  }
  if (text)
    text[size] = '\0';
  fclose(f);
  return text;
}

static void request_id(long n, char out[37]) {
  snprintf(out, 37, "00000000-0000-4000-8000-%012ld", n);
}

/* ----- pccart: state_submission_begin ----- */

static bool measure_store(StateStore *store, const char *body, long runs, long *next_id,
                          double *ms) {
  char err[512] = "";
  for (long i = 0; i < runs; i++) {
    Submission s = {.profile = "bench",
                    .operation = SUBMISSION_CREATE,
                    .customer_id = CUSTOMER,
                    .customer_name = "Bench Customer",
                    .body = (char *)body};
    request_id((*next_id)++, s.request_id);
    double t0 = now_ms();
    bool ok = state_submission_begin(store, &s, err, sizeof err);
    ms[i] = now_ms() - t0;
    if (!ok) {
      fprintf(stderr, "bench_state: %s\n", err);
      return false;
    }
  }
  return true;
}

/* ----- the reference: the sqlite3 shell ----- */

/* A script of rows single-row transactions inserting what state_submission_begin inserts. */
static bool write_script(const char *path, const char *body, long rows, long *next_id) {
  FILE *f = fopen(path, "w");
  if (!f)
    return false;
  char hash[65];
  state_hash_text(body, hash);
  fprintf(f, "PRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\n");
  for (long i = 0; i < rows; i++) {
    char id[37];
    request_id((*next_id)++, id);
    /* What the store does: look the request id up, then insert, in one write transaction. */
    fprintf(f,
            "BEGIN IMMEDIATE;\nSELECT id FROM submissions WHERE profile = 'bench' AND request_id "
            "= '%s';\nINSERT INTO submissions (profile, operation, customer_id, customer_name, "
            "cart_id, request_id, body_hash, body, customer_user_upn, created_ms, updated_ms, "
            "attempts, state) VALUES ('bench', 'create', '" CUSTOMER "', 'Bench Customer', NULL, "
            "'%s', '%s', '",
            id, id, hash);
    for (const char *p = body; *p; p++) {
      if (*p == '\'') /* SQL doubles a quote inside a string */
        fputc('\'', f);
      fputc(*p, f);
    }
    fprintf(f, "', NULL, %ld, %ld, 1, 'pending');\nCOMMIT;\n", 1700000000000L + i,
            1700000000000L + i);
  }
  return fclose(f) == 0;
}

/* Runs `sqlite3 -bail DB < script`, output discarded; its wall time in *ms. */
static bool run_shell(const char *db, const char *script, double *ms) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, script, O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  char *argv[] = {"sqlite3", "-bail", (char *)db, NULL};
  pid_t pid;
  double t0 = now_ms();
  int rc = posix_spawnp(&pid, "sqlite3", &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    fprintf(stderr, "bench_state: cannot run sqlite3 (apt-get install sqlite3): %s\n",
            strerror(rc));
    return false;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  *ms = now_ms() - t0;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "bench_state: sqlite3 %s < %s failed\n", db, script);
    return false;
  }
  return true;
}

/* ----- main ----- */

static void remove_db(const char *path) {
  char name[600];
  unlink(path);
  snprintf(name, sizeof name, "%s-wal", path);
  unlink(name);
  snprintf(name, sizeof name, "%s-shm", path);
  unlink(name);
}

int main(int argc, char **argv) {
  long runs = 200, rounds = 3;
  const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
      runs = atol(argv[++i]);
    else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
      rounds = atol(argv[++i]);
    else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
      base = argv[++i];
    else {
      fprintf(stderr, "usage: bench_state [--runs N] [--rounds N] [--dir DIR]\n");
      return 2;
    }
  }
  if (runs < 1 || rounds < 1) {
    fprintf(stderr, "bench_state: --runs and --rounds must be at least 1\n");
    return 2;
  }
  char *body = read_file(PCC_FIXTURES_DIR "/docs-create-cart-request.json");
  if (!body) {
    fprintf(stderr, "bench_state: cannot read the documents' cart request\n");
    return 1;
  }
  char dir[512], ours[600], theirs[600], script[600], empty[600];
  snprintf(dir, sizeof dir, "%s/pccart-bench-state-XXXXXX", base);
  if (!mkdtemp(dir)) {
    fprintf(stderr, "bench_state: cannot make a directory in %s\n", base);
    free(body);
    return 1;
  }
  snprintf(ours, sizeof ours, "%s/state.db", dir);
  snprintf(theirs, sizeof theirs, "%s/shell.db", dir);
  snprintf(script, sizeof script, "%s/rows.sql", dir);
  snprintf(empty, sizeof empty, "%s/empty.sql", dir);

  char err[512] = "";
  StateStore *store = state_open(ours, err, sizeof err);
  /* The shell's file is made by state_open too: the same table and indexes. */
  StateStore *reference = store ? state_open(theirs, err, sizeof err) : NULL;
  bool made = reference != NULL;
  state_close(reference);
  double *ms = calloc((size_t)(runs * rounds), sizeof *ms);
  double *shell_row_ms = calloc((size_t)rounds, sizeof *shell_row_ms);
  long next_id = 0, shell_id = 0;
  bool ok = store && made && ms && shell_row_ms;
  if (!ok && err[0])
    fprintf(stderr, "bench_state: %s\n", err);
  FILE *f = ok ? fopen(empty, "w") : NULL;
  ok = f && fputs("PRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\n", f) >= 0;
  ok = f && fclose(f) == 0 && ok;
  /* Warm-up: the first commits grow the files and the WAL. */
  double warm[20], t_rows = 0, t_empty = 0;
  ok = ok && measure_store(store, body, 20, &next_id, warm) &&
       write_script(script, body, 20, &shell_id) && run_shell(theirs, script, &t_rows);
  for (long r = 0; r < rounds && ok; r++) {
    ok = measure_store(store, body, runs, &next_id, ms + r * runs) &&
         write_script(script, body, runs, &shell_id) && run_shell(theirs, empty, &t_empty) &&
         run_shell(theirs, script, &t_rows);
    shell_row_ms[r] = (t_rows - t_empty) / (double)runs;
  }
  if (ok) {
    size_t n = (size_t)(runs * rounds);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
      sum += ms[i];
    double median = quantile(ms, n, 0.5), p95 = quantile(ms, n, 0.95);
    double shell = quantile(shell_row_ms, (size_t)rounds, 0.5);
    printf("command: ");
    for (int i = 0; i < argc; i++)
      printf("%s%s", i ? " " : "", argv[i]);
    printf("\nreference: sqlite3 -bail %s < %s (%ld rows; SQLite %s)\n", theirs, script, runs,
           sqlite3_libversion());
    printf("files in %s\n\n", dir);
    printf("| measure | result |\n|---|---|\n");
    printf("| pccart: one state_submission_begin (committed), median of %zu | %.3f ms |\n", n,
           median);
    printf("| pccart: one state_submission_begin (committed), p95 of %zu | %.3f ms |\n", n, p95);
    printf("| pccart: one state_submission_begin (committed), mean of %zu (to compare with the "
           "shell's) | %.3f ms |\n",
           n, sum / (double)n);
    printf("| sqlite3 shell: one committed insert, mean of %ld rows, median of %ld rounds | %.3f "
           "ms |\n",
           runs, rounds, shell);
    printf("| sqlite3 shell: process start and PRAGMAs alone (last round) | %.3f ms |\n", t_empty);
  }
  state_close(store);
  remove_db(ours);
  remove_db(theirs);
  unlink(script);
  unlink(empty);
  rmdir(dir);
  free(ms);
  free(shell_row_ms);
  free(body);
  return ok ? 0 : 1;
}
