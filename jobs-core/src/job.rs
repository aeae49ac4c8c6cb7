//! What a job is: the [`Job`] trait for custom job types, and [`IntoJob`], which
//! turns futures, custom jobs and nested schedulers into jobs of a scheduler.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::error::{BoxError, JobError};
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

    /// Builds the future that does the job's work. Called at most once per run.
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
    fn into_node(self) -> NodeBox;
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
    fn into_node(self) -> NodeBox {
        Box::pin(FutureNode::new(self))
    }
}

impl<J: Job> IntoJob<JobMarker> for J {
    type Output = J::Output;
    fn into_node(self) -> NodeBox {
        Box::pin(JobNode(self))
    }
}

impl IntoJob<SchedulerMarker> for Scheduler {
    type Output = crate::Outcome;
    fn into_node(self) -> NodeBox {
        Box::pin(run::NestedNode::new(self))
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
    fn into_node(self) -> NodeBox {
        Box::pin(FutureNode::new(futures_util::FutureExt::map(
            self.0,
            Ok::<F::Output, BoxError>,
        )))
    }
}

/// The type-erased job as the scheduler holds it: pinned in its box, so that in
/// single-task mode its future can be polled where it lies.
#[doc(hidden)]
pub type NodeBox = Pin<Box<dyn Node>>;

/// What a node is, for what the scheduler asks of it besides running it.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A future, or a job made from its inputs' values.
    Future,
    /// A custom [`Job`]: it may have a label, details and a shutdown hook.
    Custom,
    /// A nested scheduler.
    Nested,
    /// A job whose future is not `Send`, so that it runs only in single-task mode.
    Local,
}

/// The type-erased job as the scheduler holds it.
#[doc(hidden)]
pub trait Node: Send + 'static {
    /// What the node is.
    fn kind(&self) -> NodeKind {
        NodeKind::Future
    }
    /// Starts the job: spawns its task, or in single-task mode makes its future ready
    /// to be polled in place. `cx` gives access to the outputs of the jobs it consumes.
    fn spawn(self: Pin<&mut Self>, cx: run::SpawnCx<'_>) -> Spawned;
    /// Single-task mode: polls the future started in place by [`spawn`](Self::spawn).
    /// Once ready, the future has been dropped.
    fn poll_local(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<TaskEnd> {
        Poll::Ready(TaskEnd::internal(
            "a job without a future in place was polled",
        ))
    }
    /// Single-task mode: drops the future started in place, if one is running.
    /// Returns whether there was one.
    fn stop_local(self: Pin<&mut Self>) -> bool {
        false
    }
    /// The shutdown hook, if the job has one; taken at most once.
    fn shutdown(
        self: Pin<&mut Self>,
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
    fn nested_mut(self: Pin<&mut Self>) -> Option<&mut Scheduler> {
        None
    }
    /// Takes the nested scheduler out, if this node is one that never ran.
    fn take_nested(self: Pin<&mut Self>) -> Option<Scheduler> {
        None
    }
}

pub(crate) fn boxed<T: Send + Sync + 'static>(value: T) -> Box<dyn Any + Send + Sync> {
    Box::new(value)
}

pin_project! {
    /// A job's future in its node: what makes it (`M`; for a plain future, the future
    /// itself) until it starts; then, in single-task mode, the future polled in place.
    #[project = SlotProj]
    #[project_replace = SlotOwn]
    enum Slot<M, F> {
        Idle { make: M },
        Running { #[pin] future: F },
        Done,
    }
}

impl<M, F, T, E> Slot<M, F>
where
    F: Future<Output = Result<T, E>>,
    T: Send + Sync + 'static,
    E: Into<BoxError>,
{
    /// Takes what makes the future; the slot is done, until [`Self::start`].
    fn take(self: Pin<&mut Self>) -> Option<M> {
        match self.project_replace(Slot::Done) {
            SlotOwn::Idle { make } => Some(make),
            _ => None,
        }
    }

    /// Starts the job: in its own task, or in single-task mode here, in its node.
    fn start(mut self: Pin<&mut Self>, future: F, cx: run::SpawnCx<'_>) -> Spawned
    where
        F: Send + 'static,
        E: 'static,
    {
        if cx.in_place() {
            self.set(Slot::Running { future });
            cx.start_in_place()
        } else {
            cx.spawn(future)
        }
    }

    /// Polls the future in place, catching its panic; drops it once it is ready, so
    /// that a reported job has ended.
    fn poll_end(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<TaskEnd> {
        let SlotProj::Running { future } = self.as_mut().project() else {
            return Poll::Ready(TaskEnd::internal("a job was polled after its end"));
        };
        let end = match std::panic::catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(result)) => run::end_of(result),
            Err(panic) => TaskEnd::Error(JobError::from_panic(panic)),
        };
        match std::panic::catch_unwind(AssertUnwindSafe(|| self.set(Slot::Done))) {
            Ok(()) => Poll::Ready(end),
            // The future's `Drop` panicked: the job failed.
            Err(panic) => Poll::Ready(TaskEnd::Error(JobError::from_panic(panic))),
        }
    }

    /// Drops a future running in place; whether there was one.
    fn stop(mut self: Pin<&mut Self>) -> bool {
        let running = matches!(self.as_mut().project(), SlotProj::Running { .. });
        if running {
            self.set(Slot::Done);
        }
        running
    }
}

pin_project! {
    struct FutureNode<F> {
        #[pin]
        slot: Slot<F, F>,
    }
}

impl<F> FutureNode<F> {
    fn new(future: F) -> Self {
        FutureNode {
            slot: Slot::Idle { make: future },
        }
    }
}

impl<F, T, E> Node for FutureNode<F>
where
    F: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + Sync + 'static,
    E: Into<BoxError> + 'static,
{
    fn spawn(self: Pin<&mut Self>, cx: run::SpawnCx<'_>) -> Spawned {
        let mut slot = self.project().slot;
        match slot.as_mut().take() {
            Some(future) => slot.start(future, cx),
            None => cx.spawn_end(TaskEnd::internal("job started twice")),
        }
    }
    fn poll_local(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<TaskEnd> {
        self.project().slot.poll_end(cx)
    }
    fn stop_local(self: Pin<&mut Self>) -> bool {
        self.project().slot.stop()
    }
}

/// A custom job; its future, whose type cannot be named, is boxed in single-task mode.
struct JobNode<J>(J);

// The job itself is never pinned: only the futures it makes are.
impl<J> Unpin for JobNode<J> {}

impl<J: Job> Node for JobNode<J> {
    fn kind(&self) -> NodeKind {
        NodeKind::Custom
    }
    fn spawn(self: Pin<&mut Self>, cx: run::SpawnCx<'_>) -> Spawned {
        cx.spawn(self.get_mut().0.run())
    }
    fn shutdown(
        self: Pin<&mut Self>,
    ) -> Option<futures_util::future::BoxFuture<'static, Result<(), BoxError>>> {
        let job = &mut self.get_mut().0;
        if job.has_shutdown() {
            Some(Box::pin(job.shutdown()))
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

pin_project! {
    /// A job built when it starts, from clones of its inputs' outputs.
    pub(crate) struct InputNode<I, F, Fut> {
        inputs: I,
        #[pin]
        slot: Slot<F, Fut>,
    }
}

impl<I, F, Fut> InputNode<I, F, Fut> {
    pub(crate) fn new(inputs: I, make: F) -> Self {
        InputNode {
            inputs,
            slot: Slot::Idle { make },
        }
    }
}

impl<I, F, Fut, T, E> Node for InputNode<I, F, Fut>
where
    I: crate::scheduler::Inputs,
    F: FnOnce(I::Values) -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + Sync + 'static,
    E: Into<BoxError> + 'static,
{
    fn spawn(self: Pin<&mut Self>, cx: run::SpawnCx<'_>) -> Spawned {
        let this = self.project();
        let values = this.inputs.fetch(cx.results());
        let mut slot = this.slot;
        match (slot.as_mut().take(), values) {
            (Some(make), Some(values)) => {
                let future = make(values);
                slot.start(future, cx)
            }
            (None, _) => cx.spawn_end(TaskEnd::internal("job started twice")),
            (_, None) => cx.spawn_end(TaskEnd::internal("an input of the job has no value")),
        }
    }
    fn poll_local(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<TaskEnd> {
        self.project().slot.poll_end(cx)
    }
    fn stop_local(self: Pin<&mut Self>) -> bool {
        self.project().slot.stop()
    }
}

/// A job whose future, made when it starts, need not be `Send`: single-task mode only.
/// The future cannot live in the node (a node is `Send`): the run future boxes it.
pub(crate) struct LocalNode<F>(pub(crate) Option<F>);

// `make` is never pinned.
impl<F> Unpin for LocalNode<F> {}

impl<F, Fut, T, E> Node for LocalNode<F>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, E>> + 'static,
    T: Send + Sync + 'static,
    E: Into<BoxError> + 'static,
{
    fn spawn(self: Pin<&mut Self>, cx: run::SpawnCx<'_>) -> Spawned {
        match self.get_mut().0.take() {
            Some(make) => cx.spawn_local(make()),
            None => cx.spawn_end(TaskEnd::internal("job started twice")),
        }
    }
    fn kind(&self) -> NodeKind {
        NodeKind::Local
    }
}

/// What is left of a job removed by graph surgery; never started.
pub(crate) struct Removed;

impl Node for Removed {
    fn spawn(self: Pin<&mut Self>, cx: run::SpawnCx<'_>) -> Spawned {
        cx.spawn_end(TaskEnd::internal("a removed job was started"))
    }
}
