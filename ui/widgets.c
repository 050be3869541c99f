/* The widgets every pane and overlay uses: a list cursor, a one-line text field, and text
 * drawing that counts columns (CJK takes two) and never lets a control character reach the
 * terminal. */
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "ui/ui_internal.h"

/* ----- ListView ----- */

static void list_view_clamp(ListView *view, long count, int rows) {
  if (count <= 0) {
    view->selected = -1;
    view->top = 0;
    return;
  }
  if (rows < 1)
    rows = 1;
  if (view->selected < 0)
    view->selected = 0;
  if (view->selected >= count)
    view->selected = count - 1;
  if (view->top > view->selected)
    view->top = view->selected;
  if (view->selected >= view->top + rows)
    view->top = view->selected - rows + 1;
  if (view->top > count - rows)
    view->top = count - rows;
  if (view->top < 0)
    view->top = 0;
}

void list_view_move(ListView *view, long delta, long count, int rows) {
  if (count > 0 && view->selected < 0)
    view->selected = 0;
  else
    view->selected += delta;
  list_view_clamp(view, count, rows);
}

void list_view_set(ListView *view, long selected, long count, int rows) {
  view->selected = selected;
  list_view_clamp(view, count, rows);
}

bool list_view_action(ListView *view, Action action, long count, int rows) {
  switch (action) {
  case ACTION_MOVE_UP:
  case ACTION_FORM_PREVIOUS_FIELD:
  case ACTION_FORM_PREVIOUS_CHOICE:
    list_view_move(view, -1, count, rows);
    return true;
  case ACTION_MOVE_DOWN:
  case ACTION_FORM_NEXT_FIELD:
  case ACTION_FORM_NEXT_CHOICE:
    list_view_move(view, 1, count, rows);
    return true;
  case ACTION_PAGE_UP:
    list_view_move(view, -rows, count, rows);
    return true;
  case ACTION_PAGE_DOWN:
    list_view_move(view, rows, count, rows);
    return true;
  case ACTION_FIRST:
    list_view_set(view, 0, count, rows);
    return true;
  case ACTION_LAST:
    list_view_set(view, count - 1, count, rows);
    return true;
  default:
    return false;
  }
}

/* ----- UTF-8 ----- */

/* Decodes one character at s (n bytes left); returns its length (>= 1). Bad bytes decode as
 * U+FFFD one byte at a time, so any input can be shown. */
static size_t utf8_decode(const char *s, size_t n, wchar_t *out) {
  const unsigned char *p = (const unsigned char *)s;
  unsigned c = p[0];
  size_t len;
  unsigned value, min;
  if (c < 0x80) {
    *out = (wchar_t)c;
    return 1;
  } else if ((c & 0xe0) == 0xc0) {
    len = 2;
    value = c & 0x1f;
    min = 0x80;
  } else if ((c & 0xf0) == 0xe0) {
    len = 3;
    value = c & 0x0f;
    min = 0x800;
  } else if ((c & 0xf8) == 0xf0) {
    len = 4;
    value = c & 0x07;
    min = 0x10000;
  } else {
    *out = 0xfffd;
    return 1;
  }
  if (len > n) {
    *out = 0xfffd;
    return 1;
  }
  for (size_t i = 1; i < len; i++) {
    if ((p[i] & 0xc0) != 0x80) {
      *out = 0xfffd;
      return 1;
    }
    value = (value << 6) | (p[i] & 0x3f);
  }
  if (value < min || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) {
    *out = 0xfffd;
    return len;
  }
  *out = (wchar_t)value;
  return len;
}

static size_t utf8_encode(wchar_t wc, char *out) {
  unsigned c = (unsigned)wc;
  if (c < 0x80) {
    out[0] = (char)c;
    return 1;
  }
  if (c < 0x800) {
    out[0] = (char)(0xc0 | (c >> 6));
    out[1] = (char)(0x80 | (c & 0x3f));
    return 2;
  }
  if (c < 0x10000) {
    out[0] = (char)(0xe0 | (c >> 12));
    out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
    out[2] = (char)(0x80 | (c & 0x3f));
    return 3;
  }
  out[0] = (char)(0xf0 | (c >> 18));
  out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
  out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
  out[3] = (char)(0x80 | (c & 0x3f));
  return 4;
}

/* What a character becomes on screen and how many columns: control characters (C0, DEL, C1)
 * and characters the locale cannot show become '?', so that no byte sequence in a customer's
 * name can move the cursor or change the terminal. Zero-width characters (combining marks)
 * join the previous cell. */
static wchar_t char_shown(wchar_t wc, int *columns) {
  if (wc < 0x20 || wc == 0x7f || (wc >= 0x80 && wc < 0xa0)) {
    *columns = 1;
    return L'?';
  }
  int w = wcwidth(wc);
  if (w < 0) {
    *columns = 1;
    return L'?';
  }
  *columns = w;
  return wc;
}

int text_width(const char *utf8) {
  if (!utf8)
    return 0;
  size_t n = strlen(utf8);
  int width = 0;
  for (size_t i = 0; i < n;) {
    wchar_t wc;
    i += utf8_decode(utf8 + i, n - i, &wc);
    int w;
    char_shown(wc, &w);
    width += w;
  }
  return width;
}

/* Draws wide characters wcs[0..count) with their widths in at most width columns, cutting with
 * "…" when they do not fit. */
static int draw_wide(WINDOW *win, int y, int x, int width, const wchar_t *wcs, const int *widths,
                     size_t count, attr_t attrs) {
  if (width <= 0)
    return 0;
  int total = 0;
  for (size_t i = 0; i < count; i++)
    total += widths[i];
  size_t shown = count;
  int used = total;
  bool cut = false;
  if (total > width) {
    cut = true;
    used = 0;
    shown = 0;
    /* Leave one column for the ellipsis; a double-width character never straddles it. */
    while (shown < count && used + widths[shown] <= width - 1) {
      used += widths[shown];
      shown++;
    }
    /* Combining marks of the last character shown stay with it. */
    while (shown < count && widths[shown] == 0)
      shown++;
  }
  wattrset(win, attrs);
  if (shown > 0)
    mvwaddnwstr(win, y, x, wcs, (int)shown);
  else
    wmove(win, y, x);
  if (cut) {
    waddnwstr(win, L"\u2026", 1);
    used += 1;
  }
  wattrset(win, A_NORMAL);
  return used;
}

int draw_text(WINDOW *win, int y, int x, int width, const char *utf8, ThemeRole role) {
  if (!win || !utf8 || width <= 0)
    return 0;
  wchar_t local_wcs[256];
  int local_widths[256];
  wchar_t *wcs = local_wcs;
  int *widths = local_widths;
  size_t n = strlen(utf8);
  /* More characters than columns are never drawn; decode at most what can show (plus
   * combining marks), so a huge string costs no more than a short one. */
  size_t limit = (size_t)width * 2 + 8;
  if (limit > 256) {
    wcs = malloc(limit * sizeof *wcs);
    widths = malloc(limit * sizeof *widths);
    if (!wcs || !widths) {
      free(wcs);
      free(widths);
      return 0;
    }
  }
  size_t count = 0;
  int columns = 0;
  for (size_t i = 0; i < n && count < limit;) {
    wchar_t wc;
    i += utf8_decode(utf8 + i, n - i, &wc);
    int w;
    wc = char_shown(wc, &w);
    if (count == 0 && w == 0) /* a combining mark with nothing to join */
      continue;
    wcs[count] = wc;
    widths[count] = w;
    count++;
    columns += w;
    if (columns > width + 1) /* enough to know it is cut */
      break;
  }
  int used = draw_wide(win, y, x, width, wcs, widths, count, theme_attr(role));
  if (wcs != local_wcs) {
    free(wcs);
    free(widths);
  }
  return used;
}

void draw_frame(WINDOW *win, const char *title, bool focused) {
  if (!win)
    return;
  int rows, cols;
  getmaxyx(win, rows, cols);
  if (rows < 2 || cols < 4)
    return;
  attr_t frame = theme_attr(focused ? ROLE_TITLE_FOCUSED : ROLE_DIM);
  /* The focused frame's border is also drawn heavier (=), so focus never rests on colour. */
  wattrset(win, focused ? frame : theme_attr(ROLE_NORMAL));
  if (focused)
    wborder_set(win, WACS_D_VLINE, WACS_D_VLINE, WACS_D_HLINE, WACS_D_HLINE, WACS_D_ULCORNER,
                WACS_D_URCORNER, WACS_D_LLCORNER, WACS_D_LRCORNER);
  else
    wborder_set(win, WACS_VLINE, WACS_VLINE, WACS_HLINE, WACS_HLINE, WACS_ULCORNER, WACS_URCORNER,
                WACS_LLCORNER, WACS_LRCORNER);
  wattrset(win, A_NORMAL);
  if (title && *title && cols > 6) {
    char text[300];
    snprintf(text, sizeof text, focused ? "[ %s ]" : "  %s  ", title);
    draw_text(win, 0, 2, cols - 4, text, focused ? ROLE_TITLE_FOCUSED : ROLE_TITLE);
  }
}

/* ----- TextField ----- */

void text_field_set(TextField *field, const char *utf8) {
  memset(field, 0, sizeof *field);
  if (!utf8)
    return;
  size_t n = strlen(utf8);
  const size_t capacity = sizeof field->text / sizeof field->text[0] - 1;
  for (size_t i = 0; i < n && field->length < capacity;) {
    wchar_t wc;
    i += utf8_decode(utf8 + i, n - i, &wc);
    if (wc < 0x20 || wc == 0x7f)
      continue; /* a field is one line */
    field->text[field->length++] = wc;
  }
  field->text[field->length] = L'\0';
  field->cursor = field->length;
}

bool text_field_utf8(const TextField *field, char *buf, size_t size) {
  if (size == 0)
    return false;
  size_t used = 0;
  for (size_t i = 0; i < field->length; i++) {
    char mb[4];
    size_t n = utf8_encode(field->text[i], mb);
    if (used + n >= size) {
      buf[used] = '\0';
      return false;
    }
    memcpy(buf + used, mb, n);
    used += n;
  }
  buf[used] = '\0';
  return true;
}

static void field_delete(TextField *field, size_t from, size_t to) {
  if (to <= from || to > field->length)
    return;
  memmove(field->text + from, field->text + to, (field->length - to) * sizeof field->text[0]);
  field->length -= to - from;
  field->text[field->length] = L'\0';
  if (field->cursor > to)
    field->cursor -= to - from;
  else if (field->cursor > from)
    field->cursor = from;
}

unsigned text_field_key(TextField *field, wint_t ch, bool is_key) {
  const size_t capacity = sizeof field->text / sizeof field->text[0] - 1;
  if (is_key) {
    switch (ch) {
    case KEY_BACKSPACE:
      if (field->cursor == 0)
        return UI_HANDLED;
      field_delete(field, field->cursor - 1, field->cursor);
      return UI_HANDLED | UI_REDRAW;
    case KEY_DC:
      if (field->cursor >= field->length)
        return UI_HANDLED;
      field_delete(field, field->cursor, field->cursor + 1);
      return UI_HANDLED | UI_REDRAW;
    case KEY_LEFT:
      if (field->cursor > 0)
        field->cursor--;
      return UI_HANDLED | UI_REDRAW;
    case KEY_RIGHT:
      if (field->cursor < field->length)
        field->cursor++;
      return UI_HANDLED | UI_REDRAW;
    case KEY_HOME:
      field->cursor = 0;
      return UI_HANDLED | UI_REDRAW;
    case KEY_END:
      field->cursor = field->length;
      return UI_HANDLED | UI_REDRAW;
    default:
      return UI_UNHANDLED;
    }
  }
  switch (ch) {
  case 0x7f:
  case 0x08:
    return text_field_key(field, KEY_BACKSPACE, true);
  case 0x01: /* C-a */
    field->cursor = 0;
    return UI_HANDLED | UI_REDRAW;
  case 0x05: /* C-e */
    field->cursor = field->length;
    return UI_HANDLED | UI_REDRAW;
  case 0x15: /* C-u: clear */
    field->length = 0;
    field->cursor = 0;
    field->scroll = 0;
    field->text[0] = L'\0';
    return UI_HANDLED | UI_REDRAW;
  case 0x17: { /* C-w: the word before the cursor, and the spaces after it */
    size_t end = field->cursor, start = end;
    while (start > 0 && iswspace((wint_t)field->text[start - 1]))
      start--;
    while (start > 0 && !iswspace((wint_t)field->text[start - 1]))
      start--;
    field_delete(field, start, end);
    return UI_HANDLED | UI_REDRAW;
  }
  default:
    break;
  }
  if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && ch < 0xa0))
    return UI_UNHANDLED; /* Enter, Tab, Esc and other controls belong to the caller */
  if (field->length >= capacity)
    return UI_HANDLED; /* full: the key is still the field's, not an action */
  memmove(field->text + field->cursor + 1, field->text + field->cursor,
          (field->length - field->cursor) * sizeof field->text[0]);
  field->text[field->cursor++] = (wchar_t)ch;
  field->length++;
  field->text[field->length] = L'\0';
  return UI_HANDLED | UI_REDRAW;
}

void text_field_draw(WINDOW *win, int y, int x, int width, const TextField *field, bool focused) {
  if (!win || width <= 0)
    return;
  attr_t attrs = theme_attr(focused ? ROLE_INPUT_FOCUSED : ROLE_INPUT);
  int widths[256];
  wchar_t shown[256];
  for (size_t i = 0; i < field->length; i++)
    shown[i] = char_shown(field->text[i], &widths[i]);
  /* The first character shown: the field's scroll, moved so the cursor stays in view (with
   * one column left for the cursor at the end). */
  size_t start = field->scroll < field->cursor ? field->scroll : field->cursor;
  for (;;) {
    int w = 0;
    for (size_t i = start; i < field->cursor; i++)
      w += widths[i];
    if (w <= width - 1 || start >= field->cursor)
      break;
    start++;
  }
  wattrset(win, attrs);
  wmove(win, y, x);
  int used = 0;
  size_t i = start;
  for (; i < field->length && used + widths[i] <= width; i++) {
    if (focused && i == field->cursor)
      wattrset(win, attrs | A_REVERSE);
    if (widths[i] > 0 || i > start)
      waddnwstr(win, &shown[i], 1);
    if (focused && i == field->cursor)
      wattrset(win, attrs);
    used += widths[i];
  }
  /* The rest of the field is padded so it reads as a field (underline or colour). */
  /* The cursor at the end of the text is a reversed blank. */
  if (focused && i == field->cursor && field->cursor == field->length && used < width) {
    wattrset(win, attrs | A_REVERSE);
    waddch(win, ' ');
    wattrset(win, attrs);
    used++;
  }
  for (; used < width; used++)
    waddch(win, ' ');
  wattrset(win, A_NORMAL);
}
