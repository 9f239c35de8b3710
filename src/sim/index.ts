/**
 * The upstream simulator: a fake OpenAI / Azure OpenAI service that judges the gateway.
 * It imports nothing from the gateway (only node:, yaml and zod), so a bug in the gateway's
 * limiter cannot hide behind the same bug here. See docs/SIMULATOR.md.
 */
export type { SimAccount, SimAccountStats, SimFaults, SimLatencyKey, SimModelLimits, SimModelStats, SimOptions, SimStats, Simulator } from './types.ts';
export { startSimulator } from './start.ts';
export { loadSimConfig } from './config.ts';
export type { SimCommandArgs } from './command.ts';
export { DEFAULT_SIM_PORT, runSimCommand } from './command.ts';
export { goDuration } from './durations.ts';
