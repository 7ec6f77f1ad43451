"""UI strings of the "Your photos" tab, and the notes other lessons show when the pretrained CLIP is picked."""

from __future__ import annotations

STRINGS = {
    "en": {
        "photos.tab": "Your photos (real CLIP)",
        "photos.files": "Your images (PNG, JPEG, WebP, GIF, BMP)",
        "photos.examples": "Use example pictures",
        "photos.preview": "Images in this batch, in order",
        "photos.captions": "Captions, one per line, in the same order as the images",
        "photos.view": "Show",
        "photos.log_tau": "log₁₀ τ (temperature)",
        "photos.learned": "Use the model's learned temperature",
        "photos.run_logits": "Compute the logits matrix",
        "photos.zs_heading": "### Zero-shot: which class does each picture belong to?",
        "photos.classes": "Class names (comma-separated)",
        "photos.templates": "Prompt templates, one per line, each with {}",
        "photos.classify": "Classify my pictures",
        "photos.search_heading": "### Search: find your pictures by description",
        "photos.query": "Describe a picture",
        "photos.k": "Results",
        "photos.search": "Search",
        "photos.results": "Best matches first (cosine similarity)",
        "photos.toy_note": ("You are using a **toy CLIP**: it has only ever seen 32-pixel coloured shapes and knows a few "
                            "dozen words, so on photos its answers are close to guessing. Pick the **pretrained CLIP** "
                            "in the header for real photos; the toy model still works here, to show that contrast."),
        "photos.loaded": "{n} picture(s) ready ({model}).",
        "photos.unknown": "⚠ Words the toy model does not know, read as `<unk>`: **{words}**",
        "photos.rejected": "Skipped: {reasons}",
        "photos.none": "Upload some pictures first, or press **Use example pictures**.",
        "photos.too_many": ("{n} files: at most {max} pictures per batch (the operator can raise CLIP_LAB_MAX_PHOTOS). "
                            "The first {max} are used."),
        "photos.caption_count": ("{images} picture(s) but {captions} caption(s): write exactly one caption per "
                                 "picture, in the same order (at most {max})."),
        "photos.caption_long": "Caption {line} is longer than {max} characters; shorten it.",
        "photos.need_two": "The logits matrix needs at least two pictures with their captions.",
        "photos.query_empty": "Type a description to search for.",
        "photos.query_long": "The description is longer than {max} characters; shorten it.",
        "photos.logits_summary": ("**{n} × {n} logits** = cosine × {scale:.2f}. Loss (both directions, averaged) "
                                  "**{loss:.3f}**; a model that cannot tell the pairs apart scores ln {n} = "
                                  "{chance:.3f}. Each picture's best caption is its own for **{right} of {n}** rows."),
        "photos.zs_title": "P(class | picture): each row sums to 1",
        "photos.zs_x": "class",
        "photos.zs_y": "picture",
        "photos.zs_summary": ("**{n} picture(s) × {c} classes**, {t} template(s) averaged into one text embedding per "
                              "class, softmax at scale {scale:.2f}. Most likely: {best}."),
        "photos.search_summary": "Ranked {n} picture(s) by cosine with “{query}”: {ranking}.",
        "photos.example_classes": "red circle, blue square, green triangle, yellow star, purple heart, orange cross",
        "photos.default_templates": "a photo of a {}.\na {}",
        "photos.example_query": "a red circle",
    },
    "zh": {
        "photos.tab": "你的图片（真实 CLIP）",
        "photos.files": "你的图片（PNG、JPEG、WebP、GIF、BMP）",
        "photos.examples": "使用示例图片",
        "photos.preview": "本批图片（按顺序）",
        "photos.captions": "描述，每行一条，顺序与图片相同",
        "photos.view": "显示",
        "photos.log_tau": "log₁₀ τ（温度）",
        "photos.learned": "使用模型学到的温度",
        "photos.run_logits": "计算 logits 矩阵",
        "photos.zs_heading": "### 零样本：每张图片属于哪一类？",
        "photos.classes": "类别名（用逗号分隔）",
        "photos.templates": "提示模板，每行一个，都要含 {}",
        "photos.classify": "给我的图片分类",
        "photos.search_heading": "### 检索：用文字找到你的图片",
        "photos.query": "描述一张图片",
        "photos.k": "结果数",
        "photos.search": "检索",
        "photos.results": "最匹配的在前（余弦相似度）",
        "photos.toy_note": ("你正在使用**玩具 CLIP**：它只见过 32 像素的彩色形状，只认识几十个词，所以面对照片时它的回答"
                            "接近瞎猜。要处理真实照片，请在页首选择**预训练 CLIP**；玩具模型在这里照样能运行，"
                            "正好用来对比。"),
        "photos.loaded": "已准备好 {n} 张图片（{model}）。",
        "photos.unknown": "⚠ 玩具模型不认识这些词，会读成 `<unk>`：**{words}**",
        "photos.rejected": "已跳过：{reasons}",
        "photos.none": "请先上传一些图片，或点击**使用示例图片**。",
        "photos.too_many": "共 {n} 个文件：每批最多 {max} 张图片（运营者可以调高 CLIP_LAB_MAX_PHOTOS），只使用前 {max} 张。",
        "photos.caption_count": "有 {images} 张图片，却有 {captions} 条描述：请为每张图片写且只写一条描述，顺序相同（最多 {max} 条）。",
        "photos.caption_long": "第 {line} 条描述超过 {max} 个字符，请缩短。",
        "photos.need_two": "logits 矩阵至少需要两张图片及其描述。",
        "photos.query_empty": "请输入要检索的描述。",
        "photos.query_long": "描述超过 {max} 个字符，请缩短。",
        "photos.logits_summary": ("**{n} × {n} 的 logits** = 余弦 × {scale:.2f}。损失（两个方向的平均）**{loss:.3f}**；"
                                  "完全分不清配对的模型得分为 ln {n} = {chance:.3f}。在 **{n} 行中有 {right} 行**，"
                                  "图片得分最高的描述正是它自己的。"),
        "photos.zs_title": "P(类别 | 图片)：每一行的和为 1",
        "photos.zs_x": "类别",
        "photos.zs_y": "图片",
        "photos.zs_summary": ("**{n} 张图片 × {c} 个类别**，{t} 个模板平均成每类一个文本嵌入，softmax 的缩放为 {scale:.2f}。"
                              "最可能的类别：{best}。"),
        "photos.search_summary": "按与“{query}”的余弦相似度给 {n} 张图片排序：{ranking}。",
        "photos.example_classes": "red circle, blue square, green triangle, yellow star, purple heart, orange cross",
        "photos.default_templates": "a photo of a {}.\na {}",
        "photos.example_query": "a red circle",
    },
}
