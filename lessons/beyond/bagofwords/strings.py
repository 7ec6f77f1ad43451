"""UI strings of the "Bag of words" tab (the bag-of-words blind spot and hard negatives)."""

from __future__ import annotations

STRINGS = {
    "en": {
        "bagofwords.tab": "Bag of words",
        "bagofwords.scene": "Two-object scene",
        "bagofwords.caption": "Your own caption (optional)",
        "bagofwords.caption_placeholder": "e.g. a blue circle left of a red square",
        "bagofwords.score": "Score",
        "bagofwords.benchmark_heading": "### The benchmark: true caption against its swapped twin, on 256 scenes",
        "bagofwords.name_scene": "Scene",
        "bagofwords.err_caption_text": "The caption must be text (got {value}).",
        "bagofwords.err_caption_long": "That caption has {n} characters: at most {max} fit (a caption is one short line).",
        "bagofwords.err_caption_words": ("“{caption}” has no word the models know: only its start and end "
                                         "tokens would be scored. Try words such as red, circle, left of, above."),
        "bagofwords.missing": ("The shipped checkpoints of this lesson are missing ({folder}). Re-create them with "
                               "`python -m clip_core.train --preset relations --out assets/toy_clip_relations` and "
                               "the same command with `--hard-negatives --out assets/toy_clip_relations_negclip`."),
        "bagofwords.model_relations": "trained on random batches",
        "bagofwords.model_negclip": "+ swapped captions as hard negatives",
        "bagofwords.kind_truth": "true caption",
        "bagofwords.kind_attributes": "colours swapped",
        "bagofwords.kind_objects": "objects swapped",
        "bagofwords.kind_yours": "your caption",
        "bagofwords.kind_retrieval": "two-object retrieval<br>(1 of 256 captions)",
        "bagofwords.bars_title": "One scene, its true caption and the same words swapped: softmax over the list (bars), cosine (labels)",
        "bagofwords.bars_x": "probability (softmax over these captions)",
        "bagofwords.bench_title": ("How often the true caption scores higher than its swapped twin "
                                   "(256 test scenes × 2 wordings = 512 comparisons per kind)"),
        "bagofwords.bench_y": "accuracy",
        "bagofwords.bench_chance": "chance: 50 %",
        "bagofwords.read_scene": ("**Scene {index}:** {objects}. True caption: “{truth}”. Its swapped twins use "
                                  "exactly the same words."),
        "bagofwords.read_model": ("**{model}:** cosine with the truth {truth:.3f}, colours swapped {attributes:.3f}, "
                                  "objects swapped {objects:.3f} → {verdict}"),
        "bagofwords.verdict_both": "the truth wins both.",
        "bagofwords.verdict_attributes": "the truth beats the colour swap, but not the object swap.",
        "bagofwords.verdict_objects": "the truth beats the object swap, but not the colour swap.",
        "bagofwords.verdict_none": "the truth loses to both swaps.",
        "bagofwords.read_yours": "Your caption “{caption}”: cosine {a:.3f} (first model), {b:.3f} (hard negatives).",
        "bagofwords.read_unknown": ("⚠ Words the models never saw (each becomes one `<unk>` token, so they carry no "
                                    "meaning): {words}."),
        "bagofwords.read_truncated": ("⚠ Your caption is longer than the models' {n} tokens: the end was cut off "
                                      "before scoring."),
        "bagofwords.bench_read": ("**Measured now on the shipped models** (the same numbers their metrics.json "
                                  "recorded at training): trained on random batches, the truth beats the colour swap "
                                  "in {a1:.1%} ({c1}/{t1}) and the object swap in {o1:.1%} ({d1}/{t1}); with hard "
                                  "negatives, {a2:.1%} ({c2}/{t2}) and {o2:.1%} ({d2}/{t2}). Plain retrieval of each "
                                  "scene's caption among all 256: {r1:.1%} before, {r2:.1%} after."),
        "bagofwords.objects": "a {a} {where_a}, a {b} {where_b}",
        "bagofwords.where_left": "on the left",
        "bagofwords.where_right": "on the right",
        "bagofwords.where_top": "at the top",
        "bagofwords.where_bottom": "at the bottom",
    },
    "zh": {
        "bagofwords.tab": "词袋盲点",
        "bagofwords.scene": "双物体场景",
        "bagofwords.caption": "自己写一条描述（可选，英文）",
        "bagofwords.caption_placeholder": "例如 a blue circle left of a red square",
        "bagofwords.score": "打分",
        "bagofwords.benchmark_heading": "### 基准测试：256 个场景里，真描述和调换后的描述比分",
        "bagofwords.name_scene": "场景",
        "bagofwords.err_caption_text": "描述必须是文本（收到的是 {value}）。",
        "bagofwords.err_caption_long": "这条描述有 {n} 个字符，最多 {max} 个（描述只是一行短句）。",
        "bagofwords.err_caption_words": ("“{caption}”里没有模型认识的词，能打分的只剩开头和结尾两个词元。"
                                         "试试 red、circle、left of、above 这样的词。"),
        "bagofwords.missing": ("本课用到的随附模型不存在（{folder}）。请用 "
                               "`python -m clip_core.train --preset relations --out assets/toy_clip_relations` "
                               "重新生成，并用同一命令加 `--hard-negatives --out assets/toy_clip_relations_negclip` "
                               "生成第二个。"),
        "bagofwords.model_relations": "随机批次训练",
        "bagofwords.model_negclip": "+ 把调换后的描述作为困难负样本",
        "bagofwords.kind_truth": "真描述",
        "bagofwords.kind_attributes": "颜色互换",
        "bagofwords.kind_objects": "物体互换",
        "bagofwords.kind_yours": "你的描述",
        "bagofwords.kind_retrieval": "双物体检索<br>（256 条描述里选 1 条）",
        "bagofwords.bars_title": "一个场景：真描述与调换词序的描述。柱子是这几条描述上的 softmax 概率，标签里是余弦相似度",
        "bagofwords.bars_x": "概率（在这几条描述上做 softmax）",
        "bagofwords.bench_title": "真描述得分高于调换版本的比例（256 个测试场景 × 2 种说法 = 每类 512 次比较）",
        "bagofwords.bench_y": "准确率",
        "bagofwords.bench_chance": "随机水平：50%",
        "bagofwords.read_scene": "**场景 {index}**：{objects}。真描述：“{truth}”。调换后的两条描述用的词完全相同。",
        "bagofwords.read_model": ("**{model}**：与真描述的余弦 {truth:.3f}，颜色互换 {attributes:.3f}，"
                                  "物体互换 {objects:.3f} → {verdict}"),
        "bagofwords.verdict_both": "两次都是真描述胜出。",
        "bagofwords.verdict_attributes": "真描述赢了颜色互换，却输给了物体互换。",
        "bagofwords.verdict_objects": "真描述赢了物体互换，却输给了颜色互换。",
        "bagofwords.verdict_none": "真描述两次都输了。",
        "bagofwords.read_yours": "你的描述“{caption}”：余弦 {a:.3f}（第一个模型），{b:.3f}（困难负样本模型）。",
        "bagofwords.read_unknown": "⚠ 模型从没见过的词（每个都变成一个 `<unk>` 词元，不带任何意思）：{words}。",
        "bagofwords.read_truncated": "⚠ 你的描述超过了模型的 {n} 个词元，结尾被截掉后才打分。",
        "bagofwords.bench_read": ("**在随附模型上现场测得**（与它们训练时写进 metrics.json 的数字相同）："
                                  "随机批次训练的模型，真描述赢过颜色互换 {a1:.1%}（{c1}/{t1}），赢过物体互换 "
                                  "{o1:.1%}（{d1}/{t1}）；加了困难负样本后分别是 {a2:.1%}（{c2}/{t2}）和 "
                                  "{o2:.1%}（{d2}/{t2}）。在全部 256 条描述里检索每个场景自己的描述：之前 {r1:.1%}，"
                                  "之后 {r2:.1%}。"),
        "bagofwords.objects": "{where_a}边是{a}，{where_b}边是{b}",
        "bagofwords.where_left": "左",
        "bagofwords.where_right": "右",
        "bagofwords.where_top": "上",
        "bagofwords.where_bottom": "下",
    },
}
