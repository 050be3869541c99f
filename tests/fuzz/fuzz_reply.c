/* A server's reply as the client's call loop classifies it: the header callback (MS-RequestId,
 * MS-CorrelationId, Retry-After), the body, the refusal's sentence and the retry decision.
 * Input: two bytes of status (100-599), one byte of flags (bit 0: from Partner Center, bit 1:
 * a mutating call), then header lines up to a blank line, then the body. Invariants: a refusal
 * always has a sentence, the ids copied from headers fit their fields, and the wait before a
 * retry stays within the client's limits. The Retry-After parser is fed the whole text too. */
#include "fuzz.h"

#include "pc/internal.h"

static PcClient *client(void) {
  static PcClient *c;
  if (!c) {
    PcSettings settings = {.api_base = "https://api.partnercenter.microsoft.com",
                           .authority = "https://login.microsoftonline.com/",
                           .tenant = "contoso.onmicrosoft.com",
                           .client_id = "00000000-0000-0000-0000-000000000001",
                           .client_secret = "fuzz-client-secret"};
    PcError error = {0};
    c = pc_client_new(&settings, &error);
    FUZZ_CHECK(c != NULL, error.message);
    pc_error_clear(&error);
  }
  return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 3) {
    return 0;
  }
  PcClient *c = client();
  long status = 100 + (long)(((unsigned)data[0] << 8 | data[1]) % 500);
  bool api = data[2] & 1;
  bool mutating = data[2] & 2;
  int attempt = 1 + (data[2] >> 2) % 8;
  const char *rest = (const char *)data + 3;
  size_t rest_length = size - 3;
  /* Headers end at the first blank line ("\n\n" or "\r\n\r\n"). */
  size_t headers_length = rest_length;
  for (size_t i = 0; i + 1 < rest_length; i++) {
    if (rest[i] == '\n' && (rest[i + 1] == '\n' ||
                            (rest[i + 1] == '\r' && i + 2 < rest_length && rest[i + 2] == '\n'))) {
      headers_length = i + 1;
      break;
    }
  }
  size_t body_at = headers_length;
  while (body_at < rest_length && (rest[body_at] == '\r' || rest[body_at] == '\n') &&
         body_at < headers_length + 2) {
    body_at++;
  }
  /* Exactly sized copies: an over-read is seen by ASan. */
  char *headers = malloc(headers_length ? headers_length : 1);
  char *body = malloc(rest_length - body_at ? rest_length - body_at : 1);
  if (headers && body) {
    memcpy(headers, rest, headers_length);
    memcpy(body, rest + body_at, rest_length - body_at);
    PcError error = {0};
    bool retryable = false;
    long wait_ms = -1;
    pc_reply_classify(c, api, mutating, status, headers, headers_length, body,
                      rest_length - body_at, attempt, &error, &retryable, &wait_ms);
    FUZZ_CHECK(error.kind != PC_ERROR_NONE, "a refusal classified as no error");
    FUZZ_CHECK(error.message[0] != '\0', "a refusal without a sentence");
    FUZZ_CHECK(memchr(error.message, '\0', sizeof error.message) != NULL, "message unterminated");
    FUZZ_CHECK(memchr(error.request_id, '\0', sizeof error.request_id) != NULL,
               "request id unterminated");
    FUZZ_CHECK(memchr(error.correlation_id, '\0', sizeof error.correlation_id) != NULL,
               "correlation id unterminated");
    FUZZ_CHECK(error.http_status == status, "the status was not kept");
    FUZZ_CHECK(error.retry_after_s >= 0, "a negative Retry-After");
    FUZZ_CHECK(wait_ms >= 0, "a negative wait");
    /* The defaults (client.h): backoff up to 10 s, Retry-After honoured up to 60 s. */
    FUZZ_CHECK(wait_ms <= 60000, "a wait beyond the client's limits");
    pc_error_clear(&error);
  }
  free(headers);
  free(body);
  char *text = fuzz_text(data + 3, size - 3);
  if (text) {
    long seconds = pc_retry_after_seconds(text);
    FUZZ_CHECK(seconds >= -1, "Retry-After below -1");
    free(text);
  }
  return 0;
}
