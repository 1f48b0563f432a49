"""The one SPARQL 1.1 protocol client: queries and updates over HTTP, with httpx.

Everything kg sends with the SPARQL protocol goes through :class:`SparqlClient`:
``kg query --endpoint`` and the counts, DROPs and INSERT DATA batches of
``kg load`` and ``kg drop``. The Graph Store Protocol (PUT/POST/DELETE of whole
graphs) is another protocol, spoken in kg/stores/remote.py; it sends with
:func:`send` too, so both share the timeout, credentials, retries and messages.

- **Timeout**: seconds, fractions included, for the connection and for each
  read and write of a request; it must be more than 0.
- **Credentials**: ``--user``/``--password``/``--token`` (or KG_USER,
  KG_PASSWORD, KG_TOKEN), else a ``user:password@`` part of the URL: Basic,
  Digest or Bearer. Requests go to the URL without that part, and no message
  shows it (every message names URLs through ``safe_url``).
- **Retries**: reads (queries, counts, a HEAD, a DELETE or PUT of a whole graph)
  are safe to repeat and are tried up to :data:`RETRIES` times after a
  connection error, a timeout or a 5xx answer; an update or a POST that may
  have been applied is never sent again.
- **Errors**: one translation (:func:`unreachable`, :func:`timed_out`,
  :func:`http_error`) gives every command the same one-line message for the same
  failure. A 413 (or Virtuoso's SP030 "memory exhausted") is :class:`TooLarge`
  (the store applied nothing: a load splits the batch); a failure that may pass
  (a cut connection, a 5xx) is :class:`Unavailable`; a query the store rejects
  as malformed (400) is :class:`Rejected`.
- **Which graph**: a user's query sees the union of the named graphs where the
  store needs asking: Oxigraph with its ``union-default-graph`` parameter, Fuseki
  with ``urn:x-arq:UnionGraph`` as the default graph; GraphDB, Virtuoso and
  QLever query the union already (docs/loading.md).

Why httpx and not SPARQLWrapper (which kg used for ``kg query`` before): measured
with the authenticating proxy of tests/servers.py, SPARQLWrapper's Digest only
answers a challenge whose realm is the one given to ``setCredentials`` (default
"SPARQL"; urllib's HTTPPasswordMgr has no default realm), so ``kg load --auth
digest`` failed with HTTP 401 on its first count at a realm "kg-test", where httpx
answers any realm; it also installs a process-wide urllib opener for Digest,
sends no Basic credentials when the password is empty, and keeps the store's
answer to an error only inside its exception's text. With httpx the SPARQL
protocol and the Graph Store Protocol share one HTTP stack, connection pool and
authentication.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from kg.errors import InputError, StoreError, UsageError
from kg.stores.endpoints import Auth, Endpoints, safe_url, without_credentials

RETRIES = 3
T = TypeVar("T")


# -- one translation of failures into one-line errors ---------------------------------------
class TooLarge(StoreError):
    """The store refused a request as too large (HTTP 413, or Virtuoso's SP030 "memory
    exhausted" as HTTP 400 or 500): nothing of it was applied."""


class Unavailable(StoreError):
    """The store could not be reached or failed (a cut connection, a 5xx answer): the same
    request may succeed later, where a refusal (a 4xx) will not."""


class Rejected(InputError):
    """The store rejected a query as malformed (HTTP 400)."""


def unreachable(what: str, error: BaseException) -> StoreError:
    """The store cannot be reached (refused, reset or cut connection, unknown host)."""
    text = str(getattr(error, "reason", None) or error) or type(error).__name__
    why = "connection refused" if "refused" in text.lower() else text.split("\n")[0][:120]
    return Unavailable(
        f"{what}: cannot reach the store ({why})",
        hint="is the server running, and is the URL right?",
    )


def timed_out(what: str, timeout: float) -> StoreError:
    """No answer within the timeout."""
    return StoreError(
        f"{what}: no answer within {timeout:g} s",
        hint="raise --timeout, or ask for less (a smaller --batch-size, a narrower query)",
    )


def too_large(status: int, body: str) -> bool:
    """Whether the store refused a request as too large: HTTP 413, or Virtuoso's SPARQL
    parser running out of room (``SP030: SPARQL compiler, line 4991: memory exhausted``,
    as HTTP 400 or 500; SP030 alone is any syntax error)."""
    return status == 413 or (
        status in (400, 500) and "SP030" in body and "memory exhausted" in body
    )


def http_error(what: str, status: int, body: str) -> StoreError:
    """An HTTP error status from the store, with the start of what it said."""
    if status in (401, 403):
        return StoreError(
            f"{what}: the store refused the credentials (HTTP {status})",
            hint="check --user/--password, --token or --auth (digest, basic, bearer)"
            + (
                "; a user may read but not write without the store's update right "
                '(Virtuoso: GRANT SPARQL_UPDATE TO "user"; in isql)'
                if status == 403
                else ""
            ),
        )
    if status == 404:
        return StoreError(
            f"{what}: no SPARQL endpoint at this URL (HTTP 404)",
            hint="give the query endpoint, e.g. http://host:7878/query (or --update, --gsp URL)",
        )
    text = " ".join(body.split())[:200]
    if too_large(status, body):
        said = "" if status == 413 else f": {text}"
        return TooLarge(f"{what}: the store refuses the request as too large (HTTP {status}){said}")
    if status >= 500 and status != 501:
        return Unavailable(f"{what}: HTTP {status} from the store: {text}")
    return StoreError(f"{what}: HTTP {status} from the store: {text}")


class _Transient(Exception):
    """A failure worth trying again, if the request is safe to repeat; ``error`` says it."""

    def __init__(self, error: StoreError) -> None:
        super().__init__(error.message)
        self.error = error


def _with_retries(once: Callable[[], T], *, retry: bool) -> T:
    """``once()``, tried up to RETRIES times while it fails with a :class:`_Transient`
    (if ``retry``: a request that is safe to repeat), else once.

    :raises StoreError: the error of the last attempt.
    """
    attempts = RETRIES if retry else 1
    for attempt in range(1, attempts + 1):
        try:
            return once()
        except _Transient as e:
            if attempt == attempts:
                raise e.error from None
            time.sleep(0.5 * attempt)
    raise AssertionError("unreachable")


# -- sending -------------------------------------------------------------------------------
def http_client(auth: Auth, timeout: float) -> httpx.Client:
    """An httpx client with the credentials and the timeout (more than 0 seconds).

    :raises UsageError: if the timeout is not more than 0.
    """
    if not timeout > 0:
        raise UsageError(f"the timeout must be more than 0 seconds, not {timeout:g}")
    return httpx.Client(
        timeout=httpx.Timeout(timeout),
        auth=auth.httpx(),
        headers=auth.headers(),
        follow_redirects=True,
    )


def send(
    client: httpx.Client, method: str, url: str, what: str, *, retry: bool, **kw: Any
) -> httpx.Response:
    """A request, retried if ``retry`` after a timeout, a connection error or a 5xx answer.

    Connection errors and timeouts name the request (``POST http://host/path``),
    HTTP errors ``what``. Other statuses than 5xx are returned for the caller to judge
    (501, Not Implemented, too: it will not change).

    :raises StoreError: the translated failure of the last attempt.
    """
    sent = f"{method} {safe_url(url)}"
    seconds = client.timeout.read or 0.0

    def once() -> httpx.Response:
        try:
            response = client.request(method, without_credentials(url), **kw)
        except httpx.TimeoutException:
            raise _Transient(timed_out(sent, seconds)) from None
        except httpx.TransportError as e:
            raise _Transient(unreachable(sent, e)) from None
        if response.status_code >= 500 and response.status_code != 501:
            error = http_error(what, response.status_code, response.text)
            if isinstance(error, TooLarge):  # it will be too large again
                raise error
            raise _Transient(error)
        return response

    return _with_retries(once, retry=retry)


def check(response: httpx.Response, what: str) -> None:
    """:raises StoreError: (or :class:`TooLarge`) if the response is an error status."""
    if response.status_code >= 300:
        raise http_error(what, response.status_code, response.text)


# -- the client ------------------------------------------------------------------------------
_ACCEPT = {"graph": "text/turtle", "results": "application/sparql-results+json"}


class SparqlClient:
    """Queries and updates at a store's SPARQL endpoints (the rules of the module docstring)."""

    def __init__(
        self,
        endpoints: Endpoints,
        auth: Auth | None = None,
        *,
        timeout: float = 60.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.endpoints = endpoints
        self.auth = (auth or Auth()).for_url(endpoints.query)
        self.client = client or http_client(self.auth, timeout)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> SparqlClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def query(self, text: str, form: str, *, union: bool = True) -> Any:
        """Run a query (retried): SPARQL JSON results (a dict) for SELECT and ASK, Turtle
        (bytes) for CONSTRUCT and DESCRIBE. ``union``: over the union of the named graphs.

        :raises Rejected: if the store rejects the query as malformed.
        :raises StoreError: if it cannot be reached, refuses, times out or fails.
        """
        url = self.endpoints.query
        where = safe_url(url)
        data = {"query": text}
        if union and self.endpoints.store_type == "oxigraph":
            data["union-default-graph"] = ""
        elif union and self.endpoints.store_type == "fuseki":
            data["default-graph-uri"] = "urn:x-arq:UnionGraph"
        graph = form in ("CONSTRUCT", "DESCRIBE")
        accept = _ACCEPT["graph" if graph else "results"]
        response = send(
            self.client, "POST", url, where, retry=True, data=data, headers={"Accept": accept}
        )
        if response.status_code == 400:
            body = " ".join(response.text.split())[:300]
            raise Rejected(f"the endpoint rejected the query: {body}")
        check(response, where)
        if graph:
            return response.content
        try:
            doc = response.json()
        except ValueError as e:
            raise StoreError(f"{where}: not SPARQL JSON results ({e})") from None
        if not isinstance(doc, dict):
            raise StoreError(f"{where}: not SPARQL JSON results")
        return doc

    def select(self, text: str) -> list[dict[str, str]]:
        """The rows of a SELECT over the store's own dataset, as plain values (retried)."""
        doc = self.query(text, "SELECT", union=False)
        try:
            bindings = doc["results"]["bindings"]
            return [{k: v["value"] for k, v in b.items()} for b in bindings]
        except (KeyError, TypeError) as e:
            where = safe_url(self.endpoints.query)
            raise StoreError(f"{where}: not SPARQL JSON results ({e})") from None

    def update(self, text: str, *, what: str) -> None:
        """Send an update, once (it may have been applied: it is never sent again).

        :raises TooLarge: if the store refuses it as too large (nothing was applied).
        :raises StoreError: if it fails; HTTP errors start with ``what``.
        """
        if self.endpoints.update is None:
            raise StoreError("this store has no SPARQL update endpoint", hint="give --update URL")
        response = send(
            self.client,
            "POST",
            self.endpoints.update,
            what,
            retry=False,
            content=text.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update"},
        )
        check(response, what)
