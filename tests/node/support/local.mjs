// Shared settings for tests against the embedded local engine.

/** Whether the Go toolchain is expected (CI installs golang-go). */
export const inCI = Boolean(process.env.CI)

/** Fail loudly if the environment would send tests to a remote server. */
export function assertLocal() {
  for (const name of ['HOPX_API_KEY', 'HOPX_BASE_URL']) {
    if (process.env[name]) throw new Error(`unset ${name}: the Node tests run against the embedded local engine`)
  }
}
