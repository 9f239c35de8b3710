import type { AccountConfig } from '../config/index.ts';
import { buildBody, classifyOpenAiFailure, joinUrl, jsonHeaders } from './openai-compatible.ts';
import { readRateLimitHeaders } from './rate-limit-headers.ts';
import { ENDPOINT_PATHS, type PreparedRequest, type ProviderAdapter, type UpstreamCall } from './types.ts';

/**
 * Azure OpenAI. Two URL shapes (Microsoft's docs, see shared/OPENAI-WIRE.md "Azure OpenAI"):
 * - classic: `{baseUrl}/openai/deployments/{deployment}/chat/completions?api-version=...`;
 * - v1 GA: a baseUrl ending in `/openai/v1`, OpenAI paths, `model` = the deployment name.
 * Auth is the `api-key` header. A public model name maps to a deployment via `deployments`.
 */
export const azureAdapter: ProviderAdapter = {
  kind: 'azure',
  prepare(account: AccountConfig, call: UpstreamCall): PreparedRequest {
    const deployment = account.deployments[call.model] ?? call.model;
    const base = account.baseUrl ?? '';
    const headers = jsonHeaders(call);
    headers['api-key'] = account.apiKey;
    const path = ENDPOINT_PATHS[call.endpoint];
    if (/\/openai\/v1\/?$/.test(base)) {
      return { url: joinUrl(base, path), headers, body: withModel(call, deployment) };
    }
    const url = joinUrl(base, `/openai/deployments/${encodeURIComponent(deployment)}${path}`);
    url.searchParams.set('api-version', account.apiVersion);
    return { url, headers, body: withModel(call, deployment) };
  },
  classifyFailure: classifyOpenAiFailure,
  readRateLimits: readRateLimitHeaders,
};

function withModel(call: UpstreamCall, deployment: string): Buffer | string | FormData {
  if (deployment === call.model) return buildBody(call);
  if (call.form) {
    return buildBody({ ...call, form: call.form.map((p) => (p.name === 'model' && 'value' in p ? { name: 'model', value: deployment } : p)) });
  }
  return buildBody(call, { ...call.json, model: deployment });
}
