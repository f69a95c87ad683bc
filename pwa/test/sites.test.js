import assert from "node:assert/strict";
import { test } from "node:test";
import { anchorOf, distanceM, nearestFirst } from "../src/sites.js";

const BRIANCON = [6.6433, 44.8986];
const GUILLESTRE = [6.6486, 44.6597];
const point = (coordinates) => ({ type: "Point", coordinates });
const site = (id, geometry) => ({ id, programme: "default", geometry });

test("a polygon's anchor is the mean of its corners", () => {
  const ring = [[6.64, 44.89], [6.66, 44.89], [6.66, 44.91], [6.64, 44.91], [6.64, 44.89]];
  const [lon, lat] = anchorOf(site("p", { type: "Polygon", coordinates: [ring] }));
  assert.ok(Math.abs(lon - 6.65) < 1e-9 && Math.abs(lat - 44.9) < 1e-9);
  assert.equal(anchorOf(site("d", null)), null);
});

test("Briançon to Guillestre is about 26.6 km, as the server measures it", () => {
  assert.equal(Math.round(distanceM(BRIANCON, GUILLESTRE) / 100) / 10, 26.6);
});

test("sites come nearest first, those with no public position last", () => {
  const sites = [site("far", point(BRIANCON)), site("hidden", null), site("near", point(GUILLESTRE))];
  const order = nearestFirst(sites, { lon: 6.65, lat: 44.66 }).map(({ site: s }) => s.id);
  assert.deepEqual(order, ["near", "far", "hidden"]);
});
