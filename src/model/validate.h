/* The one cart validator, shared by the client (offline checks, forms) and the sandbox
 * (line errors in a 201, 800002 refusals): it reports every problem it finds with the
 * Partner Center code the service would use. */
#ifndef PCCART_MODEL_VALIDATE_H
#define PCCART_MODEL_VALIDATE_H

#include "model/cart.h"
#include "model/catalog.h"
#include "model/customer.h"

typedef enum ProblemLevel {
  /* The whole request would be refused: 400 with code 800002 (empty lineItems,
   * duplicate line id, missing catalogItemId, quantity < 1, ...). */
  PROBLEM_REQUEST = 1,
  /* The line would come back inside a 201 with lineItems[i].error set. */
  PROBLEM_LINE = 2,
} ProblemLevel;

typedef struct CartProblem {
  ProblemLevel level;
  long code;        /* 800002 for request problems; a CartErrorCode (or 400039) for lines */
  long line_index;  /* index into cart.lineItems; -1 for the cart as a whole */
  long addon_index; /* index into that line's addonItems; -1 for the line itself */
  char *field;      /* wire name of the offending field ("quantity", "provisioningContext.scope") */
  char *description; /* one sentence naming the problem and what is allowed */
} CartProblem;

typedef struct CartProblems {
  CartProblem *items;
  size_t count;
} CartProblems;

/* What the validator knows about the world beyond the catalog. Any member may be
 * NULL/false: an unknown customer's subscriptions are then not checked. */
typedef struct ValidationContext {
  const Catalog *catalog;
  const SubscriptionList *customer_subscriptions; /* for provisioningContext.subscriptionId */
  bool partner_is_direct;      /* participants are refused (10004) for a direct partner */
  bool enforce_sandbox_limits; /* the integration sandbox's 25 licenses per subscription */
  long max_line_items;         /* 0 = no limit */
} ValidationContext;

/* Fills problems (cleared first); returns false only when out of memory.
 * Problems come in line order, request problems first. */
bool cart_validate(const Cart *cart, const ValidationContext *context, CartProblems *problems);

/* Checks one line as the line item form would (index used in messages). */
bool cart_line_validate(const CartLineItem *line, long line_index, const ValidationContext *context,
                        CartProblems *problems);

bool cart_problems_has_request_level(const CartProblems *problems);
/* The first line-level problem of line i (addon -1), or NULL. */
const CartProblem *cart_problems_for_line(const CartProblems *problems, long line_index);
void cart_problems_clear(CartProblems *problems);

/* The problems as a document (`cart validate --json`):
 * {"file":source,"valid":bool,"problems":[{"level":"request"|"line","code","lineIndex",
 *  "addonIndex" (add-ons only),"field","description","fileLine"}]}.
 * source names where the cart came from (NULL leaves "file" out); source_lines is NULL or
 * holds, per problem, its 1-based line in that source (0 or less leaves "fileLine" out).
 * NULL if out of memory. */
cJSON *cart_problems_to_json(const CartProblems *problems, const char *source,
                             const int *source_lines);

/* True for "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" in hex, any case. */
bool model_is_guid(const char *text);

#endif
