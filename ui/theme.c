/* Themes: the semantic roles of ui_internal.h mapped to colours and attributes by a file in
 * themes/ (libconfig: `role = { fg = "cyan"; bg = "default"; attrs = ["bold"]; };`). Loaded
 * and checked before the screen is touched so that a bad file is reported on stderr. */
#include <dirent.h>
#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ui_internal.h"

#ifndef PCC_THEMES_DIR
#define PCC_THEMES_DIR "themes"
#endif

#define COLOUR_DEFAULT (-1)

/* A problem as one sentence in err, cut to err_size (a path can be long; the cut is wanted, and
 * going through vsnprintf keeps -O2's format-truncation check from calling it an error). */
static void theme_error(char *err, size_t err_size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static void theme_error(char *err, size_t err_size, const char *format, ...) {
  if (!err || !err_size)
    return;
  va_list args;
  va_start(args, format);
  vsnprintf(err, err_size, format, args);
  va_end(args);
}

typedef struct RoleStyle {
  short fg, bg; /* COLOUR_DEFAULT or 0..255 */
  attr_t attrs;
} RoleStyle;

static const char *const role_names[ROLE_COUNT] = {
#define PCC_THEME_ROLE_NAME(id, name) [ROLE_##id] = name,
    PCC_THEME_ROLES(PCC_THEME_ROLE_NAME)
#undef PCC_THEME_ROLE_NAME
};

/* The loaded theme. The UI is single-threaded and there is one screen. */
static RoleStyle styles[ROLE_COUNT];
static attr_t role_attrs[ROLE_COUNT];
static bool colours_wanted;
static bool builtin_ready;

/* Attributes only, with the same choices as mono.cfg: used when the default theme's file is
 * missing (an installed binary without its themes) and no theme was asked for, and on
 * terminals without colours if mono.cfg cannot be read. */
static void theme_builtin_mono(void) {
  for (int r = 0; r < ROLE_COUNT; r++)
    styles[r] = (RoleStyle){COLOUR_DEFAULT, COLOUR_DEFAULT, A_NORMAL};
  styles[ROLE_DIM].attrs = A_DIM;
  styles[ROLE_TITLE_FOCUSED].attrs = A_BOLD | A_UNDERLINE;
  styles[ROLE_HEADER].attrs = A_UNDERLINE;
  styles[ROLE_SELECTED].attrs = A_REVERSE | A_BOLD;
  styles[ROLE_SELECTED_UNFOCUSED].attrs = A_REVERSE;
  styles[ROLE_STATUS].attrs = A_REVERSE;
  styles[ROLE_SANDBOX].attrs = A_BOLD;
  styles[ROLE_LIVE].attrs = A_BOLD | A_UNDERLINE | A_BLINK;
  styles[ROLE_HINT_KEY].attrs = A_BOLD;
  styles[ROLE_SUCCESS].attrs = A_BOLD;
  styles[ROLE_WARNING].attrs = A_BOLD;
  styles[ROLE_ERROR].attrs = A_BOLD | A_UNDERLINE;
  styles[ROLE_INPUT].attrs = A_UNDERLINE;
  styles[ROLE_INPUT_FOCUSED].attrs = A_UNDERLINE | A_BOLD;
  styles[ROLE_DIALOG_TITLE].attrs = A_BOLD;
  styles[ROLE_JSON_KEY].attrs = A_BOLD;
  colours_wanted = false;
  for (int r = 0; r < ROLE_COUNT; r++)
    role_attrs[r] = styles[r].attrs;
  builtin_ready = true;
}

attr_t theme_attr(ThemeRole role) {
  if (!builtin_ready)
    theme_builtin_mono();
  if (role < 0 || role >= ROLE_COUNT)
    return A_NORMAL;
  return role_attrs[role];
}

static const char *themes_dir(void) {
  const char *dir = getenv("PCCART_THEMES_DIR");
  return dir && *dir ? dir : PCC_THEMES_DIR;
}

/* The names of the *.cfg files of the themes directory, comma separated. */
static void theme_names(char *buf, size_t size) {
  buf[0] = '\0';
  DIR *dir = opendir(themes_dir());
  if (!dir) {
    snprintf(buf, size, "(none: %s cannot be read)", themes_dir());
    return;
  }
  /* Sorted for a stable message: collect, then insertion sort (a handful of files). */
  char names[32][64];
  int count = 0;
  struct dirent *entry;
  while ((entry = readdir(dir)) && count < 32) {
    size_t n = strlen(entry->d_name);
    if (n > 4 && n - 4 < sizeof names[0] && strcmp(entry->d_name + n - 4, ".cfg") == 0) {
      memcpy(names[count], entry->d_name, n - 4);
      names[count][n - 4] = '\0';
      count++;
    }
  }
  closedir(dir);
  for (int i = 1; i < count; i++)
    for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
      char tmp[64];
      memcpy(tmp, names[j], sizeof tmp);
      memcpy(names[j], names[j - 1], sizeof tmp);
      memcpy(names[j - 1], tmp, sizeof tmp);
    }
  size_t used = 0;
  for (int i = 0; i < count && used < size; i++) {
    int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", names[i]);
    if (n < 0)
      break;
    used += (size_t)n;
  }
}

static bool theme_name_ok(const char *name) {
  if (!*name || strlen(name) > 48)
    return false;
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
          *p == '-' || *p == '_'))
      return false;
  return true;
}

static const char *const colour_names[] = {"black", "red",     "green", "yellow",
                                           "blue",  "magenta", "cyan",  "white"};

#define COLOURS_TEXT                                                                               \
  "default, black, red, green, yellow, blue, magenta, cyan, white, bright-black .. bright-white, " \
  "or color0 .. color255"

static bool parse_colour(const char *text, short *out) {
  if (strcmp(text, "default") == 0) {
    *out = COLOUR_DEFAULT;
    return true;
  }
  const char *name = text;
  int base = 0;
  if (strncmp(text, "bright-", 7) == 0) {
    name = text + 7;
    base = 8;
  }
  for (int i = 0; i < 8; i++) {
    if (strcmp(name, colour_names[i]) == 0) {
      *out = (short)(base + i);
      return true;
    }
  }
  if (strncmp(text, "color", 5) == 0 && text[5]) {
    char *end;
    long n = strtol(text + 5, &end, 10);
    if (*end == '\0' && n >= 0 && n <= 255) {
      *out = (short)n;
      return true;
    }
  }
  return false;
}

static const struct {
  const char *name;
  attr_t attr;
} attr_names[] = {
    {"bold", A_BOLD},           {"dim", A_DIM},       {"reverse", A_REVERSE},
    {"underline", A_UNDERLINE}, {"blink", A_BLINK},   {"standout", A_STANDOUT},
    {"italic", A_ITALIC},       {"normal", A_NORMAL},
};

#define ATTRS_TEXT "bold, dim, reverse, underline, blink, standout, italic, normal"

static bool parse_attr(const char *text, attr_t *out) {
  for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++) {
    if (strcmp(text, attr_names[i].name) == 0) {
      *out = attr_names[i].attr;
      return true;
    }
  }
  return false;
}

static int role_by_name(const char *name) {
  for (int r = 0; r < ROLE_COUNT; r++)
    if (strcmp(role_names[r], name) == 0)
      return r;
  return -1;
}

static void role_names_text(char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int r = 0; r < ROLE_COUNT && used < size; r++) {
    int n = snprintf(buf + used, size - used, "%s%s", r ? ", " : "", role_names[r]);
    if (n < 0)
      break;
    used += (size_t)n;
  }
}

/* Reads one role's group into style; false with err naming file, line and setting. */
static bool theme_read_role(const char *path, config_setting_t *group, RoleStyle *style, char *err,
                            size_t err_size) {
  const char *role = config_setting_name(group);
  int count = config_setting_length(group);
  for (int i = 0; i < count; i++) {
    config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
    const char *name = config_setting_name(s);
    int line = config_setting_source_line(s);
    if (strcmp(name, "fg") == 0 || strcmp(name, "bg") == 0) {
      short colour;
      const char *text = NULL;
      if (config_setting_type(s) == CONFIG_TYPE_INT) {
        int n = config_setting_get_int(s);
        if (n < 0 || n > 255) {
          theme_error(err, err_size, "%s:%d: %s.%s: colour %d out of range; colours are %s", path,
                      line, role, name, n, COLOURS_TEXT);
          return false;
        }
        colour = (short)n;
      } else if ((text = config_setting_get_string(s)) != NULL) {
        if (!parse_colour(text, &colour)) {
          theme_error(err, err_size, "%s:%d: %s.%s: unknown colour \"%s\"; colours are %s", path,
                      line, role, name, text, COLOURS_TEXT);
          return false;
        }
      } else {
        theme_error(err, err_size, "%s:%d: %s.%s: expected a colour name; colours are %s", path,
                    line, role, name, COLOURS_TEXT);
        return false;
      }
      if (name[0] == 'f')
        style->fg = colour;
      else
        style->bg = colour;
    } else if (strcmp(name, "attrs") == 0) {
      if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
        theme_error(err, err_size,
                    "%s:%d: %s.attrs: expected a list such as [\"bold\"]; attributes "
                    "are %s",
                    path, line, role, ATTRS_TEXT);
        return false;
      }
      attr_t attrs = A_NORMAL;
      for (int k = 0; k < config_setting_length(s); k++) {
        const char *text = config_setting_get_string_elem(s, k);
        attr_t attr;
        if (!text || !parse_attr(text, &attr)) {
          theme_error(err, err_size, "%s:%d: %s.attrs: unknown attribute \"%s\"; attributes are %s",
                      path, line, role, text ? text : "(not a string)", ATTRS_TEXT);
          return false;
        }
        attrs |= attr;
      }
      style->attrs = attrs;
    } else {
      theme_error(err, err_size, "%s:%d: %s.%s: unknown setting; a role has fg, bg and attrs", path,
                  line, role, name);
      return false;
    }
  }
  return true;
}

static bool theme_read_file(const char *path, RoleStyle *out, bool *uses_colour, char *err,
                            size_t err_size) {
  config_t cfg;
  config_init(&cfg);
  if (config_read_file(&cfg, path) != CONFIG_TRUE) {
    if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
      theme_error(err, err_size, "%s: cannot be read (%s)", path, strerror(errno ? errno : ENOENT));
    else
      theme_error(err, err_size, "%s:%d: %s", path, config_error_line(&cfg),
                  config_error_text(&cfg));
    config_destroy(&cfg);
    return false;
  }
  for (int r = 0; r < ROLE_COUNT; r++)
    out[r] = (RoleStyle){COLOUR_DEFAULT, COLOUR_DEFAULT, A_NORMAL};
  bool set[ROLE_COUNT] = {false};
  config_setting_t *root = config_root_setting(&cfg);
  bool ok = true;
  for (int i = 0; ok && i < config_setting_length(root); i++) {
    config_setting_t *group = config_setting_get_elem(root, (unsigned)i);
    const char *name = config_setting_name(group);
    int line = config_setting_source_line(group);
    int role = role_by_name(name);
    if (role < 0) {
      char names[800];
      role_names_text(names, sizeof names);
      theme_error(err, err_size, "%s:%d: %s: unknown role; roles are %s", path, line, name, names);
      ok = false;
    } else if (!config_setting_is_group(group)) {
      theme_error(err, err_size, "%s:%d: %s: expected a group such as { fg = \"cyan\"; }", path,
                  line, name);
      ok = false;
    } else {
      ok = theme_read_role(path, group, &out[role], err, err_size);
      set[role] = true;
    }
  }
  config_destroy(&cfg);
  if (!ok)
    return false;
  /* A role the file leaves out looks like normal text. */
  for (int r = 0; r < ROLE_COUNT; r++)
    if (!set[r] && r != ROLE_NORMAL)
      out[r] = out[ROLE_NORMAL];
  *uses_colour = false;
  for (int r = 0; r < ROLE_COUNT; r++)
    if (out[r].fg != COLOUR_DEFAULT || out[r].bg != COLOUR_DEFAULT)
      *uses_colour = true;
  return true;
}

bool theme_load(const char *name, bool no_color, const char *config_path, int config_line,
                char *err, size_t err_size) {
  const char *chosen = no_color ? "mono" : (name ? name : "default");
  const char *where = config_path ? config_path : "(configuration)";
  if (!theme_name_ok(chosen)) {
    char names[512];
    theme_names(names, sizeof names);
    theme_error(err, err_size, "%s:%d: ui.theme: unknown theme \"%s\"; themes are %s", where,
                config_line, chosen, names);
    return false;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.cfg", themes_dir(), chosen);
  FILE *probe = fopen(path, "r");
  if (!probe) {
    if (!name || no_color) {
      /* Nobody asked for this file by name: attributes only rather than no program. */
      theme_builtin_mono();
      return true;
    }
    char names[512];
    theme_names(names, sizeof names);
    theme_error(err, err_size, "%s:%d: ui.theme: unknown theme \"%s\"; themes are %s", where,
                config_line, chosen, names);
    return false;
  }
  fclose(probe);
  RoleStyle loaded[ROLE_COUNT];
  bool uses_colour;
  char detail[900];
  if (!theme_read_file(path, loaded, &uses_colour, detail, sizeof detail)) {
    if (name && !no_color)
      theme_error(err, err_size, "%s:%d: ui.theme: theme \"%s\" is bad: %s", where, config_line,
                  chosen, detail);
    else
      theme_error(err, err_size, "theme \"%s\" is bad: %s", chosen, detail);
    return false;
  }
  memcpy(styles, loaded, sizeof styles);
  colours_wanted = uses_colour && !no_color;
  for (int r = 0; r < ROLE_COUNT; r++)
    role_attrs[r] = styles[r].attrs;
  builtin_ready = true;
  return true;
}

void theme_apply(void) {
  if (!builtin_ready)
    theme_builtin_mono();
  if (!colours_wanted)
    return;
  if (!has_colors() || start_color() == ERR) {
    /* Colours cannot show the state here: fall back to attributes that can. */
    char err[256];
    if (!theme_load("mono", true, NULL, 0, err, sizeof err))
      theme_builtin_mono();
    return;
  }
  use_default_colors();
  for (int r = 0; r < ROLE_COUNT; r++) {
    short fg = styles[r].fg, bg = styles[r].bg;
    /* A 256-colour theme on an 8- or 16-colour terminal: the low colours it can show. */
    if (fg >= COLORS)
      fg = (short)(fg % 8);
    if (bg >= COLORS)
      bg = (short)(bg % 8);
    if (r + 1 < COLOR_PAIRS && init_pair((short)(r + 1), fg, bg) != ERR)
      role_attrs[r] = styles[r].attrs | (attr_t)COLOR_PAIR(r + 1);
  }
}
