//! The stream of state changes (`Scheduler::events`) and the `tracing` events and
//! spans under target `jobs_core`, in virtual time.
//!
//! Events are written `label state`, with `> ` per level of nesting and the error
//! after a colon: `> sub2 failed: sub2 failed`.

use std::time::Duration;

use jobs_core::{Events, Scheduler, State, infallible};

use crate::common::{End, Trace};

/// Every event of the stream, until the run ends, one line each.
async fn lines(mut events: Events) -> Vec<String> {
    let mut lines = Vec::new();
    while let Some(event) = events.next().await {
        let mut line = format!(
            "{}{} {}",
            "> ".repeat(event.depth),
            event.label,
            event.state
        );
        if let Some(error) = &event.error {
            line.push_str(&format!(": {error}"));
        }
        lines.push(line);
    }
    lines
}

#[tokio::test(start_paused = true)]
async fn a_window_of_one_queues_ready_jobs_in_order() {
    let trace = Trace::new();
    let mut s = Scheduler::new().with_window(1);
    for name in ["a", "b", "c"] {
        s.add(trace.job(name, 10)).label(name);
    }
    let mut events = s.events();
    s.run().await.unwrap();
    // `events` ends with the run: the whole sequence is there.
    let mut seen = Vec::new();
    while let Some(event) = events.next().await {
        assert_eq!((event.depth, event.error.is_none()), (0, true));
        seen.push((event.label, event.state));
    }
    let expected = [
        ("a", State::Running),
        ("b", State::Scheduled),
        ("c", State::Scheduled),
        ("a", State::Done),
        ("b", State::Running),
        ("b", State::Done),
        ("c", State::Running),
        ("c", State::Done),
    ];
    assert_eq!(seen, expected.map(|(job, state)| (job.to_owned(), state)));
}

#[tokio::test(start_paused = true)]
async fn a_chain_starts_each_job_when_the_previous_one_is_done() {
    let trace = Trace::new();
    let mut s = Scheduler::new().with_window(1);
    let mut seq = s.sequence();
    for name in ["a", "b", "c"] {
        seq.add(trace.job(name, 10)).label(name);
    }
    let events = s.events();
    s.run().await.unwrap();
    // A job of a chain is never ready before its predecessor frees the slot, so
    // nothing waits in the window.
    assert_eq!(
        lines(events).await,
        [
            "a running",
            "a done",
            "b running",
            "b done",
            "c running",
            "c done"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_non_critical_failure_skips_its_consumer_and_not_its_dependents() {
    let trace = Trace::new();
    let mut s = Scheduler::new();
    let fetch = s
        .add(trace.run("fetch", 10, End::Err))
        .label("fetch")
        .noncritical()
        .id();
    s.add_with((fetch,), |(page,)| async move {
        Ok::<_, std::io::Error>(page.len())
    })
    .label("parse")
    .noncritical();
    s.add(trace.job("notify", 5))
        .label("notify")
        .requires(fetch);
    let events = s.events();
    let outcome = s.run().await.unwrap();
    assert_eq!(
        lines(events).await,
        [
            "fetch running",
            "fetch failed: fetch failed",
            "parse skipped: skipped: its input `fetch` produced no value",
            "notify running",
            "notify done",
        ]
    );
    assert_eq!(outcome.counts().skipped, 1);
}

#[tokio::test(start_paused = true)]
async fn a_critical_failure_cancels_a_running_job_and_a_queued_one() {
    let trace = Trace::new();
    let mut s = Scheduler::new().with_window(2);
    s.add(trace.run("fatal", 10, End::Err)).label("fatal");
    s.add(trace.job("slow", 1000)).label("slow");
    s.add(trace.job("queued", 10)).label("queued");
    let events = s.events();
    let failure = s.run().await.unwrap_err();
    assert_eq!(failure.critical_job().map(|(job, _)| job), Some("fatal"));
    assert_eq!(
        lines(events).await,
        [
            "fatal running",
            "slow running",
            "queued scheduled",
            "fatal failed: fatal failed",
            "queued cancelled",
            "slow cancelled",
        ]
    );
    assert!(!trace.has("<slow") && !trace.has("queued>"));
}

#[tokio::test(start_paused = true)]
async fn jobs_of_a_nested_scheduler_come_one_level_deeper() {
    let trace = Trace::new();
    let mut sub = Scheduler::new().with_label("sub").with_window(1);
    sub.add(trace.job("sub1", 10)).label("sub1");
    sub.add(trace.run("sub2", 10, End::Err))
        .label("sub2")
        .noncritical();
    let mut s = Scheduler::new();
    let mut seq = s.sequence();
    seq.add(trace.job("begin", 10)).label("begin");
    seq.add(sub);
    seq.add(trace.job("end", 10)).label("end");
    let events = s.events();
    s.run().await.unwrap();
    assert_eq!(
        lines(events).await,
        [
            "begin running",
            "begin done",
            "sub running",
            "> sub1 running",
            "> sub2 scheduled",
            "> sub1 done",
            "> sub2 running",
            "> sub2 failed: sub2 failed",
            "sub done",
            "end running",
            "end done",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_nested_scheduler_with_its_own_subscriber_keeps_its_events() {
    let trace = Trace::new();
    let mut sub = Scheduler::new().with_label("sub");
    sub.add(trace.job("inner", 10)).label("inner");
    let inner = sub.events();
    let mut s = Scheduler::new();
    s.add(sub);
    let outer = s.events();
    s.run().await.unwrap();
    assert_eq!(lines(outer).await, ["sub running", "sub done"]);
    assert_eq!(lines(inner).await, ["inner running", "inner done"]);
}

#[tokio::test(start_paused = true)]
async fn a_forever_job_is_cancelled_at_the_end() {
    let trace = Trace::new();
    let mut s = Scheduler::new().with_window(1);
    s.add(trace.endless("monitor"))
        .label("monitor")
        .forever(true);
    s.add(trace.job("work", 10)).label("work");
    let events = s.events();
    let outcome = s.run().await.unwrap();
    // A forever job takes no window slot: both start at once.
    assert_eq!(
        lines(events).await,
        [
            "monitor running",
            "work running",
            "work done",
            "monitor cancelled"
        ]
    );
    assert_eq!(outcome.elapsed(), Duration::from_millis(10));
}

#[tokio::test(start_paused = true)]
async fn events_name_jobs_by_id_and_default_label() {
    let mut s = Scheduler::new();
    let a = s.add(infallible(async {})).id();
    let b = s.add(infallible(async {})).label("b").requires(a).id();
    let mut events = s.events();
    s.run().await.unwrap();
    let mut seen = Vec::new();
    while let Some(event) = events.next().await {
        seen.push((event.job, event.label, event.state));
    }
    assert_eq!(
        seen,
        [
            (a.id(), "job-1".to_owned(), State::Running),
            (a.id(), "job-1".to_owned(), State::Done),
            (b.id(), "b".to_owned(), State::Running),
            (b.id(), "b".to_owned(), State::Done),
        ]
    );
}

/// A `tracing` subscriber that keeps, as lines, the spans it is asked to create and
/// the events it is given, of target `jobs_core` only.
mod collector {
    use std::fmt::{self, Write as _};
    use std::sync::{Arc, Mutex, Once};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::subscriber::Interest;
    use tracing::{Event, Metadata, Subscriber};

    #[derive(Clone, Default)]
    pub struct Collector(Arc<Mutex<Seen>>);

    #[derive(Default)]
    struct Seen {
        /// Each span as `name field=value ...`; its id is its position + 1.
        spans: Vec<String>,
        /// The parent of each span: its explicit parent, or the span entered when it
        /// was created.
        parents: Vec<Option<usize>>,
        /// Each event as `field=value ...`.
        events: Vec<String>,
        /// The spans entered, innermost last.
        entered: Vec<usize>,
    }

    impl Collector {
        /// The spans, in creation order.
        pub fn spans(&self) -> Vec<String> {
            self.0.lock().unwrap().spans.clone()
        }

        /// The spans, each with its parent: `job job=a < scheduler label=main`.
        pub fn tree(&self) -> Vec<String> {
            let seen = self.0.lock().unwrap();
            let parents = seen.parents.iter();
            (seen.spans.iter().zip(parents))
                .map(|(span, parent)| match parent {
                    Some(p) => format!("{span} < {}", seen.spans[*p]),
                    None => span.clone(),
                })
                .collect()
        }

        /// The events, in order.
        pub fn events(&self) -> Vec<String> {
            self.0.lock().unwrap().events.clone()
        }
    }

    /// Writes ` name=value` for each field.
    struct Fields(String);

    impl Visit for Fields {
        fn record_str(&mut self, field: &Field, value: &str) {
            let _ = write!(self.0, " {}={value}", field.name());
        }
        fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }

    /// `sometimes` for `jobs_core`: ask `enabled` at each call.
    fn interest(metadata: &Metadata<'_>) -> Interest {
        match metadata.target() {
            "jobs_core" => Interest::sometimes(),
            _ => Interest::never(),
        }
    }

    impl Subscriber for Collector {
        fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
            interest(metadata)
        }

        fn enabled(&self, metadata: &Metadata<'_>) -> bool {
            metadata.target() == "jobs_core"
        }

        fn new_span(&self, span: &Attributes<'_>) -> Id {
            let mut fields = Fields(span.metadata().name().to_owned());
            span.record(&mut fields);
            let mut seen = self.0.lock().unwrap();
            let parent = if span.is_contextual() {
                seen.entered.last().copied()
            } else {
                span.parent().map(|id| id.into_u64() as usize - 1)
            };
            seen.spans.push(fields.0);
            seen.parents.push(parent);
            Id::from_u64(seen.spans.len() as u64)
        }

        fn record(&self, _: &Id, _: &Record<'_>) {}

        fn record_follows_from(&self, _: &Id, _: &Id) {}

        fn event(&self, event: &Event<'_>) {
            let mut fields = Fields(String::new());
            event.record(&mut fields);
            let line = fields.0.trim_start().to_owned();
            self.0.lock().unwrap().events.push(line);
        }

        fn enter(&self, span: &Id) {
            let index = span.into_u64() as usize - 1;
            self.0.lock().unwrap().entered.push(index);
        }

        fn exit(&self, _: &Id) {
            self.0.lock().unwrap().entered.pop();
        }
    }

    /// The global subscriber of this test binary: it keeps nothing, but says that
    /// `jobs_core`'s callsites are `sometimes` enabled. Without it, a test of another
    /// thread (with no subscriber) reaching a callsite first would have it cached as
    /// `never` for the whole process, and a [`Collector`] would miss its events.
    struct Quiet;

    impl Subscriber for Quiet {
        fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
            interest(metadata)
        }
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            false
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, _: &Event<'_>) {}
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    /// Runs `workflow` on a current-thread runtime in virtual time, with `collector`
    /// as the default subscriber: it is per thread, and such a runtime polls every job
    /// on this one.
    pub fn run<F: Future>(collector: &Collector, workflow: F) -> F::Output {
        static QUIET: Once = Once::new();
        QUIET.call_once(|| tracing::subscriber::set_global_default(Quiet).unwrap());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        tracing::subscriber::with_default(collector.clone(), || runtime.block_on(workflow))
    }
}

#[test]
fn tracing_has_a_span_per_scheduler_and_per_job_and_an_event_per_state_change() {
    let collector = collector::Collector::default();
    collector::run(&collector, async {
        let trace = Trace::new();
        let mut s = Scheduler::new().with_label("main").with_window(1);
        let a = s.add(trace.job("a", 10)).label("a").id();
        s.add(trace.run("b", 10, End::Err))
            .label("b")
            .noncritical()
            .requires(a);
        s.add(trace.job("c", 10)).label("c").requires(a);
        s.add(trace.endless("monitor"))
            .label("monitor")
            .forever(true);
        s.run().await.unwrap();
    });
    assert_eq!(
        collector.spans(),
        [
            "scheduler label=main",
            "job job=a",
            "job job=monitor",
            "job job=b",
            "job job=c",
        ]
    );
    assert_eq!(
        collector.events(),
        [
            "job=a state=running",
            "job=monitor state=running",
            "job=a state=done",
            "job=b state=running",
            "job=c state=scheduled",
            "job=b state=failed error=b failed",
            "job=c state=running",
            "job=c state=done",
            "job=monitor state=cancelled",
        ]
    );
}

/// A nested scheduler has a span of its own under its parent's, the spans of its jobs
/// are under it (not under the span of the job whose end started them), and its
/// label names it in its parent's events.
#[test]
fn tracing_nests_the_spans_of_nested_schedulers() {
    let collector = collector::Collector::default();
    collector::run(&collector, async {
        let trace = Trace::new();
        let mut sub = Scheduler::new().with_label("sub");
        sub.add(trace.job("inner", 10)).label("inner");
        let mut s = Scheduler::new().with_label("main");
        let a = s.add(trace.job("a", 10)).label("a").id();
        s.add(trace.job("b", 5)).label("b").requires(a);
        s.add(sub).requires(a);
        s.run().await.unwrap();
    });
    assert_eq!(
        collector.tree(),
        [
            "scheduler label=main",
            "job job=a < scheduler label=main",
            "job job=b < scheduler label=main",
            "scheduler label=sub < scheduler label=main",
            "job job=inner < scheduler label=sub",
        ]
    );
    assert_eq!(
        collector.events(),
        [
            "job=a state=running",
            "job=a state=done",
            "job=b state=running",
            "job=sub state=running",
            "job=inner state=running",
            "job=b state=done",
            "job=inner state=done",
            "job=sub state=done",
        ]
    );
}
