/* Error bodies (standard and 429 shapes) and the token reply. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "model/api_error.h"
#include "model/cart.h"

static char *print_json(cJSON *json) {
  assert_non_null(json);
  char *text = model_json_print(json);
  cJSON_Delete(json);
  assert_non_null(text);
  return text;
}

static void test_standard_shape(void **state) {
  (void)state;
  ApiError error = {0};
  assert_true(api_error_parse(&error, "{\"code\":3000,\"description\":\"Partner Organization with "
                                      "partner_id 9999999 could not be found\",\"data\":[],"
                                      "\"source\":\"PartnerFD\"}"));
  assert_int_equal(error.shape, API_ERROR_SHAPE_STANDARD);
  assert_int_equal(error.code, 3000);
  assert_null(error.code_text);
  assert_string_equal(error.description,
                      "Partner Organization with partner_id 9999999 could not be found");
  assert_int_equal(error.data.count, 0);
  assert_string_equal(error.source, "PartnerFD");

  /* The schema's string code, PascalCase names and data strings. */
  assert_true(api_error_parse(&error, "{\"Code\":\"800009\",\"Description\":\"Error in Cart "
                                      "item(s)\",\"Data\":[\"line 1\",\"line 2\"]}"));
  assert_int_equal(error.code, PC_CODE_CART_ITEM_ERRORS);
  assert_int_equal(error.data.count, 2);
  assert_string_equal(error.data.items[1], "line 2");
  assert_null(error.source);

  assert_true(api_error_parse(&error, "{\"code\":\"InvalidInput\",\"description\":\"x\"}"));
  assert_int_equal(error.code, 0);
  assert_string_equal(error.code_text, "InvalidInput");
  char *text = print_json(api_error_to_json(&error));
  assert_string_equal(text, "{\n  \"code\": \"InvalidInput\",\n  \"description\": \"x\",\n"
                            "  \"data\": []\n}\n");
  free(text);
  api_error_clear(&error);
  assert_null(error.code_text);
}

static void test_throttle_shape(void **state) {
  (void)state;
  ApiError error = {0};
  assert_true(api_error_parse(
      &error,
      "{\"statusCode\":429,\"message\":\"Rate limit is exceeded. Try again in 57 seconds.\"}"));
  assert_int_equal(error.shape, API_ERROR_SHAPE_THROTTLE);
  assert_int_equal(error.code, 429);
  assert_string_equal(error.description, "Rate limit is exceeded. Try again in 57 seconds.");
  char *text = print_json(api_error_to_json(&error));
  api_error_clear(&error);
  assert_string_equal(text, "{\n"
                            "  \"statusCode\": 429,\n"
                            "  \"message\": \"Rate limit is exceeded. Try again in 57 seconds.\"\n"
                            "}\n");
  free(text);
}

static void test_not_an_error(void **state) {
  (void)state;
  ApiError error = {0};
  const char *bodies[] = {"[]",       "42", "\"success\"",   "{}", "{\"orders\":[]}",
                          "not json", "",   "[{\"code\":1}]"};
  for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
    if (api_error_parse(&error, bodies[i])) {
      fail_msg("took %s for an error", bodies[i]);
    }
    assert_int_equal(error.shape, API_ERROR_SHAPE_NONE);
  }
  assert_false(api_error_parse(&error, NULL));
  assert_false(api_error_from_json(&error, NULL));
  /* Wrong-typed members still make a recognisable error without crashing. */
  assert_true(api_error_parse(&error, "{\"code\":{\"x\":[[]]},\"description\":7,\"data\":\"d\"}"));
  assert_int_equal(error.code, 0);
  assert_null(error.description);
  assert_int_equal(error.data.count, 0);
  api_error_clear(&error);
}

static void test_body_helpers(void **state) {
  (void)state;
  char *text = print_json(api_error_body(PC_CODE_CART_NOT_FOUND, "Unable to retrieve cart Id"));
  assert_string_equal(text, "{\n"
                            "  \"code\": 800008,\n"
                            "  \"description\": \"Unable to retrieve cart Id\",\n"
                            "  \"data\": [],\n"
                            "  \"source\": \"PartnerFD\"\n"
                            "}\n");
  free(text);
  text = print_json(api_throttle_body(57));
  assert_string_equal(text, "{\n"
                            "  \"statusCode\": 429,\n"
                            "  \"message\": \"Rate limit is exceeded. Try again in 57 seconds.\"\n"
                            "}\n");
  free(text);

  /* What a server writes, a client reads back. */
  cJSON *body = api_error_body(PC_CODE_INVALID_REQUEST_INPUT, "Invalid request input");
  ApiError error = {0};
  assert_true(api_error_from_json(&error, body));
  cJSON_Delete(body);
  assert_int_equal(error.code, 800002);
  assert_string_equal(error.source, "PartnerFD");
  api_error_clear(&error);
}

static void test_token_numbers_as_string_or_number(void **state) {
  (void)state;
  TokenResponse token = {0};
  cJSON *json = cJSON_Parse("{\"token_type\":\"Bearer\",\"scope\":\"user_impersonation\","
                            "\"expires_in\":\"3600\",\"expires_on\":\"1547581389\","
                            "\"resource\":\"https://api.partnercenter.microsoft.com\","
                            "\"access_token\":\"eyJ0\",\"refresh_token\":\"0.AAA\"}");
  assert_true(token_response_from_json(&token, json));
  cJSON_Delete(json);
  assert_true(token.expires_in.set);
  assert_int_equal(token.expires_in.value, 3600);
  assert_int_equal(token.expires_on.value, 1547581389);
  assert_string_equal(token.access_token, "eyJ0");
  char *text = print_json(token_response_to_json(&token));
  assert_string_equal(text, "{\n"
                            "  \"token_type\": \"Bearer\",\n"
                            "  \"scope\": \"user_impersonation\",\n"
                            "  \"expires_in\": \"3600\",\n"
                            "  \"expires_on\": \"1547581389\",\n"
                            "  \"resource\": \"https://api.partnercenter.microsoft.com\",\n"
                            "  \"access_token\": \"eyJ0\",\n"
                            "  \"refresh_token\": \"0.AAA\"\n"
                            "}\n");
  free(text);

  json = cJSON_Parse("{\"access_token\":\"t2\",\"expires_in\":3600,\"expires_on\":\"soon\"}");
  assert_true(token_response_from_json(&token, json)); /* releases the previous reply */
  cJSON_Delete(json);
  assert_int_equal(token.expires_in.value, 3600);
  assert_false(token.expires_on.set);
  assert_null(token.refresh_token);
  token_response_clear(&token);
  assert_null(token.access_token);

  json = cJSON_Parse("[\"token\"]");
  assert_false(token_response_from_json(&token, json));
  cJSON_Delete(json);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_standard_shape),
      cmocka_unit_test(test_throttle_shape),
      cmocka_unit_test(test_not_an_error),
      cmocka_unit_test(test_body_helpers),
      cmocka_unit_test(test_token_numbers_as_string_or_number),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
