//! Code generation from the checked model; it cannot fail.
//!
//! The expansion is a block that builds the runtime schedulers and evaluates
//! to a value of a generated `Workflow` struct, whose `run` returns a typed
//! outcome. The generated items live in a block of their own, away from the
//! user's expressions, so their names cannot shadow the user's; generated
//! locals have mixed-site hygiene and a `__jobs_` prefix; the runtime is named
//! through the crate path handed over by `jobs_core::workflow!`.

use std::collections::VecDeque;

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::{Ident, LitStr};

use crate::ast::JobBody;
use crate::check::{self, JobNode, Model, NodeKind, SettingKind};

/// Expands `$crate; BODY`.
pub(crate) fn workflow(input: TokenStream) -> TokenStream {
    let mut tokens = input.into_iter();
    let krate = match (tokens.next(), tokens.next()) {
        (Some(krate), Some(TokenTree::Punct(semi))) if semi.as_char() == ';' => krate,
        _ => {
            let message = "`workflow_impl!` is not public API; use `jobs_core::workflow!`";
            return syn::Error::new(Span::call_site(), message).to_compile_error();
        }
    };
    let body: TokenStream = tokens.collect();
    match check::analyze(body) {
        Ok((model, errors)) => {
            let errors = errors.map(|e| e.to_compile_error());
            Expander::new(krate, &model).workflow(errors)
        }
        Err(errors) => {
            let errors = errors.to_compile_error();
            quote!({ #errors #krate::__private::Placeholder })
        }
    }
}

/// A generated local: unreachable from the user's tokens (mixed-site
/// hygiene), located at `span` for error messages.
fn local(name: impl AsRef<str>, span: Span) -> Ident {
    Ident::new(name.as_ref(), Span::mixed_site().located_at(span))
}

fn first_span(tokens: &TokenStream) -> Span {
    tokens
        .clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span())
}

fn label(name: &Ident) -> LitStr {
    LitStr::new(&name.unraw().to_string(), name.span())
}

fn generic_list(params: &[Ident]) -> TokenStream {
    if params.is_empty() {
        TokenStream::new()
    } else {
        quote!(<#(#params),*>)
    }
}

struct Expander<'a> {
    /// `$crate::__private`.
    private: TokenStream,
    model: &'a Model,
    /// Whether a node's handle is used after it is added.
    used: Vec<bool>,
    /// Names of the generated outcome struct of each scope.
    outcome_names: Vec<Ident>,
    /// Scopes whose outcome is part of the typed result: the workflow and
    /// the named schedulers of those scopes.
    typed: Vec<bool>,
    /// The nodes of each scope in the model's order.
    by_scope: Vec<Vec<usize>>,
}

impl<'a> Expander<'a> {
    fn new(krate: TokenTree, model: &'a Model) -> Self {
        let mut typed = vec![false; model.scopes.len()];
        if let Some(first) = typed.first_mut() {
            *first = true;
        }
        // Scopes are numbered parents first.
        let mut outcome_names = Vec::with_capacity(model.scopes.len());
        let mut taken = std::collections::BTreeSet::new();
        for (index, scope) in model.scopes.iter().enumerate() {
            let owner = scope.owner.and_then(|o| model.nodes.get(o));
            let name = match owner {
                None => "Outcome".to_owned(),
                Some(node) => {
                    let parent = outcome_names
                        .get(node.scope)
                        .map_or_else(|| "Outcome".to_owned(), Ident::to_string);
                    match &node.name {
                        Some(name) => format!("{parent}_{}", name.unraw()),
                        None => format!("{parent}_{index}"),
                    }
                }
            };
            let name = if taken.insert(name.clone()) {
                name
            } else {
                format!("{name}_{index}")
            };
            taken.insert(name.clone());
            outcome_names.push(format_ident!("{}", name));
        }
        for node_index in model.scopes.iter().flat_map(|s| s.fields.clone()) {
            if let Some(node) = model.nodes.get(node_index)
                && let NodeKind::Scheduler(inner) = node.kind
                && typed.get(node.scope).copied().unwrap_or(false)
            {
                typed[inner] = true;
            }
        }
        let mut used = vec![false; model.nodes.len()];
        for node in &model.nodes {
            for &r in &node.requires {
                used[r] = true;
            }
            if let NodeKind::Job(job) = &node.kind {
                for input in &job.inputs {
                    if let Some(n) = input.node {
                        used[n] = true;
                    }
                }
            }
        }
        for (index, scope) in model.scopes.iter().enumerate() {
            if typed[index] {
                for &field in &scope.fields {
                    used[field] = true;
                }
            }
        }
        let mut by_scope = vec![Vec::new(); model.scopes.len()];
        for &index in &model.order {
            if let Some(list) = model
                .nodes
                .get(index)
                .and_then(|n| by_scope.get_mut(n.scope))
            {
                list.push(index);
            }
        }
        Expander {
            private: quote!(#krate::__private),
            model,
            used,
            outcome_names,
            typed,
            by_scope,
        }
    }

    /// The label a scope's `label = "...";` setting gives it, when it is a literal.
    fn literal_label(&self, scope: usize) -> Option<String> {
        self.model.scopes[scope]
            .settings
            .iter()
            .rev()
            .find(|s| s.kind == SettingKind::Label)
            .and_then(|s| syn::parse2::<LitStr>(s.value.clone()).ok())
            .map(|lit| lit.value())
    }

    /// The drawing of a scope, as the runtime draws the scheduler the expansion
    /// builds. A job whose `= EXPR` turns out to be a scheduler is drawn as one job.
    fn graph(&self, scope: usize) -> jobs_draw::Graph {
        let members = &self.by_scope[scope];
        let position = |node: usize| members.iter().position(|&m| m == node);
        let nodes = members
            .iter()
            .enumerate()
            .map(|(at, &index)| {
                let node = &self.model.nodes[index];
                let mut requires: Vec<jobs_draw::Edge> = node
                    .requires
                    .iter()
                    .filter_map(|&r| position(r))
                    .map(|index| jobs_draw::Edge {
                        index,
                        consumes: false,
                    })
                    .collect();
                if let NodeKind::Job(job) = &node.kind {
                    for input in &job.inputs {
                        if let Some(index) = input.node.and_then(position) {
                            requires.push(jobs_draw::Edge {
                                index,
                                consumes: true,
                            });
                        }
                    }
                }
                requires.sort_by_key(|e| (e.index, e.consumes));
                requires.dedup_by(|later, earlier| {
                    let same = later.index == earlier.index;
                    earlier.consumes |= same && later.consumes;
                    same
                });
                let name = node.name.as_ref().map(|n| n.unraw().to_string());
                let (label, nested) = match node.kind {
                    NodeKind::Job(_) => (name.unwrap_or_default(), None),
                    NodeKind::Scheduler(inner) => {
                        let label = self
                            .literal_label(inner)
                            .or(name)
                            .unwrap_or_else(|| format!("scheduler-{}", at + 1));
                        (label, Some(self.graph(inner)))
                    }
                };
                jobs_draw::Node {
                    label,
                    critical: node.critical,
                    forever: node.forever,
                    state: None,
                    requires,
                    is_scheduler: nested.is_some(),
                    nested,
                    removed: false,
                    extra: (),
                }
            })
            .collect();
        jobs_draw::Graph {
            label: self.literal_label(scope),
            nodes,
        }
    }

    fn scheduler_var(&self, scope: usize) -> Ident {
        local(format!("__jobs_s{scope}"), Span::call_site())
    }

    fn handle(&self, node: usize) -> Ident {
        local(format!("__jobs_h{node}"), Span::call_site())
    }

    /// The type parameter of a job's output in the generated structs.
    fn param(&self, node: usize) -> Ident {
        format_ident!("T{}", node)
    }

    fn workflow(&self, errors: Option<TokenStream>) -> TokenStream {
        let p = &self.private;
        let new = local("__jobs_new", Span::call_site());
        let constructors = self.typed_scopes().map(|s| self.outcome_constructor(s));
        let partial = self.partial_constructor();
        let items = self.items();
        let s0 = self.scheduler_var(0);
        let top_settings = self.settings(0);
        let mut prepared = self.prepare();
        let mut added = vec![false; self.model.nodes.len()];
        let mut poisoned = vec![false; self.model.nodes.len()];
        let mut statements = self.add_scope(0, &mut added, &mut poisoned, &mut prepared);
        statements.extend(prepared.into_iter().map(|(_, statement)| statement));
        let statements = chunked(statements);
        let (ok, failed) = self.outcome_closures();
        quote! {
            {
                #errors
                let (#new, #(#constructors,)* #partial) = { #items };
                #[allow(unused_mut)]
                let mut #s0 = #p::Scheduler::new();
                #top_settings
                #statements
                #new(#s0, #ok, #failed)
            }
        }
    }

    /// The settings of a scope, as calls on its runtime scheduler.
    fn settings(&self, scope: usize) -> TokenStream {
        let var = self.scheduler_var(scope);
        let mut tokens = TokenStream::new();
        let owner = self.model.scopes[scope]
            .owner
            .and_then(|o| self.model.nodes.get(o));
        if let Some(name) = owner.and_then(|node| node.name.as_ref()) {
            let name = label(name);
            tokens.extend(quote!(#var.set_label(#name);));
        }
        for setting in &self.model.scopes[scope].settings {
            let method = match setting.kind {
                SettingKind::Label => "set_label",
                SettingKind::Window => "set_window",
                SettingKind::Timeout => "set_timeout",
                SettingKind::ShutdownTimeout => "set_shutdown_timeout",
            };
            let method = Ident::new(method, setting.name.span());
            let value = &setting.value;
            tokens.extend(quote_spanned!(setting.name.span()=> #var.#method(#value);));
        }
        tokens
    }

    /// In declaration order, each with its node: the runtime scheduler of each
    /// nested scheduler, with its settings, and the value of each job without
    /// inputs (so an `= EXPR` is evaluated when the workflow is built, in source
    /// order). `add_scope` places each one just before the first node added
    /// after it in declaration order.
    fn prepare(&self) -> VecDeque<(usize, Statement)> {
        let p = &self.private;
        let mut statements = VecDeque::new();
        for (index, node) in self.model.nodes.iter().enumerate() {
            match &node.kind {
                NodeKind::Scheduler(inner) => {
                    let var = self.scheduler_var(*inner);
                    let settings = self.settings(*inner);
                    statements.push_back((
                        index,
                        Statement {
                            binds: Some((var.clone(), true)),
                            consumes: None,
                            tokens: quote! {
                                #[allow(unused_mut)]
                                let mut #var = #p::Scheduler::new();
                                #settings
                            },
                        },
                    ));
                }
                NodeKind::Job(job) if job.inputs.is_empty() => {
                    let span = body_span(&job.body);
                    let value = local(format!("__jobs_x{index}"), span);
                    let clones = self.clones(job);
                    let prepared = prepared_job(index, &job.body);
                    // A block is a boxed job already; an expression is classified.
                    let tokens = match &job.body {
                        JobBody::Expr(expr) => {
                            let job_of = self.job_of(&value, span);
                            quote_spanned! {span=>
                                let #prepared = {
                                    let #value = { #clones #expr };
                                    #job_of
                                };
                            }
                        }
                        JobBody::Block(block) => {
                            let future = self.block_future(block, job.diverges);
                            quote_spanned! {span=>
                                let #prepared = { #clones #future };
                            }
                        }
                    };
                    statements.push_back((
                        index,
                        Statement {
                            binds: Some((prepared.clone(), false)),
                            consumes: None,
                            tokens,
                        },
                    ));
                }
                NodeKind::Job(_) => {}
            }
        }
        statements
    }

    /// `let a = Clone::clone(&a);` for each variable of `clone(...)` the
    /// body mentions.
    fn clones(&self, job: &JobNode) -> TokenStream {
        let names = &job.clones;
        quote! {
            #(
                #[allow(unused_variables)]
                let #names = ::core::clone::Clone::clone(&#names);
            )*
        }
    }

    /// Turns the value in `value` into a job: a future of `Result<T, E>`, a
    /// future of `T`, or anything that implements the job trait.
    fn job_of(&self, value: &Ident, span: Span) -> TokenStream {
        let p = &self.private;
        quote_spanned! {span=>
            {
                #[allow(unused_imports)]
                use #p::kinds::*;
                (&&&#p::Kind(&#value)).__jobs_kind().into_job(#value)
            }
        }
    }

    /// The future in `future` (of `Result<V, BoxError>`) as a boxed job: its
    /// value is `V`, or `T` when `V` is a `Result<T, E>`.
    fn lift(&self, future: &Ident, span: Span) -> TokenStream {
        let p = &self.private;
        quote_spanned! {span=>
            {
                #[allow(unused_imports)]
                use #p::kinds::*;
                (&&#p::Lift(&#future)).__jobs_lift().lift(#future)
            }
        }
    }

    /// A block body as a boxed job, where `?` works: one async block, whose
    /// value the runtime lifts. A block that never yields (`loop { ... }`) has
    /// the value `()`: the type of its value could not be inferred.
    fn block_future(&self, block: &proc_macro2::Group, diverges: bool) -> TokenStream {
        let p = &self.private;
        let span = block.span();
        let future = local("__jobs_f", span);
        let lift = self.lift(&future, span);
        let value = local("__jobs_v", span);
        let (allow, annotation) = if diverges {
            (quote!(#[allow(unreachable_code)]), quote!(: ()))
        } else {
            (TokenStream::new(), TokenStream::new())
        };
        quote_spanned! {span=>
            {
                #allow
                let #future = async move {
                    let #value #annotation = #block;
                    ::core::result::Result::<_, #p::BoxError>::Ok(#value)
                };
                #lift
            }
        }
    }

    /// The nodes of a scope, each after what it requires; a nested scheduler
    /// gets its own nodes first, then is added to its parent. Before each node,
    /// the `prepared` statements up to it in declaration order: when nodes are
    /// added in declaration order, each job is made just before it is added,
    /// and no made job waits to be added (which would make a function whose
    /// size, and compile time, grow much faster than the workflow's).
    fn add_scope(
        &self,
        scope: usize,
        added: &mut [bool],
        poisoned: &mut [bool],
        prepared: &mut VecDeque<(usize, Statement)>,
    ) -> Vec<Statement> {
        let p = &self.private;
        let var = self.scheduler_var(scope);
        let mut statements = Vec::new();
        for &index in &self.by_scope[scope] {
            while prepared.front().is_some_and(|&(at, _)| at <= index) {
                statements.extend(prepared.pop_front().map(|(_, statement)| statement));
            }
            let node = &self.model.nodes[index];
            let span = node.name.as_ref().map_or_else(Span::call_site, Ident::span);
            let mut chain = TokenStream::new();
            if let (NodeKind::Job(_), Some(name)) = (&node.kind, &node.name) {
                let name = label(name);
                chain.extend(quote!(.label(#name)));
            }
            if let Some(docs) = &node.docs {
                chain.extend(quote!(.details(#docs)));
            }
            let (critical, forever) = (node.critical, node.forever);
            chain.extend(quote!(.critical(#critical).forever(#forever)));
            for &required in &node.requires {
                // Dropped when it would go backwards: only after errors.
                if added.get(required).copied().unwrap_or(false) {
                    let handle = self.handle(required);
                    chain.extend(quote!(.requires(#handle)));
                }
            }
            let mut consumes = None;
            let add = match &node.kind {
                NodeKind::Scheduler(inner) => {
                    statements.extend(self.add_scope(*inner, added, poisoned, prepared));
                    let inner = self.scheduler_var(*inner);
                    consumes = Some(inner.clone());
                    quote_spanned!(span=> #var.add(#inner) #chain.id())
                }
                NodeKind::Job(job) if job.inputs.is_empty() => {
                    let prepared = prepared_job(index, &job.body);
                    // The braces carry the body's span, hygiene included:
                    // rustc reports an error about the argument of `add`
                    // ("... is not a job") at the argument only when its span
                    // has the same hygiene as the call's, and otherwise at the
                    // whole invocation. The name inside stays the macro's own.
                    let argument = quote_spanned!(body_span(&job.body)=> { #prepared });
                    consumes = Some(prepared);
                    quote_spanned!(span=> #var.add(#argument) #chain.id())
                }
                NodeKind::Job(job) => {
                    let sources: Vec<Option<usize>> = job.inputs.iter().map(|i| i.node).collect();
                    let ready = sources.iter().all(|source| {
                        source
                            .is_some_and(|s| added.get(s).copied().unwrap_or(false) && !poisoned[s])
                    });
                    if ready {
                        let handles = sources.iter().flatten().map(|&s| self.handle(s));
                        let names = job.inputs.iter().map(|i| &i.name);
                        let clones = self.clones(job);
                        let future = self.input_future(job);
                        quote_spanned! {span=>
                            {
                                #clones
                                #var.add_with((#(#handles,)*), move |(#(#names,)*)| #future) #chain.id()
                            }
                        }
                    } else {
                        // After an error in its inputs, a job that does
                        // nothing, so the body adds no errors of its own.
                        poisoned[index] = true;
                        let value = local("__jobs_x", span);
                        let job_of = self.job_of(&value, span);
                        quote_spanned! {span=>
                            {
                                let #value = async {
                                    ::core::result::Result::<(), #p::BoxError>::Ok(())
                                };
                                #var.add(#job_of) #chain.id()
                            }
                        }
                    }
                }
            };
            added[index] = true;
            if self.used[index] {
                let handle = self.handle(index);
                statements.push(Statement {
                    binds: Some((handle.clone(), false)),
                    consumes,
                    tokens: quote!(let #handle = #add;),
                });
            } else {
                statements.push(Statement {
                    binds: None,
                    consumes,
                    tokens: quote!(let _ = #add;),
                });
            }
        }
        statements
    }

    /// The body of a job with inputs, run when the job starts.
    fn input_future(&self, job: &JobNode) -> TokenStream {
        let p = &self.private;
        match &job.body {
            JobBody::Block(block) => self.block_future(block, job.diverges),
            JobBody::Expr(expr) => {
                let span = first_span(expr);
                let future = local("__jobs_f", span);
                let lift = self.lift(&future, span);
                quote_spanned! {span=>
                    {
                        let #future = async move {
                            ::core::result::Result::<_, #p::BoxError>::Ok((#expr).await)
                        };
                        #lift
                    }
                }
            }
        }
    }

    fn is_guaranteed(&self, node: usize) -> bool {
        let node = &self.model.nodes[node];
        node.critical && !node.forever
    }

    fn field_name(&self, node: usize) -> Ident {
        match &self.model.nodes[node].name {
            Some(name) => name.clone(),
            None => format_ident!("_{}", node),
        }
    }

    /// The constructor of the outcome struct of a typed scope.
    fn outcome_constructor(&self, scope: usize) -> Ident {
        local(format!("__jobs_outcome{scope}"), Span::call_site())
    }

    fn partial_constructor(&self) -> Ident {
        local("__jobs_partial", Span::call_site())
    }

    fn typed_scopes(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.model.scopes.len()).filter(|&s| self.typed[s])
    }

    /// The generated items, in a block of their own, whose value is the
    /// tuple of their constructors: the workflow's, each typed scope's
    /// outcome's, and the partial outcome's.
    ///
    /// Nothing here is generic over the jobs' outputs with bounds: the code
    /// that needs the output types (taking values out of the runtime
    /// outcome) is in closures at the invocation, where they are inferred.
    /// A method generic over one parameter per job, each with a bound, costs
    /// rustc time quadratic in the number of jobs.
    fn items(&self) -> TokenStream {
        let p = &self.private;
        let outcome_structs = self.typed_scopes().map(|s| self.outcome_struct(s));
        let fields = &self.model.scopes[0].fields;
        let partial_fields: Vec<Ident> = fields.iter().map(|&f| self.field_name(f)).collect();
        let partial_params: Vec<Ident> = fields.iter().map(|&f| self.param(f)).collect();
        let partial_generics = generic_list(&partial_params);
        let partial_labels = fields.iter().map(|&f| match &self.model.nodes[f].name {
            Some(name) => name.unraw().to_string(),
            None => String::new(),
        });
        let constructors = self.typed_scopes().map(|s| format_ident!("outcome{}", s));
        let dot = jobs_draw::dot(&self.graph(0));
        quote! {
            /// A workflow built by `workflow!`: run it with `run`.
            ///
            /// Generic over its outcomes, not over the closures that build
            /// them, so that its type reads well in error messages.
            struct Workflow<O, P> {
                scheduler: #p::Scheduler,
                /// Builds the typed outcome from the runtime's.
                ok: ::std::boxed::Box<dyn ::core::ops::FnOnce(#p::Outcome) -> O + ::core::marker::Send>,
                /// Builds the partial outcome from the runtime's.
                failed: ::std::boxed::Box<dyn ::core::ops::FnOnce(#p::Outcome) -> P + ::core::marker::Send>,
            }

            impl<O, P> Workflow<O, P> {
                /// Runs every job; the outcome holds each job's result.
                pub async fn run(self) -> ::core::result::Result<O, #p::Failure<P>> {
                    match #p::Scheduler::run(self.scheduler).await {
                        ::core::result::Result::Ok(outcome) => ::core::result::Result::Ok((self.ok)(outcome)),
                        ::core::result::Result::Err(failure) => {
                            ::core::result::Result::Err(failure.map_outcome(self.failed))
                        }
                    }
                }

                /// The runtime scheduler, to list or draw the workflow.
                #[allow(dead_code)]
                pub fn scheduler(&self) -> &#p::Scheduler {
                    &self.scheduler
                }

                /// The runtime scheduler, to change it or run it untyped.
                #[allow(dead_code)]
                pub fn into_scheduler(self) -> #p::Scheduler {
                    self.scheduler
                }

                /// Subscribes to the state changes of the jobs, for progress bars
                /// and live views (see `Scheduler::events`).
                #[allow(dead_code)]
                pub fn events(&mut self) -> #p::Events {
                    self.scheduler.events()
                }

                /// The workflow as a DOT graph, made when the workflow was compiled
                /// (the same text as `scheduler().dot()`).
                pub const DOT: &'static str = #dot;

                /// [`Self::DOT`]: the workflow as a DOT graph, made at compile time.
                #[allow(dead_code)]
                pub fn dot(&self) -> &'static str {
                    Self::DOT
                }
            }

            fn new<O, P>(
                scheduler: #p::Scheduler,
                ok: impl ::core::ops::FnOnce(#p::Outcome) -> O + ::core::marker::Send + 'static,
                failed: impl ::core::ops::FnOnce(#p::Outcome) -> P + ::core::marker::Send + 'static,
            ) -> Workflow<O, P> {
                Workflow {
                    scheduler,
                    ok: ::std::boxed::Box::new(ok),
                    failed: ::std::boxed::Box::new(failed),
                }
            }

            #(#outcome_structs)*

            /// The state of each job of the workflow when it failed.
            #[allow(dead_code, non_camel_case_types)]
            pub struct Partial #partial_generics {
                #(pub #partial_fields: #p::Status<#partial_params>,)*
                __jobs_runtime: #p::Outcome,
            }

            #[allow(non_camel_case_types)]
            impl #partial_generics Partial #partial_generics {
                /// The runtime's view of the run (values moved into the fields):
                /// states, errors, listings (`list`, `debrief`), graphs.
                #[allow(dead_code)]
                pub fn runtime(&self) -> &#p::Outcome {
                    &self.__jobs_runtime
                }
            }

            #[allow(non_camel_case_types, clippy::too_many_arguments)]
            fn partial #partial_generics (#(#partial_fields: #p::Status<#partial_params>,)* __jobs_runtime: #p::Outcome) -> Partial #partial_generics {
                Partial { #(#partial_fields,)* __jobs_runtime }
            }

            #[allow(non_camel_case_types)]
            impl #partial_generics ::core::fmt::Debug for Partial #partial_generics {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.debug_struct("Partial")
                        #(.field(#partial_labels, &State(&self.#partial_fields)))*
                        .finish()
                }
            }

            /// Shows a status without requiring `T: Debug`.
            #[allow(dead_code)]
            struct State<'a, T>(&'a #p::Status<T>);

            impl<T> ::core::fmt::Debug for State<'_, T> {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    match self.0 {
                        #p::Status::Done(_) => f.write_str("Done(..)"),
                        #p::Status::Failed(error) => f.debug_tuple("Failed").field(error).finish(),
                        other => ::core::fmt::Debug::fmt(&other.state(), f),
                    }
                }
            }

            (new, #(#constructors,)* partial)
        }
    }

    /// The typed outcome struct of a scope, a field per named job or
    /// scheduler, the plain value when the run's success guarantees it, and
    /// its constructor.
    fn outcome_struct(&self, scope: usize) -> TokenStream {
        let p = &self.private;
        let name = &self.outcome_names[scope];
        let fields = &self.model.scopes[scope].fields;
        let params: Vec<Ident> = fields.iter().map(|&f| self.param(f)).collect();
        let generics = generic_list(&params);
        let names: Vec<Ident> = fields.iter().map(|&f| self.field_name(f)).collect();
        let types: Vec<TokenStream> = fields
            .iter()
            .map(|&f| {
                let param = self.param(f);
                if self.is_guaranteed(f) {
                    quote!(#param)
                } else {
                    quote!(#p::Status<#param>)
                }
            })
            .collect();
        let doc = if scope == 0 {
            " The outcome of a successful run of the workflow."
        } else {
            " The outcome of a nested scheduler that succeeded."
        };
        let constructor = format_ident!("outcome{}", scope);
        if scope != 0 {
            return quote! {
                #[doc = #doc]
                #[derive(Debug)]
                #[allow(dead_code, non_camel_case_types)]
                pub struct #name #generics {
                    #(pub #names: #types,)*
                }

                #[allow(non_camel_case_types, clippy::too_many_arguments)]
                fn #constructor #generics (#(#names: #types,)*) -> #name #generics {
                    #name { #(#names,)* }
                }
            };
        }
        quote! {
            #[doc = #doc]
            #[derive(Debug)]
            #[allow(dead_code, non_camel_case_types)]
            pub struct #name #generics {
                #(pub #names: #types,)*
                __jobs_runtime: #p::Outcome,
            }

            #[allow(non_camel_case_types)]
            impl #generics #name #generics {
                /// The runtime's view of the run (values moved into the fields):
                /// states, errors, listings (`list`, `debrief`), graphs.
                #[allow(dead_code)]
                pub fn runtime(&self) -> &#p::Outcome {
                    &self.__jobs_runtime
                }
            }

            #[allow(non_camel_case_types, clippy::too_many_arguments)]
            fn #constructor #generics (#(#names: #types,)* __jobs_runtime: #p::Outcome) -> #name #generics {
                #name { #(#names,)* __jobs_runtime }
            }
        }
    }

    /// The typed outcome of a scope that succeeded, from the runtime outcome
    /// in `outcome`.
    fn outcome_value(&self, scope: usize, outcome: &Ident) -> TokenStream {
        let p = &self.private;
        let constructor = self.outcome_constructor(scope);
        let values = self.model.scopes[scope].fields.iter().map(|&f| {
            let handle = self.handle(f);
            let take = match self.model.nodes[f].kind {
                NodeKind::Job(_) => quote!(#p::take(&mut #outcome, #handle)),
                // Left in place, so that the runtime's view keeps it.
                NodeKind::Scheduler(_) => quote!(#p::take_nested(&mut #outcome, #handle)),
            };
            match (self.is_guaranteed(f), &self.model.nodes[f].kind) {
                (true, NodeKind::Job(_)) => quote!(#p::expect_done(#take)),
                (false, NodeKind::Job(_)) => take,
                (guaranteed, NodeKind::Scheduler(inner)) => {
                    // The nested scheduler's own outcome holds its jobs.
                    let nested = local(format!("__jobs_o{inner}"), Span::call_site());
                    let value = self.outcome_value(*inner, &nested);
                    let binding = self.outcome_binding(*inner, &nested);
                    if guaranteed {
                        quote!({
                            let #binding = #p::expect_done(#take);
                            #value
                        })
                    } else {
                        quote!(#take.map(|#binding| #value))
                    }
                }
            }
        });
        if scope == 0 {
            quote!(#constructor(#(#values,)* #outcome))
        } else {
            quote!(#constructor(#(#values),*))
        }
    }

    /// The status of each field of the workflow after a failed run, from the
    /// runtime outcome in `outcome`.
    fn partial_value(&self, outcome: &Ident) -> TokenStream {
        let p = &self.private;
        let values = self.model.scopes[0].fields.iter().map(|&f| {
            let handle = self.handle(f);
            match self.model.nodes[f].kind {
                NodeKind::Job(_) => quote!(#p::take(&mut #outcome, #handle)),
                NodeKind::Scheduler(inner) => {
                    let take = quote!(#p::take_nested(&mut #outcome, #handle));
                    let nested = local(format!("__jobs_o{inner}"), Span::call_site());
                    let value = self.outcome_value(inner, &nested);
                    let binding = self.outcome_binding(inner, &nested);
                    quote!(#take.map(|#binding| #value))
                }
            }
        });
        let constructor = self.partial_constructor();
        quote!(#constructor(#(#values,)* #outcome))
    }

    /// `mut outcome`, or `_` when a nested scope has no fields to take (the
    /// top scope's outcome is kept in the typed one).
    fn outcome_binding(&self, scope: usize, outcome: &Ident) -> TokenStream {
        if scope != 0 && self.model.scopes[scope].fields.is_empty() {
            quote!(_)
        } else {
            quote!(mut #outcome)
        }
    }

    /// The closures that build the typed outcome and the partial outcome
    /// from the runtime's, typed by the handles they capture.
    fn outcome_closures(&self) -> (TokenStream, TokenStream) {
        let p = &self.private;
        let outcome = local("__jobs_o", Span::call_site());
        let binding = self.outcome_binding(0, &outcome);
        let ok = self.outcome_value(0, &outcome);
        let failed = self.partial_value(&outcome);
        (
            quote!(move |#binding: #p::Outcome| #ok),
            quote!(move |#binding: #p::Outcome| #failed),
        )
    }
}

/// A statement of the expansion, and the local it binds, if any (with
/// whether it is mutable).
struct Statement {
    binds: Option<(Ident, bool)>,
    /// Locals this statement moves: they cannot be returned from its chunk.
    consumes: Option<Ident>,
    tokens: TokenStream,
}

/// The statements, in blocks of at most `CHUNK` that return what they bind.
///
/// Each `let` opens a scope nested in the one before, until the end of its
/// block; thousands of them in one block nest so deep that LLVM overflows its
/// stack writing their debug info. A workflow small enough to fit in one
/// chunk is left flat, as it reads best.
fn chunked(statements: Vec<Statement>) -> TokenStream {
    const CHUNK: usize = 64;
    if statements.len() <= CHUNK {
        return statements.into_iter().map(|s| s.tokens).collect();
    }
    let mut tokens = TokenStream::new();
    for chunk in statements.chunks(CHUNK) {
        let body = chunk.iter().map(|s| &s.tokens);
        let consumed: Vec<&Ident> = chunk.iter().filter_map(|s| s.consumes.as_ref()).collect();
        let bound: Vec<&(Ident, bool)> = chunk
            .iter()
            .filter_map(|s| s.binds.as_ref())
            .filter(|(name, _)| !consumed.contains(&name))
            .collect();
        let names = bound.iter().map(|(name, _)| name);
        let patterns = bound.iter().map(|(name, mutable)| {
            if *mutable {
                quote!(mut #name)
            } else {
                quote!(#name)
            }
        });
        tokens.extend(quote! {
            #[allow(unused_mut)]
            let (#(#patterns,)*) = { #(#body)* (#(#names,)*) };
        });
    }
    tokens
}

/// The job made of a body without inputs, before it is added: a local of the
/// macro's own (mixed-site hygiene), which the user's expressions cannot name
/// or see, located at the body for error messages.
fn prepared_job(index: usize, body: &JobBody) -> Ident {
    local(format!("__jobs_j{index}"), body_span(body))
}

fn body_span(body: &JobBody) -> Span {
    match body {
        JobBody::Expr(expr) => first_span(expr),
        JobBody::Block(block) => block.span(),
    }
}
