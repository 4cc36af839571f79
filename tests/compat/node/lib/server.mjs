// Starts `hopx-local serve --port 0 --api-key KEY` for a test file and stops it afterwards.
// Binary: $HOPX_LOCAL_BIN, else $CARGO_TARGET_DIR/debug/hopx-local, else
// <repo>/target/debug/hopx-local. The environment (HOPX_LOCAL_PYTHON, HOPX_LOCAL_RECORD)
// passes through to the server.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export function localBin() {
  if (process.env.HOPX_LOCAL_BIN) return process.env.HOPX_LOCAL_BIN;
  const target = process.env.CARGO_TARGET_DIR || path.join(repo, 'target');
  return path.join(target, 'debug', 'hopx-local');
}

export async function startServer() {
  const bin = localBin();
  if (!existsSync(bin)) throw new Error(`${bin} not found: run cargo build -p hopx-local first`);
  const apiKey = 'compat-' + randomBytes(8).toString('hex');
  const proc = spawn(bin, ['serve', '--port', '0', '--api-key', apiKey], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: proc.stdout });
  const first = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`hopx-local exited with ${code} before serving`)));
  });
  const marker = 'serving the HopX API on ';
  if (!first.includes(marker)) {
    proc.kill('SIGKILL');
    throw new Error(`hopx-local did not start: first line ${JSON.stringify(first)}`);
  }
  const url = first.split(marker)[1].trim();
  return {
    url,
    apiKey,
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 20000);
      await exited;
      clearTimeout(timer);
    },
  };
}
