export { ERROR_CATALOG, type ErrorCode } from './catalog.ts';
export { GatewayError, RelayedUpstreamError, type GatewayErrorOptions } from './gateway-error.ts';
