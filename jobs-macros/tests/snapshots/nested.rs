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
        let __jobs_new = {
            /// A workflow built by `workflow!`: run it with `run`.
            #[allow(dead_code, non_camel_case_types)]
            struct Workflow<T2, T3> {
                __jobs_scheduler: jobs_core::__private::Scheduler,
                __jobs_h0: jobs_core::__private::JobRef<jobs_core::__private::Outcome>,
                __jobs_h1: jobs_core::__private::JobRef<jobs_core::__private::Outcome>,
                __jobs_h2: jobs_core::__private::JobRef<T2>,
                __jobs_h3: jobs_core::__private::JobRef<T3>,
            }
            #[allow(dead_code, unused_mut, unused_variables)]
            impl<T2, T3> Workflow<T2, T3>
            where
                T2: 'static,
                T3: 'static,
            {
                /// Runs every job; the outcome holds each job's result.
                pub async fn run(
                    self,
                ) -> ::core::result::Result<
                    Outcome<Outcome_stage<Outcome_stage_inner<T2>, T3>>,
                    jobs_core::__private::Failure<
                        Partial<Outcome_stage<Outcome_stage_inner<T2>, T3>>,
                    >,
                > {
                    let __jobs_h0 = self.__jobs_h0;
                    let __jobs_h1 = self.__jobs_h1;
                    let __jobs_h2 = self.__jobs_h2;
                    let __jobs_h3 = self.__jobs_h3;
                    match jobs_core::__private::Scheduler::run(self.__jobs_scheduler)
                        .await
                    {
                        ::core::result::Result::Ok(mut __jobs_o) => {
                            ::core::result::Result::Ok(Outcome {
                                stage: jobs_core::__private::take(&mut __jobs_o, __jobs_h0)
                                    .map(|mut __jobs_o1| Outcome_stage {
                                        inner: {
                                            let mut __jobs_o2 = jobs_core::__private::expect_done(
                                                jobs_core::__private::take(&mut __jobs_o1, __jobs_h1),
                                            );
                                            Outcome_stage_inner {
                                                deep: jobs_core::__private::expect_done(
                                                    jobs_core::__private::take(&mut __jobs_o2, __jobs_h2),
                                                ),
                                            }
                                        },
                                        spin: jobs_core::__private::take(&mut __jobs_o1, __jobs_h3),
                                    }),
                            })
                        }
                        ::core::result::Result::Err(__jobs_f) => {
                            ::core::result::Result::Err(
                                __jobs_f
                                    .map_outcome(move |mut __jobs_o| Partial {
                                        stage: jobs_core::__private::take(&mut __jobs_o, __jobs_h0)
                                            .map(|mut __jobs_o1| Outcome_stage {
                                                inner: {
                                                    let mut __jobs_o2 = jobs_core::__private::expect_done(
                                                        jobs_core::__private::take(&mut __jobs_o1, __jobs_h1),
                                                    );
                                                    Outcome_stage_inner {
                                                        deep: jobs_core::__private::expect_done(
                                                            jobs_core::__private::take(&mut __jobs_o2, __jobs_h2),
                                                        ),
                                                    }
                                                },
                                                spin: jobs_core::__private::take(&mut __jobs_o1, __jobs_h3),
                                            }),
                                    }),
                            )
                        }
                    }
                }
                /// The runtime scheduler, to list or draw the workflow.
                pub fn scheduler(&self) -> &jobs_core::__private::Scheduler {
                    &self.__jobs_scheduler
                }
                /// The runtime scheduler, to change it or run it untyped.
                pub fn into_scheduler(self) -> jobs_core::__private::Scheduler {
                    self.__jobs_scheduler
                }
            }
            /// The outcome of a successful run of the workflow.
            #[derive(Debug)]
            #[allow(dead_code, non_camel_case_types)]
            pub struct Outcome<T0> {
                pub stage: jobs_core::__private::Status<T0>,
            }
            /// The outcome of a nested scheduler that succeeded.
            #[derive(Debug)]
            #[allow(dead_code, non_camel_case_types)]
            pub struct Outcome_stage<T1, T3> {
                pub inner: T1,
                pub spin: jobs_core::__private::Status<T3>,
            }
            /// The outcome of a nested scheduler that succeeded.
            #[derive(Debug)]
            #[allow(dead_code, non_camel_case_types)]
            pub struct Outcome_stage_inner<T2> {
                pub deep: T2,
            }
            /// The state of each job of the workflow when it failed.
            #[allow(dead_code, non_camel_case_types)]
            pub struct Partial<T0> {
                pub stage: jobs_core::__private::Status<T0>,
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
            #[allow(clippy::too_many_arguments)]
            fn new<T2, T3>(
                scheduler: jobs_core::__private::Scheduler,
                __jobs_h0: jobs_core::__private::JobRef<jobs_core::__private::Outcome>,
                __jobs_h1: jobs_core::__private::JobRef<jobs_core::__private::Outcome>,
                __jobs_h2: jobs_core::__private::JobRef<T2>,
                __jobs_h3: jobs_core::__private::JobRef<T3>,
            ) -> Workflow<T2, T3> {
                Workflow {
                    __jobs_scheduler: scheduler,
                    __jobs_h0,
                    __jobs_h1,
                    __jobs_h2,
                    __jobs_h3,
                }
            }
            new
        };
        let mut __jobs_s0 = jobs_core::__private::Scheduler::new();
        __jobs_s0.set_label("outer");
        let mut __jobs_s1 = jobs_core::__private::Scheduler::new();
        __jobs_s1.set_label("stage");
        __jobs_s1.set_shutdown_timeout(None);
        let mut __jobs_s2 = jobs_core::__private::Scheduler::new();
        __jobs_s2.set_label("inner");
        let __jobs_x2 = { deep() };
        let __jobs_j2 = {
            #[allow(unused_imports)]
            use jobs_core::__private::kinds::*;
            (&&&jobs_core::__private::Kind(&__jobs_x2)).__jobs_kind().into_job(__jobs_x2)
        };
        let __jobs_x3 = { spin() };
        let __jobs_j3 = {
            #[allow(unused_imports)]
            use jobs_core::__private::kinds::*;
            (&&&jobs_core::__private::Kind(&__jobs_x3)).__jobs_kind().into_job(__jobs_x3)
        };
        let mut __jobs_s3 = jobs_core::__private::Scheduler::new();
        let __jobs_x5 = { hidden() };
        let __jobs_j5 = {
            #[allow(unused_imports)]
            use jobs_core::__private::kinds::*;
            (&&&jobs_core::__private::Kind(&__jobs_x5)).__jobs_kind().into_job(__jobs_x5)
        };
        let __jobs_h2 = __jobs_s2
            .add(__jobs_j2)
            .label("deep")
            .critical(true)
            .forever(false)
            .id();
        let __jobs_h1 = __jobs_s1.add(__jobs_s2).critical(true).forever(false).id();
        let __jobs_h3 = __jobs_s1
            .add(__jobs_j3)
            .label("spin")
            .critical(true)
            .forever(true)
            .id();
        let __jobs_h0 = __jobs_s0.add(__jobs_s1).critical(false).forever(false).id();
        let _ = __jobs_s3
            .add(__jobs_j5)
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
        __jobs_new(__jobs_s0, __jobs_h0, __jobs_h1, __jobs_h2, __jobs_h3)
    };
}
