//! Single-task mode: every job's future is polled inside the run future, with no task
//! spawned, as asyncio polls its coroutines in one event loop.
//!
//! A job's future is boxed when the job starts, and freed when it ends, as
//! `FuturesUnordered` does; the boxes live in a slab, and each poll gets a waker that
//! queues the job's key in the slab and wakes the run future. The waker is reused for
//! the next poll unless the job kept a clone.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures_util::FutureExt;
use futures_util::future::LocalBoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::task::{ArcWake, AtomicWaker, waker_ref};
use slab::Slab;
use tokio::time::Instant;

use super::{
    CancelRx, Driver, Report, Sink, Spawned, TaskEnd, cancel_asked, job_end, lock, run_hooks,
    wait_cancel,
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

/// The jobs of a run in single-task mode, as the driver leaves them for the run
/// future: those it started, and the ends it already knows. Not in the driver: the
/// boxed futures need not be `Send`.
#[derive(Default)]
pub(crate) struct Local {
    /// Jobs started and not yet polled, in the order they started.
    started: Vec<Wake>,
    /// The futures of the running jobs.
    running: Slab<LocalTask>,
    /// Ends known without polling (a job that failed to start).
    pub(super) reports: Vec<Report>,
}

impl Local {
    /// Starts job `index`: its future is polled by the run future from now on.
    pub(super) fn start<F, T, E>(&mut self, index: u32, future: F) -> Spawned
    where
        F: Future<Output = Result<T, E>> + 'static,
        T: Send + Sync + 'static,
        E: Into<BoxError> + 'static,
    {
        self.start_boxed(index, false, Box::pin(job_end(future)));
        Spawned::Local
    }

    /// Starts job `index` with a boxed future; `nested`: a nested scheduler's run.
    pub(super) fn start_boxed(
        &mut self,
        index: u32,
        nested: bool,
        future: LocalBoxFuture<'static, TaskEnd>,
    ) {
        let key = self.running.insert(LocalTask {
            index,
            nested,
            future,
        });
        self.started.push(Wake {
            key: key as u32,
            index,
        });
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

/// Polls the jobs of a run in single-task mode.
#[derive(Default)]
struct Executor {
    wakeups: Arc<Wakeups>,
    /// A waker that no job holds, for the next poll.
    spare: Option<Arc<JobWaker>>,
    /// How many of `Local::started` have been polled.
    next_started: usize,
    /// The woken jobs being polled; kept for its allocation.
    batch: Vec<Wake>,
}

impl Executor {
    /// A waker for `job`: the spare one if no job kept a clone of it.
    fn waker(&mut self, job: Wake) -> Arc<JobWaker> {
        if let Some(mut waker) = self.spare.take()
            && let Some(unique) = Arc::get_mut(&mut waker)
        {
            unique.job = job;
            return waker;
        }
        Arc::new(JobWaker {
            job,
            wakeups: self.wakeups.clone(),
        })
    }

    /// Polls `job` once; its end, if it has ended. Nothing if the job has ended
    /// already: a wake-up that came after its end.
    fn poll_job(&mut self, local: &mut Local, job: Wake) -> Option<Report> {
        let key = job.key;
        let task = local
            .running
            .get_mut(key as usize)
            .filter(|task| task.index == job.index)?;
        let waker = self.waker(job);
        let polled = {
            let waker = waker_ref(&waker);
            let mut cx = Context::from_waker(&waker);
            task.future.poll_unpin(&mut cx)
        };
        self.spare = Some(waker);
        match polled {
            Poll::Pending => None,
            Poll::Ready(end) => {
                // A job's future has been dropped already (see `job_end`).
                let index = local.running.remove(key as usize).index;
                Some(Report::without_task(index, end))
            }
        }
    }

    /// Polls the jobs started or woken, and hands their ends to the driver, until the
    /// run ends or every job waits. Each woken job is polled once per call: those
    /// woken meanwhile wake the run future again, which yields to the runtime first.
    /// Ready when the run has ended, or when nothing runs that could end it.
    fn poll(&mut self, driver: &mut Driver, local: &mut Local, cx: &mut Context<'_>) -> Poll<()> {
        self.wakeups.run.register(cx.waker());
        let mut woken = std::mem::take(&mut self.batch);
        std::mem::swap(&mut woken, &mut *lock(&self.wakeups.woken));
        let mut next_woken = 0;
        loop {
            // The ends known at once (jobs that failed to start), which may start more.
            while !local.reports.is_empty() {
                for report in std::mem::take(&mut local.reports) {
                    driver.handle(report, &mut Sink::Local(local));
                }
            }
            if driver.finite_left == 0 {
                // As in task mode: the forever jobs are cancelled with the last finite
                // job.
                driver.close();
            }
            if driver.ended() {
                break;
            }
            let job = if let Some(&job) = local.started.get(self.next_started) {
                self.next_started += 1;
                job
            } else {
                // Every started job has had its first poll: the woken ones now.
                local.started.clear();
                self.next_started = 0;
                let Some(&job) = woken.get(next_woken) else {
                    break;
                };
                next_woken += 1;
                job
            };
            if let Some(report) = self.poll_job(local, job) {
                driver.handle(report, &mut Sink::Local(local));
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

/// Runs a prepared scheduler in single-task mode. The run semantics are those of
/// [`super::run`]: the driver is the same.
pub(super) async fn run_local(
    mut driver: Driver,
    mut cancel: Option<CancelRx>,
) -> Result<Outcome, Failure> {
    let started = Instant::now();
    let deadline = driver.timeout.map(|t| started + t);
    let mut local = Local::default();
    let mut executor = Executor::default();
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
            () = std::future::poll_fn(|cx| executor.poll(&mut driver, &mut local, cx)) => {}
        }
        if driver.ended() || driver.live == 0 {
            break;
        }
    }
    let elapsed = started.elapsed();
    driver.close();
    // Cancelled jobs' futures are dropped, then reported; nested schedulers, asked to
    // wind down by `close`, are polled until they report.
    let mut winding = FuturesUnordered::new();
    let mut running: Vec<LocalTask> = local.running.drain().collect();
    running.sort_unstable_by_key(|task| task.index);
    for task in running {
        let index = task.index;
        if task.nested {
            winding.push(task.future.map(move |end| Report::without_task(index, end)));
        } else {
            let end = drop_cancelled(task);
            driver.handle(
                Report::without_task(index, end),
                &mut Sink::Local(&mut local),
            );
        }
    }
    while let Some(report) = winding.next().await {
        driver.handle(report, &mut Sink::Local(&mut local));
    }
    // Reports of jobs that failed to start as the run closed.
    for report in std::mem::take(&mut local.reports) {
        driver.handle(report, &mut Sink::Local(&mut local));
    }
    let hooks = driver.shutdown_hooks();
    let statuses = run_hooks(hooks, driver.wind_down_deadline(), &mut cancel).await;
    let (result, nodes) = driver.conclude(statuses, elapsed);
    drop(nodes);
    result
}
