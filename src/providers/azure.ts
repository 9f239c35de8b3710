import type { AccountConfig } from '../config/index.ts';
import { bodyWithModel, classifyOpenAiFailure, joinUrl, jsonHeaders } from './openai-compatible.ts';
import { readRateLimitHeaders } from './rate-limit-headers.ts';
import { ENDPOINT_PATHS, type PreparedRequest, type ProviderAdapter, type UpstreamCall } from './types.ts';

/**
 * Azure OpenAI. Two URL shapes (Microsoft's docs, see shared/OPENAI-WIRE.md "Azure OpenAI"):
 * - classic: `{baseUrl}/openai/deployments/{deployment}/chat/completions?api-version=...`;
 * - v1 GA: a baseUrl ending in `/openai/v1`, OpenAI paths, `model` = the deployment name.
 * Auth is the `api-key` header. A public model name maps to a deployment via `deployments`
 * (or, failing that, the account's generic `modelMap`).
 */
export const azureAdapter: ProviderAdapter = {
  kind: 'azure',
  prepare(account: AccountConfig, call: UpstreamCall): PreparedRequest {
    const deployment = account.deployments[call.model] ?? account.modelMap[call.model] ?? call.model;
    const base = account.baseUrl ?? '';
    const headers = jsonHeaders(call);
    headers['api-key'] = account.apiKey;
    const path = ENDPOINT_PATHS[call.endpoint];
    if (/\/openai\/v1\/?$/.test(base)) {
      return { url: joinUrl(base, path), headers, body: bodyWithModel(call, deployment) };
    }
    const url = joinUrl(base, `/openai/deployments/${encodeURIComponent(deployment)}${path}`);
    url.searchParams.set('api-version', account.apiVersion);
    return { url, headers, body: bodyWithModel(call, deployment) };
  },
  classifyFailure: classifyOpenAiFailure,
  readRateLimits: readRateLimitHeaders,
};
