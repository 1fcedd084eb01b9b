"""SimpleNN is the lesson's 784-512-10 network, and its summary comes from the module itself."""

import torch

from core.model import SimpleNN, parameter_count, summarize


def test_default_network_has_407050_parameters():
    assert parameter_count(SimpleNN()) == 784 * 512 + 512 + 512 * 10 + 10 == 407_050


def test_hidden_size_changes_the_parameter_count():
    assert parameter_count(SimpleNN(hidden=128)) == 784 * 128 + 128 + 128 * 10 + 10


def test_layers_are_linear_relu_linear():
    model = SimpleNN()
    assert [type(m).__name__ for m in model.children()] == ["Linear", "ReLU", "Linear"]
    assert (model.fc1.in_features, model.fc1.out_features) == (784, 512)
    assert (model.fc2.in_features, model.fc2.out_features) == (512, 10)


def test_forward_accepts_flat_vectors_and_raw_images_alike():
    model = SimpleNN()
    images = torch.rand(3, 28, 28)
    torch.testing.assert_close(model(images), model(images.reshape(3, 784)))
    assert model(images).shape == (3, 10)


def test_summary_lists_each_layer_with_shape_and_parameters():
    summary = summarize(SimpleNN(), batch_size=64)
    assert [(r.output_shape, r.parameters) for r in summary.rows] == [
        ((64, 512), 401_920),
        ((64, 512), 0),
        ((64, 10), 5_130),
    ]
    assert summary.total_parameters == 407_050


def test_summary_leaves_the_model_where_it_was():
    model = SimpleNN()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    summarize(model)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert next(model.parameters()).device.type == "cpu"
