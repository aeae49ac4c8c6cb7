//! Graph exports: DOT (Graphviz) and Mermaid.
//!
//! DOT follows the model's conventions: rounded boxes; critical jobs in thick red,
//! non-critical ones thin and black; forever jobs dashed; nested schedulers as
//! clusters, with edges into a cluster drawn to its middle entry job (`lhead`) and
//! edges out of it from its middle exit job (`ltail`). After a run, nodes are filled
//! with the colour of their state. Ids are the listing's ids.

use std::fmt::Write as _;

use crate::display::{Numbering, View, ViewJob};
use crate::outcome::{Outcome, State};
use crate::scheduler::Scheduler;

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

fn fill(state: State) -> Option<&'static str> {
    match state {
        State::Idle => None,
        State::Scheduled => Some("lightyellow"),
        State::Running => Some("lightblue"),
        State::Done => Some("palegreen"),
        State::Failed => Some("lightcoral"),
        State::Cancelled => Some("lightgray"),
        State::Skipped => Some("khaki"),
    }
}

fn style(job: &ViewJob<'_>, cluster: bool) -> String {
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

fn pen(job: &ViewJob<'_>) -> &'static str {
    if job.critical {
        "color=\"red\",penwidth=\"2\""
    } else {
        "penwidth=\"0.5\""
    }
}

/// Where an edge attaches to a job: itself, or for a nested scheduler, an atomic job
/// inside it (the middle entry or exit, recursively) and the clusters it crosses.
fn anchor(job: &ViewJob<'_>, id: usize, numbering: Option<&Numbering>, exit: bool) -> String {
    let (Some(view), Some(numbering)) = (&job.nested, numbering) else {
        return id.to_string();
    };
    let mut candidates = if exit { view.exits() } else { view.entries() };
    if exit && candidates.is_empty() {
        // Only forever jobs at the end: attach to one of them.
        let all: Vec<usize> = (0..view.jobs.len()).collect();
        let required: Vec<bool> = all
            .iter()
            .map(|&i| {
                view.jobs
                    .iter()
                    .any(|j| j.requires.iter().any(|e| e.index as usize == i))
            })
            .collect();
        candidates = all.into_iter().filter(|&i| !required[i]).collect();
    }
    candidates.sort_by_key(|&i| numbering.ids[i]);
    match candidates.get(candidates.len().saturating_sub(1) / 2) {
        Some(&middle) => anchor(
            &view.jobs[middle],
            numbering.ids[middle],
            numbering.nested[middle].as_ref(),
            exit,
        ),
        // An empty nested scheduler: its invisible anchor node.
        None => format!("anchor_{id}"),
    }
}

fn dot(out: &mut String, view: &View<'_>, numbering: &Numbering) {
    for i in view.order() {
        let job = &view.jobs[i];
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
                if nested.jobs.is_empty() {
                    let _ = writeln!(out, "anchor_{id} [shape=\"point\",style=\"invis\"]");
                }
                dot(out, nested, inner);
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
            let r = edge.index as usize;
            let Some(req) = view.jobs.get(r) else {
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

fn to_dot(view: &View<'_>) -> String {
    let numbering = view.number(&mut 0);
    let mut out = String::from("digraph workflow{\ncompound=true;\n");
    match view.label {
        Some(label) => {
            let _ = writeln!(out, "graph [label=\"{}\"];", escape(label));
        }
        None => out.push_str("graph [];\n"),
    }
    dot(&mut out, view, &numbering);
    out.push_str("}\n");
    out
}

fn mermaid(out: &mut String, view: &View<'_>, numbering: &Numbering, depth: usize) {
    let indent = "  ".repeat(depth + 1);
    for i in view.order() {
        let job = &view.jobs[i];
        let id = numbering.ids[i];
        let label = format!("{id}: {}", job.label).replace('"', "#quot;");
        let mut classes = Vec::new();
        if job.critical {
            classes.push("critical");
        }
        if job.forever {
            classes.push("forever");
        }
        if job.state != State::Idle {
            classes.push(job.state.as_str());
        }
        match (&job.nested, &numbering.nested[i]) {
            (Some(nested), Some(inner)) => {
                let _ = writeln!(out, "{indent}subgraph s{id}[\"{label}\"]");
                mermaid(out, nested, inner, depth + 1);
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
    for (i, job) in view.jobs.iter().enumerate() {
        for edge in &job.requires {
            let r = edge.index as usize;
            let Some(req) = view.jobs.get(r) else {
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

fn to_mermaid(view: &View<'_>) -> String {
    let numbering = view.number(&mut 0);
    let mut out = String::from("flowchart TD\n");
    mermaid(&mut out, view, &numbering, 0);
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

impl Scheduler {
    /// The workflow as a DOT graph, for Graphviz.
    ///
    /// ```
    /// use jobs_core::{Scheduler, infallible};
    /// let mut s = Scheduler::new();
    /// let a = s.add(infallible(async {})).label("a").id();
    /// s.add(infallible(async {})).label("b").requires(a).noncritical();
    /// assert_eq!(s.dot(), "digraph workflow{\ncompound=true;\ngraph [];\n\
    ///     1 [style=\"rounded\",label=\"1: a\",shape=\"box\",color=\"red\",penwidth=\"2\"]\n\
    ///     2 [style=\"rounded\",label=\"2: b\",shape=\"box\",penwidth=\"0.5\"]\n\
    ///     1 -> 2;\n}\n");
    /// ```
    pub fn dot(&self) -> String {
        to_dot(&View::of_scheduler(self))
    }

    /// The workflow as a Mermaid flowchart (`==>` marks an input, `-->` an ordering).
    pub fn mermaid(&self) -> String {
        to_mermaid(&View::of_scheduler(self))
    }
}

impl Outcome {
    /// The workflow as a DOT graph, each node filled with the colour of its state.
    pub fn dot(&self) -> String {
        to_dot(&View::of_outcome(self))
    }

    /// The workflow as a Mermaid flowchart, with a class per state.
    pub fn mermaid(&self) -> String {
        to_mermaid(&View::of_outcome(self))
    }
}
