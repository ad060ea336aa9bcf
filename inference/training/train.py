#!/usr/bin/python3
"""Trains CTAI Node's default model: a small 2-D U-Net that segments tumours on CT phantoms.

The phantoms come from the project's Java generator (make_phantoms.sh). This is a *pipeline*
model: it proves the node's path end to end on synthetic data. It is not a clinical model.

Steps (Debian: python3-torch, python3-pydicom, python3-pil, python3-onnx; none is needed by CI or
by users of the node):

    ./make_phantoms.sh /tmp/ctai-data
    ./train.py pack --data /tmp/ctai-data --out /tmp/ctai-pack      # DICOM + PNG -> compact arrays
    ./train.py fit --pack /tmp/ctai-pack --out /tmp/ctai-fit [--device cuda] [--minutes 20]
    ./train.py export --weights /tmp/ctai-fit/weights.npz --out ../src/main/resources/org/ctai/inference/model
    ./train.py evaluate --weights /tmp/ctai-fit/weights.npz --data /tmp/ctai-data/val

`pack` needs pydicom and PIL, `fit` only numpy and torch (so it runs on a machine without them),
`export` needs torch's ONNX exporter and, for the metadata, the onnx package.

Preprocessing contract, also written into the ONNX file's metadata_props (METADATA below): HU
clipped to the window centre 40 / width 400 and scaled to 0..1; input "ct" is N x 1 x H x W float32,
H and W multiples of 8; output "probability" is N x 1 x H x W after a sigmoid; tumour where the
probability is at least 0.5.
"""
import argparse
import glob
import io
import lzma
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

WINDOW_CENTRE = 40.0
WINDOW_WIDTH = 400.0
THRESHOLD = 0.5
CROP = 128
MODEL_FILE = "ctai-phantom-unet.onnx"
# the generator's noise: white Gaussian smoothed by a 3x3 binomial kernel, whose output std is 6/16
NOISE_KERNEL = torch.tensor([[1., 2., 1.], [2., 4., 2.], [1., 2., 1.]]) / 16
SMOOTHED_NOISE_STD = 6.0 / 16.0

# The ctai.* keys are the ones org.ctai.inference.ModelConfig reads as defaults under the
# configuration (it logs any other ctai.* key); the rest only describe the model.
METADATA = {
    "ctai.normalization": "window",
    "ctai.window-center": str(int(WINDOW_CENTRE)),
    "ctai.window-width": str(int(WINDOW_WIDTH)),
    "ctai.size-multiple": "8",
    "ctai.output": "probability",
    "ctai.threshold": str(THRESHOLD),
    "ctai.labels": "SCT:108369006:Neoplasm",
    "model": "ctai-phantom-unet",
    "model_card": "MODEL-CARD.md",
    "intended_use": "pipeline model trained on synthetic CT phantoms; not a clinical model",
}


def normalise(hu):
    low = WINDOW_CENTRE - WINDOW_WIDTH / 2
    return np.clip((hu - low) / WINDOW_WIDTH, 0.0, 1.0).astype(np.float32)


# ---------------------------------------------------------------- data

def load_phantom(directory):
    """HU volume (slices, H, W) float32 and truth mask (slices, H, W) uint8, lowest slice first."""
    import pydicom
    from PIL import Image
    images = sorted(glob.glob(os.path.join(directory, "dicom", "slice-*.dcm")))
    hu, masks = [], []
    for path in images:
        ds = pydicom.dcmread(path)
        hu.append(ds.pixel_array.astype(np.float32) * float(ds.RescaleSlope) + float(ds.RescaleIntercept))
        mask_path = os.path.join(directory, "masks", os.path.basename(path)[:-4] + ".png")
        masks.append((np.asarray(Image.open(mask_path)) > 127).astype(np.uint8))
    return np.stack(hu), np.stack(masks)


def phantom_dirs(root):
    return sorted(d for d in glob.glob(os.path.join(root, "seed-*")) if os.path.isdir(os.path.join(d, "dicom")))


def write_pack(dirs, path):
    """Windowed images as uint8 (1.6 HU steps) and masks, all phantoms in one lzma-compressed npz."""
    arrays = {}
    for i, d in enumerate(dirs):
        hu, mask = load_phantom(d)
        arrays[f"img{i}"] = np.round(normalise(hu) * 255).astype(np.uint8)
        arrays[f"mask{i}"] = mask
        arrays[f"name{i}"] = np.array(os.path.basename(d))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    with lzma.open(path, "wb", preset=6) as f:
        f.write(buf.getvalue())


def read_pack(path):
    """List of (name, image float32 0..1 (S, H, W), mask uint8 (S, H, W))."""
    with lzma.open(path, "rb") as f:
        npz = np.load(io.BytesIO(f.read()))
        n = sum(1 for k in npz.files if k.startswith("img"))
        return [(str(npz[f"name{i}"]), npz[f"img{i}"].astype(np.float32) / 255, npz[f"mask{i}"]) for i in range(n)]


def read_dicom_set(root):
    return [(os.path.basename(d), *(lambda hu, m: (normalise(hu), m))(*load_phantom(d))) for d in phantom_dirs(root)]


# ---------------------------------------------------------------- model

def block(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UNet(nn.Module):
    """4-level U-Net, 16-32-64-128 channels, 3 poolings (H and W multiples of 8). Returns logits."""

    def __init__(self, widths=(16, 32, 64, 128)):
        super().__init__()
        w1, w2, w3, w4 = widths
        self.enc1, self.enc2, self.enc3, self.bottom = block(1, w1), block(w1, w2), block(w2, w3), block(w3, w4)
        self.up3, self.dec3 = nn.ConvTranspose2d(w4, w3, 2, stride=2), block(2 * w3, w3)
        self.up2, self.dec2 = nn.ConvTranspose2d(w3, w2, 2, stride=2), block(2 * w2, w2)
        self.up1, self.dec1 = nn.ConvTranspose2d(w2, w1, 2, stride=2), block(2 * w1, w1)
        self.head = nn.Conv2d(w1, 1, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        e3 = self.enc3(F.max_pool2d(e2, 2))
        b = self.bottom(F.max_pool2d(e3, 2))
        d3 = self.dec3(torch.cat([self.up3(b), e3], 1))
        d2 = self.dec2(torch.cat([self.up2(d3), e2], 1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], 1))
        return self.head(d1)


class WithSigmoid(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, ct):
        return torch.sigmoid(self.net(ct))


def save_weights(model, path):
    np.savez(path, **{k: v.detach().cpu().numpy() for k, v in model.state_dict().items()})


def load_weights(path):
    model = UNet()
    npz = np.load(path)
    model.load_state_dict({k: torch.from_numpy(npz[k]) for k in npz.files})
    return model.eval()


# ---------------------------------------------------------------- training

def sample_batch(data, tumour_index, batch, rng, tumour_fraction):
    """Crops of CROP x CROP, biased toward tumour pixels; random horizontal flips."""
    xs, ys = [], []
    for _ in range(batch):
        if tumour_index and rng.random() < tumour_fraction:
            p, s, r, c = tumour_index[rng.randrange(len(tumour_index))]
            _, img, mask = data[p]
            h, w = img.shape[1:]
            r0 = min(max(r - rng.randrange(16, CROP - 16), 0), h - CROP)
            c0 = min(max(c - rng.randrange(16, CROP - 16), 0), w - CROP)
        else:
            p = rng.randrange(len(data))
            _, img, mask = data[p]
            s = rng.randrange(img.shape[0])
            h, w = img.shape[1:]
            # mostly inside the body, where the hard negatives are
            r0 = rng.randrange(h // 5, max(h // 5 + 1, 4 * h // 5 - CROP))
            c0 = rng.randrange(w // 8, max(w // 8 + 1, 7 * w // 8 - CROP))
        x = img[s, r0:r0 + CROP, c0:c0 + CROP]
        y = mask[s, r0:r0 + CROP, c0:c0 + CROP]
        if rng.random() < 0.5:
            x, y = x[:, ::-1], y[:, ::-1]
        xs.append(np.ascontiguousarray(x))
        ys.append(np.ascontiguousarray(y))
    return torch.from_numpy(np.stack(xs)[:, None]), torch.from_numpy(np.stack(ys)[:, None].astype(np.float32))


def add_ct_noise(x, generator, low_hu=6.0, high_hu=16.0):
    """The generator's noise model on normalised crops: a new sigma per crop, then a small HU offset."""
    n = x.shape[0]
    sigma = low_hu + (high_hu - low_hu) * torch.rand(n, 1, 1, 1, generator=generator, device="cpu").to(x.device)
    white = torch.randn(x.shape, generator=generator, device="cpu").to(x.device)
    smooth = F.conv2d(F.pad(white, (1, 1, 1, 1), mode="replicate"), NOISE_KERNEL.to(x.device)[None, None])
    offset = (torch.rand(n, 1, 1, 1, generator=generator, device="cpu").to(x.device) - 0.5) * 10
    return torch.clamp(x + (sigma * smooth / SMOOTHED_NOISE_STD + offset) / WINDOW_WIDTH, 0, 1)


def loss_fn(logits, target):
    bce = F.binary_cross_entropy_with_logits(logits, target)
    prob = torch.sigmoid(logits)
    inter = (prob * target).sum()
    dice = 1 - (2 * inter + 1) / (prob.sum() + target.sum() + 1)
    return bce + dice


@torch.no_grad()
def predict(model, volume, device="cpu", batch=4):
    """Probabilities for a normalised (slices, H, W) volume, whole slices."""
    model.eval()
    out = []
    for i in range(0, volume.shape[0], batch):
        x = torch.from_numpy(np.ascontiguousarray(volume[i:i + batch][:, None])).to(device)
        out.append(torch.sigmoid(model(x))[:, 0].cpu().numpy())
    return np.concatenate(out)


def evaluate(model, data, device="cpu"):
    """Per phantom, and pooled per image size: Dice over tumour voxels and predicted/true voxel ratio."""
    lines, pooled = [], {}
    for name, img, mask in data:
        pred = predict(model, img, device) >= THRESHOLD
        truth = mask > 0
        inter, p, t = int((pred & truth).sum()), int(pred.sum()), int(truth.sum())
        dice = 2 * inter / (p + t) if p + t else 1.0
        lines.append(f"  {name} {img.shape[2]}px dice {dice:.3f} predicted/true voxels {p}/{t}")
        acc = pooled.setdefault(img.shape[2], [0, 0, 0])
        acc[0], acc[1], acc[2] = acc[0] + inter, acc[1] + p, acc[2] + t
    for size, (inter, p, t) in sorted(pooled.items()):
        lines.append(f"at {size}px: pooled dice {2 * inter / max(1, p + t):.3f}, predicted/true volume {p / max(1, t):.3f}")
    return "\n".join(lines)


def fit(args):
    device = args.device if args.device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cpu":
        torch.set_num_threads(args.threads)  # Debian's torch uses one thread unless told
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    noise_rng = torch.Generator().manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    t0 = time.time()
    train = read_pack(os.path.join(args.pack, "train.npz.xz"))
    val = read_pack(os.path.join(args.pack, "val.npz.xz"))
    tumour_index = []
    for p, (_, img, mask) in enumerate(train):
        s, r, c = np.nonzero(mask)
        keep = np.random.default_rng(p).choice(len(s), size=min(len(s), 400), replace=False) if len(s) else []
        tumour_index += [(p, int(s[i]), int(r[i]), int(c[i])) for i in keep]
    model = UNet().to(device)
    print(f"{len(train)} training phantoms ({sum(x[1].shape[0] for x in train)} slices), {len(val)} validation; "
          f"loaded in {time.time() - t0:.0f} s; {sum(p.numel() for p in model.parameters())} parameters; "
          f"device {device}", flush=True)

    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    t0, budget, step, running = time.time(), args.minutes * 60, 0, None
    while True:
        # progress by steps or by time, whichever runs out first; warm-up then cosine decay
        progress = max(step / args.steps, (time.time() - t0) / budget)
        if progress >= 1:
            break
        lr = args.lr * min(1.0, progress / 0.05) * 0.5 * (1 + math.cos(math.pi * progress))
        for g in opt.param_groups:
            g["lr"] = lr
        model.train()
        x, y = sample_batch(train, tumour_index, args.batch, rng, args.tumour_fraction)
        x = add_ct_noise(x.to(device), noise_rng)
        loss = loss_fn(model(x), y.to(device))
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
        if step % 200 == 0:
            print(f"step {step} loss {running:.4f} lr {lr:.5f} {time.time() - t0:.0f} s", flush=True)
    weights = os.path.join(args.out, "weights.npz")
    save_weights(model, weights)
    print(f"trained {step} steps of {args.batch} crops in {time.time() - t0:.0f} s; saved {weights}", flush=True)
    print(evaluate(model, val, device), flush=True)


def pack(args):
    os.makedirs(args.out, exist_ok=True)
    for split in ("train", "val"):
        dirs = phantom_dirs(os.path.join(args.data, split))
        path = os.path.join(args.out, f"{split}.npz.xz")
        write_pack(dirs, path)
        print(f"{split}: {len(dirs)} phantoms -> {path} ({os.path.getsize(path) / 1e6:.1f} MB)")


def export(args):
    model = load_weights(args.weights)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, MODEL_FILE)
    torch.onnx.export(WithSigmoid(model).eval(), torch.zeros(1, 1, 256, 256), path, opset_version=17,
                      input_names=["ct"], output_names=["probability"],
                      dynamic_axes={"ct": {0: "n", 2: "h", 3: "w"}, "probability": {0: "n", 2: "h", 3: "w"}},
                      do_constant_folding=True)
    try:
        import onnx
    except ImportError:
        print("no onnx package (Debian: python3-onnx): exported without metadata_props", file=sys.stderr)
        return
    m = onnx.load(path)
    del m.metadata_props[:]
    for k, v in METADATA.items():
        entry = m.metadata_props.add()
        entry.key, entry.value = k, v
    m.doc_string = "CTAI Node default model: tumour segmentation on synthetic CT phantoms. Pipeline model, not a clinical one."
    onnx.checker.check_model(m)
    onnx.save(m, path)
    print(f"exported {path} ({os.path.getsize(path) / 1e6:.2f} MB)")


def evaluate_command(args):
    torch.set_num_threads(args.threads)
    model = load_weights(args.weights)
    data = read_pack(args.data) if args.data.endswith(".xz") else read_dicom_set(args.data)
    print(evaluate(model, data))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pack", help="phantom files -> train.npz.xz and val.npz.xz")
    p.add_argument("--data", required=True, help="directory from make_phantoms.sh (train/ and val/)")
    p.add_argument("--out", required=True)
    p = sub.add_parser("fit", help="train; writes weights.npz and prints validation Dice")
    p.add_argument("--pack", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--steps", type=int, default=6000, help="at most this many steps")
    p.add_argument("--minutes", type=float, default=20, help="at most this long")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=20240115)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--tumour-fraction", type=float, default=0.6)
    p = sub.add_parser("export", help="weights.npz -> ONNX with metadata_props")
    p.add_argument("--weights", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("evaluate", help="Dice and volume ratio on phantom files or a pack")
    p.add_argument("--weights", required=True)
    p.add_argument("--data", required=True, help="a directory of seed-* phantoms, or a .npz.xz pack")
    p.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    {"pack": pack, "fit": fit, "export": export, "evaluate": evaluate_command}[args.command](args)


if __name__ == "__main__":
    main()
