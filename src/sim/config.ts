import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { SimFaults, SimOptions } from './types.ts';

const rate = z.number().min(0).max(1);

/** Schema of {@link SimFaults}; unknown keys are errors so a typo does not silently disable a fault. */
export const faultsSchema = z.strictObject({
  error500Rate: rate.optional(),
  error503Rate: rate.optional(),
  rate429Rate: rate.optional(),
  insufficientQuota: z.boolean().optional(),
  invalidKey: z.boolean().optional(),
  hangRate: rate.optional(),
  resetRate: rate.optional(),
  malformedRate: rate.optional(),
  cutStreamRate: rate.optional(),
});

const count = z.number().int().min(0);

const modelLimitsSchema = z.strictObject({
  rpm: count.optional(),
  tpm: count.optional(),
  rpd: count.optional(),
  ipm: count.optional(),
  burst: z.strictObject({ requests: count, perSeconds: z.number().positive() }).optional(),
});

const latencySchema = z.strictObject({
  chat: z.number().min(0).optional(),
  chatChunk: z.number().min(0).optional(),
  embeddings: z.number().min(0).optional(),
  moderations: z.number().min(0).optional(),
  images: z.number().min(0).optional(),
  imageEdits: z.number().min(0).optional(),
});

/** Schema of {@link SimOptions}, the shape of a simulator YAML file. */
export const simOptionsSchema = z.strictObject({
  host: z.string().optional(),
  port: z.number().int().min(0).max(65535).optional(),
  accounts: z.array(
    z.strictObject({
      name: z.string().min(1),
      key: z.string().min(1),
      limits: z.record(z.string(), modelLimitsSchema).optional(),
      maxConcurrent: z.number().int().min(1).optional(),
      faults: faultsSchema.optional(),
    }),
  ),
  timeScale: z.number().positive().optional(),
  latencyMs: latencySchema.optional(),
  seed: z.number().int().optional(),
  models: z.array(z.string()).optional(),
});

/** Validates faults given at run time (API or `POST /sim/faults`); throws a readable error. */
export function parseFaults(value: unknown): SimFaults {
  const result = faultsSchema.safeParse(value);
  if (!result.success) throw new Error(`sim faults: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** Validates options; throws an error naming the bad field. */
export function parseSimOptions(value: unknown, source = 'sim config'): SimOptions {
  const result = simOptionsSchema.safeParse(value);
  if (!result.success) throw new Error(`${source}: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** Loads a simulator YAML file (same shape as {@link SimOptions}), validated. */
export function loadSimConfig(path: string): SimOptions {
  const text = readFileSync(path, 'utf8');
  return parseSimOptions(parseYaml(text), path);
}
