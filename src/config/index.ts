export { ConfigError, configFrom, interpolateEnv, loadConfigFile, parseConfig } from './load.ts';
export {
  PRIORITIES,
  PROVIDERS,
  type AccountConfig,
  type ClientConfig,
  type ConfigInput,
  type ModelLimits,
  type Priority,
  type SchedulerConfig,
  type SluiceConfig,
} from './schema.ts';
