/* The catalog over real loopback HTTP: products, SKUs and availabilities, globally (with
 * country) and per customer, the legacy offers, the promotions, and the refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "sandbox_http.h"

#define RI_PRODUCT "DZH318Z0BQ36"
#define RI_SKU "004G"
#define RI_AVAILABILITY "DZH318Z08C0S"
#define RI_CATALOG_ITEM RI_PRODUCT ":" RI_SKU ":" RI_AVAILABILITY
#define CUSTOMER_PREFIX "/v1/customers/" DOC_CUSTOMER_ID
#define UNKNOWN_ID "ZZZZZZZZZZZZ"

static HttpCtx *ctx;

/* Each test: the group's sandbox (sandbox_setup), reset. */
static int reset(void **state) {
  ctx = *state;
  return sandbox_reset(ctx) ? 0 : -1;
}

/* GET path; asserts 200 JSON. The caller clears response. */
static void get_ok(const char *path, HttpResponse *response) {
  http_request(ctx, "GET", path, NULL, NULL, response);
  if (response->status != 200)
    print_error("GET %s\n", path);
  assert_status(response, 200);
  assert_json_reply(response);
}

/* A collection of objectType `type` with totalCount == its item count; returns the items. */
static const cJSON *assert_collection(const HttpResponse *response, const char *type) {
  assert_string_equal(json_str_at(response->json, "attributes.objectType"), "Collection");
  const cJSON *items = json_at(response->json, "items");
  assert_true(cJSON_IsArray(items));
  assert_int_equal((long)json_num_at(response->json, "totalCount", -1), cJSON_GetArraySize(items));
  const cJSON *item;
  cJSON_ArrayForEach(item, items) {
    assert_string_equal(json_str_at(item, "attributes.objectType"), type);
  }
  return items;
}

static const cJSON *find_by(const cJSON *items, const char *field, const char *value) {
  const cJSON *item;
  cJSON_ArrayForEach(item, items) {
    const char *text = json_str_at(item, field);
    if (text && strcasecmp(text, value) == 0)
      return item;
  }
  return NULL;
}

static void test_products(void **state) {
  (void)state;
  HttpResponse response;
  get_ok("/v1/products?country=US", &response);
  const cJSON *items = assert_collection(&response, "Product");
  /* Every product of the documents is sold (create: request and response examples). */
  const char *products[] = {RI_PRODUCT, "DG7GMGF0DWTL", "DG7GMGF0DWM3", "DZH318Z0BXWC",
                            "DZH318Z0C0WF"};
  for (size_t i = 0; i < sizeof products / sizeof *products; i++) {
    const cJSON *product = find_by(items, "id", products[i]);
    if (!product)
      fail_msg("product %s is not in GET /v1/products?country=US", products[i]);
    assert_non_null(json_str_at(product, "title"));
    assert_true(cJSON_IsObject(json_at(product, "productType")));
  }
  http_response_clear(&response);
}

static void test_country_is_required(void **state) {
  (void)state;
  const char *paths[] = {
      "/v1/products",
      "/v1/products/" RI_PRODUCT,
      "/v1/products/" RI_PRODUCT "/skus",
      "/v1/products/" RI_PRODUCT "/skus/" RI_SKU,
      "/v1/products/" RI_PRODUCT "/skus/" RI_SKU "/availabilities",
      "/v1/products/" RI_PRODUCT "/skus/" RI_SKU "/availabilities/" RI_AVAILABILITY,
      "/v1/products?targetView=MicrosoftAzure",
  };
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
    HttpResponse response;
    http_request(ctx, "GET", paths[i], NULL, NULL, &response);
    if (response.status != 400)
      print_error("GET %s\n", paths[i]);
    assert_api_error(&response, 400, 800002);
    http_response_clear(&response);
  }
}

static void test_other_countries_are_empty(void **state) {
  (void)state;
  const char *paths[] = {"/v1/products?country=FR", "/v1/products/" RI_PRODUCT "/skus?country=DE",
                         "/v1/products/" RI_PRODUCT "/skus/" RI_SKU "/availabilities?country=JP"};
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
    HttpResponse response;
    get_ok(paths[i], &response);
    assert_string_equal(json_str_at(response.json, "attributes.objectType"), "Collection");
    assert_int_equal(json_count_at(response.json, "items"), 0);
    assert_int_equal((long)json_num_at(response.json, "totalCount", -1), 0);
    http_response_clear(&response);
  }
}

static void assert_ri_product(const cJSON *product) {
  assert_string_equal(json_str_at(product, "id"), RI_PRODUCT);
  assert_string_equal(json_str_at(product, "attributes.objectType"), "Product");
  assert_non_null(json_str_at(product, "title"));
  assert_non_null(json_str_at(product, "productType.id"));
  assert_non_null(json_str_at(product, "links.skus.uri"));
}

static void assert_ri_sku(const cJSON *sku) {
  assert_string_equal(json_str_at(sku, "id"), RI_SKU);
  assert_string_equal(json_str_at(sku, "productId"), RI_PRODUCT);
  assert_string_equal(json_str_at(sku, "attributes.objectType"), "Sku");
  assert_true(cJSON_IsNumber(json_at(sku, "minimumQuantity")));
  assert_true(cJSON_IsNumber(json_at(sku, "maximumQuantity")));
  assert_true(json_num_at(sku, "minimumQuantity", 0) <= json_num_at(sku, "maximumQuantity", 0));
  /* A reservation needs a scope and the Azure subscription it is for. */
  const cJSON *variables = json_at(sku, "provisioningVariables");
  assert_true(cJSON_IsArray(variables));
  bool scope = false;
  bool subscription = false;
  const cJSON *variable;
  cJSON_ArrayForEach(variable, variables) {
    scope = scope || (cJSON_IsString(variable) && strcasecmp(variable->valuestring, "Scope") == 0);
    subscription = subscription || (cJSON_IsString(variable) &&
                                    strcasecmp(variable->valuestring, "SubscriptionId") == 0);
  }
  assert_true(scope);
  assert_true(subscription);
  const cJSON *cycles = json_at(sku, "supportedBillingCycles");
  assert_true(cJSON_IsArray(cycles));
  assert_string_equal(json_str_at(sku, "supportedBillingCycles.0"), "one_time");
}

static void assert_ri_availability(const cJSON *availability) {
  assert_string_equal(json_str_at(availability, "id"), RI_AVAILABILITY);
  assert_string_equal(json_str_at(availability, "productId"), RI_PRODUCT);
  assert_string_equal(json_str_at(availability, "skuId"), RI_SKU);
  assert_string_equal(json_str_at(availability, "catalogItemId"), RI_CATALOG_ITEM);
  assert_string_equal(json_str_at(availability, "attributes.objectType"), "Availability");
  assert_string_equal(json_str_at(availability, "country"), "US");
  assert_string_equal(json_str_at(availability, "defaultCurrency.code"), "USD");
  const cJSON *terms = json_at(availability, "terms");
  assert_true(cJSON_IsArray(terms));
  assert_true(cJSON_GetArraySize(terms) >= 1);
  bool one_year = false;
  const cJSON *term;
  cJSON_ArrayForEach(term, terms) {
    const char *duration = json_str_at(term, "duration");
    assert_non_null(duration);
    one_year = one_year || strcmp(duration, "P1Y") == 0;
  }
  assert_true(one_year);
}

static void test_single_product_sku_availability(void **state) {
  (void)state;
  HttpResponse response;
  get_ok("/v1/products/" RI_PRODUCT "?country=US", &response);
  assert_ri_product(response.json);
  http_response_clear(&response);

  get_ok("/v1/products/" RI_PRODUCT "/skus?country=US", &response);
  const cJSON *skus = assert_collection(&response, "Sku");
  assert_non_null(find_by(skus, "id", "004J"));
  const cJSON *sku = find_by(skus, "id", RI_SKU);
  assert_non_null(sku);
  assert_ri_sku(sku);
  http_response_clear(&response);

  get_ok("/v1/products/" RI_PRODUCT "/skus/" RI_SKU "?country=US", &response);
  assert_ri_sku(response.json);
  http_response_clear(&response);

  get_ok("/v1/products/" RI_PRODUCT "/skus/" RI_SKU "/availabilities?country=US", &response);
  const cJSON *availabilities = assert_collection(&response, "Availability");
  const cJSON *availability = find_by(availabilities, "id", RI_AVAILABILITY);
  assert_non_null(availability);
  assert_ri_availability(availability);
  http_response_clear(&response);

  get_ok("/v1/products/" RI_PRODUCT "/skus/" RI_SKU "/availabilities/" RI_AVAILABILITY
         "?country=US",
         &response);
  assert_ri_availability(response.json);
  http_response_clear(&response);
}

/* Every catalogItemId of the documents resolves to an availability with that id. */
static void test_documents_catalog_items_resolve(void **state) {
  (void)state;
  const char *items[] = {"DZH318Z0BQ36:004G:DZH318Z08C0S", "DZH318Z0BQ36:004J:DZH318Z08B8X",
                         "DG7GMGF0DWTL:0001:DG7GMGF0DSFM", "DG7GMGF0DWM3:0002:DG7GMGF0DT1M",
                         "DZH318Z0BXWC:0002:DZH318Z0BMRV", "DZH318Z0C0WF:0001:DZH318Z0BP69"};
  for (size_t i = 0; i < sizeof items / sizeof *items; i++) {
    char product[16];
    char sku[8];
    char availability[16];
    assert_int_equal(sscanf(items[i], "%15[^:]:%7[^:]:%15s", product, sku, availability), 3);
    char *path = str_format("/v1/products/%s/skus/%s/availabilities/%s?country=US", product, sku,
                            availability);
    HttpResponse response;
    get_ok(path, &response);
    assert_string_equal(json_str_at(response.json, "catalogItemId"), items[i]);
    http_response_clear(&response);
    free(path);
  }
}

static void test_unknown_global_items_are_404(void **state) {
  (void)state;
  const char *paths[] = {
      "/v1/products/" UNKNOWN_ID "?country=US",
      "/v1/products/" UNKNOWN_ID "/skus?country=US",
      "/v1/products/" RI_PRODUCT "/skus/ZZZZ?country=US",
      "/v1/products/" RI_PRODUCT "/skus/ZZZZ/availabilities?country=US",
      "/v1/products/" RI_PRODUCT "/skus/" RI_SKU "/availabilities/" UNKNOWN_ID "?country=US",
  };
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
    HttpResponse response;
    http_request(ctx, "GET", paths[i], NULL, NULL, &response);
    if (response.status != 404)
      print_error("GET %s\n", paths[i]);
    /* The reference documents no code for the global catalog: any code, the error shape. */
    assert_api_error(&response, 404, -1);
    assert_string_equal(json_str_at(response.json, "source"), "PartnerFD");
    assert_true(cJSON_IsArray(json_at(response.json, "data")));
    http_response_clear(&response);
  }
}

/* New-commerce products are productType OnlineServicesNCE, listed under
 * targetView=OnlineServices (get-a-list-of-products-by-customer.md), not under another view. */
static void test_nce_products_under_online_services(void **state) {
  (void)state;
  HttpResponse response;
  get_ok(CUSTOMER_PREFIX "/products?targetView=OnlineServices", &response);
  const cJSON *products = assert_collection(&response, "Product");
  const cJSON *basic = find_by(products, "id", "CFQ7TTC0LH18");
  assert_non_null(basic);
  assert_string_equal(json_str_at(basic, "productType.id"), "OnlineServicesNCE");
  assert_string_equal(json_str_at(basic, "productType.displayName"), "OnlineServicesNCE");
  http_response_clear(&response);
  get_ok(CUSTOMER_PREFIX "/products?targetView=MicrosoftAzure", &response);
  assert_null(find_by(assert_collection(&response, "Product"), "id", "CFQ7TTC0LH18"));
  http_response_clear(&response);
}

static void test_customer_scoped_catalog(void **state) {
  (void)state;
  HttpResponse response;
  get_ok(CUSTOMER_PREFIX "/products?targetView=MicrosoftAzure", &response);
  assert_collection(&response, "Product");
  http_response_clear(&response);

  get_ok(CUSTOMER_PREFIX "/products", &response);
  const cJSON *products = assert_collection(&response, "Product");
  assert_non_null(find_by(products, "id", RI_PRODUCT));
  http_response_clear(&response);

  get_ok(CUSTOMER_PREFIX "/products/" RI_PRODUCT, &response);
  assert_ri_product(response.json);
  http_response_clear(&response);

  get_ok(CUSTOMER_PREFIX "/products/" RI_PRODUCT "/skus", &response);
  const cJSON *sku = find_by(assert_collection(&response, "Sku"), "id", RI_SKU);
  assert_non_null(sku);
  assert_ri_sku(sku);
  http_response_clear(&response);

  get_ok(CUSTOMER_PREFIX "/products/" RI_PRODUCT "/skus/" RI_SKU, &response);
  assert_ri_sku(response.json);
  http_response_clear(&response);

  get_ok(CUSTOMER_PREFIX "/products/" RI_PRODUCT "/skus/" RI_SKU "/availabilities", &response);
  const cJSON *availability =
      find_by(assert_collection(&response, "Availability"), "id", RI_AVAILABILITY);
  assert_non_null(availability);
  assert_ri_availability(availability);
  http_response_clear(&response);

  get_ok(CUSTOMER_PREFIX "/products/" RI_PRODUCT "/skus/" RI_SKU "/availabilities/" RI_AVAILABILITY,
         &response);
  assert_ri_availability(response.json);
  http_response_clear(&response);
}

static void test_customer_scoped_refusals(void **state) {
  (void)state;
  /* The reference: 404 code 400013 when the parent product is not found. */
  const char *missing_product[] = {
      CUSTOMER_PREFIX "/products/" UNKNOWN_ID,
      CUSTOMER_PREFIX "/products/" UNKNOWN_ID "/skus",
      CUSTOMER_PREFIX "/products/" UNKNOWN_ID "/skus/0001/availabilities",
  };
  for (size_t i = 0; i < sizeof missing_product / sizeof *missing_product; i++) {
    HttpResponse response;
    http_request(ctx, "GET", missing_product[i], NULL, NULL, &response);
    if (response.status != 404 || json_num_at(response.json, "code", 0) != 400013)
      print_error("GET %s\n", missing_product[i]);
    assert_api_error(&response, 404, 400013);
    http_response_clear(&response);
  }
  HttpResponse response;
  http_request(ctx, "GET", "/v1/customers/00000000-0000-0000-0000-000000000000/products", NULL,
               NULL, &response);
  assert_api_error(&response, 404, 1000);
  http_response_clear(&response);
}

static void test_legacy_offers(void **state) {
  (void)state;
  HttpResponse response;
  get_ok("/v1/offers?country=US", &response);
  const cJSON *offers = assert_collection(&response, "Offer");
  const cJSON *azure = find_by(offers, "id", "MS-AZR-0145P");
  assert_non_null(azure);
  assert_non_null(json_str_at(azure, "name"));
  http_response_clear(&response);

  get_ok("/v1/offers/MS-AZR-0145P?country=US", &response);
  assert_string_equal(json_str_at(response.json, "id"), "MS-AZR-0145P");
  assert_string_equal(json_str_at(response.json, "attributes.objectType"), "Offer");
  http_response_clear(&response);

  http_request(ctx, "GET", "/v1/offers/NO-SUCH-OFFER?country=US", NULL, NULL, &response);
  assert_api_error(&response, 404, -1);
  http_response_clear(&response);

  http_request(ctx, "GET", "/v1/offers", NULL, NULL, &response);
  assert_api_error(&response, 400, 800002);
  http_response_clear(&response);
}

/* The promotions of the seed catalog: every one names a product, SKU, term and billing cycle
 * the catalog has, so a cart line can use it. */
static void test_promotions(void **state) {
  (void)state;
  HttpResponse response;
  /* The path matches case-insensitively, as the reference spells it in lower case. */
  get_ok("/v1/productpromotions?country=US&segment=commercial", &response);
  const cJSON *promotions = assert_collection(&response, "ProductPromotion");
  int count = cJSON_GetArraySize(promotions);
  assert_true(count >= 3);
  const cJSON *basic = find_by(promotions, "id", "39NFJQT1Q5KV:0002:39NFJQT1Q5KW");
  assert_non_null(basic);
  /* promotion-resources.md's shape: what it applies to is in requiredProducts. */
  assert_string_equal(json_str_at(basic, "requiredProducts.0.productId"), "CFQ7TTC0LH18");
  assert_string_equal(json_str_at(basic, "requiredProducts.0.skuId"), "0001");
  assert_string_equal(json_str_at(basic, "requiredProducts.0.term.duration"), "P1Y");
  assert_string_equal(json_str_at(basic, "requiredProducts.0.term.billingCycle"), "Annual");
  assert_non_null(json_str_at(basic, "name"));
  const cJSON *item;
  cJSON_ArrayForEach(item, promotions) {
    char path[256];
    snprintf(path, sizeof path, "/v1/products/%s/skus/%s/availabilities?country=US",
             json_str_at(item, "requiredProducts.0.productId"),
             json_str_at(item, "requiredProducts.0.skuId"));
    HttpResponse terms;
    get_ok(path, &terms);
    bool found = false;
    const cJSON *availability;
    cJSON_ArrayForEach(availability, json_at(terms.json, "items")) {
      const cJSON *term;
      cJSON_ArrayForEach(term, json_at(availability, "terms")) {
        found = found || (strcmp(json_str_at(term, "duration"),
                                 json_str_at(item, "requiredProducts.0.term.duration")) == 0 &&
                          strcmp(json_str_at(term, "billingCycle"),
                                 json_str_at(item, "requiredProducts.0.term.billingCycle")) == 0);
      }
    }
    if (!found)
      print_error("promotion %s names a term its SKU does not have\n", json_str_at(item, "id"));
    assert_true(found);
    http_response_clear(&terms);
  }
  http_response_clear(&response);

  get_ok("/v1/productPromotions?country=US&segment=Commercial", &response);
  assert_int_equal(cJSON_GetArraySize(assert_collection(&response, "ProductPromotion")), count);
  http_response_clear(&response);

  /* Another country or segment: none. */
  get_ok("/v1/productPromotions?country=DE&segment=commercial", &response);
  assert_int_equal(json_num_at(response.json, "totalCount", -1), 0);
  http_response_clear(&response);
  get_ok("/v1/productPromotions?country=US&segment=education", &response);
  assert_int_equal(json_num_at(response.json, "totalCount", -1), 0);
  http_response_clear(&response);

  /* Both parameters are required; a segment must be one of the four. */
  const char *refused[] = {"/v1/productPromotions?segment=commercial",
                           "/v1/productPromotions?country=US",
                           "/v1/productPromotions?country=US&segment=retail"};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    http_request(ctx, "GET", refused[i], NULL, NULL, &response);
    assert_api_error(&response, 400, 800002);
    http_response_clear(&response);
  }

  /* Its operation name is catalog.promotions: a fault armed for it answers it. */
  assert_true(sandbox_fault_arm(
                  ctx, "{\"match\":\"catalog.promotions\",\"kind\":\"status\",\"status\":503}") >=
              0);
  http_request(ctx, "GET", "/v1/productPromotions?country=US&segment=commercial", NULL, NULL,
               &response);
  assert_status(&response, 503);
  http_response_clear(&response);
  get_ok("/v1/productPromotions?country=US&segment=commercial", &response);
  http_response_clear(&response);
}

static void test_catalog_needs_a_token(void **state) {
  (void)state;
  HttpRequest request = {.method = "GET", .path = "/v1/products?country=US", .flags = HTTP_NO_AUTH};
  HttpResponse response;
  http_send(ctx, &request, &response);
  assert_api_error(&response, 401, 400);
  http_response_clear(&response);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_nce_products_under_online_services, reset),
      cmocka_unit_test_setup(test_products, reset),
      cmocka_unit_test_setup(test_country_is_required, reset),
      cmocka_unit_test_setup(test_other_countries_are_empty, reset),
      cmocka_unit_test_setup(test_single_product_sku_availability, reset),
      cmocka_unit_test_setup(test_documents_catalog_items_resolve, reset),
      cmocka_unit_test_setup(test_unknown_global_items_are_404, reset),
      cmocka_unit_test_setup(test_customer_scoped_catalog, reset),
      cmocka_unit_test_setup(test_customer_scoped_refusals, reset),
      cmocka_unit_test_setup(test_legacy_offers, reset),
      cmocka_unit_test_setup(test_promotions, reset),
      cmocka_unit_test_setup(test_catalog_needs_a_token, reset),
  };
  return cmocka_run_group_tests_name("sandbox catalog", tests, sandbox_setup, sandbox_teardown);
}
