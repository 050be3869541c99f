/* The line item form: the view and controller of the app's LineForm. One row per field (label
 * and value: a text field, or "< choice >"), a row under it for the field's error or its hint,
 * a pick-list overlay for choices and subscriptions. Every rule (what is allowed, what depends
 * on what, what is wrong) is the model's: this file hands values to line_form_set, asks
 * line_form_validate and shows what they say. Typed keys go into the field; only the FORM
 * context's keys (none printable) act. */
#include "ui/cart_ui.h"
#include "ui/ui_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wctype.h>

typedef struct FormView {
  LineForm *form;
  TextField *fields;   /* one per form field (used by TEXT, NUMBER and GUID fields) */
  bool *show_error;    /* the field was left or the form submitted: its error shows */
  bool *refused;       /* line_form_set refused the typed value */
  size_t focus;        /* a field that is not READONLY (when there is one) */
  size_t scroll;       /* the first field shown */
  size_t fields_shown; /* how many fit in the last frame */
  bool tried_submit;   /* a submit found problems: the footer counts them */
  /* Editing a line: the cart and the line's catalog item when the form opened, so that a cart
   * replaced underneath (a reload or an open arriving meanwhile) is never written into. */
  char edited_cart_id[64];
  char edited_item[160];
} FormView;

static const char *text_or_empty(const char *text) {
  return text != NULL ? text : "";
}

/* The line being edited is still where it was, in the same cart. */
static bool edited_line_still_there(const Ui *ui, const FormView *v) {
  const Cart *cart = ui->app->cart.draft;
  long index = v->form->line_index;
  return cart != NULL && index >= 0 && (size_t)index < cart->line_items.count &&
         strcmp(text_or_empty(cart->id), v->edited_cart_id) == 0 &&
         strcmp(text_or_empty(cart->line_items.items[index].catalog_item_id), v->edited_item) == 0;
}

static bool is_text_kind(FormFieldKind kind) {
  return kind == FORM_FIELD_TEXT || kind == FORM_FIELD_NUMBER || kind == FORM_FIELD_GUID;
}

static bool focusable(const FormView *v, size_t i) {
  return v->form->fields[i].kind != FORM_FIELD_READONLY;
}

static const char *value_of(const FormField *field) {
  return field->value != NULL ? field->value : "";
}

/* The text fields show the model's values (after a change that others depend on). */
static void sync_fields(FormView *v, size_t except) {
  for (size_t i = 0; i < v->form->count; i++) {
    if (i != except && is_text_kind(v->form->fields[i].kind)) {
      text_field_set(&v->fields[i], value_of(&v->form->fields[i]));
    }
  }
}

/* Hands the typed text of field i to the model when it differs from what the model has. */
static void commit_field(FormView *v, size_t i) {
  FormField *field = &v->form->fields[i];
  if (!is_text_kind(field->kind)) {
    return;
  }
  /* Untouched since it showed the model's value: nothing to hand over. A value longer than a
   * field holds is shown cut, and the cut text must not replace it. */
  TextField shown;
  text_field_set(&shown, value_of(field));
  if (shown.length == v->fields[i].length &&
      wmemcmp(shown.text, v->fields[i].text, shown.length) == 0) {
    return;
  }
  char text[1024];
  if (!text_field_utf8(&v->fields[i], text, sizeof text)) {
    v->refused[i] = true;
    return;
  }
  if (strcmp(text, value_of(field)) == 0) {
    return;
  }
  v->refused[i] = !line_form_set(v->form, i, text);
  sync_fields(v, i);
}

/* Refreshes the errors the user has seen (the model sets them all; the view shows some). */
static bool revalidate(Ui *ui, FormView *v) {
  return line_form_validate(v->form, ui->app);
}

static bool any_error_shown(const FormView *v) {
  for (size_t i = 0; i < v->form->count; i++) {
    if (v->show_error[i]) {
      return true;
    }
  }
  return false;
}

static bool field_has_problem(const FormView *v, size_t i) {
  return v->refused[i] || v->form->fields[i].error != NULL;
}

static void scroll_to(FormView *v, size_t i) {
  if (i < v->scroll) {
    v->scroll = i;
  }
  size_t shown = v->fields_shown > 0 ? v->fields_shown : 1;
  if (i >= v->scroll + shown) {
    v->scroll = i - shown + 1;
  }
}

/* Leaves the focused field (its value goes to the model and its error shows) for field to. */
static void move_focus(Ui *ui, FormView *v, size_t to) {
  if (to == v->focus || to >= v->form->count) {
    return;
  }
  commit_field(v, v->focus);
  v->show_error[v->focus] = true;
  revalidate(ui, v);
  v->focus = to;
  scroll_to(v, to);
}

static bool next_focusable(const FormView *v, size_t from, int step, size_t *out) {
  long i = (long)from;
  for (;;) {
    i += step;
    if (i < 0 || (size_t)i >= v->form->count) {
      return false;
    }
    if (focusable(v, (size_t)i)) {
      *out = (size_t)i;
      return true;
    }
  }
}

/* ----- choices ----- */

static long choice_index(const FormField *field) {
  const char *value = value_of(field);
  for (size_t i = 0; i < field->choices.count; i++) {
    if (strcasecmp(field->choices.items[i], value) == 0) {
      return (long)i;
    }
  }
  return -1;
}

static const char *choice_label(const FormField *field, size_t i) {
  if (i < field->choice_labels.count && field->choice_labels.items[i] != NULL &&
      field->choice_labels.items[i][0] != '\0') {
    return field->choice_labels.items[i];
  }
  return field->choices.items[i];
}

static void set_choice(Ui *ui, FormView *v, size_t field_index, size_t choice) {
  FormField *field = &v->form->fields[field_index];
  if (choice >= field->choices.count) {
    return;
  }
  /* Copy: line_form_set may rebuild the choices it depends on. */
  char value[512];
  snprintf(value, sizeof value, "%s", field->choices.items[choice]);
  v->refused[field_index] = !line_form_set(v->form, field_index, value);
  sync_fields(v, SIZE_MAX);
  if (any_error_shown(v)) {
    revalidate(ui, v);
  }
}

static void cycle_choice(Ui *ui, FormView *v, int step) {
  const FormField *field = &v->form->fields[v->focus];
  size_t n = field->choices.count;
  if (n == 0) {
    return;
  }
  long at = choice_index(field);
  long next = at < 0 ? (step > 0 ? 0 : (long)n - 1) : (at + step + (long)n) % (long)n;
  set_choice(ui, v, v->focus, (size_t)next);
}

/* ----- the pick-list: a small list over the form ----- */

typedef struct PickList {
  FormView *view; /* the form below (open while the pick-list is) */
  size_t field;
  ListView list;
  int rows;
} PickList;

static void pick_size(Ui *ui, void *data, int screen_rows, int screen_cols, int *rows, int *cols) {
  (void)ui;
  PickList *p = data;
  const FormField *field = &p->view->form->fields[p->field];
  int widest = text_width(field->label) + 4;
  for (size_t i = 0; i < field->choices.count; i++) {
    int w = text_width(choice_label(field, i));
    if (strcmp(choice_label(field, i), field->choices.items[i]) != 0) {
      w += text_width(field->choices.items[i]) + 3;
    }
    if (w > widest) {
      widest = w;
    }
  }
  *cols = widest + 6;
  if (*cols > screen_cols - 4) {
    *cols = screen_cols - 4;
  }
  *rows = (int)field->choices.count + 3;
  if (*rows > screen_rows - 4) {
    *rows = screen_rows - 4;
  }
  if (*rows < 4) {
    *rows = 4;
  }
  if (*cols < 20) {
    *cols = 20;
  }
}

static void pick_draw(Ui *ui, void *data, WINDOW *win) {
  (void)ui;
  PickList *p = data;
  const FormField *field = &p->view->form->fields[p->field];
  int height, width;
  getmaxyx(win, height, width);
  wbkgdset(win, (chtype)' ' | (chtype)theme_attr(ROLE_DIALOG));
  werase(win);
  draw_frame(win, field->label, true);
  int rows = height - 3;
  p->rows = rows > 0 ? rows : 1;
  long count = (long)field->choices.count;
  if (p->list.selected >= count) {
    p->list.selected = count - 1;
  }
  if (p->list.selected >= p->list.top + p->rows) {
    p->list.top = p->list.selected - p->rows + 1;
  }
  if (p->list.top > p->list.selected) {
    p->list.top = p->list.selected < 0 ? 0 : p->list.selected;
  }
  long current = choice_index(field);
  for (int r = 0; r < rows && p->list.top + r < count; r++) {
    long i = p->list.top + r;
    int y = 1 + r;
    bool selected = i == p->list.selected;
    ThemeRole role = selected ? ROLE_SELECTED : ROLE_DIALOG;
    if (selected) {
      mvwhline(win, y, 1, (chtype)' ' | (chtype)theme_attr(ROLE_SELECTED), width - 2);
    }
    /* "*" marks the value the field has now; "›" the row under the cursor. */
    draw_text(win, y, 1, 1, selected ? "›" : " ", role);
    draw_text(win, y, 2, 1, i == current ? "*" : " ", role);
    const char *label = choice_label(field, (size_t)i);
    int used = draw_text(win, y, 4, width - 5, label, role);
    if (strcmp(label, field->choices.items[i]) != 0 && 4 + used + 3 < width - 1) {
      draw_text(win, y, 4 + used + 1, width - 6 - used, field->choices.items[i],
                selected ? role : ROLE_DIM);
    }
  }
  draw_text(win, height - 2, 1, width - 2, "Enter picks · Esc leaves it as it was", ROLE_DIM);
}

static unsigned pick_choose(Ui *ui, PickList *p) {
  FormView *v = p->view;
  size_t field = p->field;
  long selected = p->list.selected;
  ui_overlay_close(ui); /* frees p */
  if (selected >= 0) {
    set_choice(ui, v, field, (size_t)selected);
    if (is_text_kind(v->form->fields[field].kind)) {
      text_field_set(&v->fields[field], value_of(&v->form->fields[field]));
    }
  }
  return UI_HANDLED | UI_REDRAW;
}

static unsigned pick_action(Ui *ui, void *data, Action action) {
  PickList *p = data;
  long count = (long)p->view->form->fields[p->field].choices.count;
  if (list_view_action(&p->list, action, count, p->rows)) {
    return UI_HANDLED | UI_REDRAW;
  }
  switch (action) {
  case ACTION_FORM_ENTER:
  case ACTION_FORM_SUBMIT:
  case ACTION_FORM_PICK:
    return pick_choose(ui, p);
  case ACTION_FORM_ABANDON:
  case ACTION_CANCEL:
    ui_overlay_close(ui);
    return UI_HANDLED | UI_REDRAW;
  default:
    return UI_UNHANDLED;
  }
}

/* A typed character jumps to the next row whose label starts with it. */
static unsigned pick_text(Ui *ui, void *data, wint_t ch, bool is_key) {
  (void)ui;
  PickList *p = data;
  if (is_key) {
    return UI_UNHANDLED;
  }
  const FormField *field = &p->view->form->fields[p->field];
  size_t n = field->choices.count;
  for (size_t k = 1; k <= n; k++) {
    size_t i = ((size_t)(p->list.selected < 0 ? 0 : p->list.selected) + k) % n;
    const char *label = choice_label(field, i);
    if (label[0] != '\0' && (unsigned char)label[0] < 0x80 &&
        towlower((wint_t)(unsigned char)label[0]) == towlower(ch)) {
      list_view_set(&p->list, (long)i, (long)n, p->rows);
      return UI_HANDLED | UI_REDRAW;
    }
  }
  return UI_HANDLED;
}

const OverlayOps cart_ui_pick_ops = {
    .context = ACTION_CTX_FORM,
    .draw = pick_draw,
    .size = pick_size,
    .action = pick_action,
    .text = pick_text,
    .free = free, /* the pick-list state is one block */
    .repaint_on = 0,
};

static unsigned open_pick(Ui *ui, FormView *v) {
  const FormField *field = &v->form->fields[v->focus];
  if ((field->kind != FORM_FIELD_CHOICE && field->kind != FORM_FIELD_GUID) ||
      field->choices.count == 0) {
    ui_say(ui, APP_MESSAGE_INFO,
           field->kind == FORM_FIELD_GUID ? "No subscriptions to pick from: type the id."
                                          : "This field has nothing to pick from.");
    return UI_HANDLED;
  }
  commit_field(v, v->focus);
  PickList *p = calloc(1, sizeof *p);
  if (p == NULL) {
    ui_say(ui, APP_MESSAGE_ERROR, "Out of memory.");
    return UI_HANDLED;
  }
  p->view = v;
  p->field = v->focus;
  p->rows = 1;
  long current = choice_index(field);
  p->list.selected = current >= 0 ? current : 0;
  if (!ui_overlay_open(ui, &cart_ui_pick_ops, p)) {
    free(p);
    ui_say(ui, APP_MESSAGE_ERROR, "The pick-list could not open.");
  }
  return UI_HANDLED | UI_REDRAW;
}

/* ----- submit and abandon ----- */

static unsigned submit(Ui *ui, FormView *v) {
  commit_field(v, v->focus);
  for (size_t i = 0; i < v->form->count; i++) {
    v->show_error[i] = true;
  }
  bool ok = revalidate(ui, v);
  for (size_t i = 0; i < v->form->count; i++) {
    if (v->refused[i]) {
      ok = false;
    }
  }
  if (!ok) {
    v->tried_submit = true;
    /* The cursor goes to the first field with a problem (a read-only one is scrolled to). */
    for (size_t i = 0; i < v->form->count; i++) {
      if (field_has_problem(v, i)) {
        if (focusable(v, i)) {
          v->focus = i;
        }
        scroll_to(v, i);
        break;
      }
    }
    return UI_HANDLED | UI_REDRAW;
  }
  CartLineItem line;
  memset(&line, 0, sizeof line);
  if (!line_form_to_line(v->form, &line)) {
    cart_line_item_clear(&line);
    ui_say(ui, APP_MESSAGE_ERROR, "Out of memory: the line was not added.");
    return UI_HANDLED | UI_REDRAW;
  }
  char why[256] = "";
  long index = v->form->line_index;
  bool added = index < 0;
  if (!added && !edited_line_still_there(ui, v)) {
    cart_line_item_clear(&line);
    ui_say(ui, APP_MESSAGE_ERROR,
           "The cart changed while this form was open (it was reloaded or another cart was "
           "opened), so the line was not replaced; press Esc and edit the line again.");
    return UI_HANDLED | UI_REDRAW;
  }
  bool done = added ? app_cart_add_line(ui->app, &line, why, sizeof why)
                    : app_cart_replace_line(ui->app, (size_t)index, &line, why, sizeof why);
  char title[256];
  cart_ui_line_title(ui->app, &line, title, sizeof title);
  long quantity = line.quantity.set ? line.quantity.value : 0;
  cart_line_item_clear(&line);
  if (!done) {
    ui_say(ui, APP_MESSAGE_ERROR, why[0] ? why : "The cart refused the line.");
    return UI_HANDLED | UI_REDRAW;
  }
  size_t count = ui->app->cart.draft->line_items.count;
  size_t number = added ? count : (size_t)index + 1;
  Pane *cart = &ui->panes[PANE_CART];
  cart->list.selected = (long)number - 1;
  char text[400];
  snprintf(text, sizeof text, "Line %zu %s: %s, quantity %ld.", number, added ? "added" : "updated",
           title, quantity);
  ui_overlay_close(ui); /* frees v */
  ui_say(ui, APP_MESSAGE_SUCCESS, text);
  ui_submit_jobs(ui);
  return UI_HANDLED | UI_REDRAW;
}

static void on_abandon_answer(Ui *ui, bool yes, void *data) {
  (void)data;
  if (yes) {
    ui_overlay_close(ui); /* the form: the dialog has closed already */
  }
}

static unsigned abandon(Ui *ui, FormView *v) {
  commit_field(v, v->focus);
  if (!v->form->changed) {
    ui_overlay_close(ui);
    return UI_HANDLED | UI_REDRAW;
  }
  ui_confirm(ui, "Abandon the line",
             v->form->line_index < 0 ? "Discard this new line?"
                                     : "Discard your changes to this line?",
             false, on_abandon_answer, NULL);
  return UI_HANDLED | UI_REDRAW;
}

/* ----- the overlay ----- */

static void form_size(Ui *ui, void *data, int screen_rows, int screen_cols, int *rows, int *cols) {
  (void)ui;
  FormView *v = data;
  /* Two rows a field (value, then its error or hint), a heading, the footer and the frame. */
  *rows = (int)v->form->count * 2 + 4;
  if (*rows > screen_rows - 2) {
    *rows = screen_rows - 2;
  }
  *cols = screen_cols - 4 > 96 ? 96 : screen_cols - 4;
  if (*rows < 6) {
    *rows = screen_rows;
  }
  if (*cols < 40) {
    *cols = screen_cols;
  }
}

static const char *first_key(const Ui *ui, Action action, char *buf, size_t size) {
  keymap_keys_text(ui->keymap, action, buf, size);
  char *comma = strchr(buf, ',');
  if (comma != NULL) {
    *comma = '\0';
  }
  return buf;
}

static void draw_field(Ui *ui, FormView *v, WINDOW *win, size_t i, int y, int label_w, int width) {
  const FormField *field = &v->form->fields[i];
  bool focused = i == v->focus && focusable(v, i);
  int x = 2;
  /* "›" marks the field with the cursor, "*" a required one: never colour alone. */
  draw_text(win, y, 1, 1, focused ? "›" : " ", ROLE_DIALOG_TITLE);
  char label[160];
  snprintf(label, sizeof label, "%s%s", field->label != NULL ? field->label : field->wire_name,
           field->required && field->kind != FORM_FIELD_READONLY ? " *" : "");
  draw_text(win, y, x, label_w, label, focused ? ROLE_DIALOG_TITLE : ROLE_DIALOG);
  int vx = x + label_w + 2;
  int vw = width - vx - 1;
  if (vw <= 0) {
    return;
  }
  switch (field->kind) {
  case FORM_FIELD_TEXT:
  case FORM_FIELD_NUMBER:
  case FORM_FIELD_GUID:
    text_field_draw(win, y, vx, vw, &v->fields[i], focused);
    break;
  case FORM_FIELD_CHOICE: {
    long at = choice_index(field);
    char text[300];
    if (field->choices.count == 0) {
      snprintf(text, sizeof text, "(nothing offered)");
    } else {
      snprintf(text, sizeof text, "< %s >",
               at >= 0 ? choice_label(field, (size_t)at)
                       : (value_of(field)[0] ? value_of(field) : "choose"));
    }
    draw_text(win, y, vx, vw, text, focused ? ROLE_INPUT_FOCUSED : ROLE_INPUT);
    break;
  }
  case FORM_FIELD_READONLY:
    draw_text(win, y, vx, vw, value_of(field), ROLE_DIALOG);
    break;
  }

  /* The row under it: the error once the field has been left (or the form submitted), else
   * the hint; a GUID matching a subscription names it. */
  int ey = y + 1;
  if (v->show_error[i] && v->refused[i]) {
    draw_text(win, ey, vx, vw, "! This value is not one of those allowed.", ROLE_ERROR);
  } else if (v->show_error[i] && field->error != NULL) {
    char text[600];
    snprintf(text, sizeof text, "! %s", field->error);
    draw_text(win, ey, vx, vw, text, ROLE_ERROR);
  } else {
    char text[600];
    text[0] = '\0';
    long at = field->kind == FORM_FIELD_GUID ? choice_index(field) : -1;
    if (at >= 0 && strcmp(choice_label(field, (size_t)at), field->choices.items[at]) != 0) {
      snprintf(text, sizeof text, "= %s", choice_label(field, (size_t)at));
    } else if (field->hint != NULL) {
      snprintf(text, sizeof text, "%s", field->hint);
    }
    if ((field->kind == FORM_FIELD_GUID || field->kind == FORM_FIELD_CHOICE) &&
        field->choices.count > 1 && focused) {
      char keys[32];
      size_t used = strlen(text);
      snprintf(text + used, sizeof text - used, "%s%s: pick from %zu", used ? " · " : "",
               first_key(ui, ACTION_FORM_PICK, keys, sizeof keys), field->choices.count);
    }
    draw_text(win, ey, vx, vw, text, ROLE_DIM);
  }
}

static void form_title(const Ui *ui, const FormView *v, char *buf, size_t size) {
  char title[256];
  CartLineItem probe;
  memset(&probe, 0, sizeof probe);
  probe.catalog_item_id = v->form->catalog_item_id;
  cart_ui_line_title(ui->app, &probe, title, sizeof title);
  if (v->form->line_index < 0) {
    snprintf(buf, size, "New line: %s", title);
  } else {
    snprintf(buf, size, "Line %ld: %s", v->form->line_index + 1, title);
  }
}

static void form_draw(Ui *ui, void *data, WINDOW *win) {
  FormView *v = data;
  int height, width;
  getmaxyx(win, height, width);
  wbkgdset(win, (chtype)' ' | (chtype)theme_attr(ROLE_DIALOG));
  werase(win);
  char title[300];
  form_title(ui, v, title, sizeof title);
  draw_frame(win, title, true);
  if (height < 4 || width < 8) {
    return;
  }
  int label_w = 0;
  for (size_t i = 0; i < v->form->count; i++) {
    const FormField *field = &v->form->fields[i];
    int w = text_width(field->label != NULL ? field->label : field->wire_name) +
            (field->required && field->kind != FORM_FIELD_READONLY ? 2 : 0);
    if (w > label_w) {
      label_w = w;
    }
  }
  if (label_w > (width - 4) / 3) {
    label_w = (width - 4) / 3;
  }
  int top = 1;
  int footer = height - 2;
  size_t shown = (size_t)((footer - top) / 2);
  v->fields_shown = shown > 0 ? shown : 1;
  scroll_to(v, v->focus);
  if (v->scroll + v->fields_shown > v->form->count) {
    v->scroll = v->form->count > v->fields_shown ? v->form->count - v->fields_shown : 0;
  }
  int y = top;
  for (size_t i = v->scroll; i < v->form->count && y + 1 < footer; i++) {
    draw_field(ui, v, win, i, y, label_w, width);
    y += 2;
  }
  if (v->scroll > 0) {
    draw_text(win, top, width - 3, 1, "↑", ROLE_DIM);
  }
  if (v->scroll + v->fields_shown < v->form->count) {
    draw_text(win, footer - 1, width - 3, 1, "↓", ROLE_DIM);
  }

  size_t problems = 0;
  for (size_t i = 0; i < v->form->count; i++) {
    if (v->show_error[i] && field_has_problem(v, i)) {
      problems++;
    }
  }
  char text[300];
  if (v->tried_submit && problems > 0) {
    snprintf(text, sizeof text, "%zu field%s to fix (marked !) before the line can be %s.",
             problems, problems == 1 ? "" : "s", v->form->line_index < 0 ? "added" : "saved");
    draw_text(win, footer, 2, width - 4, text, ROLE_ERROR);
  } else {
    char next[32], previous[32], choice[32], submit_key[32], abandon_key[32];
    snprintf(text, sizeof text, "%s next field · %s/%s choice · %s submit · %s abandon",
             first_key(ui, ACTION_FORM_NEXT_FIELD, next, sizeof next),
             first_key(ui, ACTION_FORM_PREVIOUS_CHOICE, previous, sizeof previous),
             first_key(ui, ACTION_FORM_NEXT_CHOICE, choice, sizeof choice),
             first_key(ui, ACTION_FORM_SUBMIT, submit_key, sizeof submit_key),
             first_key(ui, ACTION_FORM_ABANDON, abandon_key, sizeof abandon_key));
    draw_text(win, footer, 2, width - 4, text, ROLE_DIM);
  }
}

static unsigned field_key(FormView *v, wint_t key) {
  if (is_text_kind(v->form->fields[v->focus].kind)) {
    return text_field_key(&v->fields[v->focus], key, true) | UI_HANDLED | UI_REDRAW;
  }
  return UI_HANDLED;
}

static unsigned form_action(Ui *ui, void *data, Action action) {
  FormView *v = data;
  const FormField *field = &v->form->fields[v->focus];
  size_t to;
  switch (action) {
  case ACTION_FORM_NEXT_FIELD:
    if (next_focusable(v, v->focus, 1, &to)) {
      move_focus(ui, v, to);
    }
    return UI_HANDLED | UI_REDRAW;
  case ACTION_FORM_PREVIOUS_FIELD:
    if (next_focusable(v, v->focus, -1, &to)) {
      move_focus(ui, v, to);
    }
    return UI_HANDLED | UI_REDRAW;
  case ACTION_PAGE_DOWN:
  case ACTION_PAGE_UP: {
    size_t target = v->focus;
    for (size_t step = 0; step < (v->fields_shown > 1 ? v->fields_shown - 1 : 1); step++) {
      if (!next_focusable(v, target, action == ACTION_PAGE_DOWN ? 1 : -1, &to)) {
        break;
      }
      target = to;
    }
    move_focus(ui, v, target);
    return UI_HANDLED | UI_REDRAW;
  }
  case ACTION_FORM_NEXT_CHOICE:
  case ACTION_FORM_PREVIOUS_CHOICE:
    if (field->kind == FORM_FIELD_CHOICE) {
      cycle_choice(ui, v, action == ACTION_FORM_NEXT_CHOICE ? 1 : -1);
      return UI_HANDLED | UI_REDRAW;
    }
    /* In a text field the arrows move the cursor. */
    return field_key(v, action == ACTION_FORM_NEXT_CHOICE ? KEY_RIGHT : KEY_LEFT);
  case ACTION_FIRST:
  case ACTION_LAST:
    if (field->kind == FORM_FIELD_CHOICE && field->choices.count > 0) {
      set_choice(ui, v, v->focus, action == ACTION_FIRST ? 0 : field->choices.count - 1);
      return UI_HANDLED | UI_REDRAW;
    }
    return field_key(v, action == ACTION_FIRST ? KEY_HOME : KEY_END);
  case ACTION_FORM_PICK:
    return open_pick(ui, v);
  case ACTION_FORM_ENTER:
    if (next_focusable(v, v->focus, 1, &to)) {
      move_focus(ui, v, to);
      return UI_HANDLED | UI_REDRAW;
    }
    return submit(ui, v);
  case ACTION_FORM_SUBMIT:
    return submit(ui, v);
  case ACTION_FORM_ABANDON:
  case ACTION_CANCEL:
    return abandon(ui, v);
  default:
    /* Anything else (a global key) is not the form's; printable keys never get here as
     * actions. */
    return UI_UNHANDLED;
  }
}

static unsigned form_text(Ui *ui, void *data, wint_t ch, bool is_key) {
  FormView *v = data;
  const FormField *field = &v->form->fields[v->focus];
  if (is_text_kind(field->kind)) {
    unsigned used = text_field_key(&v->fields[v->focus], ch, is_key);
    if (used != UI_UNHANDLED) {
      return used | UI_HANDLED | UI_REDRAW;
    }
    return is_key ? UI_UNHANDLED : UI_HANDLED;
  }
  if (field->kind == FORM_FIELD_CHOICE && !is_key) {
    if (ch == L' ') {
      cycle_choice(ui, v, 1);
      return UI_HANDLED | UI_REDRAW;
    }
    /* A letter picks the next choice whose label starts with it ("a" for Annual). */
    size_t n = field->choices.count;
    long at = choice_index(field);
    for (size_t k = 1; k <= n; k++) {
      size_t i = ((size_t)(at < 0 ? 0 : at) + k) % n;
      const char *label = choice_label(field, i);
      if ((unsigned char)label[0] < 0x80 &&
          towlower((wint_t)(unsigned char)label[0]) == towlower(ch)) {
        set_choice(ui, v, v->focus, i);
        return UI_HANDLED | UI_REDRAW;
      }
    }
    return UI_HANDLED;
  }
  /* Typed characters never act, even where there is nothing to type into. */
  return is_key ? UI_UNHANDLED : UI_HANDLED;
}

static void form_free(void *data) {
  FormView *v = data;
  if (v == NULL) {
    return;
  }
  line_form_free(v->form);
  free(v->fields);
  free(v->show_error);
  free(v->refused);
  free(v);
}

const OverlayOps cart_ui_form_ops = {
    .context = ACTION_CTX_FORM,
    .draw = form_draw,
    .size = form_size,
    .action = form_action,
    .text = form_text,
    .free = form_free,
    .repaint_on = APP_CHANGED_CATALOG,
};

LineForm *cart_ui_form_model(void *form_data) {
  return ((FormView *)form_data)->form;
}

size_t cart_ui_form_focus(const void *form_data) {
  return ((const FormView *)form_data)->focus;
}

bool cart_ui_form_open(Ui *ui, LineForm *form) {
  FormView *v = calloc(1, sizeof *v);
  size_t n = form->count > 0 ? form->count : 1;
  if (v != NULL) {
    v->form = form;
    v->fields = calloc(n, sizeof *v->fields);
    v->show_error = calloc(n, sizeof *v->show_error);
    v->refused = calloc(n, sizeof *v->refused);
  }
  if (v == NULL || v->fields == NULL || v->show_error == NULL || v->refused == NULL) {
    if (v != NULL) {
      form_free(v);
    } else {
      line_form_free(form);
    }
    ui_say(ui, APP_MESSAGE_ERROR, "Out of memory: the form could not open.");
    return false;
  }
  if (form->line_index >= 0 && ui->app->cart.draft != NULL &&
      (size_t)form->line_index < ui->app->cart.draft->line_items.count) {
    const Cart *cart = ui->app->cart.draft;
    snprintf(v->edited_cart_id, sizeof v->edited_cart_id, "%s", text_or_empty(cart->id));
    snprintf(v->edited_item, sizeof v->edited_item, "%s",
             text_or_empty(cart->line_items.items[form->line_index].catalog_item_id));
  }
  sync_fields(v, SIZE_MAX);
  v->focus = 0;
  size_t first;
  if (form->count > 0 && !focusable(v, 0) && next_focusable(v, 0, 1, &first)) {
    v->focus = first;
  }
  if (form->count == 0) {
    form_free(v);
    ui_say(ui, APP_MESSAGE_ERROR, "This item has nothing to fill in.");
    return false;
  }
  if (!ui_overlay_open(ui, &cart_ui_form_ops, v)) {
    form_free(v);
    ui_say(ui, APP_MESSAGE_ERROR, "The form could not open.");
    return false;
  }
  return true;
}

/* A line of a cart opened by id or from a file names an item whose SKU the catalog has not
 * loaded yet: ask for it, and say so (the form can open once it is there). True when a load
 * was asked for. */
static bool request_line_item(Ui *ui, long line_index) {
  const CartLineItemList *lines = &ui->app->cart.draft->line_items;
  if (line_index < 0 || (size_t)line_index >= lines->count) {
    return false;
  }
  const char *id = lines->items[line_index].catalog_item_id;
  CatalogItem item;
  if (id == NULL || catalog_find_item(ui->app->catalog.catalog, id, &item)) {
    return false;
  }
  char product[64], sku[64];
  const char *colon = strchr(id, ':');
  const char *second = colon != NULL ? strchr(colon + 1, ':') : NULL;
  if (colon == NULL || second == NULL || (size_t)(colon - id) >= sizeof product ||
      (size_t)(second - colon - 1) >= sizeof sku || colon == id || second == colon + 1) {
    return false; /* a legacy offer id, or not an id at all: the model's sentence says */
  }
  snprintf(product, sizeof product, "%.*s", (int)(colon - id), id);
  snprintf(sku, sizeof sku, "%.*s", (int)(second - colon - 1), colon + 1);
  app_catalog_load_skus(ui->app, product);
  app_catalog_load_availabilities(ui->app, product, sku);
  ui_submit_jobs(ui);
  char keys[32], text[400];
  first_key(ui, ACTION_EDIT_LINE, keys, sizeof keys);
  snprintf(text, sizeof text,
           "Loading catalog item %s for line %ld; press %s again once it has arrived.", id,
           line_index + 1, keys);
  ui_say(ui, APP_MESSAGE_INFO, text);
  return true;
}

bool ui_line_form_open(Ui *ui, const char *catalog_item_id, long line_index) {
  char why[256] = "";
  LineForm *form = line_form_new(ui->app, catalog_item_id,
                                 catalog_item_id != NULL ? -1 : line_index, why, sizeof why);
  if (form == NULL) {
    if (catalog_item_id == NULL && request_line_item(ui, line_index)) {
      return false;
    }
    ui_say(ui, APP_MESSAGE_ERROR, why[0] ? why : "The line cannot be edited.");
    return false;
  }
  return cart_ui_form_open(ui, form);
}
