/* The cart pane, the catalog browser and the line item form without a terminal: the pure
 * pieces (words, expiry, columns, match rule, checkout summary), then the real overlays and
 * pane driven through their ops tables on an ncurses screen kept in memory (newterm on
 * /dev/null), on a real app state and worker against an in-process sandbox. Every wait is a
 * poll() on the worker's wake fd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <locale.h>
#include <poll.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "sandbox_http.h"
#include "sandbox_settings.h"
#include "ui/cart_ui.h"
#include "ui/ui_internal.h"

#define RESULT_WAIT_MS 30000
#define SCREEN_ROWS 30
#define SCREEN_COLS 110

/* ----- pure pieces ----- */

static void test_term_words(void **state) {
  (void)state;
  char buf[32];
  assert_string_equal(cart_ui_term_words("P1M", buf, sizeof buf), "1 month");
  assert_string_equal(cart_ui_term_words("P1Y", buf, sizeof buf), "1 year");
  assert_string_equal(cart_ui_term_words("P3Y", buf, sizeof buf), "3 years");
  assert_string_equal(cart_ui_term_words("p2w", buf, sizeof buf), "2 weeks");
  assert_string_equal(cart_ui_term_words("P1Y6M", buf, sizeof buf), "P1Y6M");
  assert_string_equal(cart_ui_term_words("later", buf, sizeof buf), "later");
  assert_string_equal(cart_ui_term_words(NULL, buf, sizeof buf), "");
  assert_string_equal(cart_ui_cycle_word(BILLING_CYCLE_ONE_TIME), "one-time");
  assert_string_equal(cart_ui_cycle_word(BILLING_CYCLE_UNSET), "");
}

static void test_expiry_text(void **state) {
  (void)state;
  char buf[64];
  time_t now = 1700000000;
  assert_false(
      cart_ui_expiry_text(now + 6 * 86400 + 23 * 3600 + 59 * 60 + 30, now, buf, sizeof buf));
  assert_string_equal(buf, "expires in 6d 23h 59m");
  assert_false(cart_ui_expiry_text(now + 5 * 3600 + 2 * 60, now, buf, sizeof buf));
  assert_string_equal(buf, "expires in 5h 2m");
  assert_false(cart_ui_expiry_text(now + 20, now, buf, sizeof buf));
  assert_string_equal(buf, "expires in 1m");
  assert_true(cart_ui_expiry_text(now, now, buf, sizeof buf));
  assert_string_equal(buf, "expired");
  assert_true(cart_ui_expiry_text(now - 3600, now, buf, sizeof buf));
  assert_string_equal(buf, "expired");
}

/* The shell wakes when the countdown's minute changes: never later (the text just before the
 * wake is the one painted at now) and not for nothing (at the wake the minute shown has
 * dropped, so the text differs unless both read "1m", under two minutes). */
static void test_expiry_next_change(void **state) {
  (void)state;
  char a[64], b[64], c[64];
  const time_t when = 1700000000;
  /* 5h 2m 30s left: "5h 2m" until 31 s later. */
  assert_int_equal(cart_ui_expiry_next_ms(when, (long long)(when - 18150) * 1000), 31000);
  assert_int_equal(cart_ui_expiry_next_ms(when, (long long)(when - 18150) * 1000 + 250), 30750);
  /* Under a minute: the next change is "expired", at the expiry itself. */
  assert_int_equal(cart_ui_expiry_next_ms(when, (long long)(when - 20) * 1000 + 400), 19600);
  /* Expired: nothing more changes. */
  assert_int_equal(cart_ui_expiry_next_ms(when, (long long)when * 1000), -1);
  assert_int_equal(cart_ui_expiry_next_ms(when, (long long)when * 1000 + 5000), -1);
  for (long long left_ms = 1; left_ms < 8LL * 86400 * 1000; left_ms = left_ms * 3 / 2 + 977) {
    long long now_ms = (long long)when * 1000 - left_ms;
    long long wait = cart_ui_expiry_next_ms(when, now_ms);
    assert_true(wait > 0 && wait <= 60000);
    cart_ui_expiry_text(when, (time_t)(now_ms / 1000), a, sizeof a);
    cart_ui_expiry_text(when, (time_t)((now_ms + wait - 1) / 1000), b, sizeof b);
    cart_ui_expiry_text(when, (time_t)((now_ms + wait) / 1000), c, sizeof c);
    assert_string_equal(a, b);
    if (strcmp(a, "expires in 1m") != 0 || strcmp(c, "expired") == 0) {
      assert_string_not_equal(a, c);
    }
  }
}

static int columns_total(const CartColumns *c) {
  int total = 0;
  const int widths[] = {c->number, c->title, c->item,  c->quantity,
                        c->cycle,  c->term,  c->group, c->error};
  for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
    if (widths[i] > 0) {
      total += widths[i] + 1;
    }
  }
  return total - 1;
}

static void test_columns_fit(void **state) {
  (void)state;
  for (int width = 20; width <= 240; width++) {
    CartColumns c;
    cart_ui_columns(width, &c);
    assert_true(columns_total(&c) <= width);
    assert_true(c.number > 0);
    assert_true(c.title >= 1);
  }
  CartColumns narrow;
  cart_ui_columns(40, &narrow);
  assert_int_equal(narrow.error, 0); /* the error goes on its own row */
  assert_true(narrow.title >= 20);
  assert_int_equal(narrow.item, 0); /* the title keeps its room first */
  assert_true(narrow.quantity > 0);
  CartColumns medium;
  cart_ui_columns(100, &medium);
  assert_true(medium.item >= 16 && medium.cycle > 0 && medium.term > 0 && medium.group > 0);
  assert_int_equal(medium.error, 0);
  CartColumns wide;
  cart_ui_columns(200, &wide);
  assert_true(wide.error >= 40);
  assert_int_equal(wide.item, 30);
}

static void test_matches(void **state) {
  (void)state;
  assert_true(cart_ui_matches("", "Microsoft 365 E3", "CFQ7TTC0LFLX"));
  assert_true(cart_ui_matches(NULL, NULL, NULL));
  assert_true(cart_ui_matches("e3", "Microsoft 365 E3", "CFQ7TTC0LFLX"));
  assert_true(cart_ui_matches("lflx", "Microsoft 365 E3", "CFQ7TTC0LFLX"));
  assert_true(cart_ui_matches("365 E", "Microsoft 365 E3", NULL));
  assert_false(cart_ui_matches("e5", "Microsoft 365 E3", "CFQ7TTC0LFLX"));
  assert_false(cart_ui_matches("Microsoft 365 E3 and more", "Microsoft 365 E3", "X"));
  assert_true(cart_ui_matches("Müller", "Müller GmbH", NULL));
}

static void test_line_error_words(void **state) {
  (void)state;
  CartError *error = cart_error_new(CART_ERROR_CATALOG_ITEM_ID_NOT_VALID, "The item is unknown.");
  assert_non_null(error);
  char buf[256];
  cart_ui_line_error(error, buf, sizeof buf);
  assert_non_null(strstr(buf, "10001"));
  assert_non_null(strstr(buf, "The item is unknown."));
  assert_non_null(strstr(buf, cart_error_code_name(CART_ERROR_CATALOG_ITEM_ID_NOT_VALID)));
  cart_error_free(error);
}

/* The confirmation says how many orders a checkout makes: with more order groups than it names
 * (16), the rest are counted as groups, not as lines. 20 groups of 2 lines each. */
static void test_checkout_summary_counts_groups(void **state) {
  (void)state;
  AppOptions options = {.profile_name = "sandbox"};
  AppState *app = app_new(&options);
  assert_non_null(app);
  app->cart.customer_id = model_strdup("customer-1");
  app->cart.draft->id = model_strdup("cart-1");
  for (int i = 0; i < 40; i++) {
    CartLineItem *line = cart_line_list_append(&app->cart.draft->line_items);
    assert_non_null(line);
    char group[16];
    snprintf(group, sizeof group, "%d", i / 2);
    line->order_group = model_strdup(group);
    line->catalog_item_id = model_strdup("P:S:A");
    line->quantity = opt_int(1);
  }
  char *summary = cart_ui_checkout_summary(app);
  assert_non_null(summary);
  assert_non_null(strstr(summary, "40 lines in 20 order groups:"));
  free(summary);
  app_free(app);
}

/* ----- the overlays and the pane on a screen in memory ----- */

static HttpCtx *ctx;
static SCREEN *screen;
static FILE *screen_out;
static FILE *screen_in;

static int group_setup(void **state) {
  (void)state;
  setlocale(LC_ALL, "C.UTF-8");
  curl_global_init(CURL_GLOBAL_DEFAULT);
  char err[512] = "";
  ctx = http_ctx_start(NULL, err, sizeof err);
  if (ctx == NULL) {
    print_error("sandbox did not start: %s\n", err);
    return -1;
  }
  if (!theme_load(NULL, true, NULL, 0, err, sizeof err)) {
    print_error("theme: %s\n", err);
    return -1;
  }
  setenv("TERM", "xterm-256color", 1);
  char size[16];
  snprintf(size, sizeof size, "%d", SCREEN_ROWS);
  setenv("LINES", size, 1);
  snprintf(size, sizeof size, "%d", SCREEN_COLS);
  setenv("COLUMNS", size, 1);
  screen_out = fopen("/dev/null", "w");
  screen_in = fopen("/dev/null", "r");
  if (screen_out == NULL || screen_in == NULL) {
    return -1;
  }
  screen = newterm(NULL, screen_out, screen_in);
  if (screen == NULL) {
    print_error("newterm failed\n");
    return -1;
  }
  set_term(screen);
  theme_apply();
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  if (screen != NULL) {
    endwin();
    delscreen(screen);
  }
  if (screen_out != NULL) {
    fclose(screen_out);
  }
  if (screen_in != NULL) {
    fclose(screen_in);
  }
  http_ctx_stop(ctx);
  curl_global_cleanup();
  return 0;
}

/* The shell keeps its own state behind the Ui (ui/ui.c: "a Ui* is a UiShell*") and has no
 * constructor short of ui_run; the Ui here sits at the start of a zeroed block far larger than
 * that state, which is what a freshly started shell has before its first frame. */
typedef struct Fixture {
  Ui *ui; /* ui_new's, on the app and worker below */
  UiContext context;
  Worker *worker;
  AppState *app;
  Keymap *keymap;
} Fixture;

static void pump(Fixture *f) {
  ui_submit_jobs(f->ui);
  int rounds = 0;
  while (app_busy(f->app)) {
    struct pollfd pfd = {.fd = worker_wake_fd(f->worker), .events = POLLIN};
    int n = poll(&pfd, 1, RESULT_WAIT_MS);
    if (n != 1) {
      fail_msg("no worker result within %d ms", RESULT_WAIT_MS);
    }
    JobResult *result;
    while ((result = worker_take_result(f->worker)) != NULL) {
      app_apply_result(f->app, result);
    }
    ui_submit_jobs(f->ui);
    assert_true(++rounds < 1000);
  }
  ui_mark_dirty(f->ui, app_take_changes(f->app));
}

static void drain_messages(Fixture *f) {
  AppMessage message;
  while (app_take_message(f->app, &message)) {
  }
}

/* A Ui with the cart pane on an app state and a worker talking to sandbox. */
static int fixture_start(void **state, HttpCtx *sandbox) {
  if (!sandbox_reset(sandbox)) {
    return -1;
  }
  Fixture *f = calloc(1, sizeof *f);
  if (f == NULL) {
    return -1;
  }
  PcSettings settings = sandbox_pc_settings(sandbox);
  PcError error = {0};
  f->worker = worker_start(&settings, &error);
  pc_error_clear(&error);
  AppOptions options = {.profile_name = "sandbox", .is_live = false, .page_size = 100};
  f->app = app_new(&options);
  f->context.profile_name = "sandbox";
  f->ui = f->worker != NULL && f->app != NULL ? ui_new(&f->context, f->app, f->worker) : NULL;
  if (f->ui == NULL) {
    return -1;
  }
  f->keymap = f->ui->keymap; /* the defaults */
  f->ui->rows = SCREEN_ROWS;
  f->ui->cols = SCREEN_COLS;
  f->ui->focus = PANE_CART;
  Pane *cart = &f->ui->panes[PANE_CART];
  /* ui_new made the panes (ids, ops, nothing selected); only the cart gets a window here. */
  assert_ptr_equal(cart->ops, &pane_cart_ops);
  assert_int_equal(cart->list.selected, -1);
  cart->height = 16;
  cart->width = SCREEN_COLS;
  cart->win = newwin(cart->height, cart->width, 0, 0);
  cart->visible = true;
  if (cart->win == NULL) {
    return -1;
  }
  *state = f;
  return 0;
}

static int fixture_setup(void **state) {
  return fixture_start(state, ctx);
}

static int fixture_teardown(void **state) {
  Fixture *f = *state;
  ui_free(f->ui); /* its overlays, the cart pane's window and state */
  worker_stop(f->worker);
  app_free(f->app);
  free(f);
  return 0;
}

/* The text of a window, one line per row, trailing blanks removed. */
static char *window_text(WINDOW *win) {
  int rows, cols;
  getmaxyx(win, rows, cols);
  size_t size = (size_t)rows * ((size_t)cols * 4 + 2) + 1;
  char *out = calloc(1, size);
  assert_non_null(out);
  size_t used = 0;
  for (int y = 0; y < rows; y++) {
    wchar_t line[512];
    int n = mvwinnwstr(win, y, 0, line, cols < 511 ? cols : 511);
    if (n < 0) {
      n = 0;
    }
    line[n] = L'\0';
    char utf8[2048];
    size_t len = wcstombs(utf8, line, sizeof utf8 - 1);
    if (len == (size_t)-1) {
      len = 0;
    }
    utf8[len] = '\0';
    while (len > 0 && utf8[len - 1] == ' ') {
      utf8[--len] = '\0';
    }
    used += (size_t)snprintf(out + used, size - used, "%s\n", utf8);
  }
  return out;
}

static const OverlayOps *top_ops(Fixture *f) {
  assert_true(f->ui->overlay_count > 0);
  return f->ui->overlays[f->ui->overlay_count - 1].ops;
}

static void *top_data(Fixture *f) {
  assert_true(f->ui->overlay_count > 0);
  return f->ui->overlays[f->ui->overlay_count - 1].data;
}

/* Draws the top overlay into a window of its own size and returns the text. */
static char *overlay_text(Fixture *f) {
  const OverlayOps *ops = top_ops(f);
  int rows = 0, cols = 0;
  ops->size(f->ui, top_data(f), SCREEN_ROWS, SCREEN_COLS, &rows, &cols);
  assert_true(rows > 0 && cols > 0 && rows <= SCREEN_ROWS && cols <= SCREEN_COLS);
  WINDOW *win = newwin(rows, cols, 0, 0);
  assert_non_null(win);
  ops->draw(f->ui, top_data(f), win);
  char *text = window_text(win);
  delwin(win);
  return text;
}

static char *cart_text(Fixture *f) {
  Pane *cart = &f->ui->panes[PANE_CART];
  pane_cart_ops.draw(f->ui, cart);
  return window_text(cart->win);
}

static void assert_contains(const char *text, const char *needle) {
  if (strstr(text, needle) == NULL) {
    fprintf(stderr, "%s\n", text);
    fail_msg("\"%s\" not on the screen above", needle);
  }
}

static void assert_lacks(const char *text, const char *needle) {
  if (strstr(text, needle) != NULL) {
    fprintf(stderr, "%s\n", text);
    fail_msg("\"%s\" should not be on the screen above", needle);
  }
}

static unsigned act(Fixture *f, Action action) {
  return top_ops(f)->action(f->ui, top_data(f), action);
}

static void type(Fixture *f, const char *text) {
  wchar_t wide[256];
  size_t n = mbstowcs(wide, text, 255);
  assert_true(n != (size_t)-1);
  for (size_t i = 0; i < n; i++) {
    unsigned used = top_ops(f)->text(f->ui, top_data(f), (wint_t)wide[i], false);
    assert_true(used & UI_HANDLED);
  }
}

/* Answers the confirmation on top as a key would: '\n' (the default), 'y' or 'n'. */
static void answer(Fixture *f, wint_t ch) {
  int before = f->ui->overlay_count;
  assert_true(top_ops(f)->text(f->ui, top_data(f), ch, false) & UI_HANDLED);
  assert_int_equal(f->ui->overlay_count, before - 1);
}

static unsigned cart_act(Fixture *f, Action action) {
  return pane_cart_ops.action(f->ui, &f->ui->panes[PANE_CART], action);
}

/* Loads customer pages until the documents' customer is there, then picks it. */
static void pick_doc_customer(Fixture *f) {
  assert_true(app_customers_load_more(f->app));
  pump(f);
  for (;;) {
    for (size_t i = 0;; i++) {
      const CustomerSummary *c = app_customer_visible(f->app, i);
      if (c == NULL) {
        break;
      }
      if (strcasecmp(c->id, DOC_CUSTOMER_ID) == 0) {
        app_customers_select(f->app, i);
        char why[256] = "";
        assert_true(app_customer_pick(f->app, why, sizeof why));
        pump(f);
        drain_messages(f);
        return;
      }
    }
    if (!app_customers_load_more(f->app)) {
      fail_msg("the documents' customer is not in the sandbox's list");
    }
    pump(f);
  }
}

/* Long the field with this wire name has in the open form. */
static long field_index(Fixture *f, const char *wire_name) {
  assert_ptr_equal(top_ops(f), &cart_ui_form_ops);
  return line_form_find(cart_ui_form_model(top_data(f)), wire_name);
}

/* Moves the form's cursor to a field by the FORM keys only. */
static void focus_field(Fixture *f, const char *wire_name) {
  long target = field_index(f, wire_name);
  assert_true(target >= 0);
  for (int guard = 0; guard < 64; guard++) {
    size_t focus = cart_ui_form_focus(top_data(f));
    if ((long)focus == target) {
      return;
    }
    act(f, (long)focus < target ? ACTION_FORM_NEXT_FIELD : ACTION_FORM_PREVIOUS_FIELD);
  }
  fail_msg("the cursor never reached %s", wire_name);
}

static void test_cart_rows_before_and_after_customer(void **state) {
  Fixture *f = *state;
  char *text = cart_text(f);
  assert_contains(text, "No customer yet: pick one in the customer list");
  assert_contains(text, "Cart new");
  assert_contains(text, "draft");
  free(text);
  pick_doc_customer(f);
  text = cart_text(f);
  assert_contains(text, "The cart is empty: press a to add a line");
  assert_lacks(text, "No customer yet");
  free(text);
}

/* Products -> SKU -> availability with a search at each level; the form for the line; a bad
 * quantity stays in the form with its error; a good one adds the line. */
static void test_browse_search_and_add_line(void **state) {
  Fixture *f = *state;
  pick_doc_customer(f);
  assert_true(ui_catalog_browser_open(f->ui));
  assert_ptr_equal(top_ops(f), &cart_ui_browser_ops);
  pump(f);
  char *text = overlay_text(f);
  assert_contains(text, "Microsoft 365 E3");
  assert_contains(text, "Barracuda WAF-as-a-Service");
  free(text);

  /* Typed keys filter: "q", "d", "s" would be actions anywhere else. */
  type(f, "E3");
  text = overlay_text(f);
  assert_contains(text, "Microsoft 365 E3");
  assert_lacks(text, "Barracuda");
  assert_lacks(text, "E5 Security");
  free(text);
  type(f, "qds");
  text = overlay_text(f);
  assert_contains(text, "No products match \"E3qds\"");
  free(text);
  /* Backspace edits the search; on an empty search at the top it does nothing. */
  for (int i = 0; i < 3; i++) {
    assert_true(top_ops(f)->text(f->ui, top_data(f), KEY_BACKSPACE, true) & UI_HANDLED);
  }
  text = overlay_text(f);
  assert_contains(text, "Microsoft 365 E3");
  free(text);

  act(f, ACTION_FORM_ENTER); /* -> SKUs of Microsoft 365 E3 */
  pump(f);
  text = overlay_text(f);
  assert_contains(text, "Products › Microsoft 365 E3");
  assert_contains(text, "qty 1-");
  assert_contains(text, "monthly");
  free(text);

  act(f, ACTION_FORM_ENTER); /* -> availabilities */
  pump(f);
  text = overlay_text(f);
  assert_contains(text, "1 month: monthly · 1 year: annual, monthly · 3 years: triennial, annual");
  free(text);

  /* Left goes up a level and Enter comes back. */
  act(f, ACTION_FORM_PREVIOUS_CHOICE);
  text = overlay_text(f);
  assert_contains(text, "Search SKUs");
  free(text);
  act(f, ACTION_FORM_ENTER);
  pump(f);

  act(f, ACTION_FORM_ENTER); /* -> the form */
  assert_int_equal(f->ui->overlay_count, 1);
  assert_ptr_equal(top_ops(f), &cart_ui_form_ops);
  text = overlay_text(f);
  assert_contains(text, "New line: Microsoft 365 E3");
  assert_contains(text, "CFQ7TTC0LFLX:0001:CFQ7TTC0K5F8");
  free(text);

  /* A bad quantity: submit keeps the form open with the error, the cursor on it. */
  focus_field(f, "quantity");
  type(f, "x");
  act(f, ACTION_FORM_SUBMIT);
  assert_int_equal(f->ui->overlay_count, 1);
  assert_ptr_equal(top_ops(f), &cart_ui_form_ops);
  assert_int_equal((long)cart_ui_form_focus(top_data(f)), field_index(f, "quantity"));
  LineForm *form = cart_ui_form_model(top_data(f));
  assert_non_null(form->fields[field_index(f, "quantity")].error);
  text = overlay_text(f);
  assert_contains(text, "! ");
  assert_contains(text, "to fix");
  free(text);
  assert_int_equal(f->app->cart.draft->line_items.count, 0);

  /* C-u clears the field; 7 seats; Enter on the last field submits. */
  top_ops(f)->text(f->ui, top_data(f), 21, false);
  type(f, "7");
  long fields = (long)cart_ui_form_model(top_data(f))->count;
  for (long i = 0; i < fields && f->ui->overlay_count > 0; i++) {
    act(f, ACTION_FORM_ENTER);
  }
  assert_int_equal(f->ui->overlay_count, 0);
  assert_int_equal(f->app->cart.draft->line_items.count, 1);
  const CartLineItem *line = &f->app->cart.draft->line_items.items[0];
  assert_string_equal(line->catalog_item_id, "CFQ7TTC0LFLX:0001:CFQ7TTC0K5F8");
  assert_true(line->quantity.set);
  assert_int_equal(line->quantity.value, 7);
  assert_true(f->app->cart.dirty);

  text = cart_text(f);
  assert_contains(text, "Microsoft 365 E3");
  assert_contains(text, "CFQ7TTC0LFLX:0001:CFQ7TTC0K5F8");
  assert_contains(text, "unsaved changes");
  assert_contains(text, "Cart (1 line)");
  free(text);
}

/* A level whose load is in flight says so; the rows come when the reply does (a held request:
 * no timing). */
static void test_browser_shows_loading(void **state) {
  Fixture *f = *state;
  pick_doc_customer(f);
  assert_true(ui_catalog_browser_open(f->ui));
  pump(f);
  assert_true(sandbox_fault_arm(ctx, "{\"match\":\"catalog.skus\",\"kind\":\"hold\"}") > 0);
  type(f, "exchange");
  act(f, ACTION_FORM_ENTER);
  assert_true(sandbox_wait_held(ctx, 1));
  assert_true(app_busy(f->app));
  char *text = overlay_text(f);
  assert_contains(text, "Products › Exchange Online (Plan 1)");
  assert_contains(text, "Loading…");
  assert_lacks(text, "qty");
  free(text);
  /* Typing still works while it loads (the UI never waits). */
  type(f, "plan");
  assert_true(sandbox_release(ctx) >= 1);
  pump(f);
  text = overlay_text(f);
  assert_lacks(text, "Loading…");
  assert_contains(text, "Exchange Online (Plan 1)");
  assert_contains(text, "qty 1-");
  free(text);
}

/* A line read from a draft names an item whose SKU is not loaded: e asks for it and says so;
 * once it has arrived, e opens the form on the line. */
static void test_edit_line_loads_its_item(void **state) {
  Fixture *f = *state;
  pick_doc_customer(f);
  char path[] = "/tmp/test_ui_form_draft_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  const char *draft = "{\"lineItems\":[{\"id\":0,\"catalogItemId\":"
                      "\"CFQ7TTC0LH16:0001:CFQ7TTC0K5DJ\",\"quantity\":4,"
                      "\"billingCycle\":\"monthly\",\"termDuration\":\"P1M\"}]}\n";
  assert_int_equal(write(fd, draft, strlen(draft)), (ssize_t)strlen(draft));
  close(fd);
  char err[512] = "";
  bool read = app_cart_read_draft(f->app, path, err, sizeof err);
  unlink(path);
  if (!read) {
    fail_msg("draft not read: %s", err);
  }
  drain_messages(f);
  assert_int_equal(f->app->cart.draft->line_items.count, 1);
  char *text = cart_text(f);
  assert_contains(text, "CFQ7TTC0LH16:0001:CFQ7TTC0K5DJ");
  free(text);

  cart_act(f, ACTION_EDIT_LINE);
  assert_int_equal(f->ui->overlay_count, 0);
  assert_non_null(strstr(f->app->last_message.text, "Loading catalog item"));
  pump(f);
  text = cart_text(f);
  assert_contains(text, "Exchange Online (Plan 1)"); /* the title, now that the SKU is known */
  free(text);
  cart_act(f, ACTION_EDIT_LINE);
  assert_int_equal(f->ui->overlay_count, 1);
  assert_ptr_equal(top_ops(f), &cart_ui_form_ops);
  LineForm *form = cart_ui_form_model(top_data(f));
  assert_int_equal(form->line_index, 0);
  assert_string_equal(form->fields[line_form_find(form, "quantity")].value, "4");
}

/* The legacy Azure offer sits beside the products, marked, and opens its form directly. */
static void test_legacy_offer_from_top_level(void **state) {
  Fixture *f = *state;
  pick_doc_customer(f);
  assert_true(ui_catalog_browser_open(f->ui));
  pump(f);
  char *text = overlay_text(f);
  assert_contains(text, "MS-AZR-0145P");
  assert_contains(text, "legacy offer");
  free(text);
  /* "azure" also finds Azure Active Directory Premium P1 (a product): the offer's id is exact. */
  type(f, "ms-azr");
  act(f, ACTION_FORM_ENTER);
  assert_ptr_equal(top_ops(f), &cart_ui_form_ops);
  assert_string_equal(cart_ui_form_model(top_data(f))->catalog_item_id, "MS-AZR-0145P");
  act(f, ACTION_FORM_SUBMIT);
  assert_int_equal(f->ui->overlay_count, 0);
  assert_int_equal(f->app->cart.draft->line_items.count, 1);
}

/* A reservation: Scope is a choice cycled with Left/Right; the subscription comes from the
 * pick-list (friendly names); typed letters in a text field stay text. */
static void test_reservation_form_choices_and_pick_list(void **state) {
  Fixture *f = *state;
  pick_doc_customer(f);
  app_catalog_load_skus(f->app, "DZH318Z0BQ36");
  pump(f);
  app_catalog_load_availabilities(f->app, "DZH318Z0BQ36", "004G");
  pump(f);
  assert_true(ui_line_form_open(f->ui, "DZH318Z0BQ36:004G:DZH318Z08C0S", -1));
  LineForm *form = cart_ui_form_model(top_data(f));
  long scope = line_form_find(form, "provisioningContext.scope");
  long subscription = line_form_find(form, "provisioningContext.subscriptionId");
  long friendly = line_form_find(form, "friendlyName");
  assert_true(scope >= 0 && subscription >= 0 && friendly >= 0);
  assert_int_equal(form->fields[scope].kind, FORM_FIELD_CHOICE);

  focus_field(f, "provisioningContext.scope");
  char before[64];
  snprintf(before, sizeof before, "%s", form->fields[scope].value);
  act(f, ACTION_FORM_NEXT_CHOICE);
  assert_string_not_equal(form->fields[scope].value, before);
  act(f, ACTION_FORM_PREVIOUS_CHOICE);
  assert_string_equal(form->fields[scope].value, before);
  /* Make sure it is "shared" whatever the default was. */
  while (strcasecmp(form->fields[scope].value, "shared") != 0) {
    act(f, ACTION_FORM_NEXT_CHOICE);
  }
  char *text = overlay_text(f);
  assert_contains(text, "< Shared >");
  free(text);

  focus_field(f, "provisioningContext.subscriptionId");
  assert_true(form->fields[subscription].choices.count > 0);
  act(f, ACTION_FORM_PICK);
  assert_int_equal(f->ui->overlay_count, 2);
  assert_ptr_equal(top_ops(f), &cart_ui_pick_ops);
  text = overlay_text(f);
  assert_contains(text, form->fields[subscription].choice_labels.items[0]);
  /* Its row: the friendly name, then the GUID, once. */
  {
    const char *guid = form->fields[subscription].choices.items[0];
    char *row = strstr(text, form->fields[subscription].choice_labels.items[0]);
    char *end = strchr(row, '\n');
    char *first = strstr(row, guid);
    assert_non_null(first);
    assert_true(end == NULL || first < end);
    char *again = strstr(first + strlen(guid), guid);
    assert_true(again == NULL || (end != NULL && again > end));
  }
  free(text);
  act(f, ACTION_FORM_ENTER);
  assert_int_equal(f->ui->overlay_count, 1);
  assert_string_equal(form->fields[subscription].value,
                      form->fields[subscription].choices.items[0]);
  char picked[64];
  snprintf(picked, sizeof picked, "%s", form->fields[subscription].value);

  /* Keys that act elsewhere ("q" quits, "d" deletes, "?" helps) are text in a field. */
  focus_field(f, "friendlyName");
  type(f, "q?dD");
  act(f, ACTION_FORM_SUBMIT);
  assert_int_equal(f->ui->overlay_count, 0);
  assert_int_equal(f->app->cart.draft->line_items.count, 1);
  const CartLineItem *line = &f->app->cart.draft->line_items.items[0];
  assert_string_equal(line->friendly_name, "q?dD");
  assert_string_equal(kv_list_get(&line->provisioning_context, "scope"), "shared");
  assert_non_null(kv_list_get(&line->provisioning_context, "subscriptionId"));
  assert_string_equal(kv_list_get(&line->provisioning_context, "subscriptionId"), picked);
}

/* Esc on an untouched form closes it; on a changed one it asks (default No). */
static void test_abandon_asks_only_when_changed(void **state) {
  Fixture *f = *state;
  pick_doc_customer(f);
  app_catalog_load_skus(f->app, "CFQ7TTC0LH16");
  pump(f);
  app_catalog_load_availabilities(f->app, "CFQ7TTC0LH16", "0001");
  pump(f);
  assert_true(ui_line_form_open(f->ui, "CFQ7TTC0LH16:0001:CFQ7TTC0K5DJ", -1));
  act(f, ACTION_FORM_ABANDON);
  assert_int_equal(f->ui->overlay_count, 0);

  assert_true(ui_line_form_open(f->ui, "CFQ7TTC0LH16:0001:CFQ7TTC0K5DJ", -1));
  focus_field(f, "friendlyName");
  type(f, "Sales team");
  act(f, ACTION_FORM_ABANDON);
  assert_int_equal(f->ui->overlay_count, 2); /* the question over the form */
  assert_ptr_not_equal(top_ops(f), &cart_ui_form_ops);
  /* Enter answers the default, No: the form stays with what was typed. */
  answer(f, L'\n');
  assert_int_equal(f->ui->overlay_count, 1);
  assert_ptr_equal(top_ops(f), &cart_ui_form_ops);
  LineForm *form = cart_ui_form_model(top_data(f));
  assert_string_equal(form->fields[line_form_find(form, "friendlyName")].value, "Sales team");
  assert_int_equal(f->app->cart.draft->line_items.count, 0);
}

/* A text field holds 255 characters; a longer value (from a server cart or a draft file) is
 * shown cut, and only passing through its field must not put the cut text in the line. */
static void test_long_value_survives_passing_through(void **state) {
  Fixture *f = *state;
  pick_doc_customer(f);
  app_catalog_load_skus(f->app, "CFQ7TTC0LH16");
  pump(f);
  app_catalog_load_availabilities(f->app, "CFQ7TTC0LH16", "0001");
  pump(f);
  assert_true(ui_line_form_open(f->ui, "CFQ7TTC0LH16:0001:CFQ7TTC0K5DJ", -1));
  act(f, ACTION_FORM_SUBMIT);
  assert_int_equal(f->app->cart.draft->line_items.count, 1);
  char name[301];
  memset(name, 'n', 300);
  name[300] = '\0';
  CartLineItem *line = &f->app->cart.draft->line_items.items[0];
  free(line->friendly_name);
  line->friendly_name = model_strdup(name);
  assert_non_null(line->friendly_name);

  assert_true(ui_line_form_open(f->ui, NULL, 0));
  focus_field(f, "friendlyName");
  act(f, ACTION_FORM_NEXT_FIELD);
  LineForm *form = cart_ui_form_model(top_data(f));
  assert_string_equal(form->fields[line_form_find(form, "friendlyName")].value, name);
  act(f, ACTION_FORM_SUBMIT);
  assert_int_equal(f->ui->overlay_count, 0);
  assert_string_equal(f->app->cart.draft->line_items.items[0].friendly_name, name);
}

/* An edit form open while the cart is replaced underneath (a reload or an open arriving) must not
 * write its line into whatever now sits at that index. */
static void test_edit_refused_when_the_cart_changed_underneath(void **state) {
  Fixture *f = *state;
  pick_doc_customer(f);
  app_catalog_load_skus(f->app, "CFQ7TTC0LH16");
  pump(f);
  app_catalog_load_availabilities(f->app, "CFQ7TTC0LH16", "0001");
  pump(f);
  assert_true(ui_line_form_open(f->ui, "CFQ7TTC0LH16:0001:CFQ7TTC0K5DJ", -1));
  act(f, ACTION_FORM_SUBMIT);
  assert_int_equal(f->app->cart.draft->line_items.count, 1);

  assert_true(ui_line_form_open(f->ui, NULL, 0));
  /* What a reply replacing the cart does to line 0: another item now sits there. */
  CartLineItem *line = &f->app->cart.draft->line_items.items[0];
  free(line->catalog_item_id);
  line->catalog_item_id = model_strdup("MS-AZR-0145P");
  assert_non_null(line->catalog_item_id);
  act(f, ACTION_FORM_SUBMIT);
  assert_int_equal(f->ui->overlay_count, 1); /* the form stays open: nothing typed is lost */
  assert_int_equal(f->app->last_message.level, APP_MESSAGE_ERROR);
  assert_non_null(strstr(f->app->last_message.text, "The cart changed while this form was open"));
  assert_string_equal(f->app->cart.draft->line_items.items[0].catalog_item_id, "MS-AZR-0145P");

  /* A form opened on the cart as it is now closes as usual. */
  ui_overlay_close(f->ui);
  assert_true(ui_line_form_open(f->ui, NULL, 0));
  act(f, ACTION_FORM_ABANDON);
  assert_int_equal(f->ui->overlay_count, 0);
}

/* Duplicate, delete (asks, default No), edit, save, checkout with its summary. */
static void test_cart_keys_save_and_checkout(void **state) {
  Fixture *f = *state;
  pick_doc_customer(f);
  app_catalog_load_skus(f->app, "CFQ7TTC0LH16");
  pump(f);
  app_catalog_load_availabilities(f->app, "CFQ7TTC0LH16", "0001");
  pump(f);
  assert_true(ui_line_form_open(f->ui, "CFQ7TTC0LH16:0001:CFQ7TTC0K5DJ", -1));
  act(f, ACTION_FORM_SUBMIT);
  assert_int_equal(f->ui->overlay_count, 0);
  assert_int_equal(f->app->cart.draft->line_items.count, 1);

  cart_act(f, ACTION_DUPLICATE_LINE);
  assert_int_equal(f->app->cart.draft->line_items.count, 2);
  assert_int_equal(f->ui->panes[PANE_CART].list.selected, 1);
  /* From the first of two: the copy is line 2 and gets the selection. */
  cart_act(f, ACTION_FIRST);
  assert_int_equal(f->ui->panes[PANE_CART].list.selected, 0);
  cart_act(f, ACTION_DUPLICATE_LINE);
  assert_int_equal(f->app->cart.draft->line_items.count, 3);
  assert_int_equal(f->ui->panes[PANE_CART].list.selected, 1);
  cart_act(f, ACTION_LAST);
  assert_int_equal(f->ui->panes[PANE_CART].list.selected, 2);
  cart_act(f, ACTION_CLEAR_CART);
  answer(f, L'n');
  assert_int_equal(f->app->cart.draft->line_items.count, 3);
  cart_act(f, ACTION_DELETE_LINE);
  answer(f, L'y');
  assert_int_equal(f->app->cart.draft->line_items.count, 2);
  assert_int_equal(f->ui->panes[PANE_CART].list.selected, 1); /* clamped to the last line */

  cart_act(f, ACTION_DELETE_LINE);
  assert_int_equal(f->ui->overlay_count, 1);
  answer(f, L'\n'); /* default: No */
  assert_int_equal(f->app->cart.draft->line_items.count, 2);
  cart_act(f, ACTION_DELETE_LINE);
  answer(f, L'y');
  assert_int_equal(f->app->cart.draft->line_items.count, 1);
  cart_act(f, ACTION_DUPLICATE_LINE);
  assert_int_equal(f->app->cart.draft->line_items.count, 2);

  /* Never saved: checking out is refused before any confirmation is shown. */
  cart_act(f, ACTION_CHECKOUT);
  assert_int_equal(f->ui->overlay_count, 0);
  assert_int_equal(f->app->last_message.level, APP_MESSAGE_ERROR);
  assert_string_equal(f->app->last_message.text,
                      "The cart has not been saved; save it (s) before checking out.");

  /* Edit line 2: quantity 3. */
  cart_act(f, ACTION_EDIT_LINE);
  assert_ptr_equal(top_ops(f), &cart_ui_form_ops);
  assert_int_equal(cart_ui_form_model(top_data(f))->line_index, 1);
  focus_field(f, "quantity");
  top_ops(f)->text(f->ui, top_data(f), 21, false);
  type(f, "3");
  act(f, ACTION_FORM_SUBMIT);
  assert_int_equal(f->ui->overlay_count, 0);
  assert_int_equal(f->app->cart.draft->line_items.items[1].quantity.value, 3);

  cart_act(f, ACTION_SAVE);
  pump(f);
  drain_messages(f);
  assert_non_null(f->app->cart.draft->id);
  assert_false(f->app->cart.dirty);
  char *text = cart_text(f);
  assert_contains(text, f->app->cart.draft->id);
  assert_contains(text, "saved");
  assert_contains(text, "expires in ");
  assert_lacks(text, "expired");
  assert_contains(text, "   1 Exchange Online (Plan 1)");
  assert_contains(text, "  ›2 Exchange Online (Plan 1)");
  assert_lacks(text, "unsaved changes");
  free(text);

  /* Saved, then changed: refused (unsaved changes) without a confirmation; saved again, the
   * confirmation comes. */
  cart_act(f, ACTION_DUPLICATE_LINE);
  assert_true(f->app->cart.dirty);
  cart_act(f, ACTION_CHECKOUT);
  assert_int_equal(f->ui->overlay_count, 0);
  assert_string_equal(f->app->last_message.text,
                      "The cart has unsaved changes; save it (s) before checking out.");
  cart_act(f, ACTION_DELETE_LINE);
  answer(f, L'y');
  cart_act(f, ACTION_SAVE);
  pump(f);
  drain_messages(f);
  assert_false(f->app->cart.dirty);
  assert_int_equal(f->app->cart.draft->line_items.count, 2);

  char *summary = cart_ui_checkout_summary(f->app);
  assert_non_null(summary);
  assert_contains(summary, f->app->cart.draft->id);
  assert_contains(summary, "2 lines in 1 order group");
  assert_contains(summary, "Exchange Online (Plan 1) x 3");
  assert_contains(summary, "sandbox");
  free(summary);

  cart_act(f, ACTION_CHECKOUT);
  assert_int_equal(f->ui->overlay_count, 1);
  answer(f, L'\n'); /* default: No */
  assert_int_equal(f->app->cart.status, APP_CART_SAVED);
  assert_int_equal(f->app->cart.checkout_job, 0);
  cart_act(f, ACTION_CHECKOUT);
  assert_int_equal(f->ui->overlay_count, 1);
  answer(f, L'y');
  pump(f);
  drain_messages(f);
  assert_int_equal(f->app->cart.status, APP_CART_ORDERED);
  text = cart_text(f);
  assert_contains(text, "ordered");
  free(text);
}

/* The integration-sandbox scenario refuses more than 25 licences on a line (10009) inside a
 * 201: the error shows on its line, in words with its code, on a row of its own when narrow
 * and in a column when wide. */
static HttpCtx *limited;

static int limited_setup(void **state) {
  char err[512] = "";
  HttpCtxOptions options = {.scenario = "integration-sandbox"};
  limited = http_ctx_start(&options, err, sizeof err);
  if (limited == NULL) {
    print_error("sandbox did not start: %s\n", err);
    return -1;
  }
  return fixture_start(state, limited);
}

static int limited_teardown(void **state) {
  int result = fixture_teardown(state);
  http_ctx_stop(limited);
  limited = NULL;
  return result;
}

static void resize_cart(Fixture *f, int rows, int cols) {
  Pane *cart = &f->ui->panes[PANE_CART];
  assert_int_equal(wresize(cart->win, rows, cols), OK);
  cart->height = rows;
  cart->width = cols;
}

static void test_server_line_error_on_its_line(void **state) {
  Fixture *f = *state;
  pick_doc_customer(f);
  app_catalog_load_skus(f->app, "CFQ7TTC0LH16");
  pump(f);
  app_catalog_load_availabilities(f->app, "CFQ7TTC0LH16", "0001");
  pump(f);
  assert_true(ui_line_form_open(f->ui, "CFQ7TTC0LH16:0001:CFQ7TTC0K5DJ", -1));
  focus_field(f, "quantity");
  top_ops(f)->text(f->ui, top_data(f), 21, false);
  type(f, "30");
  act(f, ACTION_FORM_SUBMIT);
  assert_int_equal(f->ui->overlay_count, 0);
  cart_act(f, ACTION_SAVE);
  pump(f);
  drain_messages(f);
  const CartLineItem *line = &f->app->cart.draft->line_items.items[0];
  assert_non_null(line->error);
  assert_int_equal(line->error->error_code, CART_ERROR_SANDBOX_LIMIT_EXCEEDED);

  resize_cart(f, 12, 70);
  char *text = cart_text(f);
  char *row = strstr(text, "›!1 Exchange Online");
  if (row == NULL) {
    fprintf(stderr, "%s\n", text);
    fail_msg("line 1 is not marked with its error");
  }
  char *next = strchr(row, '\n');
  assert_non_null(next);
  assert_non_null(strstr(next + 1, "error 10009"));
  assert_true(strstr(next + 1, "error 10009") < strchr(next + 1, '\n'));
  free(text);

  resize_cart(f, 12, 200);
  text = cart_text(f);
  row = strstr(text, "›!1 Exchange Online");
  assert_non_null(row);
  next = strchr(row, '\n');
  char *error = strstr(row, "error 10009");
  assert_non_null(error);
  assert_true(error < next); /* the same row */
  assert_contains(text, "Error");
  free(text);

  /* A cart with line errors cannot be checked out: the refusal is said at once, before any
   * confirmation, and nothing is sent. */
  cart_act(f, ACTION_CHECKOUT);
  assert_int_equal(f->ui->overlay_count, 0);
  assert_non_null(strstr(f->app->last_message.text, "1 line of the cart has errors"));
  assert_int_equal(f->app->cart.checkout_job, 0);
  assert_int_equal(f->app->cart.status, APP_CART_SAVED);
  assert_int_equal(f->app->last_message.level, APP_MESSAGE_ERROR);
}

int main(void) {
  const struct CMUnitTest pure[] = {
      cmocka_unit_test(test_term_words),
      cmocka_unit_test(test_expiry_text),
      cmocka_unit_test(test_expiry_next_change),
      cmocka_unit_test(test_columns_fit),
      cmocka_unit_test(test_matches),
      cmocka_unit_test(test_line_error_words),
      cmocka_unit_test(test_checkout_summary_counts_groups),
  };
  const struct CMUnitTest screens[] = {
      cmocka_unit_test_setup_teardown(test_cart_rows_before_and_after_customer, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test_setup_teardown(test_browse_search_and_add_line, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test_setup_teardown(test_browser_shows_loading, fixture_setup, fixture_teardown),
      cmocka_unit_test_setup_teardown(test_edit_line_loads_its_item, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test_setup_teardown(test_legacy_offer_from_top_level, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test_setup_teardown(test_reservation_form_choices_and_pick_list, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test_setup_teardown(test_abandon_asks_only_when_changed, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test_setup_teardown(test_edit_refused_when_the_cart_changed_underneath,
                                      fixture_setup, fixture_teardown),
      cmocka_unit_test_setup_teardown(test_long_value_survives_passing_through, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test_setup_teardown(test_cart_keys_save_and_checkout, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test_setup_teardown(test_server_line_error_on_its_line, limited_setup,
                                      limited_teardown),
  };
  int failed = cmocka_run_group_tests_name("pure", pure, NULL, NULL);
  failed += cmocka_run_group_tests_name("screens", screens, group_setup, group_teardown);
  return failed;
}
