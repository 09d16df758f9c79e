//! A spinner on standard error for runs on a terminal that take longer than a second. It never
//! touches standard output, so it cannot mix into a report; it is cleared when the run ends.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// Shown while alive; dropping it stops and clears the spinner.
pub struct Progress {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Whether a spinner may be drawn: standard error is a terminal that is not `TERM=dumb`.
pub fn wanted() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

impl Progress {
    /// Starts the timer; the spinner appears after `delay` if the run is still going.
    pub fn start(enabled: bool, delay: Duration, message: &'static str) -> Progress {
        if !enabled {
            return Progress {
                stop: None,
                thread: None,
            };
        }
        let (tx, rx) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            if rx.recv_timeout(delay) != Err(RecvTimeoutError::Timeout) {
                return;
            }
            let bar = indicatif::ProgressBar::with_draw_target(
                None,
                indicatif::ProgressDrawTarget::stderr(),
            );
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar.set_message(message);
            while rx.recv_timeout(Duration::from_millis(100)) == Err(RecvTimeoutError::Timeout) {
                bar.tick();
            }
            bar.finish_and_clear();
        });
        Progress {
            stop: Some(tx),
            thread: Some(thread),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disabled_or_quick_run_draws_nothing_and_stops_at_once() {
        drop(Progress::start(false, Duration::ZERO, "x"));
        // Enabled but stopped before the delay: the thread ends without drawing.
        let p = Progress::start(true, Duration::from_secs(60), "x");
        drop(p);
    }
}
