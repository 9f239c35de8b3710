export { AccountPool, type AcquireOptions, type AcquireResult, type PoolOptions } from './account-pool.ts';
export { Lease, type AttemptFailure } from './lease.ts';
export type { LimitSync, SharedDim, SharedReservation } from './limit-sync.ts';
export type { Need } from './limiter.ts';
export { type AccountSnapshot, PoolAccount } from './pool-account.ts';
export { SlidingWindow } from './window.ts';
