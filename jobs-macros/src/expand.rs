//! Code generation from the checked model; it cannot fail.
//!
//! The expansion is a block that builds the runtime schedulers and evaluates
//! to a value of a generated `Workflow` struct, whose `run` returns a typed
//! outcome. The generated items live in a block of their own, away from the
//! user's expressions, so their names cannot shadow the user's; generated
//! locals have mixed-site hygiene and a `__jobs_` prefix; the runtime is named
//! through the crate path handed over by `jobs_core::workflow!`.

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
        let items = self.items();
        let s0 = self.scheduler_var(0);
        let top_settings = self.settings(0);
        let prepared = self.prepare();
        let mut added = vec![false; self.model.nodes.len()];
        let mut poisoned = vec![false; self.model.nodes.len()];
        let adds = self.add_scope(0, &mut added, &mut poisoned);
        let handles = self.struct_handles().into_iter().map(|n| self.handle(n));
        quote! {
            {
                #errors
                let #new = { #items };
                let mut #s0 = #p::Scheduler::new();
                #top_settings
                #prepared
                #adds
                #new(#s0, #(#handles),*)
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

    /// In declaration order: the runtime scheduler of each nested scheduler,
    /// with its settings, and the value of each job without inputs (so an
    /// `= EXPR` is evaluated when the workflow is built, in source order).
    fn prepare(&self) -> TokenStream {
        let p = &self.private;
        let mut tokens = TokenStream::new();
        for (index, node) in self.model.nodes.iter().enumerate() {
            match &node.kind {
                NodeKind::Scheduler(inner) => {
                    let var = self.scheduler_var(*inner);
                    let settings = self.settings(*inner);
                    tokens.extend(quote! {
                        let mut #var = #p::Scheduler::new();
                        #settings
                    });
                }
                NodeKind::Job(job) if job.inputs.is_empty() => {
                    let span = body_span(&job.body);
                    let value = local(format!("__jobs_x{index}"), span);
                    let clones = self.clones(job);
                    let body = match &job.body {
                        JobBody::Expr(expr) => quote!(#expr),
                        JobBody::Block(block) => self.block_future(block),
                    };
                    let job_of = self.job_of(&value, span);
                    let prepared = prepared_job(index, &job.body);
                    tokens.extend(quote_spanned! {span=>
                        let #value = { #clones #body };
                        let #prepared = #job_of;
                    });
                }
                NodeKind::Job(_) => {}
            }
        }
        tokens
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

    /// The value of `value` (a `T` or a `Result<T, E>`) as a
    /// `Result<T, BoxError>`.
    fn lift(&self, value: &Ident, span: Span) -> TokenStream {
        let p = &self.private;
        quote_spanned! {span=>
            {
                #[allow(unused_imports)]
                use #p::kinds::*;
                (&&#p::Lift(&#value)).__jobs_lift().lift(#value)
            }
        }
    }

    /// A block body as a future of `Result<T, BoxError>`, where `?` works.
    fn block_future(&self, block: &proc_macro2::Group) -> TokenStream {
        let p = &self.private;
        let span = block.span();
        let value = local("__jobs_v", span);
        let error = local("__jobs_e", span);
        let lift = self.lift(&value, span);
        quote_spanned! {span=>
            async move {
                let #value = match (async move {
                    let #value = #block;
                    ::core::result::Result::<_, #p::BoxError>::Ok(#value)
                })
                .await
                {
                    ::core::result::Result::Ok(#value) => #value,
                    ::core::result::Result::Err(#error) => return ::core::result::Result::Err(#error),
                };
                #lift
            }
        }
    }

    /// The nodes of a scope, each after what it requires; a nested scheduler
    /// gets its own nodes first, then is added to its parent.
    fn add_scope(&self, scope: usize, added: &mut [bool], poisoned: &mut [bool]) -> TokenStream {
        let p = &self.private;
        let var = self.scheduler_var(scope);
        let mut tokens = TokenStream::new();
        for &index in &self.by_scope[scope] {
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
            let add = match &node.kind {
                NodeKind::Scheduler(inner) => {
                    tokens.extend(self.add_scope(*inner, added, poisoned));
                    let inner = self.scheduler_var(*inner);
                    quote_spanned!(span=> #var.add(#inner) #chain.id())
                }
                NodeKind::Job(job) if job.inputs.is_empty() => {
                    let prepared = prepared_job(index, &job.body);
                    quote_spanned!(span=> #var.add(#prepared) #chain.id())
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
                tokens.extend(quote!(let #handle = #add;));
            } else {
                tokens.extend(quote!(let _ = #add;));
            }
        }
        tokens
    }

    /// The body of a job with inputs, run when the job starts.
    fn input_future(&self, job: &JobNode) -> TokenStream {
        match &job.body {
            JobBody::Block(block) => self.block_future(block),
            JobBody::Expr(expr) => {
                let span = first_span(expr);
                let value = local("__jobs_v", span);
                let lift = self.lift(&value, span);
                quote_spanned! {span=>
                    async move {
                        let #value = (#expr).await;
                        #lift
                    }
                }
            }
        }
    }

    /// The nodes whose handles the workflow struct keeps: the fields of the
    /// typed scopes, in declaration order.
    fn struct_handles(&self) -> Vec<usize> {
        let mut handles: Vec<usize> = self
            .model
            .scopes
            .iter()
            .enumerate()
            .filter(|&(index, _)| self.typed[index])
            .flat_map(|(_, scope)| scope.fields.iter().copied())
            .collect();
        handles.sort_unstable();
        handles
    }

    /// The job-output type parameters of the workflow struct.
    fn struct_params(&self) -> Vec<Ident> {
        self.struct_handles()
            .into_iter()
            .filter(|&n| matches!(self.model.nodes[n].kind, NodeKind::Job(_)))
            .map(|n| self.param(n))
            .collect()
    }

    /// The type of a field's value: a job's output, or a nested outcome.
    fn value_type(&self, node: usize) -> TokenStream {
        match &self.model.nodes[node].kind {
            NodeKind::Job(_) => {
                let param = self.param(node);
                quote!(#param)
            }
            NodeKind::Scheduler(inner) => {
                let name = &self.outcome_names[*inner];
                let args = self.model.scopes[*inner]
                    .fields
                    .iter()
                    .map(|&f| self.value_type(f));
                let args: Vec<TokenStream> = args.collect();
                if args.is_empty() {
                    quote!(#name)
                } else {
                    quote!(#name<#(#args),*>)
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

    /// The generated items, in a block of their own: the structs and the
    /// constructor, which is the block's value.
    fn items(&self) -> TokenStream {
        let p = &self.private;
        let params = self.struct_params();
        let generics = generic_list(&params);
        let handle_nodes = self.struct_handles();
        let handle_fields: Vec<Ident> = handle_nodes
            .iter()
            .map(|&n| format_ident!("__jobs_h{}", n))
            .collect();
        let handle_types: Vec<TokenStream> = handle_nodes
            .iter()
            .map(|&n| match self.model.nodes[n].kind {
                NodeKind::Job(_) => {
                    let param = self.param(n);
                    quote!(#p::JobRef<#param>)
                }
                NodeKind::Scheduler(_) => quote!(#p::JobRef<#p::Outcome>),
            })
            .collect();
        let handle_locals: Vec<Ident> = handle_nodes.iter().map(|&n| self.handle(n)).collect();

        let outcome_structs = (0..self.model.scopes.len())
            .filter(|&s| self.typed[s])
            .map(|s| self.outcome_struct(s));
        let outcome_type = self.value_type_of_scope(0);
        let partial_fields: Vec<Ident> = self.model.scopes[0]
            .fields
            .iter()
            .map(|&f| self.field_name(f))
            .collect();
        let partial_args: Vec<TokenStream> = self.model.scopes[0]
            .fields
            .iter()
            .map(|&f| self.value_type(f))
            .collect();
        let partial_params: Vec<Ident> = self.model.scopes[0]
            .fields
            .iter()
            .map(|&f| self.param(f))
            .collect();
        let partial_generics = generic_list(&partial_params);
        let partial_type = if partial_args.is_empty() {
            quote!(Partial)
        } else {
            quote!(Partial<#(#partial_args),*>)
        };
        let partial_labels =
            self.model.scopes[0]
                .fields
                .iter()
                .map(|&f| match &self.model.nodes[f].name {
                    Some(name) => name.unraw().to_string(),
                    None => String::new(),
                });
        let outcome = local("__jobs_o", Span::call_site());
        let failure = local("__jobs_f", Span::call_site());
        let ok_value = self.outcome_value(0, &outcome);
        let partial_values = self.model.scopes[0]
            .fields
            .iter()
            .map(|&f| self.status_value(f, &outcome));
        let where_clause = if params.is_empty() {
            TokenStream::new()
        } else {
            quote!(where #(#params: 'static,)*)
        };
        quote! {
            /// A workflow built by `workflow!`: run it with `run`.
            #[allow(dead_code, non_camel_case_types)]
            struct Workflow #generics {
                __jobs_scheduler: #p::Scheduler,
                #(#handle_fields: #handle_types,)*
            }

            #[allow(dead_code, unused_mut, unused_variables)]
            impl #generics Workflow #generics #where_clause {
                /// Runs every job; the outcome holds each job's result.
                pub async fn run(self) -> ::core::result::Result<#outcome_type, #p::Failure<#partial_type>> {
                    #(let #handle_locals = self.#handle_fields;)*
                    match #p::Scheduler::run(self.__jobs_scheduler).await {
                        ::core::result::Result::Ok(mut #outcome) => ::core::result::Result::Ok(#ok_value),
                        ::core::result::Result::Err(#failure) => ::core::result::Result::Err(
                            #failure.map_outcome(move |mut #outcome| Partial {
                                #(#partial_fields: #partial_values,)*
                            }),
                        ),
                    }
                }

                /// The runtime scheduler, to list or draw the workflow.
                pub fn scheduler(&self) -> &#p::Scheduler {
                    &self.__jobs_scheduler
                }

                /// The runtime scheduler, to change it or run it untyped.
                pub fn into_scheduler(self) -> #p::Scheduler {
                    self.__jobs_scheduler
                }
            }

            #(#outcome_structs)*

            /// The state of each job of the workflow when it failed.
            #[allow(dead_code, non_camel_case_types)]
            pub struct Partial #partial_generics {
                #(pub #partial_fields: #p::Status<#partial_params>,)*
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

            #[allow(clippy::too_many_arguments)]
            fn new #generics (
                scheduler: #p::Scheduler,
                #(#handle_fields: #handle_types,)*
            ) -> Workflow #generics {
                Workflow {
                    __jobs_scheduler: scheduler,
                    #(#handle_fields,)*
                }
            }

            new
        }
    }

    fn value_type_of_scope(&self, scope: usize) -> TokenStream {
        let name = &self.outcome_names[scope];
        let args: Vec<TokenStream> = self.model.scopes[scope]
            .fields
            .iter()
            .map(|&f| self.value_type(f))
            .collect();
        if args.is_empty() {
            quote!(#name)
        } else {
            quote!(#name<#(#args),*>)
        }
    }

    /// The typed outcome struct of a scope: a field per named job or
    /// scheduler, the plain value when the run's success guarantees it.
    fn outcome_struct(&self, scope: usize) -> TokenStream {
        let p = &self.private;
        let name = &self.outcome_names[scope];
        let fields = &self.model.scopes[scope].fields;
        let params: Vec<Ident> = fields.iter().map(|&f| self.param(f)).collect();
        let generics = generic_list(&params);
        let names = fields.iter().map(|&f| self.field_name(f));
        let types = fields.iter().map(|&f| {
            let param = self.param(f);
            if self.is_guaranteed(f) {
                quote!(#param)
            } else {
                quote!(#p::Status<#param>)
            }
        });
        let doc = if scope == 0 {
            " The outcome of a successful run of the workflow.".to_owned()
        } else {
            " The outcome of a nested scheduler that succeeded.".to_owned()
        };
        quote! {
            #[doc = #doc]
            #[derive(Debug)]
            #[allow(dead_code, non_camel_case_types)]
            pub struct #name #generics {
                #(pub #names: #types,)*
            }
        }
    }

    /// The outcome struct of a scope, from the runtime outcome `outcome`, for
    /// a scope that succeeded.
    fn outcome_value(&self, scope: usize, outcome: &Ident) -> TokenStream {
        let p = &self.private;
        let name = &self.outcome_names[scope];
        let fields = &self.model.scopes[scope].fields;
        let names = fields.iter().map(|&f| self.field_name(f));
        let values = fields.iter().map(|&f| {
            let handle = self.handle(f);
            let take = quote!(#p::take(&mut #outcome, #handle));
            match (self.is_guaranteed(f), &self.model.nodes[f].kind) {
                (true, NodeKind::Job(_)) => quote!(#p::expect_done(#take)),
                (false, NodeKind::Job(_)) => take,
                (guaranteed, NodeKind::Scheduler(inner)) => {
                    // The nested scheduler's own outcome holds its jobs.
                    let nested = local(format!("__jobs_o{inner}"), Span::call_site());
                    let value = self.outcome_value(*inner, &nested);
                    if guaranteed {
                        quote!({
                            let mut #nested = #p::expect_done(#take);
                            #value
                        })
                    } else {
                        quote!(#take.map(|mut #nested| #value))
                    }
                }
            }
        });
        quote!(#name { #(#names: #values,)* })
    }

    /// The status of a field, from the runtime outcome `outcome`.
    fn status_value(&self, node: usize, outcome: &Ident) -> TokenStream {
        let p = &self.private;
        let handle = self.handle(node);
        let take = quote!(#p::take(&mut #outcome, #handle));
        match self.model.nodes[node].kind {
            NodeKind::Job(_) => take,
            NodeKind::Scheduler(inner) => {
                let nested = local(format!("__jobs_o{inner}"), Span::call_site());
                let value = self.outcome_value(inner, &nested);
                quote!(#take.map(|mut #nested| #value))
            }
        }
    }
}

/// The job made of a body without inputs, before it is added. The name has
/// the body's own span, hygiene included: rustc reports an error about the
/// argument of `add` ("... is not a job") at the span of the argument, and
/// only a span of the user's own tokens is shown as it is, not replaced with
/// the whole invocation.
fn prepared_job(index: usize, body: &JobBody) -> Ident {
    Ident::new(&format!("__jobs_j{index}"), body_span(body))
}

fn body_span(body: &JobBody) -> Span {
    match body {
        JobBody::Expr(expr) => first_span(expr),
        JobBody::Block(block) => block.span(),
    }
}
