import type { SamModel } from '../model/SamModel';
import type { CocoAnnotation } from './stateToCoco';
import type { ProposalProviders } from './Proposal';

/** Default state file name, inside the annotated folder (hidden, so it is never listed as an image). */
export const DEFAULT_STATE_FILE_NAME = '.samflow-annotations.json';
/** Default pixel limit for images opened in the page (40 MP). */
export const DEFAULT_ANNOTATE_MAX_PIXELS = 40_000_000;

/** Emitted once per accepted object (the Node-RED node turns each into a message). */
export interface AcceptedObjectEvent {
  readonly file: string;
  readonly label: string;
  readonly image: { readonly file_name: string; readonly width: number; readonly height: number };
  /** The COCO annotation as it will appear in the export (ids are the state's object id and label index). */
  readonly annotation: CocoAnnotation;
}

export interface AnnotationSessionOptions {
  /** The folder of images; only files inside it are ever read. */
  readonly folder: string;
  readonly model: SamModel;
  /** JSON state file, written atomically after every change. Default `<folder>/.samflow-annotations.json`. */
  readonly stateFile?: string;
  /** Labels offered in the page's list (more can be typed). */
  readonly labels?: readonly string[];
  /** Largest image opened, in pixels (decodeImage's maxPixels). Default 40e6. */
  readonly maxPixels?: number;
  /** Proposal sources for stage 2 (automatic masks, detector instances), keyed by display name. */
  readonly proposals?: ProposalProviders;
  /** Called after each accepted object is saved. */
  readonly onAccept?: (event: AcceptedObjectEvent) => void;
  /** Encode the next image in the background when one opens. Default true. */
  readonly prefetch?: boolean;
  /**
   * The background encode waits until no click was decoded for this long (ms), so it does not
   * compete with the decoder for the CPU while someone is clicking. Default 1500.
   */
  readonly prefetchIdleMs?: number;
  /**
   * Offer the in-browser decoder (onnxruntime-web on WebAssembly, as SAM's demo does): the page
   * downloads the decoder once and each image's embedding, then decodes clicks itself. Default
   * true when the decoder file and onnxruntime-web are found; false turns it off. The server path
   * stays the page's default.
   */
  readonly browserDecoder?: boolean | { readonly decoderPath?: string };
}
