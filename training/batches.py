"""Training batches: which (sequence, frame) samples there are, and the network inputs,
targets and modulations of a batch of them.

Super-resolution's previous-output input comes from the network itself: each sample first
runs the (detached) network on the ``task.unroll`` frames before it, as playback would have.
"""

from __future__ import annotations

import torch

from networks.tasks import MODULATION_FLOOR, Task, from_network_space
from training.data import TrainingSequence

Sample = tuple[int, int]
"""(sequence, frame) indices."""


def samples_for(task: Task, sequences: list[TrainingSequence]) -> list[Sample]:
    """Every frame of every sequence, but a sequence's first for extrapolation (there is
    nothing to extrapolate from)."""
    first = 1 if task.name == "extrapolate" else 0
    return [(s, t) for s, seq in enumerate(sequences) for t in range(first, len(seq))]


class Batcher:
    """Assembles batches of network inputs, targets and modulations on the CPU (where the
    frames are read) and hands them over on ``device``."""

    def __init__(
        self, task: Task, sequences: list[TrainingSequence], device: torch.device | str = "cpu"
    ) -> None:
        self.task = task
        self.sequences = sequences
        self.device = torch.device(device)
        # A sample's input, target and modulation never change unless the input holds the
        # network's own output: assembled once (extrapolation's hole filling and chained
        # warps were a quarter of a training step).
        self._memo: dict[Sample, tuple[torch.Tensor, ...]] | None = {} if not task.unroll else None

    def frames(self, sample: Sample):
        s, t = sample
        seq = self.sequences[s]
        history = [seq.frame(u) for u in range(max(0, t - self.task.history), t)]
        return seq.frame(t), history

    def batch(self, samples: list[Sample], net: torch.nn.Module) -> tuple[torch.Tensor, ...]:
        """(inputs, targets, modulations) of ``samples``, stacked, channels-last, on the
        batcher's device."""
        previous = self._previous_outputs(samples, net)
        made = [self._sample(sample, prev) for sample, prev in zip(samples, previous, strict=True)]
        stack = [torch.stack(x) for x in zip(*made, strict=True)]
        return tuple(x.to(self.device).contiguous(memory_format=torch.channels_last) for x in stack)

    def _sample(self, sample: Sample, previous) -> tuple[torch.Tensor, ...]:
        """The input, target and modulation of one sample."""
        if self._memo is not None and sample in self._memo:
            return self._memo[sample]
        frame, history = self.frames(sample)
        made = (
            self.task.assemble(frame, history, previous),
            self.task.target(frame),
            frame.albedo + MODULATION_FLOOR,
        )
        if self._memo is not None:
            self._memo[sample] = made
        return made

    @torch.no_grad()
    def _previous_outputs(self, samples: list[Sample], net: torch.nn.Module) -> list:
        """For recurrent tasks, the network's own answer for the frame before each sample:
        the network run on the ``task.unroll`` frames before it, each fed the answer
        before (the first with none). None where there is no frame before."""
        previous: list = [None] * len(samples)
        starts = [max(0, t - self.task.unroll) for _, t in samples]
        was_training = net.training
        net.eval()
        for step in range(self.task.unroll):
            active = [k for k, (_, t) in enumerate(samples) if starts[k] + step < t]
            if not active:
                continue
            inputs, mods = [], []
            for k in active:
                frame, history = self.frames((samples[k][0], starts[k] + step))
                inputs.append(self.task.assemble(frame, history, previous[k]))
                mods.append(frame.albedo + MODULATION_FLOOR)
            batch = torch.stack(inputs).to(self.device)
            batch = batch.contiguous(memory_format=torch.channels_last)
            mod = torch.stack(mods).to(self.device)
            out = from_network_space(self.task.finish(net(batch), batch), mod).cpu()
            for k, o in zip(active, out, strict=True):
                previous[k] = o
        net.train(was_training)
        return previous
