/* What the server says, shown by the real pccart on a pseudo-terminal: an error toast with the
 * Partner Center code and the request id of the failed request, the expiry countdown after a
 * save, and a held request during which the customer list and help still scroll. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui_pccart.h"

#ifndef PCC_PCCART_BIN
#define PCC_PCCART_BIN NULL
#endif

static Pccart *start(const PccartOptions *options) {
  return pccart_start_or_fail(PCC_PCCART_BIN, options);
}

/* Contoso with one Business Basic line, unsaved. */
static void cart_with_a_line(Pccart *pccart) {
  Tui *tui = pccart->tui;
  TUI_ASSERT(tui, pccart_pick_customer(pccart, "Contoso", "Contoso, Ltd."));
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "Business Basic", "Business Basic", NULL));
  TUI_ASSERT(tui, pccart_form_submit(pccart));
}

/* The MS-RequestId header the last request of op carried ("" when none). */
static void last_request_id(Pccart *pccart, const char *op, char *out, size_t size) {
  out[0] = '\0';
  char path[128];
  snprintf(path, sizeof path, "requests?op=%s", op);
  HttpResponse response;
  if (sandbox_control(pccart->http, "GET", path, NULL, &response) && response.status == 200) {
    const cJSON *items = json_items(response.json);
    int size_items = cJSON_IsArray(items) ? cJSON_GetArraySize(items) : 0;
    const cJSON *headers =
        size_items > 0
            ? cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(items, size_items - 1), "headers")
            : NULL;
    const cJSON *header;
    /* An object of names, or an array of {name, value}. */
    cJSON_ArrayForEach(header, headers) {
      const char *name = header->string;
      const char *value = cJSON_IsString(header) ? header->valuestring : NULL;
      if (!name) {
        name = json_str_at(header, "name");
        value = json_str_at(header, "value");
      }
      if (name && value && strcasecmp(name, "MS-RequestId") == 0)
        snprintf(out, size, "%s", value);
    }
  }
  http_response_clear(&response);
}

/* The screen's rows joined without line breaks (a toast wraps its text; caller frees). */
static char *screen_joined(Tui *tui) {
  char *screen = tui_screen_text(tui);
  assert_non_null(screen);
  size_t n = 0;
  for (const char *p = screen; *p; p++) {
    if (*p == '\n') {
      /* A wrapped toast line ends in the frame: drop "│\n│ " between its pieces. */
      continue;
    }
    screen[n++] = *p;
  }
  screen[n] = '\0';
  return screen;
}

static void test_server_error_toast_has_code_and_request_id(void **state) {
  (void)state;
  Pccart *pccart = start(&(PccartOptions){.cols = 160});
  Tui *tui = pccart->tui;
  cart_with_a_line(pccart);
  /* Every create fails with 500 and a code of the test's, retries included. */
  assert_true(sandbox_fault_arm(pccart->http,
                                "{\"match\":\"carts.create\",\"kind\":\"status\",\"status\":500,"
                                "\"times\":0,\"code\":800123,\"description\":\"The test broke "
                                "the cart service.\"}") > 0);
  TUI_ASSERT(tui, pccart_keys(pccart, "s"));
  tui_assert_text(tui, "Partner Center code 800123");
  tui_assert_idle(tui);
  int creates = pccart_request_count(pccart, "carts.create");
  assert_true(creates >= 1);
  char request_id[128];
  last_request_id(pccart, "carts.create", request_id, sizeof request_id);
  assert_true(is_guid(request_id));
  /* The toast: an error, the code and the id of the request that failed (each on screen
   * whole; the toast may wrap between them). */
  char *screen = screen_joined(tui);
  char expected[200];
  snprintf(expected, sizeof expected, "request id %s", request_id);
  bool has_id = strstr(screen, request_id) != NULL;
  /* A 500 after the request was sent may have been carried out: a warning that the outcome is
   * unknown, not an error that would invite a second cart. */
  bool has_error = strstr(screen, "Warning: ") != NULL && strstr(screen, "outcome") != NULL;
  free(screen);
  if (!has_id || !has_error) {
    tui_dump(tui, "error toast");
    fail_msg("no error toast with \"%s\"", expected);
  }
  /* Nothing was saved: the cart is still new and unsaved. */
  assert_non_null(strstr(tui_row(tui, 0), "cart new draft *unsaved"));

  /* Disarmed, the next save goes through. */
  HttpResponse response;
  assert_true(sandbox_control(pccart->http, "DELETE", "faults", NULL, &response));
  http_response_clear(&response);
  TUI_ASSERT(tui, pccart_keys(pccart, "s"));
  TUI_ASSERT(tui, tui_wait_for(tui, pccart_status_says, " saved", "the status bar saying saved"));
  tui_assert_idle(tui);
  assert_int_equal(pccart_request_count(pccart, "carts.create"), creates + 1);
  pccart_stop(pccart);
}

static void test_expiry_countdown_after_save(void **state) {
  (void)state;
  /* Carts expire 15 minutes after creation in this scenario. */
  Pccart *pccart = start(&(PccartOptions){.scenario = "quick-expiry", .cols = 160});
  Tui *tui = pccart->tui;
  cart_with_a_line(pccart);
  /* No countdown before the server has the cart. */
  assert_false(tui_screen_contains(tui, "expires in"));
  TUI_ASSERT(tui, pccart_keys(pccart, "s"));
  TUI_ASSERT(tui, tui_wait_for(tui, pccart_status_says, " saved", "the status bar saying saved"));
  tui_assert_idle(tui);
  /* 15 minutes from the server's creation time, read within the same minute or just after:
   * the status bar and the cart header agree. */
  const char *status = tui_row(tui, 0);
  bool in_status =
      strstr(status, "expires in 15m") != NULL || strstr(status, "expires in 14m") != NULL;
  int header = tui_find_row(tui, "· saved ·");
  bool in_header = header > 0 && (strstr(tui_row(tui, header), "· expires in 15m") != NULL ||
                                  strstr(tui_row(tui, header), "· expires in 14m") != NULL);
  if (!in_status || !in_header) {
    tui_dump(tui, "expiry");
    fail_msg("no \"expires in 14m\" or \"15m\" in the status bar and the cart header");
  }
  pccart_stop(pccart);
}

/* The customer row marked selected (">" in the list's first column), or -1. */
static int selected_row(Tui *tui) {
  int rows, cols;
  tui_size(tui, &rows, &cols);
  for (int y = 1; y < rows - 1; y++)
    if (strcmp(tui_cell_attrs(tui, y, 1).text, ">") == 0)
      return y;
  return -1;
}

static bool selection_on(Tui *tui, const void *row) {
  return selected_row(tui) == *(const int *)row;
}

static bool help_from(Tui *tui, const void *first) {
  char text[64];
  snprintf(text, sizeof text, "Help: keys (%d-", *(const int *)first);
  return tui_screen_contains(tui, text);
}

/* While a save is held by the server, the UI never waits for it: the customer list scrolls,
 * help opens and scrolls, then Esc cancels the save. (No idle signal comes while a job is in
 * flight: these wait for the screen.) */
static void test_held_save_keeps_scrolling(void **state) {
  (void)state;
  Pccart *pccart = start(&(PccartOptions){.rows = 24, .cols = 120});
  Tui *tui = pccart->tui;
  /* Several Fabrikams stay in the filtered list to scroll through. */
  TUI_ASSERT(tui, pccart_pick_customer(pccart, "Fabrikam", "Fabrikam, Inc."));
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "Business Basic", "Business Basic", NULL));
  TUI_ASSERT(tui, pccart_form_submit(pccart));
  assert_true(sandbox_fault_arm(pccart->http,
                                "{\"match\":\"carts.create\",\"kind\":\"hold\",\"times\":1}") > 0);
  tui_assert_send(tui, "s");
  assert_true(sandbox_wait_held(pccart->http, 1));
  tui_assert_text(tui, "saving…");

  /* The customer list: focus it, then j and k move the selection. */
  int first = selected_row(tui);
  assert_true(first > 0);
  tui_assert_send(tui, "<S-Tab>");
  tui_assert_text(tui, "[ Customers");
  tui_assert_send(tui, "j");
  int second = first + 1;
  TUI_ASSERT(tui, tui_wait_for(tui, selection_on, &second, "the selection one row down"));
  tui_assert_send(tui, "j");
  int third = first + 2;
  TUI_ASSERT(tui, tui_wait_for(tui, selection_on, &third, "the selection two rows down"));
  tui_assert_send(tui, "k");
  TUI_ASSERT(tui, tui_wait_for(tui, selection_on, &second, "the selection back up"));

  /* Help opens and scrolls (24 rows do not hold it all). */
  tui_assert_send(tui, "?");
  int one = 1, two = 2, four = 4;
  TUI_ASSERT(tui, tui_wait_for(tui, help_from, &one, "help from its first line"));
  tui_assert_send(tui, "j");
  TUI_ASSERT(tui, tui_wait_for(tui, help_from, &two, "help scrolled one line"));
  tui_assert_send(tui, "jj");
  TUI_ASSERT(tui, tui_wait_for(tui, help_from, &four, "help scrolled three lines"));
  tui_assert_send(tui, "<Esc>");
  TUI_ASSERT(tui, tui_wait_text_gone(tui, "Help: keys"));
  /* Still held, still saving. */
  assert_true(strstr(tui_row(tui, 0), "working") != NULL);
  assert_int_equal(sandbox_control_number(pccart->http, "status", "held"), 1);

  /* Esc stops waiting for the save (its outcome is unknown: it had reached the service); the
   * cart stays unsaved and the selection where it was moved. */
  tui_assert_send(tui, "<Esc>");
  tui_assert_text(tui, "outcome is unknown");
  tui_assert_idle(tui);
  assert_non_null(strstr(tui_row(tui, 0), "*unsaved"));
  assert_int_equal(selected_row(tui), second);
  assert_true(sandbox_release(pccart->http) >= 1);
  pccart_stop(pccart);
}

/* Quitting while a checkout is in flight would cancel it and never tell its outcome: q asks
 * first (default No); once the checkout has finished, q quits at once. */
static void test_quit_during_checkout_asks(void **state) {
  (void)state;
  Pccart *pccart = start(&(PccartOptions){.rows = 24, .cols = 120});
  Tui *tui = pccart->tui;
  TUI_ASSERT(tui, pccart_pick_customer(pccart, "Fabrikam", "Fabrikam, Inc."));
  TUI_ASSERT(tui, pccart_browse_to_form(pccart, "Business Basic", "Business Basic", NULL));
  TUI_ASSERT(tui, pccart_form_submit(pccart));
  TUI_ASSERT(tui, pccart_keys(pccart, "s"));
  tui_assert_text(tui, "saved");
  assert_true(sandbox_fault_arm(pccart->http,
                                "{\"match\":\"carts.checkout\",\"kind\":\"hold\",\"times\":1}") >
              0);
  TUI_ASSERT(tui, pccart_keys(pccart, "C"));
  tui_assert_text(tui, "[y]es   [N]o (Enter, Esc)");
  tui_assert_send(tui, "y");
  assert_true(sandbox_wait_held(pccart->http, 1));

  tui_assert_send(tui, "q");
  tui_assert_text(tui, "A checkout is in progress");
  tui_assert_send(tui, "<Enter>"); /* the default: No */
  TUI_ASSERT(tui, tui_wait_text_gone(tui, "A checkout is in progress"));
  assert_int_equal(sandbox_control_number(pccart->http, "status", "held"), 1);

  assert_true(sandbox_release(pccart->http) >= 1);
  tui_assert_text(tui, "Checkout result");
  tui_assert_idle(tui);
  tui_assert_send(tui, "q");
  int status = -1;
  TUI_ASSERT(tui, tui_wait_exit(tui, &status));
  assert_int_equal(status, 0);
  pccart_stop(pccart);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_server_error_toast_has_code_and_request_id),
      cmocka_unit_test(test_expiry_countdown_after_save),
      cmocka_unit_test(test_held_save_keeps_scrolling),
      cmocka_unit_test(test_quit_during_checkout_asks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
