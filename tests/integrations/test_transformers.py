"""A tiny BERT built from a config (no download) classifies digits read as pixel tokens."""

from __future__ import annotations

import pytest
import torch
from sklearn.datasets import load_digits
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    Trainer,
    TrainerCallback,
    TrainingArguments,
)

import trialbook as tb
from trialbook.integrations.transformers import TrialbookCallback
from trialbook.store import open_store


class PixelTokens(torch.utils.data.Dataset):
    """Each 8×8 digit as 64 tokens: its pixel intensities 0–16."""

    def __init__(self, images, labels) -> None:
        self.images, self.labels = images, labels

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        return {
            "input_ids": torch.tensor(self.images[index], dtype=torch.long),
            "labels": torch.tensor(int(self.labels[index])),
        }


@pytest.fixture(scope="module")
def datasets():
    X, y = load_digits(return_X_y=True)
    return PixelTokens(X[:128], y[:128]), PixelTokens(X[128:192], y[128:192])


def _trainer(tmp_path, datasets, callbacks) -> Trainer:
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=17,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        num_labels=10,
    )
    args = TrainingArguments(
        output_dir=str(tmp_path),
        num_train_epochs=2,
        per_device_train_batch_size=32,
        learning_rate=5e-3,
        logging_steps=2,
        eval_strategy="epoch",
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        disable_tqdm=True,
    )
    train, valid = datasets
    return Trainer(
        model=BertForSequenceClassification(config),
        args=args,
        train_dataset=train,
        eval_dataset=valid,
        callbacks=callbacks,
    )


def _series(tracker: tb.Tracker, metric: str):
    tb.flush()
    return open_store().metric_points(tracker.trial_component_name, metric)


def test_training_arguments_model_config_and_logs(tmp_path, datasets) -> None:
    exp = tb.Experiment.create("tiny-bert", hypothesis="h", variables={"lr": [5e-3]})
    with exp.run(variables={"lr": 5e-3}) as tracker:
        trainer = _trainer(tmp_path, datasets, [TrialbookCallback(tracker)])
        trainer.train()
    component = tracker.trial_component
    assert component.status == tb.TrialStatus.COMPLETED
    parameters = component.parameters
    assert parameters["learning_rate"] == 5e-3
    assert parameters["num_train_epochs"] == 2
    assert parameters["per_device_train_batch_size"] == 32
    assert parameters["model.class"] == "BertForSequenceClassification"
    assert parameters["model.hidden_size"] == 16
    assert parameters["model.num_parameters"] == trainer.model.num_parameters()
    assert parameters["train.global_steps"] == 8
    loss = _series(tracker, "loss")
    assert loss.steps == [2, 4, 6, 8]  # logging_steps=2 over 4 steps per epoch × 2 epochs
    logged = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    assert loss.values == pytest.approx(logged)
    assert _series(tracker, "eval_loss").steps == [4, 8]
    assert "train_runtime" in component.metrics


def test_an_exception_in_training_fails_the_trial(tmp_path, datasets) -> None:
    class Diverge(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step == 3:
                raise FloatingPointError("loss diverged")

    with pytest.raises(FloatingPointError), tb.Tracker.create("bert-fail") as tracker:
        _trainer(tmp_path, datasets, [TrialbookCallback(tracker), Diverge()]).train()
    component = tracker.trial_component
    assert component.status == tb.TrialStatus.FAILED
    assert component.status_message == "FloatingPointError: loss diverged"
    assert _series(tracker, "loss").steps == [2]
