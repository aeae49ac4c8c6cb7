//! What a job is: the [`Job`] trait for custom job types, and [`IntoJob`], which
//! turns futures, custom jobs and nested schedulers into jobs of a scheduler.

use std::any::Any;
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
    fn into_node(self) -> Box<dyn Node>;
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
    fn into_node(self) -> Box<dyn Node> {
        Box::new(FutureNode(Some(self)))
    }
}

impl<J: Job> IntoJob<JobMarker> for J {
    type Output = J::Output;
    fn into_node(self) -> Box<dyn Node> {
        Box::new(JobNode(self))
    }
}

impl IntoJob<SchedulerMarker> for Scheduler {
    type Output = crate::Outcome;
    fn into_node(self) -> Box<dyn Node> {
        Box::new(run::NestedNode::new(self))
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
    fn into_node(self) -> Box<dyn Node> {
        Box::new(FutureNode(Some(futures_util::FutureExt::map(
            self.0,
            Ok::<F::Output, BoxError>,
        ))))
    }
}

/// The type-erased job as the scheduler holds it.
#[doc(hidden)]
pub trait Node: Send + 'static {
    /// Spawns the job's task. `inputs` gives access to the outputs of the jobs it consumes.
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
    /// Takes the nested scheduler out, if this node is one that never ran.
    fn take_nested(&mut self) -> Option<Scheduler> {
        None
    }
    /// Whether the job's future is not `Send`, so that it runs only in single-task mode.
    fn is_local(&self) -> bool {
        false
    }
}

pub(crate) fn boxed<T: Send + Sync + 'static>(value: T) -> Box<dyn Any + Send + Sync> {
    Box::new(value)
}

struct FutureNode<F>(Option<F>);

impl<F, T, E> Node for FutureNode<F>
where
    F: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + Sync + 'static,
    E: Into<BoxError> + 'static,
{
    fn spawn(&mut self, cx: run::SpawnCx<'_>) -> Spawned {
        match self.0.take() {
            Some(future) => cx.spawn(future),
            None => cx.spawn_end(TaskEnd::internal("job started twice")),
        }
    }
}

struct JobNode<J>(J);

impl<J: Job> Node for JobNode<J> {
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

/// A job built when it starts, from clones of its inputs' outputs.
pub(crate) struct InputNode<I, F> {
    pub(crate) inputs: I,
    pub(crate) make: Option<F>,
}

impl<I, F, Fut, T, E> Node for InputNode<I, F>
where
    I: crate::scheduler::Inputs,
    F: FnOnce(I::Values) -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + Sync + 'static,
    E: Into<BoxError> + 'static,
{
    fn spawn(&mut self, cx: run::SpawnCx<'_>) -> Spawned {
        let values = self.inputs.fetch(cx.results());
        match (self.make.take(), values) {
            (Some(make), Some(values)) => cx.spawn(make(values)),
            (None, _) => cx.spawn_end(TaskEnd::internal("job started twice")),
            (_, None) => cx.spawn_end(TaskEnd::internal("an input of the job has no value")),
        }
    }
}

/// A job whose future, made when it starts, need not be `Send`: single-task mode only.
pub(crate) struct LocalNode<F>(pub(crate) Option<F>);

impl<F, Fut, T, E> Node for LocalNode<F>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, E>> + 'static,
    T: Send + Sync + 'static,
    E: Into<BoxError> + 'static,
{
    fn spawn(&mut self, cx: run::SpawnCx<'_>) -> Spawned {
        match self.0.take() {
            Some(make) => cx.spawn_local(make()),
            None => cx.spawn_end(TaskEnd::internal("job started twice")),
        }
    }
    fn is_local(&self) -> bool {
        true
    }
}

/// What is left of a job removed by graph surgery; never started.
pub(crate) struct Removed;

impl Node for Removed {
    fn spawn(&mut self, cx: run::SpawnCx<'_>) -> Spawned {
        cx.spawn_end(TaskEnd::internal("a removed job was started"))
    }
}
