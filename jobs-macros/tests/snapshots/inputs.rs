// workflow! {
    clone(client);
    job report(total) = publish(total, client);
    job total(a, r#b) { a + r#b }
    job a { 1 }
    job r#b = async { Ok::<_, std::io::Error>(2) };
}

fn expansion() {
    let workflow = {
        let (__jobs_new, __jobs_outcome0, __jobs_partial) = {
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
                pub const DOT: &'static str = "digraph workflow{\ncompound=true;\ngraph [];\n1 [style=\"rounded\",label=\"1: a\",shape=\"box\",color=\"red\",penwidth=\"2\"]\n2 [style=\"rounded\",label=\"2: b\",shape=\"box\",color=\"red\",penwidth=\"2\"]\n3 [style=\"rounded\",label=\"3: total\",shape=\"box\",color=\"red\",penwidth=\"2\"]\n1 -> 3;\n2 -> 3;\n4 [style=\"rounded\",label=\"4: report\",shape=\"box\",color=\"red\",penwidth=\"2\"]\n3 -> 4;\n}\n";
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
            pub struct Outcome<T0, T1, T2, T3> {
                pub report: T0,
                pub total: T1,
                pub a: T2,
                pub r#b: T3,
                __jobs_runtime: jobs_core::__private::Outcome,
            }
            #[allow(non_camel_case_types)]
            impl<T0, T1, T2, T3> Outcome<T0, T1, T2, T3> {
                /// The runtime's view of the run (values moved into the fields):
                /// states, errors, listings (`list`, `debrief`), graphs.
                #[allow(dead_code)]
                pub fn runtime(&self) -> &jobs_core::__private::Outcome {
                    &self.__jobs_runtime
                }
            }
            #[allow(non_camel_case_types, clippy::too_many_arguments)]
            fn outcome0<T0, T1, T2, T3>(
                report: T0,
                total: T1,
                a: T2,
                r#b: T3,
                __jobs_runtime: jobs_core::__private::Outcome,
            ) -> Outcome<T0, T1, T2, T3> {
                Outcome {
                    report,
                    total,
                    a,
                    r#b,
                    __jobs_runtime,
                }
            }
            /// The state of each job of the workflow when it failed.
            #[allow(dead_code, non_camel_case_types)]
            pub struct Partial<T0, T1, T2, T3> {
                pub report: jobs_core::__private::Status<T0>,
                pub total: jobs_core::__private::Status<T1>,
                pub a: jobs_core::__private::Status<T2>,
                pub r#b: jobs_core::__private::Status<T3>,
                __jobs_runtime: jobs_core::__private::Outcome,
            }
            #[allow(non_camel_case_types)]
            impl<T0, T1, T2, T3> Partial<T0, T1, T2, T3> {
                /// The runtime's view of the run (values moved into the fields):
                /// states, errors, listings (`list`, `debrief`), graphs.
                #[allow(dead_code)]
                pub fn runtime(&self) -> &jobs_core::__private::Outcome {
                    &self.__jobs_runtime
                }
            }
            #[allow(non_camel_case_types, clippy::too_many_arguments)]
            fn partial<T0, T1, T2, T3>(
                report: jobs_core::__private::Status<T0>,
                total: jobs_core::__private::Status<T1>,
                a: jobs_core::__private::Status<T2>,
                r#b: jobs_core::__private::Status<T3>,
                __jobs_runtime: jobs_core::__private::Outcome,
            ) -> Partial<T0, T1, T2, T3> {
                Partial {
                    report,
                    total,
                    a,
                    r#b,
                    __jobs_runtime,
                }
            }
            #[allow(non_camel_case_types)]
            impl<T0, T1, T2, T3> ::core::fmt::Debug for Partial<T0, T1, T2, T3> {
                fn fmt(
                    &self,
                    f: &mut ::core::fmt::Formatter<'_>,
                ) -> ::core::fmt::Result {
                    f.debug_struct("Partial")
                        .field("report", &State(&self.report))
                        .field("total", &State(&self.total))
                        .field("a", &State(&self.a))
                        .field("b", &State(&self.r#b))
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
            (new, outcome0, partial)
        };
        #[allow(unused_mut)]
        let mut __jobs_s0 = jobs_core::__private::Scheduler::new();
        let __jobs_j2 = {
            {
                let __jobs_f = async move {
                    let __jobs_v = { 1 };
                    ::core::result::Result::<
                        _,
                        jobs_core::__private::BoxError,
                    >::Ok(__jobs_v)
                };
                {
                    #[allow(unused_imports)]
                    use jobs_core::__private::kinds::*;
                    (&&jobs_core::__private::Lift(&__jobs_f))
                        .__jobs_lift()
                        .lift(__jobs_f)
                }
            }
        };
        let __jobs_h2 = __jobs_s0
            .add({ __jobs_j2 })
            .label("a")
            .critical(true)
            .forever(false)
            .id();
        let __jobs_j3 = {
            let __jobs_x3 = { async { Ok::<_, std::io::Error>(2) } };
            {
                #[allow(unused_imports)]
                use jobs_core::__private::kinds::*;
                (&&&jobs_core::__private::Kind(&__jobs_x3))
                    .__jobs_kind()
                    .into_job(__jobs_x3)
            }
        };
        let __jobs_h3 = __jobs_s0
            .add({ __jobs_j3 })
            .label("b")
            .critical(true)
            .forever(false)
            .id();
        let __jobs_h1 = {
            __jobs_s0
                .add_with(
                    (__jobs_h2, __jobs_h3),
                    move |(a, r#b)| {
                        let __jobs_f = async move {
                            let __jobs_v = { a + r#b };
                            ::core::result::Result::<
                                _,
                                jobs_core::__private::BoxError,
                            >::Ok(__jobs_v)
                        };
                        {
                            #[allow(unused_imports)]
                            use jobs_core::__private::kinds::*;
                            (&&jobs_core::__private::Lift(&__jobs_f))
                                .__jobs_lift()
                                .lift(__jobs_f)
                        }
                    },
                )
                .label("total")
                .critical(true)
                .forever(false)
                .id()
        };
        let __jobs_h0 = {
            #[allow(unused_variables)]
            let client = ::core::clone::Clone::clone(&client);
            __jobs_s0
                .add_with(
                    (__jobs_h1,),
                    move |(total,)| {
                        let __jobs_f = async move {
                            ::core::result::Result::<
                                _,
                                jobs_core::__private::BoxError,
                            >::Ok((publish(total, client)).await)
                        };
                        {
                            #[allow(unused_imports)]
                            use jobs_core::__private::kinds::*;
                            (&&jobs_core::__private::Lift(&__jobs_f))
                                .__jobs_lift()
                                .lift(__jobs_f)
                        }
                    },
                )
                .label("report")
                .critical(true)
                .forever(false)
                .id()
        };
        __jobs_new(
            __jobs_s0,
            move |mut __jobs_o: jobs_core::__private::Outcome| __jobs_outcome0(
                jobs_core::__private::expect_done(
                    jobs_core::__private::take(&mut __jobs_o, __jobs_h0),
                ),
                jobs_core::__private::expect_done(
                    jobs_core::__private::take(&mut __jobs_o, __jobs_h1),
                ),
                jobs_core::__private::expect_done(
                    jobs_core::__private::take(&mut __jobs_o, __jobs_h2),
                ),
                jobs_core::__private::expect_done(
                    jobs_core::__private::take(&mut __jobs_o, __jobs_h3),
                ),
                __jobs_o,
            ),
            move |mut __jobs_o: jobs_core::__private::Outcome| __jobs_partial(
                jobs_core::__private::take(&mut __jobs_o, __jobs_h0),
                jobs_core::__private::take(&mut __jobs_o, __jobs_h1),
                jobs_core::__private::take(&mut __jobs_o, __jobs_h2),
                jobs_core::__private::take(&mut __jobs_o, __jobs_h3),
                __jobs_o,
            ),
        )
    };
}
