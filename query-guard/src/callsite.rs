//! Call sites found from backtraces (being written on the `callsite` branch; this is the type
//! only, so the detectors can group by it).

use std::fmt;

/// Where in the application a statement ran.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallSite {
    function: String,
    file: Option<String>,
    line: Option<u32>,
}

impl CallSite {
    /// The function.
    pub fn function(&self) -> &str {
        &self.function
    }
    /// The file.
    pub fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }
    /// The line.
    pub fn line(&self) -> Option<u32> {
        self.line
    }
}

impl fmt::Display for CallSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{file}:{line} ({})", self.function),
            _ => f.write_str(&self.function),
        }
    }
}

impl serde::Serialize for CallSite {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("CallSite", 3)?;
        st.serialize_field("function", &self.function)?;
        st.serialize_field("file", &self.file)?;
        st.serialize_field("line", &self.line)?;
        st.end()
    }
}

/// Replaced by the `callsite` branch's stack walk when it merges.
pub(crate) fn capture(_extra_skip: &[String]) -> Option<std::sync::Arc<CallSite>> {
    None
}
