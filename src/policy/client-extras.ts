import type { ClientConfig } from '../config/index.ts';
import type { ClientExtras } from './client-directory.ts';
import { compileGuardrails } from './guardrails.ts';

/**
 * The settings of config-file clients that the key store does not hold (keys made at run time
 * have none of them), by client name. Guardrails are compiled here, once: their word list files
 * are read now, so a missing file stops the start with an error naming the field.
 */
export function clientExtrasFrom(clients: readonly ClientConfig[]): Map<string, ClientExtras> {
  return new Map(
    clients.map((c, i) => [
      c.name,
      {
        degradeImagesAbove: c.degradeImagesAbove,
        cache: c.cache,
        normalizePrompts: c.normalizePrompts,
        imageResponseFormat: c.imageResponseFormat,
        groups: c.groups,
        fallbacks: c.fallbacks,
        guardrails: c.guardrails && compileGuardrails(c.guardrails, `clients[${i}].guardrails`),
        images: c.images,
      },
    ]),
  );
}
