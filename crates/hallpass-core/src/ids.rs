//! Identifiers: tags, session ids, key ids and random secrets.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;

use crate::{Error, Result, Timestamp};

/// Longest tag accepted for products, envs and session types.
pub const MAX_TAG_LEN: usize = 64;

/// Checks a tag against `[a-z0-9][a-z0-9_-]{0,63}`; `what` names the field in the message.
///
/// # Errors
/// [`Error::InvalidRequest`] naming the field and the allowed pattern.
pub fn validate_tag(what: &str, tag: &str) -> Result<()> {
    let bytes = tag.as_bytes();
    let ok = !bytes.is_empty()
        && bytes.len() <= MAX_TAG_LEN
        && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_' || *b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "{what} '{}' is not valid: use 1 to 64 characters of a-z, 0-9, '_' and '-', starting with a letter or digit",
            truncate_for_message(tag)
        )))
    }
}

/// Cuts user input that is echoed in an error message to a readable length.
pub fn truncate_for_message(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}

/// `len` random bytes as base64url without padding.
pub fn random_b64(len: usize) -> String {
    let mut buf = vec![0u8; len];
    rand::thread_rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// A new session id: a ULID (26 characters of Crockford base32) whose first 48 bits are the
/// creation time, so ids sort as strings in creation order. `previous` is the last id issued
/// by this process: when it shares the millisecond, the new id is its successor, so ids made in
/// the same millisecond still sort in creation order.
pub fn new_session_id(now: Timestamp, previous: Option<ulid::Ulid>) -> ulid::Ulid {
    let ms = u64::try_from(now.as_millis()).unwrap_or(0);
    if let Some(prev) = previous
        && prev.timestamp_ms() >= ms
        && let Some(next) = prev.increment()
    {
        return next;
    }
    ulid::Ulid::from_parts(ms, rand::random::<u128>())
}

/// The `nextCursor` of a page that ends at `last_id`: opaque to clients, so that what it
/// holds may change.
pub fn page_cursor(last_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(last_id)
}

/// The id a [`page_cursor`] holds, if `cursor` is one (its id is a ULID after `prefix`).
///
/// # Errors
/// [`Error::InvalidRequest`] for anything else.
pub fn parse_page_cursor(cursor: &str, prefix: &str) -> Result<String> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .filter(|id| {
            id.strip_prefix(prefix)
                .is_some_and(|ulid| ulid.parse::<ulid::Ulid>().is_ok())
        })
        .ok_or_else(|| {
            Error::invalid(
                "cursor is not one this server issued: pass nextCursor from the previous page unchanged",
            )
        })
}

/// A new opaque id for an API key or a signing key, with a readable prefix.
pub fn new_prefixed_id(prefix: &str) -> String {
    format!("{prefix}{}", random_b64(12))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_the_pattern() {
        for ok in ["user-session", "a", "0", "x_y-z", &"a".repeat(64)] {
            assert!(validate_tag("tag", ok).is_ok(), "{ok}");
        }
        for bad in ["", "-a", "_a", "User", "a b", "a.b", &"a".repeat(65), "é"] {
            assert!(validate_tag("tag", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn session_ids_sort_in_creation_order_within_one_millisecond() {
        let now = Timestamp::from_millis(1_700_000_000_000);
        let mut prev = None;
        let mut ids = Vec::new();
        for _ in 0..100 {
            let id = new_session_id(now, prev);
            prev = Some(id);
            ids.push(id.to_string());
        }
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        let later = new_session_id(now.plus_millis(1), prev).to_string();
        assert!(later > ids[99]);
    }
}
