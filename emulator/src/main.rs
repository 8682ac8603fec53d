//! `harbor-emulator`: serves the emulated Harbor API until SIGTERM or SIGINT.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use harbor_emulator::{Config, TlsFiles};

const USAGE: &str = "\
Usage: harbor-emulator [OPTIONS]

An in-memory emulator of the Harbor v2.15 REST API for testing.
Prints its base URL as the first line on stdout once it is listening; logs go to stderr.

Options:
  --addr ADDR              listen address [default: 127.0.0.1:0]
  --admin-password PASS    password of the `admin` user [default: Harbor12345]
  --harbor-version VER     emulated Harbor release, 2.11.0 to 2.15.2 [default: 2.15.2]
  --latency-ms MS          delay added to every /api request [default: 0]
  --tls-cert FILE          PEM certificate chain; serve HTTPS (needs --tls-key)
  --tls-key FILE           PEM private key
  --record-exchanges       keep a log of /api/v2.0 exchanges at GET /_emulator/exchanges
  -h, --help               print this help
";

enum Command {
    Help,
    Run(Config),
}

fn parse_args(args: impl Iterator<Item = String>) -> anyhow::Result<Command> {
    let mut config = Config::default();
    let mut cert: Option<PathBuf> = None;
    let mut key: Option<PathBuf> = None;
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if flag == "-h" || flag == "--help" {
            return Ok(Command::Help);
        }
        let mut value = || -> anyhow::Result<String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => args.next().with_context(|| format!("{flag} needs a value")),
            }
        };
        match flag.as_str() {
            "--addr" => {
                config.addr = value()?
                    .parse::<SocketAddr>()
                    .context("--addr must look like 127.0.0.1:8080")?
            }
            "--admin-password" => config.admin_password = value()?,
            "--harbor-version" => {
                let v = value()?;
                harbor_emulator::version::Version::parse(&v)?;
                config.harbor_version = v;
            }
            "--latency-ms" => {
                config.latency_ms = value()?.parse().context("--latency-ms must be a number")?
            }
            "--tls-cert" => cert = Some(value()?.into()),
            "--tls-key" => key = Some(value()?.into()),
            "--record-exchanges" => config.record_exchanges = true,
            other => bail!("unknown argument {other}\n\n{USAGE}"),
        }
    }
    config.tls = match (cert, key) {
        (Some(cert_pem_path), Some(key_pem_path)) => Some(TlsFiles {
            cert_pem_path,
            key_pem_path,
        }),
        (None, None) => None,
        _ => bail!("--tls-cert and --tls-key go together"),
    };
    Ok(Command::Run(config))
}

async fn shutdown_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let config = match parse_args(std::env::args().skip(1))? {
        Command::Help => {
            print!("{USAGE}");
            return Ok(());
        }
        Command::Run(config) => config,
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let running = harbor_emulator::start(config).await?;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", running.base_url())?;
        stdout.flush()?;
        drop(stdout);
        shutdown_signal().await?;
        tracing::info!("shutting down");
        running.shutdown().await;
        Ok(())
    })
}
