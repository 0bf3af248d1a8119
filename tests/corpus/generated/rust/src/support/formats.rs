//! The `format`s contractc asserts (JSON Schema 2020-12 Validation §7.2.2, §7.3), implemented once
//! in Rust: this is `runtime/src/formats.rs` of contractc, which the runtime's validator (and so
//! the checker) uses as a module and contractc's Rust backend writes verbatim into every generated
//! crate as `src/support/formats.rs`. Edit the original, never a copy.
//!
//! Pure functions of the string's bytes, no dependencies. Every grammar here is ASCII: a
//! non-ASCII character (a Bengali `২` where a digit goes) is refused. ABNF literals are matched as
//! the RFCs write them (upper case), except `T` and `Z` of dates and times, which RFC 3339 §5.6
//! allows in lower case too.

/// A `format` the subset asserts; every other `format` is an annotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// RFC 3339 §5.6 `date-time`.
    DateTime,
    /// RFC 3339 §5.6 `full-date`.
    Date,
    /// RFC 3339 §5.6 `full-time`.
    Time,
    /// RFC 3339 Appendix A `duration`.
    Duration,
    /// RFC 5321 §4.1.2 `Mailbox`.
    Email,
    /// RFC 1123 §2.1 host name.
    Hostname,
    /// RFC 2673 §3.2 `dotted-quad`.
    Ipv4,
    /// RFC 4291 §2.2 text form.
    Ipv6,
    /// RFC 9562 §4 (formerly RFC 4122 §3): the 8-4-4-4-12 hex form, any version, either case.
    Uuid,
}

impl Format {
    /// Every asserted format.
    pub const ALL: [Format; 9] = [
        Format::DateTime,
        Format::Date,
        Format::Time,
        Format::Duration,
        Format::Email,
        Format::Hostname,
        Format::Ipv4,
        Format::Ipv6,
        Format::Uuid,
    ];

    /// The `format` keyword's value (Validation §7.3).
    pub fn keyword(self) -> &'static str {
        match self {
            Format::DateTime => "date-time",
            Format::Date => "date",
            Format::Time => "time",
            Format::Duration => "duration",
            Format::Email => "email",
            Format::Hostname => "hostname",
            Format::Ipv4 => "ipv4",
            Format::Ipv6 => "ipv6",
            Format::Uuid => "uuid",
        }
    }

    /// What a valid instance is, for messages: "an RFC 3339 date-time".
    pub fn description(self) -> &'static str {
        match self {
            Format::DateTime => "an RFC 3339 date-time",
            Format::Date => "an RFC 3339 full-date",
            Format::Time => "an RFC 3339 full-time",
            Format::Duration => "an RFC 3339 duration",
            Format::Email => "an e-mail address (RFC 5321 Mailbox)",
            Format::Hostname => "a host name (RFC 1123)",
            Format::Ipv4 => "an IPv4 address (RFC 2673 dotted-quad)",
            Format::Ipv6 => "an IPv6 address (RFC 4291)",
            Format::Uuid => "a UUID (RFC 9562)",
        }
    }

    /// The format a `format` value names, if the subset asserts it.
    pub fn from_keyword(k: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.keyword() == k)
    }

    /// Whether string `s` is an instance of the format.
    pub fn matches(self, s: &str) -> bool {
        match self {
            Format::DateTime => is_date_time(s),
            Format::Date => is_date(s),
            Format::Time => is_time(s),
            Format::Duration => is_duration(s),
            Format::Email => is_email(s),
            Format::Hostname => is_hostname(s),
            Format::Ipv4 => is_ipv4(s),
            Format::Ipv6 => is_ipv6(s),
            Format::Uuid => is_uuid(s),
        }
    }
}

/// The value of one or more ASCII digits.
fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() {
        return None;
    }
    b.iter().try_fold(0u32, |n, d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
}

/// RFC 3339 §5.6 `full-date`: `date-fullyear "-" date-month "-" date-mday`, a day the month
/// has (§5.7: February 29 in leap years).
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (digits(&b[0..4]), digits(&b[5..7]), digits(&b[8..10])) else { return false };
    let leap = y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400));
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// RFC 3339 §5.6 `full-time`: `time-hour ":" time-minute ":" time-second [time-secfrac]
/// time-offset`, the offset `Z` or `+hh:mm`/`-hh:mm`. A leap second (`:60`) ends a UTC day
/// (§5.7): `23:59:60Z`, `15:59:60-08:00`.
pub fn is_time(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 9 || b[2] != b':' || b[5] != b':' {
        return false;
    }
    let (Some(h), Some(mi), Some(sec)) = (digits(&b[0..2]), digits(&b[3..5]), digits(&b[6..8])) else { return false };
    if h > 23 || mi > 59 || sec > 60 {
        return false;
    }
    let mut rest = &b[8..];
    if let [b'.', fraction @ ..] = rest {
        let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => match (digits(&[*h1, *h2]), digits(&[*m1, *m2])) {
            (Some(h), Some(m)) if h <= 23 && m <= 59 => i64::from(h * 60 + m) * if *sign == b'+' { 1 } else { -1 },
            _ => return false,
        },
        _ => return false,
    };
    sec < 60 || (i64::from(h * 60 + mi) - offset).rem_euclid(1440) == 1439
}

/// RFC 3339 §5.6 `date-time`: `full-date "T" full-time`, `T` in either case.
pub fn is_date_time(s: &str) -> bool {
    s.get(..10).is_some_and(is_date)
        && matches!(s.as_bytes().get(10), Some(b'T' | b't'))
        && s.get(11..).is_some_and(is_time)
}

/// RFC 3339 Appendix A `duration`: `"P" (dur-date / dur-time / dur-week)`. The date's elements
/// are consecutive among years, months, days (`P1Y2M`, `P2M3D`, not `P1Y3D`), the time's (after
/// `T`, at least one) among hours, minutes, seconds; weeks stand alone (`P2W`). Each element is
/// `1*DIGIT` and its designator, upper case as ISO 8601 writes it.
pub fn is_duration(s: &str) -> bool {
    let Some(rest) = s.as_bytes().strip_prefix(b"P") else { return false };
    match rest.iter().position(|&c| c == b'T') {
        Some(t) => (t == 0 || elements(&rest[..t], b"YMD")) && elements(&rest[t + 1..], b"HMS"),
        None => elements(rest, b"YMD") || elements(rest, b"W"),
    }
}

/// Whether `b` is one or more duration elements (`1*DIGIT` and a designator) whose designators
/// are consecutive letters of `designators`, in order.
fn elements(b: &[u8], designators: &[u8]) -> bool {
    let mut next = None;
    let mut rest = b;
    while !rest.is_empty() {
        let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        let Some(i) = rest.get(n).and_then(|d| designators.iter().position(|c| c == d)) else { return false };
        if n == 0 || next.is_some_and(|j| j != i) {
            return false;
        }
        next = Some(i + 1);
        rest = &rest[n + 1..];
    }
    next.is_some()
}

/// RFC 2673 §3.2 `dotted-quad`: four decimal bytes joined by `.`, each `dec-octet` as RFC 3986
/// §3.2.2 writes it, without leading zeros (`087.10.0.1` is refused: many readers take it as
/// octal).
pub fn is_ipv4(s: &str) -> bool {
    let dec_octet = |p: &str| {
        matches!(p.len(), 1..=3)
            && !(p.len() > 1 && p.starts_with('0'))
            && digits(p.as_bytes()).is_some_and(|v| v <= 255)
    };
    s.split('.').count() == 4 && s.split('.').all(dec_octet)
}

/// RFC 4291 §2.2's text forms (RFC 3986 §3.2.2 `IPv6address`): eight groups of 1 to 4 hex digits
/// joined by `:`; one `::` stands for one or more groups of zeros; the last two groups may be
/// written as an IPv4 address (`::ffff:192.168.0.1`). No zone (`%eth1`, RFC 6874) or prefix
/// length (`/64`).
pub fn is_ipv6(s: &str) -> bool {
    match s.split_once("::") {
        Some((head, tail)) => matches!((groups(head, false), groups(tail, true)), (Some(h), Some(t)) if h + t <= 7),
        None => groups(s, true) == Some(8),
    }
}

/// How many 16-bit groups `s` writes (none when it is empty): `h16`s joined by `:`, the last an
/// IPv4 address, worth two, when `ipv4_last` allows it.
fn groups(s: &str, ipv4_last: bool) -> Option<usize> {
    if s.is_empty() {
        return Some(0);
    }
    let count = s.split(':').count();
    s.split(':').enumerate().try_fold(0, |n, (i, g)| {
        if ipv4_last && i + 1 == count && g.contains('.') {
            is_ipv4(g).then_some(n + 2)
        } else {
            (matches!(g.len(), 1..=4) && g.bytes().all(|c| c.is_ascii_hexdigit())).then_some(n + 1)
        }
    })
}

/// RFC 1123 §2.1 host name: labels of ASCII letters, digits and hyphens, neither starting nor
/// ending with a hyphen (a digit may start one), 1 to 63 characters each (RFC 1034 §3.5), joined
/// by `.`, at most 253 characters in all (RFC 1034 §3.1's 255 octets on the wire). No trailing
/// `.`; an A-label (`xn--4gbwdl`) is a label like any other.
pub fn is_hostname(s: &str) -> bool {
    let label = |l: &str| {
        let b = l.as_bytes();
        matches!(b.len(), 1..=63)
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
    };
    s.len() <= 253 && s.split('.').all(label)
}

/// RFC 5321 §4.1.2 `Mailbox`: `Local-part "@" ( Domain / address-literal )`. The local part is
/// a `Dot-string` (atoms of RFC 5322 §3.2.3 `atext` joined by single dots) or a `Quoted-string`
/// (`"joe bloggs"`, with `\` quoting a printable character), at most 64 octets (§4.5.3.1.1); the
/// domain a host name as [`is_hostname`] reads it, or an address literal (§4.1.3) `[192.168.0.1]`
/// or `[IPv6:::1]`, read as [`is_ipv4`] and [`is_ipv6`] read addresses. At most 254 octets in all
/// (§4.5.3.1.3's 256 for the path, less its angle brackets).
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else { return false };
    let atext = |c: &u8| c.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(c);
    let dot_string = local.split('.').all(|atom| !atom.is_empty() && atom.bytes().all(|c| atext(&c)));
    let domain_ok = match domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        Some(l) => l.strip_prefix("IPv6:").map_or_else(|| is_ipv4(l), is_ipv6),
        None => is_hostname(domain),
    };
    s.len() <= 254 && local.len() <= 64 && (dot_string || is_quoted_string(local.as_bytes())) && domain_ok
}

/// RFC 5321 §4.1.2 `Quoted-string`: `DQUOTE *QcontentSMTP DQUOTE`, printable ASCII and spaces
/// (`qtextSMTP`) or `\` and one of them (`quoted-pairSMTP`).
fn is_quoted_string(b: &[u8]) -> bool {
    let [b'"', inner @ .., b'"'] = b else { return false };
    let mut i = 0;
    while i < inner.len() {
        match inner[i] {
            b'\\' if inner.get(i + 1).is_some_and(|c| (b' '..=b'~').contains(c)) => i += 2,
            b'"' | b'\\' => return false,
            c if (b' '..=b'~').contains(&c) => i += 1,
            _ => return false,
        }
    }
    true
}

/// RFC 9562 §4's string form: 32 hex digits in groups of 8, 4, 4, 4 and 12, joined by `-`.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter()
            .enumerate()
            .all(|(i, c)| if [8, 13, 18, 23].contains(&i) { *c == b'-' } else { c.is_ascii_hexdigit() })
}
