//! What the resources that manage Harbor's scheduled system jobs (garbage collection,
//! audit-log purge, scan-all) share: the `schedule` attribute (goharbor's words for it,
//! Harbor's for the wire, the plan-time check of a custom cron), the schedule that removes a
//! job, and the import of the one schedule Harbor has of each job.

use crate::harbor::{ScheduleObj, SystemJob};
use crate::schema::def::Validator;
use crate::schema::{Diagnostics, Value};

/// Harbor's "no schedule" (type `None`), its default: what destroying a job's resource sends.
pub(crate) fn none() -> ScheduleObj {
    ScheduleObj {
        kind: "None".into(),
        cron: String::new(),
    }
}

/// Harbor has one schedule of each job, so the only import id is the job's path. `noun` names
/// the schedule for people ("garbage collection schedule").
pub(crate) fn check_import_id(
    id: &str,
    job: SystemJob,
    type_name: &str,
    noun: &str,
) -> Result<(), Diagnostics> {
    if id.trim() == job.path() {
        return Ok(());
    }
    let mut d = Diagnostics::new();
    d.error(
        format!("Invalid import id for {type_name}"),
        format!(
            "{id:?}: Harbor has one {noun}; import it with the id `{}`.",
            job.path()
        ),
    );
    Err(d)
}

/// The import of a job that Harbor has no schedule for.
pub(crate) fn nothing_to_import(type_name: &str, noun: &str) -> Diagnostics {
    let mut d = Diagnostics::new();
    d.error(
        format!("Cannot import {type_name}"),
        format!("Harbor has no {noun}. Create one with this resource instead of importing."),
    );
    d
}

/// goharbor's `GetSchedule` (`client/misc.go`): `hourly`, `daily`, `weekly` (any case) or their
/// crons name Harbor's types; anything else is a custom cron. `""` means no schedule.
pub(crate) fn to_harbor(schedule: &str) -> ScheduleObj {
    let (kind, cron) = match schedule.to_ascii_lowercase().as_str() {
        "hourly" | "0 0 * * * *" => ("Hourly", "0 0 * * * *"),
        "daily" | "0 0 0 * * *" => ("Daily", "0 0 0 * * *"),
        "weekly" | "0 0 0 * * 0" => ("Weekly", "0 0 0 * * 0"),
        "" => ("None", ""),
        _ => ("Custom", schedule),
    };
    ScheduleObj {
        kind: kind.into(),
        cron: cron.into(),
    }
}

/// The `schedule` to store for what Harbor has: the configured spelling when it means the same
/// (so `daily`, `Daily` and `0 0 0 * * *` all plan nothing), else Harbor's type, or the cron of a
/// custom one. goharbor stored `Daily` for `daily` and planned a change forever (its #451, #31).
pub(crate) fn from_harbor(prior: Option<&str>, harbor: &ScheduleObj) -> String {
    if let Some(p) = prior
        && same_schedule(&to_harbor(p), harbor)
    {
        return p.to_string();
    }
    match harbor.kind.as_str() {
        "Custom" | "Schedule" => harbor.cron.clone(),
        kind => kind.to_string(),
    }
}

fn same_schedule(a: &ScheduleObj, b: &ScheduleObj) -> bool {
    let crons_match = a.cron.split_whitespace().eq(b.cron.split_whitespace());
    // Harbor stores `Custom` for a cron equal to a named one when sent so; compare by the cron.
    crons_match && (a.kind == b.kind || a.kind == "Custom" || b.kind == "Custom")
}

/// After an import there is no configured spelling yet: the state holds Harbor's (`Daily`), so a
/// configuration that writes `daily` plans one in-place update, which changes nothing in Harbor.
///
/// A `schedule` Harbor will accept: a named period, or a six-field cron its
/// `ValidateCronString` takes (robfig/cron's parser, seconds `0`).
pub(crate) fn validator() -> Validator {
    std::sync::Arc::new(|v, path, diags| {
        let Value::String(s) = v else { return };
        if s.trim().is_empty() {
            diags.attr_error(
                path.clone(),
                format!("Empty {path}"),
                "Use `Hourly`, `Daily`, `Weekly` or a six-field cron such as `0 0 2 * * *`. To stop the job, remove the resource.",
            );
            return;
        }
        let obj = to_harbor(s);
        if obj.kind != "Custom" {
            return;
        }
        let problem = match harbor_cron::parse(s) {
            Err(e) => Some(e),
            Ok(()) if s.split(' ').next() != Some("0") => {
                Some("the first field (seconds) must be 0".to_string())
            }
            Ok(()) => None,
        };
        if let Some(problem) = problem {
            diags.attr_error(
                path.clone(),
                format!("Invalid {path} {s:?}"),
                format!(
                    "Harbor refuses this cron: {problem}. Use `Hourly`, `Daily`, `Weekly` or six fields (seconds minutes hours day-of-month month day-of-week) with seconds 0, such as `0 0 2 * * *`."
                ),
            );
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_crons_round_trip_in_the_configured_spelling() {
        assert_eq!(to_harbor("daily").kind, "Daily");
        assert_eq!(to_harbor("0 0 0 * * 0").kind, "Weekly");
        assert_eq!(to_harbor("0 5 4 * * *").kind, "Custom");
        let daily = to_harbor("Daily");
        assert_eq!(from_harbor(Some("daily"), &daily), "daily");
        assert_eq!(from_harbor(Some("0 0 0 * * *"), &daily), "0 0 0 * * *");
        assert_eq!(from_harbor(Some("weekly"), &daily), "Daily");
        assert_eq!(from_harbor(None, &to_harbor("0 5 4 * * *")), "0 5 4 * * *");
    }
}
