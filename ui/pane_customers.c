/* The customers pane: the loaded customers filtered as you type (the app filters; a server
 * search follows when the loaded ones cannot hold every match), more pages as the selection
 * nears the end, Enter picks (also straight from the filter: one Enter; Esc leaves the filter
 * without picking). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ui_internal.h"

typedef struct CustomersView {
  TextField filter;
  bool filtering; /* typed keys go into the filter */
} CustomersView;

enum { HEAD_ROWS = 3 }; /* frame, filter line, column headers */

static CustomersView *view_of(Pane *pane) {
  if (!pane->data)
    pane->data = calloc(1, sizeof(CustomersView));
  return pane->data;
}

static int list_rows(const Pane *pane) {
  int rows = pane->height - HEAD_ROWS - 1;
  return rows > 1 ? rows : 1;
}

typedef struct Columns {
  int company, domain, id; /* widths; 0 leaves the column out */
} Columns;

/* Columns that fit: the id (a GUID) only when there is room for it whole. */
static Columns columns_for(int inner) {
  Columns c = {0, 0, 0};
  int rest = inner - 2; /* the selection marker */
  if (rest >= 36 + 2 + 40) {
    c.id = 36;
    rest -= 36 + 1;
  }
  c.company = rest * 11 / 20;
  c.domain = rest - c.company - 1;
  if (c.domain < 8) {
    c.company = rest;
    c.domain = 0;
  }
  return c;
}

static void fill_row(WINDOW *win, int y, int x, int width, ThemeRole role) {
  if (width > 0)
    mvwhline(win, y, x, (chtype)' ' | (chtype)theme_attr(role), width);
}

static void customers_draw(Ui *ui, Pane *pane) {
  CustomersView *view = view_of(pane);
  const CustomerList *list = &ui->app->customers;
  WINDOW *win = pane->win;
  bool focused = ui->focus == pane->id && ui->overlay_count == 0;
  char title[96];
  if (list->filter[0])
    snprintf(title, sizeof title, "Customers %zu of %zu%s", list->visible_count, list->count,
             list->continuation ? "+" : "");
  else
    snprintf(title, sizeof title, "Customers %zu%s", list->count, list->continuation ? "+" : "");
  draw_frame(win, title, ui->focus == pane->id);
  int inner = pane->width - 2;
  if (inner < 4 || pane->height < HEAD_ROWS + 2)
    return;
  /* The filter line. */
  if (view && view->filtering && focused) {
    int x = 1 + draw_text(win, 1, 1, inner, "/ ", ROLE_HINT_KEY);
    text_field_draw(win, 1, x, inner - (x - 1), &view->filter, true);
  } else if (list->filter[0]) {
    char text[200];
    snprintf(text, sizeof text, "filter: %s", list->filter);
    int x = 1 + draw_text(win, 1, 1, inner, text, ROLE_NORMAL);
    if (x - 1 < inner)
      draw_text(win, 1, x, inner - (x - 1), "  (/ edits)", ROLE_DIM);
  } else {
    draw_text(win, 1, 1, inner, "/ filters", ROLE_DIM);
  }
  Columns c = columns_for(inner);
  int x = 3;
  x += draw_text(win, 2, x, c.company, "Company", ROLE_HEADER);
  x = 3 + c.company + 1;
  if (c.domain)
    draw_text(win, 2, x, c.domain, "Domain", ROLE_HEADER);
  if (c.id)
    draw_text(win, 2, 3 + c.company + 1 + c.domain + 1, c.id, "Id", ROLE_HEADER);
  int rows = list_rows(pane);
  long count = (long)list->visible_count;
  if (count == 0) {
    char text[200];
    if (list->job_id)
      snprintf(text, sizeof text, "Loading…");
    else if (list->filter[0])
      snprintf(text, sizeof text, "No customers match \"%s\"", list->filter);
    else
      snprintf(text, sizeof text, "No customers");
    draw_text(win, HEAD_ROWS, 3, inner - 2, text, list->job_id ? ROLE_DIM : ROLE_WARNING);
    return;
  }
  /* The app owns the selection; the view keeps it in sight. */
  list_view_set(&pane->list, (long)list->selected, count, rows);
  for (int r = 0; r < rows && pane->list.top + r < count; r++) {
    long index = pane->list.top + r;
    const CustomerSummary *customer = app_customer_visible(ui->app, (size_t)index);
    if (!customer)
      break;
    int y = HEAD_ROWS + r;
    bool selected = index == pane->list.selected;
    ThemeRole role = ROLE_NORMAL, dim = ROLE_DIM;
    if (selected) {
      role = dim = focused ? ROLE_SELECTED : ROLE_SELECTED_UNFOCUSED;
      fill_row(win, y, 1, inner, role);
      draw_text(win, y, 1, 2, ">", role);
    }
    draw_text(win, y, 3, c.company, customer->company_name ? customer->company_name : "", role);
    if (c.domain)
      draw_text(win, y, 3 + c.company + 1, c.domain, customer->domain ? customer->domain : "", dim);
    if (c.id)
      draw_text(win, y, 3 + c.company + 1 + c.domain + 1, c.id, customer->id ? customer->id : "",
                dim);
  }
  if (list->job_id && count - pane->list.top < rows)
    draw_text(win, HEAD_ROWS + (int)(count - pane->list.top), 3, inner - 2, "Loading more…",
              ROLE_DIM);
}

/* Near the end of what is loaded: ask for the next page (the app knows if there is one). */
static void maybe_load_more(Ui *ui, const Pane *pane) {
  const CustomerList *list = &ui->app->customers;
  if (list->continuation && !list->job_id &&
      list->selected + (size_t)list_rows(pane) >= list->visible_count)
    app_customers_load_more(ui->app);
}

static void customers_move_to(Ui *ui, Pane *pane, long selected) {
  long count = (long)ui->app->customers.visible_count;
  if (count == 0)
    return;
  if (selected < 0)
    selected = 0;
  if (selected >= count)
    selected = count - 1;
  app_customers_select(ui->app, (size_t)selected);
  list_view_set(&pane->list, (long)ui->app->customers.selected, count, list_rows(pane));
  maybe_load_more(ui, pane);
}

static void pick_now(Ui *ui) {
  char why[512] = "";
  if (!app_customer_pick(ui->app, why, sizeof why)) {
    ui_say(ui, APP_MESSAGE_ERROR, why[0] ? why : "No customer is selected.");
    return;
  }
  ui_submit_jobs(ui);
  ui_focus_pane(ui, PANE_CART);
}

static void pick_answered(Ui *ui, bool yes, void *data) {
  (void)data;
  if (yes)
    pick_now(ui);
}

static unsigned customers_action(Ui *ui, Pane *pane, Action action) {
  CustomersView *view = view_of(pane);
  const CustomerList *list = &ui->app->customers;
  long selected = (long)list->selected;
  int rows = list_rows(pane);
  switch (action) {
  case ACTION_MOVE_UP:
    customers_move_to(ui, pane, selected - 1);
    break;
  case ACTION_MOVE_DOWN:
    customers_move_to(ui, pane, selected + 1);
    break;
  case ACTION_PAGE_UP:
    customers_move_to(ui, pane, selected - (rows > 1 ? rows - 1 : 1));
    break;
  case ACTION_PAGE_DOWN:
    customers_move_to(ui, pane, selected + (rows > 1 ? rows - 1 : 1));
    break;
  case ACTION_FIRST:
    customers_move_to(ui, pane, 0);
    break;
  case ACTION_LAST:
    customers_move_to(ui, pane, (long)list->visible_count - 1);
    break;
  case ACTION_FILTER:
    if (!view)
      return UI_HANDLED;
    view->filtering = true;
    text_field_set(&view->filter, list->filter);
    break;
  case ACTION_PICK_CUSTOMER: {
    const CustomerSummary *customer = app_customer_visible(ui->app, list->selected);
    if (!customer) {
      ui_say(ui, APP_MESSAGE_WARNING,
             list->job_id ? "The customers are still loading." : "No customer is selected.");
      return UI_HANDLED;
    }
    if (ui->app->cart.dirty) {
      char body[700];
      snprintf(body, sizeof body,
               "The cart has unsaved changes. Start a new cart for %s (the changes are lost)?",
               customer->company_name ? customer->company_name : customer->id);
      ui_confirm(ui, "Pick another customer?", body, false, pick_answered, NULL);
      return UI_HANDLED;
    }
    pick_now(ui);
    return UI_HANDLED | UI_REDRAW;
  }
  default:
    return UI_UNHANDLED;
  }
  return UI_HANDLED | UI_REDRAW;
}

static unsigned customers_text(Ui *ui, Pane *pane, wint_t ch, bool is_key) {
  CustomersView *view = view_of(pane);
  if (!view || !view->filtering)
    return UI_UNHANDLED;
  if (!is_key && ch == 27) {
    view->filtering = false; /* the filter stays applied; nothing is picked */
    return UI_HANDLED | UI_REDRAW;
  }
  if (!is_key && (ch == L'\n' || ch == L'\r')) {
    /* One Enter picks: the sales person types "cont" and Enter. With nothing to pick the
     * typing goes on (the warning says why). */
    if (app_customer_visible(ui->app, ui->app->customers.selected))
      view->filtering = false;
    return customers_action(ui, pane, ACTION_PICK_CUSTOMER) | UI_REDRAW;
  }
  if (!is_key && ch == L'\t') {
    view->filtering = false;
    pane->dirty = true;
    return UI_UNHANDLED; /* and Tab moves the focus */
  }
  unsigned r = text_field_key(&view->filter, ch, is_key);
  if (r & UI_REDRAW) {
    char text[sizeof ui->app->customers.filter];
    text_field_utf8(&view->filter, text, sizeof text);
    if (strcmp(text, ui->app->customers.filter) != 0) {
      app_customers_set_filter(ui->app, text);
      pane->list.top = 0;
    }
  }
  return r;
}

static unsigned customers_click(Ui *ui, Pane *pane, int y, int x, int wheel) {
  (void)x;
  if (wheel) {
    customers_move_to(ui, pane, (long)ui->app->customers.selected + wheel);
    return UI_HANDLED | UI_REDRAW;
  }
  if (y == 1)
    return customers_action(ui, pane, ACTION_FILTER);
  if (y >= HEAD_ROWS && y < HEAD_ROWS + list_rows(pane)) {
    customers_move_to(ui, pane, pane->list.top + (y - HEAD_ROWS));
    return UI_HANDLED | UI_REDRAW;
  }
  return UI_HANDLED;
}

const PaneOps pane_customers_ops = {
    .title = "Customers",
    .context = ACTION_CTX_CUSTOMERS,
    .repaint_on = APP_CHANGED_CUSTOMERS,
    .draw = customers_draw,
    .action = customers_action,
    .text = customers_text,
    .click = customers_click,
};
