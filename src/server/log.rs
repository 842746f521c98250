//! Server log lines in Redis's format: `pid:M 25 Nov 2026 16:45:00.123 * message`.
//!
//! The loop hands every line the Poller's time, so a simulated run logs virtual time and
//! the core never reads a clock of its own.

use std::io::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug,
    Verbose,
    Notice,
    Warning,
}

impl Level {
    /// `loglevel` setting names; "nothing" silences everything.
    pub fn from_name(name: &str) -> Option<Level> {
        match name {
            "debug" => Some(Level::Debug),
            "verbose" => Some(Level::Verbose),
            "notice" => Some(Level::Notice),
            "warning" => Some(Level::Warning),
            _ => None,
        }
    }

    fn mark(self) -> char {
        match self {
            Level::Debug => '.',
            Level::Verbose => '-',
            Level::Notice => '*',
            Level::Warning => '#',
        }
    }
}

/// Where log lines go.
pub trait Log {
    fn log(&mut self, level: Level, now_us: u64, message: &str);
}

/// Discards everything (simulator, fuzzers).
pub struct NullLog;

impl Log for NullLog {
    fn log(&mut self, _: Level, _: u64, _: &str) {}
}

/// Writes lines at or above a level to a writer (stdout or a log file).
pub struct WriterLog<W: Write> {
    pub pid: u32,
    /// None: log nothing (`loglevel nothing`).
    pub min_level: Option<Level>,
    pub out: W,
}

impl<W: Write> Log for WriterLog<W> {
    fn log(&mut self, level: Level, now_us: u64, message: &str) {
        let Some(min) = self.min_level else { return };
        if level < min {
            return;
        }
        let _ = writeln!(
            self.out,
            "{}:M {} {} {}",
            self.pid,
            format_time(now_us),
            level.mark(),
            message
        );
        let _ = self.out.flush();
    }
}

/// `25 Nov 2026 16:45:00.123` (UTC) from microseconds since the epoch.
pub fn format_time(now_us: u64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = now_us / 1_000_000;
    let millis = (now_us / 1000) % 1000;
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{:02} {} {} {:02}:{:02}:{:02}.{:03}",
        day,
        MONTHS[(month - 1) as usize],
        year,
        rem / 3600,
        (rem / 60) % 60,
        rem % 60,
        millis
    )
}

/// Days since 1970-01-01 to (year, month 1..=12, day 1..=31): Howard Hinnant's algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_dates() {
        assert_eq!(format_time(0), "01 Jan 1970 00:00:00.000");
        // 2026-11-25 16:45:00.123 UTC
        assert_eq!(
            format_time(1_795_625_100_123_000),
            "25 Nov 2026 16:45:00.123"
        );
        assert_eq!(format_time(951_782_400_000_000), "29 Feb 2000 00:00:00.000");
    }
}
