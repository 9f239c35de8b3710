export { EventLog, type EventType, type SluiceEvent } from './event-log.ts';
