/* A checkout reply: checkout_result_parse; what it reads writes back and reads again the same. */
#include "fuzz.h"

#include "model/cart.h" /* model_json_print */
#include "model/order.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  if (!text) {
    return 0;
  }
  char err[256] = "";
  CartCheckoutResult *result = checkout_result_parse(text, err, sizeof err);
  free(text);
  if (!result) {
    FUZZ_CHECK(err[0] != '\0', "checkout_result_parse failed without saying why");
    return 0;
  }
  cJSON *json = checkout_result_to_json(result);
  FUZZ_CHECK(json != NULL, "checkout_result_to_json failed");
  char *printed = model_json_print(json);
  FUZZ_CHECK(printed != NULL, "model_json_print failed");
  CartCheckoutResult *again = checkout_result_parse(printed, err, sizeof err);
  FUZZ_CHECK(again != NULL, "the written checkout result cannot be read back");
  cJSON *json_again = checkout_result_to_json(again);
  FUZZ_CHECK(json_again && cJSON_Compare(json, json_again, true),
             "the checkout result reads back different");
  cJSON_Delete(json_again);
  checkout_result_free(again);
  free(printed);
  cJSON_Delete(json);
  checkout_result_free(result);
  return 0;
}
