/* Shared building blocks of the model: lists, billing cycles and the tolerant JSON helpers. */
#include "model/common.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *model_strdup(const char *s) {
  if (!s) {
    return NULL;
  }
  size_t n = strlen(s) + 1;
  char *copy = malloc(n);
  if (copy) {
    memcpy(copy, s, n);
  }
  return copy;
}

/* ASCII-only case folding: wire names are ASCII and the locale must not matter. */
static int ascii_lower(int c) {
  return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static bool ascii_equal_ci(const char *a, const char *b) {
  if (!a || !b) {
    return false;
  }
  while (*a && *b) {
    if (ascii_lower((unsigned char)*a) != ascii_lower((unsigned char)*b)) {
      return false;
    }
    a++;
    b++;
  }
  return *a == *b;
}

/* ----- KeyValueList ----- */

bool kv_list_add(KeyValueList *list, const char *key, const char *value) {
  if (!list || !key) {
    return false;
  }
  char *k = model_strdup(key);
  char *v = model_strdup(value);
  if (!k || (value && !v)) {
    free(k);
    free(v);
    return false;
  }
  KeyValue *items = realloc(list->items, (list->count + 1) * sizeof *items);
  if (!items) {
    free(k);
    free(v);
    return false;
  }
  list->items = items;
  list->items[list->count].key = k;
  list->items[list->count].value = v;
  list->count++;
  return true;
}

static KeyValue *kv_list_find(const KeyValueList *list, const char *key) {
  if (!list || !key) {
    return NULL;
  }
  for (size_t i = 0; i < list->count; i++) {
    if (ascii_equal_ci(list->items[i].key, key)) {
      return &list->items[i];
    }
  }
  return NULL;
}

bool kv_list_set(KeyValueList *list, const char *key, const char *value) {
  KeyValue *found = kv_list_find(list, key);
  if (!found) {
    return kv_list_add(list, key, value);
  }
  char *v = model_strdup(value);
  if (value && !v) {
    return false;
  }
  free(found->value);
  found->value = v;
  return true;
}

const char *kv_list_get(const KeyValueList *list, const char *key) {
  const KeyValue *found = kv_list_find(list, key);
  return found ? found->value : NULL;
}

bool kv_list_remove(KeyValueList *list, const char *key) {
  KeyValue *found = kv_list_find(list, key);
  if (!found) {
    return false;
  }
  size_t index = (size_t)(found - list->items);
  free(found->key);
  free(found->value);
  memmove(&list->items[index], &list->items[index + 1],
          (list->count - index - 1) * sizeof list->items[0]);
  list->count--;
  if (list->count == 0) {
    free(list->items);
    list->items = NULL;
  }
  return true;
}

bool kv_list_copy(KeyValueList *dst, const KeyValueList *src) {
  KeyValueList copy = {0};
  for (size_t i = 0; src && i < src->count; i++) {
    if (!kv_list_add(&copy, src->items[i].key, src->items[i].value)) {
      kv_list_clear(&copy);
      return false;
    }
  }
  kv_list_clear(dst);
  *dst = copy;
  return true;
}

void kv_list_clear(KeyValueList *list) {
  if (!list) {
    return;
  }
  for (size_t i = 0; i < list->count; i++) {
    free(list->items[i].key);
    free(list->items[i].value);
  }
  free(list->items);
  list->items = NULL;
  list->count = 0;
}

/* ----- LinkList ----- */

static void link_clear(Link *link) {
  free(link->name);
  free(link->uri);
  free(link->method);
  kv_list_clear(&link->headers);
  memset(link, 0, sizeof *link);
}

bool link_list_add(LinkList *list, const char *name, const char *uri, const char *method) {
  if (!list || !name) {
    return false;
  }
  Link link = {
      .name = model_strdup(name), .uri = model_strdup(uri), .method = model_strdup(method)};
  if (!link.name || (uri && !link.uri) || (method && !link.method)) {
    link_clear(&link);
    return false;
  }
  Link *items = realloc(list->items, (list->count + 1) * sizeof *items);
  if (!items) {
    link_clear(&link);
    return false;
  }
  list->items = items;
  list->items[list->count++] = link;
  return true;
}

Link *link_list_get_mut(LinkList *list, const char *name) {
  if (!list || !name) {
    return NULL;
  }
  for (size_t i = 0; i < list->count; i++) {
    if (ascii_equal_ci(list->items[i].name, name)) {
      return &list->items[i];
    }
  }
  return NULL;
}

const Link *link_list_get(const LinkList *list, const char *name) {
  return link_list_get_mut((LinkList *)list, name);
}

bool link_list_copy(LinkList *dst, const LinkList *src) {
  LinkList copy = {0};
  for (size_t i = 0; src && i < src->count; i++) {
    const Link *from = &src->items[i];
    if (!link_list_add(&copy, from->name, from->uri, from->method) ||
        !kv_list_copy(&copy.items[copy.count - 1].headers, &from->headers)) {
      link_list_clear(&copy);
      return false;
    }
  }
  link_list_clear(dst);
  *dst = copy;
  return true;
}

void link_list_clear(LinkList *list) {
  if (!list) {
    return;
  }
  for (size_t i = 0; i < list->count; i++) {
    link_clear(&list->items[i]);
  }
  free(list->items);
  list->items = NULL;
  list->count = 0;
}

void link_list_read(LinkList *list, const cJSON *links_object) {
  if (!list || !cJSON_IsObject(links_object)) {
    return;
  }
  const cJSON *child = NULL;
  cJSON_ArrayForEach(child, links_object) {
    if (!cJSON_IsObject(child) || !child->string) {
      continue;
    }
    char *uri = json_dup_string(child, "uri");
    char *method = json_dup_string(child, "method");
    /* A name given twice (any case) keeps its last link, as for provisioningContext: otherwise
     * a page's second "next" (the one with the continuation token) would never be read. */
    Link *existing = link_list_get_mut(list, child->string);
    if (existing) {
      free(existing->uri);
      free(existing->method);
      existing->uri = uri;
      existing->method = method;
      kv_list_clear(&existing->headers);
      json_read_kv(&existing->headers, json_get(child, "headers"));
      continue;
    }
    bool added = link_list_add(list, child->string, uri, method);
    free(uri);
    free(method);
    if (added) {
      json_read_kv(&list->items[list->count - 1].headers, json_get(child, "headers"));
    }
  }
}

bool link_list_write(const LinkList *list, cJSON *parent) {
  if (!list || list->count == 0) {
    return true;
  }
  cJSON *links = cJSON_AddObjectToObject(parent, "links");
  if (!links) {
    return false;
  }
  for (size_t i = 0; i < list->count; i++) {
    const Link *link = &list->items[i];
    cJSON *obj = cJSON_AddObjectToObject(links, link->name);
    if (!obj || !json_put_string(obj, "uri", link->uri) ||
        !json_put_string(obj, "method", link->method)) {
      return false;
    }
    /* The service always sends "headers", empty or not. */
    cJSON *headers = cJSON_AddArrayToObject(obj, "headers");
    if (!headers) {
      return false;
    }
    for (size_t h = 0; h < link->headers.count; h++) {
      cJSON *pair = cJSON_CreateObject();
      if (!pair) {
        return false;
      }
      cJSON_AddItemToArray(headers, pair);
      if (!json_put_string(pair, "key", link->headers.items[h].key) ||
          !json_put_string(pair, "value", link->headers.items[h].value)) {
        return false;
      }
    }
  }
  return true;
}

/* ----- StringList ----- */

bool string_list_add(StringList *list, const char *s) {
  if (!list || !s) {
    return false;
  }
  char *copy = model_strdup(s);
  if (!copy) {
    return false;
  }
  char **items = realloc(list->items, (list->count + 1) * sizeof *items);
  if (!items) {
    free(copy);
    return false;
  }
  list->items = items;
  list->items[list->count++] = copy;
  return true;
}

bool string_list_contains_ci(const StringList *list, const char *s) {
  for (size_t i = 0; list && s && i < list->count; i++) {
    if (ascii_equal_ci(list->items[i], s)) {
      return true;
    }
  }
  return false;
}

bool string_list_copy(StringList *dst, const StringList *src) {
  StringList copy = {0};
  for (size_t i = 0; src && i < src->count; i++) {
    if (!string_list_add(&copy, src->items[i])) {
      string_list_clear(&copy);
      return false;
    }
  }
  string_list_clear(dst);
  *dst = copy;
  return true;
}

void string_list_clear(StringList *list) {
  if (!list) {
    return;
  }
  for (size_t i = 0; i < list->count; i++) {
    free(list->items[i]);
  }
  free(list->items);
  list->items = NULL;
  list->count = 0;
}

/* ----- BillingCycle ----- */

static const struct {
  BillingCycle cycle;
  const char *wire;
  const char *pascal;
  const char *folded; /* lower case without separators, for tolerant matching */
} billing_cycles[] = {
    {BILLING_CYCLE_UNKNOWN, "unknown", "Unknown", "unknown"},
    {BILLING_CYCLE_MONTHLY, "monthly", "Monthly", "monthly"},
    {BILLING_CYCLE_ANNUAL, "annual", "Annual", "annual"},
    {BILLING_CYCLE_NONE, "none", "None", "none"},
    {BILLING_CYCLE_ONE_TIME, "one_time", "OneTime", "onetime"},
    {BILLING_CYCLE_TRIENNIAL, "triennial", "Triennial", "triennial"},
    {BILLING_CYCLE_BIENNIAL, "biennial", "Biennial", "biennial"},
};

#define BILLING_CYCLE_COUNT (sizeof billing_cycles / sizeof billing_cycles[0])

const char *billing_cycle_wire(BillingCycle cycle) {
  for (size_t i = 0; i < BILLING_CYCLE_COUNT; i++) {
    if (billing_cycles[i].cycle == cycle) {
      return billing_cycles[i].wire;
    }
  }
  return NULL;
}

const char *billing_cycle_pascal(BillingCycle cycle) {
  for (size_t i = 0; i < BILLING_CYCLE_COUNT; i++) {
    if (billing_cycles[i].cycle == cycle) {
      return billing_cycles[i].pascal;
    }
  }
  return NULL;
}

/* The .NET enum values 0..6 map to the table's order. */
static BillingCycle billing_cycle_from_number(long n) {
  if (n >= 0 && (size_t)n < BILLING_CYCLE_COUNT) {
    return billing_cycles[n].cycle;
  }
  return BILLING_CYCLE_UNKNOWN;
}

BillingCycle billing_cycle_parse(const char *text) {
  if (!text || !*text) {
    return BILLING_CYCLE_UNSET;
  }
  char folded[32];
  size_t n = 0;
  bool digits = true;
  for (const char *p = text; *p; p++) {
    if (*p == '_' || *p == '-' || *p == ' ') {
      continue;
    }
    if (n + 1 >= sizeof folded) {
      return BILLING_CYCLE_UNKNOWN;
    }
    if (*p < '0' || *p > '9') {
      digits = false;
    }
    folded[n++] = (char)ascii_lower((unsigned char)*p);
  }
  folded[n] = '\0';
  if (n == 0) {
    return BILLING_CYCLE_UNKNOWN;
  }
  if (digits) {
    return billing_cycle_from_number(strtol(folded, NULL, 10));
  }
  for (size_t i = 0; i < BILLING_CYCLE_COUNT; i++) {
    if (strcmp(folded, billing_cycles[i].folded) == 0) {
      return billing_cycles[i].cycle;
    }
  }
  return BILLING_CYCLE_UNKNOWN;
}

BillingCycle billing_cycle_from_json(const cJSON *item) {
  if (cJSON_IsString(item)) {
    return billing_cycle_parse(item->valuestring);
  }
  if (cJSON_IsNumber(item)) {
    double v = item->valuedouble;
    if (!(v >= 0 && v < 100) || (double)(long)v != v) {
      return BILLING_CYCLE_UNKNOWN;
    }
    return billing_cycle_from_number((long)v);
  }
  /* Absent, null or a wrong type: unset, for the validator to report. */
  return BILLING_CYCLE_UNSET;
}

/* ----- JSON helpers ----- */

const cJSON *json_get(const cJSON *object, const char *name) {
  if (!cJSON_IsObject(object) || !name) {
    return NULL;
  }
  const cJSON *match = NULL;
  const cJSON *child = NULL;
  cJSON_ArrayForEach(child, object) {
    if (!child->string) {
      continue;
    }
    if (strcmp(child->string, name) == 0) {
      match = child;
      break;
    }
    if (!match && ascii_equal_ci(child->string, name)) {
      match = child;
    }
  }
  /* The .NET SDK serialises unset properties as null: null means absent. */
  if (match && cJSON_IsNull(match)) {
    return NULL;
  }
  return match;
}

char *json_dup_string(const cJSON *object, const char *name) {
  const cJSON *item = json_get(object, name);
  return cJSON_IsString(item) ? model_strdup(item->valuestring) : NULL;
}

/* A number as text without exponent: integers exactly, fractions trimmed. */
static char *number_text(double v) {
  char buf[400];
  if (v - v != 0) { /* NaN or infinity */
    return NULL;
  }
  if (v > -1e18 && v < 1e18 && (double)(long long)v == v) {
    snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    snprintf(buf, sizeof buf, "%.15g", v);
    if (strchr(buf, 'e') || strchr(buf, 'E')) {
      snprintf(buf, sizeof buf, "%.17f", v);
      char *end = buf + strlen(buf) - 1;
      while (end > buf && *end == '0') {
        *end-- = '\0';
      }
      if (*end == '.') {
        *end = '\0';
      }
    }
  }
  return model_strdup(buf);
}

static char *item_text(const cJSON *item) {
  if (cJSON_IsString(item)) {
    return model_strdup(item->valuestring);
  }
  if (cJSON_IsNumber(item)) {
    return number_text(item->valuedouble);
  }
  return NULL;
}

char *json_dup_text(const cJSON *object, const char *name) {
  return item_text(json_get(object, name));
}

static bool parse_long(const char *text, long *out) {
  const char *p = text;
  while (*p == ' ' || *p == '\t') {
    p++;
  }
  if (!*p) {
    return false;
  }
  char *end = NULL;
  long v = strtol(p, &end, 10);
  if (end == p) {
    return false;
  }
  while (*end == ' ' || *end == '\t') {
    end++;
  }
  if (*end || v == LONG_MAX || v == LONG_MIN) {
    return false;
  }
  *out = v;
  return true;
}

OptInt json_get_int(const cJSON *object, const char *name) {
  const cJSON *item = json_get(object, name);
  if (cJSON_IsNumber(item)) {
    double v = item->valuedouble;
    if (v > (double)LONG_MIN && v < (double)LONG_MAX && (double)(long)v == v) {
      return opt_int((long)v);
    }
    return (OptInt){0};
  }
  long v = 0;
  if (cJSON_IsString(item) && parse_long(item->valuestring, &v)) {
    return opt_int(v);
  }
  return (OptInt){0};
}

OptBool json_get_bool(const cJSON *object, const char *name) {
  const cJSON *item = json_get(object, name);
  if (cJSON_IsBool(item)) {
    return opt_bool(cJSON_IsTrue(item));
  }
  if (cJSON_IsString(item)) {
    if (ascii_equal_ci(item->valuestring, "true")) {
      return opt_bool(true);
    }
    if (ascii_equal_ci(item->valuestring, "false")) {
      return opt_bool(false);
    }
  }
  return (OptBool){0};
}

/* Scalars become text; objects, arrays and nulls are not key/value data and are skipped. */
static char *kv_value_text(const cJSON *item) {
  if (cJSON_IsBool(item)) {
    return model_strdup(cJSON_IsTrue(item) ? "true" : "false");
  }
  return item_text(item);
}

void json_read_kv(KeyValueList *list, const cJSON *item) {
  if (!list) {
    return;
  }
  const cJSON *child = NULL;
  if (cJSON_IsObject(item)) {
    cJSON_ArrayForEach(child, item) {
      char *value = kv_value_text(child);
      /* A repeated key (any case) keeps its last value, as the service's dictionaries do:
       * otherwise the validator would check the first and the body would send both. */
      if (value && child->string) {
        kv_list_set(list, child->string, value);
      }
      free(value);
    }
  } else if (cJSON_IsArray(item)) {
    cJSON_ArrayForEach(child, item) {
      const cJSON *key = json_get(child, "key");
      char *value = kv_value_text(json_get(child, "value"));
      if (cJSON_IsString(key)) {
        kv_list_set(list, key->valuestring, value ? value : "");
      }
      free(value);
    }
  }
}

void json_read_kv_list(KeyValueList *list, const cJSON *item) {
  if (!list) {
    return;
  }
  const cJSON *child = NULL;
  cJSON_ArrayForEach(child, item) {
    bool pair = cJSON_IsArray(item);
    const cJSON *key = pair ? json_get(child, "key") : NULL;
    const char *name = pair ? (cJSON_IsString(key) ? key->valuestring : NULL) : child->string;
    char *value = kv_value_text(pair ? json_get(child, "value") : child);
    if (name) {
      kv_list_add(list, name, value ? value : "");
    }
    free(value);
  }
}

void json_read_strings(StringList *list, const cJSON *array) {
  if (!list || !cJSON_IsArray(array)) {
    return;
  }
  const cJSON *child = NULL;
  cJSON_ArrayForEach(child, array) {
    char *text = item_text(child);
    if (text) {
      string_list_add(list, text);
    }
    free(text);
  }
}

bool json_put_string(cJSON *object, const char *name, const char *value) {
  if (!value) {
    return true;
  }
  return cJSON_AddStringToObject(object, name, value) != NULL;
}

bool json_put_int(cJSON *object, const char *name, OptInt value) {
  if (!value.set) {
    return true;
  }
  return cJSON_AddNumberToObject(object, name, (double)value.value) != NULL;
}

OptDouble json_get_double(const cJSON *object, const char *name) {
  const cJSON *item = json_get(object, name);
  if (cJSON_IsNumber(item) && isfinite(item->valuedouble)) {
    return opt_double(item->valuedouble);
  }
  if (cJSON_IsString(item) && item->valuestring[0]) {
    char *end = NULL;
    double v = strtod(item->valuestring, &end);
    if (end && *end == '\0' && isfinite(v)) {
      return opt_double(v);
    }
  }
  return (OptDouble){0};
}

bool json_put_double(cJSON *object, const char *name, OptDouble value) {
  if (!value.set) {
    return true;
  }
  return cJSON_AddNumberToObject(object, name, value.value) != NULL;
}

void pricing_read(Pricing *pricing, const cJSON *object) {
  memset(pricing, 0, sizeof *pricing);
  if (!cJSON_IsObject(object)) {
    return;
  }
  pricing->list_price = json_get_double(object, "listPrice");
  pricing->discounted_price = json_get_double(object, "discountedPrice");
  pricing->prorated_price = json_get_double(object, "proratedPrice");
  pricing->price = json_get_double(object, "price");
  pricing->extended_price = json_get_double(object, "extendedPrice");
}

bool pricing_write(cJSON *parent, const char *name, const Pricing *pricing) {
  if (!pricing->list_price.set && !pricing->discounted_price.set && !pricing->prorated_price.set &&
      !pricing->price.set && !pricing->extended_price.set) {
    return true;
  }
  cJSON *object = cJSON_CreateObject();
  bool ok = object && json_put_double(object, "listPrice", pricing->list_price) &&
            json_put_double(object, "discountedPrice", pricing->discounted_price) &&
            json_put_double(object, "proratedPrice", pricing->prorated_price) &&
            json_put_double(object, "price", pricing->price) &&
            json_put_double(object, "extendedPrice", pricing->extended_price) &&
            cJSON_AddItemToObject(parent, name, object);
  if (!ok) {
    cJSON_Delete(object);
  }
  return ok;
}

bool json_put_bool(cJSON *object, const char *name, OptBool value) {
  if (!value.set) {
    return true;
  }
  return cJSON_AddBoolToObject(object, name, value.value) != NULL;
}

static cJSON *string_or_null(const char *value) {
  return value ? cJSON_CreateString(value) : cJSON_CreateNull();
}

/* An empty list adds nothing, like any other unset field. */
bool json_put_kv_object(cJSON *object, const char *name, const KeyValueList *list) {
  if (!list || list->count == 0) {
    return true;
  }
  cJSON *obj = cJSON_AddObjectToObject(object, name);
  if (!obj) {
    return false;
  }
  for (size_t i = 0; i < list->count; i++) {
    cJSON *value = string_or_null(list->items[i].value);
    if (!value) {
      return false;
    }
    cJSON_AddItemToObject(obj, list->items[i].key, value);
  }
  return true;
}

bool json_put_kv_array(cJSON *object, const char *name, const KeyValueList *list) {
  if (!list || list->count == 0) {
    return true;
  }
  cJSON *array = cJSON_AddArrayToObject(object, name);
  if (!array) {
    return false;
  }
  for (size_t i = 0; i < list->count; i++) {
    cJSON *pair = cJSON_CreateObject();
    if (!pair) {
      return false;
    }
    cJSON_AddItemToArray(array, pair);
    cJSON *value = string_or_null(list->items[i].value);
    if (!value || !cJSON_AddStringToObject(pair, "key", list->items[i].key)) {
      cJSON_Delete(value);
      return false;
    }
    cJSON_AddItemToObject(pair, "value", value);
  }
  return true;
}

bool json_put_strings(cJSON *object, const char *name, const StringList *list) {
  if (!list || list->count == 0) {
    return true;
  }
  cJSON *array = cJSON_AddArrayToObject(object, name);
  if (!array) {
    return false;
  }
  for (size_t i = 0; i < list->count; i++) {
    cJSON *s = cJSON_CreateString(list->items[i]);
    if (!s) {
      return false;
    }
    cJSON_AddItemToArray(array, s);
  }
  return true;
}

bool json_put_object_type(cJSON *object, const char *type) {
  if (!type) {
    return true;
  }
  cJSON *attributes = cJSON_AddObjectToObject(object, "attributes");
  return attributes && cJSON_AddStringToObject(attributes, "objectType", type);
}

char *json_strip_annotations(const char *text) {
  if (!text) {
    return NULL;
  }
  size_t len = strlen(text);
  char *out = malloc(len + 1);
  if (!out) {
    return NULL;
  }
  size_t n = 0;
  bool in_string = false;
  /* Windows editors start UTF-8 files with a byte order mark, which no JSON parser accepts. */
  size_t start = strncmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  for (size_t i = start; i < len; i++) {
    char c = text[i];
    if (in_string) {
      out[n++] = c;
      if (c == '\\' && i + 1 < len) {
        out[n++] = text[++i];
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '/' && text[i + 1] == '*') {
      const char *end = strstr(text + i + 2, "*/");
      /* An unterminated comment swallows the rest, as a C compiler would refuse it anyway. */
      i = end ? (size_t)(end - text) + 1 : len;
    } else {
      if (c == '"') {
        in_string = true;
      }
      out[n++] = c;
    }
  }
  out[n] = '\0';
  return out;
}
