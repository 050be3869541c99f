/* What the CLI's command files share: the command table, the option parser's results, one
 * client per run, error reporting, aligned tables, and reading cart and catalog files. */
#ifndef PCCART_CLI_INTERNAL_H
#define PCCART_CLI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "app/submit.h"
#include "cli/cli.h"
#include "model/cart.h"
#include "model/catalog.h"
#include "model/validate.h"

#define CLI_MAX_OPTIONS 8
#define CLI_MAX_POSITIONALS 4

typedef struct CliOption {
  const char *name;       /* "--limit" */
  const char *value_name; /* "N"; NULL for a flag */
  const char *help;
} CliOption;

typedef struct CliRun CliRun;

typedef struct CliCommand {
  const char *noun;        /* "cart" */
  const char *verb;        /* "create"; "" for a noun that is a command by itself ("history") */
  const char *positionals; /* "CART_ID FILE" for the usage line; NULL for none */
  int min_positionals;
  int max_positionals;
  const char *summary;
  const char *details; /* a paragraph for --help; NULL for none */
  CliOption options[CLI_MAX_OPTIONS];
  int (*run)(CliRun *run);
  bool local; /* needs no service: no secret is read, no sandbox started */
} CliCommand;

struct CliRun {
  const CliContext *context;
  const CliCommand *command;
  const char *values[CLI_MAX_OPTIONS]; /* the option's value, or "" for a flag given */
  const char *positionals[CLI_MAX_POSITIONALS];
  int positional_count;
  PcClient *client;    /* made on first use by cli_client */
  PcSettings settings; /* a copy of the context's, with the CLI's retry observer */
  StateStore *store;   /* opened on first use by cli_store; NULL when it could not be */
  bool store_tried;
  /* What the reconciliation at this run's start (the first cli_client) did. */
  ReconcileReport reconciled;
  bool reconcile_done;
  bool reconcile_failed; /* the journal could not be read */
};

/* The command tables of each noun, ended by an entry whose noun is NULL. */
extern const CliCommand cli_customers_commands[];
extern const CliCommand cli_catalog_commands[];
extern const CliCommand cli_cart_commands[];
extern const CliCommand cli_history_commands[];
extern const CliCommand cli_recover_commands[];
extern const CliCommand cli_sandbox_commands[];

/* "cart create", "history": how the command is typed after `pccart`. */
const char *cli_command_name(const CliCommand *command, char *buffer, size_t size);

/* The option's value, NULL when it was not given (a flag given reads as ""). */
const char *cli_value(const CliRun *run, const char *option);
bool cli_flag(const CliRun *run, const char *option);

/* A usage problem: the sentence on err and a hint to --help; returns CLI_EXIT_USAGE. */
int cli_usage_error(CliRun *run, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* A plain message on err (newline added), secrets masked. */
void cli_message(CliRun *run, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* The client, created on first use; NULL after reporting why (*exit_code set). Its creation
 * first settles what earlier runs of this profile left unresolved in the journal (told on
 * err; kept in run->reconciled). */
PcClient *cli_client(CliRun *run, int *exit_code);
/* The state store, opened on first use; NULL (said once on err: recovery and history are
 * off) when there is none or it cannot be used. */
StateStore *cli_store(CliRun *run);
/* The journal for submissions through app/submit.h. */
SubmitJournal cli_journal(CliRun *run);
/* The policy for submissions: the retry observer's messages while settling, and what this
 * run's reconciliation settled (for adopting its request ids). */
SubmitPolicy cli_submit_policy(CliRun *run);
/* Records that a cart was seen (for the app's recent-carts list); quiet on failure. */
void cli_note_cart(CliRun *run, const char *customer_id, const Cart *cart);
/* "2026-12-02 16:40 UTC" for a time in milliseconds. */
void cli_format_time(int64_t ms, char *out, size_t size);
/* Reports a failed call (sentence, then code/status/ids) and returns its exit code. */
int cli_report_error(CliRun *run, const PcError *error);
/* The exit code a failed call means. */
int cli_error_exit(const PcError *error);

/* A positive count from text ("--limit"); false with a usage message otherwise. */
bool cli_parse_count(CliRun *run, const char *option, const char *text, long max, long *out);

/* Prints model JSON (takes json) to out; CLI_EXIT_OK, or CLI_EXIT_FAILURE when out of memory. */
int cli_print_json(CliRun *run, cJSON *json);
/* Out of memory, said once. */
int cli_no_memory(CliRun *run);

/* Text safe for a terminal: control characters become spaces, NULL becomes "-". Returns a
 * new string (NULL when out of memory). */
char *cli_clean(const char *text);

/* ----- aligned tables ----- */

typedef struct CliTable CliTable;

CliTable *cli_table_new(size_t columns, const char *const *headers);
/* Adds a row of `columns` cells (NULL shows "-"); false when out of memory. */
bool cli_table_add(CliTable *table, const char *const *cells);
size_t cli_table_rows(const CliTable *table);
/* Prints with columns padded to their widest cell (in characters), two spaces apart; the
 * header line first. An empty table prints the header only. */
void cli_table_print(const CliTable *table, FILE *out, const char *indent);
void cli_table_free(CliTable *table);

/* ----- input files ----- */

/* A cart read from a file, with where each line item sits in the file's text, so problems
 * can name a file line. */
typedef struct CartFile {
  char *name; /* as given, "-" shown as "standard input" */
  char *text; /* annotations blanked out, positions kept */
  Cart *cart;
} CartFile;

/* Reads path ("-": the context's `in`), accepts the documents' annotations, PascalCase and full
 * carts. On failure a sentence naming the file (and for bad JSON, the line and column) is
 * printed and CLI_EXIT_USAGE returned. */
int cart_file_load(CliRun *run, const char *path, CartFile *file);
void cart_file_clear(CartFile *file);
/* The 1-based line in the file where line item `line_index` (add-on `addon_index`, or -1)
 * starts, or its member `field` ("provisioningContext.scope"); 0 when unknown. */
int cart_file_line_of(const CartFile *file, long line_index, long addon_index, const char *field);

/* Reads the whole of path ("-": the context's `in`) into a NUL-terminated string. */
int cli_read_file(CliRun *run, const char *path, const char *what, char **text);

/* Catalog export files (`catalog export`, `cart validate --catalog`) hold catalog_to_json. */
/* Reads an exported catalog file (path "-": the context's `in`); on failure a sentence naming
 * the file is printed and CLI_EXIT_USAGE returned. */
int catalog_file_load(CliRun *run, const char *path, Catalog **out);

/* ----- shared printing ----- */

/* The cart's header and its lines (human form) on out; false when out of memory. */
bool cli_print_cart(CliRun *run, const Cart *cart, FILE *out);
/* True when any line (or add-on) carries an error. */
bool cli_cart_has_line_errors(const Cart *cart);

#endif
