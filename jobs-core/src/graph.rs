//! Graph checks and the compact form the driver runs on: requirement and successor
//! lists in flat arrays (CSR), computed in O(jobs + edges).

use crate::error::GraphError;
use crate::scheduler::{Edge, Link, Scheduler};

/// Per-job lists in one array: the list of job `i` is `items[start[i]..start[i + 1]]`.
#[derive(Clone, Debug)]
pub(crate) struct Lists<T> {
    pub(crate) start: Vec<u32>,
    pub(crate) items: Vec<T>,
}

impl<T> Default for Lists<T> {
    fn default() -> Self {
        Lists {
            start: Vec::new(),
            items: Vec::new(),
        }
    }
}

impl<T> Lists<T> {
    pub(crate) fn of(&self, i: usize) -> &[T] {
        match (self.start.get(i), self.start.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.items[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// Sorts the requirements by job then required job, merges duplicates (consuming if
/// either was), and returns them as per-job lists.
pub(crate) fn requirements(jobs: usize, links: &mut Vec<Link>) -> Lists<Edge> {
    // Graphs built in declaration order are sorted, without duplicates, already: one
    // pass to know it.
    let clean = links
        .windows(2)
        .all(|w| (w[0].job, w[0].edge.index) < (w[1].job, w[1].edge.index));
    if !clean {
        links.sort_unstable_by_key(|l| (l.job, l.edge.index, l.edge.consumes));
        links.dedup_by(|later, earlier| {
            if later.job == earlier.job && later.edge.index == earlier.edge.index {
                earlier.edge.consumes |= later.edge.consumes;
                true
            } else {
                false
            }
        });
    }
    let mut start = vec![0u32; jobs + 1];
    let mut items = Vec::with_capacity(links.len());
    for link in links.iter() {
        start[link.job as usize + 1] += 1;
        items.push(link.edge);
    }
    for i in 0..jobs {
        start[i + 1] += start[i];
    }
    Lists { start, items }
}

/// The run-time shape of a validated scheduler.
pub(crate) struct Plan {
    pub(crate) requires: Lists<Edge>,
    /// Successor index, with [`CONSUMES`] set when the successor consumes the output;
    /// each list ascending, i.e. in declaration order.
    pub(crate) successors: Lists<u32>,
    /// The number of finite (not forever) jobs.
    pub(crate) finite: usize,
}

/// Bit set in a successor entry when the edge is an input, not only an ordering.
pub(crate) const CONSUMES: u32 = 1 << 31;

/// Validates the scheduler and its nested schedulers (builder mistakes, window,
/// forever requirements, cycles) and returns the plan to run it.
///
/// `local_ok`: whether jobs whose futures are not `Send` may run (single-task mode).
pub(crate) fn prepare(s: &mut Scheduler, local_ok: bool) -> Result<Plan, GraphError> {
    if let Some(&job) = s.foreign.first() {
        return Err(GraphError::CrossScheduler {
            job: s.display_label(job as usize),
        });
    }
    if s.window == Some(0) {
        return Err(GraphError::ZeroWindow);
    }
    for (node, meta) in s.nodes.iter_mut().zip(&s.meta) {
        if meta.nested
            && let Some(nested) = node.as_mut().nested_mut()
        {
            prepare(nested, local_ok)?;
        }
    }
    if !local_ok && let Some(job) = s.meta.iter().position(|m| m.local && !m.removed) {
        return Err(GraphError::LocalJob {
            job: s.display_label(job),
        });
    }
    let n = s.nodes.len();
    let requires = requirements(n, &mut s.links);
    // Whether some job requires a job added after it: only then can there be a cycle.
    let mut forward = false;
    let mut out_degree = vec![0u32; n];
    for link in &s.links {
        let (job, dep) = (link.job as usize, link.edge.index as usize);
        forward |= dep >= job;
        out_degree[dep] += 1;
        if s.meta[dep].removed {
            return Err(GraphError::RequiresRemoved {
                job: s.display_label(job),
            });
        }
        if !s.meta[job].forever && s.meta[dep].forever {
            return Err(GraphError::RequiresForever {
                job: s.display_label(job),
                forever: s.display_label(dep),
            });
        }
    }
    let mut start = Vec::with_capacity(n + 1);
    let mut total = 0u32;
    for degree in &out_degree {
        start.push(total);
        total += degree;
    }
    start.push(total);
    drop(out_degree);
    // Links are sorted by job: filling in that order makes every list ascending.
    let mut fill = start.clone();
    let mut items = vec![0u32; total as usize];
    for link in &s.links {
        let slot = &mut fill[link.edge.index as usize];
        items[*slot as usize] = link.job | if link.edge.consumes { CONSUMES } else { 0 };
        *slot += 1;
    }
    let plan = Plan {
        requires,
        successors: Lists { start, items },
        finite: s.meta.iter().filter(|m| !m.forever && !m.removed).count(),
    };
    if forward && let Some(cycle) = find_cycle(&plan) {
        return Err(GraphError::Cycle(
            cycle.into_iter().map(|i| s.display_label(i)).collect(),
        ));
    }
    Ok(plan)
}

/// Kahn's algorithm over the plan; if some jobs are left, walks requirements among
/// them until one repeats. Returns the cycle as job indices, `a requires b requires ...
/// requires a`, with the first job repeated at the end.
fn find_cycle(plan: &Plan) -> Option<Vec<usize>> {
    let n = plan.requires.start.len().saturating_sub(1);
    let mut remaining: Vec<u32> = (0..n).map(|i| plan.requires.of(i).len() as u32).collect();
    let mut stack: Vec<u32> = (0..n as u32)
        .filter(|&i| remaining[i as usize] == 0)
        .collect();
    let mut count = 0;
    while let Some(i) = stack.pop() {
        count += 1;
        for &j in plan.successors.of(i as usize) {
            let j = (j & !CONSUMES) as usize;
            remaining[j] -= 1;
            if remaining[j] == 0 {
                stack.push(j as u32);
            }
        }
    }
    if count == n {
        return None;
    }
    // Jobs left over have a requirement left over too.
    let start = remaining.iter().position(|&r| r > 0)?;
    let mut seen_at = vec![usize::MAX; n];
    let mut path = Vec::new();
    let mut at = start;
    while seen_at[at] == usize::MAX {
        seen_at[at] = path.len();
        path.push(at);
        at = plan
            .requires
            .of(at)
            .iter()
            .map(|e| e.index as usize)
            .find(|&r| remaining[r] > 0)?;
    }
    let mut cycle = path.split_off(seen_at[at]);
    cycle.push(at);
    Some(cycle)
}
