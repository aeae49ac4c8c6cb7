// Schedulers nested five levels deep, each with a job, typed all the way down.
use jobs_core::workflow;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let flow = workflow! {
        job top { 0 }
        scheduler one requires(top) {
            job a { 1 }
            scheduler two requires(a) {
                job b { 2 }
                scheduler three {
                    label = "level three";
                    job c { 3 }
                    scheduler four requires(c) {
                        window = 1;
                        job d { 4 }
                        scheduler five {
                            job e { "deepest" }
                        }
                    }
                }
            }
        }
    };
    let outcome = flow.run().await.unwrap();
    assert_eq!(outcome.top, 0);
    assert_eq!(outcome.one.a, 1);
    assert_eq!(outcome.one.two.b, 2);
    assert_eq!(outcome.one.two.three.c, 3);
    assert_eq!(outcome.one.two.three.four.d, 4);
    assert_eq!(outcome.one.two.three.four.five.e, "deepest");
}
