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
        let (__jobs_new, __jobs_outcome0, __jobs_outcome1, __jobs_partial) = {
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
                pub const DOT: &'static str = "digraph workflow{\ncompound=true;\ngraph [];\n1 [style=\"rounded\",label=\"1: fetch\",shape=\"box\",color=\"red\",penwidth=\"2\"]\n2 [style=\"rounded\",label=\"2: parse\",shape=\"box\",color=\"red\",penwidth=\"2\"]\n1 -> 2;\n3 [style=\"rounded\",label=\"3: index\",shape=\"box\",color=\"red\",penwidth=\"2\"]\n2 -> 3;\n4 [style=\"rounded,dashed\",label=\"4: monitor\",shape=\"box\",color=\"red\",penwidth=\"2\"]\n5 [style=\"rounded\",label=\"5: notify\",shape=\"box\",penwidth=\"0.5\"]\n3 -> 5;\n6 [style=\"rounded\",label=\"6: a\",shape=\"box\",color=\"red\",penwidth=\"2\"]\n7 [style=\"rounded\",label=\"7: b\",shape=\"box\",color=\"red\",penwidth=\"2\"]\n6 -> 7;\nsubgraph cluster_8{\ncompound=true;\ngraph [style=\"\",label=\"8: deploy\",shape=\"box\",color=\"red\",penwidth=\"2\"];\n9 [style=\"rounded\",label=\"9: push\",shape=\"box\",color=\"red\",penwidth=\"2\"]\n10 [style=\"rounded\",label=\"10: roll\",shape=\"box\",color=\"red\",penwidth=\"2\"]\n9 -> 10;\n}\n3 -> 9 [lhead=cluster_8];\n7 -> 9 [lhead=cluster_8];\n}\n";
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
            pub struct Outcome<T0, T1, T2, T3, T4, T5, T6, T7> {
                pub fetch: T0,
                pub parse: T1,
                pub index: T2,
                pub monitor: jobs_core::__private::Status<T3>,
                pub notify: jobs_core::__private::Status<T4>,
                pub a: T5,
                pub b: T6,
                pub deploy: T7,
                __jobs_runtime: jobs_core::__private::Outcome,
            }
            #[allow(non_camel_case_types)]
            impl<
                T0,
                T1,
                T2,
                T3,
                T4,
                T5,
                T6,
                T7,
            > Outcome<T0, T1, T2, T3, T4, T5, T6, T7> {
                /// The runtime's view of the run (values moved into the fields):
                /// states, errors, listings (`list`, `debrief`), graphs.
                #[allow(dead_code)]
                pub fn runtime(&self) -> &jobs_core::__private::Outcome {
                    &self.__jobs_runtime
                }
            }
            #[allow(non_camel_case_types, clippy::too_many_arguments)]
            fn outcome0<T0, T1, T2, T3, T4, T5, T6, T7>(
                fetch: T0,
                parse: T1,
                index: T2,
                monitor: jobs_core::__private::Status<T3>,
                notify: jobs_core::__private::Status<T4>,
                a: T5,
                b: T6,
                deploy: T7,
                __jobs_runtime: jobs_core::__private::Outcome,
            ) -> Outcome<T0, T1, T2, T3, T4, T5, T6, T7> {
                Outcome {
                    fetch,
                    parse,
                    index,
                    monitor,
                    notify,
                    a,
                    b,
                    deploy,
                    __jobs_runtime,
                }
            }
            /// The outcome of a nested scheduler that succeeded.
            #[derive(Debug)]
            #[allow(dead_code, non_camel_case_types)]
            pub struct Outcome_deploy<T8, T9> {
                pub push: T8,
                pub roll: T9,
            }
            #[allow(non_camel_case_types, clippy::too_many_arguments)]
            fn outcome1<T8, T9>(push: T8, roll: T9) -> Outcome_deploy<T8, T9> {
                Outcome_deploy { push, roll }
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
                __jobs_runtime: jobs_core::__private::Outcome,
            }
            #[allow(non_camel_case_types)]
            impl<
                T0,
                T1,
                T2,
                T3,
                T4,
                T5,
                T6,
                T7,
            > Partial<T0, T1, T2, T3, T4, T5, T6, T7> {
                /// The runtime's view of the run (values moved into the fields):
                /// states, errors, listings (`list`, `debrief`), graphs.
                #[allow(dead_code)]
                pub fn runtime(&self) -> &jobs_core::__private::Outcome {
                    &self.__jobs_runtime
                }
            }
            #[allow(non_camel_case_types, clippy::too_many_arguments)]
            fn partial<T0, T1, T2, T3, T4, T5, T6, T7>(
                fetch: jobs_core::__private::Status<T0>,
                parse: jobs_core::__private::Status<T1>,
                index: jobs_core::__private::Status<T2>,
                monitor: jobs_core::__private::Status<T3>,
                notify: jobs_core::__private::Status<T4>,
                a: jobs_core::__private::Status<T5>,
                b: jobs_core::__private::Status<T6>,
                deploy: jobs_core::__private::Status<T7>,
                __jobs_runtime: jobs_core::__private::Outcome,
            ) -> Partial<T0, T1, T2, T3, T4, T5, T6, T7> {
                Partial {
                    fetch,
                    parse,
                    index,
                    monitor,
                    notify,
                    a,
                    b,
                    deploy,
                    __jobs_runtime,
                }
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
            (new, outcome0, outcome1, partial)
        };
        #[allow(unused_mut)]
        let mut __jobs_s0 = jobs_core::__private::Scheduler::new();
        __jobs_s0.set_timeout(Duration::from_secs(30));
        __jobs_s0.set_window(4);
        let __jobs_j0 = {
            let __jobs_x0 = {
                #[allow(unused_variables)]
                let url = ::core::clone::Clone::clone(&url);
                download(url)
            };
            {
                #[allow(unused_imports)]
                use jobs_core::__private::kinds::*;
                (&&&jobs_core::__private::Kind(&__jobs_x0))
                    .__jobs_kind()
                    .into_job(__jobs_x0)
            }
        };
        let __jobs_h0 = __jobs_s0
            .add({ __jobs_j0 })
            .label("fetch")
            .details("Downloads the page.")
            .critical(true)
            .forever(false)
            .id();
        let __jobs_h1 = {
            __jobs_s0
                .add_with(
                    (__jobs_h0,),
                    move |(fetch,)| {
                        let __jobs_f = async move {
                            let __jobs_v = { parse_page(&fetch)? };
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
                .label("parse")
                .critical(true)
                .forever(false)
                .id()
        };
        let __jobs_j2 = {
            let __jobs_x2 = { update_index() };
            {
                #[allow(unused_imports)]
                use jobs_core::__private::kinds::*;
                (&&&jobs_core::__private::Kind(&__jobs_x2))
                    .__jobs_kind()
                    .into_job(__jobs_x2)
            }
        };
        let __jobs_h2 = __jobs_s0
            .add({ __jobs_j2 })
            .label("index")
            .critical(true)
            .forever(false)
            .requires(__jobs_h1)
            .id();
        let __jobs_j3 = {
            let __jobs_x3 = {
                #[allow(unused_variables)]
                let bus = ::core::clone::Clone::clone(&bus);
                watch_progress(bus)
            };
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
            .label("monitor")
            .critical(true)
            .forever(true)
            .id();
        let __jobs_j4 = {
            let __jobs_x4 = { ping_chat() };
            {
                #[allow(unused_imports)]
                use jobs_core::__private::kinds::*;
                (&&&jobs_core::__private::Kind(&__jobs_x4))
                    .__jobs_kind()
                    .into_job(__jobs_x4)
            }
        };
        let __jobs_h4 = __jobs_s0
            .add({ __jobs_j4 })
            .label("notify")
            .critical(false)
            .forever(false)
            .requires(__jobs_h2)
            .id();
        let __jobs_j5 = {
            let __jobs_x5 = { step(1) };
            {
                #[allow(unused_imports)]
                use jobs_core::__private::kinds::*;
                (&&&jobs_core::__private::Kind(&__jobs_x5))
                    .__jobs_kind()
                    .into_job(__jobs_x5)
            }
        };
        let __jobs_h5 = __jobs_s0
            .add({ __jobs_j5 })
            .label("a")
            .critical(true)
            .forever(false)
            .id();
        let __jobs_j6 = {
            let __jobs_x6 = { step(2) };
            {
                #[allow(unused_imports)]
                use jobs_core::__private::kinds::*;
                (&&&jobs_core::__private::Kind(&__jobs_x6))
                    .__jobs_kind()
                    .into_job(__jobs_x6)
            }
        };
        let __jobs_h6 = __jobs_s0
            .add({ __jobs_j6 })
            .label("b")
            .critical(true)
            .forever(false)
            .requires(__jobs_h5)
            .id();
        #[allow(unused_mut)]
        let mut __jobs_s1 = jobs_core::__private::Scheduler::new();
        __jobs_s1.set_label("deploy");
        __jobs_s1.set_window(2);
        let __jobs_j8 = {
            let __jobs_x8 = { push_image() };
            {
                #[allow(unused_imports)]
                use jobs_core::__private::kinds::*;
                (&&&jobs_core::__private::Kind(&__jobs_x8))
                    .__jobs_kind()
                    .into_job(__jobs_x8)
            }
        };
        let __jobs_h8 = __jobs_s1
            .add({ __jobs_j8 })
            .label("push")
            .critical(true)
            .forever(false)
            .id();
        let __jobs_j9 = {
            let __jobs_x9 = { rollout() };
            {
                #[allow(unused_imports)]
                use jobs_core::__private::kinds::*;
                (&&&jobs_core::__private::Kind(&__jobs_x9))
                    .__jobs_kind()
                    .into_job(__jobs_x9)
            }
        };
        let __jobs_h9 = __jobs_s1
            .add({ __jobs_j9 })
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
                jobs_core::__private::take(&mut __jobs_o, __jobs_h3),
                jobs_core::__private::take(&mut __jobs_o, __jobs_h4),
                jobs_core::__private::expect_done(
                    jobs_core::__private::take(&mut __jobs_o, __jobs_h5),
                ),
                jobs_core::__private::expect_done(
                    jobs_core::__private::take(&mut __jobs_o, __jobs_h6),
                ),
                {
                    let mut __jobs_o1 = jobs_core::__private::expect_done(
                        jobs_core::__private::take_nested(&mut __jobs_o, __jobs_h7),
                    );
                    __jobs_outcome1(
                        jobs_core::__private::expect_done(
                            jobs_core::__private::take(&mut __jobs_o1, __jobs_h8),
                        ),
                        jobs_core::__private::expect_done(
                            jobs_core::__private::take(&mut __jobs_o1, __jobs_h9),
                        ),
                    )
                },
                __jobs_o,
            ),
            move |mut __jobs_o: jobs_core::__private::Outcome| __jobs_partial(
                jobs_core::__private::take(&mut __jobs_o, __jobs_h0),
                jobs_core::__private::take(&mut __jobs_o, __jobs_h1),
                jobs_core::__private::take(&mut __jobs_o, __jobs_h2),
                jobs_core::__private::take(&mut __jobs_o, __jobs_h3),
                jobs_core::__private::take(&mut __jobs_o, __jobs_h4),
                jobs_core::__private::take(&mut __jobs_o, __jobs_h5),
                jobs_core::__private::take(&mut __jobs_o, __jobs_h6),
                jobs_core::__private::take_nested(&mut __jobs_o, __jobs_h7)
                    .map(|mut __jobs_o1| __jobs_outcome1(
                        jobs_core::__private::expect_done(
                            jobs_core::__private::take(&mut __jobs_o1, __jobs_h8),
                        ),
                        jobs_core::__private::expect_done(
                            jobs_core::__private::take(&mut __jobs_o1, __jobs_h9),
                        ),
                    )),
                __jobs_o,
            ),
        )
    };
}
