/** The annotation page's server side (stages 1 and 2 of SAM's data engine), shared by the CLI and Node-RED. */
export * from './AnnotateHttpError';
export * from './listImages';
export * from './AnnotateRequests';
export * from './AnnotationState';
export * from './stateToCoco';
export * from './Proposal';
export * from './defaultProposalProviders';
export * from './resolveBrowserDecoder';
export * from './AnnotationSessionOptions';
export * from './DisplayObject';
export * from './MaskResponse';
export * from './AnnotationSession';
export * from './createAnnotationHandler';
export * from './startAnnotationServer';
export * from './annotateFolder';
