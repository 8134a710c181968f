//! h3 2.x's chunked cookies: a value longer than the chunk limit is written as
//! `<name>=__chunked__N` plus `<name>.1 … <name>.N`, and read back by joining the chunks. No I/O.

use crate::settings::MAX_CHUNKS;

/// The main cookie's value prefix that announces chunks.
const CHUNKED: &str = "__chunked__";

/// The name of chunk `n` (from 1).
pub(crate) fn chunk_name(name: &str, n: usize) -> String {
    format!("{name}.{n}")
}

/// How many chunks a main cookie's value announces: `None` when it is an ordinary value, or
/// announces a count out of 1..=100 (h3 then reads nothing). Only digits are read, where h3's
/// `parseInt` would also take `+3` or `3x`; h3 itself never writes those.
pub(crate) fn announced_chunks(main: &str) -> Option<usize> {
    let count = main.strip_prefix(CHUNKED)?;
    count
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=MAX_CHUNKS).contains(n) && count.bytes().all(|b| b.is_ascii_digit()))
}

/// The value h3 reads for `name` among the request's cookies: the main cookie itself, or its
/// chunks joined (nothing if one is missing, or the whole would exceed `max_len`).
pub(crate) fn read<'a>(
    name: &str,
    cookie: impl Fn(&str) -> Option<&'a str>,
    max_len: usize,
) -> Option<String> {
    let main = cookie(name)?;
    if !main.starts_with(CHUNKED) {
        return Some(main.to_owned());
    }
    let count = announced_chunks(main)?;
    let mut joined = String::new();
    for n in 1..=count {
        let chunk = cookie(&chunk_name(name, n)).filter(|c| !c.is_empty())?;
        if joined.len() + chunk.len() > max_len {
            return None;
        }
        joined.push_str(chunk);
    }
    Some(joined)
}

/// The cookies that write `value` under `name`: the value itself when it fits in `max_len`,
/// else the `__chunked__N` marker and the chunks, as `(name, value)` pairs.
pub(crate) fn split(name: &str, value: &str, max_len: usize) -> Vec<(String, String)> {
    if value.len() <= max_len {
        return vec![(name.to_owned(), value.to_owned())];
    }
    let mut chunks = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let mut end = max_len.min(rest.len());
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let (chunk, tail) = rest.split_at(end);
        chunks.push(chunk);
        rest = tail;
    }
    let mut cookies = vec![(name.to_owned(), format!("{CHUNKED}{}", chunks.len()))];
    cookies.extend(
        chunks
            .iter()
            .enumerate()
            .map(|(i, chunk)| (chunk_name(name, i + 1), (*chunk).to_owned())),
    );
    cookies
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn jar(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn read_from(jar: &HashMap<String, String>, max_len: usize) -> Option<String> {
        read("h3", |n| jar.get(n).map(String::as_str), max_len)
    }

    #[test]
    fn a_short_value_is_one_cookie() {
        assert_eq!(split("h3", "abc", 4000), [("h3".into(), "abc".into())]);
    }

    #[test]
    fn a_long_value_is_split_as_h3_does_and_read_back() {
        let value = "x".repeat(4000) + &"y".repeat(4000) + "z";
        let cookies = split("h3", &value, 4000);
        let names: Vec<_> = cookies.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["h3", "h3.1", "h3.2", "h3.3"]);
        assert_eq!(cookies[0].1, "__chunked__3");
        assert_eq!(cookies[3].1, "z");
        let jar: HashMap<_, _> = cookies.into_iter().collect();
        assert_eq!(read_from(&jar, 64 * 1024), Some(value));
    }

    #[test]
    fn chunks_split_on_character_boundaries() {
        let value = "é".repeat(150);
        let cookies = split("h3", &value, 101);
        assert!(cookies[1..].iter().all(|(_, c)| c.len() <= 101));
        let joined: String = cookies[1..].iter().map(|(_, c)| c.as_str()).collect();
        assert_eq!(joined, value);
    }

    #[test]
    fn a_missing_chunk_or_bad_marker_reads_nothing() {
        assert_eq!(
            read_from(&jar(&[("h3", "__chunked__2"), ("h3.1", "a")]), 100),
            None
        );
        assert_eq!(read_from(&jar(&[("h3", "__chunked__0")]), 100), None);
        assert_eq!(read_from(&jar(&[("h3", "__chunked__101")]), 100), None);
        assert_eq!(
            read_from(&jar(&[("h3", "__chunked__+1"), ("h3.1", "a")]), 100),
            None
        );
        assert_eq!(read_from(&jar(&[]), 100), None);
    }

    #[test]
    fn chunks_longer_together_than_the_limit_read_nothing() {
        let jar = jar(&[("h3", "__chunked__2"), ("h3.1", "aaaa"), ("h3.2", "bbbb")]);
        assert_eq!(read_from(&jar, 7), None);
        assert_eq!(read_from(&jar, 8).as_deref(), Some("aaaabbbb"));
    }

    #[test]
    fn announced_counts() {
        assert_eq!(announced_chunks("__chunked__3"), Some(3));
        assert_eq!(announced_chunks("Fe26.2**"), None);
    }
}
