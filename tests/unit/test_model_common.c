/* Shared model helpers: lists, billing cycles, tolerant JSON access, the printer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "model/cart.h"
#include "model/common.h"

static cJSON *parse(const char *text) {
  cJSON *json = cJSON_Parse(text);
  assert_non_null(json);
  return json;
}

/* Prints with the model's printer, frees json, returns the text (caller frees). */
static char *print_and_free(cJSON *json) {
  assert_non_null(json);
  char *text = model_json_print(json);
  cJSON_Delete(json);
  assert_non_null(text);
  return text;
}

static void test_kv_list(void **state) {
  (void)state;
  KeyValueList list = {0};
  assert_true(kv_list_add(&list, "subscriptionId", "abc"));
  assert_true(kv_list_add(&list, "scope", "shared"));
  assert_int_equal(list.count, 2);
  assert_string_equal(kv_list_get(&list, "SCOPE"), "shared");
  assert_null(kv_list_get(&list, "duration"));

  assert_true(kv_list_set(&list, "Scope", "single"));
  assert_int_equal(list.count, 2);
  assert_string_equal(kv_list_get(&list, "scope"), "single");
  assert_true(kv_list_set(&list, "duration", "1Year"));
  assert_int_equal(list.count, 3);
  assert_string_equal(list.items[2].key, "duration");

  KeyValueList copy = {0};
  assert_true(kv_list_copy(&copy, &list));
  assert_true(kv_list_remove(&list, "SUBSCRIPTIONID"));
  assert_false(kv_list_remove(&list, "subscriptionId"));
  assert_int_equal(list.count, 2);
  assert_string_equal(list.items[0].key, "scope");
  assert_int_equal(copy.count, 3);
  assert_string_equal(kv_list_get(&copy, "subscriptionId"), "abc");

  kv_list_clear(&list);
  kv_list_clear(&copy);
  assert_int_equal(list.count, 0);
  assert_null(list.items);
}

static void test_string_list(void **state) {
  (void)state;
  StringList list = {0};
  assert_true(string_list_add(&list, "one_time"));
  assert_true(string_list_add(&list, "monthly"));
  assert_true(string_list_contains_ci(&list, "MONTHLY"));
  assert_false(string_list_contains_ci(&list, "annual"));
  StringList copy = {0};
  assert_true(string_list_copy(&copy, &list));
  string_list_clear(&list);
  assert_int_equal(copy.count, 2);
  assert_string_equal(copy.items[1], "monthly");
  string_list_clear(&copy);
}

static void test_links_read_write(void **state) {
  (void)state;
  cJSON *json = parse("{\"links\":{\"self\":{\"uri\":\"/customers/1\",\"method\":\"GET\","
                      "\"headers\":[]},\"next\":{\"uri\":\"/customers?seekOperation=Next\","
                      "\"method\":\"GET\",\"headers\":[{\"key\":\"MS-ContinuationToken\","
                      "\"value\":\"tok\"}]},\"junk\":5}}");
  LinkList links = {0};
  link_list_read(&links, json_get(json, "LINKS"));
  cJSON_Delete(json);
  assert_int_equal(links.count, 2);
  const Link *next = link_list_get(&links, "next");
  assert_non_null(next);
  assert_string_equal(next->uri, "/customers?seekOperation=Next");
  assert_string_equal(kv_list_get(&next->headers, "ms-continuationtoken"), "tok");
  assert_null(link_list_get(&links, "previous"));

  LinkList copy = {0};
  assert_true(link_list_copy(&copy, &links));
  link_list_clear(&links);
  cJSON *out = cJSON_CreateObject();
  assert_true(link_list_write(&copy, out));
  link_list_clear(&copy);
  char *text = print_and_free(out);
  assert_string_equal(text, "{\n"
                            "  \"links\": {\n"
                            "    \"self\": {\n"
                            "      \"uri\": \"/customers/1\",\n"
                            "      \"method\": \"GET\",\n"
                            "      \"headers\": []\n"
                            "    },\n"
                            "    \"next\": {\n"
                            "      \"uri\": \"/customers?seekOperation=Next\",\n"
                            "      \"method\": \"GET\",\n"
                            "      \"headers\": [\n"
                            "        {\n"
                            "          \"key\": \"MS-ContinuationToken\",\n"
                            "          \"value\": \"tok\"\n"
                            "        }\n"
                            "      ]\n"
                            "    }\n"
                            "  }\n"
                            "}\n");
  free(text);

  /* An empty list adds nothing. */
  LinkList empty = {0};
  out = cJSON_CreateObject();
  assert_true(link_list_write(&empty, out));
  text = print_and_free(out);
  assert_string_equal(text, "{}\n");
  free(text);
}

static void test_billing_cycle(void **state) {
  (void)state;
  assert_int_equal(billing_cycle_parse("OneTime"), BILLING_CYCLE_ONE_TIME);
  assert_int_equal(billing_cycle_parse("one_time"), BILLING_CYCLE_ONE_TIME);
  assert_int_equal(billing_cycle_parse("ONE_TIME"), BILLING_CYCLE_ONE_TIME);
  assert_int_equal(billing_cycle_parse("Monthly"), BILLING_CYCLE_MONTHLY);
  assert_int_equal(billing_cycle_parse("triennial"), BILLING_CYCLE_TRIENNIAL);
  assert_int_equal(billing_cycle_parse("4"), BILLING_CYCLE_ONE_TIME);
  assert_int_equal(billing_cycle_parse("weekly"), BILLING_CYCLE_UNKNOWN);
  assert_int_equal(billing_cycle_parse("unknown"), BILLING_CYCLE_UNKNOWN);
  assert_int_equal(billing_cycle_parse(""), BILLING_CYCLE_UNSET);
  assert_int_equal(billing_cycle_parse(NULL), BILLING_CYCLE_UNSET);

  assert_string_equal(billing_cycle_wire(BILLING_CYCLE_ONE_TIME), "one_time");
  assert_string_equal(billing_cycle_pascal(BILLING_CYCLE_ONE_TIME), "OneTime");
  assert_string_equal(billing_cycle_wire(BILLING_CYCLE_BIENNIAL), "biennial");
  assert_null(billing_cycle_wire(BILLING_CYCLE_UNSET));

  cJSON *json = parse("[0,1,2,3,4,5,6,7,\"annual\",true,null,1.5]");
  const BillingCycle expected[] = {
      BILLING_CYCLE_UNKNOWN,  BILLING_CYCLE_MONTHLY,  BILLING_CYCLE_ANNUAL,
      BILLING_CYCLE_NONE,     BILLING_CYCLE_ONE_TIME, BILLING_CYCLE_TRIENNIAL,
      BILLING_CYCLE_BIENNIAL, BILLING_CYCLE_UNKNOWN,  BILLING_CYCLE_ANNUAL,
      BILLING_CYCLE_UNSET,    BILLING_CYCLE_UNSET,    BILLING_CYCLE_UNKNOWN,
  };
  for (int i = 0; i < (int)(sizeof expected / sizeof expected[0]); i++) {
    assert_int_equal(billing_cycle_from_json(cJSON_GetArrayItem(json, i)), expected[i]);
  }
  assert_int_equal(billing_cycle_from_json(NULL), BILLING_CYCLE_UNSET);
  cJSON_Delete(json);
}

static void test_json_get_tolerant(void **state) {
  (void)state;
  cJSON *json = parse("{\"CatalogItemId\":\"X\",\"catalogitemid\":\"Y\",\"Quantity\":\"12\","
                      "\"bad\":\"abc\",\"frac\":2.5,\"big\":1547581389,\"neg\":-3,"
                      "\"nothing\":null,\"flag\":\"TRUE\",\"realflag\":false,\"num\":0.25}");
  char *s = json_dup_string(json, "catalogItemId");
  assert_string_equal(s, "X"); /* the first case-insensitive match */
  free(s);
  s = json_dup_string(json, "catalogitemid");
  assert_string_equal(s, "Y"); /* an exact match wins */
  free(s);
  assert_null(json_get(json, "nothing"));
  assert_null(json_dup_string(json, "nothing"));
  assert_null(json_dup_string(json, "big")); /* a number is not a string */

  OptInt n = json_get_int(json, "quantity");
  assert_true(n.set);
  assert_int_equal(n.value, 12);
  assert_false(json_get_int(json, "bad").set);
  assert_false(json_get_int(json, "frac").set);
  assert_false(json_get_int(json, "nothing").set);
  assert_false(json_get_int(json, "missing").set);
  assert_int_equal(json_get_int(json, "big").value, 1547581389);
  assert_int_equal(json_get_int(json, "neg").value, -3);

  OptBool b = json_get_bool(json, "flag");
  assert_true(b.set && b.value);
  b = json_get_bool(json, "realflag");
  assert_true(b.set && !b.value);
  assert_false(json_get_bool(json, "quantity").set);

  s = json_dup_text(json, "big");
  assert_string_equal(s, "1547581389");
  free(s);
  s = json_dup_text(json, "num");
  assert_string_equal(s, "0.25");
  free(s);
  s = json_dup_text(json, "quantity");
  assert_string_equal(s, "12");
  free(s);
  assert_null(json_dup_text(json, "realflag"));

  assert_null(json_get(NULL, "x"));
  cJSON *array = parse("[1]");
  assert_null(json_get(array, "x"));
  cJSON_Delete(array);
  cJSON_Delete(json);
}

static void test_json_read_kv_both_forms(void **state) {
  (void)state;
  cJSON *json = parse("{\"object\":{\"subscriptionId\":\"S\",\"count\":3,\"skip\":null,"
                      "\"nested\":{}},"
                      "\"array\":[{\"Key\":\"transaction_reseller\",\"Value\":\"123\"},"
                      "{\"key\":\"k2\",\"value\":7},5,{\"value\":\"nokey\"}]}");
  KeyValueList list = {0};
  json_read_kv(&list, json_get(json, "object"));
  assert_int_equal(list.count, 2);
  assert_string_equal(kv_list_get(&list, "subscriptionId"), "S");
  assert_string_equal(kv_list_get(&list, "count"), "3");
  kv_list_clear(&list);

  json_read_kv(&list, json_get(json, "array"));
  assert_int_equal(list.count, 2);
  assert_string_equal(list.items[0].key, "transaction_reseller");
  assert_string_equal(list.items[0].value, "123");
  assert_string_equal(kv_list_get(&list, "k2"), "7");
  kv_list_clear(&list);

  json_read_kv(&list, cJSON_GetArrayItem(json_get(json, "array"), 2));
  assert_int_equal(list.count, 0);
  cJSON_Delete(json);
}

/* Found by tests/fuzz (cart_json): a key given twice was kept twice, so the validator checked the
 * first value while the request body sent both; the last one now wins, in either form. */
static void test_json_read_kv_repeated_key(void **state) {
  (void)state;
  cJSON *json = parse("{\"object\":{\"scope\":\"single\",\"duration\":\"1Year\","
                      "\"Scope\":\"shared\"},"
                      "\"array\":[{\"key\":\"a\",\"value\":\"1\"},{\"key\":\"b\",\"value\":\"2\"},"
                      "{\"key\":\"A\",\"value\":\"3\"}]}");
  KeyValueList list = {0};
  json_read_kv(&list, json_get(json, "object"));
  assert_int_equal(list.count, 2);
  assert_string_equal(list.items[0].key, "scope");
  assert_string_equal(list.items[0].value, "shared");
  assert_string_equal(list.items[1].value, "1Year");
  kv_list_clear(&list);

  json_read_kv(&list, json_get(json, "array"));
  assert_int_equal(list.count, 2);
  assert_string_equal(list.items[0].key, "a");
  assert_string_equal(list.items[0].value, "3");
  assert_string_equal(list.items[1].value, "2");
  kv_list_clear(&list);
  cJSON_Delete(json);
}

/* Found by tests/fuzz (customer_page): a repeated link name kept both links, and the page's
 * continuation token was read from the first "next" (none) instead of the last. */
static void test_links_repeated_name(void **state) {
  (void)state;
  cJSON *json = parse("{\"next\":{\"uri\":\"/a\",\"method\":\"GET\",\"headers\":[]},"
                      "\"self\":{\"uri\":\"/s\"},"
                      "\"Next\":{\"uri\":\"/b\",\"method\":\"POST\",\"headers\":"
                      "[{\"key\":\"MS-ContinuationToken\",\"value\":\"t2\"}]}}");
  LinkList links = {0};
  link_list_read(&links, json);
  assert_int_equal(links.count, 2);
  const Link *next = link_list_get(&links, "next");
  assert_non_null(next);
  assert_string_equal(next->uri, "/b");
  assert_string_equal(next->method, "POST");
  assert_string_equal(kv_list_get(&next->headers, "MS-ContinuationToken"), "t2");
  assert_string_equal(links.items[1].uri, "/s");
  link_list_clear(&links);
  cJSON_Delete(json);
}

static void test_json_put_omits_unset(void **state) {
  (void)state;
  cJSON *json = cJSON_CreateObject();
  KeyValueList empty = {0};
  KeyValueList pairs = {0};
  assert_true(kv_list_add(&pairs, "key1", "v\"1"));
  StringList strings = {0};
  assert_true(string_list_add(&strings, "a"));
  assert_true(json_put_string(json, "nullString", NULL));
  assert_true(json_put_int(json, "unsetInt", (OptInt){0}));
  assert_true(json_put_bool(json, "unsetBool", (OptBool){0}));
  assert_true(json_put_kv_object(json, "emptyKv", &empty));
  assert_true(json_put_object_type(json, NULL));
  assert_true(json_put_string(json, "s", "x"));
  assert_true(json_put_int(json, "i", opt_int(-7)));
  assert_true(json_put_bool(json, "b", opt_bool(false)));
  assert_true(json_put_kv_object(json, "kvObject", &pairs));
  assert_true(json_put_kv_array(json, "kvArray", &pairs));
  assert_true(json_put_strings(json, "strings", &strings));
  assert_true(json_put_object_type(json, "Thing"));
  kv_list_clear(&pairs);
  string_list_clear(&strings);
  char *text = print_and_free(json);
  assert_string_equal(text, "{\n"
                            "  \"s\": \"x\",\n"
                            "  \"i\": -7,\n"
                            "  \"b\": false,\n"
                            "  \"kvObject\": {\n"
                            "    \"key1\": \"v\\\"1\"\n"
                            "  },\n"
                            "  \"kvArray\": [\n"
                            "    {\n"
                            "      \"key\": \"key1\",\n"
                            "      \"value\": \"v\\\"1\"\n"
                            "    }\n"
                            "  ],\n"
                            "  \"strings\": [\n"
                            "    \"a\"\n"
                            "  ],\n"
                            "  \"attributes\": {\n"
                            "    \"objectType\": \"Thing\"\n"
                            "  }\n"
                            "}\n");
  free(text);
}

static void test_strip_annotations(void **state) {
  (void)state;
  char *out = json_strip_annotations("{\n  /* Azure */\n  \"a\": \"/* kept */\",/**/\"b\": "
                                     "\"x\\\"/*y*/\" /* tail\n spans */}");
  assert_string_equal(out, "{\n  \n  \"a\": \"/* kept */\",\"b\": \"x\\\"/*y*/\" }");
  free(out);
  out = json_strip_annotations("{} /* unterminated");
  assert_string_equal(out, "{} ");
  free(out);
  assert_null(json_strip_annotations(NULL));
  /* A leading UTF-8 byte order mark goes too; one inside a string stays. */
  out = json_strip_annotations("\xEF\xBB\xBF{\"a\": \"\xEF\xBB\xBF\"}");
  assert_non_null(out);
  assert_string_equal(out, "{\"a\": \"\xEF\xBB\xBF\"}");
  cJSON *parsed = cJSON_Parse(out);
  assert_non_null(parsed);
  cJSON_Delete(parsed);
  free(out);
}

static void test_print_scalars(void **state) {
  (void)state;
  cJSON *json = parse("{\"int\":3.0,\"big\":1e15,\"huge\":12345678901234567,\"neg\":-0,"
                      "\"frac\":0.1,\"tiny\":1e-7,\"t\":true,\"f\":false,\"n\":null,"
                      "\"esc\":\"a\\\"b\\\\c\\n\\t\\u0001/\",\"utf8\":\"Ügyfél – ✓\","
                      "\"emptyA\":[],\"emptyO\":{},\"nested\":[[],{\"k\":[1,2]}]}");
  char *text = print_and_free(json);
  assert_string_equal(text, "{\n"
                            "  \"int\": 3,\n"
                            "  \"big\": 1000000000000000,\n"
                            "  \"huge\": 12345678901234568,\n"
                            "  \"neg\": 0,\n"
                            "  \"frac\": 0.1,\n"
                            "  \"tiny\": 1e-07,\n"
                            "  \"t\": true,\n"
                            "  \"f\": false,\n"
                            "  \"n\": null,\n"
                            "  \"esc\": \"a\\\"b\\\\c\\n\\t\\u0001/\",\n"
                            "  \"utf8\": \"Ügyfél – ✓\",\n"
                            "  \"emptyA\": [],\n"
                            "  \"emptyO\": {},\n"
                            "  \"nested\": [\n"
                            "    [],\n"
                            "    {\n"
                            "      \"k\": [\n"
                            "        1,\n"
                            "        2\n"
                            "      ]\n"
                            "    }\n"
                            "  ]\n"
                            "}\n");
  /* The output reads back to the same tree. */
  cJSON *again = cJSON_Parse(text);
  assert_non_null(again);
  char *text2 = print_and_free(again);
  assert_string_equal(text, text2);
  free(text);
  free(text2);

  text = print_and_free(cJSON_CreateArray());
  assert_string_equal(text, "[]\n");
  free(text);
  text = print_and_free(cJSON_CreateString("s"));
  assert_string_equal(text, "\"s\"\n");
  free(text);
  assert_null(model_json_print(NULL));
}

static void test_normalize_doc_json(void **state) {
  (void)state;
  char *out = fixture_normalize_doc_json("?{\n  \"a\": [\n    {\n      \"links\": {...}\n    },\n"
                                         "    ...\n  ],\n  /* note */\n  \"b\": \"x, ]\",\n"
                                         "  ...\n}\n");
  assert_string_equal(out, "{\n  \"a\": [\n    {\n      \"links\": {}\n    }\n  ],\n  \n"
                           "  \"b\": \"x, ]\"\n}\n");
  cJSON *json = cJSON_Parse(out);
  assert_non_null(json);
  cJSON_Delete(json);
  free(out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_kv_list),
      cmocka_unit_test(test_string_list),
      cmocka_unit_test(test_links_read_write),
      cmocka_unit_test(test_billing_cycle),
      cmocka_unit_test(test_json_get_tolerant),
      cmocka_unit_test(test_json_read_kv_both_forms),
      cmocka_unit_test(test_json_read_kv_repeated_key),
      cmocka_unit_test(test_links_repeated_name),
      cmocka_unit_test(test_json_put_omits_unset),
      cmocka_unit_test(test_strip_annotations),
      cmocka_unit_test(test_print_scalars),
      cmocka_unit_test(test_normalize_doc_json),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
