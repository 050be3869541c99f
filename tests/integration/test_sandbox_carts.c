/* Carts over real loopback HTTP, held to the two original documents (create a cart,
 * check out a cart) verbatim, and to docs/sandbox.md for everything around them:
 * GET, PUT, line errors, refusals, expiry, MS-RequestId replay and concurrent checkout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "fixtures.h"
#include "sandbox_http.h"

#define DOC_CUSTOMER_ID_2 "28045616-f6b9-462f-9701-0d89b5e65c44"
#define CART_LIFETIME_S (7L * 24 * 3600)
#define SAAS_ITEM "DZH318Z0BXWC:0002:DZH318Z0BMRV"
#define RI_ITEM "DZH318Z0BQ36:004G:DZH318Z08C0S"
#define UNKNOWN_ITEM "ZZZZZZZZZZZZ:0001:ZZZZZZZZZZZZ"

static HttpCtx *ctx;

/* Each test: the group's sandbox (sandbox_setup), reset. */
static int reset(void **state) {
  ctx = *state;
  return sandbox_reset(ctx) ? 0 : -1;
}

/* ----- helpers ----- */

static char *cart_path(const char *customer_id, const char *cart_id, const char *suffix) {
  char *path = str_format("/v1/customers/%s/carts/%s%s", customer_id, cart_id, suffix);
  assert_non_null(path);
  return path;
}

/* POST body to the documents' customer's carts with a fresh (or the given) MS-RequestId. */
static void create_cart(const char *body, const char *request_id, HttpResponse *response) {
  char fresh[37];
  if (!request_id) {
    guid_random(fresh);
    request_id = fresh;
  }
  char *header = str_format("MS-RequestId: %s", request_id);
  assert_non_null(header);
  const char *headers[] = {header, NULL};
  http_request(ctx, "POST", DOC_CARTS_PATH, headers, body, response);
  free(header);
}

/* Creates a cart from body and returns its id (asserting 201). */
static char *create_cart_id(const char *body) {
  HttpResponse response;
  create_cart(body, NULL, &response);
  assert_status(&response, 201);
  const char *id = json_str_at(response.json, "id");
  assert_true(is_guid(id));
  char *copy = str_format("%s", id);
  http_response_clear(&response);
  return copy;
}

static char *create_docs_cart(void) {
  char *id = docs_cart_create(ctx, NULL);
  if (!id)
    fail_msg("the create-a-cart document's request did not give 201");
  return id;
}

static void checkout(const char *cart_id, const char *body, HttpResponse *response) {
  char *path = cart_path(DOC_CUSTOMER_ID, cart_id, "/checkout");
  http_request(ctx, "POST", path, NULL, body, response);
  free(path);
}

static void ledger(HttpResponse *response) {
  sandbox_control(ctx, "GET", "ledger", NULL, response);
  assert_status(response, 200);
  assert_json_reply(response);
}

static long ledger_count(void) {
  HttpResponse response;
  ledger(&response);
  long count = (long)json_num_at(response.json, "totalCount", -1);
  assert_int_equal(json_count_at(response.json, "items"), count);
  http_response_clear(&response);
  return count;
}

static long status_number(const char *field) {
  return sandbox_control_number(ctx, "status", field);
}

static void assert_content_type_exact(const HttpResponse *response) {
  const char *type = http_response_header(response, "Content-Type");
  assert_non_null(type);
  assert_true(strcasecmp(type, "application/json; charset=utf-8") == 0);
}

static void assert_doc_headers_echoed(const HttpResponse *response) {
  assert_string_equal(http_response_header(response, "MS-RequestId"), DOC_REQUEST_ID);
  assert_string_equal(http_response_header(response, "MS-CorrelationId"), DOC_CORRELATION_ID);
  assert_string_equal(http_response_header(response, "X-Locale"), "en-US,en-US");
  assert_non_null(http_response_header(response, "MS-CV"));
  assert_non_null(http_response_header(response, "MS-ServerId"));
}

static const cJSON *find_order_with_offer(const cJSON *orders, const char *offer_id) {
  const cJSON *order;
  cJSON_ArrayForEach(order, orders) {
    const cJSON *line;
    cJSON_ArrayForEach(line, json_at(order, "lineItems")) {
      const char *offer = json_str_at(line, "offerId");
      if (offer && strcmp(offer, offer_id) == 0)
        return order;
    }
  }
  return NULL;
}

/* The SKU's maximumQuantity from the catalog. */
static long sku_maximum(const char *product_id, const char *sku_id) {
  char *path = str_format("/v1/products/%s/skus/%s?country=US", product_id, sku_id);
  HttpResponse response;
  http_request(ctx, "GET", path, NULL, NULL, &response);
  assert_status(&response, 200);
  const cJSON *maximum = json_at(response.json, "maximumQuantity");
  assert_true(cJSON_IsNumber(maximum));
  long value = (long)maximum->valuedouble;
  http_response_clear(&response);
  free(path);
  return value;
}

/* ----- the documents ----- */

/* Every field of the create document's response, with the request's values echoed. */
static void assert_docs_cart(const cJSON *cart, const cJSON *request, const char *customer_id) {
  const char *id = json_str_at(cart, "id");
  assert_true(is_guid(id));
  long long created;
  long long modified;
  long long expires;
  const char *creation = json_str_at(cart, "creationTimestamp");
  if (!timestamp7_ticks(creation, &created))
    fail_msg("creationTimestamp %s is not ISO-8601 UTC with 7 fraction digits",
             creation ? creation : "(absent)");
  assert_true(timestamp7_ticks(json_str_at(cart, "lastModifiedTimestamp"), &modified));
  assert_true(timestamp7_ticks(json_str_at(cart, "expirationTimestamp"), &expires));
  assert_true(modified >= created);
  /* Carts expire 7 days from the initial creation. */
  assert_int_equal(expires - created, CART_LIFETIME_S * 10000000LL);
  assert_true(is_guid(json_str_at(cart, "lastModifiedUser")));
  assert_string_equal(json_str_at(cart, "status"), "Active");

  static const char *const groups[] = {"OMS-0", "0", "0", "0", "1", "2"};
  const cJSON *lines = json_at(cart, "lineItems");
  const cJSON *sent = json_at(request, "lineItems");
  assert_int_equal(cJSON_GetArraySize(lines), 6);
  assert_int_equal(cJSON_GetArraySize(sent), 6);
  for (int i = 0; i < 6; i++) {
    const cJSON *line = cJSON_GetArrayItem(lines, i);
    const cJSON *asked = cJSON_GetArrayItem(sent, i);
    assert_true(cJSON_IsNumber(json_at(line, "id")));
    assert_int_equal((long)json_num_at(line, "id", -1), i);
    assert_string_equal(json_str_at(line, "catalogItemId"), json_str_at(asked, "catalogItemId"));
    assert_true(cJSON_IsNumber(json_at(line, "quantity")));
    assert_int_equal((long)json_num_at(line, "quantity", -1),
                     (long)json_num_at(asked, "quantity", -2));
    assert_string_equal(json_str_at(line, "currencyCode"), "USD");
    assert_string_equal(json_str_at(line, "billingCycle"), json_str_at(asked, "billingCycle"));
    const char *term = json_str_at(asked, "termDuration");
    if (term)
      assert_string_equal(json_str_at(line, "termDuration"), term);
    else
      assert_null(json_at(line, "termDuration"));
    const char *group = json_str_at(line, "orderGroup");
    if (!group || strcmp(group, groups[i]) != 0)
      fail_msg("line %d: orderGroup %s, the document says %s", i, group ? group : "(absent)",
               groups[i]);
    const cJSON *context = json_at(asked, "provisioningContext");
    if (context) {
      if (!cJSON_Compare(json_at(line, "provisioningContext"), context, true))
        fail_msg("line %d: provisioningContext not echoed", i);
    }
    const cJSON *renews = json_at(asked, "renewsTo");
    if (renews) {
      if (!cJSON_Compare(json_at(line, "renewsTo"), renews, true))
        fail_msg("line %d: renewsTo not echoed", i);
    }
    if (json_at(line, "error"))
      fail_msg("line %d has an error: %s", i, json_str_at(line, "error.errorDescription"));
  }
  char *self = str_format("/customers/%s/carts/%s", customer_id, id);
  assert_string_equal(json_str_at(cart, "links.self.uri"), self);
  assert_string_equal(json_str_at(cart, "links.self.method"), "GET");
  assert_int_equal(json_count_at(cart, "links.self.headers"), 0);
  assert_string_equal(json_str_at(cart, "attributes.objectType"), "Cart");
  free(self);
}

static void assert_order_line(const cJSON *line, long number, const char *offer_id,
                              const char *term, long quantity, bool subscribed) {
  assert_true(cJSON_IsNumber(json_at(line, "lineItemNumber")));
  assert_int_equal((long)json_num_at(line, "lineItemNumber", -1), number);
  assert_string_equal(json_str_at(line, "offerId"), offer_id);
  if (term)
    assert_string_equal(json_str_at(line, "termDuration"), term);
  else
    assert_null(json_at(line, "termDuration"));
  assert_string_equal(json_str_at(line, "transactionType"), "New");
  const char *name = json_str_at(line, "friendlyName");
  assert_non_null(name);
  assert_true(name[0] != '\0');
  assert_int_equal((long)json_num_at(line, "quantity", -1), quantity);
  /* The checkout document shows a subscription id on the completed Azure order only; pending
   * orders have none yet (docs/sandbox.md's "new subscription ids" is read that way). */
  const char *subscription = json_str_at(line, "subscriptionId");
  if (subscribed) {
    assert_non_null(subscription);
    assert_true(subscription[0] != '\0');
  } else if (json_at(line, "subscriptionId")) {
    assert_true(subscription && subscription[0] != '\0');
  }
}

static const cJSON *assert_order(const cJSON *orders, const char *offer_id, const char *cycle,
                                 const char *status, int line_count, const char *customer_id) {
  const cJSON *order = find_order_with_offer(orders, offer_id);
  if (!order)
    fail_msg("no order holds %s", offer_id);
  assert_string_equal(json_str_at(order, "billingCycle"), cycle);
  assert_string_equal(json_str_at(order, "status"), status);
  assert_int_equal(json_count_at(order, "lineItems"), line_count);
  const char *id = json_str_at(order, "id");
  assert_non_null(id);
  assert_true(id[0] != '\0');
  assert_non_null(json_str_at(order, "alternateId"));
  assert_true(strcasecmp(json_str_at(order, "referenceCustomerId"), customer_id) == 0);
  assert_string_equal(json_str_at(order, "currencyCode"), "USD");
  const char *created = json_str_at(order, "creationDate");
  assert_non_null(created);
  assert_true(created[0] != '\0');
  assert_string_equal(json_str_at(order, "transactionType"), "UserPurchase");
  assert_string_equal(json_str_at(order, "attributes.objectType"), "Order");
  return order;
}

/* The checkout document's CartCheckoutResult for the create document's six lines. */
static void assert_docs_checkout(const cJSON *result, const char *customer_id) {
  const cJSON *orders = json_at(result, "orders");
  assert_true(cJSON_IsArray(orders));
  assert_int_equal(cJSON_GetArraySize(orders), 4);
  const cJSON *errors = json_at(result, "orderErrors");
  assert_true(errors == NULL || json_count_at(result, "orderErrors") == 0);

  const cJSON *azure = assert_order(orders, "MS-AZR-0145P", "monthly", "completed", 1, customer_id);
  assert_true(is_guid(json_str_at(azure, "id")));
  assert_order_line(json_at(azure, "lineItems.0"), 0, "MS-AZR-0145P", "P1Y", 1, true);

  const cJSON *one_time = assert_order(orders, RI_ITEM, "one_time", "pending", 3, customer_id);
  assert_string_equal(json_str_at(one_time, "currencySymbol"), "$");
  assert_order_line(json_at(one_time, "lineItems.0"), 0, RI_ITEM, "P1Y", 1, false);
  assert_order_line(json_at(one_time, "lineItems.1"), 1, "DZH318Z0BQ36:004J:DZH318Z08B8X", "P3Y", 1,
                    false);
  assert_order_line(json_at(one_time, "lineItems.2"), 2, "DG7GMGF0DWTL:0001:DG7GMGF0DSFM", NULL, 1,
                    false);

  const cJSON *saas = assert_order(orders, SAAS_ITEM, "monthly", "pending", 1, customer_id);
  assert_string_equal(json_str_at(saas, "currencySymbol"), "$");
  assert_order_line(json_at(saas, "lineItems.0"), 0, SAAS_ITEM, "P1M", 1, false);

  const cJSON *trial =
      assert_order(orders, "DZH318Z0C0WF:0001:DZH318Z0BP69", "none", "pending", 1, customer_id);
  assert_order_line(json_at(trial, "lineItems.0"), 0, "DZH318Z0C0WF:0001:DZH318Z0BP69", "P1M", 10,
                    false);

  /* Four different orders. */
  const cJSON *all[] = {azure, one_time, saas, trial};
  for (int i = 0; i < 4; i++)
    for (int j = i + 1; j < 4; j++)
      assert_true(all[i] != all[j] &&
                  strcmp(json_str_at(all[i], "id"), json_str_at(all[j], "id")) != 0);
}

static void test_documents_create_and_checkout_verbatim(void **state) {
  (void)state;
  char *body = docs_create_cart_body();
  assert_non_null(body);
  cJSON *request = cJSON_Parse(body);
  if (!request)
    fail_msg("the document's request does not parse once its annotations are stripped");
  const char *headers[] = {"Accept: application/json",
                           "MS-RequestId: " DOC_REQUEST_ID,
                           "MS-CorrelationId: " DOC_CORRELATION_ID,
                           "X-Locale: en-US",
                           "MS-PartnerCenter-Client: Partner Center .NET SDK",
                           "Content-Type: application/json",
                           "Expect: 100-continue",
                           NULL};
  HttpResponse created;
  http_request(ctx, "POST", DOC_CARTS_PATH, headers, body, &created);
  assert_status(&created, 201);
  assert_content_type_exact(&created);
  assert_doc_headers_echoed(&created);
  assert_docs_cart(created.json, request, DOC_CUSTOMER_ID);
  const char *cart_id = json_str_at(created.json, "id");
  assert_int_equal(status_number("carts"), 1);

  /* The checkout document: the same headers, Content-Length 0. */
  HttpResponse result;
  assert_true(docs_cart_checkout(ctx, DOC_CUSTOMER_ID, cart_id, DOC_REQUEST_ID, &result));
  assert_status(&result, 201);
  assert_content_type_exact(&result);
  assert_doc_headers_echoed(&result);
  assert_docs_checkout(result.json, DOC_CUSTOMER_ID);

  HttpResponse got;
  char *path = cart_path(DOC_CUSTOMER_ID, cart_id, "");
  http_request(ctx, "GET", path, NULL, NULL, &got);
  assert_status(&got, 200);
  assert_string_equal(json_str_at(got.json, "status"), "Ordered");
  assert_string_equal(json_str_at(got.json, "id"), cart_id);
  http_response_clear(&got);

  /* The ledger holds exactly these four orders. */
  HttpResponse book;
  ledger(&book);
  assert_int_equal((long)json_num_at(book.json, "totalCount", -1), 4);
  long lines = 0;
  const cJSON *entry;
  cJSON_ArrayForEach(entry, json_at(book.json, "items")) {
    assert_string_equal(json_str_at(entry, "cartId"), cart_id);
    assert_true(strcasecmp(json_str_at(entry, "customerId"), DOC_CUSTOMER_ID) == 0);
    assert_string_equal(json_str_at(entry, "requestId"), DOC_REQUEST_ID);
    assert_string_equal(json_str_at(entry, "correlationId"), DOC_CORRELATION_ID);
    assert_non_null(json_str_at(entry, "creationDate"));
    assert_non_null(json_str_at(entry, "orderGroup"));
    lines += (long)json_num_at(entry, "lineCount", 0);
    const char *order_id = json_str_at(entry, "orderId");
    bool found = false;
    const cJSON *order;
    cJSON_ArrayForEach(order, json_at(result.json, "orders")) {
      found = found || strcmp(json_str_at(order, "id"), order_id) == 0;
    }
    if (!found)
      fail_msg("ledger order %s is not in the checkout result", order_id);
  }
  assert_int_equal(lines, 6);
  assert_int_equal(status_number("orders"), 4);
  http_response_clear(&book);

  free(path);
  http_response_clear(&result);
  http_response_clear(&created);
  cJSON_Delete(request);
  free(body);
}

/* ----- around the documents ----- */

static void test_get_returns_the_created_cart(void **state) {
  (void)state;
  char *body = docs_create_cart_body();
  HttpResponse created;
  create_cart(body, NULL, &created);
  assert_status(&created, 201);
  char *path = cart_path(DOC_CUSTOMER_ID, json_str_at(created.json, "id"), "");
  HttpResponse got;
  http_request(ctx, "GET", path, NULL, NULL, &got);
  assert_status(&got, 200);
  assert_content_type_exact(&got);
  if (!cJSON_Compare(created.json, got.json, true))
    fail_msg("GET differs from the create reply:\n%s\n%s", created.body, got.body);
  http_response_clear(&got);
  http_response_clear(&created);
  free(path);
  free(body);
}

static void test_put_replaces_all_lines(void **state) {
  (void)state;
  char *cart_id = create_docs_cart();
  char *path = cart_path(DOC_CUSTOMER_ID, cart_id, "");
  HttpResponse before;
  http_request(ctx, "GET", path, NULL, NULL, &before);
  assert_status(&before, 200);

  CartLineSpec lines[] = {
      {.catalog_item_id = SAAS_ITEM,
       .quantity = 3,
       .billing_cycle = "monthly",
       .term_duration = "P1M"},
      {.catalog_item_id = UNKNOWN_ITEM,
       .quantity = 1,
       .billing_cycle = "monthly",
       .term_duration = "P1M"},
  };
  char *body = cart_body_build(lines, 2);
  HttpResponse put;
  http_request(ctx, "PUT", path, NULL, body, &put);
  assert_status(&put, 201);
  assert_string_equal(json_str_at(put.json, "id"), cart_id);
  assert_string_equal(json_str_at(put.json, "status"), "Active");
  assert_string_equal(json_str_at(put.json, "creationTimestamp"),
                      json_str_at(before.json, "creationTimestamp"));
  assert_string_equal(json_str_at(put.json, "expirationTimestamp"),
                      json_str_at(before.json, "expirationTimestamp"));
  long long created;
  long long modified;
  assert_true(timestamp7_ticks(json_str_at(put.json, "creationTimestamp"), &created));
  assert_true(timestamp7_ticks(json_str_at(put.json, "lastModifiedTimestamp"), &modified));
  assert_true(modified >= created);
  assert_int_equal(json_count_at(put.json, "lineItems"), 2);
  assert_string_equal(json_str_at(put.json, "lineItems.0.catalogItemId"), SAAS_ITEM);
  assert_int_equal((long)json_num_at(put.json, "lineItems.0.quantity", -1), 3);
  /* Groups are recomputed: the SaaS line is now the first group. */
  assert_string_equal(json_str_at(put.json, "lineItems.0.orderGroup"), "0");
  assert_null(json_at(put.json, "lineItems.0.error"));
  assert_int_equal((long)json_num_at(put.json, "lineItems.1.error.errorCode", -1), 10001);
  http_response_clear(&put);

  HttpResponse got;
  http_request(ctx, "GET", path, NULL, NULL, &got);
  assert_status(&got, 200);
  assert_int_equal(json_count_at(got.json, "lineItems"), 2);
  assert_int_equal((long)json_num_at(got.json, "lineItems.1.error.errorCode", -1), 10001);
  http_response_clear(&got);

  /* Fixing the cart clears the error, and it can then be checked out. */
  free(body);
  body = cart_body_build(lines, 1);
  http_request(ctx, "PUT", path, NULL, body, &put);
  assert_status(&put, 201);
  assert_int_equal(json_count_at(put.json, "lineItems"), 1);
  assert_null(json_at(put.json, "lineItems.0.error"));
  http_response_clear(&put);
  HttpResponse result;
  checkout(cart_id, NULL, &result);
  assert_status(&result, 201);
  assert_int_equal(json_count_at(result.json, "orders"), 1);
  assert_int_equal((long)json_num_at(result.json, "orders.0.lineItems.0.quantity", -1), 3);
  http_response_clear(&result);

  http_response_clear(&before);
  free(body);
  free(path);
  free(cart_id);
}

static void test_put_on_ordered_cart_is_800065(void **state) {
  (void)state;
  char *cart_id = create_docs_cart();
  HttpResponse result;
  checkout(cart_id, NULL, &result);
  assert_status(&result, 201);
  http_response_clear(&result);

  char *path = cart_path(DOC_CUSTOMER_ID, cart_id, "");
  char *body = docs_create_cart_body();
  HttpResponse put;
  http_request(ctx, "PUT", path, NULL, body, &put);
  assert_api_error(&put, 400, 800065);
  assert_non_null(strstr(json_str_at(put.json, "description"), cart_id));
  http_response_clear(&put);
  free(body);
  free(path);
  free(cart_id);
}

static void test_checkout_again_replays_byte_for_byte(void **state) {
  (void)state;
  char *cart_id = create_docs_cart();
  HttpResponse first;
  checkout(cart_id, NULL, &first);
  assert_status(&first, 201);
  assert_docs_checkout(first.json, DOC_CUSTOMER_ID);
  assert_int_equal(ledger_count(), 4);

  HttpResponse again;
  checkout(cart_id, NULL, &again);
  assert_status(&again, 201);
  assert_int_equal(again.body_len, first.body_len);
  assert_memory_equal(again.body, first.body, first.body_len);
  /* Nothing new was ordered. */
  assert_int_equal(ledger_count(), 4);
  assert_int_equal(status_number("orders"), 4);
  http_response_clear(&again);
  http_response_clear(&first);
  free(cart_id);
}

static void test_checkout_body_success_is_accepted(void **state) {
  (void)state;
  char *cart_id = create_docs_cart();
  HttpResponse result;
  checkout(cart_id, "\"success\"", &result);
  assert_status(&result, 201);
  assert_docs_checkout(result.json, DOC_CUSTOMER_ID);
  http_response_clear(&result);
  free(cart_id);
}

static void assert_line_error(const cJSON *cart, int line, long code) {
  char path[64];
  snprintf(path, sizeof path, "lineItems.%d.error", line);
  const cJSON *error = json_at(cart, path);
  if (!error)
    fail_msg("line %d has no error (expected %ld)", line, code);
  const cJSON *error_code = json_at(error, "errorCode");
  assert_true(cJSON_IsNumber(error_code));
  if ((long)error_code->valuedouble != code)
    fail_msg("line %d: errorCode %ld (%s), expected %ld", line, (long)error_code->valuedouble,
             json_str_at(error, "errorDescription"), code);
  const char *description = json_str_at(error, "errorDescription");
  assert_non_null(description);
  assert_true(description[0] != '\0');
  assert_true(cJSON_IsObject(json_at(error, "additionalInformation")));
}

static void test_line_problems_come_back_in_201(void **state) {
  (void)state;
  long maximum = sku_maximum("DZH318Z0BXWC", "0002");
  CartLineSpec lines[] = {
      {.catalog_item_id = UNKNOWN_ITEM,
       .quantity = 1,
       .billing_cycle = "monthly",
       .term_duration = "P1M"},
      {.catalog_item_id = SAAS_ITEM,
       .quantity = maximum + 1,
       .billing_cycle = "monthly",
       .term_duration = "P1M"},
      {.catalog_item_id = SAAS_ITEM,
       .quantity = 1,
       .billing_cycle = "monthly",
       .term_duration = "P3Y"},
      {.catalog_item_id = RI_ITEM,
       .quantity = 1,
       .billing_cycle = "one_time",
       .term_duration = "P1Y"},
      {.catalog_item_id = SAAS_ITEM,
       .quantity = 1,
       .billing_cycle = "monthly",
       .term_duration = "P1M"},
  };
  char *body = cart_body_build(lines, 5);
  HttpResponse response;
  create_cart(body, NULL, &response);
  assert_status(&response, 201);
  assert_string_equal(json_str_at(response.json, "status"), "Active");
  assert_int_equal(json_count_at(response.json, "lineItems"), 5);
  assert_line_error(response.json, 0, 10001);  /* unknown catalog item */
  assert_line_error(response.json, 1, 10015);  /* quantity over the SKU's maximum */
  assert_line_error(response.json, 2, 400039); /* a term the availability does not have */
  assert_line_error(response.json, 3, 10010);  /* a reservation without its provisioning keys */
  assert_null(json_at(response.json, "lineItems.4.error"));

  /* GET shows the same errors. */
  char *path = cart_path(DOC_CUSTOMER_ID, json_str_at(response.json, "id"), "");
  HttpResponse got;
  http_request(ctx, "GET", path, NULL, NULL, &got);
  assert_status(&got, 200);
  assert_line_error(got.json, 0, 10001);
  assert_line_error(got.json, 3, 10010);
  http_response_clear(&got);
  free(path);
  http_response_clear(&response);
  free(body);
}

static void test_checkout_with_line_errors_is_800009(void **state) {
  (void)state;
  CartLineSpec lines[] = {
      {.catalog_item_id = SAAS_ITEM,
       .quantity = 1,
       .billing_cycle = "monthly",
       .term_duration = "P1M"},
      {.catalog_item_id = UNKNOWN_ITEM,
       .quantity = 1,
       .billing_cycle = "monthly",
       .term_duration = "P1M"},
  };
  char *body = cart_body_build(lines, 2);
  char *cart_id = create_cart_id(body);
  HttpResponse result;
  checkout(cart_id, NULL, &result);
  assert_api_error(&result, 400, 800009);
  http_response_clear(&result);
  char *path = cart_path(DOC_CUSTOMER_ID, cart_id, "");
  HttpResponse got;
  http_request(ctx, "GET", path, NULL, NULL, &got);
  assert_status(&got, 200);
  assert_string_equal(json_str_at(got.json, "status"), "Active");
  http_response_clear(&got);
  assert_int_equal(ledger_count(), 0);
  free(path);
  free(cart_id);
  free(body);
}

static void test_structural_problems_are_800002(void **state) {
  (void)state;
  const char *bodies[] = {
      "{",
      "not json",
      "",
      "{}",
      "{\"lineItems\":[]}",
      "{\"lineItems\":[{\"id\":0,\"catalogItemId\":\"" SAAS_ITEM "\",\"quantity\":1,"
      "\"billingCycle\":\"monthly\",\"termDuration\":\"P1M\"},{\"id\":0,\"catalogItemId\":"
      "\"" RI_ITEM "\",\"quantity\":1,\"billingCycle\":\"one_time\",\"termDuration\":\"P1Y\"}]}",
      "{\"lineItems\":[{\"id\":0,\"quantity\":1,\"billingCycle\":\"monthly\"}]}",
      "{\"lineItems\":[{\"id\":0,\"catalogItemId\":\"" SAAS_ITEM "\",\"quantity\":0,"
      "\"billingCycle\":\"monthly\",\"termDuration\":\"P1M\"}]}",
      "{\"lineItems\":[{\"id\":0,\"catalogItemId\":\"" SAAS_ITEM "\",\"quantity\":-3,"
      "\"billingCycle\":\"monthly\",\"termDuration\":\"P1M\"}]}",
  };
  for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
    HttpResponse response;
    HttpRequest request = {
        .method = "POST", .path = DOC_CARTS_PATH, .body = bodies[i][0] ? bodies[i] : NULL};
    http_send(ctx, &request, &response);
    if (response.status != 400)
      print_error("body: %s\n", bodies[i]);
    assert_api_error(&response, 400, 800002);
    http_response_clear(&response);
  }
  assert_int_equal(status_number("carts"), 0);

  /* PUT validates the same way and leaves the cart as it was. */
  char *cart_id = create_docs_cart();
  char *path = cart_path(DOC_CUSTOMER_ID, cart_id, "");
  for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
    if (!bodies[i][0])
      continue;
    HttpResponse response;
    http_request(ctx, "PUT", path, NULL, bodies[i], &response);
    if (response.status != 400)
      print_error("PUT body: %s\n", bodies[i]);
    assert_api_error(&response, 400, 800002);
    http_response_clear(&response);
  }
  HttpResponse got;
  http_request(ctx, "GET", path, NULL, NULL, &got);
  assert_status(&got, 200);
  assert_int_equal(json_count_at(got.json, "lineItems"), 6);
  http_response_clear(&got);
  free(path);
  free(cart_id);
}

static void test_unknown_cart_is_800008(void **state) {
  (void)state;
  char unknown[37];
  guid_random(unknown);
  char *get_path = cart_path(DOC_CUSTOMER_ID, unknown, "");
  char *checkout_path = cart_path(DOC_CUSTOMER_ID, unknown, "/checkout");
  char *body = docs_create_cart_body();
  HttpResponse response;
  http_request(ctx, "GET", get_path, NULL, NULL, &response);
  assert_api_error(&response, 404, 800008);
  http_response_clear(&response);
  http_request(ctx, "PUT", get_path, NULL, body, &response);
  assert_api_error(&response, 404, 800008);
  http_response_clear(&response);
  http_request(ctx, "POST", checkout_path, NULL, NULL, &response);
  assert_api_error(&response, 404, 800008);
  http_response_clear(&response);

  /* A cart belongs to its customer. */
  char *cart_id = create_docs_cart();
  char *other = cart_path(DOC_CUSTOMER_ID_2, cart_id, "");
  http_request(ctx, "GET", other, NULL, NULL, &response);
  assert_api_error(&response, 404, 800008);
  http_response_clear(&response);

  /* An unknown customer is 404 code 1000. */
  http_request(ctx, "POST", "/v1/customers/00000000-0000-0000-0000-000000000000/carts", NULL, body,
               &response);
  assert_api_error(&response, 404, 1000);
  http_response_clear(&response);
  assert_int_equal(status_number("carts"), 1);

  free(other);
  free(cart_id);
  free(body);
  free(checkout_path);
  free(get_path);
}

static void test_cart_expires_after_seven_days(void **state) {
  (void)state;
  char *cart_id = create_docs_cart();
  char *path = cart_path(DOC_CUSTOMER_ID, cart_id, "");
  char *checkout_path = cart_path(DOC_CUSTOMER_ID, cart_id, "/checkout");
  HttpResponse response;
  /* A minute before the end of the seventh day it is still there. */
  assert_true(sandbox_advance_clock(ctx, CART_LIFETIME_S - 60));
  http_ctx_forget_token(ctx);
  http_request(ctx, "GET", path, NULL, NULL, &response);
  assert_status(&response, 200);
  http_response_clear(&response);

  assert_true(sandbox_advance_clock(ctx, 61));
  http_ctx_forget_token(ctx);
  http_request(ctx, "GET", path, NULL, NULL, &response);
  assert_api_error(&response, 404, 800008);
  http_response_clear(&response);
  http_request(ctx, "POST", checkout_path, NULL, NULL, &response);
  assert_api_error(&response, 404, 800008);
  http_response_clear(&response);
  assert_int_equal(ledger_count(), 0);
  free(checkout_path);
  free(path);
  free(cart_id);
}

static void test_repeated_request_id_replays_create(void **state) {
  (void)state;
  char request_id[37];
  guid_random(request_id);
  char *body = docs_create_cart_body();
  HttpResponse first;
  HttpResponse second;
  create_cart(body, request_id, &first);
  create_cart(body, request_id, &second);
  assert_status(&first, 201);
  assert_status(&second, 201);
  assert_string_equal(json_str_at(second.json, "id"), json_str_at(first.json, "id"));
  assert_int_equal(second.body_len, first.body_len);
  assert_memory_equal(second.body, first.body, first.body_len);
  assert_string_equal(http_response_header(&second, "MS-RequestId"), request_id);
  assert_int_equal(status_number("carts"), 1);

  /* Even with another body, the id names the first call. */
  CartLineSpec line = {.catalog_item_id = SAAS_ITEM,
                       .quantity = 2,
                       .billing_cycle = "monthly",
                       .term_duration = "P1M"};
  char *other_body = cart_body_build(&line, 1);
  HttpResponse third;
  create_cart(other_body, request_id, &third);
  assert_status(&third, 201);
  assert_string_equal(json_str_at(third.json, "id"), json_str_at(first.json, "id"));
  assert_int_equal(status_number("carts"), 1);

  /* A new id is a new cart. */
  HttpResponse fourth;
  create_cart(body, NULL, &fourth);
  assert_status(&fourth, 201);
  assert_true(strcmp(json_str_at(fourth.json, "id"), json_str_at(first.json, "id")) != 0);
  assert_int_equal(status_number("carts"), 2);

  http_response_clear(&fourth);
  http_response_clear(&third);
  http_response_clear(&second);
  http_response_clear(&first);
  free(other_body);
  free(body);
}

static void test_concurrent_checkout_is_409(void **state) {
  (void)state;
  char *cart_id = create_docs_cart();
  char *path = cart_path(DOC_CUSTOMER_ID, cart_id, "/checkout");
  assert_true(
      sandbox_fault_arm(ctx, "{\"match\":\"carts.checkout\",\"kind\":\"hold\",\"times\":1}") >= 0);
  HttpRequest a = {.method = "POST", .path = path};
  HttpAsync *async = http_async_start(ctx, &a, 1);
  assert_non_null(async);
  assert_true(sandbox_wait_held(ctx, 1));
  assert_int_equal(status_number("held"), 1);

  HttpResponse b;
  http_request(ctx, "POST", path, NULL, NULL, &b);
  assert_api_error(&b, 409, 800064);
  http_response_clear(&b);

  assert_int_equal(sandbox_release(ctx), 1);
  HttpResponse result;
  assert_true(http_async_join(async, &result));
  assert_status(&result, 201);
  assert_docs_checkout(result.json, DOC_CUSTOMER_ID);

  /* Exactly one checkout's orders were placed. */
  HttpResponse book;
  ledger(&book);
  assert_int_equal((long)json_num_at(book.json, "totalCount", -1), 4);
  const cJSON *entry;
  cJSON_ArrayForEach(entry, json_at(book.json, "items")) {
    bool found = false;
    const cJSON *order;
    cJSON_ArrayForEach(order, json_at(result.json, "orders")) {
      found = found || strcmp(json_str_at(order, "id"), json_str_at(entry, "orderId")) == 0;
    }
    assert_true(found);
  }
  http_response_clear(&book);
  assert_int_equal(status_number("held"), 0);

  /* And afterwards a checkout replays that result. */
  HttpResponse again;
  http_request(ctx, "POST", path, NULL, NULL, &again);
  assert_status(&again, 201);
  assert_int_equal(again.body_len, result.body_len);
  assert_memory_equal(again.body, result.body, result.body_len);
  http_response_clear(&again);
  http_response_clear(&result);
  free(path);
  free(cart_id);
}

#define RACERS 6

static void test_concurrent_creates(void **state) {
  (void)state;
  char *body = docs_create_cart_body();
  char ids[RACERS][37];
  char *headers_text[RACERS];
  const char *headers[RACERS][2];
  HttpRequest requests[RACERS];
  /* Distinct request ids: as many carts, all different. Held together, then released at once. */
  for (int i = 0; i < RACERS; i++) {
    guid_random(ids[i]);
    headers_text[i] = str_format("MS-RequestId: %s", ids[i]);
    headers[i][0] = headers_text[i];
    headers[i][1] = NULL;
    requests[i] = (HttpRequest){
        .method = "POST", .path = DOC_CARTS_PATH, .headers = headers[i], .body = body};
  }
  char fault[128];
  snprintf(fault, sizeof fault, "{\"match\":\"carts.create\",\"kind\":\"hold\",\"times\":%d}",
           RACERS);
  assert_true(sandbox_fault_arm(ctx, fault) >= 0);
  HttpAsync *async = http_async_start(ctx, requests, RACERS);
  assert_non_null(async);
  assert_true(sandbox_wait_held(ctx, RACERS));
  assert_int_equal(sandbox_release(ctx), RACERS);
  HttpResponse responses[RACERS];
  assert_true(http_async_join(async, responses));
  for (int i = 0; i < RACERS; i++) {
    assert_status(&responses[i], 201);
    for (int j = 0; j < i; j++)
      assert_true(
          strcmp(json_str_at(responses[i].json, "id"), json_str_at(responses[j].json, "id")) != 0);
  }
  assert_int_equal(status_number("carts"), RACERS);
  for (int i = 0; i < RACERS; i++) {
    http_response_clear(&responses[i]);
    free(headers_text[i]);
  }

  /* One request id sent by every racer at once: one cart, the same reply for all. */
  char shared[37];
  guid_random(shared);
  char *shared_header = str_format("MS-RequestId: %s", shared);
  const char *one[] = {shared_header, NULL};
  for (int i = 0; i < RACERS; i++)
    requests[i].headers = one;
  assert_true(sandbox_fault_arm(ctx, fault) >= 0);
  async = http_async_start(ctx, requests, RACERS);
  assert_non_null(async);
  assert_true(sandbox_wait_held(ctx, RACERS));
  assert_int_equal(sandbox_release(ctx), RACERS);
  assert_true(http_async_join(async, responses));
  for (int i = 0; i < RACERS; i++) {
    assert_status(&responses[i], 201);
    assert_string_equal(json_str_at(responses[i].json, "id"), json_str_at(responses[0].json, "id"));
  }
  assert_int_equal(status_number("carts"), RACERS + 1);
  for (int i = 0; i < RACERS; i++)
    http_response_clear(&responses[i]);
  free(shared_header);
  free(body);
}

static void test_pascal_case_body_is_accepted(void **state) {
  (void)state;
  /* As the .NET SDK serialises a Cart: PascalCase, nulls, and attributes. */
  const char *body =
      "{\"Id\":null,\"CreationTimestamp\":null,\"LastModifiedTimestamp\":null,"
      "\"ExpirationTimestamp\":null,\"LastModifiedUser\":null,\"Status\":null,"
      "\"LineItems\":[{\"Id\":0,\"CatalogItemId\":\"" SAAS_ITEM "\",\"FriendlyName\":\"WaaS\","
      "\"Quantity\":2,\"CurrencyCode\":null,\"BillingCycle\":\"monthly\",\"TermDuration\":\"P1M\","
      "\"Participants\":[],\"ProvisioningContext\":{},\"OrderGroup\":null,\"AddonItems\":null,"
      "\"Error\":null,\"RenewsTo\":null},"
      "{\"Id\":1,\"CatalogItemId\":\"" RI_ITEM "\",\"Quantity\":1,\"BillingCycle\":\"one_time\","
      "\"TermDuration\":\"P1Y\",\"ProvisioningContext\":{\"SubscriptionId\":\"" DOC_SUBSCRIPTION_ID
      "\",\"Scope\":\"shared\"}}],"
      "\"Links\":null,\"Attributes\":{\"ObjectType\":\"Cart\"}}";
  HttpResponse response;
  create_cart(body, NULL, &response);
  assert_status(&response, 201);
  assert_true(is_guid(json_str_at(response.json, "id")));
  assert_string_equal(json_str_at(response.json, "status"), "Active");
  assert_int_equal(json_count_at(response.json, "lineItems"), 2);
  assert_string_equal(json_str_at(response.json, "lineItems.0.catalogItemId"), SAAS_ITEM);
  assert_int_equal((long)json_num_at(response.json, "lineItems.0.quantity", -1), 2);
  assert_string_equal(json_str_at(response.json, "lineItems.0.friendlyName"), "WaaS");
  assert_string_equal(json_str_at(response.json, "lineItems.0.currencyCode"), "USD");
  assert_non_null(json_str_at(response.json, "lineItems.0.orderGroup"));
  assert_null(json_at(response.json, "lineItems.0.error"));
  assert_null(json_at(response.json, "lineItems.1.error"));
  /* The reply lower-cases the first letter of provisioning keys. */
  assert_string_equal(json_str_at(response.json, "lineItems.1.provisioningContext.subscriptionId"),
                      DOC_SUBSCRIPTION_ID);
  assert_null(json_at(response.json, "LineItems"));
  http_response_clear(&response);
}

/* create-a-cart.md's new-commerce request, verbatim: created with no line error, the co-term
 * date kept, every participant echoed in order. */
static void test_docs_nce_request_verbatim(void **state) {
  (void)state;
  char *body = fixture_read("docs-nce-create-cart-request.json");
  assert_non_null(body);
  HttpResponse response;
  create_cart(body, NULL, &response);
  free(body);
  assert_status(&response, 201);
  assert_int_equal(json_count_at(response.json, "lineItems"), 2);
  assert_null(json_at(response.json, "lineItems.0.error"));
  assert_null(json_at(response.json, "lineItems.1.error"));
  assert_string_equal(json_str_at(response.json, "lineItems.0.customTermEndDate"),
                      "2022-02-19T00:00:00Z");
  assert_int_equal(json_count_at(response.json, "lineItems.1.participants"), 3);
  assert_string_equal(json_str_at(response.json, "lineItems.1.participants.1.key"),
                      "additional_transaction_reseller");
  assert_string_equal(json_str_at(response.json, "lineItems.1.participants.2.value"), "5357563");
  assert_string_equal(json_str_at(response.json, "lineItems.1.currencyCode"), "USD");
  http_response_clear(&response);
}

/* Line ids are applied by the service (cart-resources.md; the new-commerce example sends
 * none): lines without one are numbered from 0, around the ids that were given. The reply
 * keeps every participant, in order. */
static void test_lines_without_ids_are_numbered(void **state) {
  (void)state;
  const char *body =
      "{\"lineItems\":[{\"catalogItemId\":\"" SAAS_ITEM "\",\"quantity\":1,"
      "\"billingCycle\":\"monthly\",\"termDuration\":\"P1M\",\"participants\":["
      "{\"key\":\"transaction_reseller\",\"value\":\"5357564\"},"
      "{\"key\":\"additional_transaction_reseller\",\"value\":\"517285\"},"
      "{\"key\":\"additional_transaction_reseller\",\"value\":\"5357563\"}]},"
      "{\"id\":0,\"catalogItemId\":\"" SAAS_ITEM "\",\"quantity\":2,"
      "\"billingCycle\":\"monthly\",\"termDuration\":\"P1M\"},"
      "{\"catalogItemId\":\"" SAAS_ITEM "\",\"quantity\":3,\"billingCycle\":\"monthly\","
      "\"termDuration\":\"P1M\"}]}";
  HttpResponse response;
  create_cart(body, NULL, &response);
  assert_status(&response, 201);
  assert_int_equal((long)json_num_at(response.json, "lineItems.0.id", -1), 1);
  assert_int_equal((long)json_num_at(response.json, "lineItems.1.id", -1), 0);
  assert_int_equal((long)json_num_at(response.json, "lineItems.2.id", -1), 2);
  assert_int_equal(json_count_at(response.json, "lineItems.0.participants"), 3);
  assert_string_equal(json_str_at(response.json, "lineItems.0.participants.2.value"), "5357563");
  assert_null(json_at(response.json, "lineItems.0.error"));
  http_response_clear(&response);
  /* An id that is not a whole number is still refused. */
  create_cart("{\"lineItems\":[{\"id\":\"zero\",\"catalogItemId\":\"" SAAS_ITEM "\","
              "\"quantity\":1,\"billingCycle\":\"monthly\",\"termDuration\":\"P1M\"}]}",
              NULL, &response);
  assert_api_error(&response, 400, 800002);
  http_response_clear(&response);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_lines_without_ids_are_numbered, reset),
      cmocka_unit_test_setup(test_docs_nce_request_verbatim, reset),
      cmocka_unit_test_setup(test_documents_create_and_checkout_verbatim, reset),
      cmocka_unit_test_setup(test_get_returns_the_created_cart, reset),
      cmocka_unit_test_setup(test_put_replaces_all_lines, reset),
      cmocka_unit_test_setup(test_put_on_ordered_cart_is_800065, reset),
      cmocka_unit_test_setup(test_checkout_again_replays_byte_for_byte, reset),
      cmocka_unit_test_setup(test_checkout_body_success_is_accepted, reset),
      cmocka_unit_test_setup(test_line_problems_come_back_in_201, reset),
      cmocka_unit_test_setup(test_checkout_with_line_errors_is_800009, reset),
      cmocka_unit_test_setup(test_structural_problems_are_800002, reset),
      cmocka_unit_test_setup(test_unknown_cart_is_800008, reset),
      cmocka_unit_test_setup(test_cart_expires_after_seven_days, reset),
      cmocka_unit_test_setup(test_repeated_request_id_replays_create, reset),
      cmocka_unit_test_setup(test_concurrent_checkout_is_409, reset),
      cmocka_unit_test_setup(test_concurrent_creates, reset),
      cmocka_unit_test_setup(test_pascal_case_body_is_accepted, reset),
  };
  return cmocka_run_group_tests_name("sandbox carts", tests, sandbox_setup, sandbox_teardown);
}
