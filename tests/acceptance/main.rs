//! Acceptance tests: the real `terraform` binary, every version found, drives the provider.

mod harness;
mod multi_region;
mod plugin;
mod project;
mod replication;
mod target;
