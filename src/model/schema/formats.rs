//! String formats Kubernetes and Istio check, each exactly as upstream does it (the Go source
//! named on each function), and a fix to suggest when a value fails.

use super::StrFormat;

/// Go's `time.ParseDuration` (what CEL's `duration()` uses): an optional sign, then one or more
/// `<number><unit>` with units `ns`, `us`/`µs`/`μs`, `ms`, `s`, `m`, `h`; `0` alone is allowed.
/// Returns the duration in nanoseconds, or why it is not one.
pub fn parse_duration(s: &str) -> Result<i128, &'static str> {
    let (negative, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err("it is empty");
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int_part, after) = rest.split_at(int_len);
        let (frac_part, after) = match after.strip_prefix('.') {
            Some(a) => {
                let n = a.bytes().take_while(u8::is_ascii_digit).count();
                a.split_at(n)
            }
            None => ("", after),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(if after.starts_with(' ') {
                "it contains a space"
            } else if after.is_empty() {
                "a unit must follow the number"
            } else {
                "each unit must follow a number"
            });
        }
        let unit_len = after
            .char_indices()
            .find(|&(_, c)| c == '.' || c.is_ascii_digit())
            .map_or(after.len(), |(i, _)| i);
        let (unit, next) = after.split_at(unit_len);
        let scale: f64 = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => return Err("a unit must follow the number (h, m, s, ms, us or ns)"),
            u if u.starts_with(' ') => return Err("it contains a space"),
            _ => return Err("the unit is not one of h, m, s, ms, us, ns"),
        };
        let number: f64 = format!(
            "{}.{}",
            if int_part.is_empty() { "0" } else { int_part },
            frac_part
        )
        .trim_end_matches('.')
        .parse()
        .map_err(|_| "the number is not valid")?;
        total += number * scale;
        if total > i64::MAX as f64 {
            return Err("it is longer than about 292 years (the largest Go duration)");
        }
        rest = next;
    }
    let total = total as i128;
    Ok(if negative { -total } else { total })
}

/// The Gateway API duration: `^([0-9]{1,5}(h|m|s|ms)){1,4}$` (GEP-2257).
pub fn is_gateway_duration(s: &str) -> bool {
    let mut rest = s;
    let mut parts = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if !(1..=5).contains(&digits) {
            return false;
        }
        rest = &rest[digits..];
        rest = if let Some(r) = rest.strip_prefix("ms") {
            r
        } else if let Some(r) = rest.strip_prefix(['h', 'm', 's']) {
            r
        } else {
            return false;
        };
        parts += 1;
    }
    (1..=4).contains(&parts)
}

fn is_alnum_lower(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// RFC 1123 label (`k8s.io/apimachinery/pkg/util/validation.IsDNS1123Label`).
pub fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && is_alnum_lower(b[0])
        && is_alnum_lower(b[b.len() - 1])
        && b.iter().all(|&c| is_alnum_lower(c) || c == b'-')
}

/// RFC 1123 subdomain (`IsDNS1123Subdomain`): labels joined by dots, at most 253 characters.
pub fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253
        && !s.is_empty()
        && s.split('.').all(|l| {
            let b = l.as_bytes();
            !b.is_empty()
                && is_alnum_lower(b[0])
                && is_alnum_lower(b[b.len() - 1])
                && b.iter().all(|&c| is_alnum_lower(c) || c == b'-')
        })
}

/// RFC 1035 label (`IsDNS1035Label`): starts with a letter.
pub fn is_dns1035_label(s: &str) -> bool {
    is_dns1123_label(s) && s.as_bytes()[0].is_ascii_lowercase()
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, at most 63 characters.
fn is_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// A label value (`IsValidLabelValue`): empty, or a qualified-name part.
pub fn is_label_value(s: &str) -> bool {
    s.is_empty() || is_qualified_name_part(s)
}

/// A label or annotation key (`IsQualifiedName`): `[DNS-subdomain prefix/]name`.
pub fn is_qualified_name(s: &str) -> bool {
    match s.split_once('/') {
        Some((prefix, name)) => is_dns1123_subdomain(prefix) && is_qualified_name_part(name),
        None => is_qualified_name_part(s),
    }
}

/// `IsValidPortName`: at most 15 of `[a-z0-9-]`, a letter somewhere, no `--`, no dash at an end.
pub fn is_iana_svc_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 15
        && b.iter().all(|&c| is_alnum_lower(c) || c == b'-')
        && b.iter().any(u8::is_ascii_lowercase)
        && !s.contains("--")
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// `IsConfigMapKey`: `[-._a-zA-Z0-9]+`, at most 253, not `.` or `..`.
pub fn is_config_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// Standard base64 with padding, as Go's `encoding/base64.StdEncoding` decodes `[]byte` in JSON
/// (line breaks are ignored).
pub fn is_base64(s: &str) -> bool {
    let mut n = 0usize;
    let mut pad = 0usize;
    for c in s.bytes() {
        match c {
            b'\n' | b'\r' => continue,
            b'=' => pad += 1,
            _ if pad > 0 => return false,
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' => {}
            _ => return false,
        }
        n += 1;
    }
    n.is_multiple_of(4) && pad <= 2
}

/// RFC 3339 date-time (`strfmt.IsDateTime`): `2006-01-02T15:04:05[.frac](Z|±07:00)`.
pub fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
    {
        return false;
    }
    if !matches!(b[10], b'T' | b't' | b' ')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let n = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        i += n;
    }
    match b.get(i) {
        Some(b'Z' | b'z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            b.len() == i + 6 && digits(i + 1..i + 3) && b[i + 3] == b':' && digits(i + 4..i + 6)
        }
        _ => false,
    }
}

/// Whether `s` has the format, and if not, why (one sentence fragment).
pub fn check(format: StrFormat, s: &str) -> Result<(), String> {
    // Kubernetes' typed fields treat "" as "not set" (`omitempty`); a required name that is
    // empty is the validator's `missing-field`, not a format error.
    let empty_is_unset = matches!(
        format,
        StrFormat::Dns1123Label
            | StrFormat::Dns1123Subdomain
            | StrFormat::Dns1035Label
            | StrFormat::IanaSvcName
    );
    if s.is_empty() && empty_is_unset {
        return Ok(());
    }
    let ok = match format {
        StrFormat::Duration => {
            return match parse_duration(s) {
                Ok(ns) if ns >= 1_000_000 => Ok(()),
                Ok(_) => Err("a duration must be at least 1ms".into()),
                Err(why) => Err(format!("not a valid duration: {why}")),
            };
        }
        StrFormat::GatewayDuration => is_gateway_duration(s),
        StrFormat::Byte => is_base64(s),
        StrFormat::DateTime => is_date_time(s),
        StrFormat::Dns1123Label => is_dns1123_label(s),
        StrFormat::Dns1123Subdomain => is_dns1123_subdomain(s),
        StrFormat::Dns1035Label => is_dns1035_label(s),
        StrFormat::LabelValue => is_label_value(s),
        StrFormat::QualifiedName => is_qualified_name(s),
        StrFormat::IanaSvcName => is_iana_svc_name(s),
        StrFormat::PortNumber => {
            return match s.parse::<i64>() {
                Ok(n) if (1..=65535).contains(&n) => Ok(()),
                Ok(_) => Err("a port must be between 1 and 65535".into()),
                Err(_) => Err("not a port number".into()),
            };
        }
        StrFormat::ConfigKey => is_config_key(s),
    };
    if ok {
        Ok(())
    } else {
        Err(describe(format).into())
    }
}

/// What the format requires, for messages.
pub fn describe(format: StrFormat) -> &'static str {
    match format {
        StrFormat::Duration => "a duration such as 1.5s, 300ms or 1h30m, at least 1ms",
        StrFormat::GatewayDuration => {
            "a Gateway API duration: up to 4 parts of 1-5 digits and a unit h, m, s or ms (e.g. 10s, 1m30s)"
        }
        StrFormat::Byte => "base64-encoded data",
        StrFormat::DateTime => "an RFC 3339 date-time such as 2024-01-31T12:00:00Z",
        StrFormat::Dns1123Label => {
            "an RFC 1123 label: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit"
        }
        StrFormat::Dns1123Subdomain => {
            "an RFC 1123 subdomain: at most 253 lowercase letters, digits, '-' or '.', each part starting and ending with a letter or digit"
        }
        StrFormat::Dns1035Label => {
            "an RFC 1035 label: at most 63 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit"
        }
        StrFormat::LabelValue => {
            "a label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
        }
        StrFormat::QualifiedName => {
            "a qualified name: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
        }
        StrFormat::IanaSvcName => {
            "a port name: at most 15 lowercase letters, digits or '-', with at least one letter"
        }
        StrFormat::PortNumber => "a port number between 1 and 65535",
        StrFormat::ConfigKey => "a key of letters, digits, '-', '_' or '.'",
    }
}

/// A value of the format close to `s`, when one is easy to derive (for names and labels).
pub fn suggest(format: StrFormat, s: &str) -> Option<String> {
    let fixed = match format {
        StrFormat::Dns1123Label
        | StrFormat::Dns1035Label
        | StrFormat::Dns1123Subdomain
        | StrFormat::IanaSvcName => {
            let keep_dot = format == StrFormat::Dns1123Subdomain;
            let mut out = String::with_capacity(s.len());
            for c in s.chars() {
                let c = c.to_ascii_lowercase();
                if c.is_ascii_lowercase() || c.is_ascii_digit() || (c == '.' && keep_dot) {
                    out.push(c);
                } else if !out.ends_with('-') {
                    out.push('-');
                }
            }
            let max = match format {
                StrFormat::Dns1123Subdomain => 253,
                StrFormat::IanaSvcName => 15,
                _ => 63,
            };
            out.truncate(max);
            let mut out = out.trim_matches(|c| c == '-' || c == '.').to_string();
            if format == StrFormat::Dns1035Label {
                out = out
                    .trim_start_matches(|c: char| c.is_ascii_digit() || c == '-')
                    .to_string();
            }
            if format == StrFormat::IanaSvcName {
                while out.contains("--") {
                    out = out.replace("--", "-");
                }
            }
            out
        }
        StrFormat::LabelValue => {
            let mut out: String = s
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            out.truncate(63);
            out.trim_matches(|c: char| !c.is_ascii_alphanumeric())
                .to_string()
        }
        StrFormat::Duration => {
            let squeezed: String = s.chars().filter(|c| !c.is_whitespace()).collect();
            let lower = squeezed.to_ascii_lowercase();
            let fixed = lower
                .strip_suffix("sec")
                .or_else(|| lower.strip_suffix("secs"))
                .or_else(|| lower.strip_suffix("seconds"))
                .map(|n| format!("{n}s"))
                .or_else(|| {
                    lower
                        .strip_suffix("min")
                        .or_else(|| lower.strip_suffix("mins"))
                        .map(|n| format!("{n}m"))
                })
                .unwrap_or(lower);
            if parse_duration(&fixed).is_ok_and(|ns| ns >= 1_000_000) {
                fixed
            } else {
                return None;
            }
        }
        _ => return None,
    };
    (!fixed.is_empty() && fixed != s && check(format, &fixed).is_ok()).then_some(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_go() {
        assert_eq!(parse_duration("7s"), Ok(7_000_000_000));
        assert_eq!(parse_duration("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_duration(".5s"), Ok(500_000_000));
        assert_eq!(parse_duration("5.s"), Ok(5_000_000_000));
        assert_eq!(parse_duration("300ms"), Ok(300_000_000));
        assert_eq!(parse_duration("10us"), Ok(10_000));
        assert_eq!(parse_duration("10µs"), Ok(10_000));
        assert_eq!(parse_duration("0"), Ok(0));
        assert_eq!(parse_duration("-1s"), Ok(-1_000_000_000));
        assert_eq!(parse_duration("1h2m3s4ms5us6ns"), Ok(3_723_004_005_006));
        assert!(parse_duration("7 s").is_err());
        assert!(parse_duration("7").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("7sec").is_err());
        assert!(parse_duration("1d").is_err());
        assert!(parse_duration(".s").is_err());
        assert!(parse_duration("99999999999h").is_err());
    }

    #[test]
    fn istio_durations_need_a_millisecond() {
        assert!(check(StrFormat::Duration, "1ms").is_ok());
        assert!(check(StrFormat::Duration, "0.5s").is_ok());
        assert!(check(StrFormat::Duration, "0s").is_err());
        assert!(check(StrFormat::Duration, "999us").is_err());
        assert!(
            check(StrFormat::Duration, "7 s")
                .unwrap_err()
                .contains("space")
        );
        assert_eq!(suggest(StrFormat::Duration, "7 s").as_deref(), Some("7s"));
        assert_eq!(
            suggest(StrFormat::Duration, "30sec").as_deref(),
            Some("30s")
        );
        assert_eq!(suggest(StrFormat::Duration, "abc"), None);
    }

    #[test]
    fn gateway_durations() {
        assert!(is_gateway_duration("10s"));
        assert!(is_gateway_duration("1h30m"));
        assert!(is_gateway_duration("500ms"));
        assert!(!is_gateway_duration("1.5s"));
        assert!(!is_gateway_duration("123456s"));
        assert!(!is_gateway_duration("1h1m1s1ms1h"));
        assert!(!is_gateway_duration(""));
    }

    #[test]
    fn names_and_labels() {
        assert!(is_dns1123_label("reviews-v1"));
        assert!(!is_dns1123_label("Reviews"));
        assert!(!is_dns1123_label("-a"));
        assert!(!is_dns1123_label(&"a".repeat(64)));
        assert!(is_dns1123_subdomain("a.b-c.d"));
        assert!(!is_dns1123_subdomain("a..b"));
        assert!(is_dns1035_label("svc1"));
        assert!(!is_dns1035_label("1svc"));
        assert!(is_label_value(""));
        assert!(is_label_value("v1.2_x"));
        assert!(!is_label_value("a b"));
        assert!(!is_label_value("-x"));
        assert!(is_qualified_name("app.kubernetes.io/name"));
        assert!(is_qualified_name("app"));
        assert!(!is_qualified_name("Bad_Prefix/x"));
        assert!(!is_qualified_name("a/b/c"));
        assert!(is_iana_svc_name("http-web"));
        assert!(!is_iana_svc_name("8080"));
        assert!(!is_iana_svc_name("a--b"));
        assert!(!is_iana_svc_name("a-very-long-port-name"));
        assert_eq!(
            suggest(StrFormat::Dns1123Label, "My_Service").as_deref(),
            Some("my-service")
        );
        assert_eq!(
            suggest(StrFormat::Dns1035Label, "1web").as_deref(),
            Some("web")
        );
    }

    #[test]
    fn base64_and_dates() {
        assert!(is_base64("aGVsbG8="));
        assert!(is_base64("aGVs\nbG8="));
        assert!(is_base64(""));
        assert!(!is_base64("hello"));
        assert!(!is_base64("aGVsbG8=x"));
        assert!(is_date_time("2024-01-31T12:00:00Z"));
        assert!(is_date_time("2024-01-31T12:00:00.123+02:00"));
        assert!(!is_date_time("2024-01-31"));
        assert!(!is_date_time("yesterday"));
    }
}
