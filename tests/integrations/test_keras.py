"""Keras 3 on the torch CPU backend: metrics per epoch and batch, configuration as parameters."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from sklearn.datasets import load_digits

import trialbook as tb
from trialbook.integrations.keras import TrialbookCallback
from trialbook.store import open_store


def _model() -> keras.Model:
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((64,)),
            keras.layers.Dense(16, activation="relu", name="hidden"),
            keras.layers.Dropout(0.1, name="dropout"),
            keras.layers.Dense(10, activation="softmax", name="out"),
        ],
        name="digits_mlp",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:320] / 16.0).astype("float32"), y[:320]


def _series(tracker: tb.Tracker, metric: str):
    tb.flush()
    return open_store().metric_points(tracker.trial_component_name, metric)


def test_epochs_batches_and_configuration(digits) -> None:
    assert keras.backend.backend() == "torch"
    X, y = digits
    model = _model()
    exp = tb.Experiment.create("keras-digits", hypothesis="h", variables={"units": [16]})
    with exp.run(variables={"units": 16}) as tracker:
        history = model.fit(
            X,
            y,
            epochs=3,
            batch_size=64,
            validation_split=0.2,
            verbose=0,
            callbacks=[TrialbookCallback(tracker, log_batches=True)],
        )
    component = tracker.trial_component
    assert component.status == tb.TrialStatus.COMPLETED
    for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
        series = _series(tracker, name)
        assert series.steps == [0, 1, 2]
        assert series.values == pytest.approx(history.history[name], rel=1e-5)
    batches = _series(tracker, "batch.loss")
    assert batches.steps == list(range(3 * 4))  # 256 training rows / 64 per batch, 3 epochs
    parameters = component.parameters
    assert parameters["optimizer.class"] == "Adam"
    assert parameters["optimizer.learning_rate"] == 0.001
    assert parameters["optimizer.beta_1"] == 0.9
    assert parameters["model.name"] == "digits_mlp"
    assert parameters["model.params"] == model.count_params()
    assert parameters["model.layers.hidden.units"] == 16
    assert parameters["model.layers.hidden.activation"] == "relu"
    assert parameters["model.layers.dropout.rate"] == 0.1
    assert parameters["loss"] == "sparse_categorical_crossentropy"
    assert parameters["fit.epochs"] == 3
    assert parameters["units"] == 16  # the trial's variable


def test_failure_and_interrupt_statuses(digits) -> None:
    X, y = digits

    class Stop(keras.callbacks.Callback):
        def __init__(self, error: BaseException) -> None:
            super().__init__()
            self.error = error

        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise self.error

    for error, status in ((RuntimeError("nan loss"), "Failed"), (KeyboardInterrupt(), "Stopped")):
        with pytest.raises(type(error)), tb.Tracker.create("keras") as tracker:
            _model().fit(
                X,
                y,
                epochs=5,
                batch_size=128,
                verbose=0,
                callbacks=[TrialbookCallback(tracker), Stop(error)],
            )
        assert tracker.trial_component.status.value == status
        assert _series(tracker, "loss").steps == [0, 1]
        assert np.isfinite(_series(tracker, "loss").values).all()
