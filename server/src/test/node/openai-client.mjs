// Drives `longform serve` with the official openai npm client, the way scripts written against
// the OpenAI completions API do. Run by OpenAiNodeClientTest with LONGFORM_BASE_URL (…/v1),
// LONGFORM_API_KEY, LONGFORM_PROMPT and LONGFORM_EXPECTED (the engine's greedy text).
// Prints one JSON line of results; any failed check exits non-zero with a message.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const baseURL = process.env.LONGFORM_BASE_URL;
const apiKey = process.env.LONGFORM_API_KEY;
const prompt = process.env.LONGFORM_PROMPT;
const expected = process.env.LONGFORM_EXPECTED;
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 30_000 });
const out = {};

// GET /v1/models
const models = await client.models.list();
out.models = models.data.map((m) => m.id);
assert.deepEqual(out.models, ['tiny']);

// POST /v1/completions, whole answer
const whole = await client.completions.create({ model: 'tiny', prompt, max_tokens: 12, temperature: 0 });
assert.equal(whole.object, 'text_completion');
assert.equal(whole.choices[0].text, expected, 'greedy text equals the engine');
assert.equal(whole.choices[0].finish_reason, 'length');
assert.equal(whole.usage.completion_tokens, 12);
out.usage = whole.usage;

// streaming, with the usage chunk
const stream = await client.completions.create({
  model: 'tiny', prompt, max_tokens: 12, temperature: 0, stream: true, stream_options: { include_usage: true },
});
let text = '';
let chunks = 0;
let finish = null;
let usage = null;
for await (const chunk of stream) {
  if (chunk.usage) usage = chunk.usage;
  for (const c of chunk.choices) {
    text += c.text;
    chunks += 1;
    if (c.finish_reason) finish = c.finish_reason;
  }
}
assert.equal(text, expected, 'streamed text equals the whole answer');
assert.ok(chunks > 2, 'text arrived in pieces');
assert.equal(finish, 'length');
assert.equal(usage?.completion_tokens, 12);
out.streamChunks = chunks;

// stop sequences and seeds
const seeded = { model: 'tiny', prompt, max_tokens: 10, temperature: 0.9, top_p: 0.95, seed: 42 };
const s1 = await client.completions.create(seeded);
const s2 = await client.completions.create(seeded);
assert.equal(s1.choices[0].text, s2.choices[0].text, 'same seed, same text');

// errors surface as the client's typed errors with the server's message
try {
  await client.completions.create({ model: 'tiny', prompt, max_tokens: 10_000_000 });
  assert.fail('huge max_tokens was accepted');
} catch (e) {
  assert.ok(e instanceof OpenAI.BadRequestError, `BadRequestError, got ${e}`);
  assert.match(e.message, /at most 4096/);
  out.badRequest = e.status;
}
try {
  await new OpenAI({ baseURL, apiKey: 'wrong', maxRetries: 0 }).models.list();
  assert.fail('a wrong key was accepted');
} catch (e) {
  assert.ok(e instanceof OpenAI.AuthenticationError, `AuthenticationError, got ${e}`);
  out.unauthorized = e.status;
}

// a client that aborts a long stream: the server cancels the generation (checked by the Java side)
const long = await client.completions.create({ model: 'tiny', prompt, max_tokens: 4000, stream: true });
let seen = 0;
for await (const chunk of long) {
  seen += chunk.choices.length;
  if (seen >= 5) {
    long.controller.abort();
    break;
  }
}
out.abortedAfter = seen;

console.log(JSON.stringify(out));
