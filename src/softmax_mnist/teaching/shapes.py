"""The course's shapes and constants that the checks probe with (a leaf: imports nothing)."""

N, D, C = 16, 784, 10
"""The course's shapes: 784 pixels, 10 classes; a batch of 16 (unlike both, so a
transposed or un-summed gradient shows in its shape)."""
EPS = 1e-11
"""The course template's EPS inside log(ŷ + EPS): results within it are right."""
