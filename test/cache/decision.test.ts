import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CachePolicyInput, cacheDecision, canonicalKey } from '../../src/cache/index.ts';
import type { UpstreamCall } from '../../src/providers/index.ts';
import { callOf, chatCall } from './fixtures.ts';

const edit: UpstreamCall = { endpoint: 'images.edits', model: 'gpt-image-1', form: [{ name: 'prompt', value: 'a hat' }], stream: false };
const embed = callOf('embeddings', { model: 'text-embedding-3-small', input: 'a' });
const moderate = callOf('moderations', { model: 'omni-moderation-latest', input: 'a' });
const image = (n?: number) => callOf('images.generations', { model: 'gpt-image-1', prompt: 'a hat', ...(n ? { n } : {}) });
const noTemp = callOf('chat.completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

type Who = 'default-on' | 'default-off' | 'opted-in' | 'opted-out';
const WHO: Record<Who, Pick<CachePolicyInput, 'clientOptIn' | 'defaultOn'>> = {
  'default-on': { clientOptIn: null, defaultOn: true },
  'default-off': { clientOptIn: null, defaultOn: false },
  'opted-in': { clientOptIn: true, defaultOn: false },
  'opted-out': { clientOptIn: false, defaultOn: true },
};

// [what, call, who, header off, expected: true = cached, or the reason it is not]
const CASES: [string, UpstreamCall, Who, boolean, true | string][] = [
  ['chat at temperature 0', chatCall('hi'), 'default-on', false, true],
  ['chat at temperature 0, header off', chatCall('hi'), 'default-on', true, 'header-off'],
  ['header off beats opt-in', chatCall('hi'), 'opted-in', true, 'header-off'],
  ['client opted out', chatCall('hi'), 'opted-out', false, 'client-opted-out'],
  ['default off, client did not choose', chatCall('hi'), 'default-off', false, 'default-off'],
  ['default off, client opted in', chatCall('hi'), 'opted-in', false, true],
  ['chat temperature 0.7', chatCall('hi', { temperature: 0.7 }), 'default-on', false, 'needs-opt-in:temperature>0'],
  ['chat temperature 0.7, opted in', chatCall('hi', { temperature: 0.7 }), 'opted-in', false, true],
  ['chat without temperature (default 1)', noTemp, 'default-on', false, 'needs-opt-in:temperature>0'],
  ['chat without temperature, opted in', noTemp, 'opted-in', false, true],
  ['chat temperature null (default 1)', chatCall('hi', { temperature: null }), 'default-on', false, 'needs-opt-in:temperature>0'],
  ['chat n=2', chatCall('hi', { n: 2 }), 'default-on', false, 'needs-opt-in:n>1'],
  ['chat n=1', chatCall('hi', { n: 1 }), 'default-on', false, true],
  ['chat n=2, opted in', chatCall('hi', { n: 2 }), 'opted-in', false, true],
  ['chat with user', chatCall('hi', { user: 'u1' }), 'default-on', false, 'needs-opt-in:user'],
  ['chat with user, opted in', chatCall('hi', { user: 'u1' }), 'opted-in', false, true],
  ['chat with empty user', chatCall('hi', { user: '' }), 'default-on', false, true],
  ['chat with safety_identifier', chatCall('hi', { safety_identifier: 'h' }), 'default-on', false, 'needs-opt-in:safety_identifier'],
  ['embeddings', embed, 'default-on', false, true],
  ['embeddings with user', { ...embed, json: { ...embed.json, user: 'u' } }, 'default-on', false, 'needs-opt-in:user'],
  ['embeddings, default off', embed, 'default-off', false, 'default-off'],
  ['moderations', moderate, 'default-on', false, true],
  ['image generation n=1 (absent)', image(), 'default-on', false, true],
  ['image generation n=3', image(3), 'default-on', false, 'needs-opt-in:n>1'],
  ['image generation n=3, opted in', image(3), 'opted-in', false, true],
  ['image edit (multipart)', edit, 'default-on', false, 'image-edit'],
  ['image edit (multipart), opted in', edit, 'opted-in', false, 'image-edit'],
];

describe('cacheDecision', () => {
  for (const [what, call, who, headerOff, expected] of CASES) {
    test(what, () => {
      const d = cacheDecision({ call, ...WHO[who], headerOff, normalize: false });
      if (expected === true) assert.deepEqual(d, { use: true, key: canonicalKey(call, false) });
      else assert.deepEqual(d, { use: false, reason: expected });
    });
  }

  test('normalize is passed on to the key', () => {
    const d = cacheDecision({ call: chatCall('Hi  THERE'), clientOptIn: null, defaultOn: true, headerOff: false, normalize: true });
    assert.deepEqual(d, { use: true, key: canonicalKey(chatCall('hi there'), true) });
  });

  test('a body too deep to key is not cached, and does not throw', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const d = cacheDecision({ call: chatCall('hi', { metadata: deep }), clientOptIn: null, defaultOn: true, headerOff: false, normalize: false });
    assert.deepEqual(d, { use: false, reason: 'unkeyable' });
  });
});
