//! The driver: runs one scheduler by dependency counting.
//!
//! Every job runs in its own tokio task. A task reports its end, exactly once, through
//! a drop guard that sends on the scheduler's channel: the job's value, its error or
//! panic, or `Cancelled` when the task is dropped before finishing. The driver is the
//! only owner of the scheduling state, so it needs no lock: on each report it releases
//! the window slot, decrements the in-degree of each successor (O(1) per edge) and
//! starts those that reach zero, in declaration order. Nothing scans the pending jobs.

use std::collections::VecDeque;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::error::{BoxError, Failure, JobError, JobErrorKind, Reason};
use crate::graph::{self, CONSUMES, Plan};
use crate::job::{Node, boxed};
use crate::outcome::{JobReport, Outcome, ShutdownStatus, State, Value};
use crate::scheduler::{Entry, JobId, Scheduler};

/// How a job's task ended.
pub enum TaskEnd {
    Value(Value),
    Error(JobError),
    Cancelled,
    Nested(Result<Outcome, Failure>),
}

impl TaskEnd {
    pub(crate) fn internal(message: &'static str) -> TaskEnd {
        TaskEnd::Error(JobError::new(JobErrorKind::Error(message.into())))
    }
}

pub struct Report {
    index: u32,
    end: TaskEnd,
}

/// Sends the task's end when dropped, so every exit path reports: completion, error,
/// panic, or the task being aborted.
struct Guard {
    tx: mpsc::UnboundedSender<Report>,
    index: u32,
    end: Option<TaskEnd>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let end = self.end.take().unwrap_or(TaskEnd::Cancelled);
        // The driver may be gone (the run future was dropped): nobody to tell.
        let _ = self.tx.send(Report {
            index: self.index,
            end,
        });
    }
}

/// What the driver holds for a started job, to cancel it.
pub enum Spawned {
    /// A plain task: aborted.
    Task(JoinHandle<()>),
    /// A nested scheduler: dropping the sender asks it to cancel its own jobs, wait for
    /// them and run its shutdown hooks before it reports.
    Nested(JoinHandle<()>, oneshot::Sender<()>),
    /// A nested scheduler asked to cancel, not yet reported.
    Cancelling(JoinHandle<()>),
    /// The report was sent without a task.
    Reported,
    /// Not started, or already reported.
    None,
}

impl Spawned {
    fn abort(self) {
        match self {
            Spawned::Task(handle) | Spawned::Nested(handle, _) | Spawned::Cancelling(handle) => {
                handle.abort()
            }
            Spawned::Reported | Spawned::None => {}
        }
    }
}

/// Read access to the values of finished jobs, for jobs that consume them.
#[derive(Clone, Copy)]
pub struct Results<'a> {
    uid: u64,
    slots: &'a [Slot],
}

impl<'a> Results<'a> {
    pub(crate) fn get<T: 'static>(self, id: JobId) -> Option<&'a T> {
        if id.sched != self.uid {
            return None;
        }
        self.slots
            .get(id.index as usize)?
            .value
            .as_deref()?
            .downcast_ref::<T>()
    }
}

/// What a node needs to start its task.
pub struct SpawnCx<'a> {
    index: u32,
    tx: &'a mpsc::UnboundedSender<Report>,
    results: Results<'a>,
}

impl<'a> SpawnCx<'a> {
    pub(crate) fn results(&self) -> Results<'a> {
        self.results
    }

    /// Spawns the job's future. Its panic is caught and becomes the job's failure.
    pub(crate) fn spawn<F, T, E>(self, future: F) -> Spawned
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + Sync + 'static,
        E: Into<BoxError> + 'static,
    {
        let guard = Guard {
            tx: self.tx.clone(),
            index: self.index,
            end: None,
        };
        Spawned::Task(tokio::spawn(async move {
            // Moves the whole guard in: it reports when this task is dropped.
            let mut guard = guard;
            // The job's future is dropped at the end of this statement, before the
            // guard reports: a reported job has ended.
            let end = match AssertUnwindSafe(future).catch_unwind().await {
                Ok(Ok(value)) => TaskEnd::Value(boxed(value)),
                Ok(Err(error)) => TaskEnd::Error(JobError::new(JobErrorKind::Error(error.into()))),
                Err(panic) => TaskEnd::Error(JobError::from_panic(panic)),
            };
            guard.end = Some(end);
        }))
    }

    /// Reports an end at once, without a task.
    pub(crate) fn spawn_end(self, end: TaskEnd) -> Spawned {
        let _ = self.tx.send(Report {
            index: self.index,
            end,
        });
        Spawned::Reported
    }

    fn spawn_nested(self, driver: Driver) -> Spawned {
        let (cancel_tx, cancel_rx) = oneshot::channel();
        let guard = Guard {
            tx: self.tx.clone(),
            index: self.index,
            end: None,
        };
        let handle = tokio::spawn(async move {
            let mut guard = guard;
            let result = AssertUnwindSafe(driver.run(Some(cancel_rx)))
                .catch_unwind()
                .await;
            guard.end = Some(match result {
                Ok(result) => TaskEnd::Nested(result),
                Err(panic) => TaskEnd::Error(JobError::from_panic(panic)),
            });
        });
        Spawned::Nested(handle, cancel_tx)
    }
}

/// A nested scheduler as a job of its parent.
pub(crate) struct NestedNode(Option<Scheduler>);

impl NestedNode {
    pub(crate) fn new(s: Scheduler) -> Self {
        NestedNode(Some(s))
    }
}

impl Node for NestedNode {
    fn spawn(&mut self, cx: SpawnCx<'_>) -> Spawned {
        let Some(mut s) = self.0.take() else {
            return cx.spawn_end(TaskEnd::internal("nested scheduler started twice"));
        };
        match graph::prepare(&mut s) {
            Ok(plan) => cx.spawn_nested(Driver::new(s, plan)),
            Err(e) => {
                let failure = Failure {
                    reason: Reason::Invalid(e),
                    outcome: Outcome::idle(s, None),
                };
                cx.spawn_end(TaskEnd::Nested(Err(failure)))
            }
        }
    }
    fn nested(&self) -> Option<&Scheduler> {
        self.0.as_ref()
    }
    fn nested_mut(&mut self) -> Option<&mut Scheduler> {
        self.0.as_mut()
    }
    fn take_nested(&mut self) -> Option<Scheduler> {
        self.0.take()
    }
}

/// The per-job state of a run.
pub struct Slot {
    state: State,
    /// Requirements not yet done.
    pending: u32,
    /// A consumed input that produced no value: the job will be skipped.
    starved_by: Option<u32>,
    value: Option<Value>,
    error: Option<JobError>,
    nested: Option<Box<Outcome>>,
    spawned: Spawned,
    shutdown: Option<ShutdownStatus>,
}

impl Scheduler {
    /// Runs the workflow to its end and returns every job's result.
    ///
    /// The run fails if a critical job fails or the timeout expires; the [`Failure`]
    /// still carries the full outcome. An invalid graph (a cycle, a requirement on a
    /// job of another scheduler, a finite job requiring a forever job, a window of 0)
    /// fails before anything starts. Dropping the returned future cancels every job.
    ///
    /// On a multi-thread runtime the driver runs in a task of its own, next to the
    /// jobs, rather than in the caller's task (which may be a `block_on` future).
    pub fn run(mut self) -> impl Future<Output = Result<Outcome, Failure>> + Send + 'static {
        async move {
            let plan = match graph::prepare(&mut self) {
                Ok(plan) => plan,
                Err(e) => {
                    let reason = Reason::Invalid(e);
                    return Err(Failure {
                        outcome: Outcome::idle(self, Some(reason.clone())),
                        reason,
                    });
                }
            };
            let handle = match tokio::runtime::Handle::try_current() {
                Ok(handle) => handle,
                Err(_) => {
                    return Err(Failure {
                        outcome: Outcome::idle(self, Some(Reason::NoRuntime)),
                        reason: Reason::NoRuntime,
                    });
                }
            };
            let driver = Driver::new(self, plan);
            if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread {
                let task = AbortOnDrop(tokio::spawn(driver.run(None)));
                match task.await {
                    Ok(result) => result,
                    Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                    // The runtime is shutting down: nobody is left to read an outcome.
                    Err(_) => std::future::pending().await,
                }
            } else {
                driver.run(None).await
            }
        }
    }
}

struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<T> Future for AbortOnDrop<T> {
    type Output = Result<T, tokio::task::JoinError>;
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        self.0.poll_unpin(cx)
    }
}

pub(crate) struct Driver {
    uid: u64,
    label: Option<String>,
    window: Option<usize>,
    timeout: Option<Duration>,
    shutdown_timeout: Option<Duration>,
    jobs: Vec<Entry>,
    plan: Plan,
    slots: Vec<Slot>,
    tx: mpsc::UnboundedSender<Report>,
    rx: mpsc::UnboundedReceiver<Report>,
    /// Ready finite jobs waiting for a window slot, in the order they became ready.
    queue: VecDeque<u32>,
    /// Finite jobs started and not yet reported: the window slots in use.
    running: usize,
    /// Tasks spawned and not yet reported (finite and forever).
    live: usize,
    /// Finite jobs not yet finished, skipped or cancelled; the run ends at zero.
    finite_left: usize,
    failure: Option<Reason>,
    /// Once set, reports are recorded but start nothing.
    closing: bool,
    /// Scratch stack for skip propagation.
    work: Vec<(u32, bool)>,
}

impl Driver {
    fn new(mut s: Scheduler, plan: Plan) -> Driver {
        let (tx, rx) = mpsc::unbounded_channel();
        let slots = plan
            .in_degree
            .iter()
            .map(|&pending| Slot {
                state: State::Idle,
                pending,
                starved_by: None,
                value: None,
                error: None,
                nested: None,
                spawned: Spawned::None,
                shutdown: None,
            })
            .collect();
        Driver {
            uid: s.uid,
            label: s.label.take(),
            window: s.window,
            timeout: s.timeout,
            shutdown_timeout: s.shutdown_timeout,
            finite_left: plan.finite,
            jobs: std::mem::take(&mut s.jobs),
            plan,
            slots,
            tx,
            rx,
            queue: VecDeque::new(),
            running: 0,
            live: 0,
            failure: None,
            closing: false,
            work: Vec::new(),
        }
    }

    async fn run(mut self, mut cancel: Option<oneshot::Receiver<()>>) -> Result<Outcome, Failure> {
        let started = Instant::now();
        let deadline = self.timeout.map(|t| started + t);
        for i in 0..self.slots.len() {
            if self.slots[i].pending == 0 {
                self.ready(i as u32);
            }
        }
        let sleep = tokio::time::sleep_until(deadline.unwrap_or(started));
        tokio::pin!(sleep);
        while self.failure.is_none() && self.finite_left > 0 {
            tokio::select! {
                biased;
                report = self.rx.recv() => {
                    // The driver holds a sender, so the channel never closes.
                    let Some(report) = report else { break };
                    self.handle(report);
                    while self.failure.is_none() && self.finite_left > 0 {
                        match self.rx.try_recv() {
                            Ok(report) => self.handle(report),
                            Err(_) => break,
                        }
                    }
                }
                () = &mut sleep, if deadline.is_some() => {
                    self.failure = Some(Reason::Timeout(self.timeout.unwrap_or_default()));
                }
                _ = wait_cancel(&mut cancel), if cancel.is_some() => {
                    self.failure = Some(Reason::Cancelled);
                }
            }
        }
        let elapsed = started.elapsed();
        self.close().await;
        self.shutdown().await;
        Ok(self.into_outcome(elapsed)).and_then(|outcome| match outcome.reason.clone() {
            None => Ok(outcome),
            Some(reason) => Err(Failure { reason, outcome }),
        })
    }

    /// A job's requirements are all done.
    fn ready(&mut self, i: u32) {
        let forever = self.jobs[i as usize].forever;
        if forever {
            self.spawn(i);
            return;
        }
        let free = self.window.is_none_or(|w| self.running < w);
        if free && self.queue.is_empty() {
            self.running += 1;
            self.spawn(i);
        } else {
            self.slots[i as usize].state = State::Scheduled;
            self.queue.push_back(i);
        }
    }

    fn spawn(&mut self, i: u32) {
        let Driver {
            jobs,
            slots,
            tx,
            uid,
            ..
        } = self;
        let cx = SpawnCx {
            index: i,
            tx,
            results: Results { uid: *uid, slots },
        };
        let spawned = jobs[i as usize].node.spawn(cx);
        let slot = &mut slots[i as usize];
        slot.state = State::Running;
        slot.spawned = spawned;
        self.live += 1;
    }

    /// Starts queued jobs while window slots are free.
    fn pump(&mut self) {
        while self.window.is_none_or(|w| self.running < w) {
            let Some(i) = self.queue.pop_front() else {
                break;
            };
            self.running += 1;
            self.spawn(i);
        }
    }

    fn handle(&mut self, Report { index, end }: Report) {
        let i = index as usize;
        self.live -= 1;
        let critical = self.jobs[i].critical;
        let forever = self.jobs[i].forever;
        let slot = &mut self.slots[i];
        slot.spawned = Spawned::None;
        let produced = match end {
            TaskEnd::Value(value) => {
                slot.state = State::Done;
                slot.value = Some(value);
                true
            }
            TaskEnd::Nested(Ok(outcome)) => {
                slot.state = State::Done;
                slot.nested = Some(Box::new(outcome));
                true
            }
            TaskEnd::Nested(Err(failure)) => {
                slot.nested = Some(Box::new(failure.outcome));
                if matches!(failure.reason, Reason::Cancelled) {
                    slot.state = State::Cancelled;
                } else {
                    slot.state = State::Failed;
                    slot.error = Some(JobError::new(JobErrorKind::Nested(failure.reason)));
                }
                false
            }
            TaskEnd::Error(error) => {
                slot.state = State::Failed;
                slot.error = Some(error);
                false
            }
            TaskEnd::Cancelled => {
                slot.state = State::Cancelled;
                false
            }
        };
        if !forever {
            self.running -= 1;
            self.finite_left -= 1;
        }
        if self.closing {
            return;
        }
        if critical && self.slots[i].state == State::Failed {
            self.fail(i);
            return;
        }
        self.propagate(index, produced);
        self.pump();
    }

    /// A critical job failed or was skipped: the run aborts.
    fn fail(&mut self, i: usize) {
        if self.failure.is_none() {
            let error = self.slots[i]
                .error
                .clone()
                .unwrap_or_else(|| JobError::new(JobErrorKind::Error("failed".into())));
            self.failure = Some(Reason::Critical {
                job: self.label_of(i),
                error,
            });
        }
    }

    /// Job `index` ended (`produced`: with a value): count its successors down, start
    /// the ones that become ready, skip the ones starved of an input.
    fn propagate(&mut self, index: u32, produced: bool) {
        self.work.push((index, produced));
        while let Some((j, produced)) = self.work.pop() {
            let range = self.plan.succ_start[j as usize] as usize
                ..self.plan.succ_start[j as usize + 1] as usize;
            for k in range {
                let entry = self.plan.succ[k];
                let s = (entry & !CONSUMES) as usize;
                let slot = &mut self.slots[s];
                if !produced && entry & CONSUMES != 0 && slot.starved_by.is_none() {
                    slot.starved_by = Some(j);
                }
                slot.pending -= 1;
                if slot.pending > 0 {
                    continue;
                }
                match slot.starved_by {
                    None => {
                        if self.failure.is_none() {
                            self.ready(s as u32);
                        }
                    }
                    Some(input) => {
                        let input = self.label_of(input as usize);
                        let slot = &mut self.slots[s];
                        slot.state = State::Skipped;
                        slot.error = Some(JobError::new(JobErrorKind::Skipped { input }));
                        if !self.jobs[s].forever {
                            self.finite_left -= 1;
                        }
                        if self.jobs[s].critical {
                            self.fail(s);
                        }
                        self.work.push((s as u32, false));
                    }
                }
            }
        }
    }

    fn label_of(&self, i: usize) -> String {
        let entry = &self.jobs[i];
        if let Some(label) = &entry.label {
            return label.clone();
        }
        if let Some(label) = entry.node.default_label() {
            return label;
        }
        match (&self.slots[i].nested, entry.node.nested()) {
            (Some(outcome), _) if outcome.label.is_some() => {
                outcome.label.clone().unwrap_or_default()
            }
            (_, Some(s)) if s.label.is_some() => s.label.clone().unwrap_or_default(),
            (None, None) => format!("job-{}", i + 1),
            _ => format!("scheduler-{}", i + 1),
        }
    }

    /// The run is over: cancel what is queued or running and wait until every task has
    /// reported, so that no job outlives the run.
    async fn close(&mut self) {
        self.closing = true;
        for i in self.queue.drain(..) {
            self.slots[i as usize].state = State::Cancelled;
        }
        for slot in &mut self.slots {
            match std::mem::replace(&mut slot.spawned, Spawned::None) {
                Spawned::Task(handle) => handle.abort(),
                // Dropping the sender asks the nested scheduler to wind down.
                Spawned::Nested(handle, cancel) => {
                    drop(cancel);
                    slot.spawned = Spawned::Cancelling(handle);
                }
                other => slot.spawned = other,
            }
        }
        while self.live > 0 {
            match self.rx.recv().await {
                Some(report) => self.handle(report),
                None => break,
            }
        }
    }

    /// Runs every shutdown hook once, concurrently, bounded by `shutdown_timeout`.
    async fn shutdown(&mut self) {
        let mut hooks: FuturesUnordered<_> = self
            .jobs
            .iter_mut()
            .enumerate()
            .filter_map(|(i, entry)| entry.node.shutdown().map(|hook| (i, hook)))
            .map(
                |(i, hook): (usize, BoxFuture<'static, Result<(), BoxError>>)| {
                    // Marked timed out until it reports.
                    self.slots[i].shutdown = Some(ShutdownStatus::TimedOut);
                    async move { (i, AssertUnwindSafe(hook).catch_unwind().await) }
                },
            )
            .collect();
        let deadline = self.shutdown_timeout.map(|t| Instant::now() + t);
        while !hooks.is_empty() {
            let next = match deadline {
                Some(deadline) => match tokio::time::timeout_at(deadline, hooks.next()).await {
                    Ok(next) => next,
                    Err(_) => break,
                },
                None => hooks.next().await,
            };
            let Some((i, result)) = next else { break };
            self.slots[i].shutdown = Some(match result {
                Ok(Ok(())) => ShutdownStatus::Ok,
                Ok(Err(e)) => ShutdownStatus::Failed(JobError::new(JobErrorKind::Error(e))),
                Err(panic) => ShutdownStatus::Failed(JobError::from_panic(panic)),
            });
        }
    }

    fn into_outcome(mut self, elapsed: Duration) -> Outcome {
        let labels: Vec<String> = (0..self.jobs.len()).map(|i| self.label_of(i)).collect();
        let jobs = std::mem::take(&mut self.jobs);
        let slots = std::mem::take(&mut self.slots);
        let reports = jobs
            .into_iter()
            .zip(slots)
            .zip(labels)
            .map(|((mut entry, slot), label)| JobReport {
                label,
                details: entry.details,
                critical: entry.critical,
                forever: entry.forever,
                state: slot.state,
                value: slot.value,
                error: slot.error,
                nested: slot.nested.or_else(|| {
                    entry
                        .node
                        .take_nested()
                        .map(|n| Box::new(Outcome::idle(n, None)))
                }),
                requires: entry.requires,
                shutdown: slot.shutdown,
            })
            .collect();
        Outcome {
            uid: self.uid,
            label: self.label.take(),
            reason: self.failure.take(),
            jobs: reports,
            elapsed,
        }
    }
}

async fn wait_cancel(cancel: &mut Option<oneshot::Receiver<()>>) {
    if let Some(rx) = cancel {
        // A message or the sender dropped: both mean cancel.
        let _ = rx.await;
    }
}

impl Drop for Driver {
    /// The run future was dropped mid-way: abort every task still running. Nested
    /// schedulers abort theirs in turn when their own driver is dropped.
    fn drop(&mut self) {
        for slot in &mut self.slots {
            std::mem::replace(&mut slot.spawned, Spawned::None).abort();
        }
    }
}
