//! An adapter's client-side limits: at most `concurrency` requests in
//! flight and `rate_limit` request starts per second (keystoneauth's
//! `Adapter(rate_limit=..., concurrency=...)`).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, SemaphorePermit};

/// Shared by an adapter and its clones; each HTTP attempt (retries and
/// redirects included, as keystoneauth counts them) takes a turn.
#[derive(Debug)]
pub(crate) struct Limiter {
    /// Fair (first come, first served), as keystoneauth's FairSemaphore.
    permits: Option<Semaphore>,
    /// Time between two starts.
    delay: Option<Duration>,
    /// When the next start may be.
    next: Mutex<Option<Instant>>,
}

impl Limiter {
    /// `None` when neither limit is set. A rate that is not a positive
    /// finite number, or a concurrency of 0, means no limit (keystoneauth's
    /// falsy values).
    pub(crate) fn new(rate_limit: Option<f64>, concurrency: Option<usize>) -> Option<Limiter> {
        let delay =
            rate_limit.filter(|r| r.is_finite() && *r > 0.0).and_then(|r| Duration::try_from_secs_f64(1.0 / r).ok());
        let permits = concurrency.filter(|c| *c > 0).map(Semaphore::new);
        (delay.is_some() || permits.is_some()).then(|| Limiter { permits, delay, next: Mutex::new(None) })
    }

    /// Waits for a turn: a free slot, then the next start time. The permit
    /// is held until the attempt's response is read.
    pub(crate) async fn acquire(&self) -> Option<SemaphorePermit<'_>> {
        let permit = match &self.permits {
            // Never closed: an error cannot happen, and means no limit.
            Some(s) => s.acquire().await.ok(),
            None => None,
        };
        if let Some(at) = self.schedule(Instant::now()) {
            tokio::time::sleep_until(at.into()).await;
        }
        permit
    }

    /// When a request asking at `now` may start, and moves the next start
    /// on. keystoneauth counts from when the adapter was made, so after a
    /// quiet minute at 1 request/s it lets 60 requests go at once; here an
    /// idle limiter starts from `now`.
    fn schedule(&self, now: Instant) -> Option<Instant> {
        let delay = self.delay?;
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let at = next.map_or(now, |n| n.max(now));
        *next = Some(at + delay);
        Some(at)
    }
}

#[cfg(test)]
mod tests {
    use super::Limiter;
    use std::time::{Duration, Instant};

    #[test]
    fn starts_are_spaced_by_the_rate_without_a_catch_up_burst() {
        let l = Limiter::new(Some(2.0), None).expect("limited");
        let t0 = Instant::now();
        let starts: Vec<Instant> = (0..10).map(|_| l.schedule(t0).expect("rate")).collect();
        // Counted, not timed: how many of ten asked at once may start
        // within the first second (inclusive) at 2 per second.
        assert_eq!(starts.iter().filter(|s| **s <= t0 + Duration::from_secs(1)).count(), 3);
        assert_eq!(starts[9], t0 + Duration::from_millis(4500));
        // After a quiet minute, one start now and the next half a second on.
        let later = t0 + Duration::from_secs(60);
        assert_eq!(l.schedule(later), Some(later));
        assert_eq!(l.schedule(later), Some(later + Duration::from_millis(500)));
    }

    #[test]
    fn falsy_limits_are_no_limits() {
        assert!(Limiter::new(None, None).is_none());
        assert!(Limiter::new(Some(0.0), Some(0)).is_none());
        assert!(Limiter::new(Some(f64::NAN), None).is_none());
        assert!(Limiter::new(Some(-1.0), None).is_none());
        assert!(Limiter::new(None, Some(1)).is_some_and(|l| l.schedule(Instant::now()).is_none()));
    }
}
