"""UI strings of lesson 6 (zero-shot & prompts), English and Simplified Chinese."""

from clip_core.data import COLOURS, SHAPES, ShapesWorld
from clip_core.zeroshot import TEMPLATE_SETS
from lessons.common.limits import LIMITS  # the upload label states the operator's limits, read once at start-up

PAIRS, N_SHAPES, N_COLOURS = len(COLOURS) * len(SHAPES), len(SHAPES), len(COLOURS)
N_HELD = len(ShapesWorld.held_out_pairs)
N_ALL_EN = len(dict.fromkeys(t for k, ts in TEMPLATE_SETS.items() if not k.endswith("_zh") for t in ts))
N_ALL_ZH = len(dict.fromkeys(t for k, ts in TEMPLATE_SETS.items() if k.endswith("_zh") for t in ts))
N_ENSEMBLE, N_ENSEMBLE_ZH = len(TEMPLATE_SETS["ensemble"]), len(TEMPLATE_SETS["ensemble_zh"])

STRINGS = {
    "en": {
        "zeroshot.tab": "6 · Zero-shot & prompts",
        "zeroshot.class_set": "Start from a class set",
        "zeroshot.class_set.colour_shape": f"colour + shape ({PAIRS} pairs)",
        "zeroshot.class_set.shape": f"shapes ({N_SHAPES})",
        "zeroshot.class_set.colour": f"colours ({N_COLOURS})",
        "zeroshot.class_set.held_out": f"held-out pairs only ({N_HELD})",
        "zeroshot.class_set.colour_shape_zh": f"Chinese: colour + shape ({PAIRS} pairs)",
        "zeroshot.class_set.shape_zh": f"Chinese: shapes ({N_SHAPES})",
        "zeroshot.class_set.colour_zh": f"Chinese: colours ({N_COLOURS})",
        "zeroshot.class_set.held_out_zh": f"Chinese: held-out pairs only ({N_HELD})",
        "zeroshot.classes": "Class names, English or Chinese: edit freely (comma or new line between names)",
        "zeroshot.template_set": "Start from a template set",
        "zeroshot.template_set.all": f"every English template ({N_ALL_EN})",
        "zeroshot.template_set.bare": "bare label: {}",
        "zeroshot.template_set.photo": "a photo of a {}.",
        "zeroshot.template_set.sketch": "a sketch of a {}.",
        "zeroshot.template_set.pixel": "pixel art of a {}.",
        "zeroshot.template_set.styles": "one per style (3)",
        "zeroshot.template_set.colour_context": "for colours: a photo of something {}.",
        "zeroshot.template_set.ensemble": f"ensemble: styles, sizes, a place ({N_ENSEMBLE})",
        "zeroshot.template_set.all_zh": f"Chinese: every Chinese template ({N_ALL_ZH})",
        "zeroshot.template_set.bare_zh": "Chinese: bare label {}",
        "zeroshot.template_set.photo_zh": "Chinese: 一张{}的照片",
        "zeroshot.template_set.sketch_zh": "Chinese: 一张{}的素描",
        "zeroshot.template_set.pixel_zh": "Chinese: 一张{}的像素画",
        "zeroshot.template_set.styles_zh": "Chinese: one per style (3)",
        "zeroshot.template_set.ensemble_zh": f"Chinese: styles, sizes, a place ({N_ENSEMBLE_ZH})",
        "zeroshot.templates": "Templates: one per line, {} marks where the class name goes",
        "zeroshot.ensemble": "How several templates are combined",
        "zeroshot.ensemble.embedding": "average the embeddings (paper)",
        "zeroshot.ensemble.probability": "average the probabilities",
        "zeroshot.source": "Image to classify",
        "zeroshot.source.test": "from the test set",
        "zeroshot.source.sketch": "draw one",
        "zeroshot.source.upload": "upload one",
        "zeroshot.pair": "Colour–shape pair (★ = held out, never seen in training)",
        "zeroshot.variant": "Which image of this pair (size, place and style vary)",
        "zeroshot.sketch": "Your drawing",
        "zeroshot.upload": (f"Upload an image (PNG/JPEG, up to {LIMITS.max_upload_mb:g} MB and "
                            f"{LIMITS.max_image_side} px)"),
        "zeroshot.preview": "What the model sees (32 × 32)",
        "zeroshot.classify": "Classify",
        "zeroshot.log_tau": "Softmax temperature log₁₀ τ (← sharper · flatter →)",
        "zeroshot.learned": "Use the model's learned τ",
        "zeroshot.top_k": "Bars shown (top k)",
        "zeroshot.compare_heading": "### Compare your templates on test photos",
        "zeroshot.n_per_pair": f"Test photos per colour–shape pair (× {PAIRS} pairs)",
        "zeroshot.compare": "Compare templates",
        "zeroshot.greedy": "Greedy selection",
        "zeroshot.compare_hint": "Press **Compare templates** to measure every template above on the test set, "
                                 "with the model picked in the header.",
        "zeroshot.greedy_hint": "Press **Greedy selection** to grow an ensemble one template at a time.",
        "zeroshot.bars_title": "P(class | image), top {k} of {c} classes",
        "zeroshot.bars_x": "probability",
        "zeroshot.truth": "true class",
        "zeroshot.others": "other classes",
        "zeroshot.compare_title": "Zero-shot accuracy of each template ({n} test images, {c} classes)",
        "zeroshot.accuracy_x": "accuracy (%)",
        "zeroshot.accuracy_x_zoomed": "accuracy (%): the axis starts at {start} %, not 0",
        "zeroshot.seen": "seen pairs",
        "zeroshot.held_out": "held-out pairs",
        "zeroshot.all": "all images",
        "zeroshot.chance": "chance",
        "zeroshot.greedy_title": "Greedy forward selection ({mode} ensemble)",
        "zeroshot.greedy_x": "templates in the ensemble",
        "zeroshot.greedy_y": "accuracy (%)",
        "zeroshot.everything": "all {t} templates",
        "zeroshot.col_template": "template",
        "zeroshot.col_all": "all (%)",
        "zeroshot.col_seen": "seen pairs (%)",
        "zeroshot.col_held_out": "held-out pairs (%)",
        "zeroshot.col_step": "step",
        "zeroshot.col_added": "template added",
        "zeroshot.col_size": "size",
        "zeroshot.ensemble_row": "ensemble ({mode})",
        "zeroshot.all_row": "all {t} templates ({mode})",
        "zeroshot.mode.embedding": "embedding",
        "zeroshot.mode.probability": "probability",
        # read-outs
        # what a prompt is worth (measured)
        "zeroshot.worth_heading": "### What is a prompt worth? Measured on this model",
        "zeroshot.worth_lead": ("Five effects from the CLIP paper (section 3.1.4 and figure 7), each measured on fixed test "
                                "pictures with the model picked in the header. Press the button; it takes a few seconds."),
        "zeroshot.worth": "Measure what prompts are worth",
        "zeroshot.worth_hint": "Press **Measure what prompts are worth** to run the measurements.",
        "zeroshot.style_title": "Zero-shot accuracy (%) over {c} colour–shape classes, by template and picture style",
        "zeroshot.style_x": "style of the test pictures",
        "zeroshot.style_y": "prompt template",
        "zeroshot.style.photo": "photos",
        "zeroshot.style.sketch": "sketches",
        "zeroshot.style.pixel": "pixel art",
        "zeroshot.style.mixed": "all three mixed",
        "zeroshot.row.bare": "{} (bare label)",
        "zeroshot.row.ensemble": "ensemble of the 3 style templates",
        "zeroshot.accuracy": "accuracy (%)",
        "zeroshot.amb_title": "“orange”: what the contested pictures were called",
        "zeroshot.amb_colour_panel": "orange-coloured objects, asked “which colour?”",
        "zeroshot.amb_shape_panel": "oranges (the fruit), asked “which shape?”",
        "zeroshot.amb_bare": "bare label {}",
        "zeroshot.amb_context": "template with context",
        "zeroshot.amb_count": "pictures",
        "zeroshot.probe_title": "Linear probe on k labelled pictures per class vs zero-shot ({c} classes, {n} test pictures)",
        "zeroshot.probe_x": "labelled pictures per class (k)",
        "zeroshot.probe_y": "accuracy",
        "zeroshot.probe_probe": "linear probe, mean of {d} draws",
        "zeroshot.probe_draws": "one random draw",
        "zeroshot.probe_zero_shot": "zero-shot (style ensemble, no labels)",
        "zeroshot.probe_crossing": "≈ {k} pictures per class",
        "zeroshot.worth_measured": "**Measured** with {model} on {n} test pictures ({seconds:.1f} s).",
        "zeroshot.worth_sentence": ("**1 · Sentences, not labels.** On photos, “a photo of a {{}}.” scores {photo:.1f} % "
                                    "and the bare label {bare:.1f} %: {delta:+.1f} points (the paper: +1.3 on ImageNet)."),
        "zeroshot.worth_styles": "**2 · Name the style.** {parts}.",
        "zeroshot.worth_style_part": "{style}: own template {matched:.1f} %, best other {other:.1f} % ({delta:+.1f})",
        "zeroshot.worth_ensemble": ("**3 · Ensembles.** On all styles mixed, the embedding average of the three style "
                                    "templates scores {ens:.1f} %: {vs_mean:+.1f} points against the average single "
                                    "template ({mean:.1f} %) and {vs_best:+.1f} against the best one, “{best}” "
                                    "({best_acc:.1f} %), which you could only pick with labelled pictures "
                                    "(the paper: +3.5 on ImageNet for 80 templates)."),
        "zeroshot.worth_orange": ("**4 · Ambiguous words.** Asked which colour a picture is, with bare labels the model "
                                  "gets {bare:.1f} % of the {n} contested pictures (oranges and orange-coloured "
                                  "things) right; with “{context}” {ctx:.1f} % ({delta:+.1f}). Asked which shape: "
                                  "{shape_bare:.1f} % bare, {shape_ctx:.1f} % with “{shape_context}”. "
                                  "Alone, “orange” is closer to the {sense} (cosine {fruit:.2f} with “a photo of a "
                                  "orange.”, {colour:.2f} with “a photo of something orange.”)."),
        "zeroshot.worth_sep": "; ",
        "zeroshot.sense.fruit": "fruit",
        "zeroshot.sense.colour": "colour",
        "zeroshot.worth_probe": ("**5 · Worth in labels.** Zero-shot scores {zs:.1f} %; a logistic regression on the "
                                 "same image embeddings needs {k} labelled pictures per class to match it "
                                 "(mean of {d} random draws; the paper: zero-shot CLIP matched about 4 per class "
                                 "on average)."),
        "zeroshot.probe_never": "more than {k}",
        "zeroshot.probe_less": "fewer than 1",
        "zeroshot.top": "**Top prediction: {name}** (p = {p:.3f})",
        "zeroshot.right": "✓ right",
        "zeroshot.wrong": "✗ wrong: the true class **{truth}** is ranked #{rank} (p = {p:.3f})",
        "zeroshot.truth_pair": "True class: {truth} ({kind}).",
        "zeroshot.kind_seen": "a pair seen in training",
        "zeroshot.kind_held": "a held-out pair: the zebra test",
        "zeroshot.no_truth_drawn": "No right answer is known for a drawing or an upload: judge it yourself.",
        "zeroshot.no_truth_list": "The right answer ({answer}) is not in your class list.",
        "zeroshot.no_truth_names": "Your class names are not all colours, shapes or colour–shape pairs, so the app "
                                   "cannot tell which one is right.",
        "zeroshot.settings": ("{c} classes × {t} templates ({mode} ensemble) · exp(t) = {scale:.2f} (τ = {tau:.4f}, "
                              "{which}) · chance 1/{c} = {chance:.3f}"),
        "zeroshot.learned_word": "learned",
        "zeroshot.slider_word": "from the slider",
        "zeroshot.unknown": "⚠ Words the toy model does not know, read as `<unk>`: **{words}**",
        "zeroshot.no_chinese": ("⚠ This model was trained on English captions only, so every Chinese word is "
                                "`<unk>` to it. For Chinese prompts, pick **toy CLIP, bilingual** in the header."),
        "zeroshot.english_only": ("This model reads English only, so the presets are in English. To type Chinese "
                                  "prompts such as 一张{}的照片, pick **toy CLIP, bilingual** in the header."),
        "zeroshot.truncated": "⚠ Some prompts are longer than {n} tokens and were cut: “{prompt}”",
        "zeroshot.same_tokens": ("⚠ The model reads these class names as the same tokens, so it cannot tell them "
                                 "apart: **{names}**"),
        "zeroshot.need_sketch": "Draw a shape on the dark canvas, then press **Classify** (after that, each new stroke updates the bars).",
        "zeroshot.need_upload": "Upload an image: the bars appear once it is loaded.",
        "zeroshot.compare_measured": ("**Measured on {n} test images** ({n_seen} of seen pairs, {n_held} of held-out "
                                      "pairs), {c} classes, with {model}: {seconds:.2f} s."),
        "zeroshot.compare_spread": ("Best single template: **“{best}”** {best_acc:.1f} %; worst: “{worst}” {worst_acc:.1f} % "
                                    "(a spread of {spread:.1f} points; the average single template scores {mean:.1f} %)."),
        "zeroshot.compare_one": "One template: **“{best}”** {best_acc:.1f} %. Add more lines to compare templates.",
        "zeroshot.compare_ensembles": ("Ensemble of all {t}: embedding space {emb:.1f} %, probability space {prob:.1f} % "
                                       "({delta_best:+.1f} points against the best single template, "
                                       "{delta_mean:+.1f} against the average one)."),
        "zeroshot.compare_groups": "Best single template on held-out pairs {held:.1f} %, on seen pairs {seen:.1f} %.",
        "zeroshot.compare_chance": "Chance: {chance:.1f} %.",
        "zeroshot.greedy_summary": (
            "**Greedy selection kept {k} of {t} templates** ({mode} ensemble): {acc:.1f} % "
            "(the best single template alone: {first:.1f} %; all {t} together: {everything:.1f} %). "
            "{seconds:.2f} s on {n} test images.  \n"
            "Caution: it chose and scored on the same labelled images, so its score is optimistic."),
        # errors and warnings
        "zeroshot.err_pair": "Unknown colour–shape pair {value!r}; choose one like 'red circle'.",
        "zeroshot.err_sketch": "Could not read the drawing: {reason}",
        "zeroshot.err_no_truth": ("Comparing templates needs to know the right answer for each test image, so every "
                                  "class name must be a colour, a shape or a colour–shape pair of the toy world "
                                  "(not: {names})."),
        "zeroshot.err_no_images": "None of the test images belongs to one of your classes.",
        "pretrained_note.zeroshot": ("**Pretrained CLIP on the toy test set.** “Held-out pairs” were held out from "
                                     "the toy's training only; for the pretrained model every toy picture is new. "
                                     "Prompts use CLIP's own tokenizer, so no word is unknown. For your photos, open "
                                     "**9 · Beyond the basics → Your photos**."),
    },
    "zh": {
        "zeroshot.tab": "6 · 零样本与提示词",
        "zeroshot.class_set": "从一个类别集合开始",
        "zeroshot.class_set.colour_shape": f"英文：颜色 + 形状（{PAIRS} 个组合）",
        "zeroshot.class_set.shape": f"英文：形状（{N_SHAPES} 个）",
        "zeroshot.class_set.colour": f"英文：颜色（{N_COLOURS} 个）",
        "zeroshot.class_set.held_out": f"英文：只用留出组合（{N_HELD} 个）",
        "zeroshot.class_set.colour_shape_zh": f"中文：颜色 + 形状（{PAIRS} 个组合）",
        "zeroshot.class_set.shape_zh": f"中文：形状（{N_SHAPES} 个）",
        "zeroshot.class_set.colour_zh": f"中文：颜色（{N_COLOURS} 个）",
        "zeroshot.class_set.held_out_zh": f"中文：只用留出组合（{N_HELD} 个）",
        "zeroshot.classes": "类别名，中文或英文：可随意修改（用逗号、顿号或换行分隔）",
        "zeroshot.template_set": "从一组模板开始",
        "zeroshot.template_set.all": f"英文：所有英文模板（{N_ALL_EN} 个）",
        "zeroshot.template_set.bare": "英文：裸标签 {}",
        "zeroshot.template_set.photo": "英文：a photo of a {}.",
        "zeroshot.template_set.sketch": "英文：a sketch of a {}.",
        "zeroshot.template_set.pixel": "英文：pixel art of a {}.",
        "zeroshot.template_set.styles": "英文：每种风格一个（3 个）",
        "zeroshot.template_set.colour_context": "英文：问颜色用 a photo of something {}.",
        "zeroshot.template_set.ensemble": f"英文：集成，风格、大小和位置（{N_ENSEMBLE} 个）",
        "zeroshot.template_set.all_zh": f"中文：所有中文模板（{N_ALL_ZH} 个）",
        "zeroshot.template_set.bare_zh": "中文：裸标签 {}",
        "zeroshot.template_set.photo_zh": "中文：一张{}的照片",
        "zeroshot.template_set.sketch_zh": "中文：一张{}的素描",
        "zeroshot.template_set.pixel_zh": "中文：一张{}的像素画",
        "zeroshot.template_set.styles_zh": "中文：每种风格一个（3 个）",
        "zeroshot.template_set.ensemble_zh": f"中文：集成，风格、大小和位置（{N_ENSEMBLE_ZH} 个）",
        "zeroshot.templates": "模板：每行一个，{} 表示类别名填入的位置",
        "zeroshot.ensemble": "多个模板如何合并",
        "zeroshot.ensemble.embedding": "对嵌入求平均（论文做法）",
        "zeroshot.ensemble.probability": "对概率求平均",
        "zeroshot.source": "要分类的图片",
        "zeroshot.source.test": "来自测试集",
        "zeroshot.source.sketch": "自己画一张",
        "zeroshot.source.upload": "上传一张",
        "zeroshot.pair": "颜色–形状组合（★ = 留出组合，训练中从未出现）",
        "zeroshot.variant": "这个组合的第几张图（大小、位置和风格各不相同）",
        "zeroshot.sketch": "你的画",
        "zeroshot.upload": f"上传一张图片（PNG/JPEG，不超过 {LIMITS.max_upload_mb:g} MB、{LIMITS.max_image_side} 像素）",
        "zeroshot.preview": "模型看到的图（32 × 32）",
        "zeroshot.classify": "分类",
        "zeroshot.log_tau": "softmax 温度 log₁₀ τ（← 更尖锐 · 更平缓 →）",
        "zeroshot.learned": "使用模型学到的 τ",
        "zeroshot.top_k": "显示的柱数（前 k 个）",
        "zeroshot.compare_heading": "### 在测试照片上比较你的模板",
        "zeroshot.n_per_pair": f"每个颜色–形状组合的测试照片数（× {PAIRS} 个组合）",
        "zeroshot.compare": "比较模板",
        "zeroshot.greedy": "贪心挑选",
        "zeroshot.compare_hint": "点 **比较模板**，用页首选定的模型在测试集上实测上面的每个模板。",
        "zeroshot.greedy_hint": "点 **贪心挑选**，一次加一个模板，逐步搭出一个集成。",
        "zeroshot.bars_title": "P(类别 | 图像)，{c} 个类别中的前 {k} 个",
        "zeroshot.bars_x": "概率",
        "zeroshot.truth": "正确类别",
        "zeroshot.others": "其他类别",
        "zeroshot.compare_title": "每个模板的零样本准确率（{n} 张测试图，{c} 个类别）",
        "zeroshot.accuracy_x": "准确率（%）",
        "zeroshot.accuracy_x_zoomed": "准确率（%）：坐标轴从 {start} % 开始，而不是 0",
        "zeroshot.seen": "见过的组合",
        "zeroshot.held_out": "留出组合",
        "zeroshot.all": "全部图片",
        "zeroshot.chance": "随机水平",
        "zeroshot.greedy_title": "贪心前向选择（{mode}集成）",
        "zeroshot.greedy_x": "集成中的模板数",
        "zeroshot.greedy_y": "准确率（%）",
        "zeroshot.everything": "全部 {t} 个模板",
        "zeroshot.col_template": "模板",
        "zeroshot.col_all": "全部（%）",
        "zeroshot.col_seen": "见过的组合（%）",
        "zeroshot.col_held_out": "留出组合（%）",
        "zeroshot.col_step": "步",
        "zeroshot.col_added": "加入的模板",
        "zeroshot.col_size": "个数",
        "zeroshot.ensemble_row": "集成（{mode}）",
        "zeroshot.all_row": "全部 {t} 个模板（{mode}）",
        "zeroshot.mode.embedding": "嵌入空间",
        "zeroshot.mode.probability": "概率空间",
        # what a prompt is worth (measured)
        "zeroshot.worth_heading": "### 一个提示词值多少？用这个模型实测",
        "zeroshot.worth_lead": ("CLIP 论文里的五个效应（3.1.4 节和图 7），每个都用页首所选的模型在固定的测试图片上实测。"
                                "点一下按钮，几秒钟就好。"),
        "zeroshot.worth": "测量提示词的价值",
        "zeroshot.worth_hint": "点击**测量提示词的价值**，运行这些测量。",
        "zeroshot.style_title": "{c} 个颜色–形状类别上的零样本准确率（%），按模板和图片风格分列",
        "zeroshot.style_x": "测试图片的风格",
        "zeroshot.style_y": "提示词模板",
        "zeroshot.style.photo": "照片",
        "zeroshot.style.sketch": "素描",
        "zeroshot.style.pixel": "像素画",
        "zeroshot.style.mixed": "三种混合",
        "zeroshot.row.bare": "{}（裸标签）",
        "zeroshot.row.ensemble": "三个风格模板的集成",
        "zeroshot.accuracy": "准确率（%）",
        "zeroshot.amb_title": "“orange”：有歧义的图片被叫成了什么",
        "zeroshot.amb_colour_panel": "橙色的物体，问“什么颜色？”",
        "zeroshot.amb_shape_panel": "橙子（水果），问“什么形状？”",
        "zeroshot.amb_bare": "裸标签 {}",
        "zeroshot.amb_context": "带上下文的模板",
        "zeroshot.amb_count": "图片数",
        "zeroshot.probe_title": "每类 k 张标注图片的线性探针与零样本对比（{c} 个类别，{n} 张测试图片）",
        "zeroshot.probe_x": "每个类别的标注图片数（k）",
        "zeroshot.probe_y": "准确率",
        "zeroshot.probe_probe": "线性探针，{d} 次抽样的平均",
        "zeroshot.probe_draws": "一次随机抽样",
        "zeroshot.probe_zero_shot": "零样本（风格集成，不用标注）",
        "zeroshot.probe_crossing": "≈ 每类 {k} 张",
        "zeroshot.worth_measured": "**实测**：{model}，{n} 张测试图片（{seconds:.1f} 秒）。",
        "zeroshot.worth_sentence": ("**1 · 要句子，不要裸标签。** 在照片上，“a photo of a {{}}.” 得 {photo:.1f} %，"
                                    "裸标签得 {bare:.1f} %：相差 {delta:+.1f} 个百分点（论文：ImageNet 上 +1.3）。"),
        "zeroshot.worth_styles": "**2 · 说出风格。** {parts}。",
        "zeroshot.worth_style_part": "{style}：对应风格的模板 {matched:.1f} %，其他模板中最好的 {other:.1f} %（{delta:+.1f}）",
        "zeroshot.worth_ensemble": ("**3 · 集成。** 在三种风格混合的测试集上，三个风格模板在嵌入空间取平均得 {ens:.1f} %："
                                    "比单个模板的平均（{mean:.1f} %）高 {vs_mean:+.1f} 个百分点，比最好的单个模板"
                                    "“{best}”（{best_acc:.1f} %）{vs_best:+.1f}；而要挑出最好的那个，得先有标注图片"
                                    "（论文：80 个模板在 ImageNet 上 +3.5）。"),
        "zeroshot.worth_orange": ("**4 · 有歧义的词。** 问图片是什么颜色时，用裸标签，模型在 {n} 张有歧义的图片（橙子和"
                                  "橙色的东西）上答对 {bare:.1f} %；用“{context}”答对 {ctx:.1f} %（{delta:+.1f}）。"
                                  "问形状时：裸标签 {shape_bare:.1f} %，用“{shape_context}” {shape_ctx:.1f} %。"
                                  "单独一个 “orange” 更接近{sense}（与 “a photo of a orange.” 的余弦为 {fruit:.2f}，"
                                  "与 “a photo of something orange.” 为 {colour:.2f}）。"),
        "zeroshot.worth_sep": "；",
        "zeroshot.sense.fruit": "水果",
        "zeroshot.sense.colour": "颜色",
        "zeroshot.worth_probe": ("**5 · 折合成标注。** 零样本得 {zs:.1f} %；在同样的图片嵌入上训练逻辑回归，每个类别要 "
                                 "{k} 张标注图片才追得上（{d} 次随机抽样的平均；论文：零样本 CLIP 平均相当于每类约 4 张）。"),
        "zeroshot.probe_never": "超过 {k}",
        "zeroshot.probe_less": "不到 1",
        "zeroshot.top": "**最可能的类别：{name}**（p = {p:.3f}）",
        "zeroshot.right": "✓ 正确",
        "zeroshot.wrong": "✗ 错误：正确类别 **{truth}** 排在第 {rank} 位（p = {p:.3f}）",
        "zeroshot.truth_pair": "正确类别：{truth}（{kind}）。",
        "zeroshot.kind_seen": "训练中见过的组合",
        "zeroshot.kind_held": "留出组合：斑马测试",
        "zeroshot.no_truth_drawn": "画的图和上传的图没有标准答案：请自己判断。",
        "zeroshot.no_truth_list": "正确答案（{answer}）不在你的类别清单里。",
        "zeroshot.no_truth_names": "你的类别名不全是颜色、形状或颜色–形状组合，所以应用无法判断哪个是对的。",
        "zeroshot.settings": ("{c} 个类别 × {t} 个模板（{mode}集成）· exp(t) = {scale:.2f}（τ = {tau:.4f}，{which}）· "
                              "随机水平 1/{c} = {chance:.3f}"),
        "zeroshot.learned_word": "学到的",
        "zeroshot.slider_word": "来自滑块",
        "zeroshot.unknown": "⚠ 玩具模型不认识这些词，会读成 `<unk>`：**{words}**",
        "zeroshot.no_chinese": ("⚠ 这个模型只用英文描述训练过，每个中文词对它来说都是 `<unk>`。"
                                "要用中文提示词，请在页首选择 **玩具 CLIP，双语**。"),
        "zeroshot.english_only": ("这个模型只读得懂英文，所以预设是英文的。想输入“一张{}的照片”这样的中文提示词，"
                                  "请在页首选择 **玩具 CLIP，双语**。"),
        "zeroshot.truncated": "⚠ 有的提示词超过 {n} 个词元，被截断了：“{prompt}”",
        "zeroshot.same_tokens": "⚠ 模型把这些类别名读成同样的词元，无法区分它们：**{names}**",
        "zeroshot.need_sketch": "在深色画布上画一个形状，然后点 **分类**（之后每画一笔，柱状图都会更新）。",
        "zeroshot.need_upload": "上传一张图片：载入后柱状图就会出现。",
        "zeroshot.compare_measured": ("**在 {n} 张测试图上实测**（见过的组合 {n_seen} 张，留出组合 {n_held} 张），"
                                      "{c} 个类别，模型：{model}，用时 {seconds:.2f} 秒。"),
        "zeroshot.compare_spread": ("最好的单个模板：**“{best}”** {best_acc:.1f} %；最差的：“{worst}” {worst_acc:.1f} %"
                                    "（相差 {spread:.1f} 个百分点；单个模板的平均水平为 {mean:.1f} %）。"),
        "zeroshot.compare_one": "只有一个模板：**“{best}”** {best_acc:.1f} %。多写几行才能比较模板。",
        "zeroshot.compare_ensembles": ("全部 {t} 个模板的集成：嵌入空间 {emb:.1f} %，概率空间 {prob:.1f} %"
                                       "（比最好的单个模板 {delta_best:+.1f} 个百分点，比平均水平 {delta_mean:+.1f}）。"),
        "zeroshot.compare_groups": "最好的单个模板在留出组合上 {held:.1f} %，在见过的组合上 {seen:.1f} %。",
        "zeroshot.compare_chance": "随机水平：{chance:.1f} %。",
        "zeroshot.greedy_summary": (
            "**贪心挑选保留了 {t} 个模板中的 {k} 个**（{mode}集成）：{acc:.1f} %"
            "（只用最好的单个模板：{first:.1f} %；全部 {t} 个一起：{everything:.1f} %）。"
            "在 {n} 张测试图上用时 {seconds:.2f} 秒。  \n"
            "注意：挑选和打分用的是同一批带标签的图片，所以这个分数偏乐观。"),
        "zeroshot.err_pair": "未知的颜色–形状组合 {value!r}；请选一个，例如 'red circle'（红色圆形）。",
        "zeroshot.err_sketch": "无法读取这幅画：{reason}",
        "zeroshot.err_no_truth": ("比较模板需要知道每张测试图的正确答案，所以每个类别名都必须是玩具世界里的颜色、形状或"
                                  "颜色–形状组合（这些不是：{names}）。"),
        "zeroshot.err_no_images": "没有任何测试图属于你的类别。",
        "pretrained_note.zeroshot": ("**预训练 CLIP 在玩具测试集上。** “留出的组合”只是对玩具模型的训练留出的；对预训练模型来说，"
                                     "每张玩具图片都是新的。提示词用 CLIP 自己的分词器，所以不会有未知词。要处理你的照片，请打开 "
                                     "**9 · 进阶 → 你的图片**。"),
    },
}
