/* The command-line mode in-process: every command through cli_run against an in-process
 * sandbox, --json read back with the model readers, and the exit codes of cli.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/cli.h"
#include "cli/cli_internal.h"
#include "fixtures.h"
#include "model/cart.h"
#include "model/catalog.h"
#include "model/customer.h"
#include "model/order.h"
#include "sandbox/seed.h"
#include "sandbox_http.h"
#include "sandbox_settings.h"

#define SANDBOX_CUSTOMERS 1200
#define MAX_ARGS 32

typedef struct Fixture {
  HttpCtx *ctx;
  PcSettings settings;
  char dir[64];
  char *out; /* the last run's stdout and stderr */
  char *err;
} Fixture;

static Fixture *fixture; /* for the helpers; one group runs at a time */
static PcLog *test_log;  /* the runs' log when set */

static int group_setup(void **state) {
  static Fixture f;
  char err[256] = "";
  HttpCtxOptions options = {.customers = SANDBOX_CUSTOMERS};
  f.ctx = http_ctx_start(&options, err, sizeof err);
  if (!f.ctx) {
    print_error("sandbox: %s\n", err);
    return -1;
  }
  f.settings = sandbox_pc_settings(f.ctx);
  f.settings.backoff_base_ms = 1;
  f.settings.backoff_max_ms = 5;
  f.settings.retry_after_max_ms = 0; /* the client's default */
  snprintf(f.dir, sizeof f.dir, "/tmp/pccart-cli-XXXXXX");
  if (!mkdtemp(f.dir)) {
    return -1;
  }
  fixture = &f;
  *state = &f;
  return 0;
}

static int group_teardown(void **state) {
  Fixture *f = *state;
  free(f->out);
  free(f->err);
  char command[128];
  snprintf(command, sizeof command, "rm -rf '%s'", f->dir);
  if (system(command) != 0) {
    print_error("could not remove %s\n", f->dir);
  }
  http_ctx_stop(f->ctx);
  return 0;
}

static int test_setup(void **state) {
  Fixture *f = *state;
  assert_true(sandbox_reset(f->ctx));
  return 0;
}

/* Runs the CLI with argv (NULL-terminated) and `input` on its standard input. */
static int run_with(const PcSettings *settings, bool interactive, const char *input, ...) {
  Fixture *f = fixture;
  char *argv[MAX_ARGS];
  int argc = 0;
  va_list args;
  va_start(args, input);
  for (const char *arg; argc < MAX_ARGS - 1 && (arg = va_arg(args, const char *)) != NULL;) {
    argv[argc++] = (char *)arg;
  }
  va_end(args);
  argv[argc] = NULL;
  free(f->out);
  free(f->err);
  f->out = f->err = NULL;
  size_t out_len = 0, err_len = 0;
  FILE *out = open_memstream(&f->out, &out_len);
  FILE *err = open_memstream(&f->err, &err_len);
  FILE *in = tmpfile();
  assert_non_null(out);
  assert_non_null(err);
  assert_non_null(in);
  if (input) {
    fputs(input, in);
  }
  rewind(in);
  CliContext context = {
      .settings = settings,
      .profile_name = "sandbox",
      .is_sandbox = true,
      .out = out,
      .err = err,
      .in = in,
      .interactive = interactive,
      .log = test_log,
  };
  int code = cli_run(&context, argc, argv);
  fclose(out);
  fclose(err);
  fclose(in);
  if (getenv("PCC_CLI_ECHO")) { /* to read what a run printed while working on a test */
    fprintf(stderr, "$ pccart");
    for (int i = 0; i < argc; i++) {
      fprintf(stderr, " %s", argv[i]);
    }
    fprintf(stderr, "   -> %d\n%s%s\n", code, f->out, f->err);
  }
  return code;
}

#define run_cli(...) run_with(&fixture->settings, false, NULL, __VA_ARGS__, NULL)

static void assert_contains(const char *text, const char *part) {
  if (!text || !strstr(text, part)) {
    fail_msg("\"%s\" does not contain \"%s\"", text ? text : "(null)", part);
  }
}

static void assert_exit(int actual, int expected) {
  if (actual != expected) {
    fail_msg("exit %d, expected %d\nstdout:\n%s\nstderr:\n%s", actual, expected,
             fixture->out ? fixture->out : "", fixture->err ? fixture->err : "");
  }
}

static char *path_in_dir(const char *name) {
  char *path = str_format("%s/%s", fixture->dir, name);
  assert_non_null(path);
  return path;
}

static char *write_text(const char *name, const char *text) {
  char *path = path_in_dir(name);
  FILE *file = fopen(path, "w");
  assert_non_null(file);
  fputs(text, file);
  assert_int_equal(fclose(file), 0);
  return path;
}

/* The create-a-cart document's example, annotations and all: from the seed document when
 * shared/ is present, else the verbatim fixture. */
static char *docs_cart_file(void) {
  char *text = fixture_seed_json_block("004", 0);
  if (!text) {
    text = fixture_read("docs-create-cart-request.json");
  }
  assert_non_null(text);
  assert_non_null(strstr(text, "/*"));
  char *path = write_text("docs-cart.json", text);
  free(text);
  return path;
}

static long ledger_count(void) {
  return sandbox_control_number(fixture->ctx, "ledger", "totalCount");
}

static Cart *parse_cart_output(void) {
  char err[256] = "";
  Cart *cart = cart_parse(fixture->out, err, sizeof err);
  if (!cart) {
    fail_msg("stdout is not a cart (%s):\n%s", err, fixture->out);
  }
  return cart;
}

/* Creates the document's cart; returns its id. */
static char *create_docs_cart(void) {
  char *path = docs_cart_file();
  assert_exit(run_cli("cart", "create", "--customer", DOC_CUSTOMER_ID, path, "--json"), 0);
  Cart *cart = parse_cart_output();
  char *id = strdup(cart->id);
  cart_free(cart);
  free(path);
  return id;
}

/* A cart of one new-commerce line: one order group, one order. */
static char *create_one_line_cart(void) {
  CartLineSpec line = {"CFQ7TTC0LH18:0001:CFQ7TTC0K59J", 2, "monthly", "P1M", NULL, NULL, NULL};
  char *body = cart_body_build(&line, 1);
  assert_non_null(body);
  char *path = write_text("one-line.json", body);
  free(body);
  int code = run_cli("cart", "create", "--customer", DOC_CUSTOMER_ID, path, "--json");
  free(path);
  assert_exit(code, 0);
  Cart *cart = parse_cart_output();
  assert_int_equal(cart->line_items.count, 1);
  assert_null(cart->line_items.items[0].error);
  char *id = strdup(cart->id);
  cart_free(cart);
  return id;
}

/* ----- usage ----- */

static void test_usage_errors(void **state) {
  (void)state;
  assert_exit(run_cli("frobnicate"), CLI_EXIT_USAGE);
  assert_contains(fixture->err, "frobnicate");
  assert_exit(run_cli("cart"), CLI_EXIT_USAGE);
  assert_contains(fixture->err, "checkout");
  assert_exit(run_cli("cart", "explode"), CLI_EXIT_USAGE);
  assert_contains(fixture->err, "explode");
  assert_exit(run_cli("customers", "list", "--bogus"), CLI_EXIT_USAGE);
  assert_contains(fixture->err, "--bogus");
  assert_contains(fixture->err, "pccart customers list --help");
  assert_exit(run_cli("customers", "list", "--limit", "abc"), CLI_EXIT_USAGE);
  assert_contains(fixture->err, "abc");
  assert_exit(run_cli("customers", "list", "--limit", "0"), CLI_EXIT_USAGE);
  assert_exit(run_cli("customers", "list", "--limit"), CLI_EXIT_USAGE);
  assert_exit(run_cli("customers", "list", "--json=yes"), CLI_EXIT_USAGE);
  assert_exit(run_cli("customers", "list", "--json", "--json"), CLI_EXIT_USAGE);
  assert_exit(run_cli("customers", "show"), CLI_EXIT_USAGE);
  assert_exit(run_cli("customers", "show", "a", "b"), CLI_EXIT_USAGE);
  assert_exit(run_cli("cart", "show", "some-cart"), CLI_EXIT_USAGE);
  assert_contains(fixture->err, "--customer");
  assert_exit(run_cli("cart", "checkout", "--customer", DOC_CUSTOMER_ID, "c", "--request-id",
                      "not-a-guid", "--yes"),
              CLI_EXIT_USAGE);
  assert_contains(fixture->err, "not-a-guid");
  assert_exit(run_cli("cart", "validate", "x.json", "--catalog", "c.json", "--customer", "x"),
              CLI_EXIT_USAGE);
  /* Nothing of these reached the service. */
  assert_int_equal(sandbox_control_number(fixture->ctx, "status", "carts"), 0);
}

static void test_help_everywhere(void **state) {
  (void)state;
  assert_exit(run_cli("help"), 0);
  assert_contains(fixture->out, "cart checkout");
  assert_contains(fixture->out, "Exit codes");
  const char *commands[][2] = {
      {"customers", "list"},   {"customers", "search"}, {"customers", "show"},
      {"catalog", "products"}, {"catalog", "skus"},     {"catalog", "availabilities"},
      {"catalog", "offers"},   {"catalog", "export"},   {"cart", "create"},
      {"cart", "show"},        {"cart", "update"},      {"cart", "validate"},
      {"cart", "checkout"}};
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
    assert_exit(run_cli(commands[i][0], commands[i][1], "--help"), 0);
    char *usage = str_format("Usage: pccart %s %s", commands[i][0], commands[i][1]);
    assert_contains(fixture->out, usage);
    free(usage);
    assert_string_equal(fixture->err, "");
  }
  assert_exit(run_cli("cart", "--help"), 0);
  assert_contains(fixture->out, "cart validate");
  char *buffer = NULL;
  size_t length = 0;
  FILE *list = open_memstream(&buffer, &length);
  cli_print_commands(list);
  fclose(list);
  assert_contains(buffer, "customers search");
  assert_contains(buffer, "catalog export");
  free(buffer);
  assert_true(cli_is_command("cart"));
  assert_true(cli_is_command("customers"));
  assert_false(cli_is_command("carts"));
  assert_false(cli_is_command(NULL));
}

/* ----- customers ----- */

static void test_customers_list_follows_pages(void **state) {
  (void)state;
  assert_exit(run_cli("customers", "list", "--limit", "1100", "--json"), 0);
  cJSON *json = cJSON_Parse(fixture->out);
  char err[256] = "";
  CustomerPage *page = customer_page_from_json(json, err, sizeof err);
  assert_non_null(page);
  assert_int_equal(page->count, 1100);
  /* Every customer once, in seed order. */
  for (long i = 0; i < 1100; i += 137) {
    char id[64];
    assert_true(seed_customer_id(i, id, sizeof id));
    assert_string_equal(page->items[i].id, id);
  }
  customer_page_free(page);
  cJSON_Delete(json);
  assert_contains(fixture->err, "there are more");

  /* The default limit is 100, in a table. */
  assert_exit(run_cli("customers", "list"), 0);
  size_t rows = 0;
  for (const char *p = fixture->out; (p = strchr(p, '\n')) != NULL; p++) {
    rows++;
  }
  assert_int_equal(rows, 101); /* the header and 100 customers */
  assert_contains(fixture->out, "COMPANY");
}

static void test_customers_search(void **state) {
  (void)state;
  Customer first = {0};
  assert_true(seed_customer(0, &first));
  char prefix[5];
  snprintf(prefix, sizeof prefix, "%s", first.company_name);
  for (char *p = prefix; *p; p++) { /* the match ignores case */
    *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : (*p >= 'A' && *p <= 'Z' ? *p + 32 : *p));
  }
  assert_exit(run_cli("customers", "search", prefix, "--json"), 0);
  cJSON *json = cJSON_Parse(fixture->out);
  char err[256] = "";
  CustomerPage *page = customer_page_from_json(json, err, sizeof err);
  assert_non_null(page);
  assert_true(page->count >= 1);
  bool found = false;
  for (size_t i = 0; i < page->count; i++) {
    assert_int_equal(strncasecmp(page->items[i].company_name, prefix, strlen(prefix)), 0);
    found = found || strcmp(page->items[i].id, first.id) == 0;
  }
  assert_true(found);
  customer_page_free(page);
  cJSON_Delete(json);

  assert_exit(run_cli("customers", "search", "--domain", first.domain), 0);
  assert_contains(fixture->out, first.id);
  assert_exit(run_cli("customers", "search", "zzzz-no-such-company"), 0);
  assert_contains(fixture->err, "No customers found");
  customer_clear(&first);
}

static void test_customers_show(void **state) {
  (void)state;
  assert_exit(run_cli("customers", "show", DOC_CUSTOMER_ID, "--json"), 0);
  cJSON *json = cJSON_Parse(fixture->out);
  assert_non_null(json);
  Customer customer = {0};
  assert_true(customer_from_json(&customer, json_get(json, "customer")));
  assert_string_equal(customer.id, DOC_CUSTOMER_ID);
  SubscriptionList subs = {0};
  char err[256] = "";
  assert_true(subscription_list_from_json(&subs, json_get(json, "subscriptions"), err, sizeof err));
  bool found = false;
  for (size_t i = 0; i < subs.count; i++) {
    found = found || strcasecmp(subs.items[i].id, DOC_SUBSCRIPTION_ID) == 0;
  }
  assert_true(found);
  subscription_list_clear(&subs);
  customer_clear(&customer);
  cJSON_Delete(json);

  assert_exit(run_cli("customers", "show", DOC_CUSTOMER_ID), 0);
  assert_contains(fixture->out, "Subscriptions");
  assert_contains(fixture->out, "MS-AZR-0145P");

  assert_exit(run_cli("customers", "show", "00000000-0000-0000-0000-000000000000"),
              CLI_EXIT_FAILURE);
  assert_contains(fixture->err, "code 1000");
  assert_contains(fixture->err, "HTTP 404");
  assert_contains(fixture->err, "MS-RequestId");
}

/* ----- catalog ----- */

static void test_catalog_browse(void **state) {
  (void)state;
  assert_exit(run_cli("catalog", "products", "--json"), 0);
  cJSON *json = cJSON_Parse(fixture->out);
  const cJSON *items = json_get(json, "items");
  assert_true(cJSON_GetArraySize(items) > 0);
  bool found = false;
  const cJSON *item;
  cJSON_ArrayForEach(item, items) {
    Product product = {0};
    assert_true(product_from_json(&product, item));
    found = found || strcmp(product.id, "DZH318Z0BQ36") == 0;
    product_clear(&product);
  }
  assert_true(found);
  cJSON_Delete(json);

  assert_exit(run_cli("catalog", "products", "--view", "OnlineServices"), 0);
  assert_contains(fixture->out, "PRODUCT");

  assert_exit(run_cli("catalog", "skus", "DZH318Z0BQ36", "--json"), 0);
  json = cJSON_Parse(fixture->out);
  found = false;
  cJSON_ArrayForEach(item, json_get(json, "items")) {
    Sku sku = {0};
    assert_true(sku_from_json(&sku, item));
    found = found || strcmp(sku.id, "004G") == 0;
    sku_clear(&sku);
  }
  assert_true(found);
  cJSON_Delete(json);

  assert_exit(run_cli("catalog", "availabilities", "DZH318Z0BQ36", "004G"), 0);
  assert_contains(fixture->out, "DZH318Z0BQ36:004G:DZH318Z08C0S");
  assert_contains(fixture->out, "P1Y");
  assert_contains(fixture->out, "one_time");

  assert_exit(run_cli("catalog", "availabilities", "DZH318Z0BQ36", "004G", "--customer",
                      DOC_CUSTOMER_ID, "--json"),
              0);
  json = cJSON_Parse(fixture->out);
  Availability availability = {0};
  assert_true(availability_from_json(&availability, json_at(json, "items.0")));
  assert_string_equal(availability.sku_id, "004G");
  assert_true(availability.term_count > 0);
  availability_clear(&availability);
  cJSON_Delete(json);

  assert_exit(run_cli("catalog", "offers"), 0);
  assert_contains(fixture->out, "MS-AZR-0145P");

  assert_exit(run_cli("catalog", "skus", "NOSUCHPRODUCT"), CLI_EXIT_FAILURE);
  assert_contains(fixture->err, "HTTP 404");
}

/* Export, then validate with nothing listening: proof that --catalog is offline. */
static void test_export_then_validate_offline(void **state) {
  (void)state;
  char *catalog = path_in_dir("catalog.json");
  assert_exit(run_cli("catalog", "export", catalog), 0);
  assert_contains(fixture->err, "Exported");
  char *cart = docs_cart_file();

  PcSettings nowhere = fixture->settings;
  nowhere.api_base = "http://127.0.0.1:9/";
  nowhere.authority = "http://127.0.0.1:9/";
  assert_exit(run_with(&nowhere, false, NULL, "cart", "validate", cart, "--catalog", catalog, NULL),
              0);
  assert_contains(fixture->err, "no problems in 6 line items");

  /* A cart with problems: each named with its line in the file. */
  const char *bad = "{\n"
                    "  \"lineItems\": [\n"
                    "    {\n"
                    "      \"id\": 0,\n"
                    "      \"catalogItemId\": \"NOPE:0001:NOPE\",\n"
                    "      \"quantity\": 1,\n"
                    "      \"billingCycle\": \"monthly\"\n"
                    "    },\n"
                    "    { \"id\": 1, /* a comment */\n"
                    "      \"catalogItemId\": \"DZH318Z0BQ36:004G:DZH318Z08C0S\",\n"
                    "      \"quantity\": 0,\n"
                    "      \"billingCycle\": \"one_time\"\n"
                    "    }\n"
                    "  ]\n"
                    "}\n";
  char *bad_path = write_text("bad.json", bad);
  assert_exit(
      run_with(&nowhere, false, NULL, "cart", "validate", bad_path, "--catalog", catalog, NULL),
      CLI_EXIT_INVALID);
  char *at_quantity = str_format("%s:11: quantity:", bad_path);
  assert_contains(fixture->err, at_quantity);
  char *at_item = str_format("%s:5: catalogItemId:", bad_path);
  assert_contains(fixture->err, at_item);
  assert_contains(fixture->err, "10001");

  assert_exit(run_with(&nowhere, false, NULL, "cart", "validate", bad_path, "--catalog", catalog,
                       "--json", NULL),
              CLI_EXIT_INVALID);
  cJSON *json = cJSON_Parse(fixture->out);
  assert_non_null(json);
  assert_true(cJSON_IsFalse(json_get(json, "valid")));
  assert_true(cJSON_GetArraySize(json_get(json, "problems")) >= 2);
  cJSON_Delete(json);

  /* A catalog file that is not one. */
  assert_exit(
      run_with(&nowhere, false, NULL, "cart", "validate", cart, "--catalog", bad_path, NULL),
      CLI_EXIT_USAGE);
  assert_contains(fixture->err, "not a catalog export");

  free(at_item);
  free(at_quantity);
  free(bad_path);
  free(cart);
  free(catalog);
}

/* A line with a promotion the catalog offers validates online and offline (the export carries
 * the promotions); one the catalog does not offer, or offered for another term, is 10014. */
static void test_validate_promotions(void **state) {
  (void)state;
  static const char *const line_format =
      "{\"lineItems\":[{\"id\":0,\"catalogItemId\":\"CFQ7TTC0LH18:0001:CFQ7TTC0K59J\","
      "\"quantity\":3,\"billingCycle\":\"%s\",\"termDuration\":\"P1Y\",\"promotionId\":\"%s\"}]}";
  char *good_text = str_format(line_format, "annual", "39NFJQT1Q5KV:0002:39NFJQT1Q5KW");
  char *unknown_text = str_format(line_format, "annual", "39NFJQT1Q5KV:0002:NOSUCHPROMO");
  /* The promotion is for the annual billing cycle only. */
  char *other_term_text = str_format(line_format, "monthly", "39NFJQT1Q5KV:0002:39NFJQT1Q5KW");
  char *good = write_text("promo-good.json", good_text);
  char *unknown = write_text("promo-unknown.json", unknown_text);
  char *other_term = write_text("promo-other-term.json", other_term_text);

  /* Online, with and without a customer. */
  assert_exit(run_cli("cart", "validate", good), 0);
  assert_contains(fixture->err, "no problems in 1 line item");
  assert_exit(run_cli("cart", "validate", good, "--customer", DOC_CUSTOMER_ID), 0);
  assert_exit(run_cli("cart", "validate", unknown), CLI_EXIT_INVALID);
  assert_contains(fixture->err, "promotionId");
  assert_contains(fixture->err, "[code 10014]");
  assert_exit(run_cli("cart", "validate", other_term, "--customer", DOC_CUSTOMER_ID),
              CLI_EXIT_INVALID);
  assert_contains(fixture->err, "[code 10014]");

  /* The export holds the promotions, readable with the model's reader. */
  char *catalog = path_in_dir("promo-catalog.json");
  assert_exit(run_cli("catalog", "export", catalog), 0);
  assert_contains(fixture->err, "promotions to");
  char *text = NULL;
  FILE *file = fopen(catalog, "r");
  assert_non_null(file);
  size_t size = 0;
  assert_true(getdelim(&text, &size, '\0', file) > 0);
  fclose(file);
  cJSON *json = cJSON_Parse(text);
  assert_non_null(json);
  const cJSON *promotions = json_get(json, "promotions");
  assert_true(cJSON_GetArraySize(promotions) >= 3);
  Promotion promotion = {0};
  bool found = false;
  const cJSON *item;
  cJSON_ArrayForEach(item, promotions) {
    assert_true(promotion_from_json(&promotion, item));
    found = found || strcmp(promotion.id, "39NFJQT1Q5KV:0002:39NFJQT1Q5KW") == 0;
  }
  promotion_clear(&promotion);
  assert_true(found);
  cJSON_Delete(json);
  free(text);

  /* Offline, with nothing listening. */
  PcSettings nowhere = fixture->settings;
  nowhere.api_base = "http://127.0.0.1:9/";
  nowhere.authority = "http://127.0.0.1:9/";
  assert_exit(run_with(&nowhere, false, NULL, "cart", "validate", good, "--catalog", catalog, NULL),
              0);
  assert_contains(fixture->err, "no problems in 1 line item");
  assert_exit(
      run_with(&nowhere, false, NULL, "cart", "validate", unknown, "--catalog", catalog, NULL),
      CLI_EXIT_INVALID);
  assert_contains(fixture->err, "[code 10014]");
  assert_exit(run_with(&nowhere, false, NULL, "cart", "validate", other_term, "--catalog", catalog,
                       "--json", NULL),
              CLI_EXIT_INVALID);
  json = cJSON_Parse(fixture->out);
  assert_non_null(json);
  assert_int_equal(cJSON_GetArraySize(json_get(json, "problems")), 1);
  assert_int_equal(json_num_at(json, "problems.0.code", 0), 10014);
  assert_string_equal(json_str_at(json, "problems.0.field"), "promotionId");
  cJSON_Delete(json);

  free(catalog);
  free(other_term);
  free(unknown);
  free(good);
  free(other_term_text);
  free(unknown_text);
  free(good_text);
}

static void test_validate_online_with_subscriptions(void **state) {
  (void)state;
  char *cart = docs_cart_file();
  assert_exit(run_cli("cart", "validate", cart, "--customer", DOC_CUSTOMER_ID), 0);
  /* A subscription the customer does not have. */
  CartLineSpec line = {"DZH318Z0BQ36:004G:DZH318Z08C0S",       1,        "one_time", "P1Y",
                       "99999999-9999-9999-9999-999999999999", "shared", NULL};
  char *body = cart_body_build(&line, 1);
  char *path = write_text("foreign-sub.json", body);
  assert_exit(run_cli("cart", "validate", path, "--customer", DOC_CUSTOMER_ID), CLI_EXIT_INVALID);
  assert_contains(fixture->err, "subscriptionId");
  free(path);
  free(body);
  free(cart);
}

/* ----- carts ----- */

static void test_create_docs_cart_with_annotations(void **state) {
  (void)state;
  char *path = docs_cart_file();
  assert_exit(run_cli("cart", "create", "--customer", DOC_CUSTOMER_ID, path, "--json"), 0);
  Cart *cart = parse_cart_output();
  assert_true(is_guid(cart->id));
  assert_int_equal(cart->status, CART_STATUS_ACTIVE);
  assert_int_equal(cart->line_items.count, 6);
  assert_string_equal(cart->line_items.items[0].order_group, "OMS-0");
  assert_string_equal(cart->line_items.items[1].order_group, "0");
  assert_string_equal(cart->line_items.items[4].order_group, "1");
  assert_string_equal(cart->line_items.items[5].order_group, "2");
  assert_false(cart->line_items.items[5].error != NULL);
  assert_int_equal(sandbox_control_number(fixture->ctx, "status", "carts"), 1);
  cart_free(cart);

  /* The same from standard input, as a table. */
  char *text = fixture_read("docs-create-cart-request.json");
  assert_exit(run_with(&fixture->settings, false, text, "cart", "create", "--customer",
                       DOC_CUSTOMER_ID, "-", NULL),
              0);
  assert_contains(fixture->out, "Status   Active");
  assert_contains(fixture->out, "DZH318Z0BQ36:004J:DZH318Z08B8X");
  assert_contains(fixture->out, "ORDER GROUP");
  assert_int_equal(sandbox_control_number(fixture->ctx, "status", "carts"), 2);
  free(text);
  free(path);
}

static void test_create_pascal_case_and_bad_files(void **state) {
  (void)state;
  const char *pascal = "{\"LineItems\":[{\"Id\":0,\"CatalogItemId\":\"MS-AZR-0145P\","
                       "\"Quantity\":1,\"BillingCycle\":\"Monthly\",\"FriendlyName\":null}],"
                       "\"Attributes\":{\"ObjectType\":\"Cart\"}}";
  char *path = write_text("pascal.json", pascal);
  assert_exit(run_cli("cart", "create", "--customer", DOC_CUSTOMER_ID, path, "--json"), 0);
  Cart *cart = parse_cart_output();
  assert_string_equal(cart->line_items.items[0].catalog_item_id, "MS-AZR-0145P");
  cart_free(cart);
  free(path);

  /* A file saved by a Windows editor starts with a UTF-8 byte order mark. */
  path = write_text("bom.json", "\xEF\xBB\xBF{\"lineItems\":[{\"id\":0,\"catalogItemId\":"
                                "\"MS-AZR-0145P\",\"quantity\":1,\"billingCycle\":\"monthly\"}]}");
  assert_exit(run_cli("cart", "create", "--customer", DOC_CUSTOMER_ID, path, "--json"), 0);
  cart = parse_cart_output();
  assert_int_equal(cart->line_items.count, 1);
  cart_free(cart);
  free(path);

  path = write_text("broken.json", "{\n  \"lineItems\": [\n    { \"id\": 0, }\n  ]\n}\n");
  assert_exit(run_cli("cart", "create", "--customer", DOC_CUSTOMER_ID, path), CLI_EXIT_USAGE);
  assert_contains(fixture->err, path);
  assert_contains(fixture->err, "line 3");
  free(path);

  /* The text quoted at a parse error ends where a character ends, never inside one. */
  path = write_text("accents.json", "{\"lineItems\": \u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
                                    "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9}");
  assert_exit(run_cli("cart", "create", "--customer", DOC_CUSTOMER_ID, path), CLI_EXIT_USAGE);
  assert_contains(fixture->err, "(at \"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
                                "\u00e9\u00e9\")");
  free(path);

  assert_exit(run_cli("cart", "create", "--customer", DOC_CUSTOMER_ID, "/nonexistent/cart.json"),
              CLI_EXIT_USAGE);
  assert_contains(fixture->err, "/nonexistent/cart.json");

  path = write_text("array.json", "[1, 2]");
  assert_exit(run_cli("cart", "create", "--customer", DOC_CUSTOMER_ID, path), CLI_EXIT_USAGE);
  assert_contains(fixture->err, "lineItems");
  free(path);

  /* Request-level problems are named locally; nothing is sent. */
  path = write_text("empty.json", "{\"lineItems\": []}");
  assert_exit(run_cli("cart", "create", "--customer", DOC_CUSTOMER_ID, path), CLI_EXIT_INVALID);
  assert_contains(fixture->err, "800002");
  free(path);
  assert_int_equal(sandbox_control_number(fixture->ctx, "status", "carts"), 2);
}

static void test_create_with_line_errors(void **state) {
  (void)state;
  CartLineSpec line = {"DZH318Z0BQ36:9999:DZH318Z08C0S", 1, "one_time", "P1Y", NULL, NULL, NULL};
  char *body = cart_body_build(&line, 1);
  char *path = write_text("line-error.json", body);
  assert_exit(run_cli("cart", "create", "--customer", DOC_CUSTOMER_ID, path), CLI_EXIT_INVALID);
  assert_contains(fixture->out, "10001");
  assert_contains(fixture->out, "catalog item id is not valid");
  assert_contains(fixture->err, "cart update");
  free(path);
  free(body);
}

static void test_show_and_update_round_trip(void **state) {
  (void)state;
  char *id = create_docs_cart();
  assert_exit(run_cli("cart", "show", "--customer", DOC_CUSTOMER_ID, id, "--json"), 0);
  Cart *shown = parse_cart_output();
  assert_string_equal(shown->id, id);
  assert_int_equal(shown->line_items.count, 6);

  /* `cart show --json > file`, edit, `cart update`: the same serializer both ways. */
  cart_line_list_remove(&shown->line_items, 5);
  cJSON *json = cart_to_json(shown);
  char *text = model_json_print(json);
  cJSON_Delete(json);
  char *path = write_text("shown.json", text);
  assert_exit(run_cli("cart", "update", "--customer", DOC_CUSTOMER_ID, id, path, "--json"), 0);
  Cart *updated = parse_cart_output();
  assert_string_equal(updated->id, id);
  assert_int_equal(updated->line_items.count, 5);
  cart_free(updated);

  assert_exit(run_cli("cart", "show", "--customer", DOC_CUSTOMER_ID, id), 0);
  assert_contains(fixture->out, id);
  assert_contains(fixture->out, "Expires");
  assert_contains(fixture->out, "Lines    5");

  assert_exit(run_cli("cart", "show", "--customer", DOC_CUSTOMER_ID,
                      "11111111-2222-3333-4444-555555555555"),
              CLI_EXIT_FAILURE);
  assert_contains(fixture->err, "code 800008");
  assert_contains(fixture->err, "HTTP 404");
  assert_contains(fixture->err, "MS-CorrelationId");

  free(path);
  free(text);
  cart_free(shown);
  free(id);
}

/* ----- checkout ----- */

static void test_checkout_needs_confirmation(void **state) {
  (void)state;
  char *id = create_docs_cart();
  /* No terminal and no --yes: refused before anything is sent. */
  assert_exit(run_cli("cart", "checkout", "--customer", DOC_CUSTOMER_ID, id), CLI_EXIT_DECLINED);
  assert_contains(fixture->err, "--yes");
  /* Declined at the prompt. */
  assert_exit(run_with(&fixture->settings, true, "n\n", "cart", "checkout", "--customer",
                       DOC_CUSTOMER_ID, id, NULL),
              CLI_EXIT_DECLINED);
  assert_contains(fixture->err, "Check out? [y/N]");
  assert_contains(fixture->err, "Order groups: OMS-0 (1 line, monthly), 0 (3 lines, one_time)");
  assert_contains(fixture->err, "sandbox");
  /* End of input is a no. */
  assert_exit(run_with(&fixture->settings, true, "", "cart", "checkout", "--customer",
                       DOC_CUSTOMER_ID, id, NULL),
              CLI_EXIT_DECLINED);
  assert_int_equal(ledger_count(), 0);

  /* Confirmed. */
  assert_exit(run_with(&fixture->settings, true, "yes\n", "cart", "checkout", "--customer",
                       DOC_CUSTOMER_ID, id, NULL),
              0);
  assert_contains(fixture->out, "4 orders");
  assert_contains(fixture->out, "SUBSCRIPTION");
  assert_int_equal(ledger_count(), 4);
  free(id);
}

static void test_checkout_yes_json(void **state) {
  (void)state;
  char *id = create_docs_cart();
  assert_exit(run_cli("cart", "checkout", "--customer", DOC_CUSTOMER_ID, id, "--yes", "--json"), 0);
  char err[256] = "";
  CartCheckoutResult *result = checkout_result_parse(fixture->out, err, sizeof err);
  assert_non_null(result);
  assert_int_equal(result->order_count, 4);
  assert_int_equal(result->order_error_count, 0);
  /* The Azure order completes at once with a subscription id. */
  bool azure = false;
  for (size_t i = 0; i < result->order_count; i++) {
    for (size_t j = 0; j < result->orders[i].line_item_count; j++) {
      const OrderLineItem *line = &result->orders[i].line_items[j];
      if (strcmp(line->offer_id, "MS-AZR-0145P") == 0) {
        azure = line->subscription_id != NULL;
      }
    }
  }
  assert_true(azure);
  checkout_result_free(result);
  assert_int_equal(ledger_count(), 4);

  /* Again: the stored result is replayed, nothing is ordered twice. */
  assert_exit(run_cli("cart", "checkout", "--customer", DOC_CUSTOMER_ID, id, "--yes"), 0);
  assert_contains(fixture->out, "4 orders");
  assert_int_equal(ledger_count(), 4);
  free(id);
}

static void test_checkout_partial(void **state) {
  (void)state;
  char *id = create_docs_cart();
  assert_true(sandbox_fault_arm(fixture->ctx, "{\"match\":\"carts.checkout\","
                                              "\"kind\":\"fail-order-group\",\"orderGroup\":\"1\","
                                              "\"code\":800005}") > 0);
  assert_exit(run_cli("cart", "checkout", "--customer", DOC_CUSTOMER_ID, id, "--yes"),
              CLI_EXIT_PARTIAL);
  assert_contains(fixture->out, "Order errors");
  assert_contains(fixture->out, "800005");
  assert_contains(fixture->out, "3 orders");
  assert_contains(fixture->err, "Partly checked out");
  assert_int_equal(ledger_count(), 3);
  free(id);
}

static void test_checkout_refused_with_line_errors(void **state) {
  (void)state;
  CartLineSpec line = {"DZH318Z0BQ36:9999:DZH318Z08C0S", 1, "one_time", "P1Y", NULL, NULL, NULL};
  char *body = cart_body_build(&line, 1);
  char *path = write_text("line-error.json", body);
  assert_exit(run_cli("cart", "create", "--customer", DOC_CUSTOMER_ID, path, "--json"),
              CLI_EXIT_INVALID);
  Cart *cart = parse_cart_output();
  assert_exit(run_cli("cart", "checkout", "--customer", DOC_CUSTOMER_ID, cart->id, "--yes"),
              CLI_EXIT_FAILURE);
  assert_contains(fixture->err, "800009");
  assert_int_equal(ledger_count(), 0);
  cart_free(cart);
  free(path);
  free(body);
}

/* The reply of the first checkout is lost; the client's retry (same MS-RequestId) gets the
 * stored result: exit 0 and one order, not two. */
static void test_checkout_lost_reply_recovered(void **state) {
  (void)state;
  char *id = create_one_line_cart();
  assert_true(sandbox_fault_arm(fixture->ctx, "{\"match\":\"carts.checkout\","
                                              "\"kind\":\"drop-after-commit\",\"times\":1}") > 0);
  assert_exit(run_cli("cart", "checkout", "--customer", DOC_CUSTOMER_ID, id, "--yes", "--json"), 0);
  char err[256] = "";
  CartCheckoutResult *result = checkout_result_parse(fixture->out, err, sizeof err);
  assert_non_null(result);
  assert_int_equal(result->order_count, 1);
  checkout_result_free(result);
  assert_int_equal(ledger_count(), 1);
  free(id);
}

/* Every reply lost: the outcome is unknown (exit 7) and the message gives the request id;
 * re-running with it is safe. */
static void test_checkout_outcome_unknown(void **state) {
  (void)state;
  char *id = create_one_line_cart();
  assert_true(sandbox_fault_arm(fixture->ctx, "{\"match\":\"carts.checkout\","
                                              "\"kind\":\"drop-after-commit\",\"times\":0}") > 0);
  PcSettings settings = fixture->settings;
  settings.max_attempts = 2;
  const char *request_id = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
  assert_exit(run_with(&settings, false, NULL, "cart", "checkout", "--customer", DOC_CUSTOMER_ID,
                       id, "--yes", "--request-id", request_id, NULL),
              CLI_EXIT_UNKNOWN);
  assert_contains(fixture->err, request_id);
  assert_contains(fixture->err, "--request-id");
  assert_contains(fixture->err, "will not order twice");
  assert_int_equal(ledger_count(), 1);

  HttpResponse response;
  assert_true(sandbox_control(fixture->ctx, "DELETE", "faults", NULL, &response));
  http_response_clear(&response);
  assert_exit(run_cli("cart", "checkout", "--customer", DOC_CUSTOMER_ID, id, "--yes",
                      "--request-id", request_id),
              0);
  assert_contains(fixture->out, "1 order");
  assert_int_equal(ledger_count(), 1);
  free(id);
}

/* The last logged request of an operation, as the sandbox saw it (caller clears response). */
static const cJSON *last_request(const char *op, HttpResponse *response) {
  char *path = str_format("requests?op=%s", op);
  assert_true(sandbox_control(fixture->ctx, "GET", path, NULL, response));
  free(path);
  const cJSON *items = json_items(response->json);
  assert_non_null(items);
  int count = cJSON_GetArraySize(items);
  assert_true(count > 0);
  return cJSON_GetArrayItem(items, count - 1);
}

static const char *header_of(const cJSON *request, const char *name) {
  const cJSON *headers = json_at(request, "headers");
  const cJSON *item;
  cJSON_ArrayForEach(item, headers) {
    const char *key = cJSON_IsObject(item) ? json_str_at(item, "key") : item->string;
    const char *value = cJSON_IsObject(item) ? json_str_at(item, "value") : item->valuestring;
    if (key && strcasecmp(key, name) == 0) {
      return value;
    }
  }
  return NULL;
}

static void test_checkout_sends_upn_and_request_id(void **state) {
  (void)state;
  char *id = create_one_line_cart();
  const char *request_id = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";
  assert_exit(run_cli("cart", "checkout", "--customer", DOC_CUSTOMER_ID, id, "--yes", "--upn",
                      "ann@contoso.onmicrosoft.com", "--request-id",
                      "5A4B3C2D-1E0F-4A9B-8C7D-6E5F4A3B2C1D"),
              0);
  HttpResponse response;
  const cJSON *request = last_request("carts.checkout", &response);
  const char *upn = header_of(request, "x-ms-customeruser-upn");
  assert_non_null(upn);
  assert_string_equal(upn, "ann@contoso.onmicrosoft.com");
  const char *sent = header_of(request, "MS-RequestId");
  assert_non_null(sent);
  assert_string_equal(sent, request_id);
  http_response_clear(&response);
  free(id);
}

/* A create repeated with its --request-id is answered with the first cart, not a second. */
static void test_create_repeated_request_id(void **state) {
  (void)state;
  char *path = docs_cart_file();
  const char *request_id = "9e8d7c6b-5a49-4837-a625-140f3e2d1c0b";
  assert_exit(run_cli("cart", "create", "--customer", DOC_CUSTOMER_ID, path, "--json",
                      "--request-id", request_id),
              0);
  Cart *first = parse_cart_output();
  assert_exit(run_cli("cart", "create", "--customer", DOC_CUSTOMER_ID, path, "--json",
                      "--request-id", request_id),
              0);
  Cart *second = parse_cart_output();
  assert_string_equal(first->id, second->id);
  assert_int_equal(sandbox_control_number(fixture->ctx, "status", "carts"), 1);
  cart_free(first);
  cart_free(second);
  free(path);
}

/* Every reply to a create lost: exit 7 with the request id to repeat it with; repeating it
 * gives the cart that was made, still only one. */
static void test_create_outcome_unknown(void **state) {
  (void)state;
  char *path = docs_cart_file();
  assert_true(sandbox_fault_arm(fixture->ctx, "{\"match\":\"carts.create\","
                                              "\"kind\":\"drop-after-commit\",\"times\":0}") > 0);
  PcSettings settings = fixture->settings;
  settings.max_attempts = 2;
  assert_exit(
      run_with(&settings, false, NULL, "cart", "create", "--customer", DOC_CUSTOMER_ID, path, NULL),
      CLI_EXIT_UNKNOWN);
  const char *hint = strstr(fixture->err, "--request-id ");
  assert_non_null(hint);
  char request_id[37];
  memcpy(request_id, hint + strlen("--request-id "), 36);
  request_id[36] = '\0';
  assert_true(is_guid(request_id));
  assert_int_equal(sandbox_control_number(fixture->ctx, "status", "carts"), 1);

  HttpResponse response;
  assert_true(sandbox_control(fixture->ctx, "DELETE", "faults", NULL, &response));
  http_response_clear(&response);
  assert_exit(
      run_cli("cart", "create", "--customer", DOC_CUSTOMER_ID, path, "--request-id", request_id),
      0);
  assert_int_equal(sandbox_control_number(fixture->ctx, "status", "carts"), 1);
  free(path);
}

/* The log (debug) records each command and the checkout's request id, never the secret. */
static void test_log_records_checkout(void **state) {
  (void)state;
  char *id = create_one_line_cart();
  char *path = path_in_dir("cli.log");
  char why[256] = "";
  test_log = pc_log_open(path, PC_LOG_DEBUG, why, sizeof why);
  assert_non_null(test_log);
  const char *request_id = "3c2b1a09-f8e7-4d6c-b5a4-938271605f4e";
  int code = run_cli("cart", "checkout", "--customer", DOC_CUSTOMER_ID, id, "--yes", "--request-id",
                     request_id);
  pc_log_close(test_log);
  test_log = NULL;
  assert_exit(code, 0);
  char *text = NULL;
  FILE *file = fopen(path, "r");
  assert_non_null(file);
  size_t size = 0;
  assert_true(getdelim(&text, &size, '\0', file) > 0);
  fclose(file);
  assert_contains(text, "cli: pccart cart checkout");
  char *line = str_format("cli: checkout of cart %s for customer %s, MS-RequestId %s: 1 order(s)",
                          id, DOC_CUSTOMER_ID, request_id);
  assert_contains(text, line);
  assert_null(strstr(text, SANDBOX_CLIENT_SECRET));
  free(line);
  free(text);
  free(path);
  free(id);
}

static void test_wrong_secret_is_a_config_error(void **state) {
  (void)state;
  PcSettings settings = fixture->settings;
  settings.client_secret = "definitely-not-the-secret";
  assert_exit(run_with(&settings, false, NULL, "customers", "list", NULL), CLI_EXIT_CONFIG);
  assert_true(strstr(fixture->err, "definitely-not-the-secret") == NULL);
  assert_true(strstr(fixture->out, "definitely-not-the-secret") == NULL);
}

/* A table's header can come from the service (`customers show` puts the customer's id above
 * its fields): it is cleaned like every cell, so no escape sequence reaches the terminal. */
static void test_table_header_is_cleaned(void **state) {
  (void)state;
  const char *headers[] = {"Customer", "id\x1b]0;owned\x07\r\n"};
  CliTable *table = cli_table_new(2, headers);
  assert_non_null(table);
  const char *cells[] = {"Company", "Contoso"};
  assert_true(cli_table_add(table, cells));
  char *text = NULL;
  size_t length = 0;
  FILE *out = open_memstream(&text, &length);
  assert_non_null(out);
  cli_table_print(table, out, "");
  assert_int_equal(fclose(out), 0);
  cli_table_free(table);
  assert_null(strchr(text, '\x1b'));
  assert_null(strchr(text, '\a'));
  assert_null(strchr(text, '\r'));
  assert_string_equal(text, "Customer  id ]0;owned   \nCompany   Contoso\n");
  free(text);

  /* C1 controls as UTF-8 (U+009B is a CSI to some terminals) are blanked too; other
   * non-ASCII text stays. */
  char *clean = cli_clean("a\xC2\x9B"
                          "31mb \xC3\xA9");
  assert_non_null(clean);
  assert_string_equal(clean, "a  31mb \xC3\xA9");
  free(clean);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_usage_errors, test_setup),
      cmocka_unit_test_setup(test_help_everywhere, test_setup),
      cmocka_unit_test_setup(test_customers_list_follows_pages, test_setup),
      cmocka_unit_test_setup(test_customers_search, test_setup),
      cmocka_unit_test_setup(test_customers_show, test_setup),
      cmocka_unit_test_setup(test_catalog_browse, test_setup),
      cmocka_unit_test_setup(test_export_then_validate_offline, test_setup),
      cmocka_unit_test_setup(test_validate_online_with_subscriptions, test_setup),
      cmocka_unit_test_setup(test_validate_promotions, test_setup),
      cmocka_unit_test_setup(test_create_docs_cart_with_annotations, test_setup),
      cmocka_unit_test_setup(test_create_pascal_case_and_bad_files, test_setup),
      cmocka_unit_test_setup(test_create_with_line_errors, test_setup),
      cmocka_unit_test_setup(test_show_and_update_round_trip, test_setup),
      cmocka_unit_test_setup(test_checkout_needs_confirmation, test_setup),
      cmocka_unit_test_setup(test_checkout_yes_json, test_setup),
      cmocka_unit_test_setup(test_checkout_partial, test_setup),
      cmocka_unit_test_setup(test_checkout_refused_with_line_errors, test_setup),
      cmocka_unit_test_setup(test_checkout_lost_reply_recovered, test_setup),
      cmocka_unit_test_setup(test_checkout_outcome_unknown, test_setup),
      cmocka_unit_test_setup(test_checkout_sends_upn_and_request_id, test_setup),
      cmocka_unit_test_setup(test_create_repeated_request_id, test_setup),
      cmocka_unit_test_setup(test_create_outcome_unknown, test_setup),
      cmocka_unit_test_setup(test_log_records_checkout, test_setup),
      cmocka_unit_test_setup(test_wrong_secret_is_a_config_error, test_setup),
      cmocka_unit_test(test_table_header_is_cleaned),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
