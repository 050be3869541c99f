/* What the local state store holds, on the command line: `pccart history` (every submission,
 * the audit trail), `pccart recover` (interrupted submissions settled, autosaved carts) and
 * `pccart sandbox reset` (the in-process sandbox's saved carts and orders forgotten). */
/* strptime */
#define _XOPEN_SOURCE 700
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_internal.h"
#include "model/order.h"

/* ----- shared ----- */

/* "2026-12-01", "2026-12-01T09:30", "2026-12-01T09:30:00Z" (UTC) -> milliseconds. */
static bool parse_date(const char *text, int64_t *out) {
  struct tm tm = {0};
  const char *rest = strptime(text, "%Y-%m-%d", &tm);
  if (!rest) {
    return false;
  }
  if (*rest == 'T' || *rest == ' ') {
    const char *time_rest = strptime(rest + 1, "%H:%M", &tm);
    if (!time_rest) {
      return false;
    }
    rest = time_rest;
    if (*rest == ':') {
      rest = strptime(rest + 1, "%S", &tm);
      if (!rest) {
        return false;
      }
    }
    if (*rest == 'Z') {
      rest++;
    }
  }
  if (*rest) {
    return false;
  }
  time_t seconds = timegm(&tm);
  if (seconds == (time_t)-1) {
    return false;
  }
  *out = (int64_t)seconds * 1000;
  return true;
}

/* What a submission's outcome says in a few words: order ids and statuses, the new cart, or
 * the error. Caller frees. */
static char *outcome_words(const Submission *s) {
  char buffer[1024];
  if (s->state == SUBMISSION_DONE && s->operation == SUBMISSION_CHECKOUT && s->result) {
    CartCheckoutResult *result = checkout_result_parse(s->result, NULL, 0);
    size_t n = 0;
    buffer[0] = '\0';
    for (size_t i = 0; result && i < result->order_count && n < sizeof buffer; i++) {
      const Order *o = &result->orders[i];
      n += (size_t)snprintf(buffer + n, sizeof buffer - n, "%sorder %s %s", i ? ", " : "",
                            o->id ? o->id : "?", o->status ? o->status : "");
    }
    for (size_t i = 0; result && i < result->order_error_count && n < sizeof buffer; i++) {
      const OrderError *e = &result->order_errors[i];
      n += (size_t)snprintf(buffer + n, sizeof buffer - n, "%sgroup %s failed (%ld)", n ? ", " : "",
                            e->order_group_id ? e->order_group_id : "?", e->code);
    }
    if (!result || n == 0) {
      snprintf(buffer, sizeof buffer, "ordered");
    }
    checkout_result_free(result);
  } else if (s->state == SUBMISSION_DONE) {
    snprintf(buffer, sizeof buffer, "%s", s->operation == SUBMISSION_CREATE ? "created" : "saved");
  } else if (s->error) {
    snprintf(buffer, sizeof buffer, "%s", s->error);
  } else if (s->state == SUBMISSION_PENDING) {
    snprintf(buffer, sizeof buffer, "interrupted: not settled yet");
  } else {
    snprintf(buffer, sizeof buffer, "-");
  }
  return cli_clean(buffer);
}

static long line_count(const Submission *s) {
  if (!s->body) {
    return -1;
  }
  Cart *cart = cart_parse(s->body, NULL, 0);
  long count = cart ? (long)cart->line_items.count : -1;
  cart_free(cart);
  return count;
}

static bool put_string(cJSON *object, const char *name, const char *value) {
  return !value || cJSON_AddStringToObject(object, name, value) != NULL;
}

static bool put_number(cJSON *object, const char *name, double value) {
  return cJSON_AddNumberToObject(object, name, value) != NULL;
}

/* One submission as JSON: its fields, with the body and result as JSON rather than text. */
static cJSON *submission_to_json(const Submission *s) {
  cJSON *item = cJSON_CreateObject();
  char when[40], updated[40];
  cli_format_time(s->created_ms, when, sizeof when);
  cli_format_time(s->updated_ms, updated, sizeof updated);
  bool ok = item && put_string(item, "profile", s->profile) &&
            put_string(item, "operation", submission_operation_name(s->operation)) &&
            put_string(item, "state", submission_state_name(s->state)) &&
            put_string(item, "customerId", s->customer_id) &&
            put_string(item, "customerName", s->customer_name) &&
            put_string(item, "cartId", s->cart_id) &&
            put_string(item, "requestId", s->request_id) && put_string(item, "journaled", when) &&
            put_string(item, "updated", updated) &&
            put_number(item, "journaledMs", (double)s->created_ms) &&
            put_number(item, "attempts", s->attempts) &&
            (!s->http_status || put_number(item, "httpStatus", s->http_status)) &&
            (!s->error_code || put_number(item, "errorCode", s->error_code)) &&
            put_string(item, "error", s->error) && put_string(item, "resolution", s->resolution) &&
            put_string(item, "customerUserUpn", s->customer_user_upn);
  cJSON *body = ok && s->body ? cJSON_Parse(s->body) : NULL;
  if (ok && body) {
    ok = cJSON_AddItemToObject(item, "request", body);
    if (!ok) {
      cJSON_Delete(body);
    }
  }
  cJSON *result = ok && s->result ? cJSON_Parse(s->result) : NULL;
  if (ok && result) {
    ok = cJSON_AddItemToObject(item, "result", result);
    if (!ok) {
      cJSON_Delete(result);
    }
  }
  if (!ok) {
    cJSON_Delete(item);
    return NULL;
  }
  return item;
}

static cJSON *submissions_to_json(const Submission *items, size_t count) {
  cJSON *array = cJSON_CreateArray();
  for (size_t i = 0; array && i < count; i++) {
    cJSON *item = submission_to_json(&items[i]);
    if (!item || !cJSON_AddItemToArray(array, item)) {
      cJSON_Delete(item);
      cJSON_Delete(array);
      return NULL;
    }
  }
  return array;
}

/* ----- history ----- */

static int print_history(CliRun *run, const SubmissionList *list) {
  static const char *const headers[] = {"WHEN", "PROFILE", "OPERATION", "CUSTOMER",
                                        "CART", "LINES",   "OUTCOME",   "MS-REQUESTID"};
  CliTable *table = cli_table_new(8, headers);
  bool ok = table != NULL;
  for (size_t i = 0; ok && i < list->count; i++) {
    const Submission *s = &list->items[i];
    char when[40], lines[24] = "-";
    cli_format_time(s->created_ms, when, sizeof when);
    long count = line_count(s);
    if (count >= 0) {
      snprintf(lines, sizeof lines, "%ld", count);
    }
    char *outcome = outcome_words(s);
    char state[160];
    snprintf(state, sizeof state, "%s: %.140s", submission_state_name(s->state),
             outcome ? outcome : "?");
    const char *customer = s->customer_name ? s->customer_name : s->customer_id;
    const char *cells[] = {when,     s->profile,   submission_operation_name(s->operation),
                           customer, s->cart_id,   lines,
                           state,    s->request_id};
    ok = outcome && cli_table_add(table, cells);
    free(outcome);
  }
  if (ok) {
    cli_table_print(table, run->context->out, "");
  }
  cli_table_free(table);
  return ok ? CLI_EXIT_OK : cli_no_memory(run);
}

static int run_history(CliRun *run) {
  HistoryQuery query = {
      .profile = run->context->profile_name,
      .customer_id = cli_value(run, "--customer"),
  };
  const char *since = cli_value(run, "--since");
  if (since && !parse_date(since, &query.since_ms)) {
    return cli_usage_error(run,
                           "--since wants a date such as 2026-12-01 or 2026-12-01T09:30 (UTC); "
                           "\"%s\" is not one.",
                           since);
  }
  if (cli_flag(run, "--all-profiles")) {
    query.profile = NULL;
  }
  StateStore *store = cli_store(run);
  if (!store) {
    cli_message(run, "No history: the state store is not available.");
    return CLI_EXIT_CONFIG;
  }
  SubmissionList list = {0};
  char err[512];
  if (!state_history(store, &query, &list, err, sizeof err)) {
    cli_message(run, "pccart: could not read the history: %s", err);
    return CLI_EXIT_CONFIG;
  }
  int code;
  if (cli_flag(run, "--json")) {
    cJSON *json = submissions_to_json(list.items, list.count);
    code = json ? cli_print_json(run, json) : cli_no_memory(run);
  } else if (list.count == 0) {
    cli_message(run, "No submissions%s%s yet.", query.customer_id ? " for customer " : "",
                query.customer_id ? query.customer_id : "");
    code = CLI_EXIT_OK;
  } else {
    code = print_history(run, &list);
  }
  submission_list_clear(&list);
  return code;
}

/* ----- recover ----- */

static cJSON *autosave_to_json(const Autosave *a) {
  cJSON *item = cJSON_CreateObject();
  char when[40];
  cli_format_time(a->saved_ms, when, sizeof when);
  bool ok = item && put_string(item, "profile", a->profile) &&
            put_string(item, "customerId", a->customer_id) &&
            put_string(item, "customerName", a->customer_name) &&
            put_string(item, "cartId", a->cart_id) && put_string(item, "saved", when) &&
            put_number(item, "lines", a->line_count) &&
            cJSON_AddBoolToObject(item, "unsavedChanges", a->dirty) != NULL;
  if (!ok) {
    cJSON_Delete(item);
    return NULL;
  }
  return item;
}

static int run_recover(CliRun *run) {
  StateStore *store = cli_store(run);
  if (!store) {
    cli_message(run, "Nothing can be recovered: the state store is not available.");
    return CLI_EXIT_CONFIG;
  }
  int code = CLI_EXIT_OK;
  /* Making the client settles the journal (cli_client), as every command that talks to the
   * service does first; this command then shows what it did. */
  SubmissionList unresolved = {0};
  char err[512];
  bool listed =
      state_submissions_unresolved(store, run->context->profile_name, &unresolved, err, sizeof err);
  if (listed && unresolved.count && !cli_client(run, &code)) {
    submission_list_clear(&unresolved);
    return code;
  }
  submission_list_clear(&unresolved);
  AutosaveList autosaves = {0};
  if (!listed || !state_autosaves(store, &autosaves, err, sizeof err)) {
    cli_message(run, "pccart: could not read %s: %s", state_path(store), err);
    return CLI_EXIT_CONFIG;
  }
  const ReconcileReport *report = &run->reconciled;
  size_t still_unknown = 0;
  for (size_t i = 0; i < report->count; i++) {
    still_unknown += submission_state_unresolved(report->items[i].submission.state);
  }
  if (cli_flag(run, "--json")) {
    cJSON *root = cJSON_CreateObject();
    cJSON *settled = cJSON_AddArrayToObject(root, "submissions");
    cJSON *saves = cJSON_AddArrayToObject(root, "autosaves");
    bool ok = root && settled && saves;
    for (size_t i = 0; ok && i < report->count; i++) {
      cJSON *item = submission_to_json(&report->items[i].submission);
      ok = item && put_string(item, "summary", report->items[i].summary) &&
           cJSON_AddItemToArray(settled, item);
      if (!ok) {
        cJSON_Delete(item);
      }
    }
    for (size_t i = 0; ok && i < autosaves.count; i++) {
      cJSON *item = autosave_to_json(&autosaves.items[i]);
      ok = item && cJSON_AddItemToArray(saves, item);
      if (!ok) {
        cJSON_Delete(item);
      }
    }
    if (!ok) {
      cJSON_Delete(root);
      root = NULL;
    }
    code = root ? cli_print_json(run, root) : cli_no_memory(run);
  } else {
    FILE *out = run->context->out;
    if (report->count == 0) {
      fprintf(out, "No interrupted submissions for profile %s.\n",
              run->context->profile_name ? run->context->profile_name : "-");
    }
    for (size_t i = 0; i < report->count; i++) {
      char *clean = cli_clean(report->items[i].summary);
      fprintf(out, "%s\n", clean ? clean : "?");
      free(clean);
    }
    if (autosaves.count == 0) {
      fprintf(out, "No autosaved cart.\n");
    }
    for (size_t i = 0; i < autosaves.count; i++) {
      const Autosave *a = &autosaves.items[i];
      char when[40];
      cli_format_time(a->saved_ms, when, sizeof when);
      char *who = cli_clean(a->customer_name ? a->customer_name : a->customer_id);
      char *profile = cli_clean(a->profile);
      fprintf(out, "Autosaved cart of profile %s: %s, %ld line%s%s%s, %s at %s; %s\n",
              profile ? profile : "?", who ? who : "?", a->line_count,
              a->line_count == 1 ? "" : "s", a->cart_id ? ", cart " : "",
              a->cart_id ? a->cart_id : "", a->dirty ? "with unsaved changes" : "saved", when,
              a->dirty ? "open the app (pccart) to restore it." : "nothing to restore.");
      free(who);
      free(profile);
    }
  }
  if (code == CLI_EXIT_OK && (still_unknown || run->reconcile_failed)) {
    code = CLI_EXIT_UNKNOWN;
  }
  autosave_list_clear(&autosaves);
  return code;
}

/* ----- sandbox reset ----- */

static int run_sandbox_reset(CliRun *run) {
  const char *file = run->context->sandbox_state_file;
  if (!file || !run->context->reset_sandbox_state) {
    cli_message(run,
                "Profile %s has no in-process sandbox to reset. An external pccart-sandbox is "
                "reset with its control API (POST /_sandbox/reset, docs/sandbox.md).",
                run->context->profile_name ? run->context->profile_name : "-");
    return CLI_EXIT_USAGE;
  }
  char err[512];
  if (!run->context->reset_sandbox_state(file, err, sizeof err)) {
    cli_message(run, "pccart: %s", err);
    return CLI_EXIT_FAILURE;
  }
  cli_message(run,
              "The in-process sandbox starts afresh: its carts, orders and clock in %s are "
              "forgotten.",
              file);
  return CLI_EXIT_OK;
}

const CliCommand cli_history_commands[] = {
    {"history",
     "",
     NULL,
     0,
     0,
     "every cart submitted and checked out, newest first (the audit trail)",
     "Each create, update and checkout this machine sent for the profile: when, the customer,\n"
     "the cart, its lines, the outcome (order ids and statuses, or the error) and the\n"
     "MS-RequestId to trace it by. --json adds the request sent and the result received.",
     {{"--customer", "ID", "only this customer's"},
      {"--since", "DATE", "only from DATE on (2026-12-01, or 2026-12-01T09:30, UTC)"},
      {"--all-profiles", NULL, "every profile's, not only this one's"},
      {"--json", NULL, "print them as JSON"}},
     run_history,
     true},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, {{NULL, NULL, NULL}}, NULL, false},
};

const CliCommand cli_recover_commands[] = {
    {"recover",
     "",
     NULL,
     0,
     0,
     "settle interrupted submissions and list autosaved carts",
     "A create, update or checkout whose outcome an earlier run could not tell (a crash, a lost\n"
     "reply) is sent again with its own MS-RequestId, which never acts twice, and what became\n"
     "of it is told. Every command that talks to Partner Center does this first; this one also\n"
     "lists the autosaved carts the app offers to restore. Exit status 7 while any outcome is\n"
     "still unknown.",
     {{"--json", NULL, "print what was found as JSON"}},
     run_recover,
     false},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, {{NULL, NULL, NULL}}, NULL, false},
};

const CliCommand cli_sandbox_commands[] = {
    {"sandbox",
     "reset",
     NULL,
     0,
     0,
     "forget the in-process sandbox's carts, orders and clock",
     "With no configuration pccart's in-process sandbox keeps its carts and orders under\n"
     "$XDG_STATE_HOME/pccart/ so that commands and app runs see the same ones. This starts it\n"
     "afresh; processes running now see the empty sandbox at their next request.",
     {{NULL, NULL, NULL}},
     run_sandbox_reset,
     true},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, {{NULL, NULL, NULL}}, NULL, false},
};
