/* Customers, customer pages with their continuation token, and subscriptions: JSON round
 * trips, tolerant reading and the refusals of the page and list readers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"
#include "model/catalog.h"
#include "model/customer.h"

static cJSON *parse(const char *text) {
  cJSON *json = cJSON_Parse(text);
  assert_non_null(json);
  return json;
}

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

#define CUSTOMER_A                                                                                 \
  "{\"id\":\"d6bf25b7-e0a8-4f2d-a31b-97b55cfc774d\",\"commerceId\":\"c-1\","                       \
  "\"companyProfile\":{\"tenantId\":\"d6bf25b7-e0a8-4f2d-a31b-97b55cfc774d\","                     \
  "\"domain\":\"contoso.onmicrosoft.com\",\"companyName\":\"Contoso\","                            \
  "\"attributes\":{\"objectType\":\"CustomerCompanyProfile\"}},"                                   \
  "\"billingProfile\":{\"firstName\":\"Ana\",\"lastName\":\"Kovacs\","                             \
  "\"email\":\"ana@contoso.com\",\"culture\":\"en-US\",\"language\":\"en\","                       \
  "\"companyName\":\"Contoso\",\"defaultAddress\":{\"country\":\"US\",\"region\":\"WA\","          \
  "\"city\":\"Redmond\",\"state\":\"WA\",\"addressLine1\":\"1 Microsoft Way\","                    \
  "\"postalCode\":\"98052\",\"firstName\":\"Ana\",\"lastName\":\"Kovacs\","                        \
  "\"phoneNumber\":\"4255550100\"},\"attributes\":{\"objectType\":\"CustomerBillingProfile\"}},"   \
  "\"relationshipToPartner\":\"reseller\",\"allowDelegatedAccess\":true,"                          \
  "\"associatedPartnerId\":\"4847383\",\"links\":{\"self\":{\"uri\":"                              \
  "\"/customers/d6bf25b7-e0a8-4f2d-a31b-97b55cfc774d\",\"method\":\"GET\",\"headers\":[]}},"       \
  "\"attributes\":{\"objectType\":\"Customer\"}}"

#define CUSTOMER_B                                                                                 \
  "{\"id\":\"28045616-f6b9-462f-9701-0d89b5e65c44\","                                              \
  "\"companyProfile\":{\"domain\":\"fabrikam.onmicrosoft.com\",\"companyName\":\"Fabrikam\","      \
  "\"attributes\":{\"objectType\":\"CustomerCompanyProfile\"}},"                                   \
  "\"relationshipToPartner\":\"advisor\",\"attributes\":{\"objectType\":\"Customer\"}}"

static void test_customer_round_trip(void **state) {
  (void)state;
  cJSON *json = parse(CUSTOMER_A);
  Customer c = {0};
  assert_true(customer_from_json(&c, json));
  assert_string_equal(c.id, "d6bf25b7-e0a8-4f2d-a31b-97b55cfc774d");
  assert_string_equal(c.domain, "contoso.onmicrosoft.com");
  assert_string_equal(c.company_name, "Contoso");
  assert_string_equal(c.billing_email, "ana@contoso.com");
  assert_string_equal(c.billing_address.city, "Redmond");
  assert_string_equal(c.billing_address.phone_number, "4255550100");
  assert_true(c.allow_delegated_access.set && c.allow_delegated_access.value);
  assert_string_equal(c.relationship_to_partner, "reseller");
  assert_string_equal(c.links.items[0].name, "self");
  cJSON *out = customer_to_json(&c);
  assert_json_text(out, CUSTOMER_A);
  cJSON_Delete(out);

  Customer copy = {0};
  assert_true(customer_copy(&copy, &c));
  assert_ptr_not_equal(copy.billing_address.city, c.billing_address.city);
  customer_clear(&c);
  out = customer_to_json(&copy);
  assert_json_text(out, CUSTOMER_A);
  cJSON_Delete(out);
  customer_clear(&copy);
  cJSON_Delete(json);

  /* Without a billing profile, none is written. */
  json = parse(CUSTOMER_B);
  assert_true(customer_from_json(&c, json));
  out = customer_to_json(&c);
  assert_json_text(out, CUSTOMER_B);
  cJSON_Delete(out);
  customer_clear(&c);
  cJSON_Delete(json);
}

static void test_customer_tolerant(void **state) {
  (void)state;
  cJSON *json =
      parse("{\"Id\":\"X\",\"CompanyProfile\":{\"CompanyName\":null,\"Domain\":\"x.com\","
            "\"Extra\":[1]},\"BillingProfile\":{\"CompanyName\":\"Billing Name\","
            "\"DefaultAddress\":{\"Country\":\"HU\"}},\"AllowDelegatedAccess\":\"true\","
            "\"CustomDomains\":[\"x.com\"],\"Attributes\":{\"ObjectType\":\"Customer\"}}");
  Customer c = {0};
  assert_true(customer_from_json(&c, json));
  assert_string_equal(c.id, "X");
  assert_string_equal(c.domain, "x.com");
  /* The billing profile's company name stands in when the company profile has none. */
  assert_string_equal(c.company_name, "Billing Name");
  assert_string_equal(c.billing_address.country, "HU");
  assert_true(c.allow_delegated_access.value);
  assert_string_equal(c.object_type, "Customer");
  assert_null(c.tenant_id);
  customer_clear(&c);
  cJSON_Delete(json);

  json = parse("\"not a customer\"");
  assert_false(customer_from_json(&c, json));
  cJSON_Delete(json);
}

#define PAGE_JSON                                                                                  \
  "{\"totalCount\":2,\"items\":[" CUSTOMER_A "," CUSTOMER_B "],"                                   \
  "\"links\":{\"next\":{\"uri\":\"/customers?size=2&seekOperation=Next\",\"method\":\"GET\","      \
  "\"headers\":[{\"key\":\"MS-ContinuationToken\",\"value\":\"AQAAAA==token\"}]}},"                \
  "\"attributes\":{\"objectType\":\"Collection\"}}"

static void test_customer_page_round_trip(void **state) {
  (void)state;
  cJSON *json = parse(PAGE_JSON);
  char err[128] = "";
  CustomerPage *page = customer_page_from_json(json, err, sizeof err);
  assert_non_null(page);
  assert_int_equal(page->count, 2);
  assert_true(page->total_count.set);
  assert_int_equal(page->total_count.value, 2);
  assert_string_equal(page->continuation_token, "AQAAAA==token");
  assert_string_equal(page->items[1].company_name, "Fabrikam");
  cJSON *out = customer_page_to_json(page);
  assert_json_text(out, PAGE_JSON);
  cJSON_Delete(out);
  customer_page_free(page);
  cJSON_Delete(json);
}

static void test_customer_page_last_and_tolerant(void **state) {
  (void)state;
  /* The last page has no next link and so no token; header keys match in any case and a
   * non-object item is skipped. */
  cJSON *json = parse("{\"TotalCount\":\"1\",\"Items\":[" CUSTOMER_B ",42],\"Links\":{\"self\":{"
                      "\"uri\":\"/customers?size=2\",\"method\":\"GET\",\"headers\":[]}}}");
  CustomerPage *page = customer_page_from_json(json, NULL, 0);
  assert_non_null(page);
  assert_int_equal(page->count, 1);
  assert_int_equal(page->total_count.value, 1);
  assert_null(page->continuation_token);
  customer_page_free(page);
  cJSON_Delete(json);

  json =
      parse("{\"items\":[],\"links\":{\"next\":{\"uri\":\"/customers?size=5&seekOperation=Next\","
            "\"headers\":[{\"key\":\"ms-continuationtoken\",\"value\":\"lower\"}]}}}");
  page = customer_page_from_json(json, NULL, 0);
  assert_non_null(page);
  assert_int_equal(page->count, 0);
  assert_false(page->total_count.set);
  assert_string_equal(page->continuation_token, "lower");
  customer_page_free(page);
  cJSON_Delete(json);
}

static void test_customer_page_refusals(void **state) {
  (void)state;
  char err[128] = "";
  cJSON *json = parse("[1]");
  assert_null(customer_page_from_json(json, err, sizeof err));
  assert_string_equal(err, "The customer list is not a JSON object.");
  cJSON_Delete(json);
  json = parse("{\"totalCount\":0}");
  assert_null(customer_page_from_json(json, err, sizeof err));
  assert_string_equal(err, "The customer list has no items array.");
  cJSON_Delete(json);
  assert_null(customer_page_from_json(NULL, err, sizeof err));
}

/* A page built in code with only continuation_token set still carries it on the wire. */
static void test_customer_page_token_written(void **state) {
  (void)state;
  CustomerPage *page = customer_page_new();
  assert_non_null(page);
  Customer *c = customer_page_add(page);
  assert_non_null(c);
  c->id = model_strdup("id-1");
  page->continuation_token = model_strdup("tok");
  page->total_count = opt_int(80);
  cJSON *json = customer_page_to_json(page);
  assert_json_text(json, "{\"totalCount\":80,\"items\":[{\"id\":\"id-1\",\"attributes\":{"
                         "\"objectType\":\"Customer\"}}],\"links\":{\"next\":{\"uri\":"
                         "\"/customers?size=1&seekOperation=Next\",\"method\":\"GET\","
                         "\"headers\":[{\"key\":\"MS-ContinuationToken\",\"value\":\"tok\"}]}},"
                         "\"attributes\":{\"objectType\":\"Collection\"}}");
  /* Reading it back gives the token again. */
  CustomerPage *back = customer_page_from_json(json, NULL, 0);
  assert_non_null(back);
  assert_string_equal(back->continuation_token, "tok");
  customer_page_free(back);
  cJSON_Delete(json);
  customer_page_free(page);
}

#define SUBSCRIPTION_JSON                                                                          \
  "{\"id\":\"1C461A25-F729-4FA5-AADB-280947DD05E8\",\"entitlementId\":\"e-1\","                    \
  "\"offerId\":\"MS-AZR-0145P\",\"offerName\":\"Microsoft Azure\","                                \
  "\"friendlyName\":\"Production\",\"quantity\":1,\"unitType\":\"Usage-based\","                   \
  "\"status\":\"active\",\"billingCycle\":\"monthly\",\"termDuration\":\"P1Y\","                   \
  "\"creationDate\":\"2019-01-16T00:45:41.6062996Z\",\"orderId\":\"o-1\",\"isTrial\":false,"       \
  "\"partnerId\":\"4847383\",\"links\":{\"self\":{\"uri\":\"/customers/c/subscriptions/s\","       \
  "\"method\":\"GET\",\"headers\":[]}},\"attributes\":{\"objectType\":\"Subscription\"}}"

static void test_subscription_round_trip(void **state) {
  (void)state;
  cJSON *json = parse(SUBSCRIPTION_JSON);
  Subscription sub = {0};
  assert_true(subscription_from_json(&sub, json));
  assert_string_equal(sub.offer_id, "MS-AZR-0145P");
  assert_int_equal(sub.quantity.value, 1);
  assert_int_equal(sub.billing_cycle, BILLING_CYCLE_MONTHLY);
  assert_string_equal(sub.status, "active");
  cJSON *out = subscription_to_json(&sub);
  assert_json_text(out, SUBSCRIPTION_JSON);
  cJSON_Delete(out);
  Subscription copy = {0};
  assert_true(subscription_copy(&copy, &sub));
  assert_ptr_not_equal(copy.id, sub.id);
  assert_string_equal(copy.creation_date, "2019-01-16T00:45:41.6062996Z");
  subscription_clear(&copy);
  subscription_clear(&sub);
  cJSON_Delete(json);

  /* An enum given as the .NET integer, names in PascalCase. */
  json = parse("{\"Id\":\"S\",\"BillingCycle\":2,\"Quantity\":\"7\",\"Status\":\"Suspended\"}");
  assert_true(subscription_from_json(&sub, json));
  assert_int_equal(sub.billing_cycle, BILLING_CYCLE_ANNUAL);
  assert_int_equal(sub.quantity.value, 7);
  assert_string_equal(sub.status, "Suspended");
  subscription_clear(&sub);
  cJSON_Delete(json);
}

static void test_subscription_list(void **state) {
  (void)state;
  cJSON *json = parse("{\"totalCount\":1,\"items\":[" SUBSCRIPTION_JSON "],"
                      "\"attributes\":{\"objectType\":\"Collection\"}}");
  SubscriptionList list = {0};
  char err[128] = "";
  assert_true(subscription_list_from_json(&list, json, err, sizeof err));
  assert_int_equal(list.count, 1);
  cJSON *out = subscription_list_to_json(&list);
  assert_json_text(out, "{\"totalCount\":1,\"items\":[" SUBSCRIPTION_JSON "],"
                        "\"attributes\":{\"objectType\":\"Collection\"}}");
  cJSON_Delete(out);
  cJSON_Delete(json);

  /* A bare array is accepted too; the list is replaced, not appended to. */
  json = parse("[{\"id\":\"A\"},{\"id\":\"B\"}]");
  assert_true(subscription_list_from_json(&list, json, err, sizeof err));
  assert_int_equal(list.count, 2);
  assert_string_equal(list.items[1].id, "B");
  cJSON_Delete(json);

  json = parse("{\"items\":{}}");
  assert_false(subscription_list_from_json(&list, json, err, sizeof err));
  assert_string_equal(err, "The subscription list is not a collection with an items array.");
  assert_int_equal(list.count, 0);
  cJSON_Delete(json);

  Subscription *added = subscription_list_add(&list);
  assert_non_null(added);
  assert_null(added->id);
  assert_int_equal(list.count, 1);
  subscription_list_clear(&list);
  assert_int_equal(list.count, 0);
  assert_null(list.items);
}

/* get-a-subscription-by-id.md's new-commerce reply: the fields a sales person is shown (product
 * type, commitment end, auto-renew, the term) are read, copied and written back. */
static void test_docs_nce_subscription(void **state) {
  (void)state;
  char *raw = fixture_read("docs-nce-subscription-response.json");
  assert_non_null(raw);
  char *text = fixture_normalize_doc_json(raw);
  free(raw);
  assert_non_null(text);
  cJSON *json = cJSON_Parse(text);
  free(text);
  assert_non_null(json);
  Subscription sub = {0};
  assert_true(subscription_from_json(&sub, json));
  assert_string_equal(sub.id, "a4c1340d-6911-4758-bba3-0c4c6007d161");
  assert_string_equal(sub.product_type_id, "OnlineServicesNCE");
  assert_string_equal(sub.product_type_display_name, "OnlineServicesNCE");
  assert_int_equal(sub.quantity.value, 15);
  assert_string_equal(sub.effective_start_date, "2021-01-14T16:57:14.498252Z");
  assert_string_equal(sub.commitment_end_date, "2022-01-13T00:00:00Z");
  assert_string_equal(sub.commitment_end_date_time, "2022-01-13T23:59:59Z");
  assert_true(sub.auto_renew_enabled.set);
  assert_false(sub.auto_renew_enabled.value);
  assert_string_equal(sub.status, "expired");
  assert_int_equal(sub.billing_cycle, BILLING_CYCLE_MONTHLY);
  assert_string_equal(sub.term_duration, "P1Y");
  assert_string_equal(sub.billing_type, "license");
  assert_string_equal(sub.renewal_term_duration, "");
  assert_string_equal(sub.contract_type, "subscription");
  assert_string_equal(sub.publisher_name, "Microsoft Corporation");
  assert_string_equal(sub.order_id, "34b37d7340cc");
  assert_true(sub.is_microsoft_product.value);
  assert_false(sub.has_purchasable_addons.value);

  Subscription copy = {0};
  assert_true(subscription_copy(&copy, &sub));
  cJSON *written = subscription_to_json(&copy);
  assert_non_null(written);
  const cJSON *type = cJSON_GetObjectItemCaseSensitive(written, "productType");
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(type, "id")->valuestring,
                      "OnlineServicesNCE");
  Subscription again = {0};
  assert_true(subscription_from_json(&again, written));
  assert_string_equal(again.commitment_end_date, "2022-01-13T00:00:00Z");
  assert_true(again.auto_renew_enabled.set && !again.auto_renew_enabled.value);
  assert_string_equal(again.effective_start_date, sub.effective_start_date);
  subscription_clear(&again);
  cJSON_Delete(written);
  subscription_clear(&copy);
  subscription_clear(&sub);
  cJSON_Delete(json);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_customer_round_trip),
      cmocka_unit_test(test_customer_tolerant),
      cmocka_unit_test(test_customer_page_round_trip),
      cmocka_unit_test(test_customer_page_last_and_tolerant),
      cmocka_unit_test(test_customer_page_refusals),
      cmocka_unit_test(test_customer_page_token_written),
      cmocka_unit_test(test_subscription_round_trip),
      cmocka_unit_test(test_subscription_list),
      cmocka_unit_test(test_docs_nce_subscription),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
