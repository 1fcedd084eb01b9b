"""core.evaluation: the confusion matrix adds up, checkpoints load or are refused, drawings fit."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.checkpoint import CheckpointError
from core.data import load
from core.evaluation import (
    class_scores,
    classify_split,
    confusion_matrix,
    first_layer_weights,
    load_model,
    mnist_like,
    predict,
)
from core.model import SimpleNN


def test_confusion_matrix_of_a_hand_made_case():
    labels = np.array([0, 0, 1, 1, 1, 2])
    predictions = np.array([0, 1, 1, 1, 2, 2])
    matrix = confusion_matrix(labels, predictions, classes=3)
    assert matrix.tolist() == [[1, 1, 0], [0, 2, 1], [0, 0, 1]]


def test_precision_recall_f1_of_a_hand_checked_case():
    # labels    0 0 1 1 1 2
    # predicted 0 1 1 1 2 2
    matrix = confusion_matrix(np.array([0, 0, 1, 1, 1, 2]), np.array([0, 1, 1, 1, 2, 2]), 3)
    scores = class_scores(matrix)
    # Class 0: 1 predicted, right -> P 1; 2 present, 1 found -> R 1/2; F1 2/3.
    # Class 1: 3 predicted, 2 right -> P 2/3; 3 present, 2 found -> R 2/3; F1 2/3.
    # Class 2: 2 predicted, 1 right -> P 1/2; 1 present, found -> R 1; F1 2/3.
    np.testing.assert_allclose(scores.precision, [1, 2 / 3, 1 / 2])
    np.testing.assert_allclose(scores.recall, [1 / 2, 2 / 3, 1])
    np.testing.assert_allclose(scores.f1, [2 / 3, 2 / 3, 2 / 3])
    assert scores.support.tolist() == [2, 3, 1]


def test_a_class_never_predicted_or_never_present_has_no_score():
    # Class 2 never occurs and is never predicted; class 1 occurs but is never predicted.
    matrix = confusion_matrix(np.array([0, 0, 1]), np.array([0, 0, 0]), 3)
    scores = class_scores(matrix)
    assert scores.precision[0] == pytest.approx(2 / 3)
    assert np.isnan(scores.precision[1]) and scores.recall[1] == 0
    assert np.isnan(scores.f1[1])
    assert np.isnan(scores.precision[2]) and np.isnan(scores.recall[2])
    with pytest.raises(ValueError, match="square"):
        class_scores(np.zeros((2, 3)))


def test_scores_match_true_and_false_positives_counted_one_sample_at_a_time(evaluation):
    result, _, _ = evaluation
    scores = result.scores()
    for k in range(10):
        tp = fp = fn = 0
        pairs = zip(result.labels.tolist(), result.predictions.tolist(), strict=True)
        for true, predicted in pairs:
            tp += true == k and predicted == k
            fp += true != k and predicted == k
            fn += true == k and predicted != k
        assert scores.precision[k] == pytest.approx(tp / (tp + fp))
        assert scores.recall[k] == pytest.approx(tp / (tp + fn))
        assert scores.f1[k] == pytest.approx(2 * tp / (2 * tp + fp + fn))
    np.testing.assert_allclose(scores.recall, result.per_class)


@pytest.fixture(scope="module")
def evaluation(synthetic_checkpoint):
    model, _ = load_model(synthetic_checkpoint)
    test = load("synthetic", "test")
    return classify_split(model, test.images, test.labels), test, model


def test_matrix_sums_to_n_and_its_diagonal_is_the_accuracy(evaluation):
    result, test, _ = evaluation
    assert result.confusion.sum() == len(test)
    assert np.trace(result.confusion) / len(test) == pytest.approx(result.accuracy)
    assert result.accuracy > 0.8
    np.testing.assert_allclose(
        result.per_class, np.diag(result.confusion) / result.confusion.sum(axis=1)
    )
    assert result.confusion.sum(axis=1).tolist() == np.bincount(test.labels, minlength=10).tolist()


def test_predictions_are_the_argmax_of_probabilities_that_sum_to_one(evaluation):
    result, _, _ = evaluation
    np.testing.assert_array_equal(result.predictions, result.probabilities.argmax(axis=1))
    np.testing.assert_allclose(result.probabilities.sum(axis=1), 1.0, atol=1e-5)


def test_mistakes_are_wrong_and_most_confident_first(evaluation):
    result, _, _ = evaluation
    wrong = result.mistakes()
    assert len(wrong) == int((result.predictions != result.labels).sum())
    assert np.all(result.predictions[wrong] != result.labels[wrong])
    confidence = result.probabilities[wrong, result.predictions[wrong]]
    assert np.all(np.diff(confidence) <= 0)


def test_cell_lists_exactly_the_samples_of_that_cell(evaluation):
    result, _, _ = evaluation
    for true, predicted in [(4, 9), (1, 1)]:
        cell = result.cell(true, predicted)
        assert len(cell) == result.confusion[true, predicted]
        assert np.all(result.labels[cell] == true)


def test_first_layer_weights_are_hidden_images(evaluation):
    _, _, model = evaluation
    weights = first_layer_weights(model)
    assert weights.shape == (512, 28, 28)
    np.testing.assert_array_equal(weights[3].ravel(), model.fc1.weight[3].detach().numpy())


def test_missing_corrupt_and_foreign_checkpoints_are_refused(tmp_path):
    with pytest.raises(CheckpointError, match="no checkpoint at"):
        load_model(tmp_path / "nothing.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint at all")
    with pytest.raises(CheckpointError, match="corrupt or not a torch file"):
        load_model(tmp_path / "junk.pt")
    torch.save({"weights": torch.zeros(3)}, tmp_path / "foreign.pt")
    with pytest.raises(CheckpointError, match="not an mnist-tui checkpoint"):
        load_model(tmp_path / "foreign.pt")


class Payload:
    def __reduce__(self):
        return (exec, ("open('/tmp/mnist-tui-pwned', 'w').write('x')",))


def test_a_pickle_with_code_is_refused_and_not_run(tmp_path):
    import pathlib

    canary = pathlib.Path("/tmp/mnist-tui-pwned")
    canary.unlink(missing_ok=True)
    torch.save({"format": "mnist-tui/checkpoint", "model": Payload()}, tmp_path / "evil.pt")
    with pytest.raises(CheckpointError, match="refused"):
        load_model(tmp_path / "evil.pt")
    assert not canary.exists()


def test_shape_incompatible_checkpoint_is_refused(synthetic_checkpoint, tmp_path):
    from core.checkpoint import load as load_checkpoint
    from core.checkpoint import save

    checkpoint = load_checkpoint(synthetic_checkpoint)
    wrong = type(checkpoint)(
        **{**checkpoint.__dict__, "config": {**checkpoint.config, "hidden": 256}}
    )
    save(tmp_path / "wrong.pt", wrong)
    with pytest.raises(CheckpointError, match="does not fit a 784-256-10 network"):
        load_model(tmp_path / "wrong.pt")


def test_mnist_like_fits_the_ink_into_20x20_centred_by_mass():
    canvas = np.zeros((28, 28), np.uint8)
    canvas[2:12, 20:26] = 255  # a small blob in a corner
    prepared = mnist_like(canvas)
    rows = np.flatnonzero(prepared.any(axis=1))
    assert rows[-1] - rows[0] + 1 == 20  # the longer side becomes 20 pixels
    ys, xs = np.indices(prepared.shape)
    total = prepared.sum()
    assert abs((ys * prepared).sum() / total - 13.5) <= 1
    assert abs((xs * prepared).sum() / total - 13.5) <= 1
    assert not mnist_like(np.zeros((28, 28), np.uint8)).any()


def test_predict_gives_ten_probabilities():
    probabilities = predict(SimpleNN(), np.zeros((28, 28), np.uint8))
    assert probabilities.shape == (10,)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-5)


def test_a_checkpoint_with_nan_weights_is_refused(synthetic_checkpoint, tmp_path):
    from core.checkpoint import load as load_checkpoint
    from core.checkpoint import save

    checkpoint = load_checkpoint(synthetic_checkpoint)
    weights = {k: v.clone() for k, v in checkpoint.model.items()}
    weights["fc2.bias"][0] = float("nan")
    save(tmp_path / "nan.pt", type(checkpoint)(**{**checkpoint.__dict__, "model": weights}))
    with pytest.raises(CheckpointError, match="NaN or infinite weights"):
        load_model(tmp_path / "nan.pt")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("config", ["hidden", 512], "config should be dict, found list"),
        ("model", [1, 2], "model should be dict, found list"),
        ("history", 3, "history should be list, found int"),
        ("epoch", True, "epoch should be int, found bool"),
    ],
)
def test_checkpoint_fields_of_the_wrong_type_are_named(tmp_path, field, value, message):
    from core.checkpoint import load as load_checkpoint

    payload = {
        "format": "mnist-tui/checkpoint",
        "version": 1,
        "model": {},
        "optimizer": {},
        "config": {"hidden": 512},
        "epoch": 1,
        "history": [],
        field: value,
    }
    torch.save(payload, tmp_path / "odd.pt")
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(tmp_path / "odd.pt")


def test_hidden_that_is_not_a_whole_number_is_refused(tmp_path):
    payload = {
        "format": "mnist-tui/checkpoint",
        "version": 1,
        "model": {},
        "optimizer": {},
        "config": {"hidden": True},
        "epoch": 1,
        "history": [],
    }
    torch.save(payload, tmp_path / "odd.pt")
    with pytest.raises(CheckpointError, match="how many hidden units"):
        load_model(tmp_path / "odd.pt")


def test_the_scores_load_without_torch():
    """The confusion grid computes them on the UI thread: importing them must not import torch."""
    import subprocess
    import sys

    code = "import sys, core.scores; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
