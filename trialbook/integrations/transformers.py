"""Hugging Face Transformers: a ``TrainerCallback`` logging the Trainer's logs and arguments.

``Trainer(..., callbacks=[TrialbookCallback(tracker)])`` inside ``with exp.run(...) as tracker:``
logs the ``TrainingArguments`` as parameters and the model's class, size and configuration
(what differs from the defaults) as ``model.*`` when training begins; every ``on_log`` entry
(``loss``, ``grad_norm``, ``learning_rate``, ``eval_*``…) at step = the Trainer's global step (a
``/`` in a name becomes ``.``). The tracker's context sets the status when the ``with`` block
ends: Completed, Failed on an exception, Stopped on Ctrl+C; the Trainer itself calls no
callback on an exception, which is why the callback logs into a tracker you open. Only the
main process logs in distributed training.
"""

from __future__ import annotations

from typing import Any

from transformers import TrainerCallback, TrainerControl, TrainerState, TrainingArguments

from trialbook.integrations._convert import flat_parameters
from trialbook.tracker import Tracker

__all__ = ["TrialbookCallback"]


class TrialbookCallback(TrainerCallback):
    """Logs a Trainer's arguments, model configuration and logs to ``tracker``."""

    def __init__(self, tracker: Tracker, *, log_parameters: bool = True) -> None:
        self.tracker = tracker
        self.log_parameters = log_parameters

    def on_train_begin(
        self,
        args: TrainingArguments,
        state: TrainerState,
        control: TrainerControl,
        model: Any = None,
        **kwargs: Any,
    ) -> None:
        if not state.is_world_process_zero or not self.log_parameters:
            return
        parameters = flat_parameters(args.to_sanitized_dict())
        if model is not None:
            parameters["model.class"] = type(model).__name__
            count = getattr(model, "num_parameters", None)
            if callable(count):
                parameters["model.num_parameters"] = int(count())
            config = getattr(model, "config", None)
            if config is not None:
                parameters.update(flat_parameters(config.to_diff_dict(), "model."))
        self.tracker.log_parameters(parameters)

    def on_log(
        self,
        args: TrainingArguments,
        state: TrainerState,
        control: TrainerControl,
        logs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if not state.is_world_process_zero or not logs:
            return
        for name, value in logs.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                self.tracker.log_metric(name.replace("/", "."), value, step=state.global_step)

    def on_train_end(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any
    ) -> None:
        if state.is_world_process_zero:
            self.tracker.log_parameters({"train.global_steps": state.global_step})
