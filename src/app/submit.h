/* One submission (create, update or checkout) from intent to a known outcome, for the worker
 * and the CLI alike: journaled in the state store before the first byte is sent, sent with one
 * MS-RequestId across every attempt (and every run), an uncertain outcome resolved (a cart
 * still being processed is asked again after a wait; an ordered cart's result is fetched by
 * sending the same id again), and the outcome recorded. Also the reconciliation, at start, of
 * the intents an earlier run left unresolved. Runs on the caller's thread; never on the UI's. */
#ifndef PCCART_APP_SUBMIT_H
#define PCCART_APP_SUBMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/cart.h"
#include "model/order.h"
#include "pc/client.h"
#include "state/state.h"

/* Where intents are journaled. store NULL: nowhere (the store could not be opened; the user
 * was told that recovery is off). */
typedef struct SubmitJournal {
  StateStore *store;
  const char *profile;
} SubmitJournal;

typedef struct SubmitIntent {
  SubmissionOperation operation;
  const char *customer_id;
  const char *customer_name;     /* for the history; NULL when unknown */
  const Cart *cart;              /* create, update (the cart's id is the one updated) */
  const char *cart_id;           /* checkout */
  const char *customer_user_upn; /* checkout; NULL for none */
  /* In: the MS-RequestId to use, or "" for a new one (or an adopted one, below). Out: the id
   * the intent was sent with: a retry of the same intent must use it again. */
  char request_id[37];
  /* When the journal holds an unresolved intent this one repeats (the same file for the same
   * customer after a crash, the same cart's checkout), use its request id (instead of the one
   * given, or a new one), so the service answers with the first outcome instead of acting
   * twice; one that this run's reconciliation settled answers from its recorded result. */
  bool adopt_unresolved;
} SubmitIntent;

typedef struct SubmitPolicy {
  /* After an attempt that may have acted: how many more times to look (send again with the
   * same id, or read the cart) before giving up with "outcome unknown" [8]. */
  int resolve_checks;
  /* Told before each wait while resolving (attempt, the wait, why); NULL for none. */
  PcRetryObserver on_wait;
  void *on_wait_user;
  /* Settled by this run's reconciliation, for adopt_unresolved; NULL for none. */
  const SubmissionList *settled;
} SubmitPolicy;

typedef struct SubmitResult {
  Cart *cart;                   /* create, update: the service's cart */
  CartCheckoutResult *checkout; /* checkout */
  PcCallInfo info;              /* the last call */
  PcError error;                /* when it failed; error.outcome_unknown: it may have acted */
  bool adopted;                 /* the request id came from an earlier unresolved intent */
  /* The adopted intent had been settled (done) by this run's reconciliation: its recorded
   * result is the answer, and nothing was sent again. */
  bool from_journal;
  /* A checkout the service says is ordered, whose result it did not send again (an older
   * service's 800065 instead of a replay): recorded as done, told as an error. */
  bool ordered_without_result;
  int checks;                /* looks it took to settle an uncertain attempt; 0: none */
  int64_t journal_id;        /* the journal row; 0 when not journaled */
  char journal_warning[320]; /* the outcome could not be recorded (it stands all the same) */
} SubmitResult;

void submit_result_clear(SubmitResult *result);

/* Journals, sends, resolves, records. True when the service acted and answered (a checkout
 * whose every order group failed included: its result says so); false with result->error. A
 * journal that cannot be written stops the intent before anything is sent (error kind
 * PC_ERROR_INVALID, the sentence names the file). */
bool submit_run(PcClient *client, const SubmitJournal *journal, SubmitIntent *intent,
                const SubmitPolicy *policy, SubmitResult *result);

/* What reconciliation did with one unresolved intent. */
typedef struct ReconcileItem {
  Submission submission; /* as it now stands in the journal */
  char summary[512];     /* one sentence for the user */
} ReconcileItem;

typedef struct ReconcileReport {
  ReconcileItem *items;
  size_t count;
  SubmissionList settled; /* the ones settled (for SubmitPolicy.settled) */
} ReconcileReport;

void reconcile_report_clear(ReconcileReport *report);
/* Appends a copy of the identifying fields and the result of s to list (for SubmitPolicy.settled
 * kept beyond the report); false when out of memory. */
bool settled_list_add(SubmissionList *list, const Submission *s);

/* Sends each unresolved intent of the journal's profile again with its own MS-RequestId and
 * records what became of it (an update superseded by a later save of its cart is not sent
 * again). Stops at a cancel, leaving the rest as they were. False (err set) only when the
 * journal could not be read. */
bool submit_reconcile(PcClient *client, const SubmitJournal *journal, const SubmitPolicy *policy,
                      ReconcileReport *report, char *err, size_t err_size);

#endif
