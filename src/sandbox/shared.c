/* One state file shared by several sandboxes: pccart starts an in-process sandbox on a default
 * state file, so an app open in one terminal and CLI commands in another each run their own
 * sandbox on the same FILE. Each access to the state takes the process's mutex and then an
 * exclusive flock() on FILE.lock, and reloads FILE when another sandbox changed it; so every
 * change is made to the latest state and written before the lock is let go, and no sandbox
 * overwrites another's carts or orders.
 *
 * Noticing a change. Every write draws a random generation, stores it in FILE and first in
 * FILE.lock. A sandbox remembers the generation and FILE's device, inode, size and mtime as it
 * last read or wrote them, and reloads when either differs. The generation catches writes of
 * other sandboxes even when they land in the same mtime tick with the same size on a reused
 * inode; the stat catches a FILE replaced by hand (or with garbage) behind everyone's back. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/internal.h"

#define LOCK_SUFFIX ".lock"
/* Each retry means another sandbox removed the lock file while we waited for it (it stopped);
 * that cannot go on for long unless something else keeps deleting it. */
#define LOCK_ATTEMPTS 100

static char *lock_path_for(const char *state_file) {
  size_t n = strlen(state_file);
  char *path = malloc(n + sizeof LOCK_SUFFIX);
  if (path) {
    memcpy(path, state_file, n);
    memcpy(path + n, LOCK_SUFFIX, sizeof LOCK_SUFFIX);
  }
  return path;
}

/* Takes an exclusive flock() on the lock file at path, opening (creating, 0600) it when *fd is
 * -1. A stopping sandbox removes the lock file while it holds the lock, so whoever was waiting
 * on that file then holds a lock that guards nothing: after each flock the file at the path
 * must still be the one locked, or it is opened again. */
static bool lock_file_take(const char *path, int *fd, char *err, size_t err_size) {
  for (int attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
    if (*fd < 0) {
      *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
      if (*fd < 0) {
        snprintf(err, err_size, "cannot open the lock file %s: %s", path, strerror(errno));
        return false;
      }
    }
    int rc;
    while ((rc = flock(*fd, LOCK_EX)) != 0 && errno == EINTR)
      continue;
    if (rc != 0) {
      snprintf(err, err_size, "cannot lock %s: %s", path, strerror(errno));
      close(*fd);
      *fd = -1;
      return false;
    }
    struct stat held, named;
    if (fstat(*fd, &held) != 0) {
      snprintf(err, err_size, "cannot lock %s: %s", path, strerror(errno));
      close(*fd);
      *fd = -1;
      return false;
    }
    if (lstat(path, &named) == 0) {
      if (named.st_dev == held.st_dev && named.st_ino == held.st_ino)
        return true;
    } else if (errno != ENOENT) {
      snprintf(err, err_size, "cannot lock %s: %s", path, strerror(errno));
      close(*fd);
      *fd = -1;
      return false;
    }
    close(*fd); /* also lets go of the lock on the removed file */
    *fd = -1;
  }
  snprintf(err, err_size, "cannot lock %s: it keeps being removed", path);
  return false;
}

/* The generation of the last write, as the lock file records it; "" when it records none (a
 * lock file just created). */
static void stamp_read(int fd, char out[STORE_GENERATION_SIZE]) {
  char buffer[STORE_GENERATION_SIZE];
  ssize_t n;
  while ((n = pread(fd, buffer, STORE_GENERATION_SIZE - 1, 0)) < 0 && errno == EINTR)
    continue;
  out[0] = '\0';
  if (n != STORE_GENERATION_SIZE - 1)
    return;
  for (size_t i = 0; i < STORE_GENERATION_SIZE - 1; i++)
    if (!isxdigit((unsigned char)buffer[i]))
      return;
  memcpy(out, buffer, STORE_GENERATION_SIZE - 1);
  out[STORE_GENERATION_SIZE - 1] = '\0';
}

static bool stamp_write(int fd, const char *generation) {
  char line[STORE_GENERATION_SIZE + 1];
  int n = snprintf(line, sizeof line, "%s\n", generation);
  ssize_t done;
  while ((done = pwrite(fd, line, (size_t)n, 0)) < 0 && errno == EINTR)
    continue;
  return done == n;
}

static void generation_new(char out[STORE_GENERATION_SIZE]) {
  sandbox_random_hex(out, STORE_GENERATION_SIZE - 1);
}

/* ctime is left out: a rename changes it on some file systems, and the identity of a file we
 * wrote is taken before its rename. */
static bool same_file(const struct stat *a, const struct stat *b) {
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
         a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static bool refresh_failed(Sandbox *sandbox, const char *why) {
  sandbox->seen_valid = false;
  sandbox->state_unread = true;
  snprintf(sandbox->state_error, sizeof sandbox->state_error, "%s", why);
  return false;
}

/* With the file lock held: reloads the state when the file changed since this sandbox last
 * read or wrote it. On failure the memory keeps the last good state and is marked unread. */
static bool state_refresh(Sandbox *sandbox) {
  char stamp[STORE_GENERATION_SIZE];
  stamp_read(sandbox->lock_fd, stamp);
  /* Stat before reading: if the file is replaced in between, what we remember is older than
   * what we read, which costs one more reload later; the other order could miss a change. */
  struct stat now;
  memset(&now, 0, sizeof now);
  bool missing = false;
  if (stat(sandbox->state_file, &now) != 0) {
    if (errno != ENOENT) {
      char why[768];
      snprintf(why, sizeof why, "cannot read the state file %s: %s", sandbox->state_file,
               strerror(errno));
      return refresh_failed(sandbox, why);
    }
    missing = true;
  }
  if (sandbox->seen_valid && stamp[0] && strcmp(stamp, sandbox->seen_generation) == 0 &&
      missing == sandbox->seen_missing && (missing || same_file(&now, &sandbox->seen_file)))
    return true;

  Store *fresh = store_new();
  if (!fresh) {
    char why[768];
    snprintf(why, sizeof why, "out of memory reading the state file %s", sandbox->state_file);
    return refresh_failed(sandbox, why);
  }
  int64_t offset = 0;
  char generation[STORE_GENERATION_SIZE] = "";
  char why[768] = "";
  if (!store_read_file(fresh, &offset, generation, sandbox->state_file, why, sizeof why)) {
    store_free(fresh);
    return refresh_failed(sandbox, why);
  }
  /* Replaced whole, and only under the lock: nothing outside it keeps a pointer into the store
   * (routes find a cart again by its id after relocking; tokens are never replaced). */
  store_take_state(sandbox->store, fresh);
  store_free(fresh);
  sandbox->clock_offset_us = offset;
  if (!stamp[0]) {
    /* A new lock file (the last one went with a stopping sandbox): mark it with the file's own
     * generation so that the other sandboxes, reading the same file, need not reload too. */
    if (generation[0])
      snprintf(stamp, sizeof stamp, "%s", generation);
    else
      generation_new(stamp);
    if (!stamp_write(sandbox->lock_fd, stamp))
      stamp[0] = '\0'; /* then the next lock reads the file again: slower, never wrong */
  }
  sandbox->seen_valid = stamp[0] != '\0';
  snprintf(sandbox->seen_generation, sizeof sandbox->seen_generation, "%s", stamp);
  sandbox->seen_missing = missing;
  sandbox->seen_file = now;
  sandbox->state_unread = false;
  return true;
}

bool sandbox_lock(Sandbox *sandbox) {
  pthread_mutex_lock(&sandbox->lock);
  if (!sandbox->state_file)
    return true;
  char why[768];
  if (!lock_file_take(sandbox->lock_path, &sandbox->lock_fd, why, sizeof why)) {
    snprintf(sandbox->state_error, sizeof sandbox->state_error, "%s", why);
    return false;
  }
  sandbox->file_locked = true;
  return state_refresh(sandbox);
}

void sandbox_unlock(Sandbox *sandbox) {
  if (sandbox->file_locked) {
    flock(sandbox->lock_fd, LOCK_UN);
    sandbox->file_locked = false;
  }
  pthread_mutex_unlock(&sandbox->lock);
}

bool sandbox_lock_or_answer(Sandbox *sandbox, SandboxResponse *response) {
  if (sandbox_lock(sandbox))
    return true;
  char text[1100];
  snprintf(text, sizeof text, "The sandbox cannot use its shared state: %s.", sandbox->state_error);
  sandbox_unlock(sandbox);
  response_error(response, 500, PC_CODE_UNEXPECTED_SERVICE_ERROR, text);
  return false;
}

bool sandbox_persist_locked(Sandbox *sandbox, char *err, size_t err_size) {
  if (!sandbox->state_file)
    return true;
  if (!sandbox->file_locked || sandbox->state_unread) {
    /* Writing now would put this memory over a file it has not read: another sandbox's carts
     * would be lost, or a damaged file someone may still want to look at. */
    snprintf(err, err_size, "the state file %s was not written: %s", sandbox->state_file,
             sandbox->state_error[0] ? sandbox->state_error : "its lock is not held");
    return false;
  }
  char generation[STORE_GENERATION_SIZE];
  generation_new(generation);
  /* The lock file's mark first: should the write below fail or the process die in between,
   * the others reload a file that did not change (a read too many); the other order could let
   * them miss a change. */
  if (!stamp_write(sandbox->lock_fd, generation)) {
    snprintf(err, err_size, "cannot write the lock file %s: %s", sandbox->lock_path,
             strerror(errno));
    return false;
  }
  snprintf(sandbox->seen_generation, sizeof sandbox->seen_generation, "%s", generation);
  struct stat written;
  /* On failure the file is unchanged and so is what we remember of it: the memory keeps the
   * change unsaved, as without sharing, until the next write or another sandbox's. */
  if (!store_write_file(sandbox->store, sandbox->clock_offset_us, generation, sandbox->state_file,
                        &written, err, err_size))
    return false;
  sandbox->seen_file = written;
  sandbox->seen_missing = false;
  sandbox->seen_valid = true;
  return true;
}

void sandbox_state_replaced_locked(Sandbox *sandbox) {
  sandbox->state_unread = false;
}

bool sandbox_reload_locked(Sandbox *sandbox) {
  if (!sandbox->state_file)
    return true;
  if (!sandbox->file_locked)
    return false;
  sandbox->seen_valid = false;
  return state_refresh(sandbox);
}

bool sandbox_shared_open(Sandbox *sandbox, char *err, size_t err_size) {
  sandbox->lock_path = lock_path_for(sandbox->state_file);
  if (!sandbox->lock_path) {
    snprintf(err, err_size, "out of memory opening the state file %s", sandbox->state_file);
    return false;
  }
  bool ok = sandbox_lock(sandbox);
  if (!ok)
    snprintf(err, err_size, "%s", sandbox->state_error);
  sandbox_unlock(sandbox);
  return ok;
}

void sandbox_shared_close(Sandbox *sandbox) {
  if (sandbox->lock_fd < 0 || !sandbox->lock_path)
    return;
  /* Removed only while locked, and only when it is the file at the path: whoever waits on it
   * sees it gone after their flock and opens the next one, so the state stays guarded. */
  char why[768];
  if (lock_file_take(sandbox->lock_path, &sandbox->lock_fd, why, sizeof why))
    unlink(sandbox->lock_path);
  if (sandbox->lock_fd >= 0)
    close(sandbox->lock_fd);
  sandbox->lock_fd = -1;
}

/* ----- busy checkouts across processes ----- */

/* The start time of process pid (field 22 of /proc/PID/stat, clock ticks after boot), which
 * tells a process from a later one given the same pid; 0 when unknown. *gone is set for a
 * zombie, which has stopped running but still answers kill(pid, 0). */
static unsigned long long process_start(long pid, bool *gone) {
  char path[64], text[1024];
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  ssize_t n;
  while ((n = read(fd, text, sizeof text - 1)) < 0 && errno == EINTR)
    continue;
  close(fd);
  if (n <= 0)
    return 0;
  text[n] = '\0';
  char *p = strrchr(text, ')'); /* the command name may hold spaces and parentheses */
  if (!p || p[1] != ' ')
    return 0;
  p += 2; /* field 3, the state */
  if (*p == 'Z' || *p == 'X')
    *gone = true;
  for (int field = 3; field < 22; field++) {
    p = strchr(p, ' ');
    if (!p)
      return 0;
    p++;
  }
  return strtoull(p, NULL, 10);
}

/* This process's start time, read once per process: keyed by pid because a child made by
 * fork() inherits the cache and must not pass its parent's start time off as its own. */
static pthread_mutex_t own_lock = PTHREAD_MUTEX_INITIALIZER;
static long own_pid;
static unsigned long long own_start;

static unsigned long long own_start_time(long pid) {
  pthread_mutex_lock(&own_lock);
  if (own_pid != pid) {
    bool gone = false;
    own_start = process_start(pid, &gone);
    own_pid = pid;
  }
  unsigned long long start = own_start;
  pthread_mutex_unlock(&own_lock);
  return start;
}

void sandbox_cart_mark_busy(StoredCart *cart, char token[17]) {
  long pid = (long)getpid();
  cart->checkout_busy = true;
  cart->busy_pid = pid;
  cart->busy_start = own_start_time(pid);
  sandbox_random_hex(cart->busy_token, sizeof cart->busy_token - 1);
  memcpy(token, cart->busy_token, sizeof cart->busy_token);
}

bool sandbox_cart_busy(const StoredCart *cart) {
  if (!cart->checkout_busy)
    return false;
  long pid = (long)getpid();
  if (cart->busy_pid == pid) {
    /* Ours, unless an earlier process with our pid left it. */
    unsigned long long start = own_start_time(pid);
    return !cart->busy_start || !start || cart->busy_start == start;
  }
  if (cart->busy_pid <= 0)
    return false; /* a mark without an owner (written by hand): nobody can be checking out */
  if (kill((pid_t)cart->busy_pid, 0) != 0 && errno == ESRCH)
    return false;
  bool gone = false;
  unsigned long long start = process_start(cart->busy_pid, &gone);
  if (gone)
    return false;
  /* The pid now names another process: the owner is gone. */
  return !(start && cart->busy_start && start != cart->busy_start);
}

/* ----- reset ----- */

bool sandbox_state_reset(const char *state_file, char *err, size_t err_size) {
  if (!state_file || !state_file[0]) {
    snprintf(err, err_size, "no sandbox state file was given to reset");
    return false;
  }
  struct stat info;
  if (stat(state_file, &info) != 0) {
    if (errno == ENOENT)
      return true; /* nothing was ever kept: nothing to empty */
    snprintf(err, err_size, "cannot reset the sandbox state file %s: %s", state_file,
             strerror(errno));
    return false;
  }
  char *lock_path = lock_path_for(state_file);
  Store *empty = store_new();
  if (!lock_path || !empty) {
    free(lock_path);
    store_free(empty);
    snprintf(err, err_size, "out of memory resetting the sandbox state file %s", state_file);
    return false;
  }
  int fd = -1;
  char why[768] = "";
  bool locked = lock_file_take(lock_path, &fd, why, sizeof why);
  bool ok = locked;
  char generation[STORE_GENERATION_SIZE];
  generation_new(generation);
  if (ok && !stamp_write(fd, generation)) {
    snprintf(why, sizeof why, "cannot write the lock file %s: %s", lock_path, strerror(errno));
    ok = false;
  }
  /* Whatever the file holds, damaged or not: a reset is how a class starts over. */
  ok = ok && store_write_file(empty, 0, generation, state_file, NULL, why, sizeof why);
  if (locked)
    unlink(lock_path); /* as a stopping sandbox does; we hold it and it is the one at the path */
  if (fd >= 0)
    close(fd);
  free(lock_path);
  store_free(empty);
  if (!ok)
    snprintf(err, err_size, "cannot reset the sandbox state file %s: %s", state_file, why);
  return ok;
}
