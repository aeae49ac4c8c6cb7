// workflow! {
    label = "outer";
    noncritical scheduler stage {
        shutdown_timeout = None;
        scheduler inner { job deep = deep(); }
        forever job spin = spin();
    }
    scheduler requires(stage) { job hidden = hidden(); }
}

fn expansion() {
    let workflow = {
        let (
            __jobs_new,
            __jobs_outcome0,
            __jobs_outcome1,
            __jobs_outcome2,
            __jobs_partial,
        ) = {
            /// A workflow built by `workflow!`: run it with `run`.
            ///
            /// Generic over its outcomes, not over the closures that build
            /// them, so that its type reads well in error messages.
            struct Workflow<O, P> {
                scheduler: jobs_core::__private::Scheduler,
                /// Builds the typed outcome from the runtime's.
                ok: ::std::boxed::Box<
                    dyn ::core::ops::FnOnce(
                        jobs_core::__private::Outcome,
                    ) -> O + ::core::marker::Send,
                >,
                /// Builds the partial outcome from the runtime's.
                failed: ::std::boxed::Box<
                    dyn ::core::ops::FnOnce(
                        jobs_core::__private::Outcome,
                    ) -> P + ::core::marker::Send,
                >,
            }
            impl<O, P> Workflow<O, P> {
                /// Runs every job; the outcome holds each job's result.
                pub async fn run(
                    self,
                ) -> ::core::result::Result<O, jobs_core::__private::Failure<P>> {
                    match jobs_core::__private::Scheduler::run(self.scheduler).await {
                        ::core::result::Result::Ok(outcome) => {
                            ::core::result::Result::Ok((self.ok)(outcome))
                        }
                        ::core::result::Result::Err(failure) => {
                            ::core::result::Result::Err(failure.map_outcome(self.failed))
                        }
                    }
                }
                /// The runtime scheduler, to list or draw the workflow.
                #[allow(dead_code)]
                pub fn scheduler(&self) -> &jobs_core::__private::Scheduler {
                    &self.scheduler
                }
                /// The runtime scheduler, to change it or run it untyped.
                #[allow(dead_code)]
                pub fn into_scheduler(self) -> jobs_core::__private::Scheduler {
                    self.scheduler
                }
                /// Subscribes to the state changes of the jobs, for progress bars
                /// and live views (see `Scheduler::events`).
                #[allow(dead_code)]
                pub fn events(&mut self) -> jobs_core::__private::Events {
                    self.scheduler.events()
                }
                /// The workflow as a DOT graph, made when the workflow was compiled
                /// (the same text as `scheduler().dot()`).
                pub const DOT: &'static str = "digraph workflow{\ncompound=true;\ngraph [label=\"outer\"];\nsubgraph cluster_1{\ncompound=true;\ngraph [style=\"\",label=\"1: stage\",shape=\"box\",penwidth=\"0.5\"];\nsubgraph cluster_2{\ncompound=true;\ngraph [style=\"\",label=\"2: inner\",shape=\"box\",color=\"red\",penwidth=\"2\"];\n3 [style=\"rounded\",label=\"3: deep\",shape=\"box\",color=\"red\",penwidth=\"2\"]\n}\n4 [style=\"rounded,dashed\",label=\"4: spin\",shape=\"box\",color=\"red\",penwidth=\"2\"]\n}\nsubgraph cluster_5{\ncompound=true;\ngraph [style=\"\",label=\"5: scheduler-2\",shape=\"box\",color=\"red\",penwidth=\"2\"];\n6 [style=\"rounded\",label=\"6: hidden\",shape=\"box\",color=\"red\",penwidth=\"2\"]\n}\n3 -> 6 [ltail=cluster_1,lhead=cluster_5];\n}\n";
                /// [`Self::DOT`]: the workflow as a DOT graph, made at compile time.
                #[allow(dead_code)]
                pub fn dot(&self) -> &'static str {
                    Self::DOT
                }
            }
            fn new<O, P>(
                scheduler: jobs_core::__private::Scheduler,
                ok: impl ::core::ops::FnOnce(
                    jobs_core::__private::Outcome,
                ) -> O + ::core::marker::Send + 'static,
                failed: impl ::core::ops::FnOnce(
                    jobs_core::__private::Outcome,
                ) -> P + ::core::marker::Send + 'static,
            ) -> Workflow<O, P> {
                Workflow {
                    scheduler,
                    ok: ::std::boxed::Box::new(ok),
                    failed: ::std::boxed::Box::new(failed),
                }
            }
            /// The outcome of a successful run of the workflow.
            #[derive(Debug)]
            #[allow(dead_code, non_camel_case_types)]
            pub struct Outcome<T0> {
                pub stage: jobs_core::__private::Status<T0>,
                __jobs_runtime: jobs_core::__private::Outcome,
            }
            #[allow(non_camel_case_types)]
            impl<T0> Outcome<T0> {
                /// The runtime's view of the run (values moved into the fields):
                /// states, errors, listings (`list`, `debrief`), graphs.
                #[allow(dead_code)]
                pub fn runtime(&self) -> &jobs_core::__private::Outcome {
                    &self.__jobs_runtime
                }
            }
            #[allow(non_camel_case_types, clippy::too_many_arguments)]
            fn outcome0<T0>(
                stage: jobs_core::__private::Status<T0>,
                __jobs_runtime: jobs_core::__private::Outcome,
            ) -> Outcome<T0> {
                Outcome { stage, __jobs_runtime }
            }
            /// The outcome of a nested scheduler that succeeded.
            #[derive(Debug)]
            #[allow(dead_code, non_camel_case_types)]
            pub struct Outcome_stage<T1, T3> {
                pub inner: T1,
                pub spin: jobs_core::__private::Status<T3>,
            }
            #[allow(non_camel_case_types, clippy::too_many_arguments)]
            fn outcome1<T1, T3>(
                inner: T1,
                spin: jobs_core::__private::Status<T3>,
            ) -> Outcome_stage<T1, T3> {
                Outcome_stage { inner, spin }
            }
            /// The outcome of a nested scheduler that succeeded.
            #[derive(Debug)]
            #[allow(dead_code, non_camel_case_types)]
            pub struct Outcome_stage_inner<T2> {
                pub deep: T2,
            }
            #[allow(non_camel_case_types, clippy::too_many_arguments)]
            fn outcome2<T2>(deep: T2) -> Outcome_stage_inner<T2> {
                Outcome_stage_inner { deep }
            }
            /// The state of each job of the workflow when it failed.
            #[allow(dead_code, non_camel_case_types)]
            pub struct Partial<T0> {
                pub stage: jobs_core::__private::Status<T0>,
                __jobs_runtime: jobs_core::__private::Outcome,
            }
            #[allow(non_camel_case_types)]
            impl<T0> Partial<T0> {
                /// The runtime's view of the run (values moved into the fields):
                /// states, errors, listings (`list`, `debrief`), graphs.
                #[allow(dead_code)]
                pub fn runtime(&self) -> &jobs_core::__private::Outcome {
                    &self.__jobs_runtime
                }
            }
            #[allow(non_camel_case_types, clippy::too_many_arguments)]
            fn partial<T0>(
                stage: jobs_core::__private::Status<T0>,
                __jobs_runtime: jobs_core::__private::Outcome,
            ) -> Partial<T0> {
                Partial { stage, __jobs_runtime }
            }
            #[allow(non_camel_case_types)]
            impl<T0> ::core::fmt::Debug for Partial<T0> {
                fn fmt(
                    &self,
                    f: &mut ::core::fmt::Formatter<'_>,
                ) -> ::core::fmt::Result {
                    f.debug_struct("Partial")
                        .field("stage", &State(&self.stage))
                        .finish()
                }
            }
            /// Shows a status without requiring `T: Debug`.
            #[allow(dead_code)]
            struct State<'a, T>(&'a jobs_core::__private::Status<T>);
            impl<T> ::core::fmt::Debug for State<'_, T> {
                fn fmt(
                    &self,
                    f: &mut ::core::fmt::Formatter<'_>,
                ) -> ::core::fmt::Result {
                    match self.0 {
                        jobs_core::__private::Status::Done(_) => f.write_str("Done(..)"),
                        jobs_core::__private::Status::Failed(error) => {
                            f.debug_tuple("Failed").field(error).finish()
                        }
                        other => ::core::fmt::Debug::fmt(&other.state(), f),
                    }
                }
            }
            (new, outcome0, outcome1, outcome2, partial)
        };
        #[allow(unused_mut)]
        let mut __jobs_s0 = jobs_core::__private::Scheduler::new();
        __jobs_s0.set_label("outer");
        #[allow(unused_mut)]
        let mut __jobs_s1 = jobs_core::__private::Scheduler::new();
        __jobs_s1.set_label("stage");
        __jobs_s1.set_shutdown_timeout(None);
        #[allow(unused_mut)]
        let mut __jobs_s2 = jobs_core::__private::Scheduler::new();
        __jobs_s2.set_label("inner");
        let __jobs_j2 = {
            let __jobs_x2 = { deep() };
            {
                #[allow(unused_imports)]
                use jobs_core::__private::kinds::*;
                (&&&jobs_core::__private::Kind(&__jobs_x2))
                    .__jobs_kind()
                    .into_job(__jobs_x2)
            }
        };
        let __jobs_h2 = __jobs_s2
            .add({ __jobs_j2 })
            .label("deep")
            .critical(true)
            .forever(false)
            .id();
        let __jobs_h1 = __jobs_s1.add(__jobs_s2).critical(true).forever(false).id();
        let __jobs_j3 = {
            let __jobs_x3 = { spin() };
            {
                #[allow(unused_imports)]
                use jobs_core::__private::kinds::*;
                (&&&jobs_core::__private::Kind(&__jobs_x3))
                    .__jobs_kind()
                    .into_job(__jobs_x3)
            }
        };
        let __jobs_h3 = __jobs_s1
            .add({ __jobs_j3 })
            .label("spin")
            .critical(true)
            .forever(true)
            .id();
        let __jobs_h0 = __jobs_s0.add(__jobs_s1).critical(false).forever(false).id();
        #[allow(unused_mut)]
        let mut __jobs_s3 = jobs_core::__private::Scheduler::new();
        let __jobs_j5 = {
            let __jobs_x5 = { hidden() };
            {
                #[allow(unused_imports)]
                use jobs_core::__private::kinds::*;
                (&&&jobs_core::__private::Kind(&__jobs_x5))
                    .__jobs_kind()
                    .into_job(__jobs_x5)
            }
        };
        let _ = __jobs_s3
            .add({ __jobs_j5 })
            .label("hidden")
            .critical(true)
            .forever(false)
            .id();
        let _ = __jobs_s0
            .add(__jobs_s3)
            .critical(true)
            .forever(false)
            .requires(__jobs_h0)
            .id();
        __jobs_new(
            __jobs_s0,
            move |mut __jobs_o: jobs_core::__private::Outcome| __jobs_outcome0(
                jobs_core::__private::take_nested(&mut __jobs_o, __jobs_h0)
                    .map(|mut __jobs_o1| __jobs_outcome1(
                        {
                            let mut __jobs_o2 = jobs_core::__private::expect_done(
                                jobs_core::__private::take_nested(&mut __jobs_o1, __jobs_h1),
                            );
                            __jobs_outcome2(
                                jobs_core::__private::expect_done(
                                    jobs_core::__private::take(&mut __jobs_o2, __jobs_h2),
                                ),
                            )
                        },
                        jobs_core::__private::take(&mut __jobs_o1, __jobs_h3),
                    )),
                __jobs_o,
            ),
            move |mut __jobs_o: jobs_core::__private::Outcome| __jobs_partial(
                jobs_core::__private::take_nested(&mut __jobs_o, __jobs_h0)
                    .map(|mut __jobs_o1| __jobs_outcome1(
                        {
                            let mut __jobs_o2 = jobs_core::__private::expect_done(
                                jobs_core::__private::take_nested(&mut __jobs_o1, __jobs_h1),
                            );
                            __jobs_outcome2(
                                jobs_core::__private::expect_done(
                                    jobs_core::__private::take(&mut __jobs_o2, __jobs_h2),
                                ),
                            )
                        },
                        jobs_core::__private::take(&mut __jobs_o1, __jobs_h3),
                    )),
                __jobs_o,
            ),
        )
    };
}
