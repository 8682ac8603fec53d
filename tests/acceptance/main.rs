//! Acceptance tests: real `terraform` and `tofu` binaries, every version found, drive the provider.

mod data_sources;
mod ephemeral;
mod examples;
mod faults;
mod harness;
mod migration;
mod multi_region;
mod plugin;
mod project;
mod provider_config;
mod replication;
mod robot;
mod scanner_adapter;
mod secrets;
mod system_settings;
mod target;
