//! Directed graphs on plain indices: cycle detection and topological order.
//!
//! Nodes are `0..nodes`, numbered in declaration order; an edge `(from, to)`
//! means that `from` requires `to`, and its id is its index in the edge list.
//! Nothing here knows about syntax, so the algorithms are tested on vectors.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A graph in compressed adjacency form: the out-edges of each node, in edge id
/// order.
pub(crate) struct Graph {
    /// Out-edges of node `n` are `out[start[n]..start[n + 1]]`.
    start: Vec<usize>,
    /// `(to, edge id)`.
    out: Vec<(usize, usize)>,
}

impl Graph {
    /// Builds the graph of `nodes` nodes. Edges naming a node out of range are
    /// ignored.
    pub(crate) fn new(nodes: usize, edges: &[(usize, usize)]) -> Graph {
        let valid = |&(from, to): &(usize, usize)| from < nodes && to < nodes;
        let mut start = vec![0; nodes + 1];
        for &(from, _) in edges.iter().filter(|e| valid(e)) {
            start[from + 1] += 1;
        }
        for n in 0..nodes {
            start[n + 1] += start[n];
        }
        let mut next = start.clone();
        let mut out = vec![(0, 0); start[nodes]];
        for (id, &(from, to)) in edges.iter().enumerate().filter(|(_, e)| valid(e)) {
            out[next[from]] = (to, id);
            next[from] += 1;
        }
        Graph { start, out }
    }

    fn nodes(&self) -> usize {
        self.start.len() - 1
    }

    fn out_edges(&self, node: usize) -> &[(usize, usize)] {
        &self.out[self.start[node]..self.start[node + 1]]
    }

    /// Finds cycles with an iterative depth-first search (no recursion, so
    /// long chains cannot overflow the stack), visiting nodes and edges in
    /// declaration order.
    ///
    /// Each cycle is the list of its edge ids in path order, rotated so that
    /// it starts with the edge leaving its earliest-declared node. Reported
    /// cycles share no edge: a cycle through an edge already reported is left
    /// for the next compilation, which keeps the output, and the time, linear
    /// in the size of the graph. Every strongly connected component that holds
    /// a cycle has at least one cycle reported.
    pub(crate) fn cycles(&self) -> Vec<Vec<usize>> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            OnPath,
            Done,
        }
        let mut mark = vec![Mark::New; self.nodes()];
        // Position of each node on the current path, valid while it is OnPath.
        let mut depth = vec![0; self.nodes()];
        let mut cycles = Vec::new();

        for root in 0..self.nodes() {
            if mark[root] != Mark::New {
                continue;
            }
            // The current path: `nodes[i]` and the index of its next out-edge
            // to explore; `edges[i]` is the edge from `nodes[i]` to
            // `nodes[i + 1]`, and `reported[i]` counts the reported edges in
            // `edges[..=i]`, so a cycle can tell in O(1) whether it overlaps
            // one reported before.
            let mut nodes = vec![(root, 0)];
            let mut edges: Vec<usize> = Vec::new();
            let mut reported: Vec<usize> = Vec::new();
            mark[root] = Mark::OnPath;
            depth[root] = 0;

            while let Some(top) = nodes.last_mut() {
                let node = top.0;
                let Some(&(to, id)) = self.out_edges(node).get(top.1) else {
                    mark[node] = Mark::Done;
                    nodes.pop();
                    edges.pop();
                    reported.pop();
                    continue;
                };
                top.1 += 1;
                match mark[to] {
                    Mark::New => {
                        mark[to] = Mark::OnPath;
                        depth[to] = nodes.len();
                        nodes.push((to, 0));
                        edges.push(id);
                        reported.push(reported.last().copied().unwrap_or(0));
                    }
                    Mark::OnPath => {
                        // The path from `to` back to `node`, closed by `id`.
                        let from = depth[to];
                        let before = from.checked_sub(1).map_or(0, |i| reported[i]);
                        if reported.last().copied().unwrap_or(0) != before {
                            continue;
                        }
                        let mut cycle = edges[from..].to_vec();
                        cycle.push(id);
                        for (k, count) in reported[from..].iter_mut().enumerate() {
                            *count = before + k + 1;
                        }
                        // Rotate to start at the earliest-declared node; the
                        // source of `cycle[k]` is `nodes[from + k]`.
                        let first = (0..cycle.len())
                            .min_by_key(|&k| nodes[from + k].0)
                            .unwrap_or(0);
                        cycle.rotate_left(first);
                        cycles.push(cycle);
                    }
                    Mark::Done => {}
                }
            }
        }
        cycles
    }

    /// A topological order, requirements first (Kahn's algorithm): among the
    /// nodes whose requirements are all placed, the earliest-declared comes
    /// next, so an input already in order comes out unchanged. Nodes on or
    /// behind a cycle follow, in declaration order.
    ///
    /// O(edges + nodes log nodes): the ready set is a binary heap.
    pub(crate) fn topological_order(&self) -> Vec<usize> {
        let nodes = self.nodes();
        // The order goes against the edges: a node is ready when everything
        // it requires (its out-edges) is placed.
        let mut missing: Vec<usize> = (0..nodes).map(|n| self.out_edges(n).len()).collect();
        let mut required_by: Vec<Vec<usize>> = vec![Vec::new(); nodes];
        for from in 0..nodes {
            for &(to, _) in self.out_edges(from) {
                required_by[to].push(from);
            }
        }
        let mut ready: BinaryHeap<Reverse<usize>> = (0..nodes)
            .filter(|&n| missing[n] == 0)
            .map(Reverse)
            .collect();
        let mut placed = vec![false; nodes];
        let mut order = Vec::with_capacity(nodes);
        while let Some(Reverse(node)) = ready.pop() {
            placed[node] = true;
            order.push(node);
            for &next in &required_by[node] {
                missing[next] -= 1;
                if missing[next] == 0 {
                    ready.push(Reverse(next));
                }
            }
        }
        order.extend((0..nodes).filter(|&n| !placed[n]));
        order
    }
}
