//! Graph queries and surgery: on chains, diamonds and nested graphs.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use jobs_core::{GraphError, JobId, JobRef, Scheduler, State, infallible};

fn noop() -> jobs_core::Infallible<std::future::Ready<()>> {
    infallible(std::future::ready(()))
}

/// a -> b -> c -> d -> e (each requires the one before).
fn chain() -> (Scheduler, Vec<JobId>) {
    let mut s = Scheduler::new();
    let mut seq = s.sequence();
    let ids = ["a", "b", "c", "d", "e"]
        .iter()
        .map(|l| seq.add(noop()).label(*l).id().id())
        .collect();
    (s, ids)
}

/// top; left and right require top; bottom requires left and right.
fn diamond() -> (Scheduler, [JobRef<()>; 4]) {
    let mut s = Scheduler::new();
    let top = s.add(noop()).label("top").id();
    let left = s.add(noop()).label("left").requires(top).id();
    let right = s.add(noop()).label("right").requires(top).id();
    let bottom = s
        .add(noop())
        .label("bottom")
        .requires(left)
        .requires(right)
        .id();
    (s, [top, left, right, bottom])
}

fn labels(s: &Scheduler, ids: &[JobId]) -> Vec<String> {
    let walk = s.walk();
    ids.iter()
        .map(|id| {
            walk.iter()
                .find(|j| j.id == *id)
                .expect("a live job")
                .label
                .clone()
        })
        .collect()
}

#[test]
fn predecessors_and_successors() {
    let (s, [top, left, right, bottom]) = diamond();
    assert_eq!(s.predecessors(bottom), [left.id(), right.id()]);
    assert_eq!(s.successors(top), [left.id(), right.id()]);
    assert!(s.predecessors(top).is_empty());
    assert!(s.successors(bottom).is_empty());
    // A handle of another scheduler has no neighbours here.
    let (other, _) = chain();
    assert!(other.successors(top).is_empty());
}

#[test]
fn upstream_and_downstream() {
    let (s, ids) = chain();
    assert_eq!(labels(&s, &s.upstream(&[ids[3]])), ["a", "b", "c"]);
    assert_eq!(labels(&s, &s.downstream(&[ids[1]])), ["c", "d", "e"]);
    assert_eq!(
        labels(&s, &s.downstream(&[ids[1], ids[2]])),
        ["c", "d", "e"]
    );
    let (s, [top, left, _, bottom]) = diamond();
    assert_eq!(
        labels(&s, &s.upstream(&[bottom.id()])),
        ["top", "left", "right"]
    );
    assert_eq!(labels(&s, &s.downstream(&[left.id()])), ["bottom"]);
    assert_eq!(s.downstream(&[top.id()]).len(), 3);
}

#[tokio::test]
async fn bypass_and_remove_keeps_the_order() {
    let (mut s, [top, left, right, bottom]) = diamond();
    s.bypass_and_remove(left).unwrap();
    assert_eq!(s.len(), 3);
    assert_eq!(s.predecessors(bottom), [top.id(), right.id()]);
    assert!(s.job_mut(left).is_none());
    assert_eq!(
        s.list(),
        "1 ⚠   ⚐   <Job `top`> [not done]\n\
         2 ⚠   ⚐   <Job `right`> [not done] requires={1}\n\
         3 ⚠   ⚐   <Job `bottom`> [not done] requires={1, 2}\n"
    );
    let outcome = s.run().await.unwrap();
    assert!(outcome.report(left).is_none());
    assert_eq!(outcome.state(bottom), Some(State::Done));
    assert_eq!(outcome.jobs().count(), 3);
    assert_eq!(outcome.counts().total(), 3);
}

#[tokio::test]
async fn a_removed_job_does_not_run() {
    let ran = Arc::new(AtomicUsize::new(0));
    let mut s = Scheduler::new();
    let counted = |ran: &Arc<AtomicUsize>| {
        let ran = ran.clone();
        infallible(async move {
            ran.fetch_add(1, Ordering::SeqCst);
        })
    };
    let a = s.add(counted(&ran)).id();
    let b = s.add(counted(&ran)).requires(a).id();
    s.add(counted(&ran)).requires(b);
    s.bypass_and_remove(b).unwrap();
    s.run().await.unwrap();
    assert_eq!(ran.load(Ordering::SeqCst), 2);
}

#[test]
fn bypass_refuses_to_starve_a_consumer() {
    let mut s = Scheduler::new();
    let a = s.add(infallible(async { 1 })).label("a").id();
    s.add_with((a,), |(v,)| async move { Ok::<_, std::io::Error>(v) })
        .label("user");
    assert_eq!(
        s.bypass_and_remove(a),
        Err(GraphError::InputRemoved {
            job: "user".into(),
            input: "a".into()
        })
    );
    assert_eq!(s.len(), 2);
    // A job of another scheduler is not there to remove.
    let (_other, ids) = chain();
    let mut mine = Scheduler::new();
    assert_eq!(
        mine.bypass_and_remove(ids[0]),
        Err(GraphError::NotInScheduler)
    );
}

#[test]
fn keep_only_drops_links_without_rewiring() {
    let (mut s, ids) = chain();
    s.keep_only(&[ids[0], ids[2], ids[4]]).unwrap();
    assert_eq!(s.len(), 3);
    assert!(s.predecessors(ids[2]).is_empty());
    assert!(s.predecessors(ids[4]).is_empty());
}

#[test]
fn keep_only_between_with_and_without_the_bounds() {
    let cases = [
        (true, true, vec!["b", "c", "d"]),
        (false, true, vec!["c", "d"]),
        (true, false, vec!["b", "c"]),
        (false, false, vec!["c"]),
    ];
    for (keep_starts, keep_ends, expected) in cases {
        let (mut s, ids) = chain();
        s.keep_only_between(&[ids[1]], &[ids[3]], keep_starts, keep_ends)
            .unwrap();
        let kept: Vec<String> = s.walk().into_iter().map(|j| j.label).collect();
        assert_eq!(
            kept, expected,
            "keep_starts {keep_starts}, keep_ends {keep_ends}"
        );
    }
    // An empty side does not constrain.
    let (mut s, ids) = chain();
    s.keep_only_between(&[ids[2]], &[], true, true).unwrap();
    let kept: Vec<String> = s.walk().into_iter().map(|j| j.label).collect();
    assert_eq!(kept, ["c", "d", "e"]);
    // In a diamond, between top and bottom is everything.
    let (mut s, [top, _, _, bottom]) = diamond();
    s.keep_only_between(&[top.id()], &[bottom.id()], false, false)
        .unwrap();
    let kept: Vec<String> = s.walk().into_iter().map(|j| j.label).collect();
    assert_eq!(kept, ["left", "right"]);
}

#[tokio::test]
async fn requiring_a_removed_job_is_an_invalid_graph() {
    let (mut s, ids) = chain();
    s.bypass_and_remove(ids[1]).unwrap();
    // A handle kept from before the surgery.
    let late = s.add(noop()).label("late").id();
    s.job_mut(late).unwrap().requires(ids[1]);
    assert_eq!(
        s.check(),
        Err(GraphError::RequiresRemoved { job: "late".into() })
    );
    assert!(s.run().await.is_err());
}

#[test]
fn walk_and_queries_on_a_nested_graph() {
    let mut inner = Scheduler::new().with_label("inner");
    let x = inner.add(noop()).label("x").id();
    inner.add(noop()).label("y").requires(x);
    let mut s = Scheduler::new();
    let first = s.add(noop()).label("first").id();
    let nested = s.add(inner).requires(first).id();
    s.add(noop()).label("last").requires(nested);
    let walk: Vec<(String, usize, bool)> = s
        .walk()
        .into_iter()
        .map(|j| (j.label, j.depth, j.is_scheduler))
        .collect();
    assert_eq!(
        walk,
        [
            ("first".to_owned(), 0, false),
            ("inner".to_owned(), 0, true),
            ("x".to_owned(), 1, false),
            ("y".to_owned(), 1, false),
            ("last".to_owned(), 0, false),
        ]
    );
    // The nested scheduler is one node of its parent.
    assert_eq!(labels(&s, &s.downstream(&[first.id()])), ["inner", "last"]);
    // Its jobs are not jobs of the parent.
    assert!(s.predecessors(x).is_empty());
}

#[test]
fn check_finds_a_cycle_without_running() {
    let (mut s, ids) = chain();
    assert_eq!(s.check(), Ok(()));
    s.add(noop()).label("z");
    s.add(noop()).label("after").requires(ids[4]);
    assert_eq!(s.check(), Ok(()));
    let mut inner = Scheduler::new();
    let p = inner.add(noop()).label("p").id();
    let q = inner.add(noop()).label("q").requires(p).id();
    inner.job_mut(p).unwrap().requires(q);
    s.add(inner);
    assert!(matches!(s.check(), Err(GraphError::Cycle(_))));
}
