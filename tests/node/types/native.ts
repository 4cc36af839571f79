// The public declarations (index.d.ts) against the native module's generated ones (native.d.ts,
// written by napi from the Rust types): `tsc -p tests/node/types/tsconfig.native.json` fails
// when they drift apart, e.g. a field added to or renamed in a Rust `#[napi(object)]`, or a
// native method with no public one. Never executed. Each error names the field or method.
import type * as native from '../../../bindings-node/native.js'
import type * as sdk from '@hopx-ai/sdk'

/**
 * The fields of two records that do not line up: a key only one side has, or a value of `From`
 * that `To` cannot hold. `never` when every field lines up. (`& PropertyKey` makes tsc print
 * the keys rather than the name of this type.)
 */
type Mismatch<From, To> = {
  [K in keyof From | keyof To]-?: K extends keyof From & keyof To
    ? [From[K]] extends [To[K]]
      ? never
      : K
    : K
}[keyof From | keyof To] &
  PropertyKey

/** A native record as a result class shows it: every field present, an absent one `null`. */
type Shown<N> = { [K in keyof N]-?: undefined extends N[K] ? Exclude<N[K], undefined> | null : N[K] }

/** Compiles only when `Keys` is `never`; otherwise the error names the keys. */
declare function none<Keys extends never>(): void
/** Compiles only when every value of `From` is a value of `To`. */
declare function fits<From extends To, To>(): void

// --- what the facade sends: every public option reaches a native field of the same type ---

// runCode's options are the native RunArgs as they are.
none<Mismatch<sdk.RunCodeOptions, native.RunArgs>>()
// runCodeBackground adds `name`, a parameter of its own.
fits<sdk.RunCodeBackgroundOptions['name'], Parameters<native.Sandbox['runCodeBackground']>[2]>()
// create's options minus the connection and the expiry monitor (the facade's own); a numeric
// templateId is sent as a string.
type CreateSent = Omit<
  sdk.SandboxCreateOptions,
  keyof sdk.ConnectionOptions | 'templateId' | 'onExpiringSoon' | 'expiryWarningThreshold'
> & { templateId?: string }
none<Mismatch<CreateSent, native.CreateArgs>>()
none<Mismatch<Omit<sdk.SandboxListOptions, keyof sdk.ConnectionOptions>, native.ListArgs>>()
// The one rename: the official `baseURL` is the native `baseUrl`.
none<Mismatch<{ apiKey?: sdk.ConnectionOptions['apiKey']; baseUrl?: sdk.ConnectionOptions['baseURL'] }, native.ClientArgs>>()

// --- what the facade returns: every native field is public, with a type that holds it ---

// getInfo and errorKinds pass the native records through.
none<Mismatch<native.SandboxInfo, sdk.SandboxInfo>>()
none<Mismatch<native.Resources, sdk.Resources>>()
none<Mismatch<native.ErrorKindEntry, sdk.ErrorKindEntry>>()
// ExecutionResult (results.js) copies every native field, absent ones as null, and adds these.
type ResultAliases = 'exit_code' | 'execution_time' | 'rich_outputs' | 'failed' | 'richCount' | 'hasRichOutput'
none<Mismatch<Shown<native.ExecutionResult>, Omit<sdk.ExecutionResult, ResultAliases>>>()
none<Mismatch<native.RichOutput, sdk.RichOutput>>()
none<Mismatch<native.ExecutionError, sdk.ExecutionErrorInfo>>()

// The file calls' timeout reaches the native parameter as it is (onProgress is wrapped).
fits<sdk.FileCallOptions['timeout'], Parameters<native.Files['read']>[1]>()
fits<sdk.FileTransferOptions['timeout'], Parameters<native.Files['upload']>[2]>()
// files.list() wraps each native record in FileInfo, whose fields include the native ones.
none<Mismatch<native.FileInfo, Pick<sdk.FileInfo, keyof native.FileInfo>>>()
// A watch yields the native change records as they are.
none<Mismatch<native.FileChange, sdk.FileChange>>()
// CommandResult wraps the native record, whose fields it keeps.
none<Mismatch<native.CommandResult, Pick<sdk.CommandResult, keyof native.CommandResult>>>()

// --- methods: each native method of a handle has its public method of the same name ---------

// `killed` is the facade's own business (Symbol.asyncDispose); `terminalConnect` is reached
// through sandbox.terminal.connect().
none<Exclude<keyof native.Sandbox, keyof sdk.Sandbox | 'killed' | 'terminalConnect'>>()
none<Exclude<keyof native.Files, keyof sdk.Files>>()
none<Exclude<keyof native.Env, keyof sdk.Env>>()
none<Exclude<keyof native.Cache, keyof sdk.Cache>>()
// `next` is read through the connection's async iterator.
none<Exclude<keyof native.TerminalSession, keyof sdk.TerminalConnection | 'next'>>()
// `runStream` is how `run` with onStdout/onStderr reads the output.
none<Exclude<keyof native.Commands, keyof sdk.Commands | 'runStream'>>()
