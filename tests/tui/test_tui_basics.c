/* The real pccart on a pseudo-terminal against a sandbox the test runs: the first screen (the
 * customers and the SANDBOX badge), help, NO_COLOR, resize and "too small", a bad key binding
 * in the configuration, and quitting. */
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

static Pccart *start(const PccartOptions *options) {
  return pccart_start_or_fail(PCC_PCCART_BIN, options);
}

static void test_start_shows_customers_and_sandbox(void **state) {
  (void)state;
  Pccart *pccart = start(NULL);
  Tui *tui = pccart->tui;
  /* The status bar: the profile and the SANDBOX badge, no customer yet. */
  const char *status = tui_row(tui, 0);
  assert_non_null(strstr(status, "class"));
  assert_non_null(strstr(status, "SANDBOX"));
  assert_null(strstr(status, "LIVE"));
  assert_non_null(strstr(status, "no customer"));
  /* The seed's first customers, with domains (cut to the pane's width). */
  TUI_ASSERT(tui, tui_screen_contains(tui, "Contoso, Ltd."));
  TUI_ASSERT(tui, tui_screen_contains(tui, "contoso.onmicro"));
  TUI_ASSERT(tui, tui_screen_contains(tui, "Fabrikam, Inc."));
  TUI_ASSERT(tui, tui_screen_contains(tui, "Müller Präzisionstechni"));
  /* It asked the sandbox for them. */
  assert_true(pccart_request_count(pccart, "customers.list") >= 1);
  /* The key-hint bar (the last row) in short words, not the config names. */
  int rows, cols;
  tui_size(tui, &rows, &cols);
  const char *hints = tui_row(tui, rows - 1);
  if (!strstr(hints, "Enter pick") || !strstr(hints, "a add") || !strstr(hints, "s save") ||
      !strstr(hints, "C check out") || !strstr(hints, "? help") || !strstr(hints, "q quit") ||
      strstr(hints, "add-line") || strstr(hints, "pick-customer")) {
    tui_dump(tui, "hint bar");
    fail_msg("the hint bar reads \"%s\"", hints);
  }
  pccart_quit(pccart);
}

static void test_filter_and_pick(void **state) {
  (void)state;
  Pccart *pccart = start(NULL);
  Tui *tui = pccart->tui;
  TUI_ASSERT(tui, pccart_pick_customer(pccart, "fabri", "Fabrikam, Inc."));
  /* The filter narrowed the list: Contoso is gone from it. */
  assert_false(tui_screen_contains(tui, "Contoso, Ltd."));
  assert_non_null(strstr(tui_row(tui, 0), "Fabrikam, Inc."));
  pccart_quit(pccart);
}

/* Esc leaves the filter without picking: the list stays filtered, no customer is picked, and
 * Enter then picks the selected one. */
static void test_filter_esc_does_not_pick(void **state) {
  (void)state;
  Pccart *pccart = start(NULL);
  Tui *tui = pccart->tui;
  TUI_ASSERT(tui, pccart_keys(pccart, "/"));
  TUI_ASSERT(tui, pccart_keys(pccart, "fabri"));
  tui_assert_text(tui, "Fabrikam, Inc.");
  TUI_ASSERT(tui, pccart_keys(pccart, "<Esc>"));
  tui_assert_text(tui, "filter: fabri");
  assert_non_null(strstr(tui_row(tui, 0), "no customer"));
  assert_false(tui_screen_contains(tui, "Contoso, Ltd."));
  /* Typed keys are actions again: j moves to the second match rather than filtering, and
   * Enter picks that one. */
  TUI_ASSERT(tui, pccart_keys(pccart, "j"));
  assert_true(tui_screen_contains(tui, "filter: fabri"));
  TUI_ASSERT(tui, pccart_keys(pccart, "<Enter>"));
  assert_non_null(strstr(tui_row(tui, 0), "Assurances Fabrikam Paris SARL"));
  pccart_quit(pccart);
}

static void test_help_lists_the_keys(void **state) {
  (void)state;
  Pccart *pccart = start(NULL);
  Tui *tui = pccart->tui;
  TUI_ASSERT(tui, pccart_keys(pccart, "?"));
  /* Generated from the action table: keys and help texts. */
  tui_assert_text(tui, "Move down");
  assert_true(tui_screen_contains(tui, "Move up"));
  int row = tui_find_row(tui, "Move down");
  assert_non_null(strstr(tui_row(tui, row), "Down"));
  assert_non_null(strstr(tui_row(tui, row), "j"));
  /* Esc closes it; the customers are back. */
  TUI_ASSERT(tui, pccart_keys(pccart, "<Esc>"));
  TUI_ASSERT(tui, tui_wait_text_gone(tui, "Move down"));
  TUI_ASSERT(tui, tui_screen_contains(tui, "Contoso, Ltd."));
  pccart_quit(pccart);
}

static void test_no_color(void **state) {
  (void)state;
  /* The default theme colours something (so the check below can fail)... */
  Pccart *pccart = start(NULL);
  assert_true(tui_count_coloured_cells(pccart->tui, NULL, NULL) > 0);
  pccart_quit(pccart);

  /* ...and under NO_COLOR nothing has a colour, while the selected customer still stands out
   * by an attribute. */
  const char *env[] = {"NO_COLOR=1", NULL};
  pccart = start(&(PccartOptions){.env = env});
  Tui *tui = pccart->tui;
  int y = -1, x = -1;
  long coloured = tui_count_coloured_cells(tui, &y, &x);
  if (coloured != 0) {
    tui_dump(tui, "NO_COLOR");
    fail_msg("%ld coloured cells under NO_COLOR, the first at row %d column %d", coloured, y, x);
  }
  int row = tui_find_row(tui, "Contoso, Ltd.");
  assert_true(row >= 0);
  int column = (int)(strstr(tui_row(tui, row), "Contoso") - tui_row(tui, row));
  TuiAttrs selected = tui_cell_attrs(tui, row, column);
  assert_true(selected.reverse || selected.bold || selected.underline);
  TUI_ASSERT(tui, pccart_keys(pccart, "j"));
  assert_int_equal(tui_count_coloured_cells(tui, NULL, NULL), 0);
  pccart_quit(pccart);
}

static void test_resize_and_too_small(void **state) {
  (void)state;
  Pccart *pccart = start(NULL);
  Tui *tui = pccart->tui;
  TUI_ASSERT(tui, tui_resize(tui, 10, 40));
  tui_assert_text(tui, "Terminal too small: 40x10.");
  tui_assert_idle(tui);
  /* Keys do nothing harmful while too small; growing again brings the panes back. */
  TUI_ASSERT(tui, pccart_keys(pccart, "j"));
  TUI_ASSERT(tui, tui_resize(tui, 24, 80));
  TUI_ASSERT(tui, tui_wait_text_gone(tui, "Terminal too small"));
  tui_assert_text(tui, "Contoso, Ltd.");
  tui_assert_idle(tui);
  assert_non_null(strstr(tui_row(tui, 0), "SANDBOX"));
  /* A wider terminal is used: the status bar and the list fill it. */
  TUI_ASSERT(tui, tui_resize(tui, 40, 160));
  tui_assert_idle(tui);
  tui_assert_text(tui, "Contoso, Ltd.");
  assert_non_null(strstr(tui_row(tui, 0), "SANDBOX"));
  pccart_quit(pccart);
}

static void test_bad_key_binding(void **state) {
  (void)state;
  /* Line 7 of the file: the binding names a key that does not exist. */
  Pccart *pccart = start(&(PccartOptions){
      .config_extra = "ui = {\n  keys = { add_line = \"Nope\"; };\n};\n", .no_wait = true});
  Tui *tui = pccart->tui;
  int status = -1;
  TUI_ASSERT(tui, tui_wait_exit(tui, &status));
  assert_int_equal(status, 3);
  char expected[700];
  snprintf(expected, sizeof expected, "%s:7: ui.keys.add_line: unknown key \"Nope\"",
           tui_config_path(tui));
  char *screen = tui_screen_text(tui);
  assert_non_null(screen);
  /* The message may wrap on the 120 columns: compare with the rows joined. */
  char *joined = malloc(strlen(screen) + 1);
  assert_non_null(joined);
  size_t n = 0;
  for (const char *p = screen; *p; p++)
    if (*p != '\n')
      joined[n++] = *p;
  joined[n] = '\0';
  if (!strstr(joined, expected)) {
    tui_dump(tui, "bad key binding");
    fail_msg("no \"%s\" on the screen", expected);
  }
  free(joined);
  free(screen);
  assert_int_equal(pccart_stop(pccart), 3);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_start_shows_customers_and_sandbox),
      cmocka_unit_test(test_filter_and_pick),
      cmocka_unit_test(test_filter_esc_does_not_pick),
      cmocka_unit_test(test_help_lists_the_keys),
      cmocka_unit_test(test_no_color),
      cmocka_unit_test(test_resize_and_too_small),
      cmocka_unit_test(test_bad_key_binding),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
