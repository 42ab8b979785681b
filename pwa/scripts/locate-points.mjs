// Locate many points with the device module, for the server/phone agreement test.
// Usage: node scripts/locate-points.mjs AREAS.json POINTS.json > RESULTS.json
// POINTS.json: [[lat, lon], …]; output: [[kern|null, wijk|null, buurt|null, nearBorder], …]
import { readFileSync } from 'node:fs';
import { buildIndex, locate } from '../src/geo/locate.js';

const [areasPath, pointsPath] = process.argv.slice(2);
const index = buildIndex(JSON.parse(readFileSync(areasPath, 'utf8')));
const points = JSON.parse(readFileSync(pointsPath, 'utf8'));
const out = points.map(([lat, lon]) => {
  const r = locate(index, lat, lon);
  return [r.kern?.code ?? null, r.wijk?.code ?? null, r.buurt?.code ?? null, r.nearBorder];
});
process.stdout.write(JSON.stringify(out));
