//! What the model keeps of a Secret's values: whether each is empty, and for the certificate keys
//! (`tls.crt`, `cert`) whether the value holds a certificate Istio accepts and when it is valid.
//! No secret value is kept: the private key is never decoded, and of the (public) certificate
//! only whether it parses and its validity period.
//!
//! Istio reads a gateway credential as `kube.ExtractCertInfo` and `xds.ValidateCertificate` do:
//! the first PEM block of the certificate value must hold DER certificates, each valid now.

use crate::load::yaml::{Document, NodeId};
use crate::model::node::{FromNode, HasShape, Shape, loc};
use crate::source::Loc;

/// A certificate value as Istio reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertCheck {
    /// Every certificate of the first PEM block parses; the intersection of their validity
    /// periods, in seconds since the Unix epoch.
    Valid { not_before: i64, not_after: i64 },
    /// Why Istio cannot read it.
    Unreadable(String),
}

/// One value of a Secret's `data` (base64) or `stringData` (plain).
#[derive(Debug, Clone, PartialEq)]
pub struct SecretValue {
    pub loc: Loc,
    pub empty: bool,
    /// For the certificate keys only.
    pub cert: Option<Box<CertCheck>>,
}

/// The keys whose value is a certificate chain Istio serves.
pub const CERT_KEYS: &[&str] = &["tls.crt", "cert"];

fn read(doc: &Document, id: NodeId, key: Option<NodeId>, base64: bool) -> Option<SecretValue> {
    let text = doc.str(id).unwrap_or("");
    let key = key.and_then(|k| doc.str(k)).unwrap_or("");
    let empty = text.trim().is_empty();
    // Only a certificate value is decoded; the others (the private key) only say if they are
    // empty.
    let cert = CERT_KEYS.contains(&key).then(|| {
        let bytes = if base64 {
            decode_base64(text)
        } else {
            Some(text.as_bytes().to_vec())
        };
        Box::new(match &bytes {
            None => CertCheck::Unreadable("the value is not valid base64".to_string()),
            Some(b) => check_pem(b),
        })
    });
    Some(SecretValue {
        loc: loc(doc, id),
        empty,
        cert,
    })
}

/// A value of `data`: base64.
#[derive(Debug, Clone, PartialEq)]
pub struct DataValue(pub SecretValue);
/// A value of `stringData`: plain text.
#[derive(Debug, Clone, PartialEq)]
pub struct StringDataValue(pub SecretValue);

impl FromNode for DataValue {
    fn from_node(doc: &Document, id: NodeId, key: Option<NodeId>) -> Option<Self> {
        read(doc, id, key, true).map(DataValue)
    }
}
impl FromNode for StringDataValue {
    fn from_node(doc: &Document, id: NodeId, key: Option<NodeId>) -> Option<Self> {
        read(doc, id, key, false).map(StringDataValue)
    }
}
// As untyped as before: the schema checks the values' types, not these.
impl HasShape for DataValue {
    fn shape() -> Shape {
        Shape::Raw
    }
}
impl HasShape for StringDataValue {
    fn shape() -> Shape {
        Shape::Raw
    }
}

/// Standard base64, padding optional, whitespace ignored (as Kubernetes accepts it in YAML).
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut padding = false;
    for b in text.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                padding = true;
                continue;
            }
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        if padding {
            return None;
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The first PEM block, as Go's `pem.Decode` finds it: its type and its decoded body.
fn first_pem_block(bytes: &[u8]) -> Option<(String, Vec<u8>)> {
    let text = String::from_utf8_lossy(bytes);
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start + "-----BEGIN ".len()..];
    let (label, rest) = rest.split_once("-----")?;
    let end_marker = format!("-----END {label}-----");
    let end = rest.find(&end_marker)?;
    let body: String = rest[..end]
        .lines()
        .filter(|l| !l.contains(':')) // PEM headers
        .collect();
    Some((label.to_string(), decode_base64(&body)?))
}

fn check_pem(bytes: &[u8]) -> CertCheck {
    let Some((label, der)) = first_pem_block(bytes) else {
        return CertCheck::Unreadable("the value holds no PEM block".to_string());
    };
    let mut rest = der.as_slice();
    let mut window: Option<(i64, i64)> = None;
    while !rest.is_empty() {
        match certificate_validity(rest) {
            Some((validity, after)) => {
                window = Some(match window {
                    None => validity,
                    Some((b, a)) => (b.max(validity.0), a.min(validity.1)),
                });
                rest = after;
            }
            None => {
                return CertCheck::Unreadable(format!(
                    "its first PEM block ({label}) holds no X.509 certificate that parses"
                ));
            }
        }
    }
    match window {
        Some((not_before, not_after)) => CertCheck::Valid {
            not_before,
            not_after,
        },
        None => CertCheck::Unreadable(format!("its first PEM block ({label}) is empty")),
    }
}

/// One DER element: (tag, content, the bytes after it).
fn der(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

/// The validity period of the DER certificate at the start of `input`, and the bytes after it.
fn certificate_validity(input: &[u8]) -> Option<((i64, i64), &[u8])> {
    const SEQUENCE: u8 = 0x30;
    let (tag, cert, after) = der(input)?;
    if tag != SEQUENCE {
        return None;
    }
    let (tag, tbs, sig) = der(cert)?;
    if tag != SEQUENCE {
        return None;
    }
    // signatureAlgorithm and signatureValue follow the TBS certificate.
    let (alg_tag, _, sig) = der(sig)?;
    let (bits_tag, _, _) = der(sig)?;
    if alg_tag != SEQUENCE || bits_tag != 0x03 {
        return None;
    }
    let mut fields = tbs;
    let (mut tag, _, mut rest) = der(fields)?;
    if tag == 0xa0 {
        // [0] version
        fields = rest;
        (tag, _, rest) = der(fields)?;
    }
    if tag != 0x02 {
        return None; // serialNumber
    }
    let (tag, _, rest) = der(rest)?; // signature
    if tag != SEQUENCE {
        return None;
    }
    let (tag, _, rest) = der(rest)?; // issuer
    if tag != SEQUENCE {
        return None;
    }
    let (tag, validity, _) = der(rest)?;
    if tag != SEQUENCE {
        return None;
    }
    let (t1, before, rest) = der(validity)?;
    let (t2, not_after, _) = der(rest)?;
    Some(((time(t1, before)?, time(t2, not_after)?), after))
}

/// UTCTime (`YYMMDDHHMMSSZ`) or GeneralizedTime (`YYYYMMDDHHMMSSZ`) as Unix seconds.
fn time(tag: u8, value: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(value).ok()?.strip_suffix('Z')?;
    // Digits only, so the fixed-width fields below are sliced on character boundaries.
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (year, rest) = match tag {
        0x17 if s.len() == 12 => {
            let yy: i64 = s[..2].parse().ok()?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, &s[2..])
        }
        0x18 if s.len() == 14 => (s[..4].parse().ok()?, &s[4..]),
        _ => return None,
    };
    let n = |i: usize| rest[i..i + 2].parse::<i64>().ok();
    let (month, day, hour, minute, second) = (n(0)?, n(2)?, n(4)?, n(6)?, n(8)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A Unix time as `YYYY-MM-DD`, for messages.
pub fn date(unix: i64) -> String {
    let z = unix.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_as_kubernetes_writes_it() {
        assert_eq!(decode_base64("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64("aGVs\nbG8").unwrap(), b"hello");
        assert!(decode_base64("not base64!").is_none());
    }

    #[test]
    fn dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(date(days_from_civil(2023, 3, 14) * 86_400), "2023-03-14");
        assert_eq!(
            time(0x17, b"230314025430Z"),
            Some(days_from_civil(2023, 3, 14) * 86_400 + 2 * 3600 + 54 * 60 + 30)
        );
        assert_eq!(
            time(0x18, b"21220218061836Z").map(date).as_deref(),
            Some("2122-02-18")
        );
        assert_eq!(time(0x17, b"2303140254Z"), None);
    }

    #[test]
    fn pem_that_is_no_certificate() {
        assert!(matches!(
            check_pem(b"hush hush hush\n"),
            CertCheck::Unreadable(_)
        ));
        let key = b"-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n";
        assert!(matches!(check_pem(key), CertCheck::Unreadable(_)));
    }

    #[test]
    fn a_time_with_a_multi_byte_character_is_no_time() {
        // Twelve bytes before the Z, one character of them two bytes wide.
        assert_eq!(time(0x17, "1\u{e9}345678901Z".as_bytes()), None);
        assert_eq!(time(0x18, "20\u{e9}3456789012Z".as_bytes()), None);
        assert!(time(0x17, b"250101000000Z").is_some());
    }
}
