/* Input and output files: cart files (annotations, PascalCase, full carts, and where each line
 * item sits in the text) and the catalog export that makes validation work offline. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli_internal.h"
#include "model/catalog.h"

/* Large enough for any real cart or exported catalog; stops a wrong file (a disk image) from
 * being read whole into memory. */
#define CLI_MAX_INPUT (64L * 1024 * 1024)

static const char *shown_name(const char *path) {
  return strcmp(path, "-") == 0 ? "standard input" : path;
}

int cli_read_file(CliRun *run, const char *path, const char *what, char **text) {
  *text = NULL;
  bool from_in = strcmp(path, "-") == 0;
  FILE *file = from_in ? run->context->in : fopen(path, "rb");
  if (!file) {
    if (from_in) {
      return cli_usage_error(run, "There is no standard input to read the %s from.", what);
    }
    cli_message(run, "Cannot open the %s %s: %s.", what, path, strerror(errno));
    return CLI_EXIT_USAGE;
  }
  size_t length = 0;
  size_t capacity = 4096;
  char *data = malloc(capacity);
  bool failed = data == NULL;
  while (!failed) {
    if (length + 1 >= capacity) {
      if (capacity >= (size_t)CLI_MAX_INPUT) {
        break;
      }
      char *grown = realloc(data, capacity * 2);
      if (!grown) {
        failed = true;
        break;
      }
      data = grown;
      capacity *= 2;
    }
    size_t got = fread(data + length, 1, capacity - length - 1, file);
    length += got;
    if (got == 0) {
      break;
    }
  }
  bool read_error = ferror(file) != 0;
  int saved = errno;
  if (!from_in) {
    fclose(file);
  }
  if (failed) {
    free(data);
    return cli_no_memory(run);
  }
  if (read_error) {
    free(data);
    cli_message(run, "Cannot read the %s %s: %s.", what, shown_name(path), strerror(saved));
    return CLI_EXIT_USAGE;
  }
  if (length + 1 >= capacity) {
    free(data);
    cli_message(run, "The %s %s is larger than %ld MiB; it cannot be a %s.", what, shown_name(path),
                CLI_MAX_INPUT / (1024 * 1024), what);
    return CLI_EXIT_USAGE;
  }
  data[length] = '\0';
  if (strlen(data) != length) {
    free(data);
    cli_message(run, "The %s %s holds a NUL byte; it is not a JSON text file.", what,
                shown_name(path));
    return CLI_EXIT_USAGE;
  }
  *text = data;
  return CLI_EXIT_OK;
}

/* The documents' annotations (C comments outside strings) become blanks, newlines kept, so a
 * parse error or a problem can name the file's own line and column (json_strip_annotations
 * removes them, which moves everything after). */
static void blank_annotations(char *text) {
  /* A UTF-8 byte order mark (Windows editors write one) is not JSON: it becomes a blank too. */
  if (strncmp(text, "\xEF\xBB\xBF", 3) == 0) {
    memset(text, ' ', 3);
  }
  bool in_string = false;
  for (char *p = text; *p; p++) {
    if (in_string) {
      if (*p == '\\' && p[1]) {
        p++;
      } else if (*p == '"') {
        in_string = false;
      }
    } else if (*p == '"') {
      in_string = true;
    } else if (p[0] == '/' && p[1] == '*') {
      char *end = strstr(p + 2, "*/");
      char *stop = end ? end + 2 : p + strlen(p);
      for (; p < stop; p++) {
        if (*p != '\n') {
          *p = ' ';
        }
      }
      p--;
    }
  }
}

static void line_column(const char *text, const char *at, int *line, int *column) {
  *line = 1;
  *column = 1;
  for (const char *p = text; *p && p < at; p++) {
    if (*p == '\n') {
      (*line)++;
      *column = 1;
    } else if (((unsigned char)*p & 0xC0) != 0x80) {
      (*column)++;
    }
  }
}

/* Parses text (already blanked); on failure names the file, line and column. */
static int parse_json(CliRun *run, const char *name, const char *what, const char *text,
                      cJSON **json) {
  const char *end = NULL;
  *json = cJSON_ParseWithOpts(text, &end, true);
  if (*json) {
    return CLI_EXIT_OK;
  }
  const char *skip = text;
  while (*skip == ' ' || *skip == '\t' || *skip == '\r' || *skip == '\n') {
    skip++;
  }
  if (!*skip) {
    cli_message(run, "The %s %s is empty.", what, name);
    return CLI_EXIT_USAGE;
  }
  const char *at = end ? end : cJSON_GetErrorPtr();
  if (!at || at < text || at > text + strlen(text)) {
    at = text;
  }
  int line, column;
  line_column(text, at, &line, &column);
  char near[24] = "";
  size_t n = 0;
  const char *p = at;
  for (; *p && *p != '\n' && n + 1 < sizeof near; p++) {
    near[n++] = (*p == '\t' || *p == '\r') ? ' ' : *p;
  }
  /* Cut where a character ends: half a UTF-8 character is not text on a terminal. */
  if (((unsigned char)*p & 0xC0) == 0x80) {
    while (n > 0 && ((unsigned char)near[n - 1] & 0xC0) == 0x80) {
      n--;
    }
    n = n > 0 ? n - 1 : 0; /* the character's first byte */
  }
  near[n] = '\0';
  const char *rest = at;
  while (*rest == ' ' || *rest == '\t' || *rest == '\r' || *rest == '\n') {
    rest++;
  }
  if (!*rest) {
    cli_message(run, "The %s %s is not valid JSON: it ends too early (line %d, column %d).", what,
                name, line, column);
  } else {
    cli_message(run, "The %s %s is not valid JSON: the parse failed at line %d, column %d%s%s%s.",
                what, name, line, column, n ? " (at \"" : "", near, n ? "\")" : "");
  }
  return CLI_EXIT_USAGE;
}

void cart_file_clear(CartFile *file) {
  free(file->name);
  free(file->text);
  cart_free(file->cart);
  memset(file, 0, sizeof *file);
}

int cart_file_load(CliRun *run, const char *path, CartFile *file) {
  memset(file, 0, sizeof *file);
  file->name = model_strdup(shown_name(path));
  if (!file->name) {
    return cli_no_memory(run);
  }
  int code = cli_read_file(run, path, "cart file", &file->text);
  if (code != CLI_EXIT_OK) {
    cart_file_clear(file);
    return code;
  }
  blank_annotations(file->text);
  cJSON *json = NULL;
  code = parse_json(run, file->name, "cart file", file->text, &json);
  if (code != CLI_EXIT_OK) {
    cart_file_clear(file);
    return code;
  }
  char err[256] = "";
  if (!cJSON_IsObject(json) || !json_get(json, "lineItems")) {
    cli_message(run,
                "The cart file %s does not hold a cart: expected a JSON object with lineItems.",
                file->name);
    cJSON_Delete(json);
    cart_file_clear(file);
    return CLI_EXIT_USAGE;
  }
  file->cart = cart_from_json(json, err, sizeof err);
  cJSON_Delete(json);
  if (!file->cart) {
    cli_message(run, "The cart file %s does not hold a cart: %s", file->name,
                err[0] ? err : "it could not be read.");
    cart_file_clear(file);
    return CLI_EXIT_USAGE;
  }
  return CLI_EXIT_OK;
}

/* ----- where a line item sits in the text ----- */

static const char *skip_space(const char *p) {
  while (p && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
    p++;
  }
  return p;
}

static const char *skip_string(const char *p) { /* p at the opening quote */
  for (p++; *p && *p != '"'; p++) {
    if (*p == '\\' && p[1]) {
      p++;
    }
  }
  return *p ? p + 1 : p;
}

/* Past one value; the text is known to be valid JSON (it parsed). */
static const char *skip_value(const char *p) {
  p = skip_space(p);
  if (*p == '"') {
    return skip_string(p);
  }
  if (*p != '{' && *p != '[') {
    while (*p && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' && *p != '\t' &&
           *p != '\r') {
      p++;
    }
    return p;
  }
  int depth = 0;
  while (*p) {
    if (*p == '"') {
      p = skip_string(p);
      continue;
    }
    if (*p == '{' || *p == '[') {
      depth++;
    } else if (*p == '}' || *p == ']') {
      if (--depth == 0) {
        return p + 1;
      }
    }
    p++;
  }
  return p;
}

/* The value of member `key` (matched case-insensitively, as the service reads) of the object
 * at p, or NULL. key_at gets where the member's name starts. */
static const char *object_member(const char *p, const char *key, size_t key_length,
                                 const char **key_at) {
  p = skip_space(p);
  if (!p || *p != '{') {
    return NULL;
  }
  p = skip_space(p + 1);
  while (*p == '"') {
    const char *name = p + 1;
    const char *after = skip_string(p);
    size_t length = (size_t)(after - name) - 1;
    const char *value = skip_space(skip_space(after) + 1); /* past ':' */
    if (length == key_length && strncasecmp(name, key, key_length) == 0) {
      if (key_at) {
        *key_at = p;
      }
      return value;
    }
    p = skip_space(skip_value(value));
    if (*p != ',') {
      break;
    }
    p = skip_space(p + 1);
  }
  return NULL;
}

static const char *array_element(const char *p, long index) {
  p = skip_space(p);
  if (!p || *p != '[' || index < 0) {
    return NULL;
  }
  p = skip_space(p + 1);
  for (long i = 0; *p && *p != ']'; i++) {
    if (i == index) {
      return p;
    }
    p = skip_space(skip_value(p));
    if (*p != ',') {
      return NULL;
    }
    p = skip_space(p + 1);
  }
  return NULL;
}

int cart_file_line_of(const CartFile *file, long line_index, long addon_index, const char *field) {
  if (!file || !file->text || line_index < 0) {
    return 0;
  }
  const char *lines = object_member(file->text, "lineItems", 9, NULL);
  const char *at = array_element(lines, line_index);
  if (at && addon_index >= 0) {
    at = array_element(object_member(at, "addonItems", 10, NULL), addon_index);
  }
  if (!at) {
    return 0;
  }
  /* Narrow down to the field's member, as far as the file has it. */
  const char *place = at;
  for (const char *part = field; part && *part && at;) {
    const char *dot = strchr(part, '.');
    size_t length = dot ? (size_t)(dot - part) : strlen(part);
    const char *key_at = NULL;
    at = object_member(at, part, length, &key_at);
    if (at) {
      place = key_at;
    }
    part = dot ? dot + 1 : NULL;
  }
  int line, column;
  line_column(file->text, place, &line, &column);
  return line;
}

/* ----- catalog export (the document is the model's: catalog_to_json) ----- */

int catalog_file_load(CliRun *run, const char *path, Catalog **out) {
  *out = NULL;
  char *text = NULL;
  int code = cli_read_file(run, path, "catalog file", &text);
  if (code != CLI_EXIT_OK) {
    return code;
  }
  blank_annotations(text);
  cJSON *json = NULL;
  code = parse_json(run, shown_name(path), "catalog file", text, &json);
  free(text);
  if (code != CLI_EXIT_OK) {
    return code;
  }
  char err[256] = "";
  *out = catalog_from_json(json, err, sizeof err);
  cJSON_Delete(json);
  if (!*out) {
    cli_message(run, "The catalog file %s cannot be used: %s", shown_name(path), err);
    return CLI_EXIT_USAGE;
  }
  return CLI_EXIT_OK;
}
