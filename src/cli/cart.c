/* `pccart cart ...`: create, show, update, validate (online or fully offline) and check out,
 * with a confirmation, a per-order-group result, and a safe way out when the outcome of a
 * checkout is unknown. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli_internal.h"
#include "model/order.h"

static int need_customer(CliRun *run, const char **customer) {
  *customer = cli_value(run, "--customer");
  if (!*customer) {
    return cli_usage_error(run, "`pccart cart %s` needs --customer ID.", run->command->verb);
  }
  return CLI_EXIT_OK;
}

/* --request-id, checked, or "" for the submission to choose; MS-RequestId is what makes a
 * repeat safe. */
static int request_id_of(CliRun *run, char out[37]) {
  const char *given = cli_value(run, "--request-id");
  if (!given) {
    out[0] = '\0'; /* the submission adopts an unsettled intent's id, or makes one */
    return CLI_EXIT_OK;
  }
  if (!model_is_guid(given)) {
    return cli_usage_error(run,
                           "--request-id must be a GUID such as "
                           "4fa6dad6-a89f-4875-8247-8294a10ae1cf; \"%s\" is not one.",
                           given);
  }
  for (size_t i = 0; i < 36; i++) {
    char c = given[i];
    out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
  }
  out[36] = '\0';
  return CLI_EXIT_OK;
}

/* ----- problems ----- */

/* "cart.json:14: quantity: Line item 1 has quantity 0; ... [code 800002]" */
static void print_problem(CliRun *run, const CartFile *file, const CartProblem *p) {
  int line = cart_file_line_of(file, p->line_index, p->addon_index, p->field);
  char where[64] = "";
  if (line > 0) {
    snprintf(where, sizeof where, ":%d", line);
  }
  cli_message(run, "%s%s: %s%s%s [code %ld]", file->name, where, p->field ? p->field : "",
              p->field ? ": " : "", p->description ? p->description : "(no description)", p->code);
}

/* The problems with, for each, the line in the file it is about. */
static cJSON *problems_to_json(const CartFile *file, const CartProblems *problems) {
  int *lines = problems->count ? calloc(problems->count, sizeof *lines) : NULL;
  if (problems->count && !lines) {
    return NULL;
  }
  for (size_t i = 0; i < problems->count; i++) {
    const CartProblem *p = &problems->items[i];
    lines[i] = cart_file_line_of(file, p->line_index, p->addon_index, p->field);
  }
  cJSON *json = cart_problems_to_json(problems, file->name, lines);
  free(lines);
  return json;
}

/* Request-level problems would make Partner Center refuse the whole cart (400, 800002); they
 * are found here first so every one of them is named, with its line in the file. */
static int precheck(CliRun *run, const CartFile *file) {
  CartProblems problems = {0};
  if (!cart_validate(file->cart, NULL, &problems)) {
    return cli_no_memory(run);
  }
  size_t count = 0;
  for (size_t i = 0; i < problems.count; i++) {
    if (problems.items[i].level == PROBLEM_REQUEST) {
      print_problem(run, file, &problems.items[i]);
      count++;
    }
  }
  cart_problems_clear(&problems);
  if (count) {
    cli_message(run,
                "Nothing was sent: Partner Center would refuse this cart (code 800002) for the "
                "%zu problem%s above.",
                count, count == 1 ? "" : "s");
    return CLI_EXIT_INVALID;
  }
  return CLI_EXIT_OK;
}

/* ----- create, show, update ----- */

static size_t count_line_errors(const Cart *cart) {
  size_t count = 0;
  for (size_t i = 0; i < cart->line_items.count; i++) {
    const CartLineItem *line = &cart->line_items.items[i];
    count += line->error != NULL;
    for (size_t j = 0; j < line->addon_items.count; j++) {
      count += line->addon_items.items[j].error != NULL;
    }
  }
  return count;
}

static int print_cart_result(CliRun *run, const Cart *cart, const char *customer) {
  int code = CLI_EXIT_OK;
  if (cli_flag(run, "--json")) {
    code = cli_print_json(run, cart_to_json(cart));
  } else if (!cli_print_cart(run, cart, run->context->out)) {
    code = cli_no_memory(run);
  }
  size_t errors = count_line_errors(cart);
  if (code == CLI_EXIT_OK && errors) {
    cli_message(run,
                "%zu line%s of cart %s came back with errors; fix them and run `pccart cart "
                "update --customer %s %s FILE` before checking out.",
                errors, errors == 1 ? "" : "s", cart->id ? cart->id : "", customer,
                cart->id ? cart->id : "CART_ID");
    code = CLI_EXIT_INVALID;
  }
  return code;
}

/* A create or update whose reply was lost: say how to repeat it without a duplicate. */
static int report_write_error(CliRun *run, const PcError *error, const char *request_id) {
  int code = cli_report_error(run, error);
  if (error->outcome_unknown) {
    char name[96];
    cli_message(run,
                "The outcome is unknown: Partner Center may have made the change. Repeat `pccart "
                "%s` with --request-id %s (running it again as it was also finds this id in "
                "the journal): Partner Center then answers with the first result instead of "
                "acting twice.",
                cli_command_name(run->command, name, sizeof name), request_id);
    code = CLI_EXIT_UNKNOWN;
  }
  return code;
}

/* The customer's company name, for the history; NULL when it cannot be read (the submission
 * goes on without it). Caller frees. */
static char *company_name_of(PcClient *client, const char *customer_id) {
  Customer customer = {0};
  PcError error = {0};
  char *name = NULL;
  if (pc_customer_get(client, customer_id, &customer, NULL, &error) && customer.company_name) {
    name = model_strdup(customer.company_name);
  }
  customer_clear(&customer);
  pc_error_clear(&error);
  return name;
}

/* Says that this run repeats an intent an earlier run left unsettled. */
static void tell_adopted(CliRun *run, const char *what, const char *request_id) {
  cli_message(run,
              "This repeats the %s an earlier run left unsettled (MS-RequestId %s): Partner "
              "Center answers with the first outcome instead of acting twice.",
              what, request_id);
}

/* Create (or update, for a file whose cart id is set) after the local pre-check: the one path
 * both commands take to the service (journaled, resolved: app/submit.h), and how its answer
 * is told. */
static int send_cart_file(CliRun *run, const char *customer, const CartFile *file,
                          char request_id[37], bool update) {
  int code = precheck(run, file);
  PcClient *client = code == CLI_EXIT_OK ? cli_client(run, &code) : NULL;
  if (!client) {
    return code;
  }
  SubmitJournal journal = cli_journal(run);
  SubmitPolicy policy = cli_submit_policy(run);
  char *company = journal.store ? company_name_of(client, customer) : NULL;
  SubmitIntent intent = {
      .operation = update ? SUBMISSION_UPDATE : SUBMISSION_CREATE,
      .customer_id = customer,
      .customer_name = company,
      .cart = file->cart,
      .adopt_unresolved = !cli_value(run, "--request-id"),
  };
  memcpy(intent.request_id, request_id, sizeof intent.request_id);
  SubmitResult result;
  bool sent = submit_run(client, &journal, &intent, &policy, &result);
  memcpy(request_id, intent.request_id, 37);
  if (result.adopted) {
    tell_adopted(run, update ? "update of this cart" : "create of this file for this customer",
                 request_id);
  }
  if (sent) {
    cli_note_cart(run, customer, result.cart);
    code = print_cart_result(run, result.cart, customer);
  } else {
    code = report_write_error(run, &result.error, request_id);
  }
  if (result.journal_warning[0]) {
    cli_message(run, "pccart: %s", result.journal_warning);
  }
  submit_result_clear(&result);
  free(company);
  return code;
}

/* What create and update read first: --customer, the intent's request id, and the cart file. */
static int cart_write_inputs(CliRun *run, const char *path, const char **customer,
                             char request_id[37], CartFile *file) {
  int code = need_customer(run, customer);
  if (code == CLI_EXIT_OK) {
    code = request_id_of(run, request_id);
  }
  if (code == CLI_EXIT_OK) {
    code = cart_file_load(run, path, file);
  }
  return code;
}

static int run_create(CliRun *run) {
  const char *customer;
  char request_id[37];
  CartFile file;
  int code = cart_write_inputs(run, run->positionals[0], &customer, request_id, &file);
  if (code != CLI_EXIT_OK) {
    return code;
  }
  code = send_cart_file(run, customer, &file, request_id, false);
  cart_file_clear(&file);
  return code;
}

static int run_show(CliRun *run) {
  const char *customer;
  int code = need_customer(run, &customer);
  PcClient *client = code == CLI_EXIT_OK ? cli_client(run, &code) : NULL;
  if (!client) {
    return code;
  }
  Cart *cart = NULL;
  PcError error = {0};
  if (!pc_cart_get(client, customer, run->positionals[0], &cart, NULL, &error)) {
    code = cli_report_error(run, &error);
  } else {
    cli_note_cart(run, customer, cart);
    /* The lines' errors are in the JSON; the exit code is for create and update. */
    code = cli_flag(run, "--json")
               ? cli_print_json(run, cart_to_json(cart))
               : (cli_print_cart(run, cart, run->context->out) ? CLI_EXIT_OK : cli_no_memory(run));
  }
  pc_error_clear(&error);
  cart_free(cart);
  return code;
}

static int run_update(CliRun *run) {
  const char *customer;
  char request_id[37];
  const char *cart_id = run->positionals[0];
  CartFile file;
  int code = cart_write_inputs(run, run->positionals[1], &customer, request_id, &file);
  if (code != CLI_EXIT_OK) {
    return code;
  }
  if (file.cart->id && strcasecmp(file.cart->id, cart_id) != 0) {
    cli_message(run, "The file holds cart %s; its lines replace those of cart %s as asked.",
                file.cart->id, cart_id);
  }
  free(file.cart->id);
  file.cart->id = model_strdup(cart_id);
  if (!file.cart->id) {
    cart_file_clear(&file);
    return cli_no_memory(run);
  }
  code = send_cart_file(run, customer, &file, request_id, true);
  cart_file_clear(&file);
  return code;
}

/* ----- validate ----- */

static int run_validate(CliRun *run) {
  const char *catalog_path = cli_value(run, "--catalog");
  const char *customer = cli_value(run, "--customer");
  if (catalog_path && customer) {
    return cli_usage_error(run, "Give either --catalog FILE (offline) or --customer ID, not both.");
  }
  CartFile file;
  int code = cart_file_load(run, run->positionals[0], &file);
  if (code != CLI_EXIT_OK) {
    return code;
  }
  Catalog *catalog = NULL;
  SubscriptionList subscriptions = {0};
  bool have_subscriptions = false;
  if (catalog_path) {
    code = catalog_file_load(run, catalog_path, &catalog);
  } else {
    PcClient *client = cli_client(run, &code);
    catalog = client ? catalog_new() : NULL;
    PcError error = {0};
    if (client && !catalog) {
      code = cli_no_memory(run);
    } else if (client && !pc_catalog_fetch(client, customer, catalog, &error)) {
      code = cli_report_error(run, &error);
    } else if (client && customer) {
      have_subscriptions = pc_subscriptions_list(client, customer, &subscriptions, NULL, &error);
      if (!have_subscriptions) {
        code = cli_report_error(run, &error);
      }
    }
    pc_error_clear(&error);
  }
  CartProblems problems = {0};
  if (code == CLI_EXIT_OK) {
    ValidationContext context = {
        .catalog = catalog,
        .customer_subscriptions = have_subscriptions ? &subscriptions : NULL,
    };
    if (!cart_validate(file.cart, &context, &problems)) {
      code = cli_no_memory(run);
    }
  }
  if (code == CLI_EXIT_OK) {
    if (cli_flag(run, "--json")) {
      cJSON *json = problems_to_json(&file, &problems);
      code = json ? cli_print_json(run, json) : cli_no_memory(run);
    } else {
      for (size_t i = 0; i < problems.count; i++) {
        print_problem(run, &file, &problems.items[i]);
      }
    }
  }
  if (code == CLI_EXIT_OK) {
    size_t request = 0;
    for (size_t i = 0; i < problems.count; i++) {
      request += problems.items[i].level == PROBLEM_REQUEST;
    }
    if (problems.count == 0) {
      cli_message(run, "%s: no problems in %zu line item%s.", file.name,
                  file.cart->line_items.count, file.cart->line_items.count == 1 ? "" : "s");
    } else {
      cli_message(run,
                  "%s: %zu problem%s: %zu would make Partner Center refuse the cart (800002), "
                  "%zu would come back as line errors.",
                  file.name, problems.count, problems.count == 1 ? "" : "s", request,
                  problems.count - request);
      code = CLI_EXIT_INVALID;
    }
    if (!have_subscriptions && !catalog_path) {
      cli_message(run,
                  "Reservation subscription ids were not checked; add --customer ID for that.");
    } else if (catalog_path) {
      cli_message(run, "Checked offline against %s; subscription ids were not checked.",
                  catalog_path);
    }
  }
  cart_problems_clear(&problems);
  subscription_list_clear(&subscriptions);
  catalog_free(catalog);
  cart_file_clear(&file);
  return code;
}

/* ----- checkout ----- */

static void print_order_groups(CliRun *run, const Cart *cart, FILE *out) {
  (void)run;
  fprintf(out, "Order groups:");
  size_t shown = 0;
  for (size_t i = 0; i < cart->line_items.count; i++) {
    const char *group = cart->line_items.items[i].order_group;
    bool seen = false;
    for (size_t j = 0; j < i && !seen; j++) {
      const char *other = cart->line_items.items[j].order_group;
      seen = (group && other && strcmp(group, other) == 0) || (!group && !other);
    }
    if (seen) {
      continue;
    }
    size_t lines = 0;
    for (size_t j = i; j < cart->line_items.count; j++) {
      const char *other = cart->line_items.items[j].order_group;
      lines += (group && other && strcmp(group, other) == 0) || (!group && !other);
    }
    char *clean = cli_clean(group ? group : "(none)");
    const char *cycle = billing_cycle_wire(cart->line_items.items[i].billing_cycle);
    fprintf(out, "%s %s (%zu line%s, %s)", shown ? "," : "", clean ? clean : "?", lines,
            lines == 1 ? "" : "s", cycle ? cycle : "no billing cycle");
    free(clean);
    shown++;
  }
  fprintf(out, "%s\n", shown ? "" : " none");
}

static bool ask(CliRun *run) {
  FILE *err = run->context->err;
  fprintf(err, "Check out? [y/N] ");
  fflush(err);
  char answer[64];
  if (!run->context->in || !fgets(answer, sizeof answer, run->context->in)) {
    fputc('\n', err);
    return false;
  }
  char *p = answer;
  while (*p == ' ' || *p == '\t') {
    p++;
  }
  size_t n = strcspn(p, " \t\r\n");
  p[n] = '\0';
  return strcasecmp(p, "y") == 0 || strcasecmp(p, "yes") == 0;
}

/* Shows what is about to be ordered and asks; CLI_EXIT_OK to go ahead. */
static int confirm(CliRun *run, PcClient *client, const char *customer, const char *cart_id) {
  Cart *cart = NULL;
  PcError error = {0};
  if (!pc_cart_get(client, customer, cart_id, &cart, NULL, &error)) {
    int code = cli_report_error(run, &error);
    pc_error_clear(&error);
    return code;
  }
  FILE *err = run->context->err;
  char *profile = cli_clean(run->context->profile_name ? run->context->profile_name : "");
  char *who = cli_clean(customer);
  fprintf(err, "Customer %s, profile %s (%s).\n", who ? who : "?", profile ? profile : "?",
          run->context->is_sandbox ? "sandbox: nothing real is ordered"
                                   : "LIVE: this places real orders");
  free(profile);
  free(who);
  bool ok = cli_print_cart(run, cart, err);
  if (ok) {
    fputc('\n', err);
    print_order_groups(run, cart, err);
  }
  if (cart->status == CART_STATUS_ORDERED) {
    fprintf(err, "This cart was already checked out: checking out again shows its orders and "
                 "orders nothing new.\n");
  }
  if (cli_cart_has_line_errors(cart)) {
    fprintf(err, "This cart has line errors: Partner Center will refuse the checkout (800009) "
                 "until they are fixed with `pccart cart update`.\n");
  }
  cart_free(cart);
  if (!ok) {
    return cli_no_memory(run);
  }
  if (!ask(run)) {
    cli_message(run, "Not checked out: nothing was ordered.");
    return CLI_EXIT_DECLINED;
  }
  return CLI_EXIT_OK;
}

static bool print_order(CliRun *run, const Order *order, FILE *out) {
  char *id = cli_clean(order->id);
  char *status = cli_clean(order->status);
  char *created = cli_clean(order->creation_date);
  const char *cycle = billing_cycle_wire(order->billing_cycle);
  bool ok = id && status && created;
  if (ok) {
    fprintf(out, "Order %s  status %s  billing %s  created %s\n", id, status, cycle ? cycle : "-",
            created);
  }
  free(id);
  free(status);
  free(created);
  static const char *const headers[] = {"#", "OFFER", "NAME", "QTY", "TERM", "SUBSCRIPTION"};
  CliTable *table = ok ? cli_table_new(6, headers) : NULL;
  ok = table != NULL;
  for (size_t i = 0; ok && i < order->line_item_count; i++) {
    const OrderLineItem *line = &order->line_items[i];
    char number[24] = "", quantity[24] = "";
    if (line->line_item_number.set) {
      snprintf(number, sizeof number, "%ld", line->line_item_number.value);
    }
    if (line->quantity.set) {
      snprintf(quantity, sizeof quantity, "%ld", line->quantity.value);
    }
    const char *cells[] = {
        number,   line->offer_id,      line->friendly_name,
        quantity, line->term_duration, line->subscription_id ? line->subscription_id : "(not yet)"};
    ok = cli_table_add(table, cells);
  }
  if (ok) {
    cli_table_print(table, out, "  ");
  }
  cli_table_free(table);
  (void)run;
  return ok;
}

static int print_checkout(CliRun *run, const CartCheckoutResult *result, const char *cart_id) {
  FILE *out = run->context->out;
  bool ok = true;
  fprintf(out, "Checked out cart %s: %zu order%s", cart_id, result->order_count,
          result->order_count == 1 ? "" : "s");
  if (result->order_error_count) {
    fprintf(out, ", %zu order group%s failed", result->order_error_count,
            result->order_error_count == 1 ? "" : "s");
  }
  fprintf(out, ".\n");
  for (size_t i = 0; ok && i < result->order_count; i++) {
    fputc('\n', out);
    ok = print_order(run, &result->orders[i], out);
  }
  if (ok && result->order_error_count) {
    fprintf(out, "\nOrder errors:\n");
    static const char *const headers[] = {"ORDER GROUP", "CODE", "DESCRIPTION"};
    CliTable *table = cli_table_new(3, headers);
    ok = table != NULL;
    for (size_t i = 0; ok && i < result->order_error_count; i++) {
      const OrderError *e = &result->order_errors[i];
      char code[24];
      snprintf(code, sizeof code, "%ld", e->code);
      const char *cells[] = {e->order_group_id, code, e->description};
      ok = cli_table_add(table, cells);
    }
    if (ok) {
      cli_table_print(table, out, "  ");
    }
    cli_table_free(table);
  }
  return ok ? CLI_EXIT_OK : cli_no_memory(run);
}

static int run_checkout(CliRun *run) {
  const char *customer;
  char request_id[37];
  int code = need_customer(run, &customer);
  if (code == CLI_EXIT_OK) {
    code = request_id_of(run, request_id);
  }
  if (code != CLI_EXIT_OK) {
    return code;
  }
  const char *cart_id = run->positionals[0];
  bool yes = cli_flag(run, "--yes");
  if (!yes && !run->context->interactive) {
    cli_message(run, "Not checked out: a checkout places orders and needs a confirmation, and "
                     "there is no terminal to ask on. Add --yes to check out without asking.");
    return CLI_EXIT_DECLINED;
  }
  PcClient *client = cli_client(run, &code);
  if (!client) {
    return code;
  }
  if (!yes) {
    code = confirm(run, client, customer, cart_id);
    if (code != CLI_EXIT_OK) {
      return code;
    }
  }
  SubmitJournal journal = cli_journal(run);
  SubmitPolicy policy = cli_submit_policy(run);
  char *company = journal.store ? company_name_of(client, customer) : NULL;
  SubmitIntent intent = {
      .operation = SUBMISSION_CHECKOUT,
      .customer_id = customer,
      .customer_name = company,
      .cart_id = cart_id,
      .customer_user_upn = cli_value(run, "--upn"),
      .adopt_unresolved = !cli_value(run, "--request-id"),
  };
  memcpy(intent.request_id, request_id, sizeof intent.request_id);
  SubmitResult submitted;
  bool ok = submit_run(client, &journal, &intent, &policy, &submitted);
  free(company);
  memcpy(request_id, intent.request_id, sizeof intent.request_id);
  if (submitted.adopted) {
    tell_adopted(run, "checkout of this cart", request_id);
  }
  if (submitted.journal_warning[0]) {
    cli_message(run, "pccart: %s", submitted.journal_warning);
  }
  if (!ok) {
    PcError *error = &submitted.error;
    code = cli_report_error(run, error);
    if (error->outcome_unknown) {
      cli_message(run,
                  "The outcome of this checkout is unknown: Partner Center may have placed the "
                  "orders. Its MS-RequestId is %s.",
                  request_id);
      cli_message(run,
                  "Re-running `pccart cart checkout --customer %s %s --request-id %s%s` is safe: "
                  "it will not order twice, and shows the orders if they were placed. Or check "
                  "with `pccart cart show --customer %s %s` (status Ordered means it went "
                  "through).",
                  customer, cart_id, request_id, yes ? " --yes" : "", customer, cart_id);
      code = CLI_EXIT_UNKNOWN;
      pc_log_write(run->context->log, PC_LOG_WARN,
                   "cli: checkout of cart %s for customer %s, MS-RequestId %s: outcome unknown",
                   cart_id, customer, request_id);
    }
    submit_result_clear(&submitted);
    return code;
  }
  CartCheckoutResult *result = submitted.checkout;
  submitted.checkout = NULL;
  submit_result_clear(&submitted);
  /* The audit trail of what was ordered, with the id to trace it by. */
  pc_log_write(run->context->log, PC_LOG_INFO,
               "cli: checkout of cart %s for customer %s, MS-RequestId %s: %zu order(s), %zu "
               "order group(s) failed",
               cart_id, customer, request_id, result->order_count, result->order_error_count);
  if (cli_flag(run, "--json")) {
    code = cli_print_json(run, checkout_result_to_json(result));
  } else {
    code = print_checkout(run, result, cart_id);
  }
  if (code == CLI_EXIT_OK && result->order_error_count) {
    if (result->order_count) {
      cli_message(run,
                  "Partly checked out: %zu order group%s failed (listed in the result) and the "
                  "others were ordered. Checking out this cart again will not retry the failed "
                  "groups; put their lines in a new cart.",
                  result->order_error_count, result->order_error_count == 1 ? "" : "s");
      code = CLI_EXIT_PARTIAL;
    } else {
      cli_message(run, "Nothing was ordered: every order group failed. The cart is still active; "
                       "checking it out again retries.");
      code = CLI_EXIT_FAILURE;
    }
  }
  checkout_result_free(result);
  return code;
}

#define CUSTOMER_OPTION                                                                            \
  { "--customer", "ID", "the customer the cart belongs to (required)" }
#define REQUEST_ID_OPTION                                                                          \
  { "--request-id", "ID", "the MS-RequestId to use (repeat a lost call safely)" }

const CliCommand cli_cart_commands[] = {
    {"cart",
     "create",
     "FILE",
     1,
     1,
     "create a cart from a JSON file (\"-\": standard input)",
     "The file is a cart as Partner Center documents it: {\"lineItems\":[...]}, PascalCase or\n"
     "camelCase, /* annotations */ allowed, or a whole cart as `cart show --json` prints it.",
     {CUSTOMER_OPTION, REQUEST_ID_OPTION, {"--json", NULL, "print the created cart as JSON"}},
     run_create,
     false},
    {"cart",
     "show",
     "CART_ID",
     1,
     1,
     "show a cart: header and lines with their errors",
     "`pccart cart show ... --json > FILE` writes a cart file that create, update and validate "
     "read.",
     {CUSTOMER_OPTION, {"--json", NULL, "print the cart as JSON"}},
     run_show,
     false},
    {"cart",
     "update",
     "CART_ID FILE",
     2,
     2,
     "replace every line of a cart with the file's",
     NULL,
     {CUSTOMER_OPTION, REQUEST_ID_OPTION, {"--json", NULL, "print the updated cart as JSON"}},
     run_update,
     false},
    {"cart",
     "validate",
     "FILE",
     1,
     1,
     "check a cart file against the catalog, as Partner Center would",
     "Every problem is printed as FILE:LINE: field: sentence [code]. With --catalog the check\n"
     "is fully offline (a file from `pccart catalog export`); otherwise the catalog is fetched,\n"
     "and with --customer the customer's subscriptions are checked too.",
     {{"--catalog", "FILE", "an exported catalog (offline)"},
      {"--customer", "ID", "fetch this customer's catalog and subscriptions"},
      {"--json", NULL, "print the problems as JSON"}},
     run_validate,
     false},
    {"cart",
     "checkout",
     "CART_ID",
     1,
     1,
     "check a cart out: one order per order group",
     "Shows the cart and asks before ordering, unless --yes. Exit status 6 means some order\n"
     "groups failed and the others were ordered; 7 means the outcome is unknown: repeat with\n"
     "the --request-id printed, which never orders twice.",
     {CUSTOMER_OPTION,
      {"--yes", NULL, "do not ask for a confirmation"},
      {"--upn", "UPN", "the customer user to assign licences to (x-ms-customeruser-upn)"},
      REQUEST_ID_OPTION,
      {"--json", NULL, "print the checkout result as JSON"}},
     run_checkout,
     false},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, {{NULL, NULL, NULL}}, NULL, false},
};
