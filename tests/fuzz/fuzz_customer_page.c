/* A page of GET /v1/customers: customer_page_from_json; what it reads writes back and reads again
 * the same. */
#include "fuzz.h"

#include "model/customer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  if (!text) {
    return 0;
  }
  cJSON *json = cJSON_Parse(text);
  free(text);
  char err[256] = "";
  CustomerPage *page = customer_page_from_json(json, err, sizeof err);
  cJSON_Delete(json);
  if (!page) {
    FUZZ_CHECK(err[0] != '\0', "customer_page_from_json failed without saying why");
    return 0;
  }
  cJSON *written = customer_page_to_json(page);
  FUZZ_CHECK(written != NULL, "customer_page_to_json failed");
  CustomerPage *again = customer_page_from_json(written, err, sizeof err);
  FUZZ_CHECK(again != NULL, "the written page cannot be read back");
  FUZZ_CHECK(again->count == page->count, "the written page reads back with another count");
  cJSON *written_again = customer_page_to_json(again);
  FUZZ_CHECK(written_again && cJSON_Compare(written, written_again, true),
             "the customer page reads back different");
  cJSON_Delete(written_again);
  customer_page_free(again);
  cJSON_Delete(written);
  customer_page_free(page);
  return 0;
}
