/* The TUI: the interactive app on ncurses (wide), on the app-state model and the worker. */
#ifndef PCCART_UI_H
#define PCCART_UI_H

#include <stdbool.h>
#include <stdio.h>

#include "config/config.h"
#include "pc/client.h"
#include "pc/log.h"

/* Exit statuses of ui_run, the same numbers as the CLI's (cli/cli.h). */
enum {
  UI_EXIT_OK = 0,
  UI_EXIT_FAILURE = 1, /* the terminal or the worker could not be set up */
  UI_EXIT_CONFIG = 3,  /* a bad key binding or theme in the configuration */
};

/* What main hands the TUI. */
typedef struct UiContext {
  const PcSettings *settings; /* for the worker's client */
  const char *profile_name;
  bool is_live;         /* LIVE Partner Center; else a sandbox (the status bar says which) */
  const Config *config; /* ui.theme, ui.mouse, ui.keys (with their file and lines) */
  PcLog *log;           /* may be NULL */
  /* The local state store (journal, autosave, history, recent carts); NULL: none. */
  const char *state_path;
  /* PCCART_TEST_HOOKS=1: after each repaint with no job in flight, the app sets the terminal
   * title to "pccart-idle:<frame>" (OSC 2), an exact signal that tests wait on instead of
   * sleeping. */
  bool test_hooks;
} UiContext;

/* Runs the TUI until the user quits; returns a UI_EXIT_* status. A configuration problem (a key
 * binding or theme) is reported on stderr, naming the file, line and setting, before the
 * screen is touched. */
int ui_run(const UiContext *context);

/* The key bindings from the action table (the defaults): a plain table, or (man) the roff text
 * of the man page's KEYS section. docs/pccart.1 contains exactly the man form (a test checks). */
void ui_print_keys(FILE *out, bool man);

#endif
