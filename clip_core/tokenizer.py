"""A word-level tokenizer with CLIP's conventions.

Like openai/CLIP's tokenizer it lower-cases, wraps every text in <sot> ... <eot>, gives <eot>
the highest id (the text tower pools at `tokens.argmax(-1)`), pads with 0 to context_length and
truncates over-long text while keeping <eot> last. Unlike CLIP's byte-pair encoding it only
knows the toy world's words: an unknown word becomes <unk> and is reported, never dropped.

Chinese is written without spaces, so a run of non-ASCII characters is cut into vocabulary words
by longest match from the left (左上角 before 左, as jieba-style maximum matching does). The
characters between two matches that start no known word form one unknown word (a punctuation
mark stands alone): it is reported once and becomes a single <unk>, like an unknown English word.
ASCII text splits as it always did.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import pairwise

import torch

PAD, UNK, SOT, EOT = "<pad>", "<unk>", "<sot>", "<eot>"
# ASCII letters, digits, a run of non-ASCII characters (segmented later), or one punctuation mark
_PIECE = re.compile(r"[a-z]+|[0-9]+|[^\x00-\x7f\s]+|[^\sa-z0-9]")


@dataclass
class TokenReport:
    """What encoding one text did: unknown words and whether it was cut short."""

    unknown: list[str]
    truncated: bool
    n_tokens: int  # including <sot> and <eot>, before truncation


class Tokenizer:
    """Word-level tokenizer over a fixed vocabulary; <pad>=0, <unk>=1, <eot> highest id.

    Args:
        vocabulary: the known words, e.g. ShapesWorld.vocabulary().
        context_length: token slots per text, including <sot> and <eot>.
    """

    def __init__(self, vocabulary: list[str], context_length: int = 16):
        if context_length < 3:
            raise ValueError("context_length must leave room for <sot>, a word and <eot>")
        words = [w for w in dict.fromkeys(vocabulary) if w not in (PAD, UNK, SOT, EOT)]
        self.itos = [PAD, UNK, *words, SOT, EOT]
        self.stoi = {w: i for i, w in enumerate(self.itos)}
        self.context_length = context_length
        self.pad_id, self.unk_id = 0, 1
        self.sot_id, self.eot_id = len(self.itos) - 2, len(self.itos) - 1
        # the longest vocabulary entry written without spaces bounds the longest-match search
        self._longest = max((len(w) for w in words if not w.isascii()), default=1)

    @property
    def vocab_size(self) -> int:
        return len(self.itos)

    @property
    def vocabulary(self) -> list[str]:
        """The known words (without the special tokens)."""
        return self.itos[2:-2]

    def split(self, text: str) -> list[str]:
        """Lower-case words, numbers and single punctuation marks; text without spaces (Chinese)
        cut into vocabulary words by longest match, each unmatched stretch kept as one word."""
        words: list[str] = []
        for piece in _PIECE.findall(text.lower()):
            if piece.isascii():
                words.append(piece)
            else:
                words.extend(self._longest_match(piece))
        return words

    def _longest_match(self, run: str) -> list[str]:
        """Cut a run without spaces into the longest known words; unknown stretches stay whole."""
        words: list[str] = []
        unknown_from = None  # where the current stretch of unmatched characters began
        i = 0
        while i < len(run):
            end = next((j for j in range(min(len(run), i + self._longest), i, -1) if run[i:j] in self.stoi), None)
            if end is None and not unicodedata.category(run[i]).startswith("P"):
                unknown_from = i if unknown_from is None else unknown_from
                i += 1
                continue
            end = end or i + 1  # an unknown punctuation mark is a word of its own, as in English
            if unknown_from is not None:
                words.append(run[unknown_from:i])
                unknown_from = None
            words.append(run[i:end])
            i = end
        if unknown_from is not None:
            words.append(run[unknown_from:])
        return words

    def unknown_words(self, text: str) -> list[str]:
        """Words of `text` outside the vocabulary, in order, without repeats. In text without
        spaces, each stretch of characters that starts no known word counts as one word."""
        return list(dict.fromkeys(w for w in self.split(text) if w not in self.stoi))

    def report(self, text: str) -> TokenReport:
        n_tokens = len(self.split(text)) + 2
        return TokenReport(self.unknown_words(text), n_tokens > self.context_length, n_tokens)

    def encode(self, text: str) -> list[int]:
        """Token ids of one text: <sot>, words (unknown -> <unk>), <eot>; truncated to fit."""
        ids = [self.stoi.get(w, self.unk_id) for w in self.split(text)]
        ids = ids[: self.context_length - 2]  # keep room for <sot> and <eot>
        return [self.sot_id, *ids, self.eot_id]

    def decode(self, ids: list[int]) -> str:
        """The words of `ids`: English joined by spaces, Chinese (non-ASCII) words without."""
        words = [self.itos[i] for i in ids if i not in (self.pad_id, self.sot_id, self.eot_id)]
        text = words[0] if words else ""
        for previous, word in pairwise(words):
            text += (" " if previous.isascii() and word.isascii() else "") + word
        return text.replace(" .", ".")

    def __call__(self, texts: list[str] | str) -> torch.LongTensor:
        """Encode texts into a padded LongTensor [n, context_length]."""
        if isinstance(texts, str):
            texts = [texts]
        tokens = torch.full((len(texts), self.context_length), self.pad_id, dtype=torch.long)
        for i, text in enumerate(texts):
            ids = self.encode(text)
            tokens[i, : len(ids)] = torch.tensor(ids)
        return tokens
