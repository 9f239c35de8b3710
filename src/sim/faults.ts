import type { SimFaults } from './types.ts';

/** A fault to inject instead of (or in the middle of) a normal answer. */
export type FaultKind =
  | 'invalidKey'
  | 'insufficientQuota'
  | 'error500'
  | 'error503'
  | 'rate429'
  | 'hang'
  | 'reset'
  | 'malformed'
  | 'cutStream';

const RATE_FAULTS: Array<[FaultKind, keyof SimFaults]> = [
  ['error500', 'error500Rate'],
  ['error503', 'error503Rate'],
  ['rate429', 'rate429Rate'],
  ['hang', 'hangRate'],
  ['reset', 'resetRate'],
  ['malformed', 'malformedRate'],
  ['cutStream', 'cutStreamRate'],
];

/**
 * Picks the fault for one request, or null. The boolean faults always apply; the rates share
 * ONE uniform draw laid out cumulatively, so each rate is exact and faults never stack.
 * `cutStream` only applies to streamed answers, so it is skipped for the others.
 */
export function drawFault(faults: SimFaults | undefined, random: () => number, streaming: boolean): FaultKind | null {
  if (!faults) return null;
  if (faults.invalidKey) return 'invalidKey';
  if (faults.insufficientQuota) return 'insufficientQuota';
  const u = random();
  let edge = 0;
  for (const [kind, key] of RATE_FAULTS) {
    if (kind === 'cutStream' && !streaming) continue;
    const rate = faults[key];
    if (typeof rate !== 'number' || !(rate > 0)) continue;
    edge += rate;
    if (u < edge) return kind;
  }
  return null;
}
