/* The cart pane: the header (customer, cart id, status, expiry, unsaved changes) and the lines
 * (title, catalog item, quantity, billing cycle, term, order group, the server's error), with
 * the keys that edit, save, check out and reload the cart. The pane draws and asks; every rule
 * lives in the app-state model (app_cart_*), whose refusals are shown as they come. */
#include "ui/cart_ui.h"
#include "ui/ui_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----- words ----- */

const char *cart_ui_cycle_word(BillingCycle cycle) {
  switch (cycle) {
  case BILLING_CYCLE_UNSET:
    return "";
  case BILLING_CYCLE_UNKNOWN:
    return "unknown";
  case BILLING_CYCLE_MONTHLY:
    return "monthly";
  case BILLING_CYCLE_ANNUAL:
    return "annual";
  case BILLING_CYCLE_NONE:
    return "none";
  case BILLING_CYCLE_ONE_TIME:
    return "one-time";
  case BILLING_CYCLE_TRIENNIAL:
    return "triennial";
  case BILLING_CYCLE_BIENNIAL:
    return "biennial";
  }
  return "unknown";
}

const char *cart_ui_term_words(const char *duration, char *buf, size_t size) {
  if (size == 0) {
    return buf;
  }
  buf[0] = '\0';
  if (duration == NULL) {
    return buf;
  }
  /* ISO 8601 periods of one unit, as terms are written ("P1M", "P1Y", "P3Y"). */
  const char *p = duration;
  if (toupper((unsigned char)*p) == 'P') {
    p++;
    char *end = NULL;
    long n = strtol(p, &end, 10);
    if (end != p && n > 0 && end[0] != '\0' && end[1] == '\0') {
      const char *unit = NULL;
      switch (toupper((unsigned char)end[0])) {
      case 'D':
        unit = "day";
        break;
      case 'W':
        unit = "week";
        break;
      case 'M':
        unit = "month";
        break;
      case 'Y':
        unit = "year";
        break;
      default:
        break;
      }
      if (unit != NULL) {
        snprintf(buf, size, "%ld %s%s", n, unit, n == 1 ? "" : "s");
        return buf;
      }
    }
  }
  snprintf(buf, size, "%s", duration);
  return buf;
}

long long cart_ui_expiry_next_ms(time_t expires_at, long long now_ms) {
  long long now = now_ms / 1000; /* what time() says */
  long long left = (long long)expires_at - now;
  if (left <= 0) {
    return -1;
  }
  /* The minute shown is left / 60; it drops when left reaches 60 * minute - 1, i.e. when time()
   * reaches expires_at - 60 * minute + 1 (under a minute: at expires_at, "expired"). */
  long long minute = left / 60;
  long long at = minute > 0 ? (long long)expires_at - 60 * minute + 1 : (long long)expires_at;
  long long wait = at * 1000 - now_ms;
  return wait > 0 ? wait : 0;
}

bool cart_ui_expiry_text(time_t expires_at, time_t now, char *buf, size_t size) {
  if (expires_at <= now) {
    snprintf(buf, size, "expired");
    return true;
  }
  long long left = (long long)(expires_at - now);
  long long days = left / 86400;
  long long hours = (left % 86400) / 3600;
  long long minutes = (left % 3600) / 60;
  if (days > 0) {
    snprintf(buf, size, "expires in %lldd %lldh %lldm", days, hours, minutes);
  } else if (hours > 0) {
    snprintf(buf, size, "expires in %lldh %lldm", hours, minutes);
  } else {
    /* Under a minute still reads as a minute: "0m" would look expired. */
    snprintf(buf, size, "expires in %lldm", minutes > 0 ? minutes : 1);
  }
  return false;
}

const char *cart_ui_line_title(const AppState *state, const CartLineItem *line, char *buf,
                               size_t size) {
  const char *title = NULL;
  CatalogItem item;
  if (line->catalog_item_id != NULL && state->catalog.catalog != NULL &&
      catalog_find_item(state->catalog.catalog, line->catalog_item_id, &item)) {
    if (item.sku != NULL && item.sku->title != NULL) {
      title = item.sku->title;
    } else if (item.product != NULL && item.product->title != NULL) {
      title = item.product->title;
    } else if (item.offer != NULL && item.offer->name != NULL) {
      title = item.offer->name;
    }
  } else if (line->catalog_item_id != NULL && state->catalog.catalog != NULL) {
    /* A cart opened by id, reloaded or read from a draft names SKUs the browser never loaded;
     * the products are loaded with the customer, so the line reads by its product's title
     * ("PRODUCT:SKU:AVAILABILITY") rather than "(unknown item)". */
    char product_id[160];
    size_t n = strcspn(line->catalog_item_id, ":");
    if (n > 0 && n < sizeof product_id && line->catalog_item_id[n] == ':') {
      memcpy(product_id, line->catalog_item_id, n);
      product_id[n] = '\0';
      const Product *product = catalog_find_product(state->catalog.catalog, product_id);
      if (product != NULL && product->title != NULL) {
        title = product->title;
      }
    }
  }
  const char *friendly =
      line->friendly_name != NULL && line->friendly_name[0] != '\0' ? line->friendly_name : NULL;
  if (title != NULL && friendly != NULL) {
    snprintf(buf, size, "%s (%s)", title, friendly);
  } else if (title != NULL) {
    snprintf(buf, size, "%s", title);
  } else if (friendly != NULL) {
    snprintf(buf, size, "%s", friendly);
  } else {
    snprintf(buf, size, "(unknown item)");
  }
  return buf;
}

const char *cart_ui_line_error(const CartError *error, char *buf, size_t size) {
  const char *name = cart_error_code_name(error->error_code);
  if (name == NULL) {
    name = error->error_code_text;
  }
  const char *description = error->error_description != NULL && error->error_description[0]
                                ? error->error_description
                                : "the server refused this line";
  if (name != NULL) {
    snprintf(buf, size, "error %ld %s: %s", error->error_code, name, description);
  } else {
    snprintf(buf, size, "error %ld: %s", error->error_code, description);
  }
  return buf;
}

/* ----- the checkout summary ----- */

typedef struct TextBuf {
  char *data;
  size_t length;
  size_t capacity;
  bool failed;
} TextBuf;

static void text_buf_add(TextBuf *buf, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void text_buf_add(TextBuf *buf, const char *format, ...) {
  if (buf->failed) {
    return;
  }
  va_list args;
  va_start(args, format);
  va_list copy;
  va_copy(copy, args);
  int n = vsnprintf(NULL, 0, format, copy);
  va_end(copy);
  if (n < 0) {
    buf->failed = true;
    va_end(args);
    return;
  }
  size_t need = buf->length + (size_t)n + 1;
  if (need > buf->capacity) {
    size_t capacity = buf->capacity ? buf->capacity * 2 : 256;
    while (capacity < need) {
      capacity *= 2;
    }
    char *data = realloc(buf->data, capacity);
    if (data == NULL) {
      buf->failed = true;
      va_end(args);
      return;
    }
    buf->data = data;
    buf->capacity = capacity;
  }
  vsnprintf(buf->data + buf->length, buf->capacity - buf->length, format, args);
  buf->length += (size_t)n;
  va_end(args);
}

/* Lines listed by name in the confirmation; the rest are counted (a dialog is not a report). */
enum { SUMMARY_MAX_LINES = 8, SUMMARY_MAX_GROUPS = 16 };

char *cart_ui_checkout_summary(const AppState *state) {
  TextBuf buf = {0};
  const Cart *cart = state->cart.draft;
  const CartLineItemList *lines = &cart->line_items;
  const char *customer = state->cart.customer_name != NULL ? state->cart.customer_name
                         : state->cart.customer_id != NULL ? state->cart.customer_id
                                                           : "(no customer)";
  text_buf_add(&buf, "Customer: %s\n", customer);
  text_buf_add(&buf, "Cart: %s\n", cart->id != NULL ? cart->id : "new (not saved)");

  /* Order groups in order of first appearance; lines without one (never saved) are counted
   * apart. */
  const char *groups[SUMMARY_MAX_GROUPS];
  size_t group_lines[SUMMARY_MAX_GROUPS];
  size_t group_count = 0;
  size_t ungrouped = 0;
  size_t overflow = 0;
  for (size_t i = 0; i < lines->count; i++) {
    const char *group = lines->items[i].order_group;
    if (group == NULL || group[0] == '\0') {
      ungrouped++;
      continue;
    }
    size_t g = 0;
    while (g < group_count && strcmp(groups[g], group) != 0) {
      g++;
    }
    if (g == group_count) {
      if (group_count == SUMMARY_MAX_GROUPS) {
        /* Counted once per group (each is an order): only at the group's first line. */
        size_t j = 0;
        while (j < i && (lines->items[j].order_group == NULL ||
                         strcmp(lines->items[j].order_group, group) != 0)) {
          j++;
        }
        overflow += j == i;
        continue;
      }
      groups[group_count] = group;
      group_lines[group_count] = 0;
      group_count++;
    }
    group_lines[g]++;
  }
  size_t total_groups = group_count + overflow;
  text_buf_add(&buf, "%zu line%s", lines->count, lines->count == 1 ? "" : "s");
  if (total_groups > 0) {
    text_buf_add(&buf, " in %zu order group%s", total_groups, total_groups == 1 ? "" : "s");
  }
  text_buf_add(&buf, ":\n");
  for (size_t i = 0; i < lines->count && i < SUMMARY_MAX_LINES; i++) {
    const CartLineItem *line = &lines->items[i];
    char title[256];
    char term[32];
    cart_ui_line_title(state, line, title, sizeof title);
    cart_ui_term_words(line->term_duration, term, sizeof term);
    text_buf_add(&buf, "  %zu. %s x %ld", i + 1, title,
                 line->quantity.set ? line->quantity.value : 0);
    if (line->billing_cycle != BILLING_CYCLE_UNSET) {
      text_buf_add(&buf, ", %s", cart_ui_cycle_word(line->billing_cycle));
    }
    if (term[0] != '\0') {
      text_buf_add(&buf, ", %s", term);
    }
    if (line->order_group != NULL && line->order_group[0] != '\0') {
      text_buf_add(&buf, " [group %s]", line->order_group);
    }
    text_buf_add(&buf, "\n");
  }
  if (lines->count > SUMMARY_MAX_LINES) {
    text_buf_add(&buf, "  ... and %zu more\n", lines->count - SUMMARY_MAX_LINES);
  }
  if (total_groups > 0) {
    text_buf_add(&buf, "Order groups (one order each):");
    for (size_t g = 0; g < group_count; g++) {
      text_buf_add(&buf, "%s %s (%zu line%s)", g ? "," : "", groups[g], group_lines[g],
                   group_lines[g] == 1 ? "" : "s");
    }
    if (overflow > 0) {
      text_buf_add(&buf, ", and more");
    }
    text_buf_add(&buf, "\n");
  }
  if (ungrouped > 0 && total_groups > 0) {
    text_buf_add(&buf, "%zu line%s without an order group yet.\n", ungrouped,
                 ungrouped == 1 ? "" : "s");
  }
  text_buf_add(&buf, "%s",
               state->is_live ? "This places real orders on LIVE Partner Center."
                              : "This places orders in the sandbox.");
  if (buf.failed) {
    free(buf.data);
    return NULL;
  }
  return buf.data;
}

/* ----- columns ----- */

void cart_ui_columns(int width, CartColumns *out) {
  memset(out, 0, sizeof *out);
  if (width <= 0) {
    return;
  }
  /* Each column is followed by one space; the title always shows and keeps 20 columns. The
   * others join while they fit, in the order a sales person reads a line by: how many, how
   * billed, how long, which item exactly, which order. */
  int left = width;
  out->number = 4; /* "›!12" */
  left -= out->number + 1;
  const int title_min = 20;
  struct {
    int *slot;
    int size;
  } optional[] = {
      {&out->quantity, 5}, {&out->cycle, 9}, {&out->term, 8}, {&out->item, 16}, {&out->group, 6},
  };
  for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++) {
    if (left - (optional[i].size + 1) >= title_min) {
      *optional[i].slot = optional[i].size;
      left -= optional[i].size + 1;
    }
  }
  /* The catalog item id grows to its usual length ("DZH318Z0BQ3Q:0001:DZH318Z0BQ3R" is 30)
   * before the title takes the rest; an error column only when a useful one fits. */
  if (out->item > 0) {
    int grow = 30 - out->item;
    if (grow > 0 && left - grow >= 30) {
      out->item += grow;
      left -= grow;
    }
  }
  if (left >= 30 + 40 + 1) {
    out->error = left - 30 - 1;
    if (out->error > 60) {
      out->error = 60;
    }
    left -= out->error + 1;
  }
  out->title = left > 1 ? left : 1;
}

/* ----- the pane ----- */

/* Where the last frame drew each line (for clicks and page moves): the pane's data, made on
 * the first frame (ui_run frees it with the pane). */
typedef struct CartView {
  int list_top_row;   /* pane row of the first list row */
  int list_rows;      /* rows available to the list */
  long row_line[256]; /* pane row -> line index, -1 for none */
  int row_count;
} CartView;

static CartView *cart_view(Pane *pane) {
  if (pane->data == NULL) {
    pane->data = calloc(1, sizeof(CartView));
  }
  return pane->data; /* NULL when out of memory: then clicks do nothing */
}

static bool pane_focused(const Ui *ui, const Pane *pane) {
  return ui->focus == pane->id && ui->overlay_count == 0;
}

static size_t line_count(const Ui *ui) {
  return ui->app->cart.draft->line_items.count;
}

/* Keeps the selection on a line (the shell checks ACTION_NEEDS_LINE against it). */
static void clamp_selection(Pane *pane, size_t count) {
  if (count == 0) {
    pane->list.selected = -1;
    pane->list.top = 0;
    return;
  }
  if (pane->list.selected < 0) {
    pane->list.selected = 0;
  }
  if ((size_t)pane->list.selected >= count) {
    pane->list.selected = (long)count - 1;
  }
  if (pane->list.top < 0 || (size_t)pane->list.top >= count) {
    pane->list.top = 0;
  }
}

static void fill(WINDOW *win, int y, int x, int width, ThemeRole role) {
  if (width > 0) {
    mvwhline(win, y, x, (chtype)' ' | (chtype)theme_attr(role), width);
  }
}

/* Draws text in a column of width w followed by a space; returns the next column's x. */
static int column(WINDOW *win, int y, int x, int w, const char *text, ThemeRole role) {
  if (w <= 0) {
    return x;
  }
  draw_text(win, y, x, w, text != NULL ? text : "", role);
  return x + w + 1;
}

/* Right-aligned (numbers). */
static int column_right(WINDOW *win, int y, int x, int w, const char *text, ThemeRole role) {
  if (w <= 0) {
    return x;
  }
  int tw = text_width(text);
  int pad = w - tw;
  if (pad < 0) {
    pad = 0;
  }
  draw_text(win, y, x + pad, w - pad, text, role);
  return x + w + 1;
}

/* Segments of a header line, drawn left to right with " · " between them while they fit. */
static int header_segment(WINDOW *win, int y, int x, int right, const char *text, ThemeRole role,
                          bool separator) {
  if (x >= right || text == NULL || text[0] == '\0') {
    return x;
  }
  if (separator) {
    x += draw_text(win, y, x, right - x, " · ", ROLE_DIM);
  }
  if (x < right) {
    x += draw_text(win, y, x, right - x, text, role);
  }
  return x;
}

static const char *status_word(AppCartStatus status) {
  switch (status) {
  case APP_CART_DRAFT:
    return "draft";
  case APP_CART_SAVED:
    return "saved";
  case APP_CART_ORDERED:
    return "ordered";
  }
  return "draft";
}

static void draw_header(Ui *ui, WINDOW *win, int y, int x, int width) {
  const CartState *cart = &ui->app->cart;
  int right = x + width;
  int cx = x;
  cx = header_segment(win, y, cx, right, "Customer ", ROLE_DIM, false);
  if (cart->customer_id == NULL) {
    header_segment(win, y, cx, right, "none", ROLE_WARNING, false);
  } else {
    cx = header_segment(win, y, cx, right,
                        cart->customer_name != NULL ? cart->customer_name : cart->customer_id,
                        ROLE_NORMAL, false);
    if (cart->customer_name != NULL) {
      cx = header_segment(win, y, cx, right, " ", ROLE_DIM, false);
      header_segment(win, y, cx, right, cart->customer_id, ROLE_DIM, false);
    }
  }

  y++;
  cx = x;
  cx = header_segment(win, y, cx, right, "Cart ", ROLE_DIM, false);
  cx = header_segment(win, y, cx, right, cart->draft->id != NULL ? cart->draft->id : "new",
                      ROLE_NORMAL, false);
  ThemeRole status_role = cart->status == APP_CART_ORDERED ? ROLE_SUCCESS : ROLE_NORMAL;
  cx = header_segment(win, y, cx, right, status_word(cart->status), status_role, true);
  time_t expires;
  if (cart->status != APP_CART_ORDERED && app_cart_expires_at(ui->app, &expires)) {
    char text[64];
    bool expired = cart_ui_expiry_text(expires, time(NULL), text, sizeof text);
    cx = header_segment(win, y, cx, right, text, expired ? ROLE_ERROR : ROLE_DIM, true);
  }
  if (cart->dirty) {
    cx = header_segment(win, y, cx, right, "unsaved changes", ROLE_WARNING, true);
  }
  if (cart->save_outcome_unknown && cart->save_job == 0) {
    cx = header_segment(win, y, cx, right, "save outcome unknown — s again is safe", ROLE_WARNING,
                        true);
  }
  if (cart->checkout_outcome_unknown && cart->checkout_job == 0) {
    cx = header_segment(win, y, cx, right, "checkout outcome unknown — C again is safe",
                        ROLE_WARNING, true);
  }
  if (cart->save_job != 0) {
    cx = header_segment(win, y, cx, right, "saving…", ROLE_WARNING, true);
  }
  if (cart->checkout_job != 0) {
    cx = header_segment(win, y, cx, right, "checking out…", ROLE_WARNING, true);
  }
  if (cart->reload_job != 0) {
    header_segment(win, y, cx, right, "reloading…", ROLE_WARNING, true);
  }
}

static void draw_column_headers(WINDOW *win, int y, int x, const CartColumns *cols) {
  x = column(win, y, x, cols->number, "#", ROLE_HEADER);
  x = column(win, y, x, cols->title, "Product", ROLE_HEADER);
  x = column(win, y, x, cols->item, "Catalog item", ROLE_HEADER);
  x = column_right(win, y, x, cols->quantity, "Qty", ROLE_HEADER);
  x = column(win, y, x, cols->cycle, "Billing", ROLE_HEADER);
  x = column(win, y, x, cols->term, "Term", ROLE_HEADER);
  x = column(win, y, x, cols->group, "Group", ROLE_HEADER);
  column(win, y, x, cols->error, "Error", ROLE_HEADER);
}

/* Rows a line takes: one, plus one for its error when the error has no column. */
static int line_rows(const CartLineItem *line, const CartColumns *cols) {
  return line->error != NULL && cols->error == 0 ? 2 : 1;
}

static void draw_line(Ui *ui, WINDOW *win, int y, int x, int width, size_t index,
                      const CartColumns *cols, bool selected, bool focused) {
  const CartLineItem *line = &ui->app->cart.draft->line_items.items[index];
  ThemeRole role = ROLE_NORMAL;
  ThemeRole dim = ROLE_DIM;
  if (selected) {
    role = focused ? ROLE_SELECTED : ROLE_SELECTED_UNFOCUSED;
    dim = role;
    fill(win, y, x, width, role);
  }
  char number[24];
  char title[320];
  char quantity[24];
  char term[32];
  char error[600];
  snprintf(number, sizeof number, "%zu", index + 1);
  cart_ui_line_title(ui->app, line, title, sizeof title);
  if (line->quantity.set) {
    snprintf(quantity, sizeof quantity, "%ld", line->quantity.value);
  } else {
    snprintf(quantity, sizeof quantity, "-");
  }
  cart_ui_term_words(line->term_duration, term, sizeof term);
  error[0] = '\0';
  if (line->error != NULL) {
    cart_ui_line_error(line->error, error, sizeof error);
  }

  /* A line with an error is marked by a "!" too, not by colour alone. */
  /* "›" marks the selected line and "!" one with an error: neither relies on colour. */
  char marked[32];
  snprintf(marked, sizeof marked, "%s%s%s", selected ? "›" : "", line->error != NULL ? "!" : "",
           number);
  int cx = column_right(win, y, x, cols->number, marked,
                        line->error != NULL && !selected ? ROLE_ERROR : role);
  cx = column(win, y, cx, cols->title, title, role);
  cx = column(win, y, cx, cols->item, line->catalog_item_id, dim);
  cx = column_right(win, y, cx, cols->quantity, quantity, role);
  cx = column(win, y, cx, cols->cycle, cart_ui_cycle_word(line->billing_cycle), role);
  cx = column(win, y, cx, cols->term, term, role);
  cx = column(win, y, cx, cols->group, line->order_group, dim);
  if (cols->error > 0 && error[0] != '\0') {
    column(win, y, cx, cols->error, error, selected ? role : ROLE_ERROR);
  } else if (cols->error == 0 && error[0] != '\0') {
    int indent = cols->number + 1;
    draw_text(win, y + 1, x + indent, width - indent, error, ROLE_ERROR);
  }
}

static void cart_draw(Ui *ui, Pane *pane) {
  WINDOW *win = pane->win;
  if (win == NULL) {
    return;
  }
  werase(win);
  bool focused = pane_focused(ui, pane);
  size_t count = line_count(ui);
  char title[64];
  if (count > 0) {
    snprintf(title, sizeof title, "Cart (%zu line%s)", count, count == 1 ? "" : "s");
  } else {
    snprintf(title, sizeof title, "Cart");
  }
  draw_frame(win, title, ui->focus == pane->id);
  int x = 1;
  int width = pane->width - 2;
  int top = 1;
  int bottom = pane->height - 1; /* exclusive */
  CartView scratch;
  CartView *view = cart_view(pane);
  if (view == NULL) {
    view = &scratch;
  }
  view->row_count = 0;
  view->list_rows = 0;
  if (width <= 0 || bottom <= top) {
    return;
  }
  draw_header(ui, win, top, x, width);
  int y = top + 2;
  if (ui->app->cart.customer_id == NULL) {
    clamp_selection(pane, 0);
    if (y < bottom) {
      draw_text(win, y + (y + 1 < bottom ? 1 : 0), x + 1, width - 1,
                "No customer yet: pick one in the customer list", ROLE_DIM);
    }
    return;
  }
  clamp_selection(pane, count);
  if (count == 0) {
    if (y < bottom) {
      char keys[64];
      char text[128];
      keymap_keys_text(ui->keymap, ACTION_ADD_LINE, keys, sizeof keys);
      snprintf(text, sizeof text, "The cart is empty: press %s to add a line",
               keys[0] != '\0' ? keys : "a");
      draw_text(win, y + (y + 1 < bottom ? 1 : 0), x + 1, width - 1, text, ROLE_DIM);
    }
    return;
  }
  CartColumns cols;
  cart_ui_columns(width, &cols);
  if (y < bottom) {
    draw_column_headers(win, y, x, &cols);
    y++;
  }
  int rows = bottom - y;
  view->list_top_row = y;
  view->list_rows = rows;
  if (rows <= 0) {
    return;
  }
  const CartLineItem *items = ui->app->cart.draft->line_items.items;
  /* Keep the selected line (with its error row) in view: scroll so that the rows from top to
   * the selection fit. */
  long selected = pane->list.selected;
  if (pane->list.top > selected) {
    pane->list.top = selected;
  }
  for (;;) {
    int used = 0;
    for (long i = pane->list.top; i <= selected; i++) {
      used += line_rows(&items[i], &cols);
    }
    if (used <= rows || pane->list.top >= selected) {
      break;
    }
    pane->list.top++;
  }
  /* And no empty rows below while earlier lines are scrolled away (after a page move made on
   * a smaller frame). */
  while (pane->list.top > 0) {
    int used = 0;
    for (long i = pane->list.top - 1; (size_t)i < count; i++) {
      used += line_rows(&items[i], &cols);
    }
    if (used > rows) {
      break;
    }
    pane->list.top--;
  }
  for (long i = pane->list.top; (size_t)i < count && y < bottom; i++) {
    int h = line_rows(&items[i], &cols);
    if (h == 2 && y + 1 >= bottom && i != selected) {
      break; /* half a line would hide its error */
    }
    draw_line(ui, win, y, x, width, (size_t)i, &cols, i == selected, focused);
    for (int r = 0; r < h && y + r < bottom; r++) {
      int row = y + r;
      if (row < (int)(sizeof view->row_line / sizeof view->row_line[0])) {
        while (view->row_count <= row) {
          view->row_line[view->row_count++] = -1;
        }
        view->row_line[row] = i;
      }
    }
    y += h;
  }
}

/* ----- actions ----- */

static void say_refusal(Ui *ui, const char *why, const char *fallback) {
  ui_say(ui, APP_MESSAGE_ERROR, why[0] != '\0' ? why : fallback);
}

static bool selected_line(const Ui *ui, const Pane *pane, size_t *index) {
  size_t count = line_count(ui);
  if (ui->app->cart.customer_id == NULL || count == 0 || pane->list.selected < 0 ||
      (size_t)pane->list.selected >= count) {
    return false;
  }
  *index = (size_t)pane->list.selected;
  return true;
}

static void require_line(Ui *ui) {
  ui_say(ui, APP_MESSAGE_ERROR,
         ui->app->cart.customer_id == NULL ? "Pick a customer first (Enter on the customer list)."
                                           : "The cart has no lines yet: add one first.");
}

/* The confirmations carry the line they ask about: a reply that arrives while the dialog is
 * open may renumber the cart, and then the question no longer applies. */
typedef struct LineQuestion {
  size_t index;
  char catalog_item_id[160];
  size_t count;
} LineQuestion;

static LineQuestion *line_question_new(const Ui *ui, size_t index) {
  LineQuestion *q = calloc(1, sizeof *q);
  if (q == NULL) {
    return NULL;
  }
  const CartLineItem *line = &ui->app->cart.draft->line_items.items[index];
  q->index = index;
  q->count = line_count(ui);
  snprintf(q->catalog_item_id, sizeof q->catalog_item_id, "%s",
           line->catalog_item_id != NULL ? line->catalog_item_id : "");
  return q;
}

static bool line_question_holds(const Ui *ui, const LineQuestion *q) {
  if (q->index >= line_count(ui) || q->count != line_count(ui)) {
    return false;
  }
  const char *id = ui->app->cart.draft->line_items.items[q->index].catalog_item_id;
  return strcmp(id != NULL ? id : "", q->catalog_item_id) == 0;
}

/* Jobs a transition queued leave at once (the shell also does after each key; a dialog's
 * answer arrives inside the dialog's handler). */
static void after_change(Ui *ui) {
  ui_submit_jobs(ui);
}

static void on_delete_answer(Ui *ui, bool yes, void *data) {
  LineQuestion *q = data;
  if (yes) {
    char why[256] = "";
    if (!line_question_holds(ui, q)) {
      ui_say(ui, APP_MESSAGE_WARNING, "The cart changed while you were asked; nothing deleted.");
    } else if (app_cart_delete_line(ui->app, q->index, why, sizeof why)) {
      clamp_selection(&ui->panes[PANE_CART], line_count(ui));
      char text[64];
      snprintf(text, sizeof text, "Line %zu deleted.", q->index + 1);
      ui_say(ui, APP_MESSAGE_INFO, text);
    } else {
      say_refusal(ui, why, "The line could not be deleted.");
    }
    after_change(ui);
  }
  free(q);
}

static void on_clear_answer(Ui *ui, bool yes, void *data) {
  (void)data;
  if (yes) {
    char why[256] = "";
    if (app_cart_clear(ui->app, why, sizeof why)) {
      ui_say(ui, APP_MESSAGE_INFO, "Every line removed.");
    } else {
      say_refusal(ui, why, "The cart could not be cleared.");
    }
    ui->panes[PANE_CART].list.selected = -1;
    ui->panes[PANE_CART].list.top = 0;
    after_change(ui);
  }
}

static void on_checkout_answer(Ui *ui, bool yes, void *data) {
  (void)data;
  if (yes) {
    char why[256] = "";
    if (!app_cart_checkout(ui->app, why, sizeof why)) {
      say_refusal(ui, why, "The cart cannot be checked out now.");
    }
    after_change(ui);
  }
}

static void do_reload(Ui *ui) {
  char why[256] = "";
  if (!app_cart_reload(ui->app, why, sizeof why)) {
    say_refusal(ui, why, "The cart cannot be reloaded now.");
  }
  after_change(ui);
}

static void on_reload_answer(Ui *ui, bool yes, void *data) {
  (void)data;
  if (yes) {
    do_reload(ui);
  }
}

static unsigned ask_delete(Ui *ui, Pane *pane) {
  size_t index;
  if (!selected_line(ui, pane, &index)) {
    require_line(ui);
    return UI_HANDLED;
  }
  LineQuestion *q = line_question_new(ui, index);
  if (q == NULL) {
    ui_say(ui, APP_MESSAGE_ERROR, "Out of memory.");
    return UI_HANDLED;
  }
  const CartLineItem *line = &ui->app->cart.draft->line_items.items[index];
  char title[256];
  char body[512];
  cart_ui_line_title(ui->app, line, title, sizeof title);
  snprintf(body, sizeof body, "Delete line %zu, %s (quantity %ld), from the cart?", index + 1,
           title, line->quantity.set ? line->quantity.value : 0);
  if (!ui_confirm(ui, "Delete line", body, false, on_delete_answer, q)) {
    free(q);
  }
  return UI_HANDLED | UI_REDRAW;
}

static unsigned ask_clear(Ui *ui) {
  size_t count = line_count(ui);
  if (ui->app->cart.customer_id == NULL || count == 0) {
    require_line(ui);
    return UI_HANDLED;
  }
  char body[160];
  snprintf(body, sizeof body, "Remove all %zu line%s from the cart?", count, count == 1 ? "" : "s");
  ui_confirm(ui, "Clear the cart", body, false, on_clear_answer, NULL);
  return UI_HANDLED | UI_REDRAW;
}

static unsigned ask_checkout(Ui *ui) {
  char why[256] = "";
  /* The model's refusal comes first: a confirmation answered yes must not then be refused. */
  if (!app_cart_can_checkout(ui->app, why, sizeof why)) {
    say_refusal(ui, why, "The cart cannot be checked out now.");
    return UI_HANDLED | UI_REDRAW;
  }
  char *body = cart_ui_checkout_summary(ui->app);
  if (body == NULL) {
    ui_say(ui, APP_MESSAGE_ERROR, "Out of memory.");
    return UI_HANDLED;
  }
  ui_confirm(ui, "Check out", body, false, on_checkout_answer, NULL);
  free(body);
  return UI_HANDLED | UI_REDRAW;
}

static unsigned ask_reload(Ui *ui) {
  if (!ui->app->cart.dirty) {
    do_reload(ui);
    return UI_HANDLED | UI_REDRAW;
  }
  char body[256];
  snprintf(body, sizeof body,
           "The cart has unsaved changes. Discard them and reload cart %s from Partner Center?",
           ui->app->cart.draft->id != NULL ? ui->app->cart.draft->id : "");
  ui_confirm(ui, "Reload the cart", body, false, on_reload_answer, NULL);
  return UI_HANDLED | UI_REDRAW;
}

static int page_rows(Pane *pane) {
  const CartView *view = pane->data;
  return view != NULL && view->list_rows > 1 ? view->list_rows : 1;
}

static unsigned cart_action(Ui *ui, Pane *pane, Action action) {
  size_t count = line_count(ui);
  long n = ui->app->cart.customer_id != NULL ? (long)count : 0;
  /* The lines may have changed since the last frame (a delete, a reload): act on one that is
   * there. */
  clamp_selection(pane, (size_t)n);
  char why[256] = "";
  size_t index;
  switch (action) {
  case ACTION_MOVE_UP:
    list_view_move(&pane->list, -1, n, page_rows(pane));
    return UI_HANDLED | UI_REDRAW;
  case ACTION_MOVE_DOWN:
    list_view_move(&pane->list, 1, n, page_rows(pane));
    return UI_HANDLED | UI_REDRAW;
  case ACTION_PAGE_UP:
    list_view_move(&pane->list, -page_rows(pane), n, page_rows(pane));
    return UI_HANDLED | UI_REDRAW;
  case ACTION_PAGE_DOWN:
    list_view_move(&pane->list, page_rows(pane), n, page_rows(pane));
    return UI_HANDLED | UI_REDRAW;
  case ACTION_FIRST:
    list_view_set(&pane->list, 0, n, page_rows(pane));
    return UI_HANDLED | UI_REDRAW;
  case ACTION_LAST:
    list_view_set(&pane->list, n - 1, n, page_rows(pane));
    return UI_HANDLED | UI_REDRAW;
  case ACTION_ADD_LINE:
    ui_catalog_browser_open(ui);
    return UI_HANDLED | UI_REDRAW;
  case ACTION_EDIT_LINE:
    if (!selected_line(ui, pane, &index)) {
      require_line(ui);
      return UI_HANDLED;
    }
    ui_line_form_open(ui, NULL, (long)index);
    return UI_HANDLED | UI_REDRAW;
  case ACTION_DUPLICATE_LINE:
    if (!selected_line(ui, pane, &index)) {
      require_line(ui);
      return UI_HANDLED;
    }
    if (app_cart_duplicate_line(ui->app, index, why, sizeof why)) {
      /* The copy comes right after its original: select it, it is what the user edits next. */
      list_view_set(&pane->list, (long)index + 1, (long)line_count(ui), page_rows(pane));
      char text[96];
      snprintf(text, sizeof text, "Line %zu duplicated as line %zu.", index + 1, index + 2);
      ui_say(ui, APP_MESSAGE_INFO, text);
    } else {
      say_refusal(ui, why, "The line could not be duplicated.");
    }
    after_change(ui);
    return UI_HANDLED | UI_REDRAW;
  case ACTION_DELETE_LINE:
    return ask_delete(ui, pane);
  case ACTION_CLEAR_CART:
    return ask_clear(ui);
  case ACTION_SAVE:
    if (!app_cart_save(ui->app, why, sizeof why)) {
      say_refusal(ui, why, "The cart cannot be saved now.");
    }
    after_change(ui);
    return UI_HANDLED | UI_REDRAW;
  case ACTION_CHECKOUT:
    return ask_checkout(ui);
  case ACTION_RELOAD:
    return ask_reload(ui);
  default:
    return UI_UNHANDLED;
  }
}

static unsigned cart_text(Ui *ui, Pane *pane, wint_t ch, bool is_key) {
  (void)ui;
  (void)pane;
  (void)ch;
  (void)is_key;
  return UI_UNHANDLED; /* the cart takes no typed text */
}

static unsigned cart_click(Ui *ui, Pane *pane, int y, int x, int wheel) {
  (void)x;
  long n = ui->app->cart.customer_id != NULL ? (long)line_count(ui) : 0;
  if (wheel != 0) {
    list_view_move(&pane->list, wheel, n, page_rows(pane));
    return UI_HANDLED | UI_REDRAW;
  }
  const CartView *view = pane->data;
  if (view != NULL && y >= 0 && y < view->row_count && view->row_line[y] >= 0 &&
      view->row_line[y] < n) {
    list_view_set(&pane->list, view->row_line[y], n, page_rows(pane));
    return UI_HANDLED | UI_REDRAW;
  }
  return UI_HANDLED;
}

const PaneOps pane_cart_ops = {
    .title = "Cart",
    .context = ACTION_CTX_CART,
    .repaint_on = APP_CHANGED_CART | APP_CHANGED_CATALOG,
    .draw = cart_draw,
    .action = cart_action,
    .text = cart_text,
    .click = cart_click,
};
