//! Dependency-driven async workflows on tokio.
//!
//! A workflow is a set of named jobs with requirements between them: a job starts as
//! soon as the jobs it requires are done. Jobs are **critical** by default (a failure
//! aborts the run) or **non-critical** (a failure is recorded, the run goes on);
//! **forever** jobs are not waited for and are cancelled when the finite ones are done.
//! A scheduler has a **window** (at most so many jobs at once), a **timeout** for the
//! whole run, and nests: a scheduler is one job of its parent.
//!
//! Write a workflow inline with [`workflow!`], which checks the graph at compile time
//! and gives typed results per job, or build one at run time with [`Scheduler`]:
//!
//! ```
//! use jobs_core::Scheduler;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut s = Scheduler::new().with_window(4);
//! let mut pages = Vec::new();
//! for n in 0..10 {
//!     pages.push(s.add(async move { Ok::<_, std::io::Error>(n * 10) }).id());
//! }
//! let total = s.add_with(pages, |pages| async move {
//!     Ok::<_, std::io::Error>(pages.iter().sum::<i32>())
//! }).id();
//! let outcome = s.run().await?;
//! assert_eq!(outcome.value(total), Some(&450));
//! # Ok(()) }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

mod display;
mod dot;
mod error;
mod events;
mod graph;
mod job;
mod outcome;
mod run;
mod scheduler;
mod surgery;

pub use display::Listing;
pub use error::{BoxError, Failure, GraphError, JobError, JobErrorKind, Reason};
pub use events::{Event, Events, Live};
pub use job::{Infallible, IntoJob, Job, infallible};
pub use outcome::{Counts, JobReport, Outcome, ShutdownStatus, State, Status};
pub use scheduler::{
    DEFAULT_SHUTDOWN_TIMEOUT, Inputs, JobId, JobMut, JobRef, Requirement, Scheduler, Sequence,
    SequenceMut,
};
pub use surgery::JobEntry;

// Not public API: used by the code `workflow!` generates.
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

#[doc(hidden)]
pub use job::Nodes;

/// Declares a workflow inline: named jobs, their requirements, inputs and flags, nested
/// sequences and schedulers. The graph is checked at compile time, and the workflow
/// runs with typed results per job.
///
/// ```text
/// workflow! { BODY }
///
/// BODY      := SETTING* ITEM*
/// SETTING   := ("label" | "window" | "timeout" | "shutdown_timeout") "=" EXPR ";"
///            | "clone" "(" NAME ("," NAME)* ","? ")" ";"
/// ITEM      := JOB | SEQUENCE | SCHEDULER
/// JOB       := DOC* MODIFIER* "job" NAME INPUTS? REQUIRES? JOB_BODY
/// MODIFIER  := "critical" | "noncritical" | "forever"
/// INPUTS    := "(" NAME ("," NAME)* ","? ")"            -- upstream outputs, by name
/// REQUIRES  := "requires" "(" NAME ("," NAME)* ","? ")" -- ordering only
/// JOB_BODY  := "=" EXPR ";"                             -- a future, a job, a Scheduler
///            | BLOCK                                    -- the body of an async block
/// SEQUENCE  := "sequence" NAME? REQUIRES? "{" ITEM* "}"
/// SCHEDULER := DOC* MODIFIER* "scheduler" NAME? REQUIRES? "{" SETTING* ITEM* "}"
/// ```
///
/// - A job's name is its label, its field in the typed outcome, and what other jobs
///   name in `requires(...)` and inputs. Doc comments become its details.
/// - Jobs are critical by default: a failure aborts the run. `noncritical` jobs only
///   record their failure; jobs that merely require them still run, jobs that consume
///   their output are skipped. `forever` jobs are not waited for, and are cancelled
///   once the finite jobs are done.
/// - `job total(a, b) { a + b }` runs after `a` and `b` with clones of their outputs,
///   each of its own type; its body is evaluated when the job starts. A `= EXPR` body
///   is evaluated when the workflow is built.
/// - A body yields a plain value, or a `Result<T, E>` with any
///   `E: Into<BoxError>`, so `?` works in block bodies. A panic is a failure of the job.
/// - `clone(bus, log);` gives every job body that mentions `bus` or `log` its own clone.
/// - A `sequence` chains its items; requiring it means requiring its last item. A
///   `scheduler` block is a nested scheduler, one job of its parent with its own
///   settings; its jobs cannot be required from outside (require the scheduler).
///
/// The macro reports unknown names (with a suggestion), names defined twice, jobs
/// requiring themselves, cycles (one error per edge, with the path), requirements
/// across scheduler boundaries, finite jobs requiring forever jobs, conflicting
/// modifiers, unknown or repeated settings and `window = 0`, each at the offending
/// token, all at once.
///
/// `run()` consumes the workflow and returns the typed outcome, with one field per
/// named job and nested scheduler: the value for critical finite jobs, a
/// [`Status`] for the others. A failure is a [`Failure`] whose `outcome` has a
/// [`Status`] for every job.
///
/// ```
/// use jobs_core::workflow;
/// use std::time::Duration;
///
/// async fn fetch(url: String) -> Result<String, std::io::Error> {
///     Ok(format!("<html>{url}</html>"))
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
/// let url = String::from("example.org");
/// let flow = workflow! {
///     timeout = Duration::from_secs(5);
///     clone(url);
///
///     /// Downloads the page.
///     job page = fetch(url);
///     job words(page) { page.split_whitespace().count() }
///     noncritical job notify requires(words) { println!("done") }
/// };
/// let outcome = flow.run().await?;
/// assert_eq!(outcome.words, 1);
/// assert!(outcome.notify.is_done());
/// # Ok(()) }
/// ```
#[cfg(feature = "macros")]
#[macro_export]
macro_rules! workflow {
    ($($tokens:tt)*) => {
        $crate::__private::workflow_impl! { $crate; $($tokens)* }
    };
}
