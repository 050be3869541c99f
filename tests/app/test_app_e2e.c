/* The app-state model with a real Worker against an in-process sandbox: load customers, find
 * the documents' customer with the server search, pick them, load the catalog, add the
 * documents' six lines through line forms, save (the body the sandbox received is exactly
 * app_cart_request_body), check out (orders, the cart read back as Ordered), and cancel a held
 * save. Every wait is a poll() on the worker's wake fd. */
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

#include "app/app.h"
#include "sandbox/seed.h"
#include "sandbox_http.h"
#include "sandbox_settings.h"

/* A safety net only: results normally arrive within milliseconds. */
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
  curl_global_cleanup();
  return 0;
}

static int reset(void **state) {
  (void)state;
  return sandbox_reset(ctx) ? 0 : -1;
}

static Worker *start_worker(void) {
  PcSettings settings = sandbox_pc_settings(ctx);
  PcError error = {0};
  Worker *worker = worker_start(&settings, &error);
  if (!worker) {
    fail_msg("worker_start: %s", error.message);
  }
  pc_error_clear(&error);
  return worker;
}

/* Hands every queued job to the worker. */
static void submit_all(AppState *app, Worker *worker) {
  Job *job;
  while ((job = app_next_job(app))) {
    char why[256] = "";
    long id = worker_submit(worker, job, why, sizeof why);
    app_job_submitted(app, id, why);
  }
}

/* Waits for one wake-up and applies every result waiting. */
static void apply_results(AppState *app, Worker *worker) {
  struct pollfd pfd = {.fd = worker_wake_fd(worker), .events = POLLIN};
  int n = poll(&pfd, 1, RESULT_WAIT_MS);
  if (n != 1) {
    fail_msg("no result within %d ms", RESULT_WAIT_MS);
  }
  JobResult *result;
  while ((result = worker_take_result(worker))) {
    app_apply_result(app, result);
  }
}

/* The UI's loop, minus the terminal: until nothing is queued or in flight. */
static void pump(AppState *app, Worker *worker) {
  for (;;) {
    submit_all(app, worker);
    if (!app_busy(app)) {
      return;
    }
    apply_results(app, worker);
  }
}

/* Fails showing every error message taken. */
static void expect_no_errors(AppState *app) {
  AppMessage m;
  while (app_take_message(app, &m)) {
    if (m.level == APP_MESSAGE_ERROR) {
      fail_msg("error message: %s (code %ld, HTTP %ld)", m.text, m.code, m.http_status);
    }
  }
}

static AppState *app_with_doc_customer(Worker *worker) {
  AppOptions options = {.profile_name = "sandbox", .page_size = 100};
  AppState *app = app_new(&options);
  assert_non_null(app);
  assert_true(app_customers_load_more(app));
  pump(app, worker);
  assert_true(app->customers.count > 0);
  expect_no_errors(app);

  /* The documents' customer by company name: a server search when the list is incomplete. */
  char name[128];
  assert_true(seed_customer_company_name(0, name, sizeof name));
  app_customers_set_filter(app, name);
  pump(app, worker);
  expect_no_errors(app);
  size_t index = SIZE_MAX;
  for (size_t i = 0; i < app->customers.visible_count; i++) {
    if (strcmp(app_customer_visible(app, i)->id, SEED_DOC_CUSTOMER_ID) == 0) {
      index = i;
    }
  }
  if (index == SIZE_MAX) {
    fail_msg("customer %s (%s) is not in the filtered list", SEED_DOC_CUSTOMER_ID, name);
  }
  app_customers_select(app, index);
  char why[256] = "";
  assert_true(app_customer_pick(app, why, sizeof why));
  pump(app, worker);
  expect_no_errors(app);
  assert_true(app->catalog.subscriptions_loaded);
  assert_true(app->catalog.products_loaded);
  assert_true(app->catalog.catalog->product_count > 0);
  /* Everything, the legacy offers included. */
  app_catalog_load_all(app);
  pump(app, worker);
  expect_no_errors(app);
  assert_non_null(catalog_find_offer(app->catalog.catalog, "MS-AZR-0145P"));
  return app;
}

typedef struct FormValue {
  const char *wire;
  const char *value;
} FormValue;

static void add_through_form(AppState *app, const char *item, const FormValue *values) {
  char why[256] = "";
  LineForm *form = line_form_new(app, item, -1, why, sizeof why);
  if (!form) {
    fail_msg("line_form_new(%s): %s", item, why);
  }
  for (const FormValue *v = values; v && v->wire; v++) {
    long i = line_form_find(form, v->wire);
    if (i < 0 || !line_form_set(form, (size_t)i, v->value)) {
      fail_msg("%s: cannot set %s to %s", item, v->wire, v->value);
    }
  }
  if (!line_form_validate(form, app)) {
    for (size_t i = 0; i < form->count; i++) {
      if (form->fields[i].error) {
        fail_msg("%s: %s: %s", item, form->fields[i].wire_name, form->fields[i].error);
      }
    }
  }
  CartLineItem line;
  assert_true(line_form_to_line(form, &line));
  line_form_free(form);
  bool added = app_cart_add_line(app, &line, why, sizeof why);
  cart_line_item_clear(&line);
  if (!added) {
    fail_msg("app_cart_add_line(%s): %s", item, why);
  }
}

/* The documents' create-a-cart lines, entered as a sales person would. */
static void add_document_lines(AppState *app) {
  add_through_form(app, "MS-AZR-0145P", NULL);
  add_through_form(app, "DZH318Z0BQ36:004G:DZH318Z08C0S",
                   (FormValue[]){{"provisioningContext.subscriptionId", SEED_DOC_SUBSCRIPTION_ID},
                                 {"provisioningContext.scope", "shared"},
                                 {NULL, NULL}});
  add_through_form(app, "DZH318Z0BQ36:004J:DZH318Z08B8X",
                   (FormValue[]){{"provisioningContext.subscriptionId", SEED_DOC_SUBSCRIPTION_ID},
                                 {"provisioningContext.scope", "single"},
                                 {NULL, NULL}});
  add_through_form(app, "DG7GMGF0DWTL:0001:DG7GMGF0DSFM", NULL);
  add_through_form(
      app, "DZH318Z0BXWC:0002:DZH318Z0BMRV",
      (FormValue[]){{"billingCycle", "monthly"}, {"termDuration", "P1M"}, {NULL, NULL}});
  add_through_form(
      app, "DZH318Z0C0WF:0001:DZH318Z0BP69",
      (FormValue[]){{"quantity", "10"}, {"renewsTo.termDuration", "P1Y"}, {NULL, NULL}});
  assert_int_equal(app->cart.draft->line_items.count, 6);
}

static char *last_logged_body(const char *op) {
  char path[128];
  snprintf(path, sizeof path, "requests?op=%s", op);
  HttpResponse response;
  assert_true(sandbox_control(ctx, "GET", path, NULL, &response));
  const cJSON *items = json_items(response.json);
  int count = cJSON_GetArraySize(items);
  assert_true(count > 0);
  const char *body = json_str_at(cJSON_GetArrayItem(items, count - 1), "body");
  char *copy = body ? strdup(body) : NULL;
  http_response_clear(&response);
  assert_non_null(copy);
  return copy;
}

static void test_documents_cart_end_to_end(void **unused) {
  (void)unused;
  Worker *worker = start_worker();
  AppState *app = app_with_doc_customer(worker);
  add_document_lines(app);
  assert_true(app->cart.dirty);

  char *body = app_cart_request_body(app);
  char why[256] = "";
  assert_true(app_cart_save(app, why, sizeof why));
  pump(app, worker);
  expect_no_errors(app);
  assert_int_equal(app->cart.status, APP_CART_SAVED);
  assert_false(app->cart.dirty);
  assert_non_null(app->cart.draft->id);
  assert_non_null(app->cart.last_response);
  assert_true(app_cart_expires_at(app, NULL));
  for (size_t i = 0; i < app->cart.draft->line_items.count; i++) {
    const CartLineItem *line = &app->cart.draft->line_items.items[i];
    if (line->error) {
      fail_msg("line %zu came back with error %ld: %s", i, line->error->error_code,
               line->error->error_description);
    }
  }
  /* The preview showed exactly what went over the wire. */
  char *sent = last_logged_body("carts.create");
  assert_string_equal(sent, body);
  free(sent);
  free(body);

  /* An update after an edit sends the new body, also byte for byte. */
  assert_true(app_cart_duplicate_line(app, 4, why, sizeof why));
  body = app_cart_request_body(app);
  assert_true(app_cart_save(app, why, sizeof why));
  pump(app, worker);
  expect_no_errors(app);
  sent = last_logged_body("carts.update");
  assert_string_equal(sent, body);
  free(sent);
  free(body);
  assert_int_equal(app->cart.draft->line_items.count, 7);
  assert_false(app->cart.dirty);

  assert_true(app_cart_checkout(app, why, sizeof why));
  pump(app, worker);
  expect_no_errors(app);
  assert_int_equal(app->cart.status, APP_CART_ORDERED);
  assert_non_null(app->cart.checkout);
  assert_true(app->cart.checkout->order_count >= 1);
  assert_int_equal(app->cart.draft->status, CART_STATUS_ORDERED); /* read back */
  assert_true(app->last_message.level == APP_MESSAGE_SUCCESS ||
              app->last_message.level == APP_MESSAGE_INFO);
  assert_false(app_cart_checkout(app, why, sizeof why));
  assert_string_equal(why, "This cart has already been ordered.");
  assert_int_equal(app->jobs_in_flight, 0);
  app_free(app);
  worker_stop(worker);
}

/* Show -> edit -> update keeps every participant: a cart with one transaction_reseller and two
 * additional_transaction_reseller (create-a-cart.md's new-commerce example) opened in the app,
 * its quantity changed in the form, saved: the PUT sends all three, in order. */
static void test_participants_survive_show_edit_update(void **unused) {
  (void)unused;
  Worker *worker = start_worker();
  AppState *app = app_with_doc_customer(worker);
  add_through_form(app, "DZH318Z0BXWC:0002:DZH318Z0BMRV",
                   (FormValue[]){{"billingCycle", "monthly"},
                                 {"termDuration", "P1M"},
                                 {"participants", "transaction_reseller=5357564, "
                                                  "additional_transaction_reseller=517285, "
                                                  "additional_transaction_reseller=5357563"},
                                 {NULL, NULL}});
  char why[256] = "";
  assert_true(app_cart_save(app, why, sizeof why));
  pump(app, worker);
  expect_no_errors(app);
  char *cart_id = strdup(app->cart.draft->id);

  /* Another app opens it (the server's reply read by the model), edits the quantity. */
  AppState *other = app_with_doc_customer(worker);
  assert_true(app_cart_open(other, cart_id, why, sizeof why));
  pump(other, worker);
  expect_no_errors(other);
  assert_int_equal(other->cart.draft->line_items.items[0].participants.count, 3);
  LineForm *form = line_form_new(other, NULL, 0, why, sizeof why);
  assert_non_null(form);
  long q = line_form_find(form, "quantity");
  assert_true(q >= 0 && line_form_set(form, (size_t)q, "3"));
  CartLineItem line;
  assert_true(line_form_to_line(form, &line));
  line_form_free(form);
  assert_true(app_cart_replace_line(other, 0, &line, why, sizeof why));
  cart_line_item_clear(&line);
  assert_true(app_cart_save(other, why, sizeof why));
  pump(other, worker);
  expect_no_errors(other);

  char *body = last_logged_body("carts.update");
  cJSON *sent = cJSON_Parse(body);
  assert_non_null(sent);
  assert_int_equal(json_count_at(sent, "lineItems.0.participants"), 3);
  assert_string_equal(json_str_at(sent, "lineItems.0.participants.0.key"), "transaction_reseller");
  assert_string_equal(json_str_at(sent, "lineItems.0.participants.1.value"), "517285");
  assert_string_equal(json_str_at(sent, "lineItems.0.participants.2.value"), "5357563");
  assert_int_equal((long)json_num_at(sent, "lineItems.0.quantity", 0), 3);
  cJSON_Delete(sent);
  free(body);
  /* ...and the server's cart has them too. */
  assert_int_equal(other->cart.draft->line_items.items[0].participants.count, 3);
  free(cart_id);
  app_free(other);
  app_free(app);
  worker_stop(worker);
}

static void test_cancel_held_save(void **unused) {
  (void)unused;
  Worker *worker = start_worker();
  AppState *app = app_with_doc_customer(worker);
  add_through_form(app, "DZH318Z0BXWC:0002:DZH318Z0BMRV", NULL);
  assert_true(sandbox_fault_arm(ctx, "{\"match\":\"carts.create\",\"kind\":\"hold\"}") >= 0);
  char why[256] = "";
  assert_true(app_cart_save(app, why, sizeof why));
  submit_all(app, worker);
  assert_true(sandbox_wait_held(ctx, 1));
  long target = app_cancel_target(app);
  assert_int_equal(target, app->cart.save_job);
  assert_true(worker_cancel(worker, target));
  pump(app, worker);
  /* The create had reached the service: never "cancelled", but an unknown outcome that a
   * save again (same MS-RequestId) settles safely. */
  AppMessage m = {0};
  bool unknown = false;
  while (app_take_message(app, &m)) {
    assert_null(strstr(m.text, "cancelled"));
    unknown = unknown || (m.level == APP_MESSAGE_WARNING && strstr(m.text, "outcome is unknown"));
  }
  assert_true(unknown);
  assert_true(app->cart.save_outcome_unknown);
  assert_int_equal(strlen(app->cart.save_request_id), 36);
  assert_int_equal(app->cart.save_job, 0);
  assert_true(app->cart.dirty);
  assert_int_equal(app->jobs_in_flight, 0);
  assert_true(sandbox_release(ctx) >= 0);
  app_free(app);
  worker_stop(worker);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_documents_cart_end_to_end, reset),
      cmocka_unit_test_setup(test_participants_survive_show_edit_update, reset),
      cmocka_unit_test_setup(test_cancel_held_save, reset),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
