/* pccart's TUI against a sandbox the test controls (see tui_pccart.h). */
/* cmocka first: the harness's assertion macros exist only after it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tui_pccart.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *pccart_config_text(const char *url, const char *extra) {
  return str_format("# written by the TUI tests\n"
                    "default_profile = \"class\";\n"
                    "profiles = {\n"
                    "  class = { kind = \"sandbox\"; url = \"%s\"; };\n"
                    "};\n"
                    "%s",
                    url, extra ? extra : "");
}

char *pccart_live_config_text(const char *url, const char *extra) {
  /* The sandbox's well-known client id; the tenant is any. Plain http is accepted for loopback
   * addresses only, which is what the sandbox listens on. */
  return str_format("# written by the TUI tests: a live profile at the test's sandbox\n"
                    "default_profile = \"contoso\";\n"
                    "profiles = {\n"
                    "  contoso = {\n"
                    "    kind = \"live\";\n"
                    "    api_base = \"%s\";\n"
                    "    authority = \"%s/\";\n"
                    "    tenant = \"" TEST_TENANT "\";\n"
                    "    client_id = \"pccart-sandbox\";\n"
                    "  };\n"
                    "};\n"
                    "%s",
                    url, url, extra ? extra : "");
}

Pccart *pccart_start(const char *bin, const PccartOptions *options, char *err, size_t err_size) {
  static const PccartOptions defaults = {0};
  if (!options)
    options = &defaults;
  Pccart *pccart = calloc(1, sizeof *pccart);
  if (!pccart) {
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  HttpCtxOptions http_options = {.customers = options->customers, .scenario = options->scenario};
  pccart->owns_http = options->http == NULL;
  pccart->http = options->http ? options->http : http_ctx_start(&http_options, err, err_size);
  if (!pccart->http) {
    free(pccart);
    return NULL;
  }
  char *config = options->live
                     ? pccart_live_config_text(http_ctx_url(pccart->http), options->config_extra)
                     : pccart_config_text(http_ctx_url(pccart->http), options->config_extra);
  /* A live profile's secret comes from the environment, after the test's own entries. */
  const char *env[64];
  size_t env_count = 0;
  for (size_t i = 0; options->env && options->env[i] && env_count + 2 < 64; i++)
    env[env_count++] = options->env[i];
  if (options->live)
    env[env_count++] = "PCCART_CLIENT_SECRET=" PCCART_LIVE_SECRET;
  env[env_count] = NULL;
  const char *args[32] = {bin};
  size_t n = 1;
  for (size_t i = 0; options->args && options->args[i] && n + 1 < 32; i++)
    args[n++] = options->args[i];
  args[n] = NULL;
  TuiOptions tui_options = {.rows = options->rows > 0 ? options->rows : 30,
                            .cols = options->cols > 0 ? options->cols : 120,
                            .env = env,
                            .config_text = config,
                            .home = options->home};
  pccart->tui = config ? tui_start_with(args, &tui_options, err, err_size) : NULL;
  free(config);
  if (!pccart->tui) {
    if (!config)
      snprintf(err, err_size, "out of memory");
    if (pccart->owns_http)
      http_ctx_stop(pccart->http);
    free(pccart);
    return NULL;
  }
  if (!options->no_wait) {
    /* The first customer of the seed, then an idle frame (the page request has finished). */
    if (!tui_wait_text(pccart->tui, "Contoso, Ltd.") || !tui_wait_idle(pccart->tui)) {
      snprintf(err, err_size, "pccart did not show its customers: %s", tui_error(pccart->tui));
      tui_dump(pccart->tui, "pccart_start");
      pccart_stop(pccart);
      return NULL;
    }
  }
  return pccart;
}

int pccart_stop(Pccart *pccart) {
  if (!pccart)
    return -1;
  int status = tui_stop(pccart->tui);
  if (pccart->owns_http)
    http_ctx_stop(pccart->http);
  free(pccart);
  return status;
}

static cJSON *request_log(Pccart *pccart, const char *op) {
  char path[128];
  snprintf(path, sizeof path, "requests?op=%s", op);
  HttpResponse response;
  cJSON *json = NULL;
  if (sandbox_control(pccart->http, "GET", path, NULL, &response) && response.status == 200) {
    json = response.json;
    response.json = NULL;
  }
  http_response_clear(&response);
  return json;
}

char *pccart_last_request_body(Pccart *pccart, const char *op, int *count) {
  cJSON *json = request_log(pccart, op);
  const cJSON *items = json ? json_items(json) : NULL;
  int size = cJSON_IsArray(items) ? cJSON_GetArraySize(items) : 0;
  if (count)
    *count = size;
  char *body = NULL;
  if (size > 0) {
    const char *text = json_str_at(cJSON_GetArrayItem(items, size - 1), "body");
    body = text ? strdup(text) : NULL;
  }
  cJSON_Delete(json);
  return body;
}

int pccart_request_count(Pccart *pccart, const char *op) {
  int count = 0;
  free(pccart_last_request_body(pccart, op, &count));
  return count;
}

char *pccart_read_file(const char *path) {
  FILE *file = fopen(path, "rb");
  if (!file)
    return NULL;
  size_t capacity = 4096, length = 0;
  char *text = malloc(capacity);
  while (text) {
    size_t n = fread(text + length, 1, capacity - length - 1, file);
    length += n;
    if (n == 0)
      break;
    if (capacity - length - 1 == 0) {
      char *bigger = realloc(text, capacity * 2);
      if (!bigger) {
        free(text);
        text = NULL;
        break;
      }
      text = bigger;
      capacity *= 2;
    }
  }
  bool failed = ferror(file);
  fclose(file);
  if (!text || failed) {
    free(text);
    return NULL;
  }
  text[length] = '\0';
  return text;
}

/* ----- steps ----- */

bool pccart_keys(Pccart *pccart, const char *keys) {
  return tui_send(pccart->tui, keys) && tui_wait_idle(pccart->tui);
}

static bool status_names(Tui *tui, const void *name) {
  return strstr(tui_row(tui, 0), name) != NULL;
}

bool pccart_pick_customer(Pccart *pccart, const char *filter, const char *name) {
  Tui *tui = pccart->tui;
  /* One Enter picks the selected customer straight from the filter. */
  if (!pccart_keys(pccart, "/") || !pccart_keys(pccart, filter) || !tui_wait_text(tui, name) ||
      !pccart_keys(pccart, "<Enter>"))
    return false;
  char what[200];
  snprintf(what, sizeof what, "the status bar naming \"%s\" after Enter", name);
  return tui_wait_for(tui, status_names, name, what);
}

bool pccart_browse_to_form(Pccart *pccart, const char *product, const char *sku, const char *term) {
  Tui *tui = pccart->tui;
  if (!pccart_keys(pccart, "a") || !tui_wait_text(tui, "Search products:") ||
      !pccart_keys(pccart, product) || !pccart_keys(pccart, "<Enter>") ||
      !tui_wait_text(tui, "Search SKUs:") || !tui_wait_idle(tui) || !pccart_keys(pccart, sku) ||
      !pccart_keys(pccart, "<Enter>") || !tui_wait_text(tui, "Search terms:") ||
      !tui_wait_idle(tui))
    return false;
  if (term && !pccart_keys(pccart, term))
    return false;
  return pccart_keys(pccart, "<Enter>") && tui_wait_text(tui, "New line:");
}

bool pccart_form_focus(Pccart *pccart, const char *label) {
  /* "›" marks the field with the cursor, right before its label. Tab stops at the last field:
   * then the way is back up with S-Tab. */
  char marked[160];
  snprintf(marked, sizeof marked, "›%s", label);
  const char *key = "<Tab>";
  for (int i = 0; i < 48; i++) {
    if (tui_screen_contains(pccart->tui, marked))
      return true;
    char *before = tui_screen_text(pccart->tui);
    bool moved = pccart_keys(pccart, key);
    char *after = moved ? tui_screen_text(pccart->tui) : NULL;
    bool same = before && after && strcmp(before, after) == 0;
    free(before);
    free(after);
    if (!moved)
      return false;
    if (same) {
      if (strcmp(key, "<S-Tab>") == 0)
        break;
      key = "<S-Tab>";
    }
  }
  tui_set_error(pccart->tui, "no form field \"%s\" reached with Tab and S-Tab", label);
  return false;
}

bool pccart_form_type(Pccart *pccart, const char *label, const char *text) {
  return pccart_form_focus(pccart, label) && pccart_keys(pccart, "<C-u>") &&
         pccart_keys(pccart, text);
}

bool pccart_form_submit(Pccart *pccart) {
  return pccart_keys(pccart, "<C-s>") && tui_wait_text_gone(pccart->tui, "New line:");
}

Pccart *pccart_start_or_fail(const char *bin, const PccartOptions *options) {
  if (!bin) {
    print_message("pccart is not built yet: skipped\n");
    skip();
  }
  char err[512];
  Pccart *pccart = pccart_start(bin, options, err, sizeof err);
  if (!pccart)
    fail_msg("%s", err);
  return pccart;
}

void pccart_quit(Pccart *pccart) {
  tui_assert_send(pccart->tui, "q");
  int status = -1;
  TUI_ASSERT(pccart->tui, tui_wait_exit(pccart->tui, &status));
  assert_int_equal(status, 0);
  assert_int_equal(pccart_stop(pccart), 0);
}

bool pccart_status_says(Tui *tui, const void *text) {
  return strstr(tui_row(tui, 0), text) != NULL;
}
