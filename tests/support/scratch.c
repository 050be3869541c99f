/* The scratch directory of scratch.h. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "scratch.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char scratch[256];

static void clear_secret_variables(void) {
  unsetenv("PCCART_CLIENT_SECRET");
  unsetenv("PCCART_REFRESH_TOKEN");
}

bool scratch_setup(const char *prefix) {
  snprintf(scratch, sizeof scratch, "/tmp/pccart-%s-XXXXXX", prefix);
  if (!mkdtemp(scratch)) {
    return false;
  }
  setenv("HOME", scratch, 1);
  unsetenv("XDG_CONFIG_HOME");
  clear_secret_variables();
  return true;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

int scratch_teardown(void) {
  clear_secret_variables();
  return nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *scratch_dir(void) {
  return scratch;
}

char *scratch_path(const char *name) {
  char *path = malloc(strlen(scratch) + strlen(name) + 2);
  assert_non_null(path);
  sprintf(path, "%s/%s", scratch, name);
  return path;
}

char *scratch_write(const char *name, const char *text, mode_t mode) {
  char *path = scratch_path(name);
  for (char *slash = strchr(path + strlen(scratch) + 1, '/'); slash;
       slash = strchr(slash + 1, '/')) {
    *slash = '\0';
    mkdir(path, 0700);
    *slash = '/';
  }
  FILE *file = fopen(path, "w");
  assert_non_null(file);
  assert_int_equal(fputs(text, file) >= 0, 1);
  assert_int_equal(fclose(file), 0);
  assert_int_equal(chmod(path, mode), 0);
  return path;
}
