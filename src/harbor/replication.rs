//! Replication policies (`/replication/policies`) and executions (`/replication/executions`).

use super::client::{Client, Req, Response, q_exact};
use super::error::Error;
use super::models::{ReplicationExecution, ReplicationPolicy, StartReplicationExecution};

impl Client {
    /// `POST /replication/policies`: creates a policy and returns its id.
    ///
    /// After an ambiguous failure the policy is looked up by name and adopted only if
    /// its source and destination registries match ([`Client::create`] settles the rest).
    pub async fn create_replication_policy(
        &self,
        policy: &ReplicationPolicy,
    ) -> Result<i64, Error> {
        let req = Req::post("/replication/policies").json(policy)?;
        // A 201 without a usable Location did create the object; it is found by name.
        let accept = |resp: &Response| match resp.status {
            201 => resp.location_id(),
            _ => Err(resp.error()),
        };
        self.create(&req, accept, |client| async move {
            client.find_created_replication_policy(policy).await
        })
        .await
    }

    /// The id of the policy `policy` would have created: same name, source and destination
    /// registries. Settles a create whose outcome is unknown, then or on a later read.
    pub async fn find_created_replication_policy(
        &self,
        policy: &ReplicationPolicy,
    ) -> Result<Option<i64>, Error> {
        Ok(self
            .find_replication_policy(&policy.name)
            .await?
            .filter(|found| {
                registry_id(&found.src_registry) == registry_id(&policy.src_registry)
                    && registry_id(&found.dest_registry) == registry_id(&policy.dest_registry)
            })
            .and_then(|found| found.id))
    }

    /// `GET /replication/policies/{id}`.
    pub async fn get_replication_policy(&self, id: i64) -> Result<ReplicationPolicy, Error> {
        let resp = self
            .send(&Req::get(format!("/replication/policies/{id}")))
            .await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }

    /// `GET /replication/policies`, every page; `name` filters exactly via `q=name=<name>`.
    pub async fn list_replication_policies(
        &self,
        name: Option<&str>,
    ) -> Result<Vec<ReplicationPolicy>, Error> {
        let mut req = Req::get("/replication/policies");
        if let Some(term) = name.and_then(|n| q_exact("name", n)) {
            req = req.query("q", term);
        }
        let policies: Vec<ReplicationPolicy> = self.get_all(req).await?;
        Ok(match name {
            Some(name) => policies.into_iter().filter(|p| p.name == name).collect(),
            None => policies,
        })
    }

    /// `GET /replication/policies?q=name=<name>`: the policy with exactly this name, if any.
    pub async fn find_replication_policy(
        &self,
        name: &str,
    ) -> Result<Option<ReplicationPolicy>, Error> {
        Ok(self
            .list_replication_policies(Some(name))
            .await?
            .into_iter()
            .next())
    }

    /// `PUT /replication/policies/{id}`: replaces the whole policy.
    pub async fn update_replication_policy(
        &self,
        id: i64,
        policy: &ReplicationPolicy,
    ) -> Result<(), Error> {
        let resp = self
            .send(&Req::put(format!("/replication/policies/{id}")).json(policy)?)
            .await?;
        match resp.status {
            200 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `DELETE /replication/policies/{id}`. Already gone counts as success; 412 means an
    /// execution is still running.
    pub async fn delete_replication_policy(&self, id: i64) -> Result<(), Error> {
        let resp = self
            .send(&Req::delete(format!("/replication/policies/{id}")))
            .await?;
        match resp.status {
            200 | 404 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `POST /replication/executions`: starts the policy and returns the execution id.
    /// Not adopted after an ambiguous failure: executions have no unique name.
    pub async fn start_replication(&self, policy_id: i64) -> Result<i64, Error> {
        let body = StartReplicationExecution { policy_id };
        let resp = self
            .send(&Req::post("/replication/executions").json(&body)?)
            .await?;
        match resp.status {
            201 => resp.location_id(),
            _ => Err(resp.error()),
        }
    }

    /// `GET /replication/executions/{id}`.
    pub async fn get_replication_execution(&self, id: i64) -> Result<ReplicationExecution, Error> {
        let resp = self
            .send(&Req::get(format!("/replication/executions/{id}")))
            .await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }

    /// `GET /replication/executions?policy_id=<id>`, every page.
    pub async fn list_replication_executions(
        &self,
        policy_id: i64,
    ) -> Result<Vec<ReplicationExecution>, Error> {
        self.get_all(Req::get("/replication/executions").query("policy_id", policy_id))
            .await
    }
}

/// The registry id a policy side refers to; absent and 0 both mean the local Harbor.
fn registry_id(side: &Option<super::models::Registry>) -> i64 {
    side.as_ref().and_then(|r| r.id).unwrap_or(0)
}
