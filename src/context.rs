//! What every resource and data source gets once the provider is configured: the Harbor client
//! and the facts about the connected Harbor that change what a resource may do.
//!
//! It has a module of its own so that resources depend on it, and `provider` (which builds it
//! and registers the resources) depends on them, with no loop between the two.

use crate::harbor::{self, HarborVersion, Principal};

/// The configured connection to one Harbor.
pub struct HarborContext {
    pub client: harbor::Client,
    /// `None` only when Harbor hides its version (it shows it to every authenticated caller).
    pub version: Option<HarborVersion>,
    /// The system robot name prefix: Harbor's setting when readable, else `robot_prefix`, else `robot$`.
    pub robot_prefix: String,
    pub principal: Principal,
}

impl HarborContext {
    /// True when the connected Harbor has the feature, or when its version is unknown
    /// (Harbor then decides at apply time).
    pub fn supports(&self, feature: harbor::Feature) -> bool {
        self.version.is_none_or(|v| v.supports(feature))
    }
}
