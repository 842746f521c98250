//! MEMORY USAGE's sampling (Redis's objectComputeSize): a big collection's size is the
//! average of its first elements times its length, so the command is O(samples), never a
//! pass over a million-element hash inside the event loop.

/// The total size of `len` elements, estimated from the first `samples` sizes of `sizes`.
pub fn sampled(sizes: impl Iterator<Item = usize>, samples: usize, len: usize) -> usize {
    let mut seen = 0usize;
    let mut total = 0usize;
    for size in sizes.take(samples.max(1)) {
        seen += 1;
        total = total.saturating_add(size);
    }
    if seen == 0 {
        return 0;
    }
    // (double)elesize/samples*len, as Redis computes it.
    (total as f64 / seen as f64 * len as f64) as usize
}

#[cfg(test)]
mod tests {
    use super::sampled;

    #[test]
    fn all_samples_is_the_exact_sum_and_fewer_extrapolate() {
        assert_eq!(sampled([10, 20, 30].into_iter(), usize::MAX, 3), 60);
        assert_eq!(sampled([10, 20, 30].into_iter(), 2, 3), 45);
        assert_eq!(sampled(std::iter::empty(), 5, 0), 0);
    }
}
