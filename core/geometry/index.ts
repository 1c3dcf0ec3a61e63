/** Geometry: the model's coordinate frame (SamTransform), boxes, the low-res mask size. Imports nothing above errors.ts. */
export * from './boxes';
export * from './lowResSize';
export * from './SamTransform';
