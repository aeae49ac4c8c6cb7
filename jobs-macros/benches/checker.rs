//! Cost of `workflow!` itself: parsing and checking a generated workflow, then
//! expanding it, for 1,000 to 20,000 jobs, per job and per edge. The checker is
//! O(jobs + edges): the cost per job and per edge stays flat as the workflow grows.
//!
//! `cargo bench -p jobs-macros --bench checker`. The modules of the macro are
//! compiled here as plain modules (a proc-macro crate exports nothing else), and run
//! on `proc_macro2` tokens outside of a compiler.
#![allow(dead_code)]

#[path = "../src/ast.rs"]
mod ast;
#[path = "../src/check.rs"]
mod check;
#[path = "../src/expand.rs"]
mod expand;
#[path = "../src/graph.rs"]
mod graph;
#[path = "../src/report.rs"]
mod report;

use std::str::FromStr;
use std::time::{Duration, Instant};

use proc_macro2::TokenStream;

/// The body of a workflow of `jobs` jobs: layers of `width` jobs, each requiring
/// every job of the layer before (a chain when `width` is 1), one in every ten
/// consuming the output of the job before it.
fn workflow(jobs: usize, width: usize) -> (String, usize) {
    let mut text = String::from("window = 64;\n");
    let mut edges = 0;
    for i in 0..jobs {
        let layer = i / width;
        let requires: Vec<String> = if layer == 0 {
            Vec::new()
        } else {
            ((layer - 1) * width..layer * width)
                .map(|j| format!("j{j}"))
                .collect()
        };
        edges += requires.len();
        let inputs = if i > 0 && i % 10 == 0 && width == 1 {
            format!("(j{})", i - 1)
        } else {
            String::new()
        };
        let requires = if requires.is_empty() {
            String::new()
        } else {
            format!(" requires({})", requires.join(", "))
        };
        text.push_str(&format!("job j{i}{inputs}{requires} {{ 1u32 }}\n"));
    }
    (text, edges)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let repeat: usize = std::env::var("BENCH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    println!(
        "workflow! parse + check, and the whole expansion (check included); median of {repeat} runs"
    );
    println!(
        "{:<20} {:>8} {:>10} {:>11} {:>14} {:>11}",
        "workflow", "edges", "check", "ns/job", "ns/(job+edge)", "expand"
    );
    for (name, jobs, width) in [
        ("chain 1k", 1_000, 1),
        ("chain 10k", 10_000, 1),
        ("chain 20k", 20_000, 1),
        ("layered 1k w10", 1_000, 10),
        ("layered 10k w10", 10_000, 10),
        ("layered 20k w10", 20_000, 10),
    ] {
        let (text, edges) = workflow(jobs, width);
        let body = TokenStream::from_str(&text).expect("the generated workflow lexes");
        let check = median(
            (0..repeat)
                .map(|_| {
                    let tokens = body.clone();
                    let start = Instant::now();
                    let (model, errors) = check::analyze(tokens).expect("the workflow parses");
                    let elapsed = start.elapsed();
                    assert!(errors.is_none(), "the generated workflow is valid");
                    drop(model);
                    elapsed
                })
                .collect(),
        );
        let input = TokenStream::from_str(&format!("jobs_core; {text}")).expect("lexes");
        let expand = median(
            (0..repeat)
                .map(|_| {
                    let tokens = input.clone();
                    let start = Instant::now();
                    let out = expand::workflow(tokens);
                    let elapsed = start.elapsed();
                    assert!(!out.to_string().contains("compile_error"), "expands");
                    drop(out);
                    elapsed
                })
                .collect(),
        );
        println!(
            "{:<20} {:>8} {:>8.2}ms {:>11.0} {:>14.0} {:>9.2}ms",
            name,
            edges,
            check.as_secs_f64() * 1e3,
            check.as_nanos() as f64 / jobs as f64,
            check.as_nanos() as f64 / (jobs + edges) as f64,
            expand.as_secs_f64() * 1e3,
        );
    }
}
