//! The plugin binary Terraform starts: logging to stderr, then the go-plugin handshake and gRPC serving.

use std::process::ExitCode;

use terraform_provider_harbor::protocol::service::ProviderService;
use terraform_provider_harbor::protocol::{handshake, logging, server};
use terraform_provider_harbor::provider::HarborProvider;

/// What the command line asked for.
enum Mode {
    Plugin,
    Debug,
    Version,
    Help,
}

fn parse_args() -> Result<Mode, String> {
    let mut mode = Mode::Plugin;
    for arg in std::env::args().skip(1) {
        mode = match arg.as_str() {
            "--debug" | "-debug" => Mode::Debug,
            "--version" | "-version" | "-v" => Mode::Version,
            "--help" | "-help" | "-h" => Mode::Help,
            other => return Err(format!("unknown argument {other:?}")),
        };
    }
    Ok(mode)
}

fn main() -> anyhow::Result<ExitCode> {
    let mode = match parse_args() {
        Ok(mode) => mode,
        Err(e) => {
            eprintln!("{e}\n\n{}", handshake::usage_text());
            return Ok(ExitCode::from(2));
        }
    };
    match mode {
        // --version and --help are asked for by a person at a terminal, so stdout is right.
        Mode::Version => {
            println!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
            return Ok(ExitCode::SUCCESS);
        }
        Mode::Help => {
            print!("{}", handshake::usage_text());
            return Ok(ExitCode::SUCCESS);
        }
        Mode::Plugin if !handshake::magic_cookie_present() => {
            eprint!("{}", handshake::usage_text());
            return Ok(ExitCode::FAILURE);
        }
        Mode::Plugin | Mode::Debug => {}
    }

    logging::init();
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let provider = ProviderService::new(HarborProvider);
        match mode {
            Mode::Debug => server::serve_debug(provider).await,
            _ => server::serve(provider).await,
        }
    })?;
    Ok(ExitCode::SUCCESS)
}
