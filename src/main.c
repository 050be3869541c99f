/* pccart: reads the global options and the configuration, chooses the profile, starts the
 * in-process sandbox when that profile is the sandbox, and hands a ready client setup to the TUI
 * (no command) or to the command-line mode (a command). */
#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/config.h"
#include "pc/client.h"
#include "pc/log.h"
#include "sandbox/sandbox.h"
#include "state/state.h"
#ifdef PCC_HAVE_UI
#include "ui/ui.h"
#endif

/* The tenant the in-process sandbox is asked for tokens with (it accepts any). */
#define SANDBOX_TENANT "sandbox.onmicrosoft.com"

typedef struct Options {
  const char *config_path;
  const char *profile_name;
  const char *log_path;
  const char *log_level;
  const char *scenario; /* overrides the sandbox profile's */
  int command_index;    /* argv index of the verb; 0 when none */
  bool help;
  bool version;
} Options;

static void usage(FILE *out) {
  fprintf(out,
          "Usage: pccart [OPTIONS]                    the interactive app\n"
          "       pccart [OPTIONS] COMMAND [ARGS...]  a command, for scripts\n"
          "       pccart help keys [--man]            the interactive app's keys\n"
          "\n"
          "Build Partner Center carts, review exactly what will be sent, and check them out.\n"
          "With no configuration every command runs against an in-process pccart-sandbox,\n"
          "where nothing real is ordered.\n"
          "\n"
          "Options (before the command):\n"
          "  --config FILE       the configuration file (default $XDG_CONFIG_HOME/pccart/config)\n"
          "  --profile NAME      the profile to use (default: the file's default_profile,\n"
          "                      else \"sandbox\")\n"
          "  --scenario NAME     the in-process sandbox's training scenario\n"
          "  --log FILE          append a log to FILE (\"-\" for stderr); secrets are redacted\n"
          "  --log-level LEVEL   error, warn, info (default) or debug\n"
          "  --help              this text; `pccart COMMAND --help` for a command's\n"
          "  --version           the version\n"
          "\n");
  cli_print_commands(out);
  fprintf(
      out,
      "\n"
      "Secrets never go on the command line: a live profile's client secret comes from\n"
      "$PCCART_CLIENT_SECRET or the profile's client_secret_file. See docs/configuration.md.\n");
}

/* Global options stop at the first argument that is not one (the verb). */
static int parse_options(int argc, char **argv, Options *options) {
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    const char **value = NULL;
    if (strcmp(arg, "--config") == 0)
      value = &options->config_path;
    else if (strcmp(arg, "--profile") == 0)
      value = &options->profile_name;
    else if (strcmp(arg, "--log") == 0)
      value = &options->log_path;
    else if (strcmp(arg, "--log-level") == 0)
      value = &options->log_level;
    else if (strcmp(arg, "--scenario") == 0)
      value = &options->scenario;
    else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
      options->help = true;
    else if (strcmp(arg, "--version") == 0)
      options->version = true;
    else if (strcmp(arg, "--client-secret") == 0 || strcmp(arg, "--refresh-token") == 0) {
      fprintf(stderr,
              "pccart: %s is not an option: secrets on a command line can be read by every user "
              "of this machine. Use $PCCART_CLIENT_SECRET / $PCCART_REFRESH_TOKEN or a secret "
              "file named in the profile (docs/configuration.md).\n",
              arg);
      return CLI_EXIT_USAGE;
    } else if (arg[0] == '-' && arg[1]) {
      fprintf(stderr, "pccart: unknown option %s (try pccart --help)\n", arg);
      return CLI_EXIT_USAGE;
    } else {
      options->command_index = i;
      return CLI_EXIT_OK;
    }
    if (value) {
      if (i + 1 >= argc) {
        fprintf(stderr, "pccart: %s needs a value (try pccart --help)\n", arg);
        return CLI_EXIT_USAGE;
      }
      *value = argv[++i];
    }
  }
  return CLI_EXIT_OK;
}

/* A command asked only for its help needs no client (and no sandbox). */
static bool wants_help_only(int argc, char **argv, int from) {
  if (strcmp(argv[0], "help") == 0)
    return true;
  for (int i = from; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
      return true;
  return false;
}

typedef struct Session {
  char *state_path;         /* the local state store; NULL when no home directory is known */
  char *sandbox_state_file; /* the in-process sandbox's (the profile's, or the default) */
  Config config;
  ProfileSecrets secrets;
  PcSettings settings;
  PcLog *log;
  Sandbox *sandbox;
  char authority[300]; /* the in-process sandbox's "URL/" */
} Session;

static void session_close(Session *session) {
  sandbox_stop(session->sandbox);
  free(session->state_path);
  free(session->sandbox_state_file);
  profile_secrets_clear(&session->secrets);
  config_clear(&session->config);
  pc_log_close(session->log);
}

static int open_log(const Options *options, Session *session) {
  const char *path = options->log_path ? options->log_path : session->config.log_file;
  PcLogLevel level = session->config.log_level;
  if (options->log_level && !pc_log_level_parse(options->log_level, &level)) {
    fprintf(stderr, "pccart: --log-level wants error, warn, info or debug, got \"%s\"\n",
            options->log_level);
    return CLI_EXIT_USAGE;
  }
  if (!path)
    return CLI_EXIT_OK;
  char err[512];
  session->log = pc_log_open(path, level, err, sizeof err);
  if (!session->log) {
    fprintf(stderr, "pccart: %s\n", err);
    return CLI_EXIT_CONFIG;
  }
  return CLI_EXIT_OK;
}

/* Starts the in-process sandbox for the sandbox profile and points the settings at it. */
/* Without a state file of its own the in-process sandbox keeps its carts beside the state
 * store, so that one command's cart is there for the next command and the app. */
static void sandbox_state_path(const Profile *profile, Session *session) {
  char err[512];
  if (profile->state_file) {
    session->sandbox_state_file = strdup(profile->state_file);
    return;
  }
  char *dir = state_default_dir();
  size_t n = dir ? strlen(dir) + sizeof "/sandbox-state.json" : 0;
  if (dir && state_make_dir(dir, err, sizeof err) && (session->sandbox_state_file = malloc(n)))
    snprintf(session->sandbox_state_file, n, "%s/sandbox-state.json", dir);
  else if (dir)
    fprintf(stderr, "pccart: %s; the in-process sandbox keeps its carts in memory only\n", err);
  free(dir);
}

static int start_sandbox(const Options *options, const Profile *profile, Session *session) {
  const char *scenario = options->scenario ? options->scenario : profile->scenario;
  if (scenario && !sandbox_scenario_find(scenario)) {
    fprintf(stderr, "pccart: ");
    if (!options->scenario && profile->file && profile->scenario_line)
      fprintf(stderr, "%s:%d: profiles.%s.scenario: ", profile->file, profile->scenario_line,
              profile->name);
    fprintf(stderr, "unknown scenario \"%s\"; the scenarios are:", scenario);
    for (size_t i = 0; i < sandbox_scenario_count(); i++)
      fprintf(stderr, "%s %s", i ? "," : "", sandbox_scenario_at(i)->name);
    fprintf(stderr, "\n");
    return options->scenario ? CLI_EXIT_USAGE : CLI_EXIT_CONFIG;
  }
  char err[512];
  sandbox_state_path(profile, session);
  SandboxOptions sandbox_options = {
      .customers = profile->customers,
      .scenario = scenario,
      .state_file = session->sandbox_state_file,
  };
  session->sandbox = sandbox_start(&sandbox_options, err, sizeof err);
  if (!session->sandbox && sandbox_options.state_file && !profile->state_file) {
    /* The shared default state is damaged (or its directory unusable): this run still works,
     * in memory, and says how to start afresh. The file is left as it is. */
    fprintf(stderr,
            "pccart: the in-process sandbox cannot use its saved carts (%s); this run keeps its "
            "carts in memory only. `pccart sandbox reset` starts it afresh (it empties that "
            "file).\n",
            err);
    sandbox_options.state_file = NULL;
    session->sandbox = sandbox_start(&sandbox_options, err, sizeof err);
  }
  if (!session->sandbox) {
    fprintf(stderr, "pccart: cannot start the in-process sandbox: %s\n", err);
    return CLI_EXIT_FAILURE;
  }
  snprintf(session->authority, sizeof session->authority, "%s/", sandbox_url(session->sandbox));
  session->settings.api_base = sandbox_url(session->sandbox);
  session->settings.authority = session->authority;
  if (!session->settings.tenant)
    session->settings.tenant = SANDBOX_TENANT;
  fprintf(stderr,
          "pccart: profile \"%s\": the in-process sandbox at %s (scenario %s); nothing real is "
          "ordered\n",
          profile->name, sandbox_url(session->sandbox), scenario ? scenario : "default");
  return CLI_EXIT_OK;
}

/* local: a command that needs no service (the history, resetting the sandbox's state): the
 * configuration and the profile only; no secret is read and no sandbox started. */
static int open_session(const Options *options, Session *session, bool local) {
  session->state_path = state_default_path();
  ConfigError config_error = {{0}};
  if (!config_load(options->config_path, &session->config, &config_error)) {
    fprintf(stderr, "pccart: %s\n", config_error.message);
    return CLI_EXIT_CONFIG;
  }
  int status = open_log(options, session);
  if (status != CLI_EXIT_OK)
    return status;
  const Profile *profile = config_find_profile(&session->config, options->profile_name);
  if (!profile) {
    fprintf(stderr, "pccart: there is no profile \"%s\"; the profiles are:",
            options->profile_name ? options->profile_name : session->config.default_profile);
    for (size_t i = 0; i < session->config.profile_count; i++)
      fprintf(stderr, "%s %s", i ? "," : "", session->config.profiles[i].name);
    if (session->config.path)
      fprintf(stderr, " (in %s)", session->config.path);
    fprintf(stderr, "\n");
    return CLI_EXIT_CONFIG;
  }
  if (local) {
    if (profile->kind == PROFILE_SANDBOX)
      sandbox_state_path(profile, session);
    return CLI_EXIT_OK;
  }
  if (!profile_load_secrets(profile, &session->secrets, &config_error)) {
    fprintf(stderr, "pccart: %s\n", config_error.message);
    return CLI_EXIT_CONFIG;
  }
  profile_to_settings(profile, &session->secrets, &session->settings);
  bool sandbox = profile->kind != PROFILE_LIVE;
  if (sandbox) {
    /* The sandbox's well-known credentials, unless the profile names its own. */
    if (!session->settings.client_id)
      session->settings.client_id = SANDBOX_CLIENT_ID;
    if (!session->settings.client_secret)
      session->settings.client_secret = SANDBOX_CLIENT_SECRET;
    if (!session->settings.refresh_token)
      session->settings.refresh_token = SANDBOX_REFRESH_TOKEN;
    if (!session->settings.tenant)
      session->settings.tenant = SANDBOX_TENANT;
  }
  if (profile->kind == PROFILE_SANDBOX) {
    status = start_sandbox(options, profile, session);
    if (status != CLI_EXIT_OK)
      return status;
  } else if (options->scenario) {
    fprintf(stderr, "pccart: --scenario applies to the in-process sandbox; profile \"%s\" is %s\n",
            profile->name, profile_kind_name(profile->kind));
    return CLI_EXIT_USAGE;
  } else if (profile->kind == PROFILE_SANDBOX_EXTERNAL) {
    fprintf(stderr, "pccart: profile \"%s\": the sandbox at %s; nothing real is ordered\n",
            profile->name, profile->url);
  } else {
    /* Only a live profile is worth a reminder on every run: it orders real things. */
    fprintf(stderr, "pccart: profile \"%s\": LIVE Partner Center (%s)\n", profile->name,
            profile->api_base ? profile->api_base : pc_cloud_api_base(profile->cloud));
  }
  pc_log_add_secret(session->log, session->secrets.client_secret);
  pc_log_add_secret(session->log, session->secrets.refresh_token);
  session->settings.log = session->log;
  pc_log_write(session->log, PC_LOG_INFO, "pccart %s: profile %s (%s)", PCCART_VERSION,
               profile->name, profile_kind_name(profile->kind));
  return CLI_EXIT_OK;
}

/* What every run that talks to Partner Center needs first. A write to a closed pipe
 * (pccart ... | head) must be an error, not a silent death; libcurl is set up once, before any
 * thread. */
static bool network_init(void) {
  signal(SIGPIPE, SIG_IGN);
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    fprintf(stderr, "pccart: libcurl could not be initialised\n");
    return false;
  }
  return true;
}

/* `pccart help keys [--man]`: the TUI's keys from its action table. */
static int print_keys(int argc, char **argv) {
  bool man = argc == 1 && strcmp(argv[0], "--man") == 0;
  if (argc > 1 || (argc == 1 && !man)) {
    fprintf(stderr, "pccart: usage: pccart help keys [--man]\n");
    return CLI_EXIT_USAGE;
  }
#ifdef PCC_HAVE_UI
  ui_print_keys(stdout, man);
  return CLI_EXIT_OK;
#else
  fprintf(stderr, "pccart: this build has no interactive app\n");
  return CLI_EXIT_FAILURE;
#endif
}

/* No command: the interactive app, on the same profile and client setup as the commands. */
static int run_tui(const Options *options) {
#ifdef PCC_HAVE_UI
  if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
    fprintf(stderr, "pccart: the interactive app needs a terminal; in scripts use a command "
                    "(pccart --help lists them)\n");
    return CLI_EXIT_USAGE;
  }
  if (!network_init())
    return CLI_EXIT_FAILURE;
  Session session = {0};
  int status = open_session(options, &session, false);
  const char *log_path = options->log_path ? options->log_path : session.config.log_file;
  if (status == CLI_EXIT_OK && log_path && strcmp(log_path, "-") == 0) {
    fprintf(stderr, "pccart: the interactive app cannot log to stderr (\"-\"): it would write "
                    "over the screen; give the log a file name\n");
    status = CLI_EXIT_USAGE;
  }
  if (status == CLI_EXIT_OK) {
    const Profile *profile = config_find_profile(&session.config, options->profile_name);
    const char *hooks = getenv("PCCART_TEST_HOOKS");
    UiContext context = {
        .settings = &session.settings,
        .profile_name = profile->name,
        .is_live = profile->kind == PROFILE_LIVE,
        .config = &session.config,
        .log = session.log,
        .state_path = session.state_path,
        .test_hooks = hooks && strcmp(hooks, "1") == 0,
    };
    status = ui_run(&context);
  }
  session_close(&session);
  curl_global_cleanup();
  return status;
#else
  (void)options;
  usage(stderr);
  return CLI_EXIT_USAGE;
#endif
}

/* A core dump would hold the client secret, the refresh token and the access token in clear:
 * none is written, and no other process of this user may read this one's memory. */
static void no_core_dumps(void) {
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int main(int argc, char **argv) {
  no_core_dumps();
  Options options = {0};
  int status = parse_options(argc, argv, &options);
  if (status != CLI_EXIT_OK)
    return status;
  if (options.version) {
    printf("pccart %s\n", PCCART_VERSION);
    return CLI_EXIT_OK;
  }
  if (options.help) {
    usage(stdout);
    return CLI_EXIT_OK;
  }
  if (!options.command_index)
    return run_tui(&options);
  if (strcmp(argv[options.command_index], "help") == 0 && options.command_index + 1 < argc &&
      strcmp(argv[options.command_index + 1], "keys") == 0)
    return print_keys(argc - options.command_index - 2, argv + options.command_index + 2);
  int command_argc = argc - options.command_index;
  char **command_argv = argv + options.command_index;
  if (!cli_is_command(command_argv[0])) {
    fprintf(stderr, "pccart: unknown command \"%s\" (try pccart --help)\n", command_argv[0]);
    return CLI_EXIT_USAGE;
  }

  if (!network_init())
    return CLI_EXIT_FAILURE;
  Session session = {0};
  PcSettings no_settings = {0};
  CliContext context = {
      .settings = &no_settings,
      .profile_name = CONFIG_SANDBOX_PROFILE,
      .is_sandbox = true,
      .out = stdout,
      .err = stderr,
      .in = stdin,
      .interactive = isatty(STDIN_FILENO) == 1,
  };
  if (!wants_help_only(command_argc, command_argv, 1)) {
    status = open_session(&options, &session, !cli_needs_service(command_argc, command_argv));
    if (status == CLI_EXIT_OK) {
      const Profile *profile = config_find_profile(&session.config, options.profile_name);
      context.settings = &session.settings;
      context.profile_name = profile->name;
      context.is_sandbox = profile->kind != PROFILE_LIVE;
      context.log = session.log;
      context.state_path = session.state_path;
      context.sandbox_state_file = session.sandbox_state_file;
      context.reset_sandbox_state = sandbox_state_reset;
    }
  }
  if (status == CLI_EXIT_OK)
    status = cli_run(&context, command_argc, command_argv);
  if (fflush(stdout) != 0 && status == CLI_EXIT_OK) {
    fprintf(stderr, "pccart: could not write the output: %s\n", strerror(errno));
    status = CLI_EXIT_FAILURE;
  }
  session_close(&session);
  curl_global_cleanup();
  return status;
}
