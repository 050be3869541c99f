/* How pccart presents itself on a pseudo-terminal: a LIVE profile (kind "live" pointing at the
 * test's loopback sandbox, its secret in the environment) says LIVE and never SANDBOX; each
 * shipped theme loads and colours the status bar its way, a bad theme name stops with the file
 * and line; with ui.mouse a click selects a customer and the wheel scrolls (xterm SGR reports). */
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

/* ----- LIVE ----- */

static void test_live_profile_says_live(void **state) {
  (void)state;
  Pccart *pccart = start(&(PccartOptions){.live = true, .cols = 160});
  Tui *tui = pccart->tui;
  /* It authenticated with the secret from the environment and listed the customers. */
  assert_true(pccart_request_count(pccart, "token") >= 1);
  assert_true(pccart_request_count(pccart, "customers.list") >= 1);
  const char *status = tui_row(tui, 0);
  assert_non_null(strstr(status, "contoso"));
  assert_non_null(strstr(status, "LIVE"));
  assert_null(strstr(status, "SANDBOX"));
  /* The badge stands out: not the status bar's own colours, and bold. */
  int x = (int)(strstr(status, "LIVE") - status);
  TuiAttrs badge = tui_cell_attrs(tui, 0, x);
  TuiAttrs bar = tui_cell_attrs(tui, 0, 1);
  assert_true(badge.bold);
  assert_false(badge.bg_default);
  assert_int_not_equal(badge.bg_index, bar.bg_index);
  /* Through a whole save, the badge stays and the secret never shows. */
  TUI_ASSERT(tui, pccart_pick_customer(pccart, "Contoso", "Contoso, Ltd."));
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "Business Basic", "Business Basic", NULL));
  TUI_ASSERT(tui, pccart_form_submit(pccart));
  TUI_ASSERT(tui, pccart_keys(pccart, "s"));
  TUI_ASSERT(tui, tui_wait_for(tui, pccart_status_says, " saved", "the status bar saying saved"));
  tui_assert_idle(tui);
  assert_non_null(strstr(tui_row(tui, 0), "LIVE"));
  assert_false(tui_screen_contains(tui, "SANDBOX"));
  assert_false(tui_screen_contains(tui, PCCART_LIVE_SECRET));
  /* Help and the preview do not say SANDBOX either. */
  TUI_ASSERT(tui, pccart_keys(pccart, "p"));
  assert_false(tui_screen_contains(tui, "SANDBOX"));
  assert_false(tui_screen_contains(tui, PCCART_LIVE_SECRET));
  pccart_quit(pccart);
}

/* The same configuration under NO_COLOR: still LIVE, by the word and an attribute. */
static void test_live_profile_without_colour(void **state) {
  (void)state;
  const char *env[] = {"NO_COLOR=1", NULL};
  Pccart *pccart = start(&(PccartOptions){.live = true, .env = env});
  Tui *tui = pccart->tui;
  const char *status = tui_row(tui, 0);
  assert_non_null(strstr(status, "LIVE"));
  assert_null(strstr(status, "SANDBOX"));
  int x = (int)(strstr(status, "LIVE") - status);
  TuiAttrs badge = tui_cell_attrs(tui, 0, x);
  assert_true(badge.bold || badge.underline || badge.reverse);
  assert_int_equal(tui_count_coloured_cells(tui, NULL, NULL), 0);
  pccart_quit(pccart);
}

/* ----- themes ----- */

typedef struct ThemeCase {
  const char *name;
  int status_bg; /* the status bar's background index; -1: the default colours, reversed */
} ThemeCase;

static void check_theme(const ThemeCase *theme) {
  char extra[128] = "";
  if (theme->name)
    snprintf(extra, sizeof extra, "ui = {\n  theme = \"%s\";\n};\n", theme->name);
  Pccart *pccart = start(&(PccartOptions){.config_extra = extra});
  Tui *tui = pccart->tui;
  assert_non_null(strstr(tui_row(tui, 0), "SANDBOX"));
  TuiAttrs bar = tui_cell_attrs(tui, 0, 1);
  long coloured = tui_count_coloured_cells(tui, NULL, NULL);
  if (theme->status_bg < 0) {
    if (coloured != 0 || !bar.reverse) {
      tui_dump(tui, theme->name);
      fail_msg("theme %s: %ld coloured cells, status bar reverse %d", theme->name, coloured,
               bar.reverse);
    }
  } else if (coloured == 0 || bar.bg_index != theme->status_bg) {
    tui_dump(tui, theme->name);
    fail_msg("theme %s: status bar background %d (wanted %d), %ld coloured cells",
             theme->name ? theme->name : "(none)", bar.bg_index, theme->status_bg, coloured);
  }
  /* The selected customer stands out in every theme. */
  int row = tui_find_row(tui, "Contoso, Ltd.");
  assert_true(row >= 0);
  assert_string_equal(tui_cell_attrs(tui, row, 1).text, ">");
  pccart_quit(pccart);
}

static void test_each_theme_loads(void **state) {
  (void)state;
  /* The status bar's background from each file (themes/NAME.cfg). */
  static const ThemeCase themes[] = {
      {NULL, 4},             /* the default: blue */
      {"default", 4},        /* named */
      {"light", 153},        /* color153 */
      {"high-contrast", 15}, /* bright-white */
      {"mono", -1},          /* attributes only */
  };
  for (size_t i = 0; i < sizeof themes / sizeof themes[0]; i++)
    check_theme(&themes[i]);
}

static void test_bad_theme_name(void **state) {
  (void)state;
  /* Line 7 of the file names a theme that does not exist. */
  Pccart *pccart = start(
      &(PccartOptions){.config_extra = "ui = {\n  theme = \"solarized\";\n};\n", .no_wait = true});
  Tui *tui = pccart->tui;
  int status = -1;
  TUI_ASSERT(tui, tui_wait_exit(tui, &status));
  assert_int_equal(status, 3);
  char expected[700];
  snprintf(expected, sizeof expected, "%s:7: ui.theme: unknown theme \"solarized\"; themes are",
           tui_config_path(tui));
  char *screen = tui_screen_text(tui);
  assert_non_null(screen);
  /* The message may wrap: compare with the rows joined. */
  size_t n = 0;
  for (const char *p = screen; *p; p++)
    if (*p != '\n')
      screen[n++] = *p;
  screen[n] = '\0';
  if (!strstr(screen, expected) || !strstr(screen, "high-contrast")) {
    tui_dump(tui, "bad theme");
    fail_msg("no \"%s\" (and the list of themes) on the screen", expected);
  }
  free(screen);
  assert_int_equal(pccart_stop(pccart), 3);
}

/* ----- mouse ----- */

/* The customer row marked selected (">" in the list's first column), or -1. */
static int selected_row(Tui *tui) {
  int rows, cols;
  tui_size(tui, &rows, &cols);
  for (int y = 1; y < rows - 1; y++)
    if (strcmp(tui_cell_attrs(tui, y, 1).text, ">") == 0)
      return y;
  return -1;
}

typedef struct RowIs {
  int row;
} RowIs;

static bool selection_on(Tui *tui, const void *arg) {
  return selected_row(tui) == ((const RowIs *)arg)->row;
}

static void test_mouse_click_and_wheel(void **state) {
  (void)state;
  Pccart *pccart = start(&(PccartOptions){.config_extra = "ui = {\n  mouse = true;\n};\n"});
  Tui *tui = pccart->tui;
  int first = tui_find_row(tui, "Contoso, Ltd.");
  int fabrikam = tui_find_row(tui, "Fabrikam, Inc.");
  assert_true(first > 0);
  assert_int_equal(fabrikam, first + 1);
  assert_int_equal(selected_row(tui), first);

  /* A click on Fabrikam's row selects it (and does not pick it). */
  TUI_ASSERT(tui, tui_click(tui, fabrikam, 10));
  TUI_ASSERT(tui, tui_wait_for(tui, selection_on, &(RowIs){fabrikam}, "Fabrikam selected"));
  tui_assert_idle(tui);
  assert_non_null(strstr(tui_row(tui, 0), "no customer"));

  /* The wheel moves the selection three rows at a time, down then up. */
  TUI_ASSERT(tui, tui_wheel(tui, fabrikam, 10, false));
  TUI_ASSERT(tui, tui_wait_for(tui, selection_on, &(RowIs){fabrikam + 3}, "three rows down"));
  TUI_ASSERT(tui, tui_wheel(tui, fabrikam, 10, true));
  TUI_ASSERT(tui, tui_wait_for(tui, selection_on, &(RowIs){fabrikam}, "three rows up"));
  tui_assert_idle(tui);

  /* Enter picks what the mouse selected. */
  TUI_ASSERT(tui, pccart_keys(pccart, "<Enter>"));
  TUI_ASSERT(tui, tui_wait_for(tui, pccart_status_says, "Fabrikam, Inc.", "Fabrikam picked"));

  /* A click on the customer list takes the focus back from the cart (the filter line's title
   * is framed when focused: "[ Customers"), and a click on a row selects there. */
  assert_false(tui_screen_contains(tui, "[ Customers"));
  int rows, cols;
  tui_size(tui, &rows, &cols);
  TUI_ASSERT(tui, tui_click(tui, first, 10));
  TUI_ASSERT(tui, tui_wait_for(tui, selection_on, &(RowIs){first}, "Contoso selected"));
  tui_assert_idle(tui);
  tui_assert_text(tui, "[ Customers");
  /* The selection moved, the cart still belongs to Fabrikam. */
  assert_non_null(strstr(tui_row(tui, 0), "Fabrikam, Inc."));
  pccart_quit(pccart);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_live_profile_says_live),
      cmocka_unit_test(test_live_profile_without_colour),
      cmocka_unit_test(test_each_theme_loads),
      cmocka_unit_test(test_bad_theme_name),
      cmocka_unit_test(test_mouse_click_and_wheel),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
