//! A stream of job state changes, for progress bars and live views.

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::mpsc;

use crate::error::JobError;
use crate::outcome::State;
use crate::scheduler::{JobId, Scheduler};

/// A job changed state.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Event {
    /// Which job.
    pub job: JobId,
    /// Its label.
    pub label: String,
    /// 0 for a job of the scheduler that was subscribed to, 1 inside a nested
    /// scheduler, and so on.
    pub depth: usize,
    /// Its new state: scheduled, running, done, failed, cancelled or skipped.
    pub state: State,
    /// The error, when failed or skipped.
    pub error: Option<JobError>,
}

/// The receiving end of [`Scheduler::events`]: a `Stream` of [`Event`]s, in the order
/// the scheduler saw them, that ends when the run has ended.
#[derive(Debug)]
pub struct Events(mpsc::UnboundedReceiver<Event>);

impl Events {
    /// The next event; `None` once the run has ended.
    pub async fn next(&mut self) -> Option<Event> {
        self.0.recv().await
    }
}

impl futures_util::Stream for Events {
    type Item = Event;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        self.0.poll_recv(cx)
    }
}

#[derive(Clone, Debug)]
pub(crate) struct EventSink {
    tx: mpsc::UnboundedSender<Event>,
    pub(crate) depth: usize,
}

impl EventSink {
    pub(crate) fn send(&self, event: Event) {
        // Nobody listening any more is fine.
        let _ = self.tx.send(event);
    }

    pub(crate) fn nested(&self) -> EventSink {
        EventSink {
            tx: self.tx.clone(),
            depth: self.depth + 1,
        }
    }
}

impl Scheduler {
    /// Subscribes to the state changes of this scheduler's jobs, and of the jobs of the
    /// nested schedulers that have no subscriber of their own. A scheduler has one
    /// subscriber: a second call (or [`live`](Scheduler::live)) replaces the first.
    ///
    /// ```
    /// use jobs_core::{Scheduler, State, infallible};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mut s = Scheduler::new();
    /// s.add(infallible(async {})).label("a");
    /// let mut events = s.events();
    /// s.run().await.unwrap();
    /// let mut seen = Vec::new();
    /// while let Some(event) = events.next().await {
    ///     seen.push((event.label, event.state));
    /// }
    /// assert_eq!(seen, [("a".to_owned(), State::Running), ("a".to_owned(), State::Done)]);
    /// # }
    /// ```
    pub fn events(&mut self) -> Events {
        let (tx, rx) = mpsc::unbounded_channel();
        self.events = Some(EventSink { tx, depth: 0 });
        Events(rx)
    }
}

/// A live view of a run, for listings during the run: see [`Scheduler::live`].
#[derive(Debug)]
pub struct Live {
    outcome: crate::Outcome,
    events: Events,
}

impl Scheduler {
    /// A view of this scheduler's jobs that follows their states while it runs (it
    /// subscribes to the [events](Scheduler::events)): call [`Live::update`] then list
    /// or draw it at any time.
    ///
    /// ```
    /// use jobs_core::{Scheduler, infallible};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mut s = Scheduler::new();
    /// s.add(infallible(async {})).label("a");
    /// let mut live = s.live();
    /// assert_eq!(live.update().list(), "1 ⚠   ⚐   <Job `a`> [not done]\n");
    /// s.run().await.unwrap();
    /// assert_eq!(live.update().list(), "1 ⚠ ☉ ☓   <Job `a`> [done]\n");
    /// # }
    /// ```
    pub fn live(&mut self) -> Live {
        let events = self.events();
        Live {
            outcome: crate::Outcome::idle(self.skeleton(), None),
            events,
        }
    }
}

impl Live {
    /// Applies the state changes seen so far, and returns the view: an outcome whose
    /// jobs have their current states (and errors), but no values.
    pub fn update(&mut self) -> &crate::Outcome {
        while let Ok(event) = self.events.0.try_recv() {
            self.outcome.set_state(event.job, event.state, event.error);
        }
        &self.outcome
    }
}
