/* Widgets without a terminal: text widths (CJK, combining marks, control characters), drawing
 * cut to a width with "…" on a curses screen kept in memory (newterm on /dev/null), the text
 * field's editing keys, and the list cursor. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ui/ui_internal.h"

static SCREEN *screen;
static FILE *out_file, *in_file;

static int curses_setup(void **state) {
  (void)state;
  if (!setlocale(LC_ALL, "C.UTF-8"))
    return -1;
  setenv("TERM", "xterm-256color", 1);
  out_file = fopen("/dev/null", "w");
  in_file = fopen("/dev/null", "r");
  if (!out_file || !in_file)
    return -1;
  screen = newterm(NULL, out_file, in_file);
  return screen ? 0 : -1;
}

static int curses_teardown(void **state) {
  (void)state;
  endwin();
  delscreen(screen);
  fclose(out_file);
  fclose(in_file);
  return 0;
}

/* The row as wide characters (trailing blanks trimmed) converted to UTF-8. */
static void row_text(WINDOW *win, int y, char *buf, size_t size) {
  wchar_t wide[256];
  int n = mvwinnwstr(win, y, 0, wide, 255);
  assert_true(n >= 0);
  wide[n] = L'\0';
  size_t len = wcslen(wide);
  while (len > 0 && wide[len - 1] == L' ')
    wide[--len] = L'\0';
  size_t bytes = wcstombs(buf, wide, size);
  assert_true(bytes != (size_t)-1);
}

static void test_text_width(void **state) {
  (void)state;
  assert_int_equal(text_width(""), 0);
  assert_int_equal(text_width("abc"), 3);
  assert_int_equal(text_width("作者 Ltd"), 8);
  assert_int_equal(text_width("Müller"), 6);
  assert_int_equal(text_width("e\xcc\x81"), 1); /* e + combining acute */
  /* Control characters would move the cursor: each shows as one '?'. */
  assert_int_equal(text_width("\x1b[31m"), 5);
  assert_int_equal(text_width("a\tb"), 3);
  /* A broken UTF-8 byte still takes a column (shown as a replacement). */
  assert_int_equal(text_width("a\xff"), 2);
}

static void test_draw_text_cuts_by_columns(void **state) {
  (void)state;
  WINDOW *win = newwin(4, 20, 0, 0);
  assert_non_null(win);
  char row[512];
  /* Fits: drawn whole, columns returned. */
  assert_int_equal(draw_text(win, 0, 0, 20, "作者 Ltd", ROLE_NORMAL), 8);
  row_text(win, 0, row, sizeof row);
  assert_string_equal(row, "作者 Ltd");
  /* 12 columns into 7: three CJK characters (6) and the ellipsis. */
  assert_int_equal(draw_text(win, 1, 0, 7, "作者作者作者", ROLE_NORMAL), 7);
  row_text(win, 1, row, sizeof row);
  assert_string_equal(row, "作者作…");
  /* 8 columns into 6: a double-width character never straddles the ellipsis. */
  assert_int_equal(draw_text(win, 2, 0, 6, "作者作者", ROLE_NORMAL), 5);
  row_text(win, 2, row, sizeof row);
  assert_string_equal(row, "作者…");
  /* Control characters reach the screen as '?'. */
  werase(win);
  assert_int_equal(draw_text(win, 3, 0, 20, "a\x1b[2Jb", ROLE_NORMAL), 6);
  row_text(win, 3, row, sizeof row);
  assert_string_equal(row, "a?[2Jb");
  /* Exactly the width: no ellipsis. */
  assert_int_equal(draw_text(win, 0, 0, 3, "abc", ROLE_NORMAL), 3);
  assert_int_equal(draw_text(win, 0, 0, 0, "abc", ROLE_NORMAL), 0);
  /* The role's attributes are on the cells. */
  theme_load("mono", true, NULL, 0, row, sizeof row);
  werase(win);
  draw_text(win, 0, 0, 10, "sel", ROLE_SELECTED);
  assert_true((mvwinch(win, 0, 0) & A_REVERSE) != 0);
  assert_true((mvwinch(win, 0, 5) & A_REVERSE) == 0);
  delwin(win);
}

static void type(TextField *field, const wchar_t *text) {
  for (const wchar_t *p = text; *p; p++)
    assert_int_equal(text_field_key(field, (wint_t)*p, false), UI_HANDLED | UI_REDRAW);
}

static void test_text_field_editing(void **state) {
  (void)state;
  TextField field;
  char buf[256];
  text_field_set(&field, "Contoso");
  assert_int_equal(field.length, 7);
  assert_int_equal(field.cursor, 7);
  type(&field, L" 作者");
  assert_true(text_field_utf8(&field, buf, sizeof buf));
  assert_string_equal(buf, "Contoso 作者");
  assert_int_equal(text_field_key(&field, KEY_BACKSPACE, true), UI_HANDLED | UI_REDRAW);
  assert_int_equal(text_field_key(&field, KEY_HOME, true), UI_HANDLED | UI_REDRAW);
  assert_int_equal(text_field_key(&field, KEY_DC, true), UI_HANDLED | UI_REDRAW);
  type(&field, L"K");
  text_field_utf8(&field, buf, sizeof buf);
  assert_string_equal(buf, "Kontoso 作");
  assert_int_equal(field.cursor, 1);
  /* C-e, C-w deletes the word before the cursor (and the blanks after it). */
  text_field_key(&field, 0x05, false);
  assert_int_equal(field.cursor, field.length);
  text_field_key(&field, 0x17, false);
  text_field_utf8(&field, buf, sizeof buf);
  assert_string_equal(buf, "Kontoso ");
  text_field_key(&field, 0x17, false);
  text_field_utf8(&field, buf, sizeof buf);
  assert_string_equal(buf, "");
  /* Left/Right stop at the ends; DEL (0x7f) is Backspace. */
  type(&field, L"ab");
  text_field_key(&field, KEY_LEFT, true);
  text_field_key(&field, KEY_LEFT, true);
  text_field_key(&field, KEY_LEFT, true);
  assert_int_equal(field.cursor, 0);
  assert_int_equal(text_field_key(&field, KEY_BACKSPACE, true), UI_HANDLED);
  text_field_key(&field, KEY_END, true);
  text_field_key(&field, 0x7f, false);
  text_field_utf8(&field, buf, sizeof buf);
  assert_string_equal(buf, "a");
  /* C-u clears. */
  text_field_key(&field, 0x15, false);
  assert_int_equal(field.length, 0);
  /* Keys that are not the field's go back to the caller. */
  assert_int_equal(text_field_key(&field, L'\n', false), UI_UNHANDLED);
  assert_int_equal(text_field_key(&field, L'\t', false), UI_UNHANDLED);
  assert_int_equal(text_field_key(&field, 27, false), UI_UNHANDLED);
  assert_int_equal(text_field_key(&field, KEY_UP, true), UI_UNHANDLED);
  assert_int_equal(text_field_key(&field, KEY_F(4), true), UI_UNHANDLED);
  /* Full: typed keys are still the field's (never actions), nothing is added. */
  for (int i = 0; i < 300; i++)
    assert_true(text_field_key(&field, L'x', false) & UI_HANDLED);
  assert_int_equal(field.length, 255);
  /* A buffer too small for the text says so. */
  assert_false(text_field_utf8(&field, buf, 10));
  /* Control characters in a set value are dropped (one line). */
  text_field_set(&field, "a\nb\x1b");
  text_field_utf8(&field, buf, sizeof buf);
  assert_string_equal(buf, "ab");
}

static void test_text_field_draw_keeps_cursor_visible(void **state) {
  (void)state;
  WINDOW *win = newwin(1, 12, 0, 0);
  TextField field;
  text_field_set(&field, "abcdefghijklmnopqrstuvwxyz");
  text_field_draw(win, 0, 0, 10, &field, true);
  char row[128];
  row_text(win, 0, row, sizeof row);
  /* The cursor is at the end: the last characters show, with a blank for the cursor. */
  assert_string_equal(row, "rstuvwxyz");
  assert_true((mvwinch(win, 0, 9) & A_REVERSE) != 0);
  text_field_key(&field, KEY_HOME, true);
  werase(win);
  text_field_draw(win, 0, 0, 10, &field, true);
  row_text(win, 0, row, sizeof row);
  assert_string_equal(row, "abcdefghij");
  assert_true((mvwinch(win, 0, 0) & A_REVERSE) != 0);
  delwin(win);
}

static void test_list_view(void **state) {
  (void)state;
  ListView view = {0, -1};
  list_view_move(&view, 1, 0, 5);
  assert_int_equal(view.selected, -1);
  list_view_move(&view, 1, 10, 5);
  assert_int_equal(view.selected, 0);
  list_view_move(&view, 6, 10, 5);
  assert_int_equal(view.selected, 6);
  assert_int_equal(view.top, 2);
  list_view_move(&view, 100, 10, 5);
  assert_int_equal(view.selected, 9);
  assert_int_equal(view.top, 5);
  list_view_move(&view, -4, 10, 5);
  assert_int_equal(view.selected, 5);
  assert_int_equal(view.top, 5);
  list_view_move(&view, -1, 10, 5);
  assert_int_equal(view.selected, 4);
  assert_int_equal(view.top, 4);
  list_view_set(&view, 2, 3, 5);
  assert_int_equal(view.selected, 2);
  assert_int_equal(view.top, 0);
  list_view_set(&view, 7, 0, 5);
  assert_int_equal(view.selected, -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_text_width),
      cmocka_unit_test(test_draw_text_cuts_by_columns),
      cmocka_unit_test(test_text_field_editing),
      cmocka_unit_test(test_text_field_draw_keeps_cursor_visible),
      cmocka_unit_test(test_list_view),
  };
  return cmocka_run_group_tests(tests, curses_setup, curses_teardown);
}
