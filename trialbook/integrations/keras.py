"""Keras 3: a callback logging metrics per epoch (and per batch if asked) and the configuration.

``model.fit(..., callbacks=[TrialbookCallback(tracker)])`` logs every value of Keras' epoch logs
(``loss``, ``val_accuracy``…) at step = epoch, and with ``log_batches=True`` the batch logs as
``batch.<metric>`` at step = global batch number. When training begins it logs the optimizer's
configuration as ``optimizer.*``, the model's as ``model.*`` (name, class, parameter count and
each layer's settings under ``model.layers.<layer>.*``), the loss and ``fit.epochs``/``fit.steps``.
Works with every Keras 3 backend; the tracker's own context sets the status.
"""

from __future__ import annotations

from typing import Any

import keras

from trialbook.integrations._convert import flat_parameters
from trialbook.tracker import Tracker

__all__ = ["TrialbookCallback"]

# Layer settings that are object descriptions rather than hyperparameters worth a column.
_SKIPPED_LAYER_KEYS = ("dtype", "trainable", "name", "build_config", "batch_shape", "sparse")
_SKIPPED_LAYER_SUFFIXES = ("_initializer", "_regularizer", "_constraint")


class TrialbookCallback(keras.callbacks.Callback):
    """Logs Keras' metrics and configuration to ``tracker``."""

    def __init__(
        self, tracker: Tracker, *, log_batches: bool = False, log_parameters: bool = True
    ) -> None:
        super().__init__()
        self.tracker = tracker
        self.log_batches = log_batches
        self.log_parameters = log_parameters
        self._batches_seen = 0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        if self.log_parameters:
            self.tracker.log_parameters(model_parameters(self.model, self.params or {}))

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if logs:
            self.tracker.log_metrics(_numbers(logs), step=epoch)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.log_batches and logs:
            numbers = {f"batch.{name}": value for name, value in _numbers(logs).items()}
            self.tracker.log_metrics(numbers, step=self._batches_seen)
        self._batches_seen += 1


def model_parameters(model: keras.Model, fit_params: dict[str, Any]) -> dict[str, Any]:
    """``optimizer.*``, ``model.*``, ``loss`` and ``fit.*`` parameters of a compiled model."""
    parameters: dict[str, Any] = {}
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None:
        config = {name: _float32(value) for name, value in optimizer.get_config().items()}
        parameters.update(
            flat_parameters({"class": type(optimizer).__name__, **config}, "optimizer.")
        )
    parameters["model.name"] = model.name
    parameters["model.class"] = type(model).__name__
    if model.built:
        parameters["model.params"] = int(model.count_params())
    parameters["model.layers"] = len(model.layers)
    for layer in model.layers:
        settings = {
            key: value
            for key, value in layer.get_config().items()
            if key not in _SKIPPED_LAYER_KEYS and not key.endswith(_SKIPPED_LAYER_SUFFIXES)
        }
        settings["class"] = type(layer).__name__
        parameters.update(flat_parameters(settings, f"model.layers.{layer.name}."))
    loss = getattr(model, "loss", None)
    if loss is not None:
        parameters["loss"] = loss if isinstance(loss, str) else getattr(loss, "name", repr(loss))
    parameters.update(
        flat_parameters({key: fit_params.get(key) for key in ("epochs", "steps")}, "fit.")
    )
    return parameters


def _float32(value: Any) -> Any:
    """0.0010000000474974513 (a float32 read back) → 0.001."""
    return float(f"{value:.7g}") if isinstance(value, float) else value


def _numbers(logs: dict[str, Any]) -> dict[str, float]:
    numbers = {}
    for name, value in logs.items():
        try:
            numbers[name] = float(value)
        except (TypeError, ValueError):
            continue  # Keras may put non-numeric entries in logs; they are not metrics
    return numbers
