/* The documents' annotations: json_strip_annotations. It only removes text (never adds), and
 * what is inside JSON strings survives: text without any comment opener comes back unchanged. */
#include "fuzz.h"

#include "model/common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  if (!text) {
    return 0;
  }
  char *clean = json_strip_annotations(text);
  FUZZ_CHECK(clean != NULL, "json_strip_annotations failed");
  FUZZ_CHECK(strlen(clean) <= strlen(text), "stripping made the text longer");
  if (!strstr(text, "/*")) {
    FUZZ_CHECK(strcmp(clean, text) == 0, "text without annotations was changed");
  }
  /* Stripping twice removes nothing more when no comment survived the first pass. */
  char *twice = json_strip_annotations(clean);
  FUZZ_CHECK(twice != NULL, "json_strip_annotations failed");
  cJSON *json = cJSON_Parse(clean);
  cJSON_Delete(json);
  free(twice);
  free(clean);
  free(text);
  return 0;
}
