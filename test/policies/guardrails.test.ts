import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { createApp } from '../../src/app.ts';
import { ConfigError, configFrom } from '../../src/config/index.ts';
import { openStore } from '../../src/store/index.ts';
import { admin, CLIENT_KEY, startHarness, type Harness } from '../helpers/harness.ts';
import { parseMetrics, total } from '../metrics/parse.ts';

const MODERATED = 'sk-moderated-client-01';
const OPEN = 'sk-unscreened-client-01';

type ApiError = InstanceType<typeof OpenAI.APIError>;

/** Asserts the OpenAI SDK raised 400 with `code`. */
function refused(code: string) {
  return (err: ApiError): boolean => {
    assert.equal(err.status, 400);
    assert.equal(err.code, code);
    return true;
  };
}

async function blocks(h: Harness, client: string, source: string): Promise<number> {
  const res = await fetch(`${h.url}/metrics`);
  return total(parseMetrics(await res.text()), 'sluice_content_policy_blocks_total', { client, source });
}

describe('guardrails before spending', () => {
  let h: Harness;
  let moderated: OpenAI;
  let open: OpenAI;
  before(async () => {
    h = await startHarness({
      clients: [
        {
          name: 'shop',
          key: CLIENT_KEY,
          guardrails: {
            wordLists: ['examples/guardrails/words-en.txt', 'examples/guardrails/words-zh.txt'],
            words: ['competitor brand'],
            patterns: ['\\bcoca[- ]?cola\\b'],
          },
        },
        { name: 'moderated', key: MODERATED, guardrails: { moderation: true } },
        { name: 'open', key: OPEN },
      ],
    });
    moderated = new OpenAI({ apiKey: MODERATED, baseURL: `${h.url}/v1`, maxRetries: 0 });
    open = new OpenAI({ apiKey: OPEN, baseURL: `${h.url}/v1`, maxRetries: 0 });
  });
  after(() => h.close());

  test('a word from the shipped example list: 400 content_policy_violation, nothing sent upstream, counted, logged', async () => {
    await assert.rejects(h.client.images.generate({ model: 'gpt-image-1', prompt: 'A NUDE statue in a museum' }), refused('content_policy_violation'));
    await assert.rejects(h.client.images.generate({ model: 'gpt-image-1', prompt: '一张血腥的海报' }), refused('content_policy_violation'));
    await assert.rejects(h.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'compare us with the Competitor Brand' }] }), refused('content_policy_violation'));
    assert.equal(h.sim.stats().totals.accepted, 0, 'the simulator got no request');
    assert.equal(await blocks(h, 'shop', 'guardrail'), 3);
    const line = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'request' && l.blocked === 'guardrail: word');
    assert.ok(line, 'a request line says why');
    assert.equal(line.status, 400);
  });

  test('Latin words match whole words only; a clean prompt goes through', async () => {
    const img = await h.client.images.generate({ model: 'gpt-image-1', prompt: 'a gorilla in a gorgeous forest' });
    assert.ok(img.data?.[0]?.b64_json);
  });

  test('a regular expression blocks, case-insensitively', async () => {
    await assert.rejects(h.client.images.generate({ model: 'gpt-image-1', prompt: 'a cold COCA-COLA bottle' }), refused('content_policy_violation'));
  });

  test('moderation flags the prompt: 400, the image endpoint never called, the check is in the ledger', async () => {
    const before = h.sim.stats().totals.byModel['gpt-image-1']?.accepted ?? 0;
    let requestId = '';
    await assert.rejects(moderated.images.generate({ model: 'gpt-image-1', prompt: 'a forbidden castle' }), (err: ApiError) => {
      requestId = err.requestID ?? '';
      return refused('content_policy_violation')(err);
    });
    const stats = h.sim.stats().totals.byModel;
    assert.equal(stats['omni-moderation-latest']?.accepted, 1, 'one moderation call');
    assert.equal(stats['gpt-image-1']?.accepted ?? 0, before, 'no image request');
    assert.equal(await blocks(h, 'moderated', 'moderation'), 1);
    const rows = await admin<{ data: Array<{ requestId: string; endpoint: string; status: number; costUsd: number }> }>(h, '/usage/rows');
    const mine = rows.data.filter((r) => r.requestId === requestId);
    assert.deepEqual(mine.map((r) => [r.endpoint, r.status]).sort(), [
      ['images.generations', 400],
      ['moderations', 200],
    ]);
    assert.ok(mine.every((r) => r.costUsd === 0));
  });

  test('moderation passes: the image is generated after one check', async () => {
    const img = await moderated.images.generate({ model: 'gpt-image-1', prompt: 'a friendly castle' });
    assert.ok(img.data?.[0]?.b64_json);
    assert.equal(h.sim.stats().totals.byModel['omni-moderation-latest']?.accepted, 2);
  });

  test('an upstream content-policy refusal is relayed, not retried on another account, and counted', async () => {
    const before = h.sim.stats().totals.accepted;
    await assert.rejects(open.images.generate({ model: 'gpt-image-1', prompt: 'something forbidden' }), refused('moderation_blocked'));
    await assert.rejects(open.images.generate({ model: 'dall-e-3', prompt: 'something forbidden' }), refused('content_policy_violation'));
    assert.equal(h.sim.stats().totals.accepted, before + 2, 'one upstream call each (two accounts could have been tried)');
    assert.equal(await blocks(h, 'open', 'upstream'), 2);
  });
});

describe('guardrails config', () => {
  test('a pattern that does not compile stops the start, naming the field', () => {
    assert.throws(
      () => configFrom({ clients: [{ name: 'a', key: 'sk-a-key-0001', guardrails: { patterns: ['ok', '(unclosed'] } }] }),
      (err: Error) => err instanceof ConfigError && /^clients\[0\]\.guardrails\.patterns\[1\]: is not a valid regular expression/.test(err.message),
    );
  });

  test('a word list that cannot be read stops the start, naming the field', async () => {
    const config = configFrom({ clients: [{ name: 'a', key: 'sk-a-key-0001', guardrails: { wordLists: ['no/such/list.txt'] } }] });
    const store = await openStore({ sqlite: ':memory:' });
    try {
      assert.throws(() => createApp(config, { store }, { logger: false }), /clients\[0\]\.guardrails\.wordLists\[0\]: cannot read word list no\/such\/list\.txt: ENOENT/);
    } finally {
      await store.close();
    }
  });

  test('word list files: comments and blank lines are skipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-words-'));
    const file = join(dir, 'words.txt');
    writeFileSync(file, '# a comment\n\n  secret project  \n');
    const h = await startHarness({ clients: [{ name: 'a', key: CLIENT_KEY, guardrails: { wordLists: [file] } }] });
    try {
      await assert.rejects(h.client.images.generate({ model: 'gpt-image-1', prompt: 'the Secret Project logo' }), refused('content_policy_violation'));
      assert.ok((await h.client.images.generate({ model: 'gpt-image-1', prompt: 'a comment on a secret' })).data?.[0]);
    } finally {
      await h.close();
    }
  });
});
