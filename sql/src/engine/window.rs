//! Tumbling-window boundaries, computed in one place: where a ROWTIME's window starts, where
//! a window ends, and the one open window of a stage whose rows arrive in ROWTIME order.
//! GROUP BY STEP/FLOOR (`tumbling.rs`), COUNT_DISTINCT_ITEMS_TUMBLING (`distinct.rs`) and
//! TOP_K_ITEMS_TUMBLING (`topk.rs`) all use it, as do the STEP and FLOOR expressions.

use chrono::{DateTime, Datelike, NaiveDate};

use crate::ast::TimeUnit;
use crate::plan::WindowFn;

impl WindowFn {
    /// The start of the window containing `t` (epoch ms): STEP windows are aligned to the
    /// epoch, FLOOR windows to calendar units in UTC.
    pub fn start(self, t: i64) -> i64 {
        match self {
            WindowFn::Step(ms) => t.div_euclid(ms) * ms,
            WindowFn::Months(n) => {
                let index = month_index(t).div_euclid(n) * n;
                month_start(index).unwrap_or(t)
            }
            WindowFn::Floor(unit) => floor_to(t, unit),
        }
    }

    /// The end (exclusive) of the window that starts at `start`.
    pub fn end(self, start: i64) -> i64 {
        match self {
            WindowFn::Step(ms) => start + ms,
            WindowFn::Months(n) => month_start(month_index(start) + n).unwrap_or(start + 1),
            WindowFn::Floor(unit) => next_floor(start, unit),
        }
    }
}

/// Months since 1970-01 of the month containing `t` (UTC).
fn month_index(t: i64) -> i64 {
    DateTime::from_timestamp_millis(t).map_or(0, |dt| {
        (i64::from(dt.year()) - 1970) * 12 + i64::from(dt.month0())
    })
}

/// The first instant of month `index` (months since 1970-01), epoch ms.
fn month_start(index: i64) -> Option<i64> {
    let year = i32::try_from(1970 + index.div_euclid(12)).ok()?;
    let month = u32::try_from(index.rem_euclid(12)).ok()? + 1;
    NaiveDate::from_ymd_opt(year, month, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc().timestamp_millis())
}

/// Rounds epoch ms down to the start of its calendar `unit` (UTC).
pub fn floor_to(t: i64, unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Month | TimeUnit::Year => {
            let Some(dt) = DateTime::from_timestamp_millis(t) else {
                return t;
            };
            let month = if unit == TimeUnit::Year {
                1
            } else {
                dt.month()
            };
            NaiveDate::from_ymd_opt(dt.year(), month, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map_or(t, |d| d.and_utc().timestamp_millis())
        }
        _ => t.div_euclid(unit.millis()) * unit.millis(),
    }
}

/// The start of the calendar `unit` after the one containing `t`.
pub fn next_floor(t: i64, unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Month | TimeUnit::Year => {
            let start = floor_to(t, unit);
            let Some(dt) = DateTime::from_timestamp_millis(start) else {
                return t + 1;
            };
            let (y, m) = if unit == TimeUnit::Year || dt.month() == 12 {
                (dt.year() + 1, 1)
            } else {
                (dt.year(), dt.month() + 1)
            };
            NaiveDate::from_ymd_opt(y, m, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map_or(t + 1, |d| d.and_utc().timestamp_millis())
        }
        _ => floor_to(t, unit) + unit.millis(),
    }
}

/// The one open window of a tumbling stage. Rows arrive in ROWTIME order, so a row of a
/// later window, or time reaching the open window's end, closes it.
#[derive(Debug, Clone)]
pub struct OpenWindow {
    window: WindowFn,
    bounds: Option<(i64, i64)>,
}

impl OpenWindow {
    /// No window open yet.
    pub fn new(window: WindowFn) -> Self {
        Self {
            window,
            bounds: None,
        }
    }

    /// The start of the window a row at ROWTIME `t` belongs to.
    pub fn start_of(&self, t: i64) -> i64 {
        self.window.start(t)
    }

    /// Whether a row of the window starting at `start` finds another window open, which
    /// must close before the row is added.
    pub fn is_other(&self, start: i64) -> bool {
        self.bounds.is_some_and(|(s, _)| s != start)
    }

    /// Opens the window starting at `start` (a no-op when it is the open one).
    pub fn open(&mut self, start: i64) {
        if self.bounds.is_none_or(|(s, _)| s != start) {
            self.bounds = Some((start, self.window.end(start)));
        }
    }

    /// Whether time `t` has reached the open window's end.
    pub fn is_due(&self, t: i64) -> bool {
        self.bounds.is_some_and(|(_, end)| t >= end)
    }

    /// Closes the open window, giving its `(start, end)`.
    pub fn take(&mut self) -> Option<(i64, i64)> {
        self.bounds.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_windows_are_epoch_aligned_and_half_open() {
        let w = WindowFn::Step(60_000);
        assert_eq!(w.start(59_999), 0);
        assert_eq!(w.start(60_000), 60_000);
        assert_eq!(w.start(-1), -60_000);
        assert_eq!(w.end(60_000), 120_000);
    }

    #[test]
    fn floor_windows_follow_the_calendar() {
        // 2024-02-10T12:00:00Z: its month runs to 2024-03-01 (a leap February).
        let t = 1_707_566_400_000;
        let w = WindowFn::Floor(TimeUnit::Month);
        assert_eq!(w.start(t), 1_706_745_600_000);
        assert_eq!(w.end(w.start(t)), 1_709_251_200_000);
        assert_eq!(floor_to(61_500, TimeUnit::Minute), 60_000);
        let t = crate::coerce::parse_timestamp("2024-12-15 10:20:30").unwrap();
        assert_eq!(
            crate::coerce::format_timestamp(next_floor(t, TimeUnit::Month)),
            "2025-01-01 00:00:00.000"
        );
    }

    #[test]
    fn month_steps_follow_the_calendar() {
        let ts = |s: &str| crate::coerce::parse_timestamp(s).unwrap();
        let fmt = crate::coerce::format_timestamp;
        let month = WindowFn::Months(1);
        let t = ts("2024-02-29 23:59:59");
        assert_eq!(fmt(month.start(t)), "2024-02-01 00:00:00.000");
        assert_eq!(fmt(month.end(month.start(t))), "2024-03-01 00:00:00.000");
        // Quarters are aligned to 1970-01, so to January, April, July and October.
        let quarter = WindowFn::Months(3);
        assert_eq!(
            fmt(quarter.start(ts("2025-05-20 10:00:00"))),
            "2025-04-01 00:00:00.000"
        );
        assert_eq!(
            fmt(quarter.end(ts("2025-10-01 00:00:00"))),
            "2026-01-01 00:00:00.000"
        );
        let year = WindowFn::Months(12);
        assert_eq!(
            fmt(year.start(ts("2024-12-31 23:59:59"))),
            "2024-01-01 00:00:00.000"
        );
        assert_eq!(
            fmt(year.end(ts("2024-01-01 00:00:00"))),
            "2025-01-01 00:00:00.000"
        );
        assert_eq!(
            fmt(month.start(ts("1969-12-15 00:00:00"))),
            "1969-12-01 00:00:00.000"
        );
    }

    #[test]
    fn one_window_open_at_a_time() {
        let mut w = OpenWindow::new(WindowFn::Step(1000));
        let s = w.start_of(1500);
        assert!(!w.is_other(s));
        w.open(s);
        assert!(!w.is_due(1999));
        assert!(w.is_due(2000));
        assert!(w.is_other(w.start_of(2000)));
        assert_eq!(w.take(), Some((1000, 2000)));
        assert_eq!(w.take(), None);
    }
}
