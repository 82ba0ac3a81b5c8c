"""Garbled text: repair GBK byte-misalignment damage, flag what cannot be repaired.

When one byte of a GBK stream is lost, every following byte pair is read one byte out of step until a
single-byte character (ASCII, or a lone 0x80 that Windows' cp936 shows as €) puts the decoder back in
step. A scraper that folds punctuation to ASCII and marks the broken spot with ``?`` leaves runs like
``?!爆F在`` for ``。”現在``. The repair maps each character of the run back to the bytes it came from,
puts a lost lead byte back in front, decodes again, and keeps the result only when a character-frequency
score says it reads like ordinary Chinese while the garbled run did not (cleaners.charfreq).

Text that was mis-decoded at the source (UTF-8 bytes read as GBK by the publisher's CMS and published
that way) is flagged ``mojibake_suspect`` and left as published: it is the page's text, not our damage.
"""

from __future__ import annotations

from dataclasses import dataclass

from cleaners.charfreq import garbled_runs, run_score
from cleaners.types import MojibakeConfig

__all__ = ["Repair", "find_source_mojibake", "repair_misalignment"]

_MARKERS = frozenset("?\ufffd？")
# ASCII punctuation a folding scraper writes for the full-width form the GBK bytes really held
_FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in "!\"#$%&'()*+,-./:;<=>?@[]^_`{|}~"}


@dataclass(frozen=True, slots=True)
class Repair:
    start: int  # index of the marker in the line
    end: int  # index after the last garbled character
    garbled: str
    repaired: str


_UNKNOWN = b"\xff"  # stands for the byte a decoder replaced with U+FFFD: its value is searched for


def _byte_forms(ch: str) -> list[bytes]:
    """The byte sequences *ch* may stand for in a GBK stream, most likely first."""
    if ch == "\ufffd":
        return [_UNKNOWN]  # a byte the decoder could not pair: one byte, value lost
    forms: list[bytes] = []
    if ch == "€":
        forms.append(b"\x80")  # cp936 shows a lone 0x80 as €; gb18030 would give A2E3
    try:
        forms.append(ch.encode("gb18030"))
    except UnicodeEncodeError:
        return forms
    if ch in _FULLWIDTH:
        forms.append(_FULLWIDTH[ch].encode("gb18030"))
    return [f for f in forms if len(f) <= 2 and f != _UNKNOWN]


def _runs(line: str, start: int, max_run: int) -> list[tuple[bytes, int]]:
    """(raw bytes, end index) for every way the run after *start* can end on a single-byte character."""
    out: list[tuple[bytes, int]] = []
    stack: list[tuple[bytes, int]] = [(b"", start)]
    while stack:
        raw, i = stack.pop()
        if i >= len(line) or i - start >= max_run:
            continue
        for form in _byte_forms(line[i]):
            if len(form) == 1:
                out.append((raw + form, i + 1))  # a single byte re-synchronises the decoder
            else:
                stack.append((raw + form, i + 1))
    return out


def _decode(raw: bytes) -> str | None:
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return None


def _candidates(raw: bytes, config: MojibakeConfig) -> list[tuple[str, float]]:
    """Decodings of *raw* with a lost lead byte put back, each with its prior penalty.

    The punctuation lead byte A1 (。“”、《》) is the likeliest lost byte, so another lead must read
    clearly better to win. A last byte the decoder replaced is not guessed: it stays U+FFFD.
    """
    unknown = raw.endswith(_UNKNOWN)
    body = raw[:-1] + b"\xa1" if unknown else raw
    out = []
    for lead in config.leads:
        text = _decode(bytes([lead]) + body)
        if text is None:
            continue
        if unknown:
            text = text[:-1] + "\ufffd"
        out.append((text, 0.0 if lead == config.leads[0] else config.lead_penalty))
    return out


def _best_repair(line: str, marker: int, config: MojibakeConfig) -> Repair | None:
    runs = _runs(line, marker + 1, config.max_run)
    if not runs:
        return None
    horizon = max(end for _, end in runs) + config.context
    garbled_score = run_score(line[marker:horizon]) * len(line[marker:horizon])
    best: tuple[float, int, str] | None = None
    for raw, end in runs:
        tail = line[end:horizon]
        for text, penalty in _candidates(raw, config):
            window = text + tail
            score = run_score(window) * len(window) - penalty
            if text.endswith("\ufffd"):
                score += 2.5  # the byte lost for good is no evidence against the repair (scored as neutral)
            # ties go to the likelier lead, then to the shorter run: past the re-sync point both read the same
            if best is None or score > best[0] + 1e-9 or (abs(score - best[0]) <= 1e-9 and end < best[1]):
                best = (score, end, text)
    if best is None:
        return None
    score, end, text = best
    length = len(text) + len(line[end:horizon])
    if score / length < config.min_score or score - garbled_score < config.min_gain:
        return None
    return Repair(marker, end, line[marker:end], text)


def repair_misalignment(
    line: str, config: MojibakeConfig | None = None, *, budget: list[int] | None = None
) -> tuple[str, list[Repair]]:
    """*line* with every repairable misaligned GBK run re-decoded, and the repairs made.

    *budget* (a one-item list) caps the repair attempts shared by the lines of one page, so a page of
    ten thousand question marks costs no more than a few hundred attempts.
    """
    config = config or MojibakeConfig()
    if not any(ch in _MARKERS for ch in line):
        return line, []
    budget = budget if budget is not None else [config.max_attempts]
    repairs: list[Repair] = []
    out: list[str] = []
    i = 0
    while i < len(line):
        ch = line[i]
        # only a marker followed by text that does not read like Chinese is worth the attempt
        if ch in _MARKERS and i + 1 < len(line) and budget[0] > 0 and run_score(line[i + 1 : i + 9]) < 0.8:
            budget[0] -= 1
            repair = _best_repair(line, i, config)
            if repair is not None:
                repairs.append(repair)
                out.append(repair.repaired)
                i = repair.end
                continue
        out.append(ch)
        i += 1
    return "".join(out), repairs


def find_source_mojibake(line: str) -> list[tuple[str, str]]:
    """Garbled spans of *line* that read right as UTF-8 bytes mis-decoded as GBK: (as published, as meant)."""
    found = []
    for start, end in garbled_runs(line):
        # widen to the whole run of non-ASCII characters around the low-scoring window
        while start > 0 and not line[start - 1].isascii() and line[start - 1] not in "，。、“”":
            start -= 1
        while end < len(line) and not line[end].isascii() and line[end] not in "，。、“”":
            end += 1
        span = line[start:end]
        meant = span.encode("gbk", "replace").decode("utf-8", "replace")
        readable = meant.count("\ufffd") <= len(meant) // 4 and run_score(meant) > run_score(span) + 0.5
        if readable and (span, meant) not in found:
            found.append((span, meant))
    return found
