/* Fixture loading for the unit tests. */
#include "fixtures.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/common.h"

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    return NULL;
  }
  char *data = NULL;
  size_t len = 0;
  size_t cap = 0;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (len + n + 1 > cap) {
      cap = (len + n + 1) * 2;
      char *grown = realloc(data, cap);
      if (!grown) {
        free(data);
        fclose(f);
        return NULL;
      }
      data = grown;
    }
    memcpy(data + len, chunk, n);
    len += n;
  }
  bool failed = ferror(f) != 0;
  fclose(f);
  if (failed) {
    free(data);
    return NULL;
  }
  if (!data) {
    data = calloc(1, 1);
  } else {
    data[len] = '\0';
  }
  return data;
}

char *fixture_read(const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", PCC_FIXTURES_DIR, name);
  return read_file(path);
}

int fixture_seeds_available(void) {
  struct stat st;
  return stat(PCC_SEEDS_DIR, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The seed's full path: the exact name if it exists, else the first name (sorted) with
 * seed_file as prefix, so tests can say "004" without the hash. */
static bool seed_path(const char *seed_file, char *path, size_t size) {
  struct stat st;
  snprintf(path, size, "%s/%s", PCC_SEEDS_DIR, seed_file);
  if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
    return true;
  }
  struct dirent **names = NULL;
  int count = scandir(PCC_SEEDS_DIR, &names, NULL, alphasort);
  if (count < 0) {
    return false;
  }
  bool found = false;
  for (int i = 0; i < count; i++) {
    if (!found && strncmp(names[i]->d_name, seed_file, strlen(seed_file)) == 0) {
      snprintf(path, size, "%s/%s", PCC_SEEDS_DIR, names[i]->d_name);
      found = true;
    }
    free(names[i]);
  }
  free(names);
  return found;
}

/* "Name: value" header lines of an HTTP message. */
static bool is_header_line(const char *line, size_t len) {
  size_t i = 0;
  while (i < len && (line[i] == '-' || (line[i] >= 'A' && line[i] <= 'Z') ||
                     (line[i] >= 'a' && line[i] <= 'z') || (line[i] >= '0' && line[i] <= '9'))) {
    i++;
  }
  return i > 0 && i + 1 < len && line[i] == ':' && line[i + 1] == ' ';
}

static bool is_blank_line(const char *line, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
      return false;
    }
  }
  return true;
}

char *fixture_seed_json_block(const char *seed_file, int block_index) {
  char path[4096];
  if (!fixture_seeds_available() || !seed_path(seed_file, path, sizeof path)) {
    return NULL;
  }
  char *doc = read_file(path);
  if (!doc) {
    return NULL;
  }
  enum { OUTSIDE, START_LINE, HEADERS, BODY } state = OUTSIDE;
  int seen = 0;
  const char *body = NULL;
  const char *body_end = NULL;
  for (const char *line = doc; *line;) {
    const char *nl = strchr(line, '\n');
    size_t len = nl ? (size_t)(nl - line) : strlen(line);
    const char *next = nl ? nl + 1 : line + len;
    bool fence = len >= 3 && strncmp(line, "```", 3) == 0;
    if (state == OUTSIDE) {
      if (fence && len >= 7 && strncmp(line, "```http", 7) == 0 && seen++ == block_index) {
        state = START_LINE;
      }
    } else if (fence) {
      if (state == BODY) {
        body_end = line;
      }
      break;
    } else if (state == START_LINE) {
      state = HEADERS;
    } else if (state == HEADERS) {
      /* The response examples run the body straight after the headers, with no blank line. */
      if (!is_header_line(line, len) && !is_blank_line(line, len)) {
        state = BODY;
        body = line;
      }
    }
    line = next;
  }
  char *result = NULL;
  if (body && body_end) {
    size_t n = (size_t)(body_end - body);
    result = malloc(n + 1);
    if (result) {
      memcpy(result, body, n);
      result[n] = '\0';
    }
  }
  free(doc);
  return result;
}

static bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Replaces every occurrence of from (outside strings is not needed: the examples never
 * quote these placeholders) by to, which must not be longer. */
static void replace_all(char *text, const char *from, const char *to) {
  size_t from_len = strlen(from);
  size_t to_len = strlen(to);
  char *p = text;
  while ((p = strstr(p, from)) != NULL) {
    memcpy(p, to, to_len);
    memmove(p + to_len, p + from_len, strlen(p + from_len) + 1);
    p += to_len;
  }
}

/* Drops lines whose only content is `...` (optionally followed by a comma). */
static void drop_ellipsis_lines(char *text) {
  char *out = text;
  const char *line = text;
  while (*line) {
    const char *nl = strchr(line, '\n');
    size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
    const char *p = line;
    while (p < line + len && (*p == ' ' || *p == '\t')) {
      p++;
    }
    bool ellipsis = strncmp(p, "...", 3) == 0;
    if (ellipsis) {
      p += 3;
      if (*p == ',') {
        p++;
      }
      while (p < line + len && is_space(*p)) {
        p++;
      }
      ellipsis = p == line + len;
    }
    if (!ellipsis) {
      memmove(out, line, len);
      out += len;
    }
    line += len;
  }
  *out = '\0';
}

/* Removes a comma when only whitespace separates it from a closing } or ]. */
static void drop_trailing_commas(char *text) {
  char *out = text;
  bool in_string = false;
  for (const char *p = text; *p; p++) {
    if (in_string) {
      *out++ = *p;
      if (*p == '\\' && p[1]) {
        *out++ = *++p;
      } else if (*p == '"') {
        in_string = false;
      }
      continue;
    }
    if (*p == ',') {
      const char *q = p + 1;
      while (is_space(*q)) {
        q++;
      }
      if (*q == '}' || *q == ']') {
        continue;
      }
    }
    if (*p == '"') {
      in_string = true;
    }
    *out++ = *p;
  }
  *out = '\0';
}

/* A comma the docs forgot between members: a value that ends with `}`, `]` or `"` followed
 * (across blanks) by the next member's name, as in get-a-subscription-by-id.md's and
 * checkout-a-cart.md's new-commerce replies (in JSON a string is never followed by another
 * string). A new string (text is freed); NULL when out of memory. */
static char *add_missing_commas(char *text) {
  size_t length = strlen(text);
  char *out = malloc(2 * length + 1);
  if (!out) {
    free(text);
    return NULL;
  }
  size_t n = 0;
  bool in_string = false;
  for (const char *p = text; *p; p++) {
    out[n++] = *p;
    if (in_string) {
      if (*p == '\\' && p[1]) {
        out[n++] = *++p;
      } else if (*p == '"') {
        in_string = false;
        const char *q = p + 1;
        while (is_space(*q)) {
          q++;
        }
        if (*q == '"') {
          out[n++] = ',';
        }
      }
      continue;
    }
    if (*p == '"') {
      in_string = true;
    } else if (*p == '}' || *p == ']') {
      const char *q = p + 1;
      while (is_space(*q)) {
        q++;
      }
      if (*q == '"') {
        out[n++] = ',';
      }
    }
  }
  out[n] = '\0';
  free(text);
  return out;
}

char *fixture_normalize_doc_json(const char *text) {
  char *stripped = json_strip_annotations(text);
  if (!stripped) {
    return NULL;
  }
  /* A "?" (a BOM mangled by the docs' toolchain) or a real BOM before the first "{". */
  char *start = stripped;
  while (is_space(*start)) {
    start++;
  }
  if (strncmp(start, "\xEF\xBB\xBF", 3) == 0) {
    memmove(start, start + 3, strlen(start + 3) + 1);
  } else if (start[0] == '?' && (start[1] == '{' || start[1] == '[')) {
    memmove(start, start + 1, strlen(start + 1) + 1);
  }
  /* Indentation pasted as no-break spaces (U+00A0), as in checkout-a-cart.md's new-commerce
   * order. */
  replace_all(stripped, "\xC2\xA0", " ");
  replace_all(stripped, "{...}", "{}");
  replace_all(stripped, "[...]", "[]");
  drop_ellipsis_lines(stripped);
  drop_trailing_commas(stripped);
  return add_missing_commas(stripped);
}
