import { SamflowError, type MaskRecord } from '../../core';

/** `msg.masks` checked for the fields the filter nodes read (predicted_iou, stability_score, bbox). */
export function masksFromMessage(value: unknown, nodeType: string): MaskRecord[] {
  if (!Array.isArray(value)) {
    throw new SamflowError(
      'BAD_OPTION',
      `msg.masks: ${nodeType} expects the array of SA-1B mask records that sam-decoder sets, got ${value === undefined ? 'nothing' : typeof value}. Wire it after sam-decoder.`,
      'msg.masks',
    );
  }
  value.forEach((r: unknown, i) => {
    const o = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
    const bbox = o.bbox;
    if (typeof o.predicted_iou !== 'number' || typeof o.stability_score !== 'number' || !Array.isArray(bbox) || bbox.length !== 4) {
      throw new SamflowError(
        'BAD_OPTION',
        `msg.masks[${i}]: expected an SA-1B record with numeric predicted_iou, stability_score and bbox [x, y, w, h], got ${JSON.stringify(r)?.slice(0, 80)}.`,
        `msg.masks[${i}]`,
      );
    }
  });
  return value as MaskRecord[];
}
