/* Cart, CartLineItem and CartError: tolerant readers, exact writers, deep copies. */
#include "model/cart.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_err(char *err, size_t err_size, const char *fmt, ...) {
  if (!err || err_size == 0) {
    return;
  }
  va_list args;
  va_start(args, fmt);
  vsnprintf(err, err_size, fmt, args);
  va_end(args);
}

/* ----- CartErrorCode names ----- */

static const struct {
  long code;
  const char *name;
} cart_error_names[] = {
    {CART_ERROR_UNKNOWN, "unknown"},
    {CART_ERROR_CURRENCY_NOT_SUPPORTED, "currency_is_not_supported"},
    {CART_ERROR_CATALOG_ITEM_ID_NOT_VALID, "catalog_item_id_is_not_valid"},
    {CART_ERROR_QUOTA_NOT_AVAILABLE, "quota_not_available"},
    {CART_ERROR_INVENTORY_NOT_AVAILABLE, "inventory_not_available"},
    {CART_ERROR_PARTICIPANTS_NOT_SUPPORTED, "participants_is_not_supported_for_partner"},
    {CART_ERROR_UNABLE_TO_PROCESS_LINE, "unable_to_process_cart_line_item"},
    {CART_ERROR_SUBSCRIPTION_NOT_VALID, "subscription_is_not_valid"},
    {CART_ERROR_SUBSCRIPTION_NOT_ENABLED_FOR_RI, "subscription_is_not_enabled_for_ri"},
    {CART_ERROR_SANDBOX_LIMIT_EXCEEDED, "sandbox_limit_exceeded"},
    {CART_ERROR_INVALID_INPUT, "invalid_input"},
    {CART_ERROR_SUBSCRIPTION_NOT_REGISTERED, "subscription_not_registered"},
    {CART_ERROR_ATTESTATION_NOT_ACCEPTED, "attestation_not_accepted"},
    {CART_ERROR_BILLING_PLAN_NOT_SUPPORTED, "billing_plan_not_supported"},
    {CART_ERROR_INVALID_PROMOTION_ID, "invalid_promotion_id"},
    {CART_ERROR_MAX_SEATS_PER_SUBSCRIPTION_EXCEEDED, "max_allowed_seats_per_subscription_exceeded"},
    {CART_ERROR_INVALID_CUSTOM_TERM_END_DATE_PRODUCT, "invalid_custom_term_end_date_product"},
    {CART_ERROR_INVALID_CUSTOM_TERM_END_DATE, "invalid_custom_term_end_date"},
    {CART_ERROR_BASE_OFFER_SEAT_QUANTITY_NOT_MET, "base_offer_seat_quantity_not_met"},
    {CART_ERROR_MINIMUM_ADDON_SEATS_NOT_MET, "minimum_add_on_seats_not_met"},
    {CART_ERROR_LEGACY_OFFER_NOT_ELIGIBLE, "legacy_offer_not_eligible_for_purchase"},
};

#define CART_ERROR_NAME_COUNT (sizeof cart_error_names / sizeof cart_error_names[0])

const char *cart_error_code_name(long code) {
  for (size_t i = 0; i < CART_ERROR_NAME_COUNT; i++) {
    if (cart_error_names[i].code == code) {
      return cart_error_names[i].name;
    }
  }
  return NULL;
}

/* Lower case without underscores, so "ForRI", "for_ri" and "for_r_i" all match. */
static bool fold_name(const char *text, char *out, size_t out_size) {
  size_t n = 0;
  for (const char *p = text; *p; p++) {
    if (*p == '_' || *p == '-' || *p == ' ') {
      continue;
    }
    if (n + 1 >= out_size) {
      return false;
    }
    out[n++] = (char)((*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p);
  }
  out[n] = '\0';
  return true;
}

long cart_error_code_parse(const char *text) {
  if (!text || !*text) {
    return -1;
  }
  bool digits = true;
  for (const char *p = text; *p; p++) {
    if (*p < '0' || *p > '9') {
      digits = false;
      break;
    }
  }
  if (digits) {
    return strlen(text) <= 9 ? strtol(text, NULL, 10) : -1;
  }
  char folded[64];
  char candidate[64];
  if (!fold_name(text, folded, sizeof folded)) {
    return -1;
  }
  for (size_t i = 0; i < CART_ERROR_NAME_COUNT; i++) {
    if (fold_name(cart_error_names[i].name, candidate, sizeof candidate) &&
        strcmp(folded, candidate) == 0) {
      return cart_error_names[i].code;
    }
  }
  return -1;
}

/* ----- CartStatus ----- */

const char *cart_status_wire(CartStatus status) {
  switch (status) {
  case CART_STATUS_ACTIVE:
    return "Active";
  case CART_STATUS_ORDERED:
    return "Ordered";
  case CART_STATUS_UNKNOWN:
    return "Unknown";
  case CART_STATUS_UNSET:
    break;
  }
  return NULL;
}

CartStatus cart_status_parse(const char *text) {
  if (!text || !*text) {
    return CART_STATUS_UNSET;
  }
  char folded[16];
  if (!fold_name(text, folded, sizeof folded)) {
    return CART_STATUS_UNKNOWN;
  }
  if (strcmp(folded, "active") == 0) {
    return CART_STATUS_ACTIVE;
  }
  if (strcmp(folded, "ordered") == 0) {
    return CART_STATUS_ORDERED;
  }
  return CART_STATUS_UNKNOWN;
}

/* ----- CartError ----- */

CartError *cart_error_new(long code, const char *description) {
  CartError *error = calloc(1, sizeof *error);
  if (!error) {
    return NULL;
  }
  error->error_code = code;
  error->error_description = model_strdup(description);
  if (description && !error->error_description) {
    free(error);
    return NULL;
  }
  return error;
}

void cart_error_free(CartError *error) {
  if (!error) {
    return;
  }
  free(error->error_code_text);
  free(error->error_description);
  kv_list_clear(&error->additional_information);
  free(error);
}

static CartError *cart_error_clone(const CartError *src) {
  CartError *copy = cart_error_new(src->error_code, src->error_description);
  if (!copy) {
    return NULL;
  }
  copy->error_code_text = model_strdup(src->error_code_text);
  if ((src->error_code_text && !copy->error_code_text) ||
      !kv_list_copy(&copy->additional_information, &src->additional_information)) {
    cart_error_free(copy);
    return NULL;
  }
  return copy;
}

CartError *cart_error_from_json(const cJSON *json) {
  if (!cJSON_IsObject(json)) {
    return NULL;
  }
  CartError *error = cart_error_new(CART_ERROR_UNKNOWN, NULL);
  if (!error) {
    return NULL;
  }
  const cJSON *code = json_get(json, "errorCode");
  OptInt number = json_get_int(json, "errorCode");
  if (number.set) {
    error->error_code = number.value;
  } else if (cJSON_IsString(code)) {
    long parsed = cart_error_code_parse(code->valuestring);
    if (parsed >= 0) {
      error->error_code = parsed;
    } else if (!(error->error_code_text = model_strdup(code->valuestring))) {
      cart_error_free(error);
      return NULL;
    }
  }
  error->error_description = json_dup_string(json, "errorDescription");
  json_read_kv(&error->additional_information, json_get(json, "additionalInformation"));
  return error;
}

cJSON *cart_error_to_json(const CartError *error) {
  if (!error) {
    return NULL;
  }
  cJSON *json = cJSON_CreateObject();
  if (!json) {
    return NULL;
  }
  bool ok = error->error_code_text ? json_put_string(json, "errorCode", error->error_code_text)
                                   : json_put_int(json, "errorCode", opt_int(error->error_code));
  ok = ok && json_put_string(json, "errorDescription", error->error_description);
  if (ok && error->additional_information.count == 0) {
    ok = cJSON_AddObjectToObject(json, "additionalInformation") != NULL;
  } else if (ok) {
    ok = json_put_kv_object(json, "additionalInformation", &error->additional_information);
  }
  if (!ok) {
    cJSON_Delete(json);
    return NULL;
  }
  return json;
}

/* ----- line items ----- */

CartLineItem *cart_line_list_append(CartLineItemList *list) {
  if (!list) {
    return NULL;
  }
  CartLineItem *items = realloc(list->items, (list->count + 1) * sizeof *items);
  if (!items) {
    return NULL;
  }
  list->items = items;
  CartLineItem *line = &list->items[list->count++];
  memset(line, 0, sizeof *line);
  return line;
}

bool cart_line_list_remove(CartLineItemList *list, size_t index) {
  if (!list || index >= list->count) {
    return false;
  }
  cart_line_item_clear(&list->items[index]);
  memmove(&list->items[index], &list->items[index + 1],
          (list->count - index - 1) * sizeof list->items[0]);
  list->count--;
  if (list->count == 0) {
    free(list->items);
    list->items = NULL;
  }
  return true;
}

void cart_line_item_clear(CartLineItem *line) {
  if (!line) {
    return;
  }
  free(line->catalog_item_id);
  free(line->friendly_name);
  free(line->currency_code);
  free(line->term_duration);
  free(line->promotion_id);
  free(line->custom_term_end_date);
  kv_list_clear(&line->participants);
  kv_list_clear(&line->provisioning_context);
  free(line->renews_to_term_duration);
  free(line->order_group);
  free(line->purchase_system);
  cart_line_list_clear(&line->addon_items);
  cart_error_free(line->error);
  memset(line, 0, sizeof *line);
}

void cart_line_list_clear(CartLineItemList *list) {
  if (!list) {
    return;
  }
  for (size_t i = 0; i < list->count; i++) {
    cart_line_item_clear(&list->items[i]);
  }
  free(list->items);
  list->items = NULL;
  list->count = 0;
}

static bool dup_into(char **dst, const char *src) {
  *dst = model_strdup(src);
  return !src || *dst;
}

static bool line_list_copy(CartLineItemList *dst, const CartLineItemList *src);

/* dst must be zeroed or hold a valid line, whose contents are released on success. */
bool cart_line_item_copy(CartLineItem *dst, const CartLineItem *src) {
  if (!dst || !src) {
    return false;
  }
  CartLineItem copy = {
      .id = src->id,
      .id_not_integer = src->id_not_integer,
      .pricing = src->pricing,
      .quantity = src->quantity,
      .billing_cycle = src->billing_cycle,
      .attestation_accepted = src->attestation_accepted,
  };
  bool ok = dup_into(&copy.catalog_item_id, src->catalog_item_id) &&
            dup_into(&copy.friendly_name, src->friendly_name) &&
            dup_into(&copy.currency_code, src->currency_code) &&
            dup_into(&copy.term_duration, src->term_duration) &&
            dup_into(&copy.promotion_id, src->promotion_id) &&
            dup_into(&copy.custom_term_end_date, src->custom_term_end_date) &&
            kv_list_copy(&copy.participants, &src->participants) &&
            kv_list_copy(&copy.provisioning_context, &src->provisioning_context) &&
            dup_into(&copy.renews_to_term_duration, src->renews_to_term_duration) &&
            dup_into(&copy.order_group, src->order_group) &&
            dup_into(&copy.purchase_system, src->purchase_system) &&
            line_list_copy(&copy.addon_items, &src->addon_items);
  if (ok && src->error) {
    copy.error = cart_error_clone(src->error);
    ok = copy.error != NULL;
  }
  if (!ok) {
    cart_line_item_clear(&copy);
    return false;
  }
  cart_line_item_clear(dst);
  *dst = copy;
  return true;
}

static bool line_list_copy(CartLineItemList *dst, const CartLineItemList *src) {
  CartLineItemList copy = {0};
  for (size_t i = 0; i < src->count; i++) {
    CartLineItem *line = cart_line_list_append(&copy);
    if (!line || !cart_line_item_copy(line, &src->items[i])) {
      cart_line_list_clear(&copy);
      return false;
    }
  }
  cart_line_list_clear(dst);
  *dst = copy;
  return true;
}

static bool line_read(CartLineItem *line, const cJSON *json, const char *path, char *err,
                      size_t err_size);

/* Reads an array of line objects; path names it in the error ("lineItems"). */
static bool line_list_read(CartLineItemList *list, const cJSON *array, const char *path, char *err,
                           size_t err_size) {
  if (!array) {
    return true;
  }
  if (!cJSON_IsArray(array)) {
    set_err(err, err_size, "%s is not an array", path);
    return false;
  }
  size_t index = 0;
  const cJSON *child = NULL;
  cJSON_ArrayForEach(child, array) {
    char item_path[256];
    snprintf(item_path, sizeof item_path, "%s[%zu]", path, index++);
    CartLineItem *line = cart_line_list_append(list);
    if (!line) {
      set_err(err, err_size, "out of memory reading %s", item_path);
      return false;
    }
    if (!line_read(line, child, item_path, err, err_size)) {
      return false;
    }
  }
  return true;
}

/* renewsTo is documented as an array but sent as an object: accept both. */
static char *renews_to_read(const cJSON *renews_to) {
  if (cJSON_IsArray(renews_to)) {
    renews_to = cJSON_GetArrayItem(renews_to, 0);
  }
  return json_dup_string(renews_to, "termDuration");
}

static bool line_read(CartLineItem *line, const cJSON *json, const char *path, char *err,
                      size_t err_size) {
  if (!cJSON_IsObject(json)) {
    set_err(err, err_size, "%s is not an object", path);
    return false;
  }
  /* Wrong-typed scalars are left unset: the validator reports them as missing. An id may be
   * left out (the service numbers the line), so one given must be an integer. */
  line->id = json_get_int(json, "id");
  const cJSON *id = json_get(json, "id");
  line->id_not_integer = id && !cJSON_IsNull(id) && !line->id.set;
  pricing_read(&line->pricing, json_get(json, "pricing"));
  line->catalog_item_id = json_dup_string(json, "catalogItemId");
  line->friendly_name = json_dup_string(json, "friendlyName");
  line->quantity = json_get_int(json, "quantity");
  line->currency_code = json_dup_string(json, "currencyCode");
  line->billing_cycle = billing_cycle_from_json(json_get(json, "billingCycle"));
  line->term_duration = json_dup_string(json, "termDuration");
  line->promotion_id = json_dup_string(json, "promotionId");
  line->custom_term_end_date = json_dup_string(json, "customTermEndDate");
  line->attestation_accepted = json_get_bool(json, "attestationAccepted");
  /* A list, not a map: additional resellers repeat their key. */
  json_read_kv_list(&line->participants, json_get(json, "participants"));
  json_read_kv(&line->provisioning_context, json_get(json, "provisioningContext"));
  line->renews_to_term_duration = renews_to_read(json_get(json, "renewsTo"));
  line->order_group = json_dup_text(json, "orderGroup");
  line->purchase_system = json_dup_string(json, "purchaseSystem");
  line->error = cart_error_from_json(json_get(json, "error"));
  char addon_path[256];
  snprintf(addon_path, sizeof addon_path, "%s.addonItems", path);
  return line_list_read(&line->addon_items, json_get(json, "addonItems"), addon_path, err,
                        err_size);
}

bool cart_line_item_from_json(CartLineItem *line, const cJSON *json, char *err, size_t err_size) {
  if (!line) {
    return false;
  }
  cart_line_item_clear(line);
  if (!line_read(line, json, "line item", err, err_size)) {
    cart_line_item_clear(line);
    return false;
  }
  return true;
}

static cJSON *line_write(const CartLineItem *line, bool request);

static bool renews_to_write(cJSON *json, const char *term) {
  if (!term) {
    return true;
  }
  cJSON *renews_to = cJSON_AddObjectToObject(json, "renewsTo");
  return renews_to && json_put_string(renews_to, "termDuration", term);
}

static bool line_list_write(cJSON *parent, const char *name, const CartLineItemList *list,
                            bool request) {
  cJSON *array = cJSON_AddArrayToObject(parent, name);
  if (!array) {
    return false;
  }
  for (size_t i = 0; i < list->count; i++) {
    cJSON *item = line_write(&list->items[i], request);
    if (!item) {
      return false;
    }
    cJSON_AddItemToArray(array, item);
  }
  return true;
}

/* request drops the fields only the server may fill. */
static cJSON *line_write(const CartLineItem *line, bool request) {
  cJSON *json = cJSON_CreateObject();
  if (!json) {
    return NULL;
  }
  bool ok = json_put_int(json, "id", line->id) &&
            json_put_string(json, "catalogItemId", line->catalog_item_id) &&
            json_put_string(json, "friendlyName", line->friendly_name) &&
            json_put_int(json, "quantity", line->quantity) &&
            (request || json_put_string(json, "currencyCode", line->currency_code)) &&
            json_put_string(json, "billingCycle", billing_cycle_wire(line->billing_cycle)) &&
            json_put_string(json, "termDuration", line->term_duration) &&
            json_put_string(json, "promotionId", line->promotion_id) &&
            json_put_string(json, "customTermEndDate", line->custom_term_end_date) &&
            json_put_bool(json, "attestationAccepted", line->attestation_accepted) &&
            json_put_kv_array(json, "participants", &line->participants) &&
            json_put_kv_object(json, "provisioningContext", &line->provisioning_context) &&
            renews_to_write(json, line->renews_to_term_duration) &&
            (request || json_put_string(json, "orderGroup", line->order_group)) &&
            (request || pricing_write(json, "pricing", &line->pricing)) &&
            json_put_string(json, "purchaseSystem", line->purchase_system) &&
            (line->addon_items.count == 0 ||
             line_list_write(json, "addonItems", &line->addon_items, request));
  if (ok && !request && line->error) {
    cJSON *error = cart_error_to_json(line->error);
    ok = error != NULL;
    if (ok) {
      cJSON_AddItemToObject(json, "error", error);
    }
  }
  if (!ok) {
    cJSON_Delete(json);
    return NULL;
  }
  return json;
}

cJSON *cart_line_item_to_json(const CartLineItem *line) {
  return line ? line_write(line, false) : NULL;
}

/* ----- Cart ----- */

Cart *cart_new(void) {
  return calloc(1, sizeof(Cart));
}

void cart_free(Cart *cart) {
  if (!cart) {
    return;
  }
  free(cart->id);
  free(cart->creation_timestamp);
  free(cart->last_modified_timestamp);
  free(cart->expiration_timestamp);
  free(cart->last_modified_user);
  cart_line_list_clear(&cart->line_items);
  link_list_clear(&cart->links);
  free(cart->object_type);
  free(cart);
}

Cart *cart_clone(const Cart *cart) {
  if (!cart) {
    return NULL;
  }
  Cart *copy = cart_new();
  if (!copy) {
    return NULL;
  }
  copy->status = cart->status;
  copy->partner_on_record_attestation_accepted = cart->partner_on_record_attestation_accepted;
  bool ok = dup_into(&copy->id, cart->id) &&
            dup_into(&copy->creation_timestamp, cart->creation_timestamp) &&
            dup_into(&copy->last_modified_timestamp, cart->last_modified_timestamp) &&
            dup_into(&copy->expiration_timestamp, cart->expiration_timestamp) &&
            dup_into(&copy->last_modified_user, cart->last_modified_user) &&
            line_list_copy(&copy->line_items, &cart->line_items) &&
            link_list_copy(&copy->links, &cart->links) &&
            dup_into(&copy->object_type, cart->object_type);
  if (!ok) {
    cart_free(copy);
    return NULL;
  }
  return copy;
}

Cart *cart_from_json(const cJSON *json, char *err, size_t err_size) {
  if (!cJSON_IsObject(json)) {
    set_err(err, err_size, "the cart is not a JSON object");
    return NULL;
  }
  Cart *cart = cart_new();
  if (!cart) {
    set_err(err, err_size, "out of memory reading the cart");
    return NULL;
  }
  cart->id = json_dup_string(json, "id");
  cart->creation_timestamp = json_dup_string(json, "creationTimestamp");
  cart->last_modified_timestamp = json_dup_string(json, "lastModifiedTimestamp");
  cart->expiration_timestamp = json_dup_string(json, "expirationTimestamp");
  cart->last_modified_user = json_dup_string(json, "lastModifiedUser");
  const cJSON *status = json_get(json, "status");
  cart->status =
      cJSON_IsString(status) ? cart_status_parse(status->valuestring) : CART_STATUS_UNSET;
  cart->partner_on_record_attestation_accepted =
      json_get_bool(json, "partnerOnRecordAttestationAccepted");
  link_list_read(&cart->links, json_get(json, "links"));
  cart->object_type = json_dup_string(json_get(json, "attributes"), "objectType");
  if (!line_list_read(&cart->line_items, json_get(json, "lineItems"), "lineItems", err, err_size)) {
    cart_free(cart);
    return NULL;
  }
  return cart;
}

Cart *cart_parse(const char *text, char *err, size_t err_size) {
  if (!text) {
    set_err(err, err_size, "the cart body is empty");
    return NULL;
  }
  cJSON *json = cJSON_Parse(text);
  if (!json) {
    set_err(err, err_size, "the cart body is not valid JSON");
    return NULL;
  }
  Cart *cart = cart_from_json(json, err, err_size);
  cJSON_Delete(json);
  return cart;
}

static cJSON *cart_write(const Cart *cart, bool request) {
  if (!cart) {
    return NULL;
  }
  cJSON *json = cJSON_CreateObject();
  if (!json) {
    return NULL;
  }
  bool ok = true;
  if (!request) {
    ok = json_put_string(json, "id", cart->id) &&
         json_put_string(json, "creationTimestamp", cart->creation_timestamp) &&
         json_put_string(json, "lastModifiedTimestamp", cart->last_modified_timestamp) &&
         json_put_string(json, "expirationTimestamp", cart->expiration_timestamp) &&
         json_put_string(json, "lastModifiedUser", cart->last_modified_user) &&
         json_put_string(json, "status", cart_status_wire(cart->status));
  }
  ok = ok &&
       json_put_bool(json, "partnerOnRecordAttestationAccepted",
                     cart->partner_on_record_attestation_accepted) &&
       line_list_write(json, "lineItems", &cart->line_items, request);
  if (!request) {
    ok = ok && link_list_write(&cart->links, json) && json_put_object_type(json, cart->object_type);
  }
  if (!ok) {
    cJSON_Delete(json);
    return NULL;
  }
  return json;
}

cJSON *cart_to_json(const Cart *cart) {
  return cart_write(cart, false);
}

cJSON *cart_to_request_json(const Cart *cart) {
  return cart_write(cart, true);
}
