import type { AccountConfig } from '../config/index.ts';

/** Things that look like API keys, whole or masked the way OpenAI masks them ("sk-ab***...xyz"). */
const KEY_LIKE = /\b(?:sk|pk|rk|key|sess)-[A-Za-z0-9_\-*.]*[A-Za-z0-9_*]/g;

/**
 * Removes the account's API key, and anything shaped like a key, from upstream text before it
 * can reach a client or a log line. Upstreams do echo keys: OpenAI's 401 message quotes a
 * masked prefix and suffix of the key that was sent.
 */
export function scrubSecrets(text: string, account: Pick<AccountConfig, 'apiKey'>): string {
  let out = text;
  if (account.apiKey.length >= 4) out = out.split(account.apiKey).join('[redacted]');
  return out.replace(KEY_LIKE, '[redacted]');
}
