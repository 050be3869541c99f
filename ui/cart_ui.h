/* What the cart pane, the line item form and the catalog browser share: words for billing
 * cycles and terms, the expiry countdown, the checkout summary, the cart's column layout and the
 * browser's match rule (pure functions, which tests/ui checks directly), and the overlays'
 * tables. */
#ifndef PCCART_UI_CART_UI_H
#define PCCART_UI_CART_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "app/app.h"
#include "ui/ui_internal.h"

/* "monthly", "annual", "one-time", ...; "" for an unset cycle. */
const char *cart_ui_cycle_word(BillingCycle cycle);
/* "P1M" -> "1 month", "P1Y" -> "1 year", "P3Y" -> "3 years", "P2W" -> "2 weeks"; anything
 * else is copied as it is; "" for NULL. Returns buf. */
const char *cart_ui_term_words(const char *duration, char *buf, size_t size);
/* "expires in 6d 23h 59m" (or "expires in 5h 2m", "expires in 3m"); "expired" when now is at
 * or past expires_at. Returns true when expired. */
bool cart_ui_expiry_text(time_t expires_at, time_t now, char *buf, size_t size);
/* The milliseconds from now_ms (wall clock, ms since the epoch) until the countdown's minute
 * (what cart_ui_expiry_text and the status bar show, read with time()) next changes; -1 when it
 * never will (expired). The shell's poll() waits at most this long. */
long long cart_ui_expiry_next_ms(time_t expires_at, long long now_ms);
/* The checkout confirmation's body: the customer, the cart, each line and the order groups the
 * server assigned. Caller frees; NULL when out of memory. */
char *cart_ui_checkout_summary(const AppState *state);
/* A line's title: the SKU's (or legacy offer's) title from the catalog, with the friendly name
 * in parentheses when the line has one; the friendly name alone when the catalog does not know
 * the item; "(unknown item)" otherwise. Returns buf. */
const char *cart_ui_line_title(const AppState *state, const CartLineItem *line, char *buf,
                               size_t size);
/* The server's error of a line in words: "error 10001 catalog_item_id_is_not_valid: The
 * catalog item id is not valid." Returns buf. */
const char *cart_ui_line_error(const CartError *error, char *buf, size_t size);

extern const PaneOps pane_cart_ops; /* ui/pane_cart.c */

/* The overlays of these files, so that the shell and tests can tell which is on top. */
extern const OverlayOps cart_ui_browser_ops; /* data: the browser */
extern const OverlayOps cart_ui_form_ops;    /* data: a form view (see below) */
extern const OverlayOps cart_ui_pick_ops;    /* the form's pick-list */
/* The model and the focused field of a form overlay's data. */
LineForm *cart_ui_form_model(void *form_data);
size_t cart_ui_form_focus(const void *form_data);

/* Opens the line form overlay on a form already made with line_form_new (it takes the form,
 * and frees it if the overlay cannot open). The catalog browser makes the form before it
 * closes, so that an item the model refuses leaves the browser where it was. */
bool cart_ui_form_open(Ui *ui, LineForm *form);

/* The cart's columns for a width: a width of 0 means the column is left out. The title takes
 * what the others leave; the error gets a column only when there is room for a useful one,
 * else it goes on its own row under the line. */
typedef struct CartColumns {
  int number, title, item, quantity, cycle, term, group, error;
} CartColumns;
void cart_ui_columns(int width, CartColumns *out);

/* The catalog browser's rule: needle (UTF-8, as typed) is a case-insensitive substring of the
 * title or the id; an empty needle matches everything. ASCII letters are folded, other bytes
 * compared as they are. */
bool cart_ui_matches(const char *needle, const char *title, const char *id);

#endif
