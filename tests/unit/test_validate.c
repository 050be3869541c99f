/* The shared cart validator against a small catalog holding every kind of item in the
 * create-a-cart document: one test per problem code, the document's own cart (no
 * problems), problem ordering, and the single-line entry point used by forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"
#include "model/api_error.h"
#include "model/validate.h"

#define DOC_SUBSCRIPTION "1C461A25-F729-4FA5-AADB-280947DD05E8"
#define SUSPENDED_SUBSCRIPTION "5F4C5B9E-2B51-4F62-9B0A-6C3E4A1D2E7F"
#define M365_SUBSCRIPTION "A0B1C2D3-E4F5-4A6B-8C7D-9E0F1A2B3C4D"
#define AZURE_PLAN_SUBSCRIPTION "7D2E9F10-3A4B-4C5D-8E6F-1029384756AF"

#define NCE_ITEM "CFQ7TTC0LH0Z:0001:CFQ7TTC0K18P"
#define NCE_CLOSED_ITEM "CFQ7TTC0LH0Z:0001:CFQ7TTC0K0ZZ"
#define NCE_ATTESTED_ITEM "CFQ7TTC0LH0Z:0002:CFQ7TTC0K5DM"
#define RI_ITEM "DZH318Z0BQ36:004G:DZH318Z08C0S"
#define RI_DURATION_ITEM "DZH318Z0BQ36:004K:DZH318Z08B99"
#define PERPETUAL_ITEM "DG7GMGF0DWTL:0001:DG7GMGF0DSFM"
#define SAAS_ITEM "DZH318Z0BXWC:0002:DZH318Z0BMRV"
#define TRIAL_ITEM "DZH318Z0C0WF:0001:DZH318Z0BP69"
#define NCE_TRIAL_ITEM "CFQ7TTC0LCHC:0003:CFQ7TTC0KF52"
#define AZURE_OFFER "MS-AZR-0145P"
#define O365_OFFER "031C9E47-4802-4248-838E-778FB1D2CC05"
#define O365_ADDON_OFFER "0F5B471A-08EF-4E69-8F5F-7A4A2C3D2C0B"
#define PROMOTION_ID "39NFJQT1Q5KV:0001:39NFJQT1Q5KT"

/* ----- the catalog ----- */

static void list_fill(StringList *list, const char *a, const char *b, const char *c) {
  const char *items[] = {a, b, c};
  for (size_t i = 0; i < 3; i++) {
    if (items[i]) {
      assert_true(string_list_add(list, items[i]));
    }
  }
}

static void add_product(Catalog *c, const char *id, const char *type, const char *sub_type) {
  Product p = {.id = (char *)id, .title = (char *)id};
  p.product_type.id = (char *)type;
  p.product_type.sub_type_id = (char *)sub_type;
  assert_non_null(catalog_add_product(c, &p));
}

static void add_sku(Catalog *c, const char *product_id, const char *id, long min, long max,
                    bool trial, const char *cycle1, const char *cycle2, const char *var1,
                    const char *var2, const char *var3) {
  Sku s = {.id = (char *)id, .product_id = (char *)product_id};
  s.minimum_quantity = opt_int(min);
  s.maximum_quantity = opt_int(max);
  s.is_trial = opt_bool(trial);
  list_fill(&s.supported_billing_cycles, cycle1, cycle2, NULL);
  list_fill(&s.provisioning_variables, var1, var2, var3);
  assert_non_null(catalog_add_sku(c, &s));
  string_list_clear(&s.supported_billing_cycles);
  string_list_clear(&s.provisioning_variables);
}

static Availability *add_availability(Catalog *c, const char *product_id, const char *sku_id,
                                      const char *id, bool purchasable) {
  Availability a = {.id = (char *)id,
                    .product_id = (char *)product_id,
                    .sku_id = (char *)sku_id,
                    .currency_code = "USD",
                    .currency_symbol = "$"};
  a.is_purchasable = opt_bool(purchasable);
  Availability *stored = catalog_add_availability(c, &a);
  assert_non_null(stored);
  return stored;
}

static void add_term(Availability *a, const char *duration, BillingCycle cycle,
                     const char *renewal) {
  RenewalOption option = {.term_duration = (char *)renewal};
  AvailabilityTerm t = {.duration = (char *)duration, .billing_cycle = cycle};
  if (renewal) {
    t.renewal_options = &option;
    t.renewal_option_count = 1;
  }
  assert_true(availability_add_term(a, &t));
}

static void add_offer(Catalog *c, const char *id, long min, long max, bool addon) {
  Offer o = {.id = (char *)id, .name = (char *)id, .category = "OnlineServices"};
  o.minimum_quantity = opt_int(min);
  o.maximum_quantity = opt_int(max);
  o.is_addon = opt_bool(addon);
  list_fill(&o.supported_billing_cycles, "monthly", "annual", NULL);
  assert_non_null(catalog_add_offer(c, &o));
  string_list_clear(&o.supported_billing_cycles);
}

static Catalog *test_catalog(void) {
  Catalog *c = catalog_new();
  assert_non_null(c);

  Offer azure = {
      .id = AZURE_OFFER, .name = "Microsoft Azure", .category = "Azure", .billing = "usage"};
  azure.minimum_quantity = opt_int(1);
  azure.maximum_quantity = opt_int(5);
  list_fill(&azure.supported_billing_cycles, "monthly", NULL, NULL);
  assert_non_null(catalog_add_offer(c, &azure));
  string_list_clear(&azure.supported_billing_cycles);
  add_offer(c, O365_OFFER, 1, 300, false);
  add_offer(c, O365_ADDON_OFFER, 1, 10, true);

  /* Azure reservations: a SKU per size, each availability with one one-time term. */
  add_product(c, "DZH318Z0BQ36", "Azure", "VirtualMachines");
  add_sku(c, "DZH318Z0BQ36", "004G", 1, 999999999, false, "one_time", NULL, "Scope",
          "SubscriptionId", NULL);
  add_term(add_availability(c, "DZH318Z0BQ36", "004G", "DZH318Z08C0S", true), "P1Y",
           BILLING_CYCLE_ONE_TIME, NULL);
  add_sku(c, "DZH318Z0BQ36", "004J", 1, 999999999, false, "one_time", NULL, "Scope",
          "SubscriptionId", NULL);
  add_term(add_availability(c, "DZH318Z0BQ36", "004J", "DZH318Z08B8X", true), "P3Y",
           BILLING_CYCLE_ONE_TIME, NULL);
  add_sku(c, "DZH318Z0BQ36", "004K", 1, 999999999, false, "one_time", NULL, "Scope",
          "SubscriptionId", "Duration");
  Availability *a = add_availability(c, "DZH318Z0BQ36", "004K", "DZH318Z08B99", true);
  add_term(a, "P1Y", BILLING_CYCLE_ONE_TIME, NULL);
  add_term(a, "P3Y", BILLING_CYCLE_ONE_TIME, NULL);

  /* Perpetual software: one-time, no terms. */
  add_product(c, "DG7GMGF0DWTL", "Software", "Perpetual");
  add_sku(c, "DG7GMGF0DWTL", "0001", 1, 100, false, "one_time", NULL, NULL, NULL, NULL);
  add_availability(c, "DG7GMGF0DWTL", "0001", "DG7GMGF0DSFM", true);

  /* SaaS, monthly. */
  add_product(c, "DZH318Z0BXWC", "SaaS", NULL);
  add_sku(c, "DZH318Z0BXWC", "0002", 1, 1000, false, "monthly", NULL, NULL, NULL, NULL);
  add_term(add_availability(c, "DZH318Z0BXWC", "0002", "DZH318Z0BMRV", true), "P1M",
           BILLING_CYCLE_MONTHLY, NULL);

  /* SaaS trial: billing none, a month that renews to a year. */
  add_product(c, "DZH318Z0C0WF", "SaaS", NULL);
  add_sku(c, "DZH318Z0C0WF", "0001", 1, 1000, true, "none", NULL, NULL, NULL, NULL);
  add_term(add_availability(c, "DZH318Z0C0WF", "0001", "DZH318Z0BP69", true), "P1M",
           BILLING_CYCLE_NONE, "P1Y");

  /* New commerce Microsoft 365: three terms, a closed availability, an attested SKU. */
  add_product(c, "CFQ7TTC0LH0Z", "OnlineServices", NULL);
  add_sku(c, "CFQ7TTC0LH0Z", "0001", 1, 300, false, "monthly", "annual", NULL, NULL, NULL);
  a = add_availability(c, "CFQ7TTC0LH0Z", "0001", "CFQ7TTC0K18P", true);
  add_term(a, "P1M", BILLING_CYCLE_MONTHLY, NULL);
  add_term(a, "P1Y", BILLING_CYCLE_ANNUAL, NULL);
  add_term(a, "P1Y", BILLING_CYCLE_MONTHLY, NULL);
  add_availability(c, "CFQ7TTC0LH0Z", "0001", "CFQ7TTC0K0ZZ", false);
  add_sku(c, "CFQ7TTC0LH0Z", "0002", 3, 300, false, "annual", NULL, NULL, NULL, NULL);
  Sku *attested = (Sku *)catalog_find_sku(c, "CFQ7TTC0LH0Z", "0002");
  attested->enforce_attestation = opt_bool(true);
  add_term(add_availability(c, "CFQ7TTC0LH0Z", "0002", "CFQ7TTC0K5DM", true), "P1Y",
           BILLING_CYCLE_ANNUAL, NULL);

  /* A new-commerce trial whose term states Monthly although trials are bought with
   * billingCycle none (Partner-Center-PowerShell #388). */
  add_product(c, "CFQ7TTC0LCHC", "OnlineServices", NULL);
  add_sku(c, "CFQ7TTC0LCHC", "0003", 1, 25, true, "none", NULL, NULL, NULL, NULL);
  add_term(add_availability(c, "CFQ7TTC0LCHC", "0003", "CFQ7TTC0KF52", true), "P1M",
           BILLING_CYCLE_MONTHLY, "P1Y");

  Promotion promo = {.id = PROMOTION_ID,
                     .product_id = "CFQ7TTC0LH0Z",
                     .sku_id = "0001",
                     .term_duration = "P1Y",
                     .billing_cycle = BILLING_CYCLE_ANNUAL};
  assert_non_null(catalog_add_promotion(c, &promo));
  return c;
}

static void add_subscription(SubscriptionList *list, const char *id, const char *offer_id,
                             const char *status) {
  Subscription *s = subscription_list_add(list);
  assert_non_null(s);
  s->id = model_strdup(id);
  s->offer_id = model_strdup(offer_id);
  s->status = model_strdup(status);
}

typedef struct Fixture {
  Catalog *catalog;
  SubscriptionList subscriptions;
  ValidationContext context;
  Cart *cart;
  CartProblems problems;
} Fixture;

static int setup(void **state) {
  Fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  f->catalog = test_catalog();
  add_subscription(&f->subscriptions, DOC_SUBSCRIPTION, AZURE_OFFER, "active");
  add_subscription(&f->subscriptions, SUSPENDED_SUBSCRIPTION, AZURE_OFFER, "suspended");
  add_subscription(&f->subscriptions, M365_SUBSCRIPTION, "CFQ7TTC0LH0Z:0001", "active");
  add_subscription(&f->subscriptions, AZURE_PLAN_SUBSCRIPTION, "DZH318Z0BPS6:0001", "active");
  f->context =
      (ValidationContext){.catalog = f->catalog, .customer_subscriptions = &f->subscriptions};
  f->cart = cart_new();
  assert_non_null(f->cart);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  Fixture *f = *state;
  cart_problems_clear(&f->problems);
  cart_free(f->cart);
  subscription_list_clear(&f->subscriptions);
  catalog_free(f->catalog);
  free(f);
  return 0;
}

/* ----- building lines ----- */

static CartLineItem *line_new(CartLineItemList *list, long id, const char *item, long quantity,
                              BillingCycle cycle, const char *term) {
  CartLineItem *line = cart_line_list_append(list);
  assert_non_null(line);
  line->id = opt_int(id);
  line->catalog_item_id = model_strdup(item);
  line->quantity = opt_int(quantity);
  line->billing_cycle = cycle;
  line->term_duration = model_strdup(term);
  return line;
}

static void set_string(char **field, const char *value) {
  free(*field);
  *field = model_strdup(value);
}

static CartLineItem *nce_line(Fixture *f, long id) {
  return line_new(&f->cart->line_items, id, NCE_ITEM, 5, BILLING_CYCLE_MONTHLY, "P1M");
}

static CartLineItem *ri_line(Fixture *f, long id) {
  CartLineItem *line =
      line_new(&f->cart->line_items, id, RI_ITEM, 1, BILLING_CYCLE_ONE_TIME, "P1Y");
  assert_true(kv_list_add(&line->provisioning_context, "subscriptionId", DOC_SUBSCRIPTION));
  assert_true(kv_list_add(&line->provisioning_context, "scope", "shared"));
  return line;
}

/* ----- checking results ----- */

static void validate(Fixture *f) {
  assert_true(cart_validate(f->cart, &f->context, &f->problems));
}

static void assert_problem(const CartProblem *p, ProblemLevel level, long code, long line_index,
                           long addon_index, const char *field) {
  assert_non_null(p);
  assert_int_equal(p->level, level);
  assert_int_equal(p->code, code);
  assert_int_equal(p->line_index, line_index);
  assert_int_equal(p->addon_index, addon_index);
  if (field) {
    assert_non_null(p->field);
    assert_string_equal(p->field, field);
  } else {
    assert_null(p->field);
  }
  assert_non_null(p->description);
  /* One plain sentence. */
  size_t n = strlen(p->description);
  assert_true(n > 10);
}

/* Validates and expects exactly one problem, which it checks and returns. */
static const CartProblem *expect_one(Fixture *f, ProblemLevel level, long code, long line_index,
                                     long addon_index, const char *field) {
  validate(f);
  if (f->problems.count != 1) {
    for (size_t i = 0; i < f->problems.count; i++) {
      print_error("problem %zu: %ld %s: %s\n", i, f->problems.items[i].code,
                  f->problems.items[i].field, f->problems.items[i].description);
    }
  }
  assert_int_equal(f->problems.count, 1);
  assert_problem(&f->problems.items[0], level, code, line_index, addon_index, field);
  return &f->problems.items[0];
}

static void expect_none(Fixture *f) {
  validate(f);
  for (size_t i = 0; i < f->problems.count; i++) {
    print_error("unexpected problem %zu: %ld %s: %s\n", i, f->problems.items[i].code,
                f->problems.items[i].field, f->problems.items[i].description);
  }
  assert_int_equal(f->problems.count, 0);
}

static void assert_contains(const char *text, const char *part) {
  if (!strstr(text, part)) {
    fail_msg("\"%s\" does not contain \"%s\"", text, part);
  }
}

/* ----- the document's cart ----- */

static void test_document_cart_is_valid(void **state) {
  Fixture *f = *state;
  if (!fixture_seeds_available()) {
    skip();
  }
  char *block = fixture_seed_json_block("004", 0);
  assert_non_null(block);
  char *text = fixture_normalize_doc_json(block);
  assert_non_null(text);
  char err[256] = "";
  Cart *cart = cart_parse(text, err, sizeof err);
  if (!cart) {
    fail_msg("the create-a-cart request does not parse: %s", err);
  }
  assert_int_equal(cart->line_items.count, 6);
  assert_string_equal(cart->line_items.items[5].catalog_item_id, TRIAL_ITEM);
  assert_string_equal(cart->line_items.items[5].renews_to_term_duration, "P1Y");
  f->context.enforce_sandbox_limits = true;
  assert_true(cart_validate(cart, &f->context, &f->problems));
  for (size_t i = 0; i < f->problems.count; i++) {
    print_error("unexpected problem: %ld %s: %s\n", f->problems.items[i].code,
                f->problems.items[i].field, f->problems.items[i].description);
  }
  assert_int_equal(f->problems.count, 0);
  assert_false(cart_problems_has_request_level(&f->problems));
  cart_free(cart);
  free(text);
  free(block);
}

/* The same cart built in code, so that it is checked even without the seed documents. */
static void test_valid_cart_in_code(void **state) {
  Fixture *f = *state;
  CartLineItemList *lines = &f->cart->line_items;
  line_new(lines, 0, AZURE_OFFER, 1, BILLING_CYCLE_MONTHLY, "P1Y");
  ri_line(f, 1);
  CartLineItem *ri3 =
      line_new(lines, 2, "DZH318Z0BQ36:004J:DZH318Z08B8X", 1, BILLING_CYCLE_ONE_TIME, "P3Y");
  assert_true(kv_list_add(&ri3->provisioning_context, "subscriptionId", DOC_SUBSCRIPTION));
  assert_true(kv_list_add(&ri3->provisioning_context, "scope", "single"));
  line_new(lines, 3, PERPETUAL_ITEM, 1, BILLING_CYCLE_ONE_TIME, NULL);
  line_new(lines, 4, SAAS_ITEM, 1, BILLING_CYCLE_MONTHLY, "P1M");
  CartLineItem *trial = line_new(lines, 5, TRIAL_ITEM, 10, BILLING_CYCLE_NONE, "P1M");
  trial->renews_to_term_duration = model_strdup("P1Y");
  CartLineItem *nce = line_new(lines, 6, NCE_ITEM, 25, BILLING_CYCLE_ANNUAL, "P1Y");
  nce->promotion_id = model_strdup(PROMOTION_ID);
  nce->custom_term_end_date = model_strdup("2025-06-30");
  nce->currency_code = model_strdup("usd");
  assert_true(kv_list_add(&nce->participants, "transaction_reseller", "4847383"));
  CartLineItem *attested = line_new(lines, 7, NCE_ATTESTED_ITEM, 3, BILLING_CYCLE_ANNUAL, "P1Y");
  attested->attestation_accepted = opt_bool(true);
  f->context.enforce_sandbox_limits = true;
  f->context.max_line_items = 8;
  expect_none(f);
  assert_null(cart_problems_for_line(&f->problems, 0));
}

/* ----- request-level problems (800002) ----- */

static void test_empty_cart(void **state) {
  Fixture *f = *state;
  expect_one(f, PROBLEM_REQUEST, PC_CODE_INVALID_REQUEST_INPUT, -1, -1, "lineItems");
  assert_true(cart_problems_has_request_level(&f->problems));
  assert_true(cart_validate(NULL, &f->context, &f->problems));
  assert_int_equal(f->problems.count, 1);
  assert_problem(&f->problems.items[0], PROBLEM_REQUEST, 800002, -1, -1, "lineItems");
}

static void test_too_many_lines(void **state) {
  Fixture *f = *state;
  nce_line(f, 0);
  nce_line(f, 1);
  nce_line(f, 2);
  f->context.max_line_items = 2;
  const CartProblem *p = expect_one(f, PROBLEM_REQUEST, 800002, -1, -1, "lineItems");
  assert_contains(p->description, "at most 2");
  f->context.max_line_items = 3;
  expect_none(f);
}

/* Ids are applied by the service on create (cart-resources.md): a line without one is fine. */
static void test_missing_line_id(void **state) {
  Fixture *f = *state;
  nce_line(f, 0)->id = (OptInt){0};
  nce_line(f, 1)->id = (OptInt){0};
  expect_none(f);
  /* ...but one that was sent and is not an integer is refused. */
  f->cart->line_items.items[1].id_not_integer = true;
  expect_one(f, PROBLEM_REQUEST, 800002, 1, -1, "id");
}

static void test_duplicate_line_id(void **state) {
  Fixture *f = *state;
  nce_line(f, 7);
  nce_line(f, 3);
  nce_line(f, 7);
  const CartProblem *p = expect_one(f, PROBLEM_REQUEST, 800002, 2, -1, "id");
  assert_contains(p->description, "7");
}

static void test_missing_catalog_item_id(void **state) {
  Fixture *f = *state;
  set_string(&nce_line(f, 0)->catalog_item_id, NULL);
  expect_one(f, PROBLEM_REQUEST, 800002, 0, -1, "catalogItemId");
  set_string(&f->cart->line_items.items[0].catalog_item_id, "");
  expect_one(f, PROBLEM_REQUEST, 800002, 0, -1, "catalogItemId");
}

static void test_quantity_missing_or_below_one(void **state) {
  Fixture *f = *state;
  nce_line(f, 0)->quantity = (OptInt){0};
  expect_one(f, PROBLEM_REQUEST, 800002, 0, -1, "quantity");
  f->cart->line_items.items[0].quantity = opt_int(0);
  expect_one(f, PROBLEM_REQUEST, 800002, 0, -1, "quantity");
  f->cart->line_items.items[0].quantity = opt_int(-3);
  expect_one(f, PROBLEM_REQUEST, 800002, 0, -1, "quantity");
}

static void test_billing_cycle_missing(void **state) {
  Fixture *f = *state;
  nce_line(f, 0)->billing_cycle = BILLING_CYCLE_UNSET;
  expect_one(f, PROBLEM_REQUEST, 800002, 0, -1, "billingCycle");
}

/* Request problems come first, then line problems in line order. */
static void test_problem_order(void **state) {
  Fixture *f = *state;
  set_string(&nce_line(f, 0)->catalog_item_id, "NOPE:0001:NOPE");
  nce_line(f, 1)->quantity = (OptInt){0};
  CartLineItem *third = nce_line(f, 2);
  third->quantity = opt_int(301);
  set_string(&third->term_duration, "P3Y");
  set_string(&third->currency_code, "EUR");
  validate(f);
  assert_int_equal(f->problems.count, 5);
  assert_problem(&f->problems.items[0], PROBLEM_REQUEST, 800002, 1, -1, "quantity");
  assert_problem(&f->problems.items[1], PROBLEM_LINE, CART_ERROR_CATALOG_ITEM_ID_NOT_VALID, 0, -1,
                 "catalogItemId");
  assert_problem(&f->problems.items[2], PROBLEM_LINE,
                 CART_ERROR_MAX_SEATS_PER_SUBSCRIPTION_EXCEEDED, 2, -1, "quantity");
  assert_problem(&f->problems.items[3], PROBLEM_LINE, CART_ERROR_TERM_NOT_SUPPORTED, 2, -1,
                 "termDuration");
  assert_problem(&f->problems.items[4], PROBLEM_LINE, CART_ERROR_CURRENCY_NOT_SUPPORTED, 2, -1,
                 "currencyCode");
  /* What the service would put into lineItems[i].error: the line's first problem. */
  assert_ptr_equal(cart_problems_for_line(&f->problems, 2), &f->problems.items[2]);
  assert_ptr_equal(cart_problems_for_line(&f->problems, 0), &f->problems.items[1]);
  assert_null(cart_problems_for_line(&f->problems, 1));
  assert_true(cart_problems_has_request_level(&f->problems));
}

/* ----- line problems ----- */

static void test_unknown_catalog_item(void **state) {
  Fixture *f = *state;
  set_string(&nce_line(f, 0)->catalog_item_id, "CFQ7TTC0LH0Z:0001:NOPE");
  const CartProblem *p =
      expect_one(f, PROBLEM_LINE, CART_ERROR_CATALOG_ITEM_ID_NOT_VALID, 0, -1, "catalogItemId");
  assert_string_equal(p->description, "The catalog item ID CFQ7TTC0LH0Z:0001:NOPE is not valid.");
  assert_false(cart_problems_has_request_level(&f->problems));
  /* Ids are matched without regard to case. */
  set_string(&f->cart->line_items.items[0].catalog_item_id, "cfq7ttc0lh0z:0001:cfq7ttc0k18p");
  expect_none(f);
}

static void test_not_purchasable(void **state) {
  Fixture *f = *state;
  line_new(&f->cart->line_items, 0, NCE_CLOSED_ITEM, 1, BILLING_CYCLE_MONTHLY, NULL);
  expect_one(f, PROBLEM_LINE, CART_ERROR_UNABLE_TO_PROCESS_LINE, 0, -1, "catalogItemId");
}

static void test_quantity_above_max(void **state) {
  Fixture *f = *state;
  nce_line(f, 0)->quantity = opt_int(301);
  const CartProblem *p = expect_one(f, PROBLEM_LINE, CART_ERROR_MAX_SEATS_PER_SUBSCRIPTION_EXCEEDED,
                                    0, -1, "quantity");
  assert_contains(p->description, "1 to 300");
  f->cart->line_items.items[0].quantity = opt_int(300);
  expect_none(f);
}

static void test_quantity_below_min(void **state) {
  Fixture *f = *state;
  CartLineItem *line =
      line_new(&f->cart->line_items, 0, NCE_ATTESTED_ITEM, 2, BILLING_CYCLE_ANNUAL, "P1Y");
  line->attestation_accepted = opt_bool(true);
  const CartProblem *p = expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_INPUT, 0, -1, "quantity");
  assert_contains(p->description, "3 to 300");
}

static void test_sandbox_license_limit(void **state) {
  Fixture *f = *state;
  nce_line(f, 0)->quantity = opt_int(26);
  expect_none(f);
  f->context.enforce_sandbox_limits = true;
  const CartProblem *p =
      expect_one(f, PROBLEM_LINE, CART_ERROR_SANDBOX_LIMIT_EXCEEDED, 0, -1, "quantity");
  assert_contains(p->description, "25");
  f->cart->line_items.items[0].quantity = opt_int(25);
  expect_none(f);
}

static void test_billing_cycle_not_supported(void **state) {
  Fixture *f = *state;
  line_new(&f->cart->line_items, 0, PERPETUAL_ITEM, 1, BILLING_CYCLE_MONTHLY, NULL);
  const CartProblem *p =
      expect_one(f, PROBLEM_LINE, CART_ERROR_BILLING_PLAN_NOT_SUPPORTED, 0, -1, "billingCycle");
  assert_contains(p->description, "one_time");
  /* A legacy offer's cycles count too. */
  cart_line_list_clear(&f->cart->line_items);
  line_new(&f->cart->line_items, 0, AZURE_OFFER, 1, BILLING_CYCLE_ANNUAL, NULL);
  expect_one(f, PROBLEM_LINE, CART_ERROR_BILLING_PLAN_NOT_SUPPORTED, 0, -1, "billingCycle");
}

static void test_term_duration_missing(void **state) {
  Fixture *f = *state;
  set_string(&nce_line(f, 0)->term_duration, NULL);
  const CartProblem *p =
      expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_INPUT, 0, -1, "termDuration");
  assert_contains(p->description, "P1M");
  /* Items without terms need none. */
  cart_line_list_clear(&f->cart->line_items);
  line_new(&f->cart->line_items, 0, PERPETUAL_ITEM, 1, BILLING_CYCLE_ONE_TIME, NULL);
  expect_none(f);
}

static void test_term_not_supported(void **state) {
  Fixture *f = *state;
  set_string(&nce_line(f, 0)->term_duration, "P3Y");
  const CartProblem *p =
      expect_one(f, PROBLEM_LINE, CART_ERROR_TERM_NOT_SUPPORTED, 0, -1, "termDuration");
  assert_string_equal(p->description,
                      "Availability CFQ7TTC0K18P referenced by line item 0 does not support "
                      "term 'P3Y'");
  /* Both cycles are supported by the SKU, but P1M is sold only monthly. */
  CartLineItem *line = &f->cart->line_items.items[0];
  set_string(&line->term_duration, "P1M");
  line->billing_cycle = BILLING_CYCLE_ANNUAL;
  line->id = opt_int(12);
  p = expect_one(f, PROBLEM_LINE, CART_ERROR_TERM_NOT_SUPPORTED, 0, -1, "termDuration");
  assert_string_equal(p->description,
                      "Availability CFQ7TTC0K18P referenced by line item 12 does not support "
                      "term 'P1M'");
  /* P1Y is sold both ways. */
  set_string(&line->term_duration, "p1y");
  expect_none(f);
  line->billing_cycle = BILLING_CYCLE_MONTHLY;
  expect_none(f);
}

static void test_trial_term_matches_duration_only(void **state) {
  Fixture *f = *state;
  line_new(&f->cart->line_items, 0, TRIAL_ITEM, 10, BILLING_CYCLE_NONE, "P1M");
  expect_none(f);
  set_string(&f->cart->line_items.items[0].term_duration, "P1Y");
  expect_one(f, PROBLEM_LINE, CART_ERROR_TERM_NOT_SUPPORTED, 0, -1, "termDuration");

  cart_line_list_clear(&f->cart->line_items);
  CartLineItem *line =
      line_new(&f->cart->line_items, 0, NCE_TRIAL_ITEM, 1, BILLING_CYCLE_NONE, "P1M");
  line->renews_to_term_duration = model_strdup("P1Y");
  expect_none(f);
}

static void test_renews_to_on_non_trial(void **state) {
  Fixture *f = *state;
  nce_line(f, 0)->renews_to_term_duration = model_strdup("P1Y");
  expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_INPUT, 0, -1, "renewsTo");
}

static void test_renews_to_not_offered(void **state) {
  Fixture *f = *state;
  CartLineItem *line = line_new(&f->cart->line_items, 0, TRIAL_ITEM, 10, BILLING_CYCLE_NONE, "P1M");
  line->renews_to_term_duration = model_strdup("P3Y");
  const CartProblem *p =
      expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_INPUT, 0, -1, "renewsTo.termDuration");
  assert_contains(p->description, "P1Y");
  set_string(&f->cart->line_items.items[0].renews_to_term_duration, "p1y");
  expect_none(f);
}

static void test_provisioning_variable_missing(void **state) {
  Fixture *f = *state;
  CartLineItem *line = ri_line(f, 0);
  assert_true(kv_list_remove(&line->provisioning_context, "scope"));
  const CartProblem *p =
      expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_INPUT, 0, -1, "provisioningContext.scope");
  assert_contains(p->description, "scope");
  /* An empty value is as good as none. */
  assert_true(kv_list_add(&f->cart->line_items.items[0].provisioning_context, "scope", ""));
  expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_INPUT, 0, -1, "provisioningContext.scope");

  cart_line_list_clear(&f->cart->line_items);
  line = ri_line(f, 0);
  set_string(&line->catalog_item_id, RI_DURATION_ITEM);
  p = expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_INPUT, 0, -1, "provisioningContext.duration");
  assert_contains(p->description, "duration");
}

static void test_provisioning_keys_case_insensitive(void **state) {
  Fixture *f = *state;
  CartLineItem *line = line_new(&f->cart->line_items, 0, RI_ITEM, 1, BILLING_CYCLE_ONE_TIME, "P1Y");
  /* As the .NET SDK and PowerShell send them, plus a legacy key the SKU does not list. */
  assert_true(kv_list_add(&line->provisioning_context, "SubscriptionId",
                          "1c461a25-f729-4fa5-aadb-280947dd05e8"));
  assert_true(kv_list_add(&line->provisioning_context, "Scope", "Shared"));
  assert_true(kv_list_add(&line->provisioning_context, "ParentSubscriptionId", "anything"));
  expect_none(f);
}

static void test_scope_invalid(void **state) {
  Fixture *f = *state;
  kv_list_set(&ri_line(f, 0)->provisioning_context, "scope", "global");
  const CartProblem *p =
      expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_INPUT, 0, -1, "provisioningContext.scope");
  assert_contains(p->description, "shared or single");
  kv_list_set(&f->cart->line_items.items[0].provisioning_context, "scope", "SINGLE");
  expect_none(f);
}

static void test_duration_invalid(void **state) {
  Fixture *f = *state;
  CartLineItem *line = ri_line(f, 0);
  set_string(&line->catalog_item_id, RI_DURATION_ITEM);
  assert_true(kv_list_add(&line->provisioning_context, "duration", "2Years"));
  expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_INPUT, 0, -1, "provisioningContext.duration");
  const char *accepted[] = {"1Year", "3Years", "3Year", "1year"};
  for (size_t i = 0; i < 4; i++) {
    kv_list_set(&f->cart->line_items.items[0].provisioning_context, "duration", accepted[i]);
    expect_none(f);
  }
}

static void test_subscription_id_not_guid(void **state) {
  Fixture *f = *state;
  kv_list_set(&ri_line(f, 0)->provisioning_context, "subscriptionId", "not-a-guid");
  expect_one(f, PROBLEM_LINE, CART_ERROR_SUBSCRIPTION_NOT_VALID, 0, -1,
             "provisioningContext.subscriptionId");
}

static void test_subscription_id_unknown(void **state) {
  Fixture *f = *state;
  kv_list_set(&ri_line(f, 0)->provisioning_context, "subscriptionId",
              "11111111-2222-3333-4444-555555555555");
  expect_one(f, PROBLEM_LINE, CART_ERROR_SUBSCRIPTION_NOT_VALID, 0, -1,
             "provisioningContext.subscriptionId");
  /* Without the customer's subscriptions only the form is checked. */
  f->context.customer_subscriptions = NULL;
  expect_none(f);
}

static void test_subscription_not_enabled(void **state) {
  Fixture *f = *state;
  kv_list_set(&ri_line(f, 0)->provisioning_context, "subscriptionId", SUSPENDED_SUBSCRIPTION);
  const CartProblem *p = expect_one(f, PROBLEM_LINE, CART_ERROR_SUBSCRIPTION_NOT_ENABLED_FOR_RI, 0,
                                    -1, "provisioningContext.subscriptionId");
  assert_contains(p->description, "suspended");
  kv_list_set(&f->cart->line_items.items[0].provisioning_context, "subscriptionId",
              M365_SUBSCRIPTION);
  expect_one(f, PROBLEM_LINE, CART_ERROR_SUBSCRIPTION_NOT_ENABLED_FOR_RI, 0, -1,
             "provisioningContext.subscriptionId");
  kv_list_set(&f->cart->line_items.items[0].provisioning_context, "subscriptionId",
              AZURE_PLAN_SUBSCRIPTION);
  expect_none(f);
}

static void test_promotion(void **state) {
  Fixture *f = *state;
  CartLineItem *line = nce_line(f, 0);
  line->promotion_id = model_strdup("NOPE");
  expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_PROMOTION_ID, 0, -1, "promotionId");
  /* A real promotion, but for the annual P1Y term only. */
  set_string(&f->cart->line_items.items[0].promotion_id, PROMOTION_ID);
  const CartProblem *p =
      expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_PROMOTION_ID, 0, -1, "promotionId");
  assert_contains(p->description, "P1Y");
  line = &f->cart->line_items.items[0];
  set_string(&line->term_duration, "P1Y");
  line->billing_cycle = BILLING_CYCLE_ANNUAL;
  expect_none(f);
  /* Not for another product. */
  cart_line_list_clear(&f->cart->line_items);
  line = line_new(&f->cart->line_items, 0, SAAS_ITEM, 1, BILLING_CYCLE_MONTHLY, "P1M");
  line->promotion_id = model_strdup(PROMOTION_ID);
  expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_PROMOTION_ID, 0, -1, "promotionId");
}

static void test_custom_term_end_date_product(void **state) {
  Fixture *f = *state;
  ri_line(f, 0)->custom_term_end_date = model_strdup("2025-06-30");
  expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_CUSTOM_TERM_END_DATE_PRODUCT, 0, -1,
             "customTermEndDate");
  cart_line_list_clear(&f->cart->line_items);
  line_new(&f->cart->line_items, 0, AZURE_OFFER, 1, BILLING_CYCLE_MONTHLY, NULL)
      ->custom_term_end_date = model_strdup("2025-06-30");
  expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_CUSTOM_TERM_END_DATE_PRODUCT, 0, -1,
             "customTermEndDate");
}

/* The current service calls new-commerce products "OnlineServicesNCE": a co-termed line of
 * one is valid (it was refused with a false 10016); a trial never co-terms. */
static void test_custom_term_end_date_nce_product_type(void **state) {
  Fixture *f = *state;
  Product *product = (Product *)catalog_find_product(f->catalog, "CFQ7TTC0LH0Z");
  assert_non_null(product);
  free(product->product_type.id);
  product->product_type.id = model_strdup("OnlineServicesNCE");
  nce_line(f, 0)->custom_term_end_date = model_strdup("2022-02-19T00:00:00Z");
  expect_none(f);
  cart_line_list_clear(&f->cart->line_items);
  CartLineItem *trial =
      line_new(&f->cart->line_items, 0, NCE_TRIAL_ITEM, 1, BILLING_CYCLE_NONE, "P1M");
  trial->renews_to_term_duration = model_strdup("P1Y");
  trial->custom_term_end_date = model_strdup("2022-02-19T00:00:00Z");
  const CartProblem *p = expect_one(
      f, PROBLEM_LINE, CART_ERROR_INVALID_CUSTOM_TERM_END_DATE_PRODUCT, 0, -1, "customTermEndDate");
  assert_contains(p->description, "trial");
}

static void test_custom_term_end_date_format(void **state) {
  Fixture *f = *state;
  nce_line(f, 0);
  const char *bad[] = {"2025-02-30",       "2023-02-29",       "2025-6-30",       "30/06/2025",
                       "2025-06-30T25:00", "2025-06-30 12:00", "2025-06-30Tnoon", "tomorrow"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    set_string(&f->cart->line_items.items[0].custom_term_end_date, bad[i]);
    const CartProblem *p = expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_CUSTOM_TERM_END_DATE, 0,
                                      -1, "customTermEndDate");
    assert_contains(p->description, bad[i]);
  }
  const char *good[] = {"2025-06-30", "2024-02-29", "2025-06-30T00:00:00Z",
                        "2025-06-30T12:00:00.1234567+02:00", "2025-06-30T12:00"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    set_string(&f->cart->line_items.items[0].custom_term_end_date, good[i]);
    expect_none(f);
  }
}

static void test_attestation(void **state) {
  Fixture *f = *state;
  line_new(&f->cart->line_items, 0, NCE_ATTESTED_ITEM, 5, BILLING_CYCLE_ANNUAL, "P1Y");
  expect_one(f, PROBLEM_LINE, CART_ERROR_ATTESTATION_NOT_ACCEPTED, 0, -1, "attestationAccepted");
  f->cart->line_items.items[0].attestation_accepted = opt_bool(false);
  expect_one(f, PROBLEM_LINE, CART_ERROR_ATTESTATION_NOT_ACCEPTED, 0, -1, "attestationAccepted");
  f->cart->line_items.items[0].attestation_accepted = opt_bool(true);
  expect_none(f);
}

static void test_participants_direct_partner(void **state) {
  Fixture *f = *state;
  assert_true(kv_list_add(&nce_line(f, 0)->participants, "transaction_reseller", "4847383"));
  expect_none(f);
  f->context.partner_is_direct = true;
  expect_one(f, PROBLEM_LINE, CART_ERROR_PARTICIPANTS_NOT_SUPPORTED, 0, -1, "participants");
}

static void test_participant_key_unknown(void **state) {
  Fixture *f = *state;
  CartLineItem *line = nce_line(f, 0);
  assert_true(kv_list_add(&line->participants, "TransactionReseller", "4847383"));
  assert_true(kv_list_add(&line->participants, "additional_transaction_reseller", "1"));
  expect_none(f);
  assert_true(kv_list_add(&f->cart->line_items.items[0].participants, "distributor", "2"));
  const CartProblem *p =
      expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_INPUT, 0, -1, "participants");
  assert_contains(p->description, "distributor");
  /* A key is matched whole, not as a prefix. */
  kv_list_remove(&f->cart->line_items.items[0].participants, "distributor");
  assert_true(kv_list_add(&f->cart->line_items.items[0].participants, "transaction", "3"));
  expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_INPUT, 0, -1, "participants");
}

/* create-a-cart.md: one transaction_reseller, up to five additional_transaction_reseller. */
static void test_participant_counts(void **state) {
  Fixture *f = *state;
  CartLineItem *line = nce_line(f, 0);
  assert_true(kv_list_add(&line->participants, "transaction_reseller", "5357564"));
  for (int i = 0; i < 5; i++)
    assert_true(kv_list_add(&line->participants, "additional_transaction_reseller", "517285"));
  expect_none(f);
  assert_true(kv_list_add(&line->participants, "additional_transaction_reseller", "5357563"));
  const CartProblem *p =
      expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_INPUT, 0, -1, "participants");
  assert_contains(p->description, "at most 5");
  kv_list_clear(&line->participants);
  assert_true(kv_list_add(&line->participants, "transaction_reseller", "1"));
  assert_true(kv_list_add(&line->participants, "Transaction_Reseller", "2"));
  p = expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_INPUT, 0, -1, "participants");
  assert_contains(p->description, "one indirect reseller");
}

static void test_currency(void **state) {
  Fixture *f = *state;
  nce_line(f, 0)->currency_code = model_strdup("EUR");
  const CartProblem *p =
      expect_one(f, PROBLEM_LINE, CART_ERROR_CURRENCY_NOT_SUPPORTED, 0, -1, "currencyCode");
  assert_contains(p->description, "USD");
  set_string(&f->cart->line_items.items[0].currency_code, "USD");
  expect_none(f);
}

static void test_addons_on_new_commerce(void **state) {
  Fixture *f = *state;
  CartLineItem *line = nce_line(f, 0);
  CartLineItem *addon = cart_line_list_append(&line->addon_items);
  assert_non_null(addon);
  addon->id = opt_int(1);
  addon->catalog_item_id = model_strdup(NCE_ITEM);
  addon->quantity = opt_int(1);
  addon->billing_cycle = BILLING_CYCLE_MONTHLY;
  const CartProblem *p = expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_INPUT, 0, -1, "addonItems");
  assert_contains(p->description, "same way as base offers");
}

static void test_legacy_addons_validated(void **state) {
  Fixture *f = *state;
  CartLineItem *line =
      line_new(&f->cart->line_items, 0, O365_OFFER, 10, BILLING_CYCLE_MONTHLY, NULL);
  CartLineItem *addon = cart_line_list_append(&line->addon_items);
  assert_non_null(addon);
  addon->id = opt_int(1);
  addon->catalog_item_id = model_strdup(O365_ADDON_OFFER);
  addon->quantity = opt_int(11);
  addon->billing_cycle = BILLING_CYCLE_MONTHLY;
  const CartProblem *p =
      expect_one(f, PROBLEM_LINE, CART_ERROR_MAX_SEATS_PER_SUBSCRIPTION_EXCEEDED, 0, 0, "quantity");
  assert_contains(p->description, "Add-on item 1 of line item 0");
  /* The line itself is fine: its error stays empty. */
  assert_null(cart_problems_for_line(&f->problems, 0));

  addon = &f->cart->line_items.items[0].addon_items.items[0];
  addon->quantity = opt_int(10);
  expect_none(f);
  set_string(&addon->catalog_item_id, "NOPE");
  expect_one(f, PROBLEM_LINE, CART_ERROR_CATALOG_ITEM_ID_NOT_VALID, 0, 0, "catalogItemId");
  /* A structural problem in an add-on refuses the request. */
  set_string(&addon->catalog_item_id, NULL);
  expect_one(f, PROBLEM_REQUEST, 800002, 0, 0, "catalogItemId");
}

/* Without a catalog only what needs none is checked. */
static void test_without_catalog(void **state) {
  Fixture *f = *state;
  CartLineItem *line = ri_line(f, 0);
  set_string(&line->catalog_item_id, "ANYTHING:00:11");
  line->quantity = opt_int(999);
  expect_one(f, PROBLEM_LINE, CART_ERROR_CATALOG_ITEM_ID_NOT_VALID, 0, -1, "catalogItemId");
  f->context.catalog = NULL;
  expect_none(f);
  kv_list_set(&f->cart->line_items.items[0].provisioning_context, "scope", "global");
  expect_one(f, PROBLEM_LINE, CART_ERROR_INVALID_INPUT, 0, -1, "provisioningContext.scope");
  assert_true(cart_validate(f->cart, NULL, &f->problems));
  assert_int_equal(f->problems.count, 1);
}

/* ----- the single-line entry point ----- */

static void test_line_validate(void **state) {
  Fixture *f = *state;
  CartLineItem *line = nce_line(f, 9);
  assert_true(cart_line_validate(line, 4, &f->context, &f->problems));
  assert_int_equal(f->problems.count, 0);

  set_string(&line->term_duration, "P3Y");
  assert_true(cart_line_validate(line, 4, &f->context, &f->problems));
  assert_int_equal(f->problems.count, 1);
  assert_problem(&f->problems.items[0], PROBLEM_LINE, CART_ERROR_TERM_NOT_SUPPORTED, 4, -1,
                 "termDuration");
  assert_contains(f->problems.items[0].description, "line item 9");

  /* A form also learns about fields the request would be refused for. */
  line->quantity = opt_int(0);
  assert_true(cart_line_validate(line, 4, &f->context, &f->problems));
  assert_int_equal(f->problems.count, 2);
  assert_problem(&f->problems.items[0], PROBLEM_REQUEST, 800002, 4, -1, "quantity");
  assert_problem(&f->problems.items[1], PROBLEM_LINE, CART_ERROR_TERM_NOT_SUPPORTED, 4, -1,
                 "termDuration");
}

static void test_guid(void **state) {
  (void)state;
  assert_true(model_is_guid("1C461A25-F729-4FA5-AADB-280947DD05E8"));
  assert_true(model_is_guid("1c461a25-f729-4fa5-aadb-280947dd05e8"));
  assert_false(model_is_guid("1C461A25F7294FA5AADB280947DD05E8"));
  assert_false(model_is_guid("{1C461A25-F729-4FA5-AADB-280947DD05E8}"));
  assert_false(model_is_guid("1C461A25-F729-4FA5-AADB-280947DD05E"));
  assert_false(model_is_guid("1C461A25-F729-4FA5-AADB-280947DD05E8a"));
  assert_false(model_is_guid("1C461A25-F729-4FA5-AADB_280947DD05E8"));
  assert_false(model_is_guid("GC461A25-F729-4FA5-AADB-280947DD05E8"));
  assert_false(model_is_guid(""));
  assert_false(model_is_guid(NULL));
}

/* The problems as the `cart validate --json` document: every member in order, addonIndex only
 * for add-ons, fileLine only where a line is known, "file" only when a source is named. */
static void test_problems_to_json(void **state) {
  (void)state;
  CartProblem items[2] = {
      {PROBLEM_REQUEST, 800002, 1, -1, strdup("quantity"), strdup("Line item 1 has quantity 0.")},
      {PROBLEM_LINE, 10014, 0, 2, strdup("promotionId"), strdup("Add-on 2 has a promotion.")},
  };
  CartProblems problems = {.items = malloc(sizeof items), .count = 2};
  assert_non_null(problems.items);
  memcpy(problems.items, items, sizeof items);
  const int lines[2] = {11, 0};
  cJSON *json = cart_problems_to_json(&problems, "cart.json", lines);
  assert_non_null(json);
  char *text = cJSON_PrintUnformatted(json);
  assert_string_equal(text, "{\"file\":\"cart.json\",\"valid\":false,\"problems\":["
                            "{\"level\":\"request\",\"code\":800002,\"lineIndex\":1,"
                            "\"field\":\"quantity\",\"description\":\"Line item 1 has quantity "
                            "0.\",\"fileLine\":11},"
                            "{\"level\":\"line\",\"code\":10014,\"lineIndex\":0,\"addonIndex\":2,"
                            "\"field\":\"promotionId\",\"description\":\"Add-on 2 has a "
                            "promotion.\"}]}");
  free(text);
  cJSON_Delete(json);

  /* No source and no lines: neither "file" nor "fileLine". */
  json = cart_problems_to_json(&problems, NULL, NULL);
  text = cJSON_PrintUnformatted(json);
  assert_null(strstr(text, "\"file"));
  assert_non_null(strstr(text, "\"addonIndex\":2"));
  free(text);
  cJSON_Delete(json);
  cart_problems_clear(&problems);

  /* No problems: valid, an empty list. */
  json = cart_problems_to_json(&problems, "-", NULL);
  text = cJSON_PrintUnformatted(json);
  assert_string_equal(text, "{\"file\":\"-\",\"valid\":true,\"problems\":[]}");
  free(text);
  cJSON_Delete(json);
  assert_null(cart_problems_to_json(NULL, NULL, NULL));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_document_cart_is_valid),
      T(test_valid_cart_in_code),
      T(test_empty_cart),
      T(test_too_many_lines),
      T(test_missing_line_id),
      T(test_duplicate_line_id),
      T(test_missing_catalog_item_id),
      T(test_quantity_missing_or_below_one),
      T(test_billing_cycle_missing),
      T(test_problem_order),
      T(test_unknown_catalog_item),
      T(test_not_purchasable),
      T(test_quantity_above_max),
      T(test_quantity_below_min),
      T(test_sandbox_license_limit),
      T(test_billing_cycle_not_supported),
      T(test_term_duration_missing),
      T(test_term_not_supported),
      T(test_trial_term_matches_duration_only),
      T(test_renews_to_on_non_trial),
      T(test_renews_to_not_offered),
      T(test_provisioning_variable_missing),
      T(test_provisioning_keys_case_insensitive),
      T(test_scope_invalid),
      T(test_duration_invalid),
      T(test_subscription_id_not_guid),
      T(test_subscription_id_unknown),
      T(test_subscription_not_enabled),
      T(test_promotion),
      T(test_custom_term_end_date_product),
      T(test_custom_term_end_date_format),
      T(test_attestation),
      T(test_participants_direct_partner),
      T(test_participant_key_unknown),
      T(test_participant_counts),
      T(test_custom_term_end_date_nce_product_type),
      T(test_currency),
      T(test_addons_on_new_commerce),
      T(test_legacy_addons_validated),
      T(test_without_catalog),
      T(test_line_validate),
      cmocka_unit_test(test_guid),
      cmocka_unit_test(test_problems_to_json),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
