/* Unit tests of the sandbox's building blocks that need no HTTP: the hash map, the
 * customer search index, fault arming and matching, scenarios, and the state file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include "sandbox/internal.h"
#include "sandbox/seed.h"
#include "sandbox/strmap.h"

static void test_strmap_put_get_remove_grow(void **state) {
  StrMap map = {0};
  char key[32];
  static int values[5000];
  for (int i = 0; i < 5000; i++) {
    snprintf(key, sizeof key, "key-%d", i);
    values[i] = i;
    assert_true(strmap_put(&map, key, &values[i]));
  }
  assert_int_equal(map.count, 5000);
  for (int i = 0; i < 5000; i += 2) {
    snprintf(key, sizeof key, "key-%d", i);
    assert_ptr_equal(strmap_remove(&map, key), &values[i]);
  }
  assert_int_equal(map.count, 2500);
  for (int i = 0; i < 5000; i++) {
    snprintf(key, sizeof key, "key-%d", i);
    int *found = strmap_get(&map, key);
    if (i % 2)
      assert_ptr_equal(found, &values[i]);
    else
      assert_null(found);
  }
  /* Re-inserting removed keys reuses deleted slots and replaces nothing else. */
  for (int i = 0; i < 5000; i += 2) {
    snprintf(key, sizeof key, "key-%d", i);
    assert_true(strmap_put(&map, key, &values[i]));
  }
  assert_int_equal(map.count, 5000);
  assert_true(strmap_put(&map, "key-1", &values[7]));
  assert_int_equal(map.count, 5000);
  assert_ptr_equal(strmap_get(&map, "key-1"), &values[7]);
  strmap_clear(&map, NULL);
  assert_int_equal(map.count, 0);
  assert_null(strmap_get(&map, "key-1"));
}

/* Every customer a prefix search returns starts with the prefix (folded), and every
 * customer that starts with it is returned: checked against a brute-force scan. */
static void check_prefix(const CustomerIndex *index, CustomerField field, const char *prefix,
                         long expect_at_least) {
  long first, count;
  customer_index_range(index, field, prefix, &first, &count);
  assert_true(count >= expect_at_least);
  long brute = 0;
  char text[256];
  for (long i = 0; i < customer_index_count(index); i++) {
    if (field == CUSTOMER_FIELD_NAME)
      assert_true(seed_customer_company_name(i, text, sizeof text));
    else
      assert_true(seed_customer_domain(i, text, sizeof text));
    if (strncasecmp(text, prefix, strlen(prefix)) == 0)
      brute++;
  }
  /* ASCII prefixes: the brute-force count is exact. */
  assert_int_equal(count, brute);
  for (long p = 0; p < count; p++) {
    long seed = customer_index_at(index, field, first + p);
    assert_true(seed >= 0 && seed < customer_index_count(index));
    if (field == CUSTOMER_FIELD_NAME)
      seed_customer_company_name(seed, text, sizeof text);
    else
      seed_customer_domain(seed, text, sizeof text);
    assert_int_equal(strncasecmp(text, prefix, strlen(prefix)), 0);
  }
}

static void test_customer_index_search(void **state) {
  CustomerIndex *index = customer_index_new(5000);
  assert_non_null(index);
  assert_int_equal(customer_index_count(index), 5000);
  assert_int_equal(customer_index_find(index, SEED_DOC_CUSTOMER_ID), 0);
  assert_int_equal(customer_index_find(index, "D6BF25B7-E0A8-4F2D-A31B-97B55CFC774D"), 0);
  assert_int_equal(customer_index_find(index, SEED_DOC_CUSTOMER_ID_2), 1);
  assert_int_equal(customer_index_find(index, "00000000-0000-0000-0000-000000000000"), -1);
  assert_int_equal(customer_index_find(index, "not a guid at all"), -1);
  char id[64];
  assert_true(seed_customer_id(4321, id, sizeof id));
  assert_int_equal(customer_index_find(index, id), 4321);

  check_prefix(index, CUSTOMER_FIELD_NAME, "con", 1);
  check_prefix(index, CUSTOMER_FIELD_NAME, "CONTOSO", 1);
  check_prefix(index, CUSTOMER_FIELD_NAME, "zzzz-nobody", 0);
  check_prefix(index, CUSTOMER_FIELD_DOMAIN, "fab", 1);
  check_prefix(index, CUSTOMER_FIELD_NAME, "", 5000);

  long first, count;
  customer_index_range(index, CUSTOMER_FIELD_ALL, "ignored", &first, &count);
  assert_int_equal(first, 0);
  assert_int_equal(count, 5000);
  assert_int_equal(customer_index_at(index, CUSTOMER_FIELD_ALL, 17), 17);
  assert_int_equal(customer_index_at(index, CUSTOMER_FIELD_NAME, 5000), -1);
  customer_index_free(index);
}

static void test_customer_index_folds_latin1(void **state) {
  CustomerIndex *index = customer_index_new(2000);
  assert_non_null(index);
  /* Find a seed name with a Latin-1 capital after its first letter, e.g. "Müller ...". */
  char name[256];
  long found = -1;
  for (long i = 0; i < 2000 && found < 0; i++) {
    seed_customer_company_name(i, name, sizeof name);
    if (strstr(name, "\xC3\xBC")) /* ü */
      found = i;
  }
  if (found < 0) {
    customer_index_free(index);
    skip();
  }
  /* Upper-case the ü (C3 BC -> C3 9C) and the ASCII around it. */
  char upper[256];
  snprintf(upper, sizeof upper, "%s", name);
  char *u = strstr(upper, "\xC3\xBC");
  u[1] = (char)0x9C;
  u[2] = '\0';
  for (char *p = upper; *p; p++)
    if (*p >= 'a' && *p <= 'z')
      *p = (char)(*p - 32);
  long first, count;
  customer_index_range(index, CUSTOMER_FIELD_NAME, upper, &first, &count);
  assert_true(count >= 1);
  bool has = false;
  for (long p = 0; p < count; p++)
    has = has || customer_index_at(index, CUSTOMER_FIELD_NAME, first + p) == found;
  assert_true(has);
  customer_index_free(index);
}

static void test_faults_arm_take_every_times(void **state) {
  FaultSet faults;
  assert_true(faults_init(&faults));
  char err[256];
  long id = 0;
  cJSON *json = cJSON_Parse("{\"match\":\"carts.create\",\"kind\":\"throttle\",\"times\":2}");
  assert_true(faults_arm_json(&faults, json, &id, err, sizeof err));
  cJSON_Delete(json);
  assert_int_equal(id, 1);
  json =
      cJSON_Parse("{\"match\":\"*\",\"kind\":\"status\",\"status\":503,\"every\":3,\"times\":0}");
  assert_true(faults_arm_json(&faults, json, &id, err, sizeof err));
  cJSON_Delete(json);

  static const FaultKind early[] = {FAULT_THROTTLE, FAULT_STATUS};
  Fault taken;
  /* carts.create: the throttle twice (default Retry-After 2), then the every-3rd 503. */
  assert_true(faults_take(&faults, "carts.create", early, 2, &taken));
  assert_int_equal(taken.kind, FAULT_THROTTLE);
  assert_int_equal(taken.retry_after, 2);
  assert_true(faults_take(&faults, "carts.create", early, 2, &taken));
  assert_int_equal(taken.kind, FAULT_THROTTLE);
  int hits = 0;
  for (int i = 0; i < 9; i++)
    if (faults_take(&faults, "carts.get", early, 2, &taken)) {
      assert_int_equal(taken.kind, FAULT_STATUS);
      assert_int_equal(taken.status, 503);
      hits++;
    }
  assert_int_equal(hits, 3);
  /* Only one fault is left armed (times 0 stays). */
  cJSON *list = faults_to_json(&faults);
  assert_int_equal(cJSON_GetArraySize(list), 1);
  cJSON_Delete(list);
  /* Kinds not asked for are not taken. */
  static const FaultKind drop[] = {FAULT_DROP};
  assert_false(faults_take(&faults, "carts.get", drop, 1, &taken));
  faults_clear(&faults);
  assert_false(faults_take(&faults, "carts.get", early, 2, &taken));
  faults_destroy(&faults);
}

static void test_faults_arm_json_refuses_bad_input(void **state) {
  FaultSet faults;
  assert_true(faults_init(&faults));
  static const char *const bad[] = {
      "[]",
      "{\"kind\":\"throttle\"}",
      "{\"match\":\"carts.nope\",\"kind\":\"throttle\"}",
      "{\"match\":\"*\",\"kind\":\"explode\"}",
      "{\"match\":\"*\",\"kind\":\"status\",\"status\":200}",
      "{\"match\":\"*\",\"kind\":\"status\",\"times\":-1}",
      "{\"match\":\"*\",\"kind\":\"status\",\"times\":1.5}",
      "{\"match\":\"*\",\"kind\":\"delay\"}",
      "{\"match\":\"carts.checkout\",\"kind\":\"fail-order-group\"}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cJSON *json = cJSON_Parse(bad[i]);
    char err[256] = "";
    assert_false(faults_arm_json(&faults, json, NULL, err, sizeof err));
    assert_true(strlen(err) > 10); /* a sentence that says what is expected */
    cJSON_Delete(json);
  }
  assert_int_equal(faults.count, 0);
  faults_destroy(&faults);
}

static void test_scenarios_apply(void **state) {
  FaultSet faults;
  assert_true(faults_init(&faults));
  ScenarioSettings settings;
  assert_true(scenario_apply("default", &settings, &faults));
  assert_int_equal(settings.cart_lifetime_s, SANDBOX_CART_LIFETIME_S);
  assert_int_equal(faults.count, 0);
  assert_true(scenario_apply("quick-expiry", &settings, &faults));
  assert_int_equal(settings.cart_lifetime_s, 15 * 60);
  assert_true(scenario_apply("partial-failure", &settings, &faults));
  assert_int_equal(faults.count, 1);
  assert_string_equal(faults.items[0].order_group, "1");
  assert_true(scenario_apply("integration-sandbox", &settings, &faults));
  assert_true(settings.enforce_sandbox_limits);
  assert_int_equal(settings.max_customers, 75);
  assert_int_equal(faults.count, 0); /* applying replaces the previous scenario's faults */
  assert_false(scenario_apply("no-such-scenario", &settings, &faults));
  for (size_t i = 0; i < sandbox_scenario_count(); i++) {
    const SandboxScenario *s = sandbox_scenario_at(i);
    assert_ptr_equal(sandbox_scenario_find(s->name), s);
    assert_true(scenario_apply(s->name, &settings, &faults));
    assert_true(strlen(s->summary) > 20);
  }
  assert_null(sandbox_scenario_at(sandbox_scenario_count()));
  faults_destroy(&faults);
}

static void test_time_format(void **state) {
  char text[40];
  sandbox_format_time(1547599541606299LL, text, sizeof text);
  assert_string_equal(text, "2019-01-16T00:45:41.6062990Z");
  sandbox_format_time(0, text, sizeof text);
  assert_string_equal(text, "1970-01-01T00:00:00.0000000Z");
  char guid[37];
  sandbox_guid(guid);
  assert_int_equal(strlen(guid), 36);
  assert_int_equal(guid[14], '4');
  assert_non_null(strchr("89ab", guid[19]));
}

static void test_state_file_round_trip_and_damage(void **state) {
  char dir[] = "/tmp/pccart-state-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[256];
  snprintf(path, sizeof path, "%s/class.json", dir);

  Store *store = store_new();
  StoredCart *cart = calloc(1, sizeof *cart);
  char err[512] = "";
  cart->cart = cart_parse("{\"id\":\"AbC-1\",\"status\":\"Ordered\",\"lineItems\":[{\"id\":0,"
                          "\"catalogItemId\":\"MS-AZR-0145P\",\"quantity\":1,"
                          "\"billingCycle\":\"monthly\",\"error\":{\"errorCode\":10001}}]}",
                          err, sizeof err);
  assert_non_null(cart->cart);
  snprintf(cart->id, sizeof cart->id, "abc-1");
  snprintf(cart->customer_id, sizeof cart->customer_id, "cust-1");
  cart->created_us = 1000000;
  cart->expires_us = 2000000;
  cart->checkout_body = strdup("{\"orders\":[]}");
  cart->body = strdup("{}");
  assert_true(store_cart_put(store, cart));
  assert_true(store_reply_put(store, "create:cust-1:rid", 201, "{\"id\":\"abc-1\"}"));
  LedgerEntry entry = {.order_id = "o1",
                       .customer_id = "cust-1",
                       .cart_id = "abc-1",
                       .order_group = "0",
                       .request_id = "rid",
                       .line_count = 3};
  assert_true(store_ledger_add(store, &entry));
  assert_true(store_save_file(store, 42000000, path, err, sizeof err));
  store_free(store);

  /* No temporary file is left next to the state file. */
  char listing[512];
  snprintf(listing, sizeof listing, "ls %s | wc -l", dir);
  FILE *ls = popen(listing, "r");
  int files = 0;
  assert_int_equal(fscanf(ls, "%d", &files), 1);
  pclose(ls);
  assert_int_equal(files, 1);

  Store *loaded = store_new();
  int64_t offset = 0;
  assert_true(store_load_file(loaded, &offset, path, err, sizeof err));
  assert_int_equal(offset, 42000000);
  StoredCart *back = store_cart_get(loaded, "ABC-1");
  assert_non_null(back);
  assert_string_equal(back->customer_id, "cust-1");
  assert_int_equal(back->expires_us, 2000000);
  assert_true(back->has_line_errors);
  assert_int_equal(back->cart->status, CART_STATUS_ORDERED);
  assert_string_equal(back->checkout_body, "{\"orders\":[]}");
  assert_non_null(strstr(back->body, "\"catalogItemId\": \"MS-AZR-0145P\""));
  assert_int_equal(store_reply_get(loaded, "create:cust-1:rid")->status, 201);
  assert_int_equal(loaded->ledger_count, 1);
  assert_string_equal(loaded->ledger[0].order_id, "o1");
  assert_int_equal(loaded->ledger[0].line_count, 3);
  store_free(loaded);

  /* A missing file is an empty class; a damaged one is refused naming the file. */
  Store *other = store_new();
  char missing[300];
  snprintf(missing, sizeof missing, "%s/none.json", dir);
  assert_true(store_load_file(other, &offset, missing, err, sizeof err));
  FILE *f = fopen(path, "w");
  fputs("{ this is not json", f);
  fclose(f);
  err[0] = '\0';
  assert_false(store_load_file(other, &offset, path, err, sizeof err));
  assert_non_null(strstr(err, path));
  f = fopen(path, "w");
  fputs("{\"version\":99}", f);
  fclose(f);
  assert_false(store_load_file(other, &offset, path, err, sizeof err));
  assert_non_null(strstr(err, "version 99"));
  store_free(other);
  unlink(path);
  rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_strmap_put_get_remove_grow),
      cmocka_unit_test(test_customer_index_search),
      cmocka_unit_test(test_customer_index_folds_latin1),
      cmocka_unit_test(test_faults_arm_take_every_times),
      cmocka_unit_test(test_faults_arm_json_refuses_bad_input),
      cmocka_unit_test(test_scenarios_apply),
      cmocka_unit_test(test_time_format),
      cmocka_unit_test(test_state_file_round_trip_and_damage),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
