// workflow! {
    timeout = Duration::from_secs(30);
    window = 4;
    clone(url, bus);

    /// Downloads the page.
    job fetch = download(url);
    job parse(fetch) { parse_page(&fetch)? }
    job index requires(parse) = update_index();
    forever job monitor = watch_progress(bus);
    noncritical job notify requires(index) = ping_chat();

    sequence warmup {
        job a = step(1);
        job b = step(2);
    }
    scheduler deploy requires(warmup, index) {
        window = 2;
        job push = push_image();
        job roll requires(push) = rollout();
    }
}

fn expansion() {
    let workflow = {
        let __jobs_new = {
            /// A workflow built by `workflow!`: run it with `run`.
            #[allow(dead_code, non_camel_case_types)]
            struct Workflow<T0, T1, T2, T3, T4, T5, T6, T8, T9> {
                __jobs_scheduler: jobs_core::__private::Scheduler,
                __jobs_h0: jobs_core::__private::JobRef<T0>,
                __jobs_h1: jobs_core::__private::JobRef<T1>,
                __jobs_h2: jobs_core::__private::JobRef<T2>,
                __jobs_h3: jobs_core::__private::JobRef<T3>,
                __jobs_h4: jobs_core::__private::JobRef<T4>,
                __jobs_h5: jobs_core::__private::JobRef<T5>,
                __jobs_h6: jobs_core::__private::JobRef<T6>,
                __jobs_h7: jobs_core::__private::JobRef<jobs_core::__private::Outcome>,
                __jobs_h8: jobs_core::__private::JobRef<T8>,
                __jobs_h9: jobs_core::__private::JobRef<T9>,
            }
            #[allow(dead_code, unused_mut, unused_variables)]
            impl<
                T0,
                T1,
                T2,
                T3,
                T4,
                T5,
                T6,
                T8,
                T9,
            > Workflow<T0, T1, T2, T3, T4, T5, T6, T8, T9>
            where
                T0: 'static,
                T1: 'static,
                T2: 'static,
                T3: 'static,
                T4: 'static,
                T5: 'static,
                T6: 'static,
                T8: 'static,
                T9: 'static,
            {
                /// Runs every job; the outcome holds each job's result.
                pub async fn run(
                    self,
                ) -> ::core::result::Result<
                    Outcome<T0, T1, T2, T3, T4, T5, T6, Outcome_deploy<T8, T9>>,
                    jobs_core::__private::Failure<
                        Partial<T0, T1, T2, T3, T4, T5, T6, Outcome_deploy<T8, T9>>,
                    >,
                > {
                    let __jobs_h0 = self.__jobs_h0;
                    let __jobs_h1 = self.__jobs_h1;
                    let __jobs_h2 = self.__jobs_h2;
                    let __jobs_h3 = self.__jobs_h3;
                    let __jobs_h4 = self.__jobs_h4;
                    let __jobs_h5 = self.__jobs_h5;
                    let __jobs_h6 = self.__jobs_h6;
                    let __jobs_h7 = self.__jobs_h7;
                    let __jobs_h8 = self.__jobs_h8;
                    let __jobs_h9 = self.__jobs_h9;
                    match jobs_core::__private::Scheduler::run(self.__jobs_scheduler)
                        .await
                    {
                        ::core::result::Result::Ok(mut __jobs_o) => {
                            ::core::result::Result::Ok(Outcome {
                                fetch: jobs_core::__private::expect_done(
                                    jobs_core::__private::take(&mut __jobs_o, __jobs_h0),
                                ),
                                parse: jobs_core::__private::expect_done(
                                    jobs_core::__private::take(&mut __jobs_o, __jobs_h1),
                                ),
                                index: jobs_core::__private::expect_done(
                                    jobs_core::__private::take(&mut __jobs_o, __jobs_h2),
                                ),
                                monitor: jobs_core::__private::take(
                                    &mut __jobs_o,
                                    __jobs_h3,
                                ),
                                notify: jobs_core::__private::take(
                                    &mut __jobs_o,
                                    __jobs_h4,
                                ),
                                a: jobs_core::__private::expect_done(
                                    jobs_core::__private::take(&mut __jobs_o, __jobs_h5),
                                ),
                                b: jobs_core::__private::expect_done(
                                    jobs_core::__private::take(&mut __jobs_o, __jobs_h6),
                                ),
                                deploy: {
                                    let mut __jobs_o1 = jobs_core::__private::expect_done(
                                        jobs_core::__private::take(&mut __jobs_o, __jobs_h7),
                                    );
                                    Outcome_deploy {
                                        push: jobs_core::__private::expect_done(
                                            jobs_core::__private::take(&mut __jobs_o1, __jobs_h8),
                                        ),
                                        roll: jobs_core::__private::expect_done(
                                            jobs_core::__private::take(&mut __jobs_o1, __jobs_h9),
                                        ),
                                    }
                                },
                            })
                        }
                        ::core::result::Result::Err(__jobs_f) => {
                            ::core::result::Result::Err(
                                __jobs_f
                                    .map_outcome(move |mut __jobs_o| Partial {
                                        fetch: jobs_core::__private::take(&mut __jobs_o, __jobs_h0),
                                        parse: jobs_core::__private::take(&mut __jobs_o, __jobs_h1),
                                        index: jobs_core::__private::take(&mut __jobs_o, __jobs_h2),
                                        monitor: jobs_core::__private::take(
                                            &mut __jobs_o,
                                            __jobs_h3,
                                        ),
                                        notify: jobs_core::__private::take(
                                            &mut __jobs_o,
                                            __jobs_h4,
                                        ),
                                        a: jobs_core::__private::take(&mut __jobs_o, __jobs_h5),
                                        b: jobs_core::__private::take(&mut __jobs_o, __jobs_h6),
                                        deploy: jobs_core::__private::take(&mut __jobs_o, __jobs_h7)
                                            .map(|mut __jobs_o1| Outcome_deploy {
                                                push: jobs_core::__private::expect_done(
                                                    jobs_core::__private::take(&mut __jobs_o1, __jobs_h8),
                                                ),
                                                roll: jobs_core::__private::expect_done(
                                                    jobs_core::__private::take(&mut __jobs_o1, __jobs_h9),
                                                ),
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
            pub struct Outcome<T0, T1, T2, T3, T4, T5, T6, T7> {
                pub fetch: T0,
                pub parse: T1,
                pub index: T2,
                pub monitor: jobs_core::__private::Status<T3>,
                pub notify: jobs_core::__private::Status<T4>,
                pub a: T5,
                pub b: T6,
                pub deploy: T7,
            }
            /// The outcome of a nested scheduler that succeeded.
            #[derive(Debug)]
            #[allow(dead_code, non_camel_case_types)]
            pub struct Outcome_deploy<T8, T9> {
                pub push: T8,
                pub roll: T9,
            }
            /// The state of each job of the workflow when it failed.
            #[allow(dead_code, non_camel_case_types)]
            pub struct Partial<T0, T1, T2, T3, T4, T5, T6, T7> {
                pub fetch: jobs_core::__private::Status<T0>,
                pub parse: jobs_core::__private::Status<T1>,
                pub index: jobs_core::__private::Status<T2>,
                pub monitor: jobs_core::__private::Status<T3>,
                pub notify: jobs_core::__private::Status<T4>,
                pub a: jobs_core::__private::Status<T5>,
                pub b: jobs_core::__private::Status<T6>,
                pub deploy: jobs_core::__private::Status<T7>,
            }
            #[allow(non_camel_case_types)]
            impl<T0, T1, T2, T3, T4, T5, T6, T7> ::core::fmt::Debug
            for Partial<T0, T1, T2, T3, T4, T5, T6, T7> {
                fn fmt(
                    &self,
                    f: &mut ::core::fmt::Formatter<'_>,
                ) -> ::core::fmt::Result {
                    f.debug_struct("Partial")
                        .field("fetch", &State(&self.fetch))
                        .field("parse", &State(&self.parse))
                        .field("index", &State(&self.index))
                        .field("monitor", &State(&self.monitor))
                        .field("notify", &State(&self.notify))
                        .field("a", &State(&self.a))
                        .field("b", &State(&self.b))
                        .field("deploy", &State(&self.deploy))
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
            fn new<T0, T1, T2, T3, T4, T5, T6, T8, T9>(
                scheduler: jobs_core::__private::Scheduler,
                __jobs_h0: jobs_core::__private::JobRef<T0>,
                __jobs_h1: jobs_core::__private::JobRef<T1>,
                __jobs_h2: jobs_core::__private::JobRef<T2>,
                __jobs_h3: jobs_core::__private::JobRef<T3>,
                __jobs_h4: jobs_core::__private::JobRef<T4>,
                __jobs_h5: jobs_core::__private::JobRef<T5>,
                __jobs_h6: jobs_core::__private::JobRef<T6>,
                __jobs_h7: jobs_core::__private::JobRef<jobs_core::__private::Outcome>,
                __jobs_h8: jobs_core::__private::JobRef<T8>,
                __jobs_h9: jobs_core::__private::JobRef<T9>,
            ) -> Workflow<T0, T1, T2, T3, T4, T5, T6, T8, T9> {
                Workflow {
                    __jobs_scheduler: scheduler,
                    __jobs_h0,
                    __jobs_h1,
                    __jobs_h2,
                    __jobs_h3,
                    __jobs_h4,
                    __jobs_h5,
                    __jobs_h6,
                    __jobs_h7,
                    __jobs_h8,
                    __jobs_h9,
                }
            }
            new
        };
        let mut __jobs_s0 = jobs_core::__private::Scheduler::new();
        __jobs_s0.set_timeout(Duration::from_secs(30));
        __jobs_s0.set_window(4);
        let __jobs_x0 = {
            #[allow(unused_variables)]
            let url = ::core::clone::Clone::clone(&url);
            download(url)
        };
        let __jobs_j0 = {
            #[allow(unused_imports)]
            use jobs_core::__private::kinds::*;
            (&&&jobs_core::__private::Kind(&__jobs_x0)).__jobs_kind().into_job(__jobs_x0)
        };
        let __jobs_x2 = { update_index() };
        let __jobs_j2 = {
            #[allow(unused_imports)]
            use jobs_core::__private::kinds::*;
            (&&&jobs_core::__private::Kind(&__jobs_x2)).__jobs_kind().into_job(__jobs_x2)
        };
        let __jobs_x3 = {
            #[allow(unused_variables)]
            let bus = ::core::clone::Clone::clone(&bus);
            watch_progress(bus)
        };
        let __jobs_j3 = {
            #[allow(unused_imports)]
            use jobs_core::__private::kinds::*;
            (&&&jobs_core::__private::Kind(&__jobs_x3)).__jobs_kind().into_job(__jobs_x3)
        };
        let __jobs_x4 = { ping_chat() };
        let __jobs_j4 = {
            #[allow(unused_imports)]
            use jobs_core::__private::kinds::*;
            (&&&jobs_core::__private::Kind(&__jobs_x4)).__jobs_kind().into_job(__jobs_x4)
        };
        let __jobs_x5 = { step(1) };
        let __jobs_j5 = {
            #[allow(unused_imports)]
            use jobs_core::__private::kinds::*;
            (&&&jobs_core::__private::Kind(&__jobs_x5)).__jobs_kind().into_job(__jobs_x5)
        };
        let __jobs_x6 = { step(2) };
        let __jobs_j6 = {
            #[allow(unused_imports)]
            use jobs_core::__private::kinds::*;
            (&&&jobs_core::__private::Kind(&__jobs_x6)).__jobs_kind().into_job(__jobs_x6)
        };
        let mut __jobs_s1 = jobs_core::__private::Scheduler::new();
        __jobs_s1.set_label("deploy");
        __jobs_s1.set_window(2);
        let __jobs_x8 = { push_image() };
        let __jobs_j8 = {
            #[allow(unused_imports)]
            use jobs_core::__private::kinds::*;
            (&&&jobs_core::__private::Kind(&__jobs_x8)).__jobs_kind().into_job(__jobs_x8)
        };
        let __jobs_x9 = { rollout() };
        let __jobs_j9 = {
            #[allow(unused_imports)]
            use jobs_core::__private::kinds::*;
            (&&&jobs_core::__private::Kind(&__jobs_x9)).__jobs_kind().into_job(__jobs_x9)
        };
        let __jobs_h0 = __jobs_s0
            .add(__jobs_j0)
            .label("fetch")
            .details("Downloads the page.")
            .critical(true)
            .forever(false)
            .id();
        let __jobs_h1 = {
            __jobs_s0
                .add_with(
                    (__jobs_h0,),
                    move |(fetch,)| async move {
                        let __jobs_v = match (async move {
                            let __jobs_v = { parse_page(&fetch)? };
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
                .label("parse")
                .critical(true)
                .forever(false)
                .id()
        };
        let __jobs_h2 = __jobs_s0
            .add(__jobs_j2)
            .label("index")
            .critical(true)
            .forever(false)
            .requires(__jobs_h1)
            .id();
        let __jobs_h3 = __jobs_s0
            .add(__jobs_j3)
            .label("monitor")
            .critical(true)
            .forever(true)
            .id();
        let __jobs_h4 = __jobs_s0
            .add(__jobs_j4)
            .label("notify")
            .critical(false)
            .forever(false)
            .requires(__jobs_h2)
            .id();
        let __jobs_h5 = __jobs_s0
            .add(__jobs_j5)
            .label("a")
            .critical(true)
            .forever(false)
            .id();
        let __jobs_h6 = __jobs_s0
            .add(__jobs_j6)
            .label("b")
            .critical(true)
            .forever(false)
            .requires(__jobs_h5)
            .id();
        let __jobs_h8 = __jobs_s1
            .add(__jobs_j8)
            .label("push")
            .critical(true)
            .forever(false)
            .id();
        let __jobs_h9 = __jobs_s1
            .add(__jobs_j9)
            .label("roll")
            .critical(true)
            .forever(false)
            .requires(__jobs_h8)
            .id();
        let __jobs_h7 = __jobs_s0
            .add(__jobs_s1)
            .critical(true)
            .forever(false)
            .requires(__jobs_h6)
            .requires(__jobs_h2)
            .id();
        __jobs_new(
            __jobs_s0,
            __jobs_h0,
            __jobs_h1,
            __jobs_h2,
            __jobs_h3,
            __jobs_h4,
            __jobs_h5,
            __jobs_h6,
            __jobs_h7,
            __jobs_h8,
            __jobs_h9,
        )
    };
}
