"""Request bodies sent with `Transfer-Encoding: chunked`, which carry no Content-Length.

Django reads a body only as far as CONTENT_LENGTH says, so it would take a chunked body for an
empty one: a POST would be refused for "missing" fields, and a body of any size ignored. This
middleware reads such a body itself, at most DATA_UPLOAD_MAX_MEMORY_SIZE (1 MiB) of it: a longer
one is 413 request_too_large, as with a Content-Length; a shorter one is handed on with its
length, so Django and DRF parse it as usual.

Only when the server says the input ends with the body (`wsgi.input_terminated`, which gunicorn
sets after decoding the chunks): Django's development server (`make dev`) does not decode chunked
bodies, so there they stay empty, as Django leaves them.

It sits after SecurityMiddleware and CorsMiddleware: a plain-HTTP request is redirected before
its body is read, and the 413 carries the same headers as any other answer.
"""

from io import BytesIO

from django.conf import settings

from .exceptions import RequestTooLarge, error_response

CHUNK = 64 * 1024


class ChunkedBodyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_chunked(request.META):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            stream = request.META["wsgi.input"]
            body = read(stream, limit + 1)
            if len(body) > limit:
                # Drop what follows (up to the limit again), so that a client still sending reads
                # the 413 rather than a connection reset by the server closing on unread data.
                drain(stream, limit)
                return error_response(RequestTooLarge())
            request.META["CONTENT_LENGTH"] = str(len(body))
            # The stream Django reads the body from; HttpRequest.body swaps in a BytesIO the same
            # way once it has read a body.
            request._stream = BytesIO(body)
        return self.get_response(request)


def is_chunked(meta) -> bool:
    codings = meta.get("HTTP_TRANSFER_ENCODING", "").lower().split(",")
    return (
        codings[-1].strip() == "chunked"
        and not meta.get("CONTENT_LENGTH")
        and bool(meta.get("wsgi.input_terminated"))
    )


def read(stream, size: int) -> bytes:
    """Up to `size` bytes, fewer only at the end of the body."""
    parts, left = [], size
    while left > 0 and (part := stream.read(min(left, CHUNK))):
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def drain(stream, size: int) -> None:
    """Read and drop up to `size` bytes, a chunk at a time."""
    while size > 0 and (part := stream.read(min(size, CHUNK))):
        size -= len(part)
