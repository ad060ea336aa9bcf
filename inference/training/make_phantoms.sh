#!/usr/bin/env bash
# Generates the phantoms the default model is trained and validated on, with the project's own
# Java generator (org.ctai.inference.phantom.PhantomCli). Usage: make_phantoms.sh OUT_DIR
#
# Training phantoms (seeds 1000-1999 at 512 px, 2000-2999 at 256 px) are written noise-free:
# train.py adds the generator's own noise model (binomial-smoothed Gaussian) on the fly with a new
# sigma for every crop, and noise-free images compress about 25x, so the training set travels.
# Validation phantoms (seeds 3000-3099) carry the generator's real noise.
# Seeds from 9000 up are never used here: tests draw their fresh phantoms from there.
set -euo pipefail
OUT="${1:?usage: make_phantoms.sh OUT_DIR}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
cd "$ROOT"
mvn -q -B -o -pl inference compile dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt" >/dev/null
# a private copy of the classes, so that a build running meanwhile cannot pull them away
rm -rf "$OUT/classes" && cp -r "$ROOT/inference/target/classes" "$OUT/classes"
CP="$OUT/classes:$(cat "$OUT/classpath.txt")"
gen() { java -cp "$CP" org.ctai.inference.phantom.PhantomCli "$@" >/dev/null; }

# train, 512 px: varied field of view, slice spacing, tumour count and size
T=(--out "$OUT/train" --noise 0 --size 512 --slices 16)
gen "${T[@]}" --seed 1000 --count 16 --pixel-spacing 0.75 --slice-spacing 5 --tumours 1
gen "${T[@]}" --seed 1016 --count 16 --pixel-spacing 0.68 --slice-spacing 4 --tumours 2
gen "${T[@]}" --seed 1032 --count 16 --pixel-spacing 0.82 --slice-spacing 5 --tumours 3
gen "${T[@]}" --seed 1048 --count 12 --pixel-spacing 0.75 --slice-spacing 3 --tumours 2 --tumour-scale 0.6
gen "${T[@]}" --seed 1060 --count 8 --pixel-spacing 0.72 --slice-spacing 2.5 --tumours 2 --tumour-scale 1.3
gen "${T[@]}" --seed 1068 --count 6 --pixel-spacing 0.9 --slice-spacing 5 --tumours 0
# train, 256 px (about 1.5 mm pixels)
T=(--out "$OUT/train" --noise 0 --size 256 --slices 24)
gen "${T[@]}" --seed 2000 --count 16 --pixel-spacing 1.5 --slice-spacing 3 --tumours 2
gen "${T[@]}" --seed 2016 --count 16 --pixel-spacing 1.35 --slice-spacing 2.5 --tumours 3
gen "${T[@]}" --seed 2032 --count 12 --pixel-spacing 1.65 --slice-spacing 4 --tumours 1 --tumour-scale 0.8
gen "${T[@]}" --seed 2044 --count 8 --pixel-spacing 1.45 --slice-spacing 3 --tumours 2 --tumour-scale 1.3
gen "${T[@]}" --seed 2052 --count 6 --pixel-spacing 1.5 --slice-spacing 3 --tumours 0
# validation: unseen seeds, default noise, at the sizes the node sees
gen --out "$OUT/val" --seed 3000 --count 4 --size 256 --slices 16 --tumours 2
gen --out "$OUT/val" --seed 3010 --count 2 --size 512 --slices 12 --tumours 2
