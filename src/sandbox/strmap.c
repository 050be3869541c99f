#include "sandbox/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_key(const char *key) {
  uint64_t h = 1469598103934665603ULL; /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
    h ^= *p;
    h *= 1099511628211ULL;
  }
  return h;
}

/* The slot holding key, or the slot where it would go (first deleted or empty). */
static size_t find_slot(const StrMap *map, const char *key, bool *found) {
  size_t mask = map->capacity - 1;
  size_t i = (size_t)hash_key(key) & mask;
  size_t first_deleted = SIZE_MAX;
  for (;;) {
    StrMapSlot *slot = &map->slots[i];
    if (slot->key == NULL) {
      *found = false;
      return first_deleted != SIZE_MAX ? first_deleted : i;
    }
    if (slot->deleted) {
      if (first_deleted == SIZE_MAX)
        first_deleted = i;
    } else if (strcmp(slot->key, key) == 0) {
      *found = true;
      return i;
    }
    i = (i + 1) & mask;
  }
}

static bool grow(StrMap *map) {
  size_t capacity = map->capacity ? map->capacity * 2 : 64;
  /* Only live entries count towards the load after a rehash. */
  while (map->count * 2 >= capacity)
    capacity *= 2;
  StrMapSlot *slots = calloc(capacity, sizeof *slots);
  if (!slots)
    return false;
  StrMap bigger = {slots, capacity, 0, 0};
  for (size_t i = 0; i < map->capacity; i++) {
    StrMapSlot *old = &map->slots[i];
    if (old->key == NULL)
      continue;
    if (old->deleted) {
      free(old->key);
      continue;
    }
    bool found;
    size_t j = find_slot(&bigger, old->key, &found);
    bigger.slots[j] = *old;
    bigger.count++;
    bigger.used++;
  }
  free(map->slots);
  *map = bigger;
  return true;
}

void *strmap_get(const StrMap *map, const char *key) {
  if (map->capacity == 0)
    return NULL;
  bool found;
  size_t i = find_slot(map, key, &found);
  return found ? map->slots[i].value : NULL;
}

bool strmap_put(StrMap *map, const char *key, void *value) {
  if ((map->used + 1) * 4 >= map->capacity * 3 && !grow(map))
    return false;
  bool found;
  size_t i = find_slot(map, key, &found);
  StrMapSlot *slot = &map->slots[i];
  if (found) {
    slot->value = value;
    return true;
  }
  char *copy = strdup(key);
  if (!copy)
    return false;
  if (slot->key == NULL)
    map->used++;
  free(slot->key);
  slot->key = copy;
  slot->value = value;
  slot->deleted = false;
  map->count++;
  return true;
}

void *strmap_remove(StrMap *map, const char *key) {
  if (map->capacity == 0)
    return NULL;
  bool found;
  size_t i = find_slot(map, key, &found);
  if (!found)
    return NULL;
  void *value = map->slots[i].value;
  map->slots[i].deleted = true;
  map->slots[i].value = NULL;
  map->count--;
  return value;
}

void strmap_clear(StrMap *map, void (*free_value)(void *)) {
  for (size_t i = 0; i < map->capacity; i++) {
    if (map->slots[i].key && !map->slots[i].deleted && free_value && map->slots[i].value)
      free_value(map->slots[i].value);
    free(map->slots[i].key);
  }
  free(map->slots);
  *map = (StrMap){0};
}
