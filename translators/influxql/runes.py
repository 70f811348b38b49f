"""1.x's rune reader, which the scanner reads characters through, and quoted strings read
straight off it.

It stands apart from `lexer.py` because 1.x's error positions come from here: `\\r\\n` and
`\\r` read as one newline, the count of characters stops at EOF, and after an unread `curr()`
names the previous character (1.x places string errors one character early).
"""

from __future__ import annotations

Pos = tuple[int, int]  # 0-based (line, char), as 1.x keeps them; errors add one to each

EOF_CH = "\x00"  # 1.x's eof sentinel is rune 0, so a NUL in the text also reads as EOF


class Reader:
    """1.x's rune reader: `\\r\\n` and `\\r` read as `\\n`, a three-slot unread ring."""

    __slots__ = ("_text", "_idx", "_buf", "_i", "_n", "_line", "_char", "_eof")

    def __init__(self, text: str) -> None:
        self._text = text
        self._idx = 0
        self._buf: list[tuple[str, Pos]] = [(EOF_CH, (0, 0))] * 3
        self._i = 0
        self._n = 0
        self._line = 0
        self._char = 0
        self._eof = False

    def read(self) -> tuple[str, Pos]:
        if self._n > 0:
            self._n -= 1
            return self.curr()
        if self._idx >= len(self._text):
            ch = EOF_CH
        else:
            ch = self._text[self._idx]
            self._idx += 1
            if ch == "\r":
                if self._idx < len(self._text) and self._text[self._idx] == "\n":
                    self._idx += 1
                ch = "\n"
        self._i = (self._i + 1) % 3
        self._buf[self._i] = (ch, (self._line, self._char))
        if ch == "\n":
            self._line += 1
            self._char = 0
        elif not self._eof:  # 1.x stops counting characters once it has seen EOF
            self._char += 1
        if ch == EOF_CH:
            self._eof = True
        return self.curr()

    def unread(self) -> None:
        self._n += 1

    def curr(self) -> tuple[str, Pos]:
        return self._buf[(self._i - self._n) % 3]

    def read_rune(self) -> tuple[str, bool]:
        """(rune, ok): the io.RuneReader view, where EOF is an error."""
        ch, _ = self.read()
        return ch, ch != EOF_CH


_ESCAPES = {"n": "\n", "\\": "\\", '"': '"', "'": "'"}


def scan_quoted(r: Reader) -> tuple[str, str | None]:
    """Read a quoted string whose opening quote is next; (text, None | error name)."""
    ending, ok = r.read_rune()
    if not ok:
        return "", "bad string"
    buf: list[str] = []
    while True:
        ch0, ok = r.read_rune()
        if ch0 == ending:
            return "".join(buf), None
        if not ok or ch0 == "\n":
            return "".join(buf), "bad string"
        if ch0 == "\\":
            ch1, _ = r.read_rune()
            esc = _ESCAPES.get(ch1)
            if esc is None:
                return ch0 + ch1, "bad escape"
            buf.append(esc)
        else:
            buf.append(ch0)
