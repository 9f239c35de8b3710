export { Scheduler, type Dispatched, type DispatchedJson, type DispatchedStream, type DispatchRequest, type SchedulerOptions } from './scheduler.ts';
