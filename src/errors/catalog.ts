/**
 * Every error Sluice can answer with, in one place. Each entry gives the HTTP status and
 * OpenAI's error `type`; the key is the `code` clients see. Statuses and types follow
 * OpenAI's own answers (see shared/OPENAI-WIRE.md, "Error envelope") so that the official
 * SDKs raise the matching error class (400 BadRequest, 401 Authentication, 404 NotFound, ...).
 */
export const ERROR_CATALOG = {
  // --- the client's request ---
  invalid_api_key: { status: 401, type: 'invalid_request_error' },
  invalid_json: { status: 400, type: 'invalid_request_error' },
  invalid_request: { status: 400, type: 'invalid_request_error' },
  missing_required_parameter: { status: 400, type: 'invalid_request_error' },
  invalid_type: { status: 400, type: 'invalid_request_error' },
  invalid_value: { status: 400, type: 'invalid_request_error' },
  unsupported_content_type: { status: 400, type: 'invalid_request_error' },
  request_too_large: { status: 413, type: 'invalid_request_error' },
  request_exceeds_limit: { status: 400, type: 'invalid_request_error' },
  model_not_found: { status: 404, type: 'invalid_request_error' },
  model_not_allowed: { status: 403, type: 'invalid_request_error' },
  not_found: { status: 404, type: 'invalid_request_error' },
  conflict: { status: 409, type: 'invalid_request_error' },
  secret_missing: { status: 400, type: 'invalid_request_error' },
  unknown_url: { status: 404, type: 'invalid_request_error' },
  method_not_allowed: { status: 405, type: 'invalid_request_error' },
  /** A client's guardrails or the moderation pre-check refused the prompt (OpenAI's code for its own refusals). */
  content_policy_violation: { status: 400, type: 'invalid_request_error' },
  // --- capacity ---
  rate_limit_exceeded: { status: 429, type: 'requests' },
  client_rate_limit_exceeded: { status: 429, type: 'requests' },
  budget_exceeded: { status: 429, type: 'insufficient_quota' },
  // --- the upstream side ---
  upstream_error: { status: 502, type: 'server_error' },
  upstream_auth_failed: { status: 502, type: 'server_error' },
  upstream_connection_error: { status: 502, type: 'server_error' },
  upstream_bad_response: { status: 502, type: 'server_error' },
  upstream_timeout: { status: 504, type: 'server_error' },
  no_account_available: { status: 503, type: 'server_error' },
  // --- ours ---
  internal_error: { status: 500, type: 'server_error' },
} as const satisfies Record<string, { status: number; type: string }>;

/** A code from {@link ERROR_CATALOG}. */
export type ErrorCode = keyof typeof ERROR_CATALOG;
