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

/// Sorts the requirements by job then required job and merges duplicates (consuming
/// if either was).
fn normalize(links: &mut Vec<Link>) {
    links.sort_unstable_by_key(|l| (key(l), l.edge.consumes()));
    links.dedup_by(|later, earlier| {
        if key(later) == key(earlier) {
            let consumes = earlier.edge.consumes() || later.edge.consumes();
            earlier.edge = Edge::new(later.edge.index(), consumes);
            true
        } else {
            false
        }
    });
}

/// The order of requirements in their lists: by job, then by required job.
fn key(link: &Link) -> u64 {
    (u64::from(link.job) << 32) | u64::from(link.edge.index())
}

/// Turns counts per job (the count of job `i` at `i + 1`) into list starts.
fn accumulate(start: &mut [u32]) {
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
}

/// The requirements as per-job lists: sorted, without duplicates.
pub(crate) fn requirements(jobs: usize, links: &mut Vec<Link>) -> Lists<Edge> {
    let (start, _, _) = counts(jobs, links);
    Lists {
        start,
        items: links.iter().map(|l| l.edge).collect(),
    }
}

/// Fills the successor lists, whose starts are `start`, from the requirement lists,
/// whose starts are `requires`, `edge(k)` being the `k`-th requirement: each successor
/// list comes out ascending.
fn fill_successors(
    requires: &[u32],
    edge: impl Fn(usize) -> Edge,
    start: &[u32],
    out: &mut [Edge],
) {
    let mut fill = start.to_vec();
    for (job, bounds) in requires.windows(2).enumerate() {
        for k in bounds[0] as usize..bounds[1] as usize {
            let required = edge(k);
            let slot = &mut fill[required.index() as usize];
            out[*slot as usize] = Edge::new(job as u32, required.consumes());
            *slot += 1;
        }
    }
}

/// What [`prepare`] found: a valid graph, with its requirements still in the
/// scheduler.
pub(crate) struct Prepared {
    /// The starts of the requirement lists.
    requires: Vec<u32>,
    /// The starts of the successor lists.
    successors: Vec<u32>,
    finite: usize,
}

impl Prepared {
    /// The plan, with the scheduler's requirements (as [`prepare`] left them) moved in.
    pub(crate) fn plan(self, links: Vec<Link>) -> Plan {
        let m = links.len();
        // A link is two words, an edge one: std's `collect` reuses the links' buffer,
        // which then holds the successor lists too, after the requirement lists.
        let mut edges: Vec<Edge> = links.into_iter().map(|l| l.edge).collect();
        edges.resize(2 * m, Edge::new(0, false));
        let (requires, successors) = edges.split_at_mut(m);
        let requires = &*requires;
        fill_successors(
            &self.requires,
            |k| requires[k],
            &self.successors,
            successors,
        );
        Plan {
            edges,
            requires: self.requires,
            successors: self.successors,
            finite: self.finite,
        }
    }
}

/// The run-time shape of a validated scheduler.
#[derive(Default)]
pub(crate) struct Plan {
    /// The requirement lists, then the successor lists. A successor edge `consumes`
    /// when the successor consumes the output; each successor list is ascending (in
    /// declaration order).
    edges: Vec<Edge>,
    /// The starts of the requirement lists in `edges`.
    requires: Vec<u32>,
    /// The starts of the successor lists in `edges[m..]`, `m` edges in all.
    successors: Vec<u32>,
    /// The number of finite (not forever) jobs.
    pub(crate) finite: usize,
}

impl Plan {
    /// The jobs that job `i` requires, ascending.
    pub(crate) fn requires(&self, i: usize) -> &[Edge] {
        &self.edges[self.requires[i] as usize..self.requires[i + 1] as usize]
    }

    /// The jobs that require job `i`, ascending.
    #[cfg(test)]
    pub(crate) fn successors(&self, i: usize) -> &[Edge] {
        &self.edges[self.successor_range(i)]
    }

    /// Where the successors of job `i` lie, for [`Self::edge`].
    pub(crate) fn successor_range(&self, i: usize) -> std::ops::Range<usize> {
        let m = self.edges.len() / 2;
        m + self.successors[i] as usize..m + self.successors[i + 1] as usize
    }

    pub(crate) fn edge(&self, k: usize) -> Edge {
        self.edges[k]
    }

    /// The requirement lists alone, for the outcome. The buffer keeps its size: an
    /// outcome is short-lived, and a workflow built again reuses the memory (a smaller
    /// buffer would make the allocator map fresh pages for the next one).
    pub(crate) fn take_requires(&mut self) -> Lists<Edge> {
        let mut items = std::mem::take(&mut self.edges);
        items.truncate(items.len() / 2);
        Lists {
            start: std::mem::take(&mut self.requires),
            items,
        }
    }
}

/// Validates the scheduler and its nested schedulers (builder mistakes, window,
/// forever requirements, cycles), and counts what the plan to run it needs.
///
/// `local_ok`: whether jobs whose futures are not `Send` may run (single-task mode).
///
/// The requirements are left in the scheduler, sorted and without duplicates, for
/// [`Prepared::plan`].
pub(crate) fn prepare(s: &mut Scheduler, local_ok: bool) -> Result<Prepared, GraphError> {
    if let Some(&job) = s.foreign.first() {
        return Err(GraphError::CrossScheduler {
            job: s.display_label(job as usize),
        });
    }
    if s.window == Some(0) {
        return Err(GraphError::ZeroWindow);
    }
    let n = s.nodes.len();
    if n > Edge::MAX_INDEX as usize + 1 {
        return Err(GraphError::TooManyJobs { jobs: n });
    }
    for i in 0..n {
        if s.meta[i].nested
            && let Some(nested) = s.nodes.nested_mut(i)
        {
            prepare(nested, local_ok)?;
        }
    }
    if !local_ok && let Some(job) = s.meta.iter().position(|m| m.local && !m.removed) {
        return Err(GraphError::LocalJob {
            job: s.display_label(job),
        });
    }
    let (requires, successors, forward) = counts(n, &mut s.links);
    if s.meta.iter().any(|m| m.removed || m.forever) {
        check_requirements(s)?;
    }
    if forward {
        let mut items = vec![Edge::new(0, false); s.links.len()];
        let links = &s.links;
        fill_successors(&requires, |k| links[k].edge, &successors, &mut items);
        if let Some(cycle) = find_cycle(&s.links, &requires, &successors, &items) {
            return Err(GraphError::Cycle(
                cycle.into_iter().map(|i| s.display_label(i)).collect(),
            ));
        }
    }
    Ok(Prepared {
        requires,
        successors,
        finite: s.meta.iter().filter(|m| !m.forever && !m.removed).count(),
    })
}

/// [`count`], with the requirements sorted and merged first if they need it (graphs
/// built in declaration order do not).
fn counts(n: usize, links: &mut Vec<Link>) -> (Vec<u32>, Vec<u32>, bool) {
    count(n, links).unwrap_or_else(|| {
        normalize(links);
        count(n, links).expect("normalized requirements")
    })
}

/// In one pass over requirements sorted by job then required job, without
/// duplicates: the starts of the requirement and of the successor lists, and whether
/// some job requires a job added after it (only then can there be a cycle). `None` if
/// the requirements are not so sorted.
fn count(n: usize, links: &[Link]) -> Option<(Vec<u32>, Vec<u32>, bool)> {
    let mut requires = vec![0u32; n + 1];
    let mut successors = vec![0u32; n + 1];
    let mut forward = false;
    let mut least = 0;
    for link in links {
        let k = key(link);
        if k < least {
            return None;
        }
        least = k + 1;
        let (job, dep) = (link.job as usize, link.edge.index() as usize);
        requires[job + 1] += 1;
        successors[dep + 1] += 1;
        forward |= dep >= job;
    }
    accumulate(&mut requires);
    accumulate(&mut successors);
    Some((requires, successors, forward))
}

/// No job requires a removed job, and no finite job requires a forever job.
fn check_requirements(s: &Scheduler) -> Result<(), GraphError> {
    for link in &s.links {
        let (job, dep) = (link.job as usize, link.edge.index() as usize);
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
    Ok(())
}

/// Kahn's algorithm; if some jobs are left, walks requirements among them until one
/// repeats. Returns the cycle as job indices, `a requires b requires ... requires a`,
/// with the first job repeated at the end. `links`: the requirements, sorted by job,
/// `requires` their list starts; `successors` the starts of the successor lists, in
/// `items`.
fn find_cycle(
    links: &[Link],
    requires: &[u32],
    successors: &[u32],
    items: &[Edge],
) -> Option<Vec<usize>> {
    let n = requires.len().saturating_sub(1);
    let required = |i: usize| &links[requires[i] as usize..requires[i + 1] as usize];
    let mut remaining: Vec<u32> = (0..n).map(|i| required(i).len() as u32).collect();
    let mut stack: Vec<u32> = (0..n as u32)
        .filter(|&i| remaining[i as usize] == 0)
        .collect();
    let mut count = 0;
    while let Some(i) = stack.pop() {
        count += 1;
        let i = i as usize;
        for &j in &items[successors[i] as usize..successors[i + 1] as usize] {
            let j = j.index() as usize;
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
        at = required(at)
            .iter()
            .map(|l| l.edge.index() as usize)
            .find(|&r| remaining[r] > 0)?;
    }
    let mut cycle = path.split_off(seen_at[at]);
    cycle.push(at);
    Some(cycle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infallible;

    fn indices(edges: &[Edge]) -> Vec<(u32, bool)> {
        edges.iter().map(|e| (e.index(), e.consumes())).collect()
    }

    fn plan(s: &mut Scheduler) -> Plan {
        let prepared = prepare(s, true).expect("valid graph");
        prepared.plan(std::mem::take(&mut s.links))
    }

    #[test]
    fn an_edge_is_an_index_and_a_flag_in_one_word() {
        assert_eq!(std::mem::size_of::<Edge>(), 4);
        assert_eq!(std::mem::size_of::<Link>(), 8);
        let e = Edge::new(Edge::MAX_INDEX, true);
        assert_eq!((e.index(), e.consumes()), (Edge::MAX_INDEX, true));
        let e = Edge::new(Edge::MAX_INDEX, false);
        assert_eq!((e.index(), e.consumes()), (Edge::MAX_INDEX, false));
        let e = Edge::new(0, true);
        assert_eq!((e.index(), e.consumes()), (0, true));
        let e = Edge::new(7, false);
        assert_eq!((e.index(), e.consumes()), (7, false));
    }

    #[test]
    fn requirements_out_of_order_are_sorted_and_duplicates_merged() {
        let link = |job, index, consumes| Link {
            job,
            edge: Edge::new(index, consumes),
        };
        let mut links = vec![
            link(2, 1, false),
            link(1, 0, false),
            link(2, 0, false),
            link(2, 1, true),
            link(1, 0, false),
        ];
        let lists = requirements(3, &mut links);
        assert_eq!(indices(lists.of(0)), []);
        assert_eq!(indices(lists.of(1)), [(0, false)]);
        assert_eq!(indices(lists.of(2)), [(0, false), (1, true)]);
    }

    #[test]
    fn the_plan_holds_both_directions_in_declaration_order() {
        let mut s = Scheduler::new();
        let a = s.add(infallible(async { 1 })).id();
        let b = s.add(infallible(async {})).id();
        let c = s
            .add_with((a,), |(a,)| async move { Ok::<_, std::io::Error>(a) })
            .id();
        // Added after c, and out of order: b requires c, then a.
        s.job_mut(b).expect("own job").requires(c).requires(a);
        let mut plan = plan(&mut s);
        assert_eq!(indices(plan.requires(0)), []);
        assert_eq!(indices(plan.requires(1)), [(0, false), (2, false)]);
        assert_eq!(indices(plan.requires(2)), [(0, true)]);
        assert_eq!(indices(plan.successors(0)), [(1, false), (2, true)]);
        assert_eq!(indices(plan.successors(1)), []);
        assert_eq!(indices(plan.successors(2)), [(1, false)]);
        assert_eq!(plan.finite, 3);
        let requires = plan.take_requires();
        assert_eq!(indices(requires.of(1)), [(0, false), (2, false)]);
        assert_eq!(requires.items.len(), 3);
    }

    #[test]
    fn a_cycle_is_reported_along_its_requirements_and_leaves_the_graph() {
        let mut s = Scheduler::new();
        let a = s.add(infallible(async {})).label("a").id();
        let b = s.add(infallible(async {})).label("b").requires(a).id();
        let c = s.add(infallible(async {})).label("c").requires(b).id();
        s.add(infallible(async {})).label("d").requires(c);
        s.job_mut(a).expect("own job").requires(c);
        let Err(GraphError::Cycle(cycle)) = prepare(&mut s, true) else {
            panic!("a cycle");
        };
        assert_eq!(cycle, ["a", "c", "b", "a"]);
        assert_eq!(s.links.len(), 4);
    }

    #[test]
    fn only_the_graph_built_in_order_skips_the_sort() {
        let link = |job, index| Link {
            job,
            edge: Edge::new(index, false),
        };
        let (requires, successors, forward) =
            count(3, &[link(1, 0), link(2, 0), link(2, 1)]).expect("in order");
        assert_eq!(
            (requires, successors, forward),
            (vec![0, 0, 1, 3], vec![0, 2, 3, 3], false)
        );
        assert!(count(3, &[link(0, 1)]).is_some_and(|(_, _, forward)| forward));
        assert!(count(3, &[link(2, 0), link(1, 0)]).is_none());
        assert!(count(3, &[link(2, 1), link(2, 0)]).is_none());
        assert!(count(3, &[link(2, 1), link(2, 1)]).is_none());
    }
}
