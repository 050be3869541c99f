/* Customers, pages of them with their continuation token, and customer subscriptions:
 * tolerant readers and writers in the documented camelCase shapes. */
#include "model/customer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/catalog.h"

#define CONTINUATION_HEADER "MS-ContinuationToken"

static void set_err(char *err, size_t err_size, const char *message) {
  if (err && err_size > 0) {
    snprintf(err, err_size, "%s", message);
  }
}

/* model_strdup that tells "src was NULL" (fine) from "out of memory" (false). */
static bool copy_string(char **dst, const char *src) {
  *dst = model_strdup(src);
  return *dst != NULL || src == NULL;
}

/* json_dup_string cannot tell an absent member from an out-of-memory copy; this can. */
static bool read_string(const cJSON *object, const char *name, char **out) {
  *out = json_dup_string(object, name);
  return *out != NULL || !cJSON_IsString(json_get(object, name));
}

static cJSON *finish(cJSON *json, bool ok) {
  if (!ok) {
    cJSON_Delete(json);
    return NULL;
  }
  return json;
}

/* ----- Address ----- */

static void address_clear(Address *address) {
  free(address->country);
  free(address->region);
  free(address->city);
  free(address->state);
  free(address->address_line1);
  free(address->postal_code);
  free(address->first_name);
  free(address->last_name);
  free(address->phone_number);
  memset(address, 0, sizeof *address);
}

static bool address_copy(Address *dst, const Address *src) {
  return copy_string(&dst->country, src->country) && copy_string(&dst->region, src->region) &&
         copy_string(&dst->city, src->city) && copy_string(&dst->state, src->state) &&
         copy_string(&dst->address_line1, src->address_line1) &&
         copy_string(&dst->postal_code, src->postal_code) &&
         copy_string(&dst->first_name, src->first_name) &&
         copy_string(&dst->last_name, src->last_name) &&
         copy_string(&dst->phone_number, src->phone_number);
}

static bool address_read(Address *address, const cJSON *json) {
  return read_string(json, "country", &address->country) &&
         read_string(json, "region", &address->region) &&
         read_string(json, "city", &address->city) && read_string(json, "state", &address->state) &&
         read_string(json, "addressLine1", &address->address_line1) &&
         read_string(json, "postalCode", &address->postal_code) &&
         read_string(json, "firstName", &address->first_name) &&
         read_string(json, "lastName", &address->last_name) &&
         read_string(json, "phoneNumber", &address->phone_number);
}

static bool address_is_empty(const Address *a) {
  return !a->country && !a->region && !a->city && !a->state && !a->address_line1 &&
         !a->postal_code && !a->first_name && !a->last_name && !a->phone_number;
}

static bool address_write(cJSON *parent, const Address *address) {
  if (address_is_empty(address)) {
    return true;
  }
  cJSON *json = cJSON_AddObjectToObject(parent, "defaultAddress");
  return json && json_put_string(json, "country", address->country) &&
         json_put_string(json, "region", address->region) &&
         json_put_string(json, "city", address->city) &&
         json_put_string(json, "state", address->state) &&
         json_put_string(json, "addressLine1", address->address_line1) &&
         json_put_string(json, "postalCode", address->postal_code) &&
         json_put_string(json, "firstName", address->first_name) &&
         json_put_string(json, "lastName", address->last_name) &&
         json_put_string(json, "phoneNumber", address->phone_number);
}

/* ----- Customer ----- */

void customer_clear(Customer *customer) {
  if (!customer) {
    return;
  }
  free(customer->id);
  free(customer->commerce_id);
  free(customer->tenant_id);
  free(customer->domain);
  free(customer->company_name);
  free(customer->billing_first_name);
  free(customer->billing_last_name);
  free(customer->billing_email);
  free(customer->billing_culture);
  free(customer->billing_language);
  address_clear(&customer->billing_address);
  free(customer->relationship_to_partner);
  free(customer->associated_partner_id);
  link_list_clear(&customer->links);
  free(customer->object_type);
  memset(customer, 0, sizeof *customer);
}

bool customer_copy(Customer *dst, const Customer *src) {
  if (!dst || !src) {
    return false;
  }
  Customer copy = {.allow_delegated_access = src->allow_delegated_access};
  bool ok =
      copy_string(&copy.id, src->id) && copy_string(&copy.commerce_id, src->commerce_id) &&
      copy_string(&copy.tenant_id, src->tenant_id) && copy_string(&copy.domain, src->domain) &&
      copy_string(&copy.company_name, src->company_name) &&
      copy_string(&copy.billing_first_name, src->billing_first_name) &&
      copy_string(&copy.billing_last_name, src->billing_last_name) &&
      copy_string(&copy.billing_email, src->billing_email) &&
      copy_string(&copy.billing_culture, src->billing_culture) &&
      copy_string(&copy.billing_language, src->billing_language) &&
      address_copy(&copy.billing_address, &src->billing_address) &&
      copy_string(&copy.relationship_to_partner, src->relationship_to_partner) &&
      copy_string(&copy.associated_partner_id, src->associated_partner_id) &&
      link_list_copy(&copy.links, &src->links) && copy_string(&copy.object_type, src->object_type);
  if (!ok) {
    customer_clear(&copy);
    return false;
  }
  customer_clear(dst);
  *dst = copy;
  return true;
}

bool customer_from_json(Customer *customer, const cJSON *json) {
  if (!customer || !cJSON_IsObject(json)) {
    return false;
  }
  Customer read = {0};
  const cJSON *company = json_get(json, "companyProfile");
  const cJSON *billing = json_get(json, "billingProfile");
  bool ok = read_string(json, "id", &read.id) &&
            read_string(json, "commerceId", &read.commerce_id) &&
            read_string(company, "tenantId", &read.tenant_id) &&
            read_string(company, "domain", &read.domain) &&
            read_string(company, "companyName", &read.company_name) &&
            read_string(billing, "firstName", &read.billing_first_name) &&
            read_string(billing, "lastName", &read.billing_last_name) &&
            read_string(billing, "email", &read.billing_email) &&
            read_string(billing, "culture", &read.billing_culture) &&
            read_string(billing, "language", &read.billing_language) &&
            address_read(&read.billing_address, json_get(billing, "defaultAddress")) &&
            read_string(json, "relationshipToPartner", &read.relationship_to_partner) &&
            read_string(json, "associatedPartnerId", &read.associated_partner_id) &&
            read_string(json_get(json, "attributes"), "objectType", &read.object_type);
  /* Both profiles carry the company name; the company profile's is the one shown. */
  if (ok && !read.company_name) {
    ok = read_string(billing, "companyName", &read.company_name);
  }
  if (!ok) {
    customer_clear(&read);
    return false;
  }
  read.allow_delegated_access = json_get_bool(json, "allowDelegatedAccess");
  link_list_read(&read.links, json_get(json, "links"));
  customer_clear(customer);
  *customer = read;
  return true;
}

static bool put_company_profile(cJSON *json, const Customer *customer) {
  if (!customer->tenant_id && !customer->domain && !customer->company_name) {
    return true;
  }
  cJSON *profile = cJSON_AddObjectToObject(json, "companyProfile");
  return profile && json_put_string(profile, "tenantId", customer->tenant_id) &&
         json_put_string(profile, "domain", customer->domain) &&
         json_put_string(profile, "companyName", customer->company_name) &&
         json_put_object_type(profile, "CustomerCompanyProfile");
}

static bool put_billing_profile(cJSON *json, const Customer *customer) {
  if (!customer->billing_first_name && !customer->billing_last_name && !customer->billing_email &&
      !customer->billing_culture && !customer->billing_language &&
      address_is_empty(&customer->billing_address)) {
    return true;
  }
  cJSON *profile = cJSON_AddObjectToObject(json, "billingProfile");
  return profile && json_put_string(profile, "firstName", customer->billing_first_name) &&
         json_put_string(profile, "lastName", customer->billing_last_name) &&
         json_put_string(profile, "email", customer->billing_email) &&
         json_put_string(profile, "culture", customer->billing_culture) &&
         json_put_string(profile, "language", customer->billing_language) &&
         json_put_string(profile, "companyName", customer->company_name) &&
         address_write(profile, &customer->billing_address) &&
         json_put_object_type(profile, "CustomerBillingProfile");
}

cJSON *customer_to_json(const Customer *customer) {
  if (!customer) {
    return NULL;
  }
  cJSON *json = cJSON_CreateObject();
  if (!json) {
    return NULL;
  }
  bool ok = json_put_string(json, "id", customer->id) &&
            json_put_string(json, "commerceId", customer->commerce_id) &&
            put_company_profile(json, customer) && put_billing_profile(json, customer) &&
            json_put_string(json, "relationshipToPartner", customer->relationship_to_partner) &&
            json_put_bool(json, "allowDelegatedAccess", customer->allow_delegated_access) &&
            json_put_string(json, "associatedPartnerId", customer->associated_partner_id) &&
            link_list_write(&customer->links, json) &&
            json_put_object_type(json, customer->object_type ? customer->object_type : "Customer");
  return finish(json, ok);
}

/* ----- CustomerPage ----- */

CustomerPage *customer_page_new(void) {
  return calloc(1, sizeof(CustomerPage));
}

void customer_page_free(CustomerPage *page) {
  if (!page) {
    return;
  }
  for (size_t i = 0; i < page->count; i++) {
    customer_clear(&page->items[i]);
  }
  free(page->items);
  free(page->continuation_token);
  link_list_clear(&page->links);
  free(page);
}

Customer *customer_page_add(CustomerPage *page) {
  if (!page) {
    return NULL;
  }
  Customer *items = realloc(page->items, (page->count + 1) * sizeof *items);
  if (!items) {
    return NULL;
  }
  page->items = items;
  Customer *added = &page->items[page->count++];
  memset(added, 0, sizeof *added);
  return added;
}

CustomerPage *customer_page_from_json(const cJSON *json, char *err, size_t err_size) {
  if (!cJSON_IsObject(json)) {
    set_err(err, err_size, "The customer list is not a JSON object.");
    return NULL;
  }
  const cJSON *items = json_get(json, "items");
  if (!cJSON_IsArray(items)) {
    set_err(err, err_size, "The customer list has no items array.");
    return NULL;
  }
  CustomerPage *page = customer_page_new();
  if (!page) {
    set_err(err, err_size, "Out of memory while reading the customer list.");
    return NULL;
  }
  bool ok = true;
  const cJSON *item = NULL;
  cJSON_ArrayForEach(item, items) {
    /* Something that is not an object cannot be a customer; skip it rather than lose the page. */
    if (!cJSON_IsObject(item)) {
      continue;
    }
    Customer *customer = customer_page_add(page);
    if (!customer || !customer_from_json(customer, item)) {
      ok = false;
      break;
    }
  }
  page->total_count = json_get_int(json, "totalCount");
  link_list_read(&page->links, json_get(json, "links"));
  const Link *next = link_list_get(&page->links, "next");
  const char *token = next ? kv_list_get(&next->headers, CONTINUATION_HEADER) : NULL;
  if (ok && token && *token) {
    ok = copy_string(&page->continuation_token, token);
  }
  if (!ok) {
    customer_page_free(page);
    set_err(err, err_size, "Out of memory while reading the customer list.");
    return NULL;
  }
  return page;
}

/* The links to write: the page's own, with the continuation token carried by links.next
 * even when the caller only set continuation_token (then next gets the documented uri). */
static bool page_links(const CustomerPage *page, LinkList *links) {
  if (!link_list_copy(links, &page->links)) {
    return false;
  }
  if (!page->continuation_token) {
    return true;
  }
  Link *next = link_list_get_mut(links, "next");
  if (!next) {
    char uri[96];
    snprintf(uri, sizeof uri, "/customers?size=%zu&seekOperation=Next", page->count);
    if (!link_list_add(links, "next", uri, "GET")) {
      return false;
    }
    next = &links->items[links->count - 1];
  }
  return kv_list_set(&next->headers, CONTINUATION_HEADER, page->continuation_token);
}

cJSON *customer_page_to_json(const CustomerPage *page) {
  if (!page) {
    return NULL;
  }
  cJSON *items = cJSON_CreateArray();
  bool ok = items != NULL;
  for (size_t i = 0; ok && i < page->count; i++) {
    cJSON *customer = customer_to_json(&page->items[i]);
    ok = customer != NULL && cJSON_AddItemToArray(items, customer);
  }
  LinkList links = {0};
  ok = ok && page_links(page, &links);
  if (!ok) {
    cJSON_Delete(items);
    link_list_clear(&links);
    return NULL;
  }
  cJSON *json = json_collection_take(items, &links);
  link_list_clear(&links);
  if (json && page->total_count.set) {
    cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(json, "totalCount"),
                         (double)page->total_count.value);
  }
  return json;
}

/* ----- Subscription ----- */

void subscription_clear(Subscription *sub) {
  if (!sub) {
    return;
  }
  free(sub->id);
  free(sub->entitlement_id);
  free(sub->offer_id);
  free(sub->offer_name);
  free(sub->friendly_name);
  free(sub->unit_type);
  free(sub->status);
  free(sub->term_duration);
  free(sub->creation_date);
  free(sub->order_id);
  free(sub->partner_id);
  free(sub->product_type_id);
  free(sub->product_type_display_name);
  free(sub->effective_start_date);
  free(sub->commitment_end_date);
  free(sub->commitment_end_date_time);
  free(sub->promotion_id);
  free(sub->billing_type);
  free(sub->renewal_term_duration);
  free(sub->contract_type);
  free(sub->publisher_name);
  free(sub->parent_subscription_id);
  link_list_clear(&sub->links);
  free(sub->object_type);
  memset(sub, 0, sizeof *sub);
}

bool subscription_copy(Subscription *dst, const Subscription *src) {
  if (!dst || !src) {
    return false;
  }
  Subscription copy = {.quantity = src->quantity,
                       .billing_cycle = src->billing_cycle,
                       .is_trial = src->is_trial,
                       .auto_renew_enabled = src->auto_renew_enabled,
                       .has_purchasable_addons = src->has_purchasable_addons,
                       .is_microsoft_product = src->is_microsoft_product};
  bool ok =
      copy_string(&copy.id, src->id) && copy_string(&copy.entitlement_id, src->entitlement_id) &&
      copy_string(&copy.offer_id, src->offer_id) &&
      copy_string(&copy.offer_name, src->offer_name) &&
      copy_string(&copy.friendly_name, src->friendly_name) &&
      copy_string(&copy.unit_type, src->unit_type) && copy_string(&copy.status, src->status) &&
      copy_string(&copy.term_duration, src->term_duration) &&
      copy_string(&copy.creation_date, src->creation_date) &&
      copy_string(&copy.order_id, src->order_id) &&
      copy_string(&copy.partner_id, src->partner_id) &&
      copy_string(&copy.product_type_id, src->product_type_id) &&
      copy_string(&copy.product_type_display_name, src->product_type_display_name) &&
      copy_string(&copy.effective_start_date, src->effective_start_date) &&
      copy_string(&copy.commitment_end_date, src->commitment_end_date) &&
      copy_string(&copy.commitment_end_date_time, src->commitment_end_date_time) &&
      copy_string(&copy.promotion_id, src->promotion_id) &&
      copy_string(&copy.billing_type, src->billing_type) &&
      copy_string(&copy.renewal_term_duration, src->renewal_term_duration) &&
      copy_string(&copy.contract_type, src->contract_type) &&
      copy_string(&copy.publisher_name, src->publisher_name) &&
      copy_string(&copy.parent_subscription_id, src->parent_subscription_id) &&
      link_list_copy(&copy.links, &src->links) && copy_string(&copy.object_type, src->object_type);
  if (!ok) {
    subscription_clear(&copy);
    return false;
  }
  subscription_clear(dst);
  *dst = copy;
  return true;
}

bool subscription_from_json(Subscription *sub, const cJSON *json) {
  if (!sub || !cJSON_IsObject(json)) {
    return false;
  }
  Subscription read = {0};
  bool ok =
      read_string(json, "id", &read.id) &&
      read_string(json, "entitlementId", &read.entitlement_id) &&
      read_string(json, "offerId", &read.offer_id) &&
      read_string(json, "offerName", &read.offer_name) &&
      read_string(json, "friendlyName", &read.friendly_name) &&
      read_string(json, "unitType", &read.unit_type) && read_string(json, "status", &read.status) &&
      read_string(json, "termDuration", &read.term_duration) &&
      read_string(json, "creationDate", &read.creation_date) &&
      read_string(json, "orderId", &read.order_id) &&
      read_string(json, "partnerId", &read.partner_id) &&
      read_string(json_get(json, "productType"), "id", &read.product_type_id) &&
      read_string(json_get(json, "productType"), "displayName", &read.product_type_display_name) &&
      read_string(json, "effectiveStartDate", &read.effective_start_date) &&
      read_string(json, "commitmentEndDate", &read.commitment_end_date) &&
      read_string(json, "commitmentEndDateTime", &read.commitment_end_date_time) &&
      read_string(json, "promotionId", &read.promotion_id) &&
      read_string(json, "billingType", &read.billing_type) &&
      read_string(json, "renewalTermDuration", &read.renewal_term_duration) &&
      read_string(json, "contractType", &read.contract_type) &&
      read_string(json, "publisherName", &read.publisher_name) &&
      read_string(json, "parentSubscriptionId", &read.parent_subscription_id) &&
      read_string(json_get(json, "attributes"), "objectType", &read.object_type);
  if (!ok) {
    subscription_clear(&read);
    return false;
  }
  read.quantity = json_get_int(json, "quantity");
  read.billing_cycle = billing_cycle_from_json(json_get(json, "billingCycle"));
  read.is_trial = json_get_bool(json, "isTrial");
  read.auto_renew_enabled = json_get_bool(json, "autoRenewEnabled");
  read.has_purchasable_addons = json_get_bool(json, "hasPurchasableAddons");
  read.is_microsoft_product = json_get_bool(json, "isMicrosoftProduct");
  link_list_read(&read.links, json_get(json, "links"));
  subscription_clear(sub);
  *sub = read;
  return true;
}

/* "productType":{"id":..,"displayName":..} when either is known. */
static bool put_product_type(cJSON *json, const Subscription *sub) {
  if (!sub->product_type_id && !sub->product_type_display_name) {
    return true;
  }
  cJSON *type = cJSON_CreateObject();
  if (!type || !json_put_string(type, "id", sub->product_type_id) ||
      !json_put_string(type, "displayName", sub->product_type_display_name) ||
      !cJSON_AddItemToObject(json, "productType", type)) {
    cJSON_Delete(type);
    return false;
  }
  return true;
}

cJSON *subscription_to_json(const Subscription *sub) {
  if (!sub) {
    return NULL;
  }
  cJSON *json = cJSON_CreateObject();
  if (!json) {
    return NULL;
  }
  bool ok = json_put_string(json, "id", sub->id) &&
            json_put_string(json, "entitlementId", sub->entitlement_id) &&
            json_put_string(json, "offerId", sub->offer_id) &&
            json_put_string(json, "offerName", sub->offer_name) &&
            json_put_string(json, "friendlyName", sub->friendly_name) &&
            json_put_int(json, "quantity", sub->quantity) &&
            json_put_string(json, "unitType", sub->unit_type) &&
            json_put_string(json, "status", sub->status) &&
            json_put_string(json, "billingCycle", billing_cycle_wire(sub->billing_cycle)) &&
            json_put_string(json, "termDuration", sub->term_duration) &&
            json_put_string(json, "creationDate", sub->creation_date) &&
            json_put_string(json, "orderId", sub->order_id) &&
            json_put_bool(json, "isTrial", sub->is_trial) &&
            json_put_string(json, "partnerId", sub->partner_id) && put_product_type(json, sub) &&
            json_put_string(json, "effectiveStartDate", sub->effective_start_date) &&
            json_put_string(json, "commitmentEndDate", sub->commitment_end_date) &&
            json_put_string(json, "commitmentEndDateTime", sub->commitment_end_date_time) &&
            json_put_bool(json, "autoRenewEnabled", sub->auto_renew_enabled) &&
            json_put_string(json, "promotionId", sub->promotion_id) &&
            json_put_string(json, "billingType", sub->billing_type) &&
            json_put_string(json, "renewalTermDuration", sub->renewal_term_duration) &&
            json_put_string(json, "contractType", sub->contract_type) &&
            json_put_string(json, "publisherName", sub->publisher_name) &&
            json_put_string(json, "parentSubscriptionId", sub->parent_subscription_id) &&
            json_put_bool(json, "hasPurchasableAddons", sub->has_purchasable_addons) &&
            json_put_bool(json, "isMicrosoftProduct", sub->is_microsoft_product) &&
            link_list_write(&sub->links, json) &&
            json_put_object_type(json, sub->object_type ? sub->object_type : "Subscription");
  return finish(json, ok);
}

Subscription *subscription_list_add(SubscriptionList *list) {
  if (!list) {
    return NULL;
  }
  Subscription *items = realloc(list->items, (list->count + 1) * sizeof *items);
  if (!items) {
    return NULL;
  }
  list->items = items;
  Subscription *added = &list->items[list->count++];
  memset(added, 0, sizeof *added);
  return added;
}

void subscription_list_clear(SubscriptionList *list) {
  if (!list) {
    return;
  }
  for (size_t i = 0; i < list->count; i++) {
    subscription_clear(&list->items[i]);
  }
  free(list->items);
  list->items = NULL;
  list->count = 0;
}

/* Accepts the Collection the service sends and, tolerantly, a bare array of subscriptions. */
bool subscription_list_from_json(SubscriptionList *list, const cJSON *json, char *err,
                                 size_t err_size) {
  if (!list) {
    set_err(err, err_size, "No subscription list to fill.");
    return false;
  }
  subscription_list_clear(list);
  const cJSON *items = cJSON_IsArray(json) ? json : json_get(json, "items");
  if (!cJSON_IsArray(items)) {
    set_err(err, err_size, "The subscription list is not a collection with an items array.");
    return false;
  }
  const cJSON *item = NULL;
  cJSON_ArrayForEach(item, items) {
    if (!cJSON_IsObject(item)) {
      continue;
    }
    Subscription *sub = subscription_list_add(list);
    if (!sub || !subscription_from_json(sub, item)) {
      subscription_list_clear(list);
      set_err(err, err_size, "Out of memory while reading the subscription list.");
      return false;
    }
  }
  return true;
}

cJSON *subscription_list_to_json(const SubscriptionList *list) {
  if (!list) {
    return NULL;
  }
  cJSON *items = cJSON_CreateArray();
  bool ok = items != NULL;
  for (size_t i = 0; ok && i < list->count; i++) {
    cJSON *sub = subscription_to_json(&list->items[i]);
    ok = sub != NULL && cJSON_AddItemToArray(items, sub);
  }
  if (!ok) {
    cJSON_Delete(items);
    return NULL;
  }
  return json_collection_take(items, NULL);
}
