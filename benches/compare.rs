//! Scheduling overhead of `jobs-core` against baselines measured in the same run.
//!
//! `cargo bench --bench compare` prints, for each workload of no-op jobs:
//!
//! - on a 2-worker multi-thread runtime: `jobs-core`, a hand-written tokio
//!   dependency-counting scheduler (in-degree per job, a finished job spawns its ready
//!   successors, a semaphore for the window), an inline `FuturesUnordered` loop, and
//!   asynciojobs 0.21.3 when Python has it (`benches/asynciojobs_shapes.py`);
//! - the 1,000-job workloads built by `workflow!` beside the same graphs built with the
//!   runtime API;
//! - on a current-thread runtime: `run`, the single-task `run_local`, and the baselines;
//! - the peak memory of large chains and fan-outs, each measured in a fresh process;
//! - each bar of the design, met or not.
//!
//! Times are medians of `BENCH_REPEAT` runs (default 7) and include building the graph,
//! running it and dropping its outcome. Other knobs, for profiling: `BENCH_ONLY=prefix`
//! keeps the workloads whose name starts with it, `BENCH_IMPL=ours|local|macro|baseline|unordered`
//! runs one implementation, `BENCH_PHASES=1` prints build, run and drop times,
//! `BENCH_PYTHON=0` skips asynciojobs, `BENCH_MEMORY=0` skips the memory runs.

#[path = "compare/workflows.rs"]
mod workflows;

use std::future::Future;
use std::ops::Range;
use std::pin::Pin;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use jobs_core::{Scheduler, infallible};
use tokio::runtime::Runtime;
use tokio::sync::{Notify, Semaphore};

#[derive(Clone, Copy, Debug)]
enum Shape {
    Independent(usize),
    Chain(usize),
    /// One root; every other job requires it.
    FanOut(usize),
    /// Layers of `width` jobs; each job requires every job of the previous layer.
    Layered {
        jobs: usize,
        width: usize,
    },
}

impl Shape {
    fn jobs(self) -> usize {
        match self {
            Shape::Independent(n) | Shape::Chain(n) | Shape::FanOut(n) => n,
            Shape::Layered { jobs, .. } => jobs,
        }
    }

    /// The jobs that job `i` requires: a range, so that no implementation pays for
    /// a materialized graph.
    fn deps(self, i: usize) -> Range<u32> {
        let i = i as u32;
        match self {
            Shape::Independent(_) => 0..0,
            Shape::Chain(_) if i == 0 => 0..0,
            Shape::Chain(_) => i - 1..i,
            Shape::FanOut(_) if i == 0 => 0..0,
            Shape::FanOut(_) => 0..1,
            Shape::Layered { width, .. } => {
                let width = width as u32;
                let layer = i / width;
                if layer == 0 {
                    0..0
                } else {
                    (layer - 1) * width..layer * width
                }
            }
        }
    }

    fn edges(self) -> usize {
        (0..self.jobs()).map(|i| self.deps(i).len()).sum()
    }

    /// The successors of every job, for the baselines.
    fn successors(self) -> Vec<Vec<u32>> {
        let mut succ = vec![Vec::new(); self.jobs()];
        for i in 0..self.jobs() {
            for d in self.deps(i) {
                succ[d as usize].push(i as u32);
            }
        }
        succ
    }

    /// Arguments of `benches/asynciojobs_shapes.py`.
    fn python_args(self) -> Vec<String> {
        let (name, jobs, width) = match self {
            Shape::Independent(n) => ("independent", n, 1),
            Shape::Chain(n) => ("chain", n, 1),
            Shape::FanOut(n) => ("fanout", n, 1),
            Shape::Layered { jobs, width } => ("layered", jobs, width),
        };
        vec![
            name.into(),
            jobs.to_string(),
            "--width".into(),
            width.to_string(),
        ]
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// `Scheduler::run`: jobs in tokio tasks.
    Tasks,
    /// `Scheduler::run_local`: every job polled inside the run future.
    Local,
}

/// `jobs-core` through its runtime API.
async fn run_jobs_core(shape: Shape, window: Option<usize>, mode: Mode) -> Duration {
    let start = Instant::now();
    let mut s = Scheduler::new();
    if let Some(w) = window {
        s.set_window(w);
    }
    s.reserve(shape.jobs(), shape.edges());
    let mut ids = Vec::with_capacity(shape.jobs());
    for i in 0..shape.jobs() {
        let id = s
            .add(infallible(async {}))
            .requires_all(shape.deps(i).map(|d| ids[d as usize]))
            .id();
        ids.push(id);
    }
    drop(ids);
    let built = start.elapsed();
    let outcome = match mode {
        Mode::Tasks => s.run().await,
        Mode::Local => s.run_local().await,
    }
    .expect("run succeeds");
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
    let start = Instant::now();
    let n = shape.jobs();
    let g = Arc::new(Graph {
        pending: (0..n)
            .map(|i| AtomicU32::new(shape.deps(i).len() as u32))
            .collect(),
        succ: shape.successors(),
        left: AtomicUsize::new(n),
        done: Notify::new(),
        window: window.map(|w| Arc::new(Semaphore::new(w))),
    });
    let done = g.done.notified();
    for i in 0..n {
        if shape.deps(i).is_empty() {
            spawn(&g, i as u32);
        }
    }
    done.await;
    drop(g);
    start.elapsed()
}

async fn noop(i: u32) -> u32 {
    i
}

/// Inline polling of every ready job in one `FuturesUnordered` (no tasks); ready jobs
/// wait in a queue while the window is full.
async fn run_unordered(shape: Shape, window: Option<usize>) -> Duration {
    use futures_util::stream::{FuturesUnordered, StreamExt};
    let start = Instant::now();
    let n = shape.jobs();
    let succ = shape.successors();
    let mut pending: Vec<u32> = (0..n).map(|i| shape.deps(i).len() as u32).collect();
    let window = window.unwrap_or(usize::MAX);
    let mut queue = std::collections::VecDeque::new();
    let mut running = FuturesUnordered::new();
    for (i, _) in pending.iter().enumerate().filter(|&(_, &p)| p == 0) {
        if running.len() < window {
            running.push(noop(i as u32));
        } else {
            queue.push_back(i as u32);
        }
    }
    while let Some(i) = running.next().await {
        for &s in &succ[i as usize] {
            pending[s as usize] -= 1;
            if pending[s as usize] == 0 {
                queue.push_back(s);
            }
        }
        while running.len() < window {
            match queue.pop_front() {
                Some(next) => running.push(noop(next)),
                None => break,
            }
        }
    }
    start.elapsed()
}

type MacroRun = fn() -> Pin<Box<dyn Future<Output = Duration>>>;

struct Workload {
    name: &'static str,
    shape: Shape,
    window: Option<usize>,
}

const fn workload(name: &'static str, shape: Shape, window: Option<usize>) -> Workload {
    Workload {
        name,
        shape,
        window,
    }
}

/// The workloads of the design's bars. The 10k ones are also the size at which
/// asynciojobs' own benchmark script measures its jobs by default.
const MAIN: [Workload; 6] = [
    workload("independent 100k", Shape::Independent(100_000), None),
    workload("independent 10k", Shape::Independent(10_000), None),
    workload("chain 100k", Shape::Chain(100_000), None),
    workload("chain 10k", Shape::Chain(10_000), None),
    workload(
        "layered 10k w100",
        Shape::Layered {
            jobs: 10_000,
            width: 100,
        },
        None,
    ),
    workload("window 10, 10k jobs", Shape::Independent(10_000), Some(10)),
];

fn macro_workloads() -> [(Workload, MacroRun); 3] {
    [
        (
            workload("independent 1k", Shape::Independent(1_000), None),
            || Box::pin(workflows::independent()),
        ),
        (workload("chain 1k", Shape::Chain(1_000), None), || {
            Box::pin(workflows::chain())
        }),
        (
            workload(
                "layered 1k w10",
                Shape::Layered {
                    jobs: 1_000,
                    width: 10,
                },
                None,
            ),
            || Box::pin(workflows::layered()),
        ),
    ]
}

/// How the bench was asked to run.
struct Config {
    repeat: usize,
    only: Option<String>,
    only_impl: Option<String>,
    python: bool,
    memory: bool,
}

impl Config {
    fn from_env() -> Self {
        let var = |name| std::env::var(name).ok().filter(|v| !v.is_empty());
        Config {
            repeat: var("BENCH_REPEAT")
                .and_then(|v| v.parse().ok())
                .unwrap_or(7)
                .max(1),
            only: var("BENCH_ONLY"),
            only_impl: var("BENCH_IMPL"),
            python: var("BENCH_PYTHON").as_deref() != Some("0"),
            memory: var("BENCH_MEMORY").as_deref() != Some("0"),
        }
    }

    fn wants(&self, workload: &Workload) -> bool {
        self.only
            .as_deref()
            .is_none_or(|o| workload.name.starts_with(o))
    }

    /// The median of `repeat` runs, or `None` when `BENCH_IMPL` names another one.
    fn time(&self, which: &str, run: &dyn Fn() -> Duration) -> Option<Duration> {
        if self.only_impl.as_deref().is_some_and(|o| o != which) {
            return None;
        }
        let mut times: Vec<Duration> = (0..self.repeat).map(|_| run()).collect();
        times.sort();
        Some(times[times.len() / 2])
    }
}

fn ms(d: Option<Duration>) -> String {
    d.map_or_else(|| "-".into(), |d| format!("{:.2}ms", d.as_secs_f64() * 1e3))
}

fn ratio(a: Option<Duration>, b: Option<Duration>) -> Option<f64> {
    Some(a?.as_secs_f64() / b?.as_secs_f64())
}

fn times(r: Option<f64>) -> String {
    r.map_or_else(|| "-".into(), |r| format!("{r:.2}x"))
}

/// A bar of the design and what this run measured against it.
struct Bar {
    what: String,
    measured: String,
    met: bool,
}

fn multi_thread() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn current_thread() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn main() {
    if let Ok(spec) = std::env::var("BENCH_MEMORY_CHILD") {
        memory_child(&spec);
        return;
    }
    let cfg = Config::from_env();
    let mut bars = Vec::new();
    print_machine(cfg.repeat);

    let python = if cfg.python && cfg.only_impl.is_none() {
        python_version()
    } else {
        None
    };
    match &python {
        Some(v) => println!("asynciojobs: {v}, one run of Scheduler.run() per shape"),
        None => println!(
            "asynciojobs: not measured (BENCH_PYTHON=0, or `pip install asynciojobs==0.21.3`)"
        ),
    }

    let rt = multi_thread();
    println!("\nmulti-thread runtime, 2 workers");
    println!(
        "{:<22} {:>10} {:>10} {:>7} {:>10} {:>7} {:>8} {:>12} {:>8}",
        "workload",
        "jobs-core",
        "baseline",
        "ratio",
        "unordered",
        "ns/job",
        "ns/edge",
        "asynciojobs",
        "speedup"
    );
    for w in MAIN.iter().filter(|w| cfg.wants(w)) {
        let (shape, window) = (w.shape, w.window);
        let ours = cfg.time("ours", &|| {
            rt.block_on(run_jobs_core(shape, window, Mode::Tasks))
        });
        let base = cfg.time("baseline", &|| rt.block_on(run_baseline(shape, window)));
        let unord = cfg.time("unordered", &|| rt.block_on(run_unordered(shape, window)));
        let py = python.as_ref().and_then(|_| asynciojobs(shape, window));
        let edges = shape.edges();
        let per = |d: Option<Duration>, n: usize| {
            d.filter(|_| n > 0).map_or("-".into(), |d| {
                format!("{:.1}", d.as_nanos() as f64 / n as f64)
            })
        };
        let speedup = ratio(py, ours);
        println!(
            "{:<22} {:>10} {:>10} {:>7} {:>10} {:>7} {:>8} {:>12} {:>8}",
            w.name,
            ms(ours),
            ms(base),
            times(ratio(ours, base)),
            ms(unord),
            per(ours, shape.jobs()),
            per(ours, edges),
            ms(py),
            speedup.map_or("-".into(), |s| format!("{s:.0}x")),
        );
        if let Some(r) = ratio(ours, base) {
            bars.push(Bar {
                what: format!("{}: <= 1.5x the baseline", w.name),
                measured: format!("{r:.2}x"),
                met: r <= 1.5,
            });
        }
        if let (Some(ours), true) = (ours, edges > 0 && matches!(shape, Shape::Layered { .. })) {
            let ns = ours.as_nanos() as f64 / edges as f64;
            bars.push(Bar {
                what: format!("{}: <= 20 ns per edge", w.name),
                measured: format!("{ns:.1} ns"),
                met: ns <= 20.0,
            });
        }
        if let Some(s) = speedup {
            bars.push(Bar {
                what: format!("{}: >= 50x faster than asynciojobs", w.name),
                measured: format!("{s:.0}x"),
                met: s >= 50.0,
            });
        }
    }

    let macros: Vec<_> = macro_workloads()
        .into_iter()
        .filter(|(w, _)| cfg.wants(w))
        .collect();
    if !macros.is_empty() {
        println!("\nworkflow! against the runtime API, multi-thread runtime, 2 workers");
        println!(
            "{:<22} {:>10} {:>12} {:>10} {:>10} {:>7}",
            "workload", "workflow!", "runtime API", "baseline", "macro/API", "ratio"
        );
    }
    for (w, run) in &macros {
        let (shape, window) = (w.shape, w.window);
        let mac = cfg.time("macro", &|| rt.block_on(run()));
        let api = cfg.time("ours", &|| {
            rt.block_on(run_jobs_core(shape, window, Mode::Tasks))
        });
        let base = cfg.time("baseline", &|| rt.block_on(run_baseline(shape, window)));
        println!(
            "{:<22} {:>10} {:>12} {:>10} {:>10} {:>7}",
            w.name,
            ms(mac),
            ms(api),
            ms(base),
            times(ratio(mac, api)),
            times(ratio(mac, base)),
        );
    }
    drop(rt);

    let rt = current_thread();
    println!("\ncurrent-thread runtime");
    println!(
        "{:<22} {:>10} {:>10} {:>10} {:>10} {:>7} {:>9}",
        "workload", "run", "run_local", "baseline", "unordered", "ratio", "local/unord"
    );
    for w in MAIN.iter().filter(|w| cfg.wants(w)) {
        let (shape, window) = (w.shape, w.window);
        let tasks = cfg.time("ours", &|| {
            rt.block_on(run_jobs_core(shape, window, Mode::Tasks))
        });
        let local = cfg.time("local", &|| {
            rt.block_on(run_jobs_core(shape, window, Mode::Local))
        });
        let base = cfg.time("baseline", &|| rt.block_on(run_baseline(shape, window)));
        let unord = cfg.time("unordered", &|| rt.block_on(run_unordered(shape, window)));
        println!(
            "{:<22} {:>10} {:>10} {:>10} {:>10} {:>7} {:>9}",
            w.name,
            ms(tasks),
            ms(local),
            ms(base),
            ms(unord),
            times(ratio(tasks, base)),
            times(ratio(local, unord)),
        );
        if let Some(r) = ratio(local, unord) {
            bars.push(Bar {
                what: format!("{}: run_local <= 1.5x FuturesUnordered", w.name),
                measured: format!("{r:.2}x"),
                met: r <= 1.5,
            });
        }
    }
    drop(rt);

    if cfg.memory && cfg.only_impl.is_none() && cfg.only.is_none() {
        memory(&mut bars);
    }

    if !bars.is_empty() {
        println!("\nbars of the design");
        for bar in &bars {
            println!(
                "  {:<4} {:<58} {}",
                if bar.met { "met" } else { "MISS" },
                bar.what,
                bar.measured
            );
        }
    }
}

/// The machine, the compiler and the runtime the figures come from.
fn print_machine(repeat: usize) {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or_else(|| "rustc ?".into(), |v| v.trim().to_owned());
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"))
        .unwrap_or_default();
    let tokio = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"tokio\"\n"))
        .and_then(|p| p.lines().find(|l| l.starts_with("version = ")))
        .map_or("?", |l| {
            l.trim_start_matches("version = ").trim_matches('"')
        });
    println!("jobs-core benchmarks: no-op jobs, release build, median of {repeat} runs");
    println!("machine: {cpu}, {cpus} CPUs; {rustc}; tokio {tokio}");
}

fn python_version() -> Option<String> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys, asynciojobs; print('asynciojobs', asynciojobs.__version__, 'on Python', sys.version.split()[0])",
        ])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Time of asynciojobs' `Scheduler.run()` on the same shape (the build excluded).
fn asynciojobs(shape: Shape, window: Option<usize>) -> Option<Duration> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/asynciojobs_shapes.py");
    let mut cmd = Command::new("python3");
    cmd.arg(script).args(shape.python_args());
    if let Some(w) = window {
        cmd.args(["--window", &w.to_string()]);
    }
    let out = cmd.output().ok()?;
    if !out.status.success() {
        eprintln!(
            "asynciojobs failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let value = text.split("\"run_s\":").nth(1)?.split([',', '}']).next()?;
    value.trim().parse().ok().map(Duration::from_secs_f64)
}

/// Peak resident memory of this process, in bytes (Linux).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Runs one implementation on one shape in a fresh process; returns its peak RSS
/// growth over the process with its runtime started.
fn measure_memory(which: &str, shape: &str, jobs: usize) -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    let out = Command::new(exe)
        .env("BENCH_MEMORY_CHILD", format!("{which} {shape} {jobs}"))
        .output()
        .ok()?;
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

fn memory_child(spec: &str) {
    let mut parts = spec.split_whitespace();
    let (Some(which), Some(shape), Some(Ok(jobs))) = (
        parts.next(),
        parts.next(),
        parts.next().map(str::parse::<usize>),
    ) else {
        panic!("BENCH_MEMORY_CHILD is `ours|baseline chain|fanout JOBS`, not {spec:?}");
    };
    let shape = match shape {
        "chain" => Shape::Chain(jobs),
        _ => Shape::FanOut(jobs),
    };
    let rt = multi_thread();
    // Start the workers before measuring from here.
    rt.block_on(async { tokio::spawn(async {}).await.expect("spawned") });
    let before = peak_rss().unwrap_or(0);
    match which {
        "ours" => drop(rt.block_on(run_jobs_core(shape, None, Mode::Tasks))),
        _ => drop(rt.block_on(run_baseline(shape, None))),
    }
    println!("{}", peak_rss().unwrap_or(0).saturating_sub(before));
}

fn memory(bars: &mut Vec<Bar>) {
    println!("\npeak RSS growth, each in a fresh process, multi-thread runtime");
    println!(
        "{:<22} {:>12} {:>9} {:>12} {:>9} {:>7}",
        "workload", "jobs-core", "B/job", "baseline", "B/job", "ratio"
    );
    for (shape, jobs) in [
        ("chain", 100_000),
        ("chain", 1_000_000),
        ("fanout", 100_000),
        ("fanout", 1_000_000),
    ] {
        let ours = measure_memory("ours", shape, jobs);
        let base = measure_memory("baseline", shape, jobs);
        let mb = |b: Option<u64>| b.map_or("-".into(), |b| format!("{:.1} MB", b as f64 / 1e6));
        let per = |b: Option<u64>| b.map_or("-".into(), |b| (b / jobs as u64).to_string());
        let r = ours.zip(base).map(|(o, b)| o as f64 / b.max(1) as f64);
        println!(
            "{:<22} {:>12} {:>9} {:>12} {:>9} {:>7}",
            format!("{shape} {}k", jobs / 1000),
            mb(ours),
            per(ours),
            mb(base),
            per(base),
            times(r),
        );
        if let (Some(r), "chain", 100_000) = (r, shape, jobs) {
            bars.push(Bar {
                what: "chain 100k: peak RSS <= 2x the baseline's".into(),
                measured: format!("{r:.2}x"),
                met: r <= 2.0,
            });
        }
    }
}
