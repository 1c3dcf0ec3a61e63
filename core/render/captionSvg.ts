/** Escapes the five XML special characters for SVG text content. */
function xmlText(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

/** Longest caption drawn (characters); longer text is cut with an ellipsis. */
export const MAX_CAPTION_LENGTH = 200;

/**
 * An SVG of `width`×`height` pixels with a caption banner across the top: white text on a
 * 70 %-opaque black band whose height is a tenth of the image (at least 18 px), for sharp to
 * composite over a rendered overlay (e.g. "no cat found").
 */
export function captionSvg(text: string, width: number, height: number): Buffer {
  const band = Math.min(height, Math.max(18, Math.round(height / 10)));
  const size = Math.max(10, Math.round(band * 0.62));
  const shown = text.length > MAX_CAPTION_LENGTH ? `${text.slice(0, MAX_CAPTION_LENGTH - 1)}…` : text;
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<rect x="0" y="0" width="${width}" height="${band}" fill="black" fill-opacity="0.7"/>` +
      `<text x="${Math.round(band * 0.4)}" y="${Math.round(band * 0.72)}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif" font-size="${size}" font-weight="bold" fill="white">${xmlText(shown)}</text>` +
      `</svg>`,
  );
}
