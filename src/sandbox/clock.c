/* The sandbox clock (real time plus a trainer-set offset) and random ids. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "sandbox/internal.h"

int64_t sandbox_clock_now(Sandbox *sandbox) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  int64_t now = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
  /* The offset is shared state: another sandbox on the same state file may have moved it.
   * When the file cannot be read the last offset read stands; the request's own access to the
   * state answers the error. */
  (void)sandbox_lock(sandbox);
  now += sandbox->clock_offset_us;
  sandbox_unlock(sandbox);
  return now;
}

bool sandbox_clock_advance(Sandbox *sandbox, int64_t seconds, char *err, size_t err_size) {
  if (!sandbox_lock(sandbox)) {
    snprintf(err, err_size, "The clock did not move: the sandbox cannot use its shared state: %s.",
             sandbox->state_error);
    sandbox_unlock(sandbox);
    return false;
  }
  sandbox->clock_offset_us += seconds * 1000000;
  /* The offset is part of a class's state: a restart must not turn the clock back. */
  char why[768];
  bool saved = sandbox_persist_locked(sandbox, why, sizeof why);
  if (!saved)
    snprintf(err, err_size, "The clock moved but the state file could not be written: %s.", why);
  sandbox_unlock(sandbox);
  return saved;
}

void sandbox_format_time(int64_t micros, char *buf, size_t size) {
  time_t secs = (time_t)(micros / 1000000);
  long ticks = (long)(micros % 1000000) * 10; /* 100 ns ticks, as .NET prints them */
  struct tm tm;
  gmtime_r(&secs, &tm);
  snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%07ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ticks);
}

/* A per-thread xorshift generator seeded from the kernel: ids need to be unique, not secret,
 * except tokens, which take their bytes from getrandom directly. */
static _Thread_local uint64_t rng_state;

static uint64_t rng_next(void) {
  if (rng_state == 0) {
    if (getrandom(&rng_state, sizeof rng_state, 0) != sizeof rng_state || rng_state == 0)
      rng_state = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL ^ (uint64_t)(uintptr_t)&rng_state;
  }
  uint64_t x = rng_state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  rng_state = x;
  return x * 0x2545F4914F6CDD1DULL;
}

void sandbox_random_hex(char *out, size_t hex_digits) {
  static const char digits[] = "0123456789abcdef";
  uint64_t bits = 0;
  for (size_t i = 0; i < hex_digits; i++) {
    if (i % 16 == 0)
      bits = rng_next();
    out[i] = digits[bits & 15];
    bits >>= 4;
  }
  out[hex_digits] = '\0';
}

void sandbox_guid(char out[37]) {
  char hex[33];
  sandbox_random_hex(hex, 32);
  hex[12] = '4';                         /* version 4 */
  hex[16] = "89ab"[(hex[16] - '0') & 3]; /* RFC 4122 variant */
  snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

void sandbox_random_id(char *out, size_t n) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  uint64_t bits = 0;
  for (size_t i = 0; i < n; i++) {
    if (i % 10 == 0)
      bits = rng_next();
    out[i] = alphabet[bits & 63];
    bits >>= 6;
  }
  out[n] = '\0';
}
