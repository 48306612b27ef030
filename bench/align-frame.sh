#!/usr/bin/env bash
# #11 lever 4, the canonical frame photos are cut in: each head exported twice, with FER+'s square frame (the old
# default, 96 px wide) and with SFEW's 143 x 181 frame (cafe export --align-frame sfew, 143 px wide: SFEW's own crop
# width), then scored end to end with detection + alignment (cafe eval --model --detect) on FER+ valid, the SFEW
# frames (raw 720 x 576 movie frames), SFEW Val and CK+48. The heads: the shipped row refitted
# (lever-mlp-fused-2src-aug2-la0.5) and the same with re-framed training views (-reframe-, cafe probe --reframe),
# both from bench/levers.sh (run folders in runs/). Models go to $MODELS (default /tmp/cafe-align-frame).
# Run from the repo root: bash bench/align-frame.sh
set -euo pipefail
CAFE="nice -n 5 node --import tsx bench/cafe-cli.ts"
D=${CAFE_DATASETS:-../shared/datasets}
M=${MODELS:-/tmp/cafe-align-frame}
OUT=bench/results/align-frame
mkdir -p $OUT $M
T="--target ferplus:$D/ferplus:valid:mode=majority --target sfew:$D/photos/sfew-frames --target sfew:$D/sfew2:val --target ckplus:$D/ckplus48"
for run in ${RUNS:-lever-mlp-fused-2src-aug2-la0.5 lever-mlp-fused-2src-aug2-reframe-la0.5}; do
  $CAFE export --run runs/$run --out $M/$run-ferplus --tta flip --align-size 96
  $CAFE export --run runs/$run --out $M/$run-sfew --tta flip --align-size 143 --align-frame sfew
  for frame in ferplus sfew; do
    $CAFE eval --model $M/$run-$frame --detect $T --out $OUT/$run-$frame > /dev/null
  done
done
