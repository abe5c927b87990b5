//! How a command ends when it does not succeed: a message and an exit code.

/// An error that ends the command with a message and an exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl Failure {
    /// An error writing the output: exit code 1, except a closed pipe (`| head`), which stops
    /// quietly.
    pub(crate) fn write(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Failure::quiet_stop();
        }
        Failure {
            code: 1,
            message: format!("cannot write the output: {e}"),
        }
    }

    /// Bad usage or unreadable input: exit code 2.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }

    /// Stop without a message and with success (the output pipe was closed).
    pub(crate) fn quiet_stop() -> Self {
        Failure {
            code: 0,
            message: String::new(),
        }
    }
}
