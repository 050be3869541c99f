/* Themes: the shipped files load, NO_COLOR means attributes only, and a wrong theme name or a
 * bad theme file is reported with the file, the line and the setting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ui/ui_internal.h"

static char source_themes[4096];
static char temp_dir[] = "/tmp/pccart-theme-XXXXXX";

static void write_file(const char *name, const char *text) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", temp_dir, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static int group_setup(void **state) {
  (void)state;
  /* The source tree's themes/, found from this file's path (tests/ui/...). */
  snprintf(source_themes, sizeof source_themes, "%s", __FILE__);
  char *cut = strstr(source_themes, "/tests/ui/");
  if (!cut)
    return -1;
  strcpy(cut, "/themes");
  return mkdtemp(temp_dir) ? 0 : -1;
}

static int group_teardown(void **state) {
  (void)state;
  const char *names[] = {"good.cfg", "colour.cfg", "role.cfg",
                         "attr.cfg", "syntax.cfg", "setting.cfg"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", temp_dir, names[i]);
    unlink(path);
  }
  rmdir(temp_dir);
  return 0;
}

static void test_shipped_themes_load(void **state) {
  (void)state;
  setenv("PCCART_THEMES_DIR", source_themes, 1);
  const char *names[] = {"default", "light", "high-contrast", "mono"};
  char err[2048];
  for (size_t i = 0; i < 4; i++) {
    err[0] = '\0';
    if (!theme_load(names[i], false, "/c/config", 4, err, sizeof err))
      fail_msg("%s: %s", names[i], err);
    /* Selection and focus must show without colour too (a word or attribute, not hue). */
    if (strcmp(names[i], "mono") == 0) {
      assert_true(theme_attr(ROLE_SELECTED) & A_REVERSE);
      assert_true(theme_attr(ROLE_TITLE_FOCUSED) & A_BOLD);
      assert_int_equal(theme_attr(ROLE_SELECTED) & A_COLOR, 0);
    }
  }
  /* The default theme when none is named. */
  assert_true(theme_load(NULL, false, NULL, 0, err, sizeof err));
  assert_true(theme_attr(ROLE_SELECTED) & A_BOLD);
}

static void test_no_color_is_mono(void **state) {
  (void)state;
  setenv("PCCART_THEMES_DIR", source_themes, 1);
  char err[2048];
  assert_true(theme_load("light", true, "/c/config", 4, err, sizeof err));
  for (int r = 0; r < ROLE_COUNT; r++)
    assert_int_equal(theme_attr((ThemeRole)r) & A_COLOR, 0);
  assert_true(theme_attr(ROLE_SELECTED) & A_REVERSE);
  assert_true(theme_attr(ROLE_ERROR) & A_BOLD);
}

static void test_unknown_theme(void **state) {
  (void)state;
  setenv("PCCART_THEMES_DIR", source_themes, 1);
  char err[2048];
  assert_false(
      theme_load("solarized", false, "/home/ann/.config/pccart/config", 12, err, sizeof err));
  assert_string_equal(err, "/home/ann/.config/pccart/config:12: ui.theme: unknown theme "
                           "\"solarized\"; themes are default, high-contrast, light, mono");
  /* A name is a name, not a path. */
  assert_false(theme_load("../themes/default", false, "/c", 3, err, sizeof err));
  assert_non_null(strstr(err, "/c:3: ui.theme: unknown theme \"../themes/default\""));
}

static void test_bad_theme_files(void **state) {
  (void)state;
  setenv("PCCART_THEMES_DIR", temp_dir, 1);
  char err[2048], expected[4400];
  write_file("good.cfg",
             "normal = { fg = \"white\"; };\n"
             "selected = { fg = \"color17\"; bg = 4; attrs = [\"bold\", \"underline\"]; };\n");
  assert_true(theme_load("good", false, "/c", 1, err, sizeof err));
  assert_int_equal(theme_attr(ROLE_SELECTED) & (A_BOLD | A_UNDERLINE), A_BOLD | A_UNDERLINE);
  /* A role the file leaves out looks like normal. */
  assert_int_equal(theme_attr(ROLE_DIM), theme_attr(ROLE_NORMAL));

  write_file("colour.cfg", "normal = { };\ntitle = {\n  fg = \"purplish\";\n};\n");
  assert_false(theme_load("colour", false, "/c/config", 5, err, sizeof err));
  snprintf(expected, sizeof expected,
           "/c/config:5: ui.theme: theme \"colour\" is bad: %s/colour.cfg:3: title.fg: unknown "
           "colour \"purplish\"; colours are default, black,",
           temp_dir);
  assert_memory_equal(err, expected, strlen(expected));

  write_file("role.cfg", "normal = { };\ntitel = { fg = \"red\"; };\n");
  assert_false(theme_load("role", false, "/c/config", 5, err, sizeof err));
  snprintf(expected, sizeof expected, "%s/role.cfg:2: titel: unknown role; roles are normal, dim,",
           temp_dir);
  assert_non_null(strstr(err, expected));

  write_file("attr.cfg", "error = { attrs = [\"bold\", \"shiny\"]; };\n");
  assert_false(theme_load("attr", false, "/c/config", 5, err, sizeof err));
  snprintf(expected, sizeof expected, "%s/attr.cfg:1: error.attrs: unknown attribute \"shiny\"",
           temp_dir);
  assert_non_null(strstr(err, expected));

  write_file("setting.cfg", "error = { colour = \"red\"; };\n");
  assert_false(theme_load("setting", false, "/c/config", 5, err, sizeof err));
  snprintf(expected, sizeof expected,
           "%s/setting.cfg:1: error.colour: unknown setting; a role has fg, bg and attrs",
           temp_dir);
  assert_non_null(strstr(err, expected));

  write_file("syntax.cfg", "normal = { fg = \"red\"; }\n\nerror = { fg = ; };\n");
  assert_false(theme_load("syntax", false, "/c/config", 5, err, sizeof err));
  snprintf(expected, sizeof expected, "%s/syntax.cfg:3: ", temp_dir);
  assert_non_null(strstr(err, expected));

  /* After a failure the theme in use is unchanged (still "good"). */
  assert_int_equal(theme_attr(ROLE_SELECTED) & (A_BOLD | A_UNDERLINE), A_BOLD | A_UNDERLINE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shipped_themes_load),
      cmocka_unit_test(test_no_color_is_mono),
      cmocka_unit_test(test_unknown_theme),
      cmocka_unit_test(test_bad_theme_files),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
