//! Harbor's cron rules: `utils.CronParser()` (robfig/cron v3 with the six fields Second..Dow
//! and no descriptors), which every Harbor schedule goes through, plus the two checks of
//! `controller/replication/model/model.go` `Validate` for replication triggers.
//!
//! One implementation for both sides: the provider refuses at plan time what Harbor would
//! refuse, and the emulator refuses what Harbor refuses. It knows nothing of Terraform or HTTP.

/// (minimum, maximum, names) of each field, as robfig/cron v3's `bounds`.
const FIELDS: [(u32, u32, &[&str]); 6] = [
    (0, 59, &[]),
    (0, 59, &[]),
    (0, 23, &[]),
    (1, 31, &[]),
    (
        1,
        12,
        &[
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ],
    ),
    (0, 6, &["sun", "mon", "tue", "wed", "thu", "fri", "sat"]),
];

const FIELD_NAMES: [&str; 6] = [
    "seconds",
    "minutes",
    "hours",
    "day of month",
    "month",
    "day of week",
];

/// robfig's `mustParseInt`: a non-negative decimal.
fn number(s: &str) -> Result<u32, String> {
    let n: i64 = s
        .parse()
        .map_err(|_| format!("failed to parse int from {s}"))?;
    if n < 0 {
        return Err(format!("negative number ({n}) not allowed: {s}"));
    }
    u32::try_from(n).map_err(|_| format!("failed to parse int from {s}"))
}

/// robfig's `parseIntOrName`: a name of the field (case-insensitive), else a number.
fn int_or_name(s: &str, names: &[&str]) -> Result<u32, String> {
    let lower = s.to_ascii_lowercase();
    if let Some(i) = names.iter().position(|n| *n == lower) {
        // Months count from 1, weekdays from 0.
        return Ok(if names.len() == 12 {
            i as u32 + 1
        } else {
            i as u32
        });
    }
    number(s)
}

/// robfig's `getRange` for one comma-separated part of a field.
fn range(expr: &str, (min, max, names): (u32, u32, &[&str])) -> Result<(), String> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_and_high: Vec<&str> = range_and_step[0].split('-').collect();
    let single = low_and_high.len() == 1;
    let (start, mut end) = if low_and_high[0] == "*" || low_and_high[0] == "?" {
        (min, max)
    } else {
        let start = int_or_name(low_and_high[0], names)?;
        let end = match low_and_high.len() {
            1 => start,
            2 => int_or_name(low_and_high[1], names)?,
            _ => return Err(format!("too many hyphens: {expr}")),
        };
        (start, end)
    };
    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let step = number(range_and_step[1])?;
            // `N/step` means from N to the maximum.
            if single && low_and_high[0] != "*" && low_and_high[0] != "?" {
                end = max;
            }
            step
        }
        _ => return Err(format!("too many slashes: {expr}")),
    };
    if start < min {
        return Err(format!(
            "beginning of range ({start}) below minimum ({min}): {expr}"
        ));
    }
    if end > max {
        return Err(format!(
            "end of range ({end}) above maximum ({max}): {expr}"
        ));
    }
    if start > end {
        return Err(format!(
            "beginning of range ({start}) beyond end of range ({end}): {expr}"
        ));
    }
    if step == 0 {
        return Err(format!("step of range should be a positive number: {expr}"));
    }
    Ok(())
}

/// `utils.CronParser().Parse`: exactly six whitespace-separated fields, each a comma list of
/// ranges within its bounds. An optional `TZ=`/`CRON_TZ=` prefix is not supported here (the
/// time zone is not checked), nor are descriptors (`@daily`), which Harbor's parser refuses.
pub fn parse(spec: &str) -> Result<(), String> {
    if spec.trim().is_empty() {
        return Err("empty spec string".into());
    }
    if spec.trim_start().starts_with('@') {
        return Err(format!("parser does not accept descriptors: {spec}"));
    }
    let fields: Vec<&str> = spec.split_whitespace().collect();
    if fields.len() != 6 {
        return Err(format!(
            "expected exactly 6 fields, found {}: [{}]",
            fields.len(),
            fields.join(" ")
        ));
    }
    for (i, field) in fields.iter().enumerate() {
        for part in field.split(',') {
            range(part, FIELDS[i]).map_err(|e| format!("{} field: {e}", FIELD_NAMES[i]))?;
        }
    }
    Ok(())
}

/// `Validate` of a scheduled replication trigger: the parser, then (splitting on single spaces,
/// as Harbor does) seconds exactly `0` and minutes not `*`. The error is Harbor's message.
pub fn validate_replication_cron(cron: &str) -> Result<(), String> {
    if cron.is_empty() {
        return Err("the cron string cannot be empty when the trigger type is scheduled".into());
    }
    if parse(cron).is_err() {
        return Err(format!("invalid cron string for scheduled trigger: {cron}"));
    }
    let parts: Vec<&str> = cron.split(' ').collect();
    if parts[0] != "0" {
        return Err(
            "the 1st field (indicating Seconds of time) of the cron setting must be 0".into(),
        );
    }
    if parts.get(1) == Some(&"*") {
        return Err(
            "* is not allowed for the Minutes field of the cron setting of replication policy"
                .into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robfig_bounds_and_harbor_rules() {
        for ok in [
            "0 0 */2 * * *",
            "0 */15 * * * *",
            "0 0 2 * * mon-fri",
            "0 0 0 1 JAN ?",
            "0 5,35 1-3 1/2 * 0",
        ] {
            assert_eq!(validate_replication_cron(ok), Ok(()), "{ok}");
        }
        for bad in [
            "0 99 * * * *",
            "0 0 24 * * *",
            "0 0 0 0 * *",
            "0 0 0 * 13 *",
            "0 0 0 * * 7",
            "0 0 5-2 * * *",
            "0 0 */0 * * *",
            "0 0 1-2-3 * * *",
            "0 0 x * * *",
            "0 0 2 * *",
            "5 0 2 * * *",
            "0 * * * * *",
            "@daily",
            "",
        ] {
            assert!(validate_replication_cron(bad).is_err(), "{bad}");
        }
    }
}
