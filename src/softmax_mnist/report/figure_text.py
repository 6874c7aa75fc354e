"""The figures' words — titles, axis labels, legends, captions — in English and Chinese."""

from __future__ import annotations

FIGURE_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "epoch": "epoch", "loss_ce": "cross-entropy loss", "acc_pct": "accuracy (%)",
        "val_acc_pct": "validation accuracy (%)", "train": "train (running mean)",
        "validation": "validation", "test": "test", "best_epoch": "best validation epoch",
        "loss_per_epoch": "loss per epoch", "acc_per_epoch": "accuracy per epoch",
        "iteration": "iteration (mini-batch)", "training_loss": "training loss",
        "block_mean": "mean of {n} mini-batches", "smoothed": "smoothed",
        "iter_title": "training loss per iteration (centred moving average)",
        "val_per_epoch": "validation accuracy per epoch", "early_mark": "× = early stop",
        "val_vs_time": "validation accuracy against training time",
        "training_time": "training time (s, each setting timed alone)",
        "train_loss_running": "training loss (running mean)",
        "train_loss_per_epoch": "training loss per epoch",
        "heat_title": "validation accuracy (%) after {epochs} epochs",
        "diverged": "diverged", "time_per_epoch": "time per epoch (s)",
        "at": "{axis} = {value}", "threshold": "{t} % validation",
        "predicted": "predicted digit", "true": "true digit",
        "confusion_title": "confusion matrix (test set, counts)",
        "fraction": "fraction of the true class", "class": "class {k}",
        "templates_title": "weights W[:, k] as 28×28 templates (red: evidence for, blue: "
                           "against)",
        "mistake": "true {true}\npredicted {pred}",
        "misclassified_title": "the first {n} misclassified test digits",
        "figure": "Figure {n}",
        "cap_baseline": ("Loss and accuracy per epoch on the training (running mean over the "
                         "epoch's mini-batches), validation and test sets; the dotted line is "
                         "the best validation epoch."),
        "cap_iterations": ("{title}: training loss per iteration (means of {n} "
                           "consecutive mini-batches, log scale), smoothed by a centred moving "
                           "average (no lag; it ends half a window before the last point)."),
        "cap_iterations_each": ("{title}: training loss of every mini-batch (log scale), "
                                "smoothed by a centred moving average (no lag; it ends half a "
                                "window before the last point)."),
        "cap_compare": ("{title}: validation accuracy per epoch and against training time, "
                        "training loss per epoch."),
        "cap_coincide": (" The curves of {pairs} coincide (they differ by less than 1 % of "
                         "the axis at every epoch); line styles and markers keep each "
                         "visible."),
        "cap_heatmap": "{title}: validation accuracy of every pair (grey: diverged).",
        "cap_slice": ("{title}: validation accuracy per epoch and time per epoch along "
                      "{axis}{at}."),
        "paren": " ({x})",
        "cap_confusion": "Confusion matrix of the Q1 model on the test set.",
        "cap_templates": "The ten weight vectors of the Q1 model as 28×28 images.",
        "cap_misclassified": "Misclassified test digits with their true and predicted labels.",
        "test_error_pct": "test error (%, log scale)",
        "training_seconds": "training time (s, log scale)",
        "ladder_error_title": "test error of each rung",
        "ladder_time_title": "what it took to train",
        "cap_ladder": ("{title}: the test error of each rung (the share of the test images it "
                       "gets wrong) and its training time, as in the table."),
    },
    "zh": {
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
    },
}


def figure_text(lang: str, key: str, **values: object) -> str:
    """The figure word ``key`` in ``lang``, filled with ``values``."""
    from .text import tidy

    return tidy(FIGURE_TEXT[lang][key].format(**values), lang)
