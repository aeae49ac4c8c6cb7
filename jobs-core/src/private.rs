//! Items used by the code `workflow!` generates. Not public API: no stability promise.

use std::future::Future;
use std::pin::Pin;

pub use crate::error::{BoxError, Failure, Reason};
pub use crate::events::Events;
pub use crate::outcome::{Outcome, Status};
pub use crate::scheduler::{JobRef, Scheduler};
pub use core;
#[cfg(feature = "macros")]
pub use jobs_macros::workflow_impl;

/// Classifies the value of a `job name = EXPR;` body by autoref specialization: a
/// future yielding `Result<T, E>`, a future yielding a plain value, or anything else
/// (which must then be a job: a custom `Job` or a nested `Scheduler`).
///
/// Generated code calls `(&&&Kind(&value)).__jobs_kind().into_job(value)`.
pub struct Kind<T>(pub T);

/// Classifies the future of a job body, which yields `Result<V, BoxError>`: when `V`
/// is itself a `Result<T, E>`, the job's value is `T` and `E` its error; otherwise
/// its value is `V`.
///
/// Generated code calls `(&&Lift(&future)).__jobs_lift().lift(future)`, with one async
/// block per job body: the lifting happens here, in code compiled once.
pub struct Lift<T>(pub T);

/// The traits that give `Kind` and `Lift` their methods; generated code imports them all.
pub mod kinds {
    use super::*;

    /// Selected for futures yielding `Result<T, E>`.
    pub trait TryFutureKind {
        /// The tag that converts the value.
        fn __jobs_kind(&self) -> TryFutureTag {
            TryFutureTag
        }
    }
    impl<F, T, E> TryFutureKind for &&Kind<&F>
    where
        F: Future<Output = Result<T, E>>,
        E: Into<BoxError>,
    {
    }

    /// Selected for other futures.
    pub trait PlainFutureKind {
        /// The tag that converts the value.
        fn __jobs_kind(&self) -> PlainFutureTag {
            PlainFutureTag
        }
    }
    impl<F: Future> PlainFutureKind for &Kind<&F> {}

    /// Selected for anything else.
    pub trait OtherKind {
        /// The tag that converts the value.
        fn __jobs_kind(&self) -> OtherTag {
            OtherTag
        }
    }
    impl<X> OtherKind for Kind<&X> {}

    /// Selected for bodies whose value is a `Result<T, E>`.
    pub trait ResultLift {
        /// The tag that converts the future.
        fn __jobs_lift(&self) -> ResultTag {
            ResultTag
        }
    }
    impl<F, T, E> ResultLift for &Lift<&F>
    where
        F: Future<Output = Result<Result<T, E>, BoxError>>,
        E: Into<BoxError>,
    {
    }

    /// Selected for bodies with a plain value.
    pub trait ValueLift {
        /// The tag that converts the future.
        fn __jobs_lift(&self) -> ValueTag {
            ValueTag
        }
    }
    impl<F> ValueLift for Lift<&F> {}
}

/// See [`Kind`].
pub struct TryFutureTag;
impl TryFutureTag {
    /// The future as a fallible job, boxed (see [`BoxJob`]).
    pub fn into_job<F, T, E>(self, future: F) -> BoxJob<T>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        Box::pin(async move { future.await.map_err(Into::into) })
    }
}

/// See [`Kind`].
pub struct PlainFutureTag;
impl PlainFutureTag {
    /// The future as an infallible job, boxed (see [`BoxJob`]).
    pub fn into_job<F>(self, future: F) -> BoxJob<F::Output>
    where
        F: Future + Send + 'static,
    {
        Box::pin(async move { Ok(future.await) })
    }
}

/// See [`Kind`].
pub struct OtherTag;
impl OtherTag {
    /// The value as it is; `Scheduler::add` requires it to be a job.
    pub fn into_job<X>(self, value: X) -> X {
        value
    }
}

/// See [`Lift`].
pub struct ResultTag;
impl ResultTag {
    /// A job whose value is the body's `Ok`, and whose error is the body's `Err`.
    pub fn lift<F, T, E>(self, future: F) -> BoxJob<T>
    where
        F: Future<Output = Result<Result<T, E>, BoxError>> + Send + 'static,
        E: Into<BoxError>,
    {
        Box::pin(async move { future.await?.map_err(Into::into) })
    }
}

/// See [`Lift`].
pub struct ValueTag;
impl ValueTag {
    /// A job whose value is the body's.
    pub fn lift<F, V>(self, future: F) -> BoxJob<V>
    where
        F: Future<Output = Result<V, BoxError>> + Send + 'static,
    {
        Box::pin(future)
    }
}

/// Takes a job's result out of an outcome.
pub fn take<T: 'static>(outcome: &mut Outcome, job: JobRef<T>) -> Status<T> {
    outcome.take(job).unwrap_or(Status::Idle)
}

/// The outcome of a nested scheduler, left in place (so that the whole outcome still
/// lists it) for its jobs' values to be taken.
pub fn take_nested(outcome: &mut Outcome, job: JobRef<Outcome>) -> Status<&mut Outcome> {
    outcome.nested_status(job).unwrap_or(Status::Idle)
}

/// The value of a critical finite job after a successful run, which the runtime
/// guarantees is done.
#[track_caller]
pub fn expect_done<T>(status: Status<T>) -> T {
    match status {
        Status::Done(value) => value,
        other => panic!(
            "jobs-core bug: a critical job is {} after a successful run",
            other.state()
        ),
    }
}

/// What `workflow!` expands to when its input does not parse, next to the errors, so
/// that the code around it does not add errors of its own.
pub struct Placeholder;

impl Placeholder {
    /// Never completes; the program does not compile anyway.
    pub async fn run(self) -> Result<Placeholder, Failure<Placeholder>> {
        std::future::pending().await
    }

    /// An empty scheduler.
    pub fn into_scheduler(self) -> Scheduler {
        Scheduler::new()
    }
}

impl std::fmt::Debug for Placeholder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Placeholder")
    }
}

/// A job's future with its type erased. Generated code boxes every job body, so that a
/// workflow of many jobs instantiates the runtime's task machinery once per output
/// type rather than once per job: this keeps large workflows quick to compile.
pub type BoxJob<T> = Pin<Box<dyn Future<Output = Result<T, BoxError>> + Send + 'static>>;

/// Boxes a job body (a future yielding `Result<T, BoxError>`).
pub fn boxed<T, F>(future: F) -> BoxJob<T>
where
    F: Future<Output = Result<T, BoxError>> + Send + 'static,
{
    Box::pin(future)
}
