#!/usr/bin/env node
// Writes flows/assets/sample.png: a small synthetic scene (320x240) for the example flows:
// a red disc centred at (90, 120) r=50, a blue square (170..250, 60..140) and a yellow
// triangle (base 200..300 at y 230, apex 250,160) on a soft grey gradient. Run: node flows/assets/makeSample.js
'use strict';
const path = require('node:path');
const sharp = require('sharp');

const W = 320;
const H = 240;
const rgb = Buffer.alloc(W * H * 3);
function inTriangle(x, y) {
  // apex (250, 160), base from (200, 230) to (300, 230)
  if (y > 230 || y < 160) return false;
  const half = ((y - 160) / 70) * 50;
  return Math.abs(x - 250) <= half;
}
for (let y = 0; y < H; y++) {
  for (let x = 0; x < W; x++) {
    const i = (y * W + x) * 3;
    let c = [200 - Math.round(y / 6), 205 - Math.round(y / 6), 210 - Math.round(x / 10)];
    if ((x - 90) ** 2 + (y - 120) ** 2 <= 50 * 50) c = [215, 40, 45];
    else if (x >= 170 && x < 250 && y >= 60 && y < 140) c = [40, 80, 200];
    else if (inTriangle(x, y)) c = [235, 200, 40];
    rgb[i] = c[0];
    rgb[i + 1] = c[1];
    rgb[i + 2] = c[2];
  }
}
sharp(rgb, { raw: { width: W, height: H, channels: 3 } })
  .png({ compressionLevel: 9 })
  .toFile(path.join(__dirname, 'sample.png'))
  .then((info) => console.log(`flows/assets/sample.png: ${info.width}x${info.height}, ${info.size} bytes`));
