// Photos: downscaled in the browser (≤ 1600 px, JPEG) and named by their SHA-256,
// so an upload can be retried safely and a signal can refer to it before it arrives.

const MAX_SIDE = 1600;

/** The target size for an image of width × height, keeping its shape. */
export function fitWithin(width, height, max = MAX_SIDE) {
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}

/** Hex SHA-256 of a Blob's bytes. */
export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Downscale a picked image file to a JPEG Blob of at most MAX_SIDE pixels. */
export async function downscale(file, quality = 0.82) {
  const bitmap = await createImageBitmap(file);
  const { width, height } = fitWithin(bitmap.width, bitmap.height);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d').drawImage(bitmap, 0, 0, width, height);
  bitmap.close?.();
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('Foto kon niet worden verkleind.'))), 'image/jpeg', quality),
  );
}
