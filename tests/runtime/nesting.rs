//! Nested schedulers: one job of their parent, critical or not by their modifier, and
//! owned by it: nothing inside outlives the parent's run.

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use jobs_core::{JobErrorKind, Reason, Scheduler, State};
use tokio::sync::{Barrier, mpsc};
use tokio::time::Instant;

use crate::common::{End, Gauge, Trace, ms_since};

#[tokio::test(start_paused = true)]
async fn three_level_critical_truth_table() {
    // asynciojobs' test_critical_exc2: outer(s1) ⊃ inner(s2) ⊃ boom(j), with `outer`
    // itself a job of `root`, so that its flag counts. A failure climbs one level for
    // each critical flag on its way: `outer` fails iff s2 and j, `root` iff s1 too.
    for (s1, s2, j, outer_fails, root_fails) in [
        (false, false, false, false, false),
        (false, false, true, false, false),
        (false, true, false, false, false),
        (false, true, true, true, false),
        (true, false, false, false, false),
        (true, false, true, false, false),
        (true, true, false, false, false),
        (true, true, true, true, true),
    ] {
        let case = format!("s1={s1} s2={s2} j={j}");
        let trace = Trace::new();
        let mut inner = Scheduler::new().with_label("inner");
        let boom = inner.add(trace.run("boom", 100, End::Err)).label("boom");
        let boom = boom.critical(j).id();
        let mut outer = Scheduler::new().with_label("outer");
        let inner = outer.add(inner).critical(s2).id();
        let mut root = Scheduler::new();
        let outer = root.add(outer).critical(s1).id();
        let after = root.add(trace.job("after", 100)).requires(outer).id();

        let result = root.run().await;
        assert_eq!(result.is_err(), root_fails, "{case}");
        let outcome = match &result {
            Ok(outcome) => outcome,
            Err(failure) => &failure.outcome,
        };
        assert_eq!(outcome.state(boom), Some(State::Failed), "{case}");
        let inner_state = if j { State::Failed } else { State::Done };
        assert_eq!(outcome.state(inner), Some(inner_state), "{case}");
        let outer_state = if outer_fails {
            State::Failed
        } else {
            State::Done
        };
        assert_eq!(outcome.state(outer), Some(outer_state), "{case}");
        let after_state = if root_fails { State::Idle } else { State::Done };
        assert_eq!(outcome.state(after), Some(after_state), "{case}");
        if let Err(failure) = result {
            // The job's own error bubbles up through both levels.
            assert_eq!(failure.critical_job().map(|(job, _)| job), Some("outer"));
            let mut source = failure.source();
            while let Some(e) = source {
                if let Some(io) = e.downcast_ref::<std::io::Error>() {
                    assert_eq!(io.to_string(), "boom failed");
                    break;
                }
                source = e.source();
            }
            assert!(source.is_some(), "the boom error was lost: {failure:?}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_nested_failure_names_the_inner_job() {
    let trace = Trace::new();
    let mut inner = Scheduler::new().with_label("inner");
    inner.add(trace.run("boom", 100, End::Err)).label("boom");
    let mut s = Scheduler::new();
    s.add(inner);
    let failure = s.run().await.unwrap_err();
    let (job, error) = failure.critical_job().unwrap();
    assert_eq!(job, "inner");
    match error.kind() {
        JobErrorKind::Nested(Reason::Critical { job, error }) => {
            assert_eq!(job, "boom");
            assert_eq!(error.to_string(), "boom failed");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn inner_results_are_read_with_inner_handles() {
    let trace = Trace::new();
    let mut inner = Scheduler::new();
    let a = inner.add(trace.job("a", 100)).id();
    let mut s = Scheduler::new();
    let nested = s.add(inner).id();
    let outcome = s.run().await.unwrap();
    assert_eq!(outcome.value(a), Some(&"a"));
    assert_eq!(outcome.value(nested).and_then(|o| o.value(a)), Some(&"a"));
}

/// Three levels, each with a job that lasts 1 s; `root` fails at 100 ms, by a
/// critical failure or by its timeout.
fn deep(trace: &Trace, critical_abort: bool) -> Scheduler {
    let mut level3 = Scheduler::new();
    level3.add(trace.job("l3", 1000));
    let mut level2 = Scheduler::new();
    level2.add(trace.job("l2", 1000));
    level2.add(level3);
    let mut root = Scheduler::new();
    root.add(trace.job("l1", 1000));
    root.add(level2);
    if critical_abort {
        root.add(trace.run("boom", 100, End::Err));
    } else {
        root.set_timeout(Duration::from_millis(100));
    }
    root
}

#[tokio::test(start_paused = true)]
async fn orphaned_nested_tasks_after_a_timeout() {
    // asynciojobs cancelled the nested `co_run` but not its tasks: they ran on after
    // the parent had returned.
    let trace = Trace::new();
    let failure = deep(&trace, false).run().await.unwrap_err();
    assert!(failure.is_timeout());
    assert_eq!(trace.live.max(), 3);
    assert_eq!(trace.live.now(), 0, "an inner job outlived the run");
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(!["<l1", "<l2", "<l3"].iter().any(|e| trace.has(e)));
}

#[tokio::test(start_paused = true)]
async fn orphaned_nested_tasks_after_a_critical_abort() {
    let trace = Trace::new();
    let failure = deep(&trace, true).run().await.unwrap_err();
    assert!(failure.critical_job().is_some());
    assert_eq!(trace.live.max(), 4);
    assert_eq!(trace.live.now(), 0, "an inner job outlived the run");
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(!["<l1", "<l2", "<l3"].iter().any(|e| trace.has(e)));
}

#[tokio::test(start_paused = true)]
async fn dropping_the_run_future_cancels_every_job_nested_too() {
    let trace = Trace::new();
    let mut s = deep(&trace, false);
    s.set_timeout(None);
    let dropped = tokio::time::timeout(Duration::from_millis(150), s.run()).await;
    assert!(dropped.is_err(), "the run ended by itself");
    assert_eq!(trace.live.max(), 3);
    // Aborted tasks are dropped when the runtime next gets to them.
    tokio::time::sleep(Duration::from_millis(1)).await;
    assert_eq!(trace.live.now(), 0, "a job outlived the dropped run");
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(!["<l1", "<l2", "<l3"].iter().any(|e| trace.has(e)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nested_tasks_end_before_an_aborted_run_returns_on_multi_thread() {
    // `boom` fails only once the eight inner jobs are all running.
    let gauge = Gauge::default();
    let barrier = Arc::new(Barrier::new(9));
    let mut inner = Scheduler::new();
    for _ in 0..8 {
        let (gauge, barrier) = (gauge.clone(), barrier.clone());
        inner.add(async move {
            let _live = gauge.enter();
            barrier.wait().await;
            std::future::pending::<Result<(), std::io::Error>>().await
        });
    }
    let mut s = Scheduler::new();
    s.add(inner);
    s.add(async move {
        barrier.wait().await;
        Err::<(), _>(std::io::Error::other("boom"))
    });
    let failure = s.run().await.unwrap_err();
    assert!(failure.critical_job().is_some());
    assert_eq!(gauge.max(), 8);
    assert_eq!(gauge.now(), 0, "an inner job outlived the run");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_run_future_cancels_every_job_on_multi_thread() {
    // Each job says when it starts, and when its future is dropped.
    struct Ended(mpsc::UnboundedSender<()>);
    impl Drop for Ended {
        fn drop(&mut self) {
            let _ = self.0.send(());
        }
    }
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let (ended_tx, mut ended) = mpsc::unbounded_channel();
    let endless = || {
        let (started, ended) = (started_tx.clone(), ended_tx.clone());
        async move {
            let _ended = Ended(ended);
            let _ = started.send(());
            std::future::pending::<Result<(), std::io::Error>>().await
        }
    };
    let mut level2 = Scheduler::new();
    level2.add(endless());
    level2.add(endless());
    let mut level1 = Scheduler::new();
    level1.add(endless());
    level1.add(level2);
    let mut s = Scheduler::new();
    s.add(endless());
    s.add(level1);
    drop((started_tx, ended_tx));

    let mut run = Box::pin(s.run());
    for _ in 0..4 {
        tokio::select! {
            _ = &mut run => panic!("the run ended by itself"),
            _ = started.recv() => {}
        }
    }
    drop(run);
    let all_ended = async {
        for _ in 0..4 {
            ended.recv().await.expect("a job was leaked, never dropped");
        }
    };
    tokio::time::timeout(Duration::from_secs(30), all_ended)
        .await
        .expect("a job still runs after its run future was dropped");
}

#[tokio::test(start_paused = true)]
async fn a_noncritical_nested_failure_lets_dependents_run() {
    let trace = Trace::new();
    let mut inner = Scheduler::new();
    inner.add(trace.run("boom", 100, End::Err));
    let mut s = Scheduler::new();
    let inner = s.add(inner).noncritical().id();
    let after = s.add(trace.job("after", 100)).requires(inner).id();
    let start = Instant::now();
    let outcome = s.run().await.unwrap();
    assert_eq!(ms_since(start), 200);
    assert_eq!(outcome.state(inner), Some(State::Failed));
    assert_eq!(outcome.value(after), Some(&"after"));
}
