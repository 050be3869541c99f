/* The CLI's cart file reader (cart_file_load from standard input: annotations blanked, the JSON
 * error's line and column) and where each problem sits in the file (cart_file_line_of, which
 * walks the text itself); the catalog export reader (catalog_file_load) on the same bytes.
 * Invariants: a refusal prints a message and exits with the usage code; a problem's file line
 * is within the file. */
#include "fuzz.h"

#include "cli/cli_internal.h"
#include "sandbox/seed.h"

static const Catalog *seed_catalog(void) {
  static Catalog *catalog;
  if (!catalog) {
    catalog = seed_catalog_new();
    FUZZ_CHECK(catalog != NULL, "the seed catalog could not be made");
  }
  return catalog;
}

/* Runs load on the input given as standard input; what it printed is in *message. */
static FILE *input_of(const uint8_t *data, size_t size) {
  /* fmemopen refuses a zero size: an empty input is an empty temporary file. */
  FILE *in = size ? fmemopen((void *)data, size, "rb") : tmpfile();
  FUZZ_CHECK(in != NULL, "no stream for the input");
  return in;
}

static int count_lines(const char *text) {
  int lines = 1;
  for (const char *p = text; *p; p++) {
    lines += *p == '\n';
  }
  return lines;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static FILE *sink;
  if (!sink) {
    sink = fopen("/dev/null", "w");
    FUZZ_CHECK(sink != NULL, "cannot open /dev/null");
  }
  char *message = NULL;
  size_t message_size = 0;
  FILE *err = open_memstream(&message, &message_size);
  FUZZ_CHECK(err != NULL, "no stream for messages");
  FILE *in = input_of(data, size);
  CliContext context = {
      .profile_name = "sandbox", .is_sandbox = true, .out = sink, .err = err, .in = in};
  CliRun run = {.context = &context};

  CartFile file;
  int code = cart_file_load(&run, "-", &file);
  fflush(err);
  if (code != CLI_EXIT_OK) {
    FUZZ_CHECK(code == CLI_EXIT_USAGE || code == CLI_EXIT_FAILURE, "an unexpected exit code");
    FUZZ_CHECK(message_size > 0, "a refused cart file without a message");
    FUZZ_CHECK(file.cart == NULL && file.text == NULL, "a refused cart file kept data");
  } else {
    FUZZ_CHECK(file.cart && file.text, "a loaded cart file without its cart");
    int lines = count_lines(file.text);
    ValidationContext validation = {.catalog = seed_catalog()};
    CartProblems problems = {0};
    FUZZ_CHECK(cart_validate(file.cart, &validation, &problems), "cart_validate failed");
    for (size_t i = 0; i < problems.count; i++) {
      const CartProblem *p = &problems.items[i];
      int line = cart_file_line_of(&file, p->line_index, p->addon_index, p->field);
      FUZZ_CHECK(line >= 0 && line <= lines, "a problem's line is outside the file");
    }
    cart_problems_clear(&problems);
    /* Every line and add-on, and fields the file may or may not have. */
    static const char *const fields[] = {NULL,    "",  "quantity", "provisioningContext.scope",
                                         "a.b.c", ".", "..",       "renewsTo.termDuration"};
    for (size_t i = 0; i <= file.cart->line_items.count; i++) {
      for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        for (long addon = -1; addon < 2; addon++) {
          int line = cart_file_line_of(&file, (long)i, addon, fields[f]);
          FUZZ_CHECK(line >= 0 && line <= lines, "a line is outside the file");
        }
      }
    }
    cart_file_clear(&file);
  }
  fclose(in);

  in = input_of(data, size);
  context.in = in;
  Catalog *catalog = NULL;
  code = catalog_file_load(&run, "-", &catalog);
  FUZZ_CHECK((code == CLI_EXIT_OK) == (catalog != NULL), "the exit code and the catalog disagree");
  catalog_free(catalog);
  fclose(in);
  fclose(err);
  free(message);
  return 0;
}
