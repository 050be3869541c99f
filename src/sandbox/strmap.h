/* A string-keyed hash map (open addressing) for the sandbox's carts, tokens and
 * idempotency keys; keys are copied, values are the caller's. */
#ifndef PCCART_SANDBOX_STRMAP_H
#define PCCART_SANDBOX_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct StrMapSlot {
  char *key; /* NULL: empty */
  void *value;
  bool deleted;
} StrMapSlot;

typedef struct StrMap {
  StrMapSlot *slots;
  size_t capacity; /* a power of two, or 0 */
  size_t count;
  size_t used; /* live + deleted slots */
} StrMap;

/* The value under key, or NULL. */
void *strmap_get(const StrMap *map, const char *key);
/* Inserts or replaces; returns false when out of memory. */
bool strmap_put(StrMap *map, const char *key, void *value);
/* Removes key and returns its value (NULL if absent). */
void *strmap_remove(StrMap *map, const char *key);
/* Calls free_value on every value (when non-NULL) and empties the map. */
void strmap_clear(StrMap *map, void (*free_value)(void *));

/* Iteration: for (size_t i = 0; i < map->capacity; i++) if (strmap_live(map, i)) ... */
static inline bool strmap_live(const StrMap *map, size_t i) {
  return map->slots[i].key != NULL && !map->slots[i].deleted;
}

#endif
