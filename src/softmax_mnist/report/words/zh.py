"""The report's words in Chinese (简体中文): the text (``TEXT``), the figures' words
(``FIGURE_TEXT``) and the grid axes' names (``AXIS_NAMES``). Numbers are filled in by
``observations``; every language file has the same keys."""

TEXT: dict[str, str] = {
    # -- the report: intro, Q1–Q4, tables, observations
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
    # -- Q5, the ladder to a CNN, and Q6, lab 2's questions
    "Q5": "Q5（附加）— 从 92% 到 99%：一步步走到卷积网络",
    "Q5_ask": ("*实验之外：*每一步在前一步的基础上只加一个想法——矩归一化、隐藏层、卷积、"
               "数据增强——表格给出它带来的提升和付出的代价。"),
    "Q6": "Q6（附加）— 实验二的问题：MLP 的损失函数与激活函数",
    "Q6_ask": ("*实验二要求：*分别用欧氏损失和 softmax + 交叉熵、sigmoid 和 ReLU 训练 MLP，"
               "并进行比较。"),
    "ladder": "线性模型 → 矩归一化 → MLP → CNN → CNN + 数据增强",
    "lab2": "欧氏损失与交叉熵、sigmoid 与 ReLU（MLP 256）",
    "lab2-course": "欧氏损失与交叉熵、sigmoid 与 ReLU（MLP 256，课程的 SGD：无动量）",
    "test_error": "测试错误率 (%)",
    "fewer_mistakes": "错误比上一步少的倍数",
    "obs_ladder": "{first} 的测试准确率为 {test}%。每一步与前一步相比：{parts}。",
    "obs_ladder_part": ("{label} {before} → **{test}%**（测试错误少 {ratio} 倍，"
                        "训练 {seconds} 秒）"),
    # -- which implementation trained, and the timed passes (--impl)
    "implementation": "实现",
    "impl_ours": "所有训练都由 softmax-mnist 自己的实现（`softmax_mnist.nn`）完成。",
    "impl_student": ("训练使用学生的 `SoftmaxCrossEntropyLoss` 和 `SGD`，来自 {folder}"
                     "（{files}；事先通过了 `softmax-mnist check` 的全部检查），由 "
                     "softmax-mnist 的 Solver 驱动：数据、批次、学习率衰减、早停和图表"
                     "由 softmax-mnist 提供。"),
    "impl_reference_runs": ("课程接口没有隐藏层、Nesterov 动量、权重衰减、Adam 和其他损失"
                            "函数：以下设置由 softmax-mnist 自己的实现训练：{runs}。"),
    "impl_naive": "逐样本循环（朴素实现）", "impl_vectorised": "向量化实现",
    "impl_yours": "学生的实现",
    "impl_table": "在前 {n} 张训练图像上做一次前向 + 梯度计算（相同的初始权重）",
    "impl_column": "实现", "impl_digits": "grad_W 相同的有效数字位数",
    "impl_ms": "每次耗时 (ms)", "impl_ratio": "相对向量化的倍数",
    "impl_speed": ("各实现的损失和梯度相同（grad_W 前 {digits} 位有效数字一致）。"
                   "向量化实现每次 {vectorised} ms；{parts}。"),
    "impl_speed_part": "{label}：{ms} ms（{ratio} 倍）",
    # -- 实验二的 --impl：学生的层，以及每轮耗时与我们的对比
    "lab2_student": ("训练使用学生实验二的类，来自 {folder}（`FCLayer`、`ReLULayer`、"
                     "`SigmoidLayer`、`EuclideanLossLayer`、`SoftmaxCrossEntropyLossLayer` "
                     "和 `SGD`；{files}；事先通过了 `softmax-mnist check --lab 2` 的全部检查），"
                     "由 softmax-mnist 的 Solver 从 softmax-mnist 按种子生成的初始权重开始驱动："
                     "数据、批次、学习率衰减和图表由 softmax-mnist 提供。"),
    "lab2_left_out": ("课程的 `SGD(learningRate, weightDecay)` 没有动量，因此这里的 Q6 "
                      "以动量 0 训练；实验二中动量 0.9 的训练（`softmax-mnist report --with "
                      "lab2`，使用 softmax-mnist 自己的 MLP）未包含在内。"),
    "lab2_reference_runs": "课程的类无法训练 {runs}：它们由 softmax-mnist 自己的实现训练。",
    "lab2_speed_table": "各设置每轮耗时（训练和验证），每个设置单独在一个 BLAS 线程上计时",
    "lab2_speed_run": "设置", "lab2_speed_theirs": "学生的层（秒）",
    "lab2_speed_ours": "softmax-mnist 的 MLP（秒）",
    "lab2_speed_ratio": "相对 softmax-mnist 的倍数",
    "lab2_speed": "在相同设置下，学生的层每轮耗时是 softmax-mnist 自己的 MLP 的倍数：{parts}。",
    "lab2_speed_part": "{label} {ratio} 倍",
}

FIGURE_TEXT: dict[str, str] = {
    "epoch": "轮次", "loss_ce": "交叉熵损失", "acc_pct": "准确率 (%)",
    "val_acc_pct": "验证集准确率 (%)", "train": "训练集（轮内平均）",
    "validation": "验证集", "test": "测试集", "best_epoch": "验证集最佳轮次",
    "loss_per_epoch": "每轮损失", "acc_per_epoch": "每轮准确率",
    "iteration": "迭代次数（小批量）", "training_loss": "训练损失",
    "block_mean": "每 {n} 个小批量的均值", "smoothed": "平滑后",
    "iter_title": "每次迭代的训练损失（居中滑动平均）",
    "val_per_epoch": "每轮验证集准确率", "early_mark": "× 表示早停",
    "val_vs_time": "验证集准确率随训练时间的变化",
    "training_time": "训练时间（秒，各设置单独计时）",
    "train_loss_running": "训练损失（轮内平均）",
    "train_loss_per_epoch": "每轮训练损失",
    "heat_title": "训练 {epochs} 轮后的验证集准确率 (%)",
    "diverged": "发散", "time_per_epoch": "每轮时间 (秒)",
    "at": "{axis} = {value}", "threshold": "验证集 {t}%",
    "predicted": "预测的数字", "true": "真实的数字",
    "confusion_title": "混淆矩阵（测试集，张数）",
    "fraction": "占该真实类别的比例", "class": "类别 {k}",
    "templates_title": "权重 W[:, k] 显示为 28×28 模板（红：支持该类，蓝：反对）",
    "mistake": "真实 {true}\n预测 {pred}",
    "misclassified_title": "前 {n} 个被分错的测试集数字",
    "figure": "图 {n}",
    "cap_baseline": ("每轮的损失与准确率：训练集（一轮内各小批量的平均）、验证集和测试集；"
                     "虚线为验证集最佳轮次。"),
    "cap_iterations": ("{title}：每个小批量的训练损失（每 {"
                       "n} 个取均值，对数坐标）及其居中滑动平均。"),
    "cap_iterations_each": ("{title}：每个小批量的训练损失（对数坐标），用居中滑动平均平滑"
                            "（没有滞后；曲线在最后半个窗口处结束）。"),
    "cap_compare": "{title}：每轮及随训练时间变化的验证集准确率，以及每轮训练损失。",
    "cap_coincide": ("{pairs}的曲线重合（每一轮相差都不到"
                     "坐标轴范围的 1%），用不同线型和标记区分。"),
    "cap_heatmap": "{title}：每一组参数的验证集准确率（灰色表示发散）。",
    "cap_slice": "{title}：沿{axis}变化的每轮验证集准确率与每轮时间{at}。",
    "paren": "（{x}）",
    "cap_confusion": "Q1 模型在测试集上的混淆矩阵。",
    "cap_templates": "Q1 模型的十个权重向量，显示为 28×28 图像。",
    "cap_misclassified": "被分错的测试集数字及其真实与预测标签。",
    "test_error_pct": "测试错误率（%，对数坐标）",
    "training_seconds": "训练时间（秒，对数坐标）",
    "ladder_error_title": "每一步的测试错误率",
    "ladder_time_title": "训练所用时间",
    "cap_ladder": "{title}：每一步的测试错误率（测试集中被认错的比例）和训练时间，与表格一致。",
}

AXIS_NAMES: dict[str, str] = {
    "batch_size": "批大小",
    "learning_rate": "学习率",
    "momentum": "动量",
    "lr_decay": "学习率衰减",
    "max_epoch": "训练轮数",
    "weight_decay": "权重衰减",
}
