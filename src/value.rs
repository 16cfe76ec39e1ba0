//! Value types: what a bid gives a rule (a [`Scalar`], or the panel's marks as [`Given`]),
//! calendar dates, and dotted field paths. A leaf: it depends on nothing in the crate but
//! exact arithmetic, so every layer above can use it.

use std::fmt;

use rust_decimal::Decimal;

/// A calendar date (proleptic Gregorian).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// A valid date, or `None`.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days).contains(&day).then_some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before), by Howard Hinnant's `days_from_civil`.
    #[expect(clippy::arithmetic_side_effects, reason = "a year is an i32 and every term stays within i64")]
    pub fn days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01, by Howard Hinnant's `civil_from_days`; `None` past
    /// the years a date holds (TOML's four-digit years and more).
    #[expect(clippy::arithmetic_side_effects, reason = "after the checked shift, every term is bounded by 146,097 days or 400 years")]
    pub fn from_days(days: i64) -> Option<Date> {
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = era.checked_mul(400)?.checked_add(yoe)?.checked_add(i64::from(month <= 2))?;
        Date::new(i32::try_from(year).ok()?, u8::try_from(month).ok()?, u8::try_from(day).ok()?)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

impl Date {
    /// Its text, `YYYY-MM-DD`, into `o`: a year of four digits, a month and a day of two,
    /// written as digits (reports write one for every dated cell; the formatter's padding
    /// was most of it); another year as the formatter pads it.
    pub(crate) fn write_to<W: fmt::Write + ?Sized>(&self, o: &mut W) -> fmt::Result {
        let digit = |n: u32| char::from_digit(n % 10, 10).unwrap_or('0');
        let (m, d) = (u32::from(self.month), u32::from(self.day));
        match u32::try_from(self.year) {
            Ok(y) if y <= 9999 => {
                let text =
                    [digit(y / 1000), digit(y / 100), digit(y / 10), digit(y), '-', digit(m / 10), digit(m), '-', digit(d / 10), digit(d)];
                text.iter().try_for_each(|c| o.write_char(*c))
            }
            _ => write!(o, "{:04}-{:02}-{:02}", self.year, self.month, self.day),
        }
    }
}

/// A single value a gate or rule reads from a bid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scalar {
    /// A string.
    Text(String),
    /// A boolean.
    Bool(bool),
    /// A number, exactly.
    Number(Decimal),
    /// A date.
    Date(Date),
}

impl Scalar {
    /// "a string", "a number", … for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Scalar::Text(_) => "a string",
            Scalar::Bool(_) => "a boolean",
            Scalar::Number(_) => "a number",
            Scalar::Date(_) => "a date",
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

impl Scalar {
    /// Its text (as `Display` writes it) into `o`, without a formatter in between.
    pub(crate) fn write_to<W: fmt::Write + ?Sized>(&self, o: &mut W) -> fmt::Result {
        match self {
            Scalar::Text(s) => o.write_str(s),
            Scalar::Bool(b) => o.write_str(if *b { "true" } else { "false" }),
            Scalar::Number(d) => o.write_str(crate::exact::DecimalText::new(*d).as_str()),
            Scalar::Date(d) => d.write_to(o),
        }
    }
}

/// What a criterion was given for one bid: a value, or the panel's marks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Given {
    /// A bid value.
    Value(Scalar),
    /// The panel's marks, one per evaluator.
    Marks(Vec<Decimal>),
}

impl fmt::Display for Given {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

impl Given {
    /// Its text (as `Display` writes it) into `o`, without a formatter in between: reports
    /// write one for every cell, in its value and in its reason.
    pub(crate) fn write_to<W: fmt::Write + ?Sized>(&self, o: &mut W) -> fmt::Result {
        match self {
            Given::Value(v) => v.write_to(o),
            Given::Marks(m) => {
                o.write_str("[")?;
                for (i, x) in m.iter().enumerate() {
                    if i > 0 {
                        o.write_str(", ")?;
                    }
                    o.write_str(crate::exact::DecimalText::new(x.normalize()).as_str())?;
                }
                o.write_str("]")
            }
        }
    }
}

/// A dotted path into a bid file, such as `offer.gpus`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldPath(pub(crate) Vec<String>);

impl FieldPath {
    /// Parse `a.b.c`; `None` if a segment is empty or holds `=`.
    pub fn parse(s: &str) -> Option<FieldPath> {
        let parts: Vec<String> = s.split('.').map(str::to_owned).collect();
        // `=` would make `--set FIELD=VALUE` ambiguous.
        if parts.iter().any(|p| p.is_empty() || p.contains('=')) { None } else { Some(FieldPath(parts)) }
    }

    /// The segments.
    pub fn segments(&self) -> &[String] {
        &self.0
    }

    /// Whether `prefix` is this path or a table it runs through (`offer` of `offer.gpus`).
    pub fn starts_with(&self, prefix: &FieldPath) -> bool {
        self.0.starts_with(&prefix.0)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("."))
    }
}

#[cfg(test)]
mod tests {
    use super::Date;

    #[test]
    fn days_and_back() {
        for (y, m, d) in [(1970, 1, 1), (2000, 2, 29), (2025, 12, 31), (1, 1, 1), (9999, 12, 31), (1969, 12, 31)] {
            let date = Date::new(y, m, d).unwrap();
            assert_eq!(Date::from_days(date.days()), Some(date), "{date}");
        }
        assert_eq!(Date::from_days(i64::MAX), None);
    }

    #[test]
    fn a_date_is_written_as_the_formatter_pads_it() {
        for (y, m, d) in
            [(2025, 3, 3), (5, 1, 9), (0, 2, 29), (999, 12, 31), (9999, 12, 31), (10000, 1, 1), (123_456, 6, 7), (-1, 1, 1), (-2024, 2, 29)]
        {
            let date = Date::new(y, m, d).unwrap();
            assert_eq!(date.to_string(), format!("{y:04}-{m:02}-{d:02}"));
        }
    }
}

/// An immutable, shared string: an id or a name that the model holds once and every outcome
/// and analysis refers to. Cloning it shares the text (an outcome of 10,000 bids copied
/// each bid's id, name, section, gate and field names: a third of its allocations); it
/// reads, compares, orders, hashes, prints and serialises as the `str` it holds.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Str(std::sync::Arc<str>);

impl Str {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Str {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Str {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Str {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<String> for Str {
    fn from(s: String) -> Str {
        Str(s.into())
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Str {
        Str(s.into())
    }
}

impl From<&String> for Str {
    fn from(s: &String) -> Str {
        Str(s.as_str().into())
    }
}

impl From<Str> for String {
    fn from(s: Str) -> String {
        s.0.as_ref().to_owned()
    }
}

impl PartialEq<str> for Str {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Str {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Str {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Str> for str {
    fn eq(&self, other: &Str) -> bool {
        *self == *other.0
    }
}

impl PartialEq<Str> for &str {
    fn eq(&self, other: &Str) -> bool {
        **self == *other.0
    }
}

impl PartialEq<Str> for String {
    fn eq(&self, other: &Str) -> bool {
        **self == *other.0
    }
}

impl serde::Serialize for Str {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl From<&Str> for String {
    fn from(s: &Str) -> String {
        s.0.as_ref().to_owned()
    }
}
