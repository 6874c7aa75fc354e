"""The words of the report's last questions, beyond lab 1: Q5, the ladder from softmax
regression to a convolutional network, and Q6, lab 2's questions about the MLP. Merged
into :data:`text.TEXT`; the figures' words are in ``figure_text``."""

from __future__ import annotations

BEYOND: dict[str, dict[str, str]] = {
    "en": {
        "Q5": "Q5 (extra) — From 92 % to 99 %: the ladder to a convolutional network",
        "Q5_ask": ("*Beyond the lab:* every rung adds one idea to the one before — moment "
                   "normalisation, a hidden layer, convolutions, augmented training images — "
                   "and the table shows what it bought and what it cost."),
        "Q6": "Q6 (extra) — Lab 2's questions: the MLP's loss and activation",
        "Q6_ask": ("*Lab 2 asks:* train the MLP with the Euclidean loss and with softmax + "
                   "cross-entropy, with sigmoid and with ReLU units, and compare."),
        "ladder": "Linear → moment normalisation → MLP → CNN → CNN + augmentation",
        "lab2": "Euclidean loss vs cross-entropy, sigmoid vs ReLU (MLP 256)",
        "test_error": "test error (%)",
        "fewer_mistakes": "× fewer mistakes than the rung before",
        "obs_ladder": ("{first} starts at {test} % test accuracy. Each rung against the one "
                       "before it: {parts}."),
        "obs_ladder_part": ("{label} {before} → **{test} %** ({ratio}× fewer test mistakes, "
                            "{seconds} s of training)"),
    },
    "zh": {
        "Q5": "Q5（附加）— 从 92% 到 99%：一步步走到卷积网络",
        "Q5_ask": ("*实验之外：*每一步在前一步的基础上只加一个想法——矩归一化、隐藏层、卷积、"
                   "数据增强——表格给出它带来的提升和付出的代价。"),
        "Q6": "Q6（附加）— 实验二的问题：MLP 的损失函数与激活函数",
        "Q6_ask": ("*实验二要求：*分别用欧氏损失和 softmax + 交叉熵、sigmoid 和 ReLU 训练 MLP，"
                   "并进行比较。"),
        "ladder": "线性模型 → 矩归一化 → MLP → CNN → CNN + 数据增强",
        "lab2": "欧氏损失与交叉熵、sigmoid 与 ReLU（MLP 256）",
        "test_error": "测试错误率 (%)",
        "fewer_mistakes": "错误比上一步少的倍数",
        "obs_ladder": "{first} 的测试准确率为 {test}%。每一步与前一步相比：{parts}。",
        "obs_ladder_part": ("{label} {before} → **{test}%**（测试错误少 {ratio} 倍，"
                            "训练 {seconds} 秒）"),
    },
}
