//! The go-plugin handshake: magic cookie, protocol negotiation, the listener and the one stdout line.
//!
//! Terraform starts the provider with a few environment variables and reads exactly one
//! line from its stdout: `CORE|APP|NETWORK|ADDR|PROTOCOL|CERT`. Anything else printed to
//! stdout before that line breaks startup ("Unrecognized remote plugin message"), so this
//! module is the only place that writes to stdout (plus the debug-mode reattach hint).

use std::fmt;
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use tokio::net::TcpListener;
#[cfg(unix)]
use tokio::net::UnixListener;

/// Environment variable carrying the magic cookie Terraform and OpenTofu set.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// The value of the cookie (Terraform `internal/plugin/serve.go`).
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// go-plugin's own protocol version (the first handshake field).
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The Terraform plugin protocol major version this provider speaks.
pub const PROTOCOL_VERSION: u32 = 6;
/// The provider's source address, as Terraform keys it in `TF_REATTACH_PROVIDERS`.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/openova/harbor";
/// The same provider as OpenTofu resolves `openova/harbor` (its default registry host differs).
pub const OPENTOFU_PROVIDER_ADDRESS: &str = "registry.opentofu.org/openova/harbor";

/// go-plugin client defaults for `PLUGIN_MIN_PORT` / `PLUGIN_MAX_PORT`.
const DEFAULT_MIN_PORT: u16 = 10000;
const DEFAULT_MAX_PORT: u16 = 25000;

/// Why the handshake could not be made.
#[derive(Debug, thiserror::Error)]
pub enum HandshakeError {
    #[error(
        "{MAGIC_COOKIE_KEY} is missing or wrong: this binary is a plugin and must be started by Terraform"
    )]
    MissingMagicCookie,
    #[error(
        "Terraform offered plugin protocol versions {offered:?}, but this provider speaks only {PROTOCOL_VERSION}"
    )]
    UnsupportedProtocol { offered: String },
    #[error("{name}={value:?} is not a port number")]
    InvalidPort { name: &'static str, value: String },
    #[error("no free port on 127.0.0.1 between {min} and {max}")]
    NoFreePort { min: u16, max: u16 },
    #[error("could not listen on {what}: {source}")]
    Listen {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("could not write the handshake line to stdout: {0}")]
    Stdout(#[source] std::io::Error),
}

/// What the host (Terraform, through go-plugin) told the plugin in its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostEnv {
    /// `PLUGIN_PROTOCOL_VERSIONS`, e.g. `5,6`; `None` when unset.
    pub protocol_versions: Option<String>,
    /// `PLUGIN_MIN_PORT`..=`PLUGIN_MAX_PORT`.
    pub min_port: u16,
    pub max_port: u16,
    /// `PLUGIN_UNIX_SOCKET_DIR`: listen on a unix socket there instead of tcp.
    pub unix_socket_dir: Option<PathBuf>,
    /// `PLUGIN_CLIENT_CERT`: the PEM certificate the host will present (AutoMTLS).
    pub client_cert_pem: Option<String>,
}

impl HostEnv {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, HandshakeError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads the host environment through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, HandshakeError> {
        let port = |name: &'static str, default: u16| match lookup(name) {
            None => Ok(default),
            Some(v) if v.trim().is_empty() => Ok(default),
            Some(v) => v
                .trim()
                .parse::<u16>()
                .map_err(|_| HandshakeError::InvalidPort { name, value: v }),
        };
        let non_empty = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        Ok(Self {
            protocol_versions: non_empty("PLUGIN_PROTOCOL_VERSIONS"),
            min_port: port("PLUGIN_MIN_PORT", DEFAULT_MIN_PORT)?,
            max_port: port("PLUGIN_MAX_PORT", DEFAULT_MAX_PORT)?,
            unix_socket_dir: non_empty("PLUGIN_UNIX_SOCKET_DIR").map(PathBuf::from),
            client_cert_pem: non_empty("PLUGIN_CLIENT_CERT"),
        })
    }
}

/// Whether the process was started by a plugin host (the magic cookie is set and right).
pub fn magic_cookie_present() -> bool {
    std::env::var(MAGIC_COOKIE_KEY).is_ok_and(|v| v == MAGIC_COOKIE_VALUE)
}

/// Fails unless the magic cookie is set, like go-plugin servers do.
pub fn check_magic_cookie() -> Result<(), HandshakeError> {
    if magic_cookie_present() {
        Ok(())
    } else {
        Err(HandshakeError::MissingMagicCookie)
    }
}

/// What to print when someone runs the binary by hand, without the cookie.
pub fn usage_text() -> String {
    let name = env!("CARGO_PKG_NAME");
    let version = env!("CARGO_PKG_VERSION");
    format!(
        "{name} {version}: a Terraform / OpenTofu provider plugin for Harbor.

This binary is not meant to be run directly: Terraform starts it. Use it from a configuration:

    terraform {{
      required_providers {{
        harbor = {{
          source = \"openova/harbor\"
        }}
      }}
    }}

To run it under a debugger or by hand, start it with `--debug`; it then prints a
TF_REATTACH_PROVIDERS value to export in the shell where you run terraform.

Options: --debug, --version, --help
"
    )
}

/// Picks the protocol version from the host's offer. go-plugin falls back to the
/// plugin's own version when the host offers nothing, so an absent list means 6.
pub fn negotiate_version(offered: Option<&str>) -> Result<u32, HandshakeError> {
    let Some(offered) = offered else {
        return Ok(PROTOCOL_VERSION);
    };
    let speaks_ours = offered
        .split(',')
        .filter_map(|v| v.trim().parse::<u32>().ok())
        .any(|v| v == PROTOCOL_VERSION);
    if speaks_ours {
        Ok(PROTOCOL_VERSION)
    } else {
        Err(HandshakeError::UnsupportedProtocol {
            offered: offered.to_owned(),
        })
    }
}

/// The address the plugin listens on, in the form the handshake line wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenAddr {
    Tcp(SocketAddr),
    /// Only on unix: go-plugin uses tcp on Windows.
    Unix(PathBuf),
}

impl ListenAddr {
    /// go-plugin's network name: `tcp` or `unix`.
    pub fn network(&self) -> &'static str {
        match self {
            ListenAddr::Tcp(_) => "tcp",
            ListenAddr::Unix(_) => "unix",
        }
    }
}

impl fmt::Display for ListenAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListenAddr::Tcp(a) => write!(f, "{a}"),
            ListenAddr::Unix(p) => write!(f, "{}", p.display()),
        }
    }
}

/// A bound listener, before any connection is accepted.
#[derive(Debug)]
pub enum Listener {
    Tcp(TcpListener),
    /// The socket path is removed when the listener is dropped.
    #[cfg(unix)]
    Unix(UnixListener, SocketFile),
}

impl Listener {
    /// The address to announce.
    pub fn addr(&self) -> ListenAddr {
        match self {
            // local_addr only fails on an unbound socket, which a TcpListener never is.
            Listener::Tcp(l) => ListenAddr::Tcp(
                l.local_addr()
                    .unwrap_or_else(|_| SocketAddr::from((Ipv4Addr::LOCALHOST, 0))),
            ),
            #[cfg(unix)]
            Listener::Unix(_, f) => ListenAddr::Unix(f.0.clone()),
        }
    }
}

/// Removes the unix socket file on drop, so exits leave no litter in the socket directory.
#[cfg(unix)]
#[derive(Debug)]
pub struct SocketFile(PathBuf);

#[cfg(unix)]
impl Drop for SocketFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Listens where the host asked: a unix socket in `PLUGIN_UNIX_SOCKET_DIR` when set, else the
/// first free port on 127.0.0.1 in `PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT` (go-plugin scans upwards too).
/// On Windows there are no unix sockets here, and go-plugin never asks for one: tcp always.
pub async fn listen(env: &HostEnv) -> Result<Listener, HandshakeError> {
    #[cfg(unix)]
    if let Some(dir) = &env.unix_socket_dir {
        let path = dir.join(format!("plugin{:016x}", rand::random::<u64>()));
        let l = UnixListener::bind(&path).map_err(|source| HandshakeError::Listen {
            what: path.display().to_string(),
            source,
        })?;
        return Ok(Listener::Unix(l, SocketFile(path)));
    }
    let (min, max) = (env.min_port, env.max_port);
    for port in min..=max {
        if let Ok(l) = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await {
            return Ok(Listener::Tcp(l));
        }
    }
    Err(HandshakeError::NoFreePort { min, max })
}

/// Listens on an OS-chosen port on 127.0.0.1 (debug mode and tests, where no host chose a range).
pub async fn listen_any_port() -> Result<Listener, HandshakeError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .map(Listener::Tcp)
        .map_err(|source| HandshakeError::Listen {
            what: "127.0.0.1:0".into(),
            source,
        })
}

/// The handshake line, without its newline: `1|6|tcp|127.0.0.1:PORT|grpc|CERT`.
/// CERT is the server's DER certificate in unpadded base64 (Go's `RawStdEncoding`
/// rejects padding), empty when serving without TLS.
pub fn handshake_line(addr: &ListenAddr, server_cert_der: Option<&[u8]>) -> String {
    let cert = server_cert_der
        .map(|der| STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!(
        "{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|{}|{addr}|grpc|{cert}",
        addr.network()
    )
}

/// Prints the handshake line to stdout and flushes, so the host sees it at once.
pub fn announce(line: &str) -> Result<(), HandshakeError> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|_| out.flush())
        .map_err(HandshakeError::Stdout)
}

/// The `TF_REATTACH_PROVIDERS` value for a plugin started with `--debug`.
/// `Test: true` matters: only then does go-plugin take `ProtocolVersion` from here
/// (otherwise Terraform 1.0.3 assumes protocol 5), and Terraform never kills the process.
/// The same process is offered under Terraform's and OpenTofu's address, so one value works
/// for both tools (each looks up only the address its configuration resolves to).
pub fn reattach_json(addr: &ListenAddr, pid: u32) -> String {
    let entry = serde_json::json!({
        "Protocol": "grpc",
        "ProtocolVersion": PROTOCOL_VERSION,
        "Pid": pid,
        "Test": true,
        "Addr": { "Network": addr.network(), "String": addr.to_string() },
    });
    serde_json::json!({
        PROVIDER_ADDRESS: entry,
        OPENTOFU_PROVIDER_ADDRESS: entry,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_6_from_the_offer_or_its_absence() {
        assert_eq!(negotiate_version(Some("5,6")).unwrap(), 6);
        assert_eq!(negotiate_version(Some("6, 5")).unwrap(), 6);
        assert_eq!(negotiate_version(None).unwrap(), 6);
        assert!(matches!(
            negotiate_version(Some("4,5")),
            Err(HandshakeError::UnsupportedProtocol { .. })
        ));
    }

    #[test]
    fn reads_the_host_environment_with_defaults() {
        let env = HostEnv::from_lookup(|_| None).unwrap();
        assert_eq!((env.min_port, env.max_port), (10000, 25000));
        assert_eq!(env.client_cert_pem, None);
        let env = HostEnv::from_lookup(|k| match k {
            "PLUGIN_MIN_PORT" => Some("20000".into()),
            "PLUGIN_MAX_PORT" => Some("20010".into()),
            "PLUGIN_UNIX_SOCKET_DIR" => Some("/tmp/x".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!((env.min_port, env.max_port), (20000, 20010));
        assert_eq!(env.unix_socket_dir, Some(PathBuf::from("/tmp/x")));
        assert!(HostEnv::from_lookup(|k| (k == "PLUGIN_MIN_PORT").then(|| "x".into())).is_err());
    }

    #[test]
    fn handshake_line_has_six_fields_and_unpadded_base64() {
        let addr = ListenAddr::Tcp("127.0.0.1:12345".parse().unwrap());
        assert_eq!(handshake_line(&addr, None), "1|6|tcp|127.0.0.1:12345|grpc|");
        // 4 bytes encode to 6 characters unpadded ("AQIDBA" rather than "AQIDBA==").
        assert_eq!(
            handshake_line(&addr, Some(&[1, 2, 3, 4])),
            "1|6|tcp|127.0.0.1:12345|grpc|AQIDBA"
        );
        let unix = ListenAddr::Unix("/tmp/plugin1".into());
        assert_eq!(handshake_line(&unix, None), "1|6|unix|/tmp/plugin1|grpc|");
    }

    #[test]
    fn reattach_json_sets_test_and_protocol_6() {
        let addr = ListenAddr::Tcp("127.0.0.1:4000".parse().unwrap());
        let v: serde_json::Value = serde_json::from_str(&reattach_json(&addr, 42)).unwrap();
        assert_eq!(v[PROVIDER_ADDRESS], v[OPENTOFU_PROVIDER_ADDRESS]);
        let p = &v[PROVIDER_ADDRESS];
        assert_eq!(p["Protocol"], "grpc");
        assert_eq!(p["ProtocolVersion"], 6);
        assert_eq!(p["Pid"], 42);
        assert_eq!(p["Test"], true);
        assert_eq!(p["Addr"]["Network"], "tcp");
        assert_eq!(p["Addr"]["String"], "127.0.0.1:4000");
    }

    #[tokio::test]
    async fn listens_within_the_port_range() {
        let env = HostEnv::from_lookup(|k| match k {
            "PLUGIN_MIN_PORT" => Some("21000".into()),
            "PLUGIN_MAX_PORT" => Some("21100".into()),
            _ => None,
        })
        .unwrap();
        let l = listen(&env).await.unwrap();
        let ListenAddr::Tcp(a) = l.addr() else {
            panic!("expected tcp")
        };
        assert!((21000..=21100).contains(&a.port()));
        assert!(a.ip().is_loopback());
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn listens_on_a_unix_socket_and_removes_it() {
        let dir = tempfile::tempdir().unwrap();
        let env = HostEnv::from_lookup(|k| {
            (k == "PLUGIN_UNIX_SOCKET_DIR").then(|| dir.path().display().to_string())
        })
        .unwrap();
        let l = listen(&env).await.unwrap();
        let ListenAddr::Unix(path) = l.addr() else {
            panic!("expected unix")
        };
        assert!(path.exists());
        drop(l);
        assert!(!path.exists());
    }
}
