/* The line item form as data: fields generated from the catalog item (quantity bounds, the
 * billing cycles and terms the availability offers, renews-to for trials, one field per SKU
 * provisioning variable), dependent choices, and validation by the shared cart validator plus
 * the form's own syntax rules. The UI draws it; nothing here knows about curses. */
#include "app/app_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/validate.h"

#define WIRE_ITEM "catalogItemId"
#define WIRE_QUANTITY "quantity"
#define WIRE_CYCLE "billingCycle"
#define WIRE_TERM "termDuration"
#define WIRE_RENEWS "renewsTo.termDuration"
#define WIRE_NAME "friendlyName"
#define WIRE_PROMOTION "promotionId"
#define WIRE_PARTICIPANTS "participants"
#define WIRE_ATTESTATION "attestationAccepted"
#define WIRE_PROVISIONING "provisioningContext."
#define AZURE_LEGACY_OFFER "MS-AZR-0145P"
#define AZURE_PLAN_PRODUCT "DZH318Z0BPS6"

/* A term of the item, copied: the catalog's arrays may move while the form is open. */
typedef struct FormTerm {
  char *duration;
  BillingCycle cycle;
  StringList renewals;
} FormTerm;

typedef struct LineFormInternal {
  CartLineItem original; /* editing: the line as it was */
  bool has_original;
  FormTerm *terms;
  size_t term_count;
  bool trial;
  bool
      duration_touched; /* the user chose provisioningContext.duration (else it follows the term) */
} LineFormInternal;

/* ----- fields ----- */

static void field_clear(FormField *f) {
  free(f->label);
  free(f->wire_name);
  free(f->value);
  string_list_clear(&f->choices);
  string_list_clear(&f->choice_labels);
  free(f->hint);
  free(f->error);
}

static void internal_free(LineFormInternal *in) {
  if (!in) {
    return;
  }
  cart_line_item_clear(&in->original);
  for (size_t i = 0; i < in->term_count; i++) {
    free(in->terms[i].duration);
    string_list_clear(&in->terms[i].renewals);
  }
  free(in->terms);
  free(in);
}

void line_form_free(LineForm *form) {
  if (!form) {
    return;
  }
  for (size_t i = 0; i < form->count; i++) {
    field_clear(&form->fields[i]);
  }
  free(form->fields);
  free(form->catalog_item_id);
  internal_free(form->internal);
  free(form);
}

static bool set_text(char **slot, const char *text) {
  char *copy = app_strdup(text ? text : "");
  if (!copy) {
    return false;
  }
  free(*slot);
  *slot = copy;
  return true;
}

static FormField *field_add(LineForm *form, const char *label, const char *wire, FormFieldKind kind,
                            const char *value, bool required, const char *hint) {
  FormField *fields = realloc(form->fields, (form->count + 1) * sizeof *fields);
  if (!fields) {
    return NULL;
  }
  form->fields = fields;
  FormField *f = &fields[form->count];
  *f = (FormField){.kind = kind, .required = required, .min = 0, .max = 0};
  if (!set_text(&f->label, label) || !set_text(&f->wire_name, wire) ||
      !set_text(&f->value, value) || (hint && !set_text(&f->hint, hint))) {
    field_clear(f);
    return NULL;
  }
  form->count++;
  return f;
}

static bool choice_add(FormField *f, const char *value, const char *label) {
  if (!string_list_add(&f->choices, value)) {
    return false;
  }
  if (!string_list_add(&f->choice_labels, label ? label : value)) {
    free(f->choices.items[--f->choices.count]);
    return false;
  }
  return true;
}

static void choices_clear(FormField *f) {
  string_list_clear(&f->choices);
  string_list_clear(&f->choice_labels);
}

static long choice_index(const FormField *f, const char *value) {
  for (size_t i = 0; value && i < f->choices.count; i++) {
    if (strcasecmp(f->choices.items[i], value) == 0) {
      return (long)i;
    }
  }
  return -1;
}

long line_form_find(const LineForm *form, const char *wire_name) {
  for (size_t i = 0; form && wire_name && i < form->count; i++) {
    if (strcmp(form->fields[i].wire_name, wire_name) == 0) {
      return (long)i;
    }
  }
  return -1;
}

static FormField *field_named(LineForm *form, const char *wire_name) {
  long i = line_form_find(form, wire_name);
  return i < 0 ? NULL : &form->fields[i];
}

static const char *value_of(const LineForm *form, const char *wire_name) {
  long i = line_form_find(form, wire_name);
  return i < 0 ? NULL : form->fields[i].value;
}

/* ----- wording ----- */

static const char *cycle_label(BillingCycle cycle) {
  switch (cycle) {
  case BILLING_CYCLE_MONTHLY:
    return "Monthly";
  case BILLING_CYCLE_ANNUAL:
    return "Annual";
  case BILLING_CYCLE_NONE:
    return "None (trial)";
  case BILLING_CYCLE_ONE_TIME:
    return "One time";
  case BILLING_CYCLE_TRIENNIAL:
    return "Triennial";
  case BILLING_CYCLE_BIENNIAL:
    return "Biennial";
  default:
    return NULL;
  }
}

/* "P1M" -> "1 month", "P3Y" -> "3 years"; other text as it is. */
static void term_label(const char *duration, char *out, size_t size) {
  long n = 0;
  char unit = 0;
  int used = 0;
  if (duration && sscanf(duration, "P%ld%c%n", &n, &unit, &used) == 2 && duration[used] == '\0' &&
      n > 0) {
    const char *word = unit == 'M' ? "month" : unit == 'Y' ? "year" : unit == 'D' ? "day" : NULL;
    if (word) {
      snprintf(out, size, "%ld %s%s", n, word, n == 1 ? "" : "s");
      return;
    }
  }
  snprintf(out, size, "%s", duration ? duration : "");
}

/* "a, b or c" of a field's choices (for messages); "" choices left out. */
static void choices_text(const FormField *f, char *out, size_t size) {
  size_t used = 0, listed = 0, total = 0;
  out[0] = '\0';
  for (size_t i = 0; i < f->choices.count; i++) {
    total += f->choices.items[i][0] != '\0';
  }
  for (size_t i = 0; i < f->choices.count && used < size; i++) {
    const char *c = f->choices.items[i];
    if (!*c) {
      continue;
    }
    const char *sep = listed == 0 ? "" : listed + 1 == total ? " or " : ", ";
    int n = snprintf(out + used, size - used, "%s%s", sep, c);
    if (n < 0) {
      break;
    }
    used += (size_t)n;
    listed++;
  }
}

/* ----- dependent choices ----- */

static bool term_matches_cycle(const LineFormInternal *in, const FormTerm *t, BillingCycle cycle) {
  /* A trial is bought with billingCycle none whatever its term says (the validator's rule). */
  return t->cycle == cycle || (in->trial && cycle == BILLING_CYCLE_NONE) ||
         cycle == BILLING_CYCLE_UNSET;
}

static const FormTerm *chosen_term(const LineForm *form) {
  const LineFormInternal *in = form->internal;
  const char *duration = value_of(form, WIRE_TERM);
  BillingCycle cycle = billing_cycle_parse(value_of(form, WIRE_CYCLE));
  for (size_t i = 0; duration && i < in->term_count; i++) {
    const FormTerm *t = &in->terms[i];
    if (strcasecmp(t->duration, duration) == 0 && term_matches_cycle(in, t, cycle)) {
      return t;
    }
  }
  return NULL;
}

/* Keeps value when it is still a choice; else the first choice (or "" when there is none). */
static bool keep_or_first(FormField *f) {
  long i = choice_index(f, f->value);
  if (i >= 0) {
    return set_text(&f->value, f->choices.items[i]);
  }
  return set_text(&f->value, f->choices.count ? f->choices.items[0] : "");
}

static bool refresh_renewals(LineForm *form) {
  FormField *f = field_named(form, WIRE_RENEWS);
  if (!f) {
    return true;
  }
  choices_clear(f);
  const FormTerm *t = chosen_term(form);
  char label[64];
  for (size_t i = 0; t && i < t->renewals.count; i++) {
    term_label(t->renewals.items[i], label, sizeof label);
    if (!choice_add(f, t->renewals.items[i], label)) {
      return false;
    }
  }
  return choice_add(f, "", "Do not renew") && keep_or_first(f);
}

static bool refresh_duration(LineForm *form) {
  FormField *f = field_named(form, WIRE_PROVISIONING "duration");
  const char *term = value_of(form, WIRE_TERM);
  if (!f || form->internal->duration_touched || !term || f->kind != FORM_FIELD_CHOICE) {
    return true;
  }
  /* The newer reservation SKUs name the term again in the provisioning context. */
  if (strcasecmp(term, "P3Y") == 0) {
    return set_text(&f->value, "3Years");
  }
  if (strcasecmp(term, "P1Y") == 0) {
    return set_text(&f->value, "1Year");
  }
  return true;
}

static bool refresh_terms(LineForm *form) {
  FormField *f = field_named(form, WIRE_TERM);
  if (f) {
    LineFormInternal *in = form->internal;
    BillingCycle cycle = billing_cycle_parse(value_of(form, WIRE_CYCLE));
    choices_clear(f);
    char label[64];
    for (size_t i = 0; i < in->term_count; i++) {
      const FormTerm *t = &in->terms[i];
      if (!term_matches_cycle(in, t, cycle) || choice_index(f, t->duration) >= 0) {
        continue;
      }
      term_label(t->duration, label, sizeof label);
      if (!choice_add(f, t->duration, label)) {
        return false;
      }
    }
    if (!keep_or_first(f)) {
      return false;
    }
  }
  return refresh_renewals(form) && refresh_duration(form);
}

/* ----- building ----- */

static bool copy_terms(LineFormInternal *in, const Availability *a) {
  if (!a || a->term_count == 0) {
    return true;
  }
  in->terms = calloc(a->term_count, sizeof *in->terms);
  if (!in->terms) {
    return false;
  }
  for (size_t i = 0; i < a->term_count; i++) {
    const AvailabilityTerm *src = &a->terms[i];
    FormTerm *t = &in->terms[in->term_count++];
    t->cycle = src->billing_cycle;
    if (!(t->duration = app_strdup(src->duration ? src->duration : ""))) {
      return false;
    }
    for (size_t k = 0; k < src->renewal_option_count; k++) {
      const char *d = src->renewal_options[k].term_duration;
      if (d && !string_list_add(&t->renewals, d)) {
        return false;
      }
    }
  }
  return true;
}

static bool add_item_field(LineForm *form, const CatalogItem *item) {
  char hint[512];
  if (item->offer) {
    snprintf(hint, sizeof hint, "%s (legacy offer)", item->offer->name ? item->offer->name : "");
  } else {
    snprintf(hint, sizeof hint, "%s — %s",
             item->product && item->product->title ? item->product->title : "?",
             item->sku && item->sku->title ? item->sku->title : "?");
  }
  return field_add(form, "Catalog item", WIRE_ITEM, FORM_FIELD_READONLY, form->catalog_item_id,
                   true, hint) != NULL;
}

static bool add_quantity_field(LineForm *form, const CatalogItem *item, const CartLineItem *base) {
  OptInt min = item->sku ? item->sku->minimum_quantity : item->offer->minimum_quantity;
  OptInt max = item->sku ? item->sku->maximum_quantity : item->offer->maximum_quantity;
  long low = min.set && min.value > 1 ? min.value : 1;
  long high = max.set && max.value >= low ? max.value : LONG_MAX;
  char value[32], hint[96];
  snprintf(value, sizeof value, "%ld", base && base->quantity.set ? base->quantity.value : low);
  if (high == LONG_MAX) {
    snprintf(hint, sizeof hint, "a whole number, at least %ld", low);
  } else if (high == low) {
    snprintf(hint, sizeof hint, "exactly %ld for this item", low);
  } else {
    snprintf(hint, sizeof hint, "%ld to %ld", low, high);
  }
  FormField *f = field_add(form, "Quantity", WIRE_QUANTITY, FORM_FIELD_NUMBER, value, true, hint);
  if (f) {
    f->min = low;
    f->max = high;
  }
  return f != NULL;
}

static bool add_cycle_choice(FormField *f, BillingCycle cycle) {
  const char *wire = billing_cycle_wire(cycle);
  if (!wire || cycle == BILLING_CYCLE_UNKNOWN || choice_index(f, wire) >= 0) {
    return true;
  }
  return choice_add(f, wire, cycle_label(cycle));
}

static bool add_cycle_field(LineForm *form, const CatalogItem *item, const CartLineItem *base) {
  const LineFormInternal *in = form->internal;
  bool from_terms = in->term_count > 0;
  FormField *f =
      field_add(form, "Billing cycle", WIRE_CYCLE, FORM_FIELD_CHOICE, "", true,
                from_terms ? "as the availability's terms offer" : "as the item supports");
  if (!f) {
    return false;
  }
  bool ok = true;
  if (from_terms) {
    for (size_t i = 0; ok && i < in->term_count; i++) {
      ok = add_cycle_choice(f, in->terms[i].cycle);
    }
  } else {
    const StringList *cycles =
        item->sku ? &item->sku->supported_billing_cycles : &item->offer->supported_billing_cycles;
    for (size_t i = 0; ok && i < cycles->count; i++) {
      ok = add_cycle_choice(f, billing_cycle_parse(cycles->items[i]));
    }
  }
  if (!ok) {
    return false;
  }
  if (f->choices.count == 0) {
    /* The catalog names none: offer every cycle and let the validator judge. */
    for (BillingCycle c = BILLING_CYCLE_MONTHLY; ok && c <= BILLING_CYCLE_BIENNIAL; c++) {
      ok = add_cycle_choice(f, c);
    }
  }
  const char *wanted = base ? billing_cycle_wire(base->billing_cycle) : NULL;
  if (wanted && !set_text(&f->value, wanted)) {
    return false;
  }
  return ok && (wanted ? true : keep_or_first(f));
}

static bool add_subscription_choices(FormField *f, const SubscriptionList *subs) {
  for (size_t i = 0; subs && i < subs->count; i++) {
    const Subscription *s = &subs->items[i];
    bool azure = (s->offer_id &&
                  (strcasecmp(s->offer_id, AZURE_LEGACY_OFFER) == 0 ||
                   strncasecmp(s->offer_id, AZURE_PLAN_PRODUCT, strlen(AZURE_PLAN_PRODUCT)) == 0));
    if (!s->id || !azure || !s->status || strcasecmp(s->status, "active") != 0) {
      continue;
    }
    /* The name alone: the pick-list shows the GUID beside it and the field holds it, so a
     * GUID in the label would show it twice. */
    const char *name = s->friendly_name ? s->friendly_name : s->offer_name;
    if (!choice_add(f, s->id, name && *name ? name : "Azure subscription")) {
      return false;
    }
  }
  return true;
}

static bool add_provisioning_fields(LineForm *form, const AppState *state, const Sku *sku,
                                    const CartLineItem *base) {
  for (size_t i = 0; sku && i < sku->provisioning_variables.count; i++) {
    const char *variable = sku->provisioning_variables.items[i];
    if (!variable || !*variable) {
      continue;
    }
    char wire[128];
    snprintf(wire, sizeof wire, WIRE_PROVISIONING "%s", variable);
    size_t at = strlen(WIRE_PROVISIONING);
    if (wire[at] >= 'A' && wire[at] <= 'Z') {
      wire[at] = (char)(wire[at] - 'A' + 'a');
    }
    const char *had = base ? kv_list_get(&base->provisioning_context, variable) : NULL;
    FormField *f;
    bool ok;
    if (strcasecmp(variable, "Scope") == 0) {
      f = field_add(form, "Scope", wire, FORM_FIELD_CHOICE, had ? had : "shared", true,
                    "shared: any subscription of the customer; single: one subscription");
      ok = f && choice_add(f, "shared", "Shared") && choice_add(f, "single", "Single");
    } else if (strcasecmp(variable, "SubscriptionId") == 0) {
      f = field_add(form, "Azure subscription", wire, FORM_FIELD_GUID, had ? had : "", true,
                    "one of the customer's active Azure subscriptions, or a subscription GUID");
      const CatalogState *c = &state->catalog;
      ok = f && add_subscription_choices(f, c->subscriptions_loaded ? &c->subscriptions : NULL);
      if (ok && !had && f->choices.count == 1) {
        ok = set_text(&f->value, f->choices.items[0]); /* the only one there is */
      }
    } else if (strcasecmp(variable, "Duration") == 0) {
      f = field_add(form, "Reservation duration", wire, FORM_FIELD_CHOICE, had ? had : "", true,
                    "the reservation's term, as the term duration says");
      ok = f && choice_add(f, "1Year", "1 year") && choice_add(f, "3Years", "3 years");
      if (ok && had) {
        form->internal->duration_touched = true;
      }
    } else {
      f = field_add(form, variable, wire, FORM_FIELD_TEXT, had ? had : "", true,
                    "provisioning value the SKU asks for");
      ok = f != NULL;
    }
    if (!ok) {
      return false;
    }
  }
  return true;
}

/* "key=value, key=value": as long as the list needs (a cut text would change or drop the
 * participants of a line merely opened for editing). NULL when out of memory. */
static char *participants_text(const KeyValueList *list) {
  size_t size = 1;
  for (size_t i = 0; i < list->count; i++) {
    size += 3 + strlen(list->items[i].key ? list->items[i].key : "") +
            strlen(list->items[i].value ? list->items[i].value : "");
  }
  char *out = malloc(size);
  if (!out) {
    return NULL;
  }
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < list->count; i++) {
    int n = snprintf(out + used, size - used, "%s%s=%s", i ? ", " : "",
                     list->items[i].key ? list->items[i].key : "",
                     list->items[i].value ? list->items[i].value : "");
    if (n < 0) {
      break;
    }
    used += (size_t)n;
  }
  return out;
}

static bool build_fields(LineForm *form, const AppState *state, const CatalogItem *item,
                         const CartLineItem *base) {
  LineFormInternal *in = form->internal;
  in->trial = (item->sku && item->sku->is_trial.set && item->sku->is_trial.value) ||
              (item->offer && item->offer->is_trial.set && item->offer->is_trial.value);
  if (!copy_terms(in, item->availability) || !add_item_field(form, item) ||
      !add_quantity_field(form, item, base) || !add_cycle_field(form, item, base)) {
    return false;
  }
  if (in->term_count > 0) {
    FormField *f = field_add(form, "Term", WIRE_TERM, FORM_FIELD_CHOICE,
                             base && base->term_duration ? base->term_duration : "", true,
                             "the terms the availability offers for this billing cycle");
    if (!f) {
      return false;
    }
  }
  if (in->trial) {
    FormField *f =
        field_add(form, "Renews to", WIRE_RENEWS, FORM_FIELD_CHOICE,
                  base && base->renews_to_term_duration ? base->renews_to_term_duration : "", false,
                  "the paid term the trial turns into when it ends");
    if (!f) {
      return false;
    }
  }
  char promotions[384] = "optional";
  size_t offered = 0;
  const Catalog *catalog = state->catalog.catalog;
  for (size_t i = 0; item->availability && i < catalog->promotion_count; i++) {
    const Promotion *p = &catalog->promotions[i];
    if ((!p->product_id || strcasecmp(p->product_id, item->availability->product_id) == 0) &&
        (!p->sku_id || strcasecmp(p->sku_id, item->availability->sku_id) == 0) && p->id) {
      if (offered++ == 0) {
        snprintf(promotions, sizeof promotions, "optional; offered: %s (%s %s)", p->id,
                 p->term_duration ? p->term_duration : "any term",
                 billing_cycle_wire(p->billing_cycle) ? billing_cycle_wire(p->billing_cycle)
                                                      : "any cycle");
      }
    }
  }
  char *participants = participants_text(base ? &base->participants : &(KeyValueList){0});
  bool added =
      participants &&
      field_add(form, "Friendly name", WIRE_NAME, FORM_FIELD_TEXT,
                base && base->friendly_name ? base->friendly_name : "", false,
                "optional; shown on the subscription") &&
      field_add(form, "Promotion id", WIRE_PROMOTION, FORM_FIELD_TEXT,
                base && base->promotion_id ? base->promotion_id : "", false, promotions) &&
      field_add(form, "Participants", WIRE_PARTICIPANTS, FORM_FIELD_TEXT, participants, false,
                "optional; transaction_reseller=1234567, pairs separated by commas");
  free(participants);
  if (!added || !add_provisioning_fields(form, state, item->sku, base)) {
    return false;
  }
  if (item->sku && item->sku->enforce_attestation.set && item->sku->enforce_attestation.value) {
    bool accepted = base && base->attestation_accepted.set && base->attestation_accepted.value;
    char hint[160];
    snprintf(hint, sizeof hint, "the partner attests the customer's eligibility (%s)",
             item->sku->attestation_type ? item->sku->attestation_type : "required by the SKU");
    FormField *f = field_add(form, "Attestation", WIRE_ATTESTATION, FORM_FIELD_CHOICE,
                             accepted ? "true" : "false", true, hint);
    if (!f || !choice_add(f, "true", "Accepted") || !choice_add(f, "false", "Not accepted")) {
      return false;
    }
  }
  if (!refresh_terms(form)) {
    return false;
  }
  FormField *renews = field_named(form, WIRE_RENEWS);
  if (renews && !base && renews->choices.count > 1) {
    /* A new trial renews to its first paid term unless the user says otherwise. */
    return set_text(&renews->value, renews->choices.items[0]);
  }
  return true;
}

LineForm *line_form_new(const AppState *state, const char *catalog_item_id, long line_index,
                        char *why, size_t why_size) {
  const Cart *draft = state->cart.draft;
  const CartLineItem *base = NULL;
  if (line_index >= 0) {
    if ((size_t)line_index >= draft->line_items.count) {
      snprintf(why, why_size, "There is no line %ld; the cart has %zu.", line_index + 1,
               draft->line_items.count);
      return NULL;
    }
    base = &draft->line_items.items[line_index];
  } else if (!catalog_item_id) {
    snprintf(why, why_size, "%s", "Choose a catalog item or a line to edit.");
    return NULL;
  }
  const char *id = catalog_item_id ? catalog_item_id : base->catalog_item_id;
  if (!id || !*id) {
    snprintf(why, why_size, "%s", "The line names no catalog item.");
    return NULL;
  }
  CatalogItem item = {0};
  if (!catalog_find_item(state->catalog.catalog, id, &item) || (!item.sku && !item.offer)) {
    snprintf(why, why_size,
             "Catalog item %s is not in the loaded catalog; load its product's SKUs and "
             "availabilities first.",
             id);
    return NULL;
  }
  LineForm *form = calloc(1, sizeof *form);
  if (!form || !(form->internal = calloc(1, sizeof *form->internal)) ||
      !(form->catalog_item_id = app_strdup(id))) {
    line_form_free(form);
    snprintf(why, why_size, "%s", "Out of memory.");
    return NULL;
  }
  form->line_index = line_index;
  if (base) {
    if (!cart_line_item_copy(&form->internal->original, base)) {
      line_form_free(form);
      snprintf(why, why_size, "%s", "Out of memory.");
      return NULL;
    }
    form->internal->has_original = true;
  }
  /* A line moved to another item keeps only what still makes sense (the quantity, names). */
  bool same_item = base && base->catalog_item_id && strcasecmp(base->catalog_item_id, id) == 0;
  if (!build_fields(form, state, &item, same_item ? base : NULL)) {
    line_form_free(form);
    snprintf(why, why_size, "%s", "Out of memory.");
    return NULL;
  }
  form->changed = false;
  return form;
}

/* ----- editing ----- */

bool line_form_set(LineForm *form, size_t index, const char *value) {
  if (!form || index >= form->count) {
    return false;
  }
  FormField *f = &form->fields[index];
  const char *v = value ? value : "";
  if (f->kind == FORM_FIELD_READONLY) {
    return false;
  }
  if (f->kind == FORM_FIELD_CHOICE) {
    long i = choice_index(f, v);
    if (i < 0 && strcmp(f->wire_name, WIRE_CYCLE) == 0 && *v) {
      /* "Monthly" as terms spell it is the same cycle as "monthly". */
      BillingCycle cycle = billing_cycle_parse(v);
      for (size_t k = 0; k < f->choices.count && i < 0; k++) {
        if (billing_cycle_parse(f->choices.items[k]) == cycle && cycle != BILLING_CYCLE_UNKNOWN) {
          i = (long)k;
        }
      }
    }
    if (i < 0 && !(*v == '\0' && !f->required)) {
      return false;
    }
    v = i >= 0 ? f->choices.items[i] : "";
  }
  if (strcmp(f->value, v) == 0) {
    return true;
  }
  if (!set_text(&f->value, v)) {
    return false;
  }
  free(f->error);
  f->error = NULL;
  form->changed = true;
  if (strcmp(f->wire_name, WIRE_PROVISIONING "duration") == 0) {
    form->internal->duration_touched = true;
  }
  if (strcmp(f->wire_name, WIRE_CYCLE) == 0) {
    return refresh_terms(form);
  }
  if (strcmp(f->wire_name, WIRE_TERM) == 0) {
    return refresh_renewals(form) && refresh_duration(form);
  }
  return true;
}

/* ----- the line ----- */

static bool parse_long(const char *text, long *out) {
  if (!text) {
    return false;
  }
  while (*text == ' ') {
    text++;
  }
  if (!*text) {
    return false;
  }
  errno = 0;
  char *end = NULL;
  long v = strtol(text, &end, 10);
  while (end && *end == ' ') {
    end++;
  }
  if (errno || !end || *end != '\0') {
    return false;
  }
  *out = v;
  return true;
}

/* Parses "key=value, key=value" into list (cleared first). False with a sentence in err on
 * bad syntax. */
static bool parse_participants(const char *text, KeyValueList *list, char *err, size_t err_size) {
  kv_list_clear(list);
  const char *p = text ? text : "";
  while (*p) {
    size_t len = strcspn(p, ",;");
    char pair[256];
    const char *start = p;
    const char *end = p + len;
    while (start < end && (*start == ' ' || *start == '\t')) {
      start++;
    }
    while (end > start && (end[-1] == ' ' || end[-1] == '\t')) {
      end--;
    }
    size_t n = (size_t)(end - start);
    p += len;
    if (*p) {
      p++;
    }
    if (n == 0) {
      continue; /* "a=1, , b=2" or a trailing comma */
    }
    if (n >= sizeof pair) {
      snprintf(err, err_size, "%s",
               "A participant is too long; write key=value pairs such as "
               "transaction_reseller=1234567.");
      return false;
    }
    memcpy(pair, start, n);
    pair[n] = '\0';
    char *eq = strchr(pair, '=');
    if (!eq) {
      snprintf(err, err_size,
               "Participant '%.80s' is not key=value; write pairs such as "
               "transaction_reseller=1234567, separated by commas.",
               pair);
      return false;
    }
    *eq = '\0';
    char *key = pair, *value = eq + 1;
    size_t key_len = strlen(key);
    while (key_len && (key[key_len - 1] == ' ' || key[key_len - 1] == '\t')) {
      key[--key_len] = '\0';
    }
    value += strspn(value, " \t");
    if (!*key || !*value) {
      snprintf(err, err_size,
               "Participant '%.40s=%.40s' needs both a key and a value, such as "
               "transaction_reseller=1234567.",
               key, value);
      return false;
    }
    if (strcspn(key, " \t=") != strlen(key) || strcspn(value, " \t=") != strlen(value)) {
      snprintf(err, err_size,
               "Participant '%.40s=%.40s' has a space or '=' inside; separate pairs with commas.",
               key, value);
      return false;
    }
    if (!kv_list_add(list, key, value)) {
      snprintf(err, err_size, "%s", "Out of memory.");
      return false;
    }
  }
  return true;
}

static bool set_optional(char **slot, const char *value) {
  free(*slot);
  *slot = NULL;
  return !value || !*value || (*slot = app_strdup(value)) != NULL;
}

bool line_form_to_line(const LineForm *form, CartLineItem *out) {
  memset(out, 0, sizeof *out);
  const LineFormInternal *in = form->internal;
  bool same_item = in->has_original && in->original.catalog_item_id &&
                   strcasecmp(in->original.catalog_item_id, form->catalog_item_id) == 0;
  if (in->has_original && !cart_line_item_copy(out, &in->original)) {
    cart_line_item_clear(out);
    return false;
  }
  cart_error_free(out->error);
  out->error = NULL;
  bool ok = set_optional(&out->order_group, NULL);
  if (!same_item) {
    /* What belonged to the old item does not carry over. */
    ok = ok && set_optional(&out->term_duration, NULL) &&
         set_optional(&out->renews_to_term_duration, NULL) &&
         set_optional(&out->custom_term_end_date, NULL);
    kv_list_clear(&out->provisioning_context);
    cart_line_list_clear(&out->addon_items);
    out->attestation_accepted = (OptBool){0};
  }
  out->id = form->line_index >= 0 ? opt_int(form->line_index) : (OptInt){0};
  ok = ok && set_optional(&out->catalog_item_id, form->catalog_item_id);
  for (size_t i = 0; ok && i < form->count; i++) {
    const FormField *f = &form->fields[i];
    const char *w = f->wire_name;
    const char *v = f->value;
    if (strcmp(w, WIRE_QUANTITY) == 0) {
      long q;
      out->quantity = parse_long(v, &q) ? opt_int(q) : (OptInt){0};
    } else if (strcmp(w, WIRE_CYCLE) == 0) {
      out->billing_cycle = billing_cycle_parse(v);
    } else if (strcmp(w, WIRE_TERM) == 0) {
      ok = set_optional(&out->term_duration, v);
    } else if (strcmp(w, WIRE_RENEWS) == 0) {
      ok = set_optional(&out->renews_to_term_duration, v);
    } else if (strcmp(w, WIRE_NAME) == 0) {
      ok = set_optional(&out->friendly_name, v);
    } else if (strcmp(w, WIRE_PROMOTION) == 0) {
      ok = set_optional(&out->promotion_id, v);
    } else if (strcmp(w, WIRE_PARTICIPANTS) == 0) {
      char err[256];
      if (!parse_participants(v, &out->participants, err, sizeof err)) {
        kv_list_clear(&out->participants); /* bad syntax: the form reports it */
      }
    } else if (strcmp(w, WIRE_ATTESTATION) == 0) {
      out->attestation_accepted = *v ? opt_bool(strcasecmp(v, "true") == 0) : (OptBool){0};
    } else if (strncmp(w, WIRE_PROVISIONING, strlen(WIRE_PROVISIONING)) == 0) {
      const char *key = w + strlen(WIRE_PROVISIONING);
      if (*v) {
        ok = kv_list_set(&out->provisioning_context, key, v);
      } else {
        kv_list_remove(&out->provisioning_context, key);
      }
    }
  }
  if (!ok) {
    cart_line_item_clear(out);
  }
  return ok;
}

/* ----- validation ----- */

static bool field_error(FormField *f, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
static bool field_error(FormField *f, const char *format, ...) {
  char text[512];
  va_list args;
  va_start(args, format);
  vsnprintf(text, sizeof text, format, args);
  va_end(args);
  free(f->error);
  f->error = app_strdup(text);
  return f->error != NULL;
}

/* The form's own rules for one field; false only when out of memory. */
static bool check_field(FormField *f) {
  char allowed[384];
  const char *v = f->value;
  if (!*v) {
    if (!f->required) {
      return true;
    }
    if (f->kind == FORM_FIELD_CHOICE && f->choices.count) {
      choices_text(f, allowed, sizeof allowed);
      return field_error(f, "%s is required; choose %s.", f->label, allowed);
    }
    if (f->kind == FORM_FIELD_CHOICE) {
      return field_error(f, "%s is required, but none is offered for the values chosen above.",
                         f->label);
    }
    if (f->kind == FORM_FIELD_GUID) {
      return field_error(f, "%s is required; pick one or type its GUID.", f->label);
    }
    return field_error(f, "%s is required.", f->label);
  }
  switch (f->kind) {
  case FORM_FIELD_NUMBER: {
    long n;
    if (!parse_long(v, &n)) {
      return field_error(f, "%s must be a whole number; '%.40s' is not one.", f->label, v);
    }
    if (n < f->min || n > f->max) {
      if (f->max == LONG_MAX) {
        return field_error(f, "%s must be at least %ld; %ld is too few.", f->label, f->min, n);
      }
      return field_error(f, "%s must be from %ld to %ld; %ld is %s.", f->label, f->min, f->max, n,
                         n < f->min ? "too few" : "too many");
    }
    return true;
  }
  case FORM_FIELD_CHOICE:
    if (choice_index(f, v) < 0) {
      choices_text(f, allowed, sizeof allowed);
      return field_error(f, "%s '%.40s' is not offered; choose %s.", f->label, v, allowed);
    }
    return true;
  case FORM_FIELD_GUID:
    if (!model_is_guid(v)) {
      return field_error(f,
                         "%s must be a GUID such as 1c461a25-f729-4fa5-aadb-280947dd05e8; "
                         "'%.40s' is not one.",
                         f->label, v);
    }
    return true;
  case FORM_FIELD_TEXT:
    if (strcmp(f->wire_name, WIRE_PARTICIPANTS) == 0) {
      KeyValueList list = {0};
      char err[256] = "";
      bool parsed = parse_participants(v, &list, err, sizeof err);
      kv_list_clear(&list);
      return parsed || field_error(f, "%s", err);
    }
    return true;
  default:
    return true;
  }
}

/* The form field a validator problem is about (the validator's field names are wire names). */
static FormField *problem_field(LineForm *form, const char *field) {
  if (!field) {
    return &form->fields[0];
  }
  FormField *f = field_named(form, field);
  if (!f && strcmp(field, "renewsTo") == 0) {
    f = field_named(form, WIRE_RENEWS);
  }
  if (!f) {
    /* "provisioningContext.SubscriptionId" against "provisioningContext.subscriptionId". */
    for (size_t i = 0; i < form->count && !f; i++) {
      if (strcasecmp(form->fields[i].wire_name, field) == 0) {
        f = &form->fields[i];
      }
    }
  }
  return f ? f : &form->fields[0];
}

bool line_form_validate(LineForm *form, const AppState *state) {
  if (!form || form->count == 0) {
    return false;
  }
  for (size_t i = 0; i < form->count; i++) {
    free(form->fields[i].error);
    form->fields[i].error = NULL;
  }
  bool ok = true;
  for (size_t i = 0; ok && i < form->count; i++) {
    ok = check_field(&form->fields[i]);
  }
  CartLineItem line;
  if (!ok || !line_form_to_line(form, &line)) {
    field_error(&form->fields[0], "%s", "Out of memory while checking the line.");
    return false;
  }
  ValidationContext context = {
      .catalog = state->catalog.catalog,
      .customer_subscriptions =
          state->catalog.subscriptions_loaded ? &state->catalog.subscriptions : NULL,
  };
  long index = form->line_index >= 0 ? form->line_index : (long)state->cart.draft->line_items.count;
  CartProblems problems = {0};
  if (!cart_line_validate(&line, index, &context, &problems)) {
    cart_line_item_clear(&line);
    field_error(&form->fields[0], "%s", "Out of memory while checking the line.");
    return false;
  }
  cart_line_item_clear(&line);
  for (size_t i = 0; i < problems.count; i++) {
    const CartProblem *p = &problems.items[i];
    FormField *f = problem_field(form, p->field);
    if (!f->error) {
      /* The form's own sentence says it more precisely when it has one. */
      field_error(f, "%s", p->description ? p->description : "This value is not accepted.");
    }
  }
  cart_problems_clear(&problems);
  for (size_t i = 0; i < form->count; i++) {
    if (form->fields[i].error) {
      return false;
    }
  }
  return true;
}
