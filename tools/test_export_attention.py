"""Unit test of tools/export_attention.py's labelling and writing against a fake model output (no weights).

    python3 tools/test_export_attention.py OUT_DIR

Uses torch tensors for the fake attentions when torch is installed (Debian: python3-torch), numpy arrays otherwise.
Writes OUT_DIR/dump, which the Maven test (ExportAttentionScriptTest) then reads with the Java reader.
"""
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_attention as ex  # noqa: E402

IMG = 151655
TOKENS = ["<|im_start|>", "system\n", "You are a helpful assistant.", "<|im_end|>", "\n", "<|im_start|>", "user\n",
          "<|vision_start|>", "<|image_pad|>", "<|image_pad|>", "<|image_pad|>", "<|image_pad|>", "<|image_pad|>",
          "<|image_pad|>", "<|vision_end|>", "Rate it.", "<|im_end|>", "\n", "<|im_start|>", "assistant\n",
          "<think>", " The image", " is blurry", ".</think>", "<answer>", "2", ".", "50", "</answer>", "<|im_end|>"]
PROMPT_LEN = 20
IDS = [IMG if t == "<|image_pad|>" else 1000 + i for i, t in enumerate(TOKENS)]


def fake_attentions(layers, heads, t):
    """Causal rows: position i attends to j <= i with weight j + 1 (normalised)."""
    a = np.zeros((1, heads, t, t), dtype=np.float32)
    for i in range(t):
        w = np.arange(1, i + 2, dtype=np.float32)
        a[0, :, i, :i + 1] = w / w.sum()
    try:
        import torch
        return tuple(torch.from_numpy(a.copy()) for _ in range(layers))
    except ImportError:
        return tuple(a.copy() for _ in range(layers))


class ExportAttentionTest(unittest.TestCase):
    def test_roles(self):
        roles = ex.label_roles(TOKENS, IDS, PROMPT_LEN, IMG)
        self.assertEqual(len(roles), len(TOKENS))
        self.assertEqual(roles[:4], ["system"] * 4)
        self.assertEqual(roles[4:8], ["prompt"] * 4)
        self.assertEqual(roles[8:14], ["image"] * 6)
        self.assertEqual(roles[14:20], ["prompt"] * 6)
        self.assertEqual(roles[20:24], ["reasoning"] * 4)  # <think> ... </think>, tags included
        self.assertEqual(roles[24:], ["answer"] * 6)

    def test_score_positions_are_the_digits_in_the_answer(self):
        roles = ex.label_roles(TOKENS, IDS, PROMPT_LEN, IMG)
        self.assertEqual(ex.score_positions(TOKENS, roles), [25, 27])

    def test_rows_and_dump(self):
        roles = ex.label_roles(TOKENS, IDS, PROMPT_LEN, IMG)
        q = ex.score_positions(TOKENS, roles)
        attn = ex.attention_rows(fake_attentions(3, 2, len(TOKENS)), [0, 2], q)
        self.assertEqual(attn.shape, (2, 2, 2, len(TOKENS)))
        self.assertAlmostEqual(float(attn[0, 0, 0].sum()), 1.0, places=5)
        self.assertEqual(float(attn[0, 0, 0, 26]), 0.0)  # causal: query 25 does not see 26
        out = os.environ.get("EXPORT_TEST_OUT")
        if out:
            ex.write_dump(os.path.join(out, "dump"), TOKENS, roles, (2, 3), q, attn, [0, 2], model="fake (test)")
        with self.assertRaises(ValueError):
            ex.write_dump(os.path.join(out or "/tmp", "bad"), TOKENS, roles[:-1], (2, 3), q, attn, [0, 2])


if __name__ == "__main__":
    if len(sys.argv) > 1:
        os.environ["EXPORT_TEST_OUT"] = sys.argv.pop(1)
    unittest.main()
