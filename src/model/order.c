/* CartCheckoutResult, Order and OrderError: read tolerantly, written in the checkout
 * document's field order. */
#include "model/order.h"

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

/* The array grown by one zeroed element at index count; NULL when out of memory
 * (the old array is then untouched). */
static void *array_grow(void *items, size_t count, size_t size) {
  char *grown = realloc(items, (count + 1) * size);
  if (grown) {
    memset(grown + count * size, 0, size);
  }
  return grown;
}

CartCheckoutResult *checkout_result_new(void) {
  return calloc(1, sizeof(CartCheckoutResult));
}

static void order_line_clear(OrderLineItem *line) {
  free(line->offer_id);
  free(line->subscription_id);
  free(line->parent_subscription_id);
  free(line->term_duration);
  free(line->renews_to_term_duration);
  free(line->transaction_type);
  free(line->promotion_id);
  free(line->custom_term_end_date);
  free(line->friendly_name);
  free(line->partner_id_on_record);
  string_list_clear(&line->additional_partner_ids_on_record);
  kv_list_clear(&line->provisioning_context);
  link_list_clear(&line->links);
  memset(line, 0, sizeof *line);
}

void order_clear(Order *order) {
  if (!order) {
    return;
  }
  free(order->id);
  free(order->alternate_id);
  free(order->reference_customer_id);
  free(order->currency_code);
  free(order->currency_symbol);
  for (size_t i = 0; i < order->line_item_count; i++) {
    order_line_clear(&order->line_items[i]);
  }
  free(order->line_items);
  free(order->creation_date);
  free(order->status);
  free(order->transaction_type);
  link_list_clear(&order->links);
  free(order->object_type);
  memset(order, 0, sizeof *order);
}

void checkout_result_free(CartCheckoutResult *result) {
  if (!result) {
    return;
  }
  for (size_t i = 0; i < result->order_count; i++) {
    order_clear(&result->orders[i]);
  }
  free(result->orders);
  for (size_t i = 0; i < result->order_error_count; i++) {
    free(result->order_errors[i].order_group_id);
    free(result->order_errors[i].description);
  }
  free(result->order_errors);
  free(result);
}

Order *checkout_result_add_order(CartCheckoutResult *result) {
  if (!result) {
    return NULL;
  }
  Order *orders = array_grow(result->orders, result->order_count, sizeof *orders);
  if (!orders) {
    return NULL;
  }
  result->orders = orders;
  return &orders[result->order_count++];
}

OrderError *checkout_result_add_error(CartCheckoutResult *result) {
  if (!result) {
    return NULL;
  }
  OrderError *errors = array_grow(result->order_errors, result->order_error_count, sizeof *errors);
  if (!errors) {
    return NULL;
  }
  result->order_errors = errors;
  return &errors[result->order_error_count++];
}

OrderLineItem *order_add_line_item(Order *order) {
  if (!order) {
    return NULL;
  }
  OrderLineItem *lines = array_grow(order->line_items, order->line_item_count, sizeof *lines);
  if (!lines) {
    return NULL;
  }
  order->line_items = lines;
  return &lines[order->line_item_count++];
}

/* ----- readers ----- */

/* renewsTo is documented as an array but sent as an object: accept both. */
static char *renews_to_read(const cJSON *renews_to) {
  if (cJSON_IsArray(renews_to)) {
    renews_to = cJSON_GetArrayItem(renews_to, 0);
  }
  return json_dup_string(renews_to, "termDuration");
}

static void order_line_read(OrderLineItem *line, const cJSON *json) {
  line->line_item_number = json_get_int(json, "lineItemNumber");
  line->offer_id = json_dup_string(json, "offerId");
  line->subscription_id = json_dup_string(json, "subscriptionId");
  line->parent_subscription_id = json_dup_string(json, "parentSubscriptionId");
  line->term_duration = json_dup_string(json, "termDuration");
  line->renews_to_term_duration = renews_to_read(json_get(json, "renewsTo"));
  line->transaction_type = json_dup_string(json, "transactionType");
  line->promotion_id = json_dup_string(json, "promotionId");
  line->custom_term_end_date = json_dup_string(json, "customTermEndDate");
  line->friendly_name = json_dup_string(json, "friendlyName");
  line->quantity = json_get_int(json, "quantity");
  line->partner_id_on_record = json_dup_text(json, "partnerIdOnRecord");
  json_read_strings(&line->additional_partner_ids_on_record,
                    json_get(json, "additionalPartnerIdsOnRecord"));
  json_read_kv(&line->provisioning_context, json_get(json, "provisioningContext"));
  pricing_read(&line->pricing, json_get(json, "pricing"));
  link_list_read(&line->links, json_get(json, "links"));
}

static bool order_read(Order *order, const cJSON *json, const char *path, char *err,
                       size_t err_size) {
  if (!cJSON_IsObject(json)) {
    set_err(err, err_size, "%s is not an object", path);
    return false;
  }
  order->id = json_dup_string(json, "id");
  order->alternate_id = json_dup_string(json, "alternateId");
  order->reference_customer_id = json_dup_string(json, "referenceCustomerId");
  order->billing_cycle = billing_cycle_from_json(json_get(json, "billingCycle"));
  order->currency_code = json_dup_string(json, "currencyCode");
  order->currency_symbol = json_dup_string(json, "currencySymbol");
  order->creation_date = json_dup_string(json, "creationDate");
  order->status = json_dup_string(json, "status");
  order->transaction_type = json_dup_string(json, "transactionType");
  order->total_price = json_get_double(json, "totalPrice");
  link_list_read(&order->links, json_get(json, "links"));
  order->object_type = json_dup_string(json_get(json, "attributes"), "objectType");

  const cJSON *lines = json_get(json, "lineItems");
  if (lines && !cJSON_IsArray(lines)) {
    set_err(err, err_size, "%s.lineItems is not an array", path);
    return false;
  }
  size_t index = 0;
  const cJSON *child = NULL;
  cJSON_ArrayForEach(child, lines) {
    if (!cJSON_IsObject(child)) {
      set_err(err, err_size, "%s.lineItems[%zu] is not an object", path, index);
      return false;
    }
    OrderLineItem *line = order_add_line_item(order);
    if (!line) {
      set_err(err, err_size, "out of memory reading %s", path);
      return false;
    }
    order_line_read(line, child);
    index++;
  }
  return true;
}

bool order_from_json(Order *order, const cJSON *json) {
  if (!order) {
    return false;
  }
  order_clear(order);
  if (!order_read(order, json, "order", NULL, 0)) {
    order_clear(order);
    return false;
  }
  return true;
}

static bool order_error_read(OrderError *error, const cJSON *json) {
  error->order_group_id = json_dup_text(json, "orderGroupId");
  OptInt code = json_get_int(json, "code");
  error->code = code.set ? code.value : 0;
  error->description = json_dup_string(json, "description");
  return true;
}

static const cJSON *array_member(const cJSON *json, const char *name, char *err, size_t err_size,
                                 bool *ok) {
  const cJSON *array = json_get(json, name);
  if (array && !cJSON_IsArray(array)) {
    set_err(err, err_size, "%s is not an array", name);
    *ok = false;
  }
  return array;
}

CartCheckoutResult *checkout_result_from_json(const cJSON *json, char *err, size_t err_size) {
  if (!cJSON_IsObject(json)) {
    set_err(err, err_size, "the checkout result is not a JSON object");
    return NULL;
  }
  bool ok = true;
  const cJSON *orders = array_member(json, "orders", err, err_size, &ok);
  const cJSON *errors = ok ? array_member(json, "orderErrors", err, err_size, &ok) : NULL;
  if (!ok) {
    return NULL;
  }
  CartCheckoutResult *result = checkout_result_new();
  if (!result) {
    set_err(err, err_size, "out of memory reading the checkout result");
    return NULL;
  }
  size_t index = 0;
  const cJSON *child = NULL;
  cJSON_ArrayForEach(child, orders) {
    char path[64];
    snprintf(path, sizeof path, "orders[%zu]", index++);
    Order *order = checkout_result_add_order(result);
    if (!order) {
      set_err(err, err_size, "out of memory reading %s", path);
      ok = false;
      break;
    }
    if (!order_read(order, child, path, err, err_size)) {
      ok = false;
      break;
    }
  }
  index = 0;
  const cJSON *error_items = ok ? errors : NULL;
  cJSON_ArrayForEach(child, error_items) {
    if (!cJSON_IsObject(child)) {
      set_err(err, err_size, "orderErrors[%zu] is not an object", index);
      ok = false;
      break;
    }
    OrderError *error = checkout_result_add_error(result);
    if (!error) {
      set_err(err, err_size, "out of memory reading orderErrors[%zu]", index);
      ok = false;
      break;
    }
    order_error_read(error, child);
    index++;
  }
  if (!ok) {
    checkout_result_free(result);
    return NULL;
  }
  return result;
}

CartCheckoutResult *checkout_result_parse(const char *text, char *err, size_t err_size) {
  if (!text) {
    set_err(err, err_size, "the checkout result is empty");
    return NULL;
  }
  cJSON *json = cJSON_Parse(text);
  if (!json) {
    set_err(err, err_size, "the checkout result is not valid JSON");
    return NULL;
  }
  CartCheckoutResult *result = checkout_result_from_json(json, err, err_size);
  cJSON_Delete(json);
  return result;
}

/* ----- writers ----- */

/* The service always sends links on orders and their lines, so an empty set is {}. */
static bool links_write(cJSON *json, const LinkList *links) {
  if (links->count == 0) {
    return cJSON_AddObjectToObject(json, "links") != NULL;
  }
  return link_list_write(links, json);
}

static bool renews_to_write(cJSON *json, const char *term) {
  if (!term) {
    return true;
  }
  cJSON *renews_to = cJSON_AddObjectToObject(json, "renewsTo");
  return renews_to && json_put_string(renews_to, "termDuration", term);
}

static cJSON *order_line_write(const OrderLineItem *line) {
  cJSON *json = cJSON_CreateObject();
  if (!json) {
    return NULL;
  }
  bool ok = json_put_int(json, "lineItemNumber", line->line_item_number) &&
            json_put_string(json, "offerId", line->offer_id) &&
            json_put_string(json, "subscriptionId", line->subscription_id) &&
            json_put_string(json, "parentSubscriptionId", line->parent_subscription_id) &&
            json_put_string(json, "termDuration", line->term_duration) &&
            renews_to_write(json, line->renews_to_term_duration) &&
            json_put_string(json, "transactionType", line->transaction_type) &&
            json_put_string(json, "promotionId", line->promotion_id) &&
            json_put_string(json, "customTermEndDate", line->custom_term_end_date) &&
            json_put_string(json, "friendlyName", line->friendly_name) &&
            json_put_int(json, "quantity", line->quantity) &&
            json_put_string(json, "partnerIdOnRecord", line->partner_id_on_record) &&
            json_put_strings(json, "additionalPartnerIdsOnRecord",
                             &line->additional_partner_ids_on_record) &&
            json_put_kv_object(json, "provisioningContext", &line->provisioning_context) &&
            pricing_write(json, "pricing", &line->pricing) && links_write(json, &line->links);
  if (!ok) {
    cJSON_Delete(json);
    return NULL;
  }
  return json;
}

cJSON *order_to_json(const Order *order) {
  if (!order) {
    return NULL;
  }
  cJSON *json = cJSON_CreateObject();
  if (!json) {
    return NULL;
  }
  bool ok = json_put_string(json, "id", order->id) &&
            json_put_string(json, "alternateId", order->alternate_id) &&
            json_put_string(json, "referenceCustomerId", order->reference_customer_id) &&
            json_put_string(json, "billingCycle", billing_cycle_wire(order->billing_cycle)) &&
            json_put_string(json, "currencyCode", order->currency_code) &&
            json_put_string(json, "currencySymbol", order->currency_symbol);
  cJSON *lines = ok ? cJSON_AddArrayToObject(json, "lineItems") : NULL;
  ok = lines != NULL;
  for (size_t i = 0; ok && i < order->line_item_count; i++) {
    cJSON *line = order_line_write(&order->line_items[i]);
    ok = line != NULL;
    if (ok) {
      cJSON_AddItemToArray(lines, line);
    }
  }
  ok = ok && json_put_string(json, "creationDate", order->creation_date) &&
       json_put_string(json, "status", order->status) &&
       json_put_string(json, "transactionType", order->transaction_type) &&
       json_put_double(json, "totalPrice", order->total_price) &&
       links_write(json, &order->links) && json_put_object_type(json, order->object_type);
  if (!ok) {
    cJSON_Delete(json);
    return NULL;
  }
  return json;
}

cJSON *checkout_result_to_json(const CartCheckoutResult *result) {
  if (!result) {
    return NULL;
  }
  cJSON *json = cJSON_CreateObject();
  cJSON *orders = json ? cJSON_AddArrayToObject(json, "orders") : NULL;
  bool ok = orders != NULL;
  for (size_t i = 0; ok && i < result->order_count; i++) {
    cJSON *order = order_to_json(&result->orders[i]);
    ok = order != NULL;
    if (ok) {
      cJSON_AddItemToArray(orders, order);
    }
  }
  /* Omitted when empty, as in the documented full-success reply. */
  cJSON *errors = NULL;
  if (ok && result->order_error_count > 0) {
    errors = cJSON_AddArrayToObject(json, "orderErrors");
    ok = errors != NULL;
  }
  for (size_t i = 0; ok && i < result->order_error_count; i++) {
    const OrderError *from = &result->order_errors[i];
    cJSON *error = cJSON_CreateObject();
    ok = error != NULL;
    if (ok) {
      cJSON_AddItemToArray(errors, error);
      ok = json_put_string(error, "orderGroupId", from->order_group_id) &&
           json_put_int(error, "code", opt_int(from->code)) &&
           json_put_string(error, "description", from->description);
    }
  }
  if (!ok) {
    cJSON_Delete(json);
    return NULL;
  }
  return json;
}
