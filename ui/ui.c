/* The TUI shell: terminal set-up, the one poll() loop (keys, the worker's wake fd, a SIGWINCH
 * self-pipe), layout, focus, the overlay stack, the status and key-hint bars, toasts, help,
 * confirm and prompt dialogs, mouse, and the test hook. Only the panes that changed are
 * repainted and the screen is updated once per batch of events (wnoutrefresh + doupdate), so a
 * list move writes a few rows, not the screen. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "app/autosave.h"
#include "ui/cart_ui.h"
#include "ui/ui_internal.h"

extern const PaneOps pane_customers_ops;
extern const PaneOps pane_cart_ops;
extern const PaneOps pane_preview_ops;
extern const PaneOps pane_results_ops;

enum {
  MIN_ROWS = 16,
  MIN_COLS = 60,
  MAX_TOASTS = 3,
  TOAST_KEYS = 6,   /* a toast goes after this many further keys... */
  TOAST_MS = 5000,  /* ...or this long (errors twice as long) */
  SPINNER_MS = 120, /* the spinner's step while the worker is busy */
  MAX_OVERLAYS = (int)(sizeof(((Ui *)0)->overlays) / sizeof(((Ui *)0)->overlays[0])),
};

typedef struct Toast {
  AppMessageLevel level;
  char text[700];
  int keys_left;
  long long deadline_ms; /* 0: none (test hooks: keys only, never time) */
} Toast;

/* The Ui and what only this file needs (the Ui comes first: a Ui* is a UiShell*). */
typedef struct UiShell {
  Ui ui;
  int winch_pipe[2];
  bool relayout;
  bool resized; /* the terminal's size changed: its contents are unknown */
  bool hint_dirty;
  bool overlay_dirty[MAX_OVERLAYS];
  Toast toasts[MAX_TOASTS];
  int toast_count;
  WINDOW *toast_win;
  bool quit;
  bool results_shown;
  long long spinner_ms; /* when the spinner last moved */
  /* The expiry countdown's minute last painted (cart_ui_expiry_next_ms says when it changes):
   * the status bar and the cart header are repainted then, whatever else happens. */
  long long expiry_shown;
  /* The autosave: the draft's generation last handed over, and when the next snapshot is due
   * (0: none); NULL when the state store is not available. */
  Autosaver *autosaver;
  /* A worker of its own for the check of what earlier runs left unsettled, so that a slow
   * service does not hold up the customer list; NULL when there is no journal. */
  Worker *reconciler;
  unsigned long autosave_generation;
  long long autosave_due_ms;
  long autosave_delay_ms; /* AUTOSAVE_DELAY_MS; 0 under the test hooks (PCCART_AUTOSAVE_DELAY_MS) */
  int exit_status;
} UiShell;

/* A change is autosaved this long after it was made (several keys in a row make one write). */
#define AUTOSAVE_DELAY_MS 300

static UiShell *shell_of(Ui *ui) {
  return (UiShell *)ui;
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ----- messages and toasts ----- */

static void toast_push(UiShell *s, const AppMessage *message) {
  if (s->toast_count == MAX_TOASTS) {
    memmove(&s->toasts[0], &s->toasts[1], (MAX_TOASTS - 1) * sizeof s->toasts[0]);
    s->toast_count--;
  }
  Toast *t = &s->toasts[s->toast_count++];
  t->level = message->level;
  size_t used = (size_t)snprintf(t->text, sizeof t->text, "%s", message->text);
  if (message->code && used < sizeof t->text)
    used += (size_t)snprintf(t->text + used, sizeof t->text - used, " [Partner Center code %ld]",
                             message->code);
  if (message->request_id[0] && used < sizeof t->text)
    snprintf(t->text + used, sizeof t->text - used, " (request id %s)", message->request_id);
  t->keys_left = message->level == APP_MESSAGE_ERROR ? TOAST_KEYS * 2 : TOAST_KEYS;
  t->deadline_ms = s->ui.context->test_hooks
                       ? 0
                       : now_ms() + (message->level == APP_MESSAGE_ERROR ? TOAST_MS * 2 : TOAST_MS);
}

static void toast_remove(UiShell *s, int index) {
  memmove(&s->toasts[index], &s->toasts[index + 1],
          (size_t)(s->toast_count - index - 1) * sizeof s->toasts[0]);
  s->toast_count--;
}

/* A key was typed: toasts count down. */
static void toasts_on_input(UiShell *s) {
  for (int i = s->toast_count - 1; i >= 0; i--)
    if (--s->toasts[i].keys_left <= 0)
      toast_remove(s, i);
}

static void toasts_on_time(UiShell *s) {
  long long now = now_ms();
  for (int i = s->toast_count - 1; i >= 0; i--)
    if (s->toasts[i].deadline_ms && s->toasts[i].deadline_ms <= now)
      toast_remove(s, i);
}

static void ui_take_messages(UiShell *s) {
  AppMessage message;
  while (app_take_message(s->ui.app, &message))
    toast_push(s, &message);
}

void ui_say(Ui *ui, AppMessageLevel level, const char *text) {
  app_message(ui->app, level, "%s", text);
  ui_take_messages(shell_of(ui));
}

/* ----- dirty marking, jobs ----- */

void ui_mark_dirty(Ui *ui, unsigned changes) {
  UiShell *s = shell_of(ui);
  for (int i = 0; i < PANE_COUNT; i++)
    if (ui->panes[i].ops && (ui->panes[i].ops->repaint_on & changes))
      ui->panes[i].dirty = true;
  for (int i = 0; i < ui->overlay_count; i++)
    if (ui->overlays[i].ops->repaint_on & changes)
      s->overlay_dirty[i] = true;
  /* The results pane appears with the first checkout result. */
  if ((changes & APP_CHANGED_RESULTS) && (ui->app->cart.checkout != NULL) != s->results_shown)
    s->relayout = true;
}

void ui_submit_jobs(Ui *ui) {
  Job *job;
  while ((job = app_next_job(ui->app)) != NULL) {
    char why[256] = "";
    long id = ui->worker ? worker_submit(ui->worker, job, why, sizeof why) : 0;
    if (!ui->worker) {
      job_free(job);
      snprintf(why, sizeof why, "No connection to Partner Center.");
    }
    app_job_submitted(ui->app, id, why);
  }
}

/* After anything that may have changed the app's state: jobs out, changes in, toasts. */
static void ui_after_transition(UiShell *s) {
  ui_submit_jobs(&s->ui);
  ui_mark_dirty(&s->ui, app_take_changes(s->ui.app));
  ui_take_messages(s);
}

static void ui_mark_all(UiShell *s) {
  for (int i = 0; i < PANE_COUNT; i++)
    s->ui.panes[i].dirty = true;
  for (int i = 0; i < s->ui.overlay_count; i++)
    s->overlay_dirty[i] = true;
  s->hint_dirty = true;
}

/* ----- layout ----- */

static void pane_place(Pane *pane, int y, int x, int height, int width) {
  pane->visible = true;
  pane->y = y;
  pane->x = x;
  pane->height = height;
  pane->width = width;
  pane->win = newwin(height, width, y, x);
  pane->dirty = true;
}

static void overlay_place(UiShell *s, int index) {
  Ui *ui = &s->ui;
  int rows = ui->rows - 2, cols = ui->cols - 2;
  int want_rows = rows, want_cols = cols;
  if (ui->overlays[index].ops->size)
    ui->overlays[index].ops->size(ui, ui->overlays[index].data, ui->rows, ui->cols, &want_rows,
                                  &want_cols);
  if (want_rows > rows)
    want_rows = rows;
  if (want_cols > cols)
    want_cols = cols;
  if (want_rows < 3)
    want_rows = 3;
  if (want_cols < 10)
    want_cols = 10;
  int y = (ui->rows - want_rows) / 2, x = (ui->cols - want_cols) / 2;
  WINDOW *win = ui->overlays[index].win;
  if (win) {
    int r, c, oy, ox;
    getmaxyx(win, r, c);
    getbegyx(win, oy, ox);
    if (r == want_rows && c == want_cols && oy == y && ox == x)
      return;
    delwin(win);
  }
  ui->overlays[index].win = newwin(want_rows, want_cols, y, x);
  s->overlay_dirty[index] = true;
}

static void ui_free_windows(UiShell *s) {
  Ui *ui = &s->ui;
  for (int i = 0; i < PANE_COUNT; i++) {
    if (ui->panes[i].win)
      delwin(ui->panes[i].win);
    ui->panes[i].win = NULL;
    ui->panes[i].visible = false;
  }
  for (int i = 0; i < ui->overlay_count; i++) {
    if (ui->overlays[i].win)
      delwin(ui->overlays[i].win);
    ui->overlays[i].win = NULL;
  }
  if (ui->status_win)
    delwin(ui->status_win);
  if (ui->hint_win)
    delwin(ui->hint_win);
  if (s->toast_win)
    delwin(s->toast_win);
  ui->status_win = ui->hint_win = s->toast_win = NULL;
}

static void ui_layout(UiShell *s) {
  Ui *ui = &s->ui;
  ui_free_windows(s);
  ui->rows = LINES;
  ui->cols = COLS;
  ui->too_small = ui->rows < MIN_ROWS || ui->cols < MIN_COLS;
  s->relayout = false;
  werase(stdscr);
  s->results_shown = ui->app->cart.checkout != NULL;
  if (ui->too_small)
    return;
  ui->status_win = newwin(1, ui->cols, 0, 0);
  ui->hint_win = newwin(1, ui->cols, ui->rows - 1, 0);
  int top = 1, height = ui->rows - 2;
  int left = ui->cols * 2 / 5;
  if (left < 30)
    left = 30;
  if (left > 72)
    left = 72;
  int right_x = left, right_w = ui->cols - left;
  pane_place(&ui->panes[PANE_CUSTOMERS], top, 0, height, left);
  bool preview = ui->preview_visible, results = s->results_shown;
  int cart_w = right_w;
  if (preview && ui->cols >= 140) {
    /* Wide: the preview beside the cart, full height. */
    cart_w = right_w * 11 / 20;
    pane_place(&ui->panes[PANE_PREVIEW], top, right_x + cart_w, height, right_w - cart_w);
    preview = false;
  }
  int parts = 1 + (preview ? 1 : 0) + (results ? 1 : 0);
  int cart_h = parts == 1 ? height : height / 2;
  if (parts == 3)
    cart_h = height * 2 / 5;
  int rest = height - cart_h;
  pane_place(&ui->panes[PANE_CART], top, right_x, cart_h, cart_w);
  int y = top + cart_h;
  if (preview && results) {
    int ph = rest / 2;
    pane_place(&ui->panes[PANE_PREVIEW], y, right_x, ph, cart_w);
    pane_place(&ui->panes[PANE_RESULTS], y + ph, right_x, rest - ph, cart_w);
  } else if (preview) {
    pane_place(&ui->panes[PANE_PREVIEW], y, right_x, rest, cart_w);
  } else if (results) {
    pane_place(&ui->panes[PANE_RESULTS], y, right_x, rest, cart_w);
  }
  if (!ui->panes[ui->focus].visible)
    ui->focus = PANE_CART;
  for (int i = 0; i < ui->overlay_count; i++)
    overlay_place(s, i);
  ui_mark_all(s);
}

/* ----- the status bar ----- */

static int status_put(WINDOW *win, int x, int cols, const char *text, ThemeRole role) {
  if (x >= cols)
    return x;
  return x + draw_text(win, 0, x, cols - x, text, role);
}

static void format_expiry(const AppState *app, char *buf, size_t size) {
  time_t when;
  buf[0] = '\0';
  if (!app_cart_expires_at(app, &when))
    return;
  long long left = (long long)difftime(when, time(NULL));
  if (left <= 0) {
    snprintf(buf, size, " expired");
    return;
  }
  long long days = left / 86400, hours = left % 86400 / 3600, minutes = left % 3600 / 60;
  if (days > 0)
    snprintf(buf, size, " expires in %lldd %lldh", days, hours);
  else if (hours > 0)
    snprintf(buf, size, " expires in %lldh %lldm", hours, minutes);
  else
    snprintf(buf, size, " expires in %lldm", minutes > 0 ? minutes : 1);
}

static const char *level_word(AppMessageLevel level) {
  switch (level) {
  case APP_MESSAGE_SUCCESS:
    return "OK: ";
  case APP_MESSAGE_WARNING:
    return "Warning: ";
  case APP_MESSAGE_ERROR:
    return "Error: ";
  default:
    return "";
  }
}

static ThemeRole level_role(AppMessageLevel level) {
  switch (level) {
  case APP_MESSAGE_SUCCESS:
    return ROLE_SUCCESS;
  case APP_MESSAGE_WARNING:
    return ROLE_WARNING;
  case APP_MESSAGE_ERROR:
    return ROLE_ERROR;
  default:
    return ROLE_STATUS;
  }
}

static void status_draw(UiShell *s) {
  Ui *ui = &s->ui;
  AppState *app = ui->app;
  WINDOW *win = ui->status_win;
  int cols = ui->cols;
  wattrset(win, theme_attr(ROLE_STATUS));
  mvwhline(win, 0, 0, ' ', cols);
  wattrset(win, A_NORMAL);
  char text[700];
  int x = 0;
  snprintf(text, sizeof text, " %s ", app->profile_name ? app->profile_name : "pccart");
  x = status_put(win, x, cols, text, ROLE_STATUS);
  x = status_put(win, x, cols, app->is_live ? " LIVE: real orders " : " SANDBOX ",
                 app->is_live ? ROLE_LIVE : ROLE_SANDBOX);
  if (app->cart.customer_id)
    snprintf(text, sizeof text, "  %s",
             app->cart.customer_name ? app->cart.customer_name : app->cart.customer_id);
  else
    snprintf(text, sizeof text, "  no customer");
  x = status_put(win, x, cols, text, ROLE_STATUS);
  const Cart *draft = app->cart.draft;
  const char *status_word = app->cart.status == APP_CART_ORDERED ? "ordered"
                            : app->cart.status == APP_CART_SAVED ? "saved"
                                                                 : "draft";
  char expiry[64] = "";
  if (app->cart.status == APP_CART_SAVED)
    format_expiry(app, expiry, sizeof expiry);
  snprintf(text, sizeof text, "  cart %s %s%s%s", draft && draft->id ? draft->id : "new",
           status_word, app->cart.dirty ? " *unsaved" : "", expiry);
  x = status_put(win, x, cols, text, ROLE_STATUS);
  if (app_busy(app)) {
    static const char spin[] = "|/-\\";
    snprintf(text, sizeof text, "  %c working", spin[ui->spinner % 4]);
    x = status_put(win, x, cols, text, ROLE_STATUS);
  }
  if (app->last_message.text[0] && x + 4 < cols) {
    x = status_put(win, x, cols, "  ", ROLE_STATUS);
    snprintf(text, sizeof text, "%s%s", level_word(app->last_message.level),
             app->last_message.text);
    status_put(win, x, cols, text, level_role(app->last_message.level));
  }
}

/* ----- the key-hint bar ----- */

static ActionContext ui_current_context(const Ui *ui) {
  if (ui->overlay_count > 0)
    return ui->overlays[ui->overlay_count - 1].ops->context;
  return ui->panes[ui->focus].ops ? ui->panes[ui->focus].ops->context : ACTION_CTX_GLOBAL;
}

static const OverlayOps confirm_ops;
static const OverlayOps help_ops;

static int hint_put(const Ui *ui, WINDOW *win, int x, const char *key, const char *label) {
  int need = text_width(key) + 1 + text_width(label) + 2;
  if (x + need > ui->cols)
    return -1;
  x += draw_text(win, 0, x, ui->cols - x, key, ROLE_HINT_KEY);
  x += draw_text(win, 0, x, ui->cols - x, " ", ROLE_HINT_TEXT);
  x += draw_text(win, 0, x, ui->cols - x, label, ROLE_HINT_TEXT);
  x += draw_text(win, 0, x, ui->cols - x, "  ", ROLE_HINT_TEXT);
  return x;
}

/* The first key of an action ("j" of "j, Down"). */
static const char *first_key(const Ui *ui, Action action, char *buf, size_t size) {
  keymap_keys_text(ui->keymap, action, buf, size);
  char *comma = strstr(buf, ", ");
  if (comma)
    *comma = '\0';
  return buf;
}

static void hint_draw(UiShell *s) {
  Ui *ui = &s->ui;
  WINDOW *win = ui->hint_win;
  wattrset(win, theme_attr(ROLE_HINT_TEXT));
  mvwhline(win, 0, 0, ' ', ui->cols);
  int x = 0;
  if (ui->overlay_count > 0 && ui->overlays[ui->overlay_count - 1].ops == &confirm_ops) {
    x = hint_put(ui, win, x, "y", "yes");
    x = hint_put(ui, win, x, "n", "no");
    if (x >= 0)
      hint_put(ui, win, x, "Esc", "no");
    return;
  }
  ActionContext context = ui_current_context(ui);
  static const Action globals[] = {ACTION_ADD_LINE,       ACTION_SAVE,        ACTION_CHECKOUT,
                                   ACTION_TOGGLE_PREVIEW, ACTION_WRITE_DRAFT, ACTION_NEXT_PANE,
                                   ACTION_HELP,           ACTION_QUIT};
  Action list[ACTION_COUNT + 8];
  size_t count = 0;
  if (ui->overlay_count > 0 && ui->overlays[ui->overlay_count - 1].ops == &help_ops) {
    list[count++] = ACTION_MOVE_DOWN;
    list[count++] = ACTION_PAGE_DOWN;
    list[count++] = ACTION_CANCEL;
  } else {
    for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++)
      if (action_context((Action)a) == context && context != ACTION_CTX_GLOBAL)
        list[count++] = (Action)a;
    if (context != ACTION_CTX_FORM)
      for (size_t i = 0; i < sizeof globals / sizeof globals[0]; i++)
        list[count++] = globals[i];
  }
  for (size_t i = 0; i < count && x >= 0; i++) {
    char key[64];
    first_key(ui, list[i], key, sizeof key);
    if (!key[0])
      continue;
    x = hint_put(ui, win, x, key, action_label(list[i]));
  }
}

/* ----- toasts ----- */

/* Splits text into at most max_lines lines of at most width columns (at spaces when it can);
 * returns the number of lines. */
static int wrap_text(const char *text, int width, char lines[][200], int max_lines) {
  int count = 0;
  const char *p = text;
  while (*p && count < max_lines) {
    while (*p == ' ')
      p++;
    size_t n = strlen(p);
    size_t fit = 0, last_space = 0;
    int w = 0;
    while (fit < n) {
      size_t len = 1;
      while (fit + len < n && ((unsigned char)p[fit + len] & 0xc0) == 0x80)
        len++;
      char ch[8];
      memcpy(ch, p + fit, len);
      ch[len] = '\0';
      int cw = p[fit] == '\n' ? 0 : text_width(ch);
      if (p[fit] == '\n' || w + cw > width || fit + len >= 199)
        break;
      w += cw;
      fit += len;
      if (p[fit] == ' ')
        last_space = fit;
    }
    size_t take = fit;
    if (fit < n && p[fit] != '\n' && last_space > 0)
      take = last_space;
    if (count == max_lines - 1 && fit < n)
      take = n < 199 ? n : 199; /* the last line shows the rest, cut by draw_text */
    memcpy(lines[count], p, take);
    lines[count][take] = '\0';
    char *nl = strchr(lines[count], '\n');
    if (nl)
      *nl = '\0';
    count++;
    p += take;
    if (*p == '\n')
      p++;
  }
  return count;
}

static void toasts_draw(UiShell *s) {
  Ui *ui = &s->ui;
  if (s->toast_win) {
    delwin(s->toast_win);
    s->toast_win = NULL;
  }
  if (s->toast_count == 0)
    return;
  int width = ui->cols - 4;
  int cap = ui->cols >= 120 ? 100 : 72; /* a wide terminal shows a long warning on fewer lines */
  if (width > cap)
    width = cap;
  char lines[MAX_TOASTS * 4][200];
  ThemeRole roles[MAX_TOASTS * 4];
  int count = 0;
  for (int i = 0; i < s->toast_count; i++) {
    char text[800];
    snprintf(text, sizeof text, "%s%s", level_word(s->toasts[i].level), s->toasts[i].text);
    /* Warnings and errors may need a fourth line for their code and request id. */
    int n = wrap_text(text, width - 4, &lines[count],
                      s->toasts[i].level >= APP_MESSAGE_WARNING ? 4 : 3);
    for (int k = 0; k < n; k++)
      roles[count + k] = level_role(s->toasts[i].level) == ROLE_STATUS
                             ? ROLE_DIALOG
                             : level_role(s->toasts[i].level);
    count += n;
  }
  /* As wide as the longest line needs (short notices stay small). */
  int widest = 0;
  for (int i = 0; i < count; i++)
    if (text_width(lines[i]) > widest)
      widest = text_width(lines[i]);
  if (widest + 4 < width)
    width = widest + 4;
  int height = count + 2;
  if (height > ui->rows - 3)
    height = ui->rows - 3;
  s->toast_win = newwin(height, width, ui->rows - 1 - height, ui->cols - width - 1);
  if (!s->toast_win)
    return;
  wbkgdset(s->toast_win, ' ' | theme_attr(ROLE_DIALOG));
  werase(s->toast_win);
  draw_frame(s->toast_win, NULL, false);
  for (int i = 0; i < count && i < height - 2; i++)
    draw_text(s->toast_win, 1 + i, 2, width - 4, lines[i], roles[i]);
}

/* ----- painting ----- */

static void too_small_draw(UiShell *s) {
  Ui *ui = &s->ui;
  werase(stdscr);
  char text[200];
  snprintf(text, sizeof text, "Terminal too small: %dx%d.", ui->cols, ui->rows);
  draw_text(stdscr, 0, 0, ui->cols, text, ROLE_ERROR);
  snprintf(text, sizeof text, "pccart needs at least %dx%d (columns x rows).", MIN_COLS, MIN_ROWS);
  if (ui->rows > 1)
    draw_text(stdscr, 1, 0, ui->cols, text, ROLE_NORMAL);
  if (ui->rows > 2)
    draw_text(stdscr, 2, 0, ui->cols,
              ui->app->cart.dirty ? "Enlarge it to continue (the cart has unsaved changes)."
                                  : "Enlarge it to continue, or press q to quit.",
              ROLE_NORMAL);
  wnoutrefresh(stdscr);
}

static void ui_paint(UiShell *s) {
  Ui *ui = &s->ui;
  if (s->relayout || ui->rows != LINES || ui->cols != COLS)
    ui_layout(s);
  if (s->resized) {
    /* A terminal may reflow or keep old text on resize: repaint it all from scratch once. */
    clearok(curscr, TRUE);
    s->resized = false;
  }
  if (ui->too_small) {
    too_small_draw(s);
    doupdate();
    ui->frame++;
    return;
  }
  /* stdscr is only a blank backdrop; refreshing it here keeps get_wch from repainting it
   * over the panes later (curses refreshes a touched stdscr on input). */
  if (is_wintouched(stdscr))
    wnoutrefresh(stdscr);
  for (int i = 0; i < PANE_COUNT; i++) {
    Pane *pane = &ui->panes[i];
    if (!pane->visible || !pane->win || !pane->ops)
      continue;
    if (pane->dirty) {
      werase(pane->win);
      pane->ops->draw(ui, pane);
      pane->dirty = false;
    }
    /* Copy every pane (cheap): layers above may have moved; doupdate sends only changes. */
    touchwin(pane->win);
    wnoutrefresh(pane->win);
  }
  status_draw(s);
  wnoutrefresh(ui->status_win);
  if (s->hint_dirty) {
    hint_draw(s);
    s->hint_dirty = false;
  }
  touchwin(ui->hint_win);
  wnoutrefresh(ui->hint_win);
  for (int i = 0; i < ui->overlay_count; i++) {
    overlay_place(s, i);
    WINDOW *win = ui->overlays[i].win;
    if (!win)
      continue;
    if (s->overlay_dirty[i]) {
      wbkgdset(win, ' ' | theme_attr(ROLE_DIALOG));
      werase(win);
      ui->overlays[i].ops->draw(ui, ui->overlays[i].data, win);
      s->overlay_dirty[i] = false;
    }
    touchwin(win);
    wnoutrefresh(win);
  }
  toasts_draw(s);
  if (s->toast_win)
    wnoutrefresh(s->toast_win);
  doupdate();
  ui->frame++;
}

/* ----- overlays ----- */

bool ui_overlay_open(Ui *ui, const OverlayOps *ops, void *data) {
  UiShell *s = shell_of(ui);
  if (!ops || ui->overlay_count >= MAX_OVERLAYS)
    return false;
  int i = ui->overlay_count++;
  ui->overlays[i].ops = ops;
  ui->overlays[i].data = data;
  ui->overlays[i].win = NULL;
  s->overlay_dirty[i] = true;
  s->hint_dirty = true;
  if (!ui->too_small && ui->rows > 0)
    overlay_place(s, i);
  return true;
}

void ui_overlay_close(Ui *ui) {
  UiShell *s = shell_of(ui);
  if (ui->overlay_count == 0)
    return;
  int i = --ui->overlay_count;
  if (ui->overlays[i].win)
    delwin(ui->overlays[i].win);
  const OverlayOps *ops = ui->overlays[i].ops;
  void *data = ui->overlays[i].data;
  ui->overlays[i].ops = NULL;
  ui->overlays[i].data = NULL;
  ui->overlays[i].win = NULL;
  if (ops->free)
    ops->free(data);
  s->hint_dirty = true;
  /* What was under it shows again (every window is copied on the next paint). */
  if (ui->overlay_count > 0)
    s->overlay_dirty[ui->overlay_count - 1] = true;
}

/* ----- confirm dialog ----- */

typedef struct ConfirmData {
  char title[128];
  char *body;
  bool default_yes;
  UiConfirmed on_answer;
  void *data;
} ConfirmData;

static void confirm_free(void *data) {
  ConfirmData *c = data;
  if (c) {
    free(c->body);
    free(c);
  }
}

static int dialog_body_lines(const char *body, int width, char lines[][200], int max) {
  int count = 0;
  const char *p = body;
  while (*p && count < max) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    char para[1024];
    if (len >= sizeof para)
      len = sizeof para - 1;
    memcpy(para, p, len);
    para[len] = '\0';
    if (len == 0) {
      lines[count++][0] = '\0';
    } else {
      count += wrap_text(para, width, &lines[count], max - count);
    }
    p += nl ? (size_t)(nl - p) + 1 : strlen(p);
  }
  return count;
}

static void confirm_size(Ui *ui, void *data, int screen_rows, int screen_cols, int *rows,
                         int *cols) {
  (void)ui;
  ConfirmData *c = data;
  int width = screen_cols - 4 < 72 ? screen_cols - 4 : 72;
  char lines[40][200];
  int n = dialog_body_lines(c->body, width - 4, lines, 40);
  int widest = text_width(c->title) + 8;
  for (int i = 0; i < n; i++)
    if (text_width(lines[i]) + 4 > widest)
      widest = text_width(lines[i]) + 4;
  if (widest < 44)
    widest = 44;
  *cols = widest < width ? widest : width;
  *rows = n + 4;
  if (*rows > screen_rows - 2)
    *rows = screen_rows - 2;
}

static void confirm_draw(Ui *ui, void *data, WINDOW *win) {
  (void)ui;
  ConfirmData *c = data;
  int rows, cols;
  getmaxyx(win, rows, cols);
  draw_frame(win, c->title, true);
  char lines[40][200];
  int n = dialog_body_lines(c->body, cols - 4, lines, 40);
  for (int i = 0; i < n && i < rows - 4; i++)
    draw_text(win, 1 + i, 2, cols - 4, lines[i], ROLE_DIALOG);
  const char *choices = c->default_yes ? "[Y]es (Enter)   [n]o (Esc)" : "[y]es   [N]o (Enter, Esc)";
  draw_text(win, rows - 2, 2, cols - 4, choices, ROLE_DIALOG_TITLE);
}

static void confirm_answer(Ui *ui, bool yes) {
  ConfirmData *c = ui->overlays[ui->overlay_count - 1].data;
  UiConfirmed on_answer = c->on_answer;
  void *data = c->data;
  ui_overlay_close(ui);
  if (on_answer)
    on_answer(ui, yes, data);
}

static unsigned confirm_text(Ui *ui, void *data, wint_t ch, bool is_key) {
  ConfirmData *c = data;
  if (!is_key && (ch == L'y' || ch == L'Y')) {
    confirm_answer(ui, true);
  } else if (!is_key && (ch == L'n' || ch == L'N' || ch == 27)) {
    confirm_answer(ui, false);
  } else if (!is_key && ch == L'\n') {
    confirm_answer(ui, c->default_yes);
  }
  /* Every other key is swallowed: a question must be answered, not typed through. */
  return UI_HANDLED | UI_REDRAW;
}

static unsigned confirm_action(Ui *ui, void *data, Action action) {
  (void)ui;
  (void)data;
  (void)action;
  return UI_HANDLED;
}

static const OverlayOps confirm_ops = {
    .context = ACTION_CTX_GLOBAL,
    .draw = confirm_draw,
    .size = confirm_size,
    .action = confirm_action,
    .text = confirm_text,
    .free = confirm_free,
    .repaint_on = 0,
};

bool ui_confirm(Ui *ui, const char *title, const char *body, bool default_yes,
                UiConfirmed on_answer, void *data) {
  ConfirmData *c = calloc(1, sizeof *c);
  if (!c)
    return false;
  snprintf(c->title, sizeof c->title, "%s", title ? title : "Are you sure?");
  c->body = strdup(body ? body : "");
  if (!c->body) {
    free(c);
    return false;
  }
  c->default_yes = default_yes;
  c->on_answer = on_answer;
  c->data = data;
  if (!ui_overlay_open(ui, &confirm_ops, c)) {
    confirm_free(c);
    return false;
  }
  return true;
}

/* ----- prompt dialog ----- */

typedef struct PromptData {
  char title[160];
  TextField field;
  UiPrompted on_answer;
  void *data;
} PromptData;

static void prompt_size(Ui *ui, void *data, int screen_rows, int screen_cols, int *rows,
                        int *cols) {
  (void)ui;
  (void)data;
  (void)screen_rows;
  *rows = 5;
  *cols = screen_cols - 4 < 72 ? screen_cols - 4 : 72;
}

static void prompt_draw(Ui *ui, void *data, WINDOW *win) {
  (void)ui;
  PromptData *p = data;
  int rows, cols;
  getmaxyx(win, rows, cols);
  draw_frame(win, p->title, true);
  text_field_draw(win, 1, 2, cols - 4, &p->field, true);
  if (rows > 3)
    draw_text(win, rows - 2, 2, cols - 4, "Enter accept   Esc cancel", ROLE_DIM);
}

static void prompt_answer(Ui *ui, bool accept) {
  PromptData *p = ui->overlays[ui->overlay_count - 1].data;
  char text[1024];
  text_field_utf8(&p->field, text, sizeof text);
  UiPrompted on_answer = p->on_answer;
  void *data = p->data;
  ui_overlay_close(ui);
  if (on_answer)
    on_answer(ui, accept ? text : NULL, data);
}

static unsigned prompt_action(Ui *ui, void *data, Action action) {
  (void)data;
  switch (action) {
  case ACTION_FORM_ENTER:
  case ACTION_FORM_SUBMIT:
    prompt_answer(ui, true);
    return UI_HANDLED;
  case ACTION_FORM_ABANDON:
    prompt_answer(ui, false);
    return UI_HANDLED;
  default:
    return UI_UNHANDLED; /* Left/Right and the rest edit the field */
  }
}

static unsigned prompt_text(Ui *ui, void *data, wint_t ch, bool is_key) {
  (void)ui;
  PromptData *p = data;
  return text_field_key(&p->field, ch, is_key);
}

static const OverlayOps prompt_ops = {
    .context = ACTION_CTX_FORM,
    .draw = prompt_draw,
    .size = prompt_size,
    .action = prompt_action,
    .text = prompt_text,
    .free = free,
    .repaint_on = 0,
};

bool ui_prompt(Ui *ui, const char *title, const char *initial, UiPrompted on_answer, void *data) {
  PromptData *p = calloc(1, sizeof *p);
  if (!p)
    return false;
  snprintf(p->title, sizeof p->title, "%s", title ? title : "");
  text_field_set(&p->field, initial);
  p->on_answer = on_answer;
  p->data = data;
  if (!ui_overlay_open(ui, &prompt_ops, p)) {
    free(p);
    return false;
  }
  return true;
}

/* ----- help ----- */

typedef struct HelpData {
  char **lines;
  ThemeRole *roles;
  size_t count;
  long top;
  int rows; /* rows shown at the last draw, for paging */
} HelpData;

static void help_free(void *data) {
  HelpData *h = data;
  if (!h)
    return;
  for (size_t i = 0; i < h->count; i++)
    free(h->lines[i]);
  free(h->lines);
  free(h->roles);
  free(h);
}

static bool help_add(HelpData *h, const char *text, ThemeRole role) {
  char **lines = realloc(h->lines, (h->count + 1) * sizeof *lines);
  if (!lines)
    return false;
  h->lines = lines;
  ThemeRole *roles = realloc(h->roles, (h->count + 1) * sizeof *roles);
  if (!roles)
    return false;
  h->roles = roles;
  h->lines[h->count] = strdup(text);
  if (!h->lines[h->count])
    return false;
  h->roles[h->count++] = role;
  return true;
}

static HelpData *help_build(const Keymap *keymap) {
  HelpData *h = calloc(1, sizeof *h);
  if (!h)
    return NULL;
  static const ActionContext order[] = {ACTION_CTX_GLOBAL, ACTION_CTX_CUSTOMERS, ACTION_CTX_CART,
                                        ACTION_CTX_FORM};
  bool ok = true;
  for (size_t c = 0; ok && c < sizeof order / sizeof order[0]; c++) {
    if (c > 0)
      ok = help_add(h, "", ROLE_DIALOG);
    ok = ok && help_add(h, action_context_title(order[c]), ROLE_HEADER);
    for (int a = ACTION_NONE + 1; ok && a < ACTION_COUNT; a++) {
      if (action_context((Action)a) != order[c])
        continue;
      char keys[128], line[400];
      keymap_keys_text(keymap, (Action)a, keys, sizeof keys);
      snprintf(line, sizeof line, "  %-18s %s", keys[0] ? keys : "(no key)",
               action_help((Action)a));
      ok = help_add(h, line, ROLE_DIALOG);
    }
  }
  if (!ok) {
    help_free(h);
    return NULL;
  }
  return h;
}

static void help_size(Ui *ui, void *data, int screen_rows, int screen_cols, int *rows, int *cols) {
  (void)ui;
  HelpData *h = data;
  *rows = (int)h->count + 2 < screen_rows - 2 ? (int)h->count + 2 : screen_rows - 2;
  *cols = screen_cols - 4 < 84 ? screen_cols - 4 : 84;
}

static void help_draw(Ui *ui, void *data, WINDOW *win) {
  (void)ui;
  HelpData *h = data;
  int rows, cols;
  getmaxyx(win, rows, cols);
  h->rows = rows - 2;
  long max_top = (long)h->count - h->rows;
  if (max_top < 0)
    max_top = 0;
  if (h->top > max_top)
    h->top = max_top;
  if (h->top < 0)
    h->top = 0;
  char title[80];
  snprintf(title, sizeof title, "Help: keys (%ld-%ld of %zu; Esc closes)", h->top + 1,
           h->top + h->rows < (long)h->count ? h->top + h->rows : (long)h->count, h->count);
  draw_frame(win, title, true);
  for (int i = 0; i < h->rows && h->top + i < (long)h->count; i++)
    draw_text(win, 1 + i, 2, cols - 4, h->lines[h->top + i], h->roles[h->top + i]);
}

static unsigned help_action(Ui *ui, void *data, Action action) {
  HelpData *h = data;
  long page = h->rows > 1 ? h->rows - 1 : 1;
  switch (action) {
  case ACTION_MOVE_UP:
    h->top--;
    break;
  case ACTION_MOVE_DOWN:
    h->top++;
    break;
  case ACTION_PAGE_UP:
    h->top -= page;
    break;
  case ACTION_PAGE_DOWN:
    h->top += page;
    break;
  case ACTION_FIRST:
    h->top = 0;
    break;
  case ACTION_LAST:
    h->top = (long)h->count;
    break;
  case ACTION_CANCEL:
  case ACTION_HELP:
  case ACTION_QUIT:
    ui_overlay_close(ui);
    return UI_HANDLED;
  default:
    return UI_HANDLED; /* help is modal: nothing else acts under it */
  }
  if (h->top < 0)
    h->top = 0;
  return UI_HANDLED | UI_REDRAW;
}

static const OverlayOps help_ops = {
    .context = ACTION_CTX_GLOBAL,
    .draw = help_draw,
    .size = help_size,
    .action = help_action,
    .text = NULL,
    .free = help_free,
    .repaint_on = 0,
};

static void ui_help_open(Ui *ui) {
  HelpData *h = help_build(ui->keymap);
  if (!h || !ui_overlay_open(ui, &help_ops, h)) {
    help_free(h);
    ui_say(ui, APP_MESSAGE_ERROR, "Out of memory: the help cannot be shown.");
  }
}

/* ----- global actions ----- */

static void ui_quit_answered(Ui *ui, bool yes, void *data) {
  (void)data;
  if (yes)
    shell_of(ui)->quit = true;
}

static void ui_request_quit(Ui *ui) {
  /* A checkout in flight would be cancelled by quitting, and its outcome never told. */
  bool checking_out = ui->app->cart.checkout_job != 0;
  if (ui->app->cart.dirty || checking_out) {
    /* Asking twice (q on the question) would stack questions. */
    if (ui->overlay_count > 0 && ui->overlays[ui->overlay_count - 1].ops == &confirm_ops)
      return;
    ui_confirm(ui, "Quit?",
               checking_out ? "A checkout is in progress; if you quit now you will not see "
                              "whether it was ordered (pccart cart show tells later).\n"
                              "Quit anyway?"
               : shell_of(ui)->autosaver
                   ? "The cart has unsaved changes. They stay autosaved: the next "
                     "start offers them back.\nQuit anyway?"
                   : "The cart has unsaved changes; they are lost if you quit now.\n"
                     "Quit anyway?",
               false, ui_quit_answered, NULL);
  } else {
    shell_of(ui)->quit = true;
  }
}

static void draft_written(Ui *ui, const char *text, void *data) {
  (void)data;
  if (!text)
    return;
  if (!*text) {
    ui_say(ui, APP_MESSAGE_ERROR, "No file name given: the draft was not written.");
    return;
  }
  char err[600];
  if (app_cart_write_draft(ui->app, text, err, sizeof err))
    app_message(ui->app, APP_MESSAGE_SUCCESS, "Draft written to %s.", text);
  else
    app_message(ui->app, APP_MESSAGE_ERROR, "%s", err);
  ui_after_transition(shell_of(ui));
}

static void draft_read_now(Ui *ui, const char *path) {
  char err[600];
  if (app_cart_read_draft(ui->app, path, err, sizeof err))
    app_message(ui->app, APP_MESSAGE_SUCCESS, "Draft read from %s (not saved yet: s saves it).",
                path);
  else
    app_message(ui->app, APP_MESSAGE_ERROR, "%s", err);
  ui_after_transition(shell_of(ui));
}

static void draft_discard_answered(Ui *ui, bool yes, void *data) {
  char *path = data;
  if (yes)
    draft_read_now(ui, path);
  free(path);
}

static void draft_opened(Ui *ui, const char *text, void *data) {
  (void)data;
  if (!text)
    return;
  if (!*text) {
    ui_say(ui, APP_MESSAGE_ERROR, "No file name given: nothing was opened.");
    return;
  }
  if (ui->app->cart.dirty) {
    char *path = strdup(text);
    char body[1400];
    snprintf(body, sizeof body,
             "The cart has unsaved changes. Open %s anyway (the changes are lost)?", text);
    if (!path || !ui_confirm(ui, "Open draft?", body, false, draft_discard_answered, path))
      free(path);
    return;
  }
  draft_read_now(ui, text);
}

static void cart_open_now(Ui *ui, const char *id) {
  char why[512];
  if (!app_cart_open(ui->app, id, why, sizeof why))
    ui_say(ui, APP_MESSAGE_ERROR, why);
  ui_after_transition(shell_of(ui));
}

static void cart_discard_answered(Ui *ui, bool yes, void *data) {
  char *id = data;
  if (yes)
    cart_open_now(ui, id);
  free(id);
}

static void cart_id_prompted(Ui *ui, const char *text, void *data) {
  (void)data;
  if (text)
    ui_open_cart_id(ui, text);
}

void ui_open_cart_prompt_with(Ui *ui, const char *initial) {
  ui_prompt(ui, "Open the cart with id", initial, cart_id_prompted, NULL);
}

void ui_open_cart_prompt(Ui *ui) {
  ui_open_cart_prompt_with(ui, "");
}

/* o: the customer's recent carts to pick from, or the prompt when there are none. */
static void open_cart(UiShell *s) {
  Ui *ui = &s->ui;
  /* The list is read by the autosave thread; its answer opens it (autosaver_woke). */
  if (s->autosaver && ui->app->cart.customer_id) {
    autosaver_request_recent(s->autosaver, ui->app->cart.customer_id);
    return;
  }
  ui_open_cart_prompt(ui);
}

void ui_open_cart_id(Ui *ui, const char *text) {
  /* Ids are pasted: spaces around them are not part of them. */
  while (*text == ' ')
    text++;
  char id[256];
  snprintf(id, sizeof id, "%s", text);
  size_t n = strlen(id);
  while (n > 0 && id[n - 1] == ' ')
    id[--n] = '\0';
  if (!*id) {
    ui_say(ui, APP_MESSAGE_ERROR, "No cart id given: nothing was opened.");
    return;
  }
  if (ui->app->cart.dirty) {
    char *copy = strdup(id);
    char body[600];
    snprintf(body, sizeof body,
             "The cart has unsaved changes. Open cart %s anyway (the changes are lost)?", id);
    if (!copy || !ui_confirm(ui, "Open cart?", body, false, cart_discard_answered, copy))
      free(copy);
    return;
  }
  cart_open_now(ui, id);
}

static void default_draft_name(const Ui *ui, char *buf, size_t size) {
  const char *customer = ui->app->cart.customer_id;
  char safe[128] = "";
  size_t n = 0;
  for (const char *p = customer; p && *p && n + 1 < sizeof safe; p++)
    safe[n++] = ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                 *p == '-' || *p == '.')
                    ? *p
                    : '_';
  safe[n] = '\0';
  snprintf(buf, size, "cart-%s.json", n ? safe : "draft");
}

static void focus_move(UiShell *s, int delta) {
  Ui *ui = &s->ui;
  PaneId old = ui->focus;
  int id = (int)ui->focus;
  for (int i = 0; i < PANE_COUNT; i++) {
    id = (id + delta + PANE_COUNT) % PANE_COUNT;
    if (ui->panes[id].visible)
      break;
  }
  ui->focus = (PaneId)id;
  ui->panes[old].dirty = true;
  ui->panes[id].dirty = true;
  s->hint_dirty = true;
}

void ui_focus_pane(Ui *ui, PaneId id) {
  if (id >= PANE_COUNT || !ui->panes[id].visible || ui->focus == id)
    return;
  ui->panes[ui->focus].dirty = true;
  ui->focus = id;
  ui->panes[id].dirty = true;
  shell_of(ui)->hint_dirty = true;
}

static bool ui_needs_met(Ui *ui, Action action) {
  unsigned needs = action_needs(action);
  const AppState *app = ui->app;
  char keys[64], text[300];
  if ((needs & ACTION_NEEDS_CUSTOMER) && !app->cart.customer_id) {
    snprintf(text, sizeof text, "Pick a customer first (%s on the customer list).",
             first_key(ui, ACTION_PICK_CUSTOMER, keys, sizeof keys));
    ui_say(ui, APP_MESSAGE_WARNING, text);
    return false;
  }
  if ((needs & ACTION_NEEDS_LINE) && app->cart.draft->line_items.count == 0) {
    snprintf(text, sizeof text, "The cart has no lines yet (%s adds one).",
             first_key(ui, ACTION_ADD_LINE, keys, sizeof keys));
    ui_say(ui, APP_MESSAGE_WARNING, text);
    return false;
  }
  if ((needs & ACTION_NEEDS_CART_ID) && !(app->cart.draft->id && *app->cart.draft->id)) {
    snprintf(text, sizeof text, "The cart is not on Partner Center yet: save it first (%s).",
             first_key(ui, ACTION_SAVE, keys, sizeof keys));
    ui_say(ui, APP_MESSAGE_WARNING, text);
    return false;
  }
  return true;
}

static unsigned ui_global_action(UiShell *s, Action action) {
  Ui *ui = &s->ui;
  char why[512];
  switch (action) {
  case ACTION_NEXT_PANE:
    focus_move(s, 1);
    return UI_HANDLED;
  case ACTION_PREVIOUS_PANE:
    focus_move(s, -1);
    return UI_HANDLED;
  case ACTION_ADD_LINE:
  case ACTION_SAVE:
  case ACTION_CHECKOUT:
  case ACTION_RELOAD: {
    /* The cart's actions work from any pane: the cart pane knows how (confirmations). */
    unsigned r = pane_cart_ops.action ? pane_cart_ops.action(ui, &ui->panes[PANE_CART], action)
                                      : UI_UNHANDLED;
    if (r & UI_HANDLED) {
      ui->panes[PANE_CART].dirty = ui->panes[PANE_CART].dirty || (r & UI_REDRAW);
      if (r & UI_RELAYOUT)
        s->relayout = true;
      if (r & UI_QUIT)
        s->quit = true;
      return UI_HANDLED;
    }
    if (action == ACTION_ADD_LINE) {
      ui_catalog_browser_open(ui);
    } else if (action == ACTION_SAVE) {
      if (!app_cart_save(ui->app, why, sizeof why))
        ui_say(ui, APP_MESSAGE_ERROR, why);
    }
    return UI_HANDLED;
  }
  case ACTION_OPEN_CART:
    open_cart(s);
    return UI_HANDLED;
  case ACTION_TOGGLE_PREVIEW:
    ui->preview_visible = !ui->preview_visible;
    if (!ui->preview_visible && ui->focus == PANE_PREVIEW)
      ui->focus = PANE_CART;
    s->relayout = true;
    return UI_HANDLED;
  case ACTION_TOGGLE_RESPONSE:
    ui->app->show_last_response = !ui->app->show_last_response;
    ui->panes[PANE_PREVIEW].list.top = 0;
    if (!ui->preview_visible) {
      ui->preview_visible = true;
      s->relayout = true;
    }
    ui->panes[PANE_PREVIEW].dirty = true;
    return UI_HANDLED;
  case ACTION_WRITE_DRAFT: {
    char name[200];
    default_draft_name(ui, name, sizeof name);
    ui_prompt(ui, "Write the cart to the file", name, draft_written, NULL);
    return UI_HANDLED;
  }
  case ACTION_OPEN_DRAFT: {
    char name[200];
    default_draft_name(ui, name, sizeof name);
    ui_prompt(ui, "Open the cart file (draft)", name, draft_opened, NULL);
    return UI_HANDLED;
  }
  case ACTION_HELP:
    ui_help_open(ui);
    return UI_HANDLED;
  case ACTION_CANCEL: {
    long target = app_cancel_target(ui->app);
    if (target && ui->worker && worker_cancel(ui->worker, target))
      ui_say(ui, APP_MESSAGE_INFO, "Cancelling the request in flight…");
    else
      ui_say(ui, APP_MESSAGE_INFO, "Nothing to cancel.");
    return UI_HANDLED;
  }
  case ACTION_QUIT:
    ui_request_quit(ui);
    return UI_HANDLED;
  default:
    return UI_UNHANDLED;
  }
}

/* ----- input ----- */

/* Keys as the handlers expect them: Enter is '\n', Backspace is KEY_BACKSPACE. */
static void input_normalize(wint_t *ch, bool *is_key) {
  if (*is_key && *ch == KEY_ENTER) {
    *ch = L'\n';
    *is_key = false;
  } else if (!*is_key && *ch == L'\r') {
    *ch = L'\n';
  } else if (!*is_key && (*ch == 0x7f || *ch == 0x08)) {
    *ch = KEY_BACKSPACE;
    *is_key = true;
  }
}

static bool is_printable(wint_t ch, bool is_key) {
  return !is_key && ch >= L' ' && ch != 0x7f && !(ch >= 0x80 && ch < 0xa0);
}

static void apply_result_flags(UiShell *s, unsigned r, bool *dirty) {
  if (r & UI_REDRAW)
    *dirty = true;
  if (r & UI_RELAYOUT)
    s->relayout = true;
  if (r & UI_QUIT)
    s->quit = true;
}

static void ui_overlay_key(UiShell *s, wint_t ch, bool is_key) {
  Ui *ui = &s->ui;
  int top = ui->overlay_count - 1;
  const OverlayOps *ops = ui->overlays[top].ops;
  void *data = ui->overlays[top].data;
  ActionContext context = ops->context;
  Action action = keymap_lookup(ui->keymap, context, ch, is_key);
  unsigned r = UI_UNHANDLED;
  bool dirty = false;
  if (context == ACTION_CTX_FORM) {
    /* Typed characters always go into the field, whatever is bound. */
    if (!is_printable(ch, is_key) && action != ACTION_NONE && ops->action)
      r = ops->action(ui, data, action);
    if (!(r & UI_HANDLED) && ui->overlay_count == top + 1 && ops->text)
      r = ops->text(ui, data, ch, is_key);
  } else {
    if (ops->text)
      r = ops->text(ui, data, ch, is_key);
    if (!(r & UI_HANDLED) && ui->overlay_count == top + 1 && action != ACTION_NONE && ops->action)
      r = ops->action(ui, data, action);
  }
  /* Esc closes an overlay that does not say otherwise. */
  if (!(r & UI_HANDLED) && ui->overlay_count == top + 1 &&
      (action == ACTION_CANCEL || action == ACTION_FORM_ABANDON))
    ui_overlay_close(ui);
  apply_result_flags(s, r, &dirty);
  /* The overlay may have closed itself or opened another: mark whatever is on top. */
  if (ui->overlay_count > 0 && (dirty || ui->overlay_count != top + 1))
    s->overlay_dirty[ui->overlay_count - 1] = true;
  if (ui->overlay_count > top && dirty)
    s->overlay_dirty[top] = true;
}

static void ui_pane_key(UiShell *s, wint_t ch, bool is_key) {
  Ui *ui = &s->ui;
  Pane *pane = &ui->panes[ui->focus];
  unsigned r = UI_UNHANDLED;
  bool dirty = false;
  if (pane->ops && pane->ops->text)
    r = pane->ops->text(ui, pane, ch, is_key);
  if (!(r & UI_HANDLED)) {
    ActionContext context = pane->ops ? pane->ops->context : ACTION_CTX_GLOBAL;
    Action action = keymap_lookup(ui->keymap, context, ch, is_key);
    if (action != ACTION_NONE) {
      if (!ui_needs_met(ui, action))
        return;
      if (pane->ops && pane->ops->action)
        r = pane->ops->action(ui, pane, action);
      if (!(r & UI_HANDLED))
        r = ui_global_action(s, action);
    }
  }
  apply_result_flags(s, r, &dirty);
  if (dirty)
    pane->dirty = true;
}

static void ui_mouse(UiShell *s) {
  Ui *ui = &s->ui;
  MEVENT event;
  if (getmouse(&event) != OK || ui->too_small || ui->overlay_count > 0)
    return;
  int wheel = 0;
  if (event.bstate & BUTTON4_PRESSED)
    wheel = -3;
#ifdef BUTTON5_PRESSED
  else if (event.bstate & BUTTON5_PRESSED)
    wheel = 3;
#endif
  else if (!(event.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)))
    return;
  for (int i = 0; i < PANE_COUNT; i++) {
    Pane *pane = &ui->panes[i];
    if (!pane->visible || event.y < pane->y || event.y >= pane->y + pane->height ||
        event.x < pane->x || event.x >= pane->x + pane->width)
      continue;
    if (!wheel && ui->focus != (PaneId)i) {
      ui->panes[ui->focus].dirty = true;
      ui->focus = (PaneId)i;
      pane->dirty = true;
      s->hint_dirty = true;
    }
    if (pane->ops && pane->ops->click) {
      bool dirty = false;
      apply_result_flags(s, pane->ops->click(ui, pane, event.y - pane->y, event.x - pane->x, wheel),
                         &dirty);
      if (dirty)
        pane->dirty = true;
    }
    return;
  }
}

static void ui_key(UiShell *s, wint_t ch, bool is_key) {
  Ui *ui = &s->ui;
  toasts_on_input(s);
  if (is_key && ch == KEY_RESIZE) {
    s->relayout = true;
    s->resized = true;
    return;
  }
  if (is_key && ch == KEY_MOUSE) {
    ui_mouse(s);
    return;
  }
  input_normalize(&ch, &is_key);
  if (!is_key && ch == 0x03) { /* C-c: raw mode delivers it as a key; it means quit */
    ui_request_quit(ui);
    return;
  }
  if (ui->too_small) {
    if (!is_key && ch == L'q' && !ui->app->cart.dirty)
      s->quit = true;
    return;
  }
  if (ui->overlay_count > 0)
    ui_overlay_key(s, ch, is_key);
  else
    ui_pane_key(s, ch, is_key);
  ui_after_transition(s);
}

/* ----- signals ----- */

static int winch_fd = -1;

static void on_winch(int sig) {
  (void)sig;
  int saved = errno;
  if (winch_fd >= 0) {
    ssize_t ignored = write(winch_fd, "w", 1);
    (void)ignored;
  }
  errno = saved;
}

/* SIGTERM or SIGHUP (the terminal closed): autosave, restore the terminal, exit. */
static volatile sig_atomic_t terminate_signal = 0;

static void on_terminate(int sig) {
  terminate_signal = sig;
  on_winch(sig); /* wakes the loop */
}

static void ui_handle_winch(UiShell *s) {
  char buf[64];
  while (read(s->winch_pipe[0], buf, sizeof buf) > 0) {
  }
  struct winsize size;
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_row > 0 && size.ws_col > 0)
    resizeterm(size.ws_row, size.ws_col);
  s->relayout = true;
  s->resized = true;
}

/* ----- autosave ----- */

/* Hands the draft to the autosave thread once it is due. */
static void autosave_tick(UiShell *s, bool now) {
  if (!s->autosaver || !s->ui.app)
    return;
  unsigned long generation = app_cart_generation(s->ui.app);
  if (generation != s->autosave_generation && !s->autosave_due_ms)
    s->autosave_due_ms = now_ms() + s->autosave_delay_ms;
  if (!s->autosave_due_ms || (!now && now_ms() < s->autosave_due_ms))
    return;
  s->autosave_due_ms = 0;
  s->autosave_generation = generation;
  Autosave snapshot;
  if (app_autosave_snapshot(s->ui.app, &snapshot))
    autosaver_put(s->autosaver, &snapshot);
}

static void restore_answered(Ui *ui, bool yes, void *data) {
  Autosave *autosave = data;
  UiShell *s = shell_of(ui);
  char why[256];
  if (yes && app_cart_restore(ui->app, autosave, why, sizeof why)) {
    app_message(ui->app, APP_MESSAGE_SUCCESS, "Restored the unsaved cart for %s (%ld line%s).",
                ui->app->cart.customer_name, autosave->line_count,
                autosave->line_count == 1 ? "" : "s");
    ui->focus = PANE_CART;
  } else if (yes) {
    app_message(ui->app, APP_MESSAGE_ERROR, "%s It stays autosaved.", why);
  } else {
    autosaver_drop(s->autosaver);
    app_message(ui->app, APP_MESSAGE_INFO, "The autosaved cart was discarded.");
  }
  autosave_clear(autosave);
  free(autosave);
  /* What is on screen now is what the autosave holds. */
  s->autosave_generation = app_cart_generation(ui->app);
  ui_after_transition(s);
}

/* At start: an autosaved cart with unsaved changes (a crash, a closed terminal) is offered
 * back; it is kept until the user answers. */
static void offer_restore(UiShell *s, Autosave *autosave) {
  /* Only what pccart left with unsaved changes, and not over changes made since. */
  if (autosave->line_count <= 0 || !autosave->dirty || s->ui.app->cart.dirty) {
    autosave_clear(autosave);
    free(autosave);
    return;
  }
  char when[64] = "";
  time_t seconds = (time_t)(autosave->saved_ms / 1000);
  struct tm tm;
  if (localtime_r(&seconds, &tm))
    strftime(when, sizeof when, "%d %b %H:%M", &tm);
  char body[768];
  snprintf(body, sizeof body,
           "pccart stopped with unsaved changes to a cart for %.200s: %ld line%s%s%.40s, "
           "autosaved %s.\nRestore it?",
           autosave->customer_name ? autosave->customer_name : autosave->customer_id,
           autosave->line_count, autosave->line_count == 1 ? "" : "s",
           autosave->cart_id ? ", cart " : "", autosave->cart_id ? autosave->cart_id : "", when);
  if (!ui_confirm(&s->ui, "Restore unsaved cart?", body, true, restore_answered, autosave)) {
    autosave_clear(autosave);
    free(autosave);
  }
}

/* The autosave thread's news: a write failed, the autosave read at start, the recent carts. */
static void autosaver_woke(UiShell *s) {
  char err[400];
  static char last_failure[400];
  if (autosaver_take_wake(s->autosaver, err, sizeof err)) {
    if (strcmp(err, last_failure) != 0) /* said once, not at every keystroke */
      app_message(s->ui.app, APP_MESSAGE_WARNING, "%s", err);
    snprintf(last_failure, sizeof last_failure, "%s", err);
  } else {
    last_failure[0] = '\0';
  }
  Autosave *autosave = calloc(1, sizeof *autosave);
  bool found = false;
  if (autosave && autosaver_take_loaded(s->autosaver, autosave, &found) && found) {
    offer_restore(s, autosave);
  } else {
    autosave_clear(autosave);
    free(autosave);
  }
  char *customer = NULL;
  RecentCartList carts = {0};
  if (autosaver_take_recent(s->autosaver, &customer, &carts)) {
    /* Still for the cart on screen, and nothing opened over it meanwhile. */
    Ui *ui = &s->ui;
    bool current = customer && ui->app->cart.customer_id &&
                   strcmp(customer, ui->app->cart.customer_id) == 0 && ui->overlay_count == 0;
    if (current && !(carts.count > 0 && ui_recent_carts_open(ui, &carts)))
      ui_open_cart_prompt(ui);
    recent_cart_list_clear(&carts);
    free(customer);
  }
  ui_after_transition(s);
}

/* ----- what earlier runs left unsettled ----- */

static void start_reconciler(UiShell *s, const UiContext *context) {
  PcError error;
  memset(&error, 0, sizeof error);
  char why[512] = "";
  s->reconciler = worker_start(context->settings, &error);
  if (s->reconciler &&
      !worker_use_journal(s->reconciler, context->state_path, context->profile_name)) {
    snprintf(why, sizeof why, "out of memory");
    worker_stop(s->reconciler);
    s->reconciler = NULL;
  }
  Job *job = s->reconciler ? app_reconcile_job(s->ui.app) : NULL;
  long id = job ? worker_submit(s->reconciler, job, why, sizeof why) : 0;
  if (!s->reconciler && !why[0])
    snprintf(why, sizeof why, "%s", error.message[0] ? error.message : "no worker");
  app_reconcile_submitted(s->ui.app, id, why);
  pc_error_clear(&error);
}

/* Its report: messages, and what it settled handed to the worker (a repeat answers from it). */
static void reconciler_results(UiShell *s) {
  JobResult *result;
  while ((result = worker_take_result(s->reconciler)) != NULL) {
    if (result->event == JOB_FINISHED && result->kind == JOB_RECONCILE && result->ok)
      worker_set_settled(s->ui.worker, &result->reconcile.settled);
    app_apply_result(s->ui.app, result);
  }
  ui_after_transition(s);
}

/* ----- the test hook ----- */

static bool input_pending(void) {
  struct pollfd fd = {.fd = STDIN_FILENO, .events = POLLIN};
  return poll(&fd, 1, 0) > 0;
}

static void ui_test_hook(UiShell *s) {
  /* An autosave due now (or being written) comes first: a test that kills pccart after the
   * idle signal finds the cart autosaved. One due later (a benchmark's delay) does not wait. */
  if (!s->ui.context->test_hooks || app_busy(s->ui.app) || input_pending() ||
      (s->autosave_due_ms && s->autosave_due_ms <= now_ms()) || autosaver_pending(s->autosaver))
    return;
  printf("\033]2;pccart-idle:%lu\007", s->ui.frame);
  fflush(stdout);
}

/* ----- ui_run ----- */

static void ui_panes_init(Ui *ui) {
  static const PaneOps *const ops[PANE_COUNT] = {&pane_customers_ops, &pane_cart_ops,
                                                 &pane_preview_ops, &pane_results_ops};
  for (int i = 0; i < PANE_COUNT; i++) {
    ui->panes[i].id = (PaneId)i;
    ui->panes[i].ops = ops[i];
    ui->panes[i].list.selected = -1;
  }
}

static long long wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The countdown the screen shows: the cart's expiry while it is not ordered. */
static bool expiry_shown(const AppState *app, time_t *when) {
  return app && app->cart.status != APP_CART_ORDERED && app_cart_expires_at(app, when);
}

/* The countdown's minute now (as both displays compute it from time()); -1 expired, -2 none. */
static long long expiry_minute(const AppState *app) {
  time_t when;
  if (!expiry_shown(app, &when))
    return -2;
  long long left = (long long)difftime(when, time(NULL));
  return left > 0 ? left / 60 : -1;
}

/* Repaints the status bar (always painted) and the cart header when the minute shown changed. */
static bool expiry_tick(UiShell *s) {
  long long minute = expiry_minute(s->ui.app);
  if (minute == s->expiry_shown)
    return false;
  s->expiry_shown = minute;
  s->ui.panes[PANE_CART].dirty = true;
  return true;
}

static int poll_timeout(UiShell *s) {
  if (s->ui.context->test_hooks)
    return s->autosave_due_ms
               ? (int)(s->autosave_due_ms > now_ms() ? s->autosave_due_ms - now_ms() : 0)
               : -1; /* tests never depend on time: toasts go by keys, the
                      * spinner stands still, autosaves are due at once */
  long long now = now_ms(), wait = -1;
  time_t when;
  /* The displays read time(), which may use a coarser clock than the one read here: the wait
   * counts from no later than what time() says, and ends a few ms past the change. */
  if (expiry_shown(s->ui.app, &when)) {
    long long wall = wall_ms(), coarse = (long long)time(NULL) * 1000 + 999;
    if ((wait = cart_ui_expiry_next_ms(when, wall < coarse ? wall : coarse)) >= 0)
      wait += 5;
  }
  for (int i = 0; i < s->toast_count; i++)
    if (s->toasts[i].deadline_ms) {
      long long left = s->toasts[i].deadline_ms - now;
      if (left < 0)
        left = 0;
      if (wait < 0 || left < wait)
        wait = left;
    }
  if (app_busy(s->ui.app) && (wait < 0 || wait > SPINNER_MS))
    wait = SPINNER_MS;
  if (s->autosave_due_ms) {
    long long left = s->autosave_due_ms - now;
    if (left < 0)
      left = 0;
    if (wait < 0 || left < wait)
      wait = left;
  }
  return wait > INT_MAX ? INT_MAX : (int)wait;
}

static int ui_loop(UiShell *s) {
  Ui *ui = &s->ui;
  /* Queuing the first page never waits for the network (the worker does): the first frame
   * shows "Loading…" at once. */
  app_customers_load_more(ui->app);
  if (s->autosaver)
    autosaver_request_load(s->autosaver); /* answered through its descriptor: offer_restore */
  s->autosave_generation = app_cart_generation(ui->app);
  ui_after_transition(s);
  ui_paint(s);
  ui_test_hook(s);
  while (!s->quit) {
    struct pollfd fds[5] = {
        {.fd = STDIN_FILENO, .events = POLLIN},
        {.fd = ui->worker ? worker_wake_fd(ui->worker) : -1, .events = POLLIN},
        {.fd = s->winch_pipe[0], .events = POLLIN},
        {.fd = autosaver_wake_fd(s->autosaver), .events = POLLIN},
        {.fd = s->reconciler ? worker_wake_fd(s->reconciler) : -1, .events = POLLIN},
    };
    int n = poll(fds, 5, poll_timeout(s));
    if (n < 0 && errno != EINTR)
      return UI_EXIT_FAILURE;
    bool any = false;
    if (n > 0 && (fds[2].revents & POLLIN)) {
      ui_handle_winch(s);
      any = true;
    }
    if (terminate_signal) {
      /* No question asked: what is on screen is autosaved, then the terminal restored. */
      autosave_tick(s, true);
      s->exit_status = 128 + terminate_signal;
      return s->exit_status;
    }
    if (n > 0 && (fds[3].revents & POLLIN)) {
      autosaver_woke(s);
      any = true;
    }
    if (n > 0 && (fds[4].revents & POLLIN)) {
      reconciler_results(s);
      any = true;
    }
    if (n > 0 && (fds[1].revents & POLLIN)) {
      JobResult *result;
      while ((result = worker_take_result(ui->worker)) != NULL)
        app_apply_result(ui->app, result);
      ui_after_transition(s);
      any = true;
    }
    if (n > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      if (!(fds[0].revents & POLLIN))
        return UI_EXIT_FAILURE; /* the terminal went away */
      if (is_wintouched(stdscr))
        wnoutrefresh(stdscr);
      wint_t ch;
      int rc;
      while (!s->quit && (rc = get_wch(&ch)) != ERR) {
        ui_key(s, ch, rc == KEY_CODE_YES);
        any = true;
      }
    }
    if (!s->ui.context->test_hooks) {
      int before = s->toast_count;
      toasts_on_time(s);
      if (before != s->toast_count)
        any = true;
      if (expiry_tick(s))
        any = true;
      if (app_busy(ui->app) && now_ms() - s->spinner_ms >= SPINNER_MS) {
        ui->spinner++;
        s->spinner_ms = now_ms();
        any = true;
      }
    }
    autosave_tick(s, false);
    if (any && !s->quit) {
      ui_paint(s);
      ui_test_hook(s);
    }
  }
  /* A clean quit keeps the cart's last state for the next start (unsaved changes too: the
   * quit question says they stay autosaved). */
  autosave_tick(s, true);
  return UI_EXIT_OK;
}

Ui *ui_new(const UiContext *context, AppState *app, Worker *worker) {
  UiShell *s = calloc(1, sizeof *s);
  Keymap *keymap = keymap_new();
  if (!s || !keymap) {
    free(s);
    keymap_free(keymap);
    return NULL;
  }
  Ui *ui = &s->ui;
  ui->context = context;
  ui->app = app;
  ui->worker = worker;
  ui->keymap = keymap;
  ui->mouse = context && context->config && context->config->ui_mouse;
  s->winch_pipe[0] = s->winch_pipe[1] = -1;
  s->expiry_shown = -2; /* no countdown */
  ui_panes_init(ui);
  ui->focus = PANE_CUSTOMERS;
  ui->preview_visible = false;
  s->relayout = true;
  return ui;
}

void ui_free(Ui *ui) {
  if (!ui)
    return;
  UiShell *s = shell_of(ui);
  /* Open questions are answered "no" (and prompts cancelled) so their owners free what they
   * passed along; callbacks may open another overlay, hence the bound. */
  for (int guard = 0; ui->overlay_count > 0 && guard < 4 * MAX_OVERLAYS; guard++) {
    const OverlayOps *top = ui->overlays[ui->overlay_count - 1].ops;
    if (top == &confirm_ops)
      confirm_answer(ui, false);
    else if (top == &prompt_ops)
      prompt_answer(ui, false);
    else
      ui_overlay_close(ui);
  }
  while (ui->overlay_count > 0)
    ui_overlay_close(ui);
  ui_free_windows(s);
  /* Each pane's state is one allocation (see Pane.data). */
  for (int i = 0; i < PANE_COUNT; i++)
    free(ui->panes[i].data);
  keymap_free(ui->keymap);
  for (int i = 0; i < 2; i++)
    if (s->winch_pipe[i] >= 0)
      close(s->winch_pipe[i]);
  free(s);
}

int ui_run(const UiContext *context) {
  setlocale(LC_ALL, "");
  const Config *config = context->config;
  char err[2048];
  /* The app and the worker come once the configuration has been checked: a bad key binding
   * or theme is reported before anything starts. */
  Ui *ui = ui_new(context, NULL, NULL);
  if (!ui) {
    fprintf(stderr, "pccart: out of memory\n");
    return UI_EXIT_FAILURE;
  }
  UiShell *s = shell_of(ui);
  if (!keymap_apply_config(ui->keymap, config, err, sizeof err)) {
    fprintf(stderr, "%s\n", err);
    ui_free(ui);
    return UI_EXIT_CONFIG;
  }
  const char *no_color_env = getenv("NO_COLOR");
  bool no_color = no_color_env && *no_color_env;
  const char *theme = config ? config->ui_theme : NULL;
  const char *config_path = config ? config->path : NULL;
  int theme_line = config ? config->ui_theme_line : 0;
  /* The configured theme is checked even under NO_COLOR: a typo is reported either way. */
  if ((theme && !theme_load(theme, false, config_path, theme_line, err, sizeof err)) ||
      (no_color && !theme_load(NULL, true, config_path, theme_line, err, sizeof err)) ||
      (!theme && !no_color && !theme_load(NULL, false, config_path, theme_line, err, sizeof err))) {
    fprintf(stderr, "%s\n", err);
    ui_free(ui);
    return UI_EXIT_CONFIG;
  }
  if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
    fprintf(stderr, "pccart: the interactive screen needs a terminal; for scripts use a command "
                    "(pccart --help)\n");
    ui_free(ui);
    return UI_EXIT_FAILURE;
  }
  AppOptions options = {
      .profile_name = context->profile_name, .is_live = context->is_live, .page_size = 100};
  ui->app = app_new(&options);
  PcError pc_error;
  memset(&pc_error, 0, sizeof pc_error);
  ui->worker = ui->app ? worker_start(context->settings, &pc_error) : NULL;
  int status = UI_EXIT_FAILURE;
  SCREEN *screen = NULL;
  struct sigaction old_winch, old_term, old_hup;
  bool winch_installed = false, end_installed = false;
  if (!ui->app) {
    fprintf(stderr, "pccart: out of memory\n");
    goto done;
  }
  if (!ui->worker) {
    fprintf(stderr, "pccart: cannot start: %s\n",
            pc_error.message[0] ? pc_error.message : "the worker thread did not start");
    goto done;
  }
  /* Every save and checkout is journaled before it is sent; what an earlier run left
   * unsettled is settled first. Without the store the app still runs, and says so. */
  if (context->state_path) {
    char journal_err[512];
    /* No file is opened here: the worker, the reconciler and the autosave thread each open
     * their own connection (a locked file may wait seconds). A store that cannot be used is
     * said when the reconciler reports (JOB_RECONCILE fails with the store's sentence). */
    if (worker_use_journal(ui->worker, context->state_path, context->profile_name))
      start_reconciler(s, context);
    s->autosaver = autosaver_start(context->state_path, context->profile_name, journal_err,
                                   sizeof journal_err);
    if (!s->autosaver)
      app_message(ui->app, APP_MESSAGE_WARNING, "The cart is not autosaved: %s", journal_err);
    /* Under the test hooks a change is autosaved at once, so that the idle signal means "on
     * disk"; a benchmark (or a test of the delay) sets PCCART_AUTOSAVE_DELAY_MS. */
    const char *delay = getenv("PCCART_AUTOSAVE_DELAY_MS");
    s->autosave_delay_ms = delay && context->test_hooks ? atol(delay)
                           : context->test_hooks        ? 0
                                                        : AUTOSAVE_DELAY_MS;
    if (s->autosave_delay_ms < 0)
      s->autosave_delay_ms = 0;
  }
  if (pipe2(s->winch_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
    fprintf(stderr, "pccart: cannot start: %s\n", strerror(errno));
    goto done;
  }
  screen = newterm(NULL, stdout, stdin);
  if (!screen) {
    fprintf(stderr, "pccart: the terminal (TERM=%s) is not supported by curses\n",
            getenv("TERM") ? getenv("TERM") : "");
    goto done;
  }
  set_term(screen);
  /* Our handler replaces curses' own: the loop resizes when the pipe wakes it. */
  winch_fd = s->winch_pipe[1];
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_winch;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  winch_installed = sigaction(SIGWINCH, &sa, &old_winch) == 0;
  struct sigaction on_end;
  memset(&on_end, 0, sizeof on_end);
  on_end.sa_handler = on_terminate;
  sigemptyset(&on_end.sa_mask);
  on_end.sa_flags = SA_RESTART;
  terminate_signal = 0;
  end_installed =
      sigaction(SIGTERM, &on_end, &old_term) == 0 && sigaction(SIGHUP, &on_end, &old_hup) == 0;
  raw(); /* C-s, C-c and C-z reach the keymap instead of the tty driver */
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  nodelay(stdscr, TRUE);
  set_escdelay(25);
  curs_set(0);
  theme_apply();
  if (ui->mouse) {
    mouseinterval(0);
    mmask_t mask = BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED;
#ifdef BUTTON5_PRESSED
    mask |= BUTTON5_PRESSED;
#endif
    mousemask(mask, NULL);
  }
  status = ui_loop(s);
done:;
  /* The shell goes first (its windows before the screen; answered questions may still post to
   * the app), then the screen, the worker and the app. */
  AppState *app = ui->app;
  Worker *worker = ui->worker;
  Autosaver *autosaver = s->autosaver;
  Worker *reconciler = s->reconciler;
  s->autosaver = NULL;
  s->reconciler = NULL;
  ui_free(ui);
  if (screen) {
    endwin();
    delscreen(screen);
  }
  if (winch_installed)
    sigaction(SIGWINCH, &old_winch, NULL);
  winch_fd = -1;
  /* The last autosave is written before anything else can go wrong. */
  autosaver_stop(autosaver);
  /* A check cut short leaves what it had not reached for the next start. */
  worker_stop(reconciler);
  if (worker)
    worker_stop(worker);
  if (end_installed) {
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
  }
  pc_error_clear(&pc_error);
  app_free(app);
  return status;
}

/* ----- the KEYS section ----- */

/* roff: '-' as \-, '\' as \e, and a leading '.' or '\'' protected. */
static void roff_put(FILE *out, const char *text) {
  if (*text == '.' || *text == '\'')
    fputs("\\&", out);
  for (const char *p = text; *p; p++) {
    if (*p == '-')
      fputs("\\-", out);
    else if (*p == '\\')
      fputs("\\e", out);
    else
      fputc(*p, out);
  }
}

void ui_print_keys(FILE *out, bool man) {
  Keymap *keymap = keymap_new();
  if (!keymap)
    return;
  static const ActionContext order[] = {ACTION_CTX_GLOBAL, ACTION_CTX_CUSTOMERS, ACTION_CTX_CART,
                                        ACTION_CTX_FORM};
  for (size_t c = 0; c < sizeof order / sizeof order[0]; c++) {
    if (man) {
      fputs(".SS ", out);
      roff_put(out, action_context_title(order[c]));
      fputc('\n', out);
    } else {
      fprintf(out, "%s%s\n", c ? "\n" : "", action_context_title(order[c]));
    }
    for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
      if (action_context((Action)a) != order[c])
        continue;
      char keys[128];
      keymap_keys_text(keymap, (Action)a, keys, sizeof keys);
      if (man) {
        fputs(".TP\n.B ", out);
        roff_put(out, keys);
        fputc('\n', out);
        roff_put(out, action_help((Action)a));
        fputs(" (", out);
        roff_put(out, action_name((Action)a));
        fputs(")\n", out);
      } else {
        fprintf(out, "  %-20s %-22s %s\n", keys, action_name((Action)a), action_help((Action)a));
      }
    }
  }
  keymap_free(keymap);
}
