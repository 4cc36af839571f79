// Declarations of `sandbox.files` (files.js): the Files resource, FileInfo and their options.
// Part of index.d.ts, which re-exports them.

// For the {@link ...} references of the docs.
import type { FileNotFoundError, FileOperationError, ValidationError } from './index.js'

/** Node's `Buffer` where Node's types (`@types/node`) are loaded, else the `Uint8Array` it
 * extends: the package's declarations need no `@types/node`. */
export type NodeBuffer = typeof globalThis extends { Buffer: { alloc(size: number): infer B } } ? B : Uint8Array

/** Options every file call takes. */
export interface FileCallOptions {
  /** Seconds the whole call may take (a download: each wait for data), fractions allowed.
   * Defaults: 60 s; `exists` 10 s; `upload` 60 s plus one per MiB. */
  timeout?: number
}

/** Options of {@link Files.write} and {@link Files.writeBytes}. */
export interface FileWriteOptions extends FileCallOptions {
  /** The official option: a write always replaces the file, so only `true` (the default) is
   * accepted; `false` is a {@link ValidationError}. */
  overwrite?: boolean
  /** The file's permission bits in octal (`'0644'` by default), when not given as the third
   * argument. */
  mode?: string
}

/** Options of {@link Files.upload} and {@link Files.download}. */
export interface FileTransferOptions extends FileCallOptions {
  /** Called while the transfer goes on (not in the official SDK), on the event loop, with the
   * bytes done so far and the total (`undefined` when the server does not say). `done` only
   * grows, and the last call, made before the transfer's promise settles, has `done` equal to
   * the size. Calls are not made per chunk: while one is pending the figures are merged. If
   * the callback throws, the transfer stops and the call rejects with that exception. */
  onProgress?: (done: number, total: number | undefined) => void
}

/** One entry of {@link Files.list}. */
export declare class FileInfo {
  private constructor()
  /** The entry's name, e.g. `"data.csv"`. */
  readonly name: string
  /** The absolute path in the sandbox. */
  readonly path: string
  /** Size in bytes. */
  readonly size: number
  /** Whether it is a folder. */
  readonly isDir: boolean
  /** Last modification, RFC 3339 (e.g. `"2025-01-01T12:00:00Z"`). */
  readonly modifiedTime: string
  /** As `ls -l` shows them, e.g. `"-rw-r--r--"`, `"drwxr-xr-x"`. */
  readonly permissions: string
  /** Alias of {@link FileInfo.isDir}. */
  readonly isDirectory: boolean
  /** Alias of {@link FileInfo.isDir} (the official field). */
  readonly is_dir: boolean
  /** Alias of {@link FileInfo.isDir} (the wire's field). */
  readonly is_directory: boolean
  /** Alias of {@link FileInfo.modifiedTime} (the official field). */
  readonly modified: string
  /** Alias of {@link FileInfo.modifiedTime} (the wire's field). */
  readonly modified_time: string
  /** Whether it is not a folder. */
  readonly isFile: boolean
  /** Size in KiB. */
  readonly sizeKb: number
  /** Size in MiB. */
  readonly sizeMb: number
  /** What follows the name's last dot, `""` when there is none or for a folder. */
  readonly extension: string
}

/** `sandbox.files`: the files of a sandbox, as its code sees them (paths are the sandbox's; a
 * relative path is taken from `/workspace`). Calls act with the sandbox user's rights, so what
 * the sandbox cannot read or write fails here too, with a {@link FileOperationError}. */
export declare class Files {
  private constructor()
  /** A text file's content.
   * @throws {FileNotFoundError} when there is no such file.
   * @throws {FileOperationError} when it cannot be read (a folder, no permission...). */
  read(path: string, options?: FileCallOptions): Promise<string>
  /** A file's exact bytes, whole, as a `Buffer`.
   * @throws {FileNotFoundError} when there is no such file. */
  readBytes(path: string, options?: FileCallOptions): Promise<NodeBuffer>
  /** Writes text to a file, replacing it; missing parent folders are created. `mode` is octal
   * permission bits as text, default `"0644"`. Binary content goes to {@link Files.writeBytes}.
   * @throws {ValidationError} when `mode` is not octal permission bits.
   * @throws {FileOperationError} when the sandbox may not write there (e.g. under `/usr`). */
  write(path: string, content: string | Uint8Array, mode?: string, options?: FileWriteOptions): Promise<void>
  /** Writes text to a file (the official form: options in third place). */
  write(path: string, content: string | Uint8Array, options?: FileWriteOptions): Promise<void>
  /** Writes bytes to a file exactly, replacing it; `mode` as in {@link Files.write}.
   * @throws {TypeError} when `data` is not a Buffer or Uint8Array. */
  writeBytes(path: string, data: Uint8Array, mode?: string, options?: FileWriteOptions): Promise<void>
  /** Writes bytes to a file (the official form: options in third place). */
  writeBytes(path: string, data: Uint8Array, options?: FileWriteOptions): Promise<void>
  /** The entries of a folder, default `/workspace`.
   * @throws {FileNotFoundError} when there is no such folder. */
  list(path?: string, options?: FileCallOptions): Promise<FileInfo[]>
  /** Whether a file or folder exists at `path`. */
  exists(path: string, options?: FileCallOptions): Promise<boolean>
  /** Removes a file, or a folder with everything in it.
   * @throws {FileNotFoundError} when there is nothing there. */
  remove(path: string, options?: FileCallOptions): Promise<void>
  /** Creates a folder and its missing parents; an existing folder is fine. */
  mkdir(path: string, options?: FileCallOptions): Promise<void>
  /** Watches the folder `path` (default `/workspace`; not recursive) and resolves once the
   * watch is in place, so no later change is missed. `timeout` bounds the opening, not the
   * watch's life.
   * @throws {FileOperationError} when there is no such folder (`code: "DIRECTORY_NOT_FOUND"`). */
  watch(path?: string, options?: FileCallOptions): Promise<FileWatch>
  /** Sends the local file `localPath` to `remotePath` in the sandbox, streamed: memory stays
   * a few buffers whatever the size.
   * @throws {FileOperationError} when the local file cannot be read (`code: "LOCAL_FILE_ERROR"`)
   * or the sandbox may not write there. */
  upload(localPath: string, remotePath: string, options?: FileTransferOptions): Promise<void>
  /** The official form: a file's content as a `Buffer` (as {@link Files.readBytes}).
   * @throws {FileNotFoundError} when there is no such file. */
  download(remotePath: string, localPath?: undefined | null, options?: FileTransferOptions): Promise<NodeBuffer>
  /** The official form with options: a file's content as a `Buffer`. */
  download(remotePath: string, options: FileTransferOptions): Promise<NodeBuffer>
  /** Streams a file of the sandbox into the local file `localPath` (created or replaced) and
   * resolves with the number of bytes written; memory stays a few buffers whatever the size.
   * @throws {FileNotFoundError} when there is no such file.
   * @throws {FileOperationError} when the local file cannot be written (`code: "LOCAL_FILE_ERROR"`). */
  download(remotePath: string, localPath: string, options?: FileTransferOptions): Promise<number>
}

/** One change in a watched folder, as the agent reports it. */
export interface FileChange {
  /** Always `"change"`. */
  type: string
  /** The absolute path in the sandbox of the entry that changed. */
  path: string
  /** What happened to it. */
  event: 'created' | 'modified' | 'deleted' | 'renamed' | string
  /** When (RFC 3339). */
  timestamp: string
}

/** The changes of one watched folder ({@link Files.watch}). `for await` reads them as they
 * happen; leaving the loop or calling `close()` ends the watch, and the loop also ends when the
 * folder or the sandbox goes away. */
export declare class FileWatch implements AsyncIterable<FileChange> {
  private constructor()
  /** Whether `close()` was called (or a loop over the watch was left). */
  readonly closed: boolean
  /** Ends the watch; a loop waiting for the next change ends. */
  close(): void
  [Symbol.asyncIterator](): AsyncGenerator<FileChange, void, undefined>
}
