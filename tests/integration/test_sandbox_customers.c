/* Customers over real loopback HTTP: paging with continuation tokens to the end,
 * starts_with filters on CompanyName and Domain, single customers, subscriptions, and
 * the same at 100,000 customers. */
#include <ctype.h>
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

#define DOC_CUSTOMER_ID_2 "28045616-f6b9-462f-9701-0d89b5e65c44"

static HttpCtx *ctx;

/* Each test: the group's sandbox (sandbox_setup), reset. */
static int reset(void **state) {
  ctx = *state;
  return sandbox_reset(ctx) ? 0 : -1;
}

/* What a walk through all pages saw. */
typedef struct Walk {
  cJSON *customers; /* array of copies of every item, in page order */
  long pages;
  long first_total_count;
  bool next_repeats_filter; /* a links.next.uri that repeats the filter (checked last) */
} Walk;

static int compare_strings(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every id in the walk, sorted; asserts each appears once. */
static void assert_ids_unique(const cJSON *customers) {
  int count = cJSON_GetArraySize(customers);
  char **ids = calloc((size_t)count + 1, sizeof *ids);
  assert_non_null(ids);
  int n = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, customers) {
    ids[n] = (char *)json_str_at(item, "id");
    assert_non_null(ids[n]);
    n++;
  }
  qsort(ids, (size_t)count, sizeof *ids, compare_strings);
  for (int i = 1; i < count; i++) {
    if (strcmp(ids[i - 1], ids[i]) == 0)
      fail_msg("customer %s seen twice", ids[i]);
  }
  free(ids);
}

static void assert_customer_shape(const cJSON *customer) {
  assert_true(is_guid(json_str_at(customer, "id")));
  assert_string_equal(json_str_at(customer, "attributes.objectType"), "Customer");
  assert_non_null(json_str_at(customer, "companyProfile.companyName"));
  assert_non_null(json_str_at(customer, "companyProfile.domain"));
  assert_string_equal(json_str_at(customer, "companyProfile.attributes.objectType"),
                      "CustomerCompanyProfile");
}

/* Pages through GET /v1/customers?size=<size>[&extra] following links.next exactly as
 * Partner Center documents it, asserting the shape of each page. */
static void walk_pages(HttpCtx *c, long size, const char *extra, Walk *walk) {
  memset(walk, 0, sizeof *walk);
  walk->customers = cJSON_CreateArray();
  assert_non_null(walk->customers);
  walk->first_total_count = -1;
  char *path = str_format("/v1/customers?size=%ld%s%s", size, extra ? "&" : "", extra ? extra : "");
  char *token_header = NULL;
  char expected_prefix[96];
  snprintf(expected_prefix, sizeof expected_prefix, "/customers?size=%ld&seekOperation=Next", size);
  long page_size = size > 0 ? size : 500;
  for (;;) {
    const char *headers[] = {token_header, NULL};
    HttpResponse response;
    http_request(c, "GET", path, token_header ? headers : NULL, NULL, &response);
    assert_status(&response, 200);
    assert_json_reply(&response);
    const cJSON *page = response.json;
    walk->pages++;
    assert_string_equal(json_str_at(page, "attributes.objectType"), "Collection");
    const cJSON *items = json_at(page, "items");
    assert_true(cJSON_IsArray(items));
    int count = cJSON_GetArraySize(items);
    assert_true(cJSON_IsNumber(json_at(page, "totalCount")));
    /* As Partner Center: totalCount counts the items of this page (docs/sandbox.md does not
     * say; the reference's collections carry the page's count). */
    long total_count = (long)json_num_at(page, "totalCount", -1);
    assert_int_equal(total_count, count);
    if (walk->pages == 1)
      walk->first_total_count = total_count;
    const cJSON *item;
    cJSON_ArrayForEach(item, items) {
      assert_customer_shape(item);
      cJSON *copy = cJSON_Duplicate(item, true);
      assert_non_null(copy);
      cJSON_AddItemToArray(walk->customers, copy);
    }
    const cJSON *next = json_at(page, "links.next");
    free(path);
    path = NULL;
    free(token_header);
    token_header = NULL;
    if (!next) {
      assert_true(count <= page_size);
      http_response_clear(&response);
      break;
    }
    /* Only a full page may have a next one. */
    assert_int_equal(count, page_size);
    const char *uri = json_str_at(next, "uri");
    assert_non_null(uri);
    if (strncmp(uri, expected_prefix, strlen(expected_prefix)) != 0)
      fail_msg("links.next.uri is %s, expected it to start with %s", uri, expected_prefix);
    /* The token carries the query: the next uri is the bare "seekOperation=Next" form. */
    if (strstr(uri, "filter="))
      walk->next_repeats_filter = true;
    assert_string_equal(json_str_at(next, "method"), "GET");
    assert_int_equal(json_count_at(next, "headers"), 1);
    assert_string_equal(json_str_at(next, "headers.0.key"), "MS-ContinuationToken");
    const char *token = json_str_at(next, "headers.0.value");
    assert_non_null(token);
    assert_true(token[0] != '\0');
    token_header = str_format("MS-ContinuationToken: %s", token);
    path = str_format("/v1%s", uri);
    http_response_clear(&response);
    assert_true(walk->pages < 100000);
  }
  free(path);
}

static void walk_clear(Walk *walk) {
  cJSON_Delete(walk->customers);
  memset(walk, 0, sizeof *walk);
}

static bool starts_with_ci(const char *text, const char *prefix) {
  return text && strncasecmp(text, prefix, strlen(prefix)) == 0;
}

static long count_status_customers(HttpCtx *c) {
  return sandbox_control_number(c, "status", "customers");
}

static void test_paging_sees_every_customer_once(void **state) {
  (void)state;
  long total = count_status_customers(ctx);
  assert_int_equal(total, SANDBOX_DEFAULT_CUSTOMERS);
  Walk walk;
  walk_pages(ctx, 7, NULL, &walk);
  assert_int_equal(cJSON_GetArraySize(walk.customers), total);
  assert_int_equal(walk.pages, (total + 6) / 7);
  assert_ids_unique(walk.customers);
  assert_int_equal(walk.first_total_count, 7);
  /* The documents' customers are among them. */
  bool first = false;
  bool second = false;
  const cJSON *item;
  cJSON_ArrayForEach(item, walk.customers) {
    first = first || strcasecmp(json_str_at(item, "id"), DOC_CUSTOMER_ID) == 0;
    second = second || strcasecmp(json_str_at(item, "id"), DOC_CUSTOMER_ID_2) == 0;
  }
  assert_true(first);
  assert_true(second);
  walk_clear(&walk);
}

static void test_default_page_size_is_500(void **state) {
  (void)state;
  long total = count_status_customers(ctx);
  const char *paths[] = {"/v1/customers", "/v1/customers?size=0"};
  for (size_t i = 0; i < 2; i++) {
    HttpResponse response;
    http_request(ctx, "GET", paths[i], NULL, NULL, &response);
    assert_status(&response, 200);
    assert_int_equal(json_count_at(response.json, "items"), total);
    assert_null(json_at(response.json, "links.next"));
    http_response_clear(&response);
  }
  /* A page exactly as large as the list has no next page either. */
  char *path = str_format("/v1/customers?size=%ld", total);
  HttpResponse response;
  http_request(ctx, "GET", path, NULL, NULL, &response);
  assert_status(&response, 200);
  assert_int_equal(json_count_at(response.json, "items"), total);
  assert_null(json_at(response.json, "links.next"));
  http_response_clear(&response);
  free(path);
}

/* The customers of a full listing whose field starts with prefix (case-insensitive). */
static int count_expected(const cJSON *all, const char *field_path, const char *prefix) {
  int expected = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, all) {
    if (starts_with_ci(json_str_at(item, field_path), prefix))
      expected++;
  }
  return expected;
}

/* Filters with prefix in the opposite case, page_size per page, and compares with the full
 * list. Returns false when a links.next.uri repeated the filter, which the caller fails on
 * once it has freed what it holds (docs/sandbox.md: the token carries the whole query and the
 * next uri is /customers?size=N&seekOperation=Next). */
static bool check_filter(HttpCtx *c, long page_size, const char *field, const char *field_path,
                         const char *source_value, size_t prefix_len, const cJSON *all) {
  char prefix[64];
  /* Never cut a UTF-8 sequence in two. */
  while (((unsigned char)source_value[prefix_len] & 0xc0) == 0x80)
    prefix_len++;
  assert_true(prefix_len < sizeof prefix && strlen(source_value) >= prefix_len);
  for (size_t i = 0; i < prefix_len; i++) {
    unsigned char ch = (unsigned char)source_value[i];
    prefix[i] = (char)(isupper(ch) ? tolower(ch) : toupper(ch));
  }
  prefix[prefix_len] = '\0';
  char *filter = customers_filter_param(field, prefix);
  assert_non_null(filter);
  Walk walk;
  walk_pages(c, page_size, filter, &walk);
  int expected = count_expected(all, field_path, prefix);
  assert_true(expected >= 1);
  assert_int_equal(cJSON_GetArraySize(walk.customers), expected);
  assert_int_equal(walk.first_total_count, expected < page_size ? expected : page_size);
  assert_ids_unique(walk.customers);
  const cJSON *item;
  cJSON_ArrayForEach(item, walk.customers) {
    if (!starts_with_ci(json_str_at(item, field_path), prefix))
      fail_msg("%s %s does not start with %s", field, json_str_at(item, field_path), prefix);
  }
  bool kept = !walk.next_repeats_filter;
  if (!kept)
    print_error("filter %s: links.next.uri repeats the filter; the token should carry it\n",
                filter);
  walk_clear(&walk);
  free(filter);
  return kept;
}

static void test_filter_company_name_and_domain(void **state) {
  (void)state;
  Walk all;
  walk_pages(ctx, 500, NULL, &all);
  assert_true(cJSON_GetArraySize(all.customers) >= 75);
  /* Prefixes taken from real customers, so that each filter matches something. */
  const cJSON *customer = cJSON_GetArrayItem(all.customers, 3);
  bool kept = check_filter(ctx, 2, "CompanyName", "companyProfile.companyName",
                           json_str_at(customer, "companyProfile.companyName"), 1, all.customers);
  kept = check_filter(ctx, 2, "CompanyName", "companyProfile.companyName",
                      json_str_at(customer, "companyProfile.companyName"), 3, all.customers) &&
         kept;
  customer = cJSON_GetArrayItem(all.customers, 11);
  kept = check_filter(ctx, 2, "Domain", "companyProfile.domain",
                      json_str_at(customer, "companyProfile.domain"), 1, all.customers) &&
         kept;
  kept = check_filter(ctx, 2, "Domain", "companyProfile.domain",
                      json_str_at(customer, "companyProfile.domain"), 4, all.customers) &&
         kept;
  walk_clear(&all);
  if (!kept)
    fail_msg("links.next.uri must keep the filter (docs/sandbox.md)");
}

static void test_filter_without_match_is_empty(void **state) {
  (void)state;
  char *filter = customers_filter_param("CompanyName", "zzqx-no-such-company");
  char *path = str_format("/v1/customers?size=10&%s", filter);
  HttpResponse response;
  http_request(ctx, "GET", path, NULL, NULL, &response);
  assert_status(&response, 200);
  assert_int_equal((long)json_num_at(response.json, "totalCount", -1), 0);
  assert_int_equal(json_count_at(response.json, "items"), 0);
  assert_null(json_at(response.json, "links.next"));
  http_response_clear(&response);
  free(path);
  free(filter);
}

static void test_garbage_continuation_token_is_400(void **state) {
  (void)state;
  HttpResponse response;
  http_request(ctx, "GET", "/v1/customers?size=5", NULL, NULL, &response);
  assert_status(&response, 200);
  const char *token = json_str_at(response.json, "links.next.headers.0.value");
  assert_non_null(token);
  char *damaged = str_format("MS-ContinuationToken: %s%s", token, "x!~");
  http_response_clear(&response);

  const char *values[] = {"MS-ContinuationToken: garbage", "MS-ContinuationToken: %%%%", damaged};
  for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
    const char *headers[] = {values[i], NULL};
    http_request(ctx, "GET", "/v1/customers?size=5&seekOperation=Next", headers, NULL, &response);
    if (response.status != 400)
      print_error("with %s\n", values[i]);
    assert_api_error(&response, 400, 800002);
    http_response_clear(&response);
  }
  free(damaged);
}

static void test_garbage_filter_is_400(void **state) {
  (void)state;
  char *unknown_field = customers_filter_param("Colour", "blue");
  const char *paths[] = {
      "/v1/customers?size=5&filter=notjson",
      "/v1/customers?size=5&filter=%7B%22Field%22%3A",
      "/v1/customers?size=5&filter=%5B1%2C2%5D",
  };
  for (size_t i = 0; i < sizeof paths / sizeof *paths + 1; i++) {
    char *path = i < sizeof paths / sizeof *paths
                     ? str_format("%s", paths[i])
                     : str_format("/v1/customers?size=5&%s", unknown_field);
    HttpResponse response;
    http_request(ctx, "GET", path, NULL, NULL, &response);
    if (response.status != 400)
      print_error("GET %s\n", path);
    assert_api_error(&response, 400, -1);
    http_response_clear(&response);
    free(path);
  }
  free(unknown_field);
}

static void test_get_one_customer(void **state) {
  (void)state;
  const char *ids[] = {DOC_CUSTOMER_ID, DOC_CUSTOMER_ID_2};
  for (size_t i = 0; i < 2; i++) {
    char *path = str_format("/v1/customers/%s", ids[i]);
    HttpResponse response;
    http_request(ctx, "GET", path, NULL, NULL, &response);
    assert_status(&response, 200);
    assert_json_reply(&response);
    assert_customer_shape(response.json);
    assert_true(strcasecmp(json_str_at(response.json, "id"), ids[i]) == 0);
    char *self = str_format("/customers/%s", ids[i]);
    const char *uri = json_str_at(response.json, "links.self.uri");
    assert_non_null(uri);
    assert_true(strcasecmp(uri, self) == 0);
    http_response_clear(&response);
    free(self);
    free(path);
  }
}

static void test_unknown_customer_is_404(void **state) {
  (void)state;
  const char *paths[] = {"/v1/customers/00000000-0000-0000-0000-000000000000",
                         "/v1/customers/not-a-guid",
                         "/v1/customers/00000000-0000-0000-0000-000000000000/subscriptions"};
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
    HttpResponse response;
    http_request(ctx, "GET", paths[i], NULL, NULL, &response);
    assert_api_error(&response, 404, 1000);
    http_response_clear(&response);
  }
}

static void test_subscriptions_of_the_documents_customer(void **state) {
  (void)state;
  HttpResponse response;
  http_request(ctx, "GET", "/v1/customers/" DOC_CUSTOMER_ID "/subscriptions", NULL, NULL,
               &response);
  assert_status(&response, 200);
  assert_json_reply(&response);
  assert_string_equal(json_str_at(response.json, "attributes.objectType"), "Collection");
  const cJSON *items = json_at(response.json, "items");
  assert_true(cJSON_IsArray(items));
  assert_in_range(cJSON_GetArraySize(items), 1, 50);
  assert_int_equal((long)json_num_at(response.json, "totalCount", -1), cJSON_GetArraySize(items));
  bool found = false;
  const cJSON *item;
  cJSON_ArrayForEach(item, items) {
    assert_string_equal(json_str_at(item, "attributes.objectType"), "Subscription");
    const char *id = json_str_at(item, "id");
    assert_non_null(id);
    if (strcasecmp(id, DOC_SUBSCRIPTION_ID) == 0) {
      found = true;
      assert_string_equal(json_str_at(item, "offerId"), "MS-AZR-0145P");
    }
  }
  assert_true(found);
  http_response_clear(&response);
}

/* The large sandbox lives in setup/teardown so that a failing test still stops it. */
static int big_setup(void **state) {
  char err[512] = "";
  HttpCtxOptions options = {.customers = SANDBOX_MAX_CUSTOMERS};
  HttpCtx *big = http_ctx_start(&options, err, sizeof err);
  if (!big) {
    print_error("sandbox with %d customers did not start: %s\n", SANDBOX_MAX_CUSTOMERS, err);
    return -1;
  }
  *state = big;
  return 0;
}

static int big_teardown(void **state) {
  http_ctx_stop(*state);
  return 0;
}

static void test_hundred_thousand_customers(void **state) {
  HttpCtx *big = *state;
  assert_int_equal(count_status_customers(big), SANDBOX_MAX_CUSTOMERS);

  Walk walk;
  walk_pages(big, 500, NULL, &walk);
  assert_int_equal(cJSON_GetArraySize(walk.customers), SANDBOX_MAX_CUSTOMERS);
  assert_int_equal(walk.pages, SANDBOX_MAX_CUSTOMERS / 500);
  assert_ids_unique(walk.customers);

  /* A domain is unique: filtering by all of it, in upper case, finds exactly that customer. */
  const cJSON *last = cJSON_GetArrayItem(walk.customers, SANDBOX_MAX_CUSTOMERS - 1);
  const char *domain = json_str_at(last, "companyProfile.domain");
  assert_non_null(domain);
  char upper[256];
  snprintf(upper, sizeof upper, "%s", domain);
  for (char *p = upper; *p; p++)
    *p = (char)toupper((unsigned char)*p);
  char *filter = customers_filter_param("Domain", upper);
  char *path = str_format("/v1/customers?size=10&%s", filter);
  HttpResponse response;
  http_request(big, "GET", path, NULL, NULL, &response);
  assert_status(&response, 200);
  int matches = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, json_at(response.json, "items")) {
    if (strcasecmp(json_str_at(item, "companyProfile.domain"), domain) == 0)
      matches++;
  }
  assert_int_equal(matches, 1);
  assert_string_equal(json_str_at(response.json, "items.0.id"), json_str_at(last, "id"));
  http_response_clear(&response);
  free(path);
  free(filter);

  /* A company-name prefix, paged 50 at a time, finds exactly what the full list holds. */
  const cJSON *middle = cJSON_GetArrayItem(walk.customers, 54321);
  const char *name = json_str_at(middle, "companyProfile.companyName");
  assert_non_null(name);
  bool kept = check_filter(big, 50, "CompanyName", "companyProfile.companyName", name,
                           strlen(name) < 6 ? strlen(name) : 6, walk.customers);
  walk_clear(&walk);
  if (!kept)
    fail_msg("links.next.uri must keep the filter (docs/sandbox.md)");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_paging_sees_every_customer_once, reset),
      cmocka_unit_test_setup(test_default_page_size_is_500, reset),
      cmocka_unit_test_setup(test_filter_company_name_and_domain, reset),
      cmocka_unit_test_setup(test_filter_without_match_is_empty, reset),
      cmocka_unit_test_setup(test_garbage_continuation_token_is_400, reset),
      cmocka_unit_test_setup(test_garbage_filter_is_400, reset),
      cmocka_unit_test_setup(test_get_one_customer, reset),
      cmocka_unit_test_setup(test_unknown_customer_is_404, reset),
      cmocka_unit_test_setup(test_subscriptions_of_the_documents_customer, reset),
      cmocka_unit_test_setup_teardown(test_hundred_thousand_customers, big_setup, big_teardown),
  };
  return cmocka_run_group_tests_name("sandbox customers", tests, sandbox_setup, sandbox_teardown);
}
