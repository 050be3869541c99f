/* Every operation of the Partner Center client against an in-process sandbox over real
 * HTTP: customers (paging, both filters), one customer, subscriptions, the catalog call by
 * call and all at once, and the documents' 6-line cart created, read, updated and checked
 * out, with the body sent byte for byte what the model prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "model/validate.h"
#include "pc/client.h"
#include "sandbox_http.h"
#include "sandbox_settings.h"

static HttpCtx *ctx;
static PcClient *client;

static int setup(void **state) {
  if (sandbox_setup(state) != 0) {
    return -1;
  }
  ctx = *state;
  PcSettings s = sandbox_pc_settings(ctx);
  s.backoff_base_ms = 1;
  s.backoff_max_ms = 0; /* the client's default */
  s.retry_after_max_ms = 5;
  PcError error = {0};
  client = pc_client_new(&s, &error);
  if (!client) {
    print_error("pc_client_new: %s\n", error.message);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  pc_client_free(client);
  client = NULL;
  ctx = NULL;
  return sandbox_teardown(state);
}

#define CHECK(call)                                                                                \
  do {                                                                                             \
    PcError check_error_ = {0};                                                                    \
    PcError *cerr = &check_error_;                                                                 \
    if (!(call))                                                                                   \
      fail_msg("%s: %s (%s, HTTP %ld)", #call, check_error_.message,                               \
               pc_error_kind_name(check_error_.kind), check_error_.http_status);                   \
    pc_error_clear(&check_error_);                                                                 \
  } while (0)

static cJSON *requests_log(const char *op) {
  char path[128];
  snprintf(path, sizeof path, "requests?op=%s", op);
  HttpResponse response;
  assert_true(sandbox_control(ctx, "GET", path, NULL, &response));
  cJSON *json = cJSON_Duplicate(response.json, true);
  http_response_clear(&response);
  assert_non_null(json);
  return json;
}

static const char *header_of(const cJSON *entry, const char *name) {
  const cJSON *value = json_get(json_get(entry, "headers"), name);
  return cJSON_IsString(value) ? value->valuestring : NULL;
}

static Cart *docs_cart(void) {
  char *text = docs_create_cart_body();
  assert_non_null(text);
  char err[256] = "";
  Cart *cart = cart_parse(text, err, sizeof err);
  free(text);
  if (!cart)
    fail_msg("the documents' cart does not parse: %s", err);
  assert_int_equal(cart->line_items.count, 6);
  return cart;
}

static char *request_body_of(const Cart *cart) {
  cJSON *json = cart_to_request_json(cart);
  char *body = model_json_print(json);
  cJSON_Delete(json);
  assert_non_null(body);
  return body;
}

/* ----- customers ----- */

static void test_customers_paging(void **state) {
  (void)state;
  size_t total = 0;
  char *token = NULL;
  char *ids[200];
  int pages = 0;
  do {
    PcCustomerQuery query = {.size = 30, .continuation_token = token};
    CustomerPage *page = NULL;
    CHECK(pc_customers_list(client, &query, &page, NULL, cerr));
    free(token);
    token = page->continuation_token ? strdup(page->continuation_token) : NULL;
    for (size_t i = 0; i < page->count; i++) {
      assert_true(total < 200);
      for (size_t j = 0; j < total; j++)
        assert_string_not_equal(ids[j], page->items[i].id); /* no customer twice */
      ids[total++] = strdup(page->items[i].id);
    }
    assert_true(page->count == 30 || !token);
    customer_page_free(page);
    pages++;
  } while (token);
  assert_int_equal(pages, 3);
  assert_int_equal(total, 80); /* the sandbox's default customer count */
  for (size_t i = 0; i < total; i++)
    free(ids[i]);
  /* The next pages went as links.next says: seekOperation=Next and the token header. */
  cJSON *log = requests_log("customers.list");
  const cJSON *items = json_items(log);
  assert_int_equal(cJSON_GetArraySize(items), 3);
  const cJSON *second = cJSON_GetArrayItem(items, 1);
  assert_non_null(strstr(json_str_at(second, "query"), "seekOperation=Next"));
  assert_non_null(strstr(json_str_at(second, "query"), "size=30"));
  assert_non_null(header_of(second, "MS-ContinuationToken"));
  assert_null(header_of(cJSON_GetArrayItem(items, 0), "MS-ContinuationToken"));
  cJSON_Delete(log);
}

static void search(PcCustomerField field, const char *prefix, size_t *count, bool check_prefix) {
  PcCustomerQuery query = {.size = 500, .field = field, .prefix = prefix};
  CustomerPage *page = NULL;
  CHECK(pc_customers_list(client, &query, &page, NULL, cerr));
  for (size_t i = 0; check_prefix && i < page->count; i++) {
    const char *value =
        field == PC_CUSTOMER_BY_DOMAIN ? page->items[i].domain : page->items[i].company_name;
    if (strncasecmp(value, prefix, strlen(prefix)) != 0)
      fail_msg("%s does not start with %s", value, prefix);
  }
  *count = page->count;
  customer_page_free(page);
}

static void test_customers_filters(void **state) {
  (void)state;
  PcCustomerQuery all = {.size = 5};
  CustomerPage *page = NULL;
  CHECK(pc_customers_list(client, &all, &page, NULL, cerr));
  assert_int_equal(page->count, 5);
  char name_prefix[4] = "", domain_prefix[4] = "";
  snprintf(name_prefix, sizeof name_prefix, "%s", page->items[0].company_name);
  snprintf(domain_prefix, sizeof domain_prefix, "%s", page->items[0].domain);
  customer_page_free(page);

  size_t count = 0;
  search(PC_CUSTOMER_BY_COMPANY_NAME, name_prefix, &count, true);
  assert_true(count >= 1 && count < 80);
  size_t lower_count = 0;
  for (char *p = name_prefix; *p; p++)
    *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
  search(PC_CUSTOMER_BY_COMPANY_NAME, name_prefix, &lower_count, true); /* case-insensitive */
  assert_int_equal(lower_count, count);
  search(PC_CUSTOMER_BY_DOMAIN, domain_prefix, &count, true);
  assert_true(count >= 1 && count < 80);
  /* A prefix with JSON and URL specials travels intact and finds nothing. */
  search(PC_CUSTOMER_BY_COMPANY_NAME, "\"&?=/%+ #", &count, false);
  assert_int_equal(count, 0);

  cJSON *log = requests_log("customers.list");
  const cJSON *entry = cJSON_GetArrayItem(json_items(log), 1);
  const char *query = json_str_at(entry, "query");
  assert_non_null(strstr(query, "filter="));
  assert_non_null(strstr(query, "CompanyName"));
  assert_non_null(strstr(query, "starts_with"));
  cJSON_Delete(log);
}

static void test_customers_invalid_queries(void **state) {
  (void)state;
  CustomerPage *page = NULL;
  PcError error = {0};
  PcCustomerQuery query = {.size = 501};
  assert_false(pc_customers_list(client, &query, &page, NULL, &error));
  assert_int_equal(error.kind, PC_ERROR_INVALID);
  assert_non_null(strstr(error.message, "page size"));
  pc_error_clear(&error);
  query = (PcCustomerQuery){.field = PC_CUSTOMER_BY_DOMAIN};
  assert_false(pc_customers_list(client, &query, &page, NULL, &error));
  assert_int_equal(error.kind, PC_ERROR_INVALID);
  assert_non_null(strstr(error.message, "domain"));
  pc_error_clear(&error);
  query = (PcCustomerQuery){.continuation_token = "bogus-token"};
  assert_false(pc_customers_list(client, &query, &page, NULL, &error));
  assert_int_equal(error.kind, PC_ERROR_HTTP);
  assert_int_equal(error.http_status, 400);
  assert_int_equal(error.code, 800002);
  assert_non_null(strstr(error.message, "Partner Center refused the request: "));
  pc_error_clear(&error);
  assert_null(page);
  /* The default page size is 100: all 80 on one page. */
  CHECK(pc_customers_list(client, NULL, &page, NULL, cerr));
  assert_int_equal(page->count, 80);
  assert_null(page->continuation_token);
  customer_page_free(page);
}

static void test_customer_and_subscriptions(void **state) {
  (void)state;
  Customer customer = {0};
  PcCallInfo info = {0};
  CHECK(pc_customer_get(client, DOC_CUSTOMER_ID, &customer, &info, cerr));
  assert_string_equal(customer.id, DOC_CUSTOMER_ID);
  assert_non_null(customer.company_name);
  assert_int_equal(info.status, 200);
  assert_int_equal(info.attempts, 1);
  assert_null(info.request_body);
  assert_non_null(strstr(info.response_body, DOC_CUSTOMER_ID));
  customer_clear(&customer);
  pc_call_info_clear(&info);

  SubscriptionList subs = {0};
  CHECK(pc_subscriptions_list(client, DOC_CUSTOMER_ID, &subs, NULL, cerr));
  bool found = false;
  for (size_t i = 0; i < subs.count; i++)
    found = found || strcasecmp(subs.items[i].id, DOC_SUBSCRIPTION_ID) == 0;
  assert_true(found);
  subscription_list_clear(&subs);
}

static void test_unknown_customer(void **state) {
  (void)state;
  Customer customer = {0};
  PcError error = {0};
  assert_false(
      pc_customer_get(client, "00000000-0000-0000-0000-000000000000", &customer, NULL, &error));
  assert_int_equal(error.kind, PC_ERROR_HTTP);
  assert_int_equal(error.http_status, 404);
  assert_int_equal(error.code, 1000);
  assert_string_equal(
      error.message, "Partner Center does not know customer 00000000-0000-0000-0000-000000000000.");
  assert_true(is_guid(error.request_id));
  assert_true(is_guid(error.correlation_id));
  pc_error_clear(&error);
  /* Ids are percent-encoded: a '#' or a blank in an id stays part of the id (unencoded, the
   * '#' would cut the URL to the document's customer and the blank would be refused). */
  const char *odd[] = {DOC_CUSTOMER_ID "#x", DOC_CUSTOMER_ID " x"};
  for (size_t i = 0; i < 2; i++) {
    assert_false(pc_customer_get(client, odd[i], &customer, NULL, &error));
    assert_int_equal(error.kind, PC_ERROR_HTTP);
    assert_int_equal(error.http_status, 404);
    pc_error_clear(&error);
  }
  assert_false(pc_customer_get(client, "", &customer, NULL, &error));
  assert_int_equal(error.kind, PC_ERROR_INVALID);
  pc_error_clear(&error);
}

/* ----- catalog ----- */

static void test_catalog_calls(void **state) {
  (void)state;
  Catalog *catalog = catalog_new();
  assert_non_null(catalog);
  CHECK(pc_products_list(client, NULL, NULL, NULL, catalog, NULL, cerr));
  assert_non_null(catalog_find_product(catalog, "DZH318Z0BQ36"));
  size_t all = catalog->product_count;
  Catalog *software = catalog_new();
  CHECK(pc_products_list(client, NULL, "Software", NULL, software, NULL, cerr));
  assert_true(software->product_count > 0 && software->product_count < all);
  for (size_t i = 0; i < software->product_count; i++)
    assert_string_equal(software->products[i].product_type.id, "Software");
  catalog_free(software);
  /* Adding the same list again adds nothing twice. */
  CHECK(pc_products_list(client, NULL, NULL, NULL, catalog, NULL, cerr));
  assert_int_equal(catalog->product_count, all);

  CHECK(pc_product_get(client, NULL, "DG7GMGF0DWTL", catalog, NULL, cerr));
  CHECK(pc_skus_list(client, NULL, "DZH318Z0BQ36", catalog, NULL, cerr));
  assert_non_null(catalog_find_sku(catalog, "DZH318Z0BQ36", "004G"));
  assert_non_null(catalog_find_sku(catalog, "DZH318Z0BQ36", "004J"));
  CHECK(pc_sku_get(client, NULL, "DG7GMGF0DWTL", "0001", catalog, NULL, cerr));
  assert_non_null(catalog_find_sku(catalog, "DG7GMGF0DWTL", "0001"));
  PcCallInfo info = {0};
  CHECK(pc_availabilities_list(client, NULL, "DZH318Z0BQ36", "004G", catalog, &info, cerr));
  assert_non_null(strstr(info.response_body, "DZH318Z08C0S"));
  pc_call_info_clear(&info);
  const Availability *a =
      catalog_find_availability(catalog, "DZH318Z0BQ36", "004G", "DZH318Z08C0S");
  assert_non_null(a);
  assert_string_equal(a->catalog_item_id, "DZH318Z0BQ36:004G:DZH318Z08C0S");
  CHECK(pc_availability_get(client, NULL, "DG7GMGF0DWTL", "0001", "DG7GMGF0DSFM", catalog, NULL,
                            cerr));
  CatalogItem item;
  assert_true(catalog_find_item(catalog, "DG7GMGF0DWTL:0001:DG7GMGF0DSFM", &item));
  CHECK(pc_offers_list(client, catalog, NULL, cerr));
  assert_non_null(catalog_find_offer(catalog, "MS-AZR-0145P"));

  /* Customer-scoped: the same shapes under /v1/customers/{id}. */
  Catalog *scoped = catalog_new();
  CHECK(pc_products_list(client, DOC_CUSTOMER_ID, NULL, NULL, scoped, NULL, cerr));
  CHECK(
      pc_availabilities_list(client, DOC_CUSTOMER_ID, "DZH318Z0BQ36", "004J", scoped, NULL, cerr));
  assert_non_null(catalog_find_availability(scoped, "DZH318Z0BQ36", "004J", "DZH318Z08B8X"));
  catalog_free(scoped);
  cJSON *log = requests_log("catalog.availabilities");
  const cJSON *items = json_items(log);
  const cJSON *scoped_entry = cJSON_GetArrayItem(items, cJSON_GetArraySize(items) - 1);
  assert_non_null(strstr(json_str_at(scoped_entry, "path"), "/v1/customers/" DOC_CUSTOMER_ID));
  assert_non_null(strstr(json_str_at(cJSON_GetArrayItem(items, 0), "query"), "country=US"));
  cJSON_Delete(log);

  /* Unknown ids: 404 as a sentence; the catalog is left as it was. */
  size_t skus = catalog->sku_count;
  PcError error = {0};
  assert_false(pc_skus_list(client, NULL, "NOSUCHPRODUCT", catalog, NULL, &error));
  assert_int_equal(error.http_status, 404);
  assert_string_equal(error.message, "The catalog has no product NOSUCHPRODUCT.");
  assert_int_equal(catalog->sku_count, skus);
  pc_error_clear(&error);
  catalog_free(catalog);
}

/* The promotions: listed with the country and the commercial segment, part of the fetched
 * catalog (so a line's promotionId validates), and left out when Partner Center refuses
 * the list with 403 while any other failure fails the fetch. */
static void test_promotions(void **state) {
  (void)state;
  Catalog *catalog = catalog_new();
  assert_non_null(catalog);
  PcCallInfo info = {0};
  CHECK(pc_promotions_list(client, catalog, &info, cerr));
  assert_int_equal(info.status, 200);
  pc_call_info_clear(&info);
  assert_true(catalog->promotion_count >= 3);
  const Promotion *p = catalog_find_promotion(catalog, "39NFJQT1Q5KV:0002:39NFJQT1Q5KW");
  assert_non_null(p);
  assert_string_equal(p->product_id, "CFQ7TTC0LH18");
  assert_string_equal(p->sku_id, "0001");
  assert_string_equal(p->term_duration, "P1Y");
  assert_int_equal(p->billing_cycle, BILLING_CYCLE_ANNUAL);
  /* Listing again adds nothing twice. */
  size_t count = catalog->promotion_count;
  CHECK(pc_promotions_list(client, catalog, NULL, cerr));
  assert_int_equal(catalog->promotion_count, count);
  cJSON *log = requests_log("catalog.promotions");
  const cJSON *entry = cJSON_GetArrayItem(json_items(log), 0);
  assert_non_null(entry);
  assert_string_equal(json_str_at(entry, "path"), "/v1/productPromotions");
  assert_non_null(strstr(json_str_at(entry, "query"), "country=US"));
  assert_non_null(strstr(json_str_at(entry, "query"), "segment=commercial"));
  cJSON_Delete(log);
  catalog_free(catalog);

  /* The fetched catalog has them: a line with the promotion validates, a wrong one is 10014. */
  catalog = catalog_new();
  CHECK(pc_catalog_fetch(client, NULL, catalog, cerr));
  assert_int_equal(catalog->promotion_count, count);
  const char *text =
      "{\"lineItems\":[{\"id\":0,\"catalogItemId\":\"CFQ7TTC0LH18:0001:CFQ7TTC0K59J\","
      "\"quantity\":5,\"billingCycle\":\"annual\",\"termDuration\":\"P1Y\","
      "\"promotionId\":\"39NFJQT1Q5KV:0002:39NFJQT1Q5KW\"},"
      "{\"id\":1,\"catalogItemId\":\"CFQ7TTC0LH18:0001:CFQ7TTC0K59J\","
      "\"quantity\":5,\"billingCycle\":\"annual\",\"termDuration\":\"P1Y\","
      "\"promotionId\":\"39NFJQT1MQ3B:0001:39NFJQT1MQ3C\"}]}";
  char err[256] = "";
  Cart *cart = cart_parse(text, err, sizeof err);
  assert_non_null(cart);
  ValidationContext context = {.catalog = catalog};
  CartProblems problems = {0};
  assert_true(cart_validate(cart, &context, &problems));
  assert_int_equal(problems.count, 1);
  assert_int_equal(problems.items[0].line_index, 1);
  assert_int_equal(problems.items[0].code, CART_ERROR_INVALID_PROMOTION_ID);
  cart_problems_clear(&problems);
  cart_free(cart);
  catalog_free(catalog);

  /* A partner not offered promotions (403): the catalog comes without them. */
  assert_true(
      sandbox_fault_arm(ctx, "{\"match\":\"catalog.promotions\",\"kind\":\"status\",\"status\":403,"
                             "\"code\":400036,\"description\":\"Not allowed\"}") >= 0);
  catalog = catalog_new();
  CHECK(pc_catalog_fetch(client, NULL, catalog, cerr));
  assert_int_equal(catalog->promotion_count, 0);
  assert_true(catalog->availability_count > 0);
  catalog_free(catalog);

  /* Any other refusal fails the fetch and leaves the caller's catalog untouched. */
  assert_true(sandbox_fault_arm(ctx, "{\"match\":\"catalog.promotions\",\"kind\":\"status\","
                                     "\"status\":400,\"code\":800002}") >= 0);
  catalog = catalog_new();
  PcError error = {0};
  assert_false(pc_catalog_fetch(client, NULL, catalog, &error));
  assert_int_equal(error.kind, PC_ERROR_HTTP);
  assert_int_equal(error.http_status, 400);
  assert_int_equal(catalog->product_count, 0);
  assert_int_equal(catalog->promotion_count, 0);
  pc_error_clear(&error);
  catalog_free(catalog);
}

static void test_catalog_fetch_covers_the_documents(void **state) {
  (void)state;
  Cart *cart = docs_cart();
  const char *customers[] = {NULL, DOC_CUSTOMER_ID};
  for (size_t c = 0; c < 2; c++) {
    Catalog *catalog = catalog_new();
    CHECK(pc_catalog_fetch(client, customers[c], catalog, cerr));
    for (size_t i = 0; i < cart->line_items.count; i++) {
      CatalogItem item;
      const char *id = cart->line_items.items[i].catalog_item_id;
      if (!catalog_find_item(catalog, id, &item))
        fail_msg("catalog_fetch(%s) has no %s", customers[c] ? customers[c] : "global", id);
    }
    assert_true(catalog->sku_count > 0 && catalog->availability_count > catalog->sku_count / 2);
    catalog_free(catalog);
  }
  cart_free(cart);
}

/* ----- carts ----- */

static void test_cart_lifecycle(void **state) {
  (void)state;
  Cart *cart = docs_cart();
  char *expected_body = request_body_of(cart);
  Cart *created = NULL;
  PcCallInfo info = {0};
  CHECK(pc_cart_create(client, DOC_CUSTOMER_ID, cart, NULL, &created, &info, cerr));
  assert_int_equal(info.status, 201);
  assert_string_equal(info.request_body, expected_body); /* byte for byte what a preview shows */
  assert_true(is_guid(info.request_id));
  assert_non_null(created->id);
  assert_int_equal(created->status, CART_STATUS_ACTIVE);
  assert_int_equal(created->line_items.count, 6);
  assert_string_equal(created->line_items.items[0].order_group, "OMS-0");
  for (size_t i = 0; i < created->line_items.count; i++)
    assert_null(created->line_items.items[i].error);
  /* The sandbox received exactly those bytes, with the JSON content type. */
  cJSON *log = requests_log("carts.create");
  const cJSON *entry = cJSON_GetArrayItem(json_items(log), 0);
  assert_string_equal(json_str_at(entry, "body"), expected_body);
  assert_string_equal(header_of(entry, "Content-Type"), "application/json");
  assert_string_equal(header_of(entry, "MS-RequestId"), info.request_id);
  cJSON_Delete(log);
  pc_call_info_clear(&info);

  Cart *read = NULL;
  CHECK(pc_cart_get(client, DOC_CUSTOMER_ID, created->id, &read, NULL, cerr));
  assert_string_equal(read->id, created->id);
  assert_int_equal(read->line_items.count, 6);
  cart_free(read);

  /* Update: drop the SaaS trial; the PUT replaces every line. */
  Cart *changed = cart_clone(created);
  assert_true(cart_line_list_remove(&changed->line_items, 5));
  char *update_body = request_body_of(changed);
  char request_id[37];
  pc_new_request_id(request_id);
  Cart *updated = NULL;
  CHECK(pc_cart_update(client, DOC_CUSTOMER_ID, changed, request_id, &updated, &info, cerr));
  assert_true(info.status == 201 || info.status == 200);
  assert_string_equal(info.request_id, request_id);
  assert_string_equal(info.request_body, update_body);
  assert_int_equal(updated->line_items.count, 5);
  assert_string_equal(updated->id, created->id);
  pc_call_info_clear(&info);

  /* Checkout: no body, the UPN header, orders in the ledger. */
  CartCheckoutResult *result = NULL;
  CHECK(pc_cart_checkout(client, DOC_CUSTOMER_ID, created->id, "admin@contoso.example", NULL,
                         &result, &info, cerr));
  assert_true(info.status == 201 || info.status == 200);
  assert_null(info.request_body);
  assert_true(result->order_count >= 2);
  assert_int_equal(result->order_error_count, 0);
  long orders = sandbox_control_number(ctx, "status", "orders");
  assert_int_equal(orders, (long)result->order_count);
  log = requests_log("carts.checkout");
  entry = cJSON_GetArrayItem(json_items(log), 0);
  assert_string_equal(header_of(entry, "x-ms-customeruser-upn"), "admin@contoso.example");
  assert_string_equal(header_of(entry, "Content-Length"), "0");
  const char *body = json_str_at(entry, "body");
  assert_true(!body || !body[0]);
  cJSON_Delete(log);
  pc_call_info_clear(&info);
  checkout_result_free(result);

  /* An ordered cart cannot be changed: 400, not retried, with the service's words. */
  PcError error = {0};
  Cart *refused = NULL;
  assert_false(pc_cart_update(client, DOC_CUSTOMER_ID, changed, NULL, &refused, &info, &error));
  assert_int_equal(error.http_status, 400);
  assert_int_equal(error.code, 800065);
  assert_int_equal(info.attempts, 1);
  assert_non_null(strstr(error.message, "Partner Center refused the request: "));
  assert_false(error.outcome_unknown);
  assert_null(refused);
  pc_error_clear(&error);
  pc_call_info_clear(&info);

  free(update_body);
  free(expected_body);
  cart_free(updated);
  cart_free(changed);
  cart_free(created);
  cart_free(cart);
}

static void test_cart_not_found(void **state) {
  (void)state;
  Cart *out = NULL;
  PcError error = {0};
  assert_false(pc_cart_get(client, DOC_CUSTOMER_ID, "7b1d1a1e-0000-4000-8000-000000000000", &out,
                           NULL, &error));
  assert_int_equal(error.kind, PC_ERROR_HTTP);
  assert_int_equal(error.http_status, 404);
  assert_int_equal(error.code, 800008);
  assert_non_null(strstr(error.message, "The cart was not found"));
  assert_null(out);
  pc_error_clear(&error);
  Cart *no_id = docs_cart();
  assert_false(pc_cart_update(client, DOC_CUSTOMER_ID, no_id, NULL, &out, NULL, &error));
  assert_int_equal(error.kind, PC_ERROR_INVALID);
  pc_error_clear(&error);
  /* A request id that would be cut to 36 characters (and so shared with another intent) is
   * refused before anything is sent. */
  const char *too_long = "4fa6dad6-a89f-4875-8247-8294a10ae1cf-second";
  assert_false(pc_cart_create(client, DOC_CUSTOMER_ID, no_id, too_long, &out, NULL, &error));
  assert_int_equal(error.kind, PC_ERROR_INVALID);
  assert_non_null(strstr(error.message, "request id"));
  assert_null(out);
  pc_error_clear(&error);
  CartCheckoutResult *result = NULL;
  assert_false(pc_cart_checkout(client, DOC_CUSTOMER_ID, "some-cart", NULL, too_long, &result, NULL,
                                &error));
  assert_int_equal(error.kind, PC_ERROR_INVALID);
  assert_null(result);
  pc_error_clear(&error);
  cart_free(no_id);
}

static void test_cart_line_errors_come_back(void **state) {
  (void)state;
  Cart *cart = docs_cart();
  free(cart->line_items.items[3].catalog_item_id);
  cart->line_items.items[3].catalog_item_id = strdup("NOPE:0000:NOPE");
  Cart *created = NULL;
  CHECK(pc_cart_create(client, DOC_CUSTOMER_ID, cart, NULL, &created, NULL, cerr));
  assert_non_null(created->line_items.items[3].error);
  assert_int_equal(created->line_items.items[3].error->error_code, 10001);
  CartCheckoutResult *result = NULL;
  PcError error = {0};
  assert_false(
      pc_cart_checkout(client, DOC_CUSTOMER_ID, created->id, NULL, NULL, &result, NULL, &error));
  assert_int_equal(error.http_status, 400);
  assert_int_equal(error.code, 800009);
  assert_false(error.outcome_unknown);
  pc_error_clear(&error);
  assert_int_equal(sandbox_control_number(ctx, "status", "orders"), 0);
  cart_free(created);
  cart_free(cart);
}

/* A checkout refused because an availability was reissued (404 400019) names the stale
 * catalog item and what to do, not an unknown customer. */
static void test_stale_availability_is_named(void **state) {
  (void)state;
  char *cart_id = docs_cart_create(ctx, NULL);
  assert_non_null(cart_id);
  assert_true(sandbox_fault_arm(ctx, "{\"match\":\"carts.checkout\",\"kind\":\"status\","
                                     "\"status\":404,\"code\":400019,\"description\":"
                                     "\"Availability not found.\"}") > 0);
  CartCheckoutResult *result = NULL;
  PcError error = {0};
  assert_false(
      pc_cart_checkout(client, DOC_CUSTOMER_ID, cart_id, NULL, NULL, &result, NULL, &error));
  assert_int_equal(error.http_status, 404);
  assert_int_equal(error.code, 400019);
  assert_non_null(strstr(error.message, "availability"));
  assert_non_null(strstr(error.message, "catalogItemId"));
  assert_null(strstr(error.message, "customer"));
  pc_error_clear(&error);
  free(cart_id);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_customers_paging, setup, teardown),
      cmocka_unit_test_setup_teardown(test_customers_filters, setup, teardown),
      cmocka_unit_test_setup_teardown(test_customers_invalid_queries, setup, teardown),
      cmocka_unit_test_setup_teardown(test_customer_and_subscriptions, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unknown_customer, setup, teardown),
      cmocka_unit_test_setup_teardown(test_catalog_calls, setup, teardown),
      cmocka_unit_test_setup_teardown(test_catalog_fetch_covers_the_documents, setup, teardown),
      cmocka_unit_test_setup_teardown(test_promotions, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cart_lifecycle, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cart_not_found, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cart_line_errors_come_back, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stale_availability_is_named, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
