//! The dynamic builder: [`Scheduler`], typed [`JobRef`] handles, [`Sequence`]s and job inputs.

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::error::BoxError;
use crate::job::{IntoJob, MakeLocal, NodeKind, Nodes, WithInputs};
use crate::run::Results;

/// A set of jobs and their requirements, run with [`Scheduler::run`].
///
/// Jobs start as soon as all their requirements are done, in declaration order when
/// several become ready together. Jobs are critical by default: a failure of a
/// critical job aborts the run. A scheduler is itself a job: add it to another one to
/// nest it, with its own window, timeout and criticality.
///
/// ```
/// use jobs_core::Scheduler;
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), jobs_core::Failure> {
/// let mut s = Scheduler::new().with_window(2).with_timeout(Duration::from_secs(5));
/// let a = s.add(async { Ok::<_, std::io::Error>(1) }).label("a").id();
/// let b = s.add(async { Ok::<_, std::io::Error>(2) }).label("b").requires(a).id();
/// let outcome = s.run().await?;
/// assert_eq!(outcome.value(a), Some(&1));
/// assert_eq!(outcome.value(b), Some(&2));
/// # Ok::<(), jobs_core::Failure>(()) }
/// ```
pub struct Scheduler {
    pub(crate) uid: u64,
    pub(crate) label: Option<String>,
    pub(crate) window: Option<usize>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) shutdown_timeout: Option<Duration>,
    /// The type-erased jobs, by position.
    pub(crate) nodes: Nodes,
    /// Flags of each job, by position.
    pub(crate) meta: Vec<Meta>,
    /// The labels set by the builder or by custom jobs.
    pub(crate) labels: Labels,
    /// Every requirement, in the order it was declared; sorted by job when the run
    /// starts, then moved into the run's plan.
    pub(crate) links: Vec<Link>,
    /// Details of the jobs that have some.
    pub(crate) details: BTreeMap<u32, String>,
    /// Value formatters of the jobs whose listings show their values.
    pub(crate) show: BTreeMap<u32, ShowFn>,
    /// Jobs given a requirement or an input of another scheduler while building,
    /// reported by `run` before anything starts (by label, rendered then: the label
    /// may be set after the mistake).
    pub(crate) foreign: Vec<u32>,
    pub(crate) events: Option<crate::events::EventSink>,
    /// How many jobs were removed by graph surgery.
    pub(crate) removed: usize,
}

/// The flags of a job; kept small, since there is one per job.
#[derive(Clone, Debug)]
pub(crate) struct Meta {
    pub(crate) critical: bool,
    pub(crate) forever: bool,
    /// The job is a nested scheduler.
    pub(crate) nested: bool,
    /// The job was removed by graph surgery: a tombstone that keeps positions stable.
    pub(crate) removed: bool,
    /// The job's future is not `Send`: it runs only in single-task mode.
    pub(crate) local: bool,
    /// A custom [`Job`](crate::Job): it may have a shutdown hook.
    pub(crate) custom: bool,
}

/// The jobs' own labels, by position: no memory at all until a job gets one, then
/// one entry per job up to the last labelled one.
#[derive(Clone, Debug, Default)]
pub(crate) struct Labels(Vec<Option<Box<str>>>);

impl Labels {
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        self.0.get(i)?.as_deref()
    }

    pub(crate) fn set(&mut self, i: usize, label: String) {
        if self.0.len() <= i {
            self.0.resize(i + 1, None);
        }
        self.0[i] = Some(label.into_boxed_str());
    }

    pub(crate) fn clear(&mut self, i: usize) {
        if let Some(label) = self.0.get_mut(i) {
            *label = None;
        }
    }
}

/// `job` requires `edge.index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Link {
    pub(crate) job: u32,
    pub(crate) edge: Edge,
}

/// Formats a type-erased value with the `Debug` of its concrete type.
pub(crate) type ShowFn = fn(&(dyn Any + Send + Sync), &mut fmt::Formatter<'_>) -> fmt::Result;

fn show<T: fmt::Debug + 'static>(
    value: &(dyn Any + Send + Sync),
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    match value.downcast_ref::<T>() {
        Some(value) => fmt::Debug::fmt(value, f),
        None => Ok(()),
    }
}

/// A requirement of a job on another job of the same scheduler, or (in a run's plan)
/// the other way: a job's successor. One word: the job's index, and in its top bit
/// whether the output is consumed (an input), not only the job's completion.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Edge(u32);

impl Edge {
    const CONSUMES: u32 = 1 << 31;

    /// The largest job index an edge can hold.
    pub(crate) const MAX_INDEX: u32 = Self::CONSUMES - 1;

    pub(crate) fn new(index: u32, consumes: bool) -> Edge {
        // `prepare` rejects larger schedulers before they run.
        debug_assert!(index <= Self::MAX_INDEX, "job index {index} out of range");
        Edge((index & Self::MAX_INDEX) | if consumes { Self::CONSUMES } else { 0 })
    }

    pub(crate) fn index(self) -> u32 {
        self.0 & Self::MAX_INDEX
    }

    pub(crate) fn consumes(self) -> bool {
        self.0 & Self::CONSUMES != 0
    }
}

impl fmt::Debug for Edge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Edge")
            .field("index", &self.index())
            .field("consumes", &self.consumes())
            .finish()
    }
}

/// The default `shutdown_timeout`.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(1);

fn next_uid() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler::new()
    }
}

impl Scheduler {
    /// An empty scheduler: no window, no timeout, a shutdown timeout of one second.
    pub fn new() -> Self {
        Scheduler {
            uid: next_uid(),
            label: None,
            window: None,
            timeout: None,
            shutdown_timeout: Some(DEFAULT_SHUTDOWN_TIMEOUT),
            nodes: Nodes::default(),
            meta: Vec::new(),
            labels: Labels::default(),
            links: Vec::new(),
            details: BTreeMap::new(),
            show: BTreeMap::new(),
            foreign: Vec::new(),
            events: None,
            removed: 0,
        }
    }

    /// Sets the label, shown by listings and used as the job's label when nested.
    pub fn set_label(&mut self, label: impl Into<String>) {
        self.label = Some(label.into());
    }

    /// At most `window` finite jobs of this scheduler run at once (forever jobs take no
    /// slot). A window of 0 is an error reported by [`run`](Self::run).
    pub fn set_window(&mut self, window: usize) {
        self.window = Some(window);
    }

    /// One deadline for the whole run, from its start; `None` for no deadline. It
    /// covers the jobs, not the shutdown hooks (see
    /// [`set_shutdown_timeout`](Self::set_shutdown_timeout)). A deadline needs a
    /// runtime with its timer enabled (`enable_time`, or `enable_all`).
    pub fn set_timeout(&mut self, timeout: impl Into<Option<Duration>>) {
        self.timeout = timeout.into();
    }

    /// Bounds the shutdown hooks that run when the run ends; `None` for no bound.
    /// The default is one second.
    ///
    /// A nested scheduler cancelled by its parent (a timeout, a critical failure, the
    /// end of a forever scheduler) must also be done with its hooks within the
    /// parent's shutdown timeout, counted from the cancellation: a parent with a bound
    /// is never held up for longer by the hooks below it, even unbounded ones. Hooks
    /// with a bound need a runtime with its timer enabled (`enable_time`).
    pub fn set_shutdown_timeout(&mut self, timeout: impl Into<Option<Duration>>) {
        self.shutdown_timeout = timeout.into();
    }

    /// Builder form of [`set_label`](Self::set_label).
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.set_label(label);
        self
    }

    /// Builder form of [`set_window`](Self::set_window).
    pub fn with_window(mut self, window: usize) -> Self {
        self.set_window(window);
        self
    }

    /// Builder form of [`set_timeout`](Self::set_timeout).
    pub fn with_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.set_timeout(timeout);
        self
    }

    /// Builder form of [`set_shutdown_timeout`](Self::set_shutdown_timeout).
    pub fn with_shutdown_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.set_shutdown_timeout(timeout);
        self
    }

    /// The label, if one was set.
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// The window, if one was set.
    pub fn window(&self) -> Option<usize> {
        self.window
    }

    /// The timeout, if one was set.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The shutdown timeout.
    pub fn shutdown_timeout(&self) -> Option<Duration> {
        self.shutdown_timeout
    }

    /// The number of jobs added directly to this scheduler (a nested scheduler counts as one).
    pub fn len(&self) -> usize {
        self.nodes.len() - self.removed
    }

    /// Whether no job was added.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reserves room for at least `jobs` more jobs and `requirements` more
    /// requirements, for workflows built in loops whose size is known.
    ///
    /// ```
    /// let mut s = jobs_core::Scheduler::new();
    /// s.reserve(1_000, 999);
    /// let mut previous = None;
    /// for i in 0..1_000 {
    ///     let job = s.add(jobs_core::infallible(async move { i }));
    ///     previous = Some(job.requires_all(previous).id());
    /// }
    /// assert_eq!(s.len(), 1_000);
    /// ```
    pub fn reserve(&mut self, jobs: usize, requirements: usize) {
        self.nodes.reserve(jobs);
        self.meta.reserve(jobs);
        self.links.reserve(requirements);
    }

    /// Adds a job: a future yielding `Result`, an [`infallible`](crate::infallible)
    /// future, a custom [`Job`](crate::Job), or a nested `Scheduler`. Returns a builder
    /// to set its label, requirements and flags; [`JobMut::id`] gives its typed handle.
    #[inline]
    pub fn add<M, J: IntoJob<M>>(&mut self, job: J) -> JobMut<'_, J::Output> {
        let at = self.nodes.len();
        job.add_to(&mut self.nodes);
        self.push(at)
    }

    /// Adds a job whose future need not be `Send` (it may hold an `Rc` or a `RefCell`
    /// across `.await`s): `make` builds it when the job starts. Such a job runs only in
    /// single-task mode, [`run_local`](Self::run_local); [`run`](Self::run) rejects the
    /// workflow with [`GraphError::LocalJob`](crate::GraphError::LocalJob) before
    /// anything starts.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use std::rc::Rc;
    /// let mut s = jobs_core::Scheduler::new();
    /// let len = s
    ///     .add_local(|| async {
    ///         let shared = Rc::new(vec![1, 2, 3]);
    ///         tokio::task::yield_now().await; // `shared` is held across an await
    ///         Ok::<_, std::io::Error>(shared.len())
    ///     })
    ///     .id();
    /// let outcome = s.run_local().await.unwrap();
    /// assert_eq!(outcome.value(len), Some(&3));
    /// # }
    /// ```
    pub fn add_local<F, Fut, T, E>(&mut self, make: F) -> JobMut<'_, T>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, E>> + 'static,
        T: Send + Sync + 'static,
        E: Into<BoxError> + 'static,
    {
        let at = self.nodes.len();
        self.nodes.push_start(MakeLocal(make));
        self.push(at)
    }

    /// Adds a job built when it starts from clones of the outputs of `inputs`, a tuple
    /// of handles (or a `Vec` of handles of one type). The job runs after its inputs;
    /// if one of them produced no value, it is skipped.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mut s = jobs_core::Scheduler::new();
    /// let a = s.add(async { Ok::<_, std::io::Error>(20) }).id();
    /// let b = s.add(async { Ok::<_, std::io::Error>(22) }).id();
    /// let sum = s.add_with((a, b), |(a, b)| async move { Ok::<_, std::io::Error>(a + b) }).id();
    /// assert_eq!(s.run().await.unwrap().value(sum), Some(&42));
    /// # }
    /// ```
    pub fn add_with<I, F, Fut, T, E>(&mut self, inputs: I, make: F) -> JobMut<'_, T>
    where
        I: Inputs,
        F: FnOnce(I::Values) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + Sync + 'static,
        E: Into<BoxError> + 'static,
    {
        let job = self.jobs_len_u32();
        let mut foreign = false;
        let uid = self.uid;
        let links = &mut self.links;
        inputs.for_each(&mut |id| {
            if id.sched == uid {
                links.push(Link {
                    job,
                    edge: Edge::new(id.index, true),
                });
            } else {
                foreign = true;
            }
        });
        let at = self.nodes.len();
        self.nodes.push_start(WithInputs { inputs, make });
        let job = self.push(at);
        if foreign {
            job.sched.foreign.push(job.index);
        }
        job
    }

    /// The builder of a job already added, to change its settings or add requirements
    /// (requirements may name jobs added later). `None` for a job of another scheduler.
    pub fn job_mut<T>(&mut self, job: JobRef<T>) -> Option<JobMut<'_, T>> {
        let live = self.meta.get(job.id.index()).is_some_and(|m| !m.removed);
        if job.id.sched != self.uid || !live {
            return None;
        }
        Some(JobMut {
            sched: self,
            index: job.id.index,
            _output: PhantomData,
        })
    }

    /// Starts a chain of jobs: each job added through the returned builder requires the
    /// previous one.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mut s = jobs_core::Scheduler::new();
    /// let mut seq = s.sequence();
    /// seq.add(jobs_core::infallible(async { 1 }));
    /// seq.add(jobs_core::infallible(async { 2 }));
    /// let chain = seq.finish();
    /// s.add(jobs_core::infallible(async { 3 })).requires(&chain);
    /// assert!(s.run().await.is_ok());
    /// # }
    /// ```
    pub fn sequence(&mut self) -> SequenceMut<'_> {
        SequenceMut {
            sched: self,
            first: None,
            last: None,
            requires: Vec::new(),
        }
    }

    /// The label listings show for the job at `index`.
    pub(crate) fn display_label(&self, index: usize) -> String {
        if let Some(label) = self.labels.get(index) {
            return label.to_owned();
        }
        match self.nodes.nested(index) {
            Some(nested) => nested
                .label
                .clone()
                .unwrap_or_else(|| format!("scheduler-{}", index + 1)),
            None => format!("job-{}", index + 1),
        }
    }

    fn jobs_len_u32(&self) -> u32 {
        u32::try_from(self.nodes.len()).unwrap_or(u32::MAX)
    }

    /// Records the job just added to `nodes` at `at`; its builder.
    #[inline]
    fn push<T>(&mut self, at: usize) -> JobMut<'_, T> {
        let kind = self.nodes.added(at);
        let index = u32::try_from(at).unwrap_or(u32::MAX);
        if matches!(kind, NodeKind::Custom | NodeKind::Nested) {
            self.own_label(index, kind);
        }
        self.meta.push(Meta {
            critical: true,
            forever: false,
            nested: kind == NodeKind::Nested,
            removed: false,
            local: kind == NodeKind::Local,
            custom: kind == NodeKind::Custom,
        });
        JobMut {
            sched: self,
            index,
            _output: PhantomData,
        }
    }
}

impl Scheduler {
    /// Records the label (and details) that the custom job or nested scheduler at
    /// `index` gives itself. Resolved once, here: no user code runs for labels while
    /// the workflow runs. A nested scheduler's label is final once it is added.
    #[inline(never)]
    fn own_label(&mut self, index: u32, kind: NodeKind) {
        let label = match (kind, self.nodes.node(index as usize)) {
            (NodeKind::Custom, Some(node)) => {
                if let Some(details) = node.default_details() {
                    self.details.insert(index, details);
                }
                node.default_label()
            }
            (NodeKind::Nested, Some(node)) => node.nested().and_then(|n| n.label.clone()),
            _ => None,
        };
        if let Some(label) = label {
            self.labels.set(index as usize, label);
        }
    }
}

impl fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scheduler")
            .field("label", &self.label)
            .field("jobs", &self.nodes.len())
            .field("window", &self.window)
            .field("timeout", &self.timeout)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .finish()
    }
}

/// The untyped identity of a job: which scheduler, which position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId {
    pub(crate) sched: u64,
    pub(crate) index: u32,
}

impl JobId {
    /// The job's position in its scheduler, in declaration order from 0.
    pub fn index(self) -> usize {
        self.index as usize
    }
}

/// A typed handle on a job, to require it, consume its output, and read its result.
pub struct JobRef<T> {
    pub(crate) id: JobId,
    _output: PhantomData<fn() -> T>,
}

impl<T> JobRef<T> {
    /// The untyped identity.
    pub fn id(self) -> JobId {
        self.id
    }
}

impl<T> Clone for JobRef<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for JobRef<T> {}

impl<T> fmt::Debug for JobRef<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JobRef({}#{})", self.id.sched, self.id.index)
    }
}

impl<T> PartialEq for JobRef<T> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl<T> Eq for JobRef<T> {}

impl<T> From<JobRef<T>> for JobId {
    fn from(job: JobRef<T>) -> JobId {
        job.id
    }
}

/// The builder returned by [`Scheduler::add`]: sets the job's label, details,
/// requirements and flags, then [`id`](Self::id) gives its typed handle.
pub struct JobMut<'a, T> {
    sched: &'a mut Scheduler,
    index: u32,
    _output: PhantomData<fn() -> T>,
}

impl<'a, T> JobMut<'a, T> {
    fn meta(&mut self) -> &mut Meta {
        &mut self.sched.meta[self.index as usize]
    }

    /// The job's label: its name in listings, graphs, events and errors.
    pub fn label(self, label: impl Into<String>) -> Self {
        let index = self.index as usize;
        self.sched.labels.set(index, label.into());
        self
    }

    /// Free text shown by detailed listings.
    pub fn details(self, details: impl Into<String>) -> Self {
        self.sched.details.insert(self.index, details.into());
        self
    }

    /// This job starts only once `dep` is done (ordering only: if `dep` fails without
    /// aborting the run, this job still runs). `dep` must belong to the same scheduler.
    pub fn requires(self, dep: impl Into<Requirement>) -> Self {
        self.requires_all(Some(dep))
    }

    /// This job starts only once every job of `deps` is done: [`requires`](Self::requires)
    /// for each, e.g. for a job that requires a whole layer of jobs built in a loop.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use jobs_core::{Scheduler, infallible};
    /// let mut s = Scheduler::new();
    /// let layer: Vec<_> = (0..10).map(|i| s.add(infallible(async move { i })).id()).collect();
    /// let sink = s.add(infallible(async {})).requires_all(&layer).id();
    /// let outcome = s.run().await.unwrap();
    /// assert_eq!(outcome.value(sink), Some(&()));
    /// # }
    /// ```
    #[inline]
    pub fn requires_all<R: Into<Requirement>>(self, deps: impl IntoIterator<Item = R>) -> Self {
        let deps = deps.into_iter();
        if deps.size_hint().1 == Some(0) {
            return self;
        }
        self.push_requirements(deps)
    }

    fn push_requirements<R: Into<Requirement>>(self, deps: impl Iterator<Item = R>) -> Self {
        let (job, uid) = (self.index, self.sched.uid);
        let links = &mut self.sched.links;
        links.reserve(deps.size_hint().0);
        let mut foreign = false;
        for id in deps.filter_map(|dep| dep.into().0) {
            if id.sched == uid {
                links.push(Link {
                    job,
                    edge: Edge::new(id.index, false),
                });
            } else {
                foreign = true;
            }
        }
        if foreign {
            self.sched.foreign.push(job);
        }
        self
    }

    /// Whether a failure of this job aborts the run (the default) or is only recorded.
    pub fn critical(mut self, critical: bool) -> Self {
        self.meta().critical = critical;
        self
    }

    /// Shorthand for `critical(false)`.
    pub fn noncritical(self) -> Self {
        self.critical(false)
    }

    /// A forever job is not waited for: the run ends when the finite jobs are done, and
    /// forever jobs are then cancelled. It takes no window slot.
    pub fn forever(mut self, forever: bool) -> Self {
        self.meta().forever = forever;
        self
    }

    /// Listings show the job's value, formatted with `Debug`.
    pub fn show_value(self) -> Self
    where
        T: fmt::Debug + 'static,
    {
        self.sched.show.insert(self.index, show::<T>);
        self
    }

    /// The typed handle of the job.
    #[inline]
    pub fn id(self) -> JobRef<T> {
        JobRef {
            id: JobId {
                sched: self.sched.uid,
                index: self.index,
            },
            _output: PhantomData,
        }
    }
}

/// Something a job can require: a job handle, or a [`Sequence`] (its last job).
#[derive(Clone, Copy, Debug)]
pub struct Requirement(Option<JobId>);

impl<T> From<JobRef<T>> for Requirement {
    fn from(job: JobRef<T>) -> Self {
        Requirement(Some(job.id))
    }
}

impl<T> From<&JobRef<T>> for Requirement {
    fn from(job: &JobRef<T>) -> Self {
        Requirement(Some(job.id))
    }
}

impl From<JobId> for Requirement {
    fn from(id: JobId) -> Self {
        Requirement(Some(id))
    }
}

impl From<&Sequence> for Requirement {
    fn from(seq: &Sequence) -> Self {
        Requirement(seq.last)
    }
}

impl From<Sequence> for Requirement {
    fn from(seq: Sequence) -> Self {
        Requirement(seq.last)
    }
}

/// A finished chain of jobs; requiring it means requiring its last job.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sequence {
    first: Option<JobId>,
    last: Option<JobId>,
}

impl Sequence {
    /// The first job of the chain.
    pub fn first(&self) -> Option<JobId> {
        self.first
    }

    /// The last job of the chain.
    pub fn last(&self) -> Option<JobId> {
        self.last
    }
}

/// Builds a chain of jobs; see [`Scheduler::sequence`].
pub struct SequenceMut<'a> {
    sched: &'a mut Scheduler,
    first: Option<JobId>,
    last: Option<JobId>,
    requires: Vec<Requirement>,
}

impl SequenceMut<'_> {
    /// The first job of the sequence will also require `dep`.
    pub fn requires(&mut self, dep: impl Into<Requirement>) -> &mut Self {
        let dep = dep.into();
        match self.first {
            Some(first) => {
                JobMut::<()> {
                    sched: self.sched,
                    index: first.index,
                    _output: PhantomData,
                }
                .requires(dep);
            }
            None => self.requires.push(dep),
        }
        self
    }

    /// Adds a job that requires the previous one.
    pub fn add<M, J: IntoJob<M>>(&mut self, job: J) -> JobMut<'_, J::Output> {
        let at = self.sched.nodes.len();
        job.add_to(&mut self.sched.nodes);
        let job: JobMut<'_, J::Output> = self.sched.push(at);
        let id = JobId {
            sched: job.sched.uid,
            index: job.index,
        };
        let job = match self.last {
            Some(prev) => job.requires(prev),
            None => {
                let mut job = job;
                for dep in self.requires.drain(..) {
                    job = job.requires(dep);
                }
                job
            }
        };
        if self.first.is_none() {
            self.first = Some(id);
        }
        self.last = Some(id);
        job
    }

    /// The chain so far.
    pub fn finish(self) -> Sequence {
        Sequence {
            first: self.first,
            last: self.last,
        }
    }
}

/// The inputs of a job added with [`Scheduler::add_with`]: a tuple of 1 to 12
/// [`JobRef`]s, or a `Vec<JobRef<T>>`. The outputs must be `Clone`: each consumer gets
/// its own copy (return an `Arc` for large values).
pub trait Inputs: Send + 'static {
    /// The tuple (or `Vec`) of values handed to the job.
    type Values: Send + 'static;
    #[doc(hidden)]
    fn for_each(&self, f: &mut dyn FnMut(JobId));
    #[doc(hidden)]
    fn fetch(&self, results: Results<'_>) -> Option<Self::Values>;
}

impl<T: Clone + Send + Sync + 'static> Inputs for Vec<JobRef<T>> {
    type Values = Vec<T>;
    fn for_each(&self, f: &mut dyn FnMut(JobId)) {
        for job in self {
            f(job.id);
        }
    }
    fn fetch(&self, results: Results<'_>) -> Option<Vec<T>> {
        self.iter()
            .map(|job| results.get::<T>(job.id).cloned())
            .collect()
    }
}

macro_rules! tuple_inputs {
    ($($t:ident $v:ident),+) => {
        impl<$($t: Clone + Send + Sync + 'static),+> Inputs for ($(JobRef<$t>,)+) {
            type Values = ($($t,)+);
            fn for_each(&self, f: &mut dyn FnMut(JobId)) {
                let ($($v,)+) = self;
                $(f($v.id);)+
            }
            fn fetch(&self, results: Results<'_>) -> Option<Self::Values> {
                let ($($v,)+) = self;
                Some(($(results.get::<$t>($v.id)?.clone(),)+))
            }
        }
    };
}

tuple_inputs!(A a);
tuple_inputs!(A a, B b);
tuple_inputs!(A a, B b, C c);
tuple_inputs!(A a, B b, C c, D d);
tuple_inputs!(A a, B b, C c, D d, E e);
tuple_inputs!(A a, B b, C c, D d, E e, F f);
tuple_inputs!(A a, B b, C c, D d, E e, F f, G g);
tuple_inputs!(A a, B b, C c, D d, E e, F f, G g, H h);
tuple_inputs!(A a, B b, C c, D d, E e, F f, G g, H h, I i);
tuple_inputs!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j);
tuple_inputs!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k);
tuple_inputs!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l);
