//! `multipleOf` (JSON Schema 2020-12 Validation §6.2.1) in decimal arithmetic, implemented once in
//! Rust: this is `runtime/src/decimal.rs` of contractc, which the runtime's validator (and so the
//! checker) uses as a module and contractc's Rust backend writes verbatim into every generated
//! crate as `src/support/decimal.rs`. Edit the original, never a copy.
//!
//! A number is taken as the shortest decimal that reads back as its double (what canonical output
//! writes, in every generated language), an integer as its own digits: so `19.99` is a multiple
//! of `0.01`, which it is not in binary floating point. Pure functions, no dependencies.

/// A decimal `digits`·10^`exponent`, with no leading or trailing zero in `digits` (zero is `"0"`
/// with exponent 0): `19.99` is `("1999", -2)`, `1200` is `("12", 2)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decimal {
    pub digits: String,
    pub exponent: i32,
}

impl Decimal {
    /// The absolute value of a finite double, as the shortest decimal that reads back as it.
    pub fn of_double(x: f64) -> Decimal {
        // `{:e}` writes the shortest round-trip digits: `1.999e1`.
        let text = format!("{:e}", x.abs());
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let exponent: i32 = exponent.parse().unwrap_or(0);
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        Decimal::normalized(&format!("{whole}{fraction}"), exponent - fraction.len() as i32)
    }

    /// The absolute value of an integer, exactly.
    pub fn of_integer(x: i64) -> Decimal {
        Decimal::normalized(&x.unsigned_abs().to_string(), 0)
    }

    fn normalized(digits: &str, exponent: i32) -> Decimal {
        let significant = digits.trim_start_matches('0');
        let kept = significant.trim_end_matches('0');
        if kept.is_empty() {
            return Decimal { digits: "0".into(), exponent: 0 };
        }
        Decimal { digits: kept.to_string(), exponent: exponent + (significant.len() - kept.len()) as i32 }
    }

    /// Whether this is an integer multiple of `divisor` (not zero, at most 17 digits, as every
    /// shortest double is): `m`·10^`e` = k·`n`·10^`f` for an integer k. With no trailing zero in
    /// `m`, that needs `e` ≥ `f`; then it is `m` followed by `e` − `f` zeros modulo `n`, by long
    /// division.
    pub fn is_multiple_of(&self, divisor: &Decimal) -> bool {
        if self.digits == "0" {
            return true;
        }
        let Ok(n) = divisor.digits.parse::<u64>() else { return false };
        if n == 0 || self.exponent < divisor.exponent {
            return false;
        }
        let zeros = (self.exponent - divisor.exponent) as usize;
        let mut rest: u64 = 0;
        for d in self.digits.bytes().chain(std::iter::repeat_n(b'0', zeros)) {
            rest = (rest * 10 + u64::from(d - b'0')) % n;
        }
        rest == 0
    }
}

/// Whether the double `x` is a multiple of `divisor` (Validation §6.2.1), both as their shortest
/// decimals.
pub fn is_multiple_of(x: f64, divisor: f64) -> bool {
    Decimal::of_double(x).is_multiple_of(&Decimal::of_double(divisor))
}

/// Whether the integer `x` is a multiple of `divisor` (Validation §6.2.1), `x` by its digits.
pub fn is_integer_multiple_of(x: i64, divisor: f64) -> bool {
    Decimal::of_integer(x).is_multiple_of(&Decimal::of_double(divisor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_shortest_and_normalized() {
        assert_eq!(Decimal::of_double(19.99), Decimal { digits: "1999".into(), exponent: -2 });
        assert_eq!(Decimal::of_double(1200.0), Decimal { digits: "12".into(), exponent: 2 });
        assert_eq!(Decimal::of_double(-0.0), Decimal { digits: "0".into(), exponent: 0 });
        assert_eq!(Decimal::of_double(1e-7), Decimal { digits: "1".into(), exponent: -7 });
        assert_eq!(Decimal::of_integer(i64::MIN), Decimal { digits: "9223372036854775808".into(), exponent: 0 });
    }

    #[test]
    fn multiples_are_decimal() {
        assert!(is_multiple_of(19.99, 0.01));
        assert!(is_multiple_of(0.3, 0.1));
        assert!(!is_multiple_of(0.35, 0.1));
        assert!(is_multiple_of(4.5, 1.5));
        assert!(!is_multiple_of(0.25, 0.5));
        assert!(is_multiple_of(1e300, 1e-300));
        assert!(!is_multiple_of(1e300, 3.0));
        assert!(is_integer_multiple_of(i64::MAX, 7.0));
        assert!(!is_integer_multiple_of(i64::MAX, 2.0));
        assert!(is_integer_multiple_of(-9, 1.5) && is_integer_multiple_of(-9, 4.5));
        assert!(!is_integer_multiple_of(-9, 2.5));
    }
}
