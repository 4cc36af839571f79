// The README's Node quick start: a local sandbox (no API key needed), JavaScript and Python.
import { Sandbox } from '@hopx-ai/sdk';

const sandbox = await Sandbox.create({ template: 'code-interpreter' });
try {
  const result = await sandbox.runCode('console.log(1)', { language: 'javascript' });
  console.log(result.stdout.trim(), result.success, result.exitCode, result.executionTime);
  const py = await sandbox.runCode('print(6 * 7)');
  console.log('python:', py.stdout.trim());
} finally {
  await sandbox.kill();
}
