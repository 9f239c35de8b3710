export { applyClientPolicy, checkModel, type Admitted, type BudgetView, type PolicyDeps } from './admit.ts';
export { contentText } from './call-text.ts';
export { clientExtrasFrom } from './client-extras.ts';
export { ClientDirectory, hashKey, identityOf, mayUseModel, type AuthFailure, type ClientExtras, type ClientIdentity } from './client-directory.ts';
export { ClientLimiter } from './client-limiter.ts';
export { retarget } from './fallback.ts';
export { type BlockSource, compileGuardrails, type Guardrails, PromptRefused } from './guardrails.ts';
export type { ImagePolicy, PolicyNotes } from './image-policy.ts';
export { moderate, type ModerationContext, type ModerationDeps } from './moderation.ts';
