/* The command-line mode: the non-interactive commands (customers, catalog, carts) for
 * scripts, reviewers and trainers, on the same client and serializer as the TUI. */
#ifndef PCCART_CLI_H
#define PCCART_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "pc/client.h"
#include "pc/log.h"

/* Exit codes (documented in README and `pccart help`). */
enum {
  CLI_EXIT_OK = 0,
  CLI_EXIT_FAILURE = 1,  /* the service refused or failed (HTTP error, network, timeout) */
  CLI_EXIT_USAGE = 2,    /* bad command line, or a bad input file */
  CLI_EXIT_CONFIG = 3,   /* the configuration or a secret could not be used */
  CLI_EXIT_INVALID = 4,  /* validate found problems; a cart came back with line errors */
  CLI_EXIT_DECLINED = 5, /* the user did not confirm a checkout */
  CLI_EXIT_PARTIAL = 6,  /* checkout: some order groups failed */
  CLI_EXIT_UNKNOWN = 7,  /* checkout: the outcome is unknown (reply lost); see the message */
};

/* What main hands the CLI: a client ready to use, and where it points. */
typedef struct CliContext {
  const PcSettings *settings; /* for pc_client_new */
  const char *profile_name;
  bool is_sandbox;  /* the sandbox profile (in-process or external) */
  PcLog *log;       /* may be NULL */
  FILE *out;        /* results (tables, or JSON with --json) */
  FILE *err;        /* messages */
  FILE *in;         /* answers to confirmations */
  bool interactive; /* `in` is a terminal: ask before checkout */
  /* The local state store (journal, history, autosaves); NULL: none (recovery is off). */
  const char *state_path;
  /* The in-process sandbox's state file, for `pccart sandbox reset`; NULL when the profile
   * has no in-process sandbox. */
  const char *sandbox_state_file;
  /* Empties that state file (main passes sandbox_state_reset: the CLI does not link the
   * sandbox); NULL when there is none. */
  bool (*reset_sandbox_state)(const char *state_file, char *err, size_t err_size);
} CliContext;

/* True when name is one of the CLI's verbs ("customers", "cart", ...). */
bool cli_is_command(const char *name);
/* Runs argv[0] (a verb) with its arguments; returns an exit code above. */
int cli_run(const CliContext *context, int argc, char **argv);
/* Whether the command (argv[0] a verb) talks to Partner Center: false for those that only
 * read local state (the history, resetting the sandbox's state), which need no secret and no
 * sandbox. True when unknown. */
bool cli_needs_service(int argc, char **argv);
/* The list of verbs with a line each (for `pccart --help`). */
void cli_print_commands(FILE *out);

#endif
