//! Graph exports: DOT (Graphviz) and Mermaid, drawn by `jobs-draw` (which the
//! `workflow!` macro uses too, to draw a workflow at compile time).

use crate::display::{of_outcome, of_scheduler};
use crate::outcome::Outcome;
use crate::scheduler::Scheduler;

impl Scheduler {
    /// The workflow as a DOT graph, for Graphviz: rounded boxes, critical jobs in thick
    /// red, forever jobs dashed, nested schedulers as clusters.
    ///
    /// ```
    /// use jobs_core::{Scheduler, infallible};
    /// let mut s = Scheduler::new();
    /// let a = s.add(infallible(async {})).label("a").id();
    /// s.add(infallible(async {})).label("b").requires(a).noncritical();
    /// assert_eq!(s.dot(), "digraph workflow{\ncompound=true;\ngraph [];\n\
    ///     1 [style=\"rounded\",label=\"1: a\",shape=\"box\",color=\"red\",penwidth=\"2\"]\n\
    ///     2 [style=\"rounded\",label=\"2: b\",shape=\"box\",penwidth=\"0.5\"]\n\
    ///     1 -> 2;\n}\n");
    /// ```
    pub fn dot(&self) -> String {
        jobs_draw::dot(&of_scheduler(self))
    }

    /// The workflow as a Mermaid flowchart (`==>` marks an input, `-->` an ordering).
    pub fn mermaid(&self) -> String {
        jobs_draw::mermaid(&of_scheduler(self))
    }
}

impl Outcome {
    /// The workflow as a DOT graph, each node filled with the colour of its state.
    pub fn dot(&self) -> String {
        jobs_draw::dot(&of_outcome(self))
    }

    /// The workflow as a Mermaid flowchart, with a class per state.
    pub fn mermaid(&self) -> String {
        jobs_draw::mermaid(&of_outcome(self))
    }
}
