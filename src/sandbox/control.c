/* The control API under /_sandbox/ (loopback only): faults, holds, the clock, the
 * ledger, the request log and reset — what trainers and tests steer the sandbox with. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/internal.h"

static void reply(SandboxResponse *response, int status, cJSON *json) {
  if (!response_json_take(response, status, json))
    response_error(response, 500, PC_CODE_UNEXPECTED_SERVICE_ERROR,
                   "The sandbox ran out of memory.");
}

static cJSON *parse_body(SandboxRequest *request, SandboxResponse *response, bool required) {
  if (request->body_size == 0 && !required)
    return cJSON_CreateObject();
  cJSON *json = cJSON_ParseWithLength(request->body, request->body_size);
  if (!cJSON_IsObject(json)) {
    cJSON_Delete(json);
    response_error(response, 400, PC_CODE_INVALID_REQUEST_INPUT,
                   "The control API takes a JSON object body.");
    return NULL;
  }
  return json;
}

static void status(Sandbox *sandbox, SandboxResponse *response) {
  char now[40];
  sandbox_format_time(sandbox_clock_now(sandbox), now, sizeof now);
  pthread_mutex_lock(&sandbox->faults.lock);
  long faults = (long)sandbox->faults.count, held = sandbox->faults.held;
  pthread_mutex_unlock(&sandbox->faults.lock);
  if (!sandbox_lock_or_answer(sandbox, response))
    return;
  long carts = (long)sandbox->store->carts.count, orders = (long)sandbox->store->ledger_count;
  sandbox_unlock(sandbox);
  cJSON *json = cJSON_CreateObject();
  bool ok = json && json_put_string(json, "scenario", sandbox->scenario) &&
            json_put_int(json, "customers", opt_int(customer_index_count(sandbox->customers))) &&
            json_put_string(json, "now", now) && json_put_int(json, "faults", opt_int(faults)) &&
            json_put_int(json, "held", opt_int(held)) &&
            json_put_int(json, "carts", opt_int(carts)) &&
            json_put_int(json, "orders", opt_int(orders));
  if (!ok) {
    cJSON_Delete(json);
    json = NULL;
  }
  reply(response, 200, json);
}

static cJSON *log_entry_to_json(const RequestLogEntry *e) {
  cJSON *item = cJSON_CreateObject();
  bool ok =
      item && json_put_string(item, "method", e->method) &&
      json_put_string(item, "path", e->path) && json_put_string(item, "query", e->query) &&
      json_put_string(item, "op", e->op) && json_put_string(item, "requestId", e->request_id) &&
      json_put_string(item, "correlationId", e->correlation_id) &&
      json_put_kv_object(item, "headers", &e->headers) && json_put_string(item, "body", e->body) &&
      json_put_int(item, "status", opt_int(e->status));
  if (!ok) {
    cJSON_Delete(item);
    return NULL;
  }
  return item;
}

static void requests(Sandbox *sandbox, SandboxRequest *request, SandboxResponse *response) {
  const char *op = request_arg(request, "op");
  cJSON *items = cJSON_CreateArray();
  pthread_mutex_lock(&sandbox->log_lock);
  size_t start = (sandbox->log_next + SANDBOX_REQUEST_LOG_SIZE - sandbox->log_count) %
                 SANDBOX_REQUEST_LOG_SIZE;
  for (size_t i = 0; items && i < sandbox->log_count; i++) {
    const RequestLogEntry *e = &sandbox->log[(start + i) % SANDBOX_REQUEST_LOG_SIZE];
    if (op && op[0] && (!e->op || strcmp(e->op, op) != 0))
      continue;
    cJSON *item = log_entry_to_json(e);
    if (!item) {
      cJSON_Delete(items);
      items = NULL;
      break;
    }
    cJSON_AddItemToArray(items, item);
  }
  pthread_mutex_unlock(&sandbox->log_lock);
  reply(response, 200, items ? json_collection_take(items, NULL) : NULL);
}

static void clock_reply(Sandbox *sandbox, SandboxResponse *response) {
  char now[40];
  sandbox_format_time(sandbox_clock_now(sandbox), now, sizeof now);
  if (!sandbox_lock_or_answer(sandbox, response))
    return;
  long offset = (long)(sandbox->clock_offset_us / 1000000);
  sandbox_unlock(sandbox);
  cJSON *json = cJSON_CreateObject();
  if (json && json_put_string(json, "now", now) &&
      json_put_int(json, "offsetSeconds", opt_int(offset)))
    reply(response, 200, json);
  else {
    cJSON_Delete(json);
    reply(response, 500, NULL);
  }
}

static void reset(Sandbox *sandbox, SandboxResponse *response) {
  faults_release(&sandbox->faults);
  /* A reset replaces the state whatever the file held: it is also the way out of a damaged
   * shared state file, so a failed reload does not stop it. */
  (void)sandbox_lock(sandbox);
  store_reset(sandbox->store);
  sandbox->clock_offset_us = 0;
  sandbox_state_replaced_locked(sandbox);
  bool ok = scenario_apply(sandbox->scenario, &sandbox->settings, &sandbox->faults);
  char err[512];
  if (!sandbox_persist_locked(sandbox, err, sizeof err))
    ok = false;
  sandbox_unlock(sandbox);
  if (ok)
    status(sandbox, response);
  else
    response_error(response, 500, PC_CODE_UNEXPECTED_SERVICE_ERROR,
                   "The sandbox could not reset completely (memory or the state file).");
}

void control_dispatch(Sandbox *sandbox, SandboxRequest *request, SandboxResponse *response) {
  const char *path = request->path + strlen("/_sandbox");
  const char *method = request->method;
  bool get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
  const char *allow = NULL;
  if (strcmp(path, "/status") == 0) {
    if (get)
      status(sandbox, response);
    else
      allow = "GET";
  } else if (strcmp(path, "/faults") == 0) {
    if (get) {
      cJSON *items = faults_to_json(&sandbox->faults);
      reply(response, 200, items ? json_collection_take(items, NULL) : NULL);
    } else if (post) {
      cJSON *body = parse_body(request, response, true);
      char err[256];
      long id;
      if (body && faults_arm_json(&sandbox->faults, body, &id, err, sizeof err)) {
        cJSON *json = cJSON_CreateObject();
        if (json && !json_put_int(json, "id", opt_int(id))) {
          cJSON_Delete(json);
          json = NULL;
        }
        reply(response, 201, json);
      } else if (body) {
        response_error(response, 400, PC_CODE_INVALID_REQUEST_INPUT, err);
      }
      cJSON_Delete(body);
    } else if (strcmp(method, "DELETE") == 0) {
      faults_clear(&sandbox->faults);
      reply(response, 200, cJSON_CreateObject());
    } else {
      allow = "GET, POST, DELETE";
    }
  } else if (strcmp(path, "/wait-held") == 0) {
    if (post) {
      cJSON *body = parse_body(request, response, false);
      if (body) {
        OptInt count = json_get_int(body, "count");
        long want = count.set && count.value > 0 ? count.value : 1;
        if (faults_wait_held(&sandbox->faults, want, 30000)) {
          cJSON *json = cJSON_CreateObject();
          if (json && !json_put_int(json, "held", opt_int(want))) {
            cJSON_Delete(json);
            json = NULL;
          }
          reply(response, 200, json);
        } else {
          response_error(response, 408, PC_CODE_INVALID_REQUEST_INPUT,
                         "Not enough requests were held within 30 seconds.");
        }
      }
      cJSON_Delete(body);
    } else {
      allow = "POST";
    }
  } else if (strcmp(path, "/release") == 0) {
    if (post) {
      long released = faults_release(&sandbox->faults);
      cJSON *json = cJSON_CreateObject();
      if (json && !json_put_int(json, "released", opt_int(released))) {
        cJSON_Delete(json);
        json = NULL;
      }
      reply(response, 200, json);
    } else {
      allow = "POST";
    }
  } else if (strcmp(path, "/clock") == 0) {
    if (get) {
      clock_reply(sandbox, response);
    } else if (post) {
      cJSON *body = parse_body(request, response, true);
      const cJSON *advance = body ? json_get(body, "advanceSeconds") : NULL;
      if (body && (!cJSON_IsNumber(advance) || advance->valuedouble < 0 ||
                   advance->valuedouble > 10.0 * 365 * 86400)) {
        response_error(response, 400, PC_CODE_INVALID_REQUEST_INPUT,
                       "\"advanceSeconds\" must be a number of seconds from 0 to ten years: the "
                       "sandbox clock only moves forward.");
      } else if (body) {
        char err[1024];
        if (sandbox_clock_advance(sandbox, (int64_t)advance->valuedouble, err, sizeof err))
          clock_reply(sandbox, response);
        else
          response_error(response, 500, PC_CODE_UNEXPECTED_SERVICE_ERROR, err);
      }
      cJSON_Delete(body);
    } else {
      allow = "GET, POST";
    }
  } else if (strcmp(path, "/ledger") == 0) {
    if (get && sandbox_lock_or_answer(sandbox, response)) {
      cJSON *json = store_ledger_to_json(sandbox->store);
      sandbox_unlock(sandbox);
      reply(response, 200, json);
    } else if (!get) {
      allow = "GET";
    }
  } else if (strcmp(path, "/requests") == 0) {
    if (get)
      requests(sandbox, request, response);
    else
      allow = "GET";
  } else if (strcmp(path, "/reset") == 0) {
    if (post)
      reset(sandbox, response);
    else
      allow = "POST";
  } else {
    response_error(response, 404, PC_CODE_NOT_FOUND,
                   "Unknown control endpoint; see docs/sandbox.md for /_sandbox/ endpoints.");
  }
  if (allow) {
    response_error(response, 405, PC_CODE_INVALID_REQUEST_INPUT,
                   "That method is not allowed on this control endpoint.");
    kv_list_add(&response->headers, "Allow", allow);
  }
}
