//! `hopx-wire`: the JSON of the HopX protocol, defined once.
//!
//! The local engine (`hopx-local`) writes its answers with these types and the client
//! (`hopx-core`) reads them, so a field cannot be spelt one way on one side and another way
//! on the other. The client also reads the HopX cloud, which leaves most fields out and
//! documents few types: a reader fills what is missing with defaults and survives a field of
//! the wrong type, while what the engine writes keeps every field the official SDKs need.
//!
//! Requests go the other way: the client writes them with these types, and the engine checks
//! each field of what it receives itself (the official SDKs send loose types, and every bad
//! field gets a 400 of its own).
//!
//! Plain data only: no I/O, no rules beyond how one shape maps onto another.

pub mod code;
mod command;
mod error_body;
mod execute;
mod files;
mod lenient;
mod list;
mod process;
mod rich;
mod sandbox;
mod stream;
mod template;

pub use command::{CommandRequest, CommandResponse};
pub use error_body::{AgentErrorBody, ControlErrorBody, ErrorBody, ErrorDetail};
pub use execute::{ExecuteRequest, ExecuteResponse, ExecutionError, RunEnd};
pub use files::{
    FileChange, FileContent, FileExists, FileInfo, FileList, FileResponse, FileWriteRequest, WatchRequest,
};
pub use list::List;
pub use process::{BackgroundRequest, KillResult, ProcessInfo, ProcessList, ProcessOutput};
pub use rich::{FlatRich, RichOutput};
pub use sandbox::{CreateSandboxRequest, Resources, SandboxRecord};
pub use stream::{CompleteMessage, DisplayMessage, ErrorMessage, OutputChunk, StreamMessage};
pub use template::{TemplateRecord, TemplateResources};
