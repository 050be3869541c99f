/* The command-line mode's front: verbs and their help, the option parser, one client per run,
 * and the way every failure is told (a sentence, then the service's identifiers). */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_internal.h"

typedef struct CliNoun {
  const char *name;
  const char *summary;
  const CliCommand *commands;
} CliNoun;

static const CliNoun nouns[] = {
    {"customers", "find customers and show one with its subscriptions", cli_customers_commands},
    {"catalog", "browse products, SKUs, availabilities and offers; export the catalog",
     cli_catalog_commands},
    {"cart", "create, show, update, validate and check out carts", cli_cart_commands},
    {"history", "every cart submitted and checked out, newest first", cli_history_commands},
    {"recover", "settle interrupted submissions; list autosaved carts", cli_recover_commands},
    {"sandbox", "the in-process sandbox's saved state", cli_sandbox_commands},
};
#define NOUN_COUNT (sizeof nouns / sizeof *nouns)

static const struct {
  int code;
  const char *meaning;
} exit_codes[] = {
    {CLI_EXIT_OK, "success"},
    {CLI_EXIT_FAILURE, "Partner Center refused or failed (HTTP error, network, timeout)"},
    {CLI_EXIT_USAGE, "bad command line, or a bad input file"},
    {CLI_EXIT_CONFIG, "the configuration or a secret could not be used"},
    {CLI_EXIT_INVALID, "validation found problems, or a cart came back with line errors"},
    {CLI_EXIT_DECLINED, "a checkout was not confirmed"},
    {CLI_EXIT_PARTIAL, "checkout: some order groups failed, the others were ordered"},
    {CLI_EXIT_UNKNOWN, "the outcome of a create, update or checkout is unknown (the reply was "
                       "lost; repeat with the --request-id printed)"},
};

static const CliNoun *noun_find(const char *name) {
  for (size_t i = 0; name && i < NOUN_COUNT; i++) {
    if (strcmp(nouns[i].name, name) == 0) {
      return &nouns[i];
    }
  }
  return NULL;
}

bool cli_needs_service(int argc, char **argv) {
  const CliNoun *noun = argc >= 1 && argv ? noun_find(argv[0]) : NULL;
  if (!noun) {
    return true;
  }
  for (const CliCommand *c = noun->commands; c->noun; c++) {
    if (c->verb[0] == '\0' || (argc >= 2 && strcmp(c->verb, argv[1]) == 0)) {
      return !c->local;
    }
  }
  return true;
}

bool cli_is_command(const char *name) {
  return name && (noun_find(name) || strcmp(name, "help") == 0);
}

const char *cli_command_name(const CliCommand *command, char *buffer, size_t size) {
  snprintf(buffer, size, "%s%s%s", command->noun, command->verb[0] ? " " : "", command->verb);
  return buffer;
}

/* A noun that is a command by itself ("history"): its one command has no verb. */
static bool noun_is_command(const CliNoun *noun) {
  return noun->commands[0].noun && noun->commands[0].verb[0] == '\0';
}

void cli_print_commands(FILE *out) {
  fprintf(out, "Commands:\n");
  for (size_t i = 0; i < NOUN_COUNT; i++) {
    for (const CliCommand *c = nouns[i].commands; c->noun; c++) {
      char usage[96];
      cli_command_name(c, usage, sizeof usage);
      fprintf(out, "  %-24s %s\n", usage, c->summary);
    }
  }
  fprintf(out, "  %-24s %s\n", "help [COMMAND]",
          "these lists, the exit codes, or a command's help");
  fprintf(out, "Every command takes --help.\n");
}

static void print_exit_codes(FILE *out) {
  fprintf(out, "Exit codes:\n");
  for (size_t i = 0; i < sizeof exit_codes / sizeof *exit_codes; i++) {
    fprintf(out, "  %d  %s\n", exit_codes[i].code, exit_codes[i].meaning);
  }
}

static void print_noun_help(FILE *out, const CliNoun *noun) {
  fprintf(out, "pccart %s: %s\n\nCommands:\n", noun->name, noun->summary);
  for (const CliCommand *c = noun->commands; c->noun; c++) {
    fprintf(out, "  %s %-16s %s\n", c->noun, c->verb, c->summary);
  }
  fprintf(out, "\nRun `pccart %s COMMAND --help` for a command's options.\n", noun->name);
}

static void print_command_help(FILE *out, const CliCommand *c) {
  char name[96];
  fprintf(out, "Usage: pccart %s", cli_command_name(c, name, sizeof name));
  if (c->positionals) {
    fprintf(out, " %s", c->positionals);
  }
  for (size_t i = 0; i < CLI_MAX_OPTIONS && c->options[i].name; i++) {
    const CliOption *o = &c->options[i];
    if (o->value_name) {
      fprintf(out, " [%s %s]", o->name, o->value_name);
    } else {
      fprintf(out, " [%s]", o->name);
    }
  }
  fprintf(out, "\n\n%s\n", c->summary);
  if (c->details) {
    fprintf(out, "\n%s\n", c->details);
  }
  fprintf(out, "\nOptions:\n");
  for (size_t i = 0; i < CLI_MAX_OPTIONS && c->options[i].name; i++) {
    const CliOption *o = &c->options[i];
    char left[48];
    snprintf(left, sizeof left, "%s%s%s", o->name, o->value_name ? " " : "",
             o->value_name ? o->value_name : "");
    fprintf(out, "  %-22s %s\n", left, o->help);
  }
  fprintf(out, "  %-22s %s\n", "--help", "show this help");
}

/* ----- messages ----- */

/* Masks the configured secrets in text (in place is impossible: a new string). The client
 * never puts them in a message; this is the second lock on the door. */
static char *mask_secrets(const CliRun *run, const char *text) {
  const char *secrets[] = {run->settings.client_secret, run->settings.refresh_token};
  char *current = model_strdup(text ? text : "");
  for (size_t s = 0; current && s < sizeof secrets / sizeof *secrets; s++) {
    const char *secret = secrets[s];
    if (!secret || strlen(secret) < 4) {
      continue;
    }
    char *hit;
    while (current && (hit = strstr(current, secret)) != NULL) {
      const char *mask = "[REDACTED]";
      size_t before = (size_t)(hit - current);
      size_t after = strlen(hit + strlen(secret));
      char *next = malloc(before + strlen(mask) + after + 1);
      if (next) {
        memcpy(next, current, before);
        memcpy(next + before, mask, strlen(mask));
        memcpy(next + before + strlen(mask), hit + strlen(secret), after + 1);
      }
      free(current);
      current = next;
    }
  }
  return current;
}

static void vmessage(CliRun *run, const char *format, va_list args) {
  char buffer[2048];
  vsnprintf(buffer, sizeof buffer, format, args);
  char *masked = mask_secrets(run, buffer);
  char *clean = masked ? cli_clean(masked) : NULL;
  fprintf(run->context->err, "%s\n", clean ? clean : "pccart: out of memory");
  free(clean);
  free(masked);
}

void cli_message(CliRun *run, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vmessage(run, format, args);
  va_end(args);
}

int cli_usage_error(CliRun *run, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vmessage(run, format, args);
  va_end(args);
  if (run->command) {
    char name[96];
    fprintf(run->context->err, "Run `pccart %s --help` for its usage.\n",
            cli_command_name(run->command, name, sizeof name));
  } else {
    fprintf(run->context->err, "Run `pccart help` for the list of commands.\n");
  }
  return CLI_EXIT_USAGE;
}

int cli_no_memory(CliRun *run) {
  fprintf(run->context->err, "pccart ran out of memory.\n");
  return CLI_EXIT_FAILURE;
}

int cli_error_exit(const PcError *error) {
  switch (error->kind) {
  case PC_ERROR_AUTH:
    return CLI_EXIT_CONFIG;
  case PC_ERROR_INVALID:
    return CLI_EXIT_USAGE;
  default:
    return CLI_EXIT_FAILURE;
  }
}

int cli_report_error(CliRun *run, const PcError *error) {
  const char *sentence = error->message[0] ? error->message : NULL;
  char fallback[160];
  if (!sentence) {
    snprintf(fallback, sizeof fallback, "The call to Partner Center failed (%s).",
             pc_error_kind_name(error->kind));
    sentence = fallback;
  }
  cli_message(run, "%s", sentence);
  /* The second line is for whoever has to trace the call with Microsoft. */
  char details[512] = "";
  size_t n = 0;
  if (error->code_text) {
    n += (size_t)snprintf(details + n, sizeof details - n, "Partner Center code %s",
                          error->code_text);
  } else if (error->code) {
    n += (size_t)snprintf(details + n, sizeof details - n, "Partner Center code %ld", error->code);
  }
  if (error->http_status && n < sizeof details) {
    n += (size_t)snprintf(details + n, sizeof details - n, "%sHTTP %ld", n ? ", " : "",
                          error->http_status);
  }
  if (error->request_id[0] && n < sizeof details) {
    n += (size_t)snprintf(details + n, sizeof details - n, "%sMS-RequestId %s", n ? ", " : "",
                          error->request_id);
  }
  if (error->correlation_id[0] && n < sizeof details) {
    snprintf(details + n, sizeof details - n, "%sMS-CorrelationId %s", n ? ", " : "",
             error->correlation_id);
  }
  if (details[0]) {
    cli_message(run, "  (%s)", details);
  }
  return cli_error_exit(error);
}

static void on_retry(void *user, int attempt, long wait_ms, const PcError *why) {
  CliRun *run = user;
  const char *reason = why && why->message[0] ? why->message : "the call failed";
  cli_message(run, "Attempt %d failed: %s Retrying in %.1f s.", attempt, reason,
              (double)wait_ms / 1000.0);
}

StateStore *cli_store(CliRun *run) {
  if (run->store_tried) {
    return run->store;
  }
  run->store_tried = true;
  if (!run->context->state_path) {
    return NULL;
  }
  char err[512];
  run->store = state_open(run->context->state_path, err, sizeof err);
  if (!run->store) {
    /* The store's sentences mostly say so already. */
    cli_message(run, "pccart: %s%s", err,
                strstr(err, "are off") ? "" : " (Recovery and history are off for this run.)");
  }
  return run->store;
}

SubmitJournal cli_journal(CliRun *run) {
  SubmitJournal journal = {
      .store = cli_store(run),
      .profile = run->context->profile_name ? run->context->profile_name : "",
  };
  return journal;
}

static void on_resolve_wait(void *user, int check, long wait_ms, const PcError *why) {
  CliRun *run = user;
  const char *reason = why && why->message[0] ? why->message : "the outcome is not known yet";
  cli_message(run, "Not settled yet (check %d): %s Looking again in %.1f s.", check, reason,
              (double)wait_ms / 1000.0);
}

SubmitPolicy cli_submit_policy(CliRun *run) {
  SubmitPolicy policy = {
      .on_wait = on_resolve_wait,
      .on_wait_user = run,
      .settled = &run->reconciled.settled,
  };
  return policy;
}

/* Settles what earlier runs of this profile left unresolved, before this run sends anything,
 * and says what became of each. */
static void reconcile(CliRun *run) {
  run->reconcile_done = true;
  SubmitJournal journal = cli_journal(run);
  if (!journal.store) {
    return;
  }
  SubmitPolicy policy = cli_submit_policy(run);
  policy.settled = NULL;
  char err[512];
  if (!submit_reconcile(run->client, &journal, &policy, &run->reconciled, err, sizeof err)) {
    run->reconcile_failed = true;
    cli_message(run, "pccart: could not read the journal in %s: %s", state_path(journal.store),
                err);
    return;
  }
  for (size_t i = 0; i < run->reconciled.count; i++) {
    cli_message(run, "pccart: earlier run: %s", run->reconciled.items[i].summary);
  }
}

PcClient *cli_client(CliRun *run, int *exit_code) {
  if (run->client) {
    return run->client;
  }
  PcError error = {0};
  run->client = pc_client_new(&run->settings, &error);
  if (!run->client) {
    cli_report_error(run, &error);
    *exit_code = error.kind == PC_ERROR_NO_MEMORY ? CLI_EXIT_FAILURE : CLI_EXIT_CONFIG;
    pc_error_clear(&error);
    return NULL;
  }
  if (!run->reconcile_done) {
    reconcile(run);
  }
  return run->client;
}

void cli_note_cart(CliRun *run, const char *customer_id, const Cart *cart) {
  StateStore *store = cli_store(run);
  if (!store || !cart || !cart->id || !customer_id) {
    return;
  }
  char err[256];
  const char *status = cart_status_wire(cart->status);
  state_recent_cart_put(store, run->context->profile_name ? run->context->profile_name : "",
                        customer_id, cart->id, status ? status : "Active",
                        (long)cart->line_items.count, err, sizeof err);
}

void cli_format_time(int64_t ms, char *out, size_t size) {
  time_t seconds = (time_t)(ms / 1000);
  struct tm tm;
  if (ms <= 0 || !gmtime_r(&seconds, &tm) || strftime(out, size, "%Y-%m-%d %H:%M UTC", &tm) == 0) {
    snprintf(out, size, "-");
  }
}

/* ----- values ----- */

static int option_index(const CliCommand *command, const char *name) {
  for (int i = 0; i < CLI_MAX_OPTIONS && command->options[i].name; i++) {
    if (strcmp(command->options[i].name, name) == 0) {
      return i;
    }
  }
  return -1;
}

const char *cli_value(const CliRun *run, const char *option) {
  int i = option_index(run->command, option);
  return i < 0 ? NULL : run->values[i];
}

bool cli_flag(const CliRun *run, const char *option) {
  return cli_value(run, option) != NULL;
}

bool cli_parse_count(CliRun *run, const char *option, const char *text, long max, long *out) {
  char *end = NULL;
  errno = 0;
  long value = text ? strtol(text, &end, 10) : 0;
  if (!text || !*text || *end || errno || value < 1 || value > max) {
    cli_usage_error(run, "%s needs a whole number from 1 to %ld; \"%s\" is not one.", option, max,
                    text ? text : "");
    return false;
  }
  *out = value;
  return true;
}

int cli_print_json(CliRun *run, cJSON *json) {
  char *text = json ? model_json_print(json) : NULL;
  cJSON_Delete(json);
  if (!text) {
    return cli_no_memory(run);
  }
  fputs(text, run->context->out);
  free(text);
  return CLI_EXIT_OK;
}

char *cli_clean(const char *text) {
  char *copy = model_strdup(text ? text : "-");
  for (char *p = copy; p && *p; p++) {
    unsigned char c = (unsigned char)*p;
    /* Text from the service goes to a terminal: no escape sequences, no broken rows. C1
     * controls (U+0080..U+009F, UTF-8 C2 80..C2 9F; U+009B is a CSI to some terminals) become
     * two blanks, keeping the byte length. */
    if (c < 0x20 || c == 0x7f) {
      *p = ' ';
    } else if (c == 0xC2 && (unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9F) {
      p[0] = ' ';
      p[1] = ' ';
      p++;
    }
  }
  return copy;
}

/* ----- parsing ----- */

static int parse_arguments(CliRun *run, int argc, char **argv, bool *help) {
  const CliCommand *command = run->command;
  bool options_done = false;
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    if (!options_done && strcmp(arg, "--") == 0) {
      options_done = true;
      continue;
    }
    if (!options_done && (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)) {
      *help = true;
      continue;
    }
    if (!options_done && arg[0] == '-' && arg[1] != '\0') {
      char name[64];
      const char *equals = strchr(arg, '=');
      size_t length = equals ? (size_t)(equals - arg) : strlen(arg);
      if (length >= sizeof name) {
        length = sizeof name - 1;
      }
      memcpy(name, arg, length);
      name[length] = '\0';
      int index = option_index(command, name);
      if (index < 0) {
        char full[96];
        return cli_usage_error(run, "`pccart %s` has no option %s.",
                               cli_command_name(command, full, sizeof full), name);
      }
      const CliOption *option = &command->options[index];
      if (run->values[index]) {
        return cli_usage_error(run, "%s is given twice.", option->name);
      }
      if (!option->value_name) {
        if (equals) {
          return cli_usage_error(run, "%s takes no value.", option->name);
        }
        run->values[index] = "";
      } else if (equals) {
        run->values[index] = equals + 1;
      } else if (i + 1 < argc) {
        run->values[index] = argv[++i];
      } else {
        return cli_usage_error(run, "%s needs a value (%s).", option->name, option->value_name);
      }
      if (option->value_name && run->values[index][0] == '\0') {
        return cli_usage_error(run, "%s needs a value (%s), not an empty one.", option->name,
                               option->value_name);
      }
      continue;
    }
    if (run->positional_count >= command->max_positionals) {
      char full[96];
      return cli_usage_error(run, "Unexpected argument \"%s\": `pccart %s` takes %s.", arg,
                             cli_command_name(command, full, sizeof full),
                             command->positionals ? command->positionals : "no arguments");
    }
    run->positionals[run->positional_count++] = arg;
  }
  if (!*help && run->positional_count < command->min_positionals) {
    char full[96];
    return cli_usage_error(run, "`pccart %s` needs %s.",
                           cli_command_name(command, full, sizeof full), command->positionals);
  }
  return CLI_EXIT_OK;
}

static int run_help(CliRun *run, int argc, char **argv) {
  FILE *out = run->context->out;
  if (argc < 2) {
    fprintf(out, "Usage: pccart [global options] COMMAND [options]\n\n");
    cli_print_commands(out);
    fputc('\n', out);
    print_exit_codes(out);
    return CLI_EXIT_OK;
  }
  const CliNoun *noun = noun_find(argv[1]);
  if (!noun) {
    return cli_usage_error(run, "There is no command \"%s\".", argv[1]);
  }
  if (noun_is_command(noun)) {
    print_command_help(out, &noun->commands[0]);
    return CLI_EXIT_OK;
  }
  if (argc < 3) {
    print_noun_help(out, noun);
    return CLI_EXIT_OK;
  }
  for (const CliCommand *c = noun->commands; c->noun; c++) {
    if (strcmp(c->verb, argv[2]) == 0) {
      print_command_help(out, c);
      return CLI_EXIT_OK;
    }
  }
  return cli_usage_error(run, "`pccart %s` has no command \"%s\".", noun->name, argv[2]);
}

int cli_run(const CliContext *context, int argc, char **argv) {
  if (!context || !context->out || !context->err) {
    return CLI_EXIT_USAGE;
  }
  CliRun run = {.context = context};
  if (context->settings) {
    run.settings = *context->settings;
  }
  if (!run.settings.log) {
    run.settings.log = context->log;
  }
  if (!run.settings.on_retry) {
    run.settings.on_retry = on_retry;
    run.settings.on_retry_user = &run;
  }
  if (argc < 1 || !argv || !argv[0]) {
    return cli_usage_error(&run, "No command given.");
  }
  if (strcmp(argv[0], "help") == 0) {
    return run_help(&run, argc, argv);
  }
  const CliNoun *noun = noun_find(argv[0]);
  if (!noun) {
    return cli_usage_error(&run, "There is no command \"%s\".", argv[0]);
  }
  int first_argument = 2;
  if (noun_is_command(noun)) {
    run.command = &noun->commands[0];
    first_argument = 1;
  } else if (argc < 2) {
    fprintf(context->err, "`pccart %s` needs a command.\n", noun->name);
    print_noun_help(context->err, noun);
    return CLI_EXIT_USAGE;
  } else if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    print_noun_help(context->out, noun);
    return CLI_EXIT_OK;
  }
  for (const CliCommand *c = noun->commands; !run.command && c->noun; c++) {
    if (strcmp(c->verb, argv[1]) == 0) {
      run.command = c;
    }
  }
  if (!run.command) {
    fprintf(context->err, "`pccart %s` has no command \"%s\".\n", noun->name, argv[1]);
    print_noun_help(context->err, noun);
    return CLI_EXIT_USAGE;
  }
  bool help = false;
  int code = parse_arguments(&run, argc - first_argument, argv + first_argument, &help);
  if (code != CLI_EXIT_OK) {
    return code;
  }
  if (help) {
    print_command_help(context->out, run.command);
    return CLI_EXIT_OK;
  }
  if (!context->settings) {
    fprintf(context->err, "pccart has no Partner Center settings to work with.\n");
    return CLI_EXIT_CONFIG;
  }
  if (context->log) {
    /* The client registers them too; a log line the CLI causes must not depend on that. */
    if (context->settings->client_secret) {
      pc_log_add_secret(context->log, context->settings->client_secret);
    }
    if (context->settings->refresh_token) {
      pc_log_add_secret(context->log, context->settings->refresh_token);
    }
  }
  char name[96];
  cli_command_name(run.command, name, sizeof name);
  pc_log_write(context->log, PC_LOG_INFO, "cli: pccart %s (profile %s)", name,
               context->profile_name ? context->profile_name : "-");
  code = run.command->run(&run);
  pc_log_write(context->log, code == CLI_EXIT_OK ? PC_LOG_INFO : PC_LOG_WARN,
               "cli: pccart %s exited %d", name, code);
  pc_client_free(run.client);
  reconcile_report_clear(&run.reconciled);
  state_close(run.store);
  return code;
}
