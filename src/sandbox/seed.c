/* The sandbox's seed data. The catalog is a set of static tables turned into a Catalog;
 * customers are computed from their index alone (a bijective permutation picks the name
 * parts, a splitmix64 stream the rest), so any one of 100,000 costs O(1) and nothing is
 * stored. */
#include "sandbox/seed.h"

#include "sandbox/sandbox.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ======================================================================================
 * Catalog tables
 * ====================================================================================== */

typedef struct SeedType {
  const char *id;
  const char *name;
  const char *sub_id;
  const char *sub_name;
} SeedType;

static const SeedType TYPE_RESERVATION = {"Azure", "Azure", "VirtualMachines", "Virtual Machines"};
static const SeedType TYPE_PERPETUAL = {"Software", "Software", "Perpetual", "Perpetual"};
static const SeedType TYPE_SAAS = {"SaaS", "SaaS", NULL, NULL};
/* get-a-list-of-products-by-customer.md: new-commerce licence-based services are identified
 * by id and displayName "OnlineServicesNCE" (listed under targetView=OnlineServices). */
static const SeedType TYPE_NCE = {"OnlineServicesNCE", "OnlineServicesNCE", NULL, NULL};

typedef struct SeedProduct {
  const char *id;
  const char *title;
  const char *description;
  const SeedType *type;
  const char *publisher;
} SeedProduct;

#define MICROSOFT "Microsoft Corporation"

static const SeedProduct PRODUCTS[] = {
    {"DZH318Z0BQ36", "Reserved Virtual Machine Instances",
     "Reserve virtual machines in a region for one or three years and pay for them up front.",
     &TYPE_RESERVATION, MICROSOFT},
    {"DG7GMGF0DWTL", "SQL Server 2019 Standard",
     "Perpetual licenses for SQL Server 2019 Standard, licensed per core.", &TYPE_PERPETUAL,
     MICROSOFT},
    {"DG7GMGF0DWM3", "BizTalk Server 2016",
     "Perpetual licenses for BizTalk Server 2016 integration server editions.", &TYPE_PERPETUAL,
     MICROSOFT},
    {"DZH318Z0BXWC", "Barracuda WAF-as-a-Service",
     "Web application firewall delivered as a service, protecting web apps and APIs.", &TYPE_SAAS,
     "Barracuda Networks, Inc."},
    {"DZH318Z0C0WF", "Barracuda Cloud-to-Cloud Backup",
     "Backup and recovery for Microsoft 365 mail, OneDrive, SharePoint and Teams data.", &TYPE_SAAS,
     "Barracuda Networks, Inc."},
    {"CFQ7TTC0LH18", "Microsoft 365 Business Basic",
     "Web and mobile Office apps, Teams, business email and 1 TB of cloud storage per user.",
     &TYPE_NCE, MICROSOFT},
    {"CFQ7TTC0LDPB", "Microsoft 365 Business Standard",
     "Desktop Office apps with premium features, Teams, email and cloud storage.", &TYPE_NCE,
     MICROSOFT},
    {"CFQ7TTC0LCHC", "Microsoft 365 Business Premium",
     "Business Standard plus advanced security, device management and threat protection.",
     &TYPE_NCE, MICROSOFT},
    {"CFQ7TTC0LFLX", "Microsoft 365 E3",
     "Office apps, Windows Enterprise, and enterprise-grade identity, security and compliance.",
     &TYPE_NCE, MICROSOFT},
    {"CFQ7TTC0LH16", "Exchange Online (Plan 1)",
     "Business email with a 50 GB mailbox, calendar and contacts.", &TYPE_NCE, MICROSOFT},
    {"CFQ7TTC0LH0Z", "AI Builder Capacity add-on T1",
     "Additional AI Builder service credits for Power Platform.", &TYPE_NCE, MICROSOFT},
    /* create-a-cart.md's new-commerce example buys CFQ7TTC0LFLS:0002:CFQ7TTC0KDLJ
     * (update-a-cart.md names it "Azure Active Directory Premium P1"). */
    {"CFQ7TTC0LFLS", "Azure Active Directory Premium P1",
     "Identity and access management with conditional access, per user.", &TYPE_NCE, MICROSOFT},
    {"CFQ7TTC0LH1G", "Microsoft Teams Phone Standard",
     "Add-on: cloud phone system for Teams with call control and PBX features.", &TYPE_NCE,
     MICROSOFT},
    {"CFQ7TTC0LHSV", "Microsoft 365 E5 Security",
     "Add-on for Microsoft 365 E3: Defender for Endpoint P2, Identity, Office 365 P2 and Cloud "
     "Apps.",
     &TYPE_NCE, MICROSOFT},
    {"CFQ7TTC0LFK5", "Microsoft Entra ID P1",
     "Add-on: conditional access, group-based access management and hybrid identity.", &TYPE_NCE,
     MICROSOFT},
    {"CFQ7TTC0J1WX", "Windows 365 Business",
     "Cloud PCs streamed from the Microsoft cloud; the partner attests end-customer eligibility.",
     &TYPE_NCE, MICROSOFT},
};

/* Strings lists are space-separated here and split when the catalog is built. */
typedef struct SeedSku {
  const char *product_id;
  const char *id;
  const char *title;
  const char *description;
  long min;
  long max;
  bool trial;
  const char *billing_cycles;
  const char *prerequisites;
  const char *inventory_variables;
  const char *provisioning_variables;
  const char *attestation_type; /* non-NULL: attestation enforced */
} SeedSku;

#define RI_PREREQUISITES "InventoryCheck AzureSubscriptionRegistration"
#define RI_INVENTORY "CustomerId AzureSubscriptionId ArmRegionName"
#define RI_MAX 999999999L
#define NCE_CYCLES "monthly annual"
#define NCE_CYCLES_3Y "monthly annual triennial"
#define NCE_MAX 2000L
#define ADDON_MAX 300L

static const SeedSku SKUS[] = {
    {.product_id = "DZH318Z0BQ36",
     .id = "004G",
     .title = "Reserved VM Instance, Standard_NV12, US East 2, 1 Year",
     .description = "Standard_NV12 reserved virtual machine instance in US East 2 for one year.",
     .min = 1,
     .max = RI_MAX,
     .billing_cycles = "one_time",
     .prerequisites = RI_PREREQUISITES,
     .inventory_variables = RI_INVENTORY,
     .provisioning_variables = "Scope SubscriptionId"},
    {.product_id = "DZH318Z0BQ36",
     .id = "004J",
     .title = "Reserved VM Instance, Standard_NV12, US East 2, 3 Years",
     .description = "Standard_NV12 reserved virtual machine instance in US East 2 for three years.",
     .min = 1,
     .max = RI_MAX,
     .billing_cycles = "one_time",
     .prerequisites = RI_PREREQUISITES,
     .inventory_variables = RI_INVENTORY,
     .provisioning_variables = "Scope SubscriptionId"},
    /* The newer shape: one SKU, the term chosen by availability and named again in the
     * provisioning context's duration ("1Year" / "3Years"). */
    {.product_id = "DZH318Z0BQ36",
     .id = "00B2",
     .title = "Reserved VM Instance, Standard_D2s_v3, West Europe",
     .description = "Standard_D2s_v3 reserved virtual machine instance in West Europe.",
     .min = 1,
     .max = RI_MAX,
     .billing_cycles = "one_time",
     .prerequisites = RI_PREREQUISITES,
     .inventory_variables = RI_INVENTORY,
     .provisioning_variables = "Scope SubscriptionId Duration"},
    {.product_id = "DG7GMGF0DWTL",
     .id = "0001",
     .title = "SQL Server 2019 Standard - 2 Core License Pack",
     .description = "Perpetual license for two cores of SQL Server 2019 Standard.",
     .min = 1,
     .max = 999,
     .billing_cycles = "one_time"},
    {.product_id = "DG7GMGF0DWM3",
     .id = "0002",
     .title = "BizTalk Server 2016 Branch",
     .description = "Perpetual license for BizTalk Server 2016 Branch edition, per core.",
     .min = 1,
     .max = 999,
     .billing_cycles = "one_time"},
    {.product_id = "DZH318Z0BXWC",
     .id = "0001",
     .title = "Barracuda WaaS - Small Plan",
     .description = "Up to 5 applications and 25 Mbps of protected traffic.",
     .min = 1,
     .max = 10000,
     .billing_cycles = "monthly annual"},
    {.product_id = "DZH318Z0BXWC",
     .id = "0002",
     .title = "Barracuda WaaS - Medium Plan",
     .description = "Up to 10 applications and 100 Mbps of protected traffic.",
     .min = 1,
     .max = 10000,
     .billing_cycles = "monthly annual"},
    {.product_id = "DZH318Z0C0WF",
     .id = "0001",
     .title = "Barracuda Cloud-to-Cloud Backup - Free Trial",
     .description = "One month free, then renews to a one-year paid plan.",
     .min = 1,
     .max = 100,
     .trial = true,
     .billing_cycles = "none"},
    {.product_id = "CFQ7TTC0LH18",
     .id = "0001",
     .title = "Microsoft 365 Business Basic",
     .description = "Microsoft 365 Business Basic, per user.",
     .min = 1,
     .max = NCE_MAX,
     .billing_cycles = NCE_CYCLES_3Y},
    {.product_id = "CFQ7TTC0LDPB",
     .id = "0001",
     .title = "Microsoft 365 Business Standard",
     .description = "Microsoft 365 Business Standard, per user.",
     .min = 1,
     .max = NCE_MAX,
     .billing_cycles = NCE_CYCLES},
    {.product_id = "CFQ7TTC0LCHC",
     .id = "0002",
     .title = "Microsoft 365 Business Premium",
     .description = "Microsoft 365 Business Premium, per user.",
     .min = 1,
     .max = NCE_MAX,
     .billing_cycles = NCE_CYCLES_3Y},
    {.product_id = "CFQ7TTC0LCHC",
     .id = "0003",
     .title = "Microsoft 365 Business Premium Trial",
     .description = "One month free trial of Microsoft 365 Business Premium for up to 25 users.",
     .min = 1,
     .max = 25,
     .trial = true,
     .billing_cycles = "none"},
    {.product_id = "CFQ7TTC0LFLX",
     .id = "0001",
     .title = "Microsoft 365 E3",
     .description = "Microsoft 365 E3, per user.",
     .min = 1,
     .max = NCE_MAX,
     .billing_cycles = NCE_CYCLES_3Y},
    {.product_id = "CFQ7TTC0LH16",
     .id = "0001",
     .title = "Exchange Online (Plan 1)",
     .description = "Exchange Online (Plan 1), per user.",
     .min = 1,
     .max = NCE_MAX,
     .billing_cycles = NCE_CYCLES},
    {.product_id = "CFQ7TTC0LH0Z",
     .id = "0001",
     .title = "AI Builder Capacity add-on T1",
     .description = "One million AI Builder service credits per month.",
     .min = 1,
     .max = ADDON_MAX,
     .billing_cycles = NCE_CYCLES},
    {.product_id = "CFQ7TTC0LFLS",
     .id = "0002",
     .title = "Azure Active Directory Premium P1",
     .description = "Azure Active Directory Premium P1, per user.",
     .min = 1,
     .max = NCE_MAX,
     .billing_cycles = NCE_CYCLES},
    {.product_id = "CFQ7TTC0LH1G",
     .id = "0001",
     .title = "Microsoft Teams Phone Standard",
     .description = "Teams Phone Standard, per user; bought like a base offer.",
     .min = 1,
     .max = ADDON_MAX,
     .billing_cycles = NCE_CYCLES},
    {.product_id = "CFQ7TTC0LHSV",
     .id = "0001",
     .title = "Microsoft 365 E5 Security",
     .description = "Microsoft 365 E5 Security, per user; bought like a base offer.",
     .min = 1,
     .max = ADDON_MAX,
     .billing_cycles = NCE_CYCLES},
    {.product_id = "CFQ7TTC0LFK5",
     .id = "0001",
     .title = "Microsoft Entra ID P1",
     .description = "Microsoft Entra ID P1, per user; bought like a base offer.",
     .min = 1,
     .max = ADDON_MAX,
     .billing_cycles = NCE_CYCLES},
    {.product_id = "CFQ7TTC0J1WX",
     .id = "0001",
     .title = "Windows 365 Business 2 vCPU, 8 GB, 128 GB",
     .description = "A Windows 365 Business Cloud PC, per user. Requires attestation.",
     .min = 1,
     .max = NCE_MAX,
     .billing_cycles = NCE_CYCLES,
     .attestation_type = "WindowsEndUserAttestation"},
};

typedef struct SeedTerm {
  const char *duration;
  BillingCycle cycle;
  const char *renews_to; /* trials: the paid term they turn into */
} SeedTerm;

/* Term sets end with a NULL duration. */
static const SeedTerm TERMS_NONE[] = {{NULL, BILLING_CYCLE_UNSET, NULL}};
static const SeedTerm TERMS_1Y_ONCE[] = {{"P1Y", BILLING_CYCLE_ONE_TIME, NULL},
                                         {NULL, BILLING_CYCLE_UNSET, NULL}};
static const SeedTerm TERMS_3Y_ONCE[] = {{"P3Y", BILLING_CYCLE_ONE_TIME, NULL},
                                         {NULL, BILLING_CYCLE_UNSET, NULL}};
static const SeedTerm TERMS_TRIAL[] = {{"P1M", BILLING_CYCLE_NONE, "P1Y"},
                                       {NULL, BILLING_CYCLE_UNSET, NULL}};
static const SeedTerm TERMS_NCE[] = {{"P1M", BILLING_CYCLE_MONTHLY, NULL},
                                     {"P1Y", BILLING_CYCLE_ANNUAL, NULL},
                                     {"P1Y", BILLING_CYCLE_MONTHLY, NULL},
                                     {NULL, BILLING_CYCLE_UNSET, NULL}};
static const SeedTerm TERMS_NCE_3Y[] = {
    {"P1M", BILLING_CYCLE_MONTHLY, NULL}, {"P1Y", BILLING_CYCLE_ANNUAL, NULL},
    {"P1Y", BILLING_CYCLE_MONTHLY, NULL}, {"P3Y", BILLING_CYCLE_TRIENNIAL, NULL},
    {"P3Y", BILLING_CYCLE_ANNUAL, NULL},  {NULL, BILLING_CYCLE_UNSET, NULL}};

typedef struct SeedAvailability {
  const char *product_id;
  const char *sku_id;
  const char *id;
  const SeedTerm *terms;
  bool renewable;
} SeedAvailability;

static const SeedAvailability AVAILABILITIES[] = {
    {"DZH318Z0BQ36", "004G", "DZH318Z08C0S", TERMS_1Y_ONCE, false},
    {"DZH318Z0BQ36", "004J", "DZH318Z08B8X", TERMS_3Y_ONCE, false},
    {"DZH318Z0BQ36", "00B2", "DZH318Z08D2W", TERMS_1Y_ONCE, false},
    {"DZH318Z0BQ36", "00B2", "DZH318Z08D2X", TERMS_3Y_ONCE, false},
    /* Perpetual software has no term: its lines carry no termDuration. */
    {"DG7GMGF0DWTL", "0001", "DG7GMGF0DSFM", TERMS_NONE, false},
    {"DG7GMGF0DWM3", "0002", "DG7GMGF0DT1M", TERMS_NONE, false},
    {"DZH318Z0BXWC", "0001", "DZH318Z0BMRT", TERMS_NCE, true},
    {"DZH318Z0BXWC", "0002", "DZH318Z0BMRV", TERMS_NCE, true},
    {"DZH318Z0C0WF", "0001", "DZH318Z0BP69", TERMS_TRIAL, false},
    {"CFQ7TTC0LH18", "0001", "CFQ7TTC0K59J", TERMS_NCE_3Y, true},
    {"CFQ7TTC0LDPB", "0001", "CFQ7TTC0K5B1", TERMS_NCE, true},
    {"CFQ7TTC0LCHC", "0002", "CFQ7TTC0K5BF", TERMS_NCE_3Y, true},
    /* The trial of Partner-Center-PowerShell #388. */
    {"CFQ7TTC0LCHC", "0003", "CFQ7TTC0KF52", TERMS_TRIAL, false},
    {"CFQ7TTC0LFLX", "0001", "CFQ7TTC0K5F8", TERMS_NCE_3Y, true},
    {"CFQ7TTC0LH16", "0001", "CFQ7TTC0K5DJ", TERMS_NCE, true},
    /* The reference's NCE example, CFQ7TTC0LH0Z:0001:CFQ7TTC0K18P. */
    {"CFQ7TTC0LH0Z", "0001", "CFQ7TTC0K18P", TERMS_NCE, true},
    {"CFQ7TTC0LFLS", "0002", "CFQ7TTC0KDLJ", TERMS_NCE, true},
    {"CFQ7TTC0LH1G", "0001", "CFQ7TTC0K6FM", TERMS_NCE, true},
    {"CFQ7TTC0LHSV", "0001", "CFQ7TTC0K7QB", TERMS_NCE, true},
    {"CFQ7TTC0LFK5", "0001", "CFQ7TTC0K8RT", TERMS_NCE, true},
    {"CFQ7TTC0J1WX", "0001", "CFQ7TTC0K9W3", TERMS_NCE, true},
};

typedef struct SeedOffer {
  const char *id;
  const char *name;
  const char *description;
  long min;
  long max;
  const char *billing;
  const char *billing_cycles;
  const char *category;
} SeedOffer;

static const SeedOffer OFFERS[] = {
    {"MS-AZR-0145P", "Microsoft Azure",
     "Pay-as-you-go Azure consumption for the customer, billed monthly in arrears.", 1, 1, "usage",
     "monthly", "Azure"},
};

static const Promotion PROMOTIONS[] = {
    {.id = "39NFJQT1Q5KV:0002:39NFJQT1Q5KW",
     .name = "Microsoft 365 Business Basic: 15% off a one-year term paid annually",
     .product_id = "CFQ7TTC0LH18",
     .sku_id = "0001",
     .term_duration = "P1Y",
     .billing_cycle = BILLING_CYCLE_ANNUAL},
    {.id = "39NFJQT1MQ3B:0001:39NFJQT1MQ3C",
     .name = "Microsoft 365 Business Premium: 10% off a one-year term paid monthly",
     .product_id = "CFQ7TTC0LCHC",
     .sku_id = "0002",
     .term_duration = "P1Y",
     .billing_cycle = BILLING_CYCLE_MONTHLY},
    {.id = "39NFJQT1N0QH:0002:39NFJQT1N0QJ",
     .name = "Microsoft 365 E3: 5% off a three-year term",
     .product_id = "CFQ7TTC0LFLX",
     .sku_id = "0001",
     .term_duration = "P3Y",
     .billing_cycle = BILLING_CYCLE_TRIENNIAL},
    {.id = "39NFJQT1R2XW:0001:39NFJQT1R2XZ",
     .name = "Teams Phone Standard: 20% off a one-year term paid annually",
     .product_id = "CFQ7TTC0LH1G",
     .sku_id = "0001",
     .term_duration = "P1Y",
     .billing_cycle = BILLING_CYCLE_ANNUAL},
};

#define SEED_COUNTRY "US"

/* ----- turning the tables into a Catalog ----- */

/* The temporaries below borrow the tables' strings ((char *) casts) and own only the
 * lists they build; catalog_add_* deep-copies, so only those lists are freed here. */

static bool words_add(StringList *list, const char *words) {
  if (!words) {
    return true;
  }
  char word[64];
  while (*words) {
    size_t n = strcspn(words, " ");
    if (n > 0) {
      if (n >= sizeof word) {
        return false;
      }
      memcpy(word, words, n);
      word[n] = '\0';
      if (!string_list_add(list, word)) {
        return false;
      }
    }
    words += n;
    words += strspn(words, " ");
  }
  return true;
}

static bool add_link(LinkList *links, const char *name, const char *uri) {
  return link_list_add(links, name, uri, "GET");
}

static bool add_product(Catalog *catalog, const SeedProduct *row) {
  char self[128], skus[128];
  snprintf(self, sizeof self, "/products/%s?country=%s", row->id, SEED_COUNTRY);
  snprintf(skus, sizeof skus, "/products/%s/skus?country=%s", row->id, SEED_COUNTRY);
  Product product = {
      .id = (char *)row->id,
      .title = (char *)row->title,
      .description = (char *)row->description,
      .product_type = {(char *)row->type->id, (char *)row->type->name, (char *)row->type->sub_id,
                       (char *)row->type->sub_name},
      .is_microsoft_product = opt_bool(strcmp(row->publisher, MICROSOFT) == 0),
      .publisher_name = (char *)row->publisher,
      .object_type = "Product",
  };
  bool ok = add_link(&product.links, "skus", skus) && add_link(&product.links, "self", self) &&
            catalog_add_product(catalog, &product) != NULL;
  link_list_clear(&product.links);
  return ok;
}

static bool add_sku(Catalog *catalog, const SeedSku *row) {
  char self[160], availabilities[160];
  snprintf(self, sizeof self, "/products/%s/skus/%s?country=%s", row->product_id, row->id,
           SEED_COUNTRY);
  snprintf(availabilities, sizeof availabilities, "/products/%s/skus/%s/availabilities?country=%s",
           row->product_id, row->id, SEED_COUNTRY);
  Sku sku = {
      .id = (char *)row->id,
      .product_id = (char *)row->product_id,
      .title = (char *)row->title,
      .description = (char *)row->description,
      .minimum_quantity = opt_int(row->min),
      .maximum_quantity = opt_int(row->max),
      .is_trial = opt_bool(row->trial),
      .enforce_attestation = opt_bool(row->attestation_type != NULL),
      .attestation_type = (char *)row->attestation_type,
      .object_type = "Sku",
  };
  bool ok = words_add(&sku.supported_billing_cycles, row->billing_cycles) &&
            words_add(&sku.purchase_prerequisites, row->prerequisites) &&
            words_add(&sku.inventory_variables, row->inventory_variables) &&
            words_add(&sku.provisioning_variables, row->provisioning_variables) &&
            add_link(&sku.links, "availabilities", availabilities) &&
            add_link(&sku.links, "self", self) && catalog_add_sku(catalog, &sku) != NULL;
  string_list_clear(&sku.supported_billing_cycles);
  string_list_clear(&sku.purchase_prerequisites);
  string_list_clear(&sku.inventory_variables);
  string_list_clear(&sku.provisioning_variables);
  link_list_clear(&sku.links);
  return ok;
}

/* "1 Month", "1 Year", "3 Years": how Partner Center describes term lengths. */
static const char *duration_description(const char *duration) {
  if (strcmp(duration, "P1M") == 0) {
    return "1 Month";
  }
  if (strcmp(duration, "P1Y") == 0) {
    return "1 Year";
  }
  if (strcmp(duration, "P3Y") == 0) {
    return "3 Years";
  }
  return duration;
}

#define MAX_TERMS 8

static bool add_availability(Catalog *catalog, const SeedAvailability *row) {
  char item_id[64], self[192];
  snprintf(item_id, sizeof item_id, "%s:%s:%s", row->product_id, row->sku_id, row->id);
  snprintf(self, sizeof self, "/products/%s/skus/%s/availabilities/%s?country=%s", row->product_id,
           row->sku_id, row->id, SEED_COUNTRY);
  AvailabilityTerm terms[MAX_TERMS];
  RenewalOption renewals[MAX_TERMS];
  size_t count = 0;
  for (; count < MAX_TERMS && row->terms[count].duration; count++) {
    const SeedTerm *from = &row->terms[count];
    terms[count] = (AvailabilityTerm){
        .duration = (char *)from->duration,
        .description = (char *)duration_description(from->duration),
        .billing_cycle = from->cycle,
    };
    if (from->renews_to) {
      renewals[count] =
          (RenewalOption){(char *)from->renews_to, (char *)duration_description(from->renews_to)};
      terms[count].renewal_options = &renewals[count];
      terms[count].renewal_option_count = 1;
    }
  }
  Availability availability = {
      .id = (char *)row->id,
      .product_id = (char *)row->product_id,
      .sku_id = (char *)row->sku_id,
      .catalog_item_id = item_id,
      .currency_code = "USD",
      .currency_symbol = "$",
      .segment = "commercial",
      .country = SEED_COUNTRY,
      .is_purchasable = opt_bool(true),
      .is_renewable = opt_bool(row->renewable),
      .terms = count > 0 ? terms : NULL,
      .term_count = count,
      .object_type = "Availability",
  };
  bool ok = add_link(&availability.links, "self", self) &&
            catalog_add_availability(catalog, &availability) != NULL;
  link_list_clear(&availability.links);
  return ok;
}

static bool add_offer(Catalog *catalog, const SeedOffer *row) {
  char self[128];
  snprintf(self, sizeof self, "/offers/%s?country=%s", row->id, SEED_COUNTRY);
  Offer offer = {
      .id = (char *)row->id,
      .name = (char *)row->name,
      .description = (char *)row->description,
      .minimum_quantity = opt_int(row->min),
      .maximum_quantity = opt_int(row->max),
      .is_trial = opt_bool(false),
      .is_addon = opt_bool(false),
      .billing = (char *)row->billing,
      .category = (char *)row->category,
      .country = SEED_COUNTRY,
      .object_type = "Offer",
  };
  bool ok = words_add(&offer.supported_billing_cycles, row->billing_cycles) &&
            add_link(&offer.links, "self", self) && catalog_add_offer(catalog, &offer) != NULL;
  string_list_clear(&offer.supported_billing_cycles);
  link_list_clear(&offer.links);
  return ok;
}

Catalog *seed_catalog_new(void) {
  Catalog *catalog = catalog_new();
  bool ok = catalog != NULL;
  for (size_t i = 0; ok && i < COUNT_OF(PRODUCTS); i++) {
    ok = add_product(catalog, &PRODUCTS[i]);
  }
  for (size_t i = 0; ok && i < COUNT_OF(SKUS); i++) {
    ok = add_sku(catalog, &SKUS[i]);
  }
  for (size_t i = 0; ok && i < COUNT_OF(AVAILABILITIES); i++) {
    ok = add_availability(catalog, &AVAILABILITIES[i]);
  }
  for (size_t i = 0; ok && i < COUNT_OF(OFFERS); i++) {
    ok = add_offer(catalog, &OFFERS[i]);
  }
  for (size_t i = 0; ok && i < COUNT_OF(PROMOTIONS); i++) {
    ok = catalog_add_promotion(catalog, &PROMOTIONS[i]) != NULL;
  }
  if (!ok) {
    catalog_free(catalog);
    return NULL;
  }
  return catalog;
}

/* ======================================================================================
 * Customers
 * ====================================================================================== */

enum { LANG_EN, LANG_DE, LANG_FR, LANG_PL, LANG_ES };

#define SURNAME_COUNT 12
#define INDUSTRY_COUNT 16
#define FIRST_NAME_COUNT 12
#define STREET_COUNT 6
#define LEGAL_COUNT 3

typedef struct SeedLanguage {
  const char *code;
  bool industry_first; /* "Transports Dubois" (fr, es) rather than "Müller Präzisionstechnik" */
  bool number_first;   /* "12 rue ..." rather than "Hauptstraße 12" */
  const char *number_separator;
  /* Local company names and contacts' surnames alike. */
  const char *surnames[SURNAME_COUNT];
  const char *industries[INDUSTRY_COUNT];
  const char *first_names[FIRST_NAME_COUNT];
  const char *streets[STREET_COUNT];
} SeedLanguage;

static const SeedLanguage LANGUAGES[] = {
    [LANG_EN] = {"en",
                 false,
                 true,
                 " ",
                 {"Harrison", "Whitfield", "Ashford", "Bennett", "Caldwell", "Fairbanks",
                  "Greenwood", "Holloway", "Kingsley", "Lancaster", "Pemberton", "Sterling"},
                 {"Logistics", "Consulting", "Engineering", "Healthcare", "Analytics",
                  "Construction", "Manufacturing", "Retail", "Media", "Energy", "Foods", "Design",
                  "Legal Services", "Capital", "Labs", "Hospitality"},
                 {"James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "David", "Linda",
                  "Daniel", "Emily", "Christopher", "Sarah"},
                 {"Main Street", "Pine Street", "Oak Avenue", "Maple Drive", "Lake Shore Boulevard",
                  "Market Street"}},
    [LANG_DE] = {"de",
                 false,
                 false,
                 " ",
                 {"Müller", "Schäfer", "Weiß", "Becker", "Hoffmann", "Köhler", "Schröder", "Krüger",
                  "Wagner", "Fischer", "Groß", "Zimmermann"},
                 {"Präzisionstechnik", "Logistik", "Maschinenbau", "Elektrotechnik", "Haustechnik",
                  "Bau", "Medizintechnik", "Immobilien", "Spedition", "Versicherungsmakler",
                  "Softwareentwicklung", "Getränke", "Drucktechnik", "Fahrzeugtechnik",
                  "Gebäudeservice", "Steuerberatung"},
                 {"Jürgen", "Katrin", "Stefan", "Sabine", "Matthias", "Julia", "Andreas", "Claudia",
                  "Björn", "Anja", "Thomas", "Jörg"},
                 {"Hauptstraße", "Bahnhofstraße", "Königsallee", "Schillerstraße", "Lindenweg",
                  "Friedrichstraße"}},
    [LANG_FR] = {"fr",
                 true,
                 true,
                 " ",
                 {"Dubois", "Lefèvre", "Moreau", "Girard", "Rousseau", "Mercier", "Bonnet", "Faure",
                  "Chevalier", "Lemaître", "Garnier", "Bérenger"},
                 {"Transports", "Conseil", "Imprimerie", "Boulangerie", "Bâtiment", "Pharmacie",
                  "Électricité", "Cabinet", "Garage", "Menuiserie", "Assurances", "Informatique",
                  "Architecture", "Distribution", "Laboratoires", "Café"},
                 {"Jean", "Marie", "François", "Hélène", "Pierre", "Élodie", "Louis", "Camille",
                  "Stéphane", "Céline", "Nicolas", "Aurélie"},
                 {"rue de la République", "avenue Victor-Hugo", "boulevard Haussmann",
                  "rue du Faubourg", "place Bellecour", "rue Saint-Honoré"}},
    [LANG_PL] = {"pl",
                 false,
                 false,
                 " ",
                 {"Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski",
                  "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski"},
                 {"Logistyka", "Budownictwo", "Transport", "Informatyka", "Serwis", "Meble",
                  "Elektronika", "Handel", "Doradztwo", "Poligrafia", "Instalacje", "Motoryzacja",
                  "Farmacja", "Inżynieria", "Energetyka", "Ogrody"},
                 {"Piotr", "Anna", "Krzysztof", "Małgorzata", "Tomasz", "Agnieszka", "Paweł",
                  "Katarzyna", "Łukasz", "Joanna", "Michał", "Zofia"},
                 {"ul. Piotrkowska", "ul. Marszałkowska", "ul. Długa", "al. Jerozolimskie",
                  "ul. Floriańska", "ul. Świętokrzyska"}},
    [LANG_ES] = {"es",
                 true,
                 false,
                 ", ",
                 {"García", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Muñoz",
                  "Jiménez", "Ruiz", "Hernández", "Díaz"},
                 {"Construcciones", "Transportes", "Consultoría", "Distribuciones", "Talleres",
                  "Inmobiliaria", "Suministros", "Ingeniería", "Asesoría", "Gráficas",
                  "Electricidad", "Farmacéutica", "Hostelería", "Informática", "Logística",
                  "Alimentación"},
                 {"José", "María", "Antonio", "Carmen", "Manuel", "Lucía", "Francisco", "Isabel",
                  "Javier", "Ana", "Sergio", "Inés"},
                 {"Calle Mayor", "Gran Vía", "Calle de Alcalá", "Paseo de Gracia",
                  "Avenida de la Constitución", "Calle Serrano"}},
};

enum { C_US, C_GB, C_DE, C_FR, C_PL, C_ES };

typedef struct SeedCountry {
  const char *code;
  const char *culture;
  int language;
  const char *legal_forms[LEGAL_COUNT];
  const char *phone_prefix;
} SeedCountry;

static const SeedCountry COUNTRIES[] = {
    [C_US] = {"US", "en-US", LANG_EN, {"Inc.", "LLC", "Corp."}, "+1 425-555-"},
    [C_GB] = {"GB", "en-GB", LANG_EN, {"Ltd", "PLC", "LLP"}, "+44 20 7946 "},
    [C_DE] = {"DE", "de-DE", LANG_DE, {"GmbH", "AG", "GmbH & Co. KG"}, "+49 30 90182"},
    [C_FR] = {"FR", "fr-FR", LANG_FR, {"SAS", "SARL", "SA"}, "+33 1 99 00 "},
    [C_PL] = {"PL", "pl-PL", LANG_PL, {"sp. z o.o.", "S.A.", "sp.j."}, "+48 22 555 "},
    [C_ES] = {"ES", "es-ES", LANG_ES, {"S.L.", "S.A.", "S.L.U."}, "+34 91 555 "},
};

typedef struct SeedCity {
  int country;
  const char *city;
  const char *state;
  const char *postal_code;
} SeedCity;

/* City names are distinct: a company name's city tells its location apart. */
static const SeedCity CITIES[] = {
    {C_US, "Seattle", "WA", "98101"},
    {C_US, "Redmond", "WA", "98052"},
    {C_US, "Portland", "OR", "97201"},
    {C_US, "San Francisco", "CA", "94105"},
    {C_US, "Los Angeles", "CA", "90012"},
    {C_US, "San Diego", "CA", "92101"},
    {C_US, "Denver", "CO", "80202"},
    {C_US, "Phoenix", "AZ", "85004"},
    {C_US, "Austin", "TX", "78701"},
    {C_US, "Dallas", "TX", "75201"},
    {C_US, "Houston", "TX", "77002"},
    {C_US, "Chicago", "IL", "60601"},
    {C_US, "Minneapolis", "MN", "55401"},
    {C_US, "Detroit", "MI", "48226"},
    {C_US, "Atlanta", "GA", "30303"},
    {C_US, "Miami", "FL", "33131"},
    {C_US, "Charlotte", "NC", "28202"},
    {C_US, "Washington", "DC", "20001"},
    {C_US, "Philadelphia", "PA", "19103"},
    {C_US, "New York", "NY", "10001"},
    {C_US, "Boston", "MA", "02108"},
    {C_US, "Salt Lake City", "UT", "84101"},
    {C_GB, "London", "Greater London", "EC1A 1BB"},
    {C_GB, "Manchester", "Greater Manchester", "M1 1AE"},
    {C_GB, "Leeds", "West Yorkshire", "LS1 4AP"},
    {C_GB, "Bristol", "Bristol", "BS1 4DJ"},
    {C_GB, "Edinburgh", "Scotland", "EH1 1YZ"},
    {C_GB, "Cardiff", "Wales", "CF10 1EP"},
    {C_DE, "Berlin", "Berlin", "10115"},
    {C_DE, "Hamburg", "Hamburg", "20095"},
    {C_DE, "München", "Bayern", "80331"},
    {C_DE, "Köln", "Nordrhein-Westfalen", "50667"},
    {C_DE, "Frankfurt am Main", "Hessen", "60311"},
    {C_DE, "Stuttgart", "Baden-Württemberg", "70173"},
    {C_DE, "Düsseldorf", "Nordrhein-Westfalen", "40213"},
    {C_DE, "Leipzig", "Sachsen", "04109"},
    {C_FR, "Paris", "Île-de-France", "75001"},
    {C_FR, "Lyon", "Auvergne-Rhône-Alpes", "69001"},
    {C_FR, "Marseille", "Provence-Alpes-Côte d'Azur", "13001"},
    {C_FR, "Toulouse", "Occitanie", "31000"},
    {C_FR, "Nantes", "Pays de la Loire", "44000"},
    {C_FR, "Lille", "Hauts-de-France", "59000"},
    {C_PL, "Warszawa", "mazowieckie", "00-001"},
    {C_PL, "Kraków", "małopolskie", "30-001"},
    {C_PL, "Łódź", "łódzkie", "90-001"},
    {C_ES, "Madrid", "Madrid", "28001"},
    {C_ES, "Barcelona", "Cataluña", "08001"},
    {C_ES, "Sevilla", "Andalucía", "41001"},
};

/* Microsoft's fictitious companies, used in every country. */
static const char *const GLOBAL_BASES[] = {
    "Contoso",
    "Fabrikam",
    "Northwind Traders",
    "Adventure Works Cycles",
    "Tailspin Toys",
    "Wingtip Toys",
    "Woodgrove Bank",
    "Litware",
    "Proseware",
    "Alpine Ski House",
    "Coho Winery",
    "Wide World Importers",
    "Trey Research",
    "Lucerne Publishing",
    "Margie's Travel",
    "Blue Yonder Airlines",
    "Humongous Insurance",
    "Fourth Coffee",
    "Relecloud",
    "VanArsdel",
    "A. Datum",
    "Bellows College",
    "City Power & Light",
    "Consolidated Messenger",
    "First Up Consultants",
    "Southridge Video",
    "Tailwind Traders",
    "Lamna Healthcare",
    "Graphic Design Institute",
    "Nod Publishers",
    "Best For You Organics",
    "Northwind Electric Cars",
    "School of Fine Art",
    "Munson's Pickles",
    "Coho Vineyard",
    "Fabrikam Fiber",
};

#define BASE_COUNT (COUNT_OF(GLOBAL_BASES) + SURNAME_COUNT)
/* Every (city, base, industry, legal form) combination is one distinct company name. */
#define NAME_SPACE ((uint64_t)COUNT_OF(CITIES) * BASE_COUNT * INDUSTRY_COUNT * LEGAL_COUNT)
/* A prime that does not divide NAME_SPACE, so coprime to it: k -> (k * STRIDE + OFFSET)
 * mod NAME_SPACE is then a bijection, which spreads neighbouring indexes over cities and
 * names while no two indexes below NAME_SPACE share a name. */
#define NAME_STRIDE 65537u
#define NAME_OFFSET 7919u

_Static_assert(NAME_SPACE >= SANDBOX_MAX_CUSTOMERS, "seed names must cover every customer");
_Static_assert(NAME_SPACE % NAME_STRIDE != 0, "the name permutation must be a bijection");

/* Hand-picked customers at the start: the documents' two, then names with letters beyond
 * ASCII, which sales staff meet and searches must handle. */
typedef struct SeedFixedCustomer {
  const char *id; /* NULL: derived like the others */
  const char *company;
  const char *short_name;
  const char *domain_label;
  int city;
} SeedFixedCustomer;

static const SeedFixedCustomer FIXED_CUSTOMERS[] = {
    {SEED_DOC_CUSTOMER_ID, "Contoso, Ltd.", "Contoso", "contoso", 0 /* Seattle */},
    {SEED_DOC_CUSTOMER_ID_2, "Fabrikam, Inc.", "Fabrikam", "fabrikam", 1 /* Redmond */},
    {NULL, "Müller Präzisionstechnik GmbH", "Müller", "muellerpraezision", 33 /* Stuttgart */},
    {NULL, "Société Générale de Café", "Société Générale de Café", "societegeneraledecafe",
     36 /* Paris */},
    {NULL, "Łódź Logistics", "Łódź Logistics", "lodzlogistics", 44 /* Łódź */},
};

#define FIXED_COUNT ((long)COUNT_OF(FIXED_CUSTOMERS))

/* ----- deterministic numbers ----- */

#define GOLDEN 0x9e3779b97f4a7c15ULL
#define SALT_CUSTOMER_ID 0x6375737430696421ULL
#define SALT_COMMERCE_ID 0x636f6d6d65726365ULL
#define SALT_PROFILE 0x70726f66696c6521ULL
#define SALT_SUBSCRIPTIONS 0x7375627363726970ULL
#define SALT_SUBSCRIPTION_ID 0x7375622d69642121ULL

/* splitmix64's finalizer. Every step (xor-shift, odd multiply) is invertible, so distinct
 * inputs give distinct outputs: ids built on it are unique by construction. */
static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

typedef struct Rng {
  uint64_t state;
} Rng;

static Rng rng_seed(long index, uint64_t salt) {
  return (Rng){mix64((uint64_t)index * GOLDEN ^ salt)};
}

static uint64_t rng_next(Rng *rng) {
  rng->state += GOLDEN;
  return mix64(rng->state);
}

static unsigned rng_below(Rng *rng, unsigned n) {
  return (unsigned)(rng_next(rng) % n);
}

/* A version-4 GUID that keeps all 64 bits of key (the 4 bits the version nibble displaces
 * go to the low nibble), so distinct keys give distinct GUIDs; filler fills the rest. */
static void guid_format(uint64_t key, uint64_t filler, bool upper, char out[37]) {
  uint64_t hi = (key & ~0xF000ULL) | 0x4000ULL;
  uint64_t lo = (filler & 0x3FFFFFFFFFFFFFF0ULL) | 0x8000000000000000ULL | ((key >> 12) & 0xFULL);
  snprintf(out, 37, upper ? "%08X-%04X-%04X-%04X-%012llX" : "%08x-%04x-%04x-%04x-%012llx",
           (unsigned)(hi >> 32), (unsigned)(hi >> 16) & 0xFFFFu, (unsigned)hi & 0xFFFFu,
           (unsigned)(lo >> 48), (unsigned long long)(lo & 0xFFFFFFFFFFFFULL));
}

/* Distinct n give distinct GUIDs for one salt. */
static void guid_for(uint64_t n, uint64_t salt, bool upper, char out[37]) {
  uint64_t key = mix64(n * GOLDEN + salt);
  guid_format(key, mix64(key ^ salt), upper, out);
}

/* ----- what a customer index stands for ----- */

typedef struct CustomerShape {
  long index;
  const SeedFixedCustomer *fixed; /* NULL for a generated customer */
  const SeedCity *city;
  const SeedCountry *country;
  const SeedLanguage *language;
  const char *base;
  const char *industry;
  const char *legal;
  uint64_t serial; /* generated customers: index - FIXED_COUNT */
} CustomerShape;

static bool shape_of(long index, CustomerShape *shape) {
  if (index < 0) {
    return false;
  }
  *shape = (CustomerShape){.index = index};
  if (index < FIXED_COUNT) {
    shape->fixed = &FIXED_CUSTOMERS[index];
    shape->city = &CITIES[shape->fixed->city];
    shape->country = &COUNTRIES[shape->city->country];
    shape->language = &LANGUAGES[shape->country->language];
  } else {
    shape->serial = (uint64_t)(index - FIXED_COUNT);
    uint64_t p = ((shape->serial % NAME_SPACE) * NAME_STRIDE + NAME_OFFSET) % NAME_SPACE;
    shape->city = &CITIES[p % COUNT_OF(CITIES)];
    p /= COUNT_OF(CITIES);
    size_t legal = p % LEGAL_COUNT;
    p /= LEGAL_COUNT;
    size_t industry = p % INDUSTRY_COUNT;
    size_t base = p / INDUSTRY_COUNT;
    shape->country = &COUNTRIES[shape->city->country];
    shape->language = &LANGUAGES[shape->country->language];
    shape->base = base < COUNT_OF(GLOBAL_BASES)
                      ? GLOBAL_BASES[base]
                      : shape->language->surnames[base - COUNT_OF(GLOBAL_BASES)];
    shape->industry = shape->language->industries[industry];
    shape->legal = shape->country->legal_forms[legal];
  }
  return true;
}

/* snprintf that reports truncation as failure. */
static bool format_fits(int written, size_t size) {
  return written >= 0 && (size_t)written < size;
}

static bool shape_company_name(const CustomerShape *shape, char *buf, size_t size) {
  if (shape->fixed) {
    return format_fits(snprintf(buf, size, "%s", shape->fixed->company), size);
  }
  const char *first = shape->language->industry_first ? shape->industry : shape->base;
  const char *second = shape->language->industry_first ? shape->base : shape->industry;
  int n = snprintf(buf, size, "%s %s %s %s", first, second, shape->city->city, shape->legal);
  if (!format_fits(n, size)) {
    return false;
  }
  /* Past the name space the names come round again; a round number keeps them apart. */
  uint64_t round = shape->serial / NAME_SPACE;
  if (round > 0) {
    return format_fits(
        snprintf(buf + n, size - (size_t)n, " (%llu)", (unsigned long long)round + 1),
        size - (size_t)n);
  }
  return true;
}

/* Transliterations for slugs (domains, mail addresses). */
static const struct {
  const char *utf8;
  const char *ascii;
} TRANSLITERATIONS[] = {
    {"ä", "ae"}, {"ö", "oe"}, {"ü", "ue"}, {"ß", "ss"}, {"Ä", "ae"}, {"Ö", "oe"}, {"Ü", "ue"},
    {"à", "a"},  {"â", "a"},  {"á", "a"},  {"ą", "a"},  {"ç", "c"},  {"ć", "c"},  {"é", "e"},
    {"è", "e"},  {"ê", "e"},  {"ë", "e"},  {"ę", "e"},  {"É", "e"},  {"î", "i"},  {"ï", "i"},
    {"í", "i"},  {"ł", "l"},  {"Ł", "l"},  {"ñ", "n"},  {"ń", "n"},  {"ô", "o"},  {"ó", "o"},
    {"Ó", "o"},  {"ś", "s"},  {"Ś", "s"},  {"ù", "u"},  {"û", "u"},  {"ú", "u"},  {"ź", "z"},
    {"ż", "z"},  {"Ż", "z"},  {"Ź", "z"},  {"œ", "oe"}, {"Î", "i"},
};

/* Appends the lower-case ASCII letters and digits of text (transliterated) to buf at *len,
 * stopping before max characters in all; anything else is dropped. */
static void slug_append(char *buf, size_t size, size_t *len, const char *text, size_t max) {
  while (*text && *len + 1 < size && *len < max) {
    unsigned char c = (unsigned char)*text;
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z') {
        buf[(*len)++] = (char)(c - 'A' + 'a');
      } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        buf[(*len)++] = (char)c;
      }
      text++;
      continue;
    }
    size_t seq = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    for (size_t i = 0; i < COUNT_OF(TRANSLITERATIONS); i++) {
      size_t n = strlen(TRANSLITERATIONS[i].utf8);
      if (n == seq && strncmp(text, TRANSLITERATIONS[i].utf8, n) == 0) {
        for (const char *a = TRANSLITERATIONS[i].ascii; *a && *len + 1 < size && *len < max; a++) {
          buf[(*len)++] = *a;
        }
        break;
      }
    }
    for (size_t i = 0; i < seq && *text; i++) {
      text++;
    }
  }
  buf[*len] = '\0';
}

#define DOMAIN_WORDS_MAX 16

/* "<label>.onmicrosoft.com". A generated label is the base's leading words (whole words,
 * at most 16 letters) and the serial plus 1000: the digits alone make it unique, and the
 * letters never end in a digit, so no two labels can read alike. */
static bool shape_domain(const CustomerShape *shape, char *buf, size_t size) {
  char label[64];
  size_t len = 0;
  label[0] = '\0';
  if (shape->fixed) {
    slug_append(label, sizeof label, &len, shape->fixed->domain_label, sizeof label);
  } else {
    const char *word = shape->base;
    while (*word) {
      size_t n = strcspn(word, " ");
      char piece[64];
      size_t piece_len = 0;
      char one[64];
      snprintf(one, sizeof one, "%.*s", (int)n, word);
      slug_append(piece, sizeof piece, &piece_len, one, sizeof piece);
      if (len > 0 && len + piece_len > DOMAIN_WORDS_MAX) {
        break;
      }
      memcpy(label + len, piece, piece_len + 1);
      len += piece_len;
      word += n;
      word += strspn(word, " ");
    }
    snprintf(label + len, sizeof label - len, "%llu", (unsigned long long)shape->serial + 1000ULL);
  }
  return format_fits(snprintf(buf, size, "%s.onmicrosoft.com", label), size);
}

static void shape_id(const CustomerShape *shape, char out[37]) {
  if (shape->fixed && shape->fixed->id) {
    snprintf(out, 37, "%s", shape->fixed->id);
  } else {
    guid_for((uint64_t)shape->index, SALT_CUSTOMER_ID, false, out);
  }
}

static const char *shape_short_name(const CustomerShape *shape) {
  return shape->fixed ? shape->fixed->short_name : shape->base;
}

bool seed_customer_id(long index, char *buf, size_t size) {
  CustomerShape shape;
  if (!shape_of(index, &shape) || size < 37) {
    return false;
  }
  shape_id(&shape, buf);
  return true;
}

bool seed_customer_company_name(long index, char *buf, size_t size) {
  CustomerShape shape;
  return shape_of(index, &shape) && shape_company_name(&shape, buf, size);
}

bool seed_customer_domain(long index, char *buf, size_t size) {
  CustomerShape shape;
  return shape_of(index, &shape) && shape_domain(&shape, buf, size);
}

/* ----- whole customers ----- */

static bool set_text(char **dst, const char *text) {
  *dst = model_strdup(text);
  return *dst != NULL || text == NULL;
}

bool seed_customer(long index, Customer *customer) {
  customer_clear(customer);
  memset(customer, 0, sizeof *customer);
  CustomerShape shape;
  if (!shape_of(index, &shape)) {
    return false;
  }
  char id[37], commerce_id[37], name[256], domain[128], email[256], street[160], phone[48];
  char self[64], local_first[64], local_last[64];
  shape_id(&shape, id);
  guid_for((uint64_t)index, SALT_COMMERCE_ID, false, commerce_id);
  if (!shape_company_name(&shape, name, sizeof name) ||
      !shape_domain(&shape, domain, sizeof domain)) {
    return false;
  }

  const SeedLanguage *language = shape.language;
  Rng rng = rng_seed(index, SALT_PROFILE);
  const char *first = language->first_names[rng_below(&rng, FIRST_NAME_COUNT)];
  const char *last = language->surnames[rng_below(&rng, SURNAME_COUNT)];
  const char *street_name = language->streets[rng_below(&rng, STREET_COUNT)];
  unsigned number = 1 + rng_below(&rng, language->number_first ? 1999 : 199);
  if (language->number_first) {
    snprintf(street, sizeof street, "%u %s", number, street_name);
  } else {
    snprintf(street, sizeof street, "%s%s%u", street_name, language->number_separator, number);
  }
  snprintf(phone, sizeof phone, "%s%04u", shape.country->phone_prefix, rng_below(&rng, 10000));
  size_t n = 0;
  slug_append(local_first, sizeof local_first, &n, first, sizeof local_first);
  n = 0;
  slug_append(local_last, sizeof local_last, &n, last, sizeof local_last);
  snprintf(email, sizeof email, "%s.%s@%s", local_first, local_last, domain);
  snprintf(self, sizeof self, "/customers/%s", id);

  bool ok =
      set_text(&customer->id, id) && set_text(&customer->commerce_id, commerce_id) &&
      set_text(&customer->tenant_id, id) && set_text(&customer->domain, domain) &&
      set_text(&customer->company_name, name) && set_text(&customer->billing_first_name, first) &&
      set_text(&customer->billing_last_name, last) && set_text(&customer->billing_email, email) &&
      set_text(&customer->billing_culture, shape.country->culture) &&
      set_text(&customer->billing_language, language->code) &&
      set_text(&customer->billing_address.country, shape.country->code) &&
      set_text(&customer->billing_address.city, shape.city->city) &&
      set_text(&customer->billing_address.state, shape.city->state) &&
      set_text(&customer->billing_address.address_line1, street) &&
      set_text(&customer->billing_address.postal_code, shape.city->postal_code) &&
      set_text(&customer->billing_address.first_name, first) &&
      set_text(&customer->billing_address.last_name, last) &&
      set_text(&customer->billing_address.phone_number, phone) &&
      set_text(&customer->relationship_to_partner, "reseller") &&
      link_list_add(&customer->links, "self", self, "GET") &&
      set_text(&customer->object_type, "Customer");
  customer->allow_delegated_access = opt_bool(true);
  if (!ok) {
    customer_clear(customer);
    return false;
  }
  return true;
}

/* ----- subscriptions ----- */

#define SUBSCRIPTION_SLOTS 8 /* per customer: Azure 0..5, Microsoft 365 7 */
#define M365_SLOT 7

static const char *const AZURE_PURPOSES[] = {"Production", "Development", "Test", "Staging",
                                             "Shared Services"};

typedef struct SeedM365 {
  const char *offer_id;
  const char *name;
} SeedM365;

static const SeedM365 M365_OFFERS[] = {
    {"CFQ7TTC0LH18:0001", "Microsoft 365 Business Basic"},
    {"CFQ7TTC0LDPB:0001", "Microsoft 365 Business Standard"},
    {"CFQ7TTC0LCHC:0002", "Microsoft 365 Business Premium"},
    {"CFQ7TTC0LFLX:0001", "Microsoft 365 E3"},
};

/* ISO-8601 UTC with seven fraction digits, as the service writes timestamps. */
static void format_date(Rng *rng, char *buf, size_t size) {
  snprintf(buf, size, "%04u-%02u-%02uT%02u:%02u:%02u.%07uZ", 2016 + rng_below(rng, 8),
           1 + rng_below(rng, 12), 1 + rng_below(rng, 28), rng_below(rng, 24), rng_below(rng, 60),
           rng_below(rng, 60), rng_below(rng, 10000000));
}

typedef struct SubscriptionText {
  const char *id;
  const char *offer_id;
  const char *offer_name;
  const char *friendly_name;
  const char *unit_type;
  const char *status;
  const char *term_duration;
  const char *order_id;
  long quantity;
  BillingCycle billing_cycle;
} SubscriptionText;

static bool subscription_fill(SubscriptionList *list, const char *customer_id, Rng *rng,
                              const SubscriptionText *text) {
  Subscription *sub = subscription_list_add(list);
  if (!sub) {
    return false;
  }
  char created[40], self[128];
  format_date(rng, created, sizeof created);
  snprintf(self, sizeof self, "/customers/%s/subscriptions/%s", customer_id, text->id);
  sub->quantity = opt_int(text->quantity);
  sub->billing_cycle = text->billing_cycle;
  sub->is_trial = opt_bool(false);
  return set_text(&sub->id, text->id) && set_text(&sub->entitlement_id, text->id) &&
         set_text(&sub->offer_id, text->offer_id) && set_text(&sub->offer_name, text->offer_name) &&
         set_text(&sub->friendly_name, text->friendly_name) &&
         set_text(&sub->unit_type, text->unit_type) && set_text(&sub->status, text->status) &&
         set_text(&sub->term_duration, text->term_duration) &&
         set_text(&sub->creation_date, created) && set_text(&sub->order_id, text->order_id) &&
         link_list_add(&sub->links, "self", self, "GET") &&
         set_text(&sub->object_type, "Subscription");
}

static void subscription_guid(long index, unsigned slot, bool upper, char out[37]) {
  guid_for((uint64_t)index * SUBSCRIPTION_SLOTS + slot, SALT_SUBSCRIPTION_ID, upper, out);
}

bool seed_customer_subscriptions(long index, SubscriptionList *subscriptions) {
  subscription_list_clear(subscriptions);
  CustomerShape shape;
  if (!shape_of(index, &shape)) {
    return false;
  }
  char customer_id[37];
  shape_id(&shape, customer_id);
  const char *short_name = shape_short_name(&shape);
  Rng rng = rng_seed(index, SALT_SUBSCRIPTIONS);

  /* At most five subscriptions in all, the integration sandbox's limit per customer. */
  bool has_m365 = index % 3 == 0;
  unsigned azure_max = has_m365 ? 4 : 5;
  unsigned active = 1 + rng_below(&rng, azure_max);
  bool suspended = active < azure_max && rng_below(&rng, 4) == 0;

  bool ok = true;
  for (unsigned slot = 0; ok && slot < active + (suspended ? 1u : 0u); slot++) {
    bool is_suspended = slot == active;
    char id[37], order_id[37], friendly[160];
    if (index == 0 && slot == 0) {
      snprintf(id, sizeof id, "%s", SEED_DOC_SUBSCRIPTION_ID);
    } else {
      subscription_guid(index, slot, true, id);
    }
    guid_format(rng_next(&rng), rng_next(&rng), false, order_id);
    snprintf(friendly, sizeof friendly, "%s – %s", short_name,
             is_suspended ? "Legacy Lab" : AZURE_PURPOSES[slot]);
    SubscriptionText text = {
        .id = id,
        .offer_id = "MS-AZR-0145P",
        .offer_name = "Microsoft Azure",
        .friendly_name = friendly,
        .unit_type = "Usage-based",
        .status = is_suspended ? "suspended" : "active",
        .order_id = order_id,
        .quantity = 1,
        .billing_cycle = BILLING_CYCLE_MONTHLY,
    };
    ok = subscription_fill(subscriptions, customer_id, &rng, &text);
  }
  if (ok && has_m365) {
    const SeedM365 *offer = &M365_OFFERS[rng_below(&rng, COUNT_OF(M365_OFFERS))];
    bool annual = rng_below(&rng, 2) == 0;
    char id[37], order_id[16];
    subscription_guid(index, M365_SLOT, false, id);
    /* Modern orders have short ids ("f76c6b7f449d"). */
    snprintf(order_id, sizeof order_id, "%012llx",
             (unsigned long long)(rng_next(&rng) & 0xFFFFFFFFFFFFULL));
    SubscriptionText text = {
        .id = id,
        .offer_id = offer->offer_id,
        .offer_name = offer->name,
        .friendly_name = offer->name,
        .unit_type = "Licenses",
        .status = "active",
        .term_duration = "P1Y",
        .order_id = order_id,
        .quantity = 5 + (long)rng_below(&rng, 21),
        .billing_cycle = annual ? BILLING_CYCLE_ANNUAL : BILLING_CYCLE_MONTHLY,
    };
    ok = subscription_fill(subscriptions, customer_id, &rng, &text);
  }
  if (!ok) {
    subscription_list_clear(subscriptions);
    return false;
  }
  return true;
}
