"""UI strings of the "Scaling out" lesson (the prose is in lessons/beyond/distributed/en.md and zh.md)."""

STRINGS = {
    "en": {
        "distributed.tab": "Scaling out",
        "distributed.plan_heading": "### The global matrix, split over workers",
        "distributed.live_heading": "### Live: worker processes on this server",
        "distributed.workers": "Workers W (processes)",
        "distributed.local_batch": "Pairs per worker b",
        "distributed.steps": "Steps per run",
        "distributed.seed": "Seed",
        "distributed.start": "Start",
        "distributed.stop": "Stop",
        "distributed.name_workers": "Workers",
        "distributed.name_local_batch": "Pairs per worker",
        "distributed.name_steps": "Steps",
        "distributed.name_seed": "Seed",
        "distributed.err_slots": ("{workers} workers need {workers} training slots at once, and this server has "
                                  "{slots}: pick at most {slots} workers."),
        "distributed.err_batch": ("{workers} workers × {b} pairs = a global batch of {n}, above this server's largest "
                                  "training batch ({max})."),
        "distributed.err_slot_wait": ("The run needs {extra} more training slot(s) and none came free within "
                                      "{seconds:g} s: other learners are training. Try again in a while."),
        "distributed.waiting": ("Starting… this server runs at most {slots} trainings at once, and this run counts as "
                                "one per worker process; if they are busy you wait in the queue."),
        "distributed.waiting_extra": ("Waiting for {extra} more training slot(s) for the other worker(s): {busy} of "
                                      "{slots} are busy."),
        "distributed.already_running": "An experiment is already running: press Stop first, then Start.",
        "distributed.paper": (
            "**The paper's step, worked out.** CLIP trained with a batch of **{batch:,}** pairs. Its largest ResNet "
            "(RN50x64) took **{days} days on {gpus} V100 GPUs**: {gpus} × {days} = **{gpu_days:,} GPU-days** "
            "({gpu_hours:,} GPU-hours). The data set: **{pairs:.0f} million** image–text pairs, seen {epochs} times "
            "(32 epochs) = **{seen:.1f} billion** pairs = {seen:.1f} × 10⁹ / {batch:,} ≈ **{steps:,.0f} steps**.\n\n"
            "One step's logits matrix has {batch:,} × {batch:,} = **{logits:,}** entries; in fp32 (4 bytes each) "
            "that is {bytes:,} bytes = **{gib:.0f} GiB**, for one direction (logits_per_text is the same numbers "
            "transposed), before any activation behind it. A V100 has 16 or 32 GB.\n\n"
            "Over {gpus} GPUs each worker encodes {batch:,} / {gpus} ≈ **{per_gpu:.1f}** pairs (the batch does not "
            "split evenly; the paper does not say how it was shared out). Under the local loss a worker keeps its own "
            "rows: {ceil} × {batch:,} × 4 B ≈ **{row_mb:.1f} MiB** instead of {gib:.0f} GiB. What crosses the wire "
            "is embeddings, not images: a worker sends 2 × {ceil} × {d} × 4 B ≈ **{send_kb:.0f} KiB** (its image "
            "and text embeddings, d_e = {d}) and receives everyone's, 2 × {batch:,} × {d} × 4 B = "
            "**{gather_mib:.0f} MiB** per step."),
        "distributed.memory": (
            "**W = {workers} workers × b = {b} pairs** (global batch n = {n}, d_e = {d}). Each worker sends its image "
            "and text embeddings, 2 × {b} × {d} × 4 B = **{send:,} B**, and receives the others', **{receive:,} B**. "
            "The whole matrix is {n} × {n} × 4 B = **{global_logits:,} B**; a worker's own rows and columns under "
            "the local loss, 2 × {b} × {n} × 4 B = **{local_logits:,} B**. Negatives per image: **{gathered_negatives}** "
            "with gathering, **{own_negatives}** with each worker's own pairs only."),
        "distributed.blocks_title": "The global {n} × {n} logits matrix: who scores what",
        "distributed.blocks_worker": "worker {r}: {b} × {n} logits",
        "distributed.blocks_diagonal": "correct pairs (diagonal); green squares: a worker's own pairs",
        "distributed.axis_text": "text (caption) index",
        "distributed.axis_image": "image index",
        "distributed.run_gathered": "{w} workers × {b}, gathered negatives",
        "distributed.run_own": "{w} workers × {b}, own negatives",
        "distributed.run_single": "1 process × {n}",
        "distributed.status_none": ("Not run yet. <b>Start</b> launches real worker processes on this server "
                                    "(torch.distributed, gloo, 127.0.0.1): three short trainings on the same pairs."),
        "distributed.state_ready": "ready",
        "distributed.state_waiting": "waiting for training slots",
        "distributed.state_running": "running",
        "distributed.state_stopped": "stopped",
        "distributed.state_finished": "finished",
        "distributed.state_failed": "failed: a worker process ended",
        "distributed.now": "{run}: step {done}/{steps}",
        "distributed.pids": "worker processes: pid {pids}",
        "distributed.parity_none": ("After **Start**, the first global matrix the workers computed from gathered "
                                    "embeddings appears here beside one process's matrix on the same pairs."),
        "distributed.parity_title": "{w} workers' gathered logits vs one process, first batch of {n} pairs",
        "distributed.parity_left": "gathered by the workers (worker blocks outlined)",
        "distributed.parity_right": "| gathered − one process |",
        "distributed.parity_logit": "logit",
        "distributed.parity_difference": "|Δ|",
        "distributed.parity_logits": ("**Same matrix.** The largest difference between the workers' gathered "
                                      "{n} × {n} logits and one process's is **{diff:.1e}** (float rounding)."),
        "distributed.parity_loss": ("**Same loss.** Step 1: workers **{workers:.7f}**, one process **{single:.7f}** "
                                    "(|Δ| = {diff:.1e})."),
        "distributed.parity_curve": ("The gathered run and the one-process run see the same pairs: over their first "
                                     "{steps} steps their losses differ by at most **{diff:.1e}**."),
        "distributed.parity_weights": ("After all {steps} steps, the largest weight difference between the two "
                                       "models is **{diff:.1e}**: rounding differences, carried and grown by training."),
        "distributed.compare_title": "The same {pairs:,} pairs seen: own negatives vs gathered negatives",
        "distributed.compare_pairs": "image–text pairs seen",
        "distributed.compare_loss": "training loss (dashed: chance ln n)",
        "distributed.compare_accuracy": "accuracy after training (in-batch of {n}, zero-shot)",
        "distributed.compare_throughput": "measured pairs per second",
        "distributed.compare_in_batch": "in-batch",
        "distributed.compare_seen": "zero-shot seen",
        "distributed.compare_held_out": "zero-shot held-out",
        "distributed.compare_empty": "Press Start to measure",
        "distributed.table_none": "The measured table appears when the first run ends.",
        "distributed.table_intro": ("Measured on this server. In-batch accuracy: image → text on the same fixed "
                                    "batches of {n} for every run; zero-shot with “{template}” over every colour–shape "
                                    "class."),
        "distributed.table_head": ("| run | processes × threads | negatives per image | pairs seen | final loss "
                                   "(chance) | in-batch | zero-shot seen / held-out | train s | pairs/s |"),
        "distributed.verdict_negatives": (
            "**Own vs gathered negatives**, same pairs: in-batch **{own:.0%} → {gathered:.0%}**, zero-shot seen "
            "{own_seen:.0%} → {gathered_seen:.0%}, held-out {own_held:.0%} → {gathered_held:.0%}. Gathering makes "
            "each image pick its caption among {n} instead of {b}; the losses are not comparable directly (their "
            "chance levels differ), the accuracies on common batches are."),
        "distributed.verdict_speed": (
            "**Throughput, honestly:** {w} processes gathering ran **{gathered:,.0f}** pairs/s, one process "
            "**{single:,.0f}** (× {ratio:.2f}); {w} processes on their own pairs {own:,.0f}. This machine has 2 CPU "
            "cores shared by everyone: the workers split the same cores, and each step adds the gathers. More "
            "workers pay off when each brings its own device."),
        "distributed.time_limit": ("Stopped at the time limit: one training job runs at most {limit:g} s, so that "
                                   "every learner gets a turn."),
        "distributed.worker_failed": "The run stopped because {reason}. Every worker was ended and its slots freed.",
        "pretrained_note.distributed": ("**These experiments are toy-only.** This tab trains new toy models in worker "
                                        "processes; the pretrained CLIP picked in the header is not used here."),
    },
    "zh": {
        "distributed.tab": "多进程训练",
        "distributed.plan_heading": "### 全局矩阵如何分给各个 worker",
        "distributed.live_heading": "### 实时：本服务器上的 worker 进程",
        "distributed.workers": "worker 数 W（进程）",
        "distributed.local_batch": "每个 worker 的图文对数 b",
        "distributed.steps": "每次训练的步数",
        "distributed.seed": "随机种子",
        "distributed.start": "开始",
        "distributed.stop": "停止",
        "distributed.name_workers": "worker 数",
        "distributed.name_local_batch": "每个 worker 的图文对数",
        "distributed.name_steps": "步数",
        "distributed.name_seed": "随机种子",
        "distributed.err_slots": "{workers} 个 worker 需要同时占用 {workers} 个训练名额，而这台服务器只有 {slots} 个：请最多选 {slots} 个 worker。",
        "distributed.err_batch": "{workers} 个 worker × {b} 对 = 全局批大小 {n}，超过了这台服务器允许的最大训练批（{max}）。",
        "distributed.err_slot_wait": "这次训练还需要 {extra} 个训练名额，但 {seconds:g} 秒内都没有空出来：其他学习者正在训练。请稍后再试。",
        "distributed.waiting": "正在开始……这台服务器最多同时进行 {slots} 个训练，而这次训练每个 worker 进程都算一个；如果都在忙，你会在队列中等待。",
        "distributed.waiting_extra": "正在为其他 worker 等待另外 {extra} 个训练名额：{slots} 个中有 {busy} 个在忙。",
        "distributed.already_running": "实验已经在进行：请先点“停止”，再点“开始”。",
        "distributed.paper": (
            "**论文里的一步，算一算。** CLIP 训练时的批大小是 **{batch:,}** 对图文。它最大的 ResNet（RN50x64）在 "
            "**{gpus} 块 V100 GPU 上训练了 {days} 天**：{gpus} × {days} = **{gpu_days:,} GPU·天**（{gpu_hours:,} "
            "GPU·小时）。数据集：**{pairs:.0f} 百万**（4 亿）对图文，每对看 {epochs} 遍（32 个 epoch）= **{seen:.1f} "
            "十亿**对 = {seen:.1f} × 10⁹ / {batch:,} ≈ **{steps:,.0f} 步**。\n\n"
            "一步的 logits 矩阵有 {batch:,} × {batch:,} = **{logits:,}** 个元素；按 fp32（每个 4 字节）是 {bytes:,} 字节 "
            "= **{gib:.0f} GiB**，这还只是一个方向（logits_per_text 是同一组数的转置），更不算它背后的激活值。一块 V100 "
            "只有 16 或 32 GB。\n\n"
            "分到 {gpus} 块 GPU 上，每个 worker 编码 {batch:,} / {gpus} ≈ **{per_gpu:.1f}** 对（批大小不能整除；论文没有"
            "说明怎么分配）。用局部损失（local loss）时，一个 worker 只保留自己的行：{ceil} × {batch:,} × 4 B ≈ "
            "**{row_mb:.1f} MiB**，而不是 {gib:.0f} GiB。在网络上传输的是嵌入向量，不是图片：一个 worker 发出 2 × {ceil} "
            "× {d} × 4 B ≈ **{send_kb:.0f} KiB**（它的图片和文本嵌入，d_e = {d}），并接收所有人的嵌入，每步 2 × "
            "{batch:,} × {d} × 4 B = **{gather_mib:.0f} MiB**。"),
        "distributed.memory": (
            "**W = {workers} 个 worker × 每个 b = {b} 对**（全局批大小 n = {n}，d_e = {d}）。每个 worker 发出自己的图片和"
            "文本嵌入，2 × {b} × {d} × 4 B = **{send:,} B**，并接收其他 worker 的 **{receive:,} B**。整个矩阵是 {n} × "
            "{n} × 4 B = **{global_logits:,} B**；用局部损失时，一个 worker 自己的行和列是 2 × {b} × {n} × 4 B = "
            "**{local_logits:,} B**。每张图片的负样本数：汇集（gather）后 **{gathered_negatives}** 个，只用自己的图文对时 "
            "**{own_negatives}** 个。"),
        "distributed.blocks_title": "全局 {n} × {n} logits 矩阵：谁算哪一块",
        "distributed.blocks_worker": "worker {r}：{b} × {n} 个 logit",
        "distributed.blocks_diagonal": "正确的图文对（对角线）；绿色方块：某个 worker 自己的图文对",
        "distributed.axis_text": "文本（描述）序号",
        "distributed.axis_image": "图片序号",
        "distributed.run_gathered": "{w} 个 worker × {b}，汇集负样本",
        "distributed.run_own": "{w} 个 worker × {b}，只用自己的负样本",
        "distributed.run_single": "1 个进程 × {n}",
        "distributed.status_none": "还没有运行。<b>开始</b> 会在这台服务器上启动真实的 worker 进程（torch.distributed，gloo，127.0.0.1）：在同样的图文对上做三次简短训练。",
        "distributed.state_ready": "就绪",
        "distributed.state_waiting": "等待训练名额",
        "distributed.state_running": "运行中",
        "distributed.state_stopped": "已停止",
        "distributed.state_finished": "已完成",
        "distributed.state_failed": "失败：有一个 worker 进程结束了",
        "distributed.now": "{run}：第 {done}/{steps} 步",
        "distributed.pids": "worker 进程：pid {pids}",
        "distributed.parity_none": "点 **开始** 之后，这里会显示 worker 们用汇集来的嵌入算出的第一个全局矩阵，旁边是单个进程在同样图文对上算出的矩阵。",
        "distributed.parity_title": "{w} 个 worker 汇集得到的 logits 与单进程对比，第一批 {n} 对",
        "distributed.parity_left": "worker 们汇集计算（框出各 worker 的块）",
        "distributed.parity_right": "| 汇集 − 单进程 |",
        "distributed.parity_logit": "logit",
        "distributed.parity_difference": "|Δ|",
        "distributed.parity_logits": "**同一个矩阵。** worker 们汇集得到的 {n} × {n} logits 与单进程结果的最大差为 **{diff:.1e}**（浮点舍入）。",
        "distributed.parity_loss": "**同一个损失。** 第 1 步：worker 们 **{workers:.7f}**，单进程 **{single:.7f}**（|Δ| = {diff:.1e}）。",
        "distributed.parity_curve": "汇集训练和单进程训练看到的是同样的图文对：前 {steps} 步的损失最多相差 **{diff:.1e}**。",
        "distributed.parity_weights": "全部 {steps} 步之后，两个模型权重的最大差为 **{diff:.1e}**：舍入误差被训练带着走、并逐渐放大。",
        "distributed.compare_title": "看过同样的 {pairs:,} 对图文：只用自己的负样本 vs 汇集负样本",
        "distributed.compare_pairs": "已看过的图文对",
        "distributed.compare_loss": "训练损失（虚线：随机猜测 ln n）",
        "distributed.compare_accuracy": "训练后的准确率（{n} 对的批内检索、零样本）",
        "distributed.compare_throughput": "实测每秒图文对数",
        "distributed.compare_in_batch": "批内",
        "distributed.compare_seen": "零样本：见过的",
        "distributed.compare_held_out": "零样本：留出的",
        "distributed.compare_empty": "点“开始”进行测量",
        "distributed.table_none": "第一次训练结束后，这里会出现实测的表格。",
        "distributed.table_intro": "在这台服务器上实测。批内准确率：每次训练都在同一组固定的 {n} 对批次上测图片 → 文本；零样本用 “{template}”，覆盖所有颜色–形状类别。",
        "distributed.table_head": "| 训练 | 进程 × 线程 | 每张图片的负样本 | 看过的图文对 | 最终损失（随机猜测） | 批内 | 零样本 见过 / 留出 | 训练秒数 | 每秒图文对 |",
        "distributed.verdict_negatives": (
            "**自己的负样本 vs 汇集的负样本**，同样的图文对：批内 **{own:.0%} → {gathered:.0%}**，零样本见过的 "
            "{own_seen:.0%} → {gathered_seen:.0%}，留出的 {own_held:.0%} → {gathered_held:.0%}。汇集之后，每张图片要在 "
            "{n} 条描述里挑出自己的，而不是 {b} 条；两种损失不能直接比较（随机猜测的水平不同），在相同批次上测的准确率可以。"),
        "distributed.verdict_speed": (
            "**吞吐量，如实报告：** {w} 个进程汇集训练每秒 **{gathered:,.0f}** 对，单进程 **{single:,.0f}** 对（× "
            "{ratio:.2f}）；{w} 个进程只用自己的图文对时每秒 {own:,.0f} 对。这台机器只有 2 个 CPU 核，所有人共用："
            "worker 们分的是同样的核，每一步还多了汇集通信。只有每个 worker 有自己的设备时，多加 worker 才划算。"),
        "distributed.time_limit": "已到时间上限，停止：每个训练任务一次最多运行 {limit:g} 秒，好让每位学习者都轮得到。",
        "distributed.worker_failed": "训练停止了，原因：{reason}。所有 worker 都已结束，训练名额已释放。",
        "pretrained_note.distributed": "**这些实验只针对玩具模型。** 这一页在 worker 进程中训练新的玩具模型；页首选择的预训练 CLIP 在这里不会用到。",
    },
}
