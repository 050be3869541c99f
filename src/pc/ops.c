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

/* An intent's MS-RequestId (NULL or empty: one is made). pc_call keeps 36 characters (a GUID),
 * so a longer one is refused: cut, two intents could share one id and the second get the
 * first's replayed result. */
static bool check_request_id(const char *value, PcError *error) {
  if (!value || !value[0])
    return true;
  if (!check_id(value, "request id", error))
    return false;
  if (strlen(value) > 36) {
    pc_error_set(error, PC_ERROR_INVALID,
                 "The request id is longer than 36 characters; it must be a GUID.");
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

/* ----- one call, its reply read ----- */

typedef enum ReadResult { READ_OK, READ_BAD, READ_NO_MEMORY } ReadResult;

/* Reads a 2xx reply's JSON into out. READ_BAD comes with the whole sentence in why (what the
 * call was, `what`, is there for it). Outputs are set only on READ_OK. */
typedef ReadResult (*ReplyReader)(const cJSON *json, const char *what, void *out, char *why,
                                  size_t why_size);

/* Sends request and reads its reply with read: the one path every operation's reply takes.
 * An unparsable reply or READ_BAD is PC_ERROR_BAD_REPLY with the call's ids. */
static bool call_read(PcClient *client, const PcRequest *request, const char *what,
                      ReplyReader read, void *out, PcCallInfo *info, PcError *error) {
  PcCallInfo local = {0};
  PcCallInfo *ci = info ? info : &local;
  PcReply reply = {0};
  bool ok = pc_call(client, request, &reply, ci, error);
  cJSON *json = ok ? reply_json(&reply, ci, what, error) : NULL;
  ok = json != NULL;
  if (ok) {
    char why[384] = "";
    ReadResult result = read(json, what, out, why, sizeof why);
    if (result == READ_BAD)
      ok = bad_reply(error, &reply, ci, "%s", why);
    else if (result == READ_NO_MEMORY)
      ok = no_memory(error);
  }
  cJSON_Delete(json);
  pc_reply_clear(&reply);
  pc_call_info_clear(&local);
  return ok;
}

/* GET path (freed here) with optional extra headers; see call_read. */
static bool get_read(PcClient *client, Path *path, const char *const *headers,
                     const char *not_found, const char *what, ReplyReader read, void *out,
                     PcCallInfo *info, PcError *error) {
  if (!path->ok) {
    free(path->text);
    return no_memory(error);
  }
  PcRequest request = {
      .method = "GET", .path = path->text, .headers = headers, .not_found = not_found};
  bool ok = call_read(client, &request, what, read, out, info, error);
  free(path->text);
  return ok;
}

/* "Partner Center does not know customer X.": the 404 of every call under a customer. */
static void customer_not_found(char *out, size_t size, const char *customer_id) {
  snprintf(out, size, "Partner Center does not know customer %.64s.", customer_id);
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

static ReadResult read_customer_page(const cJSON *json, const char *what, void *out, char *why,
                                     size_t why_size) {
  char reason[256] = "";
  CustomerPage *page = customer_page_from_json(json, reason, sizeof reason);
  if (!page) {
    snprintf(why, why_size, "Partner Center's customer list could not be read: %s", reason);
    return READ_BAD;
  }
  *(CustomerPage **)out = page;
  return READ_OK;
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
  const char *headers[] = {header, NULL};
  bool ok = get_read(client, &path, header ? headers : NULL, NULL, "the customer list",
                     read_customer_page, out, info, error);
  free(header);
  return ok;
}

static ReadResult read_customer(const cJSON *json, const char *what, void *out, char *why,
                                size_t why_size) {
  Customer read = {0};
  if (!customer_from_json(&read, json)) {
    if (cJSON_IsObject(json))
      return READ_NO_MEMORY;
    snprintf(why, why_size, "Partner Center's customer reply is not a JSON object.");
    return READ_BAD;
  }
  if (!read.id || !read.id[0]) {
    customer_clear(&read);
    snprintf(why, why_size, "Partner Center's customer reply has no id.");
    return READ_BAD;
  }
  *(Customer *)out = read;
  return READ_OK;
}

bool pc_customer_get(PcClient *client, const char *customer_id, Customer *out, PcCallInfo *info,
                     PcError *error) {
  if (!check_client(client, error) || !check_id(customer_id, "customer id", error))
    return false;
  Path path = path_start();
  path_add(&path, "/v1/customers");
  path_segment(&path, customer_id);
  char not_found[160];
  customer_not_found(not_found, sizeof not_found, customer_id);
  return get_read(client, &path, NULL, not_found, "the customer request", read_customer, out, info,
                  error);
}

static ReadResult read_subscriptions(const cJSON *json, const char *what, void *out, char *why,
                                     size_t why_size) {
  SubscriptionList read = {0};
  char reason[256] = "";
  if (!subscription_list_from_json(&read, json, reason, sizeof reason)) {
    snprintf(why, why_size, "Partner Center's subscription list could not be read: %s", reason);
    return READ_BAD;
  }
  *(SubscriptionList *)out = read;
  return READ_OK;
}

bool pc_subscriptions_list(PcClient *client, const char *customer_id, SubscriptionList *out,
                           PcCallInfo *info, PcError *error) {
  if (!check_client(client, error) || !check_id(customer_id, "customer id", error))
    return false;
  Path path = path_start();
  path_add(&path, "/v1/customers");
  path_segment(&path, customer_id);
  path_add(&path, "/subscriptions");
  char not_found[160];
  customer_not_found(not_found, sizeof not_found, customer_id);
  return get_read(client, &path, NULL, not_found, "the subscriptions request", read_subscriptions,
                  out, info, error);
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

/* Where a catalog reply goes: one item or a collection of items of one kind, into a catalog. */
typedef struct CatalogTarget {
  ItemKind kind;
  bool collection;
  const ItemScope *scope;
  Catalog *into;
} CatalogTarget;

/* Everything is read into a private catalog first, so a bad reply leaves `into` as it was. */
static ReadResult read_catalog_reply(const cJSON *json, const char *what, void *out, char *why,
                                     size_t why_size) {
  const CatalogTarget *target = out;
  const cJSON *items = cJSON_IsObject(json) ? json_get(json, "items") : NULL;
  if (target->collection && !cJSON_IsArray(items)) {
    snprintf(why, why_size, "Partner Center's reply to %s is not a collection with items.", what);
    return READ_BAD;
  }
  Catalog *read = catalog_new();
  if (!read)
    return READ_NO_MEMORY;
  char reason[128] = "";
  bool ok = true;
  if (target->collection) {
    const cJSON *item;
    cJSON_ArrayForEach(item, items) {
      if (!(ok = read_item(read, target->kind, item, target->scope, reason, sizeof reason)))
        break;
    }
  } else {
    ok = read_item(read, target->kind, json, target->scope, reason, sizeof reason);
  }
  ReadResult result = READ_OK;
  if (!ok) {
    snprintf(why, why_size, "Partner Center's reply to %s is not usable: %s.", what, reason);
    result = READ_BAD;
  } else if (!catalog_merge(target->into, read)) {
    result = READ_NO_MEMORY;
  }
  catalog_free(read);
  return result;
}

/* GET path; the reply is a collection (`collection`) or one item, added to into. */
static bool catalog_read(PcClient *client, Path *path, ItemKind kind, bool collection,
                         const ItemScope *scope, const char *what, const char *not_found,
                         Catalog *into, PcCallInfo *info, PcError *error) {
  if (!into) {
    free(path->text);
    pc_error_set(error, PC_ERROR_INVALID, "No catalog was given to fill.");
    return false;
  }
  CatalogTarget target = {kind, collection, scope, into};
  return get_read(client, path, NULL, not_found, what, read_catalog_reply, &target, info, error);
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

static ReadResult read_cart(const cJSON *json, const char *what, void *out, char *why,
                            size_t why_size) {
  char reason[256] = "";
  Cart *cart = cart_from_json(json, reason, sizeof reason);
  if (!cart) {
    snprintf(why, why_size, "Partner Center's reply to %s is not a cart: %s", what, reason);
    return READ_BAD;
  }
  if (!cart->id || !cart->id[0]) {
    cart_free(cart);
    snprintf(why, why_size, "Partner Center's reply to %s is a cart without an id.", what);
    return READ_BAD;
  }
  *(Cart **)out = cart;
  return READ_OK;
}

/* create (cart_id NULL) or update: the body is exactly what a preview shows. */
static bool cart_write(PcClient *client, const char *customer_id, const Cart *cart,
                       const char *cart_id, const char *request_id, Cart **out, PcCallInfo *info,
                       PcError *error) {
  if (!check_client(client, error) || !check_id(customer_id, "customer id", error) ||
      (cart_id && !check_id(cart_id, "cart id", error)) || !check_request_id(request_id, error))
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
  customer_not_found(not_found, sizeof not_found, customer_id);
  PcRequest request = {.method = cart_id ? "PUT" : "POST",
                       .path = path.text,
                       .body = body,
                       .mutating = true,
                       .request_id = request_id,
                       .not_found = not_found,
                       .effect = cart_id ? "the cart may have been changed"
                                         : "the cart may have been created"};
  bool ok = call_read(client, &request, cart_id ? "the cart update" : "the cart creation",
                      read_cart, out, info, error);
  free(body);
  free(path.text);
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
  char not_found[160];
  customer_not_found(not_found, sizeof not_found, customer_id);
  return get_read(client, &path, NULL, not_found, "the cart request", read_cart, out, info, error);
}

static ReadResult read_checkout(const cJSON *json, const char *what, void *out, char *why,
                                size_t why_size) {
  char reason[256] = "";
  CartCheckoutResult *result = checkout_result_from_json(json, reason, sizeof reason);
  if (!result) {
    snprintf(why, why_size, "Partner Center's checkout result could not be read: %s.", reason);
    return READ_BAD;
  }
  *(CartCheckoutResult **)out = result;
  return READ_OK;
}

bool pc_cart_checkout(PcClient *client, const char *customer_id, const char *cart_id,
                      const char *customer_user_upn, const char *request_id,
                      CartCheckoutResult **out, PcCallInfo *info, PcError *error) {
  if (!check_client(client, error) || !check_id(customer_id, "customer id", error) ||
      !check_id(cart_id, "cart id", error) ||
      (customer_user_upn && !check_id(customer_user_upn, "customer user UPN", error)) ||
      !check_request_id(request_id, error))
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
  customer_not_found(not_found, sizeof not_found, customer_id);
  PcRequest request = {.method = "POST",
                       .path = path.text,
                       .headers = upn ? headers : NULL,
                       .mutating = true,
                       .request_id = request_id,
                       .timeout_ms = client->checkout_timeout_ms,
                       .not_found = not_found,
                       .effect = "the order may have been placed"};
  bool ok = call_read(client, &request, "the checkout", read_checkout, out, info, error);
  free(path.text);
  free(upn);
  return ok;
}
