// Draws the app icons (a simple radar) as PNG files in public/icons/.
// Uses only Node built-ins (zlib). Run: node scripts/make-icons.mjs
// The PNGs are committed; run this again only to change the design.
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const OUT = fileURLToPath(new URL('../public/icons/', import.meta.url));

const BG = [0x15, 0x42, 0x73];
const SWEEP = [0x3d, 0x6f, 0xa8];
const WHITE = [0xff, 0xff, 0xff];
const BLIP = [0xf0, 0xa3, 0x0a];

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Colour [r,g,b,a] at point (x, y) in unit coordinates (0..1). */
function sample(x, y, { maskable }) {
  // Outside the rounded square: transparent (not for maskable: full bleed).
  if (!maskable) {
    const r = 0.2;
    const dx = Math.max(r - x, 0, x - (1 - r));
    const dy = Math.max(r - y, 0, y - (1 - r));
    if (dx * dx + dy * dy > r * r) return null;
  }
  // Content: keep inside the maskable safe zone (circle of radius 0.4).
  const scale = maskable ? 0.78 : 1;
  const cx = (x - 0.5) / scale;
  const cy = (y - 0.5) / scale;
  const d = Math.hypot(cx, cy);
  const angle = Math.atan2(cy, cx); // 0 = east, -PI/2 = north
  let color = BG;
  if (d < 0.36 && angle > -Math.PI / 2 && angle < -Math.PI / 6) color = SWEEP;
  if (Math.abs(d - 0.36) < 0.022 || Math.abs(d - 0.22) < 0.018) color = WHITE;
  if (Math.abs(cx) < 0.012 && d < 0.36 && cy < 0) color = WHITE;
  if (d < 0.05) color = WHITE;
  if (Math.hypot(cx - 0.16, cy + 0.2) < 0.055) color = BLIP;
  return color;
}

function draw(size, options) {
  const ss = 4; // supersampling per axis
  const out = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = sample((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size, options);
          if (!c) continue;
          r += c[0]; g += c[1]; b += c[2]; a += 1;
        }
      }
      const i = (py * size + px) * 4;
      if (a) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
      }
      out[i + 3] = Math.round((a / (ss * ss)) * 255);
    }
  }
  return png(size, out);
}

mkdirSync(OUT, { recursive: true });
const files = [
  ['icon-192.png', 192, { maskable: false }],
  ['icon-512.png', 512, { maskable: false }],
  ['maskable-192.png', 192, { maskable: true }],
  ['maskable-512.png', 512, { maskable: true }],
  ['apple-touch-icon.png', 180, { maskable: true }],
  ['favicon-32.png', 32, { maskable: false }],
];
for (const [name, size, options] of files) {
  const data = draw(size, options);
  writeFileSync(OUT + name, data);
  console.log(`${name} ${size}x${size} ${data.length} bytes`);
}
