/* The keymap: the action table's defaults, key names, lookups by context, the config's
 * overrides and their errors (file, line, setting), and the KEYS section (plain and roff). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ui/ui_internal.h"

static Keymap *keymap;

static int setup(void **state) {
  (void)state;
  keymap = keymap_new();
  return keymap ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  keymap_free(keymap);
  keymap = NULL;
  return 0;
}

static void test_defaults_by_context(void **state) {
  (void)state;
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_GLOBAL, L'j', false), ACTION_MOVE_DOWN);
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_GLOBAL, KEY_DOWN, true), ACTION_MOVE_DOWN);
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_GLOBAL, L'?', false), ACTION_HELP);
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_GLOBAL, KEY_F(1), true), ACTION_HELP);
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_GLOBAL, 27, false), ACTION_CANCEL);
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_GLOBAL, KEY_BTAB, true), ACTION_PREVIOUS_PANE);
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_GLOBAL, 6, false), ACTION_PAGE_DOWN);
  /* Enter means something different in each context. */
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_CUSTOMERS, L'\n', false), ACTION_PICK_CUSTOMER);
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_CART, L'\n', false), ACTION_EDIT_LINE);
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_FORM, L'\n', false), ACTION_FORM_ENTER);
  /* As terminals send it: \r and KEY_ENTER are Enter; DEL is Backspace. */
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_CART, L'\r', false), ACTION_EDIT_LINE);
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_CART, KEY_ENTER, true), ACTION_EDIT_LINE);
  /* A pane's context falls back to the global keys... */
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_CUSTOMERS, L'q', false), ACTION_QUIT);
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_CART, L'd', false), ACTION_DELETE_LINE);
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_CUSTOMERS, L'd', false), ACTION_NONE);
  /* ...but forms see only their own keys: letters typed there belong to the field. */
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_FORM, L'q', false), ACTION_NONE);
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_FORM, L'a', false), ACTION_NONE);
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_FORM, L'\t', false), ACTION_FORM_NEXT_FIELD);
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_FORM, 19, false), ACTION_FORM_SUBMIT);
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_FORM, 27, false), ACTION_FORM_ABANDON);
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_FORM, KEY_F(4), true), ACTION_FORM_PICK);
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_GLOBAL, L'x', false), ACTION_NONE);
}

static void test_every_action_has_a_key_and_no_form_key_is_printable(void **state) {
  (void)state;
  for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
    char keys[128];
    keymap_keys_text(keymap, (Action)a, keys, sizeof keys);
    if (keys[0] == '\0')
      fail_msg("action %s has no default key (a bad key name in ui/actions.h?)",
               action_name((Action)a));
    if (action_context((Action)a) == ACTION_CTX_FORM) {
      for (wint_t c = L' '; c < 0x7f; c++)
        if (keymap_lookup(keymap, ACTION_CTX_FORM, c, false) == (Action)a)
          fail_msg("form action %s is bound to printable '%lc'", action_name((Action)a), c);
    }
  }
  char keys[64];
  assert_string_equal(keymap_keys_text(keymap, ACTION_MOVE_UP, keys, sizeof keys), "Up, k");
  assert_string_equal(keymap_keys_text(keymap, ACTION_PAGE_UP, keys, sizeof keys), "PageUp, C-b");
  assert_string_equal(keymap_keys_text(keymap, ACTION_FORM_PICK, keys, sizeof keys), "F4, C-o");
  assert_string_equal(keymap_keys_text(keymap, ACTION_PREVIOUS_PANE, keys, sizeof keys), "S-Tab");
  /* Cut cleanly at a key when the buffer is short. */
  assert_string_equal(keymap_keys_text(keymap, ACTION_PAGE_UP, keys, 8), "PageUp");
  assert_string_equal(action_name(ACTION_ADD_LINE), "add-line");
  assert_int_equal(action_context(ACTION_PICK_CUSTOMER), ACTION_CTX_CUSTOMERS);
  assert_int_equal(action_needs(ACTION_CHECKOUT), ACTION_NEEDS_CART_ID);
}

/* The hint bar's labels are short words, not config names: every action has its own (none
 * falls back to the name with its hyphen), and the main ones read as the brief says. */
static void test_hint_labels(void **state) {
  (void)state;
  assert_string_equal(action_label(ACTION_ADD_LINE), "add");
  assert_string_equal(action_label(ACTION_EDIT_LINE), "edit");
  assert_string_equal(action_label(ACTION_SAVE), "save");
  assert_string_equal(action_label(ACTION_CHECKOUT), "check out");
  assert_string_equal(action_label(ACTION_TOGGLE_PREVIEW), "preview");
  assert_string_equal(action_label(ACTION_HELP), "help");
  assert_string_equal(action_label(ACTION_QUIT), "quit");
  for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
    const char *label = action_label((Action)a);
    assert_non_null(label);
    if (label[0] == '\0' || strchr(label, '-') != NULL || strlen(label) > 16)
      fail_msg("action %s has no short label (\"%s\")", action_name((Action)a), label);
    for (int b = ACTION_NONE + 1; b < a; b++)
      if (strcmp(label, action_label((Action)b)) == 0 &&
          action_context((Action)a) == action_context((Action)b))
        fail_msg("%s and %s share the label \"%s\" in one context", action_name((Action)a),
                 action_name((Action)b), label);
  }
}

static void test_key_names(void **state) {
  (void)state;
  wint_t key;
  bool is_key;
  assert_true(keymap_parse_key("C-s", &key, &is_key));
  assert_int_equal(key, 19);
  assert_false(is_key);
  assert_true(keymap_parse_key("F12", &key, &is_key));
  assert_int_equal(key, KEY_F(12));
  assert_true(is_key);
  assert_true(keymap_parse_key("PageDown", &key, &is_key));
  assert_int_equal(key, KEY_NPAGE);
  assert_true(keymap_parse_key("Space", &key, &is_key));
  assert_int_equal(key, L' ');
  assert_true(keymap_parse_key("S-Tab", &key, &is_key));
  assert_int_equal(key, KEY_BTAB);
  assert_true(keymap_parse_key("\xc3\xa4", &key, &is_key)); /* ä */
  assert_int_equal(key, 0xe4);
  assert_false(is_key);
  const char *bad[] = {"",       "ab",       "F13",  "F0", "C-",   "C-S",
                       "Ctrl-x", "pagedown", "\xc3", " ",  "C-ab", "F1x"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (keymap_parse_key(bad[i], &key, &is_key))
      fail_msg("\"%s\" should not be a key name", bad[i]);
}

static ConfigKeyBinding binding(const char *action, int line, char **keys, size_t count) {
  return (ConfigKeyBinding){(char *)action, keys, count, line};
}

static void test_config_overrides(void **state) {
  (void)state;
  char *add[] = {"F2"};
  char *checkout[] = {"s", "F5"};
  ConfigKeyBinding keys[] = {binding("add_line", 3, add, 1), binding("checkout", 4, checkout, 2)};
  Config config = {.path = "/home/ann/.config/pccart/config", .keys = keys, .key_count = 2};
  char err[1024] = "";
  assert_true(keymap_apply_config(keymap, &config, err, sizeof err));
  assert_string_equal(err, "");
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_GLOBAL, L'a', false), ACTION_NONE);
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_GLOBAL, KEY_F(2), true), ACTION_ADD_LINE);
  /* The configured key wins over another action's default. */
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_GLOBAL, L's', false), ACTION_CHECKOUT);
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_CART, L'C', false), ACTION_NONE);
  char text[64];
  assert_string_equal(keymap_keys_text(keymap, ACTION_CHECKOUT, text, sizeof text), "s, F5");
  assert_string_equal(keymap_keys_text(keymap, ACTION_SAVE, text, sizeof text), "");
}

static void test_config_errors(void **state) {
  (void)state;
  char err[2048];
  char *ctrl[] = {"Ctrl-x"};
  ConfigKeyBinding bad_key[] = {binding("add-line", 7, ctrl, 1)};
  Config config = {.path = "/home/ann/.config/pccart/config", .keys = bad_key, .key_count = 1};
  assert_false(keymap_apply_config(keymap, &config, err, sizeof err));
  const char *expected = "/home/ann/.config/pccart/config:7: ui.keys.add-line: unknown key "
                         "\"Ctrl-x\"; keys are a printable character, C-a..C-z, S-Tab, Up, ";
  assert_memory_equal(err, expected, strlen(expected));
  assert_non_null(strstr(err, "F1..F12"));

  char *a[] = {"a"};
  ConfigKeyBinding bad_action[] = {binding("frobnicate", 9, a, 1)};
  config.keys = bad_action;
  assert_false(keymap_apply_config(keymap, &config, err, sizeof err));
  expected = "/home/ann/.config/pccart/config:9: ui.keys.frobnicate: unknown action; actions are "
             "move-up, move-down, ";
  assert_memory_equal(err, expected, strlen(expected));
  assert_non_null(strstr(err, "form-abandon"));

  /* A printable key on a form action would steal typed text: refused. */
  char *x[] = {"x"};
  ConfigKeyBinding printable[] = {binding("form-submit", 11, x, 1)};
  config.keys = printable;
  assert_false(keymap_apply_config(keymap, &config, err, sizeof err));
  expected = "/home/ann/.config/pccart/config:11: ui.keys.form-submit: \"x\" is a printable key";
  assert_memory_equal(err, expected, strlen(expected));

  /* All or nothing: a good binding before a bad one is not applied. */
  char *f2[] = {"F2"};
  ConfigKeyBinding mixed[] = {binding("quit", 2, f2, 1), binding("help", 3, ctrl, 1)};
  config.keys = mixed;
  config.key_count = 2;
  assert_false(keymap_apply_config(keymap, &config, err, sizeof err));
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_GLOBAL, L'q', false), ACTION_QUIT);
  assert_int_equal(keymap_lookup(keymap, ACTION_CTX_GLOBAL, KEY_F(2), true), ACTION_NONE);
}

static char *print_keys(bool man) {
  char *text = NULL;
  size_t size = 0;
  FILE *out = open_memstream(&text, &size);
  assert_non_null(out);
  ui_print_keys(out, man);
  fclose(out);
  return text;
}

static void test_print_keys(void **state) {
  (void)state;
  char *plain = print_keys(false);
  assert_non_null(strstr(plain, "Everywhere\n"));
  assert_non_null(strstr(plain, "  Up, k                move-up                Move up\n"));
  assert_non_null(strstr(plain, "Forms and prompts\n"));
  free(plain);
  char *man = print_keys(true);
  assert_non_null(strstr(man, ".SS Everywhere\n.TP\n.B Up, k\nMove up (move\\-up)\n"));
  assert_non_null(strstr(man, ".TP\n.B PageUp, C\\-b\n"));
  assert_non_null(strstr(man, ".SS Customer list\n"));
  /* No unescaped '-' anywhere in roff text. */
  for (const char *p = man; *p; p++)
    if (*p == '-' && (p == man || p[-1] != '\\'))
      fail_msg("unescaped '-' in the man text near \"%.20s\"", p > man + 10 ? p - 10 : man);
  free(man);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_defaults_by_context, setup, teardown),
      cmocka_unit_test_setup_teardown(test_every_action_has_a_key_and_no_form_key_is_printable,
                                      setup, teardown),
      cmocka_unit_test(test_key_names),
      cmocka_unit_test(test_hint_labels),
      cmocka_unit_test_setup_teardown(test_config_overrides, setup, teardown),
      cmocka_unit_test_setup_teardown(test_config_errors, setup, teardown),
      cmocka_unit_test(test_print_keys),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
