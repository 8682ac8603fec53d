//! Acceptance tests: the real `terraform` binary, every version found, drives the provider.

mod faults;
mod harness;
mod plugin;
mod project;
mod target;
