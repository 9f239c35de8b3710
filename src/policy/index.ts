export { applyClientPolicy, checkModel, type BudgetView, type PolicyDeps } from './admit.ts';
export { ClientDirectory, hashKey, identityOf, mayUseModel, type AuthFailure, type ClientExtras, type ClientIdentity } from './client-directory.ts';
export { ClientLimiter } from './client-limiter.ts';
