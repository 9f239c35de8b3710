import type { ClientConfig, ClientPolicy } from '../config/index.ts';
import type { ClientExtras } from './client-directory.ts';
import { compileGuardrails } from './guardrails.ts';

/** The extras of one policy; `field` names it in errors (a word list that cannot be read). */
export function extrasOf(p: ClientPolicy | ClientConfig, field: string): ClientExtras {
  const g = p.guardrails;
  return {
    degradeImagesAbove: p.degradeImagesAbove,
    cache: p.cache,
    normalizePrompts: p.normalizePrompts,
    imageResponseFormat: p.imageResponseFormat,
    groups: p.groups,
    fallbacks: p.fallbacks,
    guardrails: g && compileGuardrails({ ...g, wordLists: 'wordLists' in g ? g.wordLists : [] }, `${field}.guardrails`),
    images: p.images,
  };
}

/**
 * The settings of config-file clients that the key store does not hold, by client name (keys
 * made through the admin API keep theirs in the store: `ClientKeyRecord.policy`). Guardrails are
 * compiled here, once: their word list files are read now, so a missing file stops the start
 * with an error naming the field.
 */
export function clientExtrasFrom(clients: readonly ClientConfig[]): Map<string, ClientExtras> {
  return new Map(clients.map((c, i) => [c.name, extrasOf(c, `clients[${i}]`)]));
}
