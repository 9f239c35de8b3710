import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { ConfigError, configFrom } from '../../src/config/index.ts';
import { CLIENT_KEY, startHarness, type Harness } from '../helpers/harness.ts';

const THUMBS = 'sk-thumbnails-client-01';

describe('image quality and size policies', () => {
  let h: Harness;
  let thumbs: OpenAI;
  before(async () => {
    h = await startHarness({
      clients: [
        // Lists: medium at most, 1024x1024 at most; thumbnails: low and square unless they say otherwise.
        { name: 'lists', key: CLIENT_KEY, images: { maxQuality: 'medium', maxSize: '1024x1024' } },
        { name: 'thumbs', key: THUMBS, images: { defaultQuality: 'low', defaultSize: '1024x1024' } },
      ],
    });
    thumbs = new OpenAI({ apiKey: THUMBS, baseURL: `${h.url}/v1`, maxRetries: 0 });
  });
  after(() => h.close());

  test('a quality above the maximum is served at the maximum, and the answer says so', async () => {
    const { data, response } = await h.client.images.generate({ model: 'gpt-image-1', prompt: 'a hero shot', quality: 'high', size: '1024x1024' }).withResponse();
    assert.equal(data.quality, 'medium', 'what the simulator was asked for');
    assert.equal(data.usage?.output_tokens, 1056);
    assert.equal(response.headers.get('x-sluice-policy'), 'quality=medium');
  });

  test('quality and size `auto` become the maximum (auto may pick high or 1536x1024)', async () => {
    const { data, response } = await h.client.images.generate({ model: 'gpt-image-1', prompt: 'a list item', quality: 'auto', size: 'auto' }).withResponse();
    assert.equal(data.quality, 'medium');
    assert.equal(data.size, '1024x1024');
    assert.equal(response.headers.get('x-sluice-policy'), 'quality=medium, size=1024x1024');
  });

  test('a request within the policy is sent as is, without the header', async () => {
    const { data, response } = await h.client.images.generate({ model: 'gpt-image-1', prompt: 'a list item', quality: 'low', size: '1024x1024' }).withResponse();
    assert.equal(data.quality, 'low');
    assert.equal(response.headers.get('x-sluice-policy'), null);
  });

  test('a size above the maximum is refused with 400 before anything is sent', async () => {
    const before = h.sim.stats().totals.accepted;
    await assert.rejects(h.client.images.generate({ model: 'gpt-image-1', prompt: 'a banner', size: '1536x1024' }), (err: InstanceType<typeof OpenAI.APIError>) => {
      assert.equal(err.status, 400);
      assert.equal(err.code, 'invalid_value');
      assert.equal(err.param, 'size');
      return true;
    });
    assert.equal(h.sim.stats().totals.accepted, before);
  });

  test('defaults fill in what the request leaves out; an explicit choice is kept', async () => {
    const d = await thumbs.images.generate({ model: 'gpt-image-1', prompt: 'a thumbnail' }).withResponse();
    assert.equal(d.data.quality, 'low');
    assert.equal(d.data.size, '1024x1024');
    assert.equal(d.response.headers.get('x-sluice-policy'), 'quality=low, size=1024x1024');
    const hero = await thumbs.images.generate({ model: 'gpt-image-1', prompt: 'the hero image', quality: 'high', size: '1536x1024' });
    assert.equal(hero.quality, 'high');
    assert.equal(hero.size, '1536x1024');
  });

  test('DALL·E 3 speaks standard/hd: hd is above medium', async () => {
    const { response } = await h.client.images.generate({ model: 'dall-e-3', prompt: 'a hero shot', quality: 'hd' }).withResponse();
    assert.equal(response.headers.get('x-sluice-policy'), 'quality=standard');
  });
});

test('a default above the maximum is a config error naming the field', () => {
  assert.throws(
    () => configFrom({ clients: [{ name: 'a', key: 'sk-a-key-0001', images: { maxQuality: 'medium', defaultQuality: 'high' } }] }),
    (err: Error) => err instanceof ConfigError && err.message === 'clients[0].images.defaultQuality: is above maxQuality "medium"',
  );
});
