//! `Secret`: a string that never prints itself, so passwords and tokens cannot leak through logs or `Debug`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A password, token or robot secret. `Debug` and `Display` print `***`; only
/// [`Secret::expose`] yields the value, so every leak has to be written on purpose.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the few places that must send it to Harbor.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string (Harbor's "no secret").
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

// Serialization sends the real value: request bodies (registry credentials, robot
// secrets) need it. Bodies are never logged.
impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Harbor sends `null` for an absent secret; treat it as empty.
        Ok(Self(
            Option::<String>::deserialize(deserializer)?.unwrap_or_default(),
        ))
    }
}
