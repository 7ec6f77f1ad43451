"""Reading toy-world captions back into the attributes they name, written independently of data.py,
for the tests that check that no caption describes another image of its batch (en and zh)."""

from __future__ import annotations

from clip_core.data import COLOURS, POSITIONS, SHAPES, SIZES

ZH = {  # the Chinese words of each attribute value
    "colour": {"红色": "red", "橙色": "orange", "黄色": "yellow", "绿色": "green", "青色": "cyan", "蓝色": "blue",
               "紫色": "purple", "白色": "white"},
    "shape": {"圆形": "circle", "正方形": "square", "三角形": "triangle", "菱形": "diamond", "十字": "cross",
              "圆环": "ring", "橙子": "orange"},
    "size": {"小": "small", "大": "large"},
    "position": {"左上角": "top left", "右上角": "top right", "左下角": "bottom left", "右下角": "bottom right",
                 "中间": "center"},
    "style": {"照片": "photo", "素描": "sketch", "像素画": "pixel"},
}
EN_STYLES = {"photo": "photo", "sketch": "sketch", "pixel": "pixel"}
EN_POSITION_WORDS = {"left", "right", "top", "bottom", "center"}


def described(caption: str) -> dict[str, str]:
    """The attributes an English or Chinese caption names, as English names.

    English "orange" is the colour when a shape word follows it or "something" precedes it, else the fruit.
    """
    if not caption.isascii():
        named = {}
        for kind, words in ZH.items():
            found = [english for chinese, english in words.items() if chinese in caption]
            assert len(found) <= 1, f"{caption!r} names two {kind}s: {found}"
            if found:
                named[kind] = found[0]
        return named
    words = caption.replace(".", " ").split()
    named = {}
    for i, word in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else ""
        before = words[i - 1] if i else ""
        if word in COLOURS and (word not in SHAPES or after in SHAPES or before == "something"):
            named["colour"] = word
        elif word in SHAPES:
            named["shape"] = word
        elif word in SIZES:
            named["size"] = word
        elif word in EN_STYLES:
            named["style"] = EN_STYLES[word]
    where = " ".join(w for w in words if w in EN_POSITION_WORDS)
    if where:
        assert where in POSITIONS, f"unparsable position in {caption!r}"
        named["position"] = where
    return named


def describes(caption: str, scene: dict[str, str]) -> bool:
    """Whether every attribute the caption names fits the scene (a scene without a style is a photo)."""
    return all(scene.get(kind, "photo") == name for kind, name in described(caption).items())
