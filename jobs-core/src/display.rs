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
use std::borrow::Cow;
use std::fmt::{self, Write as _};

use crate::error::JobError;
use crate::graph;
use crate::outcome::{Counts, Outcome, State};
use crate::scheduler::{Edge, Scheduler, ShowFn};

/// A read-only view of a scheduler or an outcome: what listings and graphs draw.
pub(crate) struct View<'a> {
    pub(crate) label: Option<&'a str>,
    pub(crate) jobs: Vec<ViewJob<'a>>,
}

pub(crate) struct ViewJob<'a> {
    pub(crate) label: Cow<'a, str>,
    pub(crate) details: Option<&'a str>,
    pub(crate) critical: bool,
    pub(crate) forever: bool,
    pub(crate) state: State,
    pub(crate) error: Option<&'a JobError>,
    pub(crate) value: Option<(&'a (dyn Any + Send + Sync), ShowFn)>,
    pub(crate) requires: Vec<Edge>,
    pub(crate) nested: Option<View<'a>>,
    /// Removed by graph surgery: not shown.
    pub(crate) removed: bool,
    /// A nested scheduler, even if its outcome was moved out.
    pub(crate) is_scheduler: bool,
}

impl<'a> View<'a> {
    pub(crate) fn of_scheduler(s: &'a Scheduler) -> View<'a> {
        let mut links = s.links.clone();
        let requires = graph::requirements(s.nodes.len(), &mut links);
        View {
            label: s.label.as_deref(),
            jobs: (0..s.nodes.len())
                .map(|i| ViewJob {
                    label: Cow::Owned(s.display_label(i)),
                    details: s.details.get(&(i as u32)).map(String::as_str),
                    critical: s.meta[i].critical,
                    forever: s.meta[i].forever,
                    state: State::Idle,
                    error: None,
                    value: None,
                    requires: requires.of(i).to_vec(),
                    nested: s.nodes[i].nested().map(View::of_scheduler),
                    removed: s.meta[i].removed,
                    is_scheduler: s.meta[i].nested,
                })
                .collect(),
        }
    }

    pub(crate) fn of_outcome(o: &'a Outcome) -> View<'a> {
        View {
            label: o.0.label.as_deref(),
            jobs: o
                .all_jobs()
                .map(|report| ViewJob {
                    label: report.label(),
                    details: report.details(),
                    critical: report.is_critical(),
                    forever: report.is_forever(),
                    state: report.state(),
                    error: report.error(),
                    value: report.value_any().zip(report.show()),
                    requires: report.edges().to_vec(),
                    nested: report.nested().map(View::of_outcome),
                    removed: report.is_removed(),
                    is_scheduler: report.is_scheduler(),
                })
                .collect(),
        }
    }

    /// Positions in listing order: topological, ties in declaration order.
    pub(crate) fn order(&self) -> Vec<usize> {
        let mut start = vec![0u32];
        let mut items = Vec::new();
        for job in &self.jobs {
            items.extend_from_slice(&job.requires);
            start.push(items.len() as u32);
        }
        let mut order = graph::topological_order(&graph::Lists { start, items });
        if order.len() < self.jobs.len() {
            // A cycle: list the rest in declaration order.
            let mut placed = vec![false; self.jobs.len()];
            for &i in &order {
                placed[i] = true;
            }
            order.extend((0..self.jobs.len()).filter(|&i| !placed[i]));
        }
        order.retain(|&i| !self.jobs[i].removed);
        order
    }

    /// Numbers every job, nested ones right after their scheduler: `ids[i]` is the id
    /// of job `i`, and `nested[i]` the numbering inside it.
    pub(crate) fn number(&self, next: &mut usize) -> Numbering {
        let mut ids = vec![0; self.jobs.len()];
        let mut nested: Vec<Option<Numbering>> = (0..self.jobs.len()).map(|_| None).collect();
        for i in self.order() {
            *next += 1;
            ids[i] = *next;
            if let Some(view) = &self.jobs[i].nested {
                nested[i] = Some(view.number(next));
            }
        }
        Numbering { ids, nested }
    }

    /// Jobs without requirements.
    pub(crate) fn entries(&self) -> Vec<usize> {
        (0..self.jobs.len())
            .filter(|&i| self.jobs[i].requires.is_empty() && !self.jobs[i].removed)
            .collect()
    }

    /// Finite jobs that no job of this scheduler requires.
    pub(crate) fn exits(&self) -> Vec<usize> {
        let mut required = vec![false; self.jobs.len()];
        for job in &self.jobs {
            for edge in &job.requires {
                if let Some(r) = required.get_mut(edge.index as usize) {
                    *r = true;
                }
            }
        }
        (0..self.jobs.len())
            .filter(|&i| !required[i] && !self.jobs[i].forever && !self.jobs[i].removed)
            .collect()
    }

    fn count(&self) -> usize {
        self.jobs
            .iter()
            .filter(|j| !j.removed)
            .map(|j| 1 + j.nested.as_ref().map_or(0, View::count))
            .sum()
    }
}

pub(crate) struct Numbering {
    pub(crate) ids: Vec<usize>,
    pub(crate) nested: Vec<Option<Numbering>>,
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
    let boom = match job.state {
        State::Failed => s.failed,
        State::Running | State::Done | State::Cancelled => s.ok,
        _ => " ",
    };
    let state = match job.state {
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
    match (job.state, job.error, job.value) {
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
        let job = &view.jobs[i];
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
            let requires: Vec<usize> = job.requires.iter().map(|e| e.index as usize).collect();
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
    if let Some(details) = job.details {
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
            view: View::of_scheduler(self),
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
            view: View::of_outcome(self),
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
