/* The configuration file: config_load_text (config_load on text already read). Invariants: a
 * refusal has a sentence naming the file; an accepted file has the sandbox profile first and a
 * default profile that exists, and every profile turns into client settings. */
#include "fuzz.h"

#include "config/internal.h"

/* A directory that does not exist: a relative @include finds nothing (no file of the machine's
 * is read by a relative name). */
#define FUZZ_CONFIG_PATH "/nonexistent-pccart-fuzz/config"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  if (!text) {
    return 0;
  }
  Config config;
  ConfigError err;
  bool ok = config_load_text(FUZZ_CONFIG_PATH, text, &config, &err);
  free(text);
  if (!ok) {
    FUZZ_CHECK(err.message[0] != '\0', "a refused configuration without a sentence");
    FUZZ_CHECK(memchr(err.message, '\0', sizeof err.message) != NULL, "message unterminated");
    FUZZ_CHECK(config.profiles == NULL && config.path == NULL, "a refused configuration kept data");
    return 0;
  }
  FUZZ_CHECK(config.profile_count >= 1, "no profiles");
  FUZZ_CHECK(strcmp(config.profiles[0].name, CONFIG_SANDBOX_PROFILE) == 0,
             "the sandbox profile is not first");
  FUZZ_CHECK(config_find_profile(&config, NULL) != NULL, "the default profile does not exist");
  for (size_t i = 0; i < config.profile_count; i++) {
    const Profile *profile = &config.profiles[i];
    FUZZ_CHECK(profile->name && config_find_profile(&config, profile->name) != NULL,
               "a profile cannot be found by its name");
    PcSettings settings;
    ProfileSecrets secrets = {0};
    profile_to_settings(profile, &secrets, &settings);
  }
  for (size_t i = 0; i < config.key_count; i++) {
    FUZZ_CHECK(config.keys[i].action != NULL, "a key binding without an action");
    for (size_t k = 0; k < config.keys[i].key_count; k++) {
      FUZZ_CHECK(config.keys[i].keys[k] && config.keys[i].keys[k][0], "an empty key");
    }
  }
  config_clear(&config);
  return 0;
}
