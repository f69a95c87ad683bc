// Photos on the phone: downscaled before they are stored (less storage, less bandwidth), and
// their EXIF position and time read first, to fill the record form.
const LONGEST_SIDE = 2048;
const QUALITY = 0.85;

/** A JPEG Blob of at most 2048 px on its longest side (orientation applied by the browser). */
export async function downscale(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, LONGEST_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.round(bitmap.width * scale);
  const height = Math.round(bitmap.height * scale);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
  bitmap.close?.();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
  return blob ?? file;
}

const EXIF_READ_BYTES = 256 * 1024; // a camera's EXIF block sits at the start of the file
/** Civil GPS user range error, metres: a dilution of precision (DOP) times this ≈ the horizontal error. */
const GPS_RANGE_ERROR_M = 5;

/**
 * Where and when a JPEG was taken, from its EXIF block: `{ lat, lon, altitude_m, accuracy_m, takenAt }`,
 * each null when the camera did not write it. Nothing is read beyond the first 256 KB.
 */
export async function readExif(file) {
  try {
    const view = new DataView(await file.slice(0, EXIF_READ_BYTES).arrayBuffer());
    const tiff = exifStart(view);
    return tiff === null ? emptyExif() : parseTiff(view, tiff);
  } catch {
    return emptyExif(); // a truncated or odd file: the form is filled by hand
  }
}

function emptyExif() {
  return { lat: null, lon: null, altitude_m: null, accuracy_m: null, takenAt: null };
}

/** Offset of the TIFF header inside the APP1 "Exif" segment, or null. */
function exifStart(view) {
  if (view.getUint16(0) !== 0xffd8) return null;
  let offset = 2;
  while (offset + 4 <= view.byteLength) {
    const marker = view.getUint16(offset);
    const length = view.getUint16(offset + 2);
    if (marker === 0xffe1 && view.getUint32(offset + 4) === 0x45786966) return offset + 10; // "Exif\0\0"
    if (marker === 0xffda || (marker & 0xff00) !== 0xff00) return null; // image data: no EXIF before it
    offset += 2 + length;
  }
  return null;
}

const TYPE_SIZES = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };

/** The entries of one IFD as tag → value (numbers, arrays of numbers, or strings). */
function readIfd(view, tiff, at, little) {
  const entries = new Map();
  const count = view.getUint16(tiff + at, little);
  for (let i = 0; i < count; i += 1) {
    const entry = tiff + at + 2 + i * 12;
    const tag = view.getUint16(entry, little);
    const type = view.getUint16(entry + 2, little);
    const n = view.getUint32(entry + 4, little);
    const size = (TYPE_SIZES[type] ?? 0) * n;
    if (size === 0) continue;
    const start = size <= 4 ? entry + 8 : tiff + view.getUint32(entry + 8, little);
    if (start + size > view.byteLength) continue;
    entries.set(tag, readValue(view, start, type, n, little));
  }
  return entries;
}

function readValue(view, start, type, n, little) {
  if (type === 2) {
    let text = "";
    for (let i = 0; i < n; i += 1) {
      const code = view.getUint8(start + i);
      if (code === 0) break;
      text += String.fromCharCode(code);
    }
    return text;
  }
  const values = [];
  for (let i = 0; i < n; i += 1) {
    const at = start + i * TYPE_SIZES[type];
    if (type === 1 || type === 7) values.push(view.getUint8(at));
    else if (type === 3) values.push(view.getUint16(at, little));
    else if (type === 4) values.push(view.getUint32(at, little));
    else if (type === 9) values.push(view.getInt32(at, little));
    else if (type === 5) values.push(view.getUint32(at, little) / view.getUint32(at + 4, little));
    else if (type === 10) values.push(view.getInt32(at, little) / view.getInt32(at + 4, little));
  }
  return n === 1 ? values[0] : values;
}

function parseTiff(view, tiff) {
  const little = view.getUint16(tiff) === 0x4949; // "II": little-endian
  const ifd0 = readIfd(view, tiff, view.getUint32(tiff + 4, little), little);
  const exif = ifd0.has(0x8769) ? readIfd(view, tiff, ifd0.get(0x8769), little) : new Map();
  const gps = ifd0.has(0x8825) ? readIfd(view, tiff, ifd0.get(0x8825), little) : new Map();
  const result = emptyExif();
  const lat = degrees(gps.get(2), gps.get(1), "S");
  const lon = degrees(gps.get(4), gps.get(3), "W");
  if (lat !== null && lon !== null && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && (lat !== 0 || lon !== 0)) {
    result.lat = lat;
    result.lon = lon;
    if (Number.isFinite(gps.get(6))) result.altitude_m = Math.round(gps.get(5) === 1 ? -gps.get(6) : gps.get(6));
    const error = gps.get(0x1f) ?? (Number.isFinite(gps.get(0x0b)) ? gps.get(0x0b) * GPS_RANGE_ERROR_M : null);
    if (Number.isFinite(error) && error > 0) result.accuracy_m = Math.round(error);
  }
  result.takenAt = gpsTime(gps) ?? cameraTime(exif.get(0x9003) ?? ifd0.get(0x0132), exif.get(0x9011));
  return result;
}

function degrees(parts, ref, negative) {
  if (!Array.isArray(parts) || parts.length !== 3 || !parts.every(Number.isFinite)) return null;
  const value = parts[0] + parts[1] / 60 + parts[2] / 3600;
  return Math.round((ref === negative ? -value : value) * 1e6) / 1e6;
}

/** GPS date and time stamps are in UTC. */
function gpsTime(gps) {
  const date = gps.get(0x1d);
  const time = gps.get(7);
  if (typeof date !== "string" || !Array.isArray(time)) return null;
  const match = /^(\d{4}):(\d{2}):(\d{2})$/.exec(date);
  if (!match) return null;
  const [hours, minutes, seconds] = time.map(Math.floor);
  const when = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3], hours, minutes, seconds));
  return Number.isNaN(when.getTime()) ? null : when;
}

/** "2026:07:14 09:32:00" with its offset ("+02:00") when the camera wrote one, else the phone's own time zone. */
function cameraTime(text, offset) {
  const match = typeof text === "string" && /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (!match) return null;
  const [, y, mo, d, hh, mi, ss] = match.map(Number);
  let when;
  if (typeof offset === "string" && /^[+-]\d{2}:\d{2}$/.test(offset)) {
    when = new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}${offset}`);
  } else {
    when = new Date(y, mo - 1, d, hh, mi, ss);
  }
  return Number.isNaN(when.getTime()) ? null : when;
}
