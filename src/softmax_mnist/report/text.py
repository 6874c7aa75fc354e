"""The report's words, in English and Chinese. Numbers are filled in by ``observations``.

Each observation template takes already-formatted numbers (strings), so the text shows
exactly the digits stored in ``results.json``. The figures' words are in ``figure_text``.
"""

from __future__ import annotations

import re

from .text_beyond import BEYOND
from .text_implementation import IMPLEMENTATION

LANGS = ("en", "zh")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Softmax regression on MNIST — lab report",
        "intro": ("Every number below was measured by the command above on {dataset} "
                  "({train} training, {val} validation, {test} test images; {source}). "
                  "Settings are chosen and compared on the validation split; the test split "
                  "is only reported. {seeds_text} {timing} The whole report took {wall} s."),
        "timing": ("The runs trained {jobs} at a time ({backend}); the time columns come from "
                   "a serial timing pass after them: each distinct setting trained alone for "
                   "one epoch, in {repeats} rounds over all settings, the fastest kept (an "
                   "epoch of over {max_steps} steps timed on its first {max_steps} and "
                   "scaled), times the epochs."),
        "parallel_times": ("Times in this table were measured while {jobs} runs shared the "
                           "machine: compare them within the table only."),
        "seeds_one": "One seed per setting (seed 0).",
        "seeds_many": "Each setting ran with {seeds} seeds: tables show mean ± std.",
        "quick": "**Quick mode**: fewer epochs and a smaller grid than the full report.",
        "reused": ("{reused} of the {runs} runs (and the epoch times of {timed} settings) were "
                   "reused from the run cache: trained before with the same options, seed, "
                   "data and code; `--fresh` trains them all again."),
        "left_out": ("**Left out** to keep the report short: {parts}. Add them with "
                     "`softmax-mnist report --with {names}` (or any of them by name), or "
                     "`--all`."),
        "left_preprocessing": "Q4 preprocessing and an MLP",
        "left_ladder": "Q5 the ladder to a CNN", "left_lab2": "Q6 lab 2's loss and activation",
        "list_sep": "; ",
        "Q1": "Q1 — Training and test accuracy, loss and accuracy curves",
        "Q2": "Q2 — With and without momentum",
        "Q3": "Q3 — Batch size, learning rate, epochs",
        "Q4": "Q4 (extra) — Beyond softmax on raw pixels: preprocessing and an MLP",
        "Q1_ask": ("*The lab asks:* record the training and test accuracy, and plot the "
                   "training loss and accuracy curves."),
        "Q2_ask": ("*The lab asks:* train with and without momentum and compare the training "
                   "time, the convergence and the accuracy (also over 30 epochs)."),
        "Q3_ask": ("*The lab asks:* tune the other hyperparameters — batch size (1, 10, 100, "
                   "1000, 5000), learning rate (0.01, 0.1, 0.5, 1, 3), number of epochs — and "
                   "write down what each does."),
        "Q4_ask": ("*Beyond the lab:* the write-up's own ideas (PCA, down-sampling, "
                   "deskewing, denoising) and lab 2's MLP, each measured."),
        "preprocessing": "Each preprocessing step alone and combined, linear vs MLP",
        "features": "features", "parameters": "parameters",
        "preprocess_seconds": "preprocessing (s)",
        "obs_ablation_gain": ("Validation accuracy against **{ref}** ({ref_val} %), in "
                              "points, largest gains first: {parts}."),
        "baseline": "The default configuration",
        "momentum": "Momentum 0 vs 0.9 vs Nesterov, same learning rate",
        "batch-lr": "Batch size × learning rate",
        "epochs": "Epochs, early stopping and learning-rate decay",
        "diagnostics": "Diagnostics: what the model learned and where it fails",
        "observations": "Observations",
        "setting": "Setting: {setting}.",
        "figure_seed": "Curves show seed 0.",
        "reproduce": "Reproduce", "contents": "Contents",
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
        "best_val": "best val (%)", "best_val_epoch": "at epoch",
        "test_at_best": "test (%) at that epoch",
        "study_title": "Study “{name}” ({source})",
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
                         "of training; {kept}."),
        "kept_best": "the weights of epoch {best} (best validation accuracy) are kept",
        "kept_last": "the last epoch's weights are kept (best validation epoch: {best})",
        "obs_gap": ("Training accuracy is {gap} points above test accuracy: {verdict}."),
        "gap_small": "a linear model with 7,850 parameters has little room to overfit",
        "gap_large": "the model is starting to fit the training set more than the digits",
        "obs_confusion": ("The most frequent mistake on the test set is {true} read as "
                          "{pred} ({count} images); the hardest digit is {hard} ({hard_acc} % "
                          "correct), the easiest {easy} ({easy_acc} %)."),
        "basis_last": "At the end of training (each run's last epoch)",
        "basis_restored": ("With the weights each run ends on (its best validation epoch, "
                           "restored by the stopping rule)"),
        "basis_best": ("At each run's best validation epoch (some runs end on restored best "
                       "weights, others on their last epoch, so their final numbers are not "
                       "alike)"),
        "scored": "{label} at {val} %{at}",
        "at_epoch": " (epoch {epoch})",
        "images": "{n} validation images", "images_one": "1 validation image",
        "and": "{first} and {last}", "comma": ", ", "n_more": "{n} more",
        "tie": "±0.00 (tie)", "tied_with": ", tied with {labels},",
        "obs_best": ("{basis}, the best validation accuracy: {lead}, {margin} points "
                     "({images}) ahead of {second}; its test accuracy is {test} %."),
        "obs_tie": ("{basis}: {labels} tie at {val} % validation accuracy (less than one "
                    "validation image apart; one image is {res} points), test {test} %; "
                    "next is {second}, {margin} points ({images}) lower."),
        "obs_tie_all": ("{basis}: {labels} tie at {val} % validation accuracy (less than one "
                        "validation image apart; one image is {res} points), test {test} %."),
        "obs_only": ("The only run, **{label}**, ends at {val} % validation accuracy "
                     "(test {test} %)."),
        "obs_threshold": ("To reach {t} % validation accuracy, {parts}."),
        "obs_threshold_part": "{label} needed {epochs} epochs ({seconds} s)",
        "obs_threshold_miss": "{label} did not get there in {epochs} epochs",
        "obs_threshold_none": "No run reached {t} % validation accuracy within {epochs} epochs.",
        "obs_epoch_time_one": ("Every run does the same work per epoch (same model, batch "
                               "size and optimizer): {seconds} s, timed alone, so the time to "
                               "an accuracy is decided by the number of epochs."),
        "obs_epoch_time_same": ("Time per epoch, each setting timed alone: {low}–{high} s, "
                                "within {pct} % of each other{why}."),
        "why_same": ", so the time to an accuracy is decided by the number of epochs",
        "why_same_momentum": (": momentum's extra vector update per step costs little next "
                              "to the matrix products, so the time to an accuracy is decided "
                              "by the number of epochs"),
        "obs_epoch_time": ("Time per epoch, each setting timed alone, ranges from {low} s "
                           "({low_label}) to {high} s ({high_label}), {pct} % more{why}."),
        "why_momentum_cost": ": momentum's extra vector update per step is measurable here",
        "obs_checkpoint": "Test accuracy at epoch {c1} → epoch {c2}: {parts}.",
        "obs_checkpoint_part": "{label} {a} % → {b} %",
        "obs_stopped": "{label} stopped after {epochs} epochs: {why}; {ends}.",
        "why_plateau": ("its validation accuracy changed by less than {delta} points "
                        "(min_delta) in each of the last 2 epochs"),
        "why_patience": ("{patience} epochs in a row brought no gain of more than {delta} "
                         "points (min_delta)"),
        "why_patience_small": (" — epoch {best} was the best, but by no more than {delta} "
                               "points over epoch {ref}, too little to reset the count"),
        "ends_best": ("it ends with the weights of epoch {best} (best validation accuracy), "
                      "{test} % test"),
        "ends_last": ("it ends with its last epoch's weights (best validation epoch {best}), "
                      "{test} % test"),
        "obs_not_stopped": "{label}: the stopping rule did not trigger within {epochs} epochs.",
        "obs_not_stopped_many": ("The stopping rule did not trigger within {epochs} epochs in "
                                 "{others}{n} runs."),
        "others": "the other ",
        "obs_diverged_runs": "Diverged (loss became NaN or exploded), shown as diverged: {runs}.",
        "obs_no_divergence": "No run diverged.",
        "obs_grid_best": ("Best validation accuracy after {epochs} epochs: **{label}**{tied} "
                          "with {val} % (test {test} %); the worst run that trained, {worst}, "
                          "reached {worst_val} %."),
        "obs_axis_best": ("At {other} {ref}, best {axis}: **{best}** ({val} % validation); "
                          "worst that trained: {worst} ({worst_val} %)."),
        "obs_batch_time": ("An epoch takes {t_small} s with batch size {b_small} and {t_large} s "
                           "with batch size {b_large} ({ratio}× as long): small batches mean "
                           "many small steps."),
        "obs_best_per_row": "Best {axis} for each {row_axis}: {parts}.",
    },
    "zh": {
        "title": "Softmax 回归手写数字识别（MNIST）— 实验报告",
        "intro": ("以下所有数字均由上面的命令在 {dataset} 上实测得到（训练集 {train} 张、"
                  "验证集 {val} 张、测试集 {test} 张；来源：{source}）。"
                  "超参数只在验证集上比较和选择，测试集只用于报告结果。{seeds_text}{timing}"
                  "整份报告耗时 {wall} 秒。"),
        "timing": ("训练时每次有 {jobs} 个任务并行（{backend}）；表中的时间来自其后的串行计时："
                   "每种不同的设置单独训练一轮，轮流进行 {repeats} 遍，取最快的一次"
                   "（超过 {max_steps} 步的一轮只计前 {max_steps} 步再按比例换算），"
                   "再乘以轮数。"),
        "parallel_times": "本表的时间是在 {jobs} 个任务同时运行时测得的，只宜在表内相互比较。",
        "seeds_one": "每个设置使用一个随机种子（seed 0）。",
        "seeds_many": "每个设置使用 {seeds} 个随机种子：表格给出 均值 ± 标准差。",
        "quick": "**快速模式**：比完整报告的训练轮数更少、网格更小。",
        "reused": ("{runs} 个训练任务中有 {reused} 个（以及 {timed} 种设置的每轮用时）"
                   "取自运行缓存：它们此前以相同的选项、随机种子、数据和代码训练过；"
                   "`--fresh` 会全部重新训练。"),
        "left_out": ("为使报告简短，**未包含**：{parts}。用 `softmax-mnist report --with {names}`"
                     "（也可只写其中某几个名字）或 `--all` 加入。"),
        "left_preprocessing": "Q4 预处理与多层感知机",
        "left_ladder": "Q5 从线性模型到 CNN 的阶梯", "left_lab2": "Q6 实验二的损失函数与激活函数",
        "list_sep": "；",
        "Q1": "Q1 — 训练与测试准确率，损失与准确率曲线",
        "Q2": "Q2 — 使用与不使用动量（momentum）",
        "Q3": "Q3 — 批大小、学习率与训练轮数",
        "Q4": "Q4（附加）— 超越原始像素上的 Softmax：预处理与多层感知机",
        "Q1_ask": "*实验要求：*记录训练集和测试集准确率，画出训练损失和准确率曲线。",
        "Q2_ask": ("*实验要求：*比较使用和不使用动量时的训练时"
                   "间、收敛情况和准确率（也训练 30 轮比较）。"),
        "Q3_ask": ("*实验要求：*调整其他超参数——批大小（1、10、100、1000、5000）、"
                   "学习率（0.01、0.1、0.5、1、3）、训练轮数——并说明它们各自的作用。"),
        "Q4_ask": ("*实验之外：*报告里提出的想法（PCA、降采样"
                   "、图像矫正、去噪）和实验二的 MLP，逐一实测。"),
        "preprocessing": "各预处理步骤单独及组合使用的效果，线性模型与 MLP 对比",
        "features": "特征数", "parameters": "参数量",
        "preprocess_seconds": "预处理用时 (秒)",
        "obs_ablation_gain": ("相对 **{ref}**（验证集 {ref_val}%）的验证集准确率变化"
                              "（百分点，从提升最多的开始）：{parts}。"),
        "baseline": "默认配置",
        "momentum": "动量 0、0.9 与 Nesterov 动量（相同学习率）",
        "batch-lr": "批大小 × 学习率",
        "epochs": "训练轮数、早停与学习率衰减",
        "diagnostics": "诊断：模型学到了什么，错在哪里",
        "observations": "分析与结论",
        "setting": "设置：{setting}。",
        "figure_seed": "曲线为 seed 0 的结果。",
        "reproduce": "复现", "contents": "目录",
        "reproduce_text": "再次运行同一命令即可得到相同的数字（计时除外）。每个实验也可以单独运行，"
                          "其参数网格可以复制并修改：",
        "split": "数据集", "train": "训练集", "val": "验证集", "test": "测试集",
        "accuracy": "准确率 (%)", "loss": "损失",
        "epochs_run": "训练轮数", "best_epoch": "最佳轮次",
        "train_seconds": "训练时间 (秒)", "sec_per_epoch": "每轮时间 (秒)",
        "run": "设置", "epochs_to": "验证集达 {t}% 所需轮数", "seconds_to": "达 {t}% 所需秒数",
        "test_at": "第 {c} 轮测试准确率 (%)", "final_val": "验证集 (%)", "final_test": "测试集 (%)",
        "final_train_loss": "训练损失",
        "best_val": "最好验证集 (%)", "best_val_epoch": "所在轮次",
        "test_at_best": "该轮测试集 (%)",
        "study_title": "实验“{name}”（{source}）",
        "stop": "停止原因",
        "digit": "数字", "class_accuracy": "测试准确率 (%)",
        "grid_val": "训练 {epochs} 轮后的验证集准确率 (%)",
        "grid_test": "训练 {epochs} 轮后的测试集准确率 (%)",
        "grid_slice": "{axis}（{other} = {value}）",
        "diverged": "发散", "not_reached": "未达到", "na": "—",
        "stop_max_epoch": "达到最大轮数", "stop_early_stop": "早停", "stop_diverged": "发散",
        "obs_baseline": ("默认配置在测试集上达到 **{test}%** 的准确率（验证集 {val}%，"
                         "训练集 {train}%），共训练 {epochs} 轮、用时 {seconds} 秒；{kept}。"),
        "kept_best": "最终保留第 {best} 轮（验证集准确率最高）的权重",
        "kept_last": "最终保留最后一轮的权重（验证集最好的是第 {best} 轮）",
        "obs_gap": "训练集准确率比测试集高 {gap} 个百分点：{verdict}。",
        "gap_small": "只有 7,850 个参数的线性模型几乎没有过拟合的空间",
        "gap_large": "模型开始更多地拟合训练集本身",
        "obs_confusion": ("测试集上最常见的错误是把 {true} 认成 {pred}（{count} 张）；"
                          "最难识别的数字是 {hard}（正确率 {hard_acc}%），最容易的是 {easy}"
                          "（{easy_acc}%）。"),
        "basis_last": "训练结束时（各设置的最后一轮）",
        "basis_restored": "按各设置最终保留的权重（早停规则恢复的验证集最佳轮次）",
        "basis_best": ("按各设置验证集最好的一轮比较（有的设置最后恢复了最佳轮次的权重，"
                       "有的停在最后一轮，最终数字不能直接比较）"),
        "scored": "{label} 的 {val}%{at}",
        "at_epoch": "（第 {epoch} 轮）",
        "images": "{n} 张验证图像", "images_one": "1 张验证图像",
        "and": "{first} 和 {last}", "comma": "、", "n_more": "另外 {n} 个",
        "tie": "±0.00（持平）", "tied_with": "（与 {labels} 持平）",
        "obs_best": ("{basis}，验证集准确率最高的是 {lead}，比 {second} 高 {margin} 个百分点"
                     "（{images}）；其测试集准确率为 {test}%。"),
        "obs_tie": ("{basis}，{labels} 的验证集准确率持平，均为 {val}%（相差不到一张验证图像；"
                    "一张图像为 {res} 个百分点），测试集 {test}%；其次是 {second}，"
                    "低 {margin} 个百分点（{images}）。"),
        "obs_tie_all": ("{basis}，{labels} 的验证集准确率持平，均为 {val}%（相差不到一张验证"
                        "图像；一张图像为 {res} 个百分点），测试集 {test}%。"),
        "obs_only": "唯一的设置 **{label}** 最终验证集准确率为 {val}%（测试集 {test}%）。",
        "obs_threshold": "验证集准确率达到 {t}%：{parts}。",
        "obs_threshold_part": "{label} 需要 {epochs} 轮（{seconds} 秒）",
        "obs_threshold_miss": "{label} 在 {epochs} 轮内没有达到",
        "obs_threshold_none": "在 {epochs} 轮内没有任何设置的验证集准确率达到 {t}%。",
        "obs_epoch_time_one": ("各设置每轮的计算量相同（模型、批大小和优化器都相同）："
                               "单独计时每轮 {seconds} 秒，"
                               "所以达到某个准确率所需的时间取决于轮数。"),
        "obs_epoch_time_same": ("每轮时间（各设置单独计时）为 {low}–{hi"
                                "gh} 秒，相差在 {pct}% 以内{why}。"),
        "why_same": "，所以达到某个准确率所需的时间取决于轮数",
        "why_same_momentum": "：动量每步只多一次向量更新，与矩阵乘法相比开销很小，"
                             "所以达到某个准确率所需的时间取决于轮数",
        "obs_epoch_time": ("每轮时间（各设置单独计时）从 {low} 秒（{low_label}）到 {high} 秒"
                           "（{high_label}），多 {pct}%{why}。"),
        "why_momentum_cost": "：在这个模型规模下，动量每步多出的向量更新开销可以测出",
        "obs_checkpoint": "第 {c1} 轮 → 第 {c2} 轮的测试准确率：{parts}。",
        "obs_checkpoint_part": "{label} {a}% → {b}%",
        "obs_stopped": "{label} 训练 {epochs} 轮后早停：{why}；{ends}。",
        "why_plateau": "最近 2 轮中每一轮验证集准确率的变化都小于 {delta} 个百分点（min_delta）",
        "why_patience": ("连续 {patience} 轮验证集准确率的提升都没"
                         "有超过 {delta} 个百分点（min_delta）"),
        "why_patience_small": ("——第 {best} 轮虽然最好，但比第 {r"
                               "ef} 轮高出不超过 {delta} 个百分点，"
                               "不足以重新计数"),
        "ends_best": "最终保留第 {best} 轮（验证集最好）的权重，测试准确率 {test}%",
        "ends_last": "最终保留最后一轮的权重（验证集最好的是第 {best} 轮），测试准确率 {test}%",
        "obs_not_stopped": "{label}：早停规则在 {epochs} 轮内没有触发。",
        "obs_not_stopped_many": "{others}{n} 个设置在 {epochs} 轮内没有触发早停规则。",
        "others": "其余",
        "obs_diverged_runs": "以下设置训练发散（损失变为 NaN 或爆炸），表中记为“发散”：{runs}。",
        "obs_no_divergence": "没有设置发散。",
        "obs_grid_best": ("训练 {epochs} 轮后验证集准确率最高的是 **{label}**{tied}：{val}%"
                          "（测试集 {test}%）；能正常训练的设置中最差的是 {worst}，"
                          "为 {worst_val}%。"),
        "obs_axis_best": ("在 {other} {ref} 时，最好的 {axis} 是 **{best}**（验证集 {val}%），"
                          "能正常训练的设置中最差的是 {worst}（{worst_val}%）。"),
        "obs_batch_time": ("批大小为 {b_small} 时每轮需要 {t_small} 秒，批大小为 {b_large} 时需要 "
                           "{t_large} 秒（{ratio} 倍）：批越小，每轮的更新步数越多。"),
        "obs_best_per_row": "每个 {row_axis} 下最好的 {axis}：{parts}。",
    },
}

for _part in (BEYOND, IMPLEMENTATION):
    for _lang, _words in _part.items():
        TEXT[_lang].update(_words)

AXIS_NAMES: dict[str, dict[str, str]] = {
    "en": {"batch_size": "batch size", "learning_rate": "learning rate",
           "momentum": "momentum", "lr_decay": "lr decay", "max_epoch": "epochs",
           "weight_decay": "weight decay"},
    "zh": {"batch_size": "批大小", "learning_rate": "学习率", "momentum": "动量",
           "lr_decay": "学习率衰减", "max_epoch": "训练轮数", "weight_decay": "权重衰减"},
}


def text(lang: str, key: str, **values: object) -> str:
    """The template ``key`` in ``lang``, filled with ``values`` and tidied (see :func:`tidy`)."""
    return tidy(TEXT[lang][key].format(**values), lang)


_ONE_EPOCHS = re.compile(r"(?<![\d.])1 epochs\b")
_CJK = "\u2018-\u201f\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"  # quotes, punctuation, Han
_SPACE_IN_CJK = re.compile(f"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")


def tidy(sentence: str, lang: str) -> str:
    """"1 epoch", not "1 epochs"; no space between two Chinese characters or between one
    and Chinese punctuation ("在 学习率 0.1 时" → "在学习率 0.1 时")."""
    if lang == "zh":
        return _SPACE_IN_CJK.sub("", sentence)
    return _ONE_EPOCHS.sub("1 epoch", sentence)


def axis_name(lang: str, axis: str) -> str:
    return AXIS_NAMES[lang].get(axis, axis)
