//! Property tests of the runtime: thousands of random workflows (DAGs of jobs that
//! succeed, fail, panic, sleep or never end; custom jobs with shutdown hooks;
//! sequences; nested schedulers two levels deep; random flags, windows and timeouts),
//! each run while every job records what it does, then checked against the
//! invariants of the run semantics (see `check.rs`).
//!
//! Each property runs its default number of cases, or `PROPTEST_CASES` of them. A
//! failing case shrinks to a minimal workflow, printed with its log.
//!
//! The runtime bugs these properties found, all fixed, are pinned down in
//! `regressions.rs`, each as the smallest workflow that showed it.

mod build;
mod check;
mod model;
mod probe;
mod regressions;
mod runner;

use proptest::prelude::*;
use proptest::test_runner::Config;

use crate::build::Injection;
use crate::model::{Flavor, calm_case, case};
use crate::runner::{DropAt, Mode, drop_case, invalid_case, run_case};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn config(default_cases: u32) -> Config {
    Config {
        cases: env_or("PROPTEST_CASES", default_cases),
        // Shrinking a case that hangs takes a watchdog's time per step.
        max_shrink_time: env_or("PROPTEST_MAX_SHRINK_TIME", 120_000),
        // A failure is kept as a test in `regressions.rs`, not in a side file.
        failure_persistence: None,
        ..Config::default()
    }
}

fn drop_at() -> impl Strategy<Value = DropAt> {
    (
        prop_oneof![Just(0u64), 0..120u64],
        prop_oneof![Just(0usize), 0..30usize],
    )
        .prop_map(|(ms, polls)| DropAt { ms, polls })
}

fn injection() -> impl Strategy<Value = Injection> {
    prop_oneof![
        (0..16usize, any::<bool>())
            .prop_map(|(sched, consume)| Injection::RequiresForever { sched, consume }),
        (0..16usize, 1..4usize).prop_map(|(sched, len)| Injection::Cycle { sched, len }),
        (0..16usize).prop_map(|sched| Injection::ZeroWindow { sched }),
        (0..16usize, any::<bool>())
            .prop_map(|(sched, consume)| Injection::CrossScheduler { sched, consume }),
    ]
}

proptest! {
    #![proptest_config(config(1024))]

    /// Random workflows on a current-thread runtime with a paused clock.
    #[test]
    fn random_workflows_keep_the_invariants(case in case(Flavor::Current)) {
        run_case(&case, Mode::Tasks)?;
    }

    /// The same in single-task mode (`run_local`): every job polled by the run future.
    #[test]
    fn random_workflows_keep_the_invariants_in_single_task_mode(case in case(Flavor::Current)) {
        run_case(&case, Mode::SingleTask)?;
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Random workflows on a multi-thread runtime, jobs only yielding: races. These
    /// runs end only when their last finite job ends (see `calm_case`).
    #[test]
    fn random_calm_workflows_keep_the_invariants_on_multi_thread(
        case in calm_case(Flavor::Multi),
    ) {
        run_case(&case, Mode::Tasks)?;
    }

    /// Random workflows on a multi-thread runtime, critical failures and timeouts too.
    #[test]
    fn random_workflows_keep_the_invariants_on_multi_thread(case in case(Flavor::Multi)) {
        run_case(&case, Mode::Tasks)?;
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// Dropping the run future at a random point ends every job at once, nested ones
    /// too: nothing runs afterwards.
    #[test]
    fn dropping_a_run_ends_every_job_at_once(case in case(Flavor::Current), at in drop_at()) {
        drop_case(&case, at, Mode::Tasks)?;
    }

    #[test]
    fn dropping_a_single_task_run_ends_every_job_at_once(
        case in case(Flavor::Current),
        at in drop_at(),
    ) {
        drop_case(&case, at, Mode::SingleTask)?;
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// A workflow with a mistake is rejected before anything runs, with the right error.
    #[test]
    fn invalid_workflows_are_rejected_with_the_right_error(
        case in case(Flavor::Current),
        inject in injection(),
    ) {
        invalid_case(&case, inject)?;
    }
}
