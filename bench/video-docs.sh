#!/usr/bin/env bash
# Regenerates README's cafe video pictures with the default model: docs/video-timeline.svg (--plot) and
# docs/video-annotated.jpg (the frame at 2 s of --annotate, 960 x 540). The clip is face-api's packaged sample photo
# demo/sample5.jpg scaled to 720 px high on a black 1280 x 720 frame, sliding right 50 px/s for 4 s at 10 fps (as in
# bench/video.ts). Run from the repo root: bash bench/video-docs.sh
set -euo pipefail
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
P=node_modules/@vladmandic/face-api/demo/sample5.jpg
ffmpeg -hide_banner -v error -y -loop 1 -framerate 10 -i $P -f lavfi -i color=black:s=1280x720:r=10 -t 4 \
  -filter_complex "[0]scale=-2:720[fg];[1][fg]overlay=x='t*50':y=0:shortest=1" -c:v libx264 -preset veryfast -pix_fmt yuv420p "$T/clip.mp4"
node --import tsx bench/cafe-cli.ts video "$T/clip.mp4" --fps 10 --format csv --out "$T/rows.csv" --plot "$T/timeline.svg" --annotate "$T/annotated.mp4"
ffmpeg -hide_banner -v error -y -ss 2 -i "$T/annotated.mp4" -frames:v 1 -vf scale=960:540 -q:v 4 "$T/annotated.jpg"
cp "$T/timeline.svg" docs/video-timeline.svg
cp "$T/annotated.jpg" docs/video-annotated.jpg
