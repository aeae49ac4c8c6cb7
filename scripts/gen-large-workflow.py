#!/usr/bin/env python3
"""Writes tests/large_workflow.rs: one workflow! of 1,000 jobs, a chain of 500 jobs
that pass a counter along as typed inputs, then a fan-out of 499 jobs after the chain,
and a sink that requires them all. Run from the repository's root."""

CHAIN, FAN = 500, 499

lines = [
    "//! A generated workflow of 1,000 jobs (`scripts/gen-large-workflow.py`): a chain of",
    f"//! {CHAIN} jobs passing a counter along as typed inputs, a fan-out of {FAN} jobs after it,",
    "//! and a sink requiring them all. It checks that such a workflow expands, type-checks",
    "//! and runs; `cargo build --tests` times its compilation.",
    "",
    "use jobs_core::workflow;",
    "",
    "#[tokio::test(flavor = \"multi_thread\", worker_threads = 2)]",
    "async fn thousand_jobs() {",
    "    let flow = workflow! {",
    "        window = 64;",
    "        job c0 { 0u64 }",
]
for i in range(1, CHAIN):
    lines.append(f"        job c{i}(c{i - 1}) {{ c{i - 1} + 1 }}")
for i in range(FAN):
    lines.append(f"        job f{i}(c{CHAIN - 1}) {{ c{CHAIN - 1} + {i + 1} }}")
fans = ", ".join(f"f{i}" for i in range(FAN))
lines.append(f"        job sink requires({fans}) {{ \"done\" }}")
lines += [
    "    };",
    "    let outcome = flow.run().await.expect(\"the workflow succeeds\");",
    f"    assert_eq!(outcome.c{CHAIN - 1}, {CHAIN - 1});",
    f"    assert_eq!(outcome.f{FAN - 1}, {CHAIN - 1 + FAN});",
    "    assert_eq!(outcome.sink, \"done\");",
    "}",
    "",
]
with open("tests/large_workflow.rs", "w") as out:
    out.write("\n".join(lines))
