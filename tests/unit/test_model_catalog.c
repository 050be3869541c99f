/* Catalog types: JSON round trips, tolerant reading, deep copies, the catalog container
 * and its case-insensitive index, catalogItemId resolution and the Collection envelope. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"
#include "model/catalog.h"

/* Parses text, asserting it is valid JSON. */
static cJSON *parse(const char *text) {
  cJSON *json = cJSON_Parse(text);
  assert_non_null(json);
  return json;
}

/* Asserts that writing `json` back gives exactly `expected` (key order included). */
static void assert_json_text(cJSON *json, const char *expected) {
  assert_non_null(json);
  cJSON *want = parse(expected);
  char *got = cJSON_PrintUnformatted(json);
  char *exp = cJSON_PrintUnformatted(want);
  assert_non_null(got);
  assert_string_equal(got, exp);
  free(got);
  free(exp);
  cJSON_Delete(want);
}

static const char *PRODUCT_JSON =
    "{\"id\":\"DZH318Z0BQ36\",\"title\":\"Virtual Machines Dv2 Series\","
    "\"description\":\"Dv2-series instances are the next generation.\","
    "\"productType\":{\"id\":\"Azure\",\"displayName\":\"Azure\","
    "\"subType\":{\"id\":\"VirtualMachines\",\"displayName\":\"Virtual Machines\"}},"
    "\"isMicrosoftProduct\":true,\"publisherName\":\"Microsoft Corporation\","
    "\"links\":{\"skus\":{\"uri\":\"/products/DZH318Z0BQ36/skus?country=US\",\"method\":\"GET\","
    "\"headers\":[]}},\"attributes\":{\"objectType\":\"Product\"}}";

static const char *SKU_JSON =
    "{\"id\":\"004G\",\"productId\":\"DZH318Z0BQ36\",\"title\":\"Standard_D1_v2\","
    "\"description\":\"Reservation\",\"minimumQuantity\":1,\"maximumQuantity\":999999999,"
    "\"isTrial\":false,\"termsOfUseUri\":\"https://example.com/terms\","
    "\"supportedBillingCycles\":[\"one_time\"],"
    "\"purchasePrerequisites\":[\"InventoryCheck\",\"AzureSubscriptionRegistration\"],"
    "\"inventoryVariables\":[\"CustomerId\",\"AzureSubscriptionId\",\"ArmRegionName\"],"
    "\"provisioningVariables\":[\"Scope\",\"SubscriptionId\"],"
    "\"consumptionType\":\"None\","
    "\"attestationProperties\":{\"enforceAttestation\":false,\"attestationType\":\"None\"},"
    "\"links\":{\"self\":{\"uri\":\"/products/DZH318Z0BQ36/skus/004G?country=US\","
    "\"method\":\"GET\",\"headers\":[]}},\"attributes\":{\"objectType\":\"Sku\"}}";

static const char *AVAILABILITY_JSON =
    "{\"id\":\"CFQ7TTC0K18P\",\"productId\":\"CFQ7TTC0LH0Z\",\"skuId\":\"0001\","
    "\"catalogItemId\":\"CFQ7TTC0LH0Z:0001:CFQ7TTC0K18P\","
    "\"defaultCurrency\":{\"code\":\"USD\",\"symbol\":\"$\"},\"segment\":\"commercial\","
    "\"country\":\"US\",\"isPurchasable\":true,\"isRenewable\":true,"
    "\"terms\":[{\"id\":\"t1\",\"duration\":\"P1M\",\"description\":\"One Month\","
    "\"billingCycle\":\"Monthly\"},"
    "{\"duration\":\"P1Y\",\"description\":\"One Year\",\"billingCycle\":\"Annual\","
    "\"renewalOptions\":[{\"termDuration\":\"P1Y\",\"description\":\"One year\"},"
    "{\"termDuration\":\"P1M\",\"description\":\"One month\"}]},"
    "{\"duration\":\"P1Y\",\"description\":\"One Year\",\"billingCycle\":\"Monthly\"}],"
    "\"links\":{\"self\":{\"uri\":\"/products/CFQ7TTC0LH0Z/skus/0001/availabilities/"
    "CFQ7TTC0K18P?country=US\",\"method\":\"GET\",\"headers\":[]}},"
    "\"attributes\":{\"objectType\":\"Availability\"}}";

static const char *OFFER_JSON =
    "{\"id\":\"MS-AZR-0145P\",\"name\":\"Microsoft Azure\",\"description\":\"Pay as you go\","
    "\"minimumQuantity\":1,\"maximumQuantity\":1,\"isTrial\":false,\"isAddOn\":false,"
    "\"billing\":\"usage\",\"supportedBillingCycles\":[\"monthly\"],"
    "\"category\":{\"id\":\"Azure\",\"name\":\"Azure\"},\"country\":\"US\","
    "\"links\":{\"self\":{\"uri\":\"/offers/MS-AZR-0145P?country=US\",\"method\":\"GET\","
    "\"headers\":[]}},\"attributes\":{\"objectType\":\"Offer\"}}";

/* ----- round trips ----- */

static void test_product_round_trip(void **state) {
  (void)state;
  cJSON *json = parse(PRODUCT_JSON);
  Product product = {0};
  assert_true(product_from_json(&product, json));
  assert_string_equal(product.id, "DZH318Z0BQ36");
  assert_string_equal(product.product_type.id, "Azure");
  assert_string_equal(product.product_type.sub_type_id, "VirtualMachines");
  assert_string_equal(product.product_type.sub_type_display_name, "Virtual Machines");
  assert_true(product.is_microsoft_product.set && product.is_microsoft_product.value);
  assert_int_equal(product.links.count, 1);
  assert_string_equal(product.object_type, "Product");
  cJSON *out = product_to_json(&product);
  assert_json_text(out, PRODUCT_JSON);
  cJSON_Delete(out);
  cJSON_Delete(json);
  product_clear(&product);
  assert_null(product.id);
}

static void test_sku_round_trip(void **state) {
  (void)state;
  cJSON *json = parse(SKU_JSON);
  Sku sku = {0};
  assert_true(sku_from_json(&sku, json));
  assert_string_equal(sku.product_id, "DZH318Z0BQ36");
  assert_true(sku.minimum_quantity.set);
  assert_int_equal(sku.maximum_quantity.value, 999999999);
  assert_int_equal(sku.provisioning_variables.count, 2);
  assert_string_equal(sku.provisioning_variables.items[1], "SubscriptionId");
  assert_int_equal(sku.inventory_variables.count, 3);
  assert_true(sku.enforce_attestation.set);
  assert_false(sku.enforce_attestation.value);
  assert_string_equal(sku.attestation_type, "None");
  cJSON *out = sku_to_json(&sku);
  assert_json_text(out, SKU_JSON);
  cJSON_Delete(out);
  cJSON_Delete(json);
  sku_clear(&sku);
}

static void test_availability_round_trip(void **state) {
  (void)state;
  cJSON *json = parse(AVAILABILITY_JSON);
  Availability a = {0};
  assert_true(availability_from_json(&a, json));
  assert_string_equal(a.catalog_item_id, "CFQ7TTC0LH0Z:0001:CFQ7TTC0K18P");
  assert_string_equal(a.currency_code, "USD");
  assert_string_equal(a.currency_symbol, "$");
  assert_int_equal(a.term_count, 3);
  assert_int_equal(a.terms[0].billing_cycle, BILLING_CYCLE_MONTHLY);
  assert_int_equal(a.terms[1].billing_cycle, BILLING_CYCLE_ANNUAL);
  assert_int_equal(a.terms[1].renewal_option_count, 2);
  assert_string_equal(a.terms[1].renewal_options[1].term_duration, "P1M");
  cJSON *out = availability_to_json(&a);
  /* Billing cycles of terms are written PascalCase, as availabilities spell them. */
  assert_json_text(out, AVAILABILITY_JSON);
  cJSON_Delete(out);
  cJSON_Delete(json);
  availability_clear(&a);
}

static void test_offer_round_trip(void **state) {
  (void)state;
  cJSON *json = parse(OFFER_JSON);
  Offer offer = {0};
  assert_true(offer_from_json(&offer, json));
  assert_string_equal(offer.category, "Azure");
  assert_string_equal(offer.billing, "usage");
  assert_true(offer.is_addon.set);
  assert_false(offer.is_addon.value);
  cJSON *out = offer_to_json(&offer);
  assert_json_text(out, OFFER_JSON);
  cJSON_Delete(out);
  cJSON_Delete(json);
  offer_clear(&offer);
}

/* ----- tolerant reading ----- */

static void test_tolerant_reading(void **state) {
  (void)state;
  /* PascalCase names, nulls for absent values, unknown members, numeric and PascalCase
   * billing cycles, a category given as a plain string. */
  cJSON *json =
      parse("{\"Id\":\"ABC\",\"ProductId\":\"P\",\"Title\":null,\"MinimumQuantity\":\"5\","
            "\"IsTrial\":null,\"SupportedBillingCycles\":[\"OneTime\",1,\"weird\"],"
            "\"ProvisioningVariables\":[\"Scope\"],\"DynamicAttributes\":{\"x\":1},"
            "\"AttestationProperties\":null,\"Links\":null}");
  Sku sku = {0};
  assert_true(sku_from_json(&sku, json));
  assert_string_equal(sku.id, "ABC");
  assert_null(sku.title);
  assert_true(sku.minimum_quantity.set);
  assert_int_equal(sku.minimum_quantity.value, 5);
  assert_false(sku.is_trial.set);
  assert_int_equal(sku.supported_billing_cycles.count, 3);
  assert_string_equal(sku.supported_billing_cycles.items[0], "one_time");
  assert_string_equal(sku.supported_billing_cycles.items[1], "monthly");
  assert_string_equal(sku.supported_billing_cycles.items[2], "weird");
  assert_false(sku.enforce_attestation.set);
  cJSON *out = sku_to_json(&sku);
  assert_null(cJSON_GetObjectItemCaseSensitive(out, "attestationProperties"));
  assert_null(cJSON_GetObjectItemCaseSensitive(out, "title"));
  cJSON_Delete(out);
  sku_clear(&sku);
  cJSON_Delete(json);

  json = parse("{\"ID\":\"X-1\",\"Category\":\"OnlineServices\",\"IsAddOn\":true,"
               "\"SupportedBillingCycles\":[\"Annual\"]}");
  Offer offer = {0};
  assert_true(offer_from_json(&offer, json));
  assert_string_equal(offer.id, "X-1");
  assert_string_equal(offer.category, "OnlineServices");
  assert_true(offer.is_addon.value);
  assert_string_equal(offer.supported_billing_cycles.items[0], "annual");
  offer_clear(&offer);
  cJSON_Delete(json);

  json =
      parse("{\"Terms\":[{\"Duration\":\"P1M\",\"BillingCycle\":3,\"RenewalOptions\":"
            "[{\"TermDuration\":\"P1Y\"}]},7,{\"duration\":\"P1Y\"}],\"IsPurchasable\":\"false\"}");
  Availability a = {0};
  assert_true(availability_from_json(&a, json));
  assert_int_equal(a.term_count, 2); /* the 7 is not a term */
  assert_int_equal(a.terms[0].billing_cycle, BILLING_CYCLE_NONE);
  assert_int_equal(a.terms[0].renewal_option_count, 1);
  assert_int_equal(a.terms[1].billing_cycle, BILLING_CYCLE_UNSET);
  assert_true(a.is_purchasable.set);
  assert_false(a.is_purchasable.value);
  availability_clear(&a);
  cJSON_Delete(json);

  /* subType as a bare string. */
  json = parse("{\"id\":\"P\",\"productType\":{\"id\":\"Software\",\"subType\":\"Perpetual\"}}");
  Product product = {0};
  assert_true(product_from_json(&product, json));
  assert_string_equal(product.product_type.sub_type_id, "Perpetual");
  product_clear(&product);
  cJSON_Delete(json);

  /* Not an object: refused, the target left empty. */
  json = parse("[1,2]");
  assert_false(product_from_json(&product, json));
  assert_false(sku_from_json(&sku, json));
  assert_false(availability_from_json(&a, json));
  assert_false(offer_from_json(&offer, json));
  assert_null(product.id);
  cJSON_Delete(json);
}

/* A value with an unset object_type gets the resource's type on the wire. */
static void test_default_object_types(void **state) {
  (void)state;
  Product product = {.id = "P"};
  cJSON *json = product_to_json(&product);
  assert_json_text(json, "{\"id\":\"P\",\"attributes\":{\"objectType\":\"Product\"}}");
  cJSON_Delete(json);
  Availability a = {.id = "A"};
  json = availability_to_json(&a);
  assert_json_text(json, "{\"id\":\"A\",\"attributes\":{\"objectType\":\"Availability\"}}");
  cJSON_Delete(json);
}

/* ----- copies ----- */

static void test_deep_copies(void **state) {
  (void)state;
  cJSON *json = parse(AVAILABILITY_JSON);
  Availability a = {0};
  Availability b = {0};
  assert_true(availability_from_json(&a, json));
  assert_true(availability_copy(&b, &a));
  assert_ptr_not_equal(a.id, b.id);
  assert_ptr_not_equal(a.terms, b.terms);
  assert_ptr_not_equal(a.terms[1].renewal_options, b.terms[1].renewal_options);
  assert_string_equal(b.terms[1].renewal_options[0].term_duration, "P1Y");
  availability_clear(&a);
  /* The copy survives its source. */
  assert_string_equal(b.catalog_item_id, "CFQ7TTC0LH0Z:0001:CFQ7TTC0K18P");
  cJSON *out = availability_to_json(&b);
  assert_json_text(out, AVAILABILITY_JSON);
  cJSON_Delete(out);
  availability_clear(&b);
  cJSON_Delete(json);

  Promotion p = {.id = "PROMO",
                 .product_id = "CFQ7TTC0LH0Z",
                 .term_duration = "P1Y",
                 .billing_cycle = BILLING_CYCLE_ANNUAL};
  Promotion q = {0};
  assert_true(promotion_copy(&q, &p));
  assert_ptr_not_equal(q.id, p.id);
  assert_string_equal(q.product_id, "CFQ7TTC0LH0Z");
  assert_null(q.sku_id);
  assert_int_equal(q.billing_cycle, BILLING_CYCLE_ANNUAL);
  promotion_clear(&q);

  /* Copying over a filled value replaces it without leaking (valgrind checks). */
  json = parse(SKU_JSON);
  Sku s1 = {0};
  Sku s2 = {0};
  assert_true(sku_from_json(&s1, json));
  assert_true(sku_from_json(&s2, json));
  s1.is_trial = opt_bool(true);
  assert_true(sku_copy(&s2, &s1));
  assert_true(s2.is_trial.value);
  sku_clear(&s1);
  sku_clear(&s2);
  cJSON_Delete(json);
}

/* ----- promotions ----- */

/* promotion-resources.md's shape: the product, SKU and term in requiredProducts. */
static const char *PROMOTION_JSON =
    "{\"id\":\"39NFJQT1Q5KV:0002:39NFJQT1Q5KW\","
    "\"name\":\"Microsoft 365 Business Basic: 15% off\","
    "\"description\":\"15% off the first year.\","
    "\"requiredProducts\":[{\"productId\":\"CFQ7TTC0LH18\",\"skuId\":\"0001\","
    "\"term\":{\"duration\":\"P1Y\",\"billingCycle\":\"Annual\"}}],"
    "\"attributes\":{\"objectType\":\"ProductPromotion\"}}";

/* get-promotion-by-id.md's reply, verbatim: what a line must match (product, SKU, term and
 * billing cycle), whether the service applies it itself, its dates and its discount. */
static void test_docs_promotion(void **state) {
  (void)state;
  char *raw = fixture_read("docs-promotion-response.json");
  assert_non_null(raw);
  char *text = fixture_normalize_doc_json(raw);
  free(raw);
  cJSON *json = text ? cJSON_Parse(text) : NULL;
  free(text);
  assert_non_null(json);
  Promotion p = {0};
  assert_true(promotion_from_json(&p, json));
  assert_string_equal(p.id, "39NFJQT1SNC7:0001:39NFJQT1Q5KM");
  assert_string_equal(p.product_id, "CFQ7TTC0LH05");
  assert_string_equal(p.sku_id, "0001");
  assert_string_equal(p.term_duration, "P1Y");
  assert_int_equal(p.billing_cycle, BILLING_CYCLE_ANNUAL);
  assert_true(p.auto_applicable.set && p.auto_applicable.value);
  assert_string_equal(p.start_date, "2023-05-03T00:00:00+00:00");
  assert_string_equal(p.end_date, "9999-01-01T00:00:00+00:00");
  assert_string_equal(p.percent_discount, "0.5");
  Promotion copy = {0};
  assert_true(promotion_copy(&copy, &p));
  cJSON *out = promotion_to_json(&copy);
  Promotion again = {0};
  assert_true(promotion_from_json(&again, out));
  assert_string_equal(again.term_duration, "P1Y");
  assert_string_equal(again.percent_discount, "0.5");
  assert_true(again.auto_applicable.value);
  promotion_clear(&again);
  cJSON_Delete(out);
  promotion_clear(&copy);
  promotion_clear(&p);
  cJSON_Delete(json);
}

/* New commerce: a SKU's dynamicAttributes (an add-on and what it needs) and a term's
 * cancellation policy (get-a-list-of-skus-for-a-product-by-customer.md,
 * get-an-availability-by-id.md) are read, copied and written in the documented nesting. */
static void test_nce_sku_and_term_attributes(void **state) {
  (void)state;
  cJSON *json = parse("{\"id\":\"0001\",\"productId\":\"CFQ7TTC0LH1G\",\"dynamicAttributes\":"
                      "{\"isMicrosoftProduct\":true,\"isAddon\":true,\"prerequisiteSkus\":"
                      "[\"CFQ7TTC0LH18:0001\",\"CFQ7TTC0LCHC:0002\"],\"internal\":false}}");
  Sku sku = {0};
  assert_true(sku_from_json(&sku, json));
  assert_true(sku.is_addon.set && sku.is_addon.value);
  assert_int_equal(sku.prerequisite_skus.count, 2);
  assert_string_equal(sku.prerequisite_skus.items[1], "CFQ7TTC0LCHC:0002");
  Sku copy = {0};
  assert_true(sku_copy(&copy, &sku));
  cJSON *out = sku_to_json(&copy);
  assert_true(cJSON_IsTrue(json_get(json_get(out, "dynamicAttributes"), "isAddon")));
  assert_int_equal(
      cJSON_GetArraySize(json_get(json_get(out, "dynamicAttributes"), "prerequisiteSkus")), 2);
  cJSON_Delete(out);
  sku_clear(&copy);
  sku_clear(&sku);
  cJSON_Delete(json);

  json = parse("{\"id\":\"CFQ7TTC0K971\",\"productId\":\"CFQ7TTC0LH18\",\"skuId\":\"0001\","
               "\"catalogItemId\":\"CFQ7TTC0LH18:0001:CFQ7TTC0K971\",\"terms\":[{\"id\":"
               "\"5aeco6mffyxo\",\"duration\":\"P1Y\",\"description\":\"One-Year commitment\","
               "\"billingCycle\":\"Annual\",\"cancellationPolicies\":[{\"refundOptions\":["
               "{\"sequenceId\":0,\"type\":\"Full\",\"expiresAfter\":\"P1D\"},"
               "{\"sequenceId\":1,\"type\":\"Partial\",\"expiresAfter\":\"P7D\"}]}]}]}");
  Availability a = {0};
  assert_true(availability_from_json(&a, json));
  assert_int_equal(a.term_count, 1);
  assert_string_equal(a.terms[0].id, "5aeco6mffyxo");
  const KeyValueList *windows = &a.terms[0].refund_windows;
  assert_int_equal(windows->count, 2);
  assert_string_equal(windows->items[0].key, "Full");
  assert_string_equal(windows->items[0].value, "P1D");
  assert_string_equal(windows->items[1].value, "P7D");
  Availability acopy = {0};
  assert_true(availability_copy(&acopy, &a));
  out = availability_to_json(&acopy);
  const cJSON *refund = cJSON_GetArrayItem(
      json_get(
          cJSON_GetArrayItem(
              json_get(cJSON_GetArrayItem(json_get(out, "terms"), 0), "cancellationPolicies"), 0),
          "refundOptions"),
      1);
  assert_string_equal(json_get(refund, "type")->valuestring, "Partial");
  assert_string_equal(json_get(refund, "expiresAfter")->valuestring, "P7D");
  cJSON_Delete(out);
  availability_clear(&acopy);
  availability_clear(&a);
  cJSON_Delete(json);
}

static void test_promotion_round_trip(void **state) {
  (void)state;
  cJSON *json = parse(PROMOTION_JSON);
  Promotion p = {0};
  assert_true(promotion_from_json(&p, json));
  assert_string_equal(p.id, "39NFJQT1Q5KV:0002:39NFJQT1Q5KW");
  assert_string_equal(p.name, "Microsoft 365 Business Basic: 15% off");
  assert_string_equal(p.description, "15% off the first year.");
  assert_string_equal(p.product_id, "CFQ7TTC0LH18");
  assert_string_equal(p.sku_id, "0001");
  assert_string_equal(p.term_duration, "P1Y");
  assert_int_equal(p.billing_cycle, BILLING_CYCLE_ANNUAL);
  cJSON *out = promotion_to_json(&p);
  assert_json_text(out, PROMOTION_JSON);
  cJSON_Delete(out);
  cJSON_Delete(json);

  /* Tolerant: PascalCase names, the cycle in cart spelling or as the .NET number, unknown
   * members ignored; absent members stay unset and are not written. */
  json = parse("{\"Id\":\"P2\",\"ProductId\":\"CFQ7TTC0LFLX\",\"BillingCycle\":5,"
               "\"startDate\":\"2024-01-01\"}");
  assert_true(promotion_from_json(&p, json));
  assert_string_equal(p.id, "P2");
  assert_null(p.sku_id);
  assert_null(p.description);
  assert_int_equal(p.billing_cycle, BILLING_CYCLE_TRIENNIAL);
  out = promotion_to_json(&p);
  /* A flat promotion (as older sandboxes served) is written in the documented shape. */
  assert_json_text(out, "{\"id\":\"P2\",\"startDate\":\"2024-01-01\",\"requiredProducts\":["
                        "{\"productId\":\"CFQ7TTC0LFLX\",\"term\":{\"billingCycle\":"
                        "\"Triennial\"}}],\"attributes\":{\"objectType\":\"ProductPromotion\"}}");
  cJSON_Delete(out);
  cJSON_Delete(json);
  json = parse("{\"id\":\"P3\",\"billingCycle\":\"monthly\"}");
  assert_true(promotion_from_json(&p, json));
  assert_int_equal(p.billing_cycle, BILLING_CYCLE_MONTHLY);
  assert_null(p.product_id);
  cJSON_Delete(json);
  promotion_clear(&p);

  /* Not an object: refused, the value untouched. */
  json = parse("[1]");
  assert_false(promotion_from_json(&p, json));
  assert_null(p.id);
  cJSON_Delete(json);
  assert_false(promotion_from_json(&p, NULL));
  assert_null(promotion_to_json(NULL));
}

/* ----- the catalog ----- */

static Catalog *small_catalog(void) {
  Catalog *c = catalog_new();
  assert_non_null(c);
  Product product = {.id = "CFQ7TTC0LH0Z", .title = "Microsoft 365 Business Basic"};
  product.product_type.id = "OnlineServices";
  assert_non_null(catalog_add_product(c, &product));
  Sku sku1 = {.id = "0001", .product_id = "CFQ7TTC0LH0Z", .title = "Basic"};
  Sku sku2 = {.id = "0002", .product_id = "CFQ7TTC0LH0Z", .title = "Basic (trial)"};
  Sku other = {.id = "0001", .product_id = "OTHER", .title = "Other"};
  assert_non_null(catalog_add_sku(c, &sku1));
  assert_non_null(catalog_add_sku(c, &other));
  assert_non_null(catalog_add_sku(c, &sku2));
  Availability a1 = {.id = "CFQ7TTC0K18P", .product_id = "CFQ7TTC0LH0Z", .sku_id = "0001"};
  AvailabilityTerm t1 = {.duration = "P1M", .billing_cycle = BILLING_CYCLE_MONTHLY};
  AvailabilityTerm t2 = {.duration = "P1Y", .billing_cycle = BILLING_CYCLE_ANNUAL};
  AvailabilityTerm t3 = {.duration = "P1Y", .billing_cycle = BILLING_CYCLE_MONTHLY};
  assert_true(availability_add_term(&a1, &t1));
  assert_true(availability_add_term(&a1, &t2));
  assert_true(availability_add_term(&a1, &t3));
  assert_non_null(catalog_add_availability(c, &a1));
  for (size_t i = 0; i < a1.term_count; i++) {
    /* The terms were deep-copied into the catalog; free the local copies. */
    free(a1.terms[i].id);
    free(a1.terms[i].duration);
    free(a1.terms[i].description);
  }
  free(a1.terms);
  Availability a2 = {.id = "CFQ7TTC0K0ZZ", .product_id = "CFQ7TTC0LH0Z", .sku_id = "0001"};
  assert_non_null(catalog_add_availability(c, &a2));
  Offer offer = {.id = "MS-AZR-0145P", .name = "Microsoft Azure"};
  assert_non_null(catalog_add_offer(c, &offer));
  Promotion promo = {.id = "39NFJQT1Q5KV:0001:39NFJQT1Q5KT", .product_id = "CFQ7TTC0LH0Z"};
  assert_non_null(catalog_add_promotion(c, &promo));
  return c;
}

static void test_catalog_lookups(void **state) {
  (void)state;
  Catalog *c = small_catalog();
  assert_int_equal(c->product_count, 1);
  assert_int_equal(c->sku_count, 3);
  assert_int_equal(c->availability_count, 2);

  const Product *p = catalog_find_product(c, "cfq7ttc0lh0z");
  assert_non_null(p);
  assert_string_equal(p->title, "Microsoft 365 Business Basic");
  assert_null(catalog_find_product(c, "CFQ7TTC0LH0"));
  assert_null(catalog_find_product(c, NULL));

  const Sku *s = catalog_find_sku(c, "CFQ7TTC0LH0Z", "0002");
  assert_non_null(s);
  assert_string_equal(s->title, "Basic (trial)");
  assert_string_equal(catalog_find_sku(c, "other", "0001")->title, "Other");
  assert_null(catalog_find_sku(c, "CFQ7TTC0LH0Z", "0003"));

  const Availability *a = catalog_find_availability(c, "CFQ7TTC0LH0Z", "0001", "cfq7ttc0k18p");
  assert_non_null(a);
  assert_int_equal(a->term_count, 3);
  assert_null(catalog_find_availability(c, "CFQ7TTC0LH0Z", "0002", "CFQ7TTC0K18P"));

  assert_non_null(catalog_find_offer(c, "ms-azr-0145p"));
  assert_null(catalog_find_offer(c, "MS-AZR-0146P"));
  assert_non_null(catalog_find_promotion(c, "39nfjqt1q5kv:0001:39nfjqt1q5kt"));
  assert_null(catalog_find_promotion(c, "nope"));
  catalog_free(c);
}

static void test_catalog_find_item(void **state) {
  (void)state;
  Catalog *c = small_catalog();
  CatalogItem item;
  assert_true(catalog_find_item(c, "cfq7ttc0lh0z:0001:CFQ7TTC0K18P", &item));
  assert_non_null(item.availability);
  assert_string_equal(item.availability->id, "CFQ7TTC0K18P");
  assert_non_null(item.sku);
  assert_string_equal(item.sku->id, "0001");
  assert_string_equal(item.sku->product_id, "CFQ7TTC0LH0Z");
  assert_non_null(item.product);
  assert_null(item.offer);

  assert_true(catalog_find_item(c, "MS-AZR-0145P", &item));
  assert_non_null(item.offer);
  assert_null(item.availability);
  assert_null(item.sku);

  assert_false(catalog_find_item(c, "CFQ7TTC0LH0Z:0001:NOPE", &item));
  assert_null(item.availability);
  assert_null(item.offer);
  assert_false(catalog_find_item(c, "CFQ7TTC0LH0Z:0001", &item));
  assert_false(catalog_find_item(c, "CFQ7TTC0LH0Z:0001:CFQ7TTC0K18P:X", &item));
  assert_false(catalog_find_item(c, "", &item));
  assert_false(catalog_find_item(c, NULL, &item));
  /* Parts are matched whole: shifting the colons names nothing. */
  assert_false(catalog_find_item(c, "CFQ7TTC0LH0Z0:001:CFQ7TTC0K18P", &item));
  catalog_free(c);
}

static void test_catalog_children(void **state) {
  (void)state;
  Catalog *c = small_catalog();
  assert_int_equal(catalog_skus_of(c, "cfq7ttc0lh0z", NULL, 0), 2);
  const Sku *skus[4] = {0};
  assert_int_equal(catalog_skus_of(c, "CFQ7TTC0LH0Z", skus, 4), 2);
  assert_string_equal(skus[0]->id, "0001");
  assert_string_equal(skus[1]->id, "0002");
  /* A short buffer is filled and never overrun. */
  const Sku *one[1] = {0};
  assert_int_equal(catalog_skus_of(c, "CFQ7TTC0LH0Z", one, 1), 1);
  assert_string_equal(one[0]->id, "0001");
  assert_int_equal(catalog_skus_of(c, "NONE", NULL, 0), 0);

  const Availability *av[4] = {0};
  assert_int_equal(catalog_availabilities_of(c, "CFQ7TTC0LH0Z", "0001", av, 4), 2);
  assert_string_equal(av[0]->id, "CFQ7TTC0K18P");
  assert_string_equal(av[1]->id, "CFQ7TTC0K0ZZ");
  assert_int_equal(catalog_availabilities_of(c, "CFQ7TTC0LH0Z", "0002", av, 4), 0);
  catalog_free(c);
}

static void test_find_term(void **state) {
  (void)state;
  Catalog *c = small_catalog();
  const Availability *a = catalog_find_availability(c, "CFQ7TTC0LH0Z", "0001", "CFQ7TTC0K18P");
  const AvailabilityTerm *t = availability_find_term(a, "P1Y", BILLING_CYCLE_MONTHLY);
  assert_ptr_equal(t, &a->terms[2]);
  t = availability_find_term(a, "p1y", BILLING_CYCLE_ANNUAL);
  assert_ptr_equal(t, &a->terms[1]);
  assert_ptr_equal(availability_find_term(a, "P1Y", BILLING_CYCLE_UNSET), &a->terms[1]);
  assert_ptr_equal(availability_find_term(a, NULL, BILLING_CYCLE_MONTHLY), &a->terms[0]);
  assert_null(availability_find_term(a, "P1M", BILLING_CYCLE_ANNUAL));
  assert_null(availability_find_term(a, "P3Y", BILLING_CYCLE_UNSET));
  assert_null(availability_find_term(NULL, "P1M", BILLING_CYCLE_UNSET));
  catalog_free(c);
}

/* Enough entries to grow the index several times; every one stays findable, and a
 * later entry with the same id replaces the earlier one in lookups. */
static void test_catalog_index_growth(void **state) {
  (void)state;
  Catalog *c = catalog_new();
  assert_non_null(c);
  char id[32];
  char title[32];
  for (int i = 0; i < 2000; i++) {
    snprintf(id, sizeof id, "PRODUCT%04d", i);
    snprintf(title, sizeof title, "Title %d", i);
    Product p = {.id = id, .title = title};
    Product *stored = catalog_add_product(c, &p);
    assert_non_null(stored);
    assert_ptr_not_equal(stored->id, id);
  }
  for (int i = 0; i < 2000; i++) {
    snprintf(id, sizeof id, "product%04d", i);
    snprintf(title, sizeof title, "Title %d", i);
    const Product *p = catalog_find_product(c, id);
    assert_non_null(p);
    assert_string_equal(p->title, title);
  }
  Product again = {.id = "PRODUCT0042", .title = "Fresh"};
  assert_non_null(catalog_add_product(c, &again));
  assert_int_equal(c->product_count, 2001);
  assert_string_equal(catalog_find_product(c, "PRODUCT0042")->title, "Fresh");
  catalog_free(c);
}

/* A Catalog filled by hand (no catalog_new, no index) still answers lookups. */
static void test_catalog_without_index(void **state) {
  (void)state;
  Product products[2] = {{.id = "A", .title = "first"}, {.id = "B", .title = "second"}};
  Offer offers[1] = {{.id = "MS-AZR-0145P"}};
  Catalog c = {.products = products, .product_count = 2, .offers = offers, .offer_count = 1};
  assert_string_equal(catalog_find_product(&c, "b")->title, "second");
  CatalogItem item;
  assert_true(catalog_find_item(&c, "ms-azr-0145p", &item));
  assert_ptr_equal(item.offer, &offers[0]);
  assert_null(c.index);
}

/* The whole catalog as one document and back: every entry of every kind, in order. */
static void test_catalog_document_round_trip(void **state) {
  (void)state;
  Catalog *c = small_catalog();
  Promotion promo = {.id = "P-ANNUAL",
                     .name = "Annual",
                     .product_id = "CFQ7TTC0LH0Z",
                     .sku_id = "0001",
                     .term_duration = "P1Y",
                     .billing_cycle = BILLING_CYCLE_ANNUAL};
  assert_non_null(catalog_add_promotion(c, &promo));
  cJSON *json = catalog_to_json(c, "cust-1", "US");
  assert_non_null(json);
  assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(json, "customerId")), "cust-1");
  assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(json, "country")), "US");
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(json, "products")), 1);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(json, "skus")), 3);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(json, "availabilities")), 2);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(json, "offers")), 1);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(json, "promotions")), 2);
  /* The members in this order (the export file's bytes depend on it). */
  const char *order[] = {"customerId",     "country", "products",   "skus",
                         "availabilities", "offers",  "promotions", "attributes"};
  size_t n = 0;
  for (const cJSON *m = json->child; m; m = m->next, n++) {
    assert_true(n < sizeof order / sizeof order[0]);
    assert_string_equal(m->string, order[n]);
  }
  assert_int_equal(n, sizeof order / sizeof order[0]);

  char err[256] = "";
  Catalog *back = catalog_from_json(json, err, sizeof err);
  assert_non_null(back);
  assert_string_equal(err, "");
  assert_int_equal(back->product_count, 1);
  assert_int_equal(back->sku_count, 3);
  assert_int_equal(back->availability_count, 2);
  assert_int_equal(back->offer_count, 1);
  assert_int_equal(back->promotion_count, 2);
  const Promotion *read = catalog_find_promotion(back, "p-annual");
  assert_non_null(read);
  assert_string_equal(read->sku_id, "0001");
  assert_string_equal(read->term_duration, "P1Y");
  assert_int_equal(read->billing_cycle, BILLING_CYCLE_ANNUAL);
  assert_int_equal(
      catalog_find_availability(back, "CFQ7TTC0LH0Z", "0001", "CFQ7TTC0K18P")->term_count, 3);
  /* Written again, the document is the same text. */
  cJSON *again = catalog_to_json(back, "cust-1", "US");
  char *first = cJSON_PrintUnformatted(json);
  char *second = cJSON_PrintUnformatted(again);
  assert_string_equal(first, second);
  free(first);
  free(second);
  cJSON_Delete(again);
  catalog_free(back);
  cJSON_Delete(json);

  /* Without a customer or country they are left out. */
  json = catalog_to_json(c, NULL, NULL);
  assert_null(cJSON_GetObjectItem(json, "customerId"));
  assert_null(cJSON_GetObjectItem(json, "country"));
  cJSON_Delete(json);
  catalog_free(c);
  assert_null(catalog_to_json(NULL, NULL, NULL));
}

static void test_catalog_document_refusals(void **state) {
  (void)state;
  char err[256] = "";
  /* Any one array is enough (older exports had no promotions). */
  cJSON *json = parse("{\"offers\":[{\"id\":\"MS-AZR-0145P\"}]}");
  Catalog *c = catalog_from_json(json, err, sizeof err);
  assert_non_null(c);
  assert_int_equal(c->offer_count, 1);
  assert_int_equal(c->promotion_count, 0);
  catalog_free(c);
  cJSON_Delete(json);

  const char *not_catalogs[] = {"{\"lineItems\":[]}", "[]", "{\"products\":{}}", "\"x\""};
  for (size_t i = 0; i < sizeof not_catalogs / sizeof not_catalogs[0]; i++) {
    json = parse(not_catalogs[i]);
    err[0] = '\0';
    assert_null(catalog_from_json(json, err, sizeof err));
    assert_non_null(strstr(err, "not a catalog export"));
    cJSON_Delete(json);
  }
  assert_null(catalog_from_json(NULL, err, sizeof err));

  /* An entry that is not an object is named. */
  json = parse("{\"products\":[],\"promotions\":[{\"id\":\"P1\"},7]}");
  assert_null(catalog_from_json(json, err, sizeof err));
  assert_string_equal(err, "promotions[1] is not a JSON object.");
  /* No buffer for the sentence is fine. */
  assert_null(catalog_from_json(json, NULL, 0));
  cJSON_Delete(json);
}

static void test_collection_envelope(void **state) {
  (void)state;
  cJSON *items = cJSON_CreateArray();
  cJSON_AddItemToArray(items, cJSON_CreateString("a"));
  cJSON_AddItemToArray(items, cJSON_CreateString("b"));
  LinkList links = {0};
  assert_true(link_list_add(&links, "self", "/products?country=US", "GET"));
  cJSON *json = json_collection_take(items, &links);
  assert_json_text(json, "{\"totalCount\":2,\"items\":[\"a\",\"b\"],\"links\":{\"self\":{"
                         "\"uri\":\"/products?country=US\",\"method\":\"GET\",\"headers\":[]}},"
                         "\"attributes\":{\"objectType\":\"Collection\"}}");
  cJSON_Delete(json);
  link_list_clear(&links);

  json = json_collection_take(cJSON_CreateArray(), NULL);
  assert_json_text(json, "{\"totalCount\":0,\"items\":[],"
                         "\"attributes\":{\"objectType\":\"Collection\"}}");
  cJSON_Delete(json);
  assert_null(json_collection_take(NULL, NULL));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_product_round_trip),
      cmocka_unit_test(test_sku_round_trip),
      cmocka_unit_test(test_availability_round_trip),
      cmocka_unit_test(test_offer_round_trip),
      cmocka_unit_test(test_promotion_round_trip),
      cmocka_unit_test(test_docs_promotion),
      cmocka_unit_test(test_nce_sku_and_term_attributes),
      cmocka_unit_test(test_tolerant_reading),
      cmocka_unit_test(test_default_object_types),
      cmocka_unit_test(test_deep_copies),
      cmocka_unit_test(test_catalog_lookups),
      cmocka_unit_test(test_catalog_find_item),
      cmocka_unit_test(test_catalog_children),
      cmocka_unit_test(test_find_term),
      cmocka_unit_test(test_catalog_index_growth),
      cmocka_unit_test(test_catalog_without_index),
      cmocka_unit_test(test_catalog_document_round_trip),
      cmocka_unit_test(test_catalog_document_refusals),
      cmocka_unit_test(test_collection_envelope),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
