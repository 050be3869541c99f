/* A submission from intent to known outcome: journal, send, resolve, record (submit.h). */
#include "app/submit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/api_error.h"
#include "model/common.h"

#define DEFAULT_RESOLVE_CHECKS 8

void submit_result_clear(SubmitResult *result) {
  if (!result)
    return;
  cart_free(result->cart);
  checkout_result_free(result->checkout);
  pc_call_info_clear(&result->info);
  pc_error_clear(&result->error);
  memset(result, 0, sizeof *result);
}

void reconcile_report_clear(ReconcileReport *report) {
  if (!report)
    return;
  for (size_t i = 0; i < report->count; i++)
    submission_clear(&report->items[i].submission);
  free(report->items);
  submission_list_clear(&report->settled);
  memset(report, 0, sizeof *report);
}

/* ----- sending ----- */

static bool send_once(PcClient *client, const SubmitIntent *intent, SubmitResult *result) {
  pc_call_info_clear(&result->info);
  pc_error_clear(&result->error);
  cart_free(result->cart);
  result->cart = NULL;
  checkout_result_free(result->checkout);
  result->checkout = NULL;
  switch (intent->operation) {
  case SUBMISSION_CREATE:
    return pc_cart_create(client, intent->customer_id, intent->cart, intent->request_id,
                          &result->cart, &result->info, &result->error);
  case SUBMISSION_UPDATE:
    return pc_cart_update(client, intent->customer_id, intent->cart, intent->request_id,
                          &result->cart, &result->info, &result->error);
  case SUBMISSION_CHECKOUT:
    return pc_cart_checkout(client, intent->customer_id, intent->cart_id, intent->customer_user_upn,
                            intent->request_id, &result->checkout, &result->info, &result->error);
  }
  pc_error_set(&result->error, PC_ERROR_INVALID, "Unknown kind of submission.");
  return false;
}

/* 409 "being processed by another request" (800064) or "order in progress" (800060): an
 * earlier attempt, or another program, is still checking the cart out. */
static bool still_in_progress(const PcError *e) {
  return e->kind == PC_ERROR_HTTP && e->http_status == 409 &&
         (e->code == PC_CODE_CART_BEING_PROCESSED || e->code == PC_CODE_ORDER_IN_PROGRESS);
}

/* The cart's status on the service: 1 Ordered, 0 not (yet), -1 could not be read. */
static int cart_ordered(PcClient *client, const SubmitIntent *intent) {
  Cart *cart = NULL;
  PcError error = {0};
  int ordered = -1;
  if (pc_cart_get(client, intent->customer_id, intent->cart_id, &cart, NULL, &error))
    ordered = cart->status == CART_STATUS_ORDERED;
  cart_free(cart);
  pc_error_clear(&error);
  return ordered;
}

static const char *operation_noun(SubmissionOperation op) {
  return op == SUBMISSION_CHECKOUT ? "checkout" : op == SUBMISSION_UPDATE ? "save" : "create";
}

/* The last error, restated for an intent that may have acted and could not be settled. */
static void say_unknown(const SubmitIntent *intent, bool in_progress, PcError *e) {
  if (!e->request_id[0])
    snprintf(e->request_id, sizeof e->request_id, "%s", intent->request_id);
  char sentence[sizeof e->message];
  const char *noun = operation_noun(intent->operation);
  /* Short: the screen adds the code and the request id after it. */
  if (e->kind == PC_ERROR_CANCELLED)
    snprintf(sentence, sizeof sentence,
             "Stopped waiting, but the %s had reached Partner Center: its outcome is unknown; "
             "trying again is safe (same MS-RequestId).",
             noun);
  else if (in_progress)
    snprintf(sentence, sizeof sentence,
             "Partner Center is still processing this %s: its outcome is not known yet; trying "
             "again is safe (same MS-RequestId).",
             noun);
  else {
    /* "...; try again later." would read as if nothing had happened. */
    char cause[sizeof e->message];
    snprintf(cause, sizeof cause, "%s", e->message);
    static const char *const tails[] = {"; try again later.", "; try again."};
    for (size_t i = 0; i < sizeof tails / sizeof *tails; i++) {
      size_t n = strlen(cause), t = strlen(tails[i]);
      if (n > t && strcmp(cause + n - t, tails[i]) == 0)
        memcpy(cause + n - t, ".", 2);
    }
    snprintf(sentence, sizeof sentence,
             "%.300s The outcome is unknown; trying again is safe (same MS-RequestId).", cause);
  }
  memcpy(e->message, sentence, sizeof sentence);
  e->outcome_unknown = true;
}

/* A refusal that says the service did not act on this request id: a 4xx other than "timed
 * out", "busy" or "being processed". Anything else after an attempt that may have acted leaves
 * the outcome unknown. */
static bool definite_refusal(const PcError *e) {
  return e->kind == PC_ERROR_HTTP && e->http_status >= 400 && e->http_status < 500 &&
         e->http_status != 408 && e->http_status != 429 && !still_in_progress(e);
}

/* After the first send failed: settle an outcome that may have been acted on. earlier: an
 * earlier attempt of this intent (another run) may have acted. */
static bool resolve(PcClient *client, const SubmitIntent *intent, const SubmitPolicy *policy,
                    bool earlier, SubmitResult *result) {
  int limit =
      policy && policy->resolve_checks > 0 ? policy->resolve_checks : DEFAULT_RESOLVE_CHECKS;
  bool uncertain = earlier || result->error.outcome_unknown;
  bool in_progress = false;
  bool ok = false;
  int lost = 0; /* answers that told nothing (timeouts, broken connections, 5xx) */
  /* A create or an update was already sent again with its id by the client's own retries;
   * only a checkout has more to ask: whether the cart is ordered, or still being ordered. */
  while (!ok && intent->operation == SUBMISSION_CHECKOUT && result->checks < limit) {
    PcError *e = &result->error;
    if (e->kind == PC_ERROR_CANCELLED)
      break; /* the user asked to stop; the next try or the next start settles it */
    in_progress = still_in_progress(e);
    if (!in_progress && !e->outcome_unknown)
      break; /* a definite answer */
    if (!in_progress && ++lost > 2)
      break; /* the service keeps failing: stop, and say the outcome is unknown */
    uncertain = true;
    result->checks++;
    long wait = pc_client_backoff_ms(client, result->checks);
    if (policy && policy->on_wait)
      policy->on_wait(policy->on_wait_user, result->checks, wait, e);
    if (!pc_client_wait(client, wait)) {
      e->kind = PC_ERROR_CANCELLED;
      break;
    }
    if (!in_progress && cart_ordered(client, intent) < 0)
      continue; /* not even the cart could be read: keep the error, look again */
    /* Ordered: the same id fetches the first result. Not ordered: the same id either finds
     * the first attempt still at work (409) or, if it never arrived, carries the intent out. */
    ok = send_once(client, intent, result);
  }
  if (ok)
    return true;
  PcError *e = &result->error;
  if (intent->operation == SUBMISSION_CHECKOUT && uncertain && e->kind == PC_ERROR_HTTP &&
      e->code == PC_CODE_CART_ALREADY_SUBMITTED) {
    /* An older service refuses a second checkout instead of replaying the first. */
    snprintf(e->message, sizeof e->message,
             "The checkout went through (Partner Center says cart %s is already ordered), but "
             "Partner Center did not send its orders again; look them up by customer.",
             intent->cart_id);
    result->ordered_without_result = true;
    return false;
  }
  /* Never "cancelled" or "failed" for what may have been carried out. */
  if (e->outcome_unknown || (uncertain && !definite_refusal(e)))
    say_unknown(intent, in_progress && e->kind != PC_ERROR_CANCELLED, e);
  return false;
}

/* ----- the journal ----- */

static bool like_matches(const Submission *a, const Submission *b) {
  if (a->operation != b->operation || !a->customer_id || !b->customer_id ||
      strcasecmp(a->customer_id, b->customer_id) != 0)
    return false;
  if (a->profile && b->profile && strcmp(a->profile, b->profile) != 0)
    return false;
  if (strcmp(a->body_hash, b->body_hash) != 0)
    return false; /* other lines are another intent (a checkout has no body: both "") */
  return a->operation == SUBMISSION_CREATE ||
         (a->cart_id && b->cart_id && strcasecmp(a->cart_id, b->cart_id) == 0);
}

/* The journal row for the intent, filled but not yet written. */
static bool submission_of(const SubmitJournal *journal, const SubmitIntent *intent,
                          Submission *out) {
  memset(out, 0, sizeof *out);
  out->operation = intent->operation;
  out->profile = model_strdup(journal && journal->profile ? journal->profile : "");
  out->customer_id = model_strdup(intent->customer_id);
  out->customer_name = intent->customer_name ? model_strdup(intent->customer_name) : NULL;
  const char *cart_id = intent->operation == SUBMISSION_CHECKOUT ? intent->cart_id
                        : intent->cart                           ? intent->cart->id
                                                                 : NULL;
  out->cart_id = cart_id ? model_strdup(cart_id) : NULL;
  out->customer_user_upn =
      intent->customer_user_upn ? model_strdup(intent->customer_user_upn) : NULL;
  bool ok = out->profile && out->customer_id && (!intent->customer_name || out->customer_name) &&
            (!cart_id || out->cart_id) && (!intent->customer_user_upn || out->customer_user_upn);
  if (ok && intent->operation != SUBMISSION_CHECKOUT) {
    cJSON *json = intent->cart ? cart_to_request_json(intent->cart) : NULL;
    out->body = json ? model_json_print(json) : NULL;
    cJSON_Delete(json);
    ok = out->body != NULL;
    if (ok)
      state_hash_text(out->body, out->body_hash);
  }
  snprintf(out->request_id, sizeof out->request_id, "%s", intent->request_id);
  if (!ok)
    submission_clear(out);
  return ok;
}

/* The request id of an unresolved (or just settled) intent this one repeats, if any; the
 * settled one when it was settled by this run's reconciliation (NULL otherwise). */
static const Submission *adopt(const SubmitJournal *journal, const SubmitPolicy *policy,
                               SubmitIntent *intent, Submission *row, SubmitResult *result) {
  const Submission *settled = NULL;
  Submission found = {0};
  bool hit = false;
  char err[256];
  if (journal && journal->store &&
      state_submission_find_unresolved(journal->store, row, &found, &hit, err, sizeof err) && hit) {
    memcpy(intent->request_id, found.request_id, sizeof intent->request_id);
  }
  submission_clear(&found);
  for (size_t i = 0; !hit && policy && policy->settled && i < policy->settled->count; i++) {
    const Submission *s = &policy->settled->items[i];
    if (like_matches(s, row)) {
      memcpy(intent->request_id, s->request_id, sizeof intent->request_id);
      hit = true;
      settled = s;
    }
  }
  if (hit) {
    memcpy(row->request_id, intent->request_id, sizeof row->request_id);
    result->adopted = true;
  }
  return settled;
}

/* An intent this run's reconciliation settled answers from its recorded result: sending it
 * again could only fail now (and overwrite a done row) or get the same answer. */
static bool answer_from_journal(const SubmitIntent *intent, const Submission *settled,
                                SubmitResult *result) {
  if (!settled->result)
    return false;
  char err[128];
  if (intent->operation == SUBMISSION_CHECKOUT)
    result->checkout = checkout_result_parse(settled->result, err, sizeof err);
  else
    result->cart = cart_parse(settled->result, err, sizeof err);
  if (!result->checkout && !result->cart)
    return false;
  result->from_journal = true;
  snprintf(result->info.request_id, sizeof result->info.request_id, "%s", intent->request_id);
  return true;
}

static void record(const SubmitJournal *journal, const SubmitIntent *intent, bool ok,
                   const char *resolution, SubmitResult *result) {
  if (!journal || !journal->store || !result->journal_id)
    return;
  const PcError *e = &result->error;
  SubmissionOutcome outcome = {.resolution = resolution};
  char *text = NULL;
  if (ok) {
    outcome.state = SUBMISSION_DONE;
    outcome.http_status = result->info.status;
    cJSON *json = result->checkout ? checkout_result_to_json(result->checkout)
                  : result->cart   ? cart_to_json(result->cart)
                                   : NULL;
    text = json ? model_json_print(json) : NULL;
    cJSON_Delete(json);
    outcome.result = text;
    if (intent->operation == SUBMISSION_CREATE && result->cart)
      outcome.cart_id = result->cart->id;
  } else if (result->ordered_without_result) {
    outcome.state = SUBMISSION_DONE;
    outcome.http_status = e->http_status;
    outcome.error = e->message;
  } else {
    outcome.state = e->outcome_unknown ? SUBMISSION_UNKNOWN : SUBMISSION_REFUSED;
    outcome.http_status = e->http_status;
    outcome.error_code = e->code;
    outcome.error = e->message;
  }
  char err[256] = "";
  if (!state_submission_finish(journal->store, result->journal_id, &outcome, err, sizeof err))
    snprintf(result->journal_warning, sizeof result->journal_warning,
             "The outcome could not be written to the journal: %s", err);
  free(text);
}

/* The whole path for one intent whose journal row (row) is ready. */
static bool run_with_row(PcClient *client, const SubmitJournal *journal, SubmitIntent *intent,
                         const SubmitPolicy *policy, Submission *row, const char *note,
                         SubmitResult *result) {
  if (journal && journal->store) {
    char err[256];
    if (!state_submission_begin(journal->store, row, err, sizeof err)) {
      pc_error_set(&result->error, PC_ERROR_INVALID,
                   "Not sent: the journal that makes a lost reply safe to retry could not be "
                   "written (%.300s).",
                   err);
      snprintf(result->info.request_id, sizeof result->info.request_id, "%s", intent->request_id);
      return false;
    }
    result->journal_id = row->id;
  }
  bool earlier =
      row->previous_state == SUBMISSION_PENDING || row->previous_state == SUBMISSION_UNKNOWN;
  bool ok = send_once(client, intent, result) || resolve(client, intent, policy, earlier, result);
  char resolution[160] = "";
  if (result->checks)
    snprintf(resolution, sizeof resolution, "%s%ssettled after %d check%s", note ? note : "",
             note ? "; " : "", result->checks, result->checks == 1 ? "" : "s");
  else if (note)
    snprintf(resolution, sizeof resolution, "%s", note);
  record(journal, intent, ok, resolution[0] ? resolution : NULL, result);
  if (!result->info.request_id[0])
    snprintf(result->info.request_id, sizeof result->info.request_id, "%s", intent->request_id);
  return ok;
}

bool submit_run(PcClient *client, const SubmitJournal *journal, SubmitIntent *intent,
                const SubmitPolicy *policy, SubmitResult *result) {
  memset(result, 0, sizeof *result);
  Submission row;
  if (!submission_of(journal, intent, &row)) {
    pc_error_set(&result->error, PC_ERROR_NO_MEMORY, "Out of memory before sending.");
    return false;
  }
  const Submission *settled =
      intent->adopt_unresolved ? adopt(journal, policy, intent, &row, result) : NULL;
  if (settled && answer_from_journal(intent, settled, result)) {
    submission_clear(&row);
    return true;
  }
  if (!intent->request_id[0]) {
    pc_new_request_id(intent->request_id);
    memcpy(row.request_id, intent->request_id, sizeof row.request_id);
  }
  bool ok = run_with_row(client, journal, intent, policy, &row, NULL, result);
  submission_clear(&row);
  return ok;
}

/* ----- reconciliation ----- */

static const char *who(const Submission *s) {
  return s->customer_name && s->customer_name[0] ? s->customer_name : s->customer_id;
}

static void summarise(const Submission *s, bool ok, const SubmitResult *r, char *out, size_t size) {
  const char *op = submission_operation_name(s->operation);
  const char *cart = s->cart_id ? s->cart_id : "(new)";
  if (ok && s->operation == SUBMISSION_CHECKOUT && r->checkout) {
    size_t orders = r->checkout->order_count, failed = r->checkout->order_error_count;
    snprintf(out, size,
             "The checkout of cart %s for %s (MS-RequestId %s) went through: %zu order%s%s.", cart,
             who(s), s->request_id, orders, orders == 1 ? "" : "s",
             failed ? ", some order groups failed" : "");
  } else if (ok) {
    snprintf(out, size, "The %s of cart %s for %s (MS-RequestId %s) went through.", op,
             r->cart && r->cart->id ? r->cart->id : cart, who(s), s->request_id);
  } else if (r->error.outcome_unknown) {
    snprintf(out, size,
             "The %s of cart %s for %s (MS-RequestId %s) is still unknown: %.200s It will be "
             "checked again next time; `pccart recover` lists it.",
             op, cart, who(s), s->request_id, r->error.message);
  } else {
    snprintf(out, size, "The %s of cart %s for %s (MS-RequestId %s) did not go through: %.240s", op,
             cart, who(s), s->request_id, r->error.message);
  }
}

/* The intent a journal row describes (the cart parsed from the body sent). */
static bool intent_of(const Submission *s, SubmitIntent *intent, Cart **cart, char *err,
                      size_t err_size) {
  memset(intent, 0, sizeof *intent);
  *cart = NULL;
  intent->operation = s->operation;
  intent->customer_id = s->customer_id;
  intent->customer_name = s->customer_name;
  intent->cart_id = s->cart_id;
  intent->customer_user_upn = s->customer_user_upn;
  memcpy(intent->request_id, s->request_id, sizeof intent->request_id);
  if (s->operation == SUBMISSION_CHECKOUT)
    return s->cart_id != NULL || (snprintf(err, err_size, "the journal has no cart id"), false);
  *cart = s->body ? cart_parse(s->body, err, err_size) : NULL;
  if (!*cart) {
    if (!s->body)
      snprintf(err, err_size, "the journal has no request body");
    return false;
  }
  if (s->operation == SUBMISSION_UPDATE) {
    free((*cart)->id);
    (*cart)->id = s->cart_id ? model_strdup(s->cart_id) : NULL;
    if (!(*cart)->id) {
      snprintf(err, err_size, "the journal has no cart id");
      return false;
    }
  }
  intent->cart = *cart;
  return true;
}

static bool report_add(ReconcileReport *report, Submission *taken, const char *summary) {
  ReconcileItem *grown = realloc(report->items, (report->count + 1) * sizeof *grown);
  if (!grown)
    return false;
  report->items = grown;
  ReconcileItem *item = &report->items[report->count++];
  item->submission = *taken;
  memset(taken, 0, sizeof *taken);
  snprintf(item->summary, sizeof item->summary, "%s", summary);
  return true;
}

bool settled_list_add(SubmissionList *list, const Submission *s) {
  Submission *grown = realloc(list->items, (list->count + 1) * sizeof *grown);
  if (!grown)
    return false;
  list->items = grown;
  Submission *copy = &list->items[list->count];
  memset(copy, 0, sizeof *copy);
  copy->operation = s->operation;
  copy->profile = s->profile ? model_strdup(s->profile) : NULL;
  copy->customer_id = s->customer_id ? model_strdup(s->customer_id) : NULL;
  copy->cart_id = s->cart_id ? model_strdup(s->cart_id) : NULL;
  memcpy(copy->request_id, s->request_id, sizeof copy->request_id);
  memcpy(copy->body_hash, s->body_hash, sizeof copy->body_hash);
  copy->state = s->state;
  copy->result = s->result ? model_strdup(s->result) : NULL;
  list->count++;
  bool ok = (!s->profile || copy->profile) && (!s->customer_id || copy->customer_id) &&
            (!s->cart_id || copy->cart_id) && (!s->result || copy->result);
  if (!ok) {
    submission_clear(copy);
    list->count--;
  }
  return ok;
}

/* An update whose cart was saved again later (and that save went through) must not be sent
 * again: it would put back the older lines. */
static bool superseded(StateStore *store, const Submission *s) {
  if (s->operation != SUBMISSION_UPDATE || !s->cart_id)
    return false;
  HistoryQuery query = {.profile = s->profile, .customer_id = s->customer_id};
  SubmissionList later = {0};
  char err[256];
  bool found = false;
  if (state_history(store, &query, &later, err, sizeof err)) {
    for (size_t i = 0; i < later.count && !found; i++) {
      const Submission *o = &later.items[i];
      found = o->id > s->id && o->state == SUBMISSION_DONE && o->cart_id &&
              strcasecmp(o->cart_id, s->cart_id) == 0 &&
              (o->operation == SUBMISSION_UPDATE || o->operation == SUBMISSION_CREATE);
    }
  }
  submission_list_clear(&later);
  return found;
}

/* Records an outcome decided here (nothing sent) and says it in summary. */
static void settle_here(StateStore *store, Submission *s, SubmissionState state, const char *error,
                        const char *resolution) {
  SubmissionOutcome outcome = {.state = state, .error = error, .resolution = resolution};
  char ignored[256];
  if (state_submission_finish(store, s->id, &outcome, ignored, sizeof ignored))
    s->state = state;
}

bool submit_reconcile(PcClient *client, const SubmitJournal *journal, const SubmitPolicy *policy,
                      ReconcileReport *report, char *err, size_t err_size) {
  memset(report, 0, sizeof *report);
  if (!journal || !journal->store)
    return true;
  SubmissionList pending = {0};
  if (!state_submissions_unresolved(journal->store, journal->profile, &pending, err, err_size))
    return false;
  bool stopped = false;
  for (size_t i = 0; i < pending.count && !stopped; i++) {
    /* A cancel (quitting while this runs) leaves the rest as they were, for the next start. */
    if (pc_client_is_cancelled(client))
      break;
    Submission *s = &pending.items[i];
    SubmitIntent intent;
    Cart *cart = NULL;
    SubmitResult result = {0};
    char why[256] = "";
    char summary[512];
    bool ok = false;
    if (superseded(journal->store, s)) {
      settle_here(journal->store, s, SUBMISSION_REFUSED, NULL,
                  "superseded: a later save of this cart went through; not sent again");
      snprintf(summary, sizeof summary,
               "The update of cart %s for %s (MS-RequestId %s) was superseded by a later save "
               "of that cart; it was not sent again.",
               s->cart_id, who(s), s->request_id);
    } else if (!intent_of(s, &intent, &cart, why, sizeof why)) {
      /* It may have been sent: it stays unknown, for `pccart recover` to show. */
      char note[320];
      snprintf(note, sizeof note, "could not be sent again from the journal: %s", why);
      settle_here(journal->store, s, SUBMISSION_UNKNOWN, NULL, note);
      snprintf(summary, sizeof summary,
               "The %s of cart %s for %s (MS-RequestId %s) could not be checked: %s; look it "
               "up with `pccart cart show`.",
               submission_operation_name(s->operation), s->cart_id ? s->cart_id : "(new)", who(s),
               s->request_id, why);
    } else {
      ok = run_with_row(client, journal, &intent, policy, s, "reconciled at start", &result);
      stopped = result.error.kind == PC_ERROR_CANCELLED;
      summarise(s, ok, &result, summary, sizeof summary);
      /* The report shows the row as the journal now has it. */
      Submission now = {0};
      bool found = false;
      char ignored[256];
      if (state_submission_get(journal->store, journal->profile, s->request_id, &now, &found,
                               ignored, sizeof ignored) &&
          found) {
        submission_clear(s);
        *s = now;
      } else {
        s->state = ok                             ? SUBMISSION_DONE
                   : result.error.outcome_unknown ? SUBMISSION_UNKNOWN
                                                  : SUBMISSION_REFUSED;
      }
    }
    bool kept = (!ok || settled_list_add(&report->settled, s)) && report_add(report, s, summary);
    submit_result_clear(&result);
    cart_free(cart);
    if (!kept) {
      snprintf(err, err_size, "out of memory while reconciling the journal");
      submission_list_clear(&pending);
      return false;
    }
  }
  submission_list_clear(&pending);
  return true;
}
