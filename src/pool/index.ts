export { AccountPool, type Lease } from './account-pool.ts';
export { PoolAccount } from './pool-account.ts';
