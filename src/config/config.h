/* The configuration file (libconfig): profiles (the in-process sandbox, external sandboxes,
 * live Partner Center accounts), the log settings, the TUI's reserved `ui` section, and the
 * secrets a profile names. Loaded once by main and handed down; nothing here prints or exits.
 *
 * Where: `--config FILE`, else $XDG_CONFIG_HOME/pccart/config, else $HOME/.config/pccart/config.
 * A missing default file is not an error (only the `sandbox` profile exists then); a missing
 * --config file is. The format, every setting optional unless marked:
 *
 *   default_profile = "sandbox";            # the profile used without --profile [sandbox]
 *   log = {
 *     file = "~/.local/state/pccart/pccart.log";   # "-" is stderr [no log]
 *     level = "info";                              # error, warn, info, debug [info]
 *   };
 *   profiles = {
 *     sandbox = {                  # always exists: the sandbox pccart starts in-process
 *       scenario = "default";      # a pccart-sandbox scenario (checked by main) [default]
 *       customers = 80;            # seed customers, 2..100000 [80]
 *       state_file = "~/.local/state/pccart/sandbox.state";   # keep carts [memory only]
 *     };
 *     training = {                 # an external pccart-sandbox
 *       kind = "sandbox";          # required in every profile but `sandbox`
 *       url = "http://127.0.0.1:8470";      # required for an external sandbox
 *       # optional: tenant, client_id, auth, token_endpoint, client_secret_file,
 *       # refresh_token_file, ca_file (main fills the sandbox's well-known credentials)
 *     };
 *     contoso = {
 *       kind = "live";
 *       cloud = "public";          # public, china (21vianet), usgov, germany [public]
 *       # api_base = "https://..."; authority = "https://.../"; resource = "https://...";
 *       #                          # each overrides the cloud's
 *       tenant = "contoso.onmicrosoft.com";                  # required: tenant id or domain
 *       client_id = "00000000-0000-0000-0000-000000000000";  # required
 *       auth = "app";              # "app" (client credentials) or "app+user" [app]
 *       token_endpoint = "v1";     # "v1" or "v2" [v1]
 *       client_secret_file = "~/.config/pccart/contoso.secret";
 *       refresh_token_file = "~/.config/pccart/contoso.refresh";   # for app+user
 *       locale = "en-US"; country = "US";       # [en-US, US]
 *       ca_file = "/etc/ssl/certs/ca-certificates.crt";      # [the system's]
 *       connect_timeout = 10; request_timeout = 30; checkout_timeout = 120;   # seconds, 1..600
 *     };
 *   };
 *   ui = {                         # reserved for the TUI, which checks the names
 *     theme = "default";
 *     mouse = false;
 *     keys = { add_line = "a"; checkout = ["C", "F5"]; };   # action = key or list of keys
 *   };
 *
 * Every profile accepts locale, country and the three timeouts. Paths: "~" or "~/..." is
 * $HOME; a relative path is relative to the directory of the configuration file, and so is
 * an `@include "FILE"`. The file decides where secrets are sent, so it is refused when it is
 * not owned by the user (or root) or can be written by group or others (as ssh does).
 *
 * Secrets are never written in the configuration (a `client_secret` or `refresh_token`
 * setting is an error that says where to put them). A live profile's client secret comes
 * from $PCCART_CLIENT_SECRET, else from client_secret_file; with auth = "app+user" its
 * refresh token from $PCCART_REFRESH_TOKEN, else from refresh_token_file. A secret file must
 * be a regular file (not a symbolic link) owned by the user, with no group or other read or
 * write permission (chmod 600); one trailing newline is trimmed. Sandbox profiles read only
 * their files, never the environment variables (a live secret exported in the shell must
 * not be sent to a sandbox).
 *
 * Unknown settings are errors naming the allowed ones; every error names the file, the line
 * and the setting:
 *   /home/ann/.config/pccart/config:12: profiles.contoso.auth: expected "app" or "app+user",
 *   got "user" */
#ifndef PCCART_CONFIG_H
#define PCCART_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "pc/client.h"
#include "pc/log.h"

#define CONFIG_ENV_CLIENT_SECRET "PCCART_CLIENT_SECRET"
#define CONFIG_ENV_REFRESH_TOKEN "PCCART_REFRESH_TOKEN"
#define CONFIG_SANDBOX_PROFILE "sandbox"

/* One sentence naming the file, line and setting, and what was expected. */
typedef struct ConfigError {
  char message[1024];
} ConfigError;

typedef enum ProfileKind {
  PROFILE_SANDBOX = 0,      /* the sandbox pccart starts in-process */
  PROFILE_SANDBOX_EXTERNAL, /* a pccart-sandbox already running at `url` */
  PROFILE_LIVE,             /* Partner Center */
} ProfileKind;

/* "sandbox", "external sandbox", "live". */
const char *profile_kind_name(ProfileKind kind);

/* Strings are owned by the profile; NULL when not set (the consumer's default applies).
 * Paths are absolute or as given ("-" stays "-"), with "~" expanded. */
typedef struct Profile {
  char *name;
  ProfileKind kind;
  char *file; /* the file that defines it; NULL for the built-in sandbox profile */
  int line;   /* the line of its `name = { ... }`; 0 for the built-in one */
  /* PROFILE_SANDBOX */
  char *scenario;    /* NULL: "default"; main checks the name against the sandbox's list */
  int scenario_line; /* for main's message about an unknown scenario; 0 when not set */
  long customers;    /* 0: the sandbox's default */
  char *state_file;
  /* PROFILE_SANDBOX_EXTERNAL: the server, without a trailing '/', and its authority (the
   * same with '/'), the token endpoint being {authority}{tenant}/oauth2/token */
  char *url;
  /* PROFILE_LIVE (api_base, authority, resource override the cloud's) */
  PcCloud cloud;
  char *api_base;  /* without a trailing '/' */
  char *authority; /* with a trailing '/'; also set for an external sandbox */
  char *resource;
  /* live and external sandbox */
  char *tenant;
  char *client_id;
  PcAuthMode auth_mode;
  PcTokenEndpoint token_endpoint;
  char *client_secret_file;
  char *refresh_token_file;
  char *ca_file;
  /* every kind */
  char *locale;
  char *country; /* upper case */
  long connect_timeout_s;
  long request_timeout_s;
  long checkout_timeout_s; /* 0: the client's default */
} Profile;

/* One binding of the `ui.keys` group, kept raw for the TUI to check action and key names. */
typedef struct ConfigKeyBinding {
  char *action;
  char **keys; /* key_count non-empty strings, in the order written */
  size_t key_count;
  int line;
} ConfigKeyBinding;

typedef struct Config {
  char *path;        /* the file read; NULL when none was (built-in defaults) */
  Profile *profiles; /* profiles[0] is always the sandbox profile, then the file's in order */
  size_t profile_count;
  char *default_profile; /* always names one of profiles */
  char *log_file;        /* NULL: no log; "-": stderr */
  PcLogLevel log_level;  /* [info] */
  char *ui_theme;        /* NULL when not set */
  int ui_theme_line;     /* 0 when not set */
  bool ui_mouse;         /* [false] */
  ConfigKeyBinding *keys;
  size_t key_count;
} Config;

/* The default file's path ($XDG_CONFIG_HOME/pccart/config when XDG_CONFIG_HOME is an
 * absolute path, else $HOME/.config/pccart/config); caller frees. NULL when neither variable
 * is usable, or out of memory. */
char *config_default_path(void);

/* Reads path (NULL: the default file, which may be absent) into out (zeroed first; on
 * failure left empty). False with err filled when the file cannot be read or is wrong. */
bool config_load(const char *path, Config *out, ConfigError *err);
void config_clear(Config *config); /* frees the members and zeroes */

/* The profile called name (NULL: the default profile); NULL when there is none. */
const Profile *config_find_profile(const Config *config, const char *name);

/* A profile's secrets; NULL members were not configured (for a sandbox profile main then uses
 * the sandbox's well-known credentials). Wiped when cleared. */
typedef struct ProfileSecrets {
  char *client_secret;
  char *refresh_token; /* loaded for auth = "app+user" only */
} ProfileSecrets;

/* Loads the profile's secrets (out zeroed first): for a live profile from the environment
 * first, then the files it names; for a sandbox profile from its files only. False with err
 * filled when a secret is missing or a file is refused (saying what is wrong and how to fix
 * it). Nothing is left allocated on failure. */
bool profile_load_secrets(const Profile *profile, ProfileSecrets *out, ConfigError *err);
void profile_secrets_clear(ProfileSecrets *secrets); /* wipes, frees and zeroes */

/* Fills out (zeroed first) from a profile: cloud and endpoints, tenant, client id, auth mode,
 * token endpoint, locale, country, CA file and timeouts (in ms); client_secret and
 * refresh_token from secrets (may be NULL). The pointers are borrowed from profile and
 * secrets. For PROFILE_SANDBOX main sets api_base and authority from the running sandbox;
 * for the sandboxes main also fills whatever credentials are still NULL. */
void profile_to_settings(const Profile *profile, const ProfileSecrets *secrets, PcSettings *out);

#endif
