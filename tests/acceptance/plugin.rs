//! The provider as a plugin: Terraform finds it through dev_overrides, completes the
//! handshake (AutoMTLS), reads its schema, validates a configuration and shows its logs.

use crate::harness::{
    DebugProvider, PROVIDER_ADDRESS, Workdir, for_each_terraform, required_providers,
};

/// The server logs this at DEBUG for every tfplugin6 call, whichever service it serves.
use terraform_provider_harbor::protocol::server::RPC_LOG_MESSAGE;

fn provider_config() -> String {
    format!("{}\nprovider \"harbor\" {{}}\n", required_providers())
}

#[test]
fn schema_appears_under_the_provider_address() {
    for_each_terraform(|tf| {
        let wd = Workdir::new(tf);
        wd.write_config(&provider_config());
        let schema = wd.providers_schema_json();
        let ours = &schema["provider_schemas"][tf.address().as_str()];
        assert!(
            ours.is_object(),
            "no schema under {}: {schema:#}",
            tf.address()
        );
        assert!(ours["provider"].is_object(), "no provider block: {ours:#}");
    });
}

#[test]
fn validate_accepts_a_provider_block() {
    for_each_terraform(|tf| {
        let wd = Workdir::new(tf);
        wd.write_config(&provider_config());
        let out = wd.validate();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("The configuration is valid"), "{stdout}");
    });
}

#[test]
fn provider_logs_reach_terraforms_log() {
    for_each_terraform(|tf| {
        let mut wd = Workdir::new(tf);
        wd.write_config(&provider_config());
        wd.env("TF_LOG_PROVIDER", "DEBUG");
        let out = wd.run(&["providers", "schema", "-json"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        // go-plugin re-emits each parsed JSON line as
        // `<time> [DEBUG] provider.terraform-provider-harbor: <message>: key=value ...`;
        // a line it could not parse would appear raw, with `"@message"` in it.
        let entry = stderr
            .lines()
            .find(|l| l.contains(RPC_LOG_MESSAGE) && l.contains("rpc=GetProviderSchema"))
            .unwrap_or_else(|| {
                panic!("provider log entry missing from Terraform's log:\n{stderr}")
            });
        assert!(entry.contains("[DEBUG]"), "not at DEBUG: {entry}");
        assert!(
            entry.contains("provider.terraform-provider-harbor:"),
            "not attributed to the provider: {entry}"
        );
        assert!(
            !entry.contains("\"@message\""),
            "not parsed as hclog JSON: {entry}"
        );
        assert!(
            entry.contains("rpc=GetProviderSchema"),
            "fields lost: {entry}"
        );
    });
}

#[test]
fn terraform_reattaches_to_a_debug_mode_provider() {
    let mut provider = DebugProvider::start();
    let reattach: serde_json::Value = serde_json::from_str(&provider.reattach).unwrap();
    assert_eq!(reattach[PROVIDER_ADDRESS]["Test"], true);
    assert_eq!(reattach[PROVIDER_ADDRESS]["Pid"], provider.pid());
    for_each_terraform(|tf| {
        let mut wd = Workdir::new(tf);
        wd.write_config(&provider_config());
        wd.reattach(&provider);
        wd.validate();
        let plan = wd.plan_json();
        assert!(plan["format_version"].is_string(), "{plan:#}");
    });
    // With "Test": true Terraform neither shuts down nor kills a reattached provider.
    assert!(
        provider.is_running(),
        "the debug-mode provider outlived every command"
    );
}
