#!/usr/bin/env bash
# #11 lever 8, test-time augmentation over framing: each detected face also cut in a second canonical frame (model.json
# ttaFrames; cafe export --tta-frames), the logits averaged over the frames and, with flip, their mirrors. The shipped
# model (cut in SFEW's 143 x 181 frame) scored end to end with detection + alignment (cafe eval --model --detect) on
# FER+ valid, the SFEW frames (raw 720 x 576 movie frames), SFEW Val and CK+48, three ways:
#   flip          --tta-frames none: its own frame and the mirror (2 model passes per face; the default before)
#   frames        --tta none: its own frame and FER+'s square one (2 passes: the same cost as flip)
#   frames+flip   the model's default: both frames and their mirrors (4 passes)
# Dataset crops (cafe eval --model without --detect) have no frame to vary: frame TTA changes nothing there.
# Run from the repo root: bash bench/frame-tta.sh
set -euo pipefail
CAFE="nice -n 5 node --import tsx bench/cafe-cli.ts"
D=${CAFE_DATASETS:-../shared/datasets}
OUT=bench/results/frame-tta
mkdir -p $OUT
T="--target ferplus:$D/ferplus:valid:mode=majority --target sfew:$D/photos/sfew-frames --target sfew:$D/sfew2:val --target ckplus:$D/ckplus48"
$CAFE eval --model default --detect --tta-frames none $T --out $OUT/flip > /dev/null
$CAFE eval --model default --detect --tta none $T --out $OUT/frames > /dev/null
$CAFE eval --model default --detect $T --out $OUT/frames-flip > /dev/null
node --import tsx bench/frame-tta-table.ts $OUT flip frames frames-flip
