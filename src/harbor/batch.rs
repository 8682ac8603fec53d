//! Batched reads of projects and their quotas: reads that arrive within a few milliseconds of
//! each other are answered together by list requests instead of one GET each.
//!
//! Everything here lives in one [`Client`], which the provider builds anew at every
//! `ConfigureProvider`, i.e. once per Terraform command; nothing outlives it, nothing is written
//! to disk, so no answer is older than the command that asks. Any write through the client
//! (every method but GET and HEAD) empties what was gathered, before it is sent and again once
//! it is answered, so the provider never reads back less than it wrote.
//!
//! How a batch of reads is answered, per type:
//! - projects: `GET /projects?q=project_id={1 2 3}` (Harbor's OR-list, `lib/q/builder.go`
//!   `parseOrList`; `project_id` is a column of `pkg/project/models/project.go` `Project`, so
//!   `lib/orm/query.go` `setFilters` turns it into `project_id IN (...)`), 100 ids a request.
//!   The list carries what the single GET does: both call the project controller with
//!   `WithCVEAllowlist()` and `WithOwner()`, metadata is loaded by default, and both render
//!   with `model.NewProject(p).ToSwagger()` (`server/v2.0/handler/project.go`).
//! - quotas: `GET /quotas` selects by one `reference_id` only (`handler/quota.go`
//!   `ListQuotas` ignores `q`), so a batch cannot name its ids: each quota is read alone
//!   (`GET /projects/{id}/summary`, as before), until the whole list is cheaper.
//! - whole lists: once a type has cost [`PROBE_AFTER`] requests in this command, the first page
//!   of its whole list (100 objects, and `X-Total-Count`) is fetched; the remaining pages follow
//!   as soon as the requests already spent on that type reach their number (a rent-or-buy rule:
//!   at most about twice the cheaper of the two, and never more than one page when the Harbor is
//!   much larger than the configuration). After that, reads of listed objects cost nothing.
//!
//! Rules: a batch of one is a plain GET; an id a list did not return is confirmed by its own
//! GET before anyone is told it is gone; a list that fails (after the client's usual retries)
//! sends its reads down the single-GET path, so errors read exactly as they did before
//! batching; quotas are listed whole only when `quota_per_project_enable` is known to be on,
//! because the summary shows no quota otherwise (`handler/project.go` `getProjectQuotaSummary`).

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::oneshot;

use super::client::{Client, PAGE_SIZE, Req};
use super::error::Error;
use super::models::{Project, ProjectSummary, Quota};
use super::projects::ProjectRef;

/// How long the first read of a batch waits for others. Terraform starts up to `-parallelism`
/// reads at once; they reach the provider within a millisecond or two of each other.
const WINDOW: Duration = Duration::from_millis(5);

/// Requests a type's reads may cost in one command before its whole list is considered.
/// The first page fetched to learn the list's length then costs at most a tenth more.
pub(crate) const PROBE_AFTER: u32 = 10;

/// Pages of a whole list fetched at once.
const PAGE_CONCURRENCY: usize = 4;

/// The read state of one client: one lane per batched type.
#[derive(Default)]
pub(crate) struct Reads {
    /// Bumped around every write; what was gathered under an older value is dropped.
    generation: AtomicU64,
    /// Whether Harbor creates a quota per project (`quota_per_project_enable`), as read by
    /// [`Client::connect`]; only then do `/quotas` and the summary agree.
    quota_listing: AtomicBool,
    projects: Arc<Lane<Project>>,
    quotas: Arc<Lane<Option<i64>>>,
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
}

type Reply<V> = oneshot::Sender<Result<V, Error>>;
/// Objects by id, as a list answered them.
type Found<V> = Result<Vec<(i64, V)>, Error>;
/// A page of a whole list and its `X-Total-Count`.
type PageOf<V> = Result<(Vec<(i64, V)>, Option<usize>), Error>;

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
                bulk_failed: false,
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
    /// A whole-list page failed or was refused: single and id reads only from now on.
    bulk_failed: bool,
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

/// One batched type: how to read one, some by id, and a page of all.
trait Source: Send + Sync + 'static {
    type Value: Clone + Send + Sync + 'static;
    fn lane(reads: &Reads) -> &Arc<Lane<Self::Value>>;
    /// The single read, exactly as before batching (its errors are what the caller sees).
    fn one(client: Client, id: i64) -> impl Future<Output = Result<Self::Value, Error>> + Send;
    /// One request for up to [`PAGE_SIZE`] ids; `None` when Harbor cannot select by id.
    fn some(
        client: Client,
        ids: Vec<i64>,
    ) -> Option<impl Future<Output = Found<Self::Value>> + Send>;
    /// Page `page` of the whole list and its total.
    fn page(client: Client, page: usize) -> impl Future<Output = PageOf<Self::Value>> + Send;
    fn bulk_allowed(client: &Client) -> bool;
}

struct Projects;

impl Source for Projects {
    type Value = Project;

    fn lane(reads: &Reads) -> &Arc<Lane<Project>> {
        &reads.projects
    }

    async fn one(client: Client, id: i64) -> Result<Project, Error> {
        client.get_project(&ProjectRef::Id(id)).await
    }

    fn some(client: Client, ids: Vec<i64>) -> Option<impl Future<Output = Found<Project>> + Send> {
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        let req = Req::get("/projects")
            .query("q", format!("project_id={{{}}}", list.join(" ")))
            .query("page", 1)
            .query("page_size", PAGE_SIZE)
            .query("with_detail", true);
        Some(async move {
            let (items, _) = client.list_page::<Project>(&req).await?;
            Ok(items.into_iter().map(|p| (p.project_id, p)).collect())
        })
    }

    fn page(client: Client, page: usize) -> impl Future<Output = PageOf<Project>> + Send {
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
}

/// A project's storage quota in bytes; `None` when the summary shows no quota.
struct Quotas;

impl Source for Quotas {
    type Value = Option<i64>;

    fn lane(reads: &Reads) -> &Arc<Lane<Option<i64>>> {
        &reads.quotas
    }

    async fn one(client: Client, id: i64) -> Result<Option<i64>, Error> {
        let summary: ProjectSummary = client.project_summary(&ProjectRef::Id(id)).await?;
        Ok(summary.quota.and_then(|q| q.hard.storage))
    }

    fn some(_: Client, _: Vec<i64>) -> Option<impl Future<Output = Found<Option<i64>>> + Send> {
        None::<std::future::Ready<Found<Option<i64>>>>
    }

    fn page(client: Client, page: usize) -> impl Future<Output = PageOf<Option<i64>>> + Send {
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

impl Client {
    /// `GET /projects/{id}`, batched with concurrent reads (see the module documentation).
    /// Errors, 404 included, are those of the single GET.
    pub async fn read_project(&self, id: i64) -> Result<Project, Error> {
        read::<Projects>(self, id).await
    }

    /// The storage quota of project `id` in bytes, as `GET /projects/{id}/summary` shows it
    /// (`None`: no quota shown), batched with concurrent reads. Errors are the summary's.
    pub async fn read_project_storage(&self, id: i64) -> Result<Option<i64>, Error> {
        read::<Quotas>(self, id).await
    }
}

async fn read<S: Source>(client: &Client, id: i64) -> Result<S::Value, Error> {
    let reads = client.reads();
    let lane = S::lane(reads);
    // `None`: read alone. No lock guard may live across an `.await` (it is not `Send`).
    let rx = {
        let mut st = lane.lock();
        st.sync(reads.generation());
        if let Some(v) = st.cache.get(&id) {
            return Ok(v.clone());
        }
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
                tokio::spawn(async move {
                    tokio::time::sleep(WINDOW).await;
                    let batch = {
                        let mut st = S::lane(client.reads()).lock();
                        st.gathering = false;
                        std::mem::take(&mut st.pending)
                    };
                    serve::<S>(&client, batch).await;
                });
            }
            Some(rx)
        }
    };
    match rx {
        Some(rx) => match rx.await {
            Ok(result) => result,
            // The batch task died (the runtime is shutting down): read alone.
            Err(_) => S::one(client.clone(), id).await,
        },
        None => S::one(client.clone(), id).await,
    }
}

async fn serve<S: Source>(client: &Client, batch: Vec<(i64, Reply<S::Value>)>) {
    let reads = client.reads();
    let lane = S::lane(reads);
    let mut waiting: HashMap<i64, Vec<Reply<S::Value>>> = HashMap::new();
    for (id, reply) in batch {
        waiting.entry(id).or_default().push(reply);
    }
    if waiting.len() > 1 && S::bulk_allowed(client) {
        load_whole_list::<S>(client).await;
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
            let Some(request) = S::some(client.clone(), chunk.to_vec()) else {
                break;
            };
            let generation = reads.generation();
            lane.lock().spent += 1;
            match request.await {
                Ok(found) => {
                    let mut st = lane.lock();
                    for (id, v) in found {
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
                    tracing::debug!(error = %error, ids = chunk.len(), "batched read failed; reading one by one");
                }
            }
        }
    }
    // Alone: a batch of one, ids a list did not return (confirmed here before anyone is told
    // they are gone), and reads whose list failed.
    let singles = waiting.into_iter().map(|(id, replies)| async move {
        S::lane(client.reads()).lock().spent += 1;
        let result = S::one(client.clone(), id).await;
        for reply in replies {
            let _ = reply.send(result.clone());
        }
    });
    futures_util::future::join_all(singles).await;
}

/// Fetches the whole list of `S` into the cache when the rent-or-buy rule says so.
async fn load_whole_list<S: Source>(client: &Client) {
    let reads = client.reads();
    let lane = S::lane(reads);
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
                // First page: only once this type has cost enough to make its price small.
                None if st.spent >= PROBE_AFTER => vec![st.next_page],
                None => return,
                Some(total) => {
                    let last = total.div_ceil(PAGE_SIZE).max(1);
                    let left = last + 1 - st.next_page.min(last + 1);
                    if left == 0 {
                        st.complete = true;
                        return;
                    }
                    if (st.spent as usize) < left {
                        return;
                    }
                    (st.next_page..=last).collect()
                }
            }
        };
        let requests: Vec<_> = pages.iter().map(|&p| S::page(client.clone(), p)).collect();
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
