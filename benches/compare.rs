//! Scheduling overhead of `jobs-core` against baselines measured in the same run.
//!
//! `cargo bench --bench compare` prints, for each workload of no-op jobs, the median
//! time of `jobs-core`, of a hand-written tokio dependency-counting scheduler, and of an
//! inline `FuturesUnordered` loop, with the ratios.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use jobs_core::{Scheduler, infallible};
use tokio::sync::{Notify, Semaphore};

#[derive(Clone, Copy)]
enum Shape {
    Independent(usize),
    Chain(usize),
    Layered { jobs: usize, width: usize },
}

impl Shape {
    fn jobs(self) -> usize {
        match self {
            Shape::Independent(n) | Shape::Chain(n) => n,
            Shape::Layered { jobs, .. } => jobs,
        }
    }

    /// Requirements of each job, by index.
    fn requires(self) -> Vec<Vec<u32>> {
        match self {
            Shape::Independent(n) => vec![Vec::new(); n],
            Shape::Chain(n) => (0..n)
                .map(|i| {
                    if i == 0 {
                        Vec::new()
                    } else {
                        vec![i as u32 - 1]
                    }
                })
                .collect(),
            Shape::Layered { jobs, width } => (0..jobs)
                .map(|i| {
                    let layer = i / width;
                    if layer == 0 {
                        Vec::new()
                    } else {
                        ((layer - 1) * width..layer * width)
                            .map(|j| j as u32)
                            .collect()
                    }
                })
                .collect(),
        }
    }

    fn edges(self) -> usize {
        self.requires().iter().map(Vec::len).sum()
    }
}

async fn run_jobs_core(shape: Shape, window: Option<usize>) -> Duration {
    let requires = shape.requires();
    let start = Instant::now();
    let mut s = Scheduler::new();
    if let Some(w) = window {
        s.set_window(w);
    }
    let mut ids = Vec::with_capacity(requires.len());
    for reqs in &requires {
        let mut job = s.add(infallible(async {}));
        for &r in reqs {
            job = job.requires(ids[r as usize]);
        }
        ids.push(job.id());
    }
    let built = start.elapsed();
    let outcome = s.run().await.expect("run succeeds");
    let ran = start.elapsed();
    drop(outcome);
    if std::env::var_os("BENCH_PHASES").is_some() {
        eprintln!(
            "build {built:?} run {:?} drop {:?}",
            ran - built,
            start.elapsed() - ran
        );
    }
    start.elapsed()
}

/// The baseline: an in-degree per job; a finished job decrements its successors and
/// spawns those that reach zero; a semaphore for the window.
async fn run_baseline(shape: Shape, window: Option<usize>) -> Duration {
    struct Graph {
        succ: Vec<Vec<u32>>,
        pending: Vec<AtomicU32>,
        left: AtomicUsize,
        done: Notify,
        window: Option<Arc<Semaphore>>,
    }
    fn spawn(g: &Arc<Graph>, i: u32) {
        let g = g.clone();
        tokio::spawn(async move {
            let _permit = match &g.window {
                Some(w) => Some(w.clone().acquire_owned().await.expect("open")),
                None => None,
            };
            std::future::ready(()).await;
            for &s in &g.succ[i as usize] {
                if g.pending[s as usize].fetch_sub(1, Ordering::AcqRel) == 1 {
                    spawn(&g, s);
                }
            }
            if g.left.fetch_sub(1, Ordering::AcqRel) == 1 {
                g.done.notify_one();
            }
        });
    }
    let requires = shape.requires();
    let start = Instant::now();
    let n = requires.len();
    let mut succ = vec![Vec::new(); n];
    for (i, reqs) in requires.iter().enumerate() {
        for &r in reqs {
            succ[r as usize].push(i as u32);
        }
    }
    let g = Arc::new(Graph {
        pending: requires
            .iter()
            .map(|r| AtomicU32::new(r.len() as u32))
            .collect(),
        succ,
        left: AtomicUsize::new(n),
        done: Notify::new(),
        window: window.map(|w| Arc::new(Semaphore::new(w))),
    });
    let done = g.done.notified();
    for (i, reqs) in requires.iter().enumerate() {
        if reqs.is_empty() {
            spawn(&g, i as u32);
        }
    }
    done.await;
    start.elapsed()
}

async fn noop(i: u32) -> u32 {
    i
}

/// Inline polling of every ready job in one `FuturesUnordered` (no tasks).
async fn run_unordered(shape: Shape) -> Duration {
    use futures_util::stream::{FuturesUnordered, StreamExt};
    let requires = shape.requires();
    let start = Instant::now();
    let n = requires.len();
    let mut succ = vec![Vec::new(); n];
    for (i, reqs) in requires.iter().enumerate() {
        for &r in reqs {
            succ[r as usize].push(i as u32);
        }
    }
    let mut pending: Vec<u32> = requires.iter().map(|r| r.len() as u32).collect();
    let mut running = FuturesUnordered::new();
    for (i, reqs) in requires.iter().enumerate() {
        if reqs.is_empty() {
            running.push(noop(i as u32));
        }
    }
    while let Some(i) = running.next().await {
        for &s in &succ[i as usize] {
            pending[s as usize] -= 1;
            if pending[s as usize] == 0 {
                running.push(noop(s));
            }
        }
    }
    start.elapsed()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Peak resident memory of this process, in bytes (Linux).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Runs one implementation on a 100k chain in a fresh process and returns its peak RSS.
fn measure_memory(which: &str) -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    let out = std::process::Command::new(exe)
        .env("BENCH_MEMORY_CHILD", which)
        .output()
        .ok()?;
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

fn memory_child(which: &str) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let before = peak_rss().unwrap_or(0);
    let shape = Shape::Chain(100_000);
    match which {
        "ours" => drop(rt.block_on(run_jobs_core(shape, None))),
        _ => drop(rt.block_on(run_baseline(shape, None))),
    }
    println!("{}", peak_rss().unwrap_or(0).saturating_sub(before));
}

fn main() {
    if let Ok(which) = std::env::var("BENCH_MEMORY_CHILD") {
        memory_child(&which);
        return;
    }
    let repeat: usize = std::env::var("BENCH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let rt = if std::env::var("BENCH_RT").as_deref() == Ok("current") {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    };
    let workloads: Vec<(&str, Shape, Option<usize>)> = vec![
        ("independent 100k", Shape::Independent(100_000), None),
        ("chain 100k", Shape::Chain(100_000), None),
        (
            "layered 10k w100",
            Shape::Layered {
                jobs: 10_000,
                width: 100,
            },
            None,
        ),
        (
            "independent 10k, window 10",
            Shape::Independent(10_000),
            Some(10),
        ),
    ];
    println!(
        "{:<28} {:>10} {:>10} {:>10} {:>9} {:>9} {:>9} {:>9}",
        "workload", "jobs-core", "baseline", "unordered", "ratio", "ns/job", "ns/edge", "vs unord"
    );
    let only = std::env::var("BENCH_ONLY").ok();
    for (name, shape, window) in workloads {
        if only.as_deref().is_some_and(|o| !name.starts_with(o)) {
            continue;
        }
        // BENCH_IMPL=ours|baseline|unordered runs only that one, for profiling.
        let only_impl = std::env::var("BENCH_IMPL").unwrap_or_default();
        let time = |name: &str, run: &dyn Fn() -> Duration| {
            if only_impl.is_empty() || only_impl == name {
                median((0..repeat).map(|_| run()).collect())
            } else {
                Duration::from_nanos(1)
            }
        };
        let ours = time("ours", &|| rt.block_on(run_jobs_core(shape, window)));
        let base = time("baseline", &|| rt.block_on(run_baseline(shape, window)));
        let unord = time("unordered", &|| rt.block_on(run_unordered(shape)));
        let edges = shape.edges();
        println!(
            "{:<28} {:>8.2}ms {:>8.2}ms {:>8.2}ms {:>8.2}x {:>9.0} {:>9} {:>8.2}x",
            name,
            ours.as_secs_f64() * 1e3,
            base.as_secs_f64() * 1e3,
            unord.as_secs_f64() * 1e3,
            ours.as_secs_f64() / base.as_secs_f64(),
            ours.as_nanos() as f64 / shape.jobs() as f64,
            if edges == 0 {
                "-".to_owned()
            } else {
                format!("{:.1}", ours.as_nanos() as f64 / edges as f64)
            },
            ours.as_secs_f64() / unord.as_secs_f64(),
        );
    }
    if std::env::var_os("BENCH_IMPL").is_some() {
        return;
    }
    if let (Some(ours), Some(base)) = (measure_memory("ours"), measure_memory("baseline")) {
        println!(
            "peak RSS growth, 100k chain: jobs-core {:.1} MB ({} B/job), baseline {:.1} MB ({} B/job): {:.2}x",
            ours as f64 / 1e6,
            ours / 100_000,
            base as f64 / 1e6,
            base / 100_000,
            ours as f64 / base.max(1) as f64
        );
    }
}
