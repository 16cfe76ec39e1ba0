//! Exact arithmetic: the rational type every formula is computed in, the single rounding
//! step, and the [`Points`] newtype that carries official scores.
//!
//! Every formula in SPEC §3.1 means its exact rational value; the only place anything is
//! lost is [`Rat::round`]. `Rat` keeps small values as `Ratio<i128>` and promotes to
//! `BigRational` on overflow, so no input can make arithmetic wrap or lose digits.
//! Binary floating point must never appear in this module or in anything that calls it.

use std::cmp::Ordering;
use std::fmt;

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use rust_decimal::Decimal;

/// How a criterion's exact points are rounded to `places` decimals (SPEC §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RoundingMode {
    /// Ties go away from zero (`2.5` → `3`). The default.
    HalfUp,
    /// Ties go to the even neighbour (`2.5` → `2`, `3.5` → `4`).
    HalfEven,
    /// Truncate toward zero (`2.9` → `2`).
    Down,
}

impl RoundingMode {
    /// The name used in criteria files.
    pub fn as_str(self) -> &'static str {
        match self {
            RoundingMode::HalfUp => "half-up",
            RoundingMode::HalfEven => "half-even",
            RoundingMode::Down => "down",
        }
    }
}

/// An exact rational number.
///
/// The fast representation is an *unreduced* fraction of two `i128`s (denominator > 0):
/// reducing by the gcd on every operation cost more than everything else in evaluation.
/// Any overflow promotes to `BigRational`; equality and order compare values.
#[derive(Clone, Debug)]
pub struct Rat(Repr);

#[derive(Clone, Debug)]
enum Repr {
    /// `n / d`, `d > 0`, not necessarily in lowest terms.
    Small(i128, i128),
    Big(BigRational),
}

impl Rat {
    /// Zero.
    pub fn zero() -> Rat {
        Rat(Repr::Small(0, 1))
    }

    /// One.
    pub fn one() -> Rat {
        Rat(Repr::Small(1, 1))
    }

    /// An integer.
    pub fn from_int(n: i128) -> Rat {
        Rat(Repr::Small(n, 1))
    }

    /// `n / d`; a zero denominator yields zero (callers check first).
    pub fn ratio(n: i128, d: i128) -> Rat {
        match d {
            0 => Rat::zero(),
            d if d < 0 => match (n.checked_neg(), d.checked_neg()) {
                (Some(n), Some(d)) => Rat(Repr::Small(n, d)),
                _ => Rat(Repr::Big(BigRational::new(BigInt::from(n), BigInt::from(d)))),
            },
            d => Rat(Repr::Small(n, d)),
        }
    }

    /// The exact value of a decimal.
    pub fn from_decimal(d: Decimal) -> Rat {
        // INVARIANT: a Decimal's scale is at most 28 and 10^28 fits in i128.
        Rat(Repr::Small(d.mantissa(), pow10(d.scale()).unwrap_or(1)))
    }

    /// Numerator and (positive) denominator on the fast path, as they are; `None` for a
    /// big value.
    pub(crate) fn small_parts(&self) -> Option<(i128, i128)> {
        match self.0 {
            Repr::Small(n, d) => Some((n, d)),
            Repr::Big(_) => None,
        }
    }

    /// Numerator and denominator (positive) as big integers, as they are.
    fn big_parts(&self) -> (BigInt, BigInt) {
        match &self.0 {
            Repr::Small(n, d) => (BigInt::from(*n), BigInt::from(*d)),
            Repr::Big(b) => (b.numer().clone(), b.denom().clone()),
        }
    }

    fn as_big(&self) -> BigRational {
        match &self.0 {
            Repr::Small(n, d) => BigRational::new(BigInt::from(*n), BigInt::from(*d)),
            Repr::Big(b) => b.clone(),
        }
    }

    fn big(b: BigRational) -> Rat {
        // Demote when it fits again.
        match (b.numer().to_i128(), b.denom().to_i128()) {
            (Some(n), Some(d)) => Rat(Repr::Small(n, d)),
            _ => Rat(Repr::Big(b)),
        }
    }

    /// `n / d` in lowest terms (`d > 0`): tried before promoting to `BigRational`, since an
    /// unreduced fraction overflows long before its value needs the bits.
    fn reduce((n, d): (i128, i128)) -> (i128, i128) {
        let g = gcd(n.unsigned_abs(), d.unsigned_abs());
        if g <= 1 {
            return (n, d);
        }
        // INVARIANT: g > 1 divides both, so neither quotient overflows (|i128::MIN| / g fits).
        match (i128::try_from(g), i128::try_from(n.unsigned_abs().checked_div(g).unwrap_or(0))) {
            (Ok(g), Ok(m)) => (if n < 0 { m.checked_neg().unwrap_or(n) } else { m }, d.checked_div(g).unwrap_or(d)),
            _ => (n, d),
        }
    }

    /// `op` on the fast path, retried on the operands in lowest terms when it overflows.
    fn small2(a: (i128, i128), b: (i128, i128), op: impl Fn((i128, i128), (i128, i128)) -> Option<(i128, i128)>) -> Option<(i128, i128)> {
        op(a, b).or_else(|| op(Rat::reduce(a), Rat::reduce(b)))
    }

    /// `self ± other` on the fast path; `None` on overflow.
    fn small_add(a: (i128, i128), b: (i128, i128), negate: bool) -> Option<(i128, i128)> {
        let bn = if negate { b.0.checked_neg()? } else { b.0 };
        if a.1 == b.1 {
            return Some((a.0.checked_add(bn)?, a.1));
        }
        let n = a.0.checked_mul(b.1)?.checked_add(bn.checked_mul(a.1)?)?;
        Some((n, a.1.checked_mul(b.1)?))
    }

    /// `self + other`.
    #[expect(clippy::arithmetic_side_effects, reason = "big rationals and integers do not overflow")]
    pub fn add(&self, other: &Rat) -> Rat {
        if let (Repr::Small(a, b), Repr::Small(c, d)) = (&self.0, &other.0)
            && let Some((n, d)) = Rat::small2((*a, *b), (*c, *d), |x, y| Rat::small_add(x, y, false))
        {
            return Rat(Repr::Small(n, d));
        }
        Rat::big(self.as_big() + other.as_big())
    }

    /// `self − other`.
    #[expect(clippy::arithmetic_side_effects, reason = "big rationals and integers do not overflow")]
    pub fn sub(&self, other: &Rat) -> Rat {
        if let (Repr::Small(a, b), Repr::Small(c, d)) = (&self.0, &other.0)
            && let Some((n, d)) = Rat::small2((*a, *b), (*c, *d), |x, y| Rat::small_add(x, y, true))
        {
            return Rat(Repr::Small(n, d));
        }
        Rat::big(self.as_big() - other.as_big())
    }

    /// `self × other`.
    #[expect(clippy::arithmetic_side_effects, reason = "big rationals and integers do not overflow")]
    pub fn mul(&self, other: &Rat) -> Rat {
        if let (Repr::Small(a, b), Repr::Small(c, d)) = (&self.0, &other.0)
            && let Some((n, d)) = Rat::small2((*a, *b), (*c, *d), |(a, b), (c, d)| Some((a.checked_mul(c)?, b.checked_mul(d)?)))
        {
            return Rat(Repr::Small(n, d));
        }
        Rat::big(self.as_big() * other.as_big())
    }

    /// `self ÷ other`; dividing by zero yields zero (callers never do: rules check first).
    #[expect(clippy::arithmetic_side_effects, reason = "big rationals and integers do not overflow")]
    pub fn div(&self, other: &Rat) -> Rat {
        if other.is_zero() {
            return Rat::zero();
        }
        if let (Repr::Small(a, b), Repr::Small(c, d)) = (&self.0, &other.0)
            && let Some((n, m)) = Rat::small2((*a, *b), (*c, *d), |(a, b), (c, d)| Some((a.checked_mul(d)?, b.checked_mul(c)?)))
        {
            return Rat::ratio(n, m);
        }
        Rat::big(self.as_big() / other.as_big())
    }

    /// The size of the value: bits of its numerator and denominator together.
    pub(crate) fn bits(&self) -> u64 {
        match &self.0 {
            Repr::Small(n, d) => u64::from(128u32.saturating_sub(n.unsigned_abs().leading_zeros()))
                .saturating_add(u64::from(128u32.saturating_sub(d.unsigned_abs().leading_zeros()))),
            Repr::Big(b) => b.numer().bits().saturating_add(b.denom().bits()),
        }
    }

    /// The value moved towards `toward` onto the grid of multiples of 2^-`bits` (the
    /// nearest such multiple on `toward`'s side, or the value itself when it is on the
    /// grid), if that lies strictly beyond `toward`: a smaller number that keeps a walk from
    /// `toward` on the safe side of `self`.
    #[expect(clippy::arithmetic_side_effects, reason = "big rationals and integers do not overflow")]
    pub(crate) fn snap_toward(&self, toward: &Rat, bits: u32) -> Option<Rat> {
        let b = self.as_big();
        let scale = BigInt::one() << bits;
        let scaled = b.clone() * BigRational::from_integer(scale.clone());
        let n = if toward < self { scaled.floor() } else { scaled.ceil() };
        let snapped = Rat::big(n / BigRational::from_integer(scale));
        let beyond = if toward < self { snapped > *toward } else { snapped < *toward };
        beyond.then_some(snapped)
    }

    /// The simplest rational strictly between `self` and `other` (the one with the smallest
    /// denominator, found from their continued fractions): an analysis that may look at any
    /// point of an interval looks there, since exact arithmetic costs grow with the bits.
    /// `self` itself when the two are equal.
    pub(crate) fn simplest_between(&self, other: &Rat) -> Rat {
        let (lo, hi) = match self.cmp(other) {
            Ordering::Less => (self.as_big(), other.as_big()),
            Ordering::Greater => (other.as_big(), self.as_big()),
            Ordering::Equal => return self.clone(),
        };
        Rat::big(simplest(&lo, &hi, 0))
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        match &self.0 {
            Repr::Small(n, _) => *n == 0,
            Repr::Big(b) => b.is_zero(),
        }
    }

    /// Whether the value is below zero.
    pub fn is_negative(&self) -> bool {
        match &self.0 {
            Repr::Small(n, _) => *n < 0,
            Repr::Big(b) => b.is_negative(),
        }
    }

    /// The absolute value.
    pub fn abs(&self) -> Rat {
        if self.is_negative() { Rat::zero().sub(self) } else { self.clone() }
    }

    /// The value clamped to `[0, 1]`.
    pub fn clamp01(self) -> Rat {
        if self.is_negative() {
            Rat::zero()
        } else if self > Rat::one() {
            Rat::one()
        } else {
            self
        }
    }

    /// The smaller of two values.
    pub fn min(self, other: Rat) -> Rat {
        if other < self { other } else { self }
    }

    /// The larger of two values.
    pub fn max(self, other: Rat) -> Rat {
        if other > self { other } else { self }
    }

    /// Round once to `places` decimals with `mode`; `None` only if the result does not fit
    /// a decimal (validation bounds every input so that evaluation never sees that).
    pub fn round(&self, places: u32, mode: RoundingMode) -> Option<Decimal> {
        let q = match &self.0 {
            Repr::Small(n, d) => round_small(*n, *d, places, mode).or_else(|| round_big(&self.as_big(), places, mode)),
            Repr::Big(b) => round_big(b, places, mode),
        }?;
        Decimal::try_from_i128_with_scale(q, places).ok()
    }

    /// The exact value as decimal text when it terminates within 28 places, else `n/d`
    /// in lowest terms.
    pub fn to_exact_string(&self) -> String {
        self.to_string()
    }

    /// [`Rat::to_exact_string`], written to `f` (a reduced decimal or fraction written
    /// straight from the stack, with no text made first).
    pub(crate) fn write_exact(&self, f: &mut impl fmt::Write) -> fmt::Result {
        if let Repr::Small(n, d) = self.0
            && let Some(small) = small_exact(n, d)
        {
            return match small {
                SmallExact::Decimal(d) => f.write_str(DecimalText::new(d).as_str()),
                // 64-bit words format several times faster than 128-bit ones.
                SmallExact::Fraction(n, d) => match (i64::try_from(n), i64::try_from(d)) {
                    (Ok(n), Ok(d)) => write!(f, "{n}/{d}"),
                    _ => write!(f, "{n}/{d}"),
                },
            };
        }
        f.write_str(&self.big_exact_string())
    }

    #[expect(clippy::arithmetic_side_effects, reason = "big rationals and integers do not overflow")]
    fn big_exact_string(&self) -> String {
        let b = self.as_big();
        let mut den = b.denom().clone();
        let two = BigInt::from(2);
        let five = BigInt::from(5);
        let mut twos = 0u32;
        while (&den % &two).is_zero() {
            den /= &two;
            twos += 1;
        }
        let mut fives = 0u32;
        while (&den % &five).is_zero() {
            den /= &five;
            fives += 1;
        }
        let places = twos.max(fives);
        if den.is_one()
            && places <= 28
            && let Some(d) = self.round(places, RoundingMode::Down)
        {
            return d.normalize().to_string();
        }
        format!("{}/{}", b.numer(), b.denom())
    }

    /// Display with at most `places` decimals (for reasons read by people; never for scores).
    pub fn display(&self, places: u32) -> String {
        match self.round(places, RoundingMode::HalfEven) {
            Some(d) => DecimalText::new(d.normalize()).as_str().to_owned(),
            None => self.to_exact_string(),
        }
    }
}

/// A small rational in lowest terms: a decimal when its denominator divides a power of ten
/// (what [`Rat::to_exact_string`] writes without big integers), or `None` on overflow.
enum SmallExact {
    Decimal(Decimal),
    Fraction(i128, i128),
}

fn small_exact(n: i128, d: i128) -> Option<SmallExact> {
    let (negative, n, d) = (n < 0, n.unsigned_abs(), u128::try_from(d).ok()?);
    // Nearly every score fits 64-bit words, where the same steps are several times faster.
    match (u64::try_from(n), u64::try_from(d)) {
        (Ok(n), Ok(d)) => lowest_exact(negative, n, d),
        _ => lowest_exact(negative, n, d),
    }
}

/// [`small_exact`] of `±n / d` (`d > 0`) in unsigned words of type `N`.
fn lowest_exact<N: num_traits::PrimInt + Integer + Into<u128>>(negative: bool, n: N, d: N) -> Option<SmallExact> {
    if d.is_zero() {
        return None;
    }
    let g = n.gcd(&d);
    let (n, d) = (n.checked_div(&g)?, d.checked_div(&g)?);
    let five = N::from(5)?;
    let twos = d.trailing_zeros();
    let (mut rest, mut fives) = (d.unsigned_shr(twos), 0u32);
    loop {
        let (q, r) = rest.div_rem(&five);
        if !r.is_zero() {
            break;
        }
        rest = q;
        fives = fives.saturating_add(1);
    }
    let signed = |x: u128| i128::try_from(x).ok().and_then(|x| if negative { x.checked_neg() } else { Some(x) });
    if !rest.is_one() {
        let (n, d): (u128, u128) = (n.into(), d.into());
        return Some(SmallExact::Fraction(signed(n)?, i128::try_from(d).ok()?));
    }
    let places = twos.max(fives);
    // n/d = n × (10^places / d) / 10^places exactly, already in lowest terms: no trailing
    // zero after the point to normalise away. In the words given when it fits (a 64-bit
    // division is several times faster than a 128-bit one).
    let in_words = num_traits::checked_pow(N::from(10)?, usize::try_from(places).ok()?)
        .and_then(|p| p.checked_div(&d))
        .and_then(|q| n.checked_mul(&q));
    let m: u128 = match in_words {
        Some(m) => m.into(),
        None => n.into().checked_mul(10u128.checked_pow(places)?.checked_div(d.into())?)?,
    };
    Some(SmallExact::Decimal(Decimal::try_from_i128_with_scale(signed(m)?, places).ok()?))
}

/// A decimal's text exactly as its `Display` writes it with no width or precision (the
/// digits, the point at its scale, a `-` when the sign is negative, zero included), made on
/// the stack: reports write hundreds of thousands of them, and the decimal crate's own
/// formatting divides its 96 bits by ten for every digit.
pub(crate) struct DecimalText {
    buf: [u8; 48],
    start: usize,
}

impl DecimalText {
    pub(crate) fn new(d: Decimal) -> DecimalText {
        let mut t = DecimalText { buf: [0; 48], start: 48 };
        let scale = d.scale();
        let m = d.mantissa().unsigned_abs();
        match u64::try_from(m) {
            Ok(small) => t.digits(small, scale),
            Err(_) => t.digits(m, scale),
        }
        if d.is_sign_negative() {
            t.push(b'-');
        }
        t
    }

    /// The digits of `m` with the point `scale` digits from the right (at least one digit
    /// before it), written backwards.
    #[expect(clippy::arithmetic_side_effects, reason = "division and remainder by ten, which cannot overflow")]
    fn digits<N>(&mut self, mut m: N, scale: u32)
    where
        N: Copy + PartialEq + From<u8> + std::ops::Rem<Output = N> + std::ops::Div<Output = N> + TryInto<u8>,
    {
        let (zero, ten) = (N::from(0), N::from(10));
        for _ in 0..scale {
            self.push(b'0'.saturating_add((m % ten).try_into().unwrap_or(0)));
            m = m / ten;
        }
        if scale > 0 {
            self.push(b'.');
        }
        loop {
            self.push(b'0'.saturating_add((m % ten).try_into().unwrap_or(0)));
            m = m / ten;
            if m == zero {
                break;
            }
        }
    }

    fn push(&mut self, b: u8) {
        // 29 digits, a point and a sign fit the buffer; a full one keeps what it has.
        if let Some(i) = self.start.checked_sub(1)
            && let Some(slot) = self.buf.get_mut(i)
        {
            *slot = b;
            self.start = i;
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// The text's bytes (ASCII digits, a point, a sign), for a writer of bytes: no UTF-8 to
    /// check, and nothing a JSON string escapes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buf.get(self.start..).unwrap_or_default()
    }
}

impl fmt::Display for DecimalText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Round `n/d × 10^places` to an integer (`d > 0`), or `None` on overflow.
fn round_small(n: i128, d: i128, places: u32, mode: RoundingMode) -> Option<i128> {
    let scale = pow10(places)?;
    let n = n.checked_mul(scale)?;
    // Most cells' operands fit 64 bits, where division is a single instruction rather than
    // a call into the 128-bit routine; the quotient and remainder are the same.
    let (q, rem) = match (i64::try_from(n), i64::try_from(d)) {
        (Ok(n64), Ok(d64)) => {
            let (q, rem) = n64.div_mod_floor(&d64);
            (i128::from(q), i128::from(rem))
        }
        _ => n.div_mod_floor(&d),
    };
    let twice = rem.checked_mul(2)?;
    apply_mode(q, twice.cmp(&d), rem != 0, n < 0, mode)
}

#[expect(clippy::arithmetic_side_effects, reason = "big rationals and integers do not overflow")]
fn round_big(r: &BigRational, places: u32, mode: RoundingMode) -> Option<i128> {
    let n = r.numer() * BigInt::from(10).pow(places);
    let d = r.denom();
    let (q, rem) = n.div_mod_floor(d);
    let q = q.to_i128()?;
    let twice: BigInt = &rem * 2;
    apply_mode(q, twice.cmp(d), !rem.is_zero(), n.is_negative(), mode)
}

/// `q` is the floor, `half` compares the remainder with one half, `inexact` says whether
/// there is a remainder at all.
fn apply_mode(q: i128, half: Ordering, inexact: bool, negative: bool, mode: RoundingMode) -> Option<i128> {
    Some(match mode {
        RoundingMode::Down => {
            if negative && inexact {
                q.checked_add(1)?
            } else {
                q
            }
        }
        RoundingMode::HalfUp => match half {
            Ordering::Greater => q.checked_add(1)?,
            Ordering::Less => q,
            Ordering::Equal => {
                if negative {
                    q
                } else {
                    q.checked_add(1)?
                }
            }
        },
        RoundingMode::HalfEven => match half {
            Ordering::Greater => q.checked_add(1)?,
            Ordering::Less => q,
            Ordering::Equal => {
                if q.rem_euclid(2) == 0 {
                    q
                } else {
                    q.checked_add(1)?
                }
            }
        },
    })
}

impl PartialEq for Rat {
    fn eq(&self, other: &Rat) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Rat {}

impl PartialOrd for Rat {
    fn partial_cmp(&self, other: &Rat) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Rat {
    #[expect(clippy::arithmetic_side_effects, reason = "big integers do not overflow")]
    fn cmp(&self, other: &Rat) -> Ordering {
        if let (Repr::Small(a, b), Repr::Small(c, d)) = (&self.0, &other.0) {
            // Denominators are positive, so cross-multiplying keeps the order; products
            // beyond an `i128` are compared in 256 bits, exactly, rather than reduced first.
            return match (a.checked_mul(*d), c.checked_mul(*b)) {
                (Some(x), Some(y)) => x.cmp(&y),
                _ => cross_cmp((*a, *b), (*c, *d)),
            };
        }
        // Cross-multiplied in big integers: no fraction is built or reduced to compare.
        let (a, b) = self.big_parts();
        let (c, d) = other.big_parts();
        (a * d).cmp(&(c * b))
    }
}

impl fmt::Display for Rat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_exact(f)
    }
}

/// An exact fraction kept as it comes: a numerator and a positive denominator, never
/// reduced. For values that are compared many times and combined at most a step or two
/// (the kinetic sweep of `stability`): reducing is what big rationals spend their time on.
#[derive(Clone, Debug)]
pub(crate) struct Frac {
    n: BigInt,
    d: BigInt,
}

#[expect(clippy::arithmetic_side_effects, reason = "big integers do not overflow")]
impl Frac {
    /// The value of `r`.
    pub(crate) fn of(r: &Rat) -> Frac {
        let (n, d) = r.big_parts();
        Frac { n, d }
    }

    /// As a rational (reduced once).
    pub(crate) fn rat(&self) -> Rat {
        Rat::big(BigRational::new(self.n.clone(), self.d.clone()))
    }

    pub(crate) fn neg(&self) -> Frac {
        Frac { n: -&self.n, d: self.d.clone() }
    }

    pub(crate) fn is_negative(&self) -> bool {
        self.n.is_negative()
    }

    /// `self += o`.
    fn add_assign(&mut self, o: &Frac) {
        if self.d == o.d {
            self.n += &o.n;
            return;
        }
        self.n = &self.n * &o.d + &o.n * &self.d;
        self.d *= &o.d;
    }

    pub(crate) fn sub(&self, o: &Frac) -> Frac {
        if self.d == o.d {
            return Frac { n: &self.n - &o.n, d: self.d.clone() };
        }
        Frac { n: &self.n * &o.d - &o.n * &self.d, d: &self.d * &o.d }
    }

    /// `self ÷ o`; `None` when `o` is zero.
    pub(crate) fn div(&self, o: &Frac) -> Option<Frac> {
        if o.n.is_zero() {
            return None;
        }
        let (n, d) = (&self.n * &o.d, &self.d * &o.n);
        Some(if d.is_negative() { Frac { n: -n, d: -d } } else { Frac { n, d } })
    }
}

impl PartialEq for Frac {
    fn eq(&self, other: &Frac) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Frac {}

impl PartialOrd for Frac {
    fn partial_cmp(&self, other: &Frac) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Frac {
    #[expect(clippy::arithmetic_side_effects, reason = "big integers do not overflow")]
    fn cmp(&self, other: &Frac) -> Ordering {
        if self.d == other.d {
            return self.n.cmp(&other.n);
        }
        (&self.n * &other.d).cmp(&(&other.n * &self.d))
    }
}

/// An exact sum built one term at a time: on the `i128` fast path while it fits, then as a
/// [`Frac`], reduced once when it is finished. Adding big rationals one by one reduced
/// every partial sum (three gcds an addition), which was most of the exact tally's time.
#[derive(Clone, Debug)]
pub(crate) enum Sum {
    Small(i128, i128),
    Big(Frac),
}

impl Sum {
    pub(crate) fn zero() -> Sum {
        Sum::Small(0, 1)
    }

    /// Add `r`.
    pub(crate) fn add(&mut self, r: &Rat) {
        if let (Sum::Small(a, b), Repr::Small(c, d)) = (&*self, &r.0)
            && let Some((n, m)) = Rat::small2((*a, *b), (*c, *d), |x, y| Rat::small_add(x, y, false))
        {
            *self = Sum::Small(n, m);
            return;
        }
        let mut f = match std::mem::replace(self, Sum::zero()) {
            Sum::Small(n, d) => Frac { n: BigInt::from(n), d: BigInt::from(d) },
            Sum::Big(f) => f,
        };
        f.add_assign(&Frac::of(r));
        *self = Sum::Big(f);
    }

    /// The sum as a rational.
    pub(crate) fn finish(self) -> Rat {
        match self {
            Sum::Small(n, d) => Rat(Repr::Small(n, d)),
            Sum::Big(f) => f.rat(),
        }
    }
}

/// `10^k` for `k` ≤ 38 (a table: scoring asks for it a few times per cell).
pub(crate) fn pow10(k: u32) -> Option<i128> {
    // Evaluated at compile time: an index past the table or an overflow fails the build.
    #[expect(clippy::indexing_slicing, reason = "a constant: checked when it is compiled")]
    const POW10: [i128; 39] = {
        let mut t = [1i128; 39];
        let mut k = 1;
        while k < 39 {
            // INVARIANT: 10^38 < i128::MAX.
            t[k] = t[k - 1] * 10;
            k += 1;
        }
        t
    };
    POW10.get(usize::try_from(k).ok()?).copied()
}

/// A criterion's weight made ready for official points in integers: `weight × n / d` rounded
/// once with the tender's rounding, the value [`Rat::round`] gives `weight × (n / d)`. The
/// rules' integer forms (`RuleKind::grid`) score through it; any product that outgrows an
/// `i128` gives `None`, and the caller scores exactly instead.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Grid {
    wn: i128,
    wd: i128,
    places: u32,
    mode: RoundingMode,
}

impl Grid {
    /// The grid of `weight` rounded to `places` with `mode` (`None` for a big weight).
    pub(crate) fn new(weight: &Rat, places: u32, mode: RoundingMode) -> Option<Grid> {
        let (wn, wd) = weight.small_parts()?;
        Some(Grid { wn, wd, places, mode })
    }

    /// No points (a score of 0).
    pub(crate) fn zero(&self) -> Option<Points> {
        Points::from_units(0, self.places)
    }

    /// `weight × n / d` rounded; `None` when `d` is 0 or a product overflows.
    pub(crate) fn ratio(&self, n: i128, d: i128) -> Option<Points> {
        self.value(self.wn.checked_mul(n)?, self.wd.checked_mul(d)?)
    }

    /// `n / d` rounded, for a rule whose points are not a share of the weight; `None` when
    /// `d` is 0 or a product overflows.
    pub(crate) fn value(&self, n: i128, d: i128) -> Option<Points> {
        let (n, d) = positive(n, d)?;
        Points::from_units(round_small(n, d, self.places, self.mode)?, self.places)
    }

    /// The weight as `(numerator, denominator)`, the denominator positive.
    pub(crate) fn weight(&self) -> (i128, i128) {
        (self.wn, self.wd)
    }

    /// `weight × clamp(n / d, 0, 1)` rounded, as [`Rat::clamp01`] clamps a score.
    pub(crate) fn ratio01(&self, n: i128, d: i128) -> Option<Points> {
        let (n, d) = positive(n, d)?;
        if n <= 0 {
            self.zero()
        } else if n >= d {
            self.ratio(1, 1)
        } else {
            self.ratio(n, d)
        }
    }

    /// `weight × s` rounded, for a score written as a decimal.
    pub(crate) fn decimal(&self, s: Decimal) -> Option<Points> {
        self.ratio(s.mantissa(), pow10(s.scale())?)
    }
}

/// `n / d` with a positive denominator (`None` for `d` = 0 or on overflow).
fn positive(n: i128, d: i128) -> Option<(i128, i128)> {
    match d {
        0 => None,
        d if d < 0 => Some((n.checked_neg()?, d.checked_neg()?)),
        d => Some((n, d)),
    }
}

/// Decimals `a`, `b`, `c` as integers at their largest scale (`None` on overflow): the
/// integer form of a formula in several decimals, whose common denominator cancels.
pub(crate) fn common_scale(a: Decimal, b: Decimal, c: Decimal) -> Option<(i128, i128, i128)> {
    let e = a.scale().max(b.scale()).max(c.scale());
    let up = |x: Decimal| x.mantissa().checked_mul(pow10(e.checked_sub(x.scale())?)?);
    Some((up(a)?, up(b)?, up(c)?))
}

/// Official points: an exact decimal, already rounded to the tender's places.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Points(Decimal);

impl Points {
    /// Wrap a decimal that is already an official value.
    pub fn new(d: Decimal) -> Points {
        Points(d)
    }

    /// The decimal value.
    pub fn decimal(self) -> Decimal {
        self.0
    }

    /// The exact rational value.
    pub fn rat(self) -> Rat {
        Rat::from_decimal(self.0)
    }

    /// The points as a whole number of units of `places` decimals (`None` when they are
    /// finer than that, or too large): official points lie on the rounding grid, so their
    /// sums and comparisons can be made on integers.
    pub(crate) fn units(self, places: u32) -> Option<i128> {
        match places.checked_sub(self.0.scale())? {
            0 => Some(self.0.mantissa()),
            up => self.0.mantissa().checked_mul(pow10(up)?),
        }
    }

    /// Whole `units` of `places` decimals as points (`None` beyond a decimal).
    pub(crate) fn from_units(units: i128, places: u32) -> Option<Points> {
        Decimal::try_from_i128_with_scale(units, places).ok().map(Points)
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl serde::Serialize for Points {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(DecimalText::new(self.0).as_str())
    }
}

/// The one limit on numbers, wherever they enter (files, `whatif --set`, `--points`, the
/// library's scenarios): below 10^18 in magnitude ([`MAX_INTEGER_DIGITS`] digits before the
/// point) and at most [`MAX_FRACTION_DIGITS`] digits after it, trailing zeros not counted.
/// Within it every sum of fewer than 10^10 values, and every difference, fits a `Decimal`
/// exactly; products and quotients go through [`Rat`].
pub(crate) const MAX_INTEGER_DIGITS: i64 = 18;
/// See [`MAX_INTEGER_DIGITS`].
pub(crate) const MAX_FRACTION_DIGITS: i64 = 10;
/// The limit in words, for help lines.
pub(crate) const NUMBER_LIMIT: &str = "numbers must be below 10^18 in magnitude, with at most 10 digits after the decimal point";

/// Why a number could not become an exact decimal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumberError {
    /// `inf` or `nan`.
    NotFinite,
    /// 10^18 or more in magnitude.
    TooLarge,
    /// More than 10 digits after the decimal point.
    TooPrecise,
    /// Not a number literal at all.
    NotANumber,
}

impl NumberError {
    /// What is wrong, after "`key` ".
    pub(crate) fn problem(self) -> &'static str {
        match self {
            NumberError::NotFinite => "must be a finite number",
            NumberError::TooLarge => "is too large: numbers must be below 10^18 in magnitude",
            NumberError::TooPrecise => "has more than 10 digits after the decimal point",
            NumberError::NotANumber => "is not a number",
        }
    }
}

/// Parse a decimal number such as `12`, `-0.85` or `1.5e3` (digits with an optional sign,
/// point and exponent; `_` between digits is ignored), within the one limit on numbers:
/// below 10^18 in magnitude, at most 10 digits after the decimal point. For command-line
/// values such as `whatif --points speed=12.5`.
///
/// # Errors
/// A sentence saying what is wrong, naming the limit.
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    parse_float(text.trim()).map_err(|e| match e {
        NumberError::NotANumber => format!("`{}` is not a number", text.trim()),
        e => format!("`{}` {}; {NUMBER_LIMIT}", text.trim(), e.problem()),
    })
}

/// What is wrong with `d`, if it is beyond the one limit on numbers.
pub(crate) fn beyond_limit(d: Decimal) -> Option<&'static str> {
    within_limit(d).err().map(NumberError::problem)
}

/// Is `d` within the limit ([`MAX_INTEGER_DIGITS`], [`MAX_FRACTION_DIGITS`])?
pub(crate) fn within_limit(d: Decimal) -> Result<(), NumberError> {
    let d = d.normalize();
    if i64::from(d.scale()) > MAX_FRACTION_DIGITS {
        return Err(NumberError::TooPrecise);
    }
    if d.abs() >= Decimal::from(1_000_000_000_000_000_000_i64) {
        return Err(NumberError::TooLarge);
    }
    Ok(())
}

/// Parse a TOML integer literal (`radix` 2, 8, 10 or 16; underscores allowed).
pub(crate) fn parse_integer(text: &str, radix: u32) -> Result<Decimal, NumberError> {
    let cleaned: String = text.chars().filter(|c| *c != '_' && *c != '+').collect();
    let v = match i128::from_str_radix(&cleaned, radix) {
        Ok(v) => v,
        // Digits only, yet no i128: far beyond the limit.
        Err(_) if cleaned.trim_start_matches('-').chars().all(|c| c.is_digit(radix)) && !cleaned.is_empty() => {
            return Err(NumberError::TooLarge);
        }
        Err(_) => return Err(NumberError::NotANumber),
    };
    let d = Decimal::try_from_i128_with_scale(v, 0).map_err(|_| NumberError::TooLarge)?;
    within_limit(d)?;
    Ok(d)
}

/// Parse a decimal number exactly from its text (a TOML float or integer literal, or a
/// command-line value): `0.1` is exactly one tenth, `1.000` is 1, `0e100` is 0. (SPEC §2
/// says "through its shortest round-trip decimal text"; the literal itself is that text or
/// more precise, see docs/spec-changes.md.) The digits are counted before anything is
/// built, so no literal, however long, can overflow.
pub(crate) fn parse_float(text: &str) -> Result<Decimal, NumberError> {
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    let lower = cleaned.to_ascii_lowercase();
    let (negative, unsigned) = match lower.as_bytes().first() {
        Some(b'-') => (true, &lower[1..]),
        Some(b'+') => (false, &lower[1..]),
        _ => (false, lower.as_str()),
    };
    if unsigned == "inf" || unsigned == "nan" {
        return Err(NumberError::NotFinite);
    }
    let (mantissa, exp) = match unsigned.split_once('e') {
        Some((m, e)) => (m, Some(e)),
        None => (unsigned, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits_ok(int) || !digits_ok(frac) {
        return Err(NumberError::NotANumber);
    }
    // The value is `digits × 10^shift`.
    let digits = format!("{int}{frac}");
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return match exp {
            Some(e) if parse_exponent(e).is_none() => Err(NumberError::NotANumber),
            _ => Ok(Decimal::ZERO),
        };
    }
    let exponent = match exp {
        Some(e) => parse_exponent(e).ok_or(NumberError::NotANumber)?,
        None => 0,
    };
    let trimmed = significant.trim_end_matches('0');
    let trailing = i64::try_from(significant.len().saturating_sub(trimmed.len())).unwrap_or(i64::MAX);
    let frac_len = i64::try_from(frac.len()).unwrap_or(i64::MAX);
    let shift = exponent.saturating_sub(frac_len).saturating_add(trailing);
    let len = i64::try_from(trimmed.len()).unwrap_or(i64::MAX);
    if len.saturating_add(shift) > MAX_INTEGER_DIGITS {
        return Err(NumberError::TooLarge);
    }
    if shift.saturating_neg() > MAX_FRACTION_DIGITS {
        return Err(NumberError::TooPrecise);
    }
    // Now at most 18 + 10 digits: the mantissa fits an i128.
    let mut mantissa: i128 = trimmed.parse().map_err(|_| NumberError::TooLarge)?;
    let scale = if shift < 0 {
        u32::try_from(shift.saturating_neg()).map_err(|_| NumberError::TooPrecise)?
    } else {
        let factor = u32::try_from(shift).ok().and_then(|p| 10i128.checked_pow(p)).ok_or(NumberError::TooLarge)?;
        mantissa = mantissa.checked_mul(factor).ok_or(NumberError::TooLarge)?;
        0
    };
    if negative {
        mantissa = mantissa.checked_neg().ok_or(NumberError::TooLarge)?;
    }
    // Keep the places as written (`5.0` stays `5.0` in reports) where a decimal can.
    let written = frac_len.saturating_sub(exponent).clamp(0, 28);
    if let Ok(written) = u32::try_from(written)
        && written > scale
        && let Some(m) = written.checked_sub(scale).and_then(|p| 10i128.checked_pow(p)).and_then(|f| mantissa.checked_mul(f))
        && let Ok(d) = Decimal::try_from_i128_with_scale(m, written)
    {
        return Ok(d);
    }
    Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| NumberError::TooLarge)
}

/// An exponent's value, saturated far beyond any limit (so `1e-99999999999999999999` is
/// "too precise", not a parse failure).
fn parse_exponent(e: &str) -> Option<i64> {
    let (negative, digits) = match e.as_bytes().first() {
        Some(b'-') => (true, &e[1..]),
        Some(b'+') => (false, &e[1..]),
        _ => (false, e),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v = digits.parse::<i64>().unwrap_or(i64::MAX / 2);
    Some(if negative { v.saturating_neg() } else { v })
}

/// The simplest rational in the open interval `(lo, hi)`, `lo < hi`: an integer if one lies
/// inside, else `floor(lo)` plus the reciprocal of the simplest rational between the
/// reciprocals of the fractional parts. Continued fractions are at most a few hundred terms
/// for the numbers an analysis meets; past `DEPTH` the midpoint is exact and good enough.
#[expect(clippy::arithmetic_side_effects, reason = "big rationals and integers do not overflow")]
fn simplest(lo: &BigRational, hi: &BigRational, depth: u32) -> BigRational {
    const DEPTH: u32 = 512;
    if lo.is_negative() && hi.is_positive() {
        return BigRational::zero();
    }
    if hi.is_negative() || hi.is_zero() {
        // Mirror onto the positive side.
        return -simplest(&-hi, &-lo, depth);
    }
    let next = lo.floor() + BigRational::one();
    if next < *hi {
        return next;
    }
    if depth >= DEPTH {
        return (lo + hi) / BigRational::from_integer(BigInt::from(2));
    }
    // Both in [n, n + 1]: lo = n + f, hi = n + g with 0 ≤ f < g ≤ 1.
    let n = lo.floor();
    let f = lo - &n;
    let g = hi - &n;
    let inner = if f.is_zero() {
        // (1/g, ∞): the first integer above 1/g.
        g.recip().floor() + BigRational::one()
    } else {
        simplest(&g.recip(), &f.recip(), depth + 1)
    };
    n + inner.recip()
}

/// `a/b` against `c/d` (`b`, `d` > 0) by `a·d` against `c·b` in 256 bits: exact for any
/// `i128`s, with no reduction and no allocation.
fn cross_cmp((a, b): (i128, i128), (c, d): (i128, i128)) -> Ordering {
    let sign = |x: i128| x.cmp(&0);
    match sign(a).cmp(&sign(c)) {
        Ordering::Equal => {}
        other => return other,
    }
    // Same sign: compare the magnitudes, reversed when both are negative.
    let (x, y) = (wide_mul(a.unsigned_abs(), d.unsigned_abs()), wide_mul(c.unsigned_abs(), b.unsigned_abs()));
    if a < 0 { y.cmp(&x) } else { x.cmp(&y) }
}

/// The full 256-bit product of two `u128`s, as (high, low) words (ordered as the number).
#[expect(clippy::arithmetic_side_effects, reason = "each partial product of 64-bit halves fits a u128, and so does each sum")]
fn wide_mul(x: u128, y: u128) -> (u128, u128) {
    const LOW: u128 = u64::MAX as u128;
    let (x1, x0, y1, y0) = (x >> 64, x & LOW, y >> 64, y & LOW);
    let (p00, p01, p10, p11) = (x0 * y0, x0 * y1, x1 * y0, x1 * y1);
    // At most 3 · (2^64 − 1): no overflow.
    let mid = (p00 >> 64) + (p01 & LOW) + (p10 & LOW);
    let low = (p00 & LOW) | (mid << 64);
    let high = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (high, low)
}

/// The greatest common divisor (binary: no division).
fn gcd(mut a: u128, mut b: u128) -> u128 {
    if a == 0 {
        return b;
    }
    if b == 0 {
        return a;
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b = b.saturating_sub(a);
        if b == 0 {
            return a << shift;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    /// Comparing two fast-path fractions whose cross products pass an `i128` (in 256 bits)
    /// agrees with comparing them as big rationals.
    #[test]
    fn wide_cross_products_compare_as_big_rationals() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut word = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut checked = 0;
        for _ in 0..20_000 {
            let bits = |w: u64| 1 + (w % 126) as u32;
            let mut num = || {
                let v = ((u128::from(word()) << 64) | u128::from(word())) >> (128 - bits(word()));
                let v = i128::try_from(v).unwrap_or(i128::MAX);
                if word() % 2 == 0 { -v } else { v }
            };
            let (a, c) = (num(), num());
            let (b, d) = (num().unsigned_abs().max(1), num().unsigned_abs().max(1));
            let (Ok(b), Ok(d)) = (i128::try_from(b), i128::try_from(d)) else { continue };
            let (x, y) = (Rat(Repr::Small(a, b)), Rat(Repr::Small(c, d)));
            let big = (BigInt::from(a) * BigInt::from(d)).cmp(&(BigInt::from(c) * BigInt::from(b)));
            assert_eq!(x.cmp(&y), big, "{a}/{b} vs {c}/{d}");
            assert_eq!(cross_cmp((a, b), (c, d)), big, "{a}/{b} vs {c}/{d}");
            checked += 1;
        }
        // Equal values written apart (2^100/3 against 2^101/6), and the extremes.
        let p = 1i128 << 100;
        assert_eq!(cross_cmp((p, 3), (p * 2, 6)), Ordering::Equal);
        assert_eq!(cross_cmp((i128::MAX, 1), (i128::MAX, i128::MAX)), Ordering::Greater);
        assert_eq!(cross_cmp((i128::MIN, 1), (i128::MIN + 1, 1)), Ordering::Less);
        assert_eq!(cross_cmp((-1, i128::MAX), (0, 1)), Ordering::Less);
        assert!(checked > 19_000);
    }

    #[test]
    fn three_times_five_sixths_rounds_on_the_exact_half() {
        let v = Rat::from_int(3).mul(&Rat::ratio(5, 6));
        assert_eq!(v.round(0, RoundingMode::HalfUp), Some(dec("3")));
        assert_eq!(v.round(0, RoundingMode::HalfEven), Some(dec("2")));
        assert_eq!(v.round(0, RoundingMode::Down), Some(dec("2")));
        assert_eq!(v.round(1, RoundingMode::HalfUp), Some(dec("2.5")));
    }

    #[test]
    fn decimal_text_is_what_display_writes() {
        let mut seen = 0;
        for text in ["0", "-0", "0.000", "-0.00", "1", "-1", "0.5", "10.25", "1234567890.0123456789", "-0.0000001"] {
            let d = dec(text);
            assert_eq!(DecimalText::new(d).as_str(), d.to_string(), "{text}");
            seen += 1;
        }
        for d in [Decimal::MAX, Decimal::MIN, Decimal::new(1, 28), Decimal::new(-1, 28), Decimal::from_i128_with_scale(1 << 70, 5)] {
            assert_eq!(DecimalText::new(d).as_str(), d.to_string());
            seen += 1;
        }
        // Mantissas across the u64 boundary, at every scale.
        let mut m: i128 = 1;
        while m < (1i128 << 95) {
            for scale in 0..=28 {
                for v in [m, m - 1, -m, m.saturating_mul(7) / 3] {
                    if let Ok(d) = Decimal::try_from_i128_with_scale(v, scale) {
                        assert_eq!(DecimalText::new(d).as_str(), d.to_string(), "{v} {scale}");
                        seen += 1;
                    }
                }
            }
            m = m.saturating_mul(3);
        }
        assert!(seen > 5000, "{seen}");
    }

    #[test]
    fn rat_displays_as_its_exact_string() {
        let mut cases: Vec<(i128, i128)> =
            vec![(1, 3), (-1, 3), (3, 6), (5, 4), (-5, 4), (0, 7), (10, 1), (1, 1 << 40), (7, 1250), (-0, 3), (100, 10)];
        // Around the 64-bit fast path's edges, and across powers of two and five.
        let edges = [0i128, 1, 2, 5, 10, 9_999, 1 << 32, (1 << 63) - 1, 1 << 63, (1 << 64) - 1, 1 << 64, 1 << 70, 10i128.pow(28)];
        let dens = [1i128, 2, 3, 4, 5, 8, 10, 16, 20, 25, 125, 1 << 20, 5i128.pow(20), 10i128.pow(19), (1 << 64) - 1, 1 << 64, 7 << 60];
        for &n in &edges {
            for &d in &dens {
                cases.push((n, d));
                cases.push((-n, d));
                cases.push((n.saturating_add(3), d));
                cases.push((n.saturating_mul(5), d));
            }
        }
        for (n, d) in cases {
            let r = Rat(Repr::Small(n, d));
            let big = Rat(Repr::Big(BigRational::new(BigInt::from(n), BigInt::from(d))));
            assert_eq!(r.to_string(), big.big_exact_string(), "{n}/{d}");
        }
        assert_eq!(Rat::ratio(1, 3).to_string(), "1/3");
        assert_eq!(Rat::ratio(-5, 4).to_string(), "-1.25");
        assert_eq!(Rat::ratio(6, 3).to_string(), "2");
    }

    #[test]
    fn half_even_rounds_odd_quotients_up() {
        let v = Rat::ratio(7, 2);
        assert_eq!(v.round(0, RoundingMode::HalfEven), Some(dec("4")));
    }

    #[test]
    fn overflowing_products_promote_and_stay_exact() {
        let big = Rat::from_decimal(Decimal::MAX);
        let sq = big.mul(&big).div(&big);
        assert_eq!(sq, big);
    }

    #[test]
    fn exact_strings_terminate_or_show_a_fraction() {
        assert_eq!(Rat::ratio(3, 4).to_exact_string(), "0.75");
        assert_eq!(Rat::ratio(5, 6).to_exact_string(), "5/6");
        assert_eq!(Rat::from_int(1).to_exact_string(), "1");
    }

    #[test]
    fn floats_parse_from_their_literal_text() {
        assert_eq!(parse_float("0.1"), Ok(dec("0.1")));
        assert_eq!(parse_float("1e3"), Ok(dec("1000")));
        assert_eq!(parse_float("1_000.5"), Ok(dec("1000.5")));
        assert_eq!(parse_float("inf"), Err(NumberError::NotFinite));
        assert_eq!(parse_float("1e40"), Err(NumberError::TooLarge));
        assert_eq!(parse_integer("ff", 16), Ok(dec("255")));
    }

    #[test]
    fn one_limit_for_every_number_literal() {
        // Trailing zeros and zero mantissas are not precision.
        assert_eq!(parse_float("1.00000000000000000000000000000"), Ok(dec("1")));
        assert_eq!(parse_float("5.0").map(|d| d.to_string()), Ok(String::from("5.0")));
        assert_eq!(parse_float("1.50e1").map(|d| d.to_string()), Ok(String::from("15.0")));
        assert_eq!(parse_float("0e100"), Ok(dec("0")));
        assert_eq!(parse_float("-0.0e-99999999999999999999"), Ok(dec("0")));
        assert_eq!(parse_float("999999999999999999.9999999999"), Ok(dec("999999999999999999.9999999999")));
        assert_eq!(parse_float("-999999999999999999"), Ok(dec("-999999999999999999")));
        assert_eq!(parse_float("1e17"), Ok(dec("100000000000000000")));
        assert_eq!(parse_float("1.5e-10"), Err(NumberError::TooPrecise));
        assert_eq!(parse_float("15e-11"), Err(NumberError::TooPrecise));
        assert_eq!(parse_float("1e-10"), Ok(dec("0.0000000001")));
        // What used to be silently rounded, or accepted beyond the documented range.
        assert_eq!(parse_float("40.00000000000000000000000000001"), Err(NumberError::TooPrecise));
        assert_eq!(parse_float("79228162514264337593543950335"), Err(NumberError::TooLarge));
        assert_eq!(parse_integer("79228162514264337593543950335", 10), Err(NumberError::TooLarge));
        assert_eq!(parse_integer("18446744073709551616", 10), Err(NumberError::TooLarge));
        assert_eq!(parse_integer("1000000000000000000", 10), Err(NumberError::TooLarge));
        assert_eq!(parse_integer("999999999999999999", 10), Ok(dec("999999999999999999")));
        assert_eq!(parse_float("1e18"), Err(NumberError::TooLarge));
        assert_eq!(parse_float("1e99999999999999999999"), Err(NumberError::TooLarge));
        assert_eq!(parse_float("1e-99999999999999999999"), Err(NumberError::TooPrecise));
        for bad in ["", ".", "e5", "1e", "1.2.3", "--1", "0x10", "abc", "1e+-2"] {
            assert_eq!(parse_float(bad), Err(NumberError::NotANumber), "{bad}");
        }
        assert_eq!(within_limit(Decimal::MAX), Err(NumberError::TooLarge));
        assert_eq!(within_limit(dec("0.00000000001")), Err(NumberError::TooPrecise));
        assert_eq!(within_limit(dec("2.50000000000000")), Ok(()));
    }
}
