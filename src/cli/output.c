/* Human output: aligned tables, and the cart as a sales person reads it (header, then one
 * row per line with its error in words). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli_internal.h"

struct CliTable {
  size_t columns;
  char **headers;
  char **cells; /* rows * columns */
  size_t rows;
  size_t capacity; /* rows */
};

/* Characters, not bytes: titles may hold UTF-8 and columns must still line up. */
static size_t display_width(const char *text) {
  size_t width = 0;
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    if ((*p & 0xC0) != 0x80) {
      width++;
    }
  }
  return width;
}

void cli_table_free(CliTable *table) {
  if (!table) {
    return;
  }
  for (size_t i = 0; i < table->columns; i++) {
    free(table->headers ? table->headers[i] : NULL);
  }
  for (size_t i = 0; i < table->rows * table->columns; i++) {
    free(table->cells[i]);
  }
  free(table->headers);
  free(table->cells);
  free(table);
}

CliTable *cli_table_new(size_t columns, const char *const *headers) {
  CliTable *table = calloc(1, sizeof *table);
  if (!table) {
    return NULL;
  }
  table->columns = columns;
  table->headers = calloc(columns, sizeof *table->headers);
  if (!table->headers) {
    free(table);
    return NULL;
  }
  for (size_t i = 0; i < columns; i++) {
    /* A header may come from the service (the customer's id above its fields). */
    table->headers[i] = cli_clean(headers[i]);
    if (!table->headers[i]) {
      cli_table_free(table);
      return NULL;
    }
  }
  return table;
}

bool cli_table_add(CliTable *table, const char *const *cells) {
  if (table->rows == table->capacity) {
    size_t capacity = table->capacity ? table->capacity * 2 : 16;
    char **grown = realloc(table->cells, capacity * table->columns * sizeof *grown);
    if (!grown) {
      return false;
    }
    table->cells = grown;
    table->capacity = capacity;
  }
  char **row = table->cells + table->rows * table->columns;
  for (size_t i = 0; i < table->columns; i++) {
    row[i] = cli_clean(cells[i] && *cells[i] ? cells[i] : "-");
    if (!row[i]) {
      for (size_t j = 0; j < i; j++) {
        free(row[j]);
      }
      return false;
    }
  }
  table->rows++;
  return true;
}

size_t cli_table_rows(const CliTable *table) {
  return table->rows;
}

static void print_row(FILE *out, const char *indent, char *const *cells, const size_t *widths,
                      size_t columns) {
  fputs(indent, out);
  for (size_t i = 0; i < columns; i++) {
    fputs(cells[i], out);
    if (i + 1 < columns) {
      for (size_t pad = display_width(cells[i]); pad < widths[i] + 2; pad++) {
        fputc(' ', out);
      }
    }
  }
  fputc('\n', out);
}

void cli_table_print(const CliTable *table, FILE *out, const char *indent) {
  size_t widths[32] = {0};
  size_t columns = table->columns < 32 ? table->columns : 32;
  for (size_t c = 0; c < columns; c++) {
    widths[c] = display_width(table->headers[c]);
    for (size_t r = 0; r < table->rows; r++) {
      size_t w = display_width(table->cells[r * table->columns + c]);
      if (w > widths[c]) {
        widths[c] = w;
      }
    }
  }
  print_row(out, indent ? indent : "", table->headers, widths, columns);
  for (size_t r = 0; r < table->rows; r++) {
    print_row(out, indent ? indent : "", table->cells + r * table->columns, widths, columns);
  }
}

/* ----- carts ----- */

bool cli_cart_has_line_errors(const Cart *cart) {
  for (size_t i = 0; cart && i < cart->line_items.count; i++) {
    const CartLineItem *line = &cart->line_items.items[i];
    if (line->error) {
      return true;
    }
    for (size_t j = 0; j < line->addon_items.count; j++) {
      if (line->addon_items.items[j].error) {
        return true;
      }
    }
  }
  return false;
}

/* "10001 catalog item id is not valid: <description>" */
static char *error_words(const CartError *error) {
  if (!error) {
    return model_strdup("");
  }
  char name[96] = "";
  const char *known = cart_error_code_name(error->error_code);
  if (error->error_code_text) {
    snprintf(name, sizeof name, "%s", error->error_code_text);
  } else if (known) {
    snprintf(name, sizeof name, "%ld %s", error->error_code, known);
    for (char *p = name; *p; p++) {
      if (*p == '_') {
        *p = ' ';
      }
    }
  } else {
    snprintf(name, sizeof name, "%ld", error->error_code);
  }
  const char *description = error->error_description ? error->error_description : "";
  size_t size = strlen(name) + strlen(description) + 3;
  char *words = malloc(size);
  if (words) {
    snprintf(words, size, "%s%s%s", name, *description ? ": " : "", description);
  }
  return words;
}

static bool add_line_row(CliTable *table, const char *number, const CartLineItem *line) {
  char quantity[24] = "";
  if (line->quantity.set) {
    snprintf(quantity, sizeof quantity, "%ld", line->quantity.value);
  }
  char *error = error_words(line->error);
  if (!error) {
    return false;
  }
  const char *cells[] = {number,
                         line->catalog_item_id,
                         line->friendly_name,
                         quantity,
                         billing_cycle_wire(line->billing_cycle),
                         line->term_duration,
                         line->order_group,
                         error};
  bool ok = cli_table_add(table, cells);
  free(error);
  return ok;
}

bool cli_print_cart(CliRun *run, const Cart *cart, FILE *out) {
  (void)run;
  char *id = cli_clean(cart->id);
  char *expires = cli_clean(cart->expiration_timestamp);
  const char *status = cart_status_wire(cart->status);
  if (!id || !expires) {
    free(id);
    free(expires);
    return false;
  }
  fprintf(out, "Cart     %s\nStatus   %s\nExpires  %s\nLines    %zu\n\n", id, status ? status : "-",
          expires, cart->line_items.count);
  free(id);
  free(expires);
  static const char *const headers[] = {"#",       "CATALOG ITEM", "NAME",        "QTY",
                                        "BILLING", "TERM",         "ORDER GROUP", "ERROR"};
  CliTable *table = cli_table_new(8, headers);
  bool ok = table != NULL;
  for (size_t i = 0; ok && i < cart->line_items.count; i++) {
    const CartLineItem *line = &cart->line_items.items[i];
    char number[48];
    if (line->id.set) {
      snprintf(number, sizeof number, "%ld", line->id.value);
    } else {
      snprintf(number, sizeof number, "[%zu]", i);
    }
    ok = add_line_row(table, number, line);
    for (size_t j = 0; ok && j < line->addon_items.count; j++) {
      char addon[96];
      snprintf(addon, sizeof addon, "%s.%zu", number, j);
      ok = add_line_row(table, addon, &line->addon_items.items[j]);
    }
  }
  if (ok) {
    cli_table_print(table, out, "");
  }
  cli_table_free(table);
  return ok;
}
