/* Customers the partner sells to, a page of them with its continuation, and a
 * customer's Azure subscriptions (what a reservation's subscriptionId refers to). */
#ifndef PCCART_MODEL_CUSTOMER_H
#define PCCART_MODEL_CUSTOMER_H

#include "model/common.h"

typedef struct Address {
  char *country;
  char *region;
  char *city;
  char *state;
  char *address_line1;
  char *postal_code;
  char *first_name;
  char *last_name;
  char *phone_number;
} Address;

typedef struct Customer {
  char *id; /* the customer's tenant id (GUID) */
  char *commerce_id;
  /* companyProfile */
  char *tenant_id;
  char *domain;
  char *company_name;
  /* billingProfile */
  char *billing_first_name;
  char *billing_last_name;
  char *billing_email;
  char *billing_culture;
  char *billing_language;
  Address billing_address;
  char *relationship_to_partner; /* "reseller", "advisor", ... */
  OptBool allow_delegated_access;
  char *associated_partner_id;
  LinkList links;
  char *object_type; /* "Customer" */
} Customer;

/* One page of GET /v1/customers: the items, the total and how to get the next page.
 * continuation_token is the MS-ContinuationToken header of links.next (NULL on the last page). */
typedef struct CustomerPage {
  Customer *items;
  size_t count;
  OptInt total_count;
  char *continuation_token;
  LinkList links;
} CustomerPage;

/* A customer's subscription (GET /v1/customers/{id}/subscriptions). For the legacy
 * Azure offer MS-AZR-0145P the id is the Azure subscription id. */
typedef struct Subscription {
  char *id;
  char *entitlement_id;
  char *offer_id;
  char *offer_name;
  char *friendly_name;
  OptInt quantity;
  char *unit_type;
  char *status; /* "active", "suspended", "deleted" */
  BillingCycle billing_cycle;
  char *term_duration;
  char *creation_date;
  char *order_id;
  OptBool is_trial;
  char *partner_id;
  /* New commerce (subscription-resources.md): */
  char *product_type_id; /* productType.id: "OnlineServicesNCE", "Azure", ... */
  char *product_type_display_name;
  char *effective_start_date;
  char *commitment_end_date;      /* the end of the term: what co-terming aligns to */
  char *commitment_end_date_time; /* the same, as a time */
  OptBool auto_renew_enabled;
  char *promotion_id;
  char *billing_type;          /* "license", "usage" */
  char *renewal_term_duration; /* "" when it renews to the same term */
  char *contract_type;         /* "subscription" */
  char *publisher_name;
  char *parent_subscription_id; /* an add-on's base subscription */
  OptBool has_purchasable_addons;
  OptBool is_microsoft_product;
  LinkList links;
  char *object_type; /* "Subscription" */
} Subscription;

typedef struct SubscriptionList {
  Subscription *items;
  size_t count;
} SubscriptionList;

void customer_clear(Customer *customer);
bool customer_copy(Customer *dst, const Customer *src);
bool customer_from_json(Customer *customer, const cJSON *json);
cJSON *customer_to_json(const Customer *customer);

CustomerPage *customer_page_new(void);
void customer_page_free(CustomerPage *page);
Customer *customer_page_add(CustomerPage *page); /* zeroed; NULL if OOM */
/* Reads a Collection; err gets a sentence when json is not one. */
CustomerPage *customer_page_from_json(const cJSON *json, char *err, size_t err_size);
cJSON *customer_page_to_json(const CustomerPage *page);

void subscription_clear(Subscription *sub);
bool subscription_copy(Subscription *dst, const Subscription *src);
bool subscription_from_json(Subscription *sub, const cJSON *json);
cJSON *subscription_to_json(const Subscription *sub);
Subscription *subscription_list_add(SubscriptionList *list);
void subscription_list_clear(SubscriptionList *list);
bool subscription_list_from_json(SubscriptionList *list, const cJSON *json, char *err,
                                 size_t err_size);
cJSON *subscription_list_to_json(const SubscriptionList *list);

#endif
