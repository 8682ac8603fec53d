//! Acceptance tests: the real `terraform` binary, every version found, drives the provider.

mod data_sources;
mod ephemeral;
mod examples;
mod faults;
mod harness;
mod multi_region;
mod plugin;
mod project;
mod provider_config;
mod replication;
mod robot;
mod secrets;
mod target;
