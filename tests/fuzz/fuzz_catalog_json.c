/* A catalog export file: catalog_from_json; what it reads exports and reads again the same, and
 * every catalog item it lists can be found. */
#include "fuzz.h"

#include "model/catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  if (!text) {
    return 0;
  }
  cJSON *json = cJSON_Parse(text);
  free(text);
  char err[256] = "";
  Catalog *catalog = catalog_from_json(json, err, sizeof err);
  cJSON_Delete(json);
  if (!catalog) {
    FUZZ_CHECK(err[0] != '\0', "catalog_from_json failed without saying why");
    return 0;
  }
  cJSON *written = catalog_to_json(catalog, "customer", "US");
  FUZZ_CHECK(written != NULL, "catalog_to_json failed");
  Catalog *again = catalog_from_json(written, err, sizeof err);
  FUZZ_CHECK(again != NULL, "the exported catalog cannot be read back");
  cJSON *written_again = catalog_to_json(again, "customer", "US");
  FUZZ_CHECK(written_again && cJSON_Compare(written, written_again, true),
             "the catalog reads back different");
  for (size_t i = 0; i < catalog->offer_count; i++) {
    if (catalog->offers[i].id) {
      FUZZ_CHECK(catalog_find_offer(catalog, catalog->offers[i].id) != NULL,
                 "an offer of the catalog cannot be found");
    }
  }
  for (size_t i = 0; i < catalog->product_count; i++) {
    if (catalog->products[i].id) {
      FUZZ_CHECK(catalog_find_product(catalog, catalog->products[i].id) != NULL,
                 "a product of the catalog cannot be found");
      catalog_skus_of(catalog, catalog->products[i].id, NULL, 0);
    }
  }
  cJSON_Delete(written_again);
  catalog_free(again);
  cJSON_Delete(written);
  catalog_free(catalog);
  return 0;
}
