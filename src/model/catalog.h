/* The catalog: products, their SKUs, each SKU's availabilities with terms, the legacy
 * offers, promotions, and an index from catalogItemId to what it names. The same
 * Catalog value serves the sandbox (seeded) and the client (filled from replies). */
#ifndef PCCART_MODEL_CATALOG_H
#define PCCART_MODEL_CATALOG_H

#include "model/common.h"

typedef struct ProductType {
  char *id; /* "Azure", "OnlineServices", "Software", "SaaS" */
  char *display_name;
  char *sub_type_id; /* "VirtualMachines", "Perpetual", ... */
  char *sub_type_display_name;
} ProductType;

typedef struct Product {
  char *id; /* "DZH318Z0BQ36" */
  char *title;
  char *description;
  ProductType product_type;
  OptBool is_microsoft_product;
  char *publisher_name;
  LinkList links;
  char *object_type; /* "Product" */
} Product;

typedef struct Sku {
  char *id; /* "004G" */
  char *product_id;
  char *title;
  char *description;
  OptInt minimum_quantity;
  OptInt maximum_quantity;
  OptBool is_trial;
  char *terms_of_use_uri;
  StringList supported_billing_cycles; /* wire spellings: "one_time", "monthly" */
  StringList purchase_prerequisites;   /* "InventoryCheck", "AzureSubscriptionRegistration" */
  StringList inventory_variables;      /* "CustomerId", "AzureSubscriptionId", "ArmRegionName" */
  StringList provisioning_variables;   /* "Scope", "SubscriptionId", "Duration" */
  char *consumption_type;
  OptBool enforce_attestation; /* attestationProperties.enforceAttestation */
  char *attestation_type;
  /* dynamicAttributes (new commerce): an add-on needs one of its prerequisite SKUs bought
   * (in the cart or as a subscription), "productId:skuId". */
  OptBool is_addon;
  StringList prerequisite_skus;
  LinkList links;
  char *object_type; /* "Sku" */
} Sku;

typedef struct RenewalOption {
  char *term_duration;
  char *description;
} RenewalOption;

typedef struct AvailabilityTerm {
  char *id;
  char *duration; /* "P1M", "P1Y", "P3Y" */
  char *description;
  BillingCycle billing_cycle; /* written PascalCase ("Monthly") as availabilities do */
  RenewalOption *renewal_options;
  size_t renewal_option_count;
  /* cancellationPolicies[0].refundOptions in sequence order: the refund type ("Full") and how
   * long after purchase it stays open ("P1D"): the window in which an order can be cancelled. */
  KeyValueList refund_windows;
} AvailabilityTerm;

typedef struct Availability {
  char *id; /* "DZH318Z08C0S" */
  char *product_id;
  char *sku_id;
  char *catalog_item_id; /* "{productId}:{skuId}:{availabilityId}" */
  char *currency_code;   /* defaultCurrency.code */
  char *currency_symbol; /* defaultCurrency.symbol */
  char *segment;         /* "commercial" */
  char *country;         /* "US" */
  OptBool is_purchasable;
  OptBool is_renewable;
  AvailabilityTerm *terms;
  size_t term_count;
  LinkList links;
  char *object_type; /* "Availability" */
} Availability;

/* A legacy (pre-new-commerce) offer such as MS-AZR-0145P; its id is the catalogItemId. */
typedef struct Offer {
  char *id;
  char *name;
  char *description;
  OptInt minimum_quantity;
  OptInt maximum_quantity;
  OptBool is_trial;
  OptBool is_addon;
  char *billing; /* "usage" or "license" */
  StringList supported_billing_cycles;
  char *category; /* "Azure", "OnlineServices" */
  char *country;
  LinkList links;
  char *object_type; /* "Offer" */
} Offer;

/* A new-commerce promotion (GET /v1/productPromotions): a discount on one SKU for one term
 * and billing cycle. A NULL id member or BILLING_CYCLE_UNSET means "any". */
/* A new-commerce promotion as promotion-resources.md documents it. The product, SKU and term
 * it applies to come from its first requiredProducts entry (a promotion for several products
 * is read as the first; the documents show one). */
typedef struct Promotion {
  char *id; /* "39NFJQT1Q5KV:0002:39NFJQT1Q5KW" */
  char *name;
  char *description;
  char *start_date;
  char *end_date;
  OptBool auto_applicable;    /* properties.isAutoApplicable: the service applies it itself */
  char *product_id;           /* requiredProducts[0].productId */
  char *sku_id;               /* requiredProducts[0].skuId */
  char *term_duration;        /* requiredProducts[0].term.duration: "P1Y" */
  BillingCycle billing_cycle; /* requiredProducts[0].term.billingCycle, PascalCase ("Annual") */
  char *percent_discount;     /* pricingPolicies' PercentDiscount value as sent: "0.5" */
} Promotion;

/* What one catalogItemId names: either a product/SKU/availability triple or a legacy offer. */
typedef struct CatalogItem {
  const Product *product;
  const Sku *sku;
  const Availability *availability;
  const Offer *offer;
} CatalogItem;

/* The catalog owns everything in it. Arrays grow with catalog_add_*, which also keeps the
 * id index current, so a filled catalog can be read by several threads without locks.
 * Lookups are by id (case-insensitive); the pointers they return stay valid until the next
 * add (the arrays may move) or until the catalog is freed. */
typedef struct Catalog {
  Product *products;
  size_t product_count;
  Sku *skus;
  size_t sku_count;
  Availability *availabilities;
  size_t availability_count;
  Offer *offers;
  size_t offer_count;
  Promotion *promotions;
  size_t promotion_count;
  struct CatalogIndex *index; /* kept current by catalog_add_*; lookups never build it */
} Catalog;

Catalog *catalog_new(void);
void catalog_free(Catalog *catalog);

/* Each add copies the value (deep) and returns the stored copy, or NULL if OOM. */
Product *catalog_add_product(Catalog *catalog, const Product *product);
Sku *catalog_add_sku(Catalog *catalog, const Sku *sku);
Availability *catalog_add_availability(Catalog *catalog, const Availability *availability);
Offer *catalog_add_offer(Catalog *catalog, const Offer *offer);
Promotion *catalog_add_promotion(Catalog *catalog, const Promotion *promotion);

const Product *catalog_find_product(const Catalog *catalog, const char *product_id);
const Sku *catalog_find_sku(const Catalog *catalog, const char *product_id, const char *sku_id);
const Availability *catalog_find_availability(const Catalog *catalog, const char *product_id,
                                              const char *sku_id, const char *availability_id);
const Offer *catalog_find_offer(const Catalog *catalog, const char *offer_id);
const Promotion *catalog_find_promotion(const Catalog *catalog, const char *promotion_id);
/* Resolves "{p}:{s}:{a}" or a legacy offer id; false when it names nothing. */
bool catalog_find_item(const Catalog *catalog, const char *catalog_item_id, CatalogItem *out);

/* Fills out with pointers to the catalog's SKUs of a product / availabilities of a SKU,
 * in catalog order; returns how many (out may be NULL to count). */
size_t catalog_skus_of(const Catalog *catalog, const char *product_id, const Sku **out, size_t max);
size_t catalog_availabilities_of(const Catalog *catalog, const char *product_id, const char *sku_id,
                                 const Availability **out, size_t max);

void product_clear(Product *product);
bool product_copy(Product *dst, const Product *src);
bool product_from_json(Product *product, const cJSON *json);
cJSON *product_to_json(const Product *product);

void sku_clear(Sku *sku);
bool sku_copy(Sku *dst, const Sku *src);
bool sku_from_json(Sku *sku, const cJSON *json);
cJSON *sku_to_json(const Sku *sku);

void availability_clear(Availability *availability);
bool availability_copy(Availability *dst, const Availability *src);
bool availability_from_json(Availability *availability, const cJSON *json);
cJSON *availability_to_json(const Availability *availability);
/* Adds a term (deep copy); false if OOM. */
bool availability_add_term(Availability *availability, const AvailabilityTerm *term);
/* The term with this duration and billing cycle (either may be UNSET/NULL to match any). */
const AvailabilityTerm *availability_find_term(const Availability *availability,
                                               const char *duration, BillingCycle cycle);

void offer_clear(Offer *offer);
bool offer_copy(Offer *dst, const Offer *src);
bool offer_from_json(Offer *offer, const cJSON *json);
cJSON *offer_to_json(const Offer *offer);

void promotion_clear(Promotion *promotion);
bool promotion_copy(Promotion *dst, const Promotion *src);
/* {id, name, description, productId, skuId, termDuration, billingCycle,
 * attributes.objectType "ProductPromotion"}: the shape is inferred (docs/sandbox.md). The
 * reader is tolerant as the others are; the billing cycle may be either spelling or a number. */
bool promotion_from_json(Promotion *promotion, const cJSON *json);
cJSON *promotion_to_json(const Promotion *promotion);

/* The whole catalog as one document (the CLI's catalog export file):
 * {"customerId","country","products":[..],"skus":[..],"availabilities":[..],"offers":[..],
 *  "promotions":[..],"attributes":{"objectType":"CatalogExport"}}.
 * customer_id and country say whose catalog it is; NULL leaves them out. NULL if OOM. */
cJSON *catalog_to_json(const Catalog *catalog, const char *customer_id, const char *country);
/* Reads that document back (any of the arrays may be absent, not all of them). NULL with a
 * sentence in err when it is not such a document, an entry cannot be read, or out of memory. */
Catalog *catalog_from_json(const cJSON *json, char *err, size_t err_size);

/* {"totalCount":n,"items":[..],"links":{..},"attributes":{"objectType":"Collection"}}:
 * takes ownership of items (a cJSON array) and returns the envelope, NULL if OOM. */
cJSON *json_collection_take(cJSON *items, const LinkList *links);

#endif
