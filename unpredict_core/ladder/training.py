"""One stage trained with TRL (its SFT or DPO trainer) and peft LoRA, merged back into plain weights.

LoRA, because on two CPU cores the optimiser state of every weight (and the 262k-token embedding
it would update) costs more time and memory than the stage gains; the adapter is merged into the
weights at the end, so a stage is a plain transformers folder every backend loads and the dial can
interpolate against the base. DPO starts from the SFT stage's merged weights and, with an adapter,
its reference model is those same weights with the adapter switched off (TRL's rule), so no
second copy is held. Checkpoints are written every few steps; a killed build resumes from the last
one (`Trainer.train(resume_from_checkpoint=...)`).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unpredict_core.progress import ProgressFn, no_progress, time_left

# Gemma's own turn markers (the base's tokenizer has them and no template), with one change: a reply
# closes with the base's end-of-text token, not `<end_of_turn>`. LoRA leaves the output layer as the
# base had it, and the base never learned to predict `<end_of_turn>` (a first ladder stopped with
# look-alike tokens instead and ran to the token cap); it does predict `<eos>` where a text ends.
# A stage carries this template, so every backend renders a chat request as it saw in training.
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{% if message['role'] == 'assistant' %}<start_of_turn>model\n{{ message['content'] | trim }}{{ eos_token }}"
    "{% else %}<start_of_turn>{{ message['role'] }}\n{{ message['content'] | trim }}<end_of_turn>\n{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
)
END_OF_TURN = "<end_of_turn>"


@dataclass(frozen=True)
class StageSettings:
    kind: str  # "sft" or "dpo"
    epochs: int
    learning_rate: float
    batch_size: int
    lora_rank: int
    beta: float = 0.1  # DPO only
    max_length: int = 256
    save_steps: int = 4
    seed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def with_template(tokenizer: Any) -> Any:
    """The base's tokenizer with the stage's chat template, and turns ending generation."""
    tokenizer.chat_template = CHAT_TEMPLATE
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def stop_ids(tokenizer: Any) -> list[int]:
    """Generation ends at the end of a turn, or at the end of sequence."""
    ids = [tokenizer.convert_tokens_to_ids(END_OF_TURN), tokenizer.eos_token_id]
    return [i for i in dict.fromkeys(ids) if isinstance(i, int) and i != tokenizer.unk_token_id]


class _Progress:
    """A transformers callback that reports steps with an estimate of the time left."""

    def __new__(cls, progress: ProgressFn, label: str) -> Any:
        from transformers import TrainerCallback

        class Report(TrainerCallback):
            started = time.monotonic()

            def on_step_end(self, args, state, control, **kwargs):
                fraction = state.global_step / max(1, state.max_steps)
                elapsed = time.monotonic() - self.started
                progress(
                    fraction, f"{label}: step {state.global_step}/{state.max_steps}, {time_left(fraction, elapsed)}"
                )

        return Report()


def _arguments(config_type: Any, settings: StageSettings, work: Path, device: str, **extra: Any) -> Any:
    import torch

    on_gpu = device == "cuda"
    return config_type(
        output_dir=str(work),
        num_train_epochs=settings.epochs,
        per_device_train_batch_size=settings.batch_size,
        learning_rate=settings.learning_rate,
        lr_scheduler_type="constant_with_warmup",
        warmup_steps=2,
        logging_steps=1,
        save_strategy="steps",
        save_steps=settings.save_steps,
        save_total_limit=2,
        seed=settings.seed,
        data_seed=settings.seed,
        report_to="none",
        disable_tqdm=True,
        bf16=not on_gpu or torch.cuda.is_bf16_supported(),  # on a CPU: autocast (AMX/AVX-512 bf16 where present)
        use_cpu=not on_gpu,
        dataloader_num_workers=0,
        max_length=settings.max_length,
        **extra,
    )


def last_checkpoint(work: Path) -> str | None:
    """The newest complete checkpoint (its trainer state is written last); a newer, half-written one
    (a kill or a full disk mid-save) is set aside so the resume never reads it."""
    if not work.is_dir():
        return None
    found = sorted(
        (p for p in work.iterdir() if p.is_dir() and p.name.startswith("checkpoint-") and p.name[11:].isdigit()),
        key=lambda p: int(p.name[11:]),
    )
    while found and not (found[-1] / "trainer_state.json").is_file():
        shutil.rmtree(found.pop(), ignore_errors=True)
    return str(found[-1]) if found else None


def train_stage(
    start: Path,
    rows: Sequence[dict[str, Any]],
    settings: StageSettings,
    work: Path,
    target: Path,
    device: str = "cpu",
    progress: ProgressFn = no_progress,
) -> dict[str, Any]:
    """Train from the weights in `start` on `rows`, checkpointing in `work`; the merged stage is
    written to `target` (a folder that does not exist yet). Returns what the manifest keeps."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(settings.seed)
    tokenizer = with_template(AutoTokenizer.from_pretrained(start, trust_remote_code=False))
    model = AutoModelForCausalLM.from_pretrained(
        start, dtype=torch.float32, attn_implementation="eager", trust_remote_code=False, use_safetensors=True
    )
    lora = LoraConfig(
        r=settings.lora_rank, lora_alpha=2 * settings.lora_rank, lora_dropout=0.0, target_modules="all-linear",
        task_type="CAUSAL_LM",
    )  # fmt: skip
    data = Dataset.from_list([{k: v for k, v in row.items() if k != "key"} for row in rows])
    trainer = _trainer(settings, model, tokenizer, data, lora, work, device)
    trainer.add_callback(_Progress(progress, settings.kind.upper()))
    began, resume_from = time.monotonic(), last_checkpoint(work)
    trainer.train(resume_from_checkpoint=resume_from)
    seconds = time.monotonic() - began
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    merged = trainer.model.merge_and_unload()
    merged.generation_config.eos_token_id = stop_ids(tokenizer)
    merged.generation_config.pad_token_id = tokenizer.pad_token_id
    merged.save_pretrained(target, safe_serialization=True)
    tokenizer.save_pretrained(target)
    return {
        "examples": len(rows),
        "steps": int(trainer.state.global_step),
        "seconds": round(seconds, 1),
        "loss_first": losses[0] if losses else None,
        "loss_last": losses[-1] if losses else None,
        "loss_curve": losses,
        "resumed_from": Path(resume_from).name if resume_from else None,
    }


def _trainer(settings: StageSettings, model: Any, tokenizer: Any, data: Any, lora: Any, work: Path, device: str) -> Any:
    from transformers import PrinterCallback

    trainer = _make_trainer(settings, model, tokenizer, data, lora, work, device)
    trainer.remove_callback(PrinterCallback)  # it prints every log line on stdout, where --json answers
    return trainer


def _make_trainer(
    settings: StageSettings, model: Any, tokenizer: Any, data: Any, lora: Any, work: Path, device: str
) -> Any:
    from trl import DPOConfig, DPOTrainer, SFTConfig, SFTTrainer

    if settings.kind == "sft":
        args = _arguments(SFTConfig, settings, work, device, completion_only_loss=True, packing=False)
        return SFTTrainer(model=model, args=args, train_dataset=data, processing_class=tokenizer, peft_config=lora)
    args = _arguments(DPOConfig, settings, work, device, beta=settings.beta, precompute_ref_log_probs=False)
    return DPOTrainer(model=model, args=args, train_dataset=data, processing_class=tokenizer, peft_config=lora)
