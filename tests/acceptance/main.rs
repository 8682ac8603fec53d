//! Acceptance tests: real `terraform` and `tofu` binaries, every version found, drive the provider.

mod adoption;
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
mod platform;
mod plugin;
mod project;
mod provider_config;
mod query;
mod replication;
mod retention_policy;
mod robot;
mod scanner;
mod scanner_adapter;
mod secrets;
mod system_settings;
mod target;
mod users;
mod webhook;
