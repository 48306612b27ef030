#!/usr/bin/env bash
# The CPU runs behind bench/results/cafe-table.md, as they were launched (from the repo root, with tsx; after
# `npm run build`, `node bin/cafe.js` is the same CLI). Each row is one config switch on configs/cafe-cpu.json.
# The four CNN rows ran side by side, 1 libtorch thread each, on 2 cores shared with other jobs (load 12-16).
set -euo pipefail
CAFE="nice -n 5 node --import tsx bench/cafe-cli.ts"
D=/work/shared/datasets
# Target features (orig view) for evaluation; training features come from `cafe features extract --flip` on FERPlus.
$CAFE features extract --threads 1 --data sfew:$D/sfew2:val --data ckplus:$D/ckplus48 --data ferplus:$D/ferplus:valid --data ferplus:$D/ferplus:test
run() { name=$1; shift; $CAFE train --config configs/cafe-cpu.json --out runs/cpu-$name name=cpu-$name "$@" > runs/cpu-$name.log 2>&1 & }
run cafe
run baseline model.kind=baseline
run cafe-freemask model.finalRelu=false
run mask-only loss.lambda=0 loss.beta=0
run probe model.kind=probe
wait   # (in this session the four CNN rows were stopped after epoch 2 for time; rerunning resumes them)
# Dimension matching at equal budget (3000 images, 1 epoch), chosen on FERPlus-valid; then the recipe with projectF.
for d in pool projectF projectf; do $CAFE train --config configs/cafe-cpu.json --out runs/dim-$d name=dim-$d data.trainLimit=3000 optim.epochs=1 model.dimMatch=$d > runs/dim-$d.log 2>&1 & done
wait
$CAFE train --config configs/cafe-cpu.json --out runs/cpu-cafe-projectF name=cpu-cafe-projectF model.dimMatch=projectF  # stopped after epoch 1
T="--target ferplus:$D/ferplus:test:mode=majority --target sfew:$D/sfew2:val --target ckplus:$D/ckplus48"
for r in cpu-cafe cpu-baseline cpu-cafe-freemask cpu-mask-only cpu-probe dim-pool dim-projectF dim-projectf cpu-cafe-projectF; do $CAFE eval --run runs/$r $T --out bench/results/cafe/$r; done
node --import tsx bench/cafe-table.ts
# Later (10:30, machine nearly idle): three rows resumed from epoch 2 to 5/5 by rerunning their train commands, side
# by side, then re-evaluated with the eval loop above and the table rebuilt:
#   $CAFE train --config configs/cafe-cpu.json --out runs/cpu-cafe-projectF name=cpu-cafe-projectF model.dimMatch=projectF
#   $CAFE train --config configs/cafe-cpu.json --out runs/cpu-baseline name=cpu-baseline model.kind=baseline
#   $CAFE train --config configs/cafe-cpu.json --out runs/cpu-cafe name=cpu-cafe
