/* `pccart catalog ...`: products, SKUs, availabilities with their terms (and the
 * catalogItemId to paste into a cart), legacy offers, and the whole catalog as a file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_internal.h"

static const char *customer_of(const CliRun *run) {
  return cli_value(run, "--customer");
}

/* An array of model JSON as a Partner Center Collection, printed. */
typedef cJSON *(*ToJson)(const void *item);

static int print_collection(CliRun *run, const void *items, size_t count, size_t item_size,
                            ToJson to_json) {
  cJSON *array = cJSON_CreateArray();
  bool ok = array != NULL;
  for (size_t i = 0; ok && i < count; i++) {
    cJSON *item = to_json((const char *)items + i * item_size);
    ok = item && cJSON_AddItemToArray(array, item);
    if (!ok) {
      cJSON_Delete(item);
    }
  }
  cJSON *collection = ok ? json_collection_take(array, NULL) : NULL;
  if (!collection) {
    if (!ok) {
      cJSON_Delete(array);
    }
    return cli_no_memory(run);
  }
  return cli_print_json(run, collection);
}

static cJSON *product_json(const void *p) {
  return product_to_json(p);
}
static cJSON *sku_json(const void *p) {
  return sku_to_json(p);
}
static cJSON *availability_json(const void *p) {
  return availability_to_json(p);
}
static cJSON *offer_json(const void *p) {
  return offer_to_json(p);
}

static int finish_table(CliRun *run, CliTable *table, bool ok, const char *none) {
  if (ok && cli_table_rows(table) == 0) {
    cli_message(run, "%s", none);
  } else if (ok) {
    cli_table_print(table, run->context->out, "");
  }
  cli_table_free(table);
  return ok ? CLI_EXIT_OK : cli_no_memory(run);
}

/* What each command asks Partner Center for, into an empty catalog of its own. */
typedef bool (*CatalogFetch)(CliRun *run, PcClient *client, Catalog *into, PcError *error);
/* How it shows what came back (the catalog is the command's until it returns). */
typedef int (*CatalogShow)(CliRun *run, const Catalog *catalog);

/* One catalog command: the client, a fresh catalog, the fetch (a failure reported with its
 * exit code), then the show. */
static int run_catalog_command(CliRun *run, CatalogFetch fetch, CatalogShow show) {
  int code = CLI_EXIT_OK;
  PcClient *client = cli_client(run, &code);
  if (!client) {
    return code;
  }
  Catalog *catalog = catalog_new();
  if (!catalog) {
    return cli_no_memory(run);
  }
  PcError error = {0};
  if (!fetch(run, client, catalog, &error)) {
    code = cli_report_error(run, &error);
  } else {
    code = show(run, catalog);
  }
  pc_error_clear(&error);
  catalog_free(catalog);
  return code;
}

static char *join_strings(const StringList *list) {
  size_t size = 1;
  for (size_t i = 0; i < list->count; i++) {
    size += strlen(list->items[i]) + 2;
  }
  char *text = malloc(size);
  if (!text) {
    return NULL;
  }
  text[0] = '\0';
  for (size_t i = 0; i < list->count; i++) {
    if (i) {
      strcat(text, ", ");
    }
    strcat(text, list->items[i]);
  }
  return text;
}

static bool fetch_products(CliRun *run, PcClient *client, Catalog *into, PcError *error) {
  return pc_products_list(client, customer_of(run), cli_value(run, "--view"),
                          cli_value(run, "--segment"), into, NULL, error);
}

static int show_products(CliRun *run, const Catalog *catalog) {
  if (cli_flag(run, "--json")) {
    return print_collection(run, catalog->products, catalog->product_count, sizeof(Product),
                            product_json);
  }
  static const char *const headers[] = {"PRODUCT", "TITLE", "TYPE", "PUBLISHER"};
  CliTable *table = cli_table_new(4, headers);
  bool ok = table != NULL;
  for (size_t i = 0; ok && i < catalog->product_count; i++) {
    const Product *p = &catalog->products[i];
    char type[160];
    snprintf(type, sizeof type, "%s%s%s", p->product_type.id ? p->product_type.id : "",
             p->product_type.sub_type_id ? "/" : "",
             p->product_type.sub_type_id ? p->product_type.sub_type_id : "");
    const char *cells[] = {p->id, p->title, type, p->publisher_name};
    ok = cli_table_add(table, cells);
  }
  return finish_table(run, table, ok, "No products.");
}

static int run_products(CliRun *run) {
  return run_catalog_command(run, fetch_products, show_products);
}

static bool fetch_skus(CliRun *run, PcClient *client, Catalog *into, PcError *error) {
  return pc_skus_list(client, customer_of(run), run->positionals[0], into, NULL, error);
}

static int show_skus(CliRun *run, const Catalog *catalog) {
  if (cli_flag(run, "--json")) {
    return print_collection(run, catalog->skus, catalog->sku_count, sizeof(Sku), sku_json);
  }
  static const char *const headers[] = {"SKU",          "TITLE", "MIN..MAX", "BILLING CYCLES",
                                        "PROVISIONING", "TRIAL"};
  CliTable *table = cli_table_new(6, headers);
  bool ok = table != NULL;
  for (size_t i = 0; ok && i < catalog->sku_count; i++) {
    const Sku *s = &catalog->skus[i];
    char range[64] = "";
    if (s->minimum_quantity.set || s->maximum_quantity.set) {
      char low[24] = "?", high[24] = "?";
      if (s->minimum_quantity.set) {
        snprintf(low, sizeof low, "%ld", s->minimum_quantity.value);
      }
      if (s->maximum_quantity.set) {
        snprintf(high, sizeof high, "%ld", s->maximum_quantity.value);
      }
      snprintf(range, sizeof range, "%s..%s", low, high);
    }
    char *cycles = join_strings(&s->supported_billing_cycles);
    char *provisioning = join_strings(&s->provisioning_variables);
    const char *trial = s->is_trial.set ? (s->is_trial.value ? "yes" : "no") : NULL;
    ok = cycles && provisioning;
    if (ok) {
      const char *cells[] = {s->id, s->title, range, cycles, provisioning, trial};
      ok = cli_table_add(table, cells);
    }
    free(cycles);
    free(provisioning);
  }
  return finish_table(run, table, ok, "No SKUs.");
}

static int run_skus(CliRun *run) {
  return run_catalog_command(run, fetch_skus, show_skus);
}

static bool fetch_availabilities(CliRun *run, PcClient *client, Catalog *into, PcError *error) {
  return pc_availabilities_list(client, customer_of(run), run->positionals[0], run->positionals[1],
                                into, NULL, error);
}

static int show_availabilities(CliRun *run, const Catalog *catalog) {
  if (cli_flag(run, "--json")) {
    return print_collection(run, catalog->availabilities, catalog->availability_count,
                            sizeof(Availability), availability_json);
  }
  /* One row per term: the pair (termDuration, billingCycle) is what a cart line must name. */
  static const char *const headers[] = {"CATALOG ITEM ID", "TERM", "BILLING CYCLE", "DESCRIPTION",
                                        "PURCHASABLE"};
  CliTable *table = cli_table_new(5, headers);
  bool ok = table != NULL;
  for (size_t i = 0; ok && i < catalog->availability_count; i++) {
    const Availability *a = &catalog->availabilities[i];
    const char *purchasable =
        a->is_purchasable.set ? (a->is_purchasable.value ? "yes" : "no") : NULL;
    if (a->term_count == 0) {
      const char *cells[] = {a->catalog_item_id, NULL, NULL, NULL, purchasable};
      ok = cli_table_add(table, cells);
    }
    for (size_t t = 0; ok && t < a->term_count; t++) {
      const AvailabilityTerm *term = &a->terms[t];
      /* Cart lines spell the cycle in snake case; that is what to paste. */
      const char *cells[] = {a->catalog_item_id, term->duration,
                             billing_cycle_wire(term->billing_cycle), term->description,
                             purchasable};
      ok = cli_table_add(table, cells);
    }
  }
  return finish_table(run, table, ok, "No availabilities.");
}

static int run_availabilities(CliRun *run) {
  return run_catalog_command(run, fetch_availabilities, show_availabilities);
}

static bool fetch_offers(CliRun *run, PcClient *client, Catalog *into, PcError *error) {
  (void)run;
  return pc_offers_list(client, into, NULL, error);
}

static int show_offers(CliRun *run, const Catalog *catalog) {
  if (cli_flag(run, "--json")) {
    return print_collection(run, catalog->offers, catalog->offer_count, sizeof(Offer), offer_json);
  }
  static const char *const headers[] = {"OFFER (CATALOG ITEM ID)", "NAME", "CATEGORY",
                                        "BILLING CYCLES"};
  CliTable *table = cli_table_new(4, headers);
  bool ok = table != NULL;
  for (size_t i = 0; ok && i < catalog->offer_count; i++) {
    const Offer *o = &catalog->offers[i];
    char *cycles = join_strings(&o->supported_billing_cycles);
    ok = cycles != NULL;
    if (ok) {
      const char *cells[] = {o->id, o->name, o->category, cycles};
      ok = cli_table_add(table, cells);
    }
    free(cycles);
  }
  return finish_table(run, table, ok, "No offers.");
}

static int run_offers(CliRun *run) {
  return run_catalog_command(run, fetch_offers, show_offers);
}

/* Writes text to path through a temporary file and a rename, so an interrupted export never
 * leaves half a catalog where a whole one was. */
static int write_file(CliRun *run, const char *path, const char *text) {
  if (strcmp(path, "-") == 0) {
    fputs(text, run->context->out);
    return CLI_EXIT_OK;
  }
  size_t size = strlen(path) + 32;
  char *temporary = malloc(size);
  if (!temporary) {
    return cli_no_memory(run);
  }
  snprintf(temporary, size, "%s.tmp.%ld", path, (long)getpid());
  /* A new file only: never through a link or over a file someone placed there. */
  int fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  FILE *file = fd >= 0 ? fdopen(fd, "wb") : NULL;
  if (fd >= 0 && !file) {
    close(fd);
  }
  bool ok = file != NULL;
  int saved = errno;
  if (ok) {
    ok = fputs(text, file) >= 0;
    ok = (fflush(file) == 0) && ok;
    saved = errno;
    ok = (fclose(file) == 0) && ok;
    if (!ok) {
      saved = saved ? saved : errno;
    }
  }
  if (ok && rename(temporary, path) != 0) {
    saved = errno;
    ok = false;
  }
  if (!ok) {
    if (fd >= 0) { /* only a file this run created */
      remove(temporary);
    }
    cli_message(run, "Cannot write the catalog file %s: %s.", path, strerror(saved));
  }
  free(temporary);
  return ok ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

static bool fetch_everything(CliRun *run, PcClient *client, Catalog *into, PcError *error) {
  return pc_catalog_fetch(client, customer_of(run), into, error);
}

static int write_export(CliRun *run, const Catalog *catalog) {
  const char *path = run->positionals[0];
  const char *country = run->settings.country ? run->settings.country : "US";
  cJSON *json = catalog_to_json(catalog, customer_of(run), country);
  char *text = json ? model_json_print(json) : NULL;
  cJSON_Delete(json);
  int code = text ? write_file(run, path, text) : cli_no_memory(run);
  free(text);
  if (code == CLI_EXIT_OK) {
    cli_message(run,
                "Exported %zu product%s, %zu SKU%s, %zu availabilit%s, %zu offer%s and %zu "
                "promotion%s to %s.",
                catalog->product_count, catalog->product_count == 1 ? "" : "s", catalog->sku_count,
                catalog->sku_count == 1 ? "" : "s", catalog->availability_count,
                catalog->availability_count == 1 ? "y" : "ies", catalog->offer_count,
                catalog->offer_count == 1 ? "" : "s", catalog->promotion_count,
                catalog->promotion_count == 1 ? "" : "s",
                strcmp(path, "-") == 0 ? "standard output" : path);
  }
  return code;
}

static int run_export(CliRun *run) {
  return run_catalog_command(run, fetch_everything, write_export);
}

#define CUSTOMER_OPTION                                                                            \
  { "--customer", "ID", "the catalog as this customer sees it" }
#define JSON_OPTION                                                                                \
  { "--json", NULL, "print Partner Center JSON (a Collection)" }

const CliCommand cli_catalog_commands[] = {
    {"catalog",
     "products",
     NULL,
     0,
     0,
     "products, for a target view",
     NULL,
     {CUSTOMER_OPTION,
      {"--view", "TARGETVIEW",
       "Azure, AzureReservations, MicrosoftAzure, OnlineServices, Software, ..."},
      {"--segment", "SEGMENT", "commercial, education, government or nonprofit"},
      JSON_OPTION},
     run_products,
     false},
    {"catalog",
     "skus",
     "PRODUCT",
     1,
     1,
     "a product's SKUs",
     NULL,
     {CUSTOMER_OPTION, JSON_OPTION},
     run_skus,
     false},
    {"catalog",
     "availabilities",
     "PRODUCT SKU",
     2,
     2,
     "a SKU's availabilities: the catalogItemId and terms to put in a cart line",
     "Each row is one term; copy its catalog item id, term and billing cycle into a cart line\n"
     "(catalogItemId, termDuration, billingCycle).",
     {CUSTOMER_OPTION, JSON_OPTION},
     run_availabilities,
     false},
    {"catalog",
     "offers",
     NULL,
     0,
     0,
     "legacy offers (such as MS-AZR-0145P)",
     NULL,
     {JSON_OPTION},
     run_offers,
     false},
    {"catalog",
     "export",
     "FILE",
     1,
     1,
     "the whole catalog as JSON, for offline validation",
     "Every product, SKU, availability, legacy offer and promotion, written to FILE (\"-\" for\n"
     "standard output). `pccart cart validate CART --catalog FILE` then checks a cart without a\n"
     "network.",
     {CUSTOMER_OPTION},
     run_export,
     false},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, {{NULL, NULL, NULL}}, NULL, false},
};
