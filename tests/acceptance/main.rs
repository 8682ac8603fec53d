//! Acceptance tests: the real `terraform` binary, every version found, drives the provider.

mod harness;
mod plugin;
mod project;
mod robot;
mod target;
