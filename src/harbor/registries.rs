//! Registry endpoints (`/registries`) and the replication adapter catalog.

use std::collections::BTreeMap;

use super::client::{Client, Req, Response, Retry, q_exact};
use super::error::Error;
use super::models::{Registry, RegistryPing, RegistryProviderInfo, RegistryUpdate};

impl Client {
    /// `POST /registries`: creates a registry endpoint and returns its id. Harbor runs a
    /// live health check first (400 "the registry is unhealthy").
    ///
    /// After an ambiguous failure the registry is looked up by name and adopted only if
    /// its type and URL match ([`Client::create`] settles the rest).
    pub async fn create_registry(&self, registry: &Registry) -> Result<i64, Error> {
        let req = Req::post("/registries").json(registry)?;
        // A 201 without a usable Location did create the object; it is found by name.
        let accept = |resp: &Response| match resp.status {
            201 => resp.location_id(),
            _ => Err(resp.error()),
        };
        self.create(&req, accept, |client| async move {
            client.find_created_registry(registry).await
        })
        .await
    }

    /// The id of the registry `registry` would have created: same name, type and URL.
    /// Settles a create whose outcome is unknown, then or on a later read.
    pub async fn find_created_registry(&self, registry: &Registry) -> Result<Option<i64>, Error> {
        Ok(self.find_registry(&registry.name).await?.and_then(|found| {
            let same = found.registry_type == registry.registry_type
                && normalize_url(&found.url) == normalize_url(&registry.url);
            same.then_some(found.id).flatten()
        }))
    }

    /// `GET /registries/{id}`. The credential's secret reads back as `*****`.
    pub async fn get_registry(&self, id: i64) -> Result<Registry, Error> {
        let resp = self.send(&Req::get(format!("/registries/{id}"))).await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }

    /// `GET /registries`, every page; `name` filters exactly via `q=name=<name>`.
    pub async fn list_registries(&self, name: Option<&str>) -> Result<Vec<Registry>, Error> {
        let mut req = Req::get("/registries");
        if let Some(term) = name.and_then(|n| q_exact("name", n)) {
            req = req.query("q", term);
        }
        let registries: Vec<Registry> = self.get_all(req).await?;
        Ok(match name {
            Some(name) => registries.into_iter().filter(|r| r.name == name).collect(),
            None => registries,
        })
    }

    /// `GET /registries?q=name=<name>`: the registry with exactly this name, if any.
    pub async fn find_registry(&self, name: &str) -> Result<Option<Registry>, Error> {
        Ok(self.list_registries(Some(name)).await?.into_iter().next())
    }

    /// `PUT /registries/{id}` with the flat, partial `RegistryUpdate`.
    pub async fn update_registry(&self, id: i64, update: &RegistryUpdate) -> Result<(), Error> {
        let resp = self
            .send(&Req::put(format!("/registries/{id}")).json(update)?)
            .await?;
        match resp.status {
            200 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `DELETE /registries/{id}`. Already gone counts as success; 412 means a
    /// replication policy or proxy-cache project still uses it.
    pub async fn delete_registry(&self, id: i64) -> Result<(), Error> {
        let resp = self.send(&Req::delete(format!("/registries/{id}"))).await?;
        match resp.status {
            200 | 404 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `POST /registries/ping`: whether Harbor can reach the registry with these settings.
    /// Returns `Ok(false)` for Harbor's 400 "the registry is unhealthy".
    pub async fn ping_registry(&self, ping: &RegistryPing) -> Result<bool, Error> {
        // Ping creates nothing, so repeating it is harmless.
        let req = Req::post("/registries/ping")
            .json(ping)?
            .retry(Retry::Idempotent);
        let resp = self.send(&req).await?;
        match resp.status {
            200 => Ok(true),
            400 => match resp.error() {
                Error::Api { message, .. } if message.contains("unhealthy") => Ok(false),
                error => Err(error),
            },
            _ => Err(resp.error()),
        }
    }

    /// `GET /replication/adapters`: registry types this Harbor can replicate with.
    pub async fn registry_adapters(&self) -> Result<Vec<String>, Error> {
        let resp = self.send(&Req::get("/replication/adapters")).await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }

    /// `GET /replication/adapterinfos`: endpoint and credential patterns per type.
    pub async fn registry_adapter_infos(
        &self,
    ) -> Result<BTreeMap<String, RegistryProviderInfo>, Error> {
        let resp = self.send(&Req::get("/replication/adapterinfos")).await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }
}

/// Harbor's normalisation of registry URLs (trimmed, no trailing `/`, `http://` when
/// there is no scheme), so a sent URL compares equal to the stored one.
pub fn normalize_url(url: &str) -> String {
    let trimmed = url.trim().trim_end_matches('/');
    if trimmed.contains("://") {
        trimmed.to_owned()
    } else {
        format!("http://{trimmed}")
    }
}
