//! Single-task mode (`run_local`): every job polled inside the run future, `!Send`
//! jobs, and the same run semantics as `run` (the property tests check those in
//! depth; these pin down what is particular to the mode).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use jobs_core::{GraphError, Reason, Scheduler, State, infallible};
use tokio::task::{Id, LocalSet};

use crate::common::{Log, boom, step};

fn task_id() -> Option<Id> {
    tokio::task::try_id()
}

#[tokio::test]
async fn every_job_runs_in_the_task_that_awaits_the_run() {
    let build = || {
        let mut s = Scheduler::new();
        let ids: Vec<_> = (0..5)
            .map(|_| s.add(infallible(async { task_id() })).id())
            .collect();
        (s, ids)
    };
    let local = LocalSet::new();
    let (single, ids) = build();
    let (runner, outcome) = local
        .run_until(async move {
            tokio::task::spawn_local(async move { (task_id(), single.run_local().await) })
                .await
                .unwrap()
        })
        .await;
    let outcome = outcome.unwrap();
    assert!(runner.is_some());
    for id in &ids {
        assert_eq!(
            outcome.value(*id),
            Some(&runner),
            "a job ran in another task"
        );
    }
    // In task mode, jobs run in the run's own tasks, never in the one awaiting it.
    let (tasks, ids) = build();
    let outcome = tasks.run().await.unwrap();
    let caller = task_id();
    for id in &ids {
        let task = outcome.value(*id).copied().flatten();
        assert!(task.is_some(), "a job ran outside a task");
        assert_ne!(task, caller, "a job ran in the task that awaits the run");
    }
}

#[tokio::test(start_paused = true)]
async fn local_jobs_share_state_that_is_not_send() {
    let mut s = Scheduler::new();
    let first = s
        .add_local(|| async {
            // Held across an await: this future is not `Send`.
            let cell = Rc::new(RefCell::new(vec![1]));
            tokio::time::sleep(Duration::from_millis(5)).await;
            cell.borrow_mut().push(2);
            let sum: i32 = cell.borrow().iter().sum();
            Ok::<_, std::io::Error>(sum)
        })
        .label("first")
        .id();
    let second = s
        .add_with(
            (first,),
            |(x,)| async move { Ok::<_, std::io::Error>(x * 10) },
        )
        .id();
    let outcome = s.run_local().await.unwrap();
    assert_eq!(outcome.value(first), Some(&3));
    assert_eq!(outcome.value(second), Some(&30));
}

#[tokio::test]
async fn run_rejects_a_local_job_by_its_label_before_anything_starts() {
    let log = Log::default();
    let mut s = Scheduler::new();
    s.add(step(log.clone(), "a", 0));
    let mut inner = Scheduler::new();
    inner
        .add_local(|| async { Ok::<_, std::io::Error>(Rc::new(1)).map(|rc| *rc) })
        .label("rc");
    s.add(inner);
    let failure = s.run().await.unwrap_err();
    match &failure.reason {
        Reason::Invalid(GraphError::LocalJob { job }) => assert_eq!(job, "rc"),
        other => panic!("unexpected {other:?}"),
    }
    assert!(failure.reason.to_string().contains("run_local"));
    assert!(
        log.entries().is_empty(),
        "a job started: {:?}",
        log.entries()
    );
}

#[tokio::test(start_paused = true)]
async fn window_nesting_and_critical_failure_behave_as_in_task_mode() {
    let log = Log::default();
    let mut inner = Scheduler::new().with_label("inner").with_window(1);
    let x = inner.add(step(log.clone(), "x", 10)).id();
    let y = inner.add(step(log.clone(), "y", 10)).id();
    let mut s = Scheduler::new();
    let inner = s.add(inner).id();
    let failing = s.add(boom(15)).label("boom").id();
    let late = s.add(step(log.clone(), "late", 1)).requires(failing).id();
    let failure = s.run_local().await.unwrap_err();
    assert_eq!(failure.critical_job().map(|(job, _)| job), Some("boom"));
    // The window of 1 ran `x` then `y`; `boom` failed at 15 ms, while `y` ran.
    assert_eq!(log.entries(), ["x>", "<x", "y>"]);
    let outcome = &failure.outcome;
    assert_eq!(outcome.state(x), Some(State::Done));
    assert_eq!(outcome.state(y), Some(State::Cancelled));
    assert_eq!(outcome.state(inner), Some(State::Cancelled));
    assert_eq!(outcome.state(late), Some(State::Idle));
}

#[tokio::test(start_paused = true)]
async fn the_timeout_cancels_every_job_and_forever_jobs_end_with_the_run() {
    let log = Log::default();
    let mut s = Scheduler::new().with_timeout(Duration::from_millis(20));
    let quick = s.add(step(log.clone(), "quick", 5)).id();
    let slow = s.add(step(log.clone(), "slow", 50)).id();
    let forever = s
        .add(async { std::future::pending::<Result<(), std::io::Error>>().await })
        .forever(true)
        .id();
    let failure = s.run_local().await.unwrap_err();
    assert!(matches!(failure.reason, Reason::Timeout(_)));
    assert_eq!(failure.outcome.state(quick), Some(State::Done));
    assert_eq!(failure.outcome.state(slow), Some(State::Cancelled));
    assert_eq!(failure.outcome.state(forever), Some(State::Cancelled));
}

#[test]
fn a_multi_thread_runtime_can_block_on_a_single_task_run() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let mut s = Scheduler::new();
    let mut previous = None;
    for i in 0..100u64 {
        let job = s.add(infallible(async move { i }));
        previous = Some(job.requires_all(previous).id());
    }
    let outcome = rt.block_on(s.run_local()).unwrap();
    assert_eq!(outcome.value(previous.unwrap()), Some(&99));
}

#[tokio::test(flavor = "current_thread")]
async fn a_job_woken_from_another_thread_goes_on() {
    use std::future::Future;
    let (tx, mut rx) = tokio::sync::oneshot::channel::<u32>();
    // The value is sent only once the job has waited for it: its wake-up comes from
    // the other thread.
    let (polled_tx, polled_rx) = std::sync::mpsc::channel();
    let mut s = Scheduler::new();
    let waiting = s
        .add(std::future::poll_fn(move |cx| {
            let _ = polled_tx.send(());
            std::pin::Pin::new(&mut rx).poll(cx)
        }))
        .id();
    let after = s
        .add_with(
            (waiting,),
            |(n,)| async move { Ok::<_, std::io::Error>(n + 1) },
        )
        .id();
    let sender = std::thread::spawn(move || {
        polled_rx.recv().unwrap();
        tx.send(41).unwrap();
    });
    let run = tokio::time::timeout(Duration::from_secs(10), s.run_local());
    let outcome = run.await.expect("the woken job goes on").unwrap();
    sender.join().unwrap();
    assert_eq!(outcome.value(waiting), Some(&41));
    assert_eq!(outcome.value(after), Some(&42));
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_waker_woken_after_its_job_ended_polls_nothing() {
    use std::future::Future;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::sync::{Arc, Mutex};
    use std::task::{Poll, Waker};
    let kept: Arc<Mutex<Option<Waker>>> = Arc::default();
    let (first_polls, second_polls) =
        (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut s = Scheduler::new();
    let first = {
        let (kept, polls) = (kept.clone(), first_polls.clone());
        s.add(std::future::poll_fn(move |cx| {
            polls.fetch_add(1, SeqCst);
            // Keeps its waker, and ends.
            *kept.lock().unwrap() = Some(cx.waker().clone());
            Poll::Ready(Ok::<_, std::io::Error>(1))
        }))
        .id()
    };
    // Starts as `first` ends, in its place among the running jobs; wakes `first`'s
    // waker, then waits for a timer: a poll before the timer fires is a poll that the
    // ended job's wake-up caused.
    let second = {
        let polls = second_polls.clone();
        let mut sleep = Box::pin(tokio::time::sleep(Duration::from_millis(10)));
        let mut woke = false;
        s.add(std::future::poll_fn(move |cx| {
            polls.fetch_add(1, SeqCst);
            if !woke {
                woke = true;
                let waker = kept.lock().unwrap().take().unwrap();
                waker.wake_by_ref();
                waker.wake();
            }
            sleep.as_mut().poll(cx).map(|()| Ok::<_, std::io::Error>(2))
        }))
        .requires(first)
        .id()
    };
    let outcome = s.run_local().await.unwrap();
    assert_eq!(first_polls.load(SeqCst), 1);
    assert_eq!(
        second_polls.load(SeqCst),
        2,
        "polled once to start, once by its timer"
    );
    assert_eq!(outcome.value(first), Some(&1));
    assert_eq!(outcome.value(second), Some(&2));
}

#[tokio::test(flavor = "current_thread")]
async fn a_job_that_wakes_itself_at_once_starves_neither_timers_nor_other_jobs() {
    // Real time (the spinning job keeps the runtime from idling, so a paused clock
    // would never advance): the sleeper has 495 ms of margin before the timeout.
    let mut s = Scheduler::new().with_timeout(Duration::from_millis(500));
    let spinning = s
        .add(std::future::poll_fn(|cx| {
            cx.waker().wake_by_ref();
            std::task::Poll::<Result<(), std::io::Error>>::Pending
        }))
        .id();
    let sleeper = s
        .add(async {
            tokio::time::sleep(Duration::from_millis(5)).await;
            Ok::<_, std::io::Error>("slept")
        })
        .id();
    let failure = s.run_local().await.unwrap_err();
    assert!(matches!(failure.reason, Reason::Timeout(_)));
    assert_eq!(failure.outcome.value(sleeper), Some(&"slept"));
    assert_eq!(failure.outcome.state(spinning), Some(State::Cancelled));
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn jobs_cancelled_at_the_end_are_dropped_in_declaration_order() {
    use std::sync::{Arc, Mutex};
    struct Logged(&'static str, Arc<Mutex<Vec<&'static str>>>);
    impl Drop for Logged {
        fn drop(&mut self) {
            self.1.lock().unwrap().push(self.0);
        }
    }
    let dropped: Arc<Mutex<Vec<&'static str>>> = Arc::default();
    let mut s = Scheduler::new().with_timeout(Duration::from_secs(1));
    let hang = |name: &'static str| {
        let logged = Logged(name, dropped.clone());
        infallible(async move {
            let _logged = logged;
            std::future::pending::<()>().await;
        })
    };
    let quick = s.add(infallible(async {})).id();
    s.add(hang("a"));
    s.add(hang("b"));
    // Starts when `quick` ends, and runs where `quick` ran.
    s.add(hang("c")).requires(quick);
    let failure = s.run_local().await.unwrap_err();
    assert!(matches!(failure.reason, Reason::Timeout(_)));
    assert_eq!(*dropped.lock().unwrap(), ["a", "b", "c"]);
}

#[tokio::test(flavor = "current_thread")]
async fn jobs_that_end_at_their_first_poll_are_never_alive_together() {
    use crate::common::Gauge;
    let gauge = Gauge::default();
    let mut s = Scheduler::new();
    let ids: Vec<_> = (0..200)
        .map(|i| {
            let gauge = gauge.clone();
            // The future, and the guard it holds, are made when the job starts.
            s.add_local(move || {
                let inside = gauge.enter();
                async move {
                    let _inside = inside;
                    Ok::<_, std::io::Error>(i)
                }
            })
            .id()
        })
        .collect();
    let outcome = s.run_local().await.unwrap();
    assert_eq!(outcome.value(ids[199]), Some(&199));
    // A job starts as it is first polled: each ends before the next one is made.
    assert_eq!(gauge.max(), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn a_job_still_to_start_when_the_run_fails_is_never_made() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    let made = Arc::new(AtomicUsize::new(0));
    let mut s = Scheduler::new();
    s.add(async { Err::<(), _>(std::io::Error::other("boom")) })
        .label("boom");
    let later = {
        let made = made.clone();
        s.add_local(move || {
            made.fetch_add(1, SeqCst);
            async { Ok::<_, std::io::Error>(()) }
        })
        .id()
    };
    let failure = s.run_local().await.unwrap_err();
    assert!(matches!(failure.reason, Reason::Critical { .. }));
    // Ready with `boom`, it was to start once `boom` had been polled; `boom` failed.
    assert_eq!(made.load(SeqCst), 0);
    assert_eq!(failure.outcome.state(later), Some(State::Cancelled));
}

#[tokio::test(flavor = "current_thread")]
async fn jobs_of_one_type_that_share_a_box_each_end_with_their_own_result() {
    use std::pin::Pin;
    use std::task::{Context, Poll};
    #[derive(Clone, Copy, PartialEq)]
    enum How {
        Ok,
        Err,
        PanicWhenDropped,
        WaitOnce,
    }
    /// One future type for every job: in single-task mode they share one box, each
    /// job's future going where the one before it ended.
    struct Scripted {
        value: u32,
        how: How,
        waited: bool,
    }
    impl std::future::Future for Scripted {
        type Output = Result<u32, std::io::Error>;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            match self.how {
                How::WaitOnce if !self.waited => {
                    self.waited = true;
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
                How::Err => Poll::Ready(Err(std::io::Error::other("failed"))),
                _ => Poll::Ready(Ok(self.value)),
            }
        }
    }
    impl Drop for Scripted {
        fn drop(&mut self) {
            if self.how == How::PanicWhenDropped && !std::thread::panicking() {
                panic!("dropped");
            }
        }
    }
    let script = [
        How::Ok,
        How::Err,
        How::Ok,
        How::PanicWhenDropped,
        How::Ok,
        How::WaitOnce,
        How::Ok,
    ];
    let mut s = Scheduler::new();
    let ids: Vec<_> = (0..)
        .zip(script)
        .map(|(value, how)| {
            let job = Scripted {
                value,
                how,
                waited: false,
            };
            s.add(job).noncritical().id()
        })
        .collect();
    let outcome = s.run_local().await.unwrap();
    for ((value, how), id) in (0..).zip(script).zip(ids) {
        match how {
            How::Ok | How::WaitOnce => assert_eq!(outcome.value(id), Some(&value)),
            How::Err | How::PanicWhenDropped => {
                assert_eq!(outcome.state(id), Some(State::Failed));
                let panic = outcome
                    .report(id)
                    .and_then(|r| r.error())
                    .map(|e| e.is_panic());
                assert_eq!(panic, Some(how == How::PanicWhenDropped));
            }
        }
    }
}
