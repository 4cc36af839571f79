// The official @hopx-ai/sdk's `sandbox.files` and `watchFiles` against `hopx-local serve`:
// every file method as its README shows it, content checked byte for byte and from inside
// the sandbox.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Sandbox } from '@hopx-ai/sdk';

import { startServer } from '../lib/server.mjs';

let server;
let sb;
let dir;

before(async () => {
  server = await startServer();
  sb = await Sandbox.create({ template: 'code-interpreter', apiKey: server.apiKey, baseURL: server.url });
  dir = mkdtempSync(join(tmpdir(), 'hopx-compat-files-'));
});

after(async () => {
  try {
    await sb?.kill();
  } catch {}
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('write, read, list, exists, mkdir, remove', async () => {
  await sb.files.write('/workspace/notes/hello.txt', 'héllo\n');
  assert.equal(await sb.files.read('/workspace/notes/hello.txt'), 'héllo\n');
  const r = await sb.runCode("print(open('/workspace/notes/hello.txt').read(), end='')");
  assert.equal(r.stdout, 'héllo\n');
  await sb.files.write('/workspace/notes/run.sh', 'echo hi\n', { mode: '0755' });
  const list = await sb.files.list('/workspace/notes');
  const byName = Object.fromEntries(list.map((f) => [f.name, f]));
  assert.deepEqual(Object.keys(byName).sort(), ['hello.txt', 'run.sh']);
  assert.equal(byName['hello.txt'].size, 7);
  assert.equal(byName['hello.txt'].isFile, true);
  assert.equal(byName['run.sh'].permissions, '-rwxr-xr-x');
  assert.equal(await sb.files.exists('/workspace/notes/hello.txt'), true);
  assert.equal(await sb.files.exists('/workspace/notes/none'), false);
  await sb.files.mkdir('/workspace/a/b/c');
  assert.equal(await sb.files.exists('/workspace/a/b/c'), true);
  const top = await sb.files.list('/workspace');
  assert.ok(top.some((f) => f.name === 'a' && f.isDir));
  await sb.files.remove('/workspace/a');
  assert.equal(await sb.files.exists('/workspace/a'), false);
});

test('bytes, upload and download are exact', async () => {
  const data = Buffer.alloc(256 * 64, 0).map((_, i) => i % 256);
  await sb.files.writeBytes('/workspace/blob.bin', data);
  assert.deepEqual(await sb.files.readBytes('/workspace/blob.bin'), data);
  const src = join(dir, 'up.bin');
  const big = Buffer.alloc(2_000_000).map((_, i) => i % 251);
  writeFileSync(src, big);
  await sb.files.upload(src, '/workspace/up/data.bin');
  const back = await sb.files.download('/workspace/up/data.bin');
  assert.ok(back.equals(readFileSync(src)));
});

test('errors', async () => {
  await assert.rejects(sb.files.read('/workspace/missing.txt'), (e) => e.name === 'FileNotFoundError' || /not found/i.test(e.message));
  await assert.rejects(sb.files.read('/etc/shadow'));
  await assert.rejects(sb.files.write('/usr/bin/x', 'read-only'));
});

test('watchFiles reports a change', async () => {
  await sb.files.mkdir('/workspace/watched');
  const it = sb.watchFiles('/workspace/watched');
  const first = it.next();
  // The official watch gives no signal once it is in place: write until it reports.
  let got;
  for (let i = 0; i < 100 && !got; i++) {
    await sb.files.write(`/workspace/watched/f${i}.txt`, 'x');
    got = await Promise.race([first, new Promise((r) => setTimeout(r, 100))]);
  }
  assert.ok(got, 'a change arrived');
  assert.equal(got.value.type, 'change');
  assert.match(got.value.path, /^\/workspace\/watched\/f\d+\.txt$/);
  await it.return?.();
});
