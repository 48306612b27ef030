#!/usr/bin/env bash
# #11 levers on the FER+ -> {SFEW, CK+} transfer, each one row of bench/results/cafe-table.md ("levers" group).
# Run from the repo root, one job at a time (2 cores). Datasets: $CAFE_DATASETS or ../shared/datasets.
# Probe-head rows are cheap (a linear head on cached features, minutes); they pick the frozen encoder, the sources
# and the class balance; the CAFE rows then train the mask CNN on the choice. Model selection: FER+ valid only.
set -euo pipefail
CAFE="nice -n 5 node --import tsx bench/cafe-cli.ts"
D=${CAFE_DATASETS:-../shared/datasets}
C=configs/cafe-cpu.json
mkdir -p runs
# Features: orig + mirrored views of the training sources; targets once.
$CAFE features extract --encoder faceres --flip --data ferplus:$D/ferplus:train --data sfew:$D/sfew2:train
$CAFE features extract --encoder facemesh --flip --data ferplus:$D/ferplus:train --data sfew:$D/sfew2:train
for e in faceres facemesh; do $CAFE features extract --encoder $e --data ferplus:$D/ferplus:valid --data ferplus:$D/ferplus:test --data sfew:$D/sfew2:val --data ckplus:$D/ckplus48; done

SRC2="data.train=[\"ferplus:$D/ferplus:train:mode=majority\",\"sfew:$D/sfew2:train\"] data.exclude=[\"$D/photos/sfew-frames\"]"
row() { name=$1; shift; $CAFE train --config $C --out runs/$name name=$name "$@" > runs/$name.log 2>&1; }
row lever-probe-facemesh model.kind=probe encoder.name=facemesh
row lever-probe-fused model.kind=probe encoder.name=faceres+facemesh
row lever-probe-fused-reweight model.kind=probe encoder.name=faceres+facemesh loss.classBalance=reweight
row lever-probe-fused-logitadj model.kind=probe encoder.name=faceres+facemesh loss.classBalance=logit-adjust
eval row lever-probe-fused-2src model.kind=probe encoder.name=faceres+facemesh $SRC2

T="--target ferplus:$D/ferplus:test:mode=majority --target sfew:$D/sfew2:val --target ckplus:$D/ckplus48"
for r in runs/lever-*; do [ -f "$r/config.json" ] && $CAFE eval --run $r $T --out bench/results/cafe/$(basename $r); done
node --import tsx bench/cafe-table.ts
