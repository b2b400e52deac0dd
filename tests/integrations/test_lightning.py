"""A tiny real Lightning model on the digits data: hyperparameters, metric steps, statuses."""

from __future__ import annotations

from pathlib import Path

import lightning as L
import pytest
import torch
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

import trialbook as tb
from trialbook.integrations.lightning import TrialbookLogger
from trialbook.store import open_store


class DigitsClassifier(L.LightningModule):
    def __init__(
        self,
        lr: float = 0.01,
        hidden: int = 16,
        fail_at_step: int | None = None,
        interrupt_at_step: int | None = None,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Sequential(
            torch.nn.Linear(64, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10)
        )

    def training_step(self, batch, batch_index):
        if self.global_step == self.hparams.fail_at_step:
            raise RuntimeError("loss is NaN")
        if self.global_step == self.hparams.interrupt_at_step:
            raise KeyboardInterrupt
        x, y = batch
        loss = torch.nn.functional.cross_entropy(self.net(x), y)
        self.log("train/loss", loss)
        return loss

    def validation_step(self, batch, batch_index):
        x, y = batch
        accuracy = (self.net(x).argmax(dim=1) == y).float().mean()
        self.log("val_accuracy", accuracy)

    def test_step(self, batch, batch_index):
        x, y = batch
        self.log("test_accuracy", (self.net(x).argmax(dim=1) == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


@pytest.fixture(scope="module")
def loaders():
    X, y = load_digits(return_X_y=True)
    data = TensorDataset(torch.tensor(X[:300] / 16.0, dtype=torch.float32), torch.tensor(y[:300]))
    train, valid = torch.utils.data.random_split(data, [240, 60], torch.Generator().manual_seed(0))
    return DataLoader(train, batch_size=60), DataLoader(valid, batch_size=60)


def _trainer(logger: TrialbookLogger, checkpoints: Path | None = None) -> L.Trainer:
    return L.Trainer(
        max_epochs=2,
        logger=logger,
        accelerator="cpu",
        log_every_n_steps=1,
        enable_checkpointing=checkpoints is not None,
        default_root_dir=checkpoints,
        enable_progress_bar=False,
        enable_model_summary=False,
    )


def _series(component_name: str, metric: str):
    tb.flush()
    return open_store().metric_points(component_name, metric)


def test_fit_then_test_logs_hyperparameters_metrics_and_status(loaders, tmp_path) -> None:
    train, valid = loaders
    exp = tb.Experiment.create("lightning-digits", hypothesis="h", variables={"lr": [0.01, 0.1]})
    logger = TrialbookLogger(experiment=exp, variables={"lr": 0.01})
    trainer = _trainer(logger, tmp_path)
    trainer.fit(DigitsClassifier(lr=0.01), train, valid)
    component = logger.experiment.trial_component
    assert component.status == tb.TrialStatus.COMPLETED
    assert component.parameters["lr"] == 0.01 and component.parameters["hidden"] == 16
    losses = _series(component.trial_component_name, "train.loss")
    assert losses.steps == list(range(8))  # 4 batches × 2 epochs, Lightning's global step
    assert len(_series(component.trial_component_name, "val_accuracy").values) == 2
    checkpoint = component.output_artifacts["best_checkpoint"].value
    assert checkpoint.endswith(".ckpt") and Path(checkpoint).is_file()
    assert logger.name == "lightning-digits"
    assert logger.version == component.trial_component_name
    (trial,) = exp.list_trials()
    assert trial.variables == {"lr": 0.01} and trial.status == tb.TrialStatus.COMPLETED

    trainer.test(trainer.lightning_module, valid)  # reopens the component, then completes it
    component = component.refresh()
    assert component.status == tb.TrialStatus.COMPLETED
    assert 0 <= component.metrics["test_accuracy"].last <= 1


def test_failure_and_interrupt(loaders) -> None:
    train, valid = loaders
    exp = tb.Experiment.create("lightning-fail", hypothesis="h", variables={"lr": [0.1]})
    failing = TrialbookLogger(experiment=exp, variables={"lr": 0.1})
    with pytest.raises(RuntimeError, match="loss is NaN"):
        _trainer(failing).fit(DigitsClassifier(lr=0.1, fail_at_step=2), train, valid)
    component = failing.experiment.trial_component
    assert component.status == tb.TrialStatus.FAILED
    assert component.status_message == "RuntimeError: loss is NaN"
    assert _series(component.trial_component_name, "train.loss").steps == [0, 1]

    stopping = TrialbookLogger(experiment=exp, variables={"lr": 0.1})  # a new attempt
    with pytest.raises(SystemExit):  # Lightning turns Ctrl+C into sys.exit(1)
        _trainer(stopping).fit(DigitsClassifier(lr=0.1, interrupt_at_step=1), train, valid)
    stopped = stopping.experiment.trial_component
    assert stopped.status == tb.TrialStatus.STOPPED
    assert stopped.trial_component_name != component.trial_component_name
    (trial,) = exp.list_trials()
    assert trial.status == tb.TrialStatus.STOPPED


def test_needs_an_experiment_or_a_tracker() -> None:
    with pytest.raises(tb.ValidationError, match="needs experiment"):
        TrialbookLogger()
