// The quick start through require(), run outside the repo by scripts/test_node.sh.
const { Sandbox, TimeoutError } = require('@hopx-ai/sdk')

async function main() {
  const sandbox = await Sandbox.create()
  try {
    const result = await sandbox.runCode('print("Hello, World!")')
    console.log(result.stdout.trim(), result.success, result.exit_code, result.execution_time >= 0)
    if (result.stdout !== 'Hello, World!\n') throw new Error(`unexpected stdout ${result.stdout}`)
    await sandbox.runCode('sleep 5', { language: 'bash', timeout: 1 }).then(
      () => Promise.reject(new Error('no timeout')),
      (err) => {
        if (!(err instanceof TimeoutError)) throw err
      },
    )
  } finally {
    await sandbox.kill()
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
