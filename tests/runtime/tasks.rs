//! How jobs map to tokio tasks in task mode: a task that reports its job's end runs
//! the next job that end lets start, unless that would overtake a job started before.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};

use jobs_core::{Scheduler, State};
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
