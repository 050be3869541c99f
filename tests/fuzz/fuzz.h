/* What every fuzz target shares: the libFuzzer entry point they define, and small helpers to turn
 * the fuzzer's bytes into the NUL-terminated text our readers take. */
#ifndef PCCART_TESTS_FUZZ_H
#define PCCART_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (an embedded NUL ends the text early, as it would for
 * any C reader of a file); NULL when out of memory, which the target then skips. */
static inline char *fuzz_text(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (text) {
    if (size) {
      memcpy(text, data, size);
    }
    text[size] = '\0';
  }
  return text;
}

/* A broken invariant: say which and abort, so libFuzzer (or the replay driver) reports the input
 * that broke it. */
#define FUZZ_CHECK(cond, what)                                                                     \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", __FILE__, __LINE__, what);           \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

#endif
