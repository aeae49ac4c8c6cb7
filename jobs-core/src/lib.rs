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

pub use display::Listing;
pub use error::{BoxError, Failure, GraphError, JobError, JobErrorKind, Reason};
pub use events::{Event, Events};
pub use job::{Infallible, IntoJob, Job, infallible};
pub use outcome::{Counts, JobReport, Outcome, ShutdownStatus, State, Status};
pub use scheduler::{
    DEFAULT_SHUTDOWN_TIMEOUT, Inputs, JobId, JobMut, JobRef, Requirement, Scheduler, Sequence,
    SequenceMut,
};

// Not public API: used by the code `workflow!` generates.
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

#[doc(hidden)]
pub use job::Node;
