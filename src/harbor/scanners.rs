//! Scanner registrations (`/scanners`): adapters speaking Harbor's pluggable scanner API.
//! Harbor asks the adapter for its metadata before registering it, and never returns the
//! stored credential.

use serde::Serialize;

use super::client::{Client, Req, Response};
use super::error::Error;
use super::models::ScannerRegistration;
use super::secret::Secret;

/// `ScannerRegistrationReq`: the body of `POST /scanners` and `PUT /scanners/{uuid}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScannerRegistrationReq {
    pub name: String,
    pub description: String,
    pub url: String,
    /// `""` (none), `Basic`, `Bearer` or `APIKey` (Harbor sends the key in `X-ScannerAdapter-API-Key`).
    pub auth: String,
    /// On update, an empty credential keeps the stored one while `auth` still needs one.
    pub access_credential: Secret,
    #[serde(rename = "skip_certVerify")]
    pub skip_cert_verify: bool,
    pub use_internal_addr: bool,
    pub disabled: bool,
}

impl Client {
    /// `POST /scanners`; the new registration's uuid. Harbor pings the adapter first (a failed
    /// ping is a 500). After an ambiguous failure the registration is looked up by name and
    /// adopted when its URL matches.
    pub async fn create_scanner(&self, req: &ScannerRegistrationReq) -> Result<String, Error> {
        let r = Req::post("/scanners").json(req)?;
        let accept = |resp: &Response| match resp.status {
            201 => resp.location_tail(),
            _ => Err(resp.error()),
        };
        self.create(&r, accept, |client| async move {
            Ok(client
                .find_scanner(&req.name)
                .await?
                .filter(|s| s.url.trim_end_matches('/') == req.url.trim_end_matches('/'))
                .map(|s| s.uuid))
        })
        .await
    }

    /// `GET /scanners/{uuid}`.
    pub async fn get_scanner(&self, uuid: &str) -> Result<ScannerRegistration, Error> {
        let resp = self.send(&Req::get(format!("/scanners/{uuid}"))).await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }

    /// `GET /scanners?ex_name=` (the handler's exact-name filter); `None` when none has it.
    pub async fn find_scanner(&self, name: &str) -> Result<Option<ScannerRegistration>, Error> {
        let all: Vec<ScannerRegistration> = self
            .get_all(Req::get("/scanners").query("ex_name", name))
            .await?;
        Ok(all.into_iter().find(|s| s.name == name))
    }

    /// `PUT /scanners/{uuid}` with the whole registration. Harbor does not ping on update.
    pub async fn update_scanner(
        &self,
        uuid: &str,
        req: &ScannerRegistrationReq,
    ) -> Result<(), Error> {
        let resp = self
            .send(&Req::put(format!("/scanners/{uuid}")).json(req)?)
            .await?;
        match resp.status {
            200 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `DELETE /scanners/{uuid}`; already gone counts as success.
    pub async fn delete_scanner(&self, uuid: &str) -> Result<(), Error> {
        let resp = self.send(&Req::delete(format!("/scanners/{uuid}"))).await?;
        match resp.status {
            200 | 404 => Ok(()),
            _ => Err(resp.error()),
        }
    }
}
