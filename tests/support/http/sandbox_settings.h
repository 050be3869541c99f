/* Client settings for the test's in-process sandbox: its URL and authority, the sandbox's
 * credentials (the context's own client secret when it has one), and short retry waits so that
 * tests of retries stay fast. Tests change the fields they care about afterwards. */
#ifndef PCCART_TESTS_SANDBOX_SETTINGS_H
#define PCCART_TESTS_SANDBOX_SETTINGS_H

#include "pc/client.h"
#include "sandbox_http.h"

/* Backoff 5 ms (at most 20 ms), Retry-After honoured up to 20 ms. The strings belong to ctx. */
PcSettings sandbox_pc_settings(HttpCtx *ctx);

#endif
