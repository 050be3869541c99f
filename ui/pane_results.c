/* The checkout results: one block per order (order group): id, status, billing cycle and its
 * lines with their subscription ids; then the order errors per group. Scrollable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ui_internal.h"

typedef struct ResultLine {
  char text[400];
  ThemeRole role;
} ResultLine;

/* The rows of the result (caller frees); *count set. NULL with count 0 when there is none. */
static ResultLine *result_lines(const CartCheckoutResult *result, size_t *count) {
  *count = 0;
  if (!result)
    return NULL;
  size_t total = 2 + result->order_error_count * 2;
  for (size_t i = 0; i < result->order_count; i++)
    total += 3 + result->orders[i].line_item_count;
  ResultLine *lines = calloc(total, sizeof *lines);
  if (!lines)
    return NULL;
  size_t n = 0;
  snprintf(lines[n].text, sizeof lines[n].text, "%zu order%s placed, %zu order group%s failed",
           result->order_count, result->order_count == 1 ? "" : "s", result->order_error_count,
           result->order_error_count == 1 ? "" : "s");
  lines[n++].role = result->order_error_count ? ROLE_WARNING : ROLE_SUCCESS;
  for (size_t i = 0; i < result->order_count; i++) {
    const Order *order = &result->orders[i];
    const char *cycle = billing_cycle_wire(order->billing_cycle);
    /* The id on its own row: ids are long and the status must not be cut off. */
    snprintf(lines[n].text, sizeof lines[n].text, "OK  order %s",
             order->id ? order->id : "(no id)");
    lines[n++].role = ROLE_SUCCESS;
    snprintf(lines[n].text, sizeof lines[n].text, "    status %s, billing %s",
             order->status ? order->status : "(none)", cycle && *cycle ? cycle : "(none)");
    lines[n++].role = ROLE_NORMAL;
    for (size_t k = 0; k < order->line_item_count; k++) {
      const OrderLineItem *line = &order->line_items[k];
      char number[32] = "?";
      if (line->line_item_number.set)
        snprintf(number, sizeof number, "%ld", line->line_item_number.value);
      char quantity[32] = "?";
      if (line->quantity.set)
        snprintf(quantity, sizeof quantity, "%ld", line->quantity.value);
      snprintf(lines[n].text, sizeof lines[n].text, "    line %s: %s x %s, subscription %s", number,
               line->offer_id ? line->offer_id : "(no offer id)", quantity,
               line->subscription_id ? line->subscription_id : "(pending)");
      lines[n++].role = ROLE_NORMAL;
    }
  }
  for (size_t i = 0; i < result->order_error_count; i++) {
    const OrderError *error = &result->order_errors[i];
    snprintf(lines[n].text, sizeof lines[n].text, "FAILED  order group %s  error %ld",
             error->order_group_id ? error->order_group_id : "(none)", error->code);
    lines[n++].role = ROLE_ERROR;
    snprintf(lines[n].text, sizeof lines[n].text, "    %s",
             error->description ? error->description : "(no description)");
    lines[n++].role = ROLE_ERROR;
  }
  *count = n;
  return lines;
}

static int body_rows(const Pane *pane) {
  int rows = pane->height - 2;
  return rows > 1 ? rows : 1;
}

static void results_draw(Ui *ui, Pane *pane) {
  WINDOW *win = pane->win;
  draw_frame(win, "Checkout result", ui->focus == pane->id);
  int inner = pane->width - 2, rows = body_rows(pane);
  if (inner < 2 || pane->height < 3)
    return;
  size_t count;
  ResultLine *lines = result_lines(ui->app->cart.checkout, &count);
  pane->list.selected = (long)count; /* remembered for the scroll keys */
  if (!lines) {
    draw_text(win, 1, 1, inner, ui->app->cart.checkout ? "Out of memory." : "No checkout yet.",
              ROLE_DIM);
    return;
  }
  if (pane->list.top > (long)count - rows)
    pane->list.top = (long)count - rows;
  if (pane->list.top < 0)
    pane->list.top = 0;
  for (int r = 0; r < rows && pane->list.top + r < (long)count; r++) {
    const ResultLine *line = &lines[pane->list.top + r];
    draw_text(win, 1 + r, 1, inner, line->text, line->role);
  }
  free(lines);
}

static void scroll_by(Pane *pane, long delta) {
  pane->list.top += delta;
  if (pane->list.top > pane->list.selected - body_rows(pane))
    pane->list.top = pane->list.selected - body_rows(pane);
  if (pane->list.top < 0)
    pane->list.top = 0;
}

static unsigned results_action(Ui *ui, Pane *pane, Action action) {
  (void)ui;
  long page = body_rows(pane) > 1 ? body_rows(pane) - 1 : 1;
  switch (action) {
  case ACTION_MOVE_UP:
    scroll_by(pane, -1);
    break;
  case ACTION_MOVE_DOWN:
    scroll_by(pane, 1);
    break;
  case ACTION_PAGE_UP:
    scroll_by(pane, -page);
    break;
  case ACTION_PAGE_DOWN:
    scroll_by(pane, page);
    break;
  case ACTION_FIRST:
    pane->list.top = 0;
    break;
  case ACTION_LAST:
    scroll_by(pane, pane->list.selected);
    break;
  default:
    return UI_UNHANDLED;
  }
  return UI_HANDLED | UI_REDRAW;
}

static unsigned results_click(Ui *ui, Pane *pane, int y, int x, int wheel) {
  (void)ui;
  (void)y;
  (void)x;
  if (wheel)
    scroll_by(pane, wheel);
  return UI_HANDLED | UI_REDRAW;
}

const PaneOps pane_results_ops = {
    .title = "Checkout result",
    .context = ACTION_CTX_GLOBAL,
    .repaint_on = APP_CHANGED_RESULTS,
    .draw = results_draw,
    .action = results_action,
    .text = NULL,
    .click = results_click,
};
