"""The negatives lesson's predict-then-reveal checkpoint: the loss at chance when the batch doubles.
Its words and answers;
the measurement that decides the answer is the lesson's own (double_n_measured in __init__.py)."""

CHOICES = ("doubles", "plus_ln2", "same", "halves")

STRINGS = {
    "en": {
        "quiz.double_n.question": ("**Predict first.** A model that has learned nothing sits at chance. "
                                   "If the batch size n doubles, what happens to its loss?"),
        "quiz.double_n.doubles": "it doubles",
        "quiz.double_n.plus_ln2": "it rises by about ln 2 ≈ 0.69",
        "quiz.double_n.same": "it stays the same",
        "quiz.double_n.halves": "it halves",
        "quiz.double_n.numbers": ("Measured just now on real batches with the random-init model: loss at n = {n} is "
                                  "**{small:.3f}**, at n = {n2} it is **{large:.3f}**, a rise of **{diff:.3f}** "
                                  "(ln 2 = {ln2:.3f}). For comparison ln {n} = {ln_n:.3f} and ln {n2} = {ln_2n:.3f}."),
        "quiz.double_n.why": ("Why: at chance the softmax spreads evenly over n captions, so the right one gets "
                              "about 1/n and the loss is −ln(1/n) = ln n. Doubling n adds ln 2, it does not double "
                              "the loss."),
    },
    "zh": {
        "quiz.double_n.question": "**先预测。** 什么都没学到的模型处在随机水平。如果批大小 n 翻倍，它的损失会怎样？",
        "quiz.double_n.doubles": "翻倍",
        "quiz.double_n.plus_ln2": "增加约 ln 2 ≈ 0.69",
        "quiz.double_n.same": "不变",
        "quiz.double_n.halves": "减半",
        "quiz.double_n.numbers": ("刚才用随机初始化的模型在真实批次上测得：n = {n} 时损失为 **{small:.3f}**，"
                                  "n = {n2} 时为 **{large:.3f}**，增加了 **{diff:.3f}**（ln 2 = {ln2:.3f}）。"
                                  "作为对照，ln {n} = {ln_n:.3f}，ln {n2} = {ln_2n:.3f}。"),
        "quiz.double_n.why": ("原因：在随机水平上，softmax 平均分给 n 条文本，正确的那条只得到约 1/n，"
                              "损失就是 −ln(1/n) = ln n。n 翻倍时损失加上 ln 2，而不是翻倍。"),
    },
}
