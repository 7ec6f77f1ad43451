"""UI strings of the "Batch size & negatives" tab."""

from __future__ import annotations

STRINGS = {
    "en": {
        "negatives.tab": "Batch size & negatives",
        "negatives.chance_heading": "### 1 · The loss at chance is ln n",
        "negatives.n": "Batch size n",
        "negatives.sweep_heading": "### 2 · The same budget of images at different batch sizes",
        "negatives.batches": "Batch sizes to compare",
        "negatives.budget": "Images per run (the budget)",
        "negatives.seed": "Seed",
        "negatives.start": "Start",
        "negatives.stop": "Stop",
        "negatives.waiting": ("Starting… At most {slots} trainings run at once on this machine (this tab's runs count "
                              "too); if they are all busy, you wait in the queue and the runs start by themselves."),
        "negatives.already_running": "The comparison is already running: press Stop first, then Start again.",
        "negatives.name_n": "Batch size n",
        "negatives.name_budget": "Training images per run",
        "negatives.name_batches": "Batch size",
        "negatives.name_seed": "Seed",
        "negatives.err_budget_step": ("The budget must be a multiple of {step} so that every batch size spends "
                                      "exactly the same images (got {budget})."),
        "negatives.err_no_batches": "Pick at least one batch size from {choices}.",
        "negatives.err_batch_limit": "Batch size {b} is above this server's largest training batch, {max}.",
        "negatives.err_steps_limit": ("At batch {b} this budget takes {steps:,} steps, more than one run may take on "
                                      "this server ({max:,}): lower the budget or leave out the smallest batch."),
        "negatives.time_limit": ("Stopped after {seconds:.1f} s: one training job runs at most {limit:g} s at a time, "
                                 "so that every learner gets a turn. What was measured stays on screen."),
        "negatives.status_none": ("Not run yet: press <b>Start</b>. Each batch size trains a fresh small CLIP on the "
                                  "same number of images (≈ 30 s for the default three)."),
        "negatives.state_running": "training",
        "negatives.state_stopped": "stopped (the points measured so far are kept)",
        "negatives.state_finished": "finished",
        "negatives.progress": "run {k} of {runs}: batch {b}, step {step:,}/{steps:,}, {seconds:.1f} s of training",
        "negatives.wall": "{seconds:.0f} s in all, measurements included",
        "negatives.readout_none": "The measured comparison appears here once the runs have started.",
        "negatives.table_intro": (
            "Every run trains a fresh model from the same seed and peak learning rate on **{budget:,} images**; only "
            "the batch size differs, and with it the number of steps. In-batch accuracy is measured at one fixed "
            "batch size, {eval_batch}, for every run (chance 1/{eval_batch}); zero-shot over all 48 colour–shape "
            "classes with “a photo of a {{}}.” (chance 1/48)."),
        "negatives.table_head": ("| batch | steps | negatives / image | logits / step | logits, all steps | time (s) | "
                                 "images / s | in-batch | zero-shot seen / held-out |"),
        "negatives.verdict": (
            "**So far:** the fastest run was batch {fast} ({fast_s:.1f} s), the slowest batch {slow} ({slow_s:.1f} s). "
            "The best zero-shot accuracy came from batch **{best}**: {seen:.0%} on seen and {held:.0%} on held-out "
            "pairs (in-batch {inbatch:.0%}). Times are this machine's, measured while it may have been busy."),
        "negatives.sweep_title": "The same {budget:,} training images, spent at different batch sizes",
        "negatives.sweep_time": "training wall time (s)",
        "negatives.sweep_images": "training images seen",
        "negatives.sweep_in_batch": "in-batch accuracy (batch {n})",
        "negatives.sweep_zero_shot": "zero-shot accuracy",
        "negatives.sweep_batch": "batch {b}",
        "negatives.sweep_seen": "seen pairs (solid)",
        "negatives.sweep_held_out": "held-out pairs (dashed)",
        "negatives.sweep_chance": "chance",
        "negatives.sweep_empty": "Press Start: each batch size's accuracy appears here as it trains",
        "negatives.sweep_panel_time": "against wall time",
        "negatives.sweep_panel_images": "against images seen",
        "negatives.chance_title": "The loss of a model that cannot tell the pairs apart: ln n",
        "negatives.chance_x": "batch size n (log scale)",
        "negatives.chance_y": "loss (nats)",
        "negatives.chance_curve": "ln n",
        "negatives.chance_measured": "random-init model, measured",
        "negatives.chance_chosen": "your n = {n}: ln n = {ln:.3f}",
        "negatives.chance_paper": "CLIP paper's batch (not measured here)",
        "negatives.chance_readout": (
            "**n = {n}:** every image is scored against {n} captions, its own and **{negatives} negatives**, and every "
            "caption against {n} images; the logits matrix holds {logits:,} numbers. A model that spreads its softmax "
            "evenly scores **ln {n} = {ln:.3f}** nats. The app's random-init model, on a real batch of {n}, measured "
            "**{measured:.3f}**: a little above ln n, because its scale exp(t) = {scale:.1f} turns small random "
            "differences in cosine into uneven guesses, and an uneven guess costs more on average than an even one.\n\n"
            "At the paper's n = {paper:,}: {paper_negatives:,} negatives per image, {paper_logits:,} logits per step "
            "({paper_gib:.0f} GiB in float32 if one device held them all), and ln n = {paper_ln:.2f}."),
        "negatives.chance_repeats": (
            "The toy world has only {distinct} distinct training scenes, so this batch of {n} repeats {repeated} of "
            "them: their captions appear twice. A random model cannot tell anyway; in training, such repeats would be "
            "false negatives."),
        "pretrained_note.negatives": ("**These experiments are toy-only.** They train new small toy CLIPs on the toy "
                                      "world; the pretrained CLIP picked in the header is not used in this tab."),
    },
    "zh": {
        "negatives.tab": "批大小与负样本",
        "negatives.chance_heading": "### 1 · 随机猜测时的损失是 ln n",
        "negatives.n": "批大小 n",
        "negatives.sweep_heading": "### 2 · 同样多的训练图片，用不同的批大小",
        "negatives.batches": "要比较的批大小",
        "negatives.budget": "每组的图片数（预算）",
        "negatives.seed": "随机种子",
        "negatives.start": "开始",
        "negatives.stop": "停止",
        "negatives.waiting": "正在开始……这台机器上最多同时进行 {slots} 个训练（本页的训练也算在内）；如果都在忙，你会在队列中等待，轮到时自动开始。",
        "negatives.already_running": "比较已经在运行：请先点“停止”，再点“开始”。",
        "negatives.name_n": "批大小 n",
        "negatives.name_budget": "每次训练用的图片数",
        "negatives.name_batches": "批大小",
        "negatives.name_seed": "随机种子",
        "negatives.err_budget_step": "预算必须是 {step} 的倍数，这样每种批大小用到的图片数才完全相同（收到的是 {budget}）。",
        "negatives.err_no_batches": "请从 {choices} 中至少选一个批大小。",
        "negatives.err_batch_limit": "批大小 {b} 超过了本服务器允许的最大训练批大小 {max}。",
        "negatives.err_steps_limit": "批大小为 {b} 时，这个预算需要 {steps:,} 步，超过了本服务器单次训练允许的步数（{max:,}）：请减小预算，或去掉最小的批大小。",
        "negatives.time_limit": "已运行 {seconds:.1f} 秒，停止：每个训练任务一次最多运行 {limit:g} 秒，好让每位学习者都轮得到。已经测得的结果会保留在页面上。",
        "negatives.status_none": "还没有运行：点<b>开始</b>。每种批大小都会在同样多的图片上从头训练一个小 CLIP（默认三种批大小约需 30 秒）。",
        "negatives.state_running": "训练中",
        "negatives.state_stopped": "已停止（已测得的点会保留）",
        "negatives.state_finished": "已完成",
        "negatives.progress": "第 {k}/{runs} 组：批大小 {b}，第 {step:,}/{steps:,} 步，已训练 {seconds:.1f} 秒",
        "negatives.wall": "总计 {seconds:.0f} 秒（含测量）",
        "negatives.readout_none": "开始训练后，这里会显示实测的比较结果。",
        "negatives.table_intro": (
            "每一组都用同一个随机种子、同一个峰值学习率，从头训练一个新模型，共看 **{budget:,} 张图片**；唯一的区别是批大小，"
            "因此步数也不同。批内准确率对每一组都在同一个批大小 {eval_batch} 上测量（随机猜测为 1/{eval_batch}）；"
            "零样本准确率在全部 48 个颜色–形状类别上测量，提示词为 “a photo of a {{}}.”（随机猜测为 1/48）。"),
        "negatives.table_head": "| 批大小 | 步数 | 负样本/图片 | logits/步 | 全部 logits | 用时（秒） | 图片/秒 | 批内 | 零样本：见过 / 留出 |",
        "negatives.verdict": (
            "**目前**：最快的是批大小 {fast}（{fast_s:.1f} 秒），最慢的是批大小 {slow}（{slow_s:.1f} 秒）。"
            "零样本准确率最高的是批大小 **{best}**：见过的组合 {seen:.0%}，留出的组合 {held:.0%}（批内 {inbatch:.0%}）。"
            "时间是这台机器上实测的，测量时机器可能正忙。"),
        "negatives.sweep_title": "同样 {budget:,} 张训练图片，用不同的批大小",
        "negatives.sweep_time": "训练用时（秒）",
        "negatives.sweep_images": "已看过的训练图片数",
        "negatives.sweep_in_batch": "批内准确率（批大小 {n}）",
        "negatives.sweep_zero_shot": "零样本准确率",
        "negatives.sweep_batch": "批大小 {b}",
        "negatives.sweep_seen": "见过的组合（实线）",
        "negatives.sweep_held_out": "留出的组合（虚线）",
        "negatives.sweep_chance": "随机猜测",
        "negatives.sweep_empty": "点“开始”：每种批大小的准确率会在训练时出现在这里",
        "negatives.sweep_panel_time": "随训练用时",
        "negatives.sweep_panel_images": "随已看过的图片数",
        "negatives.chance_title": "分不清图文对的模型的损失：ln n",
        "negatives.chance_x": "批大小 n（对数刻度）",
        "negatives.chance_y": "损失（奈特）",
        "negatives.chance_curve": "ln n",
        "negatives.chance_measured": "随机初始化模型，实测",
        "negatives.chance_chosen": "你选的 n = {n}：ln n = {ln:.3f}",
        "negatives.chance_paper": "CLIP 论文的批大小（这里无法实测）",
        "negatives.chance_readout": (
            "**n = {n}**：每张图片要和 {n} 条描述比较——其中一条是它自己的，另外 **{negatives} 条是负样本**；每条描述也要和 "
            "{n} 张图片比较。logits 矩阵共有 {logits:,} 个数。把 softmax 平均分配的模型，损失是 **ln {n} = {ln:.3f}** 奈特。"
            "本应用的随机初始化模型在真实的 {n} 对图文上实测为 **{measured:.3f}**，略高于 ln n：它的缩放 exp(t) = {scale:.1f} "
            "把余弦相似度之间微小的随机差别放大成了不均匀的猜测，而不均匀的猜测平均来说比均匀的猜测代价更高。\n\n"
            "在论文的 n = {paper:,} 时：每张图片有 {paper_negatives:,} 个负样本，每步 {paper_logits:,} 个 logits"
            "（如果全放在一个设备上，float32 需要 {paper_gib:.0f} GiB），ln n = {paper_ln:.2f}。"),
        "negatives.chance_repeats": "玩具世界里只有 {distinct} 个互不相同的训练场景，所以这一批 {n} 对里有 {repeated} 个场景重复出现，它们的描述也出现了两次。随机模型本来就分不清；但在训练中，这种重复会成为“假负样本”。",
        "pretrained_note.negatives": "**这些实验只针对玩具模型。** 它们会在玩具世界上训练新的小型玩具 CLIP；页首选择的预训练 CLIP 在这一页不会用到。",
    },
}
