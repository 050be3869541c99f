/* The worker thread against an in-process sandbox: every job kind, the wake-up fd, ordering,
 * one mutating job per cart, cancellation (queued and running), retry progress events,
 * request ids for mutating jobs, stopping with work in flight, and refusals. Slow or stuck
 * servers are made with `hold` faults; every wait is a poll() on the wake fd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <poll.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "app/worker.h"
#include "sandbox_http.h"
#include "sandbox_settings.h"

#define SAAS_ITEM "DZH318Z0BXWC:0002:DZH318Z0BMRV"
#define SAAS_PRODUCT "DZH318Z0BXWC"
#define SAAS_SKU "0002"
/* A safety net only: a result normally arrives within milliseconds; a hang fails the test
 * instead of blocking ctest until its timeout. */
#define RESULT_WAIT_MS 30000

static HttpCtx *ctx;

static int group_setup(void **state) {
  (void)state;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  char err[512] = "";
  ctx = http_ctx_start(NULL, err, sizeof err);
  if (!ctx) {
    print_error("sandbox did not start: %s\n", err);
    return -1;
  }
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  http_ctx_stop(ctx);
  ctx = NULL;
  curl_global_cleanup();
  return 0;
}

static int reset(void **state) {
  (void)state;
  return sandbox_reset(ctx) ? 0 : -1;
}

/* ----- helpers ----- */

typedef struct Observed {
  int calls;
  int last_attempt;
  long last_wait_ms;
  long last_status;
} Observed;

/* Runs on the worker thread; the test reads it only after taking a later result, which the
 * worker's mutex orders after this call. */
static void observe_retry(void *user, int attempt, long wait_ms, const PcError *why) {
  Observed *observed = user;
  observed->calls++;
  observed->last_attempt = attempt;
  observed->last_wait_ms = wait_ms;
  observed->last_status = why ? why->http_status : -1;
}

static PcSettings sandbox_settings(void) {
  return sandbox_pc_settings(ctx);
}

static Worker *start_worker(const PcSettings *settings) {
  PcSettings defaults = sandbox_settings();
  PcError error = {0};
  Worker *worker = worker_start(settings ? settings : &defaults, &error);
  if (!worker)
    fail_msg("worker_start failed: %s", error.message);
  pc_error_clear(&error);
  return worker;
}

static long arm(const char *fault) {
  long id = sandbox_fault_arm(ctx, fault);
  if (id < 0)
    fail_msg("POST /_sandbox/faults %s was not armed with 201 {\"id\":n}", fault);
  return id;
}

static bool wake_readable(const Worker *worker, int timeout_ms) {
  struct pollfd pfd = {.fd = worker_wake_fd(worker), .events = POLLIN};
  int n = poll(&pfd, 1, timeout_ms);
  assert_true(n >= 0);
  return n == 1 && (pfd.revents & POLLIN);
}

/* Waits on the wake fd, then takes one result. */
static JobResult *next_result(Worker *worker) {
  if (!wake_readable(worker, RESULT_WAIT_MS))
    fail_msg("no result within %d ms", RESULT_WAIT_MS);
  JobResult *result = worker_take_result(worker);
  assert_non_null(result);
  return result;
}

/* The next result, which must be job_id's JOB_FINISHED. */
static JobResult *finished(Worker *worker, long job_id) {
  JobResult *result = next_result(worker);
  assert_int_equal(result->event, JOB_FINISHED);
  assert_int_equal(result->job_id, job_id);
  assert_non_null(result->job);
  return result;
}

static JobResult *finished_ok(Worker *worker, long job_id) {
  JobResult *result = finished(worker, job_id);
  if (!result->ok)
    fail_msg("job %ld (%s) failed: %s", job_id, job_kind_name(result->kind), result->error.message);
  return result;
}

static char *copy_text(const char *text) {
  char *copy = strdup(text);
  assert_non_null(copy);
  return copy;
}

static Job *new_job(JobKind kind, const char *customer_id) {
  Job *job = job_new(kind);
  assert_non_null(job);
  if (customer_id)
    job->customer_id = copy_text(customer_id);
  return job;
}

static Cart *saas_cart(long quantity) {
  CartLineSpec line = {.catalog_item_id = SAAS_ITEM,
                       .quantity = quantity,
                       .billing_cycle = "monthly",
                       .term_duration = "P1M"};
  char *body = cart_body_build(&line, 1);
  assert_non_null(body);
  char err[256] = "";
  Cart *cart = cart_parse(body, err, sizeof err);
  free(body);
  if (!cart)
    fail_msg("cart_parse: %s", err);
  return cart;
}

static long submit_ok(Worker *worker, Job *job) {
  char why[256] = "";
  long id = worker_submit(worker, job, why, sizeof why);
  if (id <= 0)
    fail_msg("worker_submit refused: %s", why);
  return id;
}

/* Creates a one-line cart for the documents' customer through the worker; returns its id. */
static char *create_cart(Worker *worker) {
  Job *job = new_job(JOB_CART_CREATE, DOC_CUSTOMER_ID);
  job->cart = saas_cart(1);
  long id = submit_ok(worker, job);
  JobResult *result = finished_ok(worker, id);
  assert_non_null(result->cart);
  assert_non_null(result->cart->id);
  char *cart_id = copy_text(result->cart->id);
  job_result_free(result);
  return cart_id;
}

static Job *cart_job(JobKind kind, const char *cart_id) {
  Job *job = new_job(kind, DOC_CUSTOMER_ID);
  job->cart_id = copy_text(cart_id);
  return job;
}

static long carts_in_sandbox(void) {
  return sandbox_control_number(ctx, "status", "carts");
}
static long orders_in_ledger(void) {
  return sandbox_control_number(ctx, "ledger", "totalCount");
}

/* ----- every kind ----- */

static void test_read_kinds_in_order(void **state) {
  (void)state;
  Worker *worker = start_worker(NULL);

  Job *list = new_job(JOB_CUSTOMERS_LIST, NULL);
  list->page_size = 5;
  long list_id = submit_ok(worker, list);
  long get_id = submit_ok(worker, new_job(JOB_CUSTOMER_GET, DOC_CUSTOMER_ID));
  long subs_id = submit_ok(worker, new_job(JOB_SUBSCRIPTIONS_LIST, DOC_CUSTOMER_ID));
  long products_id = submit_ok(worker, new_job(JOB_PRODUCTS_LIST, NULL));
  Job *skus = new_job(JOB_SKUS_LIST, NULL);
  skus->product_id = copy_text(SAAS_PRODUCT);
  long skus_id = submit_ok(worker, skus);
  Job *availabilities = new_job(JOB_AVAILABILITIES_LIST, NULL);
  availabilities->product_id = copy_text(SAAS_PRODUCT);
  availabilities->sku_id = copy_text(SAAS_SKU);
  long availabilities_id = submit_ok(worker, availabilities);
  long fetch_id = submit_ok(worker, new_job(JOB_CATALOG_FETCH, DOC_CUSTOMER_ID));

  /* Ids grow in submission order, and results come back in that order. */
  assert_true(list_id > 0);
  assert_true(get_id > list_id && subs_id > get_id && products_id > subs_id);
  assert_true(skus_id > products_id && availabilities_id > skus_id && fetch_id > availabilities_id);

  JobResult *result = finished_ok(worker, list_id);
  assert_int_equal(result->kind, JOB_CUSTOMERS_LIST);
  assert_non_null(result->customer_page);
  assert_int_equal(result->customer_page->count, 5);
  assert_string_equal(result->customer_page->items[0].id, DOC_CUSTOMER_ID);
  assert_non_null(result->customer_page->continuation_token); /* 80 customers, pages of 5 */
  assert_int_equal(result->info.status, 200);
  assert_int_equal(result->job->page_size, 5);
  char *token = copy_text(result->customer_page->continuation_token);
  job_result_free(result);

  result = finished_ok(worker, get_id);
  assert_int_equal(result->kind, JOB_CUSTOMER_GET);
  assert_non_null(result->customer);
  assert_string_equal(result->customer->id, DOC_CUSTOMER_ID);
  assert_non_null(result->customer->company_name);
  assert_string_equal(result->job->customer_id, DOC_CUSTOMER_ID);
  job_result_free(result);

  result = finished_ok(worker, subs_id);
  assert_true(result->subscriptions.count >= 1);
  bool has_azure = false;
  for (size_t i = 0; i < result->subscriptions.count; i++)
    if (result->subscriptions.items[i].offer_id &&
        strcmp(result->subscriptions.items[i].offer_id, "MS-AZR-0145P") == 0)
      has_azure = true;
  assert_true(has_azure);
  job_result_free(result);

  result = finished_ok(worker, products_id);
  assert_non_null(result->catalog);
  assert_true(result->catalog->product_count > 0);
  /* The legacy offers come with the products: no product call lists them. */
  assert_non_null(catalog_find_offer(result->catalog, "MS-AZR-0145P"));
  assert_int_equal(result->warning.kind, PC_ERROR_NONE);
  job_result_free(result);

  result = finished_ok(worker, skus_id);
  assert_non_null(result->catalog);
  assert_non_null(catalog_find_sku(result->catalog, SAAS_PRODUCT, SAAS_SKU));
  job_result_free(result);

  result = finished_ok(worker, availabilities_id);
  assert_non_null(result->catalog);
  assert_true(result->catalog->availability_count > 0);
  job_result_free(result);

  result = finished_ok(worker, fetch_id);
  assert_non_null(result->catalog);
  CatalogItem item;
  assert_true(catalog_find_item(result->catalog, SAAS_ITEM, &item));
  assert_true(result->catalog->offer_count > 0);
  job_result_free(result);

  /* The next page from the token alone. */
  Job *next = new_job(JOB_CUSTOMERS_LIST, NULL);
  next->page_size = 5;
  next->continuation_token = token;
  long next_id = submit_ok(worker, next);
  result = finished_ok(worker, next_id);
  assert_int_equal(result->customer_page->count, 5);
  assert_string_not_equal(result->customer_page->items[0].id, DOC_CUSTOMER_ID);
  job_result_free(result);

  assert_int_equal(worker_pending(worker), 0);
  assert_null(worker_take_result(worker));
  worker_stop(worker);
}

static void test_cart_kinds(void **state) {
  (void)state;
  Worker *worker = start_worker(NULL);
  char *cart_id = create_cart(worker);
  assert_int_equal(carts_in_sandbox(), 1);

  long get_id = submit_ok(worker, cart_job(JOB_CART_GET, cart_id));
  JobResult *result = finished_ok(worker, get_id);
  assert_non_null(result->cart);
  assert_string_equal(result->cart->id, cart_id);
  assert_int_equal(result->cart->line_items.count, 1);
  assert_string_equal(result->cart->line_items.items[0].catalog_item_id, SAAS_ITEM);
  job_result_free(result);

  /* The update names the cart only through cart->id; the worker fills job->cart_id. */
  Job *update = new_job(JOB_CART_UPDATE, DOC_CUSTOMER_ID);
  update->cart = saas_cart(3);
  update->cart->id = copy_text(cart_id);
  long update_id = submit_ok(worker, update);
  result = finished_ok(worker, update_id);
  assert_non_null(result->cart);
  assert_string_equal(result->cart->id, cart_id);
  assert_int_equal(result->cart->line_items.items[0].quantity.value, 3);
  assert_string_equal(result->job->cart_id, cart_id);
  assert_true(is_guid(result->info.request_id));
  job_result_free(result);

  Job *checkout = cart_job(JOB_CART_CHECKOUT, cart_id);
  long checkout_id = submit_ok(worker, checkout);
  result = finished_ok(worker, checkout_id);
  assert_non_null(result->checkout);
  assert_int_equal(result->checkout->order_count, 1);
  assert_int_equal(result->checkout->order_error_count, 0);
  assert_string_equal(result->checkout->orders[0].reference_customer_id, DOC_CUSTOMER_ID);
  assert_true(is_guid(result->info.request_id));
  job_result_free(result);
  assert_int_equal(orders_in_ledger(), 1);

  /* A Partner Center refusal is a value: updating the ordered cart gives 400 800065. */
  Job *late = new_job(JOB_CART_UPDATE, DOC_CUSTOMER_ID);
  late->cart = saas_cart(2);
  late->cart_id = copy_text(cart_id);
  long late_id = submit_ok(worker, late);
  result = finished(worker, late_id);
  assert_false(result->ok);
  assert_int_equal(result->error.kind, PC_ERROR_HTTP);
  assert_int_equal(result->error.http_status, 400);
  assert_int_equal(result->error.code, 800065);
  assert_true(result->error.message[0] != '\0');
  assert_null(result->cart);
  job_result_free(result);

  free(cart_id);
  worker_stop(worker);
}

/* ----- the wake fd ----- */

static void test_wake_fd_readable_exactly_while_results_wait(void **state) {
  (void)state;
  Worker *worker = start_worker(NULL);
  int fd = worker_wake_fd(worker);
  assert_true(fd >= 0);
  assert_false(wake_readable(worker, 0));
  assert_null(worker_take_result(worker));

  /* A held job keeps the worker busy while two queued ones are cancelled: two results wait. */
  arm("{\"match\":\"customers.get\",\"kind\":\"hold\"}");
  long held = submit_ok(worker, new_job(JOB_CUSTOMER_GET, DOC_CUSTOMER_ID));
  assert_true(sandbox_wait_held(ctx, 1));
  long second = submit_ok(worker, new_job(JOB_SUBSCRIPTIONS_LIST, DOC_CUSTOMER_ID));
  long third = submit_ok(worker, new_job(JOB_CUSTOMER_GET, DOC_CUSTOMER_ID));
  assert_int_equal(worker_pending(worker), 3);
  assert_false(wake_readable(worker, 0));
  assert_true(worker_cancel(worker, second));
  assert_true(worker_cancel(worker, third));
  assert_int_equal(worker_pending(worker), 1);

  assert_true(wake_readable(worker, 0));
  JobResult *result = worker_take_result(worker);
  assert_int_equal(result->job_id, second);
  job_result_free(result);
  assert_true(wake_readable(worker, 0)); /* one more waits */
  result = worker_take_result(worker);
  assert_int_equal(result->job_id, third);
  job_result_free(result);
  assert_false(wake_readable(worker, 0)); /* drained: no busy loop */
  assert_null(worker_take_result(worker));

  assert_int_equal(sandbox_release(ctx), 1);
  result = finished_ok(worker, held);
  assert_string_equal(result->customer->id, DOC_CUSTOMER_ID);
  job_result_free(result);
  assert_false(wake_readable(worker, 0));
  assert_int_equal(worker_pending(worker), 0);
  worker_stop(worker);
}

/* ----- one mutating job per cart ----- */

static void test_second_mutating_job_refused_while_first_runs(void **state) {
  (void)state;
  Worker *worker = start_worker(NULL);
  char *cart_id = create_cart(worker);
  char *other_cart = create_cart(worker);

  arm("{\"match\":\"carts.checkout\",\"kind\":\"hold\"}");
  long checkout = submit_ok(worker, cart_job(JOB_CART_CHECKOUT, cart_id));
  assert_true(sandbox_wait_held(ctx, 1));

  char why[256] = "";
  assert_int_equal(worker_submit(worker, cart_job(JOB_CART_CHECKOUT, cart_id), why, sizeof why), 0);
  assert_string_equal(why, "A checkout of this cart is already in progress; wait for it to "
                           "finish or press Esc to cancel it.");
  Job *update = cart_job(JOB_CART_UPDATE, cart_id);
  update->cart = saas_cart(2);
  why[0] = '\0';
  assert_int_equal(worker_submit(worker, update, why, sizeof why), 0);
  assert_non_null(strstr(why, "A checkout of this cart is already in progress"));

  /* Reads of the same cart are never refused; another cart's checkout is its own. */
  long read = submit_ok(worker, cart_job(JOB_CART_GET, cart_id));
  long other = submit_ok(worker, cart_job(JOB_CART_CHECKOUT, other_cart));
  /* A queued mutating job holds its cart too. */
  why[0] = '\0';
  assert_int_equal(worker_submit(worker, cart_job(JOB_CART_CHECKOUT, other_cart), why, sizeof why),
                   0);
  assert_non_null(strstr(why, "A checkout of this cart is already in progress"));
  assert_int_equal(worker_pending(worker), 3);

  assert_int_equal(sandbox_release(ctx), 1);
  JobResult *result = finished_ok(worker, checkout);
  assert_int_equal(result->checkout->order_count, 1);
  job_result_free(result);
  result = finished_ok(worker, read);
  assert_int_equal(result->cart->status, CART_STATUS_ORDERED);
  job_result_free(result);
  result = finished_ok(worker, other);
  job_result_free(result);
  assert_int_equal(orders_in_ledger(), 2);

  /* Once finished, the cart takes a mutating job again (an ordered cart replays its result). */
  long again = submit_ok(worker, cart_job(JOB_CART_CHECKOUT, cart_id));
  result = finished_ok(worker, again);
  assert_int_equal(result->checkout->order_count, 1);
  job_result_free(result);
  assert_int_equal(orders_in_ledger(), 2);

  free(cart_id);
  free(other_cart);
  worker_stop(worker);
}

static void test_draft_key_and_customer_key(void **state) {
  (void)state;
  Worker *worker = start_worker(NULL);
  arm("{\"match\":\"carts.create\",\"kind\":\"hold\"}");
  Job *first = new_job(JOB_CART_CREATE, DOC_CUSTOMER_ID);
  first->cart = saas_cart(1);
  first->cart_key = copy_text("draft:1");
  long first_id = submit_ok(worker, first);
  assert_true(sandbox_wait_held(ctx, 1));

  char why[256] = "";
  Job *same = new_job(JOB_CART_CREATE, DOC_CUSTOMER_ID);
  same->cart = saas_cart(1);
  same->cart_key = copy_text("draft:1");
  assert_int_equal(worker_submit(worker, same, why, sizeof why), 0);
  assert_non_null(strstr(why, "A create of this cart is already in progress"));

  /* Another draft for the same customer is another cart. */
  Job *draft2 = new_job(JOB_CART_CREATE, DOC_CUSTOMER_ID);
  draft2->cart = saas_cart(2);
  draft2->cart_key = copy_text("draft:2");
  long draft2_id = submit_ok(worker, draft2);

  /* No key and no cart id: one create per customer. */
  Job *keyless = new_job(JOB_CART_CREATE, DOC_CUSTOMER_ID);
  keyless->cart = saas_cart(1);
  long keyless_id = submit_ok(worker, keyless);
  Job *keyless2 = new_job(JOB_CART_CREATE, DOC_CUSTOMER_ID);
  keyless2->cart = saas_cart(1);
  assert_int_equal(worker_submit(worker, keyless2, why, sizeof why), 0);

  /* Cancelling the queued one frees its key. */
  assert_true(worker_cancel(worker, keyless_id));
  JobResult *result = next_result(worker);
  assert_int_equal(result->job_id, keyless_id);
  assert_int_equal(result->error.kind, PC_ERROR_CANCELLED);
  job_result_free(result);
  Job *keyless3 = new_job(JOB_CART_CREATE, DOC_CUSTOMER_ID);
  keyless3->cart = saas_cart(1);
  long keyless3_id = submit_ok(worker, keyless3);

  assert_int_equal(sandbox_release(ctx), 1);
  long ids[] = {first_id, draft2_id, keyless3_id};
  for (size_t i = 0; i < 3; i++) {
    result = finished_ok(worker, ids[i]);
    assert_non_null(result->cart->id);
    job_result_free(result);
  }
  assert_int_equal(carts_in_sandbox(), 3);
  worker_stop(worker);
}

/* ----- cancellation ----- */

static void test_cancel_queued_job(void **state) {
  (void)state;
  Worker *worker = start_worker(NULL);
  arm("{\"match\":\"customers.get\",\"kind\":\"hold\"}");
  long running = submit_ok(worker, new_job(JOB_CUSTOMER_GET, DOC_CUSTOMER_ID));
  assert_true(sandbox_wait_held(ctx, 1));
  Job *queued_job = new_job(JOB_CART_CREATE, DOC_CUSTOMER_ID);
  queued_job->cart = saas_cart(1);
  long queued = submit_ok(worker, queued_job);
  assert_int_equal(worker_pending(worker), 2);

  assert_true(worker_cancel(worker, queued));
  /* It finishes at once, while the running job is still held. */
  JobResult *result = next_result(worker);
  assert_int_equal(result->event, JOB_FINISHED);
  assert_int_equal(result->job_id, queued);
  assert_int_equal(result->kind, JOB_CART_CREATE);
  assert_false(result->ok);
  assert_int_equal(result->error.kind, PC_ERROR_CANCELLED);
  assert_non_null(strstr(result->error.message, "cancelled"));
  assert_non_null(result->job);
  assert_non_null(result->job->cart);
  job_result_free(result);
  assert_int_equal(worker_pending(worker), 1);
  assert_false(worker_cancel(worker, queued)); /* no longer queued */
  assert_false(worker_cancel(worker, 9999));
  assert_false(worker_cancel(worker, 0));

  assert_int_equal(sandbox_release(ctx), 1);
  result = finished_ok(worker, running);
  job_result_free(result);
  assert_int_equal(carts_in_sandbox(), 0); /* the cancelled create never ran */
  worker_stop(worker);
}

static void test_cancel_running_job_then_next_succeeds(void **state) {
  (void)state;
  Worker *worker = start_worker(NULL);
  arm("{\"match\":\"customers.get\",\"kind\":\"hold\"}");
  long running = submit_ok(worker, new_job(JOB_CUSTOMER_GET, DOC_CUSTOMER_ID));
  assert_true(sandbox_wait_held(ctx, 1));
  long queued = submit_ok(worker, new_job(JOB_SUBSCRIPTIONS_LIST, DOC_CUSTOMER_ID));

  assert_true(worker_cancel(worker, running));
  JobResult *result = finished(worker, running);
  assert_false(result->ok);
  assert_int_equal(result->error.kind, PC_ERROR_CANCELLED);
  assert_null(result->customer);
  job_result_free(result);

  /* The job queued behind it runs normally: the cancel flag was cleared for it. */
  result = finished_ok(worker, queued);
  assert_true(result->subscriptions.count >= 1);
  job_result_free(result);
  long later = submit_ok(worker, new_job(JOB_CUSTOMER_GET, DOC_CUSTOMER_ID));
  result = finished_ok(worker, later);
  assert_string_equal(result->customer->id, DOC_CUSTOMER_ID);
  job_result_free(result);
  assert_false(worker_cancel(worker, running));

  assert_int_equal(sandbox_release(ctx), 1);
  worker_stop(worker);
}

/* ----- the products job's legacy offers ----- */

/* The offers failing keeps the products and says why in the warning. */
static void test_products_kept_when_offers_fail(void **state) {
  (void)state;
  Worker *worker = start_worker(NULL);
  arm("{\"match\":\"offers.list\",\"kind\":\"status\",\"status\":403,\"code\":900213,"
      "\"description\":\"Offers are not available.\"}");
  long id = submit_ok(worker, new_job(JOB_PRODUCTS_LIST, DOC_CUSTOMER_ID));
  JobResult *result = finished_ok(worker, id);
  assert_non_null(result->catalog);
  assert_true(result->catalog->product_count > 0);
  assert_int_equal(result->catalog->offer_count, 0);
  assert_int_equal(result->warning.kind, PC_ERROR_HTTP);
  assert_int_equal(result->warning.http_status, 403);
  assert_int_equal(result->warning.code, 900213);
  assert_true(result->warning.message[0] != '\0');
  assert_int_equal(result->info.status, 200); /* the products call's */
  job_result_free(result);
  worker_stop(worker);
}

/* Esc while the offers are being read cancels the job as a whole. */
static void test_products_cancelled_during_offers(void **state) {
  (void)state;
  Worker *worker = start_worker(NULL);
  arm("{\"match\":\"offers.list\",\"kind\":\"hold\"}");
  long id = submit_ok(worker, new_job(JOB_PRODUCTS_LIST, DOC_CUSTOMER_ID));
  assert_true(sandbox_wait_held(ctx, 1));
  assert_true(worker_cancel(worker, id));
  JobResult *result = finished(worker, id);
  assert_false(result->ok);
  assert_int_equal(result->error.kind, PC_ERROR_CANCELLED);
  assert_int_equal(result->warning.kind, PC_ERROR_NONE);
  assert_null(result->catalog);
  job_result_free(result);
  assert_int_equal(sandbox_release(ctx), 1);
  worker_stop(worker);
}

/* ----- retries ----- */

static void test_retrying_event_when_throttled(void **state) {
  (void)state;
  Observed observed = {0};
  PcSettings settings = sandbox_settings();
  settings.on_retry = observe_retry;
  settings.on_retry_user = &observed;
  Worker *worker = start_worker(&settings);
  arm("{\"match\":\"customers.get\",\"kind\":\"throttle\",\"retryAfter\":1}");

  long id = submit_ok(worker, new_job(JOB_CUSTOMER_GET, DOC_CUSTOMER_ID));
  JobResult *result = next_result(worker);
  assert_int_equal(result->event, JOB_RETRYING);
  assert_int_equal(result->job_id, id);
  assert_int_equal(result->kind, JOB_CUSTOMER_GET);
  assert_false(result->ok);
  assert_int_equal(result->attempt, 1);
  assert_true(result->retry_wait_ms >= 0 && result->retry_wait_ms <= 20);
  assert_int_equal(result->error.http_status, 429);
  assert_true(result->error.message[0] != '\0');
  assert_null(result->job);
  assert_null(result->customer);
  job_result_free(result);

  result = finished_ok(worker, id);
  assert_string_equal(result->customer->id, DOC_CUSTOMER_ID);
  assert_int_equal(result->info.attempts, 2);
  job_result_free(result);
  /* The caller's own observer still hears of the retry. */
  assert_int_equal(observed.calls, 1);
  assert_int_equal(observed.last_attempt, 1);
  assert_int_equal(observed.last_status, 429);
  worker_stop(worker);
}

/* ----- request ids ----- */

static void test_request_id_reported_and_reused(void **state) {
  (void)state;
  Worker *worker = start_worker(NULL);
  Job *job = new_job(JOB_CART_CREATE, DOC_CUSTOMER_ID);
  job->cart = saas_cart(1);
  long id = submit_ok(worker, job);
  JobResult *result = finished_ok(worker, id);
  assert_true(is_guid(result->info.request_id));
  assert_string_equal(result->job->request_id, result->info.request_id);
  char request_id[40];
  snprintf(request_id, sizeof request_id, "%s", result->info.request_id);
  char *cart_id = copy_text(result->cart->id);

  /* The same intent again (the job given back): the sandbox replays the first cart. */
  Job *again = result->job;
  result->job = NULL;
  job_result_free(result);
  long again_id = submit_ok(worker, again);
  result = finished_ok(worker, again_id);
  assert_string_equal(result->info.request_id, request_id);
  assert_string_equal(result->cart->id, cart_id);
  job_result_free(result);
  assert_int_equal(carts_in_sandbox(), 1);

  /* A caller's own id is used as given. */
  Job *own = new_job(JOB_CART_CREATE, DOC_CUSTOMER_ID);
  own->cart = saas_cart(1);
  guid_random(own->request_id);
  char own_id[37];
  memcpy(own_id, own->request_id, sizeof own_id);
  long own_job = submit_ok(worker, own);
  result = finished_ok(worker, own_job);
  assert_string_equal(result->info.request_id, own_id);
  assert_string_not_equal(result->cart->id, cart_id);
  job_result_free(result);
  assert_int_equal(carts_in_sandbox(), 2);

  /* Reads get no intent id from the worker. */
  long read = submit_ok(worker, cart_job(JOB_CART_GET, cart_id));
  result = finished_ok(worker, read);
  assert_string_equal(result->job->request_id, "");
  job_result_free(result);

  free(cart_id);
  worker_stop(worker);
}

/* ----- stopping ----- */

static void test_stop_with_held_and_queued_jobs(void **state) {
  (void)state;
  Worker *worker = start_worker(NULL);
  arm("{\"match\":\"customers.get\",\"kind\":\"hold\"}");
  submit_ok(worker, new_job(JOB_CUSTOMER_GET, DOC_CUSTOMER_ID));
  assert_true(sandbox_wait_held(ctx, 1));
  submit_ok(worker, new_job(JOB_SUBSCRIPTIONS_LIST, DOC_CUSTOMER_ID));
  Job *create = new_job(JOB_CART_CREATE, DOC_CUSTOMER_ID);
  create->cart = saas_cart(1);
  submit_ok(worker, create);
  assert_int_equal(worker_pending(worker), 3);
  /* Returns although the request is still held: stop cancels it. */
  worker_stop(worker);
  assert_int_equal(sandbox_release(ctx), 1);
  assert_int_equal(carts_in_sandbox(), 0); /* the queued create was dropped, not run */
}

static void test_stop_with_results_never_taken(void **state) {
  (void)state;
  Worker *worker = start_worker(NULL);
  long first = submit_ok(worker, new_job(JOB_CUSTOMER_GET, DOC_CUSTOMER_ID));
  long second = submit_ok(worker, new_job(JOB_SUBSCRIPTIONS_LIST, DOC_CUSTOMER_ID));
  Job *create = new_job(JOB_CART_CREATE, DOC_CUSTOMER_ID);
  create->cart = saas_cart(1);
  long third = submit_ok(worker, create);
  assert_true(third > second && second > first);
  assert_true(wake_readable(worker, RESULT_WAIT_MS));
  worker_stop(worker); /* results (some perhaps still coming) are freed */
  worker_stop(NULL);
}

/* ----- refusals ----- */

static void test_start_with_bad_settings(void **state) {
  (void)state;
  PcSettings settings = sandbox_settings();
  settings.client_id = NULL;
  PcError error = {0};
  assert_null(worker_start(&settings, &error));
  assert_int_equal(error.kind, PC_ERROR_INVALID);
  assert_true(error.message[0] != '\0');
  pc_error_clear(&error);

  settings = sandbox_settings();
  settings.api_base = "http://partner.example.com"; /* plain http off loopback */
  assert_null(worker_start(&settings, &error));
  assert_int_equal(error.kind, PC_ERROR_INVALID);
  assert_true(error.message[0] != '\0');
  pc_error_clear(&error);

  assert_null(worker_start(NULL, &error));
  assert_int_equal(error.kind, PC_ERROR_INVALID);
  pc_error_clear(&error);
}

static void expect_refused(Worker *worker, Job *job, const char *words) {
  char why[256] = "x";
  assert_int_equal(worker_submit(worker, job, why, sizeof why), 0);
  if (!strstr(why, words))
    fail_msg("refusal \"%s\" does not say \"%s\"", why, words);
}

static void test_submit_refuses_incomplete_jobs(void **state) {
  (void)state;
  Worker *worker = start_worker(NULL);

  Job *job = new_job(JOB_CART_CREATE, NULL);
  job->cart = saas_cart(1);
  expect_refused(worker, job, "needs a customer");
  expect_refused(worker, new_job(JOB_CART_CREATE, DOC_CUSTOMER_ID), "needs the cart");
  job = new_job(JOB_CART_CREATE, DOC_CUSTOMER_ID);
  job->cart = cart_new();
  expect_refused(worker, job, "no lines");
  expect_refused(worker, new_job(JOB_CART_CHECKOUT, DOC_CUSTOMER_ID), "needs a cart");
  expect_refused(worker, new_job(JOB_CART_GET, DOC_CUSTOMER_ID), "needs a cart");
  job = new_job(JOB_CART_UPDATE, DOC_CUSTOMER_ID);
  job->cart = saas_cart(1);
  expect_refused(worker, job, "needs a cart");
  job = cart_job(JOB_CART_UPDATE, "cart-a");
  job->cart = saas_cart(1);
  job->cart->id = copy_text("cart-b");
  expect_refused(worker, job, "not the same");
  expect_refused(worker, new_job(JOB_CUSTOMER_GET, ""), "needs a customer");
  expect_refused(worker, new_job(JOB_SUBSCRIPTIONS_LIST, NULL), "needs a customer");
  expect_refused(worker, new_job(JOB_SKUS_LIST, NULL), "needs a product");
  job = new_job(JOB_AVAILABILITIES_LIST, NULL);
  job->product_id = copy_text(SAAS_PRODUCT);
  expect_refused(worker, job, "needs a SKU");
  job = new_job(JOB_CUSTOMERS_LIST, NULL);
  job->customer_field = PC_CUSTOMER_BY_COMPANY_NAME;
  expect_refused(worker, job, "search for");
  job = new_job(JOB_CUSTOMERS_LIST, NULL);
  job->page_size = 501;
  expect_refused(worker, job, "between 1 and 500");
  job = cart_job(JOB_CART_CHECKOUT, "cart-a");
  snprintf(job->request_id, sizeof job->request_id, "%s", "not-a-guid\r\nX-Evil: 1");
  expect_refused(worker, job, "GUID");
  expect_refused(worker, new_job((JobKind)99, DOC_CUSTOMER_ID), "unknown");
  char why[128] = "";
  assert_int_equal(worker_submit(worker, NULL, why, sizeof why), 0);
  assert_true(why[0] != '\0');
  assert_int_equal(worker_submit(NULL, new_job(JOB_CUSTOMER_GET, DOC_CUSTOMER_ID), NULL, 0), 0);

  /* Nothing was queued, nothing ran, and no result waits. */
  assert_int_equal(worker_pending(worker), 0);
  assert_false(wake_readable(worker, 0));
  assert_null(worker_take_result(worker));
  worker_stop(worker);
}

static void test_job_kind_names(void **state) {
  (void)state;
  assert_string_equal(job_kind_name(JOB_CART_CHECKOUT), "checkout");
  assert_string_equal(job_kind_name(JOB_CART_CREATE), "cart create");
  assert_true(job_kind_is_mutating(JOB_CART_CREATE));
  assert_true(job_kind_is_mutating(JOB_CART_UPDATE));
  assert_true(job_kind_is_mutating(JOB_CART_CHECKOUT));
  assert_false(job_kind_is_mutating(JOB_CART_GET));
  assert_false(job_kind_is_mutating(JOB_CUSTOMERS_LIST));
  for (int kind = JOB_CUSTOMERS_LIST; kind <= JOB_CART_CHECKOUT; kind++)
    assert_string_not_equal(job_kind_name((JobKind)kind), "unknown job");
  job_free(NULL);
  job_result_free(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_job_kind_names),
      cmocka_unit_test_setup(test_read_kinds_in_order, reset),
      cmocka_unit_test_setup(test_cart_kinds, reset),
      cmocka_unit_test_setup(test_wake_fd_readable_exactly_while_results_wait, reset),
      cmocka_unit_test_setup(test_second_mutating_job_refused_while_first_runs, reset),
      cmocka_unit_test_setup(test_draft_key_and_customer_key, reset),
      cmocka_unit_test_setup(test_cancel_queued_job, reset),
      cmocka_unit_test_setup(test_cancel_running_job_then_next_succeeds, reset),
      cmocka_unit_test_setup(test_products_kept_when_offers_fail, reset),
      cmocka_unit_test_setup(test_products_cancelled_during_offers, reset),
      cmocka_unit_test_setup(test_retrying_event_when_throttled, reset),
      cmocka_unit_test_setup(test_request_id_reported_and_reused, reset),
      cmocka_unit_test_setup(test_stop_with_held_and_queued_jobs, reset),
      cmocka_unit_test_setup(test_stop_with_results_never_taken, reset),
      cmocka_unit_test_setup(test_start_with_bad_settings, reset),
      cmocka_unit_test_setup(test_submit_refuses_incomplete_jobs, reset),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
