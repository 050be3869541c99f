/* The catalog: products, SKUs, availabilities, legacy offers and promotions, their JSON
 * shapes, and the case-insensitive index that resolves a catalogItemId. */
#include "model/catalog.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ----- small helpers ----- */

/* ASCII-only folding: ids are ASCII and the process locale (set by the UI) must not matter. */
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

static bool read_object_type(const cJSON *json, char **out) {
  return read_string(json_get(json, "attributes"), "objectType", out);
}

/* Billing cycles in a SKU or offer list are kept in the cart spelling ("one_time") even
 * when a reader sent "OneTime" or 4, so that comparisons elsewhere stay simple. */
static bool read_billing_cycles(StringList *list, const cJSON *array) {
  json_read_strings(list, array);
  for (size_t i = 0; i < list->count; i++) {
    BillingCycle cycle = billing_cycle_parse(list->items[i]);
    if (cycle == BILLING_CYCLE_UNSET || cycle == BILLING_CYCLE_UNKNOWN) {
      continue;
    }
    const char *wire = billing_cycle_wire(cycle);
    if (strcmp(wire, list->items[i]) != 0) {
      char *copy = model_strdup(wire);
      if (!copy) {
        return false;
      }
      free(list->items[i]);
      list->items[i] = copy;
    }
  }
  return true;
}

/* Finishes a writer: on failure the half-built object is dropped. */
static cJSON *finish(cJSON *json, bool ok) {
  if (!ok) {
    cJSON_Delete(json);
    return NULL;
  }
  return json;
}

/* ----- Product ----- */

void product_clear(Product *product) {
  if (!product) {
    return;
  }
  free(product->id);
  free(product->title);
  free(product->description);
  free(product->product_type.id);
  free(product->product_type.display_name);
  free(product->product_type.sub_type_id);
  free(product->product_type.sub_type_display_name);
  free(product->publisher_name);
  link_list_clear(&product->links);
  free(product->object_type);
  memset(product, 0, sizeof *product);
}

bool product_copy(Product *dst, const Product *src) {
  if (!dst || !src) {
    return false;
  }
  Product copy = {.is_microsoft_product = src->is_microsoft_product};
  bool ok = copy_string(&copy.id, src->id) && copy_string(&copy.title, src->title) &&
            copy_string(&copy.description, src->description) &&
            copy_string(&copy.product_type.id, src->product_type.id) &&
            copy_string(&copy.product_type.display_name, src->product_type.display_name) &&
            copy_string(&copy.product_type.sub_type_id, src->product_type.sub_type_id) &&
            copy_string(&copy.product_type.sub_type_display_name,
                        src->product_type.sub_type_display_name) &&
            copy_string(&copy.publisher_name, src->publisher_name) &&
            link_list_copy(&copy.links, &src->links) &&
            copy_string(&copy.object_type, src->object_type);
  if (!ok) {
    product_clear(&copy);
    return false;
  }
  product_clear(dst);
  *dst = copy;
  return true;
}

bool product_from_json(Product *product, const cJSON *json) {
  if (!product || !cJSON_IsObject(json)) {
    return false;
  }
  Product read = {0};
  const cJSON *type = json_get(json, "productType");
  const cJSON *sub_type = json_get(type, "subType");
  bool ok = read_string(json, "id", &read.id) && read_string(json, "title", &read.title) &&
            read_string(json, "description", &read.description) &&
            read_string(type, "id", &read.product_type.id) &&
            read_string(type, "displayName", &read.product_type.display_name) &&
            read_string(json, "publisherName", &read.publisher_name) &&
            read_object_type(json, &read.object_type);
  /* subType is an object on the wire; a bare string is accepted as its id. */
  if (ok && cJSON_IsString(sub_type)) {
    ok = copy_string(&read.product_type.sub_type_id, sub_type->valuestring);
  } else if (ok) {
    ok = read_string(sub_type, "id", &read.product_type.sub_type_id) &&
         read_string(sub_type, "displayName", &read.product_type.sub_type_display_name);
  }
  if (!ok) {
    product_clear(&read);
    return false;
  }
  read.is_microsoft_product = json_get_bool(json, "isMicrosoftProduct");
  link_list_read(&read.links, json_get(json, "links"));
  product_clear(product);
  *product = read;
  return true;
}

static bool put_product_type(cJSON *json, const ProductType *type) {
  if (!type->id && !type->display_name && !type->sub_type_id && !type->sub_type_display_name) {
    return true;
  }
  cJSON *object = cJSON_AddObjectToObject(json, "productType");
  if (!object || !json_put_string(object, "id", type->id) ||
      !json_put_string(object, "displayName", type->display_name)) {
    return false;
  }
  if (!type->sub_type_id && !type->sub_type_display_name) {
    return true;
  }
  cJSON *sub = cJSON_AddObjectToObject(object, "subType");
  return sub && json_put_string(sub, "id", type->sub_type_id) &&
         json_put_string(sub, "displayName", type->sub_type_display_name);
}

cJSON *product_to_json(const Product *product) {
  if (!product) {
    return NULL;
  }
  cJSON *json = cJSON_CreateObject();
  if (!json) {
    return NULL;
  }
  bool ok = json_put_string(json, "id", product->id) &&
            json_put_string(json, "title", product->title) &&
            json_put_string(json, "description", product->description) &&
            put_product_type(json, &product->product_type) &&
            json_put_bool(json, "isMicrosoftProduct", product->is_microsoft_product) &&
            json_put_string(json, "publisherName", product->publisher_name) &&
            link_list_write(&product->links, json) &&
            json_put_object_type(json, product->object_type ? product->object_type : "Product");
  return finish(json, ok);
}

/* ----- Sku ----- */

void sku_clear(Sku *sku) {
  if (!sku) {
    return;
  }
  free(sku->id);
  free(sku->product_id);
  free(sku->title);
  free(sku->description);
  free(sku->terms_of_use_uri);
  string_list_clear(&sku->supported_billing_cycles);
  string_list_clear(&sku->purchase_prerequisites);
  string_list_clear(&sku->inventory_variables);
  string_list_clear(&sku->provisioning_variables);
  free(sku->consumption_type);
  free(sku->attestation_type);
  string_list_clear(&sku->prerequisite_skus);
  link_list_clear(&sku->links);
  free(sku->object_type);
  memset(sku, 0, sizeof *sku);
}

bool sku_copy(Sku *dst, const Sku *src) {
  if (!dst || !src) {
    return false;
  }
  Sku copy = {
      .minimum_quantity = src->minimum_quantity,
      .maximum_quantity = src->maximum_quantity,
      .is_trial = src->is_trial,
      .enforce_attestation = src->enforce_attestation,
      .is_addon = src->is_addon,
  };
  bool ok =
      copy_string(&copy.id, src->id) && copy_string(&copy.product_id, src->product_id) &&
      copy_string(&copy.title, src->title) && copy_string(&copy.description, src->description) &&
      copy_string(&copy.terms_of_use_uri, src->terms_of_use_uri) &&
      string_list_copy(&copy.supported_billing_cycles, &src->supported_billing_cycles) &&
      string_list_copy(&copy.purchase_prerequisites, &src->purchase_prerequisites) &&
      string_list_copy(&copy.inventory_variables, &src->inventory_variables) &&
      string_list_copy(&copy.provisioning_variables, &src->provisioning_variables) &&
      copy_string(&copy.consumption_type, src->consumption_type) &&
      copy_string(&copy.attestation_type, src->attestation_type) &&
      string_list_copy(&copy.prerequisite_skus, &src->prerequisite_skus) &&
      link_list_copy(&copy.links, &src->links) && copy_string(&copy.object_type, src->object_type);
  if (!ok) {
    sku_clear(&copy);
    return false;
  }
  sku_clear(dst);
  *dst = copy;
  return true;
}

bool sku_from_json(Sku *sku, const cJSON *json) {
  if (!sku || !cJSON_IsObject(json)) {
    return false;
  }
  Sku read = {0};
  const cJSON *attestation = json_get(json, "attestationProperties");
  bool ok =
      read_string(json, "id", &read.id) && read_string(json, "productId", &read.product_id) &&
      read_string(json, "title", &read.title) &&
      read_string(json, "description", &read.description) &&
      read_string(json, "termsOfUseUri", &read.terms_of_use_uri) &&
      read_string(json, "consumptionType", &read.consumption_type) &&
      read_string(attestation, "attestationType", &read.attestation_type) &&
      read_object_type(json, &read.object_type) &&
      read_billing_cycles(&read.supported_billing_cycles, json_get(json, "supportedBillingCycles"));
  if (!ok) {
    sku_clear(&read);
    return false;
  }
  read.minimum_quantity = json_get_int(json, "minimumQuantity");
  read.maximum_quantity = json_get_int(json, "maximumQuantity");
  read.is_trial = json_get_bool(json, "isTrial");
  read.enforce_attestation = json_get_bool(attestation, "enforceAttestation");
  json_read_strings(&read.purchase_prerequisites, json_get(json, "purchasePrerequisites"));
  json_read_strings(&read.inventory_variables, json_get(json, "inventoryVariables"));
  json_read_strings(&read.provisioning_variables, json_get(json, "provisioningVariables"));
  const cJSON *dynamic = json_get(json, "dynamicAttributes");
  read.is_addon = json_get_bool(dynamic, "isAddon");
  json_read_strings(&read.prerequisite_skus, json_get(dynamic, "prerequisiteSkus"));
  link_list_read(&read.links, json_get(json, "links"));
  sku_clear(sku);
  *sku = read;
  return true;
}

cJSON *sku_to_json(const Sku *sku) {
  if (!sku) {
    return NULL;
  }
  cJSON *json = cJSON_CreateObject();
  if (!json) {
    return NULL;
  }
  bool ok = json_put_string(json, "id", sku->id) &&
            json_put_string(json, "productId", sku->product_id) &&
            json_put_string(json, "title", sku->title) &&
            json_put_string(json, "description", sku->description) &&
            json_put_int(json, "minimumQuantity", sku->minimum_quantity) &&
            json_put_int(json, "maximumQuantity", sku->maximum_quantity) &&
            json_put_bool(json, "isTrial", sku->is_trial) &&
            json_put_string(json, "termsOfUseUri", sku->terms_of_use_uri) &&
            json_put_strings(json, "supportedBillingCycles", &sku->supported_billing_cycles) &&
            json_put_strings(json, "purchasePrerequisites", &sku->purchase_prerequisites) &&
            json_put_strings(json, "inventoryVariables", &sku->inventory_variables) &&
            json_put_strings(json, "provisioningVariables", &sku->provisioning_variables) &&
            json_put_string(json, "consumptionType", sku->consumption_type);
  if (ok && (sku->enforce_attestation.set || sku->attestation_type)) {
    cJSON *attestation = cJSON_AddObjectToObject(json, "attestationProperties");
    ok = attestation &&
         json_put_bool(attestation, "enforceAttestation", sku->enforce_attestation) &&
         json_put_string(attestation, "attestationType", sku->attestation_type);
  }
  if (ok && (sku->is_addon.set || sku->prerequisite_skus.count > 0)) {
    cJSON *dynamic = cJSON_AddObjectToObject(json, "dynamicAttributes");
    ok = dynamic && json_put_bool(dynamic, "isAddon", sku->is_addon) &&
         json_put_strings(dynamic, "prerequisiteSkus", &sku->prerequisite_skus);
  }
  ok = ok && link_list_write(&sku->links, json) &&
       json_put_object_type(json, sku->object_type ? sku->object_type : "Sku");
  return finish(json, ok);
}

/* ----- Availability and its terms ----- */

static void term_clear(AvailabilityTerm *term) {
  free(term->id);
  free(term->duration);
  free(term->description);
  for (size_t i = 0; i < term->renewal_option_count; i++) {
    free(term->renewal_options[i].term_duration);
    free(term->renewal_options[i].description);
  }
  free(term->renewal_options);
  kv_list_clear(&term->refund_windows);
  memset(term, 0, sizeof *term);
}

static bool term_copy(AvailabilityTerm *dst, const AvailabilityTerm *src) {
  AvailabilityTerm copy = {.billing_cycle = src->billing_cycle};
  bool ok = copy_string(&copy.id, src->id) && copy_string(&copy.duration, src->duration) &&
            copy_string(&copy.description, src->description) &&
            kv_list_copy(&copy.refund_windows, &src->refund_windows);
  if (ok && src->renewal_option_count > 0) {
    copy.renewal_options = calloc(src->renewal_option_count, sizeof *copy.renewal_options);
    ok = copy.renewal_options != NULL;
    for (size_t i = 0; ok && i < src->renewal_option_count; i++) {
      RenewalOption *to = &copy.renewal_options[i];
      copy.renewal_option_count++;
      ok = copy_string(&to->term_duration, src->renewal_options[i].term_duration) &&
           copy_string(&to->description, src->renewal_options[i].description);
    }
  }
  if (!ok) {
    term_clear(&copy);
    return false;
  }
  *dst = copy;
  return true;
}

void availability_clear(Availability *availability) {
  if (!availability) {
    return;
  }
  free(availability->id);
  free(availability->product_id);
  free(availability->sku_id);
  free(availability->catalog_item_id);
  free(availability->currency_code);
  free(availability->currency_symbol);
  free(availability->segment);
  free(availability->country);
  for (size_t i = 0; i < availability->term_count; i++) {
    term_clear(&availability->terms[i]);
  }
  free(availability->terms);
  link_list_clear(&availability->links);
  free(availability->object_type);
  memset(availability, 0, sizeof *availability);
}

bool availability_add_term(Availability *availability, const AvailabilityTerm *term) {
  if (!availability || !term) {
    return false;
  }
  AvailabilityTerm copy;
  if (!term_copy(&copy, term)) {
    return false;
  }
  AvailabilityTerm *terms =
      realloc(availability->terms, (availability->term_count + 1) * sizeof *terms);
  if (!terms) {
    term_clear(&copy);
    return false;
  }
  availability->terms = terms;
  availability->terms[availability->term_count++] = copy;
  return true;
}

bool availability_copy(Availability *dst, const Availability *src) {
  if (!dst || !src) {
    return false;
  }
  Availability copy = {.is_purchasable = src->is_purchasable, .is_renewable = src->is_renewable};
  bool ok = copy_string(&copy.id, src->id) && copy_string(&copy.product_id, src->product_id) &&
            copy_string(&copy.sku_id, src->sku_id) &&
            copy_string(&copy.catalog_item_id, src->catalog_item_id) &&
            copy_string(&copy.currency_code, src->currency_code) &&
            copy_string(&copy.currency_symbol, src->currency_symbol) &&
            copy_string(&copy.segment, src->segment) && copy_string(&copy.country, src->country) &&
            link_list_copy(&copy.links, &src->links) &&
            copy_string(&copy.object_type, src->object_type);
  for (size_t i = 0; ok && i < src->term_count; i++) {
    ok = availability_add_term(&copy, &src->terms[i]);
  }
  if (!ok) {
    availability_clear(&copy);
    return false;
  }
  availability_clear(dst);
  *dst = copy;
  return true;
}

static bool term_from_json(AvailabilityTerm *term, const cJSON *json) {
  AvailabilityTerm read = {.billing_cycle =
                               billing_cycle_from_json(json_get(json, "billingCycle"))};
  bool ok = read_string(json, "id", &read.id) && read_string(json, "duration", &read.duration) &&
            read_string(json, "description", &read.description);
  const cJSON *options = json_get(json, "renewalOptions");
  int n = cJSON_IsArray(options) ? cJSON_GetArraySize(options) : 0;
  if (ok && n > 0) {
    read.renewal_options = calloc((size_t)n, sizeof *read.renewal_options);
    ok = read.renewal_options != NULL;
  }
  const cJSON *option = NULL;
  if (ok && n > 0) {
    cJSON_ArrayForEach(option, options) {
      if (!cJSON_IsObject(option)) {
        continue;
      }
      RenewalOption *to = &read.renewal_options[read.renewal_option_count++];
      if (!read_string(option, "termDuration", &to->term_duration) ||
          !read_string(option, "description", &to->description)) {
        ok = false;
        break;
      }
    }
  }
  /* The first cancellation policy's refund options, in the order the service lists them. */
  const cJSON *policy = cJSON_GetArrayItem(json_get(json, "cancellationPolicies"), 0);
  const cJSON *refunds = ok ? json_get(policy, "refundOptions") : NULL;
  const cJSON *refund = NULL;
  cJSON_ArrayForEach(refund, refunds) {
    const cJSON *type = json_get(refund, "type");
    const cJSON *after = json_get(refund, "expiresAfter");
    if (cJSON_IsString(type) && cJSON_IsString(after) &&
        !kv_list_add(&read.refund_windows, type->valuestring, after->valuestring)) {
      ok = false;
      break;
    }
  }
  if (!ok) {
    term_clear(&read);
    return false;
  }
  *term = read;
  return true;
}

bool availability_from_json(Availability *availability, const cJSON *json) {
  if (!availability || !cJSON_IsObject(json)) {
    return false;
  }
  Availability read = {0};
  const cJSON *currency = json_get(json, "defaultCurrency");
  bool ok = read_string(json, "id", &read.id) && read_string(json, "productId", &read.product_id) &&
            read_string(json, "skuId", &read.sku_id) &&
            read_string(json, "catalogItemId", &read.catalog_item_id) &&
            read_string(currency, "code", &read.currency_code) &&
            read_string(currency, "symbol", &read.currency_symbol) &&
            read_string(json, "segment", &read.segment) &&
            read_string(json, "country", &read.country) &&
            read_object_type(json, &read.object_type);
  const cJSON *terms = json_get(json, "terms");
  const cJSON *item = NULL;
  if (ok && cJSON_IsArray(terms)) {
    cJSON_ArrayForEach(item, terms) {
      if (!cJSON_IsObject(item)) {
        continue;
      }
      AvailabilityTerm term;
      if (!term_from_json(&term, item)) {
        ok = false;
        break;
      }
      /* The term is moved in rather than copied twice. */
      AvailabilityTerm *grown = realloc(read.terms, (read.term_count + 1) * sizeof *grown);
      if (!grown) {
        term_clear(&term);
        ok = false;
        break;
      }
      read.terms = grown;
      read.terms[read.term_count++] = term;
    }
  }
  if (!ok) {
    availability_clear(&read);
    return false;
  }
  read.is_purchasable = json_get_bool(json, "isPurchasable");
  read.is_renewable = json_get_bool(json, "isRenewable");
  link_list_read(&read.links, json_get(json, "links"));
  availability_clear(availability);
  *availability = read;
  return true;
}

static cJSON *term_to_json(const AvailabilityTerm *term) {
  cJSON *json = cJSON_CreateObject();
  if (!json) {
    return NULL;
  }
  bool ok = json_put_string(json, "id", term->id) &&
            json_put_string(json, "duration", term->duration) &&
            json_put_string(json, "description", term->description) &&
            json_put_string(json, "billingCycle", billing_cycle_pascal(term->billing_cycle));
  if (ok && term->renewal_option_count > 0) {
    cJSON *options = cJSON_AddArrayToObject(json, "renewalOptions");
    ok = options != NULL;
    for (size_t i = 0; ok && i < term->renewal_option_count; i++) {
      cJSON *option = cJSON_CreateObject();
      ok = option != NULL && cJSON_AddItemToArray(options, option) &&
           json_put_string(option, "termDuration", term->renewal_options[i].term_duration) &&
           json_put_string(option, "description", term->renewal_options[i].description);
    }
  }
  if (ok && term->refund_windows.count > 0) {
    cJSON *policies = cJSON_AddArrayToObject(json, "cancellationPolicies");
    cJSON *policy = policies ? cJSON_CreateObject() : NULL;
    ok = policy && cJSON_AddItemToArray(policies, policy);
    cJSON *options = ok ? cJSON_AddArrayToObject(policy, "refundOptions") : NULL;
    ok = options != NULL;
    for (size_t i = 0; ok && i < term->refund_windows.count; i++) {
      cJSON *option = cJSON_CreateObject();
      if (!option || !cJSON_AddItemToArray(options, option)) {
        cJSON_Delete(option); /* not in the tree: ours to free */
        ok = false;
        break;
      }
      ok = cJSON_AddNumberToObject(option, "sequenceId", (double)i) &&
           json_put_string(option, "type", term->refund_windows.items[i].key) &&
           json_put_string(option, "expiresAfter", term->refund_windows.items[i].value);
    }
    if (!ok && policy && !policies->child) {
      cJSON_Delete(policy);
    }
  }
  return finish(json, ok);
}

cJSON *availability_to_json(const Availability *availability) {
  if (!availability) {
    return NULL;
  }
  cJSON *json = cJSON_CreateObject();
  if (!json) {
    return NULL;
  }
  bool ok = json_put_string(json, "id", availability->id) &&
            json_put_string(json, "productId", availability->product_id) &&
            json_put_string(json, "skuId", availability->sku_id) &&
            json_put_string(json, "catalogItemId", availability->catalog_item_id);
  if (ok && (availability->currency_code || availability->currency_symbol)) {
    cJSON *currency = cJSON_AddObjectToObject(json, "defaultCurrency");
    ok = currency && json_put_string(currency, "code", availability->currency_code) &&
         json_put_string(currency, "symbol", availability->currency_symbol);
  }
  ok = ok && json_put_string(json, "segment", availability->segment) &&
       json_put_string(json, "country", availability->country) &&
       json_put_bool(json, "isPurchasable", availability->is_purchasable) &&
       json_put_bool(json, "isRenewable", availability->is_renewable);
  if (ok && availability->term_count > 0) {
    cJSON *terms = cJSON_AddArrayToObject(json, "terms");
    ok = terms != NULL;
    for (size_t i = 0; ok && i < availability->term_count; i++) {
      cJSON *term = term_to_json(&availability->terms[i]);
      ok = term != NULL && cJSON_AddItemToArray(terms, term);
    }
  }
  ok = ok && link_list_write(&availability->links, json) &&
       json_put_object_type(json,
                            availability->object_type ? availability->object_type : "Availability");
  return finish(json, ok);
}

static bool duration_equal(const char *a, const char *b) {
  return text_equal_ci(a, b);
}

const AvailabilityTerm *availability_find_term(const Availability *availability,
                                               const char *duration, BillingCycle cycle) {
  if (!availability) {
    return NULL;
  }
  for (size_t i = 0; i < availability->term_count; i++) {
    const AvailabilityTerm *term = &availability->terms[i];
    if (duration && !duration_equal(term->duration, duration)) {
      continue;
    }
    /* A term that states no billing cycle does not constrain it. */
    if (cycle != BILLING_CYCLE_UNSET && term->billing_cycle != BILLING_CYCLE_UNSET &&
        term->billing_cycle != cycle) {
      continue;
    }
    return term;
  }
  return NULL;
}

/* ----- Offer (legacy) ----- */

void offer_clear(Offer *offer) {
  if (!offer) {
    return;
  }
  free(offer->id);
  free(offer->name);
  free(offer->description);
  free(offer->billing);
  string_list_clear(&offer->supported_billing_cycles);
  free(offer->category);
  free(offer->country);
  link_list_clear(&offer->links);
  free(offer->object_type);
  memset(offer, 0, sizeof *offer);
}

bool offer_copy(Offer *dst, const Offer *src) {
  if (!dst || !src) {
    return false;
  }
  Offer copy = {
      .minimum_quantity = src->minimum_quantity,
      .maximum_quantity = src->maximum_quantity,
      .is_trial = src->is_trial,
      .is_addon = src->is_addon,
  };
  bool ok = copy_string(&copy.id, src->id) && copy_string(&copy.name, src->name) &&
            copy_string(&copy.description, src->description) &&
            copy_string(&copy.billing, src->billing) &&
            string_list_copy(&copy.supported_billing_cycles, &src->supported_billing_cycles) &&
            copy_string(&copy.category, src->category) &&
            copy_string(&copy.country, src->country) && link_list_copy(&copy.links, &src->links) &&
            copy_string(&copy.object_type, src->object_type);
  if (!ok) {
    offer_clear(&copy);
    return false;
  }
  offer_clear(dst);
  *dst = copy;
  return true;
}

bool offer_from_json(Offer *offer, const cJSON *json) {
  if (!offer || !cJSON_IsObject(json)) {
    return false;
  }
  Offer read = {0};
  bool ok =
      read_string(json, "id", &read.id) && read_string(json, "name", &read.name) &&
      read_string(json, "description", &read.description) &&
      read_string(json, "billing", &read.billing) && read_string(json, "country", &read.country) &&
      read_object_type(json, &read.object_type) &&
      read_billing_cycles(&read.supported_billing_cycles, json_get(json, "supportedBillingCycles"));
  /* The service sends category as {"id","name",..}; older fixtures use a plain string. */
  const cJSON *category = json_get(json, "category");
  if (ok && cJSON_IsString(category)) {
    ok = copy_string(&read.category, category->valuestring);
  } else if (ok && cJSON_IsObject(category)) {
    ok = read_string(category, "id", &read.category);
    if (ok && !read.category) {
      ok = read_string(category, "name", &read.category);
    }
  }
  if (!ok) {
    offer_clear(&read);
    return false;
  }
  read.minimum_quantity = json_get_int(json, "minimumQuantity");
  read.maximum_quantity = json_get_int(json, "maximumQuantity");
  read.is_trial = json_get_bool(json, "isTrial");
  read.is_addon = json_get_bool(json, "isAddOn");
  link_list_read(&read.links, json_get(json, "links"));
  offer_clear(offer);
  *offer = read;
  return true;
}

cJSON *offer_to_json(const Offer *offer) {
  if (!offer) {
    return NULL;
  }
  cJSON *json = cJSON_CreateObject();
  if (!json) {
    return NULL;
  }
  bool ok = json_put_string(json, "id", offer->id) && json_put_string(json, "name", offer->name) &&
            json_put_string(json, "description", offer->description) &&
            json_put_int(json, "minimumQuantity", offer->minimum_quantity) &&
            json_put_int(json, "maximumQuantity", offer->maximum_quantity) &&
            json_put_bool(json, "isTrial", offer->is_trial) &&
            json_put_bool(json, "isAddOn", offer->is_addon) &&
            json_put_string(json, "billing", offer->billing) &&
            json_put_strings(json, "supportedBillingCycles", &offer->supported_billing_cycles);
  if (ok && offer->category) {
    cJSON *category = cJSON_AddObjectToObject(json, "category");
    ok = category && json_put_string(category, "id", offer->category) &&
         json_put_string(category, "name", offer->category);
  }
  ok = ok && json_put_string(json, "country", offer->country) &&
       link_list_write(&offer->links, json) &&
       json_put_object_type(json, offer->object_type ? offer->object_type : "Offer");
  return finish(json, ok);
}

/* ----- Promotion ----- */

void promotion_clear(Promotion *promotion) {
  if (!promotion) {
    return;
  }
  free(promotion->id);
  free(promotion->name);
  free(promotion->description);
  free(promotion->start_date);
  free(promotion->end_date);
  free(promotion->product_id);
  free(promotion->sku_id);
  free(promotion->term_duration);
  free(promotion->percent_discount);
  memset(promotion, 0, sizeof *promotion);
}

bool promotion_copy(Promotion *dst, const Promotion *src) {
  if (!dst || !src) {
    return false;
  }
  Promotion copy = {.billing_cycle = src->billing_cycle, .auto_applicable = src->auto_applicable};
  bool ok = copy_string(&copy.id, src->id) && copy_string(&copy.name, src->name) &&
            copy_string(&copy.description, src->description) &&
            copy_string(&copy.start_date, src->start_date) &&
            copy_string(&copy.end_date, src->end_date) &&
            copy_string(&copy.product_id, src->product_id) &&
            copy_string(&copy.sku_id, src->sku_id) &&
            copy_string(&copy.term_duration, src->term_duration) &&
            copy_string(&copy.percent_discount, src->percent_discount);
  if (!ok) {
    promotion_clear(&copy);
    return false;
  }
  promotion_clear(dst);
  *dst = copy;
  return true;
}

/* The PercentDiscount policy's value of a requiredProducts entry, as sent. */
static const cJSON *percent_discount_of(const cJSON *required) {
  const cJSON *policy = NULL;
  cJSON_ArrayForEach(policy, json_get(required, "pricingPolicies")) {
    const cJSON *type = json_get(policy, "policyType");
    if (cJSON_IsString(type) && strcasecmp(type->valuestring, "PercentDiscount") == 0) {
      return json_get(policy, "value");
    }
  }
  return NULL;
}

bool promotion_from_json(Promotion *promotion, const cJSON *json) {
  if (!promotion || !cJSON_IsObject(json)) {
    return false;
  }
  /* The documented shape puts product, SKU and term in requiredProducts; a flat one (older
   * sandboxes) is read too. */
  const cJSON *required = cJSON_GetArrayItem(json_get(json, "requiredProducts"), 0);
  const cJSON *where = required ? required : json;
  const cJSON *term = required ? json_get(required, "term") : NULL;
  Promotion read = {
      .billing_cycle = billing_cycle_from_json(term ? json_get(term, "billingCycle")
                                                    : json_get(json, "billingCycle")),
      .auto_applicable = json_get_bool(json_get(json, "properties"), "isAutoApplicable"),
  };
  const cJSON *discount = required ? percent_discount_of(required) : NULL;
  bool ok =
      read_string(json, "id", &read.id) && read_string(json, "name", &read.name) &&
      read_string(json, "description", &read.description) &&
      read_string(json, "startDate", &read.start_date) &&
      read_string(json, "endDate", &read.end_date) &&
      read_string(where, "productId", &read.product_id) &&
      read_string(where, "skuId", &read.sku_id) &&
      read_string(term ? term : json, term ? "duration" : "termDuration", &read.term_duration);
  if (ok && cJSON_IsString(discount)) {
    ok = (read.percent_discount = model_strdup(discount->valuestring)) != NULL;
  } else if (ok && cJSON_IsNumber(discount)) {
    char text[32];
    snprintf(text, sizeof text, "%.15g", discount->valuedouble);
    ok = (read.percent_discount = model_strdup(text)) != NULL;
  }
  if (!ok) {
    promotion_clear(&read);
    return false;
  }
  promotion_clear(promotion);
  *promotion = read;
  return true;
}

/* requiredProducts: [{productId, skuId, term{duration, billingCycle}, pricingPolicies}]. */
static bool required_products_write(cJSON *json, const Promotion *promotion) {
  if (!promotion->product_id && !promotion->sku_id && !promotion->term_duration) {
    return true;
  }
  cJSON *list = cJSON_AddArrayToObject(json, "requiredProducts");
  cJSON *item = list ? cJSON_CreateObject() : NULL;
  if (!item || !cJSON_AddItemToArray(list, item)) {
    cJSON_Delete(item);
    return false;
  }
  cJSON *term = NULL;
  bool ok = json_put_string(item, "productId", promotion->product_id) &&
            json_put_string(item, "skuId", promotion->sku_id) &&
            (term = cJSON_AddObjectToObject(item, "term")) != NULL &&
            json_put_string(term, "duration", promotion->term_duration) &&
            json_put_string(term, "billingCycle", billing_cycle_pascal(promotion->billing_cycle));
  if (ok && promotion->percent_discount) {
    cJSON *policies = cJSON_AddArrayToObject(item, "pricingPolicies");
    cJSON *policy = policies ? cJSON_CreateObject() : NULL;
    ok = policy && cJSON_AddItemToArray(policies, policy) &&
         json_put_string(policy, "policyType", "PercentDiscount") &&
         json_put_string(policy, "value", promotion->percent_discount);
    if (!ok && policy && !policies->child) {
      cJSON_Delete(policy);
    }
  }
  return ok;
}

cJSON *promotion_to_json(const Promotion *promotion) {
  if (!promotion) {
    return NULL;
  }
  cJSON *json = cJSON_CreateObject();
  if (!json) {
    return NULL;
  }
  cJSON *properties = NULL;
  bool ok = json_put_string(json, "id", promotion->id) &&
            json_put_string(json, "name", promotion->name) &&
            json_put_string(json, "description", promotion->description) &&
            json_put_string(json, "startDate", promotion->start_date) &&
            json_put_string(json, "endDate", promotion->end_date);
  if (ok && promotion->auto_applicable.set) {
    properties = cJSON_AddObjectToObject(json, "properties");
    ok = properties && json_put_bool(properties, "isAutoApplicable", promotion->auto_applicable);
  }
  ok = ok && required_products_write(json, promotion) &&
       json_put_object_type(json, "ProductPromotion");
  return finish(json, ok);
}

/* ----- Collection envelope ----- */

cJSON *json_collection_take(cJSON *items, const LinkList *links) {
  if (!items) {
    return NULL;
  }
  cJSON *json = cJSON_CreateObject();
  if (!json || !cJSON_AddNumberToObject(json, "totalCount", cJSON_GetArraySize(items))) {
    cJSON_Delete(json);
    cJSON_Delete(items);
    return NULL;
  }
  if (!cJSON_AddItemToObject(json, "items", items)) {
    cJSON_Delete(json);
    cJSON_Delete(items);
    return NULL;
  }
  bool ok = link_list_write(links, json) && json_put_object_type(json, "Collection");
  return finish(json, ok);
}

/* ----- The index -----
 *
 * One open-addressing table per kind maps a case-insensitive key to an array position
 * (stored +1 so that 0 marks an empty slot). Positions rather than pointers survive the
 * arrays' reallocation. The index is kept current by every catalog_add_* and is never
 * built inside a lookup, so a filled catalog can be shared read-only by the sandbox's
 * threads without locks. When two entries share an id the later one wins, so a client
 * that adds a re-fetched availability finds the fresh one.
 *
 * The arrays grow by realloc, so a pointer returned by an add or a lookup stays valid only
 * until the next add (the sandbox fills its catalog once, then only reads it). A Catalog
 * filled by hand is still searched (by a scan); adding to it needs malloc'd arrays. */

enum { KIND_PRODUCT, KIND_SKU, KIND_AVAILABILITY, KIND_OFFER, KIND_PROMOTION, KIND_COUNT };

typedef struct IndexTable {
  size_t *slots;
  size_t capacity; /* a power of two, or 0 */
} IndexTable;

struct CatalogIndex {
  IndexTable tables[KIND_COUNT];
  size_t indexed[KIND_COUNT];   /* how many array elements the table covers */
  size_t allocated[KIND_COUNT]; /* capacity of each catalog array */
};

/* A key of up to three parts given with lengths, so that a lookup can point into a
 * catalogItemId without copying it. */
typedef struct Key {
  const char *part[3];
  size_t len[3];
  size_t parts;
} Key;

static Key key_make(size_t parts, const char *a, const char *b, const char *c) {
  Key key = {.part = {a, b, c}, .parts = parts};
  for (size_t i = 0; i < parts; i++) {
    key.len[i] = key.part[i] ? strlen(key.part[i]) : 0;
  }
  return key;
}

static Key key_of(const Catalog *catalog, int kind, size_t i) {
  switch (kind) {
  case KIND_PRODUCT:
    return key_make(1, catalog->products[i].id, NULL, NULL);
  case KIND_SKU:
    return key_make(2, catalog->skus[i].product_id, catalog->skus[i].id, NULL);
  case KIND_AVAILABILITY: {
    const Availability *a = &catalog->availabilities[i];
    return key_make(3, a->product_id, a->sku_id, a->id);
  }
  case KIND_OFFER:
    return key_make(1, catalog->offers[i].id, NULL, NULL);
  default:
    return key_make(1, catalog->promotions[i].id, NULL, NULL);
  }
}

static size_t kind_count(const Catalog *catalog, int kind) {
  switch (kind) {
  case KIND_PRODUCT:
    return catalog->product_count;
  case KIND_SKU:
    return catalog->sku_count;
  case KIND_AVAILABILITY:
    return catalog->availability_count;
  case KIND_OFFER:
    return catalog->offer_count;
  default:
    return catalog->promotion_count;
  }
}

static uint64_t key_hash(const Key *key) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (size_t p = 0; p < key->parts; p++) {
    for (size_t i = 0; i < key->len[p]; i++) {
      h ^= (uint64_t)fold((unsigned char)key->part[p][i]);
      h *= 1099511628211ull;
    }
    h ^= 0x1f; /* separates "ab"+"c" from "a"+"bc" */
    h *= 1099511628211ull;
  }
  return h;
}

static bool key_equal(const Key *a, const Key *b) {
  if (a->parts != b->parts) {
    return false;
  }
  for (size_t p = 0; p < a->parts; p++) {
    if (a->len[p] != b->len[p]) {
      return false;
    }
    for (size_t i = 0; i < a->len[p]; i++) {
      if (fold((unsigned char)a->part[p][i]) != fold((unsigned char)b->part[p][i])) {
        return false;
      }
    }
  }
  return true;
}

/* Places position i in slots (which has room); an equal key is replaced. */
static void table_place(size_t *slots, size_t capacity, const Catalog *catalog, int kind,
                        size_t i) {
  Key key = key_of(catalog, kind, i);
  size_t mask = capacity - 1;
  size_t at = (size_t)key_hash(&key) & mask;
  while (slots[at] != 0) {
    Key other = key_of(catalog, kind, slots[at] - 1);
    if (key_equal(&key, &other)) {
      break;
    }
    at = (at + 1) & mask;
  }
  slots[at] = i + 1;
}

/* Indexes array position i, the newest element of its kind. The table is rebuilt when
 * it is at half load or does not cover everything below i (elements a caller put into
 * the arrays by hand). False when out of memory; the table is then unchanged. */
static bool index_insert(struct CatalogIndex *index, const Catalog *catalog, int kind, size_t i) {
  IndexTable *table = &index->tables[kind];
  if (index->indexed[kind] != i || (i + 1) * 2 > table->capacity) {
    size_t capacity = table->capacity ? table->capacity : 16;
    while ((i + 1) * 2 > capacity) {
      capacity *= 2;
    }
    size_t *slots = calloc(capacity, sizeof *slots);
    if (!slots) {
      return false;
    }
    for (size_t j = 0; j < i; j++) {
      table_place(slots, capacity, catalog, kind, j);
    }
    free(table->slots);
    table->slots = slots;
    table->capacity = capacity;
  }
  table_place(table->slots, table->capacity, catalog, kind, i);
  index->indexed[kind] = i + 1;
  return true;
}

static long index_lookup(const Catalog *catalog, int kind, const Key *key) {
  const struct CatalogIndex *index = catalog->index;
  size_t count = kind_count(catalog, kind);
  if (!index || index->indexed[kind] != count || index->tables[kind].capacity == 0) {
    /* Elements put into the arrays by hand are not indexed: scan, the last one winning. */
    for (size_t i = count; i > 0; i--) {
      Key other = key_of(catalog, kind, i - 1);
      if (key_equal(key, &other)) {
        return (long)(i - 1);
      }
    }
    return -1;
  }
  const IndexTable *table = &index->tables[kind];
  size_t mask = table->capacity - 1;
  size_t at = (size_t)key_hash(key) & mask;
  while (table->slots[at] != 0) {
    Key other = key_of(catalog, kind, table->slots[at] - 1);
    if (key_equal(key, &other)) {
      return (long)(table->slots[at] - 1);
    }
    at = (at + 1) & mask;
  }
  return -1;
}

static void index_free(struct CatalogIndex *index) {
  if (!index) {
    return;
  }
  for (int k = 0; k < KIND_COUNT; k++) {
    free(index->tables[k].slots);
  }
  free(index);
}

/* ----- Catalog ----- */

Catalog *catalog_new(void) {
  Catalog *catalog = calloc(1, sizeof *catalog);
  if (!catalog) {
    return NULL;
  }
  catalog->index = calloc(1, sizeof *catalog->index);
  if (!catalog->index) {
    free(catalog);
    return NULL;
  }
  return catalog;
}

void catalog_free(Catalog *catalog) {
  if (!catalog) {
    return;
  }
  for (size_t i = 0; i < catalog->product_count; i++) {
    product_clear(&catalog->products[i]);
  }
  for (size_t i = 0; i < catalog->sku_count; i++) {
    sku_clear(&catalog->skus[i]);
  }
  for (size_t i = 0; i < catalog->availability_count; i++) {
    availability_clear(&catalog->availabilities[i]);
  }
  for (size_t i = 0; i < catalog->offer_count; i++) {
    offer_clear(&catalog->offers[i]);
  }
  for (size_t i = 0; i < catalog->promotion_count; i++) {
    promotion_clear(&catalog->promotions[i]);
  }
  free(catalog->products);
  free(catalog->skus);
  free(catalog->availabilities);
  free(catalog->offers);
  free(catalog->promotions);
  index_free(catalog->index);
  free(catalog);
}

/* A zeroed slot at the end of a catalog array (which doubles as it grows), not yet
 * counted; NULL when out of memory. */
static void *catalog_reserve(Catalog *catalog, int kind, void **array, size_t count, size_t size) {
  if (!catalog->index) {
    /* A Catalog made without catalog_new gets its index on the first add. */
    catalog->index = calloc(1, sizeof *catalog->index);
    if (!catalog->index) {
      return NULL;
    }
  }
  size_t *allocated = &catalog->index->allocated[kind];
  if (count >= *allocated) {
    size_t capacity = (count > *allocated ? count : *allocated) * 2;
    if (capacity < 8) {
      capacity = 8;
    }
    void *grown = realloc(*array, capacity * size);
    if (!grown) {
      return NULL;
    }
    *array = grown;
    *allocated = capacity;
  }
  void *slot = (char *)*array + count * size;
  memset(slot, 0, size);
  return slot;
}

Product *catalog_add_product(Catalog *catalog, const Product *product) {
  if (!catalog || !product) {
    return NULL;
  }
  void *array = catalog->products;
  Product *slot =
      catalog_reserve(catalog, KIND_PRODUCT, &array, catalog->product_count, sizeof *slot);
  catalog->products = array;
  if (!slot || !product_copy(slot, product)) {
    return NULL;
  }
  if (!index_insert(catalog->index, catalog, KIND_PRODUCT, catalog->product_count)) {
    product_clear(slot);
    return NULL;
  }
  catalog->product_count++;
  return slot;
}

Sku *catalog_add_sku(Catalog *catalog, const Sku *sku) {
  if (!catalog || !sku) {
    return NULL;
  }
  void *array = catalog->skus;
  Sku *slot = catalog_reserve(catalog, KIND_SKU, &array, catalog->sku_count, sizeof *slot);
  catalog->skus = array;
  if (!slot || !sku_copy(slot, sku)) {
    return NULL;
  }
  if (!index_insert(catalog->index, catalog, KIND_SKU, catalog->sku_count)) {
    sku_clear(slot);
    return NULL;
  }
  catalog->sku_count++;
  return slot;
}

Availability *catalog_add_availability(Catalog *catalog, const Availability *availability) {
  if (!catalog || !availability) {
    return NULL;
  }
  void *array = catalog->availabilities;
  Availability *slot = catalog_reserve(catalog, KIND_AVAILABILITY, &array,
                                       catalog->availability_count, sizeof *slot);
  catalog->availabilities = array;
  if (!slot || !availability_copy(slot, availability)) {
    return NULL;
  }
  if (!index_insert(catalog->index, catalog, KIND_AVAILABILITY, catalog->availability_count)) {
    availability_clear(slot);
    return NULL;
  }
  catalog->availability_count++;
  return slot;
}

Offer *catalog_add_offer(Catalog *catalog, const Offer *offer) {
  if (!catalog || !offer) {
    return NULL;
  }
  void *array = catalog->offers;
  Offer *slot = catalog_reserve(catalog, KIND_OFFER, &array, catalog->offer_count, sizeof *slot);
  catalog->offers = array;
  if (!slot || !offer_copy(slot, offer)) {
    return NULL;
  }
  if (!index_insert(catalog->index, catalog, KIND_OFFER, catalog->offer_count)) {
    offer_clear(slot);
    return NULL;
  }
  catalog->offer_count++;
  return slot;
}

Promotion *catalog_add_promotion(Catalog *catalog, const Promotion *promotion) {
  if (!catalog || !promotion) {
    return NULL;
  }
  void *array = catalog->promotions;
  Promotion *slot =
      catalog_reserve(catalog, KIND_PROMOTION, &array, catalog->promotion_count, sizeof *slot);
  catalog->promotions = array;
  if (!slot || !promotion_copy(slot, promotion)) {
    return NULL;
  }
  if (!index_insert(catalog->index, catalog, KIND_PROMOTION, catalog->promotion_count)) {
    promotion_clear(slot);
    return NULL;
  }
  catalog->promotion_count++;
  return slot;
}

const Product *catalog_find_product(const Catalog *catalog, const char *product_id) {
  if (!catalog || !product_id) {
    return NULL;
  }
  Key key = key_make(1, product_id, NULL, NULL);
  long at = index_lookup(catalog, KIND_PRODUCT, &key);
  return at < 0 ? NULL : &catalog->products[at];
}

const Sku *catalog_find_sku(const Catalog *catalog, const char *product_id, const char *sku_id) {
  if (!catalog || !product_id || !sku_id) {
    return NULL;
  }
  Key key = key_make(2, product_id, sku_id, NULL);
  long at = index_lookup(catalog, KIND_SKU, &key);
  return at < 0 ? NULL : &catalog->skus[at];
}

const Availability *catalog_find_availability(const Catalog *catalog, const char *product_id,
                                              const char *sku_id, const char *availability_id) {
  if (!catalog || !product_id || !sku_id || !availability_id) {
    return NULL;
  }
  Key key = key_make(3, product_id, sku_id, availability_id);
  long at = index_lookup(catalog, KIND_AVAILABILITY, &key);
  return at < 0 ? NULL : &catalog->availabilities[at];
}

const Offer *catalog_find_offer(const Catalog *catalog, const char *offer_id) {
  if (!catalog || !offer_id) {
    return NULL;
  }
  Key key = key_make(1, offer_id, NULL, NULL);
  long at = index_lookup(catalog, KIND_OFFER, &key);
  return at < 0 ? NULL : &catalog->offers[at];
}

const Promotion *catalog_find_promotion(const Catalog *catalog, const char *promotion_id) {
  if (!catalog || !promotion_id) {
    return NULL;
  }
  Key key = key_make(1, promotion_id, NULL, NULL);
  long at = index_lookup(catalog, KIND_PROMOTION, &key);
  return at < 0 ? NULL : &catalog->promotions[at];
}

bool catalog_find_item(const Catalog *catalog, const char *catalog_item_id, CatalogItem *out) {
  CatalogItem found = {0};
  if (out) {
    *out = found;
  }
  if (!catalog || !catalog_item_id) {
    return false;
  }
  const char *first = strchr(catalog_item_id, ':');
  const char *second = first ? strchr(first + 1, ':') : NULL;
  if (second && !strchr(second + 1, ':')) {
    Key key = {.part = {catalog_item_id, first + 1, second + 1},
               .len = {(size_t)(first - catalog_item_id), (size_t)(second - first - 1),
                       strlen(second + 1)},
               .parts = 3};
    long at = index_lookup(catalog, KIND_AVAILABILITY, &key);
    if (at >= 0) {
      found.availability = &catalog->availabilities[at];
      found.sku =
          catalog_find_sku(catalog, found.availability->product_id, found.availability->sku_id);
      found.product = catalog_find_product(catalog, found.availability->product_id);
    }
  }
  /* Legacy offer ids have no colons, but nothing stops one from having them. */
  if (!found.availability) {
    found.offer = catalog_find_offer(catalog, catalog_item_id);
  }
  if (!found.availability && !found.offer) {
    return false;
  }
  if (out) {
    *out = found;
  }
  return true;
}

size_t catalog_skus_of(const Catalog *catalog, const char *product_id, const Sku **out,
                       size_t max) {
  size_t n = 0;
  for (size_t i = 0; catalog && product_id && i < catalog->sku_count; i++) {
    if (!text_equal_ci(catalog->skus[i].product_id, product_id)) {
      continue;
    }
    if (out) {
      if (n == max) {
        break;
      }
      out[n] = &catalog->skus[i];
    }
    n++;
  }
  return n;
}

size_t catalog_availabilities_of(const Catalog *catalog, const char *product_id, const char *sku_id,
                                 const Availability **out, size_t max) {
  size_t n = 0;
  for (size_t i = 0; catalog && product_id && sku_id && i < catalog->availability_count; i++) {
    const Availability *a = &catalog->availabilities[i];
    if (!text_equal_ci(a->product_id, product_id) || !text_equal_ci(a->sku_id, sku_id)) {
      continue;
    }
    if (out) {
      if (n == max) {
        break;
      }
      out[n] = a;
    }
    n++;
  }
  return n;
}

/* ----- the whole catalog as one document ----- */

/* Each kind of entry: its array's name, its writer, and a reader that adds one entry. */
typedef struct CatalogSection {
  const char *name;
  size_t (*count)(const Catalog *catalog);
  cJSON *(*write)(const Catalog *catalog, size_t i);
  bool (*add)(Catalog *catalog, const cJSON *json); /* false: unreadable or out of memory */
} CatalogSection;

#define CATALOG_SECTION(kind, type, array, counter)                                                \
  static size_t kind##_section_count(const Catalog *catalog) {                                     \
    return catalog->counter;                                                                       \
  }                                                                                                \
  static cJSON *kind##_section_write(const Catalog *catalog, size_t i) {                           \
    return kind##_to_json(&catalog->array[i]);                                                     \
  }                                                                                                \
  static bool kind##_section_add(Catalog *catalog, const cJSON *json) {                            \
    type value = {0};                                                                              \
    bool ok = kind##_from_json(&value, json) && catalog_add_##kind(catalog, &value) != NULL;       \
    kind##_clear(&value);                                                                          \
    return ok;                                                                                     \
  }

CATALOG_SECTION(product, Product, products, product_count)
CATALOG_SECTION(sku, Sku, skus, sku_count)
CATALOG_SECTION(availability, Availability, availabilities, availability_count)
CATALOG_SECTION(offer, Offer, offers, offer_count)
CATALOG_SECTION(promotion, Promotion, promotions, promotion_count)

#define SECTION(kind, name)                                                                        \
  { name, kind##_section_count, kind##_section_write, kind##_section_add }
static const CatalogSection catalog_sections[] = {
    SECTION(product, "products"),
    SECTION(sku, "skus"),
    SECTION(availability, "availabilities"),
    SECTION(offer, "offers"),
    SECTION(promotion, "promotions"),
};
#define CATALOG_SECTION_COUNT (sizeof catalog_sections / sizeof catalog_sections[0])

cJSON *catalog_to_json(const Catalog *catalog, const char *customer_id, const char *country) {
  if (!catalog) {
    return NULL;
  }
  cJSON *root = cJSON_CreateObject();
  bool ok = root != NULL && json_put_string(root, "customerId", customer_id) &&
            json_put_string(root, "country", country);
  for (size_t s = 0; ok && s < CATALOG_SECTION_COUNT; s++) {
    const CatalogSection *section = &catalog_sections[s];
    cJSON *array = cJSON_AddArrayToObject(root, section->name);
    ok = array != NULL;
    size_t count = ok ? section->count(catalog) : 0;
    for (size_t i = 0; ok && i < count; i++) {
      cJSON *item = section->write(catalog, i);
      ok = item != NULL && cJSON_AddItemToArray(array, item);
      if (!ok) {
        cJSON_Delete(item);
      }
    }
  }
  ok = ok && json_put_object_type(root, "CatalogExport");
  return finish(root, ok);
}

Catalog *catalog_from_json(const cJSON *json, char *err, size_t err_size) {
  char ignored[1];
  if (!err || err_size == 0) {
    err = ignored;
    err_size = sizeof ignored;
  }
  err[0] = '\0';
  bool any = false;
  for (size_t s = 0; cJSON_IsObject(json) && s < CATALOG_SECTION_COUNT; s++) {
    any = any || cJSON_IsArray(json_get(json, catalog_sections[s].name));
  }
  if (!any) {
    snprintf(err, err_size,
             "it is not a catalog export (a JSON object with products, skus, availabilities, "
             "offers and promotions, as `pccart catalog export` writes).");
    return NULL;
  }
  Catalog *catalog = catalog_new();
  bool ok = catalog != NULL;
  if (!ok) {
    snprintf(err, err_size, "out of memory.");
  }
  for (size_t s = 0; ok && s < CATALOG_SECTION_COUNT; s++) {
    const CatalogSection *section = &catalog_sections[s];
    const cJSON *array = json_get(json, section->name);
    int index = 0;
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, (cJSON_IsArray(array) ? array : NULL)) {
      /* The readers fail only on a non-object or when out of memory. */
      if (!cJSON_IsObject(item)) {
        snprintf(err, err_size, "%s[%d] is not a JSON object.", section->name, index);
        ok = false;
      } else if (!section->add(catalog, item)) {
        snprintf(err, err_size, "out of memory while reading %s[%d].", section->name, index);
        ok = false;
      }
      if (!ok) {
        break;
      }
      index++;
    }
  }
  if (!ok) {
    catalog_free(catalog);
    return NULL;
  }
  return catalog;
}
