//! Random identifiers and RFC 3339 timestamps (UTC, whole seconds: every official client
//! parses that form, and Python before 3.11 rejects nanoseconds).

use rand::distr::{Alphanumeric, SampleString};
use rand::Rng;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A sandbox id in the cloud's style: unix seconds, then 8 lowercase letters and digits.
pub fn sandbox_id() -> String {
    let secs = unix_now().as_secs();
    let tail: String = Alphanumeric.sample_string(&mut rand::rng(), 8).to_ascii_lowercase();
    format!("{secs}{tail}")
}

/// A secret of 32 random bytes in hex, for agent tokens and engine API keys.
pub fn secret() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A request id for `X-Request-ID`.
pub fn request_id() -> String {
    let n: u64 = rand::rng().random();
    format!("req_{n:016x}")
}

/// Time since the epoch.
pub fn unix_now() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

/// RFC 3339 form of `t`, e.g. `2026-11-27T01:38:59Z`.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

/// The current time in RFC 3339 form.
pub fn now_rfc3339() -> String {
    rfc3339(SystemTime::now())
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_795_743_539);
        assert_eq!(rfc3339(t), "2026-11-27T01:38:59Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn ids_have_the_expected_shape() {
        let id = sandbox_id();
        assert!(id.len() >= 18 && id.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(secret().len(), 64);
        assert!(request_id().starts_with("req_"));
    }
}
