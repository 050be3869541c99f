/* Named training scenarios: each is a set of sandbox settings plus standing faults,
 * applied at start and again by /_sandbox/reset. */
#include <string.h>

#include "sandbox/internal.h"

typedef struct ScenarioDef {
  SandboxScenario info;
  ScenarioSettings settings; /* zero fields keep the defaults */
  Fault faults[3];
  size_t fault_count;
} ScenarioDef;

static const ScenarioDef scenarios[] = {
    {{"default", "Partner Center as documented: carts live 7 days, nothing fails."}, {0}, {{0}}, 0},
    {{"throttled",
      "Every 4th request is throttled: 429 with Retry-After 2 and the throttling body."},
     {0},
     {{.match = "*", .kind = FAULT_THROTTLE, .retry_after = 2, .every = 4, .times = 0}},
     1},
    {{"flaky", "Every 3rd cart or catalog request fails with 503 (Retry-After 1), then recovers."},
     {0},
     {{.match = "carts.create",
       .kind = FAULT_STATUS,
       .status = 503,
       .retry_after = 1,
       .every = 3,
       .code = 800003},
      {.match = "carts.get",
       .kind = FAULT_STATUS,
       .status = 503,
       .retry_after = 1,
       .every = 3,
       .code = 800003},
      {.match = "catalog.availabilities",
       .kind = FAULT_STATUS,
       .status = 503,
       .retry_after = 1,
       .every = 3,
       .code = 800003}},
     3},
    {{"slow", "Every request takes 1.5 seconds: practise the spinner and cancelling with Esc."},
     {0},
     {{.match = "*", .kind = FAULT_DELAY, .delay_ms = 1500, .every = 1, .times = 0}},
     1},
    {{"partial-failure",
      "Checkouts fail order group 1 with code 800005: partial success with orderErrors."},
     {0},
     {{.match = "carts.checkout",
       .kind = FAULT_FAIL_ORDER_GROUP,
       .order_group = "1",
       .code = 800005,
       .description = "Create order not successful.",
       .every = 1,
       .times = 0}},
     1},
    {{"lost-reply",
      "The first checkout is carried out but its reply is lost: retry safely with the same "
      "MS-RequestId."},
     {0},
     {{.match = "carts.checkout", .kind = FAULT_DROP_AFTER_COMMIT, .every = 1, .times = 1}},
     1},
    {{"quick-expiry", "Carts expire 15 minutes after creation, as in the 2019 examples."},
     {.cart_lifetime_s = 15 * 60},
     {{0}},
     0},
    {{"integration-sandbox",
      "Partner Center's integration sandbox limits: 75 customers, 25 licences per line."},
     {.enforce_sandbox_limits = true, .max_customers = 75},
     {{0}},
     0},
    {{"direct-partner", "The partner is a direct-bill partner: participants are refused (10004)."},
     {.partner_is_direct = true},
     {{0}},
     0},
};

#define SCENARIO_COUNT (sizeof scenarios / sizeof scenarios[0])

size_t sandbox_scenario_count(void) {
  return SCENARIO_COUNT;
}

const SandboxScenario *sandbox_scenario_at(size_t index) {
  return index < SCENARIO_COUNT ? &scenarios[index].info : NULL;
}

static const ScenarioDef *scenario_find(const char *name) {
  for (size_t i = 0; i < SCENARIO_COUNT; i++)
    if (strcmp(scenarios[i].info.name, name) == 0)
      return &scenarios[i];
  return NULL;
}

const SandboxScenario *sandbox_scenario_find(const char *name) {
  const ScenarioDef *def = name ? scenario_find(name) : NULL;
  return def ? &def->info : NULL;
}

bool scenario_apply(const char *name, ScenarioSettings *settings, FaultSet *faults) {
  const ScenarioDef *def = scenario_find(name ? name : "default");
  if (!def)
    return false;
  *settings = def->settings;
  if (settings->cart_lifetime_s == 0)
    settings->cart_lifetime_s = SANDBOX_CART_LIFETIME_S;
  faults_clear(faults);
  for (size_t i = 0; i < def->fault_count; i++)
    if (!faults_arm(faults, &def->faults[i], NULL))
      return false;
  return true;
}
