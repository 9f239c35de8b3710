export { BatchRunner, type BatchRunnerOptions } from './batch-runner.ts';
export { BatchService } from './batch-service.ts';
export { outputFileId, parseResultFileId } from './batch-view.ts';
export { createLineExecutor, type ExecuteLine } from './execute.ts';
export { BATCH_ENDPOINTS, validateBatchInput } from './validate.ts';
