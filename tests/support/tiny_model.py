"""A tiny randomly initialised Llama and a character-level tokenizer, built locally (nothing can be
downloaded here). Every character is one token, so "10" is two tokens and "1" a prefix of it:
exactly the case the scoring rule must keep apart."""

from __future__ import annotations

import string
from pathlib import Path

CHARS = list(string.digits + string.ascii_lowercase + " \n,.:")
SPECIALS = ["<pad>", "<s>", "</s>", "<unk>"]
CHAT_TEMPLATE = (
    "{% for m in messages %}<s>{{ m['role'] }}:{{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant:{% endif %}"
)


def build_tokenizer(chat_template: bool = True):
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {tok: i for i, tok in enumerate(SPECIALS + CHARS)}
    core = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    core.decoder = decoders.Fuse()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core, bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>"
    )
    if chat_template:
        tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def build_model(vocab_size: int, seed: int = 0, scale: float = 1.0):
    """Random weights; `scale` > 1 sharpens the output distribution so it is far from uniform."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        bos_token_id=1,
        eos_token_id=2,
        pad_token_id=0,
    )
    model = LlamaForCausalLM(config)
    with torch.no_grad():
        model.lm_head.weight.mul_(scale)
    return model.eval()


def tiny_backend(chat_template: bool = True, seed: int = 0, scale: float = 30.0):
    from unpredict_core.backends.hf.backend import TransformersBackend

    tokenizer = build_tokenizer(chat_template)
    model = build_model(len(tokenizer), seed, scale)
    return TransformersBackend(model, tokenizer, label="tiny", identity=f"tiny:{seed}:{scale}")


def save_tiny(folder: Path, chat_template: bool = True) -> Path:
    """A real HF model folder on disk (safetensors), to test loading by path."""
    tokenizer = build_tokenizer(chat_template)
    build_model(len(tokenizer)).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def tiny_sliding_backend(window: int = 8, seed: int = 0):
    """A tiny Gemma-3 with a short sliding window, to test KV reuse past the window."""
    import torch
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    from unpredict_core.backends.hf.backend import TransformersBackend

    tokenizer = build_tokenizer()
    torch.manual_seed(seed)
    config = Gemma3TextConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=3,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=8,
        sliding_window=window,
        layer_types=["sliding_attention", "full_attention", "sliding_attention"],
        max_position_embeddings=512,
        bos_token_id=1,
        eos_token_id=2,
        pad_token_id=0,
    )
    model = Gemma3ForCausalLM(config).eval()
    with torch.no_grad():
        model.lm_head.weight.mul_(30.0)
    return TransformersBackend(model, tokenizer, label="tiny-gemma", identity=f"tiny-gemma:{seed}")
