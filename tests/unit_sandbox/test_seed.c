/* The sandbox's seed data: the catalog holds every item of the documents with the right
 * shape, and the generated customers are deterministic, unique and consistent. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fixtures.h"
#include "model/cart.h"
#include "model/validate.h"
#include "sandbox/sandbox.h"
#include "sandbox/seed.h"

/* ----- helpers ----- */

static int setup_catalog(void **state) {
  *state = seed_catalog_new();
  return *state ? 0 : -1;
}

static int teardown_catalog(void **state) {
  catalog_free(*state);
  return 0;
}

static CatalogItem find_item(const Catalog *catalog, const char *catalog_item_id) {
  CatalogItem item = {0};
  if (!catalog_find_item(catalog, catalog_item_id, &item)) {
    fail_msg("catalog item %s is missing", catalog_item_id);
  }
  return item;
}

static void assert_list(const StringList *list, const char *const *expected, size_t count) {
  assert_int_equal(list->count, count);
  for (size_t i = 0; i < count; i++) {
    assert_string_equal(list->items[i], expected[i]);
  }
}

#define ASSERT_LIST(list, ...)                                                                     \
  do {                                                                                             \
    static const char *const expected_[] = {__VA_ARGS__};                                          \
    assert_list((list), expected_, sizeof expected_ / sizeof expected_[0]);                        \
  } while (0)

static void assert_quantity(const Sku *sku, long min, long max) {
  assert_true(sku->minimum_quantity.set);
  assert_int_equal(sku->minimum_quantity.value, min);
  assert_true(sku->maximum_quantity.set);
  assert_int_equal(sku->maximum_quantity.value, max);
}

static void assert_has_term(const Availability *availability, const char *duration,
                            BillingCycle cycle) {
  const AvailabilityTerm *term = availability_find_term(availability, duration, cycle);
  if (!term || term->billing_cycle != cycle) {
    fail_msg("availability %s has no term %s %s", availability->id, duration,
             billing_cycle_pascal(cycle));
  }
}

static void assert_self_link(const LinkList *links, const char *uri) {
  const Link *self = link_list_get(links, "self");
  assert_non_null(self);
  assert_string_equal(self->uri, uri);
  assert_string_equal(self->method, "GET");
}

static Cart *parse_cart(const char *text) {
  char err[256] = "";
  Cart *cart = cart_parse(text, err, sizeof err);
  if (!cart) {
    fail_msg("cart does not parse: %s", err);
  }
  return cart;
}

static void print_problems(const CartProblems *problems) {
  for (size_t i = 0; i < problems->count; i++) {
    print_message("problem: line %ld code %ld %s: %s\n", problems->items[i].line_index,
                  problems->items[i].code, problems->items[i].field ? problems->items[i].field : "",
                  problems->items[i].description);
  }
}

/* Validates cart text against the seed catalog and a seed customer's subscriptions. */
static void validate_text(const Catalog *catalog, long customer, const char *text,
                          CartProblems *problems) {
  Cart *cart = parse_cart(text);
  SubscriptionList subs = {0};
  assert_true(seed_customer_subscriptions(customer, &subs));
  ValidationContext context = {.catalog = catalog, .customer_subscriptions = &subs};
  assert_true(cart_validate(cart, &context, problems));
  subscription_list_clear(&subs);
  cart_free(cart);
}

static bool problems_have(const CartProblems *problems, long line, long code) {
  for (size_t i = 0; i < problems->count; i++) {
    if (problems->items[i].line_index == line && problems->items[i].code == code) {
      return true;
    }
  }
  return false;
}

/* ----- the documents' catalog items ----- */

static void test_legacy_azure_offer(void **state) {
  CatalogItem item = find_item(*state, "MS-AZR-0145P");
  assert_non_null(item.offer);
  assert_null(item.sku);
  assert_string_equal(item.offer->id, "MS-AZR-0145P");
  assert_string_equal(item.offer->name, "Microsoft Azure");
  assert_string_equal(item.offer->billing, "usage");
  ASSERT_LIST(&item.offer->supported_billing_cycles, "monthly");
  assert_int_equal(item.offer->minimum_quantity.value, 1);
  assert_int_equal(item.offer->maximum_quantity.value, 1);
  assert_string_equal(item.offer->object_type, "Offer");
  assert_self_link(&item.offer->links, "/offers/MS-AZR-0145P?country=US");
}

static void assert_reservation_sku(const Sku *sku) {
  ASSERT_LIST(&sku->supported_billing_cycles, "one_time");
  ASSERT_LIST(&sku->purchase_prerequisites, "InventoryCheck", "AzureSubscriptionRegistration");
  ASSERT_LIST(&sku->inventory_variables, "CustomerId", "AzureSubscriptionId", "ArmRegionName");
  assert_quantity(sku, 1, 999999999);
}

static void test_reserved_instances(void **state) {
  const Catalog *catalog = *state;
  CatalogItem one = find_item(catalog, "DZH318Z0BQ36:004G:DZH318Z08C0S");
  assert_non_null(one.product);
  assert_string_equal(one.product->title, "Reserved Virtual Machine Instances");
  assert_string_equal(one.product->product_type.id, "Azure");
  assert_string_equal(one.product->product_type.sub_type_id, "VirtualMachines");
  assert_string_equal(one.sku->title, "Reserved VM Instance, Standard_NV12, US East 2, 1 Year");
  assert_reservation_sku(one.sku);
  ASSERT_LIST(&one.sku->provisioning_variables, "Scope", "SubscriptionId");
  assert_int_equal(one.availability->term_count, 1);
  assert_has_term(one.availability, "P1Y", BILLING_CYCLE_ONE_TIME);
  assert_string_equal(one.availability->catalog_item_id, "DZH318Z0BQ36:004G:DZH318Z08C0S");

  CatalogItem three = find_item(catalog, "DZH318Z0BQ36:004J:DZH318Z08B8X");
  assert_string_equal(three.sku->title, "Reserved VM Instance, Standard_NV12, US East 2, 3 Years");
  assert_reservation_sku(three.sku);
  ASSERT_LIST(&three.sku->provisioning_variables, "Scope", "SubscriptionId");
  assert_int_equal(three.availability->term_count, 1);
  assert_has_term(three.availability, "P3Y", BILLING_CYCLE_ONE_TIME);
  assert_null(availability_find_term(three.availability, "P1Y", BILLING_CYCLE_UNSET));

  /* The SKU whose form asks for a Duration: one SKU, a 1-year and a 3-year availability. */
  const Sku *skus[8];
  size_t sku_count = catalog_skus_of(catalog, "DZH318Z0BQ36", skus, 8);
  const Sku *with_duration = NULL;
  for (size_t i = 0; i < sku_count; i++) {
    if (string_list_contains_ci(&skus[i]->provisioning_variables, "Duration")) {
      with_duration = skus[i];
    }
  }
  assert_non_null(with_duration);
  assert_reservation_sku(with_duration);
  ASSERT_LIST(&with_duration->provisioning_variables, "Scope", "SubscriptionId", "Duration");
  const Availability *availabilities[4];
  assert_int_equal(
      catalog_availabilities_of(catalog, "DZH318Z0BQ36", with_duration->id, availabilities, 4), 2);
  assert_has_term(availabilities[0], "P1Y", BILLING_CYCLE_ONE_TIME);
  assert_has_term(availabilities[1], "P3Y", BILLING_CYCLE_ONE_TIME);
}

static void test_perpetual_software(void **state) {
  const char *ids[] = {"DG7GMGF0DWTL:0001:DG7GMGF0DSFM", "DG7GMGF0DWM3:0002:DG7GMGF0DT1M"};
  for (size_t i = 0; i < 2; i++) {
    CatalogItem item = find_item(*state, ids[i]);
    assert_string_equal(item.product->product_type.id, "Software");
    assert_string_equal(item.product->product_type.sub_type_id, "Perpetual");
    ASSERT_LIST(&item.sku->supported_billing_cycles, "one_time");
    assert_int_equal(item.availability->term_count, 0);
  }
  CatalogItem biztalk = find_item(*state, "DG7GMGF0DWM3:0002:DG7GMGF0DT1M");
  assert_string_equal(biztalk.sku->title, "BizTalk Server 2016 Branch");
}

static void test_saas_plan_and_trial(void **state) {
  CatalogItem plan = find_item(*state, "DZH318Z0BXWC:0002:DZH318Z0BMRV");
  assert_string_equal(plan.sku->title, "Barracuda WaaS - Medium Plan");
  assert_string_equal(plan.product->product_type.id, "SaaS");
  assert_false(plan.product->is_microsoft_product.value);
  assert_true(string_list_contains_ci(&plan.sku->supported_billing_cycles, "monthly"));
  assert_true(string_list_contains_ci(&plan.sku->supported_billing_cycles, "annual"));
  assert_has_term(plan.availability, "P1M", BILLING_CYCLE_MONTHLY);
  assert_has_term(plan.availability, "P1Y", BILLING_CYCLE_ANNUAL);

  CatalogItem trial = find_item(*state, "DZH318Z0C0WF:0001:DZH318Z0BP69");
  assert_true(trial.sku->is_trial.set && trial.sku->is_trial.value);
  ASSERT_LIST(&trial.sku->supported_billing_cycles, "none");
  assert_true(trial.sku->minimum_quantity.value <= 10 && trial.sku->maximum_quantity.value >= 10);
  assert_int_equal(trial.availability->term_count, 1);
  const AvailabilityTerm *term = &trial.availability->terms[0];
  assert_string_equal(term->duration, "P1M");
  assert_int_equal(term->billing_cycle, BILLING_CYCLE_NONE);
  assert_int_equal(term->renewal_option_count, 1);
  assert_string_equal(term->renewal_options[0].term_duration, "P1Y");
}

/* ----- new commerce ----- */

typedef struct NceCase {
  const char *product_id;
  const char *title;
  long max;
  bool three_years;
} NceCase;

static void test_new_commerce_products(void **state) {
  const Catalog *catalog = *state;
  static const NceCase cases[] = {
      {"CFQ7TTC0LH18", "Microsoft 365 Business Basic", 2000, true},
      {"CFQ7TTC0LDPB", "Microsoft 365 Business Standard", 2000, false},
      {"CFQ7TTC0LCHC", "Microsoft 365 Business Premium", 2000, true},
      {"CFQ7TTC0LFLX", "Microsoft 365 E3", 2000, true},
      {"CFQ7TTC0LH16", "Exchange Online (Plan 1)", 2000, false},
      {"CFQ7TTC0LH1G", "Microsoft Teams Phone Standard", 300, false},
      {"CFQ7TTC0LHSV", "Microsoft 365 E5 Security", 300, false},
      {"CFQ7TTC0LFK5", "Microsoft Entra ID P1", 300, false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const Product *product = catalog_find_product(catalog, cases[i].product_id);
    assert_non_null(product);
    assert_string_equal(product->title, cases[i].title);
    assert_string_equal(product->product_type.id, "OnlineServicesNCE");
    assert_true(product->is_microsoft_product.value);
    const Sku *skus[4];
    assert_true(catalog_skus_of(catalog, product->id, skus, 4) >= 1);
    const Sku *sku = skus[0];
    assert_quantity(sku, 1, cases[i].max);
    assert_false(sku->is_trial.value);
    const Availability *availabilities[2];
    assert_int_equal(catalog_availabilities_of(catalog, product->id, sku->id, availabilities, 2),
                     1);
    const Availability *a = availabilities[0];
    assert_string_equal(a->currency_code, "USD");
    assert_string_equal(a->country, "US");
    assert_has_term(a, "P1M", BILLING_CYCLE_MONTHLY);
    assert_has_term(a, "P1Y", BILLING_CYCLE_ANNUAL);
    assert_has_term(a, "P1Y", BILLING_CYCLE_MONTHLY);
    if (cases[i].three_years) {
      assert_has_term(a, "P3Y", BILLING_CYCLE_TRIENNIAL);
    } else {
      assert_null(availability_find_term(a, "P3Y", BILLING_CYCLE_UNSET));
    }
  }
  /* The reference's example and the trial of Partner-Center-PowerShell #388. */
  CatalogItem example = find_item(catalog, "CFQ7TTC0LH0Z:0001:CFQ7TTC0K18P");
  assert_has_term(example.availability, "P1M", BILLING_CYCLE_MONTHLY);
  CatalogItem trial = find_item(catalog, "CFQ7TTC0LCHC:0003:CFQ7TTC0KF52");
  assert_true(trial.sku->is_trial.value);
  assert_int_equal(trial.availability->term_count, 1);
  assert_int_equal(trial.availability->terms[0].billing_cycle, BILLING_CYCLE_NONE);
  assert_string_equal(trial.availability->terms[0].duration, "P1M");
  assert_string_equal(trial.availability->terms[0].renewal_options[0].term_duration, "P1Y");
}

static void test_attestation_sku(void **state) {
  const Catalog *catalog = *state;
  size_t enforced = 0;
  for (size_t i = 0; i < catalog->sku_count; i++) {
    const Sku *sku = &catalog->skus[i];
    if (sku->enforce_attestation.set && sku->enforce_attestation.value) {
      enforced++;
      assert_non_null(sku->attestation_type);
    }
  }
  assert_int_equal(enforced, 1);
}

static void test_promotions(void **state) {
  const Catalog *catalog = *state;
  assert_true(catalog->promotion_count >= 3);
  assert_non_null(catalog_find_promotion(catalog, "39NFJQT1Q5KV:0002:39NFJQT1Q5KW"));
  for (size_t i = 0; i < catalog->promotion_count; i++) {
    const Promotion *promotion = &catalog->promotions[i];
    assert_int_equal(strlen(promotion->id), 30);
    assert_non_null(promotion->name);
    /* Each names a SKU that sells the promoted term with the promoted billing cycle. */
    const Availability *availabilities[4];
    size_t n = catalog_availabilities_of(catalog, promotion->product_id, promotion->sku_id,
                                         availabilities, 4);
    assert_true(n >= 1);
    const AvailabilityTerm *term = availability_find_term(
        availabilities[0], promotion->term_duration, promotion->billing_cycle);
    assert_non_null(term);
    assert_int_equal(term->billing_cycle, promotion->billing_cycle);
  }
}

/* Every resource carries its Partner Center links and objectType, and every availability's
 * catalogItemId resolves to that availability. */
static void test_links_and_object_types(void **state) {
  const Catalog *catalog = *state;
  char uri[256];
  for (size_t i = 0; i < catalog->product_count; i++) {
    const Product *p = &catalog->products[i];
    assert_string_equal(p->object_type, "Product");
    snprintf(uri, sizeof uri, "/products/%s?country=US", p->id);
    assert_self_link(&p->links, uri);
    snprintf(uri, sizeof uri, "/products/%s/skus?country=US", p->id);
    assert_string_equal(link_list_get(&p->links, "skus")->uri, uri);
    assert_true(catalog_skus_of(catalog, p->id, NULL, 0) >= 1);
  }
  for (size_t i = 0; i < catalog->sku_count; i++) {
    const Sku *s = &catalog->skus[i];
    assert_string_equal(s->object_type, "Sku");
    assert_non_null(catalog_find_product(catalog, s->product_id));
    snprintf(uri, sizeof uri, "/products/%s/skus/%s?country=US", s->product_id, s->id);
    assert_self_link(&s->links, uri);
    snprintf(uri, sizeof uri, "/products/%s/skus/%s/availabilities?country=US", s->product_id,
             s->id);
    assert_string_equal(link_list_get(&s->links, "availabilities")->uri, uri);
    assert_true(catalog_availabilities_of(catalog, s->product_id, s->id, NULL, 0) >= 1);
    assert_true(s->supported_billing_cycles.count >= 1);
  }
  for (size_t i = 0; i < catalog->availability_count; i++) {
    const Availability *a = &catalog->availabilities[i];
    assert_string_equal(a->object_type, "Availability");
    snprintf(uri, sizeof uri, "%s:%s:%s", a->product_id, a->sku_id, a->id);
    assert_string_equal(a->catalog_item_id, uri);
    CatalogItem item = find_item(catalog, a->catalog_item_id);
    assert_ptr_equal(item.availability, a);
    assert_non_null(item.sku);
    snprintf(uri, sizeof uri, "/products/%s/skus/%s/availabilities/%s?country=US", a->product_id,
             a->sku_id, a->id);
    assert_self_link(&a->links, uri);
    assert_true(a->is_purchasable.value);
  }
}

/* ----- the documents' cart against the seed ----- */

/* The create-a-cart request exactly as the document shows it, annotations included. */
static const char DOC_CREATE_REQUEST[] =
    "{\n"
    "  \"lineItems\": [\n"
    "    {\n"
    "    /* Microsoft Azure Subscription */\n"
    "      \"id\": 0, \"catalogItemId\": \"MS-AZR-0145P\", \"quantity\": 1,\n"
    "      \"billingCycle\": \"monthly\", \"termDuration\": \"P1Y\"\n"
    "    },\n"
    "    {\n"
    "    /* Azure Reserved Instance */\n"
    "      \"id\": 1, \"catalogItemId\": \"DZH318Z0BQ36:004G:DZH318Z08C0S\", \"quantity\": 1,\n"
    "      \"billingCycle\": \"one_time\", \"termDuration\": \"P1Y\",\n"
    "      \"provisioningContext\": {\n"
    "        \"subscriptionId\": \"1C461A25-F729-4FA5-AADB-280947DD05E8\", \"scope\": \"shared\"\n"
    "      }\n"
    "    },\n"
    "    {\n"
    "    /* Azure Reserved Instance */\n"
    "      \"id\": 2, \"catalogItemId\": \"DZH318Z0BQ36:004J:DZH318Z08B8X\", \"quantity\": 1,\n"
    "      \"billingCycle\": \"one_time\", \"termDuration\": \"P3Y\",\n"
    "      \"provisioningContext\": {\n"
    "        \"subscriptionId\": \"1C461A25-F729-4FA5-AADB-280947DD05E8\", \"scope\": \"single\"\n"
    "      }\n"
    "    },\n"
    "    {\n"
    "    /* Perpetual Software */\n"
    "      \"id\": 3, \"catalogItemId\": \"DG7GMGF0DWTL:0001:DG7GMGF0DSFM\", \"quantity\": 1,\n"
    "      \"billingCycle\": \"one_time\"\n"
    "    },\n"
    "    {\n"
    "    /* SaaS */\n"
    "      \"id\": 4, \"catalogItemId\": \"DZH318Z0BXWC:0002:DZH318Z0BMRV\", \"quantity\": 1,\n"
    "      \"billingCycle\": \"monthly\", \"termDuration\": \"P1M\"\n"
    "    },\n"
    "  {\n"
    "    /* SaaS Free Trial */\n"
    "       \"id\": 5, \"catalogItemId\": \"DZH318Z0C0WF:0001:DZH318Z0BP69\", \"quantity\": 10,\n"
    "       \"billingCycle\": \"none\", \"termDuration\": \"P1M\",\n"
    "       \"renewsTo\": { \"termDuration\": \"P1Y\" }\n"
    "    }\n"
    "  ]\n"
    "}\n";

/* The fixture file when the project has it, else the copy above; annotations stripped. */
static char *doc_create_request(void) {
  char *raw = fixture_read("docs-create-cart-request.json");
  char *text = json_strip_annotations(raw ? raw : DOC_CREATE_REQUEST);
  free(raw);
  assert_non_null(text);
  return text;
}

static void test_document_cart_validates(void **state) {
  char *text = doc_create_request();
  CartProblems problems = {0};
  validate_text(*state, 0, text, &problems);
  print_problems(&problems);
  assert_int_equal(problems.count, 0);
  cart_problems_clear(&problems);

  /* The same cart for a customer who does not own the subscription: both reservations fail. */
  validate_text(*state, 1, text, &problems);
  assert_true(problems_have(&problems, 1, CART_ERROR_SUBSCRIPTION_NOT_VALID));
  assert_true(problems_have(&problems, 2, CART_ERROR_SUBSCRIPTION_NOT_VALID));
  assert_false(problems_have(&problems, 0, CART_ERROR_SUBSCRIPTION_NOT_VALID));
  cart_problems_clear(&problems);
  free(text);
}

static void test_checkout_response_item_validates(void **state) {
  /* The BizTalk line of the documents' create response and checkout result. */
  CartProblems problems = {0};
  validate_text(*state, 0,
                "{\"lineItems\":[{\"id\":3,\"catalogItemId\":\"DG7GMGF0DWM3:0002:DG7GMGF0DT1M\","
                "\"quantity\":1,\"billingCycle\":\"one_time\"}]}",
                &problems);
  print_problems(&problems);
  assert_int_equal(problems.count, 0);
  cart_problems_clear(&problems);
}

static void test_attestation_is_demonstrable(void **state) {
  const char *item = NULL;
  const Catalog *catalog = *state;
  for (size_t i = 0; i < catalog->availability_count && !item; i++) {
    const Sku *sku = catalog_find_sku(catalog, catalog->availabilities[i].product_id,
                                      catalog->availabilities[i].sku_id);
    if (sku->enforce_attestation.value) {
      item = catalog->availabilities[i].catalog_item_id;
    }
  }
  assert_non_null(item);
  char text[512];
  CartProblems problems = {0};
  snprintf(text, sizeof text,
           "{\"lineItems\":[{\"id\":0,\"catalogItemId\":\"%s\",\"quantity\":1,"
           "\"billingCycle\":\"monthly\",\"termDuration\":\"P1M\"}]}",
           item);
  validate_text(catalog, 0, text, &problems);
  assert_int_equal(problems.count, 1);
  assert_int_equal(problems.items[0].code, CART_ERROR_ATTESTATION_NOT_ACCEPTED);
  cart_problems_clear(&problems);

  snprintf(text, sizeof text,
           "{\"lineItems\":[{\"id\":0,\"catalogItemId\":\"%s\",\"quantity\":1,"
           "\"billingCycle\":\"monthly\",\"termDuration\":\"P1M\",\"attestationAccepted\":true}]}",
           item);
  validate_text(catalog, 0, text, &problems);
  print_problems(&problems);
  assert_int_equal(problems.count, 0);
  cart_problems_clear(&problems);
}

static void test_more_seed_lines_validate(void **state) {
  const Catalog *catalog = *state;
  const Availability *ri[2];
  size_t n = catalog_availabilities_of(catalog, "DZH318Z0BQ36", "00B2", ri, 2);
  assert_int_equal(n, 2);
  char text[2048];
  snprintf(text, sizeof text,
           "{\"lineItems\":["
           "{\"id\":0,\"catalogItemId\":\"%s\",\"quantity\":2,\"billingCycle\":\"one_time\","
           "\"termDuration\":\"P1Y\",\"provisioningContext\":{\"subscriptionId\":\"%s\","
           "\"scope\":\"shared\",\"duration\":\"1Year\"}},"
           "{\"id\":1,\"catalogItemId\":\"%s\",\"quantity\":1,\"billingCycle\":\"one_time\","
           "\"termDuration\":\"P3Y\",\"provisioningContext\":{\"subscriptionId\":\"%s\","
           "\"scope\":\"single\",\"duration\":\"3Years\"}},"
           "{\"id\":2,\"catalogItemId\":\"CFQ7TTC0LH18:0001:CFQ7TTC0K59J\",\"quantity\":20,"
           "\"billingCycle\":\"annual\",\"termDuration\":\"P1Y\","
           "\"promotionId\":\"39NFJQT1Q5KV:0002:39NFJQT1Q5KW\"},"
           "{\"id\":3,\"catalogItemId\":\"CFQ7TTC0LCHC:0003:CFQ7TTC0KF52\",\"quantity\":25,"
           "\"billingCycle\":\"none\",\"termDuration\":\"P1M\",\"renewsTo\":{\"termDuration\":"
           "\"P1Y\"}},"
           "{\"id\":4,\"catalogItemId\":\"CFQ7TTC0LH0Z:0001:CFQ7TTC0K18P\",\"quantity\":1,"
           "\"billingCycle\":\"monthly\",\"termDuration\":\"P1M\"}]}",
           ri[0]->catalog_item_id, SEED_DOC_SUBSCRIPTION_ID, ri[1]->catalog_item_id,
           SEED_DOC_SUBSCRIPTION_ID);
  CartProblems problems = {0};
  validate_text(catalog, 0, text, &problems);
  print_problems(&problems);
  assert_int_equal(problems.count, 0);
  cart_problems_clear(&problems);
}

/* ----- customers ----- */

static void test_document_customers(void **state) {
  (void)state;
  Customer customer = {0};
  assert_true(seed_customer(0, &customer));
  assert_string_equal(customer.id, SEED_DOC_CUSTOMER_ID);
  assert_string_equal(customer.tenant_id, SEED_DOC_CUSTOMER_ID);
  assert_string_equal(customer.relationship_to_partner, "reseller");
  assert_string_equal(customer.object_type, "Customer");
  assert_self_link(&customer.links, "/customers/" SEED_DOC_CUSTOMER_ID);
  /* Filling again replaces the previous customer (and frees it: valgrind watches). */
  assert_true(seed_customer(1, &customer));
  assert_string_equal(customer.id, SEED_DOC_CUSTOMER_ID_2);
  assert_self_link(&customer.links, "/customers/" SEED_DOC_CUSTOMER_ID_2);
  customer_clear(&customer);
  assert_false(seed_customer(-1, &customer));
}

static void test_document_subscription(void **state) {
  (void)state;
  SubscriptionList subs = {0};
  assert_true(seed_customer_subscriptions(0, &subs));
  assert_true(subs.count >= 1);
  const Subscription *first = &subs.items[0];
  assert_string_equal(first->id, SEED_DOC_SUBSCRIPTION_ID);
  assert_string_equal(first->status, "active");
  assert_string_equal(first->offer_id, "MS-AZR-0145P");
  subscription_list_clear(&subs);
  /* No one else owns it. */
  for (long i = 1; i < 2000; i++) {
    assert_true(seed_customer_subscriptions(i, &subs));
    for (size_t j = 0; j < subs.count; j++) {
      assert_true(strcasecmp(subs.items[j].id, SEED_DOC_SUBSCRIPTION_ID) != 0);
    }
  }
  subscription_list_clear(&subs);
}

static char *customer_json(long index) {
  Customer customer = {0};
  assert_true(seed_customer(index, &customer));
  cJSON *json = customer_to_json(&customer);
  customer_clear(&customer);
  assert_non_null(json);
  char *text = model_json_print(json);
  cJSON_Delete(json);
  assert_non_null(text);
  return text;
}

static char *subscriptions_json(long index) {
  SubscriptionList subs = {0};
  assert_true(seed_customer_subscriptions(index, &subs));
  cJSON *json = subscription_list_to_json(&subs);
  subscription_list_clear(&subs);
  assert_non_null(json);
  char *text = model_json_print(json);
  cJSON_Delete(json);
  assert_non_null(text);
  return text;
}

static void test_determinism(void **state) {
  (void)state;
  static const long indexes[] = {0, 1, 2, 5, 77, 4242, SANDBOX_MAX_CUSTOMERS - 1};
  for (size_t i = 0; i < sizeof indexes / sizeof indexes[0]; i++) {
    char *a = customer_json(indexes[i]);
    char *b = customer_json(indexes[i]);
    assert_string_equal(a, b);
    char *c = subscriptions_json(indexes[i]);
    char *d = subscriptions_json(indexes[i]);
    assert_string_equal(c, d);
    free(a);
    free(b);
    free(c);
    free(d);
  }
  char *x = customer_json(10);
  char *y = customer_json(11);
  assert_string_not_equal(x, y);
  free(x);
  free(y);
}

/* Case folding for the uniqueness check: ASCII, Latin-1 capitals and the Polish letters. */
static void fold(char *dst, const char *src, size_t size) {
  size_t i = 0;
  for (; src[i] && i + 1 < size; i++) {
    unsigned char c = (unsigned char)src[i];
    unsigned char lead = i > 0 ? (unsigned char)src[i - 1] : 0;
    if (c >= 'A' && c <= 'Z') {
      c = (unsigned char)(c + 32);
    } else if (lead == 0xC3 && c >= 0x80 && c <= 0x9E && c != 0x97) {
      c = (unsigned char)(c + 32);
    } else if ((lead == 0xC4 && (c == 0x84 || c == 0x86 || c == 0x98)) ||
               (lead == 0xC5 && (c == 0x81 || c == 0x83 || c == 0x9A || c == 0xB9 || c == 0xBB))) {
      c = (unsigned char)(c + 1);
    }
    dst[i] = (char)c;
  }
  dst[i] = '\0';
}

static int compare_strings(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

typedef bool (*Accessor)(long index, char *buf, size_t size);

/* Sorts the folded values of all customers and fails on the first duplicate. */
static void assert_all_unique(Accessor accessor, const char *what, void (*check)(const char *)) {
  const long count = SANDBOX_MAX_CUSTOMERS;
  const size_t width = 256;
  char *arena = malloc((size_t)count * width);
  char **keys = malloc((size_t)count * sizeof *keys);
  assert_non_null(arena);
  assert_non_null(keys);
  char raw[256];
  for (long i = 0; i < count; i++) {
    if (!accessor(i, raw, sizeof raw)) {
      fail_msg("no %s for customer %ld", what, i);
    }
    if (check) {
      check(raw);
    }
    keys[i] = arena + (size_t)i * width;
    fold(keys[i], raw, width);
  }
  qsort(keys, (size_t)count, sizeof *keys, compare_strings);
  for (long i = 1; i < count; i++) {
    if (strcmp(keys[i - 1], keys[i]) == 0) {
      fail_msg("two customers share the %s '%s'", what, keys[i]);
    }
  }
  free(keys);
  free(arena);
}

static bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx */
static void check_guid_v4(const char *id) {
  assert_int_equal(strlen(id), 36);
  for (size_t i = 0; i < 36; i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      assert_int_equal(id[i], '-');
    } else if (!is_hex_digit(id[i])) {
      fail_msg("'%s' is not a GUID", id);
    }
  }
  if (strcmp(id, SEED_DOC_CUSTOMER_ID) != 0 && strcmp(id, SEED_DOC_CUSTOMER_ID_2) != 0) {
    assert_int_equal(id[14], '4');
    assert_non_null(strchr("89abAB", id[19]));
  }
}

static void check_domain(const char *domain) {
  const char *suffix = strstr(domain, ".onmicrosoft.com");
  assert_non_null(suffix);
  assert_string_equal(suffix, ".onmicrosoft.com");
  assert_true(suffix > domain);
  for (const char *c = domain; c < suffix; c++) {
    if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9'))) {
      fail_msg("domain '%s' has a character outside [a-z0-9]", domain);
    }
  }
}

static void check_name(const char *name) {
  size_t n = strlen(name);
  assert_true(n > 3 && n < 128);
  assert_true(name[0] != ' ' && name[n - 1] != ' ');
}

static void test_uniqueness(void **state) {
  (void)state;
  assert_all_unique(seed_customer_id, "id", check_guid_v4);
  assert_all_unique(seed_customer_company_name, "company name", check_name);
  assert_all_unique(seed_customer_domain, "domain", check_domain);
}

static void test_names_look_real(void **state) {
  (void)state;
  char name[256];
  assert_true(seed_customer_company_name(2, name, sizeof name));
  assert_string_equal(name, "Müller Präzisionstechnik GmbH");
  assert_true(seed_customer_company_name(3, name, sizeof name));
  assert_string_equal(name, "Société Générale de Café");
  assert_true(seed_customer_company_name(4, name, sizeof name));
  assert_string_equal(name, "Łódź Logistics");
  static const char *const fixed_cultures[] = {"en-US", "en-US", "de-DE", "fr-FR", "pl-PL"};
  static const char *const fixed_cities[] = {"Seattle", "Redmond", "Stuttgart", "Paris", "Łódź"};
  for (long i = 0; i < 5; i++) {
    Customer customer = {0};
    assert_true(seed_customer(i, &customer));
    assert_string_equal(customer.billing_culture, fixed_cultures[i]);
    assert_string_equal(customer.billing_address.city, fixed_cities[i]);
    customer_clear(&customer);
  }

  /* Among the generated ones: Microsoft's fictitious companies, several countries, and
   * letters beyond ASCII. */
  long contoso = 0, non_ascii = 0;
  bool cultures[6] = {false};
  static const char *const expected_cultures[] = {"en-US", "en-GB", "de-DE",
                                                  "fr-FR", "pl-PL", "es-ES"};
  for (long i = 5; i < 5005; i++) {
    assert_true(seed_customer_company_name(i, name, sizeof name));
    contoso += strstr(name, "Contoso") != NULL;
    for (const char *c = name; *c; c++) {
      if ((unsigned char)*c >= 0x80) {
        non_ascii++;
        break;
      }
    }
    if (i % 10 == 0) {
      Customer customer = {0};
      assert_true(seed_customer(i, &customer));
      for (size_t k = 0; k < 6; k++) {
        if (strcmp(customer.billing_culture, expected_cultures[k]) == 0) {
          cultures[k] = true;
        }
      }
      /* The address's country matches the culture's, and the mail is at the domain. */
      assert_string_equal(customer.billing_culture + 3, customer.billing_address.country);
      assert_int_equal(strncmp(customer.billing_culture, customer.billing_language, 2), 0);
      const char *at = strchr(customer.billing_email, '@');
      assert_non_null(at);
      assert_string_equal(at + 1, customer.domain);
      customer_clear(&customer);
    }
  }
  assert_true(contoso > 10);
  assert_true(non_ascii > 100);
  for (size_t k = 0; k < 6; k++) {
    if (!cultures[k]) {
      fail_msg("no customer with culture %s", expected_cultures[k]);
    }
  }
}

static void assert_accessors_agree(long index) {
  Customer customer = {0};
  assert_true(seed_customer(index, &customer));
  char buf[256];
  assert_true(seed_customer_id(index, buf, sizeof buf));
  assert_string_equal(buf, customer.id);
  assert_true(seed_customer_company_name(index, buf, sizeof buf));
  assert_string_equal(buf, customer.company_name);
  assert_true(seed_customer_domain(index, buf, sizeof buf));
  assert_string_equal(buf, customer.domain);
  customer_clear(&customer);
}

static void test_accessors_agree(void **state) {
  (void)state;
  for (long i = 0; i < 300; i++) {
    assert_accessors_agree(i);
  }
  for (long i = 300; i < SANDBOX_MAX_CUSTOMERS; i += 997) {
    assert_accessors_agree(i);
  }
  assert_accessors_agree(SANDBOX_MAX_CUSTOMERS - 1);

  /* Too small a buffer is refused, not truncated. */
  char small[8];
  assert_false(seed_customer_id(0, small, sizeof small));
  assert_false(seed_customer_company_name(7, small, sizeof small));
  assert_false(seed_customer_domain(7, small, sizeof small));
  char exact[37];
  assert_true(seed_customer_id(0, exact, sizeof exact));
  assert_false(seed_customer_id(-1, exact, sizeof exact));
}

static void assert_subscriptions_shape(long index) {
  SubscriptionList subs = {0};
  assert_true(seed_customer_subscriptions(index, &subs));
  size_t azure = 0, active = 0, m365 = 0;
  for (size_t i = 0; i < subs.count; i++) {
    const Subscription *s = &subs.items[i];
    check_guid_v4(s->id);
    for (size_t j = 0; j < i; j++) {
      assert_true(strcasecmp(subs.items[j].id, s->id) != 0);
    }
    assert_string_equal(s->object_type, "Subscription");
    assert_non_null(link_list_get(&s->links, "self"));
    if (strcmp(s->offer_id, "MS-AZR-0145P") == 0) {
      azure++;
      assert_string_equal(s->offer_name, "Microsoft Azure");
      assert_string_equal(s->unit_type, "Usage-based");
      assert_int_equal(s->quantity.value, 1);
      assert_int_equal(s->billing_cycle, BILLING_CYCLE_MONTHLY);
      assert_non_null(strstr(s->friendly_name, " – "));
      if (strcmp(s->status, "active") == 0) {
        active++;
      } else {
        assert_string_equal(s->status, "suspended");
      }
    } else {
      m365++;
      assert_string_equal(s->status, "active");
      assert_string_equal(s->unit_type, "Licenses");
    }
  }
  if (azure < 1 || azure > 5 || active < 1) {
    fail_msg("customer %ld has %zu Azure subscriptions, %zu active", index, azure, active);
  }
  assert_int_equal(m365, index % 3 == 0 ? 1 : 0);
  assert_true(subs.count <= 5);
  subscription_list_clear(&subs);
}

static void test_subscriptions(void **state) {
  (void)state;
  for (long i = 0; i < 3000; i++) {
    assert_subscriptions_shape(i);
  }
  for (long i = 3000; i < SANDBOX_MAX_CUSTOMERS; i += 101) {
    assert_subscriptions_shape(i);
  }
  /* Some customers have a suspended subscription besides their active ones. */
  long with_suspended = 0;
  SubscriptionList subs = {0};
  for (long i = 0; i < 200; i++) {
    assert_true(seed_customer_subscriptions(i, &subs));
    for (size_t j = 0; j < subs.count; j++) {
      with_suspended += strcmp(subs.items[j].status, "suspended") == 0;
    }
  }
  subscription_list_clear(&subs);
  assert_true(with_suspended > 10 && with_suspended < 150);
}

int main(void) {
  const struct CMUnitTest catalog_tests[] = {
      cmocka_unit_test(test_legacy_azure_offer),
      cmocka_unit_test(test_reserved_instances),
      cmocka_unit_test(test_perpetual_software),
      cmocka_unit_test(test_saas_plan_and_trial),
      cmocka_unit_test(test_new_commerce_products),
      cmocka_unit_test(test_attestation_sku),
      cmocka_unit_test(test_promotions),
      cmocka_unit_test(test_links_and_object_types),
      cmocka_unit_test(test_document_cart_validates),
      cmocka_unit_test(test_checkout_response_item_validates),
      cmocka_unit_test(test_attestation_is_demonstrable),
      cmocka_unit_test(test_more_seed_lines_validate),
  };
  const struct CMUnitTest customer_tests[] = {
      cmocka_unit_test(test_document_customers), cmocka_unit_test(test_document_subscription),
      cmocka_unit_test(test_determinism),        cmocka_unit_test(test_uniqueness),
      cmocka_unit_test(test_names_look_real),    cmocka_unit_test(test_accessors_agree),
      cmocka_unit_test(test_subscriptions),
  };
  int failed =
      cmocka_run_group_tests_name("seed catalog", catalog_tests, setup_catalog, teardown_catalog);
  failed += cmocka_run_group_tests_name("seed customers", customer_tests, NULL, NULL);
  return failed;
}
