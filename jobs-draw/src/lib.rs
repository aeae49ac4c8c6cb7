//! Drawings of workflows: DOT (Graphviz) and Mermaid text from a plain description of
//! the graph, with the conventions of `jobs-core`'s listings. Shared by the runtime,
//! which draws schedulers and outcomes, and the `workflow!` macro, which draws a
//! workflow at compile time.
//!
//! DOT: rounded boxes; critical jobs in thick red, non-critical ones thin and black;
//! forever jobs dashed; nested schedulers as clusters, with edges into a cluster drawn
//! to its middle entry job (`lhead`) and edges out of it from its middle exit job
//! (`ltail`); nodes filled with the colour of their state, when they have one. Ids are
//! the listing's: topological order, ties in declaration order, a nested scheduler's
//! jobs numbered right after it.
//!
//! ```
//! use jobs_draw::{Edge, Graph, Node};
//! let job = |label: &str, requires: Vec<Edge>| Node {
//!     label: label.to_owned(),
//!     critical: true,
//!     forever: false,
//!     state: None,
//!     requires,
//!     nested: None,
//!     removed: false,
//!     is_scheduler: false,
//!     extra: (),
//! };
//! let graph = Graph {
//!     label: None,
//!     nodes: vec![job("a", vec![]), job("b", vec![Edge { index: 0, consumes: false }])],
//! };
//! assert!(jobs_draw::dot(&graph).contains("1 -> 2;"));
//! ```

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt::Write as _;

/// A scheduler: its label and its jobs, in declaration order.
#[derive(Clone, Debug)]
pub struct Graph<X = ()> {
    /// The scheduler's label.
    pub label: Option<String>,
    /// The jobs, by position.
    pub nodes: Vec<Node<X>>,
}

/// A job, or a nested scheduler.
#[derive(Clone, Debug)]
pub struct Node<X = ()> {
    /// The label.
    pub label: String,
    /// A failure aborts the run.
    pub critical: bool,
    /// Not waited for.
    pub forever: bool,
    /// The state's lowercase name (`done`, `failed`, ...), `None` while idle.
    pub state: Option<&'static str>,
    /// The jobs it requires, by position in the same scheduler.
    pub requires: Vec<Edge>,
    /// The nested scheduler's jobs, if it is one and they are known.
    pub nested: Option<Graph<X>>,
    /// Removed by graph surgery: not drawn.
    pub removed: bool,
    /// A nested scheduler, even when its jobs are not known.
    pub is_scheduler: bool,
    /// Whatever else the caller keeps per job (listings keep values and errors).
    pub extra: X,
}

/// A requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    /// The position of the required job.
    pub index: usize,
    /// The job consumes the required job's output, not only its completion.
    pub consumes: bool,
}

/// The ids of a graph's jobs, and of their nested schedulers' jobs.
#[derive(Clone, Debug)]
pub struct Numbering {
    /// `ids[i]` is the id of job `i` (0 for a removed job).
    pub ids: Vec<usize>,
    /// The numbering inside job `i`, if it is a nested scheduler with known jobs.
    pub nested: Vec<Option<Numbering>>,
}

impl<X> Graph<X> {
    /// Positions in listing order: topological, ties in declaration order; after a
    /// cycle, the rest in declaration order. Removed jobs are left out.
    pub fn order(&self) -> Vec<usize> {
        let n = self.nodes.len();
        let mut remaining: Vec<usize> = self.nodes.iter().map(|j| j.requires.len()).collect();
        let mut successors: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, job) in self.nodes.iter().enumerate() {
            for edge in &job.requires {
                if let Some(list) = successors.get_mut(edge.index) {
                    list.push(i);
                }
            }
        }
        let mut ready: BinaryHeap<Reverse<usize>> =
            (0..n).filter(|&i| remaining[i] == 0).map(Reverse).collect();
        let mut order = Vec::with_capacity(n);
        let mut placed = vec![false; n];
        while let Some(Reverse(i)) = ready.pop() {
            order.push(i);
            placed[i] = true;
            for &j in &successors[i] {
                remaining[j] -= 1;
                if remaining[j] == 0 {
                    ready.push(Reverse(j));
                }
            }
        }
        order.extend((0..n).filter(|&i| !placed[i]));
        order.retain(|&i| !self.nodes[i].removed);
        order
    }

    /// Numbers every job from `next + 1`, nested ones right after their scheduler.
    pub fn number(&self, next: &mut usize) -> Numbering {
        let mut ids = vec![0; self.nodes.len()];
        let mut nested: Vec<Option<Numbering>> = (0..self.nodes.len()).map(|_| None).collect();
        for i in self.order() {
            *next += 1;
            ids[i] = *next;
            if let Some(graph) = &self.nodes[i].nested {
                nested[i] = Some(graph.number(next));
            }
        }
        Numbering { ids, nested }
    }

    /// Jobs without requirements.
    pub fn entries(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| self.nodes[i].requires.is_empty() && !self.nodes[i].removed)
            .collect()
    }

    /// Finite jobs that no job of this scheduler requires.
    pub fn exits(&self) -> Vec<usize> {
        let mut required = vec![false; self.nodes.len()];
        for job in &self.nodes {
            for edge in &job.requires {
                if let Some(r) = required.get_mut(edge.index) {
                    *r = true;
                }
            }
        }
        (0..self.nodes.len())
            .filter(|&i| !required[i] && !self.nodes[i].forever && !self.nodes[i].removed)
            .collect()
    }

    /// The number of jobs, nested ones included.
    pub fn count(&self) -> usize {
        self.nodes
            .iter()
            .filter(|j| !j.removed)
            .map(|j| 1 + j.nested.as_ref().map_or(0, Graph::count))
            .sum()
    }
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

fn fill(state: Option<&str>) -> Option<&'static str> {
    match state? {
        "scheduled" => Some("lightyellow"),
        "running" => Some("lightblue"),
        "done" => Some("palegreen"),
        "failed" => Some("lightcoral"),
        "cancelled" => Some("lightgray"),
        "skipped" => Some("khaki"),
        _ => None,
    }
}

fn style<X>(job: &Node<X>, cluster: bool) -> String {
    let mut style = Vec::new();
    if !cluster {
        style.push("rounded");
    }
    if job.forever {
        style.push("dashed");
    }
    let filled = fill(job.state).filter(|_| !cluster);
    if filled.is_some() {
        style.push("filled");
    }
    let mut attrs = format!("style=\"{}\"", style.join(","));
    if let Some(color) = filled {
        let _ = write!(attrs, ",fillcolor=\"{color}\"");
    }
    attrs
}

fn pen<X>(job: &Node<X>) -> &'static str {
    if job.critical {
        "color=\"red\",penwidth=\"2\""
    } else {
        "penwidth=\"0.5\""
    }
}

/// Where an edge attaches to a job: itself, or for a nested scheduler, an atomic job
/// inside it (the middle entry or exit, recursively) and the clusters it crosses.
fn anchor<X>(job: &Node<X>, id: usize, numbering: Option<&Numbering>, exit: bool) -> String {
    let (Some(view), Some(numbering)) = (&job.nested, numbering) else {
        return id.to_string();
    };
    let mut candidates = if exit { view.exits() } else { view.entries() };
    if exit && candidates.is_empty() {
        // Only forever jobs at the end: attach to one of them.
        let all: Vec<usize> = (0..view.nodes.len()).collect();
        let required: Vec<bool> = all
            .iter()
            .map(|&i| {
                view.nodes
                    .iter()
                    .any(|j| j.requires.iter().any(|e| e.index == i))
            })
            .collect();
        candidates = all.into_iter().filter(|&i| !required[i]).collect();
    }
    candidates.sort_by_key(|&i| numbering.ids[i]);
    match candidates.get(candidates.len().saturating_sub(1) / 2) {
        Some(&middle) => anchor(
            &view.nodes[middle],
            numbering.ids[middle],
            numbering.nested[middle].as_ref(),
            exit,
        ),
        // An empty nested scheduler: its invisible anchor node.
        None => format!("anchor_{id}"),
    }
}

fn write_dot<X>(out: &mut String, view: &Graph<X>, numbering: &Numbering) {
    for i in view.order() {
        let job = &view.nodes[i];
        let id = numbering.ids[i];
        let label = escape(&format!("{id}: {}", job.label));
        match (&job.nested, &numbering.nested[i]) {
            (Some(nested), Some(inner)) => {
                let _ = writeln!(out, "subgraph cluster_{id}{{");
                let _ = writeln!(out, "compound=true;");
                let _ = writeln!(
                    out,
                    "graph [{},label=\"{label}\",shape=\"box\",{}];",
                    style(job, true),
                    pen(job)
                );
                if nested.nodes.is_empty() {
                    let _ = writeln!(out, "anchor_{id} [shape=\"point\",style=\"invis\"]");
                }
                write_dot(out, nested, inner);
                let _ = writeln!(out, "}}");
            }
            _ => {
                let _ = writeln!(
                    out,
                    "{id} [{},label=\"{label}\",shape=\"box\",{}]",
                    style(job, false),
                    pen(job)
                );
            }
        }
        for edge in &job.requires {
            let r = edge.index;
            let Some(req) = view.nodes.get(r) else {
                continue;
            };
            let tail = anchor(req, numbering.ids[r], numbering.nested[r].as_ref(), true);
            let head = anchor(job, id, numbering.nested[i].as_ref(), false);
            let mut attrs = Vec::new();
            if req.nested.is_some() {
                attrs.push(format!("ltail=cluster_{}", numbering.ids[r]));
            }
            if job.nested.is_some() {
                attrs.push(format!("lhead=cluster_{id}"));
            }
            if attrs.is_empty() {
                let _ = writeln!(out, "{tail} -> {head};");
            } else {
                let _ = writeln!(out, "{tail} -> {head} [{}];", attrs.join(","));
            }
        }
    }
}

/// The graph in DOT, for Graphviz.
pub fn dot<X>(view: &Graph<X>) -> String {
    let numbering = view.number(&mut 0);
    let mut out = String::from("digraph workflow{\ncompound=true;\n");
    match &view.label {
        Some(label) => {
            let _ = writeln!(out, "graph [label=\"{}\"];", escape(label));
        }
        None => out.push_str("graph [];\n"),
    }
    write_dot(&mut out, view, &numbering);
    out.push_str("}\n");
    out
}

fn write_mermaid<X>(out: &mut String, view: &Graph<X>, numbering: &Numbering, depth: usize) {
    let indent = "  ".repeat(depth + 1);
    for i in view.order() {
        let job = &view.nodes[i];
        let id = numbering.ids[i];
        let label = format!("{id}: {}", job.label).replace('"', "#quot;");
        let mut classes = Vec::new();
        if job.critical {
            classes.push("critical");
        }
        if job.forever {
            classes.push("forever");
        }
        if let Some(state) = job.state {
            classes.push(state);
        }
        match (&job.nested, &numbering.nested[i]) {
            (Some(nested), Some(inner)) => {
                let _ = writeln!(out, "{indent}subgraph s{id}[\"{label}\"]");
                write_mermaid(out, nested, inner, depth + 1);
                let _ = writeln!(out, "{indent}end");
            }
            _ => {
                let _ = writeln!(out, "{indent}j{id}(\"{label}\")");
            }
        }
        if !classes.is_empty() {
            let node = if job.nested.is_some() { 's' } else { 'j' };
            let _ = writeln!(out, "{indent}class {node}{id} {}", classes.join(","));
        }
    }
    for (i, job) in view.nodes.iter().enumerate() {
        for edge in &job.requires {
            let r = edge.index;
            let Some(req) = view.nodes.get(r) else {
                continue;
            };
            let tail = if req.nested.is_some() { 's' } else { 'j' };
            let head = if job.nested.is_some() { 's' } else { 'j' };
            let arrow = if edge.consumes { "==>" } else { "-->" };
            let _ = writeln!(
                out,
                "{indent}{tail}{} {arrow} {head}{}",
                numbering.ids[r], numbering.ids[i]
            );
        }
    }
}

/// The graph as a Mermaid flowchart (`==>` marks an input, `-->` an ordering).
pub fn mermaid<X>(view: &Graph<X>) -> String {
    let numbering = view.number(&mut 0);
    let mut out = String::from("flowchart TD\n");
    write_mermaid(&mut out, view, &numbering, 0);
    out.push_str(
        "  classDef critical stroke:#d00,stroke-width:2px\n\
         \x20 classDef forever stroke-dasharray:5 5\n\
         \x20 classDef done fill:#98fb98\n\
         \x20 classDef failed fill:#f08080\n\
         \x20 classDef cancelled fill:#d3d3d3\n\
         \x20 classDef skipped fill:#f0e68c\n\
         \x20 classDef running fill:#add8e6\n\
         \x20 classDef scheduled fill:#ffffe0\n",
    );
    out
}
