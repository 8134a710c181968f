//! The console page (docs/API.md §16): served from the binary at `/console`, its files under
//! `/console/assets/`, every answer with a strict Content-Security-Policy.

use axum::http::Method;

use crate::support::*;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

#[tokio::test]
async fn the_page_and_its_files_are_served_with_a_strict_policy() {
    let app = App::new().await;
    for path in ["/console", "/console/"] {
        let page = app.raw(Method::GET, path, "", "").await;
        assert_eq!(page.status, 200, "{path}");
        assert_eq!(page.headers["content-type"], "text/html", "{path}");
        assert_eq!(page.headers["content-security-policy"], CSP);
        assert_eq!(page.headers["x-frame-options"], "DENY");
        assert!(
            page.text.contains(r#"src="/console/assets/console.js""#),
            "{}",
            page.text
        );
        assert!(
            !page.text.contains("<script>") && !page.text.contains("style="),
            "nothing inline: {}",
            page.text
        );
    }
    let script = app
        .raw(Method::GET, "/console/assets/console.js", "", "")
        .await;
    assert_eq!(script.status, 200);
    assert!(
        script.headers["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript"),
        "{:?}",
        script.headers["content-type"]
    );
    assert_eq!(script.headers["x-content-type-options"], "nosniff");
    assert!(
        script.text.contains("/v1/console/sign-in"),
        "the page signs in"
    );
    // Absolute URLs in the bundle are XML namespaces, Vue's error reference and the
    // placeholders of inputs, never something to fetch (the policy would refuse it anyway).
    for (at, _) in script.text.match_indices("://") {
        let url = &script.text[script.text[..at]
            .rfind(['"', '\'', '`'])
            .map_or(0, |i| i + 1)..];
        assert!(
            [
                "http://www.w3.org/",
                "https://vuejs.org/",
                "https://example.com/",
                "https://app.example.com"
            ]
            .iter()
            .any(|allowed| url.starts_with(allowed)),
            "an absolute URL in the page: {}",
            &url[..url.len().min(60)]
        );
    }
}

#[tokio::test]
async fn an_unknown_console_file_is_a_json_404() {
    let app = App::new().await;
    for path in [
        "/console/assets/nope.js",
        "/console/assets/..%2Findex.html",
        "/console/other",
    ] {
        let resp = app.raw(Method::GET, path, "", "").await;
        assert_err(&(resp.status, resp.json.clone()), 404, "not_found");
    }
}
