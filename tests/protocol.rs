//! In-process gRPC tests of the transport: AutoMTLS as Terraform does it, refusal of strangers,
//! the handshake line, go-plugin's side services, and the process's signal behaviour.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use terraform_provider_harbor::protocol::handshake::{MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE};
use terraform_provider_harbor::protocol::proto::plugin::Empty;
use terraform_provider_harbor::protocol::proto::plugin::grpc_controller_client::GrpcControllerClient;
use terraform_provider_harbor::protocol::proto::plugin::grpc_stdio_client::GrpcStdioClient;
use terraform_provider_harbor::protocol::proto::tfplugin6::get_provider_schema;
use terraform_provider_harbor::protocol::proto::tfplugin6::provider_client::ProviderClient;
use terraform_provider_harbor::protocol::server::{TestServer, start_for_test};
use terraform_provider_harbor::protocol::service::ProviderService;
use terraform_provider_harbor::provider::HarborProvider;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};

/// A client certificate made the way go-plugin's AutoMTLS makes Terraform's: self-signed
/// ECDSA P-521, CN and SAN `localhost`, O `HashiCorp`, a CA, client and server auth.
struct ClientCert {
    cert_pem: String,
    key_pem: String,
}

fn terraform_like_client_cert() -> ClientCert {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "HashiCorp");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
        rcgen::KeyUsagePurpose::KeyAgreement,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let cert = params.self_signed(&key).unwrap();
    ClientCert {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

/// Dials like go-plugin: trust only the server's certificate, expect the name `localhost`,
/// present `identity` if any.
async fn dial_tls(
    port: u16,
    server_cert_pem: &str,
    identity: Option<&ClientCert>,
) -> Result<Channel, tonic::transport::Error> {
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(server_cert_pem))
        .domain_name("localhost");
    if let Some(id) = identity {
        tls = tls.identity(Identity::from_pem(&id.cert_pem, &id.key_pem));
    }
    Endpoint::from_shared(format!("https://127.0.0.1:{port}"))?
        .tls_config(tls)?
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
}

/// The error and its causes, `: `-joined: the TLS alert that names the refusal is deep in it.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

async fn get_schema(channel: Channel) -> Result<get_provider_schema::Response, tonic::Status> {
    ProviderClient::new(channel)
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .map(|r| r.into_inner())
}

async fn start_tls(client: &ClientCert) -> TestServer {
    start_for_test(ProviderService::new(HarborProvider), Some(&client.cert_pem))
        .await
        .expect("server starts")
}

#[tokio::test]
async fn terraform_like_client_gets_the_schema_over_mtls() {
    let client = terraform_like_client_cert();
    let server = start_tls(&client).await;
    let channel = dial_tls(
        server.addr.port(),
        server.server_cert_pem.as_deref().unwrap(),
        Some(&client),
    )
    .await
    .expect("TLS connection with the pinned certificate");
    let schema = get_schema(channel).await.expect("GetProviderSchema");
    assert!(
        schema.provider.is_some(),
        "a provider schema is always present"
    );
    assert_schema_snapshot(&schema);
    server.stop().await.unwrap();
}

/// The served schema as stable JSON: what Terraform sees, attribute by attribute.
fn block_json(
    b: &terraform_provider_harbor::protocol::proto::tfplugin6::schema::Block,
) -> serde_json::Value {
    let attrs: serde_json::Map<String, serde_json::Value> = b
        .attributes
        .iter()
        .map(|a| {
            let ty = if a.r#type.is_empty() {
                let n = a.nested_type.as_ref().expect("type or nested_type");
                serde_json::json!({"nesting": n.nesting, "attributes": block_json(&terraform_provider_harbor::protocol::proto::tfplugin6::schema::Block { attributes: n.attributes.clone(), ..Default::default() })["attributes"]})
            } else {
                serde_json::from_slice(&a.r#type).expect("type JSON")
            };
            let flags: Vec<&str> = [
                (a.required, "required"),
                (a.optional, "optional"),
                (a.computed, "computed"),
                (a.sensitive, "sensitive"),
                (a.write_only, "write_only"),
                (a.deprecated, "deprecated"),
            ]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, n)| *n)
            .collect();
            (a.name.clone(), serde_json::json!({"type": ty, "flags": flags, "description": a.description}))
        })
        .collect();
    let blocks: serde_json::Map<String, serde_json::Value> = b
        .block_types
        .iter()
        .map(|nb| {
            (
                nb.type_name.clone(),
                serde_json::json!({"nesting": nb.nesting, "min_items": nb.min_items, "max_items": nb.max_items, "block": block_json(nb.block.as_ref().unwrap())}),
            )
        })
        .collect();
    serde_json::json!({"description": b.description, "attributes": attrs, "blocks": blocks})
}

fn schema_json(
    s: &terraform_provider_harbor::protocol::proto::tfplugin6::Schema,
) -> serde_json::Value {
    serde_json::json!({"version": s.version, "block": block_json(s.block.as_ref().unwrap())})
}

/// Compares the served schema with `tests/snapshots/provider_schema.json`. A schema change must
/// move the snapshot in the same commit: rerun with `UPDATE_SNAPSHOTS=1` and review the diff.
fn assert_schema_snapshot(resp: &get_provider_schema::Response) {
    let sorted = |m: &std::collections::HashMap<
        String,
        terraform_provider_harbor::protocol::proto::tfplugin6::Schema,
    >| {
        m.iter()
            .map(|(k, v)| (k.clone(), schema_json(v)))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let got = serde_json::json!({
        "provider": schema_json(resp.provider.as_ref().unwrap()),
        "resources": sorted(&resp.resource_schemas),
        "data_sources": sorted(&resp.data_source_schemas),
        "ephemeral_resources": sorted(&resp.ephemeral_resource_schemas),
    });
    let text = serde_json::to_string_pretty(&got).unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots/provider_schema.json");
    // Only "1" rewrites: `UPDATE_SNAPSHOTS=0` (or any other value) must still compare.
    if std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        want == text,
        "the served schema differs from {}; rerun with UPDATE_SNAPSHOTS=1 and review the diff",
        path.display()
    );
}

#[tokio::test]
async fn refuses_a_client_without_certificate() {
    let client = terraform_like_client_cert();
    let server = start_tls(&client).await;
    // With TLS 1.3 the client may finish its side before the server rejects it, so the
    // refusal can surface at connect or at the first call; either way nothing is served.
    let result = async {
        let channel = dial_tls(
            server.addr.port(),
            server.server_cert_pem.as_deref().unwrap(),
            None,
        )
        .await
        .map_err(|e| error_chain(&e))?;
        get_schema(channel).await.map_err(|e| error_chain(&e))
    }
    .await;
    let err = result.expect_err("served a client without certificate");
    // The server's TLS layer refused it, not some other failure on the way.
    assert!(
        err.contains("received fatal alert: CertificateRequired"),
        "expected the server to demand a client certificate, got: {err}"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn refuses_a_client_with_another_certificate() {
    let pinned = terraform_like_client_cert();
    let stranger = terraform_like_client_cert();
    let server = start_tls(&pinned).await;
    let result = async {
        let channel = dial_tls(
            server.addr.port(),
            server.server_cert_pem.as_deref().unwrap(),
            Some(&stranger),
        )
        .await
        .map_err(|e| error_chain(&e))?;
        get_schema(channel).await.map_err(|e| error_chain(&e))
    }
    .await;
    let err = result.expect_err("served a client with another certificate");
    assert!(
        err.contains("received fatal alert: UnknownCA"),
        "expected the server to reject the unpinned certificate, got: {err}"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn handshake_line_carries_the_server_certificate() {
    let client = terraform_like_client_cert();
    let server = start_tls(&client).await;
    let fields: Vec<&str> = server.handshake_line.split('|').collect();
    assert_eq!(fields.len(), 6, "{}", server.handshake_line);
    assert_eq!(fields[..3], ["1", "6", "tcp"]);
    assert_eq!(fields[3], server.addr.to_string());
    assert_eq!(fields[4], "grpc");
    assert!(!fields[5].ends_with('='), "go-plugin wants unpadded base64");
    let der = STANDARD_NO_PAD.decode(fields[5]).expect("unpadded base64");
    let pem = server.server_cert_pem.as_deref().unwrap();
    let from_pem = rustls_pki_types_der(pem);
    assert_eq!(der, from_pem);
    server.stop().await.unwrap();
}

fn rustls_pki_types_der(pem: &str) -> Vec<u8> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    CertificateDer::from_pem_slice(pem.as_bytes())
        .unwrap()
        .to_vec()
}

#[tokio::test]
async fn plaintext_without_client_certificate_serves_health_and_schema() {
    let server = start_for_test(ProviderService::new(HarborProvider), None)
        .await
        .unwrap();
    assert!(server.handshake_line.ends_with("|grpc|"));
    let channel = Endpoint::from_shared(format!("http://{}", server.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let health = tonic_health::pb::health_client::HealthClient::new(channel.clone())
        .check(tonic_health::pb::HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        health.status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );
    get_schema(channel).await.unwrap();
    server.stop().await.unwrap();
}

#[tokio::test]
async fn controller_shutdown_stops_the_server_despite_open_streams() {
    let server = start_for_test(ProviderService::new(HarborProvider), None)
        .await
        .unwrap();
    let channel = Endpoint::from_shared(format!("http://{}", server.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    // go-plugin opens the stdio stream on connect and keeps it open.
    let _stdio = GrpcStdioClient::new(channel.clone())
        .stream_stdio(())
        .await
        .unwrap();
    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .expect("Shutdown answers before the server stops");
    tokio::time::timeout(Duration::from_secs(3), server.wait())
        .await
        .expect("server stopped within go-plugin's 2 s + grace")
        .unwrap();
}

/// The real binary, started the way Terraform starts it.
struct Plugin {
    child: Child,
    line: String,
}

impl Plugin {
    fn start(client_cert_pem: Option<&str>) -> Plugin {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_terraform-provider-harbor"));
        cmd.env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .env("PLUGIN_MIN_PORT", "30000")
            .env("PLUGIN_MAX_PORT", "31000")
            .env_remove("PLUGIN_CLIENT_CERT")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(pem) = client_cert_pem {
            cmd.env("PLUGIN_CLIENT_CERT", pem);
        }
        let mut child = cmd.spawn().expect("plugin binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Plugin {
            child,
            line: line.trim_end().to_owned(),
        }
    }

    fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{sig}");
    }

    /// Waits up to `limit` for the exit status.
    fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn binary_speaks_automtls_ignores_sigint_and_exits_on_sigterm() {
    let client = terraform_like_client_cert();
    let mut plugin = Plugin::start(Some(&client.cert_pem));
    let fields: Vec<&str> = plugin.line.split('|').collect();
    assert_eq!(fields.len(), 6, "handshake line {:?}", plugin.line);
    assert_eq!(fields[..3], ["1", "6", "tcp"]);
    let port: u16 = fields[3].rsplit(':').next().unwrap().parse().unwrap();
    assert!((30000..=31000).contains(&port));

    // Trust exactly the certificate from the handshake line, as go-plugin does.
    let der = STANDARD_NO_PAD.decode(fields[5]).unwrap();
    let server_pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        base64::engine::general_purpose::STANDARD.encode(der)
    );
    let channel = dial_tls(port, &server_pem, Some(&client)).await.unwrap();
    get_schema(channel.clone()).await.unwrap();

    plugin.signal("INT");
    assert!(
        plugin.wait_exit(Duration::from_millis(500)).is_none(),
        "SIGINT must be ignored"
    );
    get_schema(channel)
        .await
        .expect("still serving after SIGINT");

    plugin.signal("TERM");
    let status = plugin
        .wait_exit(Duration::from_secs(5))
        .expect("exits after SIGTERM");
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn binary_exits_0_after_controller_shutdown() {
    let mut plugin = Plugin::start(None);
    let addr = plugin.line.split('|').nth(3).unwrap().to_owned();
    let channel = Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .unwrap();
    let status = plugin
        .wait_exit(Duration::from_secs(3))
        .expect("exits after Shutdown");
    assert!(status.success(), "{status:?}");
}

#[test]
fn binary_without_cookie_explains_itself_and_exits_1() {
    let out = Command::new(env!("CARGO_BIN_EXE_terraform-provider-harbor"))
        .env_remove(MAGIC_COOKIE_KEY)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing on stdout");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("openova/harbor"), "{err}");
    assert!(err.contains("--debug"), "{err}");
}

#[test]
fn binary_refuses_hosts_without_protocol_6() {
    let out = Command::new(env!("CARGO_BIN_EXE_terraform-provider-harbor"))
        .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "4,5")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no handshake line");
    assert!(String::from_utf8_lossy(&out.stderr).contains("speaks only 6"));
}

/// Every schema the provider serves follows the rules Terraform checks (`InternalValidate`) and
/// the ones Terraform 1.0.3 panics on (type and nested_type both set).
#[test]
fn every_served_schema_follows_terraform_schema_rules() {
    let svc = ProviderService::new(HarborProvider);
    let (provider, resources, data_sources) = svc.schemas();
    let mut problems = provider.check_rules();
    for (name, s) in resources.iter().chain(data_sources.iter()) {
        problems.extend(s.check_rules().into_iter().map(|p| format!("{name}: {p}")));
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(resources.len() >= 5 && data_sources.len() >= 5);
}

#[test]
fn debug_mode_prints_reattach_json_and_stops_on_ctrl_c() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_terraform-provider-harbor"))
        .arg("--debug")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let line = stdout
        .lines()
        .map(Result::unwrap)
        .find(|l| l.contains("TF_REATTACH_PROVIDERS="))
        .expect("reattach hint on stdout");
    assert!(line.contains(r#""ProtocolVersion":6"#), "{line}");
    assert!(line.contains(r#""Test":true"#), "{line}");
    let mut plugin = Plugin {
        child,
        line: String::new(),
    };
    plugin.signal("INT");
    let status = plugin
        .wait_exit(Duration::from_secs(5))
        .expect("Ctrl-C stops debug mode");
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn accepts_messages_far_above_tonics_4_mib_default() {
    use terraform_provider_harbor::protocol::proto::tfplugin6::{
        DynamicValue, validate_provider_config,
    };
    let server = start_for_test(ProviderService::new(HarborProvider), None)
        .await
        .unwrap();
    let channel = Endpoint::from_shared(format!("http://{}", server.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let big = DynamicValue {
        msgpack: vec![0xc0; 16 * 1024 * 1024],
        json: Vec::new(),
    };
    ProviderClient::new(channel)
        .validate_provider_config(validate_provider_config::Request { config: Some(big) })
        .await
        .expect("a 16 MiB config is accepted");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn binary_serves_automtls_on_a_unix_socket_when_asked() {
    use hyper_util::rt::TokioIo;
    let dir = tempfile::tempdir().unwrap();
    let client = terraform_like_client_cert();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_terraform-provider-harbor"));
    cmd.env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("PLUGIN_UNIX_SOCKET_DIR", dir.path())
        .env("PLUGIN_CLIENT_CERT", &client.cert_pem)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let plugin = Plugin {
        child,
        line: line.trim_end().to_owned(),
    };
    let fields: Vec<&str> = plugin.line.split('|').collect();
    assert_eq!(fields[2], "unix", "{}", plugin.line);
    let path = std::path::PathBuf::from(fields[3]);
    assert!(path.starts_with(dir.path()));

    let der = STANDARD_NO_PAD.decode(fields[5]).unwrap();
    let server_pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        base64::engine::general_purpose::STANDARD.encode(der)
    );
    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(server_pem))
        .domain_name("localhost")
        .identity(Identity::from_pem(&client.cert_pem, &client.key_pem));
    // The URI only selects https; the connector ignores it and dials the socket.
    let channel = Endpoint::from_static("https://localhost")
        .tls_config(tls)
        .unwrap()
        .connect_with_connector(tower::service_fn(move |_| {
            let path = path.clone();
            async move {
                Ok::<_, std::io::Error>(TokioIo::new(tokio::net::UnixStream::connect(path).await?))
            }
        }))
        .await
        .unwrap();
    get_schema(channel).await.expect("schema over unix + mTLS");
}
