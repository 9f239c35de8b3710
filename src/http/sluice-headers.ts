import type { FastifyRequest } from 'fastify';
import { PRIORITIES, type Priority, type SchedulerConfig } from '../config/index.ts';
import { GatewayError } from '../errors/index.ts';
import type { Endpoint } from '../providers/index.ts';

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `x-sluice-priority`, capped by the client's own priority (a client may lower, never raise, itself). */
export function requestPriority(req: FastifyRequest, own: Priority): Priority {
  const asked = header(req, 'x-sluice-priority')?.trim().toLowerCase();
  if (asked === undefined || asked === '') return own;
  const rank = PRIORITIES.indexOf(asked as Priority);
  if (rank < 0) {
    throw new GatewayError('invalid_value', "Invalid value for header 'x-sluice-priority': use high, normal or low.", { param: 'x-sluice-priority' });
  }
  return rank < PRIORITIES.indexOf(own) ? own : (asked as Priority);
}

/** `x-sluice-max-wait-ms`, or the endpoint's default (images wait longer), at most `maxWaitCapMs`. */
export function requestMaxWait(req: FastifyRequest, endpoint: Endpoint, cfg: SchedulerConfig): number {
  const asked = header(req, 'x-sluice-max-wait-ms')?.trim();
  if (asked === undefined || asked === '') return endpoint.startsWith('images') ? cfg.maxWaitMs.images : cfg.maxWaitMs.default;
  if (!/^\d{1,10}$/.test(asked)) {
    throw new GatewayError('invalid_value', "Invalid value for header 'x-sluice-max-wait-ms': a whole number of milliseconds.", { param: 'x-sluice-max-wait-ms' });
  }
  return Math.min(Number(asked), cfg.maxWaitCapMs);
}
