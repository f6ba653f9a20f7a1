//! Sample data for the reference application: the one review generator.
//!
//! [`Reviews`] generates what the reference application reads (its input schema in
//! `examples/reference-app.toml`): `review_id`, `star_rating`, `product_category`,
//! `review_body`, tab-separated and newline-terminated. Ordinary reviews are rated 3 to 5;
//! every `anomaly_every`-th one is an injected anomaly, rated 1 with an angry text, which the
//! application's RANDOM_CUT_FOREST scores high. `kdaflow send` sends them through
//! `aws-sdk-firehose`, `kdaflow up` streams them into the twin in-process, and the SQL
//! engine's benchmark pushes them through the pumps.

/// Product categories drawn from.
pub const CATEGORIES: [&str; 6] = [
    "Books",
    "Electronics",
    "Toys",
    "Kitchen",
    "Music",
    "Video_Games",
];
const GOOD: [&str; 3] = [
    "Great product, works perfectly and I love it.",
    "Excellent quality, very good value.",
    "Good and reliable, would buy again.",
];
const FAIR: [&str; 2] = [
    "It is okay, does the job.",
    "Average quality, nothing special.",
];
const ANGRY: [&str; 2] = [
    "Terrible. Broke on day one, awful and useless.",
    "Worst purchase ever, poor quality, a waste of money.",
];

/// One review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// 14 characters: `R`, three digits of the seed, ten of the sequence.
    pub review_id: String,
    /// 1..5; `None` leaves the field empty (the preprocessing stand-in fills it).
    pub star_rating: Option<u8>,
    /// One of [`CATEGORIES`].
    pub product_category: &'static str,
    /// The text.
    pub review_body: String,
    /// Whether this is an injected anomaly.
    pub anomaly: bool,
}

impl Review {
    /// The record: tab-separated fields, newline-terminated.
    pub fn line(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}\n",
            self.review_id,
            self.star_rating.map(|r| r.to_string()).unwrap_or_default(),
            self.product_category,
            self.review_body
        )
    }
}

/// A deterministic review generator.
#[derive(Debug, Clone)]
pub struct Reviews {
    state: u64,
    n: u64,
    seed: u64,
    anomaly_every: u64,
}

impl Reviews {
    /// Reviews from `seed`, with an anomaly every `anomaly_every` reviews (0: none).
    pub fn new(seed: u64, anomaly_every: u64) -> Self {
        Self {
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            n: 0,
            seed,
            anomaly_every,
        }
    }

    fn next_u64(&mut self) -> u64 {
        // xorshift64*: small and good enough for synthetic data.
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// The next review.
    pub fn next_review(&mut self) -> Review {
        self.n += 1;
        let r = self.next_u64();
        let anomaly = self.anomaly_every > 0 && self.n.is_multiple_of(self.anomaly_every);
        let (rating, body) = if anomaly {
            (1, ANGRY[(r >> 20) as usize % ANGRY.len()])
        } else {
            match r % 100 {
                0..=54 => (5, GOOD[(r >> 20) as usize % GOOD.len()]),
                55..=89 => (4, GOOD[(r >> 20) as usize % GOOD.len()]),
                _ => (3, FAIR[(r >> 20) as usize % FAIR.len()]),
            }
        };
        Review {
            review_id: format!("R{:03}{:010}", self.seed % 1000, self.n % 10_000_000_000),
            star_rating: Some(rating),
            product_category: CATEGORIES[(r >> 8) as usize % CATEGORIES.len()],
            review_body: body.to_string(),
            anomaly,
        }
    }
}

impl Iterator for Reviews {
    type Item = Review;

    /// Never ends.
    fn next(&mut self) -> Option<Review> {
        Some(self.next_review())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reviews_fit_the_reference_schema() {
        let mut g = Reviews::new(7, 10);
        let all: Vec<Review> = (0..100).map(|_| g.next_review()).collect();
        assert!(all.iter().all(|r| r.review_id.len() == 14));
        assert_eq!(all.iter().filter(|r| r.anomaly).count(), 10);
        assert!(
            all.iter()
                .filter(|r| r.anomaly)
                .all(|r| r.star_rating == Some(1))
        );
        assert!(
            all.iter()
                .filter(|r| !r.anomaly)
                .all(|r| r.star_rating >= Some(3))
        );
        let line = all[0].line();
        assert_eq!(line.matches('\t').count(), 3);
        assert!(line.ends_with('\n'));
        assert_eq!(Reviews::new(7, 10).next_review(), all[0]);
    }
}
