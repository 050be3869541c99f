/* pccart-sandbox: a faithful imitation of the Partner Center REST API on loopback,
 * startable in-process (the app's embedded default, tests) or as its own program. */
#ifndef PCCART_SANDBOX_H
#define PCCART_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define SANDBOX_DEFAULT_HOST "127.0.0.1"
#define SANDBOX_DEFAULT_PORT 8470
#define SANDBOX_CLIENT_ID "pccart-sandbox"
#define SANDBOX_CLIENT_SECRET "sandbox-secret"
#define SANDBOX_REFRESH_TOKEN "sandbox-refresh-token"
#define SANDBOX_DEFAULT_CUSTOMERS 80
#define SANDBOX_MAX_CUSTOMERS 100000

typedef struct SandboxOptions {
  const char *host;       /* NULL: 127.0.0.1 */
  unsigned short port;    /* 0 picks a free port */
  long customers;         /* 0: SANDBOX_DEFAULT_CUSTOMERS; at most SANDBOX_MAX_CUSTOMERS */
  const char *scenario;   /* NULL: "default" */
  const char *state_file; /* NULL: carts and orders live in memory only */
  FILE *log;              /* one line per request when non-NULL (no secrets) */
  /* The client secret the token endpoint accepts (NULL: SANDBOX_CLIENT_SECRET); tests plant a
   * canary secret here to prove it never leaks. */
  const char *client_secret;
} SandboxOptions;

typedef struct Sandbox Sandbox;

/* Starts serving; on failure returns NULL with a sentence in err. */
Sandbox *sandbox_start(const SandboxOptions *options, char *err, size_t err_size);
unsigned short sandbox_port(const Sandbox *sandbox);
/* "http://127.0.0.1:PORT"; owned by the sandbox. */
const char *sandbox_url(const Sandbox *sandbox);
/* Stops accepting, finishes in-flight requests (releasing held ones), frees everything. */
void sandbox_stop(Sandbox *sandbox);

/* Empties a state file (carts, replies, ledger, subscriptions, clock offset) under the same
 * lock the sandboxes take, so that sandboxes running on it, in this process or others, find
 * nothing at their next request. A damaged file is replaced too. A missing file needs nothing
 * (true). False with a sentence naming the file in err. For `pccart sandbox reset`. */
bool sandbox_state_reset(const char *state_file, char *err, size_t err_size);

typedef struct SandboxScenario {
  const char *name;
  const char *summary;
} SandboxScenario;

size_t sandbox_scenario_count(void);
const SandboxScenario *sandbox_scenario_at(size_t index);
const SandboxScenario *sandbox_scenario_find(const char *name);

#endif
