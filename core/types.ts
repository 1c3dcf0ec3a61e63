/**
 * The values that flow between samflow's stages (see DESIGN.md "Data flow").
 * Every stage is a pure function over these; operators and nodes carry them unchanged.
 */
import type { BoxXywh, BoxXyxy } from './geometry/boxes';
import type { SamTransform } from './geometry/SamTransform';

export type { BoxXyxy, BoxXywh } from './geometry/boxes';
export { LOW_RES_SIZE } from './geometry/lowResSize';

/** A decoded image: tightly packed 8-bit RGB, row-major (HWC), after EXIF rotation. */
export interface Frame {
  /** Stable identity (file name, frame counter, content hash): the embedding cache key. */
  readonly id: string;
  readonly width: number;
  readonly height: number;
  /** uint8[height, width, 3] */
  readonly rgb: Uint8Array;
  /** Capture or decode time in ms (Date.now() or the stream's presentation time). */
  readonly timestamp?: number;
}

/** Raw pixels handed in by a caller (camera frame, canvas). `channels` 1 (gray), 3 (RGB) or 4 (RGBA). */
export interface RawFrame {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
  readonly id?: string;
  readonly timestamp?: number;
}

/** What `decodeImage` accepts: encoded image bytes, a file path, or raw pixels. */
export type ImageInput = Buffer | Uint8Array | string | RawFrame;

/** One float32 tensor of an image embedding. */
export interface EmbeddingTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/**
 * An image embedding: the encoder's outputs, each named after the decoder input it feeds. SAM 1:
 * `image_embeddings` float32[1,256,64,64]; SAM 2: `image_embed` float32[1,256,64,64],
 * `high_res_feats_0` float32[1,32,256,256], `high_res_feats_1` float32[1,64,128,128].
 */
export interface ImageEmbedding {
  readonly tensors: Readonly<Record<string, EmbeddingTensor>>;
  /** Which tensor holds the 256-d image features at 1/16 scale (what similarity of features uses). */
  readonly features: string;
}

/** A frame with its image embedding: the output of the heavy encoder, computed once per image. */
export interface EmbeddedFrame {
  readonly frame: Frame;
  readonly embedding: ImageEmbedding;
  /** Maps between the original image and the model's 1024 frame. */
  readonly transform: SamTransform;
  /** Id of the model that produced the embedding (embeddings are not portable between models). */
  readonly modelId: string;
}

/** One click. Pixel coordinates in the original image; label 1 = foreground, 0 = background. */
export interface PointPrompt {
  readonly x: number;
  readonly y: number;
  readonly label: 0 | 1;
}

/** Extra facts a prompt carries to its masks (detector class/score, tracking id, grid point). */
export interface PromptMeta {
  readonly class?: string;
  readonly score?: number;
  readonly objectId?: string | number;
  readonly [key: string]: unknown;
}

/** A SAM prompt: any combination of points, one box and a previous low-res mask. */
export interface SamPrompt {
  readonly points?: readonly PointPrompt[];
  readonly box?: BoxXyxy;
  /** float32[256*256]: low-res logits of an earlier prediction (model frame), fed back as mask_input. */
  readonly maskInput?: Float32Array;
  /** Ask a multi-mask decoder for its 3 masks. Default: SAM's rule (true for a single click without box). */
  readonly multimask?: boolean;
  readonly meta?: PromptMeta;
}

/** The decoder's tensors for one prompt, already in the model's 1024 frame. */
export interface DecoderFeeds {
  /** float32[1,N,2] */
  readonly pointCoords: Float32Array;
  /** float32[1,N] */
  readonly pointLabels: Float32Array;
  readonly numPoints: number;
  /** float32[1,1,256,256] */
  readonly maskInput: Float32Array;
  /** float32[1]: 1 when maskInput holds a real mask. */
  readonly hasMaskInput: Float32Array;
  /** float32[2]: original (height, width). */
  readonly origImSize: Float32Array;
}

/** One mask predicted by the decoder, still as low-res logits (cheap to keep, filter and refine). */
export interface MaskCandidate {
  /** float32[256*256] logits in the padded model frame (the valid area is transform.lowResValid). */
  readonly lowResLogits: Float32Array;
  readonly predictedIou: number;
  readonly prompt: SamPrompt;
  readonly transform: SamTransform;
  /** Index of this mask among the decoder's outputs (0 for single-mask decoders). */
  readonly maskIndex: number;
  readonly frameId: string;
  /** Stability score, filled by filterStability or toRecords. */
  readonly stabilityScore?: number;
  /** Crop box (XYWH, original pixels) this candidate was predicted in; whole image when absent. */
  readonly cropBox?: BoxXywh;
}

/** A binary mask: uint8[height*width] row-major, 1 inside, 0 outside. */
export interface BinaryMask {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** COCO RLE with uncompressed counts (column-major run lengths, starting with zeros). */
export interface UncompressedRle {
  readonly size: readonly [number, number];
  readonly counts: readonly number[];
}

/** COCO RLE with counts compressed into pycocotools' string form. */
export interface CompressedRle {
  readonly size: readonly [number, number];
  readonly counts: string;
}

/** A mask record in SA-1B form (what segment-anything's SamAutomaticMaskGenerator returns). */
export interface MaskRecord<S = CompressedRle> {
  readonly segmentation: S;
  readonly area: number;
  readonly bbox: BoxXywh;
  readonly predicted_iou: number;
  readonly point_coords: ReadonlyArray<readonly [number, number]>;
  readonly stability_score: number;
  readonly crop_box: BoxXywh;
  /** Carried from the prompt's meta (detector class, score, object id) when present. */
  readonly meta?: PromptMeta;
}
