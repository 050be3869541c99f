/* The customer list: pages appended as summaries (strings in an arena), the local filter over
 * folded search keys, and the server prefix search (by company name, or by domain for a filter
 * that looks like one) when the loaded items cannot hold every match. Filtering keeps an index
 * array of the visible items; a filter that contains the previous one scans only those. */
#include "app/app_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (64 * 1024)

/* ----- folding ----- */

/* The ASCII letter a Latin-1 letter (the second byte of its UTF-8 C3 xx form) folds to;
 * 0 when it has none. Indexes 0x80..0xBF. */
static const char LATIN1_FOLD[64] = {
    'a', 'a', 'a', 'a', 'a', 'a', 0,   'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i', /* C3 80 */
    0,   'n', 'o', 'o', 'o', 'o', 'o', 0,   'o', 'u', 'u', 'u', 'u', 'y', 0,   0,   /* C3 90 */
    'a', 'a', 'a', 'a', 'a', 'a', 0,   'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i', /* C3 A0 */
    0,   'n', 'o', 'o', 'o', 'o', 'o', 0,   'o', 'u', 'u', 'u', 'u', 'y', 0,   'y', /* C3 B0 */
};

size_t app_fold(const char *text, char *out, size_t out_size) {
  size_t n = 0;
  if (out_size == 0) {
    return 0;
  }
  for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p && n + 1 < out_size;
       p++) {
    unsigned char c = *p;
    if (c >= 'A' && c <= 'Z') {
      out[n++] = (char)(c - 'A' + 'a');
    } else if (c == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF && LATIN1_FOLD[p[1] - 0x80]) {
      out[n++] = LATIN1_FOLD[p[1] - 0x80];
      p++;
    } else {
      out[n++] = (char)c;
    }
  }
  out[n] = '\0';
  return n;
}

/* ----- the arena ----- */

static char *arena_alloc(AppInternal *in, size_t size) {
  ArenaChunk *chunk = in->arena;
  if (!chunk || chunk->size - chunk->used < size) {
    size_t capacity = size > ARENA_CHUNK ? size : ARENA_CHUNK;
    chunk = malloc(sizeof *chunk + capacity);
    if (!chunk) {
      return NULL;
    }
    chunk->next = in->arena;
    chunk->used = 0;
    chunk->size = capacity;
    in->arena = chunk;
  }
  char *p = chunk->data + chunk->used;
  chunk->used += size;
  return p;
}

static void arena_free(AppInternal *in) {
  while (in->arena) {
    ArenaChunk *next = in->arena->next;
    free(in->arena);
    in->arena = next;
  }
}

/* ----- the list ----- */

void customers_init(CustomerList *list) {
  *list = (CustomerList){0};
}

static void list_clear_items(AppState *state) {
  CustomerList *list = &state->customers;
  arena_free(state->internal);
  free(list->items);
  free(list->visible);
  list->items = NULL;
  list->visible = NULL;
  list->count = list->capacity = list->visible_count = 0;
}

void customers_free(AppState *state) {
  CustomerList *list = &state->customers;
  list_clear_items(state);
  free(list->loaded_prefix);
  free(list->continuation);
  list->loaded_prefix = list->continuation = NULL;
}

/* One arena block holds "id\0company\0domain\0key\0". */
static bool summary_make(AppInternal *in, const Customer *customer, CustomerSummary *out) {
  const char *id = customer->id ? customer->id : "";
  const char *name = customer->company_name ? customer->company_name : "";
  const char *domain = customer->domain ? customer->domain : "";
  size_t id_len = strlen(id), name_len = strlen(name), domain_len = strlen(domain);
  /* Folding never lengthens text, so the key fits in the sum of the three plus two tabs. */
  size_t key_size = name_len + domain_len + id_len + 3;
  char *block = arena_alloc(in, id_len + name_len + domain_len + 3 + key_size);
  if (!block) {
    return false;
  }
  out->id = memcpy(block, id, id_len + 1);
  out->company_name = memcpy(out->id + id_len + 1, name, name_len + 1);
  out->domain = memcpy(out->company_name + name_len + 1, domain, domain_len + 1);
  char *key = out->domain + domain_len + 1;
  size_t n = app_fold(name, key, key_size);
  key[n++] = '\t';
  n += app_fold(domain, key + n, key_size - n);
  key[n++] = '\t';
  app_fold(id, key + n, key_size - n);
  out->search_key = key;
  return true;
}

static bool item_matches(const CustomerSummary *item, const char *folded) {
  return !*folded || strstr(item->search_key, folded) != NULL;
}

/* Recomputes visible from items[from..] (from > 0: appends to the current visible list). */
static void filter_items(AppState *state, size_t from) {
  CustomerList *list = &state->customers;
  const char *folded = state->internal->folded_filter ? state->internal->folded_filter : "";
  if (from == 0) {
    list->visible_count = 0;
  }
  for (size_t i = from; i < list->count; i++) {
    if (item_matches(&list->items[i], folded)) {
      list->visible[list->visible_count++] = i;
    }
  }
}

/* Narrows the visible list in place: the new filter contains the old one, so only what was
 * visible can still match. */
static void filter_visible(AppState *state) {
  CustomerList *list = &state->customers;
  const char *folded = state->internal->folded_filter;
  size_t kept = 0;
  for (size_t k = 0; k < list->visible_count; k++) {
    size_t i = list->visible[k];
    if (item_matches(&list->items[i], folded)) {
      list->visible[kept++] = i;
    }
  }
  list->visible_count = kept;
}

static void clamp_selection(CustomerList *list) {
  if (list->visible_count == 0) {
    list->selected = 0;
  } else if (list->selected >= list->visible_count) {
    list->selected = list->visible_count - 1;
  }
}

static bool starts_with_ci(const char *text, const char *prefix) {
  char a[512], b[512];
  size_t text_len = app_fold(text, a, sizeof a);
  size_t prefix_len = app_fold(prefix, b, sizeof b);
  return prefix_len <= text_len && memcmp(a, b, prefix_len) == 0;
}

/* The server search for a filter: by domain when it looks like one (a '.' and no space, as in
 * "contoso.onmi"), since a company-name prefix search would find nothing for it; else by
 * company name. */
static PcCustomerField filter_field(const char *filter) {
  return strchr(filter, '.') && !strpbrk(filter, " \t") ? PC_CUSTOMER_BY_DOMAIN
                                                        : PC_CUSTOMER_BY_COMPANY_NAME;
}

/* Queues a page: the first of a query (prefix NULL: unfiltered; else searched in field), or
 * the next one. */
static bool queue_page(AppState *state, const char *prefix, PcCustomerField field,
                       const char *continuation) {
  AppInternal *in = state->internal;
  Job *job = job_new(JOB_CUSTOMERS_LIST);
  if (!job) {
    app_message(state, APP_MESSAGE_ERROR, "Out of memory: the customer list was not requested.");
    return false;
  }
  job->page_size = state->page_size;
  job->customer_field = prefix ? field : PC_CUSTOMER_ALL;
  bool ok = (!prefix || (job->customer_prefix = app_strdup(prefix))) &&
            (!continuation || (job->continuation_token = app_strdup(continuation)));
  char *pending = prefix ? app_strdup(prefix) : NULL;
  if (!ok || (prefix && !pending)) {
    free(pending);
    job_free(job);
    app_message(state, APP_MESSAGE_ERROR, "Out of memory: the customer list was not requested.");
    return false;
  }
  /* A newer query supersedes the older one: a queued one is never sent, and the reply of one
   * in flight no longer matches the recorded id, so it is dropped. */
  app_outbox_drop(state, SLOT_CUSTOMERS);
  state->customers.job_id = 0;
  if (!app_outbox_push(state, job, SLOT_CUSTOMERS)) {
    free(pending);
    in->customers_pending = false;
    return false;
  }
  free(in->pending_prefix);
  in->pending_prefix = pending;
  in->pending_field = job->customer_field;
  in->customers_pending = true;
  state->changes |= APP_CHANGED_CUSTOMERS;
  return true;
}

bool app_customers_load_more(AppState *state) {
  AppInternal *in = state->internal;
  CustomerList *list = &state->customers;
  if (in->customers_pending) {
    return false;
  }
  if (!in->pages_loaded) {
    return queue_page(state, list->filter[0] ? list->filter : NULL, filter_field(list->filter),
                      NULL);
  }
  if (!list->continuation) {
    return false;
  }
  return queue_page(state, list->loaded_prefix, in->loaded_field, list->continuation);
}

void app_customers_set_filter(AppState *state, const char *filter) {
  AppInternal *in = state->internal;
  CustomerList *list = &state->customers;
  snprintf(list->filter, sizeof list->filter, "%s", filter ? filter : "");
  /* Folding never lengthens, so a buffer the size of the filter always holds it. */
  char *folded = malloc(sizeof list->filter);
  if (!folded) {
    app_message(state, APP_MESSAGE_ERROR, "Out of memory while filtering.");
    return;
  }
  app_fold(list->filter, folded, sizeof list->filter);
  bool narrows = in->folded_filter && strstr(folded, in->folded_filter) != NULL;
  free(in->folded_filter);
  in->folded_filter = folded;
  if (narrows) {
    filter_visible(state);
  } else {
    filter_items(state, 0);
  }
  clamp_selection(list);
  state->changes |= APP_CHANGED_CUSTOMERS;

  /* What the loaded (or coming) items answer: the pending query's prefix when one is on its
   * way, else the loaded one. */
  const char *answered = in->customers_pending ? in->pending_prefix : list->loaded_prefix;
  PcCustomerField answered_field = in->customers_pending ? in->pending_field : in->loaded_field;
  if (!list->filter[0]) {
    if (answered) {
      queue_page(state, NULL, PC_CUSTOMER_ALL, NULL); /* back to the whole list */
    }
    return;
  }
  bool complete = !in->customers_pending && in->pages_loaded && !list->continuation;
  if (complete && !list->loaded_prefix) {
    return; /* everything is loaded: the local filter is exact */
  }
  PcCustomerField field = filter_field(list->filter);
  if (answered && answered_field == field && starts_with_ci(list->filter, answered)) {
    return; /* the prefix search already covers this filter */
  }
  queue_page(state, list->filter, field, NULL);
}

void app_customers_select(AppState *state, size_t visible_index) {
  CustomerList *list = &state->customers;
  size_t before = list->selected;
  list->selected = visible_index;
  clamp_selection(list);
  if (list->selected != before) {
    state->changes |= APP_CHANGED_CUSTOMERS;
  }
}

const CustomerSummary *app_customer_visible(const AppState *state, size_t visible_index) {
  const CustomerList *list = &state->customers;
  if (visible_index >= list->visible_count) {
    return NULL;
  }
  return &list->items[list->visible[visible_index]];
}

void customers_refused(AppState *state) {
  AppInternal *in = state->internal;
  in->customers_pending = false;
  free(in->pending_prefix);
  in->pending_prefix = NULL;
  state->changes |= APP_CHANGED_CUSTOMERS;
}

static bool list_reserve(CustomerList *list, size_t more) {
  if (list->count + more <= list->capacity) {
    return true;
  }
  size_t capacity = list->capacity ? list->capacity : 256;
  while (capacity < list->count + more) {
    capacity *= 2;
  }
  CustomerSummary *items = realloc(list->items, capacity * sizeof *items);
  if (!items) {
    return false;
  }
  list->items = items;
  size_t *visible = realloc(list->visible, capacity * sizeof *visible);
  if (!visible) {
    return false;
  }
  list->visible = visible;
  list->capacity = capacity;
  return true;
}

void customers_apply(AppState *state, JobResult *result) {
  AppInternal *in = state->internal;
  CustomerList *list = &state->customers;
  const Job *job = result->job;
  if (result->job_id != list->job_id || !job) {
    return; /* an older query's: superseded */
  }
  list->job_id = 0;
  in->customers_pending = false;
  free(in->pending_prefix);
  in->pending_prefix = NULL;
  state->changes |= APP_CHANGED_CUSTOMERS;
  if (!result->ok) {
    app_post_failure(state, result);
    return;
  }
  const char *prefix = job->customer_field == PC_CUSTOMER_ALL ? NULL : job->customer_prefix;
  if (prefix && (!starts_with_ci(list->filter, prefix) ||
                 filter_field(list->filter) != job->customer_field)) {
    return; /* the filter moved away from this search */
  }
  const CustomerPage *page = result->customer_page;
  bool append = job->continuation_token != NULL;
  /* Keep the selected customer selected when the list is replaced, if it is still there. */
  char selected_id[64] = "";
  const CustomerSummary *was = app_customer_visible(state, list->selected);
  if (was) {
    snprintf(selected_id, sizeof selected_id, "%s", was->id);
  }
  if (!append) {
    list_clear_items(state);
    free(list->loaded_prefix);
    list->loaded_prefix = NULL;
    if (prefix && !(list->loaded_prefix = app_strdup(prefix))) {
      app_message(state, APP_MESSAGE_ERROR, "Out of memory while loading customers.");
    }
    in->loaded_field = prefix ? job->customer_field : PC_CUSTOMER_ALL;
  }
  size_t first = list->count;
  size_t count = page ? page->count : 0;
  if (!list_reserve(list, count)) {
    app_message(state, APP_MESSAGE_ERROR, "Out of memory while loading customers.");
    return;
  }
  for (size_t i = 0; i < count; i++) {
    if (!summary_make(in, &page->items[i], &list->items[list->count])) {
      app_message(state, APP_MESSAGE_ERROR, "Out of memory while loading customers.");
      break;
    }
    list->count++;
  }
  free(list->continuation);
  list->continuation = NULL;
  if (page && page->continuation_token) {
    list->continuation = page->continuation_token; /* stolen from the result */
    result->customer_page->continuation_token = NULL;
  }
  in->pages_loaded = true;
  filter_items(state, append ? first : 0);
  if (!append && selected_id[0]) {
    list->selected = 0;
    for (size_t k = 0; k < list->visible_count; k++) {
      if (strcmp(list->items[list->visible[k]].id, selected_id) == 0) {
        list->selected = k;
        break;
      }
    }
  }
  clamp_selection(list);
}
