/* docs/pccart.1's KEYS section is exactly what the action table generates (`pccart help keys
 * --man`), so the man page can never document a key the app does not have. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ui/ui.h"

#define MAN_PAGE PCC_FIXTURES_DIR "/../../docs/pccart.1"
#define BEGIN_MARK ".\\\" KEYS BEGIN"
#define END_MARK ".\\\" KEYS END"

static char *read_all(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  char *text = NULL;
  size_t size = 0;
  FILE *out = open_memstream(&text, &size);
  char buf[4096];
  size_t n;
  while (out && (n = fread(buf, 1, sizeof buf, f)) > 0)
    fwrite(buf, 1, n, out);
  fclose(f);
  if (out)
    fclose(out);
  return text;
}

static void test_keys_section_matches_the_action_table(void **state) {
  char *page = read_all(MAN_PAGE);
  assert_non_null(page);
  char *begin = strstr(page, BEGIN_MARK);
  assert_non_null(begin);
  begin = strchr(begin, '\n');
  assert_non_null(begin);
  begin++;
  char *end = strstr(begin, END_MARK);
  assert_non_null(end);
  *end = '\0';

  char *generated = NULL;
  size_t size = 0;
  FILE *out = open_memstream(&generated, &size);
  assert_non_null(out);
  ui_print_keys(out, true);
  fclose(out);
  assert_true(size > 0);
  /* Every default key of the table appears, e.g. the checkout key. */
  assert_non_null(strstr(generated, "checkout"));
  if (strcmp(begin, generated) != 0)
    fail_msg("docs/pccart.1's KEYS section is out of date; regenerate it with "
             "`pccart help keys --man` between the KEYS BEGIN and KEYS END lines");
  free(generated);
  free(page);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_keys_section_matches_the_action_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
