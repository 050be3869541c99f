/* Nothing lost, nothing doubled, through the real pccart on a pseudo-terminal with a HOME kept
 * between runs: a cart being edited when pccart is killed (SIGKILL) or told to stop (SIGTERM,
 * SIGHUP) is offered back at the next start, line for line; declining forgets it; a checkout
 * cut off by a kill is settled at the next start and the app says so; `o` offers the
 * customer's recent carts. The sandbox holds requests on the test's signal: no sleeps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "tui_pccart.h"

#ifndef PCC_PCCART_BIN
#define PCC_PCCART_BIN NULL
#endif

#define BASIC "Microsoft 365 Business Basic"
#define EXCHANGE "Exchange Online (Plan 1)"
/* As the cart pane shows it at 120 columns. */
#define EXCHANGE_SHOWN "Exchange Online (Plan"

typedef struct Fixture {
  char home[64];
  HttpCtx *http;
} Fixture;

static int setup(void **state) {
  static Fixture f;
  snprintf(f.home, sizeof f.home, "/tmp/pccart-recovery-XXXXXX");
  if (!mkdtemp(f.home))
    return -1;
  char err[256] = "";
  f.http = http_ctx_start(&(HttpCtxOptions){0}, err, sizeof err);
  if (!f.http) {
    print_error("sandbox: %s\n", err);
    return -1;
  }
  *state = &f;
  return 0;
}

static int teardown(void **state) {
  Fixture *f = *state;
  http_ctx_stop(f->http);
  char command[128];
  snprintf(command, sizeof command, "rm -rf '%s'", f->home);
  return system(command) == 0 ? 0 : -1;
}

static Pccart *start(Fixture *f) {
  return pccart_start_or_fail(PCC_PCCART_BIN, &(PccartOptions){.home = f->home, .http = f->http});
}

/* Two lines for Contoso, not saved. */
static void edit_a_cart(Pccart *pccart) {
  Tui *tui = pccart->tui;
  TUI_ASSERT(tui, pccart_pick_customer(pccart, "Contoso", "Contoso, Ltd."));
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "Business Basic", "Business Basic", NULL));
  TUI_ASSERT(tui, pccart_form_type(pccart, "Quantity", "7"));
  TUI_ASSERT(tui, pccart_form_submit(pccart));
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "Exchange Online", "Plan 1", NULL));
  TUI_ASSERT(tui, pccart_form_submit(pccart));
  tui_assert_text(tui, EXCHANGE);
  assert_non_null(strstr(tui_row(tui, 0), "*unsaved"));
}

/* The draft (w) written to HOME/name; its text (caller frees). */
static char *write_draft(Pccart *pccart, const char *home, const char *name) {
  Tui *tui = pccart->tui;
  char path[300], keys[400];
  snprintf(path, sizeof path, "%s/%s", home, name);
  TUI_ASSERT(tui, pccart_keys(pccart, "w"));
  tui_assert_text(tui, "Enter accept");
  snprintf(keys, sizeof keys, "<C-u>%s<Enter>", path);
  TUI_ASSERT(tui, pccart_keys(pccart, keys));
  char *text = pccart_read_file(path);
  if (!text) {
    tui_dump(tui, "draft");
    fail_msg("no draft at %s", path);
  }
  return text;
}

static void end_with_signal(Pccart *pccart, int sig, int expected_status) {
  int status = -1;
  assert_int_equal(kill(tui_pid(pccart->tui), sig), 0);
  TUI_ASSERT(pccart->tui, tui_wait_exit(pccart->tui, &status));
  assert_int_equal(status, expected_status);
  pccart_stop(pccart);
}

static void test_killed_app_offers_the_cart_back_line_for_line(void **state) {
  Fixture *f = *state;
  Pccart *pccart = start(f);
  edit_a_cart(pccart);
  char *before = write_draft(pccart, f->home, "before.json");
  end_with_signal(pccart, SIGKILL, 128 + SIGKILL);

  pccart = start(f);
  Tui *tui = pccart->tui;
  tui_assert_text(tui, "Restore unsaved cart?");
  tui_assert_text(tui, "for Contoso, Ltd.:");
  tui_assert_text(tui, "autosaved");
  TUI_ASSERT(tui, pccart_keys(pccart, "<Enter>")); /* the default: restore */
  tui_assert_text(tui, "Restored the unsaved cart");
  tui_assert_text(tui, "Microsoft 365 Business");
  tui_assert_text(tui, EXCHANGE_SHOWN);
  assert_non_null(strstr(tui_row(tui, 0), "Contoso, Ltd."));
  assert_non_null(strstr(tui_row(tui, 0), "*unsaved"));
  char *after = write_draft(pccart, f->home, "after.json");
  assert_string_equal(after, before);
  /* Saved now, it is one cart with those lines. */
  TUI_ASSERT(tui, pccart_keys(pccart, "s"));
  TUI_ASSERT(tui, tui_wait_for(tui, pccart_status_says, " saved", "the status bar saying saved"));
  assert_int_equal(pccart_request_count(pccart, "carts.create"), 1);
  pccart_quit(pccart);
  free(after);
  free(before);
}

/* The autosave waits its delay after a change (a few keys in a row make one write): with a
 * delay no test can reach, a kill right after the edits finds nothing autosaved, while
 * SIGTERM writes what is pending. (Under the test hooks the delay is 0 unless set.) */
static void test_autosave_waits_its_delay(void **state) {
  Fixture *f = *state;
  static const char *const slow[] = {"PCCART_AUTOSAVE_DELAY_MS=600000", NULL};
  Pccart *pccart = pccart_start_or_fail(
      PCC_PCCART_BIN, &(PccartOptions){.home = f->home, .http = f->http, .env = slow});
  edit_a_cart(pccart);
  end_with_signal(pccart, SIGKILL, 128 + SIGKILL);
  pccart = start(f);
  assert_false(tui_screen_contains(pccart->tui, "Restore unsaved cart?"));
  pccart_quit(pccart);

  pccart = pccart_start_or_fail(PCC_PCCART_BIN,
                                &(PccartOptions){.home = f->home, .http = f->http, .env = slow});
  edit_a_cart(pccart);
  end_with_signal(pccart, SIGTERM, 128 + SIGTERM);
  pccart = start(f);
  tui_assert_text(pccart->tui, "Restore unsaved cart?");
  TUI_ASSERT(pccart->tui, pccart_keys(pccart, "n"));
  pccart_quit(pccart);
}

static void test_sigterm_autosaves_and_declining_forgets(void **state) {
  Fixture *f = *state;
  Pccart *pccart = start(f);
  edit_a_cart(pccart);
  /* No question asked: it autosaves, restores the terminal and exits. */
  end_with_signal(pccart, SIGTERM, 128 + SIGTERM);

  pccart = start(f);
  Tui *tui = pccart->tui;
  tui_assert_text(tui, "Restore unsaved cart?");
  /* Told to stop again before answering: the question was not answered, the cart stays. */
  end_with_signal(pccart, SIGTERM, 128 + SIGTERM);
  pccart = start(f);
  tui = pccart->tui;
  tui_assert_text(tui, "Restore unsaved cart?");
  TUI_ASSERT(tui, pccart_keys(pccart, "n"));
  tui_assert_text(tui, "The autosaved cart was discarded.");
  assert_false(tui_screen_contains(tui, EXCHANGE_SHOWN));
  pccart_quit(pccart);

  /* Declined once, it is not offered again. */
  pccart = start(f);
  tui = pccart->tui;
  assert_false(tui_screen_contains(tui, "Restore unsaved cart?"));
  pccart_quit(pccart);
}

static void test_sighup_autosaves_too(void **state) {
  Fixture *f = *state;
  Pccart *pccart = start(f);
  edit_a_cart(pccart);
  end_with_signal(pccart, SIGHUP, 128 + SIGHUP);
  pccart = start(f);
  tui_assert_text(pccart->tui, "Restore unsaved cart?");
  TUI_ASSERT(pccart->tui, pccart_keys(pccart, "<Enter>"));
  tui_assert_text(pccart->tui, EXCHANGE_SHOWN);
  /* Quitting now asks, and says the changes stay autosaved. */
  TUI_ASSERT(pccart->tui, pccart_keys(pccart, "q"));
  tui_assert_text(pccart->tui, "They stay autosaved");
  tui_assert_send(pccart->tui, "y");
  int status = -1;
  TUI_ASSERT(pccart->tui, tui_wait_exit(pccart->tui, &status));
  assert_int_equal(status, 0);
  pccart_stop(pccart);
  pccart = start(f);
  tui_assert_text(pccart->tui, "Restore unsaved cart?");
  TUI_ASSERT(pccart->tui, pccart_keys(pccart, "n"));
  pccart_quit(pccart);
}

static void test_checkout_cut_off_is_settled_at_next_start(void **state) {
  Fixture *f = *state;
  Pccart *pccart = start(f);
  Tui *tui = pccart->tui;
  edit_a_cart(pccart);
  TUI_ASSERT(tui, pccart_keys(pccart, "s"));
  TUI_ASSERT(tui, tui_wait_for(tui, pccart_status_says, " saved", "the status bar saying saved"));
  assert_true(sandbox_fault_arm(pccart->http, "{\"match\":\"carts.checkout\",\"kind\":\"hold\"}") >
              0);
  TUI_ASSERT(tui, pccart_keys(pccart, "C"));
  tui_assert_text(tui, "Order groups");
  tui_assert_send(tui, "y");
  assert_true(sandbox_wait_held(pccart->http, 1));
  end_with_signal(pccart, SIGKILL, 128 + SIGKILL);
  /* The held checkout is carried out after all. */
  assert_int_equal(sandbox_release(f->http), 1);
  long orders = sandbox_wait_count(f->http, "orders", 1);
  assert_true(orders >= 1);

  /* The next start settles it with the same MS-RequestId, orders nothing more, and says so. */
  pccart = start(f);
  tui = pccart->tui;
  tui_assert_text(tui, "went through");
  tui_assert_idle(tui);
  assert_int_equal(sandbox_control_number(f->http, "status", "orders"), orders);
  assert_int_equal(pccart_request_count(pccart, "carts.checkout"), 2);
  /* The cart it was editing is offered back too; it was saved, so there is nothing to lose. */
  if (tui_screen_contains(tui, "Restore unsaved cart?"))
    TUI_ASSERT(tui, pccart_keys(pccart, "n"));
  pccart_quit(pccart);
}

/* Killed while its first save (a create) is at the service: the next start settles that create
 * (the cart exists), offers the draft back, and saving it again is that same cart, not a
 * second one. */
static void test_killed_mid_create_then_restored_is_one_cart(void **state) {
  Fixture *f = *state;
  Pccart *pccart = start(f);
  Tui *tui = pccart->tui;
  edit_a_cart(pccart);
  assert_true(sandbox_fault_arm(pccart->http, "{\"match\":\"carts.create\",\"kind\":\"hold\"}") >
              0);
  tui_assert_send(tui, "s");
  assert_true(sandbox_wait_held(pccart->http, 1));
  end_with_signal(pccart, SIGKILL, 128 + SIGKILL);
  assert_int_equal(sandbox_release(f->http), 1);
  assert_int_equal(sandbox_wait_count(f->http, "carts", 1), 1);

  pccart = start(f);
  tui = pccart->tui;
  tui_assert_text(tui, "Restore unsaved cart?");
  TUI_ASSERT(tui, pccart_keys(pccart, "<Enter>"));
  tui_assert_text(tui, "went through");
  TUI_ASSERT(tui, pccart_keys(pccart, "s"));
  TUI_ASSERT(tui, tui_wait_for(tui, pccart_status_says, " saved", "the status bar saying saved"));
  assert_int_equal(sandbox_control_number(f->http, "status", "carts"), 1);
  pccart_quit(pccart);
}

static void test_open_offers_recent_carts(void **state) {
  Fixture *f = *state;
  Pccart *pccart = start(f);
  Tui *tui = pccart->tui;
  edit_a_cart(pccart);
  TUI_ASSERT(tui, pccart_keys(pccart, "s"));
  TUI_ASSERT(tui, tui_wait_for(tui, pccart_status_says, " saved", "the status bar saying saved"));
  char id[64];
  const char *status = tui_row(tui, 0);
  const char *at = strstr(status, "  cart ");
  assert_non_null(at);
  snprintf(id, sizeof id, "%.36s", at + strlen("  cart "));
  pccart_quit(pccart);

  /* A fresh start: o lists the cart (no GUID to type); Enter opens it. */
  pccart = start(f);
  tui = pccart->tui;
  TUI_ASSERT(tui, pccart_pick_customer(pccart, "Contoso", "Contoso, Ltd."));
  TUI_ASSERT(tui, pccart_keys(pccart, "o"));
  tui_assert_text(tui, "Open a cart of this customer");
  tui_assert_text(tui, id);
  tui_assert_text(tui, "2 lines");
  tui_assert_text(tui, "Another cart: type its id");
  TUI_ASSERT(tui, pccart_keys(pccart, "<Enter>"));
  tui_assert_text(tui, EXCHANGE_SHOWN);
  assert_non_null(strstr(tui_row(tui, 0), id));
  /* Typing in the list starts the id prompt with what was typed. */
  TUI_ASSERT(tui, pccart_keys(pccart, "o"));
  TUI_ASSERT(tui, pccart_keys(pccart, "1"));
  tui_assert_text(tui, "Open the cart with id");
  TUI_ASSERT(tui, pccart_keys(pccart, "<Esc>"));
  pccart_quit(pccart);
}

/* A damaged state store: the app says which file and what to do, runs without recovery, and
 * leaves the file as it was. */
static void test_damaged_store_is_named_and_left_alone(void **state) {
  Fixture *f = *state;
  char path[200];
  snprintf(path, sizeof path, "%s/.local", f->home);
  mkdir(path, 0700);
  snprintf(path, sizeof path, "%s/.local/state", f->home);
  mkdir(path, 0700);
  snprintf(path, sizeof path, "%s/.local/state/pccart", f->home);
  mkdir(path, 0700);
  snprintf(path, sizeof path, "%s/.local/state/pccart/state.db", f->home);
  FILE *file = fopen(path, "w");
  assert_non_null(file);
  fputs("not a database\n", file);
  fclose(file);
  Pccart *pccart = start(f);
  Tui *tui = pccart->tui;
  tui_assert_text(tui, "is damaged");
  tui_assert_text(tui, "state.db.broken");
  TUI_ASSERT(tui, pccart_pick_customer(pccart, "Contoso", "Contoso, Ltd."));
  pccart_quit(pccart);
  char *text = pccart_read_file(path);
  assert_non_null(text);
  assert_string_equal(text, "not a database\n");
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_killed_app_offers_the_cart_back_line_for_line, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_sigterm_autosaves_and_declining_forgets, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_sighup_autosaves_too, setup, teardown),
      cmocka_unit_test_setup_teardown(test_autosave_waits_its_delay, setup, teardown),
      cmocka_unit_test_setup_teardown(test_checkout_cut_off_is_settled_at_next_start, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_killed_mid_create_then_restored_is_one_cart, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_open_offers_recent_carts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_damaged_store_is_named_and_left_alone, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
