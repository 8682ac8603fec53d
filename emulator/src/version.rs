//! The emulated Harbor release, used to switch behaviour that changed between 2.11 and 2.15.

use std::fmt;

/// A `major.minor.patch` Harbor release; parsed leniently like clients do (`^v?(\d+)\.(\d+)\.(\d+)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

#[derive(Debug, thiserror::Error)]
#[error("harbor version `{0}` is not of the form 2.15.2")]
pub struct VersionParseError(String);

impl Version {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    pub fn parse(text: &str) -> Result<Self, VersionParseError> {
        let trimmed = text.trim().trim_start_matches('v');
        let mut parts = trimmed.splitn(3, '.');
        let mut next = || -> Option<u32> {
            let part = parts.next()?;
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        };
        match (next(), next(), next()) {
            (Some(major), Some(minor), Some(patch)) => Ok(Self {
                major,
                minor,
                patch,
            }),
            _ => Err(VersionParseError(text.to_string())),
        }
    }

    pub fn at_least(&self, major: u32, minor: u32, patch: u32) -> bool {
        *self >= Self::new(major, minor, patch)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_and_without_prefix() {
        assert_eq!(
            Version::parse("v2.15.2-abc").unwrap(),
            Version::new(2, 15, 2)
        );
        assert_eq!(Version::parse("2.11.0").unwrap(), Version::new(2, 11, 0));
        assert!(Version::parse("2.x").is_err());
        assert!(Version::new(2, 15, 1).at_least(2, 15, 1));
        assert!(!Version::new(2, 14, 9).at_least(2, 15, 0));
    }
}
