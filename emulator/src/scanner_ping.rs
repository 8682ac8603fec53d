//! Harbor's check of a scanner adapter on registration: `basicController.Ping`
//! (src/controller/scanner/base_controller.go) asks the adapter's `GET {url}/api/v1/metadata`
//! (src/pkg/scan/rest/v1/client.go `GetMetadata`, with the registration's authorizer from
//! src/pkg/scan/rest/auth) and validates the answer (`ScannerAdapterMetadata.Validate` in
//! src/pkg/scan/rest/v1/models.go). The emulator makes the same request to the real adapter.

use serde::Deserialize;

/// `MimeTypeDockerArtifact`: every capability must consume it.
const DOCKER_ARTIFACT: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// `supportedMimeTypes`: a capability must produce one of these reports.
const REPORTS: [&str; 2] = [
    "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0",
    "application/vnd.security.vulnerability.report; version=1.1",
];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Scanner {
    name: String,
    vendor: String,
    version: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Capability {
    consumes_mime_types: Vec<String>,
    produces_mime_types: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Metadata {
    scanner: Option<Scanner>,
    capabilities: Vec<Capability>,
}

/// Asks the adapter for its metadata as Harbor does; the error says why it is unusable.
pub async fn ping(
    url: &str,
    auth: &str,
    credential: &str,
    skip_cert_verify: bool,
) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(skip_cert_verify)
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let mut req = client
        .get(format!("{}/api/v1/metadata", url.trim_end_matches('/')))
        .header(
            reqwest::header::ACCEPT,
            "application/vnd.scanner.adapter.metadata+json; version=1.0",
        );
    // `auth.GetAuthorizer`: Basic and Bearer go in `Authorization`, the API key in its own header.
    req = match auth {
        "Basic" => {
            use base64::Engine as _;
            let data = base64::engine::general_purpose::STANDARD.encode(credential);
            req.header(reqwest::header::AUTHORIZATION, format!("Basic {data}"))
        }
        "Bearer" => req.header(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {credential}"),
        ),
        // `GetAuthorizer` (pkg/scan/rest/auth/auth.go): the `APIKey` type sends the key in this header.
        "APIKey" => req.header("X-ScannerAdapter-API-Key", credential),
        _ => req,
    };
    let resp = req
        .send()
        .await
        .map_err(|e| format!("v1 client: get metadata: {e}"))?;
    if resp.status() != reqwest::StatusCode::OK {
        return Err(format!(
            "v1 client: get metadata: unexpected status code {}",
            resp.status().as_u16()
        ));
    }
    let meta: Metadata = resp
        .json()
        .await
        .map_err(|e| format!("v1 client: get metadata: {e}"))?;
    let scanner = meta.scanner.unwrap_or_default();
    if scanner.name.is_empty() || scanner.version.is_empty() || scanner.vendor.is_empty() {
        return Err("invalid scanner in metadata".into());
    }
    if meta.capabilities.is_empty() {
        return Err("invalid capabilities in metadata".into());
    }
    for c in &meta.capabilities {
        if !c.consumes_mime_types.iter().any(|m| m == DOCKER_ARTIFACT) {
            return Err(format!("missing {DOCKER_ARTIFACT} in consumes_mime_types"));
        }
        if !c
            .produces_mime_types
            .iter()
            .any(|m| REPORTS.contains(&m.as_str()))
        {
            return Err(format!(
                "missing {} or {} in produces_mime_types",
                REPORTS[0], REPORTS[1]
            ));
        }
    }
    Ok(())
}
