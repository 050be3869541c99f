/* Checkout results: the documented example, partial failures, tolerance, exact output. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "model/cart.h"
#include "model/order.h"

#define CHECKOUT_SEED "000"

static cJSON *load_doc_json(const char *fixture) {
  char *raw = fixture_read(fixture);
  assert_non_null(raw);
  char *normalized = fixture_normalize_doc_json(raw);
  free(raw);
  assert_non_null(normalized);
  cJSON *json = cJSON_Parse(normalized);
  free(normalized);
  assert_non_null(json);
  return json;
}

static char *print_json(cJSON *json) {
  assert_non_null(json);
  char *text = model_json_print(json);
  cJSON_Delete(json);
  assert_non_null(text);
  return text;
}

static CartCheckoutResult *parse_ok(const char *text) {
  char err[160] = "";
  CartCheckoutResult *result = checkout_result_parse(text, err, sizeof err);
  if (!result) {
    fail_msg("checkout_result_parse failed: %s", err);
  }
  return result;
}

static void test_fixture_is_verbatim(void **state) {
  (void)state;
  char *from_seed = fixture_seed_json_block(CHECKOUT_SEED, 1);
  if (!from_seed) {
    assert_false(fixture_seeds_available());
    skip();
  }
  char *stored = fixture_read("docs-checkout-response.json");
  assert_non_null(stored);
  assert_string_equal(stored, from_seed);
  free(stored);
  free(from_seed);
}

static void test_docs_checkout_round_trip(void **state) {
  (void)state;
  cJSON *doc = load_doc_json("docs-checkout-response.json");
  char err[160] = "";
  CartCheckoutResult *result = checkout_result_from_json(doc, err, sizeof err);
  assert_non_null(result);
  char *first = print_json(checkout_result_to_json(result));
  checkout_result_free(result);

  result = parse_ok(first);
  assert_int_equal(result->order_count, 3);
  assert_int_equal(result->order_error_count, 0);
  const Order *ri = &result->orders[1];
  assert_string_equal(ri->id, "311qiN8iFwkv-XARWMvXRYAwYKMACVqv1");
  assert_string_equal(ri->alternate_id, "0a3624c6e47d");
  assert_int_equal(ri->billing_cycle, BILLING_CYCLE_ONE_TIME);
  assert_string_equal(ri->currency_symbol, "$");
  assert_string_equal(ri->status, "pending");
  assert_int_equal(ri->line_item_count, 3);
  assert_int_equal(ri->line_items[2].line_item_number.value, 2);
  assert_string_equal(ri->line_items[2].offer_id, "DG7GMGF0DWM3:0002:DG7GMGF0DT1M");
  assert_null(ri->line_items[2].term_duration);
  assert_string_equal(result->orders[0].line_items[0].subscription_id,
                      "EF2E1307-86E6-40E3-A794-872403FBD31C");
  assert_null(result->orders[0].currency_symbol);

  char *second = print_json(checkout_result_to_json(result));
  checkout_result_free(result);
  assert_string_equal(first, second);

  cJSON *written = cJSON_Parse(second);
  assert_non_null(written);
  if (!cJSON_Compare(doc, written, true)) {
    char *expected = model_json_print(doc);
    print_error("expected:\n%s\nactual:\n%s\n", expected, second);
    free(expected);
    fail();
  }
  cJSON_Delete(written);
  cJSON_Delete(doc);
  free(first);
  free(second);
}

static void test_partial_success_exact_output(void **state) {
  (void)state;
  CartCheckoutResult *result = checkout_result_new();
  assert_non_null(result);
  Order *order = checkout_result_add_order(result);
  assert_non_null(order);
  order->id = model_strdup("f76c6b7f449d");
  order->reference_customer_id = model_strdup("cust");
  order->billing_cycle = BILLING_CYCLE_MONTHLY;
  order->currency_code = model_strdup("USD");
  OrderLineItem *line = order_add_line_item(order);
  assert_non_null(line);
  line->line_item_number = opt_int(0);
  line->offer_id = model_strdup("CFQ7TTC0LH18:0001:CFQ7TTC0K971");
  line->renews_to_term_duration = model_strdup("P1Y");
  line->quantity = opt_int(3);
  assert_true(string_list_add(&line->additional_partner_ids_on_record, "123"));
  assert_true(kv_list_add(&line->provisioning_context, "scope", "single"));
  assert_true(link_list_add(&line->links, "product", "/products/CFQ7TTC0LH18", "GET"));
  order->status = model_strdup("completed");
  order->object_type = model_strdup("Order");
  OrderError *error = checkout_result_add_error(result);
  assert_non_null(error);
  error->order_group_id = model_strdup("1");
  error->code = 800005;
  error->description = model_strdup("Create order not successful");

  char *text = print_json(checkout_result_to_json(result));
  checkout_result_free(result);
  assert_string_equal(text, "{\n"
                            "  \"orders\": [\n"
                            "    {\n"
                            "      \"id\": \"f76c6b7f449d\",\n"
                            "      \"referenceCustomerId\": \"cust\",\n"
                            "      \"billingCycle\": \"monthly\",\n"
                            "      \"currencyCode\": \"USD\",\n"
                            "      \"lineItems\": [\n"
                            "        {\n"
                            "          \"lineItemNumber\": 0,\n"
                            "          \"offerId\": \"CFQ7TTC0LH18:0001:CFQ7TTC0K971\",\n"
                            "          \"renewsTo\": {\n"
                            "            \"termDuration\": \"P1Y\"\n"
                            "          },\n"
                            "          \"quantity\": 3,\n"
                            "          \"additionalPartnerIdsOnRecord\": [\n"
                            "            \"123\"\n"
                            "          ],\n"
                            "          \"provisioningContext\": {\n"
                            "            \"scope\": \"single\"\n"
                            "          },\n"
                            "          \"links\": {\n"
                            "            \"product\": {\n"
                            "              \"uri\": \"/products/CFQ7TTC0LH18\",\n"
                            "              \"method\": \"GET\",\n"
                            "              \"headers\": []\n"
                            "            }\n"
                            "          }\n"
                            "        }\n"
                            "      ],\n"
                            "      \"status\": \"completed\",\n"
                            "      \"links\": {},\n"
                            "      \"attributes\": {\n"
                            "        \"objectType\": \"Order\"\n"
                            "      }\n"
                            "    }\n"
                            "  ],\n"
                            "  \"orderErrors\": [\n"
                            "    {\n"
                            "      \"orderGroupId\": \"1\",\n"
                            "      \"code\": 800005,\n"
                            "      \"description\": \"Create order not successful\"\n"
                            "    }\n"
                            "  ]\n"
                            "}\n");

  result = parse_ok(text);
  char *again = print_json(checkout_result_to_json(result));
  checkout_result_free(result);
  assert_string_equal(text, again);
  free(again);
  free(text);
}

static void test_tolerant_reading(void **state) {
  (void)state;
  CartCheckoutResult *result = parse_ok(
      "{\"Orders\":[{\"Id\":\"o1\",\"BillingCycle\":4,\"LineItems\":[{\"LineItemNumber\":\"0\","
      "\"OfferId\":\"X\",\"RenewsTo\":[{\"TermDuration\":\"P1M\"}],\"Quantity\":\"2\","
      "\"ProvisioningContext\":[{\"key\":\"scope\",\"value\":\"shared\"}],\"Pricing\":{}}],"
      "\"TotalPrice\":12.5,\"Links\":null,\"Attributes\":{\"ObjectType\":\"Order\"}}],"
      "\"OrderErrors\":[{\"OrderGroupId\":2,\"Code\":\"800005\",\"Description\":\"no\"},"
      "{\"orderGroupId\":\"3\",\"code\":\"weird\"}],\"unknown\":[1]}");
  assert_int_equal(result->order_count, 1);
  const Order *order = &result->orders[0];
  assert_int_equal(order->billing_cycle, BILLING_CYCLE_ONE_TIME);
  assert_string_equal(order->object_type, "Order");
  assert_int_equal(order->line_items[0].line_item_number.value, 0);
  assert_int_equal(order->line_items[0].quantity.value, 2);
  assert_string_equal(order->line_items[0].renews_to_term_duration, "P1M");
  assert_string_equal(kv_list_get(&order->line_items[0].provisioning_context, "scope"), "shared");
  assert_int_equal(result->order_error_count, 2);
  assert_string_equal(result->order_errors[0].order_group_id, "2");
  assert_int_equal(result->order_errors[0].code, 800005);
  assert_int_equal(result->order_errors[1].code, 0);
  assert_null(result->order_errors[1].description);
  checkout_result_free(result);

  /* An empty result still has its orders array. */
  result = parse_ok("{}");
  char *text = print_json(checkout_result_to_json(result));
  checkout_result_free(result);
  assert_string_equal(text, "{\n  \"orders\": []\n}\n");
  free(text);
}

static void test_order_from_json(void **state) {
  (void)state;
  cJSON *json = cJSON_Parse("{\"id\":\"o\",\"lineItems\":[{\"offerId\":\"A\"}]}");
  Order order = {0};
  assert_true(order_from_json(&order, json));
  assert_string_equal(order.id, "o");
  assert_int_equal(order.line_item_count, 1);
  assert_true(order_from_json(&order, json)); /* re-reading releases the old contents */
  assert_int_equal(order.line_item_count, 1);
  cJSON_Delete(json);
  json = cJSON_Parse("[{\"id\":\"o\"}]");
  assert_false(order_from_json(&order, json));
  assert_null(order.id);
  cJSON_Delete(json);
  order_clear(&order);
}

/* checkout-a-cart.md's new-commerce order: the line's pricing and the order's totalPrice are
 * read and written back; the id is the short hex one, equal to alternateId. */
static void test_docs_nce_order_prices(void **state) {
  (void)state;
  char *raw = fixture_read("docs-nce-order-response.json");
  assert_non_null(raw);
  char *text = fixture_normalize_doc_json(raw);
  free(raw);
  cJSON *json = text ? cJSON_Parse(text) : NULL;
  free(text);
  assert_non_null(json);
  Order order = {0};
  assert_true(order_from_json(&order, json));
  assert_string_equal(order.id, "a68736758d9c");
  assert_string_equal(order.alternate_id, order.id);
  assert_string_equal(order.status, "pending");
  assert_true(order.total_price.set);
  assert_true(order.total_price.value == 36.48);
  assert_int_equal(order.line_item_count, 1);
  const Pricing *p = &order.line_items[0].pricing;
  assert_true(p->list_price.set && p->list_price.value == 36.48);
  assert_true(p->discounted_price.set && p->prorated_price.set && p->price.set);
  assert_true(p->extended_price.set && p->extended_price.value == 36.48);
  cJSON *written = order_to_json(&order);
  assert_non_null(written);
  assert_true(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(written, "totalPrice")) ==
              36.48);
  const cJSON *line = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(written, "lineItems"), 0);
  const cJSON *pricing = cJSON_GetObjectItemCaseSensitive(line, "pricing");
  assert_true(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(pricing, "listPrice")) ==
              36.48);
  cJSON_Delete(written);
  order_clear(&order);
  cJSON_Delete(json);
}

/* A cart line's pricing comes back from the service and is shown, but is never sent. */
static void test_cart_line_pricing_is_server_owned(void **state) {
  (void)state;
  char err[160] = "";
  Cart *cart =
      cart_parse("{\"id\":\"c\",\"lineItems\":[{\"id\":0,\"catalogItemId\":\"A\","
                 "\"quantity\":15,\"pricing\":{\"listPrice\":22,\"discountedPrice\":"
                 "\"19.8\",\"proratedPrice\":9.9,\"price\":9.9,\"extendedPrice\":148.5}}]}",
                 err, sizeof err);
  assert_non_null(cart);
  const Pricing *p = &cart->line_items.items[0].pricing;
  assert_true(p->list_price.value == 22);
  assert_true(p->discounted_price.set && p->discounted_price.value == 19.8);
  assert_true(p->extended_price.value == 148.5);
  cJSON *full_json = cart_to_json(cart);
  cJSON *request_json = cart_to_request_json(cart);
  char *full = model_json_print(full_json);
  char *request = model_json_print(request_json);
  cJSON_Delete(full_json);
  cJSON_Delete(request_json);
  assert_non_null(strstr(full, "\"extendedPrice\": 148.5"));
  assert_null(strstr(request, "pricing"));
  Cart *copy = cart_clone(cart);
  assert_true(copy->line_items.items[0].pricing.prorated_price.value == 9.9);
  cart_free(copy);
  free(full);
  free(request);
  cart_free(cart);
}

static void test_garbage_rejected(void **state) {
  (void)state;
  struct {
    const char *text;
    const char *err;
  } cases[] = {
      {"[]", "the checkout result is not a JSON object"},
      {"17", "the checkout result is not a JSON object"},
      {"\"success\"", "the checkout result is not a JSON object"},
      {"{\"orders\":{}}", "orders is not an array"},
      {"{\"orders\":[],\"orderErrors\":5}", "orderErrors is not an array"},
      {"{\"orders\":[{},\"x\"]}", "orders[1] is not an object"},
      {"{\"orders\":[{\"lineItems\":[{},[]]}]}", "orders[0].lineItems[1] is not an object"},
      {"{\"orders\":[{\"lineItems\":true}]}", "orders[0].lineItems is not an array"},
      {"{\"orderErrors\":[null]}", "orderErrors[0] is not an object"},
      {"{\"orders\":[", "the checkout result is not valid JSON"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char err[160] = "";
    CartCheckoutResult *result = checkout_result_parse(cases[i].text, err, sizeof err);
    if (result) {
      checkout_result_free(result);
      fail_msg("accepted %s", cases[i].text);
    }
    assert_string_equal(err, cases[i].err);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fixture_is_verbatim),
      cmocka_unit_test(test_docs_checkout_round_trip),
      cmocka_unit_test(test_partial_success_exact_output),
      cmocka_unit_test(test_tolerant_reading),
      cmocka_unit_test(test_docs_nce_order_prices),
      cmocka_unit_test(test_cart_line_pricing_is_server_owned),
      cmocka_unit_test(test_order_from_json),
      cmocka_unit_test(test_garbage_rejected),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
