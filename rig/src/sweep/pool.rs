//! Independent pieces of work on a few scoped threads, their results in the order of the work:
//! the sweep's end (its summaries and each plot file, `write_summaries`) on the sweep's `jobs`
//! threads. Each piece is taken by whichever thread is free next, so uneven pieces still keep
//! every thread busy; which thread did what changes nothing but the time.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `work(0)`, …, `work(n - 1)` on at most `jobs` threads (on the calling thread alone when
/// `jobs` or `n` is at most 1); the results in index order. A panic in `work` is re-raised here
/// once every thread has stopped, as a serial loop would raise it.
pub(crate) fn map_indexed<T: Send>(
    jobs: usize,
    n: usize,
    work: impl Fn(usize) -> T + Sync,
) -> Vec<T> {
    let threads = jobs.min(n);
    if threads <= 1 {
        return (0..n).map(work).collect();
    }
    let next = AtomicUsize::new(0);
    let done: Vec<Vec<(usize, T)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break mine;
                        }
                        mine.push((i, work(i)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut slots: Vec<Option<T>> = (0..n).map(|_| None).collect();
    for (i, result) in done.into_iter().flatten() {
        slots[i] = Some(result);
    }
    slots
        .into_iter()
        .map(|r| r.expect("every index is taken by exactly one thread"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_index_order_whatever_the_thread_count() {
        let serial: Vec<usize> = (0..37).map(|i| i * i).collect();
        for jobs in [0, 1, 2, 3, 8, 100] {
            assert_eq!(map_indexed(jobs, 37, |i| i * i), serial, "jobs {jobs}");
        }
        assert!(map_indexed(4, 0, |i| i).is_empty());
    }

    #[test]
    fn every_index_runs_exactly_once() {
        let runs: Vec<AtomicUsize> = (0..50).map(|_| AtomicUsize::new(0)).collect();
        map_indexed(3, 50, |i| runs[i].fetch_add(1, Ordering::Relaxed));
        assert!(runs.iter().all(|r| r.load(Ordering::Relaxed) == 1));
    }

    #[test]
    #[should_panic(expected = "piece 5")]
    fn a_panic_in_a_piece_reaches_the_caller() {
        map_indexed(2, 10, |i| assert_ne!(i, 5, "piece {i}"));
    }
}
