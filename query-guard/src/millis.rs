//! Times in report JSON: milliseconds as floating-point numbers, bounded by [`MAX_REPORT_MS`]
//! both when written and when read back.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serializer};

/// The longest time a report gives, in milliseconds: 1e15 ms, about 31,700 years. A source that
/// reports an impossible duration (or a saturated sum of them) is written as this, so that every
/// report file is one `query-guard report` reads.
pub const MAX_REPORT_MS: f64 = 1e15;

/// A time as a report file gives it: milliseconds, capped at [`MAX_REPORT_MS`].
///
/// ```
/// use std::time::Duration;
/// use query_guard::report::{MAX_REPORT_MS, report_ms};
///
/// assert_eq!(report_ms(Duration::from_micros(1_500)), 1.5);
/// assert_eq!(report_ms(Duration::MAX), MAX_REPORT_MS);
/// ```
pub fn report_ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e3).min(MAX_REPORT_MS)
}

pub(crate) fn ser_ms<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(report_ms(*d))
}

pub(crate) fn ser_opt_ms<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => ser_ms(d, s),
        None => s.serialize_none(),
    }
}

/// Reads a time written by [`ser_ms`]: finite milliseconds from 0 to [`MAX_REPORT_MS`] (`-0`
/// reads as 0). Anything else is a corrupted or hand-made file, refused (serde_json names the
/// line and column).
pub(crate) fn de_ms<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let v = f64::deserialize(d)?;
    if v.is_finite() && (0.0..=MAX_REPORT_MS).contains(&v) {
        Ok(Duration::from_secs_f64((v + 0.0) / 1e3))
    } else {
        Err(serde::de::Error::invalid_value(
            serde::de::Unexpected::Float(v),
            &"milliseconds from 0 to 1e15",
        ))
    }
}

pub(crate) fn de_opt_ms<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    #[derive(Deserialize)]
    struct Ms(#[serde(deserialize_with = "de_ms")] Duration);
    Ok(Option::<Ms>::deserialize(d)?.map(|Ms(d)| d))
}

/// `#[serde(with = "crate::millis::ms")]`: a [`Duration`] as milliseconds, both ways.
pub(crate) mod ms {
    pub(crate) use super::{de_ms as deserialize, ser_ms as serialize};
}

/// `#[serde(with = "crate::millis::opt_ms")]`: an optional [`Duration`] as milliseconds or `null`.
pub(crate) mod opt_ms {
    pub(crate) use super::{de_opt_ms as deserialize, ser_opt_ms as serialize};
}

/// An optional time that serialises as [`ser_opt_ms`] does, for hand-written `Serialize` impls.
pub(crate) struct Millis(pub(crate) Option<Duration>);

impl serde::Serialize for Millis {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_opt_ms(&self.0, s)
    }
}
