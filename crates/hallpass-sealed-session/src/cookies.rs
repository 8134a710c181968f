//! Reading the request's `Cookie` headers into a map (chunked sessions need several cookies);
//! `Set-Cookie` values are written by `hallpass_cookie` with the session's settings.

use std::collections::HashMap;

use axum::http::{HeaderMap, header};
use cookie::Cookie;

/// The request's cookies by name; of repeated names the first wins, as browsers send the most
/// specific one first and h3's parser keeps the first. Values are percent-decoded and
/// unquoted as h3's are.
pub(crate) fn request_cookies(headers: &HeaderMap) -> HashMap<String, String> {
    let mut cookies = HashMap::new();
    for value in headers.get_all(header::COOKIE) {
        let Ok(value) = value.to_str() else { continue };
        for cookie in Cookie::split_parse_encoded(value).flatten() {
            cookies
                .entry(cookie.name().to_owned())
                .or_insert_with(|| cookie.value_trimmed().to_owned());
        }
    }
    cookies
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn the_first_of_repeated_names_wins_across_headers() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; h3=first"));
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("h3=second; b=%2A; q=\"v\""),
        );
        let cookies = request_cookies(&headers);
        assert_eq!(cookies["h3"], "first");
        assert_eq!(cookies["a"], "1");
        assert_eq!(cookies["b"], "*");
        assert_eq!(cookies["q"], "v");
    }
}
