/* pccart's TUI on the harness, against a sandbox the test controls: an in-process sandbox on a
 * free port (tests/support/http), and pccart run on a pty with a configuration whose default
 * profile is that sandbox (profile "class", kind "sandbox": the status bar says SANDBOX). The
 * test can then read what the sandbox received (/_sandbox/requests), arm faults, and so on. */
#ifndef PCCART_TESTS_TUI_PCCART_H
#define PCCART_TESTS_TUI_PCCART_H

#include <stdbool.h>

#include "sandbox_http.h"
#include "tui_harness.h"

typedef struct PccartOptions {
  long customers;           /* the sandbox's seed customers; 0: its default */
  const char *scenario;     /* the sandbox's scenario; NULL: default */
  const char *config_extra; /* appended to the configuration (e.g. a ui section) */
  const char *const *env;   /* extra environment (NO_COLOR=1) */
  const char *const *args;  /* extra arguments after the program name; NULL-terminated */
  int rows, cols;           /* 0: 30 x 120 */
  bool no_wait;             /* do not wait for the customers to show */
  /* A sandbox the test already runs (another pccart used it, the test seeded it): pccart runs
   * on it, and pccart_stop leaves it running. NULL: a new one (customers, scenario). */
  HttpCtx *http;
  /* The profile is kind "live" (profile "contoso") pointing at the sandbox by api_base and
   * authority, its client secret in PCCART_CLIENT_SECRET: the TUI must say LIVE. */
  bool live;
  /* HOME for pccart (kept when it stops), so that a second start finds what the first left:
   * the state store, the autosave. NULL: a new temporary one. */
  const char *home;
} PccartOptions;

typedef struct Pccart {
  HttpCtx *http; /* the sandbox and a client for its control API */
  Tui *tui;
  bool owns_http; /* started by pccart_start (options.http was NULL) */
} Pccart;

/* Starts a sandbox and pccart (bin: PCC_PCCART_BIN) on it, and (unless options->no_wait) waits
 * until the first customer is on the screen and the app is idle. NULL with err on failure. */
Pccart *pccart_start(const char *bin, const PccartOptions *options, char *err, size_t err_size);
/* Stops pccart (if still running) and the sandbox; returns pccart's exit status. */
int pccart_stop(Pccart *pccart);

/* For cmocka tests: pccart_start that skips the test while pccart is not built (bin NULL) and
 * fails it when pccart cannot start. */
Pccart *pccart_start_or_fail(const char *bin, const PccartOptions *options);
/* Sends q, expects pccart to exit with status 0, and stops it (a cmocka assertion). */
void pccart_quit(Pccart *pccart);
/* A tui_wait_for predicate: the status bar (row 0) contains text (a const char *). */
bool pccart_status_says(Tui *tui, const void *text);

/* The configuration pccart_start writes for a sandbox URL, plus extra (caller frees). */
char *pccart_config_text(const char *url, const char *extra);
/* The configuration of options.live: profile "contoso", kind "live", at the sandbox URL, plus
 * extra (caller frees). Its secret is not in it: PCCART_LIVE_SECRET goes in the environment. */
char *pccart_live_config_text(const char *url, const char *extra);
#define PCCART_LIVE_SECRET "sandbox-secret"

/* The body of the last request the sandbox logged for op ("carts.create", "carts.update",
 * "carts.checkout"), and how many it logged; NULL when none (caller frees). */
char *pccart_last_request_body(Pccart *pccart, const char *op, int *count);
/* The number of requests of op in the sandbox's request log. */
int pccart_request_count(Pccart *pccart, const char *op);

/* ----- steps of the scenarios (each waits for the app to be idle; false with tui_error) ----- */

/* "/", the filter text, Enter (picks the selected customer at once): the status bar (row 0)
 * then names the customer. */
bool pccart_pick_customer(Pccart *pccart, const char *filter, const char *name);
/* "a", then in the catalog browser: search product, Enter, search SKU, Enter, search term (NULL:
 * the first), Enter: the line form is open ("New line:"). */
bool pccart_browse_to_form(Pccart *pccart, const char *product, const char *sku, const char *term);
/* Moves the form's cursor (Tab) to the field labelled label ("› label" on screen). */
bool pccart_form_focus(Pccart *pccart, const char *label);
/* Focuses the field, clears it (C-u) and types text. */
bool pccart_form_type(Pccart *pccart, const char *label, const char *text);
/* C-s: the form closes and the line is in the cart. */
bool pccart_form_submit(Pccart *pccart);
/* Sends keys and waits for the idle signal. */
bool pccart_keys(Pccart *pccart, const char *keys);

/* Reads a whole file (caller frees); NULL when it cannot. */
char *pccart_read_file(const char *path);

#endif
