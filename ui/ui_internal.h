/* What the TUI's files share: the Ui (app state, worker, keymap, theme, panes, overlays), the
 * pane and overlay ops tables, handler result flags, theme roles, and the widgets (list view,
 * text field) and drawing helpers every pane uses. Only ui/ includes curses. */
#ifndef PCCART_UI_INTERNAL_H
#define PCCART_UI_INTERNAL_H

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "app/app.h"
#include "state/state.h"
#include "app/worker.h"
#include "config/config.h"
#include "ui/actions.h"
#include "ui/ui.h"

/* ----- handler results (bit flags) ----- */

enum {
  UI_UNHANDLED = 0,
  UI_HANDLED = 1 << 0,  /* the key or action was used */
  UI_REDRAW = 1 << 1,   /* repaint the pane (or overlay) that handled it */
  UI_RELAYOUT = 1 << 2, /* pane sizes changed (preview toggled): lay out and repaint all */
  UI_QUIT = 1 << 3,     /* leave the main loop */
};

/* ----- theme: semantic roles (the files themes/NAME.cfg map them to colours and attributes) -----
 */

#define PCC_THEME_ROLES(X)                                                                         \
  X(NORMAL, "normal")               /* ordinary text */                                            \
  X(DIM, "dim")                     /* secondary text: ids, hints */                               \
  X(TITLE, "title")                 /* a pane's title, not focused */                              \
  X(TITLE_FOCUSED, "title-focused") /* the focused pane's title */                                 \
  X(HEADER, "header")               /* column headers */                                           \
  X(SELECTED, "selected")           /* the selected row of the focused pane */                     \
  X(SELECTED_UNFOCUSED, "selected-unfocused")                                                      \
  X(STATUS, "status")     /* the status bar */                                                     \
  X(SANDBOX, "sandbox")   /* the SANDBOX badge */                                                  \
  X(LIVE, "live")         /* the LIVE badge: unmistakable */                                       \
  X(HINT_KEY, "hint-key") /* a key in the key-hint bar */                                          \
  X(HINT_TEXT, "hint-text")                                                                        \
  X(SUCCESS, "success")                                                                            \
  X(WARNING, "warning")                                                                            \
  X(ERROR, "error")                                                                                \
  X(INPUT, "input") /* a text field */                                                             \
  X(INPUT_FOCUSED, "input-focused")                                                                \
  X(DIALOG, "dialog") /* dialogs, the help overlay, forms */                                       \
  X(DIALOG_TITLE, "dialog-title")                                                                  \
  X(JSON_KEY, "json-key")                                                                          \
  X(JSON_STRING, "json-string")                                                                    \
  X(JSON_NUMBER, "json-number") /* numbers, true, false, null */                                   \
  X(JSON_PUNCTUATION, "json-punctuation")

typedef enum ThemeRole {
#define PCC_THEME_ROLE_ENUM(id, name) ROLE_##id,
  PCC_THEME_ROLES(PCC_THEME_ROLE_ENUM)
#undef PCC_THEME_ROLE_ENUM
      ROLE_COUNT
} ThemeRole;

/* The curses attributes (colour pair included) of a role in the loaded theme. Under NO_COLOR or
 * the mono theme only attributes (bold, reverse, underline) are used, and every state also has a
 * word or symbol, so nothing depends on colour alone. */
attr_t theme_attr(ThemeRole role);

/* ----- the keymap ----- */

typedef struct Keymap Keymap;
/* The action bound to key in context (the context first, then global); ACTION_NONE if none.
 * key is a curses key code (KEY_*) or a character (wint_t), is_key telling which. */
Action keymap_lookup(const Keymap *keymap, ActionContext context, wint_t key, bool is_key);
/* The keys of an action as shown to people ("j, Down"), into buf. */
const char *keymap_keys_text(const Keymap *keymap, Action action, char *buf, size_t size);

/* ----- the action table, the keymap and the theme as ui_run sets them up (ui/keymap.c,
 * ui/theme.c); also used by the tests ----- */

const char *action_name(Action action); /* "add-line" */
/* A short human label for the key-hint bar ("add", "check out", "preview"). */
const char *action_label(Action action);
const char *action_help(Action action);
ActionContext action_context(Action action);
unsigned action_needs(Action action); /* ACTION_NEEDS_* */
/* "Everywhere", "Customer list", "Cart", "Forms and prompts" */
const char *action_context_title(ActionContext context);

/* The default bindings of the action table; NULL when out of memory. */
Keymap *keymap_new(void);
void keymap_free(Keymap *keymap);
/* A key name as the config writes it ("a", "C-s", "PageUp", "F5") into a curses key code or a
 * character; false when it is not a key name. */
bool keymap_parse_key(const char *name, wint_t *key, bool *is_key);
/* The `ui.keys` bindings of the config: each replaces the action's default keys. False with
 * err "FILE:LINE: ui.keys.NAME: ..." for an unknown action or key name, or a printable key
 * bound to a form action (typed keys always go into the field). */
bool keymap_apply_config(Keymap *keymap, const Config *config, char *err, size_t err_size);

/* Loads the theme called name (NULL: "default") from $PCCART_THEMES_DIR or the built-in
 * themes directory; no_color (NO_COLOR set) loads "mono" instead. config_path and config_line
 * say where name was set, for the message. False with err "FILE:LINE: ..." on an unknown
 * theme or a bad theme file. Call before initscr; theme_apply after start_color. */
bool theme_load(const char *name, bool no_color, const char *config_path, int config_line,
                char *err, size_t err_size);
/* Makes the colour pairs (when the terminal has colours and the theme uses them). */
void theme_apply(void);

/* ----- panes ----- */

typedef enum PaneId {
  PANE_CUSTOMERS = 0,
  PANE_CART,
  PANE_PREVIEW,
  PANE_RESULTS,
  PANE_COUNT,
} PaneId;

typedef struct Ui Ui;
typedef struct Pane Pane;

typedef struct PaneOps {
  const char *title;
  ActionContext context;            /* which keymap context applies while it is focused */
  unsigned repaint_on;              /* APP_CHANGED_* bits that make it dirty */
  void (*draw)(Ui *ui, Pane *pane); /* into pane->win, whole area */
  unsigned (*action)(Ui *ui, Pane *pane, Action action);
  /* Printable input (a filter being typed); UI_UNHANDLED when the pane takes no text. */
  unsigned (*text)(Ui *ui, Pane *pane, wint_t ch, bool is_key);
  /* Mouse: a click at (y, x) inside the pane (pane coordinates) or the wheel (delta rows). */
  unsigned (*click)(Ui *ui, Pane *pane, int y, int x, int wheel);
} PaneOps;

/* A scrollable list's cursor: `selected` in 0..count-1 (or -1 when empty), `top` the first row
 * shown. The panes keep one each. */
typedef struct ListView {
  long top;
  long selected;
} ListView;

/* Moves by delta rows (page moves pass +-rows), clamps to count, keeps selected visible within
 * `rows` rows. */
void list_view_move(ListView *view, long delta, long count, int rows);
void list_view_set(ListView *view, long selected, long count, int rows);
/* The moves a pick-list takes (up and down, also as the form's field and choice keys, page,
 * first and last); true when action was one of them. */
bool list_view_action(ListView *view, Action action, long count, int rows);

struct Pane {
  PaneId id;
  const PaneOps *ops;
  WINDOW *win; /* NULL while hidden */
  int y, x, height, width;
  bool visible;
  bool dirty;
  ListView list;
  void *data; /* the pane's own state: one malloc'd block, freed with free() by ui_run */
};

/* ----- overlays: modal layers drawn over the panes (form, catalog browser, dialogs, help) ----- */

typedef struct OverlayOps {
  ActionContext context; /* ACTION_CTX_FORM for forms and dialogs with text fields */
  void (*draw)(Ui *ui, void *data, WINDOW *win); /* win: the overlay's window, already sized */
  /* The overlay's size for the screen (it may not fit: then it gets what there is). */
  void (*size)(Ui *ui, void *data, int screen_rows, int screen_cols, int *rows, int *cols);
  unsigned (*action)(Ui *ui, void *data, Action action);
  unsigned (*text)(Ui *ui, void *data, wint_t ch, bool is_key); /* typed input */
  void (*free)(void *data);
  /* APP_CHANGED_* bits that make it repaint (the browser when the catalog arrives). */
  unsigned repaint_on;
} OverlayOps;

/* Opens an overlay on top (it owns data; ops->free frees it when closed). False when it
 * cannot open (too many overlays): the caller still owns data. */
bool ui_overlay_open(Ui *ui, const OverlayOps *ops, void *data);
/* Closes the top overlay. */
void ui_overlay_close(Ui *ui);

/* A yes/no question; default_yes false makes Enter and Esc answer No (deletes, clear, checkout,
 * quit with unsaved changes). on_answer runs with the answer once the dialog closes. */
typedef void (*UiConfirmed)(Ui *ui, bool yes, void *data);
bool ui_confirm(Ui *ui, const char *title, const char *body, bool default_yes,
                UiConfirmed on_answer, void *data);
/* A one-line text prompt (cart id, file name). text is NULL when cancelled. */
typedef void (*UiPrompted)(Ui *ui, const char *text, void *data);
bool ui_prompt(Ui *ui, const char *title, const char *initial, UiPrompted on_answer, void *data);

/* ----- the Ui ----- */

struct Ui {
  const UiContext *context;
  AppState *app;
  Worker *worker;
  Keymap *keymap;
  Pane panes[PANE_COUNT];
  PaneId focus;
  bool preview_visible;
  int rows, cols; /* the terminal */
  bool too_small; /* below the minimum: only the "terminal too small" screen */
  bool mouse;
  unsigned long frame; /* frames painted (the test hook reports it) */
  /* The overlay stack (top last). */
  struct {
    const OverlayOps *ops;
    void *data;
    WINDOW *win;
  } overlays[8];
  int overlay_count;
  WINDOW *status_win; /* top line: profile, SANDBOX/LIVE, customer, cart, spinner, message */
  WINDOW *hint_win;   /* bottom line: the focused context's keys */
  int spinner;
};

/* A Ui for ui_run, tests and embedding: the shell's state (panes, focus on the customers, no
 * overlays, no windows until the first layout), the default keymap (keymap_apply_config may
 * change it), and the app state and worker it borrows (either may be NULL until it is set in
 * ui->app / ui->worker, before the Ui is used). context is borrowed too and must outlive the Ui.
 * Drawing needs a curses screen (newterm), made and ended by the caller. NULL when out of
 * memory. */
Ui *ui_new(const UiContext *context, AppState *app, Worker *worker);
/* Answers open questions "no", cancels prompts, closes every overlay, deletes the Ui's windows
 * (call it before endwin / delscreen) and frees the panes' state, the keymap and the Ui. The
 * app state and worker are the caller's: free them after (the answers may still post to the
 * app). NULL is accepted. */
void ui_free(Ui *ui);

/* Moves the focus to a visible pane (repaints both and the key-hint bar). */
void ui_focus_pane(Ui *ui, PaneId id);

/* Runs the app's outbox: hands each job to the worker and tells the app its id. */
void ui_submit_jobs(Ui *ui);
/* Marks panes (and overlays) dirty for APP_CHANGED_* bits. */
void ui_mark_dirty(Ui *ui, unsigned changes);
/* The message for a failed transition, shown in the status bar and as a toast. */
void ui_say(Ui *ui, AppMessageLevel level, const char *text);

/* ----- the line form and the catalog browser (ui/form.c, ui/catalog_browser.c) ----- */

/* Opens the catalog browser (product -> SKU -> availability/term, searchable); picking an
 * availability opens the line form for a new line. */
bool ui_catalog_browser_open(Ui *ui);
/* Opens the line form for catalog_item_id (new line) or for the draft's line_index (edit,
 * catalog_item_id NULL). */
bool ui_line_form_open(Ui *ui, const char *catalog_item_id, long line_index);

/* ----- opening a cart (ui/recent_carts.c, ui.c) ----- */

/* Opens cart id of the current customer (asking first when the cart has unsaved changes). */
void ui_open_cart_id(Ui *ui, const char *id);
/* The prompt for a cart id (empty, or starting with `initial`). */
void ui_open_cart_prompt(Ui *ui);
void ui_open_cart_prompt_with(Ui *ui, const char *initial);
/* The pick-list of the customer's recent carts (takes carts; false when it cannot open). */
bool ui_recent_carts_open(Ui *ui, RecentCartList *carts);

/* ----- widgets and drawing ----- */

/* A one-line text field holding UTF-8 as wide characters. */
typedef struct TextField {
  wchar_t text[256];
  size_t length;
  size_t cursor;
  size_t scroll; /* first character shown */
} TextField;

void text_field_set(TextField *field, const char *utf8);
/* Editing keys: characters insert; Backspace, Delete, Left, Right, Home, End, C-a, C-e, C-u
 * (clear), C-w (delete word). UI_HANDLED|UI_REDRAW when used; UI_UNHANDLED for other keys. */
unsigned text_field_key(TextField *field, wint_t ch, bool is_key);
/* The text as UTF-8 into buf; false when it does not fit. */
bool text_field_utf8(const TextField *field, char *buf, size_t size);
void text_field_draw(WINDOW *win, int y, int x, int width, const TextField *field, bool focused);

/* Draws UTF-8 text at (y, x) in at most width columns (wide characters counted by wcwidth;
 * control characters shown as '?'; "…" when cut) with a role; returns the columns used. */
int draw_text(WINDOW *win, int y, int x, int width, const char *utf8, ThemeRole role);
/* The columns a UTF-8 text takes. */
int text_width(const char *utf8);
/* A box with a title in the title role (focused or not). */
void draw_frame(WINDOW *win, const char *title, bool focused);

#endif
