"""Lesson 6's predict-then-reveal checkpoint: zero-shot accuracy on colour-shape pairs never seen in
training. Its words and answers;
the measurement that decides the answer is the lesson's own (held_out_measured in __init__.py)."""

CHOICES = ("chance", "between", "like_seen")

STRINGS = {
    "en": {
        "quiz.held_out.question": ("**Predict first.** The held-out colour–shape pairs (★) never appeared together "
                                   "in training. Asked to name the pair among all of them, how will the model do on "
                                   "the held-out ones?"),
        "quiz.held_out.chance": "about chance (one in the number of pairs): it never saw them",
        "quiz.held_out.between": "clearly above chance, but worse than on the pairs it saw",
        "quiz.held_out.like_seen": "about as well as on the pairs it saw",
        "quiz.held_out.numbers": ("Measured just now with {model}, {t} template(s) from this lesson averaged in "
                                  "embedding space, {c} classes: held-out pairs **{held:.1f} %** ({n_held} images), "
                                  "seen pairs **{seen:.1f} %** ({n_seen} images), chance {chance:.1f} %."),
        "quiz.held_out.why": ("Why: the text tower encodes the colour word and the shape word, and the image "
                              "tower learned colours and shapes from many other pairs. When those parts combine, "
                              "a pair it never saw can still land near its caption; how well it does shows how far "
                              "that composition goes."),
    },
    "zh": {
        "quiz.held_out.question": ("**先预测。** 留出组合（★）里的颜色和形状在训练中从未一起出现过。"
                                   "让模型在全部颜色–形状组合中说出它们的名字，它在留出组合上会表现如何？"),
        "quiz.held_out.chance": "接近随机水平（从全部组合中瞎猜）：它从没见过",
        "quiz.held_out.between": "明显高于随机水平，但不如见过的组合",
        "quiz.held_out.like_seen": "和见过的组合差不多好",
        "quiz.held_out.numbers": ("刚才用 {model} 测得（本课的 {t} 个模板在嵌入空间取平均，共 {c} 个类别）："
                                  "留出组合 **{held:.1f} %**（{n_held} 张图），已见组合 **{seen:.1f} %**"
                                  "（{n_seen} 张图），随机水平 {chance:.1f} %。"),
        "quiz.held_out.why": ("原因：文本塔分别编码颜色词和形状词，图像塔也从许多其他组合里学会了颜色和形状。"
                              "当这些部分能组合起来时，从没见过的组合也可能落在它的描述附近；"
                              "表现有多好，说明这种组合能力走了多远。"),
    },
}
