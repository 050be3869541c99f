/* What the config layer's files share: paths. */
#ifndef PCCART_CONFIG_INTERNAL_H
#define PCCART_CONFIG_INTERNAL_H

#include <stdbool.h>

#include "config/config.h"

/* dir + "/" + name (no doubled '/'); NULL when out of memory. */
char *config_path_join(const char *dir, const char *name);
/* The directory part of path ("." when it has none); NULL when out of memory. */
char *config_path_dirname(const char *path);
/* The default file's path in *out, or NULL when neither XDG_CONFIG_HOME nor HOME is usable;
 * false only when out of memory. */
bool config_default_path_get(char **out);

/* config_load on text already read (tests/fuzz): path names the file in messages and is where
 * @include looks. Same results and errors as config_load. */
bool config_load_text(const char *path, const char *text, Config *out, ConfigError *err);

#endif
