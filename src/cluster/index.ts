export { type BusMessage, Cluster, type ClusterOptions, type ClusterTarget } from './cluster.ts';
export { RedisLimits } from './redis-limits.ts';
