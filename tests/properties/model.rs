//! The plain description of a random workflow, its proptest strategies, and the
//! normalization that makes every generated description a valid workflow.
//!
//! A workflow is a tree of schedulers. Each scheduler has settings and items: jobs,
//! sequences (chains of jobs in the same scheduler) and nested schedulers. Every job
//! and nested scheduler has a position (`@n`) in its scheduler; requirements name
//! earlier positions only, so the graph is a DAG. Edges are generated as free numbers
//! and taken modulo the position of the job, so that removing items while shrinking
//! keeps every description valid.

use std::fmt;

use proptest::collection::vec;
use proptest::prelude::*;

/// On which runtime a case runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// Current-thread runtime, paused clock: jobs sleep in virtual time.
    Current,
    /// Multi-thread runtime with 2 workers, real time: jobs only yield.
    Multi,
}

/// How a job ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    Ok,
    Err,
    Panic,
    /// Never ends by itself.
    Never,
    /// Panics while the scheduler starts it (in `Job::run`, or in the closure of
    /// `add_with`), before any future exists.
    PanicOnStart,
}

/// How a custom job's shutdown hook ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hook {
    /// Succeeds after so many milliseconds (yields / 10 on the multi-thread runtime).
    Takes(u64),
    Fails,
    /// Panics inside its future.
    Panics,
    /// Panics in `shutdown` itself, before returning a future.
    PanicsEarly,
    /// Never ends.
    Hangs,
}

/// How a job is added to its scheduler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `add(future)`.
    Plain,
    /// `add(infallible(future))`.
    Infallible,
    /// `add(custom Job)`, with or without a shutdown hook.
    Custom(Option<Hook>),
    /// `add_with(inputs, closure)`: consumes the outputs of `inputs`.
    Inputs,
}

/// The settings of a scheduler's shutdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shutdown {
    /// Not set: the default of one second.
    Default,
    Ms(u64),
    /// `set_shutdown_timeout(None)`.
    Unbounded,
}

impl Shutdown {
    /// The bound in milliseconds, `None` for no bound.
    pub fn bound(self) -> Option<u64> {
        match self {
            Shutdown::Default => Some(1000),
            Shutdown::Ms(ms) => Some(ms),
            Shutdown::Unbounded => None,
        }
    }
}

#[derive(Clone)]
pub struct JobSpec {
    /// Position in its scheduler; set by [`normalize`].
    pub pos: usize,
    pub kind: Kind,
    pub critical: bool,
    pub forever: bool,
    pub end: End,
    /// How long the job works before it ends: virtual milliseconds, or yields / 10.
    pub ms: u64,
    /// Positions it requires (ordering only).
    pub requires: Vec<usize>,
    /// Positions whose outputs it consumes, in the order it receives them.
    pub inputs: Vec<usize>,
}

impl fmt::Debug for JobSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "@{} {:?}", self.pos, self.kind)?;
        f.write_str(if self.critical {
            " critical"
        } else {
            " noncritical"
        })?;
        if self.forever {
            f.write_str(" forever")?;
        }
        write!(f, " {:?}", self.end)?;
        if self.ms > 0 {
            write!(f, " after {}ms", self.ms)?;
        }
        if !self.requires.is_empty() {
            write!(f, " requires {:?}", self.requires)?;
        }
        if !self.inputs.is_empty() {
            write!(f, " inputs {:?}", self.inputs)?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug)]
pub enum Item {
    Job(JobSpec),
    /// Each job after the first requires the previous one; the first one's
    /// requirements are given to the sequence.
    Seq(Vec<JobSpec>),
    Nested(Nested),
}

#[derive(Clone)]
pub struct Nested {
    pub pos: usize,
    pub critical: bool,
    pub forever: bool,
    pub requires: Vec<usize>,
    pub sched: Sched,
}

impl fmt::Debug for Nested {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flags = format!(
            "@{}{}{}{}",
            self.pos,
            if self.critical {
                " critical"
            } else {
                " noncritical"
            },
            if self.forever { " forever" } else { "" },
            if self.requires.is_empty() {
                String::new()
            } else {
                format!(" requires {:?}", self.requires)
            },
        );
        f.debug_tuple(&flags).field(&self.sched).finish()
    }
}

#[derive(Clone, Debug)]
pub struct Sched {
    pub window: Option<usize>,
    /// Milliseconds (virtual on the current-thread runtime).
    pub timeout: Option<u64>,
    pub shutdown: Shutdown,
    pub items: Vec<Item>,
}

impl Sched {
    /// The number of schedulers in this tree, this one included.
    pub fn count(&self) -> usize {
        1 + self
            .items
            .iter()
            .map(|item| match item {
                Item::Nested(n) => n.sched.count(),
                _ => 0,
            })
            .sum::<usize>()
    }
}

#[derive(Clone, Debug)]
pub struct Case {
    pub flavor: Flavor,
    pub top: Sched,
}

// ---- strategies ----

fn end() -> impl Strategy<Value = End> {
    prop_oneof![
        10 => Just(End::Ok),
        2 => Just(End::Err),
        1 => Just(End::Panic),
        1 => Just(End::Never),
        1 => Just(End::PanicOnStart),
    ]
}

fn hook() -> impl Strategy<Value = Hook> {
    prop_oneof![
        3 => Just(Hook::Takes(0)),
        1 => Just(Hook::Takes(2)),
        1 => Just(Hook::Takes(20)),
        1 => Just(Hook::Fails),
        1 => Just(Hook::Panics),
        1 => Just(Hook::PanicsEarly),
        1 => Just(Hook::Hangs),
    ]
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        3 => Just(Kind::Plain),
        1 => Just(Kind::Infallible),
        3 => prop::option::weighted(0.8, hook()).prop_map(Kind::Custom),
        3 => Just(Kind::Inputs),
    ]
}

fn ms() -> impl Strategy<Value = u64> {
    prop_oneof![Just(0), Just(10), Just(20), Just(50)]
}

fn edges() -> impl Strategy<Value = Vec<usize>> {
    vec(0..64usize, 0..3)
}

fn job() -> impl Strategy<Value = JobSpec> {
    (
        kind(),
        prop::bool::weighted(0.5),
        prop::bool::weighted(0.12),
        end(),
        ms(),
        edges(),
        edges(),
    )
        .prop_map(
            |(kind, critical, forever, end, ms, requires, inputs)| JobSpec {
                pos: 0,
                kind,
                critical,
                forever,
                end,
                ms,
                requires,
                inputs,
            },
        )
}

fn settings() -> impl Strategy<Value = (Option<usize>, Option<u64>, Shutdown)> {
    (
        prop_oneof![2 => Just(None), 1 => (1..4usize).prop_map(Some)],
        prop_oneof![
            3 => Just(None),
            1 => prop_oneof![Just(15u64), Just(35), Just(75), Just(135)].prop_map(Some),
        ],
        prop_oneof![
            Just(Shutdown::Default),
            Just(Shutdown::Ms(5)),
            Just(Shutdown::Ms(50)),
            Just(Shutdown::Unbounded),
        ],
    )
}

fn sched(items: BoxedStrategy<Item>, max: usize) -> BoxedStrategy<Sched> {
    (settings(), vec(items, 0..max))
        .prop_map(|((window, timeout, shutdown), items)| Sched {
            window,
            timeout,
            shutdown,
            items,
        })
        .boxed()
}

fn nested(inner: BoxedStrategy<Sched>) -> impl Strategy<Value = Item> {
    (
        prop::bool::weighted(0.5),
        prop::bool::weighted(0.08),
        edges(),
        inner,
    )
        .prop_map(|(critical, forever, requires, sched)| {
            Item::Nested(Nested {
                pos: 0,
                critical,
                forever,
                requires,
                sched,
            })
        })
}

/// The top scheduler: jobs, sequences and nested schedulers two levels deep.
pub fn top() -> BoxedStrategy<Sched> {
    let seq = || vec(job(), 1..4).prop_map(Item::Seq);
    let level2 = sched(
        prop_oneof![5 => job().prop_map(Item::Job), 1 => seq()].boxed(),
        5,
    );
    let level1 = sched(
        prop_oneof![
            5 => job().prop_map(Item::Job),
            1 => seq(),
            1 => nested(level2),
        ]
        .boxed(),
        6,
    );
    sched(
        prop_oneof![
            5 => job().prop_map(Item::Job),
            1 => seq(),
            2 => nested(level1),
        ]
        .boxed(),
        10,
    )
}

/// A valid random workflow to run on `flavor`.
pub fn case(flavor: Flavor) -> impl Strategy<Value = Case> {
    top().prop_map(move |top| normalize(Case { flavor, top }))
}

/// A valid random workflow whose runs cannot end early: no critical job, no timeout,
/// and forever jobs that never end by themselves. Such a run ends only when its last
/// finite job ends, with no other report in flight.
pub fn calm_case(flavor: Flavor) -> impl Strategy<Value = Case> {
    top().prop_map(move |mut top| {
        calm(&mut top);
        normalize(Case { flavor, top })
    })
}

fn calm(s: &mut Sched) {
    s.timeout = None;
    let calm_job = |job: &mut JobSpec| {
        job.critical = false;
        if job.forever {
            job.end = End::Never;
        }
    };
    for item in &mut s.items {
        match item {
            Item::Job(job) => calm_job(job),
            Item::Seq(jobs) => jobs.iter_mut().for_each(calm_job),
            Item::Nested(n) => {
                n.critical = false;
                n.forever = false;
                calm(&mut n.sched);
            }
        }
    }
}

// ---- normalization ----

#[derive(Clone, Copy)]
struct Slot {
    forever: bool,
    nested: bool,
}

/// Makes a description valid and runnable: edges point at earlier positions, a finite
/// job requires no forever job, only job outputs are consumed, a finite job that never
/// ends has a timeout above it, a hook that hangs has a shutdown bound above it.
pub fn normalize(mut case: Case) -> Case {
    norm_sched(&mut case.top, false, case.flavor);
    case
}

/// Returns whether a hook in this tree hangs.
fn norm_sched(s: &mut Sched, bounded: bool, flavor: Flavor) -> bool {
    let bounded = bounded || s.timeout.is_some();
    let mut slots: Vec<Slot> = Vec::new();
    let mut hangs = false;
    for item in &mut s.items {
        match item {
            Item::Job(job) => {
                norm_job(job, &slots, bounded);
                hangs |= job.kind == Kind::Custom(Some(Hook::Hangs));
                slots.push(Slot {
                    forever: job.forever,
                    nested: false,
                });
            }
            Item::Seq(jobs) => {
                for job in jobs {
                    job.forever = false;
                    if job.kind == Kind::Inputs {
                        job.kind = Kind::Plain;
                    }
                    norm_job(job, &slots, bounded);
                    hangs |= job.kind == Kind::Custom(Some(Hook::Hangs));
                    slots.push(Slot {
                        forever: false,
                        nested: false,
                    });
                }
            }
            Item::Nested(n) => {
                n.pos = slots.len();
                n.requires = targets(&n.requires, &slots, n.forever)
                    .map(|(t, _)| t)
                    .collect();
                dedup(&mut n.requires);
                hangs |= norm_sched(&mut n.sched, bounded, flavor);
                slots.push(Slot {
                    forever: n.forever,
                    nested: true,
                });
            }
        }
    }
    if hangs && s.shutdown == Shutdown::Unbounded {
        s.shutdown = Shutdown::Ms(50);
    }
    if flavor == Flavor::Multi && s.shutdown == Shutdown::Default {
        // A real second per hanging hook is too long a wait.
        s.shutdown = Shutdown::Ms(50);
    }
    hangs
}

/// The earlier positions `edges` name, without requirements of a finite job on a
/// forever one; with whether the target is a nested scheduler.
fn targets<'a>(
    edges: &'a [usize],
    slots: &'a [Slot],
    forever: bool,
) -> impl Iterator<Item = (usize, bool)> + 'a {
    let pos = slots.len();
    edges
        .iter()
        .filter(move |_| pos > 0)
        .map(move |&r| r % pos.max(1))
        .filter(move |&t| forever || !slots[t].forever)
        .map(move |t| (t, slots[t].nested))
}

fn dedup(v: &mut Vec<usize>) {
    let mut seen = Vec::new();
    v.retain(|x| {
        let new = !seen.contains(x);
        seen.push(*x);
        new
    });
}

fn norm_job(job: &mut JobSpec, slots: &[Slot], bounded: bool) {
    job.pos = slots.len();
    if job.kind != Kind::Inputs {
        job.inputs.clear();
    }
    let mut inputs = Vec::new();
    let mut requires: Vec<usize> = targets(&job.requires, slots, job.forever)
        .map(|(t, _)| t)
        .collect();
    for (t, nested) in targets(&job.inputs, slots, job.forever) {
        // A nested scheduler's output (its outcome) is not `Clone`: require it instead.
        if nested {
            requires.push(t);
        } else {
            inputs.push(t);
        }
    }
    dedup(&mut inputs);
    requires.retain(|t| !inputs.contains(t));
    requires.sort_unstable();
    requires.dedup();
    job.inputs = inputs;
    job.requires = requires;
    match (job.kind, job.end) {
        (Kind::Plain | Kind::Infallible, End::PanicOnStart) => job.end = End::Panic,
        (Kind::Infallible, End::Err) => job.kind = Kind::Plain,
        _ => {}
    }
    if job.end == End::Never && !job.forever && !bounded {
        job.end = End::Ok;
    }
}
