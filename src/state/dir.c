/* The state directory: made on first use, private to the user. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "state/state.h"

bool state_make_dir(const char *dir, char *err, size_t err_size) {
  char path[4096];
  size_t length = strlen(dir);
  if (length == 0 || length >= sizeof path) {
    snprintf(err, err_size, "the directory name \"%.200s\" is empty or too long", dir);
    return false;
  }
  memcpy(path, dir, length + 1);
  /* Each prefix in turn, so that ~/.local/state/pccart appears on a new account. */
  for (char *p = path + 1;; p++) {
    bool end = *p == '\0';
    if (*p != '/' && !end)
      continue;
    *p = '\0';
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
      snprintf(err, err_size, "cannot create the directory %.300s: %s", path, strerror(errno));
      return false;
    }
    if (end)
      break;
    *p = '/';
  }
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    snprintf(err, err_size, "%.300s is not a directory", dir);
    return false;
  }
  return true;
}
