/* The line item form model against the seed catalog and a seed customer's subscriptions: the
 * fields each catalog kind of the documents gets (legacy Azure, reservations with Scope and
 * SubscriptionId and Duration, perpetual software, SaaS monthly, the SaaS trial with renews-to,
 * new-commerce Microsoft 365), dependent choices, validation messages on the right field, and
 * editing an existing line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "app/app.h"
#include "sandbox/seed.h"

#define LEGACY_AZURE "MS-AZR-0145P"
#define RESERVATION_1Y "DZH318Z0BQ36:004G:DZH318Z08C0S"
#define RESERVATION_D3Y "DZH318Z0BQ36:00B2:DZH318Z08D2X"
#define PERPETUAL "DG7GMGF0DWTL:0001:DG7GMGF0DSFM"
#define SAAS "DZH318Z0BXWC:0002:DZH318Z0BMRV"
#define SAAS_TRIAL "DZH318Z0C0WF:0001:DZH318Z0BP69"
#define M365_BASIC "CFQ7TTC0LH18:0001:CFQ7TTC0K59J"
#define WINDOWS_365 "CFQ7TTC0J1WX:0001:CFQ7TTC0K9W3"

/* A state whose customer is seed customer 0 with the seed catalog and their subscriptions
 * loaded, as after the worker answered. */
static int setup(void **state) {
  AppOptions options = {.profile_name = "sandbox"};
  AppState *app = app_new(&options);
  if (!app) {
    return -1;
  }
  catalog_free(app->catalog.catalog);
  app->catalog.catalog = seed_catalog_new();
  app->cart.customer_id = model_strdup(SEED_DOC_CUSTOMER_ID);
  if (!app->catalog.catalog || !app->cart.customer_id ||
      !seed_customer_subscriptions(0, &app->catalog.subscriptions)) {
    app_free(app);
    return -1;
  }
  app->catalog.subscriptions_loaded = true;
  app->catalog.products_loaded = true;
  *state = app;
  return 0;
}

static int teardown(void **state) {
  app_free(*state);
  return 0;
}

static LineForm *open_form(const AppState *app, const char *item) {
  char why[256] = "";
  LineForm *form = line_form_new(app, item, -1, why, sizeof why);
  if (!form) {
    fail_msg("line_form_new(%s): %s", item, why);
  }
  assert_false(form->changed);
  assert_int_equal(form->line_index, -1);
  assert_string_equal(form->catalog_item_id, item);
  return form;
}

static const FormField *field(const LineForm *form, const char *wire) {
  long i = line_form_find(form, wire);
  if (i < 0) {
    fail_msg("the form has no field %s", wire);
  }
  return &form->fields[i];
}

static void set(LineForm *form, const char *wire, const char *value) {
  long i = line_form_find(form, wire);
  assert_true(i >= 0);
  if (!line_form_set(form, (size_t)i, value)) {
    fail_msg("line_form_set(%s, %s) refused", wire, value);
  }
}

/* "a|b|c" of a field's choices. */
static void choices(const FormField *f, char *out, size_t size) {
  out[0] = '\0';
  for (size_t i = 0; i < f->choices.count; i++) {
    size_t used = strlen(out);
    snprintf(out + used, size - used, "%s%s", i ? "|" : "", f->choices.items[i]);
  }
}

static void assert_choices(const LineForm *form, const char *wire, const char *expected) {
  char text[512];
  choices(field(form, wire), text, sizeof text);
  assert_string_equal(text, expected);
}

/* The wire names of the fields, "a,b,c". */
static void assert_fields(const LineForm *form, const char *expected) {
  char text[1024] = "";
  for (size_t i = 0; i < form->count; i++) {
    size_t used = strlen(text);
    snprintf(text + used, sizeof text - used, "%s%s", i ? "," : "", form->fields[i].wire_name);
  }
  assert_string_equal(text, expected);
}

static void assert_valid(LineForm *form, const AppState *app) {
  if (!line_form_validate(form, app)) {
    for (size_t i = 0; i < form->count; i++) {
      if (form->fields[i].error) {
        fail_msg("%s: %s", form->fields[i].wire_name, form->fields[i].error);
      }
    }
    fail_msg("line_form_validate failed with no field error");
  }
}

/* The line as JSON text, for comparing with what the documents write. */
static char *line_json(const LineForm *form) {
  CartLineItem line;
  assert_true(line_form_to_line(form, &line));
  cJSON *json = cart_line_item_to_json(&line);
  cart_line_item_clear(&line);
  char *text = cJSON_PrintUnformatted(json);
  cJSON_Delete(json);
  assert_non_null(text);
  return text;
}

static void assert_line_json(const LineForm *form, const char *expected) {
  char *text = line_json(form);
  assert_string_equal(text, expected);
  free(text);
}

/* ----- the documents' kinds ----- */

static void test_legacy_azure(void **state) {
  AppState *app = *state;
  LineForm *form = open_form(app, LEGACY_AZURE);
  assert_fields(form, "catalogItemId,quantity,billingCycle,friendlyName,promotionId,participants");
  const FormField *item = field(form, "catalogItemId");
  assert_int_equal(item->kind, FORM_FIELD_READONLY);
  assert_non_null(strstr(item->hint, "Microsoft Azure"));
  const FormField *quantity = field(form, "quantity");
  assert_int_equal(quantity->kind, FORM_FIELD_NUMBER);
  assert_int_equal(quantity->min, 1);
  assert_int_equal(quantity->max, 1);
  assert_string_equal(quantity->value, "1");
  assert_choices(form, "billingCycle", "monthly");
  assert_valid(form, app);
  assert_line_json(form, "{\"catalogItemId\":\"MS-AZR-0145P\",\"quantity\":1,"
                         "\"billingCycle\":\"monthly\"}");
  /* A read-only field cannot be set; a choice must be one of its choices. */
  assert_false(line_form_set(form, 0, "other"));
  assert_false(line_form_set(form, (size_t)line_form_find(form, "billingCycle"), "annual"));
  set(form, "quantity", "2");
  assert_true(form->changed);
  assert_false(line_form_validate(form, app));
  assert_string_equal(field(form, "quantity")->error,
                      "Quantity must be from 1 to 1; 2 is too many.");
  line_form_free(form);
}

static void test_reservation(void **state) {
  AppState *app = *state;
  LineForm *form = open_form(app, RESERVATION_1Y);
  assert_fields(form, "catalogItemId,quantity,billingCycle,termDuration,friendlyName,promotionId,"
                      "participants,provisioningContext.scope,provisioningContext.subscriptionId");
  assert_non_null(strstr(field(form, "catalogItemId")->hint, "Reserved Virtual Machine Instances"));
  assert_non_null(strstr(field(form, "catalogItemId")->hint, "Standard_NV12"));
  assert_choices(form, "billingCycle", "one_time");
  assert_choices(form, "termDuration", "P1Y");
  const FormField *scope = field(form, "provisioningContext.scope");
  assert_int_equal(scope->kind, FORM_FIELD_CHOICE);
  assert_choices(form, "provisioningContext.scope", "shared|single");
  assert_string_equal(scope->choice_labels.items[0], "Shared");
  assert_string_equal(scope->choice_labels.items[1], "Single");

  /* The customer's active Azure subscriptions, labelled with their names (the GUID is the
   * value, shown beside the label, so not inside it). */
  const FormField *sub = field(form, "provisioningContext.subscriptionId");
  assert_int_equal(sub->kind, FORM_FIELD_GUID);
  assert_true(sub->choices.count >= 1);
  assert_int_equal(sub->choice_labels.count, sub->choices.count);
  bool found = false;
  for (size_t i = 0; i < sub->choices.count; i++) {
    found = found || strcasecmp(sub->choices.items[i], SEED_DOC_SUBSCRIPTION_ID) == 0;
    assert_null(strstr(sub->choice_labels.items[i], sub->choices.items[i]));
    const Subscription *named = NULL;
    for (size_t k = 0; k < app->catalog.subscriptions.count; k++) {
      if (strcmp(app->catalog.subscriptions.items[k].id, sub->choices.items[i]) == 0) {
        named = &app->catalog.subscriptions.items[k];
      }
    }
    assert_non_null(named);
    assert_non_null(named->friendly_name);
    assert_string_equal(sub->choice_labels.items[i], named->friendly_name);
  }
  assert_true(found);
  for (size_t i = 0; i < app->catalog.subscriptions.count; i++) {
    const Subscription *s = &app->catalog.subscriptions.items[i];
    bool offered = false;
    for (size_t k = 0; k < sub->choices.count; k++) {
      offered = offered || strcmp(sub->choices.items[k], s->id) == 0;
    }
    bool azure_active = strcmp(s->offer_id, LEGACY_AZURE) == 0 && strcmp(s->status, "active") == 0;
    assert_int_equal(offered, azure_active);
  }

  /* A typed GUID is checked: syntax first, then that it is the customer's. */
  set(form, "provisioningContext.subscriptionId", "not-a-guid");
  assert_false(line_form_validate(form, app));
  assert_string_equal(field(form, "provisioningContext.subscriptionId")->error,
                      "Azure subscription must be a GUID such as "
                      "1c461a25-f729-4fa5-aadb-280947dd05e8; 'not-a-guid' is not one.");
  assert_null(field(form, "quantity")->error);
  set(form, "provisioningContext.subscriptionId", "00000000-1111-2222-3333-444444444444");
  assert_false(line_form_validate(form, app));
  assert_non_null(strstr(field(form, "provisioningContext.subscriptionId")->error,
                         "is not one of the customer's subscriptions"));
  set(form, "provisioningContext.subscriptionId", SEED_DOC_SUBSCRIPTION_ID);
  set(form, "provisioningContext.scope", "shared");
  assert_valid(form, app);
  assert_line_json(
      form,
      "{\"catalogItemId\":\"" RESERVATION_1Y "\",\"quantity\":1,"
      "\"billingCycle\":\"one_time\",\"termDuration\":\"P1Y\","
      "\"provisioningContext\":{\"scope\":\"shared\",\"subscriptionId\":\"" SEED_DOC_SUBSCRIPTION_ID
      "\"}}");
  assert_false(
      line_form_set(form, (size_t)line_form_find(form, "provisioningContext.scope"), "global"));
  line_form_free(form);

  /* The newer shape: Duration follows the term until chosen. */
  form = open_form(app, RESERVATION_D3Y);
  assert_choices(form, "provisioningContext.duration", "1Year|3Years");
  assert_string_equal(field(form, "provisioningContext.duration")->value, "3Years");
  assert_string_equal(field(form, "provisioningContext.duration")->choice_labels.items[1],
                      "3 years");
  set(form, "provisioningContext.subscriptionId", SEED_DOC_SUBSCRIPTION_ID);
  assert_valid(form, app);
  line_form_free(form);
}

static void test_perpetual(void **state) {
  AppState *app = *state;
  LineForm *form = open_form(app, PERPETUAL);
  /* No term: perpetual software lines carry no termDuration. */
  assert_fields(form, "catalogItemId,quantity,billingCycle,friendlyName,promotionId,participants");
  assert_choices(form, "billingCycle", "one_time");
  assert_int_equal(field(form, "quantity")->max, 999);
  assert_string_equal(field(form, "quantity")->hint, "1 to 999");
  assert_valid(form, app);
  assert_line_json(form, "{\"catalogItemId\":\"" PERPETUAL "\",\"quantity\":1,"
                         "\"billingCycle\":\"one_time\"}");
  set(form, "quantity", "12x");
  assert_false(line_form_validate(form, app));
  assert_string_equal(field(form, "quantity")->error,
                      "Quantity must be a whole number; '12x' is not one.");
  set(form, "quantity", "");
  assert_false(line_form_validate(form, app));
  assert_string_equal(field(form, "quantity")->error, "Quantity is required.");
  line_form_free(form);
}

static void test_saas_monthly(void **state) {
  AppState *app = *state;
  LineForm *form = open_form(app, SAAS);
  assert_choices(form, "billingCycle", "monthly|annual");
  assert_string_equal(field(form, "billingCycle")->value, "monthly");
  assert_string_equal(field(form, "billingCycle")->choice_labels.items[0], "Monthly");
  /* Only the terms the availability offers for the chosen cycle. */
  assert_choices(form, "termDuration", "P1M|P1Y");
  assert_string_equal(field(form, "termDuration")->choice_labels.items[0], "1 month");
  assert_string_equal(field(form, "termDuration")->value, "P1M");
  assert_valid(form, app);
  assert_line_json(form, "{\"catalogItemId\":\"" SAAS "\",\"quantity\":1,"
                         "\"billingCycle\":\"monthly\",\"termDuration\":\"P1M\"}");
  set(form, "billingCycle", "Annual"); /* as terms spell it */
  assert_string_equal(field(form, "billingCycle")->value, "annual");
  assert_choices(form, "termDuration", "P1Y");
  assert_string_equal(field(form, "termDuration")->value, "P1Y");
  assert_false(line_form_set(form, (size_t)line_form_find(form, "termDuration"), "P1M"));
  assert_valid(form, app);
  line_form_free(form);
}

static void test_saas_trial(void **state) {
  AppState *app = *state;
  LineForm *form = open_form(app, SAAS_TRIAL);
  assert_fields(form, "catalogItemId,quantity,billingCycle,termDuration,renewsTo.termDuration,"
                      "friendlyName,promotionId,participants");
  assert_choices(form, "billingCycle", "none");
  assert_choices(form, "termDuration", "P1M");
  assert_choices(form, "renewsTo.termDuration", "P1Y|");
  assert_string_equal(field(form, "renewsTo.termDuration")->value, "P1Y");
  assert_string_equal(field(form, "renewsTo.termDuration")->choice_labels.items[1], "Do not renew");
  set(form, "quantity", "10");
  assert_valid(form, app);
  assert_line_json(form, "{\"catalogItemId\":\"" SAAS_TRIAL "\",\"quantity\":10,"
                         "\"billingCycle\":\"none\",\"termDuration\":\"P1M\","
                         "\"renewsTo\":{\"termDuration\":\"P1Y\"}}");
  set(form, "renewsTo.termDuration", "");
  assert_valid(form, app);
  assert_line_json(form, "{\"catalogItemId\":\"" SAAS_TRIAL "\",\"quantity\":10,"
                         "\"billingCycle\":\"none\",\"termDuration\":\"P1M\"}");
  set(form, "quantity", "101");
  assert_false(line_form_validate(form, app));
  assert_string_equal(field(form, "quantity")->error,
                      "Quantity must be from 1 to 100; 101 is too many.");
  line_form_free(form);
}

static void test_m365(void **state) {
  AppState *app = *state;
  LineForm *form = open_form(app, M365_BASIC);
  assert_choices(form, "billingCycle", "monthly|annual|triennial");
  assert_choices(form, "termDuration", "P1M|P1Y");
  set(form, "billingCycle", "annual");
  assert_choices(form, "termDuration", "P1Y|P3Y");
  set(form, "termDuration", "P3Y");
  set(form, "quantity", "25");
  set(form, "friendlyName", "Sales team");
  set(form, "participants",
      "transaction_reseller=1234567, additional_transaction_reseller=7654321");
  assert_valid(form, app);
  assert_line_json(form,
                   "{\"catalogItemId\":\"" M365_BASIC "\",\"friendlyName\":\"Sales team\","
                   "\"quantity\":25,\"billingCycle\":\"annual\",\"termDuration\":\"P3Y\","
                   "\"participants\":[{\"key\":\"transaction_reseller\",\"value\":\"1234567\"},"
                   "{\"key\":\"additional_transaction_reseller\",\"value\":\"7654321\"}]}");

  /* The form's own syntax rules and the validator's, each on its field. */
  set(form, "participants", "transaction_reseller 1234567");
  set(form, "quantity", "2001");
  set(form, "promotionId", "NOPE");
  assert_false(line_form_validate(form, app));
  assert_string_equal(field(form, "participants")->error,
                      "Participant 'transaction_reseller 1234567' is not key=value; write pairs "
                      "such as transaction_reseller=1234567, separated by commas.");
  assert_string_equal(field(form, "quantity")->error,
                      "Quantity must be from 1 to 2000; 2001 is too many.");
  assert_non_null(strstr(field(form, "promotionId")->error, "is not a current promotion"));
  assert_null(field(form, "billingCycle")->error);
  set(form, "participants", "reseller=1");
  set(form, "quantity", "1");
  set(form, "promotionId", "39NFJQT1Q5KV:0002:39NFJQT1Q5KW"); /* for P1Y annual, not P3Y */
  assert_false(line_form_validate(form, app));
  assert_non_null(strstr(field(form, "participants")->error, "the keys allowed are"));
  assert_non_null(strstr(field(form, "promotionId")->error, "applies only to"));
  set(form, "participants", "");
  set(form, "termDuration", "P1Y");
  assert_valid(form, app);
  line_form_free(form);
}

static void test_attestation(void **state) {
  AppState *app = *state;
  LineForm *form = open_form(app, WINDOWS_365);
  assert_choices(form, "attestationAccepted", "true|false");
  assert_string_equal(field(form, "attestationAccepted")->value, "false");
  assert_false(line_form_validate(form, app));
  assert_non_null(strstr(field(form, "attestationAccepted")->error, "attestation"));
  set(form, "attestationAccepted", "true");
  assert_valid(form, app);
  line_form_free(form);
}

static void test_unknown_item_and_line(void **state) {
  AppState *app = *state;
  char why[256] = "";
  assert_null(line_form_new(app, "NOPE:0001:NOPE", -1, why, sizeof why));
  assert_string_equal(why, "Catalog item NOPE:0001:NOPE is not in the loaded catalog; load its "
                           "product's SKUs and availabilities first.");
  assert_null(line_form_new(app, NULL, 3, why, sizeof why));
  assert_string_equal(why, "There is no line 4; the cart has 0.");
  assert_null(line_form_new(app, NULL, -1, why, sizeof why));
}

/* Editing a line: its values fill the form, and what the form does not show is kept. */
static void test_edit_line(void **state) {
  AppState *app = *state;
  LineForm *form = open_form(app, M365_BASIC);
  set(form, "billingCycle", "annual");
  set(form, "quantity", "7");
  set(form, "participants", "transaction_reseller=42");
  CartLineItem line;
  assert_true(line_form_to_line(form, &line));
  line_form_free(form);
  line.custom_term_end_date = model_strdup("2031-06-30");
  char why[256] = "";
  assert_true(app_cart_add_line(app, &line, why, sizeof why));
  cart_line_item_clear(&line);

  form = line_form_new(app, NULL, 0, why, sizeof why);
  assert_non_null(form);
  assert_int_equal(form->line_index, 0);
  assert_string_equal(form->catalog_item_id, M365_BASIC);
  assert_string_equal(field(form, "quantity")->value, "7");
  assert_string_equal(field(form, "billingCycle")->value, "annual");
  assert_string_equal(field(form, "termDuration")->value, "P1Y");
  assert_string_equal(field(form, "participants")->value, "transaction_reseller=42");
  assert_false(form->changed);
  set(form, "quantity", "8");
  assert_valid(form, app);
  assert_true(line_form_to_line(form, &line));
  assert_int_equal(line.id.value, 0);
  assert_int_equal(line.quantity.value, 8);
  assert_string_equal(line.custom_term_end_date, "2031-06-30");
  assert_true(app_cart_replace_line(app, 0, &line, why, sizeof why));
  cart_line_item_clear(&line);
  line_form_free(form);
  assert_int_equal(app->cart.draft->line_items.items[0].quantity.value, 8);
  assert_true(app_cart_clear(app, why, sizeof why));
}

/* A line's participants fill the form however long they are: a cut text would change the last
 * value (or drop them all) when a line opened only to change its quantity is put back. */
static void test_edit_keeps_long_participants(void **state) {
  AppState *app = *state;
  LineForm *form = open_form(app, M365_BASIC);
  CartLineItem line;
  assert_true(line_form_to_line(form, &line));
  line_form_free(form);
  char a[201], b[201], c[201];
  memset(a, 'a', 200);
  memset(b, 'b', 200);
  memset(c, 'c', 200);
  a[200] = b[200] = c[200] = '\0';
  assert_true(kv_list_add(&line.participants, "transaction_reseller", a));
  assert_true(kv_list_add(&line.participants, "consumption_reseller", b));
  assert_true(kv_list_add(&line.participants, "additional_transaction_reseller", c));
  char why[256] = "";
  assert_true(app_cart_add_line(app, &line, why, sizeof why));
  cart_line_item_clear(&line);

  form = line_form_new(app, NULL, 0, why, sizeof why);
  assert_non_null(form);
  char expected[700];
  snprintf(expected, sizeof expected,
           "transaction_reseller=%s, consumption_reseller=%s, additional_transaction_reseller=%s",
           a, b, c);
  assert_string_equal(field(form, "participants")->value, expected);
  set(form, "quantity", "3");
  assert_true(line_form_to_line(form, &line));
  line_form_free(form);
  assert_int_equal(line.participants.count, 3);
  assert_string_equal(kv_list_get(&line.participants, "transaction_reseller"), a);
  assert_string_equal(kv_list_get(&line.participants, "consumption_reseller"), b);
  assert_string_equal(kv_list_get(&line.participants, "additional_transaction_reseller"), c);
  cart_line_item_clear(&line);
  assert_true(app_cart_clear(app, why, sizeof why));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_legacy_azure), cmocka_unit_test(test_reservation),
      cmocka_unit_test(test_perpetual),    cmocka_unit_test(test_saas_monthly),
      cmocka_unit_test(test_saas_trial),   cmocka_unit_test(test_m365),
      cmocka_unit_test(test_attestation),  cmocka_unit_test(test_unknown_item_and_line),
      cmocka_unit_test(test_edit_line),    cmocka_unit_test(test_edit_keeps_long_participants),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
