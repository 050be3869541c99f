/* The replay driver for builds without libFuzzer (gcc, the normal presets): runs the target's
 * LLVMFuzzerTestOneInput once on every file of the directories and files named on the command
 * line, so each seed corpus (with the crash reproducers kept in it) is a deterministic regression
 * test in every pass of scripts/test.sh (dev, valgrind, asan-ubsan, tsan). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Reads the whole of path; false with a message when it cannot. */
static int replay_file(const char *path) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
    return -1;
  }
  size_t length = 0, capacity = 4096;
  uint8_t *data = malloc(capacity);
  while (data) {
    if (length == capacity) {
      uint8_t *grown = realloc(data, capacity * 2);
      if (!grown) {
        free(data);
        data = NULL;
        break;
      }
      data = grown;
      capacity *= 2;
    }
    size_t got = fread(data + length, 1, capacity - length, file);
    length += got;
    if (got == 0) {
      break;
    }
  }
  int failed = !data || ferror(file);
  fclose(file);
  if (failed) {
    fprintf(stderr, "replay: cannot read %s\n", path);
    free(data);
    return -1;
  }
  /* Exactly the bytes of the file: a libFuzzer-found input replays byte for byte. */
  uint8_t *exact = malloc(length ? length : 1);
  if (!exact) {
    free(data);
    fprintf(stderr, "replay: out of memory for %s\n", path);
    return -1;
  }
  memcpy(exact, data, length);
  free(data);
  LLVMFuzzerTestOneInput(exact, length);
  free(exact);
  return 0;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order (the same order on every machine). */
static int replay_dir(const char *dir, long *count) {
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "replay: cannot open the directory %s: %s\n", dir, strerror(errno));
    return -1;
  }
  char **names = NULL;
  size_t n = 0, capacity = 0;
  int status = 0;
  struct dirent *entry;
  while ((entry = readdir(d)) != NULL) {
    if (entry->d_name[0] == '.') {
      continue;
    }
    if (n == capacity) {
      size_t grown_capacity = capacity ? capacity * 2 : 64;
      char **grown = realloc(names, grown_capacity * sizeof *names);
      if (!grown) {
        status = -1;
        break;
      }
      names = grown;
      capacity = grown_capacity;
    }
    size_t length = strlen(dir) + 1 + strlen(entry->d_name) + 1;
    names[n] = malloc(length);
    if (!names[n]) {
      status = -1;
      break;
    }
    snprintf(names[n], length, "%s/%s", dir, entry->d_name);
    n++;
  }
  closedir(d);
  if (n) {
    qsort(names, n, sizeof *names, compare_names);
  }
  for (size_t i = 0; i < n; i++) {
    struct stat st;
    if (status == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
      if (replay_file(names[i]) != 0) {
        status = -1;
      } else {
        (*count)++;
      }
    }
    free(names[i]);
  }
  free(names);
  if (status != 0) {
    fprintf(stderr, "replay: could not replay every file of %s\n", dir);
  }
  return status;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  long count = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
      return 1;
    }
    int status = S_ISDIR(st.st_mode) ? replay_dir(argv[i], &count) : replay_file(argv[i]);
    if (status != 0) {
      return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
      count++;
    }
  }
  if (count == 0) {
    fprintf(stderr, "replay: no input files (an empty corpus tests nothing)\n");
    return 1;
  }
  printf("replayed %ld inputs\n", count);
  return 0;
}
