/* Search indexes over the seed customers: by id, and sorted by folded company name and
 * domain so that a prefix search is two binary searches and a page is a slice, whatever
 * the number of customers. */
#include <stdlib.h>
#include <string.h>

#include "sandbox/internal.h"
#include "sandbox/seed.h"

typedef struct SortKey {
  const char *text; /* folded, in the arena */
  long index;
} SortKey;

struct CustomerIndex {
  long count;
  char *arena;
  SortKey *by_id;
  SortKey *by_name;
  SortKey *by_domain;
};

/* Lower-cases ASCII and the Latin-1 capitals (À..Þ) in UTF-8, so "MÜLLER" finds "Müller". */
static void fold(char *dst, const char *src, size_t size) {
  size_t i = 0;
  for (; src[i] && i + 1 < size; i++) {
    unsigned char c = (unsigned char)src[i];
    if (c >= 'A' && c <= 'Z')
      c = (unsigned char)(c + 32);
    else if (i > 0 && (unsigned char)src[i - 1] == 0xC3 && c >= 0x80 && c <= 0x9E && c != 0x97)
      c = (unsigned char)(c + 32);
    dst[i] = (char)c;
  }
  dst[i] = '\0';
}

static int compare_keys(const void *a, const void *b) {
  const SortKey *x = a, *y = b;
  int c = strcmp(x->text, y->text);
  return c ? c : (x->index > y->index) - (x->index < y->index);
}

typedef bool (*SeedAccessor)(long index, char *buf, size_t size);

static SortKey *build_keys(long count, SeedAccessor accessor, char **cursor) {
  SortKey *keys = malloc((size_t)count * sizeof *keys);
  if (!keys)
    return NULL;
  char raw[256];
  for (long i = 0; i < count; i++) {
    if (!accessor(i, raw, sizeof raw))
      raw[0] = '\0';
    fold(*cursor, raw, 256);
    keys[i].text = *cursor;
    keys[i].index = i;
    *cursor += strlen(*cursor) + 1;
  }
  qsort(keys, (size_t)count, sizeof *keys, compare_keys);
  return keys;
}

CustomerIndex *customer_index_new(long count) {
  CustomerIndex *index = calloc(1, sizeof *index);
  if (!index)
    return NULL;
  index->count = count;
  /* Ids are 36 bytes; names and domains are bounded by the seed's accessors (< 256). */
  size_t arena_size = (size_t)count * (37 + 2 * 256);
  index->arena = malloc(arena_size > 0 ? arena_size : 1);
  char *cursor = index->arena;
  if (!index->arena || !(index->by_id = build_keys(count, seed_customer_id, &cursor)) ||
      !(index->by_name = build_keys(count, seed_customer_company_name, &cursor)) ||
      !(index->by_domain = build_keys(count, seed_customer_domain, &cursor))) {
    customer_index_free(index);
    return NULL;
  }
  /* Give back what the generous estimate did not use; keys point into the arena, so
   * only shrink when realloc keeps it in place. */
  return index;
}

void customer_index_free(CustomerIndex *index) {
  if (!index)
    return;
  free(index->arena);
  free(index->by_id);
  free(index->by_name);
  free(index->by_domain);
  free(index);
}

long customer_index_count(const CustomerIndex *index) {
  return index->count;
}

/* First position whose text is >= key. */
static long lower_bound(const SortKey *keys, long count, const char *key) {
  long lo = 0, hi = count;
  while (lo < hi) {
    long mid = lo + (hi - lo) / 2;
    if (strcmp(keys[mid].text, key) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* First position whose text does not start with prefix (from lo on). */
static long prefix_end(const SortKey *keys, long lo, long count, const char *prefix) {
  size_t n = strlen(prefix);
  long hi = count;
  while (lo < hi) {
    long mid = lo + (hi - lo) / 2;
    if (strncmp(keys[mid].text, prefix, n) <= 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

long customer_index_find(const CustomerIndex *index, const char *customer_id) {
  char key[64];
  if (strlen(customer_id) >= sizeof key)
    return -1;
  fold(key, customer_id, sizeof key);
  long pos = lower_bound(index->by_id, index->count, key);
  if (pos < index->count && strcmp(index->by_id[pos].text, key) == 0)
    return index->by_id[pos].index;
  return -1;
}

static const SortKey *keys_of(const CustomerIndex *index, CustomerField field) {
  return field == CUSTOMER_FIELD_DOMAIN ? index->by_domain : index->by_name;
}

void customer_index_range(const CustomerIndex *index, CustomerField field, const char *prefix,
                          long *first, long *count) {
  if (field == CUSTOMER_FIELD_ALL) {
    *first = 0;
    *count = index->count;
    return;
  }
  char key[256];
  fold(key, prefix ? prefix : "", sizeof key);
  const SortKey *keys = keys_of(index, field);
  long lo = lower_bound(keys, index->count, key);
  long hi = prefix_end(keys, lo, index->count, key);
  *first = lo;
  *count = hi - lo;
}

long customer_index_at(const CustomerIndex *index, CustomerField field, long position) {
  if (position < 0 || position >= index->count)
    return -1;
  if (field == CUSTOMER_FIELD_ALL)
    return position;
  return keys_of(index, field)[position].index;
}
