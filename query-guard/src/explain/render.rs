//! # Rendering (being written)

use super::Explained;

/// How to print a report.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Print literal values in conditions.
    pub show_values: bool,
}

pub(crate) fn render(explained: &Explained, _options: &RenderOptions) -> String {
    format!("{} nodes, {} findings", explained.plan.nodes.len(), explained.findings.len())
}
