/* A cart file or server reply: cart_parse, then the validator against the seed catalog, then the
 * request body. Invariants: every problem names itself (a description and, for lines, a line
 * index inside the cart); the printed request body parses back to an equal body; and reading
 * that body again gives the same body (the writer and reader agree). */
#include "fuzz.h"

#include "model/cart.h"
#include "model/validate.h"
#include "sandbox/seed.h"

static const Catalog *seed_catalog(void) {
  static Catalog *catalog;
  if (!catalog) {
    catalog = seed_catalog_new();
    FUZZ_CHECK(catalog != NULL, "the seed catalog could not be made");
  }
  return catalog;
}

static void check_problems(const Cart *cart, const CartProblems *problems) {
  for (size_t i = 0; i < problems->count; i++) {
    const CartProblem *p = &problems->items[i];
    FUZZ_CHECK(p->description && p->description[0], "a problem without a sentence");
    FUZZ_CHECK(p->level == PROBLEM_REQUEST || p->level == PROBLEM_LINE, "a problem of no level");
    FUZZ_CHECK(p->line_index >= -1 && p->line_index < (long)cart->line_items.count,
               "a problem names a line the cart does not have");
  }
  cJSON *doc = cart_problems_to_json(problems, "fuzz.json", NULL);
  FUZZ_CHECK(doc != NULL, "cart_problems_to_json failed");
  char *text = model_json_print(doc);
  FUZZ_CHECK(text != NULL, "the problems document could not be printed");
  free(text);
  cJSON_Delete(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  if (!text) {
    return 0;
  }
  char err[256] = "";
  Cart *cart = cart_parse(text, err, sizeof err);
  free(text);
  if (!cart) {
    FUZZ_CHECK(err[0] != '\0', "cart_parse failed without saying why");
    return 0;
  }

  ValidationContext context = {.catalog = seed_catalog(), .max_line_items = 50};
  CartProblems problems = {0};
  FUZZ_CHECK(cart_validate(cart, &context, &problems), "cart_validate failed");
  check_problems(cart, &problems);
  /* The sandbox's view: a direct partner and the integration sandbox's limits. */
  context.partner_is_direct = true;
  context.enforce_sandbox_limits = true;
  FUZZ_CHECK(cart_validate(cart, &context, &problems), "cart_validate failed");
  check_problems(cart, &problems);
  cart_problems_clear(&problems);

  Cart *copy = cart_clone(cart);
  FUZZ_CHECK(copy != NULL, "cart_clone failed");
  cJSON *full = cart_to_json(cart);
  cJSON *full_copy = cart_to_json(copy);
  FUZZ_CHECK(full && full_copy, "cart_to_json failed");
  FUZZ_CHECK(cJSON_Compare(full, full_copy, true), "a clone writes differently");
  cJSON_Delete(full);
  cJSON_Delete(full_copy);
  cart_free(copy);

  cJSON *body = cart_to_request_json(cart);
  FUZZ_CHECK(body != NULL, "cart_to_request_json failed");
  char *printed = model_json_print(body);
  FUZZ_CHECK(printed != NULL, "model_json_print failed");
  cJSON *back = cJSON_Parse(printed);
  FUZZ_CHECK(back != NULL, "the printed request body is not JSON");
  FUZZ_CHECK(cJSON_Compare(body, back, true), "the printed request body parses back different");

  Cart *again = cart_from_json(back, err, sizeof err);
  FUZZ_CHECK(again != NULL, "the request body cannot be read as a cart");
  cJSON *body_again = cart_to_request_json(again);
  FUZZ_CHECK(body_again != NULL, "cart_to_request_json failed");
  FUZZ_CHECK(cJSON_Compare(body, body_again, true), "reading the request body back changes it");

  cJSON_Delete(body_again);
  cart_free(again);
  cJSON_Delete(back);
  free(printed);
  cJSON_Delete(body);
  cart_free(cart);
  return 0;
}
