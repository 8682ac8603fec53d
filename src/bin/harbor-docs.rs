//! `harbor-docs`: writes the registry docs under `docs/` from the provider's schemas and
//! `examples/`; with `--check`, changes nothing and exits 1 listing every page that differs, is
//! missing, or is no longer generated (what CI runs).
//!
//! Usage: `cargo run --bin harbor-docs [-- --check] [--root <repository root>]`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use terraform_provider_harbor::docs::{self, DocSet};

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("harbor-docs: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let mut check = false;
    // The repository this binary was built from, so `cargo run` works from any directory.
    let mut root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--root" => root = args.next().context("--root needs a directory")?.into(),
            "-h" | "--help" => {
                println!(
                    "usage: harbor-docs [--check] [--root DIR]\n\nWrites DIR/docs from the schemas and DIR/examples; --check only compares."
                );
                return Ok(ExitCode::SUCCESS);
            }
            other => bail!("unknown argument {other:?} (try --help)"),
        }
    }
    let set = DocSet::from_provider(&root);
    let pages = set.render().context("reading examples/ and docs/guides/")?;
    let docs_dir = root.join("docs");
    if check {
        let problems = docs::check(&docs_dir, &pages).context("reading docs/")?;
        if problems.is_empty() {
            println!("docs/ is up to date ({} generated pages)", pages.len());
            return Ok(ExitCode::SUCCESS);
        }
        for p in &problems {
            println!("{p}");
        }
        println!("docs/ is out of date: run `cargo run --bin harbor-docs` and commit the result");
        return Ok(ExitCode::FAILURE);
    }
    let changed = docs::write(&docs_dir, &pages).context("writing docs/")?;
    for c in &changed {
        println!("{c}");
    }
    println!("{} generated pages, {} changed", pages.len(), changed.len());
    Ok(ExitCode::SUCCESS)
}
