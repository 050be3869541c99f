/* The cart a sales person builds: Cart, CartLineItem and the per-line CartError,
 * read tolerantly from JSON and written exactly as Partner Center documents them. */
#ifndef PCCART_MODEL_CART_H
#define PCCART_MODEL_CART_H

#include "model/common.h"

/* CartErrorCode values (NET Enums/CartErrorCode.cs), plus codes seen outside the enum. */
enum {
  CART_ERROR_UNKNOWN = 0,
  CART_ERROR_CURRENCY_NOT_SUPPORTED = 10000,
  CART_ERROR_CATALOG_ITEM_ID_NOT_VALID = 10001,
  CART_ERROR_QUOTA_NOT_AVAILABLE = 10002,
  CART_ERROR_INVENTORY_NOT_AVAILABLE = 10003,
  CART_ERROR_PARTICIPANTS_NOT_SUPPORTED = 10004,
  CART_ERROR_UNABLE_TO_PROCESS_LINE = 10006,
  CART_ERROR_SUBSCRIPTION_NOT_VALID = 10007,
  CART_ERROR_SUBSCRIPTION_NOT_ENABLED_FOR_RI = 10008,
  CART_ERROR_SANDBOX_LIMIT_EXCEEDED = 10009,
  CART_ERROR_INVALID_INPUT = 10010,
  CART_ERROR_SUBSCRIPTION_NOT_REGISTERED = 10011,
  CART_ERROR_ATTESTATION_NOT_ACCEPTED = 10012,
  CART_ERROR_BILLING_PLAN_NOT_SUPPORTED = 10013,
  CART_ERROR_INVALID_PROMOTION_ID = 10014,
  CART_ERROR_MAX_SEATS_PER_SUBSCRIPTION_EXCEEDED = 10015,
  CART_ERROR_INVALID_CUSTOM_TERM_END_DATE_PRODUCT = 10016,
  CART_ERROR_INVALID_CUSTOM_TERM_END_DATE = 10017,
  CART_ERROR_BASE_OFFER_SEAT_QUANTITY_NOT_MET = 10018,
  CART_ERROR_MINIMUM_ADDON_SEATS_NOT_MET = 10019,
  CART_ERROR_TERM_NOT_SUPPORTED = 400039, /* "Availability .. does not support term .." */
  CART_ERROR_LEGACY_OFFER_NOT_ELIGIBLE = 500600,
};

/* The CartErrorCode name in snake case ("catalog_item_id_is_not_valid"); NULL if unknown. */
const char *cart_error_code_name(long code);
/* The code for a snake_case or PascalCase name, or a numeric string; -1 if unknown. */
long cart_error_code_parse(const char *text);

typedef struct CartError {
  long error_code;
  /* The code as the wire spelled it when it was a string we do not know; else NULL. */
  char *error_code_text;
  char *error_description;
  KeyValueList additional_information;
} CartError;

typedef struct CartLineItem CartLineItem;

typedef struct CartLineItemList {
  CartLineItem *items;
  size_t count;
} CartLineItemList;

struct CartLineItem {
  OptInt id;           /* client-supplied 0..n; an int on the wire */
  bool id_not_integer; /* "id" was sent but is not an integer (the validator refuses it) */
  Pricing pricing;     /* the service's (server-owned: never in a request body) */
  char *catalog_item_id;
  char *friendly_name;
  OptInt quantity;
  char *currency_code; /* filled by the server */
  BillingCycle billing_cycle;
  char *term_duration; /* "P1M", "P1Y", "P3Y" */
  char *promotion_id;
  char *custom_term_end_date;
  OptBool attestation_accepted;
  KeyValueList participants;         /* [{"key":"transaction_reseller","value":MPN}] */
  KeyValueList provisioning_context; /* {"subscriptionId":..,"scope":..} */
  char *renews_to_term_duration;     /* renewsTo: {"termDuration":..} */
  char *order_group;                 /* filled by the server */
  char *purchase_system;             /* .NET only; kept when present */
  CartLineItemList addon_items;      /* legacy add-ons only */
  CartError *error;                  /* set by the server on an invalid line */
};

typedef enum CartStatus {
  CART_STATUS_UNSET = 0,
  CART_STATUS_ACTIVE,
  CART_STATUS_ORDERED,
  CART_STATUS_UNKNOWN,
} CartStatus;

const char *cart_status_wire(CartStatus status); /* "Active", "Ordered"; NULL for UNSET */
CartStatus cart_status_parse(const char *text);

typedef struct Cart {
  char *id;
  char *creation_timestamp;
  char *last_modified_timestamp;
  char *expiration_timestamp;
  char *last_modified_user;
  CartStatus status;
  OptBool partner_on_record_attestation_accepted;
  CartLineItemList line_items;
  LinkList links;
  char *object_type; /* attributes.objectType, "Cart" from the server */
} Cart;

Cart *cart_new(void);
void cart_free(Cart *cart);
Cart *cart_clone(const Cart *cart);

/* Line items: the list owns them. */
CartLineItem *cart_line_list_append(CartLineItemList *list); /* zeroed; NULL if OOM */
bool cart_line_list_remove(CartLineItemList *list, size_t index);
bool cart_line_item_copy(CartLineItem *dst, const CartLineItem *src);
void cart_line_item_clear(CartLineItem *line);
void cart_line_list_clear(CartLineItemList *list);

CartError *cart_error_new(long code, const char *description);
void cart_error_free(CartError *error);

/* Tolerant readers: names case-insensitive, unknown fields ignored, enums as string
 * or integer. They fail (NULL / false, with a sentence in err) only when the value is
 * not a JSON object of the right kind; missing fields are left unset for the validator. */
Cart *cart_from_json(const cJSON *json, char *err, size_t err_size);
Cart *cart_parse(const char *text, char *err, size_t err_size);
bool cart_line_item_from_json(CartLineItem *line, const cJSON *json, char *err, size_t err_size);
CartError *cart_error_from_json(const cJSON *json);

/* Writers: documented camelCase, documented enum spellings, unset fields omitted. */
cJSON *cart_to_json(const Cart *cart);
cJSON *cart_line_item_to_json(const CartLineItem *line);
cJSON *cart_error_to_json(const CartError *error);

/* The request body a create or update sends: the cart without server-owned fields
 * (id, timestamps, lastModifiedUser, status, links, attributes, line errors,
 * currencyCode, orderGroup). The JSON preview shows exactly this. */
cJSON *cart_to_request_json(const Cart *cart);

/* Pretty-printed (two-space indent, trailing newline) text of any model JSON; the one
 * serializer for request bodies, previews, --json output and draft files. */
char *model_json_print(const cJSON *json);

#endif
