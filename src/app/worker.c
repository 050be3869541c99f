/* The worker thread: one PcClient driven from a job queue, results handed back through a
 * queue and an eventfd that is readable exactly while results are waiting. */
#include "app/worker.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* A job from submit to take: queued, then running, then its result waits in the results list.
 * The result is allocated at submit time so that finishing or cancelling a job never needs
 * memory (an out-of-memory moment cannot lose a job's outcome). */
typedef struct Entry {
  struct Entry *next;
  long id;
  JobKind kind;
  char *key; /* mutating jobs: the cart key; NULL for reads */
  Job *job;
  JobResult *result;
} Entry;

typedef struct EntryList {
  Entry *head;
  Entry *tail;
  size_t count;
} EntryList;

struct Worker {
  PcClient *client;
  /* The journal: its path and profile are set by worker_use_journal; the worker thread opens
   * it at its first need (never the caller's thread: a locked file may wait seconds). */
  char *journal_path;
  char *profile;
  StateStore *journal;     /* the worker thread's; NULL until opened, or when it cannot be */
  bool journal_tried;      /* worker thread only */
  char journal_error[512]; /* why it could not be opened */
  SubmissionList settled;  /* guarded by mutex: what a reconciliation settled */
  PcRetryObserver user_on_retry;
  void *user_on_retry_user;
  pthread_t thread;
  pthread_mutex_t mutex;
  pthread_cond_t cond; /* the worker waits on it for jobs (or stop) */
  /* Everything below is guarded by mutex. */
  EntryList queue;
  EntryList results;
  Entry *running; /* owned by the worker thread while the job runs; NULL when idle */
  long running_id;
  long next_id;
  bool stopping;
  int wake_fd; /* eventfd: non-zero counter <=> results non-empty */
};

/* ----- jobs and results ----- */

const char *job_kind_name(JobKind kind) {
  switch (kind) {
  case JOB_CUSTOMERS_LIST:
    return "customer list";
  case JOB_CUSTOMER_GET:
    return "customer read";
  case JOB_SUBSCRIPTIONS_LIST:
    return "subscription list";
  case JOB_PRODUCTS_LIST:
    return "product list";
  case JOB_SKUS_LIST:
    return "SKU list";
  case JOB_AVAILABILITIES_LIST:
    return "availability list";
  case JOB_CATALOG_FETCH:
    return "catalog download";
  case JOB_CART_CREATE:
    return "cart create";
  case JOB_CART_GET:
    return "cart read";
  case JOB_CART_UPDATE:
    return "cart update";
  case JOB_CART_CHECKOUT:
    return "checkout";
  case JOB_RECONCILE:
    return "check of earlier submissions";
  }
  return "unknown job";
}

bool job_kind_is_mutating(JobKind kind) {
  return kind == JOB_CART_CREATE || kind == JOB_CART_UPDATE || kind == JOB_CART_CHECKOUT;
}

static bool job_kind_is_known(JobKind kind) {
  return kind >= JOB_CUSTOMERS_LIST && kind <= JOB_RECONCILE;
}

Job *job_new(JobKind kind) {
  Job *job = calloc(1, sizeof *job);
  if (job)
    job->kind = kind;
  return job;
}

void job_free(Job *job) {
  if (!job)
    return;
  free(job->customer_id);
  free(job->customer_name);
  free(job->cart_id);
  free(job->product_id);
  free(job->sku_id);
  free(job->target_view);
  free(job->customer_prefix);
  free(job->continuation_token);
  cart_free(job->cart);
  free(job->customer_user_upn);
  free(job->cart_key);
  free(job);
}

void job_result_free(JobResult *result) {
  if (!result)
    return;
  pc_error_clear(&result->error);
  pc_error_clear(&result->warning);
  pc_call_info_clear(&result->info);
  customer_page_free(result->customer_page);
  if (result->customer) {
    customer_clear(result->customer);
    free(result->customer);
  }
  subscription_list_clear(&result->subscriptions);
  catalog_free(result->catalog);
  cart_free(result->cart);
  checkout_result_free(result->checkout);
  reconcile_report_clear(&result->reconcile);
  job_free(result->job);
  free(result);
}

static void entry_free(Entry *entry) {
  if (!entry)
    return;
  free(entry->key);
  job_free(entry->job);
  job_result_free(entry->result);
  free(entry);
}

static void list_push(EntryList *list, Entry *entry) {
  entry->next = NULL;
  if (list->tail)
    list->tail->next = entry;
  else
    list->head = entry;
  list->tail = entry;
  list->count++;
}

static Entry *list_pop(EntryList *list) {
  Entry *entry = list->head;
  if (!entry)
    return NULL;
  list->head = entry->next;
  if (!list->head)
    list->tail = NULL;
  list->count--;
  entry->next = NULL;
  return entry;
}

/* Unlinks the entry with this id; NULL when absent. */
static Entry *list_remove(EntryList *list, long id) {
  Entry *previous = NULL;
  for (Entry *entry = list->head; entry; previous = entry, entry = entry->next) {
    if (entry->id != id)
      continue;
    if (previous)
      previous->next = entry->next;
    else
      list->head = entry->next;
    if (list->tail == entry)
      list->tail = previous;
    list->count--;
    entry->next = NULL;
    return entry;
  }
  return NULL;
}

static void list_free(EntryList *list) {
  Entry *entry;
  while ((entry = list_pop(list)))
    entry_free(entry);
}

/* ----- the wake-up fd ----- */

/* Called with the mutex held, so the counter and the list change together: the fd is readable
 * exactly while a result waits, and a poll() that saw it readable finds a result. */
static void wake_set(Worker *worker) {
  uint64_t one = 1;
  ssize_t n;
  do
    n = write(worker->wake_fd, &one, sizeof one);
  while (n < 0 && errno == EINTR);
  /* EAGAIN would need 2^64-2 unread posts; nothing else can fail on a valid eventfd. */
}

static void wake_clear(Worker *worker) {
  uint64_t value;
  ssize_t n;
  do
    n = read(worker->wake_fd, &value, sizeof value);
  while (n < 0 && errno == EINTR);
  /* EAGAIN: the counter was already zero, which is the state wanted. */
}

/* Mutex held. */
static void post_locked(Worker *worker, Entry *entry) {
  bool was_empty = worker->results.count == 0;
  list_push(&worker->results, entry);
  if (was_empty)
    wake_set(worker);
}

/* ----- errors ----- */

static void error_set(PcError *error, PcErrorKind kind, const char *message) {
  pc_error_clear(error);
  error->kind = kind;
  snprintf(error->message, sizeof error->message, "%s", message);
}

/* A deep copy for a progress event; a string that cannot be copied is left out (the message,
 * which the user reads, is inline and always there). */
static void error_copy(PcError *dst, const PcError *src) {
  *dst = *src;
  dst->code_text = src->code_text ? strdup(src->code_text) : NULL;
  dst->description = src->description ? strdup(src->description) : NULL;
}

/* ----- submit-time checks ----- */

static bool is_blank(const char *text) {
  return !text || !*text;
}

static bool refuse(char *why, size_t why_size, const char *format, const char *arg) {
  if (why && why_size)
    snprintf(why, why_size, format, arg);
  return false;
}

static bool request_id_ok(const char request_id[37]) {
  if (!memchr(request_id, '\0', 37))
    return false;
  if (!request_id[0])
    return true;
  /* Partner Center takes a GUID; anything else would also put arbitrary bytes in a header. */
  if (strlen(request_id) != 36)
    return false;
  for (int i = 0; i < 36; i++) {
    char c = request_id[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-'
             : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
      return false;
  }
  return true;
}

/* Checks that the job carries what its kind needs, and makes the cart id consistent for an
 * update (the client PUTs cart->id). */
static bool job_check(Job *job, char *why, size_t why_size) {
  const char *name = job_kind_name(job->kind);
  if (!job_kind_is_known(job->kind))
    return refuse(why, why_size, "%s", "This kind of job is unknown to the worker.");
  if (job->kind == JOB_CUSTOMERS_LIST) {
    if (job->page_size < 0 || job->page_size > 500)
      return refuse(why, why_size, "%s", "A page of customers holds between 1 and 500 customers.");
    if (job->customer_field != PC_CUSTOMER_ALL && is_blank(job->customer_prefix) &&
        is_blank(job->continuation_token))
      return refuse(why, why_size, "%s", "Type the beginning of a name or domain to search for.");
    return true;
  }
  if (job->kind == JOB_RECONCILE)
    return true;
  bool needs_customer = job->kind != JOB_PRODUCTS_LIST && job->kind != JOB_CATALOG_FETCH &&
                        job->kind != JOB_SKUS_LIST && job->kind != JOB_AVAILABILITIES_LIST;
  if (needs_customer && is_blank(job->customer_id))
    return refuse(why, why_size, "A %s needs a customer; choose a customer first.", name);
  if ((job->kind == JOB_SKUS_LIST || job->kind == JOB_AVAILABILITIES_LIST) &&
      is_blank(job->product_id))
    return refuse(why, why_size, "A %s needs a product; choose a product first.", name);
  if (job->kind == JOB_AVAILABILITIES_LIST && is_blank(job->sku_id))
    return refuse(why, why_size, "An %s needs a SKU; choose a SKU first.", name);
  if (job->kind == JOB_CART_CREATE || job->kind == JOB_CART_UPDATE) {
    if (!job->cart)
      return refuse(why, why_size, "A %s needs the cart to send.", name);
    if (job->cart->line_items.count == 0)
      return refuse(why, why_size, "%s", "The cart has no lines; add a product first.");
  }
  if (job->kind == JOB_CART_UPDATE) {
    if (!is_blank(job->cart_id) && !is_blank(job->cart->id) &&
        strcmp(job->cart_id, job->cart->id) != 0)
      return refuse(why, why_size, "%s",
                    "The cart to update and the cart named for the update are not the same.");
    if (is_blank(job->cart->id) && !is_blank(job->cart_id)) {
      char *id = strdup(job->cart_id);
      if (!id)
        return refuse(why, why_size, "%s", "Out of memory.");
      free(job->cart->id);
      job->cart->id = id;
    } else if (is_blank(job->cart_id) && !is_blank(job->cart->id)) {
      char *id = strdup(job->cart->id);
      if (!id)
        return refuse(why, why_size, "%s", "Out of memory.");
      free(job->cart_id);
      job->cart_id = id;
    }
  }
  if ((job->kind == JOB_CART_GET || job->kind == JOB_CART_UPDATE ||
       job->kind == JOB_CART_CHECKOUT) &&
      is_blank(job->cart_id))
    return refuse(why, why_size, "A %s needs a cart that has been created on Partner Center.",
                  name);
  if (job_kind_is_mutating(job->kind) && !request_id_ok(job->request_id))
    return refuse(why, why_size, "%s", "The request id must be a GUID.");
  return true;
}

/* What "one per cart" means for a mutating job (see Job.cart_key); NULL when out of memory. */
static char *job_key(const Job *job) {
  if (!is_blank(job->cart_key))
    return strdup(job->cart_key);
  if (!is_blank(job->cart_id))
    return strdup(job->cart_id);
  size_t size = strlen("customer:") + strlen(job->customer_id) + 1;
  char *key = malloc(size);
  if (key)
    snprintf(key, size, "customer:%s", job->customer_id);
  return key;
}

/* Mutex held: the mutating job already queued or running for this key, if any. */
static const Entry *find_mutating_locked(const Worker *worker, const char *key) {
  if (worker->running && worker->running->key && strcmp(worker->running->key, key) == 0)
    return worker->running;
  for (const Entry *entry = worker->queue.head; entry; entry = entry->next)
    if (entry->key && strcmp(entry->key, key) == 0)
      return entry;
  return NULL;
}

static void refuse_busy(const Entry *busy, char *why, size_t why_size) {
  const char *what = busy->kind == JOB_CART_CREATE   ? "A create"
                     : busy->kind == JOB_CART_UPDATE ? "An update"
                                                     : "A checkout";
  if (why && why_size)
    snprintf(why, why_size,
             "%s of this cart is already in progress; wait for it to finish or press Esc to "
             "cancel it.",
             what);
}

long worker_submit(Worker *worker, Job *job, char *why, size_t why_size) {
  if (why && why_size)
    why[0] = '\0';
  if (!job) {
    refuse(why, why_size, "%s", "There is no job to run (out of memory?).");
    return 0;
  }
  if (!worker) {
    refuse(why, why_size, "%s", "The worker is not running.");
    job_free(job);
    return 0;
  }
  if (!job_check(job, why, why_size)) {
    job_free(job);
    return 0;
  }
  Entry *entry = calloc(1, sizeof *entry);
  JobResult *result = calloc(1, sizeof *result);
  char *key = job_kind_is_mutating(job->kind) ? job_key(job) : NULL;
  if (!entry || !result || (job_kind_is_mutating(job->kind) && !key)) {
    free(entry);
    free(result);
    free(key);
    job_free(job);
    refuse(why, why_size, "%s", "Out of memory.");
    return 0;
  }
  entry->kind = job->kind;
  entry->job = job;
  entry->key = key;
  entry->result = result;

  pthread_mutex_lock(&worker->mutex);
  const Entry *busy = key ? find_mutating_locked(worker, key) : NULL;
  if (worker->stopping || busy) {
    if (busy)
      refuse_busy(busy, why, why_size);
    else
      refuse(why, why_size, "%s", "The worker is stopping.");
    pthread_mutex_unlock(&worker->mutex);
    entry_free(entry);
    return 0;
  }
  entry->id = ++worker->next_id;
  long id = entry->id;
  list_push(&worker->queue, entry);
  pthread_cond_signal(&worker->cond);
  pthread_mutex_unlock(&worker->mutex);
  return id;
}

/* ----- running a job (worker thread, mutex not held) ----- */

static void fail_no_memory(JobResult *result) {
  error_set(&result->error, PC_ERROR_NO_MEMORY, "Out of memory.");
}

static bool run_customers_list(PcClient *client, Job *job, JobResult *result) {
  PcCustomerQuery query = {
      .size = job->page_size,
      .field = job->customer_field,
      .prefix = job->customer_prefix,
      .continuation_token = job->continuation_token,
  };
  return pc_customers_list(client, &query, &result->customer_page, &result->info, &result->error);
}

static bool run_customer_get(PcClient *client, Job *job, JobResult *result) {
  Customer *customer = calloc(1, sizeof *customer);
  if (!customer) {
    fail_no_memory(result);
    return false;
  }
  if (!pc_customer_get(client, job->customer_id, customer, &result->info, &result->error)) {
    customer_clear(customer);
    free(customer);
    return false;
  }
  result->customer = customer;
  return true;
}

static bool run_catalog(PcClient *client, Job *job, JobResult *result) {
  Catalog *catalog = catalog_new();
  if (!catalog) {
    fail_no_memory(result);
    return false;
  }
  bool ok = false;
  switch (job->kind) {
  case JOB_PRODUCTS_LIST:
    ok = pc_products_list(client, job->customer_id, job->target_view, NULL, catalog, &result->info,
                          &result->error);
    /* The legacy offers (MS-AZR-0145P) are listed by no product call, yet a cart may hold them.
     * Their failure keeps the products (a warning); a cancel cancels the whole job. The info
     * stays the products call's (the reply the user asked for). */
    if (ok && !pc_offers_list(client, catalog, NULL, &result->warning) &&
        result->warning.kind == PC_ERROR_CANCELLED) {
      result->error = result->warning;
      result->warning = (PcError){0};
      ok = false;
    }
    break;
  case JOB_SKUS_LIST:
    ok = pc_skus_list(client, job->customer_id, job->product_id, catalog, &result->info,
                      &result->error);
    break;
  case JOB_AVAILABILITIES_LIST:
    ok = pc_availabilities_list(client, job->customer_id, job->product_id, job->sku_id, catalog,
                                &result->info, &result->error);
    break;
  default: /* JOB_CATALOG_FETCH: many calls, so no single call's info */
    ok = pc_catalog_fetch(client, job->customer_id, catalog, &result->error);
    break;
  }
  if (!ok) {
    catalog_free(catalog);
    return false;
  }
  result->catalog = catalog;
  return true;
}

static void on_retry(void *user, int attempt, long wait_ms, const PcError *why);
static StateStore *journal_of(Worker *worker);

/* Create, update and checkout: journaled, sent, resolved and recorded (app/submit.h). */
static bool run_submission(Worker *worker, Job *job, JobResult *result) {
  SubmitJournal journal = {.store = journal_of(worker), .profile = worker->profile};
  /* A copy, so that worker_set_settled may replace the list while this runs. */
  SubmissionList settled = {0};
  pthread_mutex_lock(&worker->mutex);
  for (size_t i = 0; i < worker->settled.count; i++)
    settled_list_add(&settled, &worker->settled.items[i]);
  pthread_mutex_unlock(&worker->mutex);
  SubmitPolicy policy = {.on_wait = on_retry, .on_wait_user = worker, .settled = &settled};
  SubmitIntent intent = {
      /* A restored cart saved again after a crash is the intent the journal already holds. */
      .adopt_unresolved = true,
      .operation = job->kind == JOB_CART_CREATE   ? SUBMISSION_CREATE
                   : job->kind == JOB_CART_UPDATE ? SUBMISSION_UPDATE
                                                  : SUBMISSION_CHECKOUT,
      .customer_id = job->customer_id,
      .customer_name = job->customer_name,
      .cart = job->cart,
      .cart_id = job->cart_id,
      .customer_user_upn = job->customer_user_upn,
  };
  memcpy(intent.request_id, job->request_id, sizeof intent.request_id);
  SubmitResult submitted;
  bool ok = submit_run(worker->client, &journal, &intent, &policy, &submitted);
  submission_list_clear(&settled);
  memcpy(job->request_id, intent.request_id, sizeof job->request_id);
  result->cart = submitted.cart;
  result->checkout = submitted.checkout;
  result->info = submitted.info;
  result->error = submitted.error;
  result->adopted = submitted.adopted;
  result->resolve_checks = submitted.checks;
  memcpy(result->journal_warning, submitted.journal_warning, sizeof result->journal_warning);
  return ok;
}

static bool run_job(Worker *worker, Job *job, JobResult *result) {
  PcClient *client = worker->client;
  if (job_kind_is_mutating(job->kind) && !job->request_id[0])
    pc_new_request_id(job->request_id);
  bool ok = false;
  switch (job->kind) {
  case JOB_CUSTOMERS_LIST:
    ok = run_customers_list(client, job, result);
    break;
  case JOB_CUSTOMER_GET:
    ok = run_customer_get(client, job, result);
    break;
  case JOB_SUBSCRIPTIONS_LIST:
    ok = pc_subscriptions_list(client, job->customer_id, &result->subscriptions, &result->info,
                               &result->error);
    break;
  case JOB_PRODUCTS_LIST:
  case JOB_SKUS_LIST:
  case JOB_AVAILABILITIES_LIST:
  case JOB_CATALOG_FETCH:
    ok = run_catalog(client, job, result);
    break;
  case JOB_CART_GET:
    ok = pc_cart_get(client, job->customer_id, job->cart_id, &result->cart, &result->info,
                     &result->error);
    break;
  case JOB_CART_CREATE:
  case JOB_CART_UPDATE:
  case JOB_CART_CHECKOUT:
    ok = run_submission(worker, job, result);
    break;
  case JOB_RECONCILE: {
    SubmitJournal journal = {.store = journal_of(worker), .profile = worker->profile};
    SubmitPolicy policy = {.on_wait = on_retry, .on_wait_user = worker};
    char err[300] = "";
    if (!journal.store && worker->journal_tried) {
      /* The store cannot be used: say why (it names the file and what to do). */
      ok = false;
      error_set(&result->error, PC_ERROR_INVALID, worker->journal_error);
    } else {
      ok = submit_reconcile(client, &journal, &policy, &result->reconcile, err, sizeof err);
      if (!ok)
        error_set(&result->error, PC_ERROR_INVALID, err);
    }
  } break;
  }
  /* Carts seen are remembered per customer, so that opening one is a pick, not a GUID typed. */
  if (ok && result->cart && result->cart->id && job->customer_id && journal_of(worker)) {
    const char *status = cart_status_wire(result->cart->status);
    char err[256];
    state_recent_cart_put(worker->journal, worker->profile, job->customer_id, result->cart->id,
                          status ? status : "Active", (long)result->cart->line_items.count, err,
                          sizeof err);
  }
  /* The caller retries the same intent with this id, even when nothing reached the server. */
  if (job_kind_is_mutating(job->kind) && !result->info.request_id[0])
    snprintf(result->info.request_id, sizeof result->info.request_id, "%s", job->request_id);
  return ok;
}

/* The client's retry observer: a progress event for the running job, then the caller's. */
static void on_retry(void *user, int attempt, long wait_ms, const PcError *why) {
  Worker *worker = user;
  Entry *entry = calloc(1, sizeof *entry);
  JobResult *result = calloc(1, sizeof *result);
  if (entry && result) {
    result->event = JOB_RETRYING;
    result->ok = false;
    result->attempt = attempt;
    result->retry_wait_ms = wait_ms;
    if (why) {
      error_copy(&result->error, why);
      result->info.status = why->http_status;
      memcpy(result->info.request_id, why->request_id, sizeof result->info.request_id);
      memcpy(result->info.correlation_id, why->correlation_id, sizeof result->info.correlation_id);
    }
    result->info.attempts = attempt;
    entry->result = result;
    pthread_mutex_lock(&worker->mutex);
    if (worker->running) {
      entry->id = result->job_id = worker->running_id;
      entry->kind = result->kind = worker->running->kind;
      post_locked(worker, entry);
      entry = NULL;
      result = NULL;
    }
    pthread_mutex_unlock(&worker->mutex);
  }
  if (entry)
    entry_free(entry); /* frees result too */
  else
    job_result_free(result);
  /* Outside the lock: the caller's observer may do anything, even call worker_pending. */
  if (worker->user_on_retry)
    worker->user_on_retry(worker->user_on_retry_user, attempt, wait_ms, why);
}

static void *worker_main(void *arg) {
  Worker *worker = arg;
  for (;;) {
    pthread_mutex_lock(&worker->mutex);
    while (!worker->stopping && worker->queue.count == 0)
      pthread_cond_wait(&worker->cond, &worker->mutex);
    if (worker->stopping) {
      pthread_mutex_unlock(&worker->mutex);
      break;
    }
    Entry *entry = list_pop(&worker->queue);
    worker->running = entry;
    worker->running_id = entry->id;
    /* Under the mutex that records the running id: a cancel aimed at an earlier job cannot
     * leak into this one, and a cancel of this one (which needs running_id) comes after. */
    pc_client_clear_cancel(worker->client);
    pthread_mutex_unlock(&worker->mutex);

    JobResult *result = entry->result;
    result->event = JOB_FINISHED;
    result->job_id = entry->id;
    result->kind = entry->kind;
    result->ok = run_job(worker, entry->job, result);
    if (result->ok)
      pc_error_clear(&result->error);
    result->job = entry->job;
    entry->job = NULL;

    pthread_mutex_lock(&worker->mutex);
    worker->running = NULL;
    worker->running_id = 0;
    free(entry->key);
    entry->key = NULL;
    post_locked(worker, entry);
    pthread_mutex_unlock(&worker->mutex);
  }
  return NULL;
}

/* ----- lifecycle ----- */

Worker *worker_start(const PcSettings *settings, PcError *error) {
  if (!settings) {
    error_set(error, PC_ERROR_INVALID, "The worker needs the connection settings.");
    return NULL;
  }
  Worker *worker = calloc(1, sizeof *worker);
  if (!worker) {
    error_set(error, PC_ERROR_NO_MEMORY, "Out of memory.");
    return NULL;
  }
  worker->wake_fd = -1;
  worker->user_on_retry = settings->on_retry;
  worker->user_on_retry_user = settings->on_retry_user;
  PcSettings mine = *settings;
  mine.on_retry = on_retry;
  mine.on_retry_user = worker;
  worker->client = pc_client_new(&mine, error);
  if (!worker->client) {
    free(worker);
    return NULL;
  }
  worker->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (worker->wake_fd < 0) {
    error_set(error, PC_ERROR_NO_MEMORY, "");
    snprintf(error->message, sizeof error->message, "Could not start the background worker: %s.",
             strerror(errno));
    pc_client_free(worker->client);
    free(worker);
    return NULL;
  }
  if (pthread_mutex_init(&worker->mutex, NULL) != 0) {
    error_set(error, PC_ERROR_NO_MEMORY, "Could not start the background worker.");
    close(worker->wake_fd);
    pc_client_free(worker->client);
    free(worker);
    return NULL;
  }
  if (pthread_cond_init(&worker->cond, NULL) != 0) {
    error_set(error, PC_ERROR_NO_MEMORY, "Could not start the background worker.");
    pthread_mutex_destroy(&worker->mutex);
    close(worker->wake_fd);
    pc_client_free(worker->client);
    free(worker);
    return NULL;
  }
  /* The thread blocks every signal, so SIGINT, SIGWINCH and SIGPIPE go to the UI thread
   * (which handles them) and never interrupt a transfer. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int rc = pthread_create(&worker->thread, NULL, worker_main, worker);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc != 0) {
    error_set(error, PC_ERROR_NO_MEMORY, "");
    snprintf(error->message, sizeof error->message, "Could not start the background worker: %s.",
             strerror(rc));
    pthread_cond_destroy(&worker->cond);
    pthread_mutex_destroy(&worker->mutex);
    close(worker->wake_fd);
    pc_client_free(worker->client);
    free(worker);
    return NULL;
  }
  return worker;
}

void worker_stop(Worker *worker) {
  if (!worker)
    return;
  pthread_mutex_lock(&worker->mutex);
  worker->stopping = true;
  if (worker->running)
    pc_client_cancel(worker->client);
  list_free(&worker->queue);
  pthread_cond_broadcast(&worker->cond);
  pthread_mutex_unlock(&worker->mutex);
  pthread_join(worker->thread, NULL);

  list_free(&worker->results);
  pc_client_free(worker->client);
  state_close(worker->journal);
  free(worker->journal_path);
  free(worker->profile);
  submission_list_clear(&worker->settled);
  pthread_cond_destroy(&worker->cond);
  pthread_mutex_destroy(&worker->mutex);
  close(worker->wake_fd);
  free(worker);
}

bool worker_use_journal(Worker *worker, const char *state_path, const char *profile) {
  char *name = strdup(profile ? profile : "");
  char *path = state_path ? strdup(state_path) : NULL;
  if (!name || !path) {
    free(name);
    free(path);
    return false;
  }
  pthread_mutex_lock(&worker->mutex);
  free(worker->journal_path);
  free(worker->profile);
  worker->journal_path = path;
  worker->profile = name;
  pthread_mutex_unlock(&worker->mutex);
  return true;
}

/* On the worker thread: the journal, opened at its first need; NULL (the reason in
 * journal_error) when there is none or it cannot be used. */
static StateStore *journal_of(Worker *worker) {
  if (worker->journal_tried)
    return worker->journal;
  pthread_mutex_lock(&worker->mutex);
  char *path = worker->journal_path ? strdup(worker->journal_path) : NULL;
  pthread_mutex_unlock(&worker->mutex);
  if (!path)
    return NULL; /* not set yet: try again at the next need */
  worker->journal_tried = true;
  worker->journal = state_open(path, worker->journal_error, sizeof worker->journal_error);
  free(path);
  return worker->journal;
}

bool worker_set_settled(Worker *worker, const SubmissionList *settled) {
  SubmissionList copy = {0};
  bool ok = true;
  for (size_t i = 0; ok && settled && i < settled->count; i++)
    ok = settled_list_add(&copy, &settled->items[i]);
  pthread_mutex_lock(&worker->mutex);
  SubmissionList old = worker->settled;
  worker->settled = copy;
  pthread_mutex_unlock(&worker->mutex);
  submission_list_clear(&old);
  return ok;
}

int worker_wake_fd(const Worker *worker) {
  return worker ? worker->wake_fd : -1;
}

bool worker_cancel(Worker *worker, long job_id) {
  if (!worker || job_id <= 0)
    return false;
  bool found = false;
  pthread_mutex_lock(&worker->mutex);
  Entry *entry = list_remove(&worker->queue, job_id);
  if (entry) {
    found = true;
    JobResult *result = entry->result;
    result->event = JOB_FINISHED;
    result->job_id = entry->id;
    result->kind = entry->kind;
    result->ok = false;
    error_set(&result->error, PC_ERROR_CANCELLED, "");
    snprintf(result->error.message, sizeof result->error.message,
             "The %s was cancelled before it started.", job_kind_name(entry->kind));
    if (job_kind_is_mutating(entry->kind))
      snprintf(result->info.request_id, sizeof result->info.request_id, "%s",
               entry->job->request_id);
    result->job = entry->job;
    entry->job = NULL;
    free(entry->key); /* no longer holds the cart */
    entry->key = NULL;
    post_locked(worker, entry);
  } else if (worker->running && worker->running_id == job_id) {
    found = true;
    pc_client_cancel(worker->client);
  }
  pthread_mutex_unlock(&worker->mutex);
  return found;
}

size_t worker_pending(Worker *worker) {
  if (!worker)
    return 0;
  pthread_mutex_lock(&worker->mutex);
  size_t count = worker->queue.count + (worker->running ? 1 : 0);
  pthread_mutex_unlock(&worker->mutex);
  return count;
}

JobResult *worker_take_result(Worker *worker) {
  if (!worker)
    return NULL;
  pthread_mutex_lock(&worker->mutex);
  Entry *entry = list_pop(&worker->results);
  if (entry && worker->results.count == 0)
    wake_clear(worker);
  pthread_mutex_unlock(&worker->mutex);
  if (!entry)
    return NULL;
  JobResult *result = entry->result;
  entry->result = NULL;
  entry_free(entry);
  return result;
}
