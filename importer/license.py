"""The CC-license tagger: attribution template, edit summary, license check.

Every article carries the attribution its profile defines (the target wiki's
template, with the source volume and pages, the license and a note that the
text was adapted); every edit summary names source and license. A profile
without license evidence does not render at all: `require_license` raises
before anything is written.
"""
from __future__ import annotations

from .errors import ProfileError
from .profile import Profile

# Characters that would break out of a template parameter.
_PARAM_ESCAPES = {"|": "&#124;", "{": "&#123;", "}": "&#125;", "[": "&#91;", "]": "&#93;",
                  "<": "&lt;", ">": "&gt;", "\n": " "}


def require_license(profile: Profile) -> None:
    """Raises ProfileError unless the profile's license can be used on Wikipedia."""
    if profile.license_error:
        raise ProfileError(f"profile {profile.path}: {profile.license_error}; "
                           "no article is rendered without license evidence")


def format_pages(pages: list) -> str:
    """[17, 18] -> "17–18"; [17] -> "17"; printed numbers that are not numbers as they are."""
    if not pages:
        return ""
    try:
        numbers = [int(p) for p in pages]
    except (TypeError, ValueError):
        return ", ".join(str(p) for p in pages)
    low, high = min(numbers), max(numbers)
    return str(low) if low == high else f"{low}–{high}"


def fields(profile: Profile, volume: int, pages: list, title: str = "") -> dict[str, str]:
    """The values of the placeholders in attribution params and summary patterns."""
    return {
        "volume": str(volume),
        "pages": format_pages(pages),
        "title": title,
        "license": profile.license_label,
        "license_url": profile.get("license", "url"),
        "work": profile.get("license", "source_work"),
        "years": profile.get("license", "years"),
        "publisher": profile.get("license", "publisher"),
        "source_url": profile.get("license", "source_url"),
        "ticket": profile.get("license", "ticket"),
        "note": profile.get("license", "adapted_note"),
    }


def _param(value: str) -> str:
    return "".join(_PARAM_ESCAPES.get(c, c) for c in value).strip()


def attribution(profile: Profile, volume: int, pages: list, title: str = "") -> str:
    """The attribution template: {{ҚҰЭ|том=1|бет=17–18|...}}."""
    values = fields(profile, volume, pages, title)
    parts = [profile.get("attribution", "template")]
    for name, pattern in profile.get("attribution", "params").items():
        value = _param(pattern.format(**values))
        if value:
            parts.append(f"{name}={value}" if name.strip() else value)
    return "{{" + "|".join(parts) + "}}"


def source_section(profile: Profile, volume: int, pages: list, title: str = "") -> str:
    heading = profile.get("attribution", "heading")
    return f"== {heading} ==\n{attribution(profile, volume, pages, title)}"


def summary(profile: Profile, kind: str, volume: int, pages: list, title: str = "") -> str:
    """The edit summary; it always names source and license."""
    values = fields(profile, volume, pages, title)
    pattern = profile.get("summary", "pattern")
    if kind == "redirect" and profile.get("summary", "redirect_pattern"):
        pattern = profile.get("summary", "redirect_pattern")
    text = " ".join(pattern.format(**values).split())
    # The summary must name the source and the license even if the pattern forgets.
    if values["work"] not in text:
        text += f"; {values['work']}"
    if values["license"] not in text:
        text += f" ({values['license']})"
    return text
