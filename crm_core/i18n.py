"""Bilingual messages for users: every text a person may read exists in zh_CN and en."""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("zh_CN", "en")


@dataclass(frozen=True)
class Text:
    """A user-facing text in both languages."""

    zh: str
    en: str

    def __call__(self, lang: str = "zh_CN") -> str:
        """Return the text in ``lang`` ("zh_CN" or "en"; anything else falls back to zh_CN)."""
        return self.en if lang.startswith("en") else self.zh

    def format(self, **values: object) -> "Text":
        """Fill ``{name}`` placeholders in both languages."""
        return Text(self.zh.format(**values), self.en.format(**values))

    def __str__(self) -> str:  # log-friendly: both languages
        return f"{self.en} / {self.zh}"
