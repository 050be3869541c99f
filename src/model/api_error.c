/* Partner Center's refusal bodies (standard and 429 shapes) and the token reply. */
#include "model/api_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void api_error_clear(ApiError *error) {
  if (!error) {
    return;
  }
  free(error->code_text);
  free(error->description);
  string_list_clear(&error->data);
  free(error->source);
  memset(error, 0, sizeof *error);
}

/* error must be zeroed or hold a previous result, which is released. */
bool api_error_from_json(ApiError *error, const cJSON *json) {
  if (!error) {
    return false;
  }
  api_error_clear(error);
  if (!cJSON_IsObject(json)) {
    return false;
  }
  const cJSON *code = json_get(json, "code");
  const cJSON *description = json_get(json, "description");
  if (code || description) {
    error->shape = API_ERROR_SHAPE_STANDARD;
    OptInt number = json_get_int(json, "code");
    if (number.set) {
      error->code = number.value;
    } else if (cJSON_IsString(code) && code->valuestring[0]) {
      error->code_text = model_strdup(code->valuestring);
    }
    error->description = json_dup_string(json, "description");
    json_read_strings(&error->data, json_get(json, "data"));
    error->source = json_dup_string(json, "source");
    return true;
  }
  const cJSON *status = json_get(json, "statusCode");
  const cJSON *message = json_get(json, "message");
  if (status || message) {
    error->shape = API_ERROR_SHAPE_THROTTLE;
    OptInt number = json_get_int(json, "statusCode");
    error->code = number.set ? number.value : 0;
    error->description = json_dup_string(json, "message");
    return true;
  }
  return false;
}

bool api_error_parse(ApiError *error, const char *text) {
  if (!error) {
    return false;
  }
  cJSON *json = text ? cJSON_Parse(text) : NULL;
  bool ok = api_error_from_json(error, json);
  cJSON_Delete(json);
  return ok;
}

cJSON *api_error_to_json(const ApiError *error) {
  if (!error) {
    return NULL;
  }
  cJSON *json = cJSON_CreateObject();
  if (!json) {
    return NULL;
  }
  bool ok;
  if (error->shape == API_ERROR_SHAPE_THROTTLE) {
    ok = json_put_int(json, "statusCode", opt_int(error->code)) &&
         json_put_string(json, "message", error->description);
  } else {
    ok = (error->code_text ? json_put_string(json, "code", error->code_text)
                           : json_put_int(json, "code", opt_int(error->code))) &&
         json_put_string(json, "description", error->description);
    /* data is always present in the service's bodies, even when empty. */
    if (ok && error->data.count == 0) {
      ok = cJSON_AddArrayToObject(json, "data") != NULL;
    } else if (ok) {
      ok = json_put_strings(json, "data", &error->data);
    }
    ok = ok && json_put_string(json, "source", error->source);
  }
  if (!ok) {
    cJSON_Delete(json);
    return NULL;
  }
  return json;
}

cJSON *api_error_body(long code, const char *description) {
  ApiError error = {
      .shape = API_ERROR_SHAPE_STANDARD,
      .code = code,
      .description = (char *)description,
      .source = "PartnerFD",
  };
  return api_error_to_json(&error);
}

cJSON *api_throttle_body(long retry_after_seconds) {
  char message[96];
  snprintf(message, sizeof message, "Rate limit is exceeded. Try again in %ld seconds.",
           retry_after_seconds);
  ApiError error = {.shape = API_ERROR_SHAPE_THROTTLE, .code = 429, .description = message};
  return api_error_to_json(&error);
}

/* token must be zeroed or hold a previous reply, which is released. */
bool token_response_from_json(TokenResponse *token, const cJSON *json) {
  if (!token) {
    return false;
  }
  token_response_clear(token);
  if (!cJSON_IsObject(json)) {
    return false;
  }
  token->token_type = json_dup_string(json, "token_type");
  token->access_token = json_dup_string(json, "access_token");
  token->refresh_token = json_dup_string(json, "refresh_token");
  token->scope = json_dup_string(json, "scope");
  token->resource = json_dup_string(json, "resource");
  token->expires_in = json_get_int(json, "expires_in");
  token->expires_on = json_get_int(json, "expires_on");
  return true;
}

/* Secrets must not linger in freed heap memory; volatile keeps the wipe from being elided. */
static void free_secret(char *secret) {
  if (!secret) {
    return;
  }
  volatile char *p = secret;
  while (*p) {
    *p++ = '\0';
  }
  free(secret);
}

void token_response_clear(TokenResponse *token) {
  if (!token) {
    return;
  }
  free(token->token_type);
  free_secret(token->access_token);
  free_secret(token->refresh_token);
  free(token->scope);
  free(token->resource);
  memset(token, 0, sizeof *token);
}

static bool put_number_text(cJSON *json, const char *name, OptInt value) {
  if (!value.set) {
    return true;
  }
  char text[32];
  snprintf(text, sizeof text, "%ld", value.value);
  return json_put_string(json, name, text);
}

cJSON *token_response_to_json(const TokenResponse *token) {
  if (!token) {
    return NULL;
  }
  cJSON *json = cJSON_CreateObject();
  if (!json) {
    return NULL;
  }
  bool ok = json_put_string(json, "token_type", token->token_type) &&
            json_put_string(json, "scope", token->scope) &&
            put_number_text(json, "expires_in", token->expires_in) &&
            put_number_text(json, "expires_on", token->expires_on) &&
            json_put_string(json, "resource", token->resource) &&
            json_put_string(json, "access_token", token->access_token) &&
            json_put_string(json, "refresh_token", token->refresh_token);
  if (!ok) {
    cJSON_Delete(json);
    return NULL;
  }
  return json;
}
