//! Helpers shared by `harbor_label`, `harbor_immutable_tag_rule` and `harbor_retention_policy`:
//! the goharbor-style project reference (`/projects/<id>`, an id, or a name), the one-of checks on
//! pairs of pattern attributes, and retention schedules.

use crate::context::HarborContext;
use crate::harbor::ProjectRef;
use crate::schema::{AttributePath, Diagnostics, Value};

use super::{ImportRef, api_diag, parse_import_id};

/// A project as these resources take it: `/projects/<id>` (what `harbor_project.x.id` holds, and
/// goharbor's form), a numeric id, or a project name.
pub(crate) fn project_ref(text: &str) -> ProjectRef {
    match parse_import_id(text, "/projects/") {
        Ok(ImportRef::Id(id)) => ProjectRef::Id(id),
        _ => ProjectRef::Name(text.to_owned()),
    }
}

/// The numeric id of the project `text` names; `attr` is the attribute, for the message.
pub(crate) async fn project_id(
    h: &HarborContext,
    text: &str,
    resource: &str,
    attr: &str,
) -> Result<i64, Diagnostics> {
    match project_ref(text) {
        ProjectRef::Id(id) => Ok(id),
        r @ ProjectRef::Name(_) => match h.client.get_project(&r).await {
            Ok(p) => Ok(p.project_id),
            Err(e) if e.is_not_found() => {
                let mut d = Diagnostics::new();
                d.attr_error(
                    AttributePath::attr(attr),
                    format!("{resource}: project {text} does not exist"),
                    format!("Set `{attr}` to an existing project: `harbor_project.<name>.id`, a numeric id, or a project name."),
                );
                Err(d)
            }
            Err(e) => Err(api_diag("Could not read project", text, &e)),
        },
    }
}

/// Whether `text` names project `id` by number (`/projects/<id>` or `<id>`); a name cannot be
/// told without asking Harbor, so it is taken as naming it.
pub(crate) fn names_project(text: &str, id: i64) -> bool {
    match project_ref(text) {
        ProjectRef::Id(n) => n == id,
        ProjectRef::Name(_) => true,
    }
}

/// Counts how many of `names` in the (configuration) object `block` are set: a string or number
/// that is not null, a bool that is true. `None` when one of them is unknown, so the check waits.
fn count_set(block: &Value, names: &[&str]) -> Option<usize> {
    let mut n = 0;
    for name in names {
        match block.get(name) {
            Value::Unknown => return None,
            Value::Null => {}
            Value::Bool(b) => n += usize::from(*b),
            _ => n += 1,
        }
    }
    Some(n)
}

/// Exactly one of `names` must be set in `block` (at `path`): the error is on the attributes
/// involved and says which to keep.
pub(crate) fn exactly_one(
    block: &Value,
    path: &AttributePath,
    names: &[&str],
    hint: &str,
    resource: &str,
    diags: &mut Diagnostics,
) {
    let Some(n) = count_set(block, names) else {
        return;
    };
    let list = names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if n == 0 {
        diags.attr_error(
            path.join_attr(names[0]),
            format!("{resource}: one of {list} is required"),
            format!("Set exactly one of {list}. {hint}"),
        );
    } else if n > 1 {
        for name in names {
            if !matches!(block.get(name), Value::Null | Value::Bool(false)) {
                diags.attr_error(
                    path.join_attr(name),
                    format!("{resource}: only one of {list} can be set"),
                    format!("Harbor keeps one of them per rule; remove all but one. {hint}"),
                );
            }
        }
    }
}

/// Retention schedules as goharbor/harbor names them (`client/misc.go` `GetSchedule`): a name for
/// Harbor's three presets, or a cron string of its own.
pub(crate) const SCHEDULES: [(&str, &str); 3] = [
    ("Hourly", "0 0 * * * *"),
    ("Daily", "0 0 0 * * *"),
    ("Weekly", "0 0 0 * * 0"),
];

/// The cron Harbor stores for `schedule` (a preset name, any case, or a cron string).
pub(crate) fn schedule_cron(schedule: &str) -> String {
    SCHEDULES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(schedule))
        .map_or_else(|| schedule.to_owned(), |(_, cron)| (*cron).to_owned())
}

/// The `schedule` to show for Harbor's `cron`: what the prior state said when it means the same
/// cron (so `daily` and `0 0 0 * * *` both stay as written), else goharbor's form (a preset's
/// name, or the cron itself); null for no schedule.
pub(crate) fn schedule_of(cron: &str, prior: Option<&str>) -> Option<String> {
    if cron.is_empty() {
        return None;
    }
    if let Some(p) = prior
        && schedule_cron(p) == cron
    {
        return Some(p.to_owned());
    }
    Some(
        SCHEDULES
            .iter()
            .find(|(_, c)| *c == cron)
            .map_or_else(|| cron.to_owned(), |(name, _)| (*name).to_owned()),
    )
}

/// `schedule`: a preset or a cron Harbor accepts (`ValidateRetentionPolicy`: robfig's six fields,
/// seconds 0).
pub(crate) fn schedule_validator() -> crate::schema::def::Validator {
    std::sync::Arc::new(|v, path, diags| {
        let Some(s) = v.as_str() else { return };
        let cron = schedule_cron(s);
        let problem = harbor_cron::parse(&cron).err().or_else(|| {
            (cron.split(' ').next() != Some("0"))
                .then(|| "the first field (seconds) must be 0".to_owned())
        });
        if let Some(problem) = problem {
            diags.attr_error(
                path.clone(),
                format!("Invalid schedule {s:?}"),
                format!(
                    "Use `Hourly`, `Daily`, `Weekly`, or a six-field cron with seconds 0 such as `0 30 2 * * *` ({problem})."
                ),
            );
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_keep_the_form_written() {
        assert_eq!(schedule_cron("daily"), "0 0 0 * * *");
        assert_eq!(schedule_cron("0 5 * * * *"), "0 5 * * * *");
        assert_eq!(
            schedule_of("0 0 0 * * *", Some("daily")).as_deref(),
            Some("daily")
        );
        assert_eq!(schedule_of("0 0 0 * * *", None).as_deref(), Some("Daily"));
        assert_eq!(
            schedule_of("0 0 0 * * *", Some("0 0 0 * * *")).as_deref(),
            Some("0 0 0 * * *")
        );
        assert_eq!(schedule_of("", Some("Daily")), None);
    }

    #[test]
    fn project_references() {
        assert_eq!(project_ref("/projects/4"), ProjectRef::Id(4));
        assert_eq!(project_ref("4"), ProjectRef::Id(4));
        assert_eq!(project_ref("ci"), ProjectRef::Name("ci".into()));
        assert!(names_project("/projects/4", 4) && !names_project("5", 4));
    }
}
