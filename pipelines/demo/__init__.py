"""The bundled sample portfolio (`pmo demo`): a deterministic generator of realistic PMO input files.

`generate(out_dir)` writes the files and returns them in load order; `STORIES` names the projects (and the
team) behind the stories the dashboard should make obvious. See pipelines/demo/generate.py.

Note: the package attribute `generate` is the function; the module is `pipelines.demo.generate` in sys.modules.
"""

from pipelines.demo.generate import (
    BAD_EXPORT_IMPACT,
    BAD_EXPORT_PROJECT,
    BAD_EXPORT_ROWS,
    SEED,
    STALE,
    STORIES,
    STORY_NOTES,
    STORY_RISK,
    TODAY,
    generate,
)

__all__ = ["BAD_EXPORT_IMPACT", "BAD_EXPORT_PROJECT", "BAD_EXPORT_ROWS", "SEED", "STALE", "STORIES", "STORY_NOTES",
           "STORY_RISK", "TODAY", "generate"]
