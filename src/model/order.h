/* What a checkout produces: CartCheckoutResult with one Order per successful order
 * group and one OrderError per failed group. */
#ifndef PCCART_MODEL_ORDER_H
#define PCCART_MODEL_ORDER_H

#include "model/common.h"

typedef struct OrderLineItem {
  OptInt line_item_number;
  char *offer_id; /* the catalogItemId that was bought */
  char *subscription_id;
  char *parent_subscription_id;
  char *term_duration;
  char *renews_to_term_duration;
  char *transaction_type; /* "New" */
  char *promotion_id;
  char *custom_term_end_date;
  char *friendly_name;
  OptInt quantity;
  char *partner_id_on_record;
  StringList additional_partner_ids_on_record;
  KeyValueList provisioning_context;
  Pricing pricing;
  LinkList links; /* product, sku, availability, provisioningStatus */
} OrderLineItem;

typedef struct Order {
  char *id;
  char *alternate_id;
  char *reference_customer_id;
  BillingCycle billing_cycle;
  char *currency_code;
  char *currency_symbol;
  OrderLineItem *line_items;
  size_t line_item_count;
  char *creation_date;
  char *status;           /* "completed", "pending", "cancelled", ... (order-resources.md) */
  char *transaction_type; /* "UserPurchase" */
  OptDouble total_price;  /* the order's total, before tax */
  LinkList links;
  char *object_type; /* "Order" */
} Order;

typedef struct OrderError {
  char *order_group_id;
  long code;
  char *description;
} OrderError;

typedef struct CartCheckoutResult {
  Order *orders;
  size_t order_count;
  OrderError *order_errors;
  size_t order_error_count;
} CartCheckoutResult;

CartCheckoutResult *checkout_result_new(void);
void checkout_result_free(CartCheckoutResult *result);
Order *checkout_result_add_order(CartCheckoutResult *result); /* zeroed; NULL if OOM */
OrderError *checkout_result_add_error(CartCheckoutResult *result);
OrderLineItem *order_add_line_item(Order *order);
void order_clear(Order *order);

CartCheckoutResult *checkout_result_from_json(const cJSON *json, char *err, size_t err_size);
CartCheckoutResult *checkout_result_parse(const char *text, char *err, size_t err_size);
bool order_from_json(Order *order, const cJSON *json);
cJSON *checkout_result_to_json(const CartCheckoutResult *result);
cJSON *order_to_json(const Order *order);

#endif
