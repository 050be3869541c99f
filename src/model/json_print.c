/* The one JSON serializer: what the user previews is byte for byte what is sent, so the
 * output depends only on the tree (cJSON's own printer varies with its build options). */
#include "model/cart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Buffer {
  char *data;
  size_t len;
  size_t cap;
  bool failed;
} Buffer;

static void buf_append(Buffer *b, const char *s, size_t n) {
  if (b->failed) {
    return;
  }
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (b->len + n + 1 > cap) {
      cap *= 2;
    }
    char *data = realloc(b->data, cap);
    if (!data) {
      b->failed = true;
      return;
    }
    b->data = data;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static void buf_puts(Buffer *b, const char *s) {
  buf_append(b, s, strlen(s));
}

static void buf_indent(Buffer *b, int depth) {
  for (int i = 0; i < depth; i++) {
    buf_append(b, "  ", 2);
  }
}

/* JSON escaping; bytes >= 0x80 pass through so UTF-8 stays readable. */
static void print_string(Buffer *b, const char *s) {
  buf_append(b, "\"", 1);
  const char *run = s;
  for (const char *p = s; *p; p++) {
    unsigned char c = (unsigned char)*p;
    const char *escape = NULL;
    char hex[8];
    switch (c) {
    case '"':
      escape = "\\\"";
      break;
    case '\\':
      escape = "\\\\";
      break;
    case '\b':
      escape = "\\b";
      break;
    case '\f':
      escape = "\\f";
      break;
    case '\n':
      escape = "\\n";
      break;
    case '\r':
      escape = "\\r";
      break;
    case '\t':
      escape = "\\t";
      break;
    default:
      if (c < 0x20) {
        snprintf(hex, sizeof hex, "\\u%04x", c);
        escape = hex;
      }
      break;
    }
    if (escape) {
      buf_append(b, run, (size_t)(p - run));
      buf_puts(b, escape);
      run = p + 1;
    }
  }
  buf_puts(b, run);
  buf_append(b, "\"", 1);
}

/* Integers print as integers (never 1e+06 or 3.0); other numbers use the shortest
 * precision that reads back to the same double. */
static void print_number(Buffer *b, double v) {
  char text[64];
  if (v - v != 0) { /* NaN or infinity have no JSON spelling */
    buf_puts(b, "null");
    return;
  }
  /* Every double beyond 2^53 is a whole number; below it the cast is exact. The model
   * links without libm, hence no floor(). */
  double magnitude = v < 0 ? -v : v;
  bool whole = magnitude >= 9007199254740992.0 || (double)(long long)v == v;
  if (whole && magnitude < 1e21) {
    snprintf(text, sizeof text, "%.0f", v == 0 ? 0.0 : v);
  } else {
    snprintf(text, sizeof text, "%.15g", v);
    if (strtod(text, NULL) != v) {
      snprintf(text, sizeof text, "%.17g", v);
    }
  }
  buf_puts(b, text);
}

static void print_value(Buffer *b, const cJSON *item, int depth);

static void print_container(Buffer *b, const cJSON *item, int depth, bool object) {
  const cJSON *child = item->child;
  if (!child) {
    buf_puts(b, object ? "{}" : "[]");
    return;
  }
  buf_puts(b, object ? "{\n" : "[\n");
  for (; child; child = child->next) {
    buf_indent(b, depth + 1);
    if (object) {
      print_string(b, child->string ? child->string : "");
      buf_puts(b, ": ");
    }
    print_value(b, child, depth + 1);
    buf_puts(b, child->next ? ",\n" : "\n");
  }
  buf_indent(b, depth);
  buf_puts(b, object ? "}" : "]");
}

static void print_value(Buffer *b, const cJSON *item, int depth) {
  if (cJSON_IsObject(item)) {
    print_container(b, item, depth, true);
  } else if (cJSON_IsArray(item)) {
    print_container(b, item, depth, false);
  } else if (cJSON_IsString(item)) {
    print_string(b, item->valuestring ? item->valuestring : "");
  } else if (cJSON_IsNumber(item)) {
    print_number(b, item->valuedouble);
  } else if (cJSON_IsTrue(item)) {
    buf_puts(b, "true");
  } else if (cJSON_IsFalse(item)) {
    buf_puts(b, "false");
  } else if (cJSON_IsRaw(item) && item->valuestring) {
    buf_puts(b, item->valuestring);
  } else {
    buf_puts(b, "null");
  }
}

char *model_json_print(const cJSON *json) {
  if (!json) {
    return NULL;
  }
  Buffer b = {0};
  print_value(&b, json, 0);
  buf_append(&b, "\n", 1);
  if (b.failed) {
    free(b.data);
    return NULL;
  }
  return b.data;
}
