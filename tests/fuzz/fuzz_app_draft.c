/* The app's draft reader: app_cart_read_draft on a file holding the input. Invariants: a refusal
 * has a sentence naming the file; an accepted draft has line ids 0..n-1 and a request body that
 * is JSON, and writing the draft and reading it back gives the same body. */
#include <unistd.h>

#include "fuzz_app_common.h"

static char input_path[] = "/tmp/pccart-fuzz-draft-XXXXXX";
static char output_path[] = "/tmp/pccart-fuzz-draft-out-XXXXXX";

static void remove_files(void) {
  unlink(input_path);
  unlink(output_path);
}

static void make_files(void) {
  int in = mkstemp(input_path);
  int out = mkstemp(output_path);
  FUZZ_CHECK(in >= 0 && out >= 0, "cannot make the temporary files");
  close(in);
  close(out);
  atexit(remove_files);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static AppState *app;
  if (!app) {
    app = fuzz_app_new();
    make_files();
  }
  FILE *file = fopen(input_path, "wb");
  FUZZ_CHECK(file != NULL, "cannot write the input file");
  FUZZ_CHECK(fwrite(data, 1, size, file) == size, "cannot write the input file");
  fclose(file);

  char err[512] = "";
  if (!app_cart_read_draft(app, input_path, err, sizeof err)) {
    FUZZ_CHECK(err[0] != '\0', "a refused draft without a sentence");
    FUZZ_CHECK(strstr(err, input_path) != NULL,
               "a refused draft's sentence does not name the file");
    fuzz_app_drain(app);
    return 0;
  }
  const Cart *draft = app->cart.draft;
  for (size_t i = 0; i < draft->line_items.count; i++) {
    FUZZ_CHECK(draft->line_items.items[i].id.set && draft->line_items.items[i].id.value == (long)i,
               "a draft line's id is not its index");
  }
  char *body = app_cart_request_body(app);
  FUZZ_CHECK(body != NULL, "app_cart_request_body failed");
  cJSON *json = cJSON_Parse(body);
  FUZZ_CHECK(json != NULL, "the request body is not JSON");

  FUZZ_CHECK(app_cart_write_draft(app, output_path, err, sizeof err), err);
  FUZZ_CHECK(app_cart_read_draft(app, output_path, err, sizeof err), err);
  char *body_again = app_cart_request_body(app);
  FUZZ_CHECK(body_again != NULL, "app_cart_request_body failed");
  FUZZ_CHECK(strcmp(body, body_again) == 0, "a written draft reads back different");

  free(body_again);
  cJSON_Delete(json);
  free(body);
  fuzz_app_drain(app);
  return 0;
}
