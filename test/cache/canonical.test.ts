import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stableJson } from '../../src/cache/canonical.ts';
import { canonicalKey } from '../../src/cache/index.ts';
import { normalizeText } from '../../src/cache/normalize.ts';
import { callOf, chatCall } from './fixtures.ts';

const keyOfRaw = (raw: string, normalize = false): string => {
  const json = JSON.parse(raw) as Record<string, unknown>;
  return canonicalKey(callOf('chat.completions', json), normalize);
};

describe('canonical key', () => {
  test('key order and JSON whitespace do not matter; the key is sha256 hex', () => {
    const a = keyOfRaw('{"model":"gpt-4o-mini","temperature":0,"messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_object","x":1}}');
    const b = keyOfRaw(`{
      "response_format": { "x": 1, "type": "json_object" },
      "messages": [ { "content": "hi", "role": "user" } ],
      "temperature": 0,   "model": "gpt-4o-mini" }`);
    assert.equal(a, b);
    assert.match(a, /^[0-9a-f]{64}$/);
  });

  test('every answer-changing parameter changes the key', () => {
    const base = canonicalKey(chatCall('hi'), false);
    const variants: Record<string, unknown>[] = [
      { temperature: 0.5 },
      { top_p: 0.9 },
      { max_completion_tokens: 5 },
      { max_tokens: 5 },
      { seed: 42 },
      { stop: ['\n'] },
      { response_format: { type: 'json_object' } },
      { tools: [{ type: 'function', function: { name: 'f' } }] },
      { tool_choice: 'none' },
      { logprobs: true },
      { presence_penalty: 1 },
      { frequency_penalty: 1 },
      { logit_bias: { '50256': -100 } },
      { reasoning_effort: 'low' },
      { n: 2 },
      { service_tier: 'flex' },
      { some_future_param: true },
      { messages: [{ role: 'user', content: 'hi!' }] },
      { messages: [{ role: 'system', content: 'hi' }] },
      { messages: [{ role: 'user', content: 'hi' }, { role: 'user', content: 'hi' }] },
    ];
    const keys = variants.map((v) => canonicalKey(chatCall('hi', v), false));
    for (const [i, k] of keys.entries()) assert.notEqual(k, base, JSON.stringify(variants[i]));
    assert.equal(new Set(keys).size, keys.length, 'all variants differ from each other too');
    assert.notEqual(canonicalKey({ ...chatCall('hi'), model: 'gpt-4o' }, false), base, 'model');
    assert.notEqual(canonicalKey({ ...chatCall('hi'), endpoint: 'embeddings' }, false), base, 'endpoint');
  });

  test('parameters that do not change the answer leave the key alone', () => {
    const base = canonicalKey(chatCall('hi'), false);
    for (const extra of [{ user: 'u-1' }, { safety_identifier: 'h-1' }, { prompt_cache_key: 'p' }, { stream: true }, { stream_options: { include_usage: true } }]) {
      assert.equal(canonicalKey(chatCall('hi', extra), false), base, JSON.stringify(extra));
    }
  });

  test('stream_options counts for a stream (it decides the usage chunk), not otherwise', () => {
    const s = (extra: Record<string, unknown>) => canonicalKey(chatCall('hi', { stream: true, ...extra }), false);
    assert.notEqual(s({ stream_options: { include_usage: true } }), s({}));
    assert.equal(s({}), canonicalKey(chatCall('hi'), false), 'stream itself is kept apart by the caller');
  });

  test('embeddings: input, dimensions and encoding_format count', () => {
    const e = (json: Record<string, unknown>) => canonicalKey(callOf('embeddings', { model: 'text-embedding-3-small', input: 'a', ...json }), false);
    const keys = [e({}), e({ input: ['a'] }), e({ input: 'b' }), e({ dimensions: 256 }), e({ encoding_format: 'base64' })];
    assert.equal(new Set(keys).size, keys.length);
    assert.equal(e({ user: 'x' }), e({}));
  });

  test('multipart calls have no key', () => {
    const edit = { endpoint: 'images.edits' as const, model: 'gpt-image-1', form: [{ name: 'prompt', value: 'a cat' }], stream: false };
    assert.throws(() => canonicalKey(edit, false), TypeError);
  });
});

describe('normalisation', () => {
  test('normalizeText collapses whitespace runs, trims and lower-cases', () => {
    assert.equal(normalizeText('  Hello \t\n  WORLD\u00a0 Ünï  '), 'hello world ünï');
  });

  test('off: case and spacing count; on: they do not', () => {
    const a = chatCall('Describe  a RED shoe\n');
    const b = chatCall('describe a red shoe');
    assert.notEqual(canonicalKey(a, false), canonicalKey(b, false));
    assert.equal(canonicalKey(a, true), canonicalKey(b, true));
    // Normalising changes only the texts: an already normal prompt shares its entry with clients that do not normalise.
    assert.equal(canonicalKey(b, true), canonicalKey(b, false));
  });

  test('on: text parts, assistant turns, embeddings/moderation inputs and image prompts; not tool results', () => {
    const parts = (t: string) => chatCall('', { messages: [{ role: 'user', content: [{ type: 'text', text: t }] }, { role: 'assistant', content: t }] });
    assert.equal(canonicalKey(parts('A  B'), true), canonicalKey(parts('a b'), true));
    const tool = (t: string) => chatCall('', { messages: [{ role: 'tool', tool_call_id: 'c1', content: t }] });
    assert.notEqual(canonicalKey(tool('{"A": 1}'), true), canonicalKey(tool('{"a": 1}'), true));
    const emb = (input: unknown) => canonicalKey(callOf('embeddings', { model: 'text-embedding-3-small', input }), true);
    assert.equal(emb(['Foo  Bar', 'X']), emb(['foo bar', 'x']));
    assert.notEqual(emb([[1, 2]]), emb([[1, 3]]), 'token arrays untouched');
    const mod = (input: unknown) => canonicalKey(callOf('moderations', { model: 'omni-moderation-latest', input }), true);
    assert.equal(mod([{ type: 'text', text: 'KILL' }]), mod([{ type: 'text', text: 'kill' }]));
    const img = (prompt: string) => canonicalKey(callOf('images.generations', { model: 'gpt-image-1', prompt }), true);
    assert.equal(img('A Red\tShoe'), img('a red shoe'));
  });
});

describe('stableJson', () => {
  test('sorted keys, no whitespace, undefined handled like JSON.stringify', () => {
    assert.equal(stableJson({ b: 1, a: [3, undefined, { d: null, c: 'x' }], u: undefined }), '{"a":[3,null,{"c":"x","d":null}],"b":1}');
  });
});
