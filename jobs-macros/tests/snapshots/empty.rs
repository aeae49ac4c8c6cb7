// workflow! {}

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
                pub const DOT: &'static str = "digraph workflow{\ncompound=true;\ngraph [];\n}\n";
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
            pub struct Outcome {
                __jobs_runtime: jobs_core::__private::Outcome,
            }
            #[allow(non_camel_case_types)]
            impl Outcome {
                /// The runtime's view of the run (values moved into the fields):
                /// states, errors, listings (`list`, `debrief`), graphs.
                #[allow(dead_code)]
                pub fn runtime(&self) -> &jobs_core::__private::Outcome {
                    &self.__jobs_runtime
                }
            }
            #[allow(non_camel_case_types, clippy::too_many_arguments)]
            fn outcome0(__jobs_runtime: jobs_core::__private::Outcome) -> Outcome {
                Outcome { __jobs_runtime }
            }
            /// The state of each job of the workflow when it failed.
            #[allow(dead_code, non_camel_case_types)]
            pub struct Partial {
                __jobs_runtime: jobs_core::__private::Outcome,
            }
            #[allow(non_camel_case_types)]
            impl Partial {
                /// The runtime's view of the run (values moved into the fields):
                /// states, errors, listings (`list`, `debrief`), graphs.
                #[allow(dead_code)]
                pub fn runtime(&self) -> &jobs_core::__private::Outcome {
                    &self.__jobs_runtime
                }
            }
            #[allow(non_camel_case_types, clippy::too_many_arguments)]
            fn partial(__jobs_runtime: jobs_core::__private::Outcome) -> Partial {
                Partial { __jobs_runtime }
            }
            #[allow(non_camel_case_types)]
            impl ::core::fmt::Debug for Partial {
                fn fmt(
                    &self,
                    f: &mut ::core::fmt::Formatter<'_>,
                ) -> ::core::fmt::Result {
                    f.debug_struct("Partial").finish()
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
        __jobs_new(
            __jobs_s0,
            move |mut __jobs_o: jobs_core::__private::Outcome| __jobs_outcome0(__jobs_o),
            move |mut __jobs_o: jobs_core::__private::Outcome| __jobs_partial(__jobs_o),
        )
    };
}
