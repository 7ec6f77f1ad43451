"""UI strings of the "Two languages" tab (English and Chinese captions, issue 10)."""

from __future__ import annotations

from clip_core.data import COLOURS, SHAPES

PAIRS = len(COLOURS) * len(SHAPES)  # colour-shape classes of the toy world

STRINGS = {
    "en": {
        "crosslingual.tab": "Two languages",
        "crosslingual.model": "Model for the matrix and the map",
        "crosslingual.model.bilingual": "trained on English + Chinese captions",
        "crosslingual.model.shipped": "trained on English captions only",
        "crosslingual.n": "Scenes (n)",
        "crosslingual.seed": "Scene seed",
        "crosslingual.new": "New scenes",
        "crosslingual.show_images": "Show the pictures' embeddings on the map",
        "crosslingual.compare_heading": ("### Chinese prompts after English-only and after mixed training\n"
                                         f"Zero-shot classification of the test set into all {PAIRS} colour–shape "
                                         "classes, measured now with both shipped models."),
        "crosslingual.matrix_title": "cos(English caption, Chinese caption): the same {n} scenes, {model}",
        "crosslingual.english": "English captions (rows), with each scene's picture",
        "crosslingual.chinese": "Chinese captions (columns)",
        "crosslingual.hover_english": "English",
        "crosslingual.hover_chinese": "Chinese",
        "crosslingual.cosine": "cosine",
        "crosslingual.map_title": "Caption embeddings on their first two principal components ({model})",
        "crosslingual.english_points": "English caption",
        "crosslingual.chinese_points": "Chinese caption",
        "crosslingual.image_points": "picture",
        "crosslingual.pair_line": "translation pair",
        "crosslingual.image_line": "picture – its captions",
        "crosslingual.pc1": "principal component 1",
        "crosslingual.pc2": "principal component 2",
        "crosslingual.bars_title": "Zero-shot accuracy on {n} test pictures, " + f"{PAIRS} classes",
        "crosslingual.bars_y": "accuracy (%)",
        "crosslingual.prompts_en": "English prompt “{template}”",
        "crosslingual.prompts_zh": "Chinese prompt “{template}”",
        "crosslingual.chance": f"chance 1/{PAIRS}",
        "crosslingual.group.shipped": "trained on English only",
        "crosslingual.group.bilingual": "trained on English + Chinese",
        # read-outs
        "crosslingual.diagonal": ("**Translation pairs** (the diagonal): mean cosine **{diagonal:.3f}** "
                                  "(lowest {low:.3f}); every other English–Chinese pair: mean **{off:.3f}**."),
        "crosslingual.pictures": ("Each picture and its own captions: mean cosine **{en:.3f}** with the English one, "
                                  "**{zh:.3f}** with the Chinese one."),
        "crosslingual.matches": ("For **{en_to_zh} of {n}** English captions the closest Chinese caption is its own "
                                 "translation ({zh_to_en} of {n} the other way round); picking at random would "
                                 "find about 1 of {n}."),
        "crosslingual.reads": "How this model reads scene 0:",
        "crosslingual.distinct": ("Tokenized, the {n} Chinese captions give **{distinct}** different token "
                                  "sequences."),
        "crosslingual.unk_note": ("This model's vocabulary has no Chinese word. Its tokenizer cuts Chinese text "
                                  "at the punctuation marks and turns each stretch it cannot match into a single "
                                  "`<unk>` token, so a Chinese caption reaches the text tower as a few `<unk>`s "
                                  "and nothing about colour, shape, size or place."),
        "crosslingual.map_note": ("The map is a flat projection of {d}-dimensional embeddings: points that look "
                                  "close here may be apart in the directions it leaves out. The matrix above shows "
                                  "the true cosines."),
        "crosslingual.table_model": "model",
        "crosslingual.table_all": "all",
        "crosslingual.cell": "{all:.1f} % (held-out pairs {held:.1f} %)",
        "crosslingual.compare_measured": ("Measured on {n} test pictures ({per_pair} of each colour–shape pair, held-out "
                                          "pairs included) in {seconds:.2f} s; the same numbers for every learner, so "
                                          "they are computed once per server."),
        "crosslingual.compare_collapse": ("With English-only training, the {c} Chinese class prompts are tokenized "
                                          "into only **{distinct}** distinct sequence(s), e.g. “{example}” → `{tokens}`. Identical "
                                          "prompts give identical class embeddings, so every picture gets the same "
                                          "score for every class and the prediction is simply the first class in the "
                                          "list: that is the {zh_en:.1f} % above."),
        "crosslingual.compare_mixed": ("With mixed training the same Chinese prompts score **{zh_mixed:.1f} %**, "
                                       "{delta:+.1f} points against the same model's English prompt."),
        "crosslingual.err_model": "Choose which shipped model to look at: {choices} (got {value!r}).",
        "crosslingual.err_missing": ("The bilingual checkpoint (assets/toy_clip_bilingual) is missing: create it with "
                                     "python -m clip_core.train --preset default --captions mixed --out "
                                     "assets/toy_clip_bilingual"),
    },
    "zh": {
        "crosslingual.tab": "中英互通",
        "crosslingual.model": "矩阵和散点图使用的模型",
        "crosslingual.model.bilingual": "用中英文描述训练",
        "crosslingual.model.shipped": "只用英文描述训练",
        "crosslingual.n": "场景数（n）",
        "crosslingual.seed": "场景随机种子",
        "crosslingual.new": "换一批场景",
        "crosslingual.show_images": "在散点图上显示图片的嵌入",
        "crosslingual.compare_heading": ("### 只用英文训练与中英混合训练之后的中文提示词\n"
                                         f"把测试集图片零样本分类到全部 {PAIRS} 个颜色–形状类别，用两个随附模型现场实测。"),
        "crosslingual.matrix_title": "cos(英文描述, 中文描述)：同样的 {n} 个场景，{model}",
        "crosslingual.english": "英文描述（行），旁边是每个场景的图片",
        "crosslingual.chinese": "中文描述（列）",
        "crosslingual.hover_english": "英文",
        "crosslingual.hover_chinese": "中文",
        "crosslingual.cosine": "余弦",
        "crosslingual.map_title": "描述嵌入在前两个主成分上的投影（{model}）",
        "crosslingual.english_points": "英文描述",
        "crosslingual.chinese_points": "中文描述",
        "crosslingual.image_points": "图片",
        "crosslingual.pair_line": "互为翻译的一对",
        "crosslingual.image_line": "图片 – 它的描述",
        "crosslingual.pc1": "主成分 1",
        "crosslingual.pc2": "主成分 2",
        "crosslingual.bars_title": "在 {n} 张测试图上的零样本准确率，" + f"{PAIRS} 个类别",
        "crosslingual.bars_y": "准确率（%）",
        "crosslingual.prompts_en": "英文提示词“{template}”",
        "crosslingual.prompts_zh": "中文提示词“{template}”",
        "crosslingual.chance": f"随机水平 1/{PAIRS}",
        "crosslingual.group.shipped": "只用英文训练",
        "crosslingual.group.bilingual": "中英混合训练",
        "crosslingual.diagonal": ("**互为翻译的描述**（对角线）：平均余弦 **{diagonal:.3f}**（最低 {low:.3f}）；"
                                  "其余所有中英组合：平均 **{off:.3f}**。"),
        "crosslingual.pictures": "每张图片与它自己的描述：和英文描述的平均余弦 **{en:.3f}**，和中文描述 **{zh:.3f}**。",
        "crosslingual.matches": ("{n} 条英文描述中有 **{en_to_zh} 条**，与它最相似的中文描述正是它自己的翻译"
                                 "（反过来是 {zh_to_en} / {n}）；随便猜大约只能猜中 1 / {n}。"),
        "crosslingual.reads": "这个模型怎样读第 0 个场景：",
        "crosslingual.distinct": "{n} 条中文描述分词后得到 **{distinct}** 种不同的词元序列。",
        "crosslingual.unk_note": ("这个模型的词表里没有任何中文词。分词器在标点处把中文切开，每一段匹配不上的文字都变成"
                                  "一个 `<unk>` 词元，所以中文描述送进文本塔时只剩几个 `<unk>`，颜色、形状、大小、位置"
                                  "的信息全都没有了。"),
        "crosslingual.map_note": "散点图只是把 {d} 维嵌入压平后的投影：这里看起来挨得近的点，在被省略的方向上可能相距很远。"
                                 "真实的余弦请看上面的矩阵。",
        "crosslingual.table_model": "模型",
        "crosslingual.table_all": "全部",
        "crosslingual.cell": "{all:.1f} %（留出组合 {held:.1f} %）",
        "crosslingual.compare_measured": ("在 {n} 张测试图上实测（每个颜色–形状组合 {per_pair} 张，含留出组合），用时 "
                                          "{seconds:.2f} 秒；这些数字对每个学习者都一样，所以服务器只算一次。"),
        "crosslingual.compare_collapse": ("只用英文训练时，{c} 个中文类别提示词分词后只剩 **{distinct}** 种不同的词元序列，"
                                          "例如“{example}” → `{tokens}`。提示词相同，类别嵌入就相同，每张图对每个类别的"
                                          "得分都一样，预测结果只是清单里的第一个类别：这就是上面的 {zh_en:.1f} %。"),
        "crosslingual.compare_mixed": ("中英混合训练后，同样的中文提示词达到 **{zh_mixed:.1f} %**，"
                                       "与同一个模型的英文提示词相差 {delta:+.1f} 个百分点。"),
        "crosslingual.err_model": "请选择要看的随附模型：{choices}（收到的是 {value!r}）。",
        "crosslingual.err_missing": ("缺少双语模型（assets/toy_clip_bilingual）：请用 python -m clip_core.train --preset "
                                     "default --captions mixed --out assets/toy_clip_bilingual 生成。"),
    },
}
