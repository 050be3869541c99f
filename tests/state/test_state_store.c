/* The local state store: making the file (modes, migration), the journal and the history, the
 * autosave and the recent carts, the files it refuses (newer, damaged, foreign, unwritable,
 * locked) and two writers on one file. No test sleeps: concurrency is shown by counting rows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scratch.h"
#include "state/state.h"

static int setup(void **state) {
  (void)state;
  unsetenv("XDG_STATE_HOME");
  return scratch_setup("state") ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  return scratch_teardown();
}

/* ----- helpers ----- */

typedef struct TestClock {
  int64_t now;
} TestClock;

static int64_t test_clock(void *user) {
  return ((TestClock *)user)->now;
}

static StateStore *open_ok(const char *path) {
  char err[1024] = "";
  StateStore *store = state_open(path, err, sizeof err);
  if (!store) {
    fail_msg("state_open(%s): %s", path, err);
  }
  return store;
}

/* Expects state_open to refuse path with a message that names it and contains want. */
static void open_refused(const char *path, const char *want) {
  char err[1024] = "";
  StateStore *store = state_open(path, err, sizeof err);
  if (store) {
    state_close(store);
    fail_msg("state_open(%s) succeeded; expected \"%s\"", path, want);
  }
  if (!strstr(err, path) || !strstr(err, want)) {
    fail_msg("state_open(%s): \"%s\" does not name the file or lacks \"%s\"", path, err, want);
  }
}

static mode_t mode_of(const char *path) {
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  return st.st_mode & 07777;
}

static bool exists(const char *path) {
  struct stat st;
  return lstat(path, &st) == 0;
}

/* The whole file in a buffer (caller frees), its size in *size; NULL when missing. */
static unsigned char *slurp(const char *path, size_t *size) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    return NULL;
  }
  assert_int_equal(fseek(file, 0, SEEK_END), 0);
  long length = ftell(file);
  assert_true(length >= 0);
  rewind(file);
  unsigned char *bytes = malloc((size_t)length + 1);
  assert_non_null(bytes);
  assert_int_equal(fread(bytes, 1, (size_t)length, file), (size_t)length);
  fclose(file);
  *size = (size_t)length;
  return bytes;
}

static void write_bytes(const char *path, const unsigned char *bytes, size_t size, mode_t mode) {
  FILE *file = fopen(path, "wb");
  assert_non_null(file);
  assert_int_equal(fwrite(bytes, 1, size, file), size);
  assert_int_equal(fclose(file), 0);
  assert_int_equal(chmod(path, mode), 0);
}

/* Opens path with state_open expecting a refusal, and checks that the file is byte for byte
 * what it was, with the mode it had. */
static void refused_unchanged(const char *path, const char *want) {
  size_t before_size = 0, after_size = 0;
  unsigned char *before = slurp(path, &before_size);
  assert_non_null(before);
  mode_t mode = mode_of(path);
  open_refused(path, want);
  assert_int_equal(mode_of(path), mode);
  unsigned char *after = slurp(path, &after_size);
  assert_non_null(after);
  assert_int_equal(after_size, before_size);
  assert_memory_equal(after, before, before_size);
  free(before);
  free(after);
}

/* A raw connection for looking at (and tampering with) the file as another program would. */
static sqlite3 *raw_open(const char *path) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                   SQLITE_OK);
  return db;
}

static void raw_exec(sqlite3 *db, const char *sql) {
  char *message = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK) {
    fail_msg("%s: %s", sql, message ? message : "?");
  }
}

static int64_t raw_int(sqlite3 *db, const char *sql) {
  sqlite3_stmt *stmt = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
  int64_t value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return value;
}

static char *raw_text(sqlite3 *db, const char *sql) {
  sqlite3_stmt *stmt = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
  char *value = strdup((const char *)sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  assert_non_null(value);
  return value;
}

/* A submission with borrowed strings: only id and the fixed fields are written by begin. */
static Submission intent(const char *profile, SubmissionOperation op, const char *customer,
                         const char *cart, const char *request_id, const char *body) {
  Submission s = {0};
  s.profile = (char *)profile;
  s.operation = op;
  s.customer_id = (char *)customer;
  s.cart_id = (char *)cart;
  snprintf(s.request_id, sizeof s.request_id, "%s", request_id);
  s.body = (char *)body;
  return s;
}

static void begin_ok(StateStore *store, Submission *s) {
  char err[1024] = "";
  if (!state_submission_begin(store, s, err, sizeof err)) {
    fail_msg("state_submission_begin: %s", err);
  }
}

static void finish_ok(StateStore *store, int64_t id, SubmissionState state, const char *cart_id) {
  char err[1024] = "";
  SubmissionOutcome outcome = {.state = state,
                               .http_status = state == SUBMISSION_DONE ? 201 : 0,
                               .cart_id = cart_id,
                               .result = state == SUBMISSION_DONE ? "{\"id\":\"c\"}" : NULL};
  if (!state_submission_finish(store, id, &outcome, err, sizeof err)) {
    fail_msg("state_submission_finish: %s", err);
  }
}

static void history_ok(StateStore *store, HistoryQuery query, SubmissionList *out) {
  char err[1024] = "";
  if (!state_history(store, &query, out, err, sizeof err)) {
    fail_msg("state_history: %s", err);
  }
}

#define REQ(n) "00000000-0000-4000-8000-0000000000" n

/* ----- paths ----- */

static void test_default_dir(void **state) {
  (void)state;
  char expected[512];
  char *dir = state_default_dir();
  snprintf(expected, sizeof expected, "%s/.local/state/pccart", scratch_dir());
  assert_string_equal(dir, expected);
  free(dir);
  char *path = state_default_path();
  snprintf(expected, sizeof expected, "%s/.local/state/pccart/state.db", scratch_dir());
  assert_string_equal(path, expected);
  free(path);

  setenv("XDG_STATE_HOME", "/var/xdg/", 1);
  dir = state_default_dir();
  assert_string_equal(dir, "/var/xdg/pccart");
  free(dir);
  setenv("XDG_STATE_HOME", "relative/xdg", 1); /* invalid per the spec: ignored */
  dir = state_default_dir();
  snprintf(expected, sizeof expected, "%s/.local/state/pccart", scratch_dir());
  assert_string_equal(dir, expected);
  free(dir);

  char *home = strdup(getenv("HOME"));
  assert_non_null(home);
  unsetenv("HOME");
  unsetenv("XDG_STATE_HOME");
  assert_null(state_default_dir());
  assert_null(state_default_path());
  setenv("HOME", home, 1);
  free(home);
}

/* ----- making and migrating the file ----- */

static void test_create_fresh(void **state) {
  (void)state;
  mode_t old_umask = umask(022);
  char *path = scratch_path("made/on/demand/state.db");
  StateStore *store = open_ok(path);
  umask(old_umask);
  assert_string_equal(state_path(store), path);

  char *dir = scratch_path("made");
  assert_int_equal(mode_of(dir), 0700);
  free(dir);
  dir = scratch_path("made/on/demand");
  assert_int_equal(mode_of(dir), 0700);
  free(dir);
  assert_int_equal(mode_of(path), 0600);

  /* A write makes the WAL, which SQLite gives the main file's mode. */
  Submission s = intent("p", SUBMISSION_CREATE, "cust", NULL, REQ("01"), "{}");
  begin_ok(store, &s);
  char wal[600];
  snprintf(wal, sizeof wal, "%s-wal", path);
  assert_true(exists(wal));
  assert_int_equal(mode_of(wal), 0600);

  sqlite3 *db = raw_open(path);
  assert_int_equal(raw_int(db, "PRAGMA user_version"), STATE_SCHEMA_VERSION);
  char *mode = raw_text(db, "PRAGMA journal_mode");
  assert_string_equal(mode, "wal");
  free(mode);
  assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name"
                               " IN ('submissions', 'autosave', 'recent_carts')"),
                   3);
  sqlite3_close(db);
  state_close(store);
  free(path);
}

static void test_existing_file_made_private(void **state) {
  (void)state;
  /* An empty file is a new database; one of ours readable by others is made 0600. */
  char *path = scratch_write("loose.db", "", 0644);
  StateStore *store = open_ok(path);
  assert_int_equal(mode_of(path), 0600);
  state_close(store);
  sqlite3 *db = raw_open(path);
  assert_int_equal(raw_int(db, "PRAGMA user_version"), STATE_SCHEMA_VERSION);
  sqlite3_close(db);
  free(path);
}

static void test_reopen_idempotent(void **state) {
  (void)state;
  char *path = scratch_path("state.db");
  StateStore *store = open_ok(path);
  Submission s = intent("p", SUBMISSION_CREATE, "cust", NULL, REQ("01"), "{\"a\":1}");
  begin_ok(store, &s);
  state_close(store);
  store = open_ok(path); /* already at the current version: nothing to migrate */
  SubmissionList list = {0};
  history_ok(store, (HistoryQuery){0}, &list);
  assert_int_equal(list.count, 1);
  assert_string_equal(list.items[0].body, "{\"a\":1}");
  submission_list_clear(&list);
  state_close(store);
  sqlite3 *db = raw_open(path);
  assert_int_equal(raw_int(db, "PRAGMA user_version"), STATE_SCHEMA_VERSION);
  assert_int_equal(raw_int(db, "SELECT count(*) FROM submissions"), 1);
  sqlite3_close(db);
  free(path);
}

/* ----- the journal and the history ----- */

static void test_names(void **state) {
  (void)state;
  for (int op = SUBMISSION_CREATE; op <= SUBMISSION_CHECKOUT; op++) {
    SubmissionOperation parsed = 0;
    assert_true(submission_operation_parse(submission_operation_name(op), &parsed));
    assert_int_equal(parsed, op);
  }
  assert_string_equal(submission_operation_name(SUBMISSION_CHECKOUT), "checkout");
  assert_null(submission_operation_name(0));
  SubmissionOperation op;
  assert_false(submission_operation_parse("delete", &op));
  assert_false(submission_operation_parse(NULL, &op));
  for (int st = SUBMISSION_PENDING; st <= SUBMISSION_REFUSED; st++) {
    SubmissionState parsed = 0;
    assert_true(submission_state_parse(submission_state_name(st), &parsed));
    assert_int_equal(parsed, st);
  }
  assert_string_equal(submission_state_name(SUBMISSION_UNKNOWN), "unknown");
  assert_null(submission_state_name(99));
  assert_true(submission_state_unresolved(SUBMISSION_PENDING));
  assert_true(submission_state_unresolved(SUBMISSION_UNKNOWN));
  assert_false(submission_state_unresolved(SUBMISSION_DONE));
  assert_false(submission_state_unresolved(SUBMISSION_REFUSED));
}

static void test_hash_vectors(void **state) {
  (void)state;
  char hash[65];
  state_hash_text("", hash);
  assert_string_equal(hash, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  state_hash_text("abc", hash);
  assert_string_equal(hash, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  state_hash_text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", hash);
  assert_string_equal(hash, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_begin_finish_history(void **state) {
  (void)state;
  char *path = scratch_path("state.db");
  StateStore *store = open_ok(path);
  TestClock clock = {.now = 1000};
  state_set_clock(store, test_clock, &clock);

  Submission a = intent("contoso", SUBMISSION_CREATE, "cust-1", NULL, REQ("01"), "{\"l\":1}");
  a.customer_name = "Contoso Ltd";
  begin_ok(store, &a);
  assert_true(a.id > 0);
  assert_int_equal(a.created_ms, 1000);
  assert_int_equal(a.updated_ms, 1000);
  assert_int_equal(a.attempts, 1);
  char hash[65];
  state_hash_text("{\"l\":1}", hash);
  assert_string_equal(a.body_hash, hash);

  clock.now = 2000;
  Submission b = intent("contoso", SUBMISSION_UPDATE, "cust-2", "cart-b", REQ("02"), "{\"l\":2}");
  begin_ok(store, &b);
  clock.now = 3000;
  Submission c = intent("fabrikam", SUBMISSION_CHECKOUT, "cust-1", "cart-c", REQ("03"), NULL);
  c.customer_user_upn = "buyer@fabrikam.example";
  begin_ok(store, &c);
  assert_string_equal(c.body_hash, "");
  clock.now = 4000;
  Submission d = intent("contoso", SUBMISSION_CHECKOUT, "cust-1", "cart-a", REQ("04"), NULL);
  begin_ok(store, &d);

  clock.now = 5000;
  char err[1024] = "";
  SubmissionOutcome created = {.state = SUBMISSION_DONE,
                               .http_status = 201,
                               .cart_id = "cart-a",
                               .result = "{\"id\":\"cart-a\"}"};
  assert_true(state_submission_finish(store, a.id, &created, err, sizeof err));
  SubmissionOutcome refused = {.state = SUBMISSION_REFUSED,
                               .http_status = 400,
                               .error_code = 800002,
                               .error = "Partner Center refused the cart."};
  assert_true(state_submission_finish(store, b.id, &refused, err, sizeof err));
  assert_false(state_submission_finish(store, 9999, &refused, err, sizeof err));
  assert_non_null(strstr(err, path));

  /* Everything, newest first. */
  SubmissionList list = {0};
  history_ok(store, (HistoryQuery){0}, &list);
  assert_int_equal(list.count, 4);
  assert_int_equal(list.items[0].id, d.id);
  assert_int_equal(list.items[1].id, c.id);
  assert_int_equal(list.items[2].id, b.id);
  assert_int_equal(list.items[3].id, a.id);
  const Submission *got = &list.items[3];
  assert_string_equal(got->profile, "contoso");
  assert_int_equal(got->operation, SUBMISSION_CREATE);
  assert_string_equal(got->customer_id, "cust-1");
  assert_string_equal(got->customer_name, "Contoso Ltd");
  assert_string_equal(got->cart_id, "cart-a"); /* filled in by the outcome */
  assert_string_equal(got->request_id, REQ("01"));
  assert_string_equal(got->body_hash, hash);
  assert_string_equal(got->body, "{\"l\":1}");
  assert_null(got->customer_user_upn);
  assert_int_equal(got->created_ms, 1000);
  assert_int_equal(got->updated_ms, 5000);
  assert_int_equal(got->attempts, 1);
  assert_int_equal(got->state, SUBMISSION_DONE);
  assert_int_equal(got->http_status, 201);
  assert_int_equal(got->error_code, 0);
  assert_null(got->error);
  assert_string_equal(got->result, "{\"id\":\"cart-a\"}");
  assert_null(got->resolution);
  got = &list.items[2];
  assert_int_equal(got->state, SUBMISSION_REFUSED);
  assert_int_equal(got->error_code, 800002);
  assert_string_equal(got->error, "Partner Center refused the cart.");
  assert_string_equal(got->cart_id, "cart-b");
  got = &list.items[1];
  assert_string_equal(got->customer_user_upn, "buyer@fabrikam.example");
  assert_null(got->body);
  assert_int_equal(got->state, SUBMISSION_PENDING);
  submission_list_clear(&list);
  assert_null(list.items);

  /* Filters: profile, customer, since, limit. */
  history_ok(store, (HistoryQuery){.profile = "contoso"}, &list);
  assert_int_equal(list.count, 3);
  assert_int_equal(list.items[0].id, d.id);
  submission_list_clear(&list);
  history_ok(store, (HistoryQuery){.profile = "contoso", .customer_id = "cust-1"}, &list);
  assert_int_equal(list.count, 2);
  assert_int_equal(list.items[0].id, d.id);
  assert_int_equal(list.items[1].id, a.id);
  submission_list_clear(&list);
  history_ok(store, (HistoryQuery){.customer_id = "cust-1"}, &list);
  assert_int_equal(list.count, 3);
  submission_list_clear(&list);
  history_ok(store, (HistoryQuery){.since_ms = 2000}, &list);
  assert_int_equal(list.count, 3);
  assert_int_equal(list.items[2].id, b.id);
  submission_list_clear(&list);
  history_ok(store, (HistoryQuery){.limit = 2}, &list);
  assert_int_equal(list.count, 2);
  assert_int_equal(list.items[0].id, d.id);
  assert_int_equal(list.items[1].id, c.id);
  submission_list_clear(&list);
  history_ok(store, (HistoryQuery){.profile = "nobody"}, &list);
  assert_int_equal(list.count, 0);
  submission_list_clear(&list);

  state_close(store);
  /* The injected clock is what the file holds. */
  sqlite3 *db = raw_open(path);
  assert_int_equal(
      raw_int(db, "SELECT created_ms FROM submissions WHERE request_id = '" REQ("03") "'"), 3000);
  assert_int_equal(raw_int(db, "SELECT max(updated_ms) FROM submissions"), 5000);
  sqlite3_close(db);
  free(path);
}

static void test_begin_twice_reuses_row(void **state) {
  (void)state;
  char *path = scratch_path("state.db");
  StateStore *store = open_ok(path);
  TestClock clock = {.now = 100};
  state_set_clock(store, test_clock, &clock);
  Submission first = intent("p", SUBMISSION_UPDATE, "cust", "cart", REQ("01"), "{}");
  begin_ok(store, &first);
  char err[1024] = "";
  SubmissionOutcome unknown = {.state = SUBMISSION_UNKNOWN, .error = "The connection dropped."};
  assert_true(state_submission_finish(store, first.id, &unknown, err, sizeof err));

  clock.now = 200; /* a retry after a crash: same intent, same request id */
  Submission again = intent("p", SUBMISSION_UPDATE, "cust", "cart", REQ("01"), "{}");
  begin_ok(store, &again);
  assert_int_equal(again.id, first.id);
  assert_int_equal(again.attempts, 2);
  assert_int_equal(again.created_ms, 100);
  assert_int_equal(again.updated_ms, 200);
  Submission third = intent("p", SUBMISSION_UPDATE, "cust", "cart", REQ("01"), "{}");
  begin_ok(store, &third);
  assert_int_equal(third.attempts, 3);

  SubmissionList list = {0};
  history_ok(store, (HistoryQuery){0}, &list);
  assert_int_equal(list.count, 1);
  assert_int_equal(list.items[0].attempts, 3);
  assert_int_equal(list.items[0].state, SUBMISSION_PENDING); /* back to pending */
  assert_null(list.items[0].error);                          /* the old outcome is gone */
  submission_list_clear(&list);

  /* The same request id in another profile is another intent. */
  Submission other = intent("q", SUBMISSION_UPDATE, "cust", "cart", REQ("01"), "{}");
  begin_ok(store, &other);
  assert_int_not_equal(other.id, first.id);
  assert_int_equal(other.attempts, 1);

  /* A request id reused for a different request is refused: the row would lie. */
  Submission changed = intent("p", SUBMISSION_UPDATE, "cust", "cart", REQ("01"), "{\"x\":1}");
  assert_false(state_submission_begin(store, &changed, err, sizeof err));
  assert_non_null(strstr(err, REQ("01")));
  assert_int_equal(changed.id, 0);
  Submission no_profile = intent(NULL, SUBMISSION_CREATE, "cust", NULL, REQ("09"), "{}");
  assert_false(state_submission_begin(store, &no_profile, err, sizeof err));
  assert_non_null(strstr(err, path));

  state_close(store);
  free(path);
}

static void test_find_unresolved(void **state) {
  (void)state;
  char *path = scratch_path("state.db");
  StateStore *store = open_ok(path);
  TestClock clock = {.now = 10};
  state_set_clock(store, test_clock, &clock);
  Submission create = intent("p", SUBMISSION_CREATE, "cust", NULL, REQ("01"), "{\"lines\":1}");
  begin_ok(store, &create);
  clock.now = 20;
  Submission update = intent("p", SUBMISSION_UPDATE, "cust", "cart-1", REQ("02"), "{\"l\":2}");
  begin_ok(store, &update);
  clock.now = 30;
  Submission checkout = intent("p", SUBMISSION_CHECKOUT, "cust", "cart-1", REQ("03"), NULL);
  begin_ok(store, &checkout);
  char err[1024] = "";
  SubmissionOutcome unknown = {.state = SUBMISSION_UNKNOWN};
  assert_true(state_submission_finish(store, checkout.id, &unknown, err, sizeof err));

  Submission found = {0};
  bool is = false;
  /* A create: the same body, whatever its request id. */
  Submission like = intent("p", SUBMISSION_CREATE, "cust", NULL, REQ("10"), "{\"lines\":1}");
  assert_true(state_submission_find_unresolved(store, &like, &found, &is, err, sizeof err));
  assert_true(is);
  assert_int_equal(found.id, create.id);
  assert_string_equal(found.request_id, REQ("01"));
  submission_clear(&found);
  like.body = "{\"lines\":2}"; /* another body: another intent */
  assert_true(state_submission_find_unresolved(store, &like, &found, &is, err, sizeof err));
  assert_false(is);
  like.body = "{\"lines\":1}";
  like.customer_id = "other-customer";
  assert_true(state_submission_find_unresolved(store, &like, &found, &is, err, sizeof err));
  assert_false(is);
  like.customer_id = "cust";
  like.profile = "other-profile";
  assert_true(state_submission_find_unresolved(store, &like, &found, &is, err, sizeof err));
  assert_false(is);

  /* An update: the same cart and the same lines; other lines are another intent. */
  like = intent("p", SUBMISSION_UPDATE, "cust", "cart-1", REQ("11"), "{\"other\":1}");
  assert_true(state_submission_find_unresolved(store, &like, &found, &is, err, sizeof err));
  assert_false(is);
  like.body = "{\"l\":2}";
  assert_true(state_submission_find_unresolved(store, &like, &found, &is, err, sizeof err));
  assert_true(is);
  assert_int_equal(found.id, update.id);
  submission_clear(&found);
  like.cart_id = "cart-2";
  assert_true(state_submission_find_unresolved(store, &like, &found, &is, err, sizeof err));
  assert_false(is);
  like = intent("p", SUBMISSION_CHECKOUT, "cust", "cart-1", REQ("12"), NULL);
  assert_true(state_submission_find_unresolved(store, &like, &found, &is, err, sizeof err));
  assert_true(is);
  assert_int_equal(found.id, checkout.id);
  assert_int_equal(found.state, SUBMISSION_UNKNOWN);
  submission_clear(&found);
  /* A journaled intent does not repeat itself. */
  assert_true(state_submission_find_unresolved(store, &checkout, &found, &is, err, sizeof err));
  assert_false(is);

  /* Settled intents are not matched. */
  finish_ok(store, create.id, SUBMISSION_DONE, "cart-new");
  like = intent("p", SUBMISSION_CREATE, "cust", NULL, REQ("13"), "{\"lines\":1}");
  assert_true(state_submission_find_unresolved(store, &like, &found, &is, err, sizeof err));
  assert_false(is);
  finish_ok(store, update.id, SUBMISSION_REFUSED, NULL);
  like = intent("p", SUBMISSION_UPDATE, "cust", "cart-1", REQ("14"), "{}");
  assert_true(state_submission_find_unresolved(store, &like, &found, &is, err, sizeof err));
  assert_false(is);

  state_close(store);
  free(path);
}

static void test_unresolved_list(void **state) {
  (void)state;
  char *path = scratch_path("state.db");
  StateStore *store = open_ok(path);
  TestClock clock = {.now = 1};
  state_set_clock(store, test_clock, &clock);
  Submission s[5];
  const char *ids[] = {REQ("01"), REQ("02"), REQ("03"), REQ("04"), REQ("05")};
  for (int i = 0; i < 5; i++) {
    clock.now = 100 * (i + 1);
    s[i] = intent(i == 4 ? "q" : "p", SUBMISSION_CHECKOUT, "cust", "cart", ids[i], NULL);
    begin_ok(store, &s[i]);
  }
  finish_ok(store, s[1].id, SUBMISSION_DONE, NULL);
  finish_ok(store, s[3].id, SUBMISSION_UNKNOWN, NULL);
  SubmissionList list = {0};
  char err[1024] = "";
  assert_true(state_submissions_unresolved(store, "p", &list, err, sizeof err));
  assert_int_equal(list.count, 3); /* oldest first; done and the other profile's left out */
  assert_int_equal(list.items[0].id, s[0].id);
  assert_int_equal(list.items[1].id, s[2].id);
  assert_int_equal(list.items[2].id, s[3].id);
  assert_int_equal(list.items[2].state, SUBMISSION_UNKNOWN);
  submission_list_clear(&list);
  assert_true(state_submissions_unresolved(store, "nobody", &list, err, sizeof err));
  assert_int_equal(list.count, 0);
  submission_list_clear(&list);
  state_close(store);
  free(path);
}

/* ----- autosave and recent carts ----- */

static void test_autosave(void **state) {
  (void)state;
  char *path = scratch_path("state.db");
  StateStore *store = open_ok(path);
  TestClock clock = {.now = 1000};
  state_set_clock(store, test_clock, &clock);
  char err[1024] = "";
  Autosave got = {0};
  bool found = true;
  assert_true(state_autosave_get(store, "p", &got, &found, err, sizeof err));
  assert_false(found);

  Autosave first = {.profile = "p",
                    .customer_id = "cust",
                    .customer_name = "Contoso",
                    .cart_json = "{\"lineItems\":[]}",
                    .dirty = true,
                    .line_count = 0,
                    .saved_ms = 42 /* ignored: the store's clock decides */};
  assert_true(state_autosave_put(store, &first, err, sizeof err));
  assert_true(state_autosave_get(store, "p", &got, &found, err, sizeof err));
  assert_true(found);
  assert_string_equal(got.profile, "p");
  assert_string_equal(got.customer_id, "cust");
  assert_string_equal(got.customer_name, "Contoso");
  assert_null(got.cart_id);
  assert_null(got.base_version);
  assert_string_equal(got.cart_json, "{\"lineItems\":[]}");
  assert_true(got.dirty);
  assert_int_equal(got.line_count, 0);
  assert_int_equal(got.saved_ms, 1000);
  autosave_clear(&got);

  clock.now = 2000; /* replaced, not added */
  Autosave second = {.profile = "p",
                     .customer_id = "cust",
                     .cart_id = "cart-1",
                     .base_version = "2024-01-01T00:00:00Z",
                     .cart_json = "{\"lineItems\":[{}]}",
                     .dirty = false,
                     .line_count = 1};
  assert_true(state_autosave_put(store, &second, err, sizeof err));
  assert_true(state_autosave_get(store, "p", &got, &found, err, sizeof err));
  assert_true(found);
  assert_string_equal(got.cart_id, "cart-1");
  assert_string_equal(got.base_version, "2024-01-01T00:00:00Z");
  assert_null(got.customer_name);
  assert_false(got.dirty);
  assert_int_equal(got.line_count, 1);
  assert_int_equal(got.saved_ms, 2000);
  autosave_clear(&got);

  clock.now = 3000;
  Autosave other = {.profile = "q", .customer_id = "c2", .cart_json = "{}", .line_count = 3};
  assert_true(state_autosave_put(store, &other, err, sizeof err));
  AutosaveList list = {0};
  assert_true(state_autosaves(store, &list, err, sizeof err));
  assert_int_equal(list.count, 2);
  assert_string_equal(list.items[0].profile, "q"); /* newest first */
  assert_string_equal(list.items[1].profile, "p");
  autosave_list_clear(&list);

  Autosave bad = {.profile = "p"}; /* no JSON */
  assert_false(state_autosave_put(store, &bad, err, sizeof err));
  assert_non_null(strstr(err, path));

  assert_true(state_autosave_drop(store, "p", err, sizeof err));
  assert_true(state_autosave_drop(store, "p", err, sizeof err)); /* nothing left: still fine */
  assert_true(state_autosave_get(store, "p", &got, &found, err, sizeof err));
  assert_false(found);
  assert_true(state_autosaves(store, &list, err, sizeof err));
  assert_int_equal(list.count, 1);
  autosave_list_clear(&list);
  state_close(store);
  free(path);
}

static void test_recent_carts(void **state) {
  (void)state;
  char *path = scratch_path("state.db");
  StateStore *store = open_ok(path);
  TestClock clock = {.now = 100};
  state_set_clock(store, test_clock, &clock);
  char err[1024] = "";
  const char *carts[] = {"cart-a", "cart-b", "cart-c", "cart-d"};
  for (int i = 0; i < 4; i++) {
    clock.now = 100 * (i + 1);
    assert_true(state_recent_cart_put(store, "p", "cust", carts[i], "Active", i, err, sizeof err));
  }
  assert_true(state_recent_cart_put(store, "p", "other", "cart-x", "Active", 1, err, sizeof err));
  assert_true(state_recent_cart_put(store, "q", "cust", "cart-y", "Active", 1, err, sizeof err));
  clock.now = 1000; /* cart-b seen again: refreshed, moved to the front */
  assert_true(state_recent_cart_put(store, "p", "cust", "cart-b", "Ordered", 5, err, sizeof err));

  RecentCartList list = {0};
  assert_true(state_recent_carts(store, "p", "cust", 0, &list, err, sizeof err));
  assert_int_equal(list.count, 4);
  assert_string_equal(list.items[0].cart_id, "cart-b");
  assert_string_equal(list.items[0].status, "Ordered");
  assert_int_equal(list.items[0].line_count, 5);
  assert_int_equal(list.items[0].seen_ms, 1000);
  assert_string_equal(list.items[1].cart_id, "cart-d");
  assert_string_equal(list.items[2].cart_id, "cart-c");
  assert_string_equal(list.items[3].cart_id, "cart-a");
  assert_int_equal(list.items[3].seen_ms, 100);
  recent_cart_list_clear(&list);

  assert_true(state_recent_carts(store, "p", "cust", 2, &list, err, sizeof err));
  assert_int_equal(list.count, 2);
  assert_string_equal(list.items[1].cart_id, "cart-d");
  recent_cart_list_clear(&list);
  assert_true(state_recent_carts(store, "p", "nobody", 0, &list, err, sizeof err));
  assert_int_equal(list.count, 0);
  recent_cart_list_clear(&list);

  assert_false(state_recent_cart_put(store, "p", "cust", "", "Active", 1, err, sizeof err));
  assert_non_null(strstr(err, path));
  state_close(store);
  free(path);
}

/* ----- files refused ----- */

static void test_newer_schema_refused(void **state) {
  (void)state;
  char *path = scratch_path("state.db");
  StateStore *store = open_ok(path);
  Submission s = intent("p", SUBMISSION_CREATE, "cust", NULL, REQ("01"), "{}");
  begin_ok(store, &s);
  state_close(store);
  sqlite3 *db = raw_open(path);
  raw_exec(db, "PRAGMA user_version = 99");
  sqlite3_close(db); /* the last connection: the WAL is folded into the file */

  refused_unchanged(path, "was written by a newer pccart (schema 99, this one reads up to 2)");
  char err[1024];
  assert_null(state_open(path, err, sizeof err));
  assert_non_null(strstr(err, "upgrade pccart or move the file away"));
  free(path);
}

static void test_damaged_refused(void **state) {
  (void)state;
  char *path = scratch_path("random.db");
  unsigned char bytes[8192];
  uint32_t seed = 12345; /* fixed: the same bytes every run */
  for (size_t i = 0; i < sizeof bytes; i++) {
    seed = seed * 1103515245u + 12345u;
    bytes[i] = (unsigned char)(seed >> 16);
  }
  write_bytes(path, bytes, sizeof bytes, 0644); /* not ours: not even its mode changes */
  refused_unchanged(path, "is damaged (not a pccart state database)");
  char err[1024];
  assert_null(state_open(path, err, sizeof err));
  char expected[1024];
  snprintf(expected, sizeof expected,
           "%s is damaged (not a pccart state database): move it away (e.g. mv %s %s.broken) and "
           "pccart starts a new one; until then recovery and history are off.",
           path, path, path);
  assert_string_equal(err, expected);
  free(path);

  path = scratch_write("text.db", "profiles = { default = { kind = \"sandbox\"; }; };\n", 0644);
  refused_unchanged(path, "is damaged");
  free(path);

  /* A file of ours whose header is right but whose pages are not. */
  path = scratch_path("cut.db");
  StateStore *store = open_ok(path);
  state_close(store);
  size_t size = 0;
  unsigned char *good = slurp(path, &size);
  assert_true(size > 1024);
  memset(good + 100, 0xA5, size - 100); /* keep the 100-byte header, wreck the schema page */
  write_bytes(path, good, size, 0600);
  free(good);
  refused_unchanged(path, "is damaged");
  free(path);
}

static void test_foreign_refused(void **state) {
  (void)state;
  char *path = scratch_path("other.db");
  sqlite3 *db = raw_open(path);
  raw_exec(db, "CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT);"
               "INSERT INTO photos (name) VALUES ('cat.jpg')");
  sqlite3_close(db);
  assert_int_equal(chmod(path, 0644), 0);
  refused_unchanged(path, "is not a pccart state database");
  db = raw_open(path); /* nothing was added to it */
  assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master"), 1);
  sqlite3_close(db);
  free(path);

  /* Another program's own application id, even with our version number. */
  path = scratch_path("tagged.db");
  db = raw_open(path);
  raw_exec(db, "PRAGMA application_id = 1234; PRAGMA user_version = 1; CREATE TABLE t (x)");
  sqlite3_close(db);
  refused_unchanged(path, "is not a pccart state database");
  free(path);

  /* Our version number without our id: someone else's schema. */
  path = scratch_path("versioned.db");
  db = raw_open(path);
  raw_exec(db, "PRAGMA user_version = 1; CREATE TABLE submissions (x)");
  sqlite3_close(db);
  refused_unchanged(path, "is not a pccart state database");
  free(path);

  /* Ours, with a table dropped by hand. */
  path = scratch_path("ours.db");
  state_close(open_ok(path));
  db = raw_open(path);
  raw_exec(db, "DROP TABLE recent_carts");
  sqlite3_close(db);
  refused_unchanged(path, "is damaged");
  free(path);
}

static void test_not_a_plain_file_refused(void **state) {
  (void)state;
  char *target = scratch_path("target.db");
  char *link = scratch_path("link.db");
  state_close(open_ok(target));
  assert_int_equal(symlink(target, link), 0);
  open_refused(link, "is a symbolic link");
  char *dir = scratch_path("adir.db");
  assert_int_equal(mkdir(dir, 0700), 0);
  open_refused(dir, "is not a regular file");
  /* A link in the place of the WAL would send the journal elsewhere. */
  char wal[600];
  snprintf(wal, sizeof wal, "%s-wal", target);
  assert_int_equal(symlink("/tmp/pccart-nowhere", wal), 0);
  open_refused(wal, "is a symbolic link");
  free(target);
  free(link);
  free(dir);
}

static void test_unwritable_refused(void **state) {
  (void)state;
  /* Root ignores permission bits, so the case every user meets is a directory that cannot
   * exist: a path under a regular file. */
  char *file = scratch_write("plain", "not a directory\n", 0600);
  char *path = scratch_path("plain/pccart/state.db");
  char err[1024] = "";
  assert_null(state_open(path, err, sizeof err));
  assert_non_null(strstr(err, file));
  assert_non_null(strstr(err, "Not a directory"));
  free(path);
  free(file);
  assert_null(state_open("", err, sizeof err));

  if (geteuid() == 0) {
    return; /* the permission cases below mean nothing to root */
  }
  char *dir = scratch_path("locked-dir");
  assert_int_equal(mkdir(dir, 0500), 0);
  path = scratch_path("locked-dir/state.db");
  open_refused(path, "Permission denied");
  free(path);
  path = scratch_path("locked-dir/sub/state.db"); /* a directory that cannot be made */
  assert_null(state_open(path, err, sizeof err));
  assert_non_null(strstr(err, "locked-dir/sub"));
  assert_non_null(strstr(err, "Permission denied"));
  free(path);
  assert_int_equal(chmod(dir, 0700), 0);

  /* A read-only file is refused and left as it was. */
  path = scratch_path("locked-dir/state.db");
  state_close(open_ok(path));
  assert_int_equal(chmod(path, 0400), 0);
  refused_unchanged(path, "is read-only");
  assert_int_equal(chmod(path, 0600), 0);

  /* A file in a directory that cannot be written: SQLite cannot make its -wal and -shm. */
  assert_int_equal(chmod(dir, 0500), 0);
  assert_null(state_open(path, err, sizeof err));
  assert_non_null(strstr(err, path));
  assert_int_equal(chmod(dir, 0700), 0);
  free(path);
  free(dir);
}

static void test_locked_refused(void **state) {
  (void)state;
  char *path = scratch_path("state.db");
  StateStore *store = open_ok(path);
  sqlite3 *other = raw_open(path);
  raw_exec(other, "BEGIN IMMEDIATE"); /* another program holds the write lock */
  state_set_busy_timeout(store, 0);   /* so that the refusal comes at once */
  char err[1024] = "";
  Autosave autosave = {.profile = "p", .cart_json = "{}"};
  assert_false(state_autosave_put(store, &autosave, err, sizeof err));
  assert_non_null(strstr(err, "another program holds"));
  assert_non_null(strstr(err, path));
  Submission s = intent("p", SUBMISSION_CREATE, "cust", NULL, REQ("01"), "{}");
  assert_false(state_submission_begin(store, &s, err, sizeof err));
  assert_non_null(strstr(err, "locked"));
  /* Reading goes on while another program writes (WAL). */
  SubmissionList list = {0};
  history_ok(store, (HistoryQuery){0}, &list);
  assert_int_equal(list.count, 0);
  submission_list_clear(&list);
  raw_exec(other, "COMMIT");
  assert_true(state_autosave_put(store, &autosave, err, sizeof err));
  begin_ok(store, &s);
  sqlite3_close(other);
  state_close(store);
  free(path);
}

/* ----- two writers ----- */

static void test_two_handles(void **state) {
  (void)state;
  char *path = scratch_path("shared/state.db");
  StateStore *a = open_ok(path);
  StateStore *b = open_ok(path);
  char request[37];
  for (int i = 0; i < 50; i++) {
    snprintf(request, sizeof request, "00000000-0000-4000-8000-%012d", i);
    Submission s = intent("p", SUBMISSION_CREATE, "cust", NULL, request, "{}");
    begin_ok(i % 2 ? a : b, &s);
  }
  /* The same intent through the other handle reuses the row. */
  Submission again = intent("p", SUBMISSION_CREATE, "cust", NULL, request, "{}");
  begin_ok(a, &again);
  assert_int_equal(again.attempts, 2);
  SubmissionList list = {0};
  history_ok(b, (HistoryQuery){0}, &list);
  assert_int_equal(list.count, 50);
  submission_list_clear(&list);
  state_close(a);
  history_ok(b, (HistoryQuery){0}, &list); /* closing one leaves the other working */
  assert_int_equal(list.count, 50);
  submission_list_clear(&list);
  state_close(b);
  free(path);
}

#define PROCESS_ROWS 200

/* Each process journals PROCESS_ROWS intents with its own request ids; false on any error. */
static bool write_rows(const char *path, const char *profile, int offset) {
  char err[1024] = "";
  StateStore *store = state_open(path, err, sizeof err);
  bool ok = store != NULL;
  for (int i = 0; ok && i < PROCESS_ROWS; i++) {
    Submission s = {.profile = (char *)profile,
                    .operation = SUBMISSION_UPDATE,
                    .customer_id = "cust",
                    .cart_id = "cart",
                    .body = "{}"};
    snprintf(s.request_id, sizeof s.request_id, "00000000-0000-4000-8000-%012d", offset + i);
    ok = state_submission_begin(store, &s, err, sizeof err) &&
         state_recent_cart_put(store, profile, "cust", s.request_id, "Active", i, err, sizeof err);
  }
  if (!ok) {
    fprintf(stderr, "%s writer: %s\n", profile, err);
  }
  state_close(store);
  return ok;
}

static void test_two_processes(void **state) {
  (void)state;
  /* Neither process finds the file: one makes it, and the two migrate it one after the other. */
  char *path = scratch_path("fresh/state.db");
  int go[2];
  assert_int_equal(pipe(go), 0);
  fflush(NULL);
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    /* Starts when the parent does, so that the two really overlap; no cmocka here. */
    close(go[1]);
    char byte;
    bool ok = read(go[0], &byte, 1) == 1 && write_rows(path, "child", 100000);
    _exit(ok ? 0 : 1);
  }
  close(go[0]);
  assert_int_equal(write(go[1], "x", 1), 1);
  close(go[1]);
  bool ok = write_rows(path, "parent", 0);
  int status = 0;
  assert_int_equal(waitpid(child, &status, 0), child);
  assert_true(ok);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);

  StateStore *store = open_ok(path);
  SubmissionList list = {0};
  history_ok(store, (HistoryQuery){0}, &list);
  assert_int_equal(list.count, 2 * PROCESS_ROWS);
  submission_list_clear(&list);
  history_ok(store, (HistoryQuery){.profile = "child"}, &list);
  assert_int_equal(list.count, PROCESS_ROWS);
  submission_list_clear(&list);
  RecentCartList carts = {0};
  char err[1024] = "";
  assert_true(state_recent_carts(store, "parent", "cust", 0, &carts, err, sizeof err));
  assert_int_equal(carts.count, PROCESS_ROWS);
  recent_cart_list_clear(&carts);
  state_close(store);
  free(path);
}

/* A file of schema 1 (as the first release wrote it) is migrated: its rows kept, the owner
 * columns added. */
static void test_schema_1_migrated(void **state) {
  (void)state;
  char *path = scratch_path("v1.db");
  sqlite3 *db = raw_open(path);
  raw_exec(
      db,
      "PRAGMA application_id = 1885561697; PRAGMA journal_mode = WAL;"
      "CREATE TABLE submissions (id INTEGER PRIMARY KEY, profile TEXT NOT NULL,"
      " operation TEXT NOT NULL CHECK (operation IN ('create', 'update', 'checkout')),"
      " customer_id TEXT NOT NULL, customer_name TEXT, cart_id TEXT, request_id TEXT NOT NULL,"
      " body_hash TEXT NOT NULL, body TEXT, customer_user_upn TEXT, created_ms INTEGER NOT NULL,"
      " updated_ms INTEGER NOT NULL, attempts INTEGER NOT NULL,"
      " state TEXT NOT NULL CHECK (state IN ('pending', 'unknown', 'done', 'refused')),"
      " http_status INTEGER NOT NULL DEFAULT 0, error_code INTEGER NOT NULL DEFAULT 0,"
      " error TEXT, result TEXT, resolution TEXT, UNIQUE (profile, request_id));"
      "CREATE INDEX submissions_created ON submissions (created_ms);"
      "CREATE INDEX submissions_profile ON submissions (profile, created_ms);"
      "CREATE INDEX submissions_customer ON submissions (profile, customer_id, created_ms);"
      "CREATE INDEX submissions_unresolved ON submissions (profile, created_ms)"
      "  WHERE state IN ('pending', 'unknown');"
      "CREATE TABLE autosave (profile TEXT PRIMARY KEY, customer_id TEXT, customer_name TEXT,"
      " cart_id TEXT, base_version TEXT, cart_json TEXT NOT NULL, dirty INTEGER NOT NULL,"
      " line_count INTEGER NOT NULL, saved_ms INTEGER NOT NULL);"
      "CREATE TABLE recent_carts (profile TEXT NOT NULL, customer_id TEXT NOT NULL,"
      " cart_id TEXT NOT NULL, status TEXT, line_count INTEGER NOT NULL,"
      " seen_ms INTEGER NOT NULL, PRIMARY KEY (profile, customer_id, cart_id));"
      "CREATE INDEX recent_carts_seen ON recent_carts (profile, customer_id, seen_ms);"
      "INSERT INTO submissions (profile, operation, customer_id, request_id, body_hash,"
      " created_ms, updated_ms, attempts, state) VALUES ('p', 'checkout', 'cust',"
      " '" REQ("07") "', '', 5, 5, 1, 'unknown');"
                     "PRAGMA user_version = 1;");
  sqlite3_close(db);
  StateStore *store = open_ok(path);
  SubmissionList list = {0};
  char err[512] = "";
  assert_true(state_submissions_unresolved(store, "p", &list, err, sizeof err));
  assert_int_equal(list.count, 1);
  assert_int_equal(list.items[0].owner_pid, 0);
  submission_list_clear(&list);
  state_close(store);
  db = raw_open(path);
  assert_int_equal(raw_int(db, "PRAGMA user_version"), STATE_SCHEMA_VERSION);
  sqlite3_close(db);
  free(path);
}

/* A repeat says what the row was before; a row a live process is sending is not another's to
 * reconcile; a row by request id reads back. */
static void test_previous_state_owner_and_get(void **state) {
  (void)state;
  char *path = scratch_path("state.db");
  StateStore *store = open_ok(path);
  Submission s = intent("p", SUBMISSION_CHECKOUT, "cust", "cart-1", REQ("08"), NULL);
  begin_ok(store, &s);
  assert_int_equal(s.previous_state, 0);
  char err[512] = "";
  SubmissionOutcome unknown = {.state = SUBMISSION_UNKNOWN, .error = "lost"};
  assert_true(state_submission_finish(store, s.id, &unknown, err, sizeof err));
  begin_ok(store, &s);
  assert_int_equal(s.previous_state, SUBMISSION_UNKNOWN);
  Submission got = {0};
  bool found = false;
  assert_true(state_submission_get(store, "p", REQ("08"), &got, &found, err, sizeof err));
  assert_true(found);
  assert_int_equal(got.owner_pid, (long)getpid());
  assert_true(got.owner_start > 0);
  assert_int_equal(got.owner_start, state_process_start((long)getpid()));
  /* Its owner is this process: not alive "elsewhere", so this process may settle it. */
  assert_false(submission_owner_alive(&got));
  submission_clear(&got);
  assert_true(state_submission_get(store, "p", REQ("99"), &got, &found, err, sizeof err));
  assert_false(found);

  /* A child journals an intent and waits; while it lives, the parent leaves it alone. (No
   * connection crosses the fork: SQLite's own advice.) */
  state_close(store);
  int go[2], ready[2];
  assert_int_equal(pipe(go), 0);
  assert_int_equal(pipe(ready), 0);
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    char child_err[512];
    StateStore *mine = state_open(path, child_err, sizeof child_err);
    Submission c = intent("p", SUBMISSION_CHECKOUT, "cust", "cart-2", REQ("09"), NULL);
    bool ok = mine && state_submission_begin(mine, &c, child_err, sizeof child_err);
    state_close(mine); /* the row stays the child's while the child lives */
    char byte = ok ? 'y' : 'n';
    if (write(ready[1], &byte, 1) != 1 || read(go[0], &byte, 1) != 1)
      _exit(2);
    _exit(ok ? 0 : 1);
  }
  char byte = 0;
  assert_int_equal(read(ready[0], &byte, 1), 1);
  assert_int_equal(byte, 'y');
  store = open_ok(path);
  SubmissionList list = {0};
  assert_true(state_submissions_unresolved(store, "p", &list, err, sizeof err));
  assert_int_equal(list.count, 1); /* ours (REQ 08), not the child's */
  assert_string_equal(list.items[0].request_id, REQ("08"));
  submission_list_clear(&list);
  assert_int_equal(write(go[1], "x", 1), 1);
  int status = 0;
  assert_int_equal(waitpid(child, &status, 0), child);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  /* Gone, its row is anyone's to settle. */
  assert_true(state_submissions_unresolved(store, "p", &list, err, sizeof err));
  assert_int_equal(list.count, 2);
  submission_list_clear(&list);
  close(go[0]);
  close(go[1]);
  close(ready[0]);
  close(ready[1]);
  state_close(store);
  free(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_default_dir, setup, teardown),
      cmocka_unit_test_setup_teardown(test_create_fresh, setup, teardown),
      cmocka_unit_test_setup_teardown(test_existing_file_made_private, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reopen_idempotent, setup, teardown),
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_hash_vectors),
      cmocka_unit_test_setup_teardown(test_begin_finish_history, setup, teardown),
      cmocka_unit_test_setup_teardown(test_begin_twice_reuses_row, setup, teardown),
      cmocka_unit_test_setup_teardown(test_find_unresolved, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unresolved_list, setup, teardown),
      cmocka_unit_test_setup_teardown(test_autosave, setup, teardown),
      cmocka_unit_test_setup_teardown(test_recent_carts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_damaged_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_foreign_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_not_a_plain_file_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unwritable_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_locked_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_two_handles, setup, teardown),
      cmocka_unit_test_setup_teardown(test_two_processes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_schema_1_migrated, setup, teardown),
      cmocka_unit_test_setup_teardown(test_previous_state_owner_and_get, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
