"""The two-tower diagram of lesson 1 as inline SVG, labelled with a model's measured tensor shapes.

Follows the CLIP paper's Figure 3 pseudocode left to right (Radford et al. 2021): image encoder
-> I_f -> @ W_i -> L2 norm -> I_e, the same for text, then logits = I_e @ T_e.T * exp(t).
A pure function: the shapes come from running the real model (lessons/overview.py), so the
drawing never claims a shape the model does not have.
"""

from __future__ import annotations

from html import escape

from lessons.common.plotting import COLORS

WIDTH, HEIGHT = 900, 340
SANS = "Inter, 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', sans-serif"
MONO = "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace"
# cividis at five stops: probabilities look the same here as in the heatmaps of later lessons
CIVIDIS = ((0.0, (0, 32, 77)), (0.25, (65, 77, 107)), (0.5, (124, 123, 120)), (0.75, (188, 175, 111)),
           (1.0, (255, 234, 70)))

LABELS = {
    "en": {
        "title": "{model} · {encoder} image encoder · {total:,} parameters",
        "breakdown": "image tower {image:,} · text tower {text:,} · W_i + W_t {projections:,} · temperature t: {scale}",
        "image_tower": "Image tower",
        "text_tower": "Text tower",
        "images": "images",
        "tokens": "captions → tokens",
        "vit": "ViT",
        "resnet": "ResNet",
        "vit_detail": "{grid}×{grid} patches of {patch}×{patch} px",
        "resnet_stages": "{stages} stages × {blocks} blocks",
        "resnet_stages_1": "{stages} stages × 1 block",
        "resnet_detail": "width {width} · {pool} pool",
        "pool_attention": "attention",
        "pool_mean": "mean",
        "text_encoder": "Transformer",
        "text_detail": "read at <eot>",
        "layers": "{layers} layers · width {width}",
        "layer": "1 layer · width {width}",
        "project": "project",
        "l2": "L2 norm",
        "unit": "length 1",
        "joint": "shared space: {d} dimensions",
        "logits": "logits",
        "probabilities": "row softmax P(text | image)",
        "footer": "n = {n} image–caption pairs: the samples below · shapes measured by running the model · "
                  "green squares: the correct pairs",
    },
    "zh": {
        "title": "{model} · 图像编码器 {encoder} · 共 {total:,} 个参数",
        "breakdown": "图像塔 {image:,} · 文本塔 {text:,} · W_i + W_t {projections:,} · 温度 t：{scale}",
        "image_tower": "图像塔",
        "text_tower": "文本塔",
        "images": "图像",
        "tokens": "描述 → 词元",
        "vit": "ViT",
        "resnet": "ResNet",
        "vit_detail": "{grid}×{grid} 个 {patch}×{patch} 像素块",
        "resnet_stages": "{stages} 个阶段 × {blocks} 个残差块",
        "resnet_stages_1": "{stages} 个阶段 × 1 个残差块",
        "resnet_detail": "宽度 {width} · {pool}池化",
        "pool_attention": "注意力",
        "pool_mean": "平均",
        "text_encoder": "Transformer",
        "text_detail": "在 <eot> 处读出",
        "layers": "{layers} 层 · 宽度 {width}",
        "layer": "1 层 · 宽度 {width}",
        "project": "投影",
        "l2": "L2 归一化",
        "unit": "长度为 1",
        "joint": "共享空间：{d} 维",
        "logits": "logits",
        "probabilities": "按行 softmax：P(文本 | 图像)",
        "footer": "n = {n} 个图文对，即下方的样例 · 形状由实际运行模型测得 · 绿框：正确配对",
    },
}


def _shape(dims) -> str:
    return "[" + ", ".join(str(int(d)) for d in dims) + "]"


def _text(x: float, y: float, content: str, size: int = 14, weight: int = 400, anchor: str = "middle",
          mono: bool = False, color: str = "currentColor") -> str:
    family = MONO if mono else SANS
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-family="{escape(family)}" font-size="{size}" '
            f'font-weight="{weight}" text-anchor="{anchor}" fill="{color}">{escape(content)}</text>')


def _box(x: float, y: float, w: float, h: float, color: str, lines: list[tuple[str, dict]]) -> str:
    """A rounded box tinted with the tower's colour, its lines centred vertically."""
    parts = [f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="{color}" fill-opacity="0.10" '
             f'stroke="{color}" stroke-width="2"/>']
    step = 18
    top = y + h / 2 - step * (len(lines) - 1) / 2 + 5
    for i, (content, style) in enumerate(lines):
        parts.append(_text(x + w / 2, top + i * step, content, **style))
    return "".join(parts)


def _arrow(x0: float, x1: float, y: float, color: str, marker: str) -> str:
    return (f'<line x1="{x0}" y1="{y}" x2="{x1 - 2}" y2="{y}" stroke="{color}" stroke-width="2" '
            f'marker-end="url(#{marker})"/>')


def _tensor_label(x0: float, x1: float, y: float, name: str, dims, color: str) -> str:
    """The tensor travelling along an arrow: its name above the arrow, its shape below."""
    middle = (x0 + x1) / 2
    return (_text(middle, y - 9, name, size=15, weight=700, mono=True, color=color)
            + _text(middle, y + 21, _shape(dims), size=13, mono=True))


def _layers(t: dict[str, str], layers: int, width: int) -> str:
    return t["layer" if layers == 1 else "layers"].format(layers=layers, width=width)


def _cividis(p: float) -> str:
    p = min(1.0, max(0.0, float(p)))
    for (p0, c0), (p1, c1) in zip(CIVIDIS, CIVIDIS[1:], strict=False):
        if p <= p1:
            f = (p - p0) / (p1 - p0)
            r, g, b = (round(a + f * (b - a)) for a, b in zip(c0, c1, strict=True))
            return f"#{r:02x}{g:02x}{b:02x}"
    return "#ffea46"


def _heatmap(cx: float, y: float, probabilities, side: float = 96) -> str:
    """A small row-softmax heatmap with the diagonal outlined as in the logits lesson."""
    n = len(probabilities)
    cell = side / n
    x0 = cx - side / 2
    parts = []
    for i, row in enumerate(probabilities):
        for j, p in enumerate(row):
            parts.append(f'<rect x="{x0 + j * cell:.2f}" y="{y + i * cell:.2f}" width="{cell:.2f}" '
                         f'height="{cell:.2f}" fill="{_cividis(p)}"/>')
    for i in range(n):
        parts.append(f'<rect x="{x0 + i * cell + 0.75:.2f}" y="{y + i * cell + 0.75:.2f}" width="{cell - 1.5:.2f}" '
                     f'height="{cell - 1.5:.2f}" fill="none" stroke="{COLORS["diagonal"]}" stroke-width="1.5"/>')
    return "".join(parts)


def two_tower_svg(shapes: dict, lang: str) -> str:
    """The two towers of CLIP as an inline SVG (responsive: width 100 %).

    Args:
        shapes: measured on one batch (see overview.measure_shapes): n; images, tokens, I_f, T_f,
            W_i, W_t, I_e, T_e, logits (lists of dims); scale (exp t); encoder ("vit"/"resnet");
            config (the ModelConfig as a dict); parameters (total, image, text, projections,
            scale); model_label; optionally p_image_to_text (an [n, n] nested list).
        lang: "en" or "zh".
    """
    t = LABELS.get(lang, LABELS["en"])
    config = shapes["config"]
    image, text = COLORS["image"], COLORS["text"]
    neutral = COLORS["neutral"]
    row_image, row_text = 126, 266  # arrow heights of the two towers
    box_h = 76
    mono13 = dict(size=13, mono=True)
    bold = dict(size=15, weight=700)
    if shapes["encoder"] == "vit":
        grid = config["image_size"] // config["patch_size"]
        image_layers = _layers(t, config["vision_layers"], shapes["I_f"][1])
        image_detail = t["vit_detail"].format(grid=grid, patch=config["patch_size"])
    else:
        blocks = config["vision_layers"]
        image_layers = t["resnet_stages_1" if blocks == 1 else "resnet_stages"].format(
            stages=len(config["resnet_widths"]), blocks=blocks)
        image_detail = t["resnet_detail"].format(width=shapes["I_f"][1], pool=t["pool_" + config["resnet_pool"]])
    text_layers = _layers(t, config["text_layers"], shapes["T_f"][1])
    scale = float(shapes["scale"])
    params = shapes["parameters"]

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'style="max-width:{WIDTH * 1.4:.0f}px;height:auto;display:block;margin:0 auto" role="img" '
        f'aria-label="{escape(t["image_tower"])} / {escape(t["text_tower"])}">',
        "<defs>",
        *(f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
          f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>'
          for name, color in (("image", image), ("text", text))),
        "</defs>",
        _text(10, 24, t["title"].format(model=shapes["model_label"], encoder=t[shapes["encoder"]],
                                        total=params["total"]), size=16, weight=700, anchor="start"),
        _text(10, 46, t["breakdown"].format(**params), size=13, anchor="start", color=neutral),
        _text(10, 76, t["image_tower"], size=14, weight=700, anchor="start", color=image),
        _text(10, 216, t["text_tower"], size=14, weight=700, anchor="start", color=text),
    ]
    for y, color, marker, first, encoder, tensors, projection in (
        (row_image, image, "arrow-image",
         [(t["images"], bold), (_shape(shapes["images"]), mono13)],
         [(t[shapes["encoder"]], bold), (image_layers, dict(size=13)), (image_detail, dict(size=13))],
         ("I_f", shapes["I_f"], "I_e", shapes["I_e"]), ("@ W_i", shapes["W_i"])),
        (row_text, text, "arrow-text",
         [(t["tokens"], bold), (_shape(shapes["tokens"]), mono13)],
         [(t["text_encoder"], bold), (text_layers, dict(size=13)), (t["text_detail"], dict(size=13))],
         ("T_f", shapes["T_f"], "T_e", shapes["T_e"]), ("@ W_t", shapes["W_t"])),
    ):
        top = y - box_h / 2
        parts += [
            _box(10, top, 140, box_h, color, first),
            _arrow(150, 170, y, color, marker),
            _box(170, top, 160, box_h, color, encoder),
            _arrow(330, 420, y, color, marker),
            _tensor_label(330, 420, y, tensors[0], tensors[1], color),
            _box(420, top, 96, box_h, color, [(projection[0], dict(size=15, weight=700, mono=True)),
                                              (_shape(projection[1]), mono13), (t["project"], dict(size=13))]),
            _arrow(516, 536, y, color, marker),
            _box(536, top, 84, box_h, color, [(t["l2"], dict(size=14, weight=700)), (t["unit"], dict(size=13))]),
            _arrow(620, 706, y, color, marker),
            _tensor_label(620, 706, y, tensors[2], tensors[3], color),
        ]
    # I_e and T_e live in one space: that is what makes their dot products comparable
    parts += [
        f'<line x1="663" y1="{row_image + 28}" x2="663" y2="{row_text - 32}" stroke="{neutral}" stroke-width="1.5" '
        f'stroke-dasharray="4 4"/>',
        _text(655, (row_image + row_text) / 2 + 5, t["joint"].format(d=shapes["I_e"][1]), size=13, anchor="end",
              color=neutral),
    ]
    # the logits matrix
    lx, ly, lw, lh = 706, row_image - 52, 186, row_text - row_image + 100
    cx = lx + lw / 2
    parts += [
        f'<rect x="{lx}" y="{ly}" width="{lw}" height="{lh}" rx="8" fill="{neutral}" fill-opacity="0.08" '
        f'stroke="{neutral}" stroke-width="2"/>',
        _text(cx, ly + 24, f'{t["logits"]} {_shape(shapes["logits"])}', size=15, weight=700),
        _text(cx, ly + 46, "I_e @ T_e.T · exp(t)", size=13, mono=True),
    ]
    heat_top = ly + 58
    if shapes.get("p_image_to_text") is not None:
        parts.append(_heatmap(cx, heat_top, shapes["p_image_to_text"]))
        parts.append(_text(cx, heat_top + 96 + 20, t["probabilities"], size=13))
    parts += [
        _text(cx, ly + lh - 30, f"exp(t) = {scale:.2f}", size=14, weight=700, mono=True),
        _text(cx, ly + lh - 11, f"τ = 1/exp(t) = {1 / scale:.4f}", size=13, mono=True),
        _text(WIDTH / 2, HEIGHT - 8, t["footer"].format(n=shapes["n"]), size=13, color=neutral),
        "</svg>",
    ]
    return "".join(parts)
