//! What a run leaves behind: every job's state, value or error, and shutdown report.

use std::any::Any;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crate::error::{JobError, Reason};
use crate::graph::{self, Lists};
use crate::scheduler::{Edge, JobId, JobRef, Labels, Meta, Scheduler, ShowFn};

/// The state of a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Its requirements were not all done.
    Idle,
    /// Ready, waiting for a window slot.
    Scheduled,
    /// Started and not finished.
    Running,
    /// Finished with a value.
    Done,
    /// Finished with an error or a panic.
    Failed,
    /// Stopped before it finished: a forever job at the end of the run, or any job when
    /// the run was aborted or timed out.
    Cancelled,
    /// Not run because one of the jobs whose output it consumes produced no value.
    Skipped,
}

impl State {
    /// Whether the job finished, with a value or an error.
    pub fn is_finished(self) -> bool {
        matches!(self, State::Done | State::Failed)
    }

    /// Lowercase name of the state.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Idle => "idle",
            State::Scheduled => "scheduled",
            State::Running => "running",
            State::Done => "done",
            State::Failed => "failed",
            State::Cancelled => "cancelled",
            State::Skipped => "skipped",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A job's result, with its own type.
#[derive(Clone, Debug)]
pub enum Status<T> {
    /// The job finished with this value.
    Done(T),
    /// The job failed (error, panic, or a critical job skipped).
    Failed(JobError),
    /// The job was stopped before it finished.
    Cancelled,
    /// The job did not run: an input it consumes produced no value.
    Skipped,
    /// The job never became ready.
    Idle,
}

impl<T> Status<T> {
    /// The value, if the job is done.
    pub fn ok(self) -> Option<T> {
        match self {
            Status::Done(v) => Some(v),
            _ => None,
        }
    }

    /// The value as a `Result`; anything but `Done` becomes an error describing it.
    pub fn into_result(self) -> Result<T, JobError> {
        match self {
            Status::Done(v) => Ok(v),
            Status::Failed(e) => Err(e),
            other => Err(JobError::new(crate::error::JobErrorKind::Error(
                format!("job {}", other.state()).into(),
            ))),
        }
    }

    /// Borrows the value.
    pub fn as_ref(&self) -> Status<&T> {
        match self {
            Status::Done(v) => Status::Done(v),
            Status::Failed(e) => Status::Failed(e.clone()),
            Status::Cancelled => Status::Cancelled,
            Status::Skipped => Status::Skipped,
            Status::Idle => Status::Idle,
        }
    }

    /// Maps the value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Status<U> {
        match self {
            Status::Done(v) => Status::Done(f(v)),
            Status::Failed(e) => Status::Failed(e),
            Status::Cancelled => Status::Cancelled,
            Status::Skipped => Status::Skipped,
            Status::Idle => Status::Idle,
        }
    }

    /// Whether the job finished with a value.
    pub fn is_done(&self) -> bool {
        matches!(self, Status::Done(_))
    }

    /// The error, if the job failed.
    pub fn error(&self) -> Option<&JobError> {
        match self {
            Status::Failed(e) => Some(e),
            _ => None,
        }
    }

    /// The job's final state.
    pub fn state(&self) -> State {
        match self {
            Status::Done(_) => State::Done,
            Status::Failed(_) => State::Failed,
            Status::Cancelled => State::Cancelled,
            Status::Skipped => State::Skipped,
            Status::Idle => State::Idle,
        }
    }
}

/// How a job's shutdown hook ended.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ShutdownStatus {
    /// It returned `Ok`.
    Ok,
    /// It returned an error or panicked.
    Failed(JobError),
    /// It was still running when `shutdown_timeout` expired, and was cancelled.
    TimedOut,
}

pub(crate) type Value = Box<dyn Any + Send + Sync>;

/// The end of one job: a view into its [`Outcome`].
#[derive(Clone, Copy)]
pub struct JobReport<'a> {
    outcome: &'a Outcome,
    index: usize,
}

impl<'a> JobReport<'a> {
    /// The job's label: the one it was given, or a default (`job-3`, `scheduler-4`).
    pub fn label(&self) -> Cow<'a, str> {
        self.outcome.label_of(self.index)
    }

    /// The job's position in its scheduler, in declaration order from 0.
    pub fn index(&self) -> usize {
        self.index
    }

    pub(crate) fn is_removed(&self) -> bool {
        self.outcome.0.meta[self.index].removed
    }

    /// Whether the job is a nested scheduler.
    pub fn is_scheduler(&self) -> bool {
        self.outcome.0.meta[self.index].nested
    }

    /// The job's details, if any.
    pub fn details(&self) -> Option<&'a str> {
        self.outcome
            .0
            .details
            .get(&(self.index as u32))
            .map(String::as_str)
    }

    /// Whether the job is critical.
    pub fn is_critical(&self) -> bool {
        self.outcome.0.meta[self.index].critical
    }

    /// Whether the job is a forever job.
    pub fn is_forever(&self) -> bool {
        self.outcome.0.meta[self.index].forever
    }

    /// The job's final state.
    pub fn state(&self) -> State {
        self.outcome.0.states[self.index]
    }

    /// The error, if the job failed or was skipped.
    pub fn error(&self) -> Option<&'a JobError> {
        self.outcome.0.errors.get(&(self.index as u32))
    }

    /// The value, type-erased; use [`Outcome::value`] for a typed view.
    pub fn value_any(&self) -> Option<&'a (dyn Any + Send + Sync)> {
        self.outcome.0.values.get(self.index)?.as_deref()
    }

    /// The outcome of the nested scheduler, if this job is one.
    pub fn nested(&self) -> Option<&'a Outcome> {
        self.outcome
            .0
            .nested
            .get(&(self.index as u32))
            .map(|o| &**o)
    }

    /// The positions (in this scheduler) of the jobs this job requires, ascending.
    pub fn requires(&self) -> impl Iterator<Item = usize> + 'a {
        self.outcome
            .0
            .requires
            .of(self.index)
            .iter()
            .map(|e| e.index() as usize)
    }

    /// The positions of the jobs whose outputs this job consumes.
    pub fn inputs(&self) -> impl Iterator<Item = usize> + 'a {
        self.outcome
            .0
            .requires
            .of(self.index)
            .iter()
            .filter(|e| e.consumes())
            .map(|e| e.index() as usize)
    }

    /// How the job's shutdown hook ended, if it has one.
    pub fn shutdown(&self) -> Option<&'a ShutdownStatus> {
        self.outcome.0.shutdown.get(&(self.index as u32))
    }

    pub(crate) fn show(&self) -> Option<ShowFn> {
        self.outcome.0.show.get(&(self.index as u32)).copied()
    }

    pub(crate) fn edges(&self) -> &'a [Edge] {
        self.outcome.0.requires.of(self.index)
    }
}

/// How many jobs ended in each state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Finished with a value.
    pub done: usize,
    /// Finished with an error or a panic.
    pub failed: usize,
    /// Stopped before finishing.
    pub cancelled: usize,
    /// Not run for lack of an input.
    pub skipped: usize,
    /// Never became ready.
    pub idle: usize,
    /// Waiting for a window slot (only while running).
    pub scheduled: usize,
    /// Running (only while running).
    pub running: usize,
}

impl Counts {
    /// The total number of jobs.
    pub fn total(&self) -> usize {
        self.done
            + self.failed
            + self.cancelled
            + self.skipped
            + self.idle
            + self.scheduled
            + self.running
    }

    pub(crate) fn add(&mut self, state: State) {
        match state {
            State::Idle => self.idle += 1,
            State::Scheduled => self.scheduled += 1,
            State::Running => self.running += 1,
            State::Done => self.done += 1,
            State::Failed => self.failed += 1,
            State::Cancelled => self.cancelled += 1,
            State::Skipped => self.skipped += 1,
        }
    }
}

/// The result of a run: each job's state and value or error, in declaration order.
///
/// Typed access goes through the [`JobRef`] handles returned when the jobs were added,
/// including handles of jobs of nested schedulers.
pub struct Outcome(pub(crate) Box<OutcomeData>);

/// Boxed, so that a `Result<_, Failure>` stays small.
pub(crate) struct OutcomeData {
    pub(crate) uid: u64,
    pub(crate) label: Option<String>,
    pub(crate) reason: Option<Reason>,
    pub(crate) elapsed: Duration,
    pub(crate) meta: Vec<Meta>,
    pub(crate) labels: Labels,
    pub(crate) requires: Lists<Edge>,
    pub(crate) states: Vec<State>,
    pub(crate) values: Vec<Option<Value>>,
    pub(crate) errors: BTreeMap<u32, JobError>,
    pub(crate) nested: BTreeMap<u32, Box<Outcome>>,
    pub(crate) shutdown: BTreeMap<u32, ShutdownStatus>,
    pub(crate) details: BTreeMap<u32, String>,
    pub(crate) show: BTreeMap<u32, ShowFn>,
}

impl Outcome {
    /// The outcome of a scheduler that never ran: every job idle.
    pub(crate) fn idle(mut s: Scheduler, reason: Option<Reason>) -> Outcome {
        let n = s.nodes.len();
        let requires = graph::requirements(n, &mut s.links);
        let nested = (0..n)
            .filter(|&i| s.meta[i].nested)
            .filter_map(|i| {
                let nested = s.nodes.take_nested(i)?;
                Some((i as u32, Box::new(Outcome::idle(nested, None))))
            })
            .collect();
        Outcome(Box::new(OutcomeData {
            uid: s.uid,
            label: s.label,
            reason,
            elapsed: Duration::ZERO,
            meta: s.meta,
            labels: s.labels,
            requires,
            states: vec![State::Idle; n],
            values: Vec::new(),
            errors: BTreeMap::new(),
            nested,
            shutdown: BTreeMap::new(),
            details: s.details,
            show: s.show,
        }))
    }

    fn label_of(&self, i: usize) -> Cow<'_, str> {
        if let Some(label) = self.0.labels.get(i) {
            return Cow::Borrowed(label);
        }
        match self.0.nested.get(&(i as u32)) {
            Some(nested) if nested.0.label.is_some() => {
                Cow::Borrowed(nested.0.label.as_deref().unwrap_or_default())
            }
            _ if self.0.meta.get(i).is_some_and(|m| m.nested) => {
                Cow::Owned(format!("scheduler-{}", i + 1))
            }
            _ => Cow::Owned(format!("job-{}", i + 1)),
        }
    }

    /// The outcome at `path`: this one for an empty path, else a nested one.
    pub(crate) fn nested_at(&mut self, path: &[usize]) -> Option<&mut Outcome> {
        match path.split_first() {
            None => Some(self),
            Some((&first, rest)) => self.0.nested.get_mut(&(first as u32))?.nested_at(rest),
        }
    }

    /// The scheduler's label.
    pub fn label(&self) -> Option<&str> {
        self.0.label.as_deref()
    }

    /// Whether the run succeeded.
    pub fn is_success(&self) -> bool {
        self.0.reason.is_none()
    }

    /// Why the run failed, if it did.
    pub fn reason(&self) -> Option<&Reason> {
        self.0.reason.as_ref()
    }

    /// `"FINE"`, or why the run failed, in words.
    pub fn why(&self) -> String {
        match &self.0.reason {
            None => "FINE".to_owned(),
            Some(Reason::Timeout(d)) => format!("TIMED OUT after {d:?}"),
            Some(Reason::Critical { job, error }) => {
                format!("a CRITICAL job has failed: `{job}`: {error}")
            }
            Some(other) => other.to_string(),
        }
    }

    /// How long the run took (without the shutdown hooks).
    pub fn elapsed(&self) -> Duration {
        self.0.elapsed
    }

    /// The number of jobs of this scheduler (a nested scheduler counts as one).
    pub fn len(&self) -> usize {
        self.0.meta.iter().filter(|m| !m.removed).count()
    }

    /// Whether the scheduler had no job.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every position, removed jobs included (for views that index by position).
    pub(crate) fn all_jobs(&self) -> impl Iterator<Item = JobReport<'_>> + '_ {
        (0..self.0.states.len()).map(move |index| JobReport {
            outcome: self,
            index,
        })
    }

    /// The jobs, in declaration order.
    pub fn jobs(&self) -> impl Iterator<Item = JobReport<'_>> + '_ {
        (0..self.0.states.len())
            .filter(|&index| !self.0.meta[index].removed)
            .map(move |index| JobReport {
                outcome: self,
                index,
            })
    }

    /// How many jobs of this scheduler (not counting inside nested ones) ended in each state.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for job in self.jobs() {
            counts.add(job.state());
        }
        counts
    }

    /// The report of a job, found in this outcome or a nested one.
    pub fn report(&self, job: impl Into<JobId>) -> Option<JobReport<'_>> {
        let id = job.into();
        let outcome = self.find(id.sched)?;
        let live = outcome.0.meta.get(id.index()).is_some_and(|m| !m.removed);
        live.then_some(JobReport {
            outcome,
            index: id.index(),
        })
    }

    fn find(&self, uid: u64) -> Option<&Outcome> {
        if self.0.uid == uid {
            return Some(self);
        }
        self.0.nested.values().find_map(|n| n.find(uid))
    }

    fn find_mut(&mut self, uid: u64) -> Option<&mut Outcome> {
        if self.0.uid == uid {
            return Some(self);
        }
        self.0.nested.values_mut().find_map(|n| n.find_mut(uid))
    }

    /// The state of a job.
    pub fn state(&self, job: impl Into<JobId>) -> Option<State> {
        self.report(job).map(|r| r.state())
    }

    /// A job's value, if it is done. `None` as well for a handle of another workflow.
    pub fn value<T: 'static>(&self, job: JobRef<T>) -> Option<&T> {
        let report = self.report(job)?;
        if report.state() != State::Done {
            return None;
        }
        match report.nested() {
            Some(nested) => (nested as &dyn Any).downcast_ref::<T>(),
            None => report.value_any()?.downcast_ref::<T>(),
        }
    }

    /// A job's status, borrowing its value. `None` for a handle of another workflow.
    pub fn get<T: 'static>(&self, job: JobRef<T>) -> Option<Status<&T>> {
        let report = self.report(job)?;
        Some(match report.state() {
            State::Done => Status::Done(self.value(job)?),
            State::Failed => Status::Failed(report.error()?.clone()),
            State::Skipped => Status::Skipped,
            State::Cancelled | State::Running | State::Scheduled => Status::Cancelled,
            State::Idle => Status::Idle,
        })
    }

    /// The status of a nested scheduler, borrowing its outcome mutably when it is done.
    pub(crate) fn nested_status(&mut self, job: JobRef<Outcome>) -> Option<Status<&mut Outcome>> {
        let id = job.id;
        let outcome = self.find_mut(id.sched)?;
        let key = id.index;
        let state = *outcome.0.states.get(id.index())?;
        Some(match state {
            State::Done => Status::Done(outcome.0.nested.get_mut(&key)?),
            State::Failed => Status::Failed(outcome.0.errors.get(&key)?.clone()),
            State::Skipped => Status::Skipped,
            State::Cancelled | State::Running | State::Scheduled => Status::Cancelled,
            State::Idle => Status::Idle,
        })
    }

    /// Sets a job's state and error, for live views.
    pub(crate) fn set_state(&mut self, job: JobId, state: State, error: Option<JobError>) {
        let Some(outcome) = self.find_mut(job.sched) else {
            return;
        };
        if let Some(slot) = outcome.0.states.get_mut(job.index()) {
            *slot = state;
            if let Some(error) = error {
                outcome.0.errors.insert(job.index, error);
            }
        }
    }

    /// Moves a job's value out. Later calls for the same job return its status without
    /// the value (`Cancelled` if it was done). `None` for a handle of another workflow.
    pub fn take<T: 'static>(&mut self, job: JobRef<T>) -> Option<Status<T>> {
        let id = job.id;
        let outcome = self.find_mut(id.sched)?;
        let i = id.index();
        let key = id.index;
        Some(match *outcome.0.states.get(i)? {
            State::Done => {
                let value: Box<dyn Any> = if outcome.0.meta[i].nested {
                    outcome.0.nested.remove(&key)?
                } else {
                    outcome.0.values.get_mut(i)?.take()?
                };
                match value.downcast::<T>() {
                    Ok(v) => Status::Done(*v),
                    Err(_) => return None,
                }
            }
            State::Failed => Status::Failed(outcome.0.errors.get(&key)?.clone()),
            State::Skipped => Status::Skipped,
            State::Cancelled | State::Running | State::Scheduled => Status::Cancelled,
            State::Idle => Status::Idle,
        })
    }
}

impl fmt::Debug for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Jobs<'a>(&'a Outcome);
        impl fmt::Debug for Jobs<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut map = f.debug_map();
                for job in self.0.jobs() {
                    match (job.error(), job.nested()) {
                        (_, Some(nested)) => map.entry(&job.label(), nested),
                        (Some(e), None) => {
                            map.entry(&job.label(), &format_args!("{} ({e})", job.state()))
                        }
                        (None, None) => map.entry(&job.label(), &job.state()),
                    };
                }
                map.finish()
            }
        }
        f.debug_struct("Outcome")
            .field("label", &self.0.label)
            .field("why", &self.why())
            .field("jobs", &Jobs(self))
            .finish()
    }
}
