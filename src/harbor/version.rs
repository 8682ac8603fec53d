//! Harbor versions and the features that appeared in them, so callers gate on names, not numbers.

use std::fmt;

/// A Harbor release, parsed from `systeminfo.harbor_version` (e.g. `v2.14.1-6f4b3a2c`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HarborVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

/// The oldest Harbor this provider supports.
pub const MIN_SUPPORTED: HarborVersion = HarborVersion::new(2, 11, 0);

impl HarborVersion {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    /// Parses `^v?(\d+)\.(\d+)\.(\d+)`; anything after the patch number (build
    /// suffixes such as `-5cbb1b01` or `-rc1`) is ignored.
    pub fn parse(text: &str) -> Option<Self> {
        let rest = text.strip_prefix('v').unwrap_or(text);
        let mut numbers = [0u32; 3];
        let mut rest = rest;
        for (i, slot) in numbers.iter_mut().enumerate() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            *slot = rest[..digits].parse().ok()?;
            rest = &rest[digits..];
            if i < 2 {
                rest = rest.strip_prefix('.')?;
            }
        }
        Some(Self::new(numbers[0], numbers[1], numbers[2]))
    }

    /// Whether this version is `major.minor.patch` or newer.
    pub fn at_least(&self, major: u32, minor: u32, patch: u32) -> bool {
        *self >= Self::new(major, minor, patch)
    }

    /// Whether this version has `feature`.
    pub fn supports(&self, feature: Feature) -> bool {
        *self >= feature.min_version()
    }
}

impl fmt::Display for HarborVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Documented behaviour differences between supported Harbor releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    /// Robot `duration = 0` is rejected with 400 (before: meant `robot_token_duration`).
    RobotDurationZeroInvalid,
    /// Project metadata `auto_sbom_generation`.
    AutoSbomGeneration,
    /// Project metadata `proxy_speed_kb`.
    ProxySpeedKb,
    /// Robots holding `robot:create` may create robots.
    RobotsCreateRobots,
    /// Replication policy `single_active_replication`.
    SingleActiveReplication,
    /// Registry `ca_certificate`.
    RegistryCaCertificate,
    /// Project metadata `max_upstream_conn`.
    MaxUpstreamConn,
    /// Project metadata `proxy_cache_local_on_not_found`.
    ProxyCacheLocalOnNotFound,
}

impl Feature {
    /// The first Harbor release with this feature.
    pub const fn min_version(self) -> HarborVersion {
        match self {
            Feature::RobotDurationZeroInvalid | Feature::AutoSbomGeneration => {
                HarborVersion::new(2, 11, 0)
            }
            Feature::ProxySpeedKb | Feature::RobotsCreateRobots => HarborVersion::new(2, 12, 0),
            Feature::SingleActiveReplication => HarborVersion::new(2, 14, 0),
            Feature::RegistryCaCertificate | Feature::MaxUpstreamConn => {
                HarborVersion::new(2, 15, 0)
            }
            Feature::ProxyCacheLocalOnNotFound => HarborVersion::new(2, 15, 1),
        }
    }

    /// The minimum version as text for diagnostics, e.g. `"2.15.1"`.
    pub fn min_version_text(self) -> String {
        self.min_version().to_string()
    }

    /// What the feature is, in the words a diagnostic would use.
    pub const fn description(self) -> &'static str {
        match self {
            Feature::RobotDurationZeroInvalid => "rejecting robot duration 0",
            Feature::AutoSbomGeneration => "project metadata auto_sbom_generation",
            Feature::ProxySpeedKb => "project metadata proxy_speed_kb",
            Feature::RobotsCreateRobots => "robot accounts creating robot accounts",
            Feature::SingleActiveReplication => "replication single_active_replication",
            Feature::RegistryCaCertificate => "registry ca_certificate",
            Feature::MaxUpstreamConn => "project metadata max_upstream_conn",
            Feature::ProxyCacheLocalOnNotFound => "project metadata proxy_cache_local_on_not_found",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_harbor_version_strings() {
        assert_eq!(
            HarborVersion::parse("v2.9.1-5cbb1b01"),
            Some(HarborVersion::new(2, 9, 1))
        );
        assert_eq!(
            HarborVersion::parse("2.15.2"),
            Some(HarborVersion::new(2, 15, 2))
        );
        assert_eq!(
            HarborVersion::parse("v2.14.0-rc1"),
            Some(HarborVersion::new(2, 14, 0))
        );
        assert_eq!(HarborVersion::parse("v2.14"), None);
        assert_eq!(HarborVersion::parse("dev"), None);
        assert_eq!(HarborVersion::parse(""), None);
        assert_eq!(HarborVersion::parse("vv2.1.0"), None);
    }

    #[test]
    fn orders_numerically_not_lexically() {
        let v = HarborVersion::parse("v2.10.0").unwrap();
        assert!(v > HarborVersion::new(2, 9, 9));
        assert!(v.at_least(2, 10, 0));
        assert!(!v.at_least(2, 10, 1));
        assert!(v < MIN_SUPPORTED);
    }

    #[test]
    fn gates_features_by_version() {
        let v2_15_0 = HarborVersion::new(2, 15, 0);
        assert!(v2_15_0.supports(Feature::RegistryCaCertificate));
        assert!(v2_15_0.supports(Feature::MaxUpstreamConn));
        assert!(!v2_15_0.supports(Feature::ProxyCacheLocalOnNotFound));
        assert!(HarborVersion::new(2, 15, 1).supports(Feature::ProxyCacheLocalOnNotFound));
        let v2_11 = HarborVersion::new(2, 11, 0);
        assert!(v2_11.supports(Feature::RobotDurationZeroInvalid));
        assert!(v2_11.supports(Feature::AutoSbomGeneration));
        assert!(!v2_11.supports(Feature::ProxySpeedKb));
        assert!(!HarborVersion::new(2, 13, 9).supports(Feature::SingleActiveReplication));
        assert!(HarborVersion::new(2, 14, 0).supports(Feature::SingleActiveReplication));
        assert_eq!(
            Feature::ProxyCacheLocalOnNotFound.min_version_text(),
            "2.15.1"
        );
        assert_eq!(Feature::RobotsCreateRobots.min_version_text(), "2.12.0");
    }
}
