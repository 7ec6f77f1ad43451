"""Lesson 4's predict-then-reveal checkpoint: what a cold softmax (tau -> 0) does to this row. Its words and answers;
the measurement that decides the answer is the lesson's own (cold_softmax_measured in __init__.py)."""

CHOICES = ("uniform", "to_top", "to_correct", "unchanged")

STRINGS = {
    "en": {
        "quiz.cold_softmax.question": ("**Predict first.** Turn the temperature τ towards 0 (the logit scale exp(t) "
                                       "grows without end). What happens to this row's softmax?"),
        "quiz.cold_softmax.uniform": "it spreads evenly: every caption gets 1/n",
        "quiz.cold_softmax.to_top": "all the probability goes to the caption with the highest cosine",
        "quiz.cold_softmax.to_correct": "all the probability goes to the correct caption",
        "quiz.cold_softmax.unchanged": "nothing changes",
        "quiz.cold_softmax.numbers": ("Computed just now for this row of {n} captions. The caption with the highest "
                                      "cosine is j = {top}; its probability is **{p_top_warm:.3f}** at τ = 1 "
                                      "(entropy {h_warm:.2f} nats), **{p_top_now:.3f}** at your τ = {tau:.3g} "
                                      "(entropy {h_now:.2f}) and **{p_top_cold:.3f}** at τ = {cold_tau:g} "
                                      "(entropy {h_cold:.2f}). The correct caption j = {row}: P = {p_row_warm:.3f} "
                                      "at τ = 1 → {p_row_cold:.3f} at τ = {cold_tau:g}. (τ = {cold_tau:g} means a logit "
                                      "scale exp(t) = {cold:g}, beyond real CLIP: its scale is clipped at 100, τ = 0.01.)"),
        "quiz.cold_softmax.same_top": ("On this row the highest cosine is also the correct caption, so both answers "
                                       "come true; try a row (or a random-init model) where the model is wrong."),
        "quiz.cold_softmax.wrong_top": ("Here the highest cosine is caption {top}, not the correct caption {row}: "
                                        "a colder softmax only makes the model surer of its mistake."),
        "quiz.cold_softmax.why": ("Why: dividing by a small τ stretches the gaps between logits, so the largest one "
                                  "takes nearly everything. The softmax follows the cosines, not the labels; it "
                                  "lands on the correct caption only when that caption already has the highest "
                                  "cosine."),
    },
    "zh": {
        "quiz.cold_softmax.question": ("**先预测。** 把温度 τ 调向 0（logit 缩放系数 exp(t) 无限增大），"
                                       "这一行的 softmax 会怎样？"),
        "quiz.cold_softmax.uniform": "变得均匀：每条文本都是 1/n",
        "quiz.cold_softmax.to_top": "全部概率集中到余弦最高的那条文本",
        "quiz.cold_softmax.to_correct": "全部概率集中到正确的那条文本",
        "quiz.cold_softmax.unchanged": "没有变化",
        "quiz.cold_softmax.numbers": ("刚才对这一行（共 {n} 条文本）计算：余弦最高的是文本 j = {top}；它的概率在 τ = 1 时为 "
                                      "**{p_top_warm:.3f}**（熵 {h_warm:.2f} 奈特），在你的 τ = {tau:.3g} 时为 "
                                      "**{p_top_now:.3f}**（熵 {h_now:.2f}），在 τ = {cold_tau:g} 时为 **{p_top_cold:.3f}**"
                                      "（熵 {h_cold:.2f}）。正确文本 j = {row}：P 从 τ = 1 时的 {p_row_warm:.3f} 变为 "
                                      "τ = {cold_tau:g} 时的 {p_row_cold:.3f}。（τ = {cold_tau:g} 相当于 logit 缩放系数 "
                                      "exp(t) = {cold:g}，超出了真实 CLIP 的范围：它的缩放系数被截断在 100，即 τ = 0.01。）"),
        "quiz.cold_softmax.same_top": ("在这一行，余弦最高的恰好就是正确文本，所以两个答案同时成立；"
                                       "换一行（或换成随机初始化的模型），找一个模型答错的例子试试。"),
        "quiz.cold_softmax.wrong_top": ("这里余弦最高的是文本 {top}，而不是正确文本 {row}：更低的温度只会让模型"
                                        "对自己的错误更有把握。"),
        "quiz.cold_softmax.why": ("原因：除以很小的 τ 会拉大 logits 之间的差距，最大的那个几乎拿走全部概率。"
                                  "softmax 跟着余弦走，而不是跟着标签走；只有正确文本本来就余弦最高时，"
                                  "概率才会集中到它身上。"),
    },
}
