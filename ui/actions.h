/* The one action table: every user action once, with its name (used in the config's key
 * bindings), where it applies, what it needs, its default keys and its help text. It expands to
 * the Action enum, the keymap's defaults, the `?` help overlay, the key-hint bar and the man
 * page's key section (`pccart help keys --man`). Changing a default key here changes all of them
 * (docs/user-guide.md and the TUI tests rely on these defaults).
 *
 * X(ID, "config-name", CONTEXT, NEEDS, "help text", "key", ...)
 *   CONTEXT: where the action is looked up first: ACTION_CTX_GLOBAL (anywhere outside forms and
 *            text entry), ACTION_CTX_CUSTOMERS, ACTION_CTX_CART, ACTION_CTX_FORM.
 *   NEEDS:   ACTION_NEEDS_* flags checked before the action runs; when one fails the status bar
 *            says why (e.g. "Pick a customer first (Enter on the customer list).").
 *   keys:    key names as the config writes them: a printable character ("a", "?", "/"),
 *            "C-s" (Ctrl), "S-Tab", "Up", "Down", "Left", "Right", "PageUp", "PageDown", "Home",
 *            "End", "Enter", "Esc", "Tab", "Backspace", "Delete", "Space", "F1".."F12".
 * In forms and text entry, printable keys always go into the field: only the FORM actions'
 * keys (none printable) act there. */
#ifndef PCCART_UI_ACTIONS_H
#define PCCART_UI_ACTIONS_H

#define PCC_ACTIONS(X)                                                                             \
  X(MOVE_UP, "move-up", ACTION_CTX_GLOBAL, 0, "Move up", "Up", "k")                                \
  X(MOVE_DOWN, "move-down", ACTION_CTX_GLOBAL, 0, "Move down", "Down", "j")                        \
  X(PAGE_UP, "page-up", ACTION_CTX_GLOBAL, 0, "Page up", "PageUp", "C-b")                          \
  X(PAGE_DOWN, "page-down", ACTION_CTX_GLOBAL, 0, "Page down", "PageDown", "C-f")                  \
  X(FIRST, "first", ACTION_CTX_GLOBAL, 0, "Go to the first item", "Home", "g")                     \
  X(LAST, "last", ACTION_CTX_GLOBAL, 0, "Go to the last item", "End", "G")                         \
  X(NEXT_PANE, "next-pane", ACTION_CTX_GLOBAL, 0, "Next pane", "Tab")                              \
  X(PREVIOUS_PANE, "previous-pane", ACTION_CTX_GLOBAL, 0, "Previous pane", "S-Tab")                \
  X(PICK_CUSTOMER, "pick-customer", ACTION_CTX_CUSTOMERS, 0, "Pick the customer for the cart",     \
    "Enter")                                                                                       \
  X(FILTER, "filter", ACTION_CTX_CUSTOMERS, 0, "Filter the customers (type to narrow)", "/")       \
  X(ADD_LINE, "add-line", ACTION_CTX_GLOBAL, ACTION_NEEDS_CUSTOMER, "Add a line from the catalog", \
    "a")                                                                                           \
  X(EDIT_LINE, "edit-line", ACTION_CTX_CART, ACTION_NEEDS_LINE, "Edit the selected line", "e",     \
    "Enter")                                                                                       \
  X(DUPLICATE_LINE, "duplicate-line", ACTION_CTX_CART, ACTION_NEEDS_LINE,                          \
    "Duplicate the selected line", "D")                                                            \
  X(DELETE_LINE, "delete-line", ACTION_CTX_CART, ACTION_NEEDS_LINE, "Delete the selected line",    \
    "d")                                                                                           \
  X(CLEAR_CART, "clear-cart", ACTION_CTX_CART, ACTION_NEEDS_LINE, "Remove every line", "X")        \
  X(SAVE, "save", ACTION_CTX_GLOBAL, ACTION_NEEDS_CUSTOMER,                                        \
    "Save the cart to Partner Center (create, or update once it has an id)", "s")                  \
  X(CHECKOUT, "checkout", ACTION_CTX_GLOBAL, ACTION_NEEDS_CART_ID, "Check the cart out", "C")      \
  X(RELOAD, "reload", ACTION_CTX_GLOBAL, ACTION_NEEDS_CART_ID, "Reload the cart from the server",  \
    "r")                                                                                           \
  X(OPEN_CART, "open-cart", ACTION_CTX_GLOBAL, ACTION_NEEDS_CUSTOMER,                              \
    "Open a recent cart, or one by id", "o")                                                       \
  X(TOGGLE_PREVIEW, "toggle-preview", ACTION_CTX_GLOBAL, 0, "JSON preview on or off", "p")         \
  X(TOGGLE_RESPONSE, "toggle-response", ACTION_CTX_GLOBAL, 0,                                      \
    "Preview the request body or the last server response", "P")                                   \
  X(WRITE_DRAFT, "write-draft", ACTION_CTX_GLOBAL, 0, "Write the cart to a file (draft)", "w")     \
  X(OPEN_DRAFT, "open-draft", ACTION_CTX_GLOBAL, ACTION_NEEDS_CUSTOMER,                            \
    "Open a cart file (draft) into the cart", "O")                                                 \
  X(HELP, "help", ACTION_CTX_GLOBAL, 0, "Help: every key", "?", "F1")                              \
  X(CANCEL, "cancel", ACTION_CTX_GLOBAL, 0, "Cancel the request in flight, or close", "Esc")       \
  X(QUIT, "quit", ACTION_CTX_GLOBAL, 0,                                                            \
    "Quit (asks when there are unsaved changes or a checkout in flight)", "q")                     \
  X(FORM_NEXT_FIELD, "form-next-field", ACTION_CTX_FORM, 0, "Next field", "Tab", "Down")           \
  X(FORM_PREVIOUS_FIELD, "form-previous-field", ACTION_CTX_FORM, 0, "Previous field", "S-Tab",     \
    "Up")                                                                                          \
  X(FORM_NEXT_CHOICE, "form-next-choice", ACTION_CTX_FORM, 0, "Next choice", "Right")              \
  X(FORM_PREVIOUS_CHOICE, "form-previous-choice", ACTION_CTX_FORM, 0, "Previous choice", "Left")   \
  X(FORM_PICK, "form-pick", ACTION_CTX_FORM, 0, "Open the pick-list of the field", "F4", "C-o")    \
  X(FORM_ENTER, "form-enter", ACTION_CTX_FORM, 0, "Next field; on the last field, submit",         \
    "Enter")                                                                                       \
  X(FORM_SUBMIT, "form-submit", ACTION_CTX_FORM, 0, "Submit the form", "C-s")                      \
  X(FORM_ABANDON, "form-abandon", ACTION_CTX_FORM, 0,                                              \
    "Abandon the form (asks when anything changed)", "Esc")

typedef enum ActionContext {
  ACTION_CTX_GLOBAL = 0,
  ACTION_CTX_CUSTOMERS,
  ACTION_CTX_CART,
  ACTION_CTX_FORM,
} ActionContext;

enum {
  ACTION_NEEDS_CUSTOMER = 1 << 0, /* a customer has been picked */
  ACTION_NEEDS_LINE = 1 << 1,     /* the cart has a selected line */
  ACTION_NEEDS_CART_ID = 1 << 2,  /* the cart has been saved (it has an id) */
};

typedef enum Action {
  ACTION_NONE = 0,
#define PCC_ACTION_ENUM(id, name, context, needs, help, ...) ACTION_##id,
  PCC_ACTIONS(PCC_ACTION_ENUM)
#undef PCC_ACTION_ENUM
      ACTION_COUNT
} Action;

#endif
