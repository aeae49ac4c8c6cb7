//! Single-task mode: every job's future is polled inside the run future, with no task
//! spawned, as asyncio polls its coroutines in one event loop.
//!
//! A job made ready joins a queue; it starts (its `Job::run` is called, its future
//! made and boxed) when the run future comes to poll it for the first time. So jobs
//! ready together are started and first polled one after the other in the order they
//! became ready, and a run that ends first never starts those still queued: they are
//! cancelled. Jobs that end at their first poll, as short ones do, are never held
//! together: a thousand independent jobs use one box after the other, not a thousand.
//! A job kept by value (a future, or what makes one) is made, boxed and first polled
//! in one step compiled for its type, in the box the last job of its type left if it
//! ended at its first poll (when the future is `Send`, the box stays with the type's
//! store): a loop of such jobs allocates nothing per job. If it ends there with a
//! value, the value goes straight to its place in the run's values, and the driver is
//! told the job's index alone (`FirstPoll::Produced`): nothing the size of an end is
//! built and moved from frame to frame.
//!
//! A job whose future is still pending after its first poll goes in a slab. Each poll
//! gets a waker that queues the job's key in the slab and wakes the run future; the
//! waker is reused for the next poll unless the job kept a clone. Its box is freed
//! when it ends.

use std::collections::VecDeque;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures_util::FutureExt;
use futures_util::future::LocalBoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::task::{ArcWake, AtomicWaker, waker_ref};
use slab::Slab;
use tokio::time::Instant;

use super::{
    CancelRx, Driver, FirstPoll, Report, Sink, Spawned, TaskEnd, cancel_asked, job_end, lock,
    run_hooks, wait_cancel,
};
use crate::error::{BoxError, Failure, Reason};
use crate::outcome::Outcome;

/// A running job's future, boxed for single-task mode; `!Send` is fine.
struct LocalTask {
    index: u32,
    /// A nested scheduler: asked to wind down rather than dropped when the run ends.
    nested: bool,
    future: LocalBoxFuture<'static, TaskEnd>,
}

/// The jobs of a run in single-task mode, and what polls them: those to start, those
/// waiting, and the ends known without polling. Not in the driver: the boxed futures
/// need not be `Send`.
#[derive(Default)]
pub(crate) struct Local {
    /// Jobs running for the driver, to be started when first polled, in order.
    deferred: VecDeque<u32>,
    /// The futures of the running jobs that waited at their first poll.
    running: Slab<LocalTask>,
    /// Ends known without polling (a job that failed to start).
    pub(super) reports: VecDeque<Report>,
    wakers: Wakers,
    /// The woken jobs being polled; kept for its allocation.
    batch: Vec<Wake>,
}

impl Local {
    /// These jobs run, in order: each starts when the run future comes to poll it.
    pub(super) fn defer(&mut self, jobs: &[u32]) {
        if let [job] = jobs {
            self.deferred.push_back(*job);
        } else {
            self.deferred.extend(jobs);
        }
    }

    /// Starts job `index` through its node, with `future`, polled for the first time
    /// now: an end goes to `reports`, handled before anything else starts.
    pub(super) fn start<F, T, E>(&mut self, index: u32, future: F) -> Spawned
    where
        F: Future<Output = Result<T, E>> + 'static,
        T: Send + Sync + 'static,
        E: Into<BoxError> + 'static,
    {
        self.start_polled(index, false, job_end(future));
        Spawned::Local
    }

    /// Starts a nested scheduler's run as job `index`, as [`Self::start`] does.
    pub(super) fn start_nested<F>(&mut self, index: u32, run: F)
    where
        F: Future<Output = TaskEnd> + 'static,
    {
        self.start_polled(index, true, run);
    }

    fn start_polled<F>(&mut self, index: u32, nested: bool, future: F)
    where
        F: Future<Output = TaskEnd> + 'static,
    {
        let future = Box::pin(future);
        if let Poll::Ready(end) = self.first_poll(index, nested, future, &mut None, F::poll) {
            self.reports.push_back(Report::without_task(index, end));
        }
    }

    /// Polls the future of job `index`, just started, for the first time, with `poll`:
    /// what `poll` gives. If the job has ended, its box goes to `spare`; otherwise the
    /// slab keeps it, where its waker finds it. `nested`: a nested scheduler's run.
    #[inline]
    pub(super) fn first_poll<F, R>(
        &mut self,
        index: u32,
        nested: bool,
        mut future: Pin<Box<F>>,
        spare: &mut Option<Pin<Box<F>>>,
        poll: impl FnOnce(Pin<&mut F>, &mut Context<'_>) -> Poll<R>,
    ) -> Poll<R>
    where
        F: Future<Output = TaskEnd> + 'static,
    {
        // The key the job will have in the slab if it does not end now: nothing else
        // goes in the slab while it is polled.
        let slot = self.running.vacant_entry();
        let job = Wake {
            key: slot.key() as u32,
            index,
        };
        let polled = self.wakers.poll(job, |cx| poll(future.as_mut(), cx));
        if polled.is_pending() {
            slot.insert(LocalTask {
                index,
                nested,
                future,
            });
        } else {
            // A job's future has been dropped already (see `job_end`).
            *spare = Some(future);
        }
        polled
    }

    /// Polls a woken job once; its end, if it has ended. Nothing if the job has ended
    /// already: a wake-up that came after its end.
    fn poll_woken(&mut self, job: Wake) -> Option<Report> {
        let key = job.key as usize;
        let task = self
            .running
            .get_mut(key)
            .filter(|task| task.index == job.index)?;
        match self.wakers.poll(job, |cx| task.future.as_mut().poll(cx)) {
            Poll::Pending => None,
            Poll::Ready(end) => {
                let index = self.running.remove(key).index;
                Some(Report::without_task(index, end))
            }
        }
    }

    /// Starts the queued jobs, polls the woken ones, and hands their ends to the
    /// driver, until the run ends or every job waits. Each woken job is polled once
    /// per call: those woken meanwhile wake the run future again, which yields to the
    /// runtime first. Ready when the run has ended, or when nothing runs that could
    /// end it.
    fn poll(&mut self, driver: &mut Driver, cx: &mut Context<'_>) -> Poll<()> {
        self.wakers.shared.run.register(cx.waker());
        let mut woken = std::mem::take(&mut self.batch);
        std::mem::swap(&mut woken, &mut *lock(&self.wakers.shared.woken));
        let mut next_woken = 0;
        loop {
            // The ends known at once (jobs that failed to start), which may start more.
            while let Some(report) = self.reports.pop_front() {
                driver.handle(report, false, &mut Sink::Local(self));
            }
            if driver.finite_left == 0 {
                // As in task mode: the forever jobs are cancelled with the last finite
                // job.
                driver.close();
            }
            if driver.ended() {
                break;
            }
            let end = if let Some(index) = self.deferred.pop_front() {
                // A job started through its node leaves its end, if any, in `reports`.
                match driver.start_local(index, self) {
                    FirstPoll::Pending => None,
                    FirstPoll::Produced => {
                        driver.produced(index, &mut Sink::Local(self));
                        None
                    }
                    FirstPoll::Ended(end) => Some(Report::without_task(index, end)),
                }
            } else {
                // Every queued job has started: the woken ones now.
                let Some(&job) = woken.get(next_woken) else {
                    break;
                };
                next_woken += 1;
                self.poll_woken(job)
            };
            if let Some(report) = end {
                driver.handle(report, false, &mut Sink::Local(self));
            }
        }
        woken.clear();
        self.batch = woken;
        if driver.ended() || driver.live == 0 {
            // Nothing running, the run not over: cannot happen (a job waits only for a
            // running one), but must not hang.
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// A job to poll: its key in [`Local::running`], and its index, which tells a job from
/// the one that had its key before.
#[derive(Clone, Copy)]
struct Wake {
    key: u32,
    index: u32,
}

/// Drops the future of a job cancelled before it ended. A panic in its `Drop` does not
/// unwind through the run: the job is cancelled, as in task mode, where the runtime
/// catches that panic when it aborts the task.
fn drop_cancelled(task: LocalTask) -> TaskEnd {
    let _ = std::panic::catch_unwind(AssertUnwindSafe(move || drop(task)));
    TaskEnd::Cancelled
}

/// The jobs woken since the run future last looked, and the run future's waker.
#[derive(Default)]
struct Wakeups {
    woken: Mutex<Vec<Wake>>,
    run: AtomicWaker,
}

/// The waker given to a job's future: queues the job and wakes the run future.
struct JobWaker {
    job: Wake,
    wakeups: Arc<Wakeups>,
}

impl ArcWake for JobWaker {
    fn wake_by_ref(this: &Arc<Self>) {
        lock(&this.wakeups.woken).push(this.job);
        this.wakeups.run.wake();
    }
}

/// The wakers of a run's jobs.
#[derive(Default)]
struct Wakers {
    shared: Arc<Wakeups>,
    /// A waker that no job holds, for the next poll.
    spare: Option<Arc<JobWaker>>,
}

impl Wakers {
    /// A waker for `job`: the spare one if no job kept a clone of it.
    #[inline]
    fn waker(&mut self, job: Wake) -> Arc<JobWaker> {
        if let Some(mut waker) = self.spare.take()
            && let Some(unique) = Arc::get_mut(&mut waker)
        {
            unique.job = job;
            return waker;
        }
        Arc::new(JobWaker {
            job,
            wakeups: self.shared.clone(),
        })
    }

    /// Polls once, with `poll`, with a waker for `job`.
    #[inline]
    fn poll<R>(&mut self, job: Wake, poll: impl FnOnce(&mut Context<'_>) -> Poll<R>) -> Poll<R> {
        let waker = self.waker(job);
        let polled = poll(&mut Context::from_waker(&waker_ref(&waker)));
        self.spare = Some(waker);
        polled
    }
}

/// Runs a prepared scheduler in single-task mode. The run semantics are those of
/// [`super::run`]: the driver is the same.
pub(super) async fn run_local(
    mut driver: Driver,
    mut cancel: Option<CancelRx>,
) -> Result<Outcome, Failure> {
    let started = Instant::now();
    let deadline = driver.timeout.map(|t| started + t);
    let mut local = Local::default();
    if let Some(deadline) = cancel_asked(&mut cancel) {
        // A parent that failed already: start nothing.
        driver.cancel(deadline);
    } else {
        for i in 0..driver.states.len() {
            if driver.pending[i] == 0 && !driver.meta[i].removed && driver.failure.is_none() {
                driver.ready(i as u32);
            }
        }
        driver.start(&mut Sink::Local(&mut local));
    }
    // Made only with a deadline: a runtime without timers runs workflows without one.
    let mut sleep = deadline.map(|deadline| Box::pin(tokio::time::sleep_until(deadline)));
    loop {
        tokio::select! {
            biased;
            deadline = wait_cancel(&mut cancel), if cancel.is_some() => {
                driver.cancel(deadline);
            }
            () = async { sleep.as_mut().expect("a deadline").await }, if sleep.is_some() => {
                driver.failure.get_or_insert(Reason::Timeout(driver.timeout.unwrap_or_default()));
            }
            () = std::future::poll_fn(|cx| local.poll(&mut driver, cx)) => {}
        }
        if driver.ended() || driver.live == 0 {
            break;
        }
    }
    let elapsed = started.elapsed();
    driver.close();
    // Cancelled jobs' futures are dropped, then reported, and jobs still queued to
    // start are cancelled, all in declaration order; nested schedulers, asked to wind
    // down by `close`, are polled until they report.
    let mut winding = FuturesUnordered::new();
    let mut ending: Vec<(u32, Option<LocalTask>)> = (local.running.drain())
        .map(|task| (task.index, Some(task)))
        .chain(local.deferred.drain(..).map(|index| (index, None)))
        .collect();
    ending.sort_unstable_by_key(|&(index, _)| index);
    for (index, task) in ending {
        let end = match task {
            Some(task) if task.nested => {
                winding.push(task.future.map(move |end| Report::without_task(index, end)));
                continue;
            }
            Some(task) => drop_cancelled(task),
            None => TaskEnd::Cancelled,
        };
        let report = Report::without_task(index, end);
        driver.handle(report, false, &mut Sink::Local(&mut local));
    }
    // A sooner bound from the parent reaches the nested runs' hooks meanwhile.
    loop {
        tokio::select! {
            biased;
            deadline = wait_cancel(&mut cancel), if cancel.is_some() => {
                driver.cancel(deadline);
            }
            report = winding.next() => match report {
                Some(report) => driver.handle(report, false, &mut Sink::Local(&mut local)),
                None => break,
            },
        }
    }
    // Reports of jobs that failed to start as the run closed.
    while let Some(report) = local.reports.pop_front() {
        driver.handle(report, false, &mut Sink::Local(&mut local));
    }
    let hooks = driver.shutdown_hooks();
    let statuses = run_hooks(hooks, driver.wind_down_deadline(), &mut cancel).await;
    let (result, leftovers) = driver.conclude(statuses, elapsed);
    drop(leftovers);
    result
}
