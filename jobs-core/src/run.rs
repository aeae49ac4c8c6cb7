//! The driver: runs one scheduler by dependency counting.
//!
//! A job that starts has its future made and boxed at once, and joins the run's queue
//! of started jobs; tokio tasks take jobs from that queue, oldest first, and run them.
//! A task reports the end of each job it takes, exactly once, through a drop guard:
//! the job's value, its error or panic, or `Cancelled` when the task is dropped before
//! the job finishes (a job the run cancels while it is still queued ends there, with
//! no task). The task tries to take the lock on the scheduling state: if it gets it, it handles its
//! report and every report in the inbox (those of tasks that found the lock taken),
//! starts the jobs that became ready, and takes the oldest started job to run next;
//! if not, it leaves its report in the inbox, and the holder handles it before letting
//! go. So a finished job starts its successors from its own task, as a hand-written
//! tokio scheduler would, and no task reporting an end waits for the lock (a task that
//! could take the next job tries it a few more times first). Only a task that comes
//! back to the queue between jobs, or a runner on standby, waits for it, once per many
//! jobs (and the run future, which takes it rarely).
//!
//! Tasks that run job after job are *runners*. A runner whose job waits at its first
//! poll stays that job's task (the job registered that task's waker) and stops being a
//! runner; its job never holds up the queue. While jobs are queued, whoever holds the
//! lock spawns runners until there are as many as the runtime has workers, and keeps
//! one more on standby: spawned without a job, not yet polled, so that a thread freed
//! while every runner holds its own (a long first poll, `block_in_place`) runs it, and
//! it takes the oldest job (and becomes a runner: the next standby is spawned). So a
//! burst of ten thousand ready jobs that never wait runs in a
//! few dozen tasks, as many at once as there are workers, instead of one task each; a
//! chain runs in one task, a window of `n` in about `n`; every job that waits has a
//! task of its own, and no job blocking its thread holds up the queue: jobs that wait
//! on each other, or block on each other, all start.
//!
//! Handling a report releases the job's window slot, decrements the in-degree of each
//! successor (O(1) per edge) and starts those that reach zero, in declaration order.
//! Nothing scans the pending jobs. The run future itself only starts the entry jobs,
//! then waits for the end, the timeout or a cancellation, winds down and reports.
//!
//! With one worker (a current-thread runtime), a task is handed a job only if no job
//! handed to a task earlier waits for its first poll; otherwise it yields, between
//! jobs, and looks again. A task handed a job polls it at once. So on a current-thread
//! runtime jobs are first polled in the order they started (a nested run aside: its
//! task is spawned when it starts, and may be polled before jobs queued earlier).

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};
use pin_project_lite::pin_project;
use slab::Slab;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tracing::Instrument;

use crate::error::{BoxError, Failure, JobError, JobErrorKind, Reason};
use crate::events::{Event, EventSink};
use crate::graph::{self, Plan, Prepared};
use crate::job::{Node, Nodes, boxed};
use crate::outcome::{Outcome, OutcomeData, ShutdownStatus, State, Value};
use crate::scheduler::{JobId, Labels, Meta, Scheduler, ShowFn};

mod local;

use local::{Local, run_local};

/// How a job's task ended.
pub enum TaskEnd {
    Value(Value),
    Error(JobError),
    Cancelled,
    /// Boxed: a nested run's end is large, and rare; job tasks stay small.
    Nested(Box<Result<Outcome, Failure>>),
}

impl TaskEnd {
    pub(crate) fn internal(message: &'static str) -> TaskEnd {
        TaskEnd::Error(JobError::new(JobErrorKind::Error(message.into())))
    }
}

pub struct Report {
    index: u32,
    /// The reporting task's slot in the driver's [`Tasks`], or [`NO_SLOT`].
    slot: u32,
    end: TaskEnd,
}

impl Report {
    /// The end of a job without a task of its own.
    fn without_task(index: u32, end: TaskEnd) -> Report {
        Report {
            index,
            slot: NO_SLOT,
            end,
        }
    }
}

/// How many times a task reporting its end, and ready to run the next job, tries the
/// driver's lock before it leaves its report to the holder (in runs with a window, or
/// with jobs queued).
const SPINS: usize = 64;

/// The slot of a job that has no task in [`Tasks`].
const NO_SLOT: u32 = u32::MAX;

/// The tasks of the jobs running, in slots reused as they free: a run holds as many
/// as it has jobs running at once, not one per job. A task keeps its slot while it
/// runs the jobs handed to it.
#[derive(Default)]
struct Tasks(Slab<Option<JoinHandle<()>>>);

impl Tasks {
    /// A free slot, for a task about to be spawned.
    fn reserve(&mut self) -> u32 {
        self.0.insert(None) as u32
    }

    /// Frees a slot; its task, if it is still running, is let go, not aborted.
    fn release(&mut self, slot: u32) {
        self.0.try_remove(slot as usize);
    }

    /// Records the task spawned in `slot`.
    fn fill(&mut self, slot: u32, task: JoinHandle<()>) {
        if let Some(place) = self.0.get_mut(slot as usize) {
            *place = Some(task);
        }
    }

    fn abort_all(&self) {
        for task in self.0.iter().filter_map(|(_, task)| task.as_ref()) {
            task.abort();
        }
    }
}

/// Sends the end of the task's job when dropped, so every exit path reports:
/// completion, error, panic, or the task being aborted.
struct Guard {
    shared: Arc<Shared>,
    index: u32,
    /// The task's slot in the driver's [`Tasks`].
    slot: u32,
    end: Option<TaskEnd>,
    /// Whether the task runs a job whose end is not reported yet.
    armed: bool,
    /// Whether the task is counted in the run's runners (see [`Shared::runners`]).
    runner: bool,
    /// Whether the task is the run's runner on standby (see [`Shared::standby`]).
    standby: bool,
}

/// What a task between jobs found when it looked at the queue.
enum Take {
    Job(Next),
    /// Nothing queued: the task ends.
    Nothing,
    /// A job another task took goes first: the task looks again later.
    Later,
}

impl Guard {
    /// The guard of a runner spawned with a job.
    fn runner(shared: Arc<Shared>, index: u32, slot: u32) -> Guard {
        Guard {
            shared,
            index,
            slot,
            end: None,
            armed: true,
            runner: true,
            standby: false,
        }
    }

    /// The guard of the runner on standby, spawned without a job.
    fn standby(shared: Arc<Shared>, slot: u32) -> Guard {
        Guard {
            shared,
            index: 0,
            slot,
            end: None,
            armed: false,
            runner: false,
            standby: true,
        }
    }

    /// The guard of a nested run's task, which reports to its parent.
    fn nested(shared: Arc<Shared>, index: u32) -> Guard {
        Guard {
            shared,
            index,
            slot: NO_SLOT,
            end: None,
            armed: true,
            runner: false,
            standby: false,
        }
    }

    /// Reports the end of the job. With `take`, returns the job the task takes from
    /// the queue to run next, if any: the guard then stands for that one. Without (or
    /// if the driver has it let another task's job go first), a runner stays one,
    /// between jobs, and keeps its slot: it takes a job later.
    fn finish(&mut self, take: bool) -> Option<Next> {
        let mut handoff = self.handoff(take);
        let mut report = self.take_report();
        if !take && self.runner {
            // The task stays between jobs: the report, if another task handles it,
            // must not free the slot it keeps.
            report.slot = NO_SLOT;
        }
        self.shared.report(report, Some(&mut handoff));
        self.took(handoff)
    }

    /// A runner between jobs, or on standby: takes the oldest queued job, if any.
    fn take(&mut self) -> Take {
        let mut handoff = self.handoff(true);
        self.shared.take(&mut handoff);
        match self.took(handoff) {
            Some(next) => Take::Job(next),
            // Told to let another task's job go first.
            None if self.runner || self.standby => Take::Later,
            None => Take::Nothing,
        }
    }

    fn handoff(&self, take: bool) -> Handoff {
        Handoff {
            slot: self.slot,
            next: None,
            take,
            runner: self.runner,
            standby: self.standby,
        }
    }

    /// What the driver made of a handoff: the task's counts, and its next job.
    fn took(&mut self, handoff: Handoff) -> Option<Next> {
        self.runner = handoff.runner;
        self.standby = handoff.standby;
        let next = handoff.next?;
        self.index = next.index;
        self.armed = true;
        Some(next)
    }

    /// The task's job waits: the task stays its job's, and is no longer a runner.
    fn stop_running(&mut self) {
        if std::mem::take(&mut self.runner) {
            self.shared.runners.fetch_sub(1, Ordering::SeqCst);
            self.shared.want_runners();
        }
    }

    /// The job's end (cancelled if it has none); the guard is then disarmed.
    fn take_report(&mut self) -> Report {
        self.armed = false;
        Report {
            index: self.index,
            slot: self.slot,
            end: self.end.take().unwrap_or(TaskEnd::Cancelled),
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if self.armed {
            let report = self.take_report();
            self.shared.report(report, None);
        }
        // Dropped between jobs, on standby, or as it unwinds: when the run is over or
        // its runtime going away; the counts are kept right all the same.
        if std::mem::take(&mut self.standby) {
            self.shared.standby.fetch_sub(1, Ordering::SeqCst);
        }
        self.stop_running();
    }
}

/// A started job, its future made: in the run's queue until a task takes it.
pub(crate) struct Next {
    index: u32,
    future: BoxFuture<'static, TaskEnd>,
}

/// What a task offers the driver with the lock: to run the oldest queued job (`take`),
/// once its report, if any, is handled.
pub(crate) struct Handoff {
    /// The task's slot: it stays taken while the task runs a job it takes, through
    /// which that job is aborted, or while it is between jobs.
    slot: u32,
    next: Option<Next>,
    /// Whether the task takes a job now; if not, it stays between jobs.
    take: bool,
    /// Whether the task is counted in the run's runners; it is once it takes a job.
    runner: bool,
    /// Whether the task is the runner on standby; it no longer is once it takes a job
    /// or finds none.
    standby: bool,
}

/// Spawns a runner in `slot`: with `job` its first job, or on standby without one.
/// The task then runs the jobs it takes from the queue, if any, until it finds none
/// or one of them waits.
fn spawn_task(shared: &Arc<Shared>, job: Option<Next>, slot: u32) -> JoinHandle<()> {
    let (job, guard) = match job {
        Some(job) => (
            Some(job.future),
            Guard::runner(shared.clone(), job.index, slot),
        ),
        None => (None, Guard::standby(shared.clone(), slot)),
    };
    tokio::spawn(JobTask {
        job,
        polled: false,
        guard,
    })
}

/// A job's task: runs its job, then each job it takes from the run's queue. Written out
/// rather than as an `async` block, which would hold the job's future and the guard
/// twice.
///
/// Fields drop in order: a job's future first, then the guard that reports its end,
/// so that a reported job has ended whenever the task is cancelled.
struct JobTask {
    job: Option<BoxFuture<'static, TaskEnd>>,
    /// Whether the current job's future has been polled.
    polled: bool,
    guard: Guard,
}

impl Drop for JobTask {
    fn drop(&mut self) {
        // A job taken and never polled (the task aborted as the run ends) no longer
        // holds back the tasks that let it go first.
        if self.job.is_some() && !self.polled {
            self.guard.shared.unstarted.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

impl Future for JobTask {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        loop {
            let job = match &mut this.job {
                Some(job) => job,
                // On standby, or back after letting the runtime run other tasks.
                None => match this.guard.take() {
                    Take::Job(next) => {
                        this.polled = false;
                        this.job.insert(next.future)
                    }
                    Take::Nothing => return Poll::Ready(()),
                    // A job taken and not polled yet is a runner's just spawned with
                    // it, which polls it as soon as it runs: this task waits behind it.
                    Take::Later => {
                        cx.waker().wake_by_ref();
                        return Poll::Pending;
                    }
                },
            };
            if !std::mem::replace(&mut this.polled, true) {
                let shared = &this.guard.shared;
                shared.unstarted.fetch_sub(1, Ordering::Relaxed);
                if shared.closed.load(Ordering::Acquire) {
                    // The run ended meanwhile: the job never starts. Its future is
                    // dropped now, and the guard reports it cancelled.
                    this.job = None;
                    return Poll::Ready(());
                }
            }
            let Poll::Ready(end) = job.as_mut().poll(cx) else {
                // The job keeps this task, whose waker it was given.
                this.guard.stop_running();
                return Poll::Pending;
            };
            // Dropped before its end is reported: a reported job has ended.
            this.job = None;
            this.guard.end = Some(end);
            // A long run of jobs that never wait yields to the runtime as often as a
            // task polling that many futures would; and with one worker, jobs taken
            // earlier by other tasks are first polled first.
            let go_on = match tokio::task::coop::poll_proceed(cx) {
                Poll::Ready(restore) => {
                    restore.made_progress();
                    true
                }
                Poll::Pending => false,
            };
            match this.guard.finish(go_on) {
                Some(next) => {
                    this.job = Some(next.future);
                    this.polled = false;
                }
                None if !this.guard.runner => return Poll::Ready(()),
                // Its report ended the run: nothing more to take.
                None if this.guard.shared.closed.load(Ordering::Acquire) => {
                    return Poll::Ready(());
                }
                None => {
                    // Between jobs: scheduled again behind the tasks ready to run (a
                    // task woken while it is polled is, as with `yield_now`).
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
            }
        }
    }
}

/// What a nested scheduler's task owns. A task aborted before its first poll drops it
/// whole, and struct fields drop in order: the nested run first, then the guard that
/// reports its end, so that a reported run has ended whenever the task was cancelled.
struct Owned<F> {
    future: F,
    guard: Guard,
}

/// A run's state, shared by the run future and the job tasks.
pub struct Shared {
    driver: Mutex<Driver>,
    /// Reports left by tasks that found the driver's lock taken.
    inbox: Mutex<Vec<Report>>,
    /// The inbox's length, readable without its lock.
    pending: AtomicUsize,
    /// Jobs handed to a task (spawned with it, or taken from the queue) and not yet
    /// polled. With one worker, no job is handed out while one is: jobs are first
    /// polled in the order they started (on a current-thread runtime, tasks run in the
    /// order they are scheduled). See [`Self::must_yield`].
    unstarted: AtomicUsize,
    /// Tasks that will come back to the queue for a job without waiting on anything:
    /// those running a job that has not waited yet, and those between jobs. While jobs
    /// are queued, the holder
    /// of the lock spawns runners until there are [`Self::workers`] of them. Raised
    /// under the lock; lowered by a runner that stops being one, with or without it.
    runners: AtomicUsize,
    /// Runners spawned without a job that have not taken one yet (one at a time). While jobs are queued, the holder of the lock keeps one on standby,
    /// whatever the number of runners: a runner may hold its thread for long (a long
    /// first poll, or `block_in_place`), and the standby runs as soon as a thread is
    /// free, takes the oldest job, and has the next standby spawned. Without it, jobs
    /// blocking in every runner would starve the queue.
    standby: AtomicUsize,
    /// The runtime's worker threads: how many runners a run wants while jobs are queued.
    workers: usize,
    /// Set by a task that changed the runners without the lock while it was taken, for
    /// the holder to spawn runners again if jobs are queued; like a report left in the
    /// inbox.
    wanted: AtomicBool,
    /// The queue's length when the lock was last let go: whether a task that could take
    /// a job tries the lock a little longer. A hint only.
    queued: AtomicUsize,
    /// The driver's `closed`.
    closed: Arc<AtomicBool>,
    /// Whether the run has a window.
    windowed: bool,
    /// Notified when the run has ended or a task has reported after that; the run
    /// future then checks, under the lock, what it waits for.
    done: Notify,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // No code panics while holding these locks; if one did, the data is still whole.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// [`lock`] if the lock is free.
fn try_lock<T>(mutex: &Mutex<T>) -> Option<MutexGuard<'_, T>> {
    match mutex.try_lock() {
        Ok(guard) => Some(guard),
        Err(TryLockError::Poisoned(e)) => Some(e.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}

impl Shared {
    fn new(driver: Driver) -> Arc<Shared> {
        let workers = tokio::runtime::Handle::try_current()
            .map_or(1, |runtime| runtime.metrics().num_workers())
            .max(1);
        Arc::new(Shared {
            closed: driver.closed.clone(),
            windowed: driver.window.is_some(),
            driver: Mutex::new(driver),
            inbox: Mutex::new(Vec::new()),
            pending: AtomicUsize::new(0),
            unstarted: AtomicUsize::new(0),
            runners: AtomicUsize::new(0),
            standby: AtomicUsize::new(0),
            workers,
            wanted: AtomicBool::new(false),
            queued: AtomicUsize::new(0),
            done: Notify::new(),
        })
    }

    /// The run future was dropped: aborts every task of this run and of its nested
    /// runs at once, so that nothing starts or goes on meanwhile (a nested run would
    /// otherwise see its cancellation only when the runtime drops its task).
    ///
    /// Locks are taken parent first, child second; a child never waits for its
    /// parent's lock (its reports to the parent use `try_lock`).
    fn abort_all(&self) {
        let (nested, discarded) = {
            let mut driver = lock(&self.driver);
            let nested = driver.abort_all();
            (nested, std::mem::take(&mut driver.discarded))
        };
        drop_quietly(discarded);
        for run in nested {
            run.abort_all();
        }
    }

    /// A task's end: handled at once if the driver's lock is free, else left in the
    /// inbox for the holder. With `handoff`, the reporting task offers to take the next
    /// job from the queue (if it handles its end at once).
    fn report(self: &Arc<Self>, report: Report, handoff: Option<&mut Handoff>) {
        let mut driver = try_lock(&self.driver);
        let take = handoff.as_ref().is_some_and(|handoff| handoff.take);
        if driver.is_none() && take && (self.windowed || self.queued.load(Ordering::Relaxed) > 0) {
            // With jobs queued (or a window, where a job's end most often starts a
            // queued job), a task that may take the next job tries a little longer.
            // The holder is most often another task handling one end, done in well
            // under a microsecond, and taking the next job saves spawning a task.
            for _ in 0..SPINS {
                std::hint::spin_loop();
                driver = try_lock(&self.driver);
                if driver.is_some() {
                    break;
                }
            }
        }
        match driver {
            Some(mut driver) => {
                driver.handle(report, handoff.is_some(), &mut Sink::Tasks(self));
                self.release(driver, handoff);
            }
            None => {
                // A task that would take a job ends: if it was a runner, the holder
                // spawns another if jobs are queued, once it has seen the report
                // (counted before it is left). One between jobs stays a runner.
                if let Some(handoff) = handoff
                    && handoff.take
                    && std::mem::take(&mut handoff.runner)
                {
                    self.runners.fetch_sub(1, Ordering::SeqCst);
                }
                self.push(report);
                self.combine();
            }
        }
    }

    /// A task between jobs, or on standby, looks at the queue. It waits for the lock:
    /// this happens once per many jobs, its holder never waits on anything while it
    /// holds it (a nested run's lock aside, taken parent first), and a task that kept
    /// trying instead would spin for as long as a holder preempted by the system is
    /// off its CPU.
    fn take(self: &Arc<Self>, handoff: &mut Handoff) {
        let driver = lock(&self.driver);
        self.release(driver, Some(handoff));
    }

    /// Whether a task whose job has ended lets the runtime run other tasks before it
    /// takes the next job: with one worker, while a job another task took is not
    /// polled yet (jobs are first polled in the order they started).
    fn must_yield(&self) -> bool {
        self.workers == 1 && self.unstarted.load(Ordering::Relaxed) > 0
    }

    /// A runner stopped being one: runners are spawned again if jobs are queued, by
    /// this task if the lock is free, else by its holder before it lets go.
    fn want_runners(self: &Arc<Self>) {
        self.wanted.store(true, Ordering::SeqCst);
        self.combine();
    }

    /// Leaves a report for the holder of the driver's lock.
    fn push(&self, report: Report) {
        let mut inbox = lock(&self.inbox);
        inbox.push(report);
        // Counted under the inbox's lock, so `pending` is always the inbox's length.
        self.pending.fetch_add(1, Ordering::SeqCst);
    }

    /// Whether a task left a report, or a runner left, for the holder of the lock.
    fn left_work(&self) -> bool {
        self.pending.load(Ordering::SeqCst) > 0 || self.wanted.load(Ordering::SeqCst)
    }

    /// Handles the inbox if the driver's lock is free; otherwise its holder will.
    fn combine(self: &Arc<Self>) {
        while let Some(driver) = try_lock(&self.driver) {
            self.release(driver, None);
            if !self.left_work() {
                return;
            }
        }
    }

    /// Handles what is left in the inbox; with a handoff, decides whether its task
    /// takes the oldest queued job, stays between jobs, or ends; wakes the run future
    /// if the run is over, and lets go of the lock.
    /// A report pushed after the last look at the inbox found the lock taken: the
    /// caller loops (`combine`) or its pusher will.
    ///
    /// A job handed to a reporting task is cancelled through that task from now on.
    fn release(
        self: &Arc<Self>,
        mut driver: MutexGuard<'_, Driver>,
        handoff: Option<&mut Handoff>,
    ) {
        self.drain(&mut driver);
        if let Some(handoff) = handoff {
            // With one worker, a job taken by another task and not polled yet goes
            // first: the task does not take one now.
            handoff.take &= !self.must_yield();
            if handoff.take && std::mem::take(&mut handoff.standby) {
                self.standby.fetch_sub(1, Ordering::SeqCst);
            }
            if !handoff.take && !handoff.runner && !handoff.standby {
                // A task whose job waited has nothing to come back for: it ends.
                driver.tasks.release(handoff.slot);
            } else if handoff.take {
                match driver.ready.pop_front() {
                    Some(next) => {
                        self.unstarted.fetch_add(1, Ordering::Relaxed);
                        handoff.next = Some(next);
                        if !std::mem::replace(&mut handoff.runner, true) {
                            self.runners.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    None => {
                        // The task ends: its slot is freed.
                        if std::mem::take(&mut handoff.runner) {
                            self.runners.fetch_sub(1, Ordering::SeqCst);
                        }
                        driver.tasks.release(handoff.slot);
                    }
                }
            }
        }
        self.unlock(driver, true);
    }

    /// Lets go of the lock, once runners are spawned for the jobs queued; wakes the
    /// run future if the run is over (`notify`), and drops the futures of jobs that
    /// never started (cancelled while queued), without the lock. A report left (or a
    /// runner gone) after the last look found the lock taken: handled here.
    fn unlock(self: &Arc<Self>, mut driver: MutexGuard<'_, Driver>, notify: bool) {
        // Cleared before `top_up` reads the runners: a runner that leaves after this
        // sets it again, and is seen below.
        self.wanted.store(false, Ordering::SeqCst);
        driver.top_up(self);
        self.queued.store(driver.ready.len(), Ordering::Relaxed);
        let discarded = std::mem::take(&mut driver.discarded);
        let ended = notify && driver.ended();
        drop(driver);
        drop_quietly(discarded);
        if ended {
            // A permit is kept if the run future is not waiting yet: no wake-up is lost.
            self.done.notify_one();
        }
        if self.left_work() {
            self.combine();
        }
    }

    /// Handles the reports in the inbox.
    fn drain(self: &Arc<Self>, driver: &mut Driver) {
        while self.pending.load(Ordering::SeqCst) > 0 {
            let batch = {
                let mut inbox = lock(&self.inbox);
                self.pending.fetch_sub(inbox.len(), Ordering::SeqCst);
                std::mem::take(&mut *inbox)
            };
            for report in batch {
                driver.handle(report, false, &mut Sink::Tasks(self));
            }
        }
        if driver.finite_left == 0 {
            // The last finite job has ended: the forever jobs, nested ones included,
            // are cancelled now, not when the run future next runs (a forever nested
            // scheduler could start jobs, or fail, in between). After the inbox: a
            // forever job that failed as it started, in the same handling, is a
            // failure of the run.
            driver.close();
        }
    }

    /// For the run future: runs `f` on the driver with the inbox handled first, then
    /// lets go of the lock. A task that found the lock taken meanwhile left its report
    /// in the inbox: it is handled, as in [`Self::release`], but the run future does
    /// not notify itself (it would wake at once, and spin).
    fn with_driver<R>(self: &Arc<Self>, f: impl FnOnce(&mut Driver) -> R) -> R {
        let mut driver = lock(&self.driver);
        self.drain(&mut driver);
        let result = f(&mut driver);
        self.unlock(driver, false);
        result
    }

    /// Waits until `condition` holds, checked under the lock after each notification.
    async fn wait_until(self: &Arc<Self>, condition: impl Fn(&Driver) -> bool) {
        while !self.with_driver(|driver| condition(driver)) {
            self.done.notified().await;
        }
    }
}

/// Drops the futures of jobs cancelled before they started. A panic in one of those
/// drops is not a job's end (the job has ended, cancelled), and must not unwind
/// through a task that has a job to report: it is dropped here, as tokio drops the
/// panic of an aborted task.
fn drop_quietly(discarded: Vec<BoxFuture<'static, TaskEnd>>) {
    // One at a time: a second panic while a vector's drop unwinds would abort.
    for future in discarded {
        let _ = std::panic::catch_unwind(AssertUnwindSafe(move || drop(future)));
    }
}

/// Asks a nested run to wind down: `Some(deadline)` once its parent has cancelled it,
/// the deadline being the instant by which its shutdown hooks must be done (`None`: no
/// bound). Sent again when the parent's bound comes sooner. A sender dropped (the
/// parent gone) asks the same, with no bound.
type CancelTx = watch::Sender<Option<Option<Instant>>>;
type CancelRx = watch::Receiver<Option<Option<Instant>>>;

/// The earlier of two optional deadlines.
fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// What starting a job gave: a job queued, a nested run's task, or a report already
/// sent.
pub enum Spawned {
    /// The job's future is in the run's queue, where a task takes it (see [`Next`]).
    Queued,
    /// A nested scheduler: the sender asks it to cancel its own jobs, wait for them and
    /// run its shutdown hooks before it reports; its shared state is there to abort it
    /// at once if the run future is dropped.
    Nested(JoinHandle<()>, CancelTx, Arc<Shared>),
    /// The report was sent without a task.
    Reported,
    /// Single-task mode: the job's future is with the run future.
    Local,
    /// Single-task mode: a nested scheduler, asked to wind down through the sender.
    LocalNested(CancelTx),
}

/// Read access to the values of finished jobs, for jobs that consume them.
#[derive(Clone, Copy)]
pub struct Results<'a> {
    uid: u64,
    values: &'a [Option<Value>],
}

impl<'a> Results<'a> {
    pub(crate) fn get<T: 'static>(self, id: JobId) -> Option<&'a T> {
        if id.sched != self.uid {
            return None;
        }
        self.values.get(id.index())?.as_deref()?.downcast_ref::<T>()
    }
}

/// What a node needs to start its task.
pub struct SpawnCx<'a> {
    index: u32,
    name: JobName<'a>,
    /// The span of the scheduler: the parent of the job's span.
    span: &'a tracing::Span,
    /// Where the job goes: the queue of the run's tasks, or the run future's own set
    /// of jobs (single-task mode).
    place: Place<'a>,
    results: Results<'a>,
    events: Option<&'a EventSink>,
}

/// What a job kept by value needs to start in single-task mode: the run's values (its
/// inputs', and its own slot), and the run future's jobs, where its future is polled
/// at once.
pub(crate) struct LocalCx<'a> {
    index: u32,
    uid: u64,
    values: &'a mut [Option<Value>],
    local: &'a mut Local,
}

/// How the first poll of a job kept by value went, in single-task mode.
pub(crate) enum FirstPoll {
    /// The job waits: its future is with the run future's jobs.
    Pending,
    /// The job ended with a value, stored with the run's values already: nothing is
    /// moved through the driver but the job's index.
    Produced,
    /// The job ended otherwise (an error, a panic), or could not start.
    Ended(TaskEnd),
}

/// The box of the futures of one type of job, in single-task mode: a job that ends
/// at its first poll leaves it for the next job of its type.
pub(crate) type SpareBox<F> = Option<Pin<Box<Ending<F>>>>;

impl LocalCx<'_> {
    /// Boxes the job's future, in `spare` if there is one, and polls it for the first
    /// time. If it has ended, the box goes back to `spare`, and a value goes to its
    /// place in the run's values.
    #[inline]
    pub(crate) fn run<F, T, E>(self, spare: &mut SpareBox<F>, future: F) -> FirstPoll
    where
        F: Future<Output = Result<T, E>> + 'static,
        T: Send + Sync + 'static,
        E: Into<BoxError> + 'static,
    {
        let future = match spare.take() {
            Some(mut reused) => {
                reused.as_mut().set(job_end(future));
                reused
            }
            None => Box::pin(job_end(future)),
        };
        let mut other = None;
        let poll =
            |future: Pin<&mut Ending<F>>, cx: &mut Context<'_>| future.poll_value(cx, &mut other);
        match self
            .local
            .first_poll(self.index, false, future, spare, poll)
        {
            Poll::Pending => FirstPoll::Pending,
            Poll::Ready(Some(value)) => {
                self.values[self.index as usize] = Some(boxed(value));
                FirstPoll::Produced
            }
            Poll::Ready(None) => FirstPoll::Ended(other_end(other)),
        }
    }

    /// Makes the job's future with `make`, which runs user code (clones of inputs, the
    /// job's closure): a panic there is the job's failure. `None` from `make`: an input
    /// has no value. Then as [`Self::run`].
    pub(crate) fn make<F, T, E>(
        self,
        spare: &mut SpareBox<F>,
        make: impl FnOnce(Results<'_>) -> Option<F>,
    ) -> FirstPoll
    where
        F: Future<Output = Result<T, E>> + 'static,
        T: Send + Sync + 'static,
        E: Into<BoxError> + 'static,
    {
        let results = Results {
            uid: self.uid,
            values: &*self.values,
        };
        match std::panic::catch_unwind(AssertUnwindSafe(|| make(results))) {
            Ok(Some(future)) => self.run(spare, future),
            Ok(None) => FirstPoll::Ended(TaskEnd::internal("an input of the job has no value")),
            Err(panic) => FirstPoll::Ended(TaskEnd::Error(JobError::from_panic(panic))),
        }
    }
}

/// Where the driver's handling sends what it starts and the ends it knows without a
/// task: to tokio tasks reporting to the run's shared state, or to the run future's
/// own set (single-task mode).
pub(crate) enum Sink<'a> {
    Tasks(&'a Arc<Shared>),
    Local(&'a mut Local),
}

impl Sink<'_> {
    /// An end known without a task. In task mode the caller holds the driver's lock:
    /// the report waits in the inbox.
    fn report(&mut self, report: Report) {
        match self {
            Sink::Tasks(shared) => shared.push(report),
            Sink::Local(local) => local.reports.push_back(report),
        }
    }
}

/// Where a job starting goes: the run's queue, which its tasks take jobs from, or the
/// run future's own set (single-task mode).
pub(crate) enum Place<'a> {
    Tasks(&'a Arc<Shared>, &'a mut VecDeque<Next>),
    Local(&'a mut Local),
}

impl Place<'_> {
    /// As [`Sink::report`].
    fn report(&mut self, report: Report) {
        match self {
            Place::Tasks(shared, _) => shared.push(report),
            Place::Local(local) => local.reports.push_back(report),
        }
    }
}

pin_project! {
    /// A job's future, as its end: a panic while it is polled, or while it is dropped
    /// once it has ended, is the job's failure.
    #[project = EndingProj]
    pub(crate) enum Ending<F> {
        Running { #[pin] future: F },
        Ended,
    }
}

/// A job's future, as its end.
pub(crate) fn job_end<F>(future: F) -> Ending<F> {
    Ending::Running { future }
}

impl<F, T, E> Ending<F>
where
    F: Future<Output = Result<T, E>>,
    T: Send + Sync + 'static,
    E: Into<BoxError>,
{
    /// Polls the job's future: its value, or, if it ended otherwise (an error, a panic,
    /// in the future or in its drop once it has ended), nothing, and that end in
    /// `other`. Not a `Result` with the end in it: the value alone fits in registers,
    /// where a short job's `()` need not be written out and read back.
    #[inline]
    fn poll_value(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        other: &mut Option<TaskEnd>,
    ) -> Poll<Option<T>> {
        let EndingProj::Running { future } = self.as_mut().project() else {
            *other = Some(TaskEnd::internal("a job was polled after its end"));
            return Poll::Ready(None);
        };
        let value = match std::panic::catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(Ok(value))) => Some(value),
            Ok(Poll::Ready(Err(error))) => {
                let error = JobError::new(JobErrorKind::Error(error.into()));
                *other = Some(TaskEnd::Error(error));
                None
            }
            Err(panic) => {
                *other = Some(TaskEnd::Error(JobError::from_panic(panic)));
                None
            }
        };
        // Dropped here, not with the task or the box that holds it.
        if !std::mem::needs_drop::<F>() {
            self.set(Ending::Ended);
            return Poll::Ready(value);
        }
        match std::panic::catch_unwind(AssertUnwindSafe(|| self.set(Ending::Ended))) {
            Ok(()) => Poll::Ready(value),
            Err(panic) => {
                *other = Some(TaskEnd::Error(JobError::from_panic(panic)));
                Poll::Ready(None)
            }
        }
    }
}

impl<F, T, E> Future for Ending<F>
where
    F: Future<Output = Result<T, E>>,
    T: Send + Sync + 'static,
    E: Into<BoxError>,
{
    type Output = TaskEnd;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<TaskEnd> {
        let mut other = None;
        self.poll_value(cx, &mut other).map(|value| match value {
            Some(value) => TaskEnd::Value(boxed(value)),
            None => other_end(other),
        })
    }
}

/// The end [`Ending::poll_value`] left in its out-slot when it gave no value; it
/// always leaves one, but a missing one is the job's failure, not a panic.
fn other_end(other: Option<TaskEnd>) -> TaskEnd {
    other.unwrap_or_else(|| TaskEnd::internal("a job ended without its end"))
}

/// A job's label for logs, formatted only when a log is written.
#[derive(Clone, Copy)]
struct JobName<'a> {
    label: Option<&'a str>,
    index: u32,
}

impl std::fmt::Display for JobName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.label {
            Some(label) => f.write_str(label),
            None => write!(f, "job-{}", self.index + 1),
        }
    }
}

impl<'a> SpawnCx<'a> {
    pub(crate) fn results(&self) -> Results<'a> {
        self.results
    }

    /// Queues the job's future for the run's tasks. Its panic is caught and becomes
    /// the job's failure.
    pub(crate) fn spawn<F, T, E>(self, future: F) -> Spawned
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + Sync + 'static,
        E: Into<BoxError> + 'static,
    {
        let ready = match self.place {
            Place::Tasks(_, ready) => ready,
            Place::Local(local) => return local.start(self.index, future),
        };
        let span =
            tracing::debug_span!(target: "jobs_core", parent: self.span, "job", job = %self.name);
        ready.push_back(Next {
            index: self.index,
            future: Box::pin(job_end(future).instrument(span)),
        });
        Spawned::Queued
    }

    /// Starts a job whose future is not `Send`: only in single-task mode.
    pub(crate) fn spawn_local<F, T, E>(self, future: F) -> Spawned
    where
        F: Future<Output = Result<T, E>> + 'static,
        T: Send + Sync + 'static,
        E: Into<BoxError> + 'static,
    {
        match self.place {
            Place::Local(local) => local.start(self.index, future),
            // `run` rejects such graphs before anything starts.
            Place::Tasks(..) => self.spawn_end(TaskEnd::internal(
                "a local job was started outside single-task mode",
            )),
        }
    }

    /// Reports an end at once, without a task.
    pub(crate) fn spawn_end(mut self, end: TaskEnd) -> Spawned {
        self.place.report(Report::without_task(self.index, end));
        Spawned::Reported
    }

    fn spawn_nested(self, mut driver: Driver) -> Spawned {
        if driver.events.is_none() {
            driver.events = self.events.map(EventSink::nested);
        }
        driver.span = tracing::info_span!(
            target: "jobs_core",
            parent: self.span,
            "scheduler",
            label = %self.name
        );
        let span = driver.span.clone();
        let (cancel_tx, cancel_rx) = watch::channel(None);
        let parent = match self.place {
            Place::Tasks(parent, _) => parent,
            Place::Local(local) => {
                // The nested scheduler runs in single-task mode too, inside this run.
                let future = async move {
                    let result = AssertUnwindSafe(run_local(driver, Some(cancel_rx)))
                        .catch_unwind()
                        .await;
                    match result {
                        Ok(result) => TaskEnd::Nested(Box::new(result)),
                        Err(panic) => TaskEnd::Error(JobError::from_panic(panic)),
                    }
                };
                local.start_nested(self.index, future.instrument(span));
                return Spawned::LocalNested(cancel_tx);
            }
        };
        let shared = Shared::new(driver);
        let task = Owned {
            future: run(shared.clone(), Some(cancel_rx)),
            guard: Guard::nested(parent.clone(), self.index),
        };
        let handle = tokio::spawn(
            async move {
                let Owned { future, mut guard } = task;
                let result = AssertUnwindSafe(future).catch_unwind().await;
                guard.end = Some(match result {
                    Ok(result) => TaskEnd::Nested(Box::new(result)),
                    Err(panic) => TaskEnd::Error(JobError::from_panic(panic)),
                });
            }
            .instrument(span),
        );
        Spawned::Nested(handle, cancel_tx, shared)
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
    fn kind(&self) -> crate::job::NodeKind {
        crate::job::NodeKind::Nested
    }
    fn spawn(&mut self, cx: SpawnCx<'_>) -> Spawned {
        let Some(mut s) = self.0.take() else {
            return cx.spawn_end(TaskEnd::internal("nested scheduler started twice"));
        };
        match graph::prepare(&mut s, true) {
            Ok(plan) => cx.spawn_nested(Driver::new(s, plan)),
            Err(e) => {
                let failure = Failure {
                    reason: Reason::Invalid(e),
                    outcome: Outcome::idle(s, None),
                };
                cx.spawn_end(TaskEnd::Nested(Box::new(Err(failure))))
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

impl Scheduler {
    /// Runs the workflow to its end and returns every job's result.
    ///
    /// The run fails if a critical job fails or the timeout expires; the [`Failure`]
    /// still carries the full outcome. An invalid graph (a cycle, a requirement on a
    /// job of another scheduler, a finite job requiring a forever job, a window of 0,
    /// more than 2³¹ jobs) fails before anything starts. Dropping the returned future
    /// cancels every job.
    ///
    /// On a multi-thread runtime the driver runs in a task of its own, next to the
    /// jobs, rather than in the caller's task (which may be a `block_on` future).
    ///
    /// Jobs run in tokio tasks, in parallel, but not one task each: a job that starts
    /// is queued, and the run's tasks take queued jobs, oldest first, as many at once
    /// as the runtime has workers. A job that waits (any `.await` that is pending)
    /// keeps the task it started in, and the others go on in other tasks; jobs that
    /// never wait run one after the other in a few tasks, without a spawn each. So
    /// jobs that wait on each other, or block their thread on each other with tokio's
    /// `block_in_place`, all start; and
    /// [`tokio::task::id`] does not tell two jobs apart.
    ///
    /// A scheduler runs once: `run` consumes it, so running it twice does not compile.
    ///
    /// ```compile_fail,E0382
    /// # async fn f() {
    /// let s = jobs_core::Scheduler::new();
    /// let first = s.run().await;
    /// let second = s.run().await; // error[E0382]: use of moved value: `s`
    /// # }
    /// ```
    #[allow(
        clippy::manual_async_fn,
        reason = "the signature promises a `Send + 'static` future"
    )]
    pub fn run(self) -> impl Future<Output = Result<Outcome, Failure>> + Send + 'static {
        async move {
            let (driver, handle) = self.start(false)?;
            let span = driver.span.clone();
            if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread {
                let shared = Shared::new(driver);
                let task = RunTask {
                    handle: tokio::spawn(run(shared.clone(), None).instrument(span)),
                    shared,
                };
                match task.await {
                    Ok(result) => result,
                    Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                    // The runtime is shutting down: nobody is left to read an outcome.
                    Err(_) => std::future::pending().await,
                }
            } else {
                run(Shared::new(driver), None).instrument(span).await
            }
        }
    }
}

impl Scheduler {
    /// Runs the workflow in single-task mode: every job's future, those of nested
    /// schedulers too, is polled inside the returned future, as asyncio polls its
    /// coroutines in one event loop; no task is spawned. So jobs need not be `Send`
    /// ([`add_local`](Self::add_local)); jobs run concurrently, never in parallel.
    ///
    /// A job starts (its future is made, or its [`Job::run`](crate::Job::run) called)
    /// when the run future first polls it: jobs ready together start one after the
    /// other, each once the one before has had its first poll, and a run that ends
    /// first cancels those not yet started without making them. A job's future is
    /// boxed when it starts; jobs of one type (futures, or
    /// [`add_with`](Self::add_with) jobs) that end at their first poll share one box,
    /// so that a loop of short jobs allocates nothing per job.
    ///
    /// The run semantics are those of [`run`](Self::run), with the same outcome.
    /// The future is not `Send`: await it on a current-thread runtime, in a
    /// [`LocalSet`](tokio::task::LocalSet), or from a task's own future. A tokio
    /// runtime is needed for timeouts (and by the jobs that use tokio). A job that
    /// blocks its thread blocks every job of the run.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use jobs_core::{Scheduler, infallible};
    /// let mut s = Scheduler::new();
    /// let a = s.add(infallible(async { 20 })).id();
    /// let b = s.add_with((a,), |(a,)| async move { Ok::<_, std::io::Error>(a + 22) }).id();
    /// let outcome = s.run_local().await.unwrap();
    /// assert_eq!(outcome.value(b), Some(&42));
    /// # }
    /// ```
    pub async fn run_local(self) -> Result<Outcome, Failure> {
        let (driver, _) = self.start(true)?;
        let span = driver.span.clone();
        run_local(driver, None).instrument(span).await
    }

    /// Validates the workflow, checks that a runtime is there, and makes the driver.
    fn start(mut self, local_ok: bool) -> Result<(Driver, tokio::runtime::Handle), Failure> {
        let plan = match graph::prepare(&mut self, local_ok) {
            Ok(plan) => plan,
            Err(e) => {
                let reason = Reason::Invalid(e);
                return Err(Failure {
                    outcome: Outcome::idle(self, Some(reason.clone())),
                    reason,
                });
            }
        };
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return Err(Failure {
                outcome: Outcome::idle(self, Some(Reason::NoRuntime)),
                reason: Reason::NoRuntime,
            });
        };
        let span = tracing::info_span!(
            target: "jobs_core",
            "scheduler",
            label = self.label.as_deref().unwrap_or("")
        );
        let mut driver = Driver::new(self, plan);
        driver.span = span;
        Ok((driver, handle))
    }
}

/// A run in a task of its own: dropping it aborts the task and, at once, every job of
/// the run (the task itself is only dropped when the runtime next gets to it).
struct RunTask {
    handle: JoinHandle<Result<Outcome, Failure>>,
    shared: Arc<Shared>,
}

impl Drop for RunTask {
    fn drop(&mut self) {
        if !self.handle.is_finished() {
            self.handle.abort();
            self.shared.abort_all();
        }
    }
}

impl Future for RunTask {
    type Output = Result<Result<Outcome, Failure>, tokio::task::JoinError>;
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        self.handle.poll_unpin(cx)
    }
}

/// A running nested scheduler, as its parent's driver sees it.
struct NestedRun {
    /// Asks the nested run to wind down.
    cancel: CancelTx,
    /// Task mode: the nested run's task, aborted if the run future is dropped.
    task: Option<JoinHandle<()>>,
    /// Task mode: the nested run's state, to cancel or abort it at once.
    shared: Option<Arc<Shared>>,
}

/// What is left of a run once it has concluded: its jobs (the futures of those that
/// never started among them), and its per-job arrays. The run future drops them before
/// it returns, not whichever task lets go of the shared state last: a runner between
/// jobs, or on standby, may hold it a little after the run, until the runtime next
/// polls it.
pub(crate) struct Leftovers {
    _nodes: Nodes,
    _plan: Plan,
    _pending: Vec<u32>,
    _scratch: [Vec<u32>; 2],
    _work: Vec<(u32, bool)>,
}

/// The state of one run of a scheduler. Per-job data is in flat arrays; what only a
/// few jobs have (errors, nested outcomes, shutdown statuses) is in maps.
pub(crate) struct Driver {
    uid: u64,
    label: Option<String>,
    window: Option<usize>,
    timeout: Option<Duration>,
    shutdown_timeout: Option<Duration>,
    /// Set when the parent cancelled this run: its hooks must be done by then too.
    hooks_deadline: Option<Instant>,
    nodes: Nodes,
    meta: Vec<Meta>,
    labels: Labels,
    details: BTreeMap<u32, String>,
    show: BTreeMap<u32, ShowFn>,
    plan: Plan,
    states: Vec<State>,
    /// Requirements of each job not yet done.
    pending: Vec<u32>,
    values: Vec<Option<Value>>,
    /// The tasks of running jobs, nested runs aside.
    tasks: Tasks,
    /// The running nested schedulers.
    nested_runs: BTreeMap<u32, NestedRun>,
    /// Jobs that will be skipped, with the consumed input that produced no value.
    starved: BTreeMap<u32, u32>,
    errors: BTreeMap<u32, JobError>,
    nested: BTreeMap<u32, Box<Outcome>>,
    shutdown: BTreeMap<u32, ShutdownStatus>,
    /// Ready finite jobs waiting for a window slot, in the order they became ready.
    queue: VecDeque<u32>,
    /// Task mode: jobs started, their futures made, for the run's tasks to take, in
    /// the order they started.
    ready: VecDeque<Next>,
    /// Task mode: the futures of jobs cancelled in `ready`, to drop once the lock is
    /// let go.
    discarded: Vec<BoxFuture<'static, TaskEnd>>,
    /// Finite jobs started and not yet reported: the window slots in use.
    running: usize,
    /// Jobs started and not yet reported, queued ones included (finite and forever).
    live: usize,
    /// Finite jobs not yet finished, skipped or cancelled; the run ends at zero.
    finite_left: usize,
    failure: Option<Reason>,
    /// Once set, reports are recorded but start nothing. Shared with the tasks, which
    /// read it without the lock: a task handed a job checks it before starting the
    /// job. Written only under the lock.
    closed: Arc<AtomicBool>,
    /// Scratch stack for skip propagation.
    work: Vec<(u32, bool)>,
    /// Scratch list of the jobs that became ready in one propagation.
    newly_ready: Vec<u32>,
    /// The jobs to start at the end of one handling, in order.
    starting: Vec<u32>,
    events: Option<EventSink>,
    /// This run's span: the parent of its jobs' spans.
    span: tracing::Span,
}

impl Driver {
    fn new(mut s: Scheduler, prepared: Prepared) -> Driver {
        let n = s.nodes.len();
        let plan = prepared.plan(std::mem::take(&mut s.links));
        let pending = (0..n).map(|i| plan.requires(i).len() as u32).collect();
        Driver {
            uid: s.uid,
            label: s.label.take(),
            window: s.window,
            timeout: s.timeout,
            shutdown_timeout: s.shutdown_timeout,
            hooks_deadline: None,
            finite_left: plan.finite,
            nodes: std::mem::take(&mut s.nodes),
            meta: std::mem::take(&mut s.meta),
            labels: std::mem::take(&mut s.labels),
            details: std::mem::take(&mut s.details),
            show: std::mem::take(&mut s.show),
            plan,
            states: vec![State::Idle; n],
            pending,
            values: (0..n).map(|_| None).collect(),
            tasks: Tasks::default(),
            nested_runs: BTreeMap::new(),
            starved: BTreeMap::new(),
            errors: BTreeMap::new(),
            nested: BTreeMap::new(),
            shutdown: BTreeMap::new(),
            queue: VecDeque::new(),
            ready: VecDeque::new(),
            discarded: Vec::new(),
            running: 0,
            live: 0,
            failure: None,
            closed: Arc::new(AtomicBool::new(false)),
            work: Vec::new(),
            newly_ready: Vec::new(),
            starting: Vec::new(),
            events: s.events.take(),
            span: tracing::Span::none(),
        }
    }

    /// Whether the run is winding down: reports are recorded, nothing starts.
    fn closing(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
    }

    /// Whether the run has ended: a failure, or every finite job done.
    fn ended(&self) -> bool {
        self.failure.is_some() || self.finite_left == 0
    }

    fn name(&self, i: usize) -> JobName<'_> {
        JobName {
            label: self.labels.get(i),
            index: i as u32,
        }
    }

    /// Logs a job's new state, and sends it to the event stream if there is one.
    #[inline]
    fn observe(&self, i: usize) {
        if self.events.is_some() || tracing::enabled!(target: "jobs_core", tracing::Level::DEBUG) {
            self.report_state(i);
        }
    }

    #[inline(never)]
    fn report_state(&self, i: usize) {
        let state = self.states[i];
        let error = self.errors.get(&(i as u32));
        let name = self.name(i);
        match error {
            Some(error) => tracing::debug!(target: "jobs_core", job = %name, %state, %error),
            None => tracing::debug!(target: "jobs_core", job = %name, %state),
        }
        if let Some(events) = &self.events {
            events.send(Event {
                job: JobId {
                    sched: self.uid,
                    index: i as u32,
                },
                label: self.label_of(i),
                depth: events.depth,
                state,
                error: error.cloned(),
            });
        }
    }

    /// A job's requirements are all done.
    /// It starts with the next [`Self::start`], or waits for a window slot.
    fn ready(&mut self, i: u32) {
        if self.meta[i as usize].forever {
            self.set_running(i);
            return;
        }
        let free = self.window.is_none_or(|w| self.running < w);
        if free && self.queue.is_empty() {
            self.running += 1;
            self.set_running(i);
        } else {
            self.states[i as usize] = State::Scheduled;
            self.observe(i as usize);
            self.queue.push_back(i);
        }
    }

    /// Job `i` runs from now on: it starts with the next [`Self::start`], in the same
    /// handling.
    fn set_running(&mut self, i: u32) {
        self.states[i as usize] = State::Running;
        self.observe(i as usize);
        self.starting.push(i);
    }

    /// Starts the jobs made ready, in order: in task mode they join the run's queue,
    /// and the lock's holder spawns runners for them as it lets go.
    /// Once the run is closing, they are cancelled instead.
    fn start(&mut self, sink: &mut Sink<'_>) {
        if self.starting.is_empty() {
            return;
        }
        let mut starting = std::mem::take(&mut self.starting);
        // Nothing below closes the run: the test holds for every job.
        if self.closing() {
            for &i in &starting {
                self.states[i as usize] = State::Cancelled;
                self.observe(i as usize);
            }
        } else {
            match sink {
                Sink::Tasks(shared) => {
                    for &i in &starting {
                        self.spawn(i, shared);
                    }
                }
                Sink::Local(local) => {
                    // Single-task mode: they start when the run future first polls
                    // them (see `Self::start_local`).
                    self.live += starting.len();
                    local.defer(&starting);
                }
            }
        }
        starting.clear();
        self.starting = starting;
    }

    /// Task mode: starts job `i`: queues its future, or spawns its nested run.
    fn spawn(&mut self, i: u32, shared: &Arc<Shared>) {
        self.live += 1;
        if self.meta[i as usize].nested {
            // A nested run has a task of its own at once: runners for the jobs started
            // before it are spawned first, so that those are first polled first (as
            // many as `top_up` spawns; the others wait for a runner to come back).
            self.top_up(shared);
        }
        if let Spawned::Nested(task, cancel, shared) = self.start_node(i, &mut Sink::Tasks(shared))
        {
            let run = NestedRun {
                cancel,
                task: Some(task),
                shared: Some(shared),
            };
            self.nested_runs.insert(i, run);
        }
    }

    /// Task mode: spawns runners for the jobs queued, each with the oldest one, until
    /// the run has as many runners as the runtime has workers; then, if jobs are still
    /// queued, one on standby (see [`Shared::standby`]).
    fn top_up(&mut self, shared: &Arc<Shared>) {
        while !self.ready.is_empty() && shared.runners.load(Ordering::SeqCst) < shared.workers {
            let next = self.ready.pop_front();
            shared.runners.fetch_add(1, Ordering::SeqCst);
            shared.unstarted.fetch_add(1, Ordering::Relaxed);
            let slot = self.tasks.reserve();
            let task = spawn_task(shared, next, slot);
            self.tasks.fill(slot, task);
        }
        if !self.ready.is_empty() && shared.standby.load(Ordering::SeqCst) == 0 {
            shared.standby.fetch_add(1, Ordering::SeqCst);
            let slot = self.tasks.reserve();
            let task = spawn_task(shared, None, slot);
            self.tasks.fill(slot, task);
        }
    }

    /// Single-task mode: starts job `i`, which [`Self::start`] queued, and polls it for
    /// the first time. A job kept by value tells how that went: a value it ended with
    /// is in `values` already, any other end comes back. A job started through its
    /// node leaves its end, if any, in `local.reports`.
    fn start_local(&mut self, i: u32, local: &mut Local) -> FirstPoll {
        if let Some(at) = self.nodes.stored(i as usize) {
            let cx = LocalCx {
                index: i,
                uid: self.uid,
                values: &mut self.values,
                local,
            };
            return self.nodes.start_stored(at, cx);
        }
        let spawned = self.start_node(i, &mut Sink::Local(local));
        if let Spawned::LocalNested(cancel) = spawned {
            let run = NestedRun {
                cancel,
                task: None,
                shared: None,
            };
            self.nested_runs.insert(i, run);
        }
        FirstPoll::Pending
    }

    /// Has job `i`'s node start it: queue its future for the run's tasks, or give it
    /// to the run future.
    fn start_node(&mut self, i: u32, sink: &mut Sink<'_>) -> Spawned {
        let at = i as usize;
        let cx = SpawnCx {
            index: i,
            name: JobName {
                label: self.labels.get(at),
                index: i,
            },
            span: &self.span,
            place: match sink {
                Sink::Tasks(shared) => Place::Tasks(shared, &mut self.ready),
                Sink::Local(local) => Place::Local(local),
            },
            results: Results {
                uid: self.uid,
                values: &self.values,
            },
            events: self.events.as_ref(),
        };
        // `spawn` runs user code (`Job::run`, clones of inputs): a panic there is the
        // job's failure, and must not unwind through the scheduler.
        let nodes = &mut self.nodes;
        match std::panic::catch_unwind(AssertUnwindSafe(|| nodes.start(at, cx))) {
            Ok(spawned) => spawned,
            Err(panic) => {
                sink.report(Report::without_task(
                    i,
                    TaskEnd::Error(JobError::from_panic(panic)),
                ));
                Spawned::Reported
            }
        }
    }

    /// Starts queued jobs while window slots are free.
    fn pump(&mut self) {
        while self.window.is_none_or(|w| self.running < w) {
            let Some(i) = self.queue.pop_front() else {
                break;
            };
            self.running += 1;
            self.set_running(i);
        }
    }

    /// Records a job's end, and starts what it lets start. `own`: the end is reported
    /// by its task, which may take a job to run next.
    fn handle(&mut self, report: Report, own: bool, sink: &mut Sink<'_>) {
        // The reporting task keeps its slot until it knows whether it takes a job.
        if !own && report.slot != NO_SLOT {
            self.tasks.release(report.slot);
        }
        self.record(report, sink);
    }

    fn record(&mut self, Report { index, end, .. }: Report, sink: &mut Sink<'_>) {
        let i = index as usize;
        let (state, produced) = match end {
            TaskEnd::Value(value) => {
                self.values[i] = Some(value);
                (State::Done, true)
            }
            TaskEnd::Nested(result) => match *result {
                Ok(outcome) => {
                    self.nested.insert(index, Box::new(outcome));
                    (State::Done, true)
                }
                Err(failure) => {
                    self.nested.insert(index, Box::new(failure.outcome));
                    if matches!(failure.reason, Reason::Cancelled) {
                        (State::Cancelled, false)
                    } else {
                        let error = JobError::new(JobErrorKind::Nested(failure.reason));
                        self.errors.insert(index, error);
                        (State::Failed, false)
                    }
                }
            },
            TaskEnd::Error(error) => {
                self.errors.insert(index, error);
                (State::Failed, false)
            }
            TaskEnd::Cancelled => (State::Cancelled, false),
        };
        self.settle(index, state, produced, sink);
    }

    /// Single-task mode: job `index` ended with a value, which is in its place in
    /// `values` already.
    fn produced(&mut self, index: u32, sink: &mut Sink<'_>) {
        self.settle(index, State::Done, true, sink);
    }

    /// Job `index` ended in `state`, what it left recorded (`produced`: with a value):
    /// starts what its end lets start, or ends the run.
    fn settle(&mut self, index: u32, state: State, produced: bool, sink: &mut Sink<'_>) {
        let i = index as usize;
        self.account(index, state);
        // The run's result is decided when it ends: what reports while it winds down
        // (a forever nested scheduler that failed before its parent's end, but reports
        // after its shutdown hooks) is recorded, and changes nothing else.
        if self.closing() {
            return;
        }
        // Only closing cancels a task: one cancelled before is being dropped by its
        // runtime shutting down. The run will not go on; it must start nothing more.
        if state == State::Cancelled {
            self.failure.get_or_insert(Reason::Cancelled);
            self.close();
            return;
        }
        if self.meta[i].critical && state == State::Failed {
            self.fail(i);
            return;
        }
        self.propagate(index, produced);
        if self.failure.is_none() {
            self.pump();
        }
        if self.finite_left == 0 {
            // This end is the run's: the forever jobs it made ready never start.
            self.close();
        }
        self.start(sink);
    }

    /// Job `index`, started, ended in `state`: it no longer runs.
    fn account(&mut self, index: u32, state: State) {
        let i = index as usize;
        self.live -= 1;
        if self.meta[i].nested {
            self.nested_runs.remove(&index);
        }
        self.states[i] = state;
        self.observe(i);
        if !self.meta[i].forever {
            self.running -= 1;
            self.finite_left -= 1;
        }
    }

    /// A critical job failed or was skipped: the run aborts.
    fn fail(&mut self, i: usize) {
        if self.failure.is_none() {
            let error = self
                .errors
                .get(&(i as u32))
                .cloned()
                .unwrap_or_else(|| JobError::new(JobErrorKind::Error("failed".into())));
            self.failure = Some(Reason::Critical {
                job: self.label_of(i),
                error,
            });
            // Cancel at once, not when the run future next runs: a nested scheduler
            // must not start its jobs in between.
            self.close();
        }
    }

    /// Job `index` ended (`produced`: with a value): count its successors down, start
    /// the ones that become ready, skip the ones starved of an input.
    fn propagate(&mut self, index: u32, produced: bool) {
        if self.plan.successor_range(index as usize).is_empty() {
            return;
        }
        let mut skipped = false;
        self.work.push((index, produced));
        while let Some((j, produced)) = self.work.pop() {
            // By position: the loop changes the driver as it goes.
            for k in self.plan.successor_range(j as usize) {
                let edge = self.plan.edge(k);
                let s = edge.index() as usize;
                if !produced && edge.consumes() {
                    self.starved.entry(s as u32).or_insert(j);
                }
                self.pending[s] -= 1;
                if self.pending[s] > 0 {
                    continue;
                }
                match self.starved.get(&(s as u32)) {
                    None => self.newly_ready.push(s as u32),
                    Some(&input) => {
                        skipped = true;
                        let input = self.label_of(input as usize);
                        self.states[s] = State::Skipped;
                        self.errors
                            .insert(s as u32, JobError::new(JobErrorKind::Skipped { input }));
                        self.observe(s);
                        if !self.meta[s].forever {
                            self.finite_left -= 1;
                        }
                        if self.meta[s].critical {
                            self.fail(s);
                        }
                        self.work.push((s as u32, false));
                    }
                }
            }
        }
        // Jobs that became ready together start in declaration order. Successor lists
        // are ascending, so only a cascade of skips can mix them up.
        let mut newly_ready = std::mem::take(&mut self.newly_ready);
        if skipped {
            newly_ready.sort_unstable();
        }
        for &s in &newly_ready {
            if self.failure.is_none() {
                self.ready(s);
            }
        }
        newly_ready.clear();
        self.newly_ready = newly_ready;
    }

    fn label_of(&self, i: usize) -> String {
        if let Some(label) = self.labels.get(i) {
            return label.to_string();
        }
        let nested = self.nested.get(&(i as u32)).map(|o| &o.0.label);
        match nested.or(self.nodes.nested(i).map(|s| &s.label)) {
            Some(Some(label)) => label.clone(),
            _ if self.meta[i].nested => format!("scheduler-{}", i + 1),
            _ => format!("job-{}", i + 1),
        }
    }

    /// The run is over: cancel what is queued or running. The run future then waits
    /// until every task has reported, so that no job outlives the run.
    fn close(&mut self) {
        if self.closing() {
            return;
        }
        self.closed.store(true, Ordering::Release);
        while let Some(i) = self.queue.pop_front() {
            self.states[i as usize] = State::Cancelled;
            self.observe(i as usize);
        }
        // Started jobs no task has taken yet never start: they end here, and their
        // futures are dropped once the lock is let go.
        while let Some(next) = self.ready.pop_front() {
            self.account(next.index, State::Cancelled);
            self.discarded.push(next.future);
        }
        // Nested schedulers are asked to wind down (below), not aborted.
        self.tasks.abort_all();
        // The nested schedulers wind down at once: no job of theirs starts from now on
        // (their run futures would see the cancel signal only when next polled).
        // Parent first, child second: a child never waits for its parent's lock.
        // They stay in `nested_runs` until they report, for `abort_all`.
        // (In single-task mode, the run future drops its jobs' futures when it sees
        // the run closing, and nested runs see their cancel signal before anything
        // else when next polled.)
        self.cancel_nested();
    }

    /// Cancels the running nested schedulers, their shutdown hooks bounded by this
    /// run's own bound for winding down.
    fn cancel_nested(&mut self) {
        if self.nested_runs.is_empty() {
            return;
        }
        let deadline = self.wind_down_deadline();
        for run in self.nested_runs.values() {
            if let Some(shared) = &run.shared {
                // Let go through `release`: a nested task that reported meanwhile found
                // the lock taken and left its report in the inbox, for the holder.
                let mut nested = lock(&shared.driver);
                nested.cancel(deadline);
                // Dropped once this run's lock is let go, not under it.
                self.discarded.append(&mut nested.discarded);
                shared.release(nested, None);
            }
            // The message wakes the nested run future, in its hooks too.
            run.cancel.send_if_modified(|asked| {
                let sooner = match *asked {
                    Some(before) => earliest(before, deadline),
                    None => deadline,
                };
                let changed = *asked != Some(sooner);
                *asked = Some(sooner);
                changed
            });
        }
    }

    /// The instant by which this run's shutdown hooks, and those of its nested runs
    /// when it cancels them, must be done: its `shutdown_timeout` from now, and its
    /// parent's bound if its parent cancelled it.
    fn wind_down_deadline(&self) -> Option<Instant> {
        let own = self.shutdown_timeout.map(|t| Instant::now() + t);
        earliest(own, self.hooks_deadline)
    }

    /// The parent asked this run to end, with its hooks done by `deadline`. A run that
    /// has already ended keeps its result: only its hooks are bounded.
    fn cancel(&mut self, deadline: Option<Instant>) {
        let sooner = earliest(self.hooks_deadline, deadline);
        let changed = sooner != self.hooks_deadline;
        self.hooks_deadline = sooner;
        if !self.closing() {
            self.failure.get_or_insert(Reason::Cancelled);
            self.close();
        } else if changed {
            // Already winding down: its nested runs' hooks get the sooner bound too.
            self.cancel_nested();
        }
    }

    /// Aborts every task at once: the run future was dropped. Returns the nested runs,
    /// for the caller to abort theirs once this lock is let go.
    fn abort_all(&mut self) -> Vec<Arc<Shared>> {
        self.closed.store(true, Ordering::Release);
        self.tasks.abort_all();
        self.discarded
            .extend(self.ready.drain(..).map(|next| next.future));
        let nested = std::mem::take(&mut self.nested_runs).into_values();
        nested
            .filter_map(|run| {
                if let Some(task) = &run.task {
                    task.abort();
                }
                run.shared
            })
            .collect()
    }

    /// Takes every job's shutdown hook, each marked timed out until it reports,
    /// including those of the jobs of nested schedulers that never ran (those that ran
    /// shut their jobs down themselves).
    fn shutdown_hooks(&mut self) -> Vec<Hook> {
        let mut hooks = Vec::new();
        for (i, meta) in self.meta.iter().enumerate() {
            // Only nested schedulers and custom jobs have hooks.
            if !(meta.nested || meta.custom) {
                continue;
            }
            let Some(node) = self.nodes.node_mut(i) else {
                continue;
            };
            if meta.nested
                && let Some(nested) = node.take_nested()
            {
                let (outcome, nested_hooks) = idle_with_hooks(nested, vec![i]);
                self.nested.insert(i as u32, Box::new(outcome));
                hooks.extend(nested_hooks);
            } else if meta.custom
                && let Some(hook) = take_hook(node)
            {
                self.shutdown.insert(i as u32, ShutdownStatus::TimedOut);
                hooks.push(Hook {
                    path: vec![i],
                    hook,
                });
            }
        }
        hooks
    }

    /// Records the statuses of the hooks that reported.
    fn record_shutdown(&mut self, statuses: Vec<(Vec<usize>, ShutdownStatus)>) {
        for (path, status) in statuses {
            match path.as_slice() {
                [] => {}
                [i] => {
                    self.shutdown.insert(*i as u32, status);
                }
                [first, middle @ .., last] => {
                    let outcome = self
                        .nested
                        .get_mut(&(*first as u32))
                        .and_then(|o| o.nested_at(middle));
                    if let Some(outcome) = outcome {
                        outcome.0.shutdown.insert(*last as u32, status);
                    }
                }
            }
        }
    }

    /// The run's result once its hooks have reported, and what is left of the run, for
    /// the caller to drop before it returns.
    fn conclude(
        &mut self,
        statuses: Vec<(Vec<usize>, ShutdownStatus)>,
        elapsed: Duration,
    ) -> (Result<Outcome, Failure>, Leftovers) {
        self.record_shutdown(statuses);
        let outcome = self.take_outcome(elapsed);
        let result = match outcome.0.reason.clone() {
            None => Ok(outcome),
            Some(reason) => Err(Failure { reason, outcome }),
        };
        let leftovers = Leftovers {
            _nodes: std::mem::take(&mut self.nodes),
            _plan: std::mem::take(&mut self.plan),
            _pending: std::mem::take(&mut self.pending),
            _scratch: [
                std::mem::take(&mut self.newly_ready),
                std::mem::take(&mut self.starting),
            ],
            _work: std::mem::take(&mut self.work),
        };
        (result, leftovers)
    }

    fn take_outcome(&mut self, elapsed: Duration) -> Outcome {
        for i in 0..self.nodes.len() {
            if self.meta[i].nested
                && let Some(nested) = self.nodes.take_nested(i)
            {
                self.nested
                    .insert(i as u32, Box::new(Outcome::idle(nested, None)));
            }
        }
        Outcome(Box::new(OutcomeData {
            uid: self.uid,
            label: self.label.take(),
            reason: self.failure.take(),
            elapsed,
            meta: std::mem::take(&mut self.meta),
            labels: std::mem::take(&mut self.labels),
            requires: self.plan.take_requires(),
            states: std::mem::take(&mut self.states),
            values: std::mem::take(&mut self.values),
            errors: std::mem::take(&mut self.errors),
            nested: std::mem::take(&mut self.nested),
            shutdown: std::mem::take(&mut self.shutdown),
            details: std::mem::take(&mut self.details),
            show: std::mem::take(&mut self.show),
        }))
    }
}

/// Waits until the parent cancels this run, or brings its bound sooner; returns the
/// parent's bound for the hooks. The receiver is done with once the parent is gone.
async fn wait_cancel(cancel: &mut Option<CancelRx>) -> Option<Instant> {
    let rx = cancel.as_mut()?;
    loop {
        if rx.changed().await.is_err() {
            // The parent is gone: cancelled, with no bound.
            *cancel = None;
            return None;
        }
        if let Some(deadline) = *rx.borrow_and_update() {
            return deadline;
        }
    }
}

/// Runs a prepared scheduler: starts the entry jobs, waits for the end (or the
/// timeout, or the parent's cancellation), cancels what is left and waits for it, runs
/// the shutdown hooks, and reports.
async fn run(shared: Arc<Shared>, mut cancel: Option<CancelRx>) -> Result<Outcome, Failure> {
    let timeout = lock(&shared.driver).timeout;
    // Dropping the run future aborts every task still running.
    let _abort = AbortAll(&shared);
    let started = Instant::now();
    // Start the entry jobs a few at a time, letting go of the lock in between, so that
    // the first ones to finish handle their own ends instead of queueing them.
    let jobs = lock(&shared.driver).states.len();
    let mut next = 0;
    while next < jobs {
        // A parent that failed already: start nothing.
        if let Some(deadline) = cancel_asked(&mut cancel) {
            shared.with_driver(|d| d.cancel(deadline));
        }
        let mut driver = lock(&shared.driver);
        let end = (next + 64).min(jobs);
        for i in next..end {
            let removed = driver.meta[i].removed;
            let open = driver.failure.is_none() && !driver.closing();
            if driver.pending[i] == 0 && !removed && open {
                driver.ready(i as u32);
            }
        }
        driver.start(&mut Sink::Tasks(&shared));
        next = end;
        shared.release(driver, None);
    }
    // With no job at all, nothing above looked at whether the run is over.
    shared.combine();
    let deadline = timeout.map(|t| started + t);
    // Made only with a deadline: a runtime without timers runs workflows without one.
    let mut sleep = deadline.map(|deadline| Box::pin(tokio::time::sleep_until(deadline)));
    tokio::select! {
        biased;
        () = shared.wait_until(Driver::ended) => {}
        () = async { sleep.as_mut().expect("a deadline").await }, if sleep.is_some() => {
            let timeout = Reason::Timeout(timeout.unwrap_or_default());
            shared.with_driver(|d| d.failure.get_or_insert(timeout).clone());
        }
        deadline = wait_cancel(&mut cancel), if cancel.is_some() => {
            shared.with_driver(|d| d.cancel(deadline));
        }
    }
    let elapsed = started.elapsed();
    shared.with_driver(Driver::close);
    // Every cancelled task's report.
    shared.wait_until(|driver| driver.live == 0).await;
    let (hooks, deadline) = shared.with_driver(|d| (d.shutdown_hooks(), d.wind_down_deadline()));
    let statuses = run_hooks(hooks, deadline, &mut cancel).await;
    let (result, leftovers) = lock(&shared.driver).conclude(statuses, elapsed);
    drop(leftovers);
    result
}

/// Whether the parent has asked this run to end, and with which bound for its hooks.
fn cancel_asked(cancel: &mut Option<CancelRx>) -> Option<Option<Instant>> {
    let rx = cancel.as_mut()?;
    if rx.has_changed().is_err() {
        // The parent is gone: cancelled, with no bound.
        *cancel = None;
        return Some(None);
    }
    *rx.borrow_and_update()
}

/// A job's shutdown hook, with the path to the job through nested schedulers.
pub(crate) struct Hook {
    path: Vec<usize>,
    hook: BoxFuture<'static, Result<(), BoxError>>,
}

/// Takes a node's shutdown hook; a panic while making the hook is its failure.
fn take_hook(node: &mut dyn Node) -> Option<BoxFuture<'static, Result<(), BoxError>>> {
    match std::panic::catch_unwind(AssertUnwindSafe(|| node.shutdown())) {
        Ok(hook) => hook,
        Err(panic) => {
            let error = JobError::from_panic(panic);
            Some(Box::pin(async move { Err(Box::new(error) as BoxError) }))
        }
    }
}

/// The all-idle outcome of a nested scheduler that never ran, and its jobs' hooks.
fn idle_with_hooks(mut s: Scheduler, path: Vec<usize>) -> (Outcome, Vec<Hook>) {
    let mut hooks = Vec::new();
    let mut inner = Vec::new();
    let mut hooked = Vec::new();
    for i in 0..s.nodes.len() {
        let meta = &s.meta[i];
        if !meta.nested && !meta.custom {
            continue;
        }
        let Some(node) = s.nodes.node_mut(i) else {
            continue;
        };
        let mut job_path = path.clone();
        job_path.push(i);
        if let Some(nested) = node.take_nested() {
            inner.push((i, idle_with_hooks(nested, job_path)));
        } else if let Some(hook) = take_hook(node) {
            hooks.push(Hook {
                path: job_path,
                hook,
            });
            hooked.push(i);
        }
    }
    let mut outcome = Outcome::idle(s, None);
    for (i, (nested, nested_hooks)) in inner {
        outcome.0.nested.insert(i as u32, Box::new(nested));
        hooks.extend(nested_hooks);
    }
    for i in hooked {
        outcome
            .0
            .shutdown
            .insert(i as u32, ShutdownStatus::TimedOut);
    }
    (outcome, hooks)
}

/// Runs the shutdown hooks concurrently until `deadline`; those still running then are
/// dropped, and keep their `TimedOut` status. A parent that cancels this run meanwhile
/// may bring the deadline forward.
async fn run_hooks(
    hooks: Vec<Hook>,
    mut deadline: Option<Instant>,
    cancel: &mut Option<CancelRx>,
) -> Vec<(Vec<usize>, ShutdownStatus)> {
    let mut statuses = Vec::new();
    if hooks.is_empty() {
        return statuses;
    }
    let mut running: FuturesUnordered<_> =
        hooks
            .into_iter()
            .map(|Hook { path, hook }| async move {
                (path, AssertUnwindSafe(hook).catch_unwind().await)
            })
            .collect();
    // Made only with a deadline: hooks without one need no timer.
    let mut sleep = deadline.map(|d| Box::pin(tokio::time::sleep_until(d)));
    loop {
        let next = tokio::select! {
            biased;
            next = running.next() => next,
            () = async { sleep.as_mut().expect("a deadline").await }, if sleep.is_some() => break,
            parent = wait_cancel(cancel), if cancel.is_some() => {
                let earlier = earliest(deadline, parent);
                if earlier != deadline {
                    deadline = earlier;
                    let at = earlier.expect("a deadline");
                    match &mut sleep {
                        Some(sleep) => sleep.as_mut().reset(at),
                        None => sleep = Some(Box::pin(tokio::time::sleep_until(at))),
                    }
                }
                continue;
            }
        };
        let Some((path, result)) = next else { break };
        statuses.push((
            path,
            match result {
                Ok(Ok(())) => ShutdownStatus::Ok,
                Ok(Err(e)) => ShutdownStatus::Failed(match e.downcast::<JobError>() {
                    Ok(e) => *e,
                    Err(e) => JobError::new(JobErrorKind::Error(e)),
                }),
                Err(panic) => ShutdownStatus::Failed(JobError::from_panic(panic)),
            },
        ));
    }
    statuses
}

/// Aborts every task still running when the run future is dropped mid-way. Nested
/// schedulers abort theirs in turn when their own run future is dropped.
struct AbortAll<'a>(&'a Arc<Shared>);

impl Drop for AbortAll<'_> {
    fn drop(&mut self) {
        self.0.abort_all();
    }
}
