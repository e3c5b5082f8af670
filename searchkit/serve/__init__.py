"""``searchkit serve``: a JSON API and a search page over one index (``pip install 'searchkit[serve]'``).

    >>> from searchkit import open_index
    >>> from searchkit.serve import create_app
    >>> app = create_app(open_index("index"))   # any ASGI server runs it; `searchkit serve` uses uvicorn
"""

from searchkit.serve.app import create_app

__all__ = ["create_app"]
