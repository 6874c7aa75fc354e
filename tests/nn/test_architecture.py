"""Architecture text: parsed, printed and built consistently; mistakes named."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from softmax_mnist.nn import Network
from softmax_mnist.nn.architecture import (
    ConvSpec,
    DropoutSpec,
    FCSpec,
    PoolSpec,
    architecture_text,
    count_macs,
    count_parameters,
    parse_architecture,
)

convs = st.builds(ConvSpec, st.integers(1, 4), st.integers(1, 3), st.sampled_from(["same",
                                                                                    "valid"]))
pools = st.builds(PoolSpec, st.integers(2, 3))
drops = st.builds(DropoutSpec, st.sampled_from([0.0, 0.1, 0.25, 0.5]))
fcs = st.builds(FCSpec, st.integers(1, 6))
architectures = st.tuples(st.lists(st.one_of(convs, pools, drops), max_size=3),
                          st.lists(st.one_of(fcs, drops), max_size=2)).map(
    lambda parts: (*parts[0], *parts[1]))


@settings(max_examples=60, deadline=None)
@given(architectures)
def test_text_round_trips_and_builds_the_layers_it_names(specs):
    text = architecture_text(specs)
    assert parse_architecture(text) == tuple(specs)
    try:
        expected = count_parameters(specs, 144, 3)
    except ValueError:  # the 12×12 images do not survive these pools and valid convs
        return
    network = Network.build(144, 3, architecture=text)
    assert network.architecture == text
    assert network.num_parameters == expected
    assert network.forward(np.zeros((2, 144), np.float32)).shape == (2, 3)


def test_the_preset_network_counts():
    specs = parse_architecture("conv:32:5,pool:2,conv:64:5,pool:2,fc:128,dropout:0.5")
    # 32·(25+1) + 64·(32·25+1) + 128·(3136+1) + 10·(128+1), as PyTorch counts them
    assert count_parameters(specs, 784, 10) == 832 + 51264 + 401536 + 1290
    assert count_macs(specs, 784, 10) == 784 * 32 * 25 + 196 * 64 * 800 + 3136 * 128 + 1280


def test_hidden_sizes_are_fc_layers():
    a = Network.build(784, 10, hidden=(16, 8), seed=3)
    b = Network.build(784, 10, architecture="fc:16,fc:8", seed=3)
    assert a.describe() == b.describe() and a.architecture == "fc:16,fc:8"
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)


@pytest.mark.parametrize("text, words", [
    ("conv:32", "wrong number of values"),
    ("conv:0:5", "whole number in [1, 1024]"),
    ("conv:8:5:full", "padding must be same or valid"),
    ("pool:1", "whole number in [2, 32]"),
    ("fc:2.5", "whole number"),
    ("dropout:1", "[0, 1)"),
    ("dropout:x", "[0, 1)"),
    ("fc:8,conv:4:3", "comes after an fc layer"),
    ("relu", "unknown layer 'relu'"),
    (",,", "empty layer between commas"),
    ("fc:32,", "empty layer between commas"),
])
def test_malformed_text_is_refused_with_a_reason(text, words):
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace("(", r"\(")
                       .replace(")", r"\)")):
        parse_architecture(text)


@pytest.mark.parametrize("text, num_input, words", [
    ("conv:4:3", 100 + 1, "square images"),
    ("pool:2,pool:2,pool:2,pool:2,pool:2", 784, "leaves nothing"),
    ("conv:4:29:valid", 784, "leaves nothing"),
    ("conv:64:3,fc:16384", 784, "more than the"),
])
def test_layers_that_cannot_fit_the_input_are_refused(text, num_input, words):
    with pytest.raises(ValueError, match=words):
        Network.build(num_input, 10, architecture=text)
