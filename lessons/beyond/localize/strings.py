"""UI strings of the "Where is it?" lesson, English and Simplified Chinese."""

STRINGS = {
    "en": {
        "localize.tab": "Where is it?",
        "localize.model": "Model",
        "localize.model_relations": "two-object toy CLIP (relations checkpoint)",
        "localize.model_header": "the header's model",
        "localize.scene": "Two-object test scene",
        "localize.query": "Query (what to find)",
        "localize.query_placeholder": "e.g. a red circle",
        "localize.method": "Method",
        "localize.method_patches": "patch tokens",
        "localize.method_windows": "sliding windows",
        "localize.find": "Find",
        "localize.measure_heading": "### How often does the peak land on the named object?",
        "localize.name_scene": "Scene",
        "localize.err_query_empty": "Type what to find, e.g. “a red circle”.",
        "localize.err_query_text": "The query must be text (got {value}).",
        "localize.err_query_long": "The query is {n} characters long: at most {max} fit the text tower.",
        "localize.err_choice": "{name} must be one of {choices} (got {value}).",
        "localize.map_title": "“{query}” · {method} · cosine with every {unit}",
        "localize.unit_patches": "8-px patch token",
        "localize.unit_windows": "{size}-px window (stride {stride})",
        "localize.map_picture": "the scene (upscaled)",
        "localize.map_overlay": "similarity map over the scene",
        "localize.map_colorbar": "cosine similarity",
        "localize.map_peak": "peak",
        "localize.map_named": "named in the query",
        "localize.map_other": "not named",
        "localize.read_scene": ("**Scene {index}** holds two objects, **{a}** and **{b}** ({layout}). Queries to try: "
                                "“a {a}”, “a {b}”, or something absent such as “a {absent}” (the toy's captions "
                                "always say “a”)."),
        "localize.layout_horizontal": "side by side",
        "localize.layout_vertical": "one above the other",
        "localize.read_model": "Model: {model}.",
        "localize.read_peak_named": "The peak, at ({x:.0f}, {y:.0f}) px, is **on the {name}**, the object the query names. ✓",
        "localize.read_peak_wrong": ("The peak, at ({x:.0f}, {y:.0f}) px, is **on the {name}**, not on the {named} the "
                                     "query names. ✗"),
        "localize.read_peak_background": ("The peak, at ({x:.0f}, {y:.0f}) px, is **on the background**, on neither "
                                          "object."),
        "localize.read_peak_absent_on": ("The query names nothing in this scene, and the map still has a peak: "
                                         "**on the {name}**. A similarity map cannot say “not here”."),
        "localize.read_peak_absent_off": ("The query names nothing in this scene; the map still has a peak, at "
                                          "({x:.0f}, {y:.0f}) px, on the background."),
        "localize.read_range": "Cosine on this map: from {lo:.3f} to {hi:.3f} (best {unit}: {best:.3f}).",
        "localize.read_unknown": "⚠ Words the toy model does not know, read as `<unk>`: **{words}**",
        "localize.read_resnet": ("⚠ This model's image tower is a ResNet: it has no patch tokens in the joint space, "
                                 "so the map comes from sliding windows."),
        "localize.hits_title": ("Peak on the named object? {queries} queries “a {{colour}} {{shape}}” on {scenes} "
                                "two-object test scenes"),
        "localize.hits_in_box": "peak inside the named object's box",
        "localize.hits_nearer": "peak nearer the named object than the other",
        "localize.hits_y": "share of the queries",
        "localize.hits_grid_chance": "chance: peak at a random patch / window centre",
        "localize.hits_area_chance": "chance: peak at a random pixel (box area ÷ picture area)",
        "localize.hits_two_way_chance": "chance: one object of two (50 %)",
        "localize.summary_method": ("**{method}:** the peak falls inside the named object's box for **{hits}** of "
                                    "{queries} queries ({rate:.0%}; chance {grid:.0%} for a random {unit}, "
                                    "{area:.0%} for a random pixel); on the other object {other} times, on the "
                                    "background {background} times; nearer the named object than the other "
                                    "{two_way:.0%} of the time (chance 50 %)."),
        "localize.summary_unit_patches": "patch",
        "localize.summary_unit_windows": "window",
        "localize.summary_absent": ("**Absent objects** ({method}): asked for an object the scene does not hold, the "
                                    "peak still lands on one of the two objects in {rate:.0%} of {n} scenes; the best "
                                    "cosine is {absent:.3f} on average, against {present:.3f} for an object that is "
                                    "there."),
        "localize.summary_no_patches": "Patch tokens are not measured: this model's image tower is a ResNet.",
        "localize.summary_model": "Measured live on {model}; the same scenes as the slider above.",
        "localize.model_note_relations": "the two-object toy CLIP (trained on one- and two-object scenes)",
        "localize.model_note_header": "the header's model ({name}), trained on one-object scenes only",
        "localize.model_note_missing": ("the header's model ({name}); the two-object checkpoint "
                                        "(assets/toy_clip_relations) is not on this server"),
        "pretrained_note.localize": ("**This lesson is toy-only.** It asks a toy model about {size}-px toy scenes; the "
                                     "pretrained CLIP picked in the header is not used here (the header's model means "
                                     "the shipped toy CLIP)."),
    },
    "zh": {
        "localize.tab": "在哪里？",
        "localize.model": "模型",
        "localize.model_relations": "双物体玩具 CLIP（关系检查点）",
        "localize.model_header": "页首选择的模型",
        "localize.scene": "双物体测试场景",
        "localize.query": "查询（要找什么）",
        "localize.query_placeholder": "例如 a red circle",
        "localize.method": "方法",
        "localize.method_patches": "图块词元",
        "localize.method_windows": "滑动窗口",
        "localize.find": "查找",
        "localize.measure_heading": "### 峰值有多常落在被点名的物体上？",
        "localize.name_scene": "场景",
        "localize.err_query_empty": "请输入要找的东西，例如 “a red circle”。",
        "localize.err_query_text": "查询必须是文本（收到的是 {value}）。",
        "localize.err_query_long": "查询有 {n} 个字符：文本塔最多只能读 {max} 个。",
        "localize.err_choice": "{name} 必须是 {choices} 之一（收到的是 {value}）。",
        "localize.map_title": "“{query}” · {method} · 与每个 {unit} 的余弦相似度",
        "localize.unit_patches": "8 像素图块词元",
        "localize.unit_windows": "{size} 像素窗口（步长 {stride}）",
        "localize.map_picture": "场景（放大显示）",
        "localize.map_overlay": "叠加在场景上的相似度图",
        "localize.map_colorbar": "余弦相似度",
        "localize.map_peak": "峰值",
        "localize.map_named": "查询点名的",
        "localize.map_other": "未点名的",
        "localize.read_scene": ("**场景 {index}** 里有一个 **{a}** 和一个 **{b}**（{layout}）。还可以试试："
                                "“a {a}”、“a {b}”，或者场景里没有的东西，比如“a {absent}”（玩具模型的描述总是以“a”开头）。"),
        "localize.layout_horizontal": "左右并排",
        "localize.layout_vertical": "上下排列",
        "localize.read_model": "模型：{model}。",
        "localize.read_peak_named": "峰值位于 ({x:.0f}, {y:.0f}) 像素，**落在 {name} 上**，正是查询点名的物体。✓",
        "localize.read_peak_wrong": "峰值位于 ({x:.0f}, {y:.0f}) 像素，**落在 {name} 上**，而不是查询点名的 {named}。✗",
        "localize.read_peak_background": "峰值位于 ({x:.0f}, {y:.0f}) 像素，**落在背景上**，不在任何一个物体上。",
        "localize.read_peak_absent_on": "查询点名的东西不在这个场景里，但相似度图照样有一个峰值：**落在 {name} 上**。相似度图没法回答“这里没有”。",
        "localize.read_peak_absent_off": "查询点名的东西不在这个场景里；相似度图照样有峰值，位于 ({x:.0f}, {y:.0f}) 像素，落在背景上。",
        "localize.read_range": "这张图上的余弦相似度：从 {lo:.3f} 到 {hi:.3f}（最好的{unit}：{best:.3f}）。",
        "localize.read_unknown": "⚠ 玩具模型不认识的词，会被读成 `<unk>`：**{words}**",
        "localize.read_resnet": "⚠ 这个模型的图像塔是 ResNet：它没有位于联合空间里的图块词元，所以这张图来自滑动窗口。",
        "localize.hits_title": "峰值落在被点名的物体上吗？在 {scenes} 个双物体测试场景上做了 {queries} 次查询 “a {{colour}} {{shape}}”",
        "localize.hits_in_box": "峰值落在被点名物体的框内",
        "localize.hits_nearer": "峰值离被点名的物体比离另一个更近",
        "localize.hits_y": "占查询的比例",
        "localize.hits_grid_chance": "随机水平：峰值落在随机一个图块 / 窗口中心",
        "localize.hits_area_chance": "随机水平：峰值落在随机一个像素（框面积 ÷ 图片面积）",
        "localize.hits_two_way_chance": "随机水平：两个物体选一个（50 %）",
        "localize.summary_method": ("**{method}**：在 {queries} 次查询中，峰值有 **{hits}** 次落在被点名物体的框内"
                                    "（{rate:.0%}；随机一个{unit}的随机水平是 {grid:.0%}，随机一个像素是 {area:.0%}）；"
                                    "落在另一个物体上 {other} 次，落在背景上 {background} 次；离被点名的物体比离另一个"
                                    "更近的比例为 {two_way:.0%}（随机水平 50 %）。"),
        "localize.summary_unit_patches": "图块",
        "localize.summary_unit_windows": "窗口",
        "localize.summary_absent": ("**不存在的物体**（{method}）：查询场景里没有的物体时，在 {n} 个场景中仍有 "
                                    "{rate:.0%} 的峰值落在两个物体之一上；最高余弦平均为 {absent:.3f}，而查询场景里"
                                    "真有的物体时为 {present:.3f}。"),
        "localize.summary_no_patches": "没有测量图块词元：这个模型的图像塔是 ResNet。",
        "localize.summary_model": "在{model}上实时测得；场景与上方滑块中的相同。",
        "localize.model_note_relations": "双物体玩具 CLIP（在单物体和双物体场景上训练）",
        "localize.model_note_header": "页首选择的模型（{name}），只在单物体场景上训练过",
        "localize.model_note_missing": "页首选择的模型（{name}）；这台服务器上没有双物体检查点（assets/toy_clip_relations）",
        "pretrained_note.localize": ("**这一课只针对玩具模型。** 它让玩具模型在 {size} 像素的玩具场景里找东西；页首选择的"
                                     "预训练 CLIP 在这里不会用到（“页首选择的模型”此时指随附的玩具 CLIP）。"),
    },
}
