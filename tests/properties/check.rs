//! The invariants, checked on every case from the log and the outcome:
//! - the outcome accounts for every job once, with its label, flags and requirements,
//!   and each job's state agrees with the log (done iff its future returned a value,
//!   which is the value it returned; failed iff it returned an error or panicked, with
//!   that error; cancelled iff it started and never finished, or waited for a slot);
//! - no job starts before its requirements are done, nor a consumer before its inputs
//!   have values; consumers of an input without value are skipped, and only they;
//! - a window is never exceeded (forever jobs take no slot), and is used: no ready job
//!   waits while a slot is free (paused clock);
//! - jobs that become ready together start in declaration order, queued ones in the
//!   order they became ready (paused clock);
//! - a run that succeeds has all its finite jobs done, failed or skipped, and ends
//!   with its last one; a non-critical failure stops nothing else;
//! - a run that fails names a critical job that failed first, or its own timeout with
//!   a finite job still pending at the deadline; nothing starts after either (paused
//!   clock), and the run ends at that moment;
//! - each shutdown hook runs exactly once, after every job of the scheduler running it
//!   has ended, including hooks of nested schedulers that never started, and its
//!   reported status is what it did.
//!
//! The log is a total order (one mutex): an event's position in it (`#n`) orders it
//! against every other. The scheduler starts a custom or `add_with` job under its own
//! lock (`Decide`), and a job's future is dropped before its task reports its end, so:
//! - a job's `Decide` or first poll comes after the drop of every job it requires;
//! - the span from a job's start to its drop lies inside the time it holds a window
//!   slot, so counting overlapping spans never overcounts the slots in use.
//!
//! On the current-thread runtime with a paused clock, more holds: nothing else runs
//! between a job's drop and the handling of its end, and time only moves when every
//! task is idle. So a failure has an exact place in the log or an exact instant, and
//! the timing of starts, ends and timeouts can be checked to the microsecond.

use jobs_core::{JobErrorKind, JobReport, Outcome, Reason, ShutdownStatus, State};

use crate::build::{Body, Layout};
use crate::model::{End, Flavor, Hook, Kind};
use crate::probe::{Event, Fin, What};

/// What the log says about one node.
#[derive(Default)]
struct Facts {
    decide: Vec<usize>,
    start: Vec<usize>,
    end: Vec<(usize, Fin)>,
    drop: Vec<usize>,
    inputs: Vec<Vec<u64>>,
    hook_call: Vec<usize>,
    hook_start: Vec<usize>,
    hook_end: Vec<(usize, Fin)>,
    hook_drop: Vec<usize>,
}

impl Facts {
    fn started(&self) -> bool {
        !self.decide.is_empty() || !self.start.is_empty()
    }

    /// The job's start, end, and the drop of its future if it started (the future of a
    /// job that never started is dropped with its scheduler, whenever that is).
    fn activity(&self) -> impl Iterator<Item = usize> + '_ {
        let drop = if self.started() { &self.drop[..] } else { &[] };
        self.decide
            .iter()
            .chain(&self.start)
            .copied()
            .chain(self.end.iter().map(|e| e.0))
            .chain(drop.iter().copied())
    }

    fn hooks(&self) -> impl Iterator<Item = usize> + '_ {
        self.hook_call
            .iter()
            .chain(&self.hook_start)
            .copied()
            .chain(self.hook_end.iter().map(|e| e.0))
            .chain(self.hook_drop.iter().copied())
    }
}

/// Checks a finished run; returns the violations.
pub fn check(flavor: Flavor, layout: &Layout, events: &[Event], top: &Outcome) -> Vec<String> {
    let mut facts: Vec<Facts> = layout.nodes.iter().map(|_| Facts::default()).collect();
    let mut out = Vec::new();
    for (seq, event) in events.iter().enumerate() {
        let Some(f) = facts.get_mut(event.node) else {
            out.push(format!("#{seq}: an event of an unknown job: {event:?}"));
            continue;
        };
        match &event.what {
            What::Decide => f.decide.push(seq),
            What::Start => f.start.push(seq),
            What::End(fin) => f.end.push((seq, *fin)),
            What::Drop => f.drop.push(seq),
            What::Inputs(values) => f.inputs.push(values.clone()),
            What::HookCall => f.hook_call.push(seq),
            What::HookStart => f.hook_start.push(seq),
            What::HookEnd(fin) => f.hook_end.push((seq, *fin)),
            What::HookDrop => f.hook_drop.push(seq),
        }
    }
    let subtrees = (0..layout.scheds.len())
        .map(|s| layout.subtree(s))
        .collect();
    let c = Checker {
        flavor,
        layout,
        events,
        top,
        facts,
        subtrees,
        out: out.into(),
    };
    c.all();
    c.out.into_inner()
}

struct Checker<'a> {
    flavor: Flavor,
    layout: &'a Layout,
    events: &'a [Event],
    top: &'a Outcome,
    facts: Vec<Facts>,
    subtrees: Vec<Vec<usize>>,
    out: std::cell::RefCell<Vec<String>>,
}

impl<'a> Checker<'a> {
    fn all(&self) {
        for sid in 0..self.layout.scheds.len() {
            self.accounting(sid);
        }
        for n in 0..self.layout.nodes.len() {
            self.states(n);
            self.requirements(n);
            self.hooks(n);
        }
        for sid in 0..self.layout.scheds.len() {
            self.skips(sid);
            self.window(sid);
            self.ending(sid);
            if self.flavor == Flavor::Current {
                self.timing(sid);
                self.order(sid);
            }
        }
    }

    fn fail(&self, message: String) {
        self.out.borrow_mut().push(message);
    }

    // ---- reading the layout, the outcome and the log ----

    fn label(&self, n: usize) -> &'a str {
        &self.layout.nodes[n].label
    }

    fn report(&self, n: usize) -> Option<JobReport<'a>> {
        self.top.report(self.layout.nodes[n].id?)
    }

    fn state(&self, n: usize) -> State {
        self.report(n).map_or(State::Idle, |r| r.state())
    }

    fn outcome(&self, sid: usize) -> Option<&'a Outcome> {
        match self.layout.scheds[sid].node {
            None => Some(self.top),
            Some(n) => self.report(n)?.nested(),
        }
    }

    fn nodes(&self, sid: usize) -> &'a [usize] {
        &self.layout.scheds[sid].nodes
    }

    fn finite(&self, n: usize) -> bool {
        !self.layout.nodes[n].forever
    }

    /// The nodes `n` requires, with whether it consumes them.
    fn edges(&self, n: usize) -> impl Iterator<Item = (usize, bool)> + 'a {
        let layout = self.layout;
        layout.nodes[n]
            .edges
            .iter()
            .map(move |&(pos, consumes)| (layout.sibling(n, pos), consumes))
    }

    fn time(&self, seq: usize) -> u64 {
        self.events[seq].at
    }

    fn ms(&self, seq: usize) -> String {
        format!("{}ms", self.time(seq) as f64 / 1000.0)
    }

    /// Whether the node ran: a job started, or a nested scheduler was started.
    fn ran(&self, n: usize) -> bool {
        match self.layout.nodes[n].body {
            Body::Job(..) => self.facts[n].started(),
            Body::Nested(_) => {
                matches!(self.state(n), State::Done | State::Failed)
                    || self
                        .report(n)
                        .and_then(|r| r.nested())
                        .is_some_and(|o| o.reason().is_some())
            }
        }
    }

    fn sched_ran(&self, sid: usize) -> bool {
        self.layout.scheds[sid].node.is_none_or(|n| self.ran(n))
    }

    /// The first start in the log: the job's own, or the first of a nested scheduler's jobs.
    fn first(&self, n: usize) -> Option<usize> {
        match self.layout.nodes[n].body {
            Body::Job(..) => {
                let f = &self.facts[n];
                f.decide.iter().chain(&f.start).min().copied()
            }
            // Nothing in the subtree happens before the nested scheduler started; its
            // jobs may all have been cancelled before their first poll (an all-forever
            // scheduler), leaving only their drops and hooks (which a scheduler that
            // never ran has too, at its parent's end).
            Body::Nested(sid) => self.subtrees[sid]
                .iter()
                .filter_map(|&x| match self.layout.nodes[x].body {
                    Body::Job(..) => {
                        let f = &self.facts[x];
                        let seen = f.drop.iter().copied().chain(f.hooks());
                        let seen = seen.filter(|_| self.ran(n));
                        self.first(x).into_iter().chain(seen).min()
                    }
                    Body::Nested(_) => None,
                })
                .min(),
        }
    }

    /// The last event before the node reported its end: a job's drop (or start, if it
    /// failed to start), or the last event of a nested scheduler's jobs and hooks.
    fn last(&self, n: usize) -> Option<usize> {
        match self.layout.nodes[n].body {
            Body::Job(..) => self.facts[n].activity().max(),
            Body::Nested(sid) => {
                if !self.ran(n) {
                    return None;
                }
                // A run drops all its jobs before it reports, those it never polled too.
                self.subtrees[sid]
                    .iter()
                    .flat_map(|&x| {
                        let f = &self.facts[x];
                        f.activity().chain(f.hooks()).chain(f.drop.iter().copied())
                    })
                    .max()
            }
        }
    }

    /// A lower bound of where in the log a requirement was done: its end, or for a
    /// skipped job, the latest end among its own requirements.
    fn resolve(&self, n: usize) -> Option<usize> {
        match self.state(n) {
            State::Done | State::Failed => self.last(n),
            State::Skipped => self.edges(n).filter_map(|(r, _)| self.resolve(r)).max(),
            _ => None,
        }
    }

    /// When the node was done, exactly (current-thread runtime), if that is known.
    fn resolve_t(&self, n: usize) -> Option<u64> {
        match self.state(n) {
            State::Done | State::Failed => match self.last(n) {
                Some(seq) => Some(self.time(seq)),
                // A nested scheduler without jobs ends when it starts.
                None if self.ran(n)
                    && self.layout.scheds[self.layout.nodes[n].sched]
                        .window
                        .is_none() =>
                {
                    self.ready_t(n)
                }
                None => None,
            },
            State::Skipped => self.ready_t(n),
            _ => None,
        }
    }

    /// When all the node's requirements were done.
    fn ready_t(&self, n: usize) -> Option<u64> {
        let mut ready = self.start_t(self.layout.nodes[n].sched)?;
        for (r, _) in self.edges(n) {
            ready = ready.max(self.resolve_t(r)?);
        }
        Some(ready)
    }

    /// When the scheduler's run started.
    fn start_t(&self, sid: usize) -> Option<u64> {
        match self.layout.scheds[sid].node {
            None => Some(0),
            Some(n) => self.first(n).map(|seq| self.time(seq)),
        }
    }

    /// When the scheduler's run stopped starting jobs: its start plus its elapsed time.
    fn stop_t(&self, sid: usize) -> Option<u64> {
        let elapsed = self.outcome(sid)?.elapsed().as_micros() as u64;
        Some(self.start_t(sid)? + elapsed)
    }

    /// Where and when a failed (or skipped) node failed, if known: the log position is
    /// known for jobs that returned an error or panicked.
    fn fail_point(&self, n: usize) -> Option<(u64, Option<usize>)> {
        let f = &self.facts[n];
        match self.layout.nodes[n].body {
            Body::Job(_, end) => {
                if f.end.iter().any(|e| e.1 != Fin::Ok) {
                    let drop = *f.drop.first()?;
                    Some((self.time(drop), Some(drop)))
                } else if end == End::PanicOnStart && !f.decide.is_empty() {
                    Some((self.time(f.decide[0]), None))
                } else if self.state(n) == State::Skipped {
                    Some((self.resolve_t(n)?, None))
                } else {
                    None
                }
            }
            Body::Nested(_) => match self.state(n) {
                State::Failed => self.last(n).map(|seq| (self.time(seq), None)),
                State::Skipped => Some((self.resolve_t(n)?, None)),
                _ => None,
            },
        }
    }

    /// The scheduler that runs the hooks of the jobs of `sid`: itself if it ran, else
    /// the nearest scheduler above it that ran.
    fn responsible(&self, sid: usize) -> usize {
        let mut s = sid;
        while let Some(node) = self.layout.scheds[s].node {
            if self.ran(node) {
                break;
            }
            s = self.layout.nodes[node].sched;
        }
        s
    }

    // ---- the invariants ----

    /// The outcome accounts for every job once, with its label, flags and requirements.
    fn accounting(&self, sid: usize) {
        let info = &self.layout.scheds[sid];
        let Some(o) = self.outcome(sid) else {
            self.fail(format!("no outcome for scheduler {}", info.label));
            return;
        };
        if o.label() != Some(info.label.as_str()) {
            self.fail(format!(
                "scheduler {} reported as {:?}",
                info.label,
                o.label()
            ));
        }
        if o.len() != info.nodes.len() {
            self.fail(format!(
                "scheduler {} has {} jobs, its outcome {}",
                info.label,
                info.nodes.len(),
                o.len()
            ));
            return;
        }
        let counts = o.counts();
        if counts.total() != o.len() || counts.running != 0 || counts.scheduled != 0 {
            self.fail(format!("scheduler {}: counts {counts:?}", info.label));
        }
        let jobs: Vec<JobReport<'a>> = o.jobs().collect();
        for (pos, &n) in info.nodes.iter().enumerate() {
            let node = &self.layout.nodes[n];
            let job = jobs[pos];
            let found = self.report(n);
            if node.pos != pos || found.is_none_or(|r| r.index() != pos || r.label() != job.label())
            {
                self.fail(format!("{}: not found by its handle", node.label));
            }
            let requires: Vec<usize> = node.edges.iter().map(|e| e.0).collect();
            let inputs: Vec<usize> = node.edges.iter().filter(|e| e.1).map(|e| e.0).collect();
            if job.label() != node.label
                || job.is_critical() != node.critical
                || job.is_forever() != node.forever
                || job.is_scheduler() != matches!(node.body, Body::Nested(_))
                || job.requires().collect::<Vec<_>>() != requires
                || job.inputs().collect::<Vec<_>>() != inputs
            {
                self.fail(format!(
                    "{} at {pos} reported as {} critical={} forever={} requires {:?} inputs {:?}",
                    node.label,
                    job.label(),
                    job.is_critical(),
                    job.is_forever(),
                    job.requires().collect::<Vec<_>>(),
                    job.inputs().collect::<Vec<_>>(),
                ));
            }
        }
        let total: usize = self.subtrees[sid].len();
        let counted = self.count_all(o);
        if total != counted {
            self.fail(format!(
                "scheduler {}: {total} jobs in its tree, {counted} in its outcomes",
                info.label
            ));
        }
    }

    fn count_all(&self, o: &Outcome) -> usize {
        o.counts().total()
            + o.jobs()
                .filter_map(|j| j.nested())
                .map(|n| self.count_all(n))
                .sum::<usize>()
    }

    /// Each job's state agrees with the log, and so does its value or error.
    fn states(&self, n: usize) {
        let label = self.label(n);
        let Some(report) = self.report(n) else {
            self.fail(format!("{label}: no report"));
            return;
        };
        let st = report.state();
        if matches!(st, State::Scheduled | State::Running) {
            self.fail(format!("{label}: {st} after the run"));
        }
        match self.layout.nodes[n].body {
            Body::Job(kind, end) => self.job_state(n, kind, end, report),
            Body::Nested(sid) => self.nested_state(n, sid, report),
        }
    }

    fn job_state(&self, n: usize, kind: Kind, end: End, report: JobReport<'a>) {
        let label = self.label(n);
        let st = report.state();
        let f = &self.facts[n];
        let mut problems = Vec::new();
        if f.decide.len() > 1 || f.start.len() > 1 || f.end.len() > 1 || f.drop.len() > 1 {
            problems.push(format!(
                "started {} times, polled first {} times, ended {} times, dropped {} times",
                f.decide.len(),
                f.start.len(),
                f.end.len(),
                f.drop.len()
            ));
        }
        let made = match kind {
            Kind::Plain | Kind::Infallible => {
                if !f.decide.is_empty() {
                    problems.push("a future job was started as a custom one".into());
                }
                // Made when the workflow was built.
                true
            }
            Kind::Custom(_) | Kind::Inputs => !f.decide.is_empty() && end != End::PanicOnStart,
        };
        if f.drop.len() != usize::from(made) {
            problems.push(format!(
                "its future was dropped {} times (made: {made})",
                f.drop.len()
            ));
        }
        let mut order: Vec<usize> = f.decide.iter().chain(&f.start).copied().collect();
        order.extend(f.end.iter().map(|e| e.0));
        order.extend(&f.drop);
        if !order.is_sorted() {
            problems.push("out of order: started, polled, ended, dropped".into());
        }
        let fin = f.end.first().map(|e| e.1);
        let failed = matches!(fin, Some(Fin::Err | Fin::Panic))
            || (end == End::PanicOnStart && !f.decide.is_empty());
        if (st == State::Done) != (fin == Some(Fin::Ok)) {
            problems.push(format!("{st}, but its future ended with {fin:?}"));
        }
        if (st == State::Failed) != failed {
            problems.push(format!("{st}, but the job failed: {failed}"));
        }
        if st == State::Done {
            let value = self.layout.nodes[n].value.and_then(|v| self.top.value(v));
            if value != Some(&(n as u64)) {
                problems.push(format!("its value is {value:?}"));
            }
        }
        if st == State::Failed {
            let error = report.error();
            let message = error.map(|e| e.to_string()).unwrap_or_default();
            let expected = match (fin, end) {
                (Some(Fin::Err), _) => format!("job {label} failed"),
                (Some(_), _) => format!("panicked: probe: job {label} panicked"),
                (None, _) => format!("panicked: probe: job {label} panicked on start"),
            };
            let panic = !matches!(fin, Some(Fin::Err));
            if message != expected || error.is_none_or(|e| e.is_panic() != panic) {
                problems.push(format!("its error is {error:?}, expected `{expected}`"));
            }
        }
        if f.started() && fin.is_none() && !failed && st != State::Cancelled {
            problems.push(format!("started and never finished, but {st}"));
        }
        if matches!(st, State::Skipped | State::Idle) && f.started() {
            problems.push(format!("{st}, but it started"));
        }
        if kind == Kind::Inputs {
            let expected: Vec<u64> = self.layout.nodes[n]
                .inputs
                .iter()
                .map(|&i| i as u64)
                .collect();
            if f.inputs.len() > 1 || f.inputs.first().is_some_and(|v| *v != expected) {
                problems.push(format!("received {:?}, expected {expected:?}", f.inputs));
            }
        }
        for p in problems {
            self.fail(format!("{label}: {p}"));
        }
    }

    fn nested_state(&self, n: usize, sid: usize, report: JobReport<'a>) {
        let label = self.label(n);
        let st = report.state();
        let Some(o) = report.nested() else {
            self.fail(format!("{label}: no nested outcome"));
            return;
        };
        let reason = o.reason();
        let fits = match st {
            State::Done => reason.is_none(),
            State::Failed => {
                let error = report.error().map(|e| e.kind());
                matches!(reason, Some(Reason::Critical { .. } | Reason::Timeout(_)))
                    && matches!(error, Some(JobErrorKind::Nested(r))
                        if Some(r.to_string()) == reason.map(|r| r.to_string()))
            }
            State::Cancelled => matches!(reason, None | Some(Reason::Cancelled)),
            _ => reason.is_none(),
        };
        if !fits {
            self.fail(format!(
                "{label}: {st} with error {:?}, but its run ended with {reason:?}",
                report.error()
            ));
        }
        if matches!(reason, Some(Reason::Cancelled))
            && !self.layout.nodes[n].forever
            && self
                .outcome(self.layout.nodes[n].sched)
                .is_some_and(|p| p.is_success())
        {
            self.fail(format!(
                "{label}: a finite nested scheduler cancelled in a run that succeeded"
            ));
        }
        if !self.ran(n) {
            for &x in &self.subtrees[sid] {
                if self.facts[x].started() || self.state(x) != State::Idle {
                    let (x, s) = (self.label(x), self.state(x));
                    self.fail(format!(
                        "{label} never ran, but its job {x} started or is {s}"
                    ));
                }
            }
        }
    }

    /// No job starts before its requirements are done; consumers only after their
    /// inputs produced values.
    fn requirements(&self, n: usize) {
        let Some(first) = self.first(n) else { return };
        let label = self.label(n);
        for (r, consumes) in self.edges(n).collect::<Vec<_>>() {
            let sr = self.state(r);
            let rl = self.label(r);
            if !matches!(sr, State::Done | State::Failed | State::Skipped) {
                self.fail(format!(
                    "{label} started (#{first}) though its requirement {rl} is {sr}"
                ));
            }
            if consumes && sr != State::Done {
                self.fail(format!(
                    "{label} started (#{first}) though its input {rl} is {sr}"
                ));
            }
            if let Some(done) = self.resolve(r).filter(|&done| done > first) {
                self.fail(format!(
                    "{label} started (#{first}) before its requirement {rl} was done (#{done})"
                ));
            }
        }
    }

    /// Consumers of an input that produced no value are skipped, and only they are.
    fn skips(&self, sid: usize) {
        let success = self.sched_ran(sid) && self.outcome(sid).is_some_and(|o| o.is_success());
        for &n in self.nodes(sid) {
            let label = self.label(n);
            let st = self.state(n);
            let edges: Vec<(usize, bool, State)> = self
                .edges(n)
                .map(|(r, consumes)| (r, consumes, self.state(r)))
                .collect();
            let dead: Vec<usize> = edges
                .iter()
                .filter(|&&(_, consumes, s)| {
                    consumes && matches!(s, State::Failed | State::Skipped | State::Cancelled)
                })
                .map(|e| e.0)
                .collect();
            let starved = edges
                .iter()
                .any(|&(_, consumes, s)| consumes && s != State::Done);
            if let Some(&r) = dead.first()
                && !matches!(st, State::Skipped | State::Idle)
            {
                let (rl, rs) = (self.label(r), self.state(r));
                self.fail(format!("{label} consumes {rl}, which is {rs}, but is {st}"));
            }
            if st == State::Skipped {
                if let Some(&(r, _, s)) = edges
                    .iter()
                    .find(|e| !matches!(e.2, State::Done | State::Failed | State::Skipped))
                {
                    let rl = self.label(r);
                    self.fail(format!(
                        "{label} was skipped though its requirement {rl} is {s}"
                    ));
                }
                if dead.is_empty() {
                    self.fail(format!(
                        "{label} was skipped though all its inputs have values"
                    ));
                }
                let input = match self.report(n).and_then(|r| r.error()).map(|e| e.kind()) {
                    Some(JobErrorKind::Skipped { input }) => Some(input.clone()),
                    _ => None,
                };
                if input
                    .as_ref()
                    .is_none_or(|i| !dead.iter().any(|&r| self.label(r) == i.as_str()))
                {
                    self.fail(format!("{label} was skipped because of {input:?}"));
                }
            }
            if success && self.finite(n) {
                if !matches!(st, State::Done | State::Failed | State::Skipped) {
                    self.fail(format!(
                        "the run succeeded, but its finite job {label} is {st}"
                    ));
                } else if (st == State::Skipped) != starved {
                    self.fail(format!(
                        "the run succeeded; {label} is {st}, with an input without value: {starved}"
                    ));
                }
            }
        }
    }

    /// At most `window` finite jobs run at once.
    fn window(&self, sid: usize) {
        let Some(window) = self.layout.scheds[sid].window else {
            return;
        };
        let spans: Vec<(usize, usize, usize)> = self
            .nodes(sid)
            .iter()
            .filter(|&&n| self.finite(n))
            .filter_map(|&n| Some((self.first(n)?, self.last(n).unwrap_or(usize::MAX), n)))
            .collect();
        for &(at, _, _) in &spans {
            let running: Vec<&str> = spans
                .iter()
                .filter(|&&(a, b, _)| a <= at && b > at)
                .map(|s| self.label(s.2))
                .collect();
            if running.len() > window {
                let label = &self.layout.scheds[sid].label;
                self.fail(format!(
                    "scheduler {label}: window {window} exceeded at #{at}: {running:?} run at once"
                ));
                return;
            }
        }
    }

    /// How the run ended: success, a critical failure or the timeout, each as the log
    /// says.
    fn ending(&self, sid: usize) {
        let Some(o) = self.outcome(sid) else { return };
        let label = &self.layout.scheds[sid].label;
        if !self.sched_ran(sid) {
            if o.reason().is_some() {
                self.fail(format!("scheduler {label} never ran, but {:?}", o.reason()));
            }
            return;
        }
        let critical_failures: Vec<usize> = self
            .nodes(sid)
            .iter()
            .copied()
            .filter(|&n| {
                self.layout.nodes[n].critical
                    && matches!(self.state(n), State::Failed | State::Skipped)
            })
            .collect();
        match o.reason() {
            None => {
                // On the multi-thread runtime, a forever job may fail while the run
                // winds down after its last finite job: too late to fail the run.
                let racing = |f: &usize| self.flavor == Flavor::Multi && !self.finite(*f);
                // A forever nested scheduler reports after its shutdown hooks: if that
                // is after the run ended, its failure no longer decides the run.
                let late = |f: &usize| {
                    !self.finite(*f)
                        && matches!(self.layout.nodes[*f].body, Body::Nested(_))
                        && self.fail_point(*f).map(|p| p.0) >= self.stop_t(sid)
                };
                if let Some(&f) = critical_failures.iter().find(|f| !racing(f) && !late(f)) {
                    let (fl, fs) = (self.label(f), self.state(f));
                    self.fail(format!(
                        "scheduler {label} succeeded, but its critical job {fl} is {fs}"
                    ));
                }
                if self.flavor == Flavor::Current
                    && let Some(timeout) = self.layout.scheds[sid].timeout
                    && o.elapsed().as_millis() as u64 > timeout
                {
                    self.fail(format!(
                        "scheduler {label} succeeded after {:?}, past its timeout",
                        o.elapsed()
                    ));
                }
            }
            Some(Reason::Critical { job, error }) => {
                let named = self
                    .nodes(sid)
                    .iter()
                    .copied()
                    .find(|&n| self.label(n) == job);
                let Some(f) = named else {
                    self.fail(format!(
                        "scheduler {label} failed naming {job}, not one of its jobs"
                    ));
                    return;
                };
                let reported = self
                    .report(f)
                    .and_then(|r| r.error())
                    .map(|e| e.to_string());
                if !critical_failures.contains(&f) || reported != Some(error.to_string()) {
                    self.fail(format!(
                        "scheduler {label} failed naming {job} ({error}), which is {} critical={} with error {reported:?}",
                        self.state(f),
                        self.layout.nodes[f].critical,
                    ));
                }
                if self.flavor == Flavor::Current {
                    self.after_failure(sid, f, &critical_failures);
                }
            }
            Some(Reason::Timeout(d)) => {
                let d = d.as_millis() as u64;
                if self.layout.scheds[sid].timeout != Some(d) {
                    self.fail(format!(
                        "scheduler {label} timed out after {d}ms, its timeout is {:?}",
                        self.layout.scheds[sid].timeout
                    ));
                }
                if self.flavor == Flavor::Current {
                    self.after_timeout(sid, d, &critical_failures);
                }
            }
            Some(Reason::Cancelled) if self.layout.scheds[sid].node.is_some() => {}
            Some(other) => {
                self.fail(format!("scheduler {label} ended with {other:?}"));
            }
        }
    }

    /// Nothing starts after a critical failure (current-thread runtime), the failure
    /// named is the first one, and the run ends at the failure.
    fn after_failure(&self, sid: usize, f: usize, critical_failures: &[usize]) {
        let label = &self.layout.scheds[sid].label;
        let fl = self.label(f);
        let Some((at, seq)) = self.fail_point(f) else {
            return;
        };
        for &x in &self.subtrees[sid] {
            let facts = &self.facts[x];
            if let Some(seq) = seq
                && let Some(&d) = facts.decide.iter().find(|&&d| d > seq)
            {
                let xl = self.label(x);
                self.fail(format!(
                    "{xl} started (#{d}) after the critical failure of {fl} (#{seq})"
                ));
            }
            if let Some(&s) = facts
                .decide
                .iter()
                .chain(&facts.start)
                .find(|&&s| self.time(s) > at)
            {
                let xl = self.label(x);
                self.fail(format!(
                    "{xl} started at {} after the critical failure of {fl} at {}ms",
                    self.ms(s),
                    at as f64 / 1000.0
                ));
            }
        }
        if let (Some(start), Some(o)) = (self.start_t(sid), self.outcome(sid)) {
            let elapsed = o.elapsed().as_micros() as u64;
            if start + elapsed != at {
                self.fail(format!(
                    "scheduler {label} failed at {}ms by {fl}, but ended at {}ms",
                    at as f64 / 1000.0,
                    (start + elapsed) as f64 / 1000.0
                ));
            }
        }
        for &g in critical_failures {
            if g == f {
                continue;
            }
            let Some((gat, gseq)) = self.fail_point(g) else {
                continue;
            };
            let earlier = gat < at || matches!((gseq, seq), (Some(g), Some(f)) if g < f);
            if earlier {
                let gl = self.label(g);
                self.fail(format!(
                    "scheduler {label} names {fl}, but the critical job {gl} failed first"
                ));
            }
        }
    }

    /// A timeout cancels a run that still had finite jobs left, at its deadline.
    fn after_timeout(&self, sid: usize, d: u64, critical_failures: &[usize]) {
        let label = &self.layout.scheds[sid].label;
        let Some(o) = self.outcome(sid) else { return };
        if o.elapsed().as_millis() as u64 != d {
            self.fail(format!(
                "scheduler {label} timed out after {d}ms at {:?}",
                o.elapsed()
            ));
        }
        let Some(start) = self.start_t(sid) else {
            return;
        };
        let deadline = start + d * 1000;
        // A nested scheduler still running its hooks at the deadline is pending too.
        let left = self.nodes(sid).iter().any(|&n| {
            self.finite(n)
                && (!matches!(self.state(n), State::Done | State::Failed | State::Skipped)
                    || self.resolve_t(n).is_none_or(|t| t >= deadline))
        });
        if !left {
            self.fail(format!(
                "scheduler {label} timed out though its finite jobs were all done"
            ));
        }
        for &x in &self.subtrees[sid] {
            let facts = &self.facts[x];
            if let Some(&s) = facts
                .decide
                .iter()
                .chain(&facts.start)
                .find(|&&s| self.time(s) > deadline)
            {
                let xl = self.label(x);
                self.fail(format!(
                    "{xl} started at {} after the timeout of {label}",
                    self.ms(s)
                ));
            }
        }
        for &g in critical_failures {
            if let Some((at, _)) = self.fail_point(g).filter(|&(at, _)| at < deadline) {
                let gl = self.label(g);
                self.fail(format!(
                    "scheduler {label} timed out, but its critical job {gl} failed before, at {}ms",
                    at as f64 / 1000.0
                ));
            }
        }
    }

    /// Each shutdown hook runs once, after every job of the scheduler that runs it has
    /// ended, and its status is what it did.
    fn hooks(&self, n: usize) {
        let label = self.label(n);
        let status = self.report(n).and_then(|r| r.shutdown());
        let f = &self.facts[n];
        let hook = match self.layout.nodes[n].body {
            Body::Job(Kind::Custom(hook), _) => hook,
            _ => None,
        };
        let Some(hook) = hook else {
            if status.is_some() || !f.hook_call.is_empty() {
                self.fail(format!("{label} has no hook, but one ran: {status:?}"));
            }
            return;
        };
        let mut problems = Vec::new();
        if f.hook_call.len() != 1 {
            problems.push(format!("its hook was called {} times", f.hook_call.len()));
        }
        let (expected, message) = if hook == Hook::PanicsEarly {
            if !f.hook_start.is_empty() {
                problems.push("a hook that panicked in `shutdown` was polled".into());
            }
            (
                "failed",
                format!("panicked: probe: hook {label} panicked early"),
            )
        } else {
            if f.hook_start.len() != 1 || f.hook_drop.len() != 1 || f.hook_end.len() > 1 {
                problems.push(format!(
                    "its hook was polled first {} times, ended {} times, dropped {} times",
                    f.hook_start.len(),
                    f.hook_end.len(),
                    f.hook_drop.len()
                ));
            }
            match f.hook_end.first().map(|e| e.1) {
                Some(Fin::Ok) => ("ok", String::new()),
                Some(Fin::Err) => ("failed", format!("hook {label} failed")),
                Some(Fin::Panic) => ("failed", format!("panicked: probe: hook {label} panicked")),
                None => ("timed out", String::new()),
            }
        };
        let actual = match status {
            Some(ShutdownStatus::Ok) => "ok".to_owned(),
            Some(ShutdownStatus::TimedOut) => "timed out".to_owned(),
            Some(ShutdownStatus::Failed(e)) if e.to_string() == message => "failed".to_owned(),
            Some(other) => format!("{other:?}"),
            None => "none".to_owned(),
        };
        if actual != expected {
            problems.push(format!(
                "its hook {expected} ({message}), but is reported {actual}"
            ));
        }
        let sid = self.responsible(self.layout.nodes[n].sched);
        let bound = self.layout.scheds[sid].shutdown.bound();
        let timed_out = match hook {
            Hook::Hangs => Some(true),
            // A hook that ends when first polled is never cut: they are polled before
            // the deadline is looked at, even one already past.
            Hook::Takes(ms) if ms > 0 && self.flavor == Flavor::Current => {
                self.hook_cut(sid, f.hook_start.first().copied(), ms, bound)
            }
            Hook::Takes(0) | Hook::Fails | Hook::Panics | Hook::PanicsEarly => Some(false),
            Hook::Takes(_) => None,
        };
        if timed_out.is_some_and(|t| t != (expected == "timed out")) {
            problems.push(format!(
                "its hook {hook:?} {expected} (shutdown bound {bound:?})"
            ));
        }
        if let Some(&call) = f.hook_call.first() {
            for &x in &self.subtrees[sid] {
                if let Some(e) = self.facts[x].activity().find(|&e| e > call) {
                    let xl = self.label(x);
                    problems.push(format!(
                        "its hook was called (#{call}) before {xl} ended (#{e})"
                    ));
                }
            }
        }
        for p in problems {
            self.fail(format!("{label}: {p}"));
        }
    }

    /// Whether a hook of scheduler `sid` that takes `ms` must have been cut (current-
    /// thread runtime): it is bounded by `own`, the shutdown timeout of `sid`, from
    /// when it started, and by each scheduler above, which bounds the hooks of the
    /// nested schedulers it cancels by its own shutdown timeout from when it closed.
    /// `None` when unknown, or a tie with a bound from above.
    fn hook_cut(
        &self,
        sid: usize,
        started: Option<usize>,
        ms: u64,
        own: Option<u64>,
    ) -> Option<bool> {
        if own.is_some_and(|b| ms >= b) {
            return Some(true);
        }
        let end = self.time(started?) + ms * 1000;
        let mut above = None::<u64>;
        let mut s = sid;
        while let Some(node) = self.layout.scheds[s].node {
            s = self.layout.nodes[node].sched;
            if let Some(b) = self.layout.scheds[s].shutdown.bound() {
                let deadline = self.stop_t(s)? + b * 1000;
                above = Some(above.map_or(deadline, |a| a.min(deadline)));
            }
        }
        match above {
            Some(deadline) if deadline == end => None,
            Some(deadline) => Some(deadline < end),
            None => Some(false),
        }
    }

    /// The report that made a job ready, if it is known: `None` for a job ready when
    /// the run started, else the drop of the job it required last (through skipped
    /// jobs). Unknown if that is a nested scheduler, whose report is not in the log.
    fn trigger(&self, n: usize) -> Option<Option<usize>> {
        let mut last: Option<(usize, usize)> = None;
        for (r, _) in self.edges(n) {
            let at = match self.layout.nodes[r].body {
                Body::Nested(_) => return None,
                Body::Job(..) if self.state(r) == State::Skipped => self.trigger(r)??,
                Body::Job(..) => self.resolve(r)?,
            };
            if last.is_none_or(|(l, _)| at > l) {
                last = Some((at, r));
            }
        }
        Some(last.map(|(at, _)| at))
    }

    /// Jobs that become ready together start in declaration order, and ready jobs
    /// waiting for a window slot start in the order they became ready (current-thread
    /// runtime, where tasks are first polled in the order they were spawned).
    fn order(&self, sid: usize) {
        // Custom and `add_with` jobs log their start when the scheduler starts them,
        // futures when first polled: only jobs of one sort are compared.
        let sort = |n: usize| match self.layout.nodes[n].body {
            Body::Job(Kind::Custom(_) | Kind::Inputs, _) => Some(0),
            Body::Job(..) => Some(1),
            Body::Nested(_) => None,
        };
        let keyed: Vec<(Option<usize>, usize, usize, usize)> = self
            .nodes(sid)
            .iter()
            .filter(|&&n| self.finite(n))
            .filter_map(|&n| Some((self.trigger(n)?, n, self.first(n)?, sort(n)?)))
            .collect();
        for &(ta, a, fa, sa) in &keyed {
            for &(tb, b, fb, sb) in &keyed {
                if sa == sb && (ta, a) < (tb, b) && fa > fb {
                    let (al, bl) = (self.label(a), self.label(b));
                    self.fail(format!(
                        "{bl} started (#{fb}) before {al} (#{fa}), which was ready first or together and declared first"
                    ));
                }
            }
        }
    }

    /// Timing on the paused clock: jobs start as soon as they are ready unless the
    /// window is full, no job is left waiting, the run ends with its last finite job.
    fn timing(&self, sid: usize) {
        if !self.sched_ran(sid) {
            return;
        }
        let (Some(start), Some(stop), Some(o)) =
            (self.start_t(sid), self.stop_t(sid), self.outcome(sid))
        else {
            return;
        };
        let info = &self.layout.scheds[sid];
        let ms = |t: u64| format!("{}ms", t as f64 / 1000.0);
        let nodes = self.nodes(sid);
        let span = |c: &Self, x: usize| -> Option<(u64, u64)> {
            let a = c.time(c.first(x)?);
            Some((a, c.last(x).map_or(u64::MAX, |b| c.time(b))))
        };
        let busy = |c: &Self, t: u64| {
            nodes
                .iter()
                .filter(|&&x| c.finite(x))
                .filter_map(|&x| span(c, x))
                .filter(|&(a, b)| a <= t && b > t)
                .count()
        };
        let mut problems = Vec::new();
        for &n in nodes {
            let label = self.label(n);
            let Some(ready) = self.ready_t(n) else {
                continue;
            };
            let st = self.state(n);
            let first = self.first(n).map(|s| self.time(s));
            if let Some(first) = first
                && (info.window.is_none() || !self.finite(n))
                && first != ready
            {
                problems.push(format!(
                    "{label} was ready at {}, started at {}",
                    ms(ready),
                    ms(first)
                ));
            }
            let dead = self
                .edges(n)
                .any(|(r, c)| c && self.state(r) != State::Done);
            let resolved = self.edges(n).all(|(r, _)| {
                matches!(self.state(r), State::Done | State::Failed | State::Skipped)
            });
            if st == State::Idle && resolved && !dead && ready < stop {
                problems.push(format!(
                    "{label} was ready at {}, but never started (the run stopped at {})",
                    ms(ready),
                    ms(stop)
                ));
            }
            let waited = first.is_some() || (st == State::Cancelled && !self.ran(n));
            if let (Some(window), true, true) = (info.window, waited, self.finite(n)) {
                let until = first.unwrap_or(stop).min(stop);
                let mut instants: Vec<u64> = nodes
                    .iter()
                    .filter_map(|&x| span(self, x))
                    .flat_map(|(a, b)| [a, b])
                    .chain([ready])
                    .filter(|&t| ready <= t && t < until)
                    .collect();
                instants.sort_unstable();
                instants.dedup();
                if let Some(&t) = instants.iter().find(|&&t| busy(self, t) < window) {
                    problems.push(format!(
                        "{label} was ready at {} and waited until {}, though {} of {window} slots were taken at {}",
                        ms(ready),
                        ms(until),
                        busy(self, t),
                        ms(t)
                    ));
                }
            }
        }
        if o.is_success() {
            let mut end = start;
            let mut exact = true;
            for &n in nodes.iter().filter(|&&n| self.finite(n)) {
                let t = match self.last(n) {
                    Some(seq) => Some(self.time(seq)),
                    None => self.resolve_t(n),
                };
                match t {
                    Some(t) => end = end.max(t),
                    None => exact = false,
                }
            }
            if stop < end || (exact && stop != end) {
                problems.push(format!(
                    "the run ended at {}, its last finite job at {}",
                    ms(stop),
                    ms(end)
                ));
            }
        }
        let label = &info.label;
        for p in problems {
            self.fail(format!("scheduler {label}: {p}"));
        }
    }
}
