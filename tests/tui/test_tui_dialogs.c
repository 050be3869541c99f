/* The questions pccart asks on a pseudo-terminal, and what each answer does: quitting with
 * unsaved changes (default No: Enter and Esc keep the app, y quits), duplicating, deleting
 * (default No) and clearing (default No) lines, and abandoning a changed line form. What the
 * cart holds afterwards is read from the body the sandbox receives on save. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui_pccart.h"

#ifndef PCC_PCCART_BIN
#define PCC_PCCART_BIN NULL
#endif

#define BASIC "Microsoft 365 Business Basic"
#define EXCHANGE "Exchange Online (Plan 1)"

static Pccart *start(const PccartOptions *options) {
  return pccart_start_or_fail(PCC_PCCART_BIN, options);
}

/* Contoso picked, one Business Basic line in the cart (unsaved). */
static Pccart *start_with_a_line(void) {
  Pccart *pccart = start(&(PccartOptions){.cols = 160});
  Tui *tui = pccart->tui;
  TUI_ASSERT(tui, pccart_pick_customer(pccart, "Contoso", "Contoso, Ltd."));
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "Business Basic", "Business Basic", NULL));
  TUI_ASSERT(tui, pccart_form_submit(pccart));
  tui_assert_text(tui, "Cart (1 line)");
  assert_non_null(strstr(tui_row(tui, 0), "*unsaved"));
  return pccart;
}

/* The question is on the screen with No as its default. */
static void assert_question(Tui *tui, const char *title, const char *body) {
  tui_assert_text(tui, title);
  tui_assert_text(tui, body);
  tui_assert_text(tui, "[y]es   [N]o (Enter, Esc)");
}

static void assert_no_question(Tui *tui, const char *title) {
  TUI_ASSERT(tui, tui_wait_text_gone(tui, "[y]es   [N]o (Enter, Esc)"));
  assert_false(tui_screen_contains(tui, title));
}

/* The app still answers keys: help opens and closes. */
static void assert_running(Pccart *pccart) {
  Tui *tui = pccart->tui;
  TUI_ASSERT(tui, pccart_keys(pccart, "?"));
  tui_assert_text(tui, "Move down");
  TUI_ASSERT(tui, pccart_keys(pccart, "<Esc>"));
  TUI_ASSERT(tui, tui_wait_text_gone(tui, "Move down"));
}

/* Saves and returns the body of the request that did it (create or update), parsed. */
static cJSON *save_and_read(Pccart *pccart, const char *op, int expected_count) {
  Tui *tui = pccart->tui;
  TUI_ASSERT(tui, pccart_keys(pccart, "s"));
  TUI_ASSERT(tui, tui_wait_for(tui, pccart_status_says, " saved", "the status bar saying saved"));
  tui_assert_idle(tui);
  int count = 0;
  char *sent = pccart_last_request_body(pccart, op, &count);
  assert_int_equal(count, expected_count);
  assert_non_null(sent);
  cJSON *body = cJSON_Parse(sent);
  free(sent);
  assert_non_null(body);
  return body;
}

static void test_quit_with_unsaved_changes_asks(void **state) {
  (void)state;
  Pccart *pccart = start_with_a_line();
  Tui *tui = pccart->tui;
  const char *body = "The cart has unsaved changes. They stay autosaved";

  /* Enter takes the default: No. */
  TUI_ASSERT(tui, pccart_keys(pccart, "q"));
  assert_question(tui, "Quit?", body);
  TUI_ASSERT(tui, pccart_keys(pccart, "<Enter>"));
  assert_no_question(tui, "Quit?");
  assert_running(pccart);
  assert_non_null(strstr(tui_row(tui, 0), "*unsaved"));

  /* Esc: No. */
  TUI_ASSERT(tui, pccart_keys(pccart, "q"));
  assert_question(tui, "Quit?", body);
  TUI_ASSERT(tui, pccart_keys(pccart, "<Esc>"));
  assert_no_question(tui, "Quit?");
  assert_running(pccart);

  /* n: No; another q on the open question does not stack a second one. */
  TUI_ASSERT(tui, pccart_keys(pccart, "q"));
  TUI_ASSERT(tui, pccart_keys(pccart, "q"));
  assert_question(tui, "Quit?", body);
  TUI_ASSERT(tui, pccart_keys(pccart, "n"));
  assert_no_question(tui, "Quit?");
  assert_running(pccart);

  /* C-c asks the same question. */
  TUI_ASSERT(tui, pccart_keys(pccart, "<C-c>"));
  assert_question(tui, "Quit?", body);
  TUI_ASSERT(tui, pccart_keys(pccart, "<Esc>"));
  assert_no_question(tui, "Quit?");

  /* y quits, with status 0, and nothing was sent to Partner Center. */
  TUI_ASSERT(tui, pccart_keys(pccart, "q"));
  assert_question(tui, "Quit?", body);
  tui_assert_send(tui, "y");
  int status = -1;
  TUI_ASSERT(tui, tui_wait_exit(tui, &status));
  assert_int_equal(status, 0);
  assert_int_equal(pccart_request_count(pccart, "carts.create"), 0);
  assert_int_equal(pccart_stop(pccart), 0);
}

/* Once saved there is nothing to lose: q quits without a question. */
static void test_quit_after_save_does_not_ask(void **state) {
  (void)state;
  Pccart *pccart = start_with_a_line();
  Tui *tui = pccart->tui;
  cJSON_Delete(save_and_read(pccart, "carts.create", 1));
  assert_null(strstr(tui_row(tui, 0), "*unsaved"));
  tui_assert_send(tui, "q");
  int status = -1;
  TUI_ASSERT(tui, tui_wait_exit(tui, &status));
  assert_int_equal(status, 0);
  pccart_stop(pccart);
}

static void test_duplicate_delete_clear(void **state) {
  (void)state;
  Pccart *pccart = start_with_a_line();
  Tui *tui = pccart->tui;
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "Exchange Online", "Plan 1", NULL));
  TUI_ASSERT(tui, pccart_form_submit(pccart));
  tui_assert_text(tui, "Cart (2 lines)");

  /* D on the first line: its copy comes right after it. */
  TUI_ASSERT(tui, pccart_keys(pccart, "g"));
  TUI_ASSERT(tui, pccart_keys(pccart, "D"));
  tui_assert_text(tui, "Cart (3 lines)");
  tui_assert_text(tui, "Line 1 duplicated as line 2.");

  /* d on the copy (selected): the question names the line; Enter and Esc keep it. */
  /* (The question wraps after this.) */
  const char *question = "Delete line 2, " BASIC " (quantity 1)";
  TUI_ASSERT(tui, pccart_keys(pccart, "d"));
  assert_question(tui, "Delete line", question);
  TUI_ASSERT(tui, pccart_keys(pccart, "<Enter>"));
  assert_no_question(tui, "Delete line");
  assert_true(tui_screen_contains(tui, "Cart (3 lines)"));
  TUI_ASSERT(tui, pccart_keys(pccart, "d"));
  assert_question(tui, "Delete line", question);
  TUI_ASSERT(tui, pccart_keys(pccart, "<Esc>"));
  assert_no_question(tui, "Delete line");
  assert_true(tui_screen_contains(tui, "Cart (3 lines)"));

  /* The cart as it stands goes out on save: Basic, its copy, Exchange. */
  cJSON *body = save_and_read(pccart, "carts.create", 1);
  assert_int_equal(json_count_at(body, "lineItems"), 3);
  const char *basic = json_str_at(body, "lineItems.0.catalogItemId");
  const char *exchange = json_str_at(body, "lineItems.2.catalogItemId");
  assert_non_null(basic);
  assert_non_null(exchange);
  assert_string_equal(json_str_at(body, "lineItems.1.catalogItemId"), basic);
  assert_string_not_equal(basic, exchange);
  char *exchange_id = strdup(exchange);
  assert_non_null(exchange_id);
  cJSON_Delete(body);

  /* y deletes the copy; the update sends the two lines left. */
  TUI_ASSERT(tui, pccart_keys(pccart, "d"));
  assert_question(tui, "Delete line", question);
  TUI_ASSERT(tui, pccart_keys(pccart, "y"));
  tui_assert_text(tui, "Cart (2 lines)");
  tui_assert_text(tui, "Line 2 deleted.");
  assert_non_null(strstr(tui_row(tui, 0), "*unsaved"));
  body = save_and_read(pccart, "carts.update", 1);
  assert_int_equal(json_count_at(body, "lineItems"), 2);
  assert_string_equal(json_str_at(body, "lineItems.1.catalogItemId"), exchange_id);
  free(exchange_id);
  cJSON_Delete(body);

  /* X asks to clear (default No): Enter and Esc keep the lines, y removes them all. */
  TUI_ASSERT(tui, pccart_keys(pccart, "X"));
  assert_question(tui, "Clear the cart", "Remove all 2 lines from the cart?");
  TUI_ASSERT(tui, pccart_keys(pccart, "<Enter>"));
  assert_no_question(tui, "Clear the cart");
  assert_true(tui_screen_contains(tui, "Cart (2 lines)"));
  TUI_ASSERT(tui, pccart_keys(pccart, "X"));
  assert_question(tui, "Clear the cart", "Remove all 2 lines from the cart?");
  TUI_ASSERT(tui, pccart_keys(pccart, "<Esc>"));
  assert_no_question(tui, "Clear the cart");
  assert_true(tui_screen_contains(tui, "Cart (2 lines)"));
  TUI_ASSERT(tui, pccart_keys(pccart, "X"));
  TUI_ASSERT(tui, pccart_keys(pccart, "y"));
  tui_assert_text(tui, "The cart is empty: press a to add a line");
  tui_assert_text(tui, "Every line removed.");
  assert_false(tui_screen_contains(tui, "Cart (")); /* the title has no count */
  assert_non_null(strstr(tui_row(tui, 0), "*unsaved"));
  /* With no line there is nothing to delete, duplicate or clear: no question. */
  TUI_ASSERT(tui, pccart_keys(pccart, "d"));
  assert_false(tui_screen_contains(tui, "[y]es"));
  TUI_ASSERT(tui, pccart_keys(pccart, "X"));
  assert_false(tui_screen_contains(tui, "[y]es"));
  TUI_ASSERT(tui, pccart_keys(pccart, "D"));
  assert_false(tui_screen_contains(tui, "Cart (2 lines)"));
  pccart_stop(pccart);
}

static void test_form_esc_asks_when_changed(void **state) {
  (void)state;
  Pccart *pccart = start(NULL);
  Tui *tui = pccart->tui;
  TUI_ASSERT(tui, pccart_pick_customer(pccart, "Contoso", "Contoso, Ltd."));

  /* Nothing changed: Esc closes the form at once. */
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "Business Basic", "Business Basic", NULL));
  TUI_ASSERT(tui, pccart_keys(pccart, "<Esc>"));
  TUI_ASSERT(tui, tui_wait_text_gone(tui, "New line:"));
  assert_false(tui_screen_contains(tui, "Abandon the line"));
  tui_assert_text(tui, "The cart is empty");

  /* A changed quantity: Esc asks; Enter and Esc answer No and the form keeps the typing. */
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "Business Basic", "Business Basic", NULL));
  TUI_ASSERT(tui, pccart_form_type(pccart, "Quantity", "7"));
  TUI_ASSERT(tui, pccart_keys(pccart, "<Esc>"));
  assert_question(tui, "Abandon the line", "Discard this new line?");
  TUI_ASSERT(tui, pccart_keys(pccart, "<Enter>"));
  assert_no_question(tui, "Abandon the line");
  assert_true(tui_screen_contains(tui, "New line:"));
  TUI_ASSERT(tui, pccart_keys(pccart, "<Esc>"));
  assert_question(tui, "Abandon the line", "Discard this new line?");
  TUI_ASSERT(tui, pccart_keys(pccart, "<Esc>"));
  assert_no_question(tui, "Abandon the line");
  assert_true(tui_screen_contains(tui, "New line:"));
  /* Keys typed into the question are not typed into the field. */
  TUI_ASSERT(tui, pccart_keys(pccart, "<Esc>"));
  TUI_ASSERT(tui, pccart_keys(pccart, "5"));
  assert_question(tui, "Abandon the line", "Discard this new line?");
  TUI_ASSERT(tui, pccart_keys(pccart, "n"));
  assert_no_question(tui, "Abandon the line");
  /* Submitting now adds the line with the quantity typed before the questions. */
  TUI_ASSERT(tui, pccart_form_submit(pccart));
  tui_assert_text(tui, "Cart (1 line)");
  tui_assert_text(tui, "quantity 7");

  /* y abandons: no second line. */
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "Exchange Online", "Plan 1", NULL));
  TUI_ASSERT(tui, pccart_form_type(pccart, "Quantity", "3"));
  TUI_ASSERT(tui, pccart_keys(pccart, "<Esc>"));
  assert_question(tui, "Abandon the line", "Discard this new line?");
  TUI_ASSERT(tui, pccart_keys(pccart, "y"));
  TUI_ASSERT(tui, tui_wait_text_gone(tui, "New line:"));
  assert_true(tui_screen_contains(tui, "Cart (1 line)"));
  assert_false(tui_screen_contains(tui, EXCHANGE));

  /* Editing a line: Esc after a change asks about "your changes"; y keeps the line as it was. */
  TUI_ASSERT(tui, pccart_keys(pccart, "e"));
  tui_assert_text(tui, "Quantity");
  TUI_ASSERT(tui, pccart_form_type(pccart, "Quantity", "9"));
  TUI_ASSERT(tui, pccart_keys(pccart, "<Esc>"));
  assert_question(tui, "Abandon the line", "Discard your changes to this line?");
  TUI_ASSERT(tui, pccart_keys(pccart, "y"));
  tui_assert_idle(tui);
  cJSON *body = save_and_read(pccart, "carts.create", 1);
  assert_int_equal(json_count_at(body, "lineItems"), 1);
  assert_int_equal((long)json_num_at(body, "lineItems.0.quantity", 0), 7);
  cJSON_Delete(body);
  pccart_stop(pccart);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_quit_with_unsaved_changes_asks),
      cmocka_unit_test(test_quit_after_save_does_not_ask),
      cmocka_unit_test(test_duplicate_delete_clear),
      cmocka_unit_test(test_form_esc_asks_when_changed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
