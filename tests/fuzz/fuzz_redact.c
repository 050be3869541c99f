/* The log redactor pc_redact, with secrets registered. Input: one byte n (0-3 secrets), then n
 * secrets each as a length byte and that many bytes, then the text. Invariant: no registered
 * secret (4 characters or more) that was in the text is in the output, and a text with no
 * secret is checked against every secret registered for it. */
#include "fuzz.h"

#include "pc/log.h"

#define MAX_SECRETS 3

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) {
    return 0;
  }
  /* A fresh log per input: secrets registered by earlier inputs would change the answer. */
  char err[256];
  PcLog *own = pc_log_open("/dev/null", PC_LOG_DEBUG, err, sizeof err);
  FUZZ_CHECK(own != NULL, err);
  size_t count = data[0] % (MAX_SECRETS + 1);
  size_t at = 1;
  char *secrets[MAX_SECRETS] = {0};
  size_t registered = 0;
  for (size_t i = 0; i < count && at < size; i++) {
    size_t length = data[at++];
    if (length > size - at) {
      length = size - at;
    }
    secrets[registered] = fuzz_text(data + at, length);
    if (!secrets[registered]) {
      break;
    }
    FUZZ_CHECK(pc_log_add_secret(own, secrets[registered]), "pc_log_add_secret failed");
    registered++;
    at += length;
  }
  /* The text exactly as long as the input says: an over-read is seen by ASan. */
  size_t length = size - at;
  char *text = malloc(length ? length : 1);
  if (text) {
    if (length) {
      memcpy(text, data + at, length);
    }
    char *clean = pc_redact(own, text, length);
    FUZZ_CHECK(clean != NULL, "pc_redact failed");
    char *plain = fuzz_text(data + at, length);
    FUZZ_CHECK(plain != NULL, "out of memory");
    for (size_t i = 0; i < registered; i++) {
      const char *s = secrets[i];
      /* Shorter ones are not registered; one inside the mask itself cannot be kept out. */
      if (strlen(s) < 4 || strstr("[REDACTED]", s) || !strstr(plain, s)) {
        continue;
      }
      FUZZ_CHECK(strstr(clean, s) == NULL, "a registered secret survived the redactor");
    }
    free(plain);
    free(clean);
    /* The patterns alone (no log) never fail either. */
    char *patterns = pc_redact(NULL, text, length);
    FUZZ_CHECK(patterns != NULL, "pc_redact failed");
    free(patterns);
    /* The log line goes through the same redactor and its line handling. */
    pc_log_write(own, PC_LOG_DEBUG, "%.*s", (int)length, text);
    free(text);
  }
  for (size_t i = 0; i < registered; i++) {
    free(secrets[i]);
  }
  pc_log_close(own);
  return 0;
}
