//! Storage usage of a project and the quota check of a push, with the QUOTA_EXCEED and
//! QUOTA_WARNING events Harbor fires from it.
//!
//! Harbor: `src/server/middleware/quota/quota.go` (`RequestMiddleware`: reserve, refuse with
//! `DENIED`, the exceeded and 85 % warning events), `put_manifest.go` (`putManifestResources`: a
//! manifest already in the project requests nothing), `util.go` (`projectResourcesEvent`),
//! `src/controller/quota/controller.go` (`reserveResources`), `src/pkg/quota/util.go` (`IsSafe`),
//! `src/pkg/quota/errors.go` (`ResourceOverflow.Error`), `src/pkg/quota/types/format.go`
//! (`byteCountToDisplaySize`), `src/controller/event/handler/webhook/quota/quota.go`
//! (`constructQuotaPayload`).

use std::collections::{BTreeMap, BTreeSet};

use crate::error::ApiError;
use crate::state::Store;
use crate::util::Timestamp;
use crate::webhooks::{Delivery, EventData, Payload, RepositoryInfo, Resource, deliveries};

/// `RequestConfig.ResourcesWarningPercent`'s default, which every push middleware keeps.
const WARNING_PERCENT: i64 = 85;

/// Bytes the project's artifacts hold: each digest once, as Harbor counts a blob once per project
/// (`blobCtl.CalculateTotalSizeByProject`), whichever repositories share it.
pub fn storage_used(store: &Store, project_id: i64) -> i64 {
    let mut seen = BTreeSet::new();
    store
        .lifecycle
        .artifacts
        .values()
        .filter(|a| a.project_id == project_id && seen.insert(a.digest.as_str()))
        .map(|a| a.size)
        .sum()
}

/// `byteCountToDisplaySize`: binary units with one decimal, bytes below 1 KiB.
pub fn display_size(value: i64) -> String {
    const UNIT: i64 = 1024;
    if value < UNIT {
        return format!("{value} B");
    }
    let (mut div, mut exp) = (UNIT, 0usize);
    let mut n = value / UNIT;
    while n >= UNIT {
        div *= UNIT;
        exp += 1;
        n /= UNIT;
    }
    let unit = b"KMGTPE"[exp] as char;
    format!("{:.1} {unit}iB", value as f64 / div as f64)
}

/// What a push asks of the quota, and whom to tell.
pub struct PushCheck<'a> {
    pub project_id: i64,
    /// `project/repository`.
    pub repository: &'a str,
    pub digest: &'a str,
    /// The tag the manifest was pushed by, if any (`ParseReference` of the manifest URL).
    pub tag: Option<&'a str>,
    pub size: i64,
    pub operator: &'a str,
}

/// The outcome of the quota check of one push.
pub enum Verdict {
    /// Nothing to charge (quota off, unlimited, or the manifest is already in the project).
    Free,
    /// Charged; the deliveries are the QUOTA_WARNING ones when usage reached 85 %.
    Charged(Vec<Delivery>),
    /// Refused: 403 `DENIED` with `ResourceOverflow`'s text, and the QUOTA_EXCEED deliveries.
    Refused(ApiError, Vec<Delivery>),
}

/// `RequestMiddleware` around a manifest PUT. The push itself happens after a `Charged` or `Free`
/// verdict; usage is the artifacts' sizes, so charging is the push.
pub fn check_push(store: &Store, push: &PushCheck<'_>) -> Verdict {
    if !store.settings.quota_per_project_enable {
        return Verdict::Free;
    }
    // `putManifestResources`: a manifest already associated with the project requests nothing.
    if store
        .lifecycle
        .artifacts
        .values()
        .any(|a| a.project_id == push.project_id && a.digest == push.digest)
    {
        return Verdict::Free;
    }
    let Some(hard) = store.quota_of(push.project_id).map(|q| q.hard_storage) else {
        return Verdict::Free;
    };
    if hard == -1 {
        return Verdict::Free;
    }
    let used = storage_used(store, push.project_id);
    let new_used = used + push.size;
    if new_used > hard {
        // `ResourceOverflow.Error`; the middleware answers `DeniedError` with `errs.Error()`.
        let message = format!(
            "adding {} of storage resource, which when updated to current usage of {} will exceed the configured upper limit of {}.",
            display_size(new_used - used),
            display_size(used),
            display_size(hard)
        );
        let events = quota_event(store, push, "QUOTA_EXCEED", &message);
        return Verdict::Refused(ApiError::denied(message), events);
    }
    // `GetWarningResources`: used * 100 >= hard * percent, after the push.
    if new_used * 100 >= hard * WARNING_PERCENT {
        let message = format!(
            "quota usage reach {WARNING_PERCENT}%: resource storage used {} of {}",
            display_size(new_used),
            display_size(hard)
        );
        return Verdict::Charged(quota_event(store, push, "QUOTA_WARNING", &message));
    }
    Verdict::Charged(Vec::new())
}

/// `projectResourcesEvent` then `constructQuotaPayload`: the repository without `date_created`,
/// one resource with only tag and digest, and the message under `custom_attributes.Details`.
fn quota_event(store: &Store, push: &PushCheck<'_>, kind: &str, message: &str) -> Vec<Delivery> {
    let Some(project) = store.projects.get(&push.project_id) else {
        return Vec::new();
    };
    let payload = Payload {
        kind: kind.into(),
        occur_at: Timestamp::now().unix_seconds(),
        operator: push.operator.into(),
        event_data: EventData {
            resources: vec![Resource {
                digest: push.digest.into(),
                tag: push.tag.unwrap_or_default().into(),
                resource_url: String::new(),
            }],
            repository: Some(RepositoryInfo::of(project, push.repository, None)),
            custom: BTreeMap::from([("Details".to_string(), message.to_string())]),
            ..EventData::default()
        },
    };
    deliveries(store, project.id, &payload)
}
