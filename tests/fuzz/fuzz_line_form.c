/* The line item form: what a user types into its fields (the participants parser, numbers,
 * choices, GUIDs, dates). Input: one byte picks the catalog item (every offer and availability of
 * the seed catalog), then lines "F<value>" where the byte F picks the field. Invariants: the form
 * never accepts a line that the shared validator refuses at request level, every field error is a
 * sentence, and the line it describes writes as JSON. */
#include "fuzz_app_common.h"

#include "model/validate.h"

static const char *item_of(const Catalog *catalog, size_t pick) {
  size_t items = catalog->offer_count + catalog->availability_count;
  pick %= items;
  return pick < catalog->offer_count
             ? catalog->offers[pick].id
             : catalog->availabilities[pick - catalog->offer_count].catalog_item_id;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static AppState *app;
  if (!app) {
    app = fuzz_app_new();
  }
  if (size < 1) {
    return 0;
  }
  char why[256] = "";
  const char *item = item_of(app->catalog.catalog, data[0]);
  LineForm *form = line_form_new(app, item, -1, why, sizeof why);
  FUZZ_CHECK(form != NULL, why);
  FUZZ_CHECK(form->count > 0, "a form without fields");

  char *text = fuzz_text(data + 1, size - 1);
  FUZZ_CHECK(text != NULL, "out of memory");
  for (char *line = text; line;) {
    char *next = strchr(line, '\n');
    if (next) {
      *next++ = '\0';
    }
    if (line[0]) {
      size_t field = (unsigned char)line[0] % form->count;
      line_form_set(form, field, line + 1);
    }
    line = next;
  }
  free(text);

  bool valid = line_form_validate(form, app);
  for (size_t i = 0; i < form->count; i++) {
    const FormField *f = &form->fields[i];
    FUZZ_CHECK(f->value != NULL, "a field without a value");
    FUZZ_CHECK(!f->error || f->error[0], "an empty field error");
  }
  CartLineItem line = {0};
  FUZZ_CHECK(line_form_to_line(form, &line), "line_form_to_line failed");
  cJSON *json = cart_line_item_to_json(&line);
  FUZZ_CHECK(json != NULL, "cart_line_item_to_json failed");
  char *printed = model_json_print(json);
  FUZZ_CHECK(printed != NULL, "model_json_print failed");
  if (valid) {
    ValidationContext context = {.catalog = app->catalog.catalog,
                                 .customer_subscriptions = &app->catalog.subscriptions};
    CartProblems problems = {0};
    FUZZ_CHECK(cart_line_validate(&line, 0, &context, &problems), "cart_line_validate failed");
    FUZZ_CHECK(!cart_problems_has_request_level(&problems),
               "the form accepted a line the validator refuses");
    cart_problems_clear(&problems);
    /* An accepted line goes into the draft and out again as an editing form. */
    if (app->cart.draft->line_items.count >= 20) {
      FUZZ_CHECK(app_cart_clear(app, why, sizeof why), why);
    }
    FUZZ_CHECK(app_cart_add_line(app, &line, why, sizeof why), why);
    long index = (long)app->cart.draft->line_items.count - 1;
    LineForm *edit = line_form_new(app, NULL, index, why, sizeof why);
    FUZZ_CHECK(edit != NULL, why);
    line_form_free(edit);
  }
  free(printed);
  cJSON_Delete(json);
  cart_line_item_clear(&line);
  line_form_free(form);
  fuzz_app_drain(app);
  return 0;
}
