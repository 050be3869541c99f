/* Where the configuration lives (XDG base directories) and joining paths. */
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/internal.h"

char *config_path_join(const char *dir, const char *name) {
  size_t dir_len = strlen(dir);
  while (dir_len > 1 && dir[dir_len - 1] == '/') {
    dir_len--;
  }
  bool slash = dir_len > 0 && dir[dir_len - 1] != '/' && name[0] != '\0';
  size_t name_len = strlen(name);
  char *path = malloc(dir_len + (slash ? 1 : 0) + name_len + 1);
  if (!path) {
    return NULL;
  }
  memcpy(path, dir, dir_len);
  if (slash) {
    path[dir_len] = '/';
  }
  memcpy(path + dir_len + (slash ? 1 : 0), name, name_len + 1);
  return path;
}

char *config_path_dirname(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) {
    return strdup(".");
  }
  if (slash == path) {
    return strdup("/");
  }
  return strndup(path, (size_t)(slash - path));
}

bool config_default_path_get(char **out) {
  *out = NULL;
  /* The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored. */
  const char *xdg = getenv("XDG_CONFIG_HOME");
  if (xdg && xdg[0] == '/') {
    *out = config_path_join(xdg, "pccart/config");
    return *out != NULL;
  }
  const char *home = getenv("HOME");
  if (home && home[0] == '/') {
    *out = config_path_join(home, ".config/pccart/config");
    return *out != NULL;
  }
  return true;
}

char *config_default_path(void) {
  char *path;
  return config_default_path_get(&path) ? path : NULL;
}
