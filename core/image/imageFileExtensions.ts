import * as path from 'node:path';

/** File name endings samflow opens as images: what sharp decodes (no BMP), lower case. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.gif', '.avif'];

/** True when the file name ends with one of IMAGE_EXTENSIONS (case-insensitive). */
export function isImageFileName(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(name).toLowerCase());
}
