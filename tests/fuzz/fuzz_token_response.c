/* The sign-in service's reply: token_response_from_json (numbers arrive as strings). */
#include "fuzz.h"

#include "model/api_error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  if (!text) {
    return 0;
  }
  cJSON *json = cJSON_Parse(text);
  free(text);
  TokenResponse token = {0};
  if (token_response_from_json(&token, json)) {
    cJSON *written = token_response_to_json(&token);
    FUZZ_CHECK(written != NULL, "token_response_to_json failed");
    TokenResponse again = {0};
    FUZZ_CHECK(token_response_from_json(&again, written), "the written reply cannot be read back");
    cJSON *written_again = token_response_to_json(&again);
    FUZZ_CHECK(written_again && cJSON_Compare(written, written_again, true),
               "the token reply reads back different");
    cJSON_Delete(written_again);
    token_response_clear(&again);
    cJSON_Delete(written);
  }
  token_response_clear(&token);
  cJSON_Delete(json);
  return 0;
}
