/* Building blocks shared by every Partner Center resource: optional scalars,
 * key/value lists, links, enums with their wire spellings, and small JSON helpers. */
#ifndef PCCART_MODEL_COMMON_H
#define PCCART_MODEL_COMMON_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* An integer or boolean the wire may omit: `set` is false when it was absent,
 * and writers omit unset fields. */
typedef struct OptInt {
  bool set;
  long value;
} OptInt;

typedef struct OptBool {
  bool set;
  bool value;
} OptBool;

static inline OptInt opt_int(long v) {
  return (OptInt){true, v};
}
static inline OptBool opt_bool(bool v) {
  return (OptBool){true, v};
}

/* An amount the wire may omit (prices: doubles, before tax). */
typedef struct OptDouble {
  bool set;
  double value;
} OptDouble;

static inline OptDouble opt_double(double v) {
  return (OptDouble){true, v};
}

/* Ordered string pairs: provisioningContext ({"k":"v"} on the wire),
 * participants and link headers ([{"key":..,"value":..}] on the wire). */
typedef struct KeyValue {
  char *key;
  char *value;
} KeyValue;

typedef struct KeyValueList {
  KeyValue *items;
  size_t count;
} KeyValueList;

/* Appends copies of key and value; returns false when out of memory. */
bool kv_list_add(KeyValueList *list, const char *key, const char *value);
/* Replaces the value of an existing key (matched case-insensitively) or appends. */
bool kv_list_set(KeyValueList *list, const char *key, const char *value);
/* Case-insensitive lookup, as the service matches provisioning keys; NULL if absent. */
const char *kv_list_get(const KeyValueList *list, const char *key);
bool kv_list_remove(KeyValueList *list, const char *key);
bool kv_list_copy(KeyValueList *dst, const KeyValueList *src);
void kv_list_clear(KeyValueList *list);

/* {"uri":..,"method":..,"headers":[{"key","value"}]} under a name such as
 * "self", "next", "previous", "skus", "product". */
typedef struct Link {
  char *name;
  char *uri;
  char *method;
  KeyValueList headers;
} Link;

typedef struct LinkList {
  Link *items;
  size_t count;
} LinkList;

bool link_list_add(LinkList *list, const char *name, const char *uri, const char *method);
/* The link with this name, or NULL. */
const Link *link_list_get(const LinkList *list, const char *name);
Link *link_list_get_mut(LinkList *list, const char *name);
bool link_list_copy(LinkList *dst, const LinkList *src);
void link_list_clear(LinkList *list);

/* Reads a "links" object ({"self":{..},"next":{..}}); tolerant of junk. */
void link_list_read(LinkList *list, const cJSON *links_object);
/* Adds "links" to parent when the list is non-empty; false when out of memory. */
bool link_list_write(const LinkList *list, cJSON *parent);

/* A list of owned strings (supportedBillingCycles, provisioningVariables, data). */
typedef struct StringList {
  char **items;
  size_t count;
} StringList;

bool string_list_add(StringList *list, const char *s);
bool string_list_contains_ci(const StringList *list, const char *s);
bool string_list_copy(StringList *dst, const StringList *src);
void string_list_clear(StringList *list);

/* Billing cycle as carts, orders and SKUs spell it: lower snake case of the .NET
 * name. BILLING_CYCLE_UNSET means absent; BILLING_CYCLE_UNKNOWN is an unrecognised
 * spelling (the .NET SDK's `unknown`). */
typedef enum BillingCycle {
  BILLING_CYCLE_UNSET = 0,
  BILLING_CYCLE_UNKNOWN,
  BILLING_CYCLE_MONTHLY,
  BILLING_CYCLE_ANNUAL,
  BILLING_CYCLE_NONE,
  BILLING_CYCLE_ONE_TIME,
  BILLING_CYCLE_TRIENNIAL,
  BILLING_CYCLE_BIENNIAL,
} BillingCycle;

/* "monthly", "one_time", ...; NULL for UNSET. */
const char *billing_cycle_wire(BillingCycle cycle);
/* "Monthly", "OneTime", ... as availability terms spell it; NULL for UNSET. */
const char *billing_cycle_pascal(BillingCycle cycle);
/* Accepts both spellings, any case ("OneTime", "one_time", "ONE_TIME"), and the
 * .NET integer values (0 unknown, 1 monthly, 2 annual, 3 none, 4 one_time,
 * 5 triennial, 6 biennial). NULL or "" gives UNSET; anything else UNKNOWN. */
BillingCycle billing_cycle_parse(const char *text);
BillingCycle billing_cycle_from_json(const cJSON *item);

/* ----- JSON helpers used by every reader and writer in src/model ----- */

/* Case-insensitive member lookup (the service reads PascalCase and camelCase alike). */
const cJSON *json_get(const cJSON *object, const char *name);
/* A fresh copy of a string member, or NULL when absent or not a string. */
char *json_dup_string(const cJSON *object, const char *name);
/* A string or number member as text (numbers printed without exponent); NULL if absent. */
char *json_dup_text(const cJSON *object, const char *name);
/* An integer given as a number or as a numeric string; unset otherwise. */
OptInt json_get_int(const cJSON *object, const char *name);
OptBool json_get_bool(const cJSON *object, const char *name);
/* Reads either {"k":"v",..} or [{"key":"k","value":"v"},..] into list as a map: a repeated key
 * (any case) keeps its last value. */
void json_read_kv(KeyValueList *list, const cJSON *item);
/* The same as a list: every pair in order, keys may repeat (a line's participants: one
 * transaction_reseller and up to five additional_transaction_reseller). */
void json_read_kv_list(KeyValueList *list, const cJSON *item);
void json_read_strings(StringList *list, const cJSON *array);

/* A line's price details (cart-resources.md, order-resources.md "Pricing"): set by the service,
 * never sent by a client. */
typedef struct Pricing {
  OptDouble list_price;       /* the catalog's, before any modifier */
  OptDouble discounted_price; /* after every pricing modifier (promotions) */
  OptDouble prorated_price;   /* discounted, then prorated (a co-termed first term) */
  OptDouble price;            /* in the billing currency, all applied */
  OptDouble extended_price;   /* price x quantity */
} Pricing;

/* Reads the members of a "pricing" object (numbers, or numeric strings); absent ones stay
 * unset. */
void pricing_read(Pricing *pricing, const cJSON *object);
/* Adds "name":{...} with the members that are set, nothing when none is; false when out of
 * memory. */
bool pricing_write(cJSON *parent, const char *name, const Pricing *pricing);
OptDouble json_get_double(const cJSON *object, const char *name);
bool json_put_double(cJSON *object, const char *name, OptDouble value);

/* Writers return false when out of memory; a NULL string or unset optional adds nothing. */
bool json_put_string(cJSON *object, const char *name, const char *value);
bool json_put_int(cJSON *object, const char *name, OptInt value);
bool json_put_bool(cJSON *object, const char *name, OptBool value);
bool json_put_kv_object(cJSON *object, const char *name, const KeyValueList *list);
bool json_put_kv_array(cJSON *object, const char *name, const KeyValueList *list);
bool json_put_strings(cJSON *object, const char *name, const StringList *list);
/* Adds "attributes":{"objectType":type} when type is non-NULL. */
bool json_put_object_type(cJSON *object, const char *type);

/* Removes the documentation's annotations from an example body: C comments
 * (`/ * ... * /`) outside strings, and a leading UTF-8 byte order mark (Windows editors write
 * one). Returns a new string; NULL when out of memory. */
char *json_strip_annotations(const char *text);

/* A private copy of s (NULL stays NULL); the model's one strdup. */
char *model_strdup(const char *s);

#endif
