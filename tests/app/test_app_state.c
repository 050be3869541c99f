/* The app-state model's transitions without a terminal or a server: customer pages, the local
 * filter and the server search (stale replies dropped), selection, picking a customer, cart
 * edits and renumbering, save / edit / dirty, MS-RequestId reuse after an unknown outcome,
 * checkout refusals and results, messages, change bits, and draft files. Results are
 * synthesized JobResults, exactly as the worker hands them over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/app.h"
#include "fixtures.h"
#include "sandbox/seed.h"

#define SAAS_ITEM "DZH318Z0BXWC:0002:DZH318Z0BMRV"

static long next_id = 100;

/* ----- helpers ----- */

static AppState *new_state(void) {
  AppOptions options = {.profile_name = "sandbox", .page_size = 50};
  AppState *state = app_new(&options);
  assert_non_null(state);
  assert_int_equal(app_take_changes(state), APP_CHANGED_ALL);
  return state;
}

/* Hands the next job to a pretend worker: returns it (the test owns it) and its id. */
static Job *submit(AppState *state, long *id) {
  Job *job = app_next_job(state);
  assert_non_null(job);
  assert_null(app_next_job(state)); /* one at a time until app_job_submitted */
  *id = ++next_id;
  app_job_submitted(state, *id, NULL);
  return job;
}

static JobResult *result_for(Job *job, long id, bool ok) {
  JobResult *result = calloc(1, sizeof *result);
  assert_non_null(result);
  result->event = JOB_FINISHED;
  result->job_id = id;
  result->kind = job->kind;
  result->ok = ok;
  result->job = job;
  return result;
}

static void customer_set(Customer *c, const char *id, const char *name, const char *domain) {
  c->id = model_strdup(id);
  c->company_name = model_strdup(name);
  c->domain = model_strdup(domain);
  assert_non_null(c->id);
}

typedef struct Row {
  const char *id, *name, *domain;
} Row;

static CustomerPage *page_of(const Row *rows, size_t count, const char *continuation) {
  CustomerPage *page = customer_page_new();
  assert_non_null(page);
  for (size_t i = 0; i < count; i++) {
    Customer *c = customer_page_add(page);
    assert_non_null(c);
    customer_set(c, rows[i].id, rows[i].name, rows[i].domain);
  }
  page->continuation_token = continuation ? model_strdup(continuation) : NULL;
  return page;
}

static const Row ROWS[] = {
    {"11111111-0000-0000-0000-000000000001", "Contoso Ltd", "contoso.onmicrosoft.com"},
    {"22222222-0000-0000-0000-000000000002", "Fabrikam Inc", "fabrikam.com"},
    {"33333333-0000-0000-0000-000000000003", "Café Zürich AG", "cafe-zurich.ch"},
    {"44444444-0000-0000-0000-000000000004", "Northwind Traders", "northwind.example"},
    {"55555555-0000-0000-0000-0000000000ab", "Contoso Pharma", "pharma.example"},
};

/* Loads ROWS as one complete page. */
static void load_all_rows(AppState *state) {
  assert_true(app_customers_load_more(state));
  long id;
  Job *job = submit(state, &id);
  assert_int_equal(job->kind, JOB_CUSTOMERS_LIST);
  JobResult *r = result_for(job, id, true);
  r->customer_page = page_of(ROWS, 5, NULL);
  app_apply_result(state, r);
  assert_int_equal(state->customers.count, 5);
  assert_int_equal(state->jobs_in_flight, 0);
}

/* A state with ROWS loaded and the first customer picked; its catalog jobs drained. */
static AppState *picked_state(void) {
  AppState *state = new_state();
  load_all_rows(state);
  char why[256] = "";
  assert_true(app_customer_pick(state, why, sizeof why));
  while (state->outbox_count) {
    long id;
    job_free(submit(state, &id));
  }
  /* The pretend worker never answers them: forget them as a cancel would. */
  state->catalog.products_job = state->catalog.subscriptions_job = 0;
  state->jobs_in_flight = 0;
  app_take_changes(state);
  return state;
}

static CartLineItem saas_line(long quantity) {
  CartLineItem line = {0};
  line.catalog_item_id = model_strdup(SAAS_ITEM);
  line.quantity = opt_int(quantity);
  line.billing_cycle = BILLING_CYCLE_MONTHLY;
  line.term_duration = model_strdup("P1M");
  return line;
}

static void add_saas(AppState *state, long quantity) {
  CartLineItem line = saas_line(quantity);
  char why[256] = "";
  bool ok = app_cart_add_line(state, &line, why, sizeof why);
  cart_line_item_clear(&line);
  if (!ok) {
    fail_msg("app_cart_add_line: %s", why);
  }
}

/* The server's answer to a save: the lines sent, an id and an expiry, optionally an error on
 * line error_line (-1 for none). */
static Cart *server_cart(const Cart *sent, const char *id, long error_line) {
  Cart *cart = cart_clone(sent);
  assert_non_null(cart);
  free(cart->id);
  cart->id = model_strdup(id);
  cart->status = CART_STATUS_ACTIVE;
  free(cart->expiration_timestamp);
  cart->expiration_timestamp = model_strdup("2030-01-02T03:04:05.6062996Z");
  for (size_t i = 0; i < cart->line_items.count; i++) {
    free(cart->line_items.items[i].order_group);
    cart->line_items.items[i].order_group = model_strdup("0");
  }
  if (error_line >= 0) {
    cart->line_items.items[error_line].error =
        cart_error_new(CART_ERROR_INVALID_INPUT, "The quantity is not valid.");
  }
  return cart;
}

/* Saves and answers the save with a server cart. */
static void save_ok(AppState *state, const char *cart_id, long error_line) {
  char why[256] = "";
  if (!app_cart_save(state, why, sizeof why)) {
    fail_msg("app_cart_save: %s", why);
  }
  long id;
  Job *job = submit(state, &id);
  JobResult *r = result_for(job, id, true);
  r->cart = server_cart(job->cart, cart_id, error_line);
  r->info.response_body = model_strdup("{\"id\":\"saved\"}");
  r->info.status = 201;
  app_apply_result(state, r);
}

static bool take_message(AppState *state, AppMessage *out) {
  bool got = false;
  AppMessage m;
  while (app_take_message(state, &m)) { /* the newest */
    *out = m;
    got = true;
  }
  return got;
}

/* ----- customers ----- */

static void test_customer_pages(void **unused) {
  (void)unused;
  AppState *state = new_state();
  assert_false(app_busy(state));
  assert_true(app_customers_load_more(state));
  assert_false(app_customers_load_more(state)); /* a page is already on its way */
  assert_true(app_busy(state));
  long id;
  Job *job = submit(state, &id);
  assert_int_equal(job->kind, JOB_CUSTOMERS_LIST);
  assert_int_equal(job->customer_field, PC_CUSTOMER_ALL);
  assert_int_equal(job->page_size, 50);
  assert_null(job->continuation_token);
  assert_int_equal(state->customers.job_id, id);
  assert_int_equal(state->jobs_in_flight, 1);
  assert_int_equal(app_cancel_target(state), id);
  app_take_changes(state);

  JobResult *r = result_for(job, id, true);
  r->customer_page = page_of(ROWS, 3, "token-2");
  app_apply_result(state, r);
  assert_int_equal(state->customers.count, 3);
  assert_int_equal(state->customers.visible_count, 3);
  assert_string_equal(state->customers.continuation, "token-2");
  assert_int_equal(state->customers.job_id, 0);
  assert_int_equal(state->jobs_in_flight, 0);
  assert_false(app_busy(state));
  assert_true(app_take_changes(state) & APP_CHANGED_CUSTOMERS);
  assert_string_equal(app_customer_visible(state, 2)->company_name, "Café Zürich AG");
  assert_string_equal(app_customer_visible(state, 0)->search_key,
                      "contoso ltd\tcontoso.onmicrosoft.com\t11111111-0000-0000-0000-000000000001");

  assert_true(app_customers_load_more(state));
  job = submit(state, &id);
  assert_string_equal(job->continuation_token, "token-2");
  r = result_for(job, id, true);
  r->customer_page = page_of(ROWS + 3, 2, NULL);
  app_apply_result(state, r);
  assert_int_equal(state->customers.count, 5);
  assert_int_equal(state->customers.visible_count, 5);
  assert_null(state->customers.continuation);
  assert_string_equal(app_customer_visible(state, 4)->id, ROWS[4].id);
  assert_false(app_customers_load_more(state)); /* everything is loaded */
  assert_null(app_customer_visible(state, 5));
  app_free(state);
}

static void visible_names(const AppState *state, char *out, size_t size) {
  out[0] = '\0';
  for (size_t i = 0; i < state->customers.visible_count; i++) {
    size_t used = strlen(out);
    snprintf(out + used, size - used, "%s%s", i ? "|" : "",
             app_customer_visible(state, i)->company_name);
  }
}

static void test_local_filter(void **unused) {
  (void)unused;
  AppState *state = new_state();
  load_all_rows(state);
  app_take_changes(state);
  char names[512];

  app_customers_set_filter(state, "CONTOSO");
  visible_names(state, names, sizeof names);
  assert_string_equal(names, "Contoso Ltd|Contoso Pharma");
  assert_int_equal(state->outbox_count, 0); /* the list is complete: no server search */
  assert_true(app_take_changes(state) & APP_CHANGED_CUSTOMERS);

  app_customers_set_filter(state, "contoso p"); /* narrows what is visible */
  visible_names(state, names, sizeof names);
  assert_string_equal(names, "Contoso Pharma");

  app_customers_set_filter(state, "fabrikam.com"); /* the domain */
  visible_names(state, names, sizeof names);
  assert_string_equal(names, "Fabrikam Inc");

  app_customers_set_filter(state, "0000000000AB"); /* the id, any case */
  visible_names(state, names, sizeof names);
  assert_string_equal(names, "Contoso Pharma");

  app_customers_set_filter(state, "zurich"); /* Latin-1 letters folded */
  visible_names(state, names, sizeof names);
  assert_string_equal(names, "Café Zürich AG");
  app_customers_set_filter(state, "CAFÉ ZÜR");
  visible_names(state, names, sizeof names);
  assert_string_equal(names, "Café Zürich AG");

  app_customers_set_filter(state, "no such customer");
  assert_int_equal(state->customers.visible_count, 0);
  assert_null(app_customer_visible(state, 0));
  char why[256] = "";
  assert_false(app_customer_pick(state, why, sizeof why));
  assert_non_null(strstr(why, "No customer is selected"));

  app_customers_set_filter(state, "");
  assert_int_equal(state->customers.visible_count, 5);
  assert_int_equal(state->outbox_count, 0);
  app_free(state);
}

static void test_selection_clamped(void **unused) {
  (void)unused;
  AppState *state = new_state();
  load_all_rows(state);
  app_take_changes(state);
  app_customers_select(state, 3);
  assert_int_equal(state->customers.selected, 3);
  assert_true(app_take_changes(state) & APP_CHANGED_CUSTOMERS);
  app_customers_select(state, 1000);
  assert_int_equal(state->customers.selected, 4);
  app_customers_set_filter(state, "contoso");
  assert_int_equal(state->customers.selected, 1); /* two visible */
  app_customers_set_filter(state, "nothing matches");
  assert_int_equal(state->customers.selected, 0);
  app_customers_select(state, 7);
  assert_int_equal(state->customers.selected, 0);
  app_free(state);
}

static void test_server_search(void **unused) {
  (void)unused;
  AppState *state = new_state();
  assert_true(app_customers_load_more(state));
  long id;
  Job *job = submit(state, &id);
  JobResult *r = result_for(job, id, true);
  r->customer_page = page_of(ROWS, 2, "more"); /* incomplete */
  app_apply_result(state, r);

  /* The loaded items cannot hold every match: a prefix search on company name goes out. */
  app_customers_set_filter(state, "Nor");
  assert_int_equal(state->customers.visible_count, 0); /* locally, at once */
  assert_int_equal(state->outbox_count, 1);
  app_customers_set_filter(state, "North"); /* the queued search still covers it */
  assert_int_equal(state->outbox_count, 1);
  job = submit(state, &id);
  assert_int_equal(job->customer_field, PC_CUSTOMER_BY_COMPANY_NAME);
  assert_string_equal(job->customer_prefix, "Nor");
  assert_null(job->continuation_token);
  r = result_for(job, id, true);
  r->customer_page = page_of(ROWS + 3, 1, NULL);
  app_apply_result(state, r);
  assert_int_equal(state->customers.count, 1); /* replaced */
  assert_string_equal(state->customers.loaded_prefix, "Nor");
  assert_int_equal(state->customers.visible_count, 1);
  assert_string_equal(app_customer_visible(state, 0)->company_name, "Northwind Traders");

  app_customers_set_filter(state, "northwind t"); /* starts with the loaded prefix */
  assert_int_equal(state->outbox_count, 0);
  assert_int_equal(state->customers.visible_count, 1);

  /* A search in flight, then another: the first one's reply is stale and dropped. */
  app_customers_set_filter(state, "Fab");
  Job *first = submit(state, &id);
  long first_id = id;
  assert_string_equal(first->customer_prefix, "Fab");
  app_customers_set_filter(state, "Con");
  Job *second = submit(state, &id);
  assert_string_equal(second->customer_prefix, "Con");
  assert_int_equal(state->jobs_in_flight, 2);
  r = result_for(first, first_id, true);
  r->customer_page = page_of(ROWS + 1, 1, NULL);
  app_apply_result(state, r);
  assert_int_equal(state->jobs_in_flight, 1);
  assert_int_equal(state->customers.count, 1);
  assert_string_equal(state->customers.items[0].company_name, "Northwind Traders");
  assert_int_equal(state->customers.job_id, id);
  Row contosos[] = {ROWS[0], ROWS[4]};
  r = result_for(second, id, true);
  r->customer_page = page_of(contosos, 2, NULL);
  app_apply_result(state, r);
  assert_int_equal(state->customers.count, 2);
  assert_int_equal(state->customers.visible_count, 2);
  assert_string_equal(state->customers.loaded_prefix, "Con");

  /* Back to no filter: the whole list is asked for again. */
  app_customers_set_filter(state, "");
  job = submit(state, &id);
  assert_int_equal(job->customer_field, PC_CUSTOMER_ALL);
  assert_null(job->customer_prefix);
  r = result_for(job, id, true);
  r->customer_page = page_of(ROWS, 5, NULL);
  app_apply_result(state, r);
  assert_null(state->customers.loaded_prefix);
  assert_int_equal(state->customers.visible_count, 5);
  app_free(state);
}

/* A filter that looks like a domain is searched by domain (a company-name prefix search would
 * find nothing for "contoso.onmi"); the local filter is unchanged; a domain search covers the
 * filters that extend it, and a filter that stops looking like a domain goes back to company
 * names. */
static void test_server_search_by_domain(void **unused) {
  (void)unused;
  AppState *state = new_state();
  assert_true(app_customers_load_more(state));
  long id;
  Job *job = submit(state, &id);
  JobResult *r = result_for(job, id, true);
  r->customer_page = page_of(ROWS + 1, 2, "more"); /* incomplete, without Contoso */
  app_apply_result(state, r);

  app_customers_set_filter(state, "contoso.onmi");
  assert_int_equal(state->customers.visible_count, 0); /* locally, at once */
  assert_int_equal(state->outbox_count, 1);
  app_customers_set_filter(state, "contoso.onmicro"); /* the queued search still covers it */
  assert_int_equal(state->outbox_count, 1);
  job = submit(state, &id);
  assert_int_equal(job->customer_field, PC_CUSTOMER_BY_DOMAIN);
  assert_string_equal(job->customer_prefix, "contoso.onmi");
  r = result_for(job, id, true);
  r->customer_page = page_of(ROWS, 1, NULL);
  app_apply_result(state, r);
  assert_int_equal(state->customers.count, 1);
  assert_string_equal(state->customers.loaded_prefix, "contoso.onmi");
  assert_int_equal(state->customers.visible_count, 1);
  assert_string_equal(app_customer_visible(state, 0)->domain, "contoso.onmicrosoft.com");

  /* Typing on within the domain: covered by the loaded search, filtered locally. */
  app_customers_set_filter(state, "contoso.onmicrosoft.com");
  assert_int_equal(state->outbox_count, 0);
  assert_int_equal(state->customers.visible_count, 1);
  app_customers_set_filter(state, "contoso.onmicrosoft.co");
  assert_int_equal(state->outbox_count, 0);

  /* "contoso.onmi" as a prefix of a company-name filter with a space is not a domain search:
   * a company-name search goes out, though the text starts with the loaded prefix. */
  app_customers_set_filter(state, "contoso.onmi x");
  assert_int_equal(state->outbox_count, 1);
  job = submit(state, &id);
  assert_int_equal(job->customer_field, PC_CUSTOMER_BY_COMPANY_NAME);
  assert_string_equal(job->customer_prefix, "contoso.onmi x");
  /* Its reply arrives after the filter went back to a domain: dropped (a newer query is
   * queued, and this one no longer matches the filter's kind). */
  app_customers_set_filter(state, "fabrikam.com");
  Job *domain = submit(state, &id);
  long domain_id = id;
  assert_int_equal(domain->customer_field, PC_CUSTOMER_BY_DOMAIN);
  r = result_for(job, domain_id - 1, true);
  r->customer_page = page_of(ROWS + 4, 1, NULL);
  app_apply_result(state, r);
  assert_int_equal(state->customers.count, 1);
  assert_string_equal(state->customers.items[0].company_name, "Contoso Ltd");
  r = result_for(domain, domain_id, true);
  r->customer_page = page_of(ROWS + 1, 1, NULL);
  app_apply_result(state, r);
  assert_int_equal(state->customers.visible_count, 1);
  assert_string_equal(app_customer_visible(state, 0)->company_name, "Fabrikam Inc");

  /* A plain name after a domain search: by company name again. */
  app_customers_set_filter(state, "North");
  job = submit(state, &id);
  assert_int_equal(job->customer_field, PC_CUSTOMER_BY_COMPANY_NAME);
  assert_string_equal(job->customer_prefix, "North");
  job_free(job);
  app_free(state);
}

static void test_search_failure_and_refusal(void **unused) {
  (void)unused;
  AppState *state = new_state();
  assert_true(app_customers_load_more(state));
  Job *job = app_next_job(state);
  assert_non_null(job);
  job_free(job);
  app_job_submitted(state, 0, "The worker has stopped.");
  AppMessage m;
  assert_true(app_take_message(state, &m));
  assert_int_equal(m.level, APP_MESSAGE_ERROR);
  assert_string_equal(m.text, "The worker has stopped.");
  assert_int_equal(state->jobs_in_flight, 0);
  assert_false(app_busy(state));
  assert_true(app_customers_load_more(state)); /* nothing waits any more: it can be asked again */

  long id;
  job = submit(state, &id);
  JobResult *r = result_for(job, id, false);
  r->error.kind = PC_ERROR_HTTP;
  r->error.http_status = 401;
  r->error.code = 900;
  snprintf(r->error.request_id, sizeof r->error.request_id, "%s", "req-1");
  snprintf(r->error.message, sizeof r->error.message, "%s", "The partner token was refused.");
  app_apply_result(state, r);
  assert_true(app_take_message(state, &m));
  assert_int_equal(m.level, APP_MESSAGE_ERROR);
  assert_string_equal(m.text, "The partner token was refused.");
  assert_int_equal(m.code, 900);
  assert_int_equal(m.http_status, 401);
  assert_string_equal(m.request_id, "req-1");
  assert_string_equal(state->last_message.text, "The partner token was refused.");
  assert_false(app_take_message(state, &m));
  assert_true(app_customers_load_more(state));
  app_free(state);
}

static void test_pick_customer(void **unused) {
  (void)unused;
  AppState *state = new_state();
  load_all_rows(state);
  app_customers_select(state, 1);
  app_take_changes(state);
  char why[256] = "";
  assert_true(app_customer_pick(state, why, sizeof why));
  assert_string_equal(state->cart.customer_id, ROWS[1].id);
  assert_string_equal(state->cart.customer_name, "Fabrikam Inc");
  assert_int_equal(state->cart.draft->line_items.count, 0);
  assert_int_equal(state->cart.status, APP_CART_DRAFT);
  unsigned changes = app_take_changes(state);
  assert_true(changes & APP_CHANGED_CART);
  assert_true(changes & APP_CHANGED_CATALOG);
  assert_true(changes & APP_CHANGED_PREVIEW);
  /* The customer's subscriptions and the catalog's products are asked for. */
  long sub_id, products_id;
  Job *subs = submit(state, &sub_id);
  Job *products = submit(state, &products_id);
  assert_int_equal(subs->kind, JOB_SUBSCRIPTIONS_LIST);
  assert_string_equal(subs->customer_id, ROWS[1].id);
  assert_int_equal(products->kind, JOB_PRODUCTS_LIST);
  assert_string_equal(products->customer_id, ROWS[1].id);
  assert_int_equal(state->catalog.products_job, products_id);
  app_catalog_load_products(state); /* loading: nothing more */
  assert_int_equal(state->outbox_count, 0);

  JobResult *r = result_for(subs, sub_id, true);
  assert_true(seed_customer_subscriptions(0, &r->subscriptions));
  size_t sub_count = r->subscriptions.count;
  app_apply_result(state, r);
  assert_true(state->catalog.subscriptions_loaded);
  assert_int_equal(state->catalog.subscriptions.count, sub_count);

  r = result_for(products, products_id, true);
  r->catalog = seed_catalog_new();
  assert_non_null(r->catalog);
  size_t product_count = r->catalog->product_count;
  app_apply_result(state, r);
  assert_true(state->catalog.products_loaded);
  assert_int_equal(state->catalog.catalog->product_count, product_count);
  assert_true(app_take_changes(state) & APP_CHANGED_CATALOG);
  app_catalog_load_products(state); /* loaded: nothing more */
  assert_int_equal(state->outbox_count, 0);

  /* SKUs: queued once, merged without duplicates. */
  app_catalog_load_skus(state, "DZH318Z0BXWC");
  app_catalog_load_skus(state, "DZH318Z0BXWC");
  assert_int_equal(state->outbox_count, 1);
  long skus_id;
  Job *skus = submit(state, &skus_id);
  assert_string_equal(skus->product_id, "DZH318Z0BXWC");
  assert_string_equal(state->catalog.skus_loaded_for, "DZH318Z0BXWC");
  r = result_for(skus, skus_id, true);
  r->catalog = seed_catalog_new();
  size_t sku_count = r->catalog->sku_count;
  app_apply_result(state, r);
  assert_int_equal(state->catalog.catalog->sku_count, sku_count);

  /* Picking another customer forgets this one's catalog; a late reply for them is dropped. */
  app_catalog_load_availabilities(state, "DZH318Z0BXWC", "0002");
  long avail_id;
  Job *avail = submit(state, &avail_id);
  assert_string_equal(state->catalog.availabilities_loaded_for, "DZH318Z0BXWC:0002");
  app_customers_select(state, 0);
  assert_true(app_customer_pick(state, why, sizeof why));
  assert_int_equal(state->catalog.catalog->product_count, 0);
  assert_false(state->catalog.subscriptions_loaded);
  r = result_for(avail, avail_id, true);
  r->catalog = seed_catalog_new();
  app_apply_result(state, r);
  assert_int_equal(state->catalog.catalog->availability_count, 0);
  app_free(state);
}

/* ----- cart editing ----- */

static void test_cart_edits(void **unused) {
  (void)unused;
  AppState *state = new_state();
  char why[256] = "";
  CartLineItem line = saas_line(1);
  assert_false(app_cart_add_line(state, &line, why, sizeof why));
  assert_string_equal(why, "Pick a customer first.");
  cart_line_item_clear(&line);
  app_free(state);

  state = picked_state();
  add_saas(state, 1);
  add_saas(state, 2);
  add_saas(state, 3);
  const CartLineItemList *lines = &state->cart.draft->line_items;
  assert_int_equal(lines->count, 3);
  assert_true(state->cart.dirty);
  unsigned changes = app_take_changes(state);
  assert_true(changes & APP_CHANGED_CART);
  assert_true(changes & APP_CHANGED_PREVIEW);

  assert_true(app_cart_duplicate_line(state, 0, why, sizeof why));
  assert_int_equal(lines->count, 4);
  long quantities[] = {1, 1, 2, 3};
  for (size_t i = 0; i < 4; i++) {
    assert_true(lines->items[i].id.set);
    assert_int_equal(lines->items[i].id.value, (long)i);
    assert_int_equal(lines->items[i].quantity.value, quantities[i]);
  }
  assert_true(app_cart_delete_line(state, 2, why, sizeof why));
  assert_int_equal(lines->count, 3);
  assert_int_equal(lines->items[2].quantity.value, 3);
  assert_int_equal(lines->items[2].id.value, 2);
  assert_false(app_cart_delete_line(state, 3, why, sizeof why));
  assert_string_equal(why, "There is no line 4; the cart has 3 lines.");

  /* A server error on a line goes when the line is replaced. */
  lines->items[1].error = cart_error_new(CART_ERROR_INVALID_INPUT, "bad");
  line = saas_line(7);
  assert_true(app_cart_replace_line(state, 1, &line, why, sizeof why));
  cart_line_item_clear(&line);
  assert_null(lines->items[1].error);
  assert_int_equal(lines->items[1].quantity.value, 7);
  assert_int_equal(lines->items[1].id.value, 1);

  assert_true(app_cart_clear(state, why, sizeof why));
  assert_int_equal(lines->count, 0);
  assert_false(app_cart_clear(state, why, sizeof why));
  assert_string_equal(why, "The cart is already empty.");
  char *body = app_cart_request_body(state);
  assert_string_equal(body, "{\n  \"lineItems\": []\n}\n");
  free(body);
  app_free(state);
}

static void test_request_body(void **unused) {
  (void)unused;
  AppState *state = picked_state();
  add_saas(state, 4);
  char *body = app_cart_request_body(state);
  cJSON *json = cart_to_request_json(state->cart.draft);
  char *expected = model_json_print(json);
  cJSON_Delete(json);
  assert_string_equal(body, expected);
  assert_non_null(strstr(body, "\"catalogItemId\": \"" SAAS_ITEM "\""));
  assert_non_null(strstr(body, "\"quantity\": 4"));
  free(body);
  free(expected);
  app_free(state);
}

/* ----- save ----- */

static void test_save_then_edit(void **unused) {
  (void)unused;
  AppState *state = picked_state();
  char why[256] = "";
  assert_false(app_cart_save(state, why, sizeof why));
  assert_string_equal(why, "The cart has no lines to save; add a line first.");
  add_saas(state, 2);
  assert_true(app_cart_save(state, why, sizeof why));
  assert_false(app_cart_save(state, why, sizeof why));
  assert_string_equal(why, "The cart is already being saved.");
  char request_id[37];
  memcpy(request_id, state->cart.save_request_id, sizeof request_id);
  assert_int_equal(strlen(request_id), 36);
  long id;
  Job *job = submit(state, &id);
  assert_int_equal(job->kind, JOB_CART_CREATE);
  assert_string_equal(job->request_id, request_id);
  assert_string_equal(job->customer_id, ROWS[0].id);
  assert_non_null(job->cart);
  assert_int_equal(job->cart->line_items.count, 1);
  assert_int_equal(state->cart.save_job, id);
  assert_int_equal(app_cancel_target(state), id);
  app_take_changes(state);
  JobResult *r = result_for(job, id, true);
  r->cart = server_cart(job->cart, "cart-1", -1);
  r->info.response_body = model_strdup("{\"id\":\"cart-1\"}");
  app_apply_result(state, r);
  assert_string_equal(state->cart.draft->id, "cart-1");
  assert_false(state->cart.dirty);
  assert_int_equal(state->cart.status, APP_CART_SAVED);
  assert_string_equal(state->cart.save_request_id, "");
  assert_int_equal(state->cart.save_job, 0);
  assert_string_equal(state->cart.last_response, "{\"id\":\"cart-1\"}");
  assert_string_equal(state->cart.draft->line_items.items[0].order_group, "0");
  unsigned changes = app_take_changes(state);
  assert_true(changes & APP_CHANGED_CART);
  assert_true(changes & APP_CHANGED_PREVIEW);
  assert_true(changes & APP_CHANGED_STATUS);
  AppMessage m;
  assert_true(take_message(state, &m));
  assert_int_equal(m.level, APP_MESSAGE_SUCCESS);
  assert_string_equal(m.text, "Cart created: cart-1.");
  time_t when;
  assert_true(app_cart_expires_at(state, &when));
  assert_int_equal((long long)when, 1893553445LL); /* 2030-01-02T03:04:05Z */
  assert_false(app_cart_save(state, why, sizeof why));
  assert_string_equal(why, "The cart has no unsaved changes.");

  add_saas(state, 5);
  assert_true(state->cart.dirty);
  assert_true(app_cart_save(state, why, sizeof why));
  job = submit(state, &id);
  assert_int_equal(job->kind, JOB_CART_UPDATE);
  assert_string_equal(job->cart_id, "cart-1");
  assert_string_equal(job->cart->id, "cart-1");
  assert_int_equal(job->cart->line_items.count, 2);
  assert_string_not_equal(job->request_id, request_id); /* a new intent */

  /* Edited while the update is in flight: the reply keeps the new lines, still unsaved. */
  add_saas(state, 9);
  r = result_for(job, id, true);
  r->cart = server_cart(job->cart, "cart-1", -1);
  app_apply_result(state, r);
  assert_int_equal(state->cart.draft->line_items.count, 3);
  assert_true(state->cart.dirty);
  assert_string_equal(state->cart.draft->id, "cart-1");
  app_free(state);
}

/* app_cart_can_checkout says what app_cart_checkout would, and queues nothing. */
static void expect_checkout_refused(AppState *state, const char *expected) {
  char why[256] = "";
  size_t queued = state->outbox_count;
  assert_false(app_cart_can_checkout(state, why, sizeof why));
  assert_string_equal(why, expected);
  assert_int_equal(state->outbox_count, queued);
  why[0] = '\0';
  assert_false(app_cart_checkout(state, why, sizeof why));
  assert_string_equal(why, expected);
  assert_int_equal(state->outbox_count, queued);
}

static void test_save_line_errors(void **unused) {
  (void)unused;
  AppState *state = picked_state();
  add_saas(state, 1);
  add_saas(state, 2);
  add_saas(state, 3);
  save_ok(state, "cart-2", 1);
  AppMessage m;
  assert_true(take_message(state, &m));
  assert_int_equal(m.level, APP_MESSAGE_WARNING);
  assert_string_equal(m.text, "The cart was saved, but 1 of its 3 lines has errors; fix it and "
                              "save again before checking out.");
  assert_non_null(state->cart.draft->line_items.items[1].error);
  expect_checkout_refused(state,
                          "1 line of the cart has errors; fix it and save before checking out.");
  app_free(state);
}

static void fail_save(AppState *state, bool outcome_unknown, const char *expect_request_id) {
  char why[256] = "";
  if (!app_cart_save(state, why, sizeof why)) {
    fail_msg("app_cart_save: %s", why);
  }
  long id;
  Job *job = submit(state, &id);
  if (expect_request_id) {
    assert_string_equal(job->request_id, expect_request_id);
  }
  JobResult *r = result_for(job, id, false);
  r->error.kind = outcome_unknown ? PC_ERROR_TIMEOUT : PC_ERROR_HTTP;
  r->error.http_status = outcome_unknown ? 0 : 400;
  r->error.code = outcome_unknown ? 0 : 800002;
  r->error.outcome_unknown = outcome_unknown;
  snprintf(r->error.message, sizeof r->error.message, "%s",
           outcome_unknown ? "Partner Center did not answer within 30 seconds."
                           : "The request is not valid.");
  memcpy(r->info.request_id, job->request_id, sizeof job->request_id);
  app_apply_result(state, r);
}

static void test_intent_id_reused_after_unknown_outcome(void **unused) {
  (void)unused;
  AppState *state = picked_state();
  add_saas(state, 1);
  fail_save(state, true, NULL);
  char first[37];
  memcpy(first, state->cart.save_request_id, sizeof first);
  assert_int_equal(strlen(first), 36);
  assert_true(state->cart.dirty);
  AppMessage m;
  assert_true(take_message(state, &m));
  /* Not an error: the save may have gone through; the cart says its outcome is unknown. */
  assert_int_equal(m.level, APP_MESSAGE_WARNING);
  assert_string_equal(m.text, "Partner Center did not answer within 30 seconds.");
  assert_string_equal(m.request_id, first);
  assert_true(state->cart.save_outcome_unknown);

  /* Trying again is the same intent: the same MS-RequestId. */
  fail_save(state, true, first);
  assert_string_equal(state->cart.save_request_id, first);
  /* A definite answer ends the intent. */
  fail_save(state, false, first);
  assert_string_equal(state->cart.save_request_id, "");
  assert_false(state->cart.save_outcome_unknown);
  char why[256] = "";
  assert_true(app_cart_save(state, why, sizeof why));
  assert_string_not_equal(state->cart.save_request_id, first);
  long id;
  job_free(submit(state, &id));
  app_free(state);

  /* Changed lines after an unknown outcome are a new intent. */
  state = picked_state();
  add_saas(state, 1);
  fail_save(state, true, NULL);
  memcpy(first, state->cart.save_request_id, sizeof first);
  add_saas(state, 2);
  assert_string_equal(state->cart.save_request_id, "");
  assert_true(app_cart_save(state, why, sizeof why));
  assert_string_not_equal(state->cart.save_request_id, first);
  job_free(submit(state, &id));
  app_free(state);
}

/* ----- checkout ----- */

static void test_checkout_refusals(void **unused) {
  (void)unused;
  AppState *state = new_state();
  char why[256] = "";
  expect_checkout_refused(state, "Pick a customer first.");
  app_free(state);

  state = picked_state();
  add_saas(state, 1);
  expect_checkout_refused(state, "The cart has not been saved; save it (s) before checking out.");
  save_ok(state, "cart-3", -1);
  add_saas(state, 1);
  expect_checkout_refused(state, "The cart has unsaved changes; save it (s) before checking out.");
  assert_true(app_cart_save(state, why, sizeof why));
  expect_checkout_refused(state, "The cart is being saved; check out once the save has finished.");
  long id;
  Job *job = submit(state, &id);
  JobResult *r = result_for(job, id, true);
  r->cart = server_cart(job->cart, "cart-3", -1);
  app_apply_result(state, r);
  why[0] = '\0';
  assert_true(app_cart_can_checkout(state, why, sizeof why));
  assert_string_equal(why, ""); /* nothing to say */
  assert_int_equal(state->outbox_count, 0);
  assert_true(app_cart_checkout(state, why, sizeof why));
  expect_checkout_refused(state, "A checkout of this cart is already in progress.");
  assert_false(app_cart_add_line(state, state->cart.draft->line_items.items, why, sizeof why));
  assert_string_equal(why, "The cart is being checked out; wait for the checkout to finish.");
  job = submit(state, &id);
  assert_int_equal(job->kind, JOB_CART_CHECKOUT);
  assert_string_equal(job->cart_id, "cart-3");
  assert_int_equal(strlen(job->request_id), 36);
  assert_string_equal(job->request_id, state->cart.checkout_request_id);
  r = result_for(job, id, true);
  r->checkout = checkout_result_new();
  assert_non_null(checkout_result_add_order(r->checkout));
  app_apply_result(state, r);
  assert_int_equal(state->cart.status, APP_CART_ORDERED);
  expect_checkout_refused(state, "This cart has already been ordered.");
  assert_false(app_cart_save(state, why, sizeof why));
  assert_false(app_cart_delete_line(state, 0, why, sizeof why));
  assert_non_null(strstr(why, "has been ordered"));
  app_free(state);
}

static Job *checkout_saved_cart(AppState *state, long *id) {
  add_saas(state, 1);
  add_saas(state, 2);
  save_ok(state, "cart-4", -1);
  char why[256] = "";
  if (!app_cart_checkout(state, why, sizeof why)) {
    fail_msg("app_cart_checkout: %s", why);
  }
  return submit(state, id);
}

static void test_checkout_result(void **unused) {
  (void)unused;
  AppState *state = picked_state();
  long id;
  Job *job = checkout_saved_cart(state, &id);
  app_take_changes(state);
  JobResult *r = result_for(job, id, true);
  r->checkout = checkout_result_new();
  for (int i = 0; i < 3; i++) {
    Order *order = checkout_result_add_order(r->checkout);
    assert_non_null(order);
    order->id = model_strdup("order");
  }
  r->info.response_body = model_strdup("{\"orders\":[]}");
  app_apply_result(state, r);
  assert_non_null(state->cart.checkout);
  assert_int_equal(state->cart.checkout->order_count, 3);
  assert_int_equal(state->cart.status, APP_CART_ORDERED);
  assert_string_equal(state->cart.checkout_request_id, "");
  assert_string_equal(state->cart.last_response, "{\"orders\":[]}");
  assert_true(app_take_changes(state) & APP_CHANGED_RESULTS);
  AppMessage m;
  assert_true(take_message(state, &m));
  assert_int_equal(m.level, APP_MESSAGE_SUCCESS);
  assert_string_equal(m.text, "Ordered: 3 orders.");

  /* The cart is read back to show its Ordered status and line errors. */
  Job *reload = submit(state, &id);
  assert_int_equal(reload->kind, JOB_CART_GET);
  assert_string_equal(reload->cart_id, "cart-4");
  r = result_for(reload, id, true);
  r->cart = server_cart(state->cart.draft, "cart-4", -1);
  r->cart->status = CART_STATUS_ORDERED;
  app_apply_result(state, r);
  assert_int_equal(state->cart.status, APP_CART_ORDERED);
  assert_non_null(state->cart.checkout); /* the result stays with the same cart */
  assert_false(app_busy(state));
  app_free(state);
}

static void test_checkout_partial_and_unknown(void **unused) {
  (void)unused;
  AppState *state = picked_state();
  long id;
  Job *job = checkout_saved_cart(state, &id);
  char first[37];
  memcpy(first, job->request_id, sizeof first);
  /* Lost reply: the id is kept so checking out again cannot order twice. */
  JobResult *r = result_for(job, id, false);
  r->error.kind = PC_ERROR_NETWORK;
  r->error.outcome_unknown = true;
  snprintf(r->error.message, sizeof r->error.message, "%s", "The connection broke.");
  app_apply_result(state, r);
  assert_string_equal(state->cart.checkout_request_id, first);
  assert_int_equal(state->cart.status, APP_CART_SAVED);
  char why[256] = "";
  assert_true(app_cart_checkout(state, why, sizeof why));
  job = submit(state, &id);
  assert_string_equal(job->request_id, first);

  r = result_for(job, id, true);
  r->checkout = checkout_result_new();
  assert_non_null(checkout_result_add_order(r->checkout));
  OrderError *e = checkout_result_add_error(r->checkout);
  assert_non_null(e);
  e->order_group_id = model_strdup("1");
  e->code = 10003;
  e->description = model_strdup("Inventory is not available.");
  app_apply_result(state, r);
  AppMessage m;
  assert_true(take_message(state, &m));
  assert_int_equal(m.level, APP_MESSAGE_WARNING);
  assert_string_equal(
      m.text, "Ordered: 1 order; 1 order group failed (group 1: Inventory is not available.).");
  assert_int_equal(m.code, 10003);
  assert_int_equal(state->cart.status, APP_CART_ORDERED);
  app_free(state);
}

/* ----- progress, messages, open ----- */

static void test_retrying_message(void **unused) {
  (void)unused;
  AppState *state = picked_state();
  add_saas(state, 1);
  char why[256] = "";
  assert_true(app_cart_save(state, why, sizeof why));
  long id;
  Job *job = submit(state, &id);
  app_take_changes(state);
  JobResult *retry = calloc(1, sizeof *retry);
  assert_non_null(retry);
  retry->event = JOB_RETRYING;
  retry->job_id = id;
  retry->kind = JOB_CART_CREATE;
  retry->attempt = 1;
  retry->retry_wait_ms = 2000;
  retry->error.kind = PC_ERROR_HTTP;
  retry->error.http_status = 429;
  app_apply_result(state, retry);
  AppMessage m;
  assert_true(app_take_message(state, &m));
  assert_int_equal(m.level, APP_MESSAGE_WARNING);
  assert_string_equal(m.text, "Partner Center is busy; retrying in 2 s (attempt 1).");
  assert_int_equal(m.http_status, 429);
  assert_int_equal(state->jobs_in_flight, 1); /* still running */
  assert_int_equal(state->cart.save_job, id);
  assert_true(app_take_changes(state) & APP_CHANGED_STATUS);
  JobResult *r = result_for(job, id, false);
  r->error.kind = PC_ERROR_CANCELLED;
  app_apply_result(state, r);
  assert_true(app_take_message(state, &m));
  assert_int_equal(m.level, APP_MESSAGE_INFO);
  assert_string_equal(m.text, "The cart create was cancelled.");
  assert_int_equal(state->jobs_in_flight, 0);
  assert_int_equal(app_cancel_target(state), 0);
  app_free(state);
}

static void test_messages_queue(void **unused) {
  (void)unused;
  AppState *state = new_state();
  AppMessage m;
  assert_false(app_take_message(state, &m));
  assert_string_equal(state->last_message.text, "");
  app_message(state, APP_MESSAGE_INFO, "Draft written to %s.", "a.json");
  app_message(state, APP_MESSAGE_ERROR, "second %d", 2);
  assert_string_equal(state->last_message.text, "second 2");
  assert_true(app_take_message(state, &m));
  assert_string_equal(m.text, "Draft written to a.json.");
  assert_true(app_take_message(state, &m));
  assert_int_equal(m.level, APP_MESSAGE_ERROR);
  assert_false(app_take_message(state, &m));
  /* A UI that never takes them does not make the state grow without bound. */
  for (int i = 0; i < 1000; i++) {
    app_message(state, APP_MESSAGE_INFO, "n%d", i);
  }
  size_t kept = 0;
  while (app_take_message(state, &m)) {
    kept++;
  }
  assert_true(kept > 0 && kept <= 64);
  assert_string_equal(m.text, "n999");
  app_free(state);
}

static void test_open_and_reload(void **unused) {
  (void)unused;
  AppState *state = picked_state();
  char why[256] = "";
  assert_false(app_cart_reload(state, why, sizeof why));
  assert_string_equal(why, "The cart has not been saved yet; there is nothing to reload.");
  assert_false(app_cart_open(state, "  ", why, sizeof why));
  assert_non_null(strstr(why, "Type a cart id"));
  assert_true(app_cart_open(state, " cart-9 ", why, sizeof why));
  long id;
  Job *job = submit(state, &id);
  assert_int_equal(job->kind, JOB_CART_GET);
  assert_string_equal(job->cart_id, "cart-9");
  assert_int_equal(state->cart.reload_job, id);
  Cart sent = {0};
  JobResult *r = result_for(job, id, true);
  r->cart = server_cart(&sent, "cart-9", -1);
  CartLineItem *line = cart_line_list_append(&r->cart->line_items);
  *line = saas_line(3);
  line->id = opt_int(0);
  app_apply_result(state, r);
  assert_string_equal(state->cart.draft->id, "cart-9");
  assert_int_equal(state->cart.status, APP_CART_SAVED);
  assert_false(state->cart.dirty);
  assert_int_equal(state->cart.draft->line_items.count, 1);

  add_saas(state, 1);
  assert_true(app_cart_reload(state, why, sizeof why));
  assert_false(app_cart_reload(state, why, sizeof why));
  job = submit(state, &id);
  r = result_for(job, id, false);
  r->error.kind = PC_ERROR_HTTP;
  r->error.http_status = 404;
  snprintf(r->error.message, sizeof r->error.message, "%s", "Cart cart-9 was not found.");
  app_apply_result(state, r);
  assert_true(state->cart.dirty); /* nothing was replaced */
  assert_int_equal(state->cart.draft->line_items.count, 2);
  AppMessage m;
  assert_true(take_message(state, &m));
  assert_string_equal(m.text, "Cart cart-9 was not found.");
  assert_int_equal(m.http_status, 404);
  app_free(state);
}

/* A checkout is confirmed for the cart on screen: while a reload or an open is on its way, the
 * cart may be replaced by another one (another id, other lines) under the open confirmation,
 * and a yes would then order a cart the user never saw. */
static void test_checkout_waits_for_reload(void **unused) {
  (void)unused;
  AppState *state = picked_state();
  add_saas(state, 1);
  add_saas(state, 2);
  save_ok(state, "cart-5", -1);
  char why[256] = "";
  assert_true(app_cart_can_checkout(state, why, sizeof why));

  /* Queued, then in flight: refused both times. */
  assert_true(app_cart_open(state, "cart-6", why, sizeof why));
  expect_checkout_refused(state,
                          "The cart is being loaded from Partner Center; check out once it has "
                          "loaded.");
  long id;
  Job *job = submit(state, &id);
  expect_checkout_refused(state,
                          "The cart is being loaded from Partner Center; check out once it has "
                          "loaded.");
  Cart sent = {0};
  JobResult *r = result_for(job, id, true);
  r->cart = server_cart(&sent, "cart-6", -1);
  CartLineItem *line = cart_line_list_append(&r->cart->line_items);
  *line = saas_line(7);
  line->id = opt_int(0);
  app_apply_result(state, r);

  /* Loaded: the checkout is for the cart now shown. */
  why[0] = '\0';
  assert_true(app_cart_checkout(state, why, sizeof why));
  job = submit(state, &id);
  assert_int_equal(job->kind, JOB_CART_CHECKOUT);
  assert_string_equal(job->cart_id, "cart-6");
  job_free(job);

  /* A plain reload of a clean cart is the same. */
  app_free(state);
  state = picked_state();
  add_saas(state, 1);
  save_ok(state, "cart-7", -1);
  assert_true(app_cart_reload(state, why, sizeof why));
  expect_checkout_refused(state,
                          "The cart is being loaded from Partner Center; check out once it has "
                          "loaded.");
  job_free(submit(state, &id));
  app_free(state);
}

/* ----- drafts ----- */

static char *temp_dir(void) {
  char *dir = strdup("/tmp/pccart-app-XXXXXX");
  assert_non_null(dir);
  assert_non_null(mkdtemp(dir));
  return dir;
}

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void test_drafts(void **unused) {
  (void)unused;
  char *dir = temp_dir();
  char path[256], err[512];
  snprintf(path, sizeof path, "%s/cart.json", dir);
  AppState *state = picked_state();
  add_saas(state, 2);
  add_saas(state, 3);
  state->cart.draft->line_items.items[1].friendly_name = model_strdup("Office — Zürich");
  assert_true(app_cart_write_draft(state, path, err, sizeof err));
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  char *body = app_cart_request_body(state);
  FILE *f = fopen(path, "r");
  char text[4096] = "";
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  assert_string_equal(text, body);
  free(body);

  AppState *other = picked_state();
  assert_true(app_cart_read_draft(other, path, err, sizeof err));
  assert_int_equal(other->cart.draft->line_items.count, 2);
  assert_true(other->cart.dirty);
  assert_string_equal(other->cart.draft->line_items.items[1].friendly_name, "Office — Zürich");
  char *a = app_cart_request_body(state);
  char *b = app_cart_request_body(other);
  assert_string_equal(a, b);
  free(a);
  free(b);

  /* Annotations and PascalCase, as the documents write them. */
  write_text(path,
             "{ \"LineItems\": [ { /* a comment */ \"Id\": 5, \"CatalogItemId\": \"" SAAS_ITEM
             "\", \"Quantity\": 4, \"BillingCycle\": \"Monthly\", \"TermDuration\": \"P1M\" } ] }");
  assert_true(app_cart_read_draft(other, path, err, sizeof err));
  assert_int_equal(other->cart.draft->line_items.count, 1);
  assert_int_equal(other->cart.draft->line_items.items[0].id.value, 0); /* renumbered */
  assert_int_equal(other->cart.draft->line_items.items[0].quantity.value, 4);

  char expected[512];
  write_text(path, "{ \"lineItems\": [ ");
  assert_false(app_cart_read_draft(other, path, err, sizeof err));
  snprintf(expected, sizeof expected, "%s is not JSON; a cart file holds {\"lineItems\": [...]}.",
           path);
  assert_string_equal(err, expected);
  write_text(path, "{ \"items\": [] }");
  assert_false(app_cart_read_draft(other, path, err, sizeof err));
  assert_non_null(strstr(err, "has no lineItems"));
  assert_non_null(strstr(err, path));
  write_text(path, "{ \"lineItems\": 3 }");
  assert_false(app_cart_read_draft(other, path, err, sizeof err));
  assert_non_null(strstr(err, "lineItems is not an array"));
  snprintf(path, sizeof path, "%s/missing.json", dir);
  assert_false(app_cart_read_draft(other, path, err, sizeof err));
  snprintf(expected, sizeof expected, "Could not open %s: No such file or directory.", path);
  assert_string_equal(err, expected);
  assert_int_equal(other->cart.draft->line_items.count, 1); /* untouched by the failures */

  snprintf(path, sizeof path, "%s/no-such-dir/cart.json", dir);
  assert_false(app_cart_write_draft(state, path, err, sizeof err));
  snprintf(expected, sizeof expected, "Could not write %s: No such file or directory.", path);
  assert_string_equal(err, expected);

  app_free(state);
  app_free(other);
  snprintf(path, sizeof path, "%s/cart.json", dir);
  unlink(path);
  rmdir(dir);
  free(dir);
}

/* The UI thread reads a draft: a named pipe given as the file (no writer on it) is refused at
 * once instead of blocking the screen until something writes to it. */
static void test_draft_from_fifo(void **unused) {
  (void)unused;
  char *dir = temp_dir();
  char path[256], err[512], expected[512];
  snprintf(path, sizeof path, "%s/pipe.json", dir);
  assert_int_equal(mkfifo(path, 0600), 0);
  AppState *state = picked_state();
  assert_false(app_cart_read_draft(state, path, err, sizeof err));
  snprintf(expected, sizeof expected, "Could not read %s: it is not a regular file.", path);
  assert_string_equal(err, expected);
  assert_false(state->cart.dirty);
  app_free(state);
  unlink(path);
  rmdir(dir);
  free(dir);
}

/* A reply for the previous customer's cart never lands in the new customer's. */
static void test_pick_drops_old_cart_replies(void **unused) {
  (void)unused;
  AppState *state = picked_state();
  add_saas(state, 1);
  char why[256] = "";
  assert_true(app_cart_save(state, why, sizeof why));
  /* Picked while the save is being handed to the worker. */
  Job *job = app_next_job(state);
  assert_non_null(job);
  app_customers_select(state, 1);
  assert_true(app_customer_pick(state, why, sizeof why));
  long id = ++next_id;
  app_job_submitted(state, id, NULL);
  JobResult *r = result_for(job, id, true);
  r->cart = server_cart(job->cart, "old-cart", -1);
  app_apply_result(state, r);
  assert_null(state->cart.draft->id);
  assert_int_equal(state->cart.draft->line_items.count, 0);
  assert_int_equal(state->cart.status, APP_CART_DRAFT);
  assert_string_equal(state->cart.customer_id, ROWS[1].id);
  app_free(state);
}

/* The products job's legacy offers failing: the products are loaded all the same and a warning
 * says what is missing, with the Partner Center code and request id. */
static void test_products_with_offers_warning(void **unused) {
  (void)unused;
  AppState *state = new_state();
  load_all_rows(state);
  char why[256] = "";
  assert_true(app_customer_pick(state, why, sizeof why));
  long sub_id, products_id;
  job_free(submit(state, &sub_id));
  Job *products = submit(state, &products_id);
  assert_int_equal(products->kind, JOB_PRODUCTS_LIST);
  JobResult *r = result_for(products, products_id, true);
  r->catalog = seed_catalog_new();
  assert_non_null(r->catalog);
  size_t product_count = r->catalog->product_count;
  r->warning.kind = PC_ERROR_HTTP;
  r->warning.http_status = 403;
  r->warning.code = 900213;
  snprintf(r->warning.request_id, sizeof r->warning.request_id, "%s",
           "9b1a6a43-1111-4a4a-8c8c-000000000001");
  snprintf(r->warning.message, sizeof r->warning.message, "%s", "Offers are not available.");
  app_apply_result(state, r);
  assert_true(state->catalog.products_loaded);
  assert_int_equal(state->catalog.catalog->product_count, product_count);
  AppMessage m;
  assert_true(take_message(state, &m));
  assert_int_equal(m.level, APP_MESSAGE_WARNING);
  assert_int_equal(m.code, 900213);
  assert_int_equal(m.http_status, 403);
  assert_string_equal(m.request_id, "9b1a6a43-1111-4a4a-8c8c-000000000001");
  assert_non_null(strstr(m.text, "legacy offers"));
  assert_non_null(strstr(m.text, "Offers are not available."));
  app_free(state);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_customer_pages),
      cmocka_unit_test(test_local_filter),
      cmocka_unit_test(test_selection_clamped),
      cmocka_unit_test(test_server_search),
      cmocka_unit_test(test_server_search_by_domain),
      cmocka_unit_test(test_search_failure_and_refusal),
      cmocka_unit_test(test_pick_customer),
      cmocka_unit_test(test_pick_drops_old_cart_replies),
      cmocka_unit_test(test_products_with_offers_warning),
      cmocka_unit_test(test_cart_edits),
      cmocka_unit_test(test_request_body),
      cmocka_unit_test(test_save_then_edit),
      cmocka_unit_test(test_save_line_errors),
      cmocka_unit_test(test_intent_id_reused_after_unknown_outcome),
      cmocka_unit_test(test_checkout_refusals),
      cmocka_unit_test(test_checkout_result),
      cmocka_unit_test(test_checkout_partial_and_unknown),
      cmocka_unit_test(test_retrying_message),
      cmocka_unit_test(test_messages_queue),
      cmocka_unit_test(test_open_and_reload),
      cmocka_unit_test(test_checkout_waits_for_reload),
      cmocka_unit_test(test_drafts),
      cmocka_unit_test(test_draft_from_fifo),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
