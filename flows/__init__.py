"""newsflow: news articles in, validated and versioned Delta Lake tables out."""

import os

__version__ = "0.1.0"

# Arrow (mimalloc) and Delta Lake (jemalloc) keep freed memory for reuse, so a long run's resident
# size only grew: one MERGE of a 26 MB table kept ~250 MB. Both read these before they load, so they
# are set here, before any module imports them; a value the user set wins.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")
