// Records that describe sandboxes, templates and a sandbox's agent: what `getInfo`, `list`,
// `listTemplates`, `getExpiryInfo`, `listSystemProcesses`, `getJupyterSessions` and
// `getAgentMetrics` return. Types only; index.d.ts re-exports them.

/** Resources of a sandbox. */
export interface Resources {
  /** Virtual CPUs. */
  vcpu: number
  /** Memory in MiB. */
  memoryMb: number
  /** Disk in MiB. */
  diskMb: number
}

/** A sandbox as the control plane describes it. Absent fields are `undefined`. */
export interface SandboxInfo {
  /** The sandbox id. */
  sandboxId: string
  /** `running`, `stopped`, `paused` or `creating`. */
  status: string
  /** Id of the template it was made from. */
  templateId?: string
  /** Name of the template it was made from. */
  templateName?: string
  /** Owning organization. */
  organizationId?: number
  /** Node that hosts the sandbox. */
  nodeId?: string
  /** Region of the sandbox. */
  region?: string
  /** Base URL of the sandbox's agent. */
  publicHost?: string
  /** Direct URL of the agent, where the backend has one. */
  directUrl?: string
  /** Preview URL, where the backend has one. */
  previewUrl?: string
  /** CPU, memory and disk of the sandbox. */
  resources?: Resources
  /** Whether code may reach the internet. */
  internetAccess?: boolean
  /** Whether this is a live (non-test) sandbox. */
  liveMode?: boolean
  /** Time-to-live in seconds, if one was set. */
  timeoutSeconds?: number
  /** When the time-to-live runs out (ISO 8601). */
  expiresAt?: string
  /** When the sandbox was created (ISO 8601). */
  createdAt?: string
}

/** CPU, memory and disk of a template. */
export interface TemplateResources {
  vcpu?: number
  memoryMb?: number
  diskGb?: number
}

/** A template sandboxes are made from ({@link Sandbox.listTemplates}). */
export interface TemplateInfo {
  id: string
  name: string
  displayName: string
  description?: string
  category?: string
  language?: string
  icon?: string
  defaultResources?: TemplateResources
  minResources?: TemplateResources
  maxResources?: TemplateResources
  features?: string[]
  tags?: string[]
  popularityScore?: number
  docsUrl?: string
  isActive?: boolean
  isPublic?: boolean
  status?: string
  buildId?: string
  organizationId?: string
  createdAt?: string
  updatedAt?: string
  object?: string
  requestId?: string
}

/** When a sandbox expires ({@link Sandbox.getExpiryInfo}). */
export interface ExpiryInfo {
  expiresAt: Date | null
  /** Seconds left, negative once past; `null` without a time-to-live. */
  timeToExpiry: number | null
  isExpired: boolean
  isExpiringSoon: boolean
  hasTimeout: boolean
}

/** One process of a sandbox ({@link Sandbox.listSystemProcesses}). */
export interface SystemProcess {
  /** Its pid as the sandbox sees it. */
  pid: number
  name: string
  /** `running`, `sleeping`, `stopped`, `zombie`, ... */
  status: string
  cpu_percent: number
  memory_mb: number
  command: string
}

/** A kernel session of a sandbox ({@link Sandbox.getJupyterSessions}). */
export interface JupyterSession {
  kernel_id: string
  /** `idle` or `busy`. */
  execution_state: string
  connections: number
  last_activity: string
  [key: string]: any
}

/** The agent's metrics ({@link Sandbox.getAgentMetrics}); the local engine fills every field. */
export interface MetricsSnapshot {
  uptime_seconds?: number
  total_executions?: number
  active_executions?: number
  total_requests?: number
  requests_total?: number
  total_errors?: number
  error_count?: number
  process?: { count: number; running: number }
  system?: { memory_bytes: number; memory_mb: number; cpu_seconds: number; processes: number }
  [key: string]: any
}
