/* A profile's secrets (environment first, then a private file, with the file checks) and the
 * client settings made from a profile. */
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

static int setup(void **state) {
  (void)state;
  return scratch_setup("secrets") ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  return scratch_teardown();
}

/* Writes text to the scratch directory with mode; returns the path (caller frees). */
static char *write_file(const char *name, const char *text, mode_t mode) {
  return scratch_write(name, text, mode);
}

/* A configuration with a live profile "contoso" whose auth and secret files are given. */
static void load_live(Config *config, const char *auth, const char *secret_file,
                      const char *refresh_file) {
  char text[2048];
  int n =
      snprintf(text, sizeof text,
               "profiles = {\n"
               "  contoso = {\n"
               "    kind = \"live\"; tenant = \"contoso.onmicrosoft.com\"; client_id = \"cid\";\n"
               "    auth = \"%s\";\n",
               auth);
  if (secret_file) {
    n += snprintf(text + n, sizeof text - (size_t)n, "    client_secret_file = \"%s\";\n",
                  secret_file);
  }
  if (refresh_file) {
    n += snprintf(text + n, sizeof text - (size_t)n, "    refresh_token_file = \"%s\";\n",
                  refresh_file);
  }
  snprintf(text + n, sizeof text - (size_t)n, "  };\n};\n");
  char *path = write_file("config", text, 0600);
  ConfigError err;
  if (!config_load(path, config, &err)) {
    fail_msg("%s", err.message);
  }
  free(path);
}

/* Expects profile_load_secrets on contoso to fail with exactly expected; nothing is kept. */
static void expect_secret_error(const char *secret_file, const char *expected) {
  Config config;
  load_live(&config, "app", secret_file, NULL);
  ProfileSecrets secrets;
  ConfigError err;
  assert_false(profile_load_secrets(config_find_profile(&config, "contoso"), &secrets, &err));
  assert_string_equal(err.message, expected);
  assert_null(secrets.client_secret);
  assert_null(secrets.refresh_token);
  assert_null(strstr(err.message, "s3cr3t")); /* the file's content never shows */
  config_clear(&config);
}

static void test_secret_file_accepted_at_0600(void **state) {
  (void)state;
  char *secret = write_file("contoso.secret", "s3cr3t-value~.x\n", 0600);
  char *refresh = write_file("contoso.refresh", "0.AAAA-refresh-token\r\n", 0400);
  Config config;
  load_live(&config, "app+user", "~/contoso.secret", refresh);
  const Profile *profile = config_find_profile(&config, "contoso");
  assert_string_equal(profile->client_secret_file, secret); /* "~" expanded */
  ProfileSecrets secrets;
  ConfigError err;
  assert_true(profile_load_secrets(profile, &secrets, &err));
  assert_string_equal(secrets.client_secret, "s3cr3t-value~.x");      /* newline trimmed */
  assert_string_equal(secrets.refresh_token, "0.AAAA-refresh-token"); /* CRLF too */
  profile_secrets_clear(&secrets);
  assert_null(secrets.client_secret);
  assert_null(secrets.refresh_token);
  profile_secrets_clear(&secrets); /* twice is harmless */

  /* without a trailing newline the whole content is the secret */
  free(write_file("contoso.secret", "no-newline", 0600));
  assert_true(profile_load_secrets(profile, &secrets, &err));
  assert_string_equal(secrets.client_secret, "no-newline");
  profile_secrets_clear(&secrets);
  config_clear(&config);
  free(secret);
  free(refresh);
}

static void test_secret_from_environment_first(void **state) {
  (void)state;
  char *secret = write_file("contoso.secret", "from-the-file\n", 0600);
  setenv("PCCART_CLIENT_SECRET", "from-the-environment", 1);
  setenv("PCCART_REFRESH_TOKEN", "refresh-from-the-environment", 1);
  Config config;
  load_live(&config, "app+user", secret, NULL);
  const Profile *profile = config_find_profile(&config, "contoso");
  ProfileSecrets secrets;
  ConfigError err;
  assert_true(profile_load_secrets(profile, &secrets, &err));
  assert_string_equal(secrets.client_secret, "from-the-environment");
  assert_string_equal(secrets.refresh_token, "refresh-from-the-environment");
  profile_secrets_clear(&secrets);

  /* an empty variable counts as unset: the file is used */
  setenv("PCCART_CLIENT_SECRET", "", 1);
  assert_true(profile_load_secrets(profile, &secrets, &err));
  assert_string_equal(secrets.client_secret, "from-the-file");
  profile_secrets_clear(&secrets);
  config_clear(&config);

  /* app-only: the refresh token is not loaded even when it is in the environment */
  setenv("PCCART_CLIENT_SECRET", "env-secret", 1);
  load_live(&config, "app", NULL, NULL);
  assert_true(profile_load_secrets(config_find_profile(&config, "contoso"), &secrets, &err));
  assert_string_equal(secrets.client_secret, "env-secret");
  assert_null(secrets.refresh_token);
  profile_secrets_clear(&secrets);
  config_clear(&config);
  free(secret);
}

static void test_secret_missing(void **state) {
  (void)state;
  Config config;
  load_live(&config, "app", NULL, NULL);
  ProfileSecrets secrets;
  ConfigError err;
  assert_false(profile_load_secrets(config_find_profile(&config, "contoso"), &secrets, &err));
  char expected[1024];
  snprintf(expected, sizeof expected,
           "%s/config:2: profiles.contoso: no client secret: set $PCCART_CLIENT_SECRET, or put it "
           "in a file only you can read (chmod 600 FILE) and add client_secret_file = \"FILE\" to "
           "the profile",
           scratch_dir());
  assert_string_equal(err.message, expected);
  config_clear(&config);

  /* app+user with a client secret but no refresh token: nothing is kept */
  setenv("PCCART_CLIENT_SECRET", "env-secret", 1);
  setenv("PCCART_REFRESH_TOKEN", "", 1);
  load_live(&config, "app+user", NULL, NULL);
  assert_false(profile_load_secrets(config_find_profile(&config, "contoso"), &secrets, &err));
  snprintf(expected, sizeof expected,
           "%s/config:2: profiles.contoso: no refresh token: set $PCCART_REFRESH_TOKEN (it is set "
           "but empty), or put it in a file only you can read (chmod 600 FILE) and add "
           "refresh_token_file = \"FILE\" to the profile",
           scratch_dir());
  assert_string_equal(err.message, expected);
  assert_null(secrets.client_secret);
  config_clear(&config);

  /* a file that does not exist */
  char *missing = scratch_path("missing.secret");
  snprintf(expected, sizeof expected,
           "%s: the client secret file of profile \"contoso\" (client_secret_file) cannot be "
           "opened: No such file or directory",
           missing);
  unsetenv("PCCART_CLIENT_SECRET");
  expect_secret_error(missing, expected);
  free(missing);
}

static void test_secret_file_readable_by_others_refused(void **state) {
  (void)state;
  const mode_t modes[] = {0644, 0640, 0604, 0620, 0602};
  const char *shown[] = {"0644", "0640", "0604", "0620", "0602"};
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
    char *path = write_file("contoso.secret", "s3cr3t\n", modes[i]);
    char expected[1024];
    snprintf(expected, sizeof expected,
             "%s: the client secret file of profile \"contoso\" (client_secret_file) can be read "
             "or written by group or others (mode %s); make it private with: chmod 600 %s",
             path, shown[i], path);
    expect_secret_error(path, expected);
    free(path);
  }
  /* executable bits alone give nothing away */
  char *path = write_file("contoso.secret", "s3cr3t\n", 0711);
  Config config;
  load_live(&config, "app", path, NULL);
  ProfileSecrets secrets;
  ConfigError err;
  assert_true(profile_load_secrets(config_find_profile(&config, "contoso"), &secrets, &err));
  assert_string_equal(secrets.client_secret, "s3cr3t");
  profile_secrets_clear(&secrets);
  config_clear(&config);
  free(path);
}

static void test_secret_file_symlink_refused(void **state) {
  (void)state;
  char *target = write_file("real.secret", "s3cr3t\n", 0600);
  char *link = scratch_path("contoso.secret");
  assert_int_equal(symlink(target, link), 0);
  char expected[1024];
  snprintf(expected, sizeof expected,
           "%s: the client secret file of profile \"contoso\" (client_secret_file) is a symbolic "
           "link; pccart reads a secret only from a regular file: replace the link with the file "
           "itself (and chmod 600 %s)",
           link, link);
  expect_secret_error(link, expected);
  free(target);
  free(link);
}

static void test_secret_file_not_regular_refused(void **state) {
  (void)state;
  char *dir = scratch_path("secret.d");
  assert_int_equal(mkdir(dir, 0700), 0);
  char expected[1024];
  snprintf(expected, sizeof expected,
           "%s: the client secret file of profile \"contoso\" (client_secret_file) is a "
           "directory, not a regular file holding the secret",
           dir);
  expect_secret_error(dir, expected);
  free(dir);

  /* a FIFO neither hangs the open nor is read */
  char *fifo = scratch_path("secret.fifo");
  assert_int_equal(mkfifo(fifo, 0600), 0);
  snprintf(expected, sizeof expected,
           "%s: the client secret file of profile \"contoso\" (client_secret_file) is a device, "
           "FIFO or socket, not a regular file holding the secret",
           fifo);
  expect_secret_error(fifo, expected);
  free(fifo);
}

static void test_secret_file_content_refused(void **state) {
  (void)state;
  const struct {
    const char *content;
    const char *problem;
  } cases[] = {
      {"", "is empty; write the client secret in it, on one line"},
      {"\n", "is empty; write the client secret in it, on one line"},
      {"s3cr3t\nsecond line\n", "has more than one line; it should hold only the client secret"},
      {"s3cr3t\n\n", "has more than one line; it should hold only the client secret"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *path = write_file("contoso.secret", cases[i].content, 0600);
    char expected[1024];
    snprintf(expected, sizeof expected,
             "%s: the client secret file of profile \"contoso\" (client_secret_file) %s", path,
             cases[i].problem);
    expect_secret_error(path, expected);
    free(path);
  }
  /* far too large for a secret */
  char *big = malloc(70 * 1024 + 1);
  assert_non_null(big);
  memset(big, 'x', 70 * 1024);
  big[70 * 1024] = '\0';
  char *path = write_file("contoso.secret", big, 0600);
  char expected[1024];
  snprintf(expected, sizeof expected,
           "%s: the client secret file of profile \"contoso\" (client_secret_file) is larger than "
           "64 KiB; it should hold only the secret",
           path);
  expect_secret_error(path, expected);
  free(path);
  free(big);
}

static void test_secret_file_owner_refused(void **state) {
  (void)state;
  if (geteuid() != 0) {
    skip(); /* only root can give a file away */
  }
  char *path = write_file("contoso.secret", "s3cr3t\n", 0600);
  assert_int_equal(chown(path, 65534, 65534), 0);
  char expected[1024];
  snprintf(expected, sizeof expected,
           "%s: the client secret file of profile \"contoso\" (client_secret_file) is owned by "
           "user id 65534, not by you (0): make it yours with chown \"$(id -un)\" %s, then chmod "
           "600 %s",
           path, path, path);
  expect_secret_error(path, expected);
  free(path);
}

static void test_sandbox_profiles_ignore_environment(void **state) {
  (void)state;
  setenv("PCCART_CLIENT_SECRET", "live-secret", 1);
  setenv("PCCART_REFRESH_TOKEN", "live-refresh", 1);
  char *secret = write_file("training.secret", "trainer-secret\n", 0600);
  char text[1024];
  snprintf(
      text, sizeof text,
      "profiles = {\n"
      "  training = { kind = \"sandbox\"; url = \"http://127.0.0.1:9000\"; auth = \"app+user\";\n"
      "    client_secret_file = \"%s\"; };\n"
      "  bare = { kind = \"sandbox\"; url = \"http://127.0.0.1:9001\"; };\n"
      "};\n",
      secret);
  char *path = write_file("config", text, 0600);
  Config config;
  ConfigError err;
  assert_true(config_load(path, &config, &err));
  ProfileSecrets secrets;

  assert_true(profile_load_secrets(config_find_profile(&config, "sandbox"), &secrets, &err));
  assert_null(secrets.client_secret);
  assert_null(secrets.refresh_token);

  assert_true(profile_load_secrets(config_find_profile(&config, "bare"), &secrets, &err));
  assert_null(secrets.client_secret);

  assert_true(profile_load_secrets(config_find_profile(&config, "training"), &secrets, &err));
  assert_string_equal(secrets.client_secret, "trainer-secret");
  assert_null(secrets.refresh_token); /* main fills the sandbox's */
  profile_secrets_clear(&secrets);
  config_clear(&config);
  free(secret);
  free(path);
}

static void test_profile_to_settings(void **state) {
  (void)state;
  char *path =
      write_file("config",
                 "profiles = {\n"
                 "  sandbox = { request_timeout = 5; locale = \"fr-FR\"; };\n"
                 "  training = { kind = \"sandbox\"; url = \"http://127.0.0.1:8470/\";\n"
                 "    tenant = \"training\"; token_endpoint = \"v2\"; };\n"
                 "  contoso = { kind = \"live\"; cloud = \"china\";\n"
                 "    tenant = \"contoso.partner.onmschina.cn\"; client_id = \"cid\";\n"
                 "    auth = \"app+user\"; country = \"cn\"; ca_file = \"/etc/ca.pem\";\n"
                 "    connect_timeout = 3; request_timeout = 20; checkout_timeout = 90; };\n"
                 "  custom = { kind = \"live\"; tenant = \"t\"; client_id = \"c\";\n"
                 "    api_base = \"https://api.example\"; authority = \"https://login.example/\";\n"
                 "    resource = \"https://api.example\"; };\n"
                 "};\n",
                 0600);
  Config config;
  ConfigError err;
  assert_true(config_load(path, &config, &err));
  PcSettings settings;
  ProfileSecrets secrets = {.client_secret = "the-secret", .refresh_token = "the-refresh"};

  const Profile *contoso = config_find_profile(&config, "contoso");
  profile_to_settings(contoso, &secrets, &settings);
  assert_int_equal(settings.cloud, PC_CLOUD_CHINA);
  assert_null(settings.api_base); /* the cloud's */
  assert_null(settings.authority);
  assert_null(settings.resource);
  assert_string_equal(settings.tenant, "contoso.partner.onmschina.cn");
  assert_ptr_equal(settings.tenant, contoso->tenant); /* borrowed */
  assert_string_equal(settings.client_id, "cid");
  assert_ptr_equal(settings.client_secret, secrets.client_secret);
  assert_ptr_equal(settings.refresh_token, secrets.refresh_token);
  assert_int_equal(settings.auth_mode, PC_AUTH_APP_USER);
  assert_int_equal(settings.token_endpoint, PC_TOKEN_V1);
  assert_null(settings.locale);
  assert_string_equal(settings.country, "CN");
  assert_string_equal(settings.ca_file, "/etc/ca.pem");
  assert_int_equal(settings.connect_timeout_ms, 3000);
  assert_int_equal(settings.request_timeout_ms, 20000);
  assert_int_equal(settings.checkout_timeout_ms, 90000);
  assert_int_equal(settings.max_attempts, 0); /* the client's defaults */
  assert_null(settings.log);
  assert_null(settings.on_retry);

  profile_to_settings(config_find_profile(&config, "custom"), NULL, &settings);
  assert_int_equal(settings.cloud, PC_CLOUD_PUBLIC);
  assert_string_equal(settings.api_base, "https://api.example");
  assert_string_equal(settings.authority, "https://login.example/");
  assert_string_equal(settings.resource, "https://api.example");
  assert_null(settings.client_secret);
  assert_int_equal(settings.connect_timeout_ms, 0);

  profile_to_settings(config_find_profile(&config, "training"), NULL, &settings);
  assert_string_equal(settings.api_base, "http://127.0.0.1:8470");
  assert_string_equal(settings.authority, "http://127.0.0.1:8470/");
  assert_string_equal(settings.tenant, "training");
  assert_null(settings.client_id); /* main fills the sandbox's */
  assert_int_equal(settings.token_endpoint, PC_TOKEN_V2);

  profile_to_settings(config_find_profile(&config, "sandbox"), NULL, &settings);
  assert_null(settings.api_base); /* main sets it from the running sandbox */
  assert_null(settings.tenant);
  assert_string_equal(settings.locale, "fr-FR");
  assert_int_equal(settings.request_timeout_ms, 5000);

  config_clear(&config);
  free(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_secret_file_accepted_at_0600, setup, teardown),
      cmocka_unit_test_setup_teardown(test_secret_from_environment_first, setup, teardown),
      cmocka_unit_test_setup_teardown(test_secret_missing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_secret_file_readable_by_others_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_secret_file_symlink_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_secret_file_not_regular_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_secret_file_content_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_secret_file_owner_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sandbox_profiles_ignore_environment, setup, teardown),
      cmocka_unit_test_setup_teardown(test_profile_to_settings, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
