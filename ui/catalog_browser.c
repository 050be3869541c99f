/* The catalog browser: an overlay that walks product -> SKU -> availability (with its terms),
 * with the legacy offers beside the products at the top. Each level loads when first shown
 * (app_catalog_load_*) and is filtered as you type; picking an availability or a legacy offer
 * opens the line item form. Nothing here holds a pointer into the catalog between frames: the
 * catalog's arrays move when the worker's replies are merged in, so rows are rebuilt from ids. */
#include "ui/cart_ui.h"
#include "ui/ui_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cart_ui_matches(const char *needle, const char *title, const char *id) {
  if (needle == NULL || needle[0] == '\0') {
    return true;
  }
  const char *haystacks[2] = {title, id};
  size_t n = strlen(needle);
  for (int h = 0; h < 2; h++) {
    const char *s = haystacks[h];
    if (s == NULL) {
      continue;
    }
    size_t len = strlen(s);
    for (size_t start = 0; start + n <= len; start++) {
      size_t i = 0;
      while (i < n && tolower((unsigned char)s[start + i]) == tolower((unsigned char)needle[i])) {
        i++;
      }
      if (i == n) {
        return true;
      }
    }
  }
  return false;
}

typedef enum Level {
  LEVEL_PRODUCTS = 0,
  LEVEL_SKUS,
  LEVEL_AVAILABILITIES,
  LEVEL_COUNT,
} Level;

typedef enum RowKind {
  ROW_PRODUCT,
  ROW_OFFER,
  ROW_SKU,
  ROW_AVAILABILITY,
} RowKind;

/* One row of the current level, valid until the catalog changes (built for each use). */
typedef struct Row {
  RowKind kind;
  const char *title;
  const char *id;
  const char *catalog_item_id; /* offers and availabilities: what the form is for */
  char detail[200];
  char label[200]; /* availabilities: the terms, which serve as the title */
} Row;

typedef struct Browser {
  Level level;
  char product_id[64];
  char product_title[160];
  char sku_id[64];
  char sku_title[160];
  TextField search[LEVEL_COUNT];
  ListView list[LEVEL_COUNT];
  int list_rows; /* rows the last frame gave the list */
} Browser;

static const char *search_text(const Browser *b, char *buf, size_t size) {
  if (!text_field_utf8(&b->search[b->level], buf, size)) {
    buf[0] = '\0';
  }
  return buf;
}

static void sku_detail(const Sku *sku, char *buf, size_t size) {
  char cycles[120] = "";
  size_t used = 0;
  for (size_t i = 0; i < sku->supported_billing_cycles.count; i++) {
    BillingCycle cycle = billing_cycle_parse(sku->supported_billing_cycles.items[i]);
    int n = snprintf(cycles + used, sizeof cycles - used, "%s%s", i ? ", " : "",
                     cart_ui_cycle_word(cycle));
    if (n < 0 || (size_t)n >= sizeof cycles - used) {
      break;
    }
    used += (size_t)n;
  }
  char quantity[64] = "";
  if (sku->minimum_quantity.set && sku->maximum_quantity.set) {
    snprintf(quantity, sizeof quantity, "qty %ld-%ld", sku->minimum_quantity.value,
             sku->maximum_quantity.value);
  } else if (sku->minimum_quantity.set) {
    snprintf(quantity, sizeof quantity, "qty %ld or more", sku->minimum_quantity.value);
  } else if (sku->maximum_quantity.set) {
    snprintf(quantity, sizeof quantity, "qty up to %ld", sku->maximum_quantity.value);
  }
  snprintf(buf, size, "%s%s%s%s", quantity, quantity[0] && cycles[0] ? " · " : "", cycles,
           sku->is_trial.set && sku->is_trial.value ? " · trial" : "");
}

/* The terms grouped by duration, in the catalog's order: "1 month: monthly · 1 year: annual,
 * monthly · 3 years: triennial, annual". */
static void availability_label(const Availability *a, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  if (a->term_count == 0) {
    snprintf(buf, size, "no term (one-time purchase)");
    return;
  }
  for (size_t i = 0; i < a->term_count; i++) {
    const char *duration = a->terms[i].duration != NULL ? a->terms[i].duration : "";
    bool seen = false;
    for (size_t k = 0; k < i && !seen; k++) {
      seen = a->terms[k].duration != NULL && strcmp(a->terms[k].duration, duration) == 0;
    }
    if (seen) {
      continue;
    }
    char words[32];
    cart_ui_term_words(duration, words, sizeof words);
    int n =
        snprintf(buf + used, size - used, "%s%s:", used ? " · " : "", words[0] ? words : "no term");
    if (n < 0 || (size_t)n >= size - used) {
      return;
    }
    used += (size_t)n;
    bool first = true;
    for (size_t k = i; k < a->term_count; k++) {
      const char *other = a->terms[k].duration != NULL ? a->terms[k].duration : "";
      if (strcmp(other, duration) != 0) {
        continue;
      }
      const char *cycle = cart_ui_cycle_word(a->terms[k].billing_cycle);
      n = snprintf(buf + used, size - used, "%s%s", first ? " " : ", ",
                   cycle[0] ? cycle : "no billing cycle");
      if (n < 0 || (size_t)n >= size - used) {
        return;
      }
      used += (size_t)n;
      first = false;
    }
  }
}

/* The rows of the current level that match the search; *loading when the state is fetching
 * this level. Caller frees *out. False when out of memory. */
static bool build_rows(const Browser *b, const AppState *state, Row **out, size_t *count,
                       bool *loading) {
  const Catalog *catalog = state->catalog.catalog;
  char needle[1024];
  search_text(b, needle, sizeof needle);
  *out = NULL;
  *count = 0;
  *loading = false;
  size_t capacity = 0;
  const Sku **skus = NULL;
  const Availability **availabilities = NULL;
  switch (b->level) {
  case LEVEL_PRODUCTS:
    *loading = state->catalog.products_job != 0;
    capacity = catalog->product_count + catalog->offer_count;
    break;
  case LEVEL_SKUS:
    *loading = state->catalog.skus_job != 0;
    capacity = catalog_skus_of(catalog, b->product_id, NULL, 0);
    break;
  case LEVEL_AVAILABILITIES:
    *loading = state->catalog.availabilities_job != 0;
    capacity = catalog_availabilities_of(catalog, b->product_id, b->sku_id, NULL, 0);
    break;
  case LEVEL_COUNT:
    break;
  }
  if (capacity == 0) {
    return true;
  }
  Row *rows = calloc(capacity, sizeof *rows);
  if (rows == NULL) {
    return false;
  }
  size_t n = 0;
  if (b->level == LEVEL_PRODUCTS) {
    for (size_t i = 0; i < catalog->product_count; i++) {
      const Product *p = &catalog->products[i];
      if (!cart_ui_matches(needle, p->title, p->id)) {
        continue;
      }
      Row *row = &rows[n++];
      row->kind = ROW_PRODUCT;
      row->title = p->title != NULL ? p->title : p->id;
      row->id = p->id;
      const ProductType *type = &p->product_type;
      snprintf(row->detail, sizeof row->detail, "%s%s%s",
               type->display_name != NULL ? type->display_name : (type->id ? type->id : ""),
               type->sub_type_display_name != NULL ? " · " : "",
               type->sub_type_display_name != NULL ? type->sub_type_display_name : "");
    }
    for (size_t i = 0; i < catalog->offer_count; i++) {
      const Offer *o = &catalog->offers[i];
      if (!cart_ui_matches(needle, o->name, o->id)) {
        continue;
      }
      Row *row = &rows[n++];
      row->kind = ROW_OFFER;
      row->title = o->name != NULL ? o->name : o->id;
      row->id = o->id;
      row->catalog_item_id = o->id;
      snprintf(row->detail, sizeof row->detail, "legacy offer%s%s",
               o->category != NULL ? " · " : "", o->category != NULL ? o->category : "");
    }
  } else if (b->level == LEVEL_SKUS) {
    skus = calloc(capacity, sizeof *skus);
    if (skus == NULL) {
      free(rows);
      return false;
    }
    size_t got = catalog_skus_of(catalog, b->product_id, skus, capacity);
    for (size_t i = 0; i < got; i++) {
      const Sku *s = skus[i];
      if (!cart_ui_matches(needle, s->title, s->id)) {
        continue;
      }
      Row *row = &rows[n++];
      row->kind = ROW_SKU;
      row->title = s->title != NULL ? s->title : s->id;
      row->id = s->id;
      sku_detail(s, row->detail, sizeof row->detail);
    }
    free(skus);
  } else {
    availabilities = calloc(capacity, sizeof *availabilities);
    if (availabilities == NULL) {
      free(rows);
      return false;
    }
    size_t got =
        catalog_availabilities_of(catalog, b->product_id, b->sku_id, availabilities, capacity);
    for (size_t i = 0; i < got; i++) {
      const Availability *a = availabilities[i];
      Row *row = &rows[n];
      availability_label(a, row->label, sizeof row->label);
      if (!cart_ui_matches(needle, row->label, a->id) &&
          !cart_ui_matches(needle, a->catalog_item_id, NULL)) {
        continue;
      }
      n++;
      row->kind = ROW_AVAILABILITY;
      row->title = row->label;
      row->id = a->id;
      row->catalog_item_id = a->catalog_item_id;
      snprintf(row->detail, sizeof row->detail, "%s%s%s%s",
               a->currency_code != NULL ? a->currency_code : "",
               a->currency_code != NULL && a->segment != NULL ? " · " : "",
               a->segment != NULL ? a->segment : "",
               a->is_purchasable.set && !a->is_purchasable.value ? " · not purchasable" : "");
    }
    free(availabilities);
  }
  *out = rows;
  *count = n;
  return true;
}

static void clamp(ListView *list, size_t count) {
  if (count == 0) {
    list->selected = -1;
    list->top = 0;
    return;
  }
  if (list->selected < 0) {
    list->selected = 0;
  }
  if ((size_t)list->selected >= count) {
    list->selected = (long)count - 1;
  }
  if (list->top > list->selected) {
    list->top = list->selected;
  }
  if (list->top < 0) {
    list->top = 0;
  }
}

/* The first key of an action as the keymap shows it ("Tab" of "Tab, Down"). */
static const char *first_key(const Ui *ui, Action action, char *buf, size_t size) {
  keymap_keys_text(ui->keymap, action, buf, size);
  char *comma = strchr(buf, ',');
  if (comma != NULL) {
    *comma = '\0';
  }
  return buf;
}

static void browser_size(Ui *ui, void *data, int screen_rows, int screen_cols, int *rows,
                         int *cols) {
  (void)ui;
  (void)data;
  *rows = screen_rows - 4 > 30 ? 30 : screen_rows - 4;
  *cols = screen_cols - 6 > 116 ? 116 : screen_cols - 6;
  if (*rows < 8) {
    *rows = screen_rows;
  }
  if (*cols < 40) {
    *cols = screen_cols;
  }
}

static void browser_draw(Ui *ui, void *data, WINDOW *win) {
  Browser *b = data;
  int height, width;
  getmaxyx(win, height, width);
  wbkgdset(win, (chtype)' ' | (chtype)theme_attr(ROLE_DIALOG));
  werase(win);
  draw_frame(win, "Add a line from the catalog", true);
  int x = 2;
  int w = width - 4;
  if (w <= 0 || height < 5) {
    return;
  }
  Row *rows = NULL;
  size_t count = 0;
  bool loading = false;
  if (!build_rows(b, ui->app, &rows, &count, &loading)) {
    draw_text(win, 1, x, w, "Out of memory.", ROLE_ERROR);
    return;
  }

  /* Where we are: Products > product > SKU. */
  int cx = x;
  cx += draw_text(win, 1, cx, x + w - cx, "Products",
                  b->level == LEVEL_PRODUCTS ? ROLE_DIALOG_TITLE : ROLE_DIM);
  if (b->level >= LEVEL_SKUS) {
    cx += draw_text(win, 1, cx, x + w - cx, " › ", ROLE_DIM);
    cx += draw_text(win, 1, cx, x + w - cx, b->product_title,
                    b->level == LEVEL_SKUS ? ROLE_DIALOG_TITLE : ROLE_DIM);
  }
  if (b->level >= LEVEL_AVAILABILITIES) {
    cx += draw_text(win, 1, cx, x + w - cx, " › ", ROLE_DIM);
    cx += draw_text(win, 1, cx, x + w - cx, b->sku_title, ROLE_DIALOG_TITLE);
  }
  if (loading && count > 0 && cx + 11 < x + w) {
    draw_text(win, 1, x + w - 9, 9, "Loading…", ROLE_WARNING);
  }

  static const char *const search_labels[LEVEL_COUNT] = {
      "Search products: ", "Search SKUs: ", "Search terms: "};
  int lx = draw_text(win, 2, x, w, search_labels[b->level], ROLE_NORMAL);
  if (w - lx > 0) {
    text_field_draw(win, 2, x + lx, w - lx, &b->search[b->level], true);
  }

  /* Columns: title, id, detail. The title gets what its longest entry needs (within reason),
   * then the detail; the id gives way first. When the detail does not fit either, it shows for
   * the selected row alone, on a line under the list (titles that differ only at their end,
   * like the reservations', must never be cut to look alike). */
  int widest = 0;
  for (size_t i = 0; i < count; i++) {
    int tw = text_width(rows[i].title);
    if (tw > widest) {
      widest = tw;
    }
  }
  int title_need = widest < 24 ? 24 : (widest > 80 ? 80 : widest);
  int id_w = b->level == LEVEL_SKUS ? 6 : 14;
  int detail_w = w - title_need - 1 - id_w - 1;
  if (detail_w < 16) {
    id_w = 0;
    detail_w = w - title_need - 1;
  }
  if (detail_w < 16) {
    detail_w = 0;
  }
  if (detail_w > 48) {
    detail_w = 48;
  }
  int title_w = w - detail_w - id_w - (detail_w ? 1 : 0) - (id_w ? 1 : 0);
  bool info_line = detail_w == 0;

  int top = 3;
  int bottom = height - (info_line ? 3 : 2); /* the footer's row, and the info line's */
  int list_rows = bottom - top;
  b->list_rows = list_rows > 0 ? list_rows : 1;
  ListView *list = &b->list[b->level];
  clamp(list, count);
  if (list->selected >= 0) {
    if (list->selected >= list->top + list_rows) {
      list->top = list->selected - list_rows + 1;
    }
  }
  if (count == 0 && list_rows > 0) {
    char needle[256];
    search_text(b, needle, sizeof needle);
    char text[320];
    static const char *const nouns[LEVEL_COUNT] = {"products", "SKUs", "availabilities"};
    if (loading) {
      snprintf(text, sizeof text, "Loading…");
    } else if (needle[0] != '\0') {
      snprintf(text, sizeof text, "No %s match \"%s\"", nouns[b->level], needle);
    } else {
      snprintf(text, sizeof text, "No %s here", nouns[b->level]);
    }
    draw_text(win, top, x, w, text, loading ? ROLE_WARNING : ROLE_DIM);
  }
  if (info_line && list->selected >= 0) {
    const Row *row = &rows[list->selected];
    char info[320];
    snprintf(info, sizeof info, "%s%s%s", row->id != NULL ? row->id : "",
             row->detail[0] ? " · " : "", row->detail);
    draw_text(win, height - 3, x, w, info, row->kind == ROW_OFFER ? ROLE_WARNING : ROLE_DIM);
  }
  for (int r = 0; r < list_rows && list->top + r < (long)count; r++) {
    long i = list->top + r;
    const Row *row = &rows[i];
    bool selected = i == list->selected;
    ThemeRole role = selected ? ROLE_SELECTED : ROLE_NORMAL;
    ThemeRole dim = selected ? ROLE_SELECTED : ROLE_DIM;
    int y = top + r;
    if (selected) {
      mvwhline(win, y, x, (chtype)' ' | (chtype)theme_attr(ROLE_SELECTED), w);
    }
    /* The marker says "selected" without colour. */
    draw_text(win, y, x - 1, 1, selected ? "›" : " ", role);
    int c = x;
    draw_text(win, y, c, title_w, row->title, role);
    c += title_w + 1;
    if (id_w > 0) {
      draw_text(win, y, c, id_w, row->id, dim);
      c += id_w + 1;
    }
    if (detail_w > 0) {
      draw_text(win, y, c, detail_w, row->detail,
                row->kind == ROW_OFFER && !selected ? ROLE_WARNING : dim);
    } else if (row->kind == ROW_OFFER && title_w > 16) {
      /* Narrow: the legacy mark still shows, at the end of the title. */
      int tw = text_width(row->title);
      if (tw + 15 <= title_w) {
        draw_text(win, y, x + tw + 1, 14, "(legacy offer)", dim);
      }
    }
  }
  free(rows);

  char enter[32], back[32], close[32];
  char footer[200];
  first_key(ui, ACTION_FORM_ENTER, enter, sizeof enter);
  first_key(ui, ACTION_FORM_PREVIOUS_CHOICE, back, sizeof back);
  first_key(ui, ACTION_FORM_ABANDON, close, sizeof close);
  snprintf(footer, sizeof footer, "type to search · %s %s · %s back · %s close", enter,
           b->level == LEVEL_AVAILABILITIES ? "fill in the line" : "open", back, close);
  draw_text(win, height - 2, x, w, footer, ROLE_DIM);
}

static void enter_level(Ui *ui, Browser *b, Level level) {
  b->level = level;
  text_field_set(&b->search[level], "");
  b->list[level] = (ListView){0, 0};
  if (level == LEVEL_SKUS) {
    app_catalog_load_skus(ui->app, b->product_id);
  } else if (level == LEVEL_AVAILABILITIES) {
    app_catalog_load_availabilities(ui->app, b->product_id, b->sku_id);
  }
  ui_submit_jobs(ui);
}

static unsigned open_form(Ui *ui, const char *catalog_item_id) {
  char why[256] = "";
  LineForm *form = line_form_new(ui->app, catalog_item_id, -1, why, sizeof why);
  if (form == NULL) {
    ui_say(ui, APP_MESSAGE_ERROR, why[0] ? why : "This item cannot be added.");
    return UI_HANDLED | UI_REDRAW;
  }
  ui_overlay_close(ui); /* the browser: the form takes its place */
  cart_ui_form_open(ui, form);
  return UI_HANDLED | UI_REDRAW;
}

static unsigned go_deeper(Ui *ui, Browser *b) {
  Row *rows = NULL;
  size_t count = 0;
  bool loading = false;
  if (!build_rows(b, ui->app, &rows, &count, &loading)) {
    ui_say(ui, APP_MESSAGE_ERROR, "Out of memory.");
    return UI_HANDLED;
  }
  ListView *list = &b->list[b->level];
  clamp(list, count);
  if (list->selected < 0) {
    free(rows);
    return UI_HANDLED;
  }
  const Row *row = &rows[list->selected];
  char item[192];
  unsigned result = UI_HANDLED | UI_REDRAW;
  switch (row->kind) {
  case ROW_PRODUCT:
    snprintf(b->product_id, sizeof b->product_id, "%s", row->id);
    snprintf(b->product_title, sizeof b->product_title, "%s", row->title);
    free(rows);
    enter_level(ui, b, LEVEL_SKUS);
    return result;
  case ROW_SKU:
    snprintf(b->sku_id, sizeof b->sku_id, "%s", row->id);
    snprintf(b->sku_title, sizeof b->sku_title, "%s", row->title);
    free(rows);
    enter_level(ui, b, LEVEL_AVAILABILITIES);
    return result;
  case ROW_OFFER:
  case ROW_AVAILABILITY:
    snprintf(item, sizeof item, "%s", row->catalog_item_id);
    free(rows);
    return open_form(ui, item); /* b may be freed from here on */
  }
  free(rows);
  return result;
}

static unsigned go_up(Browser *b) {
  if (b->level == LEVEL_PRODUCTS) {
    return UI_HANDLED;
  }
  b->level = b->level == LEVEL_AVAILABILITIES ? LEVEL_SKUS : LEVEL_PRODUCTS;
  return UI_HANDLED | UI_REDRAW;
}

static long row_count(Ui *ui, Browser *b) {
  Row *rows = NULL;
  size_t count = 0;
  bool loading = false;
  if (!build_rows(b, ui->app, &rows, &count, &loading)) {
    return 0;
  }
  free(rows);
  return (long)count;
}

static unsigned browser_action(Ui *ui, void *data, Action action) {
  Browser *b = data;
  ListView *list = &b->list[b->level];
  int page = b->list_rows > 1 ? b->list_rows : 1;
  switch (action) {
  case ACTION_MOVE_UP:
  case ACTION_FORM_PREVIOUS_FIELD:
    list_view_move(list, -1, row_count(ui, b), page);
    return UI_HANDLED | UI_REDRAW;
  case ACTION_MOVE_DOWN:
  case ACTION_FORM_NEXT_FIELD:
    list_view_move(list, 1, row_count(ui, b), page);
    return UI_HANDLED | UI_REDRAW;
  case ACTION_PAGE_UP:
    list_view_move(list, -page, row_count(ui, b), page);
    return UI_HANDLED | UI_REDRAW;
  case ACTION_PAGE_DOWN:
    list_view_move(list, page, row_count(ui, b), page);
    return UI_HANDLED | UI_REDRAW;
  case ACTION_FIRST:
    list_view_set(list, 0, row_count(ui, b), page);
    return UI_HANDLED | UI_REDRAW;
  case ACTION_LAST:
    list_view_set(list, row_count(ui, b) - 1, row_count(ui, b), page);
    return UI_HANDLED | UI_REDRAW;
  case ACTION_FORM_ENTER:
  case ACTION_FORM_NEXT_CHOICE:
  case ACTION_FORM_SUBMIT:
  case ACTION_EDIT_LINE:
  case ACTION_PICK_CUSTOMER:
    return go_deeper(ui, b);
  case ACTION_FORM_PREVIOUS_CHOICE:
    return go_up(b);
  case ACTION_FORM_ABANDON:
  case ACTION_CANCEL:
    ui_overlay_close(ui);
    return UI_HANDLED | UI_REDRAW;
  default:
    return UI_UNHANDLED;
  }
}

static bool is_backspace(wint_t ch, bool is_key) {
  return is_key ? ch == KEY_BACKSPACE : (ch == 127 || ch == 8);
}

static unsigned browser_text(Ui *ui, void *data, wint_t ch, bool is_key) {
  (void)ui;
  Browser *b = data;
  TextField *search = &b->search[b->level];
  if (is_backspace(ch, is_key) && search->length == 0) {
    return go_up(b);
  }
  if (is_key && ch == KEY_LEFT && search->length == 0) {
    return go_up(b);
  }
  TextField before = *search;
  unsigned used = text_field_key(search, ch, is_key);
  if (used != UI_UNHANDLED) {
    if (search->length != before.length ||
        wmemcmp(search->text, before.text, search->length) != 0) {
      /* The filter changed: the best match is the first row. */
      b->list[b->level] = (ListView){0, 0};
    }
    return used | UI_HANDLED | UI_REDRAW;
  }
  /* Printable keys never act, even the ones the field did not take. */
  return is_key ? UI_UNHANDLED : UI_HANDLED;
}

const OverlayOps cart_ui_browser_ops = {
    .context = ACTION_CTX_FORM,
    .draw = browser_draw,
    .size = browser_size,
    .action = browser_action,
    .text = browser_text,
    .free = free, /* the browser state is one block */
    .repaint_on = APP_CHANGED_CATALOG,
};

bool ui_catalog_browser_open(Ui *ui) {
  if (ui->app->cart.customer_id == NULL) {
    ui_say(ui, APP_MESSAGE_ERROR, "Pick a customer first (Enter on the customer list).");
    return false;
  }
  Browser *b = calloc(1, sizeof *b);
  if (b == NULL) {
    ui_say(ui, APP_MESSAGE_ERROR, "Out of memory.");
    return false;
  }
  for (int i = 0; i < LEVEL_COUNT; i++) {
    text_field_set(&b->search[i], "");
  }
  b->list_rows = 1;
  if (!ui_overlay_open(ui, &cart_ui_browser_ops, b)) {
    free(b);
    ui_say(ui, APP_MESSAGE_ERROR, "The catalog browser could not open.");
    return false;
  }
  /* Products come with the customer; ask again in case that load failed or was cancelled. */
  app_catalog_load_products(ui->app);
  ui_submit_jobs(ui);
  return true;
}
