//! Batched reads: reads of one type that arrive within a few milliseconds of each other are
//! answered together by list requests instead of one GET each. Types: projects and their
//! quotas, robot accounts, registry endpoints and replication policies.
//!
//! Everything here lives in one [`Client`], which the provider builds anew at every
//! `ConfigureProvider`, i.e. once per Terraform command; nothing outlives it, nothing is written
//! to disk, so no answer is older than the command that asks. Any write through the client
//! (every method but GET and HEAD) empties what was gathered, before it is sent and again once
//! it is answered, so the provider never reads back less than it wrote.
//!
//! How a batch of reads is answered, per type (Harbor v2.15.2; `q` is parsed by
//! `lib/q/builder.go`, whose `{a b c}` is an OR-list, and applied by `lib/orm/query.go`
//! `setFilters`, which accepts a model's Go field name or column (`ID` or `id`) and turns an
//! OR-list into `IN (...)`; every list answers at most 100 objects a page, the swagger's
//! `page_size` maximum):
//! - projects: `GET /projects?q=project_id={1 2 3}` (`project_id` is a column of
//!   `pkg/project/models/project.go` `Project`). The list carries what the single GET does:
//!   both call the project controller with `WithCVEAllowlist()` and `WithOwner()`, metadata is
//!   loaded by default, and both render with `model.NewProject(p).ToSwagger()`
//!   (`server/v2.0/handler/project.go`).
//! - quotas: `GET /quotas` selects by one `reference_id` only (`handler/quota.go`
//!   `ListQuotas` ignores `q`), so a batch cannot name its ids: each quota is read alone
//!   (`GET /projects/{id}/summary`, as before), until the whole list is cheaper.
//! - robots: `GET /robots?q=id={1 2 3}` for system robots, and
//!   `GET /robots?q=Level=project,ProjectID=7,id={1 2 3}` for robots of project 7: one list per
//!   project, because `handler/robot.go` `ListRobot` sets `ProjectID` to 0 unless
//!   `Level=project`, and then reads `ProjectID` with a bare `.(string)` type assertion, so it
//!   cannot be an OR-list. A project robot's project id comes from the project reads of the same
//!   command (its state holds the project's name only); when it is not known, the robot is read
//!   alone. List and GET both populate with `WithPermission: true` (`controller/robot`
//!   `populate`) and render with `model.NewRobot(r).ToSwagger()`: permissions included. Lists
//!   show visible robots only (`ListRobot` adds `Visible=true`; `CreateRobot` makes every robot
//!   created through the API visible).
//! - registries: `GET /registries?q=id={1 2 3}`. List and GET both convert with
//!   `fromDaoModel` (`pkg/reg/manager.go`) and `convertRegistry` (`handler/replication.go`):
//!   the same status (`health`), CA certificate, and credential with its secret masked as
//!   `*****` in both.
//! - replication policies: `GET /replication/policies?q=id={1 2 3}`. `ListPolicies` and
//!   `GetPolicy` (`controller/replication/policy.go`) both go through `populateRegistry`, and
//!   the handler renders both with `convertReplicationPolicy`: filters, trigger and both
//!   registries are in every list item.
//! - whole lists: once [`PROBE_AFTER`] reads of a type (for robots: of a project's robots, or
//!   of the system robots) have gone to Harbor in this command, i.e. once single reads would
//!   have cost that many requests, the first page of its whole list (100 objects, and
//!   `X-Total-Count`) is fetched by the batch that brings them to that number; the remaining
//!   pages follow as soon as the requests already spent on that type, plus what the batch in
//!   hand would cost without them, reach their number (a rent-or-buy rule: at most about twice
//!   the cheaper of the two, and never more than one page when the Harbor is much larger than
//!   the configuration). After that, reads of listed objects cost nothing. Counting reads
//!   rather than requests for the first page matters for latency: a refresh of hundreds of
//!   objects learns the list's length in its first round instead of its eleventh, each round
//!   being a round trip to Harbor.
//!
//! Rules: a batch of one is a plain GET (unless the whole list is bought, above); an id a
//! list did not return is confirmed by its own GET before anyone is told it is gone; a list
//! that fails (after the client's usual retries) sends its reads down the single-GET path, so
//! errors read exactly as they did before batching, and a list refused outright (401 or 403:
//! credentials that may read one object but not list them) is not tried again in this
//! command; quotas are listed whole only when
//! `quota_per_project_enable` is known to be on, because the summary shows no quota otherwise
//! (`handler/project.go` `getProjectQuotaSummary`).

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use tokio::sync::oneshot;

use super::client::{Client, PAGE_SIZE, Req};
use super::error::Error;
use super::models::{Project, ProjectSummary, Quota, Registry, ReplicationPolicy, Robot};
use super::projects::ProjectRef;

/// How long the first read of a batch waits for others. Terraform starts up to `-parallelism`
/// reads at once; they reach the provider within a millisecond or two of each other.
const WINDOW: Duration = Duration::from_millis(5);

/// Reads of a type that go to Harbor in one command before its whole list is considered.
/// The first page fetched to learn the list's length then costs at most a tenth of what
/// single reads would have.
pub(crate) const PROBE_AFTER: u32 = 10;

/// Pages of a whole list fetched at once.
const PAGE_CONCURRENCY: usize = 4;

/// The read state of one client: lanes per batched type (one per list a batch can ask).
#[derive(Default)]
pub(crate) struct Reads {
    /// Bumped around every write; what was gathered under an older value is dropped.
    generation: AtomicU64,
    /// Whether Harbor creates a quota per project (`quota_per_project_enable`), as read by
    /// [`Client::connect`]; only then do `/quotas` and the summary agree.
    quota_listing: AtomicBool,
    projects: Lanes<(), Project>,
    quotas: Lanes<(), Option<i64>>,
    /// `None`: system robots; `Some(p)`: the robots of project `p`.
    robots: Lanes<Option<i64>, Robot>,
    registries: Lanes<(), Registry>,
    policies: Lanes<(), ReplicationPolicy>,
    /// Project ids by name, as this command's project reads found them. It only chooses which
    /// robot list a project robot is looked for in, never what a read answers (a robot missing
    /// from the list it was looked for in is read alone), so a write does not drop it.
    project_ids: Mutex<HashMap<String, i64>>,
}

impl Reads {
    pub(crate) fn wrote(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    pub(crate) fn set_quota_listing(&self, on: bool) {
        self.quota_listing.store(on, Ordering::SeqCst);
    }

    fn project_id(&self, name: &str) -> Option<i64> {
        let ids = self.project_ids.lock().unwrap_or_else(|e| e.into_inner());
        ids.get(name).copied()
    }
}

type Reply<V> = oneshot::Sender<Result<V, Error>>;
/// Objects by id, as a list answered them.
type Found<V> = Result<Vec<(i64, V)>, Error>;
/// A page of a whole list and its `X-Total-Count`.
type PageOf<V> = Result<(Vec<(i64, V)>, Option<usize>), Error>;

/// The lanes of one type, by scope (the list a batch of it is answered from).
struct Lanes<K, V>(Mutex<HashMap<K, Arc<Lane<V>>>>);

impl<K, V> Default for Lanes<K, V> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<K: Eq + Hash, V> Lanes<K, V> {
    fn get(&self, scope: K) -> Arc<Lane<V>> {
        let mut lanes = self.0.lock().unwrap_or_else(|e| e.into_inner());
        lanes.entry(scope).or_default().clone()
    }
}

struct Lane<V> {
    state: Mutex<LaneState<V>>,
    /// One whole-list load at a time.
    bulk: tokio::sync::Mutex<()>,
}

impl<V> Default for Lane<V> {
    fn default() -> Self {
        Self {
            state: Mutex::new(LaneState {
                generation: 0,
                cache: HashMap::new(),
                complete: false,
                total: None,
                next_page: 1,
                pending: Vec::new(),
                gathering: false,
                spent: 0,
                asked: 0,
                bulk_failed: false,
                lists_refused: false,
            }),
            bulk: tokio::sync::Mutex::new(()),
        }
    }
}

struct LaneState<V> {
    /// The client generation `cache`, `complete`, `total` and `next_page` belong to.
    generation: u64,
    cache: HashMap<i64, V>,
    /// Every page of the whole list is in `cache`.
    complete: bool,
    /// `X-Total-Count` of the whole list, once a page of it was fetched.
    total: Option<usize>,
    next_page: usize,
    pending: Vec<(i64, Reply<V>)>,
    /// A batch is gathering `pending` (its flush is scheduled).
    gathering: bool,
    /// Requests this type's reads have cost in this command, whole-list pages excepted.
    spent: u32,
    /// Reads of this type that were not answered from `cache`: what single reads would
    /// have cost.
    asked: u32,
    /// A whole-list page failed or was refused: single and id reads only from now on.
    bulk_failed: bool,
    /// An id list was refused (401, 403): single reads only from now on.
    lists_refused: bool,
}

impl<V> LaneState<V> {
    /// Forgets what an older generation gathered.
    fn sync(&mut self, generation: u64) {
        if self.generation != generation {
            self.generation = generation;
            self.cache.clear();
            self.complete = false;
            self.total = None;
            self.next_page = 1;
        }
    }
}

impl<V> Lane<V> {
    fn lock(&self) -> MutexGuard<'_, LaneState<V>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One batched type: how to read one, some by id, and a page of all, within a scope.
trait Source: Send + Sync + 'static {
    type Scope: Copy + Eq + Hash + Send + Sync + 'static;
    type Value: Clone + Send + Sync + 'static;
    /// Whether [`Source::some`] can select by id (otherwise every read is a single GET
    /// until the whole list is bought).
    const SELECTS_BY_ID: bool = true;
    fn lanes(reads: &Reads) -> &Lanes<Self::Scope, Self::Value>;
    /// The single read, exactly as before batching (its errors are what the caller sees).
    fn one(client: Client, id: i64) -> impl Future<Output = Result<Self::Value, Error>> + Send;
    /// One request for up to [`PAGE_SIZE`] ids; `None` when Harbor cannot select by id.
    fn some(
        client: Client,
        scope: Self::Scope,
        ids: Vec<i64>,
    ) -> Option<impl Future<Output = Found<Self::Value>> + Send>;
    /// Page `page` of the whole list and its total.
    fn page(
        client: Client,
        scope: Self::Scope,
        page: usize,
    ) -> impl Future<Output = PageOf<Self::Value>> + Send;
    fn bulk_allowed(client: &Client) -> bool;
    /// Notes what a read found that other types' reads use.
    fn learn(_reads: &Reads, _value: &Self::Value) {}
}

/// `q` that selects `ids` by `key`, after the terms in `scope` (`k=v,` each).
fn ids_query(scope: &str, key: &str, ids: &[i64]) -> String {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("{scope}{key}={{{}}}", list.join(" "))
}

/// Page `page` of `path` (with `q` when given), its items by id, and its `X-Total-Count`.
fn listed<T: DeserializeOwned + Send + 'static>(
    client: Client,
    path: &'static str,
    q: Option<String>,
    page: usize,
    id: fn(&T) -> Option<i64>,
) -> impl Future<Output = PageOf<T>> + Send {
    let mut req = Req::get(path);
    if let Some(q) = q {
        req = req.query("q", q);
    }
    let req = req.query("page", page).query("page_size", PAGE_SIZE);
    async move {
        let (items, total) = client.list_page::<T>(&req).await?;
        let items = items
            .into_iter()
            .filter_map(|v| id(&v).map(|i| (i, v)))
            .collect();
        Ok((items, total))
    }
}

/// The first page of a list selected by ids: every id fits in it.
async fn found<T>(page: impl Future<Output = PageOf<T>>) -> Found<T> {
    Ok(page.await?.0)
}

struct Projects;

impl Source for Projects {
    type Scope = ();
    type Value = Project;

    fn lanes(reads: &Reads) -> &Lanes<(), Project> {
        &reads.projects
    }

    async fn one(client: Client, id: i64) -> Result<Project, Error> {
        client.get_project(&ProjectRef::Id(id)).await
    }

    fn some(
        client: Client,
        _: (),
        ids: Vec<i64>,
    ) -> Option<impl Future<Output = Found<Project>> + Send> {
        let req = Req::get("/projects")
            .query("q", ids_query("", "project_id", &ids))
            .query("page", 1)
            .query("page_size", PAGE_SIZE)
            .query("with_detail", true);
        Some(async move {
            let (items, _) = client.list_page::<Project>(&req).await?;
            Ok(items.into_iter().map(|p| (p.project_id, p)).collect())
        })
    }

    fn page(client: Client, _: (), page: usize) -> impl Future<Output = PageOf<Project>> + Send {
        let req = Req::get("/projects")
            .query("page", page)
            .query("page_size", PAGE_SIZE)
            .query("with_detail", true);
        async move {
            let (items, total) = client.list_page::<Project>(&req).await?;
            Ok((
                items.into_iter().map(|p| (p.project_id, p)).collect(),
                total,
            ))
        }
    }

    fn bulk_allowed(_: &Client) -> bool {
        true
    }

    fn learn(reads: &Reads, project: &Project) {
        let mut ids = reads.project_ids.lock().unwrap_or_else(|e| e.into_inner());
        ids.insert(project.name.clone(), project.project_id);
    }
}

/// A project's storage quota in bytes; `None` when the summary shows no quota.
struct Quotas;

impl Source for Quotas {
    type Scope = ();
    type Value = Option<i64>;
    const SELECTS_BY_ID: bool = false;

    fn lanes(reads: &Reads) -> &Lanes<(), Option<i64>> {
        &reads.quotas
    }

    async fn one(client: Client, id: i64) -> Result<Option<i64>, Error> {
        let summary: ProjectSummary = client.project_summary(&ProjectRef::Id(id)).await?;
        Ok(summary.quota.and_then(|q| q.hard.storage))
    }

    fn some(
        _: Client,
        _: (),
        _: Vec<i64>,
    ) -> Option<impl Future<Output = Found<Option<i64>>> + Send> {
        None::<std::future::Ready<Found<Option<i64>>>>
    }

    fn page(
        client: Client,
        _: (),
        page: usize,
    ) -> impl Future<Output = PageOf<Option<i64>>> + Send {
        let req = Req::get("/quotas")
            .query("reference", "project")
            .query("page", page)
            .query("page_size", PAGE_SIZE);
        async move {
            let (items, total) = client.list_page::<Quota>(&req).await?;
            Ok((
                items
                    .into_iter()
                    .map(|q| (q.reference.id, q.hard.storage))
                    .collect(),
                total,
            ))
        }
    }

    fn bulk_allowed(client: &Client) -> bool {
        client.reads().quota_listing.load(Ordering::SeqCst)
    }
}

/// Robots: the system robots (scope `None`) or those of one project (`Some(project_id)`).
struct Robots;

/// `q` terms that select a scope's robots (`handler/robot.go` `ListRobot`): without `Level`
/// Harbor lists system robots.
fn robot_scope(scope: Option<i64>) -> String {
    match scope {
        None => String::new(),
        Some(project) => format!("Level=project,ProjectID={project},"),
    }
}

impl Source for Robots {
    type Scope = Option<i64>;
    type Value = Robot;

    fn lanes(reads: &Reads) -> &Lanes<Option<i64>, Robot> {
        &reads.robots
    }

    async fn one(client: Client, id: i64) -> Result<Robot, Error> {
        client.get_robot(id).await
    }

    fn some(
        client: Client,
        scope: Option<i64>,
        ids: Vec<i64>,
    ) -> Option<impl Future<Output = Found<Robot>> + Send> {
        let q = ids_query(&robot_scope(scope), "id", &ids);
        Some(found(listed(client, "/robots", Some(q), 1, |r: &Robot| {
            Some(r.id)
        })))
    }

    fn page(
        client: Client,
        scope: Option<i64>,
        page: usize,
    ) -> impl Future<Output = PageOf<Robot>> + Send {
        let q = robot_scope(scope);
        let q = (!q.is_empty()).then(|| q.trim_end_matches(',').to_owned());
        listed(client, "/robots", q, page, |r: &Robot| Some(r.id))
    }

    fn bulk_allowed(_: &Client) -> bool {
        true
    }
}

struct Registries;

impl Source for Registries {
    type Scope = ();
    type Value = Registry;

    fn lanes(reads: &Reads) -> &Lanes<(), Registry> {
        &reads.registries
    }

    async fn one(client: Client, id: i64) -> Result<Registry, Error> {
        client.get_registry(id).await
    }

    fn some(
        client: Client,
        _: (),
        ids: Vec<i64>,
    ) -> Option<impl Future<Output = Found<Registry>> + Send> {
        let q = ids_query("", "id", &ids);
        Some(found(listed(
            client,
            "/registries",
            Some(q),
            1,
            |r: &Registry| r.id,
        )))
    }

    fn page(client: Client, _: (), page: usize) -> impl Future<Output = PageOf<Registry>> + Send {
        listed(client, "/registries", None, page, |r: &Registry| r.id)
    }

    fn bulk_allowed(_: &Client) -> bool {
        true
    }
}

struct Policies;

impl Source for Policies {
    type Scope = ();
    type Value = ReplicationPolicy;

    fn lanes(reads: &Reads) -> &Lanes<(), ReplicationPolicy> {
        &reads.policies
    }

    async fn one(client: Client, id: i64) -> Result<ReplicationPolicy, Error> {
        client.get_replication_policy(id).await
    }

    fn some(
        client: Client,
        _: (),
        ids: Vec<i64>,
    ) -> Option<impl Future<Output = Found<ReplicationPolicy>> + Send> {
        let q = ids_query("", "id", &ids);
        Some(found(listed(
            client,
            "/replication/policies",
            Some(q),
            1,
            |p: &ReplicationPolicy| p.id,
        )))
    }

    fn page(
        client: Client,
        _: (),
        page: usize,
    ) -> impl Future<Output = PageOf<ReplicationPolicy>> + Send {
        listed(
            client,
            "/replication/policies",
            None,
            page,
            |p: &ReplicationPolicy| p.id,
        )
    }

    fn bulk_allowed(_: &Client) -> bool {
        true
    }
}

impl Client {
    /// `GET /projects/{id}`, batched with concurrent reads (see the module documentation).
    /// Errors, 404 included, are those of the single GET.
    pub async fn read_project(&self, id: i64) -> Result<Project, Error> {
        read::<Projects>(self, (), id).await
    }

    /// The storage quota of project `id` in bytes, as `GET /projects/{id}/summary` shows it
    /// (`None`: no quota shown), batched with concurrent reads. Errors are the summary's.
    pub async fn read_project_storage(&self, id: i64) -> Result<Option<i64>, Error> {
        read::<Quotas>(self, (), id).await
    }

    /// `GET /robots/{id}`, batched with concurrent reads of robots of the same level and
    /// project: `project` is the name of a project robot's project, `None` for a system robot.
    /// Errors, 404 included, are those of the single GET.
    pub async fn read_robot(&self, id: i64, project: Option<&str>) -> Result<Robot, Error> {
        let scope = match project {
            None => None,
            Some(name) => match self.reads().project_id(name) {
                Some(project_id) => Some(project_id),
                // Which list it is in is unknown: read alone, as before batching.
                None => return self.get_robot(id).await,
            },
        };
        read::<Robots>(self, scope, id).await
    }

    /// `GET /registries/{id}`, batched with concurrent reads. Errors are the single GET's.
    pub async fn read_registry(&self, id: i64) -> Result<Registry, Error> {
        read::<Registries>(self, (), id).await
    }

    /// `GET /replication/policies/{id}`, batched with concurrent reads. Errors are the
    /// single GET's.
    pub async fn read_replication_policy(&self, id: i64) -> Result<ReplicationPolicy, Error> {
        read::<Policies>(self, (), id).await
    }
}

async fn read<S: Source>(client: &Client, scope: S::Scope, id: i64) -> Result<S::Value, Error> {
    let reads = client.reads();
    let lane = S::lanes(reads).get(scope);
    // `None`: read alone. No lock guard may live across an `.await` (it is not `Send`).
    let rx = {
        let mut st = lane.lock();
        st.sync(reads.generation());
        if let Some(v) = st.cache.get(&id) {
            return Ok(v.clone());
        }
        st.asked += 1;
        if st.complete {
            // Not in a whole list fetched in this command: confirmed (or found) by its own GET.
            st.spent += 1;
            None
        } else {
            let (tx, rx) = oneshot::channel();
            st.pending.push((id, tx));
            if !st.gathering {
                st.gathering = true;
                // A task of its own, so that a cancelled read cannot strand the others.
                let client = client.clone();
                let lane = lane.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(WINDOW).await;
                    let batch = {
                        let mut st = lane.lock();
                        st.gathering = false;
                        std::mem::take(&mut st.pending)
                    };
                    serve::<S>(&client, scope, &lane, batch).await;
                });
            }
            Some(rx)
        }
    };
    let result = match rx {
        Some(rx) => match rx.await {
            Ok(result) => return result,
            // The batch task died (the runtime is shutting down): read alone.
            Err(_) => S::one(client.clone(), id).await,
        },
        None => S::one(client.clone(), id).await,
    };
    if let Ok(v) = &result {
        S::learn(reads, v);
    }
    result
}

async fn serve<S: Source>(
    client: &Client,
    scope: S::Scope,
    lane: &Arc<Lane<S::Value>>,
    batch: Vec<(i64, Reply<S::Value>)>,
) {
    let reads = client.reads();
    let mut waiting: HashMap<i64, Vec<Reply<S::Value>>> = HashMap::new();
    for (id, reply) in batch {
        waiting.entry(id).or_default().push(reply);
    }
    // Also for a batch of one: reads that reach the provider one at a time (Terraform walks a
    // dependent type as its dependencies finish) are what a whole list saves most on, and the
    // rent-or-buy rule bounds its price (one page once ten reads went to Harbor).
    if S::bulk_allowed(client) {
        let ids: Vec<i64> = waiting.keys().copied().collect();
        load_whole_list::<S>(client, scope, lane, &ids).await;
    }
    // What a whole list (this batch's or a concurrent one's) brought.
    {
        let mut st = lane.lock();
        st.sync(reads.generation());
        waiting.retain(|id, replies| match st.cache.get(id) {
            Some(v) => {
                for reply in replies.drain(..) {
                    let _ = reply.send(Ok(v.clone()));
                }
                false
            }
            None => true,
        });
    }
    let mut ids: Vec<i64> = waiting.keys().copied().collect();
    ids.sort_unstable();
    if ids.len() > 1 {
        for chunk in ids.chunks(PAGE_SIZE) {
            if lane.lock().lists_refused {
                break;
            }
            let Some(request) = S::some(client.clone(), scope, chunk.to_vec()) else {
                break;
            };
            let generation = reads.generation();
            lane.lock().spent += 1;
            match request.await {
                Ok(found) => {
                    let mut st = lane.lock();
                    for (id, v) in found {
                        S::learn(reads, &v);
                        let Some(replies) = waiting.remove(&id) else {
                            // Not asked for: a Harbor that ignored the filter.
                            continue;
                        };
                        for reply in replies {
                            let _ = reply.send(Ok(v.clone()));
                        }
                        if reads.generation() == generation {
                            st.sync(generation);
                            st.cache.insert(id, v);
                        }
                    }
                }
                Err(error) => {
                    // Read alone instead: each read then fails (or not) exactly as before.
                    if matches!(error.status(), Some(401 | 403)) {
                        lane.lock().lists_refused = true;
                    }
                    tracing::debug!(error = %error, ids = chunk.len(), "batched read failed; reading one by one");
                }
            }
        }
    }
    // Alone: a batch of one, ids a list did not return (confirmed here before anyone is told
    // they are gone), and reads whose list failed.
    let singles = waiting.into_iter().map(|(id, replies)| async move {
        lane.lock().spent += 1;
        let result = S::one(client.clone(), id).await;
        if let Ok(v) = &result {
            S::learn(reads, v);
        }
        for reply in replies {
            let _ = reply.send(result.clone());
        }
    });
    futures_util::future::join_all(singles).await;
}

/// Requests that reading `ids` would cost without the whole list: the ids not in the cache,
/// in id lists of up to a page, or one GET each where `S` cannot select by id.
fn renting_cost<S: Source>(st: &LaneState<S::Value>, ids: &[i64]) -> usize {
    let missing = ids.iter().filter(|id| !st.cache.contains_key(id)).count();
    match missing {
        0 | 1 => missing,
        n if S::SELECTS_BY_ID => n.div_ceil(PAGE_SIZE),
        n => n,
    }
}

/// Fetches the whole list of `S` into the cache when the rent-or-buy rule says so; `ids` are
/// the batch being served, whose price counts as already spent when it would be paid anyway.
async fn load_whole_list<S: Source>(
    client: &Client,
    scope: S::Scope,
    lane: &Lane<S::Value>,
    ids: &[i64],
) {
    let reads = client.reads();
    let _one_at_a_time = lane.bulk.lock().await;
    loop {
        let generation = reads.generation();
        let pages: Vec<usize> = {
            let mut st = lane.lock();
            st.sync(generation);
            if st.complete || st.bulk_failed {
                return;
            }
            match st.total {
                // First page: only once this type's reads are many enough to make its price
                // small.
                None if st.asked >= PROBE_AFTER => vec![st.next_page],
                None => return,
                Some(total) => {
                    let last = total.div_ceil(PAGE_SIZE).max(1);
                    let left = last + 1 - st.next_page.min(last + 1);
                    if left == 0 {
                        st.complete = true;
                        return;
                    }
                    // Buy once what was spent, with what this batch would cost, reaches the
                    // price of the pages left.
                    let renting = renting_cost::<S>(&st, ids);
                    if renting == 0 || (st.spent as usize) + renting < left {
                        return;
                    }
                    (st.next_page..=last).collect()
                }
            }
        };
        let requests: Vec<_> = pages
            .iter()
            .map(|&p| S::page(client.clone(), scope, p))
            .collect();
        let results: Vec<_> = futures_util::stream::iter(requests)
            .buffered(PAGE_CONCURRENCY)
            .collect()
            .await;
        let mut st = lane.lock();
        if reads.generation() != generation {
            // A write went out meanwhile: these pages may predate it.
            return;
        }
        st.sync(generation);
        for result in results {
            match result {
                Ok((items, total)) => {
                    let short = items.len() < PAGE_SIZE;
                    for (_, v) in &items {
                        S::learn(reads, v);
                    }
                    st.cache.extend(items);
                    st.next_page += 1;
                    match total {
                        Some(total) => st.total = Some(total),
                        // Without `X-Total-Count` the list ends at its first short page.
                        None if short => {
                            st.complete = true;
                            return;
                        }
                        None => st.total = Some(st.next_page * PAGE_SIZE),
                    }
                }
                Err(error) => {
                    tracing::debug!(error = %error, "whole-list read failed; reading by id from now on");
                    st.bulk_failed = true;
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
