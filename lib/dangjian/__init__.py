"""dangjian: parse, extract and compare Chinese party-building brand reports (党建品牌创建)."""
from .config import VERSION as __version__  # noqa: E402

from .corpus import Corpus  # noqa: E402
from .load import build_corpus, load_corpus, write_corpus  # noqa: E402
from .ingest.reading import ReadError, read_report  # noqa: E402
from .stats.textstats import kwic  # noqa: E402
from .stats.tokens import tokenize  # noqa: E402

__all__ = ["Corpus", "ReadError", "build_corpus", "kwic", "load_corpus", "read_report", "tokenize", "write_corpus",
           "__version__"]
