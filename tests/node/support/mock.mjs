// A fake HopX server on loopback (port 0) playing both the control plane and the agent, so
// tests can drive the real error paths (HTTP status and body -> core table -> JS class) for
// situations the local engine never produces, like a 429 or an expired token.
import http from 'node:http'

const FAR_FUTURE = '2099-01-01T00:00:00Z'

/**
 * Starts the server. `routes` maps "METHOD /path" to `{status, body, headers}` (or a function
 * of the request returning one); unmatched routes get a healthy default. Every request is
 * recorded in `requests` as "METHOD /path".
 */
export async function startMock(routes = {}) {
  const requests = []
  const server = http.createServer((req, res) => {
    let raw = ''
    req.on('data', (c) => (raw += c))
    req.on('end', () => {
      const path = req.url.split('?')[0]
      const key = `${req.method} ${path}`
      requests.push(key)
      let answer = routes[key]
      if (typeof answer === 'function') answer = answer(req, raw)
      answer ??= defaults(key, base)
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
      res.end(JSON.stringify(answer.body ?? {}))
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${server.address().port}`
  return {
    baseURL: base,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

function sandbox(base, status = 'running') {
  return { id: 'sb1', status, public_host: base, template_name: 'code-interpreter' }
}

function defaults(key, base) {
  const token = { auth_token: 'tok', token_expires_at: FAR_FUTURE }
  switch (key) {
    case 'POST /v1/sandboxes':
      return { status: 201, body: { ...sandbox(base), ...token } }
    case 'GET /v1/sandboxes':
      return { status: 200, body: { data: [sandbox(base)], has_more: false } }
    case 'GET /v1/sandboxes/sb1':
      return { status: 200, body: sandbox(base) }
    case 'POST /v1/sandboxes/sb1/token/refresh':
      return { status: 200, body: token }
    case 'DELETE /v1/sandboxes/sb1':
      return { status: 200, body: {} }
    case 'POST /execute':
      return { status: 200, body: { success: true, stdout: 'mock\n', stderr: '', exit_code: 0, execution_time: 0.01 } }
    default:
      return { status: 404, body: { error: { code: 'RESOURCE_NOT_FOUND', message: `no route ${key}` } } }
  }
}

/** A control-plane error body (nested shape). */
export function controlError(status, message, code, details) {
  return { status, body: { error: { message, code, request_id: 'req_mock', details } } }
}

/** An agent error body (flat shape). */
export function agentError(status, message, code) {
  return { status, body: { error: message, code, request_id: 'req_agent' }, headers: { 'x-request-id': 'req_agent' } }
}
