/* The JSON preview: the exact body the next create or update sends (the app prints it with the
 * model's serializer), or the last server reply; coloured by a tiny tokenizer, scrollable. */
#include <stdlib.h>
#include <string.h>

#include "ui/ui_internal.h"

/* The next token of a JSON line from *p: its length and role. Pretty-printed JSON keeps each
 * string on one line (newlines are escaped), so a line can be coloured on its own. */
static size_t json_token(const char *p, ThemeRole *role) {
  const char *start = p;
  if (*p == '"') {
    p++;
    while (*p && *p != '"') {
      if (*p == '\\' && p[1])
        p++;
      p++;
    }
    if (*p == '"')
      p++;
    /* A string followed by ':' is a key. */
    const char *after = p;
    while (*after == ' ' || *after == '\t')
      after++;
    *role = *after == ':' ? ROLE_JSON_KEY : ROLE_JSON_STRING;
    return (size_t)(p - start);
  }
  if (*p == '-' || (*p >= '0' && *p <= '9')) {
    while (*p == '-' || *p == '+' || *p == '.' || *p == 'e' || *p == 'E' ||
           (*p >= '0' && *p <= '9'))
      p++;
    *role = ROLE_JSON_NUMBER;
    return (size_t)(p - start);
  }
  if (strncmp(p, "true", 4) == 0 || strncmp(p, "null", 4) == 0) {
    *role = ROLE_JSON_NUMBER;
    return 4;
  }
  if (strncmp(p, "false", 5) == 0) {
    *role = ROLE_JSON_NUMBER;
    return 5;
  }
  if (*p == ' ' || *p == '\t') {
    while (*p == ' ' || *p == '\t')
      p++;
    *role = ROLE_NORMAL;
    return (size_t)(p - start);
  }
  if (strchr("{}[],:", *p)) {
    *role = ROLE_JSON_PUNCTUATION;
    return 1;
  }
  /* Not JSON (a reply that is plain text): the rest of the line as it is. */
  *role = ROLE_NORMAL;
  return strlen(p);
}

static void draw_json_line(WINDOW *win, int y, int x, int width, const char *line, size_t len) {
  char token[1024];
  int used = 0;
  size_t i = 0;
  /* Tabs would move the cursor: the serializer indents with tabs, shown as two spaces. */
  while (i < len && used < width) {
    if (line[i] == '\t') {
      used += draw_text(win, y, x + used, width - used, "  ", ROLE_NORMAL);
      i++;
      continue;
    }
    char copy[1024];
    size_t n = len - i < sizeof copy - 1 ? len - i : sizeof copy - 1;
    memcpy(copy, line + i, n);
    copy[n] = '\0';
    ThemeRole role;
    size_t tlen = json_token(copy, &role);
    if (tlen == 0)
      tlen = 1;
    if (tlen >= sizeof token)
      tlen = sizeof token - 1;
    memcpy(token, copy, tlen);
    token[tlen] = '\0';
    char *tab = strchr(token, '\t');
    if (tab && tab != token) {
      *tab = '\0';
      tlen = (size_t)(tab - token);
    }
    int w = draw_text(win, y, x + used, width - used, token, role);
    used += w;
    i += tlen;
    if (w == 0)
      break;
  }
}

/* The text shown, freshly made (caller frees); NULL with *fixed set for placeholders. */
static char *preview_text(const Ui *ui, const char **fixed) {
  *fixed = NULL;
  if (ui->app->show_last_response) {
    if (!ui->app->cart.last_response || !*ui->app->cart.last_response) {
      *fixed = "No response yet: save, reload or check out first.";
      return NULL;
    }
    char *copy = strdup(ui->app->cart.last_response);
    if (!copy)
      *fixed = "Out of memory.";
    return copy;
  }
  char *body = app_cart_request_body(ui->app);
  if (!body)
    *fixed = "Out of memory.";
  return body;
}

static long count_lines(const char *text) {
  long n = 1;
  for (const char *p = text; *p; p++)
    if (*p == '\n' && p[1])
      n++;
  return n;
}

static int body_rows(const Pane *pane) {
  int rows = pane->height - 2;
  return rows > 1 ? rows : 1;
}

/* Keeps the first row shown within the text (list.selected holds its line count). */
static void clamp_top(Pane *pane) {
  if (pane->list.top > pane->list.selected - body_rows(pane))
    pane->list.top = pane->list.selected - body_rows(pane);
  if (pane->list.top < 0)
    pane->list.top = 0;
}

static void preview_draw(Ui *ui, Pane *pane) {
  WINDOW *win = pane->win;
  const char *title = ui->app->show_last_response ? "Last server response (P: request body)"
                                                  : "Request body: what save sends (P: response)";
  draw_frame(win, title, ui->focus == pane->id);
  int inner = pane->width - 2, rows = body_rows(pane);
  if (inner < 2 || pane->height < 3)
    return;
  const char *fixed;
  char *text = preview_text(ui, &fixed);
  if (!text) {
    draw_text(win, 1, 1, inner, fixed, ROLE_DIM);
    return;
  }
  long total = count_lines(text);
  pane->list.selected = total; /* remembered for the scroll keys */
  clamp_top(pane);
  const char *line = text;
  for (long i = 0; i < pane->list.top && line; i++) {
    line = strchr(line, '\n');
    if (line)
      line++;
  }
  for (int r = 0; r < rows && line && *line; r++) {
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    if (len && line[len - 1] == '\r')
      len--;
    draw_json_line(win, 1 + r, 1, inner, line, len);
    line = end ? end + 1 : NULL;
  }
  if (total > rows) {
    char where[72]; /* three longs and the punctuation, whatever their size */
    snprintf(where, sizeof where, " %ld-%ld/%ld ", pane->list.top + 1,
             pane->list.top + rows < total ? pane->list.top + rows : total, total);
    int w = text_width(where);
    if (w + 2 < pane->width)
      draw_text(win, pane->height - 1, pane->width - w - 2, w, where, ROLE_DIM);
  }
  free(text);
}

static unsigned preview_action(Ui *ui, Pane *pane, Action action) {
  (void)ui;
  long page = body_rows(pane) > 1 ? body_rows(pane) - 1 : 1;
  switch (action) {
  case ACTION_MOVE_UP:
    pane->list.top--;
    break;
  case ACTION_MOVE_DOWN:
    pane->list.top++;
    break;
  case ACTION_PAGE_UP:
    pane->list.top -= page;
    break;
  case ACTION_PAGE_DOWN:
    pane->list.top += page;
    break;
  case ACTION_FIRST:
    pane->list.top = 0;
    break;
  case ACTION_LAST:
    pane->list.top = pane->list.selected;
    break;
  default:
    return UI_UNHANDLED;
  }
  clamp_top(pane);
  return UI_HANDLED | UI_REDRAW;
}

static unsigned preview_click(Ui *ui, Pane *pane, int y, int x, int wheel) {
  (void)y;
  (void)x;
  if (!wheel)
    return UI_HANDLED;
  pane->list.top += wheel;
  clamp_top(pane);
  (void)ui;
  return UI_HANDLED | UI_REDRAW;
}

const PaneOps pane_preview_ops = {
    .title = "Preview",
    .context = ACTION_CTX_GLOBAL,
    .repaint_on = APP_CHANGED_PREVIEW | APP_CHANGED_CART,
    .draw = preview_draw,
    .action = preview_action,
    .text = NULL,
    .click = preview_click,
};
