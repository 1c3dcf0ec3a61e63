import { saveAnnotationState, type AnnotatedObject, type AnnotationState, type ImageAnnotations } from './AnnotationState';
import { AnnotateHttpError } from './AnnotateHttpError';
import { stateToCoco, type CocoAnnotation, type CocoInstances } from './stateToCoco';

/**
 * The accepted objects of every image and the labels, saved to the state file after every change
 * (atomically, one write at a time, each a snapshot of the state when the change was made).
 */
export class ObjectStore {
  private saving: Promise<void> = Promise.resolve();

  constructor(
    readonly stateFile: string,
    private readonly state: AnnotationState,
  ) {}

  get labels(): readonly string[] {
    return this.state.labels;
  }

  image(file: string): ImageAnnotations | undefined {
    return this.state.images[file];
  }

  objectsOf(file: string): AnnotatedObject[] {
    return this.state.images[file]?.objects ?? [];
  }

  /** Add an object (its id is assigned here) and its label; saved before this resolves. */
  async add(file: string, width: number, height: number, object: Omit<AnnotatedObject, 'id'>): Promise<AnnotatedObject> {
    const added: AnnotatedObject = { id: this.state.nextObjectId++, ...object };
    this.imageEntry(file, width, height).objects.push(added);
    this.useLabel(added.label);
    await this.save();
    return added;
  }

  /** Delete one object; 404 when `id` is not an object of `file`. */
  async remove(file: string, id: number): Promise<AnnotatedObject[]> {
    const objects = this.objectsOf(file);
    objects.splice(this.indexOf(file, id), 1);
    await this.save();
    return objects;
  }

  /** Reorder the objects of an image: `order` lists every object id once (else 400). */
  async reorder(file: string, order: readonly number[]): Promise<AnnotatedObject[]> {
    const objects = this.objectsOf(file);
    if (order.length !== objects.length || new Set(order).size !== order.length || !objects.every((o) => order.includes(o.id))) {
      throw new AnnotateHttpError(400, 'BAD_OPTION', `order: must list each of the ${objects.length} object ids of "${file}" exactly once`);
    }
    const byId = new Map(objects.map((o) => [o.id, o]));
    objects.splice(0, objects.length, ...order.map((id) => byId.get(id)!));
    await this.save();
    return objects;
  }

  /** Change the label of an object. */
  async relabel(file: string, id: number, label: string): Promise<AnnotatedObject[]> {
    const objects = this.objectsOf(file);
    const i = this.indexOf(file, id);
    objects[i] = { ...objects[i], label };
    this.useLabel(label);
    await this.save();
    return objects;
  }

  /** Mark an image done (or not). */
  async setDone(file: string, width: number, height: number, done: boolean): Promise<void> {
    this.imageEntry(file, width, height).done = done;
    await this.save();
  }

  /** The COCO annotation of a saved object, as the export will show it (image ids follow `files`). */
  cocoAnnotation(file: string, object: AnnotatedObject, files: readonly string[]): CocoAnnotation {
    return {
      id: object.id,
      image_id: files.indexOf(file) + 1,
      category_id: this.state.labels.indexOf(object.label) + 1,
      segmentation: object.segmentation,
      area: object.area,
      bbox: object.bbox,
      iscrowd: 0,
      ...(object.score !== undefined ? { score: object.score } : {}),
    };
  }

  /** COCO instances JSON of everything accepted so far (images in `files` order). */
  exportCoco(files: readonly string[]): CocoInstances {
    return stateToCoco(this.state, files);
  }

  /** Wait for the last write. */
  async flush(): Promise<void> {
    await this.saving.catch(() => undefined);
  }

  private indexOf(file: string, id: number): number {
    const i = this.objectsOf(file).findIndex((o) => o.id === id);
    if (i < 0) throw new AnnotateHttpError(404, 'BAD_OPTION', `id ${id}: no such object in "${file}"`);
    return i;
  }

  private useLabel(label: string): void {
    if (!this.state.labels.includes(label)) this.state.labels.push(label);
  }

  private imageEntry(file: string, width: number, height: number): ImageAnnotations {
    let img = this.state.images[file];
    if (!img) {
      img = { width, height, done: false, objects: [] };
      this.state.images[file] = img;
    }
    return img;
  }

  private save(): Promise<void> {
    const snapshot = JSON.parse(JSON.stringify(this.state)) as AnnotationState;
    this.saving = this.saving
      .catch(() => undefined)
      .then(() => saveAnnotationState(this.stateFile, snapshot))
      .catch((e: unknown) => {
        throw new AnnotateHttpError(
          500,
          'BAD_OPTION',
          `stateFile "${this.stateFile}": cannot be written (${(e as Error).message}); the change is kept in memory only — give the server a writable stateFile`,
        );
      });
    return this.saving;
  }
}
