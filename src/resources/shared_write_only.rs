//! The checks every secret with a write-only twin shares (`auth_header`/`auth_header_wo`,
//! `password`/`password_wo`, ...): the two forms conflict, and the `_wo_version` that tells
//! Terraform when to send a write-only value again means nothing without that value.

use crate::schema::{AttributePath, Diagnostics, Value};

/// Validates `plain`, `plain_wo` and `plain_wo_version` in `config`. `what` names the value in
/// the message ("the header", "the secret").
pub(crate) fn check_pair(config: &Value, plain: &str, what: &str, diags: &mut Diagnostics) {
    let set = |k: &str| !config.get(k).is_null();
    let wo = format!("{plain}_wo");
    if set(plain) && set(&wo) {
        diags.attr_error(
            AttributePath::attr(&wo),
            format!("{plain} and {wo} conflict"),
            format!(
                "Set {what} either in `{plain}` (stored in state) or in `{wo}` (write-only), not both."
            ),
        );
    }
    let version = format!("{wo}_version");
    if set(&version) && !set(&wo) {
        diags.attr_error(
            AttributePath::attr(&version),
            format!("{version} needs {wo}"),
            format!("`{version}` versions the value of `{wo}`; set both, or neither."),
        );
    }
}
