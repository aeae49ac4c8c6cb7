//! Name resolution and every semantic check, producing the model that the
//! expansion reads.
//!
//! The checker walks the syntax tree once, in source order, giving each token
//! it may complain about an ordinal; it records names, requirements and
//! settings, then resolves names, finds cycles and checks the rules on the
//! resolved graph. Errors carry the ordinal of their token, so they come out
//! in source order whichever check found them.
//!
//! The model is built even when there are errors, without the offending
//! parts (an unknown name, an edge of a cycle, a duplicate field), so the
//! expansion can still produce well-typed code and the user sees only the
//! real errors.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::{Expr, ExprLit, Ident, Lit, LitInt, Meta, Stmt};

use crate::ast::{self, Entry, ItemKind, JobBody, Modifier, SectionKeyword};
use crate::graph::Graph;
use crate::report::Errors;

/// The most inputs a job can take (the runtime takes a tuple of 1 to 12
/// handles).
pub(crate) const MAX_INPUTS: usize = 12;

const SETTINGS: &str = "`label`, `window`, `timeout`, `shutdown_timeout`, `clone`";

/// A checked workflow: schedulers (scopes) and nodes (jobs and nested
/// schedulers), in declaration order.
pub(crate) struct Model {
    /// Scope 0 is the workflow itself.
    pub(crate) scopes: Vec<Scope>,
    pub(crate) nodes: Vec<Node>,
    /// Every node, each after the nodes it requires or takes as inputs.
    pub(crate) order: Vec<usize>,
}

/// A scheduler: the workflow or a nested `scheduler { ... }`.
pub(crate) struct Scope {
    /// The node of a nested scheduler; `None` for the workflow.
    pub(crate) owner: Option<usize>,
    pub(crate) settings: Vec<ScopeSetting>,
    /// The named jobs and schedulers of this scope, first definitions only:
    /// the fields of its typed outcome.
    pub(crate) fields: Vec<usize>,
}

/// `window = 4;` and the like, once each.
pub(crate) struct ScopeSetting {
    pub(crate) kind: SettingKind,
    pub(crate) name: Ident,
    pub(crate) value: TokenStream,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SettingKind {
    Label,
    Window,
    Timeout,
    ShutdownTimeout,
}

/// A job or a nested scheduler.
pub(crate) struct Node {
    pub(crate) name: Option<Ident>,
    /// The scope the node belongs to.
    pub(crate) scope: usize,
    /// Doc comments, one line each, joined with `\n` and trimmed.
    pub(crate) docs: Option<String>,
    pub(crate) critical: bool,
    pub(crate) forever: bool,
    /// Nodes this one requires (explicitly, through a sequence or as the
    /// item before it in a sequence), inputs excluded, without repeats.
    pub(crate) requires: Vec<usize>,
    pub(crate) kind: NodeKind,
}

pub(crate) enum NodeKind {
    Job(JobNode),
    /// A nested scheduler and its scope.
    Scheduler(usize),
}

pub(crate) struct JobNode {
    pub(crate) body: JobBody,
    pub(crate) inputs: Vec<Input>,
    /// The variables of `clone(...)` settings in scope that the body
    /// mentions, to clone for this job alone.
    pub(crate) clones: Vec<Ident>,
    /// The body is a block that never yields a value (see [`diverges`]):
    /// its value is `()`.
    pub(crate) diverges: bool,
}

/// An input of a job: the name it is bound to, and the job it comes from
/// (`None` when the name is in error).
pub(crate) struct Input {
    pub(crate) name: Ident,
    pub(crate) node: Option<usize>,
}

/// Parses and checks: the model, or every error of the first phase that
/// failed.
#[cfg(test)]
pub(crate) fn parse_and_check(tokens: TokenStream) -> syn::Result<Model> {
    match analyze(tokens)? {
        (model, None) => Ok(model),
        (_, Some(errors)) => Err(errors),
    }
}

/// Parses and checks. Parse errors are an `Err`; check errors come with the
/// model built without the offending parts.
pub(crate) fn analyze(tokens: TokenStream) -> syn::Result<(Model, Option<syn::Error>)> {
    let body: ast::Body = syn::parse2(tokens)?;
    let mut checker = Checker::default();
    checker.scopes.push(ScopeData::new(None, None));
    checker.entries(body, 0, Context::Scheduler);
    Ok(checker.finish())
}

/// A token an error can point at: its source ordinal and span.
#[derive(Clone, Copy)]
struct Site {
    at: u32,
    span: Span,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Node(usize),
    Sequence(usize),
}

/// Who holds a list of names: a job, a nested scheduler or a sequence.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Holder {
    Node(usize),
    Sequence(usize),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Scheduler,
    Sequence,
}

#[derive(Default)]
struct Checker {
    errors: Errors,
    next_at: u32,
    scopes: Vec<ScopeData>,
    nodes: Vec<NodeData>,
    sequences: Vec<SequenceData>,
    /// Every definition of every name, in declaration order, for the hint
    /// given when a name is used outside of its scope.
    everywhere: BTreeMap<String, Vec<(usize, Target)>>,
    refs: Vec<Ref>,
    /// Implicit requirements between consecutive items of a sequence.
    chains: Vec<Chain>,
}

struct ScopeData {
    parent: Option<usize>,
    owner: Option<usize>,
    /// First definition of each name, and the names in declaration order.
    names: BTreeMap<String, Target>,
    declared: Vec<String>,
    settings: Vec<ScopeSetting>,
    clone_site: Option<Site>,
    clones: Vec<Ident>,
    fields: Vec<usize>,
}

impl ScopeData {
    fn new(parent: Option<usize>, owner: Option<usize>) -> ScopeData {
        ScopeData {
            parent,
            owner,
            names: BTreeMap::new(),
            declared: Vec::new(),
            settings: Vec::new(),
            clone_site: None,
            clones: Vec::new(),
            fields: Vec::new(),
        }
    }
}

struct NodeData {
    name: Option<Ident>,
    scope: usize,
    docs: Option<String>,
    critical: bool,
    forever: bool,
    /// Nodes declared inside this one (a nested scheduler) are
    /// `self + 1..end`.
    end: usize,
    kind: NodeDataKind,
}

enum NodeDataKind {
    Job { body: JobBody, inputs: Vec<Input> },
    Scheduler(usize),
}

struct SequenceData {
    name: Option<Ident>,
    /// The first item (the one its `requires` applies to) and the last item
    /// (the one requiring the sequence waits for); `None` when empty.
    entry: Option<usize>,
    exit: Option<usize>,
    /// Nodes declared inside are `first_node..end_node`, sequences
    /// `self + 1..end_sequence`.
    first_node: usize,
    end_node: usize,
    end_sequence: usize,
}

/// A name in an inputs or `requires` list.
struct Ref {
    name: Ident,
    site: Site,
    scope: usize,
    holder: Holder,
    /// `Some(i)` for the `i`-th input.
    input: Option<usize>,
}

struct Chain {
    from: usize,
    to: usize,
    site: Site,
}

/// What an item turned out to be, for chaining it in a sequence.
struct ItemInfo {
    entry: Option<usize>,
    exit: Option<usize>,
    /// Its name, or its keyword when it has none.
    head: Site,
}

/// A resolved requirement: `from` waits for `to`.
struct Edge {
    from: usize,
    to: usize,
    site: Site,
    kind: EdgeKind,
}

#[derive(Clone, Copy)]
enum EdgeKind {
    /// The `i`-th input of `from`.
    Input(usize),
    /// A name in a `requires` list; `Some` when the name is a sequence's and
    /// `to` its last item; `held_by_sequence` when the list is a sequence's
    /// and `from` its first item.
    Requires {
        via: Option<usize>,
        held_by_sequence: Option<usize>,
    },
    /// `from` follows `to` in a sequence.
    Chain,
}

impl Checker {
    fn site(&mut self, span: Span) -> Site {
        self.next_at += 1;
        Site {
            at: self.next_at,
            span,
        }
    }

    fn entries(&mut self, body: ast::Body, scope: usize, context: Context) -> Vec<ItemInfo> {
        let mut infos = Vec::new();
        for entry in body.entries {
            match entry {
                Entry::Setting(setting) => {
                    self.setting(setting, scope, context, !infos.is_empty());
                }
                Entry::Item(item) => infos.push(self.item(item, scope)),
            }
        }
        infos
    }

    fn setting(&mut self, setting: ast::Setting, scope: usize, context: Context, after_item: bool) {
        let (span, name) = match &setting {
            ast::Setting::Value { name, .. } => (name.span(), name.unraw().to_string()),
            ast::Setting::Clone { clone_token, .. } => (clone_token.span, "clone".to_owned()),
        };
        let site = self.site(span);
        // Positional errors first: the setting is ignored, further checks
        // would only add noise.
        if context == Context::Sequence {
            // error: settings are not allowed in a sequence; set `window` on the enclosing scheduler
            let message = format!(
                "settings are not allowed in a sequence; set `{name}` on the enclosing scheduler"
            );
            self.errors.error(site.at, span, message);
            return;
        }
        if after_item {
            // error: settings must come before the items of their scheduler
            self.errors.error(
                site.at,
                span,
                "settings must come before the items of their scheduler",
            );
            return;
        }
        match setting {
            ast::Setting::Value { name, value } => {
                let kind = match name.unraw().to_string().as_str() {
                    "label" => SettingKind::Label,
                    "window" => SettingKind::Window,
                    "timeout" => SettingKind::Timeout,
                    "shutdown_timeout" => SettingKind::ShutdownTimeout,
                    "clone" => {
                        // error: `clone` takes a list of variables: `clone(a, b);`
                        let message = "`clone` takes a list of variables: `clone(a, b);`";
                        self.errors.error(site.at, span, message);
                        return;
                    }
                    other => {
                        // error: unknown setting `windw`; expected one of: `label`, ...
                        let message =
                            format!("unknown setting `{other}`; expected one of: {SETTINGS}");
                        self.errors.error(site.at, span, message);
                        return;
                    }
                };
                let settings = &self.scopes[scope].settings;
                if settings.iter().any(|s| s.kind == kind) {
                    // error: `window` is already set for this scheduler
                    let message = format!("`{}` is already set for this scheduler", name.unraw());
                    self.errors.error(site.at, span, message);
                    return;
                }
                if kind == SettingKind::Window
                    && let Ok(literal) = syn::parse2::<LitInt>(value.clone())
                    && literal.base10_parse::<u128>().is_ok_and(|n| n == 0)
                {
                    let site = self.site(literal.span());
                    // error: `window` must be at least 1
                    self.errors
                        .error(site.at, site.span, "`window` must be at least 1");
                }
                self.scopes[scope]
                    .settings
                    .push(ScopeSetting { kind, name, value });
            }
            ast::Setting::Clone { names, .. } => {
                if self.scopes[scope].clone_site.is_some() {
                    // error: `clone` is already set for this scheduler; list every variable in one `clone(...)`
                    let message = "`clone` is already set for this scheduler; list every variable in one `clone(...)`";
                    self.errors.error(site.at, span, message);
                    return;
                }
                self.scopes[scope].clone_site = Some(site);
                let mut seen = BTreeSet::new();
                for name in names.names {
                    let site = self.site(name.span());
                    if !seen.insert(name.unraw().to_string()) {
                        // error: `client` is listed twice
                        self.errors.error(
                            site.at,
                            site.span,
                            format!("`{}` is listed twice", name.unraw()),
                        );
                        continue;
                    }
                    self.scopes[scope].clones.push(name);
                }
            }
        }
    }

    fn item(&mut self, item: ast::Item, scope: usize) -> ItemInfo {
        let is_sequence = matches!(&item.kind, ItemKind::Section(s) if matches!(s.keyword, SectionKeyword::Sequence(_)));
        let mut docs: Vec<String> = Vec::new();
        for attr in &item.attrs {
            let site = self.site(attr.pound_token.span);
            match doc_string(attr) {
                Some(_) if is_sequence => {
                    // error: doc comments are not supported on a sequence
                    self.errors.error(
                        site.at,
                        site.span,
                        "doc comments are not supported on a sequence",
                    );
                }
                Some(line) => docs.push(line),
                None => {
                    // error: unsupported attribute; only doc comments are allowed here
                    self.errors.error(
                        site.at,
                        site.span,
                        "unsupported attribute; only doc comments are allowed here",
                    );
                }
            }
        }
        let docs = join_docs(&docs);

        let (mut critical, mut forever) = (None::<&Modifier>, None::<&Modifier>);
        for modifier in &item.modifiers {
            let site = self.site(modifier.span());
            if is_sequence {
                // error: a sequence takes no modifiers; put `forever` on its items
                let message = format!(
                    "a sequence takes no modifiers; put `{}` on its items",
                    modifier.word()
                );
                self.errors.error(site.at, site.span, message);
                continue;
            }
            let slot = match modifier {
                Modifier::Forever(_) => &mut forever,
                Modifier::Critical(_) | Modifier::Noncritical(_) => &mut critical,
            };
            match slot {
                Some(previous) if previous.word() == modifier.word() => {
                    // error: repeated modifier `forever`
                    let message = format!("repeated modifier `{}`", modifier.word());
                    self.errors.error(site.at, site.span, message);
                }
                Some(previous) => {
                    // error: conflicting modifiers `critical` and `noncritical`
                    let message = format!(
                        "conflicting modifiers `{}` and `{}`",
                        previous.word(),
                        modifier.word()
                    );
                    self.errors.error(site.at, site.span, message);
                }
                None => *slot = Some(modifier),
            }
        }
        let critical = !matches!(critical, Some(Modifier::Noncritical(_)));
        let forever = forever.is_some();

        match item.kind {
            ItemKind::Job(job) => self.job(job, scope, docs, critical, forever),
            ItemKind::Section(section) => match section.keyword {
                SectionKeyword::Scheduler(_) => {
                    self.scheduler(section, scope, docs, critical, forever)
                }
                SectionKeyword::Sequence(_) => self.sequence(section, scope),
            },
        }
    }

    /// Records `name` as defined in `scope`, unless it already is.
    fn define(&mut self, scope: usize, name: &Ident, site: Site, target: Target) -> bool {
        let key = name.unraw().to_string();
        self.everywhere
            .entry(key.clone())
            .or_default()
            .push((scope, target));
        let scope_data = &mut self.scopes[scope];
        if scope_data.names.contains_key(&key) {
            // error: the name `fetch` is defined multiple times
            let message = format!("the name `{key}` is defined multiple times");
            self.errors.error(site.at, site.span, message);
            return false;
        }
        scope_data.names.insert(key.clone(), target);
        scope_data.declared.push(key);
        true
    }

    fn job(
        &mut self,
        job: ast::Job,
        scope: usize,
        docs: Option<String>,
        critical: bool,
        forever: bool,
    ) -> ItemInfo {
        let id = self.nodes.len();
        let head = self.site(job.name.span());
        if self.define(scope, &job.name, head, Target::Node(id)) {
            self.scopes[scope].fields.push(id);
        }
        let mut inputs = Vec::new();
        if let Some(list) = job.inputs {
            let mut seen = BTreeSet::new();
            for name in list.names {
                let site = self.site(name.span());
                if !seen.insert(name.unraw().to_string()) {
                    // error: `fetch` is listed twice
                    self.errors.error(
                        site.at,
                        site.span,
                        format!("`{}` is listed twice", name.unraw()),
                    );
                    continue;
                }
                if inputs.len() >= MAX_INPUTS {
                    // error: a job takes at most 12 inputs
                    let message = format!("a job takes at most {MAX_INPUTS} inputs");
                    self.errors.error(site.at, site.span, message);
                    // Unresolved: the expansion leaves the body out.
                    inputs.push(Input { name, node: None });
                    continue;
                }
                self.refs.push(Ref {
                    name: name.clone(),
                    site,
                    scope,
                    holder: Holder::Node(id),
                    input: Some(inputs.len()),
                });
                inputs.push(Input { name, node: None });
            }
        }
        if let Some(requires) = job.requires {
            self.requires(requires, scope, Holder::Node(id));
        }
        self.nodes.push(NodeData {
            name: Some(job.name),
            scope,
            docs,
            critical,
            forever,
            end: id + 1,
            kind: NodeDataKind::Job {
                body: job.body,
                inputs,
            },
        });
        ItemInfo {
            entry: Some(id),
            exit: Some(id),
            head,
        }
    }

    fn requires(&mut self, requires: ast::Requires, scope: usize, holder: Holder) {
        for name in requires.names.names {
            let site = self.site(name.span());
            self.refs.push(Ref {
                name,
                site,
                scope,
                holder,
                input: None,
            });
        }
    }

    fn scheduler(
        &mut self,
        section: ast::Section,
        scope: usize,
        docs: Option<String>,
        critical: bool,
        forever: bool,
    ) -> ItemInfo {
        let id = self.nodes.len();
        let head = match &section.name {
            Some(name) => {
                let head = self.site(name.span());
                if self.define(scope, name, head, Target::Node(id)) {
                    self.scopes[scope].fields.push(id);
                }
                head
            }
            None => self.site(section.keyword.span()),
        };
        if let Some(requires) = section.requires {
            self.requires(requires, scope, Holder::Node(id));
        }
        let inner = self.scopes.len();
        self.scopes.push(ScopeData::new(Some(scope), Some(id)));
        self.nodes.push(NodeData {
            name: section.name,
            scope,
            docs,
            critical,
            forever,
            end: id + 1,
            kind: NodeDataKind::Scheduler(inner),
        });
        self.entries(section.body, inner, Context::Scheduler);
        self.nodes[id].end = self.nodes.len();
        ItemInfo {
            entry: Some(id),
            exit: Some(id),
            head,
        }
    }

    fn sequence(&mut self, section: ast::Section, scope: usize) -> ItemInfo {
        let id = self.sequences.len();
        let head = match &section.name {
            Some(name) => {
                let head = self.site(name.span());
                self.define(scope, name, head, Target::Sequence(id));
                head
            }
            None => self.site(section.keyword.span()),
        };
        if let Some(requires) = section.requires {
            self.requires(requires, scope, Holder::Sequence(id));
        }
        self.sequences.push(SequenceData {
            name: section.name,
            entry: None,
            exit: None,
            first_node: self.nodes.len(),
            end_node: self.nodes.len(),
            end_sequence: id + 1,
        });
        let infos = self.entries(section.body, scope, Context::Sequence);
        // Each item requires the last item before it that is not empty.
        let (mut entry, mut previous) = (None, None);
        for info in infos {
            if let Some(first) = info.entry {
                if let Some(to) = previous {
                    self.chains.push(Chain {
                        from: first,
                        to,
                        site: info.head,
                    });
                }
                entry = entry.or(Some(first));
            }
            previous = info.exit.or(previous);
        }
        let end_sequence = self.sequences.len();
        let end_node = self.nodes.len();
        let data = &mut self.sequences[id];
        data.entry = entry;
        data.exit = previous;
        data.end_node = end_node;
        data.end_sequence = end_sequence;
        ItemInfo {
            entry,
            exit: previous,
            head,
        }
    }

    /// "job `a`", "scheduler `d`", "this scheduler", "sequence `s`".
    fn describe(&self, holder: Holder) -> String {
        match holder {
            Holder::Node(id) => self.describe_node(id),
            Holder::Sequence(id) => match &self.sequences[id].name {
                Some(name) => format!("sequence `{}`", name.unraw()),
                None => "this sequence".to_owned(),
            },
        }
    }

    fn describe_node(&self, id: usize) -> String {
        let node = &self.nodes[id];
        let kind = match node.kind {
            NodeDataKind::Job { .. } => "job",
            NodeDataKind::Scheduler(_) => "scheduler",
        };
        match &node.name {
            Some(name) => format!("{kind} `{}`", name.unraw()),
            None => format!("this {kind}"),
        }
    }

    /// `fetch`, or `(unnamed scheduler)`, for cycle paths.
    fn path_name(&self, id: usize) -> String {
        match &self.nodes[id].name {
            Some(name) => format!("`{}`", name.unraw()),
            None => "(unnamed scheduler)".to_owned(),
        }
    }

    fn scheduler_name(&self, id: usize) -> Option<String> {
        self.nodes[id].name.as_ref().map(|n| n.unraw().to_string())
    }

    fn node_of_holder(&self, holder: Holder) -> Option<usize> {
        match holder {
            Holder::Node(id) => Some(id),
            Holder::Sequence(id) => self.sequences[id].entry,
        }
    }

    /// Resolves every name of every list, reporting what cannot be resolved.
    fn resolve(&mut self) -> Vec<Edge> {
        let mut edges = Vec::new();
        let refs = std::mem::take(&mut self.refs);
        for r in &refs {
            let key = r.name.unraw().to_string();
            let Some(&target) = self.scopes[r.scope].names.get(&key) else {
                self.unresolved(r, &key);
                continue;
            };
            let who = self.describe(r.holder);
            let message = match (target, r.holder) {
                (Target::Node(n), Holder::Node(h)) if n == h => {
                    Some(format!("{who} cannot require itself"))
                }
                (Target::Sequence(s), Holder::Sequence(h)) if s == h => {
                    Some(format!("{who} cannot require itself"))
                }
                (Target::Sequence(s), Holder::Node(h)) if self.sequence_holds_node(s, h) => Some(
                    format!("{who} cannot require `{key}`, the sequence it belongs to"),
                ),
                (Target::Sequence(s), Holder::Sequence(h))
                    if s < h && h < self.sequences[s].end_sequence =>
                {
                    Some(format!(
                        "{who} cannot require `{key}`, the sequence it belongs to"
                    ))
                }
                (Target::Node(n), Holder::Sequence(h)) if self.sequence_holds_node(h, n) => Some(
                    format!("{who} cannot require `{key}`, one of its own items"),
                ),
                (Target::Sequence(s), Holder::Sequence(h))
                    if h < s && s < self.sequences[h].end_sequence =>
                {
                    Some(format!(
                        "{who} cannot require `{key}`, one of its own items"
                    ))
                }
                _ => None,
            };
            if let Some(message) = message {
                // error: job `a` cannot require itself
                self.errors.error(r.site.at, r.site.span, message);
                continue;
            }
            if r.input.is_some() {
                let not_a_job = match target {
                    Target::Sequence(_) => Some("a sequence"),
                    Target::Node(n) => match self.nodes[n].kind {
                        NodeDataKind::Scheduler(_) => Some("a scheduler"),
                        NodeDataKind::Job { .. } => None,
                    },
                };
                if let Some(what) = not_a_job {
                    // error: `deploy` is a scheduler, not a job: only jobs have an output to take; write `requires(deploy)` to wait for it
                    let message = format!(
                        "`{key}` is {what}, not a job: only jobs have an output to take; \
                         write `requires({key})` to wait for it"
                    );
                    self.errors.error(r.site.at, r.site.span, message);
                    continue;
                }
            }
            let Some(from) = self.node_of_holder(r.holder) else {
                continue;
            };
            let (to, via) = match target {
                Target::Node(n) => (Some(n), None),
                Target::Sequence(s) => (self.sequences[s].exit, Some(s)),
            };
            let Some(to) = to else { continue };
            let kind = match r.input {
                Some(index) => EdgeKind::Input(index),
                None => EdgeKind::Requires {
                    via,
                    held_by_sequence: match r.holder {
                        Holder::Sequence(s) => Some(s),
                        Holder::Node(_) => None,
                    },
                },
            };
            edges.push(Edge {
                from,
                to,
                site: r.site,
                kind,
            });
        }
        for chain in std::mem::take(&mut self.chains) {
            edges.push(Edge {
                from: chain.from,
                to: chain.to,
                site: chain.site,
                kind: EdgeKind::Chain,
            });
        }
        edges
    }

    fn sequence_holds_node(&self, sequence: usize, node: usize) -> bool {
        let s = &self.sequences[sequence];
        (s.first_node..s.end_node).contains(&node)
    }

    fn parent_of(&self, scope: usize) -> Option<usize> {
        self.scopes[scope].parent
    }

    /// The scopes from `scope` up to the workflow, `scope` first.
    fn ancestors(&self, scope: usize) -> Vec<usize> {
        let mut chain = vec![scope];
        while let Some(parent) = chain.last().and_then(|&s| self.parent_of(s)) {
            chain.push(parent);
        }
        chain
    }

    /// Reports a name not defined in the scope of its list.
    fn unresolved(&mut self, r: &Ref, key: &str) {
        let who = self.describe(r.holder);
        let here = self.ancestors(r.scope);
        let elsewhere = self.everywhere.get(key).cloned().unwrap_or_default();
        // Prefer a definition in an enclosing scheduler, then the first one.
        let found = elsewhere
            .iter()
            .find(|(scope, _)| here.contains(scope))
            .or_else(|| elsewhere.first())
            .copied();
        let message = match found {
            None => {
                let names = &self.scopes[r.scope].declared;
                let place = match self.scopes[r.scope]
                    .owner
                    .and_then(|o| self.scheduler_name(o))
                {
                    Some(name) => format!("in the scheduler `{name}`"),
                    None if r.scope == 0 => "in this workflow".to_owned(),
                    None => "in this scheduler".to_owned(),
                };
                let mut message = format!("cannot find `{key}` {place}");
                if let Some(close) = ast::closest(key, names.iter().map(String::as_str)) {
                    let _ = write!(message, "; did you mean `{close}`?");
                }
                // error: cannot find `fecth` in this workflow; did you mean `fetch`?
                message
            }
            Some((scope, target)) => {
                let there = self.ancestors(scope);
                let common = here
                    .iter()
                    .copied()
                    .find(|s| there.contains(s))
                    .unwrap_or(0);
                // The schedulers just below the common one, on each side.
                let below = |chain: &[usize]| {
                    let position = chain.iter().position(|&s| s == common)?;
                    let child = *chain.get(position.checked_sub(1)?)?;
                    self.scopes[child].owner
                };
                let mine = below(&here);
                let theirs = below(&there);
                let name_of = |node: Option<usize>| node.and_then(|n| self.scheduler_name(n));
                match (mine, theirs) {
                    // `key` is in an enclosing scheduler.
                    (Some(mine), None) => {
                        let is_own_scheduler = match target {
                            Target::Node(n) => {
                                matches!(self.nodes[n].kind, NodeDataKind::Scheduler(inner) if here.contains(&inner))
                            }
                            Target::Sequence(_) => false,
                        };
                        if is_own_scheduler {
                            // error: job `roll` cannot require `deploy`, the scheduler it belongs to
                            format!("{who} cannot require `{key}`, the scheduler it belongs to")
                        } else {
                            match name_of(Some(mine)) {
                                // error: job `roll` cannot require `fetch`, which is outside the scheduler `deploy`; make `deploy` require `fetch` instead
                                Some(outer) => format!(
                                    "{who} cannot require `{key}`, which is outside the scheduler `{outer}`; \
                                     make `{outer}` require `{key}` instead"
                                ),
                                None => format!(
                                    "{who} cannot require `{key}`, which is outside its nested scheduler; \
                                     make that scheduler require `{key}` instead"
                                ),
                            }
                        }
                    }
                    // `key` is in a scheduler nested in this scope.
                    (None, Some(theirs)) => {
                        if r.holder == Holder::Node(theirs) {
                            // error: scheduler `deploy` cannot require `push`, one of its own jobs
                            format!("{who} cannot require `{key}`, one of its own jobs")
                        } else {
                            match name_of(Some(theirs)) {
                                // error: job `index` cannot require `push`, which belongs to the nested scheduler `deploy`; require `deploy` instead
                                Some(inner) => format!(
                                    "{who} cannot require `{key}`, which belongs to the nested scheduler \
                                     `{inner}`; require `{inner}` instead"
                                ),
                                None => format!(
                                    "{who} cannot require `{key}`, which belongs to a nested scheduler \
                                     without a name; name that scheduler and require it instead"
                                ),
                            }
                        }
                    }
                    // `key` is in a scheduler beside an enclosing one.
                    (mine, theirs) => match (name_of(mine), name_of(theirs)) {
                        // error: job `a` cannot require `x`, which belongs to the scheduler `right`; make `left` require `right` instead
                        (Some(mine), Some(theirs)) => format!(
                            "{who} cannot require `{key}`, which belongs to the scheduler `{theirs}`; \
                             make `{mine}` require `{theirs}` instead"
                        ),
                        _ => format!(
                            "{who} cannot require `{key}`, which belongs to another scheduler; \
                             only the schedulers that hold them can require each other"
                        ),
                    },
                }
            }
        };
        self.errors.error(r.site.at, r.site.span, message);
    }

    /// Finds cycles and forever requirements, then builds the model from
    /// what is left.
    fn finish(mut self) -> (Model, Option<syn::Error>) {
        let edges = self.resolve();
        let pairs: Vec<(usize, usize)> = edges.iter().map(|e| (e.from, e.to)).collect();
        let mut dropped = vec![false; edges.len()];
        for cycle in Graph::new(self.nodes.len(), &pairs).cycles() {
            let mut path = String::new();
            for &e in &cycle {
                path.push_str(&self.path_name(edges[e].from));
                path.push_str(" -> ");
            }
            if let Some(&first) = cycle.first() {
                path.push_str(&self.path_name(edges[first].from));
            }
            // error: cyclic requirement: `parse` -> `fetch` -> `store` -> `parse` (`->` means "requires")
            let message = format!("cyclic requirement: {path} (`->` means \"requires\")");
            for &e in &cycle {
                dropped[e] = true;
                self.errors
                    .error(edges[e].site.at, edges[e].site.span, &message);
            }
        }
        for edge in &edges {
            if !self.nodes[edge.from].forever && self.nodes[edge.to].forever {
                let message = self.forever_message(edge);
                self.errors.error(edge.site.at, edge.site.span, message);
            }
        }

        let kept: Vec<&Edge> = edges
            .iter()
            .zip(&dropped)
            .filter(|(_, d)| !**d)
            .map(|(e, _)| e)
            .collect();
        let kept_pairs: Vec<(usize, usize)> = kept.iter().map(|e| (e.from, e.to)).collect();
        let order = Graph::new(self.nodes.len(), &kept_pairs).topological_order();

        let mut requires: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        let mut inputs: Vec<Vec<(usize, usize)>> = vec![Vec::new(); self.nodes.len()];
        for edge in &kept {
            match edge.kind {
                EdgeKind::Input(index) => inputs[edge.from].push((index, edge.to)),
                EdgeKind::Requires { .. } | EdgeKind::Chain => {
                    if !requires[edge.from].contains(&edge.to) {
                        requires[edge.from].push(edge.to);
                    }
                }
            }
        }

        // The clone lists in effect in each scope, outer scopes first.
        let mut clones_in: Vec<Vec<Ident>> = Vec::with_capacity(self.scopes.len());
        for scope in &self.scopes {
            let mut list = scope
                .parent
                .map(|p| clones_in[p].clone())
                .unwrap_or_default();
            for name in &scope.clones {
                if !list.iter().any(|n| n.unraw() == name.unraw()) {
                    list.push(name.clone());
                }
            }
            clones_in.push(list);
        }

        let nodes = self
            .nodes
            .into_iter()
            .zip(requires)
            .zip(inputs)
            .map(|((node, requires), resolved)| {
                let kind = match node.kind {
                    NodeDataKind::Scheduler(scope) => NodeKind::Scheduler(scope),
                    NodeDataKind::Job { body, mut inputs } => {
                        for (index, to) in resolved {
                            if let Some(input) = inputs.get_mut(index) {
                                input.node = Some(to);
                            }
                        }
                        let mentioned = idents_of(&body);
                        let clones = clones_in[node.scope]
                            .iter()
                            .filter(|name| {
                                let name = name.unraw().to_string();
                                mentioned.contains(&name)
                                    && !inputs.iter().any(|i| i.name.unraw() == name)
                            })
                            .cloned()
                            .collect();
                        NodeKind::Job(JobNode {
                            diverges: diverges(&body),
                            body,
                            inputs,
                            clones,
                        })
                    }
                };
                Node {
                    name: node.name,
                    scope: node.scope,
                    docs: node.docs,
                    critical: node.critical,
                    forever: node.forever,
                    requires,
                    kind,
                }
            })
            .collect();
        let scopes = self
            .scopes
            .into_iter()
            .map(|scope| Scope {
                owner: scope.owner,
                settings: scope.settings,
                fields: scope.fields,
            })
            .collect();
        let model = Model {
            scopes,
            nodes,
            order,
        };
        (model, self.errors.propagate().err())
    }

    /// The error of a finite node that waits for a forever one.
    fn forever_message(&self, edge: &Edge) -> String {
        let who = self.describe_node(edge.from);
        let target = &self.nodes[edge.to];
        let kind = match target.kind {
            NodeDataKind::Job { .. } => "job",
            NodeDataKind::Scheduler(_) => "scheduler",
        };
        let what = match &target.name {
            Some(name) => format!("the forever {kind} `{}`", name.unraw()),
            None => format!("a forever {kind} without a name"),
        };
        match edge.kind {
            // error: job `index` cannot take the output of the forever job `monitor`: it would never start
            EdgeKind::Input(_) => {
                format!("{who} cannot take the output of {what}: it would never start")
            }
            // error: sequence `warmup` cannot require the forever job `monitor`: its first item, job `a`, would never start
            EdgeKind::Requires {
                held_by_sequence: Some(sequence),
                ..
            } => format!(
                "{} cannot require {what}: its first item, {who}, would never start",
                self.describe(Holder::Sequence(sequence))
            ),
            // error: job `report` cannot require `warmup`, whose last item is the forever job `b`: it would never start
            EdgeKind::Requires {
                via: Some(sequence),
                ..
            } => {
                let name = match &self.sequences[sequence].name {
                    Some(name) => name.unraw().to_string(),
                    None => String::new(),
                };
                format!(
                    "{who} cannot require `{name}`, whose last item is {what}: it would never start"
                )
            }
            // error: job `index` cannot require the forever job `monitor`: it would never start
            EdgeKind::Requires { .. } => {
                format!("{who} cannot require {what}: it would never start")
            }
            // error: job `b` cannot follow the forever job `a` in a sequence: it would never start
            EdgeKind::Chain => {
                format!("{who} cannot follow {what} in a sequence: it would never start")
            }
        }
    }
}

/// The text of a `#[doc = "..."]` attribute.
fn doc_string(attr: &syn::Attribute) -> Option<String> {
    let Meta::NameValue(meta) = &attr.meta else {
        return None;
    };
    if !meta.path.is_ident("doc") {
        return None;
    }
    match &meta.value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(text),
            ..
        }) => Some(text.value()),
        _ => None,
    }
}

/// Doc comment lines as details: the space after `///` removed, lines joined
/// with `\n`, the whole trimmed.
fn join_docs(lines: &[String]) -> Option<String> {
    let text = lines
        .iter()
        .flat_map(|line| line.split('\n'))
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n");
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Whether a block body ends in an expression that never yields a value: a
/// `loop` with no `break` in it, or `panic!`, `todo!`, `unimplemented!` or
/// `unreachable!`. Such a block has a type of its own that rustc cannot
/// infer (`forever job monitor { loop { ... } }` would not compile), so the
/// expansion gives it the type `()`.
fn diverges(body: &JobBody) -> bool {
    let JobBody::Block(group) = body else {
        return false;
    };
    let tokens = TokenStream::from(TokenTree::Group(group.clone()));
    let Ok(block) = syn::parse2::<syn::Block>(tokens) else {
        return false;
    };
    let is_never_macro = |mac: &syn::Macro| {
        mac.path.segments.last().is_some_and(|last| {
            ["panic", "todo", "unimplemented", "unreachable"]
                .iter()
                .any(|name| last.ident == name)
        })
    };
    match block.stmts.last() {
        Some(Stmt::Expr(Expr::Loop(looping), _)) => !mentions_break(&looping.body),
        Some(Stmt::Expr(Expr::Macro(expr), _)) => is_never_macro(&expr.mac),
        Some(Stmt::Macro(stmt)) => is_never_macro(&stmt.mac),
        _ => false,
    }
}

/// Whether `break` appears anywhere in a loop's body, macros included: any
/// `break` may leave the loop, as far as the macro can tell.
fn mentions_break(body: &syn::Block) -> bool {
    let mut stack = vec![body.to_token_stream()];
    while let Some(tokens) = stack.pop() {
        for token in tokens {
            match token {
                TokenTree::Ident(ident) if ident == "break" => return true,
                TokenTree::Group(group) => stack.push(group.stream()),
                _ => {}
            }
        }
    }
    false
}

/// Every identifier in a job body, without `r#`, at any depth, including the
/// variables named in format strings (`format!("{bus}")`).
fn idents_of(body: &JobBody) -> BTreeSet<String> {
    let mut idents = BTreeSet::new();
    let mut stack: Vec<TokenStream> = vec![match body {
        JobBody::Expr(tokens) => tokens.clone(),
        JobBody::Block(group) => group.stream(),
    }];
    while let Some(tokens) = stack.pop() {
        for token in tokens {
            match token {
                TokenTree::Ident(ident) => {
                    idents.insert(ident.unraw().to_string());
                }
                TokenTree::Group(group) => stack.push(group.stream()),
                TokenTree::Literal(literal) => {
                    idents.extend(format_args_of(&literal.to_string()));
                }
                TokenTree::Punct(_) => {}
            }
        }
    }
    idents
}

/// The names a string literal would capture as a format string: `x` in
/// `"{x}"`, `"{x:?}"` or `"{x:>width$}"` (so `width` too). Any string
/// literal is scanned, as the macro cannot tell which are format strings;
/// a name found by mistake only costs a clone.
fn format_args_of(literal: &str) -> Vec<String> {
    let Some(start) = literal.find('"') else {
        return Vec::new();
    };
    // Not a string: a number, a char, or a byte string (never a format string).
    if literal[..start].contains(['b', 'c']) {
        return Vec::new();
    }
    let text = &literal[start..];
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(escaped) = rest.strip_prefix('{') {
            rest = escaped;
            continue;
        }
        let end = rest.find('}').unwrap_or(rest.len());
        let placeholder = &rest[..end];
        let (argument, spec) = placeholder.split_once(':').unwrap_or((placeholder, ""));
        names.extend(identifier(argument.trim()));
        // `{:width$}` and `{:.precision$}` name variables too.
        for part in spec.split(['.', '>', '<', '^', '+', '-', '#']) {
            if let Some(name) = part.strip_suffix('$') {
                names.extend(identifier(name.trim_start_matches('0')));
            }
        }
        rest = &rest[end..];
    }
    names
}

/// `word` if it is an identifier (a format argument can be one), without `r#`.
fn identifier(word: &str) -> Option<String> {
    let word = word.strip_prefix("r#").unwrap_or(word);
    let mut chars = word.chars();
    let first = chars.next()?;
    let valid = (first == '_' || first.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
        && word != "_";
    valid.then(|| word.to_owned())
}
