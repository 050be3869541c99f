/* A refusal's body: api_error_parse (the standard and the 429 shapes). A body read as an error
 * writes back in its shape and reads again the same. */
#include "fuzz.h"

#include "model/api_error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  if (!text) {
    return 0;
  }
  ApiError error = {0};
  bool ok = api_error_parse(&error, text);
  free(text);
  FUZZ_CHECK(ok == (error.shape != API_ERROR_SHAPE_NONE), "the answer and the shape disagree");
  if (ok) {
    cJSON *json = api_error_to_json(&error);
    FUZZ_CHECK(json != NULL, "api_error_to_json failed");
    ApiError again = {0};
    FUZZ_CHECK(api_error_from_json(&again, json), "the written error cannot be read back");
    FUZZ_CHECK(again.shape == error.shape, "the written error reads back in another shape");
    cJSON *json_again = api_error_to_json(&again);
    FUZZ_CHECK(json_again && cJSON_Compare(json, json_again, true),
               "the error reads back different");
    cJSON_Delete(json_again);
    api_error_clear(&again);
    cJSON_Delete(json);
  }
  api_error_clear(&error);
  return 0;
}
