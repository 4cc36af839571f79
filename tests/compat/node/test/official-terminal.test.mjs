// The official @hopx-ai/sdk's `sandbox.terminal` against `hopx-local serve`: an interactive
// bash in a real terminal, driven with connect, sendInput, resize and output.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Sandbox } from '@hopx-ai/sdk';

import { startServer } from '../lib/server.mjs';

let server;
let sb;

before(async () => {
  server = await startServer();
  sb = await Sandbox.create({ template: 'base', apiKey: server.apiKey, baseURL: server.url });
});

after(async () => {
  try {
    await sb?.kill();
  } catch {}
  await server?.stop();
});

test('a shell in a real terminal, resized, to its exit code', async () => {
  const ws = await sb.terminal.connect();
  sb.terminal.resize(ws, 100, 30);
  // Arithmetic in the marker, so the echo of the typed line does not match it.
  // [quirk] @hopx-ai/sdk 0.5.1's WebSocket reader loses frames that arrive in the same tick as
  // the one before (see official-sdk.test.mjs, runCodeStream). The engine's terminal sends its
  // frames at least 20 ms apart for that reason (without it this test failed 6 runs in 15 with
  // both cores busy); the pauses give each answer its own frame as well.
  sb.terminal.sendInput(ws, 'tty -s && echo tty-$((1+1)); sleep 0.3; stty size; sleep 0.3; exit 4\n');
  let out = '';
  let code;
  const read = (async () => {
    for await (const msg of sb.terminal.output(ws)) {
      if (msg.type === 'output') out += msg.data;
      else if (msg.type === 'exit') {
        code = msg.code;
        return;
      }
    }
  })();
  let timer;
  await Promise.race([read, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(out)), 30000)))]);
  clearTimeout(timer);
  ws.close();
  assert.equal(code, 4, out);
  assert.ok(out.includes('tty-2') && out.includes('30 100'), out);
});
