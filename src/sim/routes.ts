import type { ApiStyle } from './errors.ts';

/** The API operations the simulator serves. */
export type Endpoint = 'chat' | 'embeddings' | 'moderations' | 'images' | 'imageEdits' | 'models' | 'model';

/** What a request path means. */
export type Route =
  | { kind: 'api'; endpoint: Endpoint; style: ApiStyle; deployment?: string; apiVersion?: string | null; modelId?: string }
  | { kind: 'sim'; action: 'stats' | 'reset' | 'faults' }
  | { kind: 'image'; id: string }
  | { kind: 'unknown' };

const OPS: Record<string, Endpoint> = {
  'chat/completions': 'chat',
  embeddings: 'embeddings',
  moderations: 'moderations',
  'images/generations': 'images',
  'images/edits': 'imageEdits',
};

/** Azure operation names, used in Azure's 429 wording. */
export const AZURE_OPERATIONS: Record<string, string> = {
  chat: 'ChatCompletions_Create',
  embeddings: 'Embeddings_Create',
  moderations: 'Moderations_Create',
  images: 'ImageGenerations_Create',
  imageEdits: 'ImageEdits_Create',
};

const OPENAI_PATH = /^(?:\/.*)?\/v1\/(chat\/completions|embeddings|moderations|images\/generations|images\/edits|models(?:\/([^/]+))?)$/;
const AZURE_PATH = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings|images\/generations|images\/edits)$/;
const SIM_IMAGE = /^\/sim\/images\/([A-Za-z0-9_-]+)\.png$/;

/**
 * Maps method + URL to a route: OpenAI paths under `/v1/` (and under any prefix ending in
 * `/v1/`, so an "openai-compatible" base URL works), Azure classic deployment paths, and the
 * simulator's own `/sim/...` control paths.
 */
export function matchRoute(method: string, url: URL): Route {
  const path = url.pathname.replace(/\/+$/, '');
  const openai = OPENAI_PATH.exec(path);
  if (openai) {
    const isModels = openai[1].startsWith('models');
    if (isModels !== (method === 'GET')) return { kind: 'unknown' };
    if (isModels) {
      return openai[2] ? { kind: 'api', endpoint: 'model', style: 'openai', modelId: decodeURIComponent(openai[2]) } : { kind: 'api', endpoint: 'models', style: 'openai' };
    }
    return { kind: 'api', endpoint: OPS[openai[1]], style: 'openai' };
  }
  const azure = AZURE_PATH.exec(path);
  if (azure && method === 'POST') {
    const deployment = decodeURIComponent(azure[1]);
    return { kind: 'api', endpoint: OPS[azure[2]], style: 'azure', deployment, apiVersion: url.searchParams.get('api-version') };
  }
  return matchSimRoute(method, path);
}

function matchSimRoute(method: string, path: string): Route {
  const image = SIM_IMAGE.exec(path);
  if (image && method === 'GET') return { kind: 'image', id: image[1] };
  if (path === '/sim/stats' && method === 'GET') return { kind: 'sim', action: 'stats' };
  if (path === '/sim/reset' && method === 'POST') return { kind: 'sim', action: 'reset' };
  if (path === '/sim/faults' && method === 'POST') return { kind: 'sim', action: 'faults' };
  return { kind: 'unknown' };
}
