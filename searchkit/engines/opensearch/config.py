"""What a generation folder of the OpenSearch engine holds, and where its connection comes from.

The data lives on the cluster; the generation folder keeps only ``opensearch.json``: the cluster's URL
or URLs (comma-separated, one per node the client may talk to; never with credentials), whether the
client discovers the cluster's other nodes, the alias users search (the index name), the physical
index behind it for this generation, its shard and replica counts, and a commit counter: this host's
copy of the alias's counter in the cluster (``lease.py``), written after every commit made here and
when a writer here takes the lease. It is the commit token, read without the network or the client
library, so a no-change ``searchkit index`` costs a small file read; readers also ask the cluster, to
see commits made on other hosts.

Credentials come from the environment only, are kept in memory and are never written or printed:
``SEARCHKIT_OPENSEARCH_USER`` and ``SEARCHKIT_OPENSEARCH_PASSWORD``, or ``SEARCHKIT_OPENSEARCH_API_KEY``.
TLS certificates are verified unless ``SEARCHKIT_OPENSEARCH_INSECURE=1``; ``SEARCHKIT_OPENSEARCH_CA_CERTS``
names a CA bundle.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import urllib.parse
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Mapping, Optional

from searchkit.engines import files
from searchkit.errors import IndexCorruptError, InvalidOptionError

CONFIG_FILE = "opensearch.json"
URL_VARIABLE = "SEARCHKIT_OPENSEARCH_URL"
USER_VARIABLE = "SEARCHKIT_OPENSEARCH_USER"
PASSWORD_VARIABLE = "SEARCHKIT_OPENSEARCH_PASSWORD"
API_KEY_VARIABLE = "SEARCHKIT_OPENSEARCH_API_KEY"
INSECURE_VARIABLE = "SEARCHKIT_OPENSEARCH_INSECURE"
CA_CERTS_VARIABLE = "SEARCHKIT_OPENSEARCH_CA_CERTS"
SHARDS_VARIABLE = "SEARCHKIT_OPENSEARCH_SHARDS"
REPLICAS_VARIABLE = "SEARCHKIT_OPENSEARCH_REPLICAS"
DISCOVER_VARIABLE = "SEARCHKIT_OPENSEARCH_DISCOVER"
DEFAULT_SHARDS = 2
DEFAULT_REPLICAS = 1
#: The engine options a new index takes (``open_index(..., engine_options=...)``, ``--url``,
#: ``--index-name``).
OPTIONS = ("url", "index_name", "shards", "replicas", "discover")
#: The hidden index of the cluster holding each alias's writer lease and commit counter (lease.py).
STATE_INDEX = "searchkit-state"
#: The hidden index of the cluster holding each alias's saved searches and their matches (alerts.py).
ALERTS_INDEX = "searchkit-alerts"
_INDEX_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,199}\Z")


@dataclass(frozen=True)
class Location:
    """Where one generation's data is: cluster (``url``: one or more comma-separated node URLs), alias,
    physical index; its commit counter; whether the client discovers the cluster's other nodes; whether
    this folder only follows an index another host writes."""

    url: str
    alias: str
    index: str
    shards: int
    replicas: int
    commits: int = 0
    discover: bool = False
    #: A follower's record: the index is another host's, read here, never written.
    follows: bool = False


@dataclass(frozen=True)
class Credentials:
    """How to authenticate and verify TLS, read from the environment (never stored)."""

    user: Optional[str] = None
    password: Optional[str] = None
    api_key: Optional[str] = None
    verify_certs: bool = True
    ca_certs: Optional[str] = None

    @classmethod
    def from_environment(cls) -> "Credentials":
        env = os.environ
        return cls(user=env.get(USER_VARIABLE) or None, password=env.get(PASSWORD_VARIABLE) or None,
                   api_key=env.get(API_KEY_VARIABLE) or None,
                   verify_certs=env.get(INSECURE_VARIABLE, "").strip().lower() not in ("1", "true", "yes"),
                   ca_certs=env.get(CA_CERTS_VARIABLE) or None)

    def __repr__(self) -> str:  # never show a secret, even in a traceback's locals
        return f"Credentials(user={self.user!r}, password={'***' if self.password else None}, " \
               f"api_key={'***' if self.api_key else None}, verify_certs={self.verify_certs})"


def read(folder: Path) -> Optional[Location]:
    """The generation's location, or ``None`` when it has none (not created yet)."""
    data = files.read_json(folder / CONFIG_FILE)
    if data is None:
        return None
    try:
        return Location(**data)
    except TypeError as error:
        raise IndexCorruptError(folder, f"{CONFIG_FILE} is damaged ({error})") from error


def require(folder: Path) -> Location:
    location = read(folder)
    if location is None:
        raise IndexCorruptError(folder, f"{CONFIG_FILE} is missing: no OpenSearch index was created here")
    return location


def write(folder: Path, location: Location) -> None:
    files.write_atomically(folder / CONFIG_FILE, json.dumps(asdict(location), indent=2).encode("utf-8"))


def commit_token(folder: Path) -> str:
    """The physical index and its commit count, "" before the index was created; no network."""
    try:
        data = json.loads((folder / CONFIG_FILE).read_bytes())
        return f"{data['index']}#{int(data['commits'])}"
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def check_url(url: str) -> str:
    """``url`` without a trailing slash; refused with credentials in it (they would be recorded)."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidOptionError(f"not an http(s) URL of an OpenSearch cluster: {shown_url(url)!r}")
    if parts.username or parts.password:
        raise InvalidOptionError(
            f"put credentials in {USER_VARIABLE} and {PASSWORD_VARIABLE} (or {API_KEY_VARIABLE}), not in the "
            f"URL, which is recorded in the index folder: {shown_url(url)}")
    try:
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        raise InvalidOptionError(f"not a valid port in the URL {shown_url(url)!r}") from None
    return urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/")))


def check_urls(text: str) -> str:
    """One or more comma-separated node URLs, each checked (:func:`check_url`) and without duplicates,
    joined by commas; an entry that is not a URL is named with its place in the list."""
    entries = text.split(",")
    checked: list[str] = []
    for place, entry in enumerate(entries, start=1):
        if len(entries) > 1:
            if not entry.strip():
                raise InvalidOptionError(f"URL {place} of {len(entries)} in {shown_urls(text)!r} is empty")
            try:
                url = check_url(entry)
            except InvalidOptionError as error:
                raise InvalidOptionError(f"URL {place} of {len(entries)} in the list: {error}") from None
        else:
            url = check_url(entry)
        if url not in checked:
            checked.append(url)
    return ",".join(checked)


def split_urls(text: str) -> list[str]:
    """The node URLs of a recorded ``url`` (already checked)."""
    return [url for url in text.split(",") if url]


def shown_urls(text: str) -> str:
    """A comma-separated list of URLs with any user and password removed."""
    return ",".join(shown_url(url) for url in text.split(","))


def shown_url(url: str) -> str:
    """``url`` with any user and password removed, fit to print."""
    try:
        parts = urllib.parse.urlsplit(url)
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        return "<unreadable URL>"


def new_location(folder: Path, options: Mapping[str, str]) -> Location:
    """Where a new generation in ``folder`` goes: the options given, else the live generation's cluster
    and alias in the same index folder (a rebuild keeps them), else ``SEARCHKIT_OPENSEARCH_URL`` and an
    alias named after the index folder."""
    url, alias, live = _target(folder.parent, options)
    shards = _count(options.get("shards"), live.shards if live else None, SHARDS_VARIABLE, DEFAULT_SHARDS, 1)
    replicas = _count(options.get("replicas"), live.replicas if live else None, REPLICAS_VARIABLE,
                      DEFAULT_REPLICAS, 0)
    discover = _flag(options.get("discover"), live.discover if live else None, DISCOVER_VARIABLE)
    physical = f"{alias}-{folder.name}-{secrets.token_hex(4)}"
    return Location(url=url, alias=alias, index=physical, shards=shards, replicas=replicas,
                    discover=discover)


def target(index_dir: Path, options: Mapping[str, str]) -> tuple[str, str, bool]:
    """The cluster URL(s), the alias and whether to discover nodes, for the writes of ``index_dir``:
    as :func:`new_location` chooses them."""
    url, alias, live = _target(index_dir, options)
    return url, alias, _flag(options.get("discover"), live.discover if live else None, DISCOVER_VARIABLE)


def _target(index_dir: Path, options: Mapping[str, str]) -> tuple[str, str, Optional[Location]]:
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise InvalidOptionError(f"the opensearch engine takes no option {sorted(unknown)[0]!r}; "
                                 f"it takes {', '.join(OPTIONS)}")
    live = live_location(index_dir)
    url = options.get("url") or (live.url if live else None) or os.environ.get(URL_VARIABLE)
    if not url:
        raise InvalidOptionError(f"the opensearch engine needs a cluster URL: --url or {URL_VARIABLE}")
    alias = options.get("index_name") or (live.alias if live else None) or default_alias(index_dir)
    if not _INDEX_NAME.match(alias) or alias in (".", ".."):
        raise InvalidOptionError(f"invalid index name {alias!r}: lower-case letters, digits, '.', '_' "
                                 "and '-', starting with a letter or digit, at most 200 characters")
    if alias in (STATE_INDEX, ALERTS_INDEX):
        kind = "state" if alias == STATE_INDEX else "alerts"
        raise InvalidOptionError(f"the index name {alias!r} is searchkit's {kind} index on the cluster; "
                                 "choose another --index-name")
    return check_urls(url), alias, live


def default_alias(index_dir: Path) -> str:
    """``searchkit-<digest of the index folder's path>``: two index folders never share an alias."""
    digest = hashlib.blake2b(str(index_dir.resolve()).encode("utf-8", "surrogateescape"),
                             digest_size=5).hexdigest()
    return f"searchkit-{digest}"


def live_folder(index_dir: Path) -> Optional[Path]:
    """The live generation's folder in ``index_dir`` (``None`` before the first)."""
    name = files.current_generation(index_dir)
    return index_dir / name if name is not None else None


def live_location(index_dir: Path) -> Optional[Location]:
    """The live generation's location in ``index_dir``, ``None`` when there is none (or it is damaged)."""
    name = files.current_generation(index_dir)
    if name is None:
        return None
    try:
        return read(index_dir / name)
    except IndexCorruptError:
        return None


def _count(given: Optional[str], live: Optional[int], variable: str, default: int, least: int) -> int:
    text = given if given is not None else os.environ.get(variable)
    if text is None or text == "":
        return live if live is not None else default
    try:
        value = int(text)
    except ValueError:
        value = least - 1
    if value < least:
        raise InvalidOptionError(f"{variable.rsplit('_', 1)[-1].lower()} must be a whole number >= {least}, "
                                 f"not {text!r}")
    return value


def _flag(given: Optional[str], live: Optional[bool], variable: str) -> bool:
    text = given if given is not None else os.environ.get(variable)
    if text is None or text.strip() == "":
        return bool(live)
    value = text.strip().lower()
    if value not in ("1", "true", "yes", "0", "false", "no"):
        raise InvalidOptionError(f"{variable.rsplit('_', 1)[-1].lower()} must be true or false, not {text!r}")
    return value in ("1", "true", "yes")
