/* The worker: a background thread that owns the Partner Center client. Jobs go in through
 * a queue; results come out through a queue and a file descriptor that becomes readable, so
 * the UI's poll() loop wakes up. The job in flight can be cancelled; at most one mutating job
 * (create, update, checkout) per cart is queued or running at a time. Never includes curses. */
#ifndef PCCART_APP_WORKER_H
#define PCCART_APP_WORKER_H

#include <stdbool.h>
#include <stddef.h>

#include "app/submit.h"
#include "pc/client.h"

typedef enum JobKind {
  JOB_CUSTOMERS_LIST = 1,
  JOB_CUSTOMER_GET,
  JOB_SUBSCRIPTIONS_LIST,
  JOB_PRODUCTS_LIST, /* the products, then the legacy offers (pc_offers_list) */
  JOB_SKUS_LIST,
  JOB_AVAILABILITIES_LIST,
  JOB_CATALOG_FETCH,
  JOB_CART_CREATE, /* mutating */
  JOB_CART_GET,
  JOB_CART_UPDATE,   /* mutating */
  JOB_CART_CHECKOUT, /* mutating */
  JOB_RECONCILE,     /* settles the intents an earlier run left unresolved (the journal's) */
} JobKind;

const char *job_kind_name(JobKind kind); /* "cart create", ... for messages */
bool job_kind_is_mutating(JobKind kind);

/* A job's inputs. The worker owns a submitted job and gives it back inside its result. */
typedef struct Job {
  JobKind kind;
  char *customer_id;
  char *customer_name;            /* mutating: for the history; NULL when unknown */
  char *cart_id;                  /* get, update (also cart->id), checkout */
  char *product_id;               /* skus, availabilities */
  char *sku_id;                   /* availabilities */
  char *target_view;              /* products; NULL for all */
  PcCustomerField customer_field; /* customers list */
  char *customer_prefix;
  char *continuation_token;
  long page_size;
  Cart *cart;              /* create, update */
  char *customer_user_upn; /* checkout; NULL for none */
  /* create, update, checkout: the intent's MS-RequestId. Empty: the worker makes one, and the
   * result says which (result->info.request_id), so that a retry of the same intent can
   * reuse it. */
  char request_id[37];
  /* Mutating jobs: what "one per cart" means, the cart id or, before the cart has one, the
   * caller's draft key (e.g. "draft:1"). NULL: cart_id, then "customer:<customer_id>". */
  char *cart_key;
} Job;

/* A zeroed job of this kind; NULL when out of memory. job_free accepts NULL. */
Job *job_new(JobKind kind);
void job_free(Job *job);

typedef enum JobEvent {
  JOB_FINISHED = 1, /* the job is done: ok, or error (cancelled included) */
  JOB_RETRYING,     /* progress: attempt `attempt` failed, next try in retry_wait_ms */
} JobEvent;

typedef struct JobResult {
  JobEvent event;
  long job_id;
  JobKind kind;
  bool ok;
  PcError error;      /* when !ok (JOB_FINISHED), or why a retry is coming (JOB_RETRYING) */
  PcCallInfo info;    /* request id, correlation id, bodies sent and received */
  int attempt;        /* JOB_RETRYING */
  long retry_wait_ms; /* JOB_RETRYING */
  /* Outputs, by kind, when ok (owned by the result): */
  CustomerPage *customer_page;
  Customer *customer;
  SubscriptionList subscriptions;
  Catalog *catalog;             /* products, skus, availabilities, catalog fetch */
  Cart *cart;                   /* create, get, update */
  CartCheckoutResult *checkout; /* checkout */
  ReconcileReport reconcile;    /* JOB_RECONCILE (ok false: error says why the journal failed) */
  /* Mutating jobs: how the submission went beyond its outcome (an adopted request id, the
   * checks it took to settle, a journal that could not be completed). */
  bool adopted;
  int resolve_checks;
  char journal_warning[320];
  Job *job; /* the inputs, given back (NULL on JOB_RETRYING) */
  /* A part that failed while the job as a whole succeeded (kind 0 when none): for
   * JOB_PRODUCTS_LIST, why the legacy offers it also reads could not be read (the products
   * are in catalog all the same). */
  PcError warning;
} JobResult;

void job_result_free(JobResult *result);

typedef struct Worker Worker;

/* Creates the client from settings (copied) and starts the thread; NULL with error filled. */
Worker *worker_start(const PcSettings *settings, PcError *error);
/* Journals the worker's create, update and checkout jobs in the state store at state_path for
 * profile. The worker thread opens its own connection at its first need (a file that cannot be
 * used means no journal: JOB_RECONCILE then fails with the store's sentence, naming the file).
 * Call before submitting jobs; false when out of memory. */
bool worker_use_journal(Worker *worker, const char *state_path, const char *profile);

/* What a reconciliation settled (JobResult.reconcile.settled, copied): a save or checkout that
 * repeats one of them answers from its recorded result instead of being sent again. */
bool worker_set_settled(Worker *worker, const SubmissionList *settled);

/* Cancels what is running, drops what is queued, joins the thread, frees everything. */
void worker_stop(Worker *worker);

/* Readable while results are waiting; for poll(). */
int worker_wake_fd(const Worker *worker);

/* Takes ownership of job. Returns the job's id (> 0), or 0 when refused, with a sentence in
 * why: a mutating job while another for the same cart is queued or running ("A checkout of
 * this cart is already in progress."), a job missing what its kind needs, or a stopped worker.
 * A refused job is freed. */
long worker_submit(Worker *worker, Job *job, char *why, size_t why_size);

/* Cancels a queued job (it finishes at once as cancelled) or the running one (it finishes
 * cancelled within 100 ms). False when no such job is queued or running. */
bool worker_cancel(Worker *worker, long job_id);
/* Jobs queued or running. */
size_t worker_pending(Worker *worker);

/* The next result, or NULL when none is waiting; never blocks. Results come in the order
 * they were produced. */
JobResult *worker_take_result(Worker *worker);

#endif
