//! The client against the embedded local engine: the path a user without an API key takes.
//! One test on one runtime: the client's HTTP pool belongs to the runtime that opened it.

use hopx_core::{Backend, Client, ClientConfig, CreateOptions, ErrorKind, RunOptions};

#[test]
fn embedded_engine_end_to_end() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        std::env::remove_var("HOPX_API_KEY");
        std::env::remove_var("HOPX_BASE_URL");
        let client = Client::new(ClientConfig::default()).await.expect("embedded engine starts");
        assert_eq!(client.backend(), &Backend::Local);
        assert!(client.base_url().starts_with("http://127.0.0.1:"));

        let opts = CreateOptions { template: Some("base".into()), ..Default::default() };
        let sandbox = client.create_sandbox(opts).await.unwrap();
        let r = sandbox.run_code("print(6 * 7)", RunOptions::default()).await.unwrap();
        assert_eq!((r.stdout.as_str(), r.exit_code, r.success), ("42\n", 0, true));
        let bash = RunOptions { language: "bash".into(), ..Default::default() };
        let r = sandbox.run_code("echo hi; exit 4", bash.clone()).await.unwrap();
        assert_eq!((r.stdout.as_str(), r.exit_code, r.success), ("hi\n", 4, false));

        let slow = RunOptions { language: "bash".into(), timeout: 1, ..Default::default() };
        let e = sandbox.run_code("echo partial; sleep 30", slow).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Timeout);
        assert_eq!(e.stdout.as_deref(), Some("partial\n"));

        let info = sandbox.info().await.unwrap();
        assert_eq!(info.status, "running");
        let listed = client.list(Default::default()).await.unwrap();
        assert!(listed.iter().any(|s| s.sandbox_id == sandbox.id()));

        let missing = CreateOptions { template: Some("nope".into()), ..Default::default() };
        let e = client.create_sandbox(missing).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::TemplateNotFound);
        assert!(e.available_templates.contains(&"base".to_string()));

        sandbox.kill().await.unwrap();
        let e = sandbox.run_code("print(1)", RunOptions::default()).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
        let e = client.connect(sandbox.id()).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert!(e.message.contains("Sandbox not found"), "{}", e.message);
    });
}
