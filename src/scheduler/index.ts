export { TokenEstimator } from './estimate.ts';
export { Scheduler, type SchedulerHooks } from './scheduler.ts';
export type { Dispatched, DispatchedJson, DispatchedStream, DispatchRequest } from './types.ts';
