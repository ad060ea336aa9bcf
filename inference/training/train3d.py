#!/usr/bin/python3
"""Trains the second bundled model, ctai-phantom-unet3d: a small 3-D U-Net on patches of synthetic phantoms,
for the node's patch-3d path (a pipeline model, not a clinical one).

    java -cp "$CP" inference/training/ExportPhantoms.java /tmp/p3d/train 4000 24 256 24 1.5 3 3
    ./train3d.py fit --data /tmp/p3d/train --out /tmp/p3d/fit --minutes 14
    ./train3d.py fit --data /tmp/p3d/train --out /tmp/p3d/fit2 --minutes 13 --init /tmp/p3d/fit/weights.pt \
        --lr 1e-3 --tumour-fraction 0.4 --seed 7
    ./train3d.py export --weights /tmp/p3d/fit2/weights.pt --out ../src/main/resources/org/ctai/inference/model

(the bundled model was made so, on the 2-core CPU; see its model card)

The phantoms are resampled to the model's spacing (3 x 2 x 2 mm, slices x rows x columns) as the node does
(trilinear, voxel centres aligned), windowed (centre 40, width 400) and cut into 16 x 64 x 64 patches, 60% of
them centred on a tumour voxel. Loss BCE + soft Dice, Adam. Debian python3-torch 1.13 on the CPU.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SPACING = (3.0, 2.0, 2.0)
PATCH = (16, 64, 64)
CENTRE, WIDTH = 40.0, 400.0
MODEL_FILE = "ctai-phantom-unet3d.onnx"
MANIFEST = {
    "manifest-version": 1,
    "input": {"layout": "patch-3d", "patch-size": list(PATCH), "overlap": 0.5, "spacing-mm": list(SPACING)},
    "normalization": {"method": "window", "center": CENTRE, "width": WIDTH},
    "output": {"kind": "sigmoid", "threshold": 0.5},
    "labels": [{"name": "Liver tumour", "type": "SCT:108369006:Neoplasm", "finding-site": "SCT:10200004:Liver"}],
}


def load(directory):
    out = []
    for line in open(os.path.join(directory, "index.txt")):
        seed, slices, size, pixel, slice_mm = line.split()
        slices, size, pixel, slice_mm = int(slices), int(size), float(pixel), float(slice_mm)
        hu = np.fromfile(os.path.join(directory, seed + ".hu"), "<i2").reshape(slices, size, size).astype(np.float32)
        mask = np.fromfile(os.path.join(directory, seed + ".mask"), np.uint8).reshape(slices, size, size).astype(np.float32)
        shape = tuple(max(1, round(n * s / t)) for n, s, t in zip((slices, size, size), (slice_mm, pixel, pixel), SPACING))
        x = F.interpolate(torch.from_numpy(hu)[None, None], size=shape, mode="trilinear", align_corners=False)[0, 0]
        m = F.interpolate(torch.from_numpy(mask)[None, None], size=shape, mode="trilinear", align_corners=False)[0, 0]
        x = ((x - (CENTRE - WIDTH / 2)) / WIDTH).clamp(0, 1)
        out.append((x, (m >= 0.5).float()))
    return out


def block(cin, cout):
    return nn.Sequential(nn.Conv3d(cin, cout, 3, padding=1), nn.BatchNorm3d(cout), nn.ReLU(inplace=True),
                         nn.Conv3d(cout, cout, 3, padding=1), nn.BatchNorm3d(cout), nn.ReLU(inplace=True))


class UNet3d(nn.Module):
    def __init__(self, w=(8, 16, 32)):
        super().__init__()
        self.e1, self.e2, self.e3 = block(1, w[0]), block(w[0], w[1]), block(w[1], w[2])
        self.u2, self.d2 = nn.ConvTranspose3d(w[2], w[1], 2, stride=2), block(2 * w[1], w[1])
        self.u1, self.d1 = nn.ConvTranspose3d(w[1], w[0], 2, stride=2), block(2 * w[0], w[0])
        self.head = nn.Conv3d(w[0], 1, 1)

    def forward(self, x):
        a = self.e1(x)
        b = self.e2(F.max_pool3d(a, 2))
        c = self.e3(F.max_pool3d(b, 2))
        b = self.d2(torch.cat([b, self.u2(c)], 1))
        a = self.d1(torch.cat([a, self.u1(b)], 1))
        return self.head(a)


class WithSigmoid(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, volume):
        return torch.sigmoid(self.net(volume))


def sample(data, rng, batch, tumour_fraction=0.6):
    xs, ms = [], []
    for _ in range(batch):
        x, m = data[rng.integers(len(data))]
        tumour = torch.nonzero(m)
        if len(tumour) and rng.random() < tumour_fraction:
            centre = tumour[rng.integers(len(tumour))].numpy()
        else:
            centre = np.array([rng.integers(n) for n in x.shape])
        start = [int(min(max(0, c - p // 2 + rng.integers(-p // 4, p // 4 + 1)), n - p)) for c, p, n in zip(centre, PATCH, x.shape)]
        sl = tuple(slice(s, s + p) for s, p in zip(start, PATCH))
        px, pm = x[sl], m[sl]
        if rng.random() < 0.5:
            px, pm = px.flip(2), pm.flip(2)
        # the generator's noise, about 10 HU, in window units
        px = (px + torch.randn_like(px) * float(rng.uniform(4, 14)) / WIDTH).clamp(0, 1)
        xs.append(px)
        ms.append(pm)
    return torch.stack(xs)[:, None], torch.stack(ms)[:, None]


def fit(args):
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    data = load(args.data)
    net = UNet3d()
    if args.init:
        net.load_state_dict(torch.load(args.init))  # go on from an earlier fit
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    t0 = time.time()
    step = 0
    while time.time() - t0 < args.minutes * 60 and step < args.steps:
        x, m = sample(data, rng, args.batch, args.tumour_fraction)
        logits = net(x)
        p = torch.sigmoid(logits)
        dice = 1 - (2 * (p * m).sum() + 1) / (p.sum() + m.sum() + 1)
        loss = F.binary_cross_entropy_with_logits(logits, m) + dice
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 25 == 0:
            print(f"step {step} {time.time() - t0:.0f}s loss {loss.item():.3f} dice-loss {dice.item():.3f}", flush=True)
    os.makedirs(args.out, exist_ok=True)
    torch.save(net.state_dict(), os.path.join(args.out, "weights.pt"))
    print(f"{step} steps in {time.time() - t0:.0f} s", flush=True)


def export(args):
    net = UNet3d()
    net.load_state_dict(torch.load(args.weights))
    model = WithSigmoid(net).eval()
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, MODEL_FILE)
    torch.onnx.export(model, torch.zeros(1, 1, *PATCH), path, input_names=["volume"], output_names=["probability"], opset_version=13)
    import onnx
    m = onnx.load(path)
    onnx.helper.set_model_props(m, {"model": "ctai-phantom-unet3d", "intended_use":
                                    "pipeline model trained on synthetic CT phantoms; not a clinical model"})
    onnx.save(m, path)
    with open(os.path.join(args.out, MODEL_FILE.replace(".onnx", ".manifest.json")), "w") as f:
        json.dump(MANIFEST, f, indent=2)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes), {sum(p.numel() for p in net.parameters())} parameters")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("fit")
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--minutes", type=float, default=4)
    p.add_argument("--steps", type=int, default=100000)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=20240611)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--init", help="weights.pt of an earlier fit to go on from")
    p.add_argument("--tumour-fraction", type=float, default=0.6, help="share of patches centred on a tumour voxel")
    p = sub.add_parser("export")
    p.add_argument("--weights", required=True)
    p.add_argument("--out", required=True)
    args = ap.parse_args()
    fit(args) if args.command == "fit" else export(args)


if __name__ == "__main__":
    main()
