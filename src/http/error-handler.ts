import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/index.ts';
import { TransportError } from '../providers/index.ts';

/**
 * Turns fastify's own errors (body parsing, limits, multipart) into Sluice's, so every answer
 * uses OpenAI's envelope and a catalog code.
 */
export function fromFrameworkError(err: FastifyError): GatewayError | undefined {
  const status = err.statusCode ?? 500;
  if (status === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.code === 'FST_REQ_FILE_TOO_LARGE') {
    return new GatewayError('request_too_large', 'The request body is too large.');
  }
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new GatewayError('unsupported_content_type', `Unsupported content type. Send the body as application/json (or multipart/form-data for uploads).`);
  }
  if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new GatewayError('invalid_json', 'We could not parse the JSON body of your request.');
  }
  if (status >= 400 && status < 500) return new GatewayError('invalid_request', err.message);
  return undefined;
}

/**
 * The one place errors become HTTP answers. Known errors keep their status and code;
 * anything else is logged and answered with a generic 500 that leaks nothing.
 */
export function handleError(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof TransportError && err.kind === 'aborted') {
    req.log.info({ reqId: req.id }, 'client went away');
    return;
  }
  let ge = err instanceof GatewayError ? err : fromFrameworkError(err as FastifyError);
  if (!ge) {
    req.log.error({ err: { message: err.message, stack: err.stack, name: err.name } }, 'unexpected error');
    ge = new GatewayError('internal_error', 'The server had an error while processing your request.');
  }
  (req.facts ??= {}).error = ge.code;
  if (reply.sent || reply.raw.headersSent) return;
  void reply.code(ge.status).headers(ge.headers).send(ge.toBody());
}
