//! Load tests: many workflows at once on one runtime, and one very large workflow
//! whose memory is measured by a counting global allocator.
//!
//! The allocator counts every allocation of the process, so the tests of this file
//! run one at a time (`SERIAL`): the measurement sees only its own test.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use jobs_core::{JobRef, Outcome, Scheduler, infallible};

/// Wraps the system allocator, counting the bytes in use now and at the peak.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// Allocations made (reallocations included).
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    ALLOCATIONS.fetch_add(1, Relaxed);
    let now = CURRENT.fetch_add(bytes, Relaxed) + bytes;
    PEAK.fetch_max(now, Relaxed);
}

fn shrank(bytes: usize) {
    CURRENT.fetch_sub(bytes, Relaxed);
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                shrank(layout.size() - new_size);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One test at a time in this file, so that the allocator's counts are its own.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

type Io<T> = Result<T, std::io::Error>;

/// Jobs per workflow.
const JOBS: usize = 1_000;
/// Workflows run at once.
const WORKFLOWS: usize = 1_000;

/// What a workflow of [`build`] must end with.
struct Expected {
    done: usize,
    failed: usize,
    skipped: usize,
    /// Jobs of the top scheduler and their values.
    values: Vec<(JobRef<u64>, u64)>,
}

/// Workflow `k` of the load test, of one of five shapes by `k % 5`, each of exactly
/// [`JOBS`] jobs (a nested scheduler counts as one job, and so does each of its jobs).
fn build(k: usize) -> (Scheduler, Expected) {
    let k64 = k as u64;
    let mut s = Scheduler::new();
    let expected = match k % 5 {
        // A chain passing a counter along as inputs; every tenth job yields.
        0 => {
            let first = s.add(infallible(async move { k64 })).id();
            let mut last = first;
            for i in 1..JOBS {
                last = s
                    .add_with((last,), move |(n,)| async move {
                        if i % 10 == 0 {
                            tokio::task::yield_now().await;
                        }
                        Io::Ok(n + 1)
                    })
                    .id();
            }
            Expected {
                done: JOBS,
                failed: 0,
                skipped: 0,
                values: vec![(first, k64), (last, k64 + JOBS as u64 - 1)],
            }
        }
        // A fan-out: a root, then jobs that each require it, then a sink that sums them.
        1 => {
            let root = s.add(infallible(async move { k64 })).id();
            let leaves: Vec<JobRef<u64>> = (0..JOBS as u64 - 2)
                .map(|i| {
                    s.add(async move {
                        tokio::task::yield_now().await;
                        Io::Ok(i)
                    })
                    .requires(root)
                    .id()
                })
                .collect();
            let n = leaves.len() as u64;
            let sink = s
                .add_with(leaves, |values| async move { Io::Ok(values.iter().sum()) })
                .id();
            Expected {
                done: JOBS,
                failed: 0,
                skipped: 0,
                values: vec![(root, k64), (sink, n * (n - 1) / 2)],
            }
        }
        // Independent jobs behind a small window, each yielding once.
        2 => {
            s.set_window(4);
            let ids: Vec<JobRef<u64>> = (0..JOBS as u64)
                .map(|i| {
                    s.add(async move {
                        tokio::task::yield_now().await;
                        Io::Ok(i * 2)
                    })
                    .id()
                })
                .collect();
            Expected {
                done: JOBS,
                failed: 0,
                skipped: 0,
                values: vec![(ids[0], 0), (ids[JOBS - 1], 2 * (JOBS as u64 - 1))],
            }
        }
        // Ten layers of 100, window 16. Job i of layer 0 fails (non-critical) when
        // i % 10 == 3; job i of each next layer consumes job i of the layer before
        // (so those columns are skipped) and requires job i + 1 (ordering only).
        3 => {
            s.set_window(16);
            const WIDTH: usize = 100;
            let mut layer: Vec<JobRef<u64>> = (0..WIDTH as u64)
                .map(|i| {
                    s.add(async move {
                        if i % 10 == 3 {
                            return Err(std::io::Error::other(format!("column {i} failed")));
                        }
                        Ok(i)
                    })
                    .noncritical()
                    .id()
                })
                .collect();
            for _ in 1..JOBS / WIDTH {
                layer = (0..WIDTH)
                    .map(|i| {
                        s.add_with((layer[i],), |(n,)| async move { Io::Ok(n + 1) })
                            .requires(layer[(i + 1) % WIDTH])
                            .noncritical()
                            .id()
                    })
                    .collect();
            }
            let layers = (JOBS / WIDTH) as u64;
            Expected {
                done: JOBS - JOBS / 10,
                failed: WIDTH / 10,
                skipped: JOBS / 10 - WIDTH / 10,
                values: vec![(layer[0], layers - 1), (layer[99], 99 + layers - 1)],
            }
        }
        // Ten nested schedulers (window 8) of 99 jobs: a source, 97 jobs requiring it,
        // one non-critical job that fails. Each nested scheduler counts as one job.
        _ => {
            for _ in 0..10 {
                let mut inner = Scheduler::new().with_window(8);
                let source = inner.add(infallible(async move { k64 })).id();
                for i in 0..97u64 {
                    inner.add(async move { Io::Ok(i) }).requires(source);
                }
                inner
                    .add(async { Err::<u64, _>(std::io::Error::other("inner failure")) })
                    .noncritical();
                s.add(inner);
            }
            Expected {
                // The nested schedulers and 98 of the 99 jobs of each.
                done: 10 + 10 * 98,
                failed: 10,
                skipped: 0,
                values: vec![],
            }
        }
    };
    (s, expected)
}

/// Counts of every job, nested ones included: (done, failed, skipped, total).
fn deep_counts(outcome: &Outcome) -> (usize, usize, usize, usize) {
    let mut counts = (0, 0, 0, 0);
    for job in outcome.jobs() {
        match job.state() {
            jobs_core::State::Done => counts.0 += 1,
            jobs_core::State::Failed => counts.1 += 1,
            jobs_core::State::Skipped => counts.2 += 1,
            _ => {}
        }
        counts.3 += 1;
        if let Some(nested) = job.nested() {
            let inner = deep_counts(nested);
            counts = (
                counts.0 + inner.0,
                counts.1 + inner.1,
                counts.2 + inner.2,
                counts.3 + inner.3,
            );
        }
    }
    counts
}

/// 1,000 workflows of 1,000 jobs each (shapes of [`build`]), spawned at once as tasks
/// on one 2-worker runtime and joined, each outcome checked: about 5 s in a debug
/// build on 2 cores.
#[test]
fn a_thousand_workflows_of_a_thousand_jobs_at_once() {
    let _serial = serial();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    rt.block_on(async {
        let tasks: Vec<_> = (0..WORKFLOWS)
            .map(|k| {
                tokio::spawn(async move {
                    let (s, expected) = build(k);
                    (k, s.run().await, expected)
                })
            })
            .collect();
        let all = async {
            for task in tasks {
                let (k, result, expected) = task.await.unwrap();
                let outcome = result.unwrap_or_else(|f| panic!("workflow {k} failed: {f}"));
                assert_eq!(
                    deep_counts(&outcome),
                    (expected.done, expected.failed, expected.skipped, JOBS),
                    "workflow {k}"
                );
                for (job, value) in expected.values {
                    assert_eq!(outcome.value(job), Some(&value), "workflow {k}");
                }
            }
        };
        // A hang guard, not a measure.
        tokio::time::timeout(Duration::from_secs(600), all)
            .await
            .expect("the workflows never ended");
    });
    eprintln!(
        "{WORKFLOWS} workflows of {JOBS} jobs: {:?}",
        started.elapsed()
    );
}

/// Bytes per job of [`a_million_job_chain_runs_in_bounded_memory`] at its peak: about
/// twice the 71 bytes measured in a debug build (x86_64 Linux, tokio 1.54), peak over
/// the build and the run, outcome included: the job (its future kept by value with the
/// others of its type, then boxed in the run's queue), its flags, its requirement, its
/// state, its value.
const BYTES_PER_JOB: usize = 150;

#[test]
fn a_million_job_chain_runs_in_bounded_memory() {
    // A chain of 1,000,000 no-op jobs, each requiring the one before, built with
    // `reserve` and run on a current-thread runtime: about 2 s in a debug build.
    const N: usize = 1_000_000;
    let _serial = serial();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let base = CURRENT.load(Relaxed);
    PEAK.store(base, Relaxed);
    let last = rt.block_on(async {
        let mut s = Scheduler::new();
        s.reserve(N, N - 1);
        let mut previous = None;
        for i in 0..N as u32 {
            let job = s.add(infallible(std::future::ready(i)));
            previous = Some(job.requires_all(previous).id());
        }
        let last = previous.unwrap();
        let outcome = s.run().await.unwrap();
        assert_eq!(outcome.counts().done, N);
        *outcome.value(last).unwrap()
    });
    let peak = PEAK.load(Relaxed) - base;
    let left = CURRENT.load(Relaxed).saturating_sub(base);
    eprintln!(
        "{N} jobs: peak {peak} bytes, {} bytes per job, {left} bytes left after the run, {:?}",
        peak / N,
        started.elapsed()
    );
    assert_eq!(last, N as u32 - 1);
    assert!(
        peak / N < BYTES_PER_JOB,
        "{} bytes per job at the peak",
        peak / N
    );
    // The run, its jobs and its outcome are gone: what is left (under 1 KiB measured)
    // is the runtime's own.
    assert!(left < 1 << 20, "{left} bytes still allocated after the run");
}

#[test]
fn single_task_jobs_of_one_type_that_end_at_once_share_one_box() {
    const N: usize = 10_000;
    let _serial = serial();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut s = Scheduler::new();
    for _ in 0..N {
        s.add(infallible(async {}));
    }
    let before = ALLOCATIONS.load(Relaxed);
    let outcome = rt.block_on(s.run_local()).unwrap();
    let made = ALLOCATIONS.load(Relaxed) - before;
    eprintln!("{made} allocations for {N} jobs");
    assert_eq!(outcome.counts().done, N);
    // The run's own arrays and the outcome (29 measured): no box per job, each job's
    // future going in the box the one before it left.
    assert!(made < 200, "{made} allocations for {N} jobs");
}
