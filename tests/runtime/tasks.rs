//! How jobs map to tokio tasks in task mode: started jobs join a queue that the run's
//! tasks take them from, oldest first; a task that reports its job's end runs the next
//! one, unless that would overtake a job started before; a burst of jobs that never
//! wait runs in about as many tasks as the runtime has workers, and a job that waits
//! keeps the task it started in, so jobs that wait on each other all start.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use jobs_core::{JobRef, Scheduler, State, infallible};
use tokio::task::Id;

fn chain_task_ids() -> (Scheduler, Vec<jobs_core::JobRef<Option<Id>>>) {
    let mut s = Scheduler::new();
    let mut ids: Vec<jobs_core::JobRef<Option<Id>>> = Vec::new();
    for _ in 0..50 {
        let job = s.add(async { Ok::<_, std::io::Error>(tokio::task::try_id()) });
        ids.push(job.requires_all(ids.last().copied()).id());
    }
    (s, ids)
}

/// `from`: the first job whose task runs every job after it.
async fn a_chain_runs_in_one_task(from: usize) {
    let (s, ids) = chain_task_ids();
    let outcome = s.run().await.unwrap();
    let tasks: Vec<Option<Id>> = ids.iter().map(|&id| *outcome.value(id).unwrap()).collect();
    assert!(tasks[from].is_some());
    assert!(
        tasks[from..].iter().all(|&task| task == tasks[from]),
        "{tasks:?}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_chain_runs_in_one_task_on_current_thread() {
    a_chain_runs_in_one_task(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chain_runs_in_one_task_on_multi_thread() {
    // The first job may end on another worker while the run future still holds the
    // driver's lock after starting it: its end is then handled by the run future,
    // which spawns the second job's task. From there on, one task.
    a_chain_runs_in_one_task(1).await;
}

#[tokio::test(flavor = "current_thread")]
async fn jobs_ready_together_still_start_in_declaration_order() {
    // `b` and `c` become ready when `a` ends: `c`, the last, is handed to `a`'s task,
    // which lets `b` (and `d`, started earlier) be polled first.
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = |name: &'static str| {
        let order = order.clone();
        async move {
            order.lock().unwrap().push(name);
            Ok::<_, std::io::Error>(())
        }
    };
    let mut s = Scheduler::new();
    let a = s.add(log("a")).id();
    s.add(log("b")).requires(a);
    s.add(log("c")).requires(a);
    s.add(log("d"));
    s.run().await.unwrap();
    assert_eq!(*order.lock().unwrap(), ["a", "d", "b", "c"]);
}

async fn a_job_handed_to_a_task_as_the_run_ends_never_starts() {
    // `a`'s end is the run's end (the last finite job): the forever job it makes ready
    // is cancelled before it starts, not run by `a`'s task.
    let started = Arc::new(AtomicBool::new(false));
    let mut s = Scheduler::new();
    let a = s
        .add(async { Ok::<_, std::io::Error>(1) })
        .critical(false)
        .id();
    let forever = {
        let started = started.clone();
        s.add_with((a,), move |(_,)| async move {
            started.store(true, SeqCst);
            Err::<(), _>(std::io::Error::other("fails at once"))
        })
        .forever(true)
        .id()
    };
    let outcome = s.run().await.unwrap();
    assert_eq!(outcome.state(forever), Some(State::Cancelled));
    assert!(!started.load(SeqCst));
}

#[tokio::test(flavor = "current_thread")]
async fn a_job_handed_to_a_task_as_the_run_ends_never_starts_on_current_thread() {
    a_job_handed_to_a_task_as_the_run_ends_never_starts().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_handed_to_a_task_as_the_run_ends_never_starts_on_multi_thread() {
    a_job_handed_to_a_task_as_the_run_ends_never_starts().await;
}

async fn a_job_handed_to_a_task_is_cancelled_through_that_task() {
    // `b` runs in `a`'s task, and never ends by itself: the run's failure must reach
    // it through the task that was handed it.
    let mut s = Scheduler::new();
    let a = s.add(async { Ok::<_, std::io::Error>(()) }).id();
    let b = s
        .add(std::future::pending::<Result<(), std::io::Error>>())
        .requires(a)
        .id();
    s.add(async {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        Err::<(), _>(std::io::Error::other("fails"))
    });
    // Bounded: a handed job that cannot be aborted keeps the run waiting for it.
    let run = tokio::time::timeout(std::time::Duration::from_secs(10), s.run());
    let failure = run.await.expect("the run ends").unwrap_err();
    assert_eq!(failure.outcome.state(b), Some(State::Cancelled));
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_job_handed_to_a_task_is_cancelled_through_that_task_on_current_thread() {
    a_job_handed_to_a_task_is_cancelled_through_that_task().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_handed_to_a_task_is_cancelled_through_that_task_on_multi_thread() {
    a_job_handed_to_a_task_is_cancelled_through_that_task().await;
}

/// Runs `jobs` independent jobs that never wait; the tasks they ran in.
async fn tasks_of_a_burst(jobs: usize) -> BTreeSet<Option<Id>> {
    let mut s = Scheduler::new();
    let ids: Vec<JobRef<Option<Id>>> = (0..jobs)
        .map(|_| s.add(infallible(async { tokio::task::try_id() })).id())
        .collect();
    let outcome = s.run().await.unwrap();
    ids.iter().map(|&id| *outcome.value(id).unwrap()).collect()
}

#[tokio::test(flavor = "current_thread")]
async fn a_burst_of_jobs_that_never_wait_runs_in_few_tasks_on_current_thread() {
    // One runner, and one on standby that runs when the first yields to the runtime
    // (every 128 jobs), then has the next one spawned: about one task per 128 jobs.
    let tasks = tasks_of_a_burst(1000).await;
    assert!(!tasks.contains(&None));
    assert!(tasks.len() <= 25, "{} tasks for 1000 jobs", tasks.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_jobs_that_never_wait_runs_in_few_tasks_on_multi_thread() {
    // As many runners as workers, and one on standby; a runner that finds the lock
    // taken too long leaves its end to the holder and ends, and the holder spawns
    // another: a few more.
    let tasks = tasks_of_a_burst(1000).await;
    assert!(!tasks.contains(&None));
    assert!(tasks.len() <= 100, "{} tasks for 1000 jobs", tasks.len());
}

/// `n` jobs ready together that each wait until all `n` have started: no job may hold
/// up the others by keeping the task they would start in.
async fn jobs_that_wait_on_each_other_all_start(n: usize) {
    let barrier = Arc::new(tokio::sync::Barrier::new(n));
    let mut s = Scheduler::new();
    let ids: Vec<JobRef<(Option<Id>, Option<Id>)>> = (0..n)
        .map(|_| {
            let barrier = barrier.clone();
            let job = async move {
                let before = tokio::task::try_id();
                barrier.wait().await;
                (before, tokio::task::try_id())
            };
            s.add(infallible(job)).id()
        })
        .collect();
    // Bounded: jobs starved of a task would keep the run waiting.
    let run = tokio::time::timeout(Duration::from_secs(30), s.run());
    let outcome = run.await.expect("every job starts").unwrap();
    let mut tasks = BTreeSet::new();
    for &id in &ids {
        let &(before, after) = outcome.value(id).unwrap();
        // The job registered the waker of the task it started in: it stays there.
        assert_eq!(before, after, "a job moved to another task once it waited");
        tasks.insert(before);
    }
    assert_eq!(tasks.len(), n, "jobs that wait share a task");
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn jobs_that_wait_on_each_other_all_start_on_current_thread() {
    jobs_that_wait_on_each_other_all_start(300).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_that_wait_on_each_other_all_start_on_multi_thread() {
    jobs_that_wait_on_each_other_all_start(300).await;
}

/// Sets its flag when dropped, and panics then if asked to.
struct OnDrop(Arc<AtomicBool>, bool);

impl Drop for OnDrop {
    fn drop(&mut self) {
        self.0.store(true, SeqCst);
        if self.1 {
            panic!("dropping a job that never started");
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn jobs_queued_when_the_run_fails_never_start_and_are_dropped() {
    // Current thread: the run future queues every job before the one task taking them
    // runs; `boom`, the first, fails, and the others are cancelled in the queue. One
    // of them panics as its future is dropped: that changes nothing.
    let polled = Arc::new(AtomicUsize::new(0));
    let mut s = Scheduler::new();
    s.add(async { Err::<(), _>(std::io::Error::other("boom")) })
        .label("boom");
    let mut queued = Vec::new();
    for k in 0..200 {
        let dropped = Arc::new(AtomicBool::new(false));
        let guard = OnDrop(dropped.clone(), k == 100);
        let polled = polled.clone();
        let job = s.add(infallible(async move {
            let _guard = guard;
            polled.fetch_add(1, SeqCst);
        }));
        queued.push((job.id(), dropped));
    }
    let failure = s.run().await.unwrap_err();
    assert_eq!(failure.critical_job().map(|(job, _)| job), Some("boom"));
    assert_eq!(polled.load(SeqCst), 0, "a job started after the run failed");
    for (id, dropped) in &queued {
        assert_eq!(failure.outcome.state(*id), Some(State::Cancelled));
        assert!(
            dropped.load(SeqCst),
            "a cancelled job's future outlived the run"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_that_block_their_thread_on_a_later_job_do_not_hold_it_up() {
    // Three jobs block their worker in `block_in_place` until the fourth, declared
    // last, sends to them: more blocked jobs than workers. Tokio hands each blocked
    // worker's place to a new thread; the queue must reach it.
    let mut s = Scheduler::new();
    let mut senders = Vec::new();
    let mut blocked = Vec::new();
    for _ in 0..3 {
        let (tx, rx) = std::sync::mpsc::channel::<u32>();
        senders.push(tx);
        let job = async move {
            // Bounded: a starved sender would keep the run waiting.
            tokio::task::block_in_place(|| rx.recv_timeout(Duration::from_secs(30)).ok())
        };
        blocked.push(s.add(infallible(job)).id());
    }
    s.add(infallible(async move {
        for (k, tx) in senders.iter().enumerate() {
            tx.send(k as u32).unwrap();
        }
    }));
    let outcome = s.run().await.unwrap();
    for (k, &id) in blocked.iter().enumerate() {
        assert_eq!(
            outcome.value(id),
            Some(&Some(k as u32)),
            "a blocked job starved"
        );
    }
}
