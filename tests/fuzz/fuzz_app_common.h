/* The app state the app's fuzz targets work on: seed customer 0 picked, with the seed catalog
 * and their subscriptions loaded (as after the worker answered), as tests/app/test_app_form.c
 * sets it up. */
#ifndef PCCART_TESTS_FUZZ_APP_COMMON_H
#define PCCART_TESTS_FUZZ_APP_COMMON_H

#include "app/app.h"
#include "fuzz.h"
#include "sandbox/seed.h"

static inline AppState *fuzz_app_new(void) {
  AppOptions options = {.profile_name = "sandbox"};
  AppState *app = app_new(&options);
  FUZZ_CHECK(app != NULL, "app_new failed");
  catalog_free(app->catalog.catalog);
  app->catalog.catalog = seed_catalog_new();
  app->cart.customer_id = model_strdup(SEED_DOC_CUSTOMER_ID);
  FUZZ_CHECK(app->catalog.catalog && app->cart.customer_id &&
                 seed_customer_subscriptions(0, &app->catalog.subscriptions),
             "the seed state could not be made");
  app->catalog.subscriptions_loaded = true;
  app->catalog.products_loaded = true;
  return app;
}

/* Drops the messages the state posted (they would pile up across inputs). */
static inline void fuzz_app_drain(AppState *app) {
  AppMessage message;
  while (app_take_message(app, &message)) {
  }
  app_take_changes(app);
}

#endif
