/**
 * Error answers in the exact envelopes the real services use: OpenAI's
 * `{"error":{"message","type","param","code"}}` (all four keys, null allowed) and, on Azure
 * classic paths, Azure's `{"error":{"code","message"}}` where Azure uses its own shape.
 */

/** Which dialect a request arrived in; decides header sets and some error envelopes. */
export type ApiStyle = 'openai' | 'azure';

/** A complete answer the server writes as JSON. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** OpenAI's envelope. */
export function openaiError(status: number, message: string, type: string, code: string | null, param: string | null = null): Reply {
  return { status, body: { error: { message, type, param, code } } };
}

/** Azure's own envelope (no type/param). */
export function azureError(status: number, code: string, message: string): Reply {
  return { status, body: { error: { code, message } } };
}

/** Masks a key like OpenAI does: a few leading characters, stars, the last four. */
export function maskKey(key: string): string {
  if (key.length <= 8) return `${key.slice(0, 2)}${'*'.repeat(Math.max(0, key.length - 2))}`;
  return `${key.slice(0, 5)}${'*'.repeat(key.length - 9)}${key.slice(-4)}`;
}

/** 401 for an unknown key (or the `invalidKey` fault). The message quotes part of the key, like OpenAI's. */
export function invalidApiKey(key: string, style: ApiStyle): Reply {
  if (style === 'azure') {
    return azureError(401, '401', 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.');
  }
  return openaiError(401, `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key');
}

/** 401 when no key was sent at all. */
export function missingApiKey(style: ApiStyle): Reply {
  if (style === 'azure') return invalidApiKey('', style);
  return openaiError(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.", 'invalid_request_error', null);
}

/** 404 for a model the account does not serve (Azure: a deployment that does not exist). */
export function modelNotFound(model: string, style: ApiStyle): Reply {
  if (style === 'azure') {
    return azureError(404, 'DeploymentNotFound', `The API deployment ${model} for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.`);
  }
  return openaiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
}

/** 400 for a body that is not JSON (OpenAI's wording). */
export function badJson(): Reply {
  return openaiError(400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)", 'invalid_request_error', null);
}

/** 400 for a missing required parameter. */
export function missingParam(param: string): Reply {
  return openaiError(400, `Missing required parameter: '${param}'.`, 'invalid_request_error', 'missing_required_parameter', param);
}

/** 400 for a parameter with a wrong value or type. */
export function invalidParam(param: string, message: string, code = 'invalid_value'): Reply {
  return openaiError(400, message, 'invalid_request_error', code, param);
}

/** 404 for a path the simulator does not serve (OpenAI's wording). */
export function unknownRoute(method: string, path: string): Reply {
  return openaiError(404, `Invalid URL (${method} ${path})`, 'invalid_request_error', null);
}

/** 400 for an Azure classic path without `api-version`. */
export function missingApiVersion(): Reply {
  return azureError(400, '400', 'Missing required query parameter: api-version. Add ?api-version=2024-10-21 (or another supported version) to the URL.');
}

/** Injected 500. */
export function serverError(): Reply {
  return openaiError(500, 'The server had an error while processing your request. Sorry about that!', 'server_error', null);
}

/** Injected 503. */
export function overloaded(): Reply {
  return openaiError(503, 'The server is overloaded or not ready yet.', 'server_error', null);
}

/** Injected quota error: a 429 that no retry can fix. */
export function insufficientQuota(): Reply {
  return openaiError(429, 'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.', 'insufficient_quota', 'insufficient_quota');
}
