/* `o`: the customer's recent carts as a pick-list (the state store remembers each cart seen),
 * and a last row to type any other cart's id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui/ui_internal.h"

#define RECENT_CARTS_SHOWN 20

typedef struct RecentPick {
  RecentCartList carts;
  ListView list;
  int rows;
} RecentPick;

/* The rows: each cart, then "type an id". */
static long row_count(const RecentPick *p) {
  return (long)p->carts.count + 1;
}

static void recent_free(void *data) {
  RecentPick *p = data;
  if (p) {
    recent_cart_list_clear(&p->carts);
    free(p);
  }
}

static void row_text(const RecentPick *p, long i, char *out, size_t size) {
  if (i >= (long)p->carts.count) {
    snprintf(out, size, "Another cart: type its id…");
    return;
  }
  const RecentCart *c = &p->carts.items[i];
  char when[32] = "";
  time_t seconds = (time_t)(c->seen_ms / 1000);
  struct tm tm;
  if (localtime_r(&seconds, &tm))
    strftime(when, sizeof when, "%d %b %H:%M", &tm);
  snprintf(out, size, "%s  %-8.20s %3ld line%s  %s", c->cart_id, c->status ? c->status : "-",
           c->line_count, c->line_count == 1 ? " " : "s", when);
}

static void recent_size(Ui *ui, void *data, int screen_rows, int screen_cols, int *rows,
                        int *cols) {
  (void)ui;
  RecentPick *p = data;
  int widest = 40;
  for (long i = 0; i < row_count(p); i++) {
    char text[256];
    row_text(p, i, text, sizeof text);
    if (text_width(text) > widest)
      widest = text_width(text);
  }
  *cols = widest + 6 < screen_cols - 4 ? widest + 6 : screen_cols - 4;
  *rows = (int)row_count(p) + 3 < screen_rows - 4 ? (int)row_count(p) + 3 : screen_rows - 4;
  if (*rows < 4)
    *rows = 4;
}

static void recent_draw(Ui *ui, void *data, WINDOW *win) {
  (void)ui;
  RecentPick *p = data;
  int height, width;
  getmaxyx(win, height, width);
  wbkgdset(win, (chtype)' ' | (chtype)theme_attr(ROLE_DIALOG));
  werase(win);
  draw_frame(win, "Open a cart of this customer", true);
  p->rows = height - 3 > 0 ? height - 3 : 1;
  list_view_move(&p->list, 0, row_count(p), p->rows);
  for (int r = 0; r < p->rows && p->list.top + r < row_count(p); r++) {
    long i = p->list.top + r;
    bool selected = i == p->list.selected;
    ThemeRole role = selected ? ROLE_SELECTED : (i < (long)p->carts.count ? ROLE_DIALOG : ROLE_DIM);
    if (selected)
      mvwhline(win, 1 + r, 1, (chtype)' ' | (chtype)theme_attr(ROLE_SELECTED), width - 2);
    char text[256];
    row_text(p, i, text, sizeof text);
    draw_text(win, 1 + r, 1, 1, selected ? "›" : " ", role);
    draw_text(win, 1 + r, 3, width - 4, text, role);
  }
  draw_text(win, height - 2, 1, width - 2, "Enter opens · Esc closes", ROLE_DIM);
}

static unsigned recent_choose(Ui *ui, RecentPick *p) {
  long selected = p->list.selected;
  char id[64] = "";
  if (selected >= 0 && selected < (long)p->carts.count)
    snprintf(id, sizeof id, "%s", p->carts.items[selected].cart_id);
  ui_overlay_close(ui); /* frees p */
  if (id[0])
    ui_open_cart_id(ui, id);
  else
    ui_open_cart_prompt(ui);
  return UI_HANDLED | UI_REDRAW;
}

static unsigned recent_action(Ui *ui, void *data, Action action) {
  RecentPick *p = data;
  if (list_view_action(&p->list, action, row_count(p), p->rows))
    return UI_HANDLED | UI_REDRAW;
  switch (action) {
  case ACTION_FORM_ENTER:
  case ACTION_FORM_SUBMIT:
  case ACTION_FORM_PICK:
    return recent_choose(ui, p);
  case ACTION_FORM_ABANDON:
  case ACTION_CANCEL:
    ui_overlay_close(ui);
    return UI_HANDLED | UI_REDRAW;
  default:
    return UI_UNHANDLED;
  }
}

/* Typing a character means typing an id: the prompt opens with it. */
static unsigned recent_text(Ui *ui, void *data, wint_t ch, bool is_key) {
  RecentPick *p = data;
  /* The form context leaves Home and End to text fields; here they move the cursor. */
  if (is_key && (ch == KEY_HOME || ch == KEY_END)) {
    list_view_set(&p->list, ch == KEY_HOME ? 0 : row_count(p) - 1, row_count(p), p->rows);
    return UI_HANDLED | UI_REDRAW;
  }
  if (is_key || ch < 0x21 || ch > 0x7e)
    return UI_HANDLED;
  char first[2] = {(char)ch, '\0'};
  ui_overlay_close(ui);
  ui_open_cart_prompt_with(ui, first);
  return UI_HANDLED | UI_REDRAW;
}

static const OverlayOps recent_ops = {
    .context = ACTION_CTX_FORM,
    .draw = recent_draw,
    .size = recent_size,
    .action = recent_action,
    .text = recent_text,
    .free = recent_free,
    .repaint_on = 0,
};

bool ui_recent_carts_open(Ui *ui, RecentCartList *carts) {
  RecentPick *p = calloc(1, sizeof *p);
  if (!p)
    return false;
  p->carts = *carts;
  memset(carts, 0, sizeof *carts);
  p->rows = 1;
  p->list.selected = 0;
  if (!ui_overlay_open(ui, &recent_ops, p)) {
    *carts = p->carts;
    free(p);
    return false;
  }
  return true;
}
