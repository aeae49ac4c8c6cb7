//! Listings: one line per job, in topological order with declaration-order ties,
//! nested schedulers indented, with the state badges of the model:
//!
//! | meaning | symbol | ASCII |
//! | --- | --- | --- |
//! | critical | `⚠` | `!` |
//! | failed | `★` | `:(` |
//! | started, not failed | `☉` | `:)` |
//! | done | `☓` | `x` |
//! | running | `↺` | `o` |
//! | scheduled (waiting for a window slot) | `⚑` | `.` |
//! | idle | `⚐` | `>` |
//! | cancelled | `⊘` | `/` |
//! | skipped | `↷` | `-` |
//! | forever | `∞` | `8` |

use std::any::Any;
use std::fmt::{self, Write as _};

use crate::error::JobError;
use crate::graph;
use crate::outcome::{Counts, Outcome, State};
use crate::scheduler::{Edge, Scheduler, ShowFn};
use jobs_draw::{Graph, Node, Numbering};

/// A read-only view of a scheduler or an outcome: what listings and graphs draw.
pub(crate) type View<'a> = Graph<Extra<'a>>;
pub(crate) type ViewJob<'a> = Node<Extra<'a>>;

/// What listings show of a job beyond the graph.
pub(crate) struct Extra<'a> {
    details: Option<&'a str>,
    state: State,
    error: Option<&'a JobError>,
    value: Option<(&'a (dyn Any + Send + Sync), ShowFn)>,
}

fn edges(edges: &[Edge]) -> Vec<jobs_draw::Edge> {
    edges
        .iter()
        .map(|e| jobs_draw::Edge {
            index: e.index() as usize,
            consumes: e.consumes(),
        })
        .collect()
}

fn state_name(state: State) -> Option<&'static str> {
    (state != State::Idle).then(|| state.as_str())
}

pub(crate) fn of_scheduler(s: &Scheduler) -> View<'_> {
    let mut links = s.links.clone();
    let requires = graph::requirements(s.nodes.len(), &mut links);
    Graph {
        label: s.label.clone(),
        nodes: (0..s.nodes.len())
            .map(|i| Node {
                label: s.display_label(i),
                critical: s.meta[i].critical,
                forever: s.meta[i].forever,
                state: None,
                requires: edges(requires.of(i)),
                nested: s.nodes.nested(i).map(of_scheduler),
                removed: s.meta[i].removed,
                is_scheduler: s.meta[i].nested,
                extra: Extra {
                    details: s.details.get(&(i as u32)).map(String::as_str),
                    state: State::Idle,
                    error: None,
                    value: None,
                },
            })
            .collect(),
    }
}

pub(crate) fn of_outcome(o: &Outcome) -> View<'_> {
    Graph {
        label: o.0.label.clone(),
        nodes: o
            .all_jobs()
            .map(|report| Node {
                label: report.label().into_owned(),
                critical: report.is_critical(),
                forever: report.is_forever(),
                state: state_name(report.state()),
                requires: edges(report.edges()),
                nested: report.nested().map(of_outcome),
                removed: report.is_removed(),
                is_scheduler: report.is_scheduler(),
                extra: Extra {
                    details: report.details(),
                    state: report.state(),
                    error: report.error(),
                    value: report.value_any().zip(report.show()),
                },
            })
            .collect(),
    }
}

/// Symbols of the listing badges.
struct Symbols {
    critical: &'static str,
    failed: &'static str,
    ok: &'static str,
    done: &'static str,
    running: &'static str,
    scheduled: &'static str,
    idle: &'static str,
    cancelled: &'static str,
    skipped: &'static str,
    forever: &'static str,
}

const UNICODE: Symbols = Symbols {
    critical: "⚠",
    failed: "★",
    ok: "☉",
    done: "☓",
    running: "↺",
    scheduled: "⚑",
    idle: "⚐",
    cancelled: "⊘",
    skipped: "↷",
    forever: "∞",
};

const ASCII: Symbols = Symbols {
    critical: "!",
    failed: ":(",
    ok: ":)",
    done: "x",
    running: "o",
    scheduled: ".",
    idle: ">",
    cancelled: "/",
    skipped: "-",
    forever: "8",
};

/// A listing of a scheduler or an outcome, ready to print; see
/// [`Scheduler::listing`] and [`Outcome::listing`].
pub struct Listing<'a> {
    view: View<'a>,
    ascii: bool,
    details: bool,
}

impl Listing<'_> {
    /// Uses ASCII symbols instead of Unicode ones.
    pub fn ascii(mut self, ascii: bool) -> Self {
        self.ascii = ascii;
        self
    }

    /// Adds each job's details under its line.
    pub fn details(mut self, details: bool) -> Self {
        self.details = details;
        self
    }
}

impl fmt::Display for Listing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let numbering = self.view.number(&mut 0);
        let width = self.view.count().to_string().len();
        let symbols = if self.ascii { &ASCII } else { &UNICODE };
        list(f, &self.view, &numbering, 0, width, symbols, self.details)
    }
}

fn ids(list: &[usize], numbering: &Numbering) -> String {
    let mut ids: Vec<usize> = list.iter().map(|&i| numbering.ids[i]).collect();
    ids.sort_unstable();
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    format!("{{{}}}", ids.join(", "))
}

fn badge(job: &ViewJob<'_>, s: &Symbols) -> String {
    let critical = if job.critical { s.critical } else { " " };
    let boom = match job.extra.state {
        State::Failed => s.failed,
        State::Running | State::Done | State::Cancelled => s.ok,
        _ => " ",
    };
    let state = match job.extra.state {
        State::Idle => s.idle,
        State::Scheduled => s.scheduled,
        State::Running => s.running,
        State::Done | State::Failed => s.done,
        State::Cancelled => s.cancelled,
        State::Skipped => s.skipped,
    };
    let forever = if job.forever { s.forever } else { " " };
    format!("{critical} {boom} {state} {forever}")
}

fn result(job: &ViewJob<'_>) -> String {
    match (job.extra.state, job.extra.error, job.extra.value) {
        (State::Done, _, Some((value, show))) => {
            struct Show<'a>(&'a (dyn Any + Send + Sync), ShowFn);
            impl fmt::Display for Show<'_> {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    (self.1)(self.0, f)
                }
            }
            format!("[[ -> {}]]", Show(value, show))
        }
        (State::Done, _, None) => "[done]".to_owned(),
        (State::Failed, Some(e), _) if job.critical => format!("!! CRIT. EXC. => {e}!!"),
        (State::Failed, Some(e), _) => format!("!! exception => {e}!!"),
        (State::Skipped, Some(e), _) => format!("[{e}]"),
        (State::Cancelled, _, _) => "[cancelled]".to_owned(),
        _ => "[not done]".to_owned(),
    }
}

fn list(
    f: &mut fmt::Formatter<'_>,
    view: &View<'_>,
    numbering: &Numbering,
    depth: usize,
    width: usize,
    symbols: &Symbols,
    details: bool,
) -> fmt::Result {
    let indent = if depth == 0 {
        String::new()
    } else {
        format!("{} ", ">".repeat(depth))
    };
    for i in view.order() {
        let job = &view.nodes[i];
        let id = numbering.ids[i];
        let kind = if job.is_scheduler { "Scheduler" } else { "Job" };
        write!(
            f,
            "{id:0width$} {} {indent}<{kind} `{}`> {}",
            badge(job, symbols),
            job.label,
            result(job)
        )?;
        if !job.requires.is_empty() {
            let requires: Vec<usize> = job.requires.iter().map(|e| e.index).collect();
            write!(f, " requires={}", ids(&requires, numbering))?;
        }
        if let (Some(nested), Some(inner)) = (&job.nested, &numbering.nested[i]) {
            writeln!(f, " -> entries={}", ids(&nested.entries(), inner))?;
            if details {
                write_details(f, job, width)?;
            }
            list(f, nested, inner, depth + 1, width, symbols, details)?;
            writeln!(
                f,
                "{id:0width$} --end-- {} <Scheduler `{}`> exits={}",
                "<".repeat(depth + 1),
                job.label,
                ids(&nested.exits(), inner)
            )?;
        } else {
            writeln!(f)?;
            if details {
                write_details(f, job, width)?;
            }
        }
    }
    Ok(())
}

fn write_details(f: &mut fmt::Formatter<'_>, job: &ViewJob<'_>, width: usize) -> fmt::Result {
    if let Some(details) = job.extra.details {
        for line in details.lines() {
            writeln!(f, "{:width$}   {line}", "")?;
        }
    }
    Ok(())
}

impl Scheduler {
    /// A listing of the jobs, all idle; print it with `{}`. See [`Outcome::listing`].
    pub fn listing(&self) -> Listing<'_> {
        Listing {
            view: of_scheduler(self),
            ascii: false,
            details: false,
        }
    }

    /// The listing as a string.
    pub fn list(&self) -> String {
        self.listing().to_string()
    }
}

impl Outcome {
    /// A listing of the jobs with their states, values (for jobs added with
    /// [`show_value`](crate::JobMut::show_value)) and errors; print it with `{}`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use jobs_core::{Scheduler, infallible};
    /// let mut s = Scheduler::new();
    /// let a = s.add(infallible(async { 100 })).label("a").show_value().id();
    /// s.add(infallible(async {})).label("b").requires(a);
    /// let outcome = s.run().await.unwrap();
    /// assert_eq!(
    ///     outcome.list(),
    ///     "1 ⚠ ☉ ☓   <Job `a`> [[ -> 100]]\n\
    ///      2 ⚠ ☉ ☓   <Job `b`> [done] requires={1}\n"
    /// );
    /// # }
    /// ```
    pub fn listing(&self) -> Listing<'_> {
        Listing {
            view: of_outcome(self),
            ascii: false,
            details: false,
        }
    }

    /// The listing as a string.
    pub fn list(&self) -> String {
        self.listing().to_string()
    }

    /// Why the run ended, the listing, the counts, and each failure with its chain of
    /// causes, nested schedulers included.
    pub fn debrief(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "----- why: {}", self.why());
        let _ = write!(out, "{}", self.listing().details(true));
        out.push_str(&self.summary());
        out
    }

    /// The debrief without the listing: the counts, and each failure with its chain of
    /// causes, nested schedulers included.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let counts = self.counts();
        let _ = writeln!(out, "----- {}", counts_line(&counts));
        let mut failures = Vec::new();
        collect_failures(self, &mut Vec::new(), &mut failures);
        if !failures.is_empty() {
            let _ = writeln!(out, "----- {} failure(s)", failures.len());
            for (path, critical, error) in failures {
                let kind = if critical { "critical" } else { "non-critical" };
                let _ = writeln!(out, "{kind} `{path}`: {}", chain(error));
            }
        }
        out
    }
}

fn counts_line(c: &Counts) -> String {
    let mut parts = vec![format!("{} done", c.done)];
    for (n, what) in [
        (c.failed, "failed"),
        (c.cancelled, "cancelled"),
        (c.skipped, "skipped"),
        (c.running, "running"),
        (c.scheduled, "scheduled"),
        (c.idle, "idle"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    format!("{} = {} job(s)", parts.join(" + "), c.total())
}

fn collect_failures<'a>(
    o: &'a Outcome,
    path: &mut Vec<String>,
    out: &mut Vec<(String, bool, &'a JobError)>,
) {
    for job in o.jobs() {
        path.push(job.label().into_owned());
        if let Some(nested) = job.nested() {
            collect_failures(nested, path, out);
        }
        if let (State::Failed, Some(error)) = (job.state(), job.error()) {
            out.push((path.join("/"), job.is_critical(), error));
        }
        path.pop();
    }
}

/// The error and its sources, joined with `: `.
fn chain(error: &JobError) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        let next = e.to_string();
        if !text.ends_with(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = e.source();
    }
    text
}
