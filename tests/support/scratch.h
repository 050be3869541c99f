/* A fresh scratch directory per test, with HOME pointing at it and no pccart variables in the
 * environment, and files written into it: what tests of files and paths share. */
#ifndef PCCART_TESTS_SCRATCH_H
#define PCCART_TESTS_SCRATCH_H

#include <stdbool.h>
#include <sys/types.h>

/* Makes /tmp/pccart-<prefix>-XXXXXX, sets HOME to it, unsets XDG_CONFIG_HOME,
 * PCCART_CLIENT_SECRET and PCCART_REFRESH_TOKEN. False when the directory cannot be made. */
bool scratch_setup(const char *prefix);
/* Removes the directory and everything in it, and unsets the secret variables again; 0 on
 * success (a cmocka teardown's return value). */
int scratch_teardown(void);
const char *scratch_dir(void);
/* scratch_dir()/name; caller frees. */
char *scratch_path(const char *name);
/* Writes text to scratch_dir()/name (making the directories on the way, mode 0700) with the
 * file mode given whatever the umask; returns the path (caller frees). */
char *scratch_write(const char *name, const char *text, mode_t mode);

#endif
