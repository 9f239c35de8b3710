import type { AccountConfig } from '../config/index.ts';
import { openAiCompatibleAdapter } from './openai-compatible.ts';
import type { ProviderAdapter, UpstreamCall } from './types.ts';

/** OpenAI's own cloud: the compatible dialect with OpenAI's base URL as the default. */
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

export const openAiAdapter: ProviderAdapter = {
  kind: 'openai',
  prepare(account: AccountConfig, call: UpstreamCall) {
    return openAiCompatibleAdapter.prepare({ ...account, baseUrl: account.baseUrl ?? OPENAI_BASE_URL }, call);
  },
  classifyFailure: openAiCompatibleAdapter.classifyFailure,
  readRateLimits: openAiCompatibleAdapter.readRateLimits,
};
