"""The word-level tokenizer: CLIP's conventions and its edge cases."""

import pytest
import torch

from clip_core.data import ShapesWorld
from clip_core.tokenizer import Tokenizer


@pytest.fixture
def tokenizer() -> Tokenizer:
    return Tokenizer(ShapesWorld(0).vocabulary(), context_length=16)


def test_eot_has_the_highest_id(tokenizer):
    assert tokenizer.eot_id == tokenizer.vocab_size - 1
    assert tokenizer.eot_id > max(tokenizer.stoi[w] for w in tokenizer.vocabulary)
    assert tokenizer.eot_id > tokenizer.sot_id
    tokens = tokenizer(["a red circle", "a photo of a large white ring at the bottom right."])
    lengths = (tokens != tokenizer.pad_id).sum(dim=1)
    # argmax over ids finds <eot>, which is the last used slot
    assert torch.equal(tokens.argmax(dim=-1), lengths - 1)
    assert (tokens[torch.arange(2), lengths - 1] == tokenizer.eot_id).all()


def test_padding_is_zero_and_fills_to_context_length(tokenizer):
    tokens = tokenizer(["a red circle"])
    assert tokens.shape == (1, 16) and tokens.dtype == torch.long
    assert tokenizer.pad_id == 0 and tokenizer.itos[0] == "<pad>"
    assert tokens[0, 0] == tokenizer.sot_id
    assert tokens[0, 4] == tokenizer.eot_id
    assert (tokens[0, 5:] == 0).all()
    assert (tokens[0, :5] != 0).all()


def test_lower_cases(tokenizer):
    assert torch.equal(tokenizer("A RED Circle."), tokenizer("a red circle."))
    assert tokenizer.unknown_words("A RED Circle") == []


def test_unknown_words_are_reported_and_encoded_as_unk(tokenizer):
    text = "a zebra circle with stripes zebra"
    assert tokenizer.unknown_words(text) == ["zebra", "with", "stripes"]  # in order, no repeats
    ids = tokenizer.encode(text)
    # not dropped: <sot> + 6 words + <eot>
    assert len(ids) == 8
    assert ids == [tokenizer.sot_id, tokenizer.stoi["a"], tokenizer.unk_id, tokenizer.stoi["circle"],
                   tokenizer.unk_id, tokenizer.unk_id, tokenizer.unk_id, tokenizer.eot_id]
    report = tokenizer.report(text)
    assert report.unknown == ["zebra", "with", "stripes"]
    assert report.n_tokens == 8 and not report.truncated
    assert (tokenizer([text])[0] != tokenizer.pad_id).sum() == 8


def test_known_text_has_no_unknown_words(tokenizer):
    assert tokenizer.unknown_words("a photo of a small red circle at the top left.") == []
    assert tokenizer.report("a red circle").unknown == []


def test_over_long_text_is_truncated_keeping_eot_last(tokenizer):
    text = " ".join(["red circle"] * 20)  # 40 words
    ids = tokenizer.encode(text)
    assert len(ids) == tokenizer.context_length
    assert ids[0] == tokenizer.sot_id and ids[-1] == tokenizer.eot_id
    assert ids[1:-1] == [tokenizer.stoi["red"], tokenizer.stoi["circle"]] * 7  # the first 14 words
    tokens = tokenizer([text])
    assert tokens[0, -1] == tokenizer.eot_id and tokens.argmax() == tokenizer.context_length - 1
    report = tokenizer.report(text)
    assert report.truncated and report.n_tokens == 42


def test_truncation_boundary(tokenizer):
    fits = " ".join(["red"] * 14)  # 14 words + <sot> + <eot> = 16 slots
    too_long = " ".join(["red"] * 15)
    assert not tokenizer.report(fits).truncated
    assert tokenizer.report(too_long).truncated
    assert len(tokenizer.encode(fits)) == 16 and len(tokenizer.encode(too_long)) == 16


def test_every_vocabulary_word_is_one_token(tokenizer):
    for word in tokenizer.vocabulary:
        assert tokenizer.encode(word) == [tokenizer.sot_id, tokenizer.stoi[word], tokenizer.eot_id]


@pytest.mark.parametrize("caption", [
    "a photo of a small red circle at the top left.",
    "a large cyan diamond in the center",
    "a photo of a white cross.",
    "a purple ring",
])
def test_encode_decode_round_trip(tokenizer, caption):
    assert tokenizer.decode(tokenizer.encode(caption)) == caption
    assert tokenizer.decode(tokenizer([caption])[0].tolist()) == caption  # padding is skipped


def test_round_trip_of_real_training_captions(tokenizer):
    batch = ShapesWorld(3).sample_batch(64)
    for caption in batch.captions:
        assert tokenizer.decode(tokenizer.encode(caption)) == caption


def test_context_length_must_leave_room():
    with pytest.raises(ValueError):
        Tokenizer(["red"], context_length=2)
