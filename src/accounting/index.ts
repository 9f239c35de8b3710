export { Accounting, type RequestOutcome } from './accounting.ts';
export { type BudgetLimits, Budgets, periodStart } from './budgets.ts';
export { Ledger, type LedgerOptions } from './ledger.ts';
export { stripUsageChunk, withStreamUsage } from './stream-usage.ts';
