//! A typed client for the Harbor v2.0 REST API. No Terraform types in here, ever.
//!
//! - [`Client`]: one pooled, cookie-less HTTP client per provider; one `async fn` per
//!   Harbor operation, each documented with the HTTP call it makes.
//! - [`ClientConfig`] / [`Auth`] / [`Secret`]: configuration; secrets never print.
//! - [`Error`]: typed failures with `status()`, `is_not_found()` and friends.
//! - [`HarborVersion`] / [`Feature`]: version gating.
//! - [`models`]: serde types named after Harbor's swagger definitions.
//!
//! Behaviour shared by every operation: `X-Request-Id` on each attempt, retries of
//! idempotent calls with jittered back-off honouring `Retry-After`, creates never
//! repeated blindly (an ambiguous failure adopts the object only if it matches, and a
//! create that got no answer is sent again only once a lookup has found nothing),
//! deletes of something already gone succeed, and list calls walk every page.

mod client;
mod config;
mod error;
mod groups;
mod lifecycle;
mod members;
pub mod models;
mod preheat;
mod probe;
mod projects;
mod registries;
mod replication;
mod robots;
mod secret;
mod system;
mod users;
mod version;
mod webhooks;

#[cfg(test)]
mod tests;

pub use client::Client;
pub use config::{Auth, ClientConfig};
pub use error::{Error, TransportKind};
pub use groups::UserGroup;
pub use lifecycle::{
    ImmutableRule, Label, RetentionExecution, RetentionOutcome, RetentionPolicy, RetentionRule,
    RetentionScope, RetentionTask, RetentionTrigger, Selector,
};
pub use members::{MemberGroup, MemberUser, ProjectMember, ProjectMemberEntity};
pub use preheat::PreheatInstance;
pub use probe::{Connection, Principal};
pub use projects::{ProjectListFilter, ProjectRef};
pub use registries::normalize_url;
pub use robots::robot_full_name;
pub use secret::Secret;
pub use users::{UserCreationReq, UserProfile, UserResp};
pub use version::{Feature, HarborVersion, MIN_SUPPORTED};
pub use webhooks::{PayloadFormats, WebhookEvents, WebhookPolicy, WebhookTarget};
mod system_settings;
pub use system_settings::{CveAllowlistItem, JobSchedule, ScheduleObj, SystemAllowlist, SystemJob};
mod scanners;
pub use scanners::ScannerRegistrationReq;
mod batch;
#[cfg(test)]
mod prefix_tests;
#[cfg(test)]
mod q_terms_tests;
