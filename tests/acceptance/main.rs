//! Acceptance tests: real `terraform` and `tofu` binaries, every version found, drive the provider.

mod adoption;
mod config_auth;
mod data_sources;
mod ephemeral;
mod examples;
mod faults;
mod harness;
mod immutable_tag_rule;
mod label;
mod lifecycle_support;
mod migration;
mod multi_region;
mod plugin;
mod project;
mod provider_config;
mod replication;
mod retention_policy;
mod robot;
mod scanner_adapter;
mod secrets;
mod system_settings;
mod target;
mod users;
mod webhook;
