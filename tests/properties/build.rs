//! Builds an instrumented `Scheduler` from a description, and the layout the checker
//! reads the log and the outcome with.

use std::time::Duration;

use jobs_core::{
    GraphError, IntoJob, JobId, JobMut, JobRef, Requirement, Scheduler, Sequence, SequenceMut,
    infallible,
};

use crate::model::{Case, End, Flavor, Item, JobSpec, Kind, Sched, Shutdown};
use crate::probe::{Plan, Probe, Rec, consumer, job_future};

/// Every job and nested scheduler of a workflow, numbered in the order they were
/// added (a nested scheduler before its own jobs), and every scheduler.
pub struct Layout {
    pub nodes: Vec<Node>,
    pub scheds: Vec<SchedInfo>,
}

pub struct Node {
    /// `j` or `s` and the path of positions from the top: `j3`, `s2`, `j2.0.1`.
    pub label: String,
    pub sched: usize,
    pub pos: usize,
    pub critical: bool,
    pub forever: bool,
    pub body: Body,
    /// Requirements: (position, consumes), ascending, sequence links included.
    pub edges: Vec<(usize, bool)>,
    /// The nodes it consumes, in the order it receives their values.
    pub inputs: Vec<usize>,
    pub id: Option<JobId>,
    pub value: Option<JobRef<u64>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body {
    Job(Kind, End),
    /// A nested scheduler, by scheduler number.
    Nested(usize),
}

pub struct SchedInfo {
    pub label: String,
    /// The node of a nested scheduler in its parent; `None` for the top.
    pub node: Option<usize>,
    /// Its nodes, by position.
    pub nodes: Vec<usize>,
    pub window: Option<usize>,
    pub timeout: Option<u64>,
    pub shutdown: Shutdown,
}

impl Layout {
    /// The nodes of scheduler `sched` and of every scheduler nested in it.
    pub fn subtree(&self, sched: usize) -> Vec<usize> {
        let mut out = Vec::new();
        for &n in &self.scheds[sched].nodes {
            out.push(n);
            if let Body::Nested(inner) = self.nodes[n].body {
                out.extend(self.subtree(inner));
            }
        }
        out
    }

    /// The node at `pos` in the scheduler of `node`.
    pub fn sibling(&self, node: usize, pos: usize) -> usize {
        self.scheds[self.nodes[node].sched].nodes[pos]
    }
}

/// A mistake added to a valid workflow, which `run` must reject before anything runs.
#[derive(Clone, Copy, Debug)]
pub enum Injection {
    /// A finite job that requires (or consumes) a forever job.
    RequiresForever {
        sched: usize,
        consume: bool,
    },
    /// `len` jobs, each requiring the previous one and the first the last.
    Cycle {
        sched: usize,
        len: usize,
    },
    ZeroWindow {
        sched: usize,
    },
    /// A job that requires (or consumes) a job of an unrelated scheduler.
    CrossScheduler {
        sched: usize,
        consume: bool,
    },
}

impl Injection {
    fn sched(self) -> usize {
        match self {
            Injection::RequiresForever { sched, .. }
            | Injection::Cycle { sched, .. }
            | Injection::ZeroWindow { sched }
            | Injection::CrossScheduler { sched, .. } => sched,
        }
    }
}

/// What an injected mistake must be reported as.
#[derive(Debug)]
pub enum Expected {
    Exact(GraphError),
    /// A cycle through exactly these labels, in some rotation.
    Cycle(Vec<String>),
}

/// Node numbers of injected jobs start here, out of the layout.
pub const INJECTED: usize = 1 << 20;

struct Ctx<'a> {
    rec: &'a Rec,
    flavor: Flavor,
    layout: Layout,
    inject: Option<Injection>,
    expected: Option<Expected>,
}

/// A position's handle, to require it or consume it.
#[derive(Clone, Copy)]
struct SlotRef {
    id: JobId,
    value: Option<JobRef<u64>>,
    /// The sequence this position ends.
    seq: Option<Sequence>,
}

impl SlotRef {
    fn requirement(&self) -> Requirement {
        match (self.seq, self.value) {
            (Some(seq), _) => Requirement::from(&seq),
            (None, Some(value)) => Requirement::from(value),
            (None, None) => Requirement::from(self.id),
        }
    }
}

/// Something jobs are added to: a scheduler or a sequence.
trait Adder {
    fn put<M, J: IntoJob<M>>(&mut self, job: J) -> JobMut<'_, J::Output>;
}

impl Adder for Scheduler {
    fn put<M, J: IntoJob<M>>(&mut self, job: J) -> JobMut<'_, J::Output> {
        self.add(job)
    }
}

impl Adder for SequenceMut<'_> {
    fn put<M, J: IntoJob<M>>(&mut self, job: J) -> JobMut<'_, J::Output> {
        self.add(job)
    }
}

/// Builds the workflow of `case`, with `inject`'s mistake if given.
pub fn build(
    case: &Case,
    rec: &Rec,
    inject: Option<Injection>,
) -> (Scheduler, Layout, Option<Expected>) {
    let count = case.top.count();
    let mut ctx = Ctx {
        rec,
        flavor: case.flavor,
        layout: Layout {
            nodes: Vec::new(),
            scheds: Vec::new(),
        },
        inject: inject.map(|i| match i {
            Injection::RequiresForever { sched, consume } => Injection::RequiresForever {
                sched: sched % count,
                consume,
            },
            Injection::Cycle { sched, len } => Injection::Cycle {
                sched: sched % count,
                len,
            },
            Injection::ZeroWindow { sched } => Injection::ZeroWindow {
                sched: sched % count,
            },
            Injection::CrossScheduler { sched, consume } => Injection::CrossScheduler {
                sched: sched % count,
                consume,
            },
        }),
        expected: None,
    };
    let top = ctx.sched(&case.top, "top".into(), "", None);
    (top, ctx.layout, ctx.expected)
}

fn configure<T>(
    job: JobMut<'_, T>,
    node: &Node,
    requires: impl IntoIterator<Item = Requirement>,
) -> JobRef<T> {
    let job = job
        .label(&node.label)
        .critical(node.critical)
        .forever(node.forever);
    requires
        .into_iter()
        .fold(job, |job, r| job.requires(r))
        .id()
}

impl Ctx<'_> {
    fn sched(&mut self, spec: &Sched, label: String, path: &str, node: Option<usize>) -> Scheduler {
        let sid = self.layout.scheds.len();
        self.layout.scheds.push(SchedInfo {
            label: label.clone(),
            node,
            nodes: Vec::new(),
            window: spec.window,
            timeout: spec.timeout,
            shutdown: spec.shutdown,
        });
        let mut s = Scheduler::new().with_label(label);
        if let Some(window) = spec.window {
            s.set_window(window);
        }
        if let Some(ms) = spec.timeout {
            s.set_timeout(Duration::from_millis(ms));
        }
        match spec.shutdown {
            Shutdown::Default => {}
            Shutdown::Ms(ms) => s.set_shutdown_timeout(Duration::from_millis(ms)),
            Shutdown::Unbounded => s.set_shutdown_timeout(None),
        }
        let mut slots: Vec<SlotRef> = Vec::new();
        for item in &spec.items {
            match item {
                Item::Job(job) => {
                    let node = self.node(sid, path, job, Vec::new());
                    let reqs: Vec<_> = job
                        .requires
                        .iter()
                        .map(|&r| slots[r].requirement())
                        .collect();
                    let slot = if job.kind == Kind::Inputs {
                        let inputs: Vec<JobRef<u64>> = job
                            .inputs
                            .iter()
                            .map(|&t| slots[t].value.expect("inputs are jobs"))
                            .collect();
                        self.add_consumer(&mut s, node, job, inputs, reqs)
                    } else {
                        self.add_job(&mut s, node, job, reqs)
                    };
                    slots.push(slot);
                }
                Item::Seq(jobs) => {
                    let mut seq = s.sequence();
                    let mut last = None;
                    for (k, job) in jobs.iter().enumerate() {
                        let chain = if k == 0 {
                            for &r in &job.requires {
                                seq.requires(slots[r].requirement());
                            }
                            Vec::new()
                        } else {
                            vec![job.pos - 1]
                        };
                        let node = self.node(sid, path, job, chain);
                        let reqs: Vec<_> = if k == 0 {
                            Vec::new()
                        } else {
                            job.requires
                                .iter()
                                .map(|&r| slots[r].requirement())
                                .collect()
                        };
                        let slot = self.add_job(&mut seq, node, job, reqs);
                        slots.push(slot);
                        last = Some(slots.len() - 1);
                    }
                    let seq = seq.finish();
                    if let Some(last) = last {
                        slots[last].seq = Some(seq);
                    }
                }
                Item::Nested(n) => {
                    let id = self.layout.nodes.len();
                    let inner_path = format!("{path}{}.", n.pos);
                    let label = format!("s{path}{}", n.pos);
                    self.layout.nodes.push(Node {
                        label: label.clone(),
                        sched: sid,
                        pos: n.pos,
                        critical: n.critical,
                        forever: n.forever,
                        body: Body::Nested(self.layout.scheds.len()),
                        edges: {
                            let mut edges: Vec<_> =
                                n.requires.iter().map(|&r| (r, false)).collect();
                            edges.sort_unstable();
                            edges
                        },
                        inputs: Vec::new(),
                        id: None,
                        value: None,
                    });
                    self.layout.scheds[sid].nodes.push(id);
                    let inner = self.sched(&n.sched, label, &inner_path, Some(id));
                    let reqs: Vec<_> = n.requires.iter().map(|&r| slots[r].requirement()).collect();
                    let r = configure(s.add(inner), &self.layout.nodes[id], reqs);
                    self.layout.nodes[id].id = Some(r.id());
                    slots.push(SlotRef {
                        id: r.id(),
                        value: None,
                        seq: None,
                    });
                }
            }
        }
        if self.inject.is_some_and(|i| i.sched() == sid) {
            self.inject(&mut s);
        }
        s
    }

    /// Adds the layout entry of a job; `chain` is the sequence link it gets.
    fn node(&mut self, sid: usize, path: &str, job: &JobSpec, chain: Vec<usize>) -> usize {
        let id = self.layout.nodes.len();
        let siblings = &self.layout.scheds[sid].nodes;
        let mut edges: Vec<(usize, bool)> = job
            .requires
            .iter()
            .chain(&chain)
            .map(|&r| (r, false))
            .chain(job.inputs.iter().map(|&r| (r, true)))
            .collect();
        edges.sort_unstable();
        edges.dedup();
        let inputs = job.inputs.iter().map(|&r| siblings[r]).collect();
        self.layout.nodes.push(Node {
            label: format!("j{path}{}", job.pos),
            sched: sid,
            pos: job.pos,
            critical: job.critical,
            forever: job.forever,
            body: Body::Job(job.kind, job.end),
            edges,
            inputs,
            id: None,
            value: None,
        });
        self.layout.scheds[sid].nodes.push(id);
        id
    }

    fn plan(&self, node: usize, end: End, ms: u64) -> Plan {
        Plan {
            node,
            label: self
                .layout
                .nodes
                .get(node)
                .map_or_else(|| format!("x{}", node - INJECTED), |n| n.label.clone()),
            end,
            ms,
            flavor: self.flavor,
        }
    }

    fn add_job(
        &mut self,
        to: &mut impl Adder,
        node: usize,
        job: &JobSpec,
        reqs: Vec<Requirement>,
    ) -> SlotRef {
        let plan = self.plan(node, job.end, job.ms);
        let n = &self.layout.nodes[node];
        let r = match job.kind {
            Kind::Plain => configure(to.put(job_future(self.rec, plan)), n, reqs),
            Kind::Infallible => {
                let job = job_future(self.rec, plan);
                // An infallible job never gets `End::Err` (see `normalize`).
                let job = infallible(async move { job.await.unwrap_or(u64::MAX) });
                configure(to.put(job), n, reqs)
            }
            Kind::Custom(hook) => configure(to.put(Probe::new(self.rec, plan, hook)), n, reqs),
            Kind::Inputs => unreachable!("consumers are added by add_consumer"),
        };
        self.layout.nodes[node].id = Some(r.id());
        self.layout.nodes[node].value = Some(r);
        SlotRef {
            id: r.id(),
            value: Some(r),
            seq: None,
        }
    }

    /// Adds an `add_with` job: a 1- or 2-tuple of inputs, or a `Vec` of any length.
    fn add_consumer(
        &mut self,
        s: &mut Scheduler,
        node: usize,
        job: &JobSpec,
        inputs: Vec<JobRef<u64>>,
        reqs: Vec<Requirement>,
    ) -> SlotRef {
        let make = consumer(self.rec, self.plan(node, job.end, job.ms));
        let n = &self.layout.nodes[node];
        let r = match inputs[..] {
            [a] => configure(s.add_with((a,), move |(a,)| make(vec![a])), n, reqs),
            [a, b] => configure(s.add_with((a, b), move |(a, b)| make(vec![a, b])), n, reqs),
            _ => configure(s.add_with(inputs, make), n, reqs),
        };
        self.layout.nodes[node].id = Some(r.id());
        self.layout.nodes[node].value = Some(r);
        SlotRef {
            id: r.id(),
            value: Some(r),
            seq: None,
        }
    }

    fn inject(&mut self, s: &mut Scheduler) {
        let label = |k: usize| format!("x{k}");
        let (rec, flavor) = (self.rec, self.flavor);
        let expected = match self.inject.expect("an injection") {
            Injection::RequiresForever { consume, .. } => {
                let forever = s
                    .add(injected(rec, 0, flavor))
                    .label(label(0))
                    .forever(true)
                    .id();
                if consume {
                    let make = consumer(rec, self.plan(INJECTED + 1, End::Ok, 0));
                    s.add_with((forever,), move |(a,)| make(vec![a]))
                        .label(label(1));
                } else {
                    s.add(injected(rec, 1, flavor))
                        .label(label(1))
                        .requires(forever);
                }
                Expected::Exact(GraphError::RequiresForever {
                    job: label(1),
                    forever: label(0),
                })
            }
            Injection::Cycle { len, .. } => {
                let jobs: Vec<JobRef<u64>> = (0..len)
                    .map(|k| s.add(injected(rec, k, flavor)).label(label(k)).id())
                    .collect();
                for k in 0..len {
                    let prev = jobs[(k + len - 1) % len];
                    s.job_mut(jobs[k]).expect("same scheduler").requires(prev);
                }
                Expected::Cycle((0..len).map(label).collect())
            }
            Injection::ZeroWindow { .. } => {
                s.set_window(0);
                Expected::Exact(GraphError::ZeroWindow)
            }
            Injection::CrossScheduler { consume, .. } => {
                let mut other = Scheduler::new();
                let foreign = other.add(injected(rec, 0, flavor)).id();
                let right = GraphError::CrossScheduler { job: label(1) };
                if consume {
                    // The label is set after the input is given: the error names the
                    // job by its label all the same.
                    let make = consumer(rec, self.plan(INJECTED + 1, End::Ok, 0));
                    s.add_with((foreign,), move |(a,)| make(vec![a]))
                        .label(label(1));
                    Expected::Exact(right)
                } else {
                    s.add(injected(rec, 1, flavor))
                        .label(label(1))
                        .requires(foreign);
                    Expected::Exact(right)
                }
            }
        };
        self.expected = Some(expected);
    }
}

/// An injected job: succeeds at once (if it ever runs, which it must not).
fn injected(
    rec: &Rec,
    k: usize,
    flavor: Flavor,
) -> impl std::future::Future<Output = Result<u64, std::io::Error>> + Send + 'static {
    job_future(
        rec,
        Plan {
            node: INJECTED + k,
            label: format!("x{k}"),
            end: End::Ok,
            ms: 0,
            flavor,
        },
    )
}
