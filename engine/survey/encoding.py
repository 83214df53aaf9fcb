"""The bytes of a survey file as text: which encoding survey tools really exported, and whether it is text at all.

Decodes UTF-8 with or without BOM, UTF-16 (with or without BOM) and the legacy code pages spreadsheets write
(Windows-1252 and its neighbours, judged by charset-normalizer); refuses a workbook, a PDF, an image or another
binary file with one line that names what it is. Separate from the reader (``engine.survey.reading``) because
it knows nothing of CSV, headers or rules: it only turns a path or an upload's bytes into re-readable text.
"""

from __future__ import annotations

import codecs
import io
import re
from pathlib import Path
from typing import BinaryIO

from engine.errors import InputError
from engine.i18n import N_, _


def encoding_name(encoding: str) -> str:
    """How to name an encoding to a person."""
    if encoding.startswith("utf-8"):
        return "UTF-8"
    return {"cp1252": "Windows-1252", "mac_roman": "Mac Roman"}.get(encoding, encoding)


class ByteSource:
    """A re-readable binary source: a path opened on demand, or bytes in memory."""

    def __init__(self, source: str | Path | bytes, name: str | None) -> None:
        if isinstance(source, bytes | bytearray):
            self.data: bytes | None = bytes(source)
            self.path: Path | None = None
            self.name = name or "survey"
        else:
            self.data = None
            self.path = Path(source)
            self.name = name or str(source)
            if not self.path.is_file():
                # The survey is read twice (its encoding first, then the rows), so a pipe will not do.
                if self.path.is_dir():
                    what = _("is a directory; give the path of a survey CSV file.")
                elif self.path.exists():
                    what = _("is not a regular file (a pipe or a device); save the survey to a file and give its path.")
                elif str(source) == "-":
                    what = _(
                        "reading a survey from standard input is not supported; save it to a file and give its path."
                    )
                else:
                    what = _("no such file; give the path of a survey CSV file.")
                raise InputError(f"{self.name}: {what}")

    def open(self) -> BinaryIO:
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None  # a source holds its bytes or names its file
        try:
            return open(self.path, "rb")
        except OSError as exc:
            raise InputError(
                _("{path}: cannot read the file ({reason}).").format(path=self.name, reason=exc.strerror)
            ) from None


def sniff_encoding(source: ByteSource) -> tuple[str, int, int]:
    """The text encoding of the survey, its number of line breaks (for progress) and of stray bytes.

    Raises:
        InputError: the file is empty or is not text (a workbook, a PDF, an image...).
    """
    with source.open() as handle:
        head = handle.read(8192)
        if not head.strip(b" \t\r\n\x00"):
            raise InputError(
                _("{path}: the file is empty; export the survey responses as CSV.").format(path=source.name)
            )
        signatures = {
            b"PK\x03\x04": N_("a zip archive (an Excel .xlsx workbook?)"),
            b"\xd0\xcf\x11\xe0": N_("an Excel .xls workbook"),
            b"%PDF": N_("a PDF document"),
            b"\x1f\x8b": N_("a gzip archive"),
            b"\x89PNG": N_("a PNG image"),
            b"\xff\xd8\xff": N_("a JPEG image"),
        }
        for magic, what in signatures.items():
            if head.startswith(magic):
                raise InputError(
                    _("{path}: this is {what}, not CSV; save the survey as CSV (UTF-8) first.").format(
                        path=source.name, what=_(what)
                    )
                )
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16", _count_lines(source, "utf-16"), 0
        if head.count(0) > len(head) // 20:  # UTF-16 without a BOM: every other byte of Latin text is NUL
            even, odd = head[0::2], head[1::2]
            if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
                return "utf-16-le", _count_lines(source, "utf-16-le"), 0
            if even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
                return "utf-16-be", _count_lines(source, "utf-16-be"), 0
            # Otherwise a run of NULs in text (a damaged row) or a binary file: check_text tells them apart.
    # UTF-8 unless the file is not UTF-8 as a whole: a few stray bytes in a UTF-8 file cost their rows (the reader
    # marks them), they do not make every accented letter of every other row wrong.
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="surrogateescape")
    newlines = strays = multibyte = 0
    with source.open() as handle:
        while block := handle.read(1 << 20):
            text = decoder.decode(block)
            newlines += max(text.count("\n"), text.count("\r"))  # CR-only files count too
            if not text.isascii():
                found = len(STRAY.findall(text))
                strays += found
                # Bytes beyond one per character (a stray byte is one byte, one character): valid UTF-8 letters.
                multibyte += len(text.encode("utf-8", "surrogateescape")) - len(text)
        newlines += decoder.decode(b"", final=True).count("\n")
    if strays == 0 or multibyte >= strays:
        return "utf-8-sig", newlines, strays
    encoding = _legacy_encoding(source)
    return encoding, _count_lines(source, encoding), 0


# Stray bytes decoded with errors="surrogateescape" (U+DC80-U+DCFF).
STRAY = re.compile("[\udc80-\udcff]")
# What spreadsheets and survey tools write when they do not write UTF-8 (Windows and Mac code pages, DOS).
_LEGACY = ["cp1252", "cp1250", "cp1251", "mac_roman", "cp850", "cp437", "iso8859_15"]


def _legacy_encoding(source: ByteSource) -> str:
    """The code page of a file that is not UTF-8, as charset-normalizer judges it from a sample.

    Where several decode the sample equally well, Windows-1252 (Excel's "CSV" in the Americas and Western Europe)
    is preferred: the detector ranks ties alphabetically, which read "Peñasco" as Windows-1250's "Peńasco".
    """
    from charset_normalizer import from_bytes  # imported only for the rare file that is not UTF-8

    with source.open() as handle:
        sample = handle.read(1 << 20)
    matches = sorted(from_bytes(sample, cp_isolation=_LEGACY), key=lambda m: m.chaos)
    if not matches:
        return "cp1252"
    least = matches[0].chaos
    for match in matches:
        if match.chaos <= least and "cp1252" in match.could_be_from_charset:
            return "cp1252"
    encoding = matches[0].encoding
    return encoding if encoding in _LEGACY else "cp1252"


def _count_lines(source: ByteSource, encoding: str) -> int:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    newlines = 0
    with source.open() as handle:
        while block := handle.read(1 << 20):
            text = decoder.decode(block)
            newlines += max(text.count("\n"), text.count("\r"))
    return newlines + decoder.decode(b"", final=True).count("\n")


def check_text(name: str, sample: str) -> None:
    """Refuse a binary file: one whose lines mostly hold control characters.

    Counted by lines, not characters: a run of NULs or other control bytes in one damaged row is that row's
    problem (it becomes an error row), however long the run; in a binary file nearly every line has some.
    """
    lines = sample.splitlines() or [sample]
    damaged = sum(1 for line in lines if _CONTROLS.search(line))
    if damaged > max(16, len(lines) // 4):
        raise InputError(_("{path}: this is a binary file, not CSV text; export the survey as CSV.").format(path=name))


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def open_text(source: ByteSource, encoding: str) -> io.TextIOWrapper:
    """The source as text in ``encoding``, lines split as the CSV reader counts them (``newline=""``)."""
    # A byte the encoding cannot decode becomes U+DC80-U+DCFF, which costs its row (never the file).
    errors = "replace" if encoding.startswith("utf-16") else "surrogateescape"
    return io.TextIOWrapper(source.open(), encoding=encoding, errors=errors, newline="")
