/* The autosave (app/autosave.h): a snapshot of the draft written by the autosave thread reads
 * back as the same cart, a newer snapshot replaces one not yet written, drop forgets, the
 * descriptor says a write finished, and restoring puts the cart back for its customer (its
 * catalog loads queued) while a damaged autosave is refused with a sentence. The writes are
 * waited for with autosaver_flush: no sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <poll.h>

#include <cmocka.h>

#include "app/autosave.h"
#include "model/common.h"
#include "scratch.h"

#define CUSTOMER_ID "d6bf25b7-e0a8-4f2d-a31b-97b55cfc774d"

static char *db_path;

static int setup(void **state) {
  (void)state;
  if (!scratch_setup("autosave"))
    return -1;
  db_path = scratch_path("state/state.db");
  return db_path ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  free(db_path);
  return scratch_teardown();
}

/* A state whose cart belongs to the customer, with `lines` lines (dirty). */
static AppState *state_with_lines(size_t lines) {
  AppOptions options = {.profile_name = "sandbox", .page_size = 50};
  AppState *state = app_new(&options);
  assert_non_null(state);
  Autosave seed = {.customer_id = CUSTOMER_ID, .customer_name = "Contoso, Ltd.", .dirty = true};
  char json[2048];
  size_t n = (size_t)snprintf(json, sizeof json, "{\"lineItems\":[");
  for (size_t i = 0; i < lines; i++)
    n += (size_t)snprintf(json + n, sizeof json - n,
                          "%s{\"id\":%zu,\"catalogItemId\":\"DZH318Z0BXWC:0002:DZH318Z0BMRV\","
                          "\"quantity\":%zu,\"billingCycle\":\"monthly\",\"termDuration\":\"P1M\"}",
                          i ? "," : "", i, i + 1);
  snprintf(json + n, sizeof json - n, "]}");
  seed.cart_json = json;
  char why[256] = "";
  assert_true(app_cart_restore(state, &seed, why, sizeof why));
  return state;
}

static void test_snapshot_written_and_restored(void **unused) {
  (void)unused;
  char err[512] = "";
  Autosaver *saver = autosaver_start(db_path, "sandbox", err, sizeof err);
  assert_non_null(saver);
  AppState *state = state_with_lines(3);
  assert_true(state->cart.dirty);
  unsigned long generation = app_cart_generation(state);

  Autosave snapshot;
  assert_true(app_autosave_snapshot(state, &snapshot));
  assert_int_equal(snapshot.line_count, 3);
  autosaver_put(saver, &snapshot);
  assert_null(snapshot.cart_json); /* taken */
  assert_true(autosaver_flush(saver, err, sizeof err));
  assert_int_equal(autosaver_pending(saver), 0);
  /* The descriptor says a write finished, and taking it reports no failure. */
  struct pollfd fd = {.fd = autosaver_wake_fd(saver), .events = POLLIN};
  assert_int_equal(poll(&fd, 1, 0), 1);
  assert_false(autosaver_take_wake(saver, err, sizeof err));
  assert_int_equal(poll(&fd, 1, 0), 0);

  Autosave loaded = {0};
  bool found = false;
  assert_true(autosaver_load(saver, &loaded, &found, err, sizeof err));
  assert_true(found);
  assert_true(loaded.dirty);
  assert_int_equal(loaded.line_count, 3);
  assert_string_equal(loaded.customer_id, CUSTOMER_ID);
  assert_string_equal(loaded.customer_name, "Contoso, Ltd.");

  /* Another state restores it line for line, for that customer, its catalog loads queued. */
  AppOptions options = {.profile_name = "sandbox"};
  AppState *other = app_new(&options);
  char why[256] = "";
  assert_true(app_cart_restore(other, &loaded, why, sizeof why));
  assert_string_equal(other->cart.customer_id, CUSTOMER_ID);
  assert_true(other->cart.dirty);
  assert_int_equal(other->cart.draft->line_items.count, 3);
  for (size_t i = 0; i < 3; i++)
    assert_int_equal(other->cart.draft->line_items.items[i].quantity.value, (long)i + 1);
  char *a = app_cart_request_body(state);
  char *b = app_cart_request_body(other);
  assert_string_equal(a, b);
  free(a);
  free(b);
  assert_true(other->outbox_count > 0);
  assert_true(app_cart_generation(state) == generation);

  autosave_clear(&loaded);
  app_free(other);
  app_free(state);
  autosaver_stop(saver);
}

static void test_newer_snapshot_wins_and_drop_forgets(void **unused) {
  (void)unused;
  char err[512] = "";
  Autosaver *saver = autosaver_start(db_path, "sandbox", err, sizeof err);
  assert_non_null(saver);
  for (size_t lines = 1; lines <= 5; lines++) {
    AppState *state = state_with_lines(lines);
    Autosave snapshot;
    assert_true(app_autosave_snapshot(state, &snapshot));
    autosaver_put(saver, &snapshot);
    app_free(state);
  }
  assert_true(autosaver_flush(saver, err, sizeof err));
  Autosave loaded = {0};
  bool found = false;
  assert_true(autosaver_load(saver, &loaded, &found, err, sizeof err));
  assert_true(found);
  assert_int_equal(loaded.line_count, 5);
  autosave_clear(&loaded);

  /* Another profile's autosave is its own. */
  Autosaver *other = autosaver_start(db_path, "training", err, sizeof err);
  assert_non_null(other);
  assert_true(autosaver_load(other, &loaded, &found, err, sizeof err));
  assert_false(found);
  autosaver_stop(other);

  autosaver_drop(saver);
  assert_true(autosaver_flush(saver, err, sizeof err));
  assert_true(autosaver_load(saver, &loaded, &found, err, sizeof err));
  assert_false(found);
  autosaver_stop(saver);

  /* What stop finds pending is written before it returns. */
  saver = autosaver_start(db_path, "sandbox", err, sizeof err);
  AppState *state = state_with_lines(2);
  Autosave snapshot;
  assert_true(app_autosave_snapshot(state, &snapshot));
  autosaver_put(saver, &snapshot);
  autosaver_stop(saver);
  saver = autosaver_start(db_path, "sandbox", err, sizeof err);
  assert_true(autosaver_load(saver, &loaded, &found, err, sizeof err));
  assert_true(found);
  assert_int_equal(loaded.line_count, 2);
  autosave_clear(&loaded);
  autosaver_stop(saver);
  app_free(state);
}

/* The UI thread's reads: asked for, done by the autosave thread, answered through its
 * descriptor (the test waits on it, as the UI's poll() does). */
static void test_reads_answered_through_the_descriptor(void **unused) {
  (void)unused;
  char err[512] = "";
  StateStore *store = state_open(db_path, err, sizeof err);
  assert_non_null(store);
  assert_true(
      state_recent_cart_put(store, "sandbox", CUSTOMER_ID, "cart-a", "Active", 3, err, sizeof err));
  state_close(store);
  Autosaver *saver = autosaver_start(db_path, "sandbox", err, sizeof err);
  assert_non_null(saver);
  AppState *state = state_with_lines(2);
  Autosave snapshot;
  assert_true(app_autosave_snapshot(state, &snapshot));
  autosaver_put(saver, &snapshot);
  assert_true(autosaver_flush(saver, err, sizeof err));
  autosaver_take_wake(saver, err, sizeof err);

  autosaver_request_load(saver);
  autosaver_request_recent(saver, CUSTOMER_ID);
  Autosave loaded = {0};
  bool found = false, have_load = false, have_recent = false;
  char *customer = NULL;
  RecentCartList carts = {0};
  while (!have_load || !have_recent) {
    struct pollfd fd = {.fd = autosaver_wake_fd(saver), .events = POLLIN};
    assert_int_equal(poll(&fd, 1, -1), 1);
    assert_false(autosaver_take_wake(saver, err, sizeof err));
    have_load = have_load || autosaver_take_loaded(saver, &loaded, &found);
    have_recent = have_recent || autosaver_take_recent(saver, &customer, &carts);
  }
  assert_int_equal(autosaver_pending(saver), 0);
  assert_true(found);
  assert_int_equal(loaded.line_count, 2);
  assert_string_equal(customer, CUSTOMER_ID);
  assert_int_equal(carts.count, 1);
  assert_string_equal(carts.items[0].cart_id, "cart-a");
  assert_int_equal(carts.items[0].line_count, 3);
  recent_cart_list_clear(&carts);
  free(customer);
  autosave_clear(&loaded);
  app_free(state);
  autosaver_stop(saver);
}

static void test_damaged_autosave_is_refused_with_a_sentence(void **unused) {
  (void)unused;
  AppOptions options = {.profile_name = "sandbox"};
  AppState *state = app_new(&options);
  Autosave bad = {.customer_id = CUSTOMER_ID,
                  .cart_json = "{\"lineItems\": [ {\"quantity\": ",
                  .dirty = true,
                  .line_count = 1};
  char why[256] = "";
  assert_false(app_cart_restore(state, &bad, why, sizeof why));
  assert_non_null(strstr(why, "could not be read"));
  /* Nothing changed: no customer was picked. */
  assert_null(state->cart.customer_id);
  bad.cart_json = NULL;
  assert_false(app_cart_restore(state, &bad, why, sizeof why));
  app_free(state);
}

/* A store that cannot be used: the thread says so (naming the file), drops what it is handed,
 * answers reads with nothing, and never writes to the file. */
static void test_unusable_store_is_said(void **unused) {
  (void)unused;
  char *path = scratch_write("garbage.db", "not a database at all\n", 0600);
  char err[512] = "";
  Autosaver *saver = autosaver_start(path, "sandbox", err, sizeof err);
  assert_non_null(saver);
  assert_false(autosaver_usable(saver, err, sizeof err));
  assert_non_null(strstr(err, path));
  AppState *state = state_with_lines(1);
  Autosave snapshot;
  assert_true(app_autosave_snapshot(state, &snapshot));
  autosaver_put(saver, &snapshot);
  assert_false(autosaver_flush(saver, err, sizeof err));
  assert_non_null(strstr(err, path));
  autosaver_request_load(saver);
  Autosave loaded = {0};
  bool found = true;
  while (!autosaver_take_loaded(saver, &loaded, &found)) {
    struct pollfd fd = {.fd = autosaver_wake_fd(saver), .events = POLLIN};
    assert_int_equal(poll(&fd, 1, -1), 1);
    autosaver_take_wake(saver, err, sizeof err);
  }
  assert_false(found);
  autosaver_stop(saver);
  app_free(state);
  char *text = scratch_path("garbage.db");
  FILE *file = fopen(text, "r");
  char line[64] = "";
  assert_non_null(fgets(line, sizeof line, file));
  fclose(file);
  assert_string_equal(line, "not a database at all\n");
  free(text);
  free(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_snapshot_written_and_restored, setup, teardown),
      cmocka_unit_test_setup_teardown(test_newer_snapshot_wins_and_drop_forgets, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reads_answered_through_the_descriptor, setup, teardown),
      cmocka_unit_test_setup_teardown(test_damaged_autosave_is_refused_with_a_sentence, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_unusable_store_is_said, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
