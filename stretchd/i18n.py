"""The person's language: gettext catalogs, compiled from po/*.po at build time into
stretchd/locale (hatch_build.py), chosen as gettext chooses (LANGUAGE, LC_ALL, LC_MESSAGES,
LANG) unless `[defaults] language` names one. A string with no translation stays English.

Nothing is read at import: the catalog is opened on the first string asked for, and again
after use() changes the language. Texts defined at import time are marked with N_() and
translated where they are shown."""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pathlib costs `stretchd --version` a few ms it need not pay
    from pathlib import Path

DOMAIN = "stretchd"
# The languages shipped, as their catalogs are named (po/LANG.po); "auto" follows the locale.
SHIPPED = ("de", "es", "fr", "it", "ja", "nl", "pl", "pt_BR", "ru", "zh_CN")
ENGLISH = "en"
NOT_LATIN = ("ja", "ru", "zh_CN")  # what an ASCII terminal cannot show at all

_catalog: gettext.NullTranslations | None = None
_setting: str | None = "auto"  # None: what `_config` says, read when first needed
_config: Path | None = None
_language = ENGLISH  # the language of the open catalog
_lent: tuple[str | None] | None = None  # LANGUAGE as it was before lend() set it


def localedir() -> str:
    return os.path.join(os.path.dirname(__file__), "locale")


def requested(environ: Mapping[str, str] | None = None) -> list[str]:
    """The languages the locale asks for, as gettext reads them: the first of LANGUAGE,
    LC_ALL, LC_MESSAGES and LANG that is set (LANGUAGE is a list: "de:fr")."""
    env = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return [v for v in value.split(":") if v]
    return []


def normalize(language: str) -> str | None:
    """A setting or locale name as the shipped catalog it means ("pt-BR", "de_DE.UTF-8",
    "zh_CN" -> "pt_BR", "de", "zh_CN"), "en" for English, or None if nothing shipped."""
    name = language.split(".", 1)[0].split("@", 1)[0].replace("-", "_")
    if name in ("C", "POSIX"):
        return ENGLISH
    lang, _, region = name.partition("_")
    lang = lang.lower()
    if lang == ENGLISH:
        return ENGLISH
    full = f"{lang}_{region.upper()}" if region else lang
    for candidate in (full, lang):
        if candidate in SHIPPED:
            return candidate
    if lang in ("pt", "zh"):  # one catalog for each: Brazilian Portuguese, Simplified Chinese
        return next(s for s in SHIPPED if s.startswith(lang + "_"))
    return None


def chosen(setting: str = "auto", environ: Mapping[str, str] | None = None) -> str:
    """The language in use: the setting's, or the locale's first that is shipped (English
    where none is, or where the locale says C)."""
    if setting != "auto":
        return normalize(setting) or ENGLISH
    for asked in requested(environ):
        found = normalize(asked)
        if found is not None:
            return found
    return ENGLISH


def configured(config_file: Path) -> str:
    """`[defaults] language` as config.toml says it, read before the rest is checked (the
    checks speak the language too); "auto" where it says nothing usable."""
    import tomllib

    try:
        data = tomllib.loads(config_file.read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError, RecursionError):  # the config's own checks say what is wrong
        return "auto"
    defaults = data.get("defaults")
    value = defaults.get("language") if isinstance(defaults, dict) else None
    return value if isinstance(value, str) and normalize(value) is not None else "auto"


def setting() -> str:
    """The setting in use ("auto", or a language's name)."""
    global _setting
    if _setting is None:
        _setting = configured(_config) if _config is not None else "auto"
    return _setting


def use(setting: str = "auto") -> None:
    """Speak the language `setting` names ("auto": the locale's) from now on."""
    global _catalog, _setting
    _setting, _catalog = setting, None


def follow(config_file: Path) -> None:
    """Speak the language config_file's `[defaults] language` names, read only when a text is
    first asked for: a command that prints nothing translated never reads it."""
    global _catalog, _setting, _config
    _config, _setting, _catalog = config_file, None, None


def _open() -> gettext.NullTranslations:
    global _catalog, _language
    if _catalog is None:
        _language = chosen(setting())
        _catalog = (gettext.NullTranslations() if _language == ENGLISH else
                    gettext.translation(DOMAIN, localedir(), languages=[_language], fallback=True))
        if type(_catalog) is gettext.NullTranslations:
            _language = ENGLISH  # no catalog there for the one asked
    return _catalog


def language() -> str:
    """The language strings are in now ("en" when no catalog is there for the one asked)."""
    _open()
    return _language


def _(message: str) -> str:
    """message in the language in use; "" stays "" (gettext would give the catalog's header)."""
    return _open().gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _open().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _open().pgettext(context, message)


def N_(message: str) -> str:
    """Marks a text for the catalogs where it is defined; _() translates it where shown."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """N_() for a text with plural forms; ngettext(*pair, n) translates it where shown."""
    return singular, plural


def lend() -> None:
    """Let a library that looks its words up in gettext's default domain (click: "Usage:",
    "Options", its parsing errors) find them in our catalog, in our language, until
    give_back(). Again after follow(): the language may then be config.toml's.

    gettext chooses its language from the environment, not as chosen() does (pt_PT, zh_TW,
    a setting in config.toml), so LANGUAGE names ours meanwhile."""
    global _lent
    gettext.bindtextdomain(DOMAIN, localedir())
    gettext.textdomain(DOMAIN)
    if _lent is None:
        _lent = (os.environ.get("LANGUAGE"),)
    os.environ["LANGUAGE"] = language()


def give_back() -> None:
    """The environment as it was before lend(): a program started next (the daemon `stretchd
    run` becomes) reads the person's locale, not a setting it reads for itself."""
    global _lent
    if _lent is not None:
        before, _lent = _lent[0], None
        if before is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = before
