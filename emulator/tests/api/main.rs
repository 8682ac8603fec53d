//! Integration tests: each test starts its own emulator on a random port and talks real HTTP to it,
//! one test per documented Harbor fact (see shared reference harbor-api.md).

mod support;

mod auth_config;
mod binary;
mod concurrency;
mod configurations;
mod control;
mod general;
mod immutable;
mod labels;
mod lists_by_id;
mod members;
mod missing_projects;
mod projects;
mod queries;
mod quota_events;
mod quotas;
mod registries;
mod replication;
mod repositories;
mod retention;
mod robots;
mod scanners;
mod system_jobs;
mod users;
mod webhooks;
