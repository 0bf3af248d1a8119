//! The time the scheduler's own waits read: retry backoff, circuit-breaker cooldowns and step
//! deadlines. A step's process runs in real time whatever the clock (its timeout is enforced by
//! [`crate::exec`] on the real clock); tests use [`SkippingClock`] so that a wait takes no time
//! and what they assert does not depend on the machine's speed.

use std::fmt::Debug;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A monotonic clock the scheduler waits on.
pub trait Clock: Debug + Sync {
    /// Time since the clock's origin (fixed when it was made).
    fn now(&self) -> Duration;
    /// Waits `d`, stopping early when `interrupted` is set: `false` when it was.
    fn sleep(&self, d: Duration, interrupted: &AtomicBool) -> bool;
}

/// The real clock: [`Instant`], sleeping in slices of at most 20 ms to notice an interrupt.
#[derive(Debug)]
pub struct SystemClock {
    origin: Instant,
}

impl SystemClock {
    pub fn new() -> SystemClock {
        SystemClock { origin: Instant::now() }
    }
}

impl Default for SystemClock {
    fn default() -> SystemClock {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    fn sleep(&self, d: Duration, interrupted: &AtomicBool) -> bool {
        let end = Instant::now() + d;
        while Instant::now() < end {
            if interrupted.load(Ordering::SeqCst) {
                return false;
            }
            std::thread::sleep((end - Instant::now()).min(Duration::from_millis(20)));
        }
        !interrupted.load(Ordering::SeqCst)
    }
}

/// Real time plus every wait, skipped: [`Clock::sleep`] returns at once and moves the clock on
/// by what it was asked to wait. Steps still take their real time.
#[derive(Debug, Default)]
pub struct SkippingClock {
    real: SystemClock,
    skipped: Mutex<Duration>,
}

impl SkippingClock {
    pub fn new() -> SkippingClock {
        SkippingClock::default()
    }
}

impl Clock for SkippingClock {
    fn now(&self) -> Duration {
        self.real.now() + *self.skipped.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn sleep(&self, d: Duration, interrupted: &AtomicBool) -> bool {
        if interrupted.load(Ordering::SeqCst) {
            return false;
        }
        *self.skipped.lock().unwrap_or_else(|e| e.into_inner()) += d;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skipping_clock_moves_on_by_each_wait_at_once() {
        let clock = SkippingClock::new();
        let go = AtomicBool::new(false);
        let before = clock.now();
        assert!(clock.sleep(Duration::from_secs(3600), &go));
        assert!(clock.now() >= before + Duration::from_secs(3600));
        assert!(!clock.sleep(Duration::from_secs(1), &AtomicBool::new(true)), "an interrupt stops a wait");
    }
}
