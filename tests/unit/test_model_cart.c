/* Cart model: the documented examples, tolerance of what real clients send, exact output. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "model/cart.h"

#define CREATE_SEED "004"

/* The fixture after documentation cleanup, parsed. */
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

static Cart *parse_ok(const char *text) {
  char err[160] = "";
  Cart *cart = cart_parse(text, err, sizeof err);
  if (!cart) {
    fail_msg("cart_parse failed: %s", err);
  }
  return cart;
}

static char *print_json(cJSON *json) {
  assert_non_null(json);
  char *text = model_json_print(json);
  cJSON_Delete(json);
  assert_non_null(text);
  return text;
}

static void assert_semantically_equal(const cJSON *expected, const cJSON *actual) {
  if (!cJSON_Compare(expected, actual, true)) {
    char *e = model_json_print(expected);
    char *a = model_json_print(actual);
    print_error("expected:\n%s\nactual:\n%s\n", e, a);
    free(e);
    free(a);
    fail();
  }
}

static void assert_fixture_matches_seed(const char *fixture, const char *seed, int block) {
  char *from_seed = fixture_seed_json_block(seed, block);
  if (!from_seed) {
    assert_false(fixture_seeds_available()); /* only a missing shared/ excuses this */
    skip();
  }
  char *stored = fixture_read(fixture);
  assert_non_null(stored);
  assert_string_equal(stored, from_seed);
  free(stored);
  free(from_seed);
}

static void test_fixture_request_is_verbatim(void **state) {
  (void)state;
  assert_fixture_matches_seed("docs-create-cart-request.json", CREATE_SEED, 0);
}

static void test_fixture_response_is_verbatim(void **state) {
  (void)state;
  assert_fixture_matches_seed("docs-create-cart-response.json", CREATE_SEED, 1);
}

/* parse -> write -> parse -> write is stable, and returns the text of the second write. */
static char *assert_round_trip_stable(const cJSON *json) {
  char err[160] = "";
  Cart *cart = cart_from_json(json, err, sizeof err);
  if (!cart) {
    fail_msg("cart_from_json failed: %s", err);
  }
  char *first = print_json(cart_to_json(cart));
  cart_free(cart);
  cart = parse_ok(first);
  char *second = print_json(cart_to_json(cart));
  cart_free(cart);
  assert_string_equal(first, second);
  free(first);
  return second;
}

static void test_docs_response_round_trip(void **state) {
  (void)state;
  cJSON *doc = load_doc_json("docs-create-cart-response.json");
  char *text = assert_round_trip_stable(doc);
  cJSON *written = cJSON_Parse(text);
  assert_non_null(written);
  assert_semantically_equal(doc, written);

  Cart *cart = parse_ok(text);
  assert_string_equal(cart->id, "3655b1a0-b1c9-4268-9824-577fdbc4d0be");
  assert_int_equal(cart->status, CART_STATUS_ACTIVE);
  assert_string_equal(cart->object_type, "Cart");
  assert_int_equal(cart->line_items.count, 6);
  const CartLineItem *trial = &cart->line_items.items[5];
  assert_int_equal(trial->id.value, 5);
  assert_int_equal(trial->quantity.value, 10);
  assert_int_equal(trial->billing_cycle, BILLING_CYCLE_NONE);
  assert_string_equal(trial->renews_to_term_duration, "P1Y");
  assert_string_equal(trial->order_group, "2");
  assert_string_equal(kv_list_get(&cart->line_items.items[1].provisioning_context, "scope"),
                      "shared");
  const Link *self = link_list_get(&cart->links, "self");
  assert_non_null(self);
  assert_string_equal(self->method, "GET");
  cart_free(cart);
  cJSON_Delete(written);
  cJSON_Delete(doc);
  free(text);
}

static void test_docs_request_round_trip(void **state) {
  (void)state;
  cJSON *doc = load_doc_json("docs-create-cart-request.json");
  char *text = assert_round_trip_stable(doc);
  free(text);

  char err[160] = "";
  Cart *cart = cart_from_json(doc, err, sizeof err);
  assert_non_null(cart);
  assert_int_equal(cart->line_items.count, 6);
  assert_int_equal(cart->line_items.items[2].billing_cycle, BILLING_CYCLE_ONE_TIME);
  assert_string_equal(kv_list_get(&cart->line_items.items[2].provisioning_context, "scope"),
                      "single");
  cJSON *request = cart_to_request_json(cart);
  assert_non_null(request);
  assert_semantically_equal(doc, request);
  cJSON_Delete(request);
  cart_free(cart);
  cJSON_Delete(doc);
}

/* create-a-cart.md's new-commerce request, verbatim: every participant is kept, in order, and
 * sent back as it came (a map would keep one additional reseller and drop the other). */
static void test_docs_nce_request_keeps_every_participant(void **state) {
  (void)state;
  char *raw = fixture_read("docs-nce-create-cart-request.json");
  assert_non_null(raw);
  Cart *cart = parse_ok(raw);
  free(raw);
  assert_int_equal(cart->line_items.count, 2);
  assert_string_equal(cart->line_items.items[0].custom_term_end_date, "2022-02-19T00:00:00Z");
  const KeyValueList *p = &cart->line_items.items[1].participants;
  assert_int_equal(p->count, 3);
  static const char *const keys[] = {"transaction_reseller", "additional_transaction_reseller",
                                     "additional_transaction_reseller"};
  static const char *const values[] = {"5357564", "517285", "5357563"};
  for (size_t i = 0; i < 3; i++) {
    assert_string_equal(p->items[i].key, keys[i]);
    assert_string_equal(p->items[i].value, values[i]);
  }
  /* The request body sends all three, in order; reading it again gives the same line. */
  char *body = print_json(cart_to_request_json(cart));
  Cart *again = parse_ok(body);
  const KeyValueList *q = &again->line_items.items[1].participants;
  assert_int_equal(q->count, 3);
  for (size_t i = 0; i < 3; i++) {
    assert_string_equal(q->items[i].key, keys[i]);
    assert_string_equal(q->items[i].value, values[i]);
  }
  /* A copy keeps them too (the app copies lines into its draft and its jobs). */
  Cart *copy = cart_clone(again);
  assert_non_null(copy);
  assert_int_equal(copy->line_items.items[1].participants.count, 3);
  cart_free(copy);
  cart_free(again);
  free(body);
  cart_free(cart);
}

static void test_request_omits_server_fields(void **state) {
  (void)state;
  cJSON *doc = load_doc_json("docs-create-cart-response.json");
  Cart *cart = cart_from_json(doc, NULL, 0);
  cJSON_Delete(doc);
  assert_non_null(cart);
  cart->partner_on_record_attestation_accepted = opt_bool(true);
  cart->line_items.items[0].error = cart_error_new(CART_ERROR_INVALID_INPUT, "bad");
  assert_non_null(cart->line_items.items[0].error);
  char *text = print_json(cart_to_request_json(cart));
  cart_free(cart);
  const char *server_owned[] = {
      "\"id\": \"", "creationTimestamp", "lastModified", "expiration",   "status",
      "links",      "attributes",        "error",        "currencyCode", "orderGroup"};
  for (size_t i = 0; i < sizeof server_owned / sizeof server_owned[0]; i++) {
    if (strstr(text, server_owned[i])) {
      fail_msg("request contains %s:\n%s", server_owned[i], text);
    }
  }
  assert_non_null(strstr(text, "{\n  \"partnerOnRecordAttestationAccepted\": true,\n"
                               "  \"lineItems\": [\n    {\n      \"id\": 0,\n"));
  assert_non_null(strstr(text, "\"renewsTo\": {\n        \"termDuration\": \"P1Y\"\n      }"));
  free(text);
}

static void test_dotnet_pascal_case_body(void **state) {
  (void)state;
  const char *body =
      "{\"Id\":null,\"CreationTimestamp\":null,\"LastModifiedTimestamp\":null,"
      "\"ExpirationTimestamp\":null,\"LastModifiedUser\":null,\"Status\":null,"
      "\"PartnerOnRecordAttestationAccepted\":true,"
      "\"LineItems\":[{\"Id\":0,\"CatalogItemId\":\"CFQ7TTC0LH18:0001:CFQ7TTC0K971\","
      "\"FriendlyName\":\"Microsoft 365 Business Basic\",\"Quantity\":2,\"CurrencyCode\":null,"
      "\"BillingCycle\":\"Monthly\",\"TermDuration\":\"P1M\",\"PromotionId\":null,"
      "\"CustomTermEndDate\":null,\"AttestationAccepted\":null,"
      "\"Participants\":[{\"Key\":\"transaction_reseller\",\"Value\":\"5357564\"}],"
      "\"ProvisioningContext\":{\"SubscriptionId\":null,\"Scope\":\"single\"},"
      "\"RenewsTo\":null,\"OrderGroup\":null,\"PurchaseSystem\":\"Modern\","
      "\"AddonItems\":null,\"Error\":null,"
      "\"Links\":null,\"Attributes\":{\"ObjectType\":\"CartLineItem\"}}],"
      "\"Links\":null,\"Attributes\":{\"ObjectType\":\"Cart\"}}";
  Cart *cart = parse_ok(body);
  assert_null(cart->id);
  assert_int_equal(cart->status, CART_STATUS_UNSET);
  assert_true(cart->partner_on_record_attestation_accepted.set);
  assert_true(cart->partner_on_record_attestation_accepted.value);
  assert_int_equal(cart->links.count, 0);
  assert_string_equal(cart->object_type, "Cart");
  assert_int_equal(cart->line_items.count, 1);
  const CartLineItem *line = &cart->line_items.items[0];
  assert_true(line->id.set);
  assert_int_equal(line->id.value, 0);
  assert_string_equal(line->catalog_item_id, "CFQ7TTC0LH18:0001:CFQ7TTC0K971");
  assert_int_equal(line->quantity.value, 2);
  assert_null(line->currency_code);
  assert_int_equal(line->billing_cycle, BILLING_CYCLE_MONTHLY);
  assert_false(line->attestation_accepted.set);
  assert_null(line->renews_to_term_duration);
  assert_null(line->error);
  assert_string_equal(kv_list_get(&line->participants, "transaction_reseller"), "5357564");
  assert_int_equal(line->provisioning_context.count, 1);
  assert_string_equal(kv_list_get(&line->provisioning_context, "scope"), "single");
  assert_string_equal(line->purchase_system, "Modern");

  char *text = print_json(cart_to_request_json(cart));
  cart_free(cart);
  assert_string_equal(text, "{\n"
                            "  \"partnerOnRecordAttestationAccepted\": true,\n"
                            "  \"lineItems\": [\n"
                            "    {\n"
                            "      \"id\": 0,\n"
                            "      \"catalogItemId\": \"CFQ7TTC0LH18:0001:CFQ7TTC0K971\",\n"
                            "      \"friendlyName\": \"Microsoft 365 Business Basic\",\n"
                            "      \"quantity\": 2,\n"
                            "      \"billingCycle\": \"monthly\",\n"
                            "      \"termDuration\": \"P1M\",\n"
                            "      \"participants\": [\n"
                            "        {\n"
                            "          \"key\": \"transaction_reseller\",\n"
                            "          \"value\": \"5357564\"\n"
                            "        }\n"
                            "      ],\n"
                            "      \"provisioningContext\": {\n"
                            "        \"Scope\": \"single\"\n"
                            "      },\n"
                            "      \"purchaseSystem\": \"Modern\"\n"
                            "    }\n"
                            "  ]\n"
                            "}\n");
  free(text);
}

static void test_enums_as_integers(void **state) {
  (void)state;
  Cart *cart =
      parse_ok("{\"status\":\"ordered\",\"lineItems\":["
               "{\"id\":0,\"billingCycle\":4},{\"id\":1,\"billingCycle\":2},"
               "{\"id\":2,\"billingCycle\":\"OneTime\"},{\"id\":3,\"billingCycle\":0},"
               "{\"id\":4,\"billingCycle\":\"quarterly\"},{\"id\":5,\"billingCycle\":[]}]}");
  assert_int_equal(cart->status, CART_STATUS_ORDERED);
  const BillingCycle expected[] = {BILLING_CYCLE_ONE_TIME, BILLING_CYCLE_ANNUAL,
                                   BILLING_CYCLE_ONE_TIME, BILLING_CYCLE_UNKNOWN,
                                   BILLING_CYCLE_UNKNOWN,  BILLING_CYCLE_UNSET};
  assert_int_equal(cart->line_items.count, 6);
  for (size_t i = 0; i < 6; i++) {
    assert_int_equal(cart->line_items.items[i].billing_cycle, expected[i]);
  }
  char *text = print_json(cart_line_item_to_json(&cart->line_items.items[0]));
  assert_string_equal(text, "{\n  \"id\": 0,\n  \"billingCycle\": \"one_time\"\n}\n");
  free(text);
  text = print_json(cart_to_json(cart));
  assert_non_null(strstr(text, "\"status\": \"Ordered\""));
  free(text);
  cart_free(cart);
}

static void test_error_code_forms(void **state) {
  (void)state;
  Cart *cart =
      parse_ok("{\"lineItems\":["
               "{\"id\":0,\"error\":{\"errorCode\":10001,\"errorDescription\":\"bad id\"}},"
               "{\"id\":1,\"error\":{\"errorCode\":\"10015\",\"errorDescription\":\"too many\","
               "\"additionalInformation\":{\"max\":\"300\"}}},"
               "{\"id\":2,\"error\":{\"ErrorCode\":\"catalog_item_id_is_not_valid\"}},"
               "{\"id\":3,\"error\":{\"errorCode\":\"MaxAllowedSeatsPerSubscriptionExceeded\"}},"
               "{\"id\":4,\"error\":{\"errorCode\":\"some_new_code\",\"errorDescription\":\"?\"}},"
               "{\"id\":5,\"error\":{\"errorCode\":400039}},"
               "{\"id\":6,\"error\":\"not an object\"}]}");
  const CartLineItemList *lines = &cart->line_items;
  assert_int_equal(lines->count, 7);
  assert_int_equal(lines->items[0].error->error_code, 10001);
  assert_string_equal(lines->items[0].error->error_description, "bad id");
  assert_int_equal(lines->items[1].error->error_code, 10015);
  assert_string_equal(kv_list_get(&lines->items[1].error->additional_information, "max"), "300");
  assert_int_equal(lines->items[2].error->error_code, CART_ERROR_CATALOG_ITEM_ID_NOT_VALID);
  assert_int_equal(lines->items[3].error->error_code,
                   CART_ERROR_MAX_SEATS_PER_SUBSCRIPTION_EXCEEDED);
  assert_int_equal(lines->items[4].error->error_code, CART_ERROR_UNKNOWN);
  assert_string_equal(lines->items[4].error->error_code_text, "some_new_code");
  assert_null(lines->items[0].error->error_code_text);
  assert_int_equal(lines->items[5].error->error_code, CART_ERROR_TERM_NOT_SUPPORTED);
  assert_null(lines->items[6].error);

  char *text = print_json(cart_error_to_json(lines->items[1].error));
  assert_string_equal(text, "{\n"
                            "  \"errorCode\": 10015,\n"
                            "  \"errorDescription\": \"too many\",\n"
                            "  \"additionalInformation\": {\n"
                            "    \"max\": \"300\"\n"
                            "  }\n"
                            "}\n");
  free(text);
  text = print_json(cart_error_to_json(lines->items[4].error));
  assert_string_equal(text, "{\n"
                            "  \"errorCode\": \"some_new_code\",\n"
                            "  \"errorDescription\": \"?\",\n"
                            "  \"additionalInformation\": {}\n"
                            "}\n");
  free(text);
  cart_free(cart);
}

static void test_error_code_names(void **state) {
  (void)state;
  const long codes[] = {0,     10000, 10001, 10002, 10003, 10004, 10006, 10007, 10008, 10009, 10010,
                        10011, 10012, 10013, 10014, 10015, 10016, 10017, 10018, 10019, 500600};
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    const char *name = cart_error_code_name(codes[i]);
    if (!name) {
      fail_msg("no name for %ld", codes[i]);
    }
    assert_int_equal(cart_error_code_parse(name), codes[i]);
  }
  assert_string_equal(cart_error_code_name(10001), "catalog_item_id_is_not_valid");
  assert_string_equal(cart_error_code_name(10015), "max_allowed_seats_per_subscription_exceeded");
  assert_string_equal(cart_error_code_name(500600), "legacy_offer_not_eligible_for_purchase");
  assert_null(cart_error_code_name(400039));
  assert_null(cart_error_code_name(10005));
  assert_int_equal(cart_error_code_parse("CatalogItemIdIsNotValid"), 10001);
  assert_int_equal(cart_error_code_parse("SubscriptionIsNotEnabledForRI"), 10008);
  assert_int_equal(cart_error_code_parse("400039"), 400039);
  assert_int_equal(cart_error_code_parse("no_such_code"), -1);
  assert_int_equal(cart_error_code_parse(""), -1);
  assert_int_equal(cart_error_code_parse(NULL), -1);
}

static void test_renews_to_forms(void **state) {
  (void)state;
  Cart *cart = parse_ok("{\"lineItems\":[{\"renewsTo\":{\"termDuration\":\"P1Y\"}},"
                        "{\"renewsTo\":[{\"termDuration\":\"P1M\"}]},{\"renewsTo\":[]},"
                        "{\"renewsTo\":\"P1Y\"}]}");
  assert_string_equal(cart->line_items.items[0].renews_to_term_duration, "P1Y");
  assert_string_equal(cart->line_items.items[1].renews_to_term_duration, "P1M");
  assert_null(cart->line_items.items[2].renews_to_term_duration);
  assert_null(cart->line_items.items[3].renews_to_term_duration);
  /* Written back as the object the service sends. */
  char *text = print_json(cart_line_item_to_json(&cart->line_items.items[1]));
  assert_string_equal(text, "{\n  \"renewsTo\": {\n    \"termDuration\": \"P1M\"\n  }\n}\n");
  free(text);
  cart_free(cart);
}

static void test_unknown_and_wrong_typed_fields(void **state) {
  (void)state;
  Cart *cart = parse_ok("{\"futureField\":{\"deep\":[1,2]},\"lineItems\":[{\"id\":\"x\","
                        "\"catalogItemId\":42,\"quantity\":\"abc\",\"somethingNew\":true,"
                        "\"attestationAccepted\":\"yes\",\"provisioningContext\":[1,2]},"
                        "{\"id\":\"1\",\"quantity\":\"3\",\"catalogItemId\":\"A\"},"
                        "{\"quantity\":2.5}]}");
  const CartLineItem *bad = &cart->line_items.items[0];
  assert_false(bad->id.set);
  assert_true(bad->id_not_integer); /* the validator refuses it; a missing id is fine */
  assert_false(cart->line_items.items[2].id_not_integer);
  assert_null(bad->catalog_item_id);
  assert_false(bad->quantity.set);
  assert_false(bad->attestation_accepted.set);
  assert_int_equal(bad->provisioning_context.count, 0);
  const CartLineItem *good = &cart->line_items.items[1];
  assert_int_equal(good->id.value, 1);
  assert_int_equal(good->quantity.value, 3);
  assert_false(cart->line_items.items[2].quantity.set);
  char *text = print_json(cart_to_json(cart));
  assert_null(strstr(text, "futureField"));
  assert_null(strstr(text, "somethingNew"));
  free(text);
  cart_free(cart);
}

static void test_garbage_rejected(void **state) {
  (void)state;
  struct {
    const char *text;
    const char *err;
  } cases[] = {
      {"[1,2,3]", "the cart is not a JSON object"},
      {"42", "the cart is not a JSON object"},
      {"\"cart\"", "the cart is not a JSON object"},
      {"null", "the cart is not a JSON object"},
      {"{\"lineItems\":{\"id\":0}}", "lineItems is not an array"},
      {"{\"lineItems\":[{},{},7]}", "lineItems[2] is not an object"},
      {"{\"lineItems\":[{\"addonItems\":[{},[]]}]}", "lineItems[0].addonItems[1] is not an object"},
      {"{\"lineItems\":[{\"addonItems\":\"x\"}]}", "lineItems[0].addonItems is not an array"},
      {"{\"lineItems\":[", "the cart body is not valid JSON"},
      {"", "the cart body is not valid JSON"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char err[160] = "";
    Cart *cart = cart_parse(cases[i].text, err, sizeof err);
    if (cart) {
      cart_free(cart);
      fail_msg("accepted %s", cases[i].text);
    }
    assert_string_equal(err, cases[i].err);
  }
  /* Deeply nested junk: either rejected by the parser or ignored, never a crash. */
  size_t depth = 5000;
  char *deep = malloc(depth * 2 + 64);
  assert_non_null(deep);
  char *p = deep;
  p += sprintf(p, "{\"lineItems\":[{\"junk\":");
  for (size_t i = 0; i < depth; i++) {
    *p++ = '[';
  }
  for (size_t i = 0; i < depth; i++) {
    *p++ = ']';
  }
  strcpy(p, "}]}");
  char err[160] = "";
  Cart *cart = cart_parse(deep, err, sizeof err);
  assert_null(cart);
  assert_string_equal(err, "the cart body is not valid JSON");
  free(deep);

  cJSON *nested = cJSON_Parse("{\"lineItems\":[{\"provisioningContext\":{\"a\":{\"b\":{\"c\":1}}},"
                              "\"participants\":[[{\"key\":1}]],\"error\":{\"errorCode\":{}}}]}");
  cart = cart_from_json(nested, err, sizeof err);
  cJSON_Delete(nested);
  assert_non_null(cart);
  assert_int_equal(cart->line_items.items[0].provisioning_context.count, 0);
  assert_int_equal(cart->line_items.items[0].participants.count, 0);
  assert_int_equal(cart->line_items.items[0].error->error_code, 0);
  cart_free(cart);

  CartLineItem line = {0};
  cJSON *array = cJSON_Parse("[]");
  assert_false(cart_line_item_from_json(&line, array, err, sizeof err));
  assert_string_equal(err, "line item is not an object");
  cJSON_Delete(array);
}

static Cart *small_cart(void) {
  Cart *cart = cart_new();
  assert_non_null(cart);
  cart->id = model_strdup("c1");
  cart->status = CART_STATUS_ACTIVE;
  CartLineItem *line = cart_line_list_append(&cart->line_items);
  assert_non_null(line);
  line->id = opt_int(0);
  line->catalog_item_id = model_strdup("CFQ7TTC0LH18:0001:CFQ7TTC0K971");
  line->friendly_name = model_strdup("Ügyfél \"A\"\tline");
  line->quantity = opt_int(25);
  line->billing_cycle = BILLING_CYCLE_ANNUAL;
  line->term_duration = model_strdup("P1Y");
  assert_true(kv_list_add(&line->provisioning_context, "scope", "shared"));
  assert_true(link_list_add(&cart->links, "self", "/customers/x/carts/c1", "GET"));
  cart->object_type = model_strdup("Cart");
  return cart;
}

static const char small_cart_text[] =
    "{\n"
    "  \"id\": \"c1\",\n"
    "  \"status\": \"Active\",\n"
    "  \"lineItems\": [\n"
    "    {\n"
    "      \"id\": 0,\n"
    "      \"catalogItemId\": \"CFQ7TTC0LH18:0001:CFQ7TTC0K971\",\n"
    "      \"friendlyName\": \"Ügyfél \\\"A\\\"\\tline\",\n"
    "      \"quantity\": 25,\n"
    "      \"billingCycle\": \"annual\",\n"
    "      \"termDuration\": \"P1Y\",\n"
    "      \"provisioningContext\": {\n"
    "        \"scope\": \"shared\"\n"
    "      }\n"
    "    }\n"
    "  ],\n"
    "  \"links\": {\n"
    "    \"self\": {\n"
    "      \"uri\": \"/customers/x/carts/c1\",\n"
    "      \"method\": \"GET\",\n"
    "      \"headers\": []\n"
    "    }\n"
    "  },\n"
    "  \"attributes\": {\n"
    "    \"objectType\": \"Cart\"\n"
    "  }\n"
    "}\n";

static void test_print_small_cart_exactly(void **state) {
  (void)state;
  Cart *cart = small_cart();
  char *text = print_json(cart_to_json(cart));
  assert_string_equal(text, small_cart_text);
  free(text);
  cart_free(cart);
}

static void test_clone_and_remove(void **state) {
  (void)state;
  Cart *cart = small_cart();
  CartLineItem *second = cart_line_list_append(&cart->line_items);
  assert_non_null(second);
  second->id = opt_int(1);
  second->catalog_item_id = model_strdup("B");
  second->error = cart_error_new(CART_ERROR_INVALID_INPUT, "missing scope");
  assert_true(kv_list_add(&second->error->additional_information, "k", "v"));
  CartLineItem *addon = cart_line_list_append(&second->addon_items);
  assert_non_null(addon);
  addon->catalog_item_id = model_strdup("ADDON");

  Cart *copy = cart_clone(cart);
  assert_non_null(copy);
  cart_free(cart);
  assert_int_equal(copy->line_items.count, 2);
  assert_string_equal(copy->line_items.items[1].error->error_description, "missing scope");
  assert_string_equal(copy->line_items.items[1].addon_items.items[0].catalog_item_id, "ADDON");

  assert_false(cart_line_list_remove(&copy->line_items, 2));
  assert_true(cart_line_list_remove(&copy->line_items, 1));
  assert_int_equal(copy->line_items.count, 1);
  char *text = print_json(cart_to_json(copy));
  assert_string_equal(text, small_cart_text);
  free(text);

  CartLineItem line = {0};
  assert_true(cart_line_item_copy(&line, &copy->line_items.items[0]));
  assert_string_equal(line.friendly_name, "Ügyfél \"A\"\tline");
  assert_true(cart_line_item_copy(&line, &copy->line_items.items[0])); /* replaces, no leak */
  cart_line_item_clear(&line);
  assert_null(line.catalog_item_id);
  cart_free(copy);
}

static void test_status_parse(void **state) {
  (void)state;
  assert_int_equal(cart_status_parse("Active"), CART_STATUS_ACTIVE);
  assert_int_equal(cart_status_parse("ORDERED"), CART_STATUS_ORDERED);
  assert_int_equal(cart_status_parse("Expired"), CART_STATUS_UNKNOWN);
  assert_int_equal(cart_status_parse(NULL), CART_STATUS_UNSET);
  assert_string_equal(cart_status_wire(CART_STATUS_ACTIVE), "Active");
  assert_null(cart_status_wire(CART_STATUS_UNSET));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fixture_request_is_verbatim),
      cmocka_unit_test(test_fixture_response_is_verbatim),
      cmocka_unit_test(test_docs_response_round_trip),
      cmocka_unit_test(test_docs_request_round_trip),
      cmocka_unit_test(test_docs_nce_request_keeps_every_participant),
      cmocka_unit_test(test_request_omits_server_fields),
      cmocka_unit_test(test_dotnet_pascal_case_body),
      cmocka_unit_test(test_enums_as_integers),
      cmocka_unit_test(test_error_code_forms),
      cmocka_unit_test(test_error_code_names),
      cmocka_unit_test(test_renews_to_forms),
      cmocka_unit_test(test_unknown_and_wrong_typed_fields),
      cmocka_unit_test(test_garbage_rejected),
      cmocka_unit_test(test_print_small_cart_exactly),
      cmocka_unit_test(test_clone_and_remove),
      cmocka_unit_test(test_status_parse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
