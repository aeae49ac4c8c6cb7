//! Workflows built in loops: many jobs of one type, which the scheduler keeps by value
//! rather than boxing each, behave as any other job (their own future, value, state,
//! removal and cancellation).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use jobs_core::{JobRef, Scheduler, State, infallible};

use crate::common::{Mode, run_in};

async fn double(i: u64) -> Result<u64, std::io::Error> {
    tokio::task::yield_now().await;
    Ok(2 * i)
}

/// Counts the futures dropped, whether or not they ran.
#[derive(Clone, Default)]
struct Drops(Arc<AtomicUsize>);

struct Token(Drops);

impl Drop for Token {
    fn drop(&mut self) {
        (self.0).0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Drops {
    fn token(&self) -> Token {
        Token(self.clone())
    }
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn jobs_added_in_loops_keep_their_own_values_in_both_modes() {
    for mode in [Mode::Tasks, Mode::Local] {
        let mut s = Scheduler::new().with_window(3);
        let mut plain: Vec<JobRef<u64>> = Vec::new();
        let mut doubled: Vec<JobRef<u64>> = Vec::new();
        let mut sums: Vec<JobRef<u64>> = Vec::new();
        // Three types in turn, each job of a type requiring the previous one of it.
        for i in 0..50u64 {
            let a = s
                .add(infallible(async move { i }))
                .requires_all(plain.last().copied())
                .id();
            let b = s.add(double(i)).requires_all(doubled.last().copied()).id();
            let sum = s
                .add_with(
                    (a, b),
                    |(a, b)| async move { Ok::<_, std::io::Error>(a + b) },
                )
                .id();
            plain.push(a);
            doubled.push(b);
            sums.push(sum);
        }
        let outcome = run_in(s, mode).await.unwrap();
        for i in 0..50u64 {
            let k = i as usize;
            assert_eq!(outcome.value(plain[k]), Some(&i), "{mode:?}");
            assert_eq!(outcome.value(doubled[k]), Some(&(2 * i)), "{mode:?}");
            assert_eq!(outcome.value(sums[k]), Some(&(3 * i)), "{mode:?}");
        }
    }
}

#[tokio::test]
async fn local_jobs_added_in_a_loop_run_in_single_task_mode() {
    let mut s = Scheduler::new();
    let ids: Vec<_> = (0..20usize)
        .map(|i| {
            s.add_local(move || async move {
                let shared = std::rc::Rc::new(i);
                tokio::task::yield_now().await;
                Ok::<_, std::io::Error>(*shared + 1)
            })
            .id()
        })
        .collect();
    let outcome = run_in(s, Mode::Local).await.unwrap();
    for (i, id) in ids.into_iter().enumerate() {
        assert_eq!(outcome.value(id), Some(&(i + 1)));
    }
}

#[tokio::test]
async fn a_removed_job_of_a_loop_is_dropped_at_once_and_never_runs() {
    for mode in [Mode::Tasks, Mode::Local] {
        let drops = Drops::default();
        let ran = Arc::new(AtomicUsize::new(0));
        let mut s = Scheduler::new();
        let mut ids = Vec::new();
        for _ in 0..6 {
            let (token, ran) = (drops.token(), ran.clone());
            let job = s.add(infallible(async move {
                let _token = token;
                ran.fetch_add(1, Ordering::SeqCst);
            }));
            ids.push(job.requires_all(ids.last().copied()).id());
        }
        s.bypass_and_remove(ids[1]).unwrap();
        s.bypass_and_remove(ids[4]).unwrap();
        assert_eq!(drops.count(), 2, "{mode:?}: dropped when removed");
        let outcome = run_in(s, mode).await.unwrap();
        assert_eq!(ran.load(Ordering::SeqCst), 4, "{mode:?}");
        assert_eq!(drops.count(), 6, "{mode:?}");
        for k in [0, 2, 3, 5] {
            assert_eq!(outcome.state(ids[k]), Some(State::Done), "{mode:?}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn jobs_of_a_loop_cancelled_by_a_timeout_are_dropped_before_the_run_returns() {
    for mode in [Mode::Tasks, Mode::Local] {
        let drops = Drops::default();
        let mut s = Scheduler::new()
            .with_window(4)
            .with_timeout(Duration::from_secs(1));
        let ids: Vec<_> = (0..10)
            .map(|_| {
                let token = drops.token();
                s.add(infallible(async move {
                    let _token = token;
                    std::future::pending::<()>().await;
                }))
                .id()
            })
            .collect();
        let failure = run_in(s, mode).await.unwrap_err();
        assert_eq!(drops.count(), 10, "{mode:?}");
        let states: Vec<_> = ids.iter().map(|&id| failure.outcome.state(id)).collect();
        // Running or waiting for the window, each job is cancelled.
        assert_eq!(states, [Some(State::Cancelled); 10], "{mode:?}");
    }
}
