//! What a job is: the [`Job`] trait for custom job types, and [`IntoJob`], which
//! turns futures, custom jobs and nested schedulers into jobs of a scheduler.

use std::any::{Any, TypeId};
use std::future::Future;

use crate::error::BoxError;
use crate::run::{self, Spawned, TaskEnd};
use crate::scheduler::Scheduler;

/// A custom job type, for jobs that carry state beyond one future (a remote command
/// with its connection, say) or that need a shutdown hook.
///
/// Like tower's `Service::call`, [`run`](Job::run) borrows the job only to build a
/// `'static` future: the job object itself stays with its scheduler, so that its
/// [`shutdown`](Job::shutdown) hook can run once the scheduler's run has ended,
/// whether the job finished, failed, was cancelled or never started.
///
/// ```
/// use jobs_core::{BoxError, Job, Scheduler};
///
/// struct Remote { host: String, command: String }
///
/// impl Job for Remote {
///     type Output = i32;
///
///     fn run(&mut self) -> impl Future<Output = Result<i32, BoxError>> + Send + 'static {
///         let (host, command) = (self.host.clone(), self.command.clone());
///         async move {
///             // connect to `host` and run `command`...
///             let _ = (host, command);
///             Ok(0)
///         }
///     }
///
///     fn label(&self) -> Option<String> {
///         Some(format!("{}@{}", self.command, self.host))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let mut s = Scheduler::new();
/// let r = s.add(Remote { host: "node1".into(), command: "uname".into() }).id();
/// let outcome = s.run().await.unwrap();
/// assert_eq!(outcome.value(r), Some(&0));
/// # }
/// ```
pub trait Job: Send + 'static {
    /// The value the job produces.
    type Output: Send + Sync + 'static;

    /// Builds the future that does the job's work. Called at most once per run, as the
    /// job starts, while the scheduler holds its state: it should return at once and
    /// leave the work, and any waiting, to the future.
    fn run(&mut self) -> impl Future<Output = Result<Self::Output, BoxError>> + Send + 'static;

    /// Called once when the enclosing scheduler's run ends, however it ends. Bounded by
    /// the scheduler's `shutdown_timeout`; its result is reported, and never changes
    /// the run's result.
    fn shutdown(&mut self) -> impl Future<Output = Result<(), BoxError>> + Send + 'static {
        std::future::ready(Ok(()))
    }

    /// Whether [`shutdown`](Job::shutdown) does anything; the scheduler skips the hooks
    /// of jobs that return `false`. Return `true` when you implement `shutdown`.
    fn has_shutdown(&self) -> bool {
        false
    }

    /// A default label, used when the job is added without one.
    fn label(&self) -> Option<String> {
        None
    }

    /// Details shown by listings.
    fn details(&self) -> Option<String> {
        None
    }
}

/// Anything a [`Scheduler`] accepts as a job.
///
/// Implemented for:
/// - futures yielding `Result<T, E>` with `E: Into<BoxError>` (a failure is an `Err`);
/// - [`Infallible`] futures, made with [`infallible`], whose output is the value;
/// - custom [`Job`] types;
/// - [`Scheduler`], which nests: the nested scheduler is one job of its parent.
///
/// The type parameter `M` only tells the implementations apart; it is inferred.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a job",
    label = "not a job",
    note = "a job is a future yielding `Result<T, E>` with `E: Into<BoxError>`, a type implementing `jobs_core::Job`, or a nested `Scheduler`",
    note = "wrap a future that cannot fail with `jobs_core::infallible(..)`"
)]
pub trait IntoJob<M>: Sized {
    /// The value the job produces.
    type Output: Send + Sync + 'static;
    #[doc(hidden)]
    fn add_to(self, nodes: &mut Nodes);
}

#[doc(hidden)]
pub enum FutureMarker {}
#[doc(hidden)]
pub enum JobMarker {}
#[doc(hidden)]
pub enum SchedulerMarker {}

impl<F, T, E> IntoJob<(FutureMarker, E)> for F
where
    F: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + Sync + 'static,
    E: Into<BoxError> + 'static,
{
    type Output = T;
    fn add_to(self, nodes: &mut Nodes) {
        nodes.push_start(Plain(self));
    }
}

impl<J: Job> IntoJob<JobMarker> for J {
    type Output = J::Output;
    fn add_to(self, nodes: &mut Nodes) {
        nodes.push_node(Box::new(JobNode(self)));
    }
}

impl IntoJob<SchedulerMarker> for Scheduler {
    type Output = crate::Outcome;
    fn add_to(self, nodes: &mut Nodes) {
        nodes.push_node(Box::new(run::NestedNode::new(self)));
    }
}

/// A future that cannot fail, as a job: its output is the job's value.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let mut s = jobs_core::Scheduler::new();
/// let two = s.add(jobs_core::infallible(async { 1 + 1 })).id();
/// assert_eq!(s.run().await.unwrap().value(two), Some(&2));
/// # }
/// ```
pub fn infallible<F: Future>(future: F) -> Infallible<F> {
    Infallible(future)
}

/// See [`infallible`].
#[derive(Debug)]
pub struct Infallible<F>(F);

#[doc(hidden)]
pub enum InfallibleMarker {}

impl<F> IntoJob<InfallibleMarker> for Infallible<F>
where
    F: Future + Send + 'static,
    F::Output: Send + Sync + 'static,
{
    type Output = F::Output;
    fn add_to(self, nodes: &mut Nodes) {
        nodes.push_start(Plain(futures_util::FutureExt::map(
            self.0,
            Ok::<F::Output, BoxError>,
        )));
    }
}

/// What a job is, for what the scheduler asks of it besides running it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum NodeKind {
    /// A future, or a job made from its inputs' values.
    #[default]
    Future,
    /// A custom [`Job`]: it may have a label, details and a shutdown hook.
    Custom,
    /// A nested scheduler.
    Nested,
    /// A job whose future is not `Send`, so that it runs only in single-task mode.
    Local,
}

/// A job the scheduler holds as an object of its own: a custom job, a nested
/// scheduler, or the first job of its type (see [`Nodes`]).
pub(crate) trait Node: Send + 'static {
    /// What the node is.
    fn kind(&self) -> NodeKind {
        NodeKind::Future
    }
    /// Starts the job: queues its future for the run's tasks, or in single-task mode
    /// hands it to the run future. `cx` gives access to the outputs of the jobs it
    /// consumes.
    fn spawn(&mut self, cx: run::SpawnCx<'_>) -> Spawned;
    /// The shutdown hook, if the job has one; taken at most once.
    fn shutdown(
        &mut self,
    ) -> Option<futures_util::future::BoxFuture<'static, Result<(), BoxError>>> {
        None
    }
    /// The job's own label, if any.
    fn default_label(&self) -> Option<String> {
        None
    }
    /// The job's own details, if any.
    fn default_details(&self) -> Option<String> {
        None
    }
    /// The nested scheduler, if this node is one.
    fn nested(&self) -> Option<&Scheduler> {
        None
    }
    /// The nested scheduler, if this node is one.
    fn nested_mut(&mut self) -> Option<&mut Scheduler> {
        None
    }
    /// Takes the nested scheduler out, if this node is one that has not started.
    fn take_nested(&mut self) -> Option<Scheduler> {
        None
    }
}

type NodeBox = Box<dyn Node>;

pub(crate) fn boxed<T: Send + Sync + 'static>(value: T) -> Box<dyn Any + Send + Sync> {
    Box::new(value)
}

/// A job that is nothing but what builds its future: consumed when the job starts.
pub(crate) trait Start: Send + 'static {
    const KIND: NodeKind;
    /// What single-task mode keeps from one job of this type to the next: the box of
    /// its future, when the future is `Send`.
    type Spare: Default + Send + 'static;
    fn start(self, cx: run::SpawnCx<'_>) -> Spawned;
    /// Single-task mode: makes the job's future and polls it for the first time. A
    /// value it ends with goes to its slot in the run's values; any other end (or a
    /// failure to start) comes back in [`run::FirstPoll::Ended`].
    fn start_local(self, cx: run::LocalCx<'_>, spare: &mut Self::Spare) -> run::FirstPoll;
}

/// A future, as a job.
struct Plain<F>(F);

impl<F, T, E> Start for Plain<F>
where
    F: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + Sync + 'static,
    E: Into<BoxError> + 'static,
{
    const KIND: NodeKind = NodeKind::Future;
    type Spare = run::SpareBox<F>;
    fn start(self, cx: run::SpawnCx<'_>) -> Spawned {
        cx.spawn(self.0)
    }
    fn start_local(self, cx: run::LocalCx<'_>, spare: &mut Self::Spare) -> run::FirstPoll {
        cx.run(spare, self.0)
    }
}

/// A job made, when it starts, from clones of its inputs' values.
pub(crate) struct WithInputs<I, F> {
    pub(crate) inputs: I,
    pub(crate) make: F,
}

impl<I, F, Fut, T, E> Start for WithInputs<I, F>
where
    I: crate::scheduler::Inputs,
    F: FnOnce(I::Values) -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + Sync + 'static,
    E: Into<BoxError> + 'static,
{
    const KIND: NodeKind = NodeKind::Future;
    type Spare = run::SpareBox<Fut>;
    fn start(self, cx: run::SpawnCx<'_>) -> Spawned {
        match self.inputs.fetch(cx.results()) {
            Some(values) => cx.spawn((self.make)(values)),
            None => cx.spawn_end(TaskEnd::internal("an input of the job has no value")),
        }
    }
    fn start_local(self, cx: run::LocalCx<'_>, spare: &mut Self::Spare) -> run::FirstPoll {
        let Self { inputs, make } = self;
        cx.make(spare, |results| Some(make(inputs.fetch(results)?)))
    }
}

/// A job whose future, made when it starts, need not be `Send`: single-task mode only.
pub(crate) struct MakeLocal<F>(pub(crate) F);

impl<F, Fut, T, E> Start for MakeLocal<F>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, E>> + 'static,
    T: Send + Sync + 'static,
    E: Into<BoxError> + 'static,
{
    const KIND: NodeKind = NodeKind::Local;
    // The future is not `Send`: its box cannot stay with the job's type.
    type Spare = ();
    fn start(self, cx: run::SpawnCx<'_>) -> Spawned {
        cx.spawn_local((self.0)())
    }
    fn start_local(self, cx: run::LocalCx<'_>, _: &mut ()) -> run::FirstPoll {
        cx.make(&mut None, |_| Some((self.0)()))
    }
}

/// A job of the [`Start`] kind held as a node of its own.
struct Once<S>(Option<S>);

impl<S: Start> Node for Once<S> {
    fn kind(&self) -> NodeKind {
        S::KIND
    }
    fn spawn(&mut self, cx: run::SpawnCx<'_>) -> Spawned {
        match self.0.take() {
            Some(job) => job.start(cx),
            None => cx.spawn_end(TaskEnd::internal("job started twice")),
        }
    }
}

struct JobNode<J>(J);

impl<J: Job> Node for JobNode<J> {
    fn kind(&self) -> NodeKind {
        NodeKind::Custom
    }
    fn spawn(&mut self, cx: run::SpawnCx<'_>) -> Spawned {
        cx.spawn(self.0.run())
    }
    fn shutdown(
        &mut self,
    ) -> Option<futures_util::future::BoxFuture<'static, Result<(), BoxError>>> {
        if self.0.has_shutdown() {
            Some(Box::pin(self.0.shutdown()))
        } else {
            None
        }
    }
    fn default_label(&self) -> Option<String> {
        self.0.label()
    }
    fn default_details(&self) -> Option<String> {
        self.0.details()
    }
}

/// What is left of a job removed by graph surgery, or of a job in a skeleton; never
/// started.
struct Removed;

impl Node for Removed {
    fn spawn(&mut self, cx: run::SpawnCx<'_>) -> Spawned {
        cx.spawn_end(TaskEnd::internal("a removed job was started"))
    }
}

/// A job of a type that [`IntoJob`] does not know how to add.
struct Unknown;

impl Node for Unknown {
    fn spawn(&mut self, cx: run::SpawnCx<'_>) -> Spawned {
        cx.spawn_end(TaskEnd::internal(
            "the job's type implements `IntoJob` outside jobs-core and cannot run",
        ))
    }
}

/// The jobs of many [`Start`] jobs of one type, kept by value, by position.
trait Store: Send + 'static {
    fn start(&mut self, pos: usize, cx: run::SpawnCx<'_>) -> Spawned;
    fn start_local(&mut self, pos: usize, cx: run::LocalCx<'_>) -> run::FirstPoll;
    /// Drops the job at `pos`, which will never start.
    fn discard(&mut self, pos: usize);
    fn as_any(&mut self) -> &mut dyn Any;
}

struct Typed<S: Start> {
    jobs: Vec<Option<S>>,
    spare: S::Spare,
}

impl<S: Start> Store for Typed<S> {
    fn start(&mut self, pos: usize, cx: run::SpawnCx<'_>) -> Spawned {
        match self.jobs.get_mut(pos).and_then(Option::take) {
            Some(job) => job.start(cx),
            None => cx.spawn_end(TaskEnd::internal("job started twice")),
        }
    }
    fn start_local(&mut self, pos: usize, cx: run::LocalCx<'_>) -> run::FirstPoll {
        match self.jobs.get_mut(pos).and_then(Option::take) {
            Some(job) => job.start_local(cx, &mut self.spare),
            None => run::FirstPoll::Ended(TaskEnd::internal("job started twice")),
        }
    }
    fn discard(&mut self, pos: usize) {
        if let Some(job) = self.jobs.get_mut(pos) {
            *job = None;
        }
    }
    fn as_any(&mut self) -> &mut dyn Any {
        self
    }
}

/// Where a job kept by value is: its store, and its place in the store.
#[derive(Clone, Copy)]
pub(crate) struct Stored {
    store: u32,
    pos: u32,
}

/// Where a job is.
enum Entry {
    Node(NodeBox),
    Stored { store: u32, pos: u32 },
}

/// How many job types without a store [`Nodes`] remembers, to make a store for the
/// next job of one of them.
const RECENT: usize = 4;

/// The largest job kept by value; a larger one is boxed, which wastes no room.
const MAX_BY_VALUE: usize = 256;

/// The jobs of a scheduler, type-erased, by position.
///
/// A job that is only a future (or what makes one) is kept by value, next to the jobs
/// of its type, once a second job of that type comes soon after the first: a workflow
/// built in a loop adds its jobs without allocating for each, and its futures are
/// moved out when they start. Any other job, the first of its type, and a job larger
/// than [`MAX_BY_VALUE`] bytes, is a boxed [`Node`]: a workflow whose jobs all
/// differ pays one box per job, and makes no store.
#[doc(hidden)]
#[derive(Default)]
pub struct Nodes {
    entries: Vec<Entry>,
    stores: Vec<Box<dyn Store>>,
    /// The type of each store: one store per type.
    store_types: Vec<TypeId>,
    /// The store of the type added last, to find it at once in a loop.
    last: Option<(TypeId, u32)>,
    /// Types seen recently and boxed, not yet with a store.
    recent: [Option<TypeId>; RECENT],
    /// Where in `recent` the next type goes.
    next_recent: usize,
    /// The kind of the job added last.
    last_kind: NodeKind,
}

impl Nodes {
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Room for `jobs` more jobs (the stores grow as jobs come).
    pub(crate) fn reserve(&mut self, jobs: usize) {
        self.entries.reserve(jobs);
    }

    /// Adds a job held as a node of its own.
    pub(crate) fn push_node(&mut self, node: NodeBox) {
        self.last_kind = node.kind();
        self.entries.push(Entry::Node(node));
    }

    /// Adds a job that is only what builds its future: by value in its type's store,
    /// once its type is seen a second time.
    #[inline]
    pub(crate) fn push_start<S: Start>(&mut self, job: S) {
        self.last_kind = S::KIND;
        let ty = TypeId::of::<S>();
        let store = match self.last {
            Some((last, store)) if last == ty => Some(store),
            _ => self.store_of::<S>(),
        };
        let Some(store) = store else {
            self.push_node(Box::new(Once(Some(job))));
            return;
        };
        let Some(Typed { jobs, .. }) = self.stores[store as usize]
            .as_any()
            .downcast_mut::<Typed<S>>()
        else {
            // The store of a type holds that type: cannot happen, but the job must not
            // be lost.
            self.push_node(Box::new(Once(Some(job))));
            return;
        };
        let pos = jobs.len() as u32;
        jobs.push(Some(job));
        self.entries.push(Entry::Stored { store, pos });
        self.last = Some((ty, store));
    }

    /// The store for jobs of type `S`, made if the type was seen recently; `None` if
    /// the job is to be boxed.
    fn store_of<S: Start>(&mut self) -> Option<u32> {
        let ty = TypeId::of::<S>();
        if let Some(store) = self.store_types.iter().position(|&t| t == ty) {
            return Some(store as u32);
        }
        if size_of::<S>() > MAX_BY_VALUE {
            return None;
        }
        let Some(k) = self.recent.iter().position(|&t| t == Some(ty)) else {
            self.recent[self.next_recent] = Some(ty);
            self.next_recent = (self.next_recent + 1) % RECENT;
            return None;
        };
        self.recent[k] = None;
        self.stores.push(Box::new(Typed::<S> {
            jobs: Vec::new(),
            spare: S::Spare::default(),
        }));
        self.store_types.push(ty);
        Some((self.stores.len() - 1) as u32)
    }

    /// Checks that the job added at `at` is there, and tells its kind: an [`IntoJob`]
    /// implemented outside this crate adds nothing, and becomes a job that fails when
    /// it starts.
    #[inline]
    pub(crate) fn added(&mut self, at: usize) -> NodeKind {
        if self.entries.len() == at {
            self.push_node(Box::new(Unknown));
        }
        self.last_kind
    }

    /// The job's node, if it has one of its own.
    pub(crate) fn node(&self, i: usize) -> Option<&dyn Node> {
        match self.entries.get(i)? {
            Entry::Node(node) => Some(&**node),
            Entry::Stored { .. } => None,
        }
    }

    /// The job's node, if it has one of its own.
    pub(crate) fn node_mut(&mut self, i: usize) -> Option<&mut dyn Node> {
        match self.entries.get_mut(i)? {
            Entry::Node(node) => Some(&mut **node),
            Entry::Stored { .. } => None,
        }
    }

    /// The nested scheduler that job `i` is, if it is one.
    pub(crate) fn nested(&self, i: usize) -> Option<&Scheduler> {
        self.node(i)?.nested()
    }

    /// The nested scheduler that job `i` is, if it is one.
    pub(crate) fn nested_mut(&mut self, i: usize) -> Option<&mut Scheduler> {
        self.node_mut(i)?.nested_mut()
    }

    /// Takes out the nested scheduler that job `i` is, if it is one not started.
    pub(crate) fn take_nested(&mut self, i: usize) -> Option<Scheduler> {
        self.node_mut(i)?.take_nested()
    }

    /// Starts job `i`.
    pub(crate) fn start(&mut self, i: usize, cx: run::SpawnCx<'_>) -> Spawned {
        match &mut self.entries[i] {
            Entry::Node(node) => node.spawn(cx),
            Entry::Stored { store, pos } => self.stores[*store as usize].start(*pos as usize, cx),
        }
    }

    /// Where job `i` is kept by value, if it is: its store and its place there.
    pub(crate) fn stored(&self, i: usize) -> Option<Stored> {
        match self.entries.get(i)? {
            &Entry::Stored { store, pos } => Some(Stored { store, pos }),
            Entry::Node(_) => None,
        }
    }

    /// Single-task mode: starts the job kept by value at `at` (see
    /// [`Start::start_local`]).
    pub(crate) fn start_stored(&mut self, at: Stored, cx: run::LocalCx<'_>) -> run::FirstPoll {
        self.stores[at.store as usize].start_local(at.pos as usize, cx)
    }

    /// Job `i` is removed: what it held is dropped now.
    pub(crate) fn remove(&mut self, i: usize) {
        if let Entry::Stored { store, pos } = self.entries[i] {
            self.stores[store as usize].discard(pos as usize);
        }
        self.entries[i] = Entry::Node(Box::new(Removed));
    }

    /// Placeholders for every job, nested schedulers as their own skeletons.
    pub(crate) fn skeleton(&self) -> Nodes {
        let mut copy = Nodes::default();
        copy.reserve(self.len());
        for i in 0..self.len() {
            copy.push_node(match self.nested(i) {
                Some(nested) => Box::new(crate::run::NestedNode::new(nested.skeleton())),
                None => Box::new(Removed),
            });
        }
        copy
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A job that counts its drops; `N` tells types apart.
    struct Probe<const N: usize>(Arc<AtomicUsize>);

    impl<const N: usize> Drop for Probe<N> {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    impl<const N: usize> Start for Probe<N> {
        // Type 1 stands for a local job, to tell the kinds apart.
        const KIND: NodeKind = if N == 1 {
            NodeKind::Local
        } else {
            NodeKind::Future
        };
        type Spare = ();
        fn start(self, cx: run::SpawnCx<'_>) -> Spawned {
            cx.spawn_end(TaskEnd::Cancelled)
        }
        fn start_local(self, _: run::LocalCx<'_>, _: &mut ()) -> run::FirstPoll {
            run::FirstPoll::Ended(TaskEnd::Cancelled)
        }
    }

    fn stored(nodes: &Nodes) -> Vec<bool> {
        (0..nodes.len()).map(|i| nodes.node(i).is_none()).collect()
    }

    #[test]
    fn jobs_of_a_type_seen_before_are_kept_by_value() {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut nodes = Nodes::default();
        let mut kinds = Vec::new();
        let mut kind = |nodes: &mut Nodes| kinds.push(nodes.added(nodes.len() - 1));
        nodes.push_start(Probe::<0>(drops.clone()));
        kind(&mut nodes);
        nodes.push_start(Probe::<0>(drops.clone()));
        kind(&mut nodes);
        nodes.push_start(Probe::<1>(drops.clone()));
        kind(&mut nodes);
        nodes.push_start(Probe::<0>(drops.clone()));
        kind(&mut nodes);
        nodes.push_node(Box::new(Removed));
        kind(&mut nodes);
        nodes.push_start(Probe::<1>(drops.clone()));
        kind(&mut nodes);
        assert_eq!(stored(&nodes), [false, true, false, true, false, true]);
        assert_eq!(nodes.stores.len(), 2);
        let (f, l) = (NodeKind::Future, NodeKind::Local);
        assert_eq!(kinds, [f, f, l, f, f, l]);
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        drop(nodes);
        assert_eq!(drops.load(Ordering::SeqCst), 5);
    }

    #[test]
    fn a_type_not_seen_among_the_recent_ones_is_boxed_again() {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut nodes = Nodes::default();
        // Five types in turn: each is pushed out of the four remembered before it
        // comes back.
        for _ in 0..2 {
            nodes.push_start(Probe::<0>(drops.clone()));
            nodes.push_start(Probe::<1>(drops.clone()));
            nodes.push_start(Probe::<2>(drops.clone()));
            nodes.push_start(Probe::<3>(drops.clone()));
            nodes.push_start(Probe::<4>(drops.clone()));
        }
        assert_eq!(stored(&nodes), [false; 10]);
        // Now type 4 is remembered: the next one goes by value.
        nodes.push_start(Probe::<4>(drops.clone()));
        assert!(stored(&nodes)[10]);
    }

    #[test]
    fn removing_a_job_drops_it_at_once_whatever_its_place() {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut nodes = Nodes::default();
        for _ in 0..3 {
            nodes.push_start(Probe::<0>(drops.clone()));
        }
        nodes.remove(1);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        nodes.remove(0);
        assert_eq!(drops.load(Ordering::SeqCst), 2);
        assert_eq!(stored(&nodes), [false, false, true]);
        let skeleton = nodes.skeleton();
        assert_eq!(stored(&skeleton), [false; 3]);
        assert_eq!(drops.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_type_keeps_one_store_however_its_jobs_are_interleaved() {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut nodes = Nodes::default();
        nodes.push_start(Probe::<0>(drops.clone()));
        nodes.push_start(Probe::<0>(drops.clone()));
        // Four other types in turn, each seen twice, between two jobs of type 0.
        for _ in 0..3 {
            nodes.push_start(Probe::<1>(drops.clone()));
            nodes.push_start(Probe::<2>(drops.clone()));
            nodes.push_start(Probe::<3>(drops.clone()));
            nodes.push_start(Probe::<4>(drops.clone()));
            nodes.push_start(Probe::<0>(drops.clone()));
        }
        assert_eq!(nodes.stores.len(), 5);
        assert!((6..nodes.len()).step_by(5).all(|i| nodes.node(i).is_none()));
    }

    #[test]
    fn a_large_job_is_boxed() {
        struct Large([u8; MAX_BY_VALUE + 1]);
        impl Start for Large {
            const KIND: NodeKind = NodeKind::Future;
            type Spare = ();
            fn start(self, cx: run::SpawnCx<'_>) -> Spawned {
                let Large(_bytes) = self;
                cx.spawn_end(TaskEnd::Cancelled)
            }
            fn start_local(self, _: run::LocalCx<'_>, _: &mut ()) -> run::FirstPoll {
                run::FirstPoll::Ended(TaskEnd::Cancelled)
            }
        }
        let mut nodes = Nodes::default();
        for _ in 0..3 {
            nodes.push_start(Large([0; MAX_BY_VALUE + 1]));
        }
        assert_eq!(stored(&nodes), [false; 3]);
        assert!(nodes.stores.is_empty());
    }
}
