/* 100,000 customers in the app state: loaded page by page as the worker would hand them over,
 * filtered as a user types (each result checked against a brute-force scan), and the memory
 * the list costs. Timings and bytes are printed for docs/performance.md, never asserted
 * (tests do not depend on timing); correctness and a generous memory bound are. */
#define _GNU_SOURCE /* mallinfo2 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <malloc.h>

#include <cmocka.h>

#include "app/app.h"
#include "sandbox/seed.h"

#define CUSTOMERS 100000
#define PAGE 500

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t heap_in_use(void) {
  return mallinfo2().uordblks;
}

/* A page of seed customers [first, first + PAGE), with a continuation unless it is the last. */
static JobResult *page_result(Job *job, long id, long first) {
  JobResult *r = calloc(1, sizeof *r);
  assert_non_null(r);
  r->event = JOB_FINISHED;
  r->job_id = id;
  r->kind = JOB_CUSTOMERS_LIST;
  r->ok = true;
  r->job = job;
  r->customer_page = customer_page_new();
  assert_non_null(r->customer_page);
  for (long i = first; i < first + PAGE && i < CUSTOMERS; i++) {
    assert_true(seed_customer(i, customer_page_add(r->customer_page)));
  }
  if (first + PAGE < CUSTOMERS) {
    char token[32];
    snprintf(token, sizeof token, "page-%ld", first + PAGE);
    r->customer_page->continuation_token = strdup(token);
  }
  return r;
}

/* A second, independent folding for the reference scan: ASCII case, and the accented Latin-1
 * letters spelled out as UTF-8 to the letters they fold to. */
static void reference_fold(const char *text, char *out, size_t size) {
  static const char *const groups[][2] = {
      {"a", "ÀÁÂÃÄÅàáâãäå"}, {"c", "Çç"},           {"e", "ÈÉÊËèéêë"}, {"i", "ÌÍÎÏìíîï"},
      {"n", "Ññ"},           {"o", "ÒÓÔÕÖØòóôõöø"}, {"u", "ÙÚÛÜùúûü"}, {"y", "Ýýÿ"},
  };
  size_t n = 0;
  while (*text && n + 1 < size) {
    bool folded = false;
    for (size_t g = 0; g < sizeof groups / sizeof groups[0] && !folded; g++) {
      for (const char *p = groups[g][1]; *p && !folded; p += 2) {
        if (strncmp(text, p, 2) == 0) {
          out[n++] = groups[g][0][0];
          text += 2;
          folded = true;
        }
      }
    }
    if (!folded) {
      char c = *text++;
      out[n++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
  }
  out[n] = '\0';
}

/* Every customer's fields folded by the reference, once. */
static char **reference_keys(const AppState *app) {
  char **keys = calloc(app->customers.count, sizeof *keys);
  assert_non_null(keys);
  for (size_t i = 0; i < app->customers.count; i++) {
    const CustomerSummary *c = &app->customers.items[i];
    char joined[512], folded[512];
    /* Separate fields by a byte no needle holds, so no match spans two of them. */
    snprintf(joined, sizeof joined, "%s\x01%s\x01%s", c->company_name, c->domain, c->id);
    reference_fold(joined, folded, sizeof folded);
    keys[i] = strdup(folded);
    assert_non_null(keys[i]);
  }
  return keys;
}

static size_t brute_force(char **keys, size_t count, const char *needle) {
  char folded[512];
  reference_fold(needle, folded, sizeof folded);
  size_t matches = 0;
  for (size_t i = 0; i < count; i++) {
    matches += strstr(keys[i], folded) != NULL;
  }
  return matches;
}

static void test_hundred_thousand(void **unused) {
  (void)unused;
  size_t heap_before = heap_in_use();
  AppOptions options = {.page_size = PAGE};
  AppState *app = app_new(&options);
  assert_non_null(app);
  long next_id = 1;
  double start = now_ms();
  for (long first = 0; first < CUSTOMERS; first += PAGE) {
    assert_true(app_customers_load_more(app));
    Job *job = app_next_job(app);
    assert_non_null(job);
    long id = next_id++;
    app_job_submitted(app, id, NULL);
    app_apply_result(app, page_result(job, id, first));
  }
  double load_ms = now_ms() - start;
  assert_int_equal(app->customers.count, CUSTOMERS);
  assert_int_equal(app->customers.visible_count, CUSTOMERS);
  assert_false(app_customers_load_more(app));
  size_t heap = heap_in_use() - heap_before;
  /* The whole app must stay under 64 MB with 100,000 customers; the list gets well under half. */
  assert_true(heap < 32u * 1024 * 1024);

  char **keys = reference_keys(app);

  /* Typing a company name a key at a time, then deleting it: every keystroke's visible list is
   * what a full scan finds. */
  char name[128];
  assert_true(seed_customer_company_name(4242, name, sizeof name));
  size_t len = strlen(name) < 12 ? strlen(name) : 12;
  double worst = 0, total = 0;
  int keystrokes = 0;
  char typed[128];
  for (size_t k = 1; k <= 2 * len; k++) {
    size_t n = k <= len ? k : 2 * len - k;
    memcpy(typed, name, n);
    typed[n] = '\0';
    double t0 = now_ms();
    app_customers_set_filter(app, typed);
    double took = now_ms() - t0;
    worst = took > worst ? took : worst;
    total += took;
    keystrokes++;
    assert_int_equal(app->customers.visible_count, brute_force(keys, app->customers.count, typed));
    assert_int_equal(app->outbox_count, 0); /* everything is loaded: no server search */
  }
  const char *needles[] = {".com", "000", "ZZZZ-not-there", "a"};
  for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++) {
    double t0 = now_ms();
    app_customers_set_filter(app, needles[i]);
    double took = now_ms() - t0;
    worst = took > worst ? took : worst;
    total += took;
    keystrokes++;
    assert_int_equal(app->customers.visible_count,
                     brute_force(keys, app->customers.count, needles[i]));
  }
  print_message("100000 customers: loaded in %.1f ms, %.1f MB of heap for the list; "
                "filtering per keystroke: mean %.3f ms, worst %.3f ms over %d keystrokes\n",
                load_ms, (double)heap / (1024.0 * 1024.0), total / keystrokes, worst, keystrokes);
  for (size_t i = 0; i < app->customers.count; i++) {
    free(keys[i]);
  }
  free(keys);
  app_free(app);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hundred_thousand),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
