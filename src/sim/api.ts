import type { IncomingMessage, ServerResponse } from 'node:http';
import { planChat } from './chat.ts';
import { planEmbeddings } from './embeddings.ts';
import type { Reply } from './errors.ts';
import { invalidApiKey, missingApiKey, missingApiVersion, modelNotFound, openaiError } from './errors.ts';
import { applyFault } from './faults-apply.ts';
import { drawFault } from './faults.ts';
import { BodyTooLarge, randomId, readBody, requestKey, sendReply } from './http-io.ts';
import { planImages } from './images.ts';
import { planModerations } from './moderations.ts';
import { parseBody } from './parse-body.ts';
import type { Plan, PlanEnv, RequestBody } from './plan.ts';
import { isReply } from './plan.ts';
import type { LimitContext } from './rate-limit-replies.ts';
import { concurrencyRefusal, rateLimitHeaders, windowRefusal } from './rate-limit-replies.ts';
import type { Endpoint, Route } from './routes.ts';
import { AZURE_OPERATIONS } from './routes.ts';
import type { AccountState, SimState } from './state.ts';
import { knownModels, registerImage, servesModel } from './state.ts';

type ApiRoute = Extract<Route, { kind: 'api' }>;

const PLANNERS: Partial<Record<Endpoint, (body: RequestBody, env: PlanEnv) => Plan | Reply>> = {
  chat: planChat,
  embeddings: planEmbeddings,
  moderations: planModerations,
  images: (body, env) => planImages(body, env, false),
  imageEdits: (body, env) => planImages(body, env, true),
};

/** Per-request plumbing shared by the steps below. */
interface Call {
  state: SimState;
  route: ApiRoute;
  req: IncomingMessage;
  res: ServerResponse;
  signal: AbortSignal;
  /** Aborted once the response is closed (sent, or the client left). */
  gone: AbortSignal;
  headers(): Record<string, string>;
  reply(r: Reply, extra?: Record<string, string>): void;
}

/**
 * Serves one API request: api-version (Azure) → auth → body → validation/plan → model →
 * faults → admission (windows + concurrency) → answer. Each refusal happens before any
 * limit is charged, so only admitted requests consume windows.
 */
export async function serveApi(state: SimState, route: ApiRoute, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const call = newCall(state, route, req, res);
  if (route.style === 'azure' && !route.apiVersion) return call.reply(missingApiVersion());
  const key = requestKey(req);
  if (!key) return call.reply(missingApiKey(route.style));
  const account = state.byKey.get(key);
  if (!account) return call.reply(invalidApiKey(key, route.style));
  if (account.faults.invalidKey) {
    state.stats.fault(account.account.name);
    return call.reply(invalidApiKey(key, route.style));
  }
  if (route.endpoint === 'models' || route.endpoint === 'model') return call.reply(modelsReply(state, route));
  const plan = await planRequest(call);
  if (isReply(plan)) return call.reply(plan);
  if (!servesModel(state, account, plan.model)) return call.reply(modelNotFound(plan.model, route.style));
  const limitContext: LimitContext = { model: plan.model, style: route.style, operation: AZURE_OPERATIONS[route.endpoint] ?? 'Completions_Create', apiVersion: route.apiVersion ?? '' };
  const fault = drawFault(account.faults, account.random, plan.stream);
  if (fault) {
    const rateHeaders = () => rateLimitHeaders(account.limits, plan.model, plan.imageEndpoint, route.style, performance.now());
    return applyFault(state, fault, { ...call, plan, account, limitContext, rateHeaders });
  }
  return admitAndRespond(call, account, plan, limitContext);
}

function newCall(state: SimState, route: ApiRoute, req: IncomingMessage, res: ServerResponse): Call {
  const started = performance.now();
  const requestId = randomId('req_', 16);
  const gone = new AbortController();
  res.once('close', () => gone.abort());
  const headers = (): Record<string, string> =>
    route.style === 'azure' ? { 'x-request-id': requestId } : { 'x-request-id': requestId, 'openai-processing-ms': String(Math.round(performance.now() - started)) };
  return {
    state,
    route,
    req,
    res,
    signal: AbortSignal.any([gone.signal, state.closing.signal]),
    gone: gone.signal,
    headers,
    reply: (r, extra = {}) => sendReply(res, r, { ...headers(), ...extra }),
  };
}

/** Reads and parses the body, then lets the endpoint validate it into a plan. */
async function planRequest(call: Call): Promise<Plan | Reply> {
  let raw: Buffer;
  try {
    raw = await readBody(call.req);
  } catch (err) {
    if (err instanceof BodyTooLarge) return openaiError(413, 'Request body too large.', 'invalid_request_error', null);
    throw err;
  }
  const body = await parseBody(call.req, raw, call.route.endpoint === 'imageEdits');
  if (isReply(body)) return body;
  const host = call.req.headers.host ?? '127.0.0.1';
  const env: PlanEnv = {
    style: call.route.style,
    deployment: call.route.deployment,
    baseUrl: `http://${host}`,
    latency: call.state.latency,
    registerImage: () => registerImage(call.state),
    png: call.state.png,
  };
  return (PLANNERS[call.route.endpoint] as NonNullable<(typeof PLANNERS)['chat']>)(body, env);
}

/** Checks every window and the concurrency cap; refuses (a violation) or charges and answers. */
async function admitAndRespond(call: Call, account: AccountState, plan: Plan, ctx: LimitContext): Promise<void> {
  const { stats } = call.state;
  const name = account.account.name;
  const now = performance.now();
  const refusal = account.limits.check(plan.model, plan.cost, now);
  const max = account.account.maxConcurrent;
  const busy = max !== undefined && stats.inFlight(name) >= max;
  if (refusal || busy) {
    stats.violation(name, plan.model);
    const r = refusal ? windowRefusal(refusal, ctx) : concurrencyRefusal(max as number, plan.latencyMs, ctx);
    return call.reply(r, rateLimitHeaders(account.limits, plan.model, plan.imageEndpoint, call.route.style, now));
  }
  account.limits.commit(plan.model, plan.cost, now);
  stats.accepted(name, plan.model);
  if (call.gone.aborted) return; // the client left while the body was read: nothing in flight
  stats.enter(name);
  call.res.once('close', () => stats.leave(name));
  const rate = rateLimitHeaders(account.limits, plan.model, plan.imageEndpoint, call.route.style, now);
  await plan.respond({ res: call.res, headers: () => ({ ...call.headers(), ...rate }), signal: call.signal, cut: false });
}

/** `GET /v1/models` and `GET /v1/models/{id}`. */
function modelsReply(state: SimState, route: ApiRoute): Reply {
  const model = (id: string) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'sluice-sim' });
  const all = knownModels(state);
  if (route.endpoint === 'models') return { status: 200, body: { object: 'list', data: all.map(model) } };
  const id = route.modelId ?? '';
  return all.includes(id) ? { status: 200, body: model(id) } : modelNotFound(id, 'openai');
}
