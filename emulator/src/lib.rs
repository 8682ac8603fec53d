//! In-memory emulator of the Harbor v2.15 REST API, the stand-in for a real Harbor in every test.
//!
//! Module map:
//! - [`server`]: listener, TLS, middleware (request ids, counters, faults) and the route table;
//! - [`state`]: the store, one mutex around every table; [`auth`]: callers and permissions;
//! - [`projects`], [`repositories`], [`quotas`], [`robots`], [`registries`], [`replication`],
//!   [`scanners`], [`system`], [`system_jobs`]: one module per Harbor API area;
//! - [`control`]: `/_emulator/...` endpoints for tests; [`record`]: the opt-in exchange log;
//!   [`catalog`]: the robot permission catalog.

pub mod artifacts;
pub mod audit_forward;
pub mod auth;
pub mod auth_config;
pub mod catalog;
pub mod config_model;
pub mod control;
pub mod doublestar;
pub mod error;
pub mod immutable;
pub mod labels;
pub mod ldap;
pub mod lifecycle;
pub mod members;
pub mod preheat;
pub mod projects;
pub mod quota_usage;
pub mod quotas;
pub mod rbac;
pub mod record;
pub mod registries;
pub mod registry_v2;
pub mod replication;
pub mod replication_run;
pub mod repositories;
pub mod retention;
pub mod robots;
pub mod scanner_ping;
pub mod scanners;
pub mod server;
pub mod slapd;
pub mod state;
pub mod system;
pub mod system_jobs;
mod tls;
pub mod usergroups;
pub mod users;
pub mod util;
pub mod version;
pub mod webhooks;

use std::net::SocketAddr;
use std::path::PathBuf;

pub use server::{Running, start};

/// How to run the emulator.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen; port 0 picks a free port.
    pub addr: SocketAddr,
    /// Password of the `admin` user.
    pub admin_password: String,
    /// The Harbor release to emulate, from 2.11.0 to 2.15.2.
    pub harbor_version: String,
    /// Added to every `/api` request.
    pub latency_ms: u64,
    /// Serve HTTPS with this certificate when set.
    pub tls: Option<TlsFiles>,
    /// Keep a log of every `/api/v2.0` exchange, read at `GET /_emulator/exchanges`.
    pub record_exchanges: bool,
}

#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert_pem_path: PathBuf,
    pub key_pem_path: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            admin_password: "Harbor12345".into(),
            harbor_version: "2.15.2".into(),
            latency_ms: 0,
            tls: None,
            record_exchanges: false,
        }
    }
}

/// An emulator on its own thread and runtime, for synchronous tests; dropping it stops it.
pub struct Background {
    base_url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Background {
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

pub fn spawn_background(config: Config) -> anyhow::Result<Background> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<anyhow::Result<String>>();
    let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("harbor-emulator".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(e.into()));
                    return;
                }
            };
            runtime.block_on(async move {
                match start(config).await {
                    Ok(running) => {
                        let _ = ready_tx.send(Ok(running.base_url().to_string()));
                        let _ = stop_rx.await;
                        running.shutdown().await;
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            });
        })?;
    let base_url = ready_rx
        .recv()
        .map_err(|_| anyhow::anyhow!("emulator thread exited before it was ready"))??;
    Ok(Background {
        base_url,
        stop: Some(stop),
        thread: Some(thread),
    })
}
