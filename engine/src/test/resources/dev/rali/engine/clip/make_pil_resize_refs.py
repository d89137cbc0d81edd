# Makes pil_resize_refs.safetensors for PilResizeTest (run with PIL 9.4.0: /usr/bin/python3 make_pil_resize_refs.py).
import numpy as np, json, struct
from PIL import Image
rng = np.random.default_rng(11)
src = rng.integers(0, 256, size=(37, 53, 3), dtype=np.uint8)
yy, xx = np.mgrid[0:37, 0:53]
src[..., 0] = ((np.sin(xx / 5.0) + 1) * 127).astype(np.uint8)  # smooth structure so filters matter beyond noise
im = Image.fromarray(src, "RGB")
cases = [(20, 15, 3), (101, 80, 3), (53, 11, 3), (7, 37, 3), (64, 64, 2), (29, 50, 1), (30, 20, 4), (45, 31, 5)]
tensors = {"src": src}
for (w, h, f) in cases:
    tensors[f"r_{w}x{h}_f{f}"] = np.asarray(im.resize((w, h), f))
header = {}; off = 0; blobs = []
for k, v in tensors.items():
    b = np.ascontiguousarray(v).tobytes()
    header[k] = {"dtype": "U8", "shape": list(v.shape), "data_offsets": [off, off + len(b)]}
    off += len(b); blobs.append(b)
header["__metadata__"] = {"made_by": "PIL 9.4.0 Image.resize on a seeded random image (rng 11), see PilResizeTest"}
hb = json.dumps(header).encode(); hb += b" " * ((8 - len(hb) % 8) % 8)
open("pil_resize_refs.safetensors", "wb").write(struct.pack("<Q", len(hb)) + hb + b"".join(blobs))
