"""DATABASE_URL as hosting platforms hand it out, turned into SQLAlchemy's async driver URL."""

from sqlalchemy.engine import URL, make_url


def async_driver_url(database_url: str) -> URL:
    """postgres:// or postgresql://…?sslmode=… becomes postgresql+asyncpg://…?ssl=…;
    sqlite:///… becomes sqlite+aiosqlite:///…; a URL naming its driver is kept."""
    url = make_url(database_url)
    if url.drivername in {"postgres", "postgresql", "postgresql+psycopg2"}:
        url = url.set(drivername="postgresql+asyncpg")
        if "sslmode" in url.query:  # asyncpg spells libpq's sslmode as ssl
            query = dict(url.query)
            query["ssl"] = query.pop("sslmode")
            url = url.set(query=query)
    elif url.drivername == "sqlite":
        url = url.set(drivername="sqlite+aiosqlite")
    return url
