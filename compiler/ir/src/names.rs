//! Case conversion shared by every backend's naming.

/// `PriceTick` → `price_tick`, `time_in_force` → `time_in_force`, `HTTPCode` → `http_code`.
pub fn snake_case(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower = i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_ascii_uppercase();
            if !out.is_empty() && !out.ends_with('_') && (prev_lower || (prev_upper && next_lower)) {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// `time_in_force` → `TimeInForce`, `PriceTick` → `PriceTick`.
pub fn pascal_case(s: &str) -> String {
    snake_case(s)
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_cases() {
        assert_eq!(snake_case("PriceTick"), "price_tick");
        assert_eq!(snake_case("ExecutionReport"), "execution_report");
        assert_eq!(snake_case("HTTPCode"), "http_code");
        assert_eq!(snake_case("time_in_force"), "time_in_force");
        assert_eq!(pascal_case("time_in_force"), "TimeInForce");
        assert_eq!(pascal_case("OrderIntent"), "OrderIntent");
        assert_eq!(pascal_case("volume-lots"), "VolumeLots");
    }
}
