/* A submission from intent to known outcome (app/submit.h) against an in-process sandbox: the
 * journal row exists before the request reaches the service, a checkout whose first attempt
 * outlived its timeout (409 800064 on the retry) ends in its orders and never in a refusal, a
 * lost reply and a crash before sending are settled with the same MS-RequestId (one cart, one
 * order per group), and a cancel never reads as "cancelled" for what may have been done.
 * Held requests and explicit signals only: no sleeps, no timing. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/submit.h"
#include "model/cart.h"
#include "model/order.h"
#include "sandbox_http.h"
#include "sandbox_settings.h"
#include "scratch.h"
#include "state/state.h"

typedef struct Fixture {
  HttpCtx *ctx;
  PcClient *client;
  StateStore *store;
  char *db_path;
  Cart *cart; /* the create-a-cart document's request */
} Fixture;

static int setup(void **state) {
  static Fixture f;
  memset(&f, 0, sizeof f);
  if (!scratch_setup("submit"))
    return -1;
  char err[512] = "";
  f.ctx = http_ctx_start(&(HttpCtxOptions){0}, err, sizeof err);
  if (!f.ctx) {
    print_error("sandbox: %s\n", err);
    return -1;
  }
  PcSettings settings = sandbox_pc_settings(f.ctx);
  /* A held request never answers: the attempt ends at this timeout whatever the machine. */
  settings.checkout_timeout_ms = 2000;
  settings.request_timeout_ms = 2000;
  settings.max_attempts = 2;
  PcError error = {0};
  f.client = pc_client_new(&settings, &error);
  f.db_path = scratch_path("state/state.db");
  f.store = state_open(f.db_path, err, sizeof err);
  char *body = docs_create_cart_body();
  f.cart = body ? cart_parse(body, err, sizeof err) : NULL;
  free(body);
  if (!f.client || !f.store || !f.cart) {
    print_error("setup: %s %s\n", error.message, err);
    return -1;
  }
  *state = &f;
  return 0;
}

static int teardown(void **state) {
  Fixture *f = *state;
  cart_free(f->cart);
  state_close(f->store);
  free(f->db_path);
  pc_client_free(f->client);
  http_ctx_stop(f->ctx);
  return scratch_teardown();
}

static SubmitJournal journal_of(Fixture *f) {
  return (SubmitJournal){.store = f->store, .profile = "sandbox"};
}

static SubmitIntent create_intent(Fixture *f) {
  return (SubmitIntent){.operation = SUBMISSION_CREATE,
                        .customer_id = DOC_CUSTOMER_ID,
                        .customer_name = "Contoso, Ltd.",
                        .cart = f->cart};
}

static SubmitIntent checkout_intent(const char *cart_id) {
  return (SubmitIntent){
      .operation = SUBMISSION_CHECKOUT, .customer_id = DOC_CUSTOMER_ID, .cart_id = cart_id};
}

static long sandbox_count(Fixture *f, const char *what) {
  return sandbox_control_number(f->ctx, "status", what);
}

/* The journal's row for a request id. */
static Submission row_of(Fixture *f, const char *request_id) {
  HistoryQuery query = {.profile = "sandbox"};
  SubmissionList list = {0};
  char err[256];
  assert_true(state_history(f->store, &query, &list, err, sizeof err));
  Submission found = {0};
  for (size_t i = 0; i < list.count; i++) {
    if (strcmp(list.items[i].request_id, request_id) == 0) {
      found = list.items[i];
      memset(&list.items[i], 0, sizeof list.items[i]);
    }
  }
  submission_list_clear(&list);
  assert_int_not_equal(found.id, 0);
  return found;
}

/* ----- a checkout that outlives its timeout ----- */

typedef struct Releaser {
  Fixture *f;
  int waits;
  long first_status;
  long first_code;
} Releaser;

/* Before the first wait of the resolution: the held first attempt is let go and the test waits
 * until its orders are in the ledger, so the next look must find them. */
static void release_on_first_wait(void *user, int check, long wait_ms, const PcError *why) {
  Releaser *r = user;
  (void)wait_ms;
  if (r->waits++ == 0) {
    r->first_status = why->http_status;
    r->first_code = why->code;
    assert_int_equal(sandbox_release(r->f->ctx), 1);
    assert_int_equal(sandbox_wait_count(r->f->ctx, "orders", 4), 4);
  }
  (void)check;
}

static void test_checkout_in_progress_after_timeout_ends_ordered(void **state) {
  Fixture *f = *state;
  char *cart_id = docs_cart_create(f->ctx, NULL);
  assert_non_null(cart_id);
  assert_true(sandbox_fault_arm(f->ctx, "{\"match\":\"carts.checkout\",\"kind\":\"hold\"}") >= 0);
  Releaser releaser = {.f = f};
  SubmitPolicy policy = {.on_wait = release_on_first_wait, .on_wait_user = &releaser};
  SubmitJournal journal = journal_of(f);
  SubmitIntent intent = checkout_intent(cart_id);
  SubmitResult result;
  bool ok = submit_run(f->client, &journal, &intent, &policy, &result);
  if (!ok)
    fail_msg("checkout failed: %s", result.error.message);
  /* The retry after the timeout met the first attempt at work. */
  assert_int_equal(releaser.first_status, 409);
  assert_int_equal(releaser.first_code, 800064);
  assert_true(result.checks >= 1);
  assert_non_null(result.checkout);
  assert_int_equal(result.checkout->order_count, 4);
  /* One order per group, placed once. */
  assert_int_equal(sandbox_count(f, "orders"), 4);
  Submission row = row_of(f, intent.request_id);
  assert_int_equal(row.state, SUBMISSION_DONE);
  assert_non_null(row.result);
  assert_non_null(strstr(row.result, "orders"));
  assert_non_null(row.resolution);
  submission_clear(&row);
  submit_result_clear(&result);
  free(cart_id);
}

/* ----- the journal row exists before the request reaches the service ----- */

typedef struct Runner {
  Fixture *f;
  SubmitIntent intent;
  SubmitResult result;
  bool ok;
} Runner;

static void *run_submission(void *arg) {
  Runner *r = arg;
  SubmitJournal journal = journal_of(r->f);
  r->ok = submit_run(r->f->client, &journal, &r->intent, NULL, &r->result);
  return NULL;
}

static void test_journaled_before_sent(void **state) {
  Fixture *f = *state;
  assert_true(sandbox_fault_arm(f->ctx, "{\"match\":\"carts.create\",\"kind\":\"hold\"}") >= 0);
  Runner runner = {.f = f, .intent = create_intent(f)};
  pc_new_request_id(runner.intent.request_id);
  pthread_t thread;
  assert_int_equal(pthread_create(&thread, NULL, run_submission, &runner), 0);
  assert_true(sandbox_wait_held(f->ctx, 1));
  /* The request is at the service now; another connection already sees it journaled. */
  char err[256];
  StateStore *other = state_open(f->db_path, err, sizeof err);
  assert_non_null(other);
  SubmissionList pending = {0};
  assert_true(state_submissions_unresolved(other, "sandbox", &pending, err, sizeof err));
  assert_int_equal(pending.count, 1);
  assert_string_equal(pending.items[0].request_id, runner.intent.request_id);
  assert_int_equal(pending.items[0].state, SUBMISSION_PENDING);
  assert_string_equal(pending.items[0].customer_name, "Contoso, Ltd.");
  assert_non_null(pending.items[0].body);
  submission_list_clear(&pending);
  assert_int_equal(sandbox_release(f->ctx), 1);
  assert_int_equal(pthread_join(thread, NULL), 0);
  /* The held attempt timed out, the same id was sent again and the first reply replayed. */
  if (!runner.ok)
    fail_msg("create failed: %s", runner.result.error.message);
  assert_int_equal(sandbox_count(f, "carts"), 1);
  Submission row = row_of(f, runner.intent.request_id);
  assert_int_equal(row.state, SUBMISSION_DONE);
  assert_string_equal(row.cart_id, runner.result.cart->id);
  submission_clear(&row);
  assert_true(state_submissions_unresolved(other, "sandbox", &pending, err, sizeof err));
  assert_int_equal(pending.count, 0);
  submission_list_clear(&pending);
  state_close(other);
  submit_result_clear(&runner.result);
}

/* ----- crashes and lost replies ----- */

static void test_crash_before_sending_is_settled_once(void **state) {
  Fixture *f = *state;
  /* What a run killed right after journaling leaves: a pending row, nothing sent. */
  Submission row = {.operation = SUBMISSION_CREATE};
  row.profile = strdup("sandbox");
  row.customer_id = strdup(DOC_CUSTOMER_ID);
  cJSON *json = cart_to_request_json(f->cart);
  row.body = model_json_print(json);
  cJSON_Delete(json);
  pc_new_request_id(row.request_id);
  char err[256];
  assert_true(state_submission_begin(f->store, &row, err, sizeof err));

  ReconcileReport report;
  SubmitJournal journal = journal_of(f);
  assert_true(submit_reconcile(f->client, &journal, NULL, &report, err, sizeof err));
  assert_int_equal(report.count, 1);
  assert_int_equal(report.items[0].submission.state, SUBMISSION_DONE);
  assert_non_null(strstr(report.items[0].summary, "went through"));
  assert_non_null(report.items[0].submission.cart_id);
  assert_int_equal(sandbox_count(f, "carts"), 1);

  /* The same command run again adopts the settled intent's id: the same cart, not a second. */
  SubmitPolicy policy = {.settled = &report.settled};
  SubmitIntent intent = create_intent(f);
  intent.adopt_unresolved = true;
  SubmitResult result;
  assert_true(submit_run(f->client, &journal, &intent, &policy, &result));
  assert_true(result.adopted);
  assert_string_equal(intent.request_id, row.request_id);
  assert_string_equal(result.cart->id, report.items[0].submission.cart_id);
  assert_int_equal(sandbox_count(f, "carts"), 1);
  submit_result_clear(&result);
  reconcile_report_clear(&report);
  submission_clear(&row);
}

static void test_lost_replies_end_unknown_then_adopted(void **state) {
  Fixture *f = *state;
  /* Every attempt is carried out and its reply lost. */
  assert_true(sandbox_fault_arm(f->ctx,
                                "{\"match\":\"carts.create\",\"kind\":\"drop-after-commit\","
                                "\"times\":0}") >= 0);
  SubmitJournal journal = journal_of(f);
  SubmitPolicy policy = {.resolve_checks = 2};
  SubmitIntent intent = create_intent(f);
  intent.adopt_unresolved = true;
  SubmitResult result;
  assert_false(submit_run(f->client, &journal, &intent, &policy, &result));
  assert_true(result.error.outcome_unknown);
  assert_non_null(strstr(result.error.message, "unknown"));
  assert_string_equal(result.error.request_id, intent.request_id);
  char first_id[37];
  memcpy(first_id, intent.request_id, sizeof first_id);
  Submission row = row_of(f, first_id);
  assert_int_equal(row.state, SUBMISSION_UNKNOWN);
  submission_clear(&row);
  submit_result_clear(&result);
  assert_int_equal(sandbox_count(f, "carts"), 1);

  /* The connection heals; the same file for the same customer adopts the unknown intent. */
  HttpResponse response = {0};
  assert_true(sandbox_control(f->ctx, "DELETE", "faults", NULL, &response));
  http_response_clear(&response);
  SubmitIntent again = create_intent(f);
  again.adopt_unresolved = true;
  assert_true(submit_run(f->client, &journal, &again, &policy, &result));
  assert_true(result.adopted);
  assert_string_equal(again.request_id, first_id);
  assert_int_equal(sandbox_count(f, "carts"), 1);
  row = row_of(f, first_id);
  assert_int_equal(row.state, SUBMISSION_DONE);
  assert_true(row.attempts >= 2);
  submission_clear(&row);
  submit_result_clear(&result);

  /* A settled intent is not adopted: the same file again is a new cart, on purpose. */
  SubmitIntent third = create_intent(f);
  third.adopt_unresolved = true;
  assert_true(submit_run(f->client, &journal, &third, &policy, &result));
  assert_false(result.adopted);
  assert_string_not_equal(third.request_id, first_id);
  assert_int_equal(sandbox_count(f, "carts"), 2);
  submit_result_clear(&result);
}

/* ----- a cancel while the checkout is at the service ----- */

static void test_cancel_reads_unknown_and_is_settled_next_start(void **state) {
  Fixture *f = *state;
  char *cart_id = docs_cart_create(f->ctx, NULL);
  assert_non_null(cart_id);
  assert_true(sandbox_fault_arm(f->ctx, "{\"match\":\"carts.checkout\",\"kind\":\"hold\"}") >= 0);
  Runner runner = {.f = f, .intent = checkout_intent(cart_id)};
  pc_new_request_id(runner.intent.request_id);
  pthread_t thread;
  assert_int_equal(pthread_create(&thread, NULL, run_submission, &runner), 0);
  assert_true(sandbox_wait_held(f->ctx, 1));
  pc_client_cancel(f->client);
  assert_int_equal(pthread_join(thread, NULL), 0);
  pc_client_clear_cancel(f->client);
  assert_false(runner.ok);
  assert_true(runner.result.error.outcome_unknown);
  /* Never "cancelled" for what may have been ordered. */
  assert_null(strstr(runner.result.error.message, "Cancelled"));
  assert_non_null(strstr(runner.result.error.message, "unknown"));
  Submission row = row_of(f, runner.intent.request_id);
  assert_int_equal(row.state, SUBMISSION_UNKNOWN);
  submission_clear(&row);
  submit_result_clear(&runner.result);

  /* The held checkout goes through after all; the next start settles the intent. */
  assert_int_equal(sandbox_release(f->ctx), 1);
  assert_int_equal(sandbox_wait_count(f->ctx, "orders", 4), 4);
  ReconcileReport report;
  SubmitJournal journal = journal_of(f);
  char err[256];
  assert_true(submit_reconcile(f->client, &journal, NULL, &report, err, sizeof err));
  assert_int_equal(report.count, 1);
  assert_int_equal(report.items[0].submission.state, SUBMISSION_DONE);
  assert_non_null(strstr(report.items[0].summary, "4 orders"));
  assert_int_equal(sandbox_count(f, "orders"), 4);
  reconcile_report_clear(&report);
  free(cart_id);
}

static void test_refusal_is_recorded_as_refused(void **state) {
  Fixture *f = *state;
  SubmitJournal journal = journal_of(f);
  SubmitIntent intent = checkout_intent("11111111-2222-3333-4444-555555555555");
  SubmitResult result;
  assert_false(submit_run(f->client, &journal, &intent, NULL, &result));
  assert_false(result.error.outcome_unknown);
  assert_int_equal(result.checks, 0);
  Submission row = row_of(f, intent.request_id);
  assert_int_equal(row.state, SUBMISSION_REFUSED);
  assert_int_equal(row.http_status, 404);
  assert_int_equal(row.error_code, 800008);
  submission_clear(&row);
  submit_result_clear(&result);
}

/* A journal row as an earlier run left it: journaled, maybe sent, outcome `state`. */
static Submission journaled(Fixture *f, SubmissionOperation op, const char *cart_id,
                            const char *body, SubmissionState state) {
  Submission row = {.operation = op};
  row.profile = strdup("sandbox");
  row.customer_id = strdup(DOC_CUSTOMER_ID);
  row.cart_id = cart_id ? strdup(cart_id) : NULL;
  row.body = body ? strdup(body) : NULL;
  pc_new_request_id(row.request_id);
  char err[256];
  assert_true(state_submission_begin(f->store, &row, err, sizeof err));
  if (state != SUBMISSION_PENDING) {
    SubmissionOutcome outcome = {.state = state, .error = "an earlier run's error"};
    assert_true(state_submission_finish(f->store, row.id, &outcome, err, sizeof err));
  }
  return row;
}

/* An unknown checkout tried again while Partner Center cannot be reached: nothing was learnt,
 * so it stays unknown (not "refused"), and is reconciled again next time. */
static void test_unreachable_retry_keeps_unknown(void **state) {
  Fixture *f = *state;
  Submission row = journaled(f, SUBMISSION_CHECKOUT, "11111111-2222-3333-4444-555555555555", NULL,
                             SUBMISSION_UNKNOWN);
  PcSettings settings = sandbox_pc_settings(f->ctx);
  settings.api_base = "http://127.0.0.1:9"; /* nothing listens there */
  settings.authority = "http://127.0.0.1:9/";
  settings.max_attempts = 1;
  PcError error = {0};
  PcClient *offline = pc_client_new(&settings, &error);
  assert_non_null(offline);
  ReconcileReport report;
  SubmitJournal journal = journal_of(f);
  char err[256];
  assert_true(submit_reconcile(offline, &journal, NULL, &report, err, sizeof err));
  assert_int_equal(report.count, 1);
  assert_int_equal(report.items[0].submission.state, SUBMISSION_UNKNOWN);
  assert_non_null(strstr(report.items[0].summary, "still unknown"));
  assert_int_equal(report.settled.count, 0);
  reconcile_report_clear(&report);
  Submission now = row_of(f, row.request_id);
  assert_int_equal(now.state, SUBMISSION_UNKNOWN);
  assert_int_equal(now.attempts, 2);
  submission_clear(&now);
  /* The same through submit_run with the same id: unknown, and the id is kept for the caller. */
  SubmitIntent intent = checkout_intent(row.cart_id);
  memcpy(intent.request_id, row.request_id, sizeof intent.request_id);
  SubmitResult result;
  assert_false(submit_run(offline, &journal, &intent, NULL, &result));
  assert_true(result.error.outcome_unknown);
  submit_result_clear(&result);
  pc_client_free(offline);
  submission_clear(&row);
}

/* Quitting while the reconciliation runs (a cancel) leaves every row as it was. */
static void test_cancelled_reconcile_leaves_rows(void **state) {
  Fixture *f = *state;
  Submission a = journaled(f, SUBMISSION_CHECKOUT, "11111111-2222-3333-4444-555555555555", NULL,
                           SUBMISSION_PENDING);
  Submission b = journaled(f, SUBMISSION_CHECKOUT, "11111111-2222-3333-4444-555555555556", NULL,
                           SUBMISSION_UNKNOWN);
  pc_client_cancel(f->client);
  ReconcileReport report;
  SubmitJournal journal = journal_of(f);
  char err[256];
  assert_true(submit_reconcile(f->client, &journal, NULL, &report, err, sizeof err));
  pc_client_clear_cancel(f->client);
  assert_int_equal(report.count, 0);
  reconcile_report_clear(&report);
  Submission now = row_of(f, a.request_id);
  assert_int_equal(now.state, SUBMISSION_PENDING);
  submission_clear(&now);
  now = row_of(f, b.request_id);
  assert_int_equal(now.state, SUBMISSION_UNKNOWN);
  submission_clear(&now);
  submission_clear(&a);
  submission_clear(&b);
}

/* An unknown update followed by a later update of the same cart that went through: sending the
 * old one again would put its lines back, so it is not sent. */
static void test_superseded_update_not_sent_again(void **state) {
  Fixture *f = *state;
  char *cart_id = docs_cart_create(f->ctx, NULL);
  assert_non_null(cart_id);
  Submission old =
      journaled(f, SUBMISSION_UPDATE, cart_id, "{\"lineItems\":[]}", SUBMISSION_UNKNOWN);
  Submission later =
      journaled(f, SUBMISSION_UPDATE, cart_id, "{\"lineItems\":[{}]}", SUBMISSION_DONE);
  int updates_before = 0;
  ReconcileReport report;
  SubmitJournal journal = journal_of(f);
  char err[256];
  HttpResponse response = {0};
  assert_true(sandbox_control(f->ctx, "GET", "requests?op=carts.update", NULL, &response));
  updates_before = json_count_at(response.json, "items");
  http_response_clear(&response);
  assert_true(updates_before >= 0); /* the log answered: a count that can move */
  assert_true(submit_reconcile(f->client, &journal, NULL, &report, err, sizeof err));
  assert_int_equal(report.count, 1);
  assert_non_null(strstr(report.items[0].summary, "superseded"));
  reconcile_report_clear(&report);
  assert_true(sandbox_control(f->ctx, "GET", "requests?op=carts.update", NULL, &response));
  assert_int_equal(json_count_at(response.json, "items"), updates_before);
  http_response_clear(&response);
  Submission now = row_of(f, old.request_id);
  assert_int_equal(now.state, SUBMISSION_REFUSED);
  assert_non_null(strstr(now.resolution, "superseded"));
  submission_clear(&now);
  submission_clear(&old);
  submission_clear(&later);
  free(cart_id);
}

/* A journal row whose body does not parse may still have been sent: it stays unknown. */
static void test_unreadable_journal_body_stays_unknown(void **state) {
  Fixture *f = *state;
  Submission row = journaled(f, SUBMISSION_CREATE, NULL, "{broken", SUBMISSION_PENDING);
  ReconcileReport report;
  SubmitJournal journal = journal_of(f);
  char err[256];
  assert_true(submit_reconcile(f->client, &journal, NULL, &report, err, sizeof err));
  assert_int_equal(report.count, 1);
  assert_non_null(strstr(report.items[0].summary, "could not be checked"));
  reconcile_report_clear(&report);
  Submission now = row_of(f, row.request_id);
  assert_int_equal(now.state, SUBMISSION_UNKNOWN);
  assert_non_null(strstr(now.resolution, "could not be sent again"));
  submission_clear(&now);
  submission_clear(&row);
  assert_int_equal(sandbox_count(f, "carts"), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_checkout_in_progress_after_timeout_ends_ordered, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_journaled_before_sent, setup, teardown),
      cmocka_unit_test_setup_teardown(test_crash_before_sending_is_settled_once, setup, teardown),
      cmocka_unit_test_setup_teardown(test_lost_replies_end_unknown_then_adopted, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cancel_reads_unknown_and_is_settled_next_start, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_refusal_is_recorded_as_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unreachable_retry_keeps_unknown, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cancelled_reconcile_leaves_rows, setup, teardown),
      cmocka_unit_test_setup_teardown(test_superseded_update_not_sent_again, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unreadable_journal_body_stays_unknown, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
