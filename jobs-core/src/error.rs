//! Errors: what a job's failure is, why a run failed, and what is wrong with a graph.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The error type a job may fail with: any `E: Into<BoxError>` converts into it,
/// so `?` on `std::io::Error`, `String` or `anyhow::Error` works in job bodies.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Why a job did not produce a value.
///
/// Cheap to clone (an `Arc` inside), so the same error can sit both in the
/// outcome and in the [`Failure`] that names it.
#[derive(Clone)]
pub struct JobError {
    kind: Arc<JobErrorKind>,
}

/// The kinds of [`JobError`].
#[derive(Debug)]
#[non_exhaustive]
pub enum JobErrorKind {
    /// The job returned an error.
    Error(BoxError),
    /// The job panicked; the payload's message if it was a string.
    Panic(String),
    /// A job that consumes the output of `input` could not run because `input` did not
    /// produce a value.
    Skipped {
        /// The label of the input that failed, was skipped or was cancelled.
        input: String,
    },
    /// A nested scheduler failed.
    Nested(Reason),
}

impl JobError {
    pub(crate) fn new(kind: JobErrorKind) -> Self {
        JobError {
            kind: Arc::new(kind),
        }
    }

    pub(crate) fn from_panic(payload: Box<dyn std::any::Any + Send>) -> Self {
        let message = match payload.downcast::<String>() {
            Ok(s) => *s,
            Err(payload) => match payload.downcast::<&'static str>() {
                Ok(s) => (*s).to_owned(),
                Err(_) => "Box<dyn Any>".to_owned(),
            },
        };
        JobError::new(JobErrorKind::Panic(message))
    }

    /// What kind of error this is.
    pub fn kind(&self) -> &JobErrorKind {
        &self.kind
    }

    /// Whether the job panicked.
    pub fn is_panic(&self) -> bool {
        matches!(*self.kind, JobErrorKind::Panic(_))
    }

    /// The error the job returned, if it returned one (not for panics or skips).
    pub fn as_error(&self) -> Option<&(dyn StdError + Send + Sync + 'static)> {
        match &*self.kind {
            JobErrorKind::Error(e) => Some(&**e),
            _ => None,
        }
    }

    /// Attempts to downcast the returned error to a concrete type.
    pub fn downcast_ref<E: StdError + 'static>(&self) -> Option<&E> {
        self.as_error()?.downcast_ref::<E>()
    }
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.kind {
            JobErrorKind::Error(e) => fmt::Display::fmt(e, f),
            JobErrorKind::Panic(msg) => write!(f, "panicked: {msg}"),
            JobErrorKind::Skipped { input } => {
                write!(f, "skipped: its input `{input}` produced no value")
            }
            JobErrorKind::Nested(reason) => write!(f, "nested scheduler failed: {reason}"),
        }
    }
}

impl fmt::Debug for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.kind, f)
    }
}

impl StdError for JobError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &*self.kind {
            JobErrorKind::Error(e) => Some(&**e),
            JobErrorKind::Nested(reason) => reason.source(),
            _ => None,
        }
    }
}

/// Why a run ended in failure.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Reason {
    /// The scheduler's `timeout` expired before all its finite jobs were done.
    Timeout(Duration),
    /// A critical job failed (error, panic, or skipped for lack of an input).
    Critical {
        /// The failed job's label.
        job: String,
        /// What went wrong.
        error: JobError,
    },
    /// The workflow was invalid and nothing ran.
    Invalid(GraphError),
    /// `run` was called outside of a tokio runtime.
    NoRuntime,
    /// The scheduler was cancelled by its parent (a nested scheduler only).
    Cancelled,
}

impl Reason {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Reason::Critical { error, .. } => Some(error),
            Reason::Invalid(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Timeout(d) => write!(f, "timed out after {d:?}"),
            Reason::Critical { job, error } => write!(f, "critical job `{job}` failed: {error}"),
            Reason::Invalid(e) => write!(f, "invalid workflow: {e}"),
            Reason::NoRuntime => f.write_str("`run` must be called from within a tokio runtime"),
            Reason::Cancelled => f.write_str("cancelled"),
        }
    }
}

/// A failed run: why it failed, and everything that happened anyway.
///
/// `O` is the outcome: the dynamic [`Outcome`](crate::Outcome) for a
/// [`Scheduler`](crate::Scheduler), or the typed partial outcome of a `workflow!`.
/// Results of the jobs that finished are never lost.
pub struct Failure<O = crate::Outcome> {
    /// Why the run failed.
    pub reason: Reason,
    /// The state and result of every job.
    pub outcome: O,
}

impl<O> Failure<O> {
    /// Converts the outcome, keeping the reason.
    pub fn map_outcome<P>(self, f: impl FnOnce(O) -> P) -> Failure<P> {
        Failure {
            reason: self.reason,
            outcome: f(self.outcome),
        }
    }

    /// Whether the run failed because its timeout expired.
    pub fn is_timeout(&self) -> bool {
        matches!(self.reason, Reason::Timeout(_))
    }

    /// The label and error of the critical job that failed, if that is why the run failed.
    pub fn critical_job(&self) -> Option<(&str, &JobError)> {
        match &self.reason {
            Reason::Critical { job, error } => Some((job, error)),
            _ => None,
        }
    }
}

impl<O> fmt::Display for Failure<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.reason, f)
    }
}

impl<O: fmt::Debug> fmt::Debug for Failure<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Failure")
            .field("reason", &self.reason)
            .field("outcome", &self.outcome)
            .finish()
    }
}

impl<O: fmt::Debug> StdError for Failure<O> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.reason.source()
    }
}

/// What makes a dynamically built workflow invalid. Found before anything runs.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GraphError {
    /// The requirements form a cycle; the labels along it, the first repeated at the end.
    Cycle(Vec<String>),
    /// A job requires a job of another scheduler (require that scheduler instead).
    CrossScheduler {
        /// The job that has the requirement.
        job: String,
    },
    /// A finite job requires a forever job, so it could never start.
    RequiresForever {
        /// The finite job.
        job: String,
        /// The forever job it requires.
        forever: String,
    },
    /// `window` was set to 0.
    ZeroWindow,
    /// A job whose future is not `Send` ([`Scheduler::add_local`](crate::Scheduler::add_local))
    /// in a scheduler run with `run`; such jobs need `run_local`.
    LocalJob {
        /// The local job.
        job: String,
    },
    /// The job is not (or no longer) in this scheduler.
    NotInScheduler,
    /// A job requires a job that graph surgery removed.
    RequiresRemoved {
        /// The job that has the requirement.
        job: String,
    },
    /// Graph surgery would remove a job whose output another job consumes.
    InputRemoved {
        /// The consumer.
        job: String,
        /// The job it consumes, which would be removed.
        input: String,
    },
    /// The scheduler holds more jobs than a run can index (2³¹).
    TooManyJobs {
        /// How many jobs it holds.
        jobs: usize,
    },
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphError::Cycle(path) => {
                f.write_str("cyclic requirement: ")?;
                for (i, label) in path.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" -> ")?;
                    }
                    write!(f, "`{label}`")?;
                }
                Ok(())
            }
            GraphError::CrossScheduler { job } => write!(
                f,
                "job `{job}` requires a job of another scheduler; require that scheduler instead"
            ),
            GraphError::RequiresForever { job, forever } => write!(
                f,
                "finite job `{job}` requires forever job `{forever}`, so it could never start"
            ),
            GraphError::ZeroWindow => f.write_str("`window` must be at least 1"),
            GraphError::TooManyJobs { jobs } => write!(
                f,
                "the scheduler holds {jobs} jobs; a scheduler runs at most 2^31 jobs"
            ),
            GraphError::LocalJob { job } => write!(
                f,
                "job `{job}` is local (its future is not `Send`): run the scheduler with `run_local`"
            ),
            GraphError::NotInScheduler => f.write_str("the job is not in this scheduler"),
            GraphError::RequiresRemoved { job } => {
                write!(f, "job `{job}` requires a job that was removed")
            }
            GraphError::InputRemoved { job, input } => write!(
                f,
                "cannot remove `{input}`: job `{job}` consumes its output"
            ),
        }
    }
}

impl StdError for GraphError {}
