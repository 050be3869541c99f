/* The one cart validator: request-level problems (the 800002 refusals) and line problems
 * (the CartError codes the service puts on a line), with one-sentence descriptions. */
#include "model/validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/api_error.h"

#define SANDBOX_LICENSE_LIMIT 25
#define AZURE_LEGACY_OFFER_ID "MS-AZR-0145P"
/* The new-commerce Azure plan product; its subscriptions hold Azure subscriptions too. */
#define AZURE_PLAN_PRODUCT_ID "DZH318Z0BPS6"

/* ----- small helpers ----- */

static int fold(int c) {
  return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static bool text_equal_ci(const char *a, const char *b) {
  if (!a || !b) {
    return false;
  }
  while (*a && *b && fold((unsigned char)*a) == fold((unsigned char)*b)) {
    a++;
    b++;
  }
  return *a == '\0' && *b == '\0';
}

static bool text_starts_ci(const char *text, const char *prefix) {
  if (!text || !prefix) {
    return false;
  }
  while (*prefix) {
    if (fold((unsigned char)*text) != fold((unsigned char)*prefix)) {
      return false;
    }
    text++;
    prefix++;
  }
  return true;
}

/* Case and underscores ignored: "transaction_reseller" ~ "TransactionReseller". */
static bool name_equal_loose(const char *a, const char *b) {
  if (!a || !b) {
    return false;
  }
  for (;;) {
    while (*a == '_') {
      a++;
    }
    while (*b == '_') {
      b++;
    }
    if (!*a || !*b) {
      return *a == *b;
    }
    if (fold((unsigned char)*a) != fold((unsigned char)*b)) {
      return false;
    }
    a++;
    b++;
  }
}

static bool is_blank(const char *s) {
  return !s || !*s;
}

/* Appends "a, b, c" (at most size bytes, always terminated) for a description. */
static void join_strings(char *buf, size_t size, const StringList *list) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < list->count && used < size; i++) {
    int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", list->items[i]);
    if (n < 0) {
      break;
    }
    used += (size_t)n;
  }
}

/* ----- CartProblems ----- */

static bool problems_add(CartProblems *problems, ProblemLevel level, long code, long line_index,
                         long addon_index, const char *field, const char *format, ...) {
  va_list args;
  va_start(args, format);
  int n = vsnprintf(NULL, 0, format, args);
  va_end(args);
  if (n < 0) {
    return false;
  }
  char *description = malloc((size_t)n + 1);
  char *field_copy = model_strdup(field);
  if (!description || (field && !field_copy)) {
    free(description);
    free(field_copy);
    return false;
  }
  va_start(args, format);
  vsnprintf(description, (size_t)n + 1, format, args);
  va_end(args);
  CartProblem *items = realloc(problems->items, (problems->count + 1) * sizeof *items);
  if (!items) {
    free(description);
    free(field_copy);
    return false;
  }
  problems->items = items;
  problems->items[problems->count++] = (CartProblem){
      .level = level,
      .code = code,
      .line_index = line_index,
      .addon_index = addon_index,
      .field = field_copy,
      .description = description,
  };
  return true;
}

void cart_problems_clear(CartProblems *problems) {
  if (!problems) {
    return;
  }
  for (size_t i = 0; i < problems->count; i++) {
    free(problems->items[i].field);
    free(problems->items[i].description);
  }
  free(problems->items);
  problems->items = NULL;
  problems->count = 0;
}

cJSON *cart_problems_to_json(const CartProblems *problems, const char *source,
                             const int *source_lines) {
  if (!problems) {
    return NULL;
  }
  cJSON *root = cJSON_CreateObject();
  bool ok = root != NULL && json_put_string(root, "file", source) &&
            cJSON_AddBoolToObject(root, "valid", problems->count == 0) != NULL;
  cJSON *array = ok ? cJSON_AddArrayToObject(root, "problems") : NULL;
  ok = array != NULL;
  for (size_t i = 0; ok && i < problems->count; i++) {
    const CartProblem *p = &problems->items[i];
    cJSON *item = cJSON_CreateObject();
    ok = item != NULL && cJSON_AddItemToArray(array, item);
    if (!ok) {
      cJSON_Delete(item);
      break;
    }
    int line = source_lines ? source_lines[i] : 0;
    ok = json_put_string(item, "level", p->level == PROBLEM_REQUEST ? "request" : "line") &&
         json_put_int(item, "code", opt_int(p->code)) &&
         json_put_int(item, "lineIndex", opt_int(p->line_index)) &&
         (p->addon_index < 0 || json_put_int(item, "addonIndex", opt_int(p->addon_index))) &&
         json_put_string(item, "field", p->field) &&
         json_put_string(item, "description", p->description) &&
         (line <= 0 || json_put_int(item, "fileLine", opt_int(line)));
  }
  if (!ok) {
    cJSON_Delete(root);
    return NULL;
  }
  return root;
}

bool cart_problems_has_request_level(const CartProblems *problems) {
  for (size_t i = 0; problems && i < problems->count; i++) {
    if (problems->items[i].level == PROBLEM_REQUEST) {
      return true;
    }
  }
  return false;
}

const CartProblem *cart_problems_for_line(const CartProblems *problems, long line_index) {
  for (size_t i = 0; problems && i < problems->count; i++) {
    const CartProblem *p = &problems->items[i];
    if (p->level == PROBLEM_LINE && p->line_index == line_index && p->addon_index == -1) {
      return p;
    }
  }
  return NULL;
}

/* ----- text checks ----- */

static bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool model_is_guid(const char *text) {
  if (!text || strlen(text) != 36) {
    return false;
  }
  for (size_t i = 0; i < 36; i++) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !is_hex(text[i])) {
      return false;
    }
  }
  return true;
}

/* Reads exactly `digits` decimal digits. */
static bool read_digits(const char **p, int digits, int *out) {
  int v = 0;
  for (int i = 0; i < digits; i++) {
    char c = (*p)[i];
    if (c < '0' || c > '9') {
      return false;
    }
    v = v * 10 + (c - '0');
  }
  *p += digits;
  *out = v;
  return true;
}

/* "2025-06-30", optionally with a time ("T23:59:59", fractions) and a zone ("Z", "+01:00"),
 * as .NET writes a DateTime; the date must exist. */
static bool is_iso_date(const char *text) {
  static const int days_in_month[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const char *p = text;
  int year, month, day;
  if (!p || !read_digits(&p, 4, &year) || *p++ != '-' || !read_digits(&p, 2, &month) ||
      *p++ != '-' || !read_digits(&p, 2, &day)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1) {
    return false;
  }
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int max_day = days_in_month[month - 1] + (month == 2 && leap ? 1 : 0);
  if (day > max_day) {
    return false;
  }
  if (*p == '\0') {
    return true;
  }
  int hour, minute, second = 0;
  if ((*p != 'T' && *p != 't') || !(p++, read_digits(&p, 2, &hour)) || *p++ != ':' ||
      !read_digits(&p, 2, &minute) || hour > 23 || minute > 59) {
    return false;
  }
  if (*p == ':') {
    p++;
    if (!read_digits(&p, 2, &second) || second > 59) {
      return false;
    }
    if (*p == '.') {
      p++;
      if (*p < '0' || *p > '9') {
        return false;
      }
      while (*p >= '0' && *p <= '9') {
        p++;
      }
    }
  }
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int zone_hour, zone_minute;
    p++;
    if (!read_digits(&p, 2, &zone_hour) || *p++ != ':' || !read_digits(&p, 2, &zone_minute) ||
        zone_hour > 14 || zone_minute > 59) {
      return false;
    }
  }
  return *p == '\0';
}

/* ----- what a line is checked as ----- */

typedef struct LineRef {
  const CartLineItem *line;
  long line_index;
  long addon_index;
  char label[96]; /* "Line item 3" or "Add-on item 0 of line item 3" */
  char id[24];    /* the line's id as messages quote it */
} LineRef;

static LineRef line_ref(const CartLineItem *line, long line_index, long addon_index,
                        const CartLineItem *parent) {
  LineRef ref = {.line = line, .line_index = line_index, .addon_index = addon_index};
  long id = line->id.set ? line->id.value : (addon_index >= 0 ? addon_index : line_index);
  snprintf(ref.id, sizeof ref.id, "%ld", id);
  if (addon_index < 0) {
    snprintf(ref.label, sizeof ref.label, "Line item %s", ref.id);
  } else {
    long parent_id = parent && parent->id.set ? parent->id.value : line_index;
    snprintf(ref.label, sizeof ref.label, "Add-on item %s of line item %ld", ref.id, parent_id);
  }
  return ref;
}

#define LINE_PROBLEM(problems, ref, code, field, ...)                                              \
  problems_add((problems), PROBLEM_LINE, (code), (ref)->line_index, (ref)->addon_index, (field),   \
               __VA_ARGS__)

#define REQUEST_PROBLEM(problems, ref, field, ...)                                                 \
  problems_add((problems), PROBLEM_REQUEST, PC_CODE_INVALID_REQUEST_INPUT, (ref)->line_index,      \
               (ref)->addon_index, (field), __VA_ARGS__)

/* ----- request-level checks (400, code 800002) ----- */

/* The fields the service needs before it can look at a line at all. */
static bool check_line_shape(const LineRef *ref, CartProblems *problems) {
  const CartLineItem *line = ref->line;
  if (is_blank(line->catalog_item_id) &&
      !REQUEST_PROBLEM(problems, ref, "catalogItemId",
                       "%s has no catalogItemId; every line item must name a catalog item.",
                       ref->label)) {
    return false;
  }
  if (!line->quantity.set &&
      !REQUEST_PROBLEM(problems, ref, "quantity",
                       "%s has no quantity; the quantity must be a whole number of at least 1.",
                       ref->label)) {
    return false;
  }
  if (line->quantity.set && line->quantity.value < 1 &&
      !REQUEST_PROBLEM(problems, ref, "quantity",
                       "%s has quantity %ld; the quantity must be at least 1.", ref->label,
                       line->quantity.value)) {
    return false;
  }
  if (line->billing_cycle == BILLING_CYCLE_UNSET &&
      !REQUEST_PROBLEM(problems, ref, "billingCycle",
                       "%s has no billingCycle; it must be one of monthly, annual, none, "
                       "one_time, triennial or biennial.",
                       ref->label)) {
    return false;
  }
  for (size_t k = 0; k < line->addon_items.count; k++) {
    LineRef addon = line_ref(&line->addon_items.items[k], ref->line_index, (long)k, line);
    if (!check_line_shape(&addon, problems)) {
      return false;
    }
  }
  return true;
}

static bool check_request(const Cart *cart, const ValidationContext *context,
                          CartProblems *problems) {
  LineRef whole = {.line_index = -1, .addon_index = -1};
  size_t count = cart ? cart->line_items.count : 0;
  if (count == 0) {
    return REQUEST_PROBLEM(problems, &whole, "lineItems",
                           "The cart has no line items; at least one line item is required.");
  }
  long max = context ? context->max_line_items : 0;
  if (max > 0 && count > (size_t)max &&
      !REQUEST_PROBLEM(problems, &whole, "lineItems",
                       "The cart has %zu line items; at most %ld line items are allowed.", count,
                       max)) {
    return false;
  }
  for (size_t i = 0; i < count; i++) {
    const CartLineItem *line = &cart->line_items.items[i];
    LineRef ref = line_ref(line, (long)i, -1, NULL);
    /* A line may come without an id (cart-resources.md: "Applied upon successful creation of
     * cart"; the new-commerce example sends none): the service numbers it. An id given must be
     * an integer, and must not repeat. */
    if (line->id_not_integer &&
        !REQUEST_PROBLEM(problems, &ref, "id",
                         "The line item at position %zu has an id that is not an integer; leave "
                         "the id out or give a whole number.",
                         i)) {
      return false;
    }
    for (size_t j = 0; line->id.set && j < i; j++) {
      const CartLineItem *earlier = &cart->line_items.items[j];
      if (earlier->id.set && earlier->id.value == line->id.value) {
        if (!REQUEST_PROBLEM(problems, &ref, "id",
                             "Line item id %ld is used more than once; each line item needs a "
                             "unique id.",
                             line->id.value)) {
          return false;
        }
        break;
      }
    }
    if (!check_line_shape(&ref, problems)) {
      return false;
    }
  }
  return true;
}

/* ----- line checks (the line's error in a 201) ----- */

static bool cycle_listed(const StringList *cycles, BillingCycle cycle) {
  for (size_t i = 0; i < cycles->count; i++) {
    if (billing_cycle_parse(cycles->items[i]) == cycle) {
      return true;
    }
  }
  return false;
}

static bool check_quantity(const LineRef *ref, const CatalogItem *item,
                           const ValidationContext *context, CartProblems *problems) {
  const CartLineItem *line = ref->line;
  if (!line->quantity.set || line->quantity.value < 1) {
    return true; /* a request-level problem already */
  }
  long quantity = line->quantity.value;
  OptInt min = item->sku     ? item->sku->minimum_quantity
               : item->offer ? item->offer->minimum_quantity
                             : (OptInt){0};
  OptInt max = item->sku     ? item->sku->maximum_quantity
               : item->offer ? item->offer->maximum_quantity
                             : (OptInt){0};
  long low = min.set ? min.value : 1;
  if (max.set && quantity > max.value) {
    if (!LINE_PROBLEM(problems, ref, CART_ERROR_MAX_SEATS_PER_SUBSCRIPTION_EXCEEDED, "quantity",
                      "%s has quantity %ld; catalog item %s allows a quantity from %ld to %ld.",
                      ref->label, quantity, line->catalog_item_id, low, max.value)) {
      return false;
    }
  } else if (min.set && quantity < min.value) {
    bool ok = max.set ? LINE_PROBLEM(problems, ref, CART_ERROR_INVALID_INPUT, "quantity",
                                     "%s has quantity %ld; catalog item %s allows a quantity from "
                                     "%ld to %ld.",
                                     ref->label, quantity, line->catalog_item_id, low, max.value)
                      : LINE_PROBLEM(problems, ref, CART_ERROR_INVALID_INPUT, "quantity",
                                     "%s has quantity %ld; catalog item %s needs a quantity of at "
                                     "least %ld.",
                                     ref->label, quantity, line->catalog_item_id, low);
    if (!ok) {
      return false;
    }
  }
  if (context->enforce_sandbox_limits && quantity > SANDBOX_LICENSE_LIMIT &&
      !LINE_PROBLEM(problems, ref, CART_ERROR_SANDBOX_LIMIT_EXCEEDED, "quantity",
                    "%s has quantity %ld; an integration sandbox account allows at most %d "
                    "licenses per subscription.",
                    ref->label, quantity, SANDBOX_LICENSE_LIMIT)) {
    return false;
  }
  return true;
}

static bool check_billing_cycle(const LineRef *ref, const CatalogItem *item,
                                CartProblems *problems) {
  BillingCycle cycle = ref->line->billing_cycle;
  const StringList *cycles = item->sku     ? &item->sku->supported_billing_cycles
                             : item->offer ? &item->offer->supported_billing_cycles
                                           : NULL;
  if (cycle == BILLING_CYCLE_UNSET || !cycles || cycles->count == 0 ||
      cycle_listed(cycles, cycle)) {
    return true;
  }
  char allowed[256];
  join_strings(allowed, sizeof allowed, cycles);
  return LINE_PROBLEM(problems, ref, CART_ERROR_BILLING_PLAN_NOT_SUPPORTED, "billingCycle",
                      "%s has billingCycle %s; catalog item %s supports %s.", ref->label,
                      billing_cycle_wire(cycle), ref->line->catalog_item_id, allowed);
}

static bool is_trial_item(const CatalogItem *item) {
  return (item->sku && item->sku->is_trial.set && item->sku->is_trial.value) ||
         (item->offer && item->offer->is_trial.set && item->offer->is_trial.value);
}

static void term_durations(char *buf, size_t size, const Availability *availability) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < availability->term_count && used < size; i++) {
    const AvailabilityTerm *t = &availability->terms[i];
    const char *cycle = billing_cycle_wire(t->billing_cycle);
    int n = snprintf(buf + used, size - used, "%s%s%s%s", i ? ", " : "",
                     t->duration ? t->duration : "?", cycle ? " " : "", cycle ? cycle : "");
    if (n < 0) {
      break;
    }
    used += (size_t)n;
  }
}

/* Checks termDuration against the availability's terms; *matched gets the term the line
 * buys (NULL when there is none), for the renewsTo check. */
static bool check_term(const LineRef *ref, const CatalogItem *item, CartProblems *problems,
                       const AvailabilityTerm **matched) {
  const CartLineItem *line = ref->line;
  const Availability *availability = item->availability;
  *matched = NULL;
  if (!availability || availability->term_count == 0) {
    return true; /* perpetual software and legacy offers have no terms to match */
  }
  char terms[256];
  term_durations(terms, sizeof terms, availability);
  if (is_blank(line->term_duration)) {
    return LINE_PROBLEM(problems, ref, CART_ERROR_INVALID_INPUT, "termDuration",
                        "%s has no termDuration; availability %s offers the terms %s.", ref->label,
                        availability->id, terms);
  }
  /* A trial is bought with billingCycle none whatever cycle its term states, and a missing
   * cycle is already a request problem: either way only the duration can be matched. */
  BillingCycle cycle = line->billing_cycle;
  if (cycle == BILLING_CYCLE_UNSET || (cycle == BILLING_CYCLE_NONE && is_trial_item(item))) {
    cycle = BILLING_CYCLE_UNSET;
  }
  *matched = availability_find_term(availability, line->term_duration, cycle);
  if (*matched) {
    return true;
  }
  /* The text the service sends (Partner-Center-PowerShell #388). */
  return LINE_PROBLEM(problems, ref, CART_ERROR_TERM_NOT_SUPPORTED, "termDuration",
                      "Availability %s referenced by line item %s does not support term '%s'",
                      availability->id, ref->id, line->term_duration);
}

static bool check_renews_to(const LineRef *ref, const CatalogItem *item,
                            const AvailabilityTerm *term, CartProblems *problems) {
  const char *renews_to = ref->line->renews_to_term_duration;
  if (!renews_to || (!item->sku && !item->offer)) {
    return true;
  }
  if (!is_trial_item(item)) {
    return LINE_PROBLEM(problems, ref, CART_ERROR_INVALID_INPUT, "renewsTo",
                        "%s sets renewsTo but catalog item %s is not a trial; only trials "
                        "renew to another term.",
                        ref->label, ref->line->catalog_item_id);
  }
  if (!term || term->renewal_option_count == 0) {
    return true;
  }
  char options[192];
  size_t used = 0;
  options[0] = '\0';
  for (size_t i = 0; i < term->renewal_option_count; i++) {
    const char *d = term->renewal_options[i].term_duration;
    if (text_equal_ci(d, renews_to)) {
      return true;
    }
    if (used < sizeof options) {
      int n = snprintf(options + used, sizeof options - used, "%s%s", i ? ", " : "", d ? d : "?");
      used += n > 0 ? (size_t)n : 0;
    }
  }
  return LINE_PROBLEM(problems, ref, CART_ERROR_INVALID_INPUT, "renewsTo.termDuration",
                      "%s has renewsTo.termDuration '%s'; the trial term renews only to %s.",
                      ref->label, renews_to, options);
}

/* "SubscriptionId" -> "provisioningContext.subscriptionId", the wire name of the key. */
static void provisioning_field(char *buf, size_t size, const char *key) {
  snprintf(buf, size, "provisioningContext.%s", key);
  size_t prefix = strlen("provisioningContext.");
  if (strlen(buf) > prefix) {
    buf[prefix] = (char)fold((unsigned char)buf[prefix]);
  }
}

static bool is_azure_subscription(const Subscription *sub) {
  return text_equal_ci(sub->offer_id, AZURE_LEGACY_OFFER_ID) ||
         text_starts_ci(sub->offer_id, AZURE_PLAN_PRODUCT_ID) ||
         text_equal_ci(sub->offer_name, "Azure plan");
}

static bool check_subscription_id(const LineRef *ref, const char *subscription_id,
                                  const ValidationContext *context, CartProblems *problems) {
  const char *field = "provisioningContext.subscriptionId";
  if (!model_is_guid(subscription_id)) {
    return LINE_PROBLEM(problems, ref, CART_ERROR_SUBSCRIPTION_NOT_VALID, field,
                        "%s has provisioningContext.subscriptionId '%s'; it must be the GUID of "
                        "one of the customer's Azure subscriptions.",
                        ref->label, subscription_id);
  }
  const SubscriptionList *subs = context->customer_subscriptions;
  if (!subs) {
    return true;
  }
  const Subscription *found = NULL;
  for (size_t i = 0; i < subs->count && !found; i++) {
    if (text_equal_ci(subs->items[i].id, subscription_id)) {
      found = &subs->items[i];
    }
  }
  if (!found) {
    return LINE_PROBLEM(problems, ref, CART_ERROR_SUBSCRIPTION_NOT_VALID, field,
                        "%s has provisioningContext.subscriptionId %s, which is not one of the "
                        "customer's subscriptions; it must name an active Azure subscription "
                        "of this customer.",
                        ref->label, subscription_id);
  }
  if (!text_equal_ci(found->status, "active")) {
    return LINE_PROBLEM(problems, ref, CART_ERROR_SUBSCRIPTION_NOT_ENABLED_FOR_RI, field,
                        "%s has provisioningContext.subscriptionId %s, whose status is %s; "
                        "reservations need an active Azure subscription.",
                        ref->label, subscription_id, found->status ? found->status : "unknown");
  }
  if (!is_azure_subscription(found)) {
    return LINE_PROBLEM(problems, ref, CART_ERROR_SUBSCRIPTION_NOT_ENABLED_FOR_RI, field,
                        "%s has provisioningContext.subscriptionId %s, a %s subscription; "
                        "reservations need an Azure subscription (MS-AZR-0145P or an Azure "
                        "plan).",
                        ref->label, subscription_id,
                        found->offer_id ? found->offer_id : "non-Azure");
  }
  return true;
}

static bool check_provisioning(const LineRef *ref, const CatalogItem *item,
                               const ValidationContext *context, CartProblems *problems) {
  const KeyValueList *pc = &ref->line->provisioning_context;
  char field[128];
  if (item->sku) {
    const StringList *variables = &item->sku->provisioning_variables;
    char needed[192];
    join_strings(needed, sizeof needed, variables);
    for (size_t i = 0; i < variables->count; i++) {
      if (!is_blank(kv_list_get(pc, variables->items[i]))) {
        continue;
      }
      provisioning_field(field, sizeof field, variables->items[i]);
      if (!LINE_PROBLEM(problems, ref, CART_ERROR_INVALID_INPUT, field,
                        "%s has no %s; catalog item %s needs the provisioningContext keys %s.",
                        ref->label, field, ref->line->catalog_item_id, needed)) {
        return false;
      }
    }
  }
  const char *scope = kv_list_get(pc, "scope");
  if (!is_blank(scope) && !text_equal_ci(scope, "shared") && !text_equal_ci(scope, "single") &&
      !LINE_PROBLEM(problems, ref, CART_ERROR_INVALID_INPUT, "provisioningContext.scope",
                    "%s has provisioningContext.scope '%s'; it must be shared or single.",
                    ref->label, scope)) {
    return false;
  }
  /* The documents write both "3Years" (REST) and "3Year" (the catalog's wording). */
  const char *duration = kv_list_get(pc, "duration");
  if (!is_blank(duration) && !text_equal_ci(duration, "1Year") &&
      !text_equal_ci(duration, "3Years") && !text_equal_ci(duration, "3Year") &&
      !LINE_PROBLEM(problems, ref, CART_ERROR_INVALID_INPUT, "provisioningContext.duration",
                    "%s has provisioningContext.duration '%s'; it must be 1Year or 3Years.",
                    ref->label, duration)) {
    return false;
  }
  const char *subscription_id = kv_list_get(pc, "subscriptionId");
  if (!is_blank(subscription_id) &&
      !check_subscription_id(ref, subscription_id, context, problems)) {
    return false;
  }
  return true;
}

static bool promotion_applies(const Promotion *promotion, const CatalogItem *item,
                              const CartLineItem *line) {
  const Availability *a = item->availability;
  if (!a) {
    return false; /* promotions are for new-commerce items only */
  }
  if (promotion->product_id && !text_equal_ci(promotion->product_id, a->product_id)) {
    return false;
  }
  if (promotion->sku_id && !text_equal_ci(promotion->sku_id, a->sku_id)) {
    return false;
  }
  if (promotion->term_duration && !text_equal_ci(promotion->term_duration, line->term_duration)) {
    return false;
  }
  return promotion->billing_cycle == BILLING_CYCLE_UNSET ||
         promotion->billing_cycle == line->billing_cycle;
}

static bool check_promotion(const LineRef *ref, const CatalogItem *item,
                            const ValidationContext *context, CartProblems *problems) {
  const CartLineItem *line = ref->line;
  if (is_blank(line->promotion_id) || !context->catalog) {
    return true;
  }
  const Promotion *promotion = catalog_find_promotion(context->catalog, line->promotion_id);
  if (!promotion) {
    return LINE_PROBLEM(problems, ref, CART_ERROR_INVALID_PROMOTION_ID, "promotionId",
                        "%s has promotionId %s, which is not a current promotion; leave it out "
                        "or use a promotion offered for this catalog item.",
                        ref->label, line->promotion_id);
  }
  if (promotion_applies(promotion, item, line)) {
    return true;
  }
  const char *cycle = billing_cycle_wire(promotion->billing_cycle);
  return LINE_PROBLEM(problems, ref, CART_ERROR_INVALID_PROMOTION_ID, "promotionId",
                      "%s has promotionId %s, which applies only to %s:%s with term %s and "
                      "billing cycle %s, not to catalog item %s.",
                      ref->label, line->promotion_id,
                      promotion->product_id ? promotion->product_id : "*",
                      promotion->sku_id ? promotion->sku_id : "*",
                      promotion->term_duration ? promotion->term_duration : "any",
                      cycle ? cycle : "any", line->catalog_item_id);
}

static bool check_custom_term_end_date(const LineRef *ref, const CatalogItem *item,
                                       const ValidationContext *context, CartProblems *problems) {
  const char *date = ref->line->custom_term_end_date;
  if (is_blank(date)) {
    return true;
  }
  /* Only new-commerce licence-based items can align their end date: productType.id
   * "OnlineServicesNCE" on the current service ("OnlineServices" in the technical preview and
   * in older sandboxes), and never a trial (error-codes.md 900242: "non-trial
   * OnlineServicesNCE"). */
  const char *type = item->product ? item->product->product_type.id : NULL;
  bool nce = text_equal_ci(type, "OnlineServicesNCE") || text_equal_ci(type, "OnlineServices");
  bool trial = item->sku && item->sku->is_trial.set && item->sku->is_trial.value;
  bool allowed = item->availability && nce && !trial;
  if (context->catalog && !allowed) {
    return LINE_PROBLEM(problems, ref, CART_ERROR_INVALID_CUSTOM_TERM_END_DATE_PRODUCT,
                        "customTermEndDate",
                        trial ? "%s sets customTermEndDate but catalog item %s is a trial; a "
                                "trial's end date cannot be aligned."
                              : "%s sets customTermEndDate but catalog item %s does not allow "
                                "one; only new-commerce (OnlineServicesNCE) items do.",
                        ref->label, ref->line->catalog_item_id);
  }
  if (!is_iso_date(date)) {
    return LINE_PROBLEM(problems, ref, CART_ERROR_INVALID_CUSTOM_TERM_END_DATE, "customTermEndDate",
                        "%s has customTermEndDate '%s'; it must be an ISO 8601 date such as "
                        "2025-06-30.",
                        ref->label, date);
  }
  return true;
}

static bool check_attestation(const LineRef *ref, const CatalogItem *item, CartProblems *problems) {
  const Sku *sku = item->sku;
  OptBool accepted = ref->line->attestation_accepted;
  if (!sku || !sku->enforce_attestation.set || !sku->enforce_attestation.value ||
      (accepted.set && accepted.value)) {
    return true;
  }
  return LINE_PROBLEM(problems, ref, CART_ERROR_ATTESTATION_NOT_ACCEPTED, "attestationAccepted",
                      "%s does not accept the attestation that catalog item %s requires; set "
                      "attestationAccepted to true.",
                      ref->label, ref->line->catalog_item_id);
}

static bool check_participants(const LineRef *ref, const ValidationContext *context,
                               CartProblems *problems) {
  static const char *const allowed[] = {"transaction_reseller", "consumption_reseller",
                                        "additional_transaction_reseller"};
  const KeyValueList *participants = &ref->line->participants;
  if (participants->count > 0 && context->partner_is_direct &&
      !LINE_PROBLEM(problems, ref, CART_ERROR_PARTICIPANTS_NOT_SUPPORTED, "participants",
                    "%s lists participants, which a direct-bill partner cannot use; leave "
                    "participants out.",
                    ref->label)) {
    return false;
  }
  for (size_t i = 0; i < participants->count; i++) {
    const char *key = participants->items[i].key;
    bool known = false;
    for (size_t a = 0; a < sizeof allowed / sizeof allowed[0]; a++) {
      known = known || name_equal_loose(key, allowed[a]);
    }
    if (!known && !LINE_PROBLEM(problems, ref, CART_ERROR_INVALID_INPUT, "participants",
                                "%s has participant key '%s'; the keys allowed are "
                                "transaction_reseller, consumption_reseller and "
                                "additional_transaction_reseller.",
                                ref->label, key ? key : "")) {
      return false;
    }
  }
  /* create-a-cart.md: the indirect reseller once; up to five additional indirect resellers
   * (EU / EFTA). */
  size_t resellers = 0, additional = 0;
  for (size_t i = 0; i < participants->count; i++) {
    const char *key = participants->items[i].key;
    resellers += name_equal_loose(key, "transaction_reseller");
    additional += name_equal_loose(key, "additional_transaction_reseller");
  }
  if (resellers > 1 && !LINE_PROBLEM(problems, ref, CART_ERROR_INVALID_INPUT, "participants",
                                     "%s names %zu transaction_reseller participants; a line has "
                                     "one indirect reseller (more go in "
                                     "additional_transaction_reseller).",
                                     ref->label, resellers)) {
    return false;
  }
  if (additional > 5 && !LINE_PROBLEM(problems, ref, CART_ERROR_INVALID_INPUT, "participants",
                                      "%s names %zu additional_transaction_reseller "
                                      "participants; at most 5 are allowed.",
                                      ref->label, additional)) {
    return false;
  }
  return true;
}

static bool check_currency(const LineRef *ref, const CatalogItem *item, CartProblems *problems) {
  const char *currency = ref->line->currency_code;
  const Availability *a = item->availability;
  if (is_blank(currency) || !a || !a->currency_code || text_equal_ci(currency, a->currency_code)) {
    return true;
  }
  return LINE_PROBLEM(problems, ref, CART_ERROR_CURRENCY_NOT_SUPPORTED, "currencyCode",
                      "%s has currencyCode %s; availability %s is sold in %s.", ref->label,
                      currency, a->id, a->currency_code);
}

static bool check_line(const LineRef *ref, const ValidationContext *context,
                       CartProblems *problems);

static bool check_addons(const LineRef *ref, const CatalogItem *item,
                         const ValidationContext *context, CartProblems *problems) {
  const CartLineItem *line = ref->line;
  if (line->addon_items.count == 0) {
    return true;
  }
  if (item->availability) {
    return LINE_PROBLEM(problems, ref, CART_ERROR_INVALID_INPUT, "addonItems",
                        "%s has addonItems, which only legacy offers use; new commerce add-ons "
                        "are purchased the same way as base offers, as line items of their own.",
                        ref->label);
  }
  if (ref->addon_index >= 0) {
    return LINE_PROBLEM(problems, ref, CART_ERROR_INVALID_INPUT, "addonItems",
                        "%s has addonItems of its own; add-ons cannot have add-ons.", ref->label);
  }
  for (size_t k = 0; k < line->addon_items.count; k++) {
    LineRef addon = line_ref(&line->addon_items.items[k], ref->line_index, (long)k, line);
    if (!check_line(&addon, context, problems)) {
      return false;
    }
  }
  return true;
}

/* Every line check, in the order that decides which problem the service reports. */
static bool check_line(const LineRef *ref, const ValidationContext *context,
                       CartProblems *problems) {
  const CartLineItem *line = ref->line;
  if (is_blank(line->catalog_item_id)) {
    return true; /* a request problem; nothing to look up */
  }
  CatalogItem item = {0};
  if (context->catalog && !catalog_find_item(context->catalog, line->catalog_item_id, &item)) {
    return LINE_PROBLEM(problems, ref, CART_ERROR_CATALOG_ITEM_ID_NOT_VALID, "catalogItemId",
                        "The catalog item ID %s is not valid.", line->catalog_item_id);
  }
  if (item.availability && item.availability->is_purchasable.set &&
      !item.availability->is_purchasable.value &&
      !LINE_PROBLEM(problems, ref, CART_ERROR_UNABLE_TO_PROCESS_LINE, "catalogItemId",
                    "%s names catalog item %s, which cannot be purchased now; choose a "
                    "purchasable availability.",
                    ref->label, line->catalog_item_id)) {
    return false;
  }
  const AvailabilityTerm *term = NULL;
  return check_quantity(ref, &item, context, problems) &&
         check_billing_cycle(ref, &item, problems) && check_term(ref, &item, problems, &term) &&
         check_renews_to(ref, &item, term, problems) &&
         check_provisioning(ref, &item, context, problems) &&
         check_promotion(ref, &item, context, problems) &&
         check_custom_term_end_date(ref, &item, context, problems) &&
         check_attestation(ref, &item, problems) && check_participants(ref, context, problems) &&
         check_currency(ref, &item, problems) && check_addons(ref, &item, context, problems);
}

/* ----- entry points ----- */

bool cart_validate(const Cart *cart, const ValidationContext *context, CartProblems *problems) {
  if (!problems) {
    return false;
  }
  cart_problems_clear(problems);
  ValidationContext none = {0};
  if (!context) {
    context = &none;
  }
  if (!check_request(cart, context, problems)) {
    cart_problems_clear(problems);
    return false;
  }
  for (size_t i = 0; cart && i < cart->line_items.count; i++) {
    LineRef ref = line_ref(&cart->line_items.items[i], (long)i, -1, NULL);
    if (!check_line(&ref, context, problems)) {
      cart_problems_clear(problems);
      return false;
    }
  }
  return true;
}

bool cart_line_validate(const CartLineItem *line, long line_index, const ValidationContext *context,
                        CartProblems *problems) {
  if (!problems) {
    return false;
  }
  cart_problems_clear(problems);
  if (!line) {
    return true;
  }
  ValidationContext none = {0};
  if (!context) {
    context = &none;
  }
  LineRef ref = line_ref(line, line_index, -1, NULL);
  if (!check_line_shape(&ref, problems) || !check_line(&ref, context, problems)) {
    cart_problems_clear(problems);
    return false;
  }
  return true;
}
