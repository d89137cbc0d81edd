"""--profile for the PyTorch reference benches: torch.profiler (Kineto) around one iteration, written as a Chrome
trace (bench/profile_table.py reads it beside `rali bench ... --profile`) with PyTorch's own per-op table on stderr."""
import contextlib
import sys

import torch


@contextlib.contextmanager
def profiled(path, device):
    """Profiles the block when path is set; otherwise does nothing."""
    if not path:
        yield
        return
    acts = [torch.profiler.ProfilerActivity.CPU]
    if device.type == "cuda":
        acts.append(torch.profiler.ProfilerActivity.CUDA)
    with torch.profiler.profile(activities=acts, record_shapes=True) as prof:
        yield
        if device.type == "cuda":
            torch.cuda.synchronize()
    prof.export_chrome_trace(path)
    sort = "self_cuda_time_total" if device.type == "cuda" else "self_cpu_time_total"
    try:
        table = prof.key_averages().table(sort_by=sort, row_limit=20)
    except (AttributeError, KeyError, ValueError):  # newer releases name it device time
        table = prof.key_averages().table(sort_by=sort.replace("cuda", "device"), row_limit=20)
    print(table, file=sys.stderr)
