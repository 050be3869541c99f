/* A whole cart through the real pccart on a pseudo-terminal: pick a customer, add one line of
 * each catalog kind (the legacy Azure offer too) through the catalog browser and the line form (the
 * reservation's provisioning form included), write the draft, save, compare the bytes the sandbox
 * received with the draft and the preview, check out with one order group failing; then a server
 * line error shown on its line, and cancelling a slow save. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tui_pccart.h"

#ifndef PCC_PCCART_BIN
#define PCC_PCCART_BIN NULL
#endif

static Pccart *start(const PccartOptions *options) {
  return pccart_start_or_fail(PCC_PCCART_BIN, options);
}

/* The preview pane shows body line by line from its first row: each row of the pane is the
 * line, or the line's start cut with "…" where the pane is narrower. At least min_lines lines
 * must be visible. */
static void assert_preview_shows(Tui *tui, const char *body, int min_lines) {
  int rows, cols;
  tui_size(tui, &rows, &cols);
  int top = -1, left = -1;
  for (int y = 0; y + 1 < rows && top < 0; y++)
    for (int x = 0; x < cols && top < 0; x++)
      if (strncmp(tui_row_from(tui, y, x), "{", 1) == 0 &&
          strncmp(tui_row_from(tui, y + 1, x), "  \"lineItems\": [", 16) == 0) {
        top = y;
        left = x;
      }
  if (top < 0) {
    tui_dump(tui, "preview");
    fail_msg("no preview of the body on the screen");
  }
  char *copy = strdup(body);
  assert_non_null(copy);
  int matched = 0;
  char *next = copy;
  for (int y = top; y < rows && next && *next; y++) {
    char *line = next;
    char *newline = strchr(next, '\n');
    next = newline ? newline + 1 : NULL;
    if (newline)
      *newline = '\0';
    char shown[1024];
    snprintf(shown, sizeof shown, "%s", tui_row_from(tui, y, left));
    /* The pane's right border and what lies beyond it (a toast) are not the body. */
    char *border = strstr(shown, "│");
    if (border)
      *border = '\0';
    size_t n = strlen(shown);
    while (n > 0 && shown[n - 1] == ' ')
      shown[--n] = '\0';
    const char *ellipsis = "…";
    size_t e = strlen(ellipsis);
    bool same = strcmp(shown, line) == 0;
    bool cut = n >= e && strcmp(shown + n - e, ellipsis) == 0 && strncmp(shown, line, n - e) == 0 &&
               strlen(line) > n - e;
    if (!same && !cut)
      break;
    matched++;
  }
  free(copy);
  if (matched < min_lines) {
    tui_dump(tui, "preview");
    fail_msg("only the first %d lines of the preview match the body sent (wanted %d):\n%s", matched,
             min_lines, body);
  }
}

static void test_cart_from_pick_to_checkout(void **state) {
  (void)state;
  Pccart *pccart = start(&(PccartOptions){.rows = 40, .cols = 160});
  Tui *tui = pccart->tui;
  TUI_ASSERT(tui, pccart_pick_customer(pccart, "Contoso", "Contoso, Ltd."));

  /* 1. An Azure reservation: its provisioning form (scope, subscription pick-list). */
  TUI_ASSERT(tui,
             pccart_browse_to_form(pccart, "Reserved Virtual", "NV12, US East 2, 1 Year", NULL));
  TUI_ASSERT(tui, pccart_form_type(pccart, "Quantity", "2"));
  TUI_ASSERT(tui, pccart_form_focus(pccart, "Scope"));
  assert_true(tui_screen_contains(tui, "< Shared >"));
  TUI_ASSERT(tui, pccart_keys(pccart, "<Right>"));
  tui_assert_text(tui, "< Single >");
  TUI_ASSERT(tui, pccart_form_focus(pccart, "Azure subscription"));
  TUI_ASSERT(tui, pccart_keys(pccart, "<F4>"));
  tui_assert_text(tui, "Enter picks");
  TUI_ASSERT(tui, pccart_keys(pccart, "<Enter>"));
  TUI_ASSERT(tui, tui_wait_text_gone(tui, "Enter picks"));
  /* The picked GUID is named by its subscription. */
  tui_assert_text(tui, "= ");
  TUI_ASSERT(tui, pccart_form_submit(pccart));
  tui_assert_text(tui, "Standard_NV12, US East 2, 1 Year");

  /* 2. Perpetual software. */
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "SQL Server 2019", "2 Core", NULL));
  TUI_ASSERT(tui, pccart_form_submit(pccart));
  tui_assert_text(tui, "SQL Server 2019 Standard - 2 Core License Pack");

  /* 3. Marketplace SaaS. */
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "WAF-as-a-Service", "Small Plan", NULL));
  TUI_ASSERT(tui, pccart_form_submit(pccart));
  tui_assert_text(tui, "Barracuda WaaS - Small Plan");

  /* 4. New-commerce online services, five seats. */
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "Business Basic", "Business Basic", NULL));
  TUI_ASSERT(tui, pccart_form_type(pccart, "Quantity", "5"));
  TUI_ASSERT(tui, pccart_form_submit(pccart));
  tui_assert_text(tui, "Microsoft 365 Business Basic");
  assert_non_null(strstr(tui_row(tui, 0), "*unsaved"));

  /* 5. The legacy Azure offer: beside the products at the top of the browser, marked, and its
   * form opens straight from there (no SKU or term to choose). */
  TUI_ASSERT(tui, pccart_keys(pccart, "a"));
  tui_assert_text(tui, "Search products:");
  TUI_ASSERT(tui, pccart_keys(pccart, "MS-AZR-0145P"));
  tui_assert_text(tui, "legacy offer");
  TUI_ASSERT(tui, pccart_keys(pccart, "<Enter>"));
  tui_assert_text(tui, "New line:");
  assert_true(tui_screen_contains(tui, "MS-AZR-0145P"));
  TUI_ASSERT(tui, pccart_form_submit(pccart));
  tui_assert_text(tui, "Microsoft Azure");

  /* The draft, written with w: the body the next create sends. */
  char draft_path[600];
  snprintf(draft_path, sizeof draft_path, "%s/draft.json", tui_home(tui));
  TUI_ASSERT(tui, pccart_keys(pccart, "w"));
  tui_assert_text(tui, "Enter accept");
  char keys[700];
  snprintf(keys, sizeof keys, "<C-u>%s<Enter>", draft_path);
  TUI_ASSERT(tui, pccart_keys(pccart, keys));
  char *draft = pccart_read_file(draft_path);
  if (!draft) {
    tui_dump(tui, "draft");
    fail_msg("no draft at %s", draft_path);
  }
  struct stat st;
  assert_int_equal(stat(draft_path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);

  /* Save: one create, whose body is the draft byte for byte; the preview shows it too. */
  assert_int_equal(pccart_request_count(pccart, "carts.create"), 0);
  TUI_ASSERT(tui, pccart_keys(pccart, "s"));
  TUI_ASSERT(tui, tui_wait_for(tui, pccart_status_says, " saved", "the status bar saying saved"));
  int creates = 0;
  char *sent = pccart_last_request_body(pccart, "carts.create", &creates);
  assert_int_equal(creates, 1);
  assert_non_null(sent);
  assert_string_equal(sent, draft);
  cJSON *body = cJSON_Parse(sent);
  assert_non_null(body);
  assert_int_equal(json_count_at(body, "lineItems"), 5);
  assert_string_equal(json_str_at(body, "lineItems.4.catalogItemId"), "MS-AZR-0145P");
  assert_string_equal(json_str_at(body, "lineItems.0.provisioningContext.scope"), "single");
  assert_true(is_guid(json_str_at(body, "lineItems.0.provisioningContext.subscriptionId")));
  assert_int_equal((long)json_num_at(body, "lineItems.0.quantity", 0), 2);
  assert_int_equal((long)json_num_at(body, "lineItems.3.quantity", 0), 5);
  cJSON_Delete(body);
  assert_null(strstr(tui_row(tui, 0), "*unsaved"));
  /* The preview shows the request body (p toggles it on if it is off). */
  if (!tui_screen_contains(tui, "\"lineItems\""))
    TUI_ASSERT(tui, pccart_keys(pccart, "p"));
  assert_preview_shows(tui, sent, 20);
  free(sent);
  free(draft);

  /* Check out with the second order group failing: the confirmation (default No) summarises
   * the cart; y places the orders; the results show the orders and the group's error. */
  assert_true(sandbox_fault_arm(pccart->http, "{\"match\":\"carts.checkout\",\"kind\":"
                                              "\"fail-order-group\",\"orderGroup\":\"1\","
                                              "\"code\":800005,\"description\":\"Group one "
                                              "failed in the test.\"}") > 0);
  TUI_ASSERT(tui, pccart_keys(pccart, "C"));
  tui_assert_text(tui, "Order groups");
  assert_true(tui_screen_contains(tui, "Contoso, Ltd."));
  TUI_ASSERT(tui, pccart_keys(pccart, "y"));
  TUI_ASSERT(tui, tui_wait_text(tui, "800005"));
  tui_assert_idle(tui);
  assert_int_equal(pccart_request_count(pccart, "carts.checkout"), 1);
  long orders = sandbox_control_number(pccart->http, "ledger", "totalCount");
  assert_true(orders >= 1);
  assert_true(tui_screen_contains(tui, "Group one failed in the test."));
  assert_non_null(strstr(tui_row(tui, 0), "ordered"));

  /* Quitting asks nothing: everything is saved. */
  tui_assert_send(tui, "q");
  int status = -1;
  TUI_ASSERT(tui, tui_wait_exit(tui, &status));
  assert_int_equal(status, 0);
  pccart_stop(pccart);
}

/* The integration-sandbox scenario allows 25 seats per line: the server's line error (10009)
 * shows on the line that caused it. */
static void test_server_line_error_on_its_line(void **state) {
  (void)state;
  Pccart *pccart = start(&(PccartOptions){.scenario = "integration-sandbox", .cols = 200});
  Tui *tui = pccart->tui;
  TUI_ASSERT(tui, pccart_pick_customer(pccart, "Fabrikam", "Fabrikam, Inc."));
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "Exchange Online", "Plan 1", NULL));
  TUI_ASSERT(tui, pccart_form_submit(pccart));
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "Business Basic", "Business Basic", NULL));
  TUI_ASSERT(tui, pccart_form_type(pccart, "Quantity", "30"));
  TUI_ASSERT(tui, pccart_form_submit(pccart));
  TUI_ASSERT(tui, pccart_keys(pccart, "s"));
  tui_assert_text(tui, "10009");
  tui_assert_idle(tui);
  int error_row = tui_find_row(tui, "10009");
  int line_row = tui_find_row(tui, "Microsoft 365 Business Basic");
  int other_row = tui_find_row(tui, "Exchange Online (Plan 1)");
  assert_true(line_row >= 0 && other_row >= 0);
  /* On the line itself, or on the row right under it. */
  if (error_row != line_row && error_row != line_row + 1) {
    tui_dump(tui, "line error");
    fail_msg("the error is on row %d, the line on row %d", error_row, line_row);
  }
  assert_null(strstr(tui_row(tui, other_row), "10009"));
  /* Checking out is refused while a line has an error, before any request and before the
   * confirmation (which would say "Order groups"). */
  TUI_ASSERT(tui, pccart_keys(pccart, "C"));
  tui_assert_text(tui, "1 line of the cart has errors");
  assert_false(tui_screen_contains(tui, "Order groups"));
  assert_int_equal(pccart_request_count(pccart, "carts.checkout"), 0);
  pccart_stop(pccart);
}

/* A slow save: Esc stops waiting for it; the request had reached the service, so the UI says
 * its outcome is unknown (never "cancelled") and that saving again is safe, and is idle again
 * while the server still holds the request. */
static void test_cancel_a_slow_request(void **state) {
  (void)state;
  Pccart *pccart = start(NULL);
  Tui *tui = pccart->tui;
  TUI_ASSERT(tui, pccart_pick_customer(pccart, "Contoso", "Contoso, Ltd."));
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "Business Basic", "Business Basic", NULL));
  TUI_ASSERT(tui, pccart_form_submit(pccart));
  assert_true(sandbox_fault_arm(pccart->http,
                                "{\"match\":\"carts.create\",\"kind\":\"hold\",\"times\":1}") > 0);
  tui_assert_send(tui, "s");
  assert_true(sandbox_wait_held(pccart->http, 1));
  /* While the save is held the UI still answers (no idle signal comes while a job is in
   * flight, so these wait for the screen): help opens and closes. */
  tui_assert_send(tui, "?");
  tui_assert_text(tui, "Move down");
  tui_assert_send(tui, "<Esc>");
  TUI_ASSERT(tui, tui_wait_text_gone(tui, "Move down"));
  tui_assert_send(tui, "<Esc>");
  tui_assert_text(tui, "outcome is unknown");
  tui_assert_idle(tui);
  assert_false(tui_screen_contains(tui, "cancelled"));
  tui_assert_text(tui, "save outcome unknown");
  assert_non_null(strstr(tui_row(tui, 0), "*unsaved"));
  assert_true(sandbox_release(pccart->http) >= 1);
  pccart_stop(pccart);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cart_from_pick_to_checkout),
      cmocka_unit_test(test_server_line_error_on_its_line),
      cmocka_unit_test(test_cancel_a_slow_request),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
