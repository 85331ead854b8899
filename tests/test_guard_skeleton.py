"""The guard's own TR39 skeleton (issue 23): Unicode's confusables.txt of Python's Unicode version,
checked against ICU's ``SpoofChecker.getSkeleton`` for every entry of the file and every other
assigned character; ICU (``pyicu-wheels``) is a test dependency only, never imported at run time.

ICU has Unicode 16.0 data and the guard 14.0.0, so a few characters differ: each is listed
below with why. Any other difference fails, and so does a listed one that has gone.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import subprocess
import sys
import tomllib
import unicodedata
from pathlib import Path
from types import ModuleType

import pytest

from aprecords.guard import skeleton as skeleton_module
from aprecords.guard.codepoints import DEFAULT_IGNORABLE, UNICODE_VERSION
from aprecords.guard.skeleton import DATA, check_version, parse, prototypes, skeleton

PROJECT = Path(__file__).resolve().parents[1]
ICU_UNICODE_VERSION = "16.0"
"""The Unicode version of the ICU the differences below were worked out with."""
DEFAULT_IGNORED_BY_ICU = (
    "Default_Ignorable_Code_Point: UTS #39 for Unicode 15.1 added a step that removes these "
    "from the skeleton, and ICU follows it; the skeleton of Unicode 14.0 keeps them (and maps "
    "HANGUL FILLER to HANGUL JUNGSEONG FILLER, as the file says). The guard removes every "
    "default-ignorable code point before the skeleton, so neither form ever reaches it."
)
ENTRY_DIFFERENCES = {0x3164: DEFAULT_IGNORED_BY_ICU}
"""Entries of our confusables.txt whose skeleton ICU computes differently, and why."""
ADDED_IN_16 = (
    "an entry of confusables.txt since Unicode 16.0 (checked in Unicode's 15.0.0, 15.1.0 and "
    "16.0.0 files): in 14.0.0 the character has no prototype and is its own skeleton"
)
NEW_ENTRIES = {
    0x019B: ADDED_IN_16 + " (LATIN SMALL LETTER LAMBDA WITH STROKE to Greek lamda + U+0338)",
    0x1734: ADDED_IN_16 + " (HANUNOO SIGN PAMUDPOD to TAGALOG SIGN PAMUDPOD)",
    0x1E9E: ADDED_IN_16 + " (CAPITAL SHARP S to small sharp s; the guard folds case first)",
    0x3126: ADDED_IN_16 + " (BOPOMOFO LETTER ER to CJK ideograph U+513F)",
    0xA7D6: ADDED_IN_16 + " (CAPITAL MIDDLE SCOTS S to sharp s; the guard folds case first)",
}
"""Characters with no entry in our file that ICU's newer data maps, and why."""


def require_icu() -> ModuleType:
    """PyICU (``pyicu-wheels``, the test extra). Missing: skip locally, fail when CI=true."""
    try:
        import icu
    except ImportError:
        message = "icu (pyicu-wheels, in the test extra) is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must provide it to check the skeleton against ICU")
        pytest.skip(f"{message}; install the test extra to compare the skeleton with ICU")
    assert icu.UNICODE_VERSION == ICU_UNICODE_VERSION, (
        f"ICU now has Unicode {icu.UNICODE_VERSION}: compare again and update the differences"
    )
    return icu


def differences(icu: ModuleType, characters: list[int]) -> dict[int, list[str]]:
    """Each character whose skeleton differs from ICU's, alone or in a short string."""
    checker = icu.SpoofChecker()
    found: dict[int, list[str]] = {}
    for code in characters:
        char = chr(code)
        for text in (char, f"a{char}b", char + char, f"x{char}\u0301", f"{char}\u0323\u0301"):
            ours, theirs = skeleton(text), checker.getSkeleton(0, text)
            if ours != theirs:
                found.setdefault(code, []).append(f"{text!a}: ours {ours!a}, ICU {theirs!a}")
    return found


def test_the_data_is_unicodes_confusables_of_pythons_unicode_version() -> None:
    assert unicodedata.unidata_version == UNICODE_VERSION == "14.0.0"
    assert DATA.name == "confusables-14.0.0.txt"
    text = DATA.read_text("utf-8")
    assert text.startswith("\ufeff# confusables.txt\n# Date: 2021-05-29, 22:09:29 GMT\n")
    assert "\n# Version: 14.0.0\n" in text
    assert "For terms of use, see http://www.unicode.org/terms_of_use.html" in text
    # As published by Unicode (unicode-org/unicodetools, data/security/14.0.0/confusables.txt).
    digest = hashlib.sha256(DATA.read_bytes()).hexdigest()
    assert digest == "f901938af166c3afa471bd10c224b0979cd024340f290649e16b29f779d48bfe"
    lines = [line for line in text.splitlines() if line[:1] in "0123456789ABCDEF" and line]
    assert len(lines) == len(prototypes()) == 6311
    assert all(line.split(";")[2].split("#")[0].strip() == "MA" for line in lines)
    assert DATA.with_name("LICENSE").read_text("utf-8").startswith("UNICODE LICENSE V3\n")


def test_the_data_is_package_data() -> None:
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["aprecords"]
    package = DATA.parents[2]  # the aprecords package, wherever it is imported from
    assert package.name == "aprecords"
    for file in (DATA, DATA.with_name("LICENSE")):
        relative = file.relative_to(package).as_posix()
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative
    assert "pyicu-wheels" not in " ".join(config["project"]["dependencies"])
    assert any(
        d.startswith("pyicu-wheels") for d in config["project"]["optional-dependencies"]["test"]
    )
    assert "pyicu-wheels" not in (PROJECT / "requirements" / "site.lock").read_text("utf-8")
    assert "\npyicu-wheels==" in (PROJECT / "requirements" / "test.lock").read_text("utf-8")


def test_each_data_line_gives_one_prototype() -> None:
    text = (
        "\ufeff# confusables.txt\n# Version: 14.0.0\n#\n"
        "0041 ;\t0042 0063 ;\tMA\t# ( A → Bc ) with ; and # in the comment ; # \n\n"
        "1D400 ;\t0061 ;\tMA\t# ( 𝐀 → a )\n"
        "0044 ;\t0045 ;\tSL\t# a table other than MA, which TR39's skeleton does not use\n"
    )
    assert parse(text) == {0x41: "Bc", 0x1D400: "a"}
    with pytest.raises(ValueError, match=r"^not the confusables\.txt of Unicode 14\.0\.0$"):
        parse(text.replace("14.0.0", "16.0.0"))
    with pytest.raises(ValueError, match="Unicode 14.0.0"):
        parse("# Version: 14.0.0 \n0041 ;\t0042 ;\tMA\n")


def test_another_unicode_database_is_refused() -> None:
    check_version("14.0.0")
    message = (
        "Python's Unicode database is 15.0.0, the guard's data is 14.0.0: vendor confusables.txt "
        "of that version and generate guard/codepoints.py again"
    )
    with pytest.raises(RuntimeError, match=f"^{re.escape(message)}$"):
        check_version("15.0.0")


def test_the_skeleton_is_tr39s() -> None:
    assert skeleton("pаypаl") == "paypal"  # Cyrillic а
    assert skeleton("mΙ0") == "rnlO"  # Greek capital iota, digit zero
    assert skeleton("é") == "e\u0301"  # NFD first: the accent stays a separate mark
    assert skeleton("ǆ") == "dz\u030c"  # a prototype of two letters, decomposed again
    assert skeleton("") == ""
    assert prototypes()[ord("m")] == "rn"
    assert skeleton_module.DATA.parent.name == "data"


def test_every_entry_of_the_file_matches_icu() -> None:
    icu = require_icu()
    found = differences(icu, sorted(prototypes()))
    assert found.keys() == ENTRY_DIFFERENCES.keys(), {
        f"U+{code:04X}": texts for code, texts in found.items() if code not in ENTRY_DIFFERENCES
    }


def test_every_other_assigned_character_matches_icu() -> None:
    icu = require_icu()
    ignorable = re.compile(f"[{DEFAULT_IGNORABLE}]")
    others = [
        code
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) not in ("Cn", "Cs") and code not in prototypes()
    ]
    found = differences(icu, others)
    unexplained = {
        f"U+{code:04X}": texts
        for code, texts in found.items()
        if code not in NEW_ENTRIES and not ignorable.match(chr(code))
    }
    assert not unexplained
    assert NEW_ENTRIES.keys() <= found.keys(), "a listed difference has gone: update the list"
    assert sum(1 for code in found if ignorable.match(chr(code))) > 100


def test_the_guard_never_imports_icu() -> None:
    program = (
        "import sys\n"
        "from aprecords.guard import normal, scan\n"
        "normal.warm()\n"
        "assert normal.stream('Аda Quérnby ẞ ｑ ⓐ 𝐀 Ⅻ') == 'adaquernbyssqaaxll'\n"
        "assert 'icu' not in sys.modules, 'icu imported'\n"
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT / "scripts")}
    result = subprocess.run(
        [sys.executable, "-c", program], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    source = "\n".join(p.read_text("utf-8") for p in (PROJECT / "scripts").rglob("*.py"))
    assert not re.search(r"^\s*(import icu|from icu)\b", source, flags=re.M)


def test_the_data_is_in_every_audiences_fingerprint(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new confusables.txt changes what the guard finds, so every audience is built again."""
    from datetime import date

    from aprecords.site import parallel

    digested: list[tuple[Path, tuple[str, ...]]] = []
    real = parallel._digest_files

    def recording(h: object, base: Path, patterns: tuple[str, ...] = ("*",)) -> None:
        digested.append((base.resolve(), tuple(patterns)))
        real(h, base, patterns)

    monkeypatch.setattr(parallel, "_digest_files", recording)
    parallel.shared_inputs(repo, date(2026, 1, 10))
    package = DATA.resolve().parents[2]
    assert any(
        base == package and any(fnmatch.fnmatch(DATA.name, p) for p in patterns)
        for base, patterns in digested
    ), digested
