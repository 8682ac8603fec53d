//! Logs to stderr as hclog JSON lines, the format go-plugin parses, so Terraform re-emits
//! provider entries in its own log under `provider.terraform-provider-harbor`.
//!
//! go-plugin (client.go `logStderr` → `parseJSON`) reads each stderr line as JSON, takes
//! `@message`, `@level` and `@timestamp`, and passes every other key on as a key/value pair.
//! A line that fails to parse (including a `@timestamp` not in exactly
//! `2006-01-02T15:04:05.000000Z07:00`) is logged raw at DEBUG, losing its level.

use std::fmt::Write as _;
use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// The `@module` every entry carries; matches the name go-plugin gives the provider's logger.
pub const MODULE: &str = "provider.terraform-provider-harbor";

/// The level to emit, from `TF_LOG_PROVIDER`, else `TF_LOG`.
///
/// When neither is set (or `OFF`), Terraform gives the provider's logger level Off and drops
/// whatever arrives, so emitting costs a pipe write and nothing else. We still emit INFO and
/// above then: when a person runs `--debug` by hand, stderr is their terminal and that is the
/// only feedback they get; and Terraform keeps the level filter, so nothing leaks into its
/// output. Unknown values also mean INFO, mirroring Terraform, which treats them as TRACE for
/// itself but warns; being quieter is the safer guess for a plugin.
pub fn level_from_env(lookup: impl Fn(&str) -> Option<String>) -> LevelFilter {
    let value = lookup("TF_LOG_PROVIDER")
        .filter(|v| !v.trim().is_empty())
        .or_else(|| lookup("TF_LOG").filter(|v| !v.trim().is_empty()));
    match value.map(|v| v.trim().to_ascii_uppercase()).as_deref() {
        Some("TRACE") | Some("JSON") => LevelFilter::TRACE,
        Some("DEBUG") => LevelFilter::DEBUG,
        Some("WARN") => LevelFilter::WARN,
        Some("ERROR") => LevelFilter::ERROR,
        _ => LevelFilter::INFO,
    }
}

/// Which events pass: this crate at `level`; dependencies (h2, hyper, rustls, tonic...) at WARN
/// unless `level` is TRACE, then at DEBUG. At DEBUG they log every HTTP/2 frame and TLS step,
/// which would bury the provider's own entries in `TF_LOG_PROVIDER=DEBUG` output.
pub fn filter(level: LevelFilter) -> Targets {
    let dependencies = if level == LevelFilter::TRACE {
        LevelFilter::DEBUG
    } else {
        level.min(LevelFilter::WARN)
    };
    Targets::new()
        .with_default(dependencies)
        .with_target(env!("CARGO_CRATE_NAME"), level)
}

/// Installs the global subscriber: hclog JSON lines on stderr at the level from the environment.
/// Safe to call more than once; later calls do nothing.
pub fn init() {
    let level = level_from_env(|k| std::env::var(k).ok());
    let _ = tracing_subscriber::registry()
        .with(HclogLayer::new(std::io::stderr).with_filter(filter(level)))
        .try_init();
}

/// A `tracing` layer writing one hclog JSON object per event.
pub struct HclogLayer<W> {
    make_writer: W,
}

impl<W> HclogLayer<W>
where
    W: for<'a> MakeWriter<'a> + 'static,
{
    pub fn new(make_writer: W) -> Self {
        Self { make_writer }
    }
}

impl<S, W> Layer<S> for HclogLayer<W>
where
    S: Subscriber,
    W: for<'a> MakeWriter<'a> + 'static,
{
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let line = format_event(event, SystemTime::now());
        // One write per line, so concurrent events never interleave within a line.
        let _ = self.make_writer.make_writer().write_all(line.as_bytes());
    }
}

/// Formats one event as a JSON line (with its newline).
fn format_event(event: &Event<'_>, now: SystemTime) -> String {
    let mut fields = FieldVisitor(Map::new());
    event.record(&mut fields);
    let mut obj = fields.0;
    // Events bridged from the `log` crate carry their source location as fields; it is
    // noise in Terraform's log, while the target says where they came from.
    for noise in ["log.file", "log.line", "log.module_path"] {
        obj.remove(noise);
    }
    let message = match obj.remove("message") {
        Some(Value::String(s)) => s,
        Some(other) => other.to_string(),
        None => String::new(),
    };
    obj.insert("@level".into(), level_name(event.metadata().level()).into());
    obj.insert("@message".into(), message.into());
    obj.insert("@timestamp".into(), rfc3339_micros(now).into());
    obj.insert("@module".into(), MODULE.into());
    let mut line = Value::Object(obj).to_string();
    line.push('\n');
    line
}

/// hclog's level names.
fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// Collects an event's fields as JSON values, keeping numbers and booleans typed.
struct FieldVisitor(Map<String, Value>);

impl Visit for FieldVisitor {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().into(), format!("{value:?}").into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0.insert(field.name().into(), value.to_string().into());
    }
}

/// UTC time as `2006-01-02T15:04:05.000000Z`: exactly six fractional digits, because go-plugin
/// parses with that fixed layout and rejects any other width.
fn rfc3339_micros(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    let (y, m, day) = civil_from_days(days);
    let mut s = String::with_capacity(27);
    let _ = write!(
        s,
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        d.subsec_micros()
    );
    s
}

/// Days since 1970-01-01 to (year, month, day); Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use super::*;

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);

    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Buf {
        type Writer = Buf;
        fn make_writer(&'a self) -> Buf {
            self.clone()
        }
    }

    fn capture(level: LevelFilter, f: impl FnOnce()) -> Vec<Value> {
        let buf = Buf::default();
        let subscriber =
            tracing_subscriber::registry().with(HclogLayer::new(buf.clone()).with_filter(level));
        tracing::subscriber::with_default(subscriber, f);
        let out = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        out.lines()
            .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
            .collect()
    }

    #[test]
    fn emits_one_hclog_json_object_per_event() {
        let lines = capture(LevelFilter::TRACE, || {
            tracing::debug!(rpc = "GetProviderSchema", attempt = 2, ok = true, "served");
            tracing::warn!("careful");
        });
        assert_eq!(lines.len(), 2);
        let first = &lines[0];
        assert_eq!(first["@level"], "debug");
        assert_eq!(first["@message"], "served");
        assert_eq!(first["@module"], MODULE);
        assert_eq!(first["rpc"], "GetProviderSchema");
        assert_eq!(first["attempt"], 2);
        assert_eq!(first["ok"], true);
        assert!(first.get("message").is_none());
        let ts = first["@timestamp"].as_str().unwrap();
        assert_eq!(ts.len(), "2006-01-02T15:04:05.000000Z".len(), "{ts}");
        assert_eq!(lines[1]["@level"], "warn");
    }

    #[test]
    fn dependencies_stay_at_warn_unless_tracing() {
        let debug = filter(LevelFilter::DEBUG);
        assert!(debug.would_enable("terraform_provider_harbor::protocol", &Level::DEBUG));
        assert!(!debug.would_enable("h2::codec", &Level::DEBUG));
        assert!(debug.would_enable("h2::codec", &Level::WARN));
        let trace = filter(LevelFilter::TRACE);
        assert!(trace.would_enable("rustls::server", &Level::DEBUG));
        assert!(!trace.would_enable("h2::codec", &Level::TRACE));
        let error = filter(LevelFilter::ERROR);
        assert!(!error.would_enable("h2::codec", &Level::WARN));
    }

    #[test]
    fn filters_below_the_level() {
        let lines = capture(LevelFilter::INFO, || {
            tracing::debug!("hidden");
            tracing::info!("shown");
        });
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["@message"], "shown");
    }

    #[test]
    fn timestamps_have_exactly_six_fractional_digits() {
        let t = UNIX_EPOCH + Duration::from_micros(1_700_000_000_000_042);
        assert_eq!(rfc3339_micros(t), "2023-11-14T22:13:20.000042Z");
        assert_eq!(rfc3339_micros(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(rfc3339_micros(leap), "2000-02-29T00:00:00.000000Z");
    }

    #[test]
    fn level_follows_tf_log_provider_then_tf_log() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(level_from_env(env(&[])), LevelFilter::INFO);
        assert_eq!(
            level_from_env(env(&[("TF_LOG", "debug")])),
            LevelFilter::DEBUG
        );
        assert_eq!(
            level_from_env(env(&[("TF_LOG", "JSON")])),
            LevelFilter::TRACE
        );
        assert_eq!(
            level_from_env(env(&[("TF_LOG", "TRACE"), ("TF_LOG_PROVIDER", "ERROR")])),
            LevelFilter::ERROR
        );
        assert_eq!(level_from_env(env(&[("TF_LOG", "OFF")])), LevelFilter::INFO);
    }
}
