// workflow! {}

fn expansion() {
    let workflow = {
        let __jobs_new = {
            /// A workflow built by `workflow!`: run it with `run`.
            #[allow(dead_code, non_camel_case_types)]
            struct Workflow {
                __jobs_scheduler: jobs_core::__private::Scheduler,
            }
            #[allow(dead_code, unused_mut, unused_variables)]
            impl Workflow {
                /// Runs every job; the outcome holds each job's result.
                pub async fn run(
                    self,
                ) -> ::core::result::Result<
                    Outcome,
                    jobs_core::__private::Failure<Partial>,
                > {
                    match jobs_core::__private::Scheduler::run(self.__jobs_scheduler)
                        .await
                    {
                        ::core::result::Result::Ok(mut __jobs_o) => {
                            ::core::result::Result::Ok(Outcome {})
                        }
                        ::core::result::Result::Err(__jobs_f) => {
                            ::core::result::Result::Err(
                                __jobs_f.map_outcome(move |mut __jobs_o| Partial {}),
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
            pub struct Outcome {}
            /// The state of each job of the workflow when it failed.
            #[allow(dead_code, non_camel_case_types)]
            pub struct Partial {}
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
            #[allow(clippy::too_many_arguments)]
            fn new(scheduler: jobs_core::__private::Scheduler) -> Workflow {
                Workflow {
                    __jobs_scheduler: scheduler,
                }
            }
            new
        };
        let mut __jobs_s0 = jobs_core::__private::Scheduler::new();
        __jobs_new(__jobs_s0)
    };
}
