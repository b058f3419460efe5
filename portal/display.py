"""适老化 display modes of the public pages: each a cookie the server reads (no JavaScript), all combinable.

A mode adds a class to <html>; static/css/site.css does the rest. The switches sit at the top of every
page, the first links after the skip link, so a keyboard reaches them at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from disclosure.core import addresses


@dataclass(frozen=True)
class Mode:
    key: str  # in the switch's URL
    cookie: str
    css_class: str
    label: str


MODES = (
    Mode("large", "large_text", "large-text", "大字模式"),
    Mode("contrast", "display_contrast", "high-contrast", "高对比度"),
    Mode("spacing", "display_spacing", "wide-spacing", "加宽行距"),
    Mode("targets", "display_targets", "large-targets", "大按钮"),
)
BY_KEY = {mode.key: mode for mode in MODES}


def active_modes(request) -> list[Mode]:
    return [mode for mode in MODES if request.COOKIES.get(mode.cookie) == "1"]


def switches(request, active: list[Mode]) -> list[dict]:
    """One link per mode that turns it on or off and comes back to this page."""
    here = request.get_full_path()
    url = addresses.address("display_mode")
    return [
        {
            "label": mode.label,
            "on": mode in active,
            # The path as the template filter urlencode writes it (slashes kept), like every link back.
            "url": f"{url}?mode={mode.key}&on={'0' if mode in active else '1'}&next={quote(here, safe='/')}",
        }
        for mode in MODES
    ]
