"""UI strings of the predict-then-reveal checkpoints (lessons.quiz), English and Simplified Chinese."""

STRINGS = {
    "en": {
        "quiz.your_prediction": "Your prediction (pick one, then reveal)",
        "quiz.reveal": "Reveal the answer",
        "quiz.pick_first": "Pick a prediction first: the point is to commit before you see the numbers.",
        "quiz.bad_choice": "{choice!s} is not one of the answers ({choices}).",
        "quiz.right": "✓ **Right.** What the app measured supports {answer}.",
        "quiz.wrong": "✗ **Not this time.** What the app measured supports {answer}.",
        "quiz.none_fits": "none of the answers exactly",
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
        "quiz.your_prediction": "你的预测（先选一个，再揭晓）",
        "quiz.reveal": "揭晓答案",
        "quiz.pick_first": "请先选一个预测：关键是在看到数字之前先下判断。",
        "quiz.bad_choice": "{choice!s} 不是可选答案（{choices}）。",
        "quiz.right": "✓ **答对了。** 应用刚才测得的结果支持 {answer}。",
        "quiz.wrong": "✗ **这次没猜中。** 应用刚才测得的结果支持 {answer}。",
        "quiz.none_fits": "没有一个选项完全符合",
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
