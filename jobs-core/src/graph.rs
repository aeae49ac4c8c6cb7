//! Graph checks and the compact form the driver runs on: successor lists in one
//! array (CSR), an in-degree per job, all computed in O(jobs + edges).

use crate::error::GraphError;
use crate::scheduler::{Edge, Scheduler};

/// The run-time shape of a validated scheduler.
pub(crate) struct Plan {
    /// Successors of job `i` are `succ[succ_start[i]..succ_start[i + 1]]`, ascending.
    pub(crate) succ_start: Vec<u32>,
    /// Successor index, with [`CONSUMES`] set when the successor consumes the output.
    pub(crate) succ: Vec<u32>,
    /// The number of requirements of each job.
    pub(crate) in_degree: Vec<u32>,
    /// The number of finite (not forever) jobs.
    pub(crate) finite: usize,
}

/// Bit set in a successor entry when the edge is an input, not only an ordering.
pub(crate) const CONSUMES: u32 = 1 << 31;

/// Sorts and deduplicates each job's requirements, validates the scheduler and its
/// nested schedulers (builder mistakes, window, forever requirements, cycles), and
/// returns the plan to run it.
pub(crate) fn prepare(s: &mut Scheduler) -> Result<Plan, GraphError> {
    if let Some(e) = s.errors.first() {
        return Err(e.clone());
    }
    if s.window == Some(0) {
        return Err(GraphError::ZeroWindow);
    }
    for entry in &mut s.jobs {
        let edges = &mut entry.requires;
        edges.sort_unstable();
        // After sorting, an ordering edge precedes the input edge to the same job:
        // keep one edge per job, consuming if either did.
        edges.dedup_by(|later, earlier| {
            if later.index == earlier.index {
                earlier.consumes |= later.consumes;
                true
            } else {
                false
            }
        });
    }
    for (i, entry) in s.jobs.iter().enumerate() {
        if entry.forever {
            continue;
        }
        for edge in &entry.requires {
            if s.jobs[edge.index as usize].forever {
                return Err(GraphError::RequiresForever {
                    job: s.display_label(i),
                    forever: s.display_label(edge.index as usize),
                });
            }
        }
    }
    for entry in &mut s.jobs {
        if let Some(nested) = entry.node.nested_mut() {
            prepare(nested)?;
        }
    }
    let plan = plan(s);
    if let Some(cycle) = find_cycle(s, &plan) {
        return Err(GraphError::Cycle(
            cycle.into_iter().map(|i| s.display_label(i)).collect(),
        ));
    }
    Ok(plan)
}

/// Builds the plan of a validated scheduler.
fn plan(s: &Scheduler) -> Plan {
    let n = s.jobs.len();
    let mut out_degree = vec![0u32; n + 1];
    let mut in_degree = vec![0u32; n];
    for (i, entry) in s.jobs.iter().enumerate() {
        in_degree[i] = entry.requires.len() as u32;
        for edge in &entry.requires {
            out_degree[edge.index as usize] += 1;
        }
    }
    let mut succ_start = Vec::with_capacity(n + 1);
    let mut total = 0u32;
    for degree in &out_degree[..n] {
        succ_start.push(total);
        total += degree;
    }
    succ_start.push(total);
    // Filling in job order makes every successor list ascending: declaration order.
    let mut fill = succ_start.clone();
    let mut succ = vec![0u32; total as usize];
    for (i, entry) in s.jobs.iter().enumerate() {
        for edge in &entry.requires {
            let slot = &mut fill[edge.index as usize];
            succ[*slot as usize] = i as u32 | if edge.consumes { CONSUMES } else { 0 };
            *slot += 1;
        }
    }
    let finite = s.jobs.iter().filter(|e| !e.forever).count();
    Plan {
        succ_start,
        succ,
        in_degree,
        finite,
    }
}

/// Kahn's algorithm over the plan; if some jobs are left, walks requirements among
/// them until one repeats. Returns the cycle as job indices, `a requires b requires ...
/// requires a`, with the first job repeated at the end.
pub(crate) fn find_cycle(s: &Scheduler, plan: &Plan) -> Option<Vec<usize>> {
    let n = s.jobs.len();
    let mut remaining = plan.in_degree.clone();
    let mut stack: Vec<u32> = (0..n as u32)
        .filter(|&i| remaining[i as usize] == 0)
        .collect();
    let mut placed = vec![false; n];
    let mut count = 0;
    while let Some(i) = stack.pop() {
        placed[i as usize] = true;
        count += 1;
        let range = plan.succ_start[i as usize] as usize..plan.succ_start[i as usize + 1] as usize;
        for &j in &plan.succ[range] {
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
    let start = placed.iter().position(|p| !p)?;
    let mut seen_at = vec![usize::MAX; n];
    let mut path = Vec::new();
    let mut at = start;
    while seen_at[at] == usize::MAX {
        seen_at[at] = path.len();
        path.push(at);
        // Every job left over by Kahn's algorithm has a requirement that is left over too.
        at = s.jobs[at]
            .requires
            .iter()
            .map(|e| e.index as usize)
            .find(|&r| !placed[r])?;
    }
    let mut cycle = path.split_off(seen_at[at]);
    cycle.push(at);
    Some(cycle)
}

/// The jobs in topological order, ties broken by declaration order; shorter than the
/// number of jobs when there is a cycle. For listings and graphs.
pub(crate) fn topological_order(requires: &[&[Edge]]) -> Vec<usize> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    let n = requires.len();
    let mut remaining: Vec<usize> = requires.iter().map(|r| r.len()).collect();
    let mut successors: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, reqs) in requires.iter().enumerate() {
        for edge in *reqs {
            match successors.get_mut(edge.index as usize) {
                Some(list) => list.push(i),
                // Not a job of this scheduler: never satisfied.
                None => {}
            }
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> =
        (0..n).filter(|&i| remaining[i] == 0).map(Reverse).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse(i)) = ready.pop() {
        order.push(i);
        for &j in &successors[i] {
            remaining[j] -= 1;
            if remaining[j] == 0 {
                ready.push(Reverse(j));
            }
        }
    }
    order
}
