/* The bodies Partner Center sends when it refuses: the error shape
 * {code, description, data, source}, the 429 shape {statusCode, message}, and the
 * token endpoint's reply (whose numbers arrive as strings). */
#ifndef PCCART_MODEL_API_ERROR_H
#define PCCART_MODEL_API_ERROR_H

#include "model/common.h"

/* Codes used by the cart pages (DOCS error-codes.md). */
enum {
  PC_CODE_ACCESS_DENIED = 400,
  PC_CODE_NOT_FOUND = 1000,
  PC_CODE_PARTNER_TOKEN_MISSING = 800001,
  PC_CODE_INVALID_REQUEST_INPUT = 800002,
  PC_CODE_UNEXPECTED_SERVICE_ERROR = 800003,
  PC_CODE_CREATE_ORDER_NOT_SUCCESSFUL = 800005,
  PC_CODE_CART_NOT_FOUND = 800008,
  PC_CODE_PRODUCT_NOT_FOUND = 400013,      /* error-codes.md: "Product wasn't found" */
  PC_CODE_SKU_NOT_FOUND = 400018,          /* "SKU wasn't found" */
  PC_CODE_AVAILABILITY_NOT_FOUND = 400019, /* "Availability not found" (ids are reissued) */
  PC_CODE_CART_ITEM_ERRORS = 800009,
  PC_CODE_ORDER_IN_PROGRESS = 800060,
  PC_CODE_CART_BEING_PROCESSED = 800064,
  PC_CODE_CART_ALREADY_SUBMITTED = 800065,
  PC_CODE_NO_RELATIONSHIP = 20002,
};

typedef enum ApiErrorShape {
  API_ERROR_SHAPE_NONE = 0, /* body was not a recognised error */
  API_ERROR_SHAPE_STANDARD, /* {code, description, data, source} */
  API_ERROR_SHAPE_THROTTLE, /* {statusCode, message} */
} ApiErrorShape;

typedef struct ApiError {
  ApiErrorShape shape;
  long code;         /* Partner Center code, or statusCode for the 429 shape; 0 if none */
  char *code_text;   /* the code as sent when it was a non-numeric string */
  char *description; /* description, or message for the 429 shape */
  StringList data;
  char *source; /* "PartnerFD" */
} ApiError;

/* Reads either shape; returns false (shape NONE) when the body is neither. */
bool api_error_from_json(ApiError *error, const cJSON *json);
bool api_error_parse(ApiError *error, const char *text);
void api_error_clear(ApiError *error);
/* The standard shape (code written as a number), or the 429 shape when shape says so. */
cJSON *api_error_to_json(const ApiError *error);
/* Convenience for servers: the standard shape with source "PartnerFD". */
cJSON *api_error_body(long code, const char *description);
/* The 429 body: {"statusCode":429,"message":"Rate limit is exceeded. Try again in N seconds."} */
cJSON *api_throttle_body(long retry_after_seconds);

typedef struct TokenResponse {
  char *token_type;
  char *access_token;
  char *refresh_token;
  char *scope;
  char *resource;
  OptInt expires_in; /* seconds; a string or a number on the wire */
  OptInt expires_on; /* epoch seconds; a string or a number on the wire */
} TokenResponse;

bool token_response_from_json(TokenResponse *token, const cJSON *json);
void token_response_clear(TokenResponse *token); /* wipes the secrets before freeing */
/* Writes the v1 shape, numbers as strings as the service does. */
cJSON *token_response_to_json(const TokenResponse *token);

#endif
