/* sandbox_settings.h: the one place that points a client at the test's sandbox. */
#include "sandbox_settings.h"

PcSettings sandbox_pc_settings(HttpCtx *ctx) {
  return (PcSettings){
      .api_base = http_ctx_url(ctx),
      .authority = http_ctx_authority(ctx),
      .tenant = TEST_TENANT,
      .client_id = SANDBOX_CLIENT_ID,
      .client_secret = http_ctx_client_secret(ctx),
      .backoff_base_ms = 5,
      .backoff_max_ms = 20,
      .retry_after_max_ms = 20,
  };
}
