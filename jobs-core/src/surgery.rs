//! Graph queries and surgery on a scheduler before it runs.
//!
//! Removing a job leaves a tombstone in its place: the handles of the other jobs stay
//! valid, and the removed job does not run, is not listed and is not in the outcome.

use std::collections::BTreeSet;

use crate::error::GraphError;
use crate::scheduler::{JobId, Link, Scheduler};

/// A job found while walking a scheduler and its nested schedulers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobEntry {
    /// The job.
    pub id: JobId,
    /// Its label.
    pub label: String,
    /// 0 for the jobs of the scheduler walked, 1 inside a nested scheduler, and so on.
    pub depth: usize,
    /// Whether the job is a nested scheduler.
    pub is_scheduler: bool,
}

impl Scheduler {
    fn id_at(&self, index: u32) -> JobId {
        JobId {
            sched: self.uid,
            index,
        }
    }

    /// The position of a job of this scheduler that was not removed.
    fn own(&self, job: JobId) -> Option<u32> {
        let live =
            job.sched == self.uid && self.meta.get(job.index()).is_some_and(|meta| !meta.removed);
        live.then_some(job.index)
    }

    /// The jobs that `job` requires directly, in declaration order. Empty for a job of
    /// another scheduler.
    ///
    /// ```
    /// use jobs_core::{Scheduler, infallible};
    /// let mut s = Scheduler::new();
    /// let a = s.add(infallible(async {})).id();
    /// let b = s.add(infallible(async {})).requires(a).id();
    /// assert_eq!(s.predecessors(b), [a.id()]);
    /// assert_eq!(s.successors(a), [b.id()]);
    /// ```
    pub fn predecessors(&self, job: impl Into<JobId>) -> Vec<JobId> {
        let Some(job) = self.own(job.into()) else {
            return Vec::new();
        };
        let set: BTreeSet<u32> = self
            .links
            .iter()
            .filter(|l| l.job == job)
            .map(|l| l.edge.index())
            .collect();
        set.into_iter().map(|i| self.id_at(i)).collect()
    }

    /// The jobs that require `job` directly, in declaration order.
    pub fn successors(&self, job: impl Into<JobId>) -> Vec<JobId> {
        let Some(job) = self.own(job.into()) else {
            return Vec::new();
        };
        let set: BTreeSet<u32> = self
            .links
            .iter()
            .filter(|l| l.edge.index() == job)
            .map(|l| l.job)
            .collect();
        set.into_iter().map(|i| self.id_at(i)).collect()
    }

    /// Per-job lists of requirements (`up`) or of successors (`!up`).
    fn adjacency(&self, up: bool) -> Vec<Vec<u32>> {
        let mut lists = vec![Vec::new(); self.meta.len()];
        for link in &self.links {
            let (from, to) = if up {
                (link.job, link.edge.index())
            } else {
                (link.edge.index(), link.job)
            };
            lists[from as usize].push(to);
        }
        lists
    }

    /// Everything reachable from `jobs` (not counting them) along requirements
    /// (`up`) or successors.
    fn closure(&self, jobs: &[JobId], up: bool) -> BTreeSet<u32> {
        let lists = self.adjacency(up);
        let mut seen = BTreeSet::new();
        let mut stack: Vec<u32> = jobs.iter().filter_map(|&j| self.own(j)).collect();
        while let Some(i) = stack.pop() {
            for &next in &lists[i as usize] {
                if seen.insert(next) {
                    stack.push(next);
                }
            }
        }
        seen
    }

    /// Every job that any of `jobs` requires, directly or not, in declaration order.
    /// One of `jobs` is in the list only if another one of them requires it.
    pub fn upstream(&self, jobs: &[JobId]) -> Vec<JobId> {
        self.closure(jobs, true)
            .into_iter()
            .map(|i| self.id_at(i))
            .collect()
    }

    /// Every job that requires any of `jobs`, directly or not, in declaration order.
    /// One of `jobs` is in the list only if it requires another one of them.
    pub fn downstream(&self, jobs: &[JobId]) -> Vec<JobId> {
        self.closure(jobs, false)
            .into_iter()
            .map(|i| self.id_at(i))
            .collect()
    }

    /// Removes `job` but keeps the order it imposed: each of its successors now requires
    /// each of its predecessors. Fails if the job is not in this scheduler, or if
    /// another job consumes its output (that job would have no input).
    ///
    /// ```
    /// use jobs_core::{Scheduler, infallible};
    /// let mut s = Scheduler::new();
    /// let a = s.add(infallible(async {})).label("a").id();
    /// let b = s.add(infallible(async {})).label("b").requires(a).id();
    /// let c = s.add(infallible(async {})).label("c").requires(b).id();
    /// s.bypass_and_remove(b).unwrap();
    /// assert_eq!(s.predecessors(c), [a.id()]);
    /// assert_eq!(s.len(), 2);
    /// ```
    pub fn bypass_and_remove(&mut self, job: impl Into<JobId>) -> Result<(), GraphError> {
        let id = job.into();
        let Some(job) = self.own(id) else {
            return Err(GraphError::NotInScheduler);
        };
        if let Some(consumer) = self
            .links
            .iter()
            .find(|l| l.edge.index() == job && l.edge.consumes())
        {
            return Err(GraphError::InputRemoved {
                job: self.display_label(consumer.job as usize),
                input: self.display_label(job as usize),
            });
        }
        let predecessors = self.predecessors(id);
        let successors = self.successors(id);
        for s in &successors {
            for p in &predecessors {
                self.links.push(Link {
                    job: s.index,
                    edge: crate::scheduler::Edge::new(p.index, false),
                });
            }
        }
        self.remove_all(&BTreeSet::from([job]));
        Ok(())
    }

    /// Keeps only `jobs` (of this scheduler); requirements on removed jobs are
    /// dropped, not rewired. Fails, removing nothing, if a kept job consumes the
    /// output of a removed one.
    pub fn keep_only(&mut self, jobs: &[JobId]) -> Result<(), GraphError> {
        let keep: BTreeSet<u32> = jobs.iter().filter_map(|&j| self.own(j)).collect();
        let remove: BTreeSet<u32> = (0..self.meta.len() as u32)
            .filter(|i| !keep.contains(i) && !self.meta[*i as usize].removed)
            .collect();
        if let Some(link) = self.links.iter().find(|l| {
            l.edge.consumes() && remove.contains(&l.edge.index()) && !remove.contains(&l.job)
        }) {
            return Err(GraphError::InputRemoved {
                job: self.display_label(link.job as usize),
                input: self.display_label(link.edge.index() as usize),
            });
        }
        self.remove_all(&remove);
        Ok(())
    }

    /// Keeps the jobs downstream of `starts` and upstream of `ends`; an empty side does
    /// not constrain. `keep_starts` and `keep_ends` also keep the bounds themselves.
    ///
    /// ```
    /// use jobs_core::{Scheduler, infallible};
    /// let mut s = Scheduler::new();
    /// let mut seq = s.sequence();
    /// let ids: Vec<_> = (0..5).map(|_| seq.add(infallible(async {})).id().id()).collect();
    /// s.keep_only_between(&ids[1..2], &ids[3..4], false, true).unwrap();
    /// assert_eq!(s.len(), 2); // the third and fourth jobs
    /// ```
    pub fn keep_only_between(
        &mut self,
        starts: &[JobId],
        ends: &[JobId],
        keep_starts: bool,
        keep_ends: bool,
    ) -> Result<(), GraphError> {
        let all: BTreeSet<u32> = (0..self.meta.len() as u32)
            .filter(|&i| !self.meta[i as usize].removed)
            .collect();
        let below = if starts.is_empty() {
            all.clone()
        } else {
            self.closure(starts, false)
        };
        let above = if ends.is_empty() {
            all.clone()
        } else {
            self.closure(ends, true)
        };
        let mut keep: BTreeSet<u32> = below.intersection(&above).copied().collect();
        if keep_starts {
            keep.extend(starts.iter().filter_map(|&j| self.own(j)));
        }
        if keep_ends {
            keep.extend(ends.iter().filter_map(|&j| self.own(j)));
        }
        if !keep_starts {
            for j in starts.iter().filter_map(|&j| self.own(j)) {
                keep.remove(&j);
            }
        }
        if !keep_ends {
            for j in ends.iter().filter_map(|&j| self.own(j)) {
                keep.remove(&j);
            }
        }
        let keep: Vec<JobId> = keep.into_iter().map(|i| self.id_at(i)).collect();
        self.keep_only(&keep)
    }

    /// Turns the jobs in `remove` into tombstones and drops their requirements.
    fn remove_all(&mut self, remove: &BTreeSet<u32>) {
        self.links
            .retain(|l| !remove.contains(&l.job) && !remove.contains(&l.edge.index()));
        for &i in remove {
            let i = i as usize;
            self.meta[i].removed = true;
            self.labels.clear(i);
            self.nodes.remove(i);
            self.details.remove(&(i as u32));
            self.show.remove(&(i as u32));
        }
        self.removed += remove.len();
    }

    /// Every job, nested ones included (right after their scheduler), in declaration
    /// order.
    ///
    /// ```
    /// use jobs_core::{Scheduler, infallible};
    /// let mut inner = Scheduler::new().with_label("inner");
    /// inner.add(infallible(async {})).label("deep");
    /// let mut s = Scheduler::new();
    /// s.add(inner);
    /// let walk: Vec<_> = s.walk().into_iter().map(|j| (j.label, j.depth)).collect();
    /// assert_eq!(walk, [("inner".to_owned(), 0), ("deep".to_owned(), 1)]);
    /// ```
    pub fn walk(&self) -> Vec<JobEntry> {
        let mut out = Vec::new();
        self.walk_into(0, &mut out);
        out
    }

    fn walk_into(&self, depth: usize, out: &mut Vec<JobEntry>) {
        for (i, meta) in self.meta.iter().enumerate() {
            if meta.removed {
                continue;
            }
            out.push(JobEntry {
                id: self.id_at(i as u32),
                label: self.display_label(i),
                depth,
                is_scheduler: meta.nested,
            });
            if let Some(nested) = self.nodes.nested(i) {
                nested.walk_into(depth + 1, out);
            }
        }
    }

    /// Checks the graph without running it: cycles, requirements across schedulers,
    /// finite jobs requiring forever jobs or removed jobs, a window of 0, more jobs
    /// than a run can index; nested schedulers included.
    pub fn check(&self) -> Result<(), GraphError> {
        let mut copy = self.skeleton();
        crate::graph::prepare(&mut copy, true).map(drop)
    }

    /// The same graph with placeholder jobs, for checks and listings.
    pub(crate) fn skeleton(&self) -> Scheduler {
        let mut copy = Scheduler::new();
        copy.uid = self.uid;
        copy.label = self.label.clone();
        copy.window = self.window;
        copy.meta = self.meta.clone();
        copy.labels = self.labels.clone();
        copy.links = self.links.clone();
        copy.foreign = self.foreign.clone();
        copy.removed = self.removed;
        copy.nodes = self.nodes.skeleton();
        copy
    }
}
