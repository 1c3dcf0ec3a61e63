import type { BoxXyxy } from '../types';

/**
 * SAM's `is_box_near_crop_edge`: a box (in crop coordinates) is near a crop edge when, after
 * uncropping, one of its sides lies within `atol` pixels of the crop box's side and NOT within
 * `atol` of the original image's side (crop edges that are image edges don't count).
 */
export function isBoxNearCropEdge(box: BoxXyxy, cropBox: BoxXyxy, origBox: BoxXyxy, atol = 20): boolean {
  const [x0, y0] = cropBox;
  const b = [box[0] + x0, box[1] + y0, box[2] + x0, box[3] + y0];
  for (let i = 0; i < 4; i++) {
    const nearCrop = Math.abs(b[i] - cropBox[i]) <= atol;
    const nearImage = Math.abs(b[i] - origBox[i]) <= atol;
    if (nearCrop && !nearImage) return true;
  }
  return false;
}
