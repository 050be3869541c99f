/* pccart-sandbox: runs the Partner Center imitation in the foreground until SIGINT/SIGTERM. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/sandbox.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: pccart-sandbox [--listen HOST:PORT] [--customers N] [--scenario NAME]\n"
          "                      [--state FILE] [--log FILE|-]\n"
          "       pccart-sandbox --list-scenarios\n"
          "\n"
          "A faithful imitation of the Partner Center REST API for pccart, tests and training.\n"
          "\n"
          "  --listen HOST:PORT  where to listen (default %s:%d; port 0 picks a free one)\n"
          "  --customers N       seed customers, 2..%d (default %d)\n"
          "  --scenario NAME     a training scenario (see --list-scenarios; default \"default\")\n"
          "  --state FILE        keep carts, orders and the ledger in FILE across restarts\n"
          "  --log FILE          one line per request to FILE (\"-\" for stderr)\n"
          "  --list-scenarios    list the scenarios and exit\n"
          "  --help              this text\n"
          "\n"
          "Credentials: client id %s, client secret %s, any tenant id.\n"
          "Documentation: docs/sandbox.md.\n",
          SANDBOX_DEFAULT_HOST, SANDBOX_DEFAULT_PORT, SANDBOX_MAX_CUSTOMERS,
          SANDBOX_DEFAULT_CUSTOMERS, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET);
}

static int fail(const char *fmt, const char *arg) {
  fprintf(stderr, "pccart-sandbox: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n(try pccart-sandbox --help)\n");
  return 2;
}

/* "HOST:PORT", "[v6]:PORT" or ":PORT". */
static bool parse_listen(const char *text, char *host, size_t host_size, unsigned short *port) {
  const char *colon = strrchr(text, ':');
  if (!colon)
    return false;
  const char *h = text;
  size_t len = (size_t)(colon - text);
  if (len >= 2 && h[0] == '[' && h[len - 1] == ']') {
    h++;
    len -= 2;
  }
  if (len >= host_size)
    return false;
  memcpy(host, h, len);
  host[len] = '\0';
  if (!host[0])
    strcpy(host, SANDBOX_DEFAULT_HOST);
  char *end;
  errno = 0;
  long p = strtol(colon + 1, &end, 10);
  if (errno || end == colon + 1 || *end || p < 0 || p > 65535)
    return false;
  *port = (unsigned short)p;
  return true;
}

int main(int argc, char **argv) {
  SandboxOptions options = {.port = SANDBOX_DEFAULT_PORT};
  char host[256] = SANDBOX_DEFAULT_HOST;
  const char *log_path = NULL;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    bool takes_value = strcmp(arg, "--listen") == 0 || strcmp(arg, "--customers") == 0 ||
                       strcmp(arg, "--scenario") == 0 || strcmp(arg, "--state") == 0 ||
                       strcmp(arg, "--log") == 0;
    if (takes_value && !value)
      return fail("%s needs a value", arg);
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      usage(stdout);
      return 0;
    } else if (strcmp(arg, "--list-scenarios") == 0) {
      for (size_t s = 0; s < sandbox_scenario_count(); s++)
        printf("%-20s %s\n", sandbox_scenario_at(s)->name, sandbox_scenario_at(s)->summary);
      return 0;
    } else if (strcmp(arg, "--listen") == 0) {
      if (!parse_listen(value, host, sizeof host, &options.port))
        return fail("--listen wants HOST:PORT, e.g. 127.0.0.1:8470 (got \"%s\")", value);
    } else if (strcmp(arg, "--customers") == 0) {
      char *end;
      errno = 0;
      long n = strtol(value, &end, 10);
      if (errno || *end || end == value)
        return fail("--customers wants a whole number (got \"%s\")", value);
      options.customers = n;
    } else if (strcmp(arg, "--scenario") == 0) {
      options.scenario = value;
    } else if (strcmp(arg, "--state") == 0) {
      options.state_file = value;
    } else if (strcmp(arg, "--log") == 0) {
      log_path = value;
    } else {
      return fail("unknown option \"%s\"", arg);
    }
    if (takes_value)
      i++;
  }
  options.host = host;
  FILE *log = NULL;
  if (log_path) {
    log = strcmp(log_path, "-") == 0 ? stderr : fopen(log_path, "a");
    if (!log) {
      fprintf(stderr, "pccart-sandbox: cannot open the log file %s: %s\n", log_path,
              strerror(errno));
      return 1;
    }
    options.log = log;
  }

  /* Signals are taken synchronously by this thread; the server's threads never see them. */
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
  signal(SIGPIPE, SIG_IGN);

  char err[512] = "";
  Sandbox *sandbox = sandbox_start(&options, err, sizeof err);
  if (!sandbox) {
    fprintf(stderr, "pccart-sandbox: %s\n", err);
    if (log && log != stderr)
      fclose(log);
    return 1;
  }
  printf("pccart-sandbox listening on %s\n", sandbox_url(sandbox));
  fflush(stdout);
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  sandbox_stop(sandbox);
  if (log && log != stderr)
    fclose(log);
  return 0;
}
