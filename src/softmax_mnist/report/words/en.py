"""The report's words in English: the text (``TEXT``), the figures' words
(``FIGURE_TEXT``) and the grid axes' names (``AXIS_NAMES``). Numbers are filled in by
``observations``; every language file has the same keys."""

TEXT: dict[str, str] = {
    # -- the report: intro, Q1–Q4, tables, observations
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
    # -- Q5, the ladder to a CNN, and Q6, lab 2's questions
    "Q5": "Q5 (extra) — From 92 % to 99 %: the ladder to a convolutional network",
    "Q5_ask": ("*Beyond the lab:* every rung adds one idea to the one before — moment "
               "normalisation, a hidden layer, convolutions, augmented training images — "
               "and the table shows what it bought and what it cost."),
    "Q6": "Q6 (extra) — Lab 2's questions: the MLP's loss and activation",
    "Q6_ask": ("*Lab 2 asks:* train the MLP with the Euclidean loss and with softmax + "
               "cross-entropy, with sigmoid and with ReLU units, and compare."),
    "ladder": "Linear → moment normalisation → MLP → CNN → CNN + augmentation",
    "lab2": "Euclidean loss vs cross-entropy, sigmoid vs ReLU (MLP 256)",
    "lab2-course": ("Euclidean loss vs cross-entropy, sigmoid vs ReLU (MLP 256, the "
                    "course's SGD: no momentum)"),
    "test_error": "test error (%)",
    "fewer_mistakes": "× fewer mistakes than the rung before",
    "obs_ladder": ("{first} starts at {test} % test accuracy. Each rung against the one "
                   "before it: {parts}."),
    "obs_ladder_part": ("{label} {before} → **{test} %** ({ratio}× fewer test mistakes, "
                        "{seconds} s of training)"),
    # -- which implementation trained, and the timed passes (--impl)
    "implementation": "Implementation",
    "impl_ours": ("Every run was trained by softmax-mnist's own implementation "
                  "(`softmax_mnist.nn`)."),
    "impl_student": ("The runs were trained by the student's `SoftmaxCrossEntropyLoss` "
                     "and `SGD` from {folder} ({files}; `softmax-mnist check` passed "
                     "all its checks first), driven by softmax-mnist's Solver: the data, "
                     "batches, decay, early stopping and figures are softmax-mnist's."),
    "impl_reference_runs": ("The course interface has no hidden layers, Nesterov momentum, "
                            "weight decay, Adam or other losses: softmax-mnist's own "
                            "implementation trained {runs}."),
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
    # -- lab 2's --impl: the student's layers, and their epochs against ours
    "lab2_student": ("The runs were trained by the student's lab-2 classes from {folder} "
                     "(`FCLayer`, `ReLULayer`, `SigmoidLayer`, `EuclideanLossLayer`, "
                     "`SoftmaxCrossEntropyLossLayer` and `SGD`; {files}; `softmax-mnist "
                     "check --lab 2` passed all its checks first), driven by softmax-mnist's "
                     "Solver from softmax-mnist's seeded initial weights: the data, batches, "
                     "decay and figures are softmax-mnist's."),
    "lab2_left_out": ("The course's `SGD(learningRate, weightDecay)` has no momentum, so Q6 "
                      "is trained here with momentum 0; lab 2's momentum-0.9 runs (`softmax-"
                      "mnist report --with lab2`, on softmax-mnist's own MLP) are left out."),
    "lab2_reference_runs": ("The course's classes cannot train {runs}: softmax-mnist's own "
                            "implementation trained them."),
    "lab2_speed_table": ("Seconds per epoch (training and validation pass) of each setting, "
                         "each timed alone on one BLAS thread"),
    "lab2_speed_run": "setting", "lab2_speed_theirs": "the student's layers (s)",
    "lab2_speed_ours": "softmax-mnist's MLP (s)", "lab2_speed_ratio": "× softmax-mnist's",
    "lab2_speed": ("Per epoch, the student's layers take this many times as long as "
                   "softmax-mnist's own MLP in the same setting: {parts}."),
    "lab2_speed_part": "{label} {ratio}×",
}

FIGURE_TEXT: dict[str, str] = {
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
}

AXIS_NAMES: dict[str, str] = {
    "batch_size": "batch size",
    "learning_rate": "learning rate",
    "momentum": "momentum",
    "lr_decay": "lr decay",
    "max_epoch": "epochs",
    "weight_decay": "weight decay",
}
