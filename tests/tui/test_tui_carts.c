/* Carts that come from elsewhere, through the real pccart on a pseudo-terminal: `o` opens a cart
 * saved by an earlier pccart (a fresh one on the same sandbox), `r` reloads the server's cart
 * (asking first when there are unsaved changes), and `w` then `O` carries a draft file into
 * another customer's cart. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui_pccart.h"

#ifndef PCC_PCCART_BIN
#define PCC_PCCART_BIN NULL
#endif

#define BASIC "Microsoft 365 Business Basic"
#define EXCHANGE "Exchange Online (Plan 1)"

static Pccart *start(const PccartOptions *options) {
  return pccart_start_or_fail(PCC_PCCART_BIN, options);
}

static bool status_lacks(Tui *tui, const void *text) {
  return strstr(tui_row(tui, 0), text) == NULL;
}

/* The cart id the status bar names ("cart <id> saved"); fails when there is none. */
static void status_cart_id(Tui *tui, char *id, size_t size) {
  const char *status = tui_row(tui, 0);
  const char *at = strstr(status, "  cart ");
  if (!at) {
    tui_dump(tui, "cart id");
    fail_msg("no cart in the status bar: \"%s\"", status);
  }
  at += strlen("  cart ");
  size_t n = strcspn(at, " ");
  snprintf(id, size, "%.*s", (int)n, at);
  if (!is_guid(id)) {
    tui_dump(tui, "cart id");
    fail_msg("the status bar's cart \"%s\" is not a GUID", id);
  }
}

/* The cart pane's row that shows a product, from the column of its line number on. */
static const char *cart_row(Tui *tui, const char *product) {
  /* Below the status bar, whose message may name the product too. */
  int rows, cols, row = -1;
  tui_size(tui, &rows, &cols);
  for (int y = 1; y < rows && row < 0; y++)
    if (strstr(tui_row(tui, y), product))
      row = y;
  if (row < 0) {
    tui_dump(tui, product);
    fail_msg("no line \"%s\" on the screen", product);
  }
  return tui_row(tui, row);
}

/* The quantity column of a product's row: the number right before the billing cycle. */
static long shown_quantity(Tui *tui, const char *product) {
  const char *row = cart_row(tui, product);
  const char *cycle = strstr(row, " monthly");
  if (!cycle) {
    tui_dump(tui, product);
    fail_msg("no billing cycle on the row of \"%s\"", product);
  }
  const char *p = cycle;
  while (p > row && p[-1] == ' ')
    p--;
  while (p > row && p[-1] >= '0' && p[-1] <= '9')
    p--;
  return strtol(p, NULL, 10);
}

/* Contoso with Business Basic (quantity) and Exchange, saved: the new cart's id in id. */
static void make_saved_cart(Pccart *pccart, long quantity, char *id, size_t size) {
  Tui *tui = pccart->tui;
  TUI_ASSERT(tui, pccart_pick_customer(pccart, "Contoso", "Contoso, Ltd."));
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "Business Basic", "Business Basic", NULL));
  char text[32];
  snprintf(text, sizeof text, "%ld", quantity);
  TUI_ASSERT(tui, pccart_form_type(pccart, "Quantity", text));
  TUI_ASSERT(tui, pccart_form_submit(pccart));
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "Exchange Online", "Plan 1", NULL));
  TUI_ASSERT(tui, pccart_form_submit(pccart));
  TUI_ASSERT(tui, pccart_keys(pccart, "s"));
  TUI_ASSERT(tui, tui_wait_for(tui, pccart_status_says, " saved", "the status bar saying saved"));
  tui_assert_idle(tui);
  status_cart_id(tui, id, size);
}

static void test_open_a_cart_by_id(void **state) {
  (void)state;
  char err[512];
  HttpCtx *http = http_ctx_start(&(HttpCtxOptions){0}, err, sizeof err);
  if (!http)
    fail_msg("%s", err);

  /* The first pccart saves a cart and quits. */
  Pccart *first = start(&(PccartOptions){.http = http, .cols = 160});
  char id[64];
  make_saved_cart(first, 4, id, sizeof id);
  tui_assert_send(first->tui, "q");
  int status = -1;
  TUI_ASSERT(first->tui, tui_wait_exit(first->tui, &status));
  assert_int_equal(status, 0);
  pccart_stop(first);

  /* A fresh one opens it by id (spaces around a pasted id do not matter). */
  Pccart *pccart = start(&(PccartOptions){.http = http, .cols = 160});
  Tui *tui = pccart->tui;
  TUI_ASSERT(tui, pccart_pick_customer(pccart, "Contoso", "Contoso, Ltd."));
  tui_assert_text(tui, "The cart is empty");
  int gets = pccart_request_count(pccart, "carts.get");
  TUI_ASSERT(tui, pccart_keys(pccart, "o"));
  tui_assert_text(tui, "Open the cart with id");
  char keys[128];
  snprintf(keys, sizeof keys, " %s <Enter>", id);
  TUI_ASSERT(tui, pccart_keys(pccart, keys));
  tui_assert_text(tui, "Cart (2 lines)");
  tui_assert_idle(tui);
  assert_int_equal(pccart_request_count(pccart, "carts.get"), gets + 1);
  char expected[128];
  snprintf(expected, sizeof expected, "cart %s saved", id);
  assert_non_null(strstr(tui_row(tui, 0), expected));
  assert_null(strstr(tui_row(tui, 0), "*unsaved"));
  assert_int_equal(shown_quantity(tui, BASIC), 4);
  assert_int_equal(shown_quantity(tui, EXCHANGE), 1);
  assert_true(tui_find_row(tui, BASIC) < tui_find_row(tui, EXCHANGE));

  /* Editing a line whose SKU was never browsed: the first e loads it, the next opens the form
   * on the line as the server has it. */
  TUI_ASSERT(tui, pccart_keys(pccart, "e"));
  tui_assert_idle(tui);
  if (!tui_screen_contains(tui, "Line 1: "))
    TUI_ASSERT(tui, pccart_keys(pccart, "e"));
  tui_assert_text(tui, "Line 1: ");
  TUI_ASSERT(tui, pccart_form_type(pccart, "Quantity", "5"));
  TUI_ASSERT(tui, pccart_keys(pccart, "<C-s>"));
  TUI_ASSERT(tui, tui_wait_text_gone(tui, "Line 1: "));
  tui_assert_text(tui, "Line 1 updated");
  assert_int_equal(shown_quantity(tui, BASIC), 5);

  /* Saving again updates that cart (not a new one). */
  TUI_ASSERT(tui, pccart_keys(pccart, "g"));
  TUI_ASSERT(tui, pccart_keys(pccart, "D"));
  tui_assert_text(tui, "Cart (3 lines)");
  int creates = pccart_request_count(pccart, "carts.create");
  TUI_ASSERT(tui, pccart_keys(pccart, "s"));
  TUI_ASSERT(tui, tui_wait_for(tui, status_lacks, "*unsaved", "the status bar without *unsaved"));
  tui_assert_idle(tui);
  assert_int_equal(pccart_request_count(pccart, "carts.create"), creates);
  assert_int_equal(pccart_request_count(pccart, "carts.update"), 1);
  assert_non_null(strstr(tui_row(tui, 0), expected));

  /* An id the server does not know: an error that says so, and the cart stays as it was. */
  TUI_ASSERT(tui, pccart_keys(pccart, "o"));
  TUI_ASSERT(tui, pccart_keys(pccart, "00000000-0000-0000-0000-000000000000<Enter>"));
  tui_assert_text(tui, "Error: ");
  tui_assert_text(tui, "800008");
  assert_true(tui_screen_contains(tui, "Cart (3 lines)"));
  assert_non_null(strstr(tui_row(tui, 0), expected));

  /* o now lists the carts this customer had here; its last row asks for an id, and an empty
   * answer opens nothing and says so. */
  TUI_ASSERT(tui, pccart_keys(pccart, "o"));
  tui_assert_text(tui, "Open a cart of this customer");
  assert_true(tui_screen_contains(tui, id));
  TUI_ASSERT(tui, pccart_keys(pccart, "<End>"));
  TUI_ASSERT(tui, pccart_keys(pccart, "<Enter>"));
  tui_assert_text(tui, "Open the cart with id");
  TUI_ASSERT(tui, pccart_keys(pccart, "<Enter>"));
  tui_assert_text(tui, "No cart id given: nothing was opened.");
  pccart_stop(pccart);
  http_ctx_stop(http);
}

/* The server's cart as another client changed it: the quantity of its first line becomes q. */
static void change_on_server(HttpCtx *http, const char *customer_id, const char *cart_id, long q) {
  char path[256];
  snprintf(path, sizeof path, "/v1/customers/%s/carts/%s", customer_id, cart_id);
  HttpResponse response;
  assert_true(http_request(http, "GET", path, NULL, NULL, &response));
  assert_status(&response, 200);
  cJSON *cart = response.json;
  response.json = NULL;
  http_response_clear(&response);
  cJSON *line = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cart, "lineItems"), 0);
  assert_non_null(line);
  cJSON_ReplaceItemInObjectCaseSensitive(line, "quantity", cJSON_CreateNumber((double)q));
  char *body = cJSON_PrintUnformatted(cart);
  cJSON_Delete(cart);
  assert_non_null(body);
  const char *headers[] = {"Content-Type: application/json", NULL};
  assert_true(http_request(http, "PUT", path, headers, body, &response));
  free(body);
  /* Partner Center answers an update with 201, as a create. */
  if (response.status != 201)
    assert_status(&response, 200);
  http_response_clear(&response);
}

static void test_reload(void **state) {
  (void)state;
  Pccart *pccart = start(&(PccartOptions){.cols = 160});
  Tui *tui = pccart->tui;
  char id[64];
  make_saved_cart(pccart, 2, id, sizeof id);

  /* Clean: r reloads at once, and shows what the server has now (changed behind our back). */
  change_on_server(pccart->http, DOC_CUSTOMER_ID, id, 11);
  assert_int_equal(shown_quantity(tui, BASIC), 2);
  int gets = pccart_request_count(pccart, "carts.get");
  TUI_ASSERT(tui, pccart_keys(pccart, "r"));
  assert_false(tui_screen_contains(tui, "Reload the cart"));
  TUI_ASSERT(tui, tui_wait_for(tui, status_lacks, "reloading", "the reload to finish"));
  tui_assert_idle(tui);
  assert_int_equal(pccart_request_count(pccart, "carts.get"), gets + 1);
  assert_int_equal(shown_quantity(tui, BASIC), 11);
  assert_null(strstr(tui_row(tui, 0), "*unsaved"));

  /* Dirty: r asks (default No). Enter and Esc keep the changes and send nothing. */
  TUI_ASSERT(tui, pccart_keys(pccart, "g"));
  TUI_ASSERT(tui, pccart_keys(pccart, "D"));
  tui_assert_text(tui, "Cart (3 lines)");
  assert_non_null(strstr(tui_row(tui, 0), "*unsaved"));
  change_on_server(pccart->http, DOC_CUSTOMER_ID, id, 13);
  /* (The test's own GET is in the log too: count from here.) */
  gets = pccart_request_count(pccart, "carts.get");
  TUI_ASSERT(tui, pccart_keys(pccart, "r"));
  tui_assert_text(tui, "Reload the cart");
  tui_assert_text(tui, "[y]es   [N]o (Enter, Esc)");
  TUI_ASSERT(tui, pccart_keys(pccart, "<Enter>"));
  TUI_ASSERT(tui, tui_wait_text_gone(tui, "Reload the cart"));
  TUI_ASSERT(tui, pccart_keys(pccart, "r"));
  tui_assert_text(tui, "Reload the cart");
  TUI_ASSERT(tui, pccart_keys(pccart, "<Esc>"));
  TUI_ASSERT(tui, tui_wait_text_gone(tui, "Reload the cart"));
  assert_int_equal(pccart_request_count(pccart, "carts.get"), gets);
  assert_true(tui_screen_contains(tui, "Cart (3 lines)"));
  assert_non_null(strstr(tui_row(tui, 0), "*unsaved"));

  /* y: the server's cart replaces the changes. */
  TUI_ASSERT(tui, pccart_keys(pccart, "r"));
  tui_assert_text(tui, "Reload the cart");
  TUI_ASSERT(tui, pccart_keys(pccart, "y"));
  tui_assert_text(tui, "Cart (2 lines)");
  tui_assert_idle(tui);
  assert_int_equal(pccart_request_count(pccart, "carts.get"), gets + 1);
  assert_int_equal(shown_quantity(tui, BASIC), 13);
  assert_null(strstr(tui_row(tui, 0), "*unsaved"));
  char expected[128];
  snprintf(expected, sizeof expected, "cart %s saved", id);
  assert_non_null(strstr(tui_row(tui, 0), expected));
  pccart_stop(pccart);
}

/* The request log's path of the last request of op (caller frees). */
static char *last_request_path(Pccart *pccart, const char *op) {
  char path[128];
  snprintf(path, sizeof path, "requests?op=%s", op);
  HttpResponse response;
  char *text = NULL;
  if (sandbox_control(pccart->http, "GET", path, NULL, &response) && response.status == 200) {
    const cJSON *items = json_items(response.json);
    int size = cJSON_IsArray(items) ? cJSON_GetArraySize(items) : 0;
    const char *value = size > 0 ? json_str_at(cJSON_GetArrayItem(items, size - 1), "path") : NULL;
    text = value ? strdup(value) : NULL;
  }
  http_response_clear(&response);
  return text;
}

static void test_draft_into_another_customer(void **state) {
  (void)state;
  Pccart *pccart = start(&(PccartOptions){.cols = 160});
  Tui *tui = pccart->tui;
  TUI_ASSERT(tui, pccart_pick_customer(pccart, "Contoso", "Contoso, Ltd."));
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "Business Basic", "Business Basic", NULL));
  TUI_ASSERT(tui, pccart_form_type(pccart, "Quantity", "6"));
  TUI_ASSERT(tui, pccart_form_submit(pccart));
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "Exchange Online", "Plan 1", NULL));
  TUI_ASSERT(tui, pccart_form_submit(pccart));

  /* w writes the draft; the prompt offers a name made from the customer. */
  char path[600];
  snprintf(path, sizeof path, "%s/contoso-draft.json", tui_home(tui));
  TUI_ASSERT(tui, pccart_keys(pccart, "w"));
  tui_assert_text(tui, "Write the cart to the file");
  tui_assert_text(tui, "cart-" DOC_CUSTOMER_ID ".json");
  char keys[700];
  snprintf(keys, sizeof keys, "<C-u>%s<Enter>", path);
  TUI_ASSERT(tui, pccart_keys(pccart, keys));
  tui_assert_text(tui, "Draft written to");
  char *draft = pccart_read_file(path);
  assert_non_null(draft);

  /* Another customer: the unsaved cart is given up (asked first), the new cart is empty. */
  TUI_ASSERT(tui, pccart_keys(pccart, "<S-Tab>"));
  TUI_ASSERT(tui, pccart_keys(pccart, "/"));
  TUI_ASSERT(tui, pccart_keys(pccart, "<C-u>Fabrikam"));
  tui_assert_text(tui, "Fabrikam, Inc.");
  TUI_ASSERT(tui, pccart_keys(pccart, "<Enter>"));
  tui_assert_text(tui, "Pick another customer?");
  TUI_ASSERT(tui, pccart_keys(pccart, "y"));
  TUI_ASSERT(tui,
             tui_wait_for(tui, pccart_status_says, "Fabrikam, Inc.", "Fabrikam in the status bar"));
  tui_assert_text(tui, "The cart is empty");

  /* O opens the draft into Fabrikam's new cart: the lines appear, unsaved. */
  TUI_ASSERT(tui, pccart_keys(pccart, "O"));
  tui_assert_text(tui, "Open the cart file (draft)");
  TUI_ASSERT(tui, pccart_keys(pccart, keys));
  tui_assert_text(tui, "Cart (2 lines)");
  tui_assert_text(tui, "Draft read from");
  assert_int_equal(shown_quantity(tui, BASIC), 6);
  assert_int_equal(shown_quantity(tui, EXCHANGE), 1);
  const char *status = tui_row(tui, 0);
  assert_non_null(strstr(status, "Fabrikam, Inc."));
  assert_non_null(strstr(status, "cart new draft *unsaved"));
  assert_int_equal(pccart_request_count(pccart, "carts.create"), 0);

  /* Saved, it is Fabrikam's cart, and the body is the draft byte for byte. */
  TUI_ASSERT(tui, pccart_keys(pccart, "s"));
  TUI_ASSERT(tui, tui_wait_for(tui, pccart_status_says, " saved", "the status bar saying saved"));
  tui_assert_idle(tui);
  int creates = 0;
  char *sent = pccart_last_request_body(pccart, "carts.create", &creates);
  assert_int_equal(creates, 1);
  assert_non_null(sent);
  assert_string_equal(sent, draft);
  char *where = last_request_path(pccart, "carts.create");
  assert_non_null(where);
  assert_null(strstr(where, DOC_CUSTOMER_ID));
  assert_non_null(strstr(where, "/carts"));
  free(where);
  free(sent);

  /* A file that is not there: an error naming it, and the cart is untouched. */
  TUI_ASSERT(tui, pccart_keys(pccart, "O"));
  snprintf(keys, sizeof keys, "<C-u>%s/missing.json<Enter>", tui_home(tui));
  TUI_ASSERT(tui, pccart_keys(pccart, keys));
  tui_assert_text(tui, "missing.json");
  tui_assert_text(tui, "Error: ");
  assert_true(tui_screen_contains(tui, "Cart (2 lines)"));
  free(draft);
  pccart_stop(pccart);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_open_a_cart_by_id),
      cmocka_unit_test(test_reload),
      cmocka_unit_test(test_draft_into_another_customer),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
