import { randomBytes } from 'node:crypto';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { GatewayError } from '../errors/index.ts';
import { authenticate } from './auth.ts';
import type { HttpDeps } from './context.ts';
import { handleError } from './error-handler.ts';
import { recordOutcome } from './record.ts';
import { registerAdminRoutes } from './routes/admin.ts';
import { registerFileAndBatchRoutes } from './routes/files-batches.ts';
import { registerImageEdits } from './routes/image-edits.ts';
import { registerImageFileRoute } from './routes/image-files.ts';
import { registerMetricsRoute } from './routes/metrics.ts';
import { registerDashboardRoutes } from './routes/dashboard.ts';
import { registerModelRoutes } from './routes/models.ts';
import { registerJsonRoutes } from './routes/openai-json.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body's bytes as received, so an unchanged body is relayed without re-encoding. */
    rawBody: Buffer | null;
  }
}

/**
 * Request ids `req_` + 32 hex digits: 20 random ones drawn once per server, then a counter —
 * unique like a UUID, without a random draw and two string copies per request.
 */
function requestIds(): () => string {
  const prefix = `req_${randomBytes(10).toString('hex')}`;
  let n = 0;
  return () => prefix + (n++).toString(16).padStart(12, '0');
}

/** Builds the HTTP server (not listening yet). */
export function buildHttpServer(deps: HttpDeps, logger: FastifyServerOptions['logger']): FastifyInstance {
  const { server } = deps.config;
  const app = Fastify({
    logger,
    bodyLimit: server.maxBodyBytes,
    // One access-log line per request is written by our onResponse hook instead.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIds(),
    requestIdHeader: false,
    return503OnClosing: true,
  });
  app.decorateRequest('client', null);
  app.decorateRequest('facts', null);
  app.decorateRequest('recorded', false);
  app.decorateRequest('rawBody', null);

  // Our own JSON parser: keeps the raw bytes, and bad JSON becomes OpenAI's 400.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    req.rawBody = body as Buffer;
    try {
      done(null, body.length === 0 ? undefined : JSON.parse(body.toString('utf8')));
    } catch {
      done(new GatewayError('invalid_json', 'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly. The OpenAI API expects a JSON payload.)'), undefined);
    }
  });

  // Callback-style hooks: an async hook costs a promise and a microtask turn per request.
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    if (req.url.startsWith('/v1/')) recordOutcome(req, reply, deps, reply.statusCode);
    done();
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((req, reply) => {
    const e = new GatewayError('unknown_url', `Invalid URL (${req.method} ${req.url.split('?')[0]})`);
    void reply.code(e.status).send(e.toBody());
  });

  registerMetricsRoute(app, deps);
  app.register(async (dash) => registerDashboardRoutes(dash, deps));
  const startedAt = Date.now();
  app.get('/healthz', async () => ({ status: 'ok', accounts: deps.pool.list().filter((a) => a.enabled).length, models: deps.pool.models().length }));

  app.register(
    async (v1) => {
      await v1.register(multipart, {
        limits: { fileSize: server.maxUploadBytes, files: 17, fields: 50, fieldSize: 1024 * 1024 },
        throwFileSizeLimit: true,
      });
      v1.addHook('onRequest', (req, _reply, done) => {
        try {
          authenticate(req, deps.clients);
        } catch (err) {
          return done(err as Error);
        }
        done();
      });
      registerJsonRoutes(v1, deps);
      registerImageEdits(v1, deps);
      registerModelRoutes(v1, deps, startedAt);
      registerFileAndBatchRoutes(v1, deps);
    },
    { prefix: '/v1' },
  );
  app.register(async (admin) => registerAdminRoutes(admin, deps), { prefix: '/admin' });
  registerImageFileRoute(app, deps);
  return app;
}
