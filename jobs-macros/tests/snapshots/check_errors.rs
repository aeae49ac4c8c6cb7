// workflow! {
    job a requires(b) = x();
    job b requires(a) = y();
    job c(nothing) = z(nothing);
    job d(c) = w(c);
    window = 0;
}

fn expansion() {
    let workflow = {
        ::core::compile_error! {
            "cyclic requirement: `a` -> `b` -> `a` (`->` means \"requires\")"
        }
        ::core::compile_error! {
            "cyclic requirement: `a` -> `b` -> `a` (`->` means \"requires\")"
        }
        ::core::compile_error! {
            "cannot find `nothing` in this workflow"
        }
        ::core::compile_error! {
            "settings must come before the items of their scheduler"
        }
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
                                a: jobs_core::__private::expect_done(
                                    jobs_core::__private::take(&mut __jobs_o, __jobs_h0),
                                ),
                                b: jobs_core::__private::expect_done(
                                    jobs_core::__private::take(&mut __jobs_o, __jobs_h1),
                                ),
                                c: jobs_core::__private::expect_done(
                                    jobs_core::__private::take(&mut __jobs_o, __jobs_h2),
                                ),
                                d: jobs_core::__private::expect_done(
                                    jobs_core::__private::take(&mut __jobs_o, __jobs_h3),
                                ),
                            })
                        }
                        ::core::result::Result::Err(__jobs_f) => {
                            ::core::result::Result::Err(
                                __jobs_f
                                    .map_outcome(move |mut __jobs_o| Partial {
                                        a: jobs_core::__private::take(&mut __jobs_o, __jobs_h0),
                                        b: jobs_core::__private::take(&mut __jobs_o, __jobs_h1),
                                        c: jobs_core::__private::take(&mut __jobs_o, __jobs_h2),
                                        d: jobs_core::__private::take(&mut __jobs_o, __jobs_h3),
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
                pub a: T0,
                pub b: T1,
                pub c: T2,
                pub d: T3,
            }
            /// The state of each job of the workflow when it failed.
            #[allow(dead_code, non_camel_case_types)]
            pub struct Partial<T0, T1, T2, T3> {
                pub a: jobs_core::__private::Status<T0>,
                pub b: jobs_core::__private::Status<T1>,
                pub c: jobs_core::__private::Status<T2>,
                pub d: jobs_core::__private::Status<T3>,
            }
            #[allow(non_camel_case_types)]
            impl<T0, T1, T2, T3> ::core::fmt::Debug for Partial<T0, T1, T2, T3> {
                fn fmt(
                    &self,
                    f: &mut ::core::fmt::Formatter<'_>,
                ) -> ::core::fmt::Result {
                    f.debug_struct("Partial")
                        .field("a", &State(&self.a))
                        .field("b", &State(&self.b))
                        .field("c", &State(&self.c))
                        .field("d", &State(&self.d))
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
        let __jobs_x0 = { x() };
        let __jobs_j0 = {
            #[allow(unused_imports)]
            use jobs_core::__private::kinds::*;
            (&&&jobs_core::__private::Kind(&__jobs_x0)).__jobs_kind().into_job(__jobs_x0)
        };
        let __jobs_x1 = { y() };
        let __jobs_j1 = {
            #[allow(unused_imports)]
            use jobs_core::__private::kinds::*;
            (&&&jobs_core::__private::Kind(&__jobs_x1)).__jobs_kind().into_job(__jobs_x1)
        };
        let __jobs_h0 = __jobs_s0
            .add(__jobs_j0)
            .label("a")
            .critical(true)
            .forever(false)
            .id();
        let __jobs_h1 = __jobs_s0
            .add(__jobs_j1)
            .label("b")
            .critical(true)
            .forever(false)
            .id();
        let __jobs_h2 = {
            let __jobs_x = async {
                ::core::result::Result::<(), jobs_core::__private::BoxError>::Ok(())
            };
            __jobs_s0
                .add({
                    #[allow(unused_imports)]
                    use jobs_core::__private::kinds::*;
                    (&&&jobs_core::__private::Kind(&__jobs_x))
                        .__jobs_kind()
                        .into_job(__jobs_x)
                })
                .label("c")
                .critical(true)
                .forever(false)
                .id()
        };
        let __jobs_h3 = {
            let __jobs_x = async {
                ::core::result::Result::<(), jobs_core::__private::BoxError>::Ok(())
            };
            __jobs_s0
                .add({
                    #[allow(unused_imports)]
                    use jobs_core::__private::kinds::*;
                    (&&&jobs_core::__private::Kind(&__jobs_x))
                        .__jobs_kind()
                        .into_job(__jobs_x)
                })
                .label("d")
                .critical(true)
                .forever(false)
                .id()
        };
        __jobs_new(__jobs_s0, __jobs_h0, __jobs_h1, __jobs_h2, __jobs_h3)
    };
}
