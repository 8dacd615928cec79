"""corpuslint: a data-quality linter for ingested news corpora."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("corpuslint")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+source"
