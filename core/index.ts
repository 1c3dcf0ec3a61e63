/**
 * samflow's only public entry. Each area keeps its own barrel; faces (nodes/, cli/) import from here.
 */
export * from './types';
export * from './errors';
export * from './limits';
export * from './geometry';
export * from './image';
export * from './model';
export * from './prompts';
export * from './masks';
export * from './records';
export * from './amg';
export * from './detect';
export * from './stream';
export * from './render';
export * from './operators';
export * from './annotate';
export * from './eval';
export * from './text';
export * from './cluster';
