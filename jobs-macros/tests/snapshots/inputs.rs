// workflow! {
    clone(client);
    job report(total) = publish(total, client);
    job total(a, r#b) { a + r#b }
    job a { 1 }
    job r#b = async { Ok::<_, std::io::Error>(2) };
}

fn expansion() {
    let workflow = {
        let __jobs_new = {
            /// A workflow built by `workflow!`: run it with `run`.
            #[allow(dead_code, non_camel_case_types)]
            struct Workflow<T0, T1, T2, T3> {
                __jobs_scheduler: jobs_core::__private::Scheduler,
                __jobs_h0: jobs_core::__private::JobRef<T0>,
                __jobs_h1: jobs_core::__private::JobRef<T1>,
                __jobs_h2: jobs_core::__private::JobRef<T2>,
                __jobs_h3: jobs_core::__private::JobRef<T3>,
            }
            #[allow(dead_code, unused_mut, unused_variables)]
            impl<T0, T1, T2, T3> Workflow<T0, T1, T2, T3>
            where
                T0: 'static,
                T1: 'static,
                T2: 'static,
                T3: 'static,
            {
                /// Runs every job; the outcome holds each job's result.
                pub async fn run(
                    self,
                ) -> ::core::result::Result<
                    Outcome<T0, T1, T2, T3>,
                    jobs_core::__private::Failure<Partial<T0, T1, T2, T3>>,
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
                                report: jobs_core::__private::expect_done(
                                    jobs_core::__private::take(&mut __jobs_o, __jobs_h0),
                                ),
                                total: jobs_core::__private::expect_done(
                                    jobs_core::__private::take(&mut __jobs_o, __jobs_h1),
                                ),
                                a: jobs_core::__private::expect_done(
                                    jobs_core::__private::take(&mut __jobs_o, __jobs_h2),
                                ),
                                r#b: jobs_core::__private::expect_done(
                                    jobs_core::__private::take(&mut __jobs_o, __jobs_h3),
                                ),
                            })
                        }
                        ::core::result::Result::Err(__jobs_f) => {
                            ::core::result::Result::Err(
                                __jobs_f
                                    .map_outcome(move |mut __jobs_o| Partial {
                                        report: jobs_core::__private::take(
                                            &mut __jobs_o,
                                            __jobs_h0,
                                        ),
                                        total: jobs_core::__private::take(&mut __jobs_o, __jobs_h1),
                                        a: jobs_core::__private::take(&mut __jobs_o, __jobs_h2),
                                        r#b: jobs_core::__private::take(&mut __jobs_o, __jobs_h3),
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
            pub struct Outcome<T0, T1, T2, T3> {
                pub report: T0,
                pub total: T1,
                pub a: T2,
                pub r#b: T3,
            }
            /// The state of each job of the workflow when it failed.
            #[allow(dead_code, non_camel_case_types)]
            pub struct Partial<T0, T1, T2, T3> {
                pub report: jobs_core::__private::Status<T0>,
                pub total: jobs_core::__private::Status<T1>,
                pub a: jobs_core::__private::Status<T2>,
                pub r#b: jobs_core::__private::Status<T3>,
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
            #[allow(clippy::too_many_arguments)]
            fn new<T0, T1, T2, T3>(
                scheduler: jobs_core::__private::Scheduler,
                __jobs_h0: jobs_core::__private::JobRef<T0>,
                __jobs_h1: jobs_core::__private::JobRef<T1>,
                __jobs_h2: jobs_core::__private::JobRef<T2>,
                __jobs_h3: jobs_core::__private::JobRef<T3>,
            ) -> Workflow<T0, T1, T2, T3> {
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
        let __jobs_x2 = {
            async move {
                let __jobs_v = match (async move {
                    let __jobs_v = { 1 };
                    ::core::result::Result::<
                        _,
                        jobs_core::__private::BoxError,
                    >::Ok(__jobs_v)
                })
                    .await
                {
                    ::core::result::Result::Ok(__jobs_v) => __jobs_v,
                    ::core::result::Result::Err(__jobs_e) => {
                        return ::core::result::Result::Err(__jobs_e);
                    }
                };
                {
                    #[allow(unused_imports)]
                    use jobs_core::__private::kinds::*;
                    (&&jobs_core::__private::Lift(&__jobs_v))
                        .__jobs_lift()
                        .lift(__jobs_v)
                }
            }
        };
        let __jobs_j2 = {
            #[allow(unused_imports)]
            use jobs_core::__private::kinds::*;
            (&&&jobs_core::__private::Kind(&__jobs_x2)).__jobs_kind().into_job(__jobs_x2)
        };
        let __jobs_x3 = { async { Ok::<_, std::io::Error>(2) } };
        let __jobs_j3 = {
            #[allow(unused_imports)]
            use jobs_core::__private::kinds::*;
            (&&&jobs_core::__private::Kind(&__jobs_x3)).__jobs_kind().into_job(__jobs_x3)
        };
        let __jobs_h2 = __jobs_s0
            .add(__jobs_j2)
            .label("a")
            .critical(true)
            .forever(false)
            .id();
        let __jobs_h3 = __jobs_s0
            .add(__jobs_j3)
            .label("b")
            .critical(true)
            .forever(false)
            .id();
        let __jobs_h1 = {
            __jobs_s0
                .add_with(
                    (__jobs_h2, __jobs_h3),
                    move |(a, r#b)| async move {
                        let __jobs_v = match (async move {
                            let __jobs_v = { a + r#b };
                            ::core::result::Result::<
                                _,
                                jobs_core::__private::BoxError,
                            >::Ok(__jobs_v)
                        })
                            .await
                        {
                            ::core::result::Result::Ok(__jobs_v) => __jobs_v,
                            ::core::result::Result::Err(__jobs_e) => {
                                return ::core::result::Result::Err(__jobs_e);
                            }
                        };
                        {
                            #[allow(unused_imports)]
                            use jobs_core::__private::kinds::*;
                            (&&jobs_core::__private::Lift(&__jobs_v))
                                .__jobs_lift()
                                .lift(__jobs_v)
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
                    move |(total,)| async move {
                        let __jobs_v = (publish(total, client)).await;
                        {
                            #[allow(unused_imports)]
                            use jobs_core::__private::kinds::*;
                            (&&jobs_core::__private::Lift(&__jobs_v))
                                .__jobs_lift()
                                .lift(__jobs_v)
                        }
                    },
                )
                .label("report")
                .critical(true)
                .forever(false)
                .id()
        };
        __jobs_new(__jobs_s0, __jobs_h0, __jobs_h1, __jobs_h2, __jobs_h3)
    };
}
