//! Instrumentation: every job and hook records what it does in one shared, ordered
//! log, and drop guards count the job futures, hook futures and job objects alive.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, MutexGuard, Once};
use std::time::Duration;

use futures_util::future::BoxFuture;
use jobs_core::{BoxError, Job};
use tokio::time::Instant;

use crate::model::{End, Flavor, Hook};

/// How a job or a hook finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fin {
    Ok,
    Err,
    Panic,
}

/// What happened to a job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum What {
    /// The scheduler started a custom job (`Job::run`) or an `add_with` job (its closure).
    Decide,
    /// The job's future was polled for the first time.
    Start,
    /// The job's future finished.
    End(Fin),
    /// The job's future was dropped (finished or not, polled or not).
    Drop,
    /// The values an `add_with` job received.
    Inputs(Vec<u64>),
    /// `Job::shutdown` was called.
    HookCall,
    /// The hook's future was polled for the first time.
    HookStart,
    HookEnd(Fin),
    /// The hook's future was dropped.
    HookDrop,
}

#[derive(Clone, Debug)]
pub struct Event {
    pub node: usize,
    pub what: What,
    /// Microseconds since the log was made (virtual time on a paused clock).
    pub at: u64,
}

/// What the drop guards count.
#[derive(Clone, Copy, Debug)]
pub enum Gauge {
    /// Job futures.
    Futures = 0,
    /// Hook futures.
    Hooks = 1,
    /// Custom job values and `add_with` closures.
    Objects = 2,
}

/// The shared log and gauges of one case.
#[derive(Clone)]
pub struct Rec(Arc<Inner>);

struct Inner {
    origin: Instant,
    events: Mutex<Vec<Event>>,
    gauges: [AtomicUsize; 3],
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Rec {
    /// Must be made inside the case's runtime, for its clock.
    pub fn new() -> Rec {
        Rec(Arc::new(Inner {
            origin: Instant::now(),
            events: Mutex::new(Vec::new()),
            gauges: Default::default(),
        }))
    }

    pub fn log(&self, node: usize, what: What) {
        let mut events = lock(&self.0.events);
        // Stamped under the lock, so that times never go back along the log.
        let at = self.0.origin.elapsed().as_micros() as u64;
        events.push(Event { node, what, at });
    }

    pub fn events(&self) -> Vec<Event> {
        lock(&self.0.events).clone()
    }

    pub fn len(&self) -> usize {
        lock(&self.0.events).len()
    }

    pub fn live(&self, gauge: Gauge) -> usize {
        self.0.gauges[gauge as usize].load(SeqCst)
    }

    /// Futures, hooks and objects alive.
    pub fn gauges(&self) -> [usize; 3] {
        [Gauge::Futures, Gauge::Hooks, Gauge::Objects].map(|g| self.live(g))
    }

    pub fn token(&self, gauge: Gauge) -> Token {
        self.0.gauges[gauge as usize].fetch_add(1, SeqCst);
        Token {
            rec: self.clone(),
            gauge,
        }
    }

    /// Logs `what` for `node` when dropped, and counts in `gauge` until then.
    fn on_drop(&self, node: usize, what: What, gauge: Gauge) -> Logged {
        Logged {
            node,
            what,
            token: self.token(gauge),
        }
    }
}

/// One unit of a gauge, given back on drop.
pub struct Token {
    rec: Rec,
    gauge: Gauge,
}

impl Drop for Token {
    fn drop(&mut self) {
        self.rec.0.gauges[self.gauge as usize].fetch_sub(1, SeqCst);
    }
}

struct Logged {
    node: usize,
    what: What,
    token: Token,
}

impl Drop for Logged {
    fn drop(&mut self) {
        let what = std::mem::replace(&mut self.what, What::Drop);
        self.token.rec.log(self.node, what);
    }
}

/// What a job does once it runs.
#[derive(Clone)]
pub struct Plan {
    pub node: usize,
    pub label: String,
    pub end: End,
    pub ms: u64,
    pub flavor: Flavor,
}

async fn work(flavor: Flavor, ms: u64) {
    match flavor {
        Flavor::Current => {
            if ms > 0 {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
        }
        Flavor::Multi => {
            for _ in 0..ms / 10 {
                tokio::task::yield_now().await;
            }
        }
    }
}

/// A job's future: logs its start and end, and its drop (even if never polled). Its
/// value is its node number.
pub fn job_future(
    rec: &Rec,
    plan: Plan,
) -> impl Future<Output = Result<u64, std::io::Error>> + Send + 'static {
    let dropped = rec.on_drop(plan.node, What::Drop, Gauge::Futures);
    let rec = rec.clone();
    async move {
        let _dropped = dropped;
        let node = plan.node;
        rec.log(node, What::Start);
        if plan.end == End::Never {
            std::future::pending::<()>().await;
        }
        work(plan.flavor, plan.ms).await;
        match plan.end {
            End::Err => {
                rec.log(node, What::End(Fin::Err));
                Err(std::io::Error::other(format!("job {} failed", plan.label)))
            }
            End::Panic => {
                rec.log(node, What::End(Fin::Panic));
                panic!("probe: job {} panicked", plan.label)
            }
            _ => {
                rec.log(node, What::End(Fin::Ok));
                Ok(node as u64)
            }
        }
    }
}

/// A hook's future: logs its start, its end and its drop.
fn hook_future(
    rec: &Rec,
    node: usize,
    label: String,
    hook: Hook,
    flavor: Flavor,
) -> impl Future<Output = Result<(), BoxError>> + Send + 'static {
    let dropped = rec.on_drop(node, What::HookDrop, Gauge::Hooks);
    let rec = rec.clone();
    async move {
        let _dropped = dropped;
        rec.log(node, What::HookStart);
        match hook {
            Hook::Takes(ms) => work(flavor, ms).await,
            Hook::Hangs => std::future::pending().await,
            _ => {}
        }
        match hook {
            Hook::Fails => {
                rec.log(node, What::HookEnd(Fin::Err));
                Err(format!("hook {label} failed").into())
            }
            Hook::Panics => {
                rec.log(node, What::HookEnd(Fin::Panic));
                panic!("probe: hook {label} panicked")
            }
            _ => {
                rec.log(node, What::HookEnd(Fin::Ok));
                Ok(())
            }
        }
    }
}

/// A custom job, with a shutdown hook or without.
pub struct Probe {
    rec: Rec,
    plan: Plan,
    hook: Option<Hook>,
    _object: Token,
}

impl Probe {
    pub fn new(rec: &Rec, plan: Plan, hook: Option<Hook>) -> Probe {
        Probe {
            rec: rec.clone(),
            plan,
            hook,
            _object: rec.token(Gauge::Objects),
        }
    }
}

impl Job for Probe {
    type Output = u64;

    fn run(&mut self) -> impl Future<Output = Result<u64, BoxError>> + Send + 'static {
        self.rec.log(self.plan.node, What::Decide);
        if self.plan.end == End::PanicOnStart {
            panic!("probe: job {} panicked on start", self.plan.label);
        }
        let job = job_future(&self.rec, self.plan.clone());
        async move { Ok(job.await?) }
    }

    fn shutdown(&mut self) -> impl Future<Output = Result<(), BoxError>> + Send + 'static {
        let node = self.plan.node;
        self.rec.log(node, What::HookCall);
        let hook = self.hook.unwrap_or(Hook::Takes(0));
        if hook == Hook::PanicsEarly {
            panic!("probe: hook {} panicked early", self.plan.label);
        }
        let label = self.plan.label.clone();
        hook_future(&self.rec, node, label, hook, self.plan.flavor)
    }

    fn has_shutdown(&self) -> bool {
        self.hook.is_some()
    }
}

/// The closure of an `add_with` job: logs its start and the values it receives.
pub fn consumer(
    rec: &Rec,
    plan: Plan,
) -> impl FnOnce(Vec<u64>) -> BoxFuture<'static, Result<u64, std::io::Error>> + Send + 'static {
    let object = rec.token(Gauge::Objects);
    let rec = rec.clone();
    move |values| {
        let _object = object;
        rec.log(plan.node, What::Decide);
        rec.log(plan.node, What::Inputs(values));
        if plan.end == End::PanicOnStart {
            panic!("probe: job {} panicked on start", plan.label);
        }
        Box::pin(job_future(&rec, plan))
    }
}

/// Keeps the panics that jobs and hooks make on purpose out of the test output.
pub fn quiet_probe_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied());
            if !message.is_some_and(|m| m.starts_with("probe: ")) {
                default(info);
            }
        }));
    });
}
