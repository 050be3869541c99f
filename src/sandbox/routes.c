/* The Partner Center endpoints: routing, bearer tokens, customers, the catalog and the
 * cart life cycle (create, get, update, checkout) with its idempotency rules. */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/validate.h"
#include "sandbox/internal.h"
#include "sandbox/seed.h"

#define MAX_SEGMENTS 12
/* The object id of the app registration behind app-only tokens: the documents'
 * lastModifiedUser, so the create example's reply matches the document's. */
#define APP_OBJECT_ID "1824b7fc-2fac-4478-b177-66823c40ab75"
#define USER_OBJECT_ID "7b0f2e8c-4d3a-4e0b-9c61-2f5d8a1e3b47"
#define PC_RESOURCE "https://api.partnercenter.microsoft.com"

typedef struct Segments {
  char *items[MAX_SEGMENTS];
  size_t count;
  char buffer[2048];
} Segments;

static bool split_path(const char *path, Segments *out) {
  out->count = 0;
  if (strlen(path) >= sizeof out->buffer)
    return false;
  strcpy(out->buffer, path);
  char *save = NULL;
  for (char *s = strtok_r(out->buffer, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
    if (out->count == MAX_SEGMENTS)
      return false;
    out->items[out->count++] = s;
  }
  return true;
}

typedef void (*RouteHandler)(Sandbox *, SandboxRequest *, SandboxResponse *, char **args);

typedef struct Route {
  const char *method;
  const char *pattern; /* segments; "*" captures one */
  const char *op;
  RouteHandler handler;
  bool needs_token;
} Route;

/* ----- small helpers ----- */

static bool oom(SandboxResponse *response) {
  return response_error(response, 500, PC_CODE_UNEXPECTED_SERVICE_ERROR,
                        "The sandbox ran out of memory.");
}

static void error_fmt(SandboxResponse *response, int status, long code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void error_fmt(SandboxResponse *response, int status, long code, const char *fmt, ...) {
  char text[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  response_error(response, status, code, text);
}

static void lower_copy(char *dst, const char *src, size_t size) {
  size_t i = 0;
  for (; src[i] && i + 1 < size; i++)
    dst[i] = (char)tolower((unsigned char)src[i]);
  dst[i] = '\0';
}

static void json_reply(SandboxResponse *response, int status, cJSON *json) {
  if (!response_json_take(response, status, json))
    oom(response);
}

/* ----- tokens ----- */

static char *form_value(const char *body, const char *name) {
  size_t n = strlen(name);
  for (const char *p = body; p && *p;) {
    const char *end = strchr(p, '&');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len > n && strncmp(p, name, n) == 0 && p[n] == '=') {
      char *value = malloc(len - n);
      if (!value)
        return NULL;
      size_t o = 0;
      for (size_t i = n + 1; i < len; i++) {
        char c = p[i];
        if (c == '+') {
          c = ' ';
        } else if (c == '%' && i + 2 < len && isxdigit((unsigned char)p[i + 1]) &&
                   isxdigit((unsigned char)p[i + 2])) {
          char hex[3] = {p[i + 1], p[i + 2], 0};
          c = (char)strtol(hex, NULL, 16);
          i += 2;
        }
        value[o++] = c;
      }
      value[o] = '\0';
      return value;
    }
    p = end ? end + 1 : NULL;
  }
  return NULL;
}

static void aad_error(SandboxResponse *response, int status, const char *error,
                      const char *description) {
  cJSON *body = cJSON_CreateObject();
  if (body && json_put_string(body, "error", error) &&
      json_put_string(body, "error_description", description))
    json_reply(response, status, body);
  else {
    cJSON_Delete(body);
    oom(response);
  }
}

static void handle_token(Sandbox *sandbox, SandboxRequest *request, SandboxResponse *response,
                         bool v2) {
  char *grant = form_value(request->body, "grant_type");
  char *client_id = form_value(request->body, "client_id");
  char *client_secret = form_value(request->body, "client_secret");
  char *refresh = form_value(request->body, "refresh_token");
  char *audience = form_value(request->body, v2 ? "scope" : "resource");
  bool user = false;
  if (!grant) {
    aad_error(response, 400, "invalid_request",
              "AADSTS900144: The request body must contain the following parameter: "
              "'grant_type'.");
  } else if (strcmp(grant, "client_credentials") != 0 && strcmp(grant, "refresh_token") != 0) {
    aad_error(response, 400, "unsupported_grant_type",
              "AADSTS70003: The app requested an unsupported grant type; the sandbox supports "
              "client_credentials and refresh_token.");
  } else if (!client_id || strcmp(client_id, SANDBOX_CLIENT_ID) != 0) {
    aad_error(response, 400, "unauthorized_client",
              "AADSTS700016: Application with identifier was not found in the directory. The "
              "sandbox's client id is pccart-sandbox.");
  } else if (!client_secret || strcmp(client_secret, sandbox->client_secret) != 0) {
    aad_error(response, 401, "invalid_client",
              "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in "
              "the request is the client secret value.");
  } else if (!audience || !audience[0]) {
    aad_error(response, 400, "invalid_request",
              v2 ? "AADSTS90014: The required field 'scope' is missing."
                 : "AADSTS50001: The request needs a 'resource' "
                   "(https://api.partnercenter.microsoft.com).");
  } else if (strcmp(grant, "refresh_token") == 0 &&
             (!refresh || strcmp(refresh, SANDBOX_REFRESH_TOKEN) != 0)) {
    aad_error(response, 400, "invalid_grant",
              "AADSTS70000: The provided refresh token is invalid or has expired.");
  } else {
    user = strcmp(grant, "refresh_token") == 0;
    char token[64] = "sbx.";
    sandbox_random_hex(token + 4, 48);
    int64_t now = sandbox_clock_now(sandbox);
    int64_t expires = now + (int64_t)SANDBOX_TOKEN_LIFETIME_S * 1000000;
    /* Tokens live in this process only (never in the state file), so a state file that cannot
     * be read does not stop them. */
    (void)sandbox_lock(sandbox);
    bool stored =
        store_token_put(sandbox->store, token, expires, user ? USER_OBJECT_ID : APP_OBJECT_ID);
    sandbox_unlock(sandbox);
    cJSON *body = cJSON_CreateObject();
    char lifetime[24], expires_on[24], not_before[24];
    snprintf(lifetime, sizeof lifetime, "%d", SANDBOX_TOKEN_LIFETIME_S);
    snprintf(expires_on, sizeof expires_on, "%lld", (long long)(expires / 1000000));
    snprintf(not_before, sizeof not_before, "%lld", (long long)(now / 1000000));
    bool ok = stored && body && json_put_string(body, "token_type", "Bearer");
    if (ok && v2) {
      ok = json_put_string(body, "scope", user ? PC_RESOURCE "/user_impersonation" : audience) &&
           json_put_int(body, "expires_in", opt_int(SANDBOX_TOKEN_LIFETIME_S - 1)) &&
           json_put_int(body, "ext_expires_in", opt_int(SANDBOX_TOKEN_LIFETIME_S - 1));
    } else if (ok) {
      /* Azure AD v1 sends its numbers as strings. */
      ok = (!user || json_put_string(body, "scope", "user_impersonation")) &&
           json_put_string(body, "expires_in", lifetime) &&
           json_put_string(body, "ext_expires_in", lifetime) &&
           json_put_string(body, "expires_on", expires_on) &&
           json_put_string(body, "not_before", not_before) &&
           json_put_string(body, "resource", audience);
    }
    ok = ok && json_put_string(body, "access_token", token) &&
         (!user || json_put_string(body, "refresh_token", SANDBOX_REFRESH_TOKEN));
    if (ok)
      json_reply(response, 200, body);
    else {
      cJSON_Delete(body);
      oom(response);
    }
  }
  free(grant);
  free(client_id);
  if (client_secret)
    explicit_bzero(client_secret, strlen(client_secret));
  free(client_secret);
  if (refresh)
    explicit_bzero(refresh, strlen(refresh));
  free(refresh);
  free(audience);
}

static void route_token_v1(Sandbox *s, SandboxRequest *q, SandboxResponse *r, char **args) {
  handle_token(s, q, r, false);
}

static void route_token_v2(Sandbox *s, SandboxRequest *q, SandboxResponse *r, char **args) {
  handle_token(s, q, r, true);
}

static bool authorize(Sandbox *sandbox, SandboxRequest *request, SandboxResponse *response) {
  const char *header = request_header(request, "Authorization");
  const char *why = "Access denied";
  if (header && strncasecmp(header, "Bearer ", 7) == 0) {
    const char *token = header + 7;
    while (*token == ' ')
      token++;
    int64_t now = sandbox_clock_now(sandbox);
    (void)sandbox_lock(sandbox); /* tokens are not in the state file: see handle_token */
    const StoredToken *found = store_token_get(sandbox->store, token);
    bool valid = found && found->expires_us > now;
    if (valid)
      request->caller_object_id = found->object_id; /* tokens are never removed nor reloaded */
    else if (found)
      why = "Access token has expired";
    sandbox_unlock(sandbox);
    if (valid)
      return true;
  }
  response_error(response, 401, PC_CODE_ACCESS_DENIED, why);
  kv_list_add(&response->headers, "WWW-Authenticate",
              "Bearer realm=\"PartnerCenter\", error=\"invalid_token\"");
  return false;
}

/* ----- customers ----- */

static long find_customer(Sandbox *sandbox, const char *customer_id, SandboxResponse *response) {
  long index = customer_index_find(sandbox->customers, customer_id);
  if (index < 0)
    error_fmt(response, 404, PC_CODE_NOT_FOUND, "Customer %.64s was not found.", customer_id);
  return index;
}

static void route_customer_get(Sandbox *sandbox, SandboxRequest *request, SandboxResponse *response,
                               char **args) {
  long index = find_customer(sandbox, args[0], response);
  if (index < 0)
    return;
  Customer customer = {0};
  if (!seed_customer(index, &customer)) {
    oom(response);
    return;
  }
  json_reply(response, 200, customer_to_json(&customer));
  customer_clear(&customer);
}

/* The continuation token carries the whole query (which index, the prefix, where the next
 * page starts) and a check, so the next call needs only the token, as in Partner Center.
 * Opaque to clients: "ct1" + field + offset + check, then the prefix in hex. */
#define TOKEN_MAX_PREFIX 120

static unsigned long token_check(int field, const char *prefix, long offset) {
  unsigned long h = 2166136261UL ^ (unsigned long)field ^ ((unsigned long)offset << 7);
  for (const char *p = prefix; p && *p; p++)
    h = (h ^ (unsigned char)*p) * 16777619UL;
  return (h ^ 0x5a17c0deUL) & 0xffffffffUL;
}

static void make_token(char *out, size_t size, int field, const char *prefix, long offset) {
  int n = snprintf(out, size, "ct1%c%08lx%08lx", 'a' + field, (unsigned long)offset,
                   token_check(field, prefix, offset));
  for (const unsigned char *p = (const unsigned char *)(prefix ? prefix : "");
       *p && n + 3 < (int)size; p++)
    n += snprintf(out + n, size - (size_t)n, "%02x", *p);
}

/* Reads a token back; prefix receives the filter prefix ("" when none). */
static bool read_token(const char *token, int *field, char *prefix, size_t prefix_size,
                       long *offset) {
  char f;
  unsigned long off, check;
  size_t len = token ? strlen(token) : 0;
  if (len < 20 || (len - 20) % 2 || (len - 20) / 2 >= prefix_size ||
      sscanf(token, "ct1%c%8lx%8lx", &f, &off, &check) != 3 || f < 'a' || f > 'c')
    return false;
  size_t n = 0;
  for (const char *p = token + 20; *p; p += 2) {
    unsigned int byte;
    if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) ||
        sscanf(p, "%2x", &byte) != 1 || byte == 0)
      return false;
    prefix[n++] = (char)byte;
  }
  prefix[n] = '\0';
  if (check != token_check(f - 'a', prefix, (long)off) || off > SANDBOX_MAX_CUSTOMERS)
    return false;
  *field = f - 'a';
  *offset = (long)off;
  return true;
}

static char *url_encode(const char *s) {
  char *out = malloc(strlen(s) * 3 + 1);
  if (!out)
    return NULL;
  char *o = out;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (isalnum(*p) || strchr("-_.~", *p))
      *o++ = (char)*p;
    else
      o += sprintf(o, "%%%02X", *p);
  }
  *o = '\0';
  return out;
}

static void route_customers_list(Sandbox *sandbox, SandboxRequest *request,
                                 SandboxResponse *response, char **args) {
  const char *size_arg = request_arg(request, "size");
  long size = SANDBOX_MAX_PAGE;
  if (size_arg && size_arg[0]) {
    char *end;
    size = strtol(size_arg, &end, 10);
    if (*end || size < 0) {
      error_fmt(response, 400, PC_CODE_INVALID_REQUEST_INPUT,
                "The size parameter must be a whole number from 0 to %d.", SANDBOX_MAX_PAGE);
      return;
    }
    if (size == 0 || size > SANDBOX_MAX_PAGE)
      size = SANDBOX_MAX_PAGE;
  }
  CustomerField field = CUSTOMER_FIELD_ALL;
  char *prefix = NULL;
  const char *filter = request_arg(request, "filter");
  if (filter && filter[0]) {
    cJSON *f = cJSON_Parse(filter);
    const cJSON *name = json_get(f, "Field"), *value = json_get(f, "Value"),
                *op = json_get(f, "Operator");
    bool ok = cJSON_IsObject(f) && cJSON_IsString(name) && cJSON_IsString(value) &&
              (!op || (cJSON_IsString(op) && strcasecmp(op->valuestring, "starts_with") == 0));
    if (ok && strcasecmp(name->valuestring, "CompanyName") == 0)
      field = CUSTOMER_FIELD_NAME;
    else if (ok && strcasecmp(name->valuestring, "Domain") == 0)
      field = CUSTOMER_FIELD_DOMAIN;
    else
      ok = false;
    if (ok)
      prefix = strdup(value->valuestring);
    cJSON_Delete(f);
    if (!ok) {
      response_error(response, 400, PC_CODE_INVALID_REQUEST_INPUT,
                     "The filter must be {\"Field\":\"CompanyName\" or \"Domain\",\"Value\":"
                     "\"<prefix>\",\"Operator\":\"starts_with\"}.");
      return;
    }
    if (!prefix) {
      oom(response);
      return;
    }
  }
  long offset = 0;
  const char *seek = request_arg(request, "seekOperation");
  if (seek && strcasecmp(seek, "Next") == 0) {
    /* The token holds the query; a filter sent again alongside it is ignored. */
    char token_prefix[TOKEN_MAX_PREFIX + 1];
    int token_field;
    if (!read_token(request_header(request, "MS-ContinuationToken"), &token_field, token_prefix,
                    sizeof token_prefix, &offset)) {
      response_error(response, 400, PC_CODE_INVALID_REQUEST_INPUT,
                     "The MS-ContinuationToken header is missing or is not a token this "
                     "sandbox gave out.");
      free(prefix);
      return;
    }
    free(prefix);
    field = (CustomerField)token_field;
    prefix = field == CUSTOMER_FIELD_ALL ? NULL : strdup(token_prefix);
    if (field != CUSTOMER_FIELD_ALL && !prefix) {
      oom(response);
      return;
    }
  } else if (seek && seek[0] && strcasecmp(seek, "First") != 0) {
    response_error(response, 400, PC_CODE_INVALID_REQUEST_INPUT,
                   "The sandbox supports seekOperation=Next (with MS-ContinuationToken) only.");
    free(prefix);
    return;
  } else if (prefix && strlen(prefix) > TOKEN_MAX_PREFIX) {
    error_fmt(response, 400, PC_CODE_INVALID_REQUEST_INPUT,
              "The filter value is longer than %d characters.", TOKEN_MAX_PREFIX);
    free(prefix);
    return;
  }

  long first, total;
  customer_index_range(sandbox->customers, field, prefix, &first, &total);
  long start = offset < total ? offset : total;
  long end = start + size < total ? start + size : total;
  cJSON *items = cJSON_CreateArray();
  bool ok = items != NULL;
  for (long p = start; ok && p < end; p++) {
    Customer customer = {0};
    ok = seed_customer(customer_index_at(sandbox->customers, field, first + p), &customer);
    cJSON *item = ok ? customer_to_json(&customer) : NULL;
    customer_clear(&customer);
    ok = item != NULL;
    if (ok)
      cJSON_AddItemToArray(items, item);
  }
  LinkList links = {0};
  char *encoded =
      filter && filter[0] && !(seek && strcasecmp(seek, "Next") == 0) ? url_encode(filter) : NULL;
  char uri[1024];
  snprintf(uri, sizeof uri, "/customers?size=%ld%s%s", size, encoded ? "&filter=" : "",
           encoded ? encoded : "");
  ok = ok && link_list_add(&links, "self", uri, "GET");
  if (ok && end < total) {
    char token[32 + 2 * TOKEN_MAX_PREFIX];
    make_token(token, sizeof token, field, prefix, end);
    snprintf(uri, sizeof uri, "/customers?size=%ld&seekOperation=Next", size);
    ok = link_list_add(&links, "next", uri, "GET") &&
         kv_list_add(&link_list_get_mut(&links, "next")->headers, "MS-ContinuationToken", token);
  }
  cJSON *page = ok ? json_collection_take(items, &links) : NULL;
  if (!page)
    cJSON_Delete(items);
  link_list_clear(&links);
  free(encoded);
  free(prefix);
  if (page)
    json_reply(response, 200, page);
  else
    oom(response);
}

/* The customer's subscriptions: the seed's plus what was bought here. False once it has
 * answered (out of memory, or a shared state file that cannot be read). */
static bool customer_subscriptions(Sandbox *sandbox, long index, const char *customer_id,
                                   SubscriptionList *out, SandboxResponse *response) {
  if (!seed_customer_subscriptions(index, out)) {
    oom(response);
    return false;
  }
  char key[40];
  lower_copy(key, customer_id, sizeof key);
  if (!sandbox_lock_or_answer(sandbox, response))
    return false;
  const SubscriptionList *bought = store_subscriptions(sandbox->store, key, false);
  bool ok = true;
  for (size_t i = 0; ok && bought && i < bought->count; i++) {
    Subscription *sub = subscription_list_add(out);
    ok = sub && subscription_copy(sub, &bought->items[i]);
  }
  sandbox_unlock(sandbox);
  if (!ok)
    oom(response);
  return ok;
}

static void route_subscriptions(Sandbox *sandbox, SandboxRequest *request,
                                SandboxResponse *response, char **args) {
  long index = find_customer(sandbox, args[0], response);
  if (index < 0)
    return;
  SubscriptionList subs = {0};
  if (customer_subscriptions(sandbox, index, args[0], &subs, response))
    json_reply(response, 200, subscription_list_to_json(&subs));
  subscription_list_clear(&subs);
}

/* ----- the catalog ----- */

/* Global catalog calls need a country; the sandbox sells in the US only. Returns false
 * when the request was refused; *sells is false for another country. */
static bool check_country(SandboxRequest *request, SandboxResponse *response, bool scoped,
                          bool *sells) {
  const char *country = request_arg(request, "country");
  *sells = true;
  if (!country || !country[0]) {
    if (scoped)
      return true; /* the customer's country is implied */
    response_error(response, 400, PC_CODE_INVALID_REQUEST_INPUT,
                   "The country parameter is required, e.g. ?country=US.");
    return false;
  }
  *sells = strcasecmp(country, "US") == 0;
  return true;
}

static bool view_matches(const Product *product, const char *view) {
  if (!view || !view[0])
    return true;
  const char *type = product->product_type.id ? product->product_type.id : "";
  /* The OnlineServices view "includes commercial marketplace, traditional license-based
   * services and new commerce license-based services" (OnlineServicesNCE). */
  if (strcasecmp(view, "OnlineServices") == 0 && strcasecmp(type, "OnlineServicesNCE") == 0)
    return true;
  return strncasecmp(view, type, strlen(type)) == 0 && type[0];
}

typedef struct CatalogScope {
  bool scoped;
  char **args; /* product, sku, availability ids after the customer id */
} CatalogScope;

/* Resolves the customer (for scoped calls) and the country; false when refused. */
static bool catalog_prelude(Sandbox *sandbox, SandboxRequest *request, SandboxResponse *response,
                            char **args, bool scoped, CatalogScope *scope, bool *sells) {
  scope->scoped = scoped;
  scope->args = scoped ? args + 1 : args;
  if (scoped && find_customer(sandbox, args[0], response) < 0)
    return false;
  return check_country(request, response, scoped, sells);
}

static void reply_collection(SandboxResponse *response, cJSON *items, const char *self_uri) {
  LinkList links = {0};
  cJSON *page = NULL;
  if (items && link_list_add(&links, "self", self_uri, "GET"))
    page = json_collection_take(items, &links);
  if (!page)
    cJSON_Delete(items);
  link_list_clear(&links);
  if (page)
    json_reply(response, 200, page);
  else
    oom(response);
}

static void products(Sandbox *s, SandboxRequest *q, SandboxResponse *r, char **args, bool scoped) {
  CatalogScope scope;
  bool sells;
  if (!catalog_prelude(s, q, r, args, scoped, &scope, &sells))
    return;
  const char *view = request_arg(q, "targetView");
  cJSON *items = cJSON_CreateArray();
  for (size_t i = 0; items && sells && i < s->catalog->product_count; i++) {
    if (!view_matches(&s->catalog->products[i], view))
      continue;
    cJSON *item = product_to_json(&s->catalog->products[i]);
    if (!item) {
      cJSON_Delete(items);
      items = NULL;
      break;
    }
    cJSON_AddItemToArray(items, item);
  }
  reply_collection(r, items, "/products?country=US");
}

static const Product *find_product(Sandbox *s, const char *id, SandboxResponse *r) {
  const Product *product = catalog_find_product(s->catalog, id);
  if (!product)
    error_fmt(r, 404, PC_CODE_PRODUCT_NOT_FOUND, "Product %.40s was not found in the catalog.", id);
  return product;
}

static void product(Sandbox *s, SandboxRequest *q, SandboxResponse *r, char **args, bool scoped) {
  CatalogScope scope;
  bool sells;
  if (!catalog_prelude(s, q, r, args, scoped, &scope, &sells))
    return;
  const Product *p = sells ? find_product(s, scope.args[0], r) : NULL;
  if (!sells)
    error_fmt(r, 404, PC_CODE_PRODUCT_NOT_FOUND, "Product %.40s is not sold in that country.",
              scope.args[0]);
  if (p)
    json_reply(r, 200, product_to_json(p));
}

static void skus(Sandbox *s, SandboxRequest *q, SandboxResponse *r, char **args, bool scoped) {
  CatalogScope scope;
  bool sells;
  if (!catalog_prelude(s, q, r, args, scoped, &scope, &sells) || !find_product(s, scope.args[0], r))
    return;
  cJSON *items = cJSON_CreateArray();
  for (size_t i = 0; items && sells && i < s->catalog->sku_count; i++) {
    const Sku *sku = &s->catalog->skus[i];
    if (!sku->product_id || strcasecmp(sku->product_id, scope.args[0]) != 0)
      continue;
    cJSON *item = sku_to_json(sku);
    if (!item) {
      cJSON_Delete(items);
      items = NULL;
      break;
    }
    cJSON_AddItemToArray(items, item);
  }
  char uri[128];
  snprintf(uri, sizeof uri, "/products/%.40s/skus?country=US", scope.args[0]);
  reply_collection(r, items, uri);
}

static const Sku *find_sku(Sandbox *s, const char *pid, const char *sid, SandboxResponse *r) {
  if (!find_product(s, pid, r))
    return NULL;
  const Sku *sku = catalog_find_sku(s->catalog, pid, sid);
  if (!sku)
    error_fmt(r, 404, PC_CODE_SKU_NOT_FOUND, "SKU %.20s of product %.40s was not found.", sid, pid);
  return sku;
}

static void sku(Sandbox *s, SandboxRequest *q, SandboxResponse *r, char **args, bool scoped) {
  CatalogScope scope;
  bool sells;
  if (!catalog_prelude(s, q, r, args, scoped, &scope, &sells))
    return;
  const Sku *found = find_sku(s, scope.args[0], scope.args[1], r);
  if (found && sells)
    json_reply(r, 200, sku_to_json(found));
  else if (found)
    error_fmt(r, 404, PC_CODE_SKU_NOT_FOUND, "SKU %.20s is not sold in that country.",
              scope.args[1]);
}

static void availabilities(Sandbox *s, SandboxRequest *q, SandboxResponse *r, char **args,
                           bool scoped) {
  CatalogScope scope;
  bool sells;
  if (!catalog_prelude(s, q, r, args, scoped, &scope, &sells) ||
      !find_sku(s, scope.args[0], scope.args[1], r))
    return;
  const char *segment = request_arg(q, "targetSegment");
  cJSON *items = cJSON_CreateArray();
  for (size_t i = 0; items && sells && i < s->catalog->availability_count; i++) {
    const Availability *a = &s->catalog->availabilities[i];
    if (!a->product_id || !a->sku_id || strcasecmp(a->product_id, scope.args[0]) != 0 ||
        strcasecmp(a->sku_id, scope.args[1]) != 0)
      continue;
    if (segment && segment[0] && a->segment && strcasecmp(segment, a->segment) != 0)
      continue;
    cJSON *item = availability_to_json(a);
    if (!item) {
      cJSON_Delete(items);
      items = NULL;
      break;
    }
    cJSON_AddItemToArray(items, item);
  }
  char uri[160];
  snprintf(uri, sizeof uri, "/products/%.40s/skus/%.20s/availabilities?country=US", scope.args[0],
           scope.args[1]);
  reply_collection(r, items, uri);
}

static void availability(Sandbox *s, SandboxRequest *q, SandboxResponse *r, char **args,
                         bool scoped) {
  CatalogScope scope;
  bool sells;
  if (!catalog_prelude(s, q, r, args, scoped, &scope, &sells) ||
      !find_sku(s, scope.args[0], scope.args[1], r))
    return;
  const Availability *a =
      catalog_find_availability(s->catalog, scope.args[0], scope.args[1], scope.args[2]);
  if (a && sells)
    json_reply(r, 200, availability_to_json(a));
  else
    error_fmt(r, 404, PC_CODE_AVAILABILITY_NOT_FOUND,
              "Availability %.20s was not found (availability ids are reissued regularly: fetch "
              "the SKU's availabilities again).",
              scope.args[2]);
}

#define CATALOG_ROUTES(name)                                                                       \
  static void route_##name(Sandbox *s, SandboxRequest *q, SandboxResponse *r, char **a) {          \
    name(s, q, r, a, false);                                                                       \
  }                                                                                                \
  static void route_customer_##name(Sandbox *s, SandboxRequest *q, SandboxResponse *r, char **a) { \
    name(s, q, r, a, true);                                                                        \
  }
CATALOG_ROUTES(products)
CATALOG_ROUTES(product)
CATALOG_ROUTES(skus)
CATALOG_ROUTES(sku)
CATALOG_ROUTES(availabilities)
CATALOG_ROUTES(availability)

static void route_offers(Sandbox *s, SandboxRequest *q, SandboxResponse *r, char **args) {
  bool sells;
  if (!check_country(q, r, false, &sells))
    return;
  cJSON *items = cJSON_CreateArray();
  for (size_t i = 0; items && sells && i < s->catalog->offer_count; i++) {
    cJSON *item = offer_to_json(&s->catalog->offers[i]);
    if (!item) {
      cJSON_Delete(items);
      items = NULL;
      break;
    }
    cJSON_AddItemToArray(items, item);
  }
  reply_collection(r, items, "/offers?country=US");
}

static void route_offer(Sandbox *s, SandboxRequest *q, SandboxResponse *r, char **args) {
  bool sells;
  if (!check_country(q, r, false, &sells))
    return;
  const Offer *offer = sells ? catalog_find_offer(s->catalog, args[0]) : NULL;
  if (offer)
    json_reply(r, 200, offer_to_json(offer));
  else
    error_fmt(r, 404, 800004, "Offer %.60s was not found.", args[0]);
}

/* GET /v1/productPromotions?country=..&segment=..: the seed's promotions are for the US
 * commercial segment; another country or segment has none. Both parameters are required
 * as the reference lists them; an unknown segment is refused like an unknown targetSegment. */
static void route_promotions(Sandbox *s, SandboxRequest *q, SandboxResponse *r, char **args) {
  (void)args;
  bool sells;
  if (!check_country(q, r, false, &sells))
    return;
  const char *segment = request_arg(q, "segment");
  static const char *const segments[] = {"commercial", "education", "government", "nonprofit"};
  bool known = false;
  for (size_t i = 0; segment && i < sizeof segments / sizeof segments[0]; i++)
    known = known || strcasecmp(segment, segments[i]) == 0;
  if (!segment || !segment[0]) {
    response_error(r, 400, PC_CODE_INVALID_REQUEST_INPUT,
                   "The segment parameter is required, e.g. ?country=US&segment=commercial.");
    return;
  }
  if (!known) {
    error_fmt(r, 400, PC_CODE_INVALID_REQUEST_INPUT,
              "The segment %.40s is not one of commercial, education, government, nonprofit.",
              segment);
    return;
  }
  bool offered = sells && strcasecmp(segment, "commercial") == 0;
  cJSON *items = cJSON_CreateArray();
  for (size_t i = 0; items && offered && i < s->catalog->promotion_count; i++) {
    cJSON *item = promotion_to_json(&s->catalog->promotions[i]);
    if (!item) {
      cJSON_Delete(items);
      items = NULL;
      break;
    }
    cJSON_AddItemToArray(items, item);
  }
  reply_collection(r, items, "/productPromotions?country=US&segment=commercial");
}

/* ----- carts ----- */

static void cart_self_link(Cart *cart, const char *customer_id) {
  char uri[160];
  snprintf(uri, sizeof uri, "/customers/%s/carts/%s", customer_id, cart->id);
  link_list_clear(&cart->links);
  link_list_add(&cart->links, "self", uri, "GET");
}

/* One order group per purchase system and billing cycle, numbered in order of first
 * appearance: legacy offers "OMS-n", the rest "n" (the documents' grouping). */
/* Lines sent without an id get one, as the service numbers them: the smallest integer from 0
 * that no other line uses (all missing: 0..n-1, in order). */
static void number_lines(Cart *cart) {
  for (size_t i = 0; i < cart->line_items.count; i++) {
    CartLineItem *line = &cart->line_items.items[i];
    if (line->id.set)
      continue;
    for (long id = 0;; id++) {
      bool used = false;
      for (size_t j = 0; j < cart->line_items.count && !used; j++)
        used =
            j != i && cart->line_items.items[j].id.set && cart->line_items.items[j].id.value == id;
      if (!used) {
        line->id = opt_int(id);
        break;
      }
    }
  }
}

static bool assign_order_groups(const Catalog *catalog, Cart *cart) {
  BillingCycle legacy[16], modern[16];
  size_t legacy_count = 0, modern_count = 0;
  for (size_t i = 0; i < cart->line_items.count; i++) {
    CartLineItem *line = &cart->line_items.items[i];
    CatalogItem item = {0};
    bool is_legacy = line->catalog_item_id &&
                     catalog_find_item(catalog, line->catalog_item_id, &item) && item.offer;
    BillingCycle *seen = is_legacy ? legacy : modern;
    size_t *count = is_legacy ? &legacy_count : &modern_count;
    size_t g = 0;
    while (g < *count && seen[g] != line->billing_cycle)
      g++;
    if (g == *count && *count < 16)
      seen[(*count)++] = line->billing_cycle;
    char group[32];
    snprintf(group, sizeof group, "%s%zu", is_legacy ? "OMS-" : "", g);
    free(line->order_group);
    line->order_group = model_strdup(group);
    if (!line->order_group)
      return false;
    for (size_t a = 0; a < line->addon_items.count; a++) {
      CartLineItem *addon = &line->addon_items.items[a];
      free(addon->order_group);
      addon->order_group = model_strdup(group);
      if (!addon->order_group)
        return false;
    }
  }
  return true;
}

/* The service answers provisioning keys with a lower-case first letter ("Scope" -> "scope"). */
static void lower_first_letters(KeyValueList *context) {
  for (size_t i = 0; i < context->count; i++) {
    char *key = context->items[i].key;
    if (key && key[0])
      key[0] = (char)tolower((unsigned char)key[0]);
  }
}

static void clear_server_fields(CartLineItem *line) {
  lower_first_letters(&line->provisioning_context);
  free(line->currency_code);
  line->currency_code = NULL;
  free(line->order_group);
  line->order_group = NULL;
  cart_error_free(line->error);
  line->error = NULL;
  for (size_t a = 0; a < line->addon_items.count; a++)
    clear_server_fields(&line->addon_items.items[a]);
}

static bool fill_currency(const Catalog *catalog, CartLineItem *line) {
  CatalogItem item = {0};
  const char *code = "USD";
  if (line->catalog_item_id && catalog_find_item(catalog, line->catalog_item_id, &item) &&
      item.availability && item.availability->currency_code)
    code = item.availability->currency_code;
  line->currency_code = model_strdup(code);
  if (!line->currency_code)
    return false;
  for (size_t a = 0; a < line->addon_items.count; a++)
    if (!fill_currency(catalog, &line->addon_items.items[a]))
      return false;
  return true;
}

/* Reads and validates a cart body. On a refusal fills response and returns NULL; otherwise
 * the cart with line errors set from the validator's line problems. */
static Cart *read_cart(Sandbox *sandbox, SandboxRequest *request, SandboxResponse *response,
                       long customer_index, const char *customer_id) {
  if (request->body_size == 0) {
    response_error(response, 400, PC_CODE_INVALID_REQUEST_INPUT,
                   "The request body is empty; it must be a cart with lineItems.");
    return NULL;
  }
  if (strlen(request->body) != request->body_size) {
    response_error(response, 400, PC_CODE_INVALID_REQUEST_INPUT,
                   "The request body contains a NUL byte; it must be JSON text.");
    return NULL;
  }
  size_t bad = sandbox_utf8_invalid_at(request->body, request->body_size);
  if (bad != SIZE_MAX) {
    error_fmt(response, 400, PC_CODE_INVALID_REQUEST_INPUT,
              "The request body is not valid UTF-8 (at byte %zu); JSON must be UTF-8.", bad);
    return NULL;
  }
  const char *where = NULL;
  cJSON *json = cJSON_ParseWithOpts(request->body, &where, true);
  if (!json) {
    long offset = where ? (long)(where - request->body) : 0;
    error_fmt(response, 400, PC_CODE_INVALID_REQUEST_INPUT,
              "The request body is not valid JSON (at byte %ld).", offset);
    return NULL;
  }
  char err[256] = "";
  Cart *cart = cart_from_json(json, err, sizeof err);
  cJSON_Delete(json);
  if (!cart) {
    error_fmt(response, 400, PC_CODE_INVALID_REQUEST_INPUT, "The cart is not valid: %s",
              err[0] ? err : "it must be a JSON object with lineItems.");
    return NULL;
  }
  SubscriptionList subs = {0};
  CartProblems problems = {0};
  if (!customer_subscriptions(sandbox, customer_index, customer_id, &subs, response)) {
    subscription_list_clear(&subs);
    cart_free(cart);
    return NULL; /* answered */
  }
  bool ok = true;
  ValidationContext context = {
      .catalog = sandbox->catalog,
      .customer_subscriptions = &subs,
      .partner_is_direct = sandbox->settings.partner_is_direct,
      .enforce_sandbox_limits = sandbox->settings.enforce_sandbox_limits,
  };
  ok = ok && cart_validate(cart, &context, &problems);
  subscription_list_clear(&subs);
  if (!ok) {
    cart_problems_clear(&problems);
    cart_free(cart);
    oom(response);
    return NULL;
  }
  if (cart_problems_has_request_level(&problems)) {
    char text[1024] = "";
    for (size_t i = 0; i < problems.count; i++) {
      if (problems.items[i].level != PROBLEM_REQUEST)
        continue;
      if (text[0])
        strncat(text, " ", sizeof text - strlen(text) - 1);
      strncat(text, problems.items[i].description ? problems.items[i].description : "",
              sizeof text - strlen(text) - 1);
    }
    response_error(response, 400, PC_CODE_INVALID_REQUEST_INPUT, text);
    cart_problems_clear(&problems);
    cart_free(cart);
    return NULL;
  }
  for (size_t i = 0; i < cart->line_items.count; i++)
    clear_server_fields(&cart->line_items.items[i]);
  number_lines(cart);
  for (size_t i = 0; ok && i < problems.count; i++) {
    const CartProblem *p = &problems.items[i];
    if (p->level != PROBLEM_LINE || p->line_index < 0 ||
        (size_t)p->line_index >= cart->line_items.count)
      continue;
    CartLineItem *line = &cart->line_items.items[p->line_index];
    if (p->addon_index >= 0 && (size_t)p->addon_index < line->addon_items.count)
      line = &line->addon_items.items[p->addon_index];
    if (line->error)
      continue; /* the service reports one error per line: the first */
    line->error = cart_error_new(p->code, p->description);
    ok = line->error != NULL;
  }
  cart_problems_clear(&problems);
  for (size_t i = 0; ok && i < cart->line_items.count; i++)
    ok = fill_currency(sandbox->catalog, &cart->line_items.items[i]);
  ok = ok && assign_order_groups(sandbox->catalog, cart);
  if (!ok) {
    cart_free(cart);
    oom(response);
    return NULL;
  }
  return cart;
}

static bool cart_has_errors(const Cart *cart) {
  for (size_t i = 0; i < cart->line_items.count; i++) {
    if (cart->line_items.items[i].error)
      return true;
    for (size_t a = 0; a < cart->line_items.items[i].addon_items.count; a++)
      if (cart->line_items.items[i].addon_items.items[a].error)
        return true;
  }
  return false;
}

static bool set_string(char **field, const char *value) {
  char *copy = model_strdup(value);
  if (value && !copy)
    return false;
  free(*field);
  *field = copy;
  return true;
}

/* Renders the stored cart's GET reply. */
static bool stored_cart_render(StoredCart *stored) {
  cJSON *json = cart_to_json(stored->cart);
  char *body = json ? model_json_print(json) : NULL;
  cJSON_Delete(json);
  if (!body)
    return false;
  free(stored->body);
  stored->body = body;
  stored->has_line_errors = cart_has_errors(stored->cart);
  return true;
}

static void persist(Sandbox *sandbox) {
  char err[512];
  if (!sandbox_persist_locked(sandbox, err, sizeof err) && sandbox->log_file) {
    pthread_mutex_lock(&sandbox->log_file_lock);
    fprintf(sandbox->log_file, "pccart-sandbox: %s\n", err);
    pthread_mutex_unlock(&sandbox->log_file_lock);
  }
}

static void reply_text(SandboxResponse *response, int status, const char *body) {
  free(response->body);
  response->body = strdup(body);
  response->status = status;
  if (!response->body)
    oom(response);
}

static void route_cart_create(Sandbox *sandbox, SandboxRequest *request, SandboxResponse *response,
                              char **args) {
  long index = find_customer(sandbox, args[0], response);
  if (index < 0)
    return;
  char customer_id[40], reply_key[160];
  lower_copy(customer_id, args[0], sizeof customer_id);
  bool has_request_id = request_header(request, "MS-RequestId") != NULL;
  snprintf(reply_key, sizeof reply_key, "create:%s:%s", customer_id, request->request_id);
  if (has_request_id) {
    if (!sandbox_lock_or_answer(sandbox, response))
      return;
    const StoredReply *replay = store_reply_get(sandbox->store, reply_key);
    if (replay)
      reply_text(response, replay->status, replay->body);
    sandbox_unlock(sandbox);
    if (replay)
      return;
  }
  Cart *cart = read_cart(sandbox, request, response, index, customer_id);
  if (!cart)
    return;
  StoredCart *stored = calloc(1, sizeof *stored);
  if (!stored) {
    cart_free(cart);
    oom(response);
    return;
  }
  stored->cart = cart;
  char id[37], created[40], expires[40];
  sandbox_guid(id);
  snprintf(stored->id, sizeof stored->id, "%s", id);
  snprintf(stored->customer_id, sizeof stored->customer_id, "%s", customer_id);
  stored->created_us = sandbox_clock_now(sandbox);
  stored->expires_us = stored->created_us + sandbox->settings.cart_lifetime_s * 1000000;
  sandbox_format_time(stored->created_us, created, sizeof created);
  sandbox_format_time(stored->expires_us, expires, sizeof expires);
  bool ok = set_string(&cart->id, id) && set_string(&cart->creation_timestamp, created) &&
            set_string(&cart->last_modified_timestamp, created) &&
            set_string(&cart->expiration_timestamp, expires) &&
            set_string(&cart->last_modified_user, request->caller_object_id) &&
            set_string(&cart->object_type, "Cart");
  cart->status = CART_STATUS_ACTIVE;
  cart_self_link(cart, args[0]);
  ok = ok && cart->links.count == 1 && stored_cart_render(stored);
  if (!ok) {
    stored_cart_free(stored);
    oom(response);
    return;
  }
  sandbox_pause_point(sandbox, request);
  if (!sandbox_lock_or_answer(sandbox, response)) {
    stored_cart_free(stored);
    return;
  }
  /* Duplicates that raced past the first check (in this sandbox or another on the same state
   * file): the first to commit wins and the others answer with its reply, so one MS-RequestId
   * never makes two carts. */
  const StoredReply *first = has_request_id ? store_reply_get(sandbox->store, reply_key) : NULL;
  if (first) {
    reply_text(response, first->status, first->body);
    sandbox_unlock(sandbox);
    stored_cart_free(stored);
    return;
  }
  const char *body = stored->body;
  ok = store_cart_put(sandbox->store, stored); /* frees stored on failure */
  if (ok) {
    reply_text(response, 201, body);
    if (has_request_id)
      store_reply_put(sandbox->store, reply_key, 201, body);
    persist(sandbox);
  }
  sandbox_unlock(sandbox);
  if (!ok)
    oom(response);
}

/* Finds the customer's live cart, or answers 404 800008. Caller holds the lock. */
static StoredCart *live_cart_locked(Sandbox *sandbox, const char *customer_id, const char *cart_id,
                                    SandboxResponse *response) {
  StoredCart *stored = store_cart_get(sandbox->store, cart_id);
  char customer[40];
  lower_copy(customer, customer_id, sizeof customer);
  /* The clock is read with the lock held, so use the offset directly. */
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  int64_t now = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + sandbox->clock_offset_us;
  if (!stored || strcmp(stored->customer_id, customer) != 0 ||
      (stored->cart->status != CART_STATUS_ORDERED && now >= stored->expires_us)) {
    error_fmt(response, 404, PC_CODE_CART_NOT_FOUND, "Unable to retrieve cart Id %.60s.", cart_id);
    return NULL;
  }
  return stored;
}

static void route_cart_get(Sandbox *sandbox, SandboxRequest *request, SandboxResponse *response,
                           char **args) {
  if (find_customer(sandbox, args[0], response) < 0)
    return;
  if (!sandbox_lock_or_answer(sandbox, response))
    return;
  StoredCart *stored = live_cart_locked(sandbox, args[0], args[1], response);
  if (stored)
    reply_text(response, 200, stored->body);
  sandbox_unlock(sandbox);
}

static void route_cart_update(Sandbox *sandbox, SandboxRequest *request, SandboxResponse *response,
                              char **args) {
  long index = find_customer(sandbox, args[0], response);
  if (index < 0)
    return;
  if (!sandbox_lock_or_answer(sandbox, response))
    return;
  StoredCart *stored = live_cart_locked(sandbox, args[0], args[1], response);
  bool refused = !stored;
  if (stored && stored->cart->status == CART_STATUS_ORDERED) {
    error_fmt(response, 400, PC_CODE_CART_ALREADY_SUBMITTED,
              "Cannot update an already submitted cart %s.", stored->id);
    refused = true;
  } else if (stored && sandbox_cart_busy(stored)) {
    error_fmt(response, 409, PC_CODE_CART_BEING_PROCESSED,
              "Cart %s is being processed by another request.", stored->id);
    refused = true;
  }
  sandbox_unlock(sandbox);
  if (refused)
    return;
  char customer_id[40];
  lower_copy(customer_id, args[0], sizeof customer_id);
  Cart *incoming = read_cart(sandbox, request, response, index, customer_id);
  if (!incoming)
    return;
  sandbox_pause_point(sandbox, request);
  char now_text[40];
  sandbox_format_time(sandbox_clock_now(sandbox), now_text, sizeof now_text);
  if (!sandbox_lock_or_answer(sandbox, response)) {
    cart_free(incoming);
    return;
  }
  /* Look again: the cart may have been checked out or expired while we validated (and the
   * state may have been reloaded: the pointer from before is gone). */
  stored = live_cart_locked(sandbox, args[0], args[1], response);
  bool busy = stored && sandbox_cart_busy(stored);
  if (stored && (stored->cart->status == CART_STATUS_ORDERED || busy)) {
    error_fmt(response, busy ? 409 : 400,
              busy ? PC_CODE_CART_BEING_PROCESSED : PC_CODE_CART_ALREADY_SUBMITTED,
              busy ? "Cart %s is being processed by another request."
                   : "Cannot update an already submitted cart %s.",
              stored->id);
    stored = NULL;
  }
  if (stored) {
    /* PUT replaces every line; the server keeps what it owns. */
    cart_line_list_clear(&stored->cart->line_items);
    stored->cart->line_items = incoming->line_items;
    incoming->line_items = (CartLineItemList){0};
    if (incoming->partner_on_record_attestation_accepted.set)
      stored->cart->partner_on_record_attestation_accepted =
          incoming->partner_on_record_attestation_accepted;
    bool ok = set_string(&stored->cart->last_modified_timestamp, now_text) &&
              set_string(&stored->cart->last_modified_user, request->caller_object_id) &&
              stored_cart_render(stored);
    if (ok) {
      reply_text(response, 201, stored->body);
      persist(sandbox);
    } else {
      sandbox_reload_locked(sandbox); /* drops the half-made change where it can */
      oom(response);
    }
  }
  sandbox_unlock(sandbox);
  cart_free(incoming);
}

/* ----- checkout ----- */

typedef struct GroupFailure {
  char group[32];
  long code;
  char description[256];
} GroupFailure;

static const char *line_title(const Catalog *catalog, const CartLineItem *line, CatalogItem *item) {
  if (line->friendly_name)
    return line->friendly_name;
  if (item->availability && item->sku && item->sku->title)
    return item->sku->title;
  if (item->offer && item->offer->name)
    return item->offer->name;
  return line->catalog_item_id;
}

static bool add_link(LinkList *links, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool add_link(LinkList *links, const char *name, const char *fmt, ...) {
  char uri[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(uri, sizeof uri, fmt, ap);
  va_end(ap);
  return link_list_add(links, name, uri, "GET");
}

/* Orders complete at once for the legacy Azure offer and for new-commerce online services;
 * reservations, software and marketplace items stay pending while they are provisioned. */
static bool completes_at_once(const CatalogItem *item) {
  if (item->offer)
    return true;
  const char *type = item->product ? item->product->product_type.id : NULL;
  return type &&
         (strcasecmp(type, "OnlineServicesNCE") == 0 || strcasecmp(type, "OnlineServices") == 0);
}

static bool record_subscription(Sandbox *sandbox, const char *customer_id, const char *sub_id,
                                const CartLineItem *line, const char *title, const char *order_id,
                                const char *now_text) {
  SubscriptionList *list = store_subscriptions(sandbox->store, customer_id, true);
  Subscription *sub = list ? subscription_list_add(list) : NULL;
  if (!sub)
    return false;
  char uri[160];
  snprintf(uri, sizeof uri, "/customers/%s/subscriptions/%s", customer_id, sub_id);
  bool is_azure = line->catalog_item_id && strcasecmp(line->catalog_item_id, "MS-AZR-0145P") == 0;
  sub->billing_cycle = line->billing_cycle;
  sub->quantity = line->quantity;
  sub->is_trial = opt_bool(line->billing_cycle == BILLING_CYCLE_NONE);
  return set_string(&sub->id, sub_id) && set_string(&sub->entitlement_id, sub_id) &&
         set_string(&sub->offer_id, line->catalog_item_id) && set_string(&sub->offer_name, title) &&
         set_string(&sub->friendly_name, title) &&
         set_string(&sub->unit_type, is_azure ? "Usage-based" : "Licenses") &&
         set_string(&sub->status, "active") &&
         set_string(&sub->term_duration, line->term_duration) &&
         set_string(&sub->creation_date, now_text) && set_string(&sub->order_id, order_id) &&
         set_string(&sub->object_type, "Subscription") &&
         link_list_add(&sub->links, "self", uri, "GET");
}

/* Builds the order of one group (the caller holds the lock: new subscriptions are stored). */
static bool build_order(Sandbox *sandbox, const StoredCart *stored, const char *group, Order *order,
                        const char *now_text, const char *request_id, const char *correlation_id) {
  const Cart *cart = stored->cart;
  bool legacy = strncmp(group, "OMS-", 4) == 0;
  char id[40], alternate[16];
  if (legacy) {
    sandbox_guid(id);
    snprintf(alternate, sizeof alternate, "%s", "");
  } else {
    sandbox_random_id(id, 33);
    sandbox_random_hex(alternate, 12);
  }
  bool completed = true;
  BillingCycle cycle = BILLING_CYCLE_UNSET;
  bool ok = set_string(&order->id, id) &&
            set_string(&order->alternate_id, legacy ? id : alternate) &&
            set_string(&order->reference_customer_id, stored->customer_id) &&
            set_string(&order->currency_code, "USD") &&
            (legacy || set_string(&order->currency_symbol, "$")) &&
            set_string(&order->creation_date, now_text) &&
            set_string(&order->transaction_type, "UserPurchase") &&
            set_string(&order->object_type, "Order") &&
            add_link(&order->links, "self", "/customers/%s/orders/%s", stored->customer_id, id);
  long number = 0;
  for (size_t i = 0; ok && i < cart->line_items.count; i++) {
    const CartLineItem *line = &cart->line_items.items[i];
    if (!line->order_group || strcmp(line->order_group, group) != 0)
      continue;
    CatalogItem item = {0};
    catalog_find_item(sandbox->catalog, line->catalog_item_id, &item);
    completed = completed && completes_at_once(&item);
    cycle = line->billing_cycle;
    OrderLineItem *out = order_add_line_item(order);
    ok = out != NULL;
    if (!ok)
      break;
    const char *title = line_title(sandbox->catalog, line, &item);
    out->line_item_number = opt_int(number++);
    out->quantity = line->quantity;
    ok = set_string(&out->offer_id, line->catalog_item_id) &&
         set_string(&out->term_duration, line->term_duration) &&
         set_string(&out->renews_to_term_duration, line->renews_to_term_duration) &&
         set_string(&out->transaction_type, "New") &&
         set_string(&out->promotion_id, line->promotion_id) &&
         set_string(&out->custom_term_end_date, line->custom_term_end_date) &&
         set_string(&out->friendly_name, title) &&
         set_string(&out->partner_id_on_record,
                    kv_list_get(&line->participants, "transaction_reseller")) &&
         kv_list_copy(&out->provisioning_context, &line->provisioning_context);
    if (ok && item.availability) {
      ok =
          add_link(&out->links, "product", "/products/%s?country=US",
                   item.availability->product_id) &&
          add_link(&out->links, "sku", "/products/%s/skus/%s?country=US",
                   item.availability->product_id, item.availability->sku_id) &&
          add_link(&out->links, "availability", "/products/%s/skus/%s/availabilities/%s?country=US",
                   item.availability->product_id, item.availability->sku_id, item.availability->id);
    }
    ok = ok && add_link(&out->links, "provisioningStatus",
                        "/customers/%s/orders/%s/lineitems/%ld/provisioningstatus",
                        stored->customer_id, id, number - 1);
    if (ok && completes_at_once(&item)) {
      char sub_id[37];
      sandbox_guid(sub_id);
      if (legacy) /* legacy subscription ids come upper case, as in the document */
        for (char *p = sub_id; *p; p++)
          *p = (char)toupper((unsigned char)*p);
      ok = set_string(&out->subscription_id, sub_id) &&
           record_subscription(sandbox, stored->customer_id, sub_id, line, title, id, now_text);
    }
  }
  order->billing_cycle = cycle;
  ok = ok && set_string(&order->status, completed ? "completed" : "pending");
  if (ok) {
    LedgerEntry entry = {
        .order_id = order->id,
        .customer_id = (char *)stored->customer_id,
        .cart_id = (char *)stored->id,
        .order_group = (char *)group,
        .billing_cycle = (char *)billing_cycle_wire(cycle),
        .status = order->status,
        .request_id = (char *)request_id,
        .correlation_id = (char *)correlation_id,
        .creation_date = order->creation_date,
        .line_count = (long)order->line_item_count,
    };
    ok = store_ledger_add(sandbox->store, &entry);
  }
  return ok;
}

/* Answers a checkout whose cart changed hands while it waited at its pause point: the state
 * was reset, or (its owner taken for dead) another checkout went ahead. Caller holds the lock. */
static void checkout_lost(const StoredCart *stored, const char *cart_id,
                          SandboxResponse *response) {
  if (stored && stored->cart->status == CART_STATUS_ORDERED && stored->checkout_body)
    reply_text(response, 201, stored->checkout_body); /* ordered once: that result again */
  else if (!stored)
    error_fmt(response, 404, PC_CODE_CART_NOT_FOUND, "Unable to retrieve cart Id %.60s.", cart_id);
  else
    error_fmt(response, 409, PC_CODE_CART_BEING_PROCESSED,
              "Cart %s is being processed by another request.", stored->id);
}

static void route_cart_checkout(Sandbox *sandbox, SandboxRequest *request,
                                SandboxResponse *response, char **args) {
  if (find_customer(sandbox, args[0], response) < 0)
    return;
  /* The body is ignored: the documents send none, the SDKs send "success". */
  if (!sandbox_lock_or_answer(sandbox, response))
    return;
  StoredCart *stored = live_cart_locked(sandbox, args[0], args[1], response);
  bool go = false;
  char token[17] = "";
  if (stored && stored->cart->status == CART_STATUS_ORDERED && stored->checkout_body) {
    reply_text(response, 201, stored->checkout_body); /* idempotent: the first result again */
  } else if (stored && sandbox_cart_busy(stored)) {
    error_fmt(response, 409, PC_CODE_CART_BEING_PROCESSED,
              "Cart %s is being processed by another request.", stored->id);
  } else if (stored && stored->has_line_errors) {
    error_fmt(response, 400, PC_CODE_CART_ITEM_ERRORS,
              "Error in Cart item(s): cart %s has line items with errors; correct them and "
              "update the cart first.",
              stored->id);
  } else if (stored) {
    /* Busy before the pause point, and saved before the lock is let go, so that a checkout in
     * another sandbox on the same state file sees it too and gets 409. A mark left by a
     * process that died is stale and taken over here. */
    sandbox_cart_mark_busy(stored, token);
    char err[768];
    go = sandbox_persist_locked(sandbox, err, sizeof err);
    if (!go) {
      stored->checkout_busy = false;
      error_fmt(response, 500, PC_CODE_UNEXPECTED_SERVICE_ERROR, "The checkout did not start: %s.",
                err);
    }
  }
  bool busy = stored && !go && response->status == 409;
  char cart_id[40];
  if (stored)
    snprintf(cart_id, sizeof cart_id, "%s", stored->id);
  sandbox_unlock(sandbox);
  if (busy) {
    /* A `hold-busy` fault keeps this 409 until release: a test can then let the first checkout
     * finish before the client hears "being processed" (and asks again). */
    static const FaultKind busy_kind[] = {FAULT_HOLD_BUSY};
    Fault held;
    if (faults_take(&sandbox->faults, request->op, busy_kind, 1, &held))
      faults_pause(&sandbox->faults, &held);
  }
  if (!go)
    return;

  /* The cart is busy from here on: a second checkout now gets 409. */
  sandbox_pause_point(sandbox, request);
  GroupFailure failures[8];
  size_t failure_count = 0;
  static const FaultKind fail_kind[] = {FAULT_FAIL_ORDER_GROUP};
  Fault fault;
  while (failure_count < 8 && faults_take(&sandbox->faults, request->op, fail_kind, 1, &fault)) {
    GroupFailure *f = &failures[failure_count++];
    snprintf(f->group, sizeof f->group, "%s", fault.order_group);
    f->code = fault.code > 0 ? fault.code : PC_CODE_CREATE_ORDER_NOT_SUCCESSFUL;
    snprintf(f->description, sizeof f->description, "%s",
             fault.description[0] ? fault.description : "Create order not successful.");
  }

  char now_text[40];
  sandbox_format_time(sandbox_clock_now(sandbox), now_text, sizeof now_text);
  /* When the state file cannot be read now, the busy mark stays in it with this process as
   * its owner: stale (and taken over) once this process ends. */
  if (!sandbox_lock_or_answer(sandbox, response))
    return;
  /* Found again by id: the state may have been reloaded while we were paused. */
  stored = store_cart_get(sandbox->store, cart_id);
  if (!stored || !stored->checkout_busy || strcmp(stored->busy_token, token) != 0) {
    checkout_lost(stored, cart_id, response);
    sandbox_unlock(sandbox);
    return;
  }
  CartCheckoutResult *result = checkout_result_new();
  bool ok = result != NULL;
  const char *seen[64];
  size_t seen_count = 0;
  for (size_t i = 0; ok && i < stored->cart->line_items.count; i++) {
    const char *group = stored->cart->line_items.items[i].order_group;
    bool dup = false;
    for (size_t g = 0; g < seen_count; g++)
      dup = dup || strcmp(seen[g], group) == 0;
    if (dup || seen_count == 64)
      continue;
    seen[seen_count++] = group;
    const GroupFailure *failure = NULL;
    for (size_t f = 0; f < failure_count; f++)
      if (strcmp(failures[f].group, group) == 0)
        failure = &failures[f];
    if (failure) {
      OrderError *error = checkout_result_add_error(result);
      ok = error && set_string(&error->order_group_id, group) &&
           set_string(&error->description, failure->description);
      if (ok)
        error->code = failure->code;
    } else {
      Order *order = checkout_result_add_order(result);
      ok = order && build_order(sandbox, stored, group, order, now_text, request->request_id,
                                request->correlation_id);
    }
  }
  cJSON *json = ok ? checkout_result_to_json(result) : NULL;
  char *body = json ? model_json_print(json) : NULL;
  /* When every group failed nothing was ordered and the cart stays Active, so checking out
   * again retries. Once anything was ordered the result is final and replayed: retrying
   * only the failed groups is a new cart, never a second order for the others. */
  bool ordered_something = result && result->order_count > 0;
  cJSON_Delete(json);
  checkout_result_free(result);
  /* The stored copy first: an Ordered cart without its result would be ordered again. */
  char *stored_body = body && ordered_something ? strdup(body) : NULL;
  if (body && (!ordered_something || stored_body)) {
    stored->checkout_busy = false;
    if (ordered_something) {
      free(stored->checkout_body);
      stored->checkout_body = stored_body;
      stored->cart->status = CART_STATUS_ORDERED;
    }
    /* Kept even if they cannot be rendered: the state file is written from the cart itself,
     * and the result is final. */
    set_string(&stored->cart->last_modified_timestamp, now_text);
    stored_cart_render(stored);
    reply_text(response, 201, body);
    persist(sandbox);
  } else {
    /* Out of memory half-way: forget the orders and subscriptions made so far by reading the
     * file again (where there is one), and let the cart go. */
    sandbox_reload_locked(sandbox);
    stored = store_cart_get(sandbox->store, cart_id);
    if (stored && stored->checkout_busy && strcmp(stored->busy_token, token) == 0) {
      stored->checkout_busy = false;
      persist(sandbox);
    }
    oom(response);
  }
  free(body);
  sandbox_unlock(sandbox);
}

/* ----- routing ----- */

static const Route routes[] = {
    {"POST", "*/oauth2/token", "token", route_token_v1, false},
    {"POST", "*/oauth2/v2.0/token", "token", route_token_v2, false},
    {"GET", "v1/customers", "customers.list", route_customers_list, true},
    {"GET", "v1/customers/*", "customers.get", route_customer_get, true},
    {"GET", "v1/customers/*/subscriptions", "customers.subscriptions", route_subscriptions, true},
    {"POST", "v1/customers/*/carts", "carts.create", route_cart_create, true},
    {"GET", "v1/customers/*/carts/*", "carts.get", route_cart_get, true},
    {"PUT", "v1/customers/*/carts/*", "carts.update", route_cart_update, true},
    {"POST", "v1/customers/*/carts/*/checkout", "carts.checkout", route_cart_checkout, true},
    {"GET", "v1/products", "catalog.products", route_products, true},
    {"GET", "v1/products/*", "catalog.product", route_product, true},
    {"GET", "v1/products/*/skus", "catalog.skus", route_skus, true},
    {"GET", "v1/products/*/skus/*", "catalog.sku", route_sku, true},
    {"GET", "v1/products/*/skus/*/availabilities", "catalog.availabilities", route_availabilities,
     true},
    {"GET", "v1/products/*/skus/*/availabilities/*", "catalog.availability", route_availability,
     true},
    {"GET", "v1/customers/*/products", "catalog.products", route_customer_products, true},
    {"GET", "v1/customers/*/products/*", "catalog.product", route_customer_product, true},
    {"GET", "v1/customers/*/products/*/skus", "catalog.skus", route_customer_skus, true},
    {"GET", "v1/customers/*/products/*/skus/*", "catalog.sku", route_customer_sku, true},
    {"GET", "v1/customers/*/products/*/skus/*/availabilities", "catalog.availabilities",
     route_customer_availabilities, true},
    {"GET", "v1/customers/*/products/*/skus/*/availabilities/*", "catalog.availability",
     route_customer_availability, true},
    {"GET", "v1/offers", "offers.list", route_offers, true},
    {"GET", "v1/offers/*", "offers.get", route_offer, true},
    {"GET", "v1/productPromotions", "catalog.promotions", route_promotions, true},
};

/* Matches path segments against a pattern; fills args with the "*" captures. */
static bool route_matches(const Route *route, const Segments *path, char **args) {
  char pattern[160];
  snprintf(pattern, sizeof pattern, "%s", route->pattern);
  size_t i = 0, captured = 0;
  char *save = NULL;
  for (char *p = strtok_r(pattern, "/", &save); p; p = strtok_r(NULL, "/", &save), i++) {
    if (i >= path->count)
      return false;
    if (strcmp(p, "*") == 0)
      args[captured++] = path->items[i];
    else if (strcasecmp(p, path->items[i]) != 0)
      return false;
  }
  return i == path->count;
}

/* Answers the faults that replace the reply before anything is done. */
static bool early_fault(Sandbox *sandbox, SandboxRequest *request, SandboxResponse *response) {
  static const FaultKind kinds[] = {FAULT_THROTTLE, FAULT_STATUS, FAULT_DROP};
  Fault fault;
  if (!faults_take(&sandbox->faults, request->op, kinds, 3, &fault))
    return false;
  char seconds[24];
  snprintf(seconds, sizeof seconds, "%ld", fault.retry_after);
  if (fault.kind == FAULT_DROP) {
    response->drop = true;
  } else if (fault.kind == FAULT_THROTTLE) {
    json_reply(response, 429, api_throttle_body(fault.retry_after));
    kv_list_add(&response->headers, "Retry-After", seconds);
  } else {
    long code = fault.code > 0 ? fault.code : PC_CODE_UNEXPECTED_SERVICE_ERROR;
    const char *description = fault.description[0]
                                  ? fault.description
                                  : (fault.status == 503 ? "The service is temporarily unavailable."
                                                         : "Unexpected service error.");
    response_error(response, fault.status, code, description);
    if (fault.retry_after > 0)
      kv_list_add(&response->headers, "Retry-After", seconds);
  }
  return true;
}

void routes_dispatch(Sandbox *sandbox, SandboxRequest *request, SandboxResponse *response) {
  Segments path;
  char *args[MAX_SEGMENTS];
  const Route *found = NULL;
  char allow[64] = "";
  if (split_path(request->path, &path)) {
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
      if (!route_matches(&routes[i], &path, args))
        continue;
      if (strcmp(routes[i].method, request->method) == 0) {
        found = &routes[i];
        break;
      }
      if (!strstr(allow, routes[i].method)) {
        strncat(allow, allow[0] ? ", " : "", sizeof allow - strlen(allow) - 1);
        strncat(allow, routes[i].method, sizeof allow - strlen(allow) - 1);
      }
    }
  }
  if (!found && allow[0]) {
    error_fmt(response, 405, PC_CODE_INVALID_REQUEST_INPUT,
              "The method %.16s is not allowed here; use %s.", request->method, allow);
    kv_list_add(&response->headers, "Allow", allow);
    return;
  }
  if (!found) {
    response_error(response, 404, PC_CODE_NOT_FOUND, "Resource not found.");
    return;
  }
  request->op = found->op;
  /* Throttling and outages come before authentication, as a front door would apply them. */
  if (early_fault(sandbox, request, response))
    return;
  if (found->needs_token && !authorize(sandbox, request, response))
    return;
  found->handler(sandbox, request, response, args);
  sandbox_pause_point(sandbox, request); /* reads are slowed after the work, writes before commit */
  if (response->status >= 200 && response->status < 300) {
    static const FaultKind drop_kind[] = {FAULT_DROP_AFTER_COMMIT};
    Fault fault;
    if (faults_take(&sandbox->faults, request->op, drop_kind, 1, &fault))
      response->drop = true;
  }
}
