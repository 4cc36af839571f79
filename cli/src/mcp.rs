//! `hopx mcp`: a Model Context Protocol server (on `rmcp`, the official Rust SDK) that lets an
//! AI assistant run the code it writes in sandboxes: on this machine with no account, or in the
//! HopX cloud with a key. Over stdio, or streamable HTTP with `--http ADDR`.
//!
//! Code runs in one sandbox per server, made on first use, so state carries across calls
//! (variables, imports, files), unless a call names another sandbox. Plots and images come back
//! as image content, tables as HTML text. A failed or timed-out run is a tool error carrying
//! the output it printed. The sandboxes the server made are killed when it stops.

use crate::Global;
use hopx_core::{
    Client, CommandOptions, CreateOptions, Error, ListOptions, RunOptions, Sandbox, StreamEvent,
};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{schemars, tool, tool_handler, tool_router, ErrorData, ServerHandler, ServiceExt};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Mutex;

#[derive(clap::Args, Debug)]
pub struct McpArgs {
    /// Serve streamable HTTP on this address (e.g. 127.0.0.1:8765, path /mcp) instead of stdio.
    #[arg(long, value_name = "ADDR")]
    http: Option<std::net::SocketAddr>,
}

/// What every session of the server shares: the client and the sandboxes it made.
struct State {
    client: Client,
    /// The sandbox calls run in when they name none, made on first use.
    default: Mutex<Option<Sandbox>>,
    /// Every sandbox this server made or reached, by id.
    known: Mutex<HashMap<String, Sandbox>>,
    made: Mutex<Vec<Sandbox>>,
}

#[derive(Clone)]
pub struct HopxMcp {
    state: Arc<State>,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct RunCodeParams {
    /// The code to run.
    code: String,
    /// python (default; stateful: variables and imports persist), javascript, bash or go.
    language: Option<String>,
    /// Seconds the run may take, 1-300 (default 60).
    timeout: Option<u32>,
    /// Run in this sandbox instead of the default one.
    sandbox_id: Option<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct RunCommandParams {
    /// A shell command line.
    command: String,
    /// Working directory (default /workspace).
    working_dir: Option<String>,
    /// Seconds it may take (default 60).
    timeout: Option<u32>,
    sandbox_id: Option<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct WriteFileParams {
    /// Absolute path in the sandbox (e.g. /workspace/data.csv); folders are made as needed.
    path: String,
    /// The text to write.
    content: String,
    sandbox_id: Option<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct PathParams {
    /// Absolute path in the sandbox.
    path: Option<String>,
    sandbox_id: Option<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct CreateParams {
    /// Template: code-interpreter (default; Python with a kernel), base, python, nodejs, go.
    template: Option<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct SandboxParams {
    sandbox_id: String,
}

type ToolResult = Result<CallToolResult, ErrorData>;

fn text(s: impl Into<String>) -> ContentBlock {
    ContentBlock::text(s)
}

/// An SDK error as a tool error the assistant can read (not a protocol error).
fn failed(e: Error) -> ToolResult {
    Ok(CallToolResult::error(vec![text(format!("{e} ({})", e.kind.class_name()))]))
}

#[tool_router]
impl HopxMcp {
    fn new(state: Arc<State>) -> HopxMcp {
        HopxMcp { state }
    }

    /// The named sandbox, or the default one (made on first use).
    async fn sandbox(&self, id: Option<&str>) -> Result<Sandbox, Error> {
        let st = &self.state;
        if let Some(id) = id {
            if let Some(sb) = st.known.lock().await.get(id) {
                return Ok(sb.clone());
            }
            let sb = st.client.connect(id).await?;
            st.known.lock().await.insert(id.to_string(), sb.clone());
            return Ok(sb);
        }
        let mut default = st.default.lock().await;
        if let Some(sb) = default.as_ref().filter(|sb| !sb.is_killed()) {
            return Ok(sb.clone());
        }
        let sb = self.make(CreateOptions::default()).await?;
        *default = Some(sb.clone());
        Ok(sb)
    }

    async fn make(&self, options: CreateOptions) -> Result<Sandbox, Error> {
        let sb = self.state.client.create_sandbox(options).await?;
        self.state.made.lock().await.push(sb.clone());
        self.state.known.lock().await.insert(sb.id().to_string(), sb.clone());
        Ok(sb)
    }

    #[tool(description = "Run code in a sandbox and get its output. Python runs in a persistent \
        kernel: variables, imports and files stay between calls. matplotlib plots come back as \
        images and pandas tables as HTML. A run that fails or times out is an error with the \
        output it printed.")]
    async fn run_code(&self, Parameters(p): Parameters<RunCodeParams>) -> ToolResult {
        let sb = match self.sandbox(p.sandbox_id.as_deref()).await {
            Ok(sb) => sb,
            Err(e) => return failed(e),
        };
        let options = RunOptions {
            language: p.language.unwrap_or_else(|| "python".into()),
            timeout: p.timeout,
            ..RunOptions::default()
        };
        let mut stream = match sb.run_code_stream(&p.code, options).await {
            Ok(s) => s,
            Err(e) => return failed(e),
        };
        let (mut stdout, mut stderr, mut rich) = (String::new(), String::new(), Vec::new());
        let mut broken = None;
        while let Some(event) = stream.next_event().await {
            match event {
                Ok(StreamEvent::Stdout(t)) => stdout.push_str(&t),
                Ok(StreamEvent::Stderr(t)) => stderr.push_str(&t),
                Ok(StreamEvent::Display(output)) => rich.extend(crate::rich::blocks(&output)),
                Err(e) => {
                    broken = Some(e);
                    break;
                }
            }
        }
        let outcome = match broken {
            Some(e) => Err(e),
            None => stream.result(),
        };
        let mut content = Vec::new();
        if !stdout.is_empty() {
            content.push(text(stdout));
        }
        if !stderr.is_empty() {
            content.push(text(format!("stderr:\n{stderr}")));
        }
        content.extend(rich);
        match outcome {
            Ok(result) if result.success => {
                if content.is_empty() {
                    content.push(text("(no output)"));
                }
                Ok(CallToolResult::success(content))
            }
            Ok(result) => {
                content.push(text(format!("exit code {}", result.exit_code)));
                Ok(CallToolResult::error(content))
            }
            Err(e) => {
                content.push(text(format!("{e} ({})", e.kind.class_name())));
                Ok(CallToolResult::error(content))
            }
        }
    }

    #[tool(description = "Run a shell command in a sandbox; returns its stdout, stderr and exit code.")]
    async fn run_command(&self, Parameters(p): Parameters<RunCommandParams>) -> ToolResult {
        let sb = match self.sandbox(p.sandbox_id.as_deref()).await {
            Ok(sb) => sb,
            Err(e) => return failed(e),
        };
        let options = CommandOptions {
            timeout: p.timeout,
            env: None,
            working_dir: p.working_dir.unwrap_or_else(|| "/workspace".into()),
        };
        match sb.run_command(&p.command, &options).await {
            Ok(r) => {
                let body = format!("exit code {}\nstdout:\n{}\nstderr:\n{}", r.exit_code, r.stdout, r.stderr);
                Ok(if r.exit_code == 0 {
                    CallToolResult::success(vec![text(body)])
                } else {
                    CallToolResult::error(vec![text(body)])
                })
            }
            Err(e) => failed(e),
        }
    }

    #[tool(description = "Write a text file in a sandbox.")]
    async fn write_file(&self, Parameters(p): Parameters<WriteFileParams>) -> ToolResult {
        let sb = match self.sandbox(p.sandbox_id.as_deref()).await {
            Ok(sb) => sb,
            Err(e) => return failed(e),
        };
        match sb.files().write(&p.path, &p.content, "0644").await {
            Ok(()) => Ok(CallToolResult::success(vec![text(format!(
                "wrote {} bytes to {}",
                p.content.len(),
                p.path
            ))])),
            Err(e) => failed(e),
        }
    }

    #[tool(description = "Read a text file from a sandbox.")]
    async fn read_file(&self, Parameters(p): Parameters<PathParams>) -> ToolResult {
        let Some(path) = p.path else {
            return Ok(CallToolResult::error(vec![text("path is required")]));
        };
        match self.sandbox(p.sandbox_id.as_deref()).await {
            Ok(sb) => match sb.files().read(&path).await {
                Ok(content) => Ok(CallToolResult::success(vec![text(content)])),
                Err(e) => failed(e),
            },
            Err(e) => failed(e),
        }
    }

    #[tool(description = "List a folder of a sandbox (default /workspace): one line per entry.")]
    async fn list_files(&self, Parameters(p): Parameters<PathParams>) -> ToolResult {
        let path = p.path.unwrap_or_else(|| "/workspace".into());
        let listed = match self.sandbox(p.sandbox_id.as_deref()).await {
            Ok(sb) => sb.files().list(&path).await,
            Err(e) => Err(e),
        };
        match listed {
            Ok(list) => {
                let lines: Vec<String> = list
                    .iter()
                    .map(|f| format!("{}{}\t{} bytes", f.name, if f.is_directory { "/" } else { "" }, f.size))
                    .collect();
                Ok(CallToolResult::success(vec![text(if lines.is_empty() {
                    "(empty)".into()
                } else {
                    lines.join("\n")
                })]))
            }
            Err(e) => failed(e),
        }
    }

    #[tool(description = "Create a new sandbox and return its id; it lives as long as this server.")]
    async fn create_sandbox(&self, Parameters(p): Parameters<CreateParams>) -> ToolResult {
        match self.make(CreateOptions { template: p.template, ..CreateOptions::default() }).await {
            Ok(sb) => Ok(CallToolResult::success(vec![text(sb.id().to_string())])),
            Err(e) => failed(e),
        }
    }

    #[tool(description = "List the sandboxes: id, status and template, one per line.")]
    async fn list_sandboxes(&self) -> ToolResult {
        match self.state.client.list(ListOptions::default()).await {
            Ok(list) => {
                let lines: Vec<String> = list
                    .iter()
                    .map(|i| {
                        format!(
                            "{}\t{}\t{}",
                            i.sandbox_id,
                            i.status,
                            i.template_name.as_deref().unwrap_or("-")
                        )
                    })
                    .collect();
                Ok(CallToolResult::success(vec![text(if lines.is_empty() {
                    "(none)".into()
                } else {
                    lines.join("\n")
                })]))
            }
            Err(e) => failed(e),
        }
    }

    #[tool(description = "Kill a sandbox, with its processes and files.")]
    async fn kill_sandbox(&self, Parameters(p): Parameters<SandboxParams>) -> ToolResult {
        match self.sandbox(Some(&p.sandbox_id)).await {
            Ok(sb) => match sb.kill().await {
                Ok(()) => Ok(CallToolResult::success(vec![text(format!("killed {}", p.sandbox_id))])),
                Err(e) => failed(e),
            },
            Err(e) => failed(e),
        }
    }
}

#[tool_handler]
impl ServerHandler for HopxMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("hopx", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Runs code in isolated HopX sandboxes. Use run_code for Python (stateful across \
                 calls), JavaScript, bash or Go; run_command for shell commands; the file tools \
                 to move data in and out.",
            )
    }
}

pub async fn mcp(global: &Global, args: McpArgs) -> Result<i32, Error> {
    let client = crate::client(global).await?;
    let state = Arc::new(State {
        client,
        default: Mutex::new(None),
        known: Mutex::new(HashMap::new()),
        made: Mutex::new(Vec::new()),
    });
    let served = match args.http {
        None => serve_stdio(state.clone()).await,
        Some(addr) => serve_http(state.clone(), addr).await,
    };
    // The sandboxes it made end with it (on the local engine they would anyway).
    for sb in state.made.lock().await.drain(..) {
        let _ = sb.kill().await;
    }
    served.map(|()| 0)
}

async fn serve_stdio(state: Arc<State>) -> Result<(), Error> {
    let io = |e: String| Error::new(hopx_core::ErrorKind::Hopx, format!("MCP over stdio: {e}"));
    let service = HopxMcp::new(state).serve(rmcp::transport::stdio()).await.map_err(|e| io(e.to_string()))?;
    service.waiting().await.map_err(|e| io(e.to_string()))?;
    Ok(())
}

async fn serve_http(state: Arc<State>, addr: std::net::SocketAddr) -> Result<(), Error> {
    use rmcp::transport::streamable_http_server::{
        session::local::LocalSessionManager, StreamableHttpService,
    };
    let io =
        |e: std::io::Error| Error::new(hopx_core::ErrorKind::Hopx, format!("MCP over HTTP on {addr}: {e}"));
    let service = StreamableHttpService::new(
        move || Ok(HopxMcp::new(state.clone())),
        LocalSessionManager::default().into(),
        Default::default(),
    );
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(io)?;
    eprintln!("hopx mcp: streamable HTTP on http://{}/mcp", listener.local_addr().map_err(io)?);
    let router = axum::Router::new().nest_service("/mcp", service);
    axum::serve(listener, router).with_graceful_shutdown(hopx_local::stop_signal()).await.map_err(io)
}
