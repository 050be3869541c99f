/* One function per Partner Center operation: build the path (every id percent-encoded, as
 * ids come from users), send through pc_call, read the reply with the model's readers. A
 * reply the readers cannot use is PC_ERROR_BAD_REPLY saying what was wrong. Outputs are set
 * only on success. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pc/internal.h"

/* ----- paths ----- */

typedef struct Path {
  char *text;
  size_t length;
  bool ok;
  bool has_query;
} Path;

static void path_add(Path *p, const char *literal) {
  if (!p->ok)
    return;
  size_t n = strlen(literal);
  char *grown = realloc(p->text, p->length + n + 1);
  if (!grown) {
    p->ok = false;
    return;
  }
  memcpy(grown + p->length, literal, n + 1);
  p->text = grown;
  p->length += n;
}

static void path_segment(Path *p, const char *segment) {
  char *encoded = p->ok ? pc_url_encode(segment) : NULL;
  if (!encoded) {
    p->ok = false;
    return;
  }
  path_add(p, "/");
  path_add(p, encoded);
  free(encoded);
}

/* Adds name=value (value encoded) to the query; NULL or empty value adds nothing. */
static void path_query(Path *p, const char *name, const char *value) {
  if (!value || !value[0])
    return;
  char *encoded = p->ok ? pc_url_encode(value) : NULL;
  if (!encoded) {
    p->ok = false;
    return;
  }
  path_add(p, p->has_query ? "&" : "?");
  path_add(p, name);
  path_add(p, "=");
  path_add(p, encoded);
  p->has_query = true;
  free(encoded);
}

static Path path_start(void) {
  return (Path){.ok = true};
}

/* ----- checks and errors ----- */

static bool check_id(const char *value, const char *what, PcError *error) {
  if (!value || !value[0]) {
    pc_error_set(error, PC_ERROR_INVALID, "No %s was given.", what);
    return false;
  }
  for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
    if (*p < 0x20 || *p == 0x7f) {
      pc_error_set(error, PC_ERROR_INVALID, "The %s contains a control character.", what);
      return false;
    }
  }
  if (strlen(value) > 1024) {
    pc_error_set(error, PC_ERROR_INVALID, "The %s is longer than 1024 characters.", what);
    return false;
  }
  return true;
}

static bool check_client(PcClient *c, PcError *error) {
  if (!c)
    pc_error_set(error, PC_ERROR_INVALID, "No Partner Center client was given.");
  return c != NULL;
}

static bool no_memory(PcError *error) {
  pc_error_set(error, PC_ERROR_NO_MEMORY, "Out of memory.");
  return false;
}

/* A 2xx whose body the readers cannot use. */
static bool bad_reply(PcError *error, const PcReply *reply, const PcCallInfo *info,
                      const char *format, ...) __attribute__((format(printf, 4, 5)));

static bool bad_reply(PcError *error, const PcReply *reply, const PcCallInfo *info,
                      const char *format, ...) {
  pc_error_clear(error);
  error->kind = PC_ERROR_BAD_REPLY;
  error->http_status = reply->status;
  snprintf(error->request_id, sizeof error->request_id, "%s", info->request_id);
  snprintf(error->correlation_id, sizeof error->correlation_id, "%s", info->correlation_id);
  va_list args;
  va_start(args, format);
  vsnprintf(error->message, sizeof error->message, format, args);
  va_end(args);
  return false;
}

/* The reply as JSON, or NULL with a BAD_REPLY naming `what`. */
static cJSON *reply_json(const PcReply *reply, const PcCallInfo *info, const char *what,
                         PcError *error) {
  cJSON *json = reply->body ? cJSON_ParseWithLength(reply->body, reply->length) : NULL;
  if (!json)
    bad_reply(error, reply, info, "Partner Center's reply to %s is %s.", what,
              reply->body ? "not valid JSON" : "empty");
  return json;
}

static const cJSON *reply_items(const cJSON *json, const PcReply *reply, const PcCallInfo *info,
                                const char *what, PcError *error) {
  const cJSON *items = cJSON_IsObject(json) ? json_get(json, "items") : NULL;
  if (!cJSON_IsArray(items))
    bad_reply(error, reply, info, "Partner Center's reply to %s is not a collection with items.",
              what);
  return cJSON_IsArray(items) ? items : NULL;
}

/* ----- customers ----- */

static bool customers_filter(PcCustomerField field, const char *prefix, char **out,
                             PcError *error) {
  const char *name = field == PC_CUSTOMER_BY_COMPANY_NAME ? "CompanyName"
                     : field == PC_CUSTOMER_BY_DOMAIN     ? "Domain"
                                                          : NULL;
  if (!name) {
    pc_error_set(error, PC_ERROR_INVALID,
                 "The customer search field is not company name or domain.");
    return false;
  }
  if (!prefix || !prefix[0]) {
    pc_error_set(error, PC_ERROR_INVALID, "A customer search needs the first letters of the %s.",
                 field == PC_CUSTOMER_BY_DOMAIN ? "domain" : "company name");
    return false;
  }
  if (!check_id(prefix, "search text", error))
    return false;
  /* The filter is JSON; cJSON writes it, so a quote in the prefix cannot break it. */
  cJSON *filter = cJSON_CreateObject();
  bool ok = filter && json_put_string(filter, "Field", name) &&
            json_put_string(filter, "Value", prefix) &&
            json_put_string(filter, "Operator", "starts_with");
  *out = ok ? cJSON_PrintUnformatted(filter) : NULL;
  cJSON_Delete(filter);
  return *out ? true : no_memory(error);
}

bool pc_customers_list(PcClient *client, const PcCustomerQuery *query, CustomerPage **out,
                       PcCallInfo *info, PcError *error) {
  if (!check_client(client, error))
    return false;
  PcCustomerQuery q = query ? *query : (PcCustomerQuery){0};
  long size = q.size ? q.size : 100;
  if (size < 1 || size > 500) {
    pc_error_set(error, PC_ERROR_INVALID, "The page size must be from 1 to 500 (it is %ld).",
                 q.size);
    return false;
  }
  char size_text[24];
  snprintf(size_text, sizeof size_text, "%ld", size);
  Path path = path_start();
  path_add(&path, "/v1/customers");
  path_query(&path, "size", size_text);
  char *header = NULL;
  char *filter = NULL;
  if (q.continuation_token && q.continuation_token[0]) {
    /* The token carries the whole query (the filter too); links.next is just this. */
    if (!check_id(q.continuation_token, "continuation token", error)) {
      free(path.text);
      return false;
    }
    path_query(&path, "seekOperation", "Next");
    size_t n = strlen(q.continuation_token) + 32;
    header = malloc(n);
    if (header)
      snprintf(header, n, "MS-ContinuationToken: %s", q.continuation_token);
    else
      path.ok = false;
  } else if (q.field != PC_CUSTOMER_ALL) {
    if (!customers_filter(q.field, q.prefix, &filter, error)) {
      free(path.text);
      return false;
    }
    path_query(&path, "filter", filter);
  }
  free(filter);
  if (!path.ok) {
    free(path.text);
    free(header);
    return no_memory(error);
  }
  const char *headers[] = {header, NULL};
  PcRequest request = {.method = "GET", .path = path.text, .headers = header ? headers : NULL};
  PcCallInfo local = {0};
  PcCallInfo *ci = info ? info : &local;
  PcReply reply = {0};
  bool ok = pc_call(client, &request, &reply, ci, error);
  free(path.text);
  free(header);
  cJSON *json = ok ? reply_json(&reply, ci, "the customer list", error) : NULL;
  if (json) {
    char why[256] = "";
    CustomerPage *page = customer_page_from_json(json, why, sizeof why);
    if (page)
      *out = page;
    else
      ok =
          bad_reply(error, &reply, ci, "Partner Center's customer list could not be read: %s", why);
  } else {
    ok = false;
  }
  cJSON_Delete(json);
  pc_reply_clear(&reply);
  pc_call_info_clear(&local);
  return ok;
}

bool pc_customer_get(PcClient *client, const char *customer_id, Customer *out, PcCallInfo *info,
                     PcError *error) {
  if (!check_client(client, error) || !check_id(customer_id, "customer id", error))
    return false;
  Path path = path_start();
  path_add(&path, "/v1/customers");
  path_segment(&path, customer_id);
  if (!path.ok) {
    free(path.text);
    return no_memory(error);
  }
  char not_found[160];
  snprintf(not_found, sizeof not_found, "Partner Center does not know customer %.64s.",
           customer_id);
  PcRequest request = {.method = "GET", .path = path.text, .not_found = not_found};
  PcCallInfo local = {0};
  PcCallInfo *ci = info ? info : &local;
  PcReply reply = {0};
  bool ok = pc_call(client, &request, &reply, ci, error);
  free(path.text);
  cJSON *json = ok ? reply_json(&reply, ci, "the customer request", error) : NULL;
  ok = json != NULL;
  if (ok) {
    Customer read = {0};
    if (!customer_from_json(&read, json))
      ok = cJSON_IsObject(json) ? no_memory(error)
                                : bad_reply(error, &reply, ci,
                                            "Partner Center's customer reply is "
                                            "not a JSON object.");
    else if (!read.id || !read.id[0]) {
      customer_clear(&read);
      ok = bad_reply(error, &reply, ci, "Partner Center's customer reply has no id.");
    } else
      *out = read;
  }
  cJSON_Delete(json);
  pc_reply_clear(&reply);
  pc_call_info_clear(&local);
  return ok;
}

bool pc_subscriptions_list(PcClient *client, const char *customer_id, SubscriptionList *out,
                           PcCallInfo *info, PcError *error) {
  if (!check_client(client, error) || !check_id(customer_id, "customer id", error))
    return false;
  Path path = path_start();
  path_add(&path, "/v1/customers");
  path_segment(&path, customer_id);
  path_add(&path, "/subscriptions");
  if (!path.ok) {
    free(path.text);
    return no_memory(error);
  }
  char not_found[160];
  snprintf(not_found, sizeof not_found, "Partner Center does not know customer %.64s.",
           customer_id);
  PcRequest request = {.method = "GET", .path = path.text, .not_found = not_found};
  PcCallInfo local = {0};
  PcCallInfo *ci = info ? info : &local;
  PcReply reply = {0};
  bool ok = pc_call(client, &request, &reply, ci, error);
  free(path.text);
  cJSON *json = ok ? reply_json(&reply, ci, "the subscriptions request", error) : NULL;
  ok = json != NULL;
  if (ok) {
    SubscriptionList read = {0};
    char why[256] = "";
    if (subscription_list_from_json(&read, json, why, sizeof why))
      *out = read;
    else
      ok = bad_reply(error, &reply, ci, "Partner Center's subscription list could not be read: %s",
                     why);
  }
  cJSON_Delete(json);
  pc_reply_clear(&reply);
  pc_call_info_clear(&local);
  return ok;
}

/* ----- catalog ----- */

typedef enum ItemKind {
  ITEM_PRODUCT,
  ITEM_SKU,
  ITEM_AVAILABILITY,
  ITEM_OFFER,
  ITEM_PROMOTION
} ItemKind;

static const char *item_name(ItemKind kind) {
  static const char *const names[] = {"product", "SKU", "availability", "offer", "promotion"};
  return names[kind];
}

/* The ids a reply's items must belong to (from the request); NULL members are not checked. */
typedef struct ItemScope {
  const char *product_id;
  const char *sku_id;
} ItemScope;

/* Reads one item into `into` (a private catalog, so a bad reply leaves the caller's
 * untouched). Missing parent ids are taken from the request. False with a sentence in why. */
static bool read_item(Catalog *into, ItemKind kind, const cJSON *item, const ItemScope *scope,
                      char *why, size_t why_size) {
  if (!cJSON_IsObject(item)) {
    snprintf(why, why_size, "a %s in it is not a JSON object", item_name(kind));
    return false;
  }
  bool ok = true;
  switch (kind) {
  case ITEM_PRODUCT: {
    Product p = {0};
    ok = product_from_json(&p, item) && p.id && p.id[0];
    if (ok && !catalog_find_product(into, p.id))
      ok = catalog_add_product(into, &p) != NULL;
    product_clear(&p);
    break;
  }
  case ITEM_SKU: {
    Sku s = {0};
    ok = sku_from_json(&s, item) && s.id && s.id[0];
    if (ok && !s.product_id && scope->product_id)
      ok = (s.product_id = strdup(scope->product_id)) != NULL;
    if (ok && !catalog_find_sku(into, s.product_id, s.id))
      ok = catalog_add_sku(into, &s) != NULL;
    sku_clear(&s);
    break;
  }
  case ITEM_AVAILABILITY: {
    Availability a = {0};
    ok = availability_from_json(&a, item) && a.id && a.id[0];
    if (ok && !a.product_id && scope->product_id)
      ok = (a.product_id = strdup(scope->product_id)) != NULL;
    if (ok && !a.sku_id && scope->sku_id)
      ok = (a.sku_id = strdup(scope->sku_id)) != NULL;
    if (ok && !a.catalog_item_id && a.product_id && a.sku_id) {
      size_t n = strlen(a.product_id) + strlen(a.sku_id) + strlen(a.id) + 3;
      ok = (a.catalog_item_id = malloc(n)) != NULL;
      if (ok)
        snprintf(a.catalog_item_id, n, "%s:%s:%s", a.product_id, a.sku_id, a.id);
    }
    if (ok && !catalog_find_availability(into, a.product_id, a.sku_id, a.id))
      ok = catalog_add_availability(into, &a) != NULL;
    availability_clear(&a);
    break;
  }
  case ITEM_OFFER: {
    Offer o = {0};
    ok = offer_from_json(&o, item) && o.id && o.id[0];
    if (ok && !catalog_find_offer(into, o.id))
      ok = catalog_add_offer(into, &o) != NULL;
    offer_clear(&o);
    break;
  }
  case ITEM_PROMOTION: {
    Promotion p = {0};
    ok = promotion_from_json(&p, item) && p.id && p.id[0];
    if (ok && !catalog_find_promotion(into, p.id))
      ok = catalog_add_promotion(into, &p) != NULL;
    promotion_clear(&p);
    break;
  }
  }
  if (!ok)
    snprintf(why, why_size, "a %s in it has no id", item_name(kind));
  return ok;
}

/* Adds what src holds and dst lacks; false when out of memory. */
static bool catalog_merge(Catalog *dst, const Catalog *src) {
  bool ok = true;
  for (size_t i = 0; ok && i < src->product_count; i++)
    if (!catalog_find_product(dst, src->products[i].id))
      ok = catalog_add_product(dst, &src->products[i]) != NULL;
  for (size_t i = 0; ok && i < src->sku_count; i++)
    if (!catalog_find_sku(dst, src->skus[i].product_id, src->skus[i].id))
      ok = catalog_add_sku(dst, &src->skus[i]) != NULL;
  for (size_t i = 0; ok && i < src->availability_count; i++) {
    const Availability *a = &src->availabilities[i];
    if (!catalog_find_availability(dst, a->product_id, a->sku_id, a->id))
      ok = catalog_add_availability(dst, a) != NULL;
  }
  for (size_t i = 0; ok && i < src->offer_count; i++)
    if (!catalog_find_offer(dst, src->offers[i].id))
      ok = catalog_add_offer(dst, &src->offers[i]) != NULL;
  for (size_t i = 0; ok && i < src->promotion_count; i++)
    if (!catalog_find_promotion(dst, src->promotions[i].id))
      ok = catalog_add_promotion(dst, &src->promotions[i]) != NULL;
  return ok;
}

/* GET path; the reply is a collection (`collection`) or one item, added to into. */
static bool catalog_read(PcClient *client, const Path *path, ItemKind kind, bool collection,
                         const ItemScope *scope, const char *what, const char *not_found,
                         Catalog *into, PcCallInfo *info, PcError *error) {
  if (!path->ok) {
    free(path->text);
    return no_memory(error);
  }
  if (!into) {
    free(path->text);
    pc_error_set(error, PC_ERROR_INVALID, "No catalog was given to fill.");
    return false;
  }
  PcRequest request = {.method = "GET", .path = path->text, .not_found = not_found};
  PcCallInfo local = {0};
  PcCallInfo *ci = info ? info : &local;
  PcReply reply = {0};
  bool ok = pc_call(client, &request, &reply, ci, error);
  free(path->text);
  cJSON *json = ok ? reply_json(&reply, ci, what, error) : NULL;
  const cJSON *items = json && collection ? reply_items(json, &reply, ci, what, error) : NULL;
  ok = json && (!collection || items);
  Catalog *read = ok ? catalog_new() : NULL;
  if (ok && !read)
    ok = no_memory(error);
  char why[128] = "";
  if (ok && collection) {
    const cJSON *item;
    cJSON_ArrayForEach(item, items) {
      if (!(ok = read_item(read, kind, item, scope, why, sizeof why)))
        break;
    }
  } else if (ok) {
    ok = read_item(read, kind, json, scope, why, sizeof why);
  }
  if (read && !ok && why[0])
    bad_reply(error, &reply, ci, "Partner Center's reply to %s is not usable: %s.", what, why);
  if (ok && !catalog_merge(into, read))
    ok = no_memory(error);
  catalog_free(read);
  cJSON_Delete(json);
  pc_reply_clear(&reply);
  pc_call_info_clear(&local);
  return ok;
}

/* "/v1" or "/v1/customers/{id}", then "/products". */
static Path catalog_path(const char *customer_id) {
  Path path = path_start();
  path_add(&path, "/v1");
  if (customer_id) {
    path_add(&path, "/customers");
    path_segment(&path, customer_id);
  }
  path_add(&path, "/products");
  return path;
}

/* The global catalog is per country; a customer's is in the customer's country. */
static void catalog_country(PcClient *client, Path *path, const char *customer_id) {
  if (!customer_id)
    path_query(path, "country", client->country);
}

static bool check_scope(PcClient *client, const char *customer_id, PcError *error) {
  return check_client(client, error) &&
         (!customer_id || check_id(customer_id, "customer id", error));
}

bool pc_products_list(PcClient *client, const char *customer_id, const char *target_view,
                      const char *target_segment, Catalog *into, PcCallInfo *info, PcError *error) {
  if (!check_scope(client, customer_id, error) ||
      (target_view && !check_id(target_view, "target view", error)) ||
      (target_segment && !check_id(target_segment, "target segment", error)))
    return false;
  Path path = catalog_path(customer_id);
  catalog_country(client, &path, customer_id);
  path_query(&path, "targetView", target_view);
  path_query(&path, "targetSegment", target_segment);
  ItemScope scope = {0};
  return catalog_read(client, &path, ITEM_PRODUCT, true, &scope, "the product list", NULL, into,
                      info, error);
}

bool pc_product_get(PcClient *client, const char *customer_id, const char *product_id,
                    Catalog *into, PcCallInfo *info, PcError *error) {
  if (!check_scope(client, customer_id, error) || !check_id(product_id, "product id", error))
    return false;
  Path path = catalog_path(customer_id);
  path_segment(&path, product_id);
  catalog_country(client, &path, customer_id);
  char not_found[160];
  snprintf(not_found, sizeof not_found, "The catalog has no product %.64s.", product_id);
  ItemScope scope = {0};
  return catalog_read(client, &path, ITEM_PRODUCT, false, &scope, "the product request", not_found,
                      into, info, error);
}

bool pc_skus_list(PcClient *client, const char *customer_id, const char *product_id, Catalog *into,
                  PcCallInfo *info, PcError *error) {
  if (!check_scope(client, customer_id, error) || !check_id(product_id, "product id", error))
    return false;
  Path path = catalog_path(customer_id);
  path_segment(&path, product_id);
  path_add(&path, "/skus");
  catalog_country(client, &path, customer_id);
  char not_found[160];
  snprintf(not_found, sizeof not_found, "The catalog has no product %.64s.", product_id);
  ItemScope scope = {product_id, NULL};
  return catalog_read(client, &path, ITEM_SKU, true, &scope, "the SKU list", not_found, into, info,
                      error);
}

bool pc_sku_get(PcClient *client, const char *customer_id, const char *product_id,
                const char *sku_id, Catalog *into, PcCallInfo *info, PcError *error) {
  if (!check_scope(client, customer_id, error) || !check_id(product_id, "product id", error) ||
      !check_id(sku_id, "SKU id", error))
    return false;
  Path path = catalog_path(customer_id);
  path_segment(&path, product_id);
  path_add(&path, "/skus");
  path_segment(&path, sku_id);
  catalog_country(client, &path, customer_id);
  char not_found[200];
  snprintf(not_found, sizeof not_found, "The catalog has no SKU %.32s of product %.64s.", sku_id,
           product_id);
  ItemScope scope = {product_id, NULL};
  return catalog_read(client, &path, ITEM_SKU, false, &scope, "the SKU request", not_found, into,
                      info, error);
}

bool pc_availabilities_list(PcClient *client, const char *customer_id, const char *product_id,
                            const char *sku_id, Catalog *into, PcCallInfo *info, PcError *error) {
  if (!check_scope(client, customer_id, error) || !check_id(product_id, "product id", error) ||
      !check_id(sku_id, "SKU id", error))
    return false;
  Path path = catalog_path(customer_id);
  path_segment(&path, product_id);
  path_add(&path, "/skus");
  path_segment(&path, sku_id);
  path_add(&path, "/availabilities");
  catalog_country(client, &path, customer_id);
  char not_found[200];
  snprintf(not_found, sizeof not_found, "The catalog has no SKU %.32s of product %.64s.", sku_id,
           product_id);
  ItemScope scope = {product_id, sku_id};
  return catalog_read(client, &path, ITEM_AVAILABILITY, true, &scope, "the availability list",
                      not_found, into, info, error);
}

bool pc_availability_get(PcClient *client, const char *customer_id, const char *product_id,
                         const char *sku_id, const char *availability_id, Catalog *into,
                         PcCallInfo *info, PcError *error) {
  if (!check_scope(client, customer_id, error) || !check_id(product_id, "product id", error) ||
      !check_id(sku_id, "SKU id", error) || !check_id(availability_id, "availability id", error))
    return false;
  Path path = catalog_path(customer_id);
  path_segment(&path, product_id);
  path_add(&path, "/skus");
  path_segment(&path, sku_id);
  path_add(&path, "/availabilities");
  path_segment(&path, availability_id);
  catalog_country(client, &path, customer_id);
  char not_found[320];
  snprintf(not_found, sizeof not_found,
           "The catalog has no availability %.32s of SKU %.32s of product %.64s; availability "
           "ids are reissued, so fetch the SKU's availabilities again.",
           availability_id, sku_id, product_id);
  ItemScope scope = {product_id, sku_id};
  return catalog_read(client, &path, ITEM_AVAILABILITY, false, &scope, "the availability request",
                      not_found, into, info, error);
}

bool pc_offers_list(PcClient *client, Catalog *into, PcCallInfo *info, PcError *error) {
  if (!check_client(client, error))
    return false;
  Path path = path_start();
  path_add(&path, "/v1/offers");
  path_query(&path, "country", client->country);
  ItemScope scope = {0};
  return catalog_read(client, &path, ITEM_OFFER, true, &scope, "the offer list", NULL, into, info,
                      error);
}

bool pc_promotions_list(PcClient *client, Catalog *into, PcCallInfo *info, PcError *error) {
  if (!check_client(client, error))
    return false;
  Path path = path_start();
  path_add(&path, "/v1/productPromotions");
  path_query(&path, "country", client->country);
  path_query(&path, "segment", "commercial");
  ItemScope scope = {0};
  return catalog_read(client, &path, ITEM_PROMOTION, true, &scope, "the promotion list", NULL, into,
                      info, error);
}

/* A partner may not be offered promotions (403) or a cloud may not have the endpoint (404):
 * the catalog is then complete without them, and a promotionId is reported as unknown. */
static bool fetch_promotions(PcClient *client, Catalog *into, PcError *error) {
  if (pc_promotions_list(client, into, NULL, error))
    return true;
  if (error->kind != PC_ERROR_HTTP || (error->http_status != 403 && error->http_status != 404))
    return false;
  pc_error_clear(error);
  return true;
}

/* Partner Center proper wants a targetView on the product list; the sandbox lists
 * everything without one. These are the documented views (partner-center-api.md §4). */
static const char *const target_views[] = {
    "MicrosoftAzure",    "AzureReservations", "OnlineServices",        "Software",
    "SoftwareSUSELinux", "SoftwarePerpetual", "SoftwareSubscriptions",
};

static bool fetch_products(PcClient *client, const char *customer_id, Catalog *into,
                           PcError *error) {
  if (pc_products_list(client, customer_id, NULL, NULL, into, NULL, error))
    return true;
  if (error->kind != PC_ERROR_HTTP || error->http_status != 400)
    return false;
  /* Refused without a view: ask view by view. A view this partner may not see (403) or
   * that does not exist here (400/404) is skipped, not fatal. */
  pc_error_clear(error);
  size_t answered = 0;
  for (size_t i = 0; i < sizeof target_views / sizeof target_views[0]; i++) {
    if (pc_products_list(client, customer_id, target_views[i], NULL, into, NULL, error)) {
      answered++;
      continue;
    }
    long s = error->http_status;
    if (error->kind != PC_ERROR_HTTP || (s != 400 && s != 403 && s != 404))
      return false;
    pc_error_clear(error);
  }
  if (!answered) {
    pc_error_set(error, PC_ERROR_HTTP, "Partner Center refused every product list request.");
    return false;
  }
  return true;
}

bool pc_catalog_fetch(PcClient *client, const char *customer_id, Catalog *into, PcError *error) {
  if (!check_scope(client, customer_id, error))
    return false;
  if (!into) {
    pc_error_set(error, PC_ERROR_INVALID, "No catalog was given to fill.");
    return false;
  }
  /* Everything goes into a private catalog first, so a failure half-way leaves into as it
   * was. The product and SKU arrays do not move while SKUs and availabilities are added. */
  Catalog *read = catalog_new();
  if (!read)
    return no_memory(error);
  bool ok = fetch_products(client, customer_id, read, error);
  size_t products = read->product_count;
  for (size_t i = 0; ok && i < products; i++)
    ok = pc_skus_list(client, customer_id, read->products[i].id, read, NULL, error);
  size_t skus = read->sku_count;
  for (size_t i = 0; ok && i < skus; i++)
    ok = pc_availabilities_list(client, customer_id, read->skus[i].product_id, read->skus[i].id,
                                read, NULL, error);
  ok = ok && pc_offers_list(client, read, NULL, error);
  ok = ok && fetch_promotions(client, read, error);
  if (ok && !catalog_merge(into, read))
    ok = no_memory(error);
  catalog_free(read);
  return ok;
}

/* ----- carts ----- */

static Path cart_path(const char *customer_id, const char *cart_id, const char *tail) {
  Path path = path_start();
  path_add(&path, "/v1/customers");
  path_segment(&path, customer_id);
  path_add(&path, "/carts");
  if (cart_id)
    path_segment(&path, cart_id);
  if (tail)
    path_add(&path, tail);
  return path;
}

static bool read_cart_reply(const PcReply *reply, const PcCallInfo *info, const char *what,
                            Cart **out, PcError *error) {
  cJSON *json = reply_json(reply, info, what, error);
  if (!json)
    return false;
  char why[256] = "";
  Cart *cart = cart_from_json(json, why, sizeof why);
  cJSON_Delete(json);
  if (!cart)
    return bad_reply(error, reply, info, "Partner Center's reply to %s is not a cart: %s", what,
                     why);
  if (!cart->id || !cart->id[0]) {
    cart_free(cart);
    return bad_reply(error, reply, info, "Partner Center's reply to %s is a cart without an id.",
                     what);
  }
  *out = cart;
  return true;
}

/* create (cart_id NULL) or update: the body is exactly what a preview shows. */
static bool cart_write(PcClient *client, const char *customer_id, const Cart *cart,
                       const char *cart_id, const char *request_id, Cart **out, PcCallInfo *info,
                       PcError *error) {
  if (!check_client(client, error) || !check_id(customer_id, "customer id", error) ||
      (cart_id && !check_id(cart_id, "cart id", error)) ||
      (request_id && request_id[0] && !check_id(request_id, "request id", error)))
    return false;
  if (!cart) {
    pc_error_set(error, PC_ERROR_INVALID, "No cart was given.");
    return false;
  }
  cJSON *json = cart_to_request_json(cart);
  char *body = json ? model_json_print(json) : NULL;
  cJSON_Delete(json);
  Path path = cart_path(customer_id, cart_id, NULL);
  if (!body || !path.ok) {
    free(body);
    free(path.text);
    return no_memory(error);
  }
  char not_found[160];
  snprintf(not_found, sizeof not_found, "Partner Center does not know customer %.64s.",
           customer_id);
  PcRequest request = {.method = cart_id ? "PUT" : "POST",
                       .path = path.text,
                       .body = body,
                       .mutating = true,
                       .request_id = request_id,
                       .not_found = not_found,
                       .effect = cart_id ? "the cart may have been changed"
                                         : "the cart may have been created"};
  PcCallInfo local = {0};
  PcCallInfo *ci = info ? info : &local;
  PcReply reply = {0};
  bool ok =
      pc_call(client, &request, &reply, ci, error) &&
      read_cart_reply(&reply, ci, cart_id ? "the cart update" : "the cart creation", out, error);
  free(body);
  free(path.text);
  pc_reply_clear(&reply);
  pc_call_info_clear(&local);
  return ok;
}

bool pc_cart_create(PcClient *client, const char *customer_id, const Cart *cart,
                    const char *request_id, Cart **out, PcCallInfo *info, PcError *error) {
  return cart_write(client, customer_id, cart, NULL, request_id, out, info, error);
}

bool pc_cart_update(PcClient *client, const char *customer_id, const Cart *cart,
                    const char *request_id, Cart **out, PcCallInfo *info, PcError *error) {
  if (cart && (!cart->id || !cart->id[0])) {
    pc_error_set(error, PC_ERROR_INVALID, "The cart to update has no id; create it first.");
    return false;
  }
  return cart_write(client, customer_id, cart, cart ? cart->id : NULL, request_id, out, info,
                    error);
}

bool pc_cart_get(PcClient *client, const char *customer_id, const char *cart_id, Cart **out,
                 PcCallInfo *info, PcError *error) {
  if (!check_client(client, error) || !check_id(customer_id, "customer id", error) ||
      !check_id(cart_id, "cart id", error))
    return false;
  Path path = cart_path(customer_id, cart_id, NULL);
  if (!path.ok) {
    free(path.text);
    return no_memory(error);
  }
  char not_found[160];
  snprintf(not_found, sizeof not_found, "Partner Center does not know customer %.64s.",
           customer_id);
  PcRequest request = {.method = "GET", .path = path.text, .not_found = not_found};
  PcCallInfo local = {0};
  PcCallInfo *ci = info ? info : &local;
  PcReply reply = {0};
  bool ok = pc_call(client, &request, &reply, ci, error) &&
            read_cart_reply(&reply, ci, "the cart request", out, error);
  free(path.text);
  pc_reply_clear(&reply);
  pc_call_info_clear(&local);
  return ok;
}

bool pc_cart_checkout(PcClient *client, const char *customer_id, const char *cart_id,
                      const char *customer_user_upn, const char *request_id,
                      CartCheckoutResult **out, PcCallInfo *info, PcError *error) {
  if (!check_client(client, error) || !check_id(customer_id, "customer id", error) ||
      !check_id(cart_id, "cart id", error) ||
      (customer_user_upn && !check_id(customer_user_upn, "customer user UPN", error)) ||
      (request_id && request_id[0] && !check_id(request_id, "request id", error)))
    return false;
  Path path = cart_path(customer_id, cart_id, "/checkout");
  char *upn = NULL;
  if (customer_user_upn) {
    size_t n = strlen(customer_user_upn) + 32;
    if ((upn = malloc(n)))
      snprintf(upn, n, "x-ms-customeruser-upn: %s", customer_user_upn);
    else
      path.ok = false;
  }
  if (!path.ok) {
    free(path.text);
    free(upn);
    return no_memory(error);
  }
  const char *headers[] = {upn, NULL};
  char not_found[160];
  snprintf(not_found, sizeof not_found, "Partner Center does not know customer %.64s.",
           customer_id);
  PcRequest request = {.method = "POST",
                       .path = path.text,
                       .headers = upn ? headers : NULL,
                       .mutating = true,
                       .request_id = request_id,
                       .timeout_ms = client->checkout_timeout_ms,
                       .not_found = not_found,
                       .effect = "the order may have been placed"};
  PcCallInfo local = {0};
  PcCallInfo *ci = info ? info : &local;
  PcReply reply = {0};
  bool ok = pc_call(client, &request, &reply, ci, error);
  free(path.text);
  free(upn);
  cJSON *json = ok ? reply_json(&reply, ci, "the checkout", error) : NULL;
  ok = json != NULL;
  if (ok) {
    char why[256] = "";
    CartCheckoutResult *result = checkout_result_from_json(json, why, sizeof why);
    if (result)
      *out = result;
    else
      ok = bad_reply(error, &reply, ci, "Partner Center's checkout result could not be read: %s.",
                     why);
  }
  cJSON_Delete(json);
  pc_reply_clear(&reply);
  pc_call_info_clear(&local);
  return ok;
}
