/* The keymap: the action table's default keys, key names as the config writes them, and the
 * config's `ui.keys` overrides, refused loudly when wrong (a silently ignored binding is the
 * complaint users make most about key configuration). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "ui/ui_internal.h"

typedef struct ActionInfo {
  const char *name;
  ActionContext context;
  unsigned needs;
  const char *help;
  const char *const *keys; /* NULL-terminated */
} ActionInfo;

#define PCC_ACTION_KEYS(id, name, context, needs, help, ...)                                       \
  static const char *const action_keys_##id[] = {__VA_ARGS__, NULL};
PCC_ACTIONS(PCC_ACTION_KEYS)
#undef PCC_ACTION_KEYS

static const ActionInfo action_table[ACTION_COUNT] = {
    [ACTION_NONE] = {"none", ACTION_CTX_GLOBAL, 0, "", NULL},
#define PCC_ACTION_INFO(id, name, context, needs, help, ...)                                       \
  [ACTION_##id] = {name, context, needs, help, action_keys_##id},
    PCC_ACTIONS(PCC_ACTION_INFO)
#undef PCC_ACTION_INFO
};

const char *action_name(Action action) {
  return action > ACTION_NONE && action < ACTION_COUNT ? action_table[action].name : "none";
}

const char *action_label(Action action) {
  /* Derived here rather than added to the action table (the key contract): the words a sales
   * person reads in the hint bar, where the config name ("add-line") is jargon. */
  switch (action) {
  case ACTION_MOVE_UP:
    return "up";
  case ACTION_MOVE_DOWN:
    return "down";
  case ACTION_PAGE_UP:
    return "page up";
  case ACTION_PAGE_DOWN:
    return "page down";
  case ACTION_FIRST:
    return "first";
  case ACTION_LAST:
    return "last";
  case ACTION_NEXT_PANE:
    return "next pane";
  case ACTION_PREVIOUS_PANE:
    return "previous pane";
  case ACTION_PICK_CUSTOMER:
    return "pick";
  case ACTION_FILTER:
    return "filter";
  case ACTION_ADD_LINE:
    return "add";
  case ACTION_EDIT_LINE:
    return "edit";
  case ACTION_DUPLICATE_LINE:
    return "duplicate";
  case ACTION_DELETE_LINE:
    return "delete";
  case ACTION_CLEAR_CART:
    return "clear";
  case ACTION_SAVE:
    return "save";
  case ACTION_CHECKOUT:
    return "check out";
  case ACTION_RELOAD:
    return "reload";
  case ACTION_OPEN_CART:
    return "open cart";
  case ACTION_TOGGLE_PREVIEW:
    return "preview";
  case ACTION_TOGGLE_RESPONSE:
    return "response";
  case ACTION_WRITE_DRAFT:
    return "write file";
  case ACTION_OPEN_DRAFT:
    return "open file";
  case ACTION_HELP:
    return "help";
  case ACTION_CANCEL:
    return "cancel";
  case ACTION_QUIT:
    return "quit";
  case ACTION_FORM_NEXT_FIELD:
    return "next field";
  case ACTION_FORM_PREVIOUS_FIELD:
    return "previous field";
  case ACTION_FORM_NEXT_CHOICE:
    return "next choice";
  case ACTION_FORM_PREVIOUS_CHOICE:
    return "previous choice";
  case ACTION_FORM_PICK:
    return "pick from list";
  case ACTION_FORM_ENTER:
    return "next or submit";
  case ACTION_FORM_SUBMIT:
    return "submit";
  case ACTION_FORM_ABANDON:
    return "abandon";
  case ACTION_NONE:
  case ACTION_COUNT:
    break;
  }
  return action_name(action); /* an action added to the table without a label here */
}

const char *action_help(Action action) {
  return action > ACTION_NONE && action < ACTION_COUNT ? action_table[action].help : "";
}

ActionContext action_context(Action action) {
  return action > ACTION_NONE && action < ACTION_COUNT ? action_table[action].context
                                                       : ACTION_CTX_GLOBAL;
}

unsigned action_needs(Action action) {
  return action > ACTION_NONE && action < ACTION_COUNT ? action_table[action].needs : 0;
}

const char *action_context_title(ActionContext context) {
  switch (context) {
  case ACTION_CTX_GLOBAL:
    return "Everywhere";
  case ACTION_CTX_CUSTOMERS:
    return "Customer list";
  case ACTION_CTX_CART:
    return "Cart";
  case ACTION_CTX_FORM:
    return "Forms and prompts";
  }
  return "";
}

/* ----- key names ----- */

typedef struct NamedKey {
  const char *name;
  wint_t key;
  bool is_key;
} NamedKey;

static const NamedKey named_keys[] = {
    {"Up", KEY_UP, true},
    {"Down", KEY_DOWN, true},
    {"Left", KEY_LEFT, true},
    {"Right", KEY_RIGHT, true},
    {"PageUp", KEY_PPAGE, true},
    {"PageDown", KEY_NPAGE, true},
    {"Home", KEY_HOME, true},
    {"End", KEY_END, true},
    {"Enter", L'\n', false},
    {"Esc", 27, false},
    {"Tab", L'\t', false},
    {"S-Tab", KEY_BTAB, true},
    {"Backspace", KEY_BACKSPACE, true},
    {"Delete", KEY_DC, true},
    {"Space", L' ', false},
};

#define KEY_NAMES_TEXT                                                                             \
  "a printable character, C-a..C-z, S-Tab, Up, Down, Left, Right, PageUp, PageDown, Home, End, "   \
  "Enter, Esc, Tab, Backspace, Delete, Space, F1..F12"

/* One UTF-8 character (the whole string); false when it is not exactly one. */
static bool utf8_single(const char *s, wint_t *out) {
  const unsigned char *p = (const unsigned char *)s;
  unsigned c = p[0];
  int extra;
  wint_t value;
  if (c < 0x80) {
    extra = 0;
    value = c;
  } else if ((c & 0xe0) == 0xc0) {
    extra = 1;
    value = c & 0x1f;
  } else if ((c & 0xf0) == 0xe0) {
    extra = 2;
    value = c & 0x0f;
  } else if ((c & 0xf8) == 0xf0) {
    extra = 3;
    value = c & 0x07;
  } else {
    return false;
  }
  for (int i = 1; i <= extra; i++) {
    if ((p[i] & 0xc0) != 0x80)
      return false;
    value = (value << 6) | (p[i] & 0x3f);
  }
  if (p[extra + 1] != '\0')
    return false;
  *out = value;
  return true;
}

bool keymap_parse_key(const char *name, wint_t *key, bool *is_key) {
  if (!name || !*name)
    return false;
  for (size_t i = 0; i < sizeof named_keys / sizeof named_keys[0]; i++) {
    if (strcmp(name, named_keys[i].name) == 0) {
      *key = named_keys[i].key;
      *is_key = named_keys[i].is_key;
      return true;
    }
  }
  if (name[0] == 'C' && name[1] == '-' && name[2] && !name[3]) {
    char c = name[2];
    if (c >= 'a' && c <= 'z') {
      *key = (wint_t)(c - 'a' + 1);
      *is_key = false;
      return true;
    }
    return false;
  }
  if (name[0] == 'F' && name[1] >= '1' && name[1] <= '9') {
    char *end;
    long n = strtol(name + 1, &end, 10);
    if (*end == '\0' && n >= 1 && n <= 12) {
      *key = (wint_t)KEY_F(n);
      *is_key = true;
      return true;
    }
    if (*end == '\0')
      return false;
  }
  wint_t c;
  if (utf8_single(name, &c) && c > L' ' && c != 0x7f && (c >= 0xa0 || c < 0x80)) {
    *key = c;
    *is_key = false;
    return true;
  }
  return false;
}

/* The name of a key as people read it (the same as the config writes it). */
static void key_label(wint_t key, bool is_key, char *buf, size_t size) {
  for (size_t i = 0; i < sizeof named_keys / sizeof named_keys[0]; i++) {
    if (named_keys[i].key == key && named_keys[i].is_key == is_key) {
      snprintf(buf, size, "%s", named_keys[i].name);
      return;
    }
  }
  if (is_key && key >= (wint_t)KEY_F(1) && key <= (wint_t)KEY_F(12)) {
    snprintf(buf, size, "F%d", (int)(key - KEY_F0));
    return;
  }
  if (!is_key && key >= 1 && key <= 26) {
    snprintf(buf, size, "C-%c", (char)('a' + key - 1));
    return;
  }
  if (!is_key) {
    char mb[8];
    /* Plain UTF-8 whatever the locale: the names are documentation. */
    unsigned c = (unsigned)key;
    if (c < 0x80) {
      mb[0] = (char)c;
      mb[1] = 0;
    } else if (c < 0x800) {
      mb[0] = (char)(0xc0 | (c >> 6));
      mb[1] = (char)(0x80 | (c & 0x3f));
      mb[2] = 0;
    } else if (c < 0x10000) {
      mb[0] = (char)(0xe0 | (c >> 12));
      mb[1] = (char)(0x80 | ((c >> 6) & 0x3f));
      mb[2] = (char)(0x80 | (c & 0x3f));
      mb[3] = 0;
    } else {
      mb[0] = (char)(0xf0 | (c >> 18));
      mb[1] = (char)(0x80 | ((c >> 12) & 0x3f));
      mb[2] = (char)(0x80 | ((c >> 6) & 0x3f));
      mb[3] = (char)(0x80 | (c & 0x3f));
      mb[4] = 0;
    }
    snprintf(buf, size, "%s", mb);
    return;
  }
  snprintf(buf, size, "key %u", (unsigned)key);
}

/* ----- the keymap ----- */

typedef struct Binding {
  wint_t key;
  bool is_key;
  Action action;
} Binding;

struct Keymap {
  Binding *items;
  size_t count;
  size_t capacity;
};

static bool keymap_add(Keymap *keymap, wint_t key, bool is_key, Action action) {
  if (keymap->count == keymap->capacity) {
    size_t capacity = keymap->capacity ? keymap->capacity * 2 : 64;
    Binding *items = realloc(keymap->items, capacity * sizeof *items);
    if (!items)
      return false;
    keymap->items = items;
    keymap->capacity = capacity;
  }
  keymap->items[keymap->count++] = (Binding){key, is_key, action};
  return true;
}

/* Removes an action's bindings, keeping the order of the rest. */
static void keymap_remove_action(Keymap *keymap, Action action) {
  size_t out = 0;
  for (size_t i = 0; i < keymap->count; i++)
    if (keymap->items[i].action != action)
      keymap->items[out++] = keymap->items[i];
  keymap->count = out;
}

static void keymap_remove_key(Keymap *keymap, ActionContext context, wint_t key, bool is_key) {
  size_t out = 0;
  for (size_t i = 0; i < keymap->count; i++) {
    Binding *b = &keymap->items[i];
    if (b->key == key && b->is_key == is_key && action_context(b->action) == context)
      continue;
    keymap->items[out++] = *b;
  }
  keymap->count = out;
}

Keymap *keymap_new(void) {
  Keymap *keymap = calloc(1, sizeof *keymap);
  if (!keymap)
    return NULL;
  for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
    for (const char *const *name = action_table[a].keys; *name; name++) {
      wint_t key;
      bool is_key;
      /* The table's names are checked by the tests; a bad one is skipped, not fatal. */
      if (keymap_parse_key(*name, &key, &is_key) && !keymap_add(keymap, key, is_key, (Action)a)) {
        keymap_free(keymap);
        return NULL;
      }
    }
  }
  return keymap;
}

void keymap_free(Keymap *keymap) {
  if (!keymap)
    return;
  free(keymap->items);
  free(keymap);
}

/* What get_wch gives for a key, in the table's terms: Enter arrives as \r, \n or KEY_ENTER;
 * Backspace as KEY_BACKSPACE, DEL or C-h depending on the terminal. */
static void key_normalize(wint_t *key, bool *is_key) {
  if (*is_key && *key == KEY_ENTER) {
    *key = L'\n';
    *is_key = false;
  } else if (!*is_key && *key == L'\r') {
    *key = L'\n';
  } else if (!*is_key && (*key == 0x7f || *key == 0x08)) {
    *key = KEY_BACKSPACE;
    *is_key = true;
  }
}

static Action keymap_find(const Keymap *keymap, ActionContext context, wint_t key, bool is_key) {
  for (size_t i = 0; i < keymap->count; i++) {
    const Binding *b = &keymap->items[i];
    if (b->key == key && b->is_key == is_key && action_context(b->action) == context)
      return b->action;
  }
  return ACTION_NONE;
}

Action keymap_lookup(const Keymap *keymap, ActionContext context, wint_t key, bool is_key) {
  if (!keymap)
    return ACTION_NONE;
  key_normalize(&key, &is_key);
  Action action = keymap_find(keymap, context, key, is_key);
  /* Forms see only their own keys: everything else typed there belongs to the field. */
  if (action == ACTION_NONE && context != ACTION_CTX_FORM && context != ACTION_CTX_GLOBAL)
    action = keymap_find(keymap, ACTION_CTX_GLOBAL, key, is_key);
  return action;
}

const char *keymap_keys_text(const Keymap *keymap, Action action, char *buf, size_t size) {
  if (size == 0)
    return buf;
  buf[0] = '\0';
  size_t used = 0;
  for (size_t i = 0; keymap && i < keymap->count; i++) {
    const Binding *b = &keymap->items[i];
    if (b->action != action)
      continue;
    char name[32];
    key_label(b->key, b->is_key, name, sizeof name);
    int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", name);
    if (n < 0 || (size_t)n >= size - used) {
      buf[used] = '\0';
      break;
    }
    used += (size_t)n;
  }
  return buf;
}

/* ----- the config's overrides ----- */

/* Config names may be written with '_' (libconfig users often do): add_line = add-line. */
static Action action_by_config_name(const char *name) {
  char normal[64];
  size_t n = strlen(name);
  if (n >= sizeof normal)
    return ACTION_NONE;
  for (size_t i = 0; i <= n; i++)
    normal[i] = name[i] == '_' ? '-' : name[i];
  for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++)
    if (strcmp(action_table[a].name, normal) == 0)
      return (Action)a;
  return ACTION_NONE;
}

static void action_names_text(char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int a = ACTION_NONE + 1; a < ACTION_COUNT && used < size; a++) {
    int n = snprintf(buf + used, size - used, "%s%s", a > 1 ? ", " : "", action_table[a].name);
    if (n < 0)
      break;
    used += (size_t)n;
  }
}

bool keymap_apply_config(Keymap *keymap, const Config *config, char *err, size_t err_size) {
  if (!config)
    return true;
  const char *file = config->path ? config->path : "(configuration)";
  /* Check everything before changing anything: a refused file leaves the defaults. */
  for (size_t i = 0; i < config->key_count; i++) {
    const ConfigKeyBinding *binding = &config->keys[i];
    Action action = action_by_config_name(binding->action);
    if (action == ACTION_NONE) {
      char names[1200];
      action_names_text(names, sizeof names);
      snprintf(err, err_size, "%s:%d: ui.keys.%s: unknown action; actions are %s", file,
               binding->line, binding->action, names);
      return false;
    }
    if (binding->key_count == 0) {
      snprintf(err, err_size, "%s:%d: ui.keys.%s: no key given; keys are %s", file, binding->line,
               binding->action, KEY_NAMES_TEXT);
      return false;
    }
    for (size_t k = 0; k < binding->key_count; k++) {
      wint_t key;
      bool is_key;
      if (!keymap_parse_key(binding->keys[k], &key, &is_key)) {
        snprintf(err, err_size, "%s:%d: ui.keys.%s: unknown key \"%s\"; keys are %s", file,
                 binding->line, binding->action, binding->keys[k], KEY_NAMES_TEXT);
        return false;
      }
      if (action_context(action) == ACTION_CTX_FORM && !is_key &&
          (key == L' ' || (key > L' ' && key != 0x7f))) {
        snprintf(err, err_size,
                 "%s:%d: ui.keys.%s: \"%s\" is a printable key, and in forms typed keys go into "
                 "the field; use a key such as C-s, F2 or Enter",
                 file, binding->line, binding->action, binding->keys[k]);
        return false;
      }
    }
  }
  for (size_t i = 0; i < config->key_count; i++) {
    const ConfigKeyBinding *binding = &config->keys[i];
    Action action = action_by_config_name(binding->action);
    keymap_remove_action(keymap, action);
    for (size_t k = 0; k < binding->key_count; k++) {
      wint_t key;
      bool is_key;
      keymap_parse_key(binding->keys[k], &key, &is_key);
      /* The configured key wins over a default of another action in the same context. */
      keymap_remove_key(keymap, action_context(action), key, is_key);
      if (!keymap_add(keymap, key, is_key, action)) {
        snprintf(err, err_size, "%s:%d: ui.keys.%s: out of memory", file, binding->line,
                 binding->action);
        return false;
      }
    }
  }
  return true;
}
