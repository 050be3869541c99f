/* `pccart customers ...`: list and search (following continuation tokens up to a limit) and
 * one customer with its subscriptions. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli_internal.h"
#include "model/customer.h"

#define CUSTOMERS_DEFAULT_LIMIT 100
#define CUSTOMERS_MAX_LIMIT 100000
#define CUSTOMERS_MAX_PAGE 500

/* Pages until `limit` customers or the last page; *more tells whether the service had more. */
static int collect(CliRun *run, PcCustomerField field, const char *prefix, long limit,
                   CustomerPage **out, bool *more) {
  int code = CLI_EXIT_OK;
  PcClient *client = cli_client(run, &code);
  if (!client) {
    return code;
  }
  CustomerPage *all = customer_page_new();
  if (!all) {
    return cli_no_memory(run);
  }
  char *token = NULL;
  *more = false;
  for (;;) {
    PcCustomerQuery query = {
        .size = limit < CUSTOMERS_MAX_PAGE ? limit : CUSTOMERS_MAX_PAGE,
        .field = field,
        .prefix = prefix,
        .continuation_token = token,
    };
    CustomerPage *page = NULL;
    PcError error = {0};
    if (!pc_customers_list(client, &query, &page, NULL, &error)) {
      code = cli_report_error(run, &error);
      pc_error_clear(&error);
      break;
    }
    size_t taken = 0;
    for (; taken < page->count && (long)all->count < limit; taken++) {
      Customer *copy = customer_page_add(all);
      if (!copy || !customer_copy(copy, &page->items[taken])) {
        code = cli_no_memory(run);
        break;
      }
    }
    free(token);
    token = page->continuation_token ? model_strdup(page->continuation_token) : NULL;
    bool page_had_more = taken < page->count;
    bool empty = page->count == 0;
    customer_page_free(page);
    if (code != CLI_EXIT_OK) {
      break;
    }
    if ((long)all->count >= limit || !token) {
      *more = page_had_more || token != NULL;
      break;
    }
    if (empty) { /* a token with nothing on its page would loop for ever */
      *more = true;
      break;
    }
  }
  free(token);
  if (code != CLI_EXIT_OK) {
    customer_page_free(all);
    return code;
  }
  all->total_count = opt_int((long)all->count);
  *out = all;
  return CLI_EXIT_OK;
}

static int print_customers(CliRun *run, CustomerPage *page, bool more, long limit) {
  int code = CLI_EXIT_OK;
  if (cli_flag(run, "--json")) {
    code = cli_print_json(run, customer_page_to_json(page));
  } else {
    static const char *const headers[] = {"ID", "COMPANY", "DOMAIN", "RELATIONSHIP"};
    CliTable *table = cli_table_new(4, headers);
    bool ok = table != NULL;
    for (size_t i = 0; ok && i < page->count; i++) {
      const Customer *c = &page->items[i];
      const char *cells[] = {c->id, c->company_name, c->domain, c->relationship_to_partner};
      ok = cli_table_add(table, cells);
    }
    if (ok) {
      cli_table_print(table, run->context->out, "");
    } else {
      code = cli_no_memory(run);
    }
    cli_table_free(table);
  }
  if (code == CLI_EXIT_OK) {
    if (more) {
      cli_message(run, "%zu customers shown; there are more: use --limit to see more than %ld.",
                  page->count, limit);
    } else if (page->count == 0) {
      cli_message(run, "No customers found.");
    }
  }
  return code;
}

static int read_limit(CliRun *run, long *limit) {
  *limit = CUSTOMERS_DEFAULT_LIMIT;
  const char *text = cli_value(run, "--limit");
  if (text && !cli_parse_count(run, "--limit", text, CUSTOMERS_MAX_LIMIT, limit)) {
    return CLI_EXIT_USAGE;
  }
  return CLI_EXIT_OK;
}

static int run_list(CliRun *run) {
  long limit;
  int code = read_limit(run, &limit);
  CustomerPage *page = NULL;
  bool more = false;
  if (code == CLI_EXIT_OK) {
    code = collect(run, PC_CUSTOMER_ALL, NULL, limit, &page, &more);
  }
  if (code == CLI_EXIT_OK) {
    code = print_customers(run, page, more, limit);
  }
  customer_page_free(page);
  return code;
}

static int run_search(CliRun *run) {
  long limit;
  int code = read_limit(run, &limit);
  const char *prefix = run->positionals[0];
  if (code == CLI_EXIT_OK && strlen(prefix) > 256) {
    code = cli_usage_error(run, "The search prefix is longer than 256 characters.");
  }
  CustomerPage *page = NULL;
  bool more = false;
  if (code == CLI_EXIT_OK) {
    PcCustomerField field =
        cli_flag(run, "--domain") ? PC_CUSTOMER_BY_DOMAIN : PC_CUSTOMER_BY_COMPANY_NAME;
    code = collect(run, field, prefix, limit, &page, &more);
  }
  if (code == CLI_EXIT_OK) {
    code = print_customers(run, page, more, limit);
  }
  customer_page_free(page);
  return code;
}

static void field_line(CliRun *run, CliTable *table, const char *name, const char *value,
                       bool *ok) {
  const char *cells[] = {name, value};
  if (*ok && value) {
    *ok = cli_table_add(table, cells);
  }
  (void)run;
}

static int print_customer(CliRun *run, const Customer *c, const SubscriptionList *subs) {
  FILE *out = run->context->out;
  const char *const pair[] = {"Customer", c->id ? c->id : "-"};
  CliTable *fields = cli_table_new(2, pair);
  bool ok = fields != NULL;
  char contact[512] = "";
  if (c->billing_first_name || c->billing_last_name || c->billing_email) {
    snprintf(contact, sizeof contact, "%s%s%s%s%s%s",
             c->billing_first_name ? c->billing_first_name : "", c->billing_last_name ? " " : "",
             c->billing_last_name ? c->billing_last_name : "", c->billing_email ? " <" : "",
             c->billing_email ? c->billing_email : "", c->billing_email ? ">" : "");
  }
  field_line(run, fields, "Company", c->company_name, &ok);
  field_line(run, fields, "Domain", c->domain, &ok);
  field_line(run, fields, "Tenant", c->tenant_id, &ok);
  field_line(run, fields, "Commerce id", c->commerce_id, &ok);
  field_line(run, fields, "Relationship", c->relationship_to_partner, &ok);
  field_line(run, fields, "Billing", contact[0] ? contact : NULL, &ok);
  field_line(run, fields, "Country", c->billing_address.country, &ok);
  if (ok) {
    cli_table_print(fields, out, "");
  }
  cli_table_free(fields);
  if (!ok) {
    return cli_no_memory(run);
  }
  fprintf(out, "\nSubscriptions (%zu)\n", subs->count);
  if (subs->count == 0) {
    return CLI_EXIT_OK;
  }
  static const char *const headers[] = {"ID", "OFFER", "NAME", "QTY", "STATUS", "BILLING", "TERM"};
  CliTable *table = cli_table_new(7, headers);
  ok = table != NULL;
  for (size_t i = 0; ok && i < subs->count; i++) {
    const Subscription *s = &subs->items[i];
    char quantity[24] = "";
    if (s->quantity.set) {
      snprintf(quantity, sizeof quantity, "%ld", s->quantity.value);
    }
    const char *cells[] = {
        s->id,           s->offer_id, s->friendly_name ? s->friendly_name : s->offer_name,
        quantity,        s->status,   billing_cycle_wire(s->billing_cycle),
        s->term_duration};
    ok = cli_table_add(table, cells);
  }
  if (ok) {
    cli_table_print(table, out, "  ");
  }
  cli_table_free(table);
  return ok ? CLI_EXIT_OK : cli_no_memory(run);
}

static int run_show(CliRun *run) {
  int code = CLI_EXIT_OK;
  PcClient *client = cli_client(run, &code);
  if (!client) {
    return code;
  }
  const char *id = run->positionals[0];
  Customer customer = {0};
  SubscriptionList subs = {0};
  PcError error = {0};
  if (!pc_customer_get(client, id, &customer, NULL, &error)) {
    code = cli_report_error(run, &error);
  } else if (!pc_subscriptions_list(client, id, &subs, NULL, &error)) {
    code = cli_report_error(run, &error);
  } else if (cli_flag(run, "--json")) {
    cJSON *root = cJSON_CreateObject();
    cJSON *c = customer_to_json(&customer);
    cJSON *s = subscription_list_to_json(&subs);
    bool ok = root && c && s && cJSON_AddItemToObject(root, "customer", c);
    if (!ok) {
      cJSON_Delete(c);
    }
    if (!ok || !cJSON_AddItemToObject(root, "subscriptions", s)) {
      cJSON_Delete(s);
      cJSON_Delete(root);
      code = cli_no_memory(run);
    } else {
      code = cli_print_json(run, root);
    }
  } else {
    code = print_customer(run, &customer, &subs);
  }
  pc_error_clear(&error);
  customer_clear(&customer);
  subscription_list_clear(&subs);
  return code;
}

const CliCommand cli_customers_commands[] = {
    {"customers",
     "list",
     NULL,
     0,
     0,
     "list customers, following pages up to --limit",
     NULL,
     {{"--limit", "N", "at most N customers (default 100)"},
      {"--json", NULL, "print the customers as Partner Center JSON (a Collection)"}},
     run_list,
     false},
    {"customers",
     "search",
     "PREFIX",
     1,
     1,
     "customers whose company name (or domain) starts with PREFIX",
     "The match is case-insensitive, as Partner Center's starts_with filter.",
     {{"--domain", NULL, "match the domain instead of the company name"},
      {"--limit", "N", "at most N customers (default 100)"},
      {"--json", NULL, "print the customers as Partner Center JSON (a Collection)"}},
     run_search,
     false},
    {"customers",
     "show",
     "ID",
     1,
     1,
     "one customer and its subscriptions",
     NULL,
     {{"--json", NULL, "print {\"customer\":..,\"subscriptions\":..} as Partner Center JSON"}},
     run_show,
     false},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, {{NULL, NULL, NULL}}, NULL, false},
};
