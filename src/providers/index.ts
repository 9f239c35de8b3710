import type { AccountConfig } from '../config/index.ts';
import { azureAdapter } from './azure.ts';
import { openAiAdapter } from './openai.ts';
import { openAiCompatibleAdapter } from './openai-compatible.ts';
import type { ProviderAdapter } from './types.ts';

const ADAPTERS: Readonly<Record<AccountConfig['provider'], ProviderAdapter>> = {
  openai: openAiAdapter,
  azure: azureAdapter,
  'openai-compatible': openAiCompatibleAdapter,
};

/** The adapter for an account's `provider`. */
export function adapterFor(provider: AccountConfig['provider']): ProviderAdapter {
  return ADAPTERS[provider];
}

export { parseGoDuration, retryAfterMs } from './durations.ts';
export { readRateLimitHeaders, type RateLimitInfo } from './rate-limit-headers.ts';
export { scrubSecrets } from './scrub.ts';
export { TransportError, UpstreamClient, toTransportError, type SendOptions } from './upstream-client.ts';
export { callFields } from './types.ts';
export type {
  Endpoint,
  FailureKind,
  FormPart,
  PreparedRequest,
  ProviderAdapter,
  UpstreamCall,
  UpstreamFailure,
  UpstreamResponse,
} from './types.ts';
