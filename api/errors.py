"""One error shape for the whole API, made by one handler from typed exceptions.

Every refusal is an `ApiError` carrying its status, a short title, the detail and the
offending parameter, built by one named constructor per kind. The handler answers
`application/problem+json` (RFC 9457): `{"status", "title", "detail", "parameter"}`.
"""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"


class ApiError(Exception):
    """A client's request the server refuses, with the HTTP status that says why."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        parameter: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.parameter = parameter
        self.headers = headers or {}

    def body(self) -> dict[str, object]:
        body: dict[str, object] = {"status": self.status, "title": self.title, "detail": self.detail}
        if self.parameter is not None:
            body["parameter"] = self.parameter
        return body


def bad_request(detail: str, *, parameter: str | None = None) -> ApiError:
    return ApiError(400, "Bad Request", detail, parameter=parameter)


def unauthorised(detail: str = "writes need `Authorization: Bearer <token>`") -> ApiError:
    return ApiError(401, "Unauthorized", detail, headers={"WWW-Authenticate": 'Bearer realm="jalinan"'})


def forbidden(detail: str) -> ApiError:
    return ApiError(403, "Forbidden", detail)


def not_found(detail: str, *, parameter: str | None = None) -> ApiError:
    return ApiError(404, "Not Found", detail, parameter=parameter)


def method_not_allowed(method: str, allowed: list[str], reason: str = "") -> ApiError:
    return ApiError(
        405,
        "Method Not Allowed",
        f"{method} is not allowed here{': ' + reason if reason else ''}; use {', '.join(allowed)}",
        headers={"Allow": ", ".join(allowed)},
    )


def not_acceptable(detail: str, *, parameter: str | None = None) -> ApiError:
    return ApiError(406, "Not Acceptable", detail, parameter=parameter)


def conflict(detail: str, *, parameter: str | None = None) -> ApiError:
    """409: the request contradicts the data as it is (`CREATE GRAPH` of a graph that exists)."""
    return ApiError(409, "Conflict", detail, parameter=parameter)


def precondition_failed(detail: str) -> ApiError:
    """412: a precondition (`If-None-Match` on a POST query) is false (RFC 9110 §13.1.2)."""
    return ApiError(412, "Precondition Failed", detail)


def unsupported_media_type(detail: str) -> ApiError:
    return ApiError(415, "Unsupported Media Type", detail)


def unprocessable(detail: str, *, parameter: str | None = None) -> ApiError:
    return ApiError(422, "Unprocessable Content", detail, parameter=parameter)


def content_too_large(detail: str, *, parameter: str | None = None) -> ApiError:
    return ApiError(413, "Content Too Large", detail, parameter=parameter)


def too_many_requests(detail: str, retry_after: int) -> ApiError:
    return ApiError(429, "Too Many Requests", detail, headers={"Retry-After": str(retry_after)})


def service_unavailable(title: str, detail: str, *, retry_after: int | None = None) -> ApiError:
    """503: the server stopped a query at a limit (time, result size) or cannot serve it now."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return ApiError(503, title, detail, headers=headers)


_PROBLEM_SCHEMA = {
    "type": "object",
    "title": "Problem",
    "required": ["status", "title", "detail"],
    "properties": {
        "status": {"type": "integer"},
        "title": {"type": "string"},
        "detail": {"type": "string"},
        "parameter": {"type": "string"},
    },
}
_ERROR_STATUSES = {
    400: "bad syntax, repeated or conflicting parameters, undecodable body, SERVICE not allowed",
    401: "a write without a bearer token",
    403: "a write with a wrong token, writes disabled, or an update sent to a read replica",
    404: "unknown canned query, entity, graph or route; an update dropping or clearing a missing graph",
    405: "method not allowed here (a Graph Store write on a read replica)",
    406: "no acceptable format",
    409: "an update creates a graph that already exists (without SILENT)",
    412: "If-None-Match names the current answer of a POST query (a GET gets 304)",
    413: "request body or query past its limit",
    415: "unsupported media type or charset",
    422: "missing, unknown, repeated or invalid parameter",
    429: "too many queries waiting; see Retry-After",
    503: "query stopped at its time limit, or result past its size limit",
}


def error_responses() -> dict[int | str, dict[str, Any]]:
    """Every refusal, declared once for the OpenAPI schema (the shape is the same for all)."""
    return {
        status: {"description": why, "content": {PROBLEM_JSON: {"schema": _PROBLEM_SCHEMA}}}
        for status, why in _ERROR_STATUSES.items()
    }


def problem_response(error: ApiError) -> JSONResponse:
    return JSONResponse(
        error.body(),
        status_code=error.status,
        headers=error.headers,
        media_type=PROBLEM_JSON,
    )


async def answer_error(request: Request, error: ApiError) -> Response:
    """problem+json, unless the app has an error page (`app.state.error_page`, the explorer's)
    that answers this request: it does for browsers only, so programs keep this one shape."""
    page = getattr(request.app.state, "error_page", None)
    if page is not None:
        response = await page(request, error)
        if response is not None:
            return response
    return problem_response(error)


def install_error_handlers(app: FastAPI) -> None:
    """Route every refusal (ours, FastAPI's validation, Starlette's 404/405) to one shape."""

    async def on_api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return await answer_error(request, exc)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        titles = {404: "Not Found", 405: "Method Not Allowed"}
        error = ApiError(
            exc.status_code,
            titles.get(exc.status_code, "Error"),
            str(exc.detail),
            headers=dict(exc.headers or {}),
        )
        return await answer_error(request, error)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {}
        location = [str(part) for part in first.get("loc", [])]
        parameter = location[-1] if location else None
        error = unprocessable(str(first.get("msg", "invalid request")), parameter=parameter)
        return await answer_error(request, error)

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
