export { ConfigError, configFrom, interpolateEnv, loadConfigFile, parseAccount, parseConfig } from './load.ts';
export {
  checkRouting,
  clientPolicySchema,
  IMAGE_QUALITIES,
  MODERATED_ENDPOINTS,
  PRIORITIES,
  PROVIDERS,
  type AccountConfig,
  type ClientConfig,
  type ClientPolicy,
  type ConfigInput,
  type ModelLimits,
  type Priority,
  type SchedulerConfig,
  type SluiceConfig,
} from './schema.ts';
