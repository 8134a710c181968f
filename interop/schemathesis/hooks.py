"""What the OpenAPI document cannot say, given to schemathesis's generator.

The document states every rule the server enforces on a single field (patterns, lengths,
bounds, enums, required, nullable). A few rules join two fields, depend on the key that calls,
or on what is stored; docs/API.md states them in prose. For the positive cases (those that the
document says are valid) these hooks make the generated request follow those rules too, so
that "schema-valid request rejected" means the document is wrong, not that the generator could
not know. Negative cases are left alone. Each rule names the section of docs/API.md.

scripts/api-fuzz.sh runs `serve --dev` (product demo with envs dev and prd, session type
user-session) and sets HALLPASS_FUZZ_KEY to "access" (an access key of demo/dev) or "admin".
"""

import os

import schemathesis
from schemathesis import GenerationMode

PRODUCT = "demo"
# The envs of each product the server holds: demo's from --dev, the others as the run creates
# them (see after_call).
ENVS = {PRODUCT: ("dev", "prd")}
ADMIN = os.environ.get("HALLPASS_FUZZ_KEY") == "admin"
TYPE = "user-session"
ONE_YEAR = 365 * 24 * 3600
UNIT_SECS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}


def _positive(case):
    meta = case.meta
    return meta is not None and meta.generation.mode == GenerationMode.POSITIVE


def _scope(container):
    """§2.6: an env must be one of its product's envs (the key's product when none is named).
    A product the server does not hold is 404, whatever its env."""
    if not isinstance(container, dict):
        return
    product = container.get("product")
    if product is not None and not isinstance(product, str):
        return  # an extra field of a body that has no product (any value is valid there)
    envs = ENVS.get(product or PRODUCT)
    if envs and container.get("env") is not None and container["env"] not in envs:
        container["env"] = envs[0]


def _admin_names_scope(container, env):
    """§2.6: a request with an admin key names its product, and on the session methods its
    env (other keys have them)."""
    if ADMIN and isinstance(container, dict):
        if container.get("product") is None:
            container["product"] = PRODUCT
        envs = ENVS.get(container["product"])
        if env and envs and container.get("env") is None:
            container["env"] = envs[0]


def _lifetime(body, expiry, period):
    """§2.2: `expiry` times its period is at most one year (the period may be stored; on a
    PATCH both are sent together)."""
    if body.get(expiry) is None and body.get(period) is None:
        return
    if body.get(period) is None:
        body[period] = "seconds"
    if body.get(expiry) is None:
        body[expiry] = 1
    unit = UNIT_SECS[body[period].rstrip("s")]
    body[expiry] = max(1, min(int(body[expiry]), ONE_YEAR // unit))


def _idle_timeout(body, method):
    """§12.2: an idle timeout is not shorter than the token lifetime. On create the lifetime is
    in the body; on a PATCH the stored one is unknown here, so a timeout sent alone is the
    longest, and a lifetime sent alone clears a stored timeout it could break."""
    if body.get("idleTimeout") is not None:
        if body.get("expiry") is not None and body.get("period") is not None:
            unit = UNIT_SECS[body["period"].rstrip("s")]
            body["idleTimeout"] = max(int(body["idleTimeout"]), int(body["expiry"]) * unit)
        else:
            body["idleTimeout"] = ONE_YEAR
    elif method == "PATCH" and ("expiry" in body or "period" in body):
        body["idleTimeout"] = None


def _cookie(cookie):
    """§8.1: SameSite none and the __Secure-/__Host- name prefixes need `secure`; __Host- also
    path "/" and no domain."""
    if not isinstance(cookie, dict):
        return
    name = (cookie.get("name") or "").lower()
    if cookie.get("sameSite") == "none" or name.startswith(("__secure-", "__host-")):
        cookie["secure"] = True
    if name.startswith("__host-"):
        cookie["path"] = "/"
        cookie.pop("domain", None)


def _stored_type(body, data_checked):
    """Positive session calls use the session type --dev stored, so that they reach the
    checks past the type lookup (an unknown type is 404, which negative cases and the tests
    cover). §2.3, §2.4, §12.1: the data of start and of an update then has what the type's
    example schema asks (userId and email strings; extra keys are allowed; a merge or a
    replacement then fits it too), and the selector $Session{userId} picks an identifier of 1
    to 256 characters."""
    if body.get("product") not in (None, PRODUCT):
        body["product"] = PRODUCT
    _scope(body)
    _admin_names_scope(body, env=True)
    body["tag"] = TYPE
    if data_checked and isinstance(body.get("data"), dict):
        data = dict(body["data"])
        for key, default in (("userId", "user-1"), ("email", "user@example.com")):
            value = data.get(key)
            if not isinstance(value, str) or not 1 <= len(value) <= 256:
                data[key] = default
        body["data"] = data


@schemathesis.hook
def before_call(context, case, kwargs):
    """Runs on each case as it is sent, after the stateful phase filled in values from earlier
    answers; schemathesis checks the edited case against the document again."""
    if not _positive(case):
        return
    path = case.operation.path
    method = case.method.upper()
    body = case.body if isinstance(case.body, dict) else None
    query = dict(case.query or {})
    params = dict(case.path_parameters or {})
    _scope(params)
    _scope(query)
    if body is not None:
        body = dict(body)
        _scope(body)
    if path.startswith(("/v1/sessions/", "/v1/session-types", "/v1/keys")):
        if body is not None and method in ("POST", "PATCH"):
            _admin_names_scope(body, env=path.startswith("/v1/sessions/"))
        elif method in ("GET", "DELETE") and path.startswith("/v1/session-types"):
            _admin_names_scope(query, env=False)
    if path.startswith("/v1/session-types") and body is not None:
        # §4.8: a PATCH cannot rename; a tag in its body is the path's.
        if method == "PATCH" and body.get("tag") is not None:
            body["tag"] = params.get("tag", body["tag"])
        _lifetime(body, "expiry", "period")
        _lifetime(body, "refreshExpiry", "refreshPeriod")
        _idle_timeout(body, method)
        _cookie(body.get("cookie"))
    if path == "/v1/keys" and body is not None and body.get("kind") == "publishable":
        # §9.2: a publishable key is for one env.
        envs = ENVS.get(body.get("product") or PRODUCT)
        if envs and body.get("env") is None:
            body["env"] = envs[0]
    if path.startswith("/v1/sessions/") and body is not None:
        _stored_type(
            body,
            data_checked=path
            in ("/v1/sessions/start", "/v1/sessions/update", "/v1/sessions/update-all"),
        )
    if path == "/v1/sessions/list" and body is not None:
        # §4.7: a cursor is one the server issued for the previous page.
        body.pop("cursor", None)
    if path.startswith("/v1/webhooks"):
        if path == "/v1/webhooks":
            _admin_names_scope(query if method == "GET" else body, env=False)
        if body is not None and isinstance(body.get("url"), str):
            # §14.3: an endpoint is https:// to a host outside the server's network (the
            # fuzzed server runs without --allow-private-webhooks); the document can only
            # say "a URL".
            body["url"] = "https://hooks.example.com/fuzz"
    if path == "/v1/events":
        # §14.2: a cursor is one the server issued for the previous page.
        query.pop("cursor", None)
    case.path_parameters = params
    case.query = query
    if body is not None:
        case.body = body


@schemathesis.hook
def after_call(context, case, response):
    """Learns the envs of each product the run creates."""
    if case.operation.path == "/v1/products" and case.method.upper() == "POST":
        if response.status_code == 201:
            product = response.json()
            ENVS[product["tag"]] = tuple(product["envs"])


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """§14.3: a product has at most 32 webhook endpoints, so creating more is refused.
    §2.3, §2.4, §12.1: start and the updates check the data against the stored session
    type's schema (an update, the data merged into what the session holds), and start picks
    the identifier with its selector; no document of the API can state those, so a call refused
    for exactly that (and nothing else) is not a document error."""
    if case.operation.path == "/v1/webhooks" and response.status_code == 422:
        # §14.3: a product has at most 32 endpoints; a long run creates more.
        return "the most it may have" not in response.text
    checked = ("/v1/sessions/start", "/v1/sessions/update", "/v1/sessions/update-all")
    if case.operation.path in checked and response.status_code == 422:
        try:
            code = response.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            return True
        return code not in ("schema_violation", "selector_unresolved")
    return True
