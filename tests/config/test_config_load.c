/* The configuration file: the default path, defaults, a full valid file, and every kind of
 * error with its exact file:line:setting message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "scratch.h"

/* A fresh directory per test, and an environment with no pccart variables. */
static int setup(void **state) {
  (void)state;
  return scratch_setup("config") ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  return scratch_teardown();
}

/* Writes text to the scratch directory (creating the directories on the way), mode 0600. */
static char *write_file(const char *name, const char *text) {
  return scratch_write(name, text, 0600);
}

/* Loads text as a --config file and expects failure with exactly "PATH" + suffix. */
static void expect_error(const char *text, const char *suffix) {
  char *path = write_file("config", text);
  Config config;
  ConfigError err;
  assert_false(config_load(path, &config, &err));
  char expected[1024];
  snprintf(expected, sizeof expected, "%s%s", path, suffix);
  assert_string_equal(err.message, expected);
  /* a failed load leaves nothing behind */
  assert_null(config.profiles);
  assert_int_equal(config.profile_count, 0);
  free(path);
}

static const char full_config[] =
    "# a full configuration\n"                                                         /* 1 */
    "default_profile = \"contoso\";\n"                                                 /* 2 */
    "log = { file = \"~/state/pccart.log\"; level = \"debug\"; };\n"                   /* 3 */
    "profiles = {\n"                                                                   /* 4 */
    "  sandbox = {\n"                                                                  /* 5 */
    "    scenario = \"throttled\";\n"                                                  /* 6 */
    "    customers = 500;\n"                                                           /* 7 */
    "    state_file = \"sandbox.state\";\n"                                            /* 8 */
    "    request_timeout = 5;\n"                                                       /* 9 */
    "  };\n"                                                                           /* 10 */
    "  training = { kind = \"sandbox\"; url = \"http://127.0.0.1:8470/\"; };\n"        /* 11 */
    "  contoso = {\n"                                                                  /* 12 */
    "    kind = \"live\"; cloud = \"usgov\";\n"                                        /* 13 */
    "    tenant = \"contoso.onmicrosoft.com\";\n"                                      /* 14 */
    "    client_id = \"11111111-2222-3333-4444-555555555555\";\n"                      /* 15 */
    "    auth = \"app+user\"; token_endpoint = \"v2\";\n"                              /* 16 */
    "    client_secret_file = \"~/.config/pccart/contoso.secret\";\n"                  /* 17 */
    "    refresh_token_file = \"/etc/pccart/contoso.refresh\";\n"                      /* 18 */
    "    locale = \"de-DE\"; country = \"de\"; ca_file = \"~\";\n"                     /* 19 */
    "    connect_timeout = 7; request_timeout = 45; checkout_timeout = 600;\n"         /* 20 */
    "  };\n"                                                                           /* 21 */
    "  fabrikam = { kind = \"live\"; tenant = \"f\"; client_id = \"c\";\n"             /* 22 */
    "    api_base = \"https://pc.example/\"; authority = \"https://login.example\";\n" /* 23 */
    "    resource = \"https://pc.example\"; connect_timeout = 1L;\n"                   /* 24 */
    "    request_timeout = 010; checkout_timeout = 0x1F; };\n"                         /* 25 */
    "};\n"                                                                             /* 26 */
    "ui = {\n"                                                                         /* 27 */
    "  theme = \"light\";\n"                                                           /* 28 */
    "  mouse = true;\n"                                                                /* 29 */
    "  keys = {\n"                                                                     /* 30 */
    "    add_line = \"a\";\n"                                                          /* 31 */
    "    checkout = [\"C\", \"F5\"];\n"                                                /* 32 */
    "    quit = ( \"q\" );\n"                                                          /* 33 */
    "  };\n"                                                                           /* 34 */
    "};\n";                                                                            /* 35 */

static void test_full_config(void **state) {
  (void)state;
  char *path = write_file("conf.d/pccart.cfg", full_config);
  Config config;
  ConfigError err;
  assert_true(config_load(path, &config, &err));
  assert_string_equal(config.path, path);
  assert_string_equal(config.default_profile, "contoso");
  char expected[512];

  snprintf(expected, sizeof expected, "%s/state/pccart.log", scratch_dir());
  assert_string_equal(config.log_file, expected);
  assert_int_equal(config.log_level, PC_LOG_DEBUG);

  assert_int_equal(config.profile_count, 4);
  const Profile *sandbox = &config.profiles[0];
  assert_string_equal(sandbox->name, "sandbox");
  assert_int_equal(sandbox->kind, PROFILE_SANDBOX);
  assert_string_equal(sandbox->file, path);
  assert_int_equal(sandbox->line, 5);
  assert_string_equal(sandbox->scenario, "throttled");
  assert_int_equal(sandbox->scenario_line, 6);
  assert_int_equal(sandbox->customers, 500);
  snprintf(expected, sizeof expected, "%s/conf.d/sandbox.state",
           scratch_dir()); /* beside the file */
  assert_string_equal(sandbox->state_file, expected);
  assert_int_equal(sandbox->request_timeout_s, 5);
  assert_int_equal(sandbox->connect_timeout_s, 0);

  const Profile *training = config_find_profile(&config, "training");
  assert_ptr_equal(training, &config.profiles[1]);
  assert_int_equal(training->kind, PROFILE_SANDBOX_EXTERNAL);
  assert_string_equal(training->url, "http://127.0.0.1:8470");
  assert_string_equal(training->authority, "http://127.0.0.1:8470/");
  assert_null(training->tenant);
  assert_null(training->client_id);
  assert_int_equal(training->line, 11);

  const Profile *contoso = config_find_profile(&config, NULL); /* the default */
  assert_ptr_equal(contoso, &config.profiles[2]);
  assert_string_equal(contoso->name, "contoso");
  assert_int_equal(contoso->kind, PROFILE_LIVE);
  assert_int_equal(contoso->cloud, PC_CLOUD_USGOV);
  assert_null(contoso->api_base);
  assert_null(contoso->authority);
  assert_string_equal(contoso->tenant, "contoso.onmicrosoft.com");
  assert_string_equal(contoso->client_id, "11111111-2222-3333-4444-555555555555");
  assert_int_equal(contoso->auth_mode, PC_AUTH_APP_USER);
  assert_int_equal(contoso->token_endpoint, PC_TOKEN_V2);
  snprintf(expected, sizeof expected, "%s/.config/pccart/contoso.secret", scratch_dir());
  assert_string_equal(contoso->client_secret_file, expected);
  assert_string_equal(contoso->refresh_token_file, "/etc/pccart/contoso.refresh");
  assert_string_equal(contoso->locale, "de-DE");
  assert_string_equal(contoso->country, "DE");
  assert_string_equal(contoso->ca_file, scratch_dir()); /* "~" alone */
  assert_int_equal(contoso->connect_timeout_s, 7);
  assert_int_equal(contoso->request_timeout_s, 45);
  assert_int_equal(contoso->checkout_timeout_s, 600);

  const Profile *fabrikam = config_find_profile(&config, "fabrikam");
  assert_non_null(fabrikam);
  assert_int_equal(fabrikam->cloud, PC_CLOUD_PUBLIC);
  assert_int_equal(fabrikam->auth_mode, PC_AUTH_APP_ONLY);
  assert_int_equal(fabrikam->token_endpoint, PC_TOKEN_V1);
  assert_string_equal(fabrikam->api_base, "https://pc.example");
  assert_string_equal(fabrikam->authority, "https://login.example/");
  assert_string_equal(fabrikam->resource, "https://pc.example");
  assert_int_equal(fabrikam->connect_timeout_s, 1);
  assert_int_equal(fabrikam->request_timeout_s, 10); /* libconfig: decimal, not octal */
  assert_int_equal(fabrikam->checkout_timeout_s, 31);
  assert_null(fabrikam->locale);
  assert_null(fabrikam->client_secret_file);
  assert_null(config_find_profile(&config, "Contoso")); /* names are exact */

  assert_string_equal(config.ui_theme, "light");
  assert_int_equal(config.ui_theme_line, 28);
  assert_true(config.ui_mouse);
  assert_int_equal(config.key_count, 3);
  assert_string_equal(config.keys[0].action, "add_line");
  assert_int_equal(config.keys[0].key_count, 1);
  assert_string_equal(config.keys[0].keys[0], "a");
  assert_int_equal(config.keys[0].line, 31);
  assert_string_equal(config.keys[1].action, "checkout");
  assert_int_equal(config.keys[1].key_count, 2);
  assert_string_equal(config.keys[1].keys[0], "C");
  assert_string_equal(config.keys[1].keys[1], "F5");
  assert_int_equal(config.keys[1].line, 32);
  assert_string_equal(config.keys[2].action, "quit");
  assert_int_equal(config.keys[2].key_count, 1);
  assert_string_equal(config.keys[2].keys[0], "q");
  assert_int_equal(config.keys[2].line, 33);

  config_clear(&config);
  assert_null(config.profiles);
  assert_null(config.path);
  free(path);
}

static void test_default_path(void **state) {
  (void)state;
  char *path = config_default_path();
  char expected[512];
  snprintf(expected, sizeof expected, "%s/.config/pccart/config", scratch_dir());
  assert_string_equal(path, expected);
  free(path);

  setenv("XDG_CONFIG_HOME", "/srv/xdg/", 1);
  path = config_default_path();
  assert_string_equal(path, "/srv/xdg/pccart/config");
  free(path);

  /* a relative XDG_CONFIG_HOME is invalid (XDG spec) and ignored; so is an empty one */
  setenv("XDG_CONFIG_HOME", "relative/xdg", 1);
  path = config_default_path();
  assert_string_equal(path, expected);
  free(path);
  setenv("XDG_CONFIG_HOME", "", 1);
  path = config_default_path();
  assert_string_equal(path, expected);
  free(path);

  unsetenv("XDG_CONFIG_HOME");
  unsetenv("HOME");
  assert_null(config_default_path());
  /* and with nowhere to look, the built-in defaults */
  Config config;
  ConfigError err;
  assert_true(config_load(NULL, &config, &err));
  assert_null(config.path);
  assert_int_equal(config.profile_count, 1);
  config_clear(&config);
}

static void expect_defaults(const Config *config) {
  assert_null(config->path);
  assert_int_equal(config->profile_count, 1);
  assert_string_equal(config->default_profile, "sandbox");
  const Profile *profile = config_find_profile(config, NULL);
  assert_non_null(profile);
  assert_string_equal(profile->name, "sandbox");
  assert_int_equal(profile->kind, PROFILE_SANDBOX);
  assert_null(profile->file);
  assert_int_equal(profile->line, 0);
  assert_null(profile->scenario);
  assert_int_equal(profile->customers, 0);
  assert_null(config->log_file);
  assert_int_equal(config->log_level, PC_LOG_INFO);
  assert_null(config->ui_theme);
  assert_false(config->ui_mouse);
  assert_int_equal(config->key_count, 0);
  assert_null(config_find_profile(config, "contoso"));
}

static void test_missing_default_file_gives_defaults(void **state) {
  (void)state;
  Config config;
  ConfigError err;
  assert_true(config_load(NULL, &config, &err)); /* $HOME/.config/pccart/config: absent */
  expect_defaults(&config);
  config_clear(&config);

  char *xdg = scratch_path("xdg");
  setenv("XDG_CONFIG_HOME", xdg, 1); /* the directory itself does not exist either */
  assert_true(config_load(NULL, &config, &err));
  expect_defaults(&config);
  config_clear(&config);
  free(xdg);
}

static void test_default_file_is_read(void **state) {
  (void)state;
  char *path = write_file("xdg/pccart/config", "ui = { theme = \"mono\"; };\n");
  char *xdg = scratch_path("xdg");
  setenv("XDG_CONFIG_HOME", xdg, 1);
  Config config;
  ConfigError err;
  assert_true(config_load(NULL, &config, &err));
  assert_string_equal(config.path, path);
  assert_string_equal(config.ui_theme, "mono");
  assert_int_equal(config.profile_count, 1);
  config_clear(&config);

  /* a default file that is wrong is an error like any other */
  free(write_file("xdg/pccart/config", "ui = { theme = 3; };\n"));
  assert_false(config_load(NULL, &config, &err));
  char expected[600];
  snprintf(expected, sizeof expected, "%s:1: ui.theme: expected a theme name, got a whole number",
           path);
  assert_string_equal(err.message, expected);
  free(xdg);
  free(path);
}

static void test_missing_config_file_is_an_error(void **state) {
  (void)state;
  char *path = scratch_path("nowhere/config");
  Config config;
  ConfigError err;
  assert_false(config_load(path, &config, &err));
  char expected[600];
  snprintf(expected, sizeof expected,
           "%s: cannot read the configuration file: No such file or directory", path);
  assert_string_equal(err.message, expected);
  free(path);

  /* a directory is not a configuration */
  assert_false(config_load(scratch_dir(), &config, &err));
  snprintf(expected, sizeof expected,
           "%s: the configuration is not a regular file (it is a directory)", scratch_dir());
  assert_string_equal(err.message, expected);
}

/* The file says where secrets go, so others must not be able to change it. */
static void test_config_writable_by_others_refused(void **state) {
  (void)state;
  char *path = write_file("config", "default_profile = \"sandbox\";\n");
  Config config;
  ConfigError err;
  char expected[1024];
  const mode_t modes[] = {0664, 0646, 0620};
  const char *shown[] = {"0664", "0646", "0620"};
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
    assert_int_equal(chmod(path, modes[i]), 0);
    assert_false(config_load(path, &config, &err));
    snprintf(expected, sizeof expected,
             "%s: the configuration can be changed by group or others (mode %s); it decides "
             "where secrets are sent: chmod go-w %s",
             path, shown[i], path);
    assert_string_equal(err.message, expected);
  }
  /* readable by others is fine: it holds no secret */
  assert_int_equal(chmod(path, 0644), 0);
  assert_true(config_load(path, &config, &err));
  config_clear(&config);

  if (geteuid() == 0) { /* only root can give a file away */
    assert_int_equal(chown(path, 65534, 65534), 0);
    assert_false(config_load(path, &config, &err));
    snprintf(expected, sizeof expected,
             "%s: the configuration is owned by user id 65534, not by you (0); it decides where "
             "secrets are sent: make it yours with chown \"$(id -un)\" %s",
             path, path);
    assert_string_equal(err.message, expected);
  }
  free(path);
}

static void test_empty_file_gives_defaults(void **state) {
  (void)state;
  char *path = write_file("config", "# nothing yet\n");
  Config config;
  ConfigError err;
  assert_true(config_load(path, &config, &err));
  assert_string_equal(config.path, path);
  assert_int_equal(config.profile_count, 1);
  assert_string_equal(config.default_profile, "sandbox");
  config_clear(&config);
  free(path);
}

static void test_syntax_errors(void **state) {
  (void)state;
  expect_error("default_profile = \"sandbox\";\nprofiles = { contoso = { kind = ; }; };\n",
               ":2: syntax error");
  expect_error("log = { level = \"info\"; level = \"warn\"; };\n", ":1: duplicate setting name");
  /* libconfig reports an unterminated string where the file ends */
  expect_error("ui = { theme = \"unterminated; };\n", ":2: syntax error");
  expect_error("ui = { keys = { checkout = [\"C\", 5]; }; };\n",
               ":1: mismatched element type in array");
}

static void test_unknown_settings(void **state) {
  (void)state;
  expect_error("\n\ndefault_profil = \"sandbox\";\n",
               ":3: default_profil: unknown setting; the file has: default_profile, log, "
               "profiles, ui");
  expect_error(
      "profiles = {\n  contoso = {\n    kind = \"live\";\n    tennant = \"x\";\n  };\n};\n",
      ":4: profiles.contoso.tennant: unknown setting; a live profile has: kind, cloud, "
      "api_base, authority, resource, tenant, client_id, auth, token_endpoint, "
      "client_secret_file, refresh_token_file, ca_file, locale, country, "
      "connect_timeout, request_timeout, checkout_timeout");
  expect_error("profiles = { sandbox = { scenaro = \"x\"; }; };\n",
               ":1: profiles.sandbox.scenaro: unknown setting; a sandbox profile has: kind, "
               "scenario, customers, state_file, locale, country, connect_timeout, "
               "request_timeout, checkout_timeout");
  /* a setting of another kind */
  expect_error("profiles = { c = { kind = \"live\"; tenant = \"t\"; client_id = \"i\";\n"
               "  scenario = \"default\"; }; };\n",
               ":2: profiles.c.scenario: not a setting of a live profile, which has: kind, cloud, "
               "api_base, authority, resource, tenant, client_id, auth, token_endpoint, "
               "client_secret_file, refresh_token_file, ca_file, locale, country, "
               "connect_timeout, request_timeout, checkout_timeout");
  expect_error("profiles = { t = { kind = \"sandbox\"; url = \"http://127.0.0.1:1\";\n"
               "  customers = 5; }; };\n",
               ":2: profiles.t.customers: not a setting of an external sandbox profile, which "
               "has: kind, url, tenant, client_id, auth, token_endpoint, client_secret_file, "
               "refresh_token_file, ca_file, locale, country, connect_timeout, request_timeout, "
               "checkout_timeout");
  expect_error("log = { file = \"-\"; levels = \"info\"; };\n",
               ":1: log.levels: unknown setting; log has: file, level");
  expect_error("ui = {\n  colours = \"x\";\n};\n",
               ":2: ui.colours: unknown setting; ui has: theme, mouse, keys");
}

static void test_wrong_types(void **state) {
  (void)state;
  expect_error("profiles = {\n  contoso = {\n    kind = \"live\";\n"
               "    connect_timeout = \"10\";\n  };\n};\n",
               ":4: profiles.contoso.connect_timeout: expected a number of seconds (1..600), got "
               "a string");
  expect_error("profiles = { sandbox = { customers = 80.0; }; };\n",
               ":1: profiles.sandbox.customers: expected a number of customers (2..100000), got "
               "a decimal number");
  expect_error("profiles = { c = { kind = \"live\"; tenant = 5; }; };\n",
               ":1: profiles.c.tenant: expected a tenant id or domain (letters, digits, '.', "
               "'-'), got a whole number");
  expect_error("ui = { mouse = \"yes\"; };\n",
               ":1: ui.mouse: expected true or false, got a string");
  expect_error("profiles = [ \"contoso\" ];\n",
               ":1: profiles: expected a group { name = { ... }; ... } of profiles, got an array "
               "[ ... ]");
  expect_error("profiles = { contoso = \"live\"; };\n",
               ":1: profiles.contoso: expected a group { ... } of settings, got a string");
  expect_error("log = \"/tmp/log\";\n",
               ":1: log: expected a group { file = ...; level = ...; }, got a string");
  expect_error("ui = { keys = { checkout = (\"C\",\n  5); }; };\n",
               ":2: ui.keys.checkout[1]: expected a key name, got a whole number");
  expect_error("ui = { keys = { checkout = []; }; };\n",
               ":1: ui.keys.checkout: expected a key or a list of keys such as [\"C\", \"F5\"], "
               "got an empty list");
  expect_error("ui = { keys = { checkout = \"\"; }; };\n",
               ":1: ui.keys.checkout: expected a key or a list of keys such as [\"C\", \"F5\"], "
               "got an empty string");
  expect_error("default_profile = true;\n",
               ":1: default_profile: expected a profile name, got true or false");
}

static void test_out_of_range(void **state) {
  (void)state;
  expect_error("profiles = { sandbox = {\n  customers = 1; }; };\n",
               ":2: profiles.sandbox.customers: expected a number of customers (2..100000), got "
               "1");
  expect_error("profiles = { sandbox = { customers = 100001; }; };\n",
               ":1: profiles.sandbox.customers: expected a number of customers (2..100000), got "
               "100001");
  expect_error("profiles = { sandbox = { checkout_timeout = 601; }; };\n",
               ":1: profiles.sandbox.checkout_timeout: expected a number of seconds (1..600), got "
               "601");
  expect_error("profiles = { sandbox = { connect_timeout = 0; }; };\n",
               ":1: profiles.sandbox.connect_timeout: expected a number of seconds (1..600), got "
               "0");
  expect_error("profiles = { sandbox = { request_timeout = -5; }; };\n",
               ":1: profiles.sandbox.request_timeout: expected a number of seconds (1..600), got "
               "-5");
  /* libconfig 1.5 reads this as 1 */
  expect_error("profiles = { sandbox = { request_timeout = 4294967297; }; };\n",
               ":1: profiles.sandbox.request_timeout: expected a number of seconds (1..600), got "
               "4294967297");
  expect_error("profiles = { sandbox = { customers = 99999999999999999999999; }; };\n",
               ":1: profiles.sandbox.customers: expected a number of customers (2..100000), got "
               "99999999999999999999999");
  expect_error("profiles = { sandbox = { customers = 9000000000L; }; };\n",
               ":1: profiles.sandbox.customers: expected a number of customers (2..100000), got "
               "9000000000");
}

/* The wrapped-integer check reads the line again: the same name in a string does not
 * confuse it. */
static void test_integer_check_reads_the_setting(void **state) {
  (void)state;
  char *path = write_file(
      "config", "profiles = { sandbox = { state_file = \"customers = 5\"; customers = 80; }; };\n");
  Config config;
  ConfigError err;
  assert_true(config_load(path, &config, &err));
  assert_int_equal(config.profiles[0].customers, 80);
  config_clear(&config);
  free(path);
}

static void test_bad_values(void **state) {
  (void)state;
  const char *head = "profiles = {\n  contoso = {\n    kind = \"live\"; tenant = \"t\";\n"
                     "    client_id = \"c\";\n";
  char text[512];
  snprintf(text, sizeof text, "%s    auth = \"user\";\n  };\n};\n", head);
  expect_error(text, ":5: profiles.contoso.auth: expected \"app\" or \"app+user\", got \"user\"");
  snprintf(text, sizeof text, "%s    token_endpoint = \"v3\";\n  };\n};\n", head);
  expect_error(text, ":5: profiles.contoso.token_endpoint: expected \"v1\" or \"v2\", got \"v3\"");
  snprintf(text, sizeof text, "%s    cloud = \"mars\";\n  };\n};\n", head);
  expect_error(text, ":5: profiles.contoso.cloud: expected \"public\", \"china\", \"usgov\" or "
                     "\"germany\", got \"mars\"");
  snprintf(text, sizeof text, "%s    country = \"USA\";\n  };\n};\n", head);
  expect_error(text, ":5: profiles.contoso.country: expected a two-letter country code such as "
                     "\"US\", got \"USA\"");
  snprintf(text, sizeof text, "%s    api_base = \"ftp://x\";\n  };\n};\n", head);
  expect_error(text, ":5: profiles.contoso.api_base: expected an http:// or https:// URL, got "
                     "\"ftp://x\"");
  snprintf(text, sizeof text, "%s    locale = \"en US\";\n  };\n};\n", head);
  expect_error(text, ":5: profiles.contoso.locale: expected a locale such as \"en-US\", got "
                     "\"en US\"");
  snprintf(text, sizeof text, "%s    ca_file = \"~ann/ca.pem\";\n  };\n};\n", head);
  expect_error(text, ":5: profiles.contoso.ca_file: ~user is not supported; write the full path "
                     "(got \"~ann/ca.pem\")");
  /* control characters never reach a message or a header */
  expect_error("profiles = { c = { kind = \"live\"; tenant = \"t\\r\\nX: y\"; }; };\n",
               ":1: profiles.c.tenant: expected a tenant id or domain (letters, digits, '.', "
               "'-'), got a string with a control character");
  expect_error("profiles = { c = { kind = \"remote\"; }; };\n",
               ":1: profiles.c.kind: expected \"live\" or \"sandbox\", got \"remote\"");
  expect_error("log = { level = \"verbose\"; };\n",
               ":1: log.level: expected \"error\", \"warn\", \"info\" or \"debug\", got "
               "\"verbose\"");
  expect_error("profiles = { sandbox = { kind = \"live\"; }; };\n",
               ":1: profiles.sandbox.kind: the sandbox profile is always the in-process sandbox; "
               "give a live profile another name");
  expect_error("profiles = { sandbox = { url = \"http://127.0.0.1:8470\"; }; };\n",
               ":1: profiles.sandbox.url: the sandbox profile is always the in-process sandbox; "
               "define another profile with kind = \"sandbox\" and this url for an external one");
}

static void test_missing_required(void **state) {
  (void)state;
  expect_error(
      "profiles = {\n  contoso = {\n    kind = \"live\";\n    client_id = \"c\";\n  };\n};\n",
      ":2: profiles.contoso.tenant: missing; a live profile needs the partner tenant's id "
      "or domain");
  expect_error("profiles = {\n  contoso = { kind = \"live\"; tenant = \"t\"; };\n};\n",
               ":2: profiles.contoso.client_id: missing; a live profile needs the application "
               "(client) id");
  expect_error("profiles = {\n\n  contoso = { tenant = \"t\"; };\n};\n",
               ":3: profiles.contoso.kind: missing; expected kind = \"live\" or kind = \"sandbox\" "
               "(an external sandbox, with url)");
}

static void test_inline_secret_refused(void **state) {
  (void)state;
  char *path = write_file("config", "profiles = {\n  contoso = {\n    kind = \"live\";\n"
                                    "    client_secret = \"Sup3r-s3cret-value\";\n  };\n};\n");
  Config config;
  ConfigError err;
  assert_false(config_load(path, &config, &err));
  char expected[1024];
  snprintf(expected, sizeof expected,
           "%s:4: profiles.contoso.client_secret: the client secret is never written in the "
           "configuration; put it in a file only you can read (chmod 600 FILE) and set "
           "client_secret_file = \"FILE\", or set $PCCART_CLIENT_SECRET",
           path);
  assert_string_equal(err.message, expected);
  assert_null(strstr(err.message, "Sup3r"));
  free(path);

  expect_error("profiles = { c = { kind = \"sandbox\"; url = \"http://127.0.0.1:1\";\n"
               "  refresh_token = \"0.AAA-token\"; }; };\n",
               ":2: profiles.c.refresh_token: the refresh token is never written in the "
               "configuration; put it in a file only you can read (chmod 600 FILE) and set "
               "refresh_token_file = \"FILE\", or set $PCCART_REFRESH_TOKEN");
  expect_error("client_secret = \"abc\";\n",
               ":1: client_secret: the client secret is never written in the configuration; put "
               "it in a file only you can read (chmod 600 FILE) and set client_secret_file = "
               "\"FILE\", or set $PCCART_CLIENT_SECRET");
}

static void test_default_profile_undefined(void **state) {
  (void)state;
  expect_error("profiles = { t = { kind = \"sandbox\"; url = \"http://127.0.0.1:1\"; }; };\n"
               "default_profile = \"contoso\";\n",
               ":2: default_profile: no profile is called \"contoso\"; the profiles are: sandbox, "
               "t");
  /* "sandbox" is always there, even when the file does not define it */
  char *path = write_file("config", "default_profile = \"sandbox\";\n");
  Config config;
  ConfigError err;
  assert_true(config_load(path, &config, &err));
  assert_string_equal(config_find_profile(&config, NULL)->name, "sandbox");
  config_clear(&config);
  free(path);
}

static void test_include_reports_its_file(void **state) {
  (void)state;
  char *included = write_file("profiles.cfg", "profiles = {\n  c = { kind = \"moon\"; };\n};\n");
  char *path = write_file("config", "ui = { mouse = true; };\n@include \"profiles.cfg\"\n");
  Config config;
  ConfigError err;
  assert_false(config_load(path, &config, &err));
  char expected[600];
  snprintf(expected, sizeof expected,
           "%s:2: profiles.c.kind: expected \"live\" or \"sandbox\", got \"moon\"", included);
  assert_string_equal(err.message, expected);

  /* and a syntax error inside it */
  free(write_file("profiles.cfg", "profiles = {\n  c = { kind = ; };\n};\n"));
  assert_false(config_load(path, &config, &err));
  snprintf(expected, sizeof expected, "%s:2: syntax error", included);
  assert_string_equal(err.message, expected);
  free(included);
  free(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_full_config, setup, teardown),
      cmocka_unit_test_setup_teardown(test_default_path, setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_default_file_gives_defaults, setup, teardown),
      cmocka_unit_test_setup_teardown(test_default_file_is_read, setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_config_file_is_an_error, setup, teardown),
      cmocka_unit_test_setup_teardown(test_config_writable_by_others_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_empty_file_gives_defaults, setup, teardown),
      cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unknown_settings, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wrong_types, setup, teardown),
      cmocka_unit_test_setup_teardown(test_out_of_range, setup, teardown),
      cmocka_unit_test_setup_teardown(test_integer_check_reads_the_setting, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_values, setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_required, setup, teardown),
      cmocka_unit_test_setup_teardown(test_inline_secret_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_default_profile_undefined, setup, teardown),
      cmocka_unit_test_setup_teardown(test_include_reports_its_file, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
