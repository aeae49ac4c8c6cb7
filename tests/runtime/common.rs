//! Helpers shared by the behaviour tests.

use std::future::Future;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use std::pin::Pin;

use jobs_core::{BoxError, Failure, Job, JobId, Outcome, Scheduler, ShutdownStatus};

/// A shared, ordered log of what the jobs did.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    pub fn push(&self, entry: impl Into<String>) {
        self.0.lock().unwrap().push(entry.into());
    }

    pub fn entries(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// A job that logs its start and end and sleeps `ms` (virtual) milliseconds.
pub async fn step(log: Log, name: &'static str, ms: u64) -> Result<&'static str, std::io::Error> {
    log.push(format!("{name}>"));
    tokio::time::sleep(Duration::from_millis(ms)).await;
    log.push(format!("<{name}"));
    Ok(name)
}

/// A job that fails after `ms` milliseconds.
pub async fn boom(ms: u64) -> Result<(), std::io::Error> {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Err(std::io::Error::other(format!("boom after {ms}ms")))
}

/// Counts the futures alive at each moment, and the most ever alive at once.
#[derive(Clone, Default)]
pub struct Gauge(Arc<(AtomicUsize, AtomicUsize)>);

/// One unit of a [`Gauge`], given back on drop.
pub struct Entered(Gauge);

impl Gauge {
    pub fn enter(&self) -> Entered {
        let now = self.0.0.fetch_add(1, SeqCst) + 1;
        self.0.1.fetch_max(now, SeqCst);
        Entered(self.clone())
    }

    pub fn now(&self) -> usize {
        self.0.0.load(SeqCst)
    }

    pub fn max(&self) -> usize {
        self.0.1.load(SeqCst)
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        self.0.0.0.fetch_sub(1, SeqCst);
    }
}

/// How a [`Trace`] job ends.
#[derive(Clone, Copy, Debug)]
pub enum End {
    Ok,
    Err,
    Panic,
    /// Never ends by itself.
    Never,
}

/// A log of what happened, each entry stamped with the (virtual) milliseconds since
/// the trace was made, and a gauge of the trace's jobs running at each moment.
#[derive(Clone)]
pub struct Trace {
    origin: tokio::time::Instant,
    entries: Arc<Mutex<Vec<(String, u64)>>>,
    pub live: Gauge,
}

impl Trace {
    pub fn new() -> Trace {
        Trace {
            origin: tokio::time::Instant::now(),
            entries: Arc::default(),
            live: Gauge::default(),
        }
    }

    pub fn mark(&self, what: impl Into<String>) {
        let ms = self.origin.elapsed().as_millis() as u64;
        self.entries.lock().unwrap().push((what.into(), ms));
    }

    /// The entries, in order, without their times.
    pub fn names(&self) -> Vec<String> {
        self.entries
            .lock()
            .unwrap()
            .iter()
            .map(|(w, _)| w.clone())
            .collect()
    }

    pub fn count(&self, what: &str) -> usize {
        self.names().iter().filter(|w| *w == what).count()
    }

    pub fn has(&self, what: &str) -> bool {
        self.count(what) > 0
    }

    /// When `what` happened (its first occurrence).
    pub fn at(&self, what: &str) -> u64 {
        let entries = self.entries.lock().unwrap();
        match entries.iter().find(|(w, _)| w == what) {
            Some(&(_, ms)) => ms,
            None => panic!("`{what}` not in {entries:?}"),
        }
    }

    /// A job that marks `name>` when it starts and `<name` when its `ms` are over,
    /// then ends as `end` says; it counts in `live` while it runs.
    pub fn run(
        &self,
        name: &'static str,
        ms: u64,
        end: End,
    ) -> impl Future<Output = Result<&'static str, std::io::Error>> + Send + 'static {
        let trace = self.clone();
        async move {
            let _live = trace.live.enter();
            trace.mark(format!("{name}>"));
            match end {
                End::Never => std::future::pending().await,
                _ => tokio::time::sleep(Duration::from_millis(ms)).await,
            }
            trace.mark(format!("<{name}"));
            match end {
                End::Err => Err(std::io::Error::other(format!("{name} failed"))),
                End::Panic => panic!("{name} panicked"),
                _ => Ok(name),
            }
        }
    }

    /// A job that succeeds after `ms`.
    pub fn job(
        &self,
        name: &'static str,
        ms: u64,
    ) -> impl Future<Output = Result<&'static str, std::io::Error>> + Send + 'static {
        self.run(name, ms, End::Ok)
    }

    /// A job that never ends by itself.
    pub fn endless(
        &self,
        name: &'static str,
    ) -> impl Future<Output = Result<&'static str, std::io::Error>> + Send + 'static {
        self.run(name, 0, End::Never)
    }
}

/// How a [`Hooked`] job's shutdown hook ends.
#[derive(Clone, Copy, Debug)]
pub enum Hook {
    /// Succeeds after so many milliseconds.
    Takes(u64),
    Fails,
    /// Panics inside its future.
    Panics,
    /// Panics in `shutdown` itself, before returning a future.
    PanicsEarly,
    /// Never returns.
    Hangs,
}

/// A custom job with a shutdown hook: `run` marks `name:run`, then the job runs like
/// [`Trace::run`]. Its hook marks `name:down>` when it starts (and `name:down while
/// jobs run` if a job of the trace still runs then), `<name:down` when it ends and
/// `name:down dropped` when its future is dropped.
pub struct Hooked {
    pub trace: Trace,
    pub name: &'static str,
    pub ms: u64,
    pub end: End,
    pub hook: Hook,
}

impl Hooked {
    pub fn new(trace: &Trace, name: &'static str, ms: u64, hook: Hook) -> Hooked {
        Hooked {
            trace: trace.clone(),
            name,
            ms,
            end: End::Ok,
            hook,
        }
    }

    pub fn ending(mut self, end: End) -> Hooked {
        self.end = end;
        self
    }
}

/// Marks an entry when dropped.
struct MarkOnDrop(Trace, String);

impl Drop for MarkOnDrop {
    fn drop(&mut self) {
        self.0.mark(std::mem::take(&mut self.1));
    }
}

impl Job for Hooked {
    type Output = &'static str;

    fn run(&mut self) -> impl Future<Output = Result<&'static str, BoxError>> + Send + 'static {
        self.trace.mark(format!("{}:run", self.name));
        let job = self.trace.run(self.name, self.ms, self.end);
        async move { Ok(job.await?) }
    }

    fn shutdown(&mut self) -> impl Future<Output = Result<(), BoxError>> + Send + 'static {
        let (trace, name, hook) = (self.trace.clone(), self.name, self.hook);
        if let Hook::PanicsEarly = hook {
            panic!("{name} shutdown panicked early");
        }
        async move {
            trace.mark(format!("{name}:down>"));
            if trace.live.now() > 0 {
                trace.mark(format!("{name}:down while jobs run"));
            }
            let _dropped = MarkOnDrop(trace.clone(), format!("{name}:down dropped"));
            match hook {
                Hook::Takes(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
                Hook::Hangs => std::future::pending().await,
                _ => {}
            }
            trace.mark(format!("<{name}:down"));
            match hook {
                Hook::Fails => Err(format!("{name} shutdown failed").into()),
                Hook::Panics => panic!("{name} shutdown panicked"),
                _ => Ok(()),
            }
        }
    }

    fn has_shutdown(&self) -> bool {
        true
    }

    fn label(&self) -> Option<String> {
        Some(self.name.to_owned())
    }
}

/// Milliseconds of (virtual) time since `start`.
pub fn ms_since(start: tokio::time::Instant) -> u64 {
    start.elapsed().as_millis() as u64
}

/// `ms` milliseconds.
pub fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

/// How a scheduler is run.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// `Scheduler::run`: jobs in tokio tasks.
    Tasks,
    /// `Scheduler::run_local`: every job inside the run future.
    Local,
}

impl Mode {
    /// The run future of `s` in this mode.
    pub fn start(self, s: Scheduler) -> Pin<Box<dyn Future<Output = Result<Outcome, Failure>>>> {
        match self {
            Mode::Tasks => Box::pin(s.run()),
            Mode::Local => Box::pin(s.run_local()),
        }
    }
}

/// Runs `s`, failing the test rather than hanging if the run never ends.
pub async fn run(s: Scheduler) -> Result<Outcome, Failure> {
    run_in(s, Mode::Tasks).await
}

/// [`run`] in `mode`.
pub async fn run_in(s: Scheduler, mode: Mode) -> Result<Outcome, Failure> {
    tokio::time::timeout(Duration::from_secs(60), mode.start(s))
        .await
        .expect("the run never ended")
}

/// A job's shutdown hook status, in words: `ok`, `timed out`, `error: ...`,
/// `panic: ...`, or `none`.
pub fn hook_status(outcome: &Outcome, job: impl Into<JobId>) -> String {
    match outcome.report(job).and_then(|r| r.shutdown()) {
        Some(ShutdownStatus::Ok) => "ok".into(),
        Some(ShutdownStatus::Failed(e)) if e.is_panic() => format!("panic: {e}"),
        Some(ShutdownStatus::Failed(e)) => format!("error: {e}"),
        Some(ShutdownStatus::TimedOut) => "timed out".into(),
        Some(other) => format!("{other:?}"),
        None => "none".into(),
    }
}
