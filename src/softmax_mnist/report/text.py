"""The report's words, in English and Chinese. Numbers are filled in by ``observations``.

Each observation template takes already-formatted numbers (strings), so the text shows
exactly the digits stored in ``results.json``. Figure labels stay English.
"""

from __future__ import annotations

LANGS = ("en", "zh")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Softmax regression on MNIST — lab report",
        "intro": ("Every number below was measured by `{command}` on {dataset} "
                  "({train} training, {val} validation, {test} test images; {source}). "
                  "Settings are chosen and compared on the validation split; the test split "
                  "is only reported. {seeds_text} Timings were taken while {jobs} runs "
                  "shared the machine ({backend}); the whole report took {wall} s."),
        "seeds_one": "One seed per setting (seed 0).",
        "seeds_many": "Each setting ran with {seeds} seeds: tables show mean ± std.",
        "quick": "**Quick mode**: fewer epochs and a smaller grid than the full report.",
        "Q1": "Q1 — Training and test accuracy, loss and accuracy curves",
        "Q2": "Q2 — With and without momentum",
        "Q3": "Q3 — Batch size, learning rate, epochs",
        "Q4": "Q4 — Beyond softmax on raw pixels: preprocessing and an MLP",
        "preprocessing": "Each preprocessing step alone and combined, linear vs MLP",
        "features": "features", "parameters": "parameters",
        "preprocess_seconds": "preprocessing (s)",
        "obs_ablation_gain": ("Validation accuracy against **{ref}** ({ref_val} %), in "
                              "points: {parts}."),
        "baseline": "The default configuration",
        "momentum": "Momentum 0 vs 0.9 vs Nesterov, same learning rate",
        "batch-lr": "Batch size × learning rate",
        "epochs": "Epochs, early stopping and learning-rate decay",
        "diagnostics": "Diagnostics: what the model learned and where it fails",
        "observations": "Observations",
        "setting": "Setting: {setting}.",
        "figure_seed": "Curves show seed 0.",
        "reproduce": "Reproduce",
        "reproduce_text": ("Run the same command again for the same numbers (timings aside). "
                           "Each study also runs alone and its grid can be copied and edited:"),
        # table headers
        "split": "split", "train": "train", "val": "validation", "test": "test",
        "accuracy": "accuracy (%)", "loss": "loss",
        "epochs_run": "epochs run", "best_epoch": "best epoch",
        "train_seconds": "training time (s)", "sec_per_epoch": "time per epoch (s)",
        "run": "run", "epochs_to": "epochs to {t} % val", "seconds_to": "s to {t} % val",
        "test_at": "test % @ epoch {c}", "final_val": "val (%)", "final_test": "test (%)",
        "final_train_loss": "train loss",
        "stop": "stopped by",
        "digit": "digit", "class_accuracy": "test accuracy (%)",
        "grid_val": "Validation accuracy (%) after {epochs} epochs",
        "grid_test": "Test accuracy (%) after {epochs} epochs",
        "grid_slice": "{axis} at {other} = {value}",
        "diverged": "diverged", "not_reached": "not reached", "na": "—",
        "stop_max_epoch": "max epochs", "stop_early_stop": "early stopping",
        "stop_diverged": "diverged",
        # observations
        "obs_baseline": ("The default setting reaches **{test} %** test accuracy ({val} % "
                         "validation, {train} % training) after {epochs} epochs and {seconds} s "
                         "of training; the weights of epoch {best} (best validation "
                         "accuracy) are kept."),
        "obs_gap": ("Training accuracy is {gap} points above test accuracy: {verdict}."),
        "gap_small": "a linear model with 7,850 parameters has little room to overfit",
        "gap_large": "the model is starting to fit the training set more than the digits",
        "obs_confusion": ("The most frequent mistake on the test set is {true} read as "
                          "{pred} ({count} images); the hardest digit is {hard} ({hard_acc} % "
                          "correct), the easiest {easy} ({easy_acc} %)."),
        "obs_best": ("Best final validation accuracy: **{label}** with {val} % (test {test} %), "
                     "{margin} points ahead of {second} ({second_val} %)."),
        "obs_only": ("The only run, **{label}**, ends at {val} % validation accuracy "
                     "(test {test} %)."),
        "obs_threshold": ("To reach {t} % validation accuracy, {parts}."),
        "obs_threshold_part": "{label} needed {epochs} epochs ({seconds} s)",
        "obs_threshold_miss": "{label} did not get there in {epochs} epochs",
        "obs_threshold_none": "No run reached {t} % validation accuracy within {epochs} epochs.",
        "obs_epoch_time": ("Time per epoch ranges from {low} s ({low_label}) to {high} s "
                           "({high_label}){why}."),
        "why_momentum": ": momentum adds one vector update per step, it saves epochs, "
                        "not time per epoch",
        "obs_checkpoint": "Test accuracy at epoch {c1} → epoch {c2}: {parts}.",
        "obs_checkpoint_part": "{label} {a} % → {b} %",
        "obs_stopped": ("{label} stopped after {epochs} epochs (best epoch {best}) with "
                        "{test} % test accuracy."),
        "obs_not_stopped": "{label}: the stopping rule did not trigger within {epochs} epochs.",
        "obs_diverged_runs": "Diverged (loss became NaN or exploded), shown as diverged: {runs}.",
        "obs_no_divergence": "No run diverged.",
        "obs_grid_best": ("Best validation accuracy after {epochs} epochs: **{label}** with "
                          "{val} % (test {test} %); the worst run that trained, {worst}, "
                          "reached {worst_val} %."),
        "obs_axis_best": ("At {other} {ref}, the best {axis} is **{best}** ({val} % "
                          "validation), the worst that trained is {worst} ({worst_val} %)."),
        "obs_batch_time": ("An epoch takes {t_small} s with batch size {b_small} and {t_large} s "
                           "with batch size {b_large} ({ratio}× as long): small batches mean "
                           "many small steps."),
        "obs_best_per_row": "Best {axis} for each {row_axis}: {parts}.",
        # the implementation part
        "implementation": "Implementation",
        "impl_ours": ("Every run was trained by softmax-mnist's own implementation "
                      "(`softmax_mnist.nn`)."),
        "impl_student": ("The runs were trained by the student's `SoftmaxCrossEntropyLoss` "
                         "and `SGD` from {folder} ({files}; `softmax-mnist check` passed "
                         "all its checks first), driven by softmax-mnist's Solver: the data, "
                         "batches, decay, early stopping and figures are softmax-mnist's."),
        "impl_reference_runs": ("The course interface has no hidden layers, Nesterov momentum "
                                "or weight decay: softmax-mnist's own implementation trained "
                                "{runs}."),
        "impl_naive": "loop over the samples (naive)", "impl_vectorised": "vectorised",
        "impl_yours": "the student's",
        "impl_table": ("One forward + gradient pass on the first {n} training images, from "
                       "the same weights"),
        "impl_column": "implementation", "impl_digits": "grad_W: same digits",
        "impl_ms": "ms per pass", "impl_ratio": "× vectorised",
        "impl_speed": ("The implementations give the same loss and gradients (grad_W agrees "
                       "to {digits} significant digits). The vectorised pass takes "
                       "{vectorised} ms; {parts}."),
        "impl_speed_part": "{label}: {ms} ms ({ratio}×)",
    },
    "zh": {
        "title": "Softmax 回归手写数字识别（MNIST）— 实验报告",
        "intro": ("以下所有数字均由 `{command}` 在 {dataset} 上实测得到（训练集 {train} 张、"
                  "验证集 {val} 张、测试集 {test} 张；来源：{source}）。"
                  "超参数只在验证集上比较和选择，测试集只用于报告结果。{seeds_text}"
                  "计时时有 {jobs} 个训练任务同时运行（{backend}）；整份报告耗时 {wall} 秒。"),
        "seeds_one": "每个设置使用一个随机种子（seed 0）。",
        "seeds_many": "每个设置使用 {seeds} 个随机种子：表格给出 均值 ± 标准差。",
        "quick": "**快速模式**：比完整报告的训练轮数更少、网格更小。",
        "Q1": "Q1 — 训练与测试准确率，损失与准确率曲线",
        "Q2": "Q2 — 使用与不使用动量（momentum）",
        "Q3": "Q3 — 批大小、学习率与训练轮数",
        "Q4": "Q4 — 超越原始像素上的 Softmax：预处理与多层感知机",
        "preprocessing": "各预处理步骤单独及组合使用的效果，线性模型与 MLP 对比",
        "features": "特征数", "parameters": "参数量",
        "preprocess_seconds": "预处理用时 (s)",
        "obs_ablation_gain": ("相对 **{ref}**（验证集 {ref_val}%）的验证集准确率变化"
                              "（百分点）：{parts}。"),
        "baseline": "默认配置",
        "momentum": "动量 0、0.9 与 Nesterov 动量（相同学习率）",
        "batch-lr": "批大小 × 学习率",
        "epochs": "训练轮数、早停与学习率衰减",
        "diagnostics": "诊断：模型学到了什么，错在哪里",
        "observations": "分析与结论",
        "setting": "设置：{setting}。",
        "figure_seed": "曲线为 seed 0 的结果。",
        "reproduce": "复现",
        "reproduce_text": "再次运行同一命令即可得到相同的数字（计时除外）。每个实验也可以单独运行，"
                          "其参数网格可以复制并修改：",
        "split": "数据集", "train": "训练集", "val": "验证集", "test": "测试集",
        "accuracy": "准确率 (%)", "loss": "损失",
        "epochs_run": "训练轮数", "best_epoch": "最佳轮次",
        "train_seconds": "训练时间 (秒)", "sec_per_epoch": "每轮时间 (秒)",
        "run": "设置", "epochs_to": "验证集达 {t}% 所需轮数", "seconds_to": "达 {t}% 所需秒数",
        "test_at": "第 {c} 轮测试准确率 (%)", "final_val": "验证集 (%)", "final_test": "测试集 (%)",
        "final_train_loss": "训练损失",
        "stop": "停止原因",
        "digit": "数字", "class_accuracy": "测试准确率 (%)",
        "grid_val": "训练 {epochs} 轮后的验证集准确率 (%)",
        "grid_test": "训练 {epochs} 轮后的测试集准确率 (%)",
        "grid_slice": "{axis}（{other} = {value}）",
        "diverged": "发散", "not_reached": "未达到", "na": "—",
        "stop_max_epoch": "达到最大轮数", "stop_early_stop": "早停", "stop_diverged": "发散",
        "obs_baseline": ("默认配置在测试集上达到 **{test}%** 的准确率（验证集 {val}%，"
                         "训练集 {train}%），共训练 {epochs} 轮、用时 {seconds} 秒；"
                         "最终保留第 {best} 轮（验证集准确率最高）的权重。"),
        "obs_gap": "训练集准确率比测试集高 {gap} 个百分点：{verdict}。",
        "gap_small": "只有 7,850 个参数的线性模型几乎没有过拟合的空间",
        "gap_large": "模型开始更多地拟合训练集本身",
        "obs_confusion": ("测试集上最常见的错误是把 {true} 认成 {pred}（{count} 张）；"
                          "最难识别的数字是 {hard}（正确率 {hard_acc}%），最容易的是 {easy}"
                          "（{easy_acc}%）。"),
        "obs_best": ("最终验证集准确率最高的是 **{label}**：{val}%（测试集 {test}%），"
                     "比第二名 {second}（{second_val}%）高 {margin} 个百分点。"),
        "obs_only": "唯一的设置 **{label}** 最终验证集准确率为 {val}%（测试集 {test}%）。",
        "obs_threshold": "验证集准确率达到 {t}%：{parts}。",
        "obs_threshold_part": "{label} 需要 {epochs} 轮（{seconds} 秒）",
        "obs_threshold_miss": "{label} 在 {epochs} 轮内没有达到",
        "obs_threshold_none": "在 {epochs} 轮内没有任何设置的验证集准确率达到 {t}%。",
        "obs_epoch_time": "每轮时间从 {low} 秒（{low_label}）到 {high} 秒（{high_label}）{why}。",
        "why_momentum": "：动量每步只多一次向量更新，它节省的是轮数，而不是每轮的时间",
        "obs_checkpoint": "第 {c1} 轮 → 第 {c2} 轮的测试准确率：{parts}。",
        "obs_checkpoint_part": "{label} {a}% → {b}%",
        "obs_stopped": "{label} 在第 {epochs} 轮早停（最佳轮次 {best}），测试准确率 {test}%。",
        "obs_not_stopped": "{label}：早停规则在 {epochs} 轮内没有触发。",
        "obs_diverged_runs": "以下设置训练发散（损失变为 NaN 或爆炸），表中记为“发散”：{runs}。",
        "obs_no_divergence": "没有设置发散。",
        "obs_grid_best": ("训练 {epochs} 轮后验证集准确率最高的是 **{label}**：{val}%"
                          "（测试集 {test}%）；能正常训练的设置中最差的是 {worst}，"
                          "为 {worst_val}%。"),
        "obs_axis_best": ("在 {other} {ref} 时，最好的 {axis} 是 **{best}**（验证集 {val}%），"
                          "能正常训练的设置中最差的是 {worst}（{worst_val}%）。"),
        "obs_batch_time": ("批大小为 {b_small} 时每轮需要 {t_small} 秒，批大小为 {b_large} 时需要 "
                           "{t_large} 秒（{ratio} 倍）：批越小，每轮的更新步数越多。"),
        "obs_best_per_row": "每个 {row_axis} 下最好的 {axis}：{parts}。",
        "implementation": "实现",
        "impl_ours": "所有训练都由 softmax-mnist 自己的实现（`softmax_mnist.nn`）完成。",
        "impl_student": ("训练使用学生的 `SoftmaxCrossEntropyLoss` 和 `SGD`，来自 {folder}"
                         "（{files}；事先通过了 `softmax-mnist check` 的全部检查），由 "
                         "softmax-mnist 的 Solver 驱动：数据、批次、学习率衰减、早停和图表"
                         "由 softmax-mnist 提供。"),
        "impl_reference_runs": ("课程接口没有隐藏层、Nesterov 动量和权重衰减：以下设置由 "
                                "softmax-mnist 自己的实现训练：{runs}。"),
        "impl_naive": "逐样本循环（朴素实现）", "impl_vectorised": "向量化实现",
        "impl_yours": "学生的实现",
        "impl_table": "在前 {n} 张训练图像上做一次前向 + 梯度计算（相同的初始权重）",
        "impl_column": "实现", "impl_digits": "grad_W 相同的有效数字位数",
        "impl_ms": "每次耗时 (ms)", "impl_ratio": "相对向量化的倍数",
        "impl_speed": ("各实现的损失和梯度相同（grad_W 前 {digits} 位有效数字一致）。"
                       "向量化实现每次 {vectorised} ms；{parts}。"),
        "impl_speed_part": "{label}：{ms} ms（{ratio} 倍）",
    },
}

AXIS_NAMES: dict[str, dict[str, str]] = {
    "en": {"batch_size": "batch size", "learning_rate": "learning rate",
           "momentum": "momentum", "lr_decay": "lr decay", "max_epoch": "epochs",
           "weight_decay": "weight decay"},
    "zh": {"batch_size": "批大小", "learning_rate": "学习率", "momentum": "动量",
           "lr_decay": "学习率衰减", "max_epoch": "训练轮数", "weight_decay": "权重衰减"},
}


def text(lang: str, key: str, **values: object) -> str:
    """The template ``key`` in ``lang``, filled with ``values``."""
    return TEXT[lang][key].format(**values)


def axis_name(lang: str, axis: str) -> str:
    return AXIS_NAMES[lang].get(axis, axis)
