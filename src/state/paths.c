/* Where the state file lives (XDG base directories) and making it: the directory 0700, the file
 * 0600, before SQLite ever opens it, so that the history is never readable by others, not even
 * for a moment. */
#include "state/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/internal.h"

/* dir + "/" + name; NULL when out of memory. */
static char *join(const char *dir, const char *name) {
  size_t dir_len = strlen(dir);
  while (dir_len > 1 && dir[dir_len - 1] == '/') {
    dir_len--;
  }
  size_t size = dir_len + 1 + strlen(name) + 1;
  char *path = malloc(size);
  if (path) {
    snprintf(path, size, "%.*s/%s", (int)dir_len, dir, name);
  }
  return path;
}

char *state_default_dir(void) {
  /* The XDG spec: a relative XDG_STATE_HOME is invalid and ignored. */
  const char *xdg = getenv("XDG_STATE_HOME");
  if (xdg && xdg[0] == '/') {
    return join(xdg, "pccart");
  }
  const char *home = getenv("HOME");
  if (home && home[0] == '/') {
    return join(home, ".local/state/pccart");
  }
  return NULL;
}

char *state_default_path(void) {
  char *dir = state_default_dir();
  char *path = dir ? join(dir, "state.db") : NULL;
  free(dir);
  return path;
}

/* ----- making the file ----- */

/* The directory of path, made by state_make_dir() (dir.c) when missing. */
static bool make_dirs(const char *path, char *err, size_t err_size) {
  const char *slash = strrchr(path, '/');
  if (!slash || slash == path) { /* the current directory, or / */
    return true;
  }
  char *dir = strndup(path, (size_t)(slash - path));
  if (!dir) {
    return state_err(err, err_size,
                     "out of memory while opening %s: close other programs and try again.", path);
  }
  char why[1024] = "";
  bool ok = state_make_dir(dir, why, sizeof why) ||
            state_err(err, err_size,
                      "%s: create it yourself (mkdir -p -m 0700 %s) or choose another state file; "
                      "until then recovery and history are off.",
                      why, dir);
  free(dir);
  return ok;
}

static bool not_regular(const char *path, bool link, char *err, size_t err_size) {
  if (link) {
    return state_err(err, err_size,
                     "%s is a symbolic link, which pccart does not follow for its state: replace "
                     "it with the file itself or choose another state file.",
                     path);
  }
  return state_err(err, err_size,
                   "%s is not a regular file: move it away or choose another state file; until "
                   "then recovery and history are off.",
                   path);
}

/* Removes group and other bits from a file of ours. The path is used, not a descriptor:
 * closing any descriptor of a file drops every POSIX lock this process holds on it, SQLite's
 * included, and another store of this process may have the file open. AT_SYMLINK_NOFOLLOW:
 * never the target of a link put in the file's place. */
static bool make_private(const char *path, const struct stat *st, char *err, size_t err_size) {
  if (st->st_uid != geteuid() || (st->st_mode & 077) == 0) {
    return true;
  }
  if (fchmodat(AT_FDCWD, path, 0600, AT_SYMLINK_NOFOLLOW) == 0) {
    return true;
  }
  return state_err(err, err_size,
                   "cannot make %s private (chmod 0600: %s): run chmod 0600 %s yourself, or "
                   "choose another state file.",
                   path, strerror(errno), path);
}

/* SQLite's -wal and -shm: a link in their place would send the journal elsewhere, and ones left
 * from before may be readable by others (SQLite gives new ones the main file's mode). Without
 * fix they are only checked: nothing changes before the file is known to be ours. */
static bool check_companion(const char *path, const char *suffix, bool fix, char *err,
                            size_t err_size) {
  char *name = malloc(strlen(path) + strlen(suffix) + 1);
  if (!name) {
    return state_err(err, err_size,
                     "out of memory while opening %s: close other programs and try again.", path);
  }
  strcpy(name, path);
  strcat(name, suffix);
  struct stat st;
  bool ok = true;
  if (fstatat(AT_FDCWD, name, &st, AT_SYMLINK_NOFOLLOW) == 0) { /* else missing: fine */
    if (!S_ISREG(st.st_mode)) {
      ok = not_regular(name, S_ISLNK(st.st_mode), err, err_size);
    } else if (fix) {
      ok = make_private(name, &st, err, err_size);
    }
  }
  free(name);
  return ok;
}

bool state_file_prepare(const char *path, char *err, size_t err_size) {
  if (!make_dirs(path, err, err_size)) {
    return false;
  }
  /* O_EXCL: this call makes the file, 0600 from its first moment, or learns that it exists.
   * The descriptor is closed at once, before SQLite opens the file (see make_private). */
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd >= 0) {
    bool ok = fchmod(fd, 0600) == 0; /* the umask may have taken the owner's bits */
    int error = errno;
    close(fd);
    return ok || state_err(err, err_size,
                           "cannot make %s private (chmod 0600: %s): run chmod 0600 %s yourself, "
                           "or choose another state file.",
                           path, strerror(error), path);
  }
  if (errno != EEXIST) {
    const char *slash = strrchr(path, '/');
    int dir_len = slash ? (slash == path ? 1 : (int)(slash - path)) : 1;
    return state_err(err, err_size,
                     "cannot create %s (%s): make the directory %.*s writable or choose another "
                     "state file; until then recovery and history are off.",
                     path, strerror(errno), dir_len, slash ? path : ".");
  }
  /* It exists: checked, never changed, until SQLite has shown that it is ours. */
  struct stat st;
  if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return state_err(err, err_size,
                     "cannot open %s (%s): check the file and its directory, then try again.", path,
                     strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return not_regular(path, S_ISLNK(st.st_mode), err, err_size);
  }
  /* Checked here because SQLite opens a read-only file read-only and would fail only at the
   * first write. AT_EACCESS: the effective ids decide. */
  if (faccessat(AT_FDCWD, path, R_OK | W_OK, AT_EACCESS) != 0) {
    if (errno == EACCES || errno == EPERM || errno == EROFS) {
      return state_err(err, err_size,
                       "%s is read-only (%s): make it writable (chmod u+rw %s) or choose another "
                       "state file; until then recovery and history are off.",
                       path, strerror(errno), path);
    }
    return state_err(err, err_size,
                     "cannot open %s (%s): check the file and its directory, then try again.", path,
                     strerror(errno));
  }
  return check_companion(path, "-wal", false, err, err_size) &&
         check_companion(path, "-shm", false, err, err_size);
}

bool state_file_make_private(const char *path, char *err, size_t err_size) {
  struct stat st;
  if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return state_err(err, err_size,
                     "cannot open %s (%s): check the file and its directory, then try again.", path,
                     strerror(errno));
  }
  return make_private(path, &st, err, err_size) &&
         check_companion(path, "-wal", true, err, err_size) &&
         check_companion(path, "-shm", true, err, err_size);
}
